//! The cluster's numbers on the web: the API ([`api`]) and the pages.

pub mod api;
