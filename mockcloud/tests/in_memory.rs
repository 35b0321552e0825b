//! The router without a socket, driven by tower's `oneshot`.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use mockcloud::MockCloud;
use tower::ServiceExt;

#[tokio::test]
async fn router_serves_in_memory() {
    let (router, state) = MockCloud::builder().into_router_with_state();
    let resp = router
        .clone()
        .oneshot(
            Request::get("/")
                .header("host", "mock.test")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        doc["versions"][1]["links"][0]["href"],
        "http://mock.test/v2.1/"
    );
    // Authenticate and list servers, all in memory.
    let c = state
        .credentials()
        .into_iter()
        .find(|c| c.cloud == "admin")
        .unwrap();
    let auth = serde_json::json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": c.username, "domain": {"name": "Default"}, "password": c.password}}}, "scope": {"project": {"name": "demo", "domain": {"name": "Default"}}}}});
    let resp = router
        .clone()
        .oneshot(
            Request::post("/identity/v3/auth/tokens")
                .header("content-type", "application/json")
                .body(Body::from(auth.to_string()))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let tok = resp.headers()["x-subject-token"]
        .to_str()
        .unwrap()
        .to_string();
    let resp = router
        .oneshot(
            Request::get("/v2.1/servers")
                .header("x-auth-token", tok)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}
