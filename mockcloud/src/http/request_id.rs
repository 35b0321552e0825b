//! Nova's `compute_req_id` middleware: every compute response (except `GET /`)
//! carries `x-openstack-request-id` and `x-compute-request-id`, both `req-<uuid4>`.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

/// The request id of the current request (also recorded in instance actions).
#[derive(Debug, Clone)]
pub(crate) struct RequestId(pub String);

/// `req-<uuid4>`; the uuid comes from the thread-local CSPRNG rather than a
/// getrandom syscall per request (this runs on every compute request).
pub(crate) fn new_request_id() -> String {
    let u = uuid::Builder::from_random_bytes(rand::random::<[u8; 16]>()).into_uuid();
    let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
    let mut out = String::with_capacity(4 + uuid::fmt::Hyphenated::LENGTH);
    out.push_str("req-");
    out.push_str(u.hyphenated().encode_lower(&mut buf));
    out
}

pub(crate) async fn layer(mut req: Request, next: Next) -> Response {
    let id = new_request_id();
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut resp = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut()
            .insert("x-openstack-request-id", v.clone());
        resp.headers_mut().insert("x-compute-request-id", v);
    }
    resp
}

/// Keystone's and Glance's request-id middleware: `x-openstack-request-id` only.
pub(crate) async fn openstack_layer(req: Request, next: Next) -> Response {
    let id = new_request_id();
    let mut resp = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-openstack-request-id", v);
    }
    resp
}
