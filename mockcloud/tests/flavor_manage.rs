//! Flavor create/delete and os-extra_specs; a created flavor is usable for resize.

use mock_client::T;
use reqwest::Method;
use serde_json::json;
use test_support::mock_client;
use test_support::mock_client::Expect;

#[tokio::test]
async fn create_use_and_delete_a_flavor() {
    let t = T::default().await;
    let body =
        json!({"flavor": {"name": "m1.custom", "id": "42", "ram": 1024, "vcpus": 2, "disk": 10}});
    t.call(
        "member",
        Method::POST,
        "/flavors",
        Some("2.55"),
        Some(&body),
    )
    .await
    .check(&Expect::Named("forbidden"), "");
    let r = t
        .call("admin", Method::POST, "/flavors", Some("2.55"), Some(&body))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["flavor"]["id"], "42");
    assert_eq!(r.json["flavor"]["description"], serde_json::Value::Null);
    t.call("admin", Method::POST, "/flavors", Some("2.55"), Some(&body))
        .await
        .check(
            &Expect::nova(
                "conflictingRequest",
                409,
                "Flavor with name m1.custom already exists.",
            ),
            "",
        );
    t.call(
        "admin",
        Method::POST,
        "/flavors",
        Some("2.1"),
        Some(&json!({"flavor": {"name": "x", "ram": 0, "vcpus": 1, "disk": 1}})),
    )
    .await
    .check(
        &Expect::message(
            "Invalid input for field/attribute ram. Value: 0. 0 is less than the minimum of 1",
        ),
        "",
    );
    // Extra specs.
    let r = t
        .call(
            "admin",
            Method::POST,
            "/flavors/42/os-extra_specs",
            Some("2.1"),
            Some(&json!({"extra_specs": {"hw:cpu_policy": "dedicated", "n": 1}})),
        )
        .await;
    assert_eq!(
        r.json,
        json!({"extra_specs": {"hw:cpu_policy": "dedicated", "n": "1"}})
    );
    let r = t
        .get("member", "/flavors/42/os-extra_specs/hw:cpu_policy", "2.1")
        .await;
    assert_eq!(r.json, json!({"hw:cpu_policy": "dedicated"}));
    let r = t
        .call(
            "admin",
            Method::PUT,
            "/flavors/42/os-extra_specs/n",
            Some("2.1"),
            Some(&json!({"n": "2"})),
        )
        .await;
    assert_eq!(r.json, json!({"n": "2"}));
    assert_eq!(
        t.call(
            "admin",
            Method::DELETE,
            "/flavors/42/os-extra_specs/n",
            Some("2.1"),
            None
        )
        .await
        .status,
        // Nova answers 200 here (flavors_extraspecs.py has no @wsgi.response); Tempest checks it.
        200
    );
    assert_eq!(
        t.get("member", "/flavors/42/os-extra_specs/n", "2.1")
            .await
            .fault()
            .2,
        "Flavor 42 has no extra specs with key n."
    );
    let r = t.get("member", "/flavors/42", "2.61").await;
    assert_eq!(
        r.json["flavor"]["extra_specs"],
        json!({"hw:cpu_policy": "dedicated"})
    );
    // Resize to it, then delete it.
    let id = t.create_server("member").await;
    t.action("member", &id, "2.1", json!({"resize": {"flavorRef": "42"}}))
        .await
        .check(&Expect::Status(202), "");
    assert_eq!(t.server(&id).await["flavor"]["original_name"], "m1.custom");
    t.call("admin", Method::DELETE, "/flavors/42", Some("2.1"), None)
        .await
        .check(&Expect::Status(202), "");
    assert_eq!(
        t.call("admin", Method::DELETE, "/flavors/42", Some("2.1"), None)
            .await
            .fault()
            .2,
        "Flavor 42 could not be found."
    );
}

/// Tempest's `create_flavor` sends a random integer id (`data_utils.rand_int_id`) and a swap
/// size; Nova stores `str(id)` and rejects ids with surrounding spaces.
#[tokio::test]
async fn integer_flavor_id_with_swap_as_tempest_sends_it() {
    let t = T::default().await;
    let body = json!({"flavor": {"name": "swap-flavor", "id": 1359199427u64, "ram": 1024,
                      "vcpus": 1, "disk": 1, "swap": 1, "os-flavor-access:is_public": "True"}});
    let r = t
        .call("admin", Method::POST, "/flavors", Some("2.1"), Some(&body))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["flavor"]["id"], "1359199427");
    assert_eq!(r.json["flavor"]["swap"], 1);
    let r = t.get("admin", "/flavors/1359199427", "2.1").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["flavor"]["name"], "swap-flavor");
    t.call("admin", Method::POST, "/flavors", Some("2.1"), Some(&json!({"flavor": {"name": "sp", "id": "a ", "ram": 1, "vcpus": 1, "disk": 1}}))).await.check(&Expect::message("Invalid input for field/attribute id. Value: a . 'a ' does not match '^(?! )[a-zA-Z0-9. _-]+(?<! )$'"), "");
    t.call(
        "admin",
        Method::POST,
        "/flavors",
        Some("2.1"),
        Some(&json!({"flavor": {"name": "sp", "ram": "", "vcpus": 1, "disk": 1}})),
    )
    .await
    .check(
        &Expect::message(
            "Invalid input for field/attribute ram. Value: . '' does not match '^[0-9]+$'",
        ),
        "",
    );
}

#[tokio::test]
async fn update_the_description_from_2_55() {
    let t = T::default().await;
    let body = json!({"flavor": {"description": "small and cheap"}});
    let r = t
        .call(
            "admin",
            Method::PUT,
            "/flavors/1",
            Some("2.55"),
            Some(&body),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["flavor"]["description"], "small and cheap");
    assert_eq!(r.json["flavor"]["name"], "m1.tiny");
    assert_eq!(
        t.get("admin", "/flavors/1", "2.55").await.json["flavor"]["description"],
        "small and cheap"
    );
    t.call(
        "admin",
        Method::PUT,
        "/flavors/1",
        Some("2.54"),
        Some(&body),
    )
    .await
    .check(&Expect::Named("itemNotFound"), "");
    t.call(
        "member",
        Method::PUT,
        "/flavors/1",
        Some("2.55"),
        Some(&body),
    )
    .await
    .check(&Expect::Named("forbidden"), "");
    // `required` precedes `additionalProperties` in Nova's schema, so it is reported first.
    t.call("admin", Method::PUT, "/flavors/1", Some("2.55"), Some(&json!({"flavor": {"name": "x"}}))).await.check(&Expect::message("Invalid input for field/attribute flavor. Value: {'name': 'x'}. 'description' is a required property"), "");
    t.call(
        "admin",
        Method::PUT,
        "/flavors/nope",
        Some("2.55"),
        Some(&body),
    )
    .await
    .check(&Expect::message("Flavor nope could not be found."), "");
}
