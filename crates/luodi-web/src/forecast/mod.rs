//! Forecasts' API and pages: a phase's forecast and what-if, its Gantt chart (drawn as
//! server-side SVG), and the portfolio.

pub mod api;
pub mod gantt;
pub mod pages;
