//! Approvals' API and pages: the service catalogue, a phase's service list and its items'
//! steps, the departments' queues and lateness, and the one-time notification typeset as
//! a PDF.

pub mod api;
pub mod notice_cache;
pub mod notice_pdf;
pub mod pages;
