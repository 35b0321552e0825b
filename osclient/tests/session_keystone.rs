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

fn yaml_with_auth(server: &wiremock::MockServer, auth: &str) -> String {
    format!(
        "clouds:\n  test:\n    auth:\n      auth_url: {}/identity/v3\n{auth}",
        server.uri()
    )
}

#[tokio::test]
async fn expired_token_is_refreshed_and_long_lived_one_reused() {
    // Lifetime 0: the token is stale as soon as it arrives, so every token() re-authenticates.
    let (server, ks) = fake_keystone::start(0).await;
    let cfg = CloudConfig::from_clouds_yaml_str(&fake_keystone::clouds_yaml(&server, ""), "test")
        .unwrap();
    let session = Session::connect(cfg).await.unwrap();
    let first = session.token().await.unwrap();
    let second = session.token().await.unwrap();
    assert_ne!(first, second);
    assert_eq!(ks.tokens_issued(), 3, "connect + two refreshes");
    assert_eq!(session.authentications(), 3);
}

#[tokio::test]
async fn concurrent_token_calls_refresh_once() {
    let (server, ks) = fake_keystone::start(3600).await;
    let cfg = CloudConfig::from_clouds_yaml_str(&fake_keystone::clouds_yaml(&server, ""), "test")
        .unwrap();
    let session = Session::connect(cfg).await.unwrap();
    let stale = session.token().await.unwrap();
    session.invalidate(&stale);
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let s = session.clone();
            tokio::spawn(async move { s.token().await.unwrap() })
        })
        .collect();
    let mut tokens = Vec::new();
    for t in tasks {
        tokens.push(t.await.unwrap());
    }
    assert!(tokens.iter().all(|t| *t == tokens[0]), "{tokens:?}");
    assert_ne!(tokens[0], stale);
    assert_eq!(
        ks.tokens_issued(),
        2,
        "one connect, one refresh for 16 callers"
    );
    // Invalidating an already replaced token does nothing.
    session.invalidate(&stale);
    assert_eq!(session.token().await.unwrap(), tokens[0]);
    assert_eq!(ks.tokens_issued(), 2);
}

#[tokio::test]
async fn application_credential_by_id_and_by_name() {
    let (server, _ks) = fake_keystone::start(3600).await;
    for auth in [
        format!(
            "      application_credential_id: {}\n      application_credential_secret: {}\n",
            fake_keystone::APP_CRED_ID,
            fake_keystone::APP_CRED_SECRET
        ),
        format!(
            "      application_credential_name: ci\n      username: appuser\n      application_credential_secret: {}\n",
            fake_keystone::APP_CRED_SECRET
        ),
        format!(
            "      application_credential_name: ci\n      user_id: u-1\n      application_credential_secret: {}\n    auth_type: v3applicationcredential\n",
            fake_keystone::APP_CRED_SECRET
        ),
    ] {
        let cfg = CloudConfig::from_clouds_yaml_str(&yaml_with_auth(&server, &auth), "test").unwrap();
        assert_eq!(cfg.auth_type, osclient::AuthType::ApplicationCredential);
        let session = Session::connect(cfg).await.unwrap_or_else(|e| panic!("{auth}: {e}"));
        assert_eq!(session.identity().user_name, "appuser");
    }
    let bad = format!(
        "      application_credential_id: {}\n      application_credential_secret: nope\n",
        fake_keystone::APP_CRED_ID
    );
    let cfg = CloudConfig::from_clouds_yaml_str(&yaml_with_auth(&server, &bad), "test").unwrap();
    let err = Session::connect(cfg).await.unwrap_err();
    assert!(err.is_auth_rejected(), "{err}");
    assert!(
        err.to_string()
            .contains("application_credential authentication"),
        "{err}"
    );
}

#[tokio::test]
async fn token_auth_exchanges_the_token() {
    let (server, _ks) = fake_keystone::start(3600).await;
    let yaml = yaml_with_auth(
        &server,
        "      token: gAAAA-given\n      project_name: demo\n",
    );
    let cfg = CloudConfig::from_clouds_yaml_str(&yaml, "test").unwrap();
    assert_eq!(cfg.auth_type, osclient::AuthType::Token);
    let session = Session::connect(cfg).await.unwrap();
    assert_eq!(session.identity().user_name, "tokenuser");
    assert_ne!(session.token().await.unwrap(), "gAAAA-given");

    let yaml = yaml_with_auth(
        &server,
        "      token: not-a-token\n    auth_type: v3token\n",
    );
    let err = Session::connect(CloudConfig::from_clouds_yaml_str(&yaml, "test").unwrap())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("HTTP 404"), "{err}");
    assert!(!err.to_string().contains("not-a-token"), "{err}");
}

#[tokio::test]
async fn scope_and_domains_are_sent_as_keystone_expects() {
    use wiremock::matchers::{body_partial_json, method, path};
    use wiremock::{Mock, MockServer};
    let server = MockServer::start().await;
    // Only the exact expected body gets a token; anything else falls through to 404.
    let expected = serde_json::json!({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "alice", "domain": {"name": "Users"}, "password": fake_keystone::PASSWORD}}},
        "scope": {"project": {"name": "proj", "domain": {"id": "d-42"}}}
    }});
    Mock::given(method("POST"))
        .and(path("/identity/v3/auth/tokens"))
        .and(body_partial_json(expected))
        .respond_with(fake_keystone::responder(&server, 3600))
        .mount(&server)
        .await;
    let yaml = yaml_with_auth(
        &server,
        &format!(
            "      username: alice\n      user_domain_name: Users\n      password: {}\n      project_name: proj\n      project_domain_id: d-42\n",
            fake_keystone::PASSWORD
        ),
    );
    let session = Session::connect(CloudConfig::from_clouds_yaml_str(&yaml, "test").unwrap()).await;
    assert!(session.is_ok(), "{:?}", session.err());
}

#[tokio::test]
async fn unreachable_keystone_and_garbage_answers_are_errors() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    // Nothing listens: take a free port and close it.
    let uri = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let yaml = format!(
        "clouds:\n  dead:\n    auth:\n      auth_url: {uri}/identity/v3\n      username: u\n      password: p\n      project_name: demo\n"
    );
    let opts = osclient::SessionOptions {
        auth_retry: osclient::RetryPolicy::none(),
        ..Default::default()
    };
    let err = Session::connect_with(
        CloudConfig::from_clouds_yaml_str(&yaml, "dead").unwrap(),
        opts.clone(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Transfer { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with("cloud 'dead': POST ")
            && err
                .to_string()
                .contains("/identity/v3/auth/tokens: cannot connect: "),
        "{err}"
    );

    // 201 without X-Subject-Token, and 201 with a non-token body.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/identity/v3/auth/tokens"))
        .respond_with(ResponseTemplate::new(201).set_body_string("{}"))
        .mount(&server)
        .await;
    let yaml = fake_keystone::clouds_yaml(&server, "");
    let err = Session::connect_with(
        CloudConfig::from_clouds_yaml_str(&yaml, "test").unwrap(),
        opts.clone(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::BadTokenResponse { .. }), "{err:?}");
    assert!(err.to_string().contains("X-Subject-Token"), "{err}");

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/identity/v3/auth/tokens"))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("X-Subject-Token", "gAAAA-x")
                .set_body_string("<html>proxy</html>"),
        )
        .mount(&server)
        .await;
    let yaml = fake_keystone::clouds_yaml(&server, "");
    let err = Session::connect_with(
        CloudConfig::from_clouds_yaml_str(&yaml, "test").unwrap(),
        opts,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("not a v3 token"), "{err}");
    assert!(!err.to_string().contains("gAAAA-x"), "{err}");
}

#[tokio::test]
async fn endpoint_override_wins_over_catalog() {
    let (server, _ks) = fake_keystone::start(3600).await;
    let yaml = fake_keystone::clouds_yaml(
        &server,
        "    compute_endpoint_override: http://127.0.0.1:9/custom/v2.1\n",
    );
    let session = Session::connect(CloudConfig::from_clouds_yaml_str(&yaml, "test").unwrap())
        .await
        .unwrap();
    assert_eq!(
        session.endpoint("compute").unwrap().as_str(),
        "http://127.0.0.1:9/custom/v2.1"
    );
    assert_eq!(
        session.endpoint("image").unwrap().as_str(),
        format!("{}/image", server.uri())
    );
}

#[tokio::test]
async fn request_helper_sets_the_token_and_session_debug_is_redacted() {
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, ResponseTemplate};
    let (server, _ks) = fake_keystone::start(3600).await;
    Mock::given(method("GET"))
        .and(path("/compute/v2.1/servers"))
        .and(header("X-Auth-Token", "gAAAA-token-1"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"servers\": []}"))
        .mount(&server)
        .await;
    let session = Session::connect(
        CloudConfig::from_clouds_yaml_str(&fake_keystone::clouds_yaml(&server, ""), "test")
            .unwrap(),
    )
    .await
    .unwrap();
    let url = session
        .endpoint("compute")
        .unwrap()
        .join("v2.1/servers")
        .unwrap();
    let resp = session
        .request(reqwest::Method::GET, url)
        .await
        .unwrap()
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    let debug = format!("{session:?} {:?} {}", session.config(), session.config());
    assert!(!debug.contains("gAAAA-token-1"), "{debug}");
    assert!(!debug.contains(fake_keystone::PASSWORD), "{debug}");
    assert!(debug.contains("<redacted>"), "{debug}");
}

#[tokio::test]
async fn send_reauthenticates_once_on_401_and_retries_gateway_errors() {
    use std::time::Duration;
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, ResponseTemplate};
    let (server, ks) = fake_keystone::start(3600).await;
    // The first token is refused by "Nova" (revoked), the second accepted.
    for m in ["GET", "POST"] {
        Mock::given(method(m))
            .and(path("/compute/v2.1/servers"))
            .and(header("X-Auth-Token", "gAAAA-token-1"))
            .respond_with(ResponseTemplate::new(401))
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/compute/v2.1/servers"))
        .and(header("X-Auth-Token", "gAAAA-token-2"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/compute/v2.1/servers"))
        .and(header("X-Auth-Token", "gAAAA-token-2"))
        .respond_with(ResponseTemplate::new(200))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/compute/v2.1/servers"))
        .and(header("X-Auth-Token", "gAAAA-token-2"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let opts = osclient::SessionOptions {
        retry: osclient::RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(2),
            ..Default::default()
        },
        ..Default::default()
    };
    let cfg = CloudConfig::from_clouds_yaml_str(&fake_keystone::clouds_yaml(&server, ""), "test")
        .unwrap();
    let session = Session::connect_with(cfg, opts).await.unwrap();
    let url = format!("{}/compute/v2.1/servers", server.uri());

    // GET: 401 -> new token -> 503 -> retried -> 200.
    let resp = session.send(session.http().get(&url)).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(ks.tokens_issued(), 2);

    // POST with the new token: the 503 is returned, not retried.
    let before = server.received_requests().await.unwrap().len();
    let resp = session
        .send(session.http().post(&url).body("{}"))
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    assert_eq!(server.received_requests().await.unwrap().len(), before + 1);
}

#[tokio::test]
async fn identity_endpoint_falls_back_to_auth_url() {
    let server = wiremock::MockServer::start().await;
    let catalog = serde_json::json!([{"type": "compute", "endpoints": [
        {"interface": "public", "region_id": "RegionOne", "url": format!("{}/compute/v2.1", server.uri())}]}]);
    let (server, _ks) = fake_keystone::start_on(server, 3600, catalog).await;
    let cfg = CloudConfig::from_clouds_yaml_str(&fake_keystone::clouds_yaml(&server, ""), "test")
        .unwrap();
    let session = Session::connect(cfg).await.unwrap();
    assert_eq!(
        session.endpoint("identity").unwrap().as_str(),
        format!("{}/identity", server.uri())
    );
    assert!(session.endpoint("image").is_err());
}

#[tokio::test]
async fn wrong_auth_url_gets_a_hint() {
    let server = wiremock::MockServer::start().await; // answers 404 to everything
    let yaml = format!(
        "clouds:\n  w:\n    auth:\n      auth_url: {}/not-keystone\n      username: u\n      password: p\n",
        server.uri()
    );
    let err = Session::connect(CloudConfig::from_clouds_yaml_str(&yaml, "w").unwrap())
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("HTTP 404") && msg.contains("is auth_url"),
        "{msg}"
    );
    assert!(msg.contains("/not-keystone/v3/auth/tokens"), "{msg}");
}

#[test]
fn public_types_can_be_shared_between_tasks() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<Session>();
    shareable::<CloudConfig>();
    shareable::<osclient::ConfigLoader>();
    shareable::<osclient::Identity>();
    // Errors go into anyhow/Box<dyn Error + Send + Sync> in the binaries.
    shareable::<Error>();
    fn is_error<E: std::error::Error>() {}
    is_error::<Error>();
}

#[tokio::test]
async fn oversized_token_answer_is_refused() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/identity/v3/auth/tokens"))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("X-Subject-Token", "gAAAA-big")
                .set_body_bytes(vec![b' '; 17 << 20]),
        )
        .mount(&server)
        .await;
    let cfg = CloudConfig::from_clouds_yaml_str(&fake_keystone::clouds_yaml(&server, ""), "test")
        .unwrap();
    let err = Session::connect(cfg).await.unwrap_err();
    assert!(matches!(err, Error::Transfer { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("answer larger than the 16 MiB cap (HTTP 201 Created, no content type, Content-Length 17825792)"),
        "{err}"
    );
}

#[tokio::test]
async fn unscoped_token_explains_the_empty_catalog() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/identity/v3/auth/tokens"))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("X-Subject-Token", "gAAAA-unscoped")
                .set_body_json(serde_json::json!({"token": {
                    "expires_at": "2999-01-01T00:00:00Z",
                    "user": {"id": "u", "name": "u"},
                    "methods": ["password"]
                }})),
        )
        .mount(&server)
        .await;
    let yaml = format!(
        "clouds:\n  c:\n    auth:\n      auth_url: {}/identity/v3\n      user_id: u\n      password: p\n",
        server.uri()
    );
    let session = Session::connect(CloudConfig::from_clouds_yaml_str(&yaml, "c").unwrap())
        .await
        .unwrap();
    assert_eq!(session.identity().project_id, None);
    let err = session.endpoint("compute").unwrap_err();
    assert!(err.to_string().contains("the token is unscoped"), "{err}");
}
