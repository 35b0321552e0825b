//! The standalone `mockcloud serve` binary on 127.0.0.1:0 for end-to-end tests of the
//! real-cloud path, and `nova-conform` as a process against it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

/// The directory of the binaries of the running test's profile (`target/<profile>`): a test
/// binary is `target/<profile>/deps/<name>-<hash>`. Cargo passes `CARGO_BIN_EXE_*` only to
/// the tests of the package that owns the binary, not to this crate.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.parent()
        .and_then(Path::parent)
        .expect("a test binary lives in target/<profile>/deps")
        .to_path_buf()
}

/// The `nova-conform` binary of this profile; cargo builds it before the suite's
/// integration tests run.
pub fn nova_conform_bin() -> PathBuf {
    profile_dir().join(format!("nova-conform{}", std::env::consts::EXE_SUFFIX))
}

/// The `mockcloud` binary next to `nova-conform` in the target directory, built from this tree
/// once per test process: `cargo test -p nova-conform` alone does not build another package's
/// binary, and one left from an earlier build would test a stale mock (seen: a spurious "100
/// differences in 50 cases"). Cargo makes this a no-op when it is current.
pub fn mockcloud_bin() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let dir = profile_dir();
            let bin = dir.join(format!("mockcloud{}", std::env::consts::EXE_SUFFIX));
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let mut cmd = Command::new(cargo);
            cmd.args(["build", "--quiet", "-p", "mockcloud", "--bin", "mockcloud"]);
            // The profile of the test binary (target/<profile>/...).
            if dir.file_name() == Some(std::ffi::OsStr::new("release")) {
                cmd.arg("--release");
            }
            let ok = cmd.status().expect("cargo build mockcloud").success();
            assert!(ok, "building mockcloud failed");
            assert!(bin.exists(), "{} was not built", bin.display());
            bin
        })
        .clone()
}

pub struct MockServe {
    child: Child,
    pub base: String,
    pub dir: PathBuf,
    pub clouds_yaml: PathBuf,
    http: reqwest::Client,
}

impl Drop for MockServe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl MockServe {
    /// Starts `mockcloud serve --lifecycle timed` with `extra` arguments.
    pub fn start(extra: &[&str]) -> MockServe {
        let dir = std::env::temp_dir().join(format!(
            "nc-real-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let clouds_yaml = dir.join("clouds.yaml");
        let mut child = Command::new(mockcloud_bin())
            .args(["serve", "--bind", "127.0.0.1:0", "--lifecycle", "timed"])
            .args(extra)
            .arg("--clouds-yaml")
            .arg(&clouds_yaml)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn mockcloud serve");
        let mut base = None;
        let reader = BufReader::new(child.stdout.take().unwrap());
        for line in reader.lines() {
            let line = line.unwrap();
            if let Some(c) = line.strip_prefix("compute: ") {
                base = Some(c.trim_end_matches("/v2.1").to_string());
            }
            if line == "READY" {
                break;
            }
        }
        let base = base.expect("mockcloud printed its compute URL");
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        MockServe {
            child,
            base,
            dir,
            clouds_yaml,
            http,
        }
    }

    /// `nova-conform` with this mock's clouds.yaml and no other OpenStack environment.
    pub fn nova_conform(&self, args: &[&str]) -> Command {
        let mut c = Command::new(nova_conform_bin());
        for (k, _) in std::env::vars() {
            if k.starts_with("OS_") {
                c.env_remove(k);
            }
        }
        c.env("OS_CLIENT_CONFIG_FILE", &self.clouds_yaml)
            .env("NO_PROXY", "127.0.0.1,localhost")
            .current_dir(&self.dir)
            .args(args);
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.nova_conform(args).output().expect("run nova-conform")
    }

    /// The control API: `method path` with a JSON body.
    pub async fn control(&self, method: &str, path: &str, body: Value) -> u16 {
        let url = format!("{}{path}", self.base);
        let rb = match method {
            "POST" => self.http.post(url),
            "PUT" => self.http.put(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.get(url),
        };
        rb.json(&body)
            .send()
            .await
            .expect("control API")
            .status()
            .as_u16()
    }

    /// `GET path` on the mock (control API) as JSON.
    pub async fn http_get_json(&self, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn fault(&self, rule: Value) {
        assert_eq!(self.control("POST", "/mockcloud/faults", rule).await, 201);
    }

    pub async fn clear_faults(&self) {
        assert_eq!(
            self.control("DELETE", "/mockcloud/faults", Value::Null)
                .await,
            204
        );
    }

    /// An admin token from the mock's Keystone (password from clouds.yaml).
    pub async fn admin_token(&self) -> String {
        let yaml: serde_yaml::Value =
            serde_yaml::from_str(&std::fs::read_to_string(&self.clouds_yaml).unwrap()).unwrap();
        let auth = &yaml["clouds"]["mockcloud-admin"]["auth"];
        let body = json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": auth["username"].as_str().unwrap(), "domain": {"name": "Default"},
            "password": auth["password"].as_str().unwrap()}}},
            "scope": {"project": {"name": "demo", "domain": {"name": "Default"}}}}});
        let r = self
            .http
            .post(format!("{}/identity/v3/auth/tokens", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201);
        r.headers()["X-Subject-Token"].to_str().unwrap().to_string()
    }

    /// Every server in every project, as the admin sees them through the API.
    pub async fn servers(&self) -> Vec<Value> {
        let r = self
            .http
            .get(format!("{}/v2.1/servers/detail?all_tenants=1", self.base))
            .header("X-Auth-Token", self.admin_token().await)
            .header("OpenStack-API-Version", "compute 2.56")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let v: Value = r.json().await.unwrap();
        v["servers"].as_array().cloned().unwrap_or_default()
    }

    /// Servers whose name starts with `nova-conform-`.
    pub async fn suite_servers(&self) -> Vec<Value> {
        self.servers()
            .await
            .into_iter()
            .filter(|s| {
                s["name"]
                    .as_str()
                    .is_some_and(|n| n.starts_with("nova-conform-"))
            })
            .collect()
    }

    /// Creates a server as admin (not through the suite).
    pub async fn create_server(&self, name: &str) -> String {
        let r = self
            .http
            .post(format!("{}/v2.1/servers", self.base))
            .header("X-Auth-Token", self.admin_token().await)
            .header("OpenStack-API-Version", "compute 2.56")
            .json(&json!({"server": {"name": name, "flavorRef": "1",
                "imageRef": "8b9e1c6e-2f0a-4c3e-9a51-6d0c0e7f5a11", "networks": "none"}}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 202);
        let v: Value = r.json().await.unwrap();
        v["server"]["id"].as_str().unwrap().to_string()
    }
}

/// The standard identities of the mock.
pub const ROLES: &[&str] = &[
    "--os-cloud",
    "mockcloud-admin",
    "--manager-cloud",
    "mockcloud-manager",
    "--member-cloud",
    "mockcloud-member",
    "--other-cloud",
    "mockcloud-other",
];

pub fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

pub fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}
