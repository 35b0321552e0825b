//! `nova-conform cleanup (--run-id ID | --all-runs)`: deletes the servers a crashed run left
//! behind (found by their name prefix).
use clap::Args;
use nova_conform::cleanup;
use nova_conform::cloud_target;
use nova_conform::variant::Role;
use nova_conform::SuiteError;

use crate::exit::Exit;
use crate::flags::{parse_run_id, ConnectArgs, WaitArgs};
use crate::progress::progress_printer;

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

/// Pass when every server found was removed, Engine when some could not be.
pub async fn cleanup_cmd(a: CleanupArgs) -> Result<Exit, SuiteError> {
    let sel = a.cloud.selection();
    let session =
        cloud_target::connect_cloud(&cloud_target::loader(&sel), sel.cloud.as_deref(), &sel)
            .await?;
    let admin = cloud_target::caller_from(Role::Admin, &session)?;
    let progress = progress_printer(None);
    let (removed, failed) = cleanup::sweep(&admin, a.run_id.as_deref(), a.wait.timing(), &progress)
        .await
        .map_err(|e| SuiteError::Cleanup(Box::new(e)))?;
    mockcloud::outln!("removed {removed} servers");
    for f in &failed {
        mockcloud::outln!("could not remove {f}");
    }
    Ok(if failed.is_empty() {
        Exit::Pass
    } else {
        Exit::Engine
    })
}
