//! The migrate action in the `pike-spec` profile.

mod common;
use common::T;
use mockcloud::{MockCloud, Profile};
use serde_json::json;

async fn pike() -> T {
    T::start(MockCloud::builder().profile(Profile::PikeSpec)).await
}

#[tokio::test]
async fn host_is_required_but_nullable() {
    let t = pike().await;
    let id = t.create_server("member").await;
    let r = t.action("admin", &id, "2.56", json!({"migrate": {}})).await;
    assert_eq!(
        r.fault(),
        (
            "badRequest".into(),
            400,
            "Invalid input for field/attribute migrate. Value: {}. 'host' is a required property"
                .into()
        )
    );
    let r = t
        .action("admin", &id, "2.56", json!({"migrate": null}))
        .await;
    assert_eq!(
        r.fault(),
        (
            "badRequest".into(),
            400,
            "Invalid input for field/attribute migrate. Value: None. None is not of type 'object'"
                .into()
        )
    );
    let r = t
        .action("admin", &id, "2.56", json!({"migrate": {"host": null}}))
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
}

#[tokio::test]
async fn force_without_host_is_400() {
    let t = pike().await;
    let id = t.create_server("member").await;
    let r = t
        .action(
            "admin",
            &id,
            "2.56",
            json!({"migrate": {"host": null, "force": true}}),
        )
        .await;
    assert_eq!(
        r.fault(),
        (
            "badRequest".into(),
            400,
            "Can't force to a non-provided destination".into()
        )
    );
    let r = t
        .action(
            "admin",
            &id,
            "2.56",
            json!({"migrate": {"host": "h", "force": "maybe"}}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.fault().2.starts_with("Invalid input for field/attribute force. Value: maybe. 'maybe' is not one of [True, 'True'"), "{}", r.text);
    let r = t
        .action(
            "admin",
            &id,
            "2.56",
            json!({"migrate": {"host": null, "force": false, "x": 1}}),
        )
        .await;
    assert_eq!(r.fault().2, "Invalid input for field/attribute migrate. Value: {'host': None, 'force': False, 'x': 1}. Additional properties are not allowed ('x' was unexpected)");
}

#[tokio::test]
async fn force_skips_the_scheduler_filters_but_not_existence_or_same_host() {
    let t = pike().await;
    let id = t.create_server("member").await;
    let src = t.host_of(&id).await;
    let dest = t.other_host(&src);
    t.cloud.state().set_host_enabled(&dest, false, None);
    // Without force the scheduler rejects the disabled host after the 202.
    assert_eq!(
        t.action(
            "admin",
            &id,
            "2.56",
            json!({"migrate": {"host": dest, "force": false}})
        )
        .await
        .status,
        202
    );
    assert_eq!(t.host_of(&id).await, src);
    assert_eq!(t.migrations().await[0]["status"], "error");
    // With force it goes there anyway.
    assert_eq!(
        t.action(
            "admin",
            &id,
            "2.56",
            json!({"migrate": {"host": dest, "force": true}})
        )
        .await
        .status,
        202
    );
    let s = t.server(&id).await;
    assert_eq!(s["status"], "VERIFY_RESIZE");
    assert_eq!(s["OS-EXT-SRV-ATTR:host"], dest.as_str());
    // Existence and same-host are still API checks.
    let id2 = t.create_server("member").await;
    let src2 = t.host_of(&id2).await;
    let r = t
        .action(
            "admin",
            &id2,
            "2.56",
            json!({"migrate": {"host": "nope", "force": true}}),
        )
        .await;
    assert_eq!(r.fault().2, "Compute host nope could not be found.");
    let r = t
        .action(
            "admin",
            &id2,
            "2.56",
            json!({"migrate": {"host": src2, "force": true}}),
        )
        .await;
    assert_eq!(
        r.fault().2,
        "Cannot migrate to the host where the server exists."
    );
}

#[tokio::test]
async fn below_2_56_force_is_never_read() {
    let t = pike().await;
    let id = t.create_server("member").await;
    let src = t.host_of(&id).await;
    let dest = t.other_host(&src);
    t.cloud.state().set_host_enabled(&dest, false, None);
    let r = t
        .action(
            "admin",
            &id,
            "2.55",
            json!({"migrate": {"host": dest, "force": true}}),
        )
        .await;
    assert_eq!(r.status, 202);
    assert_ne!(
        t.host_of(&id).await,
        dest,
        "force/host must be ignored below 2.56"
    );
}

#[tokio::test]
async fn policy_still_applies_to_force() {
    let t = pike().await;
    let id = t.create_server("member").await;
    let r = t
        .action(
            "manager",
            &id,
            "2.56",
            json!({"migrate": {"host": "compute2", "force": true}}),
        )
        .await;
    assert_eq!(r.fault().0, "forbidden");
    // Policy runs before the force/host check (like live-migrate).
    let r = t
        .action(
            "member",
            &id,
            "2.56",
            json!({"migrate": {"host": null, "force": true}}),
        )
        .await;
    assert_eq!(r.fault().0, "forbidden");
}
