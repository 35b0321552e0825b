//! GET /os-migrations per microversion, GET /servers/{id}/migrations, and
//! os-instance-actions.

use mock_client::T;
use serde_json::json;
use test_support::mock_client;
use test_support::mock_client::Expect;

async fn two_migrations(t: &T) -> (String, String) {
    let a = t.create_server("member").await;
    let b = t.create_server("other").await;
    t.action("admin", &a, "2.56", json!({"migrate": null}))
        .await
        .check(&Expect::Status(202), "");
    t.action("admin", &b, "2.1", json!({"resize": {"flavorRef": "2"}}))
        .await
        .check(&Expect::Status(202), "");
    (a, b)
}

fn keys(v: &serde_json::Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[tokio::test]
async fn fields_per_microversion() {
    let t = T::default().await;
    two_migrations(&t).await;
    let base = vec![
        "created_at",
        "dest_compute",
        "dest_host",
        "dest_node",
        "id",
        "instance_uuid",
        "new_instance_type_id",
        "old_instance_type_id",
        "source_compute",
        "source_node",
        "status",
        "updated_at",
    ];
    let r = t.get("admin", "/os-migrations", "2.1").await;
    assert_eq!(keys(&r.json["migrations"][0]), base);
    let r = t.get("admin", "/os-migrations", "2.23").await;
    let mut with_type = base.clone();
    with_type.push("migration_type");
    with_type.sort();
    assert_eq!(keys(&r.json["migrations"][0]), with_type);
    let r = t.get("admin", "/os-migrations", "2.59").await;
    let mut with_uuid = with_type.clone();
    with_uuid.push("uuid");
    with_uuid.sort();
    assert_eq!(keys(&r.json["migrations"][0]), with_uuid);
    let r = t.get("admin", "/os-migrations", "2.80").await;
    let mut with_user = with_uuid.clone();
    with_user.extend(["user_id", "project_id"]);
    with_user.sort();
    assert_eq!(keys(&r.json["migrations"][0]), with_user);
    // 2.59: newest first.
    let ids: Vec<u64> = r.json["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, vec![2, 1]);
    let types: Vec<&str> = r.json["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["migration_type"].as_str().unwrap())
        .collect();
    assert_eq!(types, vec!["resize", "migration"]);
}

#[tokio::test]
async fn paging_and_query_validation() {
    let t = T::default().await;
    two_migrations(&t).await;
    let r = t.get("admin", "/os-migrations?limit=1", "2.59").await;
    let first = r.json["migrations"][0]["uuid"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(r.json["migrations"].as_array().unwrap().len(), 1);
    let next = r.json["migrations_links"][0]["href"].as_str().unwrap();
    assert!(next.contains(&format!("marker={first}")));
    let r = t
        .get(
            "admin",
            &format!("/os-migrations?limit=1&marker={first}"),
            "2.59",
        )
        .await;
    assert_eq!(r.json["migrations"][0]["id"], 1);
    t.get("admin", "/os-migrations?marker=nope", "2.59")
        .await
        .check(&Expect::message("Marker nope could not be found."), "");
    // Unknown query parameters: accepted before 2.59, rejected after.
    t.get("admin", "/os-migrations?foo=1", "2.58")
        .await
        .check(&Expect::Status(200), "");
    t.get("admin", "/os-migrations?foo=1", "2.59").await.check(
        &Expect::message("Additional properties are not allowed ('foo' was unexpected)"),
        "",
    );
    t.get("admin", "/os-migrations?limit=-1", "2.59")
        .await
        .check(
        &Expect::message(
            "Invalid input for query parameters limit. Value: -1. '-1' does not match '^[0-9]*$'",
        ),
        "",
    );
    t.get("admin", "/os-migrations?limit=1&limit=2", "2.59").await.check(&Expect::message("Invalid input for query parameters limit. Value: ['1', '2']. ['1', '2'] is too long"), "");
    let r = t
        .get(
            "admin",
            "/os-migrations?changes-before=2020-01-01T00:00:00Z",
            "2.59",
        )
        .await;
    assert_eq!(r.status, 400, "changes-before only from 2.66");
    let r = t
        .get(
            "admin",
            "/os-migrations?changes-before=2000-01-01T00:00:00Z",
            "2.66",
        )
        .await;
    assert_eq!(r.json["migrations"].as_array().unwrap().len(), 0);
    // Filters.
    let r = t
        .get("admin", "/os-migrations?migration_type=resize", "2.23")
        .await;
    assert_eq!(r.json["migrations"].as_array().unwrap().len(), 1);
    // Policy: non-admins cannot list all projects.
    t.get("manager", "/os-migrations", "2.80").await.check(
        &Expect::message(
            "Policy doesn't allow os_compute_api:os-migrations:index:all_projects to be performed.",
        ),
        "",
    );
    t.get("member", "/os-migrations", "2.80").await.check(
        &Expect::message(
            "Policy doesn't allow os_compute_api:os-migrations:index to be performed.",
        ),
        "",
    );
}

#[tokio::test]
async fn server_migrations_lists_no_cold_migrations() {
    let t = T::default().await;
    let (a, _) = two_migrations(&t).await;
    let r = t
        .get("admin", &format!("/servers/{a}/migrations"), "2.23")
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json, json!({"migrations": []}));
}

#[tokio::test]
async fn instance_actions_list_and_show() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    let r = t
        .action("admin", &id, "2.56", json!({"migrate": null}))
        .await;
    let rid = r.header("x-openstack-request-id").unwrap().to_string();
    let r = t
        .get(
            "member",
            &format!("/servers/{id}/os-instance-actions"),
            "2.58",
        )
        .await;
    let acts = r.json["instanceActions"].as_array().unwrap();
    assert_eq!(acts[0]["action"], "migrate");
    assert_eq!(acts[0]["request_id"], rid.as_str());
    assert_eq!(acts[1]["action"], "create");
    assert!(acts[0].get("updated_at").is_some());
    // Non-admin before 2.51: no events; from 2.51 events without traceback.
    let r = t
        .get(
            "member",
            &format!("/servers/{id}/os-instance-actions/{rid}"),
            "2.50",
        )
        .await;
    assert!(r.json["instanceAction"].get("events").is_none());
    let r = t
        .get(
            "member",
            &format!("/servers/{id}/os-instance-actions/{rid}"),
            "2.51",
        )
        .await;
    let ev = &r.json["instanceAction"]["events"];
    assert!(ev.as_array().unwrap().len() >= 3);
    assert!(ev[0].get("traceback").is_none());
    // The events upstream 34.0.0 records for a successful cold migration.
    let mut names: Vec<&str> = ev
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            "cold_migrate",
            "compute_finish_resize",
            "compute_prep_resize",
            "compute_resize_instance",
            "conductor_migrate_server"
        ]
    );
    let r = t
        .get(
            "admin",
            &format!("/servers/{id}/os-instance-actions/{rid}"),
            "2.62",
        )
        .await;
    assert!(r.json["instanceAction"]["events"][0]
        .get("traceback")
        .is_some());
    assert!(r.json["instanceAction"]["events"][0]
        .get("hostId")
        .is_some());
    t.get(
        "admin",
        &format!("/servers/{id}/os-instance-actions/req-nope"),
        "2.1",
    )
    .await
    .check(&Expect::message("Action req-nope not found"), "");
}

#[tokio::test]
async fn instance_actions_paging_from_2_58() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    for body in [
        json!({"os-stop": null}),
        json!({"os-start": null}),
        json!({"pause": null}),
    ] {
        t.action("member", &id, "2.1", body)
            .await
            .check(&Expect::Status(202), "");
    }
    let r = t
        .get(
            "member",
            &format!("/servers/{id}/os-instance-actions?limit=2"),
            "2.58",
        )
        .await;
    let acts = r.json["instanceActions"].as_array().unwrap();
    let names: Vec<&str> = acts.iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["pause", "start"]);
    let marker = acts[1]["request_id"].as_str().unwrap();
    assert!(r.json["links"][0]["href"]
        .as_str()
        .unwrap()
        .contains(&format!("marker={marker}")));
    let r = t
        .get(
            "member",
            &format!("/servers/{id}/os-instance-actions?marker={marker}"),
            "2.58",
        )
        .await;
    let names: Vec<&str> = r.json["instanceActions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["stop", "create"]);
    t.get(
        "member",
        &format!("/servers/{id}/os-instance-actions?marker=req-nope"),
        "2.58",
    )
    .await
    .check(&Expect::message("Marker req-nope could not be found."), "");
    t.get(
        "member",
        &format!("/servers/{id}/os-instance-actions?foo=1"),
        "2.58",
    )
    .await
    .check(
        &Expect::message("Additional properties are not allowed ('foo' was unexpected)"),
        "",
    );
    // Before 2.58 no paging and any parameter is accepted.
    let r = t
        .get(
            "member",
            &format!("/servers/{id}/os-instance-actions?limit=1&foo=1"),
            "2.57",
        )
        .await;
    assert_eq!(r.json["instanceActions"].as_array().unwrap().len(), 4);
}

/// The next link is Nova's `_get_next_link`: the request's parameters, sorted, with the
/// marker replaced or appended (not a fixed `limit=..&marker=..`).
#[tokio::test]
async fn next_link_keeps_the_request_parameters() {
    let t = T::default().await;
    two_migrations(&t).await;
    let r = t
        .get("admin", "/os-migrations?status=finished&limit=1", "2.59")
        .await;
    let first = r.json["migrations"][0]["uuid"].as_str().unwrap();
    assert_eq!(
        r.json["migrations_links"][0]["href"],
        format!(
            "{}/os-migrations?limit=1&status=finished&marker={first}",
            t.cloud.compute_url()
        )
        .as_str()
    );
}
