//! Building responses: JSON bodies serialised like Python's `json.dumps`.

use crate::pyfmt;
use axum::body::Body;
use axum::http::{header, HeaderValue, Response, StatusCode};
use serde::Serialize;

pub(crate) type HttpResponse = Response<Body>;

/// A JSON response with `Content-Type: application/json`.
pub(crate) fn json<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> HttpResponse {
    let bytes = pyfmt::to_json_bytes(body);
    let mut resp = Response::new(Body::from(bytes));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// An empty response (202/204 actions): Nova's `ResponseObject(None)` still sets
/// `Content-Type: application/json` with a zero-length body.
pub(crate) fn empty(status: StatusCode) -> HttpResponse {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}
