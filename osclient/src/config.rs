//! The typed configuration of one cloud, as `openstack.config` would hand it to keystoneauth.
//!
//! Built by [`crate::ConfigLoader`] (files + `OS_*` variables) or
//! [`CloudConfig::from_clouds_yaml_str`]; the fields are public so a CLI can apply its own
//! flags (`--insecure`, `--os-region-name`) on top before [`crate::Session::connect`].

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use crate::error::Error;
use crate::secret::Secret;

/// One cloud: where Keystone is, who to authenticate as, which endpoints and TLS settings to use.
///
/// `Debug` and `Display` never show the password, application credential secret or token.
#[derive(Clone, Debug)]
pub struct CloudConfig {
    /// The cloud's name (`envvars` or `OS_CLOUD_NAME` for a cloud made from `OS_*` variables).
    pub name: String,
    /// How to obtain a token.
    pub auth_type: AuthType,
    /// The `auth:` section.
    pub auth: AuthConfig,
    /// Region to pick endpoints in; `None` accepts any region.
    pub region_name: Option<String>,
    /// Endpoint interface to pick from the catalog (default public).
    pub interface: Interface,
    /// Verify server certificates (default true; false only with `verify: false`,
    /// `insecure: true` or `OS_INSECURE=true`).
    pub verify: bool,
    /// Extra CA bundle (PEM) trusted in addition to the built-in roots.
    pub cacert: Option<PathBuf>,
    /// Client certificate (PEM) for mutual TLS.
    pub cert: Option<PathBuf>,
    /// Private key (PEM) of the client certificate; may also be inside `cert`.
    pub key: Option<PathBuf>,
    /// `compute_api_version` / `OS_COMPUTE_API_VERSION`: the microversion the user asked for.
    pub compute_api_version: Option<String>,
    /// `<service_type>_endpoint_override` values, keyed by service type (`compute`, ...): used
    /// instead of the catalog.
    pub endpoint_overrides: BTreeMap<String, String>,
    /// `api_timeout` / `OS_API_TIMEOUT`: per-request timeout.
    pub api_timeout: Option<Duration>,
    /// Where the configuration came from (file paths or `environment`), for messages.
    pub origin: String,
}

/// Keystone v3 authentication methods supported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthType {
    /// `password` / `v3password`: user + password, optionally scoped.
    Password,
    /// `v3applicationcredential`: application credential id (or name + user) and secret.
    ApplicationCredential,
    /// `token` / `v3token`: an existing token exchanged for a (scoped) one.
    Token,
}

impl AuthType {
    /// The keystoneauth plugin name this corresponds to.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthType::Password => "password",
            AuthType::ApplicationCredential => "v3applicationcredential",
            AuthType::Token => "token",
        }
    }

    /// The Keystone v3 `identity.methods` entry.
    pub fn method(self) -> &'static str {
        match self {
            AuthType::Password => "password",
            AuthType::ApplicationCredential => "application_credential",
            AuthType::Token => "token",
        }
    }
}

impl FromStr for AuthType {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "password" | "v3password" => Ok(AuthType::Password),
            "v3applicationcredential" | "applicationcredential" | "application_credential" => {
                Ok(AuthType::ApplicationCredential)
            }
            "token" | "v3token" => Ok(AuthType::Token),
            other => Err(format!(
                "auth_type '{other}' is not supported (supported: password, v3password, \
                 v3applicationcredential, token, v3token)"
            )),
        }
    }
}

impl fmt::Display for AuthType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Catalog endpoint interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Interface {
    /// `public` / `publicURL` (the default).
    #[default]
    Public,
    /// `internal` / `internalURL`.
    Internal,
    /// `admin` / `adminURL`.
    Admin,
}

impl Interface {
    /// The v3 catalog spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Interface::Public => "public",
            Interface::Internal => "internal",
            Interface::Admin => "admin",
        }
    }
}

impl FromStr for Interface {
    type Err = String;

    /// Accepts the v3 names and the v2-era `publicURL` forms, case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        match lower.strip_suffix("url").unwrap_or(&lower) {
            "public" => Ok(Interface::Public),
            "internal" => Ok(Interface::Internal),
            "admin" => Ok(Interface::Admin),
            _ => Err(format!(
                "interface '{s}' is not one of public, internal, admin (or publicURL, internalURL, adminURL)"
            )),
        }
    }
}

impl fmt::Display for Interface {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `auth:` section of a cloud (keystoneauth option names).
#[derive(Clone, Debug, Default)]
pub struct AuthConfig {
    /// Keystone URL: `https://host:5000`, `https://host/identity` or `.../v3`.
    pub auth_url: String,
    /// User name (needs a user domain; `Default` when none is given, as openstackclient).
    pub username: Option<String>,
    /// User id.
    pub user_id: Option<String>,
    /// Password.
    pub password: Option<Secret>,
    /// Domain id of the user.
    pub user_domain_id: Option<String>,
    /// Domain name of the user.
    pub user_domain_name: Option<String>,
    /// Project to scope to, by id.
    pub project_id: Option<String>,
    /// Project to scope to, by name (needs a project domain; `Default` when none is given).
    pub project_name: Option<String>,
    /// Domain id of the project.
    pub project_domain_id: Option<String>,
    /// Domain name of the project.
    pub project_domain_name: Option<String>,
    /// Domain to scope to (when no project is given), by id.
    pub domain_id: Option<String>,
    /// Domain to scope to (when no project is given), by name.
    pub domain_name: Option<String>,
    /// `all` for a system-scoped token.
    pub system_scope: Option<String>,
    /// Application credential id.
    pub application_credential_id: Option<String>,
    /// Application credential name (needs the user).
    pub application_credential_name: Option<String>,
    /// Application credential secret.
    pub application_credential_secret: Option<Secret>,
    /// An existing token (token auth).
    pub token: Option<Secret>,
}

/// The domain openstackclient assumes when a user or project is given by name without a
/// domain (`--os-default-domain`, default `default`).
pub const DEFAULT_DOMAIN_ID: &str = "default";

impl CloudConfig {
    /// Checks that the fields needed by [`CloudConfig::auth_type`] are present and usable.
    /// Called by the loader and again by [`crate::Session::connect`] (a CLI may have changed
    /// fields in between).
    pub fn validate(&self) -> Result<(), Error> {
        let missing = |field, hint| Error::MissingField {
            cloud: self.name.clone(),
            field,
            hint,
        };
        let a = &self.auth;
        if a.auth_url.trim().is_empty() {
            return Err(missing(
                "auth.auth_url",
                "set auth.auth_url in clouds.yaml or OS_AUTH_URL",
            ));
        }
        if let Err(e) = url::Url::parse(&a.auth_url) {
            return Err(Error::InvalidField {
                cloud: self.name.clone(),
                field: "auth.auth_url".into(),
                reason: format!("'{}' is not a URL: {e}", a.auth_url),
            });
        }
        match self.auth_type {
            AuthType::Password => {
                if a.username.is_none() && a.user_id.is_none() {
                    return Err(missing(
                        "auth.username (or auth.user_id)",
                        "set it in clouds.yaml or OS_USERNAME / OS_USER_ID",
                    ));
                }
                if a.password.is_none() {
                    return Err(missing(
                        "auth.password",
                        "set it in clouds.yaml, secure.yaml or OS_PASSWORD",
                    ));
                }
            }
            AuthType::ApplicationCredential => {
                if a.application_credential_secret.is_none() {
                    return Err(missing(
                        "auth.application_credential_secret",
                        "set it in clouds.yaml, secure.yaml or OS_APPLICATION_CREDENTIAL_SECRET",
                    ));
                }
                if a.application_credential_id.is_none() {
                    if a.application_credential_name.is_none() {
                        return Err(missing(
                            "auth.application_credential_id (or application_credential_name)",
                            "set it in clouds.yaml or OS_APPLICATION_CREDENTIAL_ID",
                        ));
                    }
                    if a.username.is_none() && a.user_id.is_none() {
                        return Err(missing(
                            "auth.username or auth.user_id (an application credential given by name needs its user)",
                            "set it in clouds.yaml or OS_USERNAME / OS_USER_ID",
                        ));
                    }
                }
            }
            AuthType::Token => {
                if a.token.is_none() {
                    return Err(missing("auth.token", "set it in clouds.yaml or OS_TOKEN"));
                }
            }
        }
        for (service, url) in &self.endpoint_overrides {
            if let Err(e) = url::Url::parse(url) {
                return Err(Error::InvalidField {
                    cloud: self.name.clone(),
                    field: format!("{service}_endpoint_override"),
                    reason: format!("'{url}' is not a URL: {e}"),
                });
            }
        }
        Ok(())
    }

    /// A cloud with only an auth URL and the password method, for building by hand (tests,
    /// programmatic use). Fill in `auth` and call [`CloudConfig::validate`].
    pub fn new(name: impl Into<String>, auth_url: impl Into<String>) -> Self {
        CloudConfig {
            name: name.into(),
            auth_type: AuthType::Password,
            auth: AuthConfig {
                auth_url: auth_url.into(),
                ..AuthConfig::default()
            },
            region_name: None,
            interface: Interface::Public,
            verify: true,
            cacert: None,
            cert: None,
            key: None,
            compute_api_version: None,
            endpoint_overrides: BTreeMap::new(),
            api_timeout: None,
            origin: "constructed in code".into(),
        }
    }
}

impl fmt::Display for CloudConfig {
    /// One line for logs: cloud, auth type, who, where. Never a secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = &self.auth;
        let who = a
            .username
            .as_deref()
            .or(a.user_id.as_deref())
            .or(a.application_credential_name.as_deref())
            .or(a.application_credential_id.as_deref())
            .unwrap_or("(token)");
        write!(f, "cloud '{}' ({} as {who}", self.name, self.auth_type)?;
        if let Some(p) = a.project_name.as_deref().or(a.project_id.as_deref()) {
            write!(f, ", project {p}")?;
        }
        write!(f, " at {}", a.auth_url)?;
        if let Some(r) = &self.region_name {
            write!(f, ", region {r}")?;
        }
        write!(f, ", {} interface", self.interface)?;
        if !self.verify {
            f.write_str(", TLS verification OFF")?;
        }
        f.write_str(")")
    }
}
