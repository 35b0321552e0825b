//! Fidelity defects found by clients and schemas nobody here wrote (issue 8, item 8), each
//! answered as upstream Nova 34.0.0 answers it. The expected answers were observed on
//! Nova 34.0.0 (upstream-nova/, fake computes, shipped policy defaults) and read in its
//! source (`api-paste.ini`'s urlmap, oslo.middleware 8.2.0 `cors.py`, `views/flavors.py`,
//! `schemas/servers.py`, `schemas/services.py`, `wsgi.Resource._get_request_content`).

use mock_client::T;
use reqwest::Method;
use serde_json::{json, Value};
use test_support::mock_client;

async fn raw(
    t: &T,
    method: Method,
    path: &str,
    token: Option<&str>,
    version: Option<&str>,
) -> mock_client::Resp {
    let mut rb = t
        .http
        .request(method, format!("{}{path}", t.cloud.base_url()));
    if let Some(tok) = token {
        rb = rb.header("X-Auth-Token", t.token(tok).await);
    }
    if let Some(v) = version {
        rb = rb.header("OpenStack-API-Version", format!("compute {v}"));
    }
    mock_client::to_resp(rb.send().await.unwrap()).await
}

fn bad_request(r: &mock_client::Resp) -> String {
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=UTF-8")
    );
    let (name, code, message) = r.fault();
    assert_eq!((name.as_str(), code), ("badRequest", 400));
    message
}

#[tokio::test]
async fn v21_with_a_trailing_slash_is_the_unauthenticated_version_document() {
    let t = T::default().await;
    let plain = raw(&t, Method::GET, "/v2.1", None, None).await;
    for method in [Method::GET, Method::POST, Method::PUT, Method::DELETE] {
        let r = raw(&t, method.clone(), "/v2.1/", None, None).await;
        assert_eq!(r.status, 200, "{method} /v2.1/: {}", r.text);
        assert_eq!(r.json, plain.json, "{method}");
        assert_eq!(r.header("openstack-api-version"), Some("compute 2.1"));
        assert!(r.header("x-openstack-request-id").is_some());
    }
    assert_eq!(
        plain.json["version"]["links"][0]["href"],
        format!("{}/v2.1/", t.cloud.base_url())
    );
    // Versioned like `/v2.1`: an unsupported version is a 406 there too.
    let r = raw(&t, Method::GET, "/v2.1/", None, Some("2.200")).await;
    assert_eq!(r.status, 406);
    // The root document answers any method too.
    let r = raw(&t, Method::POST, "/", None, None).await;
    assert_eq!(
        (r.status, r.json["versions"][1]["id"].clone()),
        (200, json!("v2.1"))
    );
}

#[tokio::test]
async fn options_is_200_without_a_body_unless_the_app_answers_2xx() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    for (path, token) in [
        ("/v2.1/servers".to_string(), None),
        ("/v2.1/servers".to_string(), Some("admin")),
        (format!("/v2.1/servers/{id}/action"), Some("member")),
        ("/v2.1/no-such-resource".to_string(), Some("admin")),
        ("/no-such-service".to_string(), None),
    ] {
        let r = raw(&t, Method::OPTIONS, &path, token, None).await;
        assert_eq!((r.status, r.text.as_str()), (200, ""), "OPTIONS {path}");
        let mut names: Vec<&str> = r
            .headers
            .keys()
            .map(|k| k.as_str())
            .filter(|k| *k != "date")
            .collect();
        names.sort();
        assert_eq!(names, ["content-length"], "OPTIONS {path}");
        assert_eq!(r.header("content-length"), Some("0"));
    }
    // A non-2xx answer of the version app (406) is replaced too.
    let r = raw(&t, Method::OPTIONS, "/v2.1", None, Some("2.200")).await;
    assert_eq!((r.status, r.text.as_str()), (200, ""));
    // The version documents answer OPTIONS like GET (a 2xx is kept, with its headers).
    for path in ["/", "/v2.1", "/v2.1/"] {
        let get = raw(&t, Method::GET, path, None, None).await;
        let r = raw(&t, Method::OPTIONS, path, None, None).await;
        assert_eq!((r.status, &r.json), (200, &get.json), "OPTIONS {path}");
        assert_eq!(
            r.header("openstack-api-version"),
            get.header("openstack-api-version")
        );
    }
}

#[tokio::test]
async fn flavor_views_per_microversion() {
    let t = T::default().await;
    let keys = |v: &Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    let common_keys = [
        "id",
        "name",
        "ram",
        "disk",
        "swap",
        "OS-FLV-EXT-DATA:ephemeral",
    ];
    for (version, swap, dropped) in [
        ("2.1", json!(""), false),
        ("2.74", json!(""), false),
        ("2.75", json!(0), false),
        ("2.101", json!(0), false),
        ("2.102", json!(0), true),
        ("2.104", json!(0), true),
    ] {
        let show = t.get("admin", "/flavors/1", version).await;
        let detail = t.get("admin", "/flavors/detail?limit=1", version).await;
        for f in [&show.json["flavor"], &detail.json["flavors"][0]] {
            assert_eq!(f["swap"], swap, "{version}");
            let k = keys(f);
            assert_eq!(&k[..6], common_keys, "{version}");
            assert_eq!(
                k.contains(&"OS-FLV-DISABLED:disabled".to_string()),
                !dropped,
                "{version}"
            );
            assert_eq!(
                k.contains(&"rxtx_factor".to_string()),
                !dropped,
                "{version}"
            );
            if !dropped {
                assert_eq!(f["rxtx_factor"], json!(1.0));
                assert_eq!(f["OS-FLV-DISABLED:disabled"], json!(false));
            }
        }
    }
    let at = |v| async move { keys(&t.get("admin", "/flavors/1", v).await.json["flavor"]) };
    assert_eq!(
        at("2.102").await,
        [
            "id",
            "name",
            "ram",
            "disk",
            "swap",
            "OS-FLV-EXT-DATA:ephemeral",
            "vcpus",
            "os-flavor-access:is_public",
            "links",
            "description",
            "extra_specs"
        ]
    );
}

#[tokio::test]
async fn extra_query_parameters_from_2_75() {
    let t = T::default().await;
    for (path, v, status) in [
        ("/os-services?foo=1", "2.1", 200),
        ("/os-services?foo=1", "2.53", 200),
        ("/os-services?foo=1", "2.74", 200),
        ("/servers/detail?foo=1", "2.74", 200),
        ("/servers?foo=1", "2.74", 200),
    ] {
        assert_eq!(
            t.get("admin", path, v).await.status,
            status,
            "{path} at {v}"
        );
    }
    let m = |path: &'static str, v: &'static str, who: &'static str| {
        let t = &t;
        async move { bad_request(&t.get(who, path, v).await) }
    };
    assert_eq!(
        m("/os-services?foo=1", "2.75", "admin").await,
        "Additional properties are not allowed ('foo' was unexpected)"
    );
    assert_eq!(
        m("/os-services?foo=1&bar=2", "2.75", "admin").await,
        "Additional properties are not allowed ('bar', 'foo' were unexpected)"
    );
    // The schema runs before the policy: a member gets the 400, not the 403.
    assert_eq!(
        m("/os-services?foo=1", "2.104", "member").await,
        "Additional properties are not allowed ('foo' was unexpected)"
    );
    // The servers list schema has patternProperties (`^_`), which changes jsonschema's words.
    for v in ["2.75", "2.104"] {
        assert_eq!(
            m("/servers/detail?foo=1", v, "admin").await,
            "'foo' does not match any of the regexes: '^_'"
        );
        assert_eq!(
            m("/servers?foo=1", v, "member").await,
            "'foo' does not match any of the regexes: '^_'"
        );
    }
    assert_eq!(
        m("/servers/detail?foo=1&bar=2", "2.75", "admin").await,
        "'bar', 'foo' do not match any of the regexes: '^_'"
    );
    // `_`-prefixed names pass the schema; the handler rejects them for an admin.
    assert_eq!(
        m("/servers/detail?_foo=1", "2.75", "admin").await,
        "Invalid filter field: _foo."
    );
    assert_eq!(
        m("/servers/detail?changes-since=x", "2.1", "admin").await,
        "Invalid input for query parameters changes-since. Value: x. 'x' is not a 'date-time'"
    );
}

#[tokio::test]
async fn empty_markers_and_bad_times() {
    let t = T::default().await;
    t.create_server("admin").await;
    for (path, v) in [
        ("/os-migrations?marker=", "2.1"),
        ("/os-migrations?marker=", "2.59"),
        ("/os-migrations?marker=", "2.104"),
        ("/servers/detail?marker=", "2.1"),
        ("/servers/detail?marker=", "2.104"),
        ("/os-migrations?changes-since=x", "2.1"),
    ] {
        let r = t.get("admin", path, v).await;
        assert_eq!(r.status, 200, "{path} at {v}: {}", r.text);
    }
    assert_eq!(
        t.get("admin", "/servers/detail?marker=", "2.104")
            .await
            .json["servers"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    for (path, v, message) in [
        (
            "/os-migrations?changes-since=x",
            "2.59",
            "Invalid input for query parameters changes-since. Value: x. 'x' is not a 'date-time'",
        ),
        (
            "/os-migrations?changes-since=x&changes-since=y",
            "2.104",
            "Invalid input for query parameters changes-since. Value: x. 'x' is not a 'date-time'",
        ),
        (
            "/os-migrations?changes-since=",
            "2.59",
            "Invalid input for query parameters changes-since. Value: . '' is not a 'date-time'",
        ),
        (
            "/os-migrations?changes-before=x",
            "2.66",
            "Invalid input for query parameters changes-before. Value: x. 'x' is not a 'date-time'",
        ),
        (
            "/os-migrations?limit=",
            "2.59",
            "Invalid input for query parameters limit. Value: . '' should be non-empty",
        ),
        (
            "/os-migrations?marker=abc",
            "2.59",
            "Marker abc could not be found.",
        ),
        (
            "/servers/detail?marker=abc",
            "2.1",
            "marker [abc] not found",
        ),
    ] {
        assert_eq!(
            bad_request(&t.get("admin", path, v).await),
            message,
            "{path} at {v}"
        );
    }
}

#[tokio::test]
async fn bodies_that_are_missing_are_none_to_the_schema() {
    let t = T::default().await;
    let missing = uuid::Uuid::new_v4();
    let none = "None is not of type 'object'";
    for (method, path, v) in [
        (Method::PUT, format!("/servers/{missing}"), "2.1"),
        (Method::PUT, format!("/servers/{missing}"), "2.104"),
        (Method::POST, "/servers".to_string(), "2.1"),
        (Method::PUT, format!("/os-services/{missing}"), "2.53"),
        (Method::PUT, "/flavors/1".to_string(), "2.55"),
        (Method::POST, "/flavors".to_string(), "2.1"),
    ] {
        let r = t.call("member", method.clone(), &path, Some(v), None).await;
        assert_eq!(bad_request(&r), none, "{method} {path} at {v}");
        assert_eq!(
            r.header("openstack-api-version"),
            Some(format!("compute {v}").as_str())
        );
    }
    // PUT /servers/{id}: schema, then the lookup, then the policy; then the update.
    let put = |who: &'static str, id: String, body: Value, v: &'static str| {
        let t = &t;
        async move {
            t.call(
                who,
                Method::PUT,
                &format!("/servers/{id}"),
                Some(v),
                Some(&body),
            )
            .await
        }
    };
    let r = put("admin", missing.to_string(), json!({}), "2.1").await;
    assert_eq!(bad_request(&r), "'server' is a required property");
    let r = put(
        "admin",
        missing.to_string(),
        json!({"server": {"name": "x"}}),
        "2.1",
    )
    .await;
    assert_eq!(
        (r.status, r.fault().2),
        (404, format!("Instance {missing} could not be found."))
    );
    let id = t.create_server("member").await;
    let r = put("other", id.clone(), json!({"server": {"name": "x"}}), "2.1").await;
    assert_eq!(r.status, 404);
    let r = put(
        "reader",
        id.clone(),
        json!({"server": {"name": "x"}}),
        "2.1",
    )
    .await;
    assert_eq!(
        (r.status, r.fault().2),
        (
            403,
            "Policy doesn't allow os_compute_api:servers:update to be performed.".to_string()
        )
    );
    let r = put(
        "member",
        id.clone(),
        json!({"server": {"name": "renamed", "description": "d"}}),
        "2.19",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (
            r.json["server"]["name"].clone(),
            r.json["server"]["description"].clone()
        ),
        (json!("renamed"), json!("d"))
    );
    assert_eq!(t.server(&id).await["name"], "renamed");
    let r = put(
        "member",
        id,
        json!({"server": {"description": "d"}}),
        "2.18",
    )
    .await;
    assert_eq!(bad_request(&r), "Invalid input for field/attribute server. Value: {'description': 'd'}. Additional properties are not allowed ('description' was unexpected)");
}

/// 2.102 restricts the query parameters of the show and index calls that had no schema
/// (`show_query_v2102`/`index_query_v2102`: additionalProperties False); before, anything
/// passes. The decorator runs before the lookup and the policy.
#[tokio::test]
async fn unknown_query_parameters_of_show_calls_from_2_102() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    let rid = t
        .get(
            "member",
            &format!("/servers/{id}/os-instance-actions"),
            "2.1",
        )
        .await
        .json["instanceActions"][0]["request_id"]
        .as_str()
        .unwrap()
        .to_string();
    let missing = uuid::Uuid::new_v4();
    for path in [
        format!("/servers/{id}?foo=1"),
        format!("/servers/{missing}?foo=1"),
        "/flavors/1?foo=1".to_string(),
        "/flavors/1/os-extra_specs?foo=1".to_string(),
        format!("/servers/{id}/os-instance-actions/{rid}?foo=1"),
        format!("/servers/{id}/migrations?foo=1"),
    ] {
        let before = t.get("admin", &path, "2.101").await;
        assert!(
            before.status == 200 || before.status == 404,
            "{path} at 2.101: {}",
            before.text
        );
        let r = t.get("admin", &path, "2.102").await;
        assert_eq!(
            bad_request(&r),
            "Additional properties are not allowed ('foo' was unexpected)",
            "{path}"
        );
    }
    let r = t
        .get("other", &format!("/servers/{id}?foo=1"), "2.104")
        .await;
    assert_eq!(r.status, 400, "before the lookup");
}
