//! What is served the same to everyone: the stylesheet, which a browser keeps and
//! revalidates by its ETag (a `304 Not Modified` with no body while it is unchanged), and
//! the API docs (Swagger UI), given a link back into the application.

use std::sync::LazyLock;

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::extract::request_lang;
use crate::i18n::Tr;

const CSS: &str = include_str!("../assets/luodi.css");

/// The stylesheet's validator: a hash of its text, so it is the same on every server running
/// this build and changes with the stylesheet. Weak (`W/`), because the compression layer
/// sends the same stylesheet as different bytes to different clients.
static CSS_ETAG: LazyLock<HeaderValue> = LazyLock::new(|| {
    let hash = Sha256::digest(CSS.as_bytes());
    HeaderValue::from_str(&format!("W/\"{}\"", hex::encode(&hash[..12])))
        .expect("hex is a valid header value")
});

/// A browser may keep the stylesheet but asks before each use whether it changed; the
/// answer is a bodiless 304 until a new build changes it, so a new stylesheet is never
/// missed and an unchanged one is not sent again.
const CSS_CACHE: &str = "no-cache";

/// Whether an `If-None-Match` header names `etag` (weak comparison, as RFC 9110 asks).
fn matches(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let ours = etag.to_str().unwrap_or_default().trim_start_matches("W/");
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == ours)
}

/// `GET /assets/luodi.css`.
pub async fn css(headers: HeaderMap) -> Response {
    let etag = CSS_ETAG.clone();
    let cache = HeaderValue::from_static(CSS_CACHE);
    if matches(&headers, &etag) {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag), (header::CACHE_CONTROL, cache)],
        )
            .into_response();
    }
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, cache),
        ],
        CSS,
    )
        .into_response()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Middleware on the API docs: their page (Swagger UI's `index.html`, which knows nothing
/// of Luodi) gets a link back to the home page, in the request's language (the language a
/// user chose is kept in a cookie), and says which language it is in.
pub async fn docs_home_link(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path != "/api/docs/" && path != "/api/docs/index.html" {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let lang = request_lang(&parts, None);
    let res = next.run(Request::from_parts(parts, body)).await;
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if res.status() != StatusCode::OK || !html {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1024 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let page = String::from_utf8_lossy(&bytes);
    let tr = Tr::new(lang);
    let link = format!(
        "<body>\n<nav aria-label=\"{app}\" style=\"padding:8px 20px;border-bottom:1px solid #d9dde3;font:14px/1.5 'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif\"><a id=\"luodi-home\" href=\"/\" style=\"color:#1f5fa8\">← {app} · {home}</a></nav>",
        app = escape(tr.t("app.name")),
        home = escape(tr.t("error.home")),
    );
    let page = page
        .replacen(
            "<html lang=\"en\">",
            &format!("<html lang=\"{}\">", lang.tag()),
            1,
        )
        .replacen("<body>", &link, 1);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_takes_lists_and_star() {
        let etag = CSS_ETAG.clone();
        let bare = etag.to_str().unwrap().trim_start_matches("W/").to_string();
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::IF_NONE_MATCH, HeaderValue::from_str(v).unwrap());
            h
        };
        assert!(matches(&with(etag.to_str().unwrap()), &etag));
        assert!(matches(&with(&bare), &etag));
        assert!(matches(&with(&format!("\"other\", {bare}")), &etag));
        assert!(matches(&with("*"), &etag));
        assert!(!matches(&with("\"other\""), &etag));
        assert!(!matches(&HeaderMap::new(), &etag));
    }
}
