//! Defects found when Luodi was tried as a new user and as an attacker would (issue 14),
//! each held by a test that failed before its fix, on SQLite and PostgreSQL alike.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::TestApp;
use serde_json::json;

on_both! {
    an_item_returned_before_acceptance_gets_a_clock => returned_before_acceptance;
    the_leader_cannot_raise_blockers => leader_raises_nothing;
    control_characters_are_refused_naming_the_field => control_characters;
    text_after_the_json_body_is_refused => trailing_garbage;
    every_api_error_has_the_shared_shape => shared_error_shape;
    a_query_parameter_given_twice_is_refused => duplicate_parameters;
}

async fn count(app: &TestApp, table: &str) -> i64 {
    use sqlx::Row;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM {table}"
    )))
    .fetch_one(app.store.pool())
    .await
    .unwrap()
    .get("n")
}

async fn department(app: &TestApp) -> i64 {
    use sqlx::Row;
    sqlx::query("SELECT id FROM departments ORDER BY id")
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get("id")
}

/// The id of a not-started item of the approval bureau in Sinopharm's phase 1.
async fn bureau_item(app: &TestApp, token: &str) -> i64 {
    let id = app.sinopharm().await;
    let list = app
        .api(
            "GET",
            &format!("/api/v1/projects/{id}/phases/1/service-list"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    list.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["state"] == "not_started" && i["department"] == "approval-bureau")
        .expect("a bureau item not started")["id"]
        .as_i64()
        .unwrap()
}

/// 1. submit → return → resubmit left the item "accepted" with no clock, and a later
///    accept was refused.
async fn returned_before_acceptance(app: &TestApp) {
    let enterprise = app.token("enterprise@luodi.demo").await;
    let officer = app.token("approval@luodi.demo").await;
    let item = bureau_item(app, &officer).await;
    let url = format!("/api/v1/service-items/{item}/steps");
    let step = |token: &str, body: serde_json::Value| {
        let token = token.to_string();
        let url = url.clone();
        async move {
            app.api("POST", &url, Some(&token), Some(&body.to_string()))
                .await
        }
    };
    let r = step(&enterprise, json!({"kind": "submit", "on": "2026-11-02"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = step(
        &officer,
        json!({"kind": "return", "on": "2026-11-03", "reason": "材料不齐全"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["state"], "incomplete");
    assert_eq!(r.json()["clock"]["status"], "incomplete");
    let r = step(&enterprise, json!({"kind": "resubmit", "on": "2026-11-05"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["state"], "submitted", "waits for acceptance");
    assert_eq!(r.json()["clock"]["status"], "waiting");
    let r = step(&officer, json!({"kind": "accept", "on": "2026-11-06"})).await;
    assert_eq!(r.status, StatusCode::OK, "accept is possible: {}", r.body);
    let item = r.json();
    assert_eq!(item["state"], "accepted");
    assert!(item["clock"]["due"].is_string(), "a due date: {item}");
    assert!(
        ["running", "due_soon", "overdue"].contains(&item["clock"]["status"].as_str().unwrap()),
        "{item}"
    );
}

/// 6. The read-only leader could raise blockers (201).
async fn leader_raises_nothing(app: &TestApp) {
    let leader = app.token("leader@luodi.demo").await;
    let project = app.sinopharm().await;
    let before = count(app, "blockers").await;
    let body = json!({"project_id": project, "category": "land", "title": "领导不应能提", "description": "x", "department_id": department(app).await});
    let r = app
        .api(
            "POST",
            "/api/v1/blockers",
            Some(&leader),
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(count(app, "blockers").await, before);
    // Nor on the page.
    let mut b = app.login("leader@luodi.demo").await;
    let page = b.get(app, "/blockers").await;
    assert!(
        !page.body.contains("name=\"title\""),
        "no raise form for a leader"
    );
}

/// 3. Text with NUL was a 500 on PostgreSQL (stored on SQLite).
async fn control_characters(app: &TestApp) {
    let token = app.token("investment@luodi.demo").await;
    let r = app
        .api("GET", "/api/v1/enterprises?q=%00", Some(&token), None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["code"], "control_character");
    assert_eq!(r.json()["field"], "q");
    let before = count(app, "enterprises").await;
    let uscc = luodi_domain::uscc::Uscc::complete("91370214MA3E0077")
        .unwrap()
        .to_string();
    let body = json!({"uscc": uscc, "name": "a\u{0}b", "industry_code": "2761"}).to_string();
    let r = app
        .api("POST", "/api/v1/enterprises", Some(&token), Some(&body))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["field"], "name");
    assert!(r.json()["message"].as_str().unwrap().contains("U+0000"));
    // Nested, and other control characters (a line feed is text).
    let project = app.sinopharm().await;
    let body = json!({"project_id": project, "category": "land", "title": "ok", "description": "line\nbreak\u{7}", "department_id": department(app).await});
    let r = app
        .api(
            "POST",
            "/api/v1/blockers",
            Some(&token),
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("description"))
    );
    // A form on a page.
    let mut b = app.login("investment@luodi.demo").await;
    let page = b.get(app, "/enterprises/new").await;
    let csrf = page.csrf();
    let r = b
        .post(
            app,
            "/enterprises",
            &[("_csrf", &csrf), ("uscc", &uscc), ("name", "a\u{0}b")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("U+0000"), "{}", r.body);
    assert_eq!(count(app, "enterprises").await, before, "nothing written");
}

/// 4. `{…} xx` created the row.
async fn trailing_garbage(app: &TestApp) {
    let token = app.token("investment@luodi.demo").await;
    let before = count(app, "enterprises").await;
    let uscc = luodi_domain::uscc::Uscc::complete("91370214MA3E0078")
        .unwrap()
        .to_string();
    let body = format!(
        "{} xx",
        json!({"uscc": uscc, "name": "青岛尾随测试有限公司", "industry_code": "2761"})
    );
    let r = app
        .api("POST", "/api/v1/enterprises", Some(&token), Some(&body))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.json()["code"], "malformed_json");
    assert_eq!(count(app, "enterprises").await, before);
    // Trailing white space is still fine.
    let body = format!(
        "{} \n",
        json!({"uscc": uscc, "name": "青岛尾随测试有限公司", "industry_code": "2761"})
    );
    let r = app
        .api("POST", "/api/v1/enterprises", Some(&token), Some(&body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

/// 5. The 413 of a too-large body was plain text on `/api/v1/parcels` and the catalogue.
async fn shared_error_shape(app: &TestApp) {
    let token = app.token("admin@luodi.demo").await;
    for (path, size) in [
        ("/api/v1/parcels", luodi_web::MAX_BODY_BYTES + 10),
        (
            "/api/v1/catalogue",
            luodi_web::api::catalogue::MAX_CATALOGUE_BYTES + 10,
        ),
    ] {
        let req = Request::builder()
            .method("POST")
            .uri(path)
            .header(header::HOST, "luodi.test")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/geo+json")
            .body(Body::from(vec![b' '; size]))
            .unwrap();
        let r = app.send(req).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        assert_eq!(r.json()["code"], "payload_too_large", "{path}: {}", r.body);
        assert!(r.json()["message"].is_string());
    }
    // A method the route lacks.
    let r = app
        .api("DELETE", "/api/v1/enterprises", Some(&token), None)
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.json()["code"], "method_not_allowed");
}

/// 24. `?per_page=5&per_page=abc` was taken silently.
async fn duplicate_parameters(app: &TestApp) {
    let token = app.token("investment@luodi.demo").await;
    let r = app
        .api(
            "GET",
            "/api/v1/enterprises?per_page=5&per_page=abc",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.json()["field"], "per_page");
    assert_eq!(r.json()["code"], "duplicate_parameter");
}
