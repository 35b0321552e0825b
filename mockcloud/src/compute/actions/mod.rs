//! `POST /servers/{id}/action`: the dispatcher and one file per action family.

pub mod dispatch;
pub mod live_migrate;
pub mod lock;
pub mod migrate;
pub mod power;
pub mod resize;
