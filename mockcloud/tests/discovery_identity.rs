//! Version discovery documents, microversion negotiation, and Keystone v3.

use mock_client::{to_resp, T};
use mockcloud::MockCloud;
use serde_json::json;
use std::time::Duration;
use test_support::mock_client;

#[tokio::test]
async fn root_and_v21_documents() {
    let t = T::start(MockCloud::builder().microversions("2.1", "2.90")).await;
    let base = t.cloud.base_url().to_string();
    let r = to_resp(t.http.get(format!("{base}/")).send().await.unwrap()).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-openstack-request-id"), None);
    assert_eq!(r.header("openstack-api-version"), None);
    let v = &r.json["versions"];
    assert_eq!(v[0]["id"], "v2.0");
    assert_eq!(v[0]["status"], "DEPRECATED");
    assert_eq!(v[1]["status"], "CURRENT");
    assert_eq!(v[1]["version"], "2.90");
    assert_eq!(v[1]["min_version"], "2.1");
    assert_eq!(v[1]["links"][0]["href"], format!("{base}/v2.1/"));
    let r = to_resp(t.http.get(format!("{base}/v2.1")).send().await.unwrap()).await;
    assert_eq!(r.status, 200);
    assert!(r.header("x-compute-request-id").is_some());
    assert_eq!(r.header("openstack-api-version"), Some("compute 2.1"));
    let v = &r.json["version"];
    assert_eq!(v["id"], "v2.1");
    assert_eq!(
        v["links"][0],
        json!({"rel": "self", "href": format!("{base}/v2.1/")})
    );
    assert_eq!(v["links"][1]["rel"], "describedby");
    assert_eq!(
        v["media-types"][0]["type"],
        "application/vnd.openstack.compute+json;version=2.1"
    );
    // latest resolves to the configured maximum; legacy header honoured.
    let r = to_resp(
        t.http
            .get(format!("{base}/v2.1"))
            .header("OpenStack-API-Version", "compute latest")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.header("x-openstack-nova-api-version"), Some("2.90"));
    let r = to_resp(
        t.http
            .get(format!("{base}/v2.1"))
            .header("X-OpenStack-Nova-API-Version", "2.27")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.header("openstack-api-version"), Some("compute 2.27"));
    let r = to_resp(
        t.http
            .get(format!("{base}/v2.1"))
            .header("OpenStack-API-Version", "compute 2.91")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 406);
    assert_eq!(
        r.text,
        r#"{"computeFault": {"code": 406, "message": "Version 2.91 is not supported by the API. Minimum is 2.1 and maximum is 2.90."}}"#
    );
    assert_eq!(r.header("x-openstack-nova-api-version"), Some("2.91"));
}

#[tokio::test]
async fn keystone_discovery() {
    let t = T::default().await;
    let base = t.cloud.base_url();
    let r = to_resp(t.http.get(format!("{base}/identity")).send().await.unwrap()).await;
    assert_eq!(r.status, 300);
    assert_eq!(r.json["versions"]["values"][0]["id"], "v3.14");
    assert!(r
        .header("x-openstack-request-id")
        .is_some_and(|v| v.starts_with("req-")));
    assert_eq!(r.header("x-compute-request-id"), None);
    let r = to_resp(t.http.get(t.cloud.auth_url()).send().await.unwrap()).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json["version"]["links"][0]["href"],
        format!("{base}/identity/v3/")
    );
}

async fn auth(t: &T, body: serde_json::Value) -> mock_client::Resp {
    to_resp(
        t.http
            .post(format!("{}/auth/tokens", t.cloud.auth_url()))
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn password_by_name_and_by_id_and_catalog() {
    let t = T::default().await;
    let c = t.cloud.credential("member").unwrap().clone();
    let r = auth(&t, json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": c.username, "domain": {"name": "Default"}, "password": c.password}}}, "scope": {"project": {"name": "demo", "domain": {"id": "default"}}}}})).await;
    assert_eq!(r.status, 201);
    let tok = &r.json["token"];
    assert_eq!(tok["project"]["name"], "demo");
    let roles: Vec<&str> = tok["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(roles, vec!["member", "reader"]);
    assert!(tok["expires_at"].as_str().unwrap().ends_with('Z'));
    let cat = tok["catalog"].as_array().unwrap();
    let compute = cat.iter().find(|s| s["type"] == "compute").unwrap();
    let ifaces: Vec<&str> = compute["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["interface"].as_str().unwrap())
        .collect();
    assert_eq!(ifaces, vec!["public", "internal", "admin"]);
    assert_eq!(compute["endpoints"][0]["url"], t.cloud.compute_url());
    assert_eq!(compute["endpoints"][0]["region_id"], "RegionOne");
    assert!(cat.iter().any(|s| s["type"] == "identity"));
    assert!(cat.iter().any(|s| s["type"] == "image"));
    // By ids.
    let uid = tok["user"]["id"].as_str().unwrap();
    let pid = tok["project"]["id"].as_str().unwrap();
    let r = auth(&t, json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {"id": uid, "password": c.password}}}, "scope": {"project": {"id": pid}}}})).await;
    assert_eq!(r.status, 201);
    // Wrong password, wrong domain, project without a role: 401 in Keystone's format.
    for body in [
        json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {"id": uid, "password": "wrong"}}}}}),
        json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": c.username, "domain": {"name": "Other"}, "password": c.password}}}}}),
        json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {"id": uid, "password": c.password}}}, "scope": {"project": {"name": "other", "domain": {"name": "Default"}}}}}),
    ] {
        let r = auth(&t, body).await;
        assert_eq!(r.status, 401);
        assert_eq!(r.json["error"]["title"], "Unauthorized");
        assert!(r
            .header("www-authenticate")
            .unwrap()
            .starts_with("Keystone uri="));
    }
    let r = auth(&t, json!({"nope": 1})).await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn application_credential_and_token_rescope_and_validate() {
    let t = T::default().await;
    let c = t.cloud.credential("admin").unwrap().clone();
    let r = auth(&t, json!({"auth": {"identity": {"methods": ["application_credential"], "application_credential": {"id": c.app_credential_id, "secret": c.app_credential_secret}}}})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["token"]["project"]["name"], "demo");
    let tok = r.header("x-subject-token").unwrap().to_string();
    let r = auth(&t, json!({"auth": {"identity": {"methods": ["application_credential"], "application_credential": {"id": c.app_credential_id, "secret": "bad"}}}})).await;
    assert_eq!(r.status, 401);
    // Token method: re-scope.
    let r = auth(&t, json!({"auth": {"identity": {"methods": ["token"], "token": {"id": tok}}, "scope": {"project": {"name": "demo", "domain": {"name": "Default"}}}}})).await;
    assert_eq!(r.status, 201);
    let tok2 = r.header("x-subject-token").unwrap().to_string();
    // Validate.
    let r = to_resp(
        t.http
            .get(format!("{}/auth/tokens", t.cloud.auth_url()))
            .header("x-auth-token", &tok)
            .header("x-subject-token", &tok2)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["token"]["user"]["name"], "admin");
    let r = to_resp(
        t.http
            .get(format!("{}/auth/tokens", t.cloud.auth_url()))
            .header("x-auth-token", &tok)
            .header("x-subject-token", "nope")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 404);
    // The token works on compute.
    let r = to_resp(
        t.http
            .get(format!("{}/servers", t.cloud.compute_url()))
            .header("x-auth-token", &tok2)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn expired_and_invalid_tokens_get_keystonemiddleware_401() {
    let t = T::start(MockCloud::builder().token_ttl(Duration::from_secs(60))).await;
    let tok = t.token("member").await;
    let url = format!("{}/servers", t.cloud.compute_url());
    assert_eq!(
        t.http
            .get(&url)
            .header("x-auth-token", &tok)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    t.cloud.state().clock().advance(Duration::from_secs(61));
    for token in [Some(tok.as_str()), Some("garbage"), None] {
        let mut rb = t.http.get(&url);
        if let Some(tk) = token {
            rb = rb.header("x-auth-token", tk);
        }
        let r = to_resp(rb.send().await.unwrap()).await;
        assert_eq!(r.status, 401);
        assert_eq!(
            r.text,
            r#"{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}"#
        );
        assert_eq!(
            r.header("www-authenticate"),
            Some(format!("Keystone uri=\"{}/identity\"", t.cloud.base_url()).as_str())
        );
        assert_eq!(r.header("openstack-api-version"), None);
        assert!(r.header("x-openstack-request-id").is_some());
    }
}

#[tokio::test]
async fn clouds_yaml_lists_every_seeded_cloud() {
    let t = T::default().await;
    let y: serde_yaml::Value = serde_yaml::from_str(&t.cloud.clouds_yaml()).unwrap();
    for c in ["admin", "manager", "member", "reader", "other"] {
        let e = &y["clouds"][format!("mockcloud-{c}").as_str()];
        assert_eq!(
            e["auth"]["auth_url"].as_str(),
            Some(t.cloud.auth_url().as_str())
        );
        assert_eq!(e["auth"]["username"].as_str(), Some(c));
    }
}
