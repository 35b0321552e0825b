//! Judging an answer against an expectation: status, fault key, message, headers.
use std::sync::LazyLock;

use regex::Regex;

use crate::exchange::RecordedResponse;
use crate::expectation::{Expectation, HeaderCheck};
use crate::verdict::Mismatch;

static REQUEST_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$").unwrap()
});

fn mm(what: &str, expected: impl Into<String>, got: impl Into<String>) -> Mismatch {
    Mismatch {
        what: what.into(),
        expected: expected.into(),
        got: got.into(),
    }
}

/// Every way `resp` differs from `exp`. `echoed` is the version the answer's version headers
/// must carry (`None` when none is required).
pub fn judge(exp: &Expectation, resp: &RecordedResponse, echoed: Option<&str>) -> Vec<Mismatch> {
    let mut out = Vec::new();
    if resp.status != exp.status {
        out.push(mm(
            "status",
            exp.status.to_string(),
            resp.status.to_string(),
        ));
    }
    let fault = resp.fault();
    if let Some(key) = &exp.fault {
        match &fault {
            Some((k, _)) if k == key => {}
            Some((k, _)) => out.push(mm("fault", key.clone(), k.clone())),
            None => out.push(mm("fault", key.clone(), "no fault body")),
        }
    }
    if let Some(pattern) = &exp.message {
        let values: Vec<(&str, &str)> = exp
            .message_values
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect();
        let ok = |m: &str| match &exp.message_pattern {
            Some(p) => crate::message::matches(p, &values, m),
            // An expectation read back from a report has only the substituted text.
            None => regex::Regex::new(pattern).is_ok_and(|re| re.is_match(m)),
        };
        match &fault {
            Some((_, m)) if ok(m) => {}
            Some((_, m)) => out.push(mm("message", format!("/{pattern}/"), m.clone())),
            None => out.push(mm("message", format!("/{pattern}/"), "no fault body")),
        }
    }
    if (200..300).contains(&exp.status)
        && resp.status == exp.status
        && exp.status == 202
        && !resp.body.trim().is_empty()
    {
        out.push(mm(
            "body",
            "empty (null response body)",
            resp.body.chars().take(200).collect::<String>(),
        ));
    }
    for check in &exp.headers {
        match check {
            HeaderCheck::Version => {
                if let Some(v) = echoed {
                    let want = format!("compute {v}");
                    match resp.header("openstack-api-version") {
                        Some(got) if got == want => {}
                        got => out.push(mm(
                            "header OpenStack-API-Version",
                            want,
                            got.unwrap_or("missing"),
                        )),
                    }
                    match resp.header("x-openstack-nova-api-version") {
                        Some(got) if got == v => {}
                        got => out.push(mm(
                            "header X-OpenStack-Nova-API-Version",
                            v,
                            got.unwrap_or("missing"),
                        )),
                    }
                    let vary: Vec<String> = resp
                        .header_all("vary")
                        .flat_map(|v| v.split(','))
                        .map(|s| s.trim().to_ascii_lowercase())
                        .collect();
                    for name in ["openstack-api-version", "x-openstack-nova-api-version"] {
                        if !vary.iter().any(|v| v == name) {
                            out.push(mm(
                                "header Vary",
                                format!("includes {name}"),
                                vary.join(", "),
                            ));
                        }
                    }
                }
            }
            HeaderCheck::RequestId => {
                let a = resp.header("x-openstack-request-id");
                let b = resp.header("x-compute-request-id");
                match (a, b) {
                    (Some(a), Some(b)) if a == b && REQUEST_ID.is_match(a) => {}
                    (Some(a), Some(b)) => out.push(mm(
                        "header x-openstack-request-id/x-compute-request-id",
                        "equal req-<uuid>",
                        format!("{a} / {b}"),
                    )),
                    _ => out.push(mm(
                        "header x-openstack-request-id/x-compute-request-id",
                        "both present",
                        format!("{} / {}", a.unwrap_or("missing"), b.unwrap_or("missing")),
                    )),
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expectation::EndState;

    fn exp(status: u16, fault: Option<&str>, headers: Vec<HeaderCheck>) -> Expectation {
        Expectation {
            rule: "t:r".into(),
            status,
            fault: fault.map(String::from),
            message: Some("^Instance %(server_id)s is locked$".into()),
            message_pattern: Some("^Instance %(server_id)s is locked$".into()),
            message_values: vec![("server_id", "abc".into())],
            end: EndState::Unchanged,
            headers,
            exclusive: false,
        }
    }

    fn resp(status: u16, body: &str, headers: &[(&str, &str)]) -> RecordedResponse {
        RecordedResponse {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.into(),
        }
    }

    const GOOD: &[(&str, &str)] = &[
        ("OpenStack-API-Version", "compute 2.56"),
        ("X-OpenStack-Nova-API-Version", "2.56"),
        ("Vary", "OpenStack-API-Version"),
        ("Vary", "X-OpenStack-Nova-API-Version"),
        (
            "x-openstack-request-id",
            "req-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        ),
        (
            "x-compute-request-id",
            "req-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        ),
    ];

    #[test]
    fn a_conforming_answer_has_no_mismatch() {
        let e = exp(
            409,
            Some("conflictingRequest"),
            vec![HeaderCheck::Version, HeaderCheck::RequestId],
        );
        let r = resp(
            409,
            r#"{"conflictingRequest": {"code": 409, "message": "Instance abc is locked"}}"#,
            GOOD,
        );
        assert_eq!(judge(&e, &r, Some("2.56")), vec![]);
    }

    #[test]
    fn every_deviation_is_reported() {
        let e = exp(
            409,
            Some("conflictingRequest"),
            vec![HeaderCheck::Version, HeaderCheck::RequestId],
        );
        let r = resp(
            400,
            r#"{"badRequest": {"code": 400, "message": "Instance abd is locked"}}"#,
            &[
                ("OpenStack-API-Version", "compute 2.55"),
                ("x-openstack-request-id", "req-1"),
            ],
        );
        let what: Vec<String> = judge(&e, &r, Some("2.56"))
            .into_iter()
            .map(|m| m.what)
            .collect();
        for w in [
            "status",
            "fault",
            "message",
            "header OpenStack-API-Version",
            "header X-OpenStack-Nova-API-Version",
            "header Vary",
            "header x-openstack-request-id/x-compute-request-id",
        ] {
            assert!(what.iter().any(|x| x == w), "{w} not in {what:?}");
        }
    }

    #[test]
    fn a_202_must_have_no_body() {
        let mut e = exp(202, None, vec![]);
        e.message = None;
        e.message_pattern = None;
        assert!(judge(&e, &resp(202, "", GOOD), None).is_empty());
        assert_eq!(judge(&e, &resp(202, "{}", GOOD), None)[0].what, "body");
    }

    const RID_A: &str = "req-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    const RID_B: &str = "req-1f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";

    /// GOOD with the headers named in `replace` swapped for the given values (the name
    /// matched case-insensitively, every value of it replaced; an empty value drops it).
    fn good_but(replace: &[(&str, &[&str])]) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = GOOD
            .iter()
            .filter(|(k, _)| !replace.iter().any(|(r, _)| r.eq_ignore_ascii_case(k)))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        for (k, vs) in replace {
            out.extend(vs.iter().map(|v| (k.to_string(), v.to_string())));
        }
        out
    }

    fn found(what: &str, expected: &str, got: &str) -> Mismatch {
        mm(what, expected, got)
    }

    /// Each row: one way an answer differs from a 409 "locked" expectation with both header
    /// checks, and exactly the mismatches it must give (what, expected and got): a judge that
    /// lets one through, or reports it under another name or text, fails its row. Each row
    /// kills a mutant that survived cargo-mutants (CONTRIBUTING.md, "Mutation testing").
    #[test]
    fn each_header_deviation_is_exactly_one_mismatch() {
        let e = exp(
            409,
            Some("conflictingRequest"),
            vec![HeaderCheck::Version, HeaderCheck::RequestId],
        );
        let body = r#"{"conflictingRequest": {"code": 409, "message": "Instance abc is locked"}}"#;
        let rid = "header x-openstack-request-id/x-compute-request-id";
        // (row name, the answer's headers, the mismatches it must give)
        type Row<'a> = (&'a str, Vec<(String, String)>, Vec<Mismatch>);
        let rows: Vec<Row> = vec![
            (
                "legacy version header with another version",
                good_but(&[("X-OpenStack-Nova-API-Version", &["2.55"])]),
                vec![found("header X-OpenStack-Nova-API-Version", "2.56", "2.55")],
            ),
            (
                "Vary naming only the modern header",
                good_but(&[("Vary", &["OpenStack-API-Version"])]),
                vec![found(
                    "header Vary",
                    "includes x-openstack-nova-api-version",
                    "openstack-api-version",
                )],
            ),
            (
                "Vary as one comma-separated value",
                good_but(&[(
                    "Vary",
                    &["OpenStack-API-Version, X-OpenStack-Nova-API-Version"],
                )]),
                vec![],
            ),
            (
                "two well-formed request ids that differ",
                good_but(&[("x-compute-request-id", &[RID_B])]),
                vec![found(
                    rid,
                    "equal req-<uuid>",
                    &format!("{RID_A} / {RID_B}"),
                )],
            ),
            (
                "equal request ids that are not req-<uuid>",
                good_but(&[
                    ("x-openstack-request-id", &["req-1"]),
                    ("x-compute-request-id", &["req-1"]),
                ]),
                vec![found(rid, "equal req-<uuid>", "req-1 / req-1")],
            ),
            (
                "no x-compute-request-id",
                good_but(&[("x-compute-request-id", &[])]),
                vec![found(rid, "both present", &format!("{RID_A} / missing"))],
            ),
        ];
        for (name, headers, want) in rows {
            let r = RecordedResponse {
                status: 409,
                headers,
                body: body.into(),
            };
            assert_eq!(judge(&e, &r, Some("2.56")), want, "{name}");
        }
    }

    /// The empty-body rule is a 202's: an error answer to a 202 expectation is one status
    /// mismatch (its fault body is not also a "body" mismatch), and a 200 may have a body.
    #[test]
    fn only_a_matching_202_must_be_empty() {
        let mut e = exp(202, None, vec![]);
        e.message = None;
        e.message_pattern = None;
        let locked =
            r#"{"conflictingRequest": {"code": 409, "message": "Instance abc is locked"}}"#;
        assert_eq!(
            judge(&e, &resp(409, locked, GOOD), None),
            vec![found("status", "202", "409")]
        );
        e.status = 200;
        assert_eq!(
            judge(&e, &resp(200, r#"{"server": {}}"#, GOOD), None),
            vec![]
        );
    }
}
