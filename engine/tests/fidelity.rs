//! `nova-conform fidelity` as a process against `mockcloud serve`: the same mock compares
//! equal; a fault rule injected through the control API shows up as exactly the rows it
//! changes.
use test_support::mock_serve;

use std::collections::BTreeSet;

use mock_serve::{read_json, text, MockServe, ROLES};
use serde_json::{json, Value};

async fn mock() -> MockServe {
    let m = MockServe::start(&[
        "--step-ms",
        "20",
        "--hosts",
        "compute1,compute2,compute3,compute4",
    ]);
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

fn fidelity(m: &MockServe, extra: &[&str]) -> (Option<i32>, String, Vec<Value>) {
    let report = m.dir.join("differences.json");
    let mut args = vec!["fidelity"];
    args.extend_from_slice(ROLES);
    args.extend_from_slice(&["--poll-interval", "0.02", "--wait-timeout", "20"]);
    args.extend_from_slice(&["--json", report.to_str().unwrap()]);
    args.extend_from_slice(extra);
    let out = m.run(&args);
    let stdout = text(&out.stdout);
    let rows = read_json(&report).as_array().cloned().unwrap_or_default();
    (out.status.code(), stdout, rows)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_mock_behind_an_endpoint_shows_no_difference() {
    let m = mock().await;
    let (code, stdout, rows) = fidelity(&m, &[]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(rows.is_empty(), "{rows:#?}");
    assert!(stdout.contains(": 0 differences in 0 cases"), "{stdout}");
    // Without manager and other identities their cases Skip on both sides alike.
    let out = m.run(&[
        "fidelity",
        "--os-cloud",
        "mockcloud-admin",
        "--member-cloud",
        "mockcloud-member",
        "--poll-interval",
        "0.02",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(
        m.suite_servers().await.is_empty(),
        "the endpoint's servers were removed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_rule_shows_as_exactly_the_rows_it_changes() {
    let m = mock().await;
    const INJECTED: &str = "injected by the fidelity test";
    m.fault(json!({
        "method": "POST",
        "path": "/v2.1/servers/*/action",
        "action": "migrate",
        "microversion": "2.57",
        "status": 409,
        "body": {"conflictingRequest": {"code": 409, "message": INJECTED}},
    }))
    .await;
    let (code, stdout, rows) = fidelity(&m, &["--microversions", "2.56-2.58"]);
    assert_eq!(code, Some(1), "{stdout}");
    let injected: BTreeSet<&str> = rows
        .iter()
        .filter(|r| r["what"] == "message" && r["endpoint"] == format!("{INJECTED:?}"))
        .map(|r| r["case"].as_str().unwrap())
        .collect();
    let differing: BTreeSet<&str> = rows.iter().map(|r| r["case"].as_str().unwrap()).collect();
    assert!(!injected.is_empty(), "{stdout}");
    // Only the cases the rule answered differ, and all of them are 2.57 migrate requests.
    assert_eq!(differing, injected, "{rows:#?}");
    for r in &rows {
        assert!(r["name"].as_str().unwrap().starts_with("2.57 "), "{r:#?}");
    }
    // Each injected case differs in its message and in the version headers the injected answer
    // lacks; the mock's side is its real answer.
    for case in &injected {
        let what: BTreeSet<&str> = rows
            .iter()
            .filter(|r| r["case"] == *case)
            .map(|r| r["what"].as_str().unwrap())
            .collect();
        for w in ["message", "header OpenStack-API-Version"] {
            assert!(what.contains(w), "{case}: {what:?}");
        }
        let version = rows
            .iter()
            .find(|r| r["case"] == *case && r["what"] == "header OpenStack-API-Version")
            .unwrap();
        assert_eq!(version["endpoint"], "absent");
        assert_eq!(version["mock"], "compute 2.57");
        // (The status differs unless the mock's own answer was a 409 too.)
        if let Some(status) = rows
            .iter()
            .find(|r| r["case"] == *case && r["what"] == "status")
        {
            assert_eq!(status["endpoint"], "409");
        }
    }
    assert!(
        stdout.contains(&format!("differences in {} cases", injected.len())),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_several_candidates_the_endpoint_runs_first_and_the_mock_is_the_series_it_behaves_like(
) {
    // 2.95 is the max of both 2023.1 and 2023.2, and no read-only signal tells them apart; a
    // member naming a host gets `...:migrate:host`, which only 2023.2 has.
    let m = MockServe::start(&[
        "--step-ms",
        "20",
        "--hosts",
        "compute1,compute2,compute3",
        "--max-version",
        "2.95",
    ]);
    let report = m.dir.join("differences.json");
    let out = m.run(&[
        "fidelity",
        "--os-cloud",
        "mockcloud-admin",
        "--member-cloud",
        "mockcloud-member",
        "--poll-interval",
        "0.02",
        "--filter",
        "mv=2.56 role=member pre=active",
        "--json",
        report.to_str().unwrap(),
    ]);
    let stderr = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{stderr}",
        text(&out.stdout)
    );
    assert_eq!(read_json(&report), json!([]));
    for line in [
        "Nova release: auto, candidates 2023.1 (antelope), 2023.2 (bobcat) (advertised max microversion 2.95)",
        "fidelity: the endpoint behaves like Nova 2023.2 (bobcat); the mock is Nova 2023.2 (bobcat)",
    ] {
        assert!(stderr.contains(line), "{line}\n{stderr}");
    }
}
