//! One Nova series and the facts about it that matter for migrate.
use std::fmt;
use std::str::FromStr;

use serde::Deserialize;

use crate::ReleaseError;

/// A compute microversion `MAJOR.MINOR` (kept here so the table has no dependency on the
/// suite or the mock, which each have their own richer type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct Microversion {
    pub major: u32,
    pub minor: u32,
}

impl Microversion {
    pub const fn new(major: u32, minor: u32) -> Self {
        Self { major, minor }
    }
}

impl fmt::Display for Microversion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl FromStr for Microversion {
    type Err = ReleaseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ReleaseError::Microversion(s.to_string());
        let (a, b) = s.split_once('.').ok_or_else(bad)?;
        Ok(Self::new(
            a.parse().map_err(|_| bad())?,
            b.parse().map_err(|_| bad())?,
        ))
    }
}

impl TryFrom<String> for Microversion {
    type Error = ReleaseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// Who passes a policy rule with the defaults a series ships, as far as the suite's
/// identities (admin, manager, member, reader, another project's member) can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyRule {
    /// The rule does not exist in the series.
    None,
    /// Only an admin (`rule:admin_api`, `SYSTEM_ADMIN` OR'ed with the deprecated
    /// `admin_api`, `PROJECT_ADMIN`, `ADMIN`: an admin-role token in its project passes each).
    Admin,
    /// `PROJECT_MANAGER_OR_ADMIN` (2025.2+): the `manager` role in the server's project.
    ProjectManagerOrAdmin,
}

/// An `[oslo_policy]` option's default as a series ships it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OsloPolicyDefault {
    True,
    False,
    /// The option does not exist in the series (too old, or removed).
    Absent,
}

/// The policy facts of a series.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// `os_compute_api:os-migrate-server:migrate`.
    pub migrate: PolicyRule,
    /// `os_compute_api:os-migrate-server:migrate:host` (checked when a host is given).
    pub migrate_host: PolicyRule,
    /// `os_compute_api:os-migrate-server:migrate_live` (live migration; checked for every
    /// body where the series has no `migrate_live:host`, else only without a host).
    pub migrate_live: PolicyRule,
    /// `os_compute_api:os-migrate-server:migrate_live:host` (live migration with a host;
    /// Nova 32.0.0+), `none` where it does not exist.
    pub migrate_live_host: PolicyRule,
    /// The migrate (and live-migrate) policy is checked before the server is looked up.
    pub before_lookup: bool,
    pub enforce_new_defaults: OsloPolicyDefault,
    pub enforce_scope: OsloPolicyDefault,
}

/// What the scheduler's NoValidHost for a requested host looks like to the API user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoValidHost {
    /// 202, then the migration record goes to `error` and the server stays.
    Async,
    /// The API waits for the conductor: a synchronous 400 "No valid host was found. ...".
    #[serde(rename = "sync-400")]
    Sync400,
}

/// jsonschema's message for `minLength` on an empty string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
pub enum EmptyHostMessage {
    /// jsonschema < 4.21: `'' is too short`.
    #[serde(rename = "is too short")]
    TooShort,
    /// jsonschema >= 4.21: `'' should be non-empty`.
    #[serde(rename = "should be non-empty")]
    NonEmpty,
}

impl EmptyHostMessage {
    /// The text after the quoted value: `is too short` or `should be non-empty`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::TooShort => "is too short",
            Self::NonEmpty => "should be non-empty",
        }
    }
}

/// Observable behaviour that is not policy.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Behaviour {
    pub no_valid_host: NoValidHost,
    pub empty_host: EmptyHostMessage,
    /// The API refuses to move a server whose source compute service is down (409 "Service
    /// is unavailable at this time.": `@check_instance_host(check_is_up=True)` on
    /// `compute/api.py` `resize`, from Nova 20.2.0). `false` where the check is absent (the
    /// move is accepted). Optional in the table: omitted means `true`.
    #[serde(default = "default_true")]
    pub source_up_check: bool,
    /// The scheduler's placement query (Nova 20.0.0+) is restricted to a requested host
    /// (`in_tree`) and leaves out the compute nodes of disabled services
    /// (`compute_status_filter`, trait COMPUTE_STATUS_DISABLED): a full or disabled requested
    /// host gets no allocation candidate, `NoValidHost(reason="")`. `false` before: placement
    /// offers the other hosts and the filters drop them, "There are not enough hosts
    /// available.". Visible where the scheduler's own NoValidHost reaches the user (live
    /// migration). Optional in the table: omitted means `true`.
    #[serde(default = "default_true")]
    pub placement_prefilters: bool,
    /// The compute nodes' `ram_allocation_ratio` with the series' defaults, which live
    /// migration's forced-destination memory check multiplies by: 1.5 (Queens..Zed), 1.0
    /// (2023.1+, `initial_ram_allocation_ratio`).
    pub ram_allocation_ratio: RamAllocationRatio,
}

/// A compute node's default RAM allocation ratio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
pub enum RamAllocationRatio {
    #[serde(rename = "1.5")]
    OnePointFive,
    #[serde(rename = "1.0")]
    One,
}

impl RamAllocationRatio {
    pub fn as_f64(self) -> f64 {
        match self {
            Self::OnePointFive => 1.5,
            Self::One => 1.0,
        }
    }
}

fn default_true() -> bool {
    true
}

/// One Nova series.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Series {
    /// `YYYY.N`, e.g. `2025.1`.
    pub id: String,
    /// Lower-case codename, e.g. `epoxy`.
    pub codename: String,
    /// The series' first release, `MAJOR.0.0`.
    pub nova: String,
    /// The Nova version the project verifies the series against.
    pub verified: String,
    pub max_microversion: Microversion,
    /// The CPython the launcher installs it with.
    pub python: String,
    /// The launcher's lock file, relative to `upstream-nova/`.
    pub lock: String,
    pub policy: Policy,
    pub behaviour: Behaviour,
    /// Where each fact comes from.
    pub sources: Vec<String>,
    /// Position in the table, oldest first (set by the table, not the file).
    #[serde(skip)]
    pub(crate) index: usize,
}

impl Series {
    /// Position in the table, oldest first: series compare by it.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Nova's major version (`17` for Queens).
    pub fn major(&self) -> u32 {
        self.nova
            .split('.')
            .next()
            .and_then(|m| m.parse().ok())
            .unwrap_or(0)
    }

    /// `2025.1 (epoxy)`, or just the id where the codename is the id.
    pub fn label(&self) -> String {
        if self.codename == self.id {
            self.id.clone()
        } else {
            format!("{} ({})", self.id, self.codename)
        }
    }
}
