//! `os-migrateLive` as upstream Nova (migrate_server.py, compute/api.py live_migrate, the
//! conductor's LiveMigrationTask, the policies of every series), its lifecycle in the three
//! modes, and `/servers/{id}/migrations` (list, show, force_complete, abort). Every answer
//! is checked by status, fault name and exact message.

use mock_client::T;
use mockcloud::{Durations, HostSpec, Lifecycle, MockCloud, Profile};
use nova_releases::ReleaseTable;
use reqwest::Method;
use rstest::rstest;
use serde_json::{json, Value};
use std::time::Duration;
use test_support::mock_client;
use test_support::mock_client::Expect;

const MISSING: &str = "9a5f7c3e-0c1a-4b1c-9d4c-2f1b2a3c4d5e";

/// `parameter_types.boolean`'s enum as jsonschema prints it.
const BOOL_ENUM: &str = "[True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no']";

fn uuid(s: &str) -> uuid::Uuid {
    uuid::Uuid::parse_str(s).unwrap()
}

fn live(host: Value, extra: Value) -> Value {
    let mut inner = json!({"host": host});
    if let (Some(i), Some(e)) = (inner.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            i.insert(k.clone(), v.clone());
        }
    }
    json!({ "os-migrateLive": inner })
}

/// The body every microversion accepts for `host` (2.1-2.24 need disk_over_commit too).
fn body_at(version: &str, host: Value) -> Value {
    let minor: u16 = version[2..].parse().unwrap();
    if minor < 25 {
        live(
            host,
            json!({"block_migration": false, "disk_over_commit": false}),
        )
    } else {
        live(host, json!({"block_migration": "auto"}))
    }
}

fn fault(status: u16) -> &'static str {
    match status {
        400 => "badRequest",
        403 => "forbidden",
        404 => "itemNotFound",
        409 => "conflictingRequest",
        _ => "computeFault",
    }
}

async fn assert_fault(r: &mock_client::Resp, status: u16, message: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(
        r.fault(),
        (fault(status).to_string(), u64::from(status), message.into())
    );
}

/// A server of `who` created at 2.37, which every series has (2.74 is past Queens' max).
async fn create_at_237(t: &T, who: &str) -> String {
    let body = json!({"server": {"name": "vm", "flavorRef": "1",
        "imageRef": mockcloud::CIRROS_IMAGE_ID, "networks": "none"}});
    let r = t
        .call(who, Method::POST, "/servers", Some("2.37"), Some(&body))
        .await;
    assert_eq!(r.status, 202, "create: {}", r.text);
    r.json["server"]["id"].as_str().unwrap().to_string()
}

fn manual() -> mockcloud::MockCloudBuilder {
    MockCloud::builder().lifecycle(Lifecycle::Manual)
}

/// The live migrations of one server as the admin sees them in `os-migrations`.
async fn live_migrations(t: &T, id: &str) -> Vec<Value> {
    t.migrations()
        .await
        .into_iter()
        .filter(|m| m["instance_uuid"] == id && m["migration_type"] == "live-migration")
        .collect()
}

async fn last_action(t: &T, id: &str) -> Value {
    let r = t
        .get(
            "admin",
            &format!("/servers/{id}/os-instance-actions"),
            "2.84",
        )
        .await;
    let rid = r.json["instanceActions"][0]["request_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = t
        .get(
            "admin",
            &format!("/servers/{id}/os-instance-actions/{rid}"),
            "2.84",
        )
        .await;
    r.json["instanceAction"].clone()
}

fn event_names(action: &Value) -> Vec<String> {
    action["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Schema per microversion (schemas/migrate_server.py), Nova's jsonschema messages.

#[rstest]
#[case::v21_disk_over_commit_required(
    "2.1",
    json!({"os-migrateLive": {"host": null, "block_migration": false}}),
    "Invalid input for field/attribute os-migrateLive. Value: {'host': None, 'block_migration': False}. 'disk_over_commit' is a required property"
)]
#[case::v224_block_migration_required(
    "2.24",
    json!({"os-migrateLive": {"host": null, "disk_over_commit": false}}),
    "Invalid input for field/attribute os-migrateLive. Value: {'host': None, 'disk_over_commit': False}. 'block_migration' is a required property"
)]
#[case::v224_host_required(
    "2.24",
    json!({"os-migrateLive": {"block_migration": false, "disk_over_commit": false}}),
    "Invalid input for field/attribute os-migrateLive. Value: {'block_migration': False, 'disk_over_commit': False}. 'host' is a required property"
)]
#[case::v224_auto_is_not_a_boolean(
    "2.24",
    json!({"os-migrateLive": {"host": null, "block_migration": "auto", "disk_over_commit": false}}),
    &format!("Invalid input for field/attribute block_migration. Value: auto. 'auto' is not one of {BOOL_ENUM}")
)]
#[case::v224_disk_over_commit_boolean(
    "2.24",
    json!({"os-migrateLive": {"host": null, "block_migration": true, "disk_over_commit": "y"}}),
    &format!("Invalid input for field/attribute disk_over_commit. Value: y. 'y' is not one of {BOOL_ENUM}")
)]
#[case::v224_force_unknown(
    "2.24",
    json!({"os-migrateLive": {"host": null, "block_migration": true, "disk_over_commit": false, "force": true}}),
    "Invalid input for field/attribute os-migrateLive. Value: {'host': None, 'block_migration': True, 'disk_over_commit': False, 'force': True}. Additional properties are not allowed ('force' was unexpected)"
)]
#[case::v225_disk_over_commit_gone(
    "2.25",
    json!({"os-migrateLive": {"host": null, "block_migration": "auto", "disk_over_commit": false}}),
    "Invalid input for field/attribute os-migrateLive. Value: {'host': None, 'block_migration': 'auto', 'disk_over_commit': False}. Additional properties are not allowed ('disk_over_commit' was unexpected)"
)]
#[case::v225_block_migration_required(
    "2.25",
    json!({"os-migrateLive": {"host": null}}),
    "Invalid input for field/attribute os-migrateLive. Value: {'host': None}. 'block_migration' is a required property"
)]
#[case::v229_force_unknown(
    "2.29",
    json!({"os-migrateLive": {"host": null, "block_migration": "auto", "force": false}}),
    "Invalid input for field/attribute os-migrateLive. Value: {'host': None, 'block_migration': 'auto', 'force': False}. Additional properties are not allowed ('force' was unexpected)"
)]
#[case::v230_block_migration_enum_has_auto(
    "2.30",
    json!({"os-migrateLive": {"host": null, "block_migration": "t"}}),
    "Invalid input for field/attribute block_migration. Value: t. 't' is not one of [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no', 'auto']"
)]
#[case::v230_force_enum(
    "2.30",
    json!({"os-migrateLive": {"host": "compute2", "block_migration": "auto", "force": "n"}}),
    &format!("Invalid input for field/attribute force. Value: n. 'n' is not one of {BOOL_ENUM}")
)]
#[case::v267_force_null(
    "2.67",
    json!({"os-migrateLive": {"host": "compute2", "block_migration": "auto", "force": null}}),
    "Invalid input for field/attribute force. Value: None. None is not of type 'boolean', 'string'"
)]
#[case::v268_force_gone(
    "2.68",
    json!({"os-migrateLive": {"host": "compute2", "block_migration": "auto", "force": false}}),
    "Invalid input for field/attribute os-migrateLive. Value: {'host': 'compute2', 'block_migration': 'auto', 'force': False}. Additional properties are not allowed ('force' was unexpected)"
)]
#[case::v2104_host_pattern(
    "2.104",
    json!({"os-migrateLive": {"host": "bad host!", "block_migration": "auto"}}),
    "Invalid input for field/attribute host. Value: bad host!. 'bad host!' does not match '^[a-zA-Z0-9-._]*$'"
)]
#[case::v2104_host_empty(
    "2.104",
    json!({"os-migrateLive": {"host": "", "block_migration": "auto"}}),
    "Invalid input for field/attribute host. Value: . '' should be non-empty"
)]
#[case::v2104_host_type(
    "2.104",
    json!({"os-migrateLive": {"host": 7, "block_migration": "auto"}}),
    "Invalid input for field/attribute host. Value: 7. 7 is not of type 'string', 'null'"
)]
#[case::v2104_block_migration_integer(
    "2.104",
    json!({"os-migrateLive": {"host": null, "block_migration": 1}}),
    "Invalid input for field/attribute block_migration. Value: 1. 1 is not of type 'boolean', 'string'"
)]
#[case::v2104_not_an_object(
    "2.104",
    json!({"os-migrateLive": null}),
    "Invalid input for field/attribute os-migrateLive. Value: None. None is not of type 'object'"
)]
#[tokio::test]
async fn schema_per_microversion(
    #[case] version: &str,
    #[case] body: Value,
    #[case] message: &str,
) {
    let t = T::default().await;
    let id = t.create_server("member").await;
    let r = t.action("admin", &id, version, body).await;
    assert_fault(&r, 400, message).await;
    // Refused before anything changed.
    assert_eq!(t.server(&id).await["status"], "ACTIVE");
    assert_eq!(live_migrations(&t, &id).await.len(), 0);
}

/// Every string boolean the schema admits is taken as strutils.bool_from_string does, and
/// 'auto' (2.25+) is a block_migration value: all accepted (202) and migrated.
#[rstest]
#[case("2.1", json!({"block_migration": "yes", "disk_over_commit": "0"}))]
#[case("2.24", json!({"block_migration": "On", "disk_over_commit": "FALSE"}))]
#[case("2.25", json!({"block_migration": "auto"}))]
#[case("2.30", json!({"block_migration": "1", "force": "no"}))]
#[case("2.67", json!({"block_migration": "Off", "force": "NO"}))]
#[case("2.104", json!({"block_migration": false}))]
#[tokio::test]
async fn accepted_bodies(#[case] version: &str, #[case] extra: Value) {
    let t = T::default().await;
    let id = t.create_server("member").await;
    let src = t.host_of(&id).await;
    let r = t
        .action("admin", &id, version, live(Value::Null, extra))
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(r.text, "");
    let s = t.server(&id).await;
    assert_eq!(s["status"], "ACTIVE");
    assert_ne!(s["OS-EXT-SRV-ATTR:host"], src.as_str());
}

// ---------------------------------------------------------------------------------------
// Order of checks (Nova 21.0.0+ and Queens..Train).

#[tokio::test]
async fn schema_before_lookup_before_policy() {
    let t = T::default().await;
    // A bad body on a missing server: the schema answers.
    let r = t
        .action("member", MISSING, "2.68", live(json!("x y"), json!({})))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    // A missing server as a member: 404 before the policy (403).
    let r = t
        .action("member", MISSING, "2.68", body_at("2.68", Value::Null))
        .await;
    assert_fault(&r, 404, &format!("Instance {MISSING} could not be found.")).await;
    // Another project's server is invisible too.
    let theirs = t.create_server("other").await;
    let r = t
        .action("manager", &theirs, "2.68", body_at("2.68", Value::Null))
        .await;
    assert_fault(&r, 404, &format!("Instance {theirs} could not be found.")).await;
}

#[rstest]
#[case::member_no_host(
    "member",
    Value::Null,
    403,
    "Policy doesn't allow os_compute_api:os-migrate-server:migrate_live to be performed."
)]
#[case::reader_no_host(
    "reader",
    Value::Null,
    403,
    "Policy doesn't allow os_compute_api:os-migrate-server:migrate_live to be performed."
)]
#[case::manager_host("manager", json!("compute3"), 403, "Policy doesn't allow os_compute_api:os-migrate-server:migrate_live:host to be performed.")]
#[case::member_host("member", json!("compute3"), 403, "Policy doesn't allow os_compute_api:os-migrate-server:migrate_live:host to be performed.")]
#[case::manager_no_host("manager", Value::Null, 202, "")]
#[case::admin_host("admin", json!("compute3"), 202, "")]
#[tokio::test]
async fn policy_2026_2(
    #[case] who: &str,
    #[case] host: Value,
    #[case] status: u16,
    #[case] message: &str,
) {
    let t = T::default().await;
    let id = t.create_server("member").await;
    let r = t.action(who, &id, "2.68", body_at("2.68", host)).await;
    if status == 202 {
        assert_eq!(r.status, 202, "{}", r.text);
        assert_eq!(live_migrations(&t, &id).await.len(), 1);
    } else {
        assert_fault(&r, status, message).await;
        assert_eq!(live_migrations(&t, &id).await.len(), 0);
    }
}

/// The release-specific policy: `migrate_live:host` exists from Nova 32.0.0 (2025.2), when
/// `migrate_live` became project-manager-or-admin; before, `migrate_live` (admin) is checked
/// for every body, and Queens..Train check it before the lookup.
#[tokio::test]
async fn policy_of_every_series() {
    let mut checked = 0;
    for s in ReleaseTable::bundled().iter() {
        let t = T::start(MockCloud::builder().nova_release(&s.id)).await;
        let id = create_at_237(&t, "member").await;
        let v = "2.60"; // every series has it (Queens' max)
        let manager_null = t.action("manager", &id, v, body_at(v, Value::Null)).await;
        let manager_host = t
            .action("manager", &id, v, body_at(v, json!("compute3")))
            .await;
        let member_missing = t
            .action("member", MISSING, v, body_at(v, Value::Null))
            .await;
        let live_rule =
            "Policy doesn't allow os_compute_api:os-migrate-server:migrate_live to be performed.";
        let host_rule = "Policy doesn't allow os_compute_api:os-migrate-server:migrate_live:host to be performed.";
        if s.major() >= 32 {
            assert_eq!(manager_null.status, 202, "{}: {}", s.id, manager_null.text);
            assert_fault(&manager_host, 403, host_rule).await;
        } else {
            assert_fault(&manager_null, 403, live_rule).await;
            assert_fault(&manager_host, 403, live_rule).await;
        }
        if s.major() <= 20 {
            assert_fault(&member_missing, 403, live_rule).await;
        } else {
            assert_fault(
                &member_missing,
                404,
                &format!("Instance {MISSING} could not be found."),
            )
            .await;
        }
        let admin = t
            .action("admin", &id, v, body_at(v, json!("compute3")))
            .await;
        assert_eq!(admin.status, 202, "{}: {}", s.id, admin.text);
        let shown = t.get("admin", &format!("/servers/{id}"), v).await;
        assert_eq!(
            shown.json["server"]["OS-EXT-SRV-ATTR:host"], "compute3",
            "{}",
            s.id
        );
        t.cloud.shutdown().await;
        checked += 1;
    }
    assert_eq!(checked, 18);
}

#[tokio::test]
async fn force_without_host_after_policy_and_lookup() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    let body = live(
        Value::Null,
        json!({"block_migration": "auto", "force": true}),
    );
    let r = t.action("admin", &id, "2.30", body.clone()).await;
    assert_fault(&r, 400, "Can't force to a non-provided destination").await;
    // 2.67 still, and "True" is a true force too.
    let r = t
        .action(
            "admin",
            &id,
            "2.67",
            live(
                Value::Null,
                json!({"block_migration": "auto", "force": "True"}),
            ),
        )
        .await;
    assert_fault(&r, 400, "Can't force to a non-provided destination").await;
    // Policy first: the manager passes migrate_live (no host) and then gets the 400; a
    // member gets the 403.
    let r = t.action("manager", &id, "2.30", body.clone()).await;
    assert_fault(&r, 400, "Can't force to a non-provided destination").await;
    let r = t.action("member", &id, "2.30", body.clone()).await;
    assert_fault(
        &r,
        403,
        "Policy doesn't allow os_compute_api:os-migrate-server:migrate_live to be performed.",
    )
    .await;
    // Lookup first (21.0.0+): a missing server is a 404.
    let r = t.action("admin", MISSING, "2.30", body.clone()).await;
    assert_fault(&r, 404, &format!("Instance {MISSING} could not be found.")).await;
    // Before the lock and state checks: a stopped server still gets the 400.
    t.action("member", &id, "2.1", json!({"os-stop": null}))
        .await
        .check(&Expect::Status(202), "");
    let r = t.action("admin", &id, "2.30", body).await;
    assert_fault(&r, 400, "Can't force to a non-provided destination").await;
}

#[tokio::test]
async fn queens_checks_policy_and_force_before_the_lookup() {
    let t = T::start(MockCloud::builder().nova_release("2018.1")).await;
    let id = create_at_237(&t, "member").await;
    // The member is refused by the policy whatever the server (admin-only migrate_live).
    let r = t
        .action("member", &id, "2.30", body_at("2.30", Value::Null))
        .await;
    assert_fault(
        &r,
        403,
        "Policy doesn't allow os_compute_api:os-migrate-server:migrate_live to be performed.",
    )
    .await;
    let body = live(
        Value::Null,
        json!({"block_migration": "auto", "force": true}),
    );
    let r = t.action("admin", MISSING, "2.30", body).await;
    assert_fault(&r, 400, "Can't force to a non-provided destination").await;
    let r = t
        .action("admin", MISSING, "2.30", body_at("2.30", Value::Null))
        .await;
    assert_fault(&r, 404, &format!("Instance {MISSING} could not be found.")).await;
    // The server migrations API too (server_migrations.py@20.6.1; observed on 17.0.13).
    let r = t
        .get("member", &format!("/servers/{MISSING}/migrations"), "2.23")
        .await;
    assert_fault(
        &r,
        403,
        "Policy doesn't allow os_compute_api:servers:migrations:index to be performed.",
    )
    .await;
    let r = t
        .call(
            "member",
            Method::DELETE,
            &format!("/servers/{MISSING}/migrations/1"),
            Some("2.24"),
            None,
        )
        .await;
    assert_fault(
        &r,
        403,
        "Policy doesn't allow os_compute_api:servers:migrations:delete to be performed.",
    )
    .await;
}

#[tokio::test]
async fn lock_then_state_then_unknown_host() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    // The manager passes migrate_live (no host); the owner's lock stops it (admins bypass).
    t.action("member", &id, "2.1", json!({"os-stop": null}))
        .await
        .check(&Expect::Status(202), "");
    t.action("member", &id, "2.1", json!({"lock": null}))
        .await
        .check(&Expect::Status(202), "");
    let r = t
        .action("manager", &id, "2.68", body_at("2.68", Value::Null))
        .await;
    assert_fault(&r, 409, &format!("Instance {id} is locked")).await;
    // Admin: past the lock, the state (stopped) answers before the unknown host.
    let r = t
        .action("admin", &id, "2.68", body_at("2.68", json!("nope")))
        .await;
    assert_fault(
        &r,
        409,
        &format!("Cannot 'os-migrateLive' instance {id} while it is in vm_state stopped"),
    )
    .await;
    t.action("admin", &id, "2.1", json!({"os-start": null}))
        .await
        .check(&Expect::Status(202), "");
    let r = t
        .action("admin", &id, "2.68", body_at("2.68", json!("nope")))
        .await;
    assert_fault(&r, 400, "Compute host nope could not be found.").await;
    // Nothing was recorded by the refusals.
    assert_eq!(live_migrations(&t, &id).await.len(), 0);
    assert_eq!(t.server(&id).await["OS-EXT-STS:task_state"], Value::Null);
}

#[rstest]
#[case::stopped("os-stop", "vm_state stopped")]
#[case::suspended("suspend", "vm_state suspended")]
#[tokio::test]
async fn wrong_state(#[case] action: &str, #[case] what: &str) {
    let t = T::default().await;
    let id = t.create_server("member").await;
    t.action("member", &id, "2.1", json!({ action: null }))
        .await
        .check(&Expect::Status(202), "");
    let r = t
        .action("admin", &id, "2.25", body_at("2.25", Value::Null))
        .await;
    assert_fault(
        &r,
        409,
        &format!("Cannot 'os-migrateLive' instance {id} while it is in {what}"),
    )
    .await;
}

#[tokio::test]
async fn in_progress_task_state_is_409() {
    let t = T::start(manual()).await;
    let id = t.create_server("member").await;
    t.action("admin", &id, "2.68", body_at("2.68", Value::Null))
        .await
        .check(&Expect::Status(202), "");
    let r = t
        .action("admin", &id, "2.68", body_at("2.68", Value::Null))
        .await;
    assert_fault(
        &r,
        409,
        &format!("Cannot 'os-migrateLive' instance {id} while it is in task_state migrating"),
    )
    .await;
}

// ---------------------------------------------------------------------------------------
// Conductor pre-checks: synchronous 400 before 2.34, asynchronous failure from 2.34.

/// (version, host, force, setup, expected message); the server is on compute1.
/// Hosts: compute2 disabled (up), compute3 forced down, small (256 MB) and tight (no disk).
fn precheck_cloud() -> mockcloud::MockCloudBuilder {
    let small = HostSpec {
        memory_mb: 256,
        ..HostSpec::new("small")
    };
    let tight = HostSpec {
        disk_gb: 0,
        reserved_memory_mb: 0,
        ..HostSpec::new("tight")
    };
    MockCloud::builder().host_specs(vec![
        HostSpec::new("compute1"),
        HostSpec::new("compute2"),
        HostSpec::new("compute3"),
        small,
        tight,
    ])
}

async fn precheck_setup(t: &T) -> String {
    let id = t.create_server("member").await;
    assert_eq!(t.host_of(&id).await, "compute1");
    let st = t.cloud.state();
    st.set_host_enabled("compute2", false, Some("maintenance"));
    st.set_forced_down("compute3", true);
    id
}

const NOT_ENOUGH: &str = "No valid host was found. There are not enough hosts available.";

#[rstest]
// The scheduler (no force): a disabled, a down, the source host; placement first for a
// host without room (reason "").
#[case::disabled("2.30", "compute2", None, "No valid host was found. ".to_string())]
#[case::down("2.30", "compute3", None, NOT_ENOUGH.to_string())]
#[case::source("2.30", "compute1", None, NOT_ENOUGH.to_string())]
#[case::no_room("2.33", "small", None, "No valid host was found. ".to_string())]
// Forced (2.30-2.33 force true; below 2.30 any host): the conductor's own checks.
#[case::forced_source("2.30", "compute1", Some(true), "Unable to migrate instance ({id}) to current host (compute1).".to_string())]
#[case::legacy_source("2.29", "compute1", None, "Unable to migrate instance ({id}) to current host (compute1).".to_string())]
#[case::forced_down("2.33", "compute3", Some(true), "Compute service of compute3 is unavailable at this time.".to_string())]
#[case::legacy_down("2.1", "compute3", None, "Compute service of compute3 is unavailable at this time.".to_string())]
#[case::forced_memory("2.30", "small", Some(true), "Migration pre-check error: Unable to migrate {id} to small: Lack of memory(host:256.0 <= instance:512)".to_string())]
#[case::forced_capacity("2.30", "tight", Some(true), "No valid host was found. Unable to move instance {id} to host tight. There is not enough capacity on the host for the instance.".to_string())]
#[tokio::test]
async fn synchronous_prechecks_before_2_34(
    #[case] version: &str,
    #[case] host: &str,
    #[case] force: Option<bool>,
    #[case] message: String,
) {
    let t = T::start(precheck_cloud()).await;
    let id = precheck_setup(&t).await;
    let mut body = body_at(version, json!(host));
    if let Some(f) = force {
        body["os-migrateLive"]["force"] = json!(f);
    }
    let r = t.action("admin", &id, version, body).await;
    let message = message.replace("{id}", &id);
    assert_fault(&r, 400, &message).await;
    // What the failure recorded: the migration errored, the server is back on the source,
    // the action has the conductor's (RPC call: migrate_server) Error event.
    let s = t.server(&id).await;
    assert_eq!(s["status"], "ACTIVE");
    assert_eq!(s["OS-EXT-STS:task_state"], Value::Null);
    assert_eq!(s["OS-EXT-SRV-ATTR:host"], "compute1");
    let ms = live_migrations(&t, &id).await;
    assert_eq!(ms.len(), 1);
    assert_eq!(ms[0]["status"], "error");
    let forced = force == Some(true) || version == "2.29" || version == "2.1";
    let dest = if forced { json!(host) } else { Value::Null };
    assert_eq!(ms[0]["dest_compute"], dest);
    // Chosen with the destination only: null on a pre-check failure.
    assert_eq!(ms[0]["source_node"], Value::Null);
    assert_eq!(ms[0]["dest_node"], Value::Null);
    let a = last_action(&t, &id).await;
    assert_eq!(a["action"], "live-migration");
    assert_eq!(a["message"], "Error");
    assert_eq!(event_names(&a), ["conductor_migrate_server"]);
    assert_eq!(a["events"][0]["result"], "Error");
    assert_eq!(a["events"][0]["details"], message.as_str());
    // The source allocation is the instance's again.
    let used = t.cloud.state().read(|st| st.used_on("compute1").memory_mb);
    assert_eq!(used, 512);
}

#[rstest]
#[case::disabled("2.34", "compute2", None, "No valid host was found. ".to_string())]
#[case::disabled_268("2.68", "compute2", None, "No valid host was found. ".to_string())]
#[case::source("2.104", "compute1", None, NOT_ENOUGH.to_string())]
#[case::forced_source("2.34", "compute1", Some(true), "Unable to migrate instance ({id}) to current host (compute1).".to_string())]
#[case::forced_down("2.67", "compute3", Some(true), "Compute service of compute3 is unavailable at this time.".to_string())]
#[case::no_room("2.90", "small", None, "No valid host was found. ".to_string())]
#[tokio::test]
async fn asynchronous_failure_from_2_34(
    #[case] version: &str,
    #[case] host: &str,
    #[case] force: Option<bool>,
    #[case] message: String,
    #[values(Lifecycle::Instant, Lifecycle::Manual)] mode: Lifecycle,
) {
    let t = T::start(precheck_cloud().lifecycle(mode)).await;
    let id = precheck_setup(&t).await;
    let mut body = body_at(version, json!(host));
    if let Some(f) = force {
        body["os-migrateLive"]["force"] = json!(f);
    }
    let r = t.action("admin", &id, version, body).await;
    assert_eq!(r.status, 202, "{}", r.text);
    if mode == Lifecycle::Manual {
        let s = t.server(&id).await;
        assert_eq!(s["status"], "MIGRATING");
        assert_eq!(s["OS-EXT-STS:task_state"], "migrating");
        assert_eq!(live_migrations(&t, &id).await.len(), 0);
        assert!(t.cloud.state().advance(uuid(&id)));
        assert!(!t.cloud.state().advance(uuid(&id)), "the failure ends it");
    }
    let message = message.replace("{id}", &id);
    let s = t.server(&id).await;
    assert_eq!(s["status"], "ACTIVE");
    assert_eq!(s["OS-EXT-STS:task_state"], Value::Null);
    assert_eq!(s["OS-EXT-SRV-ATTR:host"], "compute1");
    let ms = live_migrations(&t, &id).await;
    assert_eq!(ms.len(), 1);
    assert_eq!(ms[0]["status"], "error");
    let a = last_action(&t, &id).await;
    assert_eq!(a["message"], "Error");
    assert_eq!(event_names(&a), ["conductor_live_migrate_instance"]);
    assert_eq!(a["events"][0]["result"], "Error");
    assert_eq!(a["events"][0]["details"], message.as_str());
    assert!(a["events"][0]["traceback"]
        .as_str()
        .unwrap()
        .starts_with("Traceback (most recent call last):"));
}

#[tokio::test]
async fn a_paused_server_fails_back_to_paused() {
    let t = T::start(precheck_cloud()).await;
    let id = precheck_setup(&t).await;
    t.action("member", &id, "2.1", json!({"pause": null}))
        .await
        .check(&Expect::Status(202), "");
    t.action("admin", &id, "2.68", body_at("2.68", json!("compute2")))
        .await
        .check(&Expect::Status(202), "");
    let s = t.server(&id).await;
    assert_eq!(s["status"], "PAUSED");
    assert_eq!(s["OS-EXT-SRV-ATTR:host"], "compute1");
}

#[tokio::test]
async fn the_source_host_down_is_a_conductor_error() {
    let t = T::start(precheck_cloud()).await;
    let id = precheck_setup(&t).await;
    t.cloud.state().set_forced_down("compute1", true);
    let r = t
        .action("admin", &id, "2.25", body_at("2.25", Value::Null))
        .await;
    assert_fault(
        &r,
        400,
        "Compute service of compute1 is unavailable at this time.",
    )
    .await;
    t.action("admin", &id, "2.34", body_at("2.34", Value::Null))
        .await
        .check(&Expect::Status(202), "");
    assert_eq!(
        last_action(&t, &id).await["events"][0]["details"],
        "Compute service of compute1 is unavailable at this time."
    );
}

// ---------------------------------------------------------------------------------------
// force: the scheduler's filters are skipped, the conductor's checks are not.

#[rstest]
#[case::forced_disabled_230("2.30", Some(true))]
#[case::forced_disabled_267("2.67", Some(true))]
#[case::legacy_disabled_225("2.25", None)]
#[case::legacy_disabled_21("2.1", None)]
#[tokio::test]
async fn force_accepts_a_disabled_but_up_host(
    #[case] version: &str,
    #[case] force: Option<bool>,
    #[values(Profile::Nova, Profile::PikeSpec)] profile: Profile,
) {
    let t = T::start(precheck_cloud().profile(profile)).await;
    let id = precheck_setup(&t).await;
    let mut body = body_at(version, json!("compute2"));
    if let Some(f) = force {
        body["os-migrateLive"]["force"] = json!(f);
    }
    let r = t.action("admin", &id, version, body).await;
    assert_eq!(r.status, 202, "{}", r.text);
    let s = t.server(&id).await;
    assert_eq!(s["status"], "ACTIVE");
    assert_eq!(s["OS-EXT-SRV-ATTR:host"], "compute2");
    let ms = live_migrations(&t, &id).await;
    assert_eq!(ms.len(), 1);
    assert_eq!(ms[0]["status"], "completed");
    assert_eq!(ms[0]["dest_compute"], "compute2");
    // The allocation moved with it.
    let (src, dst) = t.cloud.state().read(|st| {
        (
            st.used_on("compute1").memory_mb,
            st.used_on("compute2").memory_mb,
        )
    });
    assert_eq!((src, dst), (0, 512));
}

#[tokio::test]
async fn force_false_lets_the_scheduler_refuse_the_disabled_host() {
    let t = T::start(precheck_cloud()).await;
    let id = precheck_setup(&t).await;
    let body = live(
        json!("compute2"),
        json!({"block_migration": "auto", "force": false}),
    );
    let r = t.action("admin", &id, "2.30", body).await;
    assert_fault(&r, 400, "No valid host was found. ").await;
}

/// Before Train (20.0.0) the scheduler's placement query was not limited to the requested
/// host nor left disabled computes out: a disabled or full requested host is dropped by the
/// filters, not by placement (`behaviour.placement_prefilters`; observed on 17.0.13 and
/// 20.6.1).
#[rstest]
#[case("2018.1", "compute2", NOT_ENOUGH)]
#[case("2019.1", "small", NOT_ENOUGH)]
#[case("2019.2", "compute2", "No valid host was found. ")]
#[case("2019.2", "small", "No valid host was found. ")]
#[case("2026.2", "compute2", "No valid host was found. ")]
#[tokio::test]
async fn a_disabled_or_full_host_per_series(
    #[case] series: &str,
    #[case] host: &str,
    #[case] message: &str,
) {
    let t = T::start(precheck_cloud().nova_release(series)).await;
    let id = create_at_237(&t, "member").await;
    t.cloud
        .state()
        .set_host_enabled("compute2", false, Some("maintenance"));
    let r = t
        .action("admin", &id, "2.30", body_at("2.30", json!(host)))
        .await;
    assert_fault(&r, 400, message).await;
}

/// The forced-destination memory check multiplies by the series' default RAM allocation
/// ratio (`behaviour.ram_allocation_ratio`: 1.5 to Zed, 1.0 from 2023.1).
#[rstest]
#[case("2022.2", "384.0")]
#[case("2023.1", "256.0")]
#[tokio::test]
async fn forced_memory_check_per_series(#[case] series: &str, #[case] avail: &str) {
    let t = T::start(precheck_cloud().nova_release(series)).await;
    let id = create_at_237(&t, "member").await;
    let body = live(
        json!("small"),
        json!({"block_migration": "auto", "force": true}),
    );
    let r = t.action("admin", &id, "2.30", body).await;
    assert_fault(
        &r,
        400,
        &format!(
            "Migration pre-check error: Unable to migrate {id} to small: Lack of memory(host:{avail} <= instance:512)"
        ),
    )
    .await;
}

#[tokio::test]
async fn the_scheduler_picks_without_a_host() {
    let t = T::start(precheck_cloud()).await;
    let id = precheck_setup(&t).await;
    t.action("admin", &id, "2.104", body_at("2.104", Value::Null))
        .await
        .check(&Expect::Status(202), "");
    // Placement has candidates (compute1..3 have room; small and tight do not), but the
    // filters leave none: compute1 is the source, compute2 disabled, compute3 down.
    let ms = live_migrations(&t, &id).await;
    assert_eq!(ms[0]["status"], "error");
    assert_eq!(
        last_action(&t, &id).await["events"][0]["details"],
        NOT_ENOUGH
    );
    t.cloud.state().set_host_enabled("compute2", true, None);
    t.action("admin", &id, "2.104", body_at("2.104", Value::Null))
        .await
        .check(&Expect::Status(202), "");
    assert_eq!(t.host_of(&id).await, "compute2");
}

// ---------------------------------------------------------------------------------------
// The lifecycle.

#[tokio::test]
async fn instant_mode_completes_within_the_request() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    let src = t.host_of(&id).await;
    let dest = t.other_host(&src);
    t.action("admin", &id, "2.68", body_at("2.68", json!(dest)))
        .await
        .check(&Expect::Status(202), "");
    let s = t.server(&id).await;
    assert_eq!(s["status"], "ACTIVE");
    assert_eq!(s["OS-EXT-SRV-ATTR:host"], dest.as_str());
    let ms = live_migrations(&t, &id).await;
    assert_eq!(ms.len(), 1);
    let m = &ms[0];
    assert_eq!(m["status"], "completed");
    assert_eq!(m["source_compute"], src.as_str());
    assert_eq!(m["dest_compute"], dest.as_str());
    assert_eq!(m["dest_node"], dest.as_str());
    assert_eq!(m["dest_host"], Value::Null);
    assert_eq!(m["source_node"], src.as_str());
    assert_eq!(m["old_instance_type_id"], m["new_instance_type_id"]);
    let a = last_action(&t, &id).await;
    assert_eq!(a["action"], "live-migration");
    assert_eq!(a["message"], Value::Null);
    assert_eq!(
        event_names(&a),
        [
            "conductor_live_migrate_instance",
            "compute_check_can_live_migrate_destination",
            "compute_check_can_live_migrate_source",
            "compute_live_migration",
            "compute_pre_live_migration",
            "compute_post_live_migration_at_destination",
        ]
    );
    // Nothing in progress: the server's migrations list is empty.
    let r = t
        .get("admin", &format!("/servers/{id}/migrations"), "2.23")
        .await;
    assert_eq!(r.json, json!({"migrations": []}));
}

#[tokio::test]
async fn manual_mode_walks_the_live_state_machine() {
    let t = T::start(manual()).await;
    let id = t.create_server("member").await;
    let src = t.host_of(&id).await;
    let dest = t.other_host(&src);
    t.action("admin", &id, "2.80", body_at("2.80", json!(dest)))
        .await
        .check(&Expect::Status(202), "");
    // (migration status, listed by GET /servers/{id}/migrations, server status, host).
    let expected: [(Option<&str>, bool, &str, &str); 6] = [
        (None, false, "MIGRATING", &src),
        (Some("accepted"), false, "MIGRATING", &src),
        (Some("queued"), true, "MIGRATING", &src),
        (Some("preparing"), true, "MIGRATING", &src),
        (Some("running"), true, "MIGRATING", &src),
        (Some("completed"), false, "ACTIVE", &dest),
    ];
    for (i, (mstatus, listed, status, host)) in expected.iter().enumerate() {
        if i > 0 {
            assert!(t.cloud.state().advance(uuid(&id)), "step {i}");
        }
        let s = t.server(&id).await;
        assert_eq!(s["status"], *status, "step {i}");
        assert_eq!(s["OS-EXT-SRV-ATTR:host"], *host, "step {i}");
        let ms = live_migrations(&t, &id).await;
        assert_eq!(
            ms.first().map(|m| m["status"].clone()),
            mstatus.map(|m| json!(m)),
            "step {i}"
        );
        let r = t
            .get("admin", &format!("/servers/{id}/migrations"), "2.80")
            .await;
        assert_eq!(r.status, 200);
        let list = r.json["migrations"].as_array().unwrap();
        assert_eq!(list.len(), usize::from(*listed), "step {i}");
        if *listed {
            let m = &list[0];
            let keys: Vec<&str> = m.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(
                keys,
                [
                    "created_at",
                    "dest_compute",
                    "dest_host",
                    "dest_node",
                    "disk_processed_bytes",
                    "disk_remaining_bytes",
                    "disk_total_bytes",
                    "id",
                    "memory_processed_bytes",
                    "memory_remaining_bytes",
                    "memory_total_bytes",
                    "server_uuid",
                    "source_compute",
                    "source_node",
                    "status",
                    "updated_at",
                    "uuid",
                    "user_id",
                    "project_id"
                ]
            );
            assert_eq!(m["status"], *mstatus.as_ref().unwrap());
            assert_eq!(m["server_uuid"], id.as_str());
            assert_eq!(m["dest_compute"], dest.as_str());
            assert_eq!(m["source_compute"], src.as_str());
            assert_eq!(m["memory_total_bytes"], Value::Null);
            let mid = m["id"].as_u64().unwrap();
            let r = t
                .get("admin", &format!("/servers/{id}/migrations/{mid}"), "2.80")
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
            assert_eq!(r.json["migration"], *m);
        }
    }
    assert!(!t.cloud.state().advance(uuid(&id)), "nothing left");
}

#[tokio::test]
async fn before_2_34_the_migration_exists_when_the_202_returns() {
    let t = T::start(manual()).await;
    let id = t.create_server("member").await;
    t.action("admin", &id, "2.33", body_at("2.33", Value::Null))
        .await
        .check(&Expect::Status(202), "");
    let ms = live_migrations(&t, &id).await;
    assert_eq!(ms.len(), 1);
    assert_eq!(ms[0]["status"], "accepted");
    assert_ne!(ms[0]["dest_compute"], Value::Null);
    assert_eq!(
        event_names(&last_action(&t, &id).await),
        [
            "conductor_migrate_server",
            "compute_check_can_live_migrate_destination",
            "compute_check_can_live_migrate_source"
        ]
    );
    // Four more steps: queued, preparing, running, completed.
    for _ in 0..4 {
        assert!(t.cloud.state().advance(uuid(&id)));
    }
    assert!(!t.cloud.state().advance(uuid(&id)));
    assert_eq!(t.server(&id).await["status"], "ACTIVE");
}

#[tokio::test]
async fn timed_mode_reaches_the_destination() {
    let t = T::start(
        MockCloud::builder().lifecycle(Lifecycle::Timed(Durations::uniform(
            Duration::from_millis(30),
        ))),
    )
    .await;
    let id = t.create_server("member").await;
    // The build takes its two timed steps first.
    for _ in 0..100 {
        if t.server(&id).await["status"] == "ACTIVE" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let src = t.host_of(&id).await;
    t.action("member", &id, "2.1", json!({"pause": null}))
        .await
        .check(&Expect::Status(202), "");
    for _ in 0..100 {
        if t.server(&id).await["status"] == "PAUSED" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    t.action("admin", &id, "2.104", body_at("2.104", Value::Null))
        .await
        .check(&Expect::Status(202), "");
    assert_eq!(t.server(&id).await["status"], "MIGRATING");
    // The 202's own state, then every status seen while polling (deduplicated).
    let mut seen = vec!["MIGRATING".to_string()];
    for _ in 0..300 {
        let s = t.server(&id).await;
        let st = s["status"].as_str().unwrap().to_string();
        if seen.last() != Some(&st) {
            seen.push(st.clone());
        }
        if st == "PAUSED" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(seen, ["MIGRATING", "PAUSED"]);
    let s = t.server(&id).await;
    assert_ne!(s["OS-EXT-SRV-ATTR:host"], src.as_str());
    assert_eq!(s["OS-EXT-STS:power_state"], 3);
    assert_eq!(live_migrations(&t, &id).await[0]["status"], "completed");
}

// ---------------------------------------------------------------------------------------
// /servers/{id}/migrations: show, force_complete, abort.

/// A server in Manual mode advanced to the given live-migration status; returns (id, mid).
async fn migrating_to(t: &T, status: &str) -> (String, u64) {
    let id = t.create_server("member").await;
    t.action("admin", &id, "2.68", body_at("2.68", Value::Null))
        .await
        .check(&Expect::Status(202), "");
    let order = ["accepted", "queued", "preparing", "running"];
    let steps = order.iter().position(|s| *s == status).unwrap() + 1;
    for _ in 0..steps {
        assert!(t.cloud.state().advance(uuid(&id)));
    }
    let ms = live_migrations(t, &id).await;
    assert_eq!(ms[0]["status"], status);
    (id, ms[0]["id"].as_u64().unwrap())
}

async fn call(
    t: &T,
    who: &str,
    method: Method,
    path: &str,
    v: &str,
    body: Option<Value>,
) -> mock_client::Resp {
    t.call(who, method, path, Some(v), body.as_ref()).await
}

#[tokio::test]
async fn force_complete_a_running_live_migration() {
    let t = T::start(manual()).await;
    let (id, mid) = migrating_to(&t, "running").await;
    let path = format!("/servers/{id}/migrations/{mid}/action");
    let r = call(
        &t,
        "admin",
        Method::POST,
        &path,
        "2.22",
        Some(json!({"force_complete": null})),
    )
    .await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(r.text, "");
    let s = t.server(&id).await;
    assert_eq!(s["status"], "ACTIVE");
    assert_eq!(live_migrations(&t, &id).await[0]["status"], "completed");
    let a = last_action(&t, &id).await;
    assert_eq!(a["action"], "live_migration_force_complete");
    assert_eq!(event_names(&a), ["compute_live_migration_force_complete"]);
}

#[tokio::test]
async fn force_complete_refusals() {
    let t = T::start(manual()).await;
    let (id, mid) = migrating_to(&t, "queued").await;
    let path = format!("/servers/{id}/migrations/{mid}/action");
    let fc = Some(json!({"force_complete": null}));
    let r = call(&t, "admin", Method::POST, &path, "2.21", fc.clone()).await;
    assert_fault(&r, 404, "The resource could not be found.").await;
    let r = call(
        &t,
        "admin",
        Method::POST,
        &path,
        "2.22",
        Some(json!({"force_complete": {}})),
    )
    .await;
    assert_fault(
        &r,
        400,
        "Invalid input for field/attribute force_complete. Value: {}. {} is not of type 'null'",
    )
    .await;
    let r = call(
        &t,
        "admin",
        Method::POST,
        &path,
        "2.22",
        Some(json!({"finish": null})),
    )
    .await;
    assert_fault(&r, 400, "There is no such action: finish").await;
    let r = call(&t, "admin", Method::POST, &path, "2.22", fc.clone()).await;
    assert_fault(&r, 400, &format!("Migration {mid} state of instance {id} is queued. Cannot force complete while the migration is in this state.")).await;
    let other = format!("/servers/{id}/migrations/999/action");
    let r = call(&t, "admin", Method::POST, &other, "2.22", fc.clone()).await;
    assert_fault(
        &r,
        400,
        &format!("Migration 999 not found for instance {id}"),
    )
    .await;
    let r = call(&t, "member", Method::POST, &path, "2.22", fc.clone()).await;
    assert_fault(
        &r,
        403,
        "Policy doesn't allow os_compute_api:servers:migrations:force_complete to be performed.",
    )
    .await;
    let missing = format!("/servers/{MISSING}/migrations/{mid}/action");
    let r = call(&t, "member", Method::POST, &missing, "2.22", fc.clone()).await;
    assert_fault(&r, 404, &format!("Instance {MISSING} could not be found.")).await;
    // Not migrating: the state check (task_state) comes before the migration lookup.
    let idle = t.create_server("member").await;
    let idle_path = format!("/servers/{idle}/migrations/999/action");
    let r = call(&t, "admin", Method::POST, &idle_path, "2.22", fc.clone()).await;
    assert_fault(
        &r,
        409,
        &format!("Instance {idle} is in an invalid state for 'force_complete'"),
    )
    .await;
    // A paused server's live migration cannot be forced (vm_state ACTIVE only).
    let (pid, pmid) = {
        let pid = t.create_server("member").await;
        let r = t
            .action("member", &pid, "2.1", json!({"pause": null}))
            .await;
        assert_eq!(r.status, 202, "{}", r.text);
        // Manual mode: the pause itself is a step.
        assert!(t.cloud.state().advance(uuid(&pid)));
        t.action("admin", &pid, "2.68", body_at("2.68", Value::Null))
            .await
            .check(&Expect::Status(202), "");
        for _ in 0..4 {
            assert!(t.cloud.state().advance(uuid(&pid)));
        }
        let m = live_migrations(&t, &pid).await[0]["id"].as_u64().unwrap();
        (pid, m)
    };
    let r = call(
        &t,
        "admin",
        Method::POST,
        &format!("/servers/{pid}/migrations/{pmid}/action"),
        "2.22",
        fc,
    )
    .await;
    assert_fault(
        &r,
        409,
        &format!("Cannot 'force_complete' instance {pid} while it is in vm_state paused"),
    )
    .await;
}

#[rstest]
#[case::running_224("running", "2.24", true)]
#[case::running_265("running", "2.65", true)]
#[case::queued_264("queued", "2.64", false)]
#[case::queued_265("queued", "2.65", true)]
#[case::preparing_224("preparing", "2.24", false)]
#[case::preparing_2104("preparing", "2.104", true)]
#[tokio::test]
async fn abort(#[case] status: &str, #[case] version: &str, #[case] allowed: bool) {
    let t = T::start(manual()).await;
    let (id, mid) = migrating_to(&t, status).await;
    let src = t.host_of(&id).await;
    let r = call(
        &t,
        "admin",
        Method::DELETE,
        &format!("/servers/{id}/migrations/{mid}"),
        version,
        None,
    )
    .await;
    if allowed {
        assert_eq!(r.status, 202, "{}", r.text);
        let s = t.server(&id).await;
        assert_eq!(s["status"], "ACTIVE");
        assert_eq!(s["OS-EXT-STS:task_state"], Value::Null);
        assert_eq!(s["OS-EXT-SRV-ATTR:host"], src.as_str());
        assert_eq!(live_migrations(&t, &id).await[0]["status"], "cancelled");
        let a = last_action(&t, &id).await;
        assert_eq!(a["action"], "live_migration_cancel");
        assert_eq!(event_names(&a), ["compute_live_migration_abort"]);
        assert!(!t.cloud.state().advance(uuid(&id)), "nothing in flight");
        // The destination's allocation is gone, the source's is the instance's again.
        let total: u64 = t.cloud.state().read(|st| {
            ["compute1", "compute2", "compute3"]
                .iter()
                .map(|h| st.used_on(h).memory_mb)
                .sum()
        });
        assert_eq!(total, 512);
        assert_eq!(t.cloud.state().read(|st| st.used_on(&src).memory_mb), 512);
    } else {
        assert_fault(&r, 400, &format!("Migration {mid} state of instance {id} is {status}. Cannot abort live migration while the migration is in this state.")).await;
        assert_eq!(live_migrations(&t, &id).await[0]["status"], status);
    }
}

#[tokio::test]
async fn abort_refusals() {
    let t = T::start(manual()).await;
    let (id, mid) = migrating_to(&t, "running").await;
    let path = format!("/servers/{id}/migrations/{mid}");
    let r = call(&t, "admin", Method::DELETE, &path, "2.23", None).await;
    assert_fault(&r, 404, "The resource could not be found.").await;
    let r = call(
        &t,
        "admin",
        Method::DELETE,
        &format!("/servers/{id}/migrations/999"),
        "2.24",
        None,
    )
    .await;
    assert_fault(
        &r,
        404,
        &format!("Migration 999 not found for instance {id}"),
    )
    .await;
    let r = call(&t, "member", Method::DELETE, &path, "2.24", None).await;
    assert_fault(
        &r,
        403,
        "Policy doesn't allow os_compute_api:servers:migrations:delete to be performed.",
    )
    .await;
    // The manager passes delete on 2026.2 (project-manager-or-admin), but the owner's lock
    // stops it.
    t.action("member", &id, "2.1", json!({"lock": null}))
        .await
        .check(&Expect::Status(202), "");
    let r = call(&t, "manager", Method::DELETE, &path, "2.24", None).await;
    assert_fault(&r, 409, &format!("Instance {id} is locked")).await;
    let idle = t.create_server("member").await;
    let r = call(
        &t,
        "admin",
        Method::DELETE,
        &format!("/servers/{idle}/migrations/1"),
        "2.24",
        None,
    )
    .await;
    assert_fault(
        &r,
        409,
        &format!("Instance {idle} is in an invalid state for 'abort live migration'"),
    )
    .await;
}

#[tokio::test]
async fn abort_and_force_complete_are_admin_only_before_2025_2() {
    let t = T::start(manual().nova_release("2025.1")).await;
    let (id, mid) = migrating_to(&t, "running").await;
    for (who, method, path, version, body, status, message) in [
        ("manager", Method::DELETE, format!("/servers/{id}/migrations/{mid}"), "2.24", None, 403, String::from("Policy doesn't allow os_compute_api:servers:migrations:delete to be performed.")),
        ("manager", Method::POST, format!("/servers/{id}/migrations/{mid}/action"), "2.22", Some(json!({"force_complete": null})), 403, String::from("Policy doesn't allow os_compute_api:servers:migrations:force_complete to be performed.")),
        ("manager", Method::GET, format!("/servers/{id}/migrations"), "2.23", None, 403, String::from("Policy doesn't allow os_compute_api:servers:migrations:index to be performed.")),
    ] {
        let r = call(&t, who, method, &path, version, body).await;
        assert_fault(&r, status, &message).await;
    }
}

#[tokio::test]
async fn show_refusals_and_the_manager_view() {
    let t = T::start(manual()).await;
    let (id, mid) = migrating_to(&t, "queued").await;
    for (who, method, path, version, body, status, message) in [
        (
            "admin",
            Method::GET,
            format!("/servers/{id}/migrations/{mid}"),
            "2.22",
            None,
            404,
            String::from("The resource could not be found."),
        ),
        (
            "admin",
            Method::GET,
            format!("/servers/{id}/migrations/999"),
            "2.23",
            None,
            404,
            format!("In-progress live migration 999 is not found for server {id}."),
        ),
        (
            "manager",
            Method::GET,
            format!("/servers/{id}/migrations/{mid}"),
            "2.23",
            None,
            403,
            String::from(
                "Policy doesn't allow os_compute_api:servers:migrations:show to be performed.",
            ),
        ),
    ] {
        let r = call(&t, who, method, &path, version, body).await;
        assert_fault(&r, status, &message).await;
    }
    // The manager lists (2025.2+) but sees no hosts (index:host is admin).
    let r = call(
        &t,
        "manager",
        Method::GET,
        &format!("/servers/{id}/migrations"),
        "2.23",
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let m = &r.json["migrations"][0];
    assert_eq!(m["status"], "queued");
    assert_eq!(m["source_compute"], Value::Null);
    assert_eq!(m["dest_compute"], Value::Null);
    assert!(m.get("uuid").is_none(), "uuid from 2.59");
    // Finished: not in progress; a cold migration: not live.
    for _ in 0..3 {
        assert!(t.cloud.state().advance(uuid(&id)));
    }
    let r = call(
        &t,
        "admin",
        Method::GET,
        &format!("/servers/{id}/migrations/{mid}"),
        "2.23",
        None,
    )
    .await;
    assert_fault(
        &r,
        404,
        &format!("Live migration {mid} for server {id} is not in progress."),
    )
    .await;
    t.action("admin", &id, "2.56", json!({"migrate": null}))
        .await
        .check(&Expect::Status(202), "");
    // Manual mode: the conductor step creates the cold migration.
    assert!(t.cloud.state().advance(uuid(&id)));
    let cold = t
        .migrations()
        .await
        .into_iter()
        .find(|m| m["instance_uuid"] == id.as_str() && m["migration_type"] == "migration")
        .unwrap()["id"]
        .as_u64()
        .unwrap();
    let r = call(
        &t,
        "admin",
        Method::GET,
        &format!("/servers/{id}/migrations/{cold}"),
        "2.23",
        None,
    )
    .await;
    assert_fault(
        &r,
        404,
        &format!("Migration {cold} for server {id} is not live-migration."),
    )
    .await;
}

#[tokio::test]
async fn os_migrations_lists_the_live_migration_with_its_type() {
    let t = T::start(manual()).await;
    let (id, mid) = migrating_to(&t, "running").await;
    let r = t.get("admin", "/os-migrations", "2.23").await;
    let m = r.json["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == mid)
        .unwrap()
        .clone();
    assert_eq!(m["migration_type"], "live-migration");
    assert_eq!(m["instance_uuid"], id.as_str());
    assert_eq!(
        m["links"][0]["href"],
        format!("{}/v2.1/servers/{id}/migrations/{mid}", t.cloud.base_url())
    );
    // Before 2.23 there is no type.
    let r = t.get("admin", "/os-migrations", "2.22").await;
    assert!(r.json["migrations"][0].get("migration_type").is_none());
}
