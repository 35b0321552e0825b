//! subunit v2 (`run --subunit FILE`): the stream OpenStack's test tooling reads (stestr,
//! subunit2junitxml, subunit2html, subunit-stats).
//!
//! Written with the `subunit` crate (0.3), whose packets python-subunit reads (CI proves it:
//! interop/subunit/check.sh). Per case, as testtools' `ExtendedToStreamDecorator` writes a
//! test: an `inprogress` packet at its start, one packet per attachment, and the final status
//! at its end. Test ids are `nova_conform.<case id>`.
//!
//! Statuses: pass `success`, fail `fail`, skip `skip` (with a `reason` attachment, as
//! testtools writes skip reasons). subunit v2 has no `error` status: testtools turns an
//! `addError` into `fail` too, so an engine Error is `fail` with the tag `engine-error` (its
//! `reason` attachment says what broke). A non-passing case carries its redacted exchange as
//! the attachment `exchange` (text/plain;charset=utf8). A run no single Nova series explains
//! adds the failed test `nova_conform.nova-release`, as the JUnit report does.
use chrono::{DateTime, TimeDelta, Utc};
use subunit::types::event::Event;
use subunit::types::teststatus::TestStatus;

use crate::report::error::ReportError;
use crate::runner::RunOutcome;
use crate::verdict::{CaseResult, Verdict};

/// The MIME type of every attachment.
pub const TEXT: &str = "text/plain;charset=utf8";
/// The tag of an engine Error (reported as `fail`).
pub const ERROR_TAG: &str = "engine-error";
/// Test id prefix.
pub const PREFIX: &str = "nova_conform.";

fn event(
    status: TestStatus,
    id: &str,
    at: DateTime<Utc>,
    tags: &[&str],
) -> Result<subunit::types::event::EventBuilder, ReportError> {
    let mut b = Event::new(status)
        .test_id(id)
        .datetime(at)
        .map_err(|e| ReportError::Subunit {
            what: "timestamp",
            message: e.to_string(),
        })?;
    for t in tags {
        b = b.tag(t);
    }
    Ok(b)
}

fn push(out: &mut Vec<u8>, e: Event) -> Result<(), ReportError> {
    let bytes = e.to_vec().map_err(|e| ReportError::Subunit {
        what: "packet",
        message: e.to_string(),
    })?;
    out.extend_from_slice(&bytes);
    Ok(())
}

fn attach(
    out: &mut Vec<u8>,
    id: &str,
    at: DateTime<Utc>,
    name: &str,
    text: &str,
) -> Result<(), ReportError> {
    // A packet holds at most 4 MiB; an exchange is a few kilobytes (the body is Nova's).
    let text: String = text.chars().take(1 << 20).collect();
    let e = event(TestStatus::Undefined, id, at, &[])?
        .mime_type(TEXT)
        .file_content(name, text.as_bytes())
        .end_of_file()
        .build();
    push(out, e)
}

fn case(out: &mut Vec<u8>, r: &CaseResult, fallback: DateTime<Utc>) -> Result<(), ReportError> {
    let id = format!("{PREFIX}{}", r.id);
    let start = r.started.unwrap_or(fallback);
    let stop = start + TimeDelta::milliseconds(r.duration_ms as i64);
    push(out, event(TestStatus::InProgress, &id, start, &[])?.build())?;
    let (status, tags, reason): (TestStatus, &[&str], Option<String>) = match &r.verdict {
        Verdict::Pass => (TestStatus::Success, &[], None),
        Verdict::Skip { reason } => (TestStatus::Skipped, &[], Some(reason.clone())),
        Verdict::Fail { mismatches } => (
            TestStatus::Failed,
            &[],
            Some(
                mismatches
                    .iter()
                    .map(|m| format!("{}: expected {}, got {}\n", m.what, m.expected, m.got))
                    .collect(),
            ),
        ),
        Verdict::Error { reason } => (
            TestStatus::Failed,
            &[ERROR_TAG],
            Some(crate::redact::text(reason)),
        ),
    };
    if let Some(reason) = reason {
        let mut text = reason;
        if let Some(e) = &r.expected {
            text.push_str(&format!("rule {}\n", e.rule));
        }
        attach(out, &id, stop, "reason", &text)?;
    }
    if !matches!(r.verdict, Verdict::Pass | Verdict::Skip { .. }) {
        if let Some(x) = &r.exchange {
            let mut text = x.to_text();
            for s in &r.follow_up {
                text.push_str(&format!("then: {s}\n"));
            }
            attach(out, &id, stop, "exchange", &text)?;
        }
    }
    push(out, event(status, &id, stop, tags)?.build())
}

/// The runs as one subunit v2 stream.
pub fn render(outcomes: &[&RunOutcome]) -> Result<Vec<u8>, ReportError> {
    let mut out = Vec::new();
    let now = Utc::now();
    for o in outcomes {
        for r in &o.results {
            case(&mut out, r, now)?;
        }
        let v = &o.release;
        if !v.consistent() {
            let id = format!("{PREFIX}nova-release");
            let end = o
                .results
                .iter()
                .filter_map(|r| r.started)
                .max()
                .unwrap_or(now);
            push(
                &mut out,
                event(TestStatus::InProgress, &id, end, &[])?.build(),
            )?;
            let text = format!(
                "{}\ncases the closest candidate does not explain: {}\n",
                v.describe(),
                v.unexplained.join(" ")
            );
            attach(&mut out, &id, end, "reason", &text)?;
            push(&mut out, event(TestStatus::Failed, &id, end, &[])?.build())?;
        }
    }
    Ok(out)
}
