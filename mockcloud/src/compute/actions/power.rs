//! os-stop / os-start / pause / unpause / suspend / resume: each is Nova's
//! check chain (policy, lock, [host], state) then a task_state and an async step.

use crate::compute::pipeline::checks;
use crate::compute::pipeline::context::{ApiResult, Ctx};
use crate::compute::pipeline::policy::{self, Rule};
use crate::conductor::lifecycle;
use crate::config::Lifecycle;
use crate::state::model::{InFlight, OpKind, TaskState, VmState};
use axum::http::StatusCode;

/// One power action's rules.
pub(crate) struct PowerAction {
    /// Name in the 409 message ("Cannot '<name>' instance ...") and the instance action.
    pub name: &'static str,
    pub policy: &'static str,
    pub allowed: &'static [VmState],
    /// os-stop/os-start check `instance.host` (409 "is not ready") before state.
    pub needs_host: bool,
    pub task: TaskState,
    pub kind: OpKind,
}

pub(crate) const STOP: PowerAction = PowerAction {
    name: "stop",
    policy: "os_compute_api:servers:stop",
    allowed: &[VmState::Active, VmState::Error],
    needs_host: true,
    task: TaskState::PoweringOff,
    kind: OpKind::Stop,
};
pub(crate) const START: PowerAction = PowerAction {
    name: "start",
    policy: "os_compute_api:servers:start",
    allowed: &[VmState::Stopped],
    needs_host: true,
    task: TaskState::PoweringOn,
    kind: OpKind::Start,
};
pub(crate) const PAUSE: PowerAction = PowerAction {
    name: "pause",
    policy: "os_compute_api:os-pause-server:pause",
    allowed: &[VmState::Active],
    needs_host: false,
    task: TaskState::Pausing,
    kind: OpKind::Pause,
};
pub(crate) const UNPAUSE: PowerAction = PowerAction {
    name: "unpause",
    policy: "os_compute_api:os-pause-server:unpause",
    allowed: &[VmState::Paused],
    needs_host: false,
    task: TaskState::Unpausing,
    kind: OpKind::Unpause,
};
pub(crate) const SUSPEND: PowerAction = PowerAction {
    name: "suspend",
    policy: "os_compute_api:os-suspend-server:suspend",
    allowed: &[VmState::Active],
    needs_host: false,
    task: TaskState::Suspending,
    kind: OpKind::Suspend,
};
pub(crate) const RESUME: PowerAction = PowerAction {
    name: "resume",
    policy: "os_compute_api:os-suspend-server:resume",
    allowed: &[VmState::Suspended],
    needs_host: false,
    task: TaskState::Resuming,
    kind: OpKind::Resume,
};

pub(crate) fn run(ctx: &Ctx, id: &str, a: PowerAction) -> ApiResult {
    let uuid = {
        let mut guard = ctx.shared.state.lock();
        let st = &mut *guard;
        let uuid = checks::visible(ctx, st, id)?;
        let s = &st.servers[&uuid];
        policy::authorize(ctx, a.policy, Rule::ProjectMemberOrAdmin, &s.project_id)?;
        checks::lock(ctx, s)?;
        if a.needs_host {
            checks::host(ctx, st, s, false)?;
        }
        checks::state(ctx, s, a.name, id, a.allowed)?;
        let now = ctx.shared.clock.now();
        let generation = st.next_generation();
        let s = st.servers.get_mut(&uuid).expect("checked above");
        s.task_state = Some(a.task);
        s.updated_at = now;
        let action_index = checks::record_action(ctx, s, a.name, now);
        s.in_flight = Some(InFlight::accepted(a.kind, generation, action_index));
        if ctx.shared.config.lifecycle == Lifecycle::Instant {
            lifecycle::run_to_completion(st, uuid, now);
        }
        uuid
    };
    lifecycle::drive(&ctx.shared, uuid);
    Ok(ctx.empty(StatusCode::ACCEPTED))
}
