//! The whole state of a mock as one JSON document: `GET /mockcloud/state` writes it,
//! `PUT /mockcloud/state` and `mockcloud serve --state-file` read it back.
//!
//! What is in it: every record of [`State`] (hosts and their services, flavors, images,
//! domains, projects, roles, users and their role assignments, application credentials,
//! the seeded-credential list, servers with their instance actions and in-flight operations,
//! migrations, placement allocations), the id counters, the clock's offset and the settings
//! of the mock that wrote it. Loaded into a mock of the same settings, it gives the same
//! answers, byte for byte, except for what is not state: the mock's own address in links and
//! catalogs, and request ids.
//!
//! What is not in it, by design:
//! - **secrets**: no token (a load drops every token: clients authenticate again), no
//!   password and no application-credential secret. A loaded user gets the password (and
//!   application-credential secret) that the loading mock already has for a user of that
//!   name, else a new random one; `GET /mockcloud/credentials` says which. So a state file
//!   can be shared or committed without handing out anything that authenticates.
//! - the harness's own settings: fault rules, the request journal, the seed `reset` returns
//!   to.
//! - per-host usage: it is the sum of the allocations and is recomputed.
//!
//! Loading validates the whole document before anything is replaced: kind, schema version,
//! every field (unknown fields are refused), the mock's settings, and the references between
//! records (a migration of an unknown server, an allocation of nobody, a counter below an id
//! in use...). A refused document leaves the state as it was.

use super::model::*;
use super::store::State;
use crate::config::Config;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// The `kind` of a mockcloud state document.
pub(crate) const KIND: &str = "mockcloud-state";

/// The schema version this mock writes and reads. Bump it on any change of the document's
/// shape or meaning; a newer document is refused (an older one too, until a migration of it
/// is written).
pub(crate) const SCHEMA_VERSION: u64 = 1;

/// The settings of the mock that wrote a state. The records only mean the same answers under
/// the same profile, release and microversion range, so a load into a mock with other ones
/// is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MockSettings {
    pub profile: String,
    /// The Nova series id (`2026.2`).
    pub nova_release: String,
    pub min_version: String,
    pub max_version: String,
    /// `instant`, `timed` or `manual`. A different lifecycle is accepted only while no
    /// operation is in flight (an in-flight step is driven by the lifecycle).
    pub lifecycle: String,
}

impl MockSettings {
    pub fn of(config: &Config) -> Self {
        Self {
            profile: config.profile.as_str().to_string(),
            nova_release: config.release.id.clone(),
            min_version: config.min_version.to_string(),
            max_version: config.max_version.to_string(),
            lifecycle: config.lifecycle.name().to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ClockState {
    /// How far the mock's clock is ahead of the wall clock (`POST /mockcloud/clock`).
    pub offset_ms: i64,
}

/// The next ids the mock hands out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Counters {
    pub next_server_seq: u64,
    pub next_migration_id: u64,
    pub next_flavor_internal_id: u64,
    pub next_generation: u64,
}

/// A seeded credential without its secrets (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CredentialRecord {
    pub cloud: String,
    pub username: String,
    pub project: String,
    pub user_domain: String,
    pub project_domain: String,
    pub roles: Vec<String>,
    pub app_credential_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Identity {
    pub domains: Vec<Domain>,
    pub projects: Vec<Project>,
    pub roles: Vec<Role>,
    /// Without passwords.
    pub users: Vec<User>,
    /// Without secrets.
    pub app_credentials: Vec<AppCredential>,
    pub credentials: Vec<CredentialRecord>,
}

/// One placement allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AllocationRecord {
    /// An instance or a migration uuid.
    pub consumer: Uuid,
    pub host: String,
    pub resources: Resources,
}

/// The document (docs/api-reference.md, "State export and load").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Always [`KIND`].
    pub kind: String,
    /// [`SCHEMA_VERSION`].
    pub schema_version: u64,
    /// The mockcloud that wrote it (`0.1.0 (8a1e1a1 2026-12-01)`); informative only.
    pub written_by: String,
    pub(crate) mock: MockSettings,
    pub(crate) clock: ClockState,
    pub(crate) counters: Counters,
    /// Compute hosts (their nova-compute service and node), by name.
    pub hosts: Vec<Host>,
    /// Ids of the deleted control-plane services (scheduler, conductor).
    pub deleted_control_services: Vec<u64>,
    /// By flavor id.
    pub flavors: Vec<Flavor>,
    pub images: Vec<Image>,
    pub(crate) identity: Identity,
    /// In creation order; each with its instance actions and in-flight operation.
    pub servers: Vec<Server>,
    /// By id.
    pub migrations: Vec<Migration>,
    /// By consumer.
    pub(crate) allocations: Vec<AllocationRecord>,
}

/// Why a state document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// Not JSON, or a field of the wrong shape (400).
    #[error("not a valid mockcloud state: {0}")]
    Malformed(String),
    /// Another kind of document (409).
    #[error("not a mockcloud state: kind is {0} (expected \"mockcloud-state\")")]
    Foreign(String),
    /// A schema version this mock does not read (409).
    #[error("mockcloud state schema_version {found} is not supported: this mockcloud reads schema_version {SCHEMA_VERSION}{hint}", hint = if *found > SCHEMA_VERSION { " (the state was written by a newer mockcloud)" } else { "" })]
    Schema { found: u64 },
    /// Well-formed, but its records contradict each other (400).
    #[error("inconsistent mockcloud state: {0}")]
    Invalid(String),
    /// Written by a mock of other settings (409).
    #[error("the state was saved by another kind of mock: {0}")]
    Mismatch(String),
}

impl LoadError {
    /// The HTTP status `PUT /mockcloud/state` answers with.
    pub fn status(&self) -> u16 {
        match self {
            LoadError::Malformed(_) | LoadError::Invalid(_) => 400,
            LoadError::Foreign(_) | LoadError::Schema { .. } | LoadError::Mismatch(_) => 409,
        }
    }
}

/// The document of `st` (with the clock's offset and the mock's settings).
pub(crate) fn export(st: &State, config: &Config, clock_offset_ms: i64) -> Snapshot {
    let mut allocations: Vec<AllocationRecord> = st
        .allocations
        .iter()
        .map(|(consumer, a)| AllocationRecord {
            consumer: *consumer,
            host: a.host.clone(),
            resources: a.resources,
        })
        .collect();
    allocations.sort_by_key(|a| a.consumer);
    Snapshot {
        kind: KIND.to_string(),
        schema_version: SCHEMA_VERSION,
        written_by: format!(
            "mockcloud {}",
            crate::build_info::MOCKCLOUD_LONG_VERSION.as_str()
        ),
        mock: MockSettings::of(config),
        clock: ClockState {
            offset_ms: clock_offset_ms,
        },
        counters: Counters {
            next_server_seq: st.next_server_seq,
            next_migration_id: st.next_migration_id,
            next_flavor_internal_id: st.next_flavor_internal_id,
            next_generation: st.next_generation,
        },
        hosts: st.hosts.values().cloned().collect(),
        deleted_control_services: st.deleted_control_services.clone(),
        flavors: st.flavors.values().cloned().collect(),
        images: st.images.clone(),
        identity: Identity {
            domains: st.domains.clone(),
            projects: st.projects.clone(),
            roles: st.roles.clone(),
            users: st.users.clone(),
            app_credentials: st.app_credentials.clone(),
            credentials: st
                .credentials
                .iter()
                .map(|c| CredentialRecord {
                    cloud: c.cloud.clone(),
                    username: c.username.clone(),
                    project: c.project.clone(),
                    user_domain: c.user_domain.clone(),
                    project_domain: c.project_domain.clone(),
                    roles: c.roles.clone(),
                    app_credential_id: c.app_credential_id.clone(),
                })
                .collect(),
        },
        servers: st
            .server_order
            .values()
            .filter_map(|id| st.servers.get(id).cloned())
            .collect(),
        migrations: st.migrations.values().cloned().collect(),
        allocations,
    }
}

/// The document as written to a file or answered by `GET /mockcloud/state`: pretty JSON
/// ending in a newline, its order fixed (so two exports of one state are the same bytes).
pub fn to_json(s: &Snapshot) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(s).unwrap_or_default();
    out.push(b'\n');
    out
}

/// Parse a document: kind and schema version first (so that another kind of document is
/// named as such rather than as a pile of unknown fields), then every field.
pub fn parse(bytes: &[u8]) -> Result<Snapshot, LoadError> {
    let v: Value = serde_json::from_slice(bytes)
        .map_err(|e| LoadError::Malformed(format!("not JSON: {e}")))?;
    let Value::Object(obj) = &v else {
        return Err(LoadError::Malformed("expected a JSON object".into()));
    };
    match obj.get("kind") {
        Some(Value::String(k)) if k == KIND => {}
        Some(other) => return Err(LoadError::Foreign(other.to_string())),
        None => {
            return Err(LoadError::Malformed(
                "no \"kind\" (expected \"mockcloud-state\")".into(),
            ))
        }
    }
    match obj.get("schema_version") {
        Some(n) => match n.as_u64() {
            Some(SCHEMA_VERSION) => {}
            Some(found) => return Err(LoadError::Schema { found }),
            None => {
                return Err(LoadError::Malformed(format!(
                    "schema_version must be a positive integer, not {n}"
                )))
            }
        },
        None => return Err(LoadError::Malformed("no \"schema_version\"".into())),
    }
    serde_json::from_value(v).map_err(|e| LoadError::Malformed(e.to_string()))
}

/// Refuse a document written by a mock whose answers differ from `config`'s for the same
/// records.
pub(crate) fn check_settings(s: &Snapshot, config: &Config) -> Result<(), LoadError> {
    let here = MockSettings::of(config);
    let there = &s.mock;
    let mut diffs = Vec::new();
    let mut cmp = |what: &str, a: &str, b: &str| {
        if a != b {
            diffs.push(format!("{what} {a} (this mock: {b})"));
        }
    };
    cmp("profile", &there.profile, &here.profile);
    cmp("nova_release", &there.nova_release, &here.nova_release);
    cmp("min_version", &there.min_version, &here.min_version);
    cmp("max_version", &there.max_version, &here.max_version);
    if there.lifecycle != here.lifecycle && s.servers.iter().any(|v| v.in_flight.is_some()) {
        cmp("lifecycle", &there.lifecycle, &here.lifecycle);
        if let Some(d) = diffs.last_mut() {
            d.push_str(" with operations in flight");
        }
    }
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(LoadError::Mismatch(diffs.join(", ")))
    }
}

/// Collects the first problems found (a document with many shows a few, not thousands).
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn check(&mut self, ok: bool, msg: impl FnOnce() -> String) {
        if !ok && self.0.len() < 10 {
            self.0.push(msg());
        }
    }
}

fn unique<'a, T: Eq + std::hash::Hash + std::fmt::Display + 'a>(
    p: &mut Problems,
    what: &str,
    ids: impl IntoIterator<Item = T>,
) -> HashSet<T> {
    let mut seen = HashSet::new();
    for id in ids {
        let dup = format!("{what} {id} appears twice");
        p.check(seen.insert(id), || dup);
    }
    seen
}

/// Check the references between records and build the state (no secrets yet:
/// [`restore_secrets`] gives them).
pub(crate) fn to_state(s: &Snapshot) -> Result<State, LoadError> {
    let mut p = Problems::default();
    let c = &s.counters;

    unique(&mut p, "host", s.hosts.iter().map(|h| h.name.as_str()));
    unique(&mut p, "service id", s.hosts.iter().map(|h| h.service_id));
    unique(&mut p, "hypervisor id", s.hosts.iter().map(|h| h.node_id));
    unique(&mut p, "flavor", s.flavors.iter().map(|f| f.id.as_str()));
    unique(
        &mut p,
        "flavor internal id",
        s.flavors.iter().map(|f| f.internal_id),
    );
    for f in &s.flavors {
        p.check(f.internal_id < c.next_flavor_internal_id, || {
            format!(
                "flavor {}: internal_id {} is not below counters.next_flavor_internal_id {}",
                f.id, f.internal_id, c.next_flavor_internal_id
            )
        });
    }
    unique(&mut p, "image", s.images.iter().map(|i| i.id));

    let id = &s.identity;
    let domains = unique(&mut p, "domain", id.domains.iter().map(|d| d.id.as_str()));
    let projects = unique(&mut p, "project", id.projects.iter().map(|x| x.id.as_str()));
    unique(&mut p, "role", id.roles.iter().map(|r| r.id.as_str()));
    let role_names = unique(
        &mut p,
        "role name",
        id.roles.iter().map(|r| r.name.as_str()),
    );
    for x in &id.projects {
        p.check(domains.contains(x.domain_id.as_str()), || {
            format!("project {}: unknown domain {}", x.id, x.domain_id)
        });
    }
    let users = unique(&mut p, "user", id.users.iter().map(|u| u.id.as_str()));
    for u in &id.users {
        p.check(domains.contains(u.domain_id.as_str()), || {
            format!("user {}: unknown domain {}", u.id, u.domain_id)
        });
        for (project, roles) in &u.assignments {
            p.check(projects.contains(project.as_str()), || {
                format!(
                    "user {}: role assignment on unknown project {project}",
                    u.id
                )
            });
            for r in roles {
                p.check(role_names.contains(r.as_str()), || {
                    format!("user {}: unknown role {r}", u.id)
                });
            }
        }
    }
    let apps = unique(
        &mut p,
        "application credential",
        id.app_credentials.iter().map(|a| a.id.as_str()),
    );
    for a in &id.app_credentials {
        p.check(users.contains(a.user_id.as_str()), || {
            format!(
                "application credential {}: unknown user {}",
                a.id, a.user_id
            )
        });
        p.check(projects.contains(a.project_id.as_str()), || {
            format!(
                "application credential {}: unknown project {}",
                a.id, a.project_id
            )
        });
    }
    for cr in &id.credentials {
        p.check(id.users.iter().any(|u| u.name == cr.username), || {
            format!("credential {}: unknown user {}", cr.cloud, cr.username)
        });
        p.check(apps.contains(cr.app_credential_id.as_str()), || {
            format!(
                "credential {}: unknown application credential {}",
                cr.cloud, cr.app_credential_id
            )
        });
    }

    let servers = unique(&mut p, "server", s.servers.iter().map(|v| v.uuid));
    unique(&mut p, "server seq", s.servers.iter().map(|v| v.seq));
    let migration_ids = unique(&mut p, "migration", s.migrations.iter().map(|m| m.id));
    let migration_uuids = unique(
        &mut p,
        "migration uuid",
        s.migrations.iter().map(|m| m.uuid),
    );
    for v in &s.servers {
        p.check(v.seq < c.next_server_seq, || {
            format!(
                "server {}: seq {} is not below counters.next_server_seq {}",
                v.uuid, v.seq, c.next_server_seq
            )
        });
        p.check(projects.contains(v.project_id.as_str()), || {
            format!("server {}: unknown project {}", v.uuid, v.project_id)
        });
        if let Some(op) = &v.in_flight {
            p.check(op.action_index < v.actions.len(), || {
                format!(
                    "server {}: in_flight.action_index {} but {} actions",
                    v.uuid,
                    op.action_index,
                    v.actions.len()
                )
            });
            if let Some(mid) = op.migration_id {
                p.check(migration_ids.contains(&mid), || {
                    format!("server {}: in_flight names unknown migration {mid}", v.uuid)
                });
            }
            p.check(op.generation <= c.next_generation, || {
                format!(
                    "server {}: in_flight.generation {} is above counters.next_generation {}",
                    v.uuid, op.generation, c.next_generation
                )
            });
        }
    }
    for m in &s.migrations {
        p.check(m.id < c.next_migration_id, || {
            format!(
                "migration {}: id is not below counters.next_migration_id {}",
                m.id, c.next_migration_id
            )
        });
        p.check(servers.contains(&m.instance_uuid), || {
            format!("migration {}: unknown server {}", m.id, m.instance_uuid)
        });
    }
    unique(
        &mut p,
        "allocation consumer",
        s.allocations.iter().map(|a| a.consumer),
    );
    for a in &s.allocations {
        p.check(
            servers.contains(&a.consumer) || migration_uuids.contains(&a.consumer),
            || {
                format!(
                    "allocation of {}: neither a server nor a migration",
                    a.consumer
                )
            },
        );
    }
    // Beyond ±100 years the mock's timestamps stop being dates anyone can mean.
    p.check(
        s.clock.offset_ms.unsigned_abs() <= 100 * 366 * 86_400_000,
        || format!("clock.offset_ms {} is beyond 100 years", s.clock.offset_ms),
    );
    if !p.0.is_empty() {
        return Err(LoadError::Invalid(p.0.join("; ")));
    }

    let mut usage: HashMap<String, Resources> = HashMap::new();
    let mut allocations = HashMap::new();
    for a in &s.allocations {
        let u = usage.entry(a.host.clone()).or_default();
        u.vcpus += a.resources.vcpus;
        u.memory_mb += a.resources.memory_mb;
        u.disk_gb += a.resources.disk_gb;
        allocations.insert(
            a.consumer,
            Allocation {
                host: a.host.clone(),
                resources: a.resources,
            },
        );
    }
    Ok(State {
        hosts: s
            .hosts
            .iter()
            .map(|h| (h.name.clone(), h.clone()))
            .collect(),
        flavors: s
            .flavors
            .iter()
            .map(|f| (f.id.clone(), f.clone()))
            .collect(),
        images: s.images.clone(),
        domains: id.domains.clone(),
        projects: id.projects.clone(),
        roles: id.roles.clone(),
        users: id.users.clone(),
        app_credentials: id.app_credentials.clone(),
        // Filled by `restore_secrets`, which knows the passwords.
        credentials: Vec::new(),
        servers: s.servers.iter().map(|v| (v.uuid, v.clone())).collect(),
        server_order: s
            .servers
            .iter()
            .map(|v| (v.seq, v.uuid))
            .collect::<BTreeMap<_, _>>(),
        migrations: s.migrations.iter().map(|m| (m.id, m.clone())).collect(),
        allocations,
        usage,
        next_server_seq: c.next_server_seq,
        next_migration_id: c.next_migration_id,
        next_flavor_internal_id: c.next_flavor_internal_id,
        next_generation: c.next_generation,
        deleted_control_services: s.deleted_control_services.clone(),
    })
}

/// Give the loaded users and application credentials their secrets: those `current` (the
/// loading mock) has for a user of the same name and domain name, else new random ones; and
/// rebuild the seeded-credential list from the document's records.
pub(crate) fn restore_secrets(loaded: &mut State, records: &[CredentialRecord], current: &State) {
    let domain_name = |st: &State, id: &str| {
        st.domains
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.name.clone())
            .unwrap_or_default()
    };
    let current_user = |name: &str, domain: &str| {
        current
            .users
            .iter()
            .find(|u| u.name == name && domain_name(current, &u.domain_id) == domain)
    };
    let mut by_user: HashMap<String, Option<String>> = HashMap::new();
    for i in 0..loaded.users.len() {
        let domain = domain_name(loaded, &loaded.users[i].domain_id);
        let old = current_user(&loaded.users[i].name, &domain);
        loaded.users[i].password = old
            .map(|u| u.password.clone())
            .unwrap_or_else(super::store::random_secret);
        by_user.insert(loaded.users[i].id.clone(), old.map(|u| u.id.clone()));
    }
    for a in &mut loaded.app_credentials {
        let old_user = by_user.get(&a.user_id).cloned().flatten();
        a.secret = old_user
            .and_then(|uid| {
                current
                    .app_credentials
                    .iter()
                    .find(|x| x.user_id == uid)
                    .map(|x| x.secret.clone())
            })
            .unwrap_or_else(super::store::random_secret);
    }
    loaded.credentials = records
        .iter()
        .map(|r| {
            let password = loaded
                .users
                .iter()
                .find(|u| {
                    u.name == r.username && domain_name(loaded, &u.domain_id) == r.user_domain
                })
                .or_else(|| loaded.users.iter().find(|u| u.name == r.username))
                .map(|u| u.password.clone())
                .unwrap_or_default();
            let secret = loaded
                .app_credentials
                .iter()
                .find(|a| a.id == r.app_credential_id)
                .map(|a| a.secret.clone())
                .unwrap_or_default();
            crate::state::seed::SeededCredential {
                cloud: r.cloud.clone(),
                username: r.username.clone(),
                password,
                project: r.project.clone(),
                user_domain: r.user_domain.clone(),
                project_domain: r.project_domain.clone(),
                roles: r.roles.clone(),
                app_credential_id: r.app_credential_id.clone(),
                app_credential_secret: secret,
            }
        })
        .collect();
}
