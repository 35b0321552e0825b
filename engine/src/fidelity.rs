//! `nova-conform fidelity`: the same plan run against the embedded mock and against an
//! endpoint, and the rows where their behaviour differs.
//!
//! Both sides go through the real-cloud engine ([`crate::execute`]) with the same plan: the
//! mock is started in-process with the endpoint's topology (its compute host names, the
//! disabled host, the `--full-host`) and reached over HTTP through its own Keystone, exactly
//! like the endpoint. What is compared per case is what a behaviour map shows plus the headers
//! and the migration record: see [`facets`].
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Arc;
use std::time::Duration;

use crate::cleanup::Progress;
use crate::cloud_target::{CloudTarget, ServerSpec};
use crate::conformance::Plan;
use crate::embedded::Topology;
use crate::error::SuiteError;
use crate::execute::Control;
use crate::judging::follow_up::{FollowUp, MigrationFact};
use crate::plan::RunPlan;
use crate::runner::RunOutcome;
use crate::session::{Event, Events, Session};
use crate::target::{Target, Timing};
use crate::variant::Role;
use crate::verdict::CaseResult;

/// One behaviour the two sides do not share.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Difference {
    pub case: String,
    pub name: String,
    /// What differs: `verdict`, `status`, `fault`, `message`, `end state`,
    /// `header <Name>`, `request ids`, `migration record`, `follow-up`, `case`.
    pub what: String,
    pub mock: String,
    pub endpoint: String,
}

/// The mock's topology mirroring `endpoint`: one host per usable compute host of the
/// endpoint (with room for every server of a run), its disabled host disabled with the same
/// reason, its `--full-host` with no capacity, the same microversion range, the endpoint's
/// network choice, and the role identities the endpoint has (so a role the endpoint's cases
/// Skip for lack of an identity Skips on the mock too instead of showing as a difference).
/// The endpoint's hosts that are down are left out (no case uses them).
pub fn mirror_topology(endpoint: &CloudTarget, endpoint_spec: &ServerSpec) -> Topology {
    let d = &endpoint.discovery;
    let inv = endpoint.inventory();
    let disabled = inv.disabled.as_ref().map(|name| {
        let reason = d
            .hosts
            .iter()
            .find(|h| &h.name == name)
            .and_then(|h| h.disabled_reason.clone());
        (name.clone(), reason)
    });
    Topology {
        enabled: inv.enabled.clone(),
        disabled,
        full: inv.no_capacity.clone(),
        microversions: Some(d.bounds),
        roles: [Role::Manager, Role::Member, Role::Other]
            .into_iter()
            .filter(|r| endpoint.caller(*r).is_some())
            .collect(),
        network: endpoint_spec.network.clone(),
        // Instant lifecycle: the first poll sees the end state; the timeout bounds a broken
        // mock.
        timing: Timing {
            poll_interval: Duration::from_millis(5),
            timeout: Duration::from_secs(30),
        },
    }
}

/// Both outcomes and where they differ.
pub struct FidelityRun {
    pub mock: RunOutcome,
    pub endpoint: RunOutcome,
    pub differences: Vec<Difference>,
}

fn prefixed(progress: &Progress, side: &'static str) -> Progress {
    let progress = progress.clone();
    Arc::new(move |line: String| {
        for l in line.lines() {
            progress(format!("[{side}] {l}"));
        }
    })
}

/// Starts the mirror of `endpoint`, runs plan `p` on both (each with its own servers and
/// cleanup), stops the mirror and compares. Both sides are planned as a cloud (the same cases
/// sent) and judged by the endpoint's candidate series. With one candidate the mirror is that
/// series and both sides run at once; with several (`auto` could not tell them apart before
/// the run) the endpoint runs first and the mirror is the series that explains its answers.
pub async fn run(
    endpoint: &Session,
    endpoint_spec: &ServerSpec,
    p: &Plan,
    run_id: String,
    control: Control,
    progress: Progress,
) -> Result<FidelityRun, SuiteError> {
    let endpoint_target = endpoint
        .cloud_target()
        .ok_or_else(|| SuiteError::Usage("fidelity compares the mock with a cloud".into()))?;
    let judges = Arc::new(endpoint.judges(p).await?);
    progress(judges.candidates.describe());
    let endpoint_plan = endpoint.plan(p, &judges)?;
    let run_endpoint = |plan: RunPlan| {
        endpoint.execute(
            judges.clone(),
            plan,
            p.jobs,
            run_id.clone(),
            control.clone(),
            lines_only(prefixed(&progress, "endpoint")),
        )
    };
    let (endpoint_outcome, series) = if judges.len() == 1 {
        (None, judges.candidates.series[0])
    } else {
        progress(format!(
            "fidelity: {} cases to send to the endpoint first, to find which candidate it is",
            endpoint_plan.runnable()
        ));
        let o = run_endpoint(endpoint_plan.clone()).await?;
        let v = &o.release;
        let pick = v
            .explained_by
            .last()
            .or(v.closest.as_ref())
            .and_then(|id| judges.candidates.series.iter().find(|s| &s.id == id))
            .copied()
            .unwrap_or(judges.candidates.series[judges.len() - 1]);
        progress(format!(
            "fidelity: the endpoint {}; the mock is Nova {}",
            v.describe(),
            pick.label()
        ));
        (Some(o), pick)
    };
    let topology = mirror_topology(endpoint_target, endpoint_spec);
    let mock = Session::embedded_with(p.profile, series, &topology)
        .await?
        .planned_as_cloud();
    let mock_plan = match mock.plan(p, &judges) {
        Ok(m) => m,
        Err(e) => {
            mock.shutdown().await;
            return Err(e);
        }
    };
    progress(format!(
        "fidelity: {} cases to send to the endpoint, {} to the mock (Nova {})",
        endpoint_plan.runnable(),
        mock_plan.runnable(),
        series.label()
    ));
    let run_mock = mock.execute(
        judges.clone(),
        mock_plan,
        p.jobs,
        run_id.clone(),
        control.clone(),
        lines_only(prefixed(&progress, "mock")),
    );
    let (mock_outcome, endpoint_outcome) = match endpoint_outcome {
        Some(o) => (run_mock.await, Ok(o)),
        None => tokio::join!(run_mock, run_endpoint(endpoint_plan)),
    };
    mock.shutdown().await;
    let (mock_outcome, endpoint_outcome) = (mock_outcome?, endpoint_outcome?);
    let differences = compare(&mock_outcome, &endpoint_outcome);
    Ok(FidelityRun {
        mock: mock_outcome,
        endpoint: endpoint_outcome,
        differences,
    })
}

/// The progress lines of a run's events.
fn lines_only(progress: Progress) -> Events {
    Arc::new(move |e: Event<'_>| {
        if let Event::Line(l) = e {
            progress(l)
        }
    })
}

const VERSION_HEADERS: [&str; 3] = [
    "OpenStack-API-Version",
    "X-OpenStack-Nova-API-Version",
    "Vary",
];
const REQUEST_ID_HEADERS: [&str; 2] = ["X-OpenStack-Request-Id", "X-Compute-Request-Id"];

/// A request id's form, without its value (which differs on every request). Recorded
/// exchanges are redacted (a `req-<uuid>` id reads `req-<uuid>`); that both headers carry the
/// same well-formed id is judged before redaction and shows in the verdict.
fn id_form(v: &str) -> String {
    if v == "req-<uuid>" {
        v.to_string()
    } else {
        format!("{v:?} (not req-<uuid>)")
    }
}

/// One compared facet of a case: a text (verdict, status, headers...), the migration record,
/// or the other follow-up steps in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    Text(String),
    Migration(MigrationFact),
    FollowUp(Vec<FollowUp>),
}

impl std::fmt::Display for Fact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Text(t) => f.write_str(t),
            Self::Migration(m) => m.fmt(f),
            Self::FollowUp(steps) => {
                for (i, s) in steps.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    s.fmt(f)?;
                }
                Ok(())
            }
        }
    }
}

/// What is compared of one case, by name. Absent keys compare as "none" (so does a case
/// without a migration record).
pub fn facets(r: &CaseResult) -> BTreeMap<String, Fact> {
    let mut f = BTreeMap::new();
    let kind = r.verdict.kind().as_str().to_string();
    let mut text = |k: &str, v: String| {
        f.insert(k.to_string(), Fact::Text(v));
    };
    text(
        "verdict",
        match &r.verdict {
            crate::verdict::Verdict::Skip { reason } => format!("{kind} ({reason})"),
            crate::verdict::Verdict::Error { reason } => {
                format!("{kind} ({})", crate::redact::text(reason))
            }
            _ => kind,
        },
    );
    if let Some(o) = &r.observed {
        text("status", o.status.to_string());
        text("fault", o.fault.clone().unwrap_or("none".into()));
        text(
            "message",
            o.message
                .as_ref()
                .map(|m| format!("{m:?}"))
                .unwrap_or("none".into()),
        );
        if let Some(e) = &o.end {
            text("end state", e.clone());
        }
    }
    if let Some(resp) = r.exchange.as_ref().and_then(|x| x.response.as_ref()) {
        for h in VERSION_HEADERS {
            let vals: Vec<&str> = resp.header_all(h).collect();
            let v = if vals.is_empty() {
                "absent".to_string()
            } else {
                vals.join(" | ")
            };
            text(&format!("header {h}"), v);
        }
        let s: Vec<String> = REQUEST_ID_HEADERS
            .iter()
            .map(|h| {
                format!(
                    "{h}: {}",
                    resp.header(h).map(id_form).unwrap_or("absent".into())
                )
            })
            .collect();
        text("request ids", s.join("; "));
    }
    let mut follow = Vec::new();
    for step in &r.follow_up {
        match step {
            FollowUp::Migration(MigrationFact::None) => {}
            FollowUp::Migration(m) => {
                f.insert("migration record".into(), Fact::Migration(m.clone()));
            }
            other => follow.push(other.clone()),
        }
    }
    if !follow.is_empty() {
        f.insert("follow-up".into(), Fact::FollowUp(follow));
    }
    f
}

/// The rows where the two outcomes differ, in case order, then by facet.
pub fn compare(mock: &RunOutcome, endpoint: &RunOutcome) -> Vec<Difference> {
    let index = |o: &RunOutcome| -> BTreeMap<String, CaseResult> {
        o.results
            .iter()
            .map(|r| (r.id.clone(), r.clone()))
            .collect()
    };
    let (m, e) = (index(mock), index(endpoint));
    let mut ids: Vec<&String> = m.keys().chain(e.keys()).collect();
    ids.sort();
    ids.dedup();
    let mut out = Vec::new();
    for id in ids {
        let (rm, re) = (m.get(id), e.get(id));
        let name = rm.or(re).map(|r| r.name.clone()).unwrap_or_default();
        let (Some(rm), Some(re)) = (rm, re) else {
            out.push(Difference {
                case: id.clone(),
                name,
                what: "case".into(),
                mock: if rm.is_some() { "run" } else { "not run" }.into(),
                endpoint: if re.is_some() { "run" } else { "not run" }.into(),
            });
            continue;
        };
        let (fm, fe) = (facets(rm), facets(re));
        let mut keys: Vec<&String> = fm.keys().chain(fe.keys()).collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            let none = Fact::Text("none".into());
            let (a, b) = (fm.get(k).unwrap_or(&none), fe.get(k).unwrap_or(&none));
            if a != b {
                out.push(Difference {
                    case: id.clone(),
                    name: name.clone(),
                    what: k.clone(),
                    mock: a.to_string(),
                    endpoint: b.to_string(),
                });
            }
        }
    }
    out
}

/// The differences as text, one block per case.
pub fn render(diffs: &[Difference], mock: &RunOutcome, endpoint: &RunOutcome) -> String {
    let mut s = String::new();
    let mut last = None;
    for d in diffs {
        if last != Some(&d.case) {
            let _ = writeln!(s, "\n{}  {}", d.case, d.name);
            last = Some(&d.case);
        }
        let _ = writeln!(
            s,
            "  {}\n    mock:     {}\n    endpoint: {}",
            d.what, d.mock, d.endpoint
        );
    }
    let cases = diffs
        .iter()
        .map(|d| &d.case)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let _ = writeln!(
        s,
        "\nfidelity: profile {}, {} cases on the mock ({:.1} s), {} on {} ({:.1} s): {} differences in {} cases",
        endpoint.profile,
        mock.results.len(),
        mock.wall_ms as f64 / 1000.0,
        endpoint.results.len(),
        endpoint.target,
        endpoint.wall_ms as f64 / 1000.0,
        diffs.len(),
        cases
    );
    s
}

/// The endpoint judged by the oracle, as `run` reports it: `endpoint verdicts: N pass, N fail,
/// N skip, N error; behaves like Nova 2025.1 (epoxy)`.
pub fn render_endpoint_verdict(endpoint: &RunOutcome) -> String {
    use crate::verdict::VerdictKind as K;
    format!(
        "endpoint verdicts: {} pass, {} fail, {} skip, {} error; {}",
        endpoint.count(K::Pass),
        endpoint.count(K::Fail),
        endpoint.count(K::Skip),
        endpoint.count(K::Error),
        endpoint.release.describe()
    )
}

/// What a fidelity run concludes (the CLI's exit code: 0, 1, 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conclusion {
    /// No difference, and the endpoint passes.
    Agree,
    /// A difference, an endpoint Fail, or an endpoint no single series explains.
    Findings,
    /// Either side is broken (engine errors, servers left).
    Broken,
}

/// fidelity's conclusion: broken when either side is (engine errors, servers left); findings
/// for a difference, an endpoint Fail or an endpoint no single series explains.
pub fn conclusion(broken: bool, diffs: &[Difference], endpoint: &RunOutcome) -> Conclusion {
    let endpoint_fails =
        endpoint.count(crate::verdict::VerdictKind::Fail) > 0 || !endpoint.release.consistent();
    if broken {
        Conclusion::Broken
    } else if !diffs.is_empty() || endpoint_fails {
        Conclusion::Findings
    } else {
        Conclusion::Agree
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oracle::Profile;
    use serde_json::{json, Value};

    /// A result as the JSON report holds it (the shape `CaseResult` deserialises from).
    fn result(
        id: &str,
        status: u16,
        message: &str,
        headers: Value,
        follow_up: Value,
    ) -> CaseResult {
        serde_json::from_value(json!({
            "id": id, "name": format!("case {id}"),
            "params": {"version": "2.56", "header": "modern", "body": "migrate-object", "host": "other",
                       "force": "absent", "precondition": "active", "role": "admin"},
            "verdict": "pass", "expected": null,
            "observed": {"status": status, "fault": null, "message": message, "end": null},
            "exchange": {"request": {"method": "POST", "path": "/", "headers": [], "body": null},
                         "response": {"status": status, "headers": headers, "body": ""}},
            "follow_up": follow_up, "known_discrepancy": null, "duration_ms": 1
        }))
        .unwrap()
    }

    fn outcome(results: Vec<CaseResult>) -> RunOutcome {
        RunOutcome {
            profile: Profile::Nova,
            target: "t".into(),
            bounds: crate::microversion::VersionBounds {
                min: crate::microversion::Microversion::new(2, 1),
                max: crate::microversion::Microversion::new(2, 104),
            },
            results,
            wall_ms: 0,
            servers_created: 0,
            cleanup_failures: Vec::new(),
            release: Default::default(),
        }
    }

    fn headers(version: &str, id: &str) -> Value {
        json!([
            ["openstack-api-version", version],
            ["x-openstack-request-id", id],
            ["x-compute-request-id", id]
        ])
    }

    #[test]
    fn the_exit_code_judges_the_endpoint_too() {
        let pass = outcome(vec![result("c1", 202, "", json!([]), json!([]))]);
        assert_eq!(conclusion(false, &[], &pass), Conclusion::Agree);
        assert_eq!(conclusion(true, &[], &pass), Conclusion::Broken);
        let diff = Difference {
            case: "c1".into(),
            name: "n".into(),
            what: "status".into(),
            mock: "202".into(),
            endpoint: "400".into(),
        };
        assert_eq!(
            conclusion(false, std::slice::from_ref(&diff), &pass),
            Conclusion::Findings
        );
        // The same wrong answer on both sides is no difference, but the endpoint fails.
        let mut failed = result("c1", 400, "m", json!([]), json!([]));
        failed.verdict = crate::verdict::Verdict::Fail {
            mismatches: vec![crate::verdict::Mismatch {
                what: "status".into(),
                expected: "202".into(),
                got: "400".into(),
            }],
        };
        let fail = outcome(vec![failed]);
        assert_eq!(conclusion(false, &[], &fail), Conclusion::Findings);
        assert_eq!(conclusion(true, &[], &fail), Conclusion::Broken);
        let mut split = outcome(vec![result("c1", 202, "", json!([]), json!([]))]);
        split.release.unexplained = vec!["c1".into()];
        assert_eq!(conclusion(false, &[], &split), Conclusion::Findings);
        assert!(render_endpoint_verdict(&fail)
            .starts_with("endpoint verdicts: 0 pass, 1 fail, 0 skip, 0 error; "));
    }

    #[test]
    fn equal_behaviour_compares_equal_whatever_the_request_id_values() {
        let a = outcome(vec![result(
            "c1",
            400,
            "m",
            headers("compute 2.56", "req-<uuid>"),
            json!([]),
        )]);
        let b = outcome(vec![result(
            "c1",
            400,
            "m",
            headers("compute 2.56", "req-<uuid>"),
            json!([]),
        )]);
        assert!(compare(&a, &b).is_empty());
    }

    /// A migration record's step, as the follow-through writes it: from `compute-a` to
    /// `compute-b`, with `change` applied to the record.
    fn migration(change: impl FnOnce(&mut Value)) -> String {
        let mut m = json!({
            "id": 1, "status": "finished", "migration_type": "migration",
            "source_compute": "compute-a", "source_node": "compute-a",
            "dest_compute": "compute-b", "dest_node": "compute-b", "dest_host": "192.0.2.2",
            "old_instance_type_id": 1, "new_instance_type_id": 1
        });
        change(&mut m);
        FollowUp::Migration(MigrationFact::of(&m, "compute-a", "compute-b")).to_string()
    }

    #[test]
    fn each_differing_facet_is_one_row() {
        let steps = |record: String, after: &str| {
            json!([
                "settled: VERIFY_RESIZE on the requested host",
                record,
                format!("confirmResize: ACTIVE on the {after} host")
            ])
        };
        let same = || migration(|_| {});
        let ok = || headers("compute 2.56", "req-<uuid>");
        let a = outcome(vec![
            result("c1", 400, "m", ok(), json!([])),
            result("c2", 202, "", ok(), steps(same(), "destination")),
            result(
                "c3",
                404,
                "gone",
                headers("compute 2.1", "req-<uuid>"),
                json!([]),
            ),
            result("c4", 202, "", ok(), steps(same(), "destination")),
            result("c5", 202, "", ok(), steps(same(), "destination")),
        ]);
        let b = outcome(vec![
            result("c1", 409, "m", headers("compute 2.56", "abc"), json!([])),
            // One field of the record differs: the node is not the destination host's.
            result(
                "c2",
                202,
                "",
                ok(),
                steps(
                    migration(|m| m["dest_node"] = json!("node-9")),
                    "destination",
                ),
            ),
            // The record is the same; the server ends on its source host after the confirm.
            result("c4", 202, "", ok(), steps(same(), "source")),
            result("c5", 202, "", ok(), steps(same(), "destination")),
        ]);
        let rows: Vec<(String, String)> = compare(&a, &b)
            .into_iter()
            .map(|d| (d.case, d.what))
            .collect();
        assert_eq!(
            rows,
            [
                ("c1", "request ids"),
                ("c1", "status"),
                ("c2", "migration record"),
                ("c3", "case"),
                ("c4", "follow-up"),
            ]
            .map(|(c, w)| (c.to_string(), w.to_string()))
        );
        let d = compare(&a, &b);
        assert_eq!(d[0].endpoint, "X-OpenStack-Request-Id: \"abc\" (not req-<uuid>); X-Compute-Request-Id: \"abc\" (not req-<uuid>)");
        assert_eq!(
            d[2].endpoint,
            "status=finished migration_type=migration source_compute=<source> \
             source_node=<source> dest_compute=<destination> dest_node=node-9 \
             dest_host=<ip address> flavors=same fields=dest_compute,dest_host,dest_node,id,\
             migration_type,new_instance_type_id,old_instance_type_id,source_compute,\
             source_node,status"
        );
        assert_eq!(
            (d[3].mock.as_str(), d[3].endpoint.as_str()),
            ("run", "not run")
        );
        assert_eq!(
            (d[4].mock.as_str(), d[4].endpoint.as_str()),
            (
                "settled: VERIFY_RESIZE on the requested host; confirmResize: ACTIVE on the destination host",
                "settled: VERIFY_RESIZE on the requested host; confirmResize: ACTIVE on the source host"
            )
        );
    }

    #[test]
    fn no_migration_record_compares_as_none() {
        let with_none = json!(["settled: unchanged, no failed migration", "migration: none"]);
        let a = outcome(vec![result("c1", 202, "", json!([]), with_none.clone())]);
        let b = outcome(vec![result("c1", 202, "", json!([]), json!([]))]);
        let rows: Vec<String> = compare(&a, &b).into_iter().map(|d| d.what).collect();
        assert_eq!(rows, ["follow-up"]);
        let c = outcome(vec![result("c1", 202, "", json!([]), with_none)]);
        assert!(compare(&a, &c).is_empty());
    }
}
