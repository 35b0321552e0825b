//! os-hypervisors paging (2.33+), hostname search and `with_servers` (2.53+), as
//! upstream hypervisors.py: compute node id order, `marker [..] not found`, next links
//! built from the request's sorted parameters, `LIKE '%pattern%'` search.

use mock_client::T;
use mockcloud::MockCloud;
use test_support::mock_client;
use test_support::mock_client::Expect;

async fn five() -> T {
    T::start(MockCloud::builder().hosts(["compute1", "compute2", "compute3", "other-a", "other_b"]))
        .await
}

fn names(r: &mock_client::Resp) -> Vec<String> {
    r.json["hypervisors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["hypervisor_hostname"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn paging_by_limit_and_marker_with_next_links() {
    let t = five().await;
    let all = t.get("admin", "/os-hypervisors", "2.53").await;
    assert_eq!(all.status, 200, "{}", all.text);
    assert_eq!(names(&all).len(), 5);
    assert!(all.json.get("hypervisors_links").is_none());
    let ids: Vec<String> = all.json["hypervisors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();

    let r = t
        .get(
            "admin",
            "/os-hypervisors?limit=2&with_servers=false",
            "2.53",
        )
        .await;
    assert_eq!(names(&r), names(&all)[..2].to_vec());
    let base = t.cloud.compute_url();
    assert_eq!(
        r.json["hypervisors_links"],
        serde_json::json!([{"rel": "next", "href": format!(
            "{base}/os-hypervisors?limit=2&with_servers=false&marker={}", ids[1])}])
    );
    let r = t
        .get(
            "admin",
            &format!("/os-hypervisors/detail?marker={}&limit=2", ids[1]),
            "2.53",
        )
        .await;
    assert_eq!(names(&r), names(&all)[2..4].to_vec());
    assert_eq!(
        r.json["hypervisors_links"][0]["href"],
        format!("{base}/os-hypervisors/detail?limit=2&marker={}", ids[3]).as_str()
    );
    // The last page is short: no link.
    let r = t
        .get(
            "admin",
            &format!("/os-hypervisors?marker={}&limit=2", ids[3]),
            "2.53",
        )
        .await;
    assert_eq!(names(&r), names(&all)[4..].to_vec());
    assert!(r.json.get("hypervisors_links").is_none());
    // limit=0 is an empty page (SQL LIMIT 0), without a link.
    let r = t.get("admin", "/os-hypervisors?limit=0", "2.53").await;
    assert_eq!(r.json["hypervisors"], serde_json::json!([]));
    assert!(r.json.get("hypervisors_links").is_none());
}

#[tokio::test]
async fn paging_errors_and_versions() {
    let t = five().await;
    let missing = uuid::Uuid::new_v4();
    t.get(
        "admin",
        &format!("/os-hypervisors?marker={missing}"),
        "2.53",
    )
    .await
    .check(
        &Expect::nova("badRequest", 400, format!("marker [{missing}] not found")),
        "",
    );
    t.get("admin", "/os-hypervisors?limit=-1", "2.53")
        .await
        .check(
        &Expect::message(
            "Invalid input for query parameters limit. Value: -1. '-1' does not match '^[0-9]*$'",
        ),
        "",
    );
    t.get("admin", "/os-hypervisors?limit=1&limit=2", "2.53").await.check(&Expect::message("Invalid input for query parameters limit. Value: ['1', '2']. ['1', '2'] is too long"), "");
    t.get("admin", "/os-hypervisors?foo=1", "2.53").await.check(
        &Expect::message("Additional properties are not allowed ('foo' was unexpected)"),
        "",
    );
    // 2.33-2.52: integer ids as markers, unknown parameters ignored.
    let r = t
        .get("admin", "/os-hypervisors?limit=1&foo=1", "2.33")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let first = r.json["hypervisors"][0]["id"].as_u64().unwrap();
    assert_eq!(
        r.json["hypervisors_links"][0]["href"],
        format!(
            "{}/os-hypervisors?foo=1&limit=1&marker={first}",
            t.cloud.compute_url()
        )
        .as_str()
    );
    let r = t
        .get("admin", &format!("/os-hypervisors?marker={first}"), "2.33")
        .await;
    assert_eq!(names(&r).len(), 4);
    // Before 2.33 there is no paging: everything, no links.
    let r = t.get("admin", "/os-hypervisors?limit=1", "2.32").await;
    assert_eq!(names(&r).len(), 5);
    assert!(r.json.get("hypervisors_links").is_none());
}

#[tokio::test]
async fn hostname_pattern_search() {
    let t = five().await;
    let r = t
        .get(
            "admin",
            "/os-hypervisors?hypervisor_hostname_pattern=COMPUTE",
            "2.53",
        )
        .await;
    assert_eq!(names(&r), ["compute1", "compute2", "compute3"]);
    assert!(r.json.get("hypervisors_links").is_none());
    // `_` is LIKE's one-character wildcard.
    let r = t
        .get(
            "admin",
            "/os-hypervisors/detail?hypervisor_hostname_pattern=other_",
            "2.53",
        )
        .await;
    assert_eq!(names(&r), ["other-a", "other_b"]);
    t.get(
        "admin",
        "/os-hypervisors?hypervisor_hostname_pattern=nope",
        "2.53",
    )
    .await
    .check(
        &Expect::nova(
            "itemNotFound",
            404,
            "No hypervisor matching 'nope' could be found.",
        ),
        "",
    );
    t.get("admin", "/os-hypervisors?hypervisor_hostname_pattern=compute&limit=1", "2.53").await.check(&Expect::message("Paging over hypervisors with the hypervisor_hostname_pattern query parameter is not supported."), "");
    t.get("admin", "/os-hypervisors?hypervisor_hostname_pattern=a%20b", "2.53").await.check(&Expect::message("Invalid input for query parameters hypervisor_hostname_pattern. Value: a b. 'a b' does not match '^[a-zA-Z0-9-._]*$'"), "");
    // Below 2.53 the parameter is not read (and not validated: 2.33 allows extras).
    let r = t
        .get(
            "admin",
            "/os-hypervisors?hypervisor_hostname_pattern=nope",
            "2.52",
        )
        .await;
    assert_eq!(names(&r).len(), 5);
}

#[tokio::test]
async fn with_servers_lists_the_servers_on_each_host() {
    let t = five().await;
    let id = t.create_server("member").await;
    let host = t.host_of(&id).await;
    let name = t.server(&id).await["name"].clone();
    for (version, empty_key) in [("2.53", false), ("2.75", true)] {
        let r = t
            .get("admin", "/os-hypervisors?with_servers=true", version)
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        for h in r.json["hypervisors"].as_array().unwrap() {
            if h["hypervisor_hostname"] == host.as_str() {
                assert_eq!(
                    h["servers"],
                    serde_json::json!([{"name": name, "uuid": id}])
                );
            } else {
                assert_eq!(h.get("servers").is_some(), empty_key, "{version}: {h}");
                if empty_key {
                    assert_eq!(h["servers"], serde_json::json!([]));
                }
            }
        }
    }
    let r = t
        .get("admin", "/os-hypervisors?with_servers=maybe", "2.53")
        .await;
    assert!(
        r.fault().2.starts_with(
            "Invalid input for query parameters with_servers. Value: maybe. 'maybe' is not one of [True,"
        ),
        "{}",
        r.text
    );
    // show takes with_servers too.
    let list = t.get("admin", "/os-hypervisors", "2.53").await;
    let hyp = list.json["hypervisors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["hypervisor_hostname"] == host.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = t
        .get(
            "admin",
            &format!("/os-hypervisors/{hyp}?with_servers=1"),
            "2.53",
        )
        .await;
    assert_eq!(r.json["hypervisor"]["servers"][0]["uuid"], id.as_str());
    t.get("admin", &format!("/os-hypervisors/{hyp}?limit=1"), "2.53")
        .await
        .check(
            &Expect::message("Additional properties are not allowed ('limit' was unexpected)"),
            "",
        );
}
