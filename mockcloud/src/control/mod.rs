//! The mock's own control API under `/mockcloud/` (unauthenticated: it binds to
//! loopback and is for test harnesses): reset, seed, clock, lifecycle steps,
//! host state, fault injection rules, the request journal, health, and the export and
//! load of the whole state.

pub(crate) mod faults;
pub(crate) mod journal;
pub(crate) mod router;
pub(crate) mod state_api;
