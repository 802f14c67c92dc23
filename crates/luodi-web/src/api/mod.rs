//! The JSON API under `/api/v1`, its OpenAPI description at `/api/openapi.json` and the
//! offline Swagger UI at `/api/docs`: the list of every module's API router (each module's
//! handlers live in its folder, `crate::<module>::api`) and what the description says of
//! all of them.

pub mod openapi;

use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Luodi (落地) API", description = "Landing industrial projects and serving them for life. Authenticate with `Authorization: Bearer TOKEN` (`luodi token create`). Errors share one shape: `code`, `message` and, for a 4xx about a field, `field`."),
    modifiers(&BearerAuth),
    tags((name = "enterprises", description = "企业 — enterprises of the zone"), (name = "account", description = "the caller, its zone and API tokens"), (name = "audit", description = "the hash-chained audit trail"), (name = "calendar", description = "工作日 — the PRC working-day calendar"), (name = "catalogue", description = "服务事项目录 — the zone's service catalogue"), (name = "projects", description = "项目 — projects, phases, service lists and their items"), (name = "parcels", description = "地块 — land parcels, their import and export, reservation, and matching projects to them"), (name = "blockers", description = "难点堵点 — a project's blockers, their three clocks and escalations"), (name = "notifications", description = "通知 — the caller's in-app inbox, and where the zone's notifications go out (email, webhooks: generic, WeCom, DingTalk)"), (name = "leadership", description = "领导视图 — phases by stage, blockers by department and age, SLA compliance"), (name = "cluster", description = "产业集群 — enterprises' statistics by period, the cluster's figures and targets, the 亩均 evaluation, post-completion checks"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API's routes and their description, from one list: each module's router names its
/// handlers with `routes!`, which registers each with the method and path its
/// `#[utoipa::path]` states, so a route cannot exist without its description.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        // core
        .merge(crate::core::api::enterprises::router())
        .merge(crate::core::api::account::router())
        .merge(crate::core::api::audit::router())
        .merge(crate::core::api::calendar::router())
        // land
        .merge(crate::land::api::router())
        // approvals
        .merge(crate::approvals::api::catalogue::router())
        .merge(crate::approvals::api::service_lists::router())
        // forecast
        .merge(crate::forecast::api::phase::router())
        .merge(crate::forecast::api::portfolio::router())
        // stewardship
        .merge(crate::stewardship::api::projects::router())
        .merge(crate::stewardship::api::blockers::router())
        .merge(crate::stewardship::api::notifications::router())
        .merge(crate::stewardship::api::lifecycle::router())
        .merge(crate::stewardship::api::outbound::router())
        .merge(crate::stewardship::api::stewards::router())
        // leadership
        .merge(crate::leadership::api::router())
        // cluster
        .merge(crate::cluster::api::router())
}

/// The API's routes.
pub fn router() -> Router<AppState> {
    routes().into()
}
