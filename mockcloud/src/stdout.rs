//! Standard output for both command-line tools, ending quietly when its reader goes away.
//!
//! `println!` panics when stdout is a pipe whose reader has exited (`nova-conform list | head
//! -1`: "failed printing to stdout: Broken pipe"). Restoring SIGPIPE's default action would end
//! such a process instead, but a `run` against a real cloud must still delete its servers after
//! its reader has gone; so output stops, the command carries on and ends with its own exit code.
//! Any other write error (a full disk behind a redirection) is said once on stderr, and the
//! binaries then exit 2 rather than 0 ([`write_failed`]).
use std::fmt;
use std::io::{ErrorKind, Write};
use std::sync::atomic::{AtomicBool, Ordering};

static GONE: AtomicBool = AtomicBool::new(false);
static FAILED: AtomicBool = AtomicBool::new(false);

/// Writes `args` to stdout unless the reader has gone; never panics.
pub fn write_fmt(args: fmt::Arguments<'_>) {
    if GONE.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.flush()) {
        stop(e);
    }
}

/// Writes raw bytes (a man page, a completion script) to stdout unless the reader has gone.
pub fn write_bytes(bytes: &[u8]) {
    if GONE.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(bytes).and_then(|()| out.flush()) {
        stop(e);
    }
}

/// Whether writing failed for another reason than a departed reader: output was lost, so the
/// command must not exit 0 (the binaries exit 2, as for a report they cannot write).
pub fn write_failed() -> bool {
    FAILED.load(Ordering::Relaxed)
}

fn stop(e: std::io::Error) {
    GONE.store(true, Ordering::Relaxed);
    if e.kind() != ErrorKind::BrokenPipe {
        FAILED.store(true, Ordering::Relaxed);
        let _ = writeln!(
            std::io::stderr(),
            "cannot write to standard output ({e}); the rest of the output is dropped"
        );
    }
}

/// `print!` that ends quietly when stdout's reader has gone (see [`crate::stdout`]).
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::stdout::write_fmt(format_args!($($arg)*)) };
}

/// `println!` that ends quietly when stdout's reader has gone (see [`crate::stdout`]).
#[macro_export]
macro_rules! outln {
    () => { $crate::stdout::write_bytes(b"\n") };
    ($($arg:tt)*) => {
        $crate::stdout::write_fmt(format_args!("{}\n", format_args!($($arg)*)))
    };
}
