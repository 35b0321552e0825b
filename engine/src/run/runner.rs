//! Running cases against a target: provision, send, judge, follow through, clean up.
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use reqwest::Method;
use serde::Serialize;

use crate::body::{BodyValues, HostNames};
use crate::case::Case;
use crate::error::SuiteError;
use crate::expectation::EndState;
use crate::expectation::Expectation;
use crate::followthrough::{follow, FollowInput};
use crate::http::{send, VersionHeader};
use crate::judge::judge;
use crate::microversion::VersionBounds;
use crate::oracle::{MessageContext, Profile};
use crate::pool::{in_precondition, Server, Servers};
use crate::redact;
use crate::release::{Judges, ReleaseVerdict};
use crate::target::{Caller, Target};
use crate::variant::{Precondition, Role};
use crate::verdict::{CaseResult, Mismatch, Observed, Verdict, VerdictKind};

/// Default `--jobs`: enough in-flight requests to hide loopback latency on a small machine.
pub const DEFAULT_JOBS: usize = 16;

/// Everything a run produced.
#[derive(Debug, Clone, Serialize)]
pub struct RunOutcome {
    pub profile: Profile,
    pub target: String,
    pub bounds: VersionBounds,
    pub results: Vec<CaseResult>,
    pub wall_ms: u64,
    pub servers_created: usize,
    /// Servers that could not be deleted (must be empty).
    pub cleanup_failures: Vec<String>,
    /// Which Nova series explain the answers.
    pub release: ReleaseVerdict,
}

impl RunOutcome {
    pub fn count(&self, k: VerdictKind) -> usize {
        self.results
            .iter()
            .filter(|r| r.verdict.kind() == k)
            .count()
    }
}

struct Ctx<'a> {
    target: &'a dyn Target,
    judges: &'a Judges,
    bounds: VersionBounds,
    values: BodyValues,
    admin: Caller,
    pool: &'a Servers,
    /// The lane of `pool` whose servers the cases use.
    lane: usize,
}

/// Runs `cases` with the servers of `lane` (which the caller cleans up), `jobs` at a time;
/// the results sorted by version, then variant. One phase of an executed plan
/// ([`crate::execute::execute`]).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn run_with(
    target: &dyn Target,
    judges: &Judges,
    bounds: VersionBounds,
    cases: Vec<Case>,
    jobs: usize,
    servers: &Servers,
    lane: usize,
    on_result: &(dyn Fn(&CaseResult) + Sync),
) -> Result<Vec<CaseResult>, SuiteError> {
    let admin = target
        .caller(Role::Admin)
        .ok_or_else(|| SuiteError::Target("the target has no admin identity".into()))?;
    let ctx = Arc::new(Ctx {
        target,
        judges,
        bounds,
        values: BodyValues::bundled()?,
        admin,
        pool: servers,
        lane,
    });
    let mut results: Vec<CaseResult> = futures::stream::iter(cases)
        .map(|case| {
            let ctx = ctx.clone();
            async move {
                if ctx.pool.stopped() {
                    let reason = "not run: the run was interrupted".to_string();
                    return result(&case, Verdict::Skip { reason }, Instant::now());
                }
                run_case(&ctx, case).await
            }
        })
        .buffer_unordered(jobs.max(1))
        .inspect(|r| on_result(r))
        .collect()
        .await;
    // Stable order for reports: by version, then variant.
    results.sort_by(|a, b| {
        let ka = a
            .case
            .as_ref()
            .map(|c| (c.version.sort_key(), c.variant_key()));
        let kb = b
            .case
            .as_ref()
            .map(|c| (c.version.sort_key(), c.variant_key()));
        ka.cmp(&kb)
    });
    Ok(results)
}

/// A result of `case` with `verdict` and nothing observed yet, timed from `started`.
pub(crate) fn result(case: &Case, verdict: Verdict, started: Instant) -> CaseResult {
    CaseResult {
        id: case.id(),
        name: case.name(),
        params: case.params(),
        verdict,
        expected: None,
        observed: None,
        exchange: None,
        follow_up: Vec::new(),
        known_discrepancy: None,
        explained_by: None,
        duration_ms: started.elapsed().as_millis() as u64,
        started: chrono::TimeDelta::from_std(started.elapsed())
            .ok()
            .map(|d| chrono::Utc::now() - d),
        case: Some(case.clone()),
    }
}

async fn run_case(ctx: &Ctx<'_>, case: Case) -> CaseResult {
    let started = Instant::now();
    let Some(caller) = ctx.target.caller(case.role) else {
        return result(
            &case,
            Verdict::Skip {
                reason: format!("no {} credentials for this target", case.role),
            },
            started,
        );
    };
    let inv = ctx.target.inventory();
    // The server under test.
    let server: Option<Server> = if case.precondition == Precondition::Nonexistent {
        None
    } else {
        match ctx.pool.acquire(case.precondition, ctx.lane).await {
            Ok(s) => Some(s),
            Err(e) => {
                // The setup request that failed (a 500 on a create...) is the case's exchange.
                let mut r = result(&case, Verdict::Error { reason: e.reason }, started);
                r.exchange = e.exchange.map(|x| redact::exchange(&x));
                return r;
            }
        }
    };
    let own = server
        .as_ref()
        .map(|s| s.host.clone())
        .or_else(|| inv.enabled.first().cloned());
    let hosts = HostNames {
        other: inv
            .enabled
            .iter()
            .find(|h| Some(*h) != own.as_ref())
            .cloned(),
        own,
        disabled: inv.disabled.clone(),
        no_capacity: inv.no_capacity.clone(),
    };
    let rendered = match ctx.values.render(&case.body, &hosts) {
        Ok(r) => r,
        Err(missing) => {
            if let Some(s) = server {
                ctx.pool.release(case.precondition, ctx.lane, s).await;
            }
            let reason = missing.to_string();
            return result(&case, Verdict::Skip { reason }, started);
        }
    };
    let server_id = server
        .as_ref()
        .map(|s| s.id.clone())
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let version_sent = case.version.header_value(&ctx.bounds);
    let msg_ctx = MessageContext {
        server_id: server_id.clone(),
        host: rendered.host.clone(),
        version_sent: version_sent.clone(),
    };
    let mut res = result(&case, Verdict::Pass, started);
    // One expectation per candidate series; candidates that expect the same are judged once.
    let mut distinct: Vec<(Expectation, Vec<usize>)> = Vec::new();
    for (i, e) in ctx
        .judges
        .expectations(&case, &ctx.bounds, &msg_ctx)
        .into_iter()
        .enumerate()
    {
        let Some(e) = e else { continue };
        match distinct.iter_mut().find(|(d, _)| *d == e) {
            Some((_, who)) => who.push(i),
            None => distinct.push((e, vec![i])),
        }
    }
    if distinct.is_empty() {
        if let Some(s) = server {
            ctx.pool.release(case.precondition, ctx.lane, s).await;
        }
        res.verdict = Verdict::Error {
            reason: "the oracle has no rule for this case".into(),
        };
        return res;
    }

    let vh = version_sent.map(|value| VersionHeader {
        style: case.header,
        value,
    });
    let sent = send(
        &caller,
        Method::POST,
        &format!("/servers/{server_id}/action"),
        vh.as_ref(),
        Some(rendered.bytes),
    )
    .await;
    let exchange = match sent {
        Ok(x) => x,
        Err((e, req)) => {
            res.exchange = Some(redact::exchange(&crate::exchange::Exchange {
                request: req,
                response: None,
            }));
            res.expected = distinct.into_iter().next().map(|(e, _)| e);
            res.verdict = Verdict::Error {
                reason: format!("migrate request: {e}"),
            };
            // State unknown: never reuse the server.
            if let Some(s) = server {
                ctx.pool.discard(s).await;
            }
            res.duration_ms = started.elapsed().as_millis() as u64;
            return res;
        }
    };
    let resp = exchange
        .response
        .clone()
        .expect("send returns a response on success");
    let echoed = case.version.echoed(&ctx.bounds);
    let mut mismatches: Vec<Vec<Mismatch>> = distinct
        .iter()
        .map(|(e, _)| judge(e, &resp, echoed.as_deref()))
        .collect();
    // The expectation the follow-through checks the end state against: the first whose
    // status is the answer's.
    let lead = distinct
        .iter()
        .position(|(e, _)| e.status == resp.status)
        .unwrap_or(0);
    let exp = &distinct[lead].0;
    let fault = resp.fault();
    let mut observed = Observed {
        status: resp.status,
        fault: fault.as_ref().map(|f| f.0.clone()),
        message: fault.as_ref().map(|f| {
            // The recorded exchange keeps the figures (verify re-judges it).
            crate::http::figures::generalise(
                &host_names_to_roles(&redact::text(&f.1), &hosts),
                hosts.own.as_deref(),
            )
        }),
        end: None,
    };
    res.exchange = Some(host_placeholders(redact::exchange(&exchange), &hosts));
    let mut error = None;
    if resp.status >= 500 && exp.status < 500 {
        error = Some(format!(
            "unexpected {} from the migrate request",
            resp.status
        ));
    }

    match server {
        Some(s) if (200..300).contains(&resp.status) => {
            // Accepted (whatever was expected): follow through, to judge and to clean up.
            let version = case
                .version
                .effective(&ctx.bounds)
                .unwrap_or(ctx.bounds.max);
            let expected_end = if (200..300).contains(&exp.status) {
                exp.end
            } else {
                EndState::Unchanged
            };
            let input = FollowInput {
                admin: &ctx.admin,
                server: &s,
                precondition: case.precondition,
                requested_host: rendered
                    .host
                    .as_deref()
                    .filter(|_| matches!(case.body.host(), Some(h) if h.as_str() != "null")),
                expected_end,
                version,
                confirm: case.confirms(),
                timing: ctx.target.timing(),
            };
            // A live migration ends on its own (nothing to confirm or revert).
            let f = if case.body.is_live() {
                crate::live_follow::follow_live(input).await
            } else {
                follow(input).await
            };
            observed.end = Some(f.end.clone());
            res.follow_up = f.steps;
            // The end state is judged only when the answer itself was the expected one.
            for ((e, _), m) in distinct.iter().zip(mismatches.iter_mut()) {
                if resp.status != e.status {
                    continue;
                }
                if e.end == exp.end {
                    m.extend(f.mismatches.iter().cloned());
                } else {
                    m.push(Mismatch {
                        what: "end state".into(),
                        expected: e.end.describe().into(),
                        got: f.end.clone(),
                    });
                }
            }
            if let Some(e) = f.error {
                error.get_or_insert(e);
            }
            match f.last {
                // Back to the pool only on an enabled host: a server left on the disabled or
                // full host (a forced migration) would turn later cases into same-host cases.
                Some(view)
                    if in_precondition(case.precondition, &view)
                        && view.host.as_ref().is_some_and(|h| inv.enabled.contains(h)) =>
                {
                    let host = view.host.unwrap_or(s.host.clone());
                    let migrations = s.migrations + 1;
                    ctx.pool
                        .release(
                            case.precondition,
                            ctx.lane,
                            Server {
                                id: s.id,
                                host,
                                migrations,
                            },
                        )
                        .await;
                }
                _ => ctx.pool.discard(s).await,
            }
        }
        Some(s) if resp.status < 500 => {
            for ((e, _), m) in distinct.iter().zip(mismatches.iter_mut()) {
                if (200..300).contains(&e.status) {
                    m.push(Mismatch {
                        what: "end state".into(),
                        expected: e.end.describe().into(),
                        got: "refused, nothing happened".into(),
                    });
                }
            }
            ctx.pool.release(case.precondition, ctx.lane, s).await;
        }
        Some(s) => ctx.pool.discard(s).await,
        None => {}
    }
    res.observed = Some(observed);
    let explaining: Vec<usize> = (0..distinct.len())
        .filter(|&k| mismatches[k].is_empty())
        .collect();
    if ctx.judges.len() > 1 {
        let series = &ctx.judges.candidates.series;
        let mut by: Vec<usize> = explaining
            .iter()
            .flat_map(|&k| distinct[k].1.iter().copied())
            .collect();
        by.sort_unstable();
        res.explained_by = Some(by.into_iter().map(|i| series[i].id.clone()).collect());
    }
    // The expectation reported: the explaining candidate's, else the one followed through.
    let shown = explaining.first().copied().unwrap_or(lead);
    let several = distinct.len() > 1;
    let labels: Vec<String> = if several {
        distinct
            .iter()
            .map(|(_, who)| {
                who.iter()
                    .map(|&i| ctx.judges.candidates.series[i].id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .collect()
    } else {
        Vec::new()
    };
    res.expected = distinct.into_iter().nth(shown).map(|(e, _)| e);
    res.verdict = match (error, explaining.is_empty()) {
        (Some(reason), _) => Verdict::Error { reason },
        (None, false) => Verdict::Pass,
        (None, true) => {
            let mismatches = if !several {
                mismatches.remove(0)
            } else {
                // Say which candidates each difference is against.
                labels
                    .iter()
                    .zip(mismatches)
                    .flat_map(|(label, ms)| {
                        ms.into_iter().map(move |m| Mismatch {
                            what: format!("[Nova {label}] {}", m.what),
                            ..m
                        })
                    })
                    .collect()
            };
            Verdict::Fail { mismatches }
        }
    };
    res.duration_ms = started.elapsed().as_millis() as u64;
    res
}

/// Host names vary with the server a case got from the pool; reports name their role
/// instead, so identical behaviour gives identical exchanges.
fn host_placeholders(
    mut x: crate::exchange::Exchange,
    hosts: &HostNames,
) -> crate::exchange::Exchange {
    if let Some(body) = &mut x.request.body {
        *body = host_names_to_roles(body, hosts);
    }
    if let Some(r) = &mut x.response {
        r.body = host_names_to_roles(&r.body, hosts);
    }
    x
}

/// Replaces the names of the server's host and of the other host by their roles in `text`,
/// where they appear quoted (JSON `"name"`, Python repr `'name'`): that is how bodies and
/// validation messages carry them.
fn host_names_to_roles(text: &str, hosts: &HostNames) -> String {
    let mut out = text.to_string();
    for (name, placeholder) in [
        (&hosts.own, "<server's host>"),
        (&hosts.other, "<another enabled host>"),
    ] {
        if let Some(n) = name.as_deref().filter(|n| !n.is_empty()) {
            for q in ['"', '\''] {
                out = out.replace(&format!("{q}{n}{q}"), &format!("{q}{placeholder}{q}"));
            }
        }
    }
    out
}

/// Wall time helper for the bench and the CLI.
pub fn cases_per_second(n: usize, wall: Duration) -> f64 {
    n as f64 / wall.as_secs_f64().max(1e-9)
}
