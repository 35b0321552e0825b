//! The compute routes, assembled from the per-resource modules.
//!
//! Layering mirrors Nova's paste pipeline: request ids and the body-size limit
//! apply to everything under `/v2.1/` (router misses included), then
//! keystonemiddleware (401), then the router; a miss (unknown path, or a known
//! path with a method Nova does not route) is webob's plain 404, not a fault.
//! Extension point: add a module and `.merge()` its `routes()` here.

use super::actions;
use super::pipeline::auth;
use super::resources::{
    flavor_manage, flavors, hypervisors, hypervisors_legacy, images, instance_actions, migrations,
    server_migrations, servers, services, versions,
};
use crate::http::{body_limit, request_id, webob};
use crate::state::handle::Shared;
use axum::http::{HeaderMap, Method};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{any, get, post, MethodRouter};
use axum::Router;
use std::sync::Arc;

async fn miss(method: Method, headers: HeaderMap) -> crate::http::reply::HttpResponse {
    webob::not_found_for(&method, &headers)
}

/// Nova's routes (the `routes` library) match a route's method exactly: no route is
/// declared for HEAD, so a HEAD under `/v2.1/` is the router's 404 (after
/// keystonemiddleware), never the GET handler axum would otherwise run without a body.
async fn head_is_unrouted(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> crate::http::reply::HttpResponse {
    if req.method() == Method::HEAD {
        return webob::head_error(axum::http::StatusCode::NOT_FOUND);
    }
    next.run(req).await
}

/// Nova routes only the methods it declares: others fall to the router's 404
/// (without the `Allow` header axum would add to a method miss).
fn m(r: MethodRouter<Arc<Shared>>) -> MethodRouter<Arc<Shared>> {
    r.fallback(miss)
}

pub(crate) async fn strip_allow(
    mut resp: crate::http::reply::HttpResponse,
) -> crate::http::reply::HttpResponse {
    resp.headers_mut().remove(axum::http::header::ALLOW);
    resp
}

/// Authenticated API routes.
fn api_routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/v2.1/servers",
            m(get(servers::index).post(servers::create)),
        )
        .route("/v2.1/servers/detail", m(get(servers::detail)))
        .route(
            "/v2.1/servers/{id}",
            m(get(servers::show)
                .put(servers::update)
                .delete(servers::delete)),
        )
        .route(
            "/v2.1/servers/{id}/action",
            m(post(actions::dispatch::action)),
        )
        .route(
            "/v2.1/servers/{id}/migrations",
            m(get(server_migrations::index)),
        )
        .route(
            "/v2.1/servers/{id}/migrations/{mid}",
            m(get(server_migrations::show).delete(server_migrations::delete)),
        )
        .route(
            "/v2.1/servers/{id}/migrations/{mid}/action",
            m(post(server_migrations::action)),
        )
        .route(
            "/v2.1/servers/{id}/os-instance-actions",
            m(get(instance_actions::index)),
        )
        .route(
            "/v2.1/servers/{id}/os-instance-actions/{request_id}",
            m(get(instance_actions::show)),
        )
        .route("/v2.1/os-migrations", m(get(migrations::index)))
        .route(
            "/v2.1/flavors",
            m(get(flavors::index).post(flavor_manage::create)),
        )
        .route("/v2.1/flavors/detail", m(get(flavors::detail)))
        .route(
            "/v2.1/flavors/{id}",
            m(get(flavors::show)
                .put(flavor_manage::update)
                .delete(flavor_manage::delete)),
        )
        .route(
            "/v2.1/flavors/{id}/os-extra_specs",
            m(get(flavor_manage::specs_index).post(flavor_manage::specs_create)),
        )
        .route(
            "/v2.1/flavors/{id}/os-extra_specs/{key}",
            m(get(flavor_manage::spec_show)
                .put(flavor_manage::spec_update)
                .delete(flavor_manage::spec_delete)),
        )
        .route("/v2.1/os-services", m(get(services::index)))
        .route(
            "/v2.1/os-services/{id}",
            m(axum::routing::put(services::update).delete(services::delete)),
        )
        .route("/v2.1/os-hypervisors", m(get(hypervisors::index)))
        .route("/v2.1/os-hypervisors/detail", m(get(hypervisors::detail)))
        .route(
            "/v2.1/os-hypervisors/statistics",
            m(get(hypervisors_legacy::statistics)),
        )
        .route("/v2.1/os-hypervisors/{id}", m(get(hypervisors::show)))
        .route(
            "/v2.1/os-hypervisors/{id}/uptime",
            m(get(hypervisors_legacy::uptime)),
        )
        .route(
            "/v2.1/os-hypervisors/{id}/search",
            m(get(hypervisors_legacy::search)),
        )
        .route(
            "/v2.1/os-hypervisors/{id}/servers",
            m(get(hypervisors_legacy::servers)),
        )
        .route("/v2.1/images", m(get(images::index)))
        .route("/v2.1/images/detail", m(get(images::details)))
        .route("/v2.1/images/{id}", m(get(images::show)))
        // Misses under /v2.1/ still pass through the pipeline (401 before 404).
        .route("/v2.1/{*rest}", axum::routing::any(miss))
        .layer(from_fn(head_is_unrouted))
}

/// All compute routes: `/`, `/v2.1` and `/v2.1/...`.
pub(crate) fn routes(shared: Arc<Shared>) -> Router<Arc<Shared>> {
    let limit = shared.config.max_body_bytes;
    let api = api_routes()
        .layer(from_fn_with_state(Arc::clone(&shared), auth::layer))
        .layer(from_fn_with_state(limit, body_limit::layer))
        .layer(from_fn(request_id::layer));
    // Nova's paste urlmap hands `/v2.1` and `/v2.1/` (nothing after the slash) to the
    // unauthenticated version app, which answers every method with the document.
    let v21 = Router::new()
        .route("/v2.1", any(versions::v21_doc))
        .route("/v2.1/", any(versions::v21_doc))
        .layer(from_fn(request_id::layer));
    Router::new()
        .route("/", any(versions::root))
        .merge(v21)
        .merge(api)
}

/// oslo.middleware's CORS filter, first in every paste pipeline: an `OPTIONS` request
/// goes through the application, and a non-2xx answer (401, 404, 406, ...) is replaced
/// by a bare 200 without a body or headers (no CORS headers either: no allowed origins
/// are configured). A 2xx answer (the version documents) is kept.
pub(crate) async fn cors_options(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> crate::http::reply::HttpResponse {
    let options = req.method() == Method::OPTIONS;
    let resp = next.run(req).await;
    if !options || resp.status().is_success() {
        return resp;
    }
    let mut r = axum::http::Response::new(axum::body::Body::empty());
    r.headers_mut().insert(
        axum::http::header::CONTENT_LENGTH,
        axum::http::HeaderValue::from_static("0"),
    );
    r
}

/// What the mock answers for paths no service claims.
pub(crate) async fn unknown(
    method: Method,
    headers: HeaderMap,
) -> crate::http::reply::HttpResponse {
    webob::not_found_for(&method, &headers)
}
