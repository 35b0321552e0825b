//! `/servers`: create, list (index/detail), show, delete.

use super::server_view::{self, Mode};
use crate::compute::pipeline::body;
use crate::compute::pipeline::checks;
use crate::compute::pipeline::context::{ApiResult, Ctx};
use crate::compute::pipeline::policy::{self, Rule};
use crate::compute::pipeline::schema::schemas;
use crate::conductor::scheduler::{self, RequestSpec};
use crate::state::model::*;
use crate::state::store::State;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::http::{header, HeaderValue, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use uuid::Uuid;

fn query_pairs(raw: &Option<String>) -> Vec<(String, String)> {
    raw.as_deref()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default()
}

/// `strutils.bool_from_string(strict=True)` for all_tenants.
fn parse_bool(ctx: &Ctx, v: &str) -> Result<bool, crate::compute::pipeline::fault::Fault> {
    match v.trim().to_lowercase().as_str() {
        "1" | "t" | "true" | "on" | "y" | "yes" => Ok(true),
        "0" | "f" | "false" | "off" | "n" | "no" => Ok(false),
        _ => Err(ctx.bad_request(format!(
            "Invalid input received: Unrecognized value '{v}', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'"
        ))),
    }
}

fn list(ctx: &Ctx, query: &Option<String>, detail: bool) -> ApiResult {
    let pairs = query_pairs(query);
    // `_get_servers`: an admin's search options are not filtered, so internal
    // (`_`-prefixed) and joined-table names reach this check; a non-admin's are
    // dropped by `remove_invalid_options` first.
    if ctx.is_admin() {
        if let Some((k, _)) = pairs.iter().find(|(k, _)| {
            k.starts_with('_') || schemas::SERVERS_JOINED_TABLE_PARAMS.contains(&k.as_str())
        }) {
            return Err(ctx.bad_request(format!("Invalid filter field: {k}.")));
        }
    }
    let get = |k: &str| {
        pairs
            .iter()
            .rev()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    };
    let all_tenants = match get("all_tenants") {
        Some(v) => parse_bool(ctx, v)?,
        None => false,
    };
    if all_tenants {
        let name = if detail {
            "os_compute_api:servers:detail:get_all_tenants"
        } else {
            "os_compute_api:servers:index:get_all_tenants"
        };
        policy::authorize(ctx, name, Rule::Admin, &ctx.auth.project_id)?;
    }
    let project_filter = if all_tenants {
        get("project_id").or(get("tenant_id")).map(str::to_string)
    } else {
        Some(ctx.auth.project_id.clone())
    };
    let status = get("status").map(str::to_uppercase);
    let host = if ctx.is_admin() {
        get("host").map(str::to_string)
    } else {
        None
    };
    let name_re = get("name").and_then(|n| regex::Regex::new(n).ok());
    let limit = match get("limit") {
        Some(l) => match l.parse::<usize>() {
            Ok(n) => n.min(1000),
            Err(_) => return Err(ctx.bad_request("limit param must be an integer")),
        },
        None => 1000,
    };
    // `common.get_limit_and_marker`: an empty marker is no marker.
    let marker = get("marker").filter(|m| !m.is_empty()).map(str::to_string);
    let st = ctx.shared.state.lock();
    let mut out = Vec::new();
    let mut started = marker.is_none();
    let mut marker_found = marker.is_none();
    let mut last_id = None;
    for uuid in st.server_order.values().rev() {
        let s = &st.servers[uuid];
        if let Some(p) = &project_filter {
            if &s.project_id != p {
                continue;
            }
        }
        if !started {
            if marker.as_deref() == Some(uuid.to_string().as_str()) {
                started = true;
                marker_found = true;
            }
            continue;
        }
        if status
            .as_deref()
            .is_some_and(|w| w != server_view::status(s.vm_state, s.task_state))
        {
            continue;
        }
        if host
            .as_deref()
            .is_some_and(|h| s.host.as_deref() != Some(h))
        {
            continue;
        }
        if name_re.as_ref().is_some_and(|re| !re.is_match(&s.name)) {
            continue;
        }
        if out.len() == limit {
            break;
        }
        out.push(if detail {
            server_view::show(ctx, &st, s, Mode::Detail).into_value()
        } else {
            server_view::basic(ctx, s)
        });
        last_id = Some(*uuid);
    }
    if !marker_found {
        return Err(ctx.bad_request(format!("marker [{}] not found", marker.unwrap_or_default())));
    }
    let mut body = json!({ "servers": out });
    if limit > 0 && body["servers"].as_array().map_or(0, Vec::len) == limit {
        if let Some(last) = last_id {
            let path = if detail { "servers/detail" } else { "servers" };
            body["servers_links"] = json!([{"rel": "next", "href": format!("{}/v2.1/{path}?limit={limit}&marker={last}", ctx.base)}]);
        }
    }
    Ok(ctx.json(StatusCode::OK, &body))
}

/// The query schema decorator runs before the handler's policy check.
fn validate_list_query(
    ctx: &Ctx,
    q: &Option<String>,
) -> Result<(), crate::compute::pipeline::fault::Fault> {
    ctx.validate_query(
        &schemas::servers_index_query(ctx.version.minor),
        &crate::compute::pipeline::query::Query::parse(q.as_deref()).multi(),
    )
}

pub(crate) async fn index(ctx: Ctx, RawQuery(q): RawQuery) -> ApiResult {
    validate_list_query(&ctx, &q)?;
    policy::authorize(
        &ctx,
        "os_compute_api:servers:index",
        Rule::ProjectReaderOrAdmin,
        &ctx.auth.project_id.clone(),
    )?;
    list(&ctx, &q, false)
}

pub(crate) async fn detail(ctx: Ctx, RawQuery(q): RawQuery) -> ApiResult {
    validate_list_query(&ctx, &q)?;
    policy::authorize(
        &ctx,
        "os_compute_api:servers:detail",
        Rule::ProjectReaderOrAdmin,
        &ctx.auth.project_id.clone(),
    )?;
    list(&ctx, &q, true)
}

pub(crate) async fn show(ctx: Ctx, Path(id): Path<String>, RawQuery(q): RawQuery) -> ApiResult {
    // The query schema decorator runs first (2.102: no parameters).
    ctx.no_query_from_2_102(q.as_deref())?;
    let st = ctx.shared.state.lock();
    let uuid = checks::visible(&ctx, &st, &id)?;
    let s = &st.servers[&uuid];
    policy::authorize(
        &ctx,
        "os_compute_api:servers:show",
        Rule::ProjectReaderOrAdmin,
        &s.project_id,
    )?;
    #[derive(serde::Serialize)]
    struct One {
        server: server_view::Fields,
    }
    let body = One {
        server: server_view::show(&ctx, &st, s, Mode::Show),
    };
    drop(st);
    Ok(ctx.json(StatusCode::OK, &body))
}

/// `PUT /servers/{id}`: the schema first (an empty body is `None`: "None is not of type
/// 'object'"), then the lookup (404), the policy, and the update of the name and
/// description the mock models; the answer is the server as `GET` shows it.
pub(crate) async fn update(ctx: Ctx, Path(id): Path<String>, bytes: Bytes) -> ApiResult {
    let body = body::required(&ctx, &bytes)?;
    body::validate(&ctx, &schemas::server_update(ctx.version.minor), &body)?;
    let mut st = ctx.shared.state.lock();
    let uuid = checks::visible(&ctx, &st, &id)?;
    let project = st.servers[&uuid].project_id.clone();
    policy::authorize(
        &ctx,
        "os_compute_api:servers:update",
        Rule::ProjectMemberOrAdmin,
        &project,
    )?;
    let now = ctx.shared.clock.now();
    let fields = &body["server"];
    if let Some(s) = st.servers.get_mut(&uuid) {
        if let Some(n) = fields.get("name").and_then(Value::as_str) {
            // `common.normalize_name`: surrounding whitespace is stripped.
            s.name = n.trim().to_string();
        }
        if let Some(d) = fields.get("description") {
            s.description = d.as_str().map(str::to_string);
        }
        s.updated_at = now;
    }
    #[derive(serde::Serialize)]
    struct One {
        server: server_view::Fields,
    }
    let body = One {
        server: server_view::show(&ctx, &st, &st.servers[&uuid], Mode::Show),
    };
    drop(st);
    Ok(ctx.json(StatusCode::OK, &body))
}

pub(crate) async fn delete(ctx: Ctx, Path(id): Path<String>) -> ApiResult {
    let mut st = ctx.shared.state.lock();
    let uuid = checks::visible(&ctx, &st, &id)?;
    let s = &st.servers[&uuid];
    policy::authorize(
        &ctx,
        "os_compute_api:servers:delete",
        Rule::ProjectMemberOrAdmin,
        &s.project_id,
    )?;
    checks::lock(&ctx, s)?;
    st.remove_server(uuid);
    Ok(ctx.empty(StatusCode::NO_CONTENT))
}

fn str_field(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

/// Build and place one server; returns its uuid.
#[allow(clippy::too_many_arguments)]
fn build_one(
    ctx: &Ctx,
    st: &mut State,
    name: String,
    req: &Value,
    flavor: &Flavor,
    image_ref: &str,
    requested_host: Option<String>,
    reservation_id: &str,
) -> Uuid {
    let now = ctx.shared.clock.now();
    let uuid = Uuid::new_v4();
    let spec = RequestSpec {
        resources: Resources::of_flavor(flavor),
        requested_host,
        ..Default::default()
    };
    let placed = scheduler::select(st, &spec);
    let metadata: BTreeMap<String, String> = req
        .get("metadata")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string()),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut server = Server {
        uuid,
        seq: 0,
        name,
        project_id: ctx.auth.project_id.clone(),
        user_id: ctx.auth.user_id.clone(),
        flavor: flavor.clone(),
        old_flavor: None,
        new_flavor: None,
        image_ref: image_ref.to_string(),
        host: None,
        vm_state: VmState::Active,
        task_state: None,
        power_state: power::RUNNING,
        old_vm_state: None,
        locked_by: None,
        locked_reason: None,
        created_at: now,
        updated_at: now,
        launched_at: Some(now),
        description: str_field(req, "description"),
        metadata,
        key_name: str_field(req, "key_name"),
        availability_zone: str_field(req, "availability_zone"),
        tags: req
            .get("tags")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        progress: 0,
        fault: None,
        reservation_id: reservation_id.to_string(),
        in_flight: None,
        actions: Vec::new(),
    };
    let idx = checks::record_action(ctx, &mut server, "create", now);
    let timed = matches!(
        ctx.shared.config.lifecycle,
        crate::config::Lifecycle::Timed(_)
    );
    match placed {
        Ok(host) if timed => {
            // Timed mode: BUILD (scheduling, then spawning) before ACTIVE.
            server.host = Some(host.clone());
            st.allocate(uuid, &host, Resources::of_flavor(flavor));
            server.vm_state = VmState::Building;
            server.task_state = Some(TaskState::Scheduling);
            server.power_state = power::NOSTATE;
            server.launched_at = None;
            let generation = st.next_generation();
            server.in_flight = Some(InFlight::accepted(OpKind::Build, generation, idx));
        }
        Ok(host) => {
            server.host = Some(host.clone());
            st.allocate(uuid, &host, Resources::of_flavor(flavor));
            server.actions[idx].events.push(ActionEvent {
                event: "compute__do_build_and_run_instance".into(),
                start_time: now,
                finish_time: Some(now),
                result: Some("Success".into()),
                traceback: None,
                host: Some(host),
                details: None,
            });
        }
        Err(e) => {
            server.vm_state = VmState::Error;
            server.power_state = power::NOSTATE;
            server.launched_at = None;
            server.fault = Some(InstanceFault {
                code: 500,
                message: e.message(),
                details: String::new(),
                created: now,
            });
            server.actions[idx].message = Some("Error".into());
        }
    }
    st.insert_server(server)
}

pub(crate) async fn create(ctx: Ctx, bytes: Bytes) -> ApiResult {
    let body = body::required(&ctx, &bytes)?;
    let minor = if ctx.version.major == 2 {
        ctx.version.minor
    } else {
        0
    };
    body::validate(&ctx, &schemas::server_create(minor), &body)?;
    policy::authorize(
        &ctx,
        "os_compute_api:servers:create",
        Rule::ProjectMemberOrAdmin,
        &ctx.auth.project_id.clone(),
    )?;
    let req = &body["server"];
    let name = str_field(req, "name").unwrap_or_default();
    // An image-sourced boot_index 0 block device stands in for imageRef (what
    // openstackclient sends); volumes are not modelled.
    let bdm_image = req
        .get("block_device_mapping_v2")
        .and_then(Value::as_array)
        .and_then(|a| {
            a.iter()
                .find(|b| b.get("source_type").and_then(Value::as_str) == Some("image"))
        })
        .and_then(|b| b.get("uuid").and_then(Value::as_str))
        .map(str::to_string);
    let image_ref = match req.get("imageRef").and_then(Value::as_str) {
        Some(i) if !i.is_empty() => i.rsplit('/').next().unwrap_or(i).to_string(),
        _ => match bdm_image {
            Some(i) => i,
            None => return Err(ctx.bad_request("Missing imageRef attribute")),
        },
    };
    let flavor_ref = match &req["flavorRef"] {
        Value::String(s) => s
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string(),
        other => other.to_string(),
    };
    let host = str_field(req, "host");
    let node = str_field(req, "hypervisor_hostname");
    if host.is_some() || node.is_some() {
        policy::authorize(
            &ctx,
            "compute:servers:create:requested_destination",
            Rule::Admin,
            &ctx.auth.project_id.clone(),
        )?;
    }
    let count = |k: &str| {
        req.get(k).and_then(|v| {
            v.as_u64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
    };
    let min_count = count("min_count").unwrap_or(1);
    let max_count = count("max_count").unwrap_or(min_count);
    if min_count > max_count {
        return Err(ctx.bad_request("min_count must be <= max_count"));
    }
    let (first, location, built) = {
        let mut st = ctx.shared.state.lock();
        let flavor = st
            .flavors
            .get(&flavor_ref)
            .filter(|f| !f.disabled)
            .cloned()
            .ok_or_else(|| ctx.bad_request("Invalid flavorRef provided."))?;
        if !st.images.iter().any(|i| i.id.to_string() == image_ref) {
            return Err(ctx.bad_request("Can not find requested image"));
        }
        let requested = host.clone().or(node.clone());
        if let Some(h) = &host {
            if !st.hosts.contains_key(h) {
                return Err(ctx.bad_request(format!("Compute host {h} could not be found.")));
            }
        }
        if let Some(n) = &node {
            if !st.hosts.contains_key(n) {
                return Err(ctx.bad_request(format!("Compute host {n} could not be found.")));
            }
        }
        let reservation = format!("r-{}", &Uuid::new_v4().simple().to_string()[..8]);
        let mut first = None;
        let mut built = Vec::new();
        for i in 0..max_count.min(100) {
            let n = if max_count > 1 {
                format!("{name}-{}", i + 1)
            } else {
                name.clone()
            };
            let id = build_one(
                &ctx,
                &mut st,
                n,
                req,
                &flavor,
                &image_ref,
                requested.clone(),
                &reservation,
            );
            first.get_or_insert(id);
            built.push(id);
        }
        let first = first.expect("max_count >= 1");
        (first, format!("{}/v2.1/servers/{first}", ctx.base), built)
    };
    for id in built {
        crate::conductor::lifecycle::drive(&ctx.shared, id);
    }
    let id = first.to_string();
    let body = json!({"server": {
        "id": id,
        "links": [
            {"rel": "self", "href": format!("{}/v2.1/servers/{id}", ctx.base)},
            {"rel": "bookmark", "href": format!("{}/servers/{id}", ctx.base)}
        ],
        "OS-DCF:diskConfig": "MANUAL",
        "security_groups": [{"name": "default"}],
        "adminPass": Uuid::new_v4().simple().to_string()[..12].to_string()
    }});
    let mut resp = ctx.json(StatusCode::ACCEPTED, &body);
    if let Ok(v) = HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}
