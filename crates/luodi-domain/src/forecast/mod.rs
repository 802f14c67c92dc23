//! 预测 — forecasts: the critical path of a service list, Monte Carlo over how long items
//! really take, and the zone's phases forecast together (the portfolio).

pub mod critical_path;
pub mod monte_carlo;
pub mod portfolio;
