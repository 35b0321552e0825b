//! `/mockcloud/...` routes.
//!
//! | method | path | effect |
//! |---|---|---|
//! | POST | /mockcloud/reset | back to the seeded state (same credentials), tokens dropped, clock reset |
//! | POST | /mockcloud/seed | body: scenario (JSON/YAML); new state and credentials (returned) |
//! | GET | /mockcloud/credentials | the seeded credentials |
//! | POST | /mockcloud/clock | `{"advance_seconds": N}` moves the mock's clock |
//! | POST | /mockcloud/servers/{id}/advance | one lifecycle step (manual mode) |
//! | POST | /mockcloud/advance-all | finish every in-flight operation |
//! | PUT | /mockcloud/hosts/{name} | `{"up": bool, "enabled": bool, "forced_down": bool, "disabled_reason": str}` |
//! | GET/POST/DELETE | /mockcloud/faults | list / add a rule / clear |
//! | GET/PUT/DELETE | /mockcloud/journal | read / `{"enabled": bool}` / clear |
//! | GET | /mockcloud/health | 200: version, commit, profile, Nova series, lifecycle, uptime |
//! | GET/PUT | /mockcloud/state | export the whole state / load one (`state::snapshot`) |

use super::faults::Rule;
use crate::http::hooks::{FaultInjector, RequestJournal};
use crate::http::reply::{self, HttpResponse};
use crate::state::handle::{Shared, StateHandle};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::Router;
use serde_json::{json, Value};
use std::sync::Arc;

fn bad(msg: impl Into<String>) -> HttpResponse {
    reply::json(StatusCode::BAD_REQUEST, &json!({"error": msg.into()}))
}

fn handle(shared: &Arc<Shared>) -> StateHandle {
    StateHandle::from_shared(Arc::clone(shared))
}

async fn reset(State(shared): State<Arc<Shared>>) -> HttpResponse {
    handle(&shared).reset();
    reply::empty(StatusCode::NO_CONTENT)
}

async fn seed(State(shared): State<Arc<Shared>>, bytes: Bytes) -> HttpResponse {
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return bad("scenario must be UTF-8");
    };
    match crate::scenario::parse(text, false) {
        Ok(seed) => {
            let creds = handle(&shared).reseed(seed);
            reply::json(StatusCode::OK, &json!({ "credentials": creds }))
        }
        Err(e) => bad(format!("invalid scenario: {e}")),
    }
}

async fn credentials(State(shared): State<Arc<Shared>>) -> HttpResponse {
    reply::json(
        StatusCode::OK,
        &json!({ "credentials": handle(&shared).credentials() }),
    )
}

async fn clock(State(shared): State<Arc<Shared>>, bytes: Bytes) -> HttpResponse {
    let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let Some(secs) = v
        .get("advance_seconds")
        .and_then(Value::as_f64)
        .filter(|s| *s >= 0.0 && s.is_finite())
    else {
        return bad("expected {\"advance_seconds\": N} with N >= 0");
    };
    shared
        .clock
        .advance(std::time::Duration::from_secs_f64(secs.min(1e9)));
    reply::json(
        StatusCode::OK,
        &json!({ "now": crate::clock::isotime(&shared.clock.now()) }),
    )
}

async fn advance(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> HttpResponse {
    let Some(uuid) = crate::compute::pipeline::checks::parse_id(&id) else {
        return bad("invalid server id");
    };
    let stepped = handle(&shared).advance(uuid);
    reply::json(StatusCode::OK, &json!({ "advanced": stepped }))
}

async fn advance_all(State(shared): State<Arc<Shared>>) -> HttpResponse {
    let n = handle(&shared).advance_all();
    reply::json(StatusCode::OK, &json!({ "completed": n }))
}

async fn host(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    bytes: Bytes,
) -> HttpResponse {
    let v: Value = match serde_json::from_slice(&bytes) {
        Ok(v @ Value::Object(_)) => v,
        _ => return bad("expected a JSON object"),
    };
    let h = handle(&shared);
    if !h.read(|s| s.hosts.contains_key(&name)) {
        return reply::json(
            StatusCode::NOT_FOUND,
            &json!({"error": format!("no host {name}")}),
        );
    }
    if let Some(up) = v.get("up").and_then(Value::as_bool) {
        h.set_host_up(&name, up);
    }
    if let Some(en) = v.get("enabled").and_then(Value::as_bool) {
        h.set_host_enabled(&name, en, v.get("disabled_reason").and_then(Value::as_str));
    }
    if let Some(fd) = v.get("forced_down").and_then(Value::as_bool) {
        h.set_forced_down(&name, fd);
    }
    let out = h.read(|s| {
        s.hosts.get(&name).map(|x| json!({"name": x.name, "up": x.up, "enabled": x.enabled, "forced_down": x.forced_down, "disabled_reason": x.disabled_reason}))
    });
    reply::json(StatusCode::OK, &json!({ "host": out }))
}

async fn faults_list(State(shared): State<Arc<Shared>>) -> HttpResponse {
    let rules: Vec<Value> = shared
        .faults
        .list()
        .into_iter()
        .map(|(r, fired)| json!({"rule": r, "fired": fired}))
        .collect();
    reply::json(StatusCode::OK, &json!({ "rules": rules }))
}

async fn faults_add(State(shared): State<Arc<Shared>>, bytes: Bytes) -> HttpResponse {
    let rule: Rule = match serde_json::from_slice(&bytes) {
        Ok(r) => r,
        Err(e) => return bad(format!("invalid rule: {e}")),
    };
    if rule.probability.is_some_and(|p| !(0.0..=1.0).contains(&p)) {
        return bad("probability must be within 0..=1");
    }
    if rule
        .status
        .is_some_and(|s| StatusCode::from_u16(s).is_err())
    {
        return bad("invalid status");
    }
    shared.faults.add(rule);
    let injector: Arc<dyn FaultInjector> = shared.faults.clone();
    shared.hooks.set_fault_injector(Some(injector));
    reply::empty(StatusCode::CREATED)
}

async fn faults_clear(State(shared): State<Arc<Shared>>) -> HttpResponse {
    shared.faults.clear();
    shared.hooks.set_fault_injector(None);
    reply::empty(StatusCode::NO_CONTENT)
}

async fn journal_get(State(shared): State<Arc<Shared>>) -> HttpResponse {
    reply::json(
        StatusCode::OK,
        &json!({ "enabled": shared.hooks.journal.read().is_some(), "entries": shared.journal.entries() }),
    )
}

async fn journal_put(State(shared): State<Arc<Shared>>, bytes: Bytes) -> HttpResponse {
    let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let Some(enabled) = v.get("enabled").and_then(Value::as_bool) else {
        return bad("expected {\"enabled\": bool}");
    };
    let j: Option<Arc<dyn RequestJournal>> = if enabled {
        Some(shared.journal.clone())
    } else {
        None
    };
    shared.hooks.set_journal(j);
    reply::empty(StatusCode::NO_CONTENT)
}

async fn journal_clear(State(shared): State<Arc<Shared>>) -> HttpResponse {
    shared.journal.clear();
    reply::empty(StatusCode::NO_CONTENT)
}

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/mockcloud/reset", post(reset))
        .route("/mockcloud/seed", post(seed))
        .route("/mockcloud/credentials", get(credentials))
        .route("/mockcloud/clock", post(clock))
        .route("/mockcloud/servers/{id}/advance", post(advance))
        .route("/mockcloud/advance-all", post(advance_all))
        .route("/mockcloud/hosts/{name}", put(host))
        .route(
            "/mockcloud/faults",
            get(faults_list).post(faults_add).delete(faults_clear),
        )
        .route(
            "/mockcloud/journal",
            get(journal_get).put(journal_put).delete(journal_clear),
        )
        .route("/mockcloud/health", get(super::state_api::health))
        .route(
            "/mockcloud/state",
            get(super::state_api::export)
                .put(super::state_api::load)
                .layer(DefaultBodyLimit::max(super::state_api::MAX_STATE_BYTES)),
        )
}
