//! `/api/v1/audit`: the audit trail, for administrators and leaders
//! ([`luodi_app::core::audit`]).

use axum::Json;
use axum::extract::State;
use luodi_app::core::audit::{self, AuditPage};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiUser, QueryParams};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
    params(("entity" = Option<String>, Query, description = "e.g. enterprise"), ("entity_id" = Option<String>, Query, description = "with entity"),
        ("page" = Option<i64>, Query, description = "from 1"), ("per_page" = Option<i64>, Query, description = "1–200")),
    responses((status = 200, body = AuditPage), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiUser,
    params: QueryParams,
) -> Result<Json<AuditPage>, ApiError> {
    let params = params.with_lang(caller.lang);
    params.only(&["entity", "entity_id", "page", "per_page"])?;
    let entity = params
        .text("entity")
        .map(|e| (e, params.text("entity_id").unwrap_or("")));
    let page = params.page()?;
    Ok(Json(
        audit::entries(&state.app, &caller.caller(), entity, page).await?,
    ))
}
