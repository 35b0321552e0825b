//! `nova-conform`: run the conformance matrix, list it, or benchmark it.
mod cli;
mod cli_artifacts;
mod cli_client;
mod cli_cloud;
mod cli_fidelity;
mod cli_shell;

fn main() {
    std::process::exit(cli::main());
}
