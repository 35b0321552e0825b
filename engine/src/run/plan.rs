//! The plan of a real-cloud run: which cases run concurrently, which are chained on a
//! server, which Skip and why, how many servers and migrations that takes, and how long.
//!
//! A case whose expected answer is a refusal changes nothing (every error is raised before
//! any state change), so those run concurrently on one shared server per precondition. A case
//! the oracle expects to be accepted starts a migration: those run one after another on their
//! precondition's server (A->B confirm, then B->C revert, ...: the runner's follow-through
//! confirms or reverts and hands the server on), one chain per precondition, the chains in
//! parallel. A refusal that comes only after a transient task_state (the oracle rule's
//! `exclusive`: Queens..Train's synchronous NoValidHost) would disturb the cases beside it, so
//! those run one at a time after the concurrent ones. By default the accepted cases are
//! reduced to one per distinct behaviour class
//! (the oracle rule and end state, per precondition, role and header) at the boundary
//! microversions 2.55, 2.56, `latest` and the target's maximum; `--exhaustive` keeps them all.
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write as _;

use crate::case::Case;
use crate::microversion::{Microversion, VersionBounds, VersionSelector};
use crate::oracle::MessageContext;
use crate::pool::RETIRE_AFTER_MIGRATIONS;
use crate::release::Judges;
use crate::target::HostInventory;
use crate::variant::{HostVariant, Precondition, Role};

/// What the plan is built from.
pub(crate) struct PlanInput<'a> {
    /// The selected cases (matrix and filter).
    pub cases: Vec<Case>,
    /// The candidate series' oracles: a case any of them expects to be accepted is chained.
    pub judges: &'a Judges,
    pub bounds: VersionBounds,
    pub inventory: &'a HostInventory,
    /// Roles without an identity, with the reason.
    pub missing_roles: &'a BTreeMap<Role, String>,
    /// Why no server can be created, if so.
    pub create_problem: Option<&'a str>,
    /// Whether `--server` gave a server for the ACTIVE precondition.
    pub have_given_active: bool,
    pub exhaustive: bool,
    /// Parallel chains per precondition, each on its own server (at least 1). A real cloud
    /// gets 1 (one server per precondition); the embedded mock `--jobs`, which costs it
    /// nothing and keeps its thousands of accepted cases fast.
    pub lanes: usize,
    /// Accepted migrations after which a server is replaced.
    pub retire_after: u32,
}

/// Accepted cases run in order on one server.
#[derive(Debug, Clone)]
pub struct Chain {
    pub precondition: Precondition,
    /// Which of the precondition's lanes (servers) the chain runs on.
    pub lane: usize,
    pub cases: Vec<Case>,
}

/// How the plan runs one case. Displayed as `concurrent`, `alone`, `chain <precondition>#n`
/// or `skip (reason)` (`--dry-run --verbose`, a bundle's plan.json).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Treatment<'a> {
    Concurrent,
    Alone,
    /// The chain of this precondition and lane, at this (1-based) position.
    Chain(Precondition, usize, usize),
    Skip(&'a str),
    /// Left out by the boundary reduction: an accepted case whose behaviour a chained case
    /// at a boundary microversion shows; `--exhaustive` sends it.
    Reduced,
}

impl std::fmt::Display for Treatment<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Concurrent => f.write_str("concurrent"),
            Self::Alone => f.write_str("alone"),
            Self::Chain(p, 0, n) => write!(f, "chain {p}#{n}"),
            Self::Chain(p, lane, n) => write!(f, "chain {p}/{lane}#{n}"),
            Self::Skip(r) => write!(f, "skip ({r})"),
            Self::Reduced => f.write_str("reduced"),
        }
    }
}

/// The plan.
#[derive(Debug, Clone, Default)]
pub struct RunPlan {
    /// Cases expected to be refused: run concurrently (`--jobs`) on shared servers.
    pub concurrent: Vec<Case>,
    /// Cases expected to be refused after a transient task_state: run one at a time after
    /// the concurrent ones, each with its server to itself.
    pub exclusive: Vec<Case>,
    /// Cases expected to be accepted, chained per precondition.
    pub chains: Vec<Chain>,
    /// Cases not run, with the reason (reported as Skip).
    pub skipped: Vec<(Case, String)>,
    /// Accepted cases left out by the boundary reduction (run with `--exhaustive`): not
    /// sent, not in the report; listed so that a bundle's plan says what became of each case.
    pub reduced: Vec<Case>,
    /// Preconditions that need a server the suite creates.
    pub servers_to_create: BTreeSet<Precondition>,
    pub bounds: Option<VersionBounds>,
    /// Accepted migrations after which a server is replaced (from [`PlanInput`]).
    pub retire_after: u32,
}

/// The boundary selectors at which accepted cases run by default: cold migrate's 2.55, 2.56,
/// `latest` and the maximum; live migration's own boundaries (2.29/2.30 force, 2.33/2.34
/// asynchronous pre-checks, 2.67/2.68 force gone, `latest`, the maximum).
fn at_boundary(case: &Case, bounds: &VersionBounds) -> bool {
    let sel = &case.version;
    if case.body.is_live() {
        return match sel {
            VersionSelector::Latest => true,
            VersionSelector::Exact(v) => {
                (v.major == 2 && [29, 30, 33, 34, 67, 68].contains(&v.minor)) || *v == bounds.max
            }
            _ => false,
        };
    }
    match sel {
        VersionSelector::Latest => true,
        VersionSelector::Exact(v) => {
            *v == Microversion::new(2, 55) || *v == Microversion::new(2, 56) || *v == bounds.max
        }
        _ => false,
    }
}

/// Why the cloud cannot give the host a case's body names, if it cannot.
fn missing_host(case: &Case, inv: &HostInventory) -> Option<String> {
    match case.body.host()? {
        HostVariant::Other if inv.enabled.len() < 2 => Some(format!(
            "needs a second enabled compute host; the cloud has {}",
            inv.enabled.len()
        )),
        HostVariant::Disabled if inv.disabled.is_none() => Some(
            "the cloud has no disabled compute host (disable a nova-compute service to run these)"
                .into(),
        ),
        HostVariant::NoCapacity if inv.no_capacity.is_none() => Some(
            "no compute host is known to lack capacity (the suite never fills a real cloud's host)"
                .into(),
        ),
        _ => None,
    }
}

/// Builds the plan.
pub(crate) fn build(input: PlanInput<'_>) -> RunPlan {
    let bounds = input.bounds;
    let usable = input.inventory.enabled.len();
    let mut plan = RunPlan {
        bounds: Some(bounds),
        retire_after: input.retire_after,
        ..RunPlan::default()
    };
    let mut classes: HashSet<String> = HashSet::new();
    let mut chains: BTreeMap<Precondition, Vec<Case>> = BTreeMap::new();
    for case in input.cases {
        if let Some(why) = input.missing_roles.get(&case.role) {
            plan.skipped.push((case, why.clone()));
            continue;
        }
        if let Some(why) = missing_host(&case, input.inventory) {
            plan.skipped.push((case, why));
            continue;
        }
        let needs_server = case.precondition != Precondition::Nonexistent;
        let given = input.have_given_active && case.precondition == Precondition::Active;
        if needs_server && !given {
            if let Some(p) = input.create_problem {
                let why = format!("no {} server: {p}", case.precondition);
                plan.skipped.push((case, why));
                continue;
            }
        }
        let expectations: Vec<_> = input
            .judges
            .expectations(&case, &bounds, &MessageContext::default())
            .into_iter()
            .flatten()
            .collect();
        let accepted = expectations.iter().any(|e| (200..300).contains(&e.status));
        if !accepted {
            if needs_server && !given {
                plan.servers_to_create.insert(case.precondition);
            }
            if expectations.iter().any(|e| e.exclusive) {
                plan.exclusive.push(case);
            } else {
                plan.concurrent.push(case);
            }
            continue;
        }
        if usable < 2 {
            plan.skipped.push((
                case,
                format!(
                    "needs two enabled compute hosts to migrate between; the cloud has {usable}"
                ),
            ));
            continue;
        }
        if !input.exhaustive {
            if !at_boundary(&case, &bounds) {
                plan.reduced.push(case);
                continue;
            }
            // What every candidate expects (rule and end) is the behaviour class.
            let rules: Vec<String> = expectations
                .iter()
                .map(|e| format!("{}:{}:{:?}", e.rule, e.status, e.end))
                .collect();
            let class = format!(
                "{}|{}|{}|{}|{}",
                case.version,
                rules.join("+"),
                case.precondition,
                case.role,
                case.header.as_str()
            );
            if !classes.insert(class) {
                plan.reduced.push(case);
                continue;
            }
        }
        if needs_server && !given {
            plan.servers_to_create.insert(case.precondition);
        }
        chains.entry(case.precondition).or_default().push(case);
    }
    let lanes = input.lanes.max(1);
    for (precondition, cases) in chains {
        // Contiguous runs keep each chain in matrix order.
        let per_lane = cases.len().div_ceil(lanes);
        for (lane, part) in cases.chunks(per_lane).enumerate() {
            plan.chains.push(Chain {
                precondition,
                lane,
                cases: part.to_vec(),
            });
        }
    }
    plan
}

impl RunPlan {
    pub fn mutating_count(&self) -> usize {
        self.chains.iter().map(|c| c.cases.len()).sum()
    }

    /// Servers created beyond one per precondition: a chain's server is replaced every
    /// [`RETIRE_AFTER_MIGRATIONS`] migrations.
    pub fn replacement_servers(&self) -> usize {
        self.chains
            .iter()
            .map(|c| c.cases.len().saturating_sub(1) / RETIRE_AFTER_MIGRATIONS as usize)
            .sum()
    }

    /// Cases that will be sent.
    pub fn runnable(&self) -> usize {
        self.concurrent.len() + self.exclusive.len() + self.mutating_count()
    }

    /// The `--dry-run` text (the time estimate follows it: `crate::estimate`).
    pub fn render(&self, jobs: usize) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "plan: {} cases to send, {} skipped, {} accepted cases left out (--exhaustive runs them)",
            self.runnable(),
            self.skipped.len(),
            self.reduced.len()
        );
        let _ = writeln!(
            s,
            "  {} refused-by-contract cases, concurrently (--jobs {jobs}) on shared servers",
            self.concurrent.len()
        );
        if !self.exclusive.is_empty() {
            let _ = writeln!(
                s,
                "  {} refused-by-contract cases that need their server alone (a transient task_state), one at a time",
                self.exclusive.len()
            );
        }
        let _ = writeln!(
            s,
            "  {} accepted cases (migrations), chained per precondition:",
            self.mutating_count()
        );
        for c in &self.chains {
            let _ = writeln!(
                s,
                "    {:<14} {} migrations",
                c.precondition.as_str(),
                c.cases.len()
            );
        }
        let servers: Vec<&str> = self.servers_to_create.iter().map(|p| p.as_str()).collect();
        let extra = self.replacement_servers();
        let _ = writeln!(
            s,
            "  servers to create: {} ({}){}",
            servers.len() + extra,
            servers.join(", "),
            if extra > 0 {
                format!(", {extra} of them replacing a chain's server every {RETIRE_AFTER_MIGRATIONS} migrations")
            } else {
                String::new()
            }
        );
        let prep = usize::from(self.servers_to_create.contains(&Precondition::VerifyResize));
        let _ = writeln!(
            s,
            "  migrations: {} (plus {prep} to prepare a VERIFY_RESIZE server)",
            self.mutating_count()
        );
        let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
        for (_, r) in &self.skipped {
            *reasons.entry(r.as_str()).or_default() += 1;
        }
        for (r, n) in reasons {
            let _ = writeln!(s, "  skip {n:>5}: {r}");
        }
        s
    }

    /// Every case with its planned treatment, in plan order.
    pub fn treatments(&self) -> Vec<(&Case, Treatment<'_>)> {
        let mut v: Vec<(&Case, Treatment<'_>)> = Vec::new();
        v.extend(self.concurrent.iter().map(|c| (c, Treatment::Concurrent)));
        v.extend(self.exclusive.iter().map(|c| (c, Treatment::Alone)));
        for ch in &self.chains {
            for (i, c) in ch.cases.iter().enumerate() {
                v.push((c, Treatment::Chain(ch.precondition, ch.lane, i + 1)));
            }
        }
        v.extend(self.skipped.iter().map(|(c, r)| (c, Treatment::Skip(r))));
        v.extend(self.reduced.iter().map(|c| (c, Treatment::Reduced)));
        v
    }

    /// Every case with its planned treatment, one line each (`--dry-run --verbose`).
    pub fn render_cases(&self) -> String {
        let mut s = String::new();
        for (c, t) in self.treatments() {
            match t {
                // The skip reason goes last, after the name, as people read it.
                Treatment::Skip(r) => {
                    let _ = writeln!(s, "{}  skip  {}  ({r})", c.id(), c.name());
                }
                t => {
                    let _ = writeln!(s, "{}  {t}  {}", c.id(), c.name());
                }
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::{build as matrix, MatrixKind};
    use crate::oracle::Profile;
    use crate::release::{Candidates, ReleaseChoice};

    const EXPECTED_QUEENS_ALONE: usize = 12;
    /// The live cases refused by the conductor below 2.34 (run alone), admin on ACTIVE in the
    /// live-bodies block: the source host forced (2.1, 2.24, 2.25, 2.29, absent; 2.30 and 2.33
    /// with force true) and through the scheduler (2.30, 2.33 with force absent/false: 4) =
    /// 11; the host without capacity the same 11; the disabled host without force at 2.30 and
    /// 2.33 (4). With no host without capacity (the refused-cases test) those 11 Skip.
    const EXPECTED_LIVE_ALONE: usize = 26;
    const EXPECTED_LIVE_ALONE_2026_2: usize = 15;

    fn judges() -> Judges {
        Judges::newest(Profile::Nova, &bounds()).unwrap()
    }

    fn bounds() -> VersionBounds {
        VersionBounds {
            min: Microversion::new(2, 1),
            max: Microversion::new(2, 96),
        }
    }

    fn inv(n: usize) -> HostInventory {
        HostInventory {
            enabled: (1..=n).map(|i| format!("c{i}")).collect(),
            disabled: (n > 1).then(|| "c0".to_string()),
            no_capacity: None,
        }
    }

    fn plan_for(hosts: usize, exhaustive: bool, missing: &BTreeMap<Role, String>) -> RunPlan {
        let oracle = judges();
        let kind = if exhaustive {
            MatrixKind::Exhaustive
        } else {
            MatrixKind::Default
        };
        let inventory = inv(hosts);
        build(PlanInput {
            cases: matrix(kind, &bounds()),
            judges: &oracle,
            bounds: bounds(),
            inventory: &inventory,
            missing_roles: missing,
            create_problem: None,
            have_given_active: false,
            exhaustive,
            lanes: 1,
            retire_after: RETIRE_AFTER_MIGRATIONS,
        })
    }

    #[test]
    fn refused_cases_all_run_and_accepted_ones_are_reduced_to_boundaries() {
        let oracle = judges();
        let all = matrix(MatrixKind::Default, &bounds());
        let p = plan_for(3, false, &BTreeMap::new());
        let refused = all
            .iter()
            .filter(|c| !oracle.any_accepted(c, &bounds()))
            .count();
        let skipped_refused = p
            .skipped
            .iter()
            .filter(|(c, _)| !oracle.any_accepted(c, &bounds()))
            .count();
        // The live conductor's synchronous pre-check refusals (below 2.34) run alone.
        assert!(p.exclusive.iter().all(|c| c.body.is_live()));
        let alone: Vec<String> = p.exclusive.iter().map(|c| c.name()).collect();
        assert_eq!(alone.len(), EXPECTED_LIVE_ALONE_2026_2, "{alone:#?}");
        assert_eq!(
            p.concurrent.len() + p.exclusive.len() + skipped_refused,
            refused,
            "every refused case runs unless the cloud lacks its host"
        );
        assert!(p.skipped.iter().all(|(c, _)| matches!(
            c.body.host(),
            Some(HostVariant::Disabled | HostVariant::NoCapacity)
        )));
        assert_eq!(
            p.concurrent.len()
                + p.exclusive.len()
                + p.mutating_count()
                + p.reduced.len()
                + p.skipped.len(),
            all.len(),
            "every case is planned, reduced or skipped"
        );
        for ch in &p.chains {
            for c in &ch.cases {
                assert!(at_boundary(c, &bounds()), "{}", c.name());
                assert_eq!(c.precondition, ch.precondition);
            }
        }
        // Far fewer migrations than accepted cases, but at least one per boundary version.
        assert!(
            p.mutating_count() < p.reduced.len() / 10,
            "{}",
            p.mutating_count()
        );
        // Live migration's own boundaries too.
        for v in ["2.29", "2.30", "2.33", "2.34", "2.67", "2.68"] {
            assert!(
                p.chains
                    .iter()
                    .flat_map(|c| &c.cases)
                    .any(|c| c.body.is_live() && c.version.to_string() == v),
                "live {v}"
            );
        }
        for v in ["2.55", "2.56", "2.96", "latest"] {
            assert!(
                p.chains
                    .iter()
                    .flat_map(|c| &c.cases)
                    .any(|c| c.version.to_string() == v),
                "{v}"
            );
        }
        let e = plan_for(3, true, &BTreeMap::new());
        assert!(e.reduced.is_empty());
        assert!(e.mutating_count() > p.mutating_count() * 10);
        // Long chains replace their server: counted in the plan and the estimate.
        assert_eq!(p.replacement_servers(), 0);
        let longest = e.chains.iter().map(|c| c.cases.len()).max().unwrap();
        assert!(e.replacement_servers() >= (longest - 1) / 50);
        assert!(e.render(16).contains("replacing a chain's server"));
    }

    #[test]
    fn one_host_skips_migrations_and_missing_roles_skip_with_the_reason() {
        let mut missing = BTreeMap::new();
        missing.insert(
            Role::Member,
            "no member identity: give --member-cloud NAME".into(),
        );
        let p = plan_for(1, false, &missing);
        assert!(p.chains.is_empty());
        assert!(p
            .skipped
            .iter()
            .any(|(_, r)| r
                .contains("two enabled compute hosts to migrate between; the cloud has 1")));
        let member: Vec<_> = p
            .skipped
            .iter()
            .filter(|(c, _)| c.role == Role::Member)
            .collect();
        assert!(!member.is_empty());
        assert!(member.iter().all(|(_, r)| r.contains("--member-cloud")));
        assert!(p.concurrent.iter().all(|c| c.role != Role::Member));
        let text = p.render(16);
        assert!(text.contains("skip "), "{text}");
    }

    /// Queens..Train refuse a rejected host only after setting task_state (synchronous
    /// NoValidHost): those cases run alone, and only on those series.
    #[test]
    fn synchronous_no_valid_host_cases_run_alone_on_queens_to_train_only() {
        let plan_as = |series: &str, max: (u32, u32)| {
            let bounds = VersionBounds {
                min: Microversion::new(2, 1),
                max: Microversion::new(max.0, max.1),
            };
            let choice: ReleaseChoice = series.parse().unwrap();
            let judges = Judges::new(Profile::Nova, Candidates::new(choice, bounds.max)).unwrap();
            let inventory = HostInventory {
                enabled: vec!["c1".into(), "c2".into()],
                disabled: Some("c0".into()),
                no_capacity: Some("cfull".into()),
            };
            let p = build(PlanInput {
                cases: matrix(MatrixKind::Default, &bounds),
                judges: &judges,
                bounds,
                inventory: &inventory,
                missing_roles: &BTreeMap::new(),
                create_problem: None,
                have_given_active: false,
                exhaustive: false,
                lanes: 1,
                retire_after: RETIRE_AFTER_MIGRATIONS,
            });
            let sync_rule = |c: &Case| {
                judges
                    .expectations(c, &bounds, &MessageContext::default())
                    .into_iter()
                    .flatten()
                    .any(|e| e.rule == "common:no-valid-host-sync")
            };
            assert!(
                p.exclusive
                    .iter()
                    .filter(|c| !c.body.is_live())
                    .all(sync_rule),
                "{series}"
            );
            assert!(!p.concurrent.iter().any(sync_rule), "{series}");
            // Live: exactly the conductor's synchronous refusals (below 2.34) run alone.
            for c in p.concurrent.iter().chain(&p.exclusive) {
                if !c.body.is_live() {
                    continue;
                }
                let sync = judges
                    .expectations(c, &bounds, &MessageContext::default())
                    .into_iter()
                    .flatten()
                    .any(|e| e.rule.starts_with("live:live-") && e.exclusive);
                assert_eq!(sync, p.exclusive.contains(c), "{series} {}", c.name());
            }
            p
        };
        let queens = plan_as("2018.1", (2, 60));
        // 2.56..2.60 and latest (6 selectors) x {disabled, no-capacity}: the default matrix
        // crosses those hosts with force=absent as admin on ACTIVE only.
        let cold_alone = |p: &RunPlan| p.exclusive.iter().filter(|c| !c.body.is_live()).count();
        let names: Vec<String> = queens.exclusive.iter().map(|c| c.name()).collect();
        assert_eq!(cold_alone(&queens), EXPECTED_QUEENS_ALONE, "{names:#?}");
        assert!(queens.render(8).contains(&format!(
            "{} refused-by-contract cases that need their server alone",
            EXPECTED_QUEENS_ALONE + EXPECTED_LIVE_ALONE
        )));
        assert_eq!(
            queens
                .render_cases()
                .lines()
                .filter(|l| l.contains("  alone  "))
                .count(),
            EXPECTED_QUEENS_ALONE + EXPECTED_LIVE_ALONE
        );
        for (series, max) in [("2020.1", (2, 87)), ("2026.2", (2, 104))] {
            let p = plan_as(series, max);
            assert_eq!(cold_alone(&p), 0, "{series}");
            let live: Vec<String> = p.exclusive.iter().map(|c| c.name()).collect();
            assert_eq!(live.len(), EXPECTED_LIVE_ALONE, "{series}: {live:#?}");
        }
    }
}
