//! Nova's version documents (`versions.py`, `versionsV21.py`, `views/versions.py`).

use crate::compute::pipeline::auth::base_url;
use crate::compute::pipeline::context::negotiate;
use crate::compute::pipeline::fault::add_version_headers;
use crate::http::reply;
use crate::state::handle::Shared;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::sync::Arc;

fn media(v: &str) -> Value {
    json!([{"base": "application/json", "type": format!("application/vnd.openstack.compute+json;version={v}")}])
}

fn v21(shared: &Shared) -> Value {
    json!({
        "id": "v2.1",
        "status": "CURRENT",
        "version": shared.config.max_version.to_string(),
        "min_version": shared.config.min_version.to_string(),
        "updated": "2013-07-23T11:33:21Z",
        "links": [{"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"}],
        "media-types": media("2.1")
    })
}

/// `/`, any method: no version negotiation, no request id.
pub(crate) async fn root(State(shared): State<Arc<Shared>>, parts: Parts) -> Response {
    let base = base_url(&parts.headers);
    let body = json!({"versions": [
        {"id": "v2.0", "status": "DEPRECATED", "version": "", "min_version": "", "updated": "2025-07-04T12:00:00Z",
         "links": [{"rel": "self", "href": format!("{base}/v2/")}]},
        {"id": "v2.1", "status": "CURRENT", "version": shared.config.max_version.to_string(),
         "min_version": shared.config.min_version.to_string(), "updated": "2013-07-23T11:33:21Z",
         "links": [{"rel": "self", "href": format!("{base}/v2.1/")}]}
    ]});
    reply::json(StatusCode::OK, &body)
}

fn version_doc(shared: &Shared, base: &str) -> Value {
    let mut v = v21(shared);
    if let Some(links) = v["links"].as_array_mut() {
        links.insert(0, json!({"rel": "self", "href": format!("{base}/v2.1/")}));
    }
    json!({ "version": v })
}

/// `/v2.1` and `/v2.1/`, any method: unauthenticated, versioned (400/406 apply), with
/// request ids.
pub(crate) async fn v21_doc(State(shared): State<Arc<Shared>>, parts: Parts) -> Response {
    match negotiate(&shared, &parts) {
        Ok(v) => {
            let mut r = reply::json(
                StatusCode::OK,
                &version_doc(&shared, &base_url(&parts.headers)),
            );
            add_version_headers(r.headers_mut(), v);
            r
        }
        Err(f) => f.into_response(),
    }
}
