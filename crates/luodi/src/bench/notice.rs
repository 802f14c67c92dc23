//! `luodi bench notice`: the one-time notification's PDF asked for twice through the HTTP
//! router, in process, over the demo zone on a throw-away SQLite database. The first
//! request typesets it; the second is served from the server's cache of typeset PDFs
//! (target: under 300 ms). Each run starts a new server, so its first request
//! typesets again; the Typst engine (the machine's fonts, scanned once per process) is
//! warmed before the runs and its cold first request printed apart.

use std::time::Instant;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use luodi_store::testing::TestDb;
use luodi_store::{Actor, Backend, Store, demo};
use serde_json::json;
use tower::ServiceExt;

use super::{line, median};

/// One `GET` of `path` with a bearer token: its time in ms and the body's size.
async fn get(router: &axum::Router, path: &str, token: &str) -> anyhow::Result<(f64, usize)> {
    let req = Request::builder()
        .uri(path)
        .header(header::HOST, "luodi.bench")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())?;
    let t = Instant::now();
    let res = router.clone().oneshot(req).await?;
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), usize::MAX).await?;
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    if status != StatusCode::OK || !body.starts_with(b"%PDF-") {
        anyhow::bail!(
            "{path} answered {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        );
    }
    Ok((ms, body.len()))
}

pub async fn notice(runs: usize) -> anyhow::Result<()> {
    let runs = runs.max(1);
    if !luodi_web::approvals::notice_pdf::has_cjk_font() {
        println!(
            "{}",
            json!({"bench": "notice_pdf_first_request", "skipped": "no Chinese font on this machine (install fonts-wqy-microhei)"})
        );
        return Ok(());
    }
    let Some(db) = TestDb::new(Backend::Sqlite).await else {
        println!(
            "{}",
            json!({"bench": "notice_pdf_first_request", "skipped": "no test database"})
        );
        return Ok(());
    };
    let store = Store::open(&db.url).await?;
    demo::load(&store).await?;
    let zone = demo::zone_id(&store).await?;
    let project = store
        .project_by_name(zone, demo::SINOPHARM_PROJECT)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo has no Sinopharm project"))?;
    let user = store
        .user_by_email("enterprise@luodi.demo")
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo has no enterprise user"))?;
    let (_, token) = store.create_api_token(&Actor::Cli, &user, "bench").await?;
    let path = format!("/api/v1/projects/{project}/phases/1/notice");
    let server = || {
        luodi_web::app_router(
            luodi_app::App::with_defaults(store.clone()),
            luodi_web::WebConfig::default(),
        )
    };

    let (cold_ms, bytes) = get(&server(), &path, &token).await?;
    let mut first = Vec::new();
    let mut second = Vec::new();
    for _ in 0..runs {
        let router = server();
        first.push(get(&router, &path, &token).await?.0);
        second.push(get(&router, &path, &token).await?.0);
    }
    let (first, second) = (median(first), median(second));
    line(
        "notice_pdf_first_request",
        first,
        "ms",
        f64::INFINITY,
        json!({"runs": runs, "pdf_bytes": bytes, "cold_process_ms": (cold_ms * 10.0).round() / 10.0,
               "includes": "HTTP router, token check, the notification read from SQLite, typesetting (Typst, fonts already scanned)"}),
    );
    line(
        "notice_pdf_second_request",
        second,
        "ms",
        300.0,
        json!({"runs": runs, "ratio_first_to_second": (first / second).round(),
               "includes": "HTTP router, token check, the notification read from SQLite, the typeset PDF from the cache"}),
    );
    store.close().await;
    db.drop_db().await;
    Ok(())
}
