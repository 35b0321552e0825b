//! Glance's image document.

use crate::state::model::Image;
use serde_json::{json, Value};

pub(crate) fn image(i: &Image) -> Value {
    let id = i.id.to_string();
    json!({
        "id": id,
        "name": i.name,
        "status": i.status,
        "visibility": i.visibility,
        "protected": false,
        "os_hidden": false,
        "checksum": "c8fc807773e5354afe61636071771906",
        "os_hash_algo": "sha512",
        "container_format": i.container_format,
        "disk_format": i.disk_format,
        "size": i.size,
        "virtual_size": 117440512,
        "min_disk": i.min_disk,
        "min_ram": i.min_ram,
        "owner": null,
        "tags": [],
        "created_at": i.created_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "updated_at": i.updated_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "self": format!("/v2/images/{id}"),
        "file": format!("/v2/images/{id}/file"),
        "schema": "/v2/schemas/image"
    })
}
