//! osclient against the embedded mock (its own Keystone v3), exactly as the suite uses it:
//! every seeded cloud of the generated clouds.yaml authenticates, sees its roles and finds the
//! mock's endpoints in the catalog.

use std::collections::BTreeSet;
use std::time::Duration;

use mockcloud::MockCloud;
use osclient::{AuthType, CloudConfig, Error, Interface, Session};

#[tokio::test]
async fn every_seeded_cloud_authenticates_with_its_roles_and_endpoints() {
    let cloud = MockCloud::builder().start().await.unwrap();
    let yaml = cloud.clouds_yaml();
    assert!(!cloud.credentials().is_empty());
    for cred in cloud.credentials() {
        let name = format!("mockcloud-{}", cred.cloud);
        let cfg = CloudConfig::from_clouds_yaml_str(&yaml, &name).unwrap();
        assert_eq!(cfg.region_name.as_deref(), Some("RegionOne"));
        assert_eq!(cfg.interface, Interface::Public);
        let session = Session::connect(cfg)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));

        let id = session.identity();
        assert_eq!(id.user_name, cred.username, "{name}");
        assert_eq!(
            id.project_name.as_deref(),
            Some(cred.project.as_str()),
            "{name}"
        );
        let roles: BTreeSet<String> = id.roles.iter().map(|r| r.to_lowercase()).collect();
        let want: BTreeSet<String> = cred.roles.iter().map(|r| r.to_lowercase()).collect();
        assert_eq!(roles, want, "{name}");
        assert_eq!(id.is_admin(), want.contains("admin"), "{name}");

        assert_eq!(
            session
                .endpoint("compute")
                .unwrap()
                .as_str()
                .trim_end_matches('/'),
            cloud.compute_url().trim_end_matches('/'),
            "{name}"
        );
        assert_eq!(
            session
                .endpoint("identity")
                .unwrap()
                .as_str()
                .trim_end_matches('/'),
            format!("{}/identity", cloud.base_url()),
            "{name}"
        );
        assert_eq!(
            session
                .endpoint("image")
                .unwrap()
                .as_str()
                .trim_end_matches('/'),
            format!("{}/image", cloud.base_url()),
            "{name}"
        );

        // The token works on the compute API.
        let servers = format!("{}/servers", cloud.compute_url().trim_end_matches('/'));
        let resp = session.send(session.http().get(&servers)).await.unwrap();
        assert_eq!(resp.status(), 200, "{name}: GET /servers");
    }
    cloud.shutdown().await;
}

#[tokio::test]
async fn application_credentials_and_token_auth_against_the_mock() {
    let cloud = MockCloud::builder().start().await.unwrap();
    for cred in cloud.credentials() {
        let yaml = format!(
            "clouds:\n  ac:\n    auth:\n      auth_url: {}\n      application_credential_id: {}\n      application_credential_secret: {}\n",
            cloud.auth_url(),
            cred.app_credential_id,
            cred.app_credential_secret
        );
        let cfg = CloudConfig::from_clouds_yaml_str(&yaml, "ac").unwrap();
        assert_eq!(cfg.auth_type, AuthType::ApplicationCredential);
        let session = Session::connect(cfg)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", cred.cloud));
        assert_eq!(session.identity().user_name, cred.username);
        assert_eq!(
            session.identity().project_name.as_deref(),
            Some(cred.project.as_str())
        );

        // Token auth: exchange the application credential's token for a new one.
        let token = session.token().await.unwrap();
        let yaml = format!(
            "clouds:\n  tok:\n    auth_type: token\n    auth:\n      auth_url: {}\n      token: {token}\n      project_name: {}\n      project_domain_name: {}\n",
            cloud.auth_url(),
            cred.project,
            cred.project_domain
        );
        let cfg = CloudConfig::from_clouds_yaml_str(&yaml, "tok").unwrap();
        let by_token = Session::connect(cfg)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", cred.cloud));
        assert_eq!(by_token.identity().user_name, cred.username);
        assert_ne!(by_token.token().await.unwrap(), token);
    }
    cloud.shutdown().await;
}

#[tokio::test]
async fn wrong_password_against_the_mock_is_rejected_clearly() {
    let cloud = MockCloud::builder().start().await.unwrap();
    let cred = cloud.credentials().first().unwrap().clone();
    let yaml = cloud
        .clouds_yaml()
        .replace(&cred.password, "definitely-wrong-pw");
    let name = format!("mockcloud-{}", cred.cloud);
    let err = Session::connect(CloudConfig::from_clouds_yaml_str(&yaml, &name).unwrap())
        .await
        .unwrap_err();
    assert!(err.is_auth_rejected(), "{err:?}");
    assert!(
        matches!(err, Error::AuthRejected { status: 401, .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains(&format!("cloud '{name}'")), "{msg}");
    assert!(
        !msg.contains("definitely-wrong-pw") && !msg.contains(&cred.password),
        "{msg}"
    );
    cloud.shutdown().await;
}

#[tokio::test]
async fn short_lived_mock_tokens_are_refreshed_before_they_expire() {
    // A 2 s token: reused for 1 s (the margin is clamped to half the lifetime), then replaced.
    let cloud = MockCloud::builder()
        .token_ttl(Duration::from_secs(2))
        .start()
        .await
        .unwrap();
    let cfg = CloudConfig::from_clouds_yaml_str(&cloud.clouds_yaml(), "mockcloud-admin").unwrap();
    let session = Session::connect(cfg).await.unwrap();
    let first = session.token().await.unwrap();
    assert_eq!(session.token().await.unwrap(), first);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let second = session.token().await.unwrap();
    assert_ne!(second, first);
    assert_eq!(session.authentications(), 2);
    let servers = format!("{}/servers", cloud.compute_url().trim_end_matches('/'));
    let resp = session
        .http()
        .get(&servers)
        .header("X-Auth-Token", second)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    cloud.shutdown().await;
}

/// The vendor path: clouds.yaml without passwords in one directory, secure.yaml with them,
/// the cloud chosen by OS_CLOUD; the loader finds and merges both.
#[tokio::test]
async fn loader_with_secure_yaml_and_os_cloud_against_the_mock() {
    let cloud = MockCloud::builder().start().await.unwrap();
    let mut public: serde_yaml::Value = serde_yaml::from_str(&cloud.clouds_yaml()).unwrap();
    let mut secure = serde_yaml::Mapping::new();
    let clouds = public["clouds"].as_mapping_mut().unwrap();
    for (name, c) in clouds.iter_mut() {
        let auth = c["auth"].as_mapping_mut().unwrap();
        let pw = auth.remove("password").unwrap();
        let mut a = serde_yaml::Mapping::new();
        a.insert("password".into(), pw);
        let mut entry = serde_yaml::Mapping::new();
        entry.insert("auth".into(), a.into());
        secure.insert(name.clone(), entry.into());
    }
    let mut secure_doc = serde_yaml::Mapping::new();
    secure_doc.insert("clouds".into(), secure.into());

    let dir = std::env::temp_dir().join(format!(
        "osclient-mock-{}-{}",
        std::process::id(),
        cloud.addr().port()
    ));
    let (cwd, etc) = (dir.join("cwd"), dir.join("etc"));
    std::fs::create_dir_all(&cwd).unwrap();
    std::fs::create_dir_all(&etc).unwrap();
    std::fs::write(
        cwd.join("clouds.yaml"),
        serde_yaml::to_string(&public).unwrap(),
    )
    .unwrap();
    std::fs::write(
        etc.join("secure.yaml"),
        serde_yaml::to_string(&secure_doc).unwrap(),
    )
    .unwrap();

    let loader = osclient::ConfigLoader::new()
        .with_search_dirs([&cwd, &etc])
        .with_env([("OS_CLOUD", "mockcloud-member")]);
    let cfg = loader.load(None);
    std::fs::remove_dir_all(&dir).unwrap();
    let cfg = cfg.unwrap();
    assert_eq!(cfg.name, "mockcloud-member");
    assert!(cfg.origin.contains("secure.yaml"), "{}", cfg.origin);
    let session = Session::connect(cfg).await.unwrap();
    let member = cloud.credential("member").unwrap();
    assert_eq!(session.identity().user_name, member.username);
    assert!(!session.identity().is_admin());
    cloud.shutdown().await;
}
