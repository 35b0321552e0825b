//! From one merged raw cloud mapping to a typed [`CloudConfig`], applying the same fix-ups as
//! `openstack.config` (`_fix_backwards_auth`, `_handle_domain_id`, `_fix_backwards_interface`,
//! region expansion) and openstackclient's default domain.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

use crate::config::{AuthConfig, AuthType, CloudConfig, Interface, DEFAULT_DOMAIN_ID};
use crate::error::Error;
use crate::raw::{boolean, kind, merge, normalize_keys, scalar, Raw};
use crate::secret::Secret;

/// Auth option -> accepted spellings (first is canonical). Values at the cloud's top level
/// win over the `auth:` section, as in `openstack.config` (top-level keys are where `OS_*`
/// variables and command-line options land).
const AUTH_KEYS: &[(&str, &[&str])] = &[
    ("auth_url", &["auth_url"]),
    ("username", &["username", "user_name"]),
    ("user_id", &["user_id"]),
    ("password", &["password"]),
    ("user_domain_id", &["user_domain_id"]),
    ("user_domain_name", &["user_domain_name"]),
    ("project_id", &["project_id", "tenant_id"]),
    ("project_name", &["project_name", "tenant_name"]),
    ("project_domain_id", &["project_domain_id"]),
    ("project_domain_name", &["project_domain_name"]),
    ("domain_id", &["domain_id"]),
    ("domain_name", &["domain_name"]),
    ("system_scope", &["system_scope"]),
    ("application_credential_id", &["application_credential_id"]),
    (
        "application_credential_name",
        &["application_credential_name"],
    ),
    (
        "application_credential_secret",
        &["application_credential_secret"],
    ),
    ("token", &["token", "auth_token"]),
];

/// Builds and validates one cloud. `name` is for messages; `origin` says where it came from.
pub(crate) fn build_cloud(name: &str, raw: &Raw, origin: &str) -> Result<CloudConfig, Error> {
    let invalid = |field: &str, reason: String| Error::InvalidField {
        cloud: name.to_owned(),
        field: field.to_owned(),
        reason,
    };

    // `openstack.config` accepts `-` and `_` alike in a cloud's keys (`project-name`).
    let mut cloud = match normalize_keys(Value::Object(raw.clone())) {
        Value::Object(m) => m,
        _ => Raw::new(),
    };
    let region_name = select_region(name, &mut cloud)?;

    let empty = Raw::new();
    let auth_section = match cloud.get("auth") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(m)) => m,
        Some(other) => {
            return Err(invalid(
                "auth",
                format!("is a {}, not a mapping", kind(other)),
            ))
        }
    };
    let mut values: BTreeMap<&'static str, String> = BTreeMap::new();
    for (canonical, spellings) in AUTH_KEYS {
        let found = spellings
            .iter()
            .find_map(|k| scalar(cloud.get(*k)))
            .or_else(|| spellings.iter().find_map(|k| scalar(auth_section.get(*k))));
        if let Some(v) = found {
            values.insert(canonical, v);
        }
    }
    let mut take = |k: &str| values.remove(k);

    let mut auth = AuthConfig {
        auth_url: take("auth_url").unwrap_or_default(),
        username: take("username"),
        user_id: take("user_id"),
        password: take("password").map(Secret::from),
        user_domain_id: take("user_domain_id"),
        user_domain_name: take("user_domain_name"),
        project_id: take("project_id"),
        project_name: take("project_name"),
        project_domain_id: take("project_domain_id"),
        project_domain_name: take("project_domain_name"),
        domain_id: take("domain_id"),
        domain_name: take("domain_name"),
        system_scope: take("system_scope"),
        application_credential_id: take("application_credential_id"),
        application_credential_name: take("application_credential_name"),
        application_credential_secret: take("application_credential_secret").map(Secret::from),
        token: take("token").map(Secret::from),
    };

    // `_handle_domain_id`: with a project scope, domain_id/domain_name are shorthands for the
    // user's and the project's domain; without one they are the scope.
    let project_scoped = auth.project_id.is_some() || auth.project_name.is_some();
    if project_scoped {
        if let Some(d) = auth.domain_id.take() {
            auth.user_domain_id.get_or_insert_with(|| d.clone());
            auth.project_domain_id.get_or_insert(d);
        }
        if let Some(d) = auth.domain_name.take() {
            auth.user_domain_name.get_or_insert_with(|| d.clone());
            auth.project_domain_name.get_or_insert(d);
        }
    }

    // auth_type wins over the older auth_plugin. When neither is given, openstack.config
    // would use `password`; we infer from the credentials present, as openstackclient's
    // select_auth_plugin does for tokens, and also for application credentials (a `password`
    // default would only fail later with a confusing message).
    let auth_type = match scalar(cloud.get("auth_type"))
        .or_else(|| scalar(cloud.get("auth_plugin")))
    {
        Some(t) => t
            .parse::<AuthType>()
            .map_err(|reason| invalid("auth_type", reason))?,
        None => {
            if auth.application_credential_id.is_some()
                || auth.application_credential_name.is_some()
            {
                AuthType::ApplicationCredential
            } else if auth.token.is_some() && auth.username.is_none() && auth.user_id.is_none() {
                AuthType::Token
            } else {
                AuthType::Password
            }
        }
    };

    // openstackclient's --os-default-domain (default `default`): a user or project given by
    // name without a domain lives in the default domain.
    if auth.username.is_some() && auth.user_domain_id.is_none() && auth.user_domain_name.is_none() {
        auth.user_domain_id = Some(DEFAULT_DOMAIN_ID.to_owned());
    }
    if auth.project_name.is_some()
        && auth.project_domain_id.is_none()
        && auth.project_domain_name.is_none()
    {
        auth.project_domain_id = Some(DEFAULT_DOMAIN_ID.to_owned());
    }

    // `_fix_backwards_interface`: endpoint_type is the old name of interface.
    let interface =
        match scalar(cloud.get("interface")).or_else(|| scalar(cloud.get("endpoint_type"))) {
            Some(i) => i
                .parse::<Interface>()
                .map_err(|reason| invalid("interface", reason))?,
            None => Interface::Public,
        };

    // verify: false or insecure: true turn verification off; anything else keeps it on.
    let verify = boolean(cloud.get("verify")).unwrap_or(true)
        && !boolean(cloud.get("insecure")).unwrap_or(false);

    let api_timeout = match scalar(cloud.get("api_timeout")) {
        None => None,
        Some(t) => {
            let secs: f64 = t
                .parse()
                .map_err(|_| invalid("api_timeout", format!("'{t}' is not a number of seconds")))?;
            if !(secs.is_finite() && secs > 0.0) {
                return Err(invalid(
                    "api_timeout",
                    format!("'{t}' must be a positive number of seconds"),
                ));
            }
            Some(Duration::from_secs_f64(secs))
        }
    };

    let mut endpoint_overrides = BTreeMap::new();
    for (k, v) in &cloud {
        if let Some(service) = k.strip_suffix("_endpoint_override") {
            if let Some(url) = scalar(Some(v)) {
                endpoint_overrides.insert(service.replace('_', "-"), url);
            }
        }
    }

    // Vendor profiles (`profile:`, formerly `cloud:`) come from clouds-public.yaml or
    // openstacksdk's built-in vendor list, which we do not carry. Without an auth_url the cloud
    // cannot work, so say why; with one, the profile would only add defaults: warn.
    if let Some(profile) = scalar(cloud.get("profile")).or_else(|| scalar(cloud.get("cloud"))) {
        if auth.auth_url.is_empty() {
            return Err(invalid(
                "profile",
                format!(
                    "vendor profile '{profile}' cannot be expanded (clouds-public.yaml and \
                     openstacksdk's vendor list are not supported): copy its auth_url (and \
                     region_name, interface) into the cloud"
                ),
            ));
        }
        tracing::warn!(cloud = name, profile = %profile, "vendor profile ignored (not supported); using the cloud's own settings");
    }

    let config = CloudConfig {
        name: name.to_owned(),
        auth_type,
        auth,
        region_name,
        interface,
        verify,
        cacert: scalar(cloud.get("cacert")).map(PathBuf::from),
        cert: scalar(cloud.get("cert")).map(PathBuf::from),
        key: scalar(cloud.get("key")).map(PathBuf::from),
        compute_api_version: scalar(cloud.get("compute_api_version")),
        endpoint_overrides,
        api_timeout,
        origin: origin.to_owned(),
    };
    config.validate()?;
    Ok(config)
}

/// `openstack.config` region handling: `region_name` (a string, or a deprecated comma list)
/// or `regions` (names or `{name, values}`); without a requested region the first one is used,
/// a requested region must be one of the listed ones, and its `values` override the cloud's.
fn select_region(name: &str, cloud: &mut Raw) -> Result<Option<String>, Error> {
    let invalid = |reason: String| Error::InvalidField {
        cloud: name.to_owned(),
        field: "regions".to_owned(),
        reason,
    };
    let mut known: Vec<(String, Raw)> = Vec::new();
    match cloud.get("regions") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for item in items {
                match item {
                    Value::String(s) => known.push((s.clone(), Raw::new())),
                    Value::Object(m) => {
                        let Some(rname) = scalar(m.get("name")) else {
                            return Err(invalid("a region entry has no name".into()));
                        };
                        let values = match m.get("values") {
                            None | Some(Value::Null) => Raw::new(),
                            Some(Value::Object(v)) => v.clone(),
                            Some(other) => {
                                return Err(invalid(format!(
                                    "values of region '{rname}' is a {}, not a mapping",
                                    kind(other)
                                )))
                            }
                        };
                        known.push((rname, values));
                    }
                    other => return Err(invalid(format!("a region entry is a {}", kind(other)))),
                }
            }
        }
        Some(other) => return Err(invalid(format!("is a {}, not a list", kind(other)))),
    }
    let requested = scalar(cloud.get("region_name"));
    if known.is_empty() {
        // A comma list in region_name is a deprecated way to list regions: the first wins.
        return Ok(requested.and_then(|r| {
            r.split(',')
                .map(str::trim)
                .find(|s| !s.is_empty())
                .map(str::to_owned)
        }));
    }
    let chosen = match requested {
        None => known.swap_remove(0),
        Some(r) => {
            let Some(pos) = known.iter().position(|(n, _)| *n == r) else {
                return Err(Error::InvalidField {
                    cloud: name.to_owned(),
                    field: "region_name".to_owned(),
                    reason: format!(
                        "region '{r}' is not one of this cloud's regions ({}); region names are case sensitive",
                        known.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                });
            };
            known.swap_remove(pos)
        }
    };
    merge(cloud, &chosen.1);
    Ok(Some(chosen.0))
}
