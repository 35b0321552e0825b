//! `os-services` (services.py): list, and update (disable/enable/forced_down) by
//! `PUT /os-services/{action}` before 2.53 or `PUT /os-services/{uuid}` from 2.53.
//! The compute services are the mock's hosts; a scheduler and a conductor on
//! host `controller` are listed too (they cannot be updated, as in Nova).
//! `DELETE /os-services/{id}` deletes a service; a compute service only without
//! instances or in-progress migrations, and with it its host (compute node).

use crate::clock::naive_iso;
use crate::compute::pipeline::body;
use crate::compute::pipeline::context::{ApiResult, Ctx};
use crate::compute::pipeline::policy::{self, Rule};
use crate::compute::pipeline::schema::schemas;
use crate::state::model::Host;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// Fixed ids of the two control-plane services.
const CONTROL: [(u64, &str, &str); 2] = [
    (1, "5c6e1e57-0000-4000-8000-000000000001", "nova-scheduler"),
    (2, "5c6e1e57-0000-4000-8000-000000000002", "nova-conductor"),
];

fn detail(ctx: &Ctx, h: &Host, with_forced_down: bool) -> Value {
    let mut o = Map::new();
    o.insert("binary".into(), json!("nova-compute"));
    o.insert("host".into(), json!(h.name));
    o.insert(
        "id".into(),
        if ctx.at_least(53) {
            json!(h.service_uuid.to_string())
        } else {
            json!(h.service_id)
        },
    );
    o.insert("zone".into(), json!("nova"));
    o.insert(
        "status".into(),
        json!(if h.enabled { "enabled" } else { "disabled" }),
    );
    o.insert("state".into(), json!(if h.is_up() { "up" } else { "down" }));
    let updated = if h.up {
        ctx.shared.clock.now()
    } else {
        h.updated_at
    };
    o.insert("updated_at".into(), json!(naive_iso(&updated)));
    o.insert("disabled_reason".into(), json!(h.disabled_reason));
    if with_forced_down {
        o.insert("forced_down".into(), json!(h.forced_down));
    }
    Value::Object(o)
}

fn control(ctx: &Ctx, (id, uuid, binary): (u64, &str, &str)) -> Value {
    let mut o = Map::new();
    o.insert("binary".into(), json!(binary));
    o.insert("host".into(), json!("controller"));
    o.insert(
        "id".into(),
        if ctx.at_least(53) {
            json!(uuid)
        } else {
            json!(id)
        },
    );
    o.insert("zone".into(), json!("internal"));
    o.insert("status".into(), json!("enabled"));
    o.insert("state".into(), json!("up"));
    o.insert(
        "updated_at".into(),
        json!(naive_iso(&ctx.shared.clock.now())),
    );
    o.insert("disabled_reason".into(), Value::Null);
    if ctx.at_least(11) {
        o.insert("forced_down".into(), json!(false));
    }
    Value::Object(o)
}

/// `schemas/services.py` `index_query` (extra parameters allowed) and, from 2.75,
/// `index_query_v275` (none allowed).
fn index_query_schema(minor: u16) -> Value {
    let param = json!({"type": "array", "items": {"type": "string"}});
    json!({
        "type": "object",
        "properties": {"host": param, "binary": param},
        "additionalProperties": minor < 75
    })
}

pub(crate) async fn index(ctx: Ctx, RawQuery(q): RawQuery) -> ApiResult {
    // The query schema decorator runs before the handler's policy check.
    ctx.validate_query(
        &index_query_schema(ctx.version.minor),
        &crate::compute::pipeline::query::Query::parse(q.as_deref()).multi(),
    )?;
    policy::authorize(&ctx, "os_compute_api:os-services:list", Rule::Admin, "")?;
    let pairs: Vec<(String, String)> = q
        .as_deref()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let get = |k: &str| {
        pairs
            .iter()
            .rev()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let (host_f, binary_f) = (get("host"), get("binary"));
    let mut out: Vec<Value> = Vec::new();
    {
        let st = ctx.shared.state.lock();
        out.extend(
            CONTROL
                .iter()
                .filter(|c| !st.deleted_control_services.contains(&c.0))
                .map(|c| control(&ctx, *c)),
        );
        out.extend(st.hosts.values().map(|h| detail(&ctx, h, ctx.at_least(11))));
    }
    out.retain(|s| {
        host_f.as_deref().is_none_or(|h| s["host"] == h)
            && binary_f.as_deref().is_none_or(|b| s["binary"] == b)
    });
    Ok(ctx.json(StatusCode::OK, &json!({ "services": out })))
}

fn update_schema(minor: u16) -> Value {
    let reason = json!({"type": "string", "minLength": 1, "maxLength": 255});
    if minor >= 53 {
        return json!({"type": "object", "properties": {
            "status": {"type": "string", "enum": ["enabled", "disabled"]},
            "disabled_reason": reason, "forced_down": schemas::boolean()}, "additionalProperties": false});
    }
    let mut props = json!({
        "host": {"type": "string", "pattern": "^[a-zA-Z0-9-._]*$", "minLength": 1, "maxLength": 255},
        "binary": {"type": "string", "minLength": 1, "maxLength": 255},
        "disabled_reason": reason
    });
    if minor >= 11 {
        props["forced_down"] = schemas::boolean();
    }
    json!({"type": "object", "properties": props, "required": ["host", "binary"], "additionalProperties": false})
}

/// `strutils.bool_from_string(strict=True)`.
fn strict_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.to_lowercase().as_str() {
            "1" | "t" | "true" | "on" | "y" | "yes" => Some(true),
            "0" | "f" | "false" | "off" | "n" | "no" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

pub(crate) async fn update(ctx: Ctx, Path(id): Path<String>, bytes: Bytes) -> ApiResult {
    let body = body::required(&ctx, &bytes)?;
    body::validate(&ctx, &update_schema(ctx.version.minor), &body)?;
    if ctx.at_least(53) {
        update_v253(&ctx, &id, &body)
    } else {
        update_v21(&ctx, &id, &body)
    }
}

fn update_v253(ctx: &Ctx, id: &str, body: &Value) -> ApiResult {
    let Some(uuid) = crate::compute::pipeline::checks::parse_id(id) else {
        return Err(ctx.bad_request(format!("Invalid uuid {id}")));
    };
    policy::authorize(ctx, "os_compute_api:os-services:update", Rule::Admin, "")?;
    if let Some((_, _, binary)) = CONTROL
        .iter()
        .find(|c| Uuid::parse_str(c.1).ok() == Some(uuid))
    {
        return Err(ctx.bad_request(format!(
            "Updating a {binary} service is not supported. Only nova-compute services can be updated."
        )));
    }
    let mut st = ctx.shared.state.lock();
    let Some(h) = st.hosts.values_mut().find(|h| h.service_uuid == uuid) else {
        return Err(ctx.not_found(format!("Service {id} could not be found.")));
    };
    let mut changed = false;
    match body.get("status").and_then(Value::as_str) {
        Some("enabled") => {
            if body
                .get("disabled_reason")
                .and_then(Value::as_str)
                .is_some_and(|r| !r.is_empty())
            {
                return Err(ctx.bad_request(
                    "Specifying 'disabled_reason' with status 'enabled' is invalid.",
                ));
            }
            changed |= !h.enabled || h.disabled_reason.is_some();
            h.enabled = true;
            h.disabled_reason = None;
        }
        Some("disabled") => {
            let reason = body
                .get("disabled_reason")
                .and_then(Value::as_str)
                .map(str::to_string);
            changed |= h.enabled || h.disabled_reason != reason;
            h.enabled = false;
            h.disabled_reason = reason;
        }
        _ => {}
    }
    if let Some(fd) = body.get("forced_down") {
        let Some(v) = strict_bool(fd) else {
            return Err(ctx.bad_request(format!("Unrecognized value '{}', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'", crate::pyfmt::str_of(fd))));
        };
        changed |= h.forced_down != v;
        h.forced_down = v;
    }
    if !changed && body.get("status").is_none() && body.get("forced_down").is_none() {
        return Err(ctx.bad_request(
            "No updates were requested. Fields 'status' or 'forced_down' should be specified.",
        ));
    }
    h.updated_at = ctx.shared.clock.now();
    let out = detail(ctx, h, true);
    drop(st);
    Ok(ctx.json(StatusCode::OK, &json!({ "service": out })))
}

fn update_v21(ctx: &Ctx, action: &str, body: &Value) -> ApiResult {
    policy::authorize(ctx, "os_compute_api:os-services:update", Rule::Admin, "")?;
    let known = matches!(action, "enable" | "disable" | "disable-log-reason")
        || (action == "force-down" && ctx.at_least(11));
    if !known {
        return Err(ctx.not_found("Unknown action"));
    }
    let host = body["host"].as_str().unwrap_or_default().to_string();
    let binary = body["binary"].as_str().unwrap_or_default().to_string();
    let reason = if action == "disable-log-reason" {
        match body.get("disabled_reason").and_then(Value::as_str) {
            Some(r) => Some(r.to_string()),
            None => return Err(ctx.bad_request("Missing disabled reason field")),
        }
    } else {
        None
    };
    let forced = if action == "force-down" {
        match body.get("forced_down") {
            Some(v) => Some(strict_bool(v).unwrap_or(false)),
            None => return Err(ctx.bad_request("Missing forced_down field")),
        }
    } else {
        None
    };
    if binary != "nova-compute" {
        return Err(ctx.bad_request(format!(
            "Updating a {binary} service is not supported. Only nova-compute services can be updated."
        )));
    }
    let mut st = ctx.shared.state.lock();
    let Some(h) = st.hosts.get_mut(&host) else {
        return Err(ctx.not_found(format!("Could not find binary {binary} on host {host}.")));
    };
    let mut svc = json!({"host": host, "binary": binary});
    match action {
        "enable" => {
            h.enabled = true;
            h.disabled_reason = None;
            svc["status"] = json!("enabled");
        }
        "disable" | "disable-log-reason" => {
            h.enabled = false;
            h.disabled_reason = reason.clone();
            svc["status"] = json!("disabled");
            if let Some(r) = reason {
                svc["disabled_reason"] = json!(r);
            }
        }
        _ => {
            let v = forced.unwrap_or(false);
            h.forced_down = v;
            svc["forced_down"] = json!(v);
        }
    }
    h.updated_at = ctx.shared.clock.now();
    drop(st);
    Ok(ctx.json(StatusCode::OK, &json!({ "service": svc })))
}

/// Migration statuses that are not "in progress" (`migration_get_in_progress_by_host_and_node`;
/// `finished`, i.e. VERIFY_RESIZE, is still in progress).
const DONE: [&str; 7] = [
    "confirmed",
    "reverted",
    "error",
    "failed",
    "completed",
    "cancelled",
    "done",
];

/// `DELETE /os-services/{id}` -> 204 (services.py `delete`).
pub(crate) async fn delete(ctx: Ctx, Path(id): Path<String>) -> ApiResult {
    policy::authorize(&ctx, "os_compute_api:os-services:delete", Rule::Admin, "")?;
    // A uuid from 2.53, an integer (utils.validate_integer: int(str(id))) before.
    enum Key {
        Uuid(Uuid),
        Int(i64),
    }
    let key = if ctx.at_least(53) {
        match crate::compute::pipeline::checks::parse_id(&id) {
            Some(u) => Key::Uuid(u),
            None => return Err(ctx.bad_request(format!("Invalid uuid {id}"))),
        }
    } else {
        match id.trim().parse::<i64>() {
            Ok(n) => Key::Int(n),
            Err(_) => return Err(ctx.bad_request("Invalid input received: id must be an integer")),
        }
    };
    let mut st = ctx.shared.state.lock();
    let control_id = CONTROL
        .iter()
        .find(|c| match key {
            Key::Uuid(u) => Uuid::parse_str(c.1).ok() == Some(u),
            Key::Int(n) => i64::try_from(c.0).ok() == Some(n),
        })
        .map(|c| c.0)
        .filter(|cid| !st.deleted_control_services.contains(cid));
    if let Some(cid) = control_id {
        st.deleted_control_services.push(cid);
        drop(st);
        return Ok(ctx.empty(StatusCode::NO_CONTENT));
    }
    let host = st
        .hosts
        .values()
        .find(|h| match key {
            Key::Uuid(u) => h.service_uuid == u,
            Key::Int(n) => i64::try_from(h.service_id).ok() == Some(n),
        })
        .map(|h| h.name.clone());
    let Some(host) = host else {
        return Err(ctx.not_found(format!("Service {id} not found.")));
    };
    if st
        .servers
        .values()
        .any(|s| s.host.as_deref() == Some(host.as_str()))
    {
        return Err(ctx.conflict(
            "Unable to delete compute service that is hosting instances. Migrate or delete the instances first.",
        ));
    }
    // The mock's node name is its host name.
    if st.migrations.values().any(|m| {
        (m.source_compute == host || m.dest_compute.as_deref() == Some(host.as_str()))
            && !DONE.contains(&m.status.as_str())
    }) {
        return Err(ctx.conflict(
            "Unable to delete compute service that has in-progress migrations. Complete the migrations or delete the instances first.",
        ));
    }
    // service.destroy() soft-deletes the compute node too; its resource provider goes.
    st.hosts.remove(&host);
    st.usage.remove(&host);
    drop(st);
    Ok(ctx.empty(StatusCode::NO_CONTENT))
}
