//! `nova-conform migrate` and `migration list` as processes against `mockcloud serve`
//! (timed lifecycle, Keystone auth over HTTP).
use test_support::mock_serve;

use mock_serve::{text, MockServe};
use serde_json::Value;

const FAST: &[&str] = &["--step-ms", "30"];

fn migrate(m: &MockServe, extra: &[&str]) -> std::process::Output {
    let mut a = vec![
        "migrate",
        "--os-cloud",
        "mockcloud-admin",
        "--poll-interval",
        "0.05",
    ];
    a.extend_from_slice(extra);
    m.run(&a)
}

async fn host_of(m: &MockServe, name: &str) -> String {
    m.servers()
        .await
        .into_iter()
        .find(|s| s["name"] == name)
        .and_then(|s| s["OS-EXT-SRV-ATTR:host"].as_str().map(String::from))
        .unwrap()
}

async fn active(m: &MockServe, name: &str) -> String {
    let id = m.create_server(name).await;
    for _ in 0..400 {
        if m.servers()
            .await
            .iter()
            .any(|s| s["id"] == id.as_str() && s["status"] == "ACTIVE")
        {
            return id;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("server never became ACTIVE");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_to_a_host_and_confirm_then_list_the_migration() {
    let m = MockServe::start(FAST);
    let id = active(&m, "vm1").await;
    let src = host_of(&m, "vm1").await;
    let dest = ["compute1", "compute2", "compute3"]
        .into_iter()
        .find(|h| *h != src)
        .unwrap();
    let out = migrate(&m, &["vm1", dest, "--confirm", "-f", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "ACTIVE");
    assert_eq!(v["OS-EXT-SRV-ATTR:host"], dest);
    assert_eq!(v["migration status"], "confirmed");
    assert_eq!(host_of(&m, "vm1").await, dest);

    let out = m.run(&[
        "migration",
        "list",
        "--os-cloud",
        "mockcloud-admin",
        "--server",
        "vm1",
        "-f",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["Server UUID"], id.as_str());
    assert_eq!(rows[0]["Dest Compute"], dest);
    assert_eq!(rows[0]["Source Compute"], src.as_str());
    assert_eq!(rows[0]["Type"], "migration");
    // The table form, as openstackclient prints it.
    let out = m.run(&["migration", "list", "--os-cloud", "mockcloud-admin"]);
    let t = text(&out.stdout);
    assert!(t.starts_with("+----"), "{t}");
    assert!(t.contains("| Source Compute |") && t.contains(&id), "{t}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revert_keeps_the_source_host() {
    let m = MockServe::start(FAST);
    active(&m, "vm2").await;
    let src = host_of(&m, "vm2").await;
    let out = migrate(&m, &["vm2", "--revert"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("| status "),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(host_of(&m, "vm2").await, src);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_print_novas_message_and_exit_1() {
    let m = MockServe::start(FAST);
    active(&m, "vm3").await;
    let src = host_of(&m, "vm3").await;
    let out = migrate(&m, &["vm3", "no-such-host"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("Compute host no-such-host could not be found"),
        "{err}"
    );
    // Its own host: Nova's 400.
    let out = migrate(&m, &["vm3", &src]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    // An unknown server is a usage error.
    let out = migrate(&m, &["nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no server with name or id"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn force_only_where_the_profile_has_it() {
    let m = MockServe::start(FAST);
    active(&m, "vm4").await;
    let src = host_of(&m, "vm4").await;
    let dest = if src == "compute1" {
        "compute2"
    } else {
        "compute1"
    };
    let out = migrate(&m, &["--force", "vm4", dest]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("upstream Nova has no force"));
    let out = migrate(&m, &["--force", "--profile", "pike-spec", "vm4"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("Can't force to a non-provided destination"));
    // Against upstream behaviour, sending force anyway would be a 400: the client never does.
    let p = MockServe::start(&["--step-ms", "30", "--profile", "pike-spec"]);
    active(&p, "vm5").await;
    let src = host_of(&p, "vm5").await;
    let dest = if src == "compute1" {
        "compute2"
    } else {
        "compute1"
    };
    let out = migrate(
        &p,
        &[
            "--force",
            "--profile",
            "pike-spec",
            "vm5",
            dest,
            "--wait",
            "-f",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "VERIFY_RESIZE");
    assert_eq!(v["OS-EXT-SRV-ATTR:host"], dest);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_migrate_answer_is_not_resent() {
    let m = MockServe::start(FAST);
    active(&m, "vm6").await;
    m.fault(
        serde_json::json!({"method": "POST", "path": "/v2.1/servers/*/action",
        "action": "migrate", "drop": true}),
    )
    .await;
    let out = migrate(&m, &["vm6"]);
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    assert!(err.contains("not sent again"), "{err}");
    let rules = m.http_get_json("/mockcloud/faults").await;
    assert_eq!(
        rules["rules"][0]["fired"], 1,
        "the migrate POST was sent once"
    );
}
