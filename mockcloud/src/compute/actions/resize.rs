//! `resize` (a cold move to another flavor), `confirmResize` (204) and
//! `revertResize` (202), with `servers.py`'s error mapping.

use super::migrate::{start_move, MoveRequest};
use crate::compute::pipeline::body;
use crate::compute::pipeline::checks;
use crate::compute::pipeline::context::{ApiResult, Ctx};
use crate::compute::pipeline::policy::{self, Rule};
use crate::compute::pipeline::schema::schemas;
use crate::conductor::lifecycle;
use crate::config::Lifecycle;
use crate::state::model::{InFlight, OpKind, TaskState, VmState};
use axum::http::StatusCode;
use serde_json::Value;

/// `common.get_id_from_href`: the last path segment of a flavor link, or the id.
fn flavor_id(v: &Value) -> String {
    let raw = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    raw.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_string()
}

pub(crate) fn resize(ctx: &Ctx, id: &str, body: &Value) -> ApiResult {
    body::validate(ctx, schemas::resize(), body)?;
    let fid = flavor_id(&body["resize"]["flavorRef"]);
    let uuid = {
        let mut guard = ctx.shared.state.lock();
        let st = &mut *guard;
        let uuid = checks::visible(ctx, st, id)?;
        let s = &st.servers[&uuid];
        policy::authorize(
            ctx,
            "os_compute_api:servers:resize",
            Rule::ProjectMemberOrAdmin,
            &s.project_id,
        )?;
        checks::lock(ctx, s)?;
        checks::state(ctx, s, "resize", id, &[VmState::Active, VmState::Stopped])?;
        // `@check_instance_host(check_is_up=True)` where the series has it.
        checks::host(
            ctx,
            st,
            s,
            ctx.shared.config.release.behaviour.source_up_check,
        )?;
        let new = match st.flavors.get(&fid) {
            Some(f) if !f.disabled => f.clone(),
            _ => return Err(ctx.bad_request(format!("Flavor {fid} could not be found."))),
        };
        if new.id == s.flavor.id {
            return Err(ctx.bad_request("When resizing, instances must change flavor!"));
        }
        if new.disk == 0 && s.flavor.disk != 0 {
            return Err(ctx.bad_request("Server disk was unable to be resized because: Resize to zero disk flavor is not allowed."));
        }
        start_move(
            ctx,
            st,
            uuid,
            MoveRequest {
                action: "resize",
                new_flavor: Some(new),
                host: None,
                force: false,
            },
        )?;
        uuid
    };
    lifecycle::drive(&ctx.shared, uuid);
    Ok(ctx.empty(StatusCode::ACCEPTED))
}

fn finish_op(ctx: &Ctx, id: &str, confirm: bool) -> ApiResult {
    let (action, policy_name) = if confirm {
        ("confirmResize", "os_compute_api:servers:confirm_resize")
    } else {
        ("revertResize", "os_compute_api:servers:revert_resize")
    };
    let uuid = {
        let mut guard = ctx.shared.state.lock();
        let st = &mut *guard;
        let uuid = checks::visible(ctx, st, id)?;
        let s = &st.servers[&uuid];
        policy::authorize(ctx, policy_name, Rule::ProjectMemberOrAdmin, &s.project_id)?;
        checks::lock(ctx, s)?;
        checks::state(ctx, s, action, id, &[VmState::Resized])?;
        let Some(mid) = st.migration_of(uuid, "finished").map(|m| m.id) else {
            return Err(ctx.bad_request("Instance has not been resized."));
        };
        let now = ctx.shared.clock.now();
        let generation = st.next_generation();
        if let Some(m) = st.migrations.get_mut(&mid) {
            m.status = if confirm { "confirming" } else { "reverting" }.into();
            m.updated_at = now;
        }
        let s = st.servers.get_mut(&uuid).expect("checked above");
        if !confirm {
            s.task_state = Some(TaskState::ResizeReverting);
        }
        s.updated_at = now;
        let action_index = checks::record_action(ctx, s, action, now);
        let kind = if confirm {
            OpKind::Confirm
        } else {
            OpKind::Revert
        };
        s.in_flight = Some(InFlight {
            migration_id: Some(mid),
            ..InFlight::accepted(kind, generation, action_index)
        });
        if ctx.shared.config.lifecycle == Lifecycle::Instant {
            lifecycle::run_to_completion(st, uuid, now);
        }
        uuid
    };
    lifecycle::drive(&ctx.shared, uuid);
    Ok(ctx.empty(if confirm {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::ACCEPTED
    }))
}

pub(crate) fn confirm(ctx: &Ctx, id: &str) -> ApiResult {
    finish_op(ctx, id, true)
}

pub(crate) fn revert(ctx: &Ctx, id: &str) -> ApiResult {
    finish_op(ctx, id, false)
}
