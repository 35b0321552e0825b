//! The `os-migrateLive` action (live migration), as upstream's
//! `migrate_server.py::_migrate_live` and `compute/api.py::live_migrate` (the same in both
//! profiles: the pike spec changes cold migrate only). Order of checks (Nova 21.0.0+):
//!
//! 1. schema per microversion (`schemas/migrate_server.py`: 2.1-2.24, 2.25-2.29,
//!    2.30-2.67, 2.68+; see `schemas::migrate_live`);
//! 2. load the instance (404);
//! 3. policy `migrate_live:host` (admin) when a host is given and the series has it (Nova
//!    32.0.0+), else `migrate_live` (`compute::pipeline::policy::live_migrate_policy`);
//! 4. 2.30+: `force` true without a host -> 400 "Can't force to a non-provided destination";
//! 5. `compute_api.live_migrate`: `@check_instance_lock` (409), `@check_instance_state(
//!    vm_state=[ACTIVE, PAUSED])` (409 "Cannot 'os-migrateLive' instance <id> while it is
//!    in vm_state <state>", task_state None, launched), the host's compute node lookup (400
//!    "Compute host <host> could not be found."), then task_state `migrating` and the
//!    instance action `live-migration`;
//! 6. the conductor: below 2.34 an RPC call inside the request (a pre-check failure is a 400
//!    with the exception's message), from 2.34 a cast (202; a failure ends the migration
//!    `error` later, see `crate::conductor::live_lifecycle`).
//!
//! Queens..Train (17-20, `policy.before_lookup`) check the policy first (no target: the
//! caller's project), then the 2.30 force rule, then load the instance
//! (`migrate_server.py@17.0.13`).
//!
//! `force`: below 2.30 there is none and compute/api.py passes a given host straight to
//! the conductor (the scheduler is bypassed, as `force: true` does at 2.30-2.67); from 2.30
//! `force` defaults to False (also at 2.68+, where the schema no longer has it) and a host
//! is only a `requested_destination` the scheduler's filters check.

use crate::compute::pipeline::body;
use crate::compute::pipeline::checks;
use crate::compute::pipeline::context::{ApiResult, Ctx};
use crate::compute::pipeline::fault::Fault;
use crate::compute::pipeline::policy;
use crate::compute::pipeline::schema::schemas;
use crate::conductor::lifecycle;
use crate::conductor::live_lifecycle;
use crate::config::Lifecycle;
use crate::state::model::{InFlight, OpKind, TaskState, VmState};
use axum::http::StatusCode;
use serde_json::Value;

/// The body as `_migrate_live` reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LiveBody {
    host: Option<String>,
    /// `_get_force_param_for_live_migration` (2.30+), None below 2.30.
    force: Option<bool>,
}

fn read_body(ctx: &Ctx, body: &Value) -> Result<LiveBody, Fault> {
    let minor = ctx.version.minor;
    body::validate(ctx, schemas::migrate_live(minor), body)?;
    let inner = &body["os-migrateLive"];
    let host = inner
        .get("host")
        .and_then(Value::as_str)
        .map(str::to_string);
    // strutils.bool_from_string(strict=True) of a value the schema's enum admitted.
    // block_migration and disk_over_commit change nothing the mock models.
    let force = ctx
        .at_least(30)
        .then(|| inner.get("force").is_some_and(schemas::boolean_value));
    Ok(LiveBody { host, force })
}

/// `_get_force_param_for_live_migration`'s refusal.
fn force_without_host(ctx: &Ctx, b: &LiveBody) -> Result<(), Fault> {
    if b.force == Some(true) && b.host.is_none() {
        return Err(ctx.bad_request("Can't force to a non-provided destination"));
    }
    Ok(())
}

pub(crate) fn migrate_live(ctx: &Ctx, id: &str, body: &Value) -> ApiResult {
    let b = read_body(ctx, body)?;
    let uuid = {
        let mut guard = ctx.shared.state.lock();
        let st = &mut *guard;
        let rule = policy::live_migrate_policy(ctx.shared.config.release, b.host.is_some());
        if rule.before_lookup {
            policy::authorize(ctx, rule.name, rule.rule, &ctx.auth.project_id)?;
            force_without_host(ctx, &b)?;
        }
        let uuid = checks::visible(ctx, st, id)?;
        let s = &st.servers[&uuid];
        if !rule.before_lookup {
            policy::authorize(ctx, rule.name, rule.rule, &s.project_id)?;
            force_without_host(ctx, &b)?;
        }
        checks::lock(ctx, s)?;
        checks::state(
            ctx,
            s,
            "os-migrateLive",
            id,
            &[VmState::Active, VmState::Paused],
        )?;
        if let Some(h) = &b.host {
            // `ComputeNodeList.get_all_by_host` -> ComputeHostNotFound.
            if !st.hosts.contains_key(h) {
                return Err(ctx.bad_request(format!("Compute host {h} could not be found.")));
            }
        }
        let now = ctx.shared.clock.now();
        let generation = st.next_generation();
        let Some(s) = st.servers.get_mut(&uuid) else {
            return Err(ctx.not_found(format!("Instance {id} could not be found.")));
        };
        s.task_state = Some(TaskState::Migrating);
        s.fault = None;
        s.updated_at = now;
        let action_index = checks::record_action(ctx, s, "live-migration", now);
        let op = InFlight {
            // The conductor gets the host (bypassing the scheduler) when forced, and
            // whenever a host is given below 2.30 (`force` None there).
            force: b.host.is_some() && b.force != Some(false),
            requested_host: b.host.clone(),
            requested_by: Some((ctx.auth.user_id.clone(), ctx.auth.project_id.clone())),
            placement_prefilters: ctx.shared.config.release.behaviour.placement_prefilters,
            ram_allocation_ratio: ctx
                .shared
                .config
                .release
                .behaviour
                .ram_allocation_ratio
                .as_f64(),
            ..InFlight::accepted(OpKind::LiveMigrate, generation, action_index)
        };
        s.in_flight = Some(op.clone());
        if !ctx.at_least(34) {
            // `compute_task_api.live_migrate_instance(async_=False)`: conductor
            // `migrate_server` over an RPC call; its pre-check exceptions are a 400.
            live_lifecycle::conductor(st, uuid, &op, now, true)
                .map_err(|e| ctx.bad_request(e.message))?;
            if let Some(f) = st.servers.get_mut(&uuid).and_then(|s| s.in_flight.as_mut()) {
                f.stage = 1;
            }
        }
        if ctx.shared.config.lifecycle == Lifecycle::Instant {
            lifecycle::run_to_completion(st, uuid, now);
        }
        uuid
    };
    lifecycle::drive(&ctx.shared, uuid);
    Ok(ctx.empty(StatusCode::ACCEPTED))
}
