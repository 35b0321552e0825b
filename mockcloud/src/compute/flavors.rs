//! `GET /flavors`, `/flavors/detail`, `/flavors/{id}` (views/flavors.py).
//! Create/delete and os-extra_specs are a later extension (see the crate docs).

use super::context::{ApiResult, Ctx};
use crate::state::model::Flavor;
use axum::extract::Path;
use axum::http::StatusCode;
use serde_json::{json, Map, Value};

fn links(ctx: &Ctx, id: &str) -> Value {
    json!([
        {"rel": "self", "href": format!("{}/v2.1/flavors/{id}", ctx.base)},
        {"rel": "bookmark", "href": format!("{}/flavors/{id}", ctx.base)}
    ])
}

pub fn detail_view(ctx: &Ctx, f: &Flavor) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(f.id));
    o.insert("name".into(), json!(f.name));
    o.insert("ram".into(), json!(f.ram));
    o.insert("disk".into(), json!(f.disk));
    o.insert(
        "swap".into(),
        if f.swap == 0 {
            json!("")
        } else {
            json!(f.swap)
        },
    );
    o.insert("OS-FLV-EXT-DATA:ephemeral".into(), json!(f.ephemeral));
    o.insert("OS-FLV-DISABLED:disabled".into(), json!(f.disabled));
    o.insert("vcpus".into(), json!(f.vcpus));
    o.insert("os-flavor-access:is_public".into(), json!(f.is_public));
    o.insert("rxtx_factor".into(), json!(f.rxtx_factor));
    o.insert("links".into(), links(ctx, &f.id));
    if ctx.at_least(55) {
        o.insert("description".into(), json!(f.description));
    }
    if ctx.at_least(61) {
        o.insert("extra_specs".into(), json!(f.extra_specs));
    }
    Value::Object(o)
}

pub async fn index(ctx: Ctx) -> ApiResult {
    let st = ctx.shared.state.lock();
    let list: Vec<Value> = st
        .flavors
        .values()
        .map(|f| {
            let mut v = json!({"id": f.id, "name": f.name, "links": links(&ctx, &f.id)});
            if ctx.at_least(55) {
                v["description"] = json!(f.description);
            }
            v
        })
        .collect();
    drop(st);
    Ok(ctx.json(StatusCode::OK, &json!({ "flavors": list })))
}

pub async fn detail(ctx: Ctx) -> ApiResult {
    let st = ctx.shared.state.lock();
    let list: Vec<Value> = st.flavors.values().map(|f| detail_view(&ctx, f)).collect();
    drop(st);
    Ok(ctx.json(StatusCode::OK, &json!({ "flavors": list })))
}

pub async fn show(ctx: Ctx, Path(id): Path<String>) -> ApiResult {
    let st = ctx.shared.state.lock();
    let Some(f) = st.flavors.get(&id) else {
        return Err(ctx.not_found(format!("Flavor {id} could not be found.")));
    };
    let body = json!({ "flavor": detail_view(&ctx, f) });
    drop(st);
    Ok(ctx.json(StatusCode::OK, &body))
}
