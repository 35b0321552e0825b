//! The reference's migrate table, row by row, in both profiles (the rows both
//! profiles share; each profile's own rows are in migrate_nova.rs / migrate_pike.rs).

use mock_client::T;
use mockcloud::{MockCloud, Profile};
use serde_json::{json, Value};
use test_support::mock_client;

/// How a row prepares the server before the migrate.
#[derive(Clone, Copy, Debug)]
enum Setup {
    None,
    LockedByOwner,
    Paused,
    SourceDown,
    Deleted,
}

struct Row {
    name: &'static str,
    who: &'static str,
    setup: Setup,
    /// `None`: no host; `Some("$src")`: the source host; other: literal.
    host: Option<&'static str>,
    status: u16,
    fault: &'static str,
    /// Expected message; `{id}` is replaced by the server id.
    message: &'static str,
}

const ROWS: &[Row] = &[
    Row {
        name: "unknown server",
        who: "admin",
        setup: Setup::Deleted,
        host: None,
        status: 404,
        fault: "itemNotFound",
        message: "Instance {id} could not be found.",
    },
    Row {
        name: "policy migrate",
        who: "member",
        setup: Setup::None,
        host: None,
        status: 403,
        fault: "forbidden",
        message: "Policy doesn't allow os_compute_api:os-migrate-server:migrate to be performed.",
    },
    Row {
        name: "policy migrate:host",
        who: "manager",
        setup: Setup::None,
        host: Some("compute3"),
        status: 403,
        fault: "forbidden",
        message:
            "Policy doesn't allow os_compute_api:os-migrate-server:migrate:host to be performed.",
    },
    Row {
        name: "locked (non-admin)",
        who: "manager",
        setup: Setup::LockedByOwner,
        host: None,
        status: 409,
        fault: "conflictingRequest",
        message: "Instance {id} is locked",
    },
    Row {
        name: "locked, admin bypass",
        who: "admin",
        setup: Setup::LockedByOwner,
        host: None,
        status: 202,
        fault: "",
        message: "",
    },
    Row {
        name: "wrong state",
        who: "admin",
        setup: Setup::Paused,
        host: None,
        status: 409,
        fault: "conflictingRequest",
        message: "Cannot 'migrate' instance {id} while it is in vm_state paused",
    },
    Row {
        name: "source compute down",
        who: "admin",
        setup: Setup::SourceDown,
        host: None,
        status: 409,
        fault: "conflictingRequest",
        message: "Service is unavailable at this time.",
    },
    Row {
        name: "unknown host",
        who: "admin",
        setup: Setup::None,
        host: Some("nope"),
        status: 400,
        fault: "badRequest",
        message: "Compute host nope could not be found.",
    },
    Row {
        name: "same host",
        who: "admin",
        setup: Setup::None,
        host: Some("$src"),
        status: 400,
        fault: "badRequest",
        message: "Cannot migrate to the host where the server exists.",
    },
    Row {
        name: "accepted with host",
        who: "admin",
        setup: Setup::None,
        host: Some("$other"),
        status: 202,
        fault: "",
        message: "",
    },
    Row {
        name: "accepted without host (manager)",
        who: "manager",
        setup: Setup::None,
        host: None,
        status: 202,
        fault: "",
        message: "",
    },
];

async fn run_row(profile: Profile, row: &Row) {
    let t = T::start(MockCloud::builder().profile(profile)).await;
    let id = t.create_server("manager").await;
    let src = t.host_of(&id).await;
    match row.setup {
        Setup::None => {}
        Setup::LockedByOwner => assert_eq!(
            t.action("manager", &id, "2.1", json!({"lock": null}))
                .await
                .status,
            202
        ),
        Setup::Paused => assert_eq!(
            t.action("manager", &id, "2.1", json!({"pause": null}))
                .await
                .status,
            202
        ),
        Setup::SourceDown => {
            t.cloud.state().set_host_up(&src, false);
        }
        Setup::Deleted => {
            assert_eq!(
                t.call(
                    "manager",
                    reqwest::Method::DELETE,
                    &format!("/servers/{id}"),
                    Some("2.1"),
                    None
                )
                .await
                .status,
                204
            )
        }
    }
    let host: Value = match row.host {
        None => Value::Null,
        Some("$src") => json!(src),
        Some("$other") => json!(t.other_host(&src)),
        Some(h) => json!(h),
    };
    // Both profiles accept {"host": ...} at 2.56 (pike-spec requires the key).
    let r = t
        .action(row.who, &id, "2.56", json!({"migrate": {"host": host}}))
        .await;
    assert_eq!(
        r.status, row.status,
        "{:?} / {}: {}",
        profile, row.name, r.text
    );
    if row.status >= 400 {
        let (fault, code, message) = r.fault();
        assert_eq!(fault, row.fault, "{:?} / {}", profile, row.name);
        assert_eq!(code, u64::from(row.status));
        assert_eq!(
            message,
            row.message.replace("{id}", &id),
            "{:?} / {}",
            profile,
            row.name
        );
    } else {
        assert_eq!(
            t.server(&id).await["status"],
            "VERIFY_RESIZE",
            "{:?} / {}",
            profile,
            row.name
        );
    }
}

#[tokio::test]
async fn every_row_in_both_profiles() {
    for profile in [Profile::Nova, Profile::PikeSpec] {
        for row in ROWS {
            run_row(profile, row).await;
        }
    }
}
