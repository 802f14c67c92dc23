//! The cluster's pages: the leadership's dashboard of the cluster's figures, its charts
//! drawn as server-side SVG ([`charts`]).

pub mod charts;
