//! The oracle: what each case must answer, read from `fixtures/expectations` ([`rules`]), the
//! expectation it yields, the fault messages it anchors, and the release table's candidates
//! that judge a target ([`release`]).
pub(crate) mod expectation;
pub(crate) mod message;
pub(crate) mod release;
mod rules;

pub use rules::*;
#[cfg(test)]
mod live_tests;
