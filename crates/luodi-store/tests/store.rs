//! Store behaviour, run on SQLite and on PostgreSQL alike.

use luodi_domain::core::enterprise::{EnterpriseDraft, EnterpriseInput};
use luodi_domain::core::uscc::Uscc;
use luodi_domain::{EnterpriseId, Role, Scope};
use luodi_store::core::enterprises::EnterpriseQuery;
use luodi_store::core::users::{LoginOutcome, NewUser};
use luodi_store::testing::TestDb;
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
    audit_anchors_catch_a_rehashed_chain => audit_anchored;
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

/// Imports a square parcel `code` of about 100 mu with no regional assessments and reserves
/// it for `phase_id`: land a test can hand over (every handover needs a reserved parcel).
async fn reserved_parcel(
    store: &Store,
    zone: luodi_domain::ZoneId,
    code: &str,
    lon: f64,
    phase_id: i64,
) {
    let text = serde_json::json!({"type": "FeatureCollection", "features": [{"type": "Feature",
        "properties": {"code": code},
        "geometry": {"type": "Polygon", "coordinates": [[[lon, 36.25], [lon + 0.003, 36.25], [lon + 0.003, 36.252], [lon, 36.252], [lon, 36.25]]]}}]})
    .to_string();
    let drafts = luodi_domain::land::readers::parcels_from_geojson(&text).unwrap();
    store
        .import_parcels(&Actor::Cli, zone, &drafts)
        .await
        .unwrap();
    let id = store.parcel_by_code(zone, code).await.unwrap().unwrap().id;
    store
        .reserve_parcel(&Actor::Cli, zone, id, phase_id, None)
        .await
        .unwrap();
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
        industry_prefix: Some(luodi_domain::core::industry::IndustryCode::parse("35").unwrap()),
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

/// Point 14: Someone with the database could edit an entry and hash the rest of the chain
/// again, or cut the end and rewind the head, and verify passed. With a key outside the
/// database, both are found.
async fn audit_anchored(store: Store) {
    use luodi_domain::core::audit::{AuditContent, entry_hash};
    use sqlx::Row;
    let key = b"a key of thirty-two bytes or more, kept in a file";
    // The demo is written before the key: its entries are chained but not anchored.
    let zone = demo::load(&store).await.unwrap();
    let keyed = store.clone().with_audit_key(key);
    // With a key every head must be anchored: until the operator anchors those written
    // before it, verify says so.
    let err = keyed
        .verify_audit(Some(zone.id.0))
        .await
        .unwrap()
        .unwrap_err();
    assert!(err.to_string().contains("luodi audit anchor"), "{err}");
    let anchored = keyed.anchor_heads().await.unwrap().unwrap();
    assert!(anchored.contains(&zone.id.0), "{anchored:?}");
    let reports = keyed.verify_audit(Some(zone.id.0)).await.unwrap().unwrap();
    let a = reports[0].anchors.unwrap();
    assert_eq!((a.anchored, a.head), (0, true));
    assert!(a.before_key > 10);
    // From now on a writer without the key is stopped, and writes nothing.
    let audit = count(&store, "audit_log").await;
    let err = store
        .create_enterprise(
            &Actor::Cli,
            zone.id,
            &draft(&Uscc::complete("91370214MA3K0099").unwrap(), "无钥匙"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::AuditKeyNeeded), "{err:?}");
    assert_eq!(count(&store, "audit_log").await, audit);
    // Stripping every anchor (the entries' and the head's) to pass as a chain from before
    // the key does not pass either.
    sqlx::query("UPDATE audit_heads SET mac = NULL WHERE zone_id = $1")
        .bind(zone.id.0)
        .execute(store.pool())
        .await
        .unwrap();
    assert!(keyed.verify_audit(Some(zone.id.0)).await.unwrap().is_err());
    keyed.anchor_heads().await.unwrap().unwrap();
    // Writes through the keyed store are anchored, and verify.
    for i in 0..3 {
        keyed
            .create_enterprise(
                &Actor::Cli,
                zone.id,
                &draft(
                    &Uscc::complete(&format!("91370214MA3K{i:04}")).unwrap(),
                    &format!("锚定测试{i}"),
                ),
            )
            .await
            .unwrap();
    }
    let reports = keyed.verify_audit(Some(zone.id.0)).await.unwrap().unwrap();
    let a = reports[0].anchors.unwrap();
    assert_eq!((a.anchored, a.head), (3, true));
    // Edit the middle one of them and hash it and the rest again, as someone with the
    // database but not the key would: the chain holds, the anchors do not.
    let rows = sqlx::query("SELECT id, seq, at, actor, action, entity, entity_id, before_json, after_json, prev_hash FROM audit_log WHERE zone_id = $1 ORDER BY seq DESC LIMIT 2")
        .bind(zone.id.0)
        .fetch_all(store.pool())
        .await
        .unwrap();
    let mut rows: Vec<_> = rows.into_iter().rev().collect();
    let mut prev: String = rows[0].get("prev_hash");
    let mut last = (0i64, String::new());
    for (n, r) in rows.iter_mut().enumerate() {
        let mut after: serde_json::Value =
            serde_json::from_str(&r.get::<String, _>("after_json")).unwrap();
        if n == 0 {
            after["name"] = "改过的名字".into();
        }
        let before: serde_json::Value =
            serde_json::from_str(&r.get::<String, _>("before_json")).unwrap();
        let (at, actor, action, entity, entity_id): (String, String, String, String, String) = (
            r.get("at"),
            r.get("actor"),
            r.get("action"),
            r.get("entity"),
            r.get("entity_id"),
        );
        let seq: i64 = r.get("seq");
        let hash = entry_hash(
            &prev,
            &AuditContent {
                zone_id: zone.id.0,
                seq,
                at: &at,
                actor: &actor,
                action: &action,
                entity: &entity,
                entity_id: &entity_id,
                before: &before,
                after: &after,
            },
        );
        sqlx::query(
            "UPDATE audit_log SET after_json = $1, prev_hash = $2, hash = $3 WHERE id = $4",
        )
        .bind(after.to_string())
        .bind(&prev)
        .bind(&hash)
        .bind(r.get::<i64, _>("id"))
        .execute(store.pool())
        .await
        .unwrap();
        prev = hash.clone();
        last = (seq, hash);
    }
    sqlx::query("UPDATE audit_heads SET hash = $1 WHERE zone_id = $2")
        .bind(&last.1)
        .bind(zone.id.0)
        .execute(store.pool())
        .await
        .unwrap();
    assert!(
        store.verify_audit(Some(zone.id.0)).await.unwrap().is_ok(),
        "the chain alone is fooled"
    );
    let err = keyed
        .verify_audit(Some(zone.id.0))
        .await
        .unwrap()
        .unwrap_err();
    assert!(err.to_string().contains("did not make"), "{err}");
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
    use luodi_domain::core::calendar::parse_years;

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
    use luodi_domain::approvals::catalogue::{CatalogueError, DEFAULT};
    use luodi_store::approvals::catalogue::{ImportError, ImportOutcome};

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

mod service_lists {
    //! The Sinopharm phase-1 list: made at handover, waived where assessed, on the clock.
    use super::*;
    use chrono::NaiveDate;
    use luodi_domain::approvals::catalogue::TimeLimit;
    use luodi_domain::approvals::service_item::{ClockStatus, ItemEvent, ItemState, clock};
    use luodi_domain::core::calendar::Calendar;
    use luodi_store::approvals::service_lists::{Handover, HandoverError, StepError};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    async fn sinopharm_list_and_clock(store: Store) {
        let zone = demo::load(&store).await.unwrap();
        let admin = store
            .user_by_email("admin@luodi.demo")
            .await
            .unwrap()
            .unwrap();
        let project_id = store
            .project_by_name(zone.id, demo::SINOPHARM_PROJECT)
            .await
            .unwrap()
            .unwrap();
        let project = store.project(&admin.scope(), project_id).await.unwrap();
        assert_eq!(project.phases.len(), 4);
        let phase1 = &project.phases[0];
        assert_eq!(phase1.parcel_code.as_deref(), Some(demo::SINOPHARM_PARCEL));
        let list = store.service_list(&admin.scope(), phase1.id).await.unwrap();
        let codes: Vec<&str> = list.items.iter().map(|i| i.code.as_str()).collect();
        assert!(
            codes.len() > 30 && codes.len() < 53,
            "{} of 53 apply",
            codes.len()
        );
        assert!(codes.contains(&"YS09") && !codes.contains(&"YS10") && !codes.contains(&"KB04"));
        let waived: Vec<&str> = list
            .items
            .iter()
            .filter(|i| i.state == ItemState::Waived)
            .map(|i| i.code.as_str())
            .collect();
        assert!(
            waived.contains(&"PG06") && waived.contains(&"PG11"),
            "{waived:?}"
        );
        let done: Vec<&str> = list
            .items
            .iter()
            .filter(|i| i.state == ItemState::Approved)
            .map(|i| i.code.as_str())
            .collect();
        assert!(
            done.contains(&"GH03"),
            "the land contract is done at handover: {done:?}"
        );
        // A second handover of the same phase is refused, and phase 2 without a catalogue problem works.
        let h = Handover {
            date: d("2026-11-02"),
            parcel_code: "GX-2025-08".into(),
            assessments: vec![],
        };
        // Land the zone does not hold is never handed over (regression: a made-up code
        // used to make a list), and nothing is written.
        let audit = count(&store, "audit_log").await;
        assert!(matches!(
            store
                .hand_over(&Actor::Cli, &admin.scope(), project.phases[1].id, &h)
                .await,
            Err(HandoverError::Parcel(
                luodi_store::land::parcels::AllocationError::UnknownParcel { .. }
            ))
        ));
        assert_eq!(count(&store, "audit_log").await, audit);
        reserved_parcel(&store, zone.id, "GX-2025-08", 120.25, project.phases[1].id).await;
        assert!(matches!(
            store
                .hand_over(&Actor::Cli, &admin.scope(), phase1.id, &h)
                .await,
            Err(HandoverError::AlreadyListed)
        ));
        let bad = Handover {
            assessments: vec!["moon".into()],
            ..h.clone()
        };
        assert!(matches!(
            store
                .hand_over(&Actor::Cli, &admin.scope(), project.phases[1].id, &bad)
                .await,
            Err(HandoverError::UnknownAssessment(_))
        ));
        let list2 = store
            .hand_over(&Actor::Cli, &admin.scope(), project.phases[1].id, &h)
            .await
            .unwrap();
        assert!(
            list2
                .items
                .iter()
                .any(|i| i.code == "PG06" && i.state == ItemState::NotStarted),
            "no assessments: nothing waived"
        );

        // The construction permit (SG06, approval bureau): submitted, accepted, returned, resubmitted.
        let item = list.items.iter().find(|i| i.code == "SG06").unwrap();
        let steward = store
            .user_by_email("steward@luodi.demo")
            .await
            .unwrap()
            .unwrap();
        let officer = store
            .user_by_email("approval@luodi.demo")
            .await
            .unwrap()
            .unwrap();
        let enterprise = store
            .user_by_email("enterprise@luodi.demo")
            .await
            .unwrap()
            .unwrap();
        let leader = store
            .user_by_email("leader@luodi.demo")
            .await
            .unwrap()
            .unwrap();
        let step = |u: luodi_store::core::users::User, e: ItemEvent| {
            let store = store.clone();
            let id = item.id;
            async move { store.item_step(&u, id, e, None).await.map(|(item, _)| item) }
        };
        assert!(
            matches!(
                step(
                    officer.clone(),
                    ItemEvent::Submit {
                        on: d("2026-11-02")
                    }
                )
                .await,
                Err(StepError::Transition(_))
            ),
            "the department does not submit"
        );
        assert!(matches!(
            step(
                leader.clone(),
                ItemEvent::Submit {
                    on: d("2026-11-02")
                }
            )
            .await,
            Err(StepError::Forbidden)
        ));
        step(
            enterprise.clone(),
            ItemEvent::Submit {
                on: d("2026-11-02"),
            },
        )
        .await
        .unwrap();
        step(
            officer.clone(),
            ItemEvent::Accept {
                on: d("2026-11-02"),
                missing: vec![],
                missing_due: None,
            },
        )
        .await
        .unwrap();
        step(
            officer.clone(),
            ItemEvent::Return {
                on: d("2026-11-04"),
                reason: "资金证明不全".into(),
            },
        )
        .await
        .unwrap();
        let cal = Calendar::builtin();
        let limit = TimeLimit {
            days: 3,
            unit: luodi_domain::approvals::catalogue::DayUnit::Working,
        };
        let now = store.service_list(&admin.scope(), phase1.id).await.unwrap();
        let returned = now.items.iter().find(|i| i.code == "SG06").unwrap();
        assert_eq!(returned.state, ItemState::Returned);
        let c = clock(&cal, limit, false, &returned.events(), d("2026-11-20"));
        assert_eq!(c.status, ClockStatus::Stopped);
        assert_eq!(c.used, 2);
        let resubmitted = step(
            steward.clone(),
            ItemEvent::Resubmit {
                on: d("2026-11-09"),
            },
        )
        .await
        .unwrap();
        let c = clock(&cal, limit, false, &resubmitted.events(), d("2026-11-09"));
        assert_eq!(c.due, Some(d("2026-11-10")), "one working day was left");
        // The department's queue has it; another enterprise's user cannot reach it.
        let queue = store
            .department_queue(zone.id, "approval-bureau")
            .await
            .unwrap();
        assert!(queue.iter().any(|(i, _, _)| i.code == "SG06"));
        let other = luodi_store::core::users::NewUser {
            zone_id: Some(zone.id),
            email: "haier.user@luodi.demo".into(),
            display_name: "海尔".into(),
            role: Role::Enterprise,
            department_id: None,
            enterprise_id: Some(
                store
                    .enterprise_by_uscc(zone.id, demo::demo_uscc(2).as_str())
                    .await
                    .unwrap()
                    .unwrap()
                    .id,
            ),
        };
        let other = store
            .create_user(&Actor::Cli, other, "a-long-password")
            .await
            .unwrap();
        assert!(matches!(
            store.service_list(&other.scope(), phase1.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            step(
                other,
                ItemEvent::Submit {
                    on: d("2026-11-10")
                }
            )
            .await,
            Err(StepError::Store(StoreError::NotFound))
        ));
        assert!(store.verify_audit(None).await.unwrap().is_ok());
    }

    /// Regression: a return before acceptance left a resubmitted item "accepted" with no
    /// clock, and a later accept was refused. Now the item waits for acceptance again, and
    /// its clock starts then; the repair migration (0014) finds nothing to repair.
    async fn return_before_acceptance(store: Store) {
        let zone = demo::load(&store).await.unwrap();
        let admin = store
            .user_by_email("admin@luodi.demo")
            .await
            .unwrap()
            .unwrap();
        let project_id = store
            .project_by_name(zone.id, demo::SINOPHARM_PROJECT)
            .await
            .unwrap()
            .unwrap();
        let phase1 = store
            .project(&admin.scope(), project_id)
            .await
            .unwrap()
            .phases[0]
            .id;
        let list = store.service_list(&admin.scope(), phase1).await.unwrap();
        let item = list
            .items
            .iter()
            .find(|i| i.state == ItemState::NotStarted && i.department_code == "approval-bureau")
            .expect("an item of the bureau not started");
        let officer = store
            .user_by_email("approval@luodi.demo")
            .await
            .unwrap()
            .unwrap();
        let enterprise = store
            .user_by_email("enterprise@luodi.demo")
            .await
            .unwrap()
            .unwrap();
        let mut state = ItemState::NotStarted;
        for (user, event, expected) in [
            (
                &enterprise,
                ItemEvent::Submit {
                    on: d("2026-11-02"),
                },
                ItemState::Submitted,
            ),
            (
                &officer,
                ItemEvent::Return {
                    on: d("2026-11-03"),
                    reason: "材料不齐全".into(),
                },
                ItemState::Incomplete,
            ),
            (
                &enterprise,
                ItemEvent::Resubmit {
                    on: d("2026-11-05"),
                },
                ItemState::Submitted,
            ),
            (
                &officer,
                ItemEvent::Accept {
                    on: d("2026-11-06"),
                    missing: vec![],
                    missing_due: None,
                },
                ItemState::Accepted,
            ),
        ] {
            let (stepped, _) = store.item_step(user, item.id, event, None).await.unwrap();
            state = stepped.state;
            assert_eq!(state, expected);
            let stored = store.service_list(&admin.scope(), phase1).await.unwrap();
            let stored = stored.items.iter().find(|i| i.id == item.id).unwrap();
            assert_eq!(stored.state, expected, "stored as stepped");
        }
        assert_eq!(state, ItemState::Accepted);
        let stored = store.service_list(&admin.scope(), phase1).await.unwrap();
        let stored = stored.items.iter().find(|i| i.id == item.id).unwrap();
        let limit = TimeLimit {
            days: 5,
            unit: luodi_domain::approvals::catalogue::DayUnit::Working,
        };
        let c = clock(
            &Calendar::builtin(),
            limit,
            false,
            &stored.events(),
            d("2026-11-16"),
        );
        assert!(c.running, "{c:?}");
        assert_eq!(c.due, Some(d("2026-11-13")));
        assert_eq!(c.status, ClockStatus::Overdue);
        assert!(store.verify_audit(None).await.unwrap().is_ok());
    }

    /// The repair of migration 0014 on rows the old rule wrote: returned, accepted or in a
    /// special procedure with no acceptance on record.
    async fn repair_of_old_rows(store: Store) {
        use sqlx::Row;
        let zone = demo::load(&store).await.unwrap();
        let admin = store
            .user_by_email("admin@luodi.demo")
            .await
            .unwrap()
            .unwrap();
        let project_id = store
            .project_by_name(zone.id, demo::SINOPHARM_PROJECT)
            .await
            .unwrap()
            .unwrap();
        let phase1 = store
            .project(&admin.scope(), project_id)
            .await
            .unwrap()
            .phases[0]
            .id;
        let list = store.service_list(&admin.scope(), phase1).await.unwrap();
        let open: Vec<i64> = list
            .items
            .iter()
            .filter(|i| i.state == ItemState::NotStarted)
            .map(|i| i.id)
            .take(3)
            .collect();
        let submitted_then_returned = r#"[{"event":{"kind":"submit","on":"2026-11-02"},"actor":"x","at":"t"},{"event":{"kind":"return","on":"2026-11-03","reason":"r"},"actor":"x","at":"t"}]"#;
        for (id, state) in open.iter().zip(["returned", "accepted", "special"]) {
            sqlx::query(
                "UPDATE service_list_items SET state = $1, timeline_json = $2 WHERE id = $3",
            )
            .bind(state)
            .bind(submitted_then_returned)
            .bind(id)
            .execute(store.pool())
            .await
            .unwrap();
        }
        let repair = luodi_store::MIGRATIONS
            .iter()
            .find(|m| m.version == 14)
            .unwrap();
        let sql = match store.backend() {
            Backend::Sqlite => repair.sqlite,
            Backend::Postgres => repair.postgres,
        };
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(store.pool())
            .await
            .unwrap();
        let state = |id: i64| {
            let store = store.clone();
            async move {
                sqlx::query("SELECT state FROM service_list_items WHERE id = $1")
                    .bind(id)
                    .fetch_one(store.pool())
                    .await
                    .unwrap()
                    .get::<String, _>("state")
            }
        };
        assert_eq!(state(open[0]).await, "incomplete");
        assert_eq!(state(open[1]).await, "submitted");
        assert_eq!(state(open[2]).await, "submitted");
    }

    on_both! {
        sinopharm_list_and_clock => sinopharm_list_and_clock;
        a_return_before_acceptance_waits_for_acceptance => return_before_acceptance;
        migration_14_repairs_items_the_old_rule_left_without_a_clock => repair_of_old_rows;
    }
}

mod portfolio {
    //! The demo's history, importing a course all-or-nothing, and the portfolio sweep.
    use super::*;
    use chrono::NaiveDate;
    use luodi_domain::approvals::service_item::{ItemEvent, ItemState, Party};
    use luodi_store::approvals::service_lists::CourseError;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    async fn course_import_is_all_or_nothing(store: Store) {
        let zone = demo::load(&store).await.unwrap();
        let scope = Scope {
            zone: Some(zone.id),
            enterprise: None,
        };
        // The history gives the zone decided items to learn from: most codes seen 5+ times.
        let finished = store.finished_items(zone.id).await.unwrap();
        assert!(finished.len() > 400, "{}", finished.len());
        let id = store
            .project_by_name(zone.id, demo::SINOPHARM_PROJECT)
            .await
            .unwrap()
            .unwrap();
        let phase = store.project(&scope, id).await.unwrap().phases[0].id;
        let audit = count(&store, "audit_log").await;
        let good = (
            "KB01".to_string(),
            vec![(
                ItemEvent::Submit {
                    on: d("2026-10-16"),
                },
                Party::Applicant,
            )],
        );
        // An approval before acceptance is not possible: the whole course is refused,
        // naming the item and the step, and nothing is written.
        let bad = (
            "KB02".to_string(),
            vec![
                (
                    ItemEvent::Submit {
                        on: d("2026-10-16"),
                    },
                    Party::Applicant,
                ),
                (
                    ItemEvent::Approve {
                        on: d("2026-10-20"),
                        verify_by: None,
                    },
                    Party::Department,
                ),
            ],
        );
        let e = store
            .import_course(&Actor::Cli, &scope, phase, &vec![good.clone(), bad])
            .await
            .unwrap_err();
        assert!(
            matches!(&e, CourseError::Item(code, why) if code == "KB02" && why.contains("step 1")),
            "{e}"
        );
        let unknown = ("ZZ99".to_string(), good.1.clone());
        let e = store
            .import_course(&Actor::Cli, &scope, phase, &vec![good.clone(), unknown])
            .await
            .unwrap_err();
        assert!(e.to_string().contains("ZZ99"), "{e}");
        let twice = vec![good.clone(), good.clone()];
        let e = store
            .import_course(&Actor::Cli, &scope, phase, &twice)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("appears twice"), "{e}");
        let list = store.service_list(&scope, phase).await.unwrap();
        let kb01 = list.items.iter().find(|i| i.code == "KB01").unwrap();
        assert_eq!(kb01.state, ItemState::NotStarted, "nothing written");
        assert_eq!(count(&store, "audit_log").await, audit);

        assert_eq!(
            store
                .import_course(&Actor::Cli, &scope, phase, &vec![good.clone()])
                .await
                .unwrap(),
            1
        );
        assert_eq!(count(&store, "audit_log").await, audit + 1);
        let e = store
            .import_course(&Actor::Cli, &scope, phase, &vec![good])
            .await
            .unwrap_err();
        assert!(e.to_string().contains("already submitted"), "{e}");
        // An enterprise cannot reach another enterprise's phase.
        let other = Scope {
            zone: Some(zone.id),
            enterprise: Some(EnterpriseId(i64::MAX)),
        };
        assert!(matches!(
            store
                .import_course(&Actor::Cli, &other, phase, &vec![])
                .await,
            Err(CourseError::Store(StoreError::NotFound))
        ));
        assert!(store.verify_audit(None).await.unwrap().is_ok());
    }

    async fn sweep_recomputes_what_changed(store: Store) {
        let zone = demo::load(&store).await.unwrap();
        let today = d("2026-11-27");
        let first = store.forecast_sweep(zone.id, today, 300, 1).await.unwrap();
        assert!(first.phases >= 4, "{first:?}");
        assert_eq!(first.recomputed, first.phases, "everything is new");
        let again = store.forecast_sweep(zone.id, today, 300, 1).await.unwrap();
        assert_eq!(again.recomputed, 0, "nothing changed, nothing recomputed");

        let all = Scope {
            zone: Some(zone.id),
            enterprise: None,
        };
        let rows = store.portfolio(&all).await.unwrap();
        assert_eq!(rows.len(), first.phases);
        assert!(
            rows.windows(2)
                .all(|w| match (w[0].started_on, w[1].started_on) {
                    (None, Some(_)) => true,
                    (Some(_), None) => false,
                    _ => w[0].late_working_days >= w[1].late_working_days,
                }),
            "to start first, then latest first"
        );
        let sinopharm = rows
            .iter()
            .find(|r| r.project_name == demo::SINOPHARM_PROJECT)
            .expect("the Sinopharm phase is in the portfolio");
        assert_eq!(sinopharm.handover_date, d("2026-10-15"));
        assert_eq!(sinopharm.start_item.as_deref(), Some("SG07"));
        assert!(sinopharm.started_on.is_none());
        let p50 = sinopharm.start_p50_date.unwrap();
        assert!(p50 > today && p50 <= sinopharm.start_p90_date.unwrap());
        assert!(
            sinopharm.late_working_days > 0,
            "a start in 30 working days is gone"
        );
        assert_eq!(sinopharm.on_target_permille, Some(0));
        assert!(sinopharm.next_critical_item.is_some());
        // A phase under construction shows its actual start.
        assert!(rows.iter().any(|r| r.started_on.is_some()));

        // A step on one list recomputes that phase only.
        let steward = store
            .user_by_email("steward@luodi.demo")
            .await
            .unwrap()
            .unwrap();
        let list = store.service_list(&all, sinopharm.phase_id).await.unwrap();
        let kb01 = list.items.iter().find(|i| i.code == "KB01").unwrap();
        store
            .item_step(
                &steward,
                kb01.id,
                ItemEvent::Submit {
                    on: d("2026-11-02"),
                },
                None,
            )
            .await
            .unwrap();
        let after = store.forecast_sweep(zone.id, today, 300, 1).await.unwrap();
        assert_eq!(after.recomputed, 1, "{after:?}");
        // A new day recomputes everything.
        let tomorrow = store
            .forecast_sweep(zone.id, d("2026-11-30"), 300, 1)
            .await
            .unwrap();
        assert_eq!(tomorrow.recomputed, tomorrow.phases);

        // The permit's approval moves the phase on, audited.
        let officer = store
            .user_by_email("approval@luodi.demo")
            .await
            .unwrap()
            .unwrap();
        let sg06 = list.items.iter().find(|i| i.code == "SG06").unwrap().id;
        store
            .item_step(
                &steward,
                sg06,
                ItemEvent::Submit {
                    on: d("2026-11-03"),
                },
                None,
            )
            .await
            .unwrap();
        store
            .item_step(
                &officer,
                sg06,
                ItemEvent::Accept {
                    on: d("2026-11-04"),
                    missing: Vec::new(),
                    missing_due: None,
                },
                None,
            )
            .await
            .unwrap();
        let audit = count(&store, "audit_log").await;
        store
            .item_step(
                &officer,
                sg06,
                ItemEvent::Approve {
                    on: d("2026-11-05"),
                    verify_by: None,
                },
                None,
            )
            .await
            .unwrap();
        assert_eq!(
            count(&store, "audit_log").await,
            audit + 2,
            "the step and the advance"
        );
        let phase = &store.project(&all, list.project_id).await.unwrap().phases[0];
        assert_eq!(
            phase.status,
            luodi_domain::stewardship::project::PhaseStatus::ConstructionPermit
        );

        // The enterprise sees its own phase only.
        let own = store
            .enterprise_by_uscc(zone.id, demo::demo_uscc(0).as_str())
            .await
            .unwrap()
            .unwrap();
        let mine = store
            .portfolio(&Scope {
                zone: Some(zone.id),
                enterprise: Some(own.id),
            })
            .await
            .unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].project_name, demo::SINOPHARM_PROJECT);
    }

    /// A phase that did not move on for a week is forecast to start later: the slip is the
    /// change of its lateness since the last forecast a week or more before.
    async fn forecasts_keep_a_history_of_slips(store: Store) {
        let zone = demo::load(&store).await.unwrap();
        let all = Scope {
            zone: Some(zone.id),
            enterprise: None,
        };
        store
            .forecast_sweep(zone.id, d("2026-11-20"), 300, 1)
            .await
            .unwrap();
        let week_ago = store.portfolio(&all).await.unwrap();
        assert!(
            week_ago.iter().all(|r| r.slip.is_none()),
            "one day of forecasts"
        );
        let then = week_ago
            .iter()
            .find(|r| r.project_name == demo::SINOPHARM_PROJECT)
            .unwrap()
            .late_working_days;
        store
            .forecast_sweep(zone.id, d("2026-11-27"), 300, 1)
            .await
            .unwrap();
        let rows = store.portfolio(&all).await.unwrap();
        let sinopharm = rows
            .iter()
            .find(|r| r.project_name == demo::SINOPHARM_PROJECT)
            .unwrap();
        let slip = sinopharm.slip.expect("a second forecast day");
        assert_eq!(slip.since, d("2026-11-20"));
        assert_eq!(slip.working_days, sinopharm.late_working_days - then);
        assert!(
            slip.working_days > 0,
            "nothing moved on in a week, so the start moved later: {slip:?}"
        );
        assert!(
            rows.iter()
                .filter(|r| r.started_on.is_some())
                .all(|r| r.slip.is_none()),
            "a phase under construction has no forecast to slip"
        );
        // Two days on, the base is still the last forecast a week or more before.
        store
            .forecast_sweep(zone.id, d("2026-11-30"), 300, 1)
            .await
            .unwrap();
        let rows = store.portfolio(&all).await.unwrap();
        let s = rows
            .iter()
            .find(|r| r.project_name == demo::SINOPHARM_PROJECT)
            .unwrap()
            .slip
            .unwrap();
        assert_eq!(s.since, d("2026-11-20"));
        assert_eq!(
            count(&store, "phase_forecast_history").await as usize,
            rows.len() * 3
        );
    }

    on_both! {
        course_import_is_all_or_nothing => course_import_is_all_or_nothing;
        sweep_recomputes_what_changed => sweep_recomputes_what_changed;
        forecasts_keep_a_history_of_slips => forecasts_keep_a_history_of_slips;
    }
}

mod parcels {
    //! Parcels: import all or nothing, and never two phases on one parcel.
    use super::*;
    use luodi_domain::land::parcel::ParcelStatus;
    use luodi_domain::land::readers::parcels_from_geojson;
    use luodi_store::approvals::service_lists::{Handover, HandoverError};
    use luodi_store::land::parcels::AllocationError;
    use serde_json::json;

    fn square(lon: f64, lat: f64, side: f64) -> serde_json::Value {
        json!([[
            [lon, lat],
            [lon + side, lat],
            [lon + side, lat + side],
            [lon, lat + side],
            [lon, lat]
        ]])
    }

    fn file(features: &[(&str, f64, serde_json::Value)]) -> String {
        json!({"type": "FeatureCollection", "features": features.iter().map(|(code, lon, props)| {
            let mut p = props.clone();
            p["code"] = json!(code);
            json!({"type": "Feature", "properties": p, "geometry": {"type": "Polygon", "coordinates": square(*lon, 36.30, 0.005)}})
        }).collect::<Vec<_>>()})
        .to_string()
    }

    async fn phases(store: &Store, zone: luodi_domain::ZoneId, n: usize) -> Vec<i64> {
        use luodi_store::stewardship::projects::{NewPhase, NewProject};
        let e = store
            .enterprise_by_uscc(zone, demo::demo_uscc(3).as_str())
            .await
            .unwrap()
            .unwrap();
        let p = store
            .create_project(
                &Actor::Cli,
                zone,
                &NewProject {
                    enterprise_id: e.id,
                    name: "并发测试项目".into(),
                    name_en: None,
                    total_investment: luodi_domain::core::money::Fen::from_yuan(100_000_000)
                        .unwrap(),
                    industry_code: Some("C2761".into()),
                    chain_position: None,
                    expected_output: None,
                    expected_tax: None,
                    jobs: None,
                    steward_id: None,
                    phases: (0..n)
                        .map(|i| NewPhase {
                            name: format!("{}期", i + 1),
                            status: luodi_domain::stewardship::project::PhaseStatus::Signed,
                            facts: Default::default(),
                        })
                        .collect(),
                },
            )
            .await
            .unwrap();
        p.phases.iter().map(|ph| ph.id).collect()
    }

    async fn import_reserve_hand_over(store: Store) {
        let zone = demo::load(&store).await.unwrap().id;
        let text = file(&[
            (
                "GX-T-01",
                120.30,
                json!({"assessments": ["flood", "energy", "geological_hazard"], "investment_intensity_min_wan_per_mu": 250}),
            ),
            ("GX-T-02", 120.31, json!({"status": "withdrawn"})),
            (
                "GX-T-03",
                120.32,
                json!({"land_use": "research", "owner": "高新区土地储备中心"}),
            ),
        ]);
        let drafts = parcels_from_geojson(&text).unwrap();
        let audit = count(&store, "audit_log").await;
        let before = store.parcels(zone, None, 0, 1).await.unwrap().1;
        let done = store
            .import_parcels(&Actor::Cli, zone, &drafts)
            .await
            .unwrap();
        assert_eq!((done.created, done.updated), (3, 0));
        assert_eq!(count(&store, "audit_log").await, audit + 1);
        let (_, total) = store.parcels(zone, None, 0, 10).await.unwrap();
        assert_eq!(total, before + 3);
        let mut page = Vec::new();
        for code in ["GX-T-01", "GX-T-02", "GX-T-03"] {
            page.push(store.parcel_by_code(zone, code).await.unwrap().unwrap());
        }
        assert!((page[0].area_m2 - drafts[0].shape.area_m2()).abs() < 0.01);
        assert!(
            (page[0].area_mu - page[0].area_m2 / luodi_domain::land::geometry::M2_PER_MU).abs()
                < 1e-9
        );
        assert_eq!(page[1].status, ParcelStatus::Withdrawn);
        assert_eq!(page[2].attrs.extra["owner"], "高新区土地储备中心");
        // Pages come in code order; a status filter counts only its own.
        let (first, _) = store.parcels(zone, None, 0, 100).await.unwrap();
        assert!(first.windows(2).all(|w| w[0].code < w[1].code));
        let (withdrawn, n) = store
            .parcels(zone, Some(ParcelStatus::Withdrawn), 0, 100)
            .await
            .unwrap();
        assert_eq!(n as usize, withdrawn.len());
        assert!(
            withdrawn
                .iter()
                .all(|p| p.status == ParcelStatus::Withdrawn)
        );
        assert!(withdrawn.iter().any(|p| p.code == "GX-T-02"));

        // Reserve for Sinopharm phase 2, then hand it over: the list uses the parcel's assessments.
        let scope = Scope {
            zone: Some(zone),
            enterprise: None,
        };
        let sinopharm = store
            .project_by_name(zone, demo::SINOPHARM_PROJECT)
            .await
            .unwrap()
            .unwrap();
        let project = store.project(&scope, sinopharm).await.unwrap();
        let (p2, p3) = (project.phases[1].id, project.phases[2].id);
        let id = page[0].id;
        let handover = |phase_code: &str| Handover {
            date: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            parcel_code: phase_code.into(),
            assessments: vec![],
        };
        // Not reserved yet: the handover is refused and changes nothing.
        assert!(matches!(
            store
                .hand_over(&Actor::Cli, &scope, p2, &handover("GX-T-01"))
                .await,
            Err(HandoverError::Parcel(
                AllocationError::NotReservedForPhase { .. }
            ))
        ));
        let reserved = store
            .reserve_parcel(&Actor::Cli, zone, id, p2, None)
            .await
            .unwrap();
        assert_eq!(
            (reserved.status, reserved.reserved_phase_id),
            (ParcelStatus::Reserved, Some(p2))
        );
        assert!(matches!(
            store.reserve_parcel(&Actor::Cli, zone, id, p3, None).await,
            Err(AllocationError::NotAvailable {
                status: "reserved",
                ..
            })
        ));
        assert!(matches!(
            store.reserve_parcel(&Actor::Cli, zone, page[2].id, p2, None).await,
            Err(AllocationError::PhaseHasParcel(code)) if code == "GX-T-01"
        ));
        assert!(matches!(
            store
                .reserve_parcel(&Actor::Cli, zone, page[1].id, p3, None)
                .await,
            Err(AllocationError::NotAvailable {
                status: "withdrawn",
                ..
            })
        ));
        assert!(matches!(
            store
                .hand_over(&Actor::Cli, &scope, p3, &handover("GX-T-01"))
                .await,
            Err(HandoverError::Parcel(
                AllocationError::NotReservedForPhase { .. }
            ))
        ));
        let list = store
            .hand_over(&Actor::Cli, &scope, p2, &handover("GX-T-01"))
            .await
            .unwrap();
        let waived: Vec<&str> = list
            .items
            .iter()
            .filter_map(|i| i.waived_by.as_deref())
            .collect();
        assert!(
            waived.contains(&"flood") && waived.contains(&"energy"),
            "{waived:?}"
        );
        let p = store.parcel(zone, id).await.unwrap();
        assert_eq!(
            (p.status, p.handed_phase_id),
            (ParcelStatus::HandedOver, Some(p2))
        );

        // Importing again updates by code; a handed-over parcel's status cannot be changed by file.
        let again = file(&[("GX-T-01", 120.30, json!({"status": "available"}))]);
        let e = store
            .import_parcels(&Actor::Cli, zone, &parcels_from_geojson(&again).unwrap())
            .await
            .unwrap_err();
        assert!(e.to_string().contains("1 problem"), "{e}");
        assert_eq!(
            store.parcel(zone, id).await.unwrap().status,
            ParcelStatus::HandedOver
        );
        let renamed = file(&[("GX-T-03", 120.32, json!({"name": "研发地块"}))]);
        let done = store
            .import_parcels(&Actor::Cli, zone, &parcels_from_geojson(&renamed).unwrap())
            .await
            .unwrap();
        assert_eq!((done.created, done.updated), (0, 1));
        let p3_parcel = store
            .parcel_by_code(zone, "GX-T-03")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(p3_parcel.attrs.name.as_deref(), Some("研发地块"));
        assert_eq!(p3_parcel.version, 2);
        assert!(store.verify_audit(None).await.unwrap().is_ok());
    }

    async fn one_parcel_one_phase_under_concurrency(store: Store) {
        let zone = demo::load(&store).await.unwrap().id;
        let drafts = parcels_from_geojson(&file(&[("GX-C-01", 120.40, json!({}))])).unwrap();
        store
            .import_parcels(&Actor::Cli, zone, &drafts)
            .await
            .unwrap();
        let id = store
            .parcel_by_code(zone, "GX-C-01")
            .await
            .unwrap()
            .unwrap()
            .id;
        let phases = phases(&store, zone, 16).await;
        let tasks: Vec<_> = phases
            .iter()
            .map(|&ph| {
                let store = store.clone();
                tokio::spawn(
                    async move { store.reserve_parcel(&Actor::Cli, zone, id, ph, None).await },
                )
            })
            .collect();
        let mut won = Vec::new();
        for (t, ph) in tasks.into_iter().zip(&phases) {
            match t.await.unwrap() {
                Ok(_) => won.push(*ph),
                Err(AllocationError::NotAvailable { status, .. }) => assert_eq!(status, "reserved"),
                Err(other) => panic!("{other}"),
            }
        }
        assert_eq!(won.len(), 1, "exactly one reservation wins");
        let p = store.parcel(zone, id).await.unwrap();
        assert_eq!(p.reserved_phase_id, Some(won[0]));
        assert!(store.verify_audit(None).await.unwrap().is_ok());
    }

    /// Every parcel write takes the zone's next revision; reading the changes since a
    /// revision gives exactly the parcels written after it.
    async fn revisions_track_every_write(store: Store) {
        let zone = demo::load(&store).await.unwrap().id;
        let revision = |store: Store| async move {
            store
                .parcel_revisions()
                .await
                .unwrap()
                .into_iter()
                .find(|z| z.0 == zone)
                .unwrap()
                .1
        };
        let all = store.parcel_changes(zone, None).await.unwrap();
        // The park's 16 and the 19 handed to the zone's past projects.
        assert_eq!(all.rows.len(), 35);
        assert_eq!(all.revision, revision(store.clone()).await);
        assert!(
            store
                .parcel_changes(zone, Some(all.revision))
                .await
                .unwrap()
                .rows
                .is_empty()
        );
        // Page by page, by id: the same parcels.
        let mut paged = Vec::new();
        loop {
            let after = paged
                .last()
                .map_or(0, |r: &luodi_store::land::parcels::MatchRow| r.id);
            let page = store
                .parcel_changes_page(zone, None, after, 5)
                .await
                .unwrap();
            assert!(page.len() <= 5 && page.windows(2).all(|w| w[0].id < w[1].id));
            if page.is_empty() {
                break;
            }
            paged.extend(page);
        }
        let mut ids: Vec<i64> = all.rows.iter().map(|r| r.id).collect();
        ids.sort();
        assert_eq!(paged.iter().map(|r| r.id).collect::<Vec<_>>(), ids);

        let text = file(&[
            ("GX-R-01", 120.30, json!({})),
            ("GX-R-02", 120.31, json!({})),
        ]);
        let drafts = parcels_from_geojson(&text).unwrap();
        store
            .import_parcels(&Actor::Cli, zone, &drafts)
            .await
            .unwrap();
        let after_import = revision(store.clone()).await;
        assert_eq!(after_import, all.revision + 1, "one revision per import");
        let changed = store
            .parcel_changes(zone, Some(all.revision))
            .await
            .unwrap();
        let mut codes: Vec<&str> = changed.rows.iter().map(|r| r.attrs.code.as_str()).collect();
        codes.sort();
        assert_eq!(codes, ["GX-R-01", "GX-R-02"]);
        assert!(
            changed
                .rows
                .iter()
                .all(|r| r.area_mu > 0.0 && r.attrs.extra.is_empty())
        );

        let phase = phases(&store, zone, 1).await[0];
        let id = store
            .parcel_by_code(zone, "GX-R-01")
            .await
            .unwrap()
            .unwrap()
            .id;
        store
            .reserve_parcel(&Actor::Cli, zone, id, phase, None)
            .await
            .unwrap();
        let changed = store
            .parcel_changes(zone, Some(after_import))
            .await
            .unwrap();
        assert_eq!(changed.revision, after_import + 1);
        assert_eq!(changed.rows.len(), 1);
        assert_eq!(changed.rows[0].attrs.status, ParcelStatus::Reserved);
        // A refused reservation takes no revision.
        assert!(
            store
                .reserve_parcel(&Actor::Cli, zone, id, phase, None)
                .await
                .is_err()
        );
        assert_eq!(revision(store.clone()).await, after_import + 1);
        store
            .release_parcel(&Actor::Cli, zone, id, "改选")
            .await
            .unwrap();
        assert_eq!(revision(store.clone()).await, after_import + 2);
    }

    on_both! {
        import_reserve_hand_over => import_reserve_hand_over;
        one_parcel_one_phase_under_concurrency => one_parcel_one_phase_under_concurrency;
        revisions_track_every_write => revisions_track_every_write;
        a_reservation_matches_the_phases_land_and_a_release_unmatches_it => reservation_moves_the_phase;
        a_comparison_tells_what_an_import_would_do_and_writes_nothing => comparison_writes_nothing;
    }

    /// `compare_parcels` says, parcel by parcel, what the import then does, refuses what
    /// it refuses, and writes nothing: no parcel, no audit entry, no revision.
    async fn comparison_writes_nothing(store: Store) {
        use luodi_store::land::parcels::{ParcelChange, ParcelImportError};
        let zone = demo::load(&store).await.unwrap().id;
        let first = file(&[
            ("GX-K-01", 120.30, json!({})),
            ("GX-K-02", 120.31, json!({})),
        ]);
        store
            .import_parcels(&Actor::Cli, zone, &parcels_from_geojson(&first).unwrap())
            .await
            .unwrap();
        let second = parcels_from_geojson(&file(&[
            ("GX-K-01", 120.30, json!({})),
            ("GX-K-02", 120.31, json!({"name": "改名"})),
            ("GX-K-03", 120.32, json!({})),
        ]))
        .unwrap();
        let before = (
            count(&store, "parcels").await,
            count(&store, "audit_log").await,
            store.parcel_revisions().await.unwrap(),
        );
        let changes = store.compare_parcels(zone, &second).await.unwrap();
        assert_eq!(
            changes,
            [
                ParcelChange::Unchanged,
                ParcelChange::Changed,
                ParcelChange::New
            ]
        );
        let reserved =
            parcels_from_geojson(&file(&[("GX-K-04", 120.33, json!({"status": "reserved"}))]))
                .unwrap();
        match store.compare_parcels(zone, &reserved).await {
            Err(ParcelImportError::Invalid(p)) => {
                assert_eq!((p.len(), p[0].index, p[0].field.as_str()), (1, 0, "status"))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            (
                count(&store, "parcels").await,
                count(&store, "audit_log").await,
                store.parcel_revisions().await.unwrap(),
            ),
            before
        );
        let done = store
            .import_parcels(&Actor::Cli, zone, &second)
            .await
            .unwrap();
        assert_eq!((done.created, done.updated, done.unchanged), (1, 1, 1));
    }

    /// The phase moves with its reservation, in the same transaction, and the audit entry
    /// says how (with the reason for reserving, when one is given).
    async fn reservation_moves_the_phase(store: Store) {
        use luodi_domain::stewardship::project::PhaseStatus;
        let zone = demo::load(&store).await.unwrap().id;
        let scope = Scope {
            zone: Some(zone),
            enterprise: None,
        };
        let phase = phases(&store, zone, 1).await[0];
        let status = async |store: &Store| store.phase(&scope, phase).await.unwrap().status;
        assert_eq!(status(&store).await, PhaseStatus::Signed);
        store
            .import_parcels(
                &Actor::Cli,
                zone,
                &parcels_from_geojson(&file(&[("GX-M-01", 120.40, json!({}))])).unwrap(),
            )
            .await
            .unwrap();
        let id = store
            .parcel_by_code(zone, "GX-M-01")
            .await
            .unwrap()
            .unwrap()
            .id;
        store
            .reserve_parcel(&Actor::Cli, zone, id, phase, Some("匹配第一名"))
            .await
            .unwrap();
        assert_eq!(status(&store).await, PhaseStatus::LandMatched);
        let entry = async |store: &Store| {
            store
                .audit_entries(
                    &scope,
                    Some(("parcel", &id.to_string())),
                    luodi_store::PageRequest {
                        page: 1,
                        per_page: 1,
                    },
                )
                .await
                .unwrap()
                .items
                .remove(0)
        };
        let reserved = entry(&store).await;
        assert_eq!(reserved.action, "reserve");
        assert_eq!(reserved.before["phase_status"], "signed");
        assert_eq!(reserved.after["phase_status"], "land_matched");
        assert_eq!(reserved.after["reason"], "匹配第一名");
        store
            .release_parcel(&Actor::Cli, zone, id, "企业改选地块")
            .await
            .unwrap();
        assert_eq!(status(&store).await, PhaseStatus::Signed);
        let released = entry(&store).await;
        assert_eq!(released.action, "release");
        assert_eq!(released.before["phase_status"], "land_matched");
        assert_eq!(released.after["phase_status"], "signed");
        assert_eq!(released.after["reason"], "企业改选地块");
        // A phase already past land matched is neither moved on nor back.
        store
            .reserve_parcel(&Actor::Cli, zone, id, phase, None)
            .await
            .unwrap();
        store
            .hand_over(
                &Actor::Cli,
                &scope,
                phase,
                &luodi_store::approvals::service_lists::Handover {
                    date: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
                    parcel_code: "GX-M-01".into(),
                    assessments: vec![],
                },
            )
            .await
            .unwrap();
        assert_eq!(status(&store).await, PhaseStatus::LandHandedOver);
        assert!(store.verify_audit(None).await.unwrap().is_ok());
    }
}

mod parcel_races {
    //! A file cannot make or undo a reservation; a release never frees another phase's.
    use super::*;
    use luodi_domain::land::parcel::ParcelStatus;
    use luodi_domain::land::readers::parcels_from_geojson;
    use luodi_store::land::parcels::{AllocationError, ParcelImportError};
    use serde_json::json;

    fn one(code: &str, status: Option<&str>) -> String {
        let mut props = json!({"code": code});
        if let Some(s) = status {
            props["status"] = json!(s);
        }
        json!({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": props,
            "geometry": {"type": "Polygon", "coordinates": [[[120.45, 36.4], [120.455, 36.4], [120.455, 36.404], [120.45, 36.404], [120.45, 36.4]]]}}]})
        .to_string()
    }

    async fn files_keep_allocations_and_releases_check_the_phase(store: Store) {
        let zone = demo::load(&store).await.unwrap().id;
        let scope = Scope {
            zone: Some(zone),
            enterprise: None,
        };
        // A new parcel cannot arrive reserved or handed over.
        for status in ["reserved", "handed_over"] {
            let e = store
                .import_parcels(
                    &Actor::Cli,
                    zone,
                    &parcels_from_geojson(&one("GX-R-01", Some(status))).unwrap(),
                )
                .await
                .unwrap_err();
            assert!(
                matches!(e, ParcelImportError::Invalid(ref p) if p[0].field == "status"),
                "{e}"
            );
        }
        store
            .import_parcels(
                &Actor::Cli,
                zone,
                &parcels_from_geojson(&one("GX-R-01", None)).unwrap(),
            )
            .await
            .unwrap();
        let id = store
            .parcel_by_code(zone, "GX-R-01")
            .await
            .unwrap()
            .unwrap()
            .id;
        // A box around it holds it alone; a box around the park holds the demo's 16.
        let near = store
            .parcels_in_box(zone, (120.449, 36.399, 120.456, 36.405), 100)
            .await
            .unwrap();
        assert_eq!(
            near.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(),
            ["GX-R-01"]
        );
        let park = store
            .parcels_in_box(zone, (120.27, 36.29, 120.32, 36.33), 100)
            .await
            .unwrap();
        assert_eq!(park.len(), 16);
        let capped = store
            .parcels_in_box(zone, (120.27, 36.29, 120.32, 36.33), 5)
            .await
            .unwrap();
        assert_eq!(capped.len(), 5);
        let project = store
            .project(
                &scope,
                store
                    .project_by_name(zone, demo::SINOPHARM_PROJECT)
                    .await
                    .unwrap()
                    .unwrap(),
            )
            .await
            .unwrap();
        store
            .reserve_parcel(&Actor::Cli, zone, id, project.phases[2].id, None)
            .await
            .unwrap();
        // Re-importing without a status keeps the reservation; with "available" it is refused.
        store
            .import_parcels(
                &Actor::Cli,
                zone,
                &parcels_from_geojson(&one("GX-R-01", None)).unwrap(),
            )
            .await
            .unwrap();
        let p = store.parcel(zone, id).await.unwrap();
        assert_eq!(
            (p.status, p.reserved_phase_id),
            (ParcelStatus::Reserved, Some(project.phases[2].id))
        );
        assert!(
            store
                .import_parcels(
                    &Actor::Cli,
                    zone,
                    &parcels_from_geojson(&one("GX-R-01", Some("available"))).unwrap()
                )
                .await
                .is_err()
        );
        // Releasing twice: the second finds nothing reserved and says so.
        store
            .release_parcel(&Actor::Cli, zone, id, "企业放弃")
            .await
            .unwrap();
        assert!(matches!(
            store.release_parcel(&Actor::Cli, zone, id, "again").await,
            Err(AllocationError::NotReservedForPhase { .. })
        ));
        // Handover matches the parcel code whatever its case.
        store
            .reserve_parcel(&Actor::Cli, zone, id, project.phases[2].id, None)
            .await
            .unwrap();
        let h = luodi_store::approvals::service_lists::Handover {
            date: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            parcel_code: "gx-r-01".into(),
            assessments: vec![],
        };
        store
            .hand_over(&Actor::Cli, &scope, project.phases[2].id, &h)
            .await
            .unwrap();
        assert_eq!(
            store.parcel(zone, id).await.unwrap().status,
            ParcelStatus::HandedOver
        );
        assert!(store.verify_audit(None).await.unwrap().is_ok());
    }

    on_both! {
        files_keep_allocations_and_releases_check_the_phase => files_keep_allocations_and_releases_check_the_phase;
    }
}

mod blockers {
    //! Blockers: raised in scope, acted on by the right party, every step audited, each
    //! escalation made once however many callers race for it.
    use super::*;
    use luodi_domain::stewardship::blocker::{Action, ClockKind, Party, State};
    use luodi_store::stewardship::blockers::{
        BlockerActionError, BlockerFilter, NewBlocker, NewFile,
    };
    use sqlx::Row;

    fn d(s: &str) -> chrono::NaiveDate {
        s.parse().unwrap()
    }

    /// The demo's Sinopharm project, its enterprise, and two departments.
    async fn setting(store: &Store) -> (luodi_domain::ZoneId, i64, EnterpriseId, i64, i64) {
        let zone = demo::load(store).await.unwrap().id;
        let scope = Scope {
            zone: Some(zone),
            enterprise: None,
        };
        let project = store
            .projects(&scope)
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.name.contains("国药"))
            .unwrap();
        let depts: Vec<i64> =
            sqlx::query("SELECT id FROM departments WHERE zone_id = $1 ORDER BY id")
                .bind(zone.0)
                .fetch_all(store.pool())
                .await
                .unwrap()
                .iter()
                .map(|r| r.get("id"))
                .collect();
        (zone, project.id, project.enterprise_id, depts[0], depts[1])
    }

    fn new(project: i64, department: i64) -> NewBlocker {
        NewBlocker {
            project_id: project,
            phase_id: None,
            category: "utilities".into(),
            priority: "high".into(),
            title: "二期用电负荷无法接入".into(),
            description: "110kV 变电站间隔不足，需电力公司协调。".into(),
            files: vec![NewFile {
                name: "负荷计算书.pdf".into(),
                bytes: b"%PDF-1.4\n% load calculation\n".to_vec(),
            }],
            department_id: department,
        }
    }

    async fn raise_act_scope(store: Store) {
        let (zone, project, enterprise, dept, other_dept) = setting(&store).await;
        let own = Scope {
            zone: Some(zone),
            enterprise: Some(enterprise),
        };
        let staff = Scope {
            zone: Some(zone),
            enterprise: None,
        };
        let (blockers, audit) = (
            count(&store, "blockers").await,
            count(&store, "audit_log").await,
        );
        // The demo's own blockers, before this test's.
        let listed = |scope: Scope, f: BlockerFilter| {
            let store = store.clone();
            async move { store.blockers(&scope, &f).await.unwrap().len() }
        };
        let demo_all = listed(staff, BlockerFilter::default()).await;
        let demo_open = listed(
            staff,
            BlockerFilter {
                open: true,
                ..Default::default()
            },
        )
        .await;
        let demo_other = listed(
            staff,
            BlockerFilter {
                department_id: Some(other_dept),
                ..Default::default()
            },
        )
        .await;
        let demo_closed = listed(
            own,
            BlockerFilter {
                state: Some(State::Closed),
                project_id: Some(project),
                ..Default::default()
            },
        )
        .await;
        // Bad input names the field and writes nothing.
        let mut bad = new(project, dept);
        bad.category = "weather".into();
        let e = store
            .raise_blocker(
                &Actor::Cli,
                &own,
                None,
                Party::Enterprise,
                &bad,
                d("2026-11-02"),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&e, BlockerActionError::Fields(f) if f.len() == 1 && f[0].field == "category"),
            "{e}"
        );
        // A file is judged by its content: a picture named as a PDF is refused, named.
        let mut bad = new(project, dept);
        bad.files.push(NewFile {
            name: "现场.pdf".into(),
            bytes: b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
        });
        let e = store
            .raise_blocker(
                &Actor::Cli,
                &own,
                None,
                Party::Enterprise,
                &bad,
                d("2026-11-02"),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&e, BlockerActionError::Files(f) if f.len() == 1 && e.to_string().contains("现场.pdf")),
            "{e}"
        );
        let mut bad = new(project, dept);
        bad.files[0].name = "../etc/passwd".into();
        let e = store
            .raise_blocker(
                &Actor::Cli,
                &own,
                None,
                Party::Enterprise,
                &bad,
                d("2026-11-02"),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&e, BlockerActionError::Files(f) if f.len() == 1),
            "{e}"
        );
        // Another enterprise cannot raise one on this project.
        let stranger = Scope {
            zone: Some(zone),
            enterprise: Some(EnterpriseId(enterprise.0 + 1)),
        };
        let e = store
            .raise_blocker(
                &Actor::Cli,
                &stranger,
                None,
                Party::Enterprise,
                &new(project, dept),
                d("2026-11-02"),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                BlockerActionError::Invalid {
                    field: "project_id",
                    ..
                }
            ),
            "{e}"
        );
        assert_eq!(
            (
                count(&store, "blockers").await,
                count(&store, "audit_log").await
            ),
            (blockers, audit)
        );

        let b = store
            .raise_blocker(
                &Actor::Cli,
                &own,
                None,
                Party::Enterprise,
                &new(project, dept),
                d("2026-11-02"),
            )
            .await
            .unwrap();
        assert_eq!((b.state, b.version, b.events.len()), (State::Open, 1, 1));
        // The steward and the department's officers hear of it.
        assert!(count(&store, "notifications").await >= 1);
        assert_eq!(count(&store, "audit_log").await, audit + 1);
        // Only the department it is with acknowledges.
        let e = store
            .act_on_blocker(
                &Actor::Cli,
                &staff,
                None,
                Party::Department,
                Some(other_dept),
                b.id,
                Action::Acknowledged,
                &[],
                None,
                d("2026-11-02"),
            )
            .await
            .unwrap_err();
        assert!(matches!(e, BlockerActionError::NotYourDepartment));
        let b = store
            .act_on_blocker(
                &Actor::Cli,
                &staff,
                None,
                Party::Department,
                Some(dept),
                b.id,
                Action::Acknowledged,
                &[],
                Some(1),
                d("2026-11-02"),
            )
            .await
            .unwrap();
        assert_eq!((b.state, b.version), (State::Acknowledged, 2));
        // A stale version is refused; so is an action the rules refuse, naming why.
        let e = store
            .act_on_blocker(
                &Actor::Cli,
                &staff,
                None,
                Party::Department,
                Some(dept),
                b.id,
                Action::Answered { text: "x".into() },
                &[],
                Some(1),
                d("2026-11-03"),
            )
            .await
            .unwrap_err();
        assert!(matches!(e, BlockerActionError::Store(StoreError::Stale)));
        let e = store
            .act_on_blocker(
                &Actor::Cli,
                &own,
                None,
                Party::Enterprise,
                None,
                b.id,
                Action::Confirmed {
                    rating: 5,
                    comment: String::new(),
                },
                &[],
                None,
                d("2026-11-03"),
            )
            .await
            .unwrap_err();
        assert!(matches!(e, BlockerActionError::Refused(_)), "{e}");
        // Re-routed: the other department now holds it, the clocks run on.
        let b = store
            .act_on_blocker(
                &Actor::Cli,
                &staff,
                None,
                Party::Steward,
                None,
                b.id,
                Action::Rerouted {
                    department: other_dept,
                    reason: "属供电协调".into(),
                },
                &[],
                None,
                d("2026-11-03"),
            )
            .await
            .unwrap();
        assert_eq!(
            (b.department_id, b.raised_on),
            (other_dept, d("2026-11-02"))
        );
        let b = store
            .act_on_blocker(
                &Actor::Cli,
                &staff,
                None,
                Party::Department,
                Some(other_dept),
                b.id,
                Action::Resolved {
                    text: "已协调新增间隔".into(),
                },
                &[],
                None,
                d("2026-11-05"),
            )
            .await
            .unwrap();
        let b = store
            .act_on_blocker(
                &Actor::Cli,
                &own,
                None,
                Party::Enterprise,
                None,
                b.id,
                Action::Confirmed {
                    rating: 4,
                    comment: "满意".into(),
                },
                &[],
                None,
                d("2026-11-06"),
            )
            .await
            .unwrap();
        assert_eq!(b.state, State::Closed);
        assert_eq!(b.events.len(), 5);
        assert_eq!(count(&store, "audit_log").await, audit + 5);

        // Lists: by filter; the other enterprise sees none of them.
        store
            .raise_blocker(
                &Actor::Cli,
                &staff,
                None,
                Party::Steward,
                &new(project, dept),
                d("2026-11-09"),
            )
            .await
            .unwrap();
        let all = store
            .blockers(&staff, &BlockerFilter::default())
            .await
            .unwrap();
        assert_eq!(all.len(), demo_all + 2);
        let open = store
            .blockers(
                &staff,
                &BlockerFilter {
                    open: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(open.len(), demo_open + 1);
        let by_dept = store
            .blockers(
                &staff,
                &BlockerFilter {
                    department_id: Some(other_dept),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(by_dept.len(), demo_other + 1);
        let closed = store
            .blockers(
                &own,
                &BlockerFilter {
                    state: Some(State::Closed),
                    project_id: Some(project),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(closed.len(), demo_closed + 1);
        assert!(
            store
                .blockers(&stranger, &BlockerFilter::default())
                .await
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            store.blocker(&stranger, b.id).await,
            Err(StoreError::NotFound)
        ));
        assert!(store.verify_audit(None).await.unwrap().is_ok());
    }

    /// A missed clock escalates once, however many callers (two stores are two servers)
    /// look at the same moment.
    async fn escalation_once(store: Store, other: Store) {
        let (zone, project, _, dept, _) = setting(&store).await;
        let staff = Scope {
            zone: Some(zone),
            enterprise: None,
        };
        let b = store
            .raise_blocker(
                &Actor::Cli,
                &staff,
                None,
                Party::Steward,
                &new(project, dept),
                d("2026-11-02"),
            )
            .await
            .unwrap();
        let calendar = luodi_domain::core::calendar::Calendar::builtin();
        assert!(
            store
                .escalate_blockers(&calendar, d("2026-11-03"))
                .await
                .unwrap()
                .is_empty()
        );
        // Wednesday 4 November: acknowledge (due the 3rd) is missed.
        let runs = (0..8).map(|i| {
            let s = if i % 2 == 0 {
                store.clone()
            } else {
                other.clone()
            };
            let calendar = calendar.clone();
            tokio::spawn(async move {
                s.escalate_blockers(&calendar, d("2026-11-04"))
                    .await
                    .unwrap()
            })
        });
        let made: Vec<_> = futures_join(runs).await.into_iter().flatten().collect();
        assert_eq!(made.len(), 1, "{made:?}");
        // Told once: the notifications written are those of the one escalation made.
        let told: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM notifications WHERE kind = 'blocker_escalated'")
                .fetch_one(store.pool())
                .await
                .unwrap()
                .get("n");
        assert!(made[0].notified >= 1, "the steward at least");
        assert_eq!(told, made[0].notified as i64);
        assert_eq!(
            (made[0].clock, made[0].rung, made[0].target.as_str()),
            (ClockKind::Acknowledge, 0, "department_head")
        );
        assert_eq!(count(&store, "blocker_escalations").await, 1);
        let b = store.blocker(&staff, b.id).await.unwrap();
        assert_eq!(b.events.len(), 2);
        assert!(
            b.blocker()
                .unwrap()
                .escalated
                .contains(&(ClockKind::Acknowledge, 0))
        );
        // Later days bring the next rungs, each once.
        let later = store
            .escalate_blockers(&calendar, d("2026-11-09"))
            .await
            .unwrap();
        let mut got: Vec<(ClockKind, usize)> = later.iter().map(|e| (e.clock, e.rung)).collect();
        got.sort();
        assert_eq!(
            got,
            vec![(ClockKind::Acknowledge, 1), (ClockKind::Answer, 0)]
        );
        assert!(
            store
                .escalate_blockers(&calendar, d("2026-11-09"))
                .await
                .unwrap()
                .is_empty()
        );
        assert!(store.verify_audit(None).await.unwrap().is_ok());
    }

    /// Two stores on one database: two servers.
    async fn two_servers(backend: Backend) {
        let Some(db) = TestDb::new(backend).await else {
            return;
        };
        let (a, b) = (
            Store::open(&db.url).await.unwrap(),
            Store::open(&db.url).await.unwrap(),
        );
        escalation_once(a.clone(), b.clone()).await;
        a.close().await;
        b.close().await;
        db.drop_db().await;
    }

    mod an_escalation_is_made_once {
        #[tokio::test]
        async fn sqlite() {
            super::two_servers(luodi_store::Backend::Sqlite).await
        }
        #[tokio::test]
        async fn postgres() {
            super::two_servers(luodi_store::Backend::Postgres).await
        }
    }

    async fn futures_join<T>(handles: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
        let mut out = Vec::new();
        for h in handles.collect::<Vec<_>>() {
            out.push(h.await.unwrap());
        }
        out
    }

    on_both! {
        raise_act_and_scope => raise_act_scope;
    }
}

mod outbox {
    //! The outbox: a server takes only the channels it can send, so email it cannot send
    //! never holds up webhooks behind it; a taken row is not taken again while leased.
    use super::*;

    async fn insert(store: &Store, zone: i64, channel: &str, n: usize) {
        for _ in 0..n {
            sqlx::query(
                "INSERT INTO outbox (zone_id, kind, channel, target, message_json, state, attempts, next_attempt_at, created_at)
                 VALUES ($1, 'blocker_raised', $2, 'x', $3, 'pending', 0, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
            )
            .bind(zone)
            .bind(channel)
            .bind(r#"{"kind":"blocker_raised","zone":"z","title":"t","body":"","link":"/"}"#)
            .execute(store.pool())
            .await
            .unwrap();
        }
    }

    async fn channels_are_taken_apart(store: Store) {
        let zone = demo::load(&store).await.unwrap().id.0;
        // A backlog of email a server without SMTP cannot send, then one webhook.
        insert(&store, zone, "email", 100).await;
        insert(&store, zone, "webhook", 1).await;
        let now = chrono::Utc::now();
        let lease = chrono::Duration::seconds(120);
        let taken = store
            .claim_outbox(&["webhook"], now, lease, "a", 20)
            .await
            .unwrap();
        assert_eq!(
            taken.iter().map(|e| e.channel.as_str()).collect::<Vec<_>>(),
            ["webhook"],
            "the webhook behind 100 emails is taken"
        );
        let again = store
            .claim_outbox(&["webhook", "email"], now, lease, "b", 20)
            .await
            .unwrap();
        assert_eq!(again.len(), 20);
        assert!(
            again.iter().all(|e| e.channel == "email"),
            "the leased webhook is not taken twice"
        );
    }

    on_both! {
        channels_are_taken_apart => channels_are_taken_apart;
    }
}

mod project_edits {
    use super::*;
    use luodi_domain::core::money::Fen;
    use luodi_domain::stewardship::project::{PhaseFacts, PhaseStatus};
    use luodi_store::stewardship::projects::{EditError, NewPhase, NewProject, ProjectEdit};

    fn edit_of(p: &luodi_store::stewardship::projects::Project) -> ProjectEdit {
        ProjectEdit {
            name: p.name.clone(),
            name_en: p.name_en.clone(),
            total_investment: p.total_investment,
            industry_code: p.industry_code.clone(),
            chain_position: p.chain_position,
            expected_output: p.expected_output,
            expected_tax: p.expected_tax,
            jobs: p.jobs,
            phases: p
                .phases
                .iter()
                .map(|ph| NewPhase {
                    name: ph.name.clone(),
                    status: ph.status,
                    facts: ph.facts.clone(),
                })
                .collect(),
        }
    }

    /// An edit changes the details and the phases' names and conditions, adds phases at
    /// the end (keeping every stage), raises the version, and is audited with the old
    /// values; a stale version, a taken name and a phase left out change nothing.
    async fn edit(store: Store) {
        let zone = demo::load(&store).await.unwrap().id;
        let e = store
            .enterprise_by_uscc(zone, demo::demo_uscc(3).as_str())
            .await
            .unwrap()
            .unwrap();
        let p = store
            .create_project(
                &Actor::Cli,
                zone,
                &NewProject {
                    enterprise_id: e.id,
                    name: "条件待定的项目".into(),
                    name_en: None,
                    total_investment: Fen::from_yuan(100_000_000).unwrap(),
                    industry_code: Some("C2761".into()),
                    chain_position: None,
                    expected_output: None,
                    expected_tax: None,
                    jobs: None,
                    steward_id: None,
                    phases: vec![NewPhase {
                        name: "一期".into(),
                        status: PhaseStatus::Signed,
                        facts: PhaseFacts::default(),
                    }],
                },
            )
            .await
            .unwrap();
        assert_eq!(p.version, 1);
        let audit = count(&store, "audit_log").await;
        let mut edit = edit_of(&p);
        edit.total_investment = Fen::from_yuan(120_000_000).unwrap();
        edit.phases[0].facts.eia_class = Some("report_table".into());
        edit.phases[0].facts.hazardous_chemicals = Some(false);
        edit.phases.push(NewPhase {
            name: "二期".into(),
            status: PhaseStatus::Lead,
            facts: PhaseFacts {
                approval_route: Some("filing".into()),
                ..PhaseFacts::default()
            },
        });
        let after = store
            .update_project(&Actor::Cli, zone, p.id, 1, &edit)
            .await
            .unwrap();
        assert_eq!(after.version, 2);
        assert_eq!(after.total_investment, Fen::from_yuan(120_000_000).unwrap());
        assert_eq!(after.phases.len(), 2);
        assert_eq!(after.phases[0].status, PhaseStatus::Signed, "a stage stays");
        assert_eq!(
            after.phases[0].facts.eia_class.as_deref(),
            Some("report_table")
        );
        assert_eq!(
            (after.phases[1].seq, after.phases[1].status),
            (2, PhaseStatus::Lead)
        );
        assert_eq!(count(&store, "audit_log").await, audit + 1);
        let scope = luodi_domain::Scope {
            zone: Some(zone),
            enterprise: None,
        };
        let entry = store
            .audit_entries(
                &scope,
                Some(("project", &p.id.to_string())),
                luodi_store::PageRequest {
                    page: 1,
                    per_page: 1,
                },
            )
            .await
            .unwrap()
            .items
            .remove(0);
        assert_eq!(entry.action, "update");
        assert_eq!(entry.before["total_investment_fen"], 10_000_000_000i64);
        assert_eq!(entry.after["total_investment_fen"], 12_000_000_000i64);
        assert_eq!(
            entry.before["phases"][0]["facts"]["eia_class"],
            serde_json::Value::Null
        );
        assert_eq!(entry.after["phases"][1]["added"], true);

        // The version read is stale now: refused, nothing changes.
        let mut late = edit_of(&after);
        late.name = "迟到的修改".into();
        assert!(matches!(
            store
                .update_project(&Actor::Cli, zone, p.id, 1, &late)
                .await,
            Err(EditError::Store(StoreError::Stale))
        ));
        // A phase left out.
        let mut fewer = edit_of(&after);
        fewer.phases.pop();
        assert!(matches!(
            store
                .update_project(&Actor::Cli, zone, p.id, 2, &fewer)
                .await,
            Err(EditError::PhasesRemoved { had: 2 })
        ));
        // Another project's name.
        let taken = store.projects(&scope).await.unwrap();
        let other = taken.iter().find(|o| o.id != p.id).unwrap().name.clone();
        let mut clash = edit_of(&after);
        clash.name = other.clone();
        assert!(matches!(
            store
                .update_project(&Actor::Cli, zone, p.id, 2, &clash)
                .await,
            Err(EditError::Store(StoreError::Conflict { field: "name", .. }))
        ));
        // Another zone's caller does not reach it.
        assert!(matches!(
            store
                .update_project(
                    &Actor::Cli,
                    luodi_domain::ZoneId(zone.0 + 999),
                    p.id,
                    2,
                    &edit_of(&after)
                )
                .await,
            Err(EditError::Store(StoreError::NotFound))
        ));
        let unchanged = store.project(&scope, p.id).await.unwrap();
        assert_eq!(unchanged, after);
        assert_eq!(count(&store, "audit_log").await, audit + 1);
    }

    on_both! {
        a_project_is_edited_whole_or_not_at_all => edit;
    }
}
