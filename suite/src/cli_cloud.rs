//! The real-cloud parts of the command line: the cloud and server flags of `run` (with
//! `--dry-run`), and `nova-conform cleanup`.
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use nova_conform::cleanup::{self, Progress};
use nova_conform::cloud_run::{self, Control};
use nova_conform::cloud_target::{self, CloudSelection, CloudTarget, Network, ServerSpec};
use nova_conform::conformance::{select, Plan};
use nova_conform::matrix::MatrixKind;
use nova_conform::plan::{self, Assumptions, PlanInput};
use nova_conform::runner::RunOutcome;
use nova_conform::target::{Target, Timing};
use nova_conform::variant::Role;
use nova_conform::verdict::CaseResult;
use nova_conform::{signals, SuiteError};

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

/// The real-cloud flags of `run`.
#[derive(Args, Debug, Clone)]
pub struct RealRunArgs {
    #[command(flatten)]
    pub cloud: CloudArgs,
    #[command(flatten)]
    pub wait: WaitArgs,
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
    /// An existing server (name or id) to use for the ACTIVE cases instead of creating one;
    /// it is migrated but never deleted.
    #[arg(long, value_name = "SERVER")]
    pub server: Vec<String>,
    /// A compute host with no room for a server of the flavor: the no-capacity cases target
    /// it (their migration is accepted and fails in the scheduler); no other case uses it.
    #[arg(long, value_name = "HOST")]
    pub full_host: Option<String>,
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
        cloud_target::cloud_configured(&self.cloud.selection())
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

/// `run` against a real cloud: discovery, plan, (dry run or) execution with cleanup.
/// `None` for a dry run.
pub async fn run(
    a: &RealRunArgs,
    p: &Plan,
    pb: indicatif::ProgressBar,
    on_result: cloud_run::OnResult,
    info: &mut crate::cli_artifacts::RunInfo,
) -> Result<Option<RunOutcome>, SuiteError> {
    let spec = ServerSpec {
        flavor: a.flavor.clone(),
        image: a.image.clone(),
        network: a.network.parse::<Network>()?,
        servers: a.server.clone(),
        full_host: a.full_host.clone(),
    };
    let target = CloudTarget::connect(&a.cloud.selection(), &spec, a.wait.timing()).await?;
    let progress = progress_printer(Some(pb.clone()));
    progress(target.describe_discovery().trim_end().to_string());
    let bounds = target.discovery.bounds;
    *info = crate::cli_artifacts::RunInfo::cloud(&target, &a.cloud);
    let judges = nova_conform::conformance::judges(&target, p, &bounds).await?;
    progress(judges.candidates.describe());
    for w in &judges.candidates.warnings {
        progress(format!("WARNING: {w}"));
    }
    let cases = select(p, &bounds);
    if cases.is_empty() {
        return Err(SuiteError::Usage("the filter selects no case".into()));
    }
    let have_given_active = target.given.first().is_some_and(|g| g.status == "ACTIVE");
    let plan = plan::build(PlanInput {
        cases,
        judges: &judges,
        bounds,
        inventory: target.inventory(),
        missing_roles: &target.missing,
        create_problem: target.create_problem.as_deref(),
        have_given_active,
        exhaustive: p.kind == MatrixKind::Exhaustive,
    });
    info.treatments = plan
        .treatments()
        .into_iter()
        .map(|(c, t)| (c.id(), t.to_string()))
        .collect();
    if a.dry_run {
        mockcloud::outln!("{}", judges.candidates.describe());
        mockcloud::out!("{}", plan.render(p.jobs, &Assumptions::default()));
        if a.verbose {
            mockcloud::out!("{}", plan.render_cases());
        }
        return Ok(None);
    }
    let run_id = a
        .run_id
        .clone()
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string()[..8].to_string());
    progress(format!(
        "run id {run_id}: servers are named {}; after a crash remove them with \
         `nova-conform cleanup --run-id {run_id}`",
        cleanup::run_prefix(&run_id)
    ));
    progress(
        plan.render(p.jobs, &Assumptions::default())
            .trim_end()
            .to_string(),
    );
    pb.set_length(plan.runnable() as u64);
    let control = Control::default();
    let listener = signals::install(control.clone(), run_id.clone())
        .map_err(|e| SuiteError::Engine(format!("installing signal handlers: {e}")))?;
    let outcome = cloud_run::execute(
        Arc::new(target),
        Arc::new(judges),
        plan,
        p.jobs,
        run_id,
        control,
        progress,
        on_result,
    )
    .await;
    listener.abort();
    Ok(Some(outcome))
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
    let session =
        cloud_target::connect_cloud(&cloud_target::loader(&sel), sel.cloud.as_deref(), &sel)
            .await?;
    let admin = cloud_target::caller_from(Role::Admin, &session)?;
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

/// The on-result callback for the progress bar.
pub fn bar_callback(pb: indicatif::ProgressBar) -> cloud_run::OnResult {
    let not_passing = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    Arc::new(move |r: &CaseResult| {
        pb.inc(1);
        use nova_conform::verdict::VerdictKind;
        if matches!(r.verdict.kind(), VerdictKind::Fail | VerdictKind::Error) {
            let n = not_passing.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            pb.set_message(format!("({n} not passing)"));
        }
    })
}
