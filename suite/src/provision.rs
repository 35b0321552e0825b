//! Servers in a precondition, on demand, reused while they are untouched.
//!
//! Creating and preparing a server costs several requests; most cases are refused with a 4xx
//! that (by the API contract: every error is raised before any state change) leaves the server
//! as it was, and an accepted case ends with confirm/revert, after which the runner has checked
//! the server's state itself. So a server goes back to the pool of its precondition when the
//! runner saw it in that precondition again, and is deleted otherwise. One case holds a server
//! exclusively while it runs. Every server created is deleted by [`ServerPool::cleanup`].
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use parking_lot::Mutex;
use serde_json::json;

use crate::compute::{self, ServerView};
use crate::target::{Caller, ServerTemplate, Timing};
use crate::variant::Precondition;

/// A server held by one case.
#[derive(Debug, Clone)]
pub struct Server {
    pub id: String,
    pub host: String,
    /// Accepted migrations this server has been through.
    pub migrations: u32,
}

/// A server is retired after this many accepted migrations: every migration stays in its
/// `os-migrations` listing (unpaged below 2.59), so a long-lived server makes each check
/// slower than the last.
pub const MAX_MIGRATIONS_PER_SERVER: u32 = 6;

pub struct ServerPool {
    admin: Caller,
    template: ServerTemplate,
    timing: Timing,
    free: Mutex<HashMap<Precondition, Vec<Server>>>,
    created: Mutex<HashSet<String>>,
    counter: AtomicUsize,
    run_id: String,
}

impl ServerPool {
    pub fn new(admin: Caller, template: ServerTemplate, timing: Timing, run_id: String) -> Self {
        Self {
            admin,
            template,
            timing,
            free: Mutex::new(HashMap::new()),
            created: Mutex::new(HashSet::new()),
            counter: AtomicUsize::new(0),
            run_id,
        }
    }

    /// How many servers this run created (for the summary and the bench).
    pub fn created_count(&self) -> usize {
        self.counter.load(Ordering::Relaxed)
    }

    /// A server in `pre` (not for [`Precondition::Nonexistent`]).
    pub async fn acquire(&self, pre: Precondition) -> Result<Server, String> {
        if let Some(s) = self.free.lock().get_mut(&pre).and_then(Vec::pop) {
            return Ok(s);
        }
        self.provision(pre).await
    }

    /// Returns a server the caller saw in `pre` to the pool (or retires a well-used one).
    pub async fn release(&self, pre: Precondition, server: Server) {
        if server.migrations >= MAX_MIGRATIONS_PER_SERVER {
            self.discard(server).await;
        } else {
            self.free.lock().entry(pre).or_default().push(server);
        }
    }

    /// Deletes a server that is no longer in a known precondition.
    pub async fn discard(&self, server: Server) {
        if compute::delete(&self.admin, &server.id).await.is_ok() {
            self.created.lock().remove(&server.id);
        }
    }

    /// Whether `seen` shows the server in `pre` (so it may be reused).
    pub fn in_precondition(pre: Precondition, seen: &ServerView) -> bool {
        let status_ok = pre.status() == Some(seen.status.as_str()) && seen.task_state.is_none();
        let lock_ok = match pre {
            Precondition::Locked => seen.locked == Some(true),
            _ => seen.locked != Some(true),
        };
        status_ok && lock_ok
    }

    async fn provision(&self, pre: Precondition) -> Result<Server, String> {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let name = format!("{}{}-{n}", self.template.name_prefix, self.run_id);
        let id = compute::create(
            &self.admin,
            &name,
            &self.template.image_ref,
            &self.template.flavor_ref,
        )
        .await?;
        self.created.lock().insert(id.clone());
        let result = self.prepare(pre, &id).await;
        match result {
            Ok(s) => Ok(s),
            Err(e) => {
                let _ = compute::delete(&self.admin, &id).await;
                self.created.lock().remove(&id);
                Err(format!("precondition {pre}: {e}"))
            }
        }
    }

    async fn prepare(&self, pre: Precondition, id: &str) -> Result<Server, String> {
        let s = compute::wait_settled(&self.admin, id, self.timing).await?;
        if s.status != "ACTIVE" {
            return Err(format!("new server is {} instead of ACTIVE", s.status));
        }
        let (action, status) = match pre {
            Precondition::Active => (None, 0),
            Precondition::Shutoff => (Some(json!({"os-stop": null})), 202),
            Precondition::Paused => (Some(json!({"pause": null})), 202),
            Precondition::Suspended => (Some(json!({"suspend": null})), 202),
            Precondition::Locked => (Some(json!({"lock": null})), 202),
            Precondition::VerifyResize => (Some(json!({"migrate": null})), 202),
            Precondition::Nonexistent => {
                return Err("a nonexistent server is not provisioned".into())
            }
        };
        if let Some(body) = action {
            // No version header: the minimum version, where every profile accepts these
            // bodies (a `{"migrate": null}` at 2.56 is a 400 in pike-spec).
            let got = compute::action_at(&self.admin, id, &body, None).await?;
            if got != status {
                return Err(format!("{body} answered {got}, expected {status}"));
            }
        }
        let s = compute::wait_settled(&self.admin, id, self.timing).await?;
        if !Self::in_precondition(pre, &s) {
            return Err(format!(
                "server is {} (locked {:?}) after preparing",
                s.status, s.locked
            ));
        }
        let host = s
            .host
            .ok_or("server has no OS-EXT-SRV-ATTR:host (admin view)")?;
        // A server prepared into VERIFY_RESIZE has been through one migration already.
        let migrations = u32::from(pre == Precondition::VerifyResize);
        Ok(Server {
            id: id.to_string(),
            host,
            migrations,
        })
    }

    /// Deletes every server this run created and still holds.
    pub async fn cleanup(&self) -> Vec<String> {
        let ids: Vec<String> = self.created.lock().iter().cloned().collect();
        self.free.lock().clear();
        let mut failed = Vec::new();
        let results =
            futures::future::join_all(ids.iter().map(|id| compute::delete(&self.admin, id))).await;
        for (id, r) in ids.iter().zip(results) {
            match r {
                Ok(()) => {
                    self.created.lock().remove(id);
                }
                Err(e) => failed.push(format!("{id}: {e}")),
            }
        }
        failed
    }
}
