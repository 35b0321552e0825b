//! Executing a [`RunPlan`] against any target (a real cloud, the embedded mock, a test's
//! fake): the refused-by-contract cases concurrently, then those that need their server alone
//! one at a time, then the chains of accepted ones, then cleanup, whatever happened in between.
//!
//! A panic in the engine is caught (`catch_unwind`) and the cleanup still runs; Ctrl-C/SIGTERM
//! set `stop` (no new case starts; in-flight ones finish; cleanup) and a second signal fires
//! `abort` (in-flight cases are dropped; cleanup).
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use futures::FutureExt;
use parking_lot::Mutex;

use crate::case::Case;
use crate::cleanup::Progress;
use crate::error::SuiteError;
use crate::plan::RunPlan;
use crate::pool::Servers;
use crate::release::{self, Judges};
use crate::runner::{run_with, RunOutcome};
use crate::target::Target;
use crate::variant::Precondition;
use crate::verdict::{CaseResult, Verdict, VerdictKind};

/// Stop and abort switches (set by the signal handler, or by tests).
#[derive(Clone, Default)]
pub struct Control {
    pub stop: Arc<AtomicBool>,
    pub abort: Arc<tokio::sync::Notify>,
}

/// Callback for each finished case (progress display).
pub(crate) type OnResult = Arc<dyn Fn(&CaseResult) + Send + Sync>;

fn skip(case: &Case, reason: String) -> CaseResult {
    CaseResult {
        id: case.id(),
        name: case.name(),
        params: case.params(),
        verdict: Verdict::Skip { reason },
        expected: None,
        observed: None,
        exchange: None,
        follow_up: Vec::new(),
        known_discrepancy: None,
        explained_by: None,
        duration_ms: 0,
        started: Some(chrono::Utc::now()),
        case: Some(case.clone()),
    }
}

/// Runs `plan` and cleans up; never returns before the cleanup has been attempted.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn execute(
    target: Arc<dyn Target>,
    oracle: Arc<Judges>,
    plan: RunPlan,
    jobs: usize,
    run_id: String,
    control: Control,
    progress: Progress,
    on_result: OnResult,
) -> Result<RunOutcome, SuiteError> {
    let started = Instant::now();
    let bounds = plan
        .bounds
        .ok_or_else(|| SuiteError::Engine("the plan has no version bounds".into()))?;
    let servers = Arc::new(Servers::new(
        &*target,
        run_id.clone(),
        plan.retire_after,
        control.stop.clone(),
        progress.clone(),
    )?);
    // Every result as it arrives; a re-run replaces the first result of its case.
    let collected: Arc<Mutex<BTreeMap<String, CaseResult>>> = Arc::default();
    let sink = {
        let collected = collected.clone();
        let on_result = on_result.clone();
        Arc::new(move |r: &CaseResult| {
            collected.lock().insert(r.id.clone(), r.clone());
            on_result(r);
        })
    };
    let planned: Vec<Case> = plan
        .concurrent
        .iter()
        .chain(&plan.exclusive)
        .chain(plan.chains.iter().flat_map(|c| &c.cases))
        .cloned()
        .collect();
    let work = {
        let (target, oracle, servers, sink, progress) = (
            target.clone(),
            oracle.clone(),
            servers.clone(),
            sink.clone(),
            progress.clone(),
        );
        let plan = plan.clone();
        async move {
            let sink_ref: &(dyn Fn(&CaseResult) + Sync) = &*sink;
            progress(format!(
                "phase 1: {} refused-by-contract cases, {jobs} at a time",
                plan.concurrent.len()
            ));
            let first = run_with(
                &*target,
                &oracle,
                bounds,
                plan.concurrent.clone(),
                jobs,
                &servers,
                0,
                sink_ref,
            )
            .await
            .unwrap_or_default();
            // A case accepted against the contract moved a shared server under the feet of
            // the cases running beside it: run the ones that did not pass again, alone. A
            // neighbour that was itself accepted may have been so only because the server had
            // moved (its "own host" was stale): where more than one case of a precondition was
            // accepted, those are run again too (a real deviation deviates again).
            let accepted = |r: &CaseResult| {
                r.observed
                    .as_ref()
                    .is_some_and(|o| (200..300).contains(&o.status))
            };
            let mut disturbed: BTreeMap<Precondition, usize> = BTreeMap::new();
            for r in first.iter().filter(|r| accepted(r)) {
                if let Some(c) = &r.case {
                    *disturbed.entry(c.precondition).or_default() += 1;
                }
            }
            let again: Vec<Case> = first
                .iter()
                .filter(|r| matches!(r.verdict.kind(), VerdictKind::Fail | VerdictKind::Error))
                .filter_map(|r| r.case.as_ref().map(|c| (r, c)))
                .filter(|(r, c)| match disturbed.get(&c.precondition) {
                    None => false,
                    Some(&n) => !accepted(r) || n > 1,
                })
                .map(|(_, c)| c.clone())
                .collect();
            if !again.is_empty() {
                progress(format!(
                    "re-running {} cases that overlapped an accepted request, one at a time",
                    again.len()
                ));
                let _ = run_with(&*target, &oracle, bounds, again, 1, &servers, 0, sink_ref).await;
            }
            if !plan.exclusive.is_empty() {
                progress(format!(
                    "phase 1b: {} refused cases that need their server alone, one at a time",
                    plan.exclusive.len()
                ));
                let _ = run_with(
                    &*target,
                    &oracle,
                    bounds,
                    plan.exclusive.clone(),
                    1,
                    &servers,
                    0,
                    sink_ref,
                )
                .await;
            }
            progress(format!(
                "phase 2: {} accepted cases in {} chains",
                plan.mutating_count(),
                plan.chains.len()
            ));
            // Migrations are the slow part: say each one as it ends.
            let reporters: Vec<_> = plan
                .chains
                .iter()
                .map(|chain| {
                    let (sink, progress) = (sink.clone(), progress.clone());
                    let (pre, total) = (chain.precondition, chain.cases.len());
                    let done = std::sync::atomic::AtomicUsize::new(0);
                    move |r: &CaseResult| {
                        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                        progress(format!(
                            "chain {pre} {n}/{total}: {} {}",
                            r.name,
                            r.verdict.kind().as_str()
                        ));
                        sink(r);
                    }
                })
                .collect();
            let chains = plan.chains.iter().zip(&reporters).map(|(chain, report)| {
                run_with(
                    &*target,
                    &oracle,
                    bounds,
                    chain.cases.clone(),
                    1,
                    &servers,
                    chain.lane,
                    report,
                )
            });
            let _ = futures::future::join_all(chains).await;
        }
    };
    // The cases run in the caller's task (no spawn: on the CLI's runtime that is the main
    // thread, beside the workers that serve the embedded mock). A panic is caught here and an
    // abort drops the work, and either way the cleanup below runs.
    let work = std::panic::AssertUnwindSafe(work).catch_unwind();
    let mut engine_error = None;
    tokio::select! {
        joined = work => {
            if joined.is_err() {
                engine_error = Some("the engine panicked; the run was cut short".to_string());
            }
        }
        _ = control.abort.notified() => {
            engine_error = Some("aborted: in-flight cases were dropped".to_string());
        }
    }
    progress(format!(
        "cleanup: {} servers created by this run",
        servers.live().len()
    ));
    let cleanup_failures = servers.cleanup().await;
    let mut by_id = std::mem::take(&mut *collected.lock());
    for case in &planned {
        by_id.entry(case.id()).or_insert_with(|| {
            let reason = engine_error
                .clone()
                .unwrap_or_else(|| "not run: the run was interrupted".into());
            let mut r = skip(case, reason.clone());
            if !control.stop.load(Ordering::SeqCst) && engine_error.is_some() {
                r.verdict = Verdict::Error { reason };
            }
            r
        });
    }
    for (case, reason) in &plan.skipped {
        by_id
            .entry(case.id())
            .or_insert_with(|| skip(case, reason.clone()));
    }
    let mut results: Vec<CaseResult> = by_id.into_values().collect();
    results.sort_by(|a, b| {
        let key = |r: &CaseResult| {
            r.case
                .as_ref()
                .map(|c| (c.version.sort_key(), c.variant_key()))
        };
        key(a).cmp(&key(b))
    });
    Ok(RunOutcome {
        profile: oracle.profile(),
        target: target.describe(),
        bounds,
        release: release::conclude(&oracle, &results),
        results,
        wall_ms: started.elapsed().as_millis() as u64,
        servers_created: servers.created_count(),
        cleanup_failures,
    })
}
