//! Logging in and out, and choosing the interface language.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use luodi_app::core::account;
use luodi_app::core::login::{self, LogIn};
use luodi_domain::Lang;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::constant_time_eq;
use crate::extract::{
    LANG_COOKIE, LOGIN_CSRF_COOKIE, ReqLang, SESSION_COOKIE, cookie, cross_origin_headers,
    request_lang,
};
use crate::i18n::Tr;
use crate::pages::{FormData, render, safe_next};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/lang", post(switch_lang))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    tr: Tr,
    csrf: String,
    next: String,
    email: String,
    error: Option<String>,
}

impl AppState {
    pub fn cookie(&self, name: &str, value: &str, max_age_secs: i64) -> String {
        let secure = if self.config.secure_cookies {
            "; Secure"
        } else {
            ""
        };
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}")
    }
}

/// The login form's CSRF token: a double-submit cookie, since there is no session yet.
fn login_csrf(headers: &HeaderMap) -> (String, bool) {
    match cookie(headers, LOGIN_CSRF_COOKIE).filter(|c| c.len() == 64) {
        Some(c) => (c, false),
        None => (hex::encode(rand::random::<[u8; 32]>()), true),
    }
}

fn next_param(query: Option<&str>) -> String {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.unwrap_or("")).unwrap_or_default();
    safe_next(
        pairs
            .iter()
            .find(|(k, _)| k == "next")
            .map(|(_, v)| v.as_str()),
    )
}

async fn login_page(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let (csrf, fresh) = login_csrf(&headers);
    let page = LoginPage {
        tr: Tr::new(lang),
        csrf: csrf.clone(),
        next: next_param(uri.query()),
        email: String::new(),
        error: None,
    };
    let mut res = render(StatusCode::OK, &page);
    if fresh && let Ok(v) = state.cookie(LOGIN_CSRF_COOKIE, &csrf, 3600).parse() {
        res.headers_mut().append(SET_COOKIE, v);
    }
    res
}

async fn login(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    crate::client::ClientAddr(client): crate::client::ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = FormData::parse(&body);
    let tr = Tr::new(lang);
    let (csrf, _) = login_csrf(&headers);
    let next = safe_next(form.get("next"));
    let email = form.text("email");
    let again = |status: StatusCode, error: String| {
        render(
            status,
            &LoginPage {
                tr,
                csrf: csrf.clone(),
                next: next.clone(),
                email: email.clone(),
                error: Some(error),
            },
        )
    };
    let sent_ok = form
        .get("_csrf")
        .is_some_and(|t| constant_time_eq(t.as_bytes(), csrf.as_bytes()));
    if !sent_ok || cross_origin_headers(&headers) {
        return again(StatusCode::FORBIDDEN, tr.t("login.expired").to_string());
    }
    match login::log_in(&state.app, &email, &form.text("password"), client).await {
        Ok(LogIn::Session { secret, lang }) => {
            let mut cookies = vec![state.cookie(
                SESSION_COOKIE,
                &secret,
                luodi_store::core::sessions::ABSOLUTE_HOURS * 3600,
            )];
            if let Some(l) = lang {
                cookies.push(state.cookie(LANG_COOKIE, l.tag(), 365 * 86400));
            }
            (
                AppendHeaders(cookies.into_iter().map(|c| (SET_COOKIE, c))),
                Redirect::to(&next),
            )
                .into_response()
        }
        Ok(LogIn::BadCredentials) => {
            again(StatusCode::UNAUTHORIZED, tr.t("login.failed").to_string())
        }
        Ok(LogIn::Throttled {
            retry_after_secs,
            minutes,
        }) => {
            let mut res = again(
                StatusCode::TOO_MANY_REQUESTS,
                tr.t("login.throttled")
                    .replace("{minutes}", &minutes.to_string()),
            );
            if let Ok(v) = retry_after_secs.to_string().parse() {
                res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
            res
        }
        Err(e) => ApiError::app(lang, e).into_response(),
    }
}

/// The session behind the request's cookie, if any.
async fn session_of(
    state: &AppState,
    headers: &HeaderMap,
) -> Option<(String, luodi_store::core::sessions::Session)> {
    let secret = cookie(headers, SESSION_COOKIE)?;
    let session = luodi_app::core::sessions::by_cookie(&state.app, &secret)
        .await
        .ok()??;
    Some((secret, session))
}

async fn logout(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let form = FormData::parse(&body);
    if let Some((secret, session)) = session_of(&state, &headers).await {
        let ok = form
            .get("_csrf")
            .is_some_and(|t| constant_time_eq(t.as_bytes(), session.csrf_token.as_bytes()));
        if !ok || cross_origin_headers(&headers) {
            return (StatusCode::FORBIDDEN, "CSRF").into_response();
        }
        if let Err(e) = login::log_out(&state.app, &secret).await {
            return ApiError::app(session.user.lang.unwrap_or_default(), e).into_response();
        }
    }
    (
        AppendHeaders([(SET_COOKIE, state.cookie(SESSION_COOKIE, "", 0))]),
        Redirect::to("/login"),
    )
        .into_response()
}

async fn switch_lang(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let form = FormData::parse(&body);
    let Some(lang) = form.get("lang").and_then(Lang::from_tag) else {
        let tr = Tr::new(request_lang_headers(&headers));
        return (
            StatusCode::BAD_REQUEST,
            tr.t("core.error.lang_choice").to_string(),
        )
            .into_response();
    };
    let sent = form.get("_csrf").unwrap_or("");
    let session = session_of(&state, &headers).await;
    let expected = match &session {
        Some((_, s)) => s.csrf_token.clone(),
        None => login_csrf(&headers).0,
    };
    if !constant_time_eq(sent.as_bytes(), expected.as_bytes()) || cross_origin_headers(&headers) {
        let tr = Tr::new(request_lang_headers(&headers));
        return (StatusCode::FORBIDDEN, tr.t("error.csrf").to_string()).into_response();
    }
    if let Some((_, s)) = &session
        && let Err(e) =
            account::set_language(&state.app, &luodi_app::Caller::user(&s.user, lang), lang).await
    {
        return ApiError::app(lang, e).into_response();
    }
    (
        AppendHeaders([(
            SET_COOKIE,
            state.cookie(LANG_COOKIE, lang.tag(), 365 * 86400),
        )]),
        Redirect::to(&safe_next(form.get("next"))),
    )
        .into_response()
}

fn request_lang_headers(headers: &HeaderMap) -> Lang {
    let (mut parts, _) = axum::http::Request::new(()).into_parts();
    parts.headers = headers.clone();
    request_lang(&parts, None)
}
