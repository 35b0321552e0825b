//! A real OpenStack cloud as a [`Target`]: identities from clouds.yaml / `OS_*` through
//! `osclient` (Keystone v3), discovery first, then the servers the plan may use.
//!
//! The suite acts as the admin identity (`--os-cloud`, `OS_CLOUD` or the `OS_*` variables):
//! it needs the admin role to see compute hosts and to migrate. The other roles come from
//! `--manager-cloud`, `--member-cloud` (both in the admin's project, where the suite's
//! servers live) and `--other-cloud` (another project); a role without an identity is
//! reported, and its cases Skip with that reason.
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use futures::future::BoxFuture;
use reqwest::Method;
use serde_json::Value;

use crate::cloud_api::{self, call_url, get_json};
use crate::discovery::{self, Discovery};
use crate::error::SuiteError;
use crate::target::{Auth, Caller, HostInventory, ServerTemplate, Target, Timing};
use crate::targets::error::{FindServerError, TemplateError};
use crate::variant::Role;

/// Prefix of every server the suite creates: `nova-conform-<run-id>-<n>`.
pub const NAME_PREFIX: &str = "nova-conform-";

/// Which clouds to use (names in clouds.yaml).
#[derive(Debug, Clone, Default)]
pub struct CloudSelection {
    /// `--os-cloud`; `None`: `OS_CLOUD`, else the `OS_*` variables, else the only cloud.
    pub cloud: Option<String>,
    pub manager: Option<String>,
    pub member: Option<String>,
    pub other: Option<String>,
    /// `--insecure`: turn TLS verification off (only ever explicit).
    pub insecure: bool,
    /// `--os-cacert`: a CA bundle added to the trusted roots.
    pub cacert: Option<PathBuf>,
    /// `--os-region-name`.
    pub region: Option<String>,
    /// A clouds.yaml document to take the clouds from instead of the environment's files
    /// (`fidelity` connects to its own mock this way; no file, no environment).
    pub clouds_yaml_text: Option<CloudsYamlText>,
}

/// A clouds.yaml document held in memory; it holds passwords, so `Debug` never prints it.
#[derive(Clone)]
pub struct CloudsYamlText(pub Arc<str>);

impl std::fmt::Debug for CloudsYamlText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CloudsYamlText(<redacted>)")
    }
}

/// How the servers the suite creates get a network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Network {
    /// `"networks": "none"` (2.37+): no port at all, nothing else touched.
    None,
    /// `"networks": "auto"`.
    Auto,
    /// One network by id.
    Id(String),
}

impl std::str::FromStr for Network {
    type Err = SuiteError;
    fn from_str(s: &str) -> Result<Self, SuiteError> {
        match s.trim() {
            "" => Err(SuiteError::Usage("--network: empty".into())),
            "none" => Ok(Network::None),
            "auto" => Ok(Network::Auto),
            id => Ok(Network::Id(id.to_string())),
        }
    }
}

impl Network {
    /// The `networks` member of a create request.
    pub fn to_json(&self) -> Value {
        match self {
            Network::None => Value::String("none".into()),
            Network::Auto => Value::String("auto".into()),
            Network::Id(id) => serde_json::json!([{ "uuid": id }]),
        }
    }
}

/// What servers the plan may use.
#[derive(Debug, Clone)]
pub struct ServerSpec {
    /// `--flavor` (name or id); `None`: the smallest flavor by RAM.
    pub flavor: Option<String>,
    /// `--image` (name or id); `None`: an active image, a CirrOS one if there is one.
    pub image: Option<String>,
    pub network: Network,
    /// `--server` (name or id, repeatable): existing servers the suite may migrate.
    pub servers: Vec<String>,
    /// `--full-host`: a compute host the operator knows fits no server of the flavor; the
    /// no-capacity cases target it and no other case uses it.
    pub full_host: Option<String>,
}

impl Default for ServerSpec {
    fn default() -> Self {
        Self {
            flavor: None,
            image: None,
            network: Network::None,
            servers: Vec::new(),
            full_host: None,
        }
    }
}

/// A server named with `--server`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GivenServer {
    pub id: String,
    pub name: String,
    pub status: String,
    pub host: Option<String>,
}

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

/// A caller from an authenticated session.
pub fn caller_from(role: Role, session: &osclient::Session) -> Result<Caller, SuiteError> {
    let compute = session
        .endpoint("compute")
        .map_err(|e| SuiteError::Target(format!("{role}: {e}")))?;
    Ok(Caller {
        role,
        http: session.http().clone(),
        compute_url: compute.as_str().trim_end_matches('/').to_string(),
        limits: session.limits(),
        notice: None,
        auth: Arc::new(SessionAuth(session.clone())),
    })
}

/// Loads `name` (or the default cloud) with the TLS choices of `sel`, and authenticates.
pub async fn connect_cloud(
    loader: &osclient::ConfigLoader,
    name: Option<&str>,
    sel: &CloudSelection,
) -> Result<osclient::Session, SuiteError> {
    let mut cfg = match (&sel.clouds_yaml_text, name) {
        (Some(text), Some(name)) => osclient::CloudConfig::from_clouds_yaml_str(&text.0, name),
        _ => loader.load(name),
    }
    .map_err(|e| SuiteError::Target(e.to_string()))?;
    if sel.insecure {
        cfg.verify = false;
    }
    if let Some(ca) = &sel.cacert {
        cfg.cacert = Some(ca.clone());
    }
    osclient::Session::connect(cfg)
        .await
        .map_err(|e| SuiteError::Target(e.to_string()))
}

/// Whether a cloud is configured at all (else `run` uses the embedded mock).
pub fn cloud_configured(sel: &CloudSelection) -> bool {
    sel.cloud.is_some()
        || std::env::var_os("OS_CLOUD").is_some_and(|v| !v.is_empty())
        || std::env::var_os("OS_AUTH_URL").is_some_and(|v| !v.is_empty())
}

/// The loader for the process environment, with `--os-region-name` applied.
pub fn loader(sel: &CloudSelection) -> osclient::ConfigLoader {
    let l = osclient::ConfigLoader::from_environment();
    match &sel.region {
        Some(r) => l.with_region(r.clone()),
        None => l,
    }
}

/// A real cloud, discovered.
pub struct CloudTarget {
    name: String,
    callers: BTreeMap<Role, Caller>,
    /// Why a role has no caller (reported, and the reason its cases Skip).
    pub missing: BTreeMap<Role, String>,
    pub discovery: Discovery,
    inventory: HostInventory,
    template: ServerTemplate,
    pub network: Network,
    pub given: Vec<GivenServer>,
    /// Why the suite cannot create servers (no flavor or image), if so.
    pub create_problem: Option<String>,
    timing: Timing,
}

impl CloudTarget {
    /// Authenticates every identity, discovers the cloud and resolves flavor, image and the
    /// `--server` servers. Read-only.
    pub async fn connect(
        sel: &CloudSelection,
        spec: &ServerSpec,
        timing: Timing,
    ) -> Result<Self, SuiteError> {
        let loader = loader(sel);
        let admin_session = connect_cloud(&loader, sel.cloud.as_deref(), sel).await?;
        let admin = caller_from(Role::Admin, &admin_session)?;
        let id = admin_session.identity().clone();
        let discovery = discovery::discover(&admin, &id).await?;
        if !discovery.is_admin {
            return Err(SuiteError::Target(format!(
                "cloud '{}': user {} has no admin role in project {}; the suite needs an admin \
                 identity (--os-cloud) to see compute hosts and migrate, and takes the other \
                 roles from --manager-cloud, --member-cloud and --other-cloud",
                admin_session.config().name,
                id.user_name,
                id.project_name.as_deref().unwrap_or("(none)")
            )));
        }
        let mut callers = BTreeMap::new();
        let mut missing = BTreeMap::new();
        callers.insert(Role::Admin, admin.clone());
        for (role, name, flag) in [
            (Role::Manager, &sel.manager, "--manager-cloud"),
            (Role::Member, &sel.member, "--member-cloud"),
            (Role::Other, &sel.other, "--other-cloud"),
        ] {
            let Some(name) = name else {
                missing.insert(role, format!("no {role} identity: give {flag} NAME"));
                continue;
            };
            let s = connect_cloud(&loader, Some(name), sel).await?;
            let same_project = s.identity().project_id == id.project_id;
            let problem = match role {
                Role::Other if same_project => Some(format!(
                    "{flag} {name}: its project is the admin's; the other-project cases need \
                     a user of another project"
                )),
                Role::Manager | Role::Member if !same_project => Some(format!(
                    "{flag} {name}: its project differs from the admin's ({}); the suite's \
                     servers live in the admin's project",
                    id.project_name.as_deref().unwrap_or("?")
                )),
                _ => None,
            };
            match problem {
                Some(p) => {
                    missing.insert(role, p);
                }
                None => {
                    callers.insert(role, caller_from(role, &s)?);
                }
            }
        }
        let (flavor, image, create_problem) = match resolve_template(&admin_session, spec).await {
            Ok((f, i)) => (f, i, None),
            Err(e) => (String::new(), String::new(), Some(e.to_string())),
        };
        let mut given = Vec::new();
        for s in &spec.servers {
            given.push(find_server(&admin, s).await?);
        }
        let mut inventory = discovery.inventory();
        if let Some(full) = &spec.full_host {
            if !discovery.hosts.iter().any(|h| &h.name == full) {
                return Err(SuiteError::Usage(format!(
                    "--full-host {full}: the cloud has no compute host of that name"
                )));
            }
            inventory.enabled.retain(|h| h != full);
            if inventory.disabled.as_ref() == Some(full) {
                inventory.disabled = None;
            }
            inventory.no_capacity = Some(full.clone());
        }
        Ok(Self {
            name: admin_session.config().name.clone(),
            callers,
            missing,
            inventory,
            discovery,
            template: ServerTemplate {
                image_ref: image,
                flavor_ref: flavor,
                name_prefix: NAME_PREFIX.into(),
            },
            network: spec.network.clone(),
            given,
            create_problem,
            timing,
        })
    }

    /// The admin caller (always present).
    pub fn admin(&self) -> Caller {
        self.callers[&Role::Admin].clone()
    }

    /// Human-readable discovery report.
    pub fn describe_discovery(&self) -> String {
        let mut s = format!("cloud '{}'\n{}", self.name, self.discovery.describe());
        for (role, why) in &self.missing {
            s.push_str(&format!("role {role}: missing ({why})\n"));
        }
        match &self.create_problem {
            Some(p) => s.push_str(&format!("servers: cannot create ({p})\n")),
            None => s.push_str(&format!(
                "servers: flavor {} image {} network {:?}\n",
                self.template.flavor_ref, self.template.image_ref, self.network
            )),
        }
        for g in &self.given {
            s.push_str(&format!(
                "given server {} ({}) {} on {}\n",
                g.name,
                g.id,
                g.status,
                g.host.as_deref().unwrap_or("?")
            ));
        }
        s
    }
}

impl Target for CloudTarget {
    fn describe(&self) -> String {
        format!(
            "cloud '{}' (compute {}-{})",
            self.name, self.discovery.bounds.min, self.discovery.bounds.max
        )
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
        self.timing
    }
    fn network(&self) -> Network {
        self.network.clone()
    }
    fn given(&self) -> &[GivenServer] {
        &self.given
    }
    fn missing_roles(&self) -> BTreeMap<Role, String> {
        self.missing.clone()
    }
    fn create_problem(&self) -> Option<&str> {
        self.create_problem.as_deref()
    }
    fn shutdown(&self) -> BoxFuture<'_, ()> {
        // Nothing to stop: sessions hold no server-side state.
        Box::pin(async {})
    }
}

/// The flavor and image ids to create servers with.
async fn resolve_template(
    session: &osclient::Session,
    spec: &ServerSpec,
) -> Result<(String, String), TemplateError> {
    let admin =
        caller_from(Role::Admin, session).map_err(|e| TemplateError::Caller(Box::new(e)))?;
    let flavors = get_json(&admin, "/flavors/detail", "2.1").await?;
    let list = flavors["flavors"].as_array().cloned().unwrap_or_default();
    let flavor = match &spec.flavor {
        Some(want) => list
            .iter()
            .find(|f| f["id"].as_str() == Some(want))
            .or_else(|| list.iter().find(|f| f["name"].as_str() == Some(want)))
            .ok_or_else(|| TemplateError::NoSuchFlavor(want.clone()))?,
        None => list
            .iter()
            .min_by_key(|f| (f["ram"].as_i64().unwrap_or(i64::MAX), f["vcpus"].as_i64()))
            .ok_or(TemplateError::NoFlavor)?,
    };
    let flavor_id = flavor["id"].as_str().unwrap_or_default().to_string();
    let images = match session.endpoint("image") {
        Ok(image_url) => {
            let base = image_url.as_str().trim_end_matches('/');
            let base = base.strip_suffix("/v2").unwrap_or(base);
            call_url(
                &admin,
                Method::GET,
                &format!("{base}/v2/images?status=active&limit=1000"),
                None,
                None,
            )
            .await?
        }
        // No image service in the catalog (e.g. upstream Nova on loopback): the compute API's
        // image proxy (deprecated from 2.36, so asked at 2.35) lists the same images.
        Err(_) => {
            let mut r =
                cloud_api::call(&admin, Method::GET, "/images/detail", "2.35", None).await?;
            if let Some(list) = r.body["images"].as_array_mut() {
                list.retain(|i| i["status"].as_str() == Some("ACTIVE"));
            }
            r
        }
    };
    if images.status != 200 {
        return match &spec.image {
            // A name or id given: trust it if the image service cannot be listed.
            Some(id) => Ok((flavor_id, id.clone())),
            None => Err(TemplateError::ImagesUnlisted(images.status)),
        };
    }
    let list = images.body["images"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let image = match &spec.image {
        Some(want) => list
            .iter()
            .find(|i| i["id"].as_str() == Some(want))
            .or_else(|| list.iter().find(|i| i["name"].as_str() == Some(want)))
            .ok_or_else(|| TemplateError::NoSuchImage(want.clone()))?,
        None => list
            .iter()
            .find(|i| {
                i["name"]
                    .as_str()
                    .is_some_and(|n| n.to_lowercase().contains("cirros"))
            })
            .or_else(|| list.first())
            .ok_or(TemplateError::NoImage)?,
    };
    Ok((
        flavor_id,
        image["id"].as_str().unwrap_or_default().to_string(),
    ))
}

/// A server by id, or by exact name in the caller's project.
pub async fn find_server(
    caller: &Caller,
    name_or_id: &str,
) -> Result<GivenServer, FindServerError> {
    let view = |s: &Value| GivenServer {
        id: s["id"].as_str().unwrap_or_default().to_string(),
        name: s["name"].as_str().unwrap_or_default().to_string(),
        status: s["status"].as_str().unwrap_or_default().to_string(),
        host: s["OS-EXT-SRV-ATTR:host"].as_str().map(String::from),
    };
    let by_id = cloud_api::call(
        caller,
        Method::GET,
        &format!("/servers/{}", urlencode(name_or_id)),
        "2.56",
        None,
    )
    .await?;
    if by_id.status == 200 {
        return Ok(view(&by_id.body["server"]));
    }
    let anchored = format!("^{}$", regex::escape(name_or_id));
    let query = format!("/servers/detail?name={}", urlencode(&anchored));
    let mut list = get_json(caller, &query, "2.56").await?;
    let named = |list: &Value| -> Vec<Value> {
        list["servers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| s["name"].as_str() == Some(name_or_id))
            .cloned()
            .collect()
    };
    if named(&list).is_empty() {
        // An admin may name a server of another project (refused for others: ignored).
        if let Ok(all) = get_json(caller, &format!("{query}&all_tenants=1"), "2.56").await {
            list = all;
        }
    }
    let found = named(&list);
    match found.as_slice() {
        [one] => Ok(view(one)),
        [] => Err(FindServerError::NotFound {
            name: name_or_id.to_string(),
        }),
        many => Err(FindServerError::Ambiguous {
            count: many.len(),
            name: name_or_id.to_string(),
        }),
    }
}

/// Percent-encodes a query or path value (RFC 3986 unreserved characters pass). Hand-written
/// because the suite does not depend on `url` directly and this is all it needs of it.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
