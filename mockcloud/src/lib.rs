//! mockcloud: a stateful mock OpenStack cloud (Keystone v3 + Nova v2.1) for the
//! cold-migration-with-target-host API, in-process or standalone.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use mockcloud::{Lifecycle, MockCloud, Profile};
//! let cloud = MockCloud::builder()
//!     .profile(Profile::Nova)
//!     .microversions("2.1", "2.104")
//!     .hosts(["compute1", "compute2", "compute3"])
//!     .lifecycle(Lifecycle::Instant)
//!     .start()
//!     .await?;
//! assert!(cloud.auth_url().ends_with("/identity/v3"));
//! assert_eq!(cloud.credentials().len(), 5);
//! assert!(cloud.clouds_yaml().contains("mockcloud-admin"));
//! cloud.shutdown().await;
//! # Ok::<(), mockcloud::Error>(())
//! # }).unwrap();
//! ```

// The namespaces the suite's binary shares with `mockcloud`'s (version text, completions
// and man pages, stdout that ends quietly): public modules because both CLIs name them.
pub mod build_info;
pub mod clidocs;
pub mod stdout;

mod builder;
mod clock;
mod clouds_yaml;
mod compute;
mod conductor;
mod config;
mod control;
mod error;
mod http;
mod identity;
mod image;
mod pyfmt;
mod router;
mod scenario;
mod state;

pub use builder::{MockCloud, MockCloudBuilder};
pub use clock::Clock;
pub use compute::pipeline::microversion::Version;
pub use config::{Config, Durations, HostSpec, Lifecycle, Profile};
pub use error::Error;
pub use pyfmt::to_json_bytes;
pub use scenario::load as load_scenario;
pub use state::handle::StateHandle;
// The state model: what `StateHandle::read`/`write` and a `Snapshot` hold.
pub use state::model::{
    power, ActionEvent, Allocation, AppCredential, Domain, Flavor, Host, Image, InFlight,
    InstanceAction, InstanceFault, LockedBy, Migration, MigrationType, OpKind, Project, Resources,
    Role, Server, TaskState, User, VmState,
};
pub use state::seed::{Seed, SeedUser, SeededCredential};
pub use state::snapshot::{
    parse as parse_snapshot, to_json as snapshot_to_json, LoadError, Snapshot,
};
pub use state::store::{State, CIRROS_IMAGE_ID};
