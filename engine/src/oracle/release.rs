//! Which Nova series a run is judged as (`--nova-release SERIES|auto`), and which series
//! explain the answers afterwards.
//!
//! `auto` takes the candidates from discovery: the series whose max microversion is the one
//! the endpoint advertises (several series share one), narrowed by read-only signals of the
//! release table where the candidates disagree on them. Each case is judged against every
//! candidate's oracle; it passes if its answer matches one. The run passes only if one series
//! explains every answer ([`conclude`]). An explicit series is the only candidate: strict.
use std::fmt::Write as _;
use std::str::FromStr;

use nova_releases::{Microversion as TableMv, ReleaseTable, Series};
use reqwest::Method;
use serde::Serialize;

use crate::case::Case;
use crate::error::SuiteError;
use crate::expectation::Expectation;
use crate::http::VersionHeader;
use crate::microversion::{HeaderStyle, Microversion, VersionBounds};
use crate::oracle::{MessageContext, Oracle, Profile};
use crate::target::Target;
use crate::variant::Role;
use crate::verdict::{CaseResult, VerdictKind};

/// `--nova-release`: a series of the table, or `auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReleaseChoice {
    /// Candidates from discovery.
    #[default]
    Auto,
    /// Judge strictly against this series.
    Series(&'static Series),
}

impl ReleaseChoice {
    /// The newest series of the table, explicitly (tests against fakes of Nova 34).
    pub fn newest() -> Self {
        Self::Series(ReleaseTable::bundled().newest())
    }

    pub fn is_auto(&self) -> bool {
        matches!(self, Self::Auto)
    }
}

impl FromStr for ReleaseChoice {
    type Err = SuiteError;
    fn from_str(s: &str) -> Result<Self, SuiteError> {
        if s.trim().eq_ignore_ascii_case("auto") {
            return Ok(Self::Auto);
        }
        ReleaseTable::bundled()
            .get(s)
            .map(Self::Series)
            .map_err(|e| SuiteError::Usage(format!("--nova-release: {e}")))
    }
}

/// The series a run judges against, oldest first, and how they were chosen.
#[derive(Debug, Clone)]
pub struct Candidates {
    pub auto: bool,
    pub series: Vec<&'static Series>,
    /// How the candidates were found, for people (one line each).
    pub notes: Vec<String>,
    /// Things a person must know (a max unknown to the table, an explicit series whose max
    /// differs from the advertised one).
    pub warnings: Vec<String>,
}

fn table_mv(v: Microversion) -> TableMv {
    TableMv::new(v.major, v.minor)
}

fn labels(series: &[&Series]) -> String {
    series
        .iter()
        .map(|s| s.label())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Candidates {
    /// The candidates for `choice` on an endpoint advertising `max` (pure: no request).
    pub fn new(choice: ReleaseChoice, max: Microversion) -> Self {
        let table = ReleaseTable::bundled();
        let mv = table_mv(max);
        match choice {
            ReleaseChoice::Series(s) => {
                let mut warnings = Vec::new();
                if s.max_microversion != mv {
                    warnings.push(format!(
                        "the endpoint advertises microversion {max}; Nova {} advertises {}: \
                         judged as Nova {} all the same (--nova-release)",
                        s.label(),
                        s.max_microversion,
                        s.label()
                    ));
                }
                Self {
                    auto: false,
                    series: vec![s],
                    notes: vec![format!("--nova-release {}", s.id)],
                    warnings,
                }
            }
            ReleaseChoice::Auto => Self::from_max(table, mv),
        }
    }

    fn from_max(table: &'static ReleaseTable, mv: TableMv) -> Self {
        let exact: Vec<&Series> = table.with_max_microversion(mv).collect();
        if !exact.is_empty() {
            return Self {
                auto: true,
                notes: vec![format!("advertised max microversion {mv}")],
                series: exact,
                warnings: Vec::new(),
            };
        }
        let newest = table.newest();
        if mv > newest.max_microversion {
            return Self {
                auto: true,
                series: vec![newest],
                notes: vec![format!("advertised max microversion {mv}")],
                warnings: vec![format!(
                    "the endpoint advertises microversion {mv}, newer than every Nova in the \
                     release table (the newest, {}, has {}): judged as Nova {}",
                    newest.label(),
                    newest.max_microversion,
                    newest.label()
                )],
            };
        }
        // Between two known maxima (or below the oldest): the series with the closest lower
        // max; below the oldest, the oldest.
        let lower = table
            .iter()
            .filter(|s| s.max_microversion < mv)
            .map(|s| s.max_microversion)
            .max();
        let (series, why): (Vec<&Series>, String) = match lower {
            Some(l) => (
                table.with_max_microversion(l).collect(),
                format!("the closest lower max, {l}"),
            ),
            None => (
                vec![table.iter().next().expect("the table is never empty")],
                "the oldest series".to_string(),
            ),
        };
        Self {
            auto: true,
            notes: vec![format!("advertised max microversion {mv}")],
            warnings: vec![format!(
                "no Nova in the release table advertises microversion {mv}: judged as {} \
                 ({why})",
                labels(&series)
            )],
            series,
        }
    }

    /// Narrows the candidates with the table's read-only signals, where they disagree on a
    /// signal and the target has the identity it needs. A signal whose answer is neither
    /// allowed (2xx) nor refused (403) is ignored, with a note.
    pub async fn narrow(mut self, target: &dyn Target) -> Self {
        if !self.auto || self.series.len() < 2 {
            return self;
        }
        let table = ReleaseTable::bundled();
        for signal in table.signals() {
            let Ok((a, b)) = signal.allowed_range(table) else {
                continue;
            };
            let allowed = |s: &Series| (a..=b).contains(&s.index());
            let n = self.series.iter().filter(|s| allowed(s)).count();
            if n == 0 || n == self.series.len() {
                continue;
            }
            let answer = match signal.id.as_str() {
                "manager-lists-own-migrations" => manager_lists_own_migrations(target).await,
                _ => Err(SignalError::Unknown(signal.id.clone())),
            };
            match answer {
                Ok(ok) => {
                    self.series.retain(|s| allowed(s) == ok);
                    self.notes.push(format!(
                        "{}: {} -> {}",
                        signal.request,
                        if ok { "allowed" } else { "403" },
                        labels(&self.series)
                    ));
                }
                Err(why) => self
                    .notes
                    .push(format!("{}: not used ({why})", signal.request)),
            }
        }
        self
    }

    /// One line for people: `auto: Nova 2025.1 (epoxy) or 2025.2 (flamingo) (advertised ...)`.
    pub fn describe(&self) -> String {
        if self.auto {
            format!(
                "Nova release: auto, candidates {} ({})",
                labels(&self.series),
                self.notes.join("; ")
            )
        } else {
            format!("Nova release: {} (--nova-release)", labels(&self.series))
        }
    }
}

/// Why a release signal could not be read (the candidates are then left as they are, and the
/// note says why).
#[derive(Debug, thiserror::Error)]
enum SignalError {
    #[error("no manager identity")]
    NoManager,
    #[error("the manager's project id is unknown")]
    NoManagerProject,
    #[error(transparent)]
    Transport(crate::http::TransportError),
    #[error("answered {0}")]
    Answered(u16),
    #[error("signal {0} is not known to this build")]
    Unknown(String),
}

/// `GET /os-migrations?project_id=<own project>` at 2.80 as the manager: allowed from the
/// series whose `os-migrations:index` admits a project manager. `Ok(true)` allowed,
/// `Ok(false)` refused.
async fn manager_lists_own_migrations(target: &dyn Target) -> Result<bool, SignalError> {
    let caller = target.caller(Role::Manager).ok_or(SignalError::NoManager)?;
    let project = caller
        .auth
        .project_id()
        .ok_or(SignalError::NoManagerProject)?;
    let vh = VersionHeader {
        style: HeaderStyle::Modern,
        value: "2.80".into(),
    };
    let x = crate::http::send_as(
        &caller,
        crate::http::Repeat::Idempotent,
        Method::GET,
        &format!("{}/os-migrations?project_id={project}", caller.compute_url),
        Some(&vh),
        None,
    )
    .await
    .map_err(|(e, _)| SignalError::Transport(e))?;
    let status = x.response.map(|r| r.status).unwrap_or(0);
    match status {
        200..=299 => Ok(true),
        403 => Ok(false),
        other => Err(SignalError::Answered(other)),
    }
}

/// The candidates' oracles, oldest first.
#[derive(Debug)]
pub struct Judges {
    oracles: Vec<Oracle>,
    pub candidates: Candidates,
}

impl Judges {
    pub fn new(profile: Profile, candidates: Candidates) -> Result<Self, SuiteError> {
        let oracles = candidates
            .series
            .iter()
            .map(|s| Oracle::for_series(profile, s))
            .collect::<Result<Vec<_>, _>>()?;
        if oracles.is_empty() {
            return Err(SuiteError::Engine("no candidate Nova release".into()));
        }
        Ok(Self {
            oracles,
            candidates,
        })
    }

    /// Judges of the newest series only (tests, and targets that are Nova 34 by design).
    pub fn newest(profile: Profile, bounds: &VersionBounds) -> Result<Self, SuiteError> {
        Self::new(
            profile,
            Candidates::new(ReleaseChoice::newest(), bounds.max),
        )
    }

    pub fn profile(&self) -> Profile {
        self.oracles[0].profile()
    }

    pub fn len(&self) -> usize {
        self.oracles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.oracles.is_empty()
    }

    pub fn oracles(&self) -> &[Oracle] {
        &self.oracles
    }

    /// Each candidate's expectation for `case`, in candidate order.
    pub fn expectations(
        &self,
        case: &Case,
        bounds: &VersionBounds,
        ctx: &MessageContext,
    ) -> Vec<Option<Expectation>> {
        self.oracles
            .iter()
            .map(|o| o.expect(case, bounds, ctx))
            .collect()
    }

    /// Whether any candidate expects `case` to be accepted (a migration may start).
    pub fn any_accepted(&self, case: &Case, bounds: &VersionBounds) -> bool {
        self.oracles.iter().any(|o| {
            o.expect(case, bounds, &MessageContext::default())
                .is_some_and(|e| (200..300).contains(&e.status))
        })
    }
}

/// Which series explain a run's answers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReleaseVerdict {
    /// `auto` or `explicit`.
    pub mode: String,
    /// The candidate series ids, oldest first.
    pub candidates: Vec<String>,
    /// How they were found.
    pub notes: Vec<String>,
    pub warnings: Vec<String>,
    /// The candidates that explain every judged answer (Pass or Fail) of the run.
    pub explained_by: Vec<String>,
    /// When none does: the candidate that explains the most answers...
    pub closest: Option<String>,
    /// ...and the ids of the passing cases it does not explain (another candidate does).
    pub unexplained: Vec<String>,
}

impl ReleaseVerdict {
    /// Whether one series explains every passing answer (the failures are failures anyway).
    pub fn consistent(&self) -> bool {
        self.unexplained.is_empty()
    }

    fn label(id: &str) -> String {
        ReleaseTable::bundled()
            .get(id)
            .map(|s| s.label())
            .unwrap_or_else(|_| id.to_string())
    }

    /// `behaves like Nova 2025.1 (epoxy)`, or what keeps one series from explaining the run.
    pub fn describe(&self) -> String {
        let list = |ids: &[String]| {
            ids.iter()
                .map(|i| Self::label(i))
                .collect::<Vec<_>>()
                .join(" or ")
        };
        if !self.explained_by.is_empty() {
            format!("behaves like Nova {}", list(&self.explained_by))
        } else if let Some(c) = &self.closest {
            if self.unexplained.is_empty() {
                format!(
                    "judged as Nova {}: the failures are answers no candidate explains",
                    Self::label(c)
                )
            } else {
                format!(
                    "no single Nova release explains every answer: the closest, {}, does not \
                     explain {} passing cases",
                    Self::label(c),
                    self.unexplained.len()
                )
            }
        } else {
            "no case was judged".into()
        }
    }
}

/// The release verdict of `results` judged by `judges`.
pub(crate) fn conclude(judges: &Judges, results: &[CaseResult]) -> ReleaseVerdict {
    let ids: Vec<String> = judges
        .candidates
        .series
        .iter()
        .map(|s| s.id.clone())
        .collect();
    let mut explained = vec![0usize; ids.len()];
    let mut judged = 0usize;
    let explaining = |r: &CaseResult| -> Vec<bool> {
        match &r.explained_by {
            Some(by) => ids.iter().map(|i| by.contains(i)).collect(),
            None => vec![r.verdict.kind() == VerdictKind::Pass; ids.len()],
        }
    };
    for r in results {
        if !matches!(r.verdict.kind(), VerdictKind::Pass | VerdictKind::Fail) {
            continue;
        }
        judged += 1;
        for (n, e) in explained.iter_mut().zip(explaining(r)) {
            *n += usize::from(e);
        }
    }
    let mut v = ReleaseVerdict {
        mode: if judges.candidates.auto {
            "auto"
        } else {
            "explicit"
        }
        .into(),
        candidates: ids.clone(),
        notes: judges.candidates.notes.clone(),
        warnings: judges.candidates.warnings.clone(),
        ..ReleaseVerdict::default()
    };
    if judged == 0 {
        return v;
    }
    v.explained_by = ids
        .iter()
        .zip(&explained)
        .filter(|(_, n)| **n == judged)
        .map(|(i, _)| i.clone())
        .collect();
    if v.explained_by.is_empty() {
        // The newest of those explaining the most.
        let best = (0..ids.len())
            .max_by_key(|&i| (explained[i], i))
            .expect("at least one candidate");
        v.closest = Some(ids[best].clone());
        v.unexplained = results
            .iter()
            .filter(|r| r.verdict.kind() == VerdictKind::Pass && !explaining(r)[best])
            .map(|r| r.id.clone())
            .collect();
    }
    v
}

/// The summary's release lines: the verdict and the warnings.
pub(crate) fn render_line(v: &ReleaseVerdict) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "  Nova release: {} ({})",
        v.describe(),
        v.notes.join("; ")
    );
    for w in &v.warnings {
        let _ = writeln!(s, "  WARNING: {w}");
    }
    s
}

/// The summary's list of every case the closest candidate does not explain (with the
/// candidates that do); empty when one series explains the run.
pub(crate) fn render_unexplained(v: &ReleaseVerdict, results: &[CaseResult]) -> String {
    let mut s = String::new();
    if !v.unexplained.is_empty() {
        let _ = writeln!(
            s,
            "\ncases {} does not explain ({}), each explained by another candidate:",
            v.closest
                .as_deref()
                .map(ReleaseVerdict::label)
                .unwrap_or_default(),
            v.unexplained.len()
        );
        for id in &v.unexplained {
            if let Some(r) = results.iter().find(|r| &r.id == id) {
                let by = r
                    .explained_by
                    .as_deref()
                    .unwrap_or_default()
                    .iter()
                    .map(|i| ReleaseVerdict::label(i))
                    .collect::<Vec<_>>()
                    .join(", ");
                let _ = writeln!(s, "  {} {}  (explained by {by})", r.id, r.name);
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mv(s: &str) -> Microversion {
        s.parse().unwrap()
    }

    fn ids(c: &Candidates) -> Vec<&str> {
        c.series.iter().map(|s| s.id.as_str()).collect()
    }

    #[test]
    fn candidates_from_the_advertised_max() {
        let c = Candidates::new(ReleaseChoice::Auto, mv("2.100"));
        assert_eq!(ids(&c), ["2025.1", "2025.2"]);
        assert!(c.warnings.is_empty());
        let c = Candidates::new(ReleaseChoice::Auto, mv("2.104"));
        assert_eq!(ids(&c), ["2026.2"]);
        let c = Candidates::new(ReleaseChoice::Auto, mv("2.60"));
        assert_eq!(ids(&c), ["2018.1"]);
        // Newer than the table: the newest, with a warning.
        let c = Candidates::new(ReleaseChoice::Auto, mv("2.110"));
        assert_eq!(ids(&c), ["2026.2"]);
        assert_eq!(c.warnings.len(), 1);
        assert!(
            c.warnings[0].contains("newer than every Nova"),
            "{:?}",
            c.warnings
        );
        // Between two known maxima: the closest lower, with a warning.
        let c = Candidates::new(ReleaseChoice::Auto, mv("2.98"));
        assert_eq!(ids(&c), ["2024.1", "2024.2"]);
        assert!(
            c.warnings[0].starts_with("no Nova in the release table advertises microversion 2.98"),
            "{:?}",
            c.warnings
        );
        // Explicit: that series only; a different max is a warning.
        let s = ReleaseTable::bundled().get("2025.1").unwrap();
        let c = Candidates::new(ReleaseChoice::Series(s), mv("2.104"));
        assert_eq!(ids(&c), ["2025.1"]);
        assert!(!c.auto);
        assert!(
            c.warnings[0].contains("advertises 2.100"),
            "{:?}",
            c.warnings
        );
        assert!(Candidates::new(ReleaseChoice::Series(s), mv("2.100"))
            .warnings
            .is_empty());
    }

    #[test]
    fn choice_parses_auto_and_series_and_rejects_unknown_names() {
        assert_eq!(
            "auto".parse::<ReleaseChoice>().unwrap(),
            ReleaseChoice::Auto
        );
        match "epoxy".parse::<ReleaseChoice>().unwrap() {
            ReleaseChoice::Series(s) => assert_eq!(s.id, "2025.1"),
            other => panic!("{other:?}"),
        }
        let err = "kilo".parse::<ReleaseChoice>().unwrap_err();
        assert!(matches!(err, SuiteError::Usage(_)));
        assert!(
            err.to_string().contains("unknown Nova release \"kilo\""),
            "{err}"
        );
    }

    fn result(id: &str, pass: bool, by: Option<&[&str]>) -> CaseResult {
        use crate::verdict::{Mismatch, Verdict};
        CaseResult {
            id: id.into(),
            name: id.into(),
            params: crate::case::CaseParams {
                version: "2.1".into(),
                header: "modern".into(),
                body: "migrate-object".into(),
                host: None,
                force: None,
                precondition: "active".into(),
                role: "admin".into(),
                action: None,
                block_migration: None,
                disk_over_commit: None,
            },
            verdict: if pass {
                Verdict::Pass
            } else {
                Verdict::Fail {
                    mismatches: vec![Mismatch {
                        what: "status".into(),
                        expected: "202".into(),
                        got: "403".into(),
                    }],
                }
            },
            expected: None,
            observed: None,
            exchange: None,
            follow_up: Vec::new(),
            known_discrepancy: None,
            explained_by: by.map(|b| b.iter().map(|s| s.to_string()).collect()),
            duration_ms: 0,
            started: None,
            case: None,
        }
    }

    fn judges(max: &str) -> Judges {
        Judges::new(Profile::Nova, Candidates::new(ReleaseChoice::Auto, mv(max))).unwrap()
    }

    #[test]
    fn one_series_must_explain_every_answer() {
        let j = judges("2.100");
        let both: &[&str] = &["2025.1", "2025.2"];
        let old: &[&str] = &["2025.1"];
        let new: &[&str] = &["2025.2"];
        // Every answer explained by 2025.1.
        let v = conclude(
            &j,
            &[result("a", true, Some(both)), result("b", true, Some(old))],
        );
        assert_eq!(v.explained_by, ["2025.1"]);
        assert!(v.consistent());
        assert_eq!(v.describe(), "behaves like Nova 2025.1 (epoxy)");
        // Both explain everything.
        let v = conclude(&j, &[result("a", true, Some(both))]);
        assert_eq!(
            v.describe(),
            "behaves like Nova 2025.1 (epoxy) or 2025.2 (flamingo)"
        );
        // A mix: no single series; the closest is the one explaining the most.
        let rs = [
            result("a", true, Some(old)),
            result("b", true, Some(new)),
            result("c", true, Some(new)),
            result("d", false, Some(&[])),
        ];
        let v = conclude(&j, &rs);
        assert!(v.explained_by.is_empty());
        assert_eq!(v.closest.as_deref(), Some("2025.2"));
        assert_eq!(v.unexplained, ["a"]);
        assert!(!v.consistent());
        let text = render_line(&v) + &render_unexplained(&v, &rs);
        assert!(
            text.contains("no single Nova release explains every answer: the closest, 2025.2 (flamingo), does not explain 1 passing cases"),
            "{text}"
        );
        assert!(
            text.contains("  a a  (explained by 2025.1 (epoxy))"),
            "{text}"
        );
        // One candidate: a Fail is a failure, not a release inconsistency.
        let j = judges("2.104");
        let v = conclude(&j, &[result("a", true, None), result("b", false, None)]);
        assert!(v.explained_by.is_empty() && v.consistent());
        assert_eq!(v.closest.as_deref(), Some("2026.2"));
        assert_eq!(
            v.describe(),
            "judged as Nova 2026.2: the failures are answers no candidate explains"
        );
    }
}
