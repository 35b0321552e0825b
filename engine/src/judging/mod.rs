//! Judging an answer: the status, headers and fault against the expectation ([`judge`]), the
//! follow-through that drives an accepted migration to its end state ([`followthrough`]), the
//! verdicts, and the known discrepancies of the embedded mock.
pub mod discrepancy;
pub mod followthrough;
pub mod judge;
pub mod live_follow;
pub mod verdict;
