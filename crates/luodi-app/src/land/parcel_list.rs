//! The parcels list (`/parcels`) on the shared list ([`crate::core::list`]): searched by
//! code, name or the enterprise a parcel is reserved for or handed to, filtered by status,
//! land use and area in mu, sorted by code, area or status, paged and exported in the
//! form a parcel file imports back. A zone may hold many thousands of parcels, so the
//! store filters, counts and pages them in SQL.

use luodi_domain::Operation;
use luodi_domain::land::parcel::ParcelStatus;
use luodi_store::land::parcels::{ParcelLine, ParcelQuery, ParcelSort};
use luodi_store::{Page, PageRequest};

use super::LandError;
use crate::core::list::{Filter, ListQuery, ListSpec, Values};
use crate::core::table::Table;
use crate::{App, Caller};

/// What the parcels list takes.
pub const LIST: ListSpec = ListSpec {
    search: true,
    filters: &[
        Filter::new(
            "status",
            Values::OneOf(&["available", "reserved", "handed_over", "withdrawn"]),
        ),
        Filter::new("land_use", Values::Text),
        Filter::new("min_area_mu", Values::Number),
        Filter::new("max_area_mu", Values::Number),
    ],
    sorts: &["code", "area", "status"],
    default_desc: false,
    per_page: 50,
    extra: &[],
};

/// A page of the parcels list, with the land uses to choose from.
pub struct ParcelList {
    pub found: Page<ParcelLine>,
    pub land_uses: Vec<String>,
}

fn parcel_query(query: &ListQuery) -> ParcelQuery {
    ParcelQuery {
        search: query.search.clone(),
        status: query.filter("status").and_then(ParcelStatus::parse),
        land_use: query.filter("land_use").map(str::to_string),
        min_area_mu: query.number("min_area_mu"),
        max_area_mu: query.number("max_area_mu"),
        sort: match query.sort {
            "area" => ParcelSort::Area,
            "status" => ParcelSort::Status,
            _ => ParcelSort::Code,
        },
        descending: query.descending,
    }
}

/// The page of the zone's parcels that `query` asks for.
pub async fn list(app: &App, caller: &Caller, query: &ListQuery) -> Result<ParcelList, LandError> {
    let zone = caller.zone_for(Operation::ViewParcels)?;
    let found = app
        .store
        .parcel_search(zone, &parcel_query(query), query.page)
        .await?;
    Ok(ParcelList {
        found,
        land_uses: app.store.parcel_land_uses(zone).await?,
    })
}

/// Every parcel `query` finds (all pages), as the table a parcel file holds.
pub async fn export(app: &App, caller: &Caller, query: &ListQuery) -> Result<Table, LandError> {
    let zone = caller.zone_for(Operation::ViewParcels)?;
    let store_query = parcel_query(query);
    let mut parcels = Vec::new();
    let mut page = 1;
    loop {
        let req = PageRequest {
            page,
            per_page: PageRequest::MAX_PER_PAGE,
        };
        let batch = app.store.parcel_search(zone, &store_query, req).await?;
        let total = batch.total;
        parcels.extend(batch.items.into_iter().map(|l| l.parcel));
        if page * req.per_page >= total {
            break;
        }
        page += 1;
    }
    Ok(super::files::table_of(&parcels))
}
