//! The suite's own helper requests to a real cloud (discovery, provisioning, cleanup, the
//! `migrate` client): JSON in and out, over [`crate::http::send_as`] and its one retry policy.
//!
//! GET and DELETE are retried on connection errors, timeouts and 502/503/504; a POST (create,
//! stop, lock, confirm...) only when the connection could not be made, so nothing was sent.
//! A 500 is never retried: it is an answer ([`Answer::exchange`] holds it), which the caller
//! reports. The migrate request under test does not come here: the runner sends it once.
use reqwest::Method;
use serde_json::Value;

use crate::exchange::Exchange;
use crate::http::{self, Repeat, TransportError, VersionHeader};
use crate::target::Caller;

/// An answer to a helper request.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    /// The raw body when it is not JSON (for messages).
    pub text: String,
    /// The request and its answer, the token redacted (a setup failure reports it).
    pub exchange: Exchange,
}

impl Answer {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Nova's fault message (`{"badRequest": {"message": ...}}`), else what came back (status,
    /// content type and the first bytes).
    pub fn fault_message(&self) -> String {
        if let Some(obj) = self.body.as_object() {
            for (_, v) in obj {
                if let Some(m) = v.get("message").and_then(Value::as_str) {
                    return m.to_string();
                }
            }
        }
        self.describe()
    }

    /// What came back: `HTTP 200 OK, text/html, 96 bytes: "<!DOCTYPE html>..."`.
    pub fn describe(&self) -> String {
        http::describe(&self.exchange)
    }
}

/// Why a helper request gave nothing usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallErrorKind {
    /// No whole answer (connection, timeout, broken, over the size cap).
    NoAnswer,
    /// 502/503/504 still after the retries: the API is unavailable for now.
    Unavailable,
    /// Another 5xx answer (a 500: never retried).
    ServerError,
    /// Another answer than the one needed (a 4xx, a body that is not the expected JSON).
    Unexpected,
}

/// A helper request's failure, with what came back.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct CallError {
    pub kind: CallErrorKind,
    pub message: String,
    /// The exchange, when there was an answer.
    pub exchange: Option<Exchange>,
}

impl From<CallError> for String {
    fn from(e: CallError) -> String {
        e.message
    }
}

impl CallError {
    /// An answer that is not the one needed: `what` and what came back.
    pub fn unexpected(what: &str, a: &Answer) -> CallError {
        CallError {
            kind: match a.status {
                502..=504 => CallErrorKind::Unavailable,
                500.. => CallErrorKind::ServerError,
                _ => CallErrorKind::Unexpected,
            },
            message: format!("{what}: {}", a.describe()),
            exchange: Some(a.exchange.clone()),
        }
    }
}

/// Sends `method path` (relative to the compute endpoint) as `caller` with `OpenStack-API-
/// Version: compute <version>`.
pub async fn call(
    caller: &Caller,
    method: Method,
    path: &str,
    version: &str,
    body: Option<&Value>,
) -> Result<Answer, CallError> {
    call_url(
        caller,
        method,
        &format!("{}{path}", caller.compute_url),
        Some(version),
        body,
    )
    .await
}

/// Like [`call`], sent exactly once whatever happens (the `migrate` client's migrate POST: if
/// its answer is lost, the server's state is shown instead).
pub(crate) async fn call_once(
    caller: &Caller,
    method: Method,
    path: &str,
    version: &str,
    body: Option<&Value>,
) -> Result<Answer, CallError> {
    let url = format!("{}{path}", caller.compute_url);
    call_repeat(caller, Repeat::Never, method, &url, Some(version), body).await
}

/// Like [`call`] with a full URL (other services, e.g. the image catalog).
pub(crate) async fn call_url(
    caller: &Caller,
    method: Method,
    url: &str,
    version: Option<&str>,
    body: Option<&Value>,
) -> Result<Answer, CallError> {
    call_repeat(
        caller,
        Repeat::for_method(&method),
        method,
        url,
        version,
        body,
    )
    .await
}

async fn call_repeat(
    caller: &Caller,
    repeat: Repeat,
    method: Method,
    url: &str,
    version: Option<&str>,
    body: Option<&Value>,
) -> Result<Answer, CallError> {
    let vh = version.map(VersionHeader::modern);
    let bytes = body.map(|b| serde_json::to_vec(b).expect("JSON serializes"));
    match http::send_as(caller, repeat, method.clone(), url, vh.as_ref(), bytes).await {
        Ok(exchange) => {
            let r = exchange
                .response
                .as_ref()
                .expect("send_as returns a response on success");
            let text = r.body.clone();
            Ok(Answer {
                status: r.status,
                body: serde_json::from_str(&text).unwrap_or(Value::Null),
                text,
                exchange,
            })
        }
        Err((e, _)) => Err(CallError {
            kind: CallErrorKind::NoAnswer,
            message: match e {
                // The wire error names the method and URL itself.
                TransportError::Wire(w) => w.to_string(),
                other => format!("{method} {url}: {other}"),
            },
            exchange: None,
        }),
    }
}

/// `GET` expecting 200 and a JSON body.
pub(crate) async fn get_json(
    caller: &Caller,
    path: &str,
    version: &str,
) -> Result<Value, CallError> {
    let a = call(caller, Method::GET, path, version, None).await?;
    if a.status != 200 || a.body.is_null() {
        return Err(CallError::unexpected(&format!("GET {path}"), &a));
    }
    Ok(a.body)
}
