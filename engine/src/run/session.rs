//! One conformance run, whatever the target: connect → discover → select → plan → execute.
//!
//! `nova-conform run` (against a cloud or the embedded mock), `fidelity`, `bench` and the tests
//! all go through a [`Session`]: the same planner ([`crate::plan`]), the same execution
//! ([`crate::execute::execute`]: phases, chains, Ctrl-C, cleanup) and the same servers
//! ([`crate::pool`]). What differs between targets is data: a real cloud gets one
//! lane (one server per precondition) and, unless `--exhaustive`, its accepted cases reduced to
//! the boundary microversions; a local target (the embedded mock, a test's fake) keeps every
//! case and runs `--jobs` lanes, since servers cost it nothing.
use std::sync::Arc;

use crate::cleanup::Progress;
use crate::cloud_target::{CloudSelection, CloudTarget, ServerSpec};
use crate::conformance::{select, Plan};
use crate::discovery;
use crate::embedded::{EmbeddedMock, Topology};
use crate::error::SuiteError;
use crate::execute::{self, Control};
use crate::judging::discrepancy;
use crate::matrix::MatrixKind;
use crate::microversion::VersionBounds;
use crate::oracle::Profile;
use crate::plan::{self, PlanInput, RunPlan};
use crate::pool::{LOCAL_RETIRE_AFTER_MIGRATIONS, RETIRE_AFTER_MIGRATIONS};
use crate::release::{Judges, ReleaseChoice};
use crate::runner::RunOutcome;
use crate::target::{Target, Timing};
use crate::variant::Role;
use crate::verdict::CaseResult;

/// What a run reports as it goes: the one stream the progress bar, the progress lines and
/// the collected results are fed from.
#[derive(Debug)]
pub enum Event<'a> {
    /// The plan is made: this many cases will be sent.
    Planned { runnable: usize },
    /// A line for people (phases, servers created, chain progress, cleanup).
    Line(String),
    /// A case finished (a re-run case reports again; the last report counts).
    Finished(&'a CaseResult),
}

/// A consumer of [`Event`]s.
pub type Events = Arc<dyn Fn(Event<'_>) + Send + Sync>;

/// An [`Events`] that drops everything.
pub fn no_events() -> Events {
    Arc::new(|_| {})
}

/// How the target is reached, which decides the plan's shape.
enum Reach {
    /// A vendor's cloud: one lane, boundary reduction unless `--exhaustive`.
    Cloud(Arc<CloudTarget>),
    /// The embedded mock.
    Embedded(Arc<EmbeddedMock>),
    /// A target built by the caller (tests' fakes on loopback).
    Local,
}

/// A connected, discovered target.
pub struct Session {
    target: Arc<dyn Target>,
    reach: Reach,
    bounds: VersionBounds,
    /// Plan a local target as a cloud (`fidelity`'s mirror sends what the endpoint is sent).
    as_cloud: bool,
}

impl Session {
    /// Connects to a real cloud (clouds.yaml / `OS_*` as `sel` says) and discovers it. Here
    /// the cloud is a mock on loopback, given by its clouds.yaml text:
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Duration;
    /// use nova_conform::{CloudSelection, CloudsYamlText, ServerSpec};
    /// use nova_conform::Session;
    /// use nova_conform::Timing;
    ///
    /// let rt = tokio::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mock = mockcloud::MockCloud::builder().start().await.unwrap();
    ///     let sel = CloudSelection {
    ///         cloud: Some("mockcloud-admin".into()),
    ///         clouds_yaml_text: Some(CloudsYamlText(Arc::from(mock.clouds_yaml()))),
    ///         ..CloudSelection::default()
    ///     };
    ///     let timing = Timing { poll_interval: Duration::from_millis(5), timeout: Duration::from_secs(5) };
    ///     let session = Session::connect(&sel, &ServerSpec::default(), timing).await.unwrap();
    ///     assert!(session.is_cloud());
    ///     assert_eq!(session.bounds().min.to_string(), "2.1");
    ///     // No --manager-cloud given: that role's cases will Skip, with the reason.
    ///     let missing = session.target().missing_roles();
    ///     assert!(missing[&nova_conform::Role::Manager].contains("--manager-cloud"));
    ///     mock.shutdown().await;
    /// });
    /// ```
    pub async fn connect(
        sel: &CloudSelection,
        spec: &ServerSpec,
        timing: Timing,
    ) -> Result<Self, SuiteError> {
        Ok(Self::cloud(CloudTarget::connect(sel, spec, timing).await?))
    }

    /// A session over a cloud already connected to.
    pub fn cloud(target: CloudTarget) -> Self {
        let bounds = target.discovery.bounds;
        let target = Arc::new(target);
        Self {
            target: target.clone(),
            reach: Reach::Cloud(target),
            bounds,
            as_cloud: false,
        }
    }

    /// Starts the embedded mock of `profile` (the series `release` names, else the newest)
    /// with the standard topology, and connects to it as to a cloud.
    pub async fn embedded(profile: Profile, release: ReleaseChoice) -> Result<Self, SuiteError> {
        let series = match release {
            ReleaseChoice::Series(s) => s,
            ReleaseChoice::Auto => nova_releases::ReleaseTable::bundled().newest(),
        };
        Self::embedded_with(profile, series, &Topology::default()).await
    }

    /// Starts the embedded mock as Nova `series` with `topology` (`fidelity`'s mirror).
    pub async fn embedded_with(
        profile: Profile,
        series: &nova_releases::Series,
        topology: &Topology,
    ) -> Result<Self, SuiteError> {
        let mock = Arc::new(EmbeddedMock::start_with(profile, series, topology).await?);
        let bounds = mock.cloud_target().discovery.bounds;
        Ok(Self {
            target: mock.clone(),
            reach: Reach::Embedded(mock),
            bounds,
            as_cloud: false,
        })
    }

    /// A session over a target the caller built (a local fake): its versions are discovered
    /// with `GET /v2.1`; it is planned like the embedded mock.
    pub async fn over(target: Arc<dyn Target>) -> Result<Self, SuiteError> {
        let admin = target
            .caller(Role::Admin)
            .ok_or_else(|| SuiteError::Target("the target has no admin identity".into()))?;
        let bounds = discovery::bounds(&admin)
            .await
            .map_err(|e| SuiteError::Target(format!("version discovery: {e}")))?;
        Ok(Self {
            target,
            reach: Reach::Local,
            bounds,
            as_cloud: false,
        })
    }

    /// The target.
    pub fn target(&self) -> &Arc<dyn Target> {
        &self.target
    }

    /// The target's microversion range.
    pub fn bounds(&self) -> VersionBounds {
        self.bounds
    }

    /// The target as a discovered cloud (a real cloud or the embedded mock).
    pub fn cloud_target(&self) -> Option<&CloudTarget> {
        match &self.reach {
            Reach::Cloud(c) => Some(c),
            Reach::Embedded(m) => Some(m.cloud_target()),
            Reach::Local => None,
        }
    }

    /// The embedded mock, when that is the target.
    pub fn embedded_mock(&self) -> Option<&EmbeddedMock> {
        match &self.reach {
            Reach::Embedded(m) => Some(m),
            _ => None,
        }
    }

    /// Whether the target is a real cloud (told about on stderr, signals handled).
    pub fn is_cloud(&self) -> bool {
        matches!(self.reach, Reach::Cloud(_))
    }

    /// Plans this session as a real cloud's (one lane; accepted cases reduced unless
    /// `--exhaustive`), so that it is sent exactly what a cloud would be.
    pub fn planned_as_cloud(mut self) -> Self {
        self.as_cloud = true;
        self
    }

    /// The judges of `p` for this target: the candidates of its release choice, narrowed by
    /// the read-only signals.
    pub async fn judges(&self, p: &Plan) -> Result<Judges, SuiteError> {
        crate::conformance::judges(&*self.target, p, &self.bounds).await
    }

    /// The plan of `p`: the selected cases, each concurrent, alone, chained or skipped.
    pub fn plan(&self, p: &Plan, judges: &Judges) -> Result<RunPlan, SuiteError> {
        let cases = select(p, &self.bounds);
        if cases.is_empty() {
            return Err(SuiteError::Usage("the filter selects no case".into()));
        }
        let t = &*self.target;
        let (exhaustive, lanes, retire_after) = if self.is_cloud() || self.as_cloud {
            (p.kind == MatrixKind::Exhaustive, 1, RETIRE_AFTER_MIGRATIONS)
        } else {
            (true, p.jobs.max(1), LOCAL_RETIRE_AFTER_MIGRATIONS)
        };
        Ok(plan::build(PlanInput {
            cases,
            judges,
            bounds: self.bounds,
            inventory: t.inventory(),
            missing_roles: &t.missing_roles(),
            create_problem: t.create_problem(),
            have_given_active: t.given().first().is_some_and(|g| g.status == "ACTIVE"),
            exhaustive,
            lanes,
            retire_after,
        }))
    }

    /// Executes `plan`, then removes every server it created (also after a panic or when
    /// `control` stops or aborts it). On the embedded mock, failures that are known
    /// discrepancies of the mock are annotated (`known_discrepancy`).
    pub async fn execute(
        &self,
        judges: Arc<Judges>,
        plan: RunPlan,
        jobs: usize,
        run_id: String,
        control: Control,
        events: Events,
    ) -> Result<RunOutcome, SuiteError> {
        let lines: Progress = {
            let events = events.clone();
            Arc::new(move |l: String| events(Event::Line(l)))
        };
        let finished: execute::OnResult = {
            let events = events.clone();
            Arc::new(move |r: &CaseResult| events(Event::Finished(r)))
        };
        events(Event::Planned {
            runnable: plan.runnable(),
        });
        let mut outcome = execute::execute(
            self.target.clone(),
            judges,
            plan,
            jobs,
            run_id,
            control,
            lines,
            finished,
        )
        .await?;
        self.annotate(&mut outcome, &discrepancy::bundled());
        Ok(outcome)
    }

    /// Notes the known discrepancies between the oracle and the bundled mock
    /// (`fixtures/known-discrepancies.toml`) on a run against the embedded mock, and only
    /// there: on a cloud or a test's fake a failure is the target's, not a tracked fault of
    /// the mock.
    fn annotate(&self, outcome: &mut RunOutcome, entries: &[discrepancy::Known]) {
        if let Reach::Embedded(_) = self.reach {
            discrepancy::mark(outcome, entries);
        }
    }

    /// Judges, plans and executes `p` with a fresh run id and no signal handling (the
    /// embedded run, the bench, the tests).
    pub async fn run(&self, p: &Plan, events: Events) -> Result<RunOutcome, SuiteError> {
        let judges = Arc::new(self.judges(p).await?);
        let plan = self.plan(p, &judges)?;
        self.execute(
            judges,
            plan,
            p.jobs,
            new_run_id(),
            Control::default(),
            events,
        )
        .await
    }

    /// Stops what the session started (the embedded mock); servers are already removed.
    pub async fn shutdown(&self) {
        self.target.shutdown().await;
    }
}

/// A random run id (`nova-conform-<run-id>-N` server names).
pub fn new_run_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Case;
    use crate::cloud_target::CloudsYamlText;
    use crate::filter::Filter;
    use crate::microversion::{HeaderStyle, Microversion, VersionSelector};
    use crate::variant::{BodyShape, ForceVariant, HostVariant, Precondition};
    use crate::verdict::{Mismatch, Verdict};
    use std::time::Duration;

    /// An outcome of one failed and one passed case (host=disabled at 2.56).
    fn outcome(profile: Profile) -> RunOutcome {
        let case = Case {
            version: VersionSelector::Exact(Microversion::new(2, 56)),
            header: HeaderStyle::Modern,
            body: BodyShape::Migrate {
                host: HostVariant::Disabled,
                force: ForceVariant::Absent,
            },
            precondition: Precondition::Active,
            role: Role::Admin,
        };
        let result = |verdict| crate::runner::result(&case, verdict, std::time::Instant::now());
        RunOutcome {
            profile,
            target: "t".into(),
            bounds: VersionBounds {
                min: Microversion::new(2, 1),
                max: Microversion::new(2, 100),
            },
            results: vec![
                result(Verdict::Fail {
                    mismatches: vec![Mismatch {
                        what: "status".into(),
                        expected: "400".into(),
                        got: "202".into(),
                    }],
                }),
                result(Verdict::Pass),
            ],
            wall_ms: 0,
            servers_created: 0,
            cleanup_failures: Vec::new(),
            release: Default::default(),
        }
    }

    fn notes(o: &RunOutcome) -> Vec<Option<&str>> {
        o.results
            .iter()
            .map(|r| r.known_discrepancy.as_deref())
            .collect()
    }

    #[tokio::test]
    async fn known_discrepancies_annotate_the_embedded_mock_only() {
        let entries = vec![(
            Some(Profile::Nova),
            Filter::parse(Some("host=disabled"), None).unwrap(),
            "the mock accepts a disabled host".to_string(),
        )];
        let embedded = Session::embedded(Profile::Nova, ReleaseChoice::Auto)
            .await
            .unwrap();
        let mut o = outcome(Profile::Nova);
        embedded.annotate(&mut o, &entries);
        // The failure is annotated, the pass is not.
        assert_eq!(notes(&o), [Some("the mock accepts a disabled host"), None]);
        // An entry of the other profile does not apply.
        let mut o = outcome(Profile::PikeSpec);
        embedded.annotate(&mut o, &entries);
        assert_eq!(notes(&o), [None, None]);
        embedded.shutdown().await;

        // The same mock reached as a cloud: its failures are its own.
        let mock = mockcloud::MockCloud::builder().start().await.unwrap();
        let sel = CloudSelection {
            cloud: Some("mockcloud-admin".into()),
            clouds_yaml_text: Some(CloudsYamlText(Arc::from(mock.clouds_yaml()))),
            ..CloudSelection::default()
        };
        let timing = Timing {
            poll_interval: Duration::from_millis(5),
            timeout: Duration::from_secs(5),
        };
        let cloud = Session::connect(&sel, &ServerSpec::default(), timing)
            .await
            .unwrap();
        let mut o = outcome(Profile::Nova);
        cloud.annotate(&mut o, &entries);
        assert_eq!(notes(&o), [None, None]);
        mock.shutdown().await;
    }
}
