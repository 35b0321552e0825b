//! keystonemiddleware `auth_token` in front of the compute API: a request without
//! a valid, unexpired `X-Auth-Token` gets its exact 401 (JSON `error` body and
//! `WWW-Authenticate: Keystone uri="<identity>"`), with no version headers.

use crate::state::handle::{Shared, Token};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Response, StatusCode};
use axum::middleware::Next;
use std::sync::Arc;

/// Who is calling (nova's RequestContext, reduced to what policy needs).
#[derive(Debug, Clone)]
pub(crate) struct AuthContext {
    pub user_id: String,
    pub project_id: String,
    pub roles: Vec<String>,
}

impl AuthContext {
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
    /// `context.is_admin` (policy `context_is_admin`: role admin).
    pub fn is_admin(&self) -> bool {
        self.has_role("admin")
    }
}

/// `http://host:port` of a request (Nova builds its links from the request too).
pub(crate) fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// keystonemiddleware's rejection.
pub(crate) fn unauthorized(headers: &HeaderMap) -> Response<Body> {
    let body = r#"{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}"#;
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = StatusCode::UNAUTHORIZED;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) =
        HeaderValue::from_str(&format!("Keystone uri=\"{}/identity\"", base_url(headers)))
    {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}

/// Look a token up; None when unknown, expired or unscoped (compute needs a project).
pub(crate) fn check_token(shared: &Shared, headers: &HeaderMap) -> Option<Arc<AuthContext>> {
    let token = headers.get("x-auth-token")?.to_str().ok()?.trim();
    let tokens = shared.tokens.read();
    let t: &Token = tokens.get(token)?;
    if t.expires_at <= shared.clock.now() {
        return None;
    }
    t.auth.clone()
}

pub(crate) async fn layer(
    State(shared): State<Arc<Shared>>,
    mut req: Request,
    next: Next,
) -> Response<Body> {
    match check_token(&shared, req.headers()) {
        Some(ctx) => {
            req.extensions_mut().insert(ctx);
            next.run(req).await
        }
        None => unauthorized(req.headers()),
    }
}
