//! What a conformance run is asked to do ([`Plan`]): the profile, matrix, filter, jobs and
//! release choice; the cases it selects and the judges of a target. [`crate::session`] runs it.
use crate::case::Case;
use crate::error::SuiteError;
use crate::filter::Filter;
use crate::matrix::{self, MatrixKind};
use crate::microversion::VersionBounds;
use crate::oracle::Profile;
use crate::release::{Candidates, Judges, ReleaseChoice};
use crate::target::Target;

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
pub(crate) async fn judges(
    target: &dyn Target,
    plan: &Plan,
    bounds: &VersionBounds,
) -> Result<Judges, SuiteError> {
    let candidates = Candidates::new(plan.release, bounds.max)
        .narrow(target)
        .await;
    Judges::new(plan.profile, candidates)
}
