//! Every exit code nova-conform uses, and the one mapping from an error to its code.
//!
//! docs/cli-reference.md's table of codes is checked against [`Exit::ALL`] (the test below),
//! and the man pages' EXIT STATUS sections ([`MAN_PAGES`]) take their codes from here, so
//! neither can drift from what the binary does.
use mockcloud::clidocs::ExitCodeTable;
use nova_conform::RunOutcome;
use nova_conform::VerdictKind;
use nova_conform::{ErrorKind, SuiteError};

/// Defines [`Exit`] with one doc line per code; the same line is [`Exit::meaning`].
macro_rules! exit_codes {
    ($( #[doc = $doc:literal] $name:ident = $code:literal, )*) => {
        /// An exit code of nova-conform.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(u8)]
        pub enum Exit {
            $( #[doc = $doc] $name = $code, )*
        }

        impl Exit {
            /// Every code, in ascending order (what docs/cli-reference.md's table must list).
            #[cfg(test)]
            pub const ALL: &'static [Exit] = &[$(Exit::$name),*];

            /// The code's meaning (its doc line; docs/cli-reference.md's table says the same).
            pub const fn meaning(self) -> &'static str {
                match self {
                    $( Exit::$name => $doc.trim_ascii_start(), )*
                }
            }
        }
    };
}

exit_codes! {
    /// success: every case passed (or skipped), or the command did what it was asked
    Pass = 0,
    /// findings: conformance failures, differences, or the API refused
    Fail = 1,
    /// usage or configuration error (bad flag, clouds.yaml, authentication), or standard output cannot be written (a reader that went away is not an error)
    Usage = 2,
    /// engine errors: timeouts, resets, unexpected 5xx, servers that could not be deleted
    Engine = 3,
    /// verify: a file missing, an extra file, or a file whose SHA-256 is not the manifest's
    VerifyManifest = 4,
    /// verify: the bundle was made with another oracle (another tool version, or an edited digest)
    VerifyOracle = 5,
    /// verify: the results recomputed from the recorded answers differ from the recorded ones
    VerifyRecompute = 6,
    /// interrupted: a third Ctrl-C or SIGTERM during a run exited at once (128 + SIGINT)
    Interrupted = 130,
}

impl Exit {
    /// The number the process exits with.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// Ends the process with this code.
    pub fn exit(self) -> ! {
        std::process::exit(i32::from(self.code()))
    }

    /// A run's outcome: an engine error (or a server the run could not delete) outweighs
    /// failures; a run no single Nova release explains is a failure.
    pub fn of_run(o: &RunOutcome) -> Exit {
        if o.count(VerdictKind::Error) > 0 || !o.cleanup_failures.is_empty() {
            Exit::Engine
        } else if o.count(VerdictKind::Fail) > 0 || !o.release.consistent() {
            Exit::Fail
        } else {
            Exit::Pass
        }
    }
}

impl From<nova_conform::fidelity::Conclusion> for Exit {
    fn from(c: nova_conform::fidelity::Conclusion) -> Exit {
        use nova_conform::fidelity::Conclusion;
        match c {
            Conclusion::Agree => Exit::Pass,
            Conclusion::Findings => Exit::Fail,
            Conclusion::Broken => Exit::Engine,
        }
    }
}

/// The one mapping from an error to an exit code, by its kind.
impl From<&SuiteError> for Exit {
    fn from(e: &SuiteError) -> Exit {
        match e.kind() {
            ErrorKind::Usage | ErrorKind::Fixture | ErrorKind::Config | ErrorKind::Report => {
                Exit::Usage
            }
            ErrorKind::Transport | ErrorKind::Engine => Exit::Engine,
        }
    }
}

impl From<&nova_conform::client::migrate::ClientError> for Exit {
    fn from(e: &nova_conform::client::migrate::ClientError) -> Exit {
        use nova_conform::client::migrate::ClientError;
        match e {
            ClientError::Usage(_) => Exit::Usage,
            ClientError::Refused { .. } | ClientError::Failed(_) => Exit::Fail,
            ClientError::Transport(_) => Exit::Engine,
        }
    }
}

/// The EXIT STATUS section of each man page (docs/cli-reference.md's table). A subcommand
/// without its own entry takes the nova-conform one.
pub const MAN_PAGES: ExitCodeTable = &[
    (
        "nova-conform",
        &[
            (Exit::Pass.code(), Exit::Pass.meaning()),
            (Exit::Fail.code(), Exit::Fail.meaning()),
            (Exit::Usage.code(), Exit::Usage.meaning()),
            (Exit::Engine.code(), Exit::Engine.meaning()),
        ],
    ),
    (
        "nova-conform-run",
        &[
            (Exit::Pass.code(), "every case passed (or skipped)"),
            (Exit::Fail.code(), "conformance failures (no engine error), or no single Nova release explains every answer (--nova-release auto)"),
            (Exit::Usage.code(), "usage or configuration error (bad flag, filter, clouds.yaml, authentication, no admin role), or a report file or --submission DIR that cannot be written (DIR holding other files is refused before the first request; a report that fails at the end is reported after the summary)"),
            (Exit::Engine.code(), "engine errors: timeouts, resets, unexpected 5xx, or a server the run could not delete"),
        ],
    ),
    (
        "nova-conform-list",
        &[(Exit::Pass.code(), "the cases were listed"), (Exit::Usage.code(), "usage error (bad flag, filter or version)")],
    ),
    (
        "nova-conform-bench",
        &[
            (Exit::Pass.code(), "the figures were printed"),
            (Exit::Usage.code(), "usage error, or the embedded mock could not be started"),
            (Exit::Engine.code(), "engine errors while timing a run"),
        ],
    ),
    (
        "nova-conform-cleanup",
        &[
            (Exit::Pass.code(), "every server found was removed"),
            (Exit::Usage.code(), "usage or configuration error"),
            (Exit::Engine.code(), "some servers could not be removed"),
        ],
    ),
    (
        "nova-conform-migrate",
        &[
            (Exit::Pass.code(), "done"),
            (Exit::Fail.code(), "the API refused (Nova's fault message is printed), or the migration failed after its 202"),
            (Exit::Usage.code(), "usage or configuration error (bad flags, unknown server, --force the endpoint's profile lacks)"),
            (Exit::Engine.code(), "no usable answer (connection, timeout, 5xx)"),
        ],
    ),
    (
        "nova-conform-migration",
        &[
            (Exit::Pass.code(), "done"),
            (Exit::Fail.code(), "the API refused (Nova's fault message is printed)"),
            (Exit::Usage.code(), "usage or configuration error"),
            (Exit::Engine.code(), "no usable answer (connection, timeout, 5xx)"),
        ],
    ),
    (
        "nova-conform-fidelity",
        &[
            (Exit::Pass.code(), "no difference between the mock and the endpoint, and the endpoint passes"),
            (Exit::Fail.code(), "differences, or the endpoint fails as for run (a Fail verdict, or no single Nova release explaining it)"),
            (Exit::Usage.code(), "usage or configuration error (also: no cloud configured)"),
            (Exit::Engine.code(), "an Error verdict on either side, or a server either side could not delete"),
        ],
    ),
    (
        "nova-conform-verify",
        &[
            (Exit::Pass.code(), "intact: the manifest holds, the oracle is this tool's, every verdict and count recomputes to the recorded one"),
            (Exit::Usage.code(), "not a bundle (no such directory, an unreadable or unsafe tarball)"),
            (Exit::VerifyManifest.code(), "manifest: a file missing, an extra file, or a file whose SHA-256 is not the manifest's"),
            (Exit::VerifyOracle.code(), "made with another oracle (another tool version, or an edited digest)"),
            (Exit::VerifyRecompute.code(), "the recomputed results differ from the recorded ones (a verdict, an answer, a count, the Nova release or the run verdict)"),
        ],
    ),
    (
        "nova-conform-completions",
        &[(Exit::Pass.code(), "the script was printed"), (Exit::Usage.code(), "usage error (unknown shell)")],
    ),
    (
        "nova-conform-man",
        &[
            (Exit::Pass.code(), "the pages were written"),
            (Exit::Usage.code(), "usage error, or --out cannot be written"),
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows of the markdown table under `heading` (the first table after it): each row's
    /// cells, without the header and the separator row.
    fn table_after(doc: &str, heading: &str) -> Vec<Vec<String>> {
        let start = doc
            .find(heading)
            .unwrap_or_else(|| panic!("docs/cli-reference.md has no {heading:?}"));
        doc[start..]
            .lines()
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .skip(2)
            .map(|l| {
                l.trim()
                    .trim_matches('|')
                    .split(" | ")
                    .map(|c| c.trim().trim_matches('`').to_string())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_docs_list_exactly_these_codes_with_these_meanings() {
        let doc = include_str!("../../docs/cli-reference.md");
        let rows = table_after(doc, "### Every exit code");
        let documented: Vec<(String, String, String)> = rows
            .into_iter()
            .map(|r| {
                assert_eq!(r.len(), 3, "a row of code | name | meaning: {r:?}");
                (r[0].clone(), r[1].clone(), r[2].clone())
            })
            .collect();
        let ours: Vec<(String, String, String)> = Exit::ALL
            .iter()
            .map(|e| {
                (
                    e.code().to_string(),
                    format!("{e:?}"),
                    e.meaning().to_string(),
                )
            })
            .collect();
        assert_eq!(documented, ours);
    }

    #[test]
    fn every_man_page_code_is_one_of_ours() {
        for (page, codes) in MAN_PAGES {
            for (code, _) in *codes {
                assert!(
                    Exit::ALL.iter().any(|e| e.code() == *code),
                    "{page}: {code}"
                );
            }
        }
    }

    #[test]
    fn codes_are_distinct_and_ascending() {
        let codes: Vec<u8> = Exit::ALL.iter().map(|e| e.code()).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(codes, sorted);
        assert_eq!(codes, [0, 1, 2, 3, 4, 5, 6, 130]);
    }

    #[test]
    fn errors_map_by_kind() {
        use nova_conform::report::error::ReportError;
        use nova_conform::FindServerError;
        let io = std::io::Error::other("disk full");
        let cases = [
            (SuiteError::Usage("u".into()), Exit::Usage),
            (SuiteError::Fixture("f".into()), Exit::Usage),
            (SuiteError::Target("t".into()), Exit::Usage),
            (SuiteError::report_write("r.json", io), Exit::Usage),
            (
                SuiteError::from(FindServerError::NotFound { name: "s".into() }),
                Exit::Usage,
            ),
            (SuiteError::Transport("t".into()), Exit::Engine),
            (
                SuiteError::Report(ReportError::Subunit {
                    what: "packet",
                    message: "Value is too large to encode".into(),
                }),
                Exit::Engine,
            ),
            (SuiteError::Engine("e".into()), Exit::Engine),
        ];
        for (e, exit) in cases {
            assert_eq!(Exit::from(&e), exit, "{e}");
        }
    }
}
