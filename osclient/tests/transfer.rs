//! `osclient::execute`: the one retry policy per kind of request, and the bounds of each attempt.

use std::time::Duration;

use osclient::{execute, Limits, Repeat, RetryPolicy, TransferError};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn fast() -> RetryPolicy {
    RetryPolicy {
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
        ..RetryPolicy::default()
    }
}

fn limits(timeout_ms: u64) -> Limits {
    Limits {
        timeout: Duration::from_millis(timeout_ms),
        ..Limits::default()
    }
}

/// `status` `times` times, then 200.
async fn flaky(status: u16, times: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(status))
        .up_to_n_times(times)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(status))
        .up_to_n_times(times)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

async fn send(
    server_uri: &str,
    m: reqwest::Method,
    repeat: Repeat,
    l: &Limits,
) -> Result<osclient::Answer, TransferError> {
    let client = reqwest::Client::new();
    let req = client.request(m, server_uri).build().unwrap();
    execute(&client, req, repeat, &fast(), l, None).await
}

async fn seen(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[tokio::test]
async fn gateway_errors_are_retried_for_idempotent_requests_and_said() {
    let server = flaky(503, 2).await;
    let a = send(
        &server.uri(),
        reqwest::Method::GET,
        Repeat::Idempotent,
        &limits(2000),
    )
    .await
    .unwrap();
    assert_eq!(a.status, 200);
    assert_eq!(a.body, b"ok");
    assert_eq!(
        a.retried,
        [
            "HTTP 503 Service Unavailable",
            "HTTP 503 Service Unavailable"
        ]
    );
    assert_eq!(seen(&server).await, 3);
}

#[tokio::test]
async fn a_500_is_an_answer_whatever_the_request() {
    for repeat in [Repeat::Idempotent, Repeat::UnsentOnly, Repeat::Never] {
        let server = flaky(500, 1).await;
        let a = send(&server.uri(), reqwest::Method::GET, repeat, &limits(2000))
            .await
            .unwrap();
        assert_eq!(a.status, 500, "{repeat:?}");
        assert!(a.retried.is_empty());
        assert_eq!(seen(&server).await, 1, "{repeat:?}");
    }
}

#[tokio::test]
async fn the_request_under_test_and_setup_posts_are_sent_once_on_a_502() {
    for repeat in [Repeat::Never, Repeat::UnsentOnly] {
        let server = flaky(502, 5).await;
        let a = send(&server.uri(), reqwest::Method::POST, repeat, &limits(2000))
            .await
            .unwrap();
        assert_eq!(a.status, 502, "{repeat:?}");
        assert_eq!(seen(&server).await, 1, "{repeat:?}");
    }
}

#[tokio::test]
async fn a_setup_post_that_timed_out_is_not_sent_again_but_a_get_is() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(202).set_delay(Duration::from_millis(400)))
        .mount(&server)
        .await;
    let err = send(
        &server.uri(),
        reqwest::Method::POST,
        Repeat::UnsentOnly,
        &limits(100),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, TransferError::Timeout { attempts: 1, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .ends_with(": no whole answer within 0.1 s (api_timeout): no answer"),
        "{err}"
    );
    assert_eq!(seen(&server).await, 1);
    server.reset().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(202).set_delay(Duration::from_millis(400)))
        .mount(&server)
        .await;
    let err = send(
        &server.uri(),
        reqwest::Method::GET,
        Repeat::Idempotent,
        &limits(100),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, TransferError::Timeout { attempts: 4, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_refused_connection_is_retried_even_for_a_setup_post_but_never_for_the_request_under_test(
) {
    let uri = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/x", l.local_addr().unwrap())
    };
    for (repeat, attempts) in [
        (Repeat::UnsentOnly, 4),
        (Repeat::Idempotent, 4),
        (Repeat::Never, 1),
    ] {
        let err = send(&uri, reqwest::Method::POST, repeat, &limits(2000))
            .await
            .unwrap_err();
        match err {
            TransferError::Connect { attempts: n, .. } => assert_eq!(n, attempts, "{repeat:?}"),
            other => panic!("{repeat:?}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn answers_over_the_cap_are_refused_with_their_first_bytes() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("Content-Type", "text/plain")
                .set_body_string("x".repeat(2048)),
        )
        .mount(&server)
        .await;
    let l = Limits {
        max_body: 1024,
        ..limits(2000)
    };
    let err = send(&server.uri(), reqwest::Method::GET, Repeat::Idempotent, &l)
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains(
            "answer larger than the 1024 bytes cap (HTTP 200 OK, text/plain, Content-Length 2048): \"xxxx"
        ),
        "{msg}"
    );
    assert_eq!(
        seen(&server).await,
        1,
        "not retried: the same would come again"
    );
    // At the cap exactly: read whole.
    let l = Limits {
        max_body: 2048,
        ..limits(2000)
    };
    let a = send(&server.uri(), reqwest::Method::GET, Repeat::Idempotent, &l)
        .await
        .unwrap();
    assert_eq!(a.body.len(), 2048);
}
