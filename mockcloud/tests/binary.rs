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
