//! Verdicts and per-case results.
use serde::{Deserialize, Serialize};

use crate::case::{Case, CaseParams};
use crate::exchange::Exchange;
use crate::expectation::Expectation;
use crate::judging::follow_up::FollowUp;

/// One difference between what the oracle expected and what the target did.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Mismatch {
    /// What was checked, e.g. `status`, `fault`, `message`, `header OpenStack-API-Version`,
    /// `end state`, `migration.status`.
    pub what: String,
    pub expected: String,
    pub got: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "verdict", rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    /// A conformance failure.
    Fail {
        mismatches: Vec<Mismatch>,
    },
    /// Not run, with the reason (e.g. no member credentials, fewer than two hosts).
    Skip {
        reason: String,
    },
    /// The engine or the endpoint broke (timeout, reset, 5xx not expected, precondition
    /// not reachable).
    Error {
        reason: String,
    },
}

impl Verdict {
    pub fn kind(&self) -> VerdictKind {
        match self {
            Self::Pass => VerdictKind::Pass,
            Self::Fail { .. } => VerdictKind::Fail,
            Self::Skip { .. } => VerdictKind::Skip,
            Self::Error { .. } => VerdictKind::Error,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VerdictKind {
    Pass,
    Fail,
    Skip,
    Error,
}

impl VerdictKind {
    pub const ALL: [VerdictKind; 4] = [Self::Pass, Self::Fail, Self::Skip, Self::Error];
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Skip => "skip",
            Self::Error => "error",
        }
    }
}

/// What the target actually did, summarised for behaviour maps (ids redacted).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Hash)]
pub struct Observed {
    pub status: u16,
    pub fault: Option<String>,
    /// The fault message, redacted.
    pub message: Option<String>,
    /// Where the server ended, in words (`VERIFY_RESIZE on the requested host`, ...);
    /// `None` when the request was refused and nothing was followed through.
    pub end: Option<String>,
}

impl Observed {
    /// One-line summary: `400 badRequest "..."` or `202 -> VERIFY_RESIZE on another host`.
    pub fn summary(&self) -> String {
        let mut s = self.status.to_string();
        if let Some(f) = &self.fault {
            s.push(' ');
            s.push_str(f);
        }
        if let Some(m) = &self.message {
            s.push_str(&format!(" {m:?}"));
        }
        if let Some(e) = &self.end {
            s.push_str(" -> ");
            s.push_str(e);
        }
        s
    }
}

/// The result of one case.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseResult {
    pub id: String,
    pub name: String,
    pub params: CaseParams,
    #[serde(flatten)]
    pub verdict: Verdict,
    pub expected: Option<Expectation>,
    pub observed: Option<Observed>,
    /// The migrate exchange, redacted.
    pub exchange: Option<Exchange>,
    /// Follow-through steps after an accepted migrate (one line of text each in the reports).
    pub follow_up: Vec<FollowUp>,
    /// Set when the case is listed in a known-discrepancy file (routed to the mock's owner).
    pub known_discrepancy: Option<String>,
    /// With several candidate Nova releases (`--nova-release auto`): the ids of those whose
    /// expectation the answer matches. Absent with one candidate (the verdict says it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explained_by: Option<Vec<String>>,
    pub duration_ms: u64,
    /// When the case started (subunit's timestamps); not in the JSON report, whose figures
    /// must not vary between identical runs.
    #[serde(skip)]
    pub started: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(skip)]
    pub case: Option<Case>,
}
