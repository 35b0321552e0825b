//! The JSON report; its schema is documented in docs/report-schema.md.
use serde::Serialize;

use crate::microversion::VersionBounds;
use crate::release::ReleaseVerdict;
use crate::runner::RunOutcome;
use crate::verdict::{CaseResult, VerdictKind};

/// Version of the report schema; bump on incompatible changes.
pub const SCHEMA: &str = "nova-conform.report/1";

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
    results: &'a [CaseResult],
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

pub fn render(outcomes: &[&RunOutcome]) -> String {
    let runs = outcomes
        .iter()
        .map(|o| Run {
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
            results: &o.results,
        })
        .collect();
    let report = Report {
        schema: SCHEMA,
        tool: format!("nova-conform {}", env!("CARGO_PKG_VERSION")),
        runs,
    };
    serde_json::to_string_pretty(&report).expect("report serializes")
}
