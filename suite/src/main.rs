//! `nova-conform`: run the conformance matrix, list it, or benchmark it.
mod cli;

fn main() {
    std::process::exit(cli::main());
}
