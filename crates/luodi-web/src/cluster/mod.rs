//! The cluster's numbers on the web: the API ([`api`]), the pages, and the dashboard's
//! server-side SVG charts ([`charts`]).

pub mod api;
pub mod charts;
pub mod dashboard_pages;
pub mod pages;
pub mod settings_pages;
