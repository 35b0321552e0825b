//! `nova-conform man [--out DIR]`: the man pages (clap_mangen, through `mockcloud::clidocs`),
//! each with its command's EXIT STATUS section from exit.rs.
use std::path::PathBuf;

use clap::Args;
use mockcloud::clidocs;
use nova_conform::SuiteError;

use crate::exit::{Exit, MAN_PAGES};

#[derive(Args, Debug)]
pub struct ManArgs {
    /// Write nova-conform.1 and one page per subcommand (nova-conform-run.1, ...) into DIR
    /// (created if missing). Without it the nova-conform page is printed on stdout.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

pub fn man_cmd(a: ManArgs, cmd: clap::Command) -> Result<Exit, SuiteError> {
    let date = clidocs::commit_date();
    match a.out {
        None => {
            let pages = clidocs::man_pages(cmd, date, MAN_PAGES)
                .map_err(|source| SuiteError::report_write("-", source))?;
            let page = pages.first().map(|p| p.roff.as_slice()).unwrap_or_default();
            mockcloud::stdout::write_bytes(page);
        }
        Some(dir) => {
            let paths = clidocs::write_man_pages(cmd, date, MAN_PAGES, &dir)
                .map_err(|source| SuiteError::report_write(dir.display(), source))?;
            for p in paths {
                mockcloud::outln!("{}", p.display());
            }
        }
    }
    Ok(Exit::Pass)
}
