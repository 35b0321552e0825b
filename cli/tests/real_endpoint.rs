//! The real-cloud path end to end: `nova-conform run --os-cloud ...` as a process against the
//! standalone `mockcloud serve --lifecycle timed` over HTTP with Keystone auth, with faults
//! injected through the mock's control API. After every run the mock must hold no server
//! the run created (checked through the API as admin, all projects).
use test_support::mock_serve;

use std::time::{Duration, Instant};

use mock_serve::{read_json, text, MockServe, ROLES};
use serde_json::json;

/// Fast timed lifecycle: 50 ms per step.
const FAST: &[&str] = &[
    "--step-ms",
    "50",
    "--hosts",
    "compute1,compute2,compute3,compute4",
];

async fn mock() -> MockServe {
    let m = MockServe::start(FAST);
    // An operator's disabled host, for the disabled-host cases.
    assert_eq!(
        m.control(
            "PUT",
            "/mockcloud/hosts/compute4",
            json!({"enabled": false, "disabled_reason": "maintenance"})
        )
        .await,
        200
    );
    m
}

fn args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["run"];
    v.extend_from_slice(ROLES);
    v.extend_from_slice(&["--poll-interval", "0.05"]);
    if !extra.contains(&"--wait-timeout") {
        v.extend_from_slice(&["--wait-timeout", "20"]);
    }
    v.extend_from_slice(extra);
    v
}

fn verdicts(report: &serde_json::Value) -> std::collections::BTreeMap<String, usize> {
    let mut m = std::collections::BTreeMap::new();
    for r in report["runs"][0]["results"].as_array().unwrap() {
        *m.entry(r["verdict"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_default_run_passes_and_leaves_no_server() {
    let m = mock().await;
    let report = m.dir.join("report.json");
    let out = m.run(&args(&["--json", report.to_str().unwrap()]));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let v = verdicts(&read_json(&report));
    // Cold 2,998 and live 1,337 (the default matrix's accepted cases at their boundaries
    // only, the rest of the refused ones all).
    let live = |r: &serde_json::Value| r["name"].as_str().unwrap().contains(" live ");
    let by_action = |verdict: &str| {
        let results = read_json(&report)["runs"][0]["results"].clone();
        let (l, c): (Vec<_>, Vec<_>) = results
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["verdict"] == verdict)
            .cloned()
            .partition(live);
        (c.len(), l.len())
    };
    assert_eq!(by_action("pass"), (2998, 1337), "{v:?}");
    assert_eq!(by_action("skip"), (530, 60), "{v:?}");
    assert_eq!(v.get("fail"), None, "{stdout}");
    assert_eq!(v.get("error"), None, "{stdout}");
    // The only skips are the no-capacity cases (a real cloud is never filled up).
    let skips: Vec<String> = read_json(&report)["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["verdict"] == "skip")
        .map(|r| r["reason"].as_str().unwrap().to_string())
        .collect();
    assert!(
        skips.iter().all(|r| r.contains("lack capacity")),
        "{skips:?}"
    );
    assert!(stderr.contains("phase 2"), "{stderr}");
    // The VERIFY_RESIZE server is reverted before it is deleted.
    assert!(
        stderr.contains("cleanup: reverting the resize of nova-conform-"),
        "{stderr}"
    );
    assert!(m.suite_servers().await.is_empty(), "servers left behind");
    // Never prints a password from clouds.yaml.
    let yaml = std::fs::read_to_string(&m.clouds_yaml).unwrap();
    for line in yaml
        .lines()
        .filter(|l| l.trim_start().starts_with("password:"))
    {
        let pw = line.split(':').nth(1).unwrap().trim();
        assert!(!stdout.contains(pw) && !stderr.contains(pw));
        assert!(!std::fs::read_to_string(&report).unwrap().contains(pw));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_prints_the_plan_and_sends_only_gets() {
    let m = mock().await;
    assert_eq!(
        m.control("PUT", "/mockcloud/journal", json!({"enabled": true}))
            .await,
        204
    );
    let out = m.run(&args(&["--dry-run"]));
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(stdout.contains("servers to create: 6"), "{stdout}");
    assert!(stdout.contains("chained per precondition"), "{stdout}");
    assert!(stdout.contains("estimated wall time"), "{stdout}");
    let journal: serde_json::Value = m.http_get_json("/mockcloud/journal").await;
    let entries = journal["entries"].as_array().unwrap();
    assert!(!entries.is_empty());
    for e in entries {
        let method = e["method"].as_str().unwrap_or("");
        let path = e["path"].as_str().unwrap_or("");
        assert!(
            method == "GET" || path.contains("/auth/tokens"),
            "dry run sent {method} {path}"
        );
    }
    assert!(m.servers().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_host_turns_the_no_capacity_skips_into_cases() {
    let m = mock().await;
    const SKIP: &str = "no compute host is known to lack capacity";
    let without = m.run(&args(&["--dry-run"]));
    assert!(
        text(&without.stdout).contains(SKIP),
        "{}",
        text(&without.stdout)
    );
    // The operator names a host; the suite takes it out of the hosts it migrates to.
    let with = m.run(&args(&["--dry-run", "--full-host", "compute3"]));
    let stdout = text(&with.stdout);
    assert_eq!(with.status.code(), Some(0), "{}", text(&with.stderr));
    assert!(!stdout.contains(SKIP), "{stdout}");
    let unknown = m.run(&args(&["--dry-run", "--full-host", "nosuch"]));
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        text(&unknown.stderr).contains("--full-host nosuch: the cloud has no compute host"),
        "{}",
        text(&unknown.stderr)
    );
}

/// A narrow run: the accepted cases at 2.56 and a few refused ones.
fn narrow(extra: &[&'static str]) -> Vec<&'static str> {
    let mut v = vec!["--filter", "mv=2.56 role=admin host=other,null,unknown"];
    v.extend_from_slice(extra);
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_on_migrate_are_errors_and_nothing_is_left() {
    let m = mock().await;
    m.fault(
        json!({"method": "POST", "path": "/v2.1/servers/*/action", "action": "migrate",
        "microversion": "2.56", "status": 500,
        "body": {"computeFault": {"code": 500, "message": "injected"}}, "times": 3}),
    )
    .await;
    let out = m.run(&args(&narrow(&[])));
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(stdout.contains("unexpected 500"), "{stdout}");
    m.clear_faults().await;
    assert!(m.suite_servers().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passing_503s_on_helper_requests_are_retried_and_the_run_passes() {
    let m = mock().await;
    // A restarting API worker: the first GETs of servers and migrations answer 503.
    m.fault(
        json!({"method": "GET", "path": "/v2.1/servers/*", "status": 503,
        "body": {"serviceUnavailable": {"code": 503, "message": "restarting"}}, "times": 4}),
    )
    .await;
    m.fault(json!({"method": "GET", "path": "/v2.1/os-migrations", "status": 503, "times": 2}))
        .await;
    let out = m.run(&args(&narrow(&[])));
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    let fired = m.http_get_json("/mockcloud/faults").await;
    for r in fired["rules"].as_array().unwrap() {
        assert_eq!(r["fired"], r["rule"]["times"], "{r}");
    }
    m.clear_faults().await;
    assert!(m.suite_servers().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_connections_and_slow_answers_leave_nothing() {
    let m = mock().await;
    // Three compute requests dropped (the first ones: discovery's and setup's GETs, which are
    // retried), then one migrate request dropped (never resent: exactly one Error), and every
    // GET slowed down. Deterministic, so the outcome is exact.
    m.fault(json!({"method": "GET", "path": "/v2.1/**", "drop": true, "times": 3}))
        .await;
    m.fault(
        json!({"method": "POST", "path": "/v2.1/servers/*/action", "action": "migrate",
        "drop": true, "times": 1}),
    )
    .await;
    m.fault(json!({"method": "GET", "path": "/v2.1/**", "latency_ms": 150}))
        .await;
    let report = m.dir.join("report.json");
    let mut run = args(&narrow(&[]));
    run.extend(["--json", report.to_str().unwrap()]);
    let out = m.run(&run);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");
    let doc = read_json(&report);
    let v = verdicts(&doc);
    assert_eq!(v.get("error"), Some(&1), "{v:?}\n{stdout}");
    assert_eq!(v.get("fail"), None, "{v:?}\n{stdout}");
    let err = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["verdict"] == "error")
        .unwrap();
    let reason = err["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("migrate request: POST http://127.0.0.1:")
            && reason.ends_with(
                "/action: connection broken (connection closed before message completed): no answer"
            ),
        "{reason}"
    );
    m.clear_faults().await;
    assert!(
        m.suite_servers().await.is_empty(),
        "left behind:\n{stdout}\n{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_stuck_in_resize_is_an_error_with_its_status_and_is_deleted() {
    // Slow steps so the test sees the migration start.
    let m = MockServe::start(&["--step-ms", "300"]);
    let child = m
        .nova_conform(&args(&[
            "--filter",
            "mv=2.56 role=admin pre=active host=other force=absent",
            "--wait-timeout",
            "3",
        ]))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // When the run's server is migrating, make it look stuck in RESIZE from then on.
    let t0 = Instant::now();
    let id = loop {
        assert!(t0.elapsed() < Duration::from_secs(60), "no migration seen");
        let busy = m
            .suite_servers()
            .await
            .into_iter()
            .find(|s| matches!(s["status"].as_str(), Some("RESIZE") | Some("VERIFY_RESIZE")));
        if let Some(s) = busy {
            break s["id"].as_str().unwrap().to_string();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    m.fault(
        json!({"method": "GET", "path": format!("/v2.1/servers/{id}"), "status": 200,
        "body": {"server": {"id": id, "name": "stuck", "status": "RESIZE",
            "OS-EXT-STS:task_state": "resize_migrating", "OS-EXT-SRV-ATTR:host": "compute1",
            "locked": false}}}),
    )
    .await;
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    assert!(stdout.contains("still RESIZE"), "{stdout}");
    m.clear_faults().await;
    // The suite deleted it even though it never saw it settle.
    let t0 = Instant::now();
    while !m.suite_servers().await.is_empty() {
        assert!(t0.elapsed() < Duration::from_secs(10), "server left behind");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn interrupt(signal: &str) {
    let m = MockServe::start(&["--step-ms", "100"]);
    let report = m.dir.join("report.json");
    let child = m
        .nova_conform(&args(&["--json", report.to_str().unwrap()]))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt while the run holds servers.
    let t0 = Instant::now();
    while m.suite_servers().await.len() < 2 {
        assert!(t0.elapsed() < Duration::from_secs(60), "no server created");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let pid = child.id().to_string();
    assert!(std::process::Command::new("kill")
        .args([signal, &pid])
        .status()
        .unwrap()
        .success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let stderr = text(&out.stderr);
    assert!(stderr.contains("starting no new case"), "{stderr}");
    assert!(
        m.suite_servers().await.is_empty(),
        "left behind after {signal}:\n{stderr}"
    );
    // The cases not started are reported as skipped, with the reason.
    let report = read_json(&report);
    let interrupted = report["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["reason"]
                .as_str()
                .is_some_and(|r| r.contains("interrupted"))
        })
        .count();
    assert!(interrupted > 0, "{}", text(&out.stdout));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_mid_run_stops_and_cleans_up() {
    interrupt("-INT").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_mid_run_stops_and_cleans_up() {
    interrupt("-TERM").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cleanup_removes_only_the_named_runs_servers() {
    let m = mock().await;
    let ours = m.create_server("nova-conform-abc123-0-active").await;
    let other_run = m.create_server("nova-conform-zzz999-0-active").await;
    let keep = m.create_server("customer-vm").await;
    let out = m.run(&[
        "cleanup",
        "--os-cloud",
        "mockcloud-admin",
        "--run-id",
        "abc123",
        "--poll-interval",
        "0.05",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("removed 1 servers"));
    let ids: Vec<String> = m
        .servers()
        .await
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!ids.contains(&ours));
    assert!(ids.contains(&other_run) && ids.contains(&keep));
    let out = m.run(&["cleanup", "--os-cloud", "mockcloud-admin", "--all-runs"]);
    assert_eq!(out.status.code(), Some(0));
    let names: Vec<String> = m
        .servers()
        .await
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["customer-vm"]);
    // Neither flag: a usage error.
    let out = m.run(&["cleanup", "--os-cloud", "mockcloud-admin"]);
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_interrupt_aborts_the_cases_in_flight_and_still_cleans_up() {
    let m = MockServe::start(&["--step-ms", "200"]);
    let child = m
        .nova_conform(&args(&[]))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while m.suite_servers().await.len() < 2 {
        assert!(t0.elapsed() < Duration::from_secs(60), "no server created");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let pid = child.id().to_string();
    for _ in 0..2 {
        assert!(std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let stderr = text(&out.stderr);
    assert!(stderr.contains("aborting the cases in flight"), "{stderr}");
    assert!(m.suite_servers().await.is_empty(), "left behind:\n{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn os_cloud_and_plain_os_variables_select_the_cloud() {
    let m = mock().await;
    // OS_CLOUD instead of --os-cloud.
    let out = m
        .nova_conform(&["run", "--dry-run"])
        .env("OS_CLOUD", "mockcloud-admin")
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(stdout.contains("plan:"), "{stdout}");
    assert!(text(&out.stderr).contains("give --member-cloud NAME"));
    // Plain OS_* variables (the `envvars` cloud), no clouds.yaml.
    let yaml: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(&m.clouds_yaml).unwrap()).unwrap();
    let auth = &yaml["clouds"]["mockcloud-admin"]["auth"];
    let s = |k: &str| auth[k].as_str().unwrap().to_string();
    let out = m
        .nova_conform(&["run", "--dry-run"])
        .env_remove("OS_CLIENT_CONFIG_FILE")
        .env("OS_CLIENT_CONFIG_FILE", m.dir.join("none.yaml"))
        .env("OS_AUTH_URL", s("auth_url"))
        .env("OS_USERNAME", s("username"))
        .env("OS_PASSWORD", s("password"))
        .env("OS_PROJECT_NAME", s("project_name"))
        .env("OS_USER_DOMAIN_NAME", "Default")
        .env("OS_PROJECT_DOMAIN_NAME", "Default")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("cloud 'envvars'"),
        "{}",
        text(&out.stderr)
    );
    // A wrong password is a configuration error (exit 2), and the password is not printed.
    let out = m
        .nova_conform(&["run", "--dry-run"])
        .env("OS_CLIENT_CONFIG_FILE", m.dir.join("none.yaml"))
        .env("OS_AUTH_URL", s("auth_url"))
        .env("OS_USERNAME", "admin")
        .env("OS_PASSWORD", "wrong-secret-123")
        .env("OS_PROJECT_NAME", "demo")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!text(&out.stderr).contains("wrong-secret-123"));
    // A non-admin identity is refused with the reason.
    let out = m.run(&["run", "--os-cloud", "mockcloud-member", "--dry-run"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("needs an admin identity"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_given_server_is_used_and_never_deleted() {
    let m = mock().await;
    let id = m.create_server("customer-vm").await;
    let t0 = Instant::now();
    while !m
        .servers()
        .await
        .iter()
        .any(|s| s["id"] == id.as_str() && s["status"] == "ACTIVE")
    {
        assert!(t0.elapsed() < Duration::from_secs(20));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let report = m.dir.join("given.json");
    let out = m.run(&args(&[
        "--server",
        "customer-vm",
        "--filter",
        "mv=2.56 role=admin pre=active",
        "--json",
        report.to_str().unwrap(),
    ]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let r = read_json(&report);
    assert_eq!(r["runs"][0]["servers_created"], 0);
    assert_eq!(r["runs"][0]["counts"]["pass"], 59);
    let servers = m.servers().await;
    assert_eq!(servers.len(), 1);
    assert_eq!(servers[0]["id"], id.as_str());
    assert_eq!(servers[0]["status"], "ACTIVE");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_enabled_host_skips_the_migrations_with_the_reason() {
    let m = MockServe::start(&["--step-ms", "50", "--hosts", "compute1"]);
    let out = m.run(&args(&["--dry-run"]));
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(stdout.contains("0 accepted cases (migrations)"), "{stdout}");
    assert!(
        stdout.contains("needs two enabled compute hosts to migrate between; the cloud has 1"),
        "{stdout}"
    );
    assert!(
        stdout.contains("needs a second enabled compute host; the cloud has 1"),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exhaustive_chains_run_every_migration_and_retire_their_server() {
    let m = MockServe::start(&["--step-ms", "10"]);
    let report = m.dir.join("ex.json");
    let out = m.run(&args(&[
        "--exhaustive",
        "--filter",
        "action=cold pre=active role=admin host=null force=absent header=modern",
        "--json",
        report.to_str().unwrap(),
    ]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let r = read_json(&report);
    // Every version selector: 2.1-2.104, absent, latest; all accepted, all chained.
    assert_eq!(r["runs"][0]["counts"]["pass"], 106);
    // One server per 50 migrations.
    assert_eq!(r["runs"][0]["servers_created"], 3);
    assert!(m.suite_servers().await.is_empty());
}

/// A real cloud's bundle records the plan's treatment of every case (the embedded mock's has
/// none: it runs every case at once), and verifies intact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submission_bundle_records_each_cases_treatment_in_the_plan() {
    let m = mock().await;
    let dir = m.dir.join("bundle");
    let mut run = args(&narrow(&[]));
    run.extend(["--submission", dir.to_str().unwrap()]);
    let out = m.run(&run);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let plan = read_json(&dir.join("plan.json"));
    let cases = plan["cases"].as_array().unwrap();
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    for c in cases {
        let t = c["treatment"].as_str().unwrap_or_else(|| panic!("{c}"));
        let kind = t.split([' ', '#']).next().unwrap().to_string();
        *kinds.entry(kind).or_default() += 1;
    }
    // The dry run of the same selection says how many of each there are.
    let dry = m.run(&args(&narrow(&["--dry-run", "--verbose"])));
    let listed = text(&dry.stdout);
    let count = |word: &str| {
        listed
            .lines()
            .filter(|l| l.split("  ").nth(1).is_some_and(|t| t.starts_with(word)))
            .count()
    };
    assert_eq!(cases.len(), plan["count"].as_u64().unwrap() as usize);
    assert!(kinds.contains_key("reduced"), "{kinds:?}");
    for kind in ["concurrent", "alone", "chain", "skip", "reduced"] {
        assert_eq!(
            kinds.get(kind).copied().unwrap_or(0),
            count(kind),
            "{kind}: {kinds:?}\n{listed}"
        );
    }
    assert_eq!(kinds.values().sum::<usize>(), cases.len());
    let verify = std::process::Command::new(env!("CARGO_BIN_EXE_nova-conform"))
        .arg("verify")
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify.stderr));
    assert!(m.suite_servers().await.is_empty());
}
