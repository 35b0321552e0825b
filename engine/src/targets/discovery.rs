//! What a real cloud offers, found before anything is planned: the microversion range, the
//! compute hosts and their state (`os-services`, `os-hypervisors`) and who the caller is.
//! Read-only: discovery only sends GETs.
use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use reqwest::Method;

use crate::cloud_api::{self, get_json, CallError, CallErrorKind};
use crate::error::SuiteError;
use crate::microversion::{Microversion, VersionBounds};
use crate::target::{Caller, HostInventory};
use crate::targets::error::{BoundsError, VersionDocError};

/// `os-services` and `os-hypervisors` at 2.53: service ids are UUIDs and hypervisors name
/// their service host; below 2.88 the hypervisor still reports its capacity.
const DISCOVERY_VERSION: &str = "2.53";

/// One compute host as the cloud reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComputeHost {
    pub name: String,
    /// `nova-compute` service `status == enabled`.
    pub enabled: bool,
    /// `nova-compute` service `state == up` (and the hypervisor, if listed, up).
    pub up: bool,
    pub forced_down: bool,
    pub disabled_reason: Option<String>,
    pub zone: Option<String>,
    /// Whether a hypervisor record names this host.
    pub has_hypervisor: bool,
}

impl ComputeHost {
    /// Usable as a migration destination.
    pub fn usable(&self) -> bool {
        self.enabled && self.up && !self.forced_down
    }
}

/// Everything discovered.
#[derive(Debug, Clone)]
pub struct Discovery {
    pub bounds: VersionBounds,
    pub hosts: Vec<ComputeHost>,
    pub user: String,
    pub project: Option<String>,
    pub is_admin: bool,
}

impl Discovery {
    /// The host inventory the cases use: every usable host; a disabled (but up) host for the
    /// disabled-host cases. No host is known to lack capacity on a real cloud (filling one up
    /// would touch other tenants' capacity), so the no-capacity cases Skip.
    pub fn inventory(&self) -> HostInventory {
        let mut enabled: Vec<String> = self
            .hosts
            .iter()
            .filter(|h| h.usable())
            .map(|h| h.name.clone())
            .collect();
        enabled.sort();
        let disabled = self
            .hosts
            .iter()
            .filter(|h| !h.enabled)
            .map(|h| h.name.clone())
            .min();
        HostInventory {
            enabled,
            disabled,
            no_capacity: None,
        }
    }

    /// Human-readable summary (never credentials).
    pub fn describe(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "compute API microversions {}-{}",
            self.bounds.min, self.bounds.max
        );
        let _ = writeln!(
            s,
            "caller: user {} in project {} ({})",
            self.user,
            self.project.as_deref().unwrap_or("(none)"),
            if self.is_admin { "admin" } else { "not admin" }
        );
        let usable = self.hosts.iter().filter(|h| h.usable()).count();
        let _ = writeln!(
            s,
            "compute hosts: {} ({} enabled and up)",
            self.hosts.len(),
            usable
        );
        for h in &self.hosts {
            let _ = writeln!(
                s,
                "  {:<24} {} {}{}{}",
                h.name,
                if h.enabled { "enabled " } else { "disabled" },
                if h.up { "up" } else { "down" },
                if h.forced_down { " forced-down" } else { "" },
                h.disabled_reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            );
        }
        s
    }
}

/// Discovers the cloud as `admin` (whose identity says whether it has the admin role).
/// Discovery's requests say on stderr when they wait long (`waiting for GET <url>
/// (api_timeout N s)`) and when they are retried.
pub async fn discover(
    admin: &Caller,
    identity: &osclient::Identity,
) -> Result<Discovery, SuiteError> {
    let admin = admin.noticing(stderr_notice());
    let bounds = bounds(&admin).await?;
    let hosts = if identity.is_admin() {
        hosts(&admin).await?
    } else {
        Vec::new()
    };
    Ok(Discovery {
        bounds,
        hosts,
        user: identity.user_name.clone(),
        project: identity.project_name.clone(),
        is_admin: identity.is_admin(),
    })
}

/// Lines about slow or retried discovery requests, on stderr (they name the method and URL,
/// never a credential).
pub fn stderr_notice() -> osclient::Notice {
    std::sync::Arc::new(|line: String| eprintln!("nova-conform: {line}"))
}

/// A helper request's failure as the run's error: no usable answer (no whole answer, a 5xx)
/// is a target error of exit 3; another answer than a Nova API's (an HTML page, a 404) is a
/// configuration error of exit 2 (the catalog or an override points elsewhere).
pub fn target_error(context: &str, e: CallError) -> SuiteError {
    let message = format!("{context}: {}", e.message);
    match e.kind {
        CallErrorKind::NoAnswer | CallErrorKind::Unavailable | CallErrorKind::ServerError => {
            SuiteError::Transport(message)
        }
        CallErrorKind::Unexpected => SuiteError::Target(message),
    }
}

/// `GET /v2.1`: the microversion range (the one version discovery, for the embedded mock and
/// real clouds alike). Retried on connection errors, timeouts and 502/503/504; a 500 or an
/// answer that is not a version document is an error saying what came back.
pub async fn bounds(admin: &Caller) -> Result<VersionBounds, SuiteError> {
    const WHAT: &str = "version discovery";
    let a = cloud_api::call(admin, Method::GET, "", "2.1", None)
        .await
        .map_err(|e| target_error(WHAT, e))?;
    if a.status != 200 {
        return Err(target_error(
            WHAT,
            CallError::unexpected("GET /v2.1 answered", &a),
        ));
    }
    if a.body.is_null() {
        return Err(target_error(
            WHAT,
            CallError::unexpected("GET /v2.1 is not JSON", &a),
        ));
    }
    parse_bounds(&a.body).map_err(|source| {
        SuiteError::from(VersionDocError {
            source,
            answered: a.describe(),
        })
    })
}

/// Pure part of [`bounds`].
pub fn parse_bounds(v: &Value) -> Result<VersionBounds, BoundsError> {
    let get = |k: &str| -> Result<Microversion, BoundsError> {
        v["version"][k]
            .as_str()
            .ok_or_else(|| BoundsError::Missing { key: k.into() })?
            .parse()
            .map_err(|e| BoundsError::Invalid {
                key: k.into(),
                source: Box::new(e),
            })
    };
    let b = VersionBounds {
        min: get("min_version")?,
        max: get("version")?,
    };
    if b.min > b.max || b.min.major != b.max.major {
        return Err(BoundsError::OddRange {
            min: b.min.to_string(),
            max: b.max.to_string(),
        });
    }
    Ok(b)
}

/// Compute hosts from `os-services` (binary `nova-compute`), cross-checked with
/// `os-hypervisors`: a host whose hypervisor reports `down` is not usable.
pub async fn hosts(admin: &Caller) -> Result<Vec<ComputeHost>, SuiteError> {
    let get = |path: &'static str| async move {
        get_json(admin, path, DISCOVERY_VERSION)
            .await
            .map_err(|e| target_error("host discovery", e))
    };
    let services = get("/os-services?binary=nova-compute").await?;
    let hypervisors = get("/os-hypervisors/detail").await?;
    Ok(parse_hosts(&services, &hypervisors))
}

/// Pure part of [`hosts`], for tests.
pub fn parse_hosts(services: &Value, hypervisors: &Value) -> Vec<ComputeHost> {
    // hypervisor state by service host
    let mut hv: BTreeMap<String, bool> = BTreeMap::new();
    for h in hypervisors["hypervisors"].as_array().into_iter().flatten() {
        let host = h["service"]["host"]
            .as_str()
            .or_else(|| h["hypervisor_hostname"].as_str());
        if let Some(host) = host {
            let up = h["state"].as_str() != Some("down");
            let e = hv.entry(host.to_string()).or_insert(true);
            *e = *e && up;
        }
    }
    let mut out: Vec<ComputeHost> = services["services"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| !matches!(s["binary"].as_str(), Some(b) if b != "nova-compute"))
        .filter_map(|s| {
            let name = s["host"].as_str()?.to_string();
            let hv_up = hv.get(&name).copied();
            Some(ComputeHost {
                enabled: s["status"].as_str() == Some("enabled"),
                up: s["state"].as_str() == Some("up") && hv_up != Some(false),
                forced_down: s["forced_down"].as_bool().unwrap_or(false),
                disabled_reason: s["disabled_reason"]
                    .as_str()
                    .filter(|r| !r.is_empty())
                    .map(String::from),
                zone: s["zone"].as_str().map(String::from),
                has_hypervisor: hv_up.is_some(),
                name,
            })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out.dedup_by(|a, b| a.name == b.name);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn usable_hosts_need_an_enabled_up_service_and_an_up_hypervisor() {
        let services = json!({"services": [
            {"binary": "nova-compute", "host": "c1", "status": "enabled", "state": "up", "zone": "nova"},
            {"binary": "nova-compute", "host": "c2", "status": "disabled", "state": "up", "disabled_reason": "maint"},
            {"binary": "nova-compute", "host": "c3", "status": "enabled", "state": "down"},
            {"binary": "nova-compute", "host": "c4", "status": "enabled", "state": "up"},
            {"binary": "nova-compute", "host": "c5", "status": "enabled", "state": "up", "forced_down": true},
            {"binary": "nova-scheduler", "host": "ctl", "status": "enabled", "state": "up"}
        ]});
        let hyp = json!({"hypervisors": [
            {"hypervisor_hostname": "c1.example", "state": "up", "service": {"host": "c1"}},
            {"hypervisor_hostname": "c4.example", "state": "down", "service": {"host": "c4"}}
        ]});
        let hosts = parse_hosts(&services, &hyp);
        assert_eq!(
            hosts.len(),
            5,
            "the scheduler service is not a compute host"
        );
        let usable: Vec<&str> = hosts
            .iter()
            .filter(|h| h.usable())
            .map(|h| h.name.as_str())
            .collect();
        assert_eq!(usable, ["c1"]);
        let d = Discovery {
            bounds: VersionBounds {
                min: "2.1".parse().unwrap(),
                max: "2.90".parse().unwrap(),
            },
            hosts,
            user: "admin".into(),
            project: Some("demo".into()),
            is_admin: true,
        };
        let inv = d.inventory();
        assert_eq!(inv.enabled, ["c1"]);
        assert_eq!(inv.disabled.as_deref(), Some("c2"));
        assert!(d.describe().contains("disabled up (maint)"));
    }

    #[test]
    fn version_range_from_get_v21() {
        let b = parse_bounds(
            &json!({"version": {"id": "v2.1", "min_version": "2.1", "version": "2.96"}}),
        )
        .unwrap();
        assert_eq!(
            (b.min.to_string(), b.max.to_string()),
            ("2.1".into(), "2.96".into())
        );
        assert!(parse_bounds(&json!({"version": {"min_version": "2.1", "version": ""}})).is_err());
        assert!(
            parse_bounds(&json!({"version": {"min_version": "2.9", "version": "2.1"}})).is_err()
        );
        assert!(parse_bounds(&json!({"versions": []})).is_err());
    }
}
