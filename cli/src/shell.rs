//! `nova-conform completions SHELL` and `nova-conform man [--out DIR]` (the generator is
//! shared with `mockcloud`: `mockcloud::clidocs`).
use std::path::PathBuf;

use clap::Args;
use mockcloud::clidocs::{self, ExitCodeTable};
use nova_conform::SuiteError;

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell whose completion script is printed on stdout.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

#[derive(Args, Debug)]
pub struct ManArgs {
    /// Write nova-conform.1 and one page per subcommand (nova-conform-run.1, ...) into DIR
    /// (created if missing). Without it the nova-conform page is printed on stdout.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// The EXIT STATUS section of each page (docs/cli-reference.md's table). A subcommand
/// without its own entry takes the nova-conform one.
pub const EXIT_CODES: ExitCodeTable = &[
    (
        "nova-conform",
        &[
            (0, "success: every case passed (or skipped), or the command did what it was asked"),
            (1, "findings: conformance failures, differences, or the API refused"),
            (2, "usage or configuration error (bad flag, clouds.yaml, authentication), or standard output cannot be written (a reader that went away is not an error)"),
            (3, "engine errors: timeouts, resets, unexpected 5xx, servers that could not be deleted"),
        ],
    ),
    (
        "nova-conform-run",
        &[
            (0, "every case passed (or skipped)"),
            (1, "conformance failures (no engine error), or no single Nova release explains every answer (--nova-release auto)"),
            (2, "usage or configuration error (bad flag, filter, clouds.yaml, authentication, no admin role)"),
            (3, "engine errors: timeouts, resets, unexpected 5xx, or a server the run could not delete"),
        ],
    ),
    (
        "nova-conform-list",
        &[(0, "the cases were listed"), (2, "usage error (bad flag, filter or version)")],
    ),
    (
        "nova-conform-bench",
        &[
            (0, "the figures were printed"),
            (2, "usage error, or the embedded mock could not be started"),
            (3, "engine errors while timing a run"),
        ],
    ),
    (
        "nova-conform-cleanup",
        &[
            (0, "every server found was removed"),
            (2, "usage or configuration error"),
            (3, "some servers could not be removed"),
        ],
    ),
    (
        "nova-conform-migrate",
        &[
            (0, "done"),
            (1, "the API refused (Nova's fault message is printed), or the migration failed after its 202"),
            (2, "usage or configuration error (bad flags, unknown server, --force the endpoint's profile lacks)"),
            (3, "no usable answer (connection, timeout, 5xx)"),
        ],
    ),
    (
        "nova-conform-migration",
        &[
            (0, "done"),
            (1, "the API refused (Nova's fault message is printed)"),
            (2, "usage or configuration error"),
            (3, "no usable answer (connection, timeout, 5xx)"),
        ],
    ),
    (
        "nova-conform-fidelity",
        &[
            (0, "no difference between the mock and the endpoint, and the endpoint passes"),
            (1, "differences, or the endpoint fails as for run (a Fail verdict, or no single Nova release explaining it)"),
            (2, "usage or configuration error (also: no cloud configured)"),
            (3, "an Error verdict on either side, or a server either side could not delete"),
        ],
    ),
    (
        "nova-conform-verify",
        &[
            (0, "intact: the manifest holds, the oracle is this tool's, every verdict and count recomputes to the recorded one"),
            (2, "not a bundle (no such directory, an unreadable or unsafe tarball)"),
            (4, "manifest: a file missing, an extra file, or a file whose SHA-256 is not the manifest's"),
            (5, "made with another oracle (another tool version, or an edited digest)"),
            (6, "the recomputed results differ from the recorded ones (a verdict, an answer, a count, the Nova release or the run verdict)"),
        ],
    ),
    (
        "nova-conform-completions",
        &[(0, "the script was printed"), (2, "usage error (unknown shell)")],
    ),
    (
        "nova-conform-man",
        &[
            (0, "the pages were written"),
            (2, "usage error, or --out cannot be written"),
        ],
    ),
];

pub fn completions(a: CompletionsArgs, cmd: clap::Command) -> Result<i32, SuiteError> {
    mockcloud::stdout::write_bytes(&clidocs::completions(cmd, a.shell));
    Ok(0)
}

pub fn man(a: ManArgs, cmd: clap::Command) -> Result<i32, SuiteError> {
    let date = clidocs::commit_date();
    let report = |path: String| move |source| SuiteError::Report { path, source };
    match a.out {
        None => {
            let pages = clidocs::man_pages(cmd, date, EXIT_CODES).map_err(report("-".into()))?;
            let page = pages.first().map(|p| p.roff.as_slice()).unwrap_or_default();
            mockcloud::stdout::write_bytes(page);
        }
        Some(dir) => {
            let paths = clidocs::write_man_pages(cmd, date, EXIT_CODES, &dir)
                .map_err(report(dir.display().to_string()))?;
            for p in paths {
                mockcloud::outln!("{}", p.display());
            }
        }
    }
    Ok(0)
}
