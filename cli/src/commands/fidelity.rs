//! `nova-conform fidelity`: the command line of [`nova_conform::fidelity`]: the same plan
//! against the embedded mock and an endpoint, and where they differ.
use std::path::PathBuf;

use clap::Args;
use nova_conform::execute::Control;
use nova_conform::fidelity;
use nova_conform::runner::DEFAULT_JOBS;
use nova_conform::session::Session;
use nova_conform::verdict::VerdictKind;
use nova_conform::SuiteError;

use crate::exit::Exit;
use crate::flags::{parse_jobs, parse_run_id, CloudArgs, Selection, ServerArgs, WaitArgs};
use crate::progress::progress_printer;
use crate::reports;

#[derive(Args, Debug)]
pub struct FidelityArgs {
    #[command(flatten)]
    pub sel: Selection,
    /// Cases in flight at once (on each side).
    #[arg(long, default_value_t = DEFAULT_JOBS, value_parser = parse_jobs)]
    pub jobs: usize,
    #[command(flatten)]
    pub cloud: CloudArgs,
    #[command(flatten)]
    pub wait: WaitArgs,
    #[command(flatten)]
    pub servers: ServerArgs,
    /// Run id used in the endpoint's server names (default: random).
    #[arg(long, value_name = "ID", value_parser = parse_run_id)]
    pub run_id: Option<String>,
    /// Write the differences as a JSON array.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Write the endpoint's own run report (the format of `run --json`): fidelity judges the
    /// endpoint with the oracle too, so one fidelity run also certifies it.
    #[arg(long, value_name = "PATH")]
    pub report_json: Option<PathBuf>,
}

/// Engine for engine errors (or servers left) on either side; Fail for differences, or an
/// endpoint answer the oracle fails, or no single Nova series explaining the endpoint (what
/// `run` would call a Fail); Pass otherwise. So one fidelity run judges the endpoint as `run`
/// does and the mock against it.
pub async fn fidelity_cmd(a: FidelityArgs) -> Result<Exit, SuiteError> {
    let sel = a.cloud.selection();
    if !nova_conform::cloud_target::cloud_configured(&sel) {
        return Err(SuiteError::Usage(
            "fidelity compares the mock with an endpoint: give --os-cloud (or set OS_CLOUD / OS_AUTH_URL)"
                .into(),
        ));
    }
    let p = a.sel.plan(a.jobs)?;
    let spec = a.servers.spec(Vec::new())?;
    let progress = progress_printer(None);
    let endpoint = Session::connect(&sel, &spec, a.wait.timing()).await?;
    if let Some(t) = endpoint.cloud_target() {
        progress(t.describe_discovery().trim_end().to_string());
    }
    let run_id = a
        .run_id
        .clone()
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string()[..8].to_string());
    let control = Control::default();
    let listener = crate::signals::install(control.clone(), run_id.clone())
        .map_err(|e| SuiteError::Engine(format!("installing signal handlers: {e}")))?;
    let run = fidelity::run(&endpoint, &spec, &p, run_id, control, progress).await;
    listener.abort();
    let fidelity::FidelityRun {
        mock: mock_outcome,
        endpoint: endpoint_outcome,
        differences: diffs,
    } = run?;
    if let Some(path) = &a.json {
        let text = serde_json::to_string_pretty(&diffs)
            .map_err(|e| SuiteError::Engine(format!("serialising the differences: {e}")))?;
        reports::write(path, &text)?;
    }
    if let Some(path) = &a.report_json {
        reports::write(
            path,
            nova_conform::report::json::render(&[&endpoint_outcome]),
        )?;
    }
    mockcloud::out!(
        "{}",
        fidelity::render(&diffs, &mock_outcome, &endpoint_outcome)
    );
    mockcloud::outln!("{}", fidelity::render_endpoint_verdict(&endpoint_outcome));
    let broken = [&mock_outcome, &endpoint_outcome]
        .iter()
        .any(|o| o.count(VerdictKind::Error) > 0 || !o.cleanup_failures.is_empty());
    Ok(fidelity::conclusion(broken, &diffs, &endpoint_outcome).into())
}
