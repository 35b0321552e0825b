//! The migrate action in the `nova` profile: every row of the reference's table,
//! the exact schema messages, and the asynchronous scheduler rejection.

use mock_client::T;
use mockcloud::{Lifecycle, MockCloud};
use serde_json::json;
use test_support::mock_client;
use test_support::mock_client::Expect;

#[tokio::test]
async fn unknown_server_is_404_before_policy() {
    let t = T::default().await;
    let id = "9a5f7c3e-0c1a-4b1c-9d4c-2f1b2a3c4d5e";
    for who in ["admin", "reader"] {
        let r = t
            .action(who, id, "2.56", json!({"migrate": {"host": "compute2"}}))
            .await;
        assert_eq!(r.status, 404);
        r.check(
            &Expect::nova(
                "itemNotFound",
                404,
                format!("Instance {id} could not be found."),
            ),
            "",
        );
    }
    // Another project's server is just as invisible.
    let other = t.create_server("other").await;
    t.action("manager", &other, "2.56", json!({"migrate": null}))
        .await
        .check(
            &Expect::nova(
                "itemNotFound",
                404,
                format!("Instance {other} could not be found."),
            ),
            "",
        );
}

#[tokio::test]
async fn policy_migrate_and_migrate_host() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    let host = t.host_of(&id).await;
    let dest = t.other_host(&host);
    for who in ["member", "reader"] {
        t.action(who, &id, "2.56", json!({"migrate": null}))
            .await
            .check(
            &Expect::nova(
                "forbidden",
                403,
                "Policy doesn't allow os_compute_api:os-migrate-server:migrate to be performed.",
            ),
            "",
        );
    }
    t.action("manager", &id, "2.56", json!({"migrate": {"host": dest}})).await.check(&Expect::nova("forbidden", 403, "Policy doesn't allow os_compute_api:os-migrate-server:migrate:host to be performed."), "");
    let r = t
        .action("manager", &id, "2.56", json!({"migrate": {}}))
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(t.server(&id).await["status"], "VERIFY_RESIZE");
}

#[tokio::test]
async fn admin_migrates_to_requested_host_with_version_headers() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    let host = t.host_of(&id).await;
    let dest = t.other_host(&host);
    let r = t
        .action("admin", &id, "2.56", json!({"migrate": {"host": dest}}))
        .await;
    assert_eq!(r.status, 202);
    assert_eq!(r.text, "");
    assert_eq!(r.header("openstack-api-version"), Some("compute 2.56"));
    assert_eq!(r.header("x-openstack-nova-api-version"), Some("2.56"));
    assert_eq!(
        r.header_all("vary"),
        vec!["OpenStack-API-Version", "X-OpenStack-Nova-API-Version"]
    );
    let rid = r.header("x-openstack-request-id").unwrap();
    assert!(rid.starts_with("req-") && rid.len() == 40);
    assert_eq!(r.header("x-compute-request-id"), Some(rid));
    let s = t.server(&id).await;
    assert_eq!(s["status"], "VERIFY_RESIZE");
    assert_eq!(s["OS-EXT-SRV-ATTR:host"], dest.as_str());
    let m = &t.migrations().await[0];
    assert_eq!(m["status"], "finished");
    assert_eq!(m["source_compute"], host.as_str());
    assert_eq!(m["dest_compute"], dest.as_str());
    assert_eq!(m["migration_type"], "migration");
    // The instance action carries the request id of the 202.
    let a = t
        .get(
            "admin",
            &format!("/servers/{id}/os-instance-actions/{rid}"),
            "2.84",
        )
        .await;
    assert_eq!(a.json["instanceAction"]["action"], "migrate");
}

#[tokio::test]
async fn lock_blocks_non_admin_and_admin_bypasses() {
    let t = T::default().await;
    let id = t.create_server("manager").await;
    t.action("manager", &id, "2.56", json!({"lock": null}))
        .await
        .check(&Expect::Status(202), "");
    t.action("manager", &id, "2.56", json!({"migrate": null}))
        .await
        .check(
            &Expect::nova(
                "conflictingRequest",
                409,
                format!("Instance {id} is locked"),
            ),
            "",
        );
    let r = t
        .action("admin", &id, "2.56", json!({"migrate": null}))
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
}

#[tokio::test]
async fn wrong_vm_state_and_task_state_are_409() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    t.action("member", &id, "2.1", json!({"pause": null}))
        .await
        .check(&Expect::Status(202), "");
    t.action("admin", &id, "2.56", json!({"migrate": null}))
        .await
        .check(
            &Expect::nova(
                "conflictingRequest",
                409,
                format!("Cannot 'migrate' instance {id} while it is in vm_state paused"),
            ),
            "",
        );
    // task_state: a migration waiting in manual mode.
    let t = T::start(MockCloud::builder().lifecycle(Lifecycle::Manual)).await;
    let id = t.create_server("member").await;
    t.action("admin", &id, "2.56", json!({"migrate": null}))
        .await
        .check(&Expect::Status(202), "");
    assert_eq!(t.server(&id).await["OS-EXT-STS:task_state"], "resize_prep");
    t.action("admin", &id, "2.56", json!({"migrate": null}))
        .await
        .check(
            &Expect::nova(
                "conflictingRequest",
                409,
                format!("Cannot 'migrate' instance {id} while it is in task_state resize_prep"),
            ),
            "",
        );
}

#[tokio::test]
async fn source_compute_down_is_409_but_disabled_source_is_fine() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    let host = t.host_of(&id).await;
    t.cloud
        .state()
        .set_host_enabled(&host, false, Some("maintenance"));
    t.action("admin", &id, "2.56", json!({"migrate": null}))
        .await
        .check(&Expect::Status(202), "");
    let id2 = t.create_server("member").await;
    let host2 = t.host_of(&id2).await;
    t.cloud.state().set_host_up(&host2, false);
    t.action("admin", &id2, "2.56", json!({"migrate": null}))
        .await
        .check(
            &Expect::nova(
                "conflictingRequest",
                409,
                "Service is unavailable at this time.",
            ),
            "",
        );
}

#[tokio::test]
async fn same_host_and_unknown_host_are_400() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    let host = t.host_of(&id).await;
    t.action("admin", &id, "2.56", json!({"migrate": {"host": host}}))
        .await
        .check(
            &Expect::nova(
                "badRequest",
                400,
                "Cannot migrate to the host where the server exists.",
            ),
            "",
        );
    let r = t
        .action("admin", &id, "2.56", json!({"migrate": {"host": "nope"}}))
        .await;
    r.check(
        &Expect::nova("badRequest", 400, "Compute host nope could not be found."),
        "",
    );
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=UTF-8")
    );
}

#[tokio::test]
async fn schema_messages_are_byte_exact() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    let long = "a".repeat(256);
    let cases = vec![
        (json!({"migrate": {"host": "h", "force": false}}), "Invalid input for field/attribute migrate. Value: {'host': 'h', 'force': False}. Additional properties are not allowed ('force' was unexpected)".to_string()),
        (json!({"migrate": {"host": "bad host!"}}), "Invalid input for field/attribute host. Value: bad host!. 'bad host!' does not match '^[a-zA-Z0-9-._]*$'".to_string()),
        (json!({"migrate": {"host": ""}}), "Invalid input for field/attribute host. Value: . '' should be non-empty".to_string()),
        (json!({"migrate": {"host": 123}}), "Invalid input for field/attribute host. Value: 123. 123 is not of type 'string', 'null'".to_string()),
        (json!({"migrate": "x"}), "Invalid input for field/attribute migrate. Value: x. 'x' is not of type 'object', 'null'".to_string()),
        (json!({"migrate": {"host": long.clone()}}), format!("Invalid input for field/attribute host. Value: {long}. '{long}' is too long")),
    ];
    for (body, msg) in cases {
        let r = t.action("admin", &id, "2.56", body.clone()).await;
        r.check(
            &Expect::nova("badRequest", 400, msg),
            &format!("body {body}"),
        );
    }
    // Unknown server with a bad body: the schema runs first.
    t.action(
        "admin",
        "9a5f7c3e-0c1a-4b1c-9d4c-2f1b2a3c4d5e",
        "2.56",
        json!({"migrate": "x"}),
    )
    .await
    .check(&Expect::Status(400), "");
}

#[tokio::test]
async fn body_is_ignored_below_2_56() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    let host = t.host_of(&id).await;
    // A host, even the source or an unknown one, is never read before 2.56.
    let r = t
        .action(
            "manager",
            &id,
            "2.55",
            json!({"migrate": {"host": "nope", "force": true}}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    let s = t.server(&id).await;
    assert_eq!(s["status"], "VERIFY_RESIZE");
    assert_ne!(s["OS-EXT-SRV-ATTR:host"], host.as_str());
    // No version header at all is 2.1.
    let id2 = t.create_server("member").await;
    let r = t
        .call(
            "admin",
            reqwest::Method::POST,
            &format!("/servers/{id2}/action"),
            None,
            Some(&json!({"migrate": "x"})),
        )
        .await;
    assert_eq!(r.status, 202);
    assert_eq!(r.header("x-openstack-nova-api-version"), Some("2.1"));
}

#[tokio::test]
async fn null_empty_and_null_host_let_the_scheduler_pick() {
    let t = T::default().await;
    for body in [
        json!({"migrate": null}),
        json!({"migrate": {}}),
        json!({"migrate": {"host": null}}),
    ] {
        let id = t.create_server("member").await;
        t.action("admin", &id, "2.56", body)
            .await
            .check(&Expect::Status(202), "");
        assert_eq!(t.server(&id).await["status"], "VERIFY_RESIZE");
    }
}

async fn assert_rejected_async(t: &T, id: &str, source: &str, dest: &str) {
    let r = t
        .action("admin", id, "2.56", json!({"migrate": {"host": dest}}))
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    let rid = r.header("x-openstack-request-id").unwrap().to_string();
    let s = t.server(id).await;
    assert_eq!(s["status"], "ACTIVE");
    assert_eq!(s["OS-EXT-STS:task_state"], serde_json::Value::Null);
    assert_eq!(s["OS-EXT-SRV-ATTR:host"], source);
    let ms = t.migrations().await;
    let m = ms.iter().find(|m| m["instance_uuid"] == id).unwrap();
    assert_eq!(m["status"], "error");
    assert_eq!(m["dest_compute"], serde_json::Value::Null);
    assert_eq!(m["dest_host"], serde_json::Value::Null);
    assert_eq!(m["dest_node"], serde_json::Value::Null);
    let a = t
        .get(
            "admin",
            &format!("/servers/{id}/os-instance-actions/{rid}"),
            "2.84",
        )
        .await;
    let action = &a.json["instanceAction"];
    assert_eq!(action["message"], "Error");
    let ev = &action["events"][0];
    assert_eq!(ev["result"], "Error");
    assert!(ev["details"]
        .as_str()
        .unwrap()
        .contains("No valid host found for cold migrate"));
    assert!(ev["traceback"]
        .as_str()
        .unwrap()
        .contains("No valid host found for cold migrate"));
}

#[tokio::test]
async fn rejected_destination_fails_after_the_202() {
    let t = T::default().await;
    // Disabled destination.
    let id = t.create_server("member").await;
    let src = t.host_of(&id).await;
    let dest = t.other_host(&src);
    t.cloud.state().set_host_enabled(&dest, false, None);
    assert_rejected_async(&t, &id, &src, &dest).await;
    t.cloud.state().set_host_enabled(&dest, true, None);
    // Down destination.
    t.cloud.state().set_forced_down(&dest, true);
    assert_rejected_async(&t, &id, &src, &dest).await;
    t.cloud.state().set_forced_down(&dest, false);
    // Full destination: capacity is inventory minus allocations.
    t.cloud.state().write(|s| {
        s.allocate(
            uuid::Uuid::new_v4(),
            &dest,
            mockcloud::Resources {
                vcpus: 16,
                memory_mb: 0,
                disk_gb: 0,
            },
        )
    });
    assert_rejected_async(&t, &id, &src, &dest).await;
}

#[tokio::test]
async fn stopped_server_stays_off() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    t.action("member", &id, "2.1", json!({"os-stop": null}))
        .await
        .check(&Expect::Status(202), "");
    assert_eq!(t.server(&id).await["status"], "SHUTOFF");
    t.action("admin", &id, "2.56", json!({"migrate": null}))
        .await
        .check(&Expect::Status(202), "");
    let s = t.server(&id).await;
    assert_eq!(s["status"], "VERIFY_RESIZE");
    assert_eq!(s["OS-EXT-STS:power_state"], 4);
    t.action("member", &id, "2.1", json!({"confirmResize": null}))
        .await
        .check(&Expect::Status(204), "");
    let s = t.server(&id).await;
    assert_eq!(s["status"], "SHUTOFF");
    assert_eq!(s["OS-EXT-STS:vm_state"], "stopped");
}
