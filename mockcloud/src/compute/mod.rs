//! The Compute (Nova v2.1) API of the mock, in three parts that follow a request:
//! `pipeline` (what every request passes through, in Nova's order: keystonemiddleware's
//! `auth`, `microversion` negotiation, the request `context` and `policy`, the `body`
//! and its `schema`, `query` parameters, lookups and state `checks`, and the `fault`
//! format of every refusal), `resources` (one file per REST resource) and `actions`
//! (`POST /servers/{id}/action`, one file per action family). `router` wires them.

pub(crate) mod actions;
pub(crate) mod pipeline;
pub(crate) mod resources;
pub(crate) mod router;
