//! What happens after the API has accepted an operation: the scheduler's choice of a
//! host and the conductor/compute steps that take a (cold or live) migration, resize or
//! boot to completion.

pub(crate) mod lifecycle;
pub(crate) mod live_lifecycle;
pub(crate) mod scheduler;
