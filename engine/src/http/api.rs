//! The suite's own helper requests to a real cloud (discovery, provisioning, cleanup, the
//! `migrate` client): JSON in and out, retried with backoff when that is safe.
//!
//! Only idempotent requests (GET, DELETE) are retried, on connection errors and on 5xx
//! answers (a 500 on a GET of a server is a glitch of the API worker, not a finding: the
//! finding is only ever the migrate request itself, which the runner sends once). A POST is
//! sent exactly once: a migrate or create that timed out may have been accepted, and the caller
//! must look at the server instead of sending it again.
use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

use crate::target::Caller;

/// An answer to a helper request.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    /// The raw body when it is not JSON (for messages).
    pub text: String,
}

impl Answer {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Nova's fault message (`{"badRequest": {"message": ...}}`), or the body's start.
    pub fn fault_message(&self) -> String {
        if let Some(obj) = self.body.as_object() {
            for (_, v) in obj {
                if let Some(m) = v.get("message").and_then(Value::as_str) {
                    return m.to_string();
                }
            }
        }
        self.text.chars().take(300).collect()
    }
}

/// Retry settings for idempotent helper requests.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub attempts: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for Retry {
    /// 4 attempts: waits of 0.5 s, 1 s, 2 s.
    fn default() -> Self {
        Self {
            attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
        }
    }
}

/// Per-request ceiling: a hung endpoint is an error, never a hang.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Sends `method path` (relative to the compute endpoint) as `caller` with `OpenStack-API-
/// Version: compute <version>`; GET and DELETE are retried per [`Retry::default`].
pub async fn call(
    caller: &Caller,
    method: Method,
    path: &str,
    version: &str,
    body: Option<&Value>,
) -> Result<Answer, String> {
    call_url(
        caller,
        method,
        &format!("{}{path}", caller.compute_url),
        Some(version),
        body,
        Retry::default(),
    )
    .await
}

/// Like [`call`] with a full URL (other services, e.g. the image catalog).
pub async fn call_url(
    caller: &Caller,
    method: Method,
    url: &str,
    version: Option<&str>,
    body: Option<&Value>,
    retry: Retry,
) -> Result<Answer, String> {
    let idempotent = matches!(method, Method::GET | Method::DELETE | Method::HEAD);
    let attempts = if idempotent { retry.attempts.max(1) } else { 1 };
    let mut wait = retry.initial_backoff;
    let mut last_err = String::new();
    for attempt in 1..=attempts {
        let token = caller
            .auth
            .token()
            .await
            .map_err(|e| format!("authentication: {e}"))?;
        let mut rb = caller
            .http
            .request(method.clone(), url)
            .timeout(REQUEST_TIMEOUT)
            .header("X-Auth-Token", token)
            .header("Accept", "application/json");
        if let Some(v) = version {
            rb = rb.header("OpenStack-API-Version", format!("compute {v}"));
        }
        if let Some(b) = body {
            rb = rb.json(b);
        }
        match rb.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                match resp.bytes().await {
                    Ok(bytes) => {
                        let text = String::from_utf8_lossy(&bytes).into_owned();
                        if status >= 500 && attempt < attempts {
                            tracing::debug!(%method, url, status, attempt, "retrying");
                            last_err = format!("HTTP {status}");
                        } else {
                            let body = serde_json::from_str(&text).unwrap_or(Value::Null);
                            return Ok(Answer { status, body, text });
                        }
                    }
                    Err(e) => last_err = format!("{method} {url}: broken answer: {e}"),
                }
            }
            Err(e) => {
                last_err = format!("{method} {url}: {}", describe(&e));
            }
        }
        if attempt < attempts {
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(retry.max_backoff);
        }
    }
    Err(last_err)
}

fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "transport error"
    };
    let mut msg = kind.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(&format!(": {s}"));
        src = s.source();
    }
    msg
}

/// `GET` expecting 200 and JSON.
pub async fn get_json(caller: &Caller, path: &str, version: &str) -> Result<Value, String> {
    let a = call(caller, Method::GET, path, version, None).await?;
    if a.status != 200 {
        return Err(format!(
            "GET {path}: HTTP {}: {}",
            a.status,
            a.fault_message()
        ));
    }
    Ok(a.body)
}
