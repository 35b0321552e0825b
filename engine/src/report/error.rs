//! Why a report could not be rendered or written.
use thiserror::Error;

use crate::error::ErrorKind;

#[derive(Debug, Error)]
pub enum ReportError {
    /// A report file (or its directory) could not be written.
    #[error("report {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The JUnit XML could not be serialised.
    #[error("JUnit XML: {0}")]
    Junit(#[source] quick_junit::SerializeError),
    /// A subunit packet could not be made. The subunit crate's error is a `Box<dyn Error>`
    /// that is not `Send`, so its text is kept instead of the error itself.
    #[error("subunit {what}: {message}")]
    Subunit { what: &'static str, message: String },
}

impl ReportError {
    /// A file that cannot be written is the user's to fix (a path, a full disk); a report that
    /// cannot be rendered is the engine's fault.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ReportError::Write { .. } => ErrorKind::Report,
            ReportError::Junit(_) | ReportError::Subunit { .. } => ErrorKind::Engine,
        }
    }
}
