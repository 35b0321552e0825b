//! Every error rule of the oracle refuses near misses: for each rule the default matrix of
//! either profile reaches on the embedded mock, its passing answer is altered in one way (another
//! status, another fault key, a message with a character added at either end or its first word
//! changed) and judged again: each alteration must be a mismatch. A loosened rule (say the
//! same-host message cut to `^Cannot`) fails here; the loader refuses an unanchored message.
use std::collections::BTreeSet;

use nova_conform::judge;
use nova_conform::Filter;
use nova_conform::MatrixKind;
use nova_conform::Plan;
use nova_conform::Profile;
use nova_conform::RecordedResponse;
use nova_conform::ReleaseChoice;
use nova_conform::VerdictKind;
use nova_conform::DEFAULT_JOBS;
use nova_conform::{no_events, Session};
use serde_json::Value;

/// `resp` with its fault body changed by `f(key, message) -> (key, message)`.
fn with_fault(
    resp: &RecordedResponse,
    f: impl Fn(&str, &str) -> (String, String),
) -> RecordedResponse {
    let body: Value = serde_json::from_str(&resp.body).expect("a fault body is JSON");
    let (key, inner) = body.as_object().unwrap().iter().next().unwrap();
    let message = inner["message"].as_str().unwrap();
    let (k, m) = f(key, message);
    let mut inner = inner.clone();
    inner["message"] = Value::String(m);
    let mut out = resp.clone();
    out.body = serde_json::json!({ k: inner }).to_string();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_error_rule_refuses_near_misses() {
    let mut rules_seen = BTreeSet::new();
    for profile in Profile::ALL {
        let session = Session::embedded(profile, ReleaseChoice::Auto)
            .await
            .unwrap();
        let plan = Plan {
            profile,
            kind: MatrixKind::Default,
            filter: Filter::default(),
            jobs: DEFAULT_JOBS,
            release: ReleaseChoice::Auto,
        };
        let outcome = session.run(&plan, no_events()).await.unwrap();
        session.shutdown().await;
        for r in &outcome.results {
            assert_eq!(r.verdict.kind(), VerdictKind::Pass, "{}", r.name);
            let mut exp = r.expected.clone().unwrap();
            if exp.status < 400 {
                continue;
            }
            // Only status, fault and message are altered here; headers have their own tests.
            exp.headers.clear();
            // The recorded exchange is redacted: the server's id reads `<uuid>` in it.
            for (k, v) in exp.message_values.iter_mut() {
                if *k == "server_id" {
                    *v = "<uuid>".into();
                }
            }
            let resp = r.exchange.as_ref().unwrap().response.clone().unwrap();
            assert!(
                judge(&exp, &resp, None).is_empty(),
                "{}: the answer as given",
                r.name
            );
            let mut other = resp.clone();
            other.status = if resp.status == 400 { 409 } else { 400 };
            let near: [(&str, RecordedResponse); 5] = [
                ("another status", other),
                (
                    "another fault",
                    with_fault(&resp, |k, m| (format!("{k}x"), m.to_string())),
                ),
                (
                    "a character after",
                    with_fault(&resp, |k, m| (k.to_string(), format!("{m}x"))),
                ),
                (
                    "a character before",
                    with_fault(&resp, |k, m| (k.to_string(), format!("x{m}"))),
                ),
                (
                    "the first word changed",
                    with_fault(&resp, |k, m| {
                        let rest = m.split_once(' ').map_or("", |(_, r)| r);
                        (k.to_string(), format!("Nonsense {rest}"))
                    }),
                ),
            ];
            for (what, answer) in &near {
                assert!(
                    !judge(&exp, answer, None).is_empty(),
                    "{profile} rule {} passes {what}: {} ({})",
                    exp.rule,
                    answer.body,
                    r.name
                );
            }
            rules_seen.insert(exp.rule.clone());
        }
    }
    // Exactly the error rules the default matrices reach (both profiles, Nova 2026.2): 26
    // cold ones and 31 of live.toml (its 1.5-ratio and Queens..Train rules do not apply).
    let seen: Vec<&str> = rules_seen.iter().map(String::as_str).collect();
    assert_eq!(
        seen.iter().filter(|r| r.starts_with("live:")).count(),
        31,
        "{seen:#?}"
    );
    assert_eq!(seen.len(), 26 + 31, "{seen:#?}");
}
