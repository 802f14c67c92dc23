//! The web side of the database check ([`luodi_app::core::health`]): while the database
//! does not answer, every request but `/healthz`, `/metrics` and the stylesheet is
//! answered at once with 503 and `Retry-After` (in the API's shape under `/api/`, as a
//! page elsewhere) instead of waiting for a connection that will not come. When the
//! database answers again the next check lets requests through by itself.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use crate::AppState;
use crate::error::{ApiError, RETRY_AFTER_SECONDS};
use crate::extract::request_lang;

fn unavailable(api: bool, lang: luodi_domain::Lang) -> Response {
    if api {
        return ApiError::unavailable(lang).into_response();
    }
    let tr = crate::i18n::Tr::new(lang);
    let mut res = (
        StatusCode::SERVICE_UNAVAILABLE,
        Html(format!(
            "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>503</title><link rel=\"stylesheet\" href=\"/assets/luodi.css\"></head><body><main class=\"login\"><h1>503</h1><p>{}</p></main></body></html>",
            lang.tag(),
            tr.t("error.unavailable")
        )),
    )
        .into_response();
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
    res
}

/// Answers 503 at once while the database is known to be down.
pub async fn gate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let exempt = path == "/healthz" || path == "/metrics" || path.starts_with("/assets/");
    if state.app.db_health.is_down() && !exempt {
        let (parts, _) = req.into_parts();
        let lang = request_lang(&parts, None);
        return unavailable(parts.uri.path().starts_with("/api/"), lang);
    }
    next.run(req).await
}

/// `GET /healthz`: 200 while the database answers; 503 at once when this server knows it
/// is down, else within [`CHECK_TIMEOUT`].
pub async fn healthz(State(state): State<AppState>, req: Request) -> Response {
    let lang = request_lang(&req.into_parts().0, None);
    if !state.app.db_health.is_down() && luodi_app::core::health::check(&state.app).await {
        return (StatusCode::OK, "ok").into_response();
    }
    unavailable(true, lang)
}
