//! `/api/v1/audit`: the audit trail, for administrators and leaders.

use axum::Json;
use axum::extract::State;
use luodi_domain::Operation;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiUser, QueryParams};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryResponse {
    pub id: i64,
    pub zone_id: i64,
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// What the entity was before (null for a creation or an event).
    #[schema(value_type = Option<Object>)]
    pub before: serde_json::Value,
    /// What it became (null for a deletion or an event).
    #[schema(value_type = Option<Object>)]
    pub after: serde_json::Value,
    pub hash: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntryResponse>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
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
    if !Operation::ViewAudit.allows(caller.user.role) {
        return Err(ApiError::forbidden(caller.lang));
    }
    let params = params.with_lang(caller.lang);
    params.only(&["entity", "entity_id", "page", "per_page"])?;
    let entity = params
        .text("entity")
        .map(|e| (e, params.text("entity_id").unwrap_or("")));
    let page = state
        .app
        .store
        .audit_entries(&caller.user.scope(), entity, params.page()?)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(AuditPage {
        items: page
            .items
            .into_iter()
            .map(|e| AuditEntryResponse {
                id: e.id,
                zone_id: e.zone_id,
                seq: e.seq,
                at: e.at,
                actor: e.actor,
                action: e.action,
                entity: e.entity,
                entity_id: e.entity_id,
                before: e.before,
                after: e.after,
                hash: e.hash,
            })
            .collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}
