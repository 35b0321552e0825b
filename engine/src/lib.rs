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
// The engine, by role (docs/architecture.md draws it).
pub mod cases;
pub mod client;
pub mod error;
pub mod fidelity;
pub mod http;
pub mod judging;
pub mod oracle;
pub mod report;
pub mod run;
pub mod servers;
pub mod submission;
pub mod targets;

// Each module by its own name too (`nova_conform::session`, `nova_conform::plan`, ...): the
// paths the CLI, the tests and the doc examples use.
pub use cases::{body, case, filter, matrix, microversion, variant};
pub use http::{api as cloud_api, exchange, redact};
pub use judging::{discrepancy, followthrough, judge, verdict};
pub use oracle::{expectation, message, release};
pub use report::{behaviour_map, summary};
pub use run::{calibration, conformance, estimate, execute, plan, runner, session};
pub use servers::{cleanup, compute, pool, setup_error};
pub use targets::{cloud as cloud_target, discovery, embedded, target};

pub use cases::live_matrix;
pub use judging::live_follow;

pub use error::SuiteError;
