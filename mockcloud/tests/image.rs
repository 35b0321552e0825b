//! Image v2 under /image and the deprecated compute image proxy (<= 2.35).

use mock_client::{to_resp, T};
use test_support::mock_client;
use test_support::mock_client::Expect;

#[tokio::test]
async fn image_v2_lists_and_resolves_by_name() {
    let t = T::default().await;
    let base = t.cloud.base_url().to_string();
    let r = to_resp(t.http.get(format!("{base}/image")).send().await.unwrap()).await;
    assert_eq!(r.status, 300);
    let r = to_resp(
        t.http
            .get(format!("{base}/image/v2/images"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 401);
    let tok = t.token("member").await;
    let r = to_resp(
        t.http
            .get(format!(
                "{base}/image/v2/images?name=cirros-0.6.2-x86_64-disk"
            ))
            .header("x-auth-token", &tok)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.json["images"][0]["id"], mockcloud::CIRROS_IMAGE_ID);
    let r = to_resp(
        t.http
            .get(format!("{base}/image/v2/images?name=nope"))
            .header("x-auth-token", &tok)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.json["images"].as_array().unwrap().len(), 0);
    let r = to_resp(
        t.http
            .get(format!(
                "{base}/image/v2/images/{}",
                mockcloud::CIRROS_IMAGE_ID
            ))
            .header("x-auth-token", &tok)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.json["disk_format"], "qcow2");
}

#[tokio::test]
async fn compute_image_proxy_until_2_35() {
    let t = T::default().await;
    let r = t.get("member", "/images/detail", "2.35").await;
    assert_eq!(r.json["images"][0]["status"], "ACTIVE");
    t.get("member", "/images", "2.36").await.check(
        &Expect::nova("itemNotFound", 404, "The resource could not be found."),
        "",
    );
}
