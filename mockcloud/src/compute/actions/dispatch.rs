//! Route a server action by its single top-level key, as Nova's `wsgi_actions`.

use super::{live_migrate, lock, migrate, power, resize};
use crate::compute::pipeline::body;
use crate::compute::pipeline::context::{ApiResult, Ctx};
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;

/// Nova actions the mock does not model: a 501 rather than "no such action",
/// which would be wrong for a real Nova action name.
const NOT_MODELLED: &[&str] = &[
    "reboot",
    "rebuild",
    "createImage",
    "createBackup",
    "changePassword",
    "evacuate",
    "shelve",
    "shelveOffload",
    "unshelve",
    "rescue",
    "unrescue",
    "addSecurityGroup",
    "removeSecurityGroup",
    "os-resetState",
    "os-resetNetwork",
    "injectNetworkInfo",
    "os-getConsoleOutput",
    "os-getVNCConsole",
    "os-getSPICEConsole",
    "os-getSerialConsole",
    "os-getRDPConsole",
    "os-getMKSConsole",
    "forceDelete",
    "restore",
    "trigger_crash_dump",
    "addFixedIp",
    "removeFixedIp",
    "addFloatingIp",
    "removeFloatingIp",
    "addTenantAccess",
];

pub(crate) async fn action(ctx: Ctx, Path(id): Path<String>, bytes: Bytes) -> ApiResult {
    let (name, body) = body::action_peek(&ctx, &bytes)?;
    match name.as_str() {
        "migrate" => migrate::migrate(&ctx, &id, &body),
        "os-migrateLive" => live_migrate::migrate_live(&ctx, &id, &body),
        "resize" => resize::resize(&ctx, &id, &body),
        "confirmResize" => resize::confirm(&ctx, &id),
        "revertResize" => resize::revert(&ctx, &id),
        "os-stop" => power::run(&ctx, &id, power::STOP),
        "os-start" => power::run(&ctx, &id, power::START),
        "pause" => power::run(&ctx, &id, power::PAUSE),
        "unpause" => power::run(&ctx, &id, power::UNPAUSE),
        "suspend" => power::run(&ctx, &id, power::SUSPEND),
        "resume" => power::run(&ctx, &id, power::RESUME),
        "lock" => lock::lock(&ctx, &id, &body),
        "unlock" => lock::unlock(&ctx, &id),
        other if NOT_MODELLED.contains(&other) => Err(ctx.fault(
            StatusCode::NOT_IMPLEMENTED,
            format!("Action {other} is not implemented by mockcloud."),
        )),
        other => Err(ctx.bad_request(format!("There is no such action: {other}"))),
    }
}
