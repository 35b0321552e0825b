//! The calibration's read against the mock with a controlled clock: the manual lifecycle
//! takes a step only when told, and the mock's clock jumps between steps, so every recorded
//! duration is known to the second. Exact sample counts and medians; too little history is
//! uncalibrated.
use std::time::Duration;

use mockcloud::{Lifecycle, MockCloud};
use nova_conform::api_call as call;
use nova_conform::caller_from;
use nova_conform::Caller;
use nova_conform::Role;
use nova_conform::{
    calibration, calibration::Assumed, calibration::MIN_SAMPLES, calibration::PROBE_ROUNDS,
};
use nova_conform::{Microversion, VersionBounds};
use reqwest::Method;
use serde_json::json;

async fn admin(cloud: &MockCloud) -> Caller {
    let cfg = osclient::CloudConfig::from_clouds_yaml_str(&cloud.clouds_yaml(), "mockcloud-admin")
        .unwrap();
    let session = osclient::Session::connect(cfg).await.unwrap();
    caller_from(Role::Admin, &session).unwrap()
}

fn bounds(max: u32) -> VersionBounds {
    VersionBounds {
        min: Microversion::new(2, 1),
        max: Microversion::new(2, max),
    }
}

/// A server built (instantly: the manual lifecycle builds at once), cold-migrated with every
/// step `step` apart on the mock's clock, then confirmed after another `step`.
async fn history(cloud: &MockCloud, admin: &Caller, step: u64) -> String {
    let a = call(
        admin,
        Method::POST,
        "/servers",
        "2.56",
        Some(&json!({"server": {"name": format!("h{step}"), "imageRef": "8b9e1c6e-2f0a-4c3e-9a51-6d0c0e7f5a11", "flavorRef": "1", "networks": "none"}})),
    )
    .await
    .unwrap();
    assert_eq!(a.status, 202, "{}", a.text);
    let id = a.body["server"]["id"].as_str().unwrap().to_string();
    let uuid: uuid::Uuid = id.parse().unwrap();
    let tick = || {
        cloud.state().clock().advance(Duration::from_secs(step));
        assert!(cloud.state().advance(uuid));
    };
    let post = |body: serde_json::Value| {
        let id = id.clone();
        async move {
            call(
                admin,
                Method::POST,
                &format!("/servers/{id}/action"),
                "2.56",
                Some(&body),
            )
            .await
            .unwrap()
            .status
        }
    };
    assert_eq!(post(json!({"migrate": null})).await, 202);
    for _ in 0..5 {
        tick();
    }
    assert_eq!(post(json!({"confirmResize": null})).await, 204);
    tick();
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_read_counts_every_sample_and_takes_medians() {
    let cloud = MockCloud::builder()
        .lifecycle(Lifecycle::Manual)
        .start()
        .await
        .unwrap();
    let admin = admin(&cloud).await;
    let assumed = Assumed::default();

    // No history: every duration of the cloud is assumed; only the request times are real.
    let empty = calibration::read(&admin, &bounds(104), 4, &assumed).await;
    assert!(!empty.build.calibrated && !empty.migrate.calibrated && !empty.finish.calibrated);
    assert_eq!(empty.build.samples, 0);
    assert_eq!(empty.migrate.value, assumed.migrate);
    // os-migrations, the server list and one GET /v2.1 to make up the minimum.
    assert_eq!(empty.request.samples, MIN_SAMPLES);
    assert!(empty.request.calibrated);
    assert_eq!(empty.request_at_jobs.samples, PROBE_ROUNDS);
    assert!(empty.notes.is_empty(), "{:?}", empty.notes);

    // Two servers: still too few (MIN_SAMPLES is 3).
    assert_eq!(MIN_SAMPLES, 3);
    history(&cloud, &admin, 10).await;
    history(&cloud, &admin, 30).await;
    let two = calibration::read(&admin, &bounds(104), 4, &assumed).await;
    assert_eq!(
        (two.migrate.samples, two.migrate.calibrated),
        (2, false),
        "{two:?}"
    );
    assert_eq!(two.migrate.value, assumed.migrate);
    assert_eq!((two.build.samples, two.build.calibrated), (2, false));

    // A third: calibrated. Medians of 10/20/30 s steps: a migration is 5 steps (accepted,
    // conductor, source, source done, destination), a confirm one.
    history(&cloud, &admin, 20).await;
    let c = calibration::read(&admin, &bounds(104), 4, &assumed).await;
    assert!(c.notes.is_empty(), "{:?}", c.notes);
    assert_eq!((c.migrate.samples, c.migrate.calibrated), (3, true));
    assert_eq!(c.migrate.value.as_secs(), 100, "{:?}", c.migrate);
    assert_eq!(c.migrate.from, "migrate actions");
    assert_eq!((c.finish.samples, c.finish.value.as_secs()), (3, 20));
    // The manual lifecycle builds at once: a build of 0 s, from 3 create actions.
    assert_eq!((c.build.samples, c.build.value.as_secs()), (3, 0));
    assert!(c.build.calibrated);
    // No stop/pause/suspend in the history.
    assert_eq!((c.power.samples, c.power.calibrated), (0, false));
    // os-migrations: created by the conductor (after the first step), updated by the confirm.
    let (n, m) = c.records["migration"];
    assert_eq!((n, m.map(|d| d.as_secs())), (3, Some(100)));
    assert_eq!(c.records.len(), 1);
    // os-migrations, servers, and per server its action list and 3 actions.
    assert_eq!(c.request.samples, 2 + 3 * 4);
    assert!(c.request.calibrated);

    // Below 2.59 (no paging) and 2.23 (no migration_type): the records are read all the same.
    let old = calibration::read(&admin, &bounds(22), 4, &assumed).await;
    let (n, m) = old.records["untyped"];
    assert_eq!((n, m.map(|d| d.as_secs())), (3, Some(100)));
    assert_eq!(old.migrate.value.as_secs(), 100);
    cloud.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_without_the_admin_listing_gets_assumptions_and_notes() {
    let cloud = MockCloud::builder()
        .lifecycle(Lifecycle::Manual)
        .start()
        .await
        .unwrap();
    let cfg = osclient::CloudConfig::from_clouds_yaml_str(&cloud.clouds_yaml(), "mockcloud-member")
        .unwrap();
    let member = caller_from(
        Role::Member,
        &osclient::Session::connect(cfg).await.unwrap(),
    )
    .unwrap();
    let c = calibration::read(&member, &bounds(104), 2, &Assumed::default()).await;
    assert!(!c.migrate.calibrated);
    assert!(
        c.notes
            .iter()
            .any(|n| n.starts_with("os-migrations: HTTP 403")),
        "{:?}",
        c.notes
    );
    cloud.shutdown().await;
}
