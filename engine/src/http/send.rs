//! Sending requests as a caller and recording the exchange.
use std::time::Duration;

use reqwest::Method;

use crate::exchange::{Exchange, RecordedRequest, RecordedResponse};
use crate::microversion::HeaderStyle;
use crate::target::Caller;

/// A transport failure (no HTTP answer): the verdict becomes Error.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct TransportError(pub String);

/// The version header a request carries.
#[derive(Debug, Clone)]
pub struct VersionHeader {
    pub style: HeaderStyle,
    /// Value without the `compute ` prefix (`2.56`, `latest`, `2.x`).
    pub value: String,
}

impl VersionHeader {
    pub fn modern(value: impl Into<String>) -> Self {
        Self {
            style: HeaderStyle::Modern,
            value: value.into(),
        }
    }
}

/// Per-request ceiling, so a hung endpoint is an Error and never a hang.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Sends `method path` (relative to the compute endpoint) as `caller`.
pub async fn send(
    caller: &Caller,
    method: Method,
    path: &str,
    version: Option<&VersionHeader>,
    body: Option<Vec<u8>>,
) -> Result<Exchange, (TransportError, RecordedRequest)> {
    let url = format!("{}{}", caller.compute_url, path);
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
    let path_for_record = reqwest::Url::parse(&url)
        .map(|u| match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        })
        .unwrap_or_else(|_| url.clone());
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
        Err(e) => return Err((TransportError(format!("authentication: {e}")), recorded)),
    };
    let mut rb = caller
        .http
        .request(method, &url)
        .timeout(REQUEST_TIMEOUT)
        .header("X-Auth-Token", token);
    for (k, v) in &headers {
        rb = rb.header(k, v);
    }
    if let Some(b) = body {
        rb = rb.body(b);
    }
    let resp = match rb.send().await {
        Ok(r) => r,
        Err(e) => return Err((TransportError(describe(&e)), recorded)),
    };
    let status = resp.status().as_u16();
    let rheaders: Vec<(String, String)> = resp
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = match resp.bytes().await {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) => return Err((TransportError(describe(&e)), recorded)),
    };
    Ok(Exchange {
        request: recorded,
        response: Some(RecordedResponse {
            status,
            headers: rheaders,
            body,
        }),
    })
}

fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "broken response body"
    } else {
        "transport error"
    };
    // reqwest's Display includes the URL, which has no credentials (tokens go in headers).
    let mut msg = format!("{kind}: {e}");
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg.push_str(&format!(": {s}"));
        src = s.source();
    }
    msg
}
