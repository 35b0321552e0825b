//! `run --dry-run` says whether its time estimate is calibrated from the cloud's records:
//! against `mockcloud serve --lifecycle timed` without history, then with some.

use test_support::mock_serve;

use std::time::{Duration, Instant};

use mock_serve::{text, MockServe, ROLES};
use serde_json::{json, Value};

fn dry_run(m: &MockServe) -> String {
    let mut args = vec!["run"];
    args.extend_from_slice(ROLES);
    args.extend_from_slice(&["--dry-run", "--poll-interval", "0.05"]);
    let out = m.run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    text(&out.stdout)
}

async fn server(m: &MockServe, token: &str, id: &str) -> Value {
    let r = reqwest::Client::new()
        .get(format!("{}/v2.1/servers/{id}", m.base))
        .header("X-Auth-Token", token)
        .header("OpenStack-API-Version", "compute 2.56")
        .send()
        .await
        .unwrap();
    r.json::<Value>().await.unwrap()["server"].clone()
}

async fn wait_for(m: &MockServe, token: &str, id: &str, status: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let s = server(m, token, id).await;
        if s["status"] == status && s["OS-EXT-STS:task_state"].is_null() {
            return;
        }
        assert!(Instant::now() < deadline, "{id} never {status}: {s}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn act(m: &MockServe, token: &str, id: &str, body: Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/v2.1/servers/{id}/action", m.base))
        .header("X-Auth-Token", token)
        .header("OpenStack-API-Version", "compute 2.56")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{body}: {}", r.status());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dry_run_says_which_durations_are_calibrated() {
    let m = MockServe::start(&["--step-ms", "50"]);
    let bare = dry_run(&m);
    // Only the request times are measured; the other figures are assumed, each saying so.
    assert!(
        bare.contains("2 of 6 durations calibrated, the others assumed"),
        "{bare}"
    );
    assert!(
        bare.contains("uncalibrated: assumed (0 of the 3 create actions needed)"),
        "{bare}"
    );
    assert!(bare.contains("os-migrations finished: none"), "{bare}");

    // Three servers built, cold-migrated and confirmed, stopped.
    let token = m.admin_token().await;
    for i in 0..3 {
        let id = m.create_server(&format!("history-{i}")).await;
        wait_for(&m, &token, &id, "ACTIVE").await;
        act(&m, &token, &id, json!({"migrate": null})).await;
        wait_for(&m, &token, &id, "VERIFY_RESIZE").await;
        act(&m, &token, &id, json!({"confirmResize": null})).await;
        wait_for(&m, &token, &id, "ACTIVE").await;
        act(&m, &token, &id, json!({"os-stop": null})).await;
        wait_for(&m, &token, &id, "SHUTOFF").await;
    }
    let out = dry_run(&m);
    assert!(
        out.contains("(calibrated from the cloud's records;"),
        "{out}"
    );
    assert!(!out.contains("uncalibrated"), "{out}");
    for line in [
        "calibrated: median of 3 create actions",
        "calibrated: median of 3 migrate actions",
        "calibrated: median of 3 confirmResize/revertResize actions",
        "calibrated: median of 3 stop/pause/suspend actions",
        "os-migrations finished: migration 3 (median ",
    ] {
        assert!(out.contains(line), "{line}\n{out}");
    }
    // A migration of the mock is 5 steps of 50 ms: 250 ms, give or take the timers.
    let migration = out
        .lines()
        .find(|l| l.contains("cold migration"))
        .unwrap()
        .to_string();
    let ms: u64 = migration
        .split_whitespace()
        .nth(2)
        .unwrap()
        .parse()
        .unwrap();
    assert!((250..400).contains(&ms), "{migration}");
}
