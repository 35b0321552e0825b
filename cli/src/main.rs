//! `nova-conform`: run the conformance matrix, list it, or benchmark it.
mod artifacts;
mod cli;
mod client;
mod cloud;
mod fidelity;
mod shell;
mod signals;

// glibc's malloc was a third of the embedded run's CPU (a run allocates for every request on
// both sides of the loopback, across tokio's worker threads); mimalloc's per-thread heaps cut
// that (figures: docs/architecture.md, "Speed").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let code = cli::main();
    // Output lost to a failed write (not a departed reader) is a failure the exit code shows.
    if code == 0 && mockcloud::stdout::write_failed() {
        std::process::exit(2);
    }
    std::process::exit(code);
}
