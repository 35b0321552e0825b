//! `GET /flavors`, `/flavors/detail`, `/flavors/{id}` (flavors.py, views/flavors.py):
//! filters `minRam`, `minDisk`, `is_public` (admin), `name` (regex), sorting by
//! `sort_key`/`sort_dir`, `limit`/`marker` paging with `flavors_links`.
//! Create/delete/update and os-extra_specs are in flavor_manage.rs.

use crate::compute::pipeline::context::{ApiResult, Ctx};
use crate::compute::pipeline::query::Query;
use crate::state::model::Flavor;
use axum::extract::{Path, RawQuery};
use axum::http::StatusCode;
use serde_json::{json, Map, Value};
use std::cmp::Ordering;

/// Nova's `max_limit` default.
const MAX_LIMIT: usize = 1000;

/// `flavors.VALID_SORT_KEYS` (2.102 drops `rxtx_factor`).
const SORT_KEYS: [&str; 15] = [
    "created_at",
    "description",
    "disabled",
    "ephemeral_gb",
    "flavorid",
    "id",
    "is_public",
    "memory_mb",
    "name",
    "root_gb",
    "rxtx_factor",
    "swap",
    "updated_at",
    "vcpu_weight",
    "vcpus",
];

/// `flavors.index_query*` for the microversion.
fn index_query_schema(minor: u16) -> Value {
    let multi = |s: Value| json!({"type": "array", "items": s});
    let string = json!({"type": "string"});
    let keys: Vec<&str> = SORT_KEYS
        .iter()
        .copied()
        .filter(|k| minor < 102 || *k != "rxtx_factor")
        .collect();
    let mut props = json!({
        "limit": multi(json!({"type": ["integer", "string"], "pattern": "^[0-9]*$", "minimum": 0, "minLength": 1})),
        "marker": multi(string.clone()),
        "is_public": multi(string.clone()),
        "minRam": multi(string.clone()),
        "minDisk": multi(string.clone()),
        "sort_key": multi(json!({"type": "string", "enum": keys})),
        "sort_dir": multi(json!({"type": "string", "enum": ["asc", "desc"]}))
    });
    if minor >= 102 {
        props["name"] = multi(string);
    }
    json!({"type": "object", "properties": props, "additionalProperties": minor < 75})
}

/// One sort column of the flavors table (NULLs first, as MySQL sorts ascending).
fn column_cmp(a: &Flavor, b: &Flavor, key: &str) -> Ordering {
    match key {
        "flavorid" => a.id.cmp(&b.id),
        "name" => a.name.cmp(&b.name),
        "description" => a.description.cmp(&b.description),
        "disabled" => a.disabled.cmp(&b.disabled),
        "is_public" => a.is_public.cmp(&b.is_public),
        "ephemeral_gb" => a.ephemeral.cmp(&b.ephemeral),
        "memory_mb" => a.ram.cmp(&b.ram),
        "root_gb" => a.disk.cmp(&b.disk),
        "swap" => a.swap.cmp(&b.swap),
        "vcpus" => a.vcpus.cmp(&b.vcpus),
        "rxtx_factor" => a.rxtx_factor.total_cmp(&b.rxtx_factor),
        // vcpu_weight is NULL for every flavor the mock has.
        "vcpu_weight" => Ordering::Equal,
        // id, created_at, updated_at: creation order.
        _ => a.internal_id.cmp(&b.internal_id),
    }
}

/// `paginate_query(..., [sort_key, 'id'], sort_dir)`: both keys in the one direction.
fn order(a: &Flavor, b: &Flavor, key: &str, desc: bool) -> Ordering {
    let o = column_cmp(a, b, key).then(a.internal_id.cmp(&b.internal_id));
    if desc {
        o.reverse()
    } else {
        o
    }
}

/// `strutils.bool_from_string(strict=True)`.
fn strict_bool(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "1" | "t" | "true" | "on" | "y" | "yes" => Some(true),
        "0" | "f" | "false" | "off" | "n" | "no" => Some(false),
        _ => None,
    }
}

/// `FlavorsController._get_flavors`: the page of flavors and the effective limit.
fn select(ctx: &Ctx, q: &Query) -> Result<Vec<Flavor>, crate::compute::pipeline::fault::Fault> {
    ctx.validate_query(&index_query_schema(ctx.version.minor), &q.multi())?;
    let sort_key = q
        .get("sort_key")
        .filter(|k| !k.is_empty())
        .unwrap_or("flavorid");
    let desc = q.get("sort_dir").filter(|d| !d.is_empty()) == Some("desc");
    let limit = q
        .get("limit")
        .map(|l| l.parse::<usize>().map_or(MAX_LIMIT, |n| n.min(MAX_LIMIT)))
        .unwrap_or(MAX_LIMIT);
    let marker = q.get("marker");
    let admin = ctx.is_admin();
    // Non-admins see public flavors only (the mock has no flavor access lists).
    let is_public = if admin {
        match q.get("is_public") {
            None => Some(true),
            Some(v) if v.eq_ignore_ascii_case("none") => None,
            Some(v) => match strict_bool(v) {
                Some(b) => Some(b),
                None => return Err(ctx.bad_request(format!("Invalid is_public filter [{v}]"))),
            },
        }
    } else {
        Some(true)
    };
    let int_filter = |name: &str| -> Result<Option<i64>, crate::compute::pipeline::fault::Fault> {
        match q.get(name) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|_| ctx.bad_request(format!("Invalid {name} filter [{v}]"))),
        }
    };
    let min_ram = int_filter("minRam")?;
    let min_disk = int_filter("minDisk")?;
    // `name` is a database REGEXP (case-insensitive under MySQL's default collation).
    let name_re = q.get("name").map(|n| {
        regex::RegexBuilder::new(n)
            .case_insensitive(true)
            .build()
            .ok()
    });
    let st = ctx.shared.state.lock();
    let visible = |f: &&Flavor| admin || f.is_public;
    let mut list: Vec<&Flavor> = st
        .flavors
        .values()
        .filter(visible)
        .filter(|f| admin || !f.disabled)
        .filter(|f| min_ram.is_none_or(|m| i64::try_from(f.ram).unwrap_or(i64::MAX) >= m))
        .filter(|f| min_disk.is_none_or(|m| i64::try_from(f.disk).unwrap_or(i64::MAX) >= m))
        .filter(|f| is_public.is_none_or(|p| f.is_public == p))
        .filter(|f| match &name_re {
            None => true,
            Some(Some(re)) => re.is_match(&f.name),
            Some(None) => false,
        })
        .collect();
    list.sort_by(|a, b| order(a, b, sort_key, desc));
    if let Some(m) = marker {
        // The marker row is looked up without the filters (but with visibility).
        let Some(mrow) = st.flavors.get(m).filter(|f| visible(f)) else {
            return Err(ctx.bad_request(format!("marker [{m}] not found")));
        };
        list.retain(|f| order(f, mrow, sort_key, desc) == Ordering::Greater);
    }
    list.truncate(limit);
    Ok(list.into_iter().cloned().collect())
}

/// `_get_collection_links` with `flavorid` as the marker.
fn with_links(ctx: &Ctx, q: &Query, coll: &str, items: Vec<Value>, flavors: &[Flavor]) -> Value {
    let mut body = json!({ "flavors": items });
    let max = q
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .map_or(MAX_LIMIT, |l| l.min(MAX_LIMIT));
    if let Some(last) = flavors.last() {
        if max > 0 && max == flavors.len() {
            body["flavors_links"] =
                json!([{"rel": "next", "href": q.next_link(ctx, coll, &last.id)}]);
        }
    }
    body
}

fn links(ctx: &Ctx, id: &str) -> Value {
    json!([
        {"rel": "self", "href": format!("{}/v2.1/flavors/{id}", ctx.base)},
        {"rel": "bookmark", "href": format!("{}/flavors/{id}", ctx.base)}
    ])
}

/// `views/flavors.py` `show`: `swap` is `""` for none before 2.75 and `0` from 2.75;
/// 2.102 drops `OS-FLV-DISABLED:disabled` and `rxtx_factor` (key order kept).
pub(crate) fn detail_view(ctx: &Ctx, f: &Flavor) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(f.id));
    o.insert("name".into(), json!(f.name));
    o.insert("ram".into(), json!(f.ram));
    o.insert("disk".into(), json!(f.disk));
    o.insert(
        "swap".into(),
        match (f.swap, ctx.at_least(75)) {
            (0, false) => json!(""),
            (n, _) => json!(n),
        },
    );
    o.insert("OS-FLV-EXT-DATA:ephemeral".into(), json!(f.ephemeral));
    let modern = ctx.at_least(102);
    if !modern {
        o.insert("OS-FLV-DISABLED:disabled".into(), json!(f.disabled));
    }
    o.insert("vcpus".into(), json!(f.vcpus));
    o.insert("os-flavor-access:is_public".into(), json!(f.is_public));
    if !modern {
        // `flavor['rxtx_factor'] or ""`.
        let rxtx = if f.rxtx_factor == 0.0 {
            json!("")
        } else {
            json!(f.rxtx_factor)
        };
        o.insert("rxtx_factor".into(), rxtx);
    }
    o.insert("links".into(), links(ctx, &f.id));
    if ctx.at_least(55) {
        o.insert("description".into(), json!(f.description));
    }
    if ctx.at_least(61) {
        o.insert("extra_specs".into(), json!(f.extra_specs));
    }
    Value::Object(o)
}

pub(crate) async fn index(ctx: Ctx, RawQuery(q): RawQuery) -> ApiResult {
    let q = Query::parse(q.as_deref());
    let flavors = select(&ctx, &q)?;
    let list: Vec<Value> = flavors
        .iter()
        .map(|f| {
            let mut v = json!({"id": f.id, "name": f.name, "links": links(&ctx, &f.id)});
            if ctx.at_least(55) {
                v["description"] = json!(f.description);
            }
            v
        })
        .collect();
    let body = with_links(&ctx, &q, "flavors", list, &flavors);
    Ok(ctx.json(StatusCode::OK, &body))
}

pub(crate) async fn detail(ctx: Ctx, RawQuery(q): RawQuery) -> ApiResult {
    let q = Query::parse(q.as_deref());
    let flavors = select(&ctx, &q)?;
    let list: Vec<Value> = flavors.iter().map(|f| detail_view(&ctx, f)).collect();
    let body = with_links(&ctx, &q, "flavors/detail", list, &flavors);
    Ok(ctx.json(StatusCode::OK, &body))
}

pub(crate) async fn show(ctx: Ctx, Path(id): Path<String>, RawQuery(q): RawQuery) -> ApiResult {
    // The query schema decorator runs first (2.102: no parameters).
    ctx.no_query_from_2_102(q.as_deref())?;
    let st = ctx.shared.state.lock();
    // A private flavor is invisible to non-admins (no flavor access lists in the mock).
    let Some(f) = st
        .flavors
        .get(&id)
        .filter(|f| f.is_public || ctx.is_admin())
    else {
        return Err(ctx.not_found(format!("Flavor {id} could not be found.")));
    };
    let body = json!({ "flavor": detail_view(&ctx, f) });
    drop(st);
    Ok(ctx.json(StatusCode::OK, &body))
}
