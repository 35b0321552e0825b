//! The live-migration cases (`os-migrateLive`): the matrix's action axis. See docs/cases.md
//! "Live migration" for the design and counts.
//!
//! Live migration's body is read at every microversion (cold migrate's only from 2.56), and
//! what it accepts changes at 2.25 (`block_migration: "auto"`, no `disk_over_commit`), 2.30
//! (`force`), 2.34 (the conductor's pre-checks after the 202) and 2.68 (no `force`). So the
//! live blocks are exhaustive at those boundaries and cross the rest with representatives:
//! - **live bodies**: every host x JSON-typed force pair, with the version's own valid
//!   `block_migration`/`disk_over_commit` (false/false to 2.24, "auto"/absent from 2.25), at
//!   the live boundary versions plus no header and `latest`, as admin on an ACTIVE server;
//! - **live versions**: the representative live bodies at every microversion;
//! - **live block/disk**: every `block_migration` x `disk_over_commit` with a null host at the
//!   live boundary versions (and no header, `latest`);
//! - **live string booleans**: `force` "yes"/"off" with a null and a named host, same versions;
//! - **live states-roles**: every precondition x role x crossed live body at the states
//!   versions (default) or at every microversion (`--exhaustive`).
use crate::case::Case;
use crate::microversion::{HeaderStyle, Microversion, VersionBounds, VersionSelector};
use crate::variant::{
    BlockMigration, BodyShape, DiskOverCommit, ForceVariant, HostVariant, Precondition, Role,
};

/// Whether the matrix has its cold cases, its live ones, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actions {
    pub cold: bool,
    pub live: bool,
}

impl Actions {
    pub const BOTH: Actions = Actions {
        cold: true,
        live: true,
    };
    /// `--no-live`: the cold cases only (clouds whose hypervisors cannot live-migrate; the
    /// figures of `bench` before live migration joined).
    pub const COLD: Actions = Actions {
        cold: true,
        live: false,
    };
}

/// The version's own valid `block_migration` and `disk_over_commit`: both required booleans
/// to 2.24; from 2.25 `disk_over_commit` is refused and "auto" lets Nova choose.
pub(crate) fn natural_block_disk(v: Microversion) -> (BlockMigration, DiskOverCommit) {
    if v < Microversion::new(2, 25) {
        (BlockMigration::False, DiskOverCommit::False)
    } else {
        (BlockMigration::Auto, DiskOverCommit::Absent)
    }
}

/// A live body with the version's own block/disk.
pub(crate) fn live_body(v: Microversion, host: HostVariant, force: ForceVariant) -> BodyShape {
    let (block, disk) = natural_block_disk(v);
    BodyShape::Live {
        host,
        force,
        block,
        disk,
    }
}

/// Where live behaviour changes: the minimum, 2.24/2.25 (block "auto", disk_over_commit
/// gone), 2.29/2.30 (force), 2.33/2.34 (asynchronous pre-checks), 2.67/2.68 (force gone), and
/// the maximum.
pub(crate) fn live_boundary_versions(bounds: &VersionBounds) -> Vec<Microversion> {
    with_bounds(&[24, 25, 29, 30, 33, 34, 67, 68], bounds)
}

/// The versions of the default states-roles block: the minimum (legacy forced host,
/// synchronous pre-checks), 2.30 (force), 2.34 (asynchronous), 2.68 (no force), the maximum.
pub(crate) fn live_states_versions(bounds: &VersionBounds) -> Vec<Microversion> {
    with_bounds(&[30, 34, 68], bounds)
}

/// The 2.x versions `minors` inside `bounds`, plus the minimum and the maximum, ascending.
fn with_bounds(minors: &[u32], bounds: &VersionBounds) -> Vec<Microversion> {
    let mut v: Vec<Microversion> = minors
        .iter()
        .map(|&m| Microversion::new(2, m))
        .chain([bounds.min, bounds.max])
        .filter(|v| *v >= bounds.min && *v <= bounds.max)
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Live bodies at every microversion and crossed with preconditions and roles: the scheduler
/// picks (the `migrate_live` policy), a named host (`migrate_live:host` where it exists; the
/// requested destination), a forced named host, and force without a host (the 400 whose
/// place among lookup, policy, lock and state the cross shows).
fn representative(force_null_host: bool) -> Vec<(HostVariant, ForceVariant)> {
    let mut v = vec![
        (HostVariant::Null, ForceVariant::Absent),
        (HostVariant::Other, ForceVariant::Absent),
        (HostVariant::Other, ForceVariant::True),
    ];
    if force_null_host {
        v.push((HostVariant::Null, ForceVariant::True));
    }
    v
}

/// The selectors of a live block at `versions`, plus no header and `latest`, with the version
/// each acts as.
fn selectors(
    versions: &[Microversion],
    bounds: &VersionBounds,
) -> Vec<(VersionSelector, Microversion)> {
    versions
        .iter()
        .map(|v| (VersionSelector::Exact(*v), *v))
        .chain([
            (VersionSelector::Absent, bounds.min),
            (VersionSelector::Latest, bounds.max),
        ])
        .collect()
}

/// The live cases, in block order (the caller deduplicates by id).
pub(crate) fn live_cases(exhaustive: bool, bounds: &VersionBounds) -> Vec<Case> {
    let mut out = Vec::new();
    let mut push = |version: VersionSelector, body: BodyShape, precondition, role| {
        out.push(Case {
            version,
            header: HeaderStyle::Modern,
            body,
            precondition,
            role,
        })
    };
    let boundary = selectors(&live_boundary_versions(bounds), bounds);
    // live bodies
    for &host in HostVariant::ALL {
        for &force in ForceVariant::TYPED {
            for &(sel, v) in &boundary {
                push(
                    sel,
                    live_body(v, host, force),
                    Precondition::Active,
                    Role::Admin,
                );
            }
        }
    }
    // live versions
    for (host, force) in representative(false) {
        for v in bounds.all() {
            push(
                VersionSelector::Exact(v),
                live_body(v, host, force),
                Precondition::Active,
                Role::Admin,
            );
        }
    }
    // live block/disk
    for &block in BlockMigration::ALL {
        for &disk in DiskOverCommit::ALL {
            for &(sel, _) in &boundary {
                push(
                    sel,
                    BodyShape::Live {
                        host: HostVariant::Null,
                        force: ForceVariant::Absent,
                        block,
                        disk,
                    },
                    Precondition::Active,
                    Role::Admin,
                );
            }
        }
    }
    // live string booleans
    for host in [HostVariant::Null, HostVariant::Other] {
        for force in [ForceVariant::StringTrue, ForceVariant::StringFalse] {
            for &(sel, v) in &boundary {
                push(
                    sel,
                    live_body(v, host, force),
                    Precondition::Active,
                    Role::Admin,
                );
            }
        }
    }
    // live states-roles
    let states: Vec<(VersionSelector, Microversion)> = if exhaustive {
        selectors(&bounds.all(), bounds)
    } else {
        live_states_versions(bounds)
            .into_iter()
            .map(|v| (VersionSelector::Exact(v), v))
            .collect()
    };
    for &precondition in Precondition::ALL {
        for &role in Role::ALL {
            for (host, force) in representative(true) {
                for &(sel, v) in &states {
                    push(sel, live_body(v, host, force), precondition, role);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::matrix::{build, build_for, MatrixKind};

    fn bounds() -> VersionBounds {
        VersionBounds {
            min: Microversion::new(2, 1),
            max: Microversion::new(2, 104),
        }
    }

    #[test]
    fn counts_per_block_at_2_1_to_2_104() {
        let b = bounds();
        // 10 boundary versions (2.1 2.24 2.25 2.29 2.30 2.33 2.34 2.67 2.68 2.104) + absent +
        // latest = 12 selectors. Live bodies 55 x 12 = 660; versions 3 x 104 less the 30 at
        // the boundaries = 282; block/disk 15 x 12 less the 12 natural ones = 168; string
        // booleans 4 x 12 = 48; states-roles 7 x 4 x 4 x 5 less the 20 admin/ACTIVE = 540.
        assert_eq!(live_boundary_versions(&b).len(), 10);
        let d = build_for(
            MatrixKind::Default,
            &b,
            Actions {
                cold: false,
                live: true,
            },
        );
        assert_eq!(d.len(), 660 + 282 + 168 + 48 + 540);
        // --exhaustive: states-roles at 106 selectors: 7 x 4 x 4 x 106 less the 330 the other
        // blocks already have (3 bodies x 106, force-without-host x 12).
        let e = build_for(
            MatrixKind::Exhaustive,
            &b,
            Actions {
                cold: false,
                live: true,
            },
        );
        assert_eq!(e.len(), 660 + 282 + 168 + 48 + (7 * 4 * 4 * 106 - 330));
        assert!(d.iter().chain(&e).all(|c| c.body.is_live()));
        let ids: HashSet<String> = e.iter().map(Case::id).collect();
        assert_eq!(ids.len(), e.len(), "hash collision among live case ids");
        assert!(d.iter().all(|c| ids.contains(&c.id())));
    }

    #[test]
    fn the_cold_cases_are_unchanged_and_come_first() {
        for kind in [MatrixKind::Default, MatrixKind::Exhaustive] {
            let cold = build_for(kind, &bounds(), Actions::COLD);
            let all = build(kind, &bounds());
            assert_eq!(
                cold.len(),
                if kind == MatrixKind::Default {
                    7034
                } else {
                    18050
                }
            );
            assert_eq!(&all[..cold.len()], &cold[..]);
            assert!(cold.iter().all(|c| !c.body.is_live()));
            assert!(all[cold.len()..].iter().all(|c| c.body.is_live()));
        }
    }

    #[test]
    fn every_host_force_pair_at_every_live_boundary_and_bodies_at_every_version() {
        let m = build(MatrixKind::Default, &bounds());
        for v in live_boundary_versions(&bounds()) {
            for &host in HostVariant::ALL {
                for &force in ForceVariant::TYPED {
                    let body = live_body(v, host, force);
                    assert!(
                        m.iter()
                            .any(|c| c.version == VersionSelector::Exact(v) && c.body == body),
                        "{v} {body}"
                    );
                }
            }
        }
        for v in bounds().all() {
            for (host, force) in representative(false) {
                let body = live_body(v, host, force);
                assert!(m
                    .iter()
                    .any(|c| c.version == VersionSelector::Exact(v) && c.body == body));
            }
        }
        // The version's own block/disk: 2.24 false/false, 2.25 auto/absent.
        assert_eq!(
            natural_block_disk(Microversion::new(2, 24)),
            (BlockMigration::False, DiskOverCommit::False)
        );
        assert_eq!(
            natural_block_disk(Microversion::new(2, 25)),
            (BlockMigration::Auto, DiskOverCommit::Absent)
        );
    }

    #[test]
    fn a_narrow_target_keeps_the_boundaries_it_has() {
        let b = VersionBounds {
            min: Microversion::new(2, 1),
            max: Microversion::new(2, 60),
        };
        let v: Vec<String> = live_boundary_versions(&b)
            .iter()
            .map(|v| v.to_string())
            .collect();
        assert_eq!(
            v,
            ["2.1", "2.24", "2.25", "2.29", "2.30", "2.33", "2.34", "2.60"]
        );
        let s: Vec<String> = live_states_versions(&b)
            .iter()
            .map(|v| v.to_string())
            .collect();
        assert_eq!(s, ["2.1", "2.30", "2.34", "2.60"]);
    }
}
