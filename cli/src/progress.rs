//! What a run shows while it goes: the progress bar (on a terminal), the progress lines on
//! stderr, and the consumer of the engine's events that drives both.
use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nova_conform::cleanup::Progress;
use nova_conform::session::{Event, Events};
use nova_conform::verdict::VerdictKind;

/// The bar on stderr when it is a terminal, else a hidden one (its lines go to stderr plain).
pub fn progress_bar() -> ProgressBar {
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let pb = ProgressBar::with_draw_target(Some(0), target);
    pb.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} cases {msg}",
        )
        .expect("static template")
        .progress_chars("=> "),
    );
    pb
}

/// Progress lines on stderr (suspended around the progress bar when there is one).
pub fn progress_printer(pb: Option<ProgressBar>) -> Progress {
    Arc::new(move |line: String| match &pb {
        Some(pb) if !pb.is_hidden() => pb.println(line),
        _ => eprintln!("{line}"),
    })
}

/// The CLI's consumer of a run's events: the progress bar's length and count (with the
/// number not passing), and, when `lines`, the progress lines on stderr.
pub fn cli_events(pb: ProgressBar, lines: bool) -> Events {
    let not_passing = Arc::new(AtomicUsize::new(0));
    let printer = progress_printer(Some(pb.clone()));
    Arc::new(move |e: Event<'_>| match e {
        Event::Planned { runnable } => pb.set_length(runnable as u64),
        Event::Line(l) if lines => printer(l),
        Event::Line(_) => {}
        Event::Finished(r) => {
            pb.inc(1);
            if matches!(r.verdict.kind(), VerdictKind::Fail | VerdictKind::Error) {
                let n = not_passing.fetch_add(1, Ordering::Relaxed) + 1;
                pb.set_message(format!("({n} not passing)"));
            }
        }
    })
}
