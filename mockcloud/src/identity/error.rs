//! Keystone's error body: `{"error": {"code": N, "message": "...", "title": "..."}}`.

use crate::compute::pipeline::auth::base_url;
use crate::http::reply::{self, HttpResponse};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use serde_json::json;

pub(crate) fn error(status: StatusCode, message: &str, headers: &HeaderMap) -> HttpResponse {
    let title = status.canonical_reason().unwrap_or("Error");
    let mut r = reply::json(
        status,
        &json!({"error": {"code": status.as_u16(), "message": message, "title": title}}),
    );
    if status == StatusCode::UNAUTHORIZED {
        if let Ok(v) =
            HeaderValue::from_str(&format!("Keystone uri=\"{}/identity\"", base_url(headers)))
        {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
    }
    r
}

pub(crate) fn unauthorized(headers: &HeaderMap) -> HttpResponse {
    error(
        StatusCode::UNAUTHORIZED,
        "The request you have made requires authentication.",
        headers,
    )
}

pub(crate) fn bad_request(message: &str, headers: &HeaderMap) -> HttpResponse {
    error(
        StatusCode::BAD_REQUEST,
        &format!("{message} The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error."),
        headers,
    )
}
