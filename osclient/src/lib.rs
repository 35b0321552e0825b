//! osclient: OpenStack client configuration (clouds.yaml, secure.yaml, `OS_*` variables) and
//! Keystone v3 sessions (password, application credential, token), with catalog endpoint
//! lookup, token refresh and rustls TLS.
//!
//! ```no_run
//! # async fn demo() -> Result<(), osclient::Error> {
//! // --os-cloud / OS_CLOUD / clouds.yaml / OS_* as openstackclient does
//! let cfg = osclient::CloudConfig::load(Some("mycloud"))?;
//! let session = osclient::Session::connect(cfg).await?;
//! let compute = session.endpoint("compute")?;
//! let servers = session
//!     .http()
//!     .get(format!("{}/servers", compute.as_str().trim_end_matches('/')))
//!     .header("X-Auth-Token", session.token().await?)
//!     .header("OpenStack-API-Version", "compute 2.56")
//!     .send()
//!     .await;
//! println!("{} is {}", session.identity().user_name, if session.identity().is_admin() { "admin" } else { "not admin" });
//! # let _ = servers;
//! # Ok(()) }
//! ```
//!
//! Configuration can also come from a string (e.g. the embedded mock's clouds.yaml):
//!
//! ```
//! let yaml = r#"
//! clouds:
//!   demo:
//!     auth:
//!       auth_url: http://127.0.0.1:5000/v3
//!       username: admin
//!       password: s3cret
//!       project_name: demo
//!     region_name: RegionOne
//! "#;
//! let cfg = osclient::CloudConfig::from_clouds_yaml_str(yaml, "demo").unwrap();
//! assert_eq!(cfg.auth.username.as_deref(), Some("admin"));
//! assert_eq!(cfg.auth.user_domain_id.as_deref(), Some("default")); // openstackclient's default domain
//! assert!(!format!("{cfg:?}").contains("s3cret"));
//! ```

mod build;
mod catalog;
mod config;
mod error;
mod identity;
mod keystone;
mod loader;
mod raw;
mod retry;
mod secret;
mod session;
mod tls;

pub use catalog::{Catalog, Endpoint, Service};
pub use config::{AuthConfig, AuthType, CloudConfig, Interface, DEFAULT_DOMAIN_ID};
pub use error::Error;
pub use identity::Identity;
pub use loader::{standard_search_dirs, ConfigLoader};
pub use retry::RetryPolicy;
pub use secret::{Secret, REDACTED};
pub use session::{Session, SessionOptions};
