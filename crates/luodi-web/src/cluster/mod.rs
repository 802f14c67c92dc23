//! The cluster's numbers on the web: the API ([`api`]), the pages, and the dashboard's
//! server-side SVG charts ([`charts`]).

pub mod api;
pub mod charts;
pub mod pages;
