//! os-services (list, disable/enable, forced_down, uuid ids from 2.53) and
//! os-hypervisors (usage from allocations), and their effect on migrate.

use mock_client::T;
use reqwest::Method;
use serde_json::json;
use test_support::mock_client;
use test_support::mock_client::Expect;

#[tokio::test]
async fn services_list_and_update_v253() {
    let t = T::default().await;
    let r = t
        .get("admin", "/os-services?binary=nova-compute", "2.53")
        .await;
    let svcs = r.json["services"].as_array().unwrap().clone();
    assert_eq!(svcs.len(), 3);
    assert!(svcs[0]["id"].is_string());
    assert_eq!(svcs[0]["forced_down"], false);
    let r = t.get("admin", "/os-services", "2.10").await;
    assert!(r.json["services"][0]["id"].is_u64());
    assert!(r.json["services"][0].get("forced_down").is_none());
    assert_eq!(
        t.get("member", "/os-services", "2.53").await.fault().0,
        "forbidden"
    );
    let c2 = svcs.iter().find(|s| s["host"] == "compute2").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let put = |body: serde_json::Value| {
        let path = format!("/os-services/{c2}");
        let t = &t;
        async move {
            t.call("admin", Method::PUT, &path, Some("2.53"), Some(&body))
                .await
        }
    };
    let r = put(json!({"status": "disabled", "disabled_reason": "maint"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["service"]["status"], "disabled");
    assert_eq!(r.json["service"]["disabled_reason"], "maint");
    let r = put(json!({"status": "enabled", "disabled_reason": "x"})).await;
    assert_eq!(
        r.fault().2,
        "Specifying 'disabled_reason' with status 'enabled' is invalid."
    );
    let r = put(json!({})).await;
    assert_eq!(
        r.fault().2,
        "No updates were requested. Fields 'status' or 'forced_down' should be specified."
    );
    let r = put(json!({"status": "off"})).await;
    assert_eq!(r.fault().2, "Invalid input for field/attribute status. Value: off. 'off' is not one of ['enabled', 'disabled']");
    t.call(
        "admin",
        Method::PUT,
        "/os-services/not-a-uuid",
        Some("2.53"),
        Some(&json!({"status": "enabled"})),
    )
    .await
    .check(&Expect::message("Invalid uuid not-a-uuid"), "");
    // The disabled service rejects a targeted migrate asynchronously.
    let id = t
        .create_server_with("admin", json!({"host": "compute1"}))
        .await;
    t.action(
        "admin",
        &id,
        "2.56",
        json!({"migrate": {"host": "compute2"}}),
    )
    .await
    .check(&Expect::Status(202), "");
    assert_eq!(t.host_of(&id).await, "compute1");
    // forced_down on the source: 409 at the API.
    let c1 = svcs.iter().find(|s| s["host"] == "compute1").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = t
        .call(
            "admin",
            Method::PUT,
            &format!("/os-services/{c1}"),
            Some("2.53"),
            Some(&json!({"forced_down": true})),
        )
        .await;
    assert_eq!(r.json["service"]["state"], "down");
    t.action("admin", &id, "2.56", json!({"migrate": null}))
        .await
        .check(&Expect::message("Service is unavailable at this time."), "");
}

#[tokio::test]
async fn services_legacy_actions() {
    let t = T::default().await;
    let r = t
        .call(
            "admin",
            Method::PUT,
            "/os-services/disable-log-reason",
            Some("2.11"),
            Some(&json!({"host": "compute3", "binary": "nova-compute", "disabled_reason": "x"})),
        )
        .await;
    assert_eq!(
        r.json,
        json!({"service": {"host": "compute3", "binary": "nova-compute", "status": "disabled", "disabled_reason": "x"}})
    );
    let r = t
        .call(
            "admin",
            Method::PUT,
            "/os-services/force-down",
            Some("2.11"),
            Some(&json!({"host": "compute3", "binary": "nova-compute", "forced_down": true})),
        )
        .await;
    assert_eq!(r.json["service"]["forced_down"], true);
    t.call(
        "admin",
        Method::PUT,
        "/os-services/force-down",
        Some("2.10"),
        Some(&json!({"host": "compute3", "binary": "nova-compute"})),
    )
    .await
    .check(&Expect::nova("itemNotFound", 404, "Unknown action"), "");
    t.call(
        "admin",
        Method::PUT,
        "/os-services/enable",
        Some("2.1"),
        Some(&json!({"host": "nope", "binary": "nova-compute"})),
    )
    .await
    .check(
        &Expect::message("Could not find binary nova-compute on host nope."),
        "",
    );
    t.call("admin", Method::PUT, "/os-services/enable", Some("2.1"), Some(&json!({"host": "controller", "binary": "nova-scheduler"}))).await.check(&Expect::message("Updating a nova-scheduler service is not supported. Only nova-compute services can be updated."), "");
}

#[tokio::test]
async fn hypervisors_report_usage() {
    let t = T::default().await;
    t.create_server_with("admin", json!({"host": "compute1", "flavorRef": "3"}))
        .await;
    let r = t.get("admin", "/os-hypervisors/detail", "2.87").await;
    let h = r.json["hypervisors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["hypervisor_hostname"] == "compute1")
        .unwrap()
        .clone();
    assert_eq!(h["vcpus_used"], 2);
    assert_eq!(h["memory_mb_used"], 4096);
    assert_eq!(h["running_vms"], 1);
    assert_eq!(h["free_ram_mb"], 32768 - 4096);
    let r = t.get("admin", "/os-hypervisors/detail", "2.88").await;
    assert!(r.json["hypervisors"][0].get("vcpus").is_none());
    assert!(r.json["hypervisors"][0]["id"].is_string());
    let id = r.json["hypervisors"][0]["id"].as_str().unwrap().to_string();
    t.get("admin", &format!("/os-hypervisors/{id}"), "2.88")
        .await
        .check(&Expect::Status(200), "");
    assert_eq!(
        t.get("member", "/os-hypervisors", "2.1").await.fault().0,
        "forbidden"
    );
}
