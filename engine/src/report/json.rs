//! The JSON report; its schema is documented in docs/report-schema.md.
use serde::Serialize;
use serde_json::Value;

use super::classes::{Class, Classes, ExchangeMode};
use super::consistency::{self, Consistency};
use crate::microversion::VersionBounds;
use crate::release::ReleaseVerdict;
use crate::runner::RunOutcome;
use crate::verdict::{CaseResult, VerdictKind};

/// Version of the report schema; bump on incompatible changes. 2: behaviour classes, and the
/// details of passing non-representative cases elided by default (`--exchanges`).
pub const SCHEMA: &str = "nova-conform.report/2";

#[derive(Serialize)]
struct Counts {
    pass: usize,
    fail: usize,
    skip: usize,
    error: usize,
}

#[derive(Serialize)]
struct Run<'a> {
    profile: String,
    target: &'a str,
    versions: &'a VersionBounds,
    wall_ms: u64,
    servers_created: usize,
    cleanup_failures: &'a [String],
    counts: Counts,
    /// Which Nova series explain the answers (docs/report-schema.md).
    nova_release: NovaRelease<'a>,
    /// `representative` or `all` (`--exchanges`).
    exchanges: &'static str,
    /// The behaviour classes; `results[].class` indexes them.
    classes: Vec<Class>,
    /// Cold versus live outcome per class (absent when no class was sent both ways).
    #[serde(skip_serializing_if = "Option::is_none")]
    consistency: Option<Consistency>,
    results: Vec<Row<'a>>,
}

/// A result: whole, or (a passing case that is not its class's representative, with
/// `--exchanges representative`) only what identifies it; its class's representative holds
/// the answer it gave.
#[derive(Serialize)]
#[serde(untagged)]
enum Row<'a> {
    Kept {
        #[serde(flatten)]
        result: &'a CaseResult,
        class: usize,
    },
    Elided {
        id: &'a str,
        name: &'a str,
        verdict: &'static str,
        rule: Option<&'a str>,
        class: usize,
        elided: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        explained_by: Option<&'a [String]>,
        duration_ms: u64,
    },
}

#[derive(Serialize)]
struct NovaRelease<'a> {
    /// `behaves like Nova 2025.1 (epoxy)`, or why no single series does.
    summary: String,
    /// Whether one series explains every passing answer.
    consistent: bool,
    #[serde(flatten)]
    verdict: &'a ReleaseVerdict,
}

#[derive(Serialize)]
struct Report<'a> {
    schema: &'static str,
    tool: String,
    runs: Vec<Run<'a>>,
}

/// The report with the default `--exchanges representative`.
pub fn render(outcomes: &[&RunOutcome]) -> String {
    render_with(outcomes, ExchangeMode::default())
}

pub fn render_with(outcomes: &[&RunOutcome], mode: ExchangeMode) -> String {
    let runs = outcomes
        .iter()
        .map(|o| (o, Classes::of(o, mode)))
        .map(|(o, cl)| Run {
            profile: o.profile.to_string(),
            target: &o.target,
            versions: &o.bounds,
            wall_ms: o.wall_ms,
            servers_created: o.servers_created,
            cleanup_failures: &o.cleanup_failures,
            counts: Counts {
                pass: o.count(VerdictKind::Pass),
                fail: o.count(VerdictKind::Fail),
                skip: o.count(VerdictKind::Skip),
                error: o.count(VerdictKind::Error),
            },
            nova_release: NovaRelease {
                summary: o.release.describe(),
                consistent: o.release.consistent(),
                verdict: &o.release,
            },
            exchanges: mode.as_str(),
            results: o
                .results
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let class = cl.class_of[i];
                    if cl.kept[i] {
                        Row::Kept { result: r, class }
                    } else {
                        Row::Elided {
                            id: &r.id,
                            name: &r.name,
                            verdict: r.verdict.kind().as_str(),
                            rule: r.expected.as_ref().map(|e| e.rule.as_str()),
                            class,
                            elided: true,
                            explained_by: r.explained_by.as_deref(),
                            duration_ms: r.duration_ms,
                        }
                    }
                })
                .collect(),
            classes: cl.classes,
            consistency: consistency::of(o),
        })
        .collect();
    let report = Report {
        schema: SCHEMA,
        tool: format!("nova-conform {}", env!("CARGO_PKG_VERSION")),
        runs,
    };
    let value = serde_json::to_value(&report).expect("report serializes");
    let mut out = String::new();
    write_value(&mut out, &value, 0);
    out.push('\n');
    out
}

/// Pretty-printed down to the run's fields, with each result and class on one line of
/// compact JSON: one case per line keeps the default report small (every line of a
/// pretty-printed case cost its indentation: 23 MB before `--exchanges`) and greppable.
fn write_value(out: &mut String, v: &Value, depth: usize) {
    const PRETTY_DEPTH: usize = 3; // report {, runs [, run {, then results [ / classes [
    let pad = |n: usize| "  ".repeat(n);
    match v {
        Value::Object(m) if depth < PRETTY_DEPTH && !m.is_empty() => {
            out.push_str("{\n");
            for (i, (k, x)) in m.iter().enumerate() {
                out.push_str(&pad(depth + 1));
                out.push_str(&Value::String(k.clone()).to_string());
                out.push_str(": ");
                write_value(out, x, depth + 1);
                out.push_str(if i + 1 < m.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(depth));
            out.push('}');
        }
        Value::Array(a) if depth < PRETTY_DEPTH + 1 && !a.is_empty() => {
            out.push_str("[\n");
            for (i, x) in a.iter().enumerate() {
                out.push_str(&pad(depth + 1));
                write_value(out, x, depth + 1);
                out.push_str(if i + 1 < a.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(depth));
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}
