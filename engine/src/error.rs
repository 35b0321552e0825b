//! Library errors. Each area has its own enum ([`ComputeError`](crate::compute::ComputeError),
//! [`ReportError`](crate::report::error::ReportError),
//! [`BundleError`](crate::submission::bundle::BundleError), the target errors of
//! [`targets::error`](crate::targets::error), [`RuleError`](crate::oracle::RuleError)),
//! with the underlying error as its `source` where there is one; those that end a command are
//! converted into [`SuiteError`], whose [`kind`](SuiteError::kind) the CLI maps to its exit
//! code (one table: `cli/src/exit.rs`), so that no caller decides by matching message text.
use thiserror::Error;

use crate::cloud_api::{CallError, CallErrorKind};
use crate::oracle::RuleError;
use crate::report::error::ReportError;
use crate::submission::bundle::BundleError;
use crate::targets::error::{FindServerError, VersionDocError};

/// What kind of failure a [`SuiteError`] is: what the command line maps to an exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad command-line input or filter.
    Usage,
    /// A fixture (oracle, body values) is invalid.
    Fixture,
    /// The target is misconfigured: clouds.yaml, authentication, a catalog or an endpoint that
    /// answers something that is not a Nova API, a server that cannot be found.
    Config,
    /// The target gave no usable answer (no whole answer within its api_timeout, a broken
    /// connection, an answer over the size cap, a 5xx).
    Transport,
    /// A report file could not be written.
    Report,
    /// The engine itself broke (also: a report or bundle that could not be rendered or made).
    Engine,
}

#[derive(Debug, Error)]
pub enum SuiteError {
    /// Bad command-line input or filter: exit code 2.
    #[error("usage: {0}")]
    Usage(String),
    /// A fixture (oracle, body values) is invalid: exit code 2.
    #[error("fixture: {0}")]
    Fixture(String),
    /// A rule of an expectations file is refused by the loader: exit code 2.
    #[error("fixture: expectations/{file}: rule {rule}: {source}")]
    Rule {
        file: String,
        rule: String,
        #[source]
        source: RuleError,
    },
    /// The target could not be set up or discovered: exit code 2 for configuration problems.
    #[error("target: {0}")]
    Target(String),
    /// `GET /v2.1` answered, but not with a usable version range: exit code 2 (the catalog or
    /// an endpoint override points elsewhere).
    #[error("target: {0}")]
    Bounds(#[from] VersionDocError),
    /// A `--server` that names no single server: exit code 2.
    #[error("target: {0}")]
    FindServer(#[source] Box<FindServerError>),
    /// The target gave no usable answer while being set up or discovered (no whole answer
    /// within its api_timeout, a broken connection, an answer over the size cap, a 5xx):
    /// exit code 3, like the same failures during a run.
    #[error("target: {0}")]
    Transport(String),
    /// Writing or rendering a report failed (exit code 2 for a file that cannot be written,
    /// 3 for a report that cannot be rendered).
    #[error(transparent)]
    Report(#[from] ReportError),
    /// `nova-conform cleanup` could not list the servers to remove: exit code 3.
    #[error("engine: {0}")]
    Cleanup(#[source] Box<CallError>),
    /// The submission bundle could not be made: exit code 2 when its directory or a file cannot
    /// be used ([`BundleError::kind`]), 3 when a file cannot be rendered.
    #[error("submission bundle: {0}")]
    Bundle(#[from] BundleError),
    /// The engine itself broke: exit code 3.
    #[error("engine: {0}")]
    Engine(String),
}

// Boxed where the error holds an exchange (a `CallError`), so that every `Result<_, SuiteError>`
// stays small.
impl From<FindServerError> for SuiteError {
    fn from(e: FindServerError) -> Self {
        SuiteError::FindServer(Box::new(e))
    }
}

impl SuiteError {
    /// The kind of failure (what the exit code is made from).
    pub fn kind(&self) -> ErrorKind {
        match self {
            SuiteError::Usage(_) => ErrorKind::Usage,
            SuiteError::Fixture(_) | SuiteError::Rule { .. } => ErrorKind::Fixture,
            SuiteError::Target(_) | SuiteError::Bounds(_) | SuiteError::FindServer(_) => {
                ErrorKind::Config
            }
            SuiteError::Transport(_) => ErrorKind::Transport,
            SuiteError::Report(e) => e.kind(),
            SuiteError::Cleanup(e) => match e.kind {
                CallErrorKind::Unexpected => ErrorKind::Engine,
                CallErrorKind::NoAnswer
                | CallErrorKind::Unavailable
                | CallErrorKind::ServerError => ErrorKind::Transport,
            },
            SuiteError::Bundle(e) => e.kind(),
            SuiteError::Engine(_) => ErrorKind::Engine,
        }
    }

    /// A report file that could not be written (`path`: the file or the directory).
    pub fn report_write(path: impl std::fmt::Display, source: std::io::Error) -> Self {
        SuiteError::Report(ReportError::Write {
            path: path.to_string(),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::submission::bundle::OracleRefError;

    #[test]
    fn each_variant_has_its_kind() {
        let io = || std::io::Error::other("disk full");
        let cases = [
            (SuiteError::Usage("u".into()), ErrorKind::Usage),
            (SuiteError::Fixture("f".into()), ErrorKind::Fixture),
            (
                SuiteError::Rule {
                    file: "nova.toml".into(),
                    rule: "r".into(),
                    source: RuleError::NoFault { status: 400 },
                },
                ErrorKind::Fixture,
            ),
            (SuiteError::Target("t".into()), ErrorKind::Config),
            (
                SuiteError::from(FindServerError::NotFound { name: "s".into() }),
                ErrorKind::Config,
            ),
            (SuiteError::Transport("t".into()), ErrorKind::Transport),
            (SuiteError::report_write("r.json", io()), ErrorKind::Report),
            (
                SuiteError::Report(ReportError::Subunit {
                    what: "packet",
                    message: "Value is too large to encode".into(),
                }),
                ErrorKind::Engine,
            ),
            (
                SuiteError::Bundle(BundleError::Io {
                    path: "b".into(),
                    source: io(),
                }),
                ErrorKind::Report,
            ),
            (
                SuiteError::Bundle(BundleError::NotBundleDir {
                    dir: "b".into(),
                    name: "notes.txt".into(),
                }),
                ErrorKind::Report,
            ),
            (
                SuiteError::Bundle(BundleError::NoName { dir: "/".into() }),
                ErrorKind::Report,
            ),
            (
                SuiteError::Bundle(BundleError::Oracle(OracleRefError::UnknownSeries(
                    "2017.2".into(),
                ))),
                ErrorKind::Usage,
            ),
            (
                SuiteError::Bundle(BundleError::Report(ReportError::Subunit {
                    what: "packet",
                    message: "too large".into(),
                })),
                ErrorKind::Engine,
            ),
            (SuiteError::Engine("e".into()), ErrorKind::Engine),
        ];
        for (e, kind) in cases {
            assert_eq!(e.kind(), kind, "{e}");
        }
    }

    #[test]
    fn messages_keep_their_text_and_source() {
        let e = SuiteError::report_write("out/r.json", std::io::Error::other("disk full"));
        assert_eq!(e.to_string(), "report out/r.json: disk full");
        assert_eq!(
            std::error::Error::source(&e).map(|s| s.to_string()),
            Some("disk full".to_string())
        );
        let e = SuiteError::Rule {
            file: "nova.toml".into(),
            rule: "same-host".into(),
            source: RuleError::NoMessage { status: 400 },
        };
        assert_eq!(
            e.to_string(),
            "fixture: expectations/nova.toml: rule same-host: a 400 rule needs `message`"
        );
        assert!(std::error::Error::source(&e).is_some());
    }
}
