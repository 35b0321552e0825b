//! Cold versus live migration with a target host: the consistency the Pike spec was written
//! for ("Consistency with a live migration case should be ensured").
//!
//! A *class* is one (microversion, host, force, server state, role) that the run sent both as
//! a cold `migrate` and as a live `os-migrateLive`. The live case of a class is the one with the
//! version's own `block_migration`/`disk_over_commit` (false/false to 2.24, "auto"/absent from
//! 2.25: what a client sends), so the pair differs only in the action. The two *outcomes* are
//! compared on status, fault name and where an accepted migration ended (on the requested
//! host, on another one, an asynchronous failure, unchanged); fault messages are not compared,
//! since each names its own action. A class diverges when the outcomes differ, and diverging
//! classes are grouped into *divergences*, each named by the two outcomes and the oracle rules
//! that judged them, with the axis values it spans: the answer to "where do this endpoint's
//! cold and live migration treat a target host differently?".
//!
//! Only cases with an answer are compared (a skip or an error has none); a Fail is compared
//! as what the endpoint did.
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

use serde::Serialize;

use crate::case::Case;
use crate::expectation::EndState;
use crate::judging::follow_up::Ended;
use crate::live_matrix::natural_block_disk;
use crate::microversion::{HeaderStyle, Microversion, VersionBounds, VersionSelector};
use crate::runner::RunOutcome;
use crate::variant::BodyShape;
use crate::verdict::CaseResult;

/// The consistency report of one run.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Consistency {
    /// Classes sent both ways and answered both ways.
    pub compared: usize,
    /// Of those, the classes whose outcomes are the same.
    pub same: usize,
    /// Of those, the classes whose outcomes differ.
    pub diverging: usize,
    /// The diverging classes grouped by outcome pair and rules, largest first.
    pub divergences: Vec<Divergence>,
    /// Every compared class, in matrix order.
    pub classes: Vec<Class>,
}

/// One compared class.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Class {
    pub version: String,
    pub host: String,
    pub force: String,
    pub precondition: String,
    pub role: String,
    /// Case ids.
    pub cold: String,
    pub live: String,
    pub cold_outcome: String,
    pub live_outcome: String,
    /// Index into `divergences`; absent when the outcomes are the same.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub divergence: Option<usize>,
    /// Indexes of the two results in the run (for the HTML report).
    #[serde(skip)]
    pub results: (usize, usize),
}

/// One way cold and live migration differ.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Divergence {
    pub cold: String,
    pub live: String,
    /// The rule of the expectation each answer was judged by.
    pub cold_rule: Option<String>,
    pub live_rule: Option<String>,
    /// How many classes diverge this way.
    pub classes: usize,
    /// The axis values they span: versions as ranges (`2.30-2.67, latest`), the others as
    /// lists.
    pub versions: String,
    pub hosts: Vec<String>,
    pub forces: Vec<String>,
    pub preconditions: Vec<String>,
    pub roles: Vec<String>,
    /// The first class's case ids (cold, live).
    pub example: (String, String),
}

/// The class a case belongs to, if it is a modern-header cold case or a live case with its
/// version's own block/disk.
fn class_key(c: &Case, bounds: &VersionBounds) -> Option<(bool, ClassKey)> {
    if c.header != HeaderStyle::Modern {
        return None;
    }
    let acts_as = match c.version {
        VersionSelector::Exact(v) => v,
        VersionSelector::Absent => bounds.min,
        VersionSelector::Latest => bounds.max,
        VersionSelector::Malformed | VersionSelector::OutOfRange => return None,
    };
    let (live, host, force) = match c.body {
        BodyShape::Migrate { host, force } => (false, host, force),
        BodyShape::Live {
            host,
            force,
            block,
            disk,
        } if (block, disk) == natural_block_disk(acts_as) => (true, host, force),
        _ => return None,
    };
    Some((
        live,
        ClassKey {
            version: c.version,
            host: host.as_str(),
            force: force.as_str(),
            precondition: c.precondition.as_str(),
            role: c.role.as_str(),
        },
    ))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct ClassKey {
    version: VersionSelector,
    host: &'static str,
    force: &'static str,
    precondition: &'static str,
    role: &'static str,
}

/// What an answer was, as compared: status, fault, and the end of an accepted migration in
/// terms both actions share.
fn outcome(r: &CaseResult) -> Option<String> {
    let o = r.observed.as_ref()?;
    let mut s = o.status.to_string();
    if let Some(f) = &o.fault {
        s.push(' ');
        s.push_str(f);
    }
    if let Some(end) = &o.end {
        let shared = match end.parse::<Ended>().ok().and_then(|e| e.class()) {
            Some(EndState::VerifyResizeOnRequested | EndState::LiveOnRequested) => {
                "moved to the requested host"
            }
            Some(EndState::VerifyResizeOnOther | EndState::LiveOnOther) => "moved to another host",
            Some(EndState::AsyncFailure) => "failed after the 202, server unchanged",
            Some(EndState::Unchanged) => "nothing happened",
            None => end.as_str(),
        };
        let _ = write!(s, " -> {shared}");
    }
    Some(s)
}

/// The consistency report of `outcome`; `None` when no class was sent both ways (a run with
/// `--no-live`, or a filter that keeps one action).
pub fn of(outcome_: &RunOutcome) -> Option<Consistency> {
    let mut cold: HashMap<ClassKey, usize> = HashMap::new();
    let mut live: Vec<(ClassKey, usize)> = Vec::new();
    for (i, r) in outcome_.results.iter().enumerate() {
        let Some(c) = &r.case else { continue };
        match class_key(c, &outcome_.bounds) {
            Some((false, k)) => {
                cold.entry(k).or_insert(i);
            }
            Some((true, k)) => live.push((k, i)),
            None => {}
        }
    }
    let mut classes = Vec::new();
    let mut seen = BTreeSet::new();
    for (k, li) in live {
        let Some(&ci) = cold.get(&k) else { continue };
        if !seen.insert((ci, li)) {
            continue;
        }
        let (cr, lr) = (&outcome_.results[ci], &outcome_.results[li]);
        let (Some(co), Some(lo)) = (outcome(cr), outcome(lr)) else {
            continue;
        };
        classes.push(Class {
            version: k.version.to_string(),
            host: k.host.into(),
            force: k.force.into(),
            precondition: k.precondition.into(),
            role: k.role.into(),
            cold: cr.id.clone(),
            live: lr.id.clone(),
            cold_outcome: co,
            live_outcome: lo,
            divergence: None,
            results: (ci, li),
        });
    }
    if classes.is_empty() {
        return None;
    }
    // Group the diverging classes.
    type GroupKey = (String, String, Option<String>, Option<String>);
    let rule = |i: usize| {
        outcome_.results[i]
            .expected
            .as_ref()
            .map(|e| e.rule.clone())
    };
    let mut groups: Vec<(GroupKey, Vec<usize>)> = Vec::new();
    for (n, c) in classes.iter().enumerate() {
        if c.cold_outcome == c.live_outcome {
            continue;
        }
        let key = (
            c.cold_outcome.clone(),
            c.live_outcome.clone(),
            rule(c.results.0),
            rule(c.results.1),
        );
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(n),
            None => groups.push((key, vec![n])),
        }
    }
    // Largest first; ties in first-seen (matrix) order.
    groups.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
    let mut divergences = Vec::new();
    for (d, ((cold_o, live_o, cold_rule, live_rule), members)) in groups.into_iter().enumerate() {
        let list = |f: fn(&Class) -> &str| -> Vec<String> {
            let mut v: Vec<String> = Vec::new();
            for &m in &members {
                let s = f(&classes[m]);
                if !v.iter().any(|x| x == s) {
                    v.push(s.to_string());
                }
            }
            v
        };
        let versions = version_ranges(members.iter().map(|&m| classes[m].version.as_str()));
        divergences.push(Divergence {
            cold: cold_o,
            live: live_o,
            cold_rule,
            live_rule,
            classes: members.len(),
            versions,
            hosts: list(|c| &c.host),
            forces: list(|c| &c.force),
            preconditions: list(|c| &c.precondition),
            roles: list(|c| &c.role),
            example: (
                classes[members[0]].cold.clone(),
                classes[members[0]].live.clone(),
            ),
        });
        for &m in &members {
            classes[m].divergence = Some(d);
        }
    }
    let diverging = classes.iter().filter(|c| c.divergence.is_some()).count();
    Some(Consistency {
        compared: classes.len(),
        same: classes.len() - diverging,
        diverging,
        divergences,
        classes,
    })
}

/// Versions as ranges of consecutive microversions, then the selectors: `2.1-2.29, 2.34,
/// latest`.
fn version_ranges<'a>(versions: impl Iterator<Item = &'a str>) -> String {
    let mut exact: BTreeSet<Microversion> = BTreeSet::new();
    let mut selectors: BTreeSet<&str> = BTreeSet::new();
    for v in versions {
        match v.parse::<Microversion>() {
            Ok(m) => {
                exact.insert(m);
            }
            Err(_) => {
                selectors.insert(v);
            }
        }
    }
    let mut parts: Vec<String> = Vec::new();
    let mut run: Option<(Microversion, Microversion)> = None;
    for v in exact {
        run = match run {
            Some((a, b)) if v.major == b.major && v.minor == b.minor + 1 => Some((a, v)),
            Some((a, b)) => {
                parts.push(range_text(a, b));
                Some((v, v))
            }
            None => Some((v, v)),
        };
    }
    if let Some((a, b)) = run {
        parts.push(range_text(a, b));
    }
    parts.extend(selectors.into_iter().map(String::from));
    parts.join(", ")
}

fn range_text(a: Microversion, b: Microversion) -> String {
    if a == b {
        a.to_string()
    } else {
        format!("{a}-{b}")
    }
}

/// How many divergences the terminal lists (the largest; the reports have them all).
pub const TERMINAL_DIVERGENCES: usize = 12;

/// The terminal section: the counts and the largest divergences with what they span.
pub fn render(c: &Consistency) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\ncold vs live migration (migrate / os-migrateLive): {} classes sent both ways, {} the same, {} diverging in {} ways:",
        c.compared,
        c.same,
        c.diverging,
        c.divergences.len()
    );
    for d in c.divergences.iter().take(TERMINAL_DIVERGENCES) {
        let rule = |r: &Option<String>| r.as_deref().map(|r| format!(" [{r}]")).unwrap_or_default();
        let _ = writeln!(
            s,
            "  {:>5}  cold {}{}  |  live {}{}",
            d.classes,
            d.cold,
            rule(&d.cold_rule),
            d.live,
            rule(&d.live_rule)
        );
        let _ = writeln!(
            s,
            "         at {}; host {}; force {}; {}; as {}",
            d.versions,
            d.hosts.join(","),
            d.forces.join(","),
            d.preconditions.join(","),
            d.roles.join(",")
        );
    }
    if c.divergences.len() > TERMINAL_DIVERGENCES {
        let _ = writeln!(
            s,
            "  ({} more ways, smaller: every one in --json and --html)",
            c.divergences.len() - TERMINAL_DIVERGENCES
        );
    }
    s
}

/// Per (host, force) row and version column, how many classes were compared and how many
/// diverge: the HTML report's second matrix.
pub(crate) fn grid(
    c: &Consistency,
) -> BTreeMap<(String, String), BTreeMap<String, (usize, usize)>> {
    let mut g: BTreeMap<(String, String), BTreeMap<String, (usize, usize)>> = BTreeMap::new();
    for cl in &c.classes {
        let cell = g
            .entry((cl.host.clone(), cl.force.clone()))
            .or_default()
            .entry(cl.version.clone())
            .or_default();
        cell.0 += 1;
        if cl.divergence.is_some() {
            cell.1 += 1;
        }
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_read_as_ranges_then_selectors() {
        let v = [
            "2.31", "latest", "2.30", "2.1", "2.67", "2.32", "absent", "2.30",
        ];
        assert_eq!(
            version_ranges(v.into_iter()),
            "2.1, 2.30-2.32, 2.67, absent, latest"
        );
        assert_eq!(version_ranges(["2.5"].into_iter()), "2.5");
        assert_eq!(version_ranges(std::iter::empty()), "");
    }
}
