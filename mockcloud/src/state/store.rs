//! `State`: every record of one mock cloud, and the bookkeeping rules that keep
//! them consistent (allocations and per-host usage move together).

use super::model::*;
use super::seed::{Seed, SeededCredential};
use crate::config::{Config, HostSpec};
use chrono::{DateTime, Utc};
use rand::Rng;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// The seeded cirros-like image's id (fixed so scenarios can name it).
pub const CIRROS_IMAGE_ID: &str = "8b9e1c6e-2f0a-4c3e-9a51-6d0c0e7f5a11";

#[derive(Debug, Clone)]
pub struct State {
    pub hosts: BTreeMap<String, Host>,
    pub flavors: BTreeMap<String, Flavor>,
    pub images: Vec<Image>,
    pub domains: Vec<Domain>,
    pub projects: Vec<Project>,
    pub roles: Vec<Role>,
    pub users: Vec<User>,
    pub app_credentials: Vec<AppCredential>,
    pub credentials: Vec<SeededCredential>,
    pub servers: HashMap<Uuid, Server>,
    /// seq -> uuid: creation order.
    pub server_order: BTreeMap<u64, Uuid>,
    pub migrations: BTreeMap<u64, Migration>,
    /// consumer (instance or migration uuid) -> allocation.
    pub allocations: HashMap<Uuid, Allocation>,
    /// host -> sum of allocations on it.
    pub usage: HashMap<String, Resources>,
    pub next_server_seq: u64,
    pub next_migration_id: u64,
    pub next_flavor_internal_id: u64,
    pub next_generation: u64,
    /// Ids of the control-plane services (scheduler, conductor) deleted through
    /// `DELETE /os-services/{id}`; compute services are deleted with their host.
    pub deleted_control_services: Vec<u64>,
}

pub(crate) fn random_secret() -> String {
    let mut rng = rand::thread_rng();
    (0..24)
        .map(|_| {
            let i = rng.gen_range(0..62u8);
            (match i {
                0..=9 => b'0' + i,
                10..=35 => b'a' + i - 10,
                _ => b'A' + i - 36,
            }) as char
        })
        .collect()
}

fn hex_id() -> String {
    Uuid::new_v4().simple().to_string()
}

/// Upstream's default flavors (ids 1-5).
pub(crate) fn default_flavors() -> Vec<Flavor> {
    let f = |id: &str, name: &str, vcpus: u32, ram: u64, disk: u64| Flavor {
        id: id.into(),
        internal_id: id.parse().unwrap_or(0),
        name: name.into(),
        vcpus,
        ram,
        disk,
        ephemeral: 0,
        swap: 0,
        rxtx_factor: 1.0,
        is_public: true,
        disabled: false,
        description: None,
        extra_specs: BTreeMap::new(),
    };
    vec![
        f("1", "m1.tiny", 1, 512, 1),
        f("2", "m1.small", 1, 2048, 20),
        f("3", "m1.medium", 2, 4096, 40),
        f("4", "m1.large", 4, 8192, 80),
        f("5", "m1.xlarge", 8, 16384, 160),
    ]
}

impl State {
    /// A fresh state from the configuration and seed.
    pub fn seeded(config: &Config, seed: &Seed, now: DateTime<Utc>) -> Self {
        let mut st = State {
            hosts: BTreeMap::new(),
            flavors: BTreeMap::new(),
            images: Vec::new(),
            domains: Vec::new(),
            projects: Vec::new(),
            roles: Vec::new(),
            users: Vec::new(),
            app_credentials: Vec::new(),
            credentials: Vec::new(),
            servers: HashMap::new(),
            server_order: BTreeMap::new(),
            migrations: BTreeMap::new(),
            allocations: HashMap::new(),
            usage: HashMap::new(),
            next_server_seq: 1,
            next_migration_id: 1,
            next_flavor_internal_id: 6,
            next_generation: 1,
            deleted_control_services: Vec::new(),
        };
        let hosts: &[HostSpec] = if seed.hosts.is_empty() {
            &config.hosts
        } else {
            &seed.hosts
        };
        for spec in hosts {
            st.add_host(spec, now);
        }
        for f in default_flavors() {
            st.flavors.insert(f.id.clone(), f);
        }
        st.images.push(Image {
            id: Uuid::parse_str(CIRROS_IMAGE_ID).expect("constant uuid"),
            name: "cirros-0.6.2-x86_64-disk".into(),
            status: "active".into(),
            min_disk: 0,
            min_ram: 0,
            size: 21_430_272,
            disk_format: "qcow2".into(),
            container_format: "bare".into(),
            visibility: "public".into(),
            created_at: now,
            updated_at: now,
        });
        st.seed_identity(seed);
        st
    }

    pub fn add_host(&mut self, spec: &HostSpec, now: DateTime<Utc>) {
        let n = self.hosts.len() as u64 + 1;
        self.hosts.insert(
            spec.name.clone(),
            Host {
                name: spec.name.clone(),
                service_id: n + 2, // ids 1-2 are nova-scheduler and nova-conductor
                service_uuid: Uuid::new_v4(),
                node_id: n,
                node_uuid: Uuid::new_v4(),
                enabled: true,
                disabled_reason: None,
                forced_down: false,
                up: true,
                vcpus: spec.vcpus,
                memory_mb: spec.memory_mb,
                disk_gb: spec.disk_gb,
                reserved_memory_mb: spec.reserved_memory_mb,
                created_at: now,
                updated_at: now,
            },
        );
    }

    fn seed_identity(&mut self, seed: &Seed) {
        let domain = Domain {
            id: if seed.domain == "Default" {
                "default".into()
            } else {
                hex_id()
            },
            name: seed.domain.clone(),
        };
        for name in ["admin", "manager", "member", "reader", "service"] {
            self.roles.push(Role {
                id: hex_id(),
                name: name.into(),
            });
        }
        for p in &seed.projects {
            self.projects.push(Project {
                id: hex_id(),
                name: p.clone(),
                domain_id: domain.id.clone(),
            });
        }
        for u in &seed.users {
            if !self.projects.iter().any(|p| p.name == u.project) {
                self.projects.push(Project {
                    id: hex_id(),
                    name: u.project.clone(),
                    domain_id: domain.id.clone(),
                });
            }
            for r in &u.roles {
                if !self.roles.iter().any(|x| &x.name == r) {
                    self.roles.push(Role {
                        id: hex_id(),
                        name: r.clone(),
                    });
                }
            }
            let project_id = self
                .projects
                .iter()
                .find(|p| p.name == u.project)
                .map(|p| p.id.clone())
                .unwrap_or_default();
            let password = u.password.clone().unwrap_or_else(random_secret);
            let user = User {
                id: hex_id(),
                name: u.name.clone(),
                domain_id: domain.id.clone(),
                password: password.clone(),
                assignments: BTreeMap::from([(project_id.clone(), u.roles.clone())]),
            };
            let app = AppCredential {
                id: hex_id(),
                name: format!("{}-appcred", u.name),
                secret: random_secret(),
                user_id: user.id.clone(),
                project_id,
                roles: u.roles.clone(),
            };
            self.credentials.push(SeededCredential {
                cloud: u.cloud.clone().unwrap_or_else(|| u.name.clone()),
                username: u.name.clone(),
                password,
                project: u.project.clone(),
                user_domain: domain.name.clone(),
                project_domain: domain.name.clone(),
                roles: u.roles.clone(),
                app_credential_id: app.id.clone(),
                app_credential_secret: app.secret.clone(),
            });
            self.users.push(user);
            self.app_credentials.push(app);
        }
        self.domains.push(domain);
    }

    pub fn next_generation(&mut self) -> u64 {
        self.next_generation += 1;
        self.next_generation
    }

    /// Free resources on a host (inventory minus allocations).
    pub fn free_on(&self, host: &str) -> Option<Resources> {
        let h = self.hosts.get(host)?;
        let used = self.usage.get(host).copied().unwrap_or_default();
        Some(Resources {
            vcpus: u64::from(h.vcpus).saturating_sub(used.vcpus),
            memory_mb: h
                .memory_mb
                .saturating_sub(h.reserved_memory_mb)
                .saturating_sub(used.memory_mb),
            disk_gb: h.disk_gb.saturating_sub(used.disk_gb),
        })
    }

    pub fn used_on(&self, host: &str) -> Resources {
        self.usage.get(host).copied().unwrap_or_default()
    }

    /// Give `consumer` an allocation on `host` (replacing any it had).
    pub fn allocate(&mut self, consumer: Uuid, host: &str, resources: Resources) {
        self.free(consumer);
        let u = self.usage.entry(host.to_string()).or_default();
        u.vcpus += resources.vcpus;
        u.memory_mb += resources.memory_mb;
        u.disk_gb += resources.disk_gb;
        self.allocations.insert(
            consumer,
            Allocation {
                host: host.to_string(),
                resources,
            },
        );
    }

    /// Drop `consumer`'s allocation, if any.
    pub fn free(&mut self, consumer: Uuid) {
        if let Some(a) = self.allocations.remove(&consumer) {
            if let Some(u) = self.usage.get_mut(&a.host) {
                u.vcpus = u.vcpus.saturating_sub(a.resources.vcpus);
                u.memory_mb = u.memory_mb.saturating_sub(a.resources.memory_mb);
                u.disk_gb = u.disk_gb.saturating_sub(a.resources.disk_gb);
            }
        }
    }

    /// Move an allocation to another consumer (Nova's "migration holds the source").
    pub fn move_allocation(&mut self, from: Uuid, to: Uuid) {
        if let Some(a) = self.allocations.remove(&from) {
            self.allocations.insert(to, a);
        }
    }

    pub fn project_name(&self, id: &str) -> Option<&str> {
        self.projects
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name.as_str())
    }

    pub fn new_migration_id(&mut self) -> u64 {
        let id = self.next_migration_id;
        self.next_migration_id += 1;
        id
    }

    pub fn insert_server(&mut self, mut server: Server) -> Uuid {
        server.seq = self.next_server_seq;
        self.next_server_seq += 1;
        let id = server.uuid;
        self.server_order.insert(server.seq, id);
        self.servers.insert(id, server);
        id
    }

    /// Delete a server: its allocations go, and (as Nova soft-deletes them with the
    /// instance) so do its migrations.
    pub fn remove_server(&mut self, id: Uuid) -> Option<Server> {
        let s = self.servers.remove(&id)?;
        self.server_order.remove(&s.seq);
        self.free(id);
        let gone: Vec<(u64, Uuid)> = self
            .migrations
            .values()
            .filter(|m| m.instance_uuid == id)
            .map(|m| (m.id, m.uuid))
            .collect();
        for (mid, muuid) in gone {
            self.free(muuid);
            self.migrations.remove(&mid);
        }
        Some(s)
    }

    /// The latest migration of a server with the given status.
    pub fn migration_of(&self, server: Uuid, status: &str) -> Option<&Migration> {
        self.migrations
            .values()
            .rev()
            .find(|m| m.instance_uuid == server && m.status == status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocations_track_usage() {
        let cfg = Config::default();
        let mut st = State::seeded(&cfg, &Seed::default(), Utc::now());
        let c = Uuid::new_v4();
        let r = Resources {
            vcpus: 2,
            memory_mb: 1024,
            disk_gb: 10,
        };
        st.allocate(c, "compute1", r);
        assert_eq!(st.used_on("compute1"), r);
        assert_eq!(st.free_on("compute1").unwrap().vcpus, 14);
        st.allocate(c, "compute2", r);
        assert_eq!(st.used_on("compute1"), Resources::default());
        st.free(c);
        assert_eq!(st.used_on("compute2"), Resources::default());
    }

    #[test]
    fn seeds_identities_and_flavors() {
        let st = State::seeded(&Config::default(), &Seed::default(), Utc::now());
        assert_eq!(st.flavors.len(), 5);
        assert_eq!(st.flavors["1"].name, "m1.tiny");
        assert_eq!(st.credentials.len(), 5);
        assert_eq!(st.hosts.len(), 3);
        assert!(st.credentials.iter().all(|c| c.password.len() == 24));
    }
}
