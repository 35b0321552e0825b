//! Image routes: `GET /image` (versions), `GET /image/v2/images[?name=..]`,
//! `GET /image/v2/images/{id}`; token-checked like every OpenStack service.

use super::views;
use crate::compute::pipeline::auth::{self, base_url};
use crate::http::reply::{self, HttpResponse};
use crate::state::handle::Shared;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::sync::Arc;

async fn versions(headers: HeaderMap) -> HttpResponse {
    let base = base_url(&headers);
    reply::json(
        StatusCode::MULTIPLE_CHOICES,
        &json!({"versions": [{"id": "v2.16", "status": "CURRENT", "links": [{"rel": "self", "href": format!("{base}/image/v2/")}]}]}),
    )
}

fn glance_404(message: &str) -> HttpResponse {
    let mut r = reply::json(
        StatusCode::NOT_FOUND,
        &json!({"message": message, "code": "404 Not Found", "title": "Not Found"}),
    );
    *r.status_mut() = StatusCode::NOT_FOUND;
    r
}

async fn list(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> HttpResponse {
    if auth::check_token(&shared, &headers).is_none() {
        return auth::unauthorized(&headers);
    }
    let pairs: Vec<(String, String)> = q
        .as_deref()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let name = pairs
        .iter()
        .find(|(k, _)| k == "name")
        .map(|(_, v)| v.clone());
    let id = pairs
        .iter()
        .find(|(k, _)| k == "id")
        .map(|(_, v)| v.clone());
    let st = shared.state.lock();
    let images: Vec<Value> = st
        .images
        .iter()
        .filter(|i| name.as_deref().is_none_or(|n| i.name == n))
        .filter(|i| id.as_deref().is_none_or(|x| i.id.to_string() == x))
        .map(views::image)
        .collect();
    drop(st);
    reply::json(
        StatusCode::OK,
        &json!({"images": images, "first": "/v2/images", "schema": "/v2/schemas/images"}),
    )
}

async fn show(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> HttpResponse {
    if auth::check_token(&shared, &headers).is_none() {
        return auth::unauthorized(&headers);
    }
    let st = shared.state.lock();
    match st.images.iter().find(|i| i.id.to_string() == id) {
        Some(i) => reply::json(StatusCode::OK, &views::image(i)),
        None => glance_404(&format!("No image found with ID {id}")),
    }
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/image", get(versions))
        .route("/image/", get(versions))
        .route("/image/v2/images", get(list))
        .route("/image/v2/images/{id}", get(show))
        .layer(axum::middleware::from_fn(
            crate::http::request_id::openstack_layer,
        ))
}
