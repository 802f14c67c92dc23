//! Every module's pages, in one list: adding a module's pages is a line here.

use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        // core
        .merge(crate::core::pages::auth::router())
        .merge(crate::core::pages::home::router())
        .merge(crate::core::pages::audit::router())
        .merge(crate::core::pages::enterprises::router())
        .merge(crate::core::pages::account::router())
        .merge(crate::core::pages::settings::router())
        // land
        .merge(crate::land::parcel_list::router())
        .merge(crate::land::pages::router())
        .merge(crate::land::reservation_pages::router())
        .merge(crate::land::upload_pages::router())
        // approvals
        .merge(crate::approvals::pages::catalogue::router())
        .merge(crate::approvals::pages::service_lists::router())
        .merge(crate::approvals::pages::queue::router())
        // forecast
        .merge(crate::forecast::pages::gantt::router())
        .merge(crate::forecast::pages::portfolio::router())
        // stewardship
        .merge(crate::stewardship::pages::project_list::router())
        .merge(crate::stewardship::pages::phase_list::router())
        .merge(crate::stewardship::pages::projects::router())
        .merge(crate::stewardship::pages::project_form::router())
        .merge(crate::stewardship::pages::project_land::router())
        .merge(crate::stewardship::pages::blockers::router())
        .merge(crate::stewardship::pages::inbox::router())
        .merge(crate::stewardship::pages::board::router())
        // leadership
        .merge(crate::leadership::pages::router())
        // cluster
        .merge(crate::cluster::dashboard_pages::router())
        .merge(crate::cluster::settings_pages::router())
        .merge(crate::cluster::pages::statistics::router())
        .merge(crate::cluster::pages::statistics_year::router())
        .merge(crate::cluster::pages::mu::router())
        .merge(crate::cluster::pages::completion::router())
}
