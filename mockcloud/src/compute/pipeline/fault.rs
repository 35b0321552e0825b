//! Nova's `wsgi.Fault`: `{"<name>": {"code": N, "message": "..."}}` with
//! `Content-Type: application/json; charset=UTF-8` and, once a version was
//! negotiated, the version headers.

use super::microversion::Version;
use crate::http::reply::HttpResponse;
use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Response, StatusCode};
use axum::response::IntoResponse;

/// An API error in Nova's fault format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fault {
    pub status: StatusCode,
    pub message: String,
    /// The negotiated version (None: no version headers, as for the 400 on a bad version).
    pub version: Option<Version>,
}

/// Nova's `Fault._fault_names`.
pub(crate) fn fault_name(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "badRequest",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "itemNotFound",
        405 => "badMethod",
        409 => "conflictingRequest",
        413 | 429 => "overLimit",
        415 => "badMediaType",
        501 => "notImplemented",
        503 => "serviceUnavailable",
        _ => "computeFault",
    }
}

impl Fault {
    pub fn new(status: StatusCode, message: impl Into<String>, version: Option<Version>) -> Self {
        Self {
            status,
            message: message.into(),
            version,
        }
    }
}

/// Add Nova's version headers (`OpenStack-API-Version`, legacy, two `Vary`).
pub(crate) fn add_version_headers(headers: &mut HeaderMap, v: Version) {
    if let Ok(val) = HeaderValue::from_str(&format!("compute {v}")) {
        headers.insert("openstack-api-version", val);
    }
    if let Ok(val) = HeaderValue::from_str(&v.to_string()) {
        headers.insert("x-openstack-nova-api-version", val);
    }
    headers.append(
        header::VARY,
        HeaderValue::from_static("OpenStack-API-Version"),
    );
    headers.append(
        header::VARY,
        HeaderValue::from_static("X-OpenStack-Nova-API-Version"),
    );
}

impl IntoResponse for Fault {
    fn into_response(self) -> HttpResponse {
        // Hand-built to keep Python's `json.dumps` spacing without a Value round trip.
        let body = format!(
            "{{\"{}\": {{\"code\": {}, \"message\": {}}}}}",
            fault_name(self.status),
            self.status.as_u16(),
            String::from_utf8(crate::pyfmt::to_json_bytes(&self.message)).unwrap_or_default()
        );
        let mut resp = Response::new(Body::from(body));
        *resp.status_mut() = self.status;
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=UTF-8"),
        );
        if let Some(v) = self.version {
            add_version_headers(resp.headers_mut(), v);
        }
        resp
    }
}
