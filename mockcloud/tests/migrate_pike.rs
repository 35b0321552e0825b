//! The migrate action in the `pike-spec` profile.

use mock_client::{Expect, T};
use mockcloud::{MockCloud, Profile};
use rstest::rstest;
use serde_json::{json, Value};
use test_support::mock_client;

async fn pike() -> T {
    T::start(MockCloud::builder().profile(Profile::PikeSpec)).await
}

/// One migrate at 2.56 on a fresh server of the project's member, as `who`.
struct Step {
    who: &'static str,
    body: Value,
    expect: Expect,
}

fn admin(body: Value, expect: Expect) -> Step {
    Step {
        who: "admin",
        body,
        expect,
    }
}

/// The body and policy refusals (and what passes beside them), one row per scenario, each
/// a sequence of migrates on one server.
#[rstest]
#[case::host_is_required_but_nullable(Profile::PikeSpec, vec![
    admin(json!({"migrate": {}}), Expect::fault(400,
        "Invalid input for field/attribute migrate. Value: {}. 'host' is a required property")),
    admin(json!({"migrate": null}), Expect::fault(400,
        "Invalid input for field/attribute migrate. Value: None. None is not of type 'object'")),
    admin(json!({"migrate": {"host": null}}), Expect::Status(202)),
])]
#[case::force_without_host_is_400(Profile::PikeSpec, vec![
    admin(json!({"migrate": {"host": null, "force": true}}),
        Expect::fault(400, "Can't force to a non-provided destination")),
    admin(json!({"migrate": {"host": "h", "force": "maybe"}}), Expect::Status(400)),
    admin(json!({"migrate": {"host": "h", "force": "maybe"}}), Expect::Starts(
        "Invalid input for field/attribute force. Value: maybe. 'maybe' is not one of [True, 'True'")),
    admin(json!({"migrate": {"host": null, "force": false, "x": 1}}), Expect::message(
        "Invalid input for field/attribute migrate. Value: {'host': None, 'force': False, 'x': 1}. Additional properties are not allowed ('x' was unexpected)")),
])]
// Policy runs before the force/host check (like live-migrate).
#[case::policy_still_applies_to_force(Profile::PikeSpec, vec![
    Step { who: "manager", body: json!({"migrate": {"host": "compute2", "force": true}}),
        expect: Expect::Named("forbidden") },
    Step { who: "member", body: json!({"migrate": {"host": null, "force": true}}),
        expect: Expect::Named("forbidden") },
])]
#[case::force_messages_name_null_among_the_allowed_values(Profile::PikeSpec, vec![
    admin(json!({"migrate": {"host": "h", "force": 5}}), Expect::message(
        "Invalid input for field/attribute force. Value: 5. 5 is not of type 'boolean', 'string', 'null'")),
    admin(json!({"migrate": {"host": "h", "force": "maybe"}}),
        Expect::Ends("'Off', 'off', 'NO', 'No', 'no', None]")),
])]
// The nova profile has no `force` at all, null or not.
#[case::nova_profile_rejects_force_null(Profile::Nova, vec![
    admin(json!({"migrate": {"host": null, "force": null}}), Expect::message(
        "Invalid input for field/attribute migrate. Value: {'host': None, 'force': None}. Additional properties are not allowed ('force' was unexpected)")),
])]
#[tokio::test]
async fn refusals(#[case] profile: Profile, #[case] steps: Vec<Step>) {
    let t = T::start(MockCloud::builder().profile(profile)).await;
    let id = t.create_server("member").await;
    for (i, step) in steps.iter().enumerate() {
        let r = t.action(step.who, &id, "2.56", step.body.clone()).await;
        r.check(&step.expect, &format!("step {i}: {}", step.body));
    }
}

#[tokio::test]
async fn force_skips_the_scheduler_filters_but_not_existence_or_same_host() {
    let t = pike().await;
    let id = t.create_server("member").await;
    let src = t.host_of(&id).await;
    let dest = t.other_host(&src);
    t.cloud.state().set_host_enabled(&dest, false, None);
    // Without force the scheduler rejects the disabled host after the 202.
    t.action(
        "admin",
        &id,
        "2.56",
        json!({"migrate": {"host": dest, "force": false}}),
    )
    .await
    .check(&Expect::Status(202), "");
    assert_eq!(t.host_of(&id).await, src);
    assert_eq!(t.migrations().await[0]["status"], "error");
    // With force it goes there anyway.
    t.action(
        "admin",
        &id,
        "2.56",
        json!({"migrate": {"host": dest, "force": true}}),
    )
    .await
    .check(&Expect::Status(202), "");
    let s = t.server(&id).await;
    assert_eq!(s["status"], "VERIFY_RESIZE");
    assert_eq!(s["OS-EXT-SRV-ATTR:host"], dest.as_str());
    // Existence and same-host are still API checks.
    let id2 = t.create_server("member").await;
    let src2 = t.host_of(&id2).await;
    t.action(
        "admin",
        &id2,
        "2.56",
        json!({"migrate": {"host": "nope", "force": true}}),
    )
    .await
    .check(
        &Expect::message("Compute host nope could not be found."),
        "",
    );
    t.action(
        "admin",
        &id2,
        "2.56",
        json!({"migrate": {"host": src2, "force": true}}),
    )
    .await
    .check(
        &Expect::message("Cannot migrate to the host where the server exists."),
        "",
    );
}

#[tokio::test]
async fn below_2_56_force_is_never_read() {
    let t = pike().await;
    let id = t.create_server("member").await;
    let src = t.host_of(&id).await;
    let dest = t.other_host(&src);
    t.cloud.state().set_host_enabled(&dest, false, None);
    t.action(
        "admin",
        &id,
        "2.55",
        json!({"migrate": {"host": dest, "force": true}}),
    )
    .await
    .check(&Expect::Status(202), "");
    assert_ne!(
        t.host_of(&id).await,
        dest,
        "force/host must be ignored below 2.56"
    );
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
    t.action(
        "admin",
        &id,
        "2.104",
        json!({"migrate": {"host": own, "force": null}}),
    )
    .await
    .check(
        &Expect::nova(
            "badRequest",
            400,
            "Cannot migrate to the host where the server exists.",
        ),
        "",
    );
    t.action(
        "admin",
        &id,
        "2.56",
        json!({"migrate": {"host": "nope", "force": null}}),
    )
    .await
    .check(
        &Expect::nova("badRequest", 400, "Compute host nope could not be found."),
        "",
    );

    // host absent: still required.
    t.action("admin", &id, "2.56", json!({"migrate": {"force": null}})).await.check(&Expect::message("Invalid input for field/attribute migrate. Value: {'force': None}. 'host' is a required property"), "");
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
        reserved_memory_mb: 0,
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
