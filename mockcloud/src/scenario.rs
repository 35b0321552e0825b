//! Scenario files (YAML or TOML): users, projects and hosts to seed.
//!
//! ```yaml
//! projects: [demo, other]
//! users:
//!   - {name: admin, password: secret, project: demo, roles: [admin, member, reader, manager]}
//! hosts:
//!   - {name: compute1, vcpus: 16, memory_mb: 32768, disk_gb: 500, reserved_memory_mb: 0}
//! ```

use crate::config::HostSpec;
use crate::error::Error;
use crate::state::seed::{Seed, SeedUser};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct HostEntry {
    name: String,
    vcpus: Option<u32>,
    memory_mb: Option<u64>,
    disk_gb: Option<u64>,
    reserved_memory_mb: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct Scenario {
    #[serde(default)]
    domain: Option<String>,
    #[serde(default)]
    projects: Vec<String>,
    #[serde(default)]
    users: Vec<SeedUser>,
    #[serde(default)]
    hosts: Vec<HostEntry>,
}

/// Parse a scenario (YAML, or TOML when `toml` is true) into a seed.
pub fn parse(text: &str, toml_format: bool) -> Result<Seed, String> {
    let sc: Scenario = if toml_format {
        toml::from_str(text).map_err(|e| e.to_string())?
    } else {
        serde_yaml::from_str(text).map_err(|e| e.to_string())?
    };
    let default = Seed::default();
    Ok(Seed {
        domain: sc.domain.unwrap_or(default.domain),
        projects: if sc.projects.is_empty() && sc.users.is_empty() {
            default.projects
        } else {
            sc.projects
        },
        users: if sc.users.is_empty() {
            default.users
        } else {
            sc.users
        },
        hosts: sc
            .hosts
            .into_iter()
            .map(|h| {
                let d = HostSpec::new(h.name.clone());
                HostSpec {
                    name: h.name,
                    vcpus: h.vcpus.unwrap_or(d.vcpus),
                    memory_mb: h.memory_mb.unwrap_or(d.memory_mb),
                    disk_gb: h.disk_gb.unwrap_or(d.disk_gb),
                    reserved_memory_mb: h.reserved_memory_mb.unwrap_or(d.reserved_memory_mb),
                }
            })
            .collect(),
    })
}

/// Read a scenario file.
pub fn load(path: &std::path::Path) -> Result<Seed, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Scenario {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let is_toml = path.extension().is_some_and(|e| e == "toml");
    parse(&text, is_toml).map_err(|reason| Error::Scenario {
        path: path.display().to_string(),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_yaml_scenario() {
        let s = parse("projects: [p1]\nusers:\n  - {name: u1, password: pw, project: p1, roles: [member]}\nhosts:\n  - {name: h1, vcpus: 2}\n", false).unwrap();
        assert_eq!(s.users[0].password.as_deref(), Some("pw"));
        assert_eq!(s.hosts[0].vcpus, 2);
        assert_eq!(s.hosts[0].memory_mb, 32768);
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse("users: 5", false).is_err());
    }
}
