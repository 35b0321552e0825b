//! The client commands: `migrate` and `migration list`.
use clap::{Args, Subcommand, ValueEnum};
use nova_conform::client::migration_list;
use nova_conform::client::output::Format;
use nova_conform::Caller;
use nova_conform::Profile;
use nova_conform::Role;
use nova_conform::{
    client::migrate, client::migrate::ClientError, client::migrate::Finish,
    client::migrate::MigrateRequest,
};

use crate::cloud::{progress_printer, ConnectArgs, WaitArgs};

/// The behaviour profile the endpoint implements (decides whether `--force` can be sent).
#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum EndpointProfile {
    Nova,
    PikeSpec,
}

/// `nova-conform migrate`.
#[derive(Args, Debug)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub cloud: ConnectArgs,
    #[command(flatten)]
    pub timing: WaitArgs,
    /// Server (name or id).
    pub server: String,
    /// Destination compute host (sends microversion 2.56; without it the scheduler picks).
    pub host: Option<String>,
    /// Skip the scheduler's checks of the host (pike-spec endpoints only).
    #[arg(long)]
    pub force: bool,
    /// Wait until the migration has finished (VERIFY_RESIZE).
    #[arg(long)]
    pub wait: bool,
    /// Then confirm the resize (implies --wait).
    #[arg(long, conflicts_with = "revert")]
    pub confirm: bool,
    /// Then revert the resize (implies --wait).
    #[arg(long)]
    pub revert: bool,
    /// What the endpoint implements: `nova` (upstream, no force) or `pike-spec`.
    #[arg(long, value_enum, default_value = "nova")]
    pub profile: EndpointProfile,
    /// Output format.
    #[arg(short = 'f', long = "format", value_enum, default_value = "table")]
    pub format: Format,
}

/// `nova-conform migration ...`.
#[derive(Args, Debug)]
pub struct MigrationArgs {
    #[command(subcommand)]
    pub cmd: MigrationCmd,
}

#[derive(Subcommand, Debug)]
pub enum MigrationCmd {
    /// List migrations (`GET /os-migrations`), newest first.
    List(MigrationListArgs),
}

#[derive(Args, Debug)]
pub struct MigrationListArgs {
    #[command(flatten)]
    pub cloud: ConnectArgs,
    /// Only the migrations of this server (name or id).
    #[arg(long, value_name = "SERVER")]
    pub server: Option<String>,
    /// Output format.
    #[arg(short = 'f', long = "format", value_enum, default_value = "table")]
    pub format: Format,
}

async fn connect(cloud: &ConnectArgs) -> Result<(Caller, nova_conform::Microversion), ClientError> {
    let sel = cloud.selection();
    let session = nova_conform::connect_cloud(
        &nova_conform::cloud_loader(&sel),
        sel.cloud.as_deref(),
        &sel,
    )
    .await
    .map_err(|e| ClientError::Usage(e.to_string()))?;
    let caller = nova_conform::caller_from(Role::Admin, &session)
        .map_err(|e| ClientError::Usage(e.to_string()))?;
    let bounds = nova_conform::discover_bounds(&caller)
        .await
        .map_err(|e| match e {
            nova_conform::SuiteError::Target(m) => ClientError::Usage(m),
            other => ClientError::Transport(other.to_string()),
        })?;
    Ok((caller, bounds.max))
}

fn finish(r: Result<String, ClientError>) -> i32 {
    match r {
        Ok(out) => {
            mockcloud::out!("{out}");
            0
        }
        Err(e) => {
            eprintln!("nova-conform: {e}");
            e.exit_code()
        }
    }
}

pub async fn migrate_cmd(a: MigrateArgs) -> i32 {
    let req = MigrateRequest {
        server: a.server.clone(),
        host: a.host.clone(),
        force: a.force,
        wait: a.wait,
        finish: match (a.confirm, a.revert) {
            (true, _) => Some(Finish::Confirm),
            (_, true) => Some(Finish::Revert),
            _ => None,
        },
        profile: match a.profile {
            EndpointProfile::Nova => Profile::Nova,
            EndpointProfile::PikeSpec => Profile::PikeSpec,
        },
        timing: a.timing.timing(),
    };
    // Refuse what cannot be sent before contacting the cloud.
    if let Err(e) = migrate::request_for(&req, nova_conform::Microversion::new(2, u32::MAX)) {
        return finish(Err(e));
    }
    let r = async {
        let (caller, max) = connect(&a.cloud).await?;
        migrate::run(&caller, max, &req, a.format, &progress_printer(None)).await
    }
    .await;
    finish(r)
}

pub async fn migration_cmd(a: MigrationArgs) -> i32 {
    let MigrationCmd::List(l) = a.cmd;
    let r = async {
        let (caller, max) = connect(&l.cloud).await?;
        migration_list::run(&caller, max, l.server.as_deref(), l.format).await
    }
    .await;
    finish(r)
}
