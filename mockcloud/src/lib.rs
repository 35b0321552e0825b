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

pub mod bench;
pub mod build_info;
pub mod builder;
pub mod clidocs;
pub mod clock;
pub mod clouds_yaml;
pub mod compute;
pub mod config;
pub mod control;
pub mod error;
pub mod http;
pub mod identity;
pub mod image;
pub mod lifecycle;
pub mod live_lifecycle;
pub mod pyfmt;
pub mod router;
pub mod scenario;
pub mod scheduler;
pub mod state;
pub mod stdout;

pub use builder::{MockCloud, MockCloudBuilder};
pub use compute::microversion::Version;
pub use config::{Config, Durations, HostSpec, Lifecycle, Profile};
pub use error::Error;
pub use state::handle::StateHandle;
pub use state::seed::{Seed, SeedUser, SeededCredential};
