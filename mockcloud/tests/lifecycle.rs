//! Lifecycle modes (instant, timed, manual), resize/confirm/revert with their
//! allocations, auto-confirm, and concurrent migrates.

use mock_client::T;
use mockcloud::Resources;
use mockcloud::{Durations, Lifecycle, MockCloud};
use serde_json::{json, Value};
use std::time::Duration;
use test_support::mock_client;
use test_support::mock_client::Expect;

fn uuid(s: &str) -> uuid::Uuid {
    uuid::Uuid::parse_str(s).unwrap()
}

#[tokio::test]
async fn manual_mode_walks_the_reference_state_machine() {
    let t = T::start(MockCloud::builder().lifecycle(Lifecycle::Manual)).await;
    let id = t.create_server("member").await;
    let src = t.host_of(&id).await;
    t.action("admin", &id, "2.56", json!({"migrate": null}))
        .await
        .check(&Expect::Status(202), "");
    // (migration status, task_state, server status) after each step.
    let expected: [(Option<&str>, Value, &str); 6] = [
        (None, json!("resize_prep"), "RESIZE"),
        (Some("pre-migrating"), json!("resize_prep"), "RESIZE"),
        (Some("migrating"), json!("resize_migrating"), "RESIZE"),
        (Some("post-migrating"), json!("resize_migrated"), "RESIZE"),
        (Some("post-migrating"), json!("resize_finish"), "RESIZE"),
        (Some("finished"), Value::Null, "VERIFY_RESIZE"),
    ];
    for (i, (mstatus, task, status)) in expected.iter().enumerate() {
        if i > 0 {
            assert!(t.cloud.state().advance(uuid(&id)), "step {i}");
        }
        let s = t.server(&id).await;
        assert_eq!(s["OS-EXT-STS:task_state"], *task, "step {i}");
        assert_eq!(s["status"], *status, "step {i}");
        let ms = t.migrations().await;
        assert_eq!(
            ms.first().map(|m| m["status"].as_str().unwrap()),
            *mstatus,
            "step {i}"
        );
    }
    assert!(
        !t.cloud.state().advance(uuid(&id)),
        "nothing left in flight"
    );
    let s = t.server(&id).await;
    assert_eq!(s["OS-EXT-STS:vm_state"], "resized");
    assert_eq!(
        s["progress"], 0,
        "upstream shows progress 0 in VERIFY_RESIZE"
    );
    assert_ne!(t.host_of(&id).await, src);
}

#[tokio::test]
async fn timed_mode_passes_through_resize_then_settles() {
    let mut d = Durations::uniform(Duration::from_millis(60));
    // Long enough that the GET right after the 202 still sees BUILD on a loaded machine.
    d.build = Duration::from_millis(500);
    let t = T::start(MockCloud::builder().lifecycle(Lifecycle::Timed(d))).await;
    let id = t.create_server("member").await;
    // Builds take their two timed steps too: BUILD, then ACTIVE.
    let s0 = t.server(&id).await;
    assert_eq!(s0["status"], "BUILD");
    assert_eq!(s0["OS-EXT-STS:task_state"], "scheduling");
    for _ in 0..200 {
        if t.server(&id).await["status"] == "ACTIVE" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(t.server(&id).await["status"], "ACTIVE");
    t.action("admin", &id, "2.56", json!({"migrate": null}))
        .await
        .check(&Expect::Status(202), "");
    assert_eq!(t.server(&id).await["status"], "RESIZE");
    let mut seen_tasks = std::collections::BTreeSet::new();
    let mut final_status = String::new();
    for _ in 0..200 {
        let s = t.server(&id).await;
        if let Some(task) = s["OS-EXT-STS:task_state"].as_str() {
            seen_tasks.insert(task.to_string());
        }
        final_status = s["status"].as_str().unwrap().to_string();
        if final_status == "VERIFY_RESIZE" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(final_status, "VERIFY_RESIZE");
    assert!(
        seen_tasks.len() >= 2,
        "observed intermediate task states: {seen_tasks:?}"
    );
    t.action("member", &id, "2.1", json!({"revertResize": null}))
        .await
        .check(&Expect::Status(202), "");
    assert_eq!(t.server(&id).await["status"], "REVERT_RESIZE");
    for _ in 0..100 {
        if t.server(&id).await["status"] == "ACTIVE" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(t.server(&id).await["status"], "ACTIVE");
    assert_eq!(t.migrations().await[0]["status"], "reverted");
}

fn used(t: &T, host: &str) -> Resources {
    t.cloud.state().read(|s| s.used_on(host))
}

#[tokio::test]
async fn allocations_are_held_on_both_hosts_until_confirm() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    let src = t.host_of(&id).await;
    let tiny = Resources {
        vcpus: 1,
        memory_mb: 512,
        disk_gb: 1,
    };
    assert_eq!(used(&t, &src), tiny);
    t.action("admin", &id, "2.56", json!({"migrate": null}))
        .await
        .check(&Expect::Status(202), "");
    let dest = t.host_of(&id).await;
    assert_eq!(used(&t, &src), tiny, "source held by the migration");
    assert_eq!(used(&t, &dest), tiny, "destination held by the instance");
    t.action("member", &id, "2.1", json!({"confirmResize": null}))
        .await
        .check(&Expect::Status(204), "");
    assert_eq!(used(&t, &src), Resources::default());
    assert_eq!(used(&t, &dest), tiny);
    assert_eq!(t.migrations().await[0]["status"], "confirmed");
    // Confirm again: not in VERIFY_RESIZE.
    t.action("member", &id, "2.1", json!({"confirmResize": null}))
        .await
        .check(
            &Expect::nova(
                "conflictingRequest",
                409,
                format!("Cannot 'confirmResize' instance {id} while it is in vm_state active"),
            ),
            "",
        );
    t.action("member", &id, "2.1", json!({"revertResize": null}))
        .await
        .check(
            &Expect::Message(format!(
                "Cannot 'revertResize' instance {id} while it is in vm_state active"
            )),
            "",
        );
}

#[tokio::test]
async fn resize_changes_flavor_and_revert_restores_it() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    let src = t.host_of(&id).await;
    t.action("member", &id, "2.1", json!({"resize": {"flavorRef": "1"}}))
        .await
        .check(
            &Expect::nova(
                "badRequest",
                400,
                "When resizing, instances must change flavor!",
            ),
            "",
        );
    t.action("member", &id, "2.1", json!({"resize": {"flavorRef": "99"}}))
        .await
        .check(&Expect::message("Flavor 99 could not be found."), "");
    t.action("member", &id, "2.1", json!({"resize": {"flavorRef": "2"}}))
        .await
        .check(&Expect::Status(202), "");
    let s = t.server(&id).await;
    assert_eq!(s["status"], "VERIFY_RESIZE");
    assert_eq!(s["flavor"]["original_name"], "m1.small");
    let m = &t.migrations().await[0];
    assert_eq!(m["migration_type"], "resize");
    assert_eq!(m["old_instance_type_id"], 1);
    assert_eq!(m["new_instance_type_id"], 2);
    let dest = t.host_of(&id).await;
    assert_eq!(used(&t, &dest).memory_mb, 2048);
    assert_eq!(used(&t, &src).memory_mb, 512);
    t.action("member", &id, "2.1", json!({"revertResize": null}))
        .await
        .check(&Expect::Status(202), "");
    let s = t.server(&id).await;
    assert_eq!(s["status"], "ACTIVE");
    assert_eq!(s["flavor"]["original_name"], "m1.tiny");
    assert_eq!(t.host_of(&id).await, src);
    assert_eq!(used(&t, &dest), Resources::default());
    assert_eq!(used(&t, &src).memory_mb, 512);
}

#[tokio::test]
async fn resize_confirm_window_auto_confirms() {
    let t = T::start(MockCloud::builder().resize_confirm_window(Duration::from_millis(50))).await;
    let id = t.create_server("member").await;
    t.action("admin", &id, "2.56", json!({"migrate": null}))
        .await
        .check(&Expect::Status(202), "");
    assert_eq!(t.server(&id).await["status"], "VERIFY_RESIZE");
    let mut status = String::new();
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(10)).await;
        status = t.server(&id).await["status"].as_str().unwrap().to_string();
        if status == "ACTIVE" {
            break;
        }
    }
    assert_eq!(status, "ACTIVE");
    assert_eq!(t.migrations().await[0]["status"], "confirmed");
}

#[tokio::test]
async fn power_actions_and_their_409s() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    t.action("member", &id, "2.1", json!({"os-start": null}))
        .await
        .check(
            &Expect::Message(format!(
                "Cannot 'start' instance {id} while it is in vm_state active"
            )),
            "",
        );
    t.action("member", &id, "2.1", json!({"suspend": null}))
        .await
        .check(&Expect::Status(202), "");
    assert_eq!(t.server(&id).await["status"], "SUSPENDED");
    t.action("member", &id, "2.1", json!({"pause": null}))
        .await
        .check(
            &Expect::Message(format!(
                "Cannot 'pause' instance {id} while it is in vm_state suspended"
            )),
            "",
        );
    t.action("member", &id, "2.1", json!({"resume": null}))
        .await
        .check(&Expect::Status(202), "");
    t.action("member", &id, "2.1", json!({"pause": null}))
        .await
        .check(&Expect::Status(202), "");
    assert_eq!(t.server(&id).await["OS-EXT-STS:power_state"], 3);
    t.action("member", &id, "2.1", json!({"unpause": null}))
        .await
        .check(&Expect::Status(202), "");
    t.action("member", &id, "2.1", json!({"os-stop": null}))
        .await
        .check(&Expect::Status(202), "");
    t.action("member", &id, "2.1", json!({"os-stop": null}))
        .await
        .check(
            &Expect::Message(format!(
                "Cannot 'stop' instance {id} while it is in vm_state stopped"
            )),
            "",
        );
    t.action("member", &id, "2.1", json!({"os-start": null}))
        .await
        .check(&Expect::Status(202), "");
    assert_eq!(t.server(&id).await["status"], "ACTIVE");
    // Lock: an owner lock is overridden only by an admin.
    t.action(
        "member",
        &id,
        "2.73",
        json!({"lock": {"locked_reason": "why"}}),
    )
    .await
    .check(&Expect::Status(202), "");
    let s = t.server(&id).await;
    assert_eq!(s["locked"], true);
    assert_eq!(s["locked_reason"], "why");
    t.action("member", &id, "2.1", json!({"os-stop": null}))
        .await
        .check(&Expect::Message(format!("Instance {id} is locked")), "");
    t.action("admin", &id, "2.1", json!({"unlock": null}))
        .await
        .check(&Expect::Status(202), "");
    // An admin of another project locks as "admin": the owner cannot unlock.
    let theirs = t.create_server("other").await;
    t.action("admin", &theirs, "2.1", json!({"lock": null}))
        .await
        .check(&Expect::Status(202), "");
    t.action("other", &theirs, "2.1", json!({"unlock": null})).await.check(&Expect::message("Policy doesn't allow os_compute_api:os-lock-server:unlock:unlock_override to be performed."), "");
}

#[tokio::test]
async fn concurrent_migrates_accept_exactly_one() {
    for lifecycle in [Lifecycle::Instant, Lifecycle::Manual] {
        let t = std::sync::Arc::new(T::start(MockCloud::builder().lifecycle(lifecycle)).await);
        let id = t.create_server("member").await;
        t.token("admin").await;
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let t = std::sync::Arc::clone(&t);
            let id = id.clone();
            tasks.push(tokio::spawn(async move {
                t.action("admin", &id, "2.56", json!({"migrate": null}))
                    .await
            }));
        }
        let mut accepted = 0;
        let mut conflicts = 0;
        for task in tasks {
            let r = task.await.unwrap();
            match r.status {
                202 => accepted += 1,
                409 => {
                    assert_eq!(r.fault().0, "conflictingRequest");
                    conflicts += 1
                }
                other => panic!("unexpected {other}: {}", r.text),
            }
        }
        assert_eq!((accepted, conflicts), (1, 15));
        t.cloud.state().advance_all();
        assert_eq!(t.migrations().await.len(), 1);
        assert_eq!(t.server(&id).await["status"], "VERIFY_RESIZE");
    }
}
