//! What a handler needs from a request, each parsed once at the edge: the user (by API
//! token or session cookie), the language, a JSON body that names the field at fault,
//! and query parameters that name the parameter at fault.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use luodi_app::core::sessions;
use luodi_domain::Lang;
use luodi_domain::core::i18n;
use luodi_store::core::users::User;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::error::ApiError;

pub const SESSION_COOKIE: &str = "luodi_session";
pub const LANG_COOKIE: &str = "luodi_lang";
pub const LOGIN_CSRF_COOKIE: &str = "luodi_login_csrf";

/// The value of one cookie.
pub fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The language of a request: the user's choice, else the language cookie, else the
/// browser's Accept-Language, else Chinese.
pub fn request_lang(parts: &Parts, user: Option<&User>) -> Lang {
    if let Some(l) = user.and_then(|u| u.lang) {
        return l;
    }
    if let Some(l) = cookie(&parts.headers, LANG_COOKIE)
        .as_deref()
        .and_then(Lang::from_tag)
    {
        return l;
    }
    parts
        .headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

/// Middleware: every answer (an error's message above all) is in the request's language,
/// or the caller's once [`ApiUser`] or [`PageUser`] knows them.
pub async fn answer_in_request_lang(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let (parts, body) = req.into_parts();
    let lang = request_lang(&parts, None);
    let req = axum::extract::Request::from_parts(parts, body);
    crate::error::answering_in(lang, next.run(req)).await
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// A request from another site: its Origin (sent by browsers on every POST) names a
/// host other than ours.
pub fn cross_origin(parts: &Parts) -> bool {
    cross_origin_headers(&parts.headers)
}

pub fn cross_origin_headers(headers: &axum::http::HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
    origin == "null" || origin_host != host
}

/// An authenticated API caller. Bearer tokens need nothing else; a browser session
/// must also send its CSRF token in `X-CSRF-Token` for anything but a read.
pub struct ApiUser {
    pub user: User,
    pub lang: Lang,
    /// When the caller came with an API token: when that token expires.
    pub token_expires: Option<chrono::DateTime<chrono::Utc>>,
}

impl ApiUser {
    /// The caller as the use cases know them.
    pub fn caller(&self) -> luodi_app::Caller {
        luodi_app::Caller::user(&self.user, self.lang)
    }
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let lang = request_lang(parts, None);
        if let Some(token) = bearer(parts) {
            let (user, expires) = sessions::by_token(&state.app, token)
                .await
                .map_err(ApiError::internal)?
                .ok_or_else(|| ApiError::unauthorized(lang))?;
            let lang = request_lang(parts, Some(&user));
            parts.extensions.insert(CallerLang(lang));
            crate::error::answer_in(lang);
            return Ok(ApiUser {
                user,
                lang,
                token_expires: Some(expires),
            });
        }
        let Some(secret) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(ApiError::unauthorized(lang));
        };
        let session = sessions::by_cookie(&state.app, &secret)
            .await
            .map_err(ApiError::internal)?
            .ok_or_else(|| ApiError::unauthorized(lang))?;
        let lang = request_lang(parts, Some(&session.user));
        if !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok());
            if sent != Some(session.csrf_token.as_str()) || cross_origin(parts) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "csrf",
                    i18n::text(lang, "web.error.csrf"),
                ));
            }
        }
        parts.extensions.insert(CallerLang(lang));
        crate::error::answer_in(lang);
        Ok(ApiUser {
            user: session.user,
            lang,
            token_expires: None,
        })
    }
}

/// The caller's language, left in the request by [`ApiUser`] for the extractors after it.
#[derive(Debug, Clone, Copy)]
struct CallerLang(Lang);

/// The language an extractor answers in: the caller's, once [`ApiUser`] has run, else the
/// request's.
fn lang_of(parts: &Parts) -> Lang {
    parts
        .extensions
        .get::<CallerLang>()
        .map_or_else(|| request_lang(parts, None), |l| l.0)
}

/// A path parameter that must be a positive whole number (an id), as `raw` was given:
/// 400 naming `id` otherwise.
pub fn path_id(raw: &str, lang: Lang) -> Result<i64, ApiError> {
    raw.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            i18n::fill(lang, "web.error.path_id", &[("raw", raw)]),
        )
        .field("id")
    })
}

/// The route's one path parameter, an id: a positive whole number, or 400 naming `id`
/// (in the caller's language when it follows [`ApiUser`] among a handler's arguments).
#[derive(Debug, Clone, Copy)]
pub struct PathId(pub i64);

impl FromRequestParts<AppState> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let lang = lang_of(parts);
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|e| {
                    ApiError::new(StatusCode::BAD_REQUEST, "bad_parameter", e.body_text())
                })?;
        path_id(&raw, lang).map(PathId)
    }
}

/// A logged-in page visitor; anyone else is sent to the login page.
pub struct PageUser {
    pub user: User,
    pub csrf: String,
    pub lang: Lang,
    /// The request came from another site's page (its Origin is not ours).
    pub cross_origin: bool,
    /// What a form's save just did, when a page is reached by its redirect
    /// (`?done=saved`): the page's layout confirms it.
    pub done: Option<String>,
    /// The figures the confirmation fills in (`?done=parcels_imported,created:3`): each a
    /// name and a whole number.
    pub done_figures: Vec<(String, String)>,
}

impl PageUser {
    /// The caller as the use cases know them.
    pub fn caller(&self) -> luodi_app::Caller {
        luodi_app::Caller::user(&self.user, self.lang)
    }
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let to_login = || {
            let next = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let next: String = url_encode(next);
            Redirect::to(&format!("/login?next={next}")).into_response()
        };
        let Some(secret) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        match sessions::by_cookie(&state.app, &secret).await {
            Ok(Some(s)) => {
                let lang = request_lang(parts, Some(&s.user));
                crate::error::answer_in(lang);
                let done = done_of(parts);
                Ok(PageUser {
                    user: s.user,
                    csrf: s.csrf_token,
                    lang,
                    cross_origin: cross_origin(parts),
                    done: done.as_ref().map(|d| d.0.clone()),
                    done_figures: done.map(|d| d.1).unwrap_or_default(),
                })
            }
            Ok(None) => Err(to_login()),
            Err(e) => Err(ApiError::internal(e).into_response()),
        }
    }
}

/// The `done` query parameter, when it is a word (`saved`, `land_needs`): what a form's
/// save did, for the page its redirect reaches to confirm; with the figures the
/// confirmation names after it, each `,name:number` (`parcels_imported,created:3`).
fn done_of(parts: &Parts) -> Option<(String, Vec<(String, String)>)> {
    let query = parts.uri.query()?;
    let value = serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == "done")
        .map(|(_, v)| v)?;
    let word = |w: &str| {
        !w.is_empty() && w.len() <= 40 && w.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
    };
    let mut parts = value.split(',');
    let done = parts.next().filter(|w| word(w))?.to_string();
    let figures = parts
        .map(|f| {
            let (name, n) = f.split_once(':')?;
            (word(name) && !n.is_empty() && n.len() <= 12 && n.bytes().all(|b| b.is_ascii_digit()))
                .then(|| (name.to_string(), n.to_string()))
        })
        .collect::<Option<Vec<_>>>()?;
    Some((done, figures))
}

pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The request's language for pages that need no login.
pub struct ReqLang(pub Lang);

impl FromRequestParts<AppState> for ReqLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ReqLang(request_lang(parts, None)))
    }
}

/// A JSON body, checked: content type, syntax, unknown fields and types, each refused
/// with the field named.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let (mut parts, body) = req.into_parts();
        let lang = request_lang(&parts, None);
        let _ = &mut parts;
        let is_json = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                ct.split(';')
                    .next()
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                i18n::text(lang, "web.error.json_media_type"),
            ));
        }
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "payload_too_large",
                        i18n::fill(
                            lang,
                            "web.error.body_larger_than",
                            &[("kib", &(crate::MAX_BODY_BYTES / 1024).to_string())],
                        ),
                    )
                } else {
                    ApiError::new(StatusCode::BAD_REQUEST, "bad_body", e.body_text())
                }
            })?;
        parse_json(&bytes, lang).map(JsonBody)
    }
}

/// Whether a JSON text may hold a control character inside a string: raw ones are a
/// syntax error already, so only an escape (`\u0000`), DEL or a C1 control can.
fn may_hold_control(bytes: &[u8]) -> bool {
    bytes.contains(&0x7f)
        || bytes
            .windows(2)
            .any(|w| w == b"\\u" || (w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1])))
}

/// Parses JSON, naming the field at fault for wrong types, unknown fields and control
/// characters in text; anything after the value is refused.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8], lang: Lang) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value = parse_json_value(de, lang)?;
    if let Err(e) = de.end() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            i18n::fill(
                lang,
                "web.error.text_after_json",
                &[
                    ("line", &e.line().to_string()),
                    ("column", &e.column().to_string()),
                ],
            ),
        ));
    }
    if may_hold_control(bytes)
        && let Ok(v) = serde_json::from_slice::<serde_json::Value>(bytes)
        && let Some((field, c)) = luodi_domain::core::text::json_forbidden(&v)
    {
        return Err(crate::error::control_error(lang, &field, c));
    }
    Ok(value)
}

fn parse_json_value<'de, T: DeserializeOwned>(
    de: &mut serde_json::Deserializer<serde_json::de::SliceRead<'de>>,
    lang: Lang,
) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        use serde_json::error::Category;
        match inner.classify() {
            Category::Syntax | Category::Eof => ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                i18n::fill(
                    lang,
                    "web.error.malformed_json",
                    &[
                        ("line", &inner.line().to_string()),
                        ("column", &inner.column().to_string()),
                    ],
                ),
            ),
            _ => {
                let msg = inner.to_string();
                // For an unknown field serde reports the enclosing path; name the field itself.
                let field = msg
                    .strip_prefix("unknown field `")
                    .and_then(|rest| rest.split('`').next())
                    .map(|f| {
                        if path == f || path.ends_with(&format!(".{f}")) {
                            path.clone()
                        } else if path == "." {
                            f.to_string()
                        } else {
                            format!("{path}.{f}")
                        }
                    })
                    .unwrap_or_else(|| path.clone());
                let code = if msg.starts_with("unknown field") {
                    "unknown_field"
                } else if msg.starts_with("missing field") {
                    "required"
                } else {
                    "invalid_type"
                };
                let field = if code == "required" {
                    msg.strip_prefix("missing field `")
                        .and_then(|r| r.split('`').next())
                        .unwrap_or(&field)
                        .to_string()
                } else {
                    field
                };
                let clean = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                // English shows serde's own words (which list the fields expected).
                let key = match (lang, code) {
                    (Lang::Zh, "unknown_field") => "web.error.unknown_field",
                    (Lang::Zh, "required") => "web.error.missing_field",
                    _ => "web.error.field_type",
                };
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    code,
                    i18n::fill(lang, key, &[("field", &field), ("detail", &clean)]),
                )
                .field(field)
            }
        }
    })
}

/// Query parameters, read one by one with errors that name the parameter.
pub struct QueryParams {
    pairs: Vec<(String, String)>,
    lang: Lang,
}

impl FromRequestParts<AppState> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        let lang = request_lang(parts, None);
        let pairs =
            serde_urlencoded::from_str::<Vec<(String, String)>>(parts.uri.query().unwrap_or(""))
                .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_query", e.to_string()))?;
        Ok(QueryParams { pairs, lang })
    }
}

impl QueryParams {
    pub fn with_lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }

    /// Refuses parameters the route does not know, naming them.
    pub fn only(&self, known: &[&str]) -> Result<(), ApiError> {
        match self
            .pairs
            .iter()
            .find(|(k, _)| !known.contains(&k.as_str()))
        {
            Some((k, _)) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "unknown_parameter",
                i18n::fill(
                    self.lang,
                    "web.error.unknown_parameter",
                    &[("name", k), ("known", &known.join(", "))],
                ),
            )
            .field(k.clone())),
            None => Ok(()),
        }
    }

    /// Every parameter as given, in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    pub fn int(&self, name: &str, min: i64, max: i64) -> Result<Option<i64>, ApiError> {
        let Some(v) = self.text(name) else {
            return Ok(None);
        };
        match v.trim().parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(self.refuse(
                name,
                "web.error.parameter_range",
                &[("min", &min.to_string()), ("max", &max.to_string())],
            )),
        }
    }

    /// 400 naming parameter `name`: the catalogue's text `key` (which names the parameter
    /// with the blank `{name}`) filled with `values`.
    pub fn refuse(&self, name: &str, key: &str, values: &[(&str, &str)]) -> ApiError {
        let mut all = vec![("name", name)];
        all.extend_from_slice(values);
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_parameter",
            i18n::fill(self.lang, key, &all),
        )
        .field(name)
    }

    /// `page` and `per_page`, checked.
    pub fn page(&self) -> Result<luodi_store::PageRequest, ApiError> {
        Ok(luodi_store::PageRequest {
            page: self.int("page", 1, 1_000_000)?.unwrap_or(1),
            per_page: self
                .int("per_page", 1, luodi_store::PageRequest::MAX_PER_PAGE)?
                .unwrap_or(20),
        })
    }
}

/// Whether two secrets are equal, in time that does not depend on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
