//! `nova-conform list`: the cases a run would execute, without contacting any cloud.
use clap::Args;
use nova_conform::conformance::select;
use nova_conform::microversion::{Microversion, VersionBounds};
use nova_conform::release::{Candidates, ReleaseChoice};
use nova_conform::SuiteError;

use crate::exit::Exit;
use crate::flags::Selection;

#[derive(Args, Debug)]
pub struct ListArgs {
    #[command(flatten)]
    sel: Selection,
    /// Target's maximum microversion to list against (no cloud is contacted; default: the
    /// max of --nova-release, or of the newest release with `auto`).
    #[arg(long)]
    max_version: Option<String>,
    /// Target's minimum microversion.
    #[arg(long, default_value = "2.1")]
    min_version: String,
}

pub fn list_cmd(a: ListArgs) -> Result<Exit, SuiteError> {
    let p = a.sel.plan(1)?;
    let series_max = match p.release {
        ReleaseChoice::Series(s) => s.max_microversion,
        ReleaseChoice::Auto => {
            nova_releases::ReleaseTable::bundled()
                .newest()
                .max_microversion
        }
    };
    let max = match &a.max_version {
        Some(v) => v.parse::<Microversion>()?,
        None => Microversion::new(series_max.major, series_max.minor),
    };
    let bounds = VersionBounds {
        min: a.min_version.parse::<Microversion>()?,
        max,
    };
    if bounds.min > bounds.max {
        return Err(SuiteError::Usage(
            "--min-version is above --max-version".into(),
        ));
    }
    let cases = select(&p, &bounds);
    let mut out = String::new();
    for c in &cases {
        out.push_str(&format!("{}  {}\n", c.id(), c.name()));
    }
    out.push_str(&format!(
        "{} cases (profile {}, versions {}-{})\n",
        cases.len(),
        p.profile,
        bounds.min,
        bounds.max
    ));
    let candidates = Candidates::new(p.release, bounds.max);
    out.push_str(&format!("{}\n", candidates.describe()));
    for w in &candidates.warnings {
        out.push_str(&format!("WARNING: {w}\n"));
    }
    mockcloud::out!("{out}");
    Ok(Exit::Pass)
}
