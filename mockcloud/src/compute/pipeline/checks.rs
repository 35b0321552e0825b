//! Nova's instance lookups and the `compute/api.py` decorators every action runs
//! through: `check_instance_lock`, `check_instance_state`, `check_instance_host`.

use super::context::Ctx;
use super::fault::Fault;
use crate::state::model::{InstanceAction, Server, VmState};
use crate::state::store::State;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Parse a server id the way `compute_api.get` does (only uuid-like ids exist).
pub(crate) fn parse_id(id: &str) -> Option<Uuid> {
    let u = Uuid::parse_str(id).ok()?;
    let stripped: String = id.chars().filter(|c| *c != '-').collect();
    (u.simple().to_string() == stripped.to_lowercase()).then_some(u)
}

/// `common.get_instance`: 404 "Instance <id> could not be found." unless the
/// caller owns it or is an admin.
pub(crate) fn visible(ctx: &Ctx, st: &State, id: &str) -> Result<Uuid, Fault> {
    let not_found = || ctx.not_found(format!("Instance {id} could not be found."));
    let uuid = parse_id(id).ok_or_else(not_found)?;
    match st.servers.get(&uuid) {
        Some(s) if ctx.is_admin() || s.project_id == ctx.auth.project_id => Ok(uuid),
        _ => Err(not_found()),
    }
}

/// `@check_instance_lock`.
pub(crate) fn lock(ctx: &Ctx, s: &Server) -> Result<(), Fault> {
    if s.locked_by.is_some() && !ctx.is_admin() {
        return Err(ctx.conflict(format!("Instance {} is locked", s.uuid)));
    }
    Ok(())
}

/// `@check_instance_state(vm_state=allowed)` (task_state must be None, launched),
/// mapped by `common.raise_http_conflict_for_instance_invalid_state`.
pub(crate) fn state(
    ctx: &Ctx,
    s: &Server,
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
    if let Some(t) = s.task_state {
        return Err(conflict("task_state", t.as_str()));
    }
    if s.launched_at.is_none() {
        return Err(conflict("launched_at", "None"));
    }
    Ok(())
}

/// `@check_instance_host(check_is_up)`: 409 "Instance <uuid> is not ready" without
/// a host; with `check_is_up`, 409 "Service is unavailable at this time." when the
/// source service is down (a disabled but up service is fine).
pub(crate) fn host(ctx: &Ctx, st: &State, s: &Server, check_is_up: bool) -> Result<(), Fault> {
    let Some(h) = s.host.as_deref() else {
        return Err(ctx.conflict(format!("Instance {} is not ready", s.uuid)));
    };
    if check_is_up && !st.hosts.get(h).is_some_and(|h| h.is_up()) {
        return Err(ctx.conflict("Service is unavailable at this time."));
    }
    Ok(())
}

/// `_record_action_start`: returns the index of the new action.
pub(crate) fn record_action(ctx: &Ctx, s: &mut Server, action: &str, now: DateTime<Utc>) -> usize {
    s.actions.push(InstanceAction {
        action: action.into(),
        request_id: ctx.request_id.clone(),
        user_id: ctx.auth.user_id.clone(),
        project_id: ctx.auth.project_id.clone(),
        start_time: now,
        updated_at: now,
        message: None,
        events: Vec::new(),
    });
    s.actions.len() - 1
}
