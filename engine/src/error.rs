//! Library errors.
use thiserror::Error;

#[derive(Debug, Error)]
pub enum SuiteError {
    /// Bad command-line input or filter: exit code 2.
    #[error("usage: {0}")]
    Usage(String),
    /// A fixture (oracle, body values) is invalid: exit code 2.
    #[error("fixture: {0}")]
    Fixture(String),
    /// The target could not be set up or discovered: exit code 2 for configuration problems.
    #[error("target: {0}")]
    Target(String),
    /// The target gave no usable answer while being set up or discovered (no whole answer
    /// within its api_timeout, a broken connection, an answer over the size cap, a 5xx):
    /// exit code 3, like the same failures during a run.
    #[error("target: {0}")]
    Transport(String),
    /// Writing a report failed.
    #[error("report {path}: {source}")]
    Report {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The engine itself broke: exit code 3.
    #[error("engine: {0}")]
    Engine(String),
}
