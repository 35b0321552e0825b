//! The command line's top level (clap): the `nova-conform` parser and its subcommands, each
//! defined with its code in `commands/`.
use clap::{Parser, Subcommand};

use crate::commands::{
    bench, cleanup, completions, fidelity, list, man, migrate, migration, run, verify,
};

/// `0.1.0 (8a1e1a1 2026-12-01)`: the commit comes from mockcloud's build script (one per tree).
static NOVA_CONFORM_LONG_VERSION: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| mockcloud::build_info::long_version(env!("CARGO_PKG_VERSION")));

#[derive(Parser, Debug)]
#[command(
    name = "nova-conform",
    version = NOVA_CONFORM_LONG_VERSION.as_str(),
    about = "Conformance suite for the Compute cold-migration-with-target-host API",
    after_help = "Exit codes: 0 all passed, 1 conformance failures, 2 usage or configuration error, 3 engine errors (timeouts, resets, unexpected 5xx). verify: 0 intact, 2 not a bundle, 4 manifest (missing, extra or changed file), 5 made with another oracle, 6 recomputed results differ (tampered)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub cmd: Cmd,
}

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Run the matrix (against the embedded mock cloud when no cloud is configured).
    Run(Box<run::RunArgs>),
    /// Print the cases (id and name) a run would execute.
    List(list::ListArgs),
    /// Time the default and exhaustive matrices of both profiles against the embedded mock.
    Bench(bench::BenchArgs),
    /// Delete the servers a crashed run left behind (found by their name prefix).
    Cleanup(cleanup::CleanupArgs),
    /// Cold-migrate a server, optionally to a named host (a client, like `openstack server migrate`).
    Migrate(migrate::MigrateArgs),
    /// Migration records (`migration list [--server S]`).
    Migration(migration::MigrationArgs),
    /// Run the same plan against the embedded mock and an endpoint; print where they differ.
    Fidelity(Box<fidelity::FidelityArgs>),
    /// Print the shell completion script (bash, zsh, fish, elvish, powershell) on stdout.
    Completions(completions::CompletionsArgs),
    /// Man pages: the nova-conform page on stdout, or every page into --out DIR.
    Man(man::ManArgs),
    /// Check a submission bundle (DIR or DIR.tar.gz): manifest, oracle, re-judged verdicts.
    Verify(verify::VerifyArgs),
}
