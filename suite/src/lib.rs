//! nova-conform: the conformance engine for the Compute cold-migration-with-target-host API.
//!
//! Cases are data ([`case`], [`variant`], [`matrix`]), judged by an oracle read from
//! `fixtures/expectations` ([`oracle`]), run against a [`target::Target`] by the
//! [`runner`], and reported ([`report`], [`behaviour_map`]).
//!
//! What does the oracle expect of `force: true` without a host at 2.56?
//!
//! ```
//! use nova_conform::case::Case;
//! use nova_conform::microversion::{HeaderStyle, Microversion, VersionBounds, VersionSelector};
//! use nova_conform::oracle::{MessageContext, Oracle, Profile};
//! use nova_conform::variant::{BodyShape, ForceVariant, HostVariant, Precondition, Role};
//!
//! let case = Case {
//!     version: VersionSelector::Exact(Microversion::new(2, 56)),
//!     header: HeaderStyle::Modern,
//!     body: BodyShape::Migrate { host: HostVariant::Null, force: ForceVariant::True },
//!     precondition: Precondition::Active,
//!     role: Role::Admin,
//! };
//! let bounds = VersionBounds { min: Microversion::new(2, 1), max: Microversion::new(2, 104) };
//! let ctx = MessageContext::default();
//! let nova = Oracle::bundled(Profile::Nova)?.expect(&case, &bounds, &ctx).unwrap();
//! let pike = Oracle::bundled(Profile::PikeSpec)?.expect(&case, &bounds, &ctx).unwrap();
//! assert_eq!((nova.status, nova.rule.as_str()), (400, "nova:force-not-allowed"));
//! assert_eq!((pike.status, pike.rule.as_str()), (400, "pike-spec:force-without-host"));
//! # Ok::<(), nova_conform::SuiteError>(())
//! ```
pub mod behaviour_map;
pub mod body;
pub mod calibration;
pub mod case;
pub mod cleanup;
pub mod client;
pub mod cloud_api;
pub mod cloud_run;
pub mod cloud_servers;
pub mod cloud_target;
pub mod compute;
pub mod conformance;
pub mod discovery;
pub mod discrepancy;
pub mod embedded;
pub mod error;
pub mod estimate;
pub mod exchange;
pub mod expectation;
pub mod fidelity;
pub mod filter;
pub mod followthrough;
pub mod http;
pub mod judge;
pub mod matrix;
pub mod message;
pub mod microversion;
pub mod oracle;
pub mod plan;
pub mod redact;
pub mod release;
pub mod report;
pub mod runner;
pub mod session;
pub mod signals;
pub mod submission;
pub mod summary;
pub mod target;
pub mod variant;
pub mod verdict;

pub use error::SuiteError;
