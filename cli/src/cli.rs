//! The command line: parsing (clap), progress, summary, report files, exit codes.
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nova_conform::conformance::{select, Plan};
use nova_conform::filter::Filter;
use nova_conform::matrix::MatrixKind;
use nova_conform::microversion::{Microversion, VersionBounds};
use nova_conform::oracle::Profile;
use nova_conform::release::{Candidates, ReleaseChoice};
use nova_conform::runner::{RunOutcome, DEFAULT_JOBS};
use nova_conform::session::{no_events, Session};
use nova_conform::verdict::VerdictKind;
use nova_conform::{behaviour_map, report, summary, SuiteError};

/// Exit codes (documented in `--help`).
const EXIT_PASS: i32 = 0;
const EXIT_FAIL: i32 = 1;
const EXIT_USAGE: i32 = 2;
const EXIT_ENGINE: i32 = 3;
/// `verify`: a file missing, extra or changed (the manifest).
pub const EXIT_VERIFY_MANIFEST: i32 = 4;
/// `verify`: the bundle was judged by another oracle than this tool's.
pub const EXIT_VERIFY_ORACLE: i32 = 5;
/// `verify`: the results recomputed from the recorded answers are not the recorded ones.
pub const EXIT_VERIFY_RECOMPUTE: i32 = 6;

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
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Run the matrix (against the embedded mock cloud when no cloud is configured).
    Run(Box<RunArgs>),
    /// Print the cases (id and name) a run would execute.
    List(ListArgs),
    /// Time the default and exhaustive matrices of both profiles against the embedded mock.
    Bench(BenchArgs),
    /// Delete the servers a crashed run left behind (found by their name prefix).
    Cleanup(crate::cloud::CleanupArgs),
    /// Cold-migrate a server, optionally to a named host (a client, like `openstack server migrate`).
    Migrate(crate::client::MigrateArgs),
    /// Migration records (`migration list [--server S]`).
    Migration(crate::client::MigrationArgs),
    /// Run the same plan against the embedded mock and an endpoint; print where they differ.
    Fidelity(Box<crate::fidelity::FidelityArgs>),
    /// Print the shell completion script (bash, zsh, fish, elvish, powershell) on stdout.
    Completions(crate::shell::CompletionsArgs),
    /// Man pages: the nova-conform page on stdout, or every page into --out DIR.
    Man(crate::shell::ManArgs),
    /// Check a submission bundle (DIR or DIR.tar.gz): manifest, oracle, re-judged verdicts.
    Verify(crate::artifacts::VerifyArgs),
}

#[derive(ValueEnum, Debug, Clone, Copy)]
enum ProfileArg {
    Nova,
    PikeSpec,
}

impl From<ProfileArg> for Profile {
    fn from(p: ProfileArg) -> Self {
        match p {
            ProfileArg::Nova => Profile::Nova,
            ProfileArg::PikeSpec => Profile::PikeSpec,
        }
    }
}

#[derive(Args, Debug, Clone)]
pub struct Selection {
    /// Behaviour profile the target is judged against.
    #[arg(long, value_enum, default_value = "nova")]
    profile: ProfileArg,
    /// Case filter: `key=v1,v2` terms (id, mv, header, body, host, force, pre, role, action,
    /// block, disk), `!key=v`, or bare words matched in ids and names; all terms must match.
    #[arg(long, value_name = "EXPR")]
    filter: Option<String>,
    /// Only these exact microversions, e.g. `2.50-2.60` or `2.56`.
    #[arg(long, value_name = "RANGE")]
    microversions: Option<String>,
    /// Every precondition x role case at every microversion (see docs/cases.md).
    #[arg(long)]
    exhaustive: bool,
    /// Leave the live-migration (`os-migrateLive`) cases out: for clouds whose hypervisors
    /// cannot live-migrate (the same as `--filter '!action=live'`).
    #[arg(long)]
    no_live: bool,
    /// The Nova release (series id, codename or Nova version) the answers are judged as, or
    /// `auto`: the candidates from discovery; a case passes if a candidate explains it, the
    /// run only if one candidate explains every answer.
    #[arg(long, value_name = "SERIES|auto", default_value = "auto", value_parser = parse_release)]
    nova_release: ReleaseChoice,
}

fn parse_release(s: &str) -> Result<ReleaseChoice, String> {
    s.parse::<ReleaseChoice>().map_err(|e| match e {
        SuiteError::Usage(m) => m.trim_start_matches("--nova-release: ").to_string(),
        other => other.to_string(),
    })
}

#[derive(Args, Debug)]
struct RunArgs {
    #[command(flatten)]
    sel: Selection,
    /// Cases in flight at once.
    #[arg(long, default_value_t = DEFAULT_JOBS, value_parser = parse_jobs)]
    jobs: usize,
    /// Write a JUnit XML report.
    #[arg(long, value_name = "PATH")]
    junit: Option<PathBuf>,
    /// Write the JSON report (schema: docs/report-schema.md).
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
    /// Write the self-contained HTML report.
    #[arg(long, value_name = "PATH")]
    html: Option<PathBuf>,
    /// Write behaviour maps and representative exchanges (the snapshot texts) into PATH.
    #[arg(long, value_name = "PATH")]
    snapshot_dir: Option<PathBuf>,
    /// Show the request/response of at most this many failures in the terminal summary.
    #[arg(long, default_value_t = 50, value_name = "N")]
    show_exchanges: usize,
    #[command(flatten)]
    out: crate::artifacts::ArtifactArgs,
    #[command(flatten)]
    real: crate::cloud::RealRunArgs,
}

#[derive(Args, Debug)]
struct ListArgs {
    #[command(flatten)]
    sel: Selection,
    /// Target's maximum microversion to list against (no cloud is contacted; default: the
    /// max of --nova-release, or of the newest release with `auto`).
    #[arg(long)]
    max_version: Option<String>,
    /// Target's minimum microversion.
    #[arg(long, default_value = "2.1")]
    min_version: String,
}

#[derive(Args, Debug)]
struct BenchArgs {
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

pub fn parse_jobs(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=1024).contains(&n) => Ok(n),
        _ => Err("expected a number from 1 to 1024".into()),
    }
}

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                EXIT_USAGE
            } else {
                EXIT_PASS
            };
            let _ = e.print();
            return code;
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("nova-conform: cannot start the async runtime: {e}");
            return EXIT_ENGINE;
        }
    };
    let result = match cli.cmd {
        Cmd::Run(a) => rt.block_on(cmd_run(*a)),
        Cmd::List(a) => cmd_list(a),
        Cmd::Bench(a) => rt.block_on(cmd_bench(a)),
        Cmd::Cleanup(a) => rt.block_on(crate::cloud::cleanup_cmd(a)),
        Cmd::Migrate(a) => return rt.block_on(crate::client::migrate_cmd(a)),
        Cmd::Migration(a) => return rt.block_on(crate::client::migration_cmd(a)),
        Cmd::Fidelity(a) => rt.block_on(crate::fidelity::fidelity_cmd(*a)),
        Cmd::Completions(a) => crate::shell::completions(a, Cli::command()),
        Cmd::Man(a) => crate::shell::man(a, Cli::command()),
        Cmd::Verify(a) => crate::artifacts::verify_cmd(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // The one top-level error report.
            eprintln!("nova-conform: {e}");
            match e {
                SuiteError::Usage(_)
                | SuiteError::Fixture(_)
                | SuiteError::Target(_)
                | SuiteError::Report { .. } => EXIT_USAGE,
                SuiteError::Engine(_) | SuiteError::Transport(_) => EXIT_ENGINE,
            }
        }
    }
}

pub fn plan(sel: &Selection, jobs: usize) -> Result<Plan, SuiteError> {
    Ok(Plan {
        profile: sel.profile.into(),
        kind: if sel.exhaustive {
            MatrixKind::Exhaustive
        } else {
            MatrixKind::Default
        },
        filter: {
            let f = Filter::parse(sel.filter.as_deref(), sel.microversions.as_deref())?;
            if sel.no_live {
                f.without_live()
            } else {
                f
            }
        },
        jobs,
        release: sel.nova_release,
    })
}

fn cmd_list(a: ListArgs) -> Result<i32, SuiteError> {
    let p = plan(&a.sel, 1)?;
    let series_max = match p.release {
        ReleaseChoice::Series(s) => s.max_microversion,
        ReleaseChoice::Auto => {
            nova_releases::ReleaseTable::bundled()
                .newest()
                .max_microversion
        }
    };
    let max = match &a.max_version {
        Some(v) => v.parse::<Microversion>()?,
        None => Microversion::new(series_max.major, series_max.minor),
    };
    let bounds = VersionBounds {
        min: a.min_version.parse::<Microversion>()?,
        max,
    };
    if bounds.min > bounds.max {
        return Err(SuiteError::Usage(
            "--min-version is above --max-version".into(),
        ));
    }
    let cases = select(&p, &bounds);
    let mut out = String::new();
    for c in &cases {
        out.push_str(&format!("{}  {}\n", c.id(), c.name()));
    }
    out.push_str(&format!(
        "{} cases (profile {}, versions {}-{})\n",
        cases.len(),
        p.profile,
        bounds.min,
        bounds.max
    ));
    let candidates = Candidates::new(p.release, bounds.max);
    out.push_str(&format!("{}\n", candidates.describe()));
    for w in &candidates.warnings {
        out.push_str(&format!("WARNING: {w}\n"));
    }
    mockcloud::out!("{out}");
    Ok(EXIT_PASS)
}

fn progress_bar() -> ProgressBar {
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

async fn cmd_run(a: RunArgs) -> Result<i32, SuiteError> {
    let p = plan(&a.sel, a.jobs)?;
    let started = chrono::Utc::now();
    // A configured cloud, else the embedded mock: one engine either way. The embedded mock
    // is the series asked for (default: the newest), so that an explicit --nova-release
    // checks the mock's version of that series.
    let session = if a.real.configured() {
        crate::cloud::connect(&a.real).await?
    } else if a.real.dry_run {
        return Err(SuiteError::Usage(
            "--dry-run plans a run against a cloud: give --os-cloud (or set OS_CLOUD / OS_AUTH_URL)".into(),
        ));
    } else {
        Session::embedded(p.profile, p.release).await?
    };
    let mut info = match (session.embedded_mock(), session.cloud_target()) {
        (Some(m), _) => crate::artifacts::RunInfo::embedded(m, &session.bounds()),
        (None, Some(c)) => crate::artifacts::RunInfo::cloud(c, &a.real.cloud),
        (None, None) => crate::artifacts::RunInfo::default(),
    };
    let pb = progress_bar();
    let outcome = crate::cloud::run(&session, &a.real, &p, pb.clone(), &mut info.treatments).await;
    pb.finish_and_clear();
    session.shutdown().await;
    let Some(mut outcome) = outcome? else {
        return Ok(EXIT_PASS);
    };
    nova_conform::discrepancy::mark(&mut outcome);
    write_reports(&a, &outcome)?;
    crate::artifacts::write(&a.out, &outcome, &info, started, &p)?;
    mockcloud::out!("{}", summary::render(&outcome, a.show_exchanges));
    Ok(exit_code(&outcome))
}

fn exit_code(o: &RunOutcome) -> i32 {
    if o.count(VerdictKind::Error) > 0 || !o.cleanup_failures.is_empty() {
        EXIT_ENGINE
    } else if o.count(VerdictKind::Fail) > 0 || !o.release.consistent() {
        EXIT_FAIL
    } else {
        EXIT_PASS
    }
}

pub fn write(path: &Path, text: &str) -> Result<(), SuiteError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| SuiteError::Report {
            path: dir.display().to_string(),
            source,
        })?;
    }
    std::fs::write(path, text).map_err(|source| SuiteError::Report {
        path: path.display().to_string(),
        source,
    })
}

fn write_reports(a: &RunArgs, o: &RunOutcome) -> Result<(), SuiteError> {
    if let Some(p) = &a.junit {
        let xml = report::junit::render(&[o]).map_err(SuiteError::Engine)?;
        write(p, &xml)?;
    }
    let mode = a.out.exchanges.into();
    if let Some(p) = &a.json {
        write(p, &report::json::render_with(&[o], mode))?;
    }
    if let Some(p) = &a.html {
        write(p, &report::html::render_with(&[o], mode))?;
    }
    if let Some(dir) = &a.snapshot_dir {
        write(
            &dir.join(format!("behaviour-map-{}.txt", o.profile)),
            &behaviour_map::render(o),
        )?;
        write(
            &dir.join(format!("exchanges-{}.txt", o.profile)),
            &behaviour_map::render_exchanges(o),
        )?;
    }
    Ok(())
}

async fn cmd_bench(a: BenchArgs) -> Result<i32, SuiteError> {
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
                nova_conform::runner::cases_per_second(n, wall),
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
            nova_conform::runner::cases_per_second(kind_cases, kind_wall)
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
    Ok(EXIT_PASS)
}
