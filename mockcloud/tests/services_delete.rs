//! `DELETE /os-services/{id}` (services.py `delete`): admin only, uuid ids from 2.53 and
//! integer ids before, 409 while the compute host has instances or in-progress
//! migrations, and the compute node (hypervisor, migrate target) goes with the service.

use mock_client::T;
use reqwest::Method;
use serde_json::{json, Value};
use test_support::mock_client;
use test_support::mock_client::Expect;

async fn service_id(t: &T, host: &str, version: &str) -> Value {
    let r = t.get("admin", "/os-services", version).await;
    r.json["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["host"] == host && s["binary"] == "nova-compute")
        .unwrap()["id"]
        .clone()
}

async fn delete(t: &T, who: &str, id: &str, version: &str) -> mock_client::Resp {
    t.call(
        who,
        Method::DELETE,
        &format!("/os-services/{id}"),
        Some(version),
        None,
    )
    .await
}

#[tokio::test]
async fn delete_an_empty_compute_service() {
    let t = T::default().await;
    let id = service_id(&t, "compute3", "2.53").await;
    let id = id.as_str().unwrap();
    assert_eq!(
        delete(&t, "member", id, "2.53").await.fault().0,
        "forbidden"
    );
    let r = delete(&t, "admin", id, "2.53").await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(r.text, "");
    // Gone from os-services and os-hypervisors, and no longer a migrate target.
    let r = t.get("admin", "/os-services", "2.53").await;
    assert!(r.json["services"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["host"] != "compute3"));
    let r = t.get("admin", "/os-hypervisors", "2.53").await;
    assert_eq!(r.json["hypervisors"].as_array().unwrap().len(), 2);
    let sid = t.create_server("member").await;
    t.action(
        "admin",
        &sid,
        "2.56",
        json!({"migrate": {"host": "compute3"}}),
    )
    .await
    .check(
        &Expect::message("Compute host compute3 could not be found."),
        "",
    );
    // A second delete is a 404.
    assert_eq!(
        delete(&t, "admin", id, "2.53").await.fault(),
        (
            "itemNotFound".into(),
            404,
            format!("Service {id} not found.")
        )
    );
}

#[tokio::test]
async fn a_host_with_instances_or_migrations_cannot_go() {
    let t = T::default().await;
    let sid = t.create_server("member").await;
    let src = t.host_of(&sid).await;
    let id = service_id(&t, &src, "2.53").await;
    let r = delete(&t, "admin", id.as_str().unwrap(), "2.53").await;
    r.check(&Expect::nova("conflictingRequest", 409, "Unable to delete compute service that is hosting instances. Migrate or delete the instances first."), "");
    // In VERIFY_RESIZE the server is on the destination; the finished migration still
    // involves the source.
    let r = t
        .action("admin", &sid, "2.56", json!({"migrate": null}))
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_ne!(t.host_of(&sid).await, src);
    let r = delete(&t, "admin", id.as_str().unwrap(), "2.53").await;
    assert_eq!(
        r.fault().2,
        "Unable to delete compute service that has in-progress migrations. Complete the migrations or delete the instances first."
    );
    // Confirmed: the source may go.
    let r = t
        .action("admin", &sid, "2.56", json!({"confirmResize": null}))
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(
        delete(&t, "admin", id.as_str().unwrap(), "2.53")
            .await
            .status,
        204
    );
}

#[tokio::test]
async fn ids_by_microversion_and_control_services() {
    let t = T::default().await;
    assert_eq!(
        delete(&t, "admin", "1", "2.53").await.fault(),
        ("badRequest".into(), 400, "Invalid uuid 1".into())
    );
    assert_eq!(
        delete(&t, "admin", "abc", "2.52").await.fault(),
        (
            "badRequest".into(),
            400,
            "Invalid input received: id must be an integer".into()
        )
    );
    assert_eq!(
        delete(&t, "admin", "999", "2.52").await.fault().2,
        "Service 999 not found."
    );
    let id = service_id(&t, "compute3", "2.1").await;
    let r = delete(&t, "admin", &id.to_string(), "2.1").await;
    assert_eq!(r.status, 204, "{}", r.text);
    // The scheduler (a control-plane service) can be deleted too, as in Nova.
    let r = t
        .get("admin", "/os-services?binary=nova-scheduler", "2.1")
        .await;
    let sched = r.json["services"][0]["id"].to_string();
    assert_eq!(delete(&t, "admin", &sched, "2.1").await.status, 204);
    let r = t
        .get("admin", "/os-services?binary=nova-scheduler", "2.1")
        .await;
    assert_eq!(r.json["services"], json!([]));
    // Reset brings everything back (it also drops tokens, so read the state).
    t.cloud.state().reset();
    t.cloud.state().read(|s| {
        assert!(s.deleted_control_services.is_empty());
        assert_eq!(s.hosts.len(), 3);
    });
}
