//! The mock's own control API under `/mockcloud/` (unauthenticated: it binds to
//! loopback and is for test harnesses): reset, seed, clock, lifecycle steps,
//! host state, fault injection rules and the request journal.

pub mod faults;
pub mod journal;
pub mod router;
