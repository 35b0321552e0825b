//! Flavor create/delete (os-flavor-manage, admin) and `os-extra_specs`.

use super::flavors::detail_view;
use crate::compute::pipeline::body;
use crate::compute::pipeline::context::{ApiResult, Ctx};
use crate::compute::pipeline::policy::{self, Rule};
use crate::compute::pipeline::schema::schemas;
use crate::state::model::Flavor;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// `parameter_types.flavor_param_positive` (min 1) / `flavor_param_non_negative` (min 0).
fn int(min: u64) -> Value {
    json!({"type": ["integer", "string"], "pattern": "^[0-9]+$", "minimum": min, "maximum": 0x7FFF_FFFF})
}

fn create_schema(minor: u16) -> Value {
    let mut props = json!({
        "name": {"type": "string", "minLength": 1, "maxLength": 255},
        // Nova: a string or a number (Tempest sends a random integer), no surrounding spaces.
        "id": {"type": ["string", "number", "null"], "minLength": 1, "maxLength": 255,
               "pattern": "^(?! )[a-zA-Z0-9. _-]+(?<! )$"},
        "ram": int(1),
        "vcpus": int(1),
        "disk": int(0),
        "OS-FLV-EXT-DATA:ephemeral": int(0),
        "swap": int(0),
        "rxtx_factor": {"type": ["number", "string"], "minimum": 0},
        "os-flavor-access:is_public": schemas::boolean()
    });
    if minor >= 55 {
        props["description"] = json!({"type": ["string", "null"], "maxLength": 65535});
    }
    json!({"type": "object", "properties": {"flavor": {"type": "object", "properties": props,
           "required": ["name", "ram", "vcpus", "disk"], "additionalProperties": false}},
           "required": ["flavor"], "additionalProperties": false})
}

fn num(v: &Value) -> u64 {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or(0)
}

pub(crate) async fn create(ctx: Ctx, bytes: Bytes) -> ApiResult {
    let b = body::required(&ctx, &bytes)?;
    body::validate(&ctx, &create_schema(ctx.version.minor), &b)?;
    policy::authorize(
        &ctx,
        "os_compute_api:os-flavor-manage:create",
        Rule::Admin,
        "",
    )?;
    let f = &b["flavor"];
    let name = f["name"].as_str().unwrap_or_default().trim().to_string();
    let mut st = ctx.shared.state.lock();
    if st.flavors.values().any(|x| x.name == name) {
        return Err(ctx.conflict(format!("Flavor with name {name} already exists.")));
    }
    // As `nova.compute.flavors.create`: a falsy id (absent, null, 0) gets a uuid; any other
    // id is stored as Python's `str()` of it (an integer 1000 becomes "1000").
    let id = match f.get("id") {
        None | Some(Value::Null) => uuid::Uuid::new_v4().to_string(),
        Some(Value::Number(n)) if n.as_f64() == Some(0.0) => uuid::Uuid::new_v4().to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => crate::pyfmt::repr(other),
    };
    if st.flavors.contains_key(&id) {
        return Err(ctx.conflict(format!("Flavor with ID {id} already exists.")));
    }
    let internal_id = st.next_flavor_internal_id;
    st.next_flavor_internal_id += 1;
    let flavor = Flavor {
        id: id.clone(),
        internal_id,
        name,
        vcpus: u32::try_from(num(&f["vcpus"])).unwrap_or(u32::MAX),
        ram: num(&f["ram"]),
        disk: num(&f["disk"]),
        ephemeral: f.get("OS-FLV-EXT-DATA:ephemeral").map(num).unwrap_or(0),
        swap: f.get("swap").map(num).unwrap_or(0),
        rxtx_factor: f
            .get("rxtx_factor")
            .and_then(|v| {
                v.as_f64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            })
            .unwrap_or(1.0),
        is_public: f
            .get("os-flavor-access:is_public")
            .map(schemas::boolean_value)
            .unwrap_or(true),
        disabled: false,
        description: f
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string),
        extra_specs: BTreeMap::new(),
    };
    let view = detail_view(&ctx, &flavor);
    st.flavors.insert(id, flavor);
    drop(st);
    Ok(ctx.json(StatusCode::OK, &json!({ "flavor": view })))
}

pub(crate) async fn delete(ctx: Ctx, Path(id): Path<String>) -> ApiResult {
    policy::authorize(
        &ctx,
        "os_compute_api:os-flavor-manage:delete",
        Rule::Admin,
        "",
    )?;
    let mut st = ctx.shared.state.lock();
    if st.flavors.remove(&id).is_none() {
        return Err(ctx.not_found(format!("Flavor {id} could not be found.")));
    }
    drop(st);
    Ok(ctx.empty(StatusCode::ACCEPTED))
}

fn spec_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        other => other.to_string(),
    }
}

fn with_flavor<R>(
    ctx: &Ctx,
    id: &str,
    f: impl FnOnce(&mut Flavor) -> Result<R, crate::compute::pipeline::fault::Fault>,
) -> Result<R, crate::compute::pipeline::fault::Fault> {
    let mut st = ctx.shared.state.lock();
    match st.flavors.get_mut(id) {
        Some(fl) => f(fl),
        None => Err(ctx.not_found(format!("Flavor {id} could not be found."))),
    }
}

pub(crate) async fn specs_index(
    ctx: Ctx,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    // The query schema decorator runs first (2.102: no parameters).
    ctx.no_query_from_2_102(q.as_deref())?;
    policy::authorize(
        &ctx,
        "os_compute_api:os-flavor-extra-specs:index",
        Rule::ProjectReaderOrAdmin,
        &ctx.auth.project_id.clone(),
    )?;
    let specs = with_flavor(&ctx, &id, |f| Ok(f.extra_specs.clone()))?;
    Ok(ctx.json(StatusCode::OK, &json!({ "extra_specs": specs })))
}

pub(crate) async fn specs_create(ctx: Ctx, Path(id): Path<String>, bytes: Bytes) -> ApiResult {
    let b = body::required(&ctx, &bytes)?;
    let obj = match b.get("extra_specs").and_then(Value::as_object) {
        Some(o) if b.as_object().is_some_and(|m| m.len() == 1) => o.clone(),
        _ => return Err(ctx.bad_request(
            "Invalid input for field/attribute extra_specs. 'extra_specs' is a required property",
        )),
    };
    policy::authorize(
        &ctx,
        "os_compute_api:os-flavor-extra-specs:create",
        Rule::Admin,
        "",
    )?;
    // Nova's key pattern `^[a-zA-Z0-9-_:. ]{1,255}$`; values are strings, numbers or booleans.
    let key_ok = |k: &str| {
        (1..=255).contains(&k.chars().count())
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_:. ".contains(c))
    };
    if let Some((k, v)) = obj
        .iter()
        .find(|(k, v)| !key_ok(k) || !(v.is_string() || v.is_number() || v.is_boolean()))
    {
        return Err(ctx.bad_request(format!(
            "Invalid input for field/attribute extra_specs. Value: {}. invalid key or value: {}",
            crate::pyfmt::repr(&Value::Object(obj.clone())),
            crate::pyfmt::repr(&json!({k: v}))
        )));
    }
    let out = with_flavor(&ctx, &id, |f| {
        for (k, v) in &obj {
            f.extra_specs.insert(k.clone(), spec_str(v));
        }
        Ok(obj
            .iter()
            .map(|(k, v)| (k.clone(), json!(spec_str(v))))
            .collect::<serde_json::Map<_, _>>())
    })?;
    Ok(ctx.json(StatusCode::OK, &json!({ "extra_specs": out })))
}

pub(crate) async fn spec_show(
    ctx: Ctx,
    Path((id, key)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    // The query schema decorator runs first (2.102: no parameters).
    ctx.no_query_from_2_102(q.as_deref())?;
    policy::authorize(
        &ctx,
        "os_compute_api:os-flavor-extra-specs:show",
        Rule::ProjectReaderOrAdmin,
        &ctx.auth.project_id.clone(),
    )?;
    let v = with_flavor(&ctx, &id, |f| {
        f.extra_specs
            .get(&key)
            .cloned()
            .ok_or_else(|| ctx.not_found(format!("Flavor {id} has no extra specs with key {key}.")))
    })?;
    Ok(ctx.json(StatusCode::OK, &json!({ key: v })))
}

pub(crate) async fn spec_update(
    ctx: Ctx,
    Path((id, key)): Path<(String, String)>,
    bytes: Bytes,
) -> ApiResult {
    let b = body::required(&ctx, &bytes)?;
    policy::authorize(
        &ctx,
        "os_compute_api:os-flavor-extra-specs:update",
        Rule::Admin,
        "",
    )?;
    let Some(obj) = b.as_object() else {
        return Err(ctx.bad_request("Malformed request body"));
    };
    if obj.len() > 1 {
        return Err(ctx.bad_request("Request body contains too many items"));
    }
    let Some(v) = obj.get(&key) else {
        return Err(ctx.bad_request("Request body and URI mismatch"));
    };
    let val = spec_str(v);
    with_flavor(&ctx, &id, |f| {
        f.extra_specs.insert(key.clone(), val.clone());
        Ok(())
    })?;
    Ok(ctx.json(StatusCode::OK, &json!({ key: val })))
}

pub(crate) async fn spec_delete(ctx: Ctx, Path((id, key)): Path<(String, String)>) -> ApiResult {
    policy::authorize(
        &ctx,
        "os_compute_api:os-flavor-extra-specs:delete",
        Rule::Admin,
        "",
    )?;
    with_flavor(&ctx, &id, |f| {
        f.extra_specs
            .remove(&key)
            .map(|_| ())
            .ok_or_else(|| ctx.not_found(format!("Flavor {id} has no extra specs with key {key}.")))
    })?;
    // Nova's default 200 (its comment: "should be 204 ... by v2.1 +microversions").
    Ok(ctx.empty(StatusCode::OK))
}

/// `PUT /flavors/{id}` (2.55+): only the description can change.
pub(crate) async fn update(ctx: Ctx, Path(id): Path<String>, bytes: Bytes) -> ApiResult {
    if !ctx.at_least(55) {
        return Err(ctx.fault(StatusCode::NOT_FOUND, "The resource could not be found."));
    }
    let b = body::required(&ctx, &bytes)?;
    let schema = json!({"type": "object", "properties": {"flavor": {"type": "object",
        "properties": {"description": {"type": ["string", "null"], "minLength": 0, "maxLength": 65535}},
        "required": ["description"], "additionalProperties": false}},
        "required": ["flavor"], "additionalProperties": false});
    body::validate(&ctx, &schema, &b)?;
    policy::authorize(
        &ctx,
        "os_compute_api:os-flavor-manage:update",
        Rule::Admin,
        "",
    )?;
    let description = b["flavor"]["description"].as_str().map(str::to_string);
    let view = with_flavor(&ctx, &id, |f| {
        f.description = description;
        Ok(detail_view(&ctx, f))
    })?;
    Ok(ctx.json(StatusCode::OK, &json!({ "flavor": view })))
}
