//! The control API under /mockcloud/: reset, seed, clock, lifecycle, hosts,
//! fault injection and the request journal.

use mock_client::{to_resp, T};
use mockcloud::{Lifecycle, MockCloud};
use serde_json::json;
use test_support::mock_client;
use test_support::mock_client::Expect;

async fn ctl(
    t: &T,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> mock_client::Resp {
    let mut rb = t
        .http
        .request(method, format!("{}/mockcloud{path}", t.cloud.base_url()));
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    to_resp(rb.send().await.unwrap()).await
}

#[tokio::test]
async fn reset_clock_and_seed() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    assert_eq!(
        ctl(&t, reqwest::Method::POST, "/reset", None).await.status,
        204
    );
    // Tokens were dropped; a new one works and the server is gone.
    let c = t.cloud.credential("member").unwrap().clone();
    let auth = json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": c.username, "domain": {"name": "Default"}, "password": c.password}}}, "scope": {"project": {"name": "demo", "domain": {"name": "Default"}}}}});
    let r = t
        .http
        .post(format!("{}/auth/tokens", t.cloud.auth_url()))
        .json(&auth)
        .send()
        .await
        .unwrap();
    let tok = r.headers()["x-subject-token"].to_str().unwrap().to_string();
    let r = t
        .http
        .get(format!("{}/servers/{id}", t.cloud.compute_url()))
        .header("x-auth-token", &tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    // The clock expires it.
    let r = ctl(
        &t,
        reqwest::Method::POST,
        "/clock",
        Some(json!({"advance_seconds": 7200})),
    )
    .await;
    assert_eq!(r.status, 200);
    let r = t
        .http
        .get(format!("{}/servers", t.cloud.compute_url()))
        .header("x-auth-token", &tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(
        ctl(
            &t,
            reqwest::Method::POST,
            "/clock",
            Some(json!({"advance_seconds": -1}))
        )
        .await
        .status,
        400
    );
    // Seed: new users with fixed passwords.
    let r = ctl(&t, reqwest::Method::POST, "/seed", Some(json!({"projects": ["p1"], "users": [{"name": "ops", "password": "pw", "project": "p1", "roles": ["admin"]}]}))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["credentials"][0]["username"], "ops");
    let auth = json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "ops", "domain": {"name": "Default"}, "password": "pw"}}}, "scope": {"project": {"name": "p1", "domain": {"name": "Default"}}}}});
    assert_eq!(
        t.http
            .post(format!("{}/auth/tokens", t.cloud.auth_url()))
            .json(&auth)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        201
    );
    assert_eq!(
        ctl(
            &t,
            reqwest::Method::POST,
            "/seed",
            Some(json!({"users": 5}))
        )
        .await
        .status,
        400
    );
}

#[tokio::test]
async fn manual_steps_and_hosts_over_http() {
    let t = T::start(MockCloud::builder().lifecycle(Lifecycle::Manual)).await;
    let id = t.create_server("member").await;
    let src = t.host_of(&id).await;
    let dest = t.other_host(&src);
    let r = ctl(
        &t,
        reqwest::Method::PUT,
        &format!("/hosts/{dest}"),
        Some(json!({"enabled": false, "disabled_reason": "x"})),
    )
    .await;
    assert_eq!(r.json["host"]["enabled"], false);
    t.action("admin", &id, "2.56", json!({"migrate": {"host": dest}}))
        .await
        .check(&Expect::Status(202), "");
    let r = ctl(
        &t,
        reqwest::Method::POST,
        &format!("/servers/{id}/advance"),
        None,
    )
    .await;
    assert_eq!(r.json["advanced"], true);
    // The scheduler ran at the conductor step and rejected the disabled host.
    assert_eq!(t.migrations().await[0]["status"], "error");
    assert_eq!(t.server(&id).await["status"], "ACTIVE");
    assert_eq!(
        ctl(
            &t,
            reqwest::Method::PUT,
            "/hosts/nope",
            Some(json!({"up": false}))
        )
        .await
        .status,
        404
    );
    t.action("admin", &id, "2.56", json!({"migrate": null}))
        .await
        .check(&Expect::Status(202), "");
    let r = ctl(&t, reqwest::Method::POST, "/advance-all", None).await;
    assert_eq!(r.json["completed"], 1);
    assert_eq!(t.server(&id).await["status"], "VERIFY_RESIZE");
}

#[tokio::test]
async fn fault_rules_and_journal() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    assert_eq!(
        ctl(
            &t,
            reqwest::Method::PUT,
            "/journal",
            Some(json!({"enabled": true}))
        )
        .await
        .status,
        204
    );
    let rule = json!({"method": "POST", "path": "/v2.1/servers/*/action", "action": "migrate", "microversion": "2.56",
                      "status": 503, "body": {"serviceUnavailable": {"code": 503, "message": "injected"}}, "times": 1});
    assert_eq!(
        ctl(&t, reqwest::Method::POST, "/faults", Some(rule))
            .await
            .status,
        201
    );
    // Other actions and versions pass.
    t.action("member", &id, "2.56", json!({"os-stop": null}))
        .await
        .check(&Expect::Status(202), "");
    t.action("admin", &id, "2.55", json!({"migrate": null}))
        .await
        .check(&Expect::Status(202), "");
    t.action("member", &id, "2.1", json!({"confirmResize": null}))
        .await
        .check(&Expect::Status(204), "");
    let r = t
        .action("admin", &id, "2.56", json!({"migrate": null}))
        .await;
    assert_eq!(r.status, 503);
    assert_eq!(r.fault().2, "injected");
    // times: 1 -> the next one is real.
    t.action("admin", &id, "2.56", json!({"migrate": null}))
        .await
        .check(&Expect::Status(202), "");
    let r = ctl(&t, reqwest::Method::GET, "/faults", None).await;
    assert_eq!(r.json["rules"][0]["fired"], 1);
    // A dropped connection.
    ctl(
        &t,
        reqwest::Method::POST,
        "/faults",
        Some(json!({"path": "/v2.1/flavors", "drop": true})),
    )
    .await;
    let tok = t.token("member").await;
    let err = t
        .http
        .get(format!("{}/flavors", t.cloud.compute_url()))
        .header("x-auth-token", &tok)
        .send()
        .await;
    assert!(err.is_err() || err.unwrap().bytes().await.is_err());
    // Latency.
    ctl(&t, reqwest::Method::DELETE, "/faults", None).await;
    ctl(
        &t,
        reqwest::Method::POST,
        "/faults",
        Some(json!({"path": "/v2.1/servers", "latency_ms": 150})),
    )
    .await;
    let started = std::time::Instant::now();
    t.get("member", "/servers", "2.1")
        .await
        .check(&Expect::Status(200), "");
    assert!(started.elapsed() >= std::time::Duration::from_millis(150));
    assert_eq!(
        ctl(
            &t,
            reqwest::Method::POST,
            "/faults",
            Some(json!({"probability": 2.0}))
        )
        .await
        .status,
        400
    );
    // The journal saw the requests, without tokens.
    let r = ctl(&t, reqwest::Method::GET, "/journal", None).await;
    let entries = r.json["entries"].as_array().unwrap();
    assert!(entries
        .iter()
        .any(|e| e["status"] == 503 && e["microversion"] == "compute 2.56"));
    assert!(!r.text.contains(&tok));
}
