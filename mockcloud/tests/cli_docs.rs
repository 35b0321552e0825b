//! `mockcloud --version`, `mockcloud completions SHELL` and `mockcloud man`.

use std::process::Command;

use test_support::cli_docs::CliDocs;

/// What mockcloud's completions and man pages must hold (docs/cli-reference.md).
const DOCS: CliDocs = CliDocs {
    exe: env!("CARGO_BIN_EXE_mockcloud"),
    name: "mockcloud",
    subcommands: &["serve", "bench", "completions", "man"],
    nested_pages: &[],
    bash_complete: "complete -F _mockcloud",
    // The flags of serve, e.g. --state-file, are completed too.
    bash_holds: &["--state-file"],
    unknown_shell: "tcsh",
    page_holds: &[(
        "mockcloud-serve.1",
        &["unusable \\-\\-state\\-file", "\\-\\-state\\-file"],
    )],
    page_codes: &[("mockcloud-serve.1", 0..=7)],
    rendered: ("mockcloud-serve.1", "--state-file"),
};

#[test]
fn version_names_the_commit() {
    DOCS.check_version(env!("CARGO_PKG_VERSION"));
    // Built from a git checkout (as the tests are) the commit is HEAD's, unless a packager
    // set NOVA_CONFORM_COMMIT.
    let head = Command::new("git")
        .args([
            "-C",
            env!("CARGO_MANIFEST_DIR"),
            "log",
            "-1",
            "--format=%h %cd",
            "--date=short",
            "--abbrev=7",
        ])
        .output();
    match (option_env!("NOVA_CONFORM_COMMIT"), head) {
        (Some(v), _) if !v.trim().is_empty() => assert_eq!(mockcloud::build_info::COMMIT, v.trim()),
        (_, Ok(out)) if out.status.success() => assert_eq!(
            mockcloud::build_info::COMMIT,
            String::from_utf8(out.stdout).unwrap().trim()
        ),
        _ => assert_eq!(mockcloud::build_info::COMMIT, "unknown commit"),
    }
}

#[test]
fn completion_scripts_for_each_shell() {
    DOCS.check_completions();
}

#[test]
fn man_pages_for_the_binary_and_each_subcommand() {
    DOCS.check_man_pages();
}
