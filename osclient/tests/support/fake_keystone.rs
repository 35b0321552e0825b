//! A fake Keystone v3 on wiremock: checks the credentials in `POST /v3/auth/tokens` and answers
//! with a token (unique per request), the scope, roles and a catalog.

#![allow(dead_code)] // each test crate uses a different part of it

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chrono::{Duration as ChronoDuration, Utc};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const PASSWORD: &str = "correct-horse-battery";
pub const APP_CRED_SECRET: &str = "app-cred-secret-value";
pub const APP_CRED_ID: &str = "ac-0001";

#[derive(Clone)]
pub struct FakeKeystone {
    /// Token lifetime in seconds as reported by expires_at - issued_at.
    lifetime_secs: i64,
    issued: Arc<AtomicU64>,
    catalog: Value,
}

impl FakeKeystone {
    pub fn tokens_issued(&self) -> u64 {
        self.issued.load(Ordering::SeqCst)
    }
}

pub fn default_catalog(base: &str) -> Value {
    json!([
        {"type": "compute", "name": "nova", "id": "c1", "endpoints": [
            {"id": "e1", "interface": "public", "region": "RegionOne", "region_id": "RegionOne", "url": format!("{base}/compute/v2.1")},
            {"id": "e2", "interface": "internal", "region": "RegionOne", "region_id": "RegionOne", "url": format!("{base}/internal/compute/v2.1")},
            {"id": "e3", "interface": "admin", "region": "RegionOne", "region_id": "RegionOne", "url": format!("{base}/admin/compute/v2.1")},
            {"id": "e4", "interface": "public", "region": "RegionTwo", "region_id": "RegionTwo", "url": format!("{base}/r2/compute/v2.1")}
        ]},
        {"type": "identity", "name": "keystone", "id": "c2", "endpoints": [
            {"id": "e5", "interface": "public", "region": "RegionOne", "region_id": "RegionOne", "url": format!("{base}/identity")}
        ]},
        {"type": "image", "name": "glance", "id": "c3", "endpoints": [
            {"id": "e6", "interface": "public", "region": "RegionOne", "region_id": "RegionOne", "url": format!("{base}/image")}
        ]}
    ])
}

impl Respond for FakeKeystone {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = match serde_json::from_slice(&request.body) {
            Ok(v) => v,
            Err(_) => return error(400, "Malformed request body"),
        };
        let identity = &body["auth"]["identity"];
        let methods = identity["methods"].as_array().cloned().unwrap_or_default();
        let method = methods.first().and_then(Value::as_str).unwrap_or("");
        let (user_id, user_name) = match method {
            "password" => {
                let user = &identity["password"]["user"];
                if user["password"] != json!(PASSWORD) {
                    return error(401, "The request you have made requires authentication.");
                }
                let by_name = user["name"]
                    .as_str()
                    .map(|n| (format!("id-{n}"), n.to_owned()));
                let by_id = user["id"]
                    .as_str()
                    .map(|i| (i.to_owned(), format!("name-of-{i}")));
                match by_name.or(by_id) {
                    Some(u) => u,
                    None => return error(400, "user needs id or name"),
                }
            }
            "application_credential" => {
                let ac = &identity["application_credential"];
                if ac["secret"] != json!(APP_CRED_SECRET) {
                    return error(401, "The request you have made requires authentication.");
                }
                let ok = ac["id"] == json!(APP_CRED_ID)
                    || (ac["name"].is_string()
                        && (ac["user"]["id"].is_string() || ac["user"]["name"].is_string()));
                if !ok || !body["auth"]["scope"].is_null() {
                    return error(400, "bad application credential request");
                }
                ("id-appuser".to_owned(), "appuser".to_owned())
            }
            "token" => {
                let t = identity["token"]["id"].as_str().unwrap_or("");
                if !t.starts_with("gAAAA") {
                    return error(404, "Could not find token.");
                }
                ("id-tokenuser".to_owned(), "tokenuser".to_owned())
            }
            _ => return error(400, "unsupported method"),
        };
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        let issued_at = Utc::now();
        let expires_at = issued_at + ChronoDuration::seconds(self.lifetime_secs);
        let scope = &body["auth"]["scope"];
        let project = scope["project"]["name"]
            .as_str()
            .or(scope["project"]["id"].as_str())
            .unwrap_or("demo")
            .to_owned();
        let token = json!({"token": {
            "methods": [method],
            "issued_at": issued_at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
            "expires_at": expires_at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
            "user": {"id": user_id, "name": user_name, "domain": {"id": "default", "name": "Default"}},
            "project": {"id": format!("pid-{project}"), "name": project, "domain": {"id": "default", "name": "Default"}},
            "roles": [{"id": "r1", "name": "member"}, {"id": "r2", "name": "reader"}],
            "catalog": self.catalog,
        }});
        ResponseTemplate::new(201)
            .insert_header("X-Subject-Token", format!("gAAAA-token-{n}").as_str())
            .set_body_json(token)
    }
}

fn error(code: u16, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(code).set_body_json(
        json!({"error": {"code": code, "message": message, "title": "Unauthorized"}}),
    )
}

/// Starts a fake Keystone at `<server>/identity/v3` with the default catalog.
pub async fn start(lifetime_secs: i64) -> (MockServer, FakeKeystone) {
    let server = MockServer::start().await;
    let catalog = default_catalog(&server.uri());
    start_on(server, lifetime_secs, catalog).await
}

/// A responder for `server` with the default catalog, to mount with extra matchers.
pub fn responder(server: &MockServer, lifetime_secs: i64) -> FakeKeystone {
    FakeKeystone {
        lifetime_secs,
        issued: Arc::new(AtomicU64::new(0)),
        catalog: default_catalog(&server.uri()),
    }
}

pub async fn start_on(
    server: MockServer,
    lifetime_secs: i64,
    catalog: Value,
) -> (MockServer, FakeKeystone) {
    let ks = FakeKeystone {
        lifetime_secs,
        issued: Arc::new(AtomicU64::new(0)),
        catalog,
    };
    Mock::given(method("POST"))
        .and(path("/identity/v3/auth/tokens"))
        .respond_with(ks.clone())
        .mount(&server)
        .await;
    (server, ks)
}

pub fn clouds_yaml(server: &MockServer, extra: &str) -> String {
    format!(
        "clouds:\n  test:\n    auth:\n      auth_url: {}/identity/v3\n      username: admin\n      password: {PASSWORD}\n      project_name: demo\n{extra}",
        server.uri()
    )
}
