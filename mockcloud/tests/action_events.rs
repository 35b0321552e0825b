//! What a client reads as durations: the instance-action events and the migration record of
//! a cold migration with its confirm, and of a build, span their steps as upstream records
//! them (`wrap_instance_event` starts an event when its step begins and finishes it when the
//! step ends; the migration is created by the conductor and updated at each status).
//! The manual lifecycle with the mock's clock moved 10 s before each step gives exact times.

use chrono::{DateTime, NaiveDateTime, Utc};
use common::T;
use mockcloud::{Durations, Lifecycle, MockCloud};
use serde_json::{json, Value};
use std::time::Duration;
use test_support::mock_client as common;

fn at(v: &Value) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(v.as_str().unwrap(), "%Y-%m-%dT%H:%M:%S%.f")
        .unwrap()
        .and_utc()
}

/// Seconds from `t0`, floored (the mock's clock is the wall clock plus the jumps).
fn secs(t0: DateTime<Utc>, v: &Value) -> i64 {
    (at(v) - t0).num_seconds()
}

async fn action(t: &T, id: &str, name: &str) -> Value {
    let list = t
        .get(
            "admin",
            &format!("/servers/{id}/os-instance-actions"),
            "2.58",
        )
        .await
        .json;
    let req = list["instanceActions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["action"] == name)
        .unwrap()["request_id"]
        .as_str()
        .unwrap()
        .to_string();
    t.get(
        "admin",
        &format!("/servers/{id}/os-instance-actions/{req}"),
        "2.58",
    )
    .await
    .json["instanceAction"]
        .clone()
}

/// (event, start, finish) in seconds from the action's start_time.
fn spans(a: &Value) -> Vec<(String, i64, i64)> {
    let t0 = at(&a["start_time"]);
    a["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["event"].as_str().unwrap().to_string(),
                secs(t0, &e["start_time"]),
                secs(t0, &e["finish_time"]),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_cold_migration_and_its_confirm_record_their_steps() {
    let t = T::start(MockCloud::builder().lifecycle(Lifecycle::Manual)).await;
    let id = t.create_server("admin").await;
    let uuid: uuid::Uuid = id.parse().unwrap();
    let step = || {
        t.cloud.state().clock().advance(Duration::from_secs(10));
        assert!(t.cloud.state().advance(uuid));
    };
    assert_eq!(
        t.action("admin", &id, "2.56", json!({"migrate": null}))
            .await
            .status,
        202
    );
    for _ in 0..5 {
        step();
    }
    let migrate = action(&t, &id, "migrate").await;
    let want: Vec<(String, i64, i64)> = [
        // The conductor from the request to its end (scheduling), then the source's
        // prep_resize and resize_instance, then the destination's finish_resize (which
        // starts at step 4, resize_finish).
        ("conductor_migrate_server", 0, 10),
        ("cold_migrate", 10, 10),
        ("compute_prep_resize", 10, 20),
        ("compute_resize_instance", 20, 30),
        ("compute_finish_resize", 40, 50),
    ]
    .iter()
    .map(|(e, s, f)| (e.to_string(), *s, *f))
    .collect();
    assert_eq!(spans(&migrate), want);
    // The owner confirms 10 s later.
    t.cloud.state().clock().advance(Duration::from_secs(10));
    assert_eq!(
        t.action("admin", &id, "2.56", json!({"confirmResize": null}))
            .await
            .status,
        204
    );
    step();
    let confirm = action(&t, &id, "confirmResize").await;
    assert_eq!(
        spans(&confirm),
        [("compute_confirm_resize".to_string(), 0, 10)]
    );
    // The record: created by the conductor (step 1), updated by the confirm.
    let m = &t.migrations().await[0];
    let t0 = at(&migrate["start_time"]);
    assert_eq!(m["status"], "confirmed");
    assert_eq!(secs(t0, &m["created_at"]), 10);
    assert_eq!(secs(t0, &m["updated_at"]), 70);
}

#[tokio::test]
async fn a_timed_build_event_spans_the_spawning() {
    let mut d = Durations::uniform(Duration::from_millis(50));
    d.build = Duration::from_millis(300);
    let t = T::start(MockCloud::builder().lifecycle(Lifecycle::Timed(d))).await;
    let id = t.create_server("admin").await;
    for _ in 0..300 {
        if t.server(&id).await["status"] == "ACTIVE" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let create = action(&t, &id, "create").await;
    let t0 = at(&create["start_time"]);
    let e = &create["events"][0];
    assert_eq!(e["event"], "compute__do_build_and_run_instance");
    // Scheduling (one build step), then spawning (the other): the event is the second.
    let start = (at(&e["start_time"]) - t0).num_milliseconds();
    let finish = (at(&e["finish_time"]) - t0).num_milliseconds();
    assert!((300..600).contains(&start), "{e}");
    assert!(finish - start >= 300, "{e}");
}
