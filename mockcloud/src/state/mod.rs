//! The in-memory cloud state: records, seed, rules, and the shared handle.

pub mod handle;
pub mod model;
pub mod seed;
pub mod snapshot;
pub mod store;
