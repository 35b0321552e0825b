//! The whole mock on one listener: compute, identity (and later image and the
//! control API), with the hooks slot (journal, fault injection) around it.

use crate::compute;
use crate::http::hooks;
use crate::identity;
use crate::state::handle::Shared;
use axum::middleware::from_fn_with_state;
use axum::Router;
use std::sync::Arc;

/// Assemble the router of one mock instance. Extension point: `.merge()` the
/// routes of a new service here (`/image`, `/mockcloud`).
pub(crate) fn build(shared: Arc<Shared>) -> Router {
    let inner = Router::new()
        .merge(compute::router::routes(Arc::clone(&shared)))
        .merge(identity::router::routes())
        .merge(crate::image::router::routes())
        .merge(crate::control::router::routes())
        .fallback(compute::router::unknown)
        .layer(from_fn_with_state(Arc::clone(&shared), hooks::layer))
        .with_state(shared);
    // axum adds `Allow` to method misses after every route layer has run; Nova's
    // router never sends it, so strip it around the whole router.
    Router::new()
        .fallback_service(inner)
        .layer(axum::middleware::map_response(compute::router::strip_allow))
        .layer(axum::middleware::from_fn(compute::router::cors_options))
}
