//! `mockcloud serve --state-file F`, through the real binary: saved on SIGTERM, loaded at the
//! next start, and a file that cannot be loaded refused with exit 7 and left as it was.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("mockcloud-state-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn serve(state: &Path, clouds: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mockcloud"));
    c.args(["serve", "--bind", "127.0.0.1:0", "--state-file"])
        .arg(state)
        .arg("--clouds-yaml")
        .arg(clouds)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// The started mock: its stdout lines up to READY and its compute and identity URLs.
struct Running {
    child: Child,
    lines: Vec<String>,
    rest: std::io::Lines<BufReader<std::process::ChildStdout>>,
    compute: String,
    identity: String,
}

fn start(mut cmd: Command) -> Running {
    let mut child = cmd.spawn().unwrap();
    let mut rest = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut lines = Vec::new();
    for line in rest.by_ref() {
        let line = line.unwrap();
        let ready = line == "READY";
        lines.push(line);
        if ready {
            break;
        }
    }
    assert_eq!(lines.last().map(String::as_str), Some("READY"), "{lines:?}");
    let find = |p: &str| {
        lines
            .iter()
            .find_map(|l| l.strip_prefix(p))
            .unwrap()
            .to_string()
    };
    Running {
        compute: find("compute: "),
        identity: find("identity: "),
        child,
        lines,
        rest,
    }
}

impl Running {
    /// SIGTERM; the exit code and the lines printed after READY.
    fn stop(mut self) -> (Option<i32>, Vec<String>) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok);
        let after: Vec<String> = self.rest.by_ref().map(|l| l.unwrap()).collect();
        (self.child.wait().unwrap().code(), after)
    }
}

/// An admin client of the mock `clouds.yaml` describes.
struct Admin {
    rt: tokio::runtime::Runtime,
    http: reqwest::Client,
    compute: String,
    token: String,
}

impl Admin {
    fn login(r: &Running, clouds: &Path) -> Admin {
        let y: serde_yaml::Value =
            serde_yaml::from_str(&std::fs::read_to_string(clouds).unwrap()).unwrap();
        let a = &y["clouds"]["mockcloud-admin"]["auth"];
        let body = json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": a["username"].as_str().unwrap(), "domain": {"name": "Default"},
            "password": a["password"].as_str().unwrap()}}},
            "scope": {"project": {"name": "demo", "domain": {"name": "Default"}}}}});
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let http = reqwest::Client::new();
        let resp = rt
            .block_on(
                http.post(format!("{}/auth/tokens", r.identity))
                    .json(&body)
                    .send(),
            )
            .unwrap();
        assert_eq!(resp.status().as_u16(), 201);
        Admin {
            token: resp.headers()["x-subject-token"]
                .to_str()
                .unwrap()
                .to_string(),
            rt,
            http,
            compute: r.compute.clone(),
        }
    }

    fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        version: &str,
        body: Option<Value>,
    ) -> (u16, String) {
        let mut rb = self
            .http
            .request(method, format!("{}{path}", self.compute))
            .header("x-auth-token", &self.token)
            .header("OpenStack-API-Version", format!("compute {version}"));
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let (status, text) = self.rt.block_on(async {
            let r = rb.send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        });
        // Each process has its own port: compare the answers without it.
        let base = self.compute.trim_end_matches("/v2.1").to_string();
        (status, text.replace(&base, "http://MOCK"))
    }
}

fn files(d: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn saved_on_sigterm_and_loaded_at_the_next_start() {
    let d = dir("roundtrip");
    let (state, clouds) = (d.join("mock.json"), d.join("clouds.yaml"));

    let first = start(serve(&state, &clouds));
    assert!(first.lines.contains(&format!(
        "state: {} does not exist yet: the seeded state, saved there on shutdown",
        state.display()
    )));
    let admin = Admin::login(&first, &clouds);
    let (s, created) = admin.call(
        reqwest::Method::POST,
        "/servers",
        "2.74",
        Some(json!({"server": {"name": "kept", "flavorRef": "1", "imageRef": "8b9e1c6e-2f0a-4c3e-9a51-6d0c0e7f5a11", "networks": "none"}})),
    );
    assert_eq!(s, 202, "{created}");
    let id = serde_json::from_str::<Value>(&created).unwrap()["server"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, _) = admin.call(
        reqwest::Method::POST,
        &format!("/servers/{id}/action"),
        "2.56",
        Some(json!({"migrate": {"host": "compute3"}})),
    );
    assert_eq!(s, 202);
    let server_1 = admin.call(
        reqwest::Method::GET,
        &format!("/servers/{id}"),
        "2.104",
        None,
    );
    let migrations_1 = admin.call(reqwest::Method::GET, "/os-migrations", "2.80", None);
    assert_eq!(server_1.0, 200);
    let (code, after) = first.stop();
    assert_eq!(code, Some(0));
    assert_eq!(
        after,
        [format!(
            "state: saved {} (1 servers, 1 migrations)",
            state.display()
        )]
    );
    // Renamed into place: no temporary file is left beside it.
    assert_eq!(files(&d), ["clouds.yaml", "mock.json"]);
    let saved = std::fs::read_to_string(&state).unwrap();
    let clouds_1 = std::fs::read_to_string(&clouds).unwrap();
    let y: serde_yaml::Value = serde_yaml::from_str(&clouds_1).unwrap();
    for (_, cloud) in y["clouds"].as_mapping().unwrap() {
        let password = cloud["auth"]["password"].as_str().unwrap();
        assert!(!saved.contains(password), "a password was saved");
    }
    assert!(!saved.contains(&admin.token), "a token was saved");

    let second = start(serve(&state, &clouds));
    assert!(second.lines.contains(&format!(
        "state: loaded {} (1 servers, 1 migrations)",
        state.display()
    )));
    // This run's clouds.yaml authenticates (its own passwords; the state has none).
    let admin = Admin::login(&second, &clouds);
    assert_eq!(
        admin.call(
            reqwest::Method::GET,
            &format!("/servers/{id}"),
            "2.104",
            None
        ),
        server_1
    );
    assert_eq!(
        admin.call(reqwest::Method::GET, "/os-migrations", "2.80", None),
        migrations_1
    );
    let (code, after) = second.stop();
    assert_eq!(code, Some(0));
    assert_eq!(
        after,
        [format!(
            "state: saved {} (1 servers, 1 migrations)",
            state.display()
        )]
    );
    assert_eq!(
        std::fs::read_to_string(&state).unwrap(),
        saved,
        "nothing changed, nothing differs"
    );
    let _ = std::fs::remove_dir_all(&d);
}

/// A file that cannot be loaded: exit 7, the reason on stderr, no READY, the file as it was.
fn refused(name: &str, contents: &[u8], reason: &str) {
    let d = dir(name);
    let (state, clouds) = (d.join("mock.json"), d.join("clouds.yaml"));
    std::fs::write(&state, contents).unwrap();
    let mut child = serve(&state, &clouds).spawn().unwrap();
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(7), "{name}: {err}");
    // One line: the reason (a JSON error ends in where it is, e.g. "at line 130 column 3").
    let expected = format!(
        "mockcloud: error: cannot load the state {}: {reason}",
        state.display()
    );
    assert!(err.starts_with(&expected), "{name}: {err}");
    assert_eq!(err.lines().count(), 1, "{name}: {err}");
    assert!(!out.contains("READY"), "{name}: {out}");
    assert_eq!(
        std::fs::read(&state).unwrap(),
        contents,
        "{name}: the file was changed"
    );
    assert_eq!(
        files(&d),
        ["mock.json"],
        "{name}: no clouds.yaml, no temporary file"
    );
    let _ = std::fs::remove_dir_all(&d);
}

fn a_saved_state() -> Vec<u8> {
    let (router, state) = mockcloud::MockCloud::builder().into_router_with_state();
    drop(router);
    state.export_json()
}

#[test]
fn a_truncated_file_is_refused_with_exit_7() {
    let good = a_saved_state();
    refused(
        "truncated",
        &good[..good.len() / 3],
        "not a valid mockcloud state: not JSON: EOF while parsing",
    );
}

#[test]
fn an_empty_file_is_refused_with_exit_7() {
    refused(
        "empty",
        b"",
        "not a valid mockcloud state: not JSON: EOF while parsing a value at line 1 column 0",
    );
}

#[test]
fn a_foreign_or_newer_file_is_refused_with_exit_7() {
    refused(
        "foreign",
        b"{\"kind\": \"Config\", \"apiVersion\": \"v1\"}\n",
        "not a mockcloud state: kind is \"Config\" (expected \"mockcloud-state\")",
    );
    let mut doc: Value = serde_json::from_slice(&a_saved_state()).unwrap();
    doc["schema_version"] = json!(7);
    refused(
        "newer",
        &serde_json::to_vec_pretty(&doc).unwrap(),
        "mockcloud state schema_version 7 is not supported: this mockcloud reads schema_version 1 (the state was written by a newer mockcloud)",
    );
    let mut doc: Value = serde_json::from_slice(&a_saved_state()).unwrap();
    doc["mock"]["profile"] = json!("pike-spec");
    refused(
        "other-profile",
        &serde_json::to_vec_pretty(&doc).unwrap(),
        "the state was saved by another kind of mock: profile pike-spec (this mock: nova)",
    );
}

#[test]
fn a_state_file_in_a_missing_directory_is_refused_before_serving() {
    let d = dir("nodir");
    let state = d.join("no").join("such").join("mock.json");
    let out = serve(&state, &d.join("clouds.yaml")).output().unwrap();
    assert_eq!(out.status.code(), Some(5));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err,
        format!(
            "mockcloud: error: cannot write {}: no directory {}\n",
            state.display(),
            d.join("no").join("such").display()
        )
    );
    let _ = std::fs::remove_dir_all(&d);
}
