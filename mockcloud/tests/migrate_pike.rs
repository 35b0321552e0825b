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

/// `force: null` means "check the destination", exactly like `force` absent or false
/// (seed spec, REST API impact: "If 'force' is False or null or not provided, do check
/// the destination.").
#[tokio::test]
async fn force_null_checks_the_destination_like_false() {
    let t = pike().await;
    // host null: the scheduler picks another host.
    let id = t.create_server("member").await;
    let src = t.host_of(&id).await;
    let r = t
        .action(
            "admin",
            &id,
            "2.56",
            json!({"migrate": {"host": null, "force": null}}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    let s = t.server(&id).await;
    assert_eq!(s["status"], "VERIFY_RESIZE");
    assert_ne!(s["OS-EXT-SRV-ATTR:host"], src.as_str());

    // host other: placed on the requested host.
    let id = t.create_server("member").await;
    let dest = t.other_host(&t.host_of(&id).await);
    let r = t
        .action(
            "admin",
            &id,
            "2.56",
            json!({"migrate": {"host": dest, "force": null}}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(t.host_of(&id).await, dest);

    // host own and unknown: the API's 400s.
    let id = t.create_server("member").await;
    let own = t.host_of(&id).await;
    let r = t
        .action(
            "admin",
            &id,
            "2.104",
            json!({"migrate": {"host": own, "force": null}}),
        )
        .await;
    assert_eq!(
        r.fault(),
        (
            "badRequest".into(),
            400,
            "Cannot migrate to the host where the server exists.".into()
        )
    );
    let r = t
        .action(
            "admin",
            &id,
            "2.56",
            json!({"migrate": {"host": "nope", "force": null}}),
        )
        .await;
    assert_eq!(
        r.fault(),
        (
            "badRequest".into(),
            400,
            "Compute host nope could not be found.".into()
        )
    );

    // host absent: still required.
    let r = t
        .action("admin", &id, "2.56", json!({"migrate": {"force": null}}))
        .await;
    assert_eq!(
        r.fault().2,
        "Invalid input for field/attribute migrate. Value: {'force': None}. 'host' is a required property"
    );
}

#[tokio::test]
async fn force_null_does_not_skip_the_scheduler_on_a_disabled_host() {
    let t = pike().await;
    let id = t.create_server("member").await;
    let src = t.host_of(&id).await;
    let dest = t.other_host(&src);
    t.cloud.state().set_host_enabled(&dest, false, None);
    let r = t
        .action(
            "admin",
            &id,
            "2.56",
            json!({"migrate": {"host": dest, "force": null}}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    // Checked like force false: the scheduler rejects the disabled host after the 202.
    assert_eq!(t.host_of(&id).await, src);
    let m = t.migrations().await;
    assert_eq!(m[0]["status"], "error");
    assert_eq!(t.server(&id).await["status"], "ACTIVE");
}

#[tokio::test]
async fn force_messages_name_null_among_the_allowed_values() {
    let t = pike().await;
    let id = t.create_server("member").await;
    let r = t
        .action(
            "admin",
            &id,
            "2.56",
            json!({"migrate": {"host": "h", "force": 5}}),
        )
        .await;
    assert_eq!(
        r.fault().2,
        "Invalid input for field/attribute force. Value: 5. 5 is not of type 'boolean', 'string', 'null'"
    );
    let r = t
        .action(
            "admin",
            &id,
            "2.56",
            json!({"migrate": {"host": "h", "force": "maybe"}}),
        )
        .await;
    assert!(
        r.fault()
            .2
            .ends_with("'Off', 'off', 'NO', 'No', 'no', None]"),
        "{}",
        r.text
    );
}

/// The nova profile has no `force` at all, null or not.
#[tokio::test]
async fn nova_profile_rejects_force_null() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    let r = t
        .action(
            "admin",
            &id,
            "2.56",
            json!({"migrate": {"host": null, "force": null}}),
        )
        .await;
    assert_eq!(
        r.fault().2,
        "Invalid input for field/attribute migrate. Value: {'host': None, 'force': None}. Additional properties are not allowed ('force' was unexpected)"
    );
}

/// `force` accepts exactly Nova 34's `parameter_types.boolean` enum (the strings and
/// booleans `strutils.bool_from_string` reads, as live migration's `force`), plus null:
/// each truthy value forces the move (a forced move to a disabled host is placed there),
/// each falsy one and null let the scheduler check it (so a disabled host is rejected).
#[tokio::test]
async fn force_accepts_exactly_novas_boolean_values_and_null() {
    const TRUE: [&str; 10] = [
        "True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes",
    ];
    const FALSE: [&str; 10] = [
        "False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no",
    ];
    // Room for the 24 servers this test creates on compute1.
    let roomy = |n: &str| mockcloud::HostSpec {
        vcpus: 1000,
        memory_mb: 1_000_000,
        disk_gb: 100_000,
        ..mockcloud::HostSpec::new(n)
    };
    let t = T::start(
        MockCloud::builder()
            .profile(Profile::PikeSpec)
            .host_specs(vec![
                roomy("compute1"),
                roomy("compute2"),
                roomy("compute3"),
            ]),
    )
    .await;
    // compute3 disabled: only a forced move lands there.
    t.cloud
        .state()
        .set_host_enabled("compute3", false, Some("test"));
    let mut values: Vec<(serde_json::Value, bool)> = vec![
        (json!(true), true),
        (json!(false), false),
        (json!(null), false),
    ];
    values.extend(TRUE.iter().map(|s| (json!(s), true)));
    values.extend(FALSE.iter().map(|s| (json!(s), false)));
    assert_eq!(
        values.len(),
        23,
        "22 enum values of parameter_types.boolean, and null"
    );
    for (force, forced) in values {
        let id = t
            .create_server_with("admin", json!({"host": "compute1"}))
            .await;
        let r = t
            .action(
                "admin",
                &id,
                "2.56",
                json!({"migrate": {"host": "compute3", "force": force}}),
            )
            .await;
        assert_eq!(r.status, 202, "force {force}: {}", r.text);
        let s = t.server(&id).await;
        let (host, status) = (s["OS-EXT-SRV-ATTR:host"].clone(), s["status"].clone());
        if forced {
            assert_eq!(
                (host, status),
                (json!("compute3"), json!("VERIFY_RESIZE")),
                "force {force}"
            );
        } else {
            assert_eq!(
                (host, status),
                (json!("compute1"), json!("ACTIVE")),
                "force {force}"
            );
        }
    }
    // Anything else is outside the enum (strings) or the types (numbers, objects).
    let id = t
        .create_server_with("admin", json!({"host": "compute1"}))
        .await;
    for bad in [
        json!("y"),
        json!("t"),
        json!("tRuE"),
        json!(" true"),
        json!(""),
        json!("2"),
    ] {
        let r = t
            .action(
                "admin",
                &id,
                "2.56",
                json!({"migrate": {"host": "compute2", "force": bad.clone()}}),
            )
            .await;
        assert_eq!(r.status, 400, "force {bad}");
        assert!(
            r.fault().2.ends_with("'NO', 'No', 'no', None]"),
            "{}",
            r.text
        );
    }
    for bad in [json!(1), json!(0), json!([]), json!({})] {
        let r = t
            .action(
                "admin",
                &id,
                "2.56",
                json!({"migrate": {"host": "compute2", "force": bad.clone()}}),
            )
            .await;
        assert!(
            r.fault()
                .2
                .ends_with("is not of type 'boolean', 'string', 'null'"),
            "{}",
            r.text
        );
    }
}
