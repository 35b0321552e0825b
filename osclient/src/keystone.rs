//! Keystone v3 `POST /v3/auth/tokens`: the request body for each auth method and the parsing
//! of the token response.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use url::Url;

use crate::catalog::Catalog;
use crate::config::{AuthType, CloudConfig};
use crate::identity::Identity;
use crate::secret::Secret;

/// The token URL for an auth URL. Without version discovery: `.../v3` is used as is, any other
/// URL (`https://host:5000`, `https://host/identity`) gets `/v3` appended, and a `/v2.0` suffix is
/// replaced by `/v3` (Keystone has served v3 beside v2.0 since Grizzly; v2.0 is gone since Queens).
pub(crate) fn tokens_url(auth_url: &str) -> Result<Url, url::ParseError> {
    let trimmed = auth_url.trim().trim_end_matches('/');
    let base = if trimmed.ends_with("/v3") {
        trimmed.to_owned()
    } else if let Some(stripped) = trimmed.strip_suffix("/v2.0") {
        format!("{stripped}/v3")
    } else {
        format!("{trimmed}/v3")
    };
    Url::parse(&format!("{base}/auth/tokens"))
}

fn domain_ref(id: &Option<String>, name: &Option<String>) -> Option<Value> {
    match (id, name) {
        (Some(id), _) => Some(json!({ "id": id })),
        (None, Some(name)) => Some(json!({ "name": name })),
        (None, None) => None,
    }
}

/// `{"id": ...}` or `{"name": ..., "domain": ...}` for a user.
fn user_ref(cfg: &CloudConfig) -> Map<String, Value> {
    let a = &cfg.auth;
    let mut user = Map::new();
    if let Some(id) = &a.user_id {
        user.insert("id".into(), json!(id));
    } else if let Some(name) = &a.username {
        user.insert("name".into(), json!(name));
        if let Some(d) = domain_ref(&a.user_domain_id, &a.user_domain_name) {
            user.insert("domain".into(), d);
        }
    }
    user
}

/// The `scope` object: project (id, or name + domain), else domain, else system, else none
/// (unscoped). Application credentials carry their own scope, so they never send one.
fn scope(cfg: &CloudConfig) -> Option<Value> {
    let a = &cfg.auth;
    if cfg.auth_type == AuthType::ApplicationCredential {
        return None;
    }
    if let Some(id) = &a.project_id {
        return Some(json!({ "project": { "id": id } }));
    }
    if let Some(name) = &a.project_name {
        let mut p = Map::new();
        p.insert("name".into(), json!(name));
        if let Some(d) = domain_ref(&a.project_domain_id, &a.project_domain_name) {
            p.insert("domain".into(), d);
        }
        return Some(json!({ "project": p }));
    }
    if let Some(d) = domain_ref(&a.domain_id, &a.domain_name) {
        return Some(json!({ "domain": d }));
    }
    if let Some(s) = &a.system_scope {
        return Some(json!({ "system": { s.as_str(): true } }));
    }
    None
}

/// The JSON body of the token request. It contains the secret: never log it.
pub(crate) fn token_request_body(cfg: &CloudConfig) -> Value {
    let a = &cfg.auth;
    let expose = |s: &Option<Secret>| {
        s.as_ref()
            .map(|s| s.expose().to_owned())
            .unwrap_or_default()
    };
    let identity = match cfg.auth_type {
        AuthType::Password => {
            let mut user = user_ref(cfg);
            user.insert("password".into(), json!(expose(&a.password)));
            json!({ "methods": ["password"], "password": { "user": user } })
        }
        AuthType::ApplicationCredential => {
            let mut ac = Map::new();
            if let Some(id) = &a.application_credential_id {
                ac.insert("id".into(), json!(id));
            } else {
                ac.insert("name".into(), json!(a.application_credential_name));
                ac.insert("user".into(), Value::Object(user_ref(cfg)));
            }
            ac.insert(
                "secret".into(),
                json!(expose(&a.application_credential_secret)),
            );
            json!({ "methods": ["application_credential"], "application_credential": ac })
        }
        AuthType::Token => {
            json!({ "methods": ["token"], "token": { "id": expose(&a.token) } })
        }
    };
    let mut auth = Map::new();
    auth.insert("identity".into(), identity);
    if let Some(s) = scope(cfg) {
        auth.insert("scope".into(), s);
    }
    json!({ "auth": auth })
}

#[derive(Deserialize)]
struct TokenEnvelope {
    token: TokenBody,
}

#[derive(Deserialize)]
struct Named {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    domain: Option<Box<Named>>,
}

/// Only the name matters (policies check role names); Keystone also sends an id.
#[derive(Deserialize)]
struct Role {
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct TokenBody {
    expires_at: String,
    #[serde(default)]
    issued_at: Option<String>,
    user: Named,
    #[serde(default)]
    project: Option<Named>,
    #[serde(default)]
    domain: Option<Named>,
    #[serde(default)]
    system: Option<Value>,
    #[serde(default)]
    roles: Vec<Role>,
    #[serde(default)]
    catalog: Option<Value>,
}

/// A parsed token response.
pub(crate) struct IssuedToken {
    pub token: Secret,
    pub expires_at: DateTime<Utc>,
    pub issued_at: Option<DateTime<Utc>>,
    pub identity: Identity,
    pub catalog: Catalog,
}

/// Keystone writes `2026-11-25T21:00:00.000000Z`; accept RFC 3339 and the same without zone.
pub(crate) fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|n| n.and_utc())
        })
}

/// Parses the `X-Subject-Token` header value and the JSON body of a 201 answer.
pub(crate) fn parse_token_response(
    subject_token: Option<&str>,
    body: &[u8],
) -> Result<IssuedToken, String> {
    let token = subject_token
        .filter(|t| !t.is_empty())
        .ok_or("no X-Subject-Token header")?;
    let env: TokenEnvelope =
        serde_json::from_slice(body).map_err(|e| format!("body is not a v3 token: {e}"))?;
    let t = env.token;
    let expires_at = parse_time(&t.expires_at)
        .ok_or_else(|| format!("expires_at '{}' is not a timestamp", t.expires_at))?;
    let issued_at = t.issued_at.as_deref().and_then(parse_time);
    let catalog = match t.catalog {
        None | Some(Value::Null) => Catalog::default(),
        Some(c) => serde_json::from_value(json!({ "catalog": c }))
            .map_err(|e| format!("catalog is malformed: {e}"))?,
    };
    let identity = Identity {
        user_id: t.user.id,
        user_name: t.user.name.unwrap_or_default(),
        user_domain_id: t.user.domain.as_ref().map(|d| d.id.clone()),
        user_domain_name: t.user.domain.as_ref().and_then(|d| d.name.clone()),
        project_id: t.project.as_ref().map(|p| p.id.clone()),
        project_name: t.project.as_ref().and_then(|p| p.name.clone()),
        project_domain_id: t
            .project
            .as_ref()
            .and_then(|p| p.domain.as_ref().map(|d| d.id.clone())),
        domain_id: t.domain.map(|d| d.id),
        system_scope: t.system.is_some(),
        roles: t.roles.into_iter().filter_map(|r| r.name).collect(),
    };
    Ok(IssuedToken {
        token: Secret::new(token),
        expires_at,
        issued_at,
        identity,
        catalog,
    })
}

/// Keystone's error message from an error body (`{"error": {"message": ...}}`), truncated;
/// falls back to the start of the raw body.
pub(crate) fn error_message(body: &[u8]) -> String {
    let msg = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| {
            v.pointer("/error/message")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_owned());
    let mut out: String = msg.chars().take(300).collect();
    if out.is_empty() {
        out = "(empty body)".into();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_url_forms() {
        for (input, want) in [
            ("http://h:5000", "http://h:5000/v3/auth/tokens"),
            ("http://h:5000/", "http://h:5000/v3/auth/tokens"),
            ("http://h/identity", "http://h/identity/v3/auth/tokens"),
            ("http://h/identity/v3", "http://h/identity/v3/auth/tokens"),
            ("http://h/identity/v3/", "http://h/identity/v3/auth/tokens"),
            ("http://h:5000/v2.0", "http://h:5000/v3/auth/tokens"),
        ] {
            assert_eq!(tokens_url(input).unwrap().as_str(), want, "{input}");
        }
    }

    fn cfg(yaml_auth: &str, auth_type: &str) -> CloudConfig {
        let yaml = format!(
            "clouds:\n  c:\n    auth_type: {auth_type}\n    auth:\n      auth_url: http://k/v3\n{yaml_auth}"
        );
        CloudConfig::from_clouds_yaml_str(&yaml, "c").unwrap()
    }

    #[test]
    fn request_bodies_for_each_method_and_scope() {
        let cases = [
            (
                "      user_id: u1\n      password: pw\n      project_id: p1\n",
                "password",
                json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {"id": "u1", "password": "pw"}}},
                                "scope": {"project": {"id": "p1"}}}}),
            ),
            (
                "      username: u\n      password: pw\n      project_name: p\n      project_domain_name: PD\n",
                "password",
                json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "u", "domain": {"id": "default"}, "password": "pw"}}},
                                "scope": {"project": {"name": "p", "domain": {"name": "PD"}}}}}),
            ),
            (
                "      username: u\n      user_domain_id: UD\n      password: pw\n      domain_id: D\n",
                "password",
                json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "u", "domain": {"id": "UD"}, "password": "pw"}}},
                                "scope": {"domain": {"id": "D"}}}}),
            ),
            (
                "      user_id: u1\n      password: pw\n      system_scope: all\n",
                "password",
                json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {"id": "u1", "password": "pw"}}},
                                "scope": {"system": {"all": true}}}}),
            ),
            (
                "      user_id: u1\n      password: pw\n",
                "password",
                json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {"id": "u1", "password": "pw"}}}}}),
            ),
            (
                "      application_credential_id: a1\n      application_credential_secret: s\n      project_id: ignored\n",
                "v3applicationcredential",
                json!({"auth": {"identity": {"methods": ["application_credential"], "application_credential": {"id": "a1", "secret": "s"}}}}),
            ),
            (
                "      application_credential_name: n\n      username: u\n      user_domain_name: UD\n      application_credential_secret: s\n",
                "v3applicationcredential",
                json!({"auth": {"identity": {"methods": ["application_credential"], "application_credential": {"name": "n", "user": {"name": "u", "domain": {"name": "UD"}}, "secret": "s"}}}}),
            ),
            (
                "      token: t\n      project_id: p1\n",
                "v3token",
                json!({"auth": {"identity": {"methods": ["token"], "token": {"id": "t"}}, "scope": {"project": {"id": "p1"}}}}),
            ),
        ];
        for (auth, auth_type, want) in cases {
            assert_eq!(token_request_body(&cfg(auth, auth_type)), want, "{auth}");
        }
    }

    #[test]
    fn times() {
        let t = parse_time("2026-11-25T21:00:00.000000Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-25T21:00:00+00:00");
        assert!(parse_time("2026-11-25T21:00:00.5").is_some());
        assert!(parse_time("tomorrow").is_none());
    }
}
