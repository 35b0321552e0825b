//! The embedded mock cloud as a [`Target`]: started in-process on 127.0.0.1:0 and then
//! connected to exactly like a vendor's cloud, through [`CloudTarget::connect`] with the
//! mock's clouds.yaml (passwords against its own Keystone, discovery of hosts, flavors and
//! images over HTTP). The embedded run and `fidelity`'s mirror are the same thing with
//! another [`Topology`].
//!
//! The only place the suite touches the mock's library: the topology it starts with, which a
//! real cloud's operator would describe with `--full-host` and a disabled service instead.
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use mockcloud::{HostSpec, Lifecycle, MockCloud};

use crate::cloud_target::{
    CloudSelection, CloudTarget, CloudsYamlText, GivenServer, Network, ServerSpec,
};
use crate::error::SuiteError;
use crate::microversion::VersionBounds;
use crate::oracle::Profile;
use crate::target::{Caller, HostInventory, ServerTemplate, Target, Timing};
use crate::variant::Role;

/// The compute hosts of a mock and the identities the suite gets.
#[derive(Debug, Clone)]
pub struct Topology {
    /// Enabled hosts with room for every server of a run.
    pub enabled: Vec<String>,
    /// A host whose nova-compute service is disabled, with the reason.
    pub disabled: Option<(String, Option<String>)>,
    /// A host with no capacity at all (the no-capacity cases' target).
    pub full: Option<String>,
    /// The microversion range to advertise instead of the series' own.
    pub microversions: Option<VersionBounds>,
    /// The roles besides admin that get an identity (the others' cases Skip).
    pub roles: Vec<Role>,
    /// How the servers the suite creates get a network.
    pub network: Network,
    /// Polling the mock (instant lifecycle: the first poll sees the end state; the timeout
    /// only bounds a misbehaving mock).
    pub timing: Timing,
}

impl Default for Topology {
    /// Three enabled hosts, a disabled one and a full one; every role.
    fn default() -> Self {
        Self {
            enabled: ["compute1", "compute2", "compute3"]
                .map(String::from)
                .to_vec(),
            disabled: Some((
                "compute4".into(),
                Some("nova-conform: the disabled-host cases".into()),
            )),
            full: Some("compute5".into()),
            microversions: None,
            roles: vec![Role::Manager, Role::Member, Role::Other],
            network: Network::None,
            timing: Timing {
                poll_interval: Duration::from_millis(2),
                timeout: Duration::from_secs(5),
            },
        }
    }
}

/// The embedded mock, connected to as a cloud.
pub struct EmbeddedMock {
    /// Taken by [`Target::shutdown`].
    cloud: parking_lot::Mutex<Option<MockCloud>>,
    profile: Profile,
    target: CloudTarget,
}

impl EmbeddedMock {
    /// Starts a mock of `profile` as the newest Nova of the release table (microversions
    /// 2.1-2.104, instant lifecycle).
    pub async fn start(profile: Profile) -> Result<Self, SuiteError> {
        Self::start_release(profile, nova_releases::ReleaseTable::bundled().newest()).await
    }

    /// Starts a mock of `profile` behaving like Nova `series` (its max microversion,
    /// policies and message variants: `MockCloudBuilder::nova_release`).
    pub async fn start_release(
        profile: Profile,
        series: &nova_releases::Series,
    ) -> Result<Self, SuiteError> {
        Self::start_with(profile, series, &Topology::default()).await
    }

    /// Starts a mock of `profile` as Nova `series` with `topology`, and connects to it.
    pub async fn start_with(
        profile: Profile,
        series: &nova_releases::Series,
        topology: &Topology,
    ) -> Result<Self, SuiteError> {
        // Room for every server a run holds at once (lane servers and allocations held on
        // both hosts during VERIFY_RESIZE); the default inventory fits only 16 m1.tiny a host.
        let roomy = |name: &str| HostSpec {
            name: name.into(),
            vcpus: 100_000,
            memory_mb: 100_000_000,
            disk_gb: 10_000_000,
            reserved_memory_mb: 0,
        };
        let mut hosts: Vec<HostSpec> = topology
            .enabled
            .iter()
            .chain(topology.disabled.as_ref().map(|(h, _)| h))
            .map(|h| roomy(h))
            .collect();
        if let Some(full) = &topology.full {
            // As upstream-nova's compute-full (FullFakeDriver): 768 MB of which Nova's default
            // reserved_host_memory_mb 512 is reserved, 256 MB for servers, less than m1.tiny's
            // 512. A live migration forced there passes the conductor's memory check where the
            // series' ram_allocation_ratio is 1.5 (768 * 1.5 - 512 = 640) and fails the
            // placement claim; with 1.0 the check itself refuses it (256).
            hosts.push(HostSpec {
                name: full.clone(),
                vcpus: 1,
                memory_mb: 768,
                disk_gb: 1,
                reserved_memory_mb: 512,
            });
        }
        let mut builder = MockCloud::builder()
            .profile(match profile {
                Profile::Nova => mockcloud::Profile::Nova,
                Profile::PikeSpec => mockcloud::Profile::PikeSpec,
            })
            // The series first: it sets its max microversion, which an explicit range then
            // overrides (a max unknown to the table is mirrored as advertised).
            .nova_release(&series.id);
        if let Some(b) = &topology.microversions {
            builder = builder.microversions(&b.min.to_string(), &b.max.to_string());
        }
        let cloud = builder
            .host_specs(hosts)
            .lifecycle(Lifecycle::Instant)
            .start()
            .await
            .map_err(|e| SuiteError::Target(format!("starting the embedded mock: {e}")))?;
        // Topology, like an operator disabling a service before the run.
        if let Some((name, reason)) = &topology.disabled {
            cloud
                .state()
                .set_host_enabled(name, false, reason.as_deref());
        }
        let role = |r: Role, cloud: &str| topology.roles.contains(&r).then(|| cloud.to_string());
        let selection = CloudSelection {
            cloud: Some("mockcloud-admin".into()),
            manager: role(Role::Manager, "mockcloud-manager"),
            member: role(Role::Member, "mockcloud-member"),
            other: role(Role::Other, "mockcloud-other"),
            clouds_yaml_text: Some(CloudsYamlText(Arc::from(cloud.clouds_yaml()))),
            ..CloudSelection::default()
        };
        let spec = ServerSpec {
            network: topology.network.clone(),
            full_host: topology.full.clone(),
            ..ServerSpec::default()
        };
        let target = match CloudTarget::connect(&selection, &spec, topology.timing).await {
            Ok(t) => t,
            Err(e) => {
                cloud.shutdown().await;
                return Err(e);
            }
        };
        Ok(Self {
            cloud: parking_lot::Mutex::new(Some(cloud)),
            profile,
            target,
        })
    }

    /// The clouds.yaml entries the suite authenticates as, by role (the submission bundle
    /// names them; never their passwords).
    pub fn identities(&self) -> Vec<(Role, String)> {
        let mut v: Vec<(Role, String)> = [Role::Admin, Role::Manager, Role::Member, Role::Other]
            .into_iter()
            .filter(|r| self.target.caller(*r).is_some())
            .map(|r| (r, format!("mockcloud-{r}")))
            .collect();
        v.sort();
        v
    }

    /// Runs `f` with the mock itself (tests: its seeded credentials and state); `None` after
    /// shutdown.
    pub fn with_mock<R>(&self, f: impl FnOnce(&MockCloud) -> R) -> Option<R> {
        self.cloud.lock().as_ref().map(f)
    }

    /// The mock as a cloud (its discovery).
    pub fn cloud_target(&self) -> &CloudTarget {
        &self.target
    }
}

impl Target for EmbeddedMock {
    fn describe(&self) -> String {
        format!("embedded mockcloud ({} profile)", self.profile)
    }
    fn caller(&self, role: Role) -> Option<Caller> {
        self.target.caller(role)
    }
    fn inventory(&self) -> &HostInventory {
        self.target.inventory()
    }
    fn server_template(&self) -> &ServerTemplate {
        self.target.server_template()
    }
    fn timing(&self) -> Timing {
        self.target.timing()
    }
    fn network(&self) -> Network {
        self.target.network()
    }
    fn given(&self) -> &[GivenServer] {
        self.target.given()
    }
    fn missing_roles(&self) -> BTreeMap<Role, String> {
        self.target.missing_roles()
    }
    fn create_problem(&self) -> Option<&str> {
        self.target.create_problem()
    }
    fn shutdown(&self) -> BoxFuture<'_, ()> {
        let cloud = self.cloud.lock().take();
        Box::pin(async move {
            if let Some(c) = cloud {
                c.shutdown().await;
            }
        })
    }
}
