//! HEAD requests. Nova's router (the `routes` library) matches a route's method exactly
//! and declares no HEAD route, so a HEAD under `/v2.1/` is the router's webob 404; webob
//! answers HEAD with the exception's bodiless default Response. The version documents
//! (`/`, `/v2.1`, `/v2.1/`) are `wsgi.Resource`s outside the router and answer any method
//! like GET.

use mock_client::T;
use reqwest::Method;
use test_support::mock_client;
use test_support::mock_client::Expect;

fn assert_webob_head_404(r: &mock_client::Resp) {
    assert_bodiless_404(r);
    let rid = r.header("x-openstack-request-id").expect("request id");
    assert!(rid.starts_with("req-"), "{rid}");
    assert_eq!(r.header("x-compute-request-id"), Some(rid));
    assert_eq!(r.header("openstack-api-version"), None);
    assert_eq!(r.header("x-openstack-nova-api-version"), None);
}

/// Outside `/v2.1/` (paste's urlmap miss) there is no request-id middleware.
fn assert_bodiless_404(r: &mock_client::Resp) {
    assert_eq!(r.status, 404, "{}", r.text);
    assert_eq!(r.text, "");
    assert_eq!(r.header("content-type"), Some("text/html; charset=UTF-8"));
    assert_eq!(r.header("content-length"), Some("0"));
}

#[tokio::test]
async fn head_on_a_get_route_is_the_routers_404() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    for path in [
        "/servers".to_string(),
        format!("/servers/{id}"),
        "/servers/detail".into(),
        "/flavors".into(),
        "/os-migrations".into(),
    ] {
        let r = t
            .call("admin", Method::HEAD, &path, Some("2.56"), None)
            .await;
        assert_webob_head_404(&r);
    }
    // The GET on the same path is served.
    t.get("admin", &format!("/servers/{id}"), "2.56")
        .await
        .check(&Expect::Status(200), "");
}

#[tokio::test]
async fn head_404_ignores_accept_and_applies_to_unknown_paths() {
    let t = T::default().await;
    let tok = t.token("admin").await;
    for (url, in_nova) in [
        (format!("{}/servers", t.cloud.compute_url()), true),
        (format!("{}/no-such-thing", t.cloud.compute_url()), true),
        (format!("{}/no-such-service", t.cloud.base_url()), false),
    ] {
        let r = t
            .http
            .head(&url)
            .header("x-auth-token", &tok)
            .header("accept", "application/json")
            .send()
            .await
            .unwrap();
        let r = mock_client::to_resp(r).await;
        if in_nova {
            assert_webob_head_404(&r);
        } else {
            assert_bodiless_404(&r);
        }
    }
}

#[tokio::test]
async fn head_without_token_is_still_401() {
    let t = T::default().await;
    let r = t
        .http
        .head(format!("{}/servers", t.cloud.compute_url()))
        .send()
        .await
        .unwrap();
    let r = mock_client::to_resp(r).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.text, "");
    assert!(r.header("www-authenticate").is_some());
}

#[tokio::test]
async fn head_on_the_version_documents_is_get_without_a_body() {
    let t = T::default().await;
    for url in [
        format!("{}/", t.cloud.base_url()),
        t.cloud.compute_url().to_string(),
        // `/v2.1/` is the version app too (paste's urlmap), not the router.
        format!("{}/", t.cloud.compute_url()),
    ] {
        let get = mock_client::to_resp(t.http.get(&url).send().await.unwrap()).await;
        let head = mock_client::to_resp(t.http.head(&url).send().await.unwrap()).await;
        assert_eq!(head.status, get.status, "{url}");
        assert_eq!(head.text, "", "{url}");
        assert_eq!(
            head.header("content-length").map(str::to_string),
            Some(get.text.len().to_string()),
            "{url}"
        );
        assert_eq!(head.header("content-type"), get.header("content-type"));
        assert_eq!(
            head.header("openstack-api-version"),
            get.header("openstack-api-version")
        );
    }
}
