//! Extension points for the control API (added later): a request journal and a
//! fault-injection rule set. Both are consulted by [`layer`], which wraps the
//! whole router, so a rule can answer (or delay) any request before routing and
//! the journal sees every request and its final status.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use parking_lot::RwLock;
use std::sync::Arc;
use std::time::Duration;

/// What a journal or a fault rule gets to see of a request.
#[derive(Debug, Clone)]
pub(crate) struct RequestInfo {
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    /// Headers with `X-Auth-Token`/`X-Subject-Token` already redacted.
    pub headers: HeaderMap,
    /// The server action (body's top-level key) of a POST, when a hook asked for it.
    pub action: Option<String>,
}

/// What a fault rule decides.
#[derive(Debug)]
pub(crate) enum Injected {
    /// Answer with this response instead of the mock's.
    Respond(Response),
    /// Wait, then handle normally.
    Delay(Duration),
    /// Close the connection without answering.
    Drop,
}

/// Consulted before routing.
pub(crate) trait FaultInjector: Send + Sync {
    fn intercept(&self, req: &RequestInfo) -> Option<Injected>;
    /// Whether `RequestInfo::action` is needed (the body is then buffered here).
    fn wants_body(&self) -> bool {
        false
    }
}

/// Told about every request once answered.
pub(crate) trait RequestJournal: Send + Sync {
    fn record(&self, req: &RequestInfo, status: StatusCode, elapsed: Duration);
}

/// The installed hooks (none by default: the hot path then costs two read locks).
#[derive(Default)]
pub(crate) struct Hooks {
    pub faults: RwLock<Option<Arc<dyn FaultInjector>>>,
    pub journal: RwLock<Option<Arc<dyn RequestJournal>>>,
}

impl Hooks {
    pub fn set_fault_injector(&self, f: Option<Arc<dyn FaultInjector>>) {
        *self.faults.write() = f;
    }
    pub fn set_journal(&self, j: Option<Arc<dyn RequestJournal>>) {
        *self.journal.write() = j;
    }
}

fn info(req: &Request) -> RequestInfo {
    let mut headers = req.headers().clone();
    for h in ["x-auth-token", "x-subject-token"] {
        if headers.contains_key(h) {
            headers.insert(h, axum::http::HeaderValue::from_static("***"));
        }
    }
    RequestInfo {
        method: req.method().clone(),
        path: req.uri().path().to_string(),
        query: req.uri().query().map(str::to_string),
        headers,
        action: None,
    }
}

/// The middleware slot both hooks plug into.
pub(crate) async fn layer(
    State(shared): State<Arc<crate::state::handle::Shared>>,
    req: Request,
    next: Next,
) -> Response {
    let faults = shared.hooks.faults.read().clone();
    let journal = shared.hooks.journal.read().clone();
    if faults.is_none() && journal.is_none() {
        return next.run(req).await;
    }
    let started = std::time::Instant::now();
    let mut ri = info(&req);
    let mut req = req;
    if faults.as_ref().is_some_and(|f| f.wants_body()) && req.method() == Method::POST {
        use http_body_util::BodyExt;
        let (parts, body) = req.into_parts();
        let limit = shared.config.max_body_bytes;
        let bytes = match http_body_util::Limited::new(body, limit).collect().await {
            Ok(c) => c.to_bytes(),
            Err(_) => {
                return crate::http::webob::error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    &format!("Request is too large. Larger than {limit}."),
                    &parts.headers,
                )
            }
        };
        ri.action = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| v.as_object().and_then(|m| m.keys().next().cloned()));
        req = Request::from_parts(parts, Body::from(bytes));
    }
    if let Some(f) = faults {
        match f.intercept(&ri) {
            Some(Injected::Respond(r)) => {
                if let Some(j) = &journal {
                    j.record(&ri, r.status(), started.elapsed());
                }
                return r;
            }
            Some(Injected::Delay(d)) => tokio::time::sleep(d).await,
            Some(Injected::Drop) => {
                // A body that errors makes hyper abort the connection.
                let body = Body::from_stream(futures::stream::once(async {
                    Err::<bytes::Bytes, std::io::Error>(std::io::Error::other(
                        "connection dropped by fault rule",
                    ))
                }));
                return Response::new(body);
            }
            None => {}
        }
    }
    let resp = next.run(req).await;
    if let Some(j) = journal {
        j.record(&ri, resp.status(), started.elapsed());
    }
    resp
}
