//! The lists' queries that filter in SQL, on SQLite and PostgreSQL alike: what each finds
//! is what the same filter finds over every row read back.

use luodi_domain::Scope;
use luodi_store::core::audit::{AuditEntry, AuditQuery};
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
