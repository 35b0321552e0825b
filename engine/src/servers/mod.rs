//! The servers of a run: the [`pool`] (one per precondition and lane: provisioning,
//! settling, retirement), server calls ([`compute`]), the one wait for a server to settle
//! ([`settle`]) and [`cleanup`] (also `nova-conform cleanup` after a crash).
pub mod cleanup;
pub(crate) mod compute;
pub(crate) mod pool;
pub(crate) mod settle;
pub(crate) mod setup_error;
