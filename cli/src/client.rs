//! What the client commands (`migrate`, `migration list`) share: connecting as the admin with
//! the endpoint's maximum microversion, and printing the result or the error with its exit
//! code.
use nova_conform::client::migrate::ClientError;
use nova_conform::cloud_target;
use nova_conform::microversion::Microversion;
use nova_conform::target::Caller;
use nova_conform::variant::Role;
use nova_conform::SuiteError;

use crate::exit::Exit;
use crate::flags::ConnectArgs;

pub async fn connect(cloud: &ConnectArgs) -> Result<(Caller, Microversion), ClientError> {
    let sel = cloud.selection();
    let session =
        cloud_target::connect_cloud(&cloud_target::loader(&sel), sel.cloud.as_deref(), &sel)
            .await
            .map_err(|e| ClientError::Usage(e.to_string()))?;
    let caller = cloud_target::caller_from(Role::Admin, &session)
        .map_err(|e| ClientError::Usage(e.to_string()))?;
    let bounds = nova_conform::discovery::bounds(&caller)
        .await
        .map_err(|e| match e {
            // Not a Nova API (an HTML page, a 404, no version range): the configuration's.
            SuiteError::Target(m) => ClientError::Usage(m),
            SuiteError::Bounds(e) => ClientError::Usage(e.to_string()),
            other => ClientError::Transport(other.to_string()),
        })?;
    Ok((caller, bounds.max))
}

pub fn finish(r: Result<String, ClientError>) -> Exit {
    match r {
        Ok(out) => {
            mockcloud::out!("{out}");
            Exit::Pass
        }
        Err(e) => {
            eprintln!("nova-conform: {e}");
            Exit::from(&e)
        }
    }
}
