//! Cases a target cannot run are Skip with the reason, never dropped and never Fail.
use test_support::fake_nova;

use fake_nova::{Deviation, FakeTarget};
use nova_conform::Filter;
use nova_conform::MatrixKind;
use nova_conform::Plan;
use nova_conform::Profile;
use nova_conform::ReleaseChoice;
use nova_conform::{no_events, Session};
use nova_conform::{HostVariant, Role};
use nova_conform::{Verdict, VerdictKind};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_identity_and_host_are_skips_with_reasons() {
    let mut target = FakeTarget::start(Profile::Nova, Deviation::None, 1, 60)
        .await
        .without_disabled_host();
    target.missing_roles = vec![Role::Member];
    let plan = Plan {
        profile: Profile::Nova,
        kind: MatrixKind::Default,
        // The fake models cold `migrate` only.
        filter: Filter::parse(None, Some("2.55-2.57"))
            .unwrap()
            .without_live(),
        jobs: 8,
        release: ReleaseChoice::newest(),
    };
    let o = Session::over(std::sync::Arc::new(target))
        .await
        .unwrap()
        .run(&plan, no_events())
        .await
        .unwrap();
    let mut skipped = 0;
    for r in &o.results {
        let c = r.case.as_ref().unwrap();
        let should_skip = c.role == Role::Member || c.body.host() == Some(HostVariant::Disabled);
        match (&r.verdict, should_skip) {
            (Verdict::Skip { reason }, true) => {
                skipped += 1;
                let want = if c.role == Role::Member {
                    "no member credentials"
                } else {
                    "disabled compute host"
                };
                assert!(reason.contains(want), "{}: {reason}", r.name);
            }
            (v, false) => assert_eq!(v.kind(), VerdictKind::Pass, "{}: {v:?}", r.name),
            (v, true) => panic!("{} should be skipped, got {v:?}", r.name),
        }
    }
    assert_eq!(skipped, 73);
    assert_eq!(o.count(VerdictKind::Skip), skipped);
}
