//! A panic inside the engine during a real-cloud run still deletes every server the run
//! created (in-process, against `mockcloud serve`; its own test binary because it sets
//! `OS_CLIENT_CONFIG_FILE` for the process).
use test_support::mock_serve;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use mock_serve::MockServe;
use nova_conform::Control;
use nova_conform::Filter;
use nova_conform::MatrixKind;
use nova_conform::Plan;
use nova_conform::Profile;
use nova_conform::ReleaseChoice;
use nova_conform::Timing;
use nova_conform::VerdictKind;
use nova_conform::{CloudSelection, ServerSpec};
use nova_conform::{Event, Events, Session};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_mid_run_still_cleans_up() {
    let m = MockServe::start(&["--step-ms", "30"]);
    std::env::set_var("OS_CLIENT_CONFIG_FILE", &m.clouds_yaml);
    std::env::set_var("NO_PROXY", "127.0.0.1,localhost");
    let timing = Timing {
        poll_interval: Duration::from_millis(30),
        timeout: Duration::from_secs(20),
    };
    let sel = CloudSelection {
        cloud: Some("mockcloud-admin".into()),
        ..CloudSelection::default()
    };
    let session = Session::connect(&sel, &ServerSpec::default(), timing)
        .await
        .unwrap();
    let p = Plan {
        profile: Profile::Nova,
        kind: MatrixKind::Default,
        filter: Filter::parse(Some("mv=2.56 role=admin"), None).unwrap(),
        jobs: 4,
        release: ReleaseChoice::newest(),
    };
    let oracle = Arc::new(session.judges(&p).await.unwrap());
    let run_plan = session.plan(&p, &oracle).unwrap();
    let planned = run_plan.runnable();
    assert_eq!(planned, 77);
    // The engine panics while handling the fifth result: servers exist by then.
    let seen = Arc::new(AtomicUsize::new(0));
    let events: Events = {
        let seen = seen.clone();
        Arc::new(move |e: Event<'_>| {
            if matches!(e, Event::Finished(_)) && seen.fetch_add(1, Ordering::SeqCst) == 4 {
                panic!("injected engine panic");
            }
        })
    };
    let outcome = session
        .execute(
            oracle,
            run_plan,
            4,
            "pan1c".into(),
            Control::default(),
            events,
        )
        .await
        .unwrap();
    assert!(outcome.servers_created > 0);
    assert!(
        outcome.cleanup_failures.is_empty(),
        "{:?}",
        outcome.cleanup_failures
    );
    let errors: Vec<_> = outcome
        .results
        .iter()
        .filter(|r| r.verdict.kind() == VerdictKind::Error)
        .collect();
    assert!(!errors.is_empty(), "the cut-short cases are errors");
    assert!(format!("{:?}", errors[0].verdict).contains("panicked"));
    assert!(
        m.suite_servers().await.is_empty(),
        "servers left after a panic"
    );
}
