//! Proxies from the environment: used for real clouds, bypassed for loopback ones.
//!
//! One test in its own binary, because it sets HTTP_PROXY for the whole process (and reqwest
//! reads the proxy variables once).

#[path = "support/fake_keystone.rs"]
mod fake_keystone;

use osclient::{CloudConfig, Session};

#[tokio::test]
async fn env_proxy_is_used_for_remote_clouds_and_bypassed_for_loopback() {
    // The fake Keystone doubles as the proxy: a request for http://keystone.invalid/... that
    // reaches it can only have come through HTTP_PROXY.
    let (proxy, ks) = fake_keystone::start(3600).await;
    // SAFETY (edition 2021: safe fn): this binary has a single test, so no other thread reads
    // the environment concurrently.
    std::env::set_var("HTTP_PROXY", proxy.uri());
    std::env::set_var("http_proxy", proxy.uri());
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("no_proxy");

    let remote = format!(
        "clouds:\n  r:\n    auth:\n      auth_url: http://keystone.invalid/identity/v3\n      username: admin\n      password: {}\n      project_name: demo\n",
        fake_keystone::PASSWORD
    );
    let session = Session::connect(CloudConfig::from_clouds_yaml_str(&remote, "r").unwrap())
        .await
        .unwrap();
    assert_eq!(session.identity().user_name, "admin");
    assert_eq!(ks.tokens_issued(), 1, "went through the proxy");

    // Loopback: the proxy is bypassed (reqwest may have cached the first proxy setting, so the
    // proof is that the second Keystone, not the proxy, saw the request).
    std::env::set_var("HTTP_PROXY", "http://127.0.0.1:9");
    std::env::set_var("http_proxy", "http://127.0.0.1:9");
    let (server, ks2) = fake_keystone::start(3600).await;
    let local = fake_keystone::clouds_yaml(&server, "");
    let session = Session::connect(CloudConfig::from_clouds_yaml_str(&local, "test").unwrap())
        .await
        .unwrap();
    assert_eq!(session.identity().user_name, "admin");
    assert_eq!(ks2.tokens_issued(), 1);
    assert_eq!(ks.tokens_issued(), 1, "the proxy saw nothing more");
}
