//! What every compute request passes through before (and around) its handler.

pub(crate) mod auth;
pub(crate) mod body;
pub(crate) mod checks;
pub(crate) mod context;
pub(crate) mod fault;
pub(crate) mod microversion;
pub(crate) mod policy;
pub(crate) mod query;
pub(crate) mod schema;
