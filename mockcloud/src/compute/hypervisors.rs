//! `os-hypervisors` (hypervisors.py): list, detail and show, with usage from the
//! placement allocations (usage fields only before 2.88, as upstream).

use super::context::{ApiResult, Ctx};
use super::policy::{self, Rule};
use crate::lifecycle::host_ip;
use crate::state::model::Host;
use crate::state::store::State;
use axum::extract::Path;
use axum::http::StatusCode;
use serde_json::{json, Map, Value};

fn view(ctx: &Ctx, st: &State, h: &Host, detail: bool) -> Value {
    let mut o = Map::new();
    o.insert(
        "id".into(),
        if ctx.at_least(53) {
            json!(h.node_uuid.to_string())
        } else {
            json!(h.node_id)
        },
    );
    o.insert("hypervisor_hostname".into(), json!(h.name));
    o.insert("state".into(), json!(if h.is_up() { "up" } else { "down" }));
    o.insert(
        "status".into(),
        json!(if h.enabled { "enabled" } else { "disabled" }),
    );
    if detail {
        o.insert("hypervisor_type".into(), json!("fake"));
        o.insert("hypervisor_version".into(), json!(1000));
        o.insert("host_ip".into(), json!(host_ip(&h.name)));
        o.insert(
            "service".into(),
            json!({"id": if ctx.at_least(53) { json!(h.service_uuid.to_string()) } else { json!(h.service_id) },
                   "host": h.name, "disabled_reason": h.disabled_reason}),
        );
        if !ctx.at_least(88) {
            let used = st.used_on(&h.name);
            let running = st
                .servers
                .values()
                .filter(|s| s.host.as_deref() == Some(h.name.as_str()))
                .count();
            o.insert("vcpus".into(), json!(h.vcpus));
            o.insert("memory_mb".into(), json!(h.memory_mb));
            o.insert("local_gb".into(), json!(h.disk_gb));
            o.insert("vcpus_used".into(), json!(used.vcpus));
            o.insert("memory_mb_used".into(), json!(used.memory_mb));
            o.insert("local_gb_used".into(), json!(used.disk_gb));
            o.insert(
                "free_ram_mb".into(),
                json!(h.memory_mb as i64 - used.memory_mb as i64),
            );
            o.insert(
                "free_disk_gb".into(),
                json!(h.disk_gb as i64 - used.disk_gb as i64),
            );
            o.insert("current_workload".into(), json!(0));
            o.insert("running_vms".into(), json!(running));
            o.insert(
                "disk_available_least".into(),
                json!(h.disk_gb as i64 - used.disk_gb as i64),
            );
            o.insert(
                "cpu_info".into(),
                if ctx.at_least(28) {
                    json!({})
                } else {
                    json!("")
                },
            );
        } else {
            o.insert("uptime".into(), Value::Null);
        }
    }
    Value::Object(o)
}

fn list(ctx: &Ctx, detail: bool) -> ApiResult {
    let name = if detail {
        "os_compute_api:os-hypervisors:list-detail"
    } else {
        "os_compute_api:os-hypervisors:list"
    };
    policy::authorize(&ctx.auth, name, Rule::Admin, "", ctx.version)?;
    let st = ctx.shared.state.lock();
    let out: Vec<Value> = st
        .hosts
        .values()
        .map(|h| view(ctx, &st, h, detail))
        .collect();
    drop(st);
    Ok(ctx.json(StatusCode::OK, &json!({ "hypervisors": out })))
}

pub async fn index(ctx: Ctx) -> ApiResult {
    list(&ctx, false)
}

pub async fn detail(ctx: Ctx) -> ApiResult {
    list(&ctx, true)
}

pub async fn show(ctx: Ctx, Path(id): Path<String>) -> ApiResult {
    policy::authorize(
        &ctx.auth,
        "os_compute_api:os-hypervisors:show",
        Rule::Admin,
        "",
        ctx.version,
    )?;
    let st = ctx.shared.state.lock();
    let found = st.hosts.values().find(|h| {
        if ctx.at_least(53) {
            h.node_uuid.to_string() == id
        } else {
            h.node_id.to_string() == id
        }
    });
    let Some(h) = found else {
        if ctx.at_least(53) && super::checks::parse_id(&id).is_none() {
            return Err(ctx.bad_request(format!("Invalid uuid {id}")));
        }
        return Err(ctx.not_found(format!("Hypervisor with ID '{id}' could not be found.")));
    };
    let body = json!({ "hypervisor": view(&ctx, &st, h, true) });
    drop(st);
    Ok(ctx.json(StatusCode::OK, &body))
}
