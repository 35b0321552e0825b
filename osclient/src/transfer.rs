//! One bounded exchange: a request sent under the [`RetryPolicy`], each attempt limited in
//! time (the whole attempt: connecting, the answer's head and its whole body) and the body in
//! size. Every request of the suite and of this crate's Keystone session goes through
//! [`execute`].
//!
//! Why a deadline of our own on top of reqwest's timeout: the suite must stay bounded
//! whatever client it was handed (tests build plain clients), and on a timeout the error must
//! say how far the answer got (nothing, or a status and the first bytes of a body that
//! trickled in). Why a size cap: a misconfigured endpoint (a file server, a proxy's error page
//! looping) must not fill memory; no Nova or Keystone answer the suite reads comes near it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use crate::retry::{retry_after_value, Failure, Repeat, RetryPolicy};

/// Largest answer read, in bytes: 16 MiB.
pub const MAX_BODY: usize = 16 << 20;

/// The request timeout when the cloud sets no `api_timeout` (clouds.yaml) / `OS_API_TIMEOUT`:
/// 120 s. Nova before Ussuri (Queens .. Train) answers a migrate only after an RPC *call* to the
/// conductor, which oslo.messaging bounds by `rpc_response_timeout` (60 s by default): a slow
/// Queens then answers its own 500 (MessagingTimeout) within 60 s, and the suite sees that
/// answer instead of cutting the request off at the same moment.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// After this long without a whole answer, [`execute`] says once that it is still waiting.
pub const SLOW_NOTICE_AFTER: Duration = Duration::from_millis(2500);

/// How many bytes of an answer error messages quote.
const QUOTED: usize = 200;

/// A sink for lines about a request that is slow or retried (the CLI prints them on stderr).
/// Lines name the method and URL, never a header or a body sent.
pub type Notice = Arc<dyn Fn(String) + Send + Sync>;

/// The bounds of every attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The whole attempt, body included.
    pub timeout: Duration,
    /// The largest body read.
    pub max_body: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: DEFAULT_TIMEOUT,
            max_body: MAX_BODY,
        }
    }
}

/// A whole answer.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// What the earlier attempts got, when the request was retried (e.g. `HTTP 503 Service
    /// Unavailable`): a retry is never silent.
    pub retried: Vec<String>,
}

impl Answer {
    /// The `Content-Type`, or `(none)`.
    pub fn content_type(&self) -> String {
        content_type(&self.headers)
    }

    /// What came back, for error messages: `HTTP 200 OK, text/html, 4212 bytes: <!DOCTYPE...`.
    pub fn describe(&self) -> String {
        describe_answer(
            self.status,
            &self.headers,
            &self.body,
            self.body.len() as u64,
        )
    }
}

/// How far an answer got before the attempt failed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Partial {
    /// Status and content type, once the head arrived.
    pub head: Option<(StatusCode, String)>,
    /// Body bytes received.
    pub received: u64,
    /// The first bytes of the body.
    pub first: Vec<u8>,
}

impl fmt::Display for Partial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.head {
            None => f.write_str("no answer"),
            Some((status, ct)) => {
                write!(
                    f,
                    "HTTP {}, {ct}, {} bytes of the body",
                    status_text(*status),
                    self.received
                )?;
                if !self.first.is_empty() {
                    write!(f, ": {}", quote(&self.first))?;
                }
                Ok(())
            }
        }
    }
}

/// Why no whole answer came back.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum TransferError {
    /// The connection could not be made (nothing was sent).
    #[error("{request}: cannot connect: {cause}{}", attempts_note(*.attempts))]
    Connect {
        /// The method and URL, e.g. `GET https://nova.example/v2.1`.
        request: String,
        cause: String,
        attempts: u32,
    },
    /// No whole answer within the timeout.
    #[error("{request}: no whole answer within {} (api_timeout): {got}{}", secs(*.timeout), attempts_note(*.attempts))]
    Timeout {
        /// The method and URL, e.g. `GET https://nova.example/v2.1`.
        request: String,
        timeout: Duration,
        got: Partial,
        attempts: u32,
    },
    /// The connection broke before the answer was whole.
    #[error("{request}: connection broken ({cause}): {got}{}", attempts_note(*.attempts))]
    Broken {
        /// The method and URL, e.g. `GET https://nova.example/v2.1`.
        request: String,
        cause: String,
        got: Partial,
        attempts: u32,
    },
    /// The answer is larger than [`Limits::max_body`]; reading stopped there.
    #[error("{request}: answer larger than the {} cap (HTTP {}, {content_type}, {}): {}", size(*.limit), status_text(*.status), length.map(|n| format!("Content-Length {n}")).unwrap_or_else(|| "no Content-Length".into()), quote(first))]
    TooLarge {
        /// The method and URL, e.g. `GET https://nova.example/v2.1`.
        request: String,
        status: StatusCode,
        content_type: String,
        length: Option<u64>,
        limit: usize,
        first: Vec<u8>,
    },
    /// The request could not be built or sent at all (a bad URL, a body that cannot be sent).
    #[error("{request}: {cause}")]
    Request {
        /// The method and URL, e.g. `GET https://nova.example/v2.1`.
        request: String,
        cause: String,
    },
}

impl TransferError {
    /// What happened, without the request: `timed out after 5 s`, `cannot connect: ...`.
    pub fn short(&self) -> String {
        match self {
            TransferError::Connect { cause, .. } => format!("cannot connect: {cause}"),
            TransferError::Timeout { timeout, got, .. } => {
                format!("no whole answer within {} ({got})", secs(*timeout))
            }
            TransferError::Broken { cause, .. } => format!("connection broken ({cause})"),
            TransferError::TooLarge { limit, .. } => {
                format!("answer larger than the {} cap", size(*limit))
            }
            TransferError::Request { cause, .. } => cause.clone(),
        }
    }

    /// Whether the request may have reached the server (everything but a connection error
    /// and a request that could not be built).
    pub fn maybe_sent(&self) -> bool {
        !matches!(
            self,
            TransferError::Connect { .. } | TransferError::Request { .. }
        )
    }
}

fn attempts_note(n: u32) -> String {
    if n > 1 {
        format!(" (after {n} attempts)")
    } else {
        String::new()
    }
}

/// `16 MiB`, or `1024 bytes` when not a whole number of MiB.
fn size(n: usize) -> String {
    if n & ((1 << 20) - 1) == 0 {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s:.1} s")
    }
}

/// `503 Service Unavailable`.
pub fn status_text(s: StatusCode) -> String {
    match s.canonical_reason() {
        Some(r) => format!("{} {r}", s.as_u16()),
        None => s.as_u16().to_string(),
    }
}

fn content_type(h: &HeaderMap) -> String {
    h.get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_else(|| "no content type".into())
}

/// The first bytes of a body, quoted, control characters escaped, cut at [`QUOTED`].
pub fn quote(body: &[u8]) -> String {
    let cut = &body[..body.len().min(QUOTED)];
    let text = String::from_utf8_lossy(cut);
    let mut s: String = text.escape_debug().collect();
    if body.len() > QUOTED {
        s.push_str("...");
    }
    format!("\"{s}\"")
}

/// `HTTP 200 OK, text/html, 4212 bytes: "<!DOCTYPE..."`.
pub fn describe_answer(status: StatusCode, headers: &HeaderMap, body: &[u8], len: u64) -> String {
    let mut s = format!(
        "HTTP {}, {}, {len} bytes",
        status_text(status),
        content_type(headers)
    );
    if !body.is_empty() {
        s.push_str(": ");
        s.push_str(&quote(body));
    }
    s
}

/// What one attempt produced.
type Attempt = Result<Answer, TransferError>;

/// Sends `request` with `client` under `policy` for `repeat`, each attempt bounded by `limits`.
/// Returns the last answer (a 503 after the last retry, a 500 at once) or the last error.
/// `notice` hears, once per attempt, that it is still waiting after [`SLOW_NOTICE_AFTER`], and
/// of each retry.
pub async fn execute(
    client: &reqwest::Client,
    request: reqwest::Request,
    repeat: Repeat,
    policy: &RetryPolicy,
    limits: &Limits,
    notice: Option<&Notice>,
) -> Result<Answer, TransferError> {
    let method = request.method().clone();
    let url = request.url().to_string();
    let window = policy.window(Some(limits.timeout));
    let mut spare = Some(request);
    let mut retried: Vec<String> = Vec::new();
    let mut attempts = 0u32;
    let outcome = policy
        .run(
            repeat,
            window,
            |_| {
                let current = spare.take()?;
                spare = current.try_clone();
                attempts += 1;
                Some(attempt(client, current, limits, notice))
            },
            |outcome: &Attempt, _, wait, retry| {
                let what = match outcome {
                    Ok(a) => format!("HTTP {}", status_text(a.status)),
                    Err(e) => e.short(),
                };
                tracing::debug!(%method, %url, retry = retry + 1, "retrying: {what}");
                if let Some(n) = notice {
                    n(format!(
                        "{method} {url}: {what}; retrying in {} ({} of {})",
                        secs(wait),
                        retry + 1,
                        policy.max_retries
                    ));
                }
                retried.push(what);
            },
        )
        .await
        .unwrap_or_else(|| {
            Err(TransferError::Request {
                request: format!("{method} {url}"),
                cause: "the request could not be sent".into(),
            })
        });
    match outcome {
        Ok(mut a) => {
            a.retried = retried;
            Ok(a)
        }
        Err(mut e) => {
            set_attempts(&mut e, attempts);
            Err(e)
        }
    }
}

fn set_attempts(e: &mut TransferError, n: u32) {
    match e {
        TransferError::Connect { attempts, .. }
        | TransferError::Timeout { attempts, .. }
        | TransferError::Broken { attempts, .. } => *attempts = n,
        TransferError::TooLarge { .. } | TransferError::Request { .. } => {}
    }
}

/// One attempt, with the failure class the policy decides on.
async fn attempt(
    client: &reqwest::Client,
    request: reqwest::Request,
    limits: &Limits,
    notice: Option<&Notice>,
) -> (Attempt, Option<(Failure, Option<Duration>)>) {
    let method = request.method().clone();
    let url = request.url().to_string();
    let what = format!("{method} {url}");
    let mut partial = Partial::default();
    let outcome = {
        let fetch = fetch(client, request, limits, &mut partial);
        tokio::pin!(fetch);
        let deadline = tokio::time::sleep(limits.timeout);
        tokio::pin!(deadline);
        let slow = tokio::time::sleep(SLOW_NOTICE_AFTER.min(limits.timeout));
        tokio::pin!(slow);
        let mut noticed = notice.is_none() || SLOW_NOTICE_AFTER >= limits.timeout;
        loop {
            tokio::select! {
                r = &mut fetch => break Some(r),
                _ = &mut deadline => break None,
                _ = &mut slow, if !noticed => {
                    noticed = true;
                    if let Some(n) = notice {
                        n(format!("waiting for {method} {url} (api_timeout {})", secs(limits.timeout)));
                    }
                }
            }
        }
    };
    match outcome {
        None => (
            Err(TransferError::Timeout {
                request: what,
                timeout: limits.timeout,
                got: partial,
                attempts: 1,
            }),
            Some((Failure::Timeout, None)),
        ),
        Some(Ok(a)) => {
            let failed = RetryPolicy::is_retryable_status(a.status)
                .then(|| (Failure::Status(a.status), retry_after_value(&a.headers)));
            (Ok(a), failed)
        }
        Some(Err(FetchError::TooLarge { length })) => {
            let (status, content_type) = partial.head.clone().unwrap_or_default();
            (
                Err(TransferError::TooLarge {
                    request: what,
                    status,
                    content_type,
                    length,
                    limit: limits.max_body,
                    first: partial.first,
                }),
                // Not retried: the same endpoint would send the same again.
                None,
            )
        }
        Some(Err(FetchError::Transport(e))) => {
            let failure = RetryPolicy::classify(&e);
            let cause = root_cause(&e);
            let err = match failure {
                Failure::Connect => TransferError::Connect {
                    request: what,
                    cause,
                    attempts: 1,
                },
                Failure::Timeout => TransferError::Timeout {
                    request: what,
                    timeout: limits.timeout,
                    got: partial,
                    attempts: 1,
                },
                _ if e.is_builder() => {
                    return (
                        Err(TransferError::Request {
                            request: what,
                            cause,
                        }),
                        None,
                    )
                }
                _ => TransferError::Broken {
                    request: what,
                    cause,
                    got: partial,
                    attempts: 1,
                },
            };
            (Err(err), Some((failure, None)))
        }
    }
}

enum FetchError {
    TooLarge { length: Option<u64> },
    Transport(reqwest::Error),
}

/// Sends and reads the whole body, recording progress in `partial` (read by the caller when
/// the deadline cuts this off).
async fn fetch(
    client: &reqwest::Client,
    request: reqwest::Request,
    limits: &Limits,
    partial: &mut Partial,
) -> Result<Answer, FetchError> {
    let mut resp = client
        .execute(request)
        .await
        .map_err(FetchError::Transport)?;
    let status = resp.status();
    let headers = resp.headers().clone();
    partial.head = Some((status, content_type(&headers)));
    let length = resp.content_length();
    let mut body = Vec::new();
    let keep = |chunk: &[u8], partial: &mut Partial| {
        if partial.first.len() < QUOTED {
            let room = QUOTED - partial.first.len();
            partial
                .first
                .extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        partial.received += chunk.len() as u64;
    };
    if length.is_some_and(|n| n > limits.max_body as u64) {
        // Said at once, from the head; the first bytes are still worth quoting.
        if let Ok(Some(chunk)) = resp.chunk().await {
            keep(&chunk, partial);
        }
        return Err(FetchError::TooLarge { length });
    }
    while let Some(chunk) = resp.chunk().await.map_err(FetchError::Transport)? {
        keep(&chunk, partial);
        if body.len() + chunk.len() > limits.max_body {
            return Err(FetchError::TooLarge { length });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Answer {
        status,
        headers,
        body,
        retried: Vec::new(),
    })
}

/// The innermost cause: reqwest's own Display is only "error sending request for url (...)".
pub(crate) fn root_cause(err: &reqwest::Error) -> String {
    let mut root: &dyn std::error::Error = err;
    while let Some(next) = root.source() {
        root = next;
    }
    root.to_string()
}
