//! `Ctx`: what every routed compute handler starts from, extracted in Nova's
//! order: microversion (400/406), then Content-Type (415), then the caller's
//! identity (set by the auth layer). A handler that is never routed (unknown
//! path or method) never extracts it, which keeps Nova's "404 without version
//! headers" for router misses.

use super::auth::{base_url, AuthContext};
use super::fault::{add_version_headers, Fault};
use super::microversion::{self, Version, VersionError};
use crate::http::reply::{self, HttpResponse};
use crate::http::request_id::{new_request_id, RequestId};
use crate::state::handle::Shared;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::sync::Arc;

pub(crate) struct Ctx {
    pub shared: Arc<Shared>,
    pub version: Version,
    pub request_id: String,
    pub auth: Arc<AuthContext>,
    /// `http://host:port`, for links.
    pub base: String,
}

/// Nova's `_SUPPORTED_CONTENT_TYPES`; absent, empty and text/plain mean "none".
pub(crate) fn check_content_type(parts: &Parts) -> bool {
    let Some(ct) = parts.headers.get(header::CONTENT_TYPE) else {
        return true;
    };
    let ct = ct.to_str().unwrap_or("\u{0}");
    let mime = ct.split(';').next().unwrap_or("").trim();
    matches!(
        mime,
        "" | "text/plain" | "application/json" | "application/vnd.openstack.compute+json"
    )
}

/// Negotiate the version and check the content type of a compute request.
pub(crate) fn negotiate(shared: &Shared, parts: &Parts) -> Result<Version, Fault> {
    let v = microversion::negotiate(
        &parts.headers,
        shared.config.min_version,
        shared.config.max_version,
    )
    .map_err(|e| match e {
        VersionError::InvalidFormat(m) => Fault::new(StatusCode::BAD_REQUEST, m, None),
        VersionError::OutOfRange { requested, message } => {
            Fault::new(StatusCode::NOT_ACCEPTABLE, message, Some(requested))
        }
    })?;
    if !check_content_type(parts) {
        return Err(Fault::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported Content-Type",
            Some(v),
        ));
    }
    Ok(v)
}

impl FromRequestParts<Arc<Shared>> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        shared: &Arc<Shared>,
    ) -> Result<Self, Self::Rejection> {
        let version = negotiate(shared, parts).map_err(IntoResponse::into_response)?;
        let auth = parts
            .extensions
            .get::<Arc<AuthContext>>()
            .cloned()
            .ok_or_else(|| super::auth::unauthorized(&parts.headers))?;
        let request_id = parts
            .extensions
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_else(new_request_id);
        Ok(Ctx {
            shared: Arc::clone(shared),
            version,
            request_id,
            auth,
            base: base_url(&parts.headers),
        })
    }
}

impl Ctx {
    /// A fault carrying this request's version.
    pub fn fault(&self, status: StatusCode, message: impl Into<String>) -> Fault {
        Fault::new(status, message, Some(self.version))
    }

    pub fn bad_request(&self, message: impl Into<String>) -> Fault {
        self.fault(StatusCode::BAD_REQUEST, message)
    }

    pub fn conflict(&self, message: impl Into<String>) -> Fault {
        self.fault(StatusCode::CONFLICT, message)
    }

    pub fn not_found(&self, message: impl Into<String>) -> Fault {
        self.fault(StatusCode::NOT_FOUND, message)
    }

    /// A JSON success with the version headers.
    pub fn json<T: Serialize + ?Sized>(&self, status: StatusCode, body: &T) -> HttpResponse {
        let mut r = reply::json(status, body);
        add_version_headers(r.headers_mut(), self.version);
        r
    }

    /// An empty success (202/204) with the version headers.
    pub fn empty(&self, status: StatusCode) -> HttpResponse {
        let mut r = reply::empty(status);
        add_version_headers(r.headers_mut(), self.version);
        r
    }

    pub fn at_least(&self, minor: u16) -> bool {
        self.version.at_least(minor)
    }

    pub fn is_admin(&self) -> bool {
        self.auth.is_admin()
    }

    /// The jsonschema wording of the configured Nova series (its `empty_host` fact).
    pub fn dialect(&self) -> super::schema::validator::Dialect {
        self.shared.config.release.behaviour.empty_host
    }

    /// The `show_query`/`index_query` of a resource without query parameters: anything goes
    /// before 2.102, nothing from 2.102 (`..._query_v2102`, additionalProperties False).
    pub fn no_query_from_2_102(&self, raw: Option<&str>) -> Result<(), Fault> {
        let schema = serde_json::json!({
            "type": "object",
            "properties": {},
            "additionalProperties": !self.at_least(102)
        });
        self.validate_query(&schema, &super::query::Query::parse(raw).multi())
    }

    /// Run a query schema on `multi` (`{name: [values...]}`); 400 with Nova's detail.
    pub fn validate_query(
        &self,
        schema: &serde_json::Value,
        multi: &serde_json::Value,
    ) -> Result<(), Fault> {
        super::schema::validator::validate_query(schema, multi, self.dialect())
            .map_err(|e| self.bad_request(e.detail))
    }

    /// `<base>/v2.1`
    pub fn compute_prefix(&self) -> String {
        format!("{}/v2.1", self.base)
    }
}

/// Handler result: a response or a fault.
pub(crate) type ApiResult = Result<HttpResponse, Fault>;
