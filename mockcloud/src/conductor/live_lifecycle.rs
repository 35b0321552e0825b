//! The asynchronous half of a live migration (`os-migrateLive`): the conductor's
//! `LiveMigrationTask` and the source compute's `live_migration`, one step at a time
//! (driven by `crate::conductor::lifecycle` like every other operation).
//!
//! | stage | migration status | task_state | server status | events (instance action `live-migration`) |
//! |---|---|---|---|---|
//! | 0 accepted by the API | - (none yet) | migrating | MIGRATING | - |
//! | 1 conductor | accepted (pre-checks; a failure ends here: `error`) | migrating | MIGRATING | conductor_live_migrate_instance (conductor_migrate_server before 2.34), compute_check_can_live_migrate_destination, compute_check_can_live_migrate_source |
//! | 2 source compute | queued | migrating | MIGRATING | compute_live_migration |
//! | 3 | preparing | migrating | MIGRATING | compute_pre_live_migration |
//! | 4 | running | migrating | MIGRATING | - |
//! | 5 done | completed (host flips to the destination) | None | ACTIVE / PAUSED | compute_post_live_migration_at_destination |
//!
//! Sources (upstream Nova master = 34.0.0): `nova/conductor/manager.py` `_live_migrate`
//! (migration created `accepted`, type `live-migration`, `dest_compute` = the forced
//! destination or None; on a pre-check failure the migration goes `error` and
//! `set_vm_state_and_notify` puts the server back to its vm_state with task_state None and
//! a fault); `nova/conductor/tasks/live_migrate.py` `_execute` (source up, then either the
//! scheduler (`_find_destination`, no destination given or not forced) or, for a forced
//! destination, `_check_destination_is_not_source`, `_check_host_is_up`,
//! `_check_destination_has_enough_memory` and `claim_resources_on_destination`);
//! `nova/compute/manager.py` `live_migration` (`queued`), `_do_live_migration`
//! (`preparing`, `running`), `_post_live_migration` (`completed`).

use crate::conductor::lifecycle::{event, push_event, set_migration};
use crate::conductor::scheduler::{self, RequestSpec};
use crate::state::model::*;
use crate::state::store::State;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A conductor pre-check failure: the exception's `format_message()` and the instance
/// fault's code (400 for `Invalid` subclasses, 500 for the others).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PreCheckError {
    pub message: String,
    pub code: u16,
    /// The conductor frame that raised it (for the synthetic traceback).
    frame: &'static str,
    exception: &'static str,
}

/// One step of the live migration in flight. Returns true when it ended.
pub(crate) fn step(st: &mut State, id: Uuid, op: &InFlight, next: u8, now: DateTime<Utc>) -> bool {
    let mid = op.migration_id.unwrap_or(0);
    match next {
        1 => conductor(st, id, op, now, false).is_err(),
        2 => {
            set_migration(st, mid, "queued", now);
            if let Some(s) = st.servers.get_mut(&id) {
                let host = s.host.clone();
                push_event(
                    s,
                    op.action_index,
                    event("compute_live_migration", now, host.as_deref()),
                    now,
                );
            }
            false
        }
        3 => {
            set_migration(st, mid, "preparing", now);
            let dest = st.migrations.get(&mid).and_then(|m| m.dest_compute.clone());
            if let Some(s) = st.servers.get_mut(&id) {
                push_event(
                    s,
                    op.action_index,
                    event("compute_pre_live_migration", now, dest.as_deref()),
                    now,
                );
            }
            false
        }
        4 => {
            set_migration(st, mid, "running", now);
            false
        }
        _ => {
            complete(st, id, op, now);
            true
        }
    }
}

/// `_post_live_migration`: the server is on the destination, the source allocation (held
/// by the migration) is gone, the migration `completed`.
fn complete(st: &mut State, id: Uuid, op: &InFlight, now: DateTime<Utc>) {
    let mid = op.migration_id.unwrap_or(0);
    let (muuid, dest) = match st.migrations.get(&mid) {
        Some(m) => (Some(m.uuid), m.dest_compute.clone()),
        None => (None, None),
    };
    set_migration(st, mid, "completed", now);
    if let Some(m) = muuid {
        st.free(m);
    }
    if let Some(s) = st.servers.get_mut(&id) {
        s.task_state = None;
        if dest.is_some() {
            s.host = dest.clone();
        }
        push_event(
            s,
            op.action_index,
            event(
                "compute_post_live_migration_at_destination",
                now,
                dest.as_deref(),
            ),
            now,
        );
    }
}

/// The conductor's `_live_migrate`: create the migration (`accepted`), run the
/// `LiveMigrationTask` pre-checks, and either record the destination (stage 1 done) or the
/// failure (migration `error`, the server back to its vm_state with task_state None, the
/// fault, the conductor event `Error`). `sync` is the API's pre-2.34 RPC call
/// (`migrate_server`, hence the event `conductor_migrate_server`) instead of the 2.34+ cast
/// (`live_migrate_instance`). On failure the operation is over (`in_flight` cleared).
pub(crate) fn conductor(
    st: &mut State,
    id: Uuid,
    op: &InFlight,
    now: DateTime<Utc>,
    sync: bool,
) -> Result<(), PreCheckError> {
    let conductor_event = if sync {
        "conductor_migrate_server"
    } else {
        "conductor_live_migrate_instance"
    };
    let Some(s) = st.servers.get(&id) else {
        return Ok(());
    };
    let flavor = s.flavor.clone();
    let source = s.host.clone().unwrap_or_default();
    let (user_id, project_id) = op
        .requested_by
        .clone()
        .unwrap_or_else(|| (s.user_id.clone(), s.project_id.clone()));
    // `op.force`: the conductor got a destination (`scheduler_hint['host']`): forced at
    // 2.30-2.67, or any host before 2.30 (`force` is None there, so compute/api.py keeps
    // host_name and the scheduler is bypassed).
    let forced_dest = op.requested_host.clone().filter(|_| op.force);
    let mid = st.new_migration_id();
    let migration = Migration {
        id: mid,
        uuid: Uuid::new_v4(),
        instance_uuid: id,
        source_compute: source.clone(),
        // `source_node` is set only once a destination is chosen (`_execute`): null on a
        // pre-check failure (observed on 34.0.0). The record's empty string is shown as null.
        source_node: String::new(),
        dest_compute: forced_dest.clone(),
        dest_node: None,
        // Live migrations never set dest_host (only the cold move claim does).
        dest_host: None,
        old_instance_type_id: flavor.internal_id,
        new_instance_type_id: flavor.internal_id,
        status: "accepted".into(),
        migration_type: MigrationType::LiveMigration,
        user_id,
        project_id,
        created_at: now,
        updated_at: now,
    };
    let muuid = migration.uuid;
    st.migrations.insert(mid, migration);
    if let Some(f) = st.servers.get_mut(&id).and_then(|s| s.in_flight.as_mut()) {
        f.migration_id = Some(mid);
    }
    // `migrate.replace_allocation_with_migration`: the migration holds the source.
    st.move_allocation(id, muuid);
    let outcome = pre_checks(st, id, &source, forced_dest.as_deref(), op, &flavor);
    match outcome {
        Ok(dest) => {
            st.allocate(id, &dest, Resources::of_flavor(&flavor));
            if let Some(m) = st.migrations.get_mut(&mid) {
                m.source_node = source.clone();
                m.dest_compute = Some(dest.clone());
                m.dest_node = Some(dest.clone());
                m.updated_at = now;
            }
            if let Some(s) = st.servers.get_mut(&id) {
                for (name, host) in [
                    (conductor_event, None),
                    (
                        "compute_check_can_live_migrate_destination",
                        Some(dest.as_str()),
                    ),
                    (
                        "compute_check_can_live_migrate_source",
                        Some(source.as_str()),
                    ),
                ] {
                    push_event(s, op.action_index, event(name, now, host), now);
                }
            }
            Ok(())
        }
        Err(e) => {
            // `rollback`: the allocation returns to the instance on the source.
            st.move_allocation(muuid, id);
            set_migration(st, mid, "error", now);
            if let Some(s) = st.servers.get_mut(&id) {
                s.task_state = None;
                s.in_flight = None;
                s.fault = Some(InstanceFault {
                    code: e.code,
                    message: e.message.clone(),
                    details: String::new(),
                    created: now,
                });
                if let Some(a) = s.actions.get_mut(op.action_index) {
                    a.message = Some("Error".into());
                    a.updated_at = now;
                    a.events.push(ActionEvent {
                        event: conductor_event.into(),
                        start_time: now,
                        finish_time: Some(now),
                        result: Some("Error".into()),
                        traceback: Some(format!(
                            "Traceback (most recent call last):\n  File \"nova/conductor/tasks/live_migrate.py\", in {}\n    raise exception.{}\nnova.exception.{}: {}\n",
                            e.frame, e.exception, e.exception, e.message
                        )),
                        host: None,
                        details: Some(e.message.clone()),
                    });
                }
            }
            Err(e)
        }
    }
}

/// `LiveMigrationTask._execute`'s checks, in its order. Returns the destination.
fn pre_checks(
    st: &State,
    id: Uuid,
    source: &str,
    forced_dest: Option<&str>,
    op: &InFlight,
    flavor: &Flavor,
) -> Result<String, PreCheckError> {
    let unavailable = |host: &str, frame| PreCheckError {
        message: format!("Compute service of {host} is unavailable at this time."),
        code: 400,
        frame,
        exception: "ComputeServiceUnavailable",
    };
    if !st.hosts.get(source).is_some_and(Host::is_up) {
        return Err(unavailable(source, "_check_host_is_up"));
    }
    let need = Resources::of_flavor(flavor);
    let Some(dest) = forced_dest else {
        return find_destination(
            st,
            source,
            op.requested_host.as_deref(),
            need,
            op.placement_prefilters,
        );
    };
    if dest == source {
        return Err(PreCheckError {
            message: format!("Unable to migrate instance ({id}) to current host ({dest})."),
            code: 400,
            frame: "_check_destination_is_not_source",
            exception: "UnableToMigrateToSelf",
        });
    }
    // The force flag skips the scheduler's filters, not these checks: a disabled but up
    // destination is accepted, a down one is not.
    if !st.hosts.get(dest).is_some_and(Host::is_up) {
        return Err(unavailable(dest, "_check_host_is_up"));
    }
    let total = st.hosts.get(dest).map_or(0, |h| h.memory_mb);
    // The compute node's memory_mb_used, the reserved memory included.
    let used = st.used_on(dest).memory_mb + st.hosts.get(dest).map_or(0, |h| h.reserved_memory_mb);
    // avail = total_ram_mb * ram_ratio - (total_ram_mb - free_ram_mb), a Python float; the
    // ratio is the series' default (`behaviour.ram_allocation_ratio`: observed on 34.0.0, a
    // forced move to compute-full, 768 MB with 256 MB free, "Lack of memory(host:256.0 <=
    // instance:512)"; on 17.0.13 and 20.6.1 the same host passes this check, ratio 1.5).
    let avail = total as f64 * op.ram_allocation_ratio - used as f64;
    if flavor.ram == 0 || avail <= flavor.ram as f64 {
        return Err(PreCheckError {
            message: format!(
                "Migration pre-check error: Unable to migrate {id} to {dest}: Lack of memory(host:{} <= instance:{})",
                crate::pyfmt::repr_float(avail),
                flavor.ram
            ),
            code: 500,
            frame: "_check_destination_has_enough_memory",
            exception: "MigrationPreCheckError",
        });
    }
    // `claim_resources_on_destination`: placement must fit the instance on the host (the
    // mock's inventory has no allocation ratios).
    if !fits(st, dest, need) {
        return Err(no_valid_host(format!(
            "Unable to move instance {id} to host {dest}. There is not enough capacity on the host for the instance."
        )));
    }
    Ok(dest.to_string())
}

fn fits(st: &State, host: &str, need: Resources) -> bool {
    st.free_on(host).is_some_and(|f| {
        f.vcpus >= need.vcpus && f.memory_mb >= need.memory_mb && f.disk_gb >= need.disk_gb
    })
}

fn no_valid_host(reason: String) -> PreCheckError {
    PreCheckError {
        message: format!("No valid host was found. {reason}"),
        code: 500,
        frame: "_find_destination",
        exception: "NoValidHost",
    }
}

/// `_find_destination` -> `select_destinations`: placement's allocation candidates first
/// (none: `NoValidHost(reason="")`, nova/scheduler/manager.py; from Nova 20.0.0 the query
/// is limited to the requested host (`in_tree`) and leaves disabled computes out
/// (`compute_status_filter`): `prefilters`), then the filters (requested destination,
/// ignore_hosts = [source], ComputeFilter): none left is "There are not enough hosts
/// available." (observed on 34.0.0 and 20.6.1: a disabled or full requested host "No valid
/// host was found. ", the source "... There are not enough hosts available."; on 17.0.13 all
/// three the latter).
fn find_destination(
    st: &State,
    source: &str,
    requested: Option<&str>,
    need: Resources,
    prefilters: bool,
) -> Result<String, PreCheckError> {
    let candidates = st
        .hosts
        .iter()
        .filter(|(h, _)| !prefilters || requested.is_none_or(|r| r == h.as_str()))
        .filter(|(_, host)| host.enabled || !prefilters)
        .any(|(h, _)| fits(st, h, need));
    if !candidates {
        return Err(no_valid_host(String::new()));
    }
    let spec = RequestSpec {
        resources: need,
        ignore_hosts: vec![source.to_string()],
        requested_host: requested.map(str::to_string),
        force: false,
    };
    scheduler::select(st, &spec).map_err(|e| no_valid_host(e.reason))
}

/// `live_migration_abort` of a queued, preparing or running live migration: the
/// migration is `cancelled`, the server stays on the source with task_state None, the
/// destination allocation goes and the source one returns to the instance
/// (`_rollback_live_migration(migration_status='cancelled')`). `cancel_action` is the
/// index of the `live_migration_cancel` action the API recorded.
pub(crate) fn abort(st: &mut State, id: Uuid, mid: u64, cancel_action: usize, now: DateTime<Utc>) {
    let muuid = st.migrations.get(&mid).map(|m| m.uuid);
    set_migration(st, mid, "cancelled", now);
    if let Some(m) = muuid {
        st.free(id);
        st.move_allocation(m, id);
    }
    if let Some(s) = st.servers.get_mut(&id) {
        s.task_state = None;
        s.in_flight = None;
        s.updated_at = now;
        let host = s.host.clone();
        push_event(
            s,
            cancel_action,
            event("compute_live_migration_abort", now, host.as_deref()),
            now,
        );
    }
}
