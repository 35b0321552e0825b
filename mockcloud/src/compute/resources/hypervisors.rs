//! `os-hypervisors` (hypervisors.py): list, detail and show, with usage from the
//! placement allocations (usage fields only before 2.88, as upstream); paging by
//! `limit`/`marker` from 2.33 (compute node id order, `hypervisors_links`), and from
//! 2.53 `hypervisor_hostname_pattern` (SQL `LIKE '%pattern%'`) and `with_servers`.

use crate::compute::pipeline::context::{ApiResult, Ctx};
use crate::compute::pipeline::policy::{self, Rule};
use crate::compute::pipeline::query::Query;
use crate::compute::pipeline::schema::schemas;
use crate::conductor::lifecycle::host_ip;
use crate::state::model::Host;
use crate::state::store::State;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use regex::Regex;
use serde_json::{json, Map, Value};

/// Nova's `max_limit` default (`[api] max_limit`).
const MAX_LIMIT: u64 = 1000;

/// `hypervisors.index_query*` (also the detail's) for the microversion; None: not validated.
fn index_query_schema(minor: u16) -> Option<Value> {
    let non_negative =
        json!({"type": ["integer", "string"], "pattern": "^[0-9]*$", "minimum": 0, "minLength": 1});
    let multi = |s: Value| json!({"type": "array", "items": s});
    let single = |s: Value| json!({"type": "array", "items": s, "maxItems": 1});
    if minor >= 53 {
        Some(json!({"type": "object", "properties": {
            "limit": single(non_negative),
            "marker": single(json!({"type": "string"})),
            "hypervisor_hostname_pattern": single(schemas::fqdn(json!("string"))),
            "with_servers": single(schemas::boolean())
        }, "additionalProperties": false}))
    } else if minor >= 33 {
        Some(json!({"type": "object", "properties": {
            "limit": multi(non_negative),
            "marker": multi(json!({"type": "string"}))
        }, "additionalProperties": true}))
    } else {
        None
    }
}

/// `hypervisors.show_query_v253`.
fn show_query_schema(minor: u16) -> Option<Value> {
    (minor >= 53).then(|| {
        json!({"type": "object", "properties": {
            "with_servers": {"type": "array", "items": schemas::boolean(), "maxItems": 1}
        }, "additionalProperties": false})
    })
}

fn validate(
    ctx: &Ctx,
    schema: Option<Value>,
    q: &Query,
) -> Result<(), crate::compute::pipeline::fault::Fault> {
    match schema {
        Some(s) => ctx.validate_query(&s, &q.multi()),
        None => Ok(()),
    }
}

/// `with_servers` (2.53+, strutils.bool_from_string strict; the schema allows only its forms).
fn with_servers(ctx: &Ctx, q: &Query) -> bool {
    ctx.at_least(53)
        && q.get("with_servers")
            .is_some_and(|v| schemas::boolean_value(&json!(v)))
}

/// The DB's `hypervisor_hostname LIKE '%pattern%'` (case-insensitive as MySQL's default
/// collation and SQLite are; `_` matches one character, `%` any run: Nova does not
/// escape them).
pub(super) fn like(pattern: &str) -> Option<Regex> {
    let body: String = pattern
        .chars()
        .map(|c| match c {
            '_' => ".".to_string(),
            '%' => ".*".to_string(),
            _ => regex::escape(&c.to_string()),
        })
        .collect();
    Regex::new(&format!("(?is){body}")).ok()
}

pub(super) fn view(ctx: &Ctx, st: &State, h: &Host, detail: bool, with_servers: bool) -> Value {
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
            // Nova's compute node counts the reserved memory as used.
            let mem_used = used.memory_mb + h.reserved_memory_mb;
            o.insert("memory_mb_used".into(), json!(mem_used));
            o.insert("local_gb_used".into(), json!(used.disk_gb));
            o.insert(
                "free_ram_mb".into(),
                json!(h.memory_mb as i64 - mem_used as i64),
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
    if with_servers {
        // instance_get_all_by_host: the servers whose host is this one, oldest first.
        let servers: Vec<Value> = st
            .server_order
            .values()
            .filter_map(|id| st.servers.get(id))
            .filter(|s| s.host.as_deref() == Some(h.name.as_str()))
            .map(|s| json!({"name": s.name, "uuid": s.uuid.to_string()}))
            .collect();
        // 2.75 adds `servers` even when empty; before, an empty list omits it.
        if !servers.is_empty() || ctx.at_least(75) {
            o.insert("servers".into(), json!(servers));
        }
    }
    Value::Object(o)
}

fn id_of(ctx: &Ctx, h: &Host) -> String {
    if ctx.at_least(53) {
        h.node_uuid.to_string()
    } else {
        h.node_id.to_string()
    }
}

/// The compute nodes a list returns, in id order, and whether to add paging links.
fn select<'a>(
    ctx: &Ctx,
    st: &'a State,
    q: &Query,
) -> Result<(Vec<&'a Host>, Option<u64>), crate::compute::pipeline::fault::Fault> {
    let mut nodes: Vec<&Host> = st.hosts.values().collect();
    nodes.sort_by_key(|h| h.node_id);
    let paging = ctx.at_least(33);
    let marker = if paging { q.get("marker") } else { None };
    if let Some(p) = q
        .get("hypervisor_hostname_pattern")
        .filter(|_| ctx.at_least(53))
    {
        if q.contains("limit") || marker.is_some_and(|m| !m.is_empty()) {
            return Err(ctx.bad_request(
                "Paging over hypervisors with the hypervisor_hostname_pattern query parameter is not supported.",
            ));
        }
        let re = like(p);
        nodes.retain(|h| re.as_ref().is_some_and(|r| r.is_match(&h.name)));
        if nodes.is_empty() {
            return Err(ctx.not_found(format!("No hypervisor matching '{p}' could be found.")));
        }
        return Ok((nodes, None));
    }
    if !paging {
        return Ok((nodes, None));
    }
    // get_limit_and_marker: min(max_limit, limit); the schema leaves only digits.
    let limit = q
        .get("limit")
        .map(|l| l.parse::<u64>().map_or(MAX_LIMIT, |n| n.min(MAX_LIMIT)))
        .unwrap_or(MAX_LIMIT);
    if let Some(m) = marker {
        // A uuid marker is looked up by uuid, anything else as a compute node id
        // (so an integer id still works from 2.53).
        let found = match crate::compute::pipeline::checks::parse_id(m) {
            Some(u) => nodes.iter().position(|h| h.node_uuid == u),
            None => nodes.iter().position(|h| h.node_id.to_string() == m),
        };
        match found {
            Some(p) => nodes = nodes.split_off(p + 1),
            None => return Err(ctx.bad_request(format!("marker [{m}] not found"))),
        }
    }
    nodes.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok((nodes, Some(limit)))
}

fn list(ctx: &Ctx, q: &Query, detail: bool) -> ApiResult {
    validate(ctx, index_query_schema(ctx.version.minor), q)?;
    let name = if detail {
        "os_compute_api:os-hypervisors:list-detail"
    } else {
        "os_compute_api:os-hypervisors:list"
    };
    policy::authorize(ctx, name, Rule::Admin, "")?;
    let servers = with_servers(ctx, q);
    let st = ctx.shared.state.lock();
    let (nodes, limit) = select(ctx, &st, q)?;
    let out: Vec<Value> = nodes
        .iter()
        .map(|h| view(ctx, &st, h, detail, servers))
        .collect();
    let mut body = json!({ "hypervisors": out });
    // _get_collection_links: a next link when a full page came back.
    if let (Some(l), Some(last)) = (limit, nodes.last()) {
        if l > 0 && l == nodes.len() as u64 {
            let coll = if detail {
                "os-hypervisors/detail"
            } else {
                "os-hypervisors"
            };
            body["hypervisors_links"] =
                json!([{"rel": "next", "href": q.next_link(ctx, coll, &id_of(ctx, last))}]);
        }
    }
    drop(st);
    Ok(ctx.json(StatusCode::OK, &body))
}

pub(crate) async fn index(ctx: Ctx, RawQuery(q): RawQuery) -> ApiResult {
    list(&ctx, &Query::parse(q.as_deref()), false)
}

pub(crate) async fn detail(ctx: Ctx, RawQuery(q): RawQuery) -> ApiResult {
    list(&ctx, &Query::parse(q.as_deref()), true)
}

/// `_validate_id` + `compute_node_get`: a uuid from 2.53 (else 400), an id before.
pub(super) fn find_node<'a>(
    ctx: &Ctx,
    st: &'a State,
    id: &str,
) -> Result<&'a Host, crate::compute::pipeline::fault::Fault> {
    let found = st.hosts.values().find(|h| {
        if ctx.at_least(53) {
            h.node_uuid.to_string() == id
        } else {
            h.node_id.to_string() == id
        }
    });
    match found {
        Some(h) => Ok(h),
        None if ctx.at_least(53) && crate::compute::pipeline::checks::parse_id(id).is_none() => {
            Err(ctx.bad_request(format!("Invalid uuid {id}")))
        }
        None => Err(ctx.not_found(format!("Hypervisor with ID '{id}' could not be found."))),
    }
}

pub(crate) async fn show(ctx: Ctx, Path(id): Path<String>, RawQuery(q): RawQuery) -> ApiResult {
    let q = Query::parse(q.as_deref());
    validate(&ctx, show_query_schema(ctx.version.minor), &q)?;
    let servers = with_servers(&ctx, &q);
    policy::authorize(&ctx, "os_compute_api:os-hypervisors:show", Rule::Admin, "")?;
    let st = ctx.shared.state.lock();
    let h = find_node(&ctx, &st, &id)?;
    let body = json!({ "hypervisor": view(&ctx, &st, h, true, servers) });
    drop(st);
    Ok(ctx.json(StatusCode::OK, &body))
}
