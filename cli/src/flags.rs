//! The flag groups several subcommands share (flattened into each): which cases
//! ([`Selection`]: run, list, fidelity), which cloud ([`ConnectArgs`], [`CloudArgs`]), how to
//! wait ([`WaitArgs`]), the servers the suite creates ([`ServerArgs`]), and the value parsers.
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};
use nova_conform::Filter;
use nova_conform::MatrixKind;
use nova_conform::Plan;
use nova_conform::Profile;
use nova_conform::ReleaseChoice;
use nova_conform::SuiteError;
use nova_conform::Timing;
use nova_conform::{CloudSelection, Network, ServerSpec};

/// A flag value clap refuses (it prints the message after the flag and the value).
#[derive(Debug, thiserror::Error)]
pub enum FlagError {
    #[error("expected a number from 1 to 1024")]
    Jobs,
    #[error("expected a number of seconds above 0 (at most 86400)")]
    Seconds,
    #[error("expected 1 to 32 letters and digits")]
    RunId,
    /// `--nova-release`: not a release of the bundled table (the engine's message, without
    /// the flag's name, which clap prints itself).
    #[error("{0}")]
    Release(String),
}

#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum ProfileArg {
    Nova,
    PikeSpec,
}

impl From<ProfileArg> for Profile {
    fn from(p: ProfileArg) -> Self {
        match p {
            ProfileArg::Nova => Profile::Nova,
            ProfileArg::PikeSpec => Profile::PikeSpec,
        }
    }
}

#[derive(Args, Debug, Clone)]
pub struct Selection {
    /// Behaviour profile the target is judged against.
    #[arg(long, value_enum, default_value = "nova")]
    profile: ProfileArg,
    /// Case filter: `key=v1,v2` terms (id, mv, header, body, host, force, pre, role, action,
    /// block, disk), `!key=v`, or bare words matched in ids and names; all terms must match.
    #[arg(long, value_name = "EXPR")]
    filter: Option<String>,
    /// Only these exact microversions, e.g. `2.50-2.60` or `2.56`.
    #[arg(long, value_name = "RANGE")]
    microversions: Option<String>,
    /// Every precondition x role case at every microversion (see docs/cases.md).
    #[arg(long)]
    exhaustive: bool,
    /// Leave the live-migration (`os-migrateLive`) cases out: for clouds whose hypervisors
    /// cannot live-migrate (the same as `--filter '!action=live'`).
    #[arg(long)]
    no_live: bool,
    /// The Nova release (series id, codename or Nova version) the answers are judged as, or
    /// `auto`: the candidates from discovery; a case passes if a candidate explains it, the
    /// run only if one candidate explains every answer.
    #[arg(long, value_name = "SERIES|auto", default_value = "auto", value_parser = parse_release)]
    nova_release: ReleaseChoice,
}

impl Selection {
    /// The plan of this selection with `jobs` cases in flight.
    pub fn plan(&self, jobs: usize) -> Result<Plan, SuiteError> {
        Ok(Plan {
            profile: self.profile.into(),
            kind: if self.exhaustive {
                MatrixKind::Exhaustive
            } else {
                MatrixKind::Default
            },
            filter: {
                let f = Filter::parse(self.filter.as_deref(), self.microversions.as_deref())?;
                if self.no_live {
                    f.without_live()
                } else {
                    f
                }
            },
            jobs,
            release: self.nova_release,
        })
    }
}

fn parse_release(s: &str) -> Result<ReleaseChoice, FlagError> {
    s.parse::<ReleaseChoice>().map_err(|e| {
        FlagError::Release(match e {
            SuiteError::Usage(m) => m.trim_start_matches("--nova-release: ").to_string(),
            other => other.to_string(),
        })
    })
}

pub fn parse_jobs(s: &str) -> Result<usize, FlagError> {
    match s.parse::<usize>() {
        Ok(n) if (1..=1024).contains(&n) => Ok(n),
        _ => Err(FlagError::Jobs),
    }
}

fn parse_secs(s: &str) -> Result<f64, FlagError> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 86_400.0 => Ok(v),
        _ => Err(FlagError::Seconds),
    }
}

pub fn parse_run_id(s: &str) -> Result<String, FlagError> {
    if !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(s.to_string())
    } else {
        Err(FlagError::RunId)
    }
}

/// Which cloud to talk to (a clouds.yaml name; `OS_CLOUD` / `OS_*` when `--os-cloud` is not
/// given) and how.
#[derive(Args, Debug, Clone, Default)]
pub struct ConnectArgs {
    /// Cloud in clouds.yaml, used as admin (default: OS_CLOUD, else the OS_* variables).
    /// `run` without any cloud configured tests the embedded mock.
    #[arg(long, value_name = "NAME")]
    pub os_cloud: Option<String>,
    /// Region (overrides clouds.yaml and OS_REGION_NAME).
    #[arg(long, value_name = "REGION")]
    pub os_region_name: Option<String>,
    /// CA bundle to trust in addition to the system roots.
    #[arg(long, value_name = "PATH")]
    pub os_cacert: Option<PathBuf>,
    /// Do not verify TLS certificates (never the default).
    #[arg(long)]
    pub insecure: bool,
}

impl ConnectArgs {
    pub fn selection(&self) -> CloudSelection {
        CloudSelection {
            cloud: self.os_cloud.clone(),
            insecure: self.insecure,
            cacert: self.os_cacert.clone(),
            region: self.os_region_name.clone(),
            ..CloudSelection::default()
        }
    }
}

/// The cloud and the identities of the role cases.
#[derive(Args, Debug, Clone, Default)]
pub struct CloudArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Cloud entry of a user with the manager role in the admin's project.
    #[arg(long, value_name = "NAME")]
    pub manager_cloud: Option<String>,
    /// Cloud entry of a member (no admin role) of the admin's project.
    #[arg(long, value_name = "NAME")]
    pub member_cloud: Option<String>,
    /// Cloud entry of a user of another project.
    #[arg(long, value_name = "NAME")]
    pub other_cloud: Option<String>,
}

impl CloudArgs {
    pub fn selection(&self) -> CloudSelection {
        CloudSelection {
            manager: self.manager_cloud.clone(),
            member: self.member_cloud.clone(),
            other: self.other_cloud.clone(),
            ..self.connect.selection()
        }
    }
}

/// Waiting for asynchronous state changes.
#[derive(Args, Debug, Clone)]
pub struct WaitArgs {
    /// Seconds between polls of a server's state.
    #[arg(long, default_value_t = 1.0, value_name = "SECONDS", value_parser = parse_secs)]
    pub poll_interval: f64,
    /// Seconds to wait for each step (build, migration, confirm/revert, delete).
    #[arg(long, default_value_t = 300.0, value_name = "SECONDS", value_parser = parse_secs)]
    pub wait_timeout: f64,
}

impl WaitArgs {
    pub fn timing(&self) -> Timing {
        Timing {
            poll_interval: Duration::from_secs_f64(self.poll_interval),
            timeout: Duration::from_secs_f64(self.wait_timeout),
        }
    }
}

/// The servers the suite creates on a cloud (`run` and `fidelity`).
#[derive(Args, Debug, Clone)]
pub struct ServerArgs {
    /// Flavor (name or id) of the servers the suite creates (default: the smallest).
    #[arg(long, value_name = "FLAVOR")]
    pub flavor: Option<String>,
    /// Image (name or id) of the servers the suite creates (default: an active CirrOS image,
    /// else the first active one).
    #[arg(long, value_name = "IMAGE")]
    pub image: Option<String>,
    /// Network of the servers the suite creates: a network id, `auto` or `none`.
    #[arg(long, value_name = "ID|none|auto", default_value = "none")]
    pub network: String,
    /// A compute host with no room for a server of the flavor: the no-capacity cases target
    /// it (their migration is accepted and fails in the scheduler); no other case uses it.
    /// `fidelity` gives its mock a host of that name without capacity.
    #[arg(long, value_name = "HOST")]
    pub full_host: Option<String>,
}

impl ServerArgs {
    /// The server spec, with `servers` given by `--server`.
    pub fn spec(&self, servers: Vec<String>) -> Result<ServerSpec, SuiteError> {
        Ok(ServerSpec {
            flavor: self.flavor.clone(),
            image: self.image.clone(),
            network: self.network.parse::<Network>()?,
            servers,
            full_host: self.full_host.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_parsers_refuse_with_their_messages() {
        assert_eq!(parse_jobs("16").unwrap(), 16);
        assert_eq!(
            parse_jobs("0").unwrap_err().to_string(),
            "expected a number from 1 to 1024"
        );
        assert!(matches!(parse_jobs("1025"), Err(FlagError::Jobs)));
        assert!(matches!(parse_secs("0"), Err(FlagError::Seconds)));
        assert!(matches!(parse_secs("NaN"), Err(FlagError::Seconds)));
        assert_eq!(parse_secs("86400").unwrap(), 86_400.0);
        assert!(matches!(parse_run_id("a-b"), Err(FlagError::RunId)));
        assert_eq!(parse_run_id("abc123").unwrap(), "abc123");
        let e = parse_release("nosuchrelease").unwrap_err();
        assert!(matches!(e, FlagError::Release(_)));
        assert!(!e.to_string().starts_with("--nova-release"), "{e}");
    }
}
