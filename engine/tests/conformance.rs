//! The conformance run itself: the whole default matrix against the embedded mock, both
//! profiles, checked against the oracle and against the reviewed behaviour-map snapshots in
//! `snapshots/`. So `cargo test --workspace` is the conformance run too.
use nova_conform::report::behaviour_map;
use nova_conform::Filter;
use nova_conform::MatrixKind;
use nova_conform::Plan;
use nova_conform::Profile;
use nova_conform::ReleaseChoice;
use nova_conform::VerdictKind;
use nova_conform::{no_events, Session};
use nova_conform::{report::classes::Classes, report::classes::ExchangeMode};
use nova_conform::{RunOutcome, DEFAULT_JOBS};

async fn run(profile: Profile) -> RunOutcome {
    let session = Session::embedded(profile, ReleaseChoice::Auto)
        .await
        .expect("the embedded mock starts");
    let plan = Plan {
        profile,
        kind: MatrixKind::Default,
        filter: Filter::default(),
        jobs: DEFAULT_JOBS,
        release: ReleaseChoice::Auto,
    };
    let outcome = session.run(&plan, no_events()).await;
    session.shutdown().await;
    // The session annotates the embedded mock's known discrepancies itself.
    outcome.expect("the run completes")
}

fn check(profile: Profile, o: &RunOutcome) {
    assert!(
        o.cleanup_failures.is_empty(),
        "servers left behind: {:?}",
        o.cleanup_failures
    );
    assert_eq!(
        o.count(VerdictKind::Error),
        0,
        "engine errors: {:#?}",
        o.results
            .iter()
            .find(|r| r.verdict.kind() == VerdictKind::Error)
    );
    assert_eq!(
        o.count(VerdictKind::Skip),
        0,
        "the embedded mock has every identity and host"
    );
    // Every failure must be a known, logged discrepancy (annotated, still Fail).
    let unknown: Vec<_> = o
        .results
        .iter()
        .filter(|r| r.verdict.kind() == VerdictKind::Fail && r.known_discrepancy.is_none())
        .map(|r| format!("{} {}: {:?}", r.id, r.name, r.verdict))
        .collect();
    assert!(
        unknown.is_empty(),
        "{profile}: {} unexplained failures, first: {:#?}",
        unknown.len(),
        &unknown[..unknown.len().min(5)]
    );

    // The default reports keep one exchange per behaviour class (the snapshots' representative
    // exchanges, one per `========` heading) and every non-passing case's own.
    let cl = Classes::of(o, ExchangeMode::Representative);
    let representatives = behaviour_map::render_exchanges(o)
        .matches("\n======== ")
        .count();
    let own = o
        .results
        .iter()
        .enumerate()
        .filter(|(i, r)| {
            r.exchange.is_some()
                && r.verdict.kind() != VerdictKind::Pass
                && cl.representative_of[cl.class_of[*i]] != Some(*i)
        })
        .count();
    assert_eq!(cl.kept_exchanges(o), representatives + own, "{profile}");
    let (cold, live) = split(o);
    if profile == Profile::Nova {
        // Every case passes: 53 cold classes (53 exchanges of 7034 cold cases, as before live
        // migration joined) and LIVE_CLASSES live ones of 1698 live cases.
        let kept = |o: &RunOutcome| Classes::of(o, ExchangeMode::Representative).kept_exchanges(o);
        assert_eq!((kept(&cold), cold.results.len()), (53, 7034));
        assert_eq!((kept(&live), live.results.len()), (LIVE_CLASSES, 1698));
        assert_eq!(
            (cl.kept_exchanges(o), o.results.len()),
            (53 + LIVE_CLASSES, 8732)
        );
    }

    // The cold snapshots are the cold cases' maps, unchanged by the live cases; the live
    // cases have snapshots of their own.
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::assert_snapshot!(
            format!("behaviour-map-{profile}"),
            behaviour_map::render(&cold)
        );
        insta::assert_snapshot!(
            format!("exchanges-{profile}"),
            behaviour_map::render_exchanges(&cold)
        );
        insta::assert_snapshot!(
            format!("behaviour-map-live-{profile}"),
            behaviour_map::render(&live)
        );
        insta::assert_snapshot!(
            format!("exchanges-live-{profile}"),
            behaviour_map::render_exchanges(&live)
        );
    });
}

/// Distinct answers of the live cases on the embedded mock (nova profile, 2.1-2.104).
const LIVE_CLASSES: usize = 102;

/// The outcome's cold cases and its live cases, each as an outcome of its own.
fn split(o: &RunOutcome) -> (RunOutcome, RunOutcome) {
    let part = |live: bool| RunOutcome {
        results: o
            .results
            .iter()
            .filter(|r| r.params.action.is_some() == live)
            .cloned()
            .collect(),
        ..o.clone()
    };
    (part(false), part(true))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nova_profile_conforms() {
    let o = run(Profile::Nova).await;
    check(Profile::Nova, &o);
    // The oracle and the mock agree on the upstream profile.
    assert_eq!(o.count(VerdictKind::Pass), o.results.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pike_spec_profile_conforms() {
    let o = run(Profile::PikeSpec).await;
    check(Profile::PikeSpec, &o);
}
