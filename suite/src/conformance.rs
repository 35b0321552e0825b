//! One conformance run end to end, as the CLI, the bench and the tests use it: discover the
//! target's versions, build and filter the matrix, run it.
use crate::case::Case;
use crate::error::SuiteError;
use crate::filter::Filter;
use crate::matrix::{self, MatrixKind};
use crate::microversion::VersionBounds;
use crate::oracle::Profile;
use crate::release::{Candidates, Judges, ReleaseChoice};
use crate::runner::{self, RunConfig, RunOutcome};
use crate::target::Target;
use crate::variant::Role;
use crate::verdict::CaseResult;

/// What to run.
#[derive(Debug, Clone)]
pub struct Plan {
    pub profile: Profile,
    pub kind: MatrixKind,
    pub filter: Filter,
    pub jobs: usize,
    /// `--nova-release`: which series judge the answers.
    pub release: ReleaseChoice,
}

/// The cases a plan selects on a target with `bounds`.
pub fn select(plan: &Plan, bounds: &VersionBounds) -> Vec<Case> {
    matrix::build(plan.kind, bounds)
        .into_iter()
        .filter(|c| plan.filter.matches(c))
        .collect()
}

/// The judges of `plan` for `target` advertising `bounds`: the candidates of its release
/// choice, narrowed by the read-only signals.
pub async fn judges(
    target: &dyn Target,
    plan: &Plan,
    bounds: &VersionBounds,
) -> Result<Judges, SuiteError> {
    let candidates = Candidates::new(plan.release, bounds.max)
        .narrow(target)
        .await;
    Judges::new(plan.profile, candidates)
}

/// Discovers the target's versions, selects the cases and runs them.
pub async fn run_plan(
    target: &dyn Target,
    plan: &Plan,
    on_start: &(dyn Fn(usize) + Sync),
    on_result: &(dyn Fn(&CaseResult) + Sync),
) -> Result<RunOutcome, SuiteError> {
    let admin = target
        .caller(Role::Admin)
        .ok_or_else(|| SuiteError::Target("no admin identity".into()))?;
    let bounds = runner::discover(&admin).await?;
    let judges = judges(target, plan, &bounds).await?;
    let cases = select(plan, &bounds);
    if cases.is_empty() {
        return Err(SuiteError::Usage("the filter selects no case".into()));
    }
    on_start(cases.len());
    let cfg = RunConfig {
        jobs: plan.jobs,
        run_id: uuid::Uuid::new_v4().simple().to_string()[..8].to_string(),
    };
    runner::run(target, &judges, bounds, cases, &cfg, on_result).await
}
