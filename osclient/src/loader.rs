//! Finding and selecting a cloud like `openstack.config` (openstacksdk's
//! `openstack/config/loader.py`) does: clouds.yaml and secure.yaml from the standard places,
//! `OS_CLIENT_CONFIG_FILE`, `OS_CLOUD` and the `envvars` cloud made from `OS_*` variables.
//!
//! The environment and the search paths are injected ([`ConfigLoader::new`] +
//! [`ConfigLoader::with_env`] / [`ConfigLoader::with_search_dirs`]) so tests never read the real
//! environment or home; [`ConfigLoader::from_environment`] is the real-world constructor.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::build::build_cloud;
use crate::config::CloudConfig;
use crate::error::{list_or_none, Error};
use crate::raw::{clouds_of, merge, parse_document, Raw};

/// File name suffixes tried in each directory, in `openstack.config`'s order.
const SUFFIXES: &[&str] = &["yaml", "yml", "json"];

/// `OS_*` variables that only select or locate a cloud: on their own they do not make an
/// `envvars` cloud (`openstack.config`'s "selectors").
const SELECTORS: &[&str] = &[
    "OS_CLOUD",
    "OS_REGION_NAME",
    "OS_CLIENT_CONFIG_FILE",
    "OS_CLIENT_SECURE_FILE",
    "OS_CLOUD_NAME",
];

/// Loads a [`CloudConfig`] from clouds.yaml, secure.yaml and `OS_*` variables.
///
/// Precedence (as `openstack.config`, openstacksdk's `openstack/config/loader.py`):
/// 1. The cloud is the one named by the caller (`--os-cloud`), else `OS_CLOUD`, else the
///    `envvars` cloud if any `OS_*` variable other than the selectors (`OS_CLOUD`,
///    `OS_REGION_NAME`, `OS_CLIENT_CONFIG_FILE`, `OS_CLIENT_SECURE_FILE`, `OS_CLOUD_NAME`) is
///    set, else the only cloud of clouds.yaml; otherwise [`Error::NoCloudSelected`].
/// 2. clouds.yaml is the first existing file of: `OS_CLIENT_CONFIG_FILE`, then
///    `clouds.{yaml,yml,json}` in each search directory (current directory,
///    `$XDG_CONFIG_HOME/openstack`, `~/.config/openstack`, `/etc/xdg/openstack`,
///    `/etc/openstack`). Only that one file is used.
/// 3. secure.yaml is found the same way (`OS_CLIENT_SECURE_FILE` first, then
///    `secure.{yaml,yml,json}` in the same directories) and deep-merged over clouds.yaml, its
///    values winning.
/// 4. `OS_*` variables form the separate cloud `envvars` (renamed by `OS_CLOUD_NAME`, which may
///    not clash with a file cloud); they are not merged into a cloud from clouds.yaml unless
///    [`ConfigLoader::with_env_overrides`] asks for openstackclient's behaviour.
/// 5. Within a cloud, top-level keys win over the `auth:` section; `-` and `_` are the same in
///    keys; the legacy names `tenant_*`, `auth_token`, `endpoint_type`, `auth_plugin` are read.
/// 6. A region given with [`ConfigLoader::with_region`] (`--os-region-name`) wins over all of
///    the above and must be one of the cloud's `regions` when it lists some.
#[derive(Clone, Default)]
pub struct ConfigLoader {
    env: BTreeMap<String, String>,
    config_files: Vec<PathBuf>,
    secure_files: Vec<PathBuf>,
    region_name: Option<String>,
    env_overrides: bool,
}

impl std::fmt::Debug for ConfigLoader {
    /// Shows the names of the environment variables, never their values (`OS_PASSWORD`...).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigLoader")
            .field("env_vars", &self.env.keys().collect::<Vec<_>>())
            .field("config_files", &self.config_files)
            .field("secure_files", &self.secure_files)
            .field("region_name", &self.region_name)
            .field("env_overrides", &self.env_overrides)
            .finish()
    }
}

/// What the loader found: the merged clouds and how the default cloud was chosen.
struct Found {
    clouds: Raw,
    default_cloud: Option<String>,
    origin: String,
    searched: Vec<PathBuf>,
    read: String,
    env_cloud: Option<String>,
}

impl ConfigLoader {
    /// A loader with no environment and no files: add them with the `with_*` methods.
    pub fn new() -> Self {
        Self::default()
    }

    /// A loader over the process environment and the standard search directories.
    pub fn from_environment() -> Self {
        let env: BTreeMap<String, String> = std::env::vars().collect();
        let dirs = standard_search_dirs(
            std::env::current_dir().ok(),
            dirs::home_dir(),
            env.get("XDG_CONFIG_HOME").map(PathBuf::from),
        );
        Self::new().with_env(env).with_search_dirs(dirs)
    }

    /// Replaces the environment the loader reads (`OS_*` variables).
    pub fn with_env<I, K, V>(mut self, vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.env = vars
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        self
    }

    /// Replaces the directories searched for `clouds.*` and `secure.*`, in order.
    pub fn with_search_dirs<I, P>(mut self, dirs: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: AsRef<Path>,
    {
        let dirs: Vec<PathBuf> = dirs.into_iter().map(|d| d.as_ref().to_path_buf()).collect();
        self.config_files = files_in(&dirs, "clouds");
        self.secure_files = files_in(&dirs, "secure");
        self
    }

    /// Replaces the candidate clouds.yaml files, in order (first existing one wins).
    pub fn with_config_files<I, P>(mut self, files: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: AsRef<Path>,
    {
        self.config_files = files
            .into_iter()
            .map(|f| f.as_ref().to_path_buf())
            .collect();
        self
    }

    /// Replaces the candidate secure.yaml files, in order (first existing one wins).
    pub fn with_secure_files<I, P>(mut self, files: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: AsRef<Path>,
    {
        self.secure_files = files
            .into_iter()
            .map(|f| f.as_ref().to_path_buf())
            .collect();
        self
    }

    /// Selects a region (`--os-region-name`): it overrides the cloud's `region_name`, must be
    /// one of its `regions` if it lists any, and applies that region's `values`.
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region_name = Some(region.into());
        self
    }

    /// openstackclient's behaviour instead of `openstack.config`'s: `OS_*` variables also
    /// override the values of a cloud taken from clouds.yaml (in `openstack`, every `--os-*`
    /// option defaults to its variable, and options win over clouds.yaml). Off by default: with
    /// it, a stray `OS_PASSWORD` from another cloud's openrc silently changes the credentials.
    /// The selectors (`OS_CLOUD`, `OS_CLOUD_NAME`, `OS_CLIENT_*_FILE`) are never values.
    pub fn with_env_overrides(mut self, enabled: bool) -> Self {
        self.env_overrides = enabled;
        self
    }

    /// Loads one cloud: `cloud` if given, else as described on [`ConfigLoader`].
    pub fn load(&self, cloud: Option<&str>) -> Result<CloudConfig, Error> {
        let found = self.find()?;
        let searched = compact_paths(&found.searched);
        let read = found.read.clone();
        let available = || list_or_none(found.clouds.keys());
        let name = match cloud.filter(|c| !c.is_empty()) {
            Some(c) => c.to_owned(),
            None => match &found.default_cloud {
                Some(c) => c.clone(),
                None => {
                    return Err(Error::NoCloudSelected {
                        searched,
                        read,
                        available: available(),
                    })
                }
            },
        };
        let Some(raw) = found.clouds.get(&name) else {
            return Err(Error::CloudNotFound {
                cloud: name,
                searched,
                read,
                available: available(),
            });
        };
        let mut raw = match raw {
            Value::Object(m) => m.clone(),
            Value::Null => Raw::new(),
            other => {
                return Err(Error::ConfigParse {
                    origin: found.origin.clone(),
                    reason: format!(
                        "cloud '{name}' is a {}, not a mapping",
                        crate::raw::kind(other)
                    ),
                })
            }
        };
        let is_env_cloud = found.env_cloud.as_deref() == Some(name.as_str());
        if self.env_overrides && !is_env_cloud {
            for (k, v) in self.os_vars() {
                let locating = SELECTORS.contains(&k.as_str()) && k != "OS_REGION_NAME";
                if !locating && !v.is_empty() {
                    raw.insert(k["OS_".len()..].to_ascii_lowercase(), Value::String(v));
                }
            }
        }
        if let Some(r) = &self.region_name {
            raw.insert("region_name".into(), Value::String(r.clone()));
        }
        let origin = if is_env_cloud {
            "environment (OS_* variables)".to_owned()
        } else {
            found.origin.clone()
        };
        build_cloud(&name, &raw, &origin)
    }

    /// The names of all clouds available (files and `envvars`), for listings and messages.
    pub fn cloud_names(&self) -> Result<Vec<String>, Error> {
        Ok(self.find()?.clouds.keys().cloned().collect())
    }

    fn env(&self, key: &str) -> Option<&str> {
        self.env
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn find(&self) -> Result<Found, Error> {
        let mut config_files = self.config_files.clone();
        if let Some(f) = self.env("OS_CLIENT_CONFIG_FILE") {
            config_files.insert(0, PathBuf::from(f));
        }
        let mut secure_files = self.secure_files.clone();
        if let Some(f) = self.env("OS_CLIENT_SECURE_FILE") {
            secure_files.insert(0, PathBuf::from(f));
        }

        let mut clouds = Raw::new();
        let mut origins = Vec::new();
        let mut read = Vec::new();
        if let Some((path, doc)) = first_document(&config_files)? {
            clouds = clouds_of(&doc, &path.display().to_string())?;
            origins.push(path.display().to_string());
            read.push(path.display().to_string());
        }
        if let Some((path, doc)) = first_document(&secure_files)? {
            let secure = clouds_of(&doc, &path.display().to_string())?;
            merge(&mut clouds, &secure);
            origins.push(format!("{} (secure)", path.display()));
            read.push(path.display().to_string());
        }

        let env_key = self.env("OS_CLOUD_NAME").unwrap_or("envvars").to_owned();
        let mut default_cloud = self.env("OS_CLOUD").map(str::to_owned);
        let mut env_cloud = None;
        if let Some(vars) = self.env_cloud() {
            if clouds.contains_key(&env_key) {
                return Err(Error::Conflict(format!(
                    "{} defines a cloud named '{env_key}', which is also the name of the cloud made \
                     from OS_* variables; rename that cloud or set OS_CLOUD_NAME",
                    list_or_none(&origins)
                )));
            }
            clouds.insert(env_key.clone(), Value::Object(vars));
            default_cloud.get_or_insert_with(|| env_key.clone());
            env_cloud = Some(env_key);
        }
        if default_cloud.is_none() && clouds.len() == 1 {
            default_cloud = clouds.keys().next().cloned();
        }

        let mut searched = config_files;
        searched.extend(secure_files);
        Ok(Found {
            clouds,
            default_cloud,
            origin: if origins.is_empty() {
                "(no clouds.yaml)".to_owned()
            } else {
                origins.join(" + ")
            },
            searched,
            read: list_or_none(&read),
            env_cloud,
        })
    }

    /// `_get_os_environ`: every `OS_*` variable (except oslotest's OS_TEST/OS_STD/OS_LOG),
    /// lower-cased without the prefix; `None` when only selectors are set.
    fn env_cloud(&self) -> Option<Raw> {
        let vars = self.os_vars();
        if vars.iter().all(|(k, _)| SELECTORS.contains(&k.as_str())) {
            return None;
        }
        Some(
            vars.into_iter()
                .map(|(k, v)| (k["OS_".len()..].to_ascii_lowercase(), Value::String(v)))
                .collect(),
        )
    }

    fn os_vars(&self) -> Vec<(String, String)> {
        self.env
            .iter()
            .filter(|(k, _)| {
                k.starts_with("OS_")
                    && !k.starts_with("OS_TEST")
                    && !k.starts_with("OS_STD")
                    && !k.starts_with("OS_LOG")
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

impl CloudConfig {
    /// Loads a cloud from the process environment and the standard clouds.yaml/secure.yaml
    /// places (see [`ConfigLoader`] for the precedence). `cloud` is `--os-cloud`; `None` falls
    /// back to `OS_CLOUD`, then to `OS_*` variables, then to a lone cloud in clouds.yaml.
    pub fn load(cloud: Option<&str>) -> Result<CloudConfig, Error> {
        ConfigLoader::from_environment().load(cloud)
    }

    /// Loads cloud `cloud` from a clouds.yaml document given as a string (no files, no
    /// environment): what the suite does with the embedded mock's generated clouds.yaml.
    pub fn from_clouds_yaml_str(yaml: &str, cloud: &str) -> Result<CloudConfig, Error> {
        let origin = "clouds.yaml string";
        let doc = parse_document(yaml, origin)?;
        let clouds = clouds_of(&doc, origin)?;
        let raw = match clouds.get(cloud) {
            Some(Value::Object(m)) => m.clone(),
            Some(Value::Null) => Raw::new(),
            Some(other) => {
                return Err(Error::ConfigParse {
                    origin: origin.into(),
                    reason: format!(
                        "cloud '{cloud}' is a {}, not a mapping",
                        crate::raw::kind(other)
                    ),
                })
            }
            None => {
                return Err(Error::CloudNotFound {
                    cloud: cloud.to_owned(),
                    searched: "(a string, no files)".to_owned(),
                    read: origin.to_owned(),
                    available: list_or_none(clouds.keys()),
                })
            }
        };
        build_cloud(cloud, &raw, origin)
    }
}

/// The standard search directories of `openstack.config`, deduplicated, in order: the current
/// directory, `$XDG_CONFIG_HOME/openstack` (else `~/.config/openstack`),
/// `~/.config/openstack`, `/etc/xdg/openstack`, `/etc/openstack`.
pub fn standard_search_dirs(
    cwd: Option<PathBuf>,
    home: Option<PathBuf>,
    xdg_config_home: Option<PathBuf>,
) -> Vec<PathBuf> {
    let unix_home = home.as_ref().map(|h| h.join(".config").join("openstack"));
    let user = xdg_config_home
        .filter(|p| p.is_absolute())
        .map(|x| x.join("openstack"))
        .or_else(|| unix_home.clone());
    let mut out: Vec<PathBuf> = Vec::new();
    for d in [
        cwd,
        user,
        unix_home,
        Some(PathBuf::from("/etc/xdg/openstack")),
        Some(PathBuf::from("/etc/openstack")),
    ]
    .into_iter()
    .flatten()
    {
        if !out.contains(&d) {
            out.push(d);
        }
    }
    out
}

/// `a/clouds.yaml, a/clouds.yml, a/clouds.json` -> `a/clouds.{yaml,yml,json}`: the full list
/// of candidates is long (24 paths by default) and hard to read in an error.
fn compact_paths(paths: &[PathBuf]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < paths.len() {
        let p = &paths[i];
        let stem_of = |q: &PathBuf| {
            (
                q.parent().map(Path::to_path_buf),
                q.file_stem().map(|s| s.to_owned()),
            )
        };
        let mut j = i;
        let mut exts = Vec::new();
        while j < paths.len() && stem_of(&paths[j]) == stem_of(p) {
            if let Some(e) = paths[j].extension() {
                exts.push(e.to_string_lossy().into_owned());
            }
            j += 1;
        }
        if j - i > 1 && exts.len() == j - i {
            let base = p.with_extension("");
            out.push(format!("{}.{{{}}}", base.display(), exts.join(",")));
        } else {
            out.extend(paths[i..j].iter().map(|q| q.display().to_string()));
        }
        i = j;
    }
    list_or_none(out)
}

fn files_in(dirs: &[PathBuf], stem: &str) -> Vec<PathBuf> {
    dirs.iter()
        .flat_map(|d| SUFFIXES.iter().map(move |s| d.join(format!("{stem}.{s}"))))
        .collect()
}

/// The first file of the list that exists, parsed. Like `openstack.config`, a file we may not
/// read is skipped; unlike it, a file that exists but does not parse is an error naming it
/// (silently skipping it would end in a puzzling "cloud not found").
fn first_document(files: &[PathBuf]) -> Result<Option<(PathBuf, Raw)>, Error> {
    for path in files {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                tracing::warn!(path = %path.display(), "skipping unreadable OpenStack config file");
                continue;
            }
            Err(e) if path.is_dir() => {
                tracing::debug!(path = %path.display(), error = %e, "skipping directory");
                continue;
            }
            Err(source) => {
                return Err(Error::ConfigRead {
                    path: path.clone(),
                    source,
                })
            }
        };
        let doc = parse_document(&text, &path.display().to_string())?;
        if !doc.contains_key("clouds") {
            tracing::warn!(path = %path.display(), "OpenStack config file has no 'clouds' key");
        }
        return Ok(Some((path.clone(), doc)));
    }
    Ok(None)
}
