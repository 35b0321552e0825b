//! `os-instance-actions` list and show (instance_actions.py), with events and
//! the fault of a failed migration (`result: Error`, traceback for admins).

use crate::clock::naive_iso;
use crate::compute::pipeline::checks;
use crate::compute::pipeline::context::{ApiResult, Ctx};
use crate::compute::pipeline::policy::{self, Rule};
use crate::state::model::{InstanceAction, Server};
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use serde_json::{json, Map, Value};

fn action_view(ctx: &Ctx, s: &Server, a: &InstanceAction) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("action".into(), json!(a.action));
    o.insert("instance_uuid".into(), json!(s.uuid.to_string()));
    o.insert("request_id".into(), json!(a.request_id));
    o.insert("user_id".into(), json!(a.user_id));
    o.insert("project_id".into(), json!(a.project_id));
    o.insert("start_time".into(), json!(naive_iso(&a.start_time)));
    o.insert("message".into(), json!(a.message));
    if ctx.at_least(58) {
        o.insert("updated_at".into(), json!(naive_iso(&a.updated_at)));
    }
    o
}

/// `instance_actions.index_query_v258/_v266` (before 2.58: anything goes).
fn query_schema(minor: u16) -> Value {
    if minor < 58 {
        return json!({"type": "object", "properties": {}, "additionalProperties": true});
    }
    let single = |s: Value| json!({"type": "array", "items": s, "maxItems": 1});
    let mut props = json!({
        "limit": single(json!({"type": ["integer", "string"], "pattern": "^[0-9]*$", "minimum": 0, "minLength": 1})),
        "marker": single(json!({"type": "string"})),
        "changes-since": single(json!({"type": "string", "format": "date-time"}))
    });
    if minor >= 66 {
        props["changes-before"] = single(json!({"type": "string", "format": "date-time"}));
    }
    json!({"type": "object", "properties": props, "additionalProperties": false})
}

fn parse_time(v: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(v)
        .map(|t| t.with_timezone(&chrono::Utc))
        .ok()
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|n| n.and_utc())
        })
}

pub(crate) async fn index(ctx: Ctx, Path(id): Path<String>, RawQuery(q): RawQuery) -> ApiResult {
    let pairs: Vec<(String, String)> = q
        .as_deref()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let mut multi: Map<String, Value> = Map::new();
    for (k, v) in &pairs {
        if let Some(a) = multi
            .entry(k.clone())
            .or_insert_with(|| json!([]))
            .as_array_mut()
        {
            a.push(json!(v));
        }
    }
    let minor = ctx.version.minor;
    ctx.validate_query(&query_schema(minor), &Value::Object(multi.clone()))?;
    let get = |k: &str| {
        multi
            .get(k)
            .and_then(|v| v.as_array())
            .and_then(|a| a.last())
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let st = ctx.shared.state.lock();
    let uuid = checks::visible(&ctx, &st, &id)?;
    let s = &st.servers[&uuid];
    policy::authorize(
        &ctx,
        "os_compute_api:os-instance-actions:list",
        Rule::ProjectReaderOrAdmin,
        &s.project_id,
    )?;
    // Newest first, as Nova's actions_get (created_at desc).
    let mut list: Vec<&InstanceAction> = s.actions.iter().rev().collect();
    let mut limit = None;
    if ctx.at_least(58) {
        let bad_time = |v: &str| {
            ctx.bad_request(format!(
                "Invalid input for query parameters changes-since. Value: {v}."
            ))
        };
        let since = match get("changes-since") {
            Some(v) => Some(parse_time(&v).ok_or_else(|| bad_time(&v))?),
            None => None,
        };
        let before = match get("changes-before").filter(|_| ctx.at_least(66)) {
            Some(v) => Some(parse_time(&v).ok_or_else(|| bad_time(&v))?),
            None => None,
        };
        if let (Some(a), Some(b)) = (since, before) {
            if b < a {
                return Err(ctx.bad_request(
                    "The value of changes-since must be less than or equal to changes-before.",
                ));
            }
        }
        list.retain(|a| {
            since.is_none_or(|t| a.updated_at >= t) && before.is_none_or(|t| a.updated_at <= t)
        });
        if let Some(marker) = get("marker") {
            match list.iter().position(|a| a.request_id == marker) {
                Some(p) => list = list.split_off(p + 1),
                None => return Err(ctx.bad_request(format!("Marker {marker} could not be found."))),
            }
        }
        let l = get("limit")
            .and_then(|l| l.parse::<usize>().ok())
            .unwrap_or(1000)
            .min(1000);
        list.truncate(l);
        limit = Some(l);
    }
    let out: Vec<Value> = list
        .iter()
        .map(|a| Value::Object(action_view(&ctx, s, a)))
        .collect();
    let mut body = json!({ "instanceActions": out });
    if let (Some(l), Some(last)) = (limit, list.last()) {
        if l > 0 && list.len() == l {
            body["links"] = json!([{"rel": "next", "href": format!("{}/v2.1/servers/{}/os-instance-actions?limit={l}&marker={}", ctx.base, id, last.request_id)}]);
        }
    }
    drop(st);
    Ok(ctx.json(StatusCode::OK, &body))
}

pub(crate) async fn show(
    ctx: Ctx,
    Path((id, request_id)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    // The query schema decorator runs first (2.102: no parameters).
    ctx.no_query_from_2_102(q.as_deref())?;
    let st = ctx.shared.state.lock();
    let uuid = checks::visible(&ctx, &st, &id)?;
    let s = &st.servers[&uuid];
    policy::authorize(
        &ctx,
        "os_compute_api:os-instance-actions:show",
        Rule::ProjectReaderOrAdmin,
        &s.project_id,
    )?;
    let Some(a) = s.actions.iter().rev().find(|a| a.request_id == request_id) else {
        return Err(ctx.not_found(format!("Action {request_id} not found")));
    };
    let mut o = action_view(&ctx, s, a);
    let admin = policy::allows(&ctx, Rule::Admin, &s.project_id);
    let show_events = admin || ctx.at_least(51);
    if show_events {
        let events: Vec<Value> = a
            .events
            .iter()
            .map(|e| {
                let mut ev = Map::new();
                ev.insert("event".into(), json!(e.event));
                ev.insert("start_time".into(), json!(naive_iso(&e.start_time)));
                ev.insert(
                    "finish_time".into(),
                    json!(e.finish_time.as_ref().map(naive_iso)),
                );
                ev.insert("result".into(), json!(e.result));
                if admin {
                    ev.insert("traceback".into(), json!(e.traceback));
                }
                if admin && ctx.at_least(62) {
                    ev.insert("host".into(), json!(e.host.clone().unwrap_or_default()));
                }
                if ctx.at_least(62) {
                    ev.insert(
                        "hostId".into(),
                        json!(super::server_view::host_id(
                            e.host.as_deref(),
                            &s.project_id
                        )),
                    );
                }
                if admin && ctx.at_least(84) {
                    ev.insert("details".into(), json!(e.details));
                }
                Value::Object(ev)
            })
            .collect();
        o.insert("events".into(), json!(events));
    }
    drop(st);
    Ok(ctx.json(StatusCode::OK, &json!({ "instanceAction": o })))
}
