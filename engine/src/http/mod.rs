//! HTTP to the target: sending a case's request and recording the exchange ([`send`]), the
//! helper calls of setup, follow-through and cleanup ([`api`]), the recorded [`exchange`]s and
//! their [`redact`]ion, and the deployment's [`figures`] in fault messages.
pub(crate) mod api;
pub(crate) mod exchange;
pub(crate) mod figures;
pub(crate) mod redact;
mod send;

pub(crate) use send::*;
