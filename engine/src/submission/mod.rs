//! Submission bundles: what a vendor submits (`run --submission DIR`) and how a reviewer
//! checks it (`nova-conform verify`). docs/certification.md.
pub mod bundle;
pub mod verify;

pub use bundle::{redact_argv, BundleInput, ResultFile};
pub use verify::{verify, VerifyError};
