//! Why a target's setup could not use what the cloud answered: its version range, a named
//! server, the flavor and image of the servers to create.
use thiserror::Error;

use crate::cloud_api::CallError;
use crate::SuiteError;

/// `GET /v2.1` gave no usable version range (see [`parse_bounds`](super::discovery::parse_bounds)).
#[derive(Debug, Error)]
pub enum BoundsError {
    #[error("version discovery: no version.{key} in GET /v2.1")]
    Missing { key: String },
    /// The field is not a microversion (boxed: the parse error is a [`SuiteError`]).
    #[error("version discovery: version.{key}: {source}")]
    Invalid {
        key: String,
        #[source]
        source: Box<SuiteError>,
    },
    /// The minimum is above the maximum, or the two have another major version.
    #[error("version discovery: odd range {min}-{max}")]
    OddRange { min: String, max: String },
}

/// `GET /v2.1` answered, but not with a usable version range: what was wrong, and what came
/// back.
#[derive(Debug, Error)]
#[error("{source} (GET /v2.1 answered {answered})")]
pub struct VersionDocError {
    #[source]
    pub source: BoundsError,
    /// The status, content type and first bytes of the answer.
    pub answered: String,
}

/// A `--server` (name or id) that names no single server.
#[derive(Debug, Error)]
pub enum FindServerError {
    #[error("no server with name or id {name:?}")]
    NotFound { name: String },
    #[error("{count} servers are named {name:?}; give the id")]
    Ambiguous { count: usize, name: String },
    /// The look-up itself got no usable answer.
    #[error(transparent)]
    Call(#[from] CallError),
}

/// Why the servers the suite creates have no flavor or image (the cases that need one are
/// then skipped with this reason).
#[derive(Debug, Error)]
pub enum TemplateError {
    #[error("no flavor {0:?}")]
    NoSuchFlavor(String),
    #[error("the cloud lists no flavor; give --flavor")]
    NoFlavor,
    #[error("listing images: HTTP {0}; give --image ID")]
    ImagesUnlisted(u16),
    #[error("no active image {0:?}")]
    NoSuchImage(String),
    #[error("the cloud lists no active image; give --image")]
    NoImage,
    /// The admin identity has no compute endpoint.
    #[error("{0}")]
    Caller(#[source] Box<SuiteError>),
    #[error(transparent)]
    Call(#[from] CallError),
}
