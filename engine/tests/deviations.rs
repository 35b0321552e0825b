//! Proving the suite can fail: against a fake with exactly one deviation, exactly the affected
//! cases become Fail/Error and every other case passes.
use test_support::fake_nova;

use fake_nova::{Deviation, FakeTarget};
use nova_conform::Case;
use nova_conform::Filter;
use nova_conform::Plan;
use nova_conform::ReleaseChoice;
use nova_conform::{build_matrix_for as build_for, Actions, MatrixKind};
use nova_conform::{no_events, Session};
use nova_conform::{CaseResult, VerdictKind};
use nova_conform::{Expectation, HeaderCheck};
use nova_conform::{ForceVariant, HostVariant, Precondition};
use nova_conform::{MessageContext, Oracle, Profile};
use nova_conform::{Microversion, VersionBounds, VersionSelector};
use std::sync::Arc;

const MIN: u32 = 1;
const MAX: u32 = 58;

/// The cases around the 2.56 boundary plus every selector: enough to see each deviation,
/// small enough to run eight times. Cold cases only: the fake models `migrate`, not
/// `os-migrateLive`.
fn window(bounds: &VersionBounds) -> Vec<Case> {
    build_for(MatrixKind::Default, bounds, Actions::COLD)
        .into_iter()
        .filter(|c| match c.version {
            VersionSelector::Exact(v) => v >= Microversion::new(2, 54),
            _ => true,
        })
        .collect()
}

async fn run_fake(
    profile: Profile,
    deviation: Deviation,
) -> (Vec<CaseResult>, Oracle, VersionBounds) {
    let target = FakeTarget::start(profile, deviation, MIN, MAX).await;
    let session = Session::over(Arc::new(target)).await.unwrap();
    let bounds = session.bounds();
    assert_eq!(bounds.max, Microversion::new(2, MAX));
    let oracle = Oracle::bundled(profile).unwrap();
    let plan = Plan {
        profile,
        kind: MatrixKind::Default,
        // The window: 2.54 and up, and every selector.
        filter: Filter::parse(Some("!mv=2.1-2.53"), None)
            .unwrap()
            .without_live(),
        jobs: 16,
        release: ReleaseChoice::newest(),
    };
    let out = session.run(&plan, no_events()).await.unwrap();
    assert_eq!(out.results.len(), window(&bounds).len());
    assert!(out.cleanup_failures.is_empty());
    (out.results, oracle, bounds)
}

fn expectation(oracle: &Oracle, bounds: &VersionBounds, c: &Case) -> Expectation {
    oracle
        .expect(c, bounds, &MessageContext::default())
        .expect("the oracle covers the matrix")
}

/// Asserts: affected cases have a verdict in `bad`, all others pass; and at least one case
/// is affected (a deviation the matrix cannot see would be a gap).
fn assert_exactly(
    results: &[CaseResult],
    oracle: &Oracle,
    bounds: &VersionBounds,
    bad: &[VerdictKind],
    affected: impl Fn(&Case, &Expectation) -> bool,
) {
    let mut n_affected = 0;
    let mut wrong = Vec::new();
    for r in results {
        let c = r.case.as_ref().unwrap();
        let e = expectation(oracle, bounds, c);
        let k = r.verdict.kind();
        if affected(c, &e) {
            n_affected += 1;
            if !bad.contains(&k) {
                wrong.push(format!("affected but {k:?}: {}", r.name));
            }
        } else if k != VerdictKind::Pass {
            wrong.push(format!("unaffected but {k:?}: {} {:?}", r.name, r.verdict));
        }
    }
    assert!(n_affected > 0, "no case sees the deviation");
    assert!(
        wrong.is_empty(),
        "{} wrong verdicts, first: {:#?}",
        wrong.len(),
        &wrong[..wrong.len().min(10)]
    );
}

fn effective(c: &Case, b: &VersionBounds) -> Option<Microversion> {
    c.version.effective(b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn baseline_passes_everything_both_profiles() {
    for profile in Profile::ALL {
        let (results, _, bounds) = run_fake(profile, Deviation::None).await;
        // One result per case of the window, and the window's size is known: 2.54-2.58 and
        // the selectors of the default matrix.
        assert_eq!(results.len(), window(&bounds).len());
        // (The matrix is the same for both profiles: each profile's oracle judges every body.)
        assert_eq!((profile, results.len()), (profile, 784));
        let bad: Vec<_> = results
            .iter()
            .filter(|r| r.verdict.kind() != VerdictKind::Pass)
            .take(5)
            .collect();
        assert!(bad.is_empty(), "{profile}: {bad:#?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn force_without_host_accepted() {
    let (r, o, b) = run_fake(Profile::PikeSpec, Deviation::ForceWithoutHostAccepted).await;
    assert_exactly(&r, &o, &b, &[VerdictKind::Fail], |_, e| {
        e.rule == "pike-spec:force-without-host"
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ok_200_instead_of_202() {
    let (r, o, b) = run_fake(Profile::Nova, Deviation::Ok200).await;
    // Servers in VERIFY_RESIZE are made with a migrate, which the runner requires to be a 202.
    assert_exactly(
        &r,
        &o,
        &b,
        &[VerdictKind::Fail, VerdictKind::Error],
        |c, e| e.status == 202 || c.precondition == Precondition::VerifyResize,
    );
    assert!(r
        .iter()
        .filter(|x| x.expected.as_ref().is_some_and(|e| e.status == 202))
        .all(|x| x.verdict.kind() == VerdictKind::Fail));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn item_not_found_instead_of_bad_request() {
    let (r, o, b) = run_fake(Profile::Nova, Deviation::ItemNotFoundForBadRequest).await;
    assert_exactly(&r, &o, &b, &[VerdictKind::Fail], |_, e| {
        e.fault.as_deref() == Some("badRequest")
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_version_headers() {
    let (r, o, b) = run_fake(Profile::Nova, Deviation::NoVersionHeaders).await;
    assert_exactly(&r, &o, &b, &[VerdictKind::Fail], |_, e| {
        e.headers.contains(&HeaderCheck::Version)
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_ignored_at_2_56() {
    let (r, o, b) = run_fake(Profile::Nova, Deviation::HostIgnoredAt256).await;
    let named = [
        HostVariant::Other,
        HostVariant::Own,
        HostVariant::Unknown,
        HostVariant::Disabled,
        HostVariant::NoCapacity,
    ];
    assert_exactly(&r, &o, &b, &[VerdictKind::Fail], |c, e| {
        if effective(c, &b) != Some(Microversion::new(2, 56))
            || c.body.force() != Some(ForceVariant::Absent)
            || !c.body.host().is_some_and(|h| named.contains(&h))
        {
            return false;
        }
        // Affected where ignoring the host changes the oracle's answer.
        let mut without = c.clone();
        without.body = nova_conform::BodyShape::Migrate {
            host: HostVariant::Absent,
            force: ForceVariant::Absent,
        };
        expectation(&o, &b, &without).rule != e.rule
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_error_on_valid_request() {
    let (r, o, b) = run_fake(Profile::Nova, Deviation::ServerErrorOnValidHost).await;
    assert_exactly(&r, &o, &b, &[VerdictKind::Error], |_, e| {
        e.rule == "common:accepted-requested-host"
            || e.rule == "common:accepted-rejected-by-scheduler"
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_never_leaves_resize() {
    let (r, o, b) = run_fake(Profile::Nova, Deviation::StuckInResize).await;
    assert_exactly(&r, &o, &b, &[VerdictKind::Error], |c, e| {
        e.status == 202 || c.precondition == Precondition::VerifyResize
    });
    let stuck = r
        .iter()
        .find(|x| x.verdict.kind() == VerdictKind::Error)
        .unwrap();
    assert!(
        format!("{:?}", stuck.verdict).contains("RESIZE"),
        "{:?}",
        stuck.verdict
    );
}
