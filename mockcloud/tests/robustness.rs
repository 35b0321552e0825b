//! Bad input: malformed bodies, unknown actions, content types, body limits,
//! unknown paths and methods, odd version headers. Never a panic or a 5xx.

use mock_client::{to_resp, T};
use serde_json::json;
use test_support::mock_client;
use test_support::mock_client::Expect;

async fn raw_action(t: &T, id: &str, body: Vec<u8>, ctype: Option<&str>) -> mock_client::Resp {
    let tok = t.token("admin").await;
    let mut rb = t
        .http
        .post(format!("{}/servers/{id}/action", t.cloud.compute_url()))
        .header("x-auth-token", tok)
        .header("OpenStack-API-Version", "compute 2.56")
        .body(body);
    if let Some(c) = ctype {
        rb = rb.header("content-type", c);
    }
    to_resp(rb.send().await.unwrap()).await
}

#[tokio::test]
async fn malformed_bodies() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    for body in [
        &b"{"[..],
        b"",
        b"{}",
        b"{\"a\": 1, \"b\": 2}",
        b"\xff\xfe",
        b"[1, 2]",
        b"\"ab\"",
    ] {
        let r = raw_action(&t, &id, body.to_vec(), Some("application/json")).await;
        r.check(
            &Expect::nova("badRequest", 400, "Malformed request body"),
            &format!("{body:?}"),
        );
    }
    // Values without keys() but with len() == 1, or without len(): Nova's 404.
    for body in [&b"[1]"[..], b"\"a\"", b"5", b"null", b"true"] {
        let r = raw_action(&t, &id, body.to_vec(), Some("application/json")).await;
        r.check(
            &Expect::nova("itemNotFound", 404, "The resource could not be found."),
            &format!("{body:?}"),
        );
    }
    let deep = "[".repeat(10_000);
    let r = raw_action(&t, &id, deep.into_bytes(), Some("application/json")).await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn unknown_and_unmodelled_actions() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    t.action("admin", &id, "2.56", json!({"foo": null}))
        .await
        .check(
            &Expect::nova("badRequest", 400, "There is no such action: foo"),
            "",
        );
    t.action("admin", &id, "2.56", json!({"reboot": {"type": "SOFT"}}))
        .await
        .check(&Expect::Named("notImplemented"), "");
}

#[tokio::test]
async fn unsupported_content_type_is_415_with_version_headers() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    let r = raw_action(
        &t,
        &id,
        b"{\"migrate\": null}".to_vec(),
        Some("application/xml"),
    )
    .await;
    r.check(
        &Expect::nova("badMediaType", 415, "Unsupported Content-Type"),
        "",
    );
    assert_eq!(r.header("openstack-api-version"), Some("compute 2.56"));
    // text/plain and the vendor type are accepted.
    for ct in [
        "text/plain",
        "application/vnd.openstack.compute+json",
        "application/json; charset=UTF-8",
    ] {
        let id = t.create_server("member").await;
        let r = raw_action(&t, &id, b"{\"migrate\": null}".to_vec(), Some(ct)).await;
        assert_eq!(r.status, 202, "{ct}: {}", r.text);
    }
}

#[tokio::test]
async fn body_over_the_limit_is_413() {
    let t = T::default().await;
    let id = t.create_server("member").await;
    let big = format!("{{\"migrate\": {{\"host\": \"{}\"}}}}", "a".repeat(120_000));
    let r = raw_action(&t, &id, big.into_bytes(), Some("application/json")).await;
    assert_eq!(r.status, 413);
    assert!(
        r.text
            .contains("Request is too large. Larger than max_request_body_size (%s)."),
        "{}",
        r.text
    );
    assert!(r.header("x-openstack-request-id").is_some());
    // Chunked (no Content-Length) bodies are limited while read.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let tok = t.token("admin").await;
    let mut sock = tokio::net::TcpStream::connect(t.cloud.addr())
        .await
        .unwrap();
    let head = format!(
        "POST /v2.1/servers/{id}/action HTTP/1.1\r\nHost: {}\r\nX-Auth-Token: {tok}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        t.cloud.addr()
    );
    sock.write_all(head.as_bytes()).await.unwrap();
    let chunk = format!("{:x}\r\n{}\r\n", 10_000, " ".repeat(10_000));
    for _ in 0..12 {
        if sock.write_all(chunk.as_bytes()).await.is_err() {
            break;
        }
    }
    let _ = sock.write_all(b"0\r\n\r\n").await;
    let mut out = Vec::new();
    let _ = sock.read_to_end(&mut out).await;
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(
        text.contains("Request is too large. Larger than 114688."),
        "{text}"
    );
}

#[tokio::test]
async fn unknown_paths_and_methods_are_webob_404s() {
    let t = T::default().await;
    let tok = t.token("admin").await;
    // Without a token, keystonemiddleware answers first.
    let r = to_resp(
        t.http
            .get(format!("{}/nope", t.cloud.compute_url()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 401);
    for (method, path) in [
        ("GET", "/nope"),
        ("PUT", "/servers"),
        ("DELETE", "/servers/detail"),
        ("GET", "/servers/x/action"),
    ] {
        let r = t
            .http
            .request(
                method.parse().unwrap(),
                format!("{}{path}", t.cloud.compute_url()),
            )
            .header("x-auth-token", &tok)
            .header("accept", "application/json")
            .send()
            .await
            .unwrap();
        let r = to_resp(r).await;
        assert_eq!(r.status, 404, "{method} {path}");
        assert_eq!(r.json["title"], "Not Found");
        assert_eq!(
            r.header("openstack-api-version"),
            None,
            "router misses carry no version headers"
        );
        assert!(r.header("x-compute-request-id").is_some());
    }
    let r = to_resp(
        t.http
            .get(format!("{}/totally/elsewhere", t.cloud.base_url()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn bad_version_headers() {
    let t = T::default().await;
    let tok = t.token("admin").await;
    for (hdr, status) in [
        ("compute 2.x", 400),
        ("compute 02.1", 400),
        ("compute 2.200", 406),
        ("compute 1.0", 406),
        ("compute \u{e9}", 400),
    ] {
        let rb = t
            .http
            .get(format!("{}/servers", t.cloud.compute_url()))
            .header("x-auth-token", &tok)
            .header(
                "OpenStack-API-Version",
                reqwest::header::HeaderValue::from_bytes(hdr.as_bytes()).unwrap(),
            );
        let r = to_resp(rb.send().await.unwrap()).await;
        assert_eq!(r.status, status, "{hdr}: {}", r.text);
        if status == 400 {
            assert!(r
                .fault()
                .2
                .ends_with("is of invalid format. Must be of format MajorNum.MinorNum."));
            assert_eq!(r.header("openstack-api-version"), None);
        } else {
            assert_eq!(r.fault().0, "computeFault");
            assert!(r.header("openstack-api-version").is_some());
        }
    }
    // Invalid-UTF-8 auth tokens are simply invalid.
    let r = t
        .http
        .get(format!("{}/servers", t.cloud.compute_url()))
        .header(
            "x-auth-token",
            reqwest::header::HeaderValue::from_bytes(b"\xff\xfe").unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test]
async fn method_misses_have_no_allow_header() {
    let t = T::default().await;
    let tok = t.token("admin").await;
    let r = t
        .http
        .delete(format!("{}/servers", t.cloud.compute_url()))
        .header("x-auth-token", &tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    assert!(r.headers().get("allow").is_none(), "{:?}", r.headers());
}
