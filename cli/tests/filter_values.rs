//! `--filter` values no case has are refused (exit 2, a usage error) with the valid ones named,
//! by `list` and `run` alike, instead of a filter that silently selects nothing.
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_nova-conform"))
}

#[test]
fn bad_filter_values_exit_2_naming_the_valid_ones() {
    let table = [
        (
            "pre=nowhere",
            "filter: unknown pre value \"nowhere\" (one of: active, shutoff, verify-resize, paused, suspended, locked, nonexistent)",
        ),
        (
            "role=root",
            "filter: unknown role value \"root\" (one of: admin, manager, member, other)",
        ),
        (
            "host=other body=migrate",
            "filter: unknown body value \"migrate\" (one of: migrate-object, live-object, migrate-null, migrate-string, extra-property, missing-action)",
        ),
        (
            "mv=2.60-2.50",
            "filter: bad microversion \"2.60-2.50\": 2.60 is above 2.50",
        ),
        ("id=12", "filter: bad case id \"12\" (nc- and 12 hex digits"),
    ];
    for (filter, message) in table {
        for cmd in ["list", "run"] {
            let out = bin().args([cmd, "--filter", filter]).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{cmd} {filter}: {stderr}");
            assert!(stderr.contains(message), "{cmd} {filter}: {stderr}");
            assert!(
                out.stdout.is_empty(),
                "{cmd} {filter}: nothing listed or run"
            );
        }
    }
}

#[test]
fn good_filter_values_still_list_their_cases() {
    // One value of each key: each selects cases (exit 0, a non-empty list).
    for filter in [
        "pre=verify-resize",
        "precondition=locked role=other",
        "header=legacy",
        "body=missing-action",
        "host=no-capacity force=string-true",
        "mv=latest,2.56-",
        "version=-2.2",
    ] {
        let out = bin().args(["list", "--filter", filter]).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{filter}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stdout.is_empty(), "{filter} lists cases");
    }
}
