//! The deprecated `os-hypervisors` routes (hypervisors.py): `statistics` and
//! `{id}/uptime` up to 2.87, `{pattern}/search` and `{pattern}/servers` up to 2.52.
//! Outside their range Nova's version dispatch answers a 404 `itemNotFound` fault.

use super::hypervisors::{find_node, like, view};
use crate::compute::pipeline::context::{ApiResult, Ctx};
use crate::compute::pipeline::policy::{self, Rule};
use crate::state::model::Host;
use crate::state::store::State;
use axum::extract::Path;
use axum::http::StatusCode;
use serde_json::{json, Map, Value};

fn in_range(ctx: &Ctx, max_minor: u16) -> Result<(), crate::compute::pipeline::fault::Fault> {
    if ctx.at_least(max_minor + 1) {
        return Err(ctx.fault(StatusCode::NOT_FOUND, "The resource could not be found."));
    }
    Ok(())
}

fn authorize(ctx: &Ctx, what: &str) -> Result<(), crate::compute::pipeline::fault::Fault> {
    policy::authorize(
        ctx,
        &format!("os_compute_api:os-hypervisors:{what}"),
        Rule::Admin,
        "",
    )
}

/// `GET /os-hypervisors/statistics` (to 2.87): sums over the compute nodes of enabled
/// services (`compute_node_statistics` joins on `disabled == false`).
pub(crate) async fn statistics(ctx: Ctx) -> ApiResult {
    in_range(&ctx, 87)?;
    authorize(&ctx, "statistics")?;
    const FIELDS: [&str; 11] = [
        "current_workload",
        "disk_available_least",
        "free_disk_gb",
        "free_ram_mb",
        "local_gb",
        "local_gb_used",
        "memory_mb",
        "memory_mb_used",
        "running_vms",
        "vcpus",
        "vcpus_used",
    ];
    let st = ctx.shared.state.lock();
    let mut sums = [0i64; 11];
    let mut count = 0i64;
    for h in st.hosts.values().filter(|h| h.enabled) {
        count += 1;
        let v = view(&ctx, &st, h, true, false);
        for (sum, f) in sums.iter_mut().zip(FIELDS) {
            *sum += v[f].as_i64().unwrap_or(0);
        }
    }
    drop(st);
    let mut stats = Map::new();
    stats.insert("count".into(), json!(count));
    for (sum, f) in sums.iter().zip(FIELDS) {
        stats.insert(f.into(), json!(sum));
    }
    Ok(ctx.json(
        StatusCode::OK,
        &json!({ "hypervisor_statistics": Value::Object(stats) }),
    ))
}

/// `GET /os-hypervisors/{id}/uptime` (to 2.87). The mock's hypervisors are Nova's fake
/// driver, which has no `get_host_uptime`: 501, or 400 when the host is down.
pub(crate) async fn uptime(ctx: Ctx, Path(id): Path<String>) -> ApiResult {
    in_range(&ctx, 87)?;
    authorize(&ctx, "uptime")?;
    let st = ctx.shared.state.lock();
    let h = find_node(&ctx, &st, &id)?;
    if !h.is_up() {
        return Err(ctx.bad_request(format!(
            "Compute service of {} is unavailable at this time.",
            h.name
        )));
    }
    drop(st);
    Err(ctx.fault(
        StatusCode::NOT_IMPLEMENTED,
        "The requested functionality is not supported.",
    ))
}

/// The nodes whose hostname matches `LIKE '%pattern%'`, in id order; 404 when none.
fn matching<'a>(
    ctx: &Ctx,
    st: &'a State,
    pattern: &str,
) -> Result<Vec<&'a Host>, crate::compute::pipeline::fault::Fault> {
    let re = like(pattern);
    let mut nodes: Vec<&Host> = st
        .hosts
        .values()
        .filter(|h| re.as_ref().is_some_and(|r| r.is_match(&h.name)))
        .collect();
    nodes.sort_by_key(|h| h.node_id);
    if nodes.is_empty() {
        return Err(ctx.not_found(format!(
            "No hypervisor matching '{pattern}' could be found."
        )));
    }
    Ok(nodes)
}

fn search_like(ctx: &Ctx, pattern: &str, what: &str, with_servers: bool) -> ApiResult {
    in_range(ctx, 52)?;
    authorize(ctx, what)?;
    let st = ctx.shared.state.lock();
    let out: Vec<Value> = matching(ctx, &st, pattern)?
        .into_iter()
        .map(|h| view(ctx, &st, h, false, with_servers))
        .collect();
    drop(st);
    Ok(ctx.json(StatusCode::OK, &json!({ "hypervisors": out })))
}

/// `GET /os-hypervisors/{pattern}/search` (to 2.52).
pub(crate) async fn search(ctx: Ctx, Path(pattern): Path<String>) -> ApiResult {
    search_like(&ctx, &pattern, "search", false)
}

/// `GET /os-hypervisors/{pattern}/servers` (to 2.52): `servers` only where there are some.
pub(crate) async fn servers(ctx: Ctx, Path(pattern): Path<String>) -> ApiResult {
    search_like(&ctx, &pattern, "servers", true)
}
