//! The mock as any Nova series of the release table (`fixtures/releases.toml`): every
//! behaviour below follows the series' facts, read from the table. Each test runs once per
//! series (rstest cases: all 18, Queens to 2026.2), and maps each fact value to the answer
//! Nova gives with it; the spot checks at the end pin the series whose facts were observed
//! on upstream Nova (Queens 17.0.13, 2025.1 31.3.1, 2026.2 34.0.0), so a wrong table or a
//! mock that ignores it fails.

use mock_client::T;
use mockcloud::{Lifecycle, MockCloud};
use nova_releases::{
    EmptyHostMessage, NoValidHost, OsloPolicyDefault, PolicyRule, ReleaseTable, Series,
};
use reqwest::Method;
use rstest::rstest;
use rstest_reuse::{apply, template};
use serde_json::json;
use test_support::mock_client;
use test_support::mock_client::Expect;

fn series(id: &str) -> &'static Series {
    ReleaseTable::bundled()
        .get(id)
        .expect("a series of the table")
}

/// compute1 (the servers' source), compute2, and compute3 disabled: a migrate to compute3
/// is a scheduler rejection.
async fn mock_of(id: &str) -> T {
    mock_with(MockCloud::builder().nova_release(id)).await
}

async fn mock_with(b: mockcloud::MockCloudBuilder) -> T {
    let t = T::start(b).await;
    t.cloud
        .state()
        .set_host_enabled("compute3", false, Some("test"));
    t
}

/// A server of project demo (created at 2.37, which every series has: the 2.74 `host`
/// is too new for Queens to Stein) and the enabled host it is not on.
async fn new_server(t: &T, who: &str) -> (String, String) {
    let body = json!({"server": {"name": "vm", "flavorRef": "1", "networks": "none",
        "imageRef": mockcloud::CIRROS_IMAGE_ID}});
    let r = t
        .call(who, Method::POST, "/servers", Some("2.37"), Some(&body))
        .await;
    assert_eq!(r.status, 202, "create: {}", r.text);
    let id = r.json["server"]["id"].as_str().unwrap().to_string();
    let host = show(t, &id).await["OS-EXT-SRV-ATTR:host"]
        .as_str()
        .unwrap()
        .to_string();
    let other = if host == "compute1" {
        "compute2"
    } else {
        "compute1"
    };
    (id, other.to_string())
}

/// The server as an admin sees it at 2.1 (every series has it).
async fn show(t: &T, id: &str) -> serde_json::Value {
    let r = t.get("admin", &format!("/servers/{id}"), "2.1").await;
    assert_eq!(r.status, 200, "show: {}", r.text);
    r.json["server"].clone()
}

async fn migrations(t: &T) -> Vec<serde_json::Value> {
    let r = t.get("admin", "/os-migrations", "2.1").await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json["migrations"].as_array().unwrap().clone()
}

async fn any_server(t: &T) -> String {
    new_server(t, "admin").await.0
}

fn forbidden(rule: &str) -> (String, u64, String) {
    (
        "forbidden".into(),
        403,
        format!("Policy doesn't allow {rule} to be performed."),
    )
}

const MIGRATE: &str = "os_compute_api:os-migrate-server:migrate";
const MIGRATE_HOST: &str = "os_compute_api:os-migrate-server:migrate:host";

#[test]
fn the_table_has_eighteen_series_and_the_cases_cover_them() {
    let ids: Vec<&str> = ReleaseTable::bundled()
        .iter()
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(ids, ALL);
}

const ALL: [&str; 18] = [
    "2018.1", "2018.2", "2019.1", "2019.2", "2020.1", "2020.2", "2021.1", "2021.2", "2022.1",
    "2022.2", "2023.1", "2023.2", "2024.1", "2024.2", "2025.1", "2025.2", "2026.1", "2026.2",
];

/// One case per series of the table (the same ids as [`ALL`], which the test above pins to
/// the table; `#[values]` needs them written out).
#[template]
#[rstest]
fn every_series(
    #[values(
        "2018.1", "2018.2", "2019.1", "2019.2", "2020.1", "2020.2", "2021.1", "2021.2", "2022.1",
        "2022.2", "2023.1", "2023.2", "2024.1", "2024.2", "2025.1", "2025.2", "2026.1", "2026.2"
    )]
    id: &str,
) {
}

#[tokio::test]
async fn every_series_builds_a_mock_that_starts_and_advertises_its_max_microversion() {
    let mut started = 0;
    for s in ReleaseTable::bundled().iter() {
        let cloud = MockCloud::builder()
            .nova_release(&s.id)
            .start()
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", s.id));
        let doc: serde_json::Value = reqwest::get(cloud.compute_url())
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            doc["version"]["version"],
            s.max_microversion.to_string(),
            "{}",
            s.id
        );
        assert_eq!(doc["version"]["min_version"], "2.1");
        cloud.shutdown().await;
        started += 1;
    }
    assert_eq!(started, 18);
}

#[tokio::test]
async fn an_unknown_series_is_an_error_naming_the_known_ones() {
    let err = MockCloud::builder()
        .nova_release("kilo")
        .start()
        .await
        .err()
        .expect("kilo is not in the table");
    assert!(
        matches!(err, mockcloud::Error::UnknownRelease(_)),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("unknown Nova release \"kilo\" (known: 2018.1, 2018.2,"),
        "{err}"
    );
    // Codenames and Nova versions name series too; the range can still be overridden.
    let cloud = MockCloud::builder()
        .nova_release("epoxy")
        .microversions("2.1", "2.90")
        .start()
        .await
        .unwrap();
    let doc: serde_json::Value = reqwest::get(cloud.compute_url())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["version"]["version"], "2.90");
    cloud.shutdown().await;
}

/// `policy.migrate`: who may migrate without a host. A project manager is a member to a
/// series without the manager persona.
#[apply(every_series)]
#[tokio::test]
async fn migrate_policy_follows_the_series(id: &str) {
    let s = series(id);
    let t = mock_of(id).await;
    let sid = any_server(&t).await;
    let r = t
        .action("manager", &sid, "2.56", json!({"migrate": null}))
        .await;
    match s.policy.migrate {
        PolicyRule::ProjectManagerOrAdmin => assert_eq!(r.status, 202, "{id}: {}", r.text),
        PolicyRule::Admin => assert_eq!(r.fault(), forbidden(MIGRATE), "{id}"),
        PolicyRule::None => panic!("{id}: every series has the migrate rule"),
    }
    // Nobody else but an admin, in every series.
    for who in ["member", "reader"] {
        let r = t.action(who, &sid, "2.56", json!({"migrate": null})).await;
        assert_eq!(r.fault(), forbidden(MIGRATE), "{id} {who}");
    }
    let (next, other) = new_server(&t, "admin").await;
    let r = t
        .action("admin", &next, "2.56", json!({"migrate": {"host": other}}))
        .await;
    assert_eq!(r.status, 202, "{id}: {}", r.text);
}

/// `policy.migrate_host`: with a host, a non-admin gets the `:host` rule's 403 where the
/// series has that rule, else the `migrate` rule's (for the manager too).
#[apply(every_series)]
#[tokio::test]
async fn migrate_host_policy_exists_only_where_the_series_has_it(id: &str) {
    let s = series(id);
    let t = mock_of(id).await;
    let (sid, other) = new_server(&t, "admin").await;
    let expected = match s.policy.migrate_host {
        PolicyRule::None => MIGRATE,
        PolicyRule::Admin => MIGRATE_HOST,
        PolicyRule::ProjectManagerOrAdmin => panic!("{id}: migrate:host is admin-only"),
    };
    for who in ["manager", "member"] {
        let r = t
            .action(who, &sid, "2.56", json!({"migrate": {"host": other}}))
            .await;
        assert_eq!(r.fault(), forbidden(expected), "{id} {who}");
    }
    // Below 2.56 the host is never read: the no-host rule applies whatever the body says.
    let r = t
        .action("member", &sid, "2.55", json!({"migrate": {"host": other}}))
        .await;
    assert_eq!(r.fault(), forbidden(MIGRATE), "{id}");
}

/// `policy.before_lookup`: a non-admin on a missing server or another project's gets the
/// policy's 403 where the series checks it first, else the lookup's 404. An admin always
/// gets the 404.
#[apply(every_series)]
#[tokio::test]
async fn migrate_policy_before_the_lookup_where_the_series_checks_it_first(id: &str) {
    let s = series(id);
    let t = mock_of(id).await;
    let demo_server = any_server(&t).await;
    let missing = uuid::Uuid::new_v4().to_string();
    for (who, sid) in [
        ("member", &missing),
        ("reader", &missing),
        ("other", &missing),
        ("other", &demo_server),
    ] {
        let r = t.action(who, sid, "2.56", json!({"migrate": null})).await;
        if s.policy.before_lookup {
            assert_eq!(r.fault(), forbidden(MIGRATE), "{id} {who} {sid}");
        } else {
            r.check(
                &Expect::nova(
                    "itemNotFound",
                    404,
                    format!("Instance {sid} could not be found."),
                ),
                &format!("{id} {who}"),
            );
        }
    }
    let r = t
        .action("admin", &missing, "2.56", json!({"migrate": null}))
        .await;
    assert_eq!(r.status, 404, "{id}");
}

/// `behaviour.no_valid_host`: a requested host the scheduler rejects is a 202 then an
/// asynchronous failure, or (the API waiting for the conductor) a synchronous 400. Either
/// way the failure is recorded the same: the migration `error`, the server back ACTIVE on
/// its source, the action's `Error`.
#[apply(every_series)]
#[tokio::test]
async fn no_valid_host_is_synchronous_or_asynchronous_as_in_the_series(id: &str) {
    let s = series(id);
    let t = mock_of(id).await;
    let sid = any_server(&t).await;
    let source = show(&t, &sid).await["OS-EXT-SRV-ATTR:host"].clone();
    let r = t
        .action(
            "admin",
            &sid,
            "2.56",
            json!({"migrate": {"host": "compute3"}}),
        )
        .await;
    match s.behaviour.no_valid_host {
        NoValidHost::Async => assert_eq!(r.status, 202, "{id}: {}", r.text),
        NoValidHost::Sync400 => assert_eq!(
            r.fault(),
            (
                "badRequest".into(),
                400,
                "No valid host was found. No valid host found for cold migrate".into()
            ),
            "{id}"
        ),
    }
    let server = show(&t, &sid).await;
    assert_eq!(
        (
            &server["status"],
            &server["OS-EXT-SRV-ATTR:host"],
            &server["OS-EXT-STS:task_state"]
        ),
        (&json!("ACTIVE"), &source, &json!(null)),
        "{id}"
    );
    let migrations = migrations(&t).await;
    assert_eq!(migrations.len(), 1, "{id}");
    assert_eq!(migrations[0]["status"], "error", "{id}");
    assert_eq!(migrations[0]["dest_compute"], json!(null), "{id}");
    let rid = r.header("x-openstack-request-id").unwrap().to_string();
    let a = t
        .get(
            "admin",
            &format!("/servers/{sid}/os-instance-actions/{rid}"),
            "2.51",
        )
        .await;
    assert_eq!(a.json["instanceAction"]["action"], "migrate", "{id}");
    assert_eq!(a.json["instanceAction"]["message"], "Error", "{id}");
}

/// `behaviour.empty_host`: jsonschema's wording for the empty host at 2.56+.
#[apply(every_series)]
#[tokio::test]
async fn empty_host_message_is_the_series_jsonschemas(id: &str) {
    let s = series(id);
    let t = mock_of(id).await;
    let sid = any_server(&t).await;
    let r = t
        .action("admin", &sid, "2.56", json!({"migrate": {"host": ""}}))
        .await;
    let words = match s.behaviour.empty_host {
        EmptyHostMessage::TooShort => "is too short",
        EmptyHostMessage::NonEmpty => "should be non-empty",
    };
    r.check(
        &Expect::nova(
            "badRequest",
            400,
            format!("Invalid input for field/attribute host. Value: . '' {words}"),
        ),
        id,
    );
}

/// The manager persona (2025.2's change that made migrate manager-or-admin) also opened
/// `os-migrations:index` to project managers; before it, listing is admin-only.
#[apply(every_series)]
#[tokio::test]
async fn migrations_index_policy_follows_the_manager_persona(id: &str) {
    let s = series(id);
    let t = mock_of(id).await;
    let demo = t.cloud.state().read(|st| {
        st.projects
            .iter()
            .find(|p| p.name == "demo")
            .unwrap()
            .id
            .clone()
    });
    // Its own project's migrations (any other listing needs `index:all_projects`, admin).
    let own = format!("/os-migrations?project_id={demo}");
    let r = t.get("manager", &own, "2.1").await;
    if s.policy.migrate == PolicyRule::ProjectManagerOrAdmin {
        assert_eq!(r.status, 200, "{id}: {}", r.text);
        let r = t.get("manager", "/os-migrations", "2.1").await;
        assert_eq!(
            r.fault(),
            forbidden("os_compute_api:os-migrations:index:all_projects"),
            "{id}"
        );
    } else {
        assert_eq!(
            r.fault(),
            forbidden("os_compute_api:os-migrations:index"),
            "{id}"
        );
    }
    let r = t.get("member", "/os-migrations", "2.1").await;
    assert_eq!(
        r.fault(),
        forbidden("os_compute_api:os-migrations:index"),
        "{id}"
    );
    t.get("admin", "/os-migrations", "2.1")
        .await
        .check(&Expect::Status(200), "");
}

/// `policy.enforce_new_defaults`: without the new defaults a project's reader passes the
/// member rules (oslo.policy ORs them with the deprecated `admin_or_owner`).
#[apply(every_series)]
#[tokio::test]
async fn member_rules_follow_the_series_policy_defaults(id: &str) {
    let s = series(id);
    let t = mock_of(id).await;
    let (sid, _) = new_server(&t, "member").await;
    let r = t
        .action("reader", &sid, "2.1", json!({"os-stop": null}))
        .await;
    match s.policy.enforce_new_defaults {
        OsloPolicyDefault::True => {
            assert_eq!(r.fault(), forbidden("os_compute_api:servers:stop"), "{id}")
        }
        OsloPolicyDefault::False | OsloPolicyDefault::Absent => {
            assert_eq!(r.status, 202, "{id}: {}", r.text)
        }
    }
    // Another project's user never sees the server.
    let r = t
        .action("other", &sid, "2.1", json!({"os-start": null}))
        .await;
    assert_eq!(r.status, 404, "{id}");
}

/// Where the API waits for the conductor, the conductor step is done when the 202
/// returns, even with a manual lifecycle: the migration exists (`pre-migrating`, its
/// destination chosen). An asynchronous series has not created it yet.
#[tokio::test]
async fn a_synchronous_conductor_runs_inside_the_request_in_every_lifecycle() {
    for (id, migration_at_202) in [("2018.1", true), ("2026.2", false)] {
        let t = mock_with(
            MockCloud::builder()
                .nova_release(id)
                .lifecycle(Lifecycle::Manual),
        )
        .await;
        let (sid, other) = new_server(&t, "admin").await;
        let r = t
            .action("admin", &sid, "2.56", json!({"migrate": {"host": other}}))
            .await;
        assert_eq!(r.status, 202, "{id}: {}", r.text);
        let ms = migrations(&t).await;
        if migration_at_202 {
            assert_eq!(ms.len(), 1, "{id}");
            assert_eq!(
                (&ms[0]["status"], &ms[0]["dest_compute"]),
                (&json!("pre-migrating"), &json!(other))
            );
        } else {
            assert_eq!(ms.len(), 0, "{id}");
        }
        t.cloud.state().advance_all();
        let server = show(&t, &sid).await;
        assert_eq!(
            (&server["status"], &server["OS-EXT-SRV-ATTR:host"]),
            (&json!("VERIFY_RESIZE"), &json!(other)),
            "{id}"
        );
        // A rejection in manual mode: answered (400) or recorded (202) at once.
        let other = any_server(&t).await;
        let r = t
            .action(
                "admin",
                &other,
                "2.56",
                json!({"migrate": {"host": "compute3"}}),
            )
            .await;
        assert_eq!(r.status, if migration_at_202 { 400 } else { 202 }, "{id}");
    }
}

/// The series whose facts were observed on upstream Nova, pinned.
#[tokio::test]
async fn observed_series_spot_checks() {
    // Queens (17.0.13): 403 before the lookup, no :host rule, synchronous NoValidHost.
    let t = mock_of("queens").await;
    let missing = uuid::Uuid::new_v4().to_string();
    let r = t
        .action(
            "member",
            &missing,
            "2.56",
            json!({"migrate": {"host": "compute2"}}),
        )
        .await;
    assert_eq!(r.fault(), forbidden(MIGRATE));
    let sid = any_server(&t).await;
    t.action(
        "admin",
        &sid,
        "2.56",
        json!({"migrate": {"host": "compute3"}}),
    )
    .await
    .check(&Expect::Status(400), "");
    let r = t.get("admin", "/servers/detail", "2.61").await;
    assert_eq!(r.status, 406, "Queens' max is 2.60");
    // 2025.1 (31.3.1): a manager is a member; 2025.2 and later: manager-or-admin.
    for (id, status) in [("2025.1", 403), ("2025.2", 202), ("2026.2", 202)] {
        let t = mock_of(id).await;
        let sid = any_server(&t).await;
        let r = t
            .action("manager", &sid, "2.56", json!({"migrate": null}))
            .await;
        assert_eq!(r.status, status, "{id}");
    }
    // The default is the newest series: 2.104, manager-or-admin, "should be non-empty".
    let t = mock_with(MockCloud::builder()).await;
    let sid = any_server(&t).await;
    let r = t
        .call(
            "manager",
            Method::POST,
            &format!("/servers/{sid}/action"),
            Some("2.104"),
            Some(&json!({"migrate": null})),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
}

/// `behaviour.source_up_check`: with the source compute service forced down, a migrate is
/// 409 "Service is unavailable at this time." where the series checks it, else accepted
/// (the move proceeds: only the service's flag is down).
#[apply(every_series)]
#[tokio::test]
async fn source_service_down_follows_the_series(id: &str) {
    source_down_case(series(id)).await;
}

async fn source_down_case(s: &'static Series) {
    let t = mock_with(MockCloud::builder().nova_series(s)).await;
    let (sid, other) = new_server(&t, "admin").await;
    let source = show(&t, &sid).await["OS-EXT-SRV-ATTR:host"]
        .as_str()
        .unwrap()
        .to_string();
    t.cloud.state().set_forced_down(&source, true);
    let r = t
        .action("admin", &sid, "2.56", json!({"migrate": {"host": other}}))
        .await;
    if s.behaviour.source_up_check {
        r.check(
            &Expect::nova(
                "conflictingRequest",
                409,
                "Service is unavailable at this time.",
            ),
            &s.id,
        );
    } else {
        assert_eq!(r.status, 202, "{}: {}", s.id, r.text);
        assert_eq!(show(&t, &sid).await["status"], "VERIFY_RESIZE", "{}", s.id);
    }
}

/// The fact is read, not assumed: the same series with the check absent accepts the move.
#[tokio::test]
async fn a_series_without_the_source_check_accepts_the_move() {
    let mut s = series("2026.2").clone();
    s.behaviour.source_up_check = false;
    let s: &'static Series = Box::leak(Box::new(s));
    source_down_case(s).await;
    let mut s = series("2018.1").clone();
    s.behaviour.source_up_check = true;
    source_down_case(Box::leak(Box::new(s))).await;
}
