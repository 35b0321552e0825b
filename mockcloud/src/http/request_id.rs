//! Nova's `compute_req_id` middleware: every compute response (except `GET /`)
//! carries `x-openstack-request-id` and `x-compute-request-id`, both `req-<uuid4>`.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

/// The request id of the current request (also recorded in instance actions).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub fn new_request_id() -> String {
    format!("req-{}", uuid::Uuid::new_v4())
}

pub async fn layer(mut req: Request, next: Next) -> Response {
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
