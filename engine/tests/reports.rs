//! Reports from a run against the fake: well-formed, complete, credential-free.
use test_support::fake_nova;

use fake_nova::{Deviation, FakeTarget};
use nova_conform::Filter;
use nova_conform::MatrixKind;
use nova_conform::Plan;
use nova_conform::Profile;
use nova_conform::ReleaseChoice;
use nova_conform::RunOutcome;
use nova_conform::VerdictKind;
use nova_conform::{no_events, Session};
use nova_conform::{report, report::behaviour_map, report::summary};

async fn outcome(deviation: Deviation) -> RunOutcome {
    let target = FakeTarget::start(Profile::Nova, deviation, 1, 60).await;
    let plan = Plan {
        profile: Profile::Nova,
        kind: MatrixKind::Default,
        filter: Filter::parse(Some("!mv=2.2-2.49"), None).unwrap(),
        jobs: 16,
        release: ReleaseChoice::newest(),
    };
    Session::over(std::sync::Arc::new(target))
        .await
        .unwrap()
        .run(&plan, no_events())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_are_complete_and_redacted() {
    let o = outcome(Deviation::HostIgnoredAt256).await;
    let fails = o.count(VerdictKind::Fail);
    assert!(fails > 0);

    let json: serde_json::Value = serde_json::from_str(&report::json::render(&[&o])).unwrap();
    assert_eq!(json["schema"], "nova-conform.report/2");
    assert_eq!(json["runs"][0]["counts"]["fail"], fails);
    assert_eq!(
        json["runs"][0]["results"].as_array().unwrap().len(),
        o.results.len()
    );
    let first_fail = json["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["verdict"] == "fail")
        .unwrap();
    assert!(first_fail["mismatches"]
        .as_array()
        .is_some_and(|m| !m.is_empty()));

    let xml = report::junit::render(&[&o]).unwrap();
    assert!(
        xml.contains(&format!("failures=\"{fails}\"")),
        "{}",
        &xml[..400]
    );

    let html = report::html::render(&[&o]);
    assert!(html.contains("const DATA = [{"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the HTML report must not load anything"
    );

    let text = summary::render(&o, 5);
    assert!(text.contains(&format!("{fails} fail")));

    for doc in [
        report::json::render(&[&o]),
        xml,
        html,
        text,
        behaviour_map::render_exchanges(&o),
    ] {
        assert!(!doc.contains("tok-"), "a token leaked into a report");
    }
    if let Ok(dir) = std::env::var("NOVA_CONFORM_HTML_OUT") {
        std::fs::write(
            format!("{dir}/fake-report.html"),
            report::html::render(&[&o]),
        )
        .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behaviour_map_collapses_ranges() {
    let o = outcome(Deviation::None).await;
    let map = behaviour_map::render(&o);
    // Below 2.56 the host is ignored; from 2.56 the named host is where the server goes.
    assert!(
        map.contains("host=other,force=absent on active as admin\n  2.1-2.55      202 -> VERIFY_RESIZE on another host"),
        "{map}"
    );
    assert!(
        map.contains("  2.56-2.60     202 -> VERIFY_RESIZE on the requested host"),
        "{map}"
    );
    let ex = behaviour_map::render_exchanges(&o);
    assert!(ex.contains("POST /v2.1/servers/<uuid>/action"));
    assert!(
        ex.contains("\"<another enabled host>\""),
        "host names are replaced by their role"
    );
}
