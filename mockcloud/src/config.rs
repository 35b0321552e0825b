//! What a mock instance is configured with (profile, microversions, hosts, lifecycle).

use crate::compute::pipeline::microversion::Version;
use std::time::Duration;

/// Which behaviour the migrate action follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// Upstream Nova: from 2.56 optional nullable `host`, no `force`.
    #[default]
    Nova,
    /// The Pike seed spec: from 2.56 `host` required (nullable) and `force` optional.
    PikeSpec,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Nova => "nova",
            Profile::PikeSpec => "pike-spec",
        }
    }
}

impl std::str::FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "nova" => Ok(Profile::Nova),
            "pike-spec" | "pike" => Ok(Profile::PikeSpec),
            other => Err(format!(
                "unknown profile '{other}' (expected nova or pike-spec)"
            )),
        }
    }
}

/// How long each asynchronous step takes in [`Lifecycle::Timed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Durations {
    /// API accepted (resize_prep) -> conductor (migration pre-migrating, scheduling).
    pub accepted: Duration,
    /// pre-migrating -> source host (migrating / resize_migrating).
    pub conductor: Duration,
    /// migrating -> source done (post-migrating / resize_migrated).
    pub source: Duration,
    /// source done -> destination (resize_finish).
    pub source_done: Duration,
    /// destination -> finished / VERIFY_RESIZE.
    pub destination: Duration,
    /// confirming -> confirmed.
    pub confirm: Duration,
    /// reverting -> reverted.
    pub revert: Duration,
    /// stop/start/pause/unpause/suspend/resume task -> final state.
    pub power: Duration,
    /// Each of a server build's two steps (scheduling -> spawning -> ACTIVE).
    pub build: Duration,
}

impl Durations {
    /// Every step takes `d`.
    pub fn uniform(d: Duration) -> Self {
        Self {
            accepted: d,
            conductor: d,
            source: d,
            source_done: d,
            destination: d,
            confirm: d,
            revert: d,
            power: d,
            build: d,
        }
    }
}

impl Default for Durations {
    fn default() -> Self {
        Self::uniform(Duration::from_millis(200))
    }
}

/// How in-flight operations progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lifecycle {
    /// Every operation reaches its final state before the API response returns.
    #[default]
    Instant,
    /// Each step takes the given time (tokio timers).
    Timed(Durations),
    /// Steps advance only through [`crate::StateHandle::advance`] / the control API.
    Manual,
}

impl Lifecycle {
    pub fn name(&self) -> &'static str {
        match self {
            Lifecycle::Instant => "instant",
            Lifecycle::Timed(_) => "timed",
            Lifecycle::Manual => "manual",
        }
    }
}

/// Inventory of one compute host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostSpec {
    pub name: String,
    pub vcpus: u32,
    pub memory_mb: u64,
    pub disk_gb: u64,
    /// `reserved_host_memory_mb`: memory the host keeps for itself. Placement offers
    /// `memory_mb - reserved` and the compute node counts it as used (`memory_mb_used`,
    /// `free_ram_mb`), which is what live migration's forced-destination memory check reads.
    pub reserved_memory_mb: u64,
}

impl HostSpec {
    /// A host with the default inventory (16 vCPU, 32 GiB RAM, 500 GB disk, nothing
    /// reserved).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            vcpus: 16,
            memory_mb: 32768,
            disk_gb: 500,
            reserved_memory_mb: 0,
        }
    }
}

/// The full configuration of a mock instance.
#[derive(Debug, Clone)]
pub struct Config {
    pub profile: Profile,
    pub min_version: Version,
    pub max_version: Version,
    pub hosts: Vec<HostSpec>,
    pub lifecycle: Lifecycle,
    /// Auto-confirm resizes after this long in VERIFY_RESIZE (Nova's `resize_confirm_window`; None = 0 = off).
    pub resize_confirm_window: Option<Duration>,
    /// oslo.middleware `max_request_body_size`.
    pub max_body_bytes: usize,
    /// Token lifetime (Keystone's `[token] expiration`, default 3600 s).
    pub token_ttl: Duration,
    /// The Nova series whose behaviour the mock follows (policies, message variants); its
    /// max microversion is `max_version` unless set otherwise. Default: the newest.
    pub release: &'static nova_releases::Series,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            profile: Profile::Nova,
            min_version: Version::new(2, 1),
            max_version: Version::new(2, 104),
            hosts: ["compute1", "compute2", "compute3"]
                .into_iter()
                .map(HostSpec::new)
                .collect(),
            lifecycle: Lifecycle::Instant,
            resize_confirm_window: None,
            max_body_bytes: 114_688,
            token_ttl: Duration::from_secs(3600),
            release: nova_releases::ReleaseTable::bundled().newest(),
        }
    }
}
