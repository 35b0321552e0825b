//! Writing a submission bundle (`run --submission DIR`): what a vendor sends to a reviewer.
//!
//! As conformance programs expect (Kubernetes' sonobuoy submissions, OCI distribution-spec
//! conformance): a `result.yaml` that says what was run against what and with which outcome,
//! the reports (`junit.xml`, `report.json`, `report.html`, `results.subunit`), the plan
//! (`plan.json`) and `MANIFEST.sha256` over every other file (`sha256sum -c` format), plus
//! `DIR.tar.gz` beside DIR. `verify` (verify.rs) checks all of it.
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::oracle::Oracle;
use crate::report::classes::ExchangeMode;
use crate::report::error::ReportError;
use crate::runner::RunOutcome;
use crate::verdict::VerdictKind;
use crate::SuiteError;

/// Why a bundle could not be written.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// A file or directory of the bundle could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// DIR holds other files than an earlier bundle's (a manifest never covers stray files).
    #[error("{dir}: not an empty directory or an earlier bundle ({name} is in it)")]
    NotBundleDir { dir: String, name: String },
    /// DIR has no file name to name the tarball and its top directory after (`/`, `..`).
    #[error("{dir}: a bundle directory needs a name")]
    NoName { dir: String },
    #[error(transparent)]
    Oracle(#[from] OracleRefError),
    #[error("result.yaml: {0}")]
    Yaml(#[source] serde_yaml::Error),
    #[error("plan.json: {0}")]
    PlanJson(#[source] serde_json::Error),
    #[error(transparent)]
    Report(#[from] ReportError),
}

impl BundleError {
    /// As a report's: a directory or file that cannot be used is the user's to fix (exit 2,
    /// as an unwritable `--json`), a series this tool does not know is a usage error, a file
    /// that cannot be rendered is the engine's fault.
    pub fn kind(&self) -> crate::ErrorKind {
        match self {
            BundleError::Io { .. }
            | BundleError::NotBundleDir { .. }
            | BundleError::NoName { .. } => crate::ErrorKind::Report,
            BundleError::Oracle(OracleRefError::UnknownSeries(_)) => crate::ErrorKind::Usage,
            BundleError::Oracle(OracleRefError::Oracle(e)) => e.kind(),
            BundleError::Yaml(_) | BundleError::PlanJson(_) => crate::ErrorKind::Engine,
            BundleError::Report(e) => e.kind(),
        }
    }
}

/// Why this tool's oracle for a bundle's profile and series cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum OracleRefError {
    #[error("Nova release {0:?} is not in this tool's table")]
    UnknownSeries(String),
    /// The bundled oracle did not load (boxed: a [`SuiteError`] can hold a [`BundleError`]).
    #[error("{0}")]
    Oracle(#[source] Box<SuiteError>),
}

/// Schema of `result.yaml`.
pub const SCHEMA: &str = "nova-conform.submission/1";
/// The files of a bundle besides the manifest, in the manifest's order.
pub const FILES: [&str; 6] = [
    "result.yaml",
    "junit.xml",
    "report.json",
    "report.html",
    "results.subunit",
    "plan.json",
];
pub const MANIFEST: &str = "MANIFEST.sha256";

/// The tool that made the bundle.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Tool {
    pub name: String,
    pub version: String,
    /// The git commit the binary was built from (`unknown` outside a checkout).
    pub commit: String,
}

impl Tool {
    pub fn this() -> Self {
        Self {
            name: "nova-conform".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            // The same text `--version` shows (mockcloud's build.rs: git, or
            // NOVA_CONFORM_COMMIT given at build time, or `unknown commit`).
            commit: mockcloud::build_info::COMMIT.into(),
        }
    }
}

/// One candidate series' oracle.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SeriesOracle {
    pub series: String,
    /// `Oracle::digest` of the profile's oracle for that series.
    pub digest: String,
}

/// The oracle the answers were judged with.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OracleRef {
    /// SHA-256 over the candidates' digests, one per line in candidate order (one candidate:
    /// `sha256:` of that digest's line).
    pub digest: String,
    pub profile: String,
    pub candidates: Vec<SeriesOracle>,
}

impl OracleRef {
    /// This tool's oracle of `profile` for the `series` ids (of the bundled release table).
    pub fn of(profile: crate::oracle::Profile, series: &[String]) -> Result<Self, OracleRefError> {
        let table = nova_releases::ReleaseTable::bundled();
        let candidates = series
            .iter()
            .map(|id| {
                let s = table
                    .get(id)
                    .map_err(|_| OracleRefError::UnknownSeries(id.clone()))?;
                let o = Oracle::for_series(profile, s)
                    .map_err(|e| OracleRefError::Oracle(Box::new(e)))?;
                Ok(SeriesOracle {
                    series: s.id.clone(),
                    digest: o.digest().to_string(),
                })
            })
            .collect::<Result<Vec<_>, OracleRefError>>()?;
        Ok(Self {
            digest: combined(&candidates),
            profile: profile.as_str().into(),
            candidates,
        })
    }
}

pub fn combined(candidates: &[SeriesOracle]) -> String {
    let text: String = candidates
        .iter()
        .map(|c| format!("{} {}\n", c.series, c.digest))
        .collect();
    format!("sha256:{}", hex::encode(Sha256::digest(text.as_bytes())))
}

/// The Nova release verdict, as the JSON report has it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ReleaseRef {
    pub behaves_like: String,
    pub mode: String,
    pub candidates: Vec<String>,
    pub explained_by: Vec<String>,
    pub consistent: bool,
}

/// What discovery found on the endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct Endpoint {
    /// How the target describes itself (never credentials).
    pub target: String,
    pub min_microversion: String,
    pub max_microversion: String,
    /// Compute hosts discovery found.
    pub hosts: usize,
    /// Compute hosts the cases may name (enabled and up, with room).
    pub enabled_hosts: usize,
    pub disabled_host: bool,
    pub full_host: bool,
    /// The admin identity's user and project names, where discovery reports them.
    pub user: Option<String>,
    pub project: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct Counts {
    pub total: usize,
    pub pass: usize,
    pub fail: usize,
    pub skip: usize,
    pub error: usize,
}

impl Counts {
    pub fn of(o: &RunOutcome) -> Self {
        Self {
            total: o.results.len(),
            pass: o.count(VerdictKind::Pass),
            fail: o.count(VerdictKind::Fail),
            skip: o.count(VerdictKind::Skip),
            error: o.count(VerdictKind::Error),
        }
    }
}

/// The run's verdict, as `run`'s exit code says it.
pub fn verdict(counts: &Counts, cleanup_failures: usize, consistent: bool) -> &'static str {
    if counts.error > 0 || cleanup_failures > 0 {
        "errors"
    } else if counts.fail > 0 || !consistent {
        "not-conformant"
    } else {
        "conformant"
    }
}

/// `result.yaml`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ResultFile {
    pub schema: String,
    pub tool: Tool,
    pub oracle: OracleRef,
    pub profile: String,
    pub nova_release: ReleaseRef,
    pub endpoint: Endpoint,
    /// Role -> the identity used (a clouds.yaml entry name): names only, never secrets.
    pub identities: BTreeMap<String, String>,
    /// `representative` or `all`: which exchanges report.json and report.html keep.
    pub exchanges: String,
    pub counts: Counts,
    /// `conformant`, `not-conformant` (failures, or no single Nova release explains the
    /// answers) or `errors` (engine errors or servers left behind).
    pub verdict: String,
    /// UTC, RFC 3339.
    pub started: String,
    pub finished: String,
    /// The command line, secrets redacted.
    pub command: Vec<String>,
}

/// What `run` knows that the outcome does not.
pub struct BundleInput<'a> {
    pub outcome: &'a RunOutcome,
    pub mode: ExchangeMode,
    pub argv: Vec<String>,
    pub started: DateTime<Utc>,
    pub finished: DateTime<Utc>,
    pub endpoint: Endpoint,
    pub identities: BTreeMap<String, String>,
    /// What would be run (plan.json).
    pub plan: serde_json::Value,
}

/// Flags whose value is a secret: any flag naming a password, token, secret or credential.
fn secret_flag(flag: &str) -> bool {
    let f = flag.trim_start_matches('-').to_ascii_lowercase();
    ["password", "token", "secret", "credential"]
        .iter()
        .any(|w| f.contains(w))
}

/// The command line with the values of secret flags (`--os-password X`, `--os-token=X`,
/// `--os-application-credential-secret X`, ...) and `OS_*PASSWORD=`-style assignments
/// replaced by `<redacted>`.
pub fn redact_argv(argv: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(argv.len());
    let mut hide_next = false;
    for a in argv {
        if hide_next {
            out.push("<redacted>".into());
            hide_next = false;
            continue;
        }
        if let Some((k, _)) = a.split_once('=') {
            if (k.starts_with('-') || k.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
                && secret_flag(k)
            {
                out.push(format!("{k}=<redacted>"));
                continue;
            }
        } else if a.starts_with('-') && secret_flag(a) {
            hide_next = true;
        }
        out.push(a.clone());
    }
    out
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BundleError + '_ {
    move |source| BundleError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Whether a bundle can be written into `dir`: it has a name (for the tarball) and is new,
/// empty or an earlier bundle, so that a manifest never covers stray files. `run` checks
/// this before the first request, so that a long run is not lost to a bad `--submission`.
pub fn check_dir(dir: &Path) -> Result<(), BundleError> {
    if dir.file_name().is_none() {
        return Err(BundleError::NoName {
            dir: dir.display().to_string(),
        });
    }
    if dir.exists() {
        let entries = std::fs::read_dir(dir).map_err(io(dir))?;
        for e in entries {
            let e = e.map_err(io(dir))?;
            let name = e.file_name().to_string_lossy().to_string();
            if !FILES.contains(&name.as_str()) && name != MANIFEST {
                return Err(BundleError::NotBundleDir {
                    dir: dir.display().to_string(),
                    name,
                });
            }
        }
    }
    Ok(())
}

/// Writes the bundle into `dir` (created; files of an earlier bundle there are replaced,
/// anything else is refused, see [`check_dir`]) and `dir.tar.gz`. Returns the tarball's path.
pub fn write(dir: &Path, input: &BundleInput<'_>) -> Result<PathBuf, BundleError> {
    let o = input.outcome;
    // Again: the directory may have changed during the run.
    check_dir(dir)?;
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let counts = Counts::of(o);
    let v = &o.release;
    let result = ResultFile {
        schema: SCHEMA.into(),
        tool: Tool::this(),
        oracle: OracleRef::of(o.profile, &v.candidates)?,
        profile: o.profile.as_str().into(),
        nova_release: ReleaseRef {
            behaves_like: v.describe(),
            mode: v.mode.clone(),
            candidates: v.candidates.clone(),
            explained_by: v.explained_by.clone(),
            consistent: v.consistent(),
        },
        endpoint: input.endpoint.clone(),
        identities: input.identities.clone(),
        exchanges: input.mode.as_str().into(),
        verdict: verdict(&counts, o.cleanup_failures.len(), v.consistent()).into(),
        counts,
        started: rfc3339(input.started),
        finished: rfc3339(input.finished),
        command: redact_argv(&input.argv),
    };
    let yaml = serde_yaml::to_string(&result).map_err(BundleError::Yaml)?;
    let junit = crate::report::junit::render(&[o])?;
    let json = crate::report::json::render_with(&[o], input.mode);
    let html = crate::report::html::render_with(&[o], input.mode);
    let subunit = crate::report::subunit::render(&[o])?;
    let plan = serde_json::to_string_pretty(&input.plan).map_err(BundleError::PlanJson)?;
    let contents: [(&str, &[u8]); 6] = [
        ("result.yaml", yaml.as_bytes()),
        ("junit.xml", junit.as_bytes()),
        ("report.json", json.as_bytes()),
        ("report.html", html.as_bytes()),
        ("results.subunit", &subunit),
        ("plan.json", plan.as_bytes()),
    ];
    let mut manifest = String::new();
    for (name, bytes) in contents {
        let p = dir.join(name);
        std::fs::write(&p, bytes).map_err(io(&p))?;
        manifest.push_str(&format!("{}  {name}\n", hex::encode(Sha256::digest(bytes))));
    }
    let p = dir.join(MANIFEST);
    std::fs::write(&p, &manifest).map_err(io(&p))?;
    tarball(dir)
}

/// `DIR.tar.gz` beside DIR: the directory under its own name, files in manifest order.
fn tarball(dir: &Path) -> Result<PathBuf, BundleError> {
    let name = dir
        .file_name()
        .ok_or_else(|| BundleError::NoName {
            dir: dir.display().to_string(),
        })?
        .to_string_lossy()
        .to_string();
    let out = dir.with_file_name(format!("{name}.tar.gz"));
    let f = std::fs::File::create(&out).map_err(io(&out))?;
    let gz = flate2::write::GzEncoder::new(f, flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    tar.mode(tar::HeaderMode::Deterministic);
    for file in FILES.iter().chain([&MANIFEST]) {
        tar.append_path_with_name(dir.join(file), format!("{name}/{file}"))
            .map_err(io(&out))?;
    }
    let gz = tar.into_inner().map_err(io(&out))?;
    let mut f = gz.finish().map_err(io(&out))?;
    f.flush().map_err(io(&out))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argv_secrets_are_redacted() {
        let argv: Vec<String> = [
            "nova-conform",
            "run",
            "--os-password",
            "hunter2",
            "--os-token=tok-abc",
            "--os-application-credential-secret",
            "s3cr3t",
            "OS_PASSWORD=pw",
            "--os-cloud",
            "mycloud",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let r = redact_argv(&argv);
        let joined = r.join(" ");
        for secret in ["hunter2", "tok-abc", "s3cr3t", "=pw"] {
            assert!(!joined.contains(secret), "{joined}");
        }
        assert_eq!(
            joined,
            "nova-conform run --os-password <redacted> --os-token=<redacted> \
             --os-application-credential-secret <redacted> OS_PASSWORD=<redacted> \
             --os-cloud mycloud"
        );
    }
}
