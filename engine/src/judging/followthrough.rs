//! After an accepted migrate: wait for the end state, check host, status and the migration
//! record, then confirm or revert and check where the server ends.
use serde_json::{json, Value};

use crate::compute::{self, ServerView};
use crate::expectation::EndState;
use crate::microversion::Microversion;
use crate::pool::Server;
use crate::target::{Caller, Timing};
use crate::variant::Precondition;
use crate::verdict::Mismatch;

/// What the follow-through saw.
#[derive(Debug, Default)]
pub struct FollowOutcome {
    /// Where the server ended, in words (for behaviour maps).
    pub end: String,
    pub class: Option<EndState>,
    pub mismatches: Vec<Mismatch>,
    /// The endpoint broke (timeout, transport, unexpected answer to a helper call).
    pub error: Option<String>,
    pub steps: Vec<String>,
    /// The server's last state, to decide whether it can be reused.
    pub last: Option<ServerView>,
}

pub struct FollowInput<'a> {
    pub admin: &'a Caller,
    pub server: &'a Server,
    pub precondition: Precondition,
    pub requested_host: Option<&'a str>,
    pub expected_end: EndState,
    /// The version the case acted as: the migration record must show that version's fields.
    pub version: Microversion,
    pub confirm: bool,
    pub timing: Timing,
}

fn mm(what: &str, expected: impl Into<String>, got: impl Into<String>) -> Mismatch {
    Mismatch {
        what: what.into(),
        expected: expected.into(),
        got: got.into(),
    }
}

/// Fields of an `os-migrations` record at `v`: (field, required) pairs, where not required
/// means it must be absent.
pub(crate) fn migration_fields(v: Microversion) -> Vec<(&'static str, bool)> {
    let base = [
        "created_at",
        "dest_compute",
        "dest_host",
        "dest_node",
        "id",
        "instance_uuid",
        "new_instance_type_id",
        "old_instance_type_id",
        "source_compute",
        "source_node",
        "status",
        "updated_at",
    ];
    let mut out: Vec<(&str, bool)> = base.iter().map(|f| (*f, true)).collect();
    out.push(("migration_type", v >= Microversion::new(2, 23)));
    out.push(("uuid", v >= Microversion::new(2, 59)));
    out.push(("user_id", v >= Microversion::new(2, 80)));
    out.push(("project_id", v >= Microversion::new(2, 80)));
    out
}

pub async fn follow(input: FollowInput<'_>) -> FollowOutcome {
    let mut out = FollowOutcome::default();
    let source = input.server.host.as_str();
    let settled = match compute::wait_settled(input.admin, &input.server.id, input.timing).await {
        Ok(s) => s,
        Err(e) => {
            out.end = "never settled".into();
            out.error = Some(format!("waiting for the migration: {e}"));
            return out;
        }
    };
    let host = settled.host.clone().unwrap_or_default();
    let back_status = input.precondition.status().unwrap_or("ACTIVE");
    let migration =
        match compute::latest_migration(input.admin, &input.server.id, &input.version.to_string())
            .await
        {
            Ok(m) => m,
            Err(e) => {
                out.error = Some(e);
                out.last = Some(settled);
                return out;
            }
        };
    // A scheduler that picks the named host by chance still satisfies "another host": the
    // classification prefers the expected class whenever the observation fits it, so the
    // description (and the behaviour map) does not depend on the scheduler's luck.
    let moved = host != source;
    let on_requested = input.requested_host.is_some_and(|h| h == host);
    let (end, class) = if settled.status == "VERIFY_RESIZE" {
        if input.expected_end == EndState::VerifyResizeOnOther && moved {
            (
                "VERIFY_RESIZE on another host".to_string(),
                Some(EndState::VerifyResizeOnOther),
            )
        } else if on_requested {
            (
                "VERIFY_RESIZE on the requested host".to_string(),
                Some(EndState::VerifyResizeOnRequested),
            )
        } else if moved && input.requested_host.is_some() {
            (
                "VERIFY_RESIZE on another host than the requested one".to_string(),
                Some(EndState::VerifyResizeOnOther),
            )
        } else if moved {
            (
                "VERIFY_RESIZE on another host".to_string(),
                Some(EndState::VerifyResizeOnOther),
            )
        } else {
            ("VERIFY_RESIZE on the source host".to_string(), None)
        }
    } else if settled.status == back_status && host == source {
        match migration.as_ref().and_then(|m| m["status"].as_str()) {
            Some("error") => (
                "async failure: migration error, server back on its source host".to_string(),
                Some(EndState::AsyncFailure),
            ),
            _ => (
                "unchanged, no failed migration".to_string(),
                Some(EndState::Unchanged),
            ),
        }
    } else {
        (
            format!(
                "{} on {}",
                settled.status,
                if moved {
                    "another host"
                } else {
                    "the source host"
                }
            ),
            None,
        )
    };
    out.end = end.clone();
    out.steps.push(format!("settled: {end}"));
    out.steps.push(match &migration {
        Some(m) => format!("migration: {}", record_summary(m, source, &host)),
        None => "migration: none".into(),
    });
    if class != Some(input.expected_end) {
        out.mismatches
            .push(mm("end state", input.expected_end.describe(), end));
    }

    // The migration record, with the fields of the case's microversion.
    if let Some(m) = &migration {
        check_record(&mut out, m, &input, source, &settled);
    } else if settled.status == "VERIFY_RESIZE" || class == Some(EndState::AsyncFailure) {
        out.mismatches
            .push(mm("migration record", "one in GET /os-migrations", "none"));
    }

    if settled.status != "VERIFY_RESIZE" {
        out.last = Some(settled);
        return out;
    }
    // Confirm or revert, alternating across cases.
    // The migration record is not read again after confirm/revert: the server's status and
    // host show where it ended, and every extra os-migrations listing costs a scan of all
    // migrations on the mock (the record itself was checked above).
    let (action, want_status, want_host) = if input.confirm {
        (json!({"confirmResize": null}), 204, host.clone())
    } else {
        (json!({"revertResize": null}), 202, source.to_string())
    };
    let name = if input.confirm {
        "confirmResize"
    } else {
        "revertResize"
    };
    match compute::action(input.admin, &input.server.id, &action).await {
        Ok(s) if s == want_status => {}
        Ok(s) => out.mismatches.push(mm(
            &format!("{name} status"),
            want_status.to_string(),
            s.to_string(),
        )),
        Err(e) => {
            out.error = Some(format!("{name}: {e}"));
            return out;
        }
    }
    let fin = match compute::wait_resize_finished(input.admin, &input.server.id, input.timing).await
    {
        Ok(s) => s,
        Err(e) => {
            out.error = Some(format!("after {name}: {e}"));
            return out;
        }
    };
    let fin_host = fin.host.clone().unwrap_or_default();
    let where_ = if fin_host == source {
        "source"
    } else if fin_host == host {
        "destination"
    } else {
        "other"
    };
    out.steps
        .push(format!("{name}: {} on the {where_} host", fin.status));
    if fin.status != back_status {
        out.mismatches.push(mm(
            &format!("status after {name}"),
            back_status,
            fin.status.clone(),
        ));
    }
    if fin_host != want_host {
        let want_where = if input.confirm {
            "destination"
        } else {
            "source"
        };
        out.mismatches.push(mm(
            &format!("host after {name}"),
            format!("the {want_where} host"),
            format!("the {where_} host"),
        ));
    }
    out.last = Some(fin);
    out
}

/// The migration record in one line, the same on every run of the same behaviour (what
/// `fidelity` compares): its field names, then the values that do not vary between runs, host
/// names written as their part (`<source>`, `<destination>`), ids and times left out.
pub fn record_summary(m: &Value, source: &str, dest: &str) -> String {
    let Some(obj) = m.as_object() else {
        return format!("not an object: {m}");
    };
    let mut fields: Vec<&str> = obj.keys().map(String::as_str).collect();
    fields.sort_unstable();
    let value = |k: &str| match obj.get(k) {
        None => "absent".to_string(),
        Some(Value::Null) => "null".to_string(),
        Some(Value::String(v)) if v == source => "<source>".to_string(),
        Some(Value::String(v)) if v == dest => "<destination>".to_string(),
        // dest_host is the destination's IP address (Nova: the compute's my_ip), which is the
        // deployment's, not the API's behaviour.
        Some(Value::String(v)) if v.parse::<std::net::IpAddr>().is_ok() => "<ip address>".into(),
        Some(Value::String(v)) => v.clone(),
        Some(other) => other.to_string(),
    };
    let flavors = match (
        obj.get("old_instance_type_id"),
        obj.get("new_instance_type_id"),
    ) {
        (Some(a), Some(b)) if a == b => "same",
        (Some(_), Some(_)) => "different",
        _ => "absent",
    };
    let mut s = String::new();
    for k in [
        "status",
        "migration_type",
        "source_compute",
        "source_node",
        "dest_compute",
        "dest_node",
        "dest_host",
    ] {
        s.push_str(&format!("{k}={} ", value(k)));
    }
    s.push_str(&format!("flavors={flavors} fields={}", fields.join(",")));
    s
}

fn check_record(
    out: &mut FollowOutcome,
    m: &Value,
    input: &FollowInput<'_>,
    source: &str,
    settled: &ServerView,
) {
    let obj = match m.as_object() {
        Some(o) => o,
        None => {
            out.mismatches
                .push(mm("migration record", "an object", m.to_string()));
            return;
        }
    };
    for (field, required) in migration_fields(input.version) {
        let has = obj.contains_key(field);
        if has != required {
            out.mismatches.push(mm(
                &format!("migration.{field} at {}", input.version),
                if required { "present" } else { "absent" },
                if has { "present" } else { "absent" },
            ));
        }
    }
    if input.version >= Microversion::new(2, 23) {
        if let Some(t) = obj.get("migration_type") {
            if t != "migration" {
                out.mismatches
                    .push(mm("migration.migration_type", "migration", t.to_string()));
            }
        }
    }
    let s = |k: &str| obj.get(k).and_then(Value::as_str).map(String::from);
    if s("source_compute").as_deref() != Some(source) {
        out.mismatches.push(mm(
            "migration.source_compute",
            source,
            s("source_compute").unwrap_or("null".into()),
        ));
    }
    if settled.status == "VERIFY_RESIZE" {
        let dest = settled.host.clone().unwrap_or_default();
        if s("status").as_deref() != Some("finished") {
            out.mismatches.push(mm(
                "migration.status",
                "finished",
                s("status").unwrap_or("null".into()),
            ));
        }
        if s("dest_compute").as_deref() != Some(dest.as_str()) {
            out.mismatches.push(mm(
                "migration.dest_compute",
                dest,
                s("dest_compute").unwrap_or("null".into()),
            ));
        }
    } else if s("status").as_deref() == Some("error")
        && obj.get("dest_compute").is_some_and(|v| !v.is_null())
    {
        out.mismatches.push(mm(
            "migration.dest_compute",
            "null (the scheduler found no host)",
            obj["dest_compute"].to_string(),
        ));
    }
}

/// The end state an end-state description (`FollowOutcome::end`, the report's
/// `observed.end`) stands for; `None` for one no expectation describes (e.g. VERIFY_RESIZE on
/// the source host). `nova-conform verify` re-judges recorded answers with it.
pub fn classify_end(text: &str) -> Option<EndState> {
    match text {
        "VERIFY_RESIZE on another host"
        | "VERIFY_RESIZE on another host than the requested one" => {
            Some(EndState::VerifyResizeOnOther)
        }
        "VERIFY_RESIZE on the requested host" => Some(EndState::VerifyResizeOnRequested),
        "async failure: migration error, server back on its source host" => {
            Some(EndState::AsyncFailure)
        }
        "unchanged, no failed migration" => Some(EndState::Unchanged),
        live => crate::live_follow::classify_live_end(live),
    }
}
