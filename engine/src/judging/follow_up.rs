//! The steps the follow-through records after an accepted migrate, as typed facts.
//!
//! Each step has one line of text ([`std::fmt::Display`]) that the reports print and the JSON
//! report holds (`follow_up`: an array of strings, docs/report-schema.md); the text parses back
//! ([`std::str::FromStr`]) so a recorded report reads as the same facts. `fidelity` compares the
//! facts themselves: the migration record field by field, the other steps as a sequence.
use std::fmt;
use std::str::FromStr;

use serde_json::Value;

use crate::expectation::EndState;

/// One step of the follow-through.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FollowUp {
    /// `settled: <end>`: where the server ended once out of its transitional states.
    Settled(Ended),
    /// `migration: <record>`: the newest `os-migrations` record of the server.
    Migration(MigrationFact),
    /// `confirmResize: ACTIVE on the destination host`: the confirm or revert and where the
    /// server ended after it.
    Resized {
        action: ResizeAction,
        status: String,
        host: HostRole,
    },
}

/// Where a server ended after the migrate (the report's `observed.end`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ended {
    /// VERIFY_RESIZE, on this host.
    VerifyResize(ResizeHost),
    /// Back to its status on its source host with the migration in `error`.
    AsyncFailure,
    /// Back to its status on its source host with no failed migration.
    Unchanged,
    /// Live-migrated: its status as before (ACTIVE or PAUSED), on this host.
    LiveMigrated(LiveHost),
    /// Back to its status on its source host with the live migration in `error`.
    LiveFailure,
    /// Back to its status on its source host with no failed live migration.
    LiveUnchanged,
    /// Another status (one no expectation describes), on another host or the source host.
    Other { status: String, moved: bool },
}

/// The host of a server in VERIFY_RESIZE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResizeHost {
    /// Another host than the source (no host requested, or the expectation allows any).
    Other,
    /// The host the body named.
    Requested,
    /// Another host than the source and than the one the body named.
    OtherThanRequested,
    /// Its source host.
    Source,
}

/// The host a live-migrated server is on (never its source: a server that did not move is
/// [`Ended::LiveFailure`], [`Ended::LiveUnchanged`] or [`Ended::Other`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LiveHost {
    /// Another host than the source (no host requested, or the expectation allows any).
    Other,
    /// The host the body named.
    Requested,
    /// Another host than the source and than the one the body named.
    OtherThanRequested,
}

/// `confirmResize` or `revertResize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResizeAction {
    Confirm,
    Revert,
}

/// Which host a server is on, relative to the migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HostRole {
    Source,
    Destination,
    Other,
}

/// What `GET /os-migrations` showed of the server's migration.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MigrationFact {
    /// No record.
    None,
    /// A record that is not a JSON object, as its JSON text.
    NotAnObject(String),
    Record(MigrationRecord),
}

/// A migration record reduced to what is the same on every run of the same behaviour: the
/// values that do not vary between runs, host names as their part, ids and times left out.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MigrationRecord {
    pub status: RecordValue,
    pub migration_type: RecordValue,
    pub source_compute: RecordValue,
    pub source_node: RecordValue,
    pub dest_compute: RecordValue,
    pub dest_node: RecordValue,
    pub dest_host: RecordValue,
    pub flavors: Flavors,
    /// The record's field names, sorted.
    pub fields: Vec<String>,
}

/// One field of a [`MigrationRecord`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RecordValue {
    Absent,
    Null,
    /// The server's source host.
    Source,
    /// The host the server ended on.
    Destination,
    /// An IP address: `dest_host` is the destination's address (Nova: the compute's
    /// `my_ip`), which is the deployment's, not the API's behaviour.
    IpAddress,
    /// Any other value: a string's text, or the JSON of another type.
    Value(String),
}

/// `old_instance_type_id` against `new_instance_type_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flavors {
    Same,
    Different,
    /// One of them (or both) is missing.
    Absent,
}

/// The record's fields in the order its text gives them.
const RECORD_KEYS: [&str; 7] = [
    "status",
    "migration_type",
    "source_compute",
    "source_node",
    "dest_compute",
    "dest_node",
    "dest_host",
];

impl MigrationFact {
    /// The fact of record `m` (a migration of a server from `source` that ended on `dest`).
    pub fn of(m: &Value, source: &str, dest: &str) -> Self {
        let Some(obj) = m.as_object() else {
            return Self::NotAnObject(m.to_string());
        };
        let mut fields: Vec<String> = obj.keys().cloned().collect();
        fields.sort_unstable();
        let value = |k: &str| match obj.get(k) {
            None => RecordValue::Absent,
            Some(Value::Null) => RecordValue::Null,
            Some(Value::String(v)) if v == source => RecordValue::Source,
            Some(Value::String(v)) if v == dest => RecordValue::Destination,
            Some(Value::String(v)) if v.parse::<std::net::IpAddr>().is_ok() => {
                RecordValue::IpAddress
            }
            Some(Value::String(v)) => RecordValue::Value(v.clone()),
            Some(other) => RecordValue::Value(other.to_string()),
        };
        let flavors = match (
            obj.get("old_instance_type_id"),
            obj.get("new_instance_type_id"),
        ) {
            (Some(a), Some(b)) if a == b => Flavors::Same,
            (Some(_), Some(_)) => Flavors::Different,
            _ => Flavors::Absent,
        };
        Self::Record(MigrationRecord {
            status: value("status"),
            migration_type: value("migration_type"),
            source_compute: value("source_compute"),
            source_node: value("source_node"),
            dest_compute: value("dest_compute"),
            dest_node: value("dest_node"),
            dest_host: value("dest_host"),
            flavors,
            fields,
        })
    }
}

impl MigrationRecord {
    fn values(&self) -> [&RecordValue; 7] {
        [
            &self.status,
            &self.migration_type,
            &self.source_compute,
            &self.source_node,
            &self.dest_compute,
            &self.dest_node,
            &self.dest_host,
        ]
    }
}

impl Ended {
    /// The end state this stands for; `None` for one no expectation describes (VERIFY_RESIZE
    /// on the source host, another status).
    pub fn class(&self) -> Option<EndState> {
        match self {
            Self::VerifyResize(ResizeHost::Other | ResizeHost::OtherThanRequested) => {
                Some(EndState::VerifyResizeOnOther)
            }
            Self::VerifyResize(ResizeHost::Requested) => Some(EndState::VerifyResizeOnRequested),
            Self::VerifyResize(ResizeHost::Source) | Self::Other { .. } => None,
            Self::AsyncFailure | Self::LiveFailure => Some(EndState::AsyncFailure),
            Self::Unchanged | Self::LiveUnchanged => Some(EndState::Unchanged),
            Self::LiveMigrated(LiveHost::Requested) => Some(EndState::LiveOnRequested),
            Self::LiveMigrated(LiveHost::Other | LiveHost::OtherThanRequested) => {
                Some(EndState::LiveOnOther)
            }
        }
    }
}

impl ResizeAction {
    /// The action's name in the request body.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Confirm => "confirmResize",
            Self::Revert => "revertResize",
        }
    }
}

impl HostRole {
    /// `source`, `destination` or `other`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Source => "source",
            Self::Destination => "destination",
            Self::Other => "other",
        }
    }
}

impl Flavors {
    fn as_str(&self) -> &'static str {
        match self {
            Self::Same => "same",
            Self::Different => "different",
            Self::Absent => "absent",
        }
    }
}

impl fmt::Display for FollowUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Settled(e) => write!(f, "settled: {e}"),
            Self::Migration(m) => write!(f, "migration: {m}"),
            Self::Resized {
                action,
                status,
                host,
            } => write!(
                f,
                "{}: {status} on the {} host",
                action.name(),
                host.as_str()
            ),
        }
    }
}

impl fmt::Display for Ended {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::VerifyResize(h) => f.write_str(match h {
                ResizeHost::Other => "VERIFY_RESIZE on another host",
                ResizeHost::Requested => "VERIFY_RESIZE on the requested host",
                ResizeHost::OtherThanRequested => {
                    "VERIFY_RESIZE on another host than the requested one"
                }
                ResizeHost::Source => "VERIFY_RESIZE on the source host",
            }),
            Self::AsyncFailure => {
                f.write_str("async failure: migration error, server back on its source host")
            }
            Self::Unchanged => f.write_str("unchanged, no failed migration"),
            Self::LiveMigrated(h) => f.write_str(match h {
                LiveHost::Requested => "live-migrated: status as before, on the requested host",
                LiveHost::Other => "live-migrated: status as before, on another host",
                LiveHost::OtherThanRequested => {
                    "live-migrated: status as before, on another host than the requested one"
                }
            }),
            Self::LiveFailure => {
                f.write_str("async failure: live migration error, server back on its source host")
            }
            Self::LiveUnchanged => f.write_str("unchanged, no failed live migration"),
            Self::Other { status, moved } => write!(
                f,
                "{status} on {}",
                if *moved {
                    "another host"
                } else {
                    "the source host"
                }
            ),
        }
    }
}

impl fmt::Display for MigrationFact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("none"),
            Self::NotAnObject(json) => write!(f, "not an object: {json}"),
            Self::Record(r) => r.fmt(f),
        }
    }
}

impl fmt::Display for MigrationRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, v) in RECORD_KEYS.iter().zip(self.values()) {
            write!(f, "{k}={v} ")?;
        }
        write!(
            f,
            "flavors={} fields={}",
            self.flavors.as_str(),
            self.fields.join(",")
        )
    }
}

impl fmt::Display for RecordValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Absent => f.write_str("absent"),
            Self::Null => f.write_str("null"),
            Self::Source => f.write_str("<source>"),
            Self::Destination => f.write_str("<destination>"),
            Self::IpAddress => f.write_str("<ip address>"),
            Self::Value(v) => f.write_str(v),
        }
    }
}

/// A text that is not one of the follow-through's steps.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a follow-up step: {0:?}")]
pub struct NotAStep(pub String);

impl FromStr for FollowUp {
    type Err = NotAStep;
    fn from_str(s: &str) -> Result<Self, NotAStep> {
        let bad = || NotAStep(s.to_string());
        if let Some(e) = s.strip_prefix("settled: ") {
            return e.parse().map(Self::Settled).map_err(|_| bad());
        }
        if let Some(m) = s.strip_prefix("migration: ") {
            return m.parse().map(Self::Migration).map_err(|_| bad());
        }
        let (name, rest) = s.split_once(": ").ok_or_else(bad)?;
        let action = match name {
            "confirmResize" => ResizeAction::Confirm,
            "revertResize" => ResizeAction::Revert,
            _ => return Err(bad()),
        };
        let (status, host) = rest
            .strip_suffix(" host")
            .and_then(|r| r.rsplit_once(" on the "))
            .ok_or_else(bad)?;
        let host = match host {
            "source" => HostRole::Source,
            "destination" => HostRole::Destination,
            "other" => HostRole::Other,
            _ => return Err(bad()),
        };
        Ok(Self::Resized {
            action,
            status: status.to_string(),
            host,
        })
    }
}

impl FromStr for Ended {
    type Err = NotAStep;
    fn from_str(s: &str) -> Result<Self, NotAStep> {
        let known = [
            Self::VerifyResize(ResizeHost::Other),
            Self::VerifyResize(ResizeHost::Requested),
            Self::VerifyResize(ResizeHost::OtherThanRequested),
            Self::VerifyResize(ResizeHost::Source),
            Self::AsyncFailure,
            Self::Unchanged,
            Self::LiveMigrated(LiveHost::Other),
            Self::LiveMigrated(LiveHost::Requested),
            Self::LiveMigrated(LiveHost::OtherThanRequested),
            Self::LiveFailure,
            Self::LiveUnchanged,
        ];
        if let Some(e) = known.into_iter().find(|e| e.to_string() == s) {
            return Ok(e);
        }
        let (status, moved) = if let Some(st) = s.strip_suffix(" on another host") {
            (st, true)
        } else if let Some(st) = s.strip_suffix(" on the source host") {
            (st, false)
        } else {
            return Err(NotAStep(s.to_string()));
        };
        Ok(Self::Other {
            status: status.to_string(),
            moved,
        })
    }
}

impl FromStr for MigrationFact {
    type Err = NotAStep;
    fn from_str(s: &str) -> Result<Self, NotAStep> {
        if s == "none" {
            return Ok(Self::None);
        }
        if let Some(json) = s.strip_prefix("not an object: ") {
            return Ok(Self::NotAnObject(json.to_string()));
        }
        let bad = || NotAStep(s.to_string());
        // `k1=v1 k2=v2 ... flavors=F fields=a,b`: each value runs to the next key, so a value
        // with spaces reads back whole.
        let mut rest = s;
        let mut values = Vec::new();
        let keys: Vec<&str> = RECORD_KEYS.iter().copied().chain(["flavors"]).collect();
        for (i, k) in keys.iter().enumerate() {
            let r = rest
                .strip_prefix(k)
                .and_then(|r| r.strip_prefix('='))
                .ok_or_else(bad)?;
            let next = keys.get(i + 1).copied().unwrap_or("fields");
            let at = r.find(&format!(" {next}=")).ok_or_else(bad)?;
            values.push(&r[..at]);
            rest = &r[at + 1..];
        }
        let fields = rest.strip_prefix("fields=").ok_or_else(bad)?;
        let value = |v: &str| match v {
            "absent" => RecordValue::Absent,
            "null" => RecordValue::Null,
            "<source>" => RecordValue::Source,
            "<destination>" => RecordValue::Destination,
            "<ip address>" => RecordValue::IpAddress,
            other => RecordValue::Value(other.to_string()),
        };
        let flavors = match values[7] {
            "same" => Flavors::Same,
            "different" => Flavors::Different,
            "absent" => Flavors::Absent,
            _ => return Err(bad()),
        };
        Ok(Self::Record(MigrationRecord {
            status: value(values[0]),
            migration_type: value(values[1]),
            source_compute: value(values[2]),
            source_node: value(values[3]),
            dest_compute: value(values[4]),
            dest_node: value(values[5]),
            dest_host: value(values[6]),
            flavors,
            fields: if fields.is_empty() {
                Vec::new()
            } else {
                fields.split(',').map(String::from).collect()
            },
        }))
    }
}

// The JSON report keeps each step as its line of text (docs/report-schema.md).
impl serde::Serialize for FollowUp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for FollowUp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A record as the mock answers at 2.80, from `compute-a` to `compute-b`.
    fn record() -> Value {
        json!({
            "created_at": "2026-12-01T10:00:00.000000", "dest_compute": "compute-b",
            "dest_host": "192.0.2.12", "dest_node": "compute-b", "id": 7,
            "instance_uuid": "u", "migration_type": "migration", "new_instance_type_id": 1,
            "old_instance_type_id": 1, "project_id": "p", "source_compute": "compute-a",
            "source_node": "compute-a", "status": "finished", "updated_at": null,
            "user_id": "u", "uuid": "x"
        })
    }

    #[test]
    fn each_step_reads_as_it_always_has() {
        let steps = [
            (
                FollowUp::Settled(Ended::VerifyResize(ResizeHost::Requested)),
                "settled: VERIFY_RESIZE on the requested host",
            ),
            (
                FollowUp::Settled(Ended::Other {
                    status: "ERROR".into(),
                    moved: true,
                }),
                "settled: ERROR on another host",
            ),
            (
                FollowUp::Settled(Ended::AsyncFailure),
                "settled: async failure: migration error, server back on its source host",
            ),
            (
                FollowUp::Settled(Ended::LiveMigrated(LiveHost::OtherThanRequested)),
                "settled: live-migrated: status as before, on another host than the requested one",
            ),
            (
                FollowUp::Settled(Ended::LiveFailure),
                "settled: async failure: live migration error, server back on its source host",
            ),
            (
                FollowUp::Settled(Ended::LiveUnchanged),
                "settled: unchanged, no failed live migration",
            ),
            (FollowUp::Migration(MigrationFact::None), "migration: none"),
            (
                FollowUp::Migration(MigrationFact::of(&record(), "compute-a", "compute-b")),
                "migration: status=finished migration_type=migration source_compute=<source> \
                 source_node=<source> dest_compute=<destination> dest_node=<destination> \
                 dest_host=<ip address> flavors=same fields=created_at,dest_compute,dest_host,\
                 dest_node,id,instance_uuid,migration_type,new_instance_type_id,\
                 old_instance_type_id,project_id,source_compute,source_node,status,updated_at,\
                 user_id,uuid",
            ),
            (
                FollowUp::Migration(MigrationFact::of(&json!([1]), "a", "b")),
                "migration: not an object: [1]",
            ),
            (
                FollowUp::Resized {
                    action: ResizeAction::Revert,
                    status: "ACTIVE".into(),
                    host: HostRole::Source,
                },
                "revertResize: ACTIVE on the source host",
            ),
        ];
        for (step, text) in steps {
            assert_eq!(step.to_string(), text);
            assert_eq!(text.parse::<FollowUp>(), Ok(step.clone()), "{text}");
            assert_eq!(serde_json::to_value(&step).unwrap(), json!(text));
        }
    }

    #[test]
    fn a_record_with_odd_values_reads_back_whole() {
        let mut m = record();
        m["status"] = json!("pre migrating");
        m["dest_node"] = json!(3);
        m["new_instance_type_id"] = json!(2);
        m.as_object_mut().unwrap().remove("migration_type");
        let fact = MigrationFact::of(&m, "compute-a", "compute-b");
        let MigrationFact::Record(r) = &fact else {
            panic!("{fact:?}")
        };
        assert_eq!(r.status, RecordValue::Value("pre migrating".into()));
        assert_eq!(r.dest_node, RecordValue::Value("3".into()));
        assert_eq!(r.migration_type, RecordValue::Absent);
        assert_eq!(r.flavors, Flavors::Different);
        assert_eq!(fact.to_string().parse::<MigrationFact>(), Ok(fact.clone()));
    }

    #[test]
    fn other_text_is_no_step() {
        for text in [
            "",
            "settled: somewhere",
            "migration: status=finished",
            "resize: ACTIVE on the source host",
            "confirmResize: ACTIVE on the moon host",
        ] {
            assert_eq!(text.parse::<FollowUp>(), Err(NotAStep(text.into())));
        }
    }

    #[test]
    fn an_end_stands_for_its_class() {
        assert_eq!(
            Ended::VerifyResize(ResizeHost::OtherThanRequested).class(),
            Some(EndState::VerifyResizeOnOther)
        );
        assert_eq!(Ended::VerifyResize(ResizeHost::Source).class(), None);
        assert_eq!(
            Ended::Other {
                status: "ACTIVE".into(),
                moved: true
            }
            .class(),
            None
        );
    }
}
