//! Identity routes under `/identity`.

use super::{discovery, tokens};
use crate::state::handle::Shared;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/identity", get(discovery::versions))
        .route("/identity/", get(discovery::versions))
        .route("/identity/v3", get(discovery::version))
        .route("/identity/v3/", get(discovery::version))
        .route(
            "/identity/v3/auth/tokens",
            get(tokens::validate)
                .head(tokens::check)
                .post(tokens::issue)
                .delete(tokens::revoke),
        )
        .layer(axum::middleware::from_fn(
            crate::http::request_id::openstack_layer,
        ))
}
