//! HTTP to the target: sending a case's request and recording the exchange ([`send`]), the
//! helper calls of setup, follow-through and cleanup ([`api`]), the recorded [`exchange`]s and
//! their [`redact`]ion.
pub(crate) mod api;
pub(crate) mod exchange;
pub(crate) mod redact;
mod send;

pub(crate) use send::*;
