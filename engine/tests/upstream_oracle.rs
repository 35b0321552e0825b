//! The `nova` oracle against real upstream Nova: every observation of the migrate action that
//! upstream-nova/ recorded (upstream-nova/observed/nova-<version>.json, one file per Nova
//! version) and that maps onto a case of the matrix is judged by the oracle of that version's
//! series exactly as the runner would judge a live answer (status, fault, message, headers,
//! end state). The mock is not involved, so this checks the oracle against the ground truth
//! rather than against the other description.
use nova_conform::judge;
use nova_conform::Case;
use nova_conform::EndState;
use nova_conform::RecordedResponse;
use nova_conform::{BodyShape, ForceVariant as F, HostVariant as H, OtherBody, Precondition, Role};
use nova_conform::{HeaderStyle, Microversion, VersionBounds, VersionSelector};
use nova_conform::{MessageContext, Oracle, Profile};
use serde_json::Value;

const OBSERVED_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../upstream-nova/observed");
const SOURCE_HOST: &str = "compute1";

fn version(tok: &str, bounds: &VersionBounds) -> Option<(VersionSelector, HeaderStyle)> {
    let exact = |s: &str| s.parse::<Microversion>().ok().map(VersionSelector::Exact);
    Some(match tok {
        "none" => (VersionSelector::Absent, HeaderStyle::Modern),
        "latest" => (VersionSelector::Latest, HeaderStyle::Modern),
        "2.x" => (VersionSelector::Malformed, HeaderStyle::Modern),
        t if t.starts_with("legacy-") => (exact(&t[7..])?, HeaderStyle::Legacy),
        // 2.0, 2.056, 2.200 and the odd header combinations are not matrix cases.
        "2.0" | "2.056" | "2.200" => return None,
        // The matrix's out-of-range version is the max + 1.
        t if t.parse::<Microversion>().ok() == Some(Microversion::new(2, bounds.max.minor + 1)) => {
            (VersionSelector::OutOfRange, HeaderStyle::Modern)
        }
        // Any other version above the release's max (a probe of an older release records
        // 2.80 or 2.104 where its max is 2.60) is not a matrix case of that release.
        t if t.parse::<Microversion>().is_ok_and(|v| v > bounds.max) => return None,
        t => (exact(t)?, HeaderStyle::Modern),
    })
}

fn body(name: &str) -> Option<BodyShape> {
    let m = |host, force| Some(BodyShape::Migrate { host, force });
    match name {
        "migrate-null" => Some(BodyShape::Other(OtherBody::MigrateNull)),
        "migrate-string" => Some(BodyShape::Other(OtherBody::MigrateString)),
        "migrate-empty" => m(H::Absent, F::Absent),
        "host-null" => m(H::Null, F::Absent),
        "host-other" => m(H::Other, F::Absent),
        "host-own" => m(H::Own, F::Absent),
        "host-unknown" => m(H::Unknown, F::Absent),
        "host-bad-chars" => m(H::InvalidChars, F::Absent),
        "host-empty" => m(H::Empty, F::Absent),
        "host-256" => m(H::TooLong, F::Absent),
        "host-int" => m(H::NonString, F::Absent),
        "host-disabled" => m(H::Disabled, F::Absent),
        "host-full" => m(H::NoCapacity, F::Absent),
        "host-other-force-true" => m(H::Other, F::True),
        "host-other-force-false" => m(H::Other, F::False),
        "host-other-force-null" => m(H::Other, F::Null),
        "force-true-no-host" => m(H::Absent, F::True),
        "host-null-force-true" => m(H::Null, F::True),
        _ => None,
    }
}

fn precondition(s: &str) -> Option<Precondition> {
    Some(match s {
        "ACTIVE" => Precondition::Active,
        "SHUTOFF" => Precondition::Shutoff,
        "VERIFY_RESIZE" => Precondition::VerifyResize,
        "PAUSED" => Precondition::Paused,
        "SUSPENDED" => Precondition::Suspended,
        "LOCKED" => Precondition::Locked,
        "NONEXISTENT" => Precondition::Nonexistent,
        _ => return None,
    })
}

fn role(s: &str) -> Option<Role> {
    s.parse().ok()
}

/// The case an observation id describes, if it is one of the matrix's.
fn case_of(id: &str, bounds: &VersionBounds) -> Option<Case> {
    let parts: Vec<&str> = id.split('/').collect();
    let (pre, role, name, ver) = match parts.as_slice() {
        ["migrate", ver, name] => (Precondition::Active, Role::Admin, *name, *ver),
        ["precondition", state, r, rest] => {
            let (name, ver) = rest.split_once('@')?;
            (precondition(state)?, role(r)?, name, ver)
        }
        ["role", r, rest] => {
            let (name, ver) = rest.split_once('@')?;
            (Precondition::Active, role(r)?, name, ver)
        }
        _ => return None,
    };
    let (version, header) = version(ver, bounds)?;
    Some(Case {
        version,
        header,
        body: body(name)?,
        precondition: pre,
        role,
    })
}

fn end_class(outcome: &Value, requested: Option<&str>) -> Option<EndState> {
    let status = outcome["server"]["status"].as_str()?;
    let host = outcome["server"]["host"].as_str()?;
    let mig = outcome["migrations"]
        .as_array()
        .and_then(|m| m.last())
        .map(|m| m["status"].as_str().unwrap_or(""));
    Some(match status {
        "VERIFY_RESIZE" if requested == Some(host) => EndState::VerifyResizeOnRequested,
        "VERIFY_RESIZE" if host != SOURCE_HOST => EndState::VerifyResizeOnOther,
        _ if mig == Some("error") && host == SOURCE_HOST => EndState::AsyncFailure,
        _ => EndState::Unchanged,
    })
}

/// Observations mapped onto cases, per observed Nova version (sorted by version string).
/// probe.py records 2.80, 2.104 and 2.105: versions above a release's max are no cases of it.
const EXPECTED_MAPPED: &[(&str, usize)] = &[
    ("17.0.13", 268),
    ("18.3.0", 268),
    ("19.3.2", 268),
    ("20.6.1", 286),
    ("21.2.4", 307),
    ("25.3.0", 307),
    ("27.5.1", 307),
    ("28.3.1", 307),
    ("29.4.0", 307),
    ("30.3.0", 307),
    ("31.3.1", 307),
    ("32.2.1", 307),
    ("33.0.2", 307),
    ("34.0.0", 307),
];

#[test]
fn nova_oracle_agrees_with_upstream_nova() {
    let mut files: Vec<_> = std::fs::read_dir(OBSERVED_DIR)
        .expect("observations are checked in")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("nova-") && n.ends_with(".json"))
        })
        .collect();
    files.sort();
    let mut versions = Vec::new();
    let mut counts = Vec::new();
    for path in &files {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let nova = doc["nova"]
            .as_str()
            .expect("the file names its Nova version");
        versions.push(nova.to_string());
        let checked = judge_file(&doc, nova);
        counts.push((nova.to_string(), checked));
    }
    // How many observations of each file map onto a matrix case (the others probe what the
    // matrix has no case for: other actions, versions above a release's max): exact, so an
    // observation file or a case mapping that silently loses cases fails here.
    let expected: Vec<(String, usize)> = EXPECTED_MAPPED
        .iter()
        .map(|(v, n)| (v.to_string(), *n))
        .collect();
    counts.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(counts, expected);
    assert!(versions.contains(&"34.0.0".to_string()), "{versions:?}");
}

/// Judges every observation of `doc` (from Nova `nova`) with its series' oracle; returns how
/// many mapped onto cases, and fails on any disagreement.
fn judge_file(doc: &Value, nova: &str) -> usize {
    let series = nova_releases::ReleaseTable::bundled()
        .get(nova)
        .expect("the observed Nova is in the release table");
    let max: Microversion = doc["max_microversion"]
        .as_str()
        .map(|m| m.parse().unwrap())
        .unwrap_or(Microversion::new(
            series.max_microversion.major,
            series.max_microversion.minor,
        ));
    let bounds = VersionBounds {
        min: Microversion::new(2, 1),
        max,
    };
    let oracle = Oracle::for_series(Profile::Nova, series).unwrap();
    let mut checked = 0;
    let mut disagreements = Vec::new();
    for obs in doc["observations"].as_array().unwrap() {
        let id = obs["id"].as_str().unwrap();
        let Some(case) = case_of(id, &bounds) else {
            continue;
        };
        let path = obs["request"]["path"].as_str().unwrap();
        let server_id = path
            .trim_start_matches("/v2.1/servers/")
            .trim_end_matches("/action")
            .to_string();
        let requested = match &obs["request"]["body"]["migrate"]["host"] {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        let ctx = MessageContext {
            server_id,
            host: requested.clone(),
            version_sent: case.version.header_value(&bounds),
        };
        let exp = oracle
            .expect(&case, &bounds, &ctx)
            .expect("the oracle covers every case");
        // The recorder redacted request ids; give them a well-formed value again.
        let rid = "req-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
        let resp = RecordedResponse {
            status: obs["response"]["status"].as_u64().unwrap() as u16,
            headers: obs["response"]["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    let v = h[1].as_str().unwrap_or("").replace("req-<uuid>", rid);
                    (h[0].as_str().unwrap().to_string(), v)
                })
                .collect(),
            body: match &obs["response"]["body"] {
                Value::Null => String::new(),
                b => b.to_string(),
            },
        };
        let mut mismatches = judge(&exp, &resp, case.version.echoed(&bounds).as_deref());
        if resp.status == 202 {
            if let Some(outcome) = obs.get("outcome") {
                let got = end_class(outcome, requested.as_deref());
                // Below 2.56 the scheduler may pick the host the body named: still "another host".
                let ok = got == Some(exp.end)
                    || (exp.end == EndState::VerifyResizeOnOther
                        && got == Some(EndState::VerifyResizeOnRequested));
                if !ok {
                    mismatches.push(nova_conform::Mismatch {
                        what: "end state".into(),
                        expected: format!("{:?}", exp.end),
                        got: format!("{got:?}"),
                    });
                }
            }
        }
        checked += 1;
        if !mismatches.is_empty() {
            disagreements.push(format!("{id} ({}): {mismatches:?}", exp.rule));
        }
    }
    assert!(
        disagreements.is_empty(),
        "Nova {nova} (judged as {}): {} of {checked} disagree:\n{}",
        series.label(),
        disagreements.len(),
        disagreements.join("\n")
    );
    checked
}
