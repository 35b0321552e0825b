//! `/servers/{id}/migrations` (upstream `server_migrations.py`): the in-progress live
//! migrations of a server (index 2.23+, show 2.23+), `force_complete` (2.22+) and abort
//! (`DELETE`, 2.24+; a `queued` or `preparing` one only from 2.65).
//!
//! Each handler: (below its microversion: 404 "The resource could not be found."), the
//! instance lookup (404), the policy (`os_compute_api:servers:migrations:*`), then
//! `compute/api.py` (`live_migrate_force_complete`, `live_migrate_abort`). Queens..Train
//! (`policy.before_lookup`) check the policy before the lookup (`server_migrations.py@20.6.1`).

use crate::clock::naive_iso;
use crate::compute::pipeline::body;
use crate::compute::pipeline::checks;
use crate::compute::pipeline::context::{ApiResult, Ctx};
use crate::compute::pipeline::fault::Fault;
use crate::compute::pipeline::policy::{self, Rule};
use crate::compute::pipeline::schema::schemas;
use crate::conductor::lifecycle;
use crate::conductor::live_lifecycle;
use crate::state::model::{Migration, MigrationType, OpKind, TaskState, VmState};
use crate::state::store::State;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// `migration_get_in_progress_by_instance`'s statuses (nova/db/main/api.py).
const IN_PROGRESS: &[&str] = &["queued", "preparing", "running", "post-migrating"];

/// `server_migrations.output`: keys in upstream's dict order; the host fields only where
/// `include_host` (`servers:migrations:index:host`, admin, 32.0.0+; before that only admins
/// pass the index policy at all). The progress counters are the driver's, null with Nova's
/// fake driver and in the mock.
fn output(
    m: &Migration,
    include_uuid: bool,
    include_user_project: bool,
    include_host: bool,
) -> Value {
    let host = |v: Option<&str>| if include_host { json!(v) } else { Value::Null };
    let mut o = Map::new();
    o.insert("created_at".into(), json!(naive_iso(&m.created_at)));
    o.insert("dest_compute".into(), host(m.dest_compute.as_deref()));
    o.insert("dest_host".into(), host(m.dest_host.as_deref()));
    o.insert("dest_node".into(), host(m.dest_node.as_deref()));
    for k in [
        "disk_processed_bytes",
        "disk_remaining_bytes",
        "disk_total_bytes",
    ] {
        o.insert(k.into(), Value::Null);
    }
    o.insert("id".into(), json!(m.id));
    for k in [
        "memory_processed_bytes",
        "memory_remaining_bytes",
        "memory_total_bytes",
    ] {
        o.insert(k.into(), Value::Null);
    }
    o.insert("server_uuid".into(), json!(m.instance_uuid.to_string()));
    o.insert("source_compute".into(), host(Some(&m.source_compute)));
    // Empty: not chosen yet (null upstream); see `live_lifecycle::conductor`.
    let source_node = Some(m.source_node.as_str()).filter(|n| !n.is_empty());
    o.insert("source_node".into(), host(source_node));
    o.insert("status".into(), json!(m.status));
    o.insert("updated_at".into(), json!(naive_iso(&m.updated_at)));
    if include_uuid {
        o.insert("uuid".into(), json!(m.uuid.to_string()));
    }
    if include_user_project {
        o.insert("user_id".into(), json!(m.user_id));
        o.insert("project_id".into(), json!(m.project_id));
    }
    Value::Object(o)
}

fn resource_not_found(ctx: &Ctx) -> Fault {
    ctx.fault(StatusCode::NOT_FOUND, "The resource could not be found.")
}

/// Lookup and policy in the series' order; returns the server.
fn authorize(ctx: &Ctx, st: &State, id: &str, name: &str, rule: Rule) -> Result<Uuid, Fault> {
    let before = ctx.shared.config.release.policy.before_lookup;
    if before {
        policy::authorize(ctx, name, rule, &ctx.auth.project_id)?;
    }
    let uuid = checks::visible(ctx, st, id)?;
    if !before {
        policy::authorize(ctx, name, rule, &st.servers[&uuid].project_id)?;
    }
    Ok(uuid)
}

/// `GET /servers/{id}/migrations` (2.23+).
pub(crate) async fn index(ctx: Ctx, Path(id): Path<String>, RawQuery(q): RawQuery) -> ApiResult {
    // The query schema decorator runs first (2.102: no parameters).
    ctx.no_query_from_2_102(q.as_deref())?;
    if !ctx.at_least(23) {
        return Err(resource_not_found(&ctx));
    }
    let st = ctx.shared.state.lock();
    let uuid = authorize(
        &ctx,
        &st,
        &id,
        "os_compute_api:servers:migrations:index",
        policy::migrations_index_rule(ctx.shared.config.release),
    )?;
    let live: Vec<Value> = st
        .migrations
        .values()
        .filter(|m| m.instance_uuid == uuid && m.migration_type == MigrationType::LiveMigration)
        .filter(|m| IN_PROGRESS.contains(&m.status.as_str()))
        .map(|m| output(m, ctx.at_least(59), ctx.at_least(80), ctx.is_admin()))
        .collect();
    drop(st);
    Ok(ctx.json(StatusCode::OK, &json!({ "migrations": live })))
}

/// `GET /servers/{id}/migrations/{mid}` (2.23+; `servers:migrations:show`, admin).
pub(crate) async fn show(
    ctx: Ctx,
    Path((id, mid)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    ctx.no_query_from_2_102(q.as_deref())?;
    if !ctx.at_least(23) {
        return Err(resource_not_found(&ctx));
    }
    let st = ctx.shared.state.lock();
    let uuid = authorize(
        &ctx,
        &st,
        &id,
        "os_compute_api:servers:migrations:show",
        Rule::Admin,
    )?;
    let m = find(&st, uuid, &mid).ok_or_else(|| {
        ctx.not_found(format!(
            "In-progress live migration {mid} is not found for server {id}."
        ))
    })?;
    if m.migration_type != MigrationType::LiveMigration {
        return Err(ctx.not_found(format!(
            "Migration {mid} for server {id} is not live-migration."
        )));
    }
    if !IN_PROGRESS.contains(&m.status.as_str()) {
        return Err(ctx.not_found(format!(
            "Live migration {mid} for server {id} is not in progress."
        )));
    }
    let body = json!({"migration": output(m, ctx.at_least(59), ctx.at_least(80), true)});
    drop(st);
    Ok(ctx.json(StatusCode::OK, &body))
}

/// `Migration.get_by_id_and_instance`: any migration of the server by its integer id.
fn find<'a>(st: &'a State, server: Uuid, mid: &str) -> Option<&'a Migration> {
    let n: u64 = mid.parse().ok()?;
    st.migrations.get(&n).filter(|m| m.instance_uuid == server)
}

/// `POST /servers/{id}/migrations/{mid}/action` `{"force_complete": null}` (2.22+).
pub(crate) async fn action(
    ctx: Ctx,
    Path((id, mid)): Path<(String, String)>,
    bytes: Bytes,
) -> ApiResult {
    let (name, body) = body::action_peek(&ctx, &bytes)?;
    if name != "force_complete" {
        return Err(ctx.bad_request(format!("There is no such action: {name}")));
    }
    if !ctx.at_least(22) {
        return Err(resource_not_found(&ctx));
    }
    body::validate(&ctx, schemas::force_complete(), &body)?;
    let uuid = {
        let mut guard = ctx.shared.state.lock();
        let st = &mut *guard;
        // `@check_instance_state(vm_state=[ACTIVE], task_state=[MIGRATING])`.
        let uuid = migrating_server(
            &ctx,
            st,
            &id,
            "os_compute_api:servers:migrations:force_complete",
            "force_complete",
            Some(VmState::Active),
        )?;
        // MigrationNotFoundForInstance and InvalidMigrationState are 400s here.
        let m = find(st, uuid, &mid).ok_or_else(|| {
            ctx.bad_request(format!("Migration {mid} not found for instance {uuid}"))
        })?;
        if m.status != "running" {
            return Err(ctx.bad_request(invalid_state(&mid, uuid, &m.status, "force complete")));
        }
        let now = ctx.shared.clock.now();
        let Some(s) = st.servers.get_mut(&uuid) else {
            return Err(resource_not_found(&ctx));
        };
        let index = checks::record_action(&ctx, s, "live_migration_force_complete", now);
        let host = s.host.clone();
        lifecycle::push_event(
            s,
            index,
            lifecycle::event(
                "compute_live_migration_force_complete",
                now,
                host.as_deref(),
            ),
            now,
        );
        // The driver makes the running migration converge (libvirt pauses the guest or
        // switches to post-copy); the mock completes it within the request, in every
        // lifecycle mode (upstream's is a cast: a documented deviation).
        if s.in_flight.as_ref().map(|f| f.kind) == Some(OpKind::LiveMigrate) {
            lifecycle::run_to_completion(st, uuid, now);
        }
        uuid
    };
    lifecycle::drive(&ctx.shared, uuid);
    Ok(ctx.empty(StatusCode::ACCEPTED))
}

/// `DELETE /servers/{id}/migrations/{mid}`: abort (2.24+).
pub(crate) async fn delete(ctx: Ctx, Path((id, mid)): Path<(String, String)>) -> ApiResult {
    if !ctx.at_least(24) {
        return Err(resource_not_found(&ctx));
    }
    let mut guard = ctx.shared.state.lock();
    let st = &mut *guard;
    // `@check_instance_state(task_state=[MIGRATING])` (any vm_state).
    let uuid = migrating_server(
        &ctx,
        st,
        &id,
        "os_compute_api:servers:migrations:delete",
        "abort live migration",
        None,
    )?;
    let m = find(st, uuid, &mid)
        .ok_or_else(|| ctx.not_found(format!("Migration {mid} not found for instance {uuid}")))?;
    // 2.65 (`support_abort_in_queue`) adds queued and preparing to running.
    let mut allowed = vec!["running"];
    if ctx.at_least(65) {
        allowed.extend(["queued", "preparing"]);
    }
    if !allowed.contains(&m.status.as_str()) {
        return Err(ctx.bad_request(invalid_state(&mid, uuid, &m.status, "abort live migration")));
    }
    let mid_n = m.id;
    let now = ctx.shared.clock.now();
    if let Some(s) = st.servers.get_mut(&uuid) {
        let index = checks::record_action(&ctx, s, "live_migration_cancel", now);
        live_lifecycle::abort(st, uuid, mid_n, index, now);
    }
    drop(guard);
    // Nothing is left in flight: no lifecycle step follows.
    Ok(ctx.empty(StatusCode::ACCEPTED))
}

/// The prologue of force_complete and abort: the policy `name` (before or after the lookup,
/// as the series does), `@check_instance_lock`, then `@check_instance_state` with `vm_state`
/// (None: any) and task_state MIGRATING, under `action`'s name. The server's uuid.
fn migrating_server(
    ctx: &Ctx,
    st: &State,
    id: &str,
    name: &str,
    action: &str,
    vm_state: Option<VmState>,
) -> Result<Uuid, Fault> {
    let uuid = authorize(
        ctx,
        st,
        id,
        name,
        policy::server_migrations_action_rule(ctx.shared.config.release),
    )?;
    let s = &st.servers[&uuid];
    checks::lock(ctx, s)?;
    let allowed = [vm_state.unwrap_or(s.vm_state)];
    migrating_state(ctx, s, action, id, &allowed)?;
    Ok(uuid)
}

/// `InvalidMigrationState`.
fn invalid_state(mid: &str, uuid: Uuid, state: &str, method: &str) -> String {
    format!(
        "Migration {mid} state of instance {uuid} is {state}. Cannot {method} while the migration is in this state."
    )
}

/// `@check_instance_state(vm_state=allowed, task_state=[MIGRATING])` with
/// `raise_http_conflict_for_instance_invalid_state(exc, action, id)`: vm_state first, then
/// task_state (launched is always true of a server that can be migrating); a task_state of
/// None has no state to name.
fn migrating_state(
    ctx: &Ctx,
    s: &crate::state::model::Server,
    action: &str,
    id: &str,
    allowed: &[VmState],
) -> Result<(), Fault> {
    let conflict = |attr: &str, value: &str| {
        ctx.conflict(format!(
            "Cannot '{action}' instance {id} while it is in {attr} {value}"
        ))
    };
    if !allowed.contains(&s.vm_state) {
        return Err(conflict("vm_state", s.vm_state.as_str()));
    }
    match s.task_state {
        Some(TaskState::Migrating) => {}
        // InstanceInvalidState(state=None): the helper's fallback message (observed on
        // 34.0.0 for force_complete and abort of a server that is not migrating).
        None => {
            return Err(ctx.conflict(format!(
                "Instance {id} is in an invalid state for '{action}'"
            )))
        }
        Some(t) => return Err(conflict("task_state", t.as_str())),
    }
    Ok(())
}
