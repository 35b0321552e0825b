//! oslo.middleware's `RequestBodySizeLimiter` (max_request_body_size, default
//! 114688 bytes), with its exact 413 texts: a declared Content-Length over the
//! limit gets "...max_request_body_size (%s)." (oslo never formats that `%s`),
//! an undeclared (chunked) body that grows over it gets "...Larger than N.".
//! The body is buffered here so later layers read it from memory.

use super::webob;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::BodyExt;

pub(crate) async fn layer(State(limit): State<usize>, req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return webob::error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Request is too large. Larger than max_request_body_size (%s).",
            req.headers(),
        );
    }
    let (parts, body) = req.into_parts();
    let collected = http_body_util::Limited::new(body, limit).collect().await;
    match collected {
        Ok(c) => next.run(Request::from_parts(parts, Body::from(c.to_bytes()))).await,
        Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => webob::error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("Request is too large. Larger than {limit}."),
            &parts.headers,
        ),
        // A broken upload (client went away): nothing sensible to answer; webob's 400.
        Err(_) => webob::error(StatusCode::BAD_REQUEST, "The server could not comply with the request since\r\nit is either malformed or otherwise incorrect.\r\n", &parts.headers),
    }
}
