//! The parcel upload page (`/parcels/upload`), driven like a browser: a file checked whole
//! with nothing written, every problem listed by feature or row; a clean file previewed
//! against what the zone holds and imported on confirmation, once; on SQLite and PostgreSQL.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{Browser, TestApp};
use luodi_app::core::table::{Cell, Table};
use serde_json::json;

on_both! {
    a_file_with_problems_lists_each_by_feature_or_row_and_writes_nothing => problems_listed;
    clean_geojson_csv_and_xlsx_preview_their_counts_and_import_on_confirmation => clean_files;
    a_forged_or_spent_token_imports_nothing => forged_token;
    only_those_who_manage_parcels_upload => only_managers;
    a_file_over_the_limit_is_refused_with_the_limit => too_large;
}

/// A square parcel's ring, `side` degrees wide, at (`lon`, 36.30).
fn ring(lon: f64, side: f64) -> Vec<[f64; 2]> {
    let lat = 36.30;
    vec![
        [lon, lat],
        [lon + side, lat],
        [lon + side, lat + side],
        [lon, lat + side],
        [lon, lat],
    ]
}

fn wkt(lon: f64, side: f64) -> String {
    let points: Vec<String> = ring(lon, side)
        .iter()
        .map(|[x, y]| format!("{x} {y}"))
        .collect();
    format!("POLYGON (({}))", points.join(", "))
}

fn feature(props: serde_json::Value, lon: f64) -> serde_json::Value {
    json!({"type": "Feature", "properties": props,
        "geometry": {"type": "Polygon", "coordinates": [ring(lon, 0.004)]}})
}

fn collection(features: Vec<serde_json::Value>) -> Vec<u8> {
    json!({"type": "FeatureCollection", "features": features})
        .to_string()
        .into_bytes()
}

/// Posts `bytes` as the upload form's file named `name`, with the session's token.
async fn upload(app: &TestApp, b: &Browser, csrf: &str, name: &str, bytes: &[u8]) -> common::Reply {
    let boundary = "luodi-upload-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut req = Request::builder()
        .method("POST")
        .uri("/parcels/upload")
        .header("host", "luodi.test")
        .header("origin", "http://luodi.test")
        .header("cookie", cookies(b))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        );
    if let Some(l) = b.lang {
        req = req.header("accept-language", l);
    }
    app.send(req.body(Body::from(body)).unwrap()).await
}

fn cookies(b: &Browser) -> String {
    b.cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The confirmation form's token on a preview.
fn token(page: &common::Reply) -> String {
    let at = page
        .body
        .find("name=\"token\" value=\"")
        .unwrap_or_else(|| panic!("no token on the page: {}", page.body));
    let rest = &page.body[at + 20..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// The parcels and audit entries the database holds.
async fn written(app: &TestApp) -> (i64, i64) {
    use sqlx::Row;
    let count = |table: &'static str| async move {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM {table}"
        )))
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get::<i64, _>("n")
    };
    (count("parcels").await, count("audit_log").await)
}

async fn problems_listed(app: &TestApp) {
    let mut b = app.login("landing@luodi.demo").await;
    let page = b.get(app, "/parcels/upload").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("id=\"parcel-file\""));
    let csrf = page.csrf();
    let before = written(app).await;

    // GeoJSON: feature 0 is good; 1 crosses itself; 2 has no code and a negative figure;
    // 3 repeats feature 0's code.
    let bowtie = json!({"type": "Feature", "properties": {"code": "GX-U-BOW"},
        "geometry": {"type": "Polygon", "coordinates": [[[120.0, 36.0], [120.01, 36.01], [120.01, 36.0], [120.0, 36.01], [120.0, 36.0]]]}});
    let file = collection(vec![
        feature(json!({"code": "GX-U-01"}), 120.30),
        bowtie,
        feature(json!({"plot_ratio_min": -1}), 120.31),
        feature(json!({"code": "GX-U-01"}), 120.32),
    ]);
    let r = upload(app, &b, &csrf, "parcels.geojson", &file).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"upload-problems\""), "{}", r.body);
    let rows = r.body.matches("<tr class=\"problem\">").count();
    assert!(rows >= 4, "every problem listed: {}", r.body);
    for place in ["第 2 个要素", "第 3 个要素", "第 4 个要素"] {
        assert!(r.body.contains(place), "{place}: {}", r.body);
    }
    // (A repeated code names feature 1 in its reason, so look at the places only.)
    assert!(
        !r.body.contains("<td class=\"nowrap\">第 1 个要素</td>"),
        "feature 1 is good"
    );
    // Each reason in the user's language.
    assert!(
        r.body.contains("GX-U-BOW") && r.body.contains("第 1 个多边形的外环自相交"),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains("<td class=\"reason\">-1 不是大于等于零的数</td>")
            && r.body
                .contains("<td class=\"reason\">“GX-U-01”与第 1 个要素的编号重复</td>")
            && r.body.contains("<td class=\"reason\">必须填写</td>"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("crosses itself"), "no English for Chinese");
    assert!(r.body.contains(">plot_ratio_min<") && r.body.contains(">code<"));
    assert!(
        !r.body.contains("id=\"upload-confirm\""),
        "nothing to confirm"
    );

    // CSV: data row 1 (the sheet's row 3) has a broken WKT, row 2 (row 4) no code.
    let csv = format!(
        "code,name,wkt\nGX-U-10,好,\"{}\"\nGX-U-11,坏,\"POLYGON ((120.3 36.3, 120.31\"\n,无编号,\"{}\"\n",
        wkt(120.40, 0.004),
        wkt(120.41, 0.004)
    );
    let r = upload(app, &b, &csrf, "parcels.csv", csv.as_bytes()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("第 3 行") && r.body.contains("第 4 行") && !r.body.contains("第 2 行"),
        "{}",
        r.body
    );
    assert!(r.body.contains(">wkt<") && r.body.contains("GX-U-11"));
    assert!(
        r.body.contains("“120.31”不是“经度 纬度”")
            && r.body.contains("<td class=\"reason\">必须填写</td>"),
        "{}",
        r.body
    );

    // In English, the places and the page's words are English.
    b.lang = Some("en");
    let r = upload(app, &b, &csrf, "parcels.geojson", &file).await;
    assert!(
        r.body.contains("Feature 2") && r.body.contains("nothing was written"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("GX-U-BOW") && r.body.contains("crosses itself"),
        "{}",
        r.body
    );
    // Not a parcel file at all, and an unknown kind of file.
    let r = upload(app, &b, &csrf, "parcels.json", b"{\"type\": \"Point\"}").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("<td class=\"nowrap\">The file</td>")
            && r.body.contains("not a GeoJSON FeatureCollection"),
        "{}",
        r.body
    );
    let r = upload(app, &b, &csrf, "parcels.shp", b"\x00\x00\x27\x0a").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("&#39;parcels.shp&#39; is not a parcel file"),
        "{}",
        r.body
    );
    let r = upload(app, &b, &csrf, "parcels.csv", b"").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Choose a file to upload"), "{}", r.body);
    // A forged CSRF token is refused before anything is read.
    let r = upload(app, &b, "forged", "parcels.geojson", &file).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    assert_eq!(written(app).await, before, "nothing written");
}

/// Checks `file`, expects the preview's counts, confirms, and expects `/parcels` to
/// confirm what was imported; nothing is written before the confirmation.
async fn check_and_import(
    app: &TestApp,
    b: &mut Browser,
    name: &str,
    file: &[u8],
    (created, updated, unchanged): (usize, usize, usize),
) {
    let csrf = b.get(app, "/parcels/upload").await.csrf();
    let before = written(app).await;
    let r = upload(app, b, &csrf, name, file).await;
    assert_eq!(r.status, StatusCode::OK, "{name}: {}", r.body);
    let counts = format!("导入后新增 {created} 宗，变更 {updated} 宗，{unchanged} 宗不变。");
    assert!(r.body.contains(&counts), "{name}: {counts}: {}", r.body);
    assert!(r.body.contains("id=\"upload-rows\""));
    assert_eq!(
        written(app).await,
        before,
        "{name}: the check writes nothing"
    );
    let r = b
        .post(
            app,
            "/parcels/upload/confirm",
            &[("_csrf", &csrf), ("token", &token(&r))],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{name}: {}", r.body);
    assert!(r.location().starts_with("/parcels?done=parcels_imported"));
    let list = b.get(app, r.location()).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let done = format!("已导入地块：新增 {created} 宗，变更 {updated} 宗，未变 {unchanged} 宗。");
    assert!(list.body.contains(&done), "{name}: {done}: {}", list.body);
    assert_eq!(
        written(app).await,
        (before.0 + created as i64, before.1 + 1),
        "{name}: the new parcels and one audit entry"
    );
}

async fn clean_files(app: &TestApp) {
    let mut b = app.login("landing@luodi.demo").await;
    // GeoJSON: three new parcels, then one of them unchanged, one renamed, one new.
    let first = collection(vec![
        feature(json!({"code": "GX-U-A"}), 120.30),
        feature(json!({"code": "GX-U-B"}), 120.31),
    ]);
    check_and_import(app, &mut b, "first.geojson", &first, (2, 0, 0)).await;
    let second = collection(vec![
        feature(json!({"code": "GX-U-A"}), 120.30),
        feature(json!({"code": "GX-U-B", "name": "研发地块"}), 120.31),
        feature(json!({"code": "GX-U-C", "status": "withdrawn"}), 120.32),
    ]);
    // The preview shows each parcel's area in 亩 (about 0.4 km², some 600 亩) and status
    // in words.
    let csrf = b.get(app, "/parcels/upload").await.csrf();
    let r = upload(app, &b, &csrf, "second.geojson", &second).await;
    assert!(r.body.contains("研发地块") && r.body.contains("已撤回") && r.body.contains("可供"));
    assert!(r.body.contains("面积（亩）") && r.body.contains(" m²"));
    assert!(r.body.contains(">新增<") && r.body.contains(">变更<") && r.body.contains(">不变<"));
    check_and_import(app, &mut b, "second.geojson", &second, (1, 1, 1)).await;
    let zone = luodi_store::demo::zone_id(&app.store).await.unwrap();
    let b_parcel = app
        .store
        .parcel_by_code(zone, "GX-U-B")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(b_parcel.attrs.name.as_deref(), Some("研发地块"));

    // CSV, type told by its name: A unchanged, C renamed (its status kept), D new.
    let csv = format!(
        "code,name,wkt\nGX-U-A,,\"{}\"\nGX-U-C,西区,\"{}\"\nGX-U-D,,\"{}\"\n",
        wkt(120.30, 0.004),
        wkt(120.32, 0.004),
        wkt(120.33, 0.004)
    );
    check_and_import(app, &mut b, "parcels.csv", csv.as_bytes(), (1, 1, 1)).await;

    // XLSX: A unchanged, D renamed, E and F new.
    let table = Table {
        name: "parcels".into(),
        headers: vec!["code".into(), "name".into(), "wkt".into()],
        rows: vec![
            vec![
                Cell::from("GX-U-A".to_string()),
                Cell::Empty,
                Cell::from(wkt(120.30, 0.004)),
            ],
            vec![
                Cell::from("GX-U-D".to_string()),
                Cell::from("东区".to_string()),
                Cell::from(wkt(120.33, 0.004)),
            ],
            vec![
                Cell::from("GX-U-E".to_string()),
                Cell::Empty,
                Cell::from(wkt(120.34, 0.004)),
            ],
            vec![
                Cell::from("GX-U-F".to_string()),
                Cell::Empty,
                Cell::from(wkt(120.35, 0.004)),
            ],
        ],
    };
    let xlsx = table.to_xlsx().unwrap();
    check_and_import(app, &mut b, "parcels.xlsx", &xlsx, (2, 1, 1)).await;
    assert_eq!(
        app.store
            .parcel_by_code(zone, "GX-U-D")
            .await
            .unwrap()
            .unwrap()
            .attrs
            .name
            .as_deref(),
        Some("东区")
    );
    // The audit verifies after the imports.
    assert!(app.store.verify_audit(None).await.unwrap().is_ok());
}

async fn forged_token(app: &TestApp) {
    let mut b = app.login("landing@luodi.demo").await;
    let csrf = b.get(app, "/parcels/upload").await.csrf();
    let file = collection(vec![feature(json!({"code": "GX-U-T"}), 120.30)]);
    let r = upload(app, &b, &csrf, "t.geojson", &file).await;
    let good = token(&r);
    // Another user who may manage parcels (signing in is audited, so before counting).
    let mut admin = app.login("admin@luodi.demo").await;
    let admin_csrf = admin.get(app, "/parcels/upload").await.csrf();
    let before = written(app).await;
    let mut forged = good.clone();
    forged.replace_range(0..2, if good.starts_with("00") { "11" } else { "00" });
    for t in [forged.as_str(), "", "not-a-token"] {
        let r = b
            .post(
                app,
                "/parcels/upload/confirm",
                &[("_csrf", &csrf), ("token", t)],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{t}: {}", r.body);
        assert!(r.body.contains("已检查的文件不再保留"), "{}", r.body);
    }
    // Another user who may manage parcels cannot use it either.
    let r = admin
        .post(
            app,
            "/parcels/upload/confirm",
            &[("_csrf", &admin_csrf), ("token", &good)],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    // Without the session's CSRF token the confirmation is refused.
    let r = b
        .post(
            app,
            "/parcels/upload/confirm",
            &[("_csrf", "x"), ("token", &good)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(written(app).await, before, "nothing written");
    // The right token imports once; spent, it imports nothing.
    let r = b
        .post(
            app,
            "/parcels/upload/confirm",
            &[("_csrf", &csrf), ("token", &good)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let after = written(app).await;
    assert_eq!(after, (before.0 + 1, before.1 + 1));
    let r = b
        .post(
            app,
            "/parcels/upload/confirm",
            &[("_csrf", &csrf), ("token", &good)],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(written(app).await, after);
}

async fn only_managers(app: &TestApp) {
    // The landing office sees the link on the list; the leadership reads parcels but
    // does not manage them.
    let mut landing = app.login("landing@luodi.demo").await;
    assert!(
        landing
            .get(app, "/parcels")
            .await
            .body
            .contains("href=\"/parcels/upload\"")
    );
    let mut leader = app.login("leader@luodi.demo").await;
    let list = leader.get(app, "/parcels").await;
    if list.status == StatusCode::OK {
        assert!(!list.body.contains("href=\"/parcels/upload\""));
    }
    let file = collection(vec![feature(json!({"code": "GX-U-X"}), 120.30)]);
    let mut others = Vec::new();
    for email in [
        "enterprise@luodi.demo",
        "approval@luodi.demo",
        "leader@luodi.demo",
    ] {
        others.push((email, app.login(email).await));
    }
    let before = written(app).await;
    for (email, mut b) in others {
        let r = b.get(app, "/parcels/upload").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{email}: {}", r.body);
        let csrf = b.get(app, "/account").await.csrf();
        let r = upload(app, &b, &csrf, "x.geojson", &file).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{email}");
        let r = b
            .post(
                app,
                "/parcels/upload/confirm",
                &[("_csrf", &csrf), ("token", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{email}");
    }
    assert_eq!(written(app).await, before);
}

async fn too_large(app: &TestApp) {
    let b = app.login("admin@luodi.demo").await;
    let mut b = b;
    let csrf = b.get(app, "/parcels/upload").await.csrf();
    let before = written(app).await;
    // Just over the limit: read to the limit and refused; far over: stopped by the body
    // limit. Either way the page names the limit.
    for size in [1024 * 1024 + 1, 3 * 1024 * 1024] {
        let r = upload(app, &b, &csrf, "big.geojson", &vec![b' '; size]).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{size}");
        assert!(r.body.contains("文件超过 1 MiB"), "{size}: {}", r.body);
    }
    assert_eq!(written(app).await, before);
}

mod expiry {
    //! A checked file kept for no time at all: its confirmation finds it expired.
    use super::*;

    fn no_time() -> common::Config {
        let mut c = common::Config::default();
        c.app.parcel_upload_ttl = std::time::Duration::ZERO;
        c
    }

    on_both_with! { super::no_time;
        an_expired_token_imports_nothing => expired;
    }

    async fn expired(app: &TestApp) {
        let mut b = app.login("landing@luodi.demo").await;
        let csrf = b.get(app, "/parcels/upload").await.csrf();
        let file = collection(vec![feature(json!({"code": "GX-U-E"}), 120.30)]);
        let r = upload(app, &b, &csrf, "e.geojson", &file).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let before = written(app).await;
        let r = b
            .post(
                app,
                "/parcels/upload/confirm",
                &[("_csrf", &csrf), ("token", &token(&r))],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
        assert!(r.body.contains("已检查的文件不再保留"));
        assert_eq!(written(app).await, before);
    }
}
