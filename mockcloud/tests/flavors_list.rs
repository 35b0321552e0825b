//! Flavor lists as flavors.py `_get_flavors`: minRam/minDisk/is_public/name filters,
//! sort_key/sort_dir, limit/marker paging with `flavors_links`, query schemas.

use mock_client::T;
use reqwest::Method;
use serde_json::json;
use test_support::mock_client;
use test_support::mock_client::Expect;

fn ids(r: &mock_client::Resp) -> Vec<String> {
    r.json["flavors"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", r.text))
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn filters_by_min_ram_and_min_disk() {
    let t = T::default().await;
    // Upstream defaults: m1.tiny 512/1, small 2048/20, medium 4096/40, large 8192/80, xlarge 16384/160.
    assert_eq!(
        ids(&t.get("member", "/flavors?minRam=4096", "2.1").await),
        ["3", "4", "5"]
    );
    assert_eq!(
        ids(&t.get("member", "/flavors/detail?minDisk=80", "2.1").await),
        ["4", "5"]
    );
    assert_eq!(
        t.get("member", "/flavors?minRam=lots", "2.1").await.fault(),
        (
            "badRequest".into(),
            400,
            "Invalid minRam filter [lots]".into()
        )
    );
}

#[tokio::test]
async fn paging_sorting_and_links() {
    let t = T::default().await;
    let r = t.get("member", "/flavors?limit=2", "2.1").await;
    assert_eq!(ids(&r), ["1", "2"]);
    assert_eq!(
        r.json["flavors_links"],
        json!([{"rel": "next", "href": format!("{}/flavors?limit=2&marker=2", t.cloud.compute_url())}])
    );
    let r = t
        .get("member", "/flavors/detail?marker=2&limit=2", "2.1")
        .await;
    assert_eq!(ids(&r), ["3", "4"]);
    assert_eq!(
        r.json["flavors_links"][0]["href"],
        format!("{}/flavors/detail?limit=2&marker=4", t.cloud.compute_url()).as_str()
    );
    let r = t.get("member", "/flavors?marker=4", "2.1").await;
    assert_eq!(ids(&r), ["5"]);
    assert!(r.json.get("flavors_links").is_none());
    let r = t
        .get(
            "member",
            "/flavors?sort_key=memory_mb&sort_dir=desc&limit=3",
            "2.1",
        )
        .await;
    assert_eq!(ids(&r), ["5", "4", "3"]);
    // The marker keeps its place in the requested order even when filtered out.
    let r = t
        .get(
            "member",
            "/flavors?sort_key=memory_mb&sort_dir=desc&marker=4&minRam=4096",
            "2.1",
        )
        .await;
    assert_eq!(ids(&r), ["3"]);
    assert_eq!(
        t.get("member", "/flavors?marker=99", "2.1").await.fault().2,
        "marker [99] not found"
    );
    assert_eq!(
        t.get("member", "/flavors?sort_key=ram", "2.1").await.fault().2,
        "Invalid input for query parameters sort_key. Value: ram. 'ram' is not one of ['created_at', 'description', 'disabled', 'ephemeral_gb', 'flavorid', 'id', 'is_public', 'memory_mb', 'name', 'root_gb', 'rxtx_factor', 'swap', 'updated_at', 'vcpu_weight', 'vcpus']"
    );
    // Unknown parameters: ignored before 2.75, rejected from it.
    t.get("member", "/flavors?foo=1", "2.74")
        .await
        .check(&Expect::Status(200), "");
    assert_eq!(
        t.get("member", "/flavors?foo=1", "2.75").await.fault().2,
        "Additional properties are not allowed ('foo' was unexpected)"
    );
    // `name` (a regex) from 2.102.
    assert_eq!(
        ids(&t
            .get(
                "member",
                "/flavors?name=%5Em1%5C.(tiny%7Csmall)%24",
                "2.102"
            )
            .await),
        ["1", "2"]
    );
}

#[tokio::test]
async fn private_flavors_are_for_admins_asking_for_them() {
    let t = T::default().await;
    let body = json!({"flavor": {"name": "private", "id": "p1", "ram": 64, "vcpus": 1,
                      "disk": 1, "os-flavor-access:is_public": false}});
    let r = t
        .call("admin", Method::POST, "/flavors", Some("2.1"), Some(&body))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Default: public only, for admins too.
    assert!(!ids(&t.get("admin", "/flavors", "2.1").await).contains(&"p1".to_string()));
    assert_eq!(
        ids(&t.get("admin", "/flavors?is_public=false", "2.1").await),
        ["p1"]
    );
    assert_eq!(
        ids(&t.get("admin", "/flavors?is_public=None", "2.1").await).len(),
        6
    );
    assert_eq!(
        t.get("admin", "/flavors?is_public=maybe", "2.1")
            .await
            .fault()
            .2,
        "Invalid is_public filter [maybe]"
    );
    // A non-admin never sees it, whatever is_public says.
    assert_eq!(
        ids(&t.get("member", "/flavors?is_public=false", "2.1").await).len(),
        5
    );
    assert_eq!(
        t.get("member", "/flavors/p1", "2.1").await.fault().2,
        "Flavor p1 could not be found."
    );
    t.get("admin", "/flavors/p1", "2.1")
        .await
        .check(&Expect::Status(200), "");
}
