//! JUnit XML: one test suite per profile, one test case per case.
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use crate::report::error::ReportError;
use crate::runner::RunOutcome;
use crate::verdict::Verdict;

/// Renders the runs (one per profile) as JUnit XML.
pub fn render(outcomes: &[&RunOutcome]) -> Result<String, ReportError> {
    let mut report = Report::new("nova-conform");
    let mut total = Duration::ZERO;
    for o in outcomes {
        let mut suite = TestSuite::new(format!("nova-conform.{}", o.profile));
        suite.set_time(Duration::from_millis(o.wall_ms));
        let v = &o.release;
        suite.add_properties([
            Property::new("nova_release", v.describe()),
            Property::new("nova_release_mode", v.mode.as_str()),
            Property::new("nova_release_candidates", v.candidates.join(",")),
            Property::new("nova_release_explained_by", v.explained_by.join(",")),
            Property::new("nova_release_unexplained", v.unexplained.join(",")),
        ]);
        total += Duration::from_millis(o.wall_ms);
        for r in &o.results {
            let detail = || {
                let mut d = String::new();
                if let Some(e) = &r.expected {
                    d.push_str(&format!("rule {}\n", e.rule));
                }
                if let Some(x) = &r.exchange {
                    d.push_str(&x.to_text());
                }
                for s in &r.follow_up {
                    d.push_str(&format!("then: {s}\n"));
                }
                d
            };
            let status = match &r.verdict {
                Verdict::Pass => TestCaseStatus::success(),
                Verdict::Skip { reason } => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(reason.as_str());
                    s
                }
                Verdict::Fail { mismatches } => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    let msg = mismatches
                        .iter()
                        .map(|m| format!("{}: expected {}, got {}", m.what, m.expected, m.got))
                        .collect::<Vec<_>>()
                        .join("; ");
                    s.set_message(msg);
                    s.set_type("conformance");
                    s.set_description(detail());
                    s
                }
                Verdict::Error { reason } => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                    s.set_message(crate::redact::text(reason));
                    s.set_type("engine");
                    s.set_description(detail());
                    s
                }
            };
            let mut tc = TestCase::new(format!("{} {}", r.id, r.name), status);
            if let Some(c) = &r.case {
                tc.set_classname(format!("{}.{}", o.profile, c.variant_key()));
            }
            tc.set_time(Duration::from_millis(r.duration_ms));
            suite.add_test_case(tc);
        }
        // A run no single series explains fails, although each of its cases passed: one
        // test case carries that, so CI shows it as a failure.
        if !v.consistent() {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(v.describe());
            s.set_type("nova-release");
            s.set_description(format!(
                "cases the closest candidate does not explain: {}",
                v.unexplained.join(" ")
            ));
            let mut tc = TestCase::new("nova-release: one series explains every answer", s);
            tc.set_classname(format!("{}.nova-release", o.profile));
            suite.add_test_case(tc);
        }
        report.add_test_suite(suite);
    }
    report.set_time(total);
    report.to_string().map_err(ReportError::Junit)
}
