//! `GET /os-migrations` (migrations.py); `/servers/{id}/migrations` is
//! `super::server_migrations`.

use crate::clock::naive_iso;
use crate::compute::pipeline::context::{ApiResult, Ctx};
use crate::compute::pipeline::policy::{self, Rule};
use crate::compute::pipeline::schema::{schemas, validator};
use crate::state::model::{Migration, MigrationType};
use axum::extract::RawQuery;
use axum::http::StatusCode;
use serde_json::{json, Map, Value};

fn view(
    ctx: &Ctx,
    m: &Migration,
    add_link: bool,
    add_uuid: bool,
    add_user_project: bool,
    add_host: bool,
) -> Value {
    // Key order as upstream serialises the Migration object's fields.
    let mut o = Map::new();
    o.insert("id".into(), json!(m.id));
    if add_uuid {
        o.insert("uuid".into(), json!(m.uuid.to_string()));
    }
    let host = |v: Option<&str>| if add_host { json!(v) } else { Value::Null };
    o.insert("source_compute".into(), host(Some(&m.source_compute)));
    o.insert("dest_compute".into(), host(m.dest_compute.as_deref()));
    // Empty: a live migration that failed before its destination was chosen (null upstream).
    let source_node = Some(m.source_node.as_str()).filter(|n| !n.is_empty());
    o.insert("source_node".into(), host(source_node));
    o.insert("dest_node".into(), host(m.dest_node.as_deref()));
    o.insert("dest_host".into(), host(m.dest_host.as_deref()));
    o.insert("old_instance_type_id".into(), json!(m.old_instance_type_id));
    o.insert("new_instance_type_id".into(), json!(m.new_instance_type_id));
    o.insert("instance_uuid".into(), json!(m.instance_uuid.to_string()));
    o.insert("status".into(), json!(m.status));
    if add_link {
        o.insert("migration_type".into(), json!(m.migration_type.as_str()));
        let in_progress =
            ["queued", "preparing", "running", "post-migrating"].contains(&m.status.as_str());
        if m.migration_type == MigrationType::LiveMigration && in_progress {
            o.insert(
                "links".into(),
                json!([
                    {"rel": "self", "href": format!("{}/v2.1/servers/{}/migrations/{}", ctx.base, m.instance_uuid, m.id)},
                    {"rel": "bookmark", "href": format!("{}/servers/{}/migrations/{}", ctx.base, m.instance_uuid, m.id)}
                ]),
            );
        }
    }
    if add_user_project {
        o.insert("user_id".into(), json!(m.user_id));
        o.insert("project_id".into(), json!(m.project_id));
    }
    o.insert("created_at".into(), json!(naive_iso(&m.created_at)));
    o.insert("updated_at".into(), json!(naive_iso(&m.updated_at)));
    Value::Object(o)
}

/// A `changes-since`/`changes-before` value the query schema's `date-time` format passed.
fn parse_time(
    ctx: &Ctx,
    name: &str,
    v: &str,
) -> Result<chrono::DateTime<chrono::Utc>, crate::compute::pipeline::fault::Fault> {
    validator::parse_date_time(v).ok_or_else(|| {
        ctx.bad_request(format!(
            "Invalid input for query parameters {name}. Value: {v}. {} is not a 'date-time'",
            crate::pyfmt::repr_str(v)
        ))
    })
}

pub(crate) async fn index(ctx: Ctx, RawQuery(q): RawQuery) -> ApiResult {
    let pairs: Vec<(String, String)> = q
        .as_deref()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    // Nova's query schemas see `{name: [values...]}`.
    let mut multi: Map<String, Value> = Map::new();
    for (k, v) in &pairs {
        let e = multi.entry(k.clone()).or_insert_with(|| json!([]));
        if let Some(a) = e.as_array_mut() {
            a.push(json!(v));
        }
    }
    let minor = ctx.version.minor;
    ctx.validate_query(
        &schemas::migrations_query(minor),
        &Value::Object(multi.clone()),
    )?;
    let get = |k: &str| {
        multi
            .get(k)
            .and_then(|v| v.as_array())
            .and_then(|a| a.last())
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    policy::authorize(
        &ctx,
        "os_compute_api:os-migrations:index",
        policy::migrations_index_rule(ctx.shared.config.release),
        &ctx.auth.project_id.clone(),
    )?;
    // `search_opts.get('project_id')` at every microversion (the schema rejects the
    // parameter from 2.59 to 2.79, and lets anything through before 2.59).
    let project_q = get("project_id");
    if project_q.as_deref() != Some(ctx.auth.project_id.as_str()) {
        policy::authorize(
            &ctx,
            "os_compute_api:os-migrations:index:all_projects",
            Rule::Admin,
            &ctx.auth.project_id.clone(),
        )?;
    }
    let add_host = ctx.is_admin();
    let paging = ctx.at_least(59);
    let since = if paging {
        get("changes-since")
            .map(|v| parse_time(&ctx, "changes-since", &v))
            .transpose()?
    } else {
        None
    };
    let before = if ctx.at_least(66) {
        get("changes-before")
            .map(|v| parse_time(&ctx, "changes-before", &v))
            .transpose()?
    } else {
        None
    };
    if let (Some(s), Some(b)) = (since, before) {
        if b < s {
            return Err(ctx.bad_request(
                "The value of changes-since must be less than or equal to changes-before.",
            ));
        }
    }
    let limit = if paging {
        get("limit").and_then(|l| l.parse::<usize>().ok())
    } else {
        None
    };
    let limit = limit
        .map(|l| l.min(1000))
        .or(if paging { Some(1000) } else { None });
    // `common.get_limit_and_marker`: an empty marker is no marker.
    let marker = if paging {
        get("marker").filter(|m| !m.is_empty())
    } else {
        None
    };
    let st = ctx.shared.state.lock();
    let mut list: Vec<&Migration> = st
        .migrations
        .values()
        .filter(|m| get("instance_uuid").is_none_or_eq(&m.instance_uuid.to_string()))
        .filter(|m| get("status").is_none_or_eq(&m.status))
        .filter(|m| get("migration_type").is_none_or_eq(m.migration_type.as_str()))
        .filter(|m| {
            get("host").is_none_or(|h| {
                m.source_compute == h || m.dest_compute.as_deref() == Some(h.as_str())
            })
        })
        .filter(|m| get("source_compute").is_none_or_eq(&m.source_compute))
        .filter(|m| {
            if minor >= 80 {
                get("user_id").is_none_or_eq(&m.user_id)
            } else {
                true
            }
        })
        .filter(|m| project_q.as_deref().is_none_or(|p| m.project_id == p))
        .filter(|m| since.is_none_or(|s| m.updated_at >= s))
        .filter(|m| before.is_none_or(|b| m.updated_at <= b))
        .collect();
    if paging {
        // sort created_at desc, id desc
        list.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    }
    if let Some(mk) = &marker {
        match list.iter().position(|m| &m.uuid.to_string() == mk) {
            Some(p) => list = list.split_off(p + 1),
            None => return Err(ctx.bad_request(format!("Marker {mk} could not be found."))),
        }
    }
    if let Some(l) = limit {
        list.truncate(l);
    }
    let out: Vec<Value> = list
        .iter()
        .map(|m| {
            view(
                &ctx,
                m,
                ctx.at_least(23),
                paging,
                ctx.at_least(80),
                add_host,
            )
        })
        .collect();
    let mut body = json!({ "migrations": out });
    if paging {
        if let (Some(l), Some(last)) = (limit, list.last()) {
            if list.len() == l && l > 0 {
                // Nova's _get_next_link: the request's own parameters, sorted, plus marker.
                let href = crate::compute::pipeline::query::Query::parse(q.as_deref()).next_link(
                    &ctx,
                    "os-migrations",
                    &last.uuid.to_string(),
                );
                body["migrations_links"] = json!([{"rel": "next", "href": href}]);
            }
        }
    }
    drop(st);
    Ok(ctx.json(StatusCode::OK, &body))
}

/// `Option<String>` filter helper: absent filter matches everything.
trait FilterEq {
    fn is_none_or_eq(&self, v: &str) -> bool;
}

impl FilterEq for Option<String> {
    fn is_none_or_eq(&self, v: &str) -> bool {
        self.as_deref().is_none_or(|f| f == v)
    }
}
