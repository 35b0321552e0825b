//! Passwords, application credential secrets and tokens never appear in Debug/Display of
//! configurations, loaders, sessions or errors.

#[path = "support/fake_keystone.rs"]
mod fake_keystone;

use osclient::{CloudConfig, ConfigLoader, Secret, Session, REDACTED};

const SECRETS: &[&str] = &["pw-SENTINEL-1", "ac-SENTINEL-2", "tok-SENTINEL-3"];

fn assert_clean(what: &str, text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{what} leaks {s}: {text}");
    }
}

fn all_secret_kinds() -> CloudConfig {
    let yaml = "clouds:\n  c:\n    auth:\n      auth_url: http://127.0.0.1:1/v3\n      username: u\n      password: pw-SENTINEL-1\n      application_credential_secret: ac-SENTINEL-2\n      token: tok-SENTINEL-3\n";
    CloudConfig::from_clouds_yaml_str(yaml, "c").unwrap()
}

#[test]
fn config_debug_and_display_are_redacted() {
    let cfg = all_secret_kinds();
    // The values are there to be used...
    assert_eq!(
        cfg.auth.password.as_ref().unwrap().expose(),
        "pw-SENTINEL-1"
    );
    // ... but never printed.
    let debug = format!("{cfg:?}");
    assert_clean("Debug", &debug);
    assert_clean("pretty Debug", &format!("{cfg:#?}"));
    assert_clean("Display", &cfg.to_string());
    assert_clean("auth Debug", &format!("{:?}", cfg.auth));
    assert_eq!(debug.matches(REDACTED).count(), 3, "{debug}");
    assert_eq!(format!("{}", Secret::new("tok-SENTINEL-3")), REDACTED);
}

#[test]
fn loader_debug_shows_variable_names_only() {
    let loader = ConfigLoader::new().with_env([
        ("OS_AUTH_URL", "http://127.0.0.1:1/v3"),
        ("OS_USERNAME", "u"),
        ("OS_PASSWORD", "pw-SENTINEL-1"),
        ("OS_APPLICATION_CREDENTIAL_SECRET", "ac-SENTINEL-2"),
        ("OS_TOKEN", "tok-SENTINEL-3"),
    ]);
    let debug = format!("{loader:?}");
    assert_clean("loader Debug", &debug);
    assert!(debug.contains("OS_PASSWORD"), "{debug}");
    let cfg = loader.load(None).unwrap();
    assert_clean("env cloud Debug", &format!("{cfg:?}"));
}

#[test]
fn config_errors_do_not_echo_secrets() {
    // A broken secure.yaml-like document: the parse error must not quote the secret line.
    for yaml in [
        "clouds:\n  c:\n    auth:\n      password: pw-SENTINEL-1\n      username: u\n",
        "clouds:\n  c:\n    auth:\n      password: pw-SENTINEL-1\n     bad: [\n",
        "clouds:\n  c:\n    auth:\n      password: \"pw-SENTINEL-1\n",
        "clouds:\n  c:\n    auth_type: kerberos\n    auth:\n      auth_url: http://k\n      token: tok-SENTINEL-3\n",
        "clouds:\n  c:\n    interface: nowhere\n    auth:\n      auth_url: http://k\n      application_credential_secret: ac-SENTINEL-2\n",
    ] {
        let err = CloudConfig::from_clouds_yaml_str(yaml, "c").unwrap_err();
        assert_clean("error Display", &err.to_string());
        assert_clean("error Debug", &format!("{err:?}"));
    }
}

#[tokio::test]
async fn session_and_auth_errors_are_redacted() {
    let (server, _ks) = fake_keystone::start(3600).await;
    let yaml = fake_keystone::clouds_yaml(&server, "");
    let session = Session::connect(CloudConfig::from_clouds_yaml_str(&yaml, "test").unwrap())
        .await
        .unwrap();
    let token = session.token().await.unwrap();
    let debug = format!("{session:?}");
    assert!(!debug.contains(&token), "{debug}");
    assert!(!debug.contains(fake_keystone::PASSWORD), "{debug}");
    assert!(debug.contains(REDACTED));

    let bad = yaml.replace(fake_keystone::PASSWORD, "pw-SENTINEL-1");
    let err = Session::connect(CloudConfig::from_clouds_yaml_str(&bad, "test").unwrap())
        .await
        .unwrap_err();
    assert_clean("auth error", &format!("{err} {err:?}"));
}
