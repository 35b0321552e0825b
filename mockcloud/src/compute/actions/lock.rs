//! `lock` / `unlock` (os-lock-server): owner vs admin locks, 2.73 `locked_reason`.

use crate::compute::pipeline::body;
use crate::compute::pipeline::checks;
use crate::compute::pipeline::context::{ApiResult, Ctx};
use crate::compute::pipeline::policy::{self, Rule};
use crate::compute::pipeline::schema::schemas;
use crate::state::model::LockedBy;
use axum::http::StatusCode;
use serde_json::Value;

pub(crate) fn lock(ctx: &Ctx, id: &str, body: &Value) -> ApiResult {
    let reason = if ctx.at_least(73) {
        body::validate(ctx, schemas::lock_v273(), body)?;
        body["lock"]
            .get("locked_reason")
            .and_then(Value::as_str)
            .map(str::to_string)
    } else {
        None
    };
    let mut guard = ctx.shared.state.lock();
    let st = &mut *guard;
    let uuid = checks::visible(ctx, st, id)?;
    let now = ctx.shared.clock.now();
    let s = st.servers.get_mut(&uuid).expect("visible");
    policy::authorize(
        ctx,
        "os_compute_api:os-lock-server:lock",
        Rule::ProjectMemberOrAdmin,
        &s.project_id,
    )?;
    let is_owner = s.project_id == ctx.auth.project_id;
    // compute_api.lock: an owner re-locking its own locked server is a no-op.
    if s.locked_by.is_some() && is_owner {
        return Ok(ctx.empty(StatusCode::ACCEPTED));
    }
    let idx = checks::record_action(ctx, s, "lock", now);
    s.locked_by = Some(if is_owner {
        LockedBy::Owner
    } else {
        LockedBy::Admin
    });
    if reason.is_some() {
        s.locked_reason = reason;
    }
    s.updated_at = now;
    finish_api_event(s, idx, "api_lock", now);
    Ok(ctx.empty(StatusCode::ACCEPTED))
}

pub(crate) fn unlock(ctx: &Ctx, id: &str) -> ApiResult {
    let mut guard = ctx.shared.state.lock();
    let st = &mut *guard;
    let uuid = checks::visible(ctx, st, id)?;
    let now = ctx.shared.clock.now();
    let s = st.servers.get_mut(&uuid).expect("visible");
    policy::authorize(
        ctx,
        "os_compute_api:os-lock-server:unlock",
        Rule::ProjectMemberOrAdmin,
        &s.project_id,
    )?;
    let is_owner = s.project_id == ctx.auth.project_id;
    let expected = if is_owner {
        LockedBy::Owner
    } else {
        LockedBy::Admin
    };
    if s.locked_by.is_some_and(|l| l != expected) {
        policy::authorize(
            ctx,
            "os_compute_api:os-lock-server:unlock:unlock_override",
            Rule::Admin,
            &s.project_id,
        )?;
    }
    let idx = checks::record_action(ctx, s, "unlock", now);
    s.locked_by = None;
    s.locked_reason = None;
    s.updated_at = now;
    finish_api_event(s, idx, "api_unlock", now);
    Ok(ctx.empty(StatusCode::ACCEPTED))
}

fn finish_api_event(
    s: &mut crate::state::model::Server,
    idx: usize,
    name: &str,
    now: chrono::DateTime<chrono::Utc>,
) {
    if let Some(a) = s.actions.get_mut(idx) {
        a.events.push(crate::state::model::ActionEvent {
            event: name.into(),
            start_time: now,
            finish_time: Some(now),
            result: Some("Success".into()),
            traceback: None,
            host: None,
            details: None,
        });
    }
}
