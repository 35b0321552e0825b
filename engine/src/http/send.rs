//! The one HTTP layer of the suite: every request it sends to a cloud (the migrate request
//! under test, discovery, provisioning, follow-through, cleanup, the `migrate` client) goes
//! through [`send_as`], which sends it with `osclient`'s bounded [`osclient::execute`] under
//! its one [`osclient::RetryPolicy`], and records the exchange (the token redacted).
//!
//! What may be repeated is said by each call ([`Repeat`]): the migrate request under test is
//! sent exactly once ([`send`]); idempotent helper requests are retried on connection errors,
//! timeouts and 502/503/504; a setup POST (create, stop, lock...) only when the connection
//! could not be made. A 500 is never retried: it comes back as the exchange, for the caller to
//! report. Each attempt is bounded by the caller's [`osclient::Limits`] (the cloud's
//! `api_timeout` for the whole request, body included; answers of at most 16 MiB).
use reqwest::Method;

pub(crate) use osclient::Repeat;

use crate::exchange::{Exchange, RecordedRequest, RecordedResponse};
use crate::microversion::HeaderStyle;
use crate::target::Caller;

/// No usable HTTP answer: the verdict becomes Error.
#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum TransportError {
    /// No token to send the request with.
    #[error("authentication: {0}")]
    Auth(String),
    /// Cannot connect, timed out, connection broken, answer over the size cap.
    #[error(transparent)]
    Wire(#[from] osclient::TransferError),
}

/// The version header a request carries.
#[derive(Debug, Clone)]
pub(crate) struct VersionHeader {
    pub style: HeaderStyle,
    /// Value without the `compute ` prefix (`2.56`, `latest`, `2.x`).
    pub value: String,
}

impl VersionHeader {
    pub(crate) fn modern(value: impl Into<String>) -> Self {
        Self {
            style: HeaderStyle::Modern,
            value: value.into(),
        }
    }
}

/// Sends the request under test, `method path` (relative to the compute endpoint) as `caller`:
/// exactly once, never retried.
pub(crate) async fn send(
    caller: &Caller,
    method: Method,
    path: &str,
    version: Option<&VersionHeader>,
    body: Option<Vec<u8>>,
) -> Result<Exchange, (TransportError, RecordedRequest)> {
    let url = format!("{}{}", caller.compute_url, path);
    send_as(caller, Repeat::Never, method, &url, version, body).await
}

/// Sends `method url` as `caller`, repeated as `repeat` allows, and records the exchange.
pub(crate) async fn send_as(
    caller: &Caller,
    repeat: Repeat,
    method: Method,
    url: &str,
    version: Option<&VersionHeader>,
    body: Option<Vec<u8>>,
) -> Result<Exchange, (TransportError, RecordedRequest)> {
    let mut headers: Vec<(String, String)> = vec![("Accept".into(), "application/json".into())];
    if body.is_some() {
        headers.push(("Content-Type".into(), "application/json".into()));
    }
    match version {
        Some(VersionHeader {
            style: HeaderStyle::Modern,
            value,
        }) => {
            headers.push(("OpenStack-API-Version".into(), format!("compute {value}")));
        }
        Some(VersionHeader {
            style: HeaderStyle::Legacy,
            value,
        }) => {
            headers.push(("X-OpenStack-Nova-API-Version".into(), value.clone()));
        }
        None => {}
    }
    let path_for_record = reqwest::Url::parse(url)
        .map(|u| match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        })
        .unwrap_or_else(|_| url.to_string());
    let mut recorded = RecordedRequest {
        method: method.to_string(),
        path: path_for_record,
        headers: headers.clone(),
        body: body
            .as_ref()
            .map(|b| String::from_utf8_lossy(b).into_owned()),
    };
    // The token is sent but recorded only as a placeholder.
    recorded
        .headers
        .push(("X-Auth-Token".into(), "<redacted>".into()));
    let token = match caller.auth.token().await {
        Ok(t) => t,
        Err(e) => return Err((TransportError::Auth(e.to_string()), recorded)),
    };
    let mut rb = caller
        .http
        .request(method.clone(), url)
        .header("X-Auth-Token", token);
    for (k, v) in &headers {
        rb = rb.header(k, v);
    }
    if let Some(b) = body {
        rb = rb.body(b);
    }
    let request = match rb.build() {
        Ok(r) => r,
        Err(e) => {
            let err = osclient::TransferError::Request {
                request: format!("{method} {url}"),
                cause: e.to_string(),
            };
            return Err((err.into(), recorded));
        }
    };
    let policy = osclient::RetryPolicy::default();
    let answer = match osclient::execute(
        &caller.http,
        request,
        repeat,
        &policy,
        &caller.limits,
        caller.notice.as_ref(),
    )
    .await
    {
        Ok(a) => a,
        Err(e) => return Err((e.into(), recorded)),
    };
    if !answer.retried.is_empty() {
        tracing::debug!(%method, url, retried = ?answer.retried, "answered after retries");
    }
    let rheaders: Vec<(String, String)> = answer
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    Ok(Exchange {
        request: recorded,
        response: Some(RecordedResponse {
            status: answer.status.as_u16(),
            headers: rheaders,
            body: String::from_utf8_lossy(&answer.body).into_owned(),
        }),
    })
}

/// What came back in `exchange`, for error messages: `HTTP 200 OK, text/html, 96 bytes:
/// "<!DOCTYPE html>..."`.
pub(crate) fn describe(exchange: &Exchange) -> String {
    match &exchange.response {
        None => "no answer".into(),
        Some(r) => {
            let ct = r.header("content-type").unwrap_or("no content type");
            let status = reqwest::StatusCode::from_u16(r.status)
                .map(osclient::status_text)
                .unwrap_or_else(|_| r.status.to_string());
            let mut s = format!("HTTP {status}, {ct}, {} bytes", r.body.len());
            if !r.body.is_empty() {
                s.push_str(": ");
                s.push_str(&osclient::quote(r.body.as_bytes()));
            }
            s
        }
    }
}
