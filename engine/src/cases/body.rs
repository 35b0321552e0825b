//! Rendering a case's request body from its variant and the fixed values in
//! `fixtures/bodies/values.toml`.
use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::SuiteError;
use crate::variant::{BlockMigration, BodyShape, DiskOverCommit, ForceVariant, HostVariant};

const VALUES_TOML: &str = include_str!("../../../fixtures/bodies/values.toml");

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum FixtureValue {
    Repeat { repeat: String, count: usize },
    Plain(toml::Value),
}

impl FixtureValue {
    fn to_json(&self) -> Result<Value, SuiteError> {
        match self {
            Self::Repeat { repeat, count } => Ok(Value::String(repeat.repeat(*count))),
            Self::Plain(v) => {
                serde_json::to_value(v).map_err(|e| SuiteError::Fixture(e.to_string()))
            }
        }
    }
}

#[derive(Debug, Deserialize)]
struct ValuesFile {
    host: BTreeMap<String, FixtureValue>,
    force: BTreeMap<String, FixtureValue>,
    shape: BTreeMap<String, String>,
}

/// The fixed values of the body variants.
#[derive(Debug, Clone)]
pub(crate) struct BodyValues {
    host: BTreeMap<String, Value>,
    force: BTreeMap<String, Value>,
    shape: BTreeMap<String, String>,
}

/// Host names that depend on the target and the server under test.
#[derive(Debug, Clone, Default)]
pub(crate) struct HostNames {
    pub own: Option<String>,
    pub other: Option<String>,
    pub disabled: Option<String>,
    pub no_capacity: Option<String>,
}

/// A rendered body: bytes to send, and the requested host name (for messages and end-state
/// checks) when the body names one.
/// A body names a kind of host the target does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("target has no {what}")]
pub(crate) struct MissingHost {
    /// `second enabled compute host`, `disabled compute host`...
    pub what: &'static str,
}

#[derive(Debug, Clone)]
pub(crate) struct RenderedBody {
    pub bytes: Vec<u8>,
    pub host: Option<String>,
}

impl BodyValues {
    /// The values bundled with the suite.
    pub(crate) fn bundled() -> Result<Self, SuiteError> {
        Self::parse(VALUES_TOML)
    }

    pub(crate) fn parse(text: &str) -> Result<Self, SuiteError> {
        let file: ValuesFile = toml::from_str(text)
            .map_err(|e| SuiteError::Fixture(format!("bodies/values.toml: {e}")))?;
        let conv =
            |m: BTreeMap<String, FixtureValue>| -> Result<BTreeMap<String, Value>, SuiteError> {
                m.into_iter().map(|(k, v)| Ok((k, v.to_json()?))).collect()
            };
        let values = Self {
            host: conv(file.host)?,
            force: conv(file.force)?,
            shape: file.shape,
        };
        // Fail at load, not mid-run, if a variant has no value.
        for h in [
            HostVariant::Unknown,
            HostVariant::InvalidChars,
            HostVariant::Empty,
            HostVariant::TooLong,
            HostVariant::NonString,
        ] {
            if !values.host.contains_key(h.as_str()) {
                return Err(SuiteError::Fixture(format!(
                    "bodies/values.toml: no value for host {h}"
                )));
            }
        }
        for f in [
            ForceVariant::NonBoolean,
            ForceVariant::StringTrue,
            ForceVariant::StringFalse,
        ] {
            if !values.force.contains_key(f.as_str()) {
                return Err(SuiteError::Fixture(format!(
                    "bodies/values.toml: no value for force {f}"
                )));
            }
        }
        for o in crate::variant::OtherBody::ALL {
            let text = values.shape.get(o.as_str()).ok_or_else(|| {
                SuiteError::Fixture(format!("bodies/values.toml: no body for shape {o}"))
            })?;
            serde_json::from_str::<Value>(text)
                .map_err(|e| SuiteError::Fixture(format!("bodies/values.toml: shape {o}: {e}")))?;
        }
        Ok(values)
    }

    /// Renders `body`; `Err` when the target lacks what the variant needs (a Skip, its
    /// reason the error's text).
    pub(crate) fn render(
        &self,
        body: &BodyShape,
        hosts: &HostNames,
    ) -> Result<RenderedBody, MissingHost> {
        match body {
            BodyShape::Other(o) => Ok(RenderedBody {
                bytes: self.shape[o.as_str()].clone().into_bytes(),
                host: None,
            }),
            BodyShape::Migrate { host, force } => {
                let mut inner = Map::new();
                let requested = self.host_force(&mut inner, *host, *force, hosts)?;
                let mut outer = Map::new();
                outer.insert("migrate".into(), Value::Object(inner));
                Ok(RenderedBody {
                    bytes: serde_json::to_vec(&Value::Object(outer))
                        .expect("a JSON value serializes"),
                    host: requested,
                })
            }
            BodyShape::Live {
                host,
                force,
                block,
                disk,
            } => {
                // Members in the order the API reference lists them; jsonschema's message
                // quotes the dict in request order and the oracle's patterns allow any order.
                let mut inner = Map::new();
                let requested = self.host_force(&mut inner, *host, ForceVariant::Absent, hosts)?;
                let b = match block {
                    BlockMigration::Absent => None,
                    BlockMigration::True => Some(Value::Bool(true)),
                    BlockMigration::False => Some(Value::Bool(false)),
                    BlockMigration::Auto => Some(Value::String("auto".into())),
                    // Not a boolean string and not "auto": the same value as force's.
                    BlockMigration::Invalid => Some(self.force["non-boolean"].clone()),
                };
                if let Some(v) = b {
                    inner.insert("block_migration".into(), v);
                }
                let d = match disk {
                    DiskOverCommit::Absent => None,
                    DiskOverCommit::True => Some(Value::Bool(true)),
                    DiskOverCommit::False => Some(Value::Bool(false)),
                };
                if let Some(v) = d {
                    inner.insert("disk_over_commit".into(), v);
                }
                if let Some(v) = self.force_value(*force) {
                    inner.insert("force".into(), v);
                }
                let mut outer = Map::new();
                outer.insert("os-migrateLive".into(), Value::Object(inner));
                Ok(RenderedBody {
                    bytes: serde_json::to_vec(&Value::Object(outer))
                        .expect("a JSON value serializes"),
                    host: requested,
                })
            }
        }
    }

    /// The `force` member's value (`None`: left out).
    fn force_value(&self, force: ForceVariant) -> Option<Value> {
        match force {
            ForceVariant::Absent => None,
            ForceVariant::Null => Some(Value::Null),
            ForceVariant::True => Some(Value::Bool(true)),
            ForceVariant::False => Some(Value::Bool(false)),
            ForceVariant::NonBoolean | ForceVariant::StringTrue | ForceVariant::StringFalse => {
                Some(self.force[force.as_str()].clone())
            }
        }
    }

    /// Inserts `host` and `force` into `inner`; the requested host name, if the body names
    /// one. `Err` when the target lacks the host the variant needs.
    fn host_force(
        &self,
        inner: &mut Map<String, Value>,
        host: HostVariant,
        force: ForceVariant,
        hosts: &HostNames,
    ) -> Result<Option<String>, MissingHost> {
        let named = |v: &Option<String>, what: &'static str| {
            v.clone().map(Value::String).ok_or(MissingHost { what })
        };
        let host_value = match host {
            HostVariant::Absent => None,
            HostVariant::Null => Some(Value::Null),
            HostVariant::Other => Some(named(&hosts.other, "second enabled compute host")?),
            HostVariant::Own => Some(named(&hosts.own, "host for the server")?),
            HostVariant::Disabled => Some(named(&hosts.disabled, "disabled compute host")?),
            HostVariant::NoCapacity => {
                Some(named(&hosts.no_capacity, "compute host without capacity")?)
            }
            fixed => Some(self.host[fixed.as_str()].clone()),
        };
        let requested = match &host_value {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        if let Some(v) = host_value {
            inner.insert("host".into(), v);
        }
        if let Some(v) = self.force_value(force) {
            inner.insert("force".into(), v);
        }
        Ok(requested)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_body() {
        let values = BodyValues::bundled().unwrap();
        let hosts = HostNames {
            own: Some("c1".into()),
            other: Some("c2".into()),
            ..Default::default()
        };
        let b = values
            .render(
                &BodyShape::Migrate {
                    host: HostVariant::Other,
                    force: ForceVariant::True,
                },
                &hosts,
            )
            .unwrap();
        assert_eq!(
            String::from_utf8(b.bytes).unwrap(),
            r#"{"migrate":{"host":"c2","force":true}}"#
        );
        assert_eq!(b.host.as_deref(), Some("c2"));
        let b = values
            .render(
                &BodyShape::Migrate {
                    host: HostVariant::Absent,
                    force: ForceVariant::Absent,
                },
                &hosts,
            )
            .unwrap();
        assert_eq!(b.bytes, br#"{"migrate":{}}"#);
        let b = values
            .render(
                &BodyShape::Migrate {
                    host: HostVariant::TooLong,
                    force: ForceVariant::Absent,
                },
                &hosts,
            )
            .unwrap();
        assert_eq!(b.host.unwrap().len(), 256);
        let err = values
            .render(
                &BodyShape::Migrate {
                    host: HostVariant::Disabled,
                    force: ForceVariant::Absent,
                },
                &hosts,
            )
            .unwrap_err();
        assert!(err.to_string().contains("disabled"));
        for body in BodyShape::all() {
            let full = HostNames {
                own: Some("a".into()),
                other: Some("b".into()),
                disabled: Some("c".into()),
                no_capacity: Some("d".into()),
            };
            let r = values.render(&body, &full).unwrap();
            serde_json::from_slice::<Value>(&r.bytes).unwrap();
        }
    }
}
