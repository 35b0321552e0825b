//! The retry helper: idempotent requests retried on 502/503/504 and connection errors, POST
//! never.

use std::time::Duration;

use osclient::RetryPolicy;
use reqwest::Method;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn fast(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
        ..RetryPolicy::default()
    }
}

/// `first` answers `status` `times` times, then 200.
async fn flaky(m: &str, status: u16, times: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(m))
        .and(path("/x"))
        .respond_with(ResponseTemplate::new(status))
        .up_to_n_times(times)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method(m))
        .and(path("/x"))
        .respond_with(ResponseTemplate::new(200))
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn idempotent_methods_are_retried_on_gateway_errors() {
    let client = reqwest::Client::new();
    for (m, status) in [("GET", 503), ("DELETE", 502), ("PUT", 504), ("HEAD", 503)] {
        let server = flaky(m, status, 2).await;
        let req = client.request(
            Method::from_bytes(m.as_bytes()).unwrap(),
            format!("{}/x", server.uri()),
        );
        let resp = fast(3).send(req).await.unwrap();
        assert_eq!(resp.status(), 200, "{m} after two {status}");
        assert_eq!(server.received_requests().await.unwrap().len(), 3, "{m}");
    }
}

#[tokio::test]
async fn retries_are_bounded_and_the_last_answer_returned() {
    let client = reqwest::Client::new();
    let server = flaky("GET", 503, 10).await;
    let resp = fast(2)
        .send(client.get(format!("{}/x", server.uri())))
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        3,
        "1 try + 2 retries"
    );
}

#[tokio::test]
async fn post_is_never_retried() {
    let client = reqwest::Client::new();
    let server = flaky("POST", 503, 1).await;
    let resp = fast(5)
        .send(
            client
                .post(format!("{}/x", server.uri()))
                .body("{\"migrate\": null}"),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn other_errors_are_answers_not_retries() {
    let client = reqwest::Client::new();
    for status in [500, 404, 409, 400] {
        let server = flaky("GET", status, 1).await;
        let resp = fast(5)
            .send(client.get(format!("{}/x", server.uri())))
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), status);
        assert_eq!(
            server.received_requests().await.unwrap().len(),
            1,
            "{status}"
        );
    }
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported() {
    let uri = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/x", l.local_addr().unwrap())
    };
    let client = reqwest::Client::new();
    let err = fast(2).send(client.get(&uri)).await.unwrap_err();
    assert!(err.is_connect(), "{err}");
    assert_eq!(RetryPolicy::classify(&err), osclient::Failure::Connect);
}

#[tokio::test]
async fn retry_after_is_honoured_within_the_cap() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "3600"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(204))
        .with_priority(2)
        .mount(&server)
        .await;
    // Retry-After: 3600 is capped by max_backoff (5 ms), so this returns promptly with 204.
    let resp = fast(1)
        .send(reqwest::Client::new().get(server.uri()))
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
}

#[tokio::test]
async fn dropped_connection_is_retried_for_get() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        // First connection: read the request, then hang up without answering.
        let (mut first, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 1024];
        let _ = first.read(&mut buf).await;
        drop(first);
        let (mut second, _) = listener.accept().await.unwrap();
        let _ = second.read(&mut buf).await;
        second
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            .await
            .unwrap();
        let _ = second.shutdown().await;
    });
    let resp = fast(2)
        .send(reqwest::Client::new().get(format!("http://{addr}/x")))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.text().await.unwrap(), "ok");
    server.await.unwrap();
}
