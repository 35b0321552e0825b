//! `nova-conform completions SHELL`: the shell completion script on stdout (the generator is
//! shared with `mockcloud`: `mockcloud::clidocs`).
use clap::Args;
use mockcloud::clidocs;
use nova_conform::SuiteError;

use crate::exit::Exit;

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell whose completion script is printed on stdout.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

pub fn completions_cmd(a: CompletionsArgs, cmd: clap::Command) -> Result<Exit, SuiteError> {
    mockcloud::stdout::write_bytes(&clidocs::completions(cmd, a.shell));
    Ok(Exit::Pass)
}
