//! The scenario files shipped in fixtures/scenarios/ load and seed a working mock.

use mock_client::T;
use mockcloud::MockCloud;
use test_support::mock_client;
use test_support::mock_client::Expect;

fn fixtures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/scenarios")
}

#[tokio::test]
async fn every_fixture_seeds_a_mock() {
    let mut n = 0;
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let path = entry.unwrap().path();
        let seed =
            mockcloud::load_scenario(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let t = T::start(MockCloud::builder().seed(seed)).await;
        let id = t.create_server("member").await;
        assert_eq!(
            t.server(&id).await["status"],
            "ACTIVE",
            "{}",
            path.display()
        );
        n += 1;
    }
    assert!(n >= 3);
}

#[tokio::test]
async fn small_hosts_reject_a_full_destination_after_the_202() {
    let seed = mockcloud::load_scenario(&fixtures().join("small-hosts.yaml")).unwrap();
    let t = T::start(MockCloud::builder().seed(seed)).await;
    let a = t
        .create_server_with(
            "admin",
            serde_json::json!({"flavorRef": "3", "host": "compute1"}),
        )
        .await;
    let _b = t
        .create_server_with(
            "admin",
            serde_json::json!({"flavorRef": "3", "host": "compute2"}),
        )
        .await;
    t.action(
        "admin",
        &a,
        "2.56",
        serde_json::json!({"migrate": {"host": "compute2"}}),
    )
    .await
    .check(&Expect::Status(202), "");
    assert_eq!(t.host_of(&a).await, "compute1");
    assert_eq!(t.migrations().await[0]["status"], "error");
}
