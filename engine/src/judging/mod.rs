//! Judging an answer: the status, headers and fault against the expectation ([`judge`]), the
//! follow-through that drives an accepted migration to its end state ([`followthrough`]), the
//! verdicts, and the known discrepancies of the embedded mock.
pub(crate) mod discrepancy;
pub(crate) mod follow_up;
pub(crate) mod followthrough;
pub(crate) mod judge;
pub(crate) mod live_follow;
pub(crate) mod verdict;
