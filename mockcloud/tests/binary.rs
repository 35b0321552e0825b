//! `mockcloud serve`: endpoints, READY, clouds.yaml, clean shutdown, exit codes.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mockcloud"))
}

#[test]
fn serve_prints_ready_writes_clouds_yaml_and_stops_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("mockcloud-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let yaml = dir.join("clouds.yaml");
    let mut child = bin()
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--profile",
            "pike-spec",
            "--max-version",
            "2.90",
            "--hosts",
            "a,b",
        ])
        .arg("--clouds-yaml")
        .arg(&yaml)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut compute = None;
    let mut identity = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(u) = line.strip_prefix("compute: ") {
            compute = Some(u.to_string());
        }
        if let Some(u) = line.strip_prefix("identity: ") {
            identity = Some(u.to_string());
        }
        if line == "READY" {
            break;
        }
    }
    let compute = compute.expect("compute endpoint printed");
    assert!(identity.unwrap().ends_with("/identity/v3"));
    let text = std::fs::read_to_string(&yaml).unwrap();
    for c in [
        "mockcloud-admin",
        "mockcloud-manager",
        "mockcloud-member",
        "mockcloud-reader",
        "mockcloud-other",
    ] {
        assert!(text.contains(c), "{c} in clouds.yaml");
    }
    // It holds passwords: only its owner may read it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&yaml).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "clouds.yaml mode {mode:o}");
    }
    // The server answers: the version document advertises --max-version.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let doc: serde_json::Value =
        rt.block_on(async { reqwest::get(&compute).await.unwrap().json().await.unwrap() });
    assert_eq!(doc["version"]["version"], "2.90");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn distinct_exit_codes() {
    let out = bin()
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--scenario",
            "/nonexistent/scenario.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("mockcloud: error: cannot read scenario"),
        "{err}"
    );
    let out = bin()
        .args(["serve", "--bind", "127.0.0.1:0", "--max-version", "banana"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let out = bin().args(["serve", "--bogus"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = bin().args(["serve", "--bind", &addr]).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
}

/// Starts `serve` with `args`, returns the lines before READY and the version document's
/// max, then stops it.
fn serve_lines(args: &[&str]) -> (Vec<String>, String) {
    let mut child = bin()
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut printed = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if line == "READY" {
            break;
        }
        printed.push(line);
    }
    let compute = printed
        .iter()
        .find_map(|l| l.strip_prefix("compute: "))
        .expect("compute endpoint printed")
        .to_string();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let doc: serde_json::Value =
        rt.block_on(async { reqwest::get(&compute).await.unwrap().json().await.unwrap() });
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(child.wait().unwrap().code(), Some(0));
    (
        printed,
        doc["version"]["version"].as_str().unwrap().to_string(),
    )
}

#[test]
fn serve_follows_the_nova_release_and_prints_it() {
    let (lines, max) = serve_lines(&[]);
    assert_eq!(
        lines[0],
        "nova release: 2026.2: Nova 34.0.0, microversions 2.1 to 2.104"
    );
    assert_eq!(max, "2.104");
    let (lines, max) = serve_lines(&["--nova-release", "epoxy"]);
    assert_eq!(
        lines[0],
        "nova release: 2025.1 (epoxy): Nova 31.3.1, microversions 2.1 to 2.100"
    );
    assert_eq!(max, "2.100");
    // --max-version still overrides the series' range.
    let (lines, max) = serve_lines(&["--nova-release", "2018.1", "--max-version", "2.58"]);
    assert_eq!(
        lines[0],
        "nova release: 2018.1 (queens): Nova 17.0.13, microversions 2.1 to 2.58"
    );
    assert_eq!(max, "2.58");
}

#[test]
fn an_unknown_nova_release_exits_6_naming_the_known_series() {
    let out = bin()
        .args(["serve", "--bind", "127.0.0.1:0", "--nova-release", "kilo"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("mockcloud: error: unknown Nova release \"kilo\" (known: 2018.1, 2018.2, "),
        "{err}"
    );
    assert!(err.trim_end().ends_with("2026.1, 2026.2)"), "{err}");
    assert!(out.stdout.is_empty(), "nothing served");
}
