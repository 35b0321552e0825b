//! `nova-conform migrate [--force] <SERVER> [HOST] [--wait] [--confirm | --revert]`: a
//! cold-migration client, like `openstack server migrate`.
use clap::{Args, ValueEnum};
use nova_conform::client::migrate::{self, Finish, MigrateRequest};
use nova_conform::client::output::Format;
use nova_conform::oracle::Profile;

use crate::client::{connect, finish};
use crate::exit::Exit;
use crate::flags::{ConnectArgs, WaitArgs};
use crate::progress::progress_printer;

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

pub async fn migrate_cmd(a: MigrateArgs) -> Exit {
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
    if let Err(e) = migrate::request_for(
        &req,
        nova_conform::microversion::Microversion::new(2, u32::MAX),
    ) {
        return finish(Err(e));
    }
    let r = async {
        let (caller, max) = connect(&a.cloud).await?;
        migrate::run(&caller, max, &req, a.format, &progress_printer(None)).await
    }
    .await;
    finish(r)
}
