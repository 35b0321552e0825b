//! The seam between the engine and what it tests.
//!
//! A [`Target`] hands the runner one authenticated [`Caller`] per role, the compute hosts it may
//! use, how to build a server, and how long to wait; it owns whatever must be torn down (the
//! embedded mock, or — for real clouds, issue #4 — nothing but its sessions). The engine talks
//! HTTP only through callers and never reads a target's internal state.
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;

use crate::cloud_target::{GivenServer, Network};
use crate::error::SuiteError;
use crate::variant::Role;

/// Supplies a (possibly refreshed) token for a caller.
pub trait Auth: Send + Sync {
    fn token(&self) -> BoxFuture<'_, Result<String, SuiteError>>;
    /// The project the token is scoped to, where known (a release signal names it).
    fn project_id(&self) -> Option<String> {
        None
    }
}

/// A fixed token scoped to a known project (fakes and tests).
pub struct ScopedToken {
    pub token: String,
    pub project_id: String,
}

impl Auth for ScopedToken {
    fn token(&self) -> BoxFuture<'_, Result<String, SuiteError>> {
        let t = self.token.clone();
        Box::pin(async move { Ok(t) })
    }
    fn project_id(&self) -> Option<String> {
        Some(self.project_id.clone())
    }
}

/// An identity the runner sends requests as.
#[derive(Clone)]
pub struct Caller {
    pub role: Role,
    pub http: reqwest::Client,
    /// The compute endpoint from the catalog, e.g. `http://127.0.0.1:PORT/v2.1` (no trailing /).
    pub compute_url: String,
    pub auth: Arc<dyn Auth>,
    /// The bounds of each request (the cloud's `api_timeout`, the 16 MiB answer cap).
    pub limits: osclient::Limits,
    /// Where "still waiting" and "retrying" lines about this caller's requests go (discovery
    /// sets one; a run's requests are quiet).
    pub notice: Option<osclient::Notice>,
}

impl Caller {
    /// This caller, its slow and retried requests said to `notice`.
    pub fn noticing(&self, notice: osclient::Notice) -> Caller {
        Caller {
            notice: Some(notice),
            ..self.clone()
        }
    }
}

impl std::fmt::Debug for Caller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print credentials.
        f.debug_struct("Caller")
            .field("role", &self.role)
            .field("compute_url", &self.compute_url)
            .field("limits", &self.limits)
            .finish()
    }
}

/// Compute hosts the cases may name.
#[derive(Debug, Clone, Default)]
pub struct HostInventory {
    /// Enabled, up hosts with capacity (at least two for the targeted cases).
    pub enabled: Vec<String>,
    pub disabled: Option<String>,
    pub no_capacity: Option<String>,
}

/// How to create a server for a precondition.
#[derive(Debug, Clone)]
pub struct ServerTemplate {
    pub image_ref: String,
    pub flavor_ref: String,
    /// Prefix of every server name, so a cleanup can find leftovers.
    pub name_prefix: String,
}

/// Waiting for asynchronous state changes.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub poll_interval: Duration,
    pub timeout: Duration,
}

/// Something the suite runs against.
pub trait Target: Send + Sync {
    /// For reports: e.g. `embedded mockcloud (nova profile)`; never contains credentials.
    fn describe(&self) -> String;
    /// The caller for `role`, or `None` when the target has no such identity (cases Skip).
    fn caller(&self, role: Role) -> Option<Caller>;
    fn inventory(&self) -> &HostInventory;
    fn server_template(&self) -> &ServerTemplate;
    fn timing(&self) -> Timing;
    /// The `networks` of the servers the suite creates.
    fn network(&self) -> Network {
        Network::None
    }
    /// Existing servers the operator gave (`--server`): the ACTIVE cases use the first.
    fn given(&self) -> &[GivenServer] {
        &[]
    }
    /// Roles without an identity, with the reason their cases Skip.
    fn missing_roles(&self) -> BTreeMap<Role, String> {
        BTreeMap::new()
    }
    /// Why the suite cannot create servers here (no flavor or image), if so.
    fn create_problem(&self) -> Option<&str> {
        None
    }
    /// Stops what the target started. Servers are the runner's to delete, before this.
    fn shutdown(&self) -> BoxFuture<'_, ()>;
}
