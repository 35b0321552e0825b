//! After an accepted live migration (`os-migrateLive`): wait until the server is out of
//! MIGRATING, check where it is and its status (the one it had: ACTIVE or PAUSED) and the
//! migration record (`live-migration`, `completed` or `error`). Nothing to confirm: a live
//! migration ends on its own, and the server goes back to the pool on its new host.
use serde_json::Value;

use crate::compute::{self, ComputeError};
use crate::expectation::EndState;
use crate::followthrough::{mm, record_end, record_shape, FollowInput, FollowOutcome};
use crate::judging::follow_up::{Ended, LiveHost};

pub(crate) async fn follow_live(input: FollowInput<'_>) -> FollowOutcome {
    let mut out = FollowOutcome::default();
    let source = input.server.host.as_str();
    let settled = match compute::wait_settled(input.admin, &input.server.id, input.timing).await {
        Ok(s) => s,
        Err(e) => {
            out.end = "never settled".into();
            out.error = Some(format!("waiting for the live migration: {e}"));
            return out;
        }
    };
    let host = settled.host.clone().unwrap_or_default();
    let back_status = input.precondition.status().unwrap_or("ACTIVE");
    let migration = match wait_migration_done(&input).await {
        Ok(m) => m,
        Err(e) => {
            out.error = Some(e.to_string());
            out.last = Some(settled);
            return out;
        }
    };
    let moved = host != source;
    let on_requested = input.requested_host.is_some_and(|h| h == host);
    let status = migration
        .as_ref()
        .and_then(|m| m["status"].as_str())
        .map(String::from);
    // As for cold: a scheduler that picks the named host by chance still satisfies "another
    // host", so the description does not depend on its luck.
    let end = if settled.status == back_status && moved {
        Ended::LiveMigrated(if input.expected_end == EndState::LiveOnOther {
            LiveHost::Other
        } else if on_requested {
            LiveHost::Requested
        } else if input.requested_host.is_some() {
            LiveHost::OtherThanRequested
        } else {
            LiveHost::Other
        })
    } else if settled.status == back_status {
        match status.as_deref() {
            Some("error") => Ended::LiveFailure,
            _ => Ended::LiveUnchanged,
        }
    } else {
        Ended::Other {
            status: settled.status.clone(),
            moved,
        }
    };
    let class = record_end(
        &mut out,
        end,
        migration.as_ref(),
        source,
        &host,
        input.expected_end,
    );
    match &migration {
        Some(m) if moved || class == Some(EndState::AsyncFailure) => {
            check_live_record(&mut out, m, &input, source, moved.then_some(&host))
        }
        // An older record of this server (unchanged: this request started nothing).
        Some(_) => {}
        None if class.is_some_and(|c| c != EndState::Unchanged) => {
            out.mismatches
                .push(mm("migration record", "one in GET /os-migrations", "none"))
        }
        None => {}
    }
    out.last = Some(settled);
    out
}

/// Statuses of a live migration that has not finished (`migration_get_in_progress_by_instance`
/// and the conductor's `accepted`).
const IN_PROGRESS: &[&str] = &[
    "accepted",
    "queued",
    "preparing",
    "running",
    "post-migrating",
];

/// The newest migration record, once it has finished. Upstream clears the server's
/// task_state and moves its host in `post_live_migration_at_destination`, then the source
/// compute cleans up and only then marks the migration `completed` (observed on Nova 34.0.0:
/// `running` for a moment after the server shows ACTIVE on the destination), so a settled
/// server is not yet a finished migration; the next case on the server waits for it too.
async fn wait_migration_done(input: &FollowInput<'_>) -> Result<Option<Value>, ComputeError> {
    let deadline = tokio::time::Instant::now() + input.timing.timeout;
    let version = input.version.to_string();
    loop {
        let m = compute::latest_migration(input.admin, &input.server.id, &version).await?;
        let busy = m
            .as_ref()
            .and_then(|m| m["status"].as_str())
            .is_some_and(|s| IN_PROGRESS.contains(&s));
        if !busy || tokio::time::Instant::now() >= deadline {
            return Ok(m);
        }
        tokio::time::sleep(input.timing.poll_interval).await;
    }
}

/// The live-migration record at the case's microversion: its fields, `migration_type`
/// `live-migration` (2.23+), the source, and `completed` with the destination after a move or
/// `error` after a failure.
fn check_live_record(
    out: &mut FollowOutcome,
    m: &Value,
    input: &FollowInput<'_>,
    source: &str,
    dest: Option<&String>,
) {
    let Some(obj) = record_shape(out, m, input.version, "live-migration") else {
        return;
    };
    let s = |k: &str| obj.get(k).and_then(Value::as_str).map(String::from);
    if s("source_compute").as_deref() != Some(source) {
        out.mismatches.push(mm(
            "migration.source_compute",
            source,
            s("source_compute").unwrap_or("null".into()),
        ));
    }
    let (want, dest_want) = match dest {
        Some(d) => ("completed", Some(d.as_str())),
        None => ("error", None),
    };
    if s("status").as_deref() != Some(want) {
        out.mismatches.push(mm(
            "migration.status",
            want,
            s("status").unwrap_or("null".into()),
        ));
    }
    if let Some(d) = dest_want {
        if s("dest_compute").as_deref() != Some(d) {
            out.mismatches.push(mm(
                "migration.dest_compute",
                d,
                s("dest_compute").unwrap_or("null".into()),
            ));
        }
    }
}
