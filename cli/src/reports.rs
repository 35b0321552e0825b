//! The files a run writes: the one writer of a report file, `run`'s artifact flags
//! (`--exchanges`, `--subunit`, `--submission`) with their writers, and what the submission
//! bundle records of the endpoint ([`RunInfo`]).
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use clap::{Args, ValueEnum};
use nova_conform::conformance::{select, Plan};
use nova_conform::embedded::EmbeddedMock;
use nova_conform::matrix::MatrixKind;
use nova_conform::microversion::VersionBounds;
use nova_conform::report::{self, classes::ExchangeMode};
use nova_conform::runner::RunOutcome;
use nova_conform::submission::{self, bundle::Endpoint, BundleInput};
use nova_conform::target::Target;
use nova_conform::SuiteError;
use serde_json::json;

use crate::flags::CloudArgs;

/// Writes a report file, creating its directory.
pub fn write(path: &Path, bytes: impl AsRef<[u8]>) -> Result<(), SuiteError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|source| SuiteError::report_write(dir.display(), source))?;
    }
    std::fs::write(path, bytes).map_err(|source| SuiteError::report_write(path.display(), source))
}

/// Which exchanges the JSON and HTML reports keep.
#[derive(ValueEnum, Debug, Clone, Copy, Default)]
pub enum ExchangesArg {
    /// Every case's exchange.
    All,
    /// Every non-passing case's, and one representative's per behaviour class.
    #[default]
    Representative,
}

impl From<ExchangesArg> for ExchangeMode {
    fn from(a: ExchangesArg) -> Self {
        match a {
            ExchangesArg::All => ExchangeMode::All,
            ExchangesArg::Representative => ExchangeMode::Representative,
        }
    }
}

#[derive(Args, Debug, Clone)]
pub struct ArtifactArgs {
    /// Exchanges kept in the JSON and HTML reports (and the submission bundle): `all`, or
    /// those of every non-passing case and of one representative case per behaviour class.
    #[arg(long, value_enum, default_value = "representative")]
    pub exchanges: ExchangesArg,
    /// Write a subunit v2 stream (test ids `nova_conform.<case id>`).
    #[arg(long, value_name = "FILE")]
    pub subunit: Option<PathBuf>,
    /// Write a submission bundle into DIR (result.yaml, junit.xml, report.json, report.html,
    /// results.subunit, plan.json, MANIFEST.sha256) and DIR.tar.gz beside it
    /// (docs/certification.md).
    #[arg(long, value_name = "DIR")]
    pub submission: Option<PathBuf>,
}

/// What `run` learnt about the endpoint, for the submission bundle.
#[derive(Debug, Default)]
pub struct RunInfo {
    pub endpoint: Endpoint,
    pub identities: BTreeMap<String, String>,
    /// A real cloud's plan: each case id's treatment (`concurrent`, `alone`, `chain
    /// active#3`, `skip (reason)`); the embedded mock runs every case at once (none).
    pub treatments: BTreeMap<String, String>,
}

impl RunInfo {
    pub fn embedded(t: &EmbeddedMock, bounds: &VersionBounds) -> Self {
        let inv = t.inventory();
        Self {
            endpoint: Endpoint {
                target: t.describe(),
                min_microversion: bounds.min.to_string(),
                max_microversion: bounds.max.to_string(),
                hosts: inv.enabled.len()
                    + usize::from(inv.disabled.is_some())
                    + usize::from(inv.no_capacity.is_some()),
                enabled_hosts: inv.enabled.len(),
                disabled_host: inv.disabled.is_some(),
                full_host: inv.no_capacity.is_some(),
                user: Some("admin".into()),
                project: Some("demo".into()),
            },
            identities: t
                .identities()
                .into_iter()
                .map(|(r, n)| (r.to_string(), n))
                .collect(),
            treatments: BTreeMap::new(),
        }
    }
}

impl RunInfo {
    /// A real cloud: its discovery; the identities are the clouds.yaml entries given.
    pub fn cloud(t: &nova_conform::cloud_target::CloudTarget, a: &CloudArgs) -> Self {
        let d = &t.discovery;
        let inv = t.inventory();
        let mut identities = BTreeMap::new();
        let admin = a
            .connect
            .os_cloud
            .clone()
            .or_else(|| std::env::var("OS_CLOUD").ok())
            .unwrap_or_else(|| "envvars".into());
        identities.insert("admin".to_string(), admin);
        for (role, name) in [
            ("manager", &a.manager_cloud),
            ("member", &a.member_cloud),
            ("other", &a.other_cloud),
        ] {
            if let Some(n) = name {
                identities.insert(role.to_string(), n.clone());
            }
        }
        Self {
            endpoint: Endpoint {
                target: t.describe(),
                min_microversion: d.bounds.min.to_string(),
                max_microversion: d.bounds.max.to_string(),
                hosts: d.hosts.len(),
                enabled_hosts: inv.enabled.len(),
                disabled_host: inv.disabled.is_some(),
                full_host: inv.no_capacity.is_some(),
                user: Some(d.user.clone()),
                project: d.project.clone(),
            },
            identities,
            treatments: BTreeMap::new(),
        }
    }
}

/// Writes `--subunit` and `--submission` (the other reports are `run`'s, commands/run.rs).
pub fn write_artifacts(
    a: &ArtifactArgs,
    o: &RunOutcome,
    info: &RunInfo,
    started: DateTime<Utc>,
    plan: &Plan,
) -> Result<(), SuiteError> {
    if let Some(p) = &a.subunit {
        write(p, report::subunit::render(&[o])?)?;
    }
    if let Some(dir) = &a.submission {
        let cases = select(plan, &o.bounds);
        let plan_json = json!({
            "profile": plan.profile.as_str(),
            "matrix": if plan.kind == MatrixKind::Exhaustive { "exhaustive" } else { "default" },
            "nova_release": o.release.mode,
            "candidates": o.release.candidates,
            "versions": {"min": o.bounds.min.to_string(), "max": o.bounds.max.to_string()},
            "jobs": plan.jobs,
            "count": cases.len(),
            "cases": cases.iter().map(|c| {
                let id = c.id();
                match info.treatments.get(&id) {
                    Some(t) => json!({"id": id, "name": c.name(), "treatment": t}),
                    None => json!({"id": id, "name": c.name()}),
                }
            }).collect::<Vec<_>>(),
        });
        let input = BundleInput {
            outcome: o,
            mode: a.exchanges.into(),
            argv: std::env::args().collect(),
            started,
            finished: Utc::now(),
            endpoint: info.endpoint.clone(),
            identities: info.identities.clone(),
            plan: plan_json,
        };
        let tgz = submission::bundle::write(dir, &input)?;
        eprintln!(
            "submission bundle: {} and {} (check it with `nova-conform verify {}`)",
            dir.display(),
            tgz.display(),
            dir.display()
        );
    }
    Ok(())
}
