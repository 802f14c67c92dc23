//! The lists' queries that filter in SQL, on SQLite and PostgreSQL alike: what each finds
//! is what the same filter finds over every row read back.

use luodi_domain::Scope;
use luodi_store::core::audit::{AuditEntry, AuditQuery};
use luodi_store::land::parcels::{ParcelLine, ParcelQuery, ParcelSort};
use luodi_store::testing::TestDb;
use luodi_store::{Backend, PageRequest, Store, demo};

macro_rules! on_both {
    ($($name:ident => $body:ident;)*) => {
        mod sqlite { $( #[tokio::test] async fn $name() { super::run(luodi_store::Backend::Sqlite, super::$body).await } )* }
        mod postgres { $( #[tokio::test] async fn $name() { super::run(luodi_store::Backend::Postgres, super::$body).await } )* }
    };
}

async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let store = Store::open(&db.url).await.expect("open and migrate");
    test(store.clone()).await;
    store.close().await;
    db.drop_db().await;
}

on_both! {
    audit_search_filters_counts_and_pages_in_sql => audit_search;
    parcel_search_filters_counts_and_pages_in_sql => parcel_search;
}

/// Every entry `query` finds, page by page.
async fn all(store: &Store, scope: &Scope, query: &AuditQuery) -> (Vec<AuditEntry>, i64) {
    let mut out = Vec::new();
    let mut page = 1;
    loop {
        let p = store
            .audit_search(
                scope,
                query,
                PageRequest {
                    page,
                    per_page: PageRequest::MAX_PER_PAGE,
                },
            )
            .await
            .unwrap();
        let total = p.total;
        let done = p.items.is_empty();
        out.extend(p.items);
        if done || out.len() as i64 >= total {
            return (out, total);
        }
        page += 1;
    }
}

fn ids(entries: &[AuditEntry]) -> Vec<i64> {
    entries.iter().map(|e| e.id).collect()
}

async fn audit_search(store: Store) {
    let zone = demo::load(&store).await.unwrap();
    let scope = Scope {
        zone: Some(zone.id),
        enterprise: None,
    };
    let (every, total) = all(&store, &scope, &AuditQuery::default()).await;
    assert_eq!(every.len() as i64, total);
    assert!(total > 20);
    assert!(
        every
            .windows(2)
            .all(|w| (&w[0].at, w[0].id) >= (&w[1].at, w[1].id)),
        "newest first"
    );
    let same = |q: AuditQuery, keep: &dyn Fn(&AuditEntry) -> bool| {
        let store = store.clone();
        let expected: Vec<i64> = every.iter().filter(|e| keep(e)).map(|e| e.id).collect();
        async move {
            let (found, total) = all(&store, &scope, &q).await;
            assert_eq!(ids(&found), expected, "{q:?}");
            assert_eq!(total, expected.len() as i64, "{q:?} counted");
        }
    };
    // By action, by record, by actor (part of it, any case, wildcards taken literally).
    same(
        AuditQuery {
            action: Some("create".into()),
            ..Default::default()
        },
        &|e| e.action == "create",
    )
    .await;
    let project = every.iter().find(|e| e.entity == "project").unwrap();
    same(
        AuditQuery {
            entity: Some("project".into()),
            entity_id: Some(project.entity_id.clone()),
            ..Default::default()
        },
        &|e| e.entity == "project" && e.entity_id == project.entity_id,
    )
    .await;
    let actor = every[0].actor.clone();
    let part: String = actor.chars().skip(1).take(3).collect();
    same(
        AuditQuery {
            actor: Some(part.to_uppercase()),
            ..Default::default()
        },
        &|e| e.actor.to_lowercase().contains(&part.to_lowercase()),
    )
    .await;
    same(
        AuditQuery {
            actor: Some("%".into()),
            ..Default::default()
        },
        &|e| e.actor.contains('%'),
    )
    .await;
    // Between two instants: from included, to not.
    let middle = &every[every.len() / 2];
    let at = luodi_domain::core::time::from_stored(&middle.at).unwrap();
    same(
        AuditQuery {
            from: Some(at),
            ..Default::default()
        },
        &|e| e.at >= middle.at,
    )
    .await;
    same(
        AuditQuery {
            to: Some(at),
            action: Some(middle.action.clone()),
            ..Default::default()
        },
        &|e| e.at < middle.at && e.action == middle.action,
    )
    .await;
    // Oldest first, and a page cut in SQL.
    let (oldest, _) = all(
        &store,
        &scope,
        &AuditQuery {
            oldest_first: true,
            ..Default::default()
        },
    )
    .await;
    let mut reversed = ids(&every);
    reversed.reverse();
    assert_eq!(ids(&oldest), reversed);
    let page = store
        .audit_search(
            &scope,
            &AuditQuery::default(),
            PageRequest {
                page: 2,
                per_page: 5,
            },
        )
        .await
        .unwrap();
    assert_eq!(ids(&page.items), ids(&every[5..10]));
    assert_eq!(page.total, total);
    // Another zone's scope finds none of it.
    let elsewhere = Scope {
        zone: Some(luodi_domain::ZoneId(zone.id.0 + 1000)),
        enterprise: None,
    };
    assert_eq!(all(&store, &elsewhere, &AuditQuery::default()).await.1, 0);
}

async fn parcels_found(
    store: &Store,
    zone: luodi_domain::ZoneId,
    q: &ParcelQuery,
) -> (Vec<ParcelLine>, i64) {
    let p = store
        .parcel_search(
            zone,
            q,
            PageRequest {
                page: 1,
                per_page: PageRequest::MAX_PER_PAGE,
            },
        )
        .await
        .unwrap();
    (p.items, p.total)
}

async fn parcel_search(store: Store) {
    use luodi_domain::land::parcel::ParcelStatus;
    let zone = demo::load(&store).await.unwrap().id;
    let every = store.all_parcels(zone).await.unwrap();
    let (all, total) = parcels_found(&store, zone, &ParcelQuery::default()).await;
    assert_eq!(total as usize, every.len());
    let codes = |lines: &[ParcelLine]| {
        lines
            .iter()
            .map(|l| l.parcel.code.clone())
            .collect::<Vec<_>>()
    };
    let mut by_code: Vec<String> = every.iter().map(|p| p.code.clone()).collect();
    by_code.sort();
    assert_eq!(codes(&all), by_code, "by code");
    // Each handed-over parcel names its enterprise; a search finds it by that name.
    let owned = all
        .iter()
        .find(|l| l.owner.is_some())
        .expect("the demo hands parcels over");
    let owner = owned.owner.clone().unwrap();
    let (found, _) = parcels_found(
        &store,
        zone,
        &ParcelQuery {
            search: Some(owner.chars().take(4).collect()),
            ..Default::default()
        },
    )
    .await;
    assert!(codes(&found).contains(&owned.parcel.code));
    assert!(found.iter().all(|l| {
        l.owner.as_deref() == Some(owner.as_str())
            || l.parcel
                .code
                .contains(&owner.chars().take(4).collect::<String>())
    }));
    // Status, land use, area bounds in mu (both ends included).
    for status in ParcelStatus::ALL {
        let (found, n) = parcels_found(
            &store,
            zone,
            &ParcelQuery {
                status: Some(status),
                ..Default::default()
            },
        )
        .await;
        let expected = every.iter().filter(|p| p.status == status).count();
        assert_eq!(
            (found.len(), n as usize),
            (expected, expected),
            "{status:?}"
        );
    }
    let land_use = every[0].attrs.land_use.clone();
    let (found, _) = parcels_found(
        &store,
        zone,
        &ParcelQuery {
            land_use: Some(land_use.clone()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        found.len(),
        every
            .iter()
            .filter(|p| p.attrs.land_use == land_use)
            .count()
    );
    assert!(
        store
            .parcel_land_uses(zone)
            .await
            .unwrap()
            .contains(&land_use)
    );
    let mut areas: Vec<f64> = every.iter().map(|p| p.area_mu).collect();
    areas.sort_by(f64::total_cmp);
    let (lo, hi) = (areas[2], areas[areas.len() - 3]);
    let (found, _) = parcels_found(
        &store,
        zone,
        &ParcelQuery {
            min_area_mu: Some(lo),
            max_area_mu: Some(hi),
            sort: ParcelSort::Area,
            descending: true,
            ..Default::default()
        },
    )
    .await;
    let expected = every
        .iter()
        .filter(|p| p.area_mu >= lo && p.area_mu <= hi)
        .count();
    assert_eq!(found.len(), expected, "{lo}..={hi} mu");
    assert!(
        found
            .windows(2)
            .all(|w| w[0].parcel.area_mu >= w[1].parcel.area_mu),
        "largest first"
    );
    // Pages are cut in SQL.
    let page = store
        .parcel_search(
            zone,
            &ParcelQuery::default(),
            PageRequest {
                page: 3,
                per_page: 4,
            },
        )
        .await
        .unwrap();
    assert_eq!(codes(&page.items), by_code[8..12].to_vec());
}
