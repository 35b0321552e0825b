//! The service catalog in every scoped token (docs/architecture.md).

use serde_json::{json, Value};

fn service(id_prefix: &str, kind: &str, name: &str, url: &str) -> Value {
    let eps: Vec<Value> = ["public", "internal", "admin"]
        .iter()
        .enumerate()
        .map(|(i, iface)| {
            json!({"id": format!("{id_prefix}{i:04}"), "interface": iface, "region": "RegionOne",
                   "region_id": "RegionOne", "url": url})
        })
        .collect();
    json!({"endpoints": eps, "id": format!("{id_prefix}0000"), "type": kind, "name": name})
}

/// compute (`<base>/v2.1`), identity (`<base>/identity`), image (`<base>/image`).
pub(crate) fn catalog(base: &str) -> Value {
    json!([
        service(
            "c0c0c0c0c0c0c0c0c0c0c0c0c0c0",
            "compute",
            "nova",
            &format!("{base}/v2.1")
        ),
        service(
            "1d1d1d1d1d1d1d1d1d1d1d1d1d1d",
            "identity",
            "keystone",
            &format!("{base}/identity")
        ),
        service(
            "1a1a1a1a1a1a1a1a1a1a1a1a1a1a",
            "image",
            "glance",
            &format!("{base}/image")
        )
    ])
}
