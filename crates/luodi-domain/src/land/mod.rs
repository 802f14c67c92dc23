//! 土地 — land: parcels and their geometry, the matcher that ranks them for a project's
//! land needs, and its in-memory index.

pub mod geometry;
pub mod geometry_problem;
pub mod match_index;
pub mod matching;
pub mod parcel;
pub mod readers;
pub mod ring;
