//! The JSON API, on SQLite and PostgreSQL: enterprises, errors, auth, isolation, audit.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use luodi_store::demo;
use serde_json::json;

on_both! {
    create_show_list_update_enterprise => crud;
    wrong_codes_are_refused_with_reason => wrong_codes;
    bad_input_names_the_field_and_writes_nothing => bad_input;
    authentication_and_revocation => auth;
    roles_decide_who_writes => roles;
    enterprise_user_sees_only_its_own => isolation;
    every_write_is_audited => audited;
    zones_are_isolated => zones;
}

/// A valid code that is not among the demo's.
fn new_code(n: u32) -> String {
    luodi_domain::core::uscc::Uscc::complete(&format!("91370214MA3E{n:04}"))
        .unwrap()
        .to_string()
}

async fn audit_count(app: &TestApp) -> i64 {
    use sqlx::Row;
    sqlx::query("SELECT COUNT(*) AS n FROM audit_log")
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get("n")
}

async fn crud(app: &TestApp) {
    let token = app.token("investment@luodi.demo").await;
    let body = json!({"uscc": new_code(1), "name": "青岛测试生物科技有限公司", "industry_code": "2761", "chain_position": "upstream"}).to_string();
    let r = app
        .api("POST", "/api/v1/enterprises", Some(&token), Some(&body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let created = r.json();
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["industry_code"], "C2761");
    assert_eq!(created["chain_position"], "upstream");
    assert_eq!(created["industry_name"], "生物药品制造");

    let r = app
        .api(
            "GET",
            &format!("/api/v1/enterprises/{id}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["name"], "青岛测试生物科技有限公司");

    let r = app
        .api(
            "GET",
            "/api/v1/enterprises?q=测试&per_page=5",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["total"], 1);
    let r = app
        .api(
            "GET",
            "/api/v1/enterprises?sort=uscc&order=desc&page=1&per_page=3",
            Some(&token),
            None,
        )
        .await;
    let items = r.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 3);
    assert!(items[0]["uscc"].as_str() > items[1]["uscc"].as_str());

    let update = json!({"uscc": new_code(1), "name": "青岛测试生物科技股份有限公司", "size": "small", "version": 1}).to_string();
    let r = app
        .api(
            "PUT",
            &format!("/api/v1/enterprises/{id}"),
            Some(&token),
            Some(&update),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["version"], 2);
    let r = app
        .api(
            "PUT",
            &format!("/api/v1/enterprises/{id}"),
            Some(&token),
            Some(&update),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["code"], "stale");

    let dup = json!({"uscc": new_code(1), "name": "重复"}).to_string();
    let r = app
        .api("POST", "/api/v1/enterprises", Some(&token), Some(&dup))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["field"], "uscc");
}

async fn wrong_codes(app: &TestApp) {
    let token = app.token("admin@luodi.demo").await;
    let cases = [
        ("", "代码为空"),
        ("9137021", "应为 18 位"),
        ("91370200I63562681G", "I、O、Z、S、V"),
        ("9137020016356268#G", "只允许数字和大写字母"),
        ("B1370200163562681G", "登记管理部门"),
        ("97370200163562681G", "机构类别"),
        ("91990200163562681G", "行政区划"),
        ("91370200163562682G", "组织机构代码"),
        ("91370200163562681H", "校验码"),
    ];
    let before = audit_count(app).await;
    for (code, reason) in cases {
        let body = json!({"uscc": code, "name": "某公司"}).to_string();
        let r = app
            .api("POST", "/api/v1/enterprises", Some(&token), Some(&body))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{code}: {}",
            r.body
        );
        let j = r.json();
        assert_eq!(j["field"], "uscc", "{code}");
        assert_eq!(j["code"], "invalid_uscc");
        assert!(
            j["message"].as_str().unwrap().contains(reason),
            "{code}: {} lacks {reason}",
            j["message"]
        );
    }
    // The same reasons in English.
    let body = json!({"uscc": "91370200163562681H", "name": "x"}).to_string();
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/enterprises")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .header("accept-language", "en-GB,en;q=0.9")
        .body(axum::body::Body::from(body))
        .unwrap();
    let r = app.send(req).await;
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("check character"),
        "{}",
        r.body
    );
    assert_eq!(
        audit_count(app).await,
        before,
        "refused input writes nothing"
    );
}

async fn bad_input(app: &TestApp) {
    let token = app.token("admin@luodi.demo").await;
    let before = audit_count(app).await;
    let count_before = app
        .api("GET", "/api/v1/enterprises", Some(&token), None)
        .await
        .json()["total"]
        .clone();

    let r = app
        .api(
            "POST",
            "/api/v1/enterprises",
            Some(&token),
            Some("{\"uscc\": "),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["code"], "malformed_json");

    let body = json!({"uscc": new_code(2), "name": "x", "colour": "red"}).to_string();
    let r = app
        .api("POST", "/api/v1/enterprises", Some(&token), Some(&body))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "colour");
    assert_eq!(r.json()["code"], "unknown_field");

    let body = json!({"uscc": new_code(2), "name": 42}).to_string();
    let r = app
        .api("POST", "/api/v1/enterprises", Some(&token), Some(&body))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "name");

    let body = json!({"name": "no code"}).to_string();
    let r = app
        .api("POST", "/api/v1/enterprises", Some(&token), Some(&body))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "uscc");
    assert_eq!(r.json()["code"], "required");

    let body = json!({"uscc": new_code(2), "name": "x", "chain_position": "sideways", "industry_code": "99"}).to_string();
    let r = app
        .api("POST", "/api/v1/enterprises", Some(&token), Some(&body))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["industry_code", "chain_position"]);

    let huge = json!({"uscc": new_code(2), "name": "x".repeat(2 * 1024 * 1024)}).to_string();
    let r = app
        .api("POST", "/api/v1/enterprises", Some(&token), Some(&huge))
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert_eq!(r.json()["code"], "payload_too_large");

    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/enterprises")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "text/plain")
        .body(axum::body::Body::from("uscc=1"))
        .unwrap();
    assert_eq!(
        app.send(req).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );

    for (query, field) in [
        ("page=0", "page"),
        ("per_page=1000", "per_page"),
        ("page=abc", "page"),
        ("sort=colour", "sort"),
        ("chain_position=x", "chain_position"),
        ("order=up", "order"),
        ("industry=ZZ", "industry"),
        ("pgae=2", "pgae"),
    ] {
        let r = app
            .api(
                "GET",
                &format!("/api/v1/enterprises?{query}"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(r.json()["field"], field, "{query}");
    }
    let r = app
        .api("GET", "/api/v1/enterprises/abc", Some(&token), None)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["field"], "id");
    let r = app
        .api("GET", "/api/v1/nothing-here", Some(&token), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["code"], "not_found");

    assert_eq!(audit_count(app).await, before);
    assert_eq!(
        app.api("GET", "/api/v1/enterprises", Some(&token), None)
            .await
            .json()["total"],
        count_before
    );
}

async fn auth(app: &TestApp) {
    let r = app.api("GET", "/api/v1/enterprises", None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["code"], "unauthorized");
    let r = app
        .api("GET", "/api/v1/enterprises", Some("luodi_forged"), None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    let token = app.token("steward@luodi.demo").await;
    let me = app
        .api("GET", "/api/v1/me", Some(&token), None)
        .await
        .json();
    assert_eq!(me["role"], "steward");
    let r = app
        .api(
            "POST",
            "/api/v1/tokens",
            Some(&token),
            Some(&json!({"label": "second"}).to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let second = r.json();
    let second_token = second["token"].as_str().unwrap().to_string();
    assert_eq!(
        app.api("GET", "/api/v1/me", Some(&second_token), None)
            .await
            .status,
        StatusCode::OK
    );
    let r = app
        .api(
            "DELETE",
            &format!("/api/v1/tokens/{}", second["id"]),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.api("GET", "/api/v1/me", Some(&second_token), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let listed = app
        .api("GET", "/api/v1/tokens", Some(&token), None)
        .await
        .json();
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["label"] == "second" && !t["revoked_at"].is_null())
    );
    // Another user's token id cannot be revoked.
    let other = app.token("landing@luodi.demo").await;
    let their = app
        .api("GET", "/api/v1/tokens", Some(&other), None)
        .await
        .json()[0]["id"]
        .clone();
    assert_eq!(
        app.api(
            "DELETE",
            &format!("/api/v1/tokens/{their}"),
            Some(&token),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

async fn roles(app: &TestApp) {
    for (email, may_create) in [
        ("admin@luodi.demo", true),
        ("investment@luodi.demo", true),
        ("landing@luodi.demo", true),
        ("approval@luodi.demo", false),
        ("steward@luodi.demo", false),
        ("leader@luodi.demo", false),
        ("enterprise@luodi.demo", false),
    ] {
        let token = app.token(email).await;
        let n: u32 = email.len() as u32;
        let body =
            json!({"uscc": new_code(100 + n), "name": format!("由 {email} 创建")}).to_string();
        let r = app
            .api("POST", "/api/v1/enterprises", Some(&token), Some(&body))
            .await;
        let expected = if may_create {
            StatusCode::CREATED
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(r.status, expected, "{email}: {}", r.body);
        let audit = app
            .api("GET", "/api/v1/audit", Some(&token), None)
            .await
            .status;
        let may_audit = matches!(email, "admin@luodi.demo" | "leader@luodi.demo");
        assert_eq!(audit == StatusCode::OK, may_audit, "{email} audit {audit}");
    }
    // The leader reads but cannot edit.
    let leader = app.token("leader@luodi.demo").await;
    let first = app
        .api("GET", "/api/v1/enterprises", Some(&leader), None)
        .await
        .json()["items"][0]
        .clone();
    let body = json!({"uscc": first["uscc"], "name": "领导改名"}).to_string();
    assert_eq!(
        app.api(
            "PUT",
            &format!("/api/v1/enterprises/{}", first["id"]),
            Some(&leader),
            Some(&body)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
}

async fn isolation(app: &TestApp) {
    let token = app.token("enterprise@luodi.demo").await;
    let me = app
        .api("GET", "/api/v1/me", Some(&token), None)
        .await
        .json();
    let own = me["enterprise_id"].as_i64().unwrap();
    let list = app
        .api(
            "GET",
            "/api/v1/enterprises?per_page=200",
            Some(&token),
            None,
        )
        .await
        .json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], own);

    let admin = app.token("admin@luodi.demo").await;
    let all = app
        .api(
            "GET",
            "/api/v1/enterprises?per_page=200",
            Some(&admin),
            None,
        )
        .await
        .json();
    for e in all["items"].as_array().unwrap() {
        let id = e["id"].as_i64().unwrap();
        if id == own {
            continue;
        }
        let r = app
            .api(
                "GET",
                &format!("/api/v1/enterprises/{id}"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "GET other enterprise {id}");
        assert!(!r.body.contains(e["uscc"].as_str().unwrap()));
        let body = json!({"uscc": e["uscc"], "name": "hijack"}).to_string();
        let r = app
            .api(
                "PUT",
                &format!("/api/v1/enterprises/{id}"),
                Some(&token),
                Some(&body),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "PUT other enterprise {id}");
        for q in [
            format!("q={}", e["uscc"].as_str().unwrap()),
            format!("q={}", e["name"].as_str().unwrap()),
        ] {
            assert_eq!(
                app.api(
                    "GET",
                    &format!("/api/v1/enterprises?{q}"),
                    Some(&token),
                    None
                )
                .await
                .json()["total"],
                0
            );
        }
    }
    assert_eq!(
        app.api("GET", "/api/v1/audit", Some(&token), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Its own: it edits details, but not the code.
    let mine = app
        .api(
            "GET",
            &format!("/api/v1/enterprises/{own}"),
            Some(&token),
            None,
        )
        .await
        .json();
    let body = json!({"uscc": mine["uscc"], "name": mine["name"], "contact_name": "孙丽", "contact_email": "sun.li@example.cn"}).to_string();
    let r = app
        .api(
            "PUT",
            &format!("/api/v1/enterprises/{own}"),
            Some(&token),
            Some(&body),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let body = json!({"uscc": demo::demo_uscc(5).to_string(), "name": mine["name"]}).to_string();
    let r = app
        .api(
            "PUT",
            &format!("/api/v1/enterprises/{own}"),
            Some(&token),
            Some(&body),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["field"], "uscc");
}

async fn audited(app: &TestApp) {
    let token = app.token("landing@luodi.demo").await;
    let body = json!({"uscc": new_code(3), "name": "审计测试", "contact_phone": "0532 1234 5678"})
        .to_string();
    let created = app
        .api("POST", "/api/v1/enterprises", Some(&token), Some(&body))
        .await
        .json();
    let id = created["id"].as_i64().unwrap();
    let body =
        json!({"uscc": new_code(3), "name": "审计测试（改）", "contact_phone": "0532 1234 5678"})
            .to_string();
    assert_eq!(
        app.api(
            "PUT",
            &format!("/api/v1/enterprises/{id}"),
            Some(&token),
            Some(&body)
        )
        .await
        .status,
        StatusCode::OK
    );
    let admin = app.token("admin@luodi.demo").await;
    let trail = app
        .api(
            "GET",
            &format!("/api/v1/audit?entity=enterprise&entity_id={id}"),
            Some(&admin),
            None,
        )
        .await
        .json();
    let items = trail["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["action"], "update");
    assert_eq!(items[0]["before"]["name"], "审计测试");
    assert_eq!(items[0]["after"]["name"], "审计测试（改）");
    assert!(
        items[0]["actor"]
            .as_str()
            .unwrap()
            .contains("landing@luodi.demo")
    );
    assert_eq!(items[1]["action"], "create");
    assert!(app.store.verify_audit(None).await.unwrap().is_ok());
}

async fn zones(app: &TestApp) {
    use luodi_store::Actor;
    let other = app
        .store
        .ensure_zone(
            &Actor::Cli,
            "jinan-hitech",
            "济南高新区",
            "Jinan High-tech Zone",
            "山东省",
        )
        .await
        .unwrap();
    let d = luodi_domain::core::enterprise::EnterpriseDraft::parse(
        &luodi_domain::core::enterprise::EnterpriseInput {
            uscc: new_code(4),
            name: "济南企业".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let e = app
        .store
        .create_enterprise(&Actor::Cli, other.id, &d)
        .await
        .unwrap();
    let admin = app.token("admin@luodi.demo").await;
    assert_eq!(
        app.api(
            "GET",
            &format!("/api/v1/enterprises/{}", e.id),
            Some(&admin),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.api("GET", "/api/v1/enterprises?q=济南", Some(&admin), None)
            .await
            .json()["total"],
        0
    );
    let zones = app
        .api("GET", "/api/v1/zones", Some(&admin), None)
        .await
        .json();
    assert_eq!(zones.as_array().unwrap().len(), 1);
    // A province-level leader reads both zones.
    let new = luodi_store::core::users::NewUser {
        zone_id: None,
        email: "province@luodi.demo".into(),
        display_name: "省厅".into(),
        role: luodi_domain::Role::Leader,
        department_id: None,
        enterprise_id: None,
    };
    app.store
        .create_user(&Actor::Cli, new, "province-password")
        .await
        .unwrap();
    let province = app.token("province@luodi.demo").await;
    assert_eq!(
        app.api(
            "GET",
            &format!("/api/v1/enterprises/{}", e.id),
            Some(&province),
            None
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        app.api("GET", "/api/v1/zones", Some(&province), None)
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Enterprises in two zones may share a code: the key is per zone.
    let again = luodi_domain::core::enterprise::EnterpriseDraft::parse(
        &luodi_domain::core::enterprise::EnterpriseInput {
            uscc: new_code(4),
            name: "同码企业".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let zone = demo::zone_id(&app.store).await.unwrap();
    assert!(
        app.store
            .create_enterprise(&Actor::Cli, zone, &again)
            .await
            .is_ok()
    );
}

mod service {
    //! Health, metrics and headers, which need no login.
    use super::*;

    async fn health_metrics_headers(app: &TestApp) {
        let r = app.api("GET", "/healthz", None, None).await;
        assert_eq!(r.status, StatusCode::OK);
        app.api("GET", "/api/v1/enterprises", None, None).await;
        // Metrics are for the operator: read from this machine (the default range).
        let mut req = axum::http::Request::builder()
            .uri("/metrics")
            .body(axum::body::Body::empty())
            .unwrap();
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                [127, 0, 0, 1],
                9000,
            ))));
        let r = app.send(req).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain; version=0.0.4")
        );
        assert!(r.body.contains("luodi_database_up 1"));
        assert!(r.body.contains("luodi_http_requests_total{method=\"GET\",route=\"/api/v1/enterprises\",status=\"401\"} 1"), "{}", r.body);
        let r = app.api("GET", "/login", None, None).await;
        assert_eq!(r.headers["x-frame-options"], "DENY");
        assert!(
            r.headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("default-src 'self'")
        );
        let spec = app.api("GET", "/api/openapi.json", None, None).await;
        assert_eq!(spec.status, StatusCode::OK);
        assert!(spec.json()["paths"]["/api/v1/enterprises"].is_object());
        assert_eq!(
            app.api("GET", "/api/docs/", None, None).await.status,
            StatusCode::OK
        );
    }

    on_both! {
        health_metrics_and_security_headers => health_metrics_headers;
    }
}

mod calendar {
    //! The working-day calendar over the API.
    use super::*;

    async fn calendar_days_and_arithmetic(app: &TestApp) {
        let token = app.token("steward@luodi.demo").await;
        let r = app
            .api(
                "GET",
                "/api/v1/calendar/days?from=2026-09-30&to=2026-10-10",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        let days = j["days"].as_array().unwrap();
        assert_eq!(days.len(), 11);
        assert_eq!(days[1]["date"], "2026-10-01");
        assert_eq!(days[1]["kind"], "restday");
        assert_eq!(days[1]["holiday_zh"], "国庆节");
        assert_eq!(days[10]["kind"], "workday");
        assert_eq!(days[10]["adjusted"], true);
        assert_eq!(j["assumed"], false);
        let r = app
            .api(
                "GET",
                "/api/v1/calendar/days?from=2026-12-31&to=2027-01-01",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.json()["assumed"], true);
        assert_eq!(r.json()["days"][1]["published"], false);
        let r = app
            .api(
                "GET",
                "/api/v1/calendar/add?from=2026-09-30&working_days=1",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.json()["date"], "2026-10-08");
        for (q, field) in [
            ("from=2026-02-30&to=2026-03-01", "from"),
            ("from=2026-03-01&to=2026-02-01", "to"),
            ("from=2000-01-01&to=2026-01-01", "to"),
            ("to=2026-01-01", "from"),
            ("from=2026-01-01&to=2026-01-02&x=1", "x"),
        ] {
            let r = app
                .api(
                    "GET",
                    &format!("/api/v1/calendar/days?{q}"),
                    Some(&token),
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
            assert_eq!(r.json()["field"], field, "{q}");
        }
        let r = app
            .api(
                "GET",
                "/api/v1/calendar/add?from=2026-09-30&working_days=many",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.json()["field"], "working_days");
        assert_eq!(
            app.api(
                "GET",
                "/api/v1/calendar/days?from=2026-01-01&to=2026-01-02",
                None,
                None
            )
            .await
            .status,
            StatusCode::UNAUTHORIZED
        );
    }

    on_both! {
        calendar_days_and_arithmetic => calendar_days_and_arithmetic;
    }
}

mod catalogue {
    //! The service catalogue over the API.
    use super::*;

    fn toml_request(token: &str, body: String) -> axum::http::Request<axum::body::Body> {
        axum::http::Request::builder()
            .method("POST")
            .uri("/api/v1/catalogue")
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/toml")
            .body(axum::body::Body::from(body))
            .unwrap()
    }

    async fn read_and_import(app: &TestApp) {
        let steward = app.token("steward@luodi.demo").await;
        let r = app
            .api("GET", "/api/v1/catalogue", Some(&steward), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let c = r.json();
        assert_eq!(c["version"], "2026.1");
        assert_eq!(c["items"].as_array().unwrap().len(), 53);
        assert_eq!(c["stages"].as_array().unwrap().len(), 3);
        assert_eq!(c["categories"].as_array().unwrap().len(), 7);
        let permit = c["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["code"] == "SG06")
            .unwrap()
            .clone();
        assert_eq!(permit["milestone"], "construction_permit");
        assert_eq!(permit["statutory_limit"]["unit"], "calendar");
        let exported = app
            .api("GET", "/api/v1/catalogue/export", Some(&steward), None)
            .await;
        assert_eq!(exported.body, luodi_domain::approvals::catalogue::DEFAULT);

        let cyclic = luodi_domain::approvals::catalogue::DEFAULT.replace("version = \"2026.1\"", "version = \"2026.5\"").replacen(
            "materials = [\"id-and-authorisation\", \"articles\"]\nmodes",
            "materials = [\"id-and-authorisation\", \"articles\"]\nprerequisites = [\"SG06\"]\nmodes",
            1,
        );
        assert_eq!(
            app.send(toml_request(&steward, cyclic.clone()))
                .await
                .status,
            StatusCode::FORBIDDEN,
            "only administrators import"
        );
        let admin = app.token("admin@luodi.demo").await;
        let r = app.send(toml_request(&admin, cyclic)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let j = r.json();
        assert_eq!(j["code"], "invalid_catalogue");
        let cycle = j["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["code"] == "cycle")
            .unwrap()
            .clone();
        assert!(
            cycle["message"]
                .as_str()
                .unwrap()
                .starts_with("prerequisite cycle: KB01 → KB02 → "),
            "{cycle}"
        );
        assert!(cycle["field"].as_str().unwrap().starts_with("KB01,KB02,"));
        let bad_rule = luodi_domain::approvals::catalogue::DEFAULT
            .replace("version = \"2026.1\"", "version = \"2026.6\"")
            .replace(
                "applies_when = \"hazardous_chemicals\"",
                "applies_when = \"hazardous_chemicals and\"",
            );
        let r = app.send(toml_request(&admin, bad_rule)).await;
        let errors = r.json()["errors"].as_array().unwrap().clone();
        assert!(errors.iter().all(|e| e["code"] == "bad_rule"), "{errors:?}");
        assert!(
            errors[0]["message"]
                .as_str()
                .unwrap()
                .contains("at character 24"),
            "{errors:?}"
        );
        let versions = app
            .api("GET", "/api/v1/catalogue/versions", Some(&admin), None)
            .await
            .json();
        assert_eq!(
            versions.as_array().unwrap().len(),
            1,
            "refused imports change nothing"
        );

        let v2 = luodi_domain::approvals::catalogue::DEFAULT
            .replace("version = \"2026.1\"", "version = \"2026.2\"");
        let r = app.send(toml_request(&admin, v2.clone())).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(
            app.send(toml_request(&admin, v2.clone())).await.status,
            StatusCode::OK,
            "the same again changes nothing"
        );
        let clash = v2.replace("青岛推行企业开办", "青岛推行企业开办（改）");
        let r = app.send(toml_request(&admin, clash)).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(r.json()["field"], "version");
        let old = app
            .api(
                "GET",
                "/api/v1/catalogue?version=2026.1",
                Some(&steward),
                None,
            )
            .await
            .json();
        assert_eq!(old["current"], false);
        assert_eq!(
            app.api(
                "GET",
                "/api/v1/catalogue?version=1999",
                Some(&steward),
                None
            )
            .await
            .json()["field"],
            "version"
        );
    }

    on_both! {
        catalogue_read_export_and_import => read_and_import;
    }
}

mod service_lists {
    //! Projects, handover and service-list steps over the API.
    use super::*;

    async fn project_of(app: &TestApp, token: &str) -> serde_json::Value {
        let r = app.api("GET", "/api/v1/projects", Some(token), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "青岛国药科技城")
            .cloned()
            .unwrap_or(serde_json::Value::Null)
    }

    async fn handover_list_and_steps(app: &TestApp) {
        let landing = app.token("landing@luodi.demo").await;
        let project = project_of(app, &landing).await;
        let id = project["id"].as_i64().unwrap();
        assert_eq!(project["phases"].as_array().unwrap().len(), 4);
        assert_eq!(project["total_investment_yuan"], "6000000000.00");
        assert_eq!(project["phases"][0]["status"], "land_handed_over");

        let list = app
            .api(
                "GET",
                &format!("/api/v1/projects/{id}/phases/1/service-list"),
                Some(&landing),
                None,
            )
            .await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        let items = list.json()["items"].as_array().unwrap().clone();
        let permit = items.iter().find(|i| i["code"] == "SG06").unwrap();
        assert_eq!(permit["clock"]["status"], "not_started");
        assert_eq!(permit["department"], "approval-bureau");
        assert!(
            items
                .iter()
                .any(|i| i["state"] == "waived" && i["clock"]["status"] == "waived")
        );

        // Land the zone does not hold is refused (regression: a made-up code made a list).
        let url = format!("/api/v1/projects/{id}/phases/2/handover");
        let r = app
            .api(
                "POST",
                &url,
                Some(&landing),
                Some(&json!({"handover_date": "2026-11-30", "parcel_code": "NOPE-1"}).to_string()),
            )
            .await;
        assert_eq!(
            (
                r.status,
                r.json()["code"].clone(),
                r.json()["field"].clone()
            ),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!("unknown_parcel"),
                json!("parcel_code")
            )
        );
        // The parcel for phase 2, imported and reserved.
        let phase2 = project["phases"][1]["id"].as_i64().unwrap();
        app.reserved_parcel(&landing, "GX-2025-08", phase2).await;
        // Hand over phase 2: bad input first, then right.
        let r = app
            .api(
                "POST",
                &url,
                Some(&landing),
                Some(
                    &json!({"handover_date": "2026-11-31", "parcel_code": "GX-2025-08"})
                        .to_string(),
                ),
            )
            .await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("handover_date"))
        );
        let r = app.api("POST", &url, Some(&landing), Some(&json!({"handover_date": "2026-11-30", "parcel_code": "GX-2025-08", "parcel_assessments": ["moon"]}).to_string())).await;
        assert_eq!(r.json()["field"], "parcel_assessments");
        let steward = app.token("steward@luodi.demo").await;
        let r = app
            .api(
                "POST",
                &url,
                Some(&steward),
                Some(
                    &json!({"handover_date": "2026-11-30", "parcel_code": "GX-2025-08"})
                        .to_string(),
                ),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "the steward does not hand over land"
        );
        let r = app.api("POST", &url, Some(&landing), Some(&json!({"handover_date": "2026-11-30", "parcel_code": "GX-2025-08", "parcel_assessments": ["flood"]}).to_string())).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = app
            .api(
                "POST",
                &url,
                Some(&landing),
                Some(
                    &json!({"handover_date": "2026-11-30", "parcel_code": "GX-2025-08"})
                        .to_string(),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let r = app
            .api(
                "POST",
                &format!("/api/v1/projects/{id}/phases/9/handover"),
                Some(&landing),
                Some(&json!({"handover_date": "2026-11-30", "parcel_code": "x"}).to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // Steps on the permit: the enterprise submits, the bureau accepts, returns; the steward resubmits.
        let item = permit["id"].as_i64().unwrap();
        let enterprise = app.token("enterprise@luodi.demo").await;
        let officer = app.token("approval@luodi.demo").await;
        let step = |token: String, body: serde_json::Value| {
            let url = format!("/api/v1/service-items/{item}/steps");
            async move {
                app.api("POST", &url, Some(&token), Some(&body.to_string()))
                    .await
            }
        };
        let r = step(
            officer.clone(),
            json!({"kind": "submit", "on": "2026-11-02"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = step(
            enterprise.clone(),
            json!({"kind": "submit", "on": "2026-11-02"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["clock"]["status"], "waiting");
        let r = step(
            officer.clone(),
            json!({"kind": "accept", "on": "2026-11-02", "missing": ["施工合同"]}),
        )
        .await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("missing_due"))
        );
        let r = step(officer.clone(), json!({"kind": "accept", "on": "2026-11-02", "missing": ["施工合同"], "missing_due": "2026-11-09"})).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "容缺受理 is allowed for SG06: {}",
            r.body
        );
        let r = step(
            officer.clone(),
            json!({"kind": "return", "on": "2026-11-03"}),
        )
        .await;
        assert_eq!(r.json()["field"], "reason");
        let r = step(
            officer.clone(),
            json!({"kind": "return", "on": "2026-11-03", "reason": "资金证明不全"}),
        )
        .await;
        assert_eq!(r.json()["clock"]["status"], "stopped");
        let r = step(
            officer.clone(),
            json!({"kind": "approve", "on": "2026-11-04"}),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::CONFLICT,
            "cannot approve while returned"
        );
        let r = step(
            steward.clone(),
            json!({"kind": "resubmit", "on": "2026-11-01"}),
        )
        .await;
        assert_eq!(r.json()["field"], "on", "dates cannot go back");
        let r = step(
            steward.clone(),
            json!({"kind": "resubmit", "on": "2026-11-09", "version": 1}),
        )
        .await;
        assert_eq!(r.json()["code"], "stale");
        let r = step(
            steward.clone(),
            json!({"kind": "resubmit", "on": "2026-11-09"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.json()["state"], "accepted");
        let r = step(enterprise.clone(), json!({"kind": "teleport"})).await;
        assert_eq!(r.json()["field"], "kind");

        let queue = app
            .api(
                "GET",
                "/api/v1/departments/approval-bureau/queue",
                Some(&officer),
                None,
            )
            .await
            .json();
        assert!(
            queue
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["item"]["code"] == "SG06")
        );
        assert_eq!(
            app.api(
                "GET",
                "/api/v1/departments/approval-bureau/queue",
                Some(&enterprise),
                None
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );

        // The enterprise sees its own list; another enterprise sees nothing of it.
        assert_eq!(
            app.api(
                "GET",
                &format!("/api/v1/projects/{id}/phases/1/service-list"),
                Some(&enterprise),
                None
            )
            .await
            .status,
            StatusCode::OK
        );
        app.other_enterprise_user().await;
        let haier_token = app.token("haier@luodi.demo").await;
        assert_eq!(project_of(app, &haier_token).await, serde_json::Value::Null);
        assert_eq!(
            app.api(
                "GET",
                &format!("/api/v1/projects/{id}"),
                Some(&haier_token),
                None
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.api(
                "GET",
                &format!("/api/v1/projects/{id}/phases/1/service-list"),
                Some(&haier_token),
                None
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            step(haier_token.clone(), json!({"kind": "approve"}))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }

    on_both! {
        handover_list_and_steps => handover_list_and_steps;
    }
}

mod commitments {
    //! Approval on commitment (告知承诺) and its later verification.
    use super::*;

    async fn approve_on_commitment_then_verify(app: &TestApp) {
        let officer = app.token("approval@luodi.demo").await;
        let enterprise = app.token("enterprise@luodi.demo").await;
        let projects = app
            .api("GET", "/api/v1/projects", Some(&enterprise), None)
            .await
            .json();
        let id = projects[0]["id"].as_i64().unwrap();
        let list = app
            .api(
                "GET",
                &format!("/api/v1/projects/{id}/phases/1/service-list"),
                Some(&enterprise),
                None,
            )
            .await
            .json();
        let permit = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["code"] == "SG06")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let url = format!("/api/v1/service-items/{permit}/steps");
        let step = |token: &str, body: serde_json::Value| {
            let (url, token) = (url.clone(), token.to_string());
            async move {
                app.api("POST", &url, Some(&token), Some(&body.to_string()))
                    .await
            }
        };
        assert_eq!(
            step(&enterprise, json!({"kind": "submit", "on": "2026-11-02"}))
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            step(&officer, json!({"kind": "accept", "on": "2026-11-02"}))
                .await
                .status,
            StatusCode::OK
        );
        let r = step(
            &officer,
            json!({"kind": "approve", "on": "2026-11-03", "verify_by": "2026-11-20"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["clock"]["verification_due"], "2026-11-20");
        let late = app
            .api("GET", "/api/v1/service-items/late", Some(&officer), None)
            .await
            .json();
        let bureau = late
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["department"] == "approval-bureau")
            .unwrap()
            .clone();
        assert!(
            bureau["overdue_items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["item"]["code"] == "SG06"),
            "the verification date has passed: {bureau}"
        );
        let r = step(&officer, json!({"kind": "verify", "on": "2026-11-25"})).await;
        assert_eq!(r.json()["field"], "met");
        let r = step(
            &officer,
            json!({"kind": "verify", "on": "2026-11-25", "met": false}),
        )
        .await;
        assert_eq!(r.json()["field"], "note", "a revocation says why");
        let r = step(
            &enterprise,
            json!({"kind": "verify", "on": "2026-11-25", "met": true}),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = step(
            &officer,
            json!({"kind": "verify", "on": "2026-11-25", "met": false, "note": "资金未按承诺到位"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["state"], "refused");
        let r = step(
            &officer,
            json!({"kind": "verify", "on": "2026-11-26", "met": true}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "verified once");
    }

    on_both! {
        approve_on_commitment_then_verify => approve_on_commitment_then_verify;
    }
}

mod forecast {
    //! The phase forecast over the API.
    use super::*;

    async fn forecast_of_the_demo_phase(app: &TestApp) {
        let steward = app.token("steward@luodi.demo").await;
        let id = app.sinopharm().await;
        let r = app
            .api(
                "GET",
                &format!("/api/v1/projects/{id}/forecast?samples=500&seed=7"),
                Some(&steward),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let f = r.json();
        let path: Vec<String> = f["critical_path"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect();
        assert!(
            path.contains(&"SG06".to_string()) && path.contains(&"YS03".to_string()),
            "{path:?}"
        );
        for code in &path {
            assert_eq!(
                f["items"][code]["float"], 0.0,
                "{code} on the critical path has no float"
            );
        }
        assert!(f["duration_working_days"].as_f64().unwrap() > 20.0);
        let permit = &f["milestones"]["construction_permit"];
        assert!(permit["p50"].as_str().unwrap() <= permit["p90"].as_str().unwrap());
        assert!(
            f["milestones"]["construction_start"]["on_target"]
                .as_f64()
                .is_some()
        );
        let again = app
            .api(
                "GET",
                &format!("/api/v1/projects/{id}/forecast?samples=500&seed=7"),
                Some(&steward),
                None,
            )
            .await
            .json();
        assert_eq!(
            again["milestones"], f["milestones"],
            "the same seed gives the same answer"
        );
        for (q, field) in [
            ("samples=5", "samples"),
            ("seed=x", "seed"),
            ("phase=3", "phase"),
            ("colour=1", "colour"),
        ] {
            let r = app
                .api(
                    "GET",
                    &format!("/api/v1/projects/{id}/forecast?{q}"),
                    Some(&steward),
                    None,
                )
                .await;
            assert!(r.status.is_client_error(), "{q}");
            assert_eq!(r.json()["field"], field, "{q}");
        }
    }

    on_both! {
        forecast_of_the_demo_phase => forecast_of_the_demo_phase;
    }
}

mod what_if {
    //! What a reform mode would save, without touching the list.
    use super::*;

    async fn commitment_on_a_critical_item_saves_days(app: &TestApp) {
        let steward = app.token("steward@luodi.demo").await;
        let id = app.sinopharm().await;
        let url = format!("/api/v1/projects/{id}/forecast/what-if");
        let body = json!({"changes": [{"item": "SG02", "mode": "commitment"}], "samples": 200})
            .to_string();
        let r = app.api("POST", &url, Some(&steward), Some(&body)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        assert!(
            j["base"]["critical_path"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c == "SG02")
        );
        let saved = j["saved_working_days"]["construction_permit"]
            .as_f64()
            .unwrap();
        assert!(
            saved > 0.0,
            "commitment on the drawing review saves days: {saved}"
        );
        // The real list is untouched.
        let list = app
            .api(
                "GET",
                &format!("/api/v1/projects/{id}/phases/1/service-list"),
                Some(&steward),
                None,
            )
            .await
            .json();
        assert_eq!(
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["code"] == "SG02")
                .unwrap()["state"],
            "not_started"
        );
        let r = app
            .api(
                "POST",
                &url,
                Some(&steward),
                Some(&json!({"changes": [{"item": "SG02", "mode": "magic"}]}).to_string()),
            )
            .await;
        assert_eq!(r.json()["field"], "changes[0].mode");
        let r = app
            .api(
                "POST",
                &url,
                Some(&steward),
                Some(&json!({"changes": [{"item": "KB01", "mode": "parallel"}]}).to_string()),
            )
            .await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("changes"))
        );
        let r = app
            .api(
                "POST",
                &url,
                Some(&steward),
                Some(&json!({"changes": [{"item": "ZZ99", "mode": "parallel"}]}).to_string()),
            )
            .await;
        assert_eq!(r.json()["field"], "changes");
    }

    on_both! {
        commitment_on_a_critical_item_saves_days => commitment_on_a_critical_item_saves_days;
    }
}

mod portfolio {
    //! The leadership's portfolio: every active phase by how late its P50 construction start
    //! is, consistent with each phase's own forecast, and scoped for enterprises.
    use super::*;

    async fn ranked_consistent_and_scoped(app: &TestApp) {
        let leader = app.token("leader@luodi.demo").await;
        let r = app
            .api("GET", "/api/v1/portfolio", Some(&leader), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        assert_eq!(j["target_working_days"], 30.0);
        let rows = j["rows"].as_array().unwrap();
        assert!(rows.len() >= 4, "{}", r.body);
        assert_eq!(
            j["recomputed"].as_u64().unwrap() as usize,
            rows.len(),
            "first read forecasts all"
        );
        let key: Vec<(bool, i64)> = rows
            .iter()
            .map(|r| {
                (
                    r["started_on"].is_string(),
                    -r["late_working_days"].as_i64().unwrap(),
                )
            })
            .collect();
        assert!(key.windows(2).all(|w| w[0] <= w[1]), "{key:?}");
        // The same forecast as the phase's own (same samples and seed).
        let id = app.sinopharm().await;
        let row = rows.iter().find(|r| r["project_id"] == id).unwrap();
        let f = app
            .api(
                "GET",
                &format!("/api/v1/projects/{id}/forecast"),
                Some(&leader),
                None,
            )
            .await
            .json();
        let start = &f["milestones"]["construction_start"];
        assert_eq!(row["start_p50_date"], start["p50"]);
        assert_eq!(row["start_p90_date"], start["p90"]);
        assert_eq!(row["start_date"], start["date"]);
        // The forecast learns from the demo's history.
        assert_eq!(
            f["durations"]["KB01"]["source"], "history",
            "{}",
            f["durations"]
        );
        assert!(f["durations"]["KB01"]["history"].as_u64().unwrap() >= 5);

        // Reading again recomputes nothing; a step recomputes that phase.
        let again = app
            .api("GET", "/api/v1/portfolio", Some(&leader), None)
            .await
            .json();
        assert_eq!(again["recomputed"], 0);
        let steward = app.token("steward@luodi.demo").await;
        let list = app
            .api(
                "GET",
                &format!("/api/v1/projects/{id}/phases/1/service-list"),
                Some(&steward),
                None,
            )
            .await
            .json();
        let kb01 = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["code"] == "KB01")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let step = app
            .api(
                "POST",
                &format!("/api/v1/service-items/{kb01}/steps"),
                Some(&steward),
                Some(&json!({"kind": "submit", "on": "2026-11-02"}).to_string()),
            )
            .await;
        assert_eq!(step.status, StatusCode::OK, "{}", step.body);
        let after = app
            .api("GET", "/api/v1/portfolio", Some(&leader), None)
            .await
            .json();
        assert_eq!(after["recomputed"], 1);

        // Enterprises see their own phases only.
        let own = app.token("enterprise@luodi.demo").await;
        let mine = app
            .api("GET", "/api/v1/portfolio", Some(&own), None)
            .await
            .json();
        let mine = mine["rows"].as_array().unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0]["project_id"], id);
        let haier = app.other_enterprise_user().await;
        let theirs = app.token(haier).await;
        let theirs = app
            .api("GET", "/api/v1/portfolio", Some(&theirs), None)
            .await
            .json();
        let theirs = theirs["rows"].as_array().unwrap();
        assert!(!theirs.is_empty(), "Haier has an active phase in the demo");
        assert!(
            theirs
                .iter()
                .all(|r| r["project_id"] != id
                    && r["enterprise_name"] == theirs[0]["enterprise_name"])
        );
    }

    on_both! {
        ranked_consistent_and_scoped => ranked_consistent_and_scoped;
    }
}

mod parcels {
    //! Parcels and matching over the API.
    use super::*;

    fn square(code: &str, lon: f64) -> serde_json::Value {
        json!({"type": "Feature", "properties": {"code": code},
            "geometry": {"type": "Polygon", "coordinates": [[[lon, 36.35], [lon + 0.004, 36.35], [lon + 0.004, 36.353], [lon, 36.353], [lon, 36.35]]]}})
    }

    async fn list_import_match_reserve(app: &TestApp) {
        let landing = app.token("landing@luodi.demo").await;
        let r = app
            .api("GET", "/api/v1/parcels?per_page=50", Some(&landing), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let page = r.json();
        // The park's 16 and the 19 handed to the zone's past projects.
        assert_eq!(page["total"], 35);
        let first = &page["items"][0];
        for k in ["id", "code", "area_m2", "area_mu", "status"] {
            assert!(!first[k].is_null(), "{k} in {first}");
        }
        let area_m2 = first["area_m2"].as_f64().unwrap();
        assert!((first["area_mu"].as_f64().unwrap() - area_m2 * 3.0 / 2000.0).abs() < 0.01);
        let id = first["id"].as_i64().unwrap();
        assert_eq!(
            app.api(
                "GET",
                &format!("/api/v1/parcels/{id}"),
                Some(&landing),
                None
            )
            .await
            .status,
            StatusCode::OK
        );
        assert_eq!(
            app.api("GET", "/api/v1/parcels/99999", Some(&landing), None)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let r = app
            .api("GET", "/api/v1/parcels?status=sold", Some(&landing), None)
            .await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::BAD_REQUEST, json!("status"))
        );

        // A file with bad features is refused whole, every problem named; nothing written.
        let mut bad = square("GX-NEW-2", 120.40);
        bad["geometry"]["coordinates"] = json!([[
            [120.40, 36.35],
            [120.404, 36.353],
            [120.404, 36.35],
            [120.40, 36.353],
            [120.40, 36.35]
        ]]);
        let mut unclosed = square("GX-NEW-3", 120.42);
        unclosed["geometry"]["coordinates"][0]
            .as_array_mut()
            .unwrap()
            .pop();
        let file = json!({"type": "FeatureCollection", "features": [square("GX-NEW-1", 120.36), bad, unclosed]}).to_string();
        let r = app
            .api("POST", "/api/v1/parcels", Some(&landing), Some(&file))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let errors = r.json()["errors"].as_array().unwrap().clone();
        assert!(
            errors.iter().any(|e| e["field"] == "features[1].geometry"
                && e["message"].as_str().unwrap().contains("GX-NEW-2")),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|e| e["field"] == "features[2].geometry"
                && e["message"].as_str().unwrap().contains("not closed")),
            "{errors:?}"
        );
        assert_eq!(
            app.api("GET", "/api/v1/parcels", Some(&landing), None)
                .await
                .json()["total"],
            35,
            "nothing imported"
        );
        let good = json!({"type": "FeatureCollection", "features": [square("GX-NEW-1", 120.36)]})
            .to_string();
        let r = app
            .api("POST", "/api/v1/parcels", Some(&landing), Some(&good))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["created"], 1);

        // Matching the Sinopharm city's phase 2: every exclusion with its reason.
        let needs = json!({"needs": {"area_mu_min": 60, "area_mu_max": 200, "industry": "C2761",
            "investment_wan": 150000, "annual_tax_wan": 5000, "annual_output_wan": 200000, "power_kva": 6000, "gas": true,
            "budget_per_mu_wan": 40, "partners": [{"name": "国药科技城一期", "lon": 120.30, "lat": 36.305}]},
            "facts": {"new_construction": true, "approval_route": "filing", "eia_class": "report_table"}, "k": 5});
        let r = app
            .api(
                "POST",
                "/api/v1/match",
                Some(&landing),
                Some(&needs.to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let m = r.json();
        assert_eq!(
            m["parcels"], 36,
            "the park's 16, the 19 already handed over and GX-NEW-1"
        );
        let top = m["top"].as_array().unwrap();
        assert!(!top.is_empty() && top.len() <= 5, "{}", m["excluded"]);
        let scores: Vec<f64> = top.iter().map(|t| t["score"].as_f64().unwrap()).collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
        assert_eq!(top[0]["components"].as_array().unwrap().len(), 6);
        let excluded = m["excluded"].as_array().unwrap();
        let reasons = |code: &str| -> Vec<String> {
            excluded
                .iter()
                .find(|e| e["code"] == code)
                .map(|e| {
                    e["reasons"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|r| r.as_str().unwrap().to_string())
                        .collect()
                })
                .unwrap_or_default()
        };
        assert!(
            reasons("GX-2026-07").iter().any(|r| r == "地块已交付"),
            "{excluded:?}"
        );
        assert!(reasons("GX-2026-03").iter().any(|r| r == "地块已撤回"));
        assert_eq!(
            m["eligible"].as_u64().unwrap() as usize + excluded.len(),
            36
        );
        let r = app
            .api(
                "POST",
                "/api/v1/match",
                Some(&landing),
                Some(&json!({"needs": {"area_mu_min": 100, "area_mu_max": 50}}).to_string()),
            )
            .await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("needs.area_mu_max"))
        );

        // Phase 1's recorded needs: its own parcel (handed to it) is eligible and, with its
        // seven regional assessments, ranked; the reasons are there to check by hand.
        let zone = demo::zone_id(&app.store).await.unwrap();
        let scope = luodi_domain::Scope {
            zone: Some(zone),
            enterprise: None,
        };
        let project = app
            .store
            .project(&scope, app.sinopharm().await)
            .await
            .unwrap();
        let p1 = project.phases[0].id;
        let r = app
            .api(
                "POST",
                "/api/v1/match",
                Some(&landing),
                Some(&json!({"phase_id": p1}).to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let own = r.json();
        let top = own["top"].as_array().unwrap();
        let mine = top
            .iter()
            .find(|t| t["code"] == "GX-2026-07")
            .unwrap_or_else(|| panic!("{own}"));
        let assessments = mine["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "assessments")
            .unwrap();
        assert!(
            assessments["detail"].as_str().unwrap().starts_with("免办"),
            "{assessments}"
        );
        assert!(
            own["excluded"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["code"] != "GX-2026-07")
        );
        // Recording needs: checked, naming the field; then matching by that phase uses them.
        let p4 = project.phases[3].id;
        let url = format!("/api/v1/phases/{p4}/land-needs");
        let r = app
            .api(
                "PUT",
                &url,
                Some(&landing),
                Some(&json!({"area_mu_min": 0, "area_mu_max": 10}).to_string()),
            )
            .await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("area_mu_min"))
        );
        let r = app
            .api(
                "PUT",
                &url,
                Some(&landing),
                Some(&json!({"area_mu_min": 40, "area_mu_max": 90, "industry": "C27"}).to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = app
            .api(
                "POST",
                "/api/v1/match",
                Some(&landing),
                Some(&json!({"phase_id": p4, "k": 3}).to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.json()["excluded"].as_array().unwrap().iter().any(|e| {
            e["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x.as_str().unwrap().contains("40–90 亩"))
        }));
        let r = app
            .api(
                "POST",
                "/api/v1/match",
                Some(&landing),
                Some(&json!({"k": 3}).to_string()),
            )
            .await;
        let bad_weights = app
            .api(
                "POST",
                "/api/v1/match",
                Some(&landing),
                Some(&json!({"phase_id": p4, "weights": {"area": -5, "indicators": 25, "utilities": 15, "price": 15, "synergy": 15, "assessments": 15}}).to_string()),
            )
            .await;
        assert_eq!(
            (bad_weights.status, bad_weights.json()["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("weights.area"))
        );
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("needs"))
        );
        let own_token = app.token("enterprise@luodi.demo").await;
        assert_eq!(
            app.api(
                "PUT",
                &url,
                Some(&own_token),
                Some(&json!({"area_mu_min": 40, "area_mu_max": 90}).to_string())
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );

        // Reserve the best for phase 2; a second reservation of it is refused.
        let zone = demo::zone_id(&app.store).await.unwrap();
        let scope = luodi_domain::Scope {
            zone: Some(zone),
            enterprise: None,
        };
        let project = app
            .store
            .project(&scope, app.sinopharm().await)
            .await
            .unwrap();
        let best = top[0]["parcel_id"].as_i64().unwrap();
        let url = format!("/api/v1/parcels/{best}/reserve");
        let r = app
            .api(
                "POST",
                &url,
                Some(&landing),
                Some(&json!({"phase_id": project.phases[1].id}).to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["status"], "reserved");
        let r = app
            .api(
                "POST",
                &url,
                Some(&landing),
                Some(&json!({"phase_id": project.phases[2].id}).to_string()),
            )
            .await;
        assert_eq!(
            (r.status, r.json()["code"].clone()),
            (StatusCode::CONFLICT, json!("not_available"))
        );
        let release = format!("/api/v1/parcels/{best}/release");
        let r = app
            .api(
                "POST",
                &release,
                Some(&landing),
                Some(&json!({"reason": " "}).to_string()),
            )
            .await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("reason"))
        );
        let r = app
            .api(
                "POST",
                &release,
                Some(&landing),
                Some(&json!({"reason": "企业改选其他地块"}).to_string()),
            )
            .await;
        assert_eq!(r.json()["status"], "available");

        // Export: a FeatureCollection with the API's field names.
        let r = app
            .api("GET", "/api/v1/parcels.geojson", Some(&landing), None)
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let fc = r.json();
        assert_eq!(fc["features"].as_array().unwrap().len(), 36);
        let props = &fc["features"][0]["properties"];
        for k in ["id", "code", "area_m2", "area_mu", "status"] {
            assert!(!props[k].is_null(), "{k} in {props}");
        }

        // The CSV export imports back through the API as a table, unchanged: nothing is
        // written (regression: every parcel was reported updated).
        let csv = app
            .api("GET", "/api/v1/parcels.csv", Some(&landing), None)
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.body.lines().next().unwrap().contains("code,name,park"));
        let req = axum::http::Request::builder()
            .method("POST")
            .uri("/api/v1/parcels")
            .header(axum::http::header::HOST, "luodi.test")
            .header(
                axum::http::header::AUTHORIZATION,
                format!("Bearer {landing}"),
            )
            .header(axum::http::header::CONTENT_TYPE, "text/csv")
            .body(axum::body::Body::from(csv.body.clone()))
            .unwrap();
        let r = app.send(req).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(
            (
                r.json()["created"].clone(),
                r.json()["updated"].clone(),
                r.json()["unchanged"].clone()
            ),
            (json!(0), json!(0), json!(36))
        );
        let xlsx = app
            .api("GET", "/api/v1/parcels.xlsx", Some(&landing), None)
            .await;
        assert_eq!(xlsx.status, StatusCode::OK);
        assert!(xlsx.body_bytes.starts_with(b"PK"));

        // Enterprises see no parcels, by any route; the leader reads but does not write.
        let own = app.token("enterprise@luodi.demo").await;
        for (m, path, body) in [
            ("GET", "/api/v1/parcels".to_string(), None),
            ("GET", format!("/api/v1/parcels/{id}"), None),
            ("GET", "/api/v1/parcels.geojson".to_string(), None),
            ("GET", "/api/v1/parcels.csv".to_string(), None),
            ("GET", "/api/v1/parcels.xlsx".to_string(), None),
            ("POST", "/api/v1/match".to_string(), Some(needs.to_string())),
            ("POST", "/api/v1/parcels".to_string(), Some(good.clone())),
        ] {
            assert_eq!(
                app.api(m, &path, Some(&own), body.as_deref()).await.status,
                StatusCode::FORBIDDEN,
                "{m} {path}"
            );
        }
        let leader = app.token("leader@luodi.demo").await;
        assert_eq!(
            app.api("GET", "/api/v1/parcels", Some(&leader), None)
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            app.api("POST", "/api/v1/parcels", Some(&leader), Some(&good))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }

    /// The zone's weights: read by anyone who matches, set by the landing office with
    /// each weight checked, audited, and used by the next match that gives none.
    async fn zone_weights_and_a_fresh_index(app: &TestApp) {
        let landing = app.token("landing@luodi.demo").await;
        let r = app
            .api("GET", "/api/v1/match/weights", Some(&landing), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["indicators"], 25.0);
        let weights = json!({"area": 0, "indicators": 0, "utilities": 0, "price": 0, "synergy": 100, "assessments": 0});
        let steward = app.token("steward@luodi.demo").await;
        assert_eq!(
            app.api(
                "PUT",
                "/api/v1/match/weights",
                Some(&steward),
                Some(&weights.to_string())
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        let before = audit_count(app).await;
        let bad = json!({"area": 10, "indicators": 0, "utilities": 0, "price": "cheap", "synergy": 0, "assessments": 0});
        let r = app
            .api(
                "PUT",
                "/api/v1/match/weights",
                Some(&landing),
                Some(&bad.to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let zero = json!({"area": 0, "indicators": 0, "utilities": 0, "price": 0, "synergy": 0, "assessments": 0});
        let r = app
            .api(
                "PUT",
                "/api/v1/match/weights",
                Some(&landing),
                Some(&zero.to_string()),
            )
            .await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("weights"))
        );
        assert_eq!(
            audit_count(app).await,
            before,
            "refused weights change nothing"
        );
        let r = app
            .api(
                "PUT",
                "/api/v1/match/weights",
                Some(&landing),
                Some(&weights.to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(audit_count(app).await, before + 1);

        // The next match uses them: all points are the synergy's, so the parcels rank by
        // their distance to the partner, nearest first.
        let needs = json!({"needs": {"area_mu_min": 10, "area_mu_max": 400, "industry": "C2761",
            "investment_wan": 10_000_000, "annual_tax_wan": 1_000_000, "annual_output_wan": 100_000_000,
            "partners": [{"name": "链主企业", "lon": 120.40, "lat": 36.33}]}, "k": 5, "explain": 2});
        let r = app
            .api(
                "POST",
                "/api/v1/match",
                Some(&landing),
                Some(&needs.to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let m = r.json();
        assert_eq!(m["weights"]["synergy"], 100.0);
        let top = m["top"].as_array().unwrap();
        let synergy: Vec<f64> = top
            .iter()
            .map(|t| {
                let c = &t["components"][4];
                assert_eq!(
                    (c["name"].as_str(), c["weight"].as_f64()),
                    (Some("synergy"), Some(100.0))
                );
                c["points"].as_f64().unwrap()
            })
            .collect();
        assert!(synergy.windows(2).all(|w| w[0] > w[1]), "{synergy:?}");
        assert_eq!(
            top[0]["score"].as_f64().unwrap(),
            (synergy[0] * 100.0).round() / 100.0
        );
        // The funnel counts every parcel; only two excluded ones are explained.
        let excluded_total = m["excluded_total"].as_u64().unwrap();
        assert_eq!(
            excluded_total + m["eligible"].as_u64().unwrap(),
            m["parcels"].as_u64().unwrap()
        );
        let removed: u64 = m["funnel"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["excluded"].as_u64().unwrap())
            .sum();
        assert_eq!(removed, excluded_total);
        assert_eq!(m["funnel"][3]["constraint"], "not_available");
        assert!(excluded_total > 2);
        assert_eq!(m["excluded"].as_array().unwrap().len(), 2);
        let r = app
            .api(
                "POST",
                "/api/v1/match",
                Some(&landing),
                Some(&json!({"needs": needs["needs"], "explain": 20000}).to_string()),
            )
            .await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("explain"))
        );

        // A parcel imported behind this server's back (as by the CLI, or another server)
        // is in its very next match.
        let zone = demo::zone_id(&app.store).await.unwrap();
        let file = json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"code": "GX-NEW-1", "status": "available"},
             "geometry": {"type": "Polygon", "coordinates": [[[120.398, 36.328], [120.402, 36.328], [120.402, 36.332], [120.398, 36.332], [120.398, 36.328]]]}}]});
        let drafts = luodi_domain::land::readers::parcels_from_geojson(&file.to_string()).unwrap();
        app.store
            .import_parcels(&luodi_store::Actor::Cli, zone, &drafts)
            .await
            .unwrap();
        let r = app
            .api(
                "POST",
                "/api/v1/match",
                Some(&landing),
                Some(&needs.to_string()),
            )
            .await;
        let m = r.json();
        assert_eq!(m["top"][0]["code"], "GX-NEW-1", "{m}");
        // Reserving it (a change of status alone) takes it out of the next match.
        let id = m["top"][0]["parcel_id"].as_i64().unwrap();
        let project = app
            .store
            .project(
                &luodi_domain::Scope {
                    zone: Some(zone),
                    enterprise: None,
                },
                app.sinopharm().await,
            )
            .await
            .unwrap();
        let r = app
            .api(
                "POST",
                &format!("/api/v1/parcels/{id}/reserve"),
                Some(&landing),
                Some(&json!({"phase_id": project.phases[2].id}).to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let m = app
            .api(
                "POST",
                "/api/v1/match",
                Some(&landing),
                Some(&needs.to_string()),
            )
            .await
            .json();
        assert_ne!(m["top"][0]["code"], "GX-NEW-1", "{m}");
        // … but not for the phase it is reserved for.
        let mine = json!({"phase_id": project.phases[2].id, "needs": needs["needs"], "k": 1});
        let m = app
            .api(
                "POST",
                "/api/v1/match",
                Some(&landing),
                Some(&mine.to_string()),
            )
            .await
            .json();
        assert_eq!(m["top"][0]["code"], "GX-NEW-1", "{m}");
    }

    on_both! {
        list_import_match_reserve => list_import_match_reserve;
        zone_weights_and_a_fresh_index => zone_weights_and_a_fresh_index;
    }
}

mod blockers {
    //! Blockers over the API: the enterprise raises, follows and rates its own; the
    //! department it is with acts; another enterprise sees nothing of it.
    use super::*;
    use sqlx::Row;

    async fn department(app: &TestApp, code: &str) -> i64 {
        sqlx::query("SELECT id FROM departments WHERE code = $1")
            .bind(code)
            .fetch_one(app.store.pool())
            .await
            .unwrap()
            .get("id")
    }

    async fn raise_follow_rate(app: &TestApp) {
        let project = app.sinopharm().await;
        let bureau = department(app, "approval-bureau").await;
        let other: i64 =
            sqlx::query("SELECT id FROM departments WHERE code <> 'approval-bureau' ORDER BY id")
                .fetch_one(app.store.pool())
                .await
                .unwrap()
                .get("id");
        let own = app.token("enterprise@luodi.demo").await;
        let officer = app.token("approval@luodi.demo").await;
        let steward = app.token("steward@luodi.demo").await;
        let stranger = app.token(app.other_enterprise_user().await).await;
        let leader = app.token("admin@luodi.demo").await;

        // Bad input names the field and changes nothing.
        let before = audit_count(app).await;
        let body = |category: &str| {
            json!({"project_id": project, "category": category, "priority": "high", "title": "施工用电无法接入",
                "description": "临时用电申请已提交两周，供电公司未答复。", "department_id": bureau})
            .to_string()
        };
        let r = app
            .api(
                "POST",
                "/api/v1/blockers",
                Some(&own),
                Some(&body("weather")),
            )
            .await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("category"))
        );
        let r = app
            .api(
                "POST",
                "/api/v1/blockers",
                Some(&stranger),
                Some(&body("utilities")),
            )
            .await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("project_id"))
        );
        let r = app
            .api(
                "POST",
                "/api/v1/blockers",
                Some(&officer),
                Some(&body("utilities")),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "approval officers answer blockers, they do not raise them"
        );
        assert_eq!(audit_count(app).await, before);

        // The enterprise raises one on its own project: three clocks start.
        let r = app
            .api(
                "POST",
                "/api/v1/blockers",
                Some(&own),
                Some(&body("utilities")),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let b = r.json();
        let id = b["id"].as_i64().unwrap();
        assert_eq!(
            (b["state"].as_str(), b["raised_by"].as_str()),
            (Some("open"), Some("enterprise"))
        );
        let kinds: Vec<&str> = b["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["acknowledge", "answer", "resolve"]);
        assert_eq!(b["clocks"][2]["limit"], 15);
        assert_eq!(b["actions"], json!(["withdrawn", "commented"]));
        let url = format!("/api/v1/blockers/{id}");
        let actions = format!("{url}/actions");

        // Another enterprise sees nothing of it, by any route.
        let list = app
            .api("GET", "/api/v1/blockers", Some(&stranger), None)
            .await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.json()["blockers"].as_array().unwrap().is_empty());
        assert_eq!(
            app.api("GET", &url, Some(&stranger), None).await.status,
            StatusCode::NOT_FOUND
        );
        let r = app
            .api(
                "POST",
                &actions,
                Some(&stranger),
                Some(&json!({"kind": "withdrawn", "reason": "x"}).to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // The officer of the department acknowledges; refusals name the field or the rule.
        let r = app.api("GET", &url, Some(&officer), None).await;
        assert!(
            r.json()["actions"]
                .as_array()
                .unwrap()
                .contains(&json!("acknowledged")),
            "{}",
            r.body
        );
        let r = app
            .api(
                "POST",
                &actions,
                Some(&officer),
                Some(&json!({"kind": "answered"}).to_string()),
            )
            .await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("text"))
        );
        let r = app
            .api(
                "POST",
                &actions,
                Some(&own),
                Some(&json!({"kind": "confirmed", "rating": 5}).to_string()),
            )
            .await;
        assert_eq!(
            (r.status, r.json()["code"].clone()),
            (StatusCode::CONFLICT, json!("refused"))
        );
        let r = app
            .api(
                "POST",
                &actions,
                Some(&officer),
                Some(&json!({"kind": "acknowledged", "version": 1}).to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["state"], "acknowledged");
        let r = app
            .api(
                "POST",
                &actions,
                Some(&officer),
                Some(&json!({"kind": "answered", "text": "x", "version": 1}).to_string()),
            )
            .await;
        assert_eq!(
            (r.status, r.json()["code"].clone()),
            (StatusCode::CONFLICT, json!("stale"))
        );
        // Re-routed by the steward: the first officer may no longer act on it.
        let r = app
            .api(
                "POST",
                &actions,
                Some(&steward),
                Some(
                    &json!({"kind": "rerouted", "department_id": other, "reason": "属供电协调"})
                        .to_string(),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["department_id"], other);
        let r = app
            .api(
                "POST",
                &actions,
                Some(&officer),
                Some(&json!({"kind": "resolved", "text": "x"}).to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // The zone's leader resolves it for the department; the enterprise rates it low,
        // which reopens it, then high, which closes it.
        let r = app
            .api(
                "POST",
                &actions,
                Some(&leader),
                Some(&json!({"kind": "resolved", "text": "已协调供电公司接入"}).to_string()),
            )
            .await;
        assert_eq!(r.json()["state"], "resolved", "{}", r.body);
        let r = app.api("GET", &url, Some(&own), None).await;
        assert_eq!(
            r.json()["actions"],
            json!(["confirmed", "withdrawn", "commented"])
        );
        let r = app
            .api(
                "POST",
                &actions,
                Some(&own),
                Some(&json!({"kind": "confirmed", "rating": 9}).to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let r = app
            .api(
                "POST",
                &actions,
                Some(&own),
                Some(&json!({"kind": "confirmed", "rating": 2, "comment": "仍未通电"}).to_string()),
            )
            .await;
        assert_eq!(
            (r.json()["state"].as_str(), r.json()["reopened"].as_u64()),
            (Some("answered"), Some(1))
        );
        app.api(
            "POST",
            &actions,
            Some(&leader),
            Some(&json!({"kind": "resolved", "text": "已通电"}).to_string()),
        )
        .await;
        let r = app
            .api(
                "POST",
                &actions,
                Some(&own),
                Some(&json!({"kind": "confirmed", "rating": 5, "comment": "满意"}).to_string()),
            )
            .await;
        let b = r.json();
        assert_eq!(
            (b["state"].as_str(), b["rating"].as_u64()),
            (Some("closed"), Some(5))
        );
        let kinds: Vec<&str> = b["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"]["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "raised",
                "acknowledged",
                "rerouted",
                "resolved",
                "confirmed",
                "resolved",
                "confirmed"
            ]
        );
        assert_eq!(audit_count(app).await, before + 7);

        // Lists filter; a bad filter names itself.
        let r = app
            .api(
                "GET",
                &format!("/api/v1/blockers?state=closed&project_id={project}"),
                Some(&own),
                None,
            )
            .await;
        let ids = |r: &common::Reply| -> Vec<i64> {
            r.json()["blockers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b["id"].as_i64().unwrap())
                .collect()
        };
        let closed = ids(&r);
        assert!(closed.contains(&id), "{closed:?}");
        assert!(
            r.json()["blockers"]
                .as_array()
                .unwrap()
                .iter()
                .all(|b| b["state"] == "closed")
        );
        let r = app
            .api("GET", "/api/v1/blockers?open=true", Some(&steward), None)
            .await;
        assert!(!ids(&r).contains(&id));
        assert!(
            r.json()["blockers"]
                .as_array()
                .unwrap()
                .iter()
                .all(|b| b["state"] != "closed" && b["state"] != "withdrawn")
        );
        let r = app
            .api("GET", "/api/v1/blockers?open=maybe", Some(&steward), None)
            .await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::BAD_REQUEST, json!("open"))
        );
    }

    async fn zone_limits(app: &TestApp) {
        let admin = app.token("admin@luodi.demo").await;
        let steward = app.token("steward@luodi.demo").await;
        let r = app
            .api("GET", "/api/v1/blocker-sla", Some(&steward), None)
            .await;
        assert_eq!(
            r.json()["limits"],
            json!({"acknowledge": 1, "answer": 3, "resolve": 15, "resolve_complex": 30})
        );
        let body = json!({"limits": {"acknowledge": 1, "answer": 2, "resolve": 10, "resolve_complex": 25},
            "ladder": [{"to": "department_head", "after_working_days": 0}, {"to": "zone_leader", "after_working_days": 2}]});
        assert_eq!(
            app.api(
                "PUT",
                "/api/v1/blocker-sla",
                Some(&steward),
                Some(&body.to_string())
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        let mut bad = body.clone();
        bad["limits"]["answer"] = json!(0);
        let r = app
            .api(
                "PUT",
                "/api/v1/blocker-sla",
                Some(&admin),
                Some(&bad.to_string()),
            )
            .await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("limits.answer"))
        );
        let before = audit_count(app).await;
        let r = app
            .api(
                "PUT",
                "/api/v1/blocker-sla",
                Some(&admin),
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(audit_count(app).await, before + 1);
        // A blocker raised now runs on the new limits.
        let project = app.sinopharm().await;
        let dept = department(app, "approval-bureau").await;
        let r = app
            .api(
                "POST",
                "/api/v1/blockers",
                Some(&steward),
                Some(
                    &json!({"project_id": project, "category": "land", "title": "红线调整",
                "description": "规划红线与出让红线不一致", "department_id": dept})
                    .to_string(),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(
            (
                r.json()["clocks"][1]["limit"].as_u64(),
                r.json()["clocks"][2]["limit"].as_u64()
            ),
            (Some(2), Some(10))
        );
        assert_eq!(r.json()["raised_by"], "steward");
    }

    /// Those involved hear of each step in their inbox; the one who acted and other
    /// enterprises do not.
    async fn inbox_tells_those_involved(app: &TestApp) {
        let project = app.sinopharm().await;
        let bureau = department(app, "approval-bureau").await;
        let own = app.token("enterprise@luodi.demo").await;
        let officer = app.token("approval@luodi.demo").await;
        let stranger = app.token(app.other_enterprise_user().await).await;
        let unread = |token: String| async move {
            let r = app
                .api(
                    "GET",
                    "/api/v1/notifications?unread=true",
                    Some(&token),
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            r.json()
        };
        // Start from a clean inbox (the demo's blockers told the officer of themselves).
        app.api(
            "POST",
            "/api/v1/notifications/read",
            Some(&officer),
            Some("{}"),
        )
        .await;
        app.api("POST", "/api/v1/notifications/read", Some(&own), Some("{}"))
            .await;
        assert_eq!(unread(officer.clone()).await["unread"], 0);
        let r = app
            .api("POST", "/api/v1/blockers", Some(&own), Some(&json!({"project_id": project, "category": "approval",
                "title": "施工许可材料退回", "description": "审图意见不明确", "department_id": bureau}).to_string()))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        let inbox = unread(officer.clone()).await;
        assert_eq!(inbox["unread"], 1, "{inbox}");
        let note = &inbox["notifications"][0];
        assert_eq!(
            (note["kind"].as_str(), note["title"].as_str()),
            (Some("blocker_raised"), Some("施工许可材料退回"))
        );
        assert_eq!(note["link"], format!("/blockers/{id}"));
        assert_eq!(
            unread(own.clone()).await["unread"],
            0,
            "not told of its own step"
        );
        assert_eq!(unread(stranger.clone()).await["unread"], 0);
        // The officer answers: the enterprise hears of it.
        app.api(
            "POST",
            &format!("/api/v1/blockers/{id}/actions"),
            Some(&officer),
            Some(&json!({"kind": "answered", "text": "请按审图意见第3条补正"}).to_string()),
        )
        .await;
        let inbox = unread(own.clone()).await;
        assert_eq!(
            (
                inbox["unread"].as_i64(),
                inbox["notifications"][0]["kind"].as_str()
            ),
            (Some(1), Some("blocker_answered"))
        );
        // Read: one of one's own, not another's; then all; each audited.
        let mine = inbox["notifications"][0]["id"].as_i64().unwrap();
        let r = app
            .api(
                "POST",
                "/api/v1/notifications/read",
                Some(&stranger),
                Some(&json!({"id": mine}).to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let before = audit_count(app).await;
        let r = app
            .api(
                "POST",
                "/api/v1/notifications/read",
                Some(&own),
                Some(&json!({"id": mine}).to_string()),
            )
            .await;
        assert_eq!(r.json()["marked"], 1);
        assert_eq!(audit_count(app).await, before + 1);
        assert_eq!(unread(own.clone()).await["unread"], 0);
        let r = app
            .api(
                "POST",
                "/api/v1/notifications/read",
                Some(&officer),
                Some("{}"),
            )
            .await;
        assert_eq!(r.json()["marked"], 1);
        let all = app
            .api("GET", "/api/v1/notifications", Some(&officer), None)
            .await
            .json();
        assert_eq!(all["unread"].as_i64(), Some(0));
        assert!(
            all["notifications"]
                .as_array()
                .unwrap()
                .iter()
                .all(|n| !n["read_at"].is_null())
        );
        let r = app
            .api(
                "GET",
                "/api/v1/notifications?unread=perhaps",
                Some(&officer),
                None,
            )
            .await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::BAD_REQUEST, json!("unread"))
        );
    }

    /// Posts `parts` (name, file name if a file, bytes) as `multipart/form-data`.
    async fn multipart(
        app: &TestApp,
        path: &str,
        token: &str,
        parts: &[(&str, Option<&str>, &[u8])],
    ) -> common::Reply {
        let boundary = "luodi-api-boundary";
        let mut body = Vec::new();
        for (name, file, bytes) in parts {
            let disposition = match file {
                Some(f) => format!("form-data; name=\"{name}\"; filename=\"{f}\""),
                None => format!("form-data; name=\"{name}\""),
            };
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n").as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let req = axum::http::Request::builder()
            .method("POST")
            .uri(path)
            .header("host", "luodi.test")
            .header("authorization", format!("Bearer {token}"))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(axum::body::Body::from(body))
            .unwrap();
        app.send(req).await
    }

    /// Files over the API: stored with a comment, checked by content, downloaded as they
    /// came; an internal note's file is the zone's alone.
    async fn attachments_over_the_api(app: &TestApp) {
        let bureau = department(app, "approval-bureau").await;
        let own = app.token("enterprise@luodi.demo").await;
        let officer = app.token("approval@luodi.demo").await;
        let body = json!({"project_id": app.sinopharm().await, "category": "utilities", "priority": "high",
            "title": "施工用电无法接入", "description": "两周未答复", "department_id": bureau});
        let r = app
            .api(
                "POST",
                "/api/v1/blockers",
                Some(&own),
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        let path = format!("/api/v1/blockers/{id}/attachments");
        let pdf: &[u8] = b"%PDF-1.7\n% receipt\n";
        let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        let before = audit_count(app).await;
        // Refused: no file; a file whose content is not what its name says; an unknown
        // part. Nothing stored.
        let r = multipart(app, &path, &own, &[("text", None, "只有文字".as_bytes())]).await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("file"))
        );
        let r = multipart(app, &path, &own, &[("file", Some("回执.pdf"), png)]).await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("files")),
            "{}",
            r.body
        );
        assert!(r.json()["message"].as_str().unwrap().contains("回执.pdf"));
        let r = multipart(app, &path, &own, &[("evil", None, b"x")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(audit_count(app).await, before);
        // The enterprise's file, and the officer's internal note with its file.
        let r = multipart(
            app,
            &path,
            &own,
            &[
                ("file", Some("回执.pdf"), pdf),
                ("text", None, "回执见附件".as_bytes()),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let file = r.json()["attachments"][0].clone();
        assert_eq!(
            (
                file["name"].as_str(),
                file["media_type"].as_str(),
                file["size"].as_i64()
            ),
            (
                Some("回执.pdf"),
                Some("application/pdf"),
                Some(pdf.len() as i64)
            )
        );
        let r = app
            .api("GET", file["url"].as_str().unwrap(), Some(&officer), None)
            .await;
        assert_eq!((r.status, r.body_bytes.as_slice()), (StatusCode::OK, pdf));
        let r = multipart(
            app,
            &path,
            &officer,
            &[("file", Some("草图.png"), png), ("internal", None, b"true")],
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let note = r.json()["attachments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["internal"] == true)
            .unwrap()
            .clone();
        let seen = app
            .api("GET", &format!("/api/v1/blockers/{id}"), Some(&own), None)
            .await
            .json();
        assert_eq!(seen["attachments"].as_array().unwrap().len(), 1, "{seen}");
        assert!(
            seen["events"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["internal"] == false)
        );
        let r = app
            .api("GET", note["url"].as_str().unwrap(), Some(&own), None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app
            .api("GET", note["url"].as_str().unwrap(), Some(&officer), None)
            .await;
        assert_eq!((r.status, r.body_bytes.as_slice()), (StatusCode::OK, png));
        // Another enterprise: not found, as a missing file.
        let stranger = app.token(app.other_enterprise_user().await).await;
        let r = app
            .api("GET", file["url"].as_str().unwrap(), Some(&stranger), None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }

    on_both! {
        raise_follow_and_rate => raise_follow_rate;
        zone_limits_and_ladder => zone_limits;
        inbox_tells_those_involved => inbox_tells_those_involved;
        files_travel_with_comments_and_notes => attachments_over_the_api;
    }
}

mod leadership {
    //! The leaders' figures: phases by stage, open blockers by department and age, SLA
    //! compliance; none of it for an enterprise.
    use super::*;

    async fn figures(app: &TestApp) {
        let leader = app.token("leader@luodi.demo").await;
        let r = app
            .api("GET", "/api/v1/leadership", Some(&leader), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let d = r.json();
        let stages = d["stages"].as_array().unwrap();
        assert_eq!(stages.len(), 8);
        // Every phase of the zone is counted once, at its stage.
        let phases: u64 = stages.iter().map(|s| s["phases"].as_u64().unwrap()).sum();
        let zone = demo::zone_id(&app.store).await.unwrap();
        let all = app
            .store
            .projects(&luodi_domain::Scope {
                zone: Some(zone),
                enterprise: None,
            })
            .await
            .unwrap();
        assert_eq!(
            phases as usize,
            all.iter().map(|p| p.phases.len()).sum::<usize>()
        );
        // Every project once, at its furthest phase: Sinopharm's four phases count one
        // project, signed once.
        let projects: u64 = stages.iter().map(|s| s["projects"].as_u64().unwrap()).sum();
        assert_eq!(projects as usize, all.len());
        assert_eq!(d["projects"].as_u64().unwrap() as usize, all.len());
        let sinopharm = all
            .iter()
            .find(|p| p.name == demo::SINOPHARM_PROJECT)
            .unwrap();
        assert_eq!(sinopharm.phases.len(), 4);
        let signed = all
            .iter()
            .filter(|p| {
                p.phases
                    .iter()
                    .any(|ph| ph.status >= luodi_domain::stewardship::project::PhaseStatus::Signed)
            })
            .count();
        assert!(signed >= 1 && signed < phases as usize);
        assert_eq!(d["projects_signed"].as_u64().unwrap() as usize, signed);
        // The demo's three open blockers, by department, each in one age bucket.
        let open: u64 = d["blockers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["open"].as_u64().unwrap())
            .sum();
        assert_eq!(open, 3);
        for b in d["blockers"].as_array().unwrap() {
            let aged: u64 = b["by_age"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_u64().unwrap())
                .sum();
            assert_eq!(aged, b["open"].as_u64().unwrap());
        }
        assert_eq!(d["months"].as_array().unwrap().len(), 6);
        for c in d["compliance"].as_array().unwrap() {
            for (i, p) in c["percent"].as_array().unwrap().iter().enumerate() {
                let (stopped, met) = (
                    c["stopped"][i].as_u64().unwrap(),
                    c["met"][i].as_u64().unwrap(),
                );
                assert!(met <= stopped);
                match stopped {
                    0 => assert!(p.is_null()),
                    s => assert_eq!(p.as_u64().unwrap(), met * 100 / s),
                }
            }
        }
        let own = app.token("enterprise@luodi.demo").await;
        assert_eq!(
            app.api("GET", "/api/v1/leadership", Some(&own), None)
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }

    on_both! {
        leadership_figures => figures;
    }
}

mod lifecycle {
    //! Moving a phase by hand, past the lifecycle's guards.
    use super::*;

    async fn guarded_moves(app: &TestApp) {
        let zone = demo::zone_id(&app.store).await.unwrap();
        let project = app
            .store
            .project(
                &luodi_domain::Scope {
                    zone: Some(zone),
                    enterprise: None,
                },
                app.sinopharm().await,
            )
            .await
            .unwrap();
        let (p1, p2) = (project.phases[0].id, project.phases[1].id);
        let landing = app.token("landing@luodi.demo").await;
        let admin = app.token("admin@luodi.demo").await;
        let own = app.token("enterprise@luodi.demo").await;
        let leader = app.token("leader@luodi.demo").await;
        let go = |token: String, phase: i64, body: serde_json::Value| async move {
            app.api(
                "POST",
                &format!("/api/v1/phases/{phase}/move"),
                Some(&token),
                Some(&body.to_string()),
            )
            .await
        };
        for t in [own.clone(), leader.clone()] {
            assert_eq!(
                go(t, p2, json!({"status": "land_matched"})).await.status,
                StatusCode::FORBIDDEN
            );
        }
        let r = go(landing.clone(), p2, json!({"status": "dug"})).await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("status"))
        );
        let before = audit_count(app).await;
        // Land matched needs a parcel reserved for the phase.
        let r = go(landing.clone(), p2, json!({"status": "land_matched"})).await;
        assert_eq!(
            (r.status, r.json()["code"].clone()),
            (StatusCode::CONFLICT, json!("refused"))
        );
        assert_eq!(
            audit_count(app).await,
            before,
            "a refused move changes nothing"
        );
        let parcel = app
            .store
            .parcel_by_code(zone, "GX-2026-01")
            .await
            .unwrap()
            .unwrap()
            .id;
        let r = app
            .api(
                "POST",
                &format!("/api/v1/parcels/{parcel}/reserve"),
                Some(&landing),
                Some(&json!({"phase_id": p2}).to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // The reservation itself moves the phase to land matched (issue 16): moving there
        // by hand is now a move to where it already is.
        let scope = luodi_domain::Scope {
            zone: Some(zone),
            enterprise: None,
        };
        assert_eq!(
            app.store.phase(&scope, p2).await.unwrap().status,
            luodi_domain::stewardship::project::PhaseStatus::LandMatched
        );
        let r = go(landing.clone(), p2, json!({"status": "land_matched"})).await;
        assert_eq!(
            (r.status, r.json()["code"].clone()),
            (StatusCode::CONFLICT, json!("refused")),
            "{}",
            r.body
        );
        // Handover and permit are recorded, not moved to by hand; no going back.
        assert_eq!(
            go(landing.clone(), p2, json!({"status": "land_handed_over"}))
                .await
                .status,
            StatusCode::CONFLICT
        );
        assert_eq!(
            go(landing.clone(), p2, json!({"status": "signed"}))
                .await
                .status,
            StatusCode::CONFLICT
        );
        // Phase 1 has its land, not its permit: no start, unless the zone allows start on
        // commitment and the commitment is recorded.
        assert_eq!(
            go(
                landing.clone(),
                p1,
                json!({"status": "construction_started"})
            )
            .await
            .status,
            StatusCode::CONFLICT
        );
        let commitment = json!({"status": "construction_started", "commitment": "承诺按施工图审查意见完成整改后再进行主体施工"});
        assert_eq!(
            go(landing.clone(), p1, commitment.clone()).await.status,
            StatusCode::CONFLICT
        );
        assert_eq!(
            app.api(
                "PUT",
                "/api/v1/lifecycle-policy",
                Some(&landing),
                Some(&json!({"start_on_commitment": true}).to_string())
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        let r = app
            .api(
                "PUT",
                "/api/v1/lifecycle-policy",
                Some(&admin),
                Some(&json!({"start_on_commitment": true}).to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // … and only on land handed over.
        assert_eq!(
            go(landing.clone(), p2, commitment.clone()).await.status,
            StatusCode::CONFLICT
        );
        let r = go(landing.clone(), p1, commitment).await;
        assert_eq!(
            (r.status, r.json()["status"].clone()),
            (StatusCode::OK, json!("construction_started")),
            "{}",
            r.body
        );
        // The move is audited with the commitment.
        let entry: String = sqlx::query(
            "SELECT after_json FROM audit_log WHERE action = 'move' AND entity_id = $1",
        )
        .bind(p1.to_string())
        .fetch_one(app.store.pool())
        .await
        .map(|r| sqlx::Row::get(&r, "after_json"))
        .unwrap();
        assert!(entry.contains("承诺按施工图审查意见"), "{entry}");
    }

    on_both! {
        guarded_moves => guarded_moves;
    }
}

mod outbound {
    //! Notifications leave Luodi by email and webhook: a local SMTP sink and a local webhook
    //! receiver stand in for the mail server, a generic receiver, and the WeCom and DingTalk
    //! robots. The request that causes a notification sends nothing itself; the deliverer
    //! does, retries what failed, and two deliverers never send one message twice.
    use super::*;
    use axum::extract::{RawQuery, State};
    use axum::http::HeaderMap;
    use base64::Engine;
    use hmac::{Hmac, Mac};
    use luodi_app::stewardship::delivery::{Deliverer, OutboundConfig};
    use sqlx::Row;
    use std::sync::{Arc, Mutex};
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

    #[derive(Debug, Clone)]
    struct Hit {
        path: String,
        query: String,
        delivery: String,
        signature: Option<String>,
        timestamp: Option<String>,
        body: String,
    }

    #[derive(Clone, Default)]
    struct Receiver {
        hits: Arc<Mutex<Vec<Hit>>>,
    }

    impl Receiver {
        fn on(&self, path: &str) -> Vec<Hit> {
            self.hits
                .lock()
                .unwrap()
                .iter()
                .filter(|h| h.path == path)
                .cloned()
                .collect()
        }
    }

    async fn record(
        State(r): State<Receiver>,
        uri: axum::http::Uri,
        RawQuery(q): RawQuery,
        headers: HeaderMap,
        body: String,
    ) -> (StatusCode, String) {
        let path = uri.path().to_string();
        let header = |n: &str| headers.get(n).map(|v| v.to_str().unwrap().to_string());
        let earlier = {
            let mut hits = r.hits.lock().unwrap();
            let earlier = hits.iter().filter(|h| h.path == path).count();
            hits.push(Hit {
                path: path.clone(),
                query: q.unwrap_or_default(),
                delivery: header("x-luodi-delivery").unwrap_or_default(),
                signature: header("x-luodi-signature"),
                timestamp: header("x-luodi-timestamp"),
                body,
            });
            earlier
        };
        match path.as_str() {
            "/flaky" if earlier == 0 => (StatusCode::INTERNAL_SERVER_ERROR, "busy".into()),
            "/wecom" | "/dingtalk" => (StatusCode::OK, r#"{"errcode":0,"errmsg":"ok"}"#.into()),
            "/robot-error" => (
                StatusCode::OK,
                r#"{"errcode":310000,"errmsg":"keywords not in content"}"#.into(),
            ),
            _ => (StatusCode::NO_CONTENT, String::new()),
        }
    }

    async fn webhook_receiver() -> (Receiver, String) {
        let receiver = Receiver::default();
        let app = axum::Router::new()
            .fallback(record)
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (receiver, base)
    }

    /// A mail server that takes every message: (recipients, message text).
    type Mails = Arc<Mutex<Vec<(Vec<String>, String)>>>;

    async fn smtp_sink() -> (Mails, String) {
        let mails: Mails = Default::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("smtp://{}", listener.local_addr().unwrap());
        let kept = mails.clone();
        tokio::spawn(async move {
            loop {
                let (socket, _) = listener.accept().await.unwrap();
                let mails = kept.clone();
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read).lines();
                    write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                    let (mut to, mut data, mut in_data) = (Vec::new(), String::new(), false);
                    while let Ok(Some(line)) = lines.next_line().await {
                        if in_data {
                            if line == "." {
                                in_data = false;
                                mails
                                    .lock()
                                    .unwrap()
                                    .push((std::mem::take(&mut to), std::mem::take(&mut data)));
                                write.write_all(b"250 queued\r\n").await.unwrap();
                            } else {
                                data.push_str(&line);
                                data.push('\n');
                            }
                            continue;
                        }
                        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                        let reply: &[u8] = match verb.as_str() {
                            "EHLO" | "HELO" => b"250 sink\r\n",
                            "RCPT" => {
                                let addr = line
                                    [line.find('<').unwrap() + 1..line.find('>').unwrap()]
                                    .to_string();
                                to.push(addr);
                                b"250 ok\r\n"
                            }
                            "DATA" => {
                                in_data = true;
                                b"354 go on\r\n"
                            }
                            "QUIT" => {
                                write.write_all(b"221 bye\r\n").await.unwrap();
                                break;
                            }
                            _ => b"250 ok\r\n",
                        };
                        write.write_all(reply).await.unwrap();
                    }
                });
            }
        });
        (mails, url)
    }

    fn mac(key: &str, data: &str) -> Vec<u8> {
        let mut m = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
        m.update(data.as_bytes());
        m.finalize().into_bytes().to_vec()
    }

    async fn states(app: &TestApp) -> Vec<(String, String, i64, Option<String>)> {
        sqlx::query("SELECT target, state, attempts, last_error FROM outbox ORDER BY id")
            .fetch_all(app.store.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r.get("target"),
                    r.get("state"),
                    r.get("attempts"),
                    r.get("last_error"),
                )
            })
            .collect()
    }

    async fn raise(app: &TestApp, token: &str, title: &str) -> i64 {
        let bureau: i64 = sqlx::query("SELECT id FROM departments WHERE code = 'approval-bureau'")
            .fetch_one(app.store.pool())
            .await
            .unwrap()
            .get("id");
        let body = json!({"project_id": app.sinopharm().await, "category": "utilities", "priority": "high", "title": title,
            "description": "临时用电申请已提交两周，供电公司未答复。", "department_id": bureau});
        let r = app
            .api(
                "POST",
                "/api/v1/blockers",
                Some(token),
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.json()["id"].as_i64().unwrap()
    }

    async fn email_and_webhooks(app: &TestApp) {
        let (receiver, base) = webhook_receiver().await;
        let (mails, smtp_url) = smtp_sink().await;
        let admin = app.token("admin@luodi.demo").await;
        let own = app.token("enterprise@luodi.demo").await;

        // Only an administrator sets where notifications go; bad settings name the field.
        let r = app.api("GET", "/api/v1/outbound", Some(&own), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let before = audit_count(app).await;
        let bad = json!({"email": true, "webhooks": [{"name": "x", "format": "wecom", "url": "ftp://x"}]});
        let r = app
            .api(
                "PUT",
                "/api/v1/outbound",
                Some(&admin),
                Some(&bad.to_string()),
            )
            .await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("webhooks[0].url"))
        );
        let bad = json!({"webhooks": [{"name": "x", "format": "slack", "url": "http://x"}]});
        let r = app
            .api(
                "PUT",
                "/api/v1/outbound",
                Some(&admin),
                Some(&bad.to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(audit_count(app).await, before);

        let settings = json!({"email": true, "webhooks": [
            {"name": "ops", "format": "generic", "url": format!("{base}/generic"), "secret": "s3cret", "kinds": ["blocker_*"]},
            {"name": "企业微信群", "format": "wecom", "url": format!("{base}/wecom?key=K-123")},
            {"name": "钉钉群", "format": "dingtalk", "url": format!("{base}/dingtalk?access_token=T-456"), "secret": "SECdd"},
            {"name": "flaky", "format": "generic", "url": format!("{base}/flaky")},
            {"name": "broken-robot", "format": "wecom", "url": format!("{base}/robot-error?key=z")},
            {"name": "leaders", "format": "generic", "url": format!("{base}/leaders"), "kinds": ["blocker_escalated"]},
        ]});
        let r = app
            .api(
                "PUT",
                "/api/v1/outbound",
                Some(&admin),
                Some(&settings.to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let shown = app.api("GET", "/api/v1/outbound", Some(&admin), None).await;
        for secret in ["s3cret", "K-123", "T-456", "SECdd"] {
            assert!(
                !shown.body.contains(secret),
                "{secret} shown: {}",
                shown.body
            );
        }
        let audited: String = sqlx::query(
            "SELECT after_json FROM audit_log WHERE entity = 'outbound' ORDER BY id DESC LIMIT 1",
        )
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get("after_json");
        assert!(
            !audited.contains("s3cret") && !audited.contains("K-123"),
            "{audited}"
        );

        // Raising a blocker writes the outbound rows and sends nothing itself.
        let id = raise(app, &own, "施工用电无法接入").await;
        assert!(receiver.hits.lock().unwrap().is_empty());
        assert!(mails.lock().unwrap().is_empty());
        let notified: Vec<String> = sqlx::query(
            "SELECT u.email FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.link = $1 ORDER BY u.email",
        )
        .bind(format!("/blockers/{id}"))
        .fetch_all(app.store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("email"))
        .collect();
        assert!(!notified.is_empty());
        let rows = states(app).await;
        assert_eq!(
            rows.len(),
            5 + notified.len(),
            "five webhooks want blocker_raised, one email per user told: {rows:?}"
        );
        assert!(rows.iter().all(|r| r.1 == "pending" && r.2 == 0));

        // One round sends everything due.
        let config = OutboundConfig {
            public_url: Some("https://luodi.example/".into()),
            smtp_url: Some(smtp_url.clone()),
            mail_from: Some("落地 <luodi@zone.example>".into()),
            every: std::time::Duration::from_secs(1),
            // The receiver listens on this machine, which webhooks may reach only so.
            allow_hosts: vec!["127.0.0.1".into()],
        };
        let deliverer = Deliverer::new(app.store.clone(), &config).unwrap();
        let now = chrono::Utc::now();
        assert_eq!(deliverer.deliver_due(now).await.unwrap(), rows.len());

        let generic = receiver.on("/generic");
        assert_eq!(generic.len(), 1);
        let g = &generic[0];
        // The time and the body are signed together, so a receiver can refuse a replay.
        let ts = g.timestamp.clone().expect("X-Luodi-Timestamp");
        let age = chrono::Utc::now().timestamp() - ts.parse::<i64>().unwrap();
        assert!((0..60).contains(&age), "a fresh timestamp: {ts}");
        let sig = format!(
            "sha256={}",
            hex::encode(mac("s3cret", &format!("{ts}.{}", g.body)))
        );
        assert_eq!(
            g.signature.as_deref(),
            Some(sig.as_str()),
            "the time and body are signed"
        );
        let v: serde_json::Value = serde_json::from_str(&g.body).unwrap();
        assert_eq!(v["kind"], "blocker_raised");
        assert_eq!(v["link"], format!("https://luodi.example/blockers/{id}"));
        assert_eq!(v["delivery"].to_string(), g.delivery);

        let wecom = receiver.on("/wecom");
        assert_eq!((wecom.len(), wecom[0].query.as_str()), (1, "key=K-123"));
        let v: serde_json::Value = serde_json::from_str(&wecom[0].body).unwrap();
        assert_eq!(v["msgtype"], "markdown");
        let content = v["markdown"]["content"].as_str().unwrap();
        assert!(
            content.starts_with("**新的难点堵点：施工用电无法接入**"),
            "{content}"
        );
        assert!(content.contains(&format!("(https://luodi.example/blockers/{id})")));

        // DingTalk: the timestamp is signed with the robot's secret (加签), as its docs say:
        // sign = urlencode(base64(HmacSHA256(secret, timestamp + "\n" + secret))).
        let ding = receiver.on("/dingtalk");
        assert_eq!(ding.len(), 1);
        let q: Vec<(String, String)> = serde_urlencoded::from_str(&ding[0].query).unwrap();
        let get = |k: &str| {
            q.iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap()
        };
        assert_eq!(get("access_token"), "T-456");
        let ts = get("timestamp");
        let want =
            base64::engine::general_purpose::STANDARD.encode(mac("SECdd", &format!("{ts}\nSECdd")));
        assert_eq!(get("sign"), want);
        let v: serde_json::Value = serde_json::from_str(&ding[0].body).unwrap();
        assert_eq!(v["markdown"]["title"], "新的难点堵点：施工用电无法接入");
        assert!(
            receiver.on("/leaders").is_empty(),
            "that webhook wants escalations only"
        );

        let got: Vec<String> = {
            let mut to: Vec<String> = mails
                .lock()
                .unwrap()
                .iter()
                .flat_map(|m| m.0.clone())
                .collect();
            to.sort();
            to
        };
        assert_eq!(got, notified, "one email to each user told");
        assert!(mails.lock().unwrap().iter().all(|(_, text)| {
            text.contains("X-Luodi-Delivery: ")
                && text.contains("Subject: ")
                && text.contains("<luodi@zone.example>")
        }));

        // What failed waits for its next try, with the reason kept.
        let rows = states(app).await;
        let of = |name: &str| rows.iter().find(|r| r.0 == name).unwrap().clone();
        assert_eq!(of("ops").1, "sent");
        let flaky = of("flaky");
        assert_eq!((flaky.1.as_str(), flaky.2), ("pending", 1));
        assert!(flaky.3.unwrap().starts_with("HTTP 500"));
        let robot = of("broken-robot");
        assert_eq!((robot.1.as_str(), robot.2), ("pending", 1));
        assert_eq!(
            robot.3.as_deref(),
            Some("errcode 310000: keywords not in content")
        );
        // Not yet due: nothing is sent again.
        assert_eq!(deliverer.deliver_due(now).await.unwrap(), 0);
        // After the first wait (30 s) both are tried again; the flaky receiver now takes it.
        let later = now + chrono::Duration::seconds(31);
        assert_eq!(deliverer.deliver_due(later).await.unwrap(), 2);
        assert_eq!(receiver.on("/flaky").len(), 2);
        let rows = states(app).await;
        assert_eq!(
            rows.iter().filter(|r| r.1 == "sent").count(),
            rows.len() - 1
        );

        // A webhook removed meanwhile fails for good; settings given back as shown keep
        // their hidden secrets.
        let mut shown = app
            .api("GET", "/api/v1/outbound", Some(&admin), None)
            .await
            .json();
        shown["webhooks"]
            .as_array_mut()
            .unwrap()
            .retain(|w| w["name"] != "broken-robot");
        let r = app
            .api(
                "PUT",
                "/api/v1/outbound",
                Some(&admin),
                Some(&shown.to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let later = later + chrono::Duration::seconds(121);
        assert_eq!(deliverer.deliver_due(later).await.unwrap(), 1);
        let failed = app
            .api("GET", "/api/v1/outbox?state=failed", Some(&admin), None)
            .await
            .json();
        assert_eq!(failed["counts"]["failed"], 1);
        let failed_id = failed["deliveries"][0]["id"].as_i64().unwrap();
        assert!(
            failed["deliveries"][0]["last_error"]
                .as_str()
                .unwrap()
                .contains("broken-robot")
        );

        // Two servers' deliverers at once: every message of a new blocker sent once.
        let second = Deliverer::new(app.store.clone(), &config).unwrap();
        receiver.hits.lock().unwrap().clear();
        mails.lock().unwrap().clear();
        let id2 = raise(app, &own, "排水接口位置不明").await;
        let t = chrono::Utc::now();
        let (a, b) = tokio::join!(deliverer.deliver_due(t), second.deliver_due(t));
        let due = 4 + notified.len();
        assert_eq!(a.unwrap() + b.unwrap(), due);
        let hits = receiver.hits.lock().unwrap().clone();
        let mut ids: Vec<&str> = hits.iter().map(|h| h.delivery.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(
            (hits.len(), ids.len()),
            (4, 4),
            "each webhook once: {hits:?}"
        );
        assert!(
            hits.iter()
                .all(|h| h.body.contains(&format!("/blockers/{id2}")))
        );
        assert_eq!(mails.lock().unwrap().len(), notified.len());

        // A hidden secret given back kept the DingTalk signature valid.
        let ding = &receiver.on("/dingtalk")[0];
        let q: Vec<(String, String)> = serde_urlencoded::from_str(&ding.query).unwrap();
        let ts = &q.iter().find(|(n, _)| n == "timestamp").unwrap().1;
        let sign = &q.iter().find(|(n, _)| n == "sign").unwrap().1;
        assert_eq!(
            *sign,
            base64::engine::general_purpose::STANDARD.encode(mac("SECdd", &format!("{ts}\nSECdd")))
        );

        // A failed delivery is sent again on an administrator's word, audited; a sent one not.
        let before = audit_count(app).await;
        let r = app
            .api(
                "POST",
                &format!("/api/v1/outbox/{failed_id}/retry"),
                Some(&own),
                Some("{}"),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let sent_id: i64 =
            sqlx::query("SELECT id FROM outbox WHERE state = 'sent' ORDER BY id LIMIT 1")
                .fetch_one(app.store.pool())
                .await
                .unwrap()
                .get("id");
        let r = app
            .api(
                "POST",
                &format!("/api/v1/outbox/{sent_id}/retry"),
                Some(&admin),
                Some("{}"),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert_eq!(audit_count(app).await, before);
        let r = app
            .api(
                "POST",
                &format!("/api/v1/outbox/{failed_id}/retry"),
                Some(&admin),
                Some("{}"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(audit_count(app).await, before + 1);
    }

    /// The receivers listen on this machine: the operator allows the loopback host.
    pub fn loopback_allowed() -> crate::common::Config {
        let mut c = crate::common::Config::default();
        c.app.outbound.allow_hosts = vec!["127.0.0.1".into()];
        c
    }

    on_both_with! { super::loopback_allowed;
        email_and_webhooks_leave_once_with_retries => email_and_webhooks;
    }
}

mod stewards {
    //! A project's steward handed on with its history kept; the project's timeline.
    use super::*;
    use sqlx::Row;

    async fn user_id(app: &TestApp, email: &str) -> i64 {
        app.store.user_by_email(email).await.unwrap().unwrap().id.0
    }

    async fn told(app: &TestApp, user: i64, kind: &str) -> i64 {
        sqlx::query("SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND kind = $2")
            .bind(user)
            .bind(kind)
            .fetch_one(app.store.pool())
            .await
            .unwrap()
            .get("n")
    }

    async fn reassign_and_timeline(app: &TestApp) {
        let project = app.sinopharm().await;
        let zone = demo::zone_id(&app.store).await.unwrap();
        let second = app
            .store
            .create_user(
                &luodi_store::Actor::Cli,
                luodi_store::core::users::NewUser {
                    zone_id: Some(zone),
                    email: "steward2@luodi.demo".into(),
                    display_name: "周敏".into(),
                    role: luodi_domain::Role::Steward,
                    department_id: None,
                    enterprise_id: None,
                },
                demo::DEMO_PASSWORD,
            )
            .await
            .unwrap()
            .id
            .0;
        let first = user_id(app, "steward@luodi.demo").await;
        let landing = app.token("landing@luodi.demo").await;
        let own = app.token("enterprise@luodi.demo").await;
        let stranger = app.token(app.other_enterprise_user().await).await;
        let path = format!("/api/v1/projects/{project}/steward");

        let r = app.api("GET", &path, Some(&landing), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let h = r.json();
        assert_eq!(h["steward_user_id"], first);
        assert_eq!(h["history"].as_array().unwrap().len(), 1);
        let r = app.api("GET", &path, Some(&stranger), None).await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "another enterprise's project"
        );

        // Refusals name the field and change nothing.
        let before = audit_count(app).await;
        let body = |user: i64, reason: &str| json!({"user_id": user, "reason": reason}).to_string();
        let r = app
            .api("POST", &path, Some(&own), Some(&body(second, "x")))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let approval = user_id(app, "approval@luodi.demo").await;
        let r = app
            .api("POST", &path, Some(&landing), Some(&body(approval, "x")))
            .await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("user_id"))
        );
        let r = app
            .api("POST", &path, Some(&landing), Some(&body(first, "x")))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let r = app
            .api("POST", &path, Some(&landing), Some(&body(second, " ")))
            .await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("reason"))
        );
        assert_eq!(audit_count(app).await, before);

        // Handed on: the old stretch closed, the new one open, both told, audited once.
        let r = app
            .api(
                "POST",
                &path,
                Some(&landing),
                Some(&body(second, "陈静调任招商局")),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(audit_count(app).await, before + 1);
        let h = r.json();
        assert_eq!(h["steward_user_id"], second);
        let history = h["history"].as_array().unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(history[0]["user_id"], first);
        assert!(history[0]["until_at"].is_string());
        assert_eq!(
            (
                history[1]["user_id"].clone(),
                history[1]["until_at"].clone(),
                history[1]["reason"].clone(),
                history[1]["assigned_by"].clone()
            ),
            (
                json!(second),
                json!(null),
                json!("陈静调任招商局"),
                json!("张伟")
            )
        );
        assert_eq!(told(app, second, "steward_assigned").await, 1);
        assert_eq!(told(app, first, "steward_released").await, 1);
        let p = app
            .api(
                "GET",
                &format!("/api/v1/projects/{project}"),
                Some(&own),
                None,
            )
            .await
            .json();
        assert_eq!(p["steward_user_id"], second);
        // The new steward's board now holds the project; the old one's does not.
        let mut b2 = app.login("steward2@luodi.demo").await;
        let board = b2.get(app, "/board").await;
        assert!(
            board.body.contains(demo::SINOPHARM_PROJECT),
            "the new steward's board"
        );

        // The timeline holds the project's creation, its blockers and the hand-over, oldest
        // first; the enterprise sees its own, with the zone's staff as one party.
        let tl = app
            .api(
                "GET",
                &format!("/api/v1/projects/{project}/timeline?limit=1000"),
                Some(&landing),
                None,
            )
            .await;
        assert_eq!(tl.status, StatusCode::OK, "{}", tl.body);
        let tl = tl.json();
        let entries = tl.as_array().unwrap();
        let actions: Vec<(&str, &str)> = entries
            .iter()
            .map(|e| (e["entity"].as_str().unwrap(), e["action"].as_str().unwrap()))
            .collect();
        assert_eq!(actions[0], ("project", "create"));
        assert_eq!(*actions.last().unwrap(), ("project", "assign_steward"));
        assert!(actions.iter().any(|a| a.0 == "blocker"));
        assert!(actions.iter().any(|a| a.0 == "project_phase"));
        assert!(
            entries.last().unwrap()["what"]
                .as_str()
                .unwrap()
                .contains("陈静调任招商局")
        );
        let mine = app
            .api(
                "GET",
                &format!("/api/v1/projects/{project}/timeline"),
                Some(&own),
                None,
            )
            .await
            .json();
        let actors: std::collections::BTreeSet<&str> = mine
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["actor"].as_str().unwrap())
            .collect();
        assert_eq!(
            actors,
            ["园区工作人员"].into_iter().collect(),
            "the zone's staff are one party to the enterprise; no names or emails"
        );
        assert_eq!(
            entries.last().unwrap()["actor"],
            "张伟",
            "a user shows by name"
        );
        let r = app
            .api(
                "GET",
                &format!("/api/v1/projects/{project}/timeline"),
                Some(&stranger),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app
            .api(
                "GET",
                &format!("/api/v1/projects/{project}/timeline?limit=0"),
                Some(&landing),
                None,
            )
            .await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::BAD_REQUEST, json!("limit"))
        );

        // The page shows both stewards and the timeline, and hands the project back.
        let mut page = app.login("landing@luodi.demo").await;
        let html = page.get(app, &format!("/projects/{project}")).await;
        assert_eq!(html.status, StatusCode::OK);
        assert!(
            html.body.contains("周敏")
                && html.body.contains("陈静")
                && html.body.contains("id=\"project-timeline\"")
        );
        // The timeline names a phase as people do (一期), never by its internal number.
        let timeline = html.body.split("id=\"project-timeline\"").nth(1).unwrap();
        assert!(timeline.contains("期次 一期"), "{timeline}");
        assert!(
            !(0..10).any(|d| timeline.contains(&format!("期次 {d}"))),
            "{timeline}"
        );
        let csrf = html.csrf();
        let r = page
            .post(
                app,
                &format!("/projects/{project}/steward"),
                &[
                    ("_csrf", &csrf),
                    ("user_id", &first.to_string()),
                    ("reason", ""),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a change needs a reason"
        );
        assert!(r.body.contains("原因"));
        let r = page
            .post(
                app,
                &format!("/projects/{project}/steward"),
                &[
                    ("_csrf", &csrf),
                    ("user_id", &first.to_string()),
                    ("reason", "周敏休假"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let h = app.api("GET", &path, Some(&landing), None).await.json();
        assert_eq!(
            (
                h["steward_user_id"].clone(),
                h["history"].as_array().unwrap().len()
            ),
            (json!(first), 3)
        );
        let mut enterprise_page = app.login("enterprise@luodi.demo").await;
        let html = enterprise_page
            .get(app, &format!("/projects/{project}"))
            .await;
        assert!(
            !html.body.contains("id=\"assign-steward\""),
            "an enterprise cannot hand it on"
        );
    }

    on_both! {
        steward_handed_on_with_history_and_timeline => reassign_and_timeline;
    }
}

mod new_projects {
    //! Recording a project: every field checked and named, its enterprise and steward in the
    //! zone, its name not taken; the enterprise sees its own, another enterprise nothing.
    use super::*;
    use sqlx::Row;

    async fn projects(app: &TestApp) -> i64 {
        sqlx::query("SELECT COUNT(*) AS n FROM projects")
            .fetch_one(app.store.pool())
            .await
            .unwrap()
            .get("n")
    }

    async fn record(app: &TestApp) {
        let investment = app.token("investment@luodi.demo").await;
        let own = app.token("enterprise@luodi.demo").await;
        let haier_user = app.other_enterprise_user().await;
        let haier = app.token(haier_user).await;
        let haier_id = app
            .store
            .user_by_email(haier_user)
            .await
            .unwrap()
            .unwrap()
            .enterprise_id
            .unwrap()
            .0;
        let steward = app
            .store
            .user_by_email("steward@luodi.demo")
            .await
            .unwrap()
            .unwrap()
            .id
            .0;
        let approval = app
            .store
            .user_by_email("approval@luodi.demo")
            .await
            .unwrap()
            .unwrap()
            .id
            .0;
        let body = |v: serde_json::Value| v.to_string();
        let good = json!({"enterprise_id": haier_id, "name": "海尔生物医疗冷链产业园", "total_investment_yuan": "1,200,000,000",
            "industry_code": "3589", "chain_position": "midstream", "jobs": 600, "steward_user_id": steward,
            "phases": [{"name": "一期", "status": "signed", "facts": {"land_area_mu": 80.0}}, {"name": "二期"}]});
        let (before, audits) = (projects(app).await, audit_count(app).await);

        let r = app
            .api(
                "POST",
                "/api/v1/projects",
                Some(&own),
                Some(&body(good.clone())),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "an enterprise does not record projects"
        );
        let mut bad = good.clone();
        bad["total_investment_yuan"] = json!("十二亿");
        bad["phases"][1]["status"] = json!("in_production");
        bad["phases"][0]["facts"]["land_area_mu"] = json!(-1.0);
        let r = app
            .api(
                "POST",
                "/api/v1/projects",
                Some(&investment),
                Some(&body(bad)),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let fields: Vec<String> = r.json()["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            fields,
            [
                "total_investment_yuan",
                "phases[0].facts.land_area_mu",
                "phases[1].status"
            ]
        );
        let mut bad = good.clone();
        bad["phases"][0]["colour"] = json!("red");
        let r = app
            .api(
                "POST",
                "/api/v1/projects",
                Some(&investment),
                Some(&body(bad)),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("colour"), "{}", r.body);
        let mut bad = good.clone();
        bad["enterprise_id"] = json!(987654);
        let r = app
            .api(
                "POST",
                "/api/v1/projects",
                Some(&investment),
                Some(&body(bad)),
            )
            .await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("enterprise_id"))
        );
        let mut bad = good.clone();
        bad["steward_user_id"] = json!(approval);
        let r = app
            .api(
                "POST",
                "/api/v1/projects",
                Some(&investment),
                Some(&body(bad)),
            )
            .await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("steward_user_id"))
        );
        let mut bad = good.clone();
        bad["name"] = json!(demo::SINOPHARM_PROJECT);
        let r = app
            .api(
                "POST",
                "/api/v1/projects",
                Some(&investment),
                Some(&body(bad)),
            )
            .await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::CONFLICT, json!("name"))
        );
        assert_eq!(
            (projects(app).await, audit_count(app).await),
            (before, audits),
            "nothing written"
        );

        let r = app
            .api(
                "POST",
                "/api/v1/projects",
                Some(&investment),
                Some(&body(good)),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let p = r.json();
        let id = p["id"].as_i64().unwrap();
        assert_eq!(p["total_investment_yuan"], "1200000000.00");
        assert_eq!(p["industry_code"], "C3589");
        assert_eq!(p["steward_user_id"], steward);
        let statuses: Vec<&str> = p["phases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|ph| ph["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["signed", "lead"]);
        assert_eq!(audit_count(app).await, audits + 1);
        let h = app
            .api(
                "GET",
                &format!("/api/v1/projects/{id}/steward"),
                Some(&investment),
                None,
            )
            .await
            .json();
        assert_eq!(
            h["history"].as_array().unwrap().len(),
            1,
            "the steward's history starts"
        );
        // Haier sees it; Sinopharm's user does not, by any route.
        let mine = app
            .api("GET", "/api/v1/projects", Some(&haier), None)
            .await
            .json();
        assert!(mine.as_array().unwrap().iter().any(|x| x["id"] == id));
        let theirs = app
            .api("GET", "/api/v1/projects", Some(&own), None)
            .await
            .json();
        assert!(theirs.as_array().unwrap().iter().all(|x| x["id"] != id));
        for path in [
            format!("/api/v1/projects/{id}"),
            format!("/api/v1/projects/{id}/timeline"),
            format!("/api/v1/projects/{id}/steward"),
        ] {
            assert_eq!(
                app.api("GET", &path, Some(&own), None).await.status,
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
        // Counted once, however many phases.
        let leader = app.token("leader@luodi.demo").await;
        let d = app
            .api("GET", "/api/v1/leadership", Some(&leader), None)
            .await
            .json();
        assert_eq!(d["projects"].as_i64().unwrap(), before + 1);

        // Edited through PUT with the version read: the conditions change, a phase is added,
        // audited; an enterprise may not; a stale version and a phase left out change nothing.
        assert_eq!(p["version"], 1);
        let mut edit = json!({"version": 1, "name": "海尔生物医疗冷链产业园", "total_investment_yuan": "1300000000",
            "industry_code": "C3589", "chain_position": "midstream", "jobs": 650,
            "phases": [{"name": "一期", "status": "in_production", "facts": {"land_area_mu": 80.0, "eia_class": "report_table"}},
                {"name": "二期"}, {"name": "三期", "status": "signed"}]});
        let put = |token: String, body: serde_json::Value| async move {
            app.api(
                "PUT",
                &format!("/api/v1/projects/{id}"),
                Some(&token),
                Some(&body.to_string()),
            )
            .await
        };
        assert_eq!(
            put(haier.clone(), edit.clone()).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            put(own.clone(), edit.clone()).await.status,
            StatusCode::FORBIDDEN
        );
        let audits = audit_count(app).await;
        let r = put(investment.clone(), edit.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let e = r.json();
        assert_eq!(e["version"], 2);
        assert_eq!(e["total_investment_yuan"], "1300000000.00");
        assert_eq!(
            e["phases"][0]["status"], "signed",
            "a stage is its lifecycle's"
        );
        assert_eq!(e["phases"][0]["facts"]["eia_class"], "report_table");
        assert_eq!(
            (
                e["phases"][2]["name"].clone(),
                e["phases"][2]["status"].clone()
            ),
            (json!("三期"), json!("signed"))
        );
        assert_eq!(audit_count(app).await, audits + 1);
        let r = put(investment.clone(), edit.clone()).await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::CONFLICT, json!("version"))
        );
        edit["version"] = json!(2);
        edit["phases"].as_array_mut().unwrap().truncate(2);
        let r = put(investment.clone(), edit.clone()).await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::UNPROCESSABLE_ENTITY, json!("phases")),
            "{}",
            r.body
        );
        edit["phases"][1]["facts"] = json!({"eia_class": "big"});
        let r = put(investment.clone(), edit).await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!("phases[1].facts.eia_class")
            ),
            "{}",
            r.body
        );
        assert_eq!(audit_count(app).await, audits + 1, "nothing written");
    }

    on_both! {
        record_a_project_checked_and_scoped => record;
    }
}
