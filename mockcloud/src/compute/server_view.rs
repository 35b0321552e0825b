//! Nova's server view builder (`views/servers.py`): the fields of a server per
//! microversion and role, in Nova's key order.

use super::context::Ctx;
use crate::clock::{isotime, naive_iso};
use crate::state::model::{Server, TaskState, VmState};
use crate::state::store::State;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha224};

/// `common.status_from_state`.
pub fn status(vm: VmState, task: Option<TaskState>) -> &'static str {
    use TaskState::*;
    match vm {
        VmState::Active => match task {
            Some(ResizePrep | ResizeMigrating | ResizeMigrated | ResizeFinish) => "RESIZE",
            _ => "ACTIVE",
        },
        VmState::Building => "BUILD",
        VmState::Stopped => match task {
            Some(ResizePrep | ResizeMigrating | ResizeMigrated | ResizeFinish) => "RESIZE",
            _ => "SHUTOFF",
        },
        VmState::Resized => match task {
            Some(ResizeReverting) => "REVERT_RESIZE",
            _ => "VERIFY_RESIZE",
        },
        VmState::Paused => "PAUSED",
        VmState::Suspended => "SUSPENDED",
        VmState::Error => "ERROR",
        VmState::Deleted => "DELETED",
    }
}

/// `utils.generate_hostid`.
pub fn host_id(host: Option<&str>, project_id: &str) -> String {
    match host {
        Some(h) if !h.is_empty() => {
            hex::encode(Sha224::digest(format!("{project_id}{h}").as_bytes()))
        }
        _ => String::new(),
    }
}

fn links(ctx: &Ctx, collection: &str, id: &str) -> Value {
    json!([
        {"rel": "self", "href": format!("{}/v2.1/{collection}/{id}", ctx.base)},
        {"rel": "bookmark", "href": format!("{}/{collection}/{id}", ctx.base)}
    ])
}

/// `GET /servers` entry.
pub fn basic(ctx: &Ctx, s: &Server) -> Value {
    let id = s.uuid.to_string();
    json!({"id": id, "name": s.name, "links": links(ctx, "servers", &id)})
}

/// `compute_api.get_instance_host_status`.
fn host_status(st: &State, s: &Server) -> &'static str {
    let Some(h) = s.host.as_deref().and_then(|h| st.hosts.get(h)) else {
        return "";
    };
    if !h.is_up() {
        "DOWN"
    } else if !h.enabled {
        "MAINTENANCE"
    } else {
        "UP"
    }
}

/// Which variant of the detailed view.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Show,
    Detail,
}

/// `GET /servers/{id}` and `/servers/detail` entry.
pub fn show(ctx: &Ctx, st: &State, s: &Server, mode: Mode) -> Value {
    let admin = ctx.is_admin();
    let id = s.uuid.to_string();
    let status = status(s.vm_state, s.task_state);
    let mut m = Map::new();
    m.insert("accessIPv4".into(), json!(""));
    m.insert("accessIPv6".into(), json!(""));
    m.insert("addresses".into(), json!({}));
    m.insert("created".into(), json!(isotime(&s.created_at)));
    let flavor = if ctx.at_least(47) {
        json!({
            "vcpus": s.flavor.vcpus, "ram": s.flavor.ram, "disk": s.flavor.disk,
            "ephemeral": s.flavor.ephemeral, "swap": s.flavor.swap, "original_name": s.flavor.name,
            "extra_specs": s.flavor.extra_specs
        })
    } else {
        json!({"id": s.flavor.id, "links": [{"rel": "bookmark", "href": format!("{}/flavors/{}", ctx.base, s.flavor.id)}]})
    };
    m.insert("flavor".into(), flavor);
    m.insert(
        "hostId".into(),
        json!(host_id(s.host.as_deref(), &s.project_id)),
    );
    m.insert("id".into(), json!(id));
    let mut image = json!({"id": s.image_ref, "links": [{"rel": "bookmark", "href": format!("{}/images/{}", ctx.base, s.image_ref)}]});
    if ctx.at_least(98) {
        image["properties"] = json!({});
    }
    m.insert(
        "image".into(),
        if s.image_ref.is_empty() {
            json!("")
        } else {
            image
        },
    );
    m.insert("links".into(), links(ctx, "servers", &id));
    m.insert("metadata".into(), json!(s.metadata));
    m.insert("name".into(), json!(s.name));
    m.insert("status".into(), json!(status));
    m.insert("tenant_id".into(), json!(s.project_id));
    m.insert("user_id".into(), json!(s.user_id));
    m.insert("updated".into(), json!(isotime(&s.updated_at)));
    m.insert("OS-DCF:diskConfig".into(), json!("MANUAL"));
    if status == "ERROR" {
        if let Some(f) = &s.fault {
            let mut fault =
                json!({"code": f.code, "created": isotime(&f.created), "message": f.message});
            if admin {
                fault["details"] = json!(f.details);
            }
            m.insert("fault".into(), fault);
        }
    }
    if matches!(
        status,
        "ACTIVE" | "BUILD" | "REBUILD" | "RESIZE" | "VERIFY_RESIZE" | "MIGRATING"
    ) {
        m.insert("progress".into(), json!(s.progress));
    }
    m.insert(
        "OS-EXT-AZ:availability_zone".into(),
        json!(s.availability_zone.clone().unwrap_or_else(|| "nova".into())),
    );
    m.insert("config_drive".into(), json!(""));
    m.insert("key_name".into(), json!(s.key_name));
    m.insert(
        "OS-SRV-USG:launched_at".into(),
        json!(s.launched_at.as_ref().map(naive_iso)),
    );
    m.insert("OS-SRV-USG:terminated_at".into(), Value::Null);
    if admin {
        let host = s.host.clone();
        m.insert("OS-EXT-SRV-ATTR:host".into(), json!(host));
        m.insert(
            "OS-EXT-SRV-ATTR:instance_name".into(),
            json!(format!("instance-{:08x}", s.seq)),
        );
        m.insert("OS-EXT-SRV-ATTR:hypervisor_hostname".into(), json!(host));
        if ctx.at_least(3) {
            m.insert("OS-EXT-SRV-ATTR:hostname".into(), json!(hostname(&s.name)));
            m.insert("OS-EXT-SRV-ATTR:kernel_id".into(), json!(""));
            m.insert("OS-EXT-SRV-ATTR:launch_index".into(), json!(0));
            m.insert("OS-EXT-SRV-ATTR:ramdisk_id".into(), json!(""));
            m.insert(
                "OS-EXT-SRV-ATTR:reservation_id".into(),
                json!(s.reservation_id),
            );
            m.insert("OS-EXT-SRV-ATTR:root_device_name".into(), json!("/dev/vda"));
            m.insert("OS-EXT-SRV-ATTR:user_data".into(), Value::Null);
        }
    }
    m.insert(
        "OS-EXT-STS:task_state".into(),
        json!(s.task_state.map(|t| t.as_str())),
    );
    m.insert("OS-EXT-STS:vm_state".into(), json!(s.vm_state.as_str()));
    m.insert("OS-EXT-STS:power_state".into(), json!(s.power_state));
    m.insert("os-extended-volumes:volumes_attached".into(), json!([]));
    if ctx.at_least(9) {
        m.insert("locked".into(), json!(s.locked_by.is_some()));
    }
    if ctx.at_least(16) && admin {
        m.insert("host_status".into(), json!(host_status(st, s)));
    }
    if ctx.at_least(19) {
        m.insert("description".into(), json!(s.description));
    }
    if ctx.at_least(26) {
        m.insert("tags".into(), json!(s.tags));
    }
    if ctx.at_least(63) {
        m.insert("trusted_image_certificates".into(), Value::Null);
    }
    if ctx.at_least(71) && mode == Mode::Show {
        m.insert("server_groups".into(), json!([]));
    }
    if ctx.at_least(73) {
        m.insert("locked_reason".into(), json!(s.locked_reason));
    }
    if ctx.at_least(90) && !admin {
        m.insert("OS-EXT-SRV-ATTR:hostname".into(), json!(hostname(&s.name)));
    }
    if ctx.at_least(96) {
        m.insert("pinned_availability_zone".into(), Value::Null);
    }
    if ctx.at_least(100) {
        m.insert("scheduler_hints".into(), json!({}));
    }
    Value::Object(m)
}

/// Nova's `utils.sanitize_hostname` (simplified: lowercase, [a-z0-9-], max 63).
pub fn hostname(name: &str) -> String {
    let mut out: String = name
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else if c == ' ' || c == '_' || c == '.' {
                '-'
            } else {
                '\0'
            }
        })
        .filter(|c| *c != '\0')
        .collect();
    out = out.trim_matches('-').to_string();
    out.truncate(63);
    if out.is_empty() {
        "server".into()
    } else {
        out
    }
}
