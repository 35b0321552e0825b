//! The few Compute API calls the runner needs besides the migrate under test: show a server,
//! post an action, wait for a state, list migrations. All over HTTP as a caller.
use reqwest::Method;
use serde_json::Value;

use crate::http::{self, Repeat, VersionHeader};
use crate::servers::settle::{self, Poll, Unsettled};
use crate::target::{Caller, Timing};

/// Why a server call gave nothing usable.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ComputeError {
    /// No usable answer (no token, connection, timeout, over the size cap).
    #[error(transparent)]
    Transport(#[from] http::TransportError),
    /// Another status than the call needs (`body`: its first 300 characters).
    #[error("{what}: HTTP {status}: {body}")]
    Status {
        what: &'static str,
        status: u16,
        body: String,
    },
    #[error("{what}: bad JSON: {source}")]
    Json {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// A 404 while waiting for the server to settle.
    #[error("server {id} disappeared")]
    Disappeared { id: String },
    /// Still transitional at the deadline.
    #[error("timed out after {after:?}: server still {status} (task_state {task_state})")]
    TimedOut {
        after: std::time::Duration,
        status: String,
        task_state: String,
    },
}

/// The server fields the runner looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerView {
    pub id: String,
    pub status: String,
    pub task_state: Option<String>,
    pub host: Option<String>,
    pub locked: Option<bool>,
}

/// Version used for the runner's own calls: high enough for `locked` (2.9) and
/// `networks: none` (2.37), and within every target that has 2.56.
pub(crate) const HELPER_VERSION: &str = "2.56";

fn helper_version() -> VersionHeader {
    VersionHeader::modern(HELPER_VERSION)
}

/// `GET /servers/{id}`; `Ok(None)` on 404.
pub(crate) async fn show(caller: &Caller, id: &str) -> Result<Option<ServerView>, ComputeError> {
    let x = send_idempotent(
        caller,
        Method::GET,
        &format!("/servers/{id}"),
        Some(&helper_version()),
    )
    .await?;
    let r = x.response.expect("send returns a response on success");
    if r.status == 404 {
        return Ok(None);
    }
    if r.status != 200 {
        return Err(ComputeError::Status {
            what: "GET server",
            status: r.status,
            body: truncate(&r.body),
        });
    }
    let v: Value = serde_json::from_str(&r.body).map_err(|source| ComputeError::Json {
        what: "GET server",
        source,
    })?;
    let s = &v["server"];
    Ok(Some(ServerView {
        id: s["id"].as_str().unwrap_or(id).to_string(),
        status: s["status"].as_str().unwrap_or("").to_string(),
        task_state: s["OS-EXT-STS:task_state"].as_str().map(String::from),
        host: s["OS-EXT-SRV-ATTR:host"].as_str().map(String::from),
        locked: s["locked"].as_bool(),
    }))
}

/// `POST /servers/{id}/action` with `body`; returns the status.
pub(crate) async fn action(caller: &Caller, id: &str, body: &Value) -> Result<u16, ComputeError> {
    action_at(caller, id, body, Some(&helper_version())).await
}

/// `POST /servers/{id}/action` at a given version (`None`: no header, i.e. the minimum).
pub(crate) async fn action_at(
    caller: &Caller,
    id: &str,
    body: &Value,
    version: Option<&VersionHeader>,
) -> Result<u16, ComputeError> {
    // A setup or follow-through action (stop, lock, confirm...), not the request under test:
    // sent again only if the connection could not be made.
    let x = http::send_as(
        caller,
        Repeat::UnsentOnly,
        Method::POST,
        &format!("{}/servers/{id}/action", caller.compute_url),
        version,
        Some(serde_json::to_vec(body).expect("JSON serializes")),
    )
    .await
    .map_err(|(e, _)| ComputeError::Transport(e))?;
    Ok(x.response.map(|r| r.status).unwrap_or(0))
}

/// Polls until the server is out of its transitional states (task_state null and status not
/// one of BUILD/RESIZE/REVERT_RESIZE/MIGRATING) and returns it; `Err` with the last state on
/// timeout.
pub(crate) async fn wait_settled(
    caller: &Caller,
    id: &str,
    timing: Timing,
) -> Result<ServerView, ComputeError> {
    let polled = settle::until_settled(timing, || async {
        match show(caller, id).await {
            Ok(Some(s)) if settle::transitional(&s.status, s.task_state.as_deref()) => {
                Poll::Moving(s)
            }
            Ok(Some(s)) => Poll::Done(s),
            Ok(None) => Poll::Stop(ComputeError::Disappeared { id: id.to_string() }),
            // The call already went through the retry policy: what is left is an answer.
            Err(e) => Poll::Stop(e),
        }
    })
    .await;
    polled.map_err(|u| match u {
        Unsettled::Failed(e) => e,
        Unsettled::TimedOut { last, .. } => {
            let (status, task) = last.map(|s| (s.status, s.task_state)).unwrap_or_default();
            ComputeError::TimedOut {
                after: timing.timeout,
                status,
                task_state: task.unwrap_or_else(|| "none".into()),
            }
        }
    })
}

/// After confirmResize/revertResize: polls until the server has left VERIFY_RESIZE as well as
/// its transitional states. Nova answers the confirm (204) before the compute host has
/// finished it: the server shows VERIFY_RESIZE with no task and the migration `confirming`
/// for a while (Tempest waits for ACTIVE after a confirm for the same reason).
pub(crate) async fn wait_resize_finished(
    caller: &Caller,
    id: &str,
    timing: Timing,
) -> Result<ServerView, ComputeError> {
    let deadline = tokio::time::Instant::now() + timing.timeout;
    let polled = settle::until_settled(timing, || async {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let settled = wait_settled(
            caller,
            id,
            Timing {
                poll_interval: timing.poll_interval,
                timeout: left,
            },
        )
        .await;
        match settled {
            Ok(s) if s.status == "VERIFY_RESIZE" => Poll::Moving(s),
            Ok(s) => Poll::Done(s),
            Err(e) => Poll::Stop(e),
        }
    })
    .await;
    match polled {
        Ok(s) => Ok(s),
        // Still VERIFY_RESIZE at the deadline: the caller judges the state it is in.
        Err(Unsettled::TimedOut { last: Some(s), .. }) => Ok(s),
        // Not reached (every poll that does not end the wait leaves a view), but said.
        Err(Unsettled::TimedOut { last: None, .. }) => Err(ComputeError::TimedOut {
            after: timing.timeout,
            status: "unseen".into(),
            task_state: "none".into(),
        }),
        Err(Unsettled::Failed(e)) => Err(e),
    }
}

/// The newest migration record of `server_id` from `GET /os-migrations` at `version`.
pub(crate) async fn latest_migration(
    caller: &Caller,
    server_id: &str,
    version: &str,
) -> Result<Option<Value>, ComputeError> {
    let x = send_idempotent(
        caller,
        Method::GET,
        &format!("/os-migrations?instance_uuid={server_id}"),
        Some(&VersionHeader::modern(version)),
    )
    .await?;
    let r = x.response.expect("send returns a response on success");
    if r.status != 200 {
        return Err(ComputeError::Status {
            what: "GET os-migrations",
            status: r.status,
            body: truncate(&r.body),
        });
    }
    let v: Value = serde_json::from_str(&r.body).map_err(|source| ComputeError::Json {
        what: "os-migrations",
        source,
    })?;
    let list = v["migrations"].as_array().cloned().unwrap_or_default();
    Ok(list
        .into_iter()
        .filter(|m| m["instance_uuid"].as_str() == Some(server_id))
        .max_by_key(|m| m["id"].as_i64().unwrap_or(0)))
}

/// Sends a GET or DELETE under the one retry policy ([`Repeat::Idempotent`]: connection
/// errors, timeouts and 502/503/504; never a 500, which is returned as the answer).
async fn send_idempotent(
    caller: &Caller,
    method: Method,
    path: &str,
    version: Option<&VersionHeader>,
) -> Result<crate::exchange::Exchange, ComputeError> {
    let url = format!("{}{path}", caller.compute_url);
    http::send_as(caller, Repeat::Idempotent, method, &url, version, None)
        .await
        .map_err(|(e, _)| ComputeError::Transport(e))
}

fn truncate(s: &str) -> String {
    s.chars().take(300).collect()
}
