//! nova-conform: the conformance engine for the Compute cold-migration-with-target-host API.
//!
//! Cases are data ([`case`], [`variant`], [`matrix`]), judged by an oracle read from
//! `fixtures/expectations` ([`oracle`]), run against a [`target::Target`] by the
//! [`runner`], and reported ([`report`], [`behaviour_map`]).
pub mod behaviour_map;
pub mod body;
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
pub mod plan;
pub mod provision;
pub mod redact;
pub mod report;
pub mod runner;
pub mod server_source;
pub mod signals;
pub mod summary;
pub mod target;
pub mod variant;
pub mod verdict;

pub use error::SuiteError;
