//! What the oracle expects of one case.
use serde::{Deserialize, Serialize};

/// Where the server must end after the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EndState {
    /// VERIFY_RESIZE on the host the body names.
    VerifyResizeOnRequested,
    /// VERIFY_RESIZE on a host the scheduler picked (any but the source).
    VerifyResizeOnOther,
    /// Accepted, then the migration fails: migration `error`, server back to its previous
    /// status on its source host.
    AsyncFailure,
    /// Nothing changes.
    Unchanged,
    /// Live migration done: ACTIVE (or PAUSED) on the host the body names, migration
    /// `completed`.
    LiveOnRequested,
    /// Live migration done: ACTIVE (or PAUSED) on a host the scheduler picked.
    LiveOnOther,
}

impl EndState {
    pub fn describe(&self) -> &'static str {
        match self {
            Self::VerifyResizeOnRequested => "VERIFY_RESIZE on the requested host",
            Self::VerifyResizeOnOther => "VERIFY_RESIZE on another host",
            Self::AsyncFailure => "async failure (migration error, server unchanged)",
            Self::Unchanged => "unchanged",
            Self::LiveOnRequested => "live-migrated to the requested host (status as before)",
            Self::LiveOnOther => "live-migrated to another host (status as before)",
        }
    }
}

/// Response header checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HeaderCheck {
    /// `OpenStack-API-Version: compute X.Y`, `X-OpenStack-Nova-API-Version: X.Y` with the
    /// effective (or echoed) version, and `Vary` naming both.
    Version,
    /// `x-openstack-request-id` and `x-compute-request-id`, equal, `req-<uuid>`.
    RequestId,
}

/// The expected answer to one case, with the rule it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expectation {
    /// `profile-file:rule-id`, so a report says which rule judged the case.
    pub rule: String,
    pub status: u16,
    pub fault: Option<String>,
    /// Regex with the placeholders shown substituted (for people).
    pub message: Option<String>,
    /// The rule's pattern with `%(name)s` placeholders, and their values, for matching.
    #[serde(skip)]
    pub message_pattern: Option<String>,
    #[serde(skip)]
    pub message_values: Vec<(&'static str, String)>,
    pub end: EndState,
    pub headers: Vec<HeaderCheck>,
    /// The case needs its server to itself (the rule's `exclusive`: the refusal comes after a
    /// transient task_state); the plan runs it alone.
    #[serde(skip)]
    pub exclusive: bool,
}
