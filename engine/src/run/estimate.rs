//! The wall-time estimate of a real-cloud run, modelled on how [`crate::execute::execute`]
//! runs a [`RunPlan`], with the durations of a [`Calibration`]:
//!
//! - **phase 1**: the refused-by-contract cases, `--jobs` at a time in plan order (a stream
//!   that starts the next case when one ends). A precondition's server is provisioned when its
//!   first case asks for it, and the cases of that precondition wait for it; the plan orders
//!   cases by precondition, so in practice the servers are built one after another while the
//!   requests of the ready ones run.
//! - **phase 1b**: the cases that need their server alone, one at a time.
//! - **phase 2**: the chains of accepted cases in parallel (the longest decides). Each case
//!   is its migrate request, the wait for VERIFY_RESIZE, the migration record, the confirm or
//!   revert and the wait for its end (a live case: its request, the wait for the move and the
//!   record, no confirm); a chain whose precondition had no refused case first
//!   provisions its server, and a chain replaces its server every
//!   [`RETIRE_AFTER_MIGRATIONS`] migrations.
//! - **cleanup**: the servers deleted in parallel (the VERIFY_RESIZE one reverted first).
//!
//! Every wait is polled (`--poll-interval`): the first poll comes right after the request,
//! so a step of `d` is seen at the first poll after it ends, `max(1, ceil(d / (poll +
//! request)))` polls later. The re-runs of phase 1 (cases disturbed by a case accepted
//! against the contract) are not modelled: a conformant cloud has none.
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use crate::calibration::Calibration;
use crate::case::Case;
use crate::plan::RunPlan;
use crate::pool::RETIRE_AFTER_MIGRATIONS;
use crate::variant::Precondition;

/// The estimate, by phase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Estimate {
    /// Connecting, discovery and calibration (measured by the dry run itself).
    pub setup: Duration,
    pub concurrent: Duration,
    pub alone: Duration,
    pub chains: Duration,
    pub cleanup: Duration,
}

impl Estimate {
    pub fn total(&self) -> Duration {
        self.setup + self.concurrent + self.alone + self.chains + self.cleanup
    }
}

/// The model's inputs besides the plan.
#[derive(Debug, Clone)]
pub struct Model<'a> {
    pub cal: &'a Calibration,
    pub jobs: usize,
    pub poll: Duration,
}

impl Model<'_> {
    fn req(&self) -> Duration {
        self.cal.request.value
    }

    /// Waiting (polling) for a step of `d` that began with the request just sent.
    pub fn wait(&self, d: Duration) -> Duration {
        let round = self.poll + self.req();
        let polls = (d.as_secs_f64() / round.as_secs_f64().max(1e-6))
            .ceil()
            .max(1.0);
        round.mul_f64(polls)
    }

    /// Creating a server and bringing it into `pre` (`PlanServers::provision`): the create,
    /// the build, the action of the precondition and its settling, the host lookup.
    pub fn provision(&self, pre: Precondition) -> Duration {
        let c = self.cal;
        let build = self.req() + self.wait(c.build.value);
        let prepare = match pre {
            Precondition::Shutoff | Precondition::Paused | Precondition::Suspended => {
                self.req() + self.wait(c.power.value)
            }
            Precondition::VerifyResize => self.req() + self.wait(c.migrate.value),
            // lock is synchronous; ACTIVE settles again at once.
            _ => self.req() + self.req(),
        };
        build + prepare + self.req()
    }

    /// One accepted cold case of a chain (`followthrough::follow`).
    pub fn migration_case(&self) -> Duration {
        let c = self.cal;
        // migrate, wait, os-migrations, confirm/revert, wait
        self.req() + self.wait(c.migrate.value) + self.req() * 2 + self.wait(c.finish.value)
    }

    /// One accepted live case of a chain (`live_follow::follow`): os-migrateLive, the wait
    /// for the server to settle, the migration record until it is finished. No confirm. The
    /// cold migration's duration stands for the move: the calibration reads no live
    /// migrations (on `mockcloud serve --lifecycle timed` a live move is shorter, so the
    /// estimate is a little high, docs/cli-reference.md "The time estimate").
    pub fn live_migration_case(&self) -> Duration {
        self.req() + self.wait(self.cal.migrate.value) + self.req() * 2
    }

    /// One accepted case of a chain, cold or live.
    pub fn chained_case(&self, case: &Case) -> Duration {
        if case.body.is_live() {
            self.live_migration_case()
        } else {
            self.migration_case()
        }
    }
}

/// Phase 1: `jobs` slots, cases started in plan order; a precondition's server is ready
/// `provision` after its first case asked for it. Returns the phase's duration and when each
/// precondition's server was ready.
fn concurrent_phase(
    cases: &[Case],
    m: &Model<'_>,
    to_create: &dyn Fn(Precondition) -> bool,
) -> (Duration, BTreeMap<Precondition, Duration>) {
    let jobs = m.jobs.max(1);
    // A case's time in a slot: under `jobs` in flight the cloud answers one request per
    // `request_at_jobs`, so each request takes `jobs` times that.
    let in_slot = m.cal.request_at_jobs.value * jobs as u32;
    let mut slots = vec![Duration::ZERO; jobs];
    let mut ready: BTreeMap<Precondition, Duration> = BTreeMap::new();
    for case in cases {
        let (i, start) = slots
            .iter()
            .copied()
            .enumerate()
            .min_by_key(|(_, t)| *t)
            .expect("at least one slot");
        let pre = case.precondition;
        let begin = if to_create(pre) {
            let r = *ready.entry(pre).or_insert_with(|| start + m.provision(pre));
            r.max(start)
        } else {
            start
        };
        slots[i] = begin + in_slot;
    }
    (slots.into_iter().max().unwrap_or_default(), ready)
}

/// The estimate of `plan`, started after `setup`.
pub fn estimate(plan: &RunPlan, m: &Model<'_>, setup: Duration) -> Estimate {
    let to_create = |p: Precondition| plan.servers_to_create.contains(&p);
    let (concurrent, mut ready) = concurrent_phase(&plan.concurrent, m, &to_create);
    // Phase 1b, one at a time from the end of phase 1.
    let mut t = concurrent;
    for case in &plan.exclusive {
        let pre = case.precondition;
        if to_create(pre) && !ready.contains_key(&pre) {
            t += m.provision(pre);
            ready.insert(pre, t);
        }
        t += m.req();
    }
    let alone = t - concurrent;
    // Phase 2: the chains side by side.
    let chains = plan
        .chains
        .iter()
        .map(|c| {
            let first = if to_create(c.precondition) && !ready.contains_key(&c.precondition) {
                m.provision(c.precondition)
            } else {
                Duration::ZERO
            };
            let replacements = c.cases.len().saturating_sub(1) / RETIRE_AFTER_MIGRATIONS as usize;
            // A retired server is deleted (one wait) before the next one is built.
            let replace = (m.req() + m.wait(Duration::ZERO) + m.provision(c.precondition))
                * replacements as u32;
            first + c.cases.iter().map(|k| m.chained_case(k)).sum::<Duration>() + replace
        })
        .max()
        .unwrap_or_default();
    let created = !plan.servers_to_create.is_empty();
    let cleanup = if created {
        let revert = if to_create(Precondition::VerifyResize) {
            m.req() + m.wait(m.cal.finish.value)
        } else {
            Duration::ZERO
        };
        // show, (revert,) delete and wait for it to go, then the sweep by name prefix
        m.req() + revert + m.req() + m.wait(Duration::ZERO) + m.req()
    } else {
        Duration::ZERO
    };
    Estimate {
        setup,
        concurrent,
        alone,
        chains,
        cleanup,
    }
}

/// The dry-run lines: the total, the phases, and every figure with where it comes from.
pub fn render(e: &Estimate, m: &Model<'_>) -> String {
    let mut s = String::new();
    let calibrated = [
        &m.cal.request,
        &m.cal.request_at_jobs,
        &m.cal.build,
        &m.cal.migrate,
        &m.cal.finish,
        &m.cal.power,
    ]
    .iter()
    .filter(|f| f.calibrated)
    .count();
    let _ = writeln!(
        s,
        "  estimated wall time: {} ({}; setup {}, refused cases {}, alone {}, chains {}, \
         cleanup {})",
        human(e.total()),
        if calibrated == 6 {
            "calibrated from the cloud's records".to_string()
        } else if calibrated == 0 {
            "uncalibrated: every duration assumed".to_string()
        } else {
            format!("{calibrated} of 6 durations calibrated, the others assumed")
        },
        human(e.setup),
        human(e.concurrent),
        human(e.alone),
        human(e.chains),
        human(e.cleanup)
    );
    let _ = writeln!(
        s,
        "  durations (each wait polled every {} ms, --poll-interval):",
        m.poll.as_millis()
    );
    s.push_str(&m.cal.render(m.jobs));
    s
}

/// `1h02m`, `3m07s`, `42s`, `0.8s`.
pub fn human(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else if s >= 10 {
        format!("{s}s")
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibration::{Assumed, Figure, Samples};
    use crate::matrix::{build_for, Actions, MatrixKind};
    use crate::microversion::{Microversion, VersionBounds};
    use crate::oracle::Profile;
    use crate::plan::{build, Chain, PlanInput};
    use crate::release::Judges;
    use crate::target::HostInventory;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    fn fig(v: Duration) -> Figure {
        Figure {
            value: v,
            samples: 5,
            calibrated: true,
            from: "test",
        }
    }

    /// request 10 ms (20 ms a request with 16 in flight... per request 2 ms), build 3 s,
    /// migration 5 s, confirm 1 s, power 2 s.
    fn cal() -> Calibration {
        let mut c = Calibration::from_samples(&Samples::default(), &Assumed::default());
        c.request = fig(ms(10));
        c.request_at_jobs = fig(ms(2));
        c.build = fig(ms(3000));
        c.migrate = fig(ms(5000));
        c.finish = fig(ms(1000));
        c.power = fig(ms(2000));
        c
    }

    fn model(c: &Calibration, jobs: usize) -> Model<'_> {
        Model {
            cal: c,
            jobs,
            poll: ms(990),
        }
    }

    #[test]
    fn a_wait_is_a_whole_number_of_polls_and_at_least_one() {
        let c = cal();
        let m = model(&c, 16);
        // A poll round is 990 ms + a 10 ms request.
        assert_eq!(m.wait(Duration::ZERO), ms(1000));
        assert_eq!(m.wait(ms(999)), ms(1000));
        assert_eq!(m.wait(ms(1001)), ms(2000));
        assert_eq!(m.wait(ms(5000)), ms(5000));
        // create + build (3 s) + lookup, and the precondition's action.
        assert_eq!(m.provision(Precondition::Active), ms(10 + 3000 + 20 + 10));
        assert_eq!(
            m.provision(Precondition::Shutoff),
            ms(10 + 3000 + 10 + 2000 + 10)
        );
        assert_eq!(
            m.provision(Precondition::VerifyResize),
            ms(10 + 3000 + 10 + 5000 + 10)
        );
        assert_eq!(m.migration_case(), ms(10 + 5000 + 20 + 1000));
    }

    fn bounds() -> VersionBounds {
        VersionBounds {
            min: Microversion::new(2, 1),
            max: Microversion::new(2, 96),
        }
    }

    fn plan(exhaustive: bool) -> RunPlan {
        // The cold cases: the live ones add conductor refusals run alone (phase 1b),
        // which these tests' arithmetic leaves out.
        plan_of(exhaustive, Actions::COLD)
    }

    fn plan_of(exhaustive: bool, actions: Actions) -> RunPlan {
        let judges = Judges::newest(Profile::Nova, &bounds()).unwrap();
        let inventory = HostInventory {
            enabled: vec!["c1".into(), "c2".into(), "c3".into()],
            disabled: Some("c0".into()),
            no_capacity: None,
        };
        let kind = if exhaustive {
            MatrixKind::Exhaustive
        } else {
            MatrixKind::Default
        };
        build(PlanInput {
            cases: build_for(kind, &bounds(), actions),
            judges: &judges,
            bounds: bounds(),
            inventory: &inventory,
            missing_roles: &BTreeMap::new(),
            create_problem: None,
            have_given_active: false,
            exhaustive,
            // A real cloud's plan: one server per precondition.
            lanes: 1,
            retire_after: RETIRE_AFTER_MIGRATIONS,
        })
    }

    #[test]
    fn the_phases_compose_as_the_run_does() {
        let c = cal();
        let m = model(&c, 16);
        let p = plan(false);
        let e = estimate(&p, &m, ms(700));
        // Phase 1: every precondition's server is built once, each when its first case comes
        // up; the requests take 2 ms each (16 in flight, 32 ms a slot).
        let pres: Vec<Precondition> = {
            let mut v: Vec<Precondition> = p
                .concurrent
                .iter()
                .map(|c| c.precondition)
                .filter(|x| p.servers_to_create.contains(x))
                .collect();
            v.dedup();
            v.sort();
            v.dedup();
            v
        };
        let provisioning: Duration = pres.iter().map(|x| m.provision(*x)).sum();
        let requests = ms(2) * p.concurrent.len() as u32;
        assert!(
            e.concurrent >= provisioning.max(requests)
                && e.concurrent <= provisioning + requests + ms(32),
            "{e:?} {provisioning:?} {requests:?}"
        );
        assert_eq!(e.alone, Duration::ZERO);
        // Phase 2: the longest chain, each case a migration with its confirm/revert.
        let longest = p.chains.iter().map(|c| c.cases.len()).max().unwrap();
        assert_eq!(e.chains, m.migration_case() * longest as u32);
        assert_eq!(e.setup, ms(700));
        assert_eq!(
            e.total(),
            e.setup + e.concurrent + e.alone + e.chains + e.cleanup
        );
        // More jobs: no faster than the provisioning, which is serial.
        let one = estimate(&p, &model(&c, 1), ms(700));
        assert!(one.concurrent > e.concurrent);
        let text = render(&e, &m);
        assert!(
            text.contains("estimated wall time: ")
                && text.contains("calibrated from the cloud's records"),
            "{text}"
        );
    }

    #[test]
    fn a_chain_without_refused_cases_builds_its_server_and_long_chains_replace_it() {
        let c = cal();
        let m = model(&c, 4);
        let p = plan(true);
        let e = estimate(&p, &m, Duration::ZERO);
        let longest = p.chains.iter().map(|c| c.cases.len()).max().unwrap();
        let replacements = (longest - 1) / RETIRE_AFTER_MIGRATIONS as usize;
        assert!(replacements > 0, "{longest}");
        let pre = p
            .chains
            .iter()
            .max_by_key(|c| c.cases.len())
            .unwrap()
            .precondition;
        let each = ms(10) + m.wait(Duration::ZERO) + m.provision(pre);
        assert_eq!(
            e.chains,
            m.migration_case() * longest as u32 + each * replacements as u32
        );
        // A plan of one chain on a precondition no refused case used: its server first.
        let lone = RunPlan {
            chains: vec![Chain {
                precondition: Precondition::Paused,
                lane: 0,
                cases: p.chains[0].cases[..3].to_vec(),
            }],
            servers_to_create: [Precondition::Paused].into(),
            ..RunPlan::default()
        };
        let e = estimate(&lone, &m, Duration::ZERO);
        assert_eq!(e.concurrent, Duration::ZERO);
        assert_eq!(
            e.chains,
            m.provision(Precondition::Paused) + m.migration_case() * 3
        );
        assert_eq!(e.cleanup, ms(10) + ms(10) + m.wait(Duration::ZERO) + ms(10));
    }

    #[test]
    fn a_live_case_has_no_confirm() {
        let c = cal();
        let m = model(&c, 16);
        // os-migrateLive, the move (5 s), the record and its finish check: no confirm wait.
        assert_eq!(m.live_migration_case(), ms(10 + 5000 + 20));
        assert_eq!(m.migration_case() - m.live_migration_case(), ms(1000));
        // The default matrix with its live cases: each chain is its cases, cold and live.
        let p = plan_of(false, Actions::BOTH);
        let active = p
            .chains
            .iter()
            .find(|c| c.precondition == Precondition::Active)
            .unwrap();
        let live = active.cases.iter().filter(|k| k.body.is_live()).count();
        let cold = active.cases.len() - live;
        assert!(live > 0 && cold > 0, "{live} live, {cold} cold");
        let e = estimate(&p, &m, Duration::ZERO);
        let each: Vec<Duration> = p
            .chains
            .iter()
            .map(|c| c.cases.iter().map(|k| m.chained_case(k)).sum())
            .collect();
        assert_eq!(e.chains, each.into_iter().max().unwrap());
        assert_eq!(
            active
                .cases
                .iter()
                .map(|k| m.chained_case(k))
                .sum::<Duration>(),
            m.migration_case() * cold as u32 + m.live_migration_case() * live as u32
        );
    }

    #[test]
    fn an_uncalibrated_estimate_says_so() {
        let c = Calibration::uncalibrated(&Assumed::default());
        let m = model(&c, 16);
        let text = render(&estimate(&plan(false), &m, Duration::ZERO), &m);
        assert!(
            text.contains("uncalibrated: every duration assumed"),
            "{text}"
        );
        assert_eq!(text.matches("uncalibrated: assumed").count(), 6, "{text}");
        let mut half = cal();
        half.build = Figure::from_samples(&[ms(1)], Duration::from_secs(60), "create actions");
        let m = model(&half, 16);
        let text = render(&estimate(&plan(false), &m, Duration::ZERO), &m);
        assert!(text.contains("5 of 6 durations calibrated"), "{text}");
        assert!(
            text.contains("uncalibrated: assumed (1 of the 3 create actions needed)"),
            "{text}"
        );
    }
}
