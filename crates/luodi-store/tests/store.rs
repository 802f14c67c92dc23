//! Store behaviour, run on SQLite and on PostgreSQL alike.

use luodi_domain::enterprise::{EnterpriseDraft, EnterpriseInput};
use luodi_domain::uscc::Uscc;
use luodi_domain::{EnterpriseId, Role, Scope};
use luodi_store::enterprises::EnterpriseQuery;
use luodi_store::testing::TestDb;
use luodi_store::users::{LoginOutcome, NewUser};
use luodi_store::{Actor, Backend, PageRequest, Store, StoreError, demo};

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
    demo_loads_idempotently_and_audit_verifies => demo_idempotent;
    enterprise_scope_hides_other_enterprises => enterprise_scope;
    duplicate_uscc_conflicts => duplicate_uscc;
    search_sort_and_page => search_sort_page;
    login_is_throttled => throttling;
    audit_catches_a_hand_edit => audit_tamper;
    stale_update_is_refused => stale_update;
    migrations_are_idempotent => migrate_twice;
}

async fn count(store: &Store, table: &str) -> i64 {
    use sqlx::Row;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM {table}"
    )))
    .fetch_one(store.pool())
    .await
    .unwrap()
    .get("n")
}

async fn demo_idempotent(store: Store) {
    demo::load(&store).await.unwrap();
    let tables = [
        "zones",
        "parks",
        "departments",
        "enterprises",
        "users",
        "audit_log",
    ];
    let mut first = Vec::new();
    for t in tables {
        first.push(count(&store, t).await);
    }
    demo::load(&store).await.unwrap();
    for (t, n) in tables.iter().zip(first) {
        assert_eq!(count(&store, t).await, n, "{t} changed on the second load");
    }
    assert_eq!(count(&store, "users").await, 7);
    let reports = store.verify_audit(None).await.unwrap().unwrap();
    assert!(reports.iter().map(|r| r.entries).sum::<usize>() > 10);
}

fn draft(uscc: &Uscc, name: &str) -> EnterpriseDraft {
    EnterpriseDraft::parse(&EnterpriseInput {
        uscc: uscc.to_string(),
        name: name.into(),
        ..Default::default()
    })
    .unwrap()
}

async fn enterprise_scope(store: Store) {
    let zone = demo::load(&store).await.unwrap();
    let user = store
        .user_by_email("enterprise@luodi.demo")
        .await
        .unwrap()
        .unwrap();
    let scope = user.scope();
    let own = user.enterprise_id.unwrap();
    let page = store
        .enterprises(&scope, &EnterpriseQuery::default(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].id, own);
    let other = store
        .enterprise_by_uscc(zone.id, demo::demo_uscc(1).as_str())
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(
        store.enterprise(&scope, other.id).await,
        Err(StoreError::NotFound)
    ));
    let d = draft(&demo::demo_uscc(1), "hijack");
    assert!(matches!(
        store
            .update_enterprise(&user.actor(), &scope, other.id, &d, None)
            .await,
        Err(StoreError::NotFound)
    ));
    // A second zone's enterprises are invisible to the first zone's officers.
    let z2 = store
        .ensure_zone(&Actor::Cli, "other", "其他区", "Other Zone", "山东省")
        .await
        .unwrap();
    let e2 = store
        .create_enterprise(
            &Actor::Cli,
            z2.id,
            &draft(&Uscc::complete("91370100MA3D0001").unwrap(), "外区企业"),
        )
        .await
        .unwrap();
    let admin = store
        .user_by_email("admin@luodi.demo")
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(
        store.enterprise(&admin.scope(), e2.id).await,
        Err(StoreError::NotFound)
    ));
    let province = Scope::for_user(Role::Leader, None, None);
    assert!(store.enterprise(&province, e2.id).await.is_ok());
    assert!(matches!(
        store.enterprise(&scope, EnterpriseId(e2.id.0 + 1000)).await,
        Err(StoreError::NotFound)
    ));
}

async fn duplicate_uscc(store: Store) {
    let zone = demo::load(&store).await.unwrap();
    let before = count(&store, "audit_log").await;
    let err = store
        .create_enterprise(&Actor::Cli, zone.id, &draft(&demo::demo_uscc(0), "again"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { field: "uscc", .. }),
        "{err:?}"
    );
    assert_eq!(
        count(&store, "audit_log").await,
        before,
        "a refused write must leave no audit entry"
    );
}

async fn search_sort_page(store: Store) {
    demo::load(&store).await.unwrap();
    let admin = store
        .user_by_email("admin@luodi.demo")
        .await
        .unwrap()
        .unwrap();
    let q = EnterpriseQuery {
        search: Some("QINGDAO".into()),
        ..Default::default()
    };
    let page = store
        .enterprises(
            &admin.scope(),
            &q,
            PageRequest {
                page: 1,
                per_page: 2,
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total, 6);
    assert_eq!(page.items.len(), 2);
    let q = EnterpriseQuery {
        search: Some("体外诊断".into()),
        ..Default::default()
    };
    assert_eq!(
        store
            .enterprises(&admin.scope(), &q, PageRequest::default())
            .await
            .unwrap()
            .total,
        1
    );
    let q = EnterpriseQuery {
        search: Some("%".into()),
        ..Default::default()
    };
    assert_eq!(
        store
            .enterprises(&admin.scope(), &q, PageRequest::default())
            .await
            .unwrap()
            .total,
        0,
        "% is literal"
    );
    let all = store
        .enterprises(
            &admin.scope(),
            &EnterpriseQuery::default(),
            PageRequest {
                page: 1,
                per_page: 50,
            },
        )
        .await
        .unwrap();
    let names: Vec<&str> = all.items.iter().map(|e| e.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "names sort by code point on both databases");
    let q = EnterpriseQuery {
        industry_prefix: Some(luodi_domain::industry::IndustryCode::parse("35").unwrap()),
        ..Default::default()
    };
    assert_eq!(
        store
            .enterprises(&admin.scope(), &q, PageRequest::default())
            .await
            .unwrap()
            .total,
        3
    );
}

async fn throttling(store: Store) {
    demo::load(&store).await.unwrap();
    for _ in 0..4 {
        assert!(matches!(
            store
                .authenticate("steward@luodi.demo", "wrong-password")
                .await
                .unwrap(),
            LoginOutcome::BadCredentials
        ));
    }
    assert!(matches!(
        store
            .authenticate("steward@luodi.demo", "wrong-password")
            .await
            .unwrap(),
        LoginOutcome::Throttled { .. }
    ));
    // Locked: even the right password is refused for now.
    assert!(matches!(
        store
            .authenticate("steward@luodi.demo", demo::DEMO_PASSWORD)
            .await
            .unwrap(),
        LoginOutcome::Throttled { .. }
    ));
    assert!(matches!(
        store
            .authenticate("Admin@Luodi.demo ", demo::DEMO_PASSWORD)
            .await
            .unwrap(),
        LoginOutcome::Success(_)
    ));
    assert!(matches!(
        store
            .authenticate("nobody@luodi.demo", demo::DEMO_PASSWORD)
            .await
            .unwrap(),
        LoginOutcome::BadCredentials
    ));
}

async fn audit_tamper(store: Store) {
    let zone = demo::load(&store).await.unwrap();
    assert!(store.verify_audit(None).await.unwrap().is_ok());
    use sqlx::Row;
    let id: i64 = sqlx::query("SELECT id FROM audit_log WHERE zone_id = $1 AND entity = 'enterprise' ORDER BY seq LIMIT 1")
        .bind(zone.id.0)
        .fetch_one(store.pool())
        .await
        .unwrap()
        .get("id");
    sqlx::query(
        "UPDATE audit_log SET after_json = REPLACE(after_json, '青岛', '济南') WHERE id = $1",
    )
    .bind(id)
    .execute(store.pool())
    .await
    .unwrap();
    let err = store.verify_audit(None).await.unwrap().unwrap_err();
    assert!(err.to_string().contains(&format!("entry id {id}")), "{err}");
}

async fn stale_update(store: Store) {
    demo::load(&store).await.unwrap();
    let admin = store
        .user_by_email("admin@luodi.demo")
        .await
        .unwrap()
        .unwrap();
    let e = store
        .enterprises(
            &admin.scope(),
            &EnterpriseQuery::default(),
            PageRequest::default(),
        )
        .await
        .unwrap()
        .items[0]
        .clone();
    let d = draft(&Uscc::parse(&e.uscc).unwrap(), "改名后");
    let updated = store
        .update_enterprise(&admin.actor(), &admin.scope(), e.id, &d, Some(e.version))
        .await
        .unwrap();
    assert_eq!(updated.version, e.version + 1);
    assert!(matches!(
        store
            .update_enterprise(&admin.actor(), &admin.scope(), e.id, &d, Some(e.version))
            .await,
        Err(StoreError::Stale)
    ));
}

async fn migrate_twice(store: Store) {
    assert_eq!(store.migrate().await.unwrap(), 0);
    let user = NewUser {
        zone_id: None,
        email: "p@x.cn".into(),
        display_name: "省级".into(),
        role: Role::Admin,
        department_id: None,
        enterprise_id: None,
    };
    assert!(
        store
            .create_user(&Actor::Cli, user, "long-enough-pw")
            .await
            .is_err(),
        "only leaders are province-level"
    );
}

mod concurrency {
    //! Many writers at once: the audit chain stays one unbroken line per zone.
    use super::*;

    async fn concurrent_writes_keep_the_chain(store: Store) {
        let zone = demo::load(&store).await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..24u32 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let code = Uscc::complete(&format!("91370214MA3F{i:04}")).unwrap();
                store
                    .create_enterprise(
                        &Actor::Cli,
                        zone.id,
                        &draft(&code, &format!("并发企业 {i}")),
                    )
                    .await
                    .map(|_| ())
            }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let reports = store.verify_audit(Some(zone.id.0)).await.unwrap().unwrap();
        assert_eq!(reports.len(), 1);
        assert_eq!(count(&store, "enterprises").await, 6 + 24);
        use sqlx::Row;
        let distinct: i64 =
            sqlx::query("SELECT COUNT(DISTINCT seq) AS n FROM audit_log WHERE zone_id = $1")
                .bind(zone.id.0)
                .fetch_one(store.pool())
                .await
                .unwrap()
                .get("n");
        assert_eq!(distinct as usize, reports[0].entries);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite() {
        super::run(Backend::Sqlite, concurrent_writes_keep_the_chain).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres() {
        super::run(Backend::Postgres, concurrent_writes_keep_the_chain).await;
    }
}

mod calendar {
    //! Imported calendar years reach every reader and are all-or-nothing.
    use super::*;
    use chrono::NaiveDate;
    use luodi_domain::calendar::parse_years;

    async fn import_extends_and_corrects(store: Store) {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(
            !store
                .calendar()
                .await
                .unwrap()
                .day(d("2027-02-08"))
                .published
        );
        let years = parse_years(
            "[[year]]\nyear = 2027\nsource = \"测试通知\"\nholidays = [{ name_zh = \"春节\", name_en = \"Spring Festival\", from = \"2027-02-05\", to = \"2027-02-11\" }]\nworkdays = [\"2027-02-13\"]",
        )
        .unwrap();
        assert_eq!(store.import_calendar(&Actor::Cli, &years).await.unwrap(), 1);
        let cal = store.calendar().await.unwrap();
        assert!(cal.day(d("2027-02-08")).published);
        assert!(!cal.is_workday(d("2027-02-08")));
        assert!(cal.is_workday(d("2027-02-13")));
        assert!(!cal.is_workday(d("2026-10-01")), "built-in years stay");
        // Importing again replaces, and the audit keeps what was there.
        store.import_calendar(&Actor::Cli, &years).await.unwrap();
        assert!(store.verify_audit(None).await.unwrap().is_ok());
        assert_eq!(count(&store, "calendar_years").await, 1);
    }

    on_both! {
        import_extends_and_corrects => import_extends_and_corrects;
    }
}

mod catalogue {
    //! Catalogue versions: all-or-nothing imports that name what is wrong.
    use super::*;
    use luodi_domain::catalogue::{CatalogueError, DEFAULT};
    use luodi_store::catalogue::{ImportError, ImportOutcome};

    async fn import_versions_and_refusals(store: Store) {
        let zone = demo::load(&store).await.unwrap();
        let versions = store.catalogue_versions(zone.id).await.unwrap();
        assert_eq!(versions.len(), 1);
        assert_eq!(versions[0].item_count, 53);
        assert!(versions[0].current);
        assert!(
            count(&store, "departments").await >= 15,
            "the catalogue's departments exist in the zone"
        );
        assert!(matches!(
            store
                .import_catalogue(&Actor::Cli, zone.id, DEFAULT)
                .await
                .unwrap(),
            ImportOutcome::Unchanged(_)
        ));

        let before = (
            count(&store, "catalogue_versions").await,
            count(&store, "departments").await,
            count(&store, "audit_log").await,
        );
        // A cycle: KB01 (company registration) made to wait for the construction permit.
        let cyclic = DEFAULT.replace("version = \"2026.1\"", "version = \"2026.2\"").replacen(
            "materials = [\"id-and-authorisation\", \"articles\"]\nmodes",
            "materials = [\"id-and-authorisation\", \"articles\"]\nprerequisites = [\"SG06\"]\nmodes",
            1,
        );
        match store.import_catalogue(&Actor::Cli, zone.id, &cyclic).await {
            Err(ImportError::Invalid(errors)) => {
                let cycle = errors.iter().find_map(|e| match e {
                    CatalogueError::Cycle { items } => Some(items.clone()),
                    _ => None,
                });
                let cycle = cycle.unwrap_or_else(|| panic!("no cycle in {errors:?}"));
                assert_eq!(cycle.first(), Some(&"KB01".to_string()));
                assert_eq!(cycle.last(), Some(&"KB01".to_string()));
                assert!(cycle.contains(&"SG06".to_string()));
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        let same_version_other_text = DEFAULT.replace("青岛推行企业开办", "青岛推行企业开办（改）");
        assert!(matches!(
            store
                .import_catalogue(&Actor::Cli, zone.id, &same_version_other_text)
                .await,
            Err(ImportError::VersionTaken(_))
        ));
        let after = (
            count(&store, "catalogue_versions").await,
            count(&store, "departments").await,
            count(&store, "audit_log").await,
        );
        assert_eq!(before, after, "refused imports change nothing");

        let v2 = DEFAULT.replace("version = \"2026.1\"", "version = \"2026.2\"");
        assert!(matches!(
            store
                .import_catalogue(&Actor::Cli, zone.id, &v2)
                .await
                .unwrap(),
            ImportOutcome::Imported(_)
        ));
        let versions = store.catalogue_versions(zone.id).await.unwrap();
        assert_eq!(
            versions
                .iter()
                .map(|v| (v.version.as_str(), v.current))
                .collect::<Vec<_>>(),
            [("2026.2", true), ("2026.1", false)]
        );
        let (current, text, parsed) = store.catalogue(zone.id, None).await.unwrap();
        assert_eq!(current.version, "2026.2");
        assert_eq!(text, v2);
        assert_eq!(parsed.items().len(), 53);
        let (old, _, _) = store
            .catalogue(zone.id, Some(versions[1].id))
            .await
            .unwrap();
        assert_eq!(old.version, "2026.1");
        assert!(store.verify_audit(None).await.unwrap().is_ok());
    }

    on_both! {
        import_versions_and_refusals => import_versions_and_refusals;
    }
}
