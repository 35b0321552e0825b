//! Shared helpers of the integration tests: a mock on 127.0.0.1:0 and a small
//! authenticated client over real HTTP.

use mockcloud::{MockCloud, MockCloudBuilder};
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::HashMap;
use tokio::sync::Mutex;

pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn header_all(&self, name: &str) -> Vec<String> {
        self.headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect()
    }
    /// `(fault name, code, message)` of a Nova fault body.
    pub fn fault(&self) -> (String, u64, String) {
        let obj = self.json.as_object().expect("fault body is an object");
        let (name, inner) = obj.iter().next().expect("one key");
        (
            name.clone(),
            inner["code"].as_u64().unwrap_or(0),
            inner["message"].as_str().unwrap_or("").to_string(),
        )
    }
}

/// What an answer must be, as one row of a case table: each variant is one assertion the
/// tests used to write out by hand (so a row keeps exactly the strength of the assertion it
/// replaced).
#[derive(Debug, Clone)]
pub enum Expect {
    /// This status, whatever the body.
    Status(u16),
    /// This Nova fault: name, code (the status too) and exact message.
    Fault(&'static str, u16, String),
    /// A fault of this name (any code or message).
    Named(&'static str),
    /// A fault with exactly this message.
    Message(String),
    /// A fault whose message starts with this.
    Starts(&'static str),
    /// A fault whose message ends with this.
    Ends(&'static str),
}

impl Expect {
    /// The Nova fault that `webob` names after the status (badRequest for 400...).
    pub fn fault(status: u16, message: impl Into<String>) -> Expect {
        let name = match status {
            400 => "badRequest",
            403 => "forbidden",
            404 => "itemNotFound",
            409 => "conflictingRequest",
            other => panic!("no fault name for {other}: write Expect::Fault"),
        };
        Expect::Fault(name, status, message.into())
    }

    /// `Expect::Fault` of any message expression.
    pub fn nova(name: &'static str, code: u16, message: impl Into<String>) -> Expect {
        Expect::Fault(name, code, message.into())
    }

    /// `Expect::Message` of a `&str`.
    pub fn message(m: &str) -> Expect {
        Expect::Message(m.to_string())
    }
}

impl Resp {
    /// Asserts `expect`, naming `what` (the case) in the failure.
    pub fn check(&self, expect: &Expect, what: &str) {
        match expect {
            Expect::Status(s) => assert_eq!(self.status, *s, "{what}: {}", self.text),
            Expect::Fault(name, code, message) => {
                assert_eq!(self.status, *code, "{what}: {}", self.text);
                assert_eq!(
                    self.fault(),
                    (name.to_string(), u64::from(*code), message.clone()),
                    "{what}"
                );
            }
            Expect::Named(name) => assert_eq!(self.fault().0, *name, "{what}: {}", self.text),
            Expect::Message(m) => assert_eq!(self.fault().2, *m, "{what}: {}", self.text),
            Expect::Starts(p) => assert!(self.fault().2.starts_with(p), "{what}: {}", self.text),
            Expect::Ends(p) => assert!(self.fault().2.ends_with(p), "{what}: {}", self.text),
        }
    }
}

pub struct T {
    pub cloud: MockCloud,
    pub http: reqwest::Client,
    tokens: Mutex<HashMap<String, String>>,
}

impl T {
    pub async fn start(b: MockCloudBuilder) -> T {
        let cloud = b.start().await.expect("mock starts");
        T {
            cloud,
            http: reqwest::Client::new(),
            tokens: Mutex::new(HashMap::new()),
        }
    }

    pub async fn default() -> T {
        Self::start(MockCloud::builder()).await
    }

    /// Drop the cached tokens (after the mock dropped its own: reset, seed, a state load).
    pub async fn forget_tokens(&self) {
        self.tokens.lock().await.clear();
    }

    /// Authenticate a seeded user by name (password method, project scope by name).
    pub async fn token(&self, who: &str) -> String {
        if let Some(t) = self.tokens.lock().await.get(who) {
            return t.clone();
        }
        let c = self.cloud.credential(who).expect("seeded user").clone();
        let body = json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": c.username, "domain": {"name": c.user_domain}, "password": c.password}}},
            "scope": {"project": {"name": c.project, "domain": {"name": c.project_domain}}}}});
        let r = self
            .http
            .post(format!("{}/tokens", self.cloud.auth_url() + "/auth"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201, "auth of {who}");
        let tok = r.headers()["x-subject-token"].to_str().unwrap().to_string();
        self.tokens
            .lock()
            .await
            .insert(who.to_string(), tok.clone());
        tok
    }

    /// A compute request as `who` at `version` (None: no version header).
    pub async fn call(
        &self,
        who: &str,
        method: Method,
        path: &str,
        version: Option<&str>,
        body: Option<&Value>,
    ) -> Resp {
        let tok = self.token(who).await;
        let mut rb = self
            .http
            .request(method, format!("{}{}", self.cloud.compute_url(), path))
            .header("x-auth-token", tok);
        if let Some(v) = version {
            rb = rb.header("OpenStack-API-Version", format!("compute {v}"));
        }
        if let Some(b) = body {
            rb = rb.json(b);
        }
        to_resp(rb.send().await.unwrap()).await
    }

    pub async fn get(&self, who: &str, path: &str, version: &str) -> Resp {
        self.call(who, Method::GET, path, Some(version), None).await
    }

    pub async fn action(&self, who: &str, id: &str, version: &str, body: Value) -> Resp {
        self.call(
            who,
            Method::POST,
            &format!("/servers/{id}/action"),
            Some(version),
            Some(&body),
        )
        .await
    }

    /// Create a server (m1.tiny, cirros, no network) as `who`; returns its id.
    pub async fn create_server(&self, who: &str) -> String {
        self.create_server_with(who, json!({})).await
    }

    pub async fn create_server_with(&self, who: &str, extra: Value) -> String {
        let mut server = json!({"name": "vm", "flavorRef": "1", "imageRef": mockcloud::CIRROS_IMAGE_ID, "networks": "none"});
        if let (Some(s), Some(e)) = (server.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                s.insert(k.clone(), v.clone());
            }
        }
        let r = self
            .call(
                who,
                Method::POST,
                "/servers",
                Some("2.74"),
                Some(&json!({ "server": server })),
            )
            .await;
        assert_eq!(r.status, 202, "create: {}", r.text);
        r.json["server"]["id"].as_str().unwrap().to_string()
    }

    /// The server as the admin sees it at the latest version.
    pub async fn server(&self, id: &str) -> Value {
        let r = self.get("admin", &format!("/servers/{id}"), "2.104").await;
        assert_eq!(r.status, 200, "show: {}", r.text);
        r.json["server"].clone()
    }

    pub async fn host_of(&self, id: &str) -> String {
        self.server(id).await["OS-EXT-SRV-ATTR:host"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn migrations(&self) -> Vec<Value> {
        let r = self.get("admin", "/os-migrations", "2.80").await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.json["migrations"].as_array().unwrap().clone()
    }

    /// Another host than `host`.
    pub fn other_host(&self, host: &str) -> String {
        ["compute1", "compute2", "compute3"]
            .into_iter()
            .find(|h| *h != host)
            .unwrap()
            .to_string()
    }
}

pub async fn to_resp(r: reqwest::Response) -> Resp {
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Resp {
        status,
        headers,
        text,
        json,
    }
}
