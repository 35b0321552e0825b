//! Sessions against a fake Keystone: auth methods, catalog lookup, refresh, errors.

#[path = "support/fake_keystone.rs"]
mod fake_keystone;

use osclient::{CloudConfig, Error, Interface, Session};

#[tokio::test]
async fn password_auth_gives_token_identity_and_endpoints() {
    let (server, ks) = fake_keystone::start(3600).await;
    let cfg = CloudConfig::from_clouds_yaml_str(&fake_keystone::clouds_yaml(&server, ""), "test")
        .unwrap();
    let session = Session::connect(cfg).await.unwrap();

    let token = session.token().await.unwrap();
    assert_eq!(token, "gAAAA-token-1");
    let id = session.identity();
    assert_eq!(id.user_name, "admin");
    assert_eq!(id.user_id, "id-admin");
    assert_eq!(id.project_name.as_deref(), Some("demo"));
    assert_eq!(id.project_id.as_deref(), Some("pid-demo"));
    assert!(id.has_role("member") && !id.is_admin());

    assert_eq!(
        session.endpoint("compute").unwrap().as_str(),
        format!("{}/compute/v2.1", server.uri())
    );
    assert_eq!(
        session.endpoint("image").unwrap().as_str(),
        format!("{}/image", server.uri())
    );
    // A second token() within the lifetime reuses the token.
    assert_eq!(session.token().await.unwrap(), token);
    assert_eq!(ks.tokens_issued(), 1);
    assert_eq!(session.authentications(), 1);
}

#[tokio::test]
async fn wrong_password_is_a_clear_error_without_the_password() {
    let (server, _ks) = fake_keystone::start(3600).await;
    let yaml =
        fake_keystone::clouds_yaml(&server, "").replace(fake_keystone::PASSWORD, "wrong-pass-123");
    let cfg = CloudConfig::from_clouds_yaml_str(&yaml, "test").unwrap();
    let err = Session::connect(cfg).await.unwrap_err();
    assert!(err.is_auth_rejected(), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("cloud 'test'"), "{msg}");
    assert!(msg.contains("HTTP 401"), "{msg}");
    assert!(msg.contains("password authentication"), "{msg}");
    assert!(!msg.contains("wrong-pass-123"), "{msg}");
    assert!(!format!("{err:?}").contains("wrong-pass-123"));
}

#[tokio::test]
async fn interface_and_region_select_the_endpoint() {
    let (server, _ks) = fake_keystone::start(3600).await;
    let base = server.uri();
    for (extra, want) in [
        (
            "    interface: internal\n",
            format!("{base}/internal/compute/v2.1"),
        ),
        (
            "    interface: adminURL\n",
            format!("{base}/admin/compute/v2.1"),
        ),
        (
            "    endpoint_type: publicURL\n",
            format!("{base}/compute/v2.1"),
        ),
        (
            "    region_name: RegionTwo\n",
            format!("{base}/r2/compute/v2.1"),
        ),
        (
            "    region_name: RegionOne\n",
            format!("{base}/compute/v2.1"),
        ),
    ] {
        let cfg =
            CloudConfig::from_clouds_yaml_str(&fake_keystone::clouds_yaml(&server, extra), "test")
                .unwrap();
        let session = Session::connect(cfg).await.unwrap();
        assert_eq!(
            session.endpoint("compute").unwrap().as_str(),
            want,
            "{extra}"
        );
    }
}

#[tokio::test]
async fn missing_catalog_entry_names_service_and_what_exists() {
    let (server, _ks) = fake_keystone::start(3600).await;
    let cfg = CloudConfig::from_clouds_yaml_str(
        &fake_keystone::clouds_yaml(&server, "    region_name: RegionTwo\n"),
        "test",
    )
    .unwrap();
    let session = Session::connect(cfg).await.unwrap();
    let err = session.endpoint("image").unwrap_err();
    assert!(matches!(err, Error::EndpointNotFound { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("'image'") && msg.contains("RegionTwo") && msg.contains("cloud 'test'"),
        "{msg}"
    );
    assert!(msg.contains("image/public/RegionOne"), "{msg}");
    let err = session
        .endpoint_for("compute", Interface::Internal, Some("RegionTwo"))
        .unwrap_err();
    assert!(err.to_string().contains("interface 'internal'"), "{err}");
}
