//! Land's API and pages: the zone's parcels (list, import, upload on a page, export,
//! reserve, release), the matcher, and the parcels' map drawn as server-side SVG.

pub mod api;
pub mod map;
pub mod needs_form;
pub mod pages;
pub mod parcel_list;
pub mod reservation_pages;
pub mod upload_pages;
