//! `os-instance-actions` list and show (instance_actions.py), with events and
//! the fault of a failed migration (`result: Error`, traceback for admins).

use super::checks;
use super::context::{ApiResult, Ctx};
use super::policy::{self, Rule};
use crate::clock::naive_iso;
use crate::state::model::{InstanceAction, Server};
use axum::extract::Path;
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

pub async fn index(ctx: Ctx, Path(id): Path<String>) -> ApiResult {
    let st = ctx.shared.state.lock();
    let uuid = checks::visible(&ctx, &st, &id)?;
    let s = &st.servers[&uuid];
    policy::authorize(
        &ctx.auth,
        "os_compute_api:os-instance-actions:list",
        Rule::ProjectReaderOrAdmin,
        &s.project_id,
        ctx.version,
    )?;
    // Newest first, as Nova's actions_get (created_at desc).
    let list: Vec<Value> = s
        .actions
        .iter()
        .rev()
        .map(|a| Value::Object(action_view(&ctx, s, a)))
        .collect();
    drop(st);
    Ok(ctx.json(StatusCode::OK, &json!({ "instanceActions": list })))
}

pub async fn show(ctx: Ctx, Path((id, request_id)): Path<(String, String)>) -> ApiResult {
    let st = ctx.shared.state.lock();
    let uuid = checks::visible(&ctx, &st, &id)?;
    let s = &st.servers[&uuid];
    policy::authorize(
        &ctx.auth,
        "os_compute_api:os-instance-actions:show",
        Rule::ProjectReaderOrAdmin,
        &s.project_id,
        ctx.version,
    )?;
    let Some(a) = s.actions.iter().rev().find(|a| a.request_id == request_id) else {
        return Err(ctx.not_found(format!("Action {request_id} not found")));
    };
    let mut o = action_view(&ctx, s, a);
    let admin = policy::allows(&ctx.auth, Rule::Admin, &s.project_id);
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
