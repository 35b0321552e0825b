//! The real-cloud parts of the command line: the cloud and server flags of `run` (with
//! `--dry-run`), and `nova-conform cleanup`.
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use std::collections::BTreeMap;

use nova_conform::estimate;
use nova_conform::Control;
use nova_conform::Plan;
use nova_conform::Role;
use nova_conform::RunOutcome;
use nova_conform::SuiteError;
use nova_conform::Timing;
use nova_conform::VerdictKind;
use nova_conform::{calibration, calibration::Assumed};
use nova_conform::{cleanup, cleanup::Progress};
use nova_conform::{new_run_id, Event, Events, Session};
use nova_conform::{CloudSelection, Network, ServerSpec};

/// Which cloud to talk to (a clouds.yaml name; `OS_CLOUD` / `OS_*` when `--os-cloud` is not
/// given) and how.
#[derive(Args, Debug, Clone, Default)]
pub struct ConnectArgs {
    /// Cloud in clouds.yaml, used as admin (default: OS_CLOUD, else the OS_* variables).
    /// `run` without any cloud configured tests the embedded mock.
    #[arg(long, value_name = "NAME")]
    pub os_cloud: Option<String>,
    /// Region (overrides clouds.yaml and OS_REGION_NAME).
    #[arg(long, value_name = "REGION")]
    pub os_region_name: Option<String>,
    /// CA bundle to trust in addition to the system roots.
    #[arg(long, value_name = "PATH")]
    pub os_cacert: Option<PathBuf>,
    /// Do not verify TLS certificates (never the default).
    #[arg(long)]
    pub insecure: bool,
}

impl ConnectArgs {
    pub fn selection(&self) -> CloudSelection {
        CloudSelection {
            cloud: self.os_cloud.clone(),
            insecure: self.insecure,
            cacert: self.os_cacert.clone(),
            region: self.os_region_name.clone(),
            ..CloudSelection::default()
        }
    }
}

/// The cloud and the identities of the role cases.
#[derive(Args, Debug, Clone, Default)]
pub struct CloudArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Cloud entry of a user with the manager role in the admin's project.
    #[arg(long, value_name = "NAME")]
    pub manager_cloud: Option<String>,
    /// Cloud entry of a member (no admin role) of the admin's project.
    #[arg(long, value_name = "NAME")]
    pub member_cloud: Option<String>,
    /// Cloud entry of a user of another project.
    #[arg(long, value_name = "NAME")]
    pub other_cloud: Option<String>,
}

impl CloudArgs {
    pub fn selection(&self) -> CloudSelection {
        CloudSelection {
            manager: self.manager_cloud.clone(),
            member: self.member_cloud.clone(),
            other: self.other_cloud.clone(),
            ..self.connect.selection()
        }
    }
}

/// Waiting for asynchronous state changes.
#[derive(Args, Debug, Clone)]
pub struct WaitArgs {
    /// Seconds between polls of a server's state.
    #[arg(long, default_value_t = 1.0, value_name = "SECONDS", value_parser = parse_secs)]
    pub poll_interval: f64,
    /// Seconds to wait for each step (build, migration, confirm/revert, delete).
    #[arg(long, default_value_t = 300.0, value_name = "SECONDS", value_parser = parse_secs)]
    pub wait_timeout: f64,
}

impl WaitArgs {
    pub fn timing(&self) -> Timing {
        Timing {
            poll_interval: Duration::from_secs_f64(self.poll_interval),
            timeout: Duration::from_secs_f64(self.wait_timeout),
        }
    }
}

fn parse_secs(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 86_400.0 => Ok(v),
        _ => Err("expected a number of seconds above 0 (at most 86400)".into()),
    }
}

/// The servers the suite creates on a cloud (`run` and `fidelity`).
#[derive(Args, Debug, Clone)]
pub struct ServerArgs {
    /// Flavor (name or id) of the servers the suite creates (default: the smallest).
    #[arg(long, value_name = "FLAVOR")]
    pub flavor: Option<String>,
    /// Image (name or id) of the servers the suite creates (default: an active CirrOS image,
    /// else the first active one).
    #[arg(long, value_name = "IMAGE")]
    pub image: Option<String>,
    /// Network of the servers the suite creates: a network id, `auto` or `none`.
    #[arg(long, value_name = "ID|none|auto", default_value = "none")]
    pub network: String,
    /// A compute host with no room for a server of the flavor: the no-capacity cases target
    /// it (their migration is accepted and fails in the scheduler); no other case uses it.
    /// `fidelity` gives its mock a host of that name without capacity.
    #[arg(long, value_name = "HOST")]
    pub full_host: Option<String>,
}

impl ServerArgs {
    /// The server spec, with `servers` given by `--server`.
    pub fn spec(&self, servers: Vec<String>) -> Result<ServerSpec, SuiteError> {
        Ok(ServerSpec {
            flavor: self.flavor.clone(),
            image: self.image.clone(),
            network: self.network.parse::<Network>()?,
            servers,
            full_host: self.full_host.clone(),
        })
    }
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

pub fn parse_run_id(s: &str) -> Result<String, String> {
    if !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(s.to_string())
    } else {
        Err("expected 1 to 32 letters and digits".into())
    }
}

/// Progress lines on stderr (suspended around the progress bar when there is one).
pub fn progress_printer(pb: Option<indicatif::ProgressBar>) -> Progress {
    Arc::new(move |line: String| match &pb {
        Some(pb) if !pb.is_hidden() => pb.println(line),
        _ => eprintln!("{line}"),
    })
}

/// Connects to the cloud `a` names (the server flags decide the flavor, image, network,
/// `--server` and `--full-host`).
pub async fn connect(a: &RealRunArgs) -> Result<Session, SuiteError> {
    let spec = a.servers.spec(a.server.clone())?;
    Session::connect(&a.cloud.selection(), &spec, a.wait.timing()).await
}

/// `run` on a session (a real cloud or the embedded mock): judges, plan, (dry run or)
/// execution with cleanup; `treatments` gets the plan's treatment of every case by id.
/// A real cloud's discovery, plan and phases are told on stderr;
/// the embedded mock runs quietly. `None` for a dry run.
pub async fn run(
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

/// `nova-conform cleanup`.
#[derive(Args, Debug)]
pub struct CleanupArgs {
    #[command(flatten)]
    pub cloud: ConnectArgs,
    #[command(flatten)]
    pub wait: WaitArgs,
    /// Remove the servers of this run (`nova-conform-<ID>-*`).
    #[arg(long, value_name = "ID", value_parser = parse_run_id, required_unless_present = "all_runs", conflicts_with = "all_runs")]
    pub run_id: Option<String>,
    /// Remove the servers of every nova-conform run (`nova-conform-*`).
    #[arg(long)]
    pub all_runs: bool,
}

/// Returns the exit code: 0 all removed, 3 some could not be.
pub async fn cleanup_cmd(a: CleanupArgs) -> Result<i32, SuiteError> {
    let sel = a.cloud.selection();
    let session = nova_conform::connect_cloud(
        &nova_conform::cloud_loader(&sel),
        sel.cloud.as_deref(),
        &sel,
    )
    .await?;
    let admin = nova_conform::caller_from(Role::Admin, &session)?;
    let progress = progress_printer(None);
    let (removed, failed) = cleanup::sweep(&admin, a.run_id.as_deref(), a.wait.timing(), &progress)
        .await
        .map_err(SuiteError::Engine)?;
    mockcloud::outln!("removed {removed} servers");
    for f in &failed {
        mockcloud::outln!("could not remove {f}");
    }
    Ok(if failed.is_empty() { 0 } else { 3 })
}

/// The CLI's consumer of a run's events: the progress bar's length and count (with the
/// number not passing), and, when `lines`, the progress lines on stderr.
pub fn cli_events(pb: indicatif::ProgressBar, lines: bool) -> Events {
    let not_passing = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let printer = progress_printer(Some(pb.clone()));
    Arc::new(move |e: Event<'_>| match e {
        Event::Planned { runnable } => pb.set_length(runnable as u64),
        Event::Line(l) if lines => printer(l),
        Event::Line(_) => {}
        Event::Finished(r) => {
            pb.inc(1);
            if matches!(r.verdict.kind(), VerdictKind::Fail | VerdictKind::Error) {
                let n = not_passing.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                pb.set_message(format!("({n} not passing)"));
            }
        }
    })
}
