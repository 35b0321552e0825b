//! Helpers of the workspace's integration tests, in one dev-only crate instead of files
//! that each test includes with `#[path]` (which compiled them once per test binary, with
//! `#![allow(dead_code)]` hiding what no test used).
//!
//! - [`cli_docs`]: a binary's completion scripts and man pages against a table of what they
//!   must hold (`nova-conform`'s and `mockcloud`'s).
//! - [`mock_client`]: an in-process mock on 127.0.0.1:0 and a small authenticated client
//!   over real HTTP (mockcloud's tests).
//! - [`mock_serve`] (feature `mock-serve`): the `mockcloud serve` binary built from this
//!   tree once per test process, and `nova-conform` as a process against it.
//! - [`fake_nova`] (feature `fake-nova`): a small stateful wiremock fake of Nova's migrate
//!   API with deliberate deviations, for proving the suite can fail.

pub mod cli_docs;
#[cfg(feature = "fake-nova")]
pub mod fake_nova;
pub mod mock_client;
#[cfg(feature = "mock-serve")]
pub mod mock_serve;
