//! One module per subcommand: its flags (clap) and what it does.
pub mod bench;
pub mod cleanup;
pub mod completions;
pub mod fidelity;
pub mod list;
pub mod man;
pub mod migrate;
pub mod migration;
pub mod run;
pub mod verify;
