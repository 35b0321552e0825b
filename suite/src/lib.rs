//! nova-conform: the conformance engine for the Compute cold-migration-with-target-host API.
//!
//! Cases are data ([`case`], [`variant`], [`matrix`]), judged by an oracle read from
//! `fixtures/expectations` ([`oracle`]), run against a [`target::Target`] by the
//! [`runner`], and reported ([`report`], [`behaviour_map`]).
pub mod body;
pub mod case;
pub mod error;
pub mod expectation;
pub mod microversion;
pub mod oracle;
pub mod variant;

pub use error::SuiteError;
