//! `nova-conform`: run the conformance matrix, list it, or benchmark it.
mod cli;
mod cli_artifacts;
mod cli_client;
mod cli_cloud;
mod cli_fidelity;
mod cli_shell;

fn main() {
    let code = cli::main();
    // Output lost to a failed write (not a departed reader) is a failure the exit code shows.
    if code == 0 && mockcloud::stdout::write_failed() {
        std::process::exit(2);
    }
    std::process::exit(code);
}
