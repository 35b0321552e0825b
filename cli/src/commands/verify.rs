//! `nova-conform verify DIR|DIR.tar.gz`: checks a submission bundle.
use std::path::PathBuf;

use clap::Args;
use nova_conform::submission::{self, VerifyError};
use nova_conform::SuiteError;

use crate::exit::Exit;

/// `nova-conform verify`.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The bundle: its directory, or its .tar.gz.
    #[arg(value_name = "DIR|FILE.tar.gz")]
    pub bundle: PathBuf,
}

pub fn verify_cmd(a: VerifyArgs) -> Result<Exit, SuiteError> {
    let t0 = std::time::Instant::now();
    let (e, exit) = match submission::verify(&a.bundle) {
        Ok(summary) => {
            mockcloud::out!("{summary}");
            mockcloud::outln!("verify: OK ({:.3} s)", t0.elapsed().as_secs_f64());
            return Ok(Exit::Pass);
        }
        Err(VerifyError::Unreadable(m)) => return Err(SuiteError::Usage(m)),
        Err(e @ VerifyError::Manifest(_)) => (e, Exit::VerifyManifest),
        Err(e @ VerifyError::Oracle(_)) => (e, Exit::VerifyOracle),
        Err(e @ VerifyError::Recompute(_)) => (e, Exit::VerifyRecompute),
    };
    eprintln!(
        "nova-conform verify: {e} ({:.3} s)",
        t0.elapsed().as_secs_f64()
    );
    Ok(exit)
}
