//! The one error shape of the JSON API and how store and domain errors map onto it:
//! a 4xx names the field at fault; a 5xx says nothing of the cause, which is logged once.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use luodi_app::problem::{Kind, Problem};
use luodi_domain::Lang;
use luodi_domain::core::enterprise::FieldError;
use luodi_domain::core::i18n;
use luodi_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// Every API error answers with this body.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Machine-readable code, e.g. `invalid_uscc`, `conflict`, `not_found`.
    pub code: String,
    /// What went wrong, in the user's language.
    pub message: String,
    /// The field (or query parameter) at fault, for a 4xx about one field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every field at fault, when several are.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldErrorBody>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldErrorBody {
    pub field: String,
    pub code: String,
    pub message: String,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
    pub retry_after: Option<i64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: ErrorBody {
                code: code.into(),
                message: message.into(),
                field: None,
                errors: Vec::new(),
            },
            retry_after: None,
        }
    }

    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.body.field = Some(field.into());
        self
    }

    pub fn unauthorized(lang: Lang) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            i18n::text(lang, "problem.unauthorized"),
        )
    }

    pub fn forbidden(lang: Lang) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            i18n::text(lang, "problem.forbidden"),
        )
    }

    pub fn not_found(lang: Lang) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            i18n::text(lang, "problem.not_found"),
        )
    }

    /// Field errors from the rules: 422, naming each field.
    pub fn fields(lang: Lang, errors: &[FieldError]) -> Self {
        let first = &errors[0];
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            first.code,
            first.message(lang),
        )
        .field(first.field.clone());
        e.body.errors = errors
            .iter()
            .map(|f| FieldErrorBody {
                field: f.field.clone(),
                code: f.code.into(),
                message: f.message(lang).into(),
            })
            .collect();
        e
    }

    pub fn store(lang: Lang, err: StoreError) -> Self {
        Self::app(lang, err)
    }

    /// A use case's problem, in `lang`: its kind chooses the status.
    pub fn app(lang: Lang, e: impl Into<Problem>) -> Self {
        let p: Problem = e.into();
        let status = match p.kind {
            Kind::Malformed => StatusCode::BAD_REQUEST,
            Kind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            Kind::NotFound => StatusCode::NOT_FOUND,
            Kind::Forbidden => StatusCode::FORBIDDEN,
            Kind::Conflict => StatusCode::CONFLICT,
            Kind::Unavailable => return Self::unavailable(lang),
            Kind::Internal => {
                return Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    i18n::text(lang, "problem.internal"),
                );
            }
        };
        let mut e = Self::new(status, &p.code, p.message.get(lang));
        e.body.field = p.field;
        e.body.errors = p
            .errors
            .into_iter()
            .map(|f| FieldErrorBody {
                field: f.field,
                code: f.code.into_owned(),
                message: f.message.get(lang).to_string(),
            })
            .collect();
        e
    }

    /// 503: the database cannot be reached now; try again after a few seconds.
    pub fn unavailable(lang: Lang) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            i18n::text(lang, "problem.unavailable"),
        );
        e.retry_after = Some(RETRY_AFTER_SECONDS);
        e
    }

    /// A 5xx: the cause goes to the log, never to the client. A database that cannot be
    /// reached is a 503 with `Retry-After` rather than a 500.
    pub fn internal<E: std::fmt::Display + 'static>(cause: E) -> Self {
        let any = &cause as &dyn std::any::Any;
        let unavailable = any
            .downcast_ref::<StoreError>()
            .is_some_and(StoreError::is_unavailable);
        if unavailable {
            tracing::warn!(%cause, "database unreachable");
            return Self::unavailable(answer_lang());
        }
        tracing::error!(%cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            i18n::text(answer_lang(), "problem.internal"),
        )
    }
}

tokio::task_local! {
    /// The language the request being answered reads: the request's (its cookie or
    /// `Accept-Language`), then the caller's once an extractor knows who is asking.
    static ANSWER_LANG: std::cell::Cell<Lang>;
}

/// Answers `future` (a request) in `lang` unless the caller turns out to read another.
pub async fn answering_in<F: std::future::Future>(lang: Lang, future: F) -> F::Output {
    ANSWER_LANG.scope(std::cell::Cell::new(lang), future).await
}

/// The language of the request being answered (Chinese outside one).
pub fn answer_lang() -> Lang {
    ANSWER_LANG
        .try_with(std::cell::Cell::get)
        .unwrap_or_default()
}

/// The caller is known: the rest of the request is answered in their language.
pub fn answer_in(lang: Lang) {
    let _ = ANSWER_LANG.try_with(|l| l.set(lang));
}

/// A use case's error, or anything that is a [`Problem`], answers with `?` in the
/// request's language.
impl<E: Into<Problem>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError::app(answer_lang(), e)
    }
}

/// Seconds a client is asked to wait when the database is unreachable.
pub const RETRY_AFTER_SECONDS: i64 = 5;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (self.status, Json(self.body)).into_response();
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}

/// The 422 for a control character in `field`.
pub fn control_error(lang: Lang, field: &str, c: char) -> ApiError {
    let field = if field.is_empty() { "body" } else { field };
    // The field's name itself may hold the character: show it escaped.
    let shown: String = field.escape_debug().collect();
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "control_character",
        i18n::fill(
            lang,
            "web.error.control_character",
            &[
                ("field", &shown),
                ("character", &luodi_domain::core::text::describe(c)),
            ],
        ),
    )
    .field(shown)
}
