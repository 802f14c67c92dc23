//! The one-time notification: the page, and the PDF whose Chinese text a reader can
//! search and copy (checked with poppler's `pdftotext`, which the test command installs).

mod common;

use axum::http::StatusCode;
use common::TestApp;
use luodi_store::demo;

fn pdftotext(pdf: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!(
        "luodi-notice-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("notice.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg("-raw")
        .arg("-enc")
        .arg("UTF-8")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed by scripts/test");
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
    String::from_utf8(out.stdout).unwrap()
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

async fn notice_page_and_pdf(app: &TestApp) {
    let zone = demo::zone_id(&app.store).await.unwrap();
    let project_id = app
        .store
        .project_by_name(zone, demo::SINOPHARM_PROJECT)
        .await
        .unwrap()
        .unwrap();
    let mut b = app.login("enterprise@luodi.demo").await;
    let page = b
        .get(app, &format!("/projects/{project_id}/phases/1/notice"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("一次性告知书"));
    assert!(
        page.body.contains("陈静") && page.body.contains("steward@luodi.demo"),
        "the steward's contact"
    );
    // Materials are asked once: the business licence appears in one row of the materials table.
    let materials = page
        .body
        .split("id=\"notice-materials\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert_eq!(
        materials.matches("<td>营业执照</td>").count(),
        1,
        "{materials}"
    );
    assert!(page.body.contains("免于办理的事项") && page.body.contains("PG06"));

    let pdf = b
        .get(app, &format!("/projects/{project_id}/phases/1/notice.pdf"))
        .await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.body);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    let bytes = pdf.body_bytes.clone();
    assert!(bytes.starts_with(b"%PDF-"));
    let text: String = pdftotext(&bytes).split_whitespace().collect();
    // Every item the list asks for is in the PDF as real, extractable Chinese text.
    let list = app
        .store
        .service_list(
            &app.store
                .user_by_email("admin@luodi.demo")
                .await
                .unwrap()
                .unwrap()
                .scope(),
            app.store
                .project(
                    &luodi_domain::Scope {
                        zone: Some(zone),
                        enterprise: None,
                    },
                    project_id,
                )
                .await
                .unwrap()
                .phases[0]
                .id,
        )
        .await
        .unwrap();
    let (_, _, catalogue) = app
        .store
        .catalogue(zone, Some(list.catalogue_version_id))
        .await
        .unwrap();
    let mut checked = 0;
    for item in &list.items {
        let name: String = catalogue
            .item(&item.code)
            .unwrap()
            .name_zh
            .split_whitespace()
            .collect();
        assert!(
            text.contains(&name),
            "{} {name} is not in the PDF text",
            item.code
        );
        checked += 1;
    }
    assert!(checked > 30);
    assert!(text.contains("一次性告知书") && text.contains("青岛国药科技城"));

    // The same PDF over the API, for integrators.
    let token = app.token("enterprise@luodi.demo").await;
    let api = app
        .api(
            "GET",
            &format!("/api/v1/projects/{project_id}/phases/1/notice"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(api.status, StatusCode::OK);
    assert!(api.body_bytes.starts_with(b"%PDF-"));

    // Another enterprise cannot have it.
    app.other_enterprise_user().await;
    let mut stranger = app.login("haier@luodi.demo").await;
    assert_eq!(
        stranger
            .get(app, &format!("/projects/{project_id}/phases/1/notice"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        stranger
            .get(app, &format!("/projects/{project_id}/phases/1/notice.pdf"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

/// The typesetting counters `/metrics` shows: (PDFs typeset, PDFs served as typeset before).
async fn pdf_counters(app: &TestApp) -> (u64, u64) {
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
    let counter = |name: &str| -> u64 {
        r.body
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or_else(|| panic!("{name} is not in /metrics"))
    };
    (
        counter("luodi_notice_pdf_renders_total"),
        counter("luodi_notice_pdf_cache_hits_total"),
    )
}

/// The PDF is typeset once and then served as kept, until the list changes: an item's
/// approval takes its code out of the materials still needed, so the PDF says something
/// else, and is typeset again rather than served stale.
async fn notice_pdf_typeset_once_per_content(app: &TestApp) {
    let project_id = app.sinopharm().await;
    let path = format!("/projects/{project_id}/phases/1/notice.pdf");
    let mut b = app.login("enterprise@luodi.demo").await;
    let first = b.get(app, &path).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(pdf_counters(app).await, (1, 0));
    let second = b.get(app, &path).await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(second.body_bytes, first.body_bytes, "the kept PDF");
    assert_eq!(
        pdf_counters(app).await,
        (1, 1),
        "served without typesetting"
    );

    // Approve an open item that asks for materials: the enterprise submits, the
    // administrator accepts and approves, all today.
    let enterprise = app.token("enterprise@luodi.demo").await;
    let admin = app.token("admin@luodi.demo").await;
    let list = app
        .api(
            "GET",
            &format!("/api/v1/projects/{project_id}/phases/1/service-list"),
            Some(&enterprise),
            None,
        )
        .await
        .json();
    let zone = demo::zone_id(&app.store).await.unwrap();
    let version = list["catalogue_version_id"].as_i64();
    let (_, _, catalogue) = app.store.catalogue(zone, version).await.unwrap();
    let today = luodi_app::core::zone_today().to_string();
    let step = |token: &str, item: i64, kind: &str| {
        let body = serde_json::json!({"kind": kind, "on": today}).to_string();
        let url = format!("/api/v1/service-items/{item}/steps");
        let token = token.to_string();
        async move { app.api("POST", &url, Some(&token), Some(&body)).await }
    };
    let mut approved = None;
    for item in list["items"].as_array().unwrap() {
        let code = item["code"].as_str().unwrap();
        let asks = catalogue
            .item(code)
            .is_some_and(|c| !c.materials.is_empty());
        if item["state"] != "not_started" || !item["waived_by"].is_null() || !asks {
            continue;
        }
        let id = item["id"].as_i64().unwrap();
        if step(&enterprise, id, "submit").await.status != StatusCode::OK {
            continue; // waits for a prerequisite
        }
        for kind in ["accept", "approve"] {
            let r = step(&admin, id, kind).await;
            assert_eq!(r.status, StatusCode::OK, "{kind} {code}: {}", r.body);
        }
        approved = Some(code.to_string());
        break;
    }
    let approved = approved.expect("an open item to approve");

    let third = b.get(app, &path).await;
    assert_eq!(third.status, StatusCode::OK);
    assert_eq!(
        pdf_counters(app).await,
        (2, 1),
        "typeset again after {approved}"
    );
    let before = pdftotext(&first.body_bytes);
    let after = pdftotext(&third.body_bytes);
    assert_ne!(
        before, after,
        "the PDF after {approved}'s approval says something else"
    );
    let fourth = b.get(app, &path).await;
    assert_eq!(fourth.body_bytes, third.body_bytes);
    assert_eq!(pdf_counters(app).await, (2, 2));
}

on_both! {
    notice_page_and_pdf => notice_page_and_pdf;
    notice_pdf_typeset_once_per_content => notice_pdf_typeset_once_per_content;
}
