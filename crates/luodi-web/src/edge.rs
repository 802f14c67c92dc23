//! What every request passes on its way in and out, whatever route it takes: text in the
//! query string and in a submitted form is checked for control characters (refused with
//! 422, the parameter named) before any handler sees it; duplicated query parameters are
//! refused; and an error answered under `/api/` by something other than a handler — the
//! body limit (413), a method the route lacks (405), a body the framework could not read —
//! is rewritten into the API's one error shape.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use http_body_util::BodyExt;
use luodi_domain::Lang;
use luodi_domain::core::i18n;
use luodi_domain::core::text::forbidden_char;

use crate::error::ApiError;
use crate::extract::request_lang;

/// The parameter of a query string or form that holds a control character, with it.
fn forbidden_pair(pairs: &[(String, String)]) -> Option<(String, char)> {
    pairs.iter().find_map(|(k, v)| {
        forbidden_char(k)
            .or_else(|| forbidden_char(v))
            .map(|c| (k.clone(), c))
    })
}

fn refuse(api: bool, err: ApiError) -> Response {
    if api {
        return err.into_response();
    }
    let status = err.status;
    let page = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{status}</title><link rel=\"stylesheet\" href=\"/assets/luodi.css\"></head><body><main class=\"login\"><h1>{}</h1><p>{}</p><p><a href=\"javascript:history.back()\">←</a></p></main></body></html>",
        status.as_u16(),
        askama_escape(&err.body.message)
    );
    (status, Html(page)).into_response()
}

fn askama_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Refuses control characters in the query string and in url-encoded forms, and query
/// parameters given twice.
pub async fn check_text(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let lang = request_lang(&parts, None);
    let api = parts.uri.path().starts_with("/api/");
    if let Some(query) = parts.uri.query() {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
        if let Some((field, c)) = forbidden_pair(&pairs) {
            return refuse(api, crate::error::control_error(lang, &field, c));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some((k, _)) = pairs.iter().find(|(k, _)| !seen.insert(k.as_str())) {
            return refuse(
                api,
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "duplicate_parameter",
                    i18n::fill(lang, "web.error.duplicate_parameter", &[("name", k)]),
                )
                .field(k.clone()),
            );
        }
    }
    let media = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    // Pages read every body they are posted as a form, whatever its Content-Type says, so
    // every page body but a file upload (multipart) is checked as one.
    let is_form = media == "application/x-www-form-urlencoded"
        || (!api && parts.method == axum::http::Method::POST && !media.starts_with("multipart/"));
    if !is_form {
        return next.run(Request::from_parts(parts, body)).await;
    }
    // A form is read whole here (within the body limit) and handed on unchanged.
    let limit = crate::MAX_BODY_BYTES;
    let bytes: Bytes = match http_body_util::Limited::new(body, limit).collect().await {
        Ok(c) => c.to_bytes(),
        Err(_) => return refuse(api, too_large(lang)),
    };
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    if let Some((field, c)) = forbidden_pair(&pairs) {
        return refuse(api, crate::error::control_error(lang, &field, c));
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// The 413 of the shared shape.
pub fn too_large(lang: Lang) -> ApiError {
    too_large_of(lang, crate::MAX_BODY_BYTES)
}

/// The 413 of the shared shape for a route whose limit is `limit` bytes.
pub fn too_large_of(lang: Lang, limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        i18n::fill(
            lang,
            "web.error.body_over_limit",
            &[("kib", &(limit / 1024).to_string())],
        ),
    )
}

/// Rewrites an error under `/api/` that is not already in the shared JSON shape — one made
/// by the framework, not a handler — into it, keeping its status.
pub async fn api_error_shape(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/") && !req.uri().path().starts_with("/api/docs");
    let (parts, body) = req.into_parts();
    let lang = request_lang(&parts, None);
    let res = next.run(Request::from_parts(parts, body)).await;
    let status = res.status();
    if !api || !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return res;
    }
    let (res_parts, body) = res.into_parts();
    let text = match http_body_util::Limited::new(body, 64 * 1024)
        .collect()
        .await
    {
        Ok(c) => String::from_utf8_lossy(&c.to_bytes()).into_owned(),
        Err(_) => String::new(),
    };
    let mut err = match status {
        StatusCode::PAYLOAD_TOO_LARGE => too_large(lang),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
            status,
            "method_not_allowed",
            i18n::text(lang, "web.error.method_not_allowed"),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(
            status,
            "unsupported_media_type",
            i18n::text(lang, "web.error.unsupported_media_type"),
        ),
        s if s.is_server_error() => {
            tracing::error!(status = %s, body = %text, "an error outside any handler");
            ApiError::new(status, "internal", i18n::text(lang, "problem.internal"))
        }
        s => ApiError::new(
            s,
            "bad_request",
            i18n::fill(lang, "web.error.bad_request", &[("detail", &text)]),
        ),
    };
    err.status = status;
    let mut out = err.into_response();
    // Keep what the framework said about the request beyond the body (Allow, Retry-After).
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(v) = res_parts.headers.get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    out
}
