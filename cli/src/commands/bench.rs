//! `nova-conform bench`: times the default and exhaustive matrices of both profiles against
//! the embedded mock (and, with `--end-to-end`, `nova-conform run` as a process).
use std::time::{Duration, Instant};

use clap::Args;
use nova_conform::Filter;
use nova_conform::MatrixKind;
use nova_conform::Plan;
use nova_conform::Profile;
use nova_conform::ReleaseChoice;
use nova_conform::SuiteError;
use nova_conform::VerdictKind;
use nova_conform::DEFAULT_JOBS;
use nova_conform::{no_events, Session};

use crate::exit::Exit;
use crate::flags::parse_jobs;

#[derive(Args, Debug)]
pub struct BenchArgs {
    #[arg(long, default_value_t = DEFAULT_JOBS, value_parser = parse_jobs)]
    jobs: usize,
    /// Also time `nova-conform run` as a separate process (start to report written).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    end_to_end: bool,
    /// The cold-migration cases only (the set `bench` timed before live migration joined the
    /// matrix), in the matrix runs and the end-to-end run.
    #[arg(long)]
    no_live: bool,
}

pub async fn bench_cmd(a: BenchArgs) -> Result<Exit, SuiteError> {
    mockcloud::outln!(
        "nova-conform bench: embedded mock, --jobs {}{}",
        a.jobs,
        if a.no_live {
            ", cold cases only (--no-live)"
        } else {
            ""
        }
    );
    for kind in [MatrixKind::Default, MatrixKind::Exhaustive] {
        let mut kind_cases = 0;
        let mut kind_wall = Duration::ZERO;
        for profile in Profile::ALL {
            let session = Session::embedded(profile, ReleaseChoice::Auto).await?;
            let p = Plan {
                profile,
                kind,
                filter: if a.no_live {
                    Filter::default().without_live()
                } else {
                    Filter::default()
                },
                jobs: a.jobs,
                release: ReleaseChoice::Auto,
            };
            let t0 = Instant::now();
            let o = session.run(&p, no_events()).await;
            let wall = t0.elapsed();
            session.shutdown().await;
            let o = o?;
            let n = o.results.len();
            mockcloud::outln!(
                "  {:<10} {:<10} {:>6} cases  {:>7.3} s  {:>8.0} cases/s  ({} pass, {} fail, {} skip, {} error; {} servers)",
                format!("{kind:?}").to_lowercase(),
                profile.as_str(),
                n,
                wall.as_secs_f64(),
                nova_conform::cases_per_second(n, wall),
                o.count(VerdictKind::Pass),
                o.count(VerdictKind::Fail),
                o.count(VerdictKind::Skip),
                o.count(VerdictKind::Error),
                o.servers_created,
            );
            kind_cases += n;
            kind_wall += wall;
        }
        mockcloud::outln!(
            "  {:<21} {:>6} cases  {:>7.3} s  {:>8.0} cases/s  (both profiles)",
            format!("{kind:?}").to_lowercase(),
            kind_cases,
            kind_wall.as_secs_f64(),
            nova_conform::cases_per_second(kind_cases, kind_wall)
        );
    }
    if a.end_to_end {
        let exe = std::env::current_exe().map_err(|e| SuiteError::Engine(e.to_string()))?;
        let dir = std::env::temp_dir().join(format!("nova-conform-bench-{}", std::process::id()));
        let t0 = Instant::now();
        let status = std::process::Command::new(exe)
            .args(["run", "--json"])
            .arg(dir.join("report.json"))
            .args(a.no_live.then_some("--no-live"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .map_err(|e| SuiteError::Engine(format!("spawning run: {e}")))?;
        let wall = t0.elapsed();
        let _ = std::fs::remove_dir_all(&dir);
        mockcloud::outln!(
            "  end to end: `nova-conform run --json FILE` (default matrix, nova) {:.3} s, exit {}",
            wall.as_secs_f64(),
            status.code().unwrap_or(-1)
        );
    }
    Ok(Exit::Pass)
}
