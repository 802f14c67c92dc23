//! 服务 — stewardship: projects and their phases' lifecycle, blockers (难点堵点) with their
//! SLA clocks and escalation ladder, and outbound notifications' shapes.

pub mod attachment;
pub mod blocker;
pub mod conditions;
pub mod outbound;
pub mod project;
