//! `POST /v3/auth/tokens` (password, application_credential, token), `GET`
//! (validate), `HEAD` (check) and `DELETE` (revoke).

use super::catalog::catalog;
use super::error;
use crate::compute::pipeline::auth::base_url;
use crate::http::reply::{self, HttpResponse};
use crate::state::handle::{Shared, Token};
use crate::state::store::State as CloudState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::sync::Arc;
use uuid::Uuid;

fn ts(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The token document Keystone returns.
fn token_body(st: &CloudState, t: &Token, base: &str) -> Value {
    let domain = json!({"id": t.domain_id, "name": t.domain_name});
    let mut body = json!({
        "methods": t.methods,
        "user": {"domain": domain, "id": t.user_id, "name": t.user_name, "password_expires_at": null},
        "audit_ids": [t.audit_id],
        "expires_at": ts(&t.expires_at),
        "issued_at": ts(&t.issued_at),
    });
    if let (Some(pid), Some(pname)) = (&t.project_id, &t.project_name) {
        let pdomain = st
            .projects
            .iter()
            .find(|p| &p.id == pid)
            .and_then(|p| st.domains.iter().find(|d| d.id == p.domain_id))
            .map(|d| json!({"id": d.id, "name": d.name}))
            .unwrap_or_else(|| domain.clone());
        body["project"] = json!({"domain": pdomain, "id": pid, "name": pname});
        body["is_domain"] = json!(false);
        let roles: Vec<Value> = t
            .roles
            .iter()
            .map(|r| json!({"id": st.roles.iter().find(|x| &x.name == r).map(|x| x.id.clone()).unwrap_or_default(), "name": r}))
            .collect();
        body["roles"] = json!(roles);
        body["catalog"] = catalog(base);
    }
    if let Some(ac) = &t.app_credential_id {
        body["application_credential"] = json!({"id": ac, "name": st.app_credentials.iter().find(|a| &a.id == ac).map(|a| a.name.clone()), "restricted": true});
    }
    json!({ "token": body })
}

fn domain_matches(st: &CloudState, spec: Option<&Value>, domain_id: &str) -> bool {
    let Some(d) = spec else { return false };
    if let Some(id) = d.get("id").and_then(Value::as_str) {
        return id == domain_id;
    }
    if let Some(name) = d.get("name").and_then(Value::as_str) {
        return st
            .domains
            .iter()
            .any(|x| x.id == domain_id && x.name == name);
    }
    false
}

/// Resolve a user reference `{id}` or `{name, domain}`.
fn find_user<'a>(st: &'a CloudState, u: &Value) -> Option<&'a crate::state::model::User> {
    if let Some(id) = u.get("id").and_then(Value::as_str) {
        return st.users.iter().find(|x| x.id == id);
    }
    let name = u.get("name").and_then(Value::as_str)?;
    st.users
        .iter()
        .find(|x| x.name == name && domain_matches(st, u.get("domain"), &x.domain_id))
}

/// Resolve a project scope `{id}` or `{name, domain}`.
fn find_project<'a>(st: &'a CloudState, p: &Value) -> Option<&'a crate::state::model::Project> {
    if let Some(id) = p.get("id").and_then(Value::as_str) {
        return st.projects.iter().find(|x| x.id == id);
    }
    let name = p.get("name").and_then(Value::as_str)?;
    st.projects
        .iter()
        .find(|x| x.name == name && domain_matches(st, p.get("domain"), &x.domain_id))
}

enum Outcome {
    Issued(String, Value),
    Unauthorized,
    BadRequest(String),
}

fn authenticate(shared: &Shared, body: &Value, base: &str) -> Outcome {
    let Some(auth) = body.get("auth") else {
        return Outcome::BadRequest("Expecting to find auth in request.".into());
    };
    let Some(identity) = auth.get("identity") else {
        return Outcome::BadRequest("Expecting to find identity in auth.".into());
    };
    let methods: Vec<String> = identity
        .get("methods")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|m| m.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let now = shared.clock.now();
    let st = shared.state.lock();
    let scope = auth.get("scope");
    let (user, project_from_cred, app_cred, roles_from_cred, mut methods_out) =
        if methods.iter().any(|m| m == "password") {
            let Some(u) = identity.get("password").and_then(|p| p.get("user")) else {
                return Outcome::BadRequest("Expecting to find user in password.".into());
            };
            let Some(user) = find_user(&st, u) else {
                return Outcome::Unauthorized;
            };
            if u.get("password").and_then(Value::as_str) != Some(user.password.as_str()) {
                return Outcome::Unauthorized;
            }
            (user.clone(), None, None, None, vec!["password".to_string()])
        } else if methods.iter().any(|m| m == "application_credential") {
            let Some(ac) = identity.get("application_credential") else {
                return Outcome::BadRequest(
                    "Expecting to find application_credential in identity.".into(),
                );
            };
            let secret = ac.get("secret").and_then(Value::as_str).unwrap_or("");
            let found = if let Some(id) = ac.get("id").and_then(Value::as_str) {
                st.app_credentials.iter().find(|a| a.id == id)
            } else {
                let name = ac.get("name").and_then(Value::as_str).unwrap_or("");
                let owner = ac.get("user").and_then(|u| find_user(&st, u));
                st.app_credentials
                    .iter()
                    .find(|a| a.name == name && owner.is_some_and(|o| o.id == a.user_id))
            };
            let Some(app) = found.filter(|a| a.secret == secret) else {
                return Outcome::Unauthorized;
            };
            let Some(user) = st.users.iter().find(|u| u.id == app.user_id) else {
                return Outcome::Unauthorized;
            };
            (
                user.clone(),
                Some(app.project_id.clone()),
                Some(app.id.clone()),
                Some(app.roles.clone()),
                vec!["application_credential".to_string()],
            )
        } else if methods.iter().any(|m| m == "token") {
            let tid = identity
                .get("token")
                .and_then(|t| t.get("id"))
                .and_then(Value::as_str)
                .unwrap_or("");
            let tokens = shared.tokens.read();
            let Some(old) = tokens.get(tid).filter(|t| t.expires_at > now) else {
                return Outcome::Unauthorized;
            };
            let Some(user) = st.users.iter().find(|u| u.id == old.user_id) else {
                return Outcome::Unauthorized;
            };
            let mut m = old.methods.clone();
            if !m.contains(&"token".to_string()) {
                m.push("token".into());
            }
            (user.clone(), None, None, None, m)
        } else {
            return Outcome::Unauthorized;
        };
    methods_out.dedup();
    let (project, roles) = if let Some(pid) = project_from_cred {
        (
            st.projects.iter().find(|p| p.id == pid).cloned(),
            roles_from_cred.unwrap_or_default(),
        )
    } else if let Some(p) = scope.and_then(|s| s.get("project")) {
        let Some(project) = find_project(&st, p) else {
            return Outcome::Unauthorized;
        };
        let Some(roles) = user.assignments.get(&project.id) else {
            return Outcome::Unauthorized;
        };
        (Some(project.clone()), roles.clone())
    } else {
        (None, Vec::new())
    };
    let domain = st.domains.iter().find(|d| d.id == user.domain_id).cloned();
    let token = Token {
        user_id: user.id.clone(),
        user_name: user.name.clone(),
        domain_id: user.domain_id.clone(),
        domain_name: domain.map(|d| d.name).unwrap_or_default(),
        project_id: project.as_ref().map(|p| p.id.clone()),
        project_name: project.as_ref().map(|p| p.name.clone()),
        roles,
        methods: methods_out,
        issued_at: now,
        expires_at: now
            + chrono::Duration::from_std(shared.config.token_ttl)
                .unwrap_or(chrono::Duration::hours(1)),
        audit_id: Uuid::new_v4().simple().to_string()[..22].to_string(),
        app_credential_id: app_cred,
        auth: None,
    };
    let mut token = token;
    token.auth = token.project_id.as_ref().map(|pid| {
        Arc::new(crate::compute::pipeline::auth::AuthContext {
            user_id: token.user_id.clone(),
            project_id: pid.clone(),
            roles: token.roles.clone(),
        })
    });
    let id = format!(
        "gAAAAA{}{}",
        Uuid::new_v4().simple(),
        Uuid::new_v4().simple()
    );
    let body = token_body(&st, &token, base);
    drop(st);
    shared.tokens.write().insert(id.clone(), token);
    Outcome::Issued(id, body)
}

pub(crate) async fn issue(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    bytes: Bytes,
) -> HttpResponse {
    let Ok(body) = serde_json::from_slice::<Value>(&bytes) else {
        return error::bad_request("Malformed request body.", &headers);
    };
    match authenticate(&shared, &body, &base_url(&headers)) {
        Outcome::Issued(id, doc) => {
            let mut r = reply::json(StatusCode::CREATED, &doc);
            if let Ok(v) = HeaderValue::from_str(&id) {
                r.headers_mut().insert("x-subject-token", v);
            }
            r.headers_mut()
                .insert("vary", HeaderValue::from_static("X-Auth-Token"));
            r
        }
        Outcome::Unauthorized => error::unauthorized(&headers),
        Outcome::BadRequest(m) => error::bad_request(&m, &headers),
    }
}

fn caller_ok(shared: &Shared, headers: &HeaderMap) -> bool {
    let now = shared.clock.now();
    headers
        .get("x-auth-token")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            shared
                .tokens
                .read()
                .get(t)
                .is_some_and(|t| t.expires_at > now)
        })
}

fn subject(shared: &Shared, headers: &HeaderMap) -> Result<(String, Token), Box<HttpResponse>> {
    if !caller_ok(shared, headers) {
        return Err(Box::new(error::unauthorized(headers)));
    }
    let sid = headers
        .get("x-subject-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let now = shared.clock.now();
    match shared
        .tokens
        .read()
        .get(&sid)
        .filter(|t| t.expires_at > now)
    {
        Some(t) => Ok((sid, t.clone())),
        None => Err(Box::new(error::error(
            StatusCode::NOT_FOUND,
            &format!("Could not find token: {sid}."),
            headers,
        ))),
    }
}

pub(crate) async fn validate(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
) -> HttpResponse {
    match subject(&shared, &headers) {
        Ok((sid, t)) => {
            let doc = token_body(&shared.state.lock(), &t, &base_url(&headers));
            let mut r = reply::json(StatusCode::OK, &doc);
            if let Ok(v) = HeaderValue::from_str(&sid) {
                r.headers_mut().insert("x-subject-token", v);
            }
            r
        }
        Err(r) => *r,
    }
}

pub(crate) async fn check(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> HttpResponse {
    match subject(&shared, &headers) {
        Ok(_) => reply::empty(StatusCode::OK),
        Err(r) => *r,
    }
}

pub(crate) async fn revoke(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> HttpResponse {
    match subject(&shared, &headers) {
        Ok((sid, _)) => {
            shared.tokens.write().remove(&sid);
            let mut r = reply::empty(StatusCode::NO_CONTENT);
            r.headers_mut().remove(axum::http::header::CONTENT_TYPE);
            r
        }
        Err(r) => *r,
    }
}
