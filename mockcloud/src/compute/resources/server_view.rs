//! Nova's server view builder (`views/servers.py`): the fields of a server per
//! microversion and role, in Nova's key order.

use crate::clock::{isotime, naive_iso};
use crate::compute::pipeline::context::Ctx;
use crate::state::model::{Server, TaskState, VmState};
use crate::state::store::State;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Value};
use sha2::{Digest, Sha224};

/// An ordered JSON object with static keys: the detailed server view is built on
/// every GET, so it avoids allocating ~50 key strings per response.
#[derive(Debug, Default)]
pub(crate) struct Fields(Vec<(&'static str, Value)>);

impl Fields {
    fn insert(&mut self, k: &'static str, v: Value) {
        self.0.push((k, v));
    }

    pub fn into_value(self) -> Value {
        Value::Object(
            self.0
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }
}

impl Serialize for Fields {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// `common.status_from_state`.
pub(crate) fn status(vm: VmState, task: Option<TaskState>) -> &'static str {
    use TaskState::*;
    match vm {
        VmState::Active => match task {
            Some(ResizePrep | ResizeMigrating | ResizeMigrated | ResizeFinish) => "RESIZE",
            Some(Migrating) => "MIGRATING",
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
        VmState::Paused => match task {
            Some(Migrating) => "MIGRATING",
            _ => "PAUSED",
        },
        VmState::Suspended => "SUSPENDED",
        VmState::Error => "ERROR",
        VmState::Deleted => "DELETED",
    }
}

/// `utils.generate_hostid`.
pub(crate) fn host_id(host: Option<&str>, project_id: &str) -> String {
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
pub(crate) fn basic(ctx: &Ctx, s: &Server) -> Value {
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
pub(crate) enum Mode {
    Show,
    Detail,
}

/// `GET /servers/{id}` and `/servers/detail` entry.
pub(crate) fn show(ctx: &Ctx, st: &State, s: &Server, mode: Mode) -> Fields {
    let admin = ctx.is_admin();
    let id = s.uuid.to_string();
    let status = status(s.vm_state, s.task_state);
    let mut m = Fields(Vec::with_capacity(48));
    m.insert("accessIPv4", json!(""));
    m.insert("accessIPv6", json!(""));
    m.insert("addresses", json!({}));
    m.insert("created", json!(isotime(&s.created_at)));
    let flavor = if ctx.at_least(47) {
        json!({
            "vcpus": s.flavor.vcpus, "ram": s.flavor.ram, "disk": s.flavor.disk,
            "ephemeral": s.flavor.ephemeral, "swap": s.flavor.swap, "original_name": s.flavor.name,
            "extra_specs": s.flavor.extra_specs
        })
    } else {
        json!({"id": s.flavor.id, "links": [{"rel": "bookmark", "href": format!("{}/flavors/{}", ctx.base, s.flavor.id)}]})
    };
    m.insert("flavor", flavor);
    m.insert("hostId", json!(host_id(s.host.as_deref(), &s.project_id)));
    m.insert("id", json!(id));
    let mut image = json!({"id": s.image_ref, "links": [{"rel": "bookmark", "href": format!("{}/images/{}", ctx.base, s.image_ref)}]});
    if ctx.at_least(98) {
        image["properties"] = json!({});
    }
    m.insert(
        "image",
        if s.image_ref.is_empty() {
            json!("")
        } else {
            image
        },
    );
    m.insert("links", links(ctx, "servers", &id));
    m.insert("metadata", json!(s.metadata));
    m.insert("name", json!(s.name));
    m.insert("status", json!(status));
    m.insert("tenant_id", json!(s.project_id));
    m.insert("user_id", json!(s.user_id));
    m.insert("updated", json!(isotime(&s.updated_at)));
    m.insert("OS-DCF:diskConfig", json!("MANUAL"));
    if status == "ERROR" {
        if let Some(f) = &s.fault {
            let mut fault =
                json!({"code": f.code, "created": isotime(&f.created), "message": f.message});
            if admin {
                fault["details"] = json!(f.details);
            }
            m.insert("fault", fault);
        }
    }
    if matches!(
        status,
        "ACTIVE" | "BUILD" | "REBUILD" | "RESIZE" | "VERIFY_RESIZE" | "MIGRATING"
    ) {
        m.insert("progress", json!(s.progress));
    }
    m.insert(
        "OS-EXT-AZ:availability_zone",
        json!(s.availability_zone.clone().unwrap_or_else(|| "nova".into())),
    );
    m.insert("config_drive", json!(""));
    m.insert("key_name", json!(s.key_name));
    m.insert(
        "OS-SRV-USG:launched_at",
        json!(s.launched_at.as_ref().map(naive_iso)),
    );
    m.insert("OS-SRV-USG:terminated_at", Value::Null);
    if admin {
        let host = s.host.clone();
        m.insert("OS-EXT-SRV-ATTR:host", json!(host));
        m.insert(
            "OS-EXT-SRV-ATTR:instance_name",
            json!(format!("instance-{:08x}", s.seq)),
        );
        m.insert("OS-EXT-SRV-ATTR:hypervisor_hostname", json!(host));
        if ctx.at_least(3) {
            m.insert("OS-EXT-SRV-ATTR:hostname", json!(hostname(&s.name)));
            m.insert("OS-EXT-SRV-ATTR:kernel_id", json!(""));
            m.insert("OS-EXT-SRV-ATTR:launch_index", json!(0));
            m.insert("OS-EXT-SRV-ATTR:ramdisk_id", json!(""));
            m.insert("OS-EXT-SRV-ATTR:reservation_id", json!(s.reservation_id));
            m.insert("OS-EXT-SRV-ATTR:root_device_name", json!("/dev/vda"));
            m.insert("OS-EXT-SRV-ATTR:user_data", Value::Null);
        }
    }
    m.insert(
        "OS-EXT-STS:task_state",
        json!(s.task_state.map(|t| t.as_str())),
    );
    m.insert("OS-EXT-STS:vm_state", json!(s.vm_state.as_str()));
    m.insert("OS-EXT-STS:power_state", json!(s.power_state));
    m.insert("os-extended-volumes:volumes_attached", json!([]));
    if ctx.at_least(9) {
        m.insert("locked", json!(s.locked_by.is_some()));
    }
    if ctx.at_least(16) && admin {
        m.insert("host_status", json!(host_status(st, s)));
    }
    if ctx.at_least(19) {
        m.insert("description", json!(s.description));
    }
    if ctx.at_least(26) {
        m.insert("tags", json!(s.tags));
    }
    if ctx.at_least(63) {
        m.insert("trusted_image_certificates", Value::Null);
    }
    if ctx.at_least(71) && mode == Mode::Show {
        m.insert("server_groups", json!([]));
    }
    if ctx.at_least(73) {
        m.insert("locked_reason", json!(s.locked_reason));
    }
    if ctx.at_least(90) && !admin {
        m.insert("OS-EXT-SRV-ATTR:hostname", json!(hostname(&s.name)));
    }
    if ctx.at_least(96) {
        m.insert("pinned_availability_zone", Value::Null);
    }
    if ctx.at_least(100) {
        m.insert("scheduler_hints", json!({}));
    }
    m
}

/// Nova's `utils.sanitize_hostname` (simplified: lowercase, [a-z0-9-], max 63).
pub(crate) fn hostname(name: &str) -> String {
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
