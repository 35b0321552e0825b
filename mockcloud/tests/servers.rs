//! Servers: create, show fields per microversion and role, list, tenancy, delete.

use mock_client::T;
use reqwest::Method;
use serde_json::json;
use test_support::mock_client;
use test_support::mock_client::Expect;

#[tokio::test]
async fn create_validation_and_policy() {
    let t = T::default().await;
    let img = mockcloud::CIRROS_IMAGE_ID;
    // networks is required from 2.37.
    t.call("member", Method::POST, "/servers", Some("2.37"), Some(&json!({"server": {"name": "a", "flavorRef": "1", "imageRef": img}}))).await.check(&Expect::nova("badRequest", 400, "Invalid input for field/attribute server. Value: {'name': 'a', 'flavorRef': '1', 'imageRef': '8b9e1c6e-2f0a-4c3e-9a51-6d0c0e7f5a11'}. 'networks' is a required property"), "");
    let r = t
        .call(
            "member",
            Method::POST,
            "/servers",
            Some("2.1"),
            Some(&json!({"server": {"name": "a", "flavorRef": "1", "imageRef": img}})),
        )
        .await;
    assert_eq!(r.status, 202);
    assert!(r
        .header("location")
        .unwrap()
        .ends_with(r.json["server"]["id"].as_str().unwrap()));
    t.call("member", Method::POST, "/servers", Some("2.37"), Some(&json!({"server": {"name": "a", "flavorRef": "42", "imageRef": img, "networks": "auto"}}))).await.check(&Expect::message("Invalid flavorRef provided."), "");
    t.call("reader", Method::POST, "/servers", Some("2.37"), Some(&json!({"server": {"name": "a", "flavorRef": "1", "imageRef": img, "networks": "none"}}))).await.check(&Expect::message("Policy doesn't allow os_compute_api:servers:create to be performed."), "");
    // host (2.74) is for admins; unknown host 400.
    t.call("member", Method::POST, "/servers", Some("2.74"), Some(&json!({"server": {"name": "a", "flavorRef": "1", "imageRef": img, "networks": "none", "host": "compute2"}}))).await.check(&Expect::message("Policy doesn't allow compute:servers:create:requested_destination to be performed."), "");
    t.call("admin", Method::POST, "/servers", Some("2.74"), Some(&json!({"server": {"name": "a", "flavorRef": "1", "imageRef": img, "networks": "none", "host": "nope"}}))).await.check(&Expect::message("Compute host nope could not be found."), "");
    t.call("admin", Method::POST, "/servers", Some("2.73"), Some(&json!({"server": {"name": "a", "flavorRef": "1", "imageRef": img, "networks": "none", "host": "compute2"}}))).await.check(&Expect::message("Invalid input for field/attribute server. Value: {'name': 'a', 'flavorRef': '1', 'imageRef': '8b9e1c6e-2f0a-4c3e-9a51-6d0c0e7f5a11', 'networks': 'none', 'host': 'compute2'}. Additional properties are not allowed ('host' was unexpected)"), "");
    let id = t
        .create_server_with("admin", json!({"host": "compute2"}))
        .await;
    assert_eq!(t.host_of(&id).await, "compute2");
}

#[tokio::test]
async fn show_fields_follow_microversion_and_role() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    let r = t.get("member", &format!("/servers/{id}"), "2.1").await;
    let s = &r.json["server"];
    assert_eq!(s["status"], "ACTIVE");
    assert_eq!(s["OS-EXT-STS:vm_state"], "active");
    assert_eq!(s["OS-EXT-STS:power_state"], 1);
    assert_eq!(s["flavor"]["id"], "1");
    assert!(s.get("locked").is_none());
    assert!(
        s.get("OS-EXT-SRV-ATTR:host").is_none(),
        "not for non-admins"
    );
    let r = t.get("member", &format!("/servers/{id}"), "2.47").await;
    let s = &r.json["server"];
    assert_eq!(s["locked"], false);
    assert_eq!(s["flavor"]["original_name"], "m1.tiny");
    assert_eq!(s["flavor"]["ram"], 512);
    let s = t.server(&id).await;
    assert!(s["OS-EXT-SRV-ATTR:host"].is_string());
    assert_eq!(
        s["OS-EXT-SRV-ATTR:host"],
        s["OS-EXT-SRV-ATTR:hypervisor_hostname"]
    );
    assert_eq!(s["host_status"], "UP");
    assert_eq!(s["hostId"].as_str().unwrap().len(), 56);
}

#[tokio::test]
async fn tenancy_all_tenants_and_delete() {
    let t = T::default().await;
    let mine = t.create_server("member").await;
    let theirs = t.create_server("other").await;
    let r = t.get("member", "/servers", "2.1").await;
    let ids: Vec<&str> = r.json["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![mine.as_str()]);
    t.get("member", &format!("/servers/{theirs}"), "2.1")
        .await
        .check(
            &Expect::nova(
                "itemNotFound",
                404,
                format!("Instance {theirs} could not be found."),
            ),
            "",
        );
    t.get("member", "/servers/detail?all_tenants=1", "2.1").await.check(&Expect::message("Policy doesn't allow os_compute_api:servers:detail:get_all_tenants to be performed."), "");
    let r = t
        .get("admin", "/servers/detail?all_tenants=true", "2.1")
        .await;
    assert_eq!(r.json["servers"].as_array().unwrap().len(), 2);
    let r = t
        .get("admin", "/servers?all_tenants=1&limit=1", "2.1")
        .await;
    assert_eq!(r.json["servers"].as_array().unwrap().len(), 1);
    assert_eq!(r.json["servers_links"][0]["rel"], "next");
    // Delete frees allocations; another project's server cannot be deleted.
    let host = t.host_of(&mine).await;
    t.call(
        "other",
        Method::DELETE,
        &format!("/servers/{mine}"),
        Some("2.1"),
        None,
    )
    .await
    .check(&Expect::Status(404), "");
    t.call(
        "member",
        Method::DELETE,
        &format!("/servers/{mine}"),
        Some("2.1"),
        None,
    )
    .await
    .check(&Expect::Status(204), "");
    assert_eq!(t.cloud.state().read(|s| s.used_on(&host)).vcpus, 0);
    t.get("member", &format!("/servers/{mine}"), "2.1")
        .await
        .check(&Expect::Status(404), "");
}

#[tokio::test]
async fn scheduler_failure_on_create_is_an_error_server() {
    let t = T::start(
        mockcloud::MockCloud::builder()
            .hosts(["tiny1"])
            .host_specs(vec![mockcloud::HostSpec {
                name: "tiny1".into(),
                vcpus: 1,
                memory_mb: 1024,
                disk_gb: 10,
                reserved_memory_mb: 0,
            }]),
    )
    .await;
    let a = t.create_server("member").await;
    assert_eq!(t.server(&a).await["status"], "ACTIVE");
    let b = t.create_server("member").await;
    let s = t.server(&b).await;
    assert_eq!(s["status"], "ERROR");
    assert!(s["fault"]["message"]
        .as_str()
        .unwrap()
        .starts_with("No valid host was found."));
    t.action("member", &b, "2.1", json!({"os-stop": null}))
        .await
        .check(&Expect::Message(format!("Instance {b} is not ready")), "");
}

#[tokio::test]
async fn flavors_are_upstream_defaults() {
    let t = T::default().await;
    let r = t.get("member", "/flavors/detail", "2.61").await;
    let f: Vec<(String, u64, u64, u64)> = r.json["flavors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap().to_string(),
                f["vcpus"].as_u64().unwrap(),
                f["ram"].as_u64().unwrap(),
                f["disk"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        f,
        vec![
            ("m1.tiny".into(), 1, 512, 1),
            ("m1.small".into(), 1, 2048, 20),
            ("m1.medium".into(), 2, 4096, 40),
            ("m1.large".into(), 4, 8192, 80),
            ("m1.xlarge".into(), 8, 16384, 160)
        ]
    );
    assert_eq!(
        t.get("member", "/flavors/9", "2.1").await.fault().2,
        "Flavor 9 could not be found."
    );
}
