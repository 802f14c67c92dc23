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
    webhooks_never_reach_internal_addresses => internal_webhooks;
    a_password_reset_ends_tokens_and_tokens_expire => tokens_end;
    parallel_wrong_passwords_check_at_most_the_limit => throttle_race;
    one_address_cannot_try_every_account => throttle_address;
    the_current_password_check_is_throttled => throttle_current_password;
    metrics_only_for_the_allowed => metrics_restricted;
    pages_and_answers_are_not_cached => no_store;
    an_unreachable_database_answers_503_at_once => database_down;
    refusals_and_timelines_read_in_the_users_language => words;
    unknown_conditions_are_forecast_apart => unconfirmed_forecast;
}

mod allowed {
    use super::{allowed_internal_webhook, loopback_allowed};
    use crate::on_both_with;
    on_both_with! { super::loopback_allowed;
        the_operator_may_allow_a_named_internal_host => allowed_internal_webhook;
    }
}

fn loopback_allowed() -> common::Config {
    let mut c = common::Config::default();
    c.app.outbound.allow_hosts = vec!["127.0.0.1".into()];
    c
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

/// Point 1: submit → return → resubmit left the item "accepted" with no clock, and a later
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

/// Point 6: The read-only leader could raise blockers (201).
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

/// Point 3: Text with NUL was a 500 on PostgreSQL (stored on SQLite).
async fn control_characters(app: &TestApp) {
    let token = app.token("investment@luodi.demo").await;
    let r = app
        .api("GET", "/api/v1/enterprises?q=%00", Some(&token), None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["code"], "control_character");
    assert_eq!(r.json()["field"], "q");
    let before = count(app, "enterprises").await;
    let uscc = luodi_domain::core::uscc::Uscc::complete("91370214MA3E0077")
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
    // The same form with another Content-Type (pages read any body as a form).
    let body = serde_urlencoded::to_string([
        ("_csrf", csrf.as_str()),
        ("uscc", &uscc),
        ("name", "a\u{0}b"),
    ])
    .unwrap();
    let req = Request::builder()
        .method("POST")
        .uri("/enterprises")
        .header(header::HOST, "luodi.test")
        .header(header::ORIGIN, "http://luodi.test")
        .header(
            header::COOKIE,
            format!("luodi_session={}", b.cookie("luodi_session").unwrap()),
        )
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(body))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(count(app, "enterprises").await, before, "nothing written");
}

/// Point 4: `{…} xx` created the row.
async fn trailing_garbage(app: &TestApp) {
    let token = app.token("investment@luodi.demo").await;
    let before = count(app, "enterprises").await;
    let uscc = luodi_domain::core::uscc::Uscc::complete("91370214MA3E0078")
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

/// Point 5: The 413 of a too-large body was plain text on `/api/v1/parcels` and the catalogue.
async fn shared_error_shape(app: &TestApp) {
    let token = app.token("admin@luodi.demo").await;
    for (path, size) in [
        ("/api/v1/parcels", luodi_web::MAX_BODY_BYTES + 10),
        (
            "/api/v1/catalogue",
            luodi_web::approvals::api::catalogue::MAX_CATALOGUE_BYTES + 10,
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

/// Point 24: `?per_page=5&per_page=abc` was taken silently.
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

/// Point 9: Webhooks reached internal addresses (`http://169.254.169.254/…`, `localhost:5432`).
async fn internal_webhooks(app: &TestApp) {
    let admin = app.token("admin@luodi.demo").await;
    let before = count(app, "audit_log").await;
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost:5432/",
        "http://127.0.0.1:8080/x",
        "http://[::1]/x",
        "http://10.0.0.8/hook",
        "http://[::ffff:192.168.1.1]/hook",
        // Spellings the HTTP client reads as an internal address.
        "http://169.254.169.254:/latest/meta-data/",
        "http://169.254.169.254./latest",
        "http://127.0.0.%31/",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://127.0.0.1\\@example.com/",
    ] {
        let body = json!({"webhooks": [{"name": "x", "format": "generic", "url": url}]});
        let r = app
            .api(
                "PUT",
                "/api/v1/outbound",
                Some(&admin),
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{url}: {}",
            r.body
        );
        assert_eq!(r.json()["code"], "internal_address", "{url}");
        assert_eq!(r.json()["field"], "webhooks[0].url");
    }
    assert_eq!(count(app, "audit_log").await, before, "nothing written");
    // At delivery time too: a URL stored before (or a name that resolves inside later)
    // is refused at every send, and the deliverer says why.
    let zone = luodi_store::demo::zone_id(&app.store).await.unwrap();
    let outbound = luodi_domain::stewardship::outbound::Outbound {
        email: false,
        webhooks: vec![
            luodi_domain::stewardship::outbound::Webhook {
                name: "meta".into(),
                format: luodi_domain::stewardship::outbound::WebhookFormat::Generic,
                url: "http://169.254.169.254/latest".into(),
                secret: None,
                kinds: vec![],
            },
            luodi_domain::stewardship::outbound::Webhook {
                name: "local".into(),
                format: luodi_domain::stewardship::outbound::WebhookFormat::Generic,
                url: "http://localhost:9/x".into(),
                secret: None,
                kinds: vec![],
            },
        ],
    };
    app.store
        .set_zone_setting(
            &luodi_store::Actor::Cli,
            zone,
            luodi_store::core::orgs::OUTBOUND,
            &outbound,
        )
        .await
        .unwrap();
    let own = app.token("enterprise@luodi.demo").await;
    let body = json!({"project_id": app.sinopharm().await, "category": "land", "title": "t", "description": "d", "department_id": department(app).await});
    let r = app
        .api(
            "POST",
            "/api/v1/blockers",
            Some(&own),
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let deliverer = luodi_app::stewardship::delivery::Deliverer::new(
        app.store.clone(),
        &luodi_app::stewardship::delivery::OutboundConfig {
            every: std::time::Duration::from_secs(1),
            ..Default::default()
        },
    )
    .unwrap();
    deliverer.deliver_due(chrono::Utc::now()).await.unwrap();
    use sqlx::Row;
    let rows = sqlx::query("SELECT target, state, last_error FROM outbox ORDER BY id")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    for r in rows {
        let (target, state, error): (String, String, Option<String>) =
            (r.get("target"), r.get("state"), r.get("last_error"));
        let error = error.unwrap_or_default();
        assert!(
            error.contains("internal address"),
            "{target}: {state} {error}"
        );
        if target == "meta" {
            assert_eq!(
                state, "failed",
                "an internal address written out fails for good"
            );
        }
    }
}

/// Point 9: …unless the server's operator allows the host by name.
async fn allowed_internal_webhook(app: &TestApp) {
    let admin = app.token("admin@luodi.demo").await;
    let body =
        json!({"webhooks": [{"name": "x", "format": "generic", "url": "http://127.0.0.1:9/hook"}]});
    let r = app
        .api(
            "PUT",
            "/api/v1/outbound",
            Some(&admin),
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let body =
        json!({"webhooks": [{"name": "x", "format": "generic", "url": "http://10.0.0.8/hook"}]});
    let r = app
        .api(
            "PUT",
            "/api/v1/outbound",
            Some(&admin),
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "only the named host"
    );
}

/// Point 10: Tokens survived a password change and never expired.
async fn tokens_end(app: &TestApp) {
    let user = app
        .store
        .user_by_email("steward@luodi.demo")
        .await
        .unwrap()
        .unwrap();
    // An operator's reset revokes every token of the user.
    let token = app.token("steward@luodi.demo").await;
    assert_eq!(
        app.api("GET", "/api/v1/me", Some(&token), None)
            .await
            .status,
        StatusCode::OK
    );
    app.store
        .set_password(
            &luodi_store::Actor::Cli,
            &user,
            None,
            "a-new-long-password",
            None,
            false,
        )
        .await
        .unwrap();
    assert_eq!(
        app.api("GET", "/api/v1/me", Some(&token), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "revoked by the reset"
    );
    // The user's own change revokes them when asked, and keeps them otherwise.
    let token = app.token("steward@luodi.demo").await;
    app.store
        .set_password(
            &user.actor(),
            &user,
            Some("a-new-long-password"),
            "another-long-password",
            None,
            false,
        )
        .await
        .unwrap();
    assert_eq!(
        app.api("GET", "/api/v1/me", Some(&token), None)
            .await
            .status,
        StatusCode::OK
    );
    app.store
        .set_password(
            &user.actor(),
            &user,
            Some("another-long-password"),
            "a-third-long-password",
            None,
            true,
        )
        .await
        .unwrap();
    assert_eq!(
        app.api("GET", "/api/v1/me", Some(&token), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    // A token gets an expiry, chosen at creation (1–365 days, 90 by default) …
    let admin = app.token("admin@luodi.demo").await;
    let r = app
        .api(
            "POST",
            "/api/v1/tokens",
            Some(&admin),
            Some(r#"{"label": "nightly", "expires_in_days": 400}"#),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("expires_in_days"))
    );
    let r = app
        .api(
            "POST",
            "/api/v1/tokens",
            Some(&admin),
            Some(r#"{"label": "nightly", "expires_in_days": 5}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let short = r.json()["token"].as_str().unwrap().to_string();
    let expires = r.json()["expires_at"].as_str().unwrap().to_string();
    let at = luodi_domain::core::time::from_stored(&expires).unwrap();
    let days = (at - chrono::Utc::now()).num_hours();
    assert!((4 * 24..=5 * 24).contains(&days), "{expires}");
    // A token cannot make a token that outlives it (or it could renew itself forever).
    let r = app
        .api(
            "POST",
            "/api/v1/tokens",
            Some(&short),
            Some(r#"{"label": "renewed", "expires_in_days": 365}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert!(
        r.json()["expires_at"].as_str().unwrap() <= expires.as_str(),
        "{} after {expires}",
        r.json()["expires_at"]
    );
    // … its owner's inbox is warned a week before, once …
    assert_eq!(
        app.store.warn_expiring_tokens().await.unwrap(),
        2,
        "nightly and renewed"
    );
    assert_eq!(app.store.warn_expiring_tokens().await.unwrap(), 0, "once");
    let inbox = app
        .api("GET", "/api/v1/notifications", Some(&admin), None)
        .await;
    assert!(
        inbox.body.contains("token_expiring") && inbox.body.contains("nightly"),
        "{}",
        inbox.body
    );
    // … and once past it, the token is refused like a revoked one.
    sqlx::query("UPDATE api_tokens SET expires_at = $1 WHERE label = 'nightly'")
        .bind(luodi_domain::core::time::to_stored(
            chrono::Utc::now() - chrono::Duration::seconds(1),
        ))
        .execute(app.store.pool())
        .await
        .unwrap();
    assert_eq!(
        app.api("GET", "/api/v1/me", Some(&short), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

/// Point 11: Fifty wrong passwords in parallel checked 33–40 passwords and could leave the
/// account unlocked.
async fn throttle_race(app: &TestApp) {
    let attempts = (0..50).map(|_| {
        let store = app.store.clone();
        tokio::spawn(async move {
            store
                .authenticate("steward@luodi.demo", "wrong-password")
                .await
                .unwrap()
        })
    });
    let mut bad = 0;
    for a in attempts {
        if let luodi_store::core::users::LoginOutcome::BadCredentials = a.await.unwrap() {
            bad += 1;
        }
    }
    // Each attempt is counted before its password is checked: at most the limit are.
    assert!(
        bad < luodi_domain::core::login::MAX_FAILURES as usize,
        "{bad} checked and refused"
    );
    assert!(
        matches!(
            app.store
                .authenticate("steward@luodi.demo", luodi_store::demo::DEMO_PASSWORD)
                .await
                .unwrap(),
            luodi_store::core::users::LoginOutcome::Throttled { .. }
        ),
        "locked, even for the right password"
    );
}

/// Point 11: One address tried 55 accounts, all checked.
async fn throttle_address(app: &TestApp) {
    let from: std::net::IpAddr = "203.0.113.7".parse().unwrap();
    let mut throttled = 0;
    for i in 0..55 {
        let outcome = app
            .store
            .authenticate_from(
                &format!("nobody{i}@luodi.demo"),
                "wrong-password",
                Some(from),
            )
            .await
            .unwrap();
        if matches!(
            outcome,
            luodi_store::core::users::LoginOutcome::Throttled { .. }
        ) {
            throttled += 1;
        }
    }
    assert_eq!(
        throttled,
        55 - luodi_domain::core::login::MAX_ADDRESS_FAILURES as usize
    );
    // The address is locked out, even for a right password; another address is not.
    assert!(matches!(
        app.store
            .authenticate_from(
                "admin@luodi.demo",
                luodi_store::demo::DEMO_PASSWORD,
                Some(from)
            )
            .await
            .unwrap(),
        luodi_store::core::users::LoginOutcome::Throttled { .. }
    ));
    assert!(matches!(
        app.store
            .authenticate_from(
                "admin@luodi.demo",
                luodi_store::demo::DEMO_PASSWORD,
                Some("198.51.100.1".parse().unwrap())
            )
            .await
            .unwrap(),
        luodi_store::core::users::LoginOutcome::Success(_)
    ));
}

/// Point 11: The current-password check on `/account/password` was not throttled.
async fn throttle_current_password(app: &TestApp) {
    let mut b = app.login("investment@luodi.demo").await;
    let page = b.get(app, "/account").await;
    let csrf = page.csrf();
    let mut last = String::new();
    for _ in 0..7 {
        let r = b
            .post(
                app,
                "/account/password",
                &[
                    ("_csrf", &csrf),
                    ("current_password", "wrong-guess"),
                    ("new_password", "brand-new-password"),
                    ("confirm_password", "brand-new-password"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        last = r.body;
    }
    assert!(
        last.contains("输错次数过多") || last.contains("Too many"),
        "{last}"
    );
    // The account is locked for logins too.
    assert!(matches!(
        app.store
            .authenticate("investment@luodi.demo", luodi_store::demo::DEMO_PASSWORD)
            .await
            .unwrap(),
        luodi_store::core::users::LoginOutcome::Throttled { .. }
    ));
}

fn get_from(path: &str, peer: &str, token: Option<&str>) -> Request<Body> {
    let mut req = Request::builder()
        .uri(path)
        .header(header::HOST, "luodi.test");
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let mut req = req.body(Body::empty()).unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(
        peer.parse::<std::net::SocketAddr>().unwrap(),
    ));
    req
}

/// Point 15: `/metrics` was public.
async fn metrics_restricted(app: &TestApp) {
    let r = app
        .send(get_from("/metrics", "203.0.113.9:5555", None))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(!r.body.contains("luodi_"));
    let r = app.send(get_from("/metrics", "127.0.0.1:5555", None)).await;
    assert_eq!(r.status, StatusCode::OK);
    // Latency histograms, the pool and the jobs, named as Prometheus expects.
    for name in [
        "luodi_http_request_duration_seconds_bucket",
        "luodi_db_pool_connections{state=\"idle\"}",
        "luodi_db_pool_max_connections",
        "# TYPE luodi_job_runs_total counter",
        "# TYPE luodi_job_duration_seconds histogram",
    ] {
        assert!(r.body.contains(name), "{name} in\n{}", r.body);
    }
    let r = app.send(get_from("/metrics", "[::1]:5555", None)).await;
    assert_eq!(r.status, StatusCode::OK);
    // Forwarded by a proxy on this machine that is not a trusted proxy: not the machine's
    // own request, so refused.
    let mut req = get_from("/metrics", "127.0.0.1:5555", None);
    req.headers_mut()
        .insert("x-forwarded-for", "203.0.113.9".parse().unwrap());
    assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN);
}

/// Point 16: Authenticated pages could be cached.
async fn no_store(app: &TestApp) {
    let mut b = app.login("leader@luodi.demo").await;
    for path in ["/", "/enterprises", "/leadership", "/account"] {
        let r = b.get(app, path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(
            r.headers.get(header::CACHE_CONTROL).unwrap(),
            "no-store",
            "{path}"
        );
    }
    let token = app.token("leader@luodi.demo").await;
    let r = app
        .api("GET", "/api/v1/enterprises", Some(&token), None)
        .await;
    assert_eq!(r.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    // The stylesheet stays cacheable: kept and revalidated by its ETag (tests/responses.rs).
    let r = b.get(app, "/assets/luodi.css").await;
    assert_eq!(r.headers.get(header::CACHE_CONTROL).unwrap(), "no-cache");
    assert!(r.headers.contains_key(header::ETAG));
}

/// Point 17: With the database down every request waited the pool's 10 s and got 500.
async fn database_down(app: &TestApp) {
    let token = app.token("leader@luodi.demo").await;
    let state = luodi_web::AppState::new(
        luodi_app::App::with_defaults(app.store.clone()),
        luodi_web::WebConfig::default(),
    );
    let router = luodi_web::router(state.clone());
    // Known down (the health job saw it): answered at once, in the shared shape.
    state.app.db_health.record(false);
    let req = Request::builder()
        .uri("/api/v1/enterprises")
        .header(header::HOST, "luodi.test")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    use tower::ServiceExt;
    // (Without the gate this healthy pool would answer 200: the status says the gate held.)
    let res = router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.headers().get(header::RETRY_AFTER).unwrap(), "5");
    let body = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["code"], "unavailable");
    // A page says so too.
    let req = Request::builder()
        .uri("/login")
        .body(Body::empty())
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    // Not yet known: a failed connection is a 503 too, not a 500 (here the pool is closed).
    state.app.db_health.record(true);
    let other = luodi_store::Store::open(&format!(
        "sqlite://{}",
        std::env::temp_dir()
            .join(format!("luodi-down-{}.db", std::process::id()))
            .display()
    ))
    .await
    .unwrap();
    let state = luodi_web::AppState::new(
        luodi_app::App::with_defaults(other.clone()),
        luodi_web::WebConfig::default(),
    );
    let router = luodi_web::router(state);
    other.close().await;
    let req = Request::builder()
        .uri("/healthz")
        .body(Body::empty())
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.headers().get(header::RETRY_AFTER).unwrap(), "5");
}

/// Point 23: item-step refusals in English for a Chinese user, a refused handover saying
/// "地块不可预留：parcel … is not reserved for this phase", the timeline's "服务事项 861
/// resubmit".
async fn words(app: &TestApp) {
    let officer = app.token("approval@luodi.demo").await;
    let enterprise = app.token("enterprise@luodi.demo").await;
    let item = bureau_item(app, &officer).await;
    let url = format!("/api/v1/service-items/{item}/steps");
    let r = app
        .api(
            "POST",
            &url,
            Some(&officer),
            Some(r#"{"kind": "accept", "on": "2026-11-02"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let m = r.json()["message"].as_str().unwrap().to_string();
    assert_eq!(m, "事项当前为“未申报”，不能“受理”");
    let r = app
        .api(
            "POST",
            &url,
            Some(&enterprise),
            Some(r#"{"kind": "submit", "on": "2026-11-02"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The project's timeline names the item by its code and the step in words.
    let project = app.sinopharm().await;
    let r = app
        .api(
            "GET",
            &format!("/api/v1/projects/{project}/timeline"),
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let code: String = {
        use sqlx::Row;
        sqlx::query("SELECT code FROM service_list_items WHERE id = $1")
            .bind(item)
            .fetch_one(app.store.pool())
            .await
            .unwrap()
            .get("code")
    };
    assert!(
        r.body.contains(&format!("服务事项 {code}：申报")),
        "{}",
        r.body
    );
    assert!(!r.body.contains(&format!("{item} submit")), "{}", r.body);
    // A parcel reserved for another phase: refused in Chinese, naming what is wrong.
    let landing = app.token("landing@luodi.demo").await;
    let zone = luodi_store::demo::zone_id(&app.store).await.unwrap();
    let scope = luodi_domain::Scope {
        zone: Some(zone),
        enterprise: None,
    };
    let phases = app.store.project(&scope, project).await.unwrap().phases;
    app.reserved_parcel(&landing, "GX-TEST-1", phases[1].id)
        .await;
    let r = app
        .api(
            "POST",
            &format!("/api/v1/projects/{project}/phases/3/handover"),
            Some(&landing),
            Some(r#"{"handover_date": "2026-11-30", "parcel_code": "GX-TEST-1"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(
        r.json()["message"],
        "地块 GX-TEST-1 没有预留给这一期项目，不能释放或交地"
    );
}

/// Point 26: items of unknown applicability sat on the critical path of a new project.
async fn unconfirmed_forecast(app: &TestApp) {
    let landing = app.token("landing@luodi.demo").await;
    // A new project whose phase says nothing yet of what the catalogue's rules ask.
    let enterprise: i64 = {
        use sqlx::Row;
        sqlx::query("SELECT id FROM enterprises ORDER BY id")
            .fetch_one(app.store.pool())
            .await
            .unwrap()
            .get("id")
    };
    let body = json!({"enterprise_id": enterprise, "name": "条件未明的新项目", "total_investment_yuan": "100000000.00",
        "phases": [{"name": "一期", "status": "signed"}]});
    let r = app
        .api(
            "POST",
            "/api/v1/projects",
            Some(&landing),
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let project = r.json()["id"].as_i64().unwrap();
    let phase = r.json()["phases"][0]["id"].as_i64().unwrap();
    app.reserved_parcel(&landing, "GX-TEST-2", phase).await;
    let r = app
        .api(
            "POST",
            &format!("/api/v1/projects/{project}/phases/1/handover"),
            Some(&landing),
            Some(r#"{"handover_date": "2026-11-30", "parcel_code": "GX-TEST-2"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let list = r.json();
    let to_confirm: Vec<String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        // Not started: an item done at the handover itself is done, whatever its rule.
        .filter(|i| i["applicability"] == "to_confirm" && i["state"] == "not_started")
        .map(|i| i["code"].as_str().unwrap().to_string())
        .collect();
    assert!(to_confirm.contains(&"PG05".to_string()), "{to_confirm:?}");
    let r = app
        .api(
            "GET",
            &format!("/api/v1/projects/{project}/forecast?phase=1&samples=100"),
            Some(&landing),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let f = r.json();
    let mut apart: Vec<String> = f["unconfirmed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap().to_string())
        .collect();
    apart.sort();
    let mut expected = to_confirm.clone();
    expected.sort();
    assert_eq!(apart, expected, "each shown apart");
    for code in f["critical_path"].as_array().unwrap() {
        assert!(
            !to_confirm.contains(&code.as_str().unwrap().to_string()),
            "{code} on the path"
        );
    }
    assert!(f["unconfirmed"][0]["adds"]["construction_start"].is_number());
    // The Gantt chart says so.
    let mut b = app.login("landing@luodi.demo").await;
    let page = b
        .get(app, &format!("/projects/{project}/phases/1/gantt"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("适用条件待确认的事项（未计入预测）"),
        "{}",
        page.body
    );
    assert!(page.body.contains("（待确认，未计入）"));
}
