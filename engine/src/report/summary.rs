//! The terminal summary: counts per verdict, per microversion range, and every failure.
use std::fmt::Write;

use crate::microversion::VersionSelector;
use crate::runner::RunOutcome;
use crate::verdict::{Verdict, VerdictKind};

/// Counts of (pass, fail, skip, error).
type Counts = [usize; 4];

fn idx(k: VerdictKind) -> usize {
    VerdictKind::ALL
        .iter()
        .position(|x| *x == k)
        .expect("in ALL")
}

fn fmt_counts(c: &Counts) -> String {
    VerdictKind::ALL
        .iter()
        .zip(c)
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| format!("{n} {}", k.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Renders the summary. Failures and errors are listed with their mismatches; the first
/// `max_exchanges` of them also with their redacted request and response.
pub fn render(outcome: &RunOutcome, max_exchanges: usize) -> String {
    let mut s = String::new();
    let mut total: Counts = [0; 4];
    // Per exact version, then collapsed into runs of identical counts.
    let mut per_version: Vec<(String, Counts)> = Vec::new();
    let mut selectors: Vec<(String, Counts)> = Vec::new();
    for r in &outcome.results {
        let k = idx(r.verdict.kind());
        total[k] += 1;
        let Some(c) = &r.case else { continue };
        let (list, label) = match c.version {
            VersionSelector::Exact(v) => (&mut per_version, v.to_string()),
            other => (&mut selectors, other.to_string()),
        };
        match list.iter_mut().find(|(l, _)| *l == label) {
            Some((_, counts)) => counts[k] += 1,
            None => {
                let mut counts = [0; 4];
                counts[k] += 1;
                list.push((label, counts));
            }
        }
    }
    per_version.sort_by_key(|(l, _)| l.parse::<crate::microversion::Microversion>().ok());
    let _ = writeln!(
        s,
        "\nnova-conform: profile {}, target {} (versions {}-{}), {} cases in {:.2} s",
        outcome.profile,
        outcome.target,
        outcome.bounds.min,
        outcome.bounds.max,
        outcome.results.len(),
        outcome.wall_ms as f64 / 1000.0
    );
    let _ = writeln!(s, "  total: {}", fmt_counts(&total));
    s.push_str(&crate::release::render_line(&outcome.release));
    let _ = writeln!(s, "  per microversion:");
    let mut i = 0;
    while i < per_version.len() {
        let mut j = i;
        while j + 1 < per_version.len() && per_version[j + 1].1 == per_version[i].1 {
            j += 1;
        }
        let label = if i == j {
            per_version[i].0.clone()
        } else {
            format!("{}-{}", per_version[i].0, per_version[j].0)
        };
        let _ = writeln!(
            s,
            "    {label:<12} {} (each)",
            fmt_counts(&per_version[i].1)
        );
        i = j + 1;
    }
    for (label, c) in &selectors {
        let _ = writeln!(s, "    {label:<12} {}", fmt_counts(c));
    }
    if let Some(c) = super::consistency::of(outcome) {
        s.push_str(&super::consistency::render(&c));
    }
    let bad: Vec<_> = outcome
        .results
        .iter()
        .filter(|r| matches!(r.verdict.kind(), VerdictKind::Fail | VerdictKind::Error))
        .collect();
    if !bad.is_empty() {
        let _ = writeln!(s, "\nfailures and errors ({}):", bad.len());
    }
    for (n, r) in bad.iter().enumerate() {
        let _ = writeln!(
            s,
            "\n{} {} {}",
            r.verdict.kind().as_str().to_uppercase(),
            r.id,
            r.name
        );
        if let Some(note) = &r.known_discrepancy {
            let _ = writeln!(s, "  known discrepancy: {note}");
        }
        match &r.verdict {
            Verdict::Fail { mismatches } => {
                for m in mismatches {
                    let _ = writeln!(s, "  {}: expected {}, got {}", m.what, m.expected, m.got);
                }
            }
            Verdict::Error { reason } => {
                let _ = writeln!(s, "  {}", crate::redact::text(reason));
            }
            _ => {}
        }
        if let Some(e) = &r.expected {
            let _ = writeln!(s, "  rule: {}", e.rule);
        }
        if n < max_exchanges {
            if let Some(x) = &r.exchange {
                for line in x.to_text().lines() {
                    let _ = writeln!(s, "    | {line}");
                }
            }
        }
    }
    s.push_str(&crate::release::render_unexplained(
        &outcome.release,
        &outcome.results,
    ));
    if bad.len() > max_exchanges {
        let _ = writeln!(
            s,
            "\n(request/response shown for the first {max_exchanges} only; all are in --json / --html)"
        );
    }
    if !outcome.cleanup_failures.is_empty() {
        let _ = writeln!(
            s,
            "\nWARNING: servers left behind: {:?}",
            outcome.cleanup_failures
        );
    }
    s
}
