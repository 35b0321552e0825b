//! Checks a cloud configuration end to end: loads it as openstackclient would, authenticates
//! and prints who you are and which endpoints the catalog gives. Never prints secrets.
//!
//! ```text
//! cargo run -p osclient --example whoami -- [CLOUD]      # else OS_CLOUD / OS_* / lone cloud
//! ```

use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cloud = std::env::args().nth(1);
    let cfg = match osclient::CloudConfig::load(cloud.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    println!("{cfg}");
    println!("from {}", cfg.origin);
    let session = match osclient::Session::connect(cfg).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("authentication error: {e}");
            return ExitCode::from(3);
        }
    };
    let id = session.identity();
    println!(
        "user {} ({}), project {} ({}), roles: {}",
        id.user_name,
        id.user_id,
        id.project_name.as_deref().unwrap_or("-"),
        id.project_id.as_deref().unwrap_or("-"),
        id.roles.join(", ")
    );
    println!("token expires at {}", session.expires_at());
    for service in ["compute", "identity", "image"] {
        match session.endpoint(service) {
            Ok(url) => println!("{service:8} {url}"),
            Err(e) => println!("{service:8} (none: {e})"),
        }
    }
    // Does Nova accept the token? GET /servers is allowed for every role with a project.
    if let Ok(compute) = session.endpoint("compute") {
        let url = format!("{}/servers", compute.as_str().trim_end_matches('/'));
        match session.send(session.http().get(&url)).await {
            Ok(resp) => println!("GET {url}: HTTP {}", resp.status().as_u16()),
            Err(e) => {
                eprintln!("GET {url}: {e}");
                return ExitCode::from(4);
            }
        }
    }
    ExitCode::SUCCESS
}
