//! Removing the servers a run created: at the end of every run (also after a failed case, a
//! panic, Ctrl-C or SIGTERM) and by `nova-conform cleanup` for the leftovers of a crashed run.
//!
//! A server is only ever found by its id (recorded when created) or by the run's name prefix
//! `nova-conform-<run-id>-`, so nothing else in the cloud is touched. One left in
//! VERIFY_RESIZE is reverted first (deleting it would leave the resize's allocations to the
//! cloud's periodic cleanup); a locked one is unlocked; one in a task is given the wait timeout
//! to finish, then deleted anyway. Deletion is confirmed by polling until the server is gone.
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use reqwest::Method;
use serde_json::{json, Value};

use crate::cloud_api::{call, get_json, CallError, CallErrorKind};
use crate::cloud_target::{urlencode, NAME_PREFIX};
use crate::servers::settle::{self, Poll};
use crate::target::{Caller, Timing};

/// Version for the cleanup's own requests (`locked` is shown from 2.9).
const VERSION: &str = "2.56";

/// Progress lines (printed by the CLI).
pub type Progress = Arc<dyn Fn(String) + Send + Sync>;

/// A progress sink that drops everything.
pub fn quiet() -> Progress {
    Arc::new(|_| {})
}

/// The name prefix of the servers of run `run_id`.
pub fn run_prefix(run_id: &str) -> String {
    format!("{NAME_PREFIX}{run_id}-")
}

/// A server as cleanup sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub id: String,
    pub name: String,
    pub status: String,
    pub task_state: Option<String>,
    pub locked: bool,
}

fn seen(s: &Value) -> Seen {
    Seen {
        id: s["id"].as_str().unwrap_or_default().to_string(),
        name: s["name"].as_str().unwrap_or_default().to_string(),
        status: s["status"].as_str().unwrap_or_default().to_string(),
        task_state: s["OS-EXT-STS:task_state"].as_str().map(String::from),
        locked: s["locked"].as_bool().unwrap_or(false),
    }
}

/// `GET /servers/{id}`: `None` when gone (404, or DELETED); another answer is an error with
/// its exchange.
pub async fn show(admin: &Caller, id: &str) -> Result<Option<Seen>, CallError> {
    let a = call(admin, Method::GET, &format!("/servers/{id}"), VERSION, None).await?;
    match a.status {
        404 => Ok(None),
        200 => {
            let s = seen(&a.body["server"]);
            Ok((s.status != "DELETED").then_some(s))
        }
        _ => Err(CallError::unexpected(&format!("GET server {id}"), &a)),
    }
}

/// Why a wait for a server to settle ended without a settled server: still transitional at
/// the deadline (the last view, and the last failure to get one if the last poll failed), or
/// an answer that is not a server view (a 500, a 403...), never polled again silently.
pub type Unsettled = settle::Unsettled<Seen, CallError>;

fn transitional(s: &Seen) -> bool {
    settle::transitional(&s.status, s.task_state.as_deref())
}

/// Polls until the server is out of its transitional states. A poll that got no answer or a
/// 502/503/504 (after the retry policy's retries) is polled again until the deadline; an
/// unexpected answer (a 500, a 403) ends the wait at once.
pub async fn wait_settled(
    admin: &Caller,
    id: &str,
    timing: Timing,
) -> Result<Option<Seen>, Unsettled> {
    settle::until_settled(timing, || async {
        match show(admin, id).await {
            Ok(None) => Poll::Done(None),
            Ok(Some(s)) if !transitional(&s) => Poll::Done(Some(s)),
            Ok(Some(s)) => Poll::Moving(s),
            // Nothing usable even after the retry policy's retries (no answer, 502/503/504):
            // the next poll may do better, until the deadline.
            Err(e) if matches!(e.kind, CallErrorKind::NoAnswer | CallErrorKind::Unavailable) => {
                Poll::Retry(e)
            }
            Err(e) => Poll::Stop(e),
        }
    })
    .await
}

/// Why a server could not be removed.
#[derive(Debug, thiserror::Error)]
pub enum RemoveError {
    /// Looking the server up gave nothing usable.
    #[error(transparent)]
    Show(#[from] CallError),
    /// The DELETE answered a 5xx (an answer, not a glitch to retry silently), or still
    /// another status than 204/404 at the wait timeout.
    #[error("DELETE {name}: HTTP {status}: {fault}")]
    Refused {
        name: String,
        status: u16,
        fault: String,
    },
    /// The DELETE got no answer until the wait timeout.
    #[error("DELETE {name}: {source}")]
    NoAnswer {
        name: String,
        #[source]
        source: CallError,
    },
    /// Deleted, but still listed at the wait timeout.
    #[error("{name} still {status} (task {task_state}) {after:?} after the delete")]
    StillThere {
        name: String,
        status: String,
        task_state: String,
        after: Duration,
    },
}

/// Reverts, unlocks and deletes one server, and waits until it is gone.
pub async fn remove(
    admin: &Caller,
    id: &str,
    timing: Timing,
    progress: &Progress,
) -> Result<(), RemoveError> {
    let Some(mut s) = show(admin, id).await? else {
        return Ok(());
    };
    if transitional(&s) {
        progress(format!(
            "cleanup: {} is {} (task {}): waiting up to {:?}",
            s.name,
            s.status,
            s.task_state.as_deref().unwrap_or("none"),
            timing.timeout
        ));
        match wait_settled(admin, id, timing).await {
            Ok(None) => return Ok(()),
            Ok(Some(x)) => s = x,
            // Still busy: delete anyway (Nova deletes servers in any task).
            Err(_) => {}
        }
    }
    if s.locked {
        let _ = call(
            admin,
            Method::POST,
            &format!("/servers/{id}/action"),
            VERSION,
            Some(&json!({"unlock": null})),
        )
        .await;
    }
    if s.status == "VERIFY_RESIZE" {
        progress(format!("cleanup: reverting the resize of {}", s.name));
        let a = call(
            admin,
            Method::POST,
            &format!("/servers/{id}/action"),
            VERSION,
            Some(&json!({"revertResize": null})),
        )
        .await;
        if matches!(a, Ok(ref a) if a.status == 202) {
            let _ = wait_settled(admin, id, timing).await;
        } else {
            // A revert refused (or lost): confirm instead so the server can go cleanly.
            let _ = call(
                admin,
                Method::POST,
                &format!("/servers/{id}/action"),
                VERSION,
                Some(&json!({"confirmResize": null})),
            )
            .await;
            let _ = wait_settled(admin, id, timing).await;
        }
    }
    let deadline = tokio::time::Instant::now() + timing.timeout;
    loop {
        let a = call(
            admin,
            Method::DELETE,
            &format!("/servers/{id}"),
            VERSION,
            None,
        )
        .await;
        match a {
            Ok(a) if a.status == 204 || a.status == 404 => break,
            // A server error is an answer, not a glitch to retry silently: reported (the run
            // tries its leftovers once more at its end).
            Ok(a) if a.status >= 500 || tokio::time::Instant::now() >= deadline => {
                return Err(RemoveError::Refused {
                    name: s.name,
                    status: a.status,
                    fault: a.fault_message(),
                })
            }
            Err(source) if tokio::time::Instant::now() >= deadline => {
                return Err(RemoveError::NoAnswer {
                    name: s.name,
                    source,
                })
            }
            // 409 (a task still running) or no answer after the retry policy's retries: try
            // again shortly, until the wait timeout.
            _ => tokio::time::sleep(timing.poll_interval.max(Duration::from_millis(200))).await,
        }
    }
    loop {
        match show(admin, id).await {
            Ok(None) => return Ok(()),
            Ok(Some(x)) if tokio::time::Instant::now() >= deadline => {
                return Err(RemoveError::StillThere {
                    name: x.name,
                    status: x.status,
                    task_state: x.task_state.unwrap_or_else(|| "none".into()),
                    after: timing.timeout,
                })
            }
            _ => tokio::time::sleep(timing.poll_interval).await,
        }
    }
}

/// Removes every server in `ids`, 8 at a time; returns the failures (`id: reason`).
pub async fn remove_all(
    admin: &Caller,
    ids: Vec<String>,
    timing: Timing,
    progress: &Progress,
) -> Vec<String> {
    futures::stream::iter(ids)
        .map(|id| async move {
            remove(admin, &id, timing, progress)
                .await
                .err()
                .map(|e| format!("{id}: {e}"))
        })
        .buffer_unordered(8)
        .filter_map(|r| async move { r })
        .collect()
        .await
}

/// The servers whose name starts with `prefix`, in every project the admin can see.
pub async fn find_by_prefix(admin: &Caller, prefix: &str) -> Result<Vec<Seen>, CallError> {
    // Nova matches `name` as a regular expression; the exact prefix check below is what
    // decides (a cloud that ignores the filter still only yields our servers).
    let re = format!("^{}", regex::escape(prefix));
    let v = get_json(
        admin,
        &format!("/servers/detail?all_tenants=1&name={}", urlencode(&re)),
        VERSION,
    )
    .await?;
    Ok(v["servers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(seen)
        .filter(|s| s.name.starts_with(prefix))
        .collect())
}

/// `nova-conform cleanup`: removes the servers of run `run_id` (or of every run when `None`).
pub async fn sweep(
    admin: &Caller,
    run_id: Option<&str>,
    timing: Timing,
    progress: &Progress,
) -> Result<(usize, Vec<String>), CallError> {
    let prefix = match run_id {
        Some(r) => run_prefix(r),
        None => NAME_PREFIX.to_string(),
    };
    let found = find_by_prefix(admin, &prefix).await?;
    for s in &found {
        progress(format!("cleanup: {} ({}) {}", s.name, s.id, s.status));
    }
    let n = found.len();
    let failed = remove_all(
        admin,
        found.into_iter().map(|s| s.id).collect(),
        timing,
        progress,
    )
    .await;
    Ok((n - failed.len(), failed))
}
