//! Judging by Nova release: answers of a Nova 2025.1 (the wiremock fake with the 2025.1
//! policies: a manager is refused as a member is) judged as 2025.2 fail exactly the manager
//! cases; `auto` finds 2025.1 from the manager's migration list; a fake that is neither fails
//! the run and names the cases no single series explains.
use test_support::fake_nova;

use std::collections::BTreeSet;

use fake_nova::{Deviation, FakeTarget};
use nova_conform::Case;
use nova_conform::Filter;
use nova_conform::MatrixKind;
use nova_conform::ReleaseChoice;
use nova_conform::Role;
use nova_conform::RunOutcome;
use nova_conform::VerdictKind;
use nova_conform::{no_events, Session};
use nova_conform::{report, report::summary};
use nova_conform::{select_cases as select, Plan};
use nova_conform::{MessageContext, Oracle, Profile};
use nova_conform::{Microversion, VersionBounds};
use nova_releases::ReleaseTable;

/// The fake models cold `migrate` only, so the live cases are left out.
const FILTER: &str = "!mv=2.2-2.54 !action=live";

fn plan(release: ReleaseChoice) -> Plan {
    Plan {
        profile: Profile::Nova,
        kind: MatrixKind::Default,
        filter: Filter::parse(Some(FILTER), None).unwrap(),
        jobs: 16,
        release,
    }
}

fn series(name: &str) -> ReleaseChoice {
    ReleaseChoice::Series(ReleaseTable::bundled().get(name).unwrap())
}

async fn outcome(deviation: Deviation, release: ReleaseChoice) -> RunOutcome {
    let target = FakeTarget::start(Profile::Nova, deviation, 1, 100).await;
    Session::over(std::sync::Arc::new(target))
        .await
        .unwrap()
        .run(&plan(release), no_events())
        .await
        .unwrap()
}

fn ids(o: &RunOutcome, k: VerdictKind) -> BTreeSet<String> {
    o.results
        .iter()
        .filter(|r| r.verdict.kind() == k)
        .map(|r| r.id.clone())
        .collect()
}

/// The cases whose expected status differs between 2025.1 and 2025.2, from the two oracles.
fn where_2025_1_and_2025_2_differ() -> Vec<Case> {
    let bounds = VersionBounds {
        min: Microversion::new(2, 1),
        max: Microversion::new(2, 100),
    };
    let t = ReleaseTable::bundled();
    let old = Oracle::for_series(Profile::Nova, t.get("2025.1").unwrap()).unwrap();
    let new = Oracle::for_series(Profile::Nova, t.get("2025.2").unwrap()).unwrap();
    let ctx = MessageContext::default();
    select(&plan(ReleaseChoice::Auto), &bounds)
        .into_iter()
        .filter(|c| {
            old.expect(c, &bounds, &ctx).unwrap().status
                != new.expect(c, &bounds, &ctx).unwrap().status
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_2025_1_judged_as_2025_2_fails_exactly_the_manager_cases() {
    let differ = where_2025_1_and_2025_2_differ();
    // Manager, a body whose host is not read (or none), on a server that exists: six
    // preconditions x (migrate-null at 2.1, 2.55, 2.56, 2.100 + three host bodies at 2.1 and
    // 2.55).
    assert_eq!(differ.len(), 60);
    assert!(differ.iter().all(|c| c.role == Role::Manager));
    let o = outcome(Deviation::Nova2025_1, series("2025.2")).await;
    let failed = ids(&o, VerdictKind::Fail);
    let want: BTreeSet<String> = differ.iter().map(Case::id).collect();
    assert_eq!(failed, want);
    assert_eq!(o.count(VerdictKind::Error), 0);
    assert_eq!(o.count(VerdictKind::Pass), o.results.len() - 60);
    for r in o
        .results
        .iter()
        .filter(|r| r.verdict.kind() == VerdictKind::Fail)
    {
        assert!(r.name.ends_with(" as manager"), "{}", r.name);
        assert_eq!(r.observed.as_ref().unwrap().status, 403, "{}", r.name);
    }
    assert_eq!(o.release.mode, "explicit");
    assert_eq!(o.release.candidates, ["2025.2"]);
    assert!(o.release.explained_by.is_empty());
    // Judged as what it is, it passes.
    let o = outcome(Deviation::Nova2025_1, series("epoxy")).await;
    assert_eq!(o.count(VerdictKind::Pass), o.results.len());
    assert_eq!(o.release.describe(), "behaves like Nova 2025.1 (epoxy)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_tells_2025_1_from_2025_2_by_the_managers_migration_list() {
    for (deviation, want) in [
        (Deviation::Nova2025_1, "2025.1"),
        (Deviation::None, "2025.2"),
    ] {
        let o = outcome(deviation, ReleaseChoice::Auto).await;
        assert_eq!(o.count(VerdictKind::Pass), o.results.len(), "{want}");
        assert_eq!(o.release.mode, "auto");
        assert_eq!(o.release.candidates, [want], "{:?}", o.release.notes);
        assert_eq!(o.release.explained_by, [want]);
        assert!(o.release.consistent());
        assert_eq!(
            o.release.notes[0], "advertised max microversion 2.100",
            "{:?}",
            o.release.notes
        );
        assert!(
            o.release.notes[1].starts_with("GET /os-migrations?project_id=<the manager's project>"),
            "{:?}",
            o.release.notes
        );
        let text = summary::render(&o, 0);
        assert!(
            text.contains(&format!("  Nova release: behaves like Nova {want} (")),
            "{text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_no_single_series_explains_fails_and_names_the_cases() {
    let o = outcome(Deviation::ManagerHalfway, ReleaseChoice::Auto).await;
    // The signal answered 500: not used, both candidates stay.
    assert_eq!(o.release.candidates, ["2025.1", "2025.2"]);
    assert!(
        o.release.notes[1].ends_with("not used (answered 500)"),
        "{:?}",
        o.release.notes
    );
    // Every case passes on its own (a candidate explains it)...
    assert_eq!(o.count(VerdictKind::Pass), o.results.len());
    // ...but no series explains them all: 2025.1 explains the most; the manager cases on
    // an ACTIVE server only 2025.2 does.
    assert!(!o.release.consistent());
    assert!(o.release.explained_by.is_empty());
    assert_eq!(o.release.closest.as_deref(), Some("2025.1"));
    let unexplained: BTreeSet<String> = o.release.unexplained.iter().cloned().collect();
    let want: BTreeSet<String> = where_2025_1_and_2025_2_differ()
        .iter()
        .filter(|c| c.precondition == nova_conform::Precondition::Active)
        .map(Case::id)
        .collect();
    assert_eq!(want.len(), 10);
    assert_eq!(unexplained, want);
    let text = summary::render(&o, 0);
    assert!(
        text.contains("  Nova release: no single Nova release explains every answer: the closest, 2025.1 (epoxy), does not explain 10 passing cases"),
        "{text}"
    );
    for id in &want {
        let r = o.results.iter().find(|r| &r.id == id).unwrap();
        assert!(
            text.contains(&format!(
                "  {id} {}  (explained by 2025.2 (flamingo))",
                r.name
            )),
            "{text}"
        );
    }
    let json: serde_json::Value = serde_json::from_str(&report::json::render(&[&o])).unwrap();
    assert_eq!(json["runs"][0]["nova_release"]["consistent"], false);
    assert_eq!(
        json["runs"][0]["nova_release"]["unexplained"]
            .as_array()
            .unwrap()
            .len(),
        10
    );
    let xml = report::junit::render(&[&o]).unwrap();
    assert!(xml.contains("nova-release: one series explains every answer"));
    assert!(xml.contains(r#"failures="1""#), "{:.400}", xml);
    // subunit says it as JUnit does: one more test, failed.
    let stream = report::subunit::render(&[&o]).unwrap();
    let failed: Vec<String> = subunit::io::sync::iter_stream(&stream[..])
        .filter_map(|i| match i.unwrap() {
            subunit::types::stream::ScannedItem::Event(e)
                if e.status == subunit::types::teststatus::TestStatus::Failed =>
            {
                e.test_id
            }
            _ => None,
        })
        .collect();
    assert_eq!(failed, ["nova_conform.nova-release"]);
    // A bundle of it verifies (two candidates, per-case explained_by, an inconsistent run:
    // not-conformant) and a case credited to the other candidate does not.
    let dir = std::env::temp_dir().join(format!("nova-conform-releases-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let now = chrono::Utc::now();
    let input = nova_conform::submission::BundleInput {
        outcome: &o,
        mode: Default::default(),
        argv: vec!["nova-conform".into(), "run".into()],
        started: now,
        finished: now,
        endpoint: Default::default(),
        identities: Default::default(),
        plan: serde_json::json!({}),
    };
    let tgz = nova_conform::submission::bundle::write(&dir, &input).unwrap();
    let ok = nova_conform::submission::verify(&dir).unwrap();
    assert!(
        ok.ends_with("(nova 2025.1, 2025.2): not-conformant\n"),
        "{ok}"
    );
    let p = dir.join("report.json");
    let text = std::fs::read_to_string(&p).unwrap();
    let id = o.release.unexplained[0].as_str();
    let line = text
        .lines()
        .find(|l| l.contains(&format!(r#"{{"id":"{id}""#)))
        .unwrap();
    assert!(line.contains(r#""explained_by":["2025.2"]"#), "{line}");
    std::fs::write(
        &p,
        text.replacen(
            line,
            &line.replace(
                r#""explained_by":["2025.2"]"#,
                r#""explained_by":["2025.1","2025.2"]"#,
            ),
            1,
        ),
    )
    .unwrap();
    let err = nova_conform::submission::verify(&dir)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("manifest: report.json changed"), "{err}");
    let m = std::fs::read_to_string(dir.join("MANIFEST.sha256")).unwrap();
    let hash = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(std::fs::read(&p).unwrap()))
    };
    let m: String = m
        .lines()
        .map(|l| match l.split_once("  ") {
            Some((_, "report.json")) => format!("{hash}  report.json\n"),
            _ => format!("{l}\n"),
        })
        .collect();
    std::fs::write(dir.join("MANIFEST.sha256"), m).unwrap();
    let err = nova_conform::submission::verify(&dir)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&format!(
            "{id}: explained by [\"2025.1\", \"2025.2\"] recorded, [\"2025.2\"] recomputed"
        )),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&tgz);
}
