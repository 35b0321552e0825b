//! Behaviour maps: per variant, the microversions collapsed into runs of identical answers,
//! plus one representative exchange per distinct answer. What the snapshots hold.
use std::collections::BTreeMap;
use std::fmt::Write;

use crate::microversion::VersionSelector;
use crate::runner::RunOutcome;
use crate::verdict::{CaseResult, Verdict, VerdictKind};

/// The answer of a case in one line: status, fault, message, end state, and the verdict when
/// it is not a pass.
pub fn answer(r: &CaseResult) -> String {
    let base = match (&r.verdict, &r.observed) {
        (Verdict::Skip { reason }, _) => return format!("skipped: {reason}"),
        (_, Some(o)) => o.summary(),
        (Verdict::Error { reason }, None) => {
            return format!("ERROR {}", crate::redact::text(reason))
        }
        (_, None) => "no answer".to_string(),
    };
    // A live-migration answer is its own class (and its own exchange in the maps): the same
    // 400 to `migrate` and to `os-migrateLive` is two behaviours the consistency report
    // compares, and a cold class keeps its cold representative.
    let base = if r.params.action.as_deref() == Some("live") {
        format!("os-migrateLive: {base}")
    } else {
        base
    };
    match r.verdict.kind() {
        VerdictKind::Pass => base,
        VerdictKind::Fail => format!("{base}  [FAIL]"),
        VerdictKind::Error => format!("{base}  [ERROR]"),
        VerdictKind::Skip => base,
    }
}

/// One variant's runs: (versions label, answer).
#[derive(Debug, Clone)]
pub struct VariantMap {
    pub variant: String,
    pub runs: Vec<(String, String)>,
}

/// Builds the maps of a run, variants in first-seen order of the (sorted) results.
pub fn maps(outcome: &RunOutcome) -> Vec<VariantMap> {
    let mut order: Vec<String> = Vec::new();
    let mut by_variant: BTreeMap<String, Vec<&CaseResult>> = BTreeMap::new();
    for r in &outcome.results {
        let Some(c) = &r.case else { continue };
        let k = c.variant_key();
        if !by_variant.contains_key(&k) {
            order.push(k.clone());
        }
        by_variant.entry(k).or_default().push(r);
    }
    order
        .into_iter()
        .map(|variant| {
            let mut rs = by_variant.remove(&variant).unwrap_or_default();
            rs.sort_by_key(|r| r.case.as_ref().map(|c| c.version.sort_key()));
            let mut runs: Vec<(String, String)> = Vec::new();
            let mut current: Option<(String, String, String)> = None; // (first, last, answer)
            for r in rs {
                let c = r.case.as_ref().expect("filtered above");
                let a = answer(r);
                match c.version {
                    VersionSelector::Exact(v) => {
                        let v = v.to_string();
                        match &mut current {
                            Some((_, last, ans)) if *ans == a => *last = v,
                            _ => {
                                if let Some(done) = current.take() {
                                    runs.push(label(done));
                                }
                                current = Some((v.clone(), v, a));
                            }
                        }
                    }
                    other => {
                        if let Some(done) = current.take() {
                            runs.push(label(done));
                        }
                        runs.push((other.to_string(), a));
                    }
                }
            }
            if let Some(done) = current.take() {
                runs.push(label(done));
            }
            VariantMap { variant, runs }
        })
        .collect()
}

fn label((first, last, answer): (String, String, String)) -> (String, String) {
    if first == last {
        (first, answer)
    } else {
        (format!("{first}-{last}"), answer)
    }
}

/// The maps as reviewable text.
pub fn render(outcome: &RunOutcome) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# behaviour map: profile {}, target versions {}-{}",
        outcome.profile, outcome.bounds.min, outcome.bounds.max
    );
    for m in maps(outcome) {
        let _ = writeln!(s, "\n{}", m.variant);
        for (versions, answer) in m.runs {
            let _ = writeln!(s, "  {versions:<13} {answer}");
        }
    }
    s
}

/// One representative exchange per distinct answer (the first case, in report order, that
/// gave it: its behaviour class's representative, as `report::classes` picks it for the
/// reports), redacted, with its follow-up steps.
pub fn render_exchanges(outcome: &RunOutcome) -> String {
    let cl = crate::report::classes::Classes::of(outcome, Default::default());
    let mut seen: BTreeMap<&str, &CaseResult> = BTreeMap::new();
    for (class, rep) in cl.classes.iter().zip(&cl.representative_of) {
        if let Some(i) = rep {
            seen.insert(&class.answer, &outcome.results[*i]);
        }
    }
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# representative exchanges: profile {}, one per distinct answer",
        outcome.profile
    );
    for (key, r) in seen {
        let _ = writeln!(s, "\n======== {key}\ncase {}: {}", r.id, r.name);
        if let Some(x) = &r.exchange {
            s.push_str(&x.to_text());
        }
        for step in &r.follow_up {
            let _ = writeln!(s, "then: {step}");
        }
    }
    s
}
