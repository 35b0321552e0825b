//! osclient: OpenStack client configuration (clouds.yaml, secure.yaml, `OS_*` variables) and
//! Keystone v3 sessions (password, application credential, token), with catalog endpoint
//! lookup, token refresh, retries for idempotent requests and rustls TLS.
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
//! // Or let the session add the token, retry idempotent requests and re-authenticate on 401:
//! let resp = session.send(session.http().get(compute.as_str())).await?;
//! # let _ = resp;
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
//!
//! and from an injected environment and search path (what the tests do):
//!
//! ```
//! let cfg = osclient::ConfigLoader::new()
//!     .with_env([
//!         ("OS_AUTH_URL", "https://keystone.example.test/v3"),
//!         ("OS_APPLICATION_CREDENTIAL_ID", "21dced0f"),
//!         ("OS_APPLICATION_CREDENTIAL_SECRET", "xyz"),
//!     ])
//!     .with_search_dirs(["/nonexistent"])
//!     .load(None)
//!     .unwrap();
//! assert_eq!(cfg.name, "envvars");
//! assert_eq!(cfg.auth_type, osclient::AuthType::ApplicationCredential);
//! ```
//!
//! # Behaviour, as openstackclient users expect
//!
//! * **Where configuration comes from** and which wins: see [`ConfigLoader`] (it follows
//!   openstacksdk's `openstack/config/loader.py`).
//! * **Auth**: `password`/`v3password`, `v3applicationcredential` (id, or name + user),
//!   `token`/`v3token`. Without `auth_type` the method is inferred from the credentials present.
//!   A user or project given by name without a domain is in domain `default` (openstackclient's
//!   `--os-default-domain`). The token URL is `<auth_url>/v3/auth/tokens` unless `auth_url`
//!   already ends in `/v3` (no version discovery request).
//! * **Endpoints**: by service type from the token's catalog, for the configured interface
//!   (`public` by default; `publicURL` forms accepted) and region (any if none is configured);
//!   `<type>_endpoint_override` wins over the catalog.
//! * **Tokens** are re-requested a margin before expiry (120 s as keystoneauth, at most half the lifetime), once
//!   for all concurrent callers; [`Session::invalidate`] after a 401.
//! * **TLS**: rustls; `cacert` is added to the built-in roots; verification stays on unless
//!   `verify: false`, `insecure: true` or `OS_INSECURE=true` (or the caller sets
//!   [`CloudConfig::verify`] from an explicit `--insecure`); `cert`/`key` for mutual TLS.
//! * **Retries**: one policy, [`RetryPolicy`] with [`Repeat`]: idempotent requests (and the
//!   token request) are retried on connection errors, timeouts, dropped connections and
//!   502/503/504 with exponential backoff, at most 3 times and none starting after 30 s (or two
//!   timeouts); other POSTs only when the connection could not be made; the request under test
//!   never. A 500 is never retried (a migrate POST that timed out may have been accepted; the
//!   caller must check the server's state instead).
//! * **Bounds**: [`execute`] limits each attempt as a whole (connect, head and body) to the
//!   cloud's `api_timeout` (`OS_API_TIMEOUT`; [`DEFAULT_TIMEOUT`], 120 s, when unset) and reads
//!   at most [`MAX_BODY`] (16 MiB); its errors say what came back (status, content type, the
//!   first bytes). Keystone's token request goes through it.
//! * **Secrets** (passwords, application credential secrets, tokens) are held as [`Secret`] and
//!   never appear in `Debug`/`Display` of configurations, sessions, loaders or errors.
//!
//! # Why not gtema's `openstack_sdk` / `openstack_sdk_core`
//!
//! We looked at `openstack_sdk` 0.22.8 and its config/auth layer `openstack_sdk_core` 0.22.8
//! (crates.io, github.com/gtema/openstack) for configuration and auth and decided against them.
//! Measured with `cargo tree -e normal` in a scratch crate outside this workspace:
//!
//! * **Weight**: `openstack_sdk_core` alone (`default-features = false, features = ["async"]`)
//!   resolves to 145 crates (149 with default features), 57 of them not otherwise in
//!   osclient's tree (`config`, `derive_builder` + `darling`, `dialoguer`, `postcard`,
//!   `secrecy`, `itertools`, a second `sha2`/`digest` major version, `dirs` 7 next to our 5...).
//!   The full `openstack_sdk` with its default service features is 206 crates and pulls
//!   `aws-lc-rs`/`aws-lc-sys` (a C/CMake build) for TLS. osclient's whole tree is 118 crates,
//!   all already in the workspace for the suite and the mock.
//! * **API fit**: it could do the job in principle (clouds.yaml + secure.yaml, password,
//!   application credential and token auth, catalog, token auto-renewal, raw queries through
//!   its `RestEndpoint`/`Raw` types), but it is built on reqwest 0.13 and `http` types, while the
//!   workspace (the suite, the mock's tests, and our contract `Session::http() ->
//!   &reqwest::Client`) uses reqwest 0.12: two HTTP stacks in one binary, and its client could
//!   not be handed to the suite, which needs raw requests with exact bodies and microversion
//!   headers and records every exchange itself.
//! * **Side effects**: its async client caches tokens on disk under `~/.osc/` unless told not
//!   to (`disable_auth_cache`); a certification tool must not leave credentials in the vendor's
//!   home directory by default, and a forgotten opt-out would.
//! * **Toolchain and maturity**: it requires Rust 1.91 (workspace MSRV is 1.80), is 0.x with
//!   breaking releases, and its `CloudConfig::from_env` maps `OS_*` variables by its own rules
//!   (its docs call the structure "very broken") rather than `openstack.config`'s `envvars`
//!   cloud semantics, which are what vendors' existing clouds.yaml/openrc setups rely on.
//!
//! What we need (clouds.yaml + secure.yaml + `OS_*` precedence, three v3 auth methods, catalog
//! lookup, refresh, retries) is about 1,900 lines of code here (plus tests), tested
//! against a fake Keystone, the embedded mock and a rustls test server.

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
mod transfer;

pub use catalog::{Catalog, Endpoint, Service};
pub use config::{AuthConfig, AuthType, CloudConfig, Interface, DEFAULT_DOMAIN_ID};
pub use error::Error;
pub use identity::Identity;
pub use loader::{standard_search_dirs, ConfigLoader};
pub use retry::{Failure, Repeat, RetryPolicy};
pub use secret::{Secret, REDACTED};
pub use session::{Session, SessionOptions};
pub use transfer::{
    describe_answer, execute, quote, status_text, Answer, Limits, Notice, Partial, TransferError,
    DEFAULT_TIMEOUT, MAX_BODY, SLOW_NOTICE_AFTER,
};
