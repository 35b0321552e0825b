//! The asynchronous half of each server operation: Nova's conductor and compute
//! steps, one `step` at a time. The API handlers accept an operation (stage 0);
//! `drive` then takes it to completion according to the configured
//! [`Lifecycle`](crate::config::Lifecycle).
//!
//! Cold migrate / resize (upstream's sequence):
//!
//! | stage | migration status | task_state | server status |
//! |---|---|---|---|
//! | 0 accepted | - | resize_prep | RESIZE |
//! | 1 conductor | pre-migrating (scheduler runs; rejection ends here: `error`) | resize_prep | RESIZE |
//! | 2 source | migrating | resize_migrating | RESIZE |
//! | 3 source done | post-migrating (host flips to dest) | resize_migrated | RESIZE |
//! | 4 destination | post-migrating | resize_finish | RESIZE |
//! | 5 done | finished | None | VERIFY_RESIZE |
//!
//! Live migration: see `crate::conductor::live_lifecycle`.

use crate::conductor::scheduler::{self, RequestSpec};
use crate::config::Lifecycle;
use crate::state::handle::Shared;
use crate::state::model::*;
use crate::state::store::State;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// Outcome of one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// More steps follow; the next one is `stage` (for timing).
    More { stage: u8 },
    /// The operation finished (successfully or not).
    Done,
    /// Nothing in flight (or a stale generation).
    Idle,
}

pub(crate) fn event(name: &str, now: DateTime<Utc>, host: Option<&str>) -> ActionEvent {
    ActionEvent {
        event: name.into(),
        start_time: now,
        finish_time: Some(now),
        result: Some("Success".into()),
        traceback: None,
        host: host.map(str::to_string),
        details: None,
    }
}

/// Records a finished step's event. Upstream's `wrap_instance_event` starts the event when
/// the step begins and finishes it when the step ends, and each start or finish bumps the
/// action's `updated_at`: so the event spans from the action's previous activity (the API
/// request, or the step before) to `now`. Clients read these spans as durations (a build's
/// `compute__do_build_and_run_instance`, the dry-run calibration), so they must not be zero.
pub(crate) fn push_event(
    server: &mut Server,
    index: usize,
    mut ev: ActionEvent,
    now: DateTime<Utc>,
) {
    if let Some(a) = server.actions.get_mut(index) {
        ev.start_time = a.updated_at.min(ev.start_time);
        a.updated_at = now;
        a.events.push(ev);
    }
}

/// A step that starts an event upstream (the compute host picks the work up) without ending
/// one: the action's `updated_at` moves, so the next event starts here.
fn step_started(server: &mut Server, index: usize, now: DateTime<Utc>) {
    if let Some(a) = server.actions.get_mut(index) {
        a.updated_at = now;
    }
}

/// Advance the operation in flight on `id` by one step, if its generation matches
/// (`None` accepts any generation).
pub(crate) fn step(st: &mut State, id: Uuid, generation: Option<u64>, now: DateTime<Utc>) -> Step {
    let Some(server) = st.servers.get(&id) else {
        return Step::Idle;
    };
    let Some(op) = server.in_flight.clone() else {
        return Step::Idle;
    };
    if generation.is_some_and(|g| g != op.generation) {
        return Step::Idle;
    }
    let next = op.stage + 1;
    let done = match op.kind {
        OpKind::Migrate => migrate_step(st, id, &op, next, now),
        OpKind::LiveMigrate => crate::conductor::live_lifecycle::step(st, id, &op, next, now),
        OpKind::Build => build_step(st, id, &op, next, now),
        OpKind::Confirm => {
            finish_confirm(st, id, &op, now);
            true
        }
        OpKind::Revert => {
            finish_revert(st, id, &op, now);
            true
        }
        kind => {
            finish_power(st, id, kind, &op, now);
            true
        }
    };
    let Some(server) = st.servers.get_mut(&id) else {
        return Step::Done;
    };
    server.updated_at = now;
    if done {
        server.in_flight = None;
        Step::Done
    } else {
        if let Some(f) = server.in_flight.as_mut() {
            f.stage = next;
        }
        Step::More { stage: next + 1 }
    }
}

/// Run the in-flight operation to its end (Instant mode, or `advance_all`).
pub(crate) fn run_to_completion(st: &mut State, id: Uuid, now: DateTime<Utc>) {
    // Bounded: every operation has at most 5 steps.
    for _ in 0..8 {
        if !matches!(step(st, id, None, now), Step::More { .. }) {
            break;
        }
    }
}

fn migrate_step(st: &mut State, id: Uuid, op: &InFlight, next: u8, now: DateTime<Utc>) -> bool {
    let mid = op.migration_id.unwrap_or(0);
    match next {
        1 => conductor(st, id, op, now),
        2 => {
            set_migration(st, mid, "migrating", now);
            if let Some(s) = st.servers.get_mut(&id) {
                s.task_state = Some(TaskState::ResizeMigrating);
                push_event(
                    s,
                    op.action_index,
                    event("compute_prep_resize", now, None),
                    now,
                );
            }
            false
        }
        3 => {
            set_migration(st, mid, "post-migrating", now);
            let dest = st.migrations.get(&mid).and_then(|m| m.dest_compute.clone());
            if let Some(s) = st.servers.get_mut(&id) {
                let src = s.host.clone();
                s.task_state = Some(TaskState::ResizeMigrated);
                if dest.is_some() {
                    s.host = dest;
                }
                push_event(
                    s,
                    op.action_index,
                    event("compute_resize_instance", now, src.as_deref()),
                    now,
                );
            }
            false
        }
        4 => {
            if let Some(s) = st.servers.get_mut(&id) {
                s.task_state = Some(TaskState::ResizeFinish);
                // finish_resize begins on the destination.
                step_started(s, op.action_index, now);
            }
            false
        }
        _ => {
            set_migration(st, mid, "finished", now);
            if let Some(s) = st.servers.get_mut(&id) {
                let was_stopped = s.old_vm_state == Some(VmState::Stopped);
                s.task_state = None;
                s.vm_state = VmState::Resized;
                let new = s.new_flavor.take().unwrap_or_else(|| s.flavor.clone());
                s.old_flavor = Some(std::mem::replace(&mut s.flavor, new));
                s.power_state = if was_stopped {
                    power::SHUTDOWN
                } else {
                    power::RUNNING
                };
                let host = s.host.clone();
                push_event(
                    s,
                    op.action_index,
                    event("compute_finish_resize", now, host.as_deref()),
                    now,
                );
            }
            true
        }
    }
}

pub(crate) fn set_migration(st: &mut State, mid: u64, status: &str, now: DateTime<Utc>) {
    if let Some(m) = st.migrations.get_mut(&mid) {
        m.status = status.into();
        m.updated_at = now;
    }
}

/// Conductor: create the migration, ask the scheduler, claim allocations.
/// Returns true when the operation ended (scheduler rejection).
fn conductor(st: &mut State, id: Uuid, op: &InFlight, now: DateTime<Utc>) -> bool {
    let Some(s) = st.servers.get(&id) else {
        return true;
    };
    let old_flavor = s.flavor.clone();
    let new_flavor = s.new_flavor.clone().unwrap_or_else(|| s.flavor.clone());
    let source = s.host.clone().unwrap_or_default();
    let is_resize = old_flavor.id != new_flavor.id;
    // The migration records who asked (the request context), not the owner.
    let (user_id, project_id) = op
        .requested_by
        .clone()
        .unwrap_or_else(|| (s.user_id.clone(), s.project_id.clone()));
    let mid = st.new_migration_id();
    let migration = Migration {
        id: mid,
        uuid: Uuid::new_v4(),
        instance_uuid: id,
        source_compute: source.clone(),
        source_node: source.clone(),
        dest_compute: None,
        dest_node: None,
        dest_host: None,
        old_instance_type_id: old_flavor.internal_id,
        new_instance_type_id: new_flavor.internal_id,
        status: "pre-migrating".into(),
        migration_type: if is_resize {
            MigrationType::Resize
        } else {
            MigrationType::Migration
        },
        user_id,
        project_id,
        created_at: now,
        updated_at: now,
    };
    let muuid = migration.uuid;
    st.migrations.insert(mid, migration);
    let spec = RequestSpec {
        resources: Resources::of_flavor(&new_flavor),
        // allow_resize_to_same_host defaults to False: the source is never a candidate.
        ignore_hosts: vec![source.clone()],
        requested_host: op.requested_host.clone(),
        force: op.force,
    };
    // The source allocation moves to the migration consumer for the whole operation.
    let picked = {
        st.move_allocation(id, muuid);
        scheduler::select(st, &spec)
    };
    match picked {
        Ok(dest) => {
            st.allocate(id, &dest, Resources::of_flavor(&new_flavor));
            if let Some(m) = st.migrations.get_mut(&mid) {
                m.dest_compute = Some(dest.clone());
                m.dest_node = Some(dest.clone());
                m.dest_host = Some(FAKE_DRIVER_HOST_IP.into());
                m.updated_at = now;
            }
            if let Some(s) = st.servers.get_mut(&id) {
                if let Some(f) = s.in_flight.as_mut() {
                    f.migration_id = Some(mid);
                }
                push_event(
                    s,
                    op.action_index,
                    event("conductor_migrate_server", now, None),
                    now,
                );
                push_event(s, op.action_index, event("cold_migrate", now, None), now);
            }
            false
        }
        Err(no_host) => {
            // Roll back: the allocation returns to the instance on the source.
            st.move_allocation(muuid, id);
            if let Some(m) = st.migrations.get_mut(&mid) {
                m.status = "error".into();
                m.updated_at = now;
            }
            if let Some(s) = st.servers.get_mut(&id) {
                let full = no_valid_host_message(is_resize);
                s.task_state = None;
                s.new_flavor = None;
                s.old_vm_state = None;
                s.fault = Some(InstanceFault {
                    code: 400,
                    message: no_host.message(),
                    details: String::new(),
                    created: now,
                });
                // Upstream records the failure on both the conductor's
                // `migrate_server` and its `_cold_migrate` events.
                let failed = |name: &str, frame: &str| {
                    ActionEvent {
                    event: name.into(),
                    start_time: now,
                    finish_time: Some(now),
                    result: Some("Error".into()),
                    traceback: Some(format!(
                        "Traceback (most recent call last):\n  File \"nova/conductor/manager.py\", in {frame}\n    raise exception.NoValidHost(reason=msg)\nnova.exception.NoValidHost: {full}\n"
                    )),
                    host: None,
                    details: Some(full.clone()),
                }
                };
                let evs = [
                    failed("conductor_migrate_server", "migrate_server"),
                    failed("cold_migrate", "_cold_migrate"),
                ];
                if let Some(a) = s.actions.get_mut(op.action_index) {
                    a.message = Some("Error".into());
                    a.updated_at = now;
                    a.events.extend(evs);
                }
            }
            true
        }
    }
}

/// The conductor's `NoValidHost` after a scheduler rejection (`_cold_migrate`).
pub(crate) fn no_valid_host_message(is_resize: bool) -> String {
    let why = if is_resize {
        "No valid host found for resize"
    } else {
        "No valid host found for cold migrate"
    };
    format!("No valid host was found. {why}")
}

/// A migration's `dest_host`: the resource tracker's move claim records the destination
/// driver's `get_host_ip_addr()`, which for Nova's fake driver (what upstream-nova/ runs,
/// and what the mock's computes model) is this constant on every host.
pub(crate) const FAKE_DRIVER_HOST_IP: &str = "192.168.0.1";

/// A stable fake management IP per host (the hypervisors' `host_ip`).
pub(crate) fn host_ip(host: &str) -> String {
    let n = host.bytes().fold(0u32, |acc, b| {
        acc.wrapping_mul(31).wrapping_add(u32::from(b))
    });
    format!("192.168.{}.{}", (n >> 8) % 250 + 1, n % 250 + 2)
}

fn finish_confirm(st: &mut State, id: Uuid, op: &InFlight, now: DateTime<Utc>) {
    let mid = op.migration_id.unwrap_or(0);
    let muuid = st.migrations.get(&mid).map(|m| m.uuid);
    set_migration(st, mid, "confirmed", now);
    if let Some(m) = muuid {
        st.free(m);
    }
    if let Some(s) = st.servers.get_mut(&id) {
        let back = s.old_vm_state.take().unwrap_or(VmState::Active);
        s.vm_state = back;
        s.power_state = if back == VmState::Stopped {
            power::SHUTDOWN
        } else {
            power::RUNNING
        };
        s.task_state = None;
        s.old_flavor = None;
        let host = s.host.clone();
        push_event(
            s,
            op.action_index,
            event("compute_confirm_resize", now, host.as_deref()),
            now,
        );
    }
}

fn finish_revert(st: &mut State, id: Uuid, op: &InFlight, now: DateTime<Utc>) {
    let mid = op.migration_id.unwrap_or(0);
    let (muuid, source) = match st.migrations.get(&mid) {
        Some(m) => (Some(m.uuid), Some(m.source_compute.clone())),
        None => (None, None),
    };
    set_migration(st, mid, "reverted", now);
    st.free(id);
    if let Some(m) = muuid {
        st.move_allocation(m, id);
    }
    if let Some(s) = st.servers.get_mut(&id) {
        let dest = s.host.clone();
        let back = s.old_vm_state.take().unwrap_or(VmState::Active);
        s.vm_state = back;
        s.power_state = if back == VmState::Stopped {
            power::SHUTDOWN
        } else {
            power::RUNNING
        };
        s.task_state = None;
        if let Some(f) = s.old_flavor.take() {
            s.flavor = f;
        }
        if source.is_some() {
            s.host = source.clone();
        }
        push_event(
            s,
            op.action_index,
            event("compute_revert_resize", now, dest.as_deref()),
            now,
        );
        push_event(
            s,
            op.action_index,
            event("compute_finish_revert_resize", now, source.as_deref()),
            now,
        );
    }
}

/// A build: scheduling (accepted) -> spawning -> ACTIVE. Returns true when done.
fn build_step(st: &mut State, id: Uuid, op: &InFlight, next: u8, now: DateTime<Utc>) -> bool {
    let Some(s) = st.servers.get_mut(&id) else {
        return true;
    };
    if next == 1 {
        s.task_state = Some(TaskState::Spawning);
        // The compute host starts `_do_build_and_run_instance` after scheduling.
        step_started(s, op.action_index, now);
        return false;
    }
    s.vm_state = VmState::Active;
    s.task_state = None;
    s.power_state = power::RUNNING;
    s.launched_at = Some(now);
    s.progress = 0;
    let host = s.host.clone();
    push_event(
        s,
        op.action_index,
        event("compute__do_build_and_run_instance", now, host.as_deref()),
        now,
    );
    true
}

fn finish_power(st: &mut State, id: Uuid, kind: OpKind, op: &InFlight, now: DateTime<Utc>) {
    let Some(s) = st.servers.get_mut(&id) else {
        return;
    };
    let (vm, pw, ev) = match kind {
        OpKind::Stop => (VmState::Stopped, power::SHUTDOWN, "compute_stop_instance"),
        OpKind::Start => (VmState::Active, power::RUNNING, "compute_start_instance"),
        OpKind::Pause => (VmState::Paused, power::PAUSED, "compute_pause_instance"),
        OpKind::Unpause => (VmState::Active, power::RUNNING, "compute_unpause_instance"),
        OpKind::Suspend => (
            VmState::Suspended,
            power::SUSPENDED,
            "compute_suspend_instance",
        ),
        OpKind::Resume => (VmState::Active, power::RUNNING, "compute_resume_instance"),
        _ => return,
    };
    s.vm_state = vm;
    s.power_state = pw;
    s.task_state = None;
    let host = s.host.clone();
    push_event(s, op.action_index, event(ev, now, host.as_deref()), now);
}

/// Duration of the step that leads to `stage` in Timed mode.
fn delay_for(d: &crate::config::Durations, kind: OpKind, stage: u8) -> Duration {
    match kind {
        // A live migration's five steps take the cold ones' durations, stage by stage
        // (conductor, queued, preparing, running, completed).
        OpKind::Migrate | OpKind::LiveMigrate => match stage {
            1 => d.accepted,
            2 => d.conductor,
            3 => d.source,
            4 => d.source_done,
            _ => d.destination,
        },
        OpKind::Confirm => d.confirm,
        OpKind::Revert => d.revert,
        OpKind::Build => d.build,
        _ => d.power,
    }
}

/// After an API handler accepted an operation on `id` (and released the state
/// lock): drive it per the lifecycle mode. Instant mode already completed it
/// under the lock; this only schedules what happens later (timed steps, the
/// resize auto-confirm window).
pub(crate) fn drive(shared: &Arc<Shared>, id: Uuid) {
    let (kind, generation, done_stage, in_verify) = {
        let st = shared.state.lock();
        match st.servers.get(&id) {
            Some(s) => (
                s.in_flight.as_ref().map(|f| f.kind),
                s.in_flight.as_ref().map(|f| f.generation),
                // Steps already taken in the request (a synchronous conductor).
                s.in_flight.as_ref().map_or(0, |f| f.stage),
                s.vm_state == VmState::Resized && s.in_flight.is_none(),
            ),
            None => return,
        }
    };
    if in_verify {
        schedule_auto_confirm(shared, id);
    }
    let (Some(kind), Some(generation)) = (kind, generation) else {
        return;
    };
    let Lifecycle::Timed(durations) = shared.config.lifecycle else {
        return;
    };
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let shared = Arc::clone(shared);
    let epoch = shared.state_epoch.load(std::sync::atomic::Ordering::SeqCst);
    rt.spawn(async move {
        let mut stage = done_stage + 1;
        loop {
            tokio::time::sleep(delay_for(&durations, kind, stage)).await;
            let outcome = {
                let mut st = shared.state.lock();
                // A state load brought back records this timer no longer drives (the load
                // started timers of its own): stepping them too would step twice.
                if shared.state_epoch.load(std::sync::atomic::Ordering::SeqCst) != epoch {
                    break;
                }
                let now = shared.clock.now();
                step(&mut st, id, Some(generation), now)
            };
            match outcome {
                Step::More { stage: s } => stage = s,
                Step::Done => {
                    drive(&shared, id);
                    break;
                }
                Step::Idle => break,
            }
        }
    });
}

/// Nova's `resize_confirm_window`: confirm a VERIFY_RESIZE server automatically.
fn schedule_auto_confirm(shared: &Arc<Shared>, id: Uuid) {
    let Some(window) = shared.config.resize_confirm_window else {
        return;
    };
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let shared = Arc::clone(shared);
    let epoch = shared.state_epoch.load(std::sync::atomic::Ordering::SeqCst);
    rt.spawn(async move {
        tokio::time::sleep(window).await;
        let started = {
            let mut st = shared.state.lock();
            if shared.state_epoch.load(std::sync::atomic::Ordering::SeqCst) != epoch {
                return;
            }
            let now = shared.clock.now();
            begin_auto_confirm(&mut st, id, now, shared.config.lifecycle)
        };
        if started {
            drive(&shared, id);
        }
    });
}

fn begin_auto_confirm(st: &mut State, id: Uuid, now: DateTime<Utc>, lifecycle: Lifecycle) -> bool {
    let Some(mid) = st.migration_of(id, "finished").map(|m| m.id) else {
        return false;
    };
    let generation = st.next_generation();
    let Some(s) = st.servers.get_mut(&id) else {
        return false;
    };
    if s.vm_state != VmState::Resized || s.in_flight.is_some() {
        return false;
    }
    s.in_flight = Some(InFlight {
        migration_id: Some(mid),
        ..InFlight::accepted(
            OpKind::Confirm,
            generation,
            s.actions.len().saturating_sub(1),
        )
    });
    set_migration(st, mid, "confirming", now);
    if lifecycle == Lifecycle::Instant {
        run_to_completion(st, id, now);
    }
    true
}
