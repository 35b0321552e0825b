//! Ctrl-C and SIGTERM during a real-cloud run: the first stops starting cases and lets the
//! run clean up; the second drops the cases in flight and goes straight to the cleanup; the
//! third exits at once (printing how to remove what is left).
use std::sync::atomic::Ordering;

use nova_conform::execute::Control;

use crate::exit::Exit;

/// Spawns the signal listener for `control`; `run_id` names the leftovers on a hard exit.
pub fn install(control: Control, run_id: String) -> std::io::Result<tokio::task::JoinHandle<()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut int = signal(SignalKind::interrupt())?;
        let mut term = signal(SignalKind::terminate())?;
        Ok(tokio::spawn(async move {
            let mut count = 0u32;
            loop {
                let name = tokio::select! {
                    _ = int.recv() => "interrupt",
                    _ = term.recv() => "SIGTERM",
                };
                count += 1;
                match count {
                    1 => {
                        control.stop.store(true, Ordering::SeqCst);
                        eprintln!(
                            "\nnova-conform: {name}: starting no new case; finishing the cases in \
                             flight, then deleting this run's servers (again to abort the cases in flight)"
                        );
                    }
                    2 => {
                        control.abort.notify_one();
                        eprintln!(
                            "\nnova-conform: {name}: aborting the cases in flight; deleting this \
                             run's servers (again to exit at once)"
                        );
                    }
                    _ => {
                        eprintln!(
                            "\nnova-conform: {name}: exiting now; remove what is left with \
                             `nova-conform cleanup --run-id {run_id}`"
                        );
                        Exit::Interrupted.exit();
                    }
                }
            }
        }))
    }
    #[cfg(not(unix))]
    {
        Ok(tokio::spawn(async move {
            let mut count = 0u32;
            while tokio::signal::ctrl_c().await.is_ok() {
                count += 1;
                match count {
                    1 => control.stop.store(true, Ordering::SeqCst),
                    2 => control.abort.notify_one(),
                    _ => {
                        eprintln!(
                            "nova-conform: exiting now; `nova-conform cleanup --run-id {run_id}`"
                        );
                        Exit::Interrupted.exit();
                    }
                }
            }
        }))
    }
}
