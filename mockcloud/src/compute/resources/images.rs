//! The deprecated image proxy `GET /v2.1/images[/detail|/{id}]`, up to 2.35
//! (later versions: 404, as Nova's `@wsgi.api_version("2.1", "2.35")`).

use crate::clock::isotime;
use crate::compute::pipeline::context::{ApiResult, Ctx};
use crate::state::model::Image;
use axum::extract::Path;
use axum::http::StatusCode;
use serde_json::{json, Value};

fn gate(ctx: &Ctx) -> Result<(), crate::compute::pipeline::fault::Fault> {
    if ctx.at_least(36) {
        Err(ctx.not_found("The resource could not be found."))
    } else {
        Ok(())
    }
}

fn links(ctx: &Ctx, id: &str) -> Value {
    json!([
        {"rel": "self", "href": format!("{}/v2.1/images/{id}", ctx.base)},
        {"rel": "bookmark", "href": format!("{}/images/{id}", ctx.base)},
        {"rel": "alternate", "type": "application/vnd.openstack.image", "href": format!("{}/image/images/{id}", ctx.base)}
    ])
}

fn detail(ctx: &Ctx, i: &Image) -> Value {
    let id = i.id.to_string();
    json!({"id": id, "name": i.name, "minRam": i.min_ram, "minDisk": i.min_disk, "metadata": {},
           "created": isotime(&i.created_at), "updated": isotime(&i.updated_at), "status": "ACTIVE",
           "progress": 100, "OS-EXT-IMG-SIZE:size": i.size, "links": links(ctx, &id)})
}

pub(crate) async fn index(ctx: Ctx) -> ApiResult {
    gate(&ctx)?;
    let st = ctx.shared.state.lock();
    let list: Vec<Value> =
        st.images.iter().map(|i| json!({"id": i.id.to_string(), "name": i.name, "links": links(&ctx, &i.id.to_string())})).collect();
    drop(st);
    Ok(ctx.json(StatusCode::OK, &json!({ "images": list })))
}

pub(crate) async fn details(ctx: Ctx) -> ApiResult {
    gate(&ctx)?;
    let st = ctx.shared.state.lock();
    let list: Vec<Value> = st.images.iter().map(|i| detail(&ctx, i)).collect();
    drop(st);
    Ok(ctx.json(StatusCode::OK, &json!({ "images": list })))
}

pub(crate) async fn show(ctx: Ctx, Path(id): Path<String>) -> ApiResult {
    gate(&ctx)?;
    let st = ctx.shared.state.lock();
    let Some(i) = st.images.iter().find(|i| i.id.to_string() == id) else {
        return Err(ctx.not_found("Image not found."));
    };
    let body = json!({ "image": detail(&ctx, i) });
    drop(st);
    Ok(ctx.json(StatusCode::OK, &body))
}
