//! The one owner of a mock's mutable data.
//!
//! `Shared` holds the state behind a single `parking_lot::Mutex`. Why a mutex and
//! not an actor: every API operation is a short, synchronous check-and-set (e.g.
//! "task_state is None -> resize_prep") that must be atomic, and no handler holds
//! the lock across an `.await`, so a mutex gives the atomicity with no message
//! passing on the hot path. Tokens live in their own `RwLock` so that the token
//! check every compute request makes never contends with state writers.

use super::model::*;
use super::seed::{Seed, SeededCredential};
use super::snapshot;
use super::store::State;
use crate::clock::Clock;
use crate::conductor::lifecycle;
use crate::config::Config;
use crate::http::hooks::Hooks;
use chrono::{DateTime, Utc};
use parking_lot::{Mutex, RwLock};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// An issued Keystone token.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub user_id: String,
    pub user_name: String,
    pub domain_id: String,
    pub domain_name: String,
    /// None for an unscoped token.
    pub project_id: Option<String>,
    pub project_name: Option<String>,
    pub roles: Vec<String>,
    pub methods: Vec<String>,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub audit_id: String,
    pub app_credential_id: Option<String>,
    /// Prebuilt request context for scoped tokens (shared, not rebuilt per request).
    pub auth: Option<Arc<crate::compute::pipeline::auth::AuthContext>>,
}

/// Everything one mock instance shares between its handlers.
pub(crate) struct Shared {
    pub config: Config,
    pub state: Mutex<State>,
    pub tokens: RwLock<HashMap<String, Token>>,
    pub clock: Clock,
    pub hooks: Hooks,
    /// Fault rules managed by the control API (installed in `hooks` when non-empty).
    pub faults: Arc<crate::control::faults::Faults>,
    /// Request journal managed by the control API (installed in `hooks` when enabled).
    pub journal: Arc<crate::control::journal::Journal>,
    /// The seed the state was last built from (reset returns to it).
    pub current_seed: Mutex<Seed>,
    /// When this mock was created (`GET /mockcloud/health`'s uptime).
    pub started: std::time::Instant,
    /// Bumped by every state load: the lifecycle's timers started before it stop (the loaded
    /// records may be the same servers with the same operation generations).
    pub state_epoch: std::sync::atomic::AtomicU64,
}

impl Shared {
    pub fn new(config: Config, seed: Seed) -> Arc<Self> {
        let clock = Clock::new();
        let state = State::seeded(&config, &seed, clock.now());
        Arc::new(Self {
            config,
            state: Mutex::new(state),
            tokens: RwLock::new(HashMap::new()),
            clock,
            hooks: Hooks::default(),
            faults: Arc::new(crate::control::faults::Faults::default()),
            journal: Arc::new(crate::control::journal::Journal::new(10_000)),
            current_seed: Mutex::new(seed.clone()),
            started: std::time::Instant::now(),
            state_epoch: std::sync::atomic::AtomicU64::new(0),
        })
    }
}

/// A cloneable handle to read and modify a mock's state (tests, the control API).
#[derive(Clone)]
pub struct StateHandle(pub(crate) Arc<Shared>);

impl StateHandle {
    pub(crate) fn from_shared(shared: Arc<Shared>) -> Self {
        Self(shared)
    }

    /// Run `f` with read access to the state.
    pub fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        f(&self.0.state.lock())
    }

    /// Run `f` with write access to the state. Keep it short: every request waits on it.
    pub fn write<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.0.state.lock())
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }

    pub fn clock(&self) -> &Clock {
        &self.0.clock
    }

    /// Seeded credentials (passwords included: never log them).
    pub fn credentials(&self) -> Vec<SeededCredential> {
        self.read(|s| s.credentials.clone())
    }

    pub fn server(&self, id: Uuid) -> Option<Server> {
        self.read(|s| s.servers.get(&id).cloned())
    }

    pub fn migrations(&self) -> Vec<Migration> {
        self.read(|s| s.migrations.values().cloned().collect())
    }

    /// Manual lifecycle: take one step of the operation in flight on `server`.
    /// Returns false when nothing was in flight.
    pub fn advance(&self, server: Uuid) -> bool {
        let outcome = {
            let mut st = self.0.state.lock();
            lifecycle::step(&mut st, server, None, self.0.clock.now())
        };
        if outcome == lifecycle::Step::Done {
            lifecycle::drive(&self.0, server);
        }
        outcome != lifecycle::Step::Idle
    }

    /// Take every in-flight operation to completion; returns how many there were.
    pub fn advance_all(&self) -> usize {
        let ids: Vec<Uuid> = self.read(|s| {
            s.servers
                .values()
                .filter(|v| v.in_flight.is_some())
                .map(|v| v.uuid)
                .collect()
        });
        for id in &ids {
            {
                let mut st = self.0.state.lock();
                lifecycle::run_to_completion(&mut st, *id, self.0.clock.now());
            }
            lifecycle::drive(&self.0, *id);
        }
        ids.len()
    }

    /// Back to the seeded state (same credentials), tokens dropped, clock reset.
    pub fn reset(&self) {
        let mut st = self.0.state.lock();
        let credentials = st.credentials.clone();
        let users = st.users.clone();
        let projects = st.projects.clone();
        let roles = st.roles.clone();
        let apps = st.app_credentials.clone();
        let domains = st.domains.clone();
        self.0.clock.reset();
        let seed = self.0.current_seed.lock().clone();
        let mut fresh = State::seeded(&self.0.config, &seed, self.0.clock.now());
        fresh.credentials = credentials;
        fresh.users = users;
        fresh.projects = projects;
        fresh.roles = roles;
        fresh.app_credentials = apps;
        fresh.domains = domains;
        *st = fresh;
        drop(st);
        self.0.tokens.write().clear();
    }

    /// Replace the state with one built from `seed` (new credentials), drop tokens.
    pub fn reseed(&self, seed: Seed) -> Vec<SeededCredential> {
        self.0.clock.reset();
        let fresh = State::seeded(&self.0.config, &seed, self.0.clock.now());
        let creds = fresh.credentials.clone();
        *self.0.state.lock() = fresh;
        *self.0.current_seed.lock() = seed;
        self.0.tokens.write().clear();
        creds
    }

    /// The whole state as a [`snapshot::Snapshot`] (no secrets: see `state::snapshot`).
    pub fn export(&self) -> snapshot::Snapshot {
        let st = self.0.state.lock();
        snapshot::export(&st, &self.0.config, self.0.clock.offset_ms())
    }

    /// [`export`](Self::export) as the bytes of `GET /mockcloud/state` and of a state file.
    pub fn export_json(&self) -> Vec<u8> {
        snapshot::to_json(&self.export())
    }

    /// Parse and [`load`](Self::load) a state document.
    pub fn load_json(&self, bytes: &[u8]) -> Result<(), snapshot::LoadError> {
        self.load(&snapshot::parse(bytes)?)
    }

    /// Replace the whole state by `doc`'s, after checking all of it (the mock's settings, the
    /// references between records): on an error nothing changed. On success every token is
    /// dropped (clients authenticate again), the clock takes the document's offset, users
    /// keep the passwords this mock has for their names, and the operations in flight are
    /// driven again by this mock's lifecycle.
    pub fn load(&self, doc: &snapshot::Snapshot) -> Result<(), snapshot::LoadError> {
        snapshot::check_settings(doc, &self.0.config)?;
        let mut fresh = snapshot::to_state(doc)?;
        let ids: Vec<Uuid> = {
            let mut st = self.0.state.lock();
            snapshot::restore_secrets(&mut fresh, &doc.identity.credentials, &st);
            *st = fresh;
            // Under the state lock, so no request sees the new records with the old clock and
            // no timer steps them before it knows they are not its own.
            self.0.clock.set_offset_ms(doc.clock.offset_ms);
            self.0
                .state_epoch
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            st.server_order.values().copied().collect()
        };
        self.0.tokens.write().clear();
        // Timed steps and the resize auto-confirm window restart from where the state is.
        for id in ids {
            lifecycle::drive(&self.0, id);
        }
        Ok(())
    }

    /// Set a compute service's heartbeat (false = the service is down).
    pub fn set_host_up(&self, host: &str, up: bool) -> bool {
        self.write(|s| s.hosts.get_mut(host).map(|h| h.up = up).is_some())
    }

    /// Enable or disable a compute service (os-services disable).
    pub fn set_host_enabled(&self, host: &str, enabled: bool, reason: Option<&str>) -> bool {
        self.write(|s| {
            s.hosts
                .get_mut(host)
                .map(|h| {
                    h.enabled = enabled;
                    h.disabled_reason = if enabled {
                        None
                    } else {
                        reason.map(str::to_string)
                    };
                })
                .is_some()
        })
    }

    pub fn set_forced_down(&self, host: &str, down: bool) -> bool {
        self.write(|s| {
            s.hosts
                .get_mut(host)
                .map(|h| h.forced_down = down)
                .is_some()
        })
    }
}
