//! Redaction of what varies between runs (and of anything secret) in exchanges and messages.
use std::sync::LazyLock;

use regex::Regex;

use crate::exchange::Exchange;

static UUID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
        .unwrap()
});
static REQ_ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"req-<uuid>").unwrap());
static TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?").unwrap()
});
static HTTP_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT").unwrap()
});
static PORT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(127\.0\.0\.1|localhost|\[::1\]):\d+").unwrap());

/// Headers whose values are credentials.
const SECRET_HEADERS: &[&str] = &[
    "x-auth-token",
    "x-subject-token",
    "authorization",
    "cookie",
    "set-cookie",
];
/// Headers whose values vary per run and mean nothing to a reviewer.
const VOLATILE_HEADERS: &[&str] = &["date", "content-length"];

/// Redacts ids, timestamps and ports in free text.
pub(crate) fn text(s: &str) -> String {
    let s = UUID.replace_all(s, "<uuid>");
    let s = REQ_ID.replace_all(&s, "req-<uuid>");
    let s = TIMESTAMP.replace_all(&s, "<timestamp>");
    let s = HTTP_DATE.replace_all(&s, "<date>");
    PORT.replace_all(&s, "$1:<port>").into_owned()
}

/// Redacts a whole exchange.
pub(crate) fn exchange(x: &Exchange) -> Exchange {
    let headers = |h: &[(String, String)]| -> Vec<(String, String)> {
        h.iter()
            .map(|(k, v)| {
                let lk = k.to_ascii_lowercase();
                let v = if SECRET_HEADERS.contains(&lk.as_str()) {
                    "<redacted>".to_string()
                } else if VOLATILE_HEADERS.contains(&lk.as_str()) {
                    format!("<{lk}>")
                } else {
                    text(v)
                };
                (lk, v)
            })
            .collect()
    };
    let mut out = x.clone();
    out.request.path = text(&x.request.path);
    out.request.headers = headers(&x.request.headers);
    out.request.body = x.request.body.as_deref().map(text);
    if let Some(r) = &mut out.response {
        r.headers = headers(&r.headers);
        r.body = text(&r.body);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::{RecordedRequest, RecordedResponse};

    #[test]
    fn redacts_everything_that_varies() {
        let x = Exchange {
            request: RecordedRequest {
                method: "POST".into(),
                path: "/v2.1/servers/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/action".into(),
                headers: vec![("X-Auth-Token".into(), "gAAAAsecret".into())],
                body: Some("{}".into()),
            },
            response: Some(RecordedResponse {
                status: 202,
                headers: vec![
                    (
                        "x-openstack-request-id".into(),
                        "req-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0".into(),
                    ),
                    ("date".into(), "Wed, 25 Nov 2026 20:00:00 GMT".into()),
                    ("location".into(), "http://127.0.0.1:41234/v2.1/x".into()),
                ],
                body: r#"{"t": "2026-11-25T20:00:00.000000"}"#.into(),
            }),
        };
        let r = exchange(&x).to_text();
        assert!(!r.contains("secret"), "{r}");
        assert!(r.contains("/v2.1/servers/<uuid>/action"));
        assert!(r.contains("req-<uuid>"));
        assert!(r.contains("127.0.0.1:<port>"));
        assert!(r.contains("<timestamp>"));
        assert!(r.contains("date: <date>"));
    }
}
