//! `nova-conform verify DIR|DIR.tar.gz`: is a submission bundle what this tool would have
//! written for the answers it records?
//!
//! Three checks, each with its own error (and exit code):
//! 1. **Manifest**: every file listed in `MANIFEST.sha256` is there with its hash, and no
//!    other file is.
//! 2. **Oracle**: `result.yaml`'s oracle digests are those of this tool's oracle of the
//!    recorded profile and candidate series (else the bundle was judged by other rules).
//! 3. **Recompute**: every case of `report.json` is judged again, from its recorded answer,
//!    by that oracle, and the verdicts, the counts, the Nova release conclusion and the run
//!    verdict must be the recorded ones, in `report.json` and `result.yaml` (and the totals of
//!    `junit.xml` and `results.subunit`). So an edited
//!    verdict or answer is caught even when the manifest was re-hashed after the edit.
//!
//! What the recompute sees: the status, fault key and (redacted) message and the end state of
//! every case (an elided case's are its class representative's, which it gave too), and the
//! whole redacted exchange of a case that keeps one (headers, body). Request ids are redacted
//! in reports, so their format is re-checked but not that the two headers were equal; the
//! follow-through's own checks (the migration record, confirm/revert) are taken as recorded.
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::bundle::{self, OracleRef, ResultFile, FILES, MANIFEST};
use crate::case::Case;
use crate::exchange::{Exchange, RecordedResponse};
use crate::expectation::Expectation;
use crate::matrix::{self, MatrixKind};
use crate::microversion::{Microversion, VersionBounds};
use crate::oracle::{MessageContext, Oracle, Profile};
use crate::verdict::{Mismatch, Observed};

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// Not a bundle at all (missing directory, unreadable tarball).
    #[error("{0}")]
    Unreadable(String),
    #[error("manifest: {0}")]
    Manifest(String),
    #[error("oracle: {0}")]
    Oracle(String),
    #[error("recomputed results differ from the recorded ones: {0}")]
    Recompute(String),
}

/// Checks the bundle at `path` (a directory or a `.tar.gz` of one); on success, a summary.
pub fn verify(path: &Path) -> Result<String, VerifyError> {
    let is_tar = path.is_file()
        && path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().ends_with(".tar.gz"));
    if is_tar {
        let tmp = std::env::temp_dir().join(format!(
            "nova-conform-verify-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        let r = extract(path, &tmp).and_then(|dir| verify_dir(&dir, path));
        let _ = std::fs::remove_dir_all(&tmp);
        r
    } else if path.is_dir() {
        verify_dir(path, path)
    } else {
        Err(VerifyError::Unreadable(format!(
            "{}: neither a bundle directory nor a .tar.gz",
            path.display()
        )))
    }
}

/// Unpacks a tarball holding one directory of plain files; returns that directory.
fn extract(tarball: &Path, into: &Path) -> Result<PathBuf, VerifyError> {
    let bad = |m: String| VerifyError::Unreadable(format!("{}: {m}", tarball.display()));
    let f = std::fs::File::open(tarball).map_err(|e| bad(e.to_string()))?;
    let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(f));
    std::fs::create_dir_all(into).map_err(|e| bad(e.to_string()))?;
    let mut top: Option<String> = None;
    for entry in ar.entries().map_err(|e| bad(e.to_string()))? {
        let mut entry = entry.map_err(|e| bad(e.to_string()))?;
        let p = entry.path().map_err(|e| bad(e.to_string()))?.into_owned();
        let parts: Vec<String> = p
            .components()
            .map(|c| c.as_os_str().to_string_lossy().to_string())
            .collect();
        let kind = entry.header().entry_type();
        if kind.is_dir() && parts.len() == 1 {
            continue;
        }
        // Only `<dir>/<file>` plain files: no links, no paths out of the directory.
        if !kind.is_file()
            || parts.len() != 2
            || parts.iter().any(|c| c == ".." || c.is_empty() || c == "/")
            || p.is_absolute()
        {
            return Err(bad(format!("unexpected entry {}", p.display())));
        }
        if top.get_or_insert_with(|| parts[0].clone()) != &parts[0] {
            return Err(bad("more than one directory".into()));
        }
        std::fs::create_dir_all(into.join(&parts[0])).map_err(|e| bad(e.to_string()))?;
        entry
            .unpack(into.join(&parts[0]).join(&parts[1]))
            .map_err(|e| bad(e.to_string()))?;
    }
    let top = top.ok_or_else(|| bad("empty archive".into()))?;
    Ok(into.join(top))
}

fn read(dir: &Path, name: &str) -> Result<Vec<u8>, VerifyError> {
    std::fs::read(dir.join(name)).map_err(|e| VerifyError::Manifest(format!("{name}: {e}")))
}

/// Check 1: the manifest lists exactly the files there are, with their hashes.
fn check_manifest(dir: &Path) -> Result<(), VerifyError> {
    let text = String::from_utf8(read(dir, MANIFEST)?)
        .map_err(|_| VerifyError::Manifest(format!("{MANIFEST} is not text")))?;
    let mut listed: BTreeMap<String, String> = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let (hash, name) = line
            .split_once("  ")
            .filter(|(h, n)| h.len() == 64 && !n.is_empty())
            .ok_or_else(|| {
                VerifyError::Manifest(format!("{MANIFEST} line {}: not `<sha256>  <file>`", n + 1))
            })?;
        if listed.insert(name.to_string(), hash.to_string()).is_some() {
            return Err(VerifyError::Manifest(format!("{name} is listed twice")));
        }
    }
    let mut problems = Vec::new();
    let mut present = Vec::new();
    for e in std::fs::read_dir(dir).map_err(|e| VerifyError::Unreadable(e.to_string()))? {
        let e = e.map_err(|e| VerifyError::Unreadable(e.to_string()))?;
        let name = e.file_name().to_string_lossy().to_string();
        if name != MANIFEST {
            present.push(name);
        }
    }
    present.sort();
    for name in &present {
        if !listed.contains_key(name) {
            problems.push(format!("extra file {name} (not in the manifest)"));
        }
    }
    for (name, hash) in &listed {
        if !present.contains(name) {
            problems.push(format!("missing file {name}"));
            continue;
        }
        let got = hex::encode(Sha256::digest(read(dir, name)?));
        if &got != hash {
            problems.push(format!("{name} changed (sha256 {got}, manifest {hash})"));
        }
    }
    for name in FILES {
        if !listed.contains_key(name) && !present.iter().any(|p| p == name) {
            problems.push(format!("missing file {name} (a bundle has it)"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(VerifyError::Manifest(problems.join("; ")))
    }
}

/// Checks the bundle in `dir`; `shown` is what the summary calls it (the tarball it came from).
fn verify_dir(dir: &Path, shown: &Path) -> Result<String, VerifyError> {
    check_manifest(dir)?;
    let recompute = VerifyError::Recompute;
    let result: ResultFile = serde_yaml::from_slice(&read(dir, "result.yaml")?)
        .map_err(|e| recompute(format!("result.yaml: {e}")))?;
    if result.schema != bundle::SCHEMA {
        return Err(recompute(format!(
            "result.yaml: schema {:?}, this tool reads {:?}",
            result.schema,
            bundle::SCHEMA
        )));
    }
    let profile: Profile = match result.profile.as_str() {
        "nova" => Profile::Nova,
        "pike-spec" => Profile::PikeSpec,
        other => return Err(recompute(format!("result.yaml: unknown profile {other:?}"))),
    };
    // Check 2: the oracle.
    let series: Vec<String> = result
        .oracle
        .candidates
        .iter()
        .map(|c| c.series.clone())
        .collect();
    let ours = OracleRef::of(profile, &series).map_err(|e| VerifyError::Oracle(e.to_string()))?;
    if ours != result.oracle || bundle::combined(&result.oracle.candidates) != result.oracle.digest
    {
        return Err(VerifyError::Oracle(format!(
            "bundle made with oracle {} ({} {}), this tool has {} ({})",
            result.oracle.digest,
            result.oracle.profile,
            series.join(", "),
            ours.digest,
            env!("CARGO_PKG_VERSION"),
        )));
    }
    if series != result.nova_release.candidates {
        return Err(recompute(format!(
            "result.yaml: the oracle's series {:?} are not the release candidates {:?}",
            series, result.nova_release.candidates
        )));
    }
    // Check 3: judge again.
    let report: Value = serde_json::from_slice(&read(dir, "report.json")?)
        .map_err(|e| recompute(format!("report.json: {e}")))?;
    if report["schema"] != crate::report::json::SCHEMA {
        return Err(recompute(format!(
            "report.json: schema {}, this tool writes {}",
            report["schema"],
            crate::report::json::SCHEMA
        )));
    }
    let runs = report["runs"]
        .as_array()
        .filter(|r| r.len() == 1)
        .ok_or_else(|| recompute("report.json: a bundle's report has exactly one run".into()))?;
    let run = &runs[0];
    if run["profile"] != result.profile.as_str() {
        return Err(recompute(format!(
            "report.json profile {} but result.yaml {}",
            run["profile"], result.profile
        )));
    }
    let oracles: Vec<Oracle> = series
        .iter()
        .map(|id| {
            let s = nova_releases::ReleaseTable::bundled()
                .get(id)
                .map_err(|e| VerifyError::Oracle(e.to_string()))?;
            Oracle::for_series(profile, s).map_err(|e| VerifyError::Oracle(e.to_string()))
        })
        .collect::<Result<_, _>>()?;
    let counted = rejudge(run, &oracles, &series)?;
    // The counts and the verdicts, both files.
    let c = &result.counts;
    let recorded_counts = [
        ("total", c.total),
        ("pass", c.pass),
        ("fail", c.fail),
        ("skip", c.skip),
        ("error", c.error),
    ];
    let mut diffs = Vec::new();
    for (k, v) in recorded_counts {
        let got = counted.counts.get(k).copied().unwrap_or(0);
        if got != v {
            diffs.push(format!("result.yaml counts.{k} = {v}, recomputed {got}"));
        }
        if k != "total" && run["counts"][k].as_u64() != Some(got as u64) {
            diffs.push(format!(
                "report.json counts.{k} = {}, recomputed {got}",
                run["counts"][k]
            ));
        }
    }
    let json_by: Vec<String> =
        serde_json::from_value(run["nova_release"]["explained_by"].clone()).unwrap_or_default();
    if counted.explained_by != json_by {
        diffs.push(format!(
            "report.json nova_release.explained_by {json_by:?}, recomputed {:?}",
            counted.explained_by
        ));
    }
    if counted.explained_by != result.nova_release.explained_by {
        diffs.push(format!(
            "result.yaml nova_release.explained_by {:?}, recomputed {:?}",
            result.nova_release.explained_by, counted.explained_by
        ));
    }
    let consistent = counted.consistent;
    if consistent != result.nova_release.consistent
        || run["nova_release"]["consistent"].as_bool() != Some(consistent)
    {
        diffs.push(format!(
            "nova_release.consistent recorded {} / {}, recomputed {consistent}",
            result.nova_release.consistent, run["nova_release"]["consistent"]
        ));
    }
    let cleanup = run["cleanup_failures"].as_array().map_or(0, |a| a.len());
    let counts = bundle::Counts {
        total: counted.counts.get("total").copied().unwrap_or(0),
        pass: counted.counts.get("pass").copied().unwrap_or(0),
        fail: counted.counts.get("fail").copied().unwrap_or(0),
        skip: counted.counts.get("skip").copied().unwrap_or(0),
        error: counted.counts.get("error").copied().unwrap_or(0),
    };
    let verdict = bundle::verdict(&counts, cleanup, consistent);
    if verdict != result.verdict {
        diffs.push(format!(
            "result.yaml verdict {:?}, recomputed {verdict:?}",
            result.verdict
        ));
    }
    // The JUnit report's totals.
    let junit = String::from_utf8_lossy(&read(dir, "junit.xml")?).to_string();
    let release_case = usize::from(!consistent);
    for (attr, want) in [
        ("tests", counts.total + release_case),
        ("failures", counts.fail + release_case),
        ("errors", counts.error),
        ("skipped", counts.skip),
    ] {
        // quick-junit writes no `skipped` attribute: count the elements.
        let got = if attr == "skipped" {
            Some(junit.matches("<skipped").count())
        } else {
            junit_attr(&junit, attr)
        };
        if got != Some(want) {
            diffs.push(format!("junit.xml {attr}={got:?}, recomputed {want}"));
        }
    }
    // The subunit stream's final statuses.
    let stream = read(dir, "results.subunit")?;
    let (mut success, mut fail, mut skip, mut error, mut other) = (0, 0, 0, 0, 0);
    for item in subunit::io::sync::iter_stream(&stream[..]) {
        use subunit::types::teststatus::TestStatus as S;
        match item {
            Ok(subunit::types::stream::ScannedItem::Event(e)) => match e.status {
                S::InProgress | S::Undefined => {}
                S::Success => success += 1,
                S::Skipped => skip += 1,
                S::Failed
                    if e.tags.as_ref().is_some_and(|t| {
                        t.iter().any(|t| t == crate::report::subunit::ERROR_TAG)
                    }) =>
                {
                    error += 1
                }
                S::Failed => fail += 1,
                _ => other += 1,
            },
            _ => other += 1,
        }
    }
    let want = (
        counts.pass,
        counts.fail + release_case,
        counts.skip,
        counts.error,
        0,
    );
    if (success, fail, skip, error, other) != want {
        diffs.push(format!(
            "results.subunit has {success} success, {fail} fail, {skip} skip, {error} \
             engine-error, {other} other; recomputed {want:?}"
        ));
    }
    if !diffs.is_empty() {
        return Err(recompute(diffs.join("; ")));
    }
    Ok(format!(
        "bundle {}: {} cases ({} pass, {} fail, {} skip, {} error) re-judged by oracle {} \
         ({} {}): {}\n",
        shown.display(),
        counts.total,
        counts.pass,
        counts.fail,
        counts.skip,
        counts.error,
        result.oracle.digest,
        result.profile,
        series.join(", "),
        verdict
    ))
}

/// The `attr="N"` value of the (bundle's one) `<testsuite>`.
fn junit_attr(xml: &str, attr: &str) -> Option<usize> {
    let start = xml.find("<testsuite ")?;
    let head = &xml[start..start + xml[start..].find('>')?];
    let key = format!(" {attr}=\"");
    let i = head.find(&key)? + key.len();
    head[i..].split('"').next()?.parse().ok()
}

struct Counted {
    counts: HashMap<&'static str, usize>,
    /// The candidates that explain every judged (pass/fail) answer.
    explained_by: Vec<String>,
    /// As `ReleaseVerdict::consistent`: no passing case the closest candidate leaves
    /// unexplained (`release::conclude`).
    consistent: bool,
}

/// Every case of `run`, judged again by `oracles` (one per candidate series).
fn rejudge(run: &Value, oracles: &[Oracle], series: &[String]) -> Result<Counted, VerifyError> {
    let bad = |m: String| VerifyError::Recompute(m);
    let bounds = VersionBounds {
        min: parse_mv(&run["versions"]["min"])?,
        max: parse_mv(&run["versions"]["max"])?,
    };
    // Case ids are hashes of the parameters: every case a run can have, by id.
    let mut by_id: HashMap<String, Case> = HashMap::new();
    for kind in [MatrixKind::Default, MatrixKind::Exhaustive] {
        for c in matrix::build(kind, &bounds) {
            by_id.insert(c.id(), c);
        }
    }
    let results = run["results"]
        .as_array()
        .ok_or_else(|| bad("report.json: no results".into()))?;
    let classes = run["classes"]
        .as_array()
        .ok_or_else(|| bad("report.json: no classes".into()))?;
    let by_case_id: HashMap<&str, &Value> = results
        .iter()
        .filter_map(|r| r["id"].as_str().map(|id| (id, r)))
        .collect();
    let mut counts: HashMap<&'static str, usize> = HashMap::new();
    let mut explained = vec![0usize; oracles.len()];
    let mut judged = 0usize;
    // Per passing case: which candidates explain it (for the closest candidate's gaps).
    let mut passing: Vec<Vec<bool>> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    for r in results {
        let id = r["id"].as_str().unwrap_or("?");
        let Some(case) = by_id.get(id) else {
            problems.push(format!("{id}: not a case of this tool's matrix"));
            continue;
        };
        if r["name"] != case.name().as_str() {
            problems.push(format!("{id}: name {} is not the case's", r["name"]));
        }
        *counts.entry("total").or_default() += 1;
        let recorded = r["verdict"].as_str().unwrap_or("?");
        let elided = r["elided"].as_bool() == Some(true);
        // The answer: the case's own, or (elided) its class representative's.
        let class = r["class"].as_u64().and_then(|k| classes.get(k as usize));
        let source = if elided {
            match class
                .and_then(|c| c["representative"].as_str())
                .and_then(|rep| by_case_id.get(rep))
            {
                Some(rep) if rep["elided"].as_bool() != Some(true) => *rep,
                _ => {
                    problems.push(format!("{id}: elided, but its class has no representative"));
                    continue;
                }
            }
        } else {
            r
        };
        let observed: Option<Observed> = serde_json::from_value(source["observed"].clone())
            .map_err(|e| bad(format!("{id}: observed: {e}")))?;
        let exchange: Option<Exchange> = if elided {
            None
        } else {
            serde_json::from_value(r["exchange"].clone())
                .map_err(|e| bad(format!("{id}: exchange: {e}")))?
        };
        // An elided case gave its class's answer: the class says which.
        if let (Some(c), Some(o)) = (class, &observed) {
            let kind_suffix = match recorded {
                "fail" => "  [FAIL]",
                "error" => "  [ERROR]",
                _ => "",
            };
            // As behaviour_map::answer: a live case's answer is its own class.
            let action = if case.body.is_live() {
                "os-migrateLive: "
            } else {
                ""
            };
            let want = format!("{action}{}{kind_suffix}", o.summary());
            if recorded != "skip" && c["answer"] != want.as_str() {
                problems.push(format!(
                    "{id}: class {} but its answer is {want:?}",
                    c["answer"]
                ));
            }
        }
        let exps: Vec<Option<Expectation>> = oracles
            .iter()
            .map(|o| o.expect(case, &bounds, &context(case, &bounds, &exchange)))
            .collect();
        if !shown_expectation_is_the_oracles(r, &exps) {
            problems.push(format!(
                "{id}: the expectation shown ({}) is not the oracle's",
                if elided {
                    &r["rule"]
                } else {
                    &r["expected"]["rule"]
                }
            ));
        }
        let verdict: &'static str = match recorded {
            "skip" => {
                if observed.is_some() || exchange.is_some() {
                    problems.push(format!("{id}: a skip with a recorded answer"));
                }
                "skip"
            }
            "error" => {
                if r["reason"].as_str().is_none_or(str::is_empty) {
                    problems.push(format!("{id}: an error without a reason"));
                }
                "error"
            }
            "pass" | "fail" => {
                let Some(obs) = &observed else {
                    problems.push(format!("{id}: {recorded} without a recorded answer"));
                    continue;
                };
                let recorded_mm: Vec<Mismatch> = if recorded == "fail" {
                    serde_json::from_value(r["mismatches"].clone())
                        .map_err(|e| bad(format!("{id}: mismatches: {e}")))?
                } else {
                    Vec::new()
                };
                let explains: Vec<bool> = exps
                    .iter()
                    .zip(series)
                    .map(|(exp, s)| {
                        let Some(exp) = exp else { return false };
                        let mut mm = facets(exp, case, &bounds, obs, exchange.as_ref());
                        // The follow-through's own checks, as recorded for this candidate.
                        mm.extend(
                            recorded_mm
                                .iter()
                                .filter(|m| against(&m.what, s, oracles.len()))
                                .filter(|m| !recomputable(&m.what))
                                .map(|m| m.what.clone()),
                        );
                        mm.is_empty()
                    })
                    .collect();
                let pass = explains.iter().any(|e| *e);
                let recomputed = if pass { "pass" } else { "fail" };
                if recomputed != recorded {
                    problems.push(format!(
                        "{id}: recorded {recorded}, recomputed {recomputed} (answer {})",
                        obs.summary()
                    ));
                }
                if oracles.len() > 1 {
                    let by: Vec<String> = series
                        .iter()
                        .zip(&explains)
                        .filter(|(_, e)| **e)
                        .map(|(s, _)| s.clone())
                        .collect();
                    let rec: Vec<String> =
                        serde_json::from_value(r["explained_by"].clone()).unwrap_or_default();
                    if by != rec {
                        problems.push(format!(
                            "{id}: explained by {rec:?} recorded, {by:?} recomputed"
                        ));
                    }
                }
                judged += 1;
                if pass {
                    passing.push(explains.clone());
                }
                for (n, e) in explained.iter_mut().zip(&explains) {
                    *n += usize::from(*e);
                }
                recomputed
            }
            other => {
                problems.push(format!("{id}: unknown verdict {other:?}"));
                continue;
            }
        };
        *counts.entry(verdict).or_default() += 1;
    }
    if !problems.is_empty() {
        let n = problems.len();
        problems.truncate(20);
        return Err(bad(format!(
            "{n} problems: {}{}",
            problems.join("; "),
            if n > 20 { "; ..." } else { "" }
        )));
    }
    let explained_by: Vec<String> = if judged == 0 {
        Vec::new()
    } else {
        series
            .iter()
            .zip(&explained)
            .filter(|(_, n)| **n == judged)
            .map(|(s, _)| s.clone())
            .collect()
    };
    // As release::conclude: with none explaining every answer, the closest (the newest of
    // those explaining the most) must explain every passing case.
    let consistent = if judged == 0 || !explained_by.is_empty() {
        true
    } else {
        let best = (0..series.len())
            .max_by_key(|&i| (explained[i], i))
            .unwrap_or(0);
        passing
            .iter()
            .all(|e| e.get(best).copied().unwrap_or(false))
    };
    Ok(Counted {
        counts,
        explained_by,
        consistent,
    })
}

fn parse_mv(v: &Value) -> Result<Microversion, VerifyError> {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| VerifyError::Recompute(format!("report.json: bad microversion {v}")))
}

/// The values an expectation's message is matched with, as the report recorded them: server
/// ids are `<uuid>` in every redacted text; the host is the one the recorded request named
/// (`None` without an exchange: any host text matches, see [`message_matches`]).
fn context(case: &Case, bounds: &VersionBounds, x: &Option<Exchange>) -> MessageContext {
    let host = x
        .as_ref()
        .and_then(|x| x.request.body.as_deref())
        .and_then(|b| serde_json::from_str::<Value>(b).ok())
        .and_then(|v| v["migrate"]["host"].as_str().map(String::from));
    MessageContext {
        server_id: "<uuid>".into(),
        host,
        version_sent: case.version.header_value(bounds),
    }
}

/// Whether a recorded mismatch `what` is against candidate `series` (with several candidates
/// each is labelled `[Nova a, b] what`).
fn against(what: &str, series: &str, candidates: usize) -> bool {
    if candidates <= 1 {
        return true;
    }
    match what.strip_prefix("[Nova ").and_then(|w| w.split_once("] ")) {
        Some((labels, _)) => labels.split(", ").any(|l| l == series),
        None => true,
    }
}

/// Facets the recompute judges itself; the others (migration record, confirm/revert...) are
/// the follow-through's and are taken as recorded.
fn recomputable(what: &str) -> bool {
    let w = what
        .strip_prefix("[Nova ")
        .and_then(|w| w.split_once("] "))
        .map_or(what, |(_, w)| w);
    matches!(w, "status" | "fault" | "message" | "body" | "end state") || w.starts_with("header ")
}

fn message_matches(exp: &Expectation, obs: &Observed) -> bool {
    let (Some(pattern), Some(message)) = (&exp.message_pattern, &obs.message) else {
        return exp.message.is_none();
    };
    let values: Vec<(&str, &str)> = exp
        .message_values
        .iter()
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    // The deployment's figures are placeholders in the observed message: well-formed
    // figures stand for them, as one well-formed id stands for the redacted request ids.
    let message = &crate::http::figures::with_example_figures(message);
    if crate::message::matches(pattern, &values, message) {
        return true;
    }
    // The host the case named is not always known as the message has it (an elided case has
    // no recorded request; a redacted message names the server's and the other host by
    // their role only where quoted): any text stands for it, the rest must match.
    let any_host = pattern.replace("%(host)s", ".+");
    any_host != *pattern && crate::message::matches(&any_host, &values, message)
}

/// What differs between the recorded answer and `exp`, facet by facet.
fn facets(
    exp: &Expectation,
    case: &Case,
    bounds: &VersionBounds,
    obs: &Observed,
    x: Option<&Exchange>,
) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(resp) = x.and_then(|x| x.response.as_ref()) {
        // The whole exchange: as the run judged it, with the redacted request ids put back
        // as one well-formed id (their equality is not recorded).
        if resp.status != obs.status {
            out.push("observed status is not the exchange's".into());
        }
        let restored = RecordedResponse {
            headers: resp
                .headers
                .iter()
                .map(|(k, v)| {
                    let v = if v == "req-<uuid>" {
                        "req-00000000-0000-4000-8000-000000000000".to_string()
                    } else {
                        v.clone()
                    };
                    (k.clone(), v)
                })
                .collect(),
            ..resp.clone()
        };
        let echoed = case.version.echoed(bounds);
        for m in crate::judge::judge(exp, &restored, echoed.as_deref()) {
            // The message was matched against the unredacted text at run time; the redacted
            // one is matched below.
            if m.what != "message" {
                out.push(m.what);
            }
        }
    } else {
        if obs.status != exp.status {
            out.push("status".into());
        }
        if exp.fault.is_some() && obs.fault != exp.fault {
            out.push("fault".into());
        }
    }
    if exp.message.is_some() && !message_matches(exp, obs) {
        out.push("message".into());
    }
    // An accepted migrate of an existing server is followed through: its end state is judged
    // (a missing server has none to follow).
    if (200..300).contains(&exp.status)
        && obs.status == exp.status
        && case.precondition != crate::variant::Precondition::Nonexistent
    {
        let end = obs
            .end
            .as_deref()
            .and_then(crate::followthrough::classify_end);
        if end != Some(exp.end) {
            out.push("end state".into());
        }
    }
    out
}

/// Whether the expectation a report shows for a case (`expected`, or an elided case's
/// `rule`) is one of the oracle's for it: a reader must not be shown another rule.
fn shown_expectation_is_the_oracles(r: &Value, exps: &[Option<Expectation>]) -> bool {
    let exps: Vec<&Expectation> = exps.iter().flatten().collect();
    if r["elided"] == true {
        return (r["rule"].is_null() && exps.is_empty())
            || exps.iter().any(|e| r["rule"] == e.rule.as_str());
    }
    let shown = &r["expected"];
    if shown.is_null() {
        // Skips (and errors before the request) show none.
        return true;
    }
    exps.iter().any(|e| {
        shown["rule"] == e.rule.as_str()
            && shown["status"] == e.status
            && shown["fault"] == serde_json::json!(e.fault)
            && shown["end"] == serde_json::json!(e.end)
            && shown["headers"] == serde_json::json!(e.headers)
    })
}
