//! The embedded mock cloud as a [`Target`]: started in-process on 127.0.0.1:0, authenticated
//! with passwords against its own Keystone through `osclient`, exactly like a vendor's cloud.
//!
//! The only place the suite touches the mock's library: the topology it starts with (three
//! enabled hosts, a disabled one, one without capacity), which a real cloud's operator would
//! describe in a plan instead. Everything else (tokens, catalog, image) goes over HTTP.
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use mockcloud::{HostSpec, Lifecycle, MockCloud};

use crate::error::SuiteError;
use crate::oracle::Profile;
use crate::target::{Auth, Caller, HostInventory, ServerTemplate, Target, Timing};
use crate::variant::Role;

/// A token from an `osclient` session (refreshed before expiry by the session).
pub struct SessionAuth(pub osclient::Session);

impl Auth for SessionAuth {
    fn token(&self) -> BoxFuture<'_, Result<String, SuiteError>> {
        Box::pin(async move {
            self.0
                .token()
                .await
                .map_err(|e| SuiteError::Target(e.to_string()))
        })
    }
    fn project_id(&self) -> Option<String> {
        self.0.identity().project_id.clone()
    }
}

/// Builds a caller from an authenticated session.
pub fn caller_from_session(role: Role, session: osclient::Session) -> Result<Caller, SuiteError> {
    let compute = session
        .endpoint("compute")
        .map_err(|e| SuiteError::Target(format!("{role}: {e}")))?;
    Ok(Caller {
        role,
        http: session.http().clone(),
        compute_url: compute.as_str().trim_end_matches('/').to_string(),
        limits: session.limits(),
        notice: None,
        auth: Arc::new(SessionAuth(session)),
    })
}

const ENABLED: [&str; 3] = ["compute1", "compute2", "compute3"];
const DISABLED: &str = "compute4";
const FULL: &str = "compute5";

/// The embedded mock with one identity per role.
pub struct EmbeddedMock {
    cloud: MockCloud,
    profile: Profile,
    callers: HashMap<Role, Caller>,
    inventory: HostInventory,
    template: ServerTemplate,
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
        let mock_profile = match profile {
            Profile::Nova => mockcloud::Profile::Nova,
            Profile::PikeSpec => mockcloud::Profile::PikeSpec,
        };
        // Room for every server a run holds at once (pool servers and allocations held on both
        // hosts during VERIFY_RESIZE); the default inventory fits only 16 m1.tiny per host.
        let roomy = |name: &str| HostSpec {
            name: name.into(),
            vcpus: 100_000,
            memory_mb: 100_000_000,
            disk_gb: 10_000_000,
        };
        let mut hosts: Vec<HostSpec> = ENABLED
            .iter()
            .chain([&DISABLED])
            .map(|h| roomy(h))
            .collect();
        hosts.push(HostSpec {
            name: FULL.into(),
            vcpus: 0,
            memory_mb: 0,
            disk_gb: 0,
        });
        let cloud = MockCloud::builder()
            .profile(mock_profile)
            .nova_release(&series.id)
            .host_specs(hosts)
            .lifecycle(Lifecycle::Instant)
            .start()
            .await
            .map_err(|e| SuiteError::Target(format!("starting the embedded mock: {e}")))?;
        // Topology, like an operator disabling a service before the run.
        cloud.state().set_host_enabled(
            DISABLED,
            false,
            Some("nova-conform: the disabled-host cases"),
        );
        let yaml = cloud.clouds_yaml();
        let mut callers = HashMap::new();
        let roles = [
            (Role::Admin, "mockcloud-admin"),
            (Role::Manager, "mockcloud-manager"),
            (Role::Member, "mockcloud-member"),
            (Role::Other, "mockcloud-other"),
        ];
        let yaml = &yaml;
        let sessions = futures::future::join_all(roles.iter().map(|(_, name)| async move {
            let cfg = osclient::CloudConfig::from_clouds_yaml_str(yaml, name)
                .map_err(|e| SuiteError::Target(format!("{name}: {e}")))?;
            osclient::Session::connect(cfg)
                .await
                .map_err(|e| SuiteError::Target(format!("{name}: {e}")))
        }))
        .await;
        let mut image_ref = None;
        for ((role, _), s) in roles.iter().zip(sessions) {
            let s = s?;
            if *role == Role::Admin {
                image_ref = Some(first_image(&s).await?);
            }
            callers.insert(*role, caller_from_session(*role, s)?);
        }
        let image_ref = image_ref.expect("the admin role is in the list");
        Ok(Self {
            cloud,
            profile,
            callers,
            inventory: HostInventory {
                enabled: ENABLED.iter().map(|s| s.to_string()).collect(),
                disabled: Some(DISABLED.into()),
                no_capacity: Some(FULL.into()),
            },
            template: ServerTemplate {
                image_ref,
                flavor_ref: "1".into(),
                name_prefix: "nova-conform-".into(),
            },
        })
    }
}

impl EmbeddedMock {
    /// The clouds.yaml entries the suite authenticates as, by role (the submission bundle
    /// names them; never their passwords).
    pub fn identities(&self) -> Vec<(Role, String)> {
        let mut v: Vec<(Role, String)> = self
            .callers
            .keys()
            .map(|r| (*r, format!("mockcloud-{r}")))
            .collect();
        v.sort();
        v
    }

    /// The mock itself (tests: its seeded credentials).
    pub fn mock(&self) -> &MockCloud {
        &self.cloud
    }
}

/// The first image of the catalog's image service (`GET <image>/v2/images`), as a client
/// would pick one; a real cloud's plan names its image instead (issue #4).
async fn first_image(session: &osclient::Session) -> Result<String, SuiteError> {
    let err = |e: String| SuiteError::Target(format!("image discovery: {e}"));
    let base = session.endpoint("image").map_err(|e| err(e.to_string()))?;
    let url = reqwest::Url::parse(&format!(
        "{}/v2/images",
        base.as_str().trim_end_matches('/')
    ))
    .map_err(|e| err(e.to_string()))?;
    let request = session
        .request(reqwest::Method::GET, url)
        .await
        .map_err(|e| err(e.to_string()))?
        .build()
        .map_err(|e| err(e.to_string()))?;
    // Bounded and retried like every other request (osclient::execute).
    let answer = osclient::execute(
        session.http(),
        request,
        osclient::Repeat::Idempotent,
        &osclient::RetryPolicy::default(),
        &session.limits(),
        None,
    )
    .await
    .map_err(|e| err(e.to_string()))?;
    if !answer.status.is_success() {
        return Err(err(format!(
            "GET /v2/images answered {}",
            answer.describe()
        )));
    }
    let v: serde_json::Value =
        serde_json::from_slice(&answer.body).map_err(|e| err(e.to_string()))?;
    v["images"][0]["id"]
        .as_str()
        .map(String::from)
        .ok_or_else(|| err("the image service lists no image".into()))
}

impl Target for EmbeddedMock {
    fn describe(&self) -> String {
        format!("embedded mockcloud ({} profile)", self.profile)
    }
    fn caller(&self, role: Role) -> Option<Caller> {
        self.callers.get(&role).cloned()
    }
    fn inventory(&self) -> &HostInventory {
        &self.inventory
    }
    fn server_template(&self) -> &ServerTemplate {
        &self.template
    }
    fn timing(&self) -> Timing {
        // Instant lifecycle: the first poll already sees the end state; the timeout only
        // bounds a misbehaving mock.
        Timing {
            poll_interval: Duration::from_millis(2),
            timeout: Duration::from_secs(5),
        }
    }
    fn shutdown(self: Box<Self>) -> BoxFuture<'static, ()> {
        Box::pin(async move { self.cloud.shutdown().await })
    }
}
