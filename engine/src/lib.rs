//! nova-conform: the conformance engine for the Compute cold-migration-with-target-host API.
//!
//! Cases are data ([`case`], [`variant`], [`matrix`]), judged by an oracle read from
//! `fixtures/expectations` ([`oracle`]), run against a [`target::Target`] by the
//! [`runner`], and reported ([`report`], [`behaviour_map`]).
//!
//! What does the oracle expect of `force: true` without a host at 2.56?
//!
//! ```
//! use nova_conform::Case;
//! use nova_conform::{HeaderStyle, Microversion, VersionBounds, VersionSelector};
//! use nova_conform::{MessageContext, Oracle, Profile};
//! use nova_conform::{BodyShape, ForceVariant, HostVariant, Precondition, Role};
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
// The engine, by role (docs/architecture.md draws it). The modules are private (and
// `unreachable_pub` keeps every item that is not re-exported `pub(crate)`): what the
// CLI, the tests and other tools use is re-exported below, item by item; the reports, the
// submission bundles, the client commands and a few function families stay namespaces.
#![warn(unreachable_pub)]
mod cases;
mod error;
mod http;
mod judging;
mod oracle;
mod run;
mod servers;
mod targets;

pub mod client;
pub mod fidelity;
pub mod report;
pub mod submission;

// The engine's own short paths (`crate::session`, `crate::plan`, ...), for its modules only.
pub(crate) use cases::{body, case, filter, live_matrix, matrix, microversion, variant};
pub(crate) use http::{api as cloud_api, exchange, redact};
pub(crate) use judging::{followthrough, judge, live_follow, verdict};
pub(crate) use oracle::{expectation, message, release};
pub(crate) use report::behaviour_map;
pub(crate) use run::{conformance, execute, plan, runner, session};
pub(crate) use servers::{compute, pool, setup_error};
pub(crate) use targets::{cloud as cloud_target, discovery, embedded, target};

/// The dry-run estimate's calibration from the cloud's own records.
pub use run::calibration;
/// The dry-run time estimate of a plan.
pub use run::estimate;
/// Removing the servers of a run (also `nova-conform cleanup` after a crash).
pub use servers::cleanup;

// Cases: the matrix's axes, the matrix, the filter language.
pub use cases::case::Case;
pub use cases::filter::Filter;
pub use cases::matrix::{
    build as build_matrix, build_for as build_matrix_for, Actions, MatrixKind,
};
pub use cases::microversion::{HeaderStyle, Microversion, VersionBounds, VersionSelector};
pub use cases::variant::{
    Action, BlockMigration, BodyShape, DiskOverCommit, ForceVariant, HostVariant, OtherBody,
    Precondition, Role,
};
// The oracle.
pub use oracle::expectation::{EndState, Expectation, HeaderCheck};
pub use oracle::release::{Candidates, Judges, ReleaseChoice};
pub use oracle::{MessageContext, Oracle, Profile, RuleError};
// Judging.
pub use judging::follow_up::{
    Ended, Flavors, FollowUp, HostRole, LiveHost, MigrationFact, MigrationRecord, RecordValue,
    ResizeAction, ResizeHost,
};
pub use judging::judge::judge;
pub use judging::verdict::{CaseResult, Mismatch, Verdict, VerdictKind};
// Running: the session every run goes through.
pub use run::conformance::{select as select_cases, Plan};
pub use run::execute::Control;
pub use run::plan::RunPlan;
pub use run::runner::{cases_per_second, RunOutcome, DEFAULT_JOBS};
pub use run::session::{new_run_id, no_events, Event, Events, Session};
// Targets.
pub use targets::cloud::{
    caller_from, cloud_configured, connect_cloud, loader as cloud_loader, CloudSelection,
    CloudTarget, CloudsYamlText, Network, ServerSpec,
};
pub use targets::discovery::bounds as discover_bounds;
pub use targets::embedded::EmbeddedMock;
pub use targets::error::{FindServerError, VersionDocError};
pub use targets::target::{Caller, HostInventory, ScopedToken, ServerTemplate, Target, Timing};
// HTTP.
pub use http::api::{call as api_call, CallError, CallErrorKind};
pub use http::exchange::{Exchange, RecordedRequest, RecordedResponse};

pub use error::{ErrorKind, SuiteError};
