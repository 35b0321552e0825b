//! `GET /mockcloud/health`, and the export (`GET /mockcloud/state`) and load
//! (`PUT /mockcloud/state`) of the whole state.

use mock_client::{to_resp, Resp, T};
use mockcloud::{Lifecycle, MockCloud, Profile};
use reqwest::Method;
use serde_json::{json, Value};
use test_support::mock_client;
use test_support::mock_client::Expect;

async fn ctl(t: &T, method: Method, path: &str, body: Option<Vec<u8>>) -> Resp {
    let mut rb = t
        .http
        .request(method, format!("{}/mockcloud{path}", t.cloud.base_url()));
    if let Some(b) = body {
        rb = rb.body(b);
    }
    to_resp(rb.send().await.unwrap()).await
}

async fn export(t: &T) -> String {
    let r = ctl(t, Method::GET, "/state", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/json"));
    r.text
}

async fn load(t: &T, doc: impl Into<Vec<u8>>) -> Resp {
    ctl(t, Method::PUT, "/state", Some(doc.into())).await
}

/// An answer of `t` with its own address replaced, so that two mocks' answers compare; for
/// os-services also the heartbeat times, which are the time of the request (as a live
/// service's are), not state.
fn portless(t: &T, r: &Resp, path: &str) -> String {
    let text = r.text.replace(t.cloud.base_url(), "http://MOCK");
    if path == "/os-services" {
        let heartbeat = regex::Regex::new(r#""updated_at": "[^"]+""#).unwrap();
        assert_eq!(heartbeat.find_iter(&text).count(), 5);
        return heartbeat
            .replace_all(&text, r#""updated_at": "NOW""#)
            .into_owned();
    }
    text
}

/// A server migrated to another host (VERIFY_RESIZE), a second one left alone, the clock
/// moved an hour, and a flavor created: a state with something in every part.
async fn busy(t: &T) -> (String, String) {
    let moved = t.create_server("member").await;
    let still = t.create_server("other").await;
    let src = t.host_of(&moved).await;
    let dest = t.other_host(&src);
    let r = t
        .action("admin", &moved, "2.56", json!({"migrate": {"host": dest}}))
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    let r = t
        .call(
            "admin",
            Method::POST,
            "/flavors",
            Some("2.55"),
            Some(&json!({"flavor": {"name": "kept", "ram": 256, "vcpus": 1, "disk": 1, "id": "kept-1"}})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = ctl(
        t,
        Method::POST,
        "/clock",
        Some(br#"{"advance_seconds": 3600}"#.to_vec()),
    )
    .await;
    assert_eq!(r.status, 200);
    // The hour expired the tokens (Keystone's default lifetime).
    t.forget_tokens().await;
    (moved, still)
}

#[tokio::test]
async fn health_says_what_the_mock_is_without_a_token() {
    let t = T::start(
        MockCloud::builder()
            .profile(Profile::PikeSpec)
            .nova_release("2025.1")
            .lifecycle(Lifecycle::Manual),
    )
    .await;
    let r = ctl(&t, Method::GET, "/health", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let series = nova_releases::ReleaseTable::bundled()
        .get("2025.1")
        .unwrap();
    let h = &r.json;
    assert_eq!(h["status"], "ok");
    assert_eq!(h["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(h["commit"], mockcloud::build_info::COMMIT);
    assert_eq!(h["profile"], "pike-spec");
    assert_eq!(h["nova_release"]["series"], "2025.1");
    assert_eq!(h["nova_release"]["codename"], "epoxy");
    assert_eq!(h["nova_release"]["nova_version"], series.verified.as_str());
    assert_eq!(h["microversions"]["min"], "2.1");
    assert_eq!(
        h["microversions"]["max"],
        series.max_microversion.to_string().as_str()
    );
    assert_eq!(h["lifecycle"], "manual");
    assert_eq!(h["servers"], 0);
    assert_eq!(h["migrations"], 0);
    assert_eq!(h["state_schema_version"], 1);
    let up = h["uptime_seconds"].as_f64().unwrap();
    assert!((0.0..60.0).contains(&up), "uptime {up}");
    assert_eq!(h.as_object().unwrap().len(), 11, "{h}");
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    t.create_server("member").await;
    let again = ctl(&t, Method::GET, "/health", None).await.json;
    assert!(again["uptime_seconds"].as_f64().unwrap() >= up + 0.019);
    assert_eq!(again["servers"], 1);
}

#[tokio::test]
async fn export_is_stable_and_follows_changes() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    let before = export(&t).await;
    assert_eq!(
        export(&t).await,
        before,
        "two exports of one state are the same bytes"
    );
    let doc: Value = serde_json::from_str(&before).unwrap();
    assert_eq!(doc["kind"], "mockcloud-state");
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["servers"].as_array().unwrap().len(), 1);
    assert_eq!(doc["migrations"].as_array().unwrap().len(), 0);
    assert_eq!(doc["hosts"].as_array().unwrap().len(), 3);
    assert_eq!(doc["flavors"].as_array().unwrap().len(), 5);
    assert_eq!(doc["identity"]["users"].as_array().unwrap().len(), 5);
    assert_eq!(doc["counters"]["next_server_seq"], 2);
    let src = t.host_of(&id).await;
    let dest = t.other_host(&src);
    t.action("admin", &id, "2.56", json!({"migrate": {"host": dest}}))
        .await
        .check(&Expect::Status(202), "");
    let after = export(&t).await;
    assert_ne!(after, before);
    let doc: Value = serde_json::from_str(&after).unwrap();
    let m = &doc["migrations"].as_array().unwrap()[..];
    assert_eq!(m.len(), 1);
    assert_eq!(m[0]["source_compute"], src.as_str());
    assert_eq!(m[0]["dest_compute"], dest.as_str());
    assert_eq!(m[0]["status"], "finished");
    assert_eq!(doc["servers"][0]["vm_state"], "resized");
    assert_eq!(doc["servers"][0]["host"], dest.as_str());
    assert_eq!(doc["counters"]["next_migration_id"], 2);
    // The migration holds the source, the instance the destination.
    assert_eq!(doc["allocations"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_fresh_mock_loaded_with_the_state_answers_the_same() {
    let a = T::default().await;
    let (moved, still) = busy(&a).await;
    let doc = export(&a).await;

    let b = T::default().await;
    let r = load(&b, doc.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json, json!({"loaded": {"servers": 2, "migrations": 1}}));
    assert_eq!(
        export(&b).await,
        doc,
        "the loaded state exports to the same bytes"
    );

    for (who, path, version) in [
        ("admin", format!("/servers/{moved}"), "2.104"),
        ("member", format!("/servers/{moved}"), "2.1"),
        ("other", format!("/servers/{still}"), "2.104"),
        (
            "admin",
            "/servers/detail?all_tenants=1".to_string(),
            "2.104",
        ),
        ("admin", "/os-migrations".to_string(), "2.80"),
        ("admin", format!("/servers/{moved}/migrations"), "2.80"),
        (
            "admin",
            format!("/servers/{moved}/os-instance-actions"),
            "2.84",
        ),
        ("admin", "/os-services".to_string(), "2.53"),
        ("admin", "/os-hypervisors/detail".to_string(), "2.88"),
        ("admin", "/flavors/detail".to_string(), "2.75"),
    ] {
        let (ra, rb) = (
            a.get(who, &path, version).await,
            b.get(who, &path, version).await,
        );
        assert_eq!(ra.status, 200, "{path}: {}", ra.text);
        assert_eq!(rb.status, 200, "{path}: {}", rb.text);
        assert_eq!(
            portless(&b, &rb, &path),
            portless(&a, &ra, &path),
            "{who} GET {path}"
        );
    }
    // The records are the same ones: the moved server is in VERIFY_RESIZE on b too, and a
    // confirm there finishes b's copy of the migration.
    let r = b
        .action("member", &moved, "2.1", json!({"confirmResize": null}))
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let m = b.migrations().await;
    assert_eq!(m.len(), 1);
    assert_eq!(m[0]["status"], "confirmed");
    assert_eq!(a.migrations().await[0]["status"], "finished");
    // New ids continue after the loaded ones.
    let r = b
        .action("admin", &still, "2.1", json!({"migrate": null}))
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    let ids: Vec<u64> = b
        .migrations()
        .await
        .iter()
        .map(|m| m["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [2, 1]);
}

#[tokio::test]
async fn no_secret_is_exported_and_a_load_keeps_this_mocks_passwords() {
    let a = T::default().await;
    let token = a.token("admin").await;
    a.create_server("member").await;
    let doc = export(&a).await;
    for c in a.cloud.credentials() {
        assert!(
            !doc.contains(&c.password),
            "{}'s password exported",
            c.cloud
        );
        assert!(
            !doc.contains(&c.app_credential_secret),
            "{}'s application credential secret exported",
            c.cloud
        );
        assert!(doc.contains(&c.app_credential_id));
    }
    assert!(!doc.contains(&token), "a token was exported");
    assert!(!doc.contains("password\""), "no password field");
    assert!(!doc.contains("secret\""), "no secret field");

    // Loaded into another mock, the users are a's (ids) with b's passwords.
    let b = T::default().await;
    assert_eq!(load(&b, doc.clone()).await.status, 200);
    let auth = |c: &mockcloud::SeededCredential| {
        json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": c.username, "domain": {"name": "Default"}, "password": c.password}}},
        "scope": {"project": {"name": c.project, "domain": {"name": "Default"}}}}})
    };
    let login = |t: &T, body: Value| {
        let url = format!("{}/auth/tokens", t.cloud.auth_url());
        let http = t.http.clone();
        async move { to_resp(http.post(url).json(&body).send().await.unwrap()).await }
    };
    let a_admin = a.cloud.credential("admin").unwrap().clone();
    let b_admin = b.cloud.credential("admin").unwrap().clone();
    assert_ne!(a_admin.password, b_admin.password);
    assert_eq!(
        login(&b, auth(&a_admin)).await.status,
        401,
        "a's password on b"
    );
    let r = login(&b, auth(&b_admin)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let a_user: Value =
        serde_json::from_str::<Value>(&doc).unwrap()["identity"]["users"][0].clone();
    assert_eq!(r.json["token"]["user"]["id"], a_user["id"]);
    assert_eq!(r.json["token"]["user"]["name"], "admin");
    // /mockcloud/credentials: b's passwords, a's application credential ids.
    let creds = ctl(&b, Method::GET, "/credentials", None).await.json;
    let admin = &creds["credentials"][0];
    assert_eq!(admin["password"], b_admin.password.as_str());
    assert_eq!(
        admin["app_credential_id"],
        a_admin.app_credential_id.as_str()
    );

    // Loading drops every token, even into the same mock.
    assert_eq!(load(&a, doc).await.status, 200);
    let r = a
        .http
        .get(format!("{}/servers", a.cloud.compute_url()))
        .header("x-auth-token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    a.forget_tokens().await;
    a.get("admin", "/servers", "2.1")
        .await
        .check(&Expect::Status(200), "");
}

#[tokio::test]
async fn a_refused_document_changes_nothing() {
    let t = T::default().await;
    busy(&t).await;
    let good = export(&t).await;
    let doc: Value = serde_json::from_str(&good).unwrap();
    let token = t.token("admin").await;
    let edit = |f: &dyn Fn(&mut Value)| {
        let mut d = doc.clone();
        f(&mut d);
        serde_json::to_vec(&d).unwrap()
    };
    let server = doc["servers"][0]["uuid"].as_str().unwrap().to_string();
    let cases: Vec<(&str, Vec<u8>, u16, &str, String)> = vec![
        ("empty", Vec::new(), 400, "badRequest", "not a valid mockcloud state: not JSON: EOF while parsing a value at line 1 column 0".into()),
        ("truncated", good.as_bytes()[..good.len() / 2].to_vec(), 400, "badRequest", "not a valid mockcloud state: not JSON: EOF while parsing".into()),
        ("array", b"[]".to_vec(), 400, "badRequest", "not a valid mockcloud state: expected a JSON object".into()),
        ("no kind", br#"{"schema_version": 1}"#.to_vec(), 400, "badRequest", "not a valid mockcloud state: no \"kind\" (expected \"mockcloud-state\")".into()),
        ("foreign kind", br#"{"kind": "sonobuoy-results", "schema_version": 1}"#.to_vec(), 409, "conflictingRequest", "not a mockcloud state: kind is \"sonobuoy-results\" (expected \"mockcloud-state\")".into()),
        ("newer schema", edit(&|d| d["schema_version"] = json!(2)), 409, "conflictingRequest", "mockcloud state schema_version 2 is not supported: this mockcloud reads schema_version 1 (the state was written by a newer mockcloud)".into()),
        ("schema 0", edit(&|d| d["schema_version"] = json!(0)), 409, "conflictingRequest", "mockcloud state schema_version 0 is not supported: this mockcloud reads schema_version 1".into()),
        ("schema text", edit(&|d| d["schema_version"] = json!("1")), 400, "badRequest", "not a valid mockcloud state: schema_version must be a positive integer, not \"1\"".into()),
        ("missing field", edit(&|d| { d["servers"][0].as_object_mut().unwrap().remove("name"); }), 400, "badRequest", "not a valid mockcloud state: missing field `name`".into()),
        ("a password", edit(&|d| d["identity"]["users"][0]["password"] = json!("hunter2")), 400, "badRequest", "not a valid mockcloud state: unknown field `password`".into()),
        ("bad state", edit(&|d| d["servers"][0]["vm_state"] = json!("dancing")), 400, "badRequest", "not a valid mockcloud state: unknown variant `dancing`".into()),
        ("orphan migration", edit(&|d| d["migrations"][0]["instance_uuid"] = json!("00000000-0000-4000-8000-000000000000")), 400, "badRequest", "inconsistent mockcloud state: migration 1: unknown server 00000000-0000-4000-8000-000000000000".into()),
        ("twice", edit(&|d| { let s = d["servers"][0].clone(); d["servers"].as_array_mut().unwrap().push(s); }), 400, "badRequest", format!("inconsistent mockcloud state: server {server} appears twice; server seq 1 appears twice")),
        ("counter", edit(&|d| d["counters"]["next_migration_id"] = json!(1)), 400, "badRequest", "inconsistent mockcloud state: migration 1: id is not below counters.next_migration_id 1".into()),
        ("other profile", edit(&|d| d["mock"]["profile"] = json!("pike-spec")), 409, "conflictingRequest", "the state was saved by another kind of mock: profile pike-spec (this mock: nova)".into()),
        ("other release", edit(&|d| { d["mock"]["nova_release"] = json!("2025.1"); d["mock"]["max_version"] = json!("2.100"); }), 409, "conflictingRequest", "the state was saved by another kind of mock: nova_release 2025.1 (this mock: 2026.2), max_version 2.100 (this mock: 2.104)".into()),
    ];
    let n = cases.len();
    for (what, body, status, fault, message) in cases {
        let r = load(&t, body).await;
        assert_eq!(r.status, status, "{what}: {}", r.text);
        let (name, code, msg) = r.fault();
        assert_eq!((name.as_str(), code), (fault, u64::from(status)), "{what}");
        assert!(msg.starts_with(&message), "{what}: {msg}");
        assert_eq!(export(&t).await, good, "{what} changed the state");
    }
    assert_eq!(n, 16);
    // Nor were the tokens dropped.
    let r = t
        .http
        .get(format!("{}/servers", t.cloud.compute_url()))
        .header("x-auth-token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

#[tokio::test]
async fn in_flight_operations_carry_over_to_the_same_lifecycle_only() {
    let manual = || MockCloud::builder().lifecycle(Lifecycle::Manual);
    let a = T::start(manual()).await;
    let id = a.create_server("member").await;
    // Manual: the build waits for its steps too.
    a.cloud.state().advance_all();
    let r = a
        .action(
            "admin",
            &id,
            "2.56",
            json!({"migrate": {"host": "compute2"}}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    let doc = export(&a).await;
    assert!(
        doc.contains("\"in_flight\": {"),
        "the migration is in flight"
    );

    let instant = T::default().await;
    let r = load(&instant, doc.clone()).await;
    assert_eq!(r.status, 409);
    assert_eq!(
        r.fault().2,
        "the state was saved by another kind of mock: lifecycle manual (this mock: instant) with operations in flight"
    );

    let b = T::start(manual()).await;
    assert_eq!(load(&b, doc).await.status, 200);
    assert_eq!(b.cloud.state().advance_all(), 1);
    assert_eq!(a.cloud.state().advance_all(), 1);
    for t in [&a, &b] {
        let s = t.server(&id).await;
        assert_eq!(s["status"], "VERIFY_RESIZE");
        assert_eq!(s["OS-EXT-SRV-ATTR:host"], "compute2");
    }
}

#[tokio::test]
async fn a_load_restarts_the_timed_steps_once() {
    // Timed: 5 steps of 150 ms from the 202 to VERIFY_RESIZE. The state is exported right
    // after the 202 and loaded back into the same mock: the load's own timer then takes the
    // 5 steps (>= 750 ms); had the timer started by the 202 gone on too, both would step the
    // same operation and it would be done in about half that.
    let step = std::time::Duration::from_millis(150);
    let t = T::start(
        MockCloud::builder().lifecycle(Lifecycle::Timed(mockcloud::Durations::uniform(step))),
    )
    .await;
    let id = t.create_server("member").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while t.server(&id).await["status"] != "ACTIVE" {
        assert!(std::time::Instant::now() < deadline, "build never finished");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let r = t
        .action(
            "admin",
            &id,
            "2.56",
            json!({"migrate": {"host": "compute2"}}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    let doc = export(&t).await;
    let loaded = std::time::Instant::now();
    assert_eq!(load(&t, doc).await.status, 200);
    t.forget_tokens().await;
    while t.server(&id).await["status"] != "VERIFY_RESIZE" {
        assert!(
            std::time::Instant::now() < deadline,
            "migration never finished"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let took = loaded.elapsed();
    assert!(
        took >= step * 9 / 2,
        "done {took:?} after the load: stepped twice"
    );
    let m = t.migrations().await;
    assert_eq!(m.len(), 1);
    assert_eq!(m[0]["status"], "finished");
    // Each step recorded once: the five events of a cold migration (no duplicate).
    let actions = t
        .get(
            "admin",
            &format!("/servers/{id}/os-instance-actions"),
            "2.84",
        )
        .await;
    let rid = actions.json["instanceActions"][0]["request_id"]
        .as_str()
        .unwrap()
        .to_string();
    let action = t
        .get(
            "admin",
            &format!("/servers/{id}/os-instance-actions/{rid}"),
            "2.84",
        )
        .await;
    let events: Vec<&str> = action.json["instanceAction"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events.len(), 5, "{events:?}");
}
