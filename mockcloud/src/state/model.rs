//! The records the mock keeps: hosts, flavors, images, identities, servers,
//! migrations, instance actions. Plain data; the rules live in `store.rs`,
//! `crate::conductor::scheduler` and `crate::conductor::lifecycle`.
//!
//! Every record is (de)serialisable for `GET`/`PUT /mockcloud/state` (`super::snapshot`):
//! unknown fields are refused so a load validates the whole document, and the secrets
//! (`User::password`, `AppCredential::secret`) are never written (`serde(skip)`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// A nova-compute service and its single compute node (host name == node name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Host {
    pub name: String,
    /// os-services integer id (< 2.53).
    pub service_id: u64,
    /// os-services uuid id (>= 2.53).
    pub service_uuid: Uuid,
    /// os-hypervisors integer id (< 2.53).
    pub node_id: u64,
    /// os-hypervisors uuid (>= 2.53) and placement resource provider.
    pub node_uuid: Uuid,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub forced_down: bool,
    /// Simulated service heartbeat: false = the servicegroup reports it down.
    pub up: bool,
    pub vcpus: u32,
    pub memory_mb: u64,
    pub disk_gb: u64,
    /// `reserved_host_memory_mb` ([`crate::HostSpec::reserved_memory_mb`]).
    #[serde(default)]
    pub reserved_memory_mb: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Host {
    /// `servicegroup_api.service_is_up`: heartbeat fresh and not forced down.
    pub fn is_up(&self) -> bool {
        self.up && !self.forced_down
    }
}

/// Resources a consumer holds on a host (placement allocation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    pub vcpus: u64,
    pub memory_mb: u64,
    pub disk_gb: u64,
}

impl Resources {
    pub fn of_flavor(f: &Flavor) -> Self {
        Self {
            vcpus: u64::from(f.vcpus),
            memory_mb: f.ram,
            disk_gb: f.disk + f.ephemeral + f.swap / 1024,
        }
    }
}

/// One placement allocation: `consumer` (an instance or a migration) on `host`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allocation {
    pub host: String,
    pub resources: Resources,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flavor {
    /// The API id (`flavorid`), e.g. "1".
    pub id: String,
    /// The database id (os-migrations' old/new_instance_type_id).
    pub internal_id: u64,
    pub name: String,
    pub vcpus: u32,
    pub ram: u64,
    pub disk: u64,
    pub ephemeral: u64,
    pub swap: u64,
    pub rxtx_factor: f64,
    pub is_public: bool,
    pub disabled: bool,
    pub description: Option<String>,
    pub extra_specs: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Image {
    pub id: Uuid,
    pub name: String,
    pub status: String,
    pub min_disk: u64,
    pub min_ram: u64,
    pub size: u64,
    pub disk_format: String,
    pub container_format: String,
    pub visibility: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    pub id: String,
    pub name: String,
    pub domain_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub id: String,
    pub name: String,
    pub domain_id: String,
    /// Never exported: a load gives each user the password the loading mock has for it.
    #[serde(skip)]
    pub password: String,
    /// project id -> role names.
    pub assignments: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppCredential {
    pub id: String,
    pub name: String,
    /// Never exported (as `User::password`).
    #[serde(skip)]
    pub secret: String,
    pub user_id: String,
    pub project_id: String,
    pub roles: Vec<String>,
}

/// Nova `vm_states`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VmState {
    Active,
    Building,
    Stopped,
    Resized,
    Paused,
    Suspended,
    Error,
    Deleted,
}

impl VmState {
    pub fn as_str(self) -> &'static str {
        match self {
            VmState::Active => "active",
            VmState::Building => "building",
            VmState::Stopped => "stopped",
            VmState::Resized => "resized",
            VmState::Paused => "paused",
            VmState::Suspended => "suspended",
            VmState::Error => "error",
            VmState::Deleted => "deleted",
        }
    }
}

/// Nova `task_states` the mock uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Scheduling,
    Spawning,
    ResizePrep,
    ResizeMigrating,
    ResizeMigrated,
    ResizeFinish,
    ResizeReverting,
    ResizeConfirming,
    /// Live migration (`task_states.MIGRATING`), from the API's acceptance to the end.
    Migrating,
    PoweringOff,
    PoweringOn,
    Pausing,
    Unpausing,
    Suspending,
    Resuming,
    Deleting,
}

impl TaskState {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Scheduling => "scheduling",
            TaskState::Spawning => "spawning",
            TaskState::ResizePrep => "resize_prep",
            TaskState::ResizeMigrating => "resize_migrating",
            TaskState::ResizeMigrated => "resize_migrated",
            TaskState::ResizeFinish => "resize_finish",
            TaskState::ResizeReverting => "resize_reverting",
            TaskState::ResizeConfirming => "resize_confirming",
            TaskState::Migrating => "migrating",
            TaskState::PoweringOff => "powering-off",
            TaskState::PoweringOn => "powering-on",
            TaskState::Pausing => "pausing",
            TaskState::Unpausing => "unpausing",
            TaskState::Suspending => "suspending",
            TaskState::Resuming => "resuming",
            TaskState::Deleting => "deleting",
        }
    }
}

/// Nova `power_state` integers.
pub mod power {
    pub const NOSTATE: u8 = 0;
    pub const RUNNING: u8 = 1;
    pub const PAUSED: u8 = 3;
    pub const SHUTDOWN: u8 = 4;
    pub const SUSPENDED: u8 = 7;
}

/// Who locked a server (`instance.locked_by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LockedBy {
    Owner,
    Admin,
}

/// An instance fault (shown on servers in ERROR).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceFault {
    pub code: u16,
    pub message: String,
    pub details: String,
    pub created: DateTime<Utc>,
}

/// An asynchronous operation in progress on a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    /// Server build (Timed mode only): scheduling -> spawning -> ACTIVE.
    Build,
    /// Cold migrate (or resize when `Migration::migration_type` is resize).
    Migrate,
    /// Live migration (`os-migrateLive`): its migration record has type live-migration.
    LiveMigrate,
    Confirm,
    Revert,
    Stop,
    Start,
    Pause,
    Unpause,
    Suspend,
    Resume,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InFlight {
    pub kind: OpKind,
    /// Steps already taken (0 = just accepted by the API).
    pub stage: u8,
    pub migration_id: Option<u64>,
    /// Bumped on every new operation so stale timers do nothing.
    pub generation: u64,
    /// Index into the server's actions list of the action recording this op.
    pub action_index: usize,
    /// Pike-spec `force`: skip the scheduler's filters for the requested host.
    pub force: bool,
    /// Host requested by the API (`RequestSpec.requested_destination`).
    pub requested_host: Option<String>,
    /// Who asked (the migration record's user_id/project_id, from the request context).
    pub requested_by: Option<(String, String)>,
    /// Live migration: the series' scheduler limits placement's candidates to the requested
    /// host and leaves disabled computes out (`behaviour.placement_prefilters`), which the
    /// conductor's NoValidHost reason shows. The lifecycle has no configuration, so the API
    /// records the series' facts here.
    pub placement_prefilters: bool,
    /// Live migration: the compute nodes' `ram_allocation_ratio`
    /// (`behaviour.ram_allocation_ratio`) for the forced-destination memory check.
    pub ram_allocation_ratio: f64,
}

impl InFlight {
    /// An operation just accepted (stage 0) with no migration record, no requested host and
    /// no force yet: callers set only what their operation has on top.
    pub fn accepted(kind: OpKind, generation: u64, action_index: usize) -> InFlight {
        InFlight {
            kind,
            stage: 0,
            migration_id: None,
            generation,
            action_index,
            force: false,
            requested_host: None,
            requested_by: None,
            placement_prefilters: true,
            ram_allocation_ratio: 1.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Server {
    pub uuid: Uuid,
    /// Creation order, for list ordering and paging.
    pub seq: u64,
    pub name: String,
    pub project_id: String,
    pub user_id: String,
    pub flavor: Flavor,
    /// During VERIFY_RESIZE: the flavor before the resize.
    pub old_flavor: Option<Flavor>,
    /// While a resize is in progress: the flavor it is resizing to.
    pub new_flavor: Option<Flavor>,
    pub image_ref: String,
    pub host: Option<String>,
    pub vm_state: VmState,
    pub task_state: Option<TaskState>,
    pub power_state: u8,
    /// vm_state to return to after confirm/revert (system_metadata old_vm_state).
    pub old_vm_state: Option<VmState>,
    pub locked_by: Option<LockedBy>,
    pub locked_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub launched_at: Option<DateTime<Utc>>,
    pub description: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub key_name: Option<String>,
    pub availability_zone: Option<String>,
    pub tags: Vec<String>,
    pub progress: u8,
    pub fault: Option<InstanceFault>,
    pub reservation_id: String,
    pub in_flight: Option<InFlight>,
    pub actions: Vec<InstanceAction>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MigrationType {
    Migration,
    Resize,
    LiveMigration,
    Evacuation,
}

impl MigrationType {
    pub fn as_str(self) -> &'static str {
        match self {
            MigrationType::Migration => "migration",
            MigrationType::Resize => "resize",
            MigrationType::LiveMigration => "live-migration",
            MigrationType::Evacuation => "evacuation",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Migration {
    pub id: u64,
    pub uuid: Uuid,
    pub instance_uuid: Uuid,
    pub source_compute: String,
    pub source_node: String,
    pub dest_compute: Option<String>,
    pub dest_node: Option<String>,
    pub dest_host: Option<String>,
    pub old_instance_type_id: u64,
    pub new_instance_type_id: u64,
    pub status: String,
    pub migration_type: MigrationType,
    pub user_id: String,
    pub project_id: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionEvent {
    pub event: String,
    pub start_time: DateTime<Utc>,
    pub finish_time: Option<DateTime<Utc>>,
    pub result: Option<String>,
    pub traceback: Option<String>,
    pub host: Option<String>,
    pub details: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceAction {
    pub action: String,
    pub request_id: String,
    pub user_id: String,
    pub project_id: String,
    pub start_time: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub message: Option<String>,
    pub events: Vec<ActionEvent>,
}
