//! HTTP to the target: sending a case's request and recording the exchange ([`send`]), the
//! helper calls of setup, follow-through and cleanup ([`api`]), the recorded [`exchange`]s and
//! their [`redact`]ion.
pub mod api;
pub mod exchange;
pub mod redact;
mod send;

pub use send::*;
