//! Luodi's HTTP layer: the JSON API (with its OpenAPI description and offline docs) and
//! the server-rendered pages, both adapters over the same use cases ([`luodi_app`]).
//! Handlers parse input at the edge ([`extract`]), call one use case with the caller and
//! render what it returns; a use case's error becomes the one error shape ([`error`]) in
//! the request's language with `?`. The web layer keeps what is HTTP's own: the listener
//! ([`server`]), the edge checks ([`edge`]), the metrics, and how things look (templates,
//! the SVG map, Gantt chart and cluster charts, the PDF typesetting, the badges).

// The modules, each with its API and pages; the same names as in the other crates.
pub mod approvals;
pub mod cluster;
pub mod core;
pub mod forecast;
pub mod land;
pub mod leadership;
pub mod stewardship;

// What every module's API and pages share: the route lists, the layout, the edge.
pub mod api;
pub mod assets;
pub mod client;
pub mod edge;
pub mod error;
pub mod export;
pub mod extract;
pub mod health;
pub mod i18n;
pub mod metrics;
pub mod pages;
pub mod server;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use luodi_app::App;
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::ApiError;
use crate::extract::request_lang;

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Settings of the web layer (the application has its own, [`luodi_app::Settings`]).
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Mark cookies `Secure` (serve behind HTTPS).
    pub secure_cookies: bool,
    /// Who may read `/metrics`.
    pub metrics: metrics::MetricsAccess,
    /// What a connection may take, and how long a shutdown drains.
    pub limits: server::Limits,
    /// The reverse proxies in front of this server, whose `X-Forwarded-For` names the
    /// client (for the per-address login limit).
    pub trusted_proxies: Vec<client::IpNet>,
}

/// What every handler is given: the application and the web layer's own settings,
/// metrics and typeset notifications.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: WebConfig,
    pub metrics: metrics::SharedMetrics,
    /// One-time notifications typeset as PDF, by content.
    pub notice_pdfs: std::sync::Arc<approvals::notice_cache::PdfCache>,
}

impl AppState {
    pub fn new(app: App, config: WebConfig) -> Self {
        AppState {
            app,
            config,
            metrics: Default::default(),
            notice_pdfs: Default::default(),
        }
    }
}

/// Unknown routes: JSON under `/api`, a page elsewhere.
async fn fallback(req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let lang = request_lang(&parts, None);
    if parts.uri.path().starts_with("/api/") {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            luodi_domain::core::i18n::text(lang, "problem.no_route"),
        )
        .into_response();
    }
    (StatusCode::NOT_FOUND, axum::response::Html(format!("<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>404</title><link rel=\"stylesheet\" href=\"/assets/luodi.css\"></head><body><main class=\"login\"><h1>404</h1><p>{}</p><p><a href=\"/\">{}</a></p></main></body></html>",
        lang.tag(), i18n::Tr::new(lang).t("error.not_found"), i18n::Tr::new(lang).t("error.home")))).into_response()
}

/// Answers compressed with brotli or gzip when the client accepts them: pages, JSON, the
/// OpenAPI description, the stylesheet, CSV and the rest of the text. PDFs and XLSX files
/// are compressed already (and images but SVG, and anything under 32 bytes, are left as
/// they are). Level 5 of both: brotli's default, 11, is meant for files compressed once,
/// not for every answer.
fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new()
        .quality(CompressionLevel::Precise(5))
        .compress_when(
            DefaultPredicate::new()
                .and(NotForContentType::const_new("application/pdf"))
                .and(NotForContentType::const_new(
                    "application/vnd.openxmlformats-officedocument",
                )),
        )
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let docs: Router<AppState> = SwaggerUi::new("/api/docs")
        .url("/api/openapi.json", api::openapi::description())
        .into();
    let docs = docs.layer(axum::middleware::from_fn(assets::docs_home_link));
    Router::new()
        .merge(api::router())
        .merge(pages::routes::router())
        .merge(docs)
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(metrics::render))
        .route("/assets/luodi.css", get(assets::css))
        .fallback(fallback)
        .layer(axum::middleware::from_fn_with_state(state.clone(), health::gate))
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(axum::middleware::from_fn(edge::check_text))
        .layer(axum::middleware::from_fn(extract::answer_in_request_lang))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // A body that stops coming, or a request that never ends, does not hold a
        // connection forever (the listener bounds the head; these bound the rest).
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            state.config.limits.header_read,
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            std::time::Duration::from_secs(180),
        ))
        .layer(axum::middleware::from_fn(edge::api_error_shape))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        // Pages and answers hold what one user may see: no cache keeps them, unless a
        // route says otherwise (the stylesheet).
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"),
        ))
        .layer(compression())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// The router [`serve`] serves, over a new state, without its listener and background
/// jobs: what a benchmark drives in process.
pub fn app_router(app: App, config: WebConfig) -> Router {
    router(AppState::new(app, config))
}

/// Serves until `shutdown` completes: the listener with its limits ([`server`]) and the
/// application's background jobs ([`luodi_app::jobs`]). On shutdown the listener stops
/// taking connections and drains the requests under way, then each job finishes its
/// current step; both within [`server::Limits::drain`].
pub async fn serve(
    app: App,
    config: WebConfig,
    addr: SocketAddr,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let state = AppState::new(app, config.clone());
    let jobs = luodi_app::jobs::start(&state.app, state.metrics.clone());
    let router = router(state);
    server::run(listener, router, config.limits, shutdown).await?;
    jobs.stop(config.limits.drain).await;
    tracing::info!("stopped");
    Ok(())
}
