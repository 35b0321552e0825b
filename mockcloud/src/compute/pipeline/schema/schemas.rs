//! Request schemas, transcribed from Nova's `nova/api/openstack/compute/schemas/`
//! (key order matters: it is the order in which Python reports the first error).

use serde_json::{json, Value};
use std::sync::OnceLock;

/// `parameter_types.fqdn`, as used for `host` (type widened per schema).
pub(crate) fn fqdn(types: Value) -> Value {
    json!({"type": types, "pattern": "^[a-zA-Z0-9-._]*$", "minLength": 1, "maxLength": 255})
}

/// `parameter_types.boolean`.
pub(crate) fn boolean() -> Value {
    json!({
        "type": ["boolean", "string"],
        "enum": [true, "True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes",
                 false, "False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no"]
    })
}

/// `parameter_types.boolean` widened with null, for the pike-spec `force`: the seed spec
/// says "If 'force' is False or null or not provided, do check the destination", so null is
/// a valid value meaning false (Nova's boolean string forms stay accepted, as for
/// live-migrate's `force`).
pub(crate) fn nullable_boolean() -> Value {
    json!({
        "type": ["boolean", "string", "null"],
        "enum": [true, "True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes",
                 false, "False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no",
                 null]
    })
}

/// Python truthiness of a `parameter_types.boolean` value (strutils.bool_from_string).
pub(crate) fn boolean_value(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::String(s) => matches!(s.to_ascii_lowercase().as_str(), "true" | "1" | "on" | "yes"),
        _ => false,
    }
}

/// Upstream Nova, 2.56+: `{"migrate": null | {"host": fqdn|null}}`.
pub(crate) fn migrate_v256() -> &'static Value {
    static S: OnceLock<Value> = OnceLock::new();
    S.get_or_init(|| {
        json!({
            "type": "object",
            "properties": {
                "migrate": {
                    "type": ["object", "null"],
                    "properties": {"host": fqdn(json!(["string", "null"]))},
                    "additionalProperties": false
                }
            },
            "required": ["migrate"],
            "additionalProperties": false
        })
    })
}

/// Pike spec, 2.56+: `{"migrate": {"host": fqdn|null (required), "force": boolean|null}}`.
/// `force` is live-migrate's `parameter_types.boolean` plus null, `host` is required like
/// live-migrate's, and `migrate` must be an object (the spec has no null form).
pub(crate) fn migrate_pike_v256() -> &'static Value {
    static S: OnceLock<Value> = OnceLock::new();
    S.get_or_init(|| {
        json!({
            "type": "object",
            "properties": {
                "migrate": {
                    "type": "object",
                    "properties": {
                        "host": fqdn(json!(["string", "null"])),
                        "force": nullable_boolean()
                    },
                    "required": ["host"],
                    "additionalProperties": false
                }
            },
            "required": ["migrate"],
            "additionalProperties": false
        })
    })
}

/// `parameter_types.boolean` with `'auto'` appended (`_block_migration`, 2.25+).
fn block_migration_v225() -> Value {
    let mut b = boolean();
    if let Some(e) = b["enum"].as_array_mut() {
        e.push(json!("auto"));
    }
    b
}

/// `os-migrateLive` for the requested microversion (`schemas/migrate_server.py`, the same
/// at every tag 17.0.13..34.0.0 but for the `host` type's name: `parameter_types.hostname`
/// before 24.0.0, `fqdn` after, identical constraints):
/// 2.1-2.24 `migrate_live` (`block_migration`, `disk_over_commit`, `host` all required),
/// 2.25-2.29 `migrate_live_v2_25` (`disk_over_commit` gone, `block_migration` may be
/// `'auto'`), 2.30-2.67 `migrate_live_v2_30` (+ optional `force`), 2.68+ `migrate_live_v2_68`
/// (= 2.25: no `force`). `host` is `fqdn` with type `['string', 'null']` in each.
pub(crate) fn migrate_live(minor: u16) -> &'static Value {
    static V21: OnceLock<Value> = OnceLock::new();
    static V225: OnceLock<Value> = OnceLock::new();
    static V230: OnceLock<Value> = OnceLock::new();
    let build = |props: Value, required: Value| {
        json!({
            "type": "object",
            "properties": {
                "os-migrateLive": {
                    "type": "object",
                    "properties": props,
                    "required": required,
                    "additionalProperties": false
                }
            },
            "required": ["os-migrateLive"],
            "additionalProperties": false
        })
    };
    match minor {
        0..=24 => V21.get_or_init(|| {
            build(
                json!({
                    "block_migration": boolean(),
                    "disk_over_commit": boolean(),
                    "host": fqdn(json!(["string", "null"]))
                }),
                json!(["block_migration", "disk_over_commit", "host"]),
            )
        }),
        30..=67 => V230.get_or_init(|| {
            build(
                json!({
                    "block_migration": block_migration_v225(),
                    "host": fqdn(json!(["string", "null"])),
                    "force": boolean()
                }),
                json!(["block_migration", "host"]),
            )
        }),
        // 2.25-2.29 and 2.68+ (`migrate_live_v2_68 = copy.deepcopy(migrate_live_v2_25)`).
        _ => V225.get_or_init(|| {
            build(
                json!({
                    "block_migration": block_migration_v225(),
                    "host": fqdn(json!(["string", "null"]))
                }),
                json!(["block_migration", "host"]),
            )
        }),
    }
}

/// `server_migrations.force_complete`: `{"force_complete": null}`.
pub(crate) fn force_complete() -> &'static Value {
    static S: OnceLock<Value> = OnceLock::new();
    S.get_or_init(|| {
        json!({
            "type": "object",
            "properties": {"force_complete": {"type": "null"}},
            "required": ["force_complete"],
            "additionalProperties": false
        })
    })
}

/// `servers.resize`.
pub(crate) fn resize() -> &'static Value {
    static S: OnceLock<Value> = OnceLock::new();
    S.get_or_init(|| {
        json!({
            "type": "object",
            "properties": {
                "resize": {
                    "type": "object",
                    "properties": {
                        "flavorRef": {"type": ["string", "integer"], "minLength": 1},
                        "OS-DCF:diskConfig": {"type": "string", "enum": ["AUTO", "MANUAL"]}
                    },
                    "required": ["flavorRef"],
                    "additionalProperties": false
                }
            },
            "required": ["resize"],
            "additionalProperties": false
        })
    })
}

/// `lock_server.lock_v273`.
pub(crate) fn lock_v273() -> &'static Value {
    static S: OnceLock<Value> = OnceLock::new();
    S.get_or_init(|| {
        json!({
            "type": "object",
            "properties": {
                "lock": {
                    "type": ["object", "null"],
                    "properties": {"locked_reason": {"type": "string", "minLength": 1, "maxLength": 255}},
                    "additionalProperties": false
                }
            },
            "required": ["lock"],
            "additionalProperties": false
        })
    })
}

/// `servers.create` for the given microversion: the subset of properties the mock
/// implements (name, imageRef, flavorRef, networks, metadata, description, key_name,
/// availability_zone, min/max_count, tags, host/hypervisor_hostname), with Nova's
/// per-version changes (2.19 description, 2.37 networks required, 2.52 tags,
/// 2.74 host). Properties the mock does not model are not accepted.
pub(crate) fn server_create(minor: u16) -> Value {
    let mut server = json!({
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 255},
            "imageRef": {"oneOf": [{"type": "string", "format": "uuid"}, {"type": "string", "maxLength": 0}]},
            "flavorRef": {"type": ["string", "integer"], "minLength": 1},
            "adminPass": {"type": "string"},
            "metadata": {"type": "object"},
            "networks": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "fixed_ip": {"type": "string"},
                        "port": {"type": ["string", "null"], "format": "uuid"},
                        "uuid": {"type": "string"}
                    },
                    "additionalProperties": false
                }
            },
            "OS-DCF:diskConfig": {"type": "string", "enum": ["AUTO", "MANUAL"]},
            "availability_zone": {"type": "string", "minLength": 1, "maxLength": 255},
            "config_drive": boolean(),
            "key_name": {"type": "string", "minLength": 1, "maxLength": 255},
            "min_count": {"type": ["integer", "string"], "pattern": "^[0-9]*$", "minimum": 1, "minLength": 1},
            "max_count": {"type": ["integer", "string"], "pattern": "^[0-9]*$", "minimum": 1, "minLength": 1},
            "return_reservation_id": boolean(),
            "security_groups": {
                "type": "array",
                "items": {"type": "object", "properties": {"name": {"type": "string"}}, "additionalProperties": false}
            },
            "user_data": {"type": "string", "maxLength": 65535},
            "block_device_mapping": {"type": "array", "items": {"type": "object"}},
            "block_device_mapping_v2": {"type": "array", "items": {"type": "object"}}
        },
        "required": ["name", "flavorRef"],
        "additionalProperties": false
    });
    let props = server["properties"]
        .as_object_mut()
        .expect("object literal");
    if minor >= 19 {
        props.insert(
            "description".into(),
            json!({"type": ["string", "null"], "maxLength": 255}),
        );
    }
    if minor >= 37 {
        props.insert(
            "networks".into(),
            json!({"oneOf": [
                {"type": "array", "items": {"type": "object", "properties": {
                    "fixed_ip": {"type": "string"},
                    "port": {"type": ["string", "null"], "format": "uuid"},
                    "uuid": {"type": "string", "format": "uuid"},
                    "tag": {"type": "string"}
                }, "additionalProperties": false}},
                {"type": "string", "enum": ["none", "auto"]}
            ]}),
        );
    }
    if minor >= 52 {
        props.insert(
            "tags".into(),
            json!({"type": "array", "items": {"type": "string", "maxLength": 60}, "maxItems": 50}),
        );
    }
    if minor >= 74 {
        props.insert("host".into(), fqdn(json!("string")));
        props.insert("hypervisor_hostname".into(), fqdn(json!("string")));
    }
    if minor >= 37 {
        server["required"] = json!(["name", "flavorRef", "networks"]);
    }
    json!({
        "type": "object",
        "properties": {
            "server": server,
            "os:scheduler_hints": {"type": "object"},
            "OS-SCH-HNT:scheduler_hints": {"type": "object"}
        },
        "required": ["server"],
        "additionalProperties": false
    })
}

/// `migrations.index_query_*` for the given microversion (None before 2.59:
/// additional properties allowed and every value a list of strings).
/// `schemas/servers.py` `update` (2.1), `update_v219` (description), `update_v290`/`v294`
/// (hostname) and `update_v2104` (pinned_availability_zone).
pub(crate) fn server_update(minor: u16) -> Value {
    let mut props = json!({
        "name": {"type": "string", "minLength": 1, "maxLength": 255},
        "OS-DCF:diskConfig": {"type": "string", "enum": ["AUTO", "MANUAL"]},
        "accessIPv4": {"type": "string", "format": "ipv4"},
        "accessIPv6": {"type": "string", "format": "ipv6"}
    });
    if minor >= 19 {
        props["description"] =
            json!({"type": ["string", "null"], "minLength": 0, "maxLength": 255});
    }
    if minor >= 90 {
        props["hostname"] = json!({"type": "string", "minLength": 1, "maxLength": 255});
    }
    if minor >= 104 {
        props["pinned_availability_zone"] =
            json!({"type": ["string", "null"], "minLength": 1, "maxLength": 255});
    }
    json!({
        "type": "object",
        "properties": {
            "server": {"type": "object", "properties": props, "additionalProperties": false}
        },
        "required": ["server"],
        "additionalProperties": false
    })
}

/// `schemas/servers.py` `JOINED_TABLE_QUERY_PARAMS_SERVERS`: accepted by the schema so
/// that the handler can reject them ("Invalid filter field").
pub(crate) const SERVERS_JOINED_TABLE_PARAMS: &[&str] = &[
    "block_device_mapping",
    "services",
    "metadata",
    "system_metadata",
    "info_cache",
    "security_groups",
    "pci_devices",
];

/// `schemas/servers.py` `index_query` and its 2.26, 2.66, 2.73 and 2.75 versions (for
/// `GET /servers` and `/servers/detail`): extra parameters pass before 2.75; names
/// starting with `_` always pass the schema (the handler rejects them).
pub(crate) fn servers_index_query(minor: u16) -> Value {
    let plain = json!({"type": "array", "items": {"type": "string"}});
    let regex = json!({"type": "array", "items": {"type": "string", "format": "regex"}});
    let time = json!({"type": "array", "items": {"type": "string", "format": "date-time"}});
    let mut props = serde_json::Map::new();
    let mut add = |k: &str, v: &Value| {
        props.insert(k.into(), v.clone());
    };
    for k in [
        "user_id",
        "project_id",
        "tenant_id",
        "launch_index",
        "image_ref",
        "image",
    ] {
        add(k, &plain);
    }
    for k in [
        "kernel_id",
        "ramdisk_id",
        "hostname",
        "key_name",
        "power_state",
    ] {
        add(k, &regex);
    }
    for k in ["vm_state", "task_state", "host"] {
        add(k, &plain);
    }
    for k in [
        "node",
        "flavor",
        "reservation_id",
        "launched_at",
        "terminated_at",
        "availability_zone",
        "name",
        "display_name",
        "description",
        "display_description",
        "locked_by",
    ] {
        add(k, &regex);
    }
    add("uuid", &plain);
    for k in [
        "root_device_name",
        "config_drive",
        "access_ip_v4",
        "access_ip_v6",
        "auto_disk_config",
        "progress",
    ] {
        add(k, &regex);
    }
    // sort_key's enum is not modelled (the mock does not sort servers by key).
    add("sort_key", &plain);
    for k in [
        "sort_dir",
        "all_tenants",
        "soft_deleted",
        "deleted",
        "status",
    ] {
        add(k, &plain);
    }
    add("changes-since", &time);
    for k in ["ip", "ip6", "created_at"] {
        add(k, &regex);
    }
    for k in SERVERS_JOINED_TABLE_PARAMS {
        add(k, &plain);
    }
    add(
        "limit",
        &json!({"type": "array", "items": {"type": ["integer", "string"], "pattern": "^[0-9]*$", "minimum": 0, "minLength": 1}}),
    );
    add("marker", &plain);
    if minor >= 26 {
        for k in ["tags", "tags-any", "not-tags", "not-tags-any"] {
            add(k, &regex);
        }
    }
    if minor >= 66 {
        add("changes-before", &time);
    }
    if minor >= 73 {
        add("locked", &plain);
    }
    json!({
        "type": "object",
        "properties": props,
        "additionalProperties": minor < 75,
        "patternProperties": {"^_": plain}
    })
}

pub(crate) fn migrations_query(minor: u16) -> Value {
    let multi = json!({"type": "array", "items": {"type": "string"}});
    let single = |s: Value| json!({"type": "array", "items": s, "maxItems": 1});
    let mut props = serde_json::Map::new();
    for k in [
        "hidden",
        "host",
        "instance_uuid",
        "source_compute",
        "status",
        "migration_type",
    ] {
        props.insert(k.into(), multi.clone());
    }
    if minor < 59 {
        return json!({"type": "object", "properties": props, "additionalProperties": true});
    }
    props.insert(
        "limit".into(),
        single(json!({"type": ["integer", "string"], "pattern": "^[0-9]*$", "minimum": 0, "minLength": 1})),
    );
    props.insert("marker".into(), single(json!({"type": "string"})));
    props.insert(
        "changes-since".into(),
        single(json!({"type": "string", "format": "date-time"})),
    );
    if minor >= 66 {
        props.insert(
            "changes-before".into(),
            single(json!({"type": "string", "format": "date-time"})),
        );
    }
    if minor >= 80 {
        props.insert("user_id".into(), single(json!({"type": "string"})));
        props.insert("project_id".into(), single(json!({"type": "string"})));
    }
    json!({"type": "object", "properties": props, "additionalProperties": false})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compute::pipeline::schema::validator::validate_body;

    fn detail(schema: &Value, body: Value) -> String {
        validate_body(schema, &body).unwrap_err().detail
    }

    #[test]
    fn reference_messages() {
        let s = migrate_v256();
        assert_eq!(
            detail(s, json!({"migrate": {"host": "h", "force": false}})),
            "Invalid input for field/attribute migrate. Value: {'host': 'h', 'force': False}. Additional properties are not allowed ('force' was unexpected)"
        );
        assert_eq!(
            detail(s, json!({"migrate": {"host": "bad host!"}})),
            "Invalid input for field/attribute host. Value: bad host!. 'bad host!' does not match '^[a-zA-Z0-9-._]*$'"
        );
        assert_eq!(
            detail(s, json!({"migrate": {"host": ""}})),
            "Invalid input for field/attribute host. Value: . '' should be non-empty"
        );
        assert_eq!(
            detail(s, json!({"migrate": {"host": 123}})),
            "Invalid input for field/attribute host. Value: 123. 123 is not of type 'string', 'null'"
        );
        assert_eq!(
            detail(s, json!({"migrate": "x"})),
            "Invalid input for field/attribute migrate. Value: x. 'x' is not of type 'object', 'null'"
        );
        let long = "a".repeat(256);
        assert_eq!(
            detail(s, json!({"migrate": {"host": long.clone()}})),
            format!("Invalid input for field/attribute host. Value: {long}. '{long}' is too long")
        );
        assert!(validate_body(s, &json!({"migrate": null})).is_ok());
        assert!(validate_body(s, &json!({"migrate": {}})).is_ok());
        assert!(validate_body(s, &json!({"migrate": {"host": null}})).is_ok());
    }

    #[test]
    fn boolean_parameter() {
        // `parameter_types.boolean` (live-migrate's block_migration, disk_over_commit and
        // force): a JSON boolean or one of oslo's boolean strings, nothing else.
        let s = json!({"type": "object", "properties": {"force": boolean()}});
        for v in [
            json!(true),
            json!(false),
            json!("yes"),
            json!("OFF"),
            json!("0"),
        ] {
            assert_eq!(validate_body(&s, &json!({ "force": v })), Ok(()), "{v}");
        }
        assert_eq!(
            detail(&s, json!({"force": "y"})),
            "Invalid input for field/attribute force. Value: y. 'y' is not one of [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no']"
        );
        assert_eq!(
            detail(&s, json!({"force": 1})),
            "Invalid input for field/attribute force. Value: 1. 1 is not of type 'boolean', 'string'"
        );
        assert_eq!(
            detail(&s, json!({"force": null})),
            "Invalid input for field/attribute force. Value: None. None is not of type 'boolean', 'string'"
        );
    }

    #[test]
    fn boolean_value_reads_each_accepted_form() {
        // The 22 values `parameter_types.boolean` accepts: the first 11 mean true. Null (the
        // pike spec's `force`) means false.
        let read: Vec<bool> = boolean()["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(boolean_value)
            .collect();
        assert_eq!(read, [[true; 11], [false; 11]].concat());
        assert!(!boolean_value(&json!(null)));
    }

    #[test]
    fn pike_schema() {
        let s = migrate_pike_v256();
        assert_eq!(
            detail(s, json!({"migrate": {}})),
            "Invalid input for field/attribute migrate. Value: {}. 'host' is a required property"
        );
        assert!(validate_body(s, &json!({"migrate": {"host": null, "force": false}})).is_ok());
        assert!(validate_body(s, &json!({"migrate": {"host": "compute2", "force": true}})).is_ok());
        assert!(detail(s, json!({"migrate": {"host": "h", "force": "x"}})).starts_with(
            "Invalid input for field/attribute force. Value: x. 'x' is not one of [True, 'True'"
        ));
    }
}
