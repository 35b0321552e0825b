//! `GET /mockcloud/health` (a readiness gate) and `GET`/`PUT /mockcloud/state` (export and
//! load of the whole state, `crate::state::snapshot`).

use crate::compute::pipeline::fault::Fault;
use crate::http::reply::{self, HttpResponse};
use crate::state::handle::{Shared, StateHandle};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderValue, Response, StatusCode};
use axum::response::IntoResponse;
use serde_json::json;
use std::sync::Arc;

/// The largest state document `PUT /mockcloud/state` takes: far above the compute API's body
/// limit (a state holds a few KiB per server), while still bounding the memory a load takes.
pub(crate) const MAX_STATE_BYTES: usize = 256 * 1024 * 1024;

/// 200 whenever the mock answers: what it is and how long it has been up. No token needed
/// (a CI readiness gate polls it before any credential is known).
pub(crate) async fn health(State(shared): State<Arc<Shared>>) -> HttpResponse {
    let c = &shared.config;
    let (servers, migrations) = {
        let st = shared.state.lock();
        (st.servers.len(), st.migrations.len())
    };
    reply::json(
        StatusCode::OK,
        &json!({
            "status": "ok",
            "version": crate::build_info::VERSION,
            "commit": crate::build_info::COMMIT,
            "profile": c.profile.as_str(),
            "nova_release": {
                "series": c.release.id,
                "codename": c.release.codename,
                "nova_version": c.release.verified,
            },
            "microversions": {"min": c.min_version.to_string(), "max": c.max_version.to_string()},
            "lifecycle": c.lifecycle.name(),
            "uptime_seconds": (shared.started.elapsed().as_secs_f64() * 1000.0).floor() / 1000.0,
            "servers": servers,
            "migrations": migrations,
            "state_schema_version": crate::state::snapshot::SCHEMA_VERSION,
        }),
    )
}

pub(crate) async fn export(State(shared): State<Arc<Shared>>) -> HttpResponse {
    let bytes = StateHandle::from_shared(shared).export_json();
    let mut resp = Response::new(Body::from(bytes));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// Load a document; a refused one answers in Nova's fault format (`badRequest` 400 for a
/// malformed or inconsistent document, `conflictingRequest` 409 for another kind, another
/// schema version or another kind of mock) and changes nothing.
pub(crate) async fn load(State(shared): State<Arc<Shared>>, bytes: Bytes) -> HttpResponse {
    let h = StateHandle::from_shared(shared);
    match h.load_json(&bytes) {
        Ok(()) => {
            let (servers, migrations) = h.read(|s| (s.servers.len(), s.migrations.len()));
            reply::json(
                StatusCode::OK,
                &json!({"loaded": {"servers": servers, "migrations": migrations}}),
            )
        }
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
            Fault::new(status, e.to_string(), None).into_response()
        }
    }
}
