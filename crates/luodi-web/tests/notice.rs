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

on_both! {
    notice_page_and_pdf => notice_page_and_pdf;
}
