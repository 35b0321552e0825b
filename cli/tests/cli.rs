//! The binary's contract: exit codes, `list`, and a small `run` against the embedded mock
//! with every report written.
use std::process::Command;

use test_support::cli_docs::CliDocs;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_nova-conform"))
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec!["list", "--filter", "colour=red"],
        vec!["list", "--microversions", "2.x"],
        vec!["run", "--jobs", "0"],
        vec!["run", "--profile", "bogus"],
        vec!["list", "--nova-release", "kilo"],
        vec!["run", "--nova-release", "2017.2"],
        vec!["fidelity", "--nova-release", "folsom"],
        vec!["frobnicate"],
    ] {
        let out = bin().args(&args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stderr.is_empty(), "{args:?} explains itself");
    }
}

#[test]
fn list_prints_ids_and_names() {
    let out = bin()
        .args([
            "list",
            "--filter",
            "host=null force=true pre=active role=admin",
            "--microversions",
            "2.55-2.56",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines[0].starts_with("nc-")
            && lines[0].ends_with("2.55 host=null,force=true on active as admin"),
        "{text}"
    );
    assert_eq!(lines[2], "2 cases (profile nova, versions 2.1-2.104)");
    assert_eq!(
        lines[3],
        "Nova release: auto, candidates 2026.2 (advertised max microversion 2.104)"
    );
    let count = |args: &[&str]| {
        let o = bin().args(args).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .find(|l| l.contains(" cases (profile"))
            .unwrap()
            .to_string()
    };
    // 7034 cold + 1698 live cases; --no-live lists the cold ones as before.
    assert!(count(&["list"]).starts_with("8732 cases"));
    assert!(count(&["list", "--no-live"]).starts_with("7034 cases"));
    assert!(count(&["list", "--exhaustive"]).starts_with("30750 cases"));
    assert!(count(&["list", "--exhaustive", "--no-live"]).starts_with("18050 cases"));
    // A series lists against its own max microversion.
    assert_eq!(
        count(&["list", "--nova-release", "epoxy", "--no-live"]),
        "6786 cases (profile nova, versions 2.1-2.100)"
    );
    assert_eq!(
        count(&["list", "--nova-release", "epoxy"]),
        "8472 cases (profile nova, versions 2.1-2.100)"
    );
    let o = bin()
        .args(["list", "--max-version", "2.98", "--filter", "mv=2.1"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("Nova release: auto, candidates 2024.1 (caracal), 2024.2 (dalmatian) (advertised max microversion 2.98)\nWARNING: no Nova in the release table advertises microversion 2.98"),
        "{text}"
    );
}

#[test]
fn run_writes_every_report() {
    let dir = std::env::temp_dir().join(format!("nova-conform-cli-{}", std::process::id()));
    let out = bin()
        .args([
            "run",
            "--profile",
            "pike-spec",
            "--filter",
            "host=null mv=2.56",
        ])
        .arg("--junit")
        .arg(dir.join("r.xml"))
        .arg("--json")
        .arg(dir.join("r.json"))
        .arg("--html")
        .arg(dir.join("r.html"))
        .arg("--snapshot-dir")
        .arg(dir.join("snap"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // 5 bodies x admin on ACTIVE, and force true without a host crossed with the 28
    // precondition x role pairs (one of which is admin on ACTIVE); and the live host=null case
    // of the live-versions block.
    assert!(stdout.contains("total: 34 pass"), "{stdout}");
    assert!(
        stdout.contains(
            "  Nova release: behaves like Nova 2026.2 (advertised max microversion 2.104)"
        ),
        "{stdout}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("r.json")).unwrap()).unwrap();
    let rel = &json["runs"][0]["nova_release"];
    assert_eq!(rel["summary"], "behaves like Nova 2026.2");
    assert_eq!(rel["explained_by"], serde_json::json!(["2026.2"]));
    assert_eq!(rel["consistent"], true);
    let xml = std::fs::read_to_string(dir.join("r.xml")).unwrap();
    assert!(
        xml.contains(r#"<property name="nova_release" value="behaves like Nova 2026.2"/>"#),
        "{xml:.600}"
    );
    for f in [
        "r.xml",
        "r.json",
        "r.html",
        "snap/behaviour-map-pike-spec.txt",
        "snap/exchanges-pike-spec.txt",
    ] {
        let text = std::fs::read_to_string(dir.join(f)).unwrap();
        assert!(!text.is_empty(), "{f}");
    }
    let ok = bin()
        .args(["run", "--filter", "host=null force=true mv=2.56"])
        .output()
        .unwrap();
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// What nova-conform's completions and man pages must hold (docs/cli-reference.md).
const DOCS: CliDocs = CliDocs {
    exe: env!("CARGO_BIN_EXE_nova-conform"),
    name: "nova-conform",
    subcommands: &[
        "run",
        "list",
        "bench",
        "cleanup",
        "migrate",
        "migration",
        "fidelity",
        "verify",
        "completions",
        "man",
    ],
    nested_pages: &["nova-conform-migration-list.1"],
    bash_complete: "complete -F _nova__conform",
    // Nested (`migration list`) and the flags of run.
    bash_holds: &["nova__conform__subcmd__migration,list)", "--nova-release"],
    unknown_shell: "csh",
    // Each page has its own command's codes (docs/cli-reference.md's table).
    page_holds: &[
        (
            "nova-conform-run.1",
            &["no single Nova release explains every answer"],
        ),
        (
            "nova-conform-cleanup.1",
            &["some servers could not be removed"],
        ),
        ("nova-conform-migration-list.1", &["the API refused"]),
        (
            "nova-conform-fidelity.1",
            &["differences, or the endpoint fails"],
        ),
        ("nova-conform-verify.1", &["made with another oracle"]),
    ],
    page_codes: &[("nova-conform-run.1", 0..=3)],
    rendered: ("nova-conform-run.1", "--nova-release"),
};

#[test]
fn version_names_the_commit() {
    DOCS.check_version(env!("CARGO_PKG_VERSION"));
}

#[test]
fn completion_scripts_name_every_subcommand() {
    DOCS.check_completions();
}

#[test]
fn man_pages_for_every_subcommand_with_exit_status() {
    DOCS.check_man_pages();
}

/// `list | head -1`: the reader goes away after one line; the command ends quietly with 0
/// (it panicked with "failed printing to stdout: Broken pipe"). A write that fails for another
/// reason (a full disk) is said on stderr and exits 2.
#[test]
fn output_to_a_departed_reader_ends_quietly_and_a_failed_write_exits_2() {
    use std::io::Read;
    use std::process::Stdio;
    // `list` writes ~0.5 MB, far more than a pipe holds, so its writes meet the closed pipe
    // (a completion script or a man page fits in the pipe's buffer and never would).
    for args in [&["list"][..], &["list", "--exhaustive"][..]] {
        let mut child = bin()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 16];
        stdout.read_exact(&mut first).unwrap();
        drop(stdout); // the reader goes away, as `head` does
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
    if let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") {
        let out = bin().arg("list").stdout(full).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("cannot write to standard output (No space left on device"),
            "{stderr}"
        );
    }
}

/// `--submission DIR` that holds other files is refused before the first request (exit 2,
/// DIR untouched); a report that cannot be written at the end exits 2 after the summary was
/// printed, so the run's findings are not lost with the file.
#[test]
fn unusable_report_destinations_exit_2_without_losing_the_run() {
    let root = std::env::temp_dir().join(format!("nc-cli-dest-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let dir = root.join("bundle");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    let out = bin()
        .args(["run", "--filter", "mv=2.56 host=null"])
        .arg("--submission")
        .arg(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!(
            "nova-conform: submission bundle: {}: not an empty directory or an earlier bundle (notes.txt is in it)",
            dir.display()
        )
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "", "no run happened");
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["notes.txt"]);
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "mine"
    );
    assert!(!root.join("bundle.tar.gz").exists());

    // Its directory cannot be made: a file stands there.
    let file = root.join("a-file");
    std::fs::write(&file, "").unwrap();
    let json = file.join("r.json");
    let out = bin()
        .args(["run", "--filter", "mv=2.56 host=null"])
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with(&format!("nova-conform: report {}: ", file.display())),
        "{stderr}"
    );
    assert!(stdout.contains("total: "), "the summary: {stdout}");
    let _ = std::fs::remove_dir_all(&root);
}
