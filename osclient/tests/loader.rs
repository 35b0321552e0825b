//! The clouds.yaml / secure.yaml / OS_* loader over the fixtures in fixtures/clouds/, with an
//! injected environment and search path (the real ones are never read).

use std::path::PathBuf;

use osclient::{AuthType, CloudConfig, ConfigLoader, Error, Interface};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/clouds")
}

fn basic() -> ConfigLoader {
    ConfigLoader::new().with_search_dirs([fixtures().join("basic")])
}

fn search() -> ConfigLoader {
    let s = fixtures().join("search");
    ConfigLoader::new().with_search_dirs([
        s.join("cwd"),
        s.join("home/.config/openstack"),
        s.join("etc/openstack"),
    ])
}

fn env(vars: &[(&str, &str)]) -> Vec<(String, String)> {
    vars.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn named_cloud_merges_secure_yaml() {
    let cfg = basic().load(Some("devstack")).unwrap();
    assert_eq!(cfg.name, "devstack");
    assert_eq!(cfg.auth_type, AuthType::Password);
    assert_eq!(cfg.auth.auth_url, "https://keystone.example.test/identity");
    assert_eq!(cfg.auth.username.as_deref(), Some("admin"));
    assert_eq!(
        cfg.auth.password.as_ref().unwrap().expose(),
        "devstack-secret-7"
    );
    assert_eq!(cfg.auth.user_domain_name.as_deref(), Some("Default"));
    assert_eq!(
        cfg.auth.user_domain_id, None,
        "an explicit domain name is not doubled by the default id"
    );
    assert_eq!(cfg.auth.project_domain_id.as_deref(), Some("default"));
    assert_eq!(cfg.region_name.as_deref(), Some("RegionOne"));
    assert_eq!(cfg.compute_api_version.as_deref(), Some("2.56"));
    assert!(cfg.verify);
    assert!(
        cfg.origin.contains("basic/clouds.yaml") && cfg.origin.contains("secure.yaml"),
        "{}",
        cfg.origin
    );
}

#[test]
fn explicit_name_beats_os_cloud_and_os_cloud_beats_envvars() {
    let l = basic().with_env(env(&[
        ("OS_CLOUD", "insecure"),
        ("OS_AUTH_URL", "http://env.example.test/v3"),
        ("OS_USERNAME", "envuser"),
        ("OS_PASSWORD", "env-pass"),
    ]));
    assert_eq!(l.load(Some("devstack")).unwrap().name, "devstack");
    let cfg = l.load(None).unwrap();
    assert_eq!(cfg.name, "insecure");
    // OS_* variables are a cloud of their own (envvars), never merged into a file cloud.
    assert_eq!(cfg.auth.username.as_deref(), Some("u"));
    assert_eq!(
        cfg.auth.password.as_ref().unwrap().expose(),
        "insecure-pass-5"
    );
    assert_eq!(
        l.load(Some("envvars")).unwrap().auth.username.as_deref(),
        Some("envuser")
    );
}

#[test]
fn os_variables_make_the_envvars_cloud() {
    let l = ConfigLoader::new().with_env(env(&[
        ("OS_AUTH_URL", "https://k.example.test:5000/v3"),
        ("OS_USER_ID", "uid-1"),
        ("OS_PASSWORD", "env-pass-10"),
        ("OS_PROJECT_ID", "pid-1"),
        ("OS_USER_DOMAIN_ID", "ud"),
        ("OS_PROJECT_DOMAIN_NAME", "PD"),
        ("OS_REGION_NAME", "RegionX"),
        ("OS_INTERFACE", "internal"),
        ("OS_CACERT", "/tmp/ca.pem"),
        ("OS_INSECURE", "false"),
        ("OS_COMPUTE_API_VERSION", "2.79"),
        ("OS_API_TIMEOUT", "12.5"),
        ("HOME", "/nonexistent"),
        ("OS_TEST_TIMEOUT", "60"),
    ]));
    let cfg = l.load(None).unwrap();
    assert_eq!(cfg.name, "envvars");
    assert!(cfg.origin.contains("environment"), "{}", cfg.origin);
    assert_eq!(cfg.auth.user_id.as_deref(), Some("uid-1"));
    assert_eq!(cfg.auth.password.as_ref().unwrap().expose(), "env-pass-10");
    assert_eq!(cfg.auth.project_id.as_deref(), Some("pid-1"));
    assert_eq!(cfg.auth.user_domain_id.as_deref(), Some("ud"));
    assert_eq!(cfg.auth.project_domain_name.as_deref(), Some("PD"));
    assert_eq!(cfg.region_name.as_deref(), Some("RegionX"));
    assert_eq!(cfg.interface, Interface::Internal);
    assert_eq!(cfg.cacert, Some(PathBuf::from("/tmp/ca.pem")));
    assert!(cfg.verify);
    assert_eq!(cfg.compute_api_version.as_deref(), Some("2.79"));
    assert_eq!(
        cfg.api_timeout,
        Some(std::time::Duration::from_millis(12500))
    );
    assert_eq!(l.cloud_names().unwrap(), vec!["envvars".to_string()]);
}

#[test]
fn os_variables_for_app_creds_token_and_insecure() {
    let cfg = ConfigLoader::new()
        .with_env(env(&[
            ("OS_AUTH_URL", "http://k/v3"),
            ("OS_APPLICATION_CREDENTIAL_ID", "acid"),
            ("OS_APPLICATION_CREDENTIAL_SECRET", "env-ac-secret-11"),
            ("OS_INSECURE", "true"),
        ]))
        .load(None)
        .unwrap();
    assert_eq!(cfg.auth_type, AuthType::ApplicationCredential);
    assert_eq!(cfg.auth.application_credential_id.as_deref(), Some("acid"));
    assert!(!cfg.verify);

    let cfg = ConfigLoader::new()
        .with_env(env(&[
            ("OS_AUTH_URL", "http://k/v3"),
            ("OS_APPLICATION_CREDENTIAL_NAME", "acname"),
            ("OS_USERNAME", "acuser"),
            ("OS_USER_DOMAIN_NAME", "Users"),
            ("OS_APPLICATION_CREDENTIAL_SECRET", "s"),
            ("OS_AUTH_TYPE", "v3applicationcredential"),
        ]))
        .load(None)
        .unwrap();
    assert_eq!(
        cfg.auth.application_credential_name.as_deref(),
        Some("acname")
    );
    assert_eq!(cfg.auth.user_domain_name.as_deref(), Some("Users"));

    let cfg = ConfigLoader::new()
        .with_env(env(&[
            ("OS_AUTH_URL", "http://k/v3"),
            ("OS_TOKEN", "gAAAA-env-12"),
            ("OS_PROJECT_NAME", "p"),
        ]))
        .load(None)
        .unwrap();
    assert_eq!(cfg.auth_type, AuthType::Token);
    assert_eq!(cfg.auth.token.as_ref().unwrap().expose(), "gAAAA-env-12");
    assert_eq!(cfg.auth.project_domain_id.as_deref(), Some("default"));
}

#[test]
fn selectors_alone_do_not_make_an_env_cloud() {
    let l = ConfigLoader::new()
        .with_search_dirs([fixtures().join("single")])
        .with_env(env(&[("OS_REGION_NAME", "R"), ("OS_CLOUD_NAME", "mine")]));
    assert_eq!(l.cloud_names().unwrap(), vec!["only-one".to_string()]);
    // ... and a lone cloud in clouds.yaml is picked without a name.
    let cfg = l.load(None).unwrap();
    assert_eq!(cfg.name, "only-one");
    assert_eq!(
        cfg.region_name, None,
        "OS_REGION_NAME is not applied to a clouds.yaml cloud"
    );
}

#[test]
fn os_cloud_name_renames_and_may_not_clash() {
    let vars = [
        ("OS_AUTH_URL", "http://k/v3"),
        ("OS_USERNAME", "u"),
        ("OS_PASSWORD", "p"),
    ];
    let mut v = env(&vars);
    v.push(("OS_CLOUD_NAME".into(), "from-env".into()));
    let cfg = ConfigLoader::new().with_env(v).load(None).unwrap();
    assert_eq!(cfg.name, "from-env");

    let mut v = env(&vars);
    v.push(("OS_CLOUD_NAME".into(), "devstack".into()));
    let err = basic().with_env(v).load(Some("devstack")).unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    assert!(
        err.to_string().contains("'devstack'") && err.to_string().contains("OS_CLOUD_NAME"),
        "{err}"
    );
}

#[test]
fn several_clouds_and_no_selection_is_a_clear_error() {
    let err = basic().load(None).unwrap_err();
    assert!(matches!(err, Error::NoCloudSelected { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("--os-cloud") && msg.contains("OS_CLOUD"),
        "{msg}"
    );
    assert!(
        msg.contains("devstack") && msg.contains("multi-region"),
        "{msg}"
    );
}

#[test]
fn unknown_cloud_names_searched_files_and_known_clouds() {
    let err = basic().load(Some("nope")).unwrap_err();
    assert!(matches!(err, Error::CloudNotFound { .. }), "{err:?}");
    let msg = err.to_string();
    let d = fixtures().join("basic").display().to_string();
    assert_eq!(
        msg,
        format!(
            "cloud 'nope' not found in clouds.yaml (searched: {d}/clouds.{{yaml,yml,json}}, \
             {d}/secure.{{yaml,yml,json}}; read: {d}/clouds.yaml, {d}/secure.yaml; clouds defined: \
             devstack, multi-region, appcred, appcred-by-name, token, tls, insecure, legacy, \
             no-password, bad-interface, kerberos)"
        )
    );

    let err = CloudConfig::from_clouds_yaml_str("clouds:\n  a: {}\n", "b").unwrap_err();
    assert_eq!(
        err.to_string(),
        "cloud 'b' not found in clouds.yaml (searched: (a string, no files); read: clouds.yaml string; clouds defined: a)"
    );

    let err = ConfigLoader::new().load(Some("x")).unwrap_err();
    assert!(
        err.to_string()
            .contains("searched: (none); read: (none); clouds defined: (none)"),
        "{err}"
    );
}

#[test]
fn first_clouds_yaml_wins_and_secure_is_searched_separately() {
    let cfg = search().load(Some("where")).unwrap();
    assert_eq!(cfg.auth.username.as_deref(), Some("from-cwd"));
    // secure.yaml from /etc stand-in is merged over the cwd clouds.yaml.
    assert_eq!(
        cfg.auth.password.as_ref().unwrap().expose(),
        "etc-secure-pass"
    );

    let s = fixtures().join("search");
    let cfg = ConfigLoader::new()
        .with_search_dirs([s.join("home/.config/openstack"), s.join("etc/openstack")])
        .load(Some("where"))
        .unwrap();
    assert_eq!(cfg.auth.username.as_deref(), Some("from-home"));

    let o = fixtures().join("override");
    let cfg = search()
        .with_env(env(&[
            (
                "OS_CLIENT_CONFIG_FILE",
                o.join("custom-clouds.yaml").to_str().unwrap(),
            ),
            (
                "OS_CLIENT_SECURE_FILE",
                o.join("custom-secure.yaml").to_str().unwrap(),
            ),
        ]))
        .load(Some("where"))
        .unwrap();
    assert_eq!(cfg.auth.username.as_deref(), Some("from-override"));
    assert_eq!(
        cfg.auth.password.as_ref().unwrap().expose(),
        "override-secure-pass"
    );
}

#[test]
fn json_files_are_read() {
    let cfg = ConfigLoader::new()
        .with_search_dirs([fixtures().join("json")])
        .load(None)
        .unwrap();
    assert_eq!(cfg.name, "jsoncloud");
    assert_eq!(cfg.region_name.as_deref(), Some("R"));
}

#[test]
fn broken_file_is_an_error_naming_it() {
    let err = ConfigLoader::new()
        .with_search_dirs([fixtures().join("broken")])
        .load(Some("x"))
        .unwrap_err();
    assert!(matches!(err, Error::ConfigParse { .. }), "{err:?}");
    assert!(err.to_string().contains("broken/clouds.yaml"), "{err}");
}

#[test]
fn missing_and_invalid_fields_name_cloud_and_field() {
    let err = basic().load(Some("no-password")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cloud 'no-password': missing auth.password (set it in clouds.yaml, secure.yaml or OS_PASSWORD)"
    );
    let err = basic().load(Some("bad-interface")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("cloud 'bad-interface': invalid interface: interface 'sideways'"),
        "{err}"
    );
    let err = basic().load(Some("kerberos")).unwrap_err();
    assert!(
        err.to_string()
            .contains("auth_type 'v3kerberos' is not supported"),
        "{err}"
    );

    for (yaml, needle) in [
        ("clouds:\n  c:\n    auth:\n      username: u\n      password: p\n", "missing auth.auth_url"),
        ("clouds:\n  c:\n    auth:\n      auth_url: not a url\n      username: u\n      password: p\n", "invalid auth.auth_url"),
        ("clouds:\n  c:\n    auth:\n      auth_url: http://k\n      password: p\n", "missing auth.username (or auth.user_id)"),
        ("clouds:\n  c:\n    auth_type: token\n    auth:\n      auth_url: http://k\n", "missing auth.token"),
        ("clouds:\n  c:\n    auth:\n      auth_url: http://k\n      application_credential_id: i\n", "missing auth.application_credential_secret"),
        ("clouds:\n  c:\n    auth:\n      auth_url: http://k\n      application_credential_name: n\n      application_credential_secret: s\n", "needs its user"),
        ("clouds:\n  c:\n    auth: [1]\n", "invalid auth"),
        ("clouds:\n  c:\n    api_timeout: soon\n    auth:\n      auth_url: http://k\n      username: u\n      password: p\n", "invalid api_timeout"),
        ("clouds:\n  c:\n    regions: RegionOne\n", "invalid regions"),
        ("clouds: [c]\n", "'clouds' is a list"),
        ("clouds:\n  c:\n    profile: vexxhost\n    auth:\n      username: u\n      password: p\n", "vendor profile 'vexxhost' cannot be expanded"),
        ("clouds:\n  c: 3\n", "cloud 'c' is a number"),
    ] {
        let err = CloudConfig::from_clouds_yaml_str(yaml, "c").unwrap_err();
        assert!(err.to_string().contains(needle), "{yaml}: {err}");
        assert!(err.to_string().contains("'c'") || err.to_string().contains("clouds.yaml string"), "{err}");
    }
}

#[test]
fn regions_list_first_by_default_selectable_with_values() {
    let cfg = basic().load(Some("multi-region")).unwrap();
    assert_eq!(cfg.region_name.as_deref(), Some("RegionOne"));
    assert_eq!(cfg.interface, Interface::Public);
    assert!(cfg.endpoint_overrides.is_empty());

    let cfg = basic()
        .with_region("RegionTwo")
        .load(Some("multi-region"))
        .unwrap();
    assert_eq!(cfg.region_name.as_deref(), Some("RegionTwo"));
    assert_eq!(cfg.interface, Interface::Internal);
    assert_eq!(
        cfg.endpoint_overrides.get("compute").map(String::as_str),
        Some("https://nova-r2.example.test/v2.1")
    );

    let err = basic()
        .with_region("RegionThree")
        .load(Some("multi-region"))
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains(
            "region 'RegionThree' is not one of this cloud's regions (RegionOne, RegionTwo)"
        ),
        "{msg}"
    );

    // A region for a cloud without a regions list is just used.
    let cfg = basic()
        .with_region("Elsewhere")
        .load(Some("devstack"))
        .unwrap();
    assert_eq!(cfg.region_name.as_deref(), Some("Elsewhere"));
}

#[test]
fn app_creds_token_tls_and_legacy_keys_from_file() {
    let cfg = basic().load(Some("appcred")).unwrap();
    assert_eq!(cfg.auth_type, AuthType::ApplicationCredential);
    assert_eq!(
        cfg.auth.application_credential_id.as_deref(),
        Some("21dced0fd20347869b93710d2b98aae0")
    );

    let cfg = basic().load(Some("appcred-by-name")).unwrap();
    assert_eq!(
        cfg.auth_type,
        AuthType::ApplicationCredential,
        "inferred from the credential"
    );
    assert_eq!(
        cfg.auth
            .application_credential_secret
            .as_ref()
            .unwrap()
            .expose(),
        "byname-secret-8"
    );
    assert_eq!(cfg.auth.user_domain_id.as_deref(), Some("d-ci"));

    let cfg = basic().load(Some("token")).unwrap();
    assert_eq!(cfg.auth_type, AuthType::Token);

    let cfg = basic().load(Some("tls")).unwrap();
    assert_eq!(cfg.cacert, Some(PathBuf::from("/etc/ssl/private-ca.pem")));
    assert_eq!(cfg.cert, Some(PathBuf::from("/etc/ssl/client.pem")));
    assert_eq!(cfg.key, Some(PathBuf::from("/etc/ssl/client.key")));
    assert_eq!(
        cfg.interface,
        Interface::Internal,
        "endpoint_type: internalURL"
    );
    assert_eq!(
        cfg.auth.project_name.as_deref(),
        Some("demo"),
        "project-name with a dash"
    );
    assert_eq!(cfg.api_timeout, Some(std::time::Duration::from_secs(30)));
    assert!(cfg.verify);

    assert!(!basic().load(Some("insecure")).unwrap().verify);

    let cfg = basic().load(Some("legacy")).unwrap();
    assert_eq!(
        cfg.auth.project_name.as_deref(),
        Some("old-project"),
        "tenant_name"
    );
    assert_eq!(
        cfg.auth.project_id.as_deref(),
        Some("4242"),
        "top-level number"
    );
    // domain_name with a project scope means both the user's and the project's domain.
    assert_eq!(cfg.auth.user_domain_name.as_deref(), Some("Corp"));
    assert_eq!(cfg.auth.project_domain_name.as_deref(), Some("Corp"));
    assert_eq!(cfg.auth.domain_name, None);
}

#[test]
fn top_level_values_win_over_the_auth_section() {
    let yaml = "clouds:\n  c:\n    username: top\n    auth:\n      auth_url: http://k\n      username: inner\n      password: p\n";
    let cfg = CloudConfig::from_clouds_yaml_str(yaml, "c").unwrap();
    assert_eq!(cfg.auth.username.as_deref(), Some("top"));
}

#[test]
fn domain_name_without_project_is_a_domain_scope() {
    let yaml = "clouds:\n  c:\n    auth:\n      auth_url: http://k\n      user_id: u\n      password: p\n      domain_name: Corp\n";
    let cfg = CloudConfig::from_clouds_yaml_str(yaml, "c").unwrap();
    assert_eq!(cfg.auth.domain_name.as_deref(), Some("Corp"));
    assert_eq!(cfg.auth.user_domain_name, None);
}

#[test]
fn standard_search_dirs_follow_openstack_config() {
    let dirs = osclient::standard_search_dirs(
        Some(PathBuf::from("/work/dir")),
        Some(PathBuf::from("/home/u")),
        None,
    );
    let want: Vec<PathBuf> = [
        "/work/dir",
        "/home/u/.config/openstack",
        "/etc/xdg/openstack",
        "/etc/openstack",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    assert_eq!(dirs, want);
    let dirs = osclient::standard_search_dirs(
        None,
        Some(PathBuf::from("/home/u")),
        Some(PathBuf::from("/xdg")),
    );
    assert_eq!(dirs[0], PathBuf::from("/xdg/openstack"));
    assert_eq!(dirs[1], PathBuf::from("/home/u/.config/openstack"));
}

#[test]
fn cloud_names_with_dashes_are_kept() {
    let yaml = "clouds:\n  mockcloud-admin:\n    auth:\n      auth-url: http://127.0.0.1:1/identity/v3\n      username: admin\n      password: p\n      project-name: demo\n";
    let cfg = CloudConfig::from_clouds_yaml_str(yaml, "mockcloud-admin").unwrap();
    assert_eq!(cfg.name, "mockcloud-admin");
    assert_eq!(cfg.auth.project_name.as_deref(), Some("demo"));
    assert!(CloudConfig::from_clouds_yaml_str(yaml, "mockcloud_admin").is_err());
}

#[test]
fn hostile_documents_fail_cleanly() {
    let laughs =
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n\
                  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n\
                  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n\
                  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n\
                  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n\
                  f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n\
                  g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n\
                  h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n\
                  i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n\
                  clouds: {}\n";
    let deep = format!("clouds: {}1{}", "[".repeat(100_000), "]".repeat(100_000));
    let binary = String::from_utf8_lossy(&[0xff, 0x00, 0xfe, b':', b'\n']).into_owned();
    for (what, doc, needle) in [
        (
            "billion laughs",
            laughs.to_string(),
            "repetition limit exceeded",
        ),
        ("deep nesting", deep, "nesting deeper than 1000 levels"),
        ("binary", binary, "cannot parse clouds.yaml string"),
        (
            "tabs",
            "clouds:\n\tc: 1\n".to_string(),
            "cannot parse clouds.yaml string",
        ),
        ("scalar", "42".to_string(), "not a mapping"),
    ] {
        let err = CloudConfig::from_clouds_yaml_str(&doc, "c").unwrap_err();
        assert!(err.to_string().contains(needle), "{what}: {err}");
    }
}

#[test]
fn env_overrides_are_openstackclient_behaviour_and_opt_in() {
    let vars = env(&[
        ("OS_CLOUD", "devstack"),
        ("OS_PASSWORD", "env-override-pass"),
        ("OS_REGION_NAME", "RegionEnv"),
        ("OS_INTERFACE", "internal"),
    ]);
    // openstack.config (default): the named cloud is taken as written.
    let cfg = basic().with_env(vars.clone()).load(None).unwrap();
    assert_eq!(
        cfg.auth.password.as_ref().unwrap().expose(),
        "devstack-secret-7"
    );
    assert_eq!(cfg.region_name.as_deref(), Some("RegionOne"));
    // openstackclient: OS_* values win, selectors stay selectors.
    let cfg = basic()
        .with_env(vars)
        .with_env_overrides(true)
        .load(None)
        .unwrap();
    assert_eq!(cfg.name, "devstack");
    assert_eq!(
        cfg.auth.password.as_ref().unwrap().expose(),
        "env-override-pass"
    );
    assert_eq!(cfg.region_name.as_deref(), Some("RegionEnv"));
    assert_eq!(cfg.interface, Interface::Internal);
    assert_eq!(
        cfg.auth.username.as_deref(),
        Some("admin"),
        "unset variables change nothing"
    );
    // An explicit region (--os-region-name) still beats OS_REGION_NAME.
    let cfg = basic()
        .with_env(env(&[("OS_REGION_NAME", "RegionEnv")]))
        .with_env_overrides(true)
        .with_region("RegionCli")
        .load(Some("devstack"))
        .unwrap();
    assert_eq!(cfg.region_name.as_deref(), Some("RegionCli"));
}

#[test]
fn remaining_os_variables() {
    let cfg = ConfigLoader::new()
        .with_env(env(&[
            ("OS_AUTH_URL", "http://k/v3"),
            ("OS_USERNAME", "u"),
            ("OS_PASSWORD", "p"),
            ("OS_SYSTEM_SCOPE", "all"),
            ("OS_ENDPOINT_TYPE", "adminURL"),
            ("OS_CERT", "/c.pem"),
            ("OS_KEY", "/k.pem"),
            (
                "OS_COMPUTE_ENDPOINT_OVERRIDE",
                "http://nova.example.test/v2.1",
            ),
            ("OS_AUTH_TYPE", "v3password"),
        ]))
        .load(None)
        .unwrap();
    assert_eq!(cfg.auth.system_scope.as_deref(), Some("all"));
    assert_eq!(cfg.interface, Interface::Admin);
    assert_eq!(cfg.cert, Some(PathBuf::from("/c.pem")));
    assert_eq!(cfg.key, Some(PathBuf::from("/k.pem")));
    assert_eq!(
        cfg.endpoint_overrides.get("compute").map(String::as_str),
        Some("http://nova.example.test/v2.1")
    );
    assert_eq!(cfg.auth_type, AuthType::Password);
}
