//! The deprecated os-hypervisors routes: statistics and uptime (to 2.87), search and
//! servers by hostname pattern (to 2.52).

use mock_client::T;
use mockcloud::{HostSpec, MockCloud};
use serde_json::json;
use test_support::mock_client;
use test_support::mock_client::Expect;

fn spec(name: &str, vcpus: u32) -> HostSpec {
    HostSpec {
        name: name.into(),
        vcpus,
        memory_mb: 8192,
        disk_gb: 100,
        reserved_memory_mb: 0,
    }
}

#[tokio::test]
async fn statistics_sum_the_enabled_compute_nodes() {
    let t = T::start(MockCloud::builder().host_specs(vec![
        spec("compute1", 4),
        spec("compute2", 8),
        spec("compute3", 16),
    ]))
    .await;
    let id = t.create_server("member").await;
    let r = t.get("admin", "/os-hypervisors/statistics", "2.87").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let s = &r.json["hypervisor_statistics"];
    let keys: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "count",
            "current_workload",
            "disk_available_least",
            "free_disk_gb",
            "free_ram_mb",
            "local_gb",
            "local_gb_used",
            "memory_mb",
            "memory_mb_used",
            "running_vms",
            "vcpus",
            "vcpus_used"
        ]
    );
    assert_eq!(s["count"], 3);
    assert_eq!(s["vcpus"], 28);
    assert_eq!(s["memory_mb"], 3 * 8192);
    assert_eq!(s["running_vms"], 1);
    // m1.tiny: 1 vCPU, 512 MB, 1 GB.
    assert_eq!(s["vcpus_used"], 1);
    assert_eq!(s["memory_mb_used"], 512);
    assert_eq!(s["free_ram_mb"], 3 * 8192 - 512);
    // A disabled service's node is left out.
    let host = t.host_of(&id).await;
    t.cloud.state().set_host_enabled(&host, false, None);
    let r = t.get("admin", "/os-hypervisors/statistics", "2.1").await;
    assert_eq!(r.json["hypervisor_statistics"]["count"], 2);
    assert_eq!(r.json["hypervisor_statistics"]["running_vms"], 0);
    // Policy, then the version range.
    assert_eq!(
        t.get("member", "/os-hypervisors/statistics", "2.87")
            .await
            .fault()
            .0,
        "forbidden"
    );
    assert_eq!(
        t.get("admin", "/os-hypervisors/statistics", "2.88")
            .await
            .fault(),
        (
            "itemNotFound".into(),
            404,
            "The resource could not be found.".into()
        )
    );
}

#[tokio::test]
async fn uptime_is_not_supported_by_the_fake_driver() {
    let t = T::default().await;
    let r = t.get("admin", "/os-hypervisors", "2.53").await;
    let hyp = r.json["hypervisors"][0].clone();
    let id = hyp["id"].as_str().unwrap();
    t.get("admin", &format!("/os-hypervisors/{id}/uptime"), "2.53")
        .await
        .check(
            &Expect::nova(
                "notImplemented",
                501,
                "The requested functionality is not supported.",
            ),
            "",
        );
    let name = hyp["hypervisor_hostname"].as_str().unwrap();
    t.cloud.state().set_forced_down(name, true);
    t.get("admin", &format!("/os-hypervisors/{id}/uptime"), "2.53")
        .await
        .check(
            &Expect::Message(format!(
                "Compute service of {name} is unavailable at this time."
            )),
            "",
        );
    let missing = uuid::Uuid::new_v4();
    assert_eq!(
        t.get(
            "admin",
            &format!("/os-hypervisors/{missing}/uptime"),
            "2.53"
        )
        .await
        .fault()
        .2,
        format!("Hypervisor with ID '{missing}' could not be found.")
    );
    assert_eq!(
        t.get("member", &format!("/os-hypervisors/{id}/uptime"), "2.53")
            .await
            .fault()
            .0,
        "forbidden"
    );
    t.get("admin", &format!("/os-hypervisors/{id}/uptime"), "2.88")
        .await
        .check(&Expect::Status(404), "");
}

#[tokio::test]
async fn search_and_servers_by_pattern_before_2_53() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    let host = t.host_of(&id).await;
    let r = t
        .get("admin", "/os-hypervisors/compute/search", "2.52")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let hs = r.json["hypervisors"].as_array().unwrap();
    assert_eq!(hs.len(), 3);
    assert_eq!(
        hs[0].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["id", "hypervisor_hostname", "state", "status"]
    );
    assert!(hs[0]["id"].is_u64());
    let r = t
        .get("admin", "/os-hypervisors/compute/servers", "2.52")
        .await;
    for h in r.json["hypervisors"].as_array().unwrap() {
        if h["hypervisor_hostname"] == host.as_str() {
            assert_eq!(h["servers"][0]["uuid"], id.as_str());
        } else {
            assert!(h.get("servers").is_none(), "{h}");
        }
    }
    t.get("admin", "/os-hypervisors/nope/search", "2.1")
        .await
        .check(
            &Expect::nova(
                "itemNotFound",
                404,
                "No hypervisor matching 'nope' could be found.",
            ),
            "",
        );
    assert_eq!(
        t.get("member", "/os-hypervisors/compute/servers", "2.1")
            .await
            .fault()
            .0,
        "forbidden"
    );
    assert_eq!(
        t.get("admin", "/os-hypervisors/compute/search", "2.53")
            .await
            .fault()
            .2,
        "The resource could not be found."
    );
    // `%` in the path is LIKE's wildcard too.
    let r = t.get("admin", "/os-hypervisors/c%25e1/search", "2.1").await;
    assert_eq!(
        r.json["hypervisors"][0]["hypervisor_hostname"],
        json!("compute1")
    );
}
