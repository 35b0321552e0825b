//! Retrying requests that are safe to repeat.
//!
//! Only idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE) are retried, on transport errors
//! (refused or dropped connection, timeout) and on 502/503/504, with exponential backoff.
//! POST is never retried: `POST /servers/{id}/action {"migrate": ...}` that timed out may well
//! have been accepted, and sending it again could start a second migration or turn a correct
//! 202 into a misleading 400/409. The caller must look at the server's state instead and decide.

use std::time::Duration;

use reqwest::{Method, RequestBuilder, Response, StatusCode};

/// How often and how patiently to retry idempotent requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 disables retrying).
    pub max_retries: u32,
    /// Wait before the first retry; doubled for each further one.
    pub initial_backoff: Duration,
    /// Cap on a single wait (also caps a server's `Retry-After`).
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// 3 retries: 0.5 s, 1 s, 2 s (at most 8 s each).
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
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

    /// Whether an answer with `status` is worth retrying: the gateway/unavailable family that
    /// load balancers and restarting API workers produce. A 500 is a real answer from Nova
    /// (and a conformance finding), so it is returned, not retried.
    pub fn is_retryable_status(status: StatusCode) -> bool {
        matches!(
            status,
            StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT
        )
    }

    /// Whether a transport error is worth retrying (the request may not have been processed,
    /// or processing it again is harmless because the method is idempotent).
    pub fn is_retryable_error(err: &reqwest::Error) -> bool {
        err.is_connect() || err.is_timeout() || err.is_request()
    }

    /// The wait before retry number `retry` (0-based): `initial_backoff * 2^retry`, capped.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(16));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }

    /// Sends `request`, retrying per this policy if its method is idempotent; a POST or PATCH is
    /// sent exactly once. Returns the last answer (which may be a 503 after the last retry) or
    /// the last transport error.
    pub async fn send(&self, request: RequestBuilder) -> Result<Response, reqwest::Error> {
        let (client, request) = request.build_split();
        let request = request?;
        let retries = if Self::is_idempotent(request.method()) {
            self.max_retries
        } else {
            0
        };
        self.run(client, request, retries).await
    }

    /// Sends `request` with retries whatever its method. Only for requests known to be safe to
    /// repeat although their method is not idempotent, such as Keystone's
    /// `POST /v3/auth/tokens` (an extra token has no effect).
    pub async fn send_repeatable(
        &self,
        request: RequestBuilder,
    ) -> Result<Response, reqwest::Error> {
        let (client, request) = request.build_split();
        self.run(client, request?, self.max_retries).await
    }

    async fn run(
        &self,
        client: reqwest::Client,
        request: reqwest::Request,
        retries: u32,
    ) -> Result<Response, reqwest::Error> {
        let mut attempt = 0u32;
        let mut current = request;
        loop {
            // A streaming body cannot be cloned: such a request is sent once.
            let spare = if attempt < retries {
                current.try_clone()
            } else {
                None
            };
            let outcome = client.execute(current).await;
            let Some(next) = spare else {
                return outcome;
            };
            let wait = match &outcome {
                Ok(resp) if Self::is_retryable_status(resp.status()) => {
                    retry_after(resp).map_or(self.backoff(attempt), |d| d.min(self.max_backoff))
                }
                Err(e) if Self::is_retryable_error(e) => self.backoff(attempt),
                _ => return outcome,
            };
            tracing::debug!(
                method = %next.method(),
                url = %next.url(),
                attempt = attempt + 1,
                wait_ms = wait.as_millis() as u64,
                "retrying idempotent request"
            );
            tokio::time::sleep(wait).await;
            attempt += 1;
            current = next;
        }
    }
}

/// `Retry-After` in seconds (the HTTP-date form is rare on OpenStack APIs and ignored).
fn retry_after(resp: &Response) -> Option<Duration> {
    resp.headers()
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
        }
        for m in [Method::POST, Method::PATCH] {
            assert!(!RetryPolicy::is_idempotent(&m), "{m}");
        }
    }
}
