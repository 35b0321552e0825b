//! `nova-conform migration list [--server SERVER]`: the migration records.
use clap::{Args, Subcommand};
use nova_conform::client::migration_list;
use nova_conform::client::output::Format;

use crate::client::{connect, finish};
use crate::exit::Exit;
use crate::flags::ConnectArgs;

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

pub async fn migration_cmd(a: MigrationArgs) -> Exit {
    let MigrationCmd::List(l) = a.cmd;
    let r = async {
        let (caller, max) = connect(&l.cloud).await?;
        migration_list::run(&caller, max, l.server.as_deref(), l.format).await
    }
    .await;
    finish(r)
}
