//! nova-conform: the conformance engine for the Compute cold-migration-with-target-host API.
//!
//! Cases are data ([`case`], [`variant`], [`matrix`]), judged by an oracle read from
//! `fixtures/expectations` ([`oracle`]), run against a [`target::Target`] by the
//! [`runner`], and reported ([`report`], [`behaviour_map`]).
pub mod behaviour_map;
pub mod body;
pub mod case;
pub mod compute;
pub mod conformance;
pub mod discrepancy;
pub mod embedded;
pub mod error;
pub mod exchange;
pub mod expectation;
pub mod filter;
pub mod followthrough;
pub mod http;
pub mod judge;
pub mod matrix;
pub mod message;
pub mod microversion;
pub mod oracle;
pub mod provision;
pub mod redact;
pub mod report;
pub mod runner;
pub mod summary;
pub mod target;
pub mod variant;
pub mod verdict;

pub use error::SuiteError;
