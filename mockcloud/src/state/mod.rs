//! The in-memory cloud state: records, seed, rules, and the shared handle.

pub(crate) mod handle;
pub(crate) mod model;
pub(crate) mod seed;
pub(crate) mod snapshot;
pub(crate) mod store;
