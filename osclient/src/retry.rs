//! The one retry policy of every request the suite and this crate send.
//!
//! What may be repeated depends on what the request is ([`Repeat`]):
//!
//! * the request under test (`POST /servers/{id}/action {"migrate": ...}`) is never sent twice:
//!   one that timed out may well have been accepted, and sending it again could start a second
//!   migration or turn a correct 202 into a misleading 400/409 ([`Repeat::Never`]);
//! * other non-idempotent requests (create a server, stop, lock...) are sent again only when
//!   the connection could not be made at all, so nothing was sent ([`Repeat::UnsentOnly`]),
//!   never after a timeout or a dropped connection (the server may have acted);
//! * idempotent requests (GET, HEAD, OPTIONS, PUT, DELETE) and Keystone's token request (an
//!   extra token has no effect) are retried on a connection error, a timeout, a connection
//!   dropped before the answer was whole, and on 502/503/504, the answers of load balancers and
//!   restarting API workers ([`Repeat::Idempotent`]).
//!
//! A 500 is never retried: it is a real answer from Nova (and a conformance finding), returned
//! to the caller, who records it. Retries are bounded in number ([`RetryPolicy::max_retries`])
//! and in time ([`RetryPolicy::window`]).

use std::future::Future;
use std::time::{Duration, Instant};

use reqwest::{Method, RequestBuilder, Response, StatusCode};

/// Whether, and on what, a request may be sent again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repeat {
    /// Never: the request under test.
    Never,
    /// Only when the connection failed before anything was sent (non-idempotent setup).
    UnsentOnly,
    /// On connection errors, timeouts, dropped connections and 502/503/504.
    Idempotent,
}

impl Repeat {
    /// [`Repeat::Idempotent`] for RFC 9110 idempotent methods, else [`Repeat::UnsentOnly`].
    pub fn for_method(method: &Method) -> Repeat {
        if RetryPolicy::is_idempotent(method) {
            Repeat::Idempotent
        } else {
            Repeat::UnsentOnly
        }
    }
}

/// How an attempt failed, as far as retrying is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The connection could not be made (refused, DNS, TLS handshake): nothing was sent.
    Connect,
    /// No whole answer within the timeout.
    Timeout,
    /// The connection broke after the request was (maybe) sent.
    Dropped,
    /// An answer with this status (only 502/503/504 are ever retried).
    Status(StatusCode),
}

/// How often and how patiently to retry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 disables retrying).
    pub max_retries: u32,
    /// Wait before the first retry; doubled for each further one.
    pub initial_backoff: Duration,
    /// Cap on a single wait (also caps a server's `Retry-After`).
    pub max_backoff: Duration,
    /// No retry starts later than this after the first attempt began. [`RetryPolicy::window`]
    /// widens it to two request timeouts, so that a timed-out attempt gets one retry.
    pub max_elapsed: Duration,
}

impl Default for RetryPolicy {
    /// 3 retries: 0.5 s, 1 s, 2 s (at most 8 s each), none starting after 30 s.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_elapsed: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// Whether requests with `method` may be repeated (RFC 9110 idempotent methods; POST and
    /// PATCH are not).
    pub fn is_idempotent(method: &Method) -> bool {
        matches!(
            *method,
            Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
        )
    }

    /// Whether an answer with `status` is worth retrying (idempotent requests only): the
    /// gateway/unavailable family. A 500 is a real answer from Nova, so it is returned.
    pub fn is_retryable_status(status: StatusCode) -> bool {
        matches!(
            status,
            StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT
        )
    }

    /// The failure class of a reqwest transport error.
    pub fn classify(err: &reqwest::Error) -> Failure {
        if err.is_timeout() {
            Failure::Timeout
        } else if err.is_connect() {
            // reqwest says "connect" only for errors of its connector (TCP, proxy, TLS
            // handshake), before the request was written. (A pooled connection the server had
            // closed before the request was written is retried by hyper itself.)
            Failure::Connect
        } else {
            Failure::Dropped
        }
    }

    /// Whether `failure` of a request that may be repeated per `repeat` is retried at all.
    pub fn retries(repeat: Repeat, failure: Failure) -> bool {
        match (repeat, failure) {
            (Repeat::Never, _) => false,
            (Repeat::UnsentOnly, f) => f == Failure::Connect,
            (Repeat::Idempotent, Failure::Status(s)) => Self::is_retryable_status(s),
            (Repeat::Idempotent, _) => true,
        }
    }

    /// The wait before retry number `retry` (0-based): `initial_backoff * 2^retry`, capped.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(16));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }

    /// The retry window for requests with `timeout`: `max_elapsed`, or two timeouts if longer.
    pub fn window(&self, timeout: Option<Duration>) -> Duration {
        self.max_elapsed
            .max(timeout.unwrap_or(Duration::ZERO).saturating_mul(2))
    }

    /// The wait before the next attempt, or `None` to give up and return this outcome: after
    /// attempt number `retry` (0-based) of a request started at `started`, that failed with
    /// `failure` (`retry_after`: the answer's `Retry-After`).
    pub fn next_wait(
        &self,
        repeat: Repeat,
        failure: Failure,
        retry_after: Option<Duration>,
        retry: u32,
        started: Instant,
        window: Duration,
    ) -> Option<Duration> {
        if retry >= self.max_retries || !Self::retries(repeat, failure) {
            return None;
        }
        let wait = retry_after.map_or(self.backoff(retry), |d| d.min(self.max_backoff));
        (started.elapsed() + wait <= window).then_some(wait)
    }

    /// Runs `attempt` (which sends once and says how it failed, if it did) under this policy.
    /// `attempt` gets the 0-based retry number and returns `None` when the request cannot be
    /// sent again (a streaming body). `on_retry` hears of each retry before its wait.
    pub(crate) async fn run<T, Fut>(
        &self,
        repeat: Repeat,
        window: Duration,
        mut attempt: impl FnMut(u32) -> Option<Fut>,
        mut on_retry: impl FnMut(&T, Failure, Duration, u32),
    ) -> Option<T>
    where
        Fut: Future<Output = (T, Option<(Failure, Option<Duration>)>)>,
    {
        let started = Instant::now();
        let mut retry = 0u32;
        let mut last = None;
        while let Some(fut) = attempt(retry) {
            let (outcome, failed) = fut.await;
            let Some((failure, retry_after)) = failed else {
                return Some(outcome);
            };
            let Some(wait) = self.next_wait(repeat, failure, retry_after, retry, started, window)
            else {
                return Some(outcome);
            };
            on_retry(&outcome, failure, wait, retry);
            last = Some(outcome);
            tokio::time::sleep(wait).await;
            retry += 1;
        }
        last
    }

    /// Sends `request`, retrying per this policy and [`Repeat::for_method`]; the answer is
    /// returned unread (streaming; bounded only by the client's timeout). A request whose body
    /// cannot be cloned is sent once. Returns the last answer (which may be a 503 after the
    /// last retry) or the last transport error.
    pub async fn send(&self, request: RequestBuilder) -> Result<Response, reqwest::Error> {
        let (client, request) = request.build_split();
        let request = request?;
        let repeat = Repeat::for_method(request.method());
        let mut spare = Some(request);
        let outcome = self
            .run(
                repeat,
                self.max_elapsed,
                |_| {
                    let current = spare.take()?;
                    spare = current.try_clone();
                    let client = client.clone();
                    Some(async move {
                        let outcome = client.execute(current).await;
                        let failed = match &outcome {
                            Ok(r) if Self::is_retryable_status(r.status()) => {
                                Some((Failure::Status(r.status()), retry_after(r)))
                            }
                            Ok(_) => None,
                            Err(e) => Some((Self::classify(e), None)),
                        };
                        (outcome, failed)
                    })
                },
                |_, failure, wait, retry| {
                    tracing::debug!(
                        ?failure,
                        retry = retry + 1,
                        wait_ms = wait.as_millis() as u64,
                        "retrying"
                    );
                },
            )
            .await;
        outcome.expect("the first attempt always runs")
    }
}

/// `Retry-After` in seconds (the HTTP-date form is rare on OpenStack APIs and ignored).
pub(crate) fn retry_after(resp: &Response) -> Option<Duration> {
    retry_after_value(resp.headers())
}

pub(crate) fn retry_after_value(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(0), Duration::from_millis(500));
        assert_eq!(p.backoff(1), Duration::from_secs(1));
        assert_eq!(p.backoff(2), Duration::from_secs(2));
        assert_eq!(p.backoff(10), Duration::from_secs(8));
        assert_eq!(p.backoff(u32::MAX), Duration::from_secs(8));
    }

    #[test]
    fn only_idempotent_methods() {
        for m in [Method::GET, Method::HEAD, Method::PUT, Method::DELETE] {
            assert!(RetryPolicy::is_idempotent(&m), "{m}");
            assert_eq!(Repeat::for_method(&m), Repeat::Idempotent);
        }
        for m in [Method::POST, Method::PATCH] {
            assert!(!RetryPolicy::is_idempotent(&m), "{m}");
            assert_eq!(Repeat::for_method(&m), Repeat::UnsentOnly);
        }
    }

    #[test]
    fn what_is_retried() {
        use Failure::*;
        let s = |c: u16| Status(StatusCode::from_u16(c).unwrap());
        let table = [
            // (repeat, failure, retried)
            (Repeat::Never, Connect, false),
            (Repeat::Never, Timeout, false),
            (Repeat::Never, s(502), false),
            (Repeat::UnsentOnly, Connect, true),
            (Repeat::UnsentOnly, Timeout, false),
            (Repeat::UnsentOnly, Dropped, false),
            (Repeat::UnsentOnly, s(503), false),
            (Repeat::Idempotent, Connect, true),
            (Repeat::Idempotent, Timeout, true),
            (Repeat::Idempotent, Dropped, true),
            (Repeat::Idempotent, s(502), true),
            (Repeat::Idempotent, s(503), true),
            (Repeat::Idempotent, s(504), true),
            (Repeat::Idempotent, s(500), false),
            (Repeat::Idempotent, s(501), false),
            (Repeat::Idempotent, s(429), false),
        ];
        for (repeat, failure, want) in table {
            assert_eq!(
                RetryPolicy::retries(repeat, failure),
                want,
                "{repeat:?} {failure:?}"
            );
        }
    }

    #[test]
    fn retries_stop_at_the_count_and_at_the_window() {
        let p = RetryPolicy::default();
        let now = Instant::now();
        let w = p.window(Some(Duration::from_secs(5)));
        assert_eq!(w, Duration::from_secs(30));
        assert_eq!(
            p.window(Some(Duration::from_secs(120))),
            Duration::from_secs(240)
        );
        let f = Failure::Timeout;
        assert_eq!(
            p.next_wait(Repeat::Idempotent, f, None, 0, now, w),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            p.next_wait(Repeat::Idempotent, f, None, 2, now, w),
            Some(Duration::from_secs(2))
        );
        assert_eq!(p.next_wait(Repeat::Idempotent, f, None, 3, now, w), None);
        // Retry-After is honoured up to max_backoff.
        assert_eq!(
            p.next_wait(
                Repeat::Idempotent,
                f,
                Some(Duration::from_secs(60)),
                0,
                now,
                w
            ),
            Some(Duration::from_secs(8))
        );
        // Started 29.8 s ago: a 0.5 s wait would begin the retry after the window.
        let old = now - Duration::from_millis(29_800);
        assert_eq!(p.next_wait(Repeat::Idempotent, f, None, 0, old, w), None);
    }
}
