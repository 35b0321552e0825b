//! `nova-conform migration list [--server S]`: `GET /os-migrations` as openstackclient's
//! `server migration list` shows it.
use reqwest::Method;
use serde_json::Value;

use crate::client::migrate::ClientError;
use crate::client::output::{list, Format};
use crate::cloud_api::call;
use crate::cloud_target::{find_server, urlencode};
use crate::microversion::Microversion;
use crate::target::Caller;

/// The version asked for: 2.80 (user and project ids) or the cloud's maximum if lower; the
/// columns follow what that version returns (uuid from 2.59, type from 2.23).
pub fn version_for(max: Microversion) -> Microversion {
    max.min(Microversion::new(2, 80))
}

/// The table's columns at `v`, with the record field each shows.
pub fn columns(v: Microversion) -> Vec<(&'static str, &'static str)> {
    let mut c = vec![("Id", "id")];
    if v >= Microversion::new(2, 59) {
        c.push(("UUID", "uuid"));
    }
    c.extend([
        ("Source Node", "source_node"),
        ("Dest Node", "dest_node"),
        ("Source Compute", "source_compute"),
        ("Dest Compute", "dest_compute"),
        ("Dest Host", "dest_host"),
        ("Status", "status"),
        ("Server UUID", "instance_uuid"),
        ("Old Flavor", "old_instance_type_id"),
        ("New Flavor", "new_instance_type_id"),
    ]);
    if v >= Microversion::new(2, 23) {
        c.push(("Type", "migration_type"));
    }
    c.extend([("Created At", "created_at"), ("Updated At", "updated_at")]);
    if v >= Microversion::new(2, 80) {
        c.extend([("Project", "project_id"), ("User", "user_id")]);
    }
    c
}

/// Lists migrations (of one server if given), newest first.
pub async fn run(
    admin: &Caller,
    max: Microversion,
    server: Option<&str>,
    format: Format,
) -> Result<String, ClientError> {
    let v = version_for(max);
    let mut path = "/os-migrations".to_string();
    if let Some(s) = server {
        let found = find_server(admin, s)
            .await
            .map_err(|e| ClientError::Usage(e.to_string()))?;
        path.push_str(&format!("?instance_uuid={}", urlencode(&found.id)));
    }
    let a = call(admin, Method::GET, &path, &v.to_string(), None)
        .await
        .map_err(|e| ClientError::Transport(e.into()))?;
    if a.status != 200 {
        return Err(ClientError::Refused {
            status: a.status,
            message: a.fault_message(),
        });
    }
    let mut records: Vec<Value> = a.body["migrations"].as_array().cloned().unwrap_or_default();
    records.sort_by_key(|m| std::cmp::Reverse(m["id"].as_i64().unwrap_or(0)));
    let cols = columns(v);
    let rows: Vec<Vec<Value>> = records
        .iter()
        .map(|m| cols.iter().map(|(_, f)| m[*f].clone()).collect())
        .collect();
    let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
    Ok(list(&names, &rows, format))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_follow_the_version() {
        let names = |v: &str| -> Vec<&str> {
            columns(v.parse().unwrap())
                .into_iter()
                .map(|c| c.0)
                .collect()
        };
        assert!(!names("2.22").contains(&"Type"));
        assert!(names("2.23").contains(&"Type"));
        assert!(!names("2.58").contains(&"UUID"));
        assert!(names("2.59").contains(&"UUID"));
        assert!(names("2.80").contains(&"Project"));
        assert_eq!(version_for("2.104".parse().unwrap()).to_string(), "2.80");
        assert_eq!(version_for("2.60".parse().unwrap()).to_string(), "2.60");
    }
}
