//! A small stateful fake of Nova's migrate API on wiremock, for proving the suite can fail.
//!
//! Why a fake and not the real mock behind a deviating proxy: wiremock responders are
//! synchronous, so they cannot forward to another server, and a deviation must change the
//! *behaviour* (where the server lands, whether it leaves RESIZE), not only rewrite one answer.
//! The fake is a third, deliberately small description of upstream Nova (written from the
//! reference page), covering exactly what the matrix exercises; a baseline test asserts the
//! suite passes every case against it, so each deviation test measures one deviation only.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use nova_conform::Profile;
use nova_conform::Role;
use nova_conform::{Caller, HostInventory, ScopedToken, ServerTemplate, Target, Timing};
use parking_lot::Mutex;
use serde_json::{json, Value};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// One deliberate deviation from upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deviation {
    None,
    /// pike-spec: `force: true` with a null host is accepted (202) instead of 400.
    ForceWithoutHostAccepted,
    /// Every accepted migrate answers 200 instead of 202.
    Ok200,
    /// Every 400 carries `itemNotFound` instead of `badRequest`.
    ItemNotFoundForBadRequest,
    /// No version headers (and no Vary) on any answer.
    NoVersionHeaders,
    /// At exactly 2.56 the body's host is ignored; the scheduler avoids the requested host.
    HostIgnoredAt256,
    /// A valid migrate to a named host (2.56+) answers 500.
    ServerErrorOnValidHost,
    /// An accepted migrate never leaves RESIZE.
    StuckInResize,
    /// Nova 2025.1 (epoxy): the migrate policy is admin-only, so a manager is refused as a
    /// member is, and a manager may not list migrations (max microversion 2.100).
    Nova2025_1,
    /// Neither 2025.1 nor 2025.2: a manager migrates an ACTIVE server (2025.2) but is refused
    /// by the policy on a locked or stopped one (2025.1); listing migrations as a manager
    /// answers 500, so `auto` cannot tell the two apart before the run.
    ManagerHalfway,
}

/// Nova's `parameter_types.boolean` (nova/api/validation/parameter_types.py at 34.0.0): the
/// value as a boolean, `None` when it is not one of the accepted values.
fn nova_boolean(v: &Value) -> Option<bool> {
    const TRUE: [&str; 10] = [
        "True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes",
    ];
    const FALSE: [&str; 10] = [
        "False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no",
    ];
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if TRUE.contains(&s.as_str()) => Some(true),
        Value::String(s) if FALSE.contains(&s.as_str()) => Some(false),
        _ => None,
    }
}

const ENABLED: [&str; 3] = ["compute1", "compute2", "compute3"];
const DISABLED: &str = "compute4";
const FULL: &str = "compute5";

#[derive(Debug, Clone)]
struct Srv {
    name: String,
    project: &'static str,
    status: &'static str,
    task: Option<&'static str>,
    host: String,
    locked: bool,
    /// status to return to after confirm/revert
    back: &'static str,
}

#[derive(Debug, Clone)]
struct Mig {
    id: i64,
    uuid: String,
    instance: String,
    source: String,
    dest: Option<String>,
    status: &'static str,
}

#[derive(Default)]
struct State {
    servers: HashMap<String, Srv>,
    migrations: Vec<Mig>,
    next_host: usize,
}

pub struct FakeNova {
    profile: Profile,
    deviation: Deviation,
    min: u32,
    max: u32,
    state: Mutex<State>,
}

fn ident(token: &str) -> Option<(Role, &'static str)> {
    match token {
        "tok-admin" => Some((Role::Admin, "demo")),
        "tok-manager" => Some((Role::Manager, "demo")),
        "tok-member" => Some((Role::Member, "demo")),
        "tok-other" => Some((Role::Other, "other")),
        _ => None,
    }
}

/// Python's `str()` of a JSON value, as nova's validation messages print it.
fn py(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("[{}]", a.iter().map(pyr).collect::<Vec<_>>().join(", ")),
        Value::Object(o) => {
            format!(
                "{{{}}}",
                o.iter()
                    .map(|(k, v)| format!("'{k}': {}", pyr(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }
}

/// Python's `repr()`.
fn pyr(v: &Value) -> String {
    match v {
        Value::String(s) => format!("'{s}'"),
        other => py(other),
    }
}

struct Answer {
    status: u16,
    body: Option<Value>,
    version: Option<String>,
}

fn fault(status: u16, key: &str, msg: impl Into<String>) -> Answer {
    Answer {
        status,
        body: Some(json!({ key: {"code": status, "message": msg.into()} })),
        version: None,
    }
}

impl FakeNova {
    pub fn new(profile: Profile, deviation: Deviation, min: u32, max: u32) -> Self {
        Self {
            profile,
            deviation,
            min,
            max,
            state: Mutex::new(State::default()),
        }
    }

    /// Version negotiation: Ok(minor) or the refusal (with the version to echo, if any).
    fn negotiate(&self, req: &Request) -> Result<u32, Answer> {
        let h = |n: &str| {
            req.headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let raw = match (
            h("openstack-api-version"),
            h("x-openstack-nova-api-version"),
        ) {
            (Some(m), _) => Some(m.trim_start_matches("compute").trim().to_string()),
            (None, Some(l)) => Some(l.trim().to_string()),
            (None, None) => None,
        };
        let Some(raw) = raw else { return Ok(self.min) };
        if raw == "latest" {
            return Ok(self.max);
        }
        static RE: std::sync::LazyLock<regex::Regex> =
            std::sync::LazyLock::new(|| regex::Regex::new(r"^([1-9]\d*)\.([1-9]\d*|0)$").unwrap());
        let Some(c) = RE.captures(&raw) else {
            return Err(fault(
                400,
                "badRequest",
                format!("API Version String {raw} is of invalid format. Must be of format MajorNum.MinorNum."),
            ));
        };
        let (maj, min): (u32, u32) = (c[1].parse().unwrap(), c[2].parse().unwrap());
        if maj != 2 || min < self.min || min > self.max {
            let mut a = fault(
                406,
                "computeFault",
                format!("Version {raw} is not supported by the API. Minimum is 2.{} and maximum is 2.{}.", self.min, self.max),
            );
            a.version = Some(raw);
            return Err(a);
        }
        Ok(min)
    }

    fn handle(&self, req: &Request) -> Answer {
        let path = req.url.path().to_string();
        if path == "/v2.1" || path == "/v2.1/" {
            return Answer {
                status: 200,
                body: Some(
                    json!({"version": {"id": "v2.1", "status": "CURRENT", "version": format!("2.{}", self.max), "min_version": format!("2.{}", self.min)}}),
                ),
                version: None,
            };
        }
        let token = req
            .headers
            .get("x-auth-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let Some((role, project)) = ident(token) else {
            return fault(
                401,
                "unauthorized",
                "The request you have made requires authentication.",
            );
        };
        let mv = match self.negotiate(req) {
            Ok(v) => v,
            Err(a) => return a,
        };
        let mut ans = self.route(req, &path, role, project, mv);
        ans.version.get_or_insert(format!("2.{mv}"));
        ans
    }

    fn route(
        &self,
        req: &Request,
        path: &str,
        role: Role,
        project: &'static str,
        mv: u32,
    ) -> Answer {
        let parts: Vec<&str> = path.trim_start_matches("/v2.1/").split('/').collect();
        let m = req.method.as_str();
        let mut st = self.state.lock();
        match (m, parts.as_slice()) {
            ("POST", ["servers"]) => {
                let id = uuid::Uuid::new_v4().to_string();
                let host = ENABLED[st.next_host % ENABLED.len()].to_string();
                st.next_host += 1;
                let name = serde_json::from_slice::<Value>(&req.body)
                    .ok()
                    .and_then(|b| b["server"]["name"].as_str().map(String::from))
                    .unwrap_or_default();
                st.servers.insert(
                    id.clone(),
                    Srv {
                        name,
                        project: "demo",
                        status: "ACTIVE",
                        task: None,
                        host,
                        locked: false,
                        back: "ACTIVE",
                    },
                );
                Answer {
                    status: 202,
                    body: Some(json!({"server": {"id": id}})),
                    version: None,
                }
            }
            // The cleanup's sweep: `name` is a regex, here always `^<escaped prefix>`.
            ("GET", ["servers", "detail"]) => {
                let want = req
                    .url
                    .query_pairs()
                    .find(|(k, _)| k == "name")
                    .map(|(_, v)| v.trim_start_matches('^').replace('\\', ""))
                    .unwrap_or_default();
                let list: Vec<Value> = st
                    .servers
                    .iter()
                    .filter(|(_, s)| s.name.starts_with(&want))
                    .map(|(id, s)| json!({"id": id, "name": s.name, "status": s.status}))
                    .collect();
                Answer {
                    status: 200,
                    body: Some(json!({ "servers": list })),
                    version: None,
                }
            }
            ("GET", ["servers", id]) => match st.servers.get(*id) {
                Some(s) if role == Role::Admin || s.project == project => Answer {
                    status: 200,
                    body: Some(
                        json!({"server": {"id": id, "status": s.status, "OS-EXT-STS:task_state": s.task,
                        "OS-EXT-SRV-ATTR:host": s.host, "locked": s.locked}}),
                    ),
                    version: None,
                },
                _ => fault(
                    404,
                    "itemNotFound",
                    format!("Instance {id} could not be found."),
                ),
            },
            ("DELETE", ["servers", id]) => {
                st.servers.remove(*id);
                Answer {
                    status: 204,
                    body: None,
                    version: None,
                }
            }
            ("GET", ["os-migrations"]) => {
                if role == Role::Manager {
                    // The release signal: a manager listing its own project's migrations.
                    return match self.deviation {
                        Deviation::Nova2025_1 => fault(
                            403,
                            "forbidden",
                            "Policy doesn't allow os_compute_api:os-migrations:index to be performed.",
                        ),
                        Deviation::ManagerHalfway => {
                            fault(500, "computeFault", "Unexpected API Error.")
                        }
                        _ => Answer {
                            status: 200,
                            body: Some(json!({"migrations": []})),
                            version: None,
                        },
                    };
                }
                let inst = req
                    .url
                    .query_pairs()
                    .find(|(k, _)| k == "instance_uuid")
                    .map(|(_, v)| v.into_owned());
                let list: Vec<Value> = st
                    .migrations
                    .iter()
                    .filter(|g| inst.as_deref().is_none_or(|i| i == g.instance))
                    .map(|g| {
                        let mut o = json!({"created_at": "2026-01-01T00:00:00.000000", "dest_compute": g.dest, "dest_host": g.dest.as_ref().map(|_| "192.0.2.1"),
                            "dest_node": g.dest, "id": g.id, "instance_uuid": g.instance, "new_instance_type_id": 1, "old_instance_type_id": 1,
                            "source_compute": g.source, "source_node": g.source, "status": g.status, "updated_at": null});
                        if mv >= 23 {
                            o["migration_type"] = json!("migration");
                        }
                        if mv >= 59 {
                            o["uuid"] = json!(g.uuid);
                        }
                        if mv >= 80 {
                            o["user_id"] = json!("u");
                            o["project_id"] = json!("p");
                        }
                        o
                    })
                    .collect();
                Answer {
                    status: 200,
                    body: Some(json!({"migrations": list})),
                    version: None,
                }
            }
            ("POST", ["servers", id, "action"]) => {
                let body: Value = match serde_json::from_slice(&req.body) {
                    Ok(v) => v,
                    Err(_) => return fault(400, "badRequest", "Malformed request body"),
                };
                let Some(obj) = body.as_object().filter(|o| o.len() == 1) else {
                    return fault(400, "badRequest", "Malformed request body");
                };
                let (action, arg) = obj.iter().next().unwrap();
                let id = id.to_string();
                match action.as_str() {
                    "migrate" => self.migrate(&mut st, &id, arg, role, project, mv),
                    other => self.simple_action(&mut st, &id, other),
                }
            }
            _ => fault(404, "itemNotFound", "The resource could not be found."),
        }
    }

    fn simple_action(&self, st: &mut State, id: &str, action: &str) -> Answer {
        let Some(s) = st.servers.get_mut(id) else {
            return fault(
                404,
                "itemNotFound",
                format!("Instance {id} could not be found."),
            );
        };
        let ok202 = Answer {
            status: 202,
            body: None,
            version: None,
        };
        match action {
            "os-stop" => {
                s.status = "SHUTOFF";
                s.back = "SHUTOFF";
                ok202
            }
            "pause" => {
                s.status = "PAUSED";
                ok202
            }
            "suspend" => {
                s.status = "SUSPENDED";
                ok202
            }
            "lock" => {
                s.locked = true;
                ok202
            }
            "confirmResize" | "revertResize" => {
                if s.status != "VERIFY_RESIZE" {
                    return fault(
                        409,
                        "conflictingRequest",
                        format!("Cannot '{action}' instance {id} while it is in vm_state active"),
                    );
                }
                let mig = st
                    .migrations
                    .iter_mut()
                    .rev()
                    .find(|m| m.instance == id)
                    .expect("a resized server has a migration");
                s.status = s.back;
                if action == "confirmResize" {
                    mig.status = "confirmed";
                    Answer {
                        status: 204,
                        body: None,
                        version: None,
                    }
                } else {
                    mig.status = "reverted";
                    s.host = mig.source.clone();
                    ok202
                }
            }
            _ => fault(
                400,
                "badRequest",
                format!("There is no such action: {action}"),
            ),
        }
    }

    fn schema(&self, arg: &Value) -> Result<(), String> {
        let pike = self.profile == Profile::PikeSpec;
        let Some(o) = arg.as_object() else {
            if arg.is_null() && !pike {
                return Ok(());
            }
            let types = if pike { "'object'" } else { "'object', 'null'" };
            return Err(format!(
                "Invalid input for field/attribute migrate. Value: {}. {} is not of type {types}",
                py(arg),
                pyr(arg)
            ));
        };
        if let Some(h) = o.get("host") {
            let bad = |m: String| {
                Err(format!(
                    "Invalid input for field/attribute host. Value: {}. {m}",
                    py(h)
                ))
            };
            match h {
                Value::Null => {}
                Value::String(s) if s.is_empty() => return bad("'' should be non-empty".into()),
                Value::String(s) if s.len() > 255 => return bad(format!("'{s}' is too long")),
                Value::String(s)
                    if !s
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c)) =>
                {
                    return bad(format!("'{s}' does not match '^[a-zA-Z0-9-._]*$'"))
                }
                Value::String(_) => {}
                other => return bad(format!("{} is not of type 'string', 'null'", pyr(other))),
            }
        }
        if pike {
            if let Some(f) = o.get("force") {
                if !(nova_boolean(f).is_some() || f.is_null()) {
                    // parameter_types.boolean's enum, with null (as the mock and the oracle).
                    return Err(format!("Invalid input for field/attribute force. Value: {}. {} is not one of [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no', None]", py(f), pyr(f)));
                }
            }
            if !o.contains_key("host") {
                return Err(format!("Invalid input for field/attribute migrate. Value: {}. 'host' is a required property", py(arg)));
            }
        }
        let allowed: &[&str] = if pike { &["host", "force"] } else { &["host"] };
        if let Some(extra) = o.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(format!(
                "Invalid input for field/attribute migrate. Value: {}. Additional properties are not allowed ('{extra}' was unexpected)",
                py(arg)
            ));
        }
        Ok(())
    }

    fn migrate(
        &self,
        st: &mut State,
        id: &str,
        arg: &Value,
        role: Role,
        project: &str,
        mv: u32,
    ) -> Answer {
        let reads_body = mv >= 56 && !(self.deviation == Deviation::HostIgnoredAt256 && mv == 56);
        let mut host: Option<String> = None;
        let mut force = false;
        if mv >= 56 {
            if let Err(m) = self.schema(arg) {
                return self.bad_request(m);
            }
            if let Some(o) = arg.as_object() {
                force = o.get("force").and_then(nova_boolean).unwrap_or(false);
                if reads_body {
                    host = o.get("host").and_then(Value::as_str).map(String::from);
                }
            }
        }
        let ignored_host = if mv == 56 && self.deviation == Deviation::HostIgnoredAt256 {
            arg.get("host").and_then(Value::as_str).map(String::from)
        } else {
            None
        };
        let Some(s) = st
            .servers
            .get(id)
            .filter(|s| role == Role::Admin || s.project == project)
            .cloned()
        else {
            return fault(
                404,
                "itemNotFound",
                format!("Instance {id} could not be found."),
            );
        };
        let admin = role == Role::Admin;
        if host.is_some() && !admin {
            return fault(403, "forbidden", "Policy doesn't allow os_compute_api:os-migrate-server:migrate:host to be performed.");
        }
        let manager_may = match self.deviation {
            Deviation::Nova2025_1 => false,
            Deviation::ManagerHalfway => s.status == "ACTIVE" && !s.locked,
            _ => true,
        };
        if !(admin || (role == Role::Manager && manager_may)) {
            return fault(
                403,
                "forbidden",
                "Policy doesn't allow os_compute_api:os-migrate-server:migrate to be performed.",
            );
        }
        // pike-spec: as live migration orders it, after the lookup and the policy.
        if self.profile == Profile::PikeSpec
            && force
            && mv >= 56
            && arg.get("host").is_some_and(Value::is_null)
            && self.deviation != Deviation::ForceWithoutHostAccepted
        {
            return self.bad_request("Can't force to a non-provided destination".into());
        }
        if s.locked && !admin {
            return fault(
                409,
                "conflictingRequest",
                format!("Instance {id} is locked"),
            );
        }
        let vm_state = match s.status {
            "ACTIVE" | "SHUTOFF" => None,
            "PAUSED" => Some("paused"),
            "SUSPENDED" => Some("suspended"),
            "VERIFY_RESIZE" => Some("resized"),
            other => Some(other),
        };
        if let Some(vs) = vm_state {
            return fault(
                409,
                "conflictingRequest",
                format!("Cannot 'migrate' instance {id} while it is in vm_state {vs}"),
            );
        }
        if let Some(h) = &host {
            if *h == s.host {
                return self
                    .bad_request("Cannot migrate to the host where the server exists.".into());
            }
            if !(ENABLED.contains(&h.as_str()) || h == DISABLED || h == FULL) {
                return self.bad_request(format!("Compute host {h} could not be found."));
            }
            if self.deviation == Deviation::ServerErrorOnValidHost {
                return fault(500, "computeFault", "Unexpected API Error.");
            }
        }
        // Schedule.
        let dest = match &host {
            Some(h) if force => Some(h.clone()),
            Some(h) if ENABLED.contains(&h.as_str()) => Some(h.clone()),
            Some(_) => None,
            None => ENABLED
                .iter()
                .find(|c| **c != s.host && Some(**c) != ignored_host.as_deref())
                .map(|c| c.to_string()),
        };
        let mid = st.migrations.len() as i64 + 1;
        let srv = st.servers.get_mut(id).unwrap();
        let status = match (&dest, self.deviation) {
            (_, Deviation::StuckInResize) => {
                srv.status = "RESIZE";
                srv.task = Some("resize_prep");
                "migrating"
            }
            (Some(d), _) => {
                srv.back = if s.status == "SHUTOFF" {
                    "SHUTOFF"
                } else {
                    "ACTIVE"
                };
                srv.status = "VERIFY_RESIZE";
                srv.host = d.clone();
                "finished"
            }
            (None, _) => "error",
        };
        st.migrations.push(Mig {
            id: mid,
            uuid: uuid::Uuid::new_v4().to_string(),
            instance: id.to_string(),
            source: s.host.clone(),
            dest,
            status,
        });
        let code = if self.deviation == Deviation::Ok200 {
            200
        } else {
            202
        };
        Answer {
            status: code,
            body: None,
            version: None,
        }
    }

    fn bad_request(&self, msg: String) -> Answer {
        fault(400, "badRequest", msg)
    }
}

struct Shared(Arc<FakeNova>);

impl Respond for Shared {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut a = self.0.handle(req);
        if self.0.deviation == Deviation::ItemNotFoundForBadRequest {
            if let Some(inner) = a
                .body
                .as_mut()
                .and_then(|b| b.as_object_mut())
                .and_then(|o| o.remove("badRequest"))
            {
                a.body = Some(json!({ "itemNotFound": inner }));
            }
        }
        let mut t = ResponseTemplate::new(a.status);
        let rid = format!("req-{}", uuid::Uuid::new_v4());
        t = t
            .insert_header("x-openstack-request-id", rid.as_str())
            .insert_header("x-compute-request-id", rid.as_str());
        if let Some(v) = a
            .version
            .filter(|_| self.0.deviation != Deviation::NoVersionHeaders)
        {
            t = t
                .insert_header("OpenStack-API-Version", format!("compute {v}").as_str())
                .insert_header("X-OpenStack-Nova-API-Version", v.as_str())
                .append_header("Vary", "OpenStack-API-Version")
                .append_header("Vary", "X-OpenStack-Nova-API-Version");
        }
        if let Some(b) = a.body {
            let ct = if a.status >= 400 {
                "application/json; charset=UTF-8"
            } else {
                "application/json"
            };
            t = t.set_body_raw(serde_json::to_vec(&b).unwrap(), ct);
        }
        t
    }
}

/// A [`Target`] over the fake.
pub struct FakeTarget {
    server: MockServer,
    /// Roles this target has no identity for (their cases Skip).
    pub missing_roles: Vec<Role>,
    http: reqwest::Client,
    inventory: HostInventory,
    template: ServerTemplate,
}

impl FakeTarget {
    /// Drops the disabled host from the inventory (its cases Skip).
    pub fn without_disabled_host(mut self) -> Self {
        self.inventory.disabled = None;
        self
    }

    pub async fn start(profile: Profile, deviation: Deviation, min: u32, max: u32) -> Self {
        let server = MockServer::builder()
            .disable_request_recording()
            .start()
            .await;
        Mock::given(any())
            .respond_with(Shared(Arc::new(FakeNova::new(
                profile, deviation, min, max,
            ))))
            .mount(&server)
            .await;
        Self {
            server,
            missing_roles: Vec::new(),
            http: reqwest::Client::new(),
            inventory: HostInventory {
                enabled: ENABLED.iter().map(|s| s.to_string()).collect(),
                disabled: Some(DISABLED.into()),
                no_capacity: Some(FULL.into()),
            },
            template: ServerTemplate {
                image_ref: "img".into(),
                flavor_ref: "1".into(),
                name_prefix: "nova-conform-".into(),
            },
        }
    }
}

impl Target for FakeTarget {
    fn describe(&self) -> String {
        "wiremock fake".into()
    }
    fn caller(&self, role: Role) -> Option<Caller> {
        if self.missing_roles.contains(&role) {
            return None;
        }
        Some(Caller {
            role,
            http: self.http.clone(),
            compute_url: format!("{}/v2.1", self.server.uri()),
            limits: osclient::Limits::default(),
            notice: None,
            auth: Arc::new(ScopedToken {
                token: format!("tok-{}", role.as_str()),
                project_id: if role == Role::Other { "other" } else { "demo" }.into(),
            }),
        })
    }
    fn inventory(&self) -> &HostInventory {
        &self.inventory
    }
    fn server_template(&self) -> &ServerTemplate {
        &self.template
    }
    fn timing(&self) -> Timing {
        Timing {
            poll_interval: Duration::from_millis(5),
            timeout: Duration::from_millis(150),
        }
    }
    fn shutdown(&self) -> futures::future::BoxFuture<'_, ()> {
        Box::pin(async {})
    }
}
