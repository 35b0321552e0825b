//! The binary's contract: exit codes, `list`, and a small `run` against the embedded mock
//! with every report written.
use std::process::Command;

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
            "host=null force=true",
            "--microversions",
            "2.55-2.56",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].starts_with("nc-")
            && lines[0].ends_with("2.55 host=null,force=true on active as admin"),
        "{text}"
    );
    assert_eq!(lines[2], "2 cases (profile nova, versions 2.1-2.104)");
    let all = bin().args(["list"]).output().unwrap();
    let ex = bin().args(["list", "--exhaustive"]).output().unwrap();
    let last = |o: &std::process::Output| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .last()
            .unwrap()
            .to_string()
    };
    assert!(last(&all).starts_with("6902 cases"), "{}", last(&all));
    assert!(last(&ex).starts_with("15164 cases"), "{}", last(&ex));
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
    assert!(stdout.contains("total: 5 pass"), "{stdout}");
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
