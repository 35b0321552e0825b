//! The `migrate` action (cold migration), in upstream's handler order:
//!
//! 1. schema, only from 2.56 (below, the body value is never read);
//! 2. load the instance (404, before policy);
//! 3. policy `migrate:host` (admin) when a host is given, else `migrate`
//!    (project manager or admin), as the configured series has them
//!    (`compute::pipeline::policy::migrate_policy`: no `:host` rule before 2023.2, admin-only
//!    `migrate` before 2025.2, Queens checks it before step 2);
//! 4. `compute_api.resize`: lock (admin bypass), state (ACTIVE/STOPPED, no task,
//!    launched), source service up, then with a host: same host 400, unknown 400;
//! 5. accept: task_state resize_prep, action `migrate`, 202; the scheduler checks
//!    the requested destination asynchronously (see `crate::conductor::lifecycle`), or within the
//!    request where the series' API waited for the conductor (400 NoValidHost).
//!
//! Pike-spec profile (from 2.56): `host` required (nullable), `force` optional
//! boolean; `force` true with a null host -> 400 "Can't force to a non-provided
//! destination" (live-migrate's message, checked after policy, as live-migrate
//! does); `force` true with a host skips the scheduler's filters (the host must
//! still exist and differ from the source).
//!
//! Concurrency: the whole check-and-set runs under the state lock, so of N
//! concurrent migrates exactly one is accepted and the others see task_state
//! resize_prep (409). Upstream Nova answers those losers with a 500
//! (UnexpectedTaskStateError is not mapped); the mock gives the documented 409.

use crate::compute::pipeline::body;
use crate::compute::pipeline::checks;
use crate::compute::pipeline::context::{ApiResult, Ctx};
use crate::compute::pipeline::fault::Fault;
use crate::compute::pipeline::policy;
use crate::compute::pipeline::schema::schemas;
use crate::conductor::lifecycle;
use crate::config::{Lifecycle, Profile};
use crate::state::model::{Flavor, InFlight, OpKind, TaskState, VmState};
use crate::state::store::State;
use axum::http::StatusCode;
use nova_releases::NoValidHost;
use serde_json::Value;
use uuid::Uuid;

/// What the API decided to start.
pub(crate) struct MoveRequest {
    pub action: &'static str,
    pub new_flavor: Option<Flavor>,
    pub host: Option<String>,
    pub force: bool,
}

/// Accept a cold move (migrate or resize) on a server that passed every check:
/// Nova's `instance.save(expected_task_state=[None])` and `_record_action_start`.
///
/// Where the series' API waits for the conductor (`no_valid_host = "sync-400"`: Queens'
/// `compute_task_api.resize_instance` is an RPC call), the conductor step runs inside the
/// request: a scheduler rejection has then already recorded everything the asynchronous
/// failure records (migration `error`, the fault, the action's error events, the server
/// back to its state) and the API answers 400 with the conductor's `NoValidHost`.
pub(crate) fn start_move(
    ctx: &Ctx,
    st: &mut State,
    id: Uuid,
    req: MoveRequest,
) -> Result<(), Fault> {
    let now = ctx.shared.clock.now();
    let generation = st.next_generation();
    let is_resize = req.new_flavor.is_some();
    let Some(s) = st.servers.get_mut(&id) else {
        return Ok(());
    };
    s.task_state = Some(TaskState::ResizePrep);
    s.progress = 0;
    s.old_vm_state = Some(s.vm_state);
    s.new_flavor = req.new_flavor;
    s.fault = None;
    s.updated_at = now;
    let action_index = checks::record_action(ctx, s, req.action, now);
    s.in_flight = Some(InFlight {
        force: req.force,
        requested_host: req.host,
        requested_by: Some((ctx.auth.user_id.clone(), ctx.auth.project_id.clone())),
        ..InFlight::accepted(OpKind::Migrate, generation, action_index)
    });
    if ctx.shared.config.release.behaviour.no_valid_host == NoValidHost::Sync400
        && lifecycle::step(st, id, None, now) == lifecycle::Step::Done
    {
        // The conductor step ended the operation: the scheduler found no host.
        return Err(ctx.bad_request(lifecycle::no_valid_host_message(is_resize)));
    }
    if ctx.shared.config.lifecycle == Lifecycle::Instant {
        lifecycle::run_to_completion(st, id, now);
    }
    Ok(())
}

/// Host and force as the handler reads them.
fn read_body(ctx: &Ctx, body: &Value) -> Result<(Option<String>, bool), Fault> {
    if !ctx.at_least(56) {
        return Ok((None, false));
    }
    let schema = match ctx.shared.config.profile {
        Profile::Nova => schemas::migrate_v256(),
        Profile::PikeSpec => schemas::migrate_pike_v256(),
    };
    body::validate(ctx, schema, body)?;
    let inner = &body["migrate"];
    let host = inner
        .get("host")
        .and_then(Value::as_str)
        .map(str::to_string);
    let force = ctx.shared.config.profile == Profile::PikeSpec
        && inner.get("force").is_some_and(schemas::boolean_value);
    Ok((host, force))
}

pub(crate) fn migrate(ctx: &Ctx, id: &str, body: &Value) -> ApiResult {
    let (host, force) = read_body(ctx, body)?;
    let uuid = {
        let mut guard = ctx.shared.state.lock();
        let st = &mut *guard;
        let rule = policy::migrate_policy(ctx.shared.config.release, host.is_some());
        if rule.before_lookup {
            // `context.can(name)` without a target: the caller's own project.
            policy::authorize(ctx, rule.name, rule.rule, &ctx.auth.project_id)?;
        }
        let uuid = checks::visible(ctx, st, id)?;
        let s = &st.servers[&uuid];
        if !rule.before_lookup {
            policy::authorize(ctx, rule.name, rule.rule, &s.project_id)?;
        }
        if force && host.is_none() {
            return Err(ctx.bad_request("Can't force to a non-provided destination"));
        }
        checks::lock(ctx, s)?;
        checks::state(ctx, s, "migrate", id, &[VmState::Active, VmState::Stopped])?;
        // `@check_instance_host(check_is_up=True)` where the series has it.
        checks::host(
            ctx,
            st,
            s,
            ctx.shared.config.release.behaviour.source_up_check,
        )?;
        if let Some(h) = &host {
            if s.host.as_deref() == Some(h.as_str()) {
                return Err(ctx.bad_request("Cannot migrate to the host where the server exists."));
            }
            if !st.hosts.contains_key(h) {
                return Err(ctx.bad_request(format!("Compute host {h} could not be found.")));
            }
        }
        start_move(
            ctx,
            st,
            uuid,
            MoveRequest {
                action: "migrate",
                new_flavor: None,
                host,
                force,
            },
        )?;
        uuid
    };
    lifecycle::drive(&ctx.shared, uuid);
    Ok(ctx.empty(StatusCode::ACCEPTED))
}
