//! Plain webob error pages: what Nova returns when an error is produced outside
//! its fault wrapper (no route matched -> 404; oslo sizelimit -> 413). The body
//! depends on the Accept header the way webob's `generate_response` negotiates
//! it: offers text/html then application/json; no/empty Accept -> text/plain.

use super::reply::HttpResponse;
use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, Response, StatusCode};

/// Quality a media range list gives to `offer` (None = not acceptable).
fn quality(accept: &str, offer: &str) -> Option<f32> {
    let (otype, osub) = offer.split_once('/')?;
    let mut best: Option<(u8, f32)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let mut q = 1.0f32;
        for p in parts {
            if let Some(v) = p.trim().strip_prefix("q=") {
                q = v.trim().parse().unwrap_or(1.0);
            }
        }
        let Some((t, s)) = media.split_once('/') else {
            continue;
        };
        let specificity = if t == otype && s == osub {
            3
        } else if t == otype && s == "*" {
            2
        } else if t == "*" && s == "*" {
            1
        } else {
            continue;
        };
        if best.is_none_or(|(sp, _)| specificity > sp) {
            best = Some((specificity, q));
        }
    }
    best.map(|(_, q)| q).filter(|q| *q > 0.0)
}

enum Kind {
    Html,
    Json,
    Plain,
}

fn negotiate(headers: &HeaderMap) -> Kind {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.trim().is_empty() {
        return Kind::Plain;
    }
    let html = quality(accept, "text/html");
    let json = quality(accept, "application/json");
    match (html, json) {
        (Some(h), Some(j)) if j > h => Kind::Json,
        (Some(_), _) => Kind::Html,
        (None, Some(_)) => Kind::Json,
        (None, None) => Kind::Plain,
    }
}

fn escape_json(s: &str) -> String {
    String::from_utf8(crate::pyfmt::to_json_bytes(s)).unwrap_or_default()
}

/// A webob `HTTPException` response (`status_line` like "404 Not Found").
pub(crate) fn error(status: StatusCode, explanation: &str, headers: &HeaderMap) -> HttpResponse {
    let title = status.canonical_reason().unwrap_or("Error");
    let status_line = format!("{} {}", status.as_u16(), title);
    let (ctype, body) = match negotiate(headers) {
        Kind::Plain => ("text/plain; charset=UTF-8", format!("{status_line}\n\n{explanation}\n\n   ")),
        Kind::Json => (
            "application/json",
            format!(
                "{{\"message\": {}, \"code\": {}, \"title\": {}}}",
                escape_json(&format!("{explanation}<br /><br />\n\n\n")),
                escape_json(&status_line),
                escape_json(title)
            ),
        ),
        Kind::Html => (
            "text/html; charset=UTF-8",
            format!(
                "<html>\n <head>\n  <title>{status_line}</title>\n </head>\n <body>\n  <h1>{status_line}</h1>\n  {explanation}<br /><br />\n\n\n\n </body>\n</html>"
            ),
        ),
    };
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    resp
}

/// A webob `HTTPException` answering a HEAD request: `WSGIHTTPException.__call__` then
/// skips `generate_response` and sends the exception's own empty Response, so the
/// headers are webob's defaults (`text/html; charset=UTF-8`, `Content-Length: 0`),
/// whatever the Accept header says.
pub(crate) fn head_error(status: StatusCode) -> HttpResponse {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=UTF-8"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
    resp
}

/// [`not_found`] for a request of any method (HEAD gets webob's bodiless form).
pub(crate) fn not_found_for(method: &Method, headers: &HeaderMap) -> HttpResponse {
    if method == Method::HEAD {
        head_error(StatusCode::NOT_FOUND)
    } else {
        not_found(headers)
    }
}

/// Nova's router miss (unknown path, or a known path with a method it does not route).
pub(crate) fn not_found(headers: &HeaderMap) -> HttpResponse {
    error(
        StatusCode::NOT_FOUND,
        "The resource could not be found.",
        headers,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hm(accept: Option<&'static str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(a) = accept {
            h.insert(header::ACCEPT, HeaderValue::from_static(a));
        }
        h
    }

    #[tokio::test]
    async fn bodies_match_webob() {
        use http_body_util::BodyExt;
        let r = not_found(&hm(None));
        let b = r.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(
            &b[..],
            b"404 Not Found\n\nThe resource could not be found.\n\n   "
        );
        let r = not_found(&hm(Some("application/json")));
        let b = r.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(
            std::str::from_utf8(&b).unwrap(),
            r#"{"message": "The resource could not be found.<br /><br />\n\n\n", "code": "404 Not Found", "title": "Not Found"}"#
        );
        let r = not_found(&hm(Some("*/*")));
        assert_eq!(
            r.headers()[header::CONTENT_TYPE],
            "text/html; charset=UTF-8"
        );
    }
}
