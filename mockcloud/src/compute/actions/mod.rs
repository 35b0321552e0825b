//! `POST /servers/{id}/action`: the dispatcher and one file per action family.

pub(crate) mod dispatch;
pub(crate) mod live_migrate;
pub(crate) mod lock;
pub(crate) mod migrate;
pub(crate) mod power;
pub(crate) mod resize;
