//! The case matrix: which cases a run executes. See docs/cases.md for the design and counts.
//!
//! Three blocks, deduplicated by case id:
//! - **bodies**: every body (each host x force pair and the other shapes) at every microversion
//!   of the target plus no header and `latest`, as admin on an ACTIVE server;
//! - **headers**: the representative bodies with the legacy header only at every microversion,
//!   and with a malformed and an out-of-range version;
//! - **string booleans**: `force` as a string Nova's boolean type accepts ("yes", "off"), at
//!   the boundary microversions plus no header and `latest`, as admin on an ACTIVE server;
//! - **states-roles**: every precondition x role x crossed body (the representative ones and
//!   `force: true` with a null host), at the boundary microversions (default) or at every
//!   microversion (`--exhaustive`).
//!
//! Then the live-migration cases (`os-migrateLive`, [`crate::live_matrix`]), after every cold
//! one, so that the cold cases keep their order and ids.
use std::collections::HashSet;

use crate::case::Case;
use crate::live_matrix::live_cases;
pub use crate::live_matrix::Actions;
use crate::microversion::{HeaderStyle, Microversion, VersionBounds, VersionSelector};
use crate::variant::{BodyShape, ForceVariant, HostVariant, OtherBody, Precondition, Role};

/// Which matrix to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatrixKind {
    Default,
    Exhaustive,
}

/// Bodies crossed with preconditions and roles: the scheduler-picks body, a named host (the
/// `migrate:host` policy) and a forced named host (where the profiles differ).
pub(crate) fn representative_bodies() -> [BodyShape; 3] {
    [
        BodyShape::Other(OtherBody::MigrateNull),
        BodyShape::Migrate {
            host: HostVariant::Other,
            force: ForceVariant::Absent,
        },
        BodyShape::Migrate {
            host: HostVariant::Other,
            force: ForceVariant::True,
        },
    ]
}

/// Bodies crossed with preconditions and roles: the representative ones, and `force: true`
/// with a null host (pike-spec's 400, whose place among lookup, policy, lock and state the
/// cross shows).
pub(crate) fn crossed_bodies() -> [BodyShape; 4] {
    let [a, b, c] = representative_bodies();
    [
        a,
        b,
        c,
        BodyShape::Migrate {
            host: HostVariant::Null,
            force: ForceVariant::True,
        },
    ]
}

/// `force` as a string boolean: "yes" without a host (pike-spec: force without host), with
/// a host and with the disabled host (forced: the scheduler is skipped), and "off" with a host.
pub(crate) fn string_boolean_bodies() -> [BodyShape; 4] {
    let m = |host, force| BodyShape::Migrate { host, force };
    [
        m(HostVariant::Null, ForceVariant::StringTrue),
        m(HostVariant::Other, ForceVariant::StringTrue),
        m(HostVariant::Disabled, ForceVariant::StringTrue),
        m(HostVariant::Other, ForceVariant::StringFalse),
    ]
}

/// Where behaviour changes for this API: the minimum, the last version that ignores the
/// body, the one that reads it, and the maximum.
pub(crate) fn boundary_versions(bounds: &VersionBounds) -> Vec<Microversion> {
    let mut v: Vec<Microversion> = [
        bounds.min,
        Microversion::new(2, 55),
        Microversion::new(2, 56),
        bounds.max,
    ]
    .into_iter()
    .filter(|v| *v >= bounds.min && *v <= bounds.max)
    .collect();
    v.dedup();
    v
}

/// Builds the matrix (cold and live cases) for a target advertising `bounds`.
pub fn build(kind: MatrixKind, bounds: &VersionBounds) -> Vec<Case> {
    build_for(kind, bounds, Actions::BOTH)
}

/// Builds the matrix of the actions `actions` selects.
pub fn build_for(kind: MatrixKind, bounds: &VersionBounds, actions: Actions) -> Vec<Case> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut push = |c: Case| {
        if seen.insert(c.canonical()) {
            out.push(c);
        }
    };
    if actions.cold {
        cold(kind, bounds, &mut push);
    }
    if actions.live {
        for c in live_cases(kind == MatrixKind::Exhaustive, bounds) {
            push(c);
        }
    }
    out
}

/// The cold-migration cases, in block order.
fn cold(kind: MatrixKind, bounds: &VersionBounds, push: &mut impl FnMut(Case)) {
    let all_selectors: Vec<VersionSelector> = bounds
        .all()
        .into_iter()
        .map(VersionSelector::Exact)
        .chain([VersionSelector::Absent, VersionSelector::Latest])
        .collect();

    // bodies
    for body in BodyShape::all() {
        for &version in &all_selectors {
            push(Case {
                version,
                header: HeaderStyle::Modern,
                body,
                precondition: Precondition::Active,
                role: Role::Admin,
            });
        }
    }
    // headers
    for body in representative_bodies() {
        for v in bounds.all() {
            push(Case {
                version: VersionSelector::Exact(v),
                header: HeaderStyle::Legacy,
                body,
                precondition: Precondition::Active,
                role: Role::Admin,
            });
        }
        for version in [VersionSelector::Malformed, VersionSelector::OutOfRange] {
            for header in [HeaderStyle::Modern, HeaderStyle::Legacy] {
                push(Case {
                    version,
                    header,
                    body,
                    precondition: Precondition::Active,
                    role: Role::Admin,
                });
            }
        }
    }
    // string booleans
    let boundary: Vec<VersionSelector> = boundary_versions(bounds)
        .into_iter()
        .map(VersionSelector::Exact)
        .chain([VersionSelector::Absent, VersionSelector::Latest])
        .collect();
    for body in string_boolean_bodies() {
        for &version in &boundary {
            push(Case {
                version,
                header: HeaderStyle::Modern,
                body,
                precondition: Precondition::Active,
                role: Role::Admin,
            });
        }
    }
    // states-roles
    let versions: Vec<VersionSelector> = match kind {
        MatrixKind::Default => boundary_versions(bounds)
            .into_iter()
            .map(VersionSelector::Exact)
            .collect(),
        MatrixKind::Exhaustive => all_selectors.clone(),
    };
    for &precondition in Precondition::ALL {
        for &role in Role::ALL {
            for body in crossed_bodies() {
                for &version in &versions {
                    push(Case {
                        version,
                        header: HeaderStyle::Modern,
                        body,
                        precondition,
                        role,
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds() -> VersionBounds {
        VersionBounds {
            min: Microversion::new(2, 1),
            max: Microversion::new(2, 104),
        }
    }

    #[test]
    fn every_force_host_pair_at_every_microversion() {
        let m = build(MatrixKind::Default, &bounds());
        for v in bounds().all() {
            for &host in HostVariant::ALL {
                for &force in ForceVariant::TYPED {
                    assert!(m.iter().any(|c| c.version == VersionSelector::Exact(v)
                        && c.body == BodyShape::Migrate { host, force }));
                }
            }
        }
    }

    #[test]
    fn ids_are_unique_and_exhaustive_contains_default() {
        let d = build(MatrixKind::Default, &bounds());
        let e = build(MatrixKind::Exhaustive, &bounds());
        let ids: HashSet<String> = e.iter().map(Case::id).collect();
        assert_eq!(ids.len(), e.len(), "hash collision among case ids");
        assert!(d.iter().all(|c| ids.contains(&c.id())));
        assert!(e.len() > d.len());
        // every precondition x role at every microversion in the exhaustive matrix
        for &p in Precondition::ALL {
            for &r in Role::ALL {
                let n = e
                    .iter()
                    .filter(|c| {
                        c.precondition == p && c.role == r && c.header == HeaderStyle::Modern
                    })
                    .count();
                assert!(n >= 4 * 106, "{p} {r}: {n}");
            }
        }
    }

    #[test]
    fn adding_cases_keeps_ids() {
        // A narrower target yields a subset of the same ids.
        let narrow = VersionBounds {
            min: Microversion::new(2, 1),
            max: Microversion::new(2, 60),
        };
        let wide: HashSet<String> = build_for(MatrixKind::Default, &bounds(), Actions::COLD)
            .iter()
            .map(Case::id)
            .collect();
        let n = build_for(MatrixKind::Default, &narrow, Actions::COLD);
        let shared = n.iter().filter(|c| wide.contains(&c.id())).count();
        // Only the version-relative selectors (latest/out-of-range resolve differently) and
        // the boundary at the max can differ; everything else keeps its id.
        assert!(shared > n.len() - 200, "{shared} of {}", n.len());
    }
}
