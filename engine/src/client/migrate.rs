//! `nova-conform migrate [--force] <server> [<host>] [--wait] [--confirm | --revert]`.
//!
//! The microversion is chosen as a client would: 2.56 when a host is named (the first that
//! reads it), else 2.1 with `{"migrate": null}`, the body every cloud accepts. `--force` is
//! sent only to an endpoint whose profile has it (pike-spec): upstream Nova has no force for
//! cold migration at any microversion (the schema refuses the extra property with a 400), so
//! with the `nova` profile the client refuses it itself, saying why. The migrate POST is
//! never repeated: if its answer is lost, the server's state is shown instead.
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::cleanup::Progress;
use crate::client::output::{show, Format};
use crate::cloud_api::{call, Answer};
use crate::cloud_target::find_server;
use crate::microversion::Microversion;
use crate::oracle::Profile;
use crate::target::{Caller, Timing};

/// Why a client command did not succeed; each maps to an exit code (the CLI's `exit.rs`).
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Bad arguments or configuration: exit 2.
    #[error("{0}")]
    Usage(String),
    /// The API refused (Nova's fault message): exit 1.
    #[error("{message} (HTTP {status})")]
    Refused { status: u16, message: String },
    /// The request was accepted but the migration did not complete: exit 1.
    #[error("{0}")]
    Failed(String),
    /// No usable answer (connection, timeout, unexpected 5xx): exit 3.
    #[error("{0}")]
    Transport(String),
}

/// What to do after the migration reached VERIFY_RESIZE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    Confirm,
    Revert,
}

/// A migrate request from the command line.
#[derive(Debug, Clone)]
pub struct MigrateRequest {
    pub server: String,
    pub host: Option<String>,
    pub force: bool,
    pub wait: bool,
    pub finish: Option<Finish>,
    pub profile: Profile,
    pub timing: Timing,
}

const HOST_VERSION: Microversion = Microversion::new(2, 56);

/// The microversion and body a client sends for `req` to a cloud whose maximum is `max`;
/// `Err` (usage) for what the endpoint cannot accept.
pub fn request_for(
    req: &MigrateRequest,
    max: Microversion,
) -> Result<(String, Value), ClientError> {
    if req.force && req.host.is_none() {
        // The message live-migrate gives for the same mistake.
        return Err(ClientError::Usage(
            "--force needs a host: Can't force to a non-provided destination".into(),
        ));
    }
    if req.force && req.profile == Profile::Nova {
        return Err(ClientError::Usage(
            "--force: upstream Nova has no force for cold migration (no microversion accepts a \
             `force` member in `migrate`; the request would be refused with 400 \"Additional \
             properties are not allowed\"); only an endpoint implementing the Pike spec accepts \
             it: pass --profile pike-spec if yours does"
                .into(),
        ));
    }
    match &req.host {
        Some(host) => {
            if host.trim().is_empty() {
                return Err(ClientError::Usage("the host name is empty".into()));
            }
            if max < HOST_VERSION {
                return Err(ClientError::Usage(format!(
                    "the cloud's maximum compute microversion is {max}; naming a host needs \
                     {HOST_VERSION}"
                )));
            }
            let mut inner = json!({"host": host});
            if req.force {
                inner["force"] = json!(true);
            }
            Ok((HOST_VERSION.to_string(), json!({"migrate": inner})))
        }
        None => Ok(("2.1".into(), json!({"migrate": null}))),
    }
}

fn server_fields(s: &Value) -> Vec<(&'static str, Value)> {
    vec![
        ("id", s["id"].clone()),
        ("name", s["name"].clone()),
        ("status", s["status"].clone()),
        ("OS-EXT-STS:task_state", s["OS-EXT-STS:task_state"].clone()),
        ("OS-EXT-SRV-ATTR:host", s["OS-EXT-SRV-ATTR:host"].clone()),
    ]
}

async fn get_server(caller: &Caller, id: &str) -> Result<Value, ClientError> {
    let a = call(caller, Method::GET, &format!("/servers/{id}"), "2.56", None)
        .await
        .map_err(|e| ClientError::Transport(e.into()))?;
    if a.status != 200 {
        return Err(refused(&a));
    }
    Ok(a.body["server"].clone())
}

fn refused(a: &Answer) -> ClientError {
    if a.status >= 500 {
        ClientError::Transport(format!("HTTP {}: {}", a.status, a.fault_message()))
    } else {
        ClientError::Refused {
            status: a.status,
            message: a.fault_message(),
        }
    }
}

/// Polls until the server settles, reporting each new state; `leave_verify` also waits for
/// it to leave VERIFY_RESIZE (after a confirm or revert).
async fn wait(
    caller: &Caller,
    id: &str,
    timing: Timing,
    leave_verify: bool,
    progress: &Progress,
) -> Result<Value, ClientError> {
    let deadline = tokio::time::Instant::now() + timing.timeout;
    let mut last = String::new();
    loop {
        let s = get_server(caller, id).await?;
        let status = s["status"].as_str().unwrap_or("").to_string();
        let task = s["OS-EXT-STS:task_state"].as_str().map(String::from);
        let now = format!("{status} (task {})", task.as_deref().unwrap_or("none"));
        if now != last {
            progress(format!("server {id}: {now}"));
            last = now;
        }
        let busy = task.is_some()
            || matches!(
                status.as_str(),
                "BUILD" | "RESIZE" | "REVERT_RESIZE" | "MIGRATING"
            )
            || (leave_verify && status == "VERIFY_RESIZE");
        if !busy {
            return Ok(s);
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(ClientError::Transport(format!(
                "timed out after {:?}: the server is still {last}",
                timing.timeout
            )));
        }
        tokio::time::sleep(timing.poll_interval).await;
    }
}

/// Runs the request; returns what to print.
pub async fn run(
    caller: &Caller,
    max: Microversion,
    req: &MigrateRequest,
    format: Format,
    progress: &Progress,
) -> Result<String, ClientError> {
    let (version, body) = request_for(req, max)?;
    let found = find_server(caller, &req.server)
        .await
        .map_err(|e| ClientError::Usage(e.to_string()))?;
    let id = found.id.clone();
    let before = get_server(caller, &id).await?;
    let a = crate::cloud_api::call_once(
        caller,
        Method::POST,
        &format!("/servers/{id}/action"),
        &version,
        Some(&body),
    )
    .await;
    let a = match a {
        Ok(a) => a,
        Err(e) => {
            // Never resent: look at the server instead.
            let state = match get_server(caller, &id).await {
                Ok(s) => format!(
                    "the server is now {} (task {})",
                    s["status"].as_str().unwrap_or("?"),
                    s["OS-EXT-STS:task_state"].as_str().unwrap_or("none")
                ),
                Err(e2) => format!("its state is unknown ({e2})"),
            };
            return Err(ClientError::Transport(format!(
                "no answer to the migrate request ({e}); {state}; the request was not sent again \
                 (it may have been accepted): check with `nova-conform migration list --server {id}`"
            )));
        }
    };
    if a.status != 202 {
        return Err(refused(&a));
    }
    progress(format!(
        "migration of {} accepted (compute {version}{})",
        found.name,
        req.host
            .as_deref()
            .map(|h| format!(", host {h}"))
            .unwrap_or_default()
    ));
    if !req.wait && req.finish.is_none() {
        return Ok(show(
            &server_fields(&get_server(caller, &id).await?),
            format,
        ));
    }
    let settled = wait(caller, &id, req.timing, false, progress).await?;
    let source = before["OS-EXT-SRV-ATTR:host"].as_str().unwrap_or("");
    if settled["status"] != "VERIFY_RESIZE" {
        let mig = latest_migration(caller, &id).await;
        return Err(ClientError::Failed(format!(
            "the migration did not complete: server {} on {} (migration status {})",
            settled["status"].as_str().unwrap_or("?"),
            settled["OS-EXT-SRV-ATTR:host"].as_str().unwrap_or("?"),
            mig.as_ref()
                .and_then(|m| m["status"].as_str())
                .unwrap_or("unknown")
        )));
    }
    let mut end = settled;
    if let Some(f) = req.finish {
        let (action, want) = match f {
            Finish::Confirm => (json!({"confirmResize": null}), 204),
            Finish::Revert => (json!({"revertResize": null}), 202),
        };
        let a = call(
            caller,
            Method::POST,
            &format!("/servers/{id}/action"),
            "2.1",
            Some(&action),
        )
        .await
        .map_err(|e| ClientError::Transport(e.into()))?;
        if a.status != want {
            return Err(refused(&a));
        }
        end = wait(caller, &id, req.timing, true, progress).await?;
    }
    let mut fields = server_fields(&end);
    fields.push(("source host", json!(source)));
    if let Some(m) = latest_migration(caller, &id).await {
        fields.push(("migration id", m["id"].clone()));
        fields.push(("migration status", m["status"].clone()));
    }
    Ok(show(&fields, format))
}

async fn latest_migration(caller: &Caller, id: &str) -> Option<Value> {
    let a = call(
        caller,
        Method::GET,
        &format!("/os-migrations?instance_uuid={id}"),
        "2.23",
        None,
    )
    .await
    .ok()?;
    a.body["migrations"]
        .as_array()?
        .iter()
        .filter(|m| m["instance_uuid"].as_str() == Some(id))
        .max_by_key(|m| m["id"].as_i64().unwrap_or(0))
        .cloned()
}

/// Default waits of the client: like openstackclient's `--wait` (poll every 1 s, up to an hour
/// per step would be its default; 300 s here, as the suite).
pub fn default_timing() -> Timing {
    Timing {
        poll_interval: Duration::from_secs(1),
        timeout: Duration::from_secs(300),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(host: Option<&str>, force: bool, profile: Profile) -> MigrateRequest {
        MigrateRequest {
            server: "vm".into(),
            host: host.map(String::from),
            force,
            wait: false,
            finish: None,
            profile,
            timing: default_timing(),
        }
    }

    #[test]
    fn version_and_body_as_a_client_chooses_them() {
        let max: Microversion = "2.96".parse().unwrap();
        let (v, b) = request_for(&req(Some("c2"), false, Profile::Nova), max).unwrap();
        assert_eq!(
            (v.as_str(), b),
            ("2.56", json!({"migrate": {"host": "c2"}}))
        );
        let (v, b) = request_for(&req(None, false, Profile::Nova), max).unwrap();
        assert_eq!((v.as_str(), b), ("2.1", json!({"migrate": null})));
        let (_, b) = request_for(&req(Some("c2"), true, Profile::PikeSpec), max).unwrap();
        assert_eq!(b, json!({"migrate": {"host": "c2", "force": true}}));
    }

    #[test]
    fn force_is_refused_with_the_reason() {
        let max: Microversion = "2.96".parse().unwrap();
        let e = request_for(&req(Some("c2"), true, Profile::Nova), max).unwrap_err();
        assert!(
            matches!(e, ClientError::Usage(_)),
            "a usage error (exit 2): {e:?}"
        );
        assert!(e.to_string().contains("upstream Nova has no force"), "{e}");
        let e = request_for(&req(None, true, Profile::PikeSpec), max).unwrap_err();
        assert!(e
            .to_string()
            .contains("Can't force to a non-provided destination"));
        let e = request_for(
            &req(Some("c2"), false, Profile::Nova),
            "2.55".parse().unwrap(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("needs 2.56"), "{e}");
    }
}
