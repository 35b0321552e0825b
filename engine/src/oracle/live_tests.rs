//! The live-migration rules (`fixtures/expectations/live.toml`) judged against upstream Nova's
//! observed answers (upstream-nova/live_probe.py on 34.0.0; the policy-order probe on 17.0.13,
//! docs/api-reference.md "Live migration"), the loader's checks on them, and their place in
//! the digest.
use std::collections::BTreeMap;

use nova_releases::ReleaseTable;

use crate::case::Case;
use crate::expectation::EndState;
use crate::matrix::{build, MatrixKind};
use crate::microversion::{HeaderStyle, Microversion, VersionBounds, VersionSelector};
use crate::oracle::{MessageContext, Oracle, Profile, BUNDLED, LIVE_FILE};
use crate::variant::{
    BlockMigration as B, BodyShape, DiskOverCommit as D, ForceVariant as F, HostVariant as H,
    Precondition as P, Role as R,
};

fn bounds() -> VersionBounds {
    VersionBounds {
        min: Microversion::new(2, 1),
        max: Microversion::new(2, 104),
    }
}

#[allow(clippy::too_many_arguments)]
fn live(mv: u32, host: H, force: F, block: B, disk: D, pre: P, role: R) -> Case {
    Case {
        version: VersionSelector::Exact(Microversion::new(2, mv)),
        header: HeaderStyle::Modern,
        body: BodyShape::Live {
            host,
            force,
            block,
            disk,
        },
        precondition: pre,
        role,
    }
}

/// (status, rule, end) for `profile` as `series`.
fn judged(profile: Profile, series: &str, c: &Case) -> (u16, String, EndState) {
    let s = ReleaseTable::bundled().get(series).unwrap();
    let o = Oracle::for_series(profile, s).unwrap();
    let e = o
        .expect(c, &bounds(), &MessageContext::default())
        .unwrap_or_else(|| panic!("{series}: no rule for {}", c.name()));
    (
        e.status,
        e.rule.trim_start_matches("live:").to_string(),
        e.end,
    )
}

#[test]
fn live_rules_judge_live_cases_and_only_them() {
    let cases = build(MatrixKind::Default, &bounds());
    for profile in Profile::ALL {
        let o = Oracle::bundled(profile).unwrap();
        for c in &cases {
            let e = o.expect(c, &bounds(), &MessageContext::default()).unwrap();
            assert_eq!(
                e.rule.starts_with("live:"),
                c.body.is_live(),
                "{profile} {}: {}",
                c.name(),
                e.rule
            );
        }
    }
}

#[test]
fn both_profiles_judge_every_live_case_alike() {
    let cases = build(MatrixKind::Exhaustive, &bounds());
    for series in ReleaseTable::bundled().iter() {
        let n = Oracle::for_series(Profile::Nova, series).unwrap();
        let p = Oracle::for_series(Profile::PikeSpec, series).unwrap();
        for c in cases.iter().filter(|c| c.body.is_live()) {
            let ctx = MessageContext::default();
            assert_eq!(
                n.expect(c, &bounds(), &ctx),
                p.expect(c, &bounds(), &ctx),
                "{} {}",
                series.id,
                c.name()
            );
        }
    }
}

/// The answers upstream gave (live_probe.py on 34.0.0 = 2026.2; 17.0.13 = 2018.1), each as
/// (series, case, status, rule).
#[test]
fn observed_upstream_answers() {
    use B::{Absent as BA, Auto, False as BF, True as BT};
    use D::{Absent as DA, False as DF};
    let a = |mv, host, force, block, disk| live(mv, host, force, block, disk, P::Active, R::Admin);
    let rows: Vec<(&str, Case, u16, &str)> = vec![
        // schema
        (
            "2026.2",
            a(1, H::Null, F::Absent, BF, DA),
            400,
            "live-disk-required",
        ),
        (
            "2026.2",
            a(24, H::Null, F::Absent, Auto, DF),
            400,
            "live-block-auto-before-2-25",
        ),
        (
            "2026.2",
            a(24, H::Null, F::True, BT, DF),
            400,
            "live-force-not-allowed-before-2-30",
        ),
        (
            "2026.2",
            a(25, H::Null, F::Absent, Auto, DF),
            400,
            "live-disk-not-allowed",
        ),
        (
            "2026.2",
            a(25, H::Null, F::Absent, BA, DA),
            400,
            "live-block-required",
        ),
        (
            "2026.2",
            a(29, H::Null, F::False, Auto, DA),
            400,
            "live-force-not-allowed-before-2-30",
        ),
        (
            "2026.2",
            a(30, H::Null, F::Absent, B::Invalid, DA),
            400,
            "live-block-not-boolean-or-auto",
        ),
        (
            "2026.2",
            a(30, H::Other, F::NonBoolean, Auto, DA),
            400,
            "live-force-not-boolean",
        ),
        (
            "2026.2",
            a(67, H::Other, F::Null, Auto, DA),
            400,
            "live-force-null",
        ),
        (
            "2026.2",
            a(68, H::Other, F::False, Auto, DA),
            400,
            "live-force-not-allowed-from-2-68",
        ),
        (
            "2026.2",
            a(104, H::InvalidChars, F::Absent, Auto, DA),
            400,
            "live-host-invalid-characters",
        ),
        (
            "2026.2",
            a(104, H::Empty, F::Absent, Auto, DA),
            400,
            "live-host-empty",
        ),
        (
            "2026.2",
            a(104, H::NonString, F::Absent, Auto, DA),
            400,
            "live-host-not-a-string",
        ),
        // lookup, policy, force, lock, state, host
        (
            "2026.2",
            live(68, H::Null, F::Absent, Auto, DA, P::Nonexistent, R::Member),
            404,
            "live-server-not-found",
        ),
        (
            "2018.1",
            live(30, H::Null, F::Absent, Auto, DA, P::Nonexistent, R::Member),
            403,
            "live-policy-before-lookup",
        ),
        (
            "2026.2",
            live(68, H::Null, F::Absent, Auto, DA, P::Active, R::Member),
            403,
            "live-policy-migrate-live",
        ),
        (
            "2026.2",
            live(68, H::Other, F::Absent, Auto, DA, P::Active, R::Manager),
            403,
            "live-policy-migrate-live-host",
        ),
        (
            "2025.1",
            live(68, H::Other, F::Absent, Auto, DA, P::Active, R::Manager),
            403,
            "live-policy-migrate-live-manager",
        ),
        (
            "2026.2",
            live(68, H::Null, F::Absent, Auto, DA, P::Active, R::Manager),
            202,
            "live-accepted-scheduler-picks",
        ),
        (
            "2026.2",
            a(30, H::Null, F::True, Auto, DA),
            400,
            "live-force-without-host",
        ),
        (
            "2026.2",
            live(30, H::Null, F::True, Auto, DA, P::Nonexistent, R::Admin),
            404,
            "live-server-not-found",
        ),
        (
            "2018.1",
            live(30, H::Null, F::True, Auto, DA, P::Nonexistent, R::Admin),
            400,
            "live-force-without-host-before-lookup",
        ),
        (
            "2026.2",
            a(68, H::Unknown, F::Absent, Auto, DA),
            400,
            "live-unknown-host",
        ),
        (
            "2026.2",
            live(68, H::Unknown, F::Absent, Auto, DA, P::Shutoff, R::Admin),
            409,
            "live-state-stopped",
        ),
        (
            "2026.2",
            live(68, H::Null, F::Absent, Auto, DA, P::Locked, R::Manager),
            409,
            "live-locked",
        ),
        (
            "2026.2",
            live(68, H::Null, F::Absent, Auto, DA, P::Locked, R::Admin),
            202,
            "live-accepted-scheduler-picks",
        ),
        // the conductor, synchronous below 2.34
        (
            "2026.2",
            a(30, H::Disabled, F::Absent, Auto, DA),
            400,
            "live-scheduler-no-candidate-sync",
        ),
        (
            "2018.1",
            a(30, H::Disabled, F::Absent, Auto, DA),
            400,
            "live-scheduler-filtered-sync",
        ),
        (
            "2026.2",
            a(30, H::Own, F::Absent, Auto, DA),
            400,
            "live-scheduler-source-sync",
        ),
        (
            "2026.2",
            a(29, H::Own, F::Absent, Auto, DA),
            400,
            "live-forced-to-source-sync",
        ),
        (
            "2026.2",
            a(30, H::Own, F::True, Auto, DA),
            400,
            "live-forced-to-source-sync-2-30",
        ),
        (
            "2026.2",
            a(33, H::NoCapacity, F::Absent, Auto, DA),
            400,
            "live-scheduler-no-candidate-sync",
        ),
        (
            "2026.2",
            a(30, H::NoCapacity, F::True, Auto, DA),
            400,
            "live-forced-no-memory-sync-2-30",
        ),
        (
            "2018.1",
            a(30, H::NoCapacity, F::True, Auto, DA),
            400,
            "live-forced-no-room-sync-ratio-1-5-2-30",
        ),
        // accepted
        (
            "2026.2",
            a(34, H::Own, F::Absent, Auto, DA),
            202,
            "live-accepted-rejected-by-scheduler",
        ),
        (
            "2026.2",
            a(30, H::Disabled, F::True, Auto, DA),
            202,
            "live-accepted-forced",
        ),
        (
            "2026.2",
            a(68, H::Other, F::Absent, Auto, DA),
            202,
            "live-accepted-requested-host",
        ),
    ];
    for (series, c, status, rule) in rows {
        let (s, r, _) = judged(Profile::Nova, series, &c);
        assert_eq!((s, r.as_str()), (status, rule), "{series} {}", c.name());
    }
}

#[test]
fn end_states_of_accepted_live_cases() {
    let end = |mv, host, force, pre| {
        judged(
            Profile::Nova,
            "2026.2",
            &live(mv, host, force, B::Auto, D::Absent, pre, R::Admin),
        )
        .2
    };
    assert_eq!(
        end(68, H::Other, F::Absent, P::Paused),
        EndState::LiveOnRequested
    );
    assert_eq!(
        end(68, H::Null, F::Absent, P::Active),
        EndState::LiveOnOther
    );
    assert_eq!(end(34, H::Own, F::True, P::Active), EndState::AsyncFailure);
    assert_eq!(
        end(68, H::Disabled, F::Absent, P::Active),
        EndState::AsyncFailure
    );
    // Below 2.30 a named host is the destination: a disabled (but up) host is accepted.
    let c = live(
        2,
        H::Disabled,
        F::Absent,
        B::False,
        D::False,
        P::Active,
        R::Admin,
    );
    assert_eq!(
        judged(Profile::Nova, "2026.2", &c).2,
        EndState::LiveOnRequested
    );
}

fn files() -> BTreeMap<&'static str, String> {
    BUNDLED.iter().map(|(n, t)| (*n, t.to_string())).collect()
}

fn load(f: &BTreeMap<&'static str, String>) -> Result<Oracle, crate::SuiteError> {
    Oracle::from_files(Profile::Nova, &|n| f.get(n).cloned())
}

#[test]
fn the_loader_checks_live_rules_too() {
    let mut f = files();
    let live = f[LIVE_FILE].replacen(
        "message = \"^Can't force to a non-provided destination$\"",
        "message = \"Can't force\"",
        1,
    );
    assert_ne!(live, f[LIVE_FILE]);
    f.insert(LIVE_FILE, live);
    let err = load(&f).unwrap_err().to_string();
    assert!(
        err.contains("live.toml") && err.contains("anchored"),
        "{err}"
    );

    let mut f = files();
    f.insert(
        LIVE_FILE,
        f[LIVE_FILE].replacen("stage = \"live-lock\"", "stage = \"lock\"", 1),
    );
    let err = load(&f).unwrap_err().to_string();
    assert!(err.contains("unknown stage \"lock\""), "{err}");

    let mut f = files();
    f.insert(
        LIVE_FILE,
        f[LIVE_FILE].replacen(
            "when = { precondition = [\"shutoff\"] }",
            "when = { precondition = [\"shutoff\"], block = [\"sometimes\"] }",
            1,
        ),
    );
    assert!(load(&f).is_err());

    let mut f = files();
    f.insert(LIVE_FILE, format!("profile = \"nova\"\n{}", f[LIVE_FILE]));
    let err = load(&f).unwrap_err().to_string();
    assert!(err.contains("shared by both profiles"), "{err}");
}

#[test]
fn the_digest_covers_the_live_rules() {
    let base = load(&files()).unwrap().digest().to_string();
    let mut f = files();
    f.insert(
        LIVE_FILE,
        f[LIVE_FILE].replacen("status = 409", "status = 400", 1),
    );
    assert_ne!(load(&f).unwrap().digest(), base);
    let mut f = files();
    f.insert(
        LIVE_FILE,
        f[LIVE_FILE].replacen("source = \"common.get_instance", "source = \"elsewhere", 1),
    );
    assert_eq!(load(&f).unwrap().digest(), base);
}
