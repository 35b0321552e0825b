//! Why a case's server could not be set up, with the request that failed it: a setup request
//! answered 500 (never retried) makes the case an Error whose report shows that exchange.
use crate::cloud_api::{Answer, CallError};
use crate::exchange::Exchange;

/// A failed setup: the reason, and the exchange of the request that failed it (when it got an
/// answer).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub(crate) struct SetupError {
    pub reason: String,
    pub exchange: Option<Exchange>,
}

impl SetupError {
    /// `what` answered something else than expected: the reason quotes what came back.
    pub(crate) fn answered(what: impl std::fmt::Display, a: &Answer) -> SetupError {
        SetupError {
            reason: format!("{what}: HTTP {}: {}", a.status, a.fault_message()),
            exchange: Some(a.exchange.clone()),
        }
    }

    /// The same failure with `prefix: ` before its reason.
    pub(crate) fn context(self, prefix: impl std::fmt::Display) -> SetupError {
        SetupError {
            reason: format!("{prefix}: {}", self.reason),
            ..self
        }
    }
}

impl From<String> for SetupError {
    fn from(reason: String) -> SetupError {
        SetupError {
            reason,
            exchange: None,
        }
    }
}

impl From<&str> for SetupError {
    fn from(reason: &str) -> SetupError {
        reason.to_string().into()
    }
}

impl From<CallError> for SetupError {
    fn from(e: CallError) -> SetupError {
        SetupError {
            reason: e.message,
            exchange: e.exchange,
        }
    }
}
