//! The cluster's API on SQLite and PostgreSQL: statistics imported all or nothing with
//! every problem named by row and column, corrections as versions, closed periods, and an
//! enterprise that reads only its own statistics, class and checks by every route.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::TestApp;
use luodi_store::demo;
use serde_json::{Value, json};

on_both! {
    a_csv_with_bad_rows_is_refused_whole_each_problem_by_row_and_column => refused_whole;
    json_rows_correct_as_versions_and_closed_periods_need_a_reason => versions;
    an_enterprise_reads_only_its_own_statistics_class_and_checks => isolation;
}

async fn audit_count(app: &TestApp) -> i64 {
    use sqlx::Row;
    sqlx::query("SELECT COUNT(*) AS n FROM audit_log")
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get("n")
}

async fn rows_held(app: &TestApp) -> i64 {
    use sqlx::Row;
    sqlx::query("SELECT COUNT(*) AS n FROM enterprise_statistics")
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get("n")
}

async fn post_csv(app: &TestApp, token: &str, csv: &str, query: &str) -> common::Reply {
    let req = Request::builder()
        .method("POST")
        .uri(format!("/api/v1/statistics{query}"))
        .header(header::HOST, "luodi.test")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(csv.to_string()))
        .unwrap();
    app.send(req).await
}

const HEAD: &str = "uscc,period,revenue_wan,output_wan,tax_wan,value_added_wan,energy_tce,rd_wan,employees,land_mu";

async fn refused_whole(app: &TestApp) {
    let token = app.token("admin@luodi.demo").await;
    let a = demo::demo_uscc(0);
    let b = demo::demo_uscc(2);
    let unknown = luodi_domain::core::uscc::Uscc::complete("91370214MA3E9999").unwrap();
    let csv = format!(
        "{HEAD}\n\
         {a},2025-01,100,110,5,30,12.5,3,40,\n\
         {unknown},2025-01,100,110,5,30,12.5,3,40,\n\
         {b},2025-13,100,110,5,30,12.5,3,40,\n\
         {b},2025-02,-4,abc,5.1234567,30,12.5,3,40,\n\
         {a},2025-01,100,110,5,30,12.5,3,40,\n"
    );
    let (before_rows, before_audit) = (rows_held(app).await, audit_count(app).await);
    let r = post_csv(app, &token, &csv, "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let body: Value = r.json();
    assert_eq!(body["code"], "invalid_statistics");
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    // Every problem at once, in row order: the zone's (the unknown code) beside the
    // file's own (period, negative, not a number, too many decimals, the repeated row).
    assert_eq!(
        fields,
        vec![
            "rows[3].uscc",
            "rows[4].period",
            "rows[5].revenue_wan",
            "rows[5].output_wan",
            "rows[5].tax_wan",
            "rows[6].period"
        ],
        "{body}"
    );
    assert!(
        body["errors"][2]["message"]
            .as_str()
            .unwrap()
            .contains("负数"),
        "{body}"
    );
    assert_eq!(rows_held(app).await, before_rows, "nothing written");
    assert_eq!(audit_count(app).await, before_audit, "nothing audited");
    // A file whose only problem is the zone's is refused as whole.
    let csv = format!(
        "{HEAD}\n{a},2025-01,100,110,5,30,12.5,3,40,\n{unknown},2025-01,100,110,5,30,12.5,3,40,\n"
    );
    let r = post_csv(app, &token, &csv, "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let body: Value = r.json();
    assert_eq!(body["field"], "rows[3].uscc", "{body}");
    assert_eq!(rows_held(app).await, before_rows, "nothing written");
    // In Chinese, the row and the column's heading.
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/statistics")
        .header(header::HOST, "luodi.test")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .header(header::ACCEPT_LANGUAGE, "zh-CN")
        .body(Body::from(csv))
        .unwrap();
    let r = app.send(req).await;
    let body: Value = r.json();
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("第 3 行") && message.contains("统一社会信用代码"),
        "{message}"
    );
}

async fn versions(app: &TestApp) {
    let token = app.token("admin@luodi.demo").await;
    let a = demo::demo_uscc(0).to_string();
    let row = |tax: &str| {
        json!({"uscc": a, "period": "2023", "revenue_wan": "1000", "output_wan": 1100, "tax_wan": tax,
            "value_added_wan": "300", "energy_tce": "125.5", "rd_wan": "30", "employees": 40})
    };
    let r = app
        .api(
            "POST",
            "/api/v1/statistics",
            Some(&token),
            Some(&json!({"rows": [row("50")]}).to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        r.json(),
        json!({"created": 1, "corrected": 0, "unchanged": 0})
    );
    let r = app
        .api(
            "POST",
            "/api/v1/statistics",
            Some(&token),
            Some(&json!({"rows": [row("50")]}).to_string()),
        )
        .await;
    assert_eq!(r.json()["unchanged"], 1);
    // An unknown column in a JSON row is named, nothing written.
    let mut bad = row("60");
    bad["profit_wan"] = json!("1");
    let r = app
        .api(
            "POST",
            "/api/v1/statistics",
            Some(&token),
            Some(&json!({"rows": [bad]}).to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "rows[2].profit_wan");
    // Close 2023: a correction needs a reason.
    let r = app
        .api(
            "PUT",
            "/api/v1/statistics/closed-periods/2023",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = app
        .api(
            "PUT",
            "/api/v1/statistics/closed-periods/2023",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app
        .api(
            "PUT",
            "/api/v1/statistics/closed-periods/2023-13",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .api(
            "POST",
            "/api/v1/statistics",
            Some(&token),
            Some(&json!({"rows": [row("60")]}).to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "rows[2].period");
    let r = app
        .api(
            "POST",
            "/api/v1/statistics",
            Some(&token),
            Some(&json!({"rows": [row("60")], "reason": "税务局更正"}).to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["corrected"], 1);
    let r = app
        .api(
            "GET",
            &format!("/api/v1/statistics?uscc={a}&year=2023"),
            Some(&token),
            None,
        )
        .await;
    let body: Value = r.json();
    assert_eq!(body["total"], 1);
    assert_eq!(body["rows"][0]["version"], 2);
    assert_eq!(body["rows"][0]["tax_wan"], "60");
    assert_eq!(body["rows"][0]["energy_tce"], "125.5");
    assert_eq!(body["rows"][0]["reason"], "税务局更正");
    // The correction's audit entry keeps the old values beside the new.
    use sqlx::Row;
    let after: String = sqlx::query(
        "SELECT after_json FROM audit_log WHERE action = 'import_statistics' ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap()
    .get("after_json");
    let after: Value = serde_json::from_str(&after).unwrap();
    assert_eq!(after["corrections"][0]["before"]["tax_fen"], 50_000_000);
    assert_eq!(after["corrections"][0]["after"]["tax_fen"], 60_000_000);
    let r = app
        .api(
            "DELETE",
            "/api/v1/statistics/closed-periods/2023",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    // Roles: a leader reads but may not enter.
    let leader = app.token("leader@luodi.demo").await;
    let r = app
        .api(
            "POST",
            "/api/v1/statistics",
            Some(&leader),
            Some(&json!({"rows": [row("70")]}).to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .api("GET", "/api/v1/statistics?year=2023", Some(&leader), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app
        .api("GET", "/api/v1/statistics?kind=weekly", Some(&leader), None)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["field"], "kind");
}

async fn isolation(app: &TestApp) {
    let admin = app.token("admin@luodi.demo").await;
    let own = demo::demo_uscc(0).to_string();
    let other = demo::demo_uscc(2).to_string();
    let year_row = |uscc: &str, tax: &str| {
        json!({"uscc": uscc, "period": "2019", "revenue_wan": "30000", "output_wan": "31000", "tax_wan": tax,
            "value_added_wan": "9000", "energy_tce": "1200", "rd_wan": "900", "employees": 300, "land_mu": "100"})
    };
    let r = app
        .api(
            "POST",
            "/api/v1/statistics",
            Some(&admin),
            Some(&json!({"rows": [year_row(&own, "800"), year_row(&other, "1500")]}).to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let ent = app.token("enterprise@luodi.demo").await;
    // Statistics: only its own rows, whatever it asks for.
    let r = app
        .api("GET", "/api/v1/statistics?year=2019", Some(&ent), None)
        .await;
    let body: Value = r.json();
    let codes: Vec<&str> = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["uscc"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec![own.as_str()], "{body}");
    let r = app
        .api(
            "GET",
            &format!("/api/v1/statistics?uscc={other}"),
            Some(&ent),
            None,
        )
        .await;
    assert_eq!(r.json()["total"], 0);
    // Writing another enterprise's figures is refused exactly as an unknown code.
    let before = rows_held(app).await;
    let r = app
        .api(
            "POST",
            "/api/v1/statistics",
            Some(&ent),
            Some(&json!({"rows": [year_row(&other, "1")]}).to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "rows[2].uscc");
    assert_eq!(rows_held(app).await, before);
    // Its own it may enter.
    let r = app
        .api(
            "POST",
            "/api/v1/statistics",
            Some(&ent),
            Some(&json!({"rows": [year_row(&own, "900")]}).to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // The class: its own line only, the zone's counts as they are.
    let r = app
        .api("GET", "/api/v1/mu-evaluation?year=2019", Some(&ent), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let body: Value = r.json();
    let seen: Vec<&str> = body["enterprises"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["uscc"].as_str().unwrap())
        .collect();
    assert_eq!(seen, vec![own.as_str()], "{body}");
    let r = app
        .api("GET", "/api/v1/mu-evaluation?year=2019", Some(&admin), None)
        .await;
    let all: Value = r.json();
    assert!(
        all["enterprises"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["uscc"] == other.as_str())
    );
    // The zone's figures and targets are the zone's staff's.
    for path in ["/api/v1/cluster/figures", "/api/v1/kpi-targets"] {
        let r = app.api("GET", path, Some(&ent), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    let r = app
        .api("GET", "/api/v1/completion-checks", Some(&ent), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    for c in r.json().as_array().unwrap() {
        assert_eq!(c["enterprise"], "青岛国药科技城发展有限公司", "{c}");
    }
    let r = app
        .api("POST", "/api/v1/completion-checks/run", Some(&ent), None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .api(
            "POST",
            "/api/v1/completion-checks/1/explanation",
            Some(&ent),
            Some(r#"{"text":"x"}"#),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
