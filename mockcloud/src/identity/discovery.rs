//! Keystone version discovery: `GET /identity` (300) and `GET /identity/v3` (200).

use crate::compute::pipeline::auth::base_url;
use crate::http::reply::{self, HttpResponse};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{json, Value};

fn v3(base: &str) -> Value {
    json!({
        "id": "v3.14",
        "status": "stable",
        "updated": "2020-04-07T00:00:00Z",
        "links": [{"rel": "self", "href": format!("{base}/identity/v3/")}],
        "media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}]
    })
}

pub(crate) async fn versions(headers: HeaderMap) -> HttpResponse {
    reply::json(
        StatusCode::MULTIPLE_CHOICES,
        &json!({"versions": {"values": [v3(&base_url(&headers))]}}),
    )
}

pub(crate) async fn version(headers: HeaderMap) -> HttpResponse {
    reply::json(StatusCode::OK, &json!({"version": v3(&base_url(&headers))}))
}
