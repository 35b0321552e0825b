//! The mock's own control API under `/mockcloud/` (unauthenticated: it binds to
//! loopback and is for test harnesses): reset, seed, clock, lifecycle steps,
//! host state, fault injection rules, the request journal, health, and the export and
//! load of the whole state.

pub mod faults;
pub mod journal;
pub mod router;
pub mod state_api;
