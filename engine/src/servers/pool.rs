//! The servers of a run: created on first use, one per precondition and lane, shared by the
//! concurrent (refused-by-contract) cases, then handed along the chain of accepted cases of
//! their lane; retired after many migrations; all removed at the end.
//!
//! A real cloud's plan has one lane (one server per precondition, its accepted cases one after
//! another); the embedded mock's has `--jobs` lanes, so its accepted cases run in parallel
//! chains on as many servers.
//!
//! Every server created is recorded before anything else happens to it, and the run's name
//! prefix catches one whose create answer was lost; [`Servers::cleanup`] removes them all.
//! Servers given with `--server` are used for the ACTIVE precondition and never deleted.
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use reqwest::Method;
use serde_json::json;

use crate::cleanup::{self, Progress, Unsettled};
use crate::cloud_api::call;
use crate::compute::ServerView;
use crate::setup_error::SetupError;
use crate::target::{Caller, Target};
use crate::variant::Precondition;

/// A server held by a case.
#[derive(Debug, Clone)]
pub(crate) struct Server {
    pub id: String,
    pub host: String,
    /// Accepted migrations this server has been through.
    pub migrations: u32,
}

/// Whether `seen` shows the server in `pre` (so later cases may use it as it is).
pub(crate) fn in_precondition(pre: Precondition, seen: &ServerView) -> bool {
    let status_ok = pre.status() == Some(seen.status.as_str()) && seen.task_state.is_none();
    let lock_ok = match pre {
        Precondition::Locked => seen.locked == Some(true),
        _ => seen.locked != Some(true),
    };
    status_ok && lock_ok
}

/// A real cloud's server is replaced after this many accepted migrations (rarely: a new
/// server costs a build).
pub(crate) const RETIRE_AFTER_MIGRATIONS: u32 = 50;

/// A local target's server is replaced sooner: it costs nothing, and every migration stays in
/// the server's `os-migrations` listing (unpaged below 2.59), which the follow-through reads
/// after each case, so a long-lived server makes each check slower than the last.
pub(crate) const LOCAL_RETIRE_AFTER_MIGRATIONS: u32 = 6;

/// Version for creating and preparing servers (`networks: none` needs 2.37).
const VERSION: &str = "2.56";

#[derive(Debug, Clone)]
enum Slot {
    Empty,
    Ready(Server),
    /// Provisioning failed: every case of the precondition gets this error (no retry storm
    /// of creates against a cloud that refuses them).
    Failed(SetupError),
}

type SlotRef = Arc<tokio::sync::Mutex<Slot>>;

/// The run's servers.
pub(crate) struct Servers {
    admin: Caller,
    template: crate::target::ServerTemplate,
    network: crate::cloud_target::Network,
    timing: crate::target::Timing,
    run_id: String,
    /// One slot per (precondition, lane), made on first use.
    slots: Mutex<HashMap<(Precondition, usize), SlotRef>>,
    given: Mutex<Option<Server>>,
    created: Mutex<BTreeSet<String>>,
    counter: AtomicUsize,
    stop: Arc<AtomicBool>,
    progress: Progress,
    retire_after: u32,
}

impl Servers {
    /// The servers of `target` for run `run_id`, each replaced after `retire_after` accepted
    /// migrations; `stop` set means no new server is created.
    pub(crate) fn new(
        target: &dyn Target,
        run_id: String,
        retire_after: u32,
        stop: Arc<AtomicBool>,
        progress: Progress,
    ) -> Result<Self, crate::SuiteError> {
        let admin = target
            .caller(crate::variant::Role::Admin)
            .ok_or_else(|| crate::SuiteError::Target("the target has no admin identity".into()))?;
        Ok(Self {
            admin,
            template: target.server_template().clone(),
            network: target.network(),
            timing: target.timing(),
            run_id,
            slots: Mutex::new(HashMap::new()),
            given: Mutex::new(target.given().first().map(|g| Server {
                id: g.id.clone(),
                host: g.host.clone().unwrap_or_default(),
                migrations: 0,
            })),
            created: Mutex::new(BTreeSet::new()),
            counter: AtomicUsize::new(0),
            stop,
            progress,
            retire_after,
        })
    }

    fn slot(&self, pre: Precondition, lane: usize) -> SlotRef {
        self.slots
            .lock()
            .entry((pre, lane))
            .or_insert_with(|| Arc::new(tokio::sync::Mutex::new(Slot::Empty)))
            .clone()
    }

    /// Servers created so far.
    pub(crate) fn created_count(&self) -> usize {
        self.counter.load(Ordering::Relaxed)
    }

    /// Ids of servers created and not yet deleted.
    pub(crate) fn live(&self) -> Vec<String> {
        self.created.lock().iter().cloned().collect()
    }

    fn is_given(&self, server: &Server) -> bool {
        self.given
            .lock()
            .as_ref()
            .is_some_and(|g| g.id == server.id)
    }

    /// The name prefix of this run's servers.
    pub(crate) fn prefix(&self) -> String {
        format!("{}{}-", self.template.name_prefix, self.run_id)
    }

    async fn provision(&self, pre: Precondition) -> Result<Server, SetupError> {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let name = format!("{}{n}-{}", self.prefix(), pre.as_str());
        (self.progress)(format!("creating server {name}"));
        let body = json!({"server": {
            "name": name,
            "imageRef": self.template.image_ref,
            "flavorRef": self.template.flavor_ref,
            "networks": self.network.to_json(),
        }});
        let a = call(&self.admin, Method::POST, "/servers", VERSION, Some(&body))
            .await
            .map_err(|e| SetupError::from(e).context("create server"))?;
        if a.status != 202 {
            return Err(SetupError::answered("create server", &a));
        }
        let id = a.body["server"]["id"]
            .as_str()
            .ok_or("create server: no id in the answer")?
            .to_string();
        self.created.lock().insert(id.clone());
        match self.prepare(pre, &id, &name).await {
            Ok(s) => Ok(s),
            Err(e) => {
                self.remove(&id).await;
                Err(e.context(format!("precondition {pre}")))
            }
        }
    }

    async fn prepare(&self, pre: Precondition, id: &str, name: &str) -> Result<Server, SetupError> {
        let s = self.settle(id, name).await?;
        if s.status != "ACTIVE" {
            return Err(format!("new server is {} instead of ACTIVE", s.status).into());
        }
        let action = match pre {
            Precondition::Active => None,
            Precondition::Shutoff => Some(json!({"os-stop": null})),
            Precondition::Paused => Some(json!({"pause": null})),
            Precondition::Suspended => Some(json!({"suspend": null})),
            Precondition::Locked => Some(json!({"lock": null})),
            // At 2.1 the body is never read: a plain cold migration by the scheduler.
            Precondition::VerifyResize => Some(json!({"migrate": null})),
            Precondition::Nonexistent => return Err("nothing to provision".into()),
        };
        if let Some(body) = action {
            let a = call(
                &self.admin,
                Method::POST,
                &format!("/servers/{id}/action"),
                "2.1",
                Some(&body),
            )
            .await
            .map_err(|e| SetupError::from(e).context(&body))?;
            if a.status != 202 {
                return Err(SetupError::answered(&body, &a));
            }
        }
        let s = self.settle(id, name).await?;
        let want = pre.status().unwrap_or("ACTIVE");
        if s.status != want || (pre == Precondition::Locked) != s.locked {
            return Err(format!(
                "server is {} (locked {}) after preparing, expected {want}",
                s.status, s.locked
            )
            .into());
        }
        let a = call(
            &self.admin,
            Method::GET,
            &format!("/servers/{id}"),
            VERSION,
            None,
        )
        .await
        .map_err(|e| SetupError::from(e).context("GET server"))?;
        if a.status != 200 {
            return Err(SetupError::answered("GET server", &a));
        }
        let host = a.body["server"]["OS-EXT-SRV-ATTR:host"]
            .as_str()
            .ok_or("server has no OS-EXT-SRV-ATTR:host (admin view)")?
            .to_string();
        (self.progress)(format!("server {name}: {} on {host}", s.status));
        Ok(Server {
            id: id.to_string(),
            host,
            migrations: u32::from(pre == Precondition::VerifyResize),
        })
    }

    async fn settle(&self, id: &str, name: &str) -> Result<cleanup::Seen, SetupError> {
        match cleanup::wait_settled(&self.admin, id, self.timing).await {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err(format!("server {name} disappeared").into()),
            Err(Unsettled::Failed(e)) => Err(SetupError::from(e).context(format!("server {name}"))),
            Err(Unsettled::TimedOut { last, error }) => Err(format!(
                "timed out after {:?}: server {name} still {}",
                self.timing.timeout,
                match (last, error) {
                    (Some(s), _) => format!(
                        "{} (task_state {})",
                        s.status,
                        s.task_state.as_deref().unwrap_or("none")
                    ),
                    (None, Some(e)) => format!("unknown ({e})"),
                    (None, None) => "unknown (no answer)".into(),
                }
            )
            .into()),
        }
    }

    async fn remove(&self, id: &str) {
        match cleanup::remove(&self.admin, id, self.timing, &self.progress).await {
            Ok(()) => {
                self.created.lock().remove(id);
            }
            Err(e) => (self.progress)(format!("cleanup: {e} (retried at the end of the run)")),
        }
    }

    /// Removes every server the run created, then sweeps by name prefix for any whose
    /// create answer was lost. Returns the failures.
    pub(crate) async fn cleanup(&self) -> Vec<String> {
        let ids = self.live();
        let mut failed =
            cleanup::remove_all(&self.admin, ids.clone(), self.timing, &self.progress).await;
        for id in ids {
            if !failed.iter().any(|f| f.starts_with(&id)) {
                self.created.lock().remove(&id);
            }
        }
        match cleanup::find_by_prefix(&self.admin, &self.prefix()).await {
            Ok(rest) if !rest.is_empty() => {
                for s in &rest {
                    (self.progress)(format!("cleanup: found {} by its name prefix", s.name));
                }
                let ids = rest
                    .into_iter()
                    .map(|s| s.id)
                    .filter(|id| !failed.iter().any(|f| f.starts_with(id)))
                    .collect();
                failed.extend(
                    cleanup::remove_all(&self.admin, ids, self.timing, &self.progress).await,
                );
            }
            Ok(_) => {}
            Err(e) => failed.push(format!("listing the run's servers: {e}")),
        }
        failed
    }
}

impl Servers {
    /// A server in `pre` for `lane` (never called for [`Precondition::Nonexistent`]): the
    /// lane's server of that precondition, created on first use. On failure, the reason and
    /// the exchange that failed it (the case is an Error showing it).
    pub(crate) async fn acquire(
        &self,
        pre: Precondition,
        lane: usize,
    ) -> Result<Server, SetupError> {
        {
            if pre == Precondition::Active && lane == 0 {
                if let Some(g) = self.given.lock().clone() {
                    return Ok(g);
                }
            }
            let slot = self.slot(pre, lane);
            let mut slot = slot.lock().await;
            match &*slot {
                Slot::Ready(s) => return Ok(s.clone()),
                Slot::Failed(e) => return Err(e.clone()),
                Slot::Empty => {}
            }
            if self.stopped() {
                return Err("not provisioned: the run was interrupted".into());
            }
            match self.provision(pre).await {
                Ok(s) => {
                    *slot = Slot::Ready(s.clone());
                    Ok(s)
                }
                Err(e) => {
                    *slot = Slot::Failed(e.clone());
                    Err(e)
                }
            }
        }
    }

    /// The runner saw `server` in `pre` again after its case (possibly on another host).
    pub(crate) async fn release(&self, pre: Precondition, lane: usize, server: Server) {
        {
            // A long chain retires its server now and then: every migration stays in the
            // server's `os-migrations` listing, which the follow-through reads after each case.
            if server.migrations >= self.retire_after && !self.is_given(&server) {
                self.discard(server).await;
                return;
            }
            // Chained cases move the server: remember where it is now.
            if let Some(g) = self.given.lock().as_mut().filter(|g| g.id == server.id) {
                *g = server;
                return;
            }
            let slot = self.slot(pre, lane);
            let mut slot = slot.lock().await;
            if let Slot::Ready(s) = &mut *slot {
                if s.id == server.id {
                    *s = server;
                }
            }
        }
    }

    /// The server is no longer in a known precondition: deleted (a given one is let go).
    pub(crate) async fn discard(&self, server: Server) {
        {
            let was_given = {
                let mut g = self.given.lock();
                let hit = g.as_ref().is_some_and(|g| g.id == server.id);
                if hit {
                    // Later ACTIVE cases get a created server instead.
                    *g = None;
                }
                hit
            };
            if was_given {
                (self.progress)(format!(
                    "given server {} left its precondition; it is not deleted",
                    server.id
                ));
                return;
            }
            let slots: Vec<SlotRef> = self.slots.lock().values().cloned().collect();
            for slot in slots {
                let mut slot = slot.lock().await;
                if matches!(&*slot, Slot::Ready(s) if s.id == server.id) {
                    *slot = Slot::Empty;
                }
            }
            self.remove(&server.id).await;
        }
    }

    /// Checked before each case starts: `true` stops starting cases (Ctrl-C); the cases not
    /// started are reported as Skip.
    pub(crate) fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}
