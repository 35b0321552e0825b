//! Errors of the library API.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    #[error("cannot bind {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("invalid configuration: {0}")]
    Config(String),
    /// `nova_release` named a series that is not in the release table.
    #[error("{0}")]
    UnknownRelease(nova_releases::ReleaseError),
    #[error("cannot read scenario {path}: {reason}")]
    Scenario { path: String, reason: String },
    /// The initial state (`MockCloudBuilder::state`, `serve --state-file`) was refused.
    #[error("cannot load the state {origin}: {source}")]
    State {
        origin: String,
        source: crate::state::snapshot::LoadError,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}
