//! Fault injection rules: match method, path (glob with `*` per segment),
//! server action and microversion; answer with a status and body, add latency,
//! or drop the connection; once, N times, or with a probability.

use crate::compute::pipeline::microversion;
use crate::http::hooks::{FaultInjector, Injected, RequestInfo};
use axum::body::Body;
use axum::http::{header, HeaderValue, Response, StatusCode};
use parking_lot::Mutex;
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// One rule (the JSON body of `POST /mockcloud/faults`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct Rule {
    #[serde(default)]
    pub method: Option<String>,
    /// Path glob, e.g. `/v2.1/servers/*/action` (`*` matches one segment, `**` the rest).
    #[serde(default)]
    pub path: Option<String>,
    /// Server action name (the body's top-level key), e.g. `migrate`.
    #[serde(default)]
    pub action: Option<String>,
    /// Exact requested microversion, e.g. `2.56`.
    #[serde(default)]
    pub microversion: Option<String>,
    /// Answer with this status (and `body`) instead of the mock.
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub body: Option<serde_json::Value>,
    #[serde(default)]
    pub latency_ms: Option<u64>,
    #[serde(default)]
    pub drop: bool,
    /// Fire at most this many times (None: unlimited).
    #[serde(default)]
    pub times: Option<u64>,
    /// Fire with this probability (0..=1; None: always).
    #[serde(default)]
    pub probability: Option<f64>,
}

fn glob_match(pattern: &str, path: &str) -> bool {
    let p: Vec<&str> = pattern.trim_end_matches('/').split('/').collect();
    let s: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    for (i, seg) in p.iter().enumerate() {
        if *seg == "**" {
            return true;
        }
        match s.get(i) {
            Some(x) if *seg == "*" || seg == x => {}
            _ => return false,
        }
    }
    p.len() == s.len()
}

impl Rule {
    fn matches(&self, req: &RequestInfo, action: Option<&str>) -> bool {
        if self
            .method
            .as_deref()
            .is_some_and(|m| !m.eq_ignore_ascii_case(req.method.as_str()))
        {
            return false;
        }
        if self
            .path
            .as_deref()
            .is_some_and(|p| !glob_match(p, &req.path))
        {
            return false;
        }
        if self.action.is_some() && self.action.as_deref() != action {
            return false;
        }
        if let Some(v) = &self.microversion {
            if microversion::requested(&req.headers).as_deref() != Some(v.as_str()) {
                return false;
            }
        }
        true
    }

    fn outcome(&self) -> Option<Injected> {
        if self.drop {
            return Some(Injected::Drop);
        }
        if let Some(code) = self.status {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let body = self.body.clone().unwrap_or(serde_json::Value::Null);
            let mut r = Response::new(Body::from(crate::pyfmt::to_json_bytes(&body)));
            *r.status_mut() = status;
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=UTF-8"),
            );
            return Some(Injected::Respond(r));
        }
        self.latency_ms
            .map(|ms| Injected::Delay(Duration::from_millis(ms)))
    }
}

struct Armed {
    rule: Rule,
    fired: u64,
}

/// The installed rule set.
#[derive(Default)]
pub(crate) struct Faults {
    rules: Mutex<Vec<Armed>>,
}

impl Faults {
    pub fn add(&self, rule: Rule) {
        self.rules.lock().push(Armed { rule, fired: 0 });
    }
    pub fn clear(&self) {
        self.rules.lock().clear();
    }
    pub fn list(&self) -> Vec<(Rule, u64)> {
        self.rules
            .lock()
            .iter()
            .map(|a| (a.rule.clone(), a.fired))
            .collect()
    }
    /// Whether any rule needs the request body (action matching).
    pub fn needs_action(&self) -> bool {
        self.rules.lock().iter().any(|a| a.rule.action.is_some())
    }
    pub fn intercept_with_action(
        &self,
        req: &RequestInfo,
        action: Option<&str>,
    ) -> Option<Injected> {
        let mut rules = self.rules.lock();
        for a in rules.iter_mut() {
            if a.rule.times.is_some_and(|t| a.fired >= t) || !a.rule.matches(req, action) {
                continue;
            }
            if let Some(p) = a.rule.probability {
                if rand::thread_rng().gen::<f64>() >= p {
                    continue;
                }
            }
            a.fired += 1;
            return a.rule.outcome();
        }
        None
    }
}

impl FaultInjector for Faults {
    fn intercept(&self, req: &RequestInfo) -> Option<Injected> {
        self.intercept_with_action(req, req.action.as_deref())
    }
    fn wants_body(&self) -> bool {
        self.needs_action()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match(
            "/v2.1/servers/*/action",
            "/v2.1/servers/abc/action"
        ));
        assert!(!glob_match("/v2.1/servers/*/action", "/v2.1/servers/abc"));
        assert!(glob_match("/v2.1/**", "/v2.1/servers/abc"));
    }
}
