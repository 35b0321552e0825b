//! `nova-conform`: run the conformance matrix, list it, or benchmark it.
//!
//! [`args`] is the command line's top level; each subcommand is in `commands/` (its flags and
//! what it does); [`flags`] holds the flag groups several share, [`progress`] the progress
//! bar and lines, [`reports`] the files a run writes, and [`exit`] every exit code and the one
//! mapping from an error to its code.
mod args;
mod client;
mod commands;
mod exit;
mod flags;
mod progress;
mod reports;
mod signals;

use clap::{CommandFactory, Parser};

use args::{Cli, Cmd};
use commands::{bench, cleanup, completions, fidelity, list, man, migrate, migration, run, verify};
use exit::Exit;

fn main() {
    let exit = dispatch();
    // Output lost to a failed write (not a departed reader) is a failure the exit code shows.
    if exit == Exit::Pass && mockcloud::stdout::write_failed() {
        Exit::Usage.exit();
    }
    exit.exit();
}

/// Parses the command line and runs the subcommand; the one place errors become exit codes.
fn dispatch() -> Exit {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // `--help` and `--version` come here too, as "errors" printed on stdout.
            let exit = if e.use_stderr() {
                Exit::Usage
            } else {
                Exit::Pass
            };
            let _ = e.print();
            return exit;
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("nova-conform: cannot start the async runtime: {e}");
            return Exit::Engine;
        }
    };
    let result = match cli.cmd {
        Cmd::Run(a) => rt.block_on(run::run_cmd(*a)),
        Cmd::List(a) => list::list_cmd(a),
        Cmd::Bench(a) => rt.block_on(bench::bench_cmd(a)),
        Cmd::Cleanup(a) => rt.block_on(cleanup::cleanup_cmd(a)),
        // The client commands report their own errors (ClientError's exit codes).
        Cmd::Migrate(a) => return rt.block_on(migrate::migrate_cmd(a)),
        Cmd::Migration(a) => return rt.block_on(migration::migration_cmd(a)),
        Cmd::Fidelity(a) => rt.block_on(fidelity::fidelity_cmd(*a)),
        Cmd::Completions(a) => completions::completions_cmd(a, Cli::command()),
        Cmd::Man(a) => man::man_cmd(a, Cli::command()),
        Cmd::Verify(a) => verify::verify_cmd(a),
    };
    match result {
        Ok(exit) => exit,
        Err(e) => {
            // The one top-level error report.
            eprintln!("nova-conform: {e}");
            Exit::from(&e)
        }
    }
}
