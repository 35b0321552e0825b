//! The cold-versus-live consistency report on the embedded mock, both profiles: which classes
//! the two actions answer alike and how the others diverge (report/consistency.rs).
use nova_conform::report::consistency::{self, Consistency};
use nova_conform::{no_events, Filter, MatrixKind, Plan, Profile, ReleaseChoice, Session};

/// ACTIVE server, admin, a named or no host, with and without force, at the three versions
/// where cold and live migration's host handling differs (2.30 live force, 2.56 cold host,
/// 2.68 live force gone).
const FILTER: &str = "pre=active role=admin host=other,null force=absent,true mv=2.30,2.56,2.68";

async fn run(profile: Profile, filter: &str) -> nova_conform::RunOutcome {
    let session = Session::embedded(profile, ReleaseChoice::Auto)
        .await
        .unwrap();
    let plan = Plan {
        profile,
        kind: MatrixKind::Default,
        filter: Filter::parse(Some(filter), None).unwrap(),
        jobs: 8,
        release: ReleaseChoice::Auto,
    };
    let out = session.run(&plan, no_events()).await.unwrap();
    session.shutdown().await;
    out
}

async fn consistency(profile: Profile, filter: &str) -> Option<Consistency> {
    consistency::of(&run(profile, filter).await)
}

/// (version, host, force) -> (cold outcome, live outcome) of each compared class.
fn table(c: &Consistency) -> Vec<String> {
    c.classes
        .iter()
        .map(|k| {
            format!(
                "{} host={} force={}: cold {} | live {}{}",
                k.version,
                k.host,
                k.force,
                k.cold_outcome,
                k.live_outcome,
                if k.divergence.is_some() {
                    "  DIVERGES"
                } else {
                    ""
                }
            )
        })
        .collect()
}

/// The classes both profiles answer alike: the scheduler's pick without a host, a named host
/// from 2.56, and force without a host at 2.68 (a 400 either way).
const SHARED: [&str; 7] = [
    "2.30 host=null force=absent: cold 202 -> moved to another host | live 202 -> moved to another host",
    "2.56 host=null force=absent: cold 202 -> moved to another host | live 202 -> moved to another host",
    "2.56 host=other force=absent: cold 202 -> moved to the requested host | live 202 -> moved to the requested host",
    "2.68 host=null force=absent: cold 202 -> moved to another host | live 202 -> moved to another host",
    "2.68 host=null force=true: cold 400 badRequest | live 400 badRequest",
    "2.68 host=other force=absent: cold 202 -> moved to the requested host | live 202 -> moved to the requested host",
    // Below 2.56 cold migrate reads no body: host and force are ignored, live honours both.
    "2.30 host=null force=true: cold 202 -> moved to another host | live 400 badRequest  DIVERGES",
];

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_nova_has_force_for_live_only() {
    let c = consistency(Profile::Nova, FILTER).await.unwrap();
    let mut want: Vec<String> = SHARED.iter().map(|s| s.to_string()).collect();
    want.extend(
        [
            "2.30 host=other force=absent: cold 202 -> moved to another host | live 202 -> moved to the requested host  DIVERGES",
            "2.30 host=other force=true: cold 202 -> moved to another host | live 202 -> moved to the requested host  DIVERGES",
            // The spec's force never reached cold migration: a 400 where live forces the host.
            "2.56 host=other force=true: cold 400 badRequest | live 202 -> moved to the requested host  DIVERGES",
            "2.68 host=other force=true: cold 400 badRequest | live 400 badRequest",
        ]
        .map(String::from),
    );
    assert_eq!(sorted(table(&c)), sorted(want));
    assert_eq!((c.compared, c.same, c.diverging), (11, 7, 4));
    let rules: Vec<(Option<&str>, Option<&str>, usize)> = c
        .divergences
        .iter()
        .map(|d| (d.cold_rule.as_deref(), d.live_rule.as_deref(), d.classes))
        .collect();
    assert_eq!(
        rules,
        [
            (
                Some("common:accepted-scheduler-picks"),
                Some("live:live-force-without-host"),
                1
            ),
            (
                Some("common:accepted-scheduler-picks"),
                Some("live:live-accepted-requested-host"),
                1
            ),
            (
                Some("common:accepted-scheduler-picks"),
                Some("live:live-accepted-forced"),
                1
            ),
            (
                Some("nova:force-not-allowed"),
                Some("live:live-accepted-forced"),
                1
            ),
        ]
    );
    let text = consistency::render(&c);
    assert!(text.contains(
        "11 classes sent both ways, 7 the same, 4 diverging in 4 ways:\n      1  cold 202 -> moved to another host [common:accepted-scheduler-picks]  |  live 400 badRequest [live:live-force-without-host]\n         at 2.30; host null; force true; active; as admin\n"
    ), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pike_spec_makes_a_forced_cold_host_what_live_does_from_2_56() {
    let c = consistency(Profile::PikeSpec, FILTER).await.unwrap();
    let mut want: Vec<String> = SHARED.iter().map(|s| s.to_string()).collect();
    want.extend(
        [
            "2.30 host=other force=absent: cold 202 -> moved to another host | live 202 -> moved to the requested host  DIVERGES",
            "2.30 host=other force=true: cold 202 -> moved to another host | live 202 -> moved to the requested host  DIVERGES",
            "2.56 host=other force=true: cold 202 -> moved to the requested host | live 202 -> moved to the requested host",
            // Live migration dropped force at 2.68; the spec's cold force stays.
            "2.68 host=other force=true: cold 202 -> moved to the requested host | live 400 badRequest  DIVERGES",
        ]
        .map(String::from),
    );
    assert_eq!(sorted(table(&c)), sorted(want));
    assert_eq!((c.compared, c.same, c.diverging), (11, 7, 4));
    assert_eq!(
        c.divergences[3].cold_rule.as_deref(),
        Some("pike-spec:forced-to-host")
    );
    assert_eq!(
        c.divergences[3].live_rule.as_deref(),
        Some("live:live-force-not-allowed-from-2-68")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_action_alone_has_no_consistency_report() {
    for only in ["action=cold", "action=live"] {
        let f = format!("{FILTER} {only}");
        assert_eq!(consistency(Profile::Nova, &f).await, None, "{only}");
    }
}

/// The JSON report carries the same section; the HTML report's data has the second matrix:
/// one row per (host, force), one column per version, each cell its compared and diverging
/// counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reports_carry_it() {
    let out = run(Profile::Nova, FILTER).await;
    let json: serde_json::Value =
        serde_json::from_str(&nova_conform::report::json::render(&[&out])).unwrap();
    let c = &json["runs"][0]["consistency"];
    assert_eq!(
        (&c["compared"], &c["same"], &c["diverging"]),
        (
            &serde_json::json!(11),
            &serde_json::json!(7),
            &serde_json::json!(4)
        )
    );
    assert_eq!(c["classes"].as_array().unwrap().len(), 11);
    assert_eq!(c["divergences"][3]["cold_rule"], "nova:force-not-allowed");
    assert_eq!(c["divergences"][3]["versions"], "2.56");
    let html = nova_conform::report::html::render(&[&out]);
    let data = html
        .split("const DATA = ")
        .nth(1)
        .and_then(|d| d.split(";\n").next())
        .unwrap();
    let data: serde_json::Value = serde_json::from_str(&data.replace("<\\/", "</")).unwrap();
    let m = &data[0]["consistency"];
    assert_eq!(m["columns"], serde_json::json!(["2.30", "2.56", "2.68"]));
    let rows: Vec<(String, Vec<(u64, u64)>)> = m["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let cells = r["cells"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| (c["n"].as_u64().unwrap(), c["d"].as_u64().unwrap()))
                .collect();
            (r["label"].as_str().unwrap().to_string(), cells)
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "host=null force=absent".to_string(),
                vec![(1, 0), (1, 0), (1, 0)]
            ),
            (
                "host=null force=true".to_string(),
                vec![(1, 1), (0, 0), (1, 0)]
            ),
            (
                "host=other force=absent".to_string(),
                vec![(1, 1), (1, 0), (1, 0)]
            ),
            (
                "host=other force=true".to_string(),
                vec![(1, 1), (1, 1), (1, 0)]
            ),
        ]
    );
    // Without the live cases there is nothing to compare, in either report.
    let cold = run(Profile::Nova, &format!("{FILTER} action=cold")).await;
    let json = nova_conform::report::json::render(&[&cold]);
    assert!(!json.contains("\"consistency\""));
    assert!(nova_conform::report::html::render(&[&cold]).contains("\"consistency\":null"));
}
