//! `nova-conform run`: the matrix against a configured cloud, else against the embedded mock
//! (one engine either way: judges, plan, execution with cleanup), then the reports and the
//! summary. With `--dry-run` the plan only.
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use nova_conform::cleanup;
use nova_conform::estimate;
use nova_conform::Control;
use nova_conform::Plan;
use nova_conform::Role;
use nova_conform::{calibration, calibration::Assumed};
use nova_conform::{new_run_id, Event, Session};
use nova_conform::{report, report::behaviour_map, report::summary, SuiteError};
use nova_conform::{RunOutcome, DEFAULT_JOBS};

use crate::exit::Exit;
use crate::flags::{parse_jobs, parse_run_id, CloudArgs, Selection, ServerArgs, WaitArgs};
use crate::progress::{cli_events, progress_bar};
use crate::reports::{self, ArtifactArgs, RunInfo};

#[derive(Args, Debug)]
pub struct RunArgs {
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
    out: ArtifactArgs,
    #[command(flatten)]
    real: RealRunArgs,
}

/// The real-cloud flags of `run`.
#[derive(Args, Debug, Clone)]
pub struct RealRunArgs {
    #[command(flatten)]
    pub cloud: CloudArgs,
    #[command(flatten)]
    pub wait: WaitArgs,
    #[command(flatten)]
    pub servers: ServerArgs,
    /// An existing server (name or id) to use for the ACTIVE cases instead of creating one;
    /// it is migrated but never deleted.
    #[arg(long, value_name = "SERVER")]
    pub server: Vec<String>,
    /// Print the plan (cases, servers, migrations, time estimate) and touch nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// With --dry-run: also list every case and how it runs.
    #[arg(long)]
    pub verbose: bool,
    /// Run id used in server names (`nova-conform-<run-id>-N`; default: random).
    #[arg(long, value_name = "ID", value_parser = parse_run_id)]
    pub run_id: Option<String>,
}

impl RealRunArgs {
    /// Whether a real cloud is configured (else the embedded mock runs).
    pub fn configured(&self) -> bool {
        nova_conform::cloud_configured(&self.cloud.selection())
    }
}

pub async fn run_cmd(a: RunArgs) -> Result<Exit, SuiteError> {
    let p = a.sel.plan(a.jobs)?;
    // Before the first request: a run of a real cloud takes minutes, and its bundle must not
    // be refused only at the end.
    if let Some(dir) = &a.out.submission {
        nova_conform::submission::bundle::check_dir(dir)?;
    }
    let started = chrono::Utc::now();
    // A configured cloud, else the embedded mock: one engine either way. The embedded mock
    // is the series asked for (default: the newest), so that an explicit --nova-release
    // checks the mock's version of that series.
    let session = if a.real.configured() {
        connect(&a.real).await?
    } else if a.real.dry_run {
        return Err(SuiteError::Usage(
            "--dry-run plans a run against a cloud: give --os-cloud (or set OS_CLOUD / OS_AUTH_URL)".into(),
        ));
    } else {
        Session::embedded(p.profile, p.release).await?
    };
    let mut info = match (session.embedded_mock(), session.cloud_target()) {
        (Some(m), _) => RunInfo::embedded(m, &session.bounds()),
        (None, Some(c)) => RunInfo::cloud(c, &a.real.cloud),
        (None, None) => RunInfo::default(),
    };
    let pb = progress_bar();
    let outcome = execute(&session, &a.real, &p, pb.clone(), &mut info.treatments).await;
    pb.finish_and_clear();
    session.shutdown().await;
    // Known discrepancies of the embedded mock are already noted by the session.
    let Some(outcome) = outcome? else {
        return Ok(Exit::Pass);
    };
    let written = write_reports(&a, &outcome)
        .and_then(|()| reports::write_artifacts(&a.out, &outcome, &info, started, &p));
    // The summary even when a report could not be written: the run's findings are not lost
    // with the file (the error, and its exit code, follow).
    mockcloud::out!("{}", summary::render(&outcome, a.show_exchanges));
    written?;
    Ok(Exit::of_run(&outcome))
}

/// Connects to the cloud `a` names (the server flags decide the flavor, image, network,
/// `--server` and `--full-host`).
async fn connect(a: &RealRunArgs) -> Result<Session, SuiteError> {
    let spec = a.servers.spec(a.server.clone())?;
    Session::connect(&a.cloud.selection(), &spec, a.wait.timing()).await
}

/// `run` on a session (a real cloud or the embedded mock): judges, plan, (dry run or)
/// execution with cleanup; `treatments` gets the plan's treatment of every case by id.
/// A real cloud's discovery, plan and phases are told on stderr;
/// the embedded mock runs quietly. `None` for a dry run.
async fn execute(
    session: &Session,
    a: &RealRunArgs,
    p: &Plan,
    pb: indicatif::ProgressBar,
    treatments: &mut BTreeMap<String, String>,
) -> Result<Option<RunOutcome>, SuiteError> {
    let started = std::time::Instant::now();
    let cloud = session.is_cloud();
    let events = cli_events(pb.clone(), cloud);
    let say = |line: String| events(Event::Line(line));
    if let (true, Some(t)) = (cloud, session.cloud_target()) {
        say(t.describe_discovery().trim_end().to_string());
    }
    let judges = session.judges(p).await?;
    if cloud {
        say(judges.candidates.describe());
        for w in &judges.candidates.warnings {
            say(format!("WARNING: {w}"));
        }
    }
    let plan = session.plan(p, &judges)?;
    *treatments = plan
        .treatments()
        .into_iter()
        .map(|(c, t)| (c.id(), t.to_string()))
        .collect();
    // Read-only (GETs), a real cloud only (the embedded run stays as fast): the estimate's
    // durations from the cloud's own records.
    let est = match (cloud, session.target().caller(Role::Admin)) {
        (true, Some(admin)) => {
            let cal =
                calibration::read(&admin, &session.bounds(), p.jobs, &Assumed::default()).await;
            let model = estimate::Model {
                cal: &cal,
                jobs: p.jobs,
                poll: a.wait.timing().poll_interval,
            };
            let e = estimate::estimate(&plan, &model, started.elapsed());
            estimate::render(&e, &model)
        }
        _ => String::new(),
    };
    if a.dry_run {
        mockcloud::outln!("{}", judges.candidates.describe());
        mockcloud::out!("{}{est}", plan.render(p.jobs));
        if a.verbose {
            mockcloud::out!("{}", plan.render_cases());
        }
        return Ok(None);
    }
    let run_id = a.run_id.clone().unwrap_or_else(new_run_id);
    let control = Control::default();
    let listener = if cloud {
        say(format!(
            "run id {run_id}: servers are named {}; after a crash remove them with \
             `nova-conform cleanup --run-id {run_id}`",
            cleanup::run_prefix(&run_id)
        ));
        say(format!("{}{est}", plan.render(p.jobs))
            .trim_end()
            .to_string());
        Some(
            crate::signals::install(control.clone(), run_id.clone())
                .map_err(|e| SuiteError::Engine(format!("installing signal handlers: {e}")))?,
        )
    } else {
        None
    };
    let outcome = session
        .execute(Arc::new(judges), plan, p.jobs, run_id, control, events)
        .await;
    if let Some(l) = listener {
        l.abort();
    }
    outcome.map(Some)
}

fn write_reports(a: &RunArgs, o: &RunOutcome) -> Result<(), SuiteError> {
    if let Some(p) = &a.junit {
        reports::write(p, report::junit::render(&[o])?)?;
    }
    let mode = a.out.exchanges.into();
    if let Some(p) = &a.json {
        reports::write(p, report::json::render_with(&[o], mode))?;
    }
    if let Some(p) = &a.html {
        reports::write(p, report::html::render_with(&[o], mode))?;
    }
    if let Some(dir) = &a.snapshot_dir {
        reports::write(
            &dir.join(format!("behaviour-map-{}.txt", o.profile)),
            behaviour_map::render(o),
        )?;
        reports::write(
            &dir.join(format!("exchanges-{}.txt", o.profile)),
            behaviour_map::render_exchanges(o),
        )?;
    }
    Ok(())
}
