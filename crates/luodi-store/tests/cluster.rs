//! The cluster's numbers in the store (issue 17): statistics kept in versions and imported
//! all or nothing, closed periods, the portal's own rows, scopes, the cluster settings and
//! targets, post-completion checks and the days a phase reached construction and
//! production. Run on SQLite and on PostgreSQL alike.

use chrono::NaiveDate;
use luodi_domain::approvals::service_item::{ItemEvent, Party};
use luodi_domain::cluster::completion::{self, Actuals, Requirements};
use luodi_domain::cluster::figures::{CityTotals, Cluster};
use luodi_domain::cluster::mu::{Method, Scheme};
use luodi_domain::cluster::period::Period;
use luodi_domain::cluster::statistics::{Figures, Mu, RowProblem, StatRow, Tce, from_csv};
use luodi_domain::cluster::targets::Ramp;
use luodi_domain::core::enterprise::{EnterpriseDraft, EnterpriseInput};
use luodi_domain::core::money::Fen;
use luodi_domain::core::uscc::Uscc;
use luodi_domain::stewardship::project::PhaseStatus;
use luodi_domain::{EnterpriseId, Scope, Text, ZoneId};
use luodi_store::cluster::settings::{ClusterSettings, KpiTargetInput, YearKnown};
use luodi_store::cluster::statistics::{ImportSummary, StatFilter, StatisticsError};
use luodi_store::stewardship::blockers::BlockerFilter;
use luodi_store::testing::TestDb;
use luodi_store::{Actor, Backend, Store, StoreError, demo};
use sqlx::Row;

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
    an_import_makes_versions_and_a_correction_supersedes => import_and_correct;
    an_import_is_all_or_nothing => all_or_nothing;
    a_closed_period_needs_a_reason => closed_periods;
    the_portal_sees_another_enterprise_as_unknown => portal_only;
    statistics_are_read_within_the_scope => scoped_reads;
    settings_years_and_targets_round_trip_audited => settings_round_trip;
    completion_checks_are_kept_once_and_explained_once => completion_checks;
    a_phase_keeps_the_days_it_reached_construction_and_production => phase_dates;
    a_course_keeps_the_day_construction_started_not_the_day_of_the_import => course_days;
    settings_unchanged_write_nothing => targets_unchanged;
    the_databases_year_sums_are_the_rules_years => year_sums;
    the_year_sums_stay_the_rules_years_through_corrections => year_sums_kept;
    concurrent_imports_keep_every_month_in_the_year_sums => year_sums_concurrent;
}

// ---------------------------------------------------------------------------------------
// Helpers

async fn count(store: &Store, table: &str) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM {table}"
    )))
    .fetch_one(store.pool())
    .await
    .unwrap()
    .get("n")
}

/// The audit entries of `action`, oldest first: (entity id, before, after).
async fn audits(
    store: &Store,
    action: &str,
) -> Vec<(String, serde_json::Value, serde_json::Value)> {
    sqlx::query(
        "SELECT entity_id, before_json, after_json FROM audit_log WHERE action = $1 ORDER BY id",
    )
    .bind(action)
    .fetch_all(store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            r.get("entity_id"),
            serde_json::from_str(&r.get::<String, _>("before_json")).unwrap(),
            serde_json::from_str(&r.get::<String, _>("after_json")).unwrap(),
        )
    })
    .collect()
}

fn zone_scope(zone: ZoneId) -> Scope {
    Scope {
        zone: Some(zone),
        enterprise: None,
    }
}

fn enterprise_scope(zone: ZoneId, e: EnterpriseId) -> Scope {
    Scope {
        zone: Some(zone),
        enterprise: Some(e),
    }
}

/// A well-formed code of its own: `tag` keeps the zones' codes apart.
fn code(tag: char, i: usize) -> String {
    Uscc::complete(&format!("91370212MA3C{tag}{i:03}"))
        .unwrap()
        .as_str()
        .to_string()
}

/// A zone of its own with `n` enterprises; their ids and codes.
async fn zone_with(
    store: &Store,
    zone_code: &str,
    tag: char,
    n: usize,
) -> (ZoneId, Vec<(EnterpriseId, String)>) {
    let zone = store
        .ensure_zone(&Actor::Cli, zone_code, "测试区", "Test zone", "山东省")
        .await
        .unwrap()
        .id;
    let mut out = Vec::new();
    for i in 0..n {
        let uscc = code(tag, i);
        let draft = EnterpriseDraft::parse(&EnterpriseInput {
            uscc: uscc.clone(),
            name: format!("{zone_code} 企业 {i}"),
            ..Default::default()
        })
        .unwrap();
        let e = store
            .create_enterprise(&Actor::Cli, zone, &draft)
            .await
            .unwrap();
        out.push((e.id, uscc));
    }
    (zone, out)
}

const HEADER: &str = "uscc,period,revenue_wan,output_wan,tax_wan,value_added_wan,energy_tce,rd_wan,employees,land_mu";

/// A row of a file: fixed figures but the tax (万元) and the employees.
fn line(uscc: &str, period: &str, tax: &str, employees: u32) -> String {
    format!("{uscc},{period},100.5,200,{tax},50,12.5,3,{employees},")
}

/// The figures [`line`] gives.
fn figures(tax_fen: i64, employees: i64) -> Figures {
    Figures {
        revenue: Fen(100_500_000),
        output: Fen(200_000_000),
        tax: Fen(tax_fen),
        value_added: Fen(50_000_000),
        energy: Tce(12_500),
        rd: Fen(3_000_000),
        employees,
        land: None,
    }
}

/// A file of `lines` read by the rules (the header is row 1).
fn file(lines: &[String]) -> Vec<StatRow> {
    from_csv(format!("{HEADER}\n{}\n", lines.join("\n")).as_bytes()).expect("a well-formed file")
}

async fn import(
    store: &Store,
    zone: ZoneId,
    rows: &[StatRow],
    reason: Option<&str>,
    only: Option<EnterpriseId>,
) -> Result<ImportSummary, StatisticsError> {
    store
        .import_statistics(&Actor::Cli, zone, rows, "import", reason, only)
        .await
}

fn summary(created: usize, corrected: usize, unchanged: usize) -> ImportSummary {
    ImportSummary {
        created,
        corrected,
        unchanged,
    }
}

/// The problems of a refused import.
fn refused(r: Result<ImportSummary, StatisticsError>) -> Vec<RowProblem> {
    match r {
        Err(StatisticsError::Invalid(p)) => p,
        other => panic!("the import should be refused as invalid: {other:?}"),
    }
}

fn at(problems: &[RowProblem]) -> Vec<(usize, &str)> {
    problems
        .iter()
        .map(|p| (p.row, p.column.as_str()))
        .collect()
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn zone_today() -> NaiveDate {
    luodi_domain::core::time::zone_date(chrono::Utc::now())
}

/// An item submitted, accepted and approved: a milestone's approval moves its phase on.
fn approved(code: &str, on: &str) -> (String, Vec<(ItemEvent, Party)>) {
    let on = day(on);
    (
        code.to_string(),
        vec![
            (ItemEvent::Submit { on }, Party::Applicant),
            (
                ItemEvent::Accept {
                    on,
                    missing: Vec::new(),
                    missing_due: None,
                },
                Party::Department,
            ),
            (
                ItemEvent::Approve {
                    on,
                    verify_by: None,
                },
                Party::Department,
            ),
        ],
    )
}

/// The demo's Sinopharm city: its enterprise and phase 1, handed GX-2026-07 (a parcel
/// with control indicators) and so at land handed over.
async fn sinopharm(store: &Store, zone: ZoneId) -> (EnterpriseId, i64) {
    let id = store
        .project_by_name(zone, demo::SINOPHARM_PROJECT)
        .await
        .unwrap()
        .unwrap();
    let project = store.project(&zone_scope(zone), id).await.unwrap();
    let phase = &project.phases[0];
    assert_eq!(phase.status, PhaseStatus::LandHandedOver);
    assert_eq!(phase.parcel_code.as_deref(), Some(demo::SINOPHARM_PARCEL));
    (project.enterprise_id, phase.id)
}

/// The days a phase keeps: (construction started on, in production on).
async fn phase_days(store: &Store, phase: i64) -> (Option<String>, Option<String>) {
    let r = sqlx::query(
        "SELECT construction_started_on, in_production_on FROM project_phases WHERE id = $1",
    )
    .bind(phase)
    .fetch_one(store.pool())
    .await
    .unwrap();
    (r.get("construction_started_on"), r.get("in_production_on"))
}

async fn phase_status(store: &Store, zone: ZoneId, phase: i64) -> PhaseStatus {
    store.phase(&zone_scope(zone), phase).await.unwrap().status
}

/// Moves the Sinopharm city's phase 1 into production the way a zone does: the permit,
/// construction start and completion acceptance approved on its list (imported as its
/// course), then production moved to by hand.
async fn into_production(store: &Store, zone: ZoneId, phase: i64) {
    let course = vec![
        approved("SG06", "2026-10-20"),
        approved("SG07", "2026-11-02"),
        approved("YS03", "2026-11-10"),
    ];
    store
        .import_course(&Actor::Cli, &zone_scope(zone), phase, &course)
        .await
        .unwrap();
    assert_eq!(
        phase_status(store, zone, phase).await,
        PhaseStatus::CompletionAccepted
    );
    store
        .move_phase(&Actor::Cli, zone, phase, PhaseStatus::InProduction, None)
        .await
        .unwrap();
}

// ---------------------------------------------------------------------------------------
// 1. Versions

async fn import_and_correct(store: Store) {
    let (zone, es) = zone_with(&store, "stat-versions", 'A', 2).await;
    let (a, b) = (&es[0].1, &es[1].1);
    let lines = vec![
        line(a, "2025-01", "10", 40),
        line(a, "2025-02", "11", 41),
        line(b, "2025-01", "10", 30),
        format!("{a},2024,1000,2000,100,500,120,30,41,12.25"),
    ];
    let rows = file(&lines);
    assert_eq!(
        import(&store, zone, &rows, None, None).await.unwrap(),
        summary(4, 0, 0)
    );
    assert_eq!(count(&store, "enterprise_statistics").await, 4);
    assert_eq!(audits(&store, "import_statistics").await.len(), 1);
    let held = store
        .statistics(&zone_scope(zone), &StatFilter::default())
        .await
        .unwrap();
    assert_eq!(held.len(), 4);
    assert!(
        held.iter()
            .all(|r| r.version == 1 && r.superseded_at.is_none()),
        "{held:?}"
    );
    assert!(
        held.iter()
            .all(|r| r.source == "import" && r.entered_by == "cli" && r.reason.is_none())
    );
    let b_jan = held
        .iter()
        .find(|r| r.uscc == *b && r.period == "2025-01")
        .unwrap();
    assert_eq!(b_jan.enterprise_id, es[1].0.0);
    assert_eq!(b_jan.figures, figures(10_000_000, 30));
    let year = held.iter().find(|r| r.period == "2024").unwrap();
    assert_eq!(year.figures.land, Some(Mu(122_500)));
    assert_eq!(year.figures.revenue, Fen(1_000_000_000));

    // The same file again changes nothing and is not audited.
    assert_eq!(
        import(&store, zone, &rows, None, None).await.unwrap(),
        summary(0, 0, 4)
    );
    assert_eq!(count(&store, "enterprise_statistics").await, 4);
    assert_eq!(audits(&store, "import_statistics").await.len(), 1);

    // One corrected figure: a second version for that period only.
    let mut corrected = lines.clone();
    corrected[2] = line(b, "2025-01", "12.5", 30);
    assert_eq!(
        import(&store, zone, &file(&corrected), None, None)
            .await
            .unwrap(),
        summary(0, 1, 3)
    );
    assert_eq!(count(&store, "enterprise_statistics").await, 5);
    let now = store
        .statistics(&zone_scope(zone), &StatFilter::default())
        .await
        .unwrap();
    assert_eq!(now.len(), 4, "only the current versions");
    let b_jan = now
        .iter()
        .find(|r| r.uscc == *b && r.period == "2025-01")
        .unwrap();
    assert_eq!((b_jan.version, b_jan.figures), (2, figures(12_500_000, 30)));
    assert!(
        now.iter()
            .filter(|r| r.id != b_jan.id)
            .all(|r| r.version == 1),
        "the other periods keep their first version"
    );
    let versions = store
        .statistic_versions(&zone_scope(zone), es[1].0, Period::Month(2025, 1))
        .await
        .unwrap();
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(versions[0].figures.tax, Fen(10_000_000));
    assert!(versions[0].superseded_at.is_some(), "version 1 superseded");
    assert_eq!(versions[1].figures.tax, Fen(12_500_000));
    assert_eq!(versions[1].superseded_at, None);
    assert_eq!(
        store
            .statistic_versions(&zone_scope(zone), es[0].0, Period::Month(2025, 1))
            .await
            .unwrap()
            .len(),
        1
    );

    // The import's audit entry keeps the old value beside the new.
    let entries = audits(&store, "import_statistics").await;
    assert_eq!(entries.len(), 2);
    let after = &entries[1].2;
    assert_eq!(after["corrected"], 1);
    assert_eq!(after["unchanged"], 3);
    let corrections = after["corrections"].as_array().unwrap();
    assert_eq!(corrections.len(), 1);
    let c = &corrections[0];
    assert_eq!(c["uscc"], b.as_str());
    assert_eq!(c["period"], "2025-01");
    assert_eq!(c["version"], 2);
    assert_eq!(c["before"]["tax_fen"], 10_000_000);
    assert_eq!(c["after"]["tax_fen"], 12_500_000);
    assert_eq!(c["before"]["employees"], 30);
    assert!(store.verify_audit(None).await.unwrap().is_ok());
}

// ---------------------------------------------------------------------------------------
// 2. All or nothing

async fn all_or_nothing(store: Store) {
    let (zone, es) = zone_with(&store, "stat-all", 'B', 6).await;
    let unknown = code('X', 999);
    let audit = count(&store, "audit_log").await;

    // An unknown code in the middle of good rows.
    let rows = file(&[
        line(&es[0].1, "2025-01", "10", 40),
        line(&unknown, "2025-01", "10", 40),
        line(&es[1].1, "2025-01", "10", 40),
    ]);
    let problems = refused(import(&store, zone, &rows, None, None).await);
    assert_eq!(at(&problems), vec![(3, "uscc")]);
    assert!(problems[0].reason.en.contains(&unknown), "{problems:?}");
    assert_eq!(count(&store, "enterprise_statistics").await, 0);
    assert_eq!(count(&store, "audit_log").await, audit);

    // Many rows (more than one insert statement on either database), the last one bad.
    let n = 620;
    let mut lines: Vec<String> = (0..n - 1)
        .map(|k| {
            let month = k / 6;
            let period = format!("{}-{:02}", 2000 + month / 12, month % 12 + 1);
            line(&es[k % 6].1, &period, "10", 40)
        })
        .collect();
    lines.push(line(&unknown, "2025-01", "10", 40));
    let rows = file(&lines);
    assert_eq!(rows.len(), n);
    let problems = refused(import(&store, zone, &rows, None, None).await);
    assert_eq!(at(&problems), vec![(n + 1, "uscc")]);
    assert_eq!(count(&store, "enterprise_statistics").await, 0);
    assert_eq!(count(&store, "audit_log").await, audit);

    // Without it every row is written, across the statements; and a correction of all of
    // them supersedes every one.
    let good = &rows[..n - 1];
    assert_eq!(
        import(&store, zone, good, None, None).await.unwrap(),
        summary(n - 1, 0, 0)
    );
    assert_eq!(count(&store, "enterprise_statistics").await, n as i64 - 1);
    let again: Vec<StatRow> = good
        .iter()
        .map(|r| StatRow {
            figures: Figures {
                employees: 41,
                ..r.figures
            },
            ..r.clone()
        })
        .collect();
    assert_eq!(
        import(&store, zone, &again, None, None).await.unwrap(),
        summary(0, n - 1, 0)
    );
    assert_eq!(
        count(&store, "enterprise_statistics").await,
        2 * (n as i64 - 1)
    );
    let held = store
        .statistics(&zone_scope(zone), &StatFilter::default())
        .await
        .unwrap();
    assert_eq!(held.len(), n - 1);
    assert!(
        held.iter()
            .all(|r| r.version == 2 && r.figures.employees == 41)
    );
    assert_eq!(count(&store, "audit_log").await, audit + 2);
}

// ---------------------------------------------------------------------------------------
// 3. Closed periods

async fn closed_periods(store: Store) {
    let (zone, es) = zone_with(&store, "stat-closed", 'C', 1).await;
    let (e, a) = (es[0].0, &es[0].1);
    store
        .set_period_closed(&Actor::Cli, zone, Period::Year(2024), true)
        .await
        .unwrap();
    let closed = store.closed_periods(zone).await.unwrap();
    assert_eq!(closed.len(), 1);
    assert_eq!(
        (closed[0].0.as_str(), closed[0].1.as_str()),
        ("2024", "cli")
    );
    assert!(matches!(
        store
            .set_period_closed(&Actor::Cli, zone, Period::Year(2024), true)
            .await,
        Err(StoreError::Conflict { field: "period", ref value }) if value == "2024"
    ));

    // A closed year covers its months and itself; an open year is fine.
    let rows = file(&[
        line(a, "2025-01", "10", 40),
        line(a, "2024-03", "10", 40),
        line(a, "2024", "10", 40),
    ]);
    let problems = refused(import(&store, zone, &rows, None, None).await);
    assert_eq!(at(&problems), vec![(3, "period"), (4, "period")]);
    assert!(problems[0].reason.en.contains("2024-03"), "{problems:?}");
    assert_eq!(
        problems[0].reason,
        Text::fill("rules.cluster.period_closed", &[("period", "2024-03")])
    );
    // A reason of blanks is no reason.
    let problems = refused(import(&store, zone, &rows, Some("  "), None).await);
    assert_eq!(at(&problems), vec![(3, "period"), (4, "period")]);
    assert_eq!(count(&store, "enterprise_statistics").await, 0);

    // With a reason the rows are written and keep it.
    assert_eq!(
        import(&store, zone, &rows, Some(" 审计调整 "), None)
            .await
            .unwrap(),
        summary(3, 0, 0)
    );
    let march = store
        .statistic_versions(&zone_scope(zone), e, Period::Month(2024, 3))
        .await
        .unwrap();
    assert_eq!(march.len(), 1);
    assert_eq!(march[0].reason.as_deref(), Some("审计调整"));
    let after = &audits(&store, "import_statistics").await[0].2;
    assert_eq!(after["reason"], "审计调整");

    // Opened again, a correction needs no reason; opening twice is a conflict.
    store
        .set_period_closed(&Actor::Cli, zone, Period::Year(2024), false)
        .await
        .unwrap();
    assert!(store.closed_periods(zone).await.unwrap().is_empty());
    assert!(matches!(
        store
            .set_period_closed(&Actor::Cli, zone, Period::Year(2024), false)
            .await,
        Err(StoreError::Conflict {
            field: "period",
            ..
        })
    ));
    assert_eq!(
        import(
            &store,
            zone,
            &file(&[line(a, "2024-03", "9", 40)]),
            None,
            None
        )
        .await
        .unwrap(),
        summary(0, 1, 0)
    );
    let march = store
        .statistic_versions(&zone_scope(zone), e, Period::Month(2024, 3))
        .await
        .unwrap();
    assert_eq!(
        march
            .iter()
            .map(|v| (v.version, v.reason.clone()))
            .collect::<Vec<_>>(),
        vec![(1, Some("审计调整".to_string())), (2, None)]
    );

    // Each change audited once, the refused ones not at all.
    let close = audits(&store, "close_period").await;
    let open = audits(&store, "open_period").await;
    assert_eq!(close.len(), 1);
    assert_eq!(open.len(), 1);
    assert_eq!(close[0].0, "2024");
    assert_eq!(close[0].2["closed"], true);
    assert_eq!(open[0].0, "2024");
    assert_eq!(
        (open[0].1["closed"].clone(), open[0].2["closed"].clone()),
        (serde_json::json!(true), serde_json::json!(false))
    );
}

// ---------------------------------------------------------------------------------------
// 4. The portal's own rows

async fn portal_only(store: Store) {
    let (zone, es) = zone_with(&store, "stat-portal", 'D', 2).await;
    let ((own, a), b) = (es[0].clone(), es[1].1.clone());
    let unknown = code('X', 998);
    let rows = file(&[
        line(&a, "2025-01", "10", 40),
        line(&b, "2025-01", "10", 40),
        line(&unknown, "2025-01", "10", 40),
    ]);
    let problems = refused(import(&store, zone, &rows, None, Some(own)).await);
    assert_eq!(at(&problems), vec![(3, "uscc"), (4, "uscc")]);
    // The other enterprise's code reads exactly as a code the zone does not hold.
    assert_eq!(
        problems[0].reason,
        Text::fill("rules.cluster.unknown_uscc", &[("uscc", &b)])
    );
    assert_eq!(
        problems[1].reason,
        Text::fill("rules.cluster.unknown_uscc", &[("uscc", &unknown)])
    );
    for lang in [
        luodi_domain::core::lang::Lang::Zh,
        luodi_domain::core::lang::Lang::En,
    ] {
        assert_eq!(
            problems[0].line(lang).replace(&b, "?").replace('3', "#"),
            problems[1]
                .line(lang)
                .replace(&unknown, "?")
                .replace('4', "#"),
        );
    }
    assert_eq!(count(&store, "enterprise_statistics").await, 0);

    // Its own rows go in; the zone's office may write the other's.
    assert_eq!(
        import(&store, zone, &rows[..1], None, Some(own))
            .await
            .unwrap(),
        summary(1, 0, 0)
    );
    assert_eq!(
        import(&store, zone, &rows[1..2], None, None).await.unwrap(),
        summary(1, 0, 0)
    );
    assert_eq!(count(&store, "enterprise_statistics").await, 2);
}

// ---------------------------------------------------------------------------------------
// 5. Scope

async fn scoped_reads(store: Store) {
    let (zone, es) = zone_with(&store, "stat-scope", 'E', 2).await;
    let (other_zone, others) = zone_with(&store, "stat-scope-2", 'F', 1).await;
    let (a, b) = (es[0].clone(), es[1].clone());
    import(
        &store,
        zone,
        &file(&[
            line(&a.1, "2025-01", "10", 40),
            line(&a.1, "2025-02", "10", 40),
            line(&a.1, "2024", "10", 40),
            line(&b.1, "2025-01", "10", 40),
        ]),
        None,
        None,
    )
    .await
    .unwrap();
    import(
        &store,
        other_zone,
        &file(&[line(&others[0].1, "2025-01", "10", 40)]),
        None,
        None,
    )
    .await
    .unwrap();
    let all = StatFilter::default();

    let zone_rows = store.statistics(&zone_scope(zone), &all).await.unwrap();
    assert_eq!(zone_rows.len(), 4);
    // Newest period first.
    assert_eq!(zone_rows.last().unwrap().period, "2024");

    let own = store
        .statistics(&enterprise_scope(zone, a.0), &all)
        .await
        .unwrap();
    assert_eq!(own.len(), 3);
    assert!(own.iter().all(|r| r.enterprise_id == a.0.0));
    // A filter for another enterprise under an enterprise scope finds nothing.
    let theirs = StatFilter {
        enterprise: Some(b.0),
        ..StatFilter::default()
    };
    assert!(
        store
            .statistics(&enterprise_scope(zone, a.0), &theirs)
            .await
            .unwrap()
            .is_empty()
    );
    // Another zone's scope sees its own rows only.
    assert!(
        store
            .statistics(&enterprise_scope(other_zone, a.0), &all)
            .await
            .unwrap()
            .is_empty()
    );
    let there = store
        .statistics(&zone_scope(other_zone), &all)
        .await
        .unwrap();
    assert_eq!(
        there.iter().map(|r| r.enterprise_id).collect::<Vec<_>>(),
        vec![others[0].0.0]
    );

    // The filters.
    let years = store
        .statistics(
            &zone_scope(zone),
            &StatFilter {
                annual: Some(true),
                ..StatFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        years.iter().map(|r| r.period.as_str()).collect::<Vec<_>>(),
        vec!["2024"]
    );
    let months_2025 = store
        .statistics(
            &zone_scope(zone),
            &StatFilter {
                year: Some(2025),
                annual: Some(false),
                ..StatFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(months_2025.len(), 3);
    assert_eq!(
        store.statistics(&zone_scope(zone), &theirs).await.unwrap()[0].enterprise_id,
        b.0.0
    );

    // Versions: an enterprise sees its own, not another's; another zone sees none.
    let jan = Period::Month(2025, 1);
    assert!(
        store
            .statistic_versions(&enterprise_scope(zone, a.0), b.0, jan)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .statistic_versions(&enterprise_scope(zone, b.0), b.0, jan)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .statistic_versions(&zone_scope(other_zone), a.0, jan)
            .await
            .unwrap()
            .is_empty()
    );
    // The zone's rows for a range of years.
    let mut rows = store.statistic_rows(zone, 2025..=2025).await.unwrap();
    rows.sort_by_key(|(e, p, _)| (*e, *p));
    assert_eq!(
        rows.iter().map(|(e, p, _)| (*e, *p)).collect::<Vec<_>>(),
        vec![
            (a.0.0, Period::Month(2025, 1)),
            (a.0.0, Period::Month(2025, 2)),
            (b.0.0, jan)
        ]
    );
}

// ---------------------------------------------------------------------------------------
// 6. Settings, years and targets

fn target(code: &str, value: i64, owner: Option<i64>) -> KpiTargetInput {
    KpiTargetInput {
        code: code.into(),
        figure: "entities".into(),
        name_zh: "市场主体数".into(),
        name_en: "Market entities".into(),
        definition_zh: "集群内登记的市场主体".into(),
        definition_en: "Market entities registered in the cluster".into(),
        owner_department_id: owner,
        baseline_year: 2024,
        baseline_value: 120,
        target_year: 2030,
        target_value: value,
        yellow_margin_bp: 200,
        alarm_growth_bp: Some(300),
        excellence_growth_bp: Some(1500),
    }
}

async fn settings_round_trip(store: Store) {
    let (zone, _) = zone_with(&store, "cluster-settings", 'G', 0).await;
    let (other_zone, _) = zone_with(&store, "cluster-settings-2", 'H', 0).await;
    let dept = store
        .ensure_department(&Actor::Cli, zone, "commerce", "商务局", "Commerce bureau")
        .await
        .unwrap()
        .0;
    let foreign = store
        .ensure_department(&Actor::Cli, other_zone, "commerce", "商务局", "Commerce")
        .await
        .unwrap()
        .0;

    // Settings: the defaults, then a round trip.
    let defaults = ClusterSettings {
        cluster: Cluster::default(),
        ramp: Ramp::default(),
        scheme: Scheme::default(),
        completion_department_id: None,
    };
    assert_eq!(store.cluster_settings(zone).await.unwrap(), defaults);
    assert_eq!(defaults.ramp, Ramp(vec![40, 80, 100]));
    let set = ClusterSettings {
        cluster: Cluster {
            classes: vec!["C27".into(), "C358".into()],
        },
        ramp: Ramp(vec![30, 60, 90, 100]),
        scheme: Scheme {
            method: Method::Benchmark { cap: 1.5 },
            revenue_line: Fen(3_000_000_000),
            bands: [20, 60, 90],
            ..Scheme::default()
        },
        completion_department_id: Some(dept),
    };
    store
        .set_cluster_settings(&Actor::Cli, zone, &set)
        .await
        .unwrap();
    assert_eq!(store.cluster_settings(zone).await.unwrap(), set);
    assert_eq!(store.cluster_settings(other_zone).await.unwrap(), defaults);
    let changed = ClusterSettings {
        ramp: Ramp(vec![50, 100]),
        completion_department_id: None,
        ..set.clone()
    };
    store
        .set_cluster_settings(&Actor::Cli, zone, &changed)
        .await
        .unwrap();
    assert_eq!(store.cluster_settings(zone).await.unwrap(), changed);
    let entries = audits(&store, "set_cluster_settings").await;
    assert_eq!(entries.len(), 2);
    assert_eq!(
        entries[0].1["completion_department_id"],
        serde_json::Value::Null
    );
    assert_eq!(entries[0].1["ramp"], serde_json::json!([40, 80, 100]));
    assert_eq!(entries[0].2["completion_department_id"], dept);
    assert_eq!(
        entries[0].2["cluster"]["classes"],
        serde_json::json!(["C27", "C358"])
    );
    assert_eq!(entries[1].1["ramp"], serde_json::json!([30, 60, 90, 100]));
    assert_eq!(entries[1].2["ramp"], serde_json::json!([50, 100]));

    // Years: added, read oldest first, changed.
    assert!(store.cluster_years(zone).await.unwrap().is_empty());
    let y2025 = YearKnown {
        year: 2025,
        declared_entities: Some(120),
        city: CityTotals {
            entities: Some(5_000),
            output: Some(Fen(900_000_000_000)),
            revenue: None,
            tax: Some(Fen(40_000_000_000)),
        },
    };
    let y2024 = YearKnown {
        year: 2024,
        declared_entities: None,
        city: CityTotals {
            entities: Some(4_800),
            ..CityTotals::default()
        },
    };
    store
        .set_cluster_year(&Actor::Cli, zone, &y2025)
        .await
        .unwrap();
    store
        .set_cluster_year(&Actor::Cli, zone, &y2024)
        .await
        .unwrap();
    assert_eq!(store.cluster_years(zone).await.unwrap(), vec![y2024, y2025]);
    let y2025b = YearKnown {
        declared_entities: Some(130),
        city: CityTotals {
            revenue: Some(Fen(1_000_000_000_000)),
            ..y2025.city
        },
        ..y2025
    };
    store
        .set_cluster_year(&Actor::Cli, zone, &y2025b)
        .await
        .unwrap();
    assert_eq!(
        store.cluster_years(zone).await.unwrap(),
        vec![y2024, y2025b]
    );
    assert!(store.cluster_years(other_zone).await.unwrap().is_empty());
    let entries = audits(&store, "set_cluster_year").await;
    assert_eq!(
        entries.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
        vec!["2025", "2024", "2025"]
    );
    assert_eq!(entries[0].1, serde_json::Value::Null, "nothing before");
    assert_eq!(entries[2].1["declared_entities"], 120);
    assert_eq!(entries[2].2["declared_entities"], 130);

    // Targets: added (version 1), changed (version 2), removed.
    assert!(store.kpi_targets(zone).await.unwrap().is_empty());
    store
        .put_kpi_targets(
            &Actor::Cli,
            zone,
            &[target("entities_2030", 200, Some(dept))],
            &[],
        )
        .await
        .unwrap();
    let held = store.kpi_targets(zone).await.unwrap();
    assert_eq!(held.len(), 1);
    let t = &held[0];
    assert_eq!(
        (
            t.code.as_str(),
            t.version,
            t.target_value,
            t.owner_department_id
        ),
        ("entities_2030", 1, 200, Some(dept))
    );
    assert_eq!(
        t.owner_department,
        Some(("商务局".to_string(), "Commerce bureau".to_string()))
    );
    assert_eq!(
        (t.baseline_year, t.target_year, t.alarm_growth_bp),
        (2024, 2030, Some(300))
    );
    store
        .put_kpi_targets(
            &Actor::Cli,
            zone,
            &[target("entities_2030", 250, None)],
            &[],
        )
        .await
        .unwrap();
    let held = store.kpi_targets(zone).await.unwrap();
    assert_eq!(
        (held.len(), held[0].version, held[0].target_value),
        (1, 2, 250)
    );
    assert_eq!(held[0].owner_department, None);

    // An owner department of another zone is refused and nothing is written.
    let audit = count(&store, "audit_log").await;
    let refused = store
        .put_kpi_targets(
            &Actor::Cli,
            zone,
            &[
                target("output_2030", 10, None),
                target("entities_2030", 300, Some(foreign)),
            ],
            &[],
        )
        .await;
    assert!(
        matches!(&refused, Err(StoreError::Conflict { field: "owner_department_id", value }) if *value == foreign.to_string()),
        "{refused:?}"
    );
    assert_eq!(store.kpi_targets(zone).await.unwrap(), held);
    assert_eq!(count(&store, "audit_log").await, audit);
    // So is removing a code the zone does not hold.
    assert!(matches!(
        store
            .put_kpi_targets(&Actor::Cli, zone, &[], &["none".to_string()])
            .await,
        Err(StoreError::NotFound)
    ));

    store
        .put_kpi_targets(&Actor::Cli, zone, &[], &["entities_2030".to_string()])
        .await
        .unwrap();
    assert!(store.kpi_targets(zone).await.unwrap().is_empty());
    let add = audits(&store, "add_target").await;
    let edit = audits(&store, "edit_target").await;
    let remove = audits(&store, "remove_target").await;
    assert_eq!((add.len(), edit.len(), remove.len()), (1, 1, 1));
    assert_eq!(add[0].0, "entities_2030");
    assert_eq!(add[0].2["target_value"], 200);
    assert_eq!(add[0].2["owner_department_id"], dept);
    assert_eq!(edit[0].1["version"], 1);
    assert_eq!(edit[0].1["target_value"], 200);
    assert_eq!(edit[0].2["target_value"], 250);
    assert_eq!(remove[0].1["version"], 2);
    assert_eq!(remove[0].2, serde_json::json!({}));
    assert!(store.verify_audit(None).await.unwrap().is_ok());
}

// ---------------------------------------------------------------------------------------
// 7. Post-completion checks

async fn completion_checks(store: Store) {
    let zone = demo::load(&store).await.unwrap().id;
    let (other_zone, _) = zone_with(&store, "completion-other", 'J', 0).await;
    let (enterprise, phase) = sinopharm(&store, zone).await;
    assert!(
        store.checkable_phases(zone).await.unwrap().is_empty(),
        "no phase of the demo is in production yet"
    );
    into_production(&store, zone, phase).await;

    let checkable = store.checkable_phases(zone).await.unwrap();
    assert_eq!(checkable.len(), 1, "{checkable:?}");
    let c = &checkable[0];
    assert_eq!((c.phase_id, c.enterprise_id), (phase, enterprise.0));
    assert_eq!(c.parcel_code, demo::SINOPHARM_PARCEL);
    assert_eq!(c.project, demo::SINOPHARM_PROJECT);
    // GX-2026-07's control indicators, as the demo's parcel file gives them.
    assert_eq!(
        c.controls,
        Requirements {
            investment_intensity: Some(250.0),
            tax_per_mu: Some(20.0),
            output_per_mu: Some(400.0),
            energy_per_value_added: Some(0.35),
        }
    );
    let parcel = store
        .parcel_by_code(zone, demo::SINOPHARM_PARCEL)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(parcel.handed_phase_id, Some(phase));
    assert!(
        (c.land_mu - parcel.area_mu).abs() < 1e-3,
        "{} vs {}",
        c.land_mu,
        parcel.area_mu
    );
    // Phase 1's own investment (15 亿元) and the project's promise (5 亿元 of tax) per mu.
    assert_eq!(c.investment_wan, 150_000.0);
    let per_mu = |wan: f64| wan / c.land_mu;
    assert!((c.promised.investment_intensity.unwrap() - per_mu(150_000.0)).abs() < 1e-6);
    assert!((c.promised.tax_per_mu.unwrap() - per_mu(50_000.0)).abs() < 1e-6);
    assert!((c.promised.output_per_mu.unwrap() - per_mu(1_000_000.0)).abs() < 1e-6);
    assert_eq!(c.in_production_on, Some(zone_today()));
    assert!(c.construction_started_on.is_some());

    // A failed check is kept once.
    let actuals = Actuals {
        investment_wan: c.investment_wan,
        land_mu: c.land_mu,
        tax_wan: 100.0,
        output_wan: 5_000.0,
        value_added_wan: 2_000.0,
        energy_tce: 300.0,
    };
    let check = completion::check(&c.controls, &c.promised, &actuals);
    assert!(!check.passed);
    let (id, new) = store
        .record_completion_check(&Actor::Cli, zone, phase, 2027, &check)
        .await
        .unwrap();
    assert!(new);
    assert_eq!(
        store
            .record_completion_check(&Actor::Cli, zone, phase, 2027, &check)
            .await
            .unwrap(),
        (id, false),
        "the same check again is nothing new"
    );
    assert_eq!(count(&store, "completion_checks").await, 1);
    let failed = audits(&store, "completion_failed").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].0, phase.to_string());
    assert_eq!(failed[0].2["year"], 2027);

    // The blocker it opened, noted once.
    let blockers: Vec<i64> = store
        .blockers(&zone_scope(zone), &BlockerFilter::default())
        .await
        .unwrap()
        .iter()
        .map(|b| b.id)
        .collect();
    assert!(blockers.len() >= 2);
    store.set_completion_blocker(id, blockers[0]).await.unwrap();
    store.set_completion_blocker(id, blockers[1]).await.unwrap();

    // The enterprise sees its own check; another enterprise does not.
    let own = store
        .completion_checks(&enterprise_scope(zone, enterprise))
        .await
        .unwrap();
    assert_eq!(own.len(), 1);
    let r = &own[0];
    assert_eq!(
        (r.id, r.phase_id, r.enterprise_id, r.year, r.passed),
        (id, phase, enterprise.0, 2027, false)
    );
    assert_eq!(r.blocker_id, Some(blockers[0]), "the first blocker stays");
    // Read back to the last bit: its verdicts' numbers (99.8 % short) are the ones written.
    assert_eq!(r.check, check);
    assert_eq!(r.explanation, None);
    let other = store
        .enterprise_by_uscc(zone, demo::demo_uscc(1).as_str())
        .await
        .unwrap()
        .unwrap()
        .id;
    assert!(
        store
            .completion_checks(&enterprise_scope(zone, other))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .completion_checks(&zone_scope(other_zone))
            .await
            .unwrap()
            .is_empty()
    );

    // Explained once; then a conflict; another zone does not find it.
    store
        .explain_completion(&Actor::Cli, zone, id, " 原料断供，已恢复 ")
        .await
        .unwrap();
    assert!(matches!(
        store
            .explain_completion(&Actor::Cli, zone, id, "again")
            .await,
        Err(StoreError::Conflict {
            field: "explanation",
            ..
        })
    ));
    assert!(matches!(
        store
            .explain_completion(&Actor::Cli, other_zone, id, "theirs")
            .await,
        Err(StoreError::NotFound)
    ));
    let r = &store.completion_checks(&zone_scope(zone)).await.unwrap()[0];
    assert_eq!(r.explanation.as_deref(), Some("原料断供，已恢复"));
    assert_eq!(r.explained_by.as_deref(), Some("cli"));
    assert!(r.explained_at.is_some());
    let explained = audits(&store, "explain_completion").await;
    assert_eq!(explained.len(), 1);
    assert_eq!(explained[0].2["explanation"], "原料断供，已恢复");

    // An explained check is not replaced by a later one for its year.
    let better = completion::check(
        &c.controls,
        &c.promised,
        &Actuals {
            tax_wan: 200.0,
            ..actuals
        },
    );
    assert_eq!(
        store
            .record_completion_check(&Actor::Cli, zone, phase, 2027, &better)
            .await
            .unwrap(),
        (id, false)
    );
    assert_eq!(
        store.completion_checks(&zone_scope(zone)).await.unwrap()[0].check,
        check
    );
    // A passed check has nothing to explain.
    let passed = completion::check(&Requirements::default(), &Requirements::default(), &actuals);
    assert!(passed.passed);
    let (pid, new) = store
        .record_completion_check(&Actor::Cli, zone, phase, 2028, &passed)
        .await
        .unwrap();
    assert!(new && pid != id);
    assert!(matches!(
        store.explain_completion(&Actor::Cli, zone, pid, "x").await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(audits(&store, "completion_passed").await.len(), 1);
    let years: Vec<i32> = store
        .completion_checks(&zone_scope(zone))
        .await
        .unwrap()
        .iter()
        .map(|r| r.year)
        .collect();
    assert_eq!(years, vec![2028, 2027], "newest year first");
    // The checks' audit entries hold their verdicts' numbers and still verify.
    let verified = store.verify_audit(None).await.unwrap();
    assert!(verified.is_ok(), "{verified:?}");
}

// ---------------------------------------------------------------------------------------
// 8. The days a phase reached construction and production

/// A course imported (what already happened to a list) starts construction on the day its
/// construction-start item was approved, not on the day it is imported: the history the
/// demo plays and the post-completion check's due date read that day.
async fn course_days(store: Store) {
    let zone = demo::load(&store).await.unwrap().id;
    let (_, phase) = sinopharm(&store, zone).await;
    store
        .import_course(
            &Actor::Cli,
            &zone_scope(zone),
            phase,
            &vec![
                approved("SG06", "2024-10-20"),
                approved("SG07", "2024-11-04"),
                approved("YS03", "2025-12-10"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        phase_status(&store, zone, phase).await,
        PhaseStatus::CompletionAccepted
    );
    assert_eq!(
        phase_days(&store, phase).await,
        (Some("2024-11-04".to_string()), None)
    );
}

/// Writing the targets as they are changes none of them: no version, no audit entry.
async fn targets_unchanged(store: Store) {
    let zone = demo::load(&store).await.unwrap();
    demo::load_cluster(&store, &zone).await.unwrap();
    let held = store.kpi_targets(zone.id).await.unwrap();
    assert_eq!(held.len(), 3);
    let again: Vec<luodi_store::cluster::settings::KpiTargetInput> = held
        .iter()
        .map(|t| luodi_store::cluster::settings::KpiTargetInput {
            code: t.code.clone(),
            figure: t.figure.clone(),
            name_zh: t.name_zh.clone(),
            name_en: t.name_en.clone(),
            definition_zh: t.definition_zh.clone(),
            definition_en: t.definition_en.clone(),
            owner_department_id: t.owner_department_id,
            baseline_year: t.baseline_year,
            baseline_value: t.baseline_value,
            target_year: t.target_year,
            target_value: t.target_value,
            yellow_margin_bp: t.yellow_margin_bp,
            alarm_growth_bp: t.alarm_growth_bp,
            excellence_growth_bp: t.excellence_growth_bp,
        })
        .collect();
    let audited = count(&store, "audit_log").await;
    store
        .put_kpi_targets(&Actor::Cli, zone.id, &again, &[])
        .await
        .unwrap();
    assert_eq!(store.kpi_targets(zone.id).await.unwrap(), held);
    assert_eq!(count(&store, "audit_log").await, audited);
}

async fn phase_dates(store: Store) {
    let zone = demo::load(&store).await.unwrap().id;
    let (enterprise, phase) = sinopharm(&store, zone).await;
    assert_eq!(phase_days(&store, phase).await, (None, None));
    let lifecycles = store.enterprise_lifecycles(zone).await.unwrap();
    assert_eq!(lifecycles[&enterprise.0], (None, false));

    // The permit is not construction.
    store
        .import_course(
            &Actor::Cli,
            &zone_scope(zone),
            phase,
            &vec![approved("SG06", "2026-10-20")],
        )
        .await
        .unwrap();
    assert_eq!(
        phase_status(&store, zone, phase).await,
        PhaseStatus::ConstructionPermit
    );
    assert_eq!(phase_days(&store, phase).await, (None, None));

    // Moved by hand to construction started: the zone's day.
    let before = zone_today();
    store
        .move_phase(
            &Actor::Cli,
            zone,
            phase,
            PhaseStatus::ConstructionStarted,
            None,
        )
        .await
        .unwrap();
    let (started, produced) = phase_days(&store, phase).await;
    let started = day(&started.expect("construction started on"));
    assert!(started == before || started == zone_today(), "{started}");
    assert_eq!(produced, None);
    assert_eq!(
        store.enterprise_lifecycles(zone).await.unwrap()[&enterprise.0],
        (None, true),
        "under construction, not in production"
    );

    // A later move keeps the first day: the start is put back to an earlier day, as if
    // it had been reached then, and survives completion and production.
    sqlx::query("UPDATE project_phases SET construction_started_on = $1 WHERE id = $2")
        .bind("2026-11-02")
        .bind(phase)
        .execute(store.pool())
        .await
        .unwrap();
    store
        .import_course(
            &Actor::Cli,
            &zone_scope(zone),
            phase,
            &vec![approved("YS03", "2026-11-10")],
        )
        .await
        .unwrap();
    assert_eq!(
        phase_status(&store, zone, phase).await,
        PhaseStatus::CompletionAccepted
    );
    assert_eq!(
        phase_days(&store, phase).await,
        (Some("2026-11-02".to_string()), None)
    );
    let before = zone_today();
    store
        .move_phase(&Actor::Cli, zone, phase, PhaseStatus::InProduction, None)
        .await
        .unwrap();
    let (started, produced) = phase_days(&store, phase).await;
    assert_eq!(started.as_deref(), Some("2026-11-02"));
    let produced = day(&produced.expect("in production on"));
    assert!(produced == before || produced == zone_today(), "{produced}");

    // The evaluation reads them: in production since that day, nothing else building.
    assert_eq!(
        store.enterprise_lifecycles(zone).await.unwrap()[&enterprise.0],
        (Some(produced), false)
    );
    let checkable = store.checkable_phases(zone).await.unwrap();
    assert_eq!(
        (
            checkable[0].construction_started_on,
            checkable[0].in_production_on
        ),
        (Some(day("2026-11-02")), Some(produced))
    );

    // And the land: the parcels handed to each enterprise's phases.
    let land = store.enterprise_land(zone).await.unwrap();
    let parcel = store
        .parcel_by_code(zone, demo::SINOPHARM_PARCEL)
        .await
        .unwrap()
        .unwrap();
    assert!(
        (land[&enterprise.0].0 - Mu::from_mu(parcel.area_mu).0).abs() <= 1,
        "{:?} vs {} mu",
        land[&enterprise.0],
        parcel.area_mu
    );
    // AstraZeneca's four past phases were handed 80 + 45 + 90 + 70 mu.
    let az = store
        .enterprise_by_uscc(zone, demo::demo_uscc(1).as_str())
        .await
        .unwrap()
        .unwrap()
        .id;
    let az_mu = land[&az.0].mu();
    assert!((az_mu - 285.0).abs() < 285.0 * 0.01, "{az_mu}");
}

/// The cluster's figures read each enterprise's year as the database adds it up; it must
/// be the year the rules make of the same rows: its own row where there is one (even
/// beside months), twelve months added up (employees averaged), nothing when months are
/// missing.
async fn year_sums(store: Store) {
    let (zone, es) = zone_with(&store, "sums", 'K', 3).await;
    let mut lines = Vec::new();
    for m in 1..=12 {
        lines.push(line(
            &es[0].1,
            &format!("2025-{m:02}"),
            &format!("{m}.25"),
            10 + m,
        ));
        if m != 7 {
            lines.push(line(&es[2].1, &format!("2025-{m:02}"), "1", 5));
        }
    }
    lines.push(line(&es[1].1, "2025", "99.000001", 41));
    lines.push(line(&es[1].1, "2025-01", "1", 1));
    lines.push(line(&es[0].1, "2024", "7", 3));
    let rows = file(&lines);
    import(&store, zone, &rows, None, None).await.unwrap();
    let sums = store.statistic_year_sums(zone, 2025..=2025).await.unwrap();
    assert_eq!(sums.len(), 3, "one line an enterprise and year in range");
    for (e, _) in &es {
        let own: Vec<(Period, Figures)> = rows
            .iter()
            .filter(|r| store_id(&es, &r.uscc) == *e)
            .map(|r| (r.period, r.figures))
            .collect();
        let rules = luodi_domain::cluster::statistics::year_figures(2025, &own);
        let sum = sums.iter().find(|s| s.enterprise_id == e.0).unwrap();
        assert_eq!(sum.figures(), rules.figures().copied(), "enterprise {e:?}");
    }
    let a = sums.iter().find(|s| s.enterprise_id == es[0].0.0).unwrap();
    assert_eq!(a.months, 12);
    // 1.25 + 2.25 + … + 12.25 万元 = 81 万元; (11 + … + 22) / 12 = 16.5 → 17.
    assert_eq!(a.figures().unwrap().tax, Fen(81_000_000));
    assert_eq!(a.figures().unwrap().employees, 17);
    let b = sums.iter().find(|s| s.enterprise_id == es[1].0.0).unwrap();
    assert_eq!(
        b.figures().unwrap().tax,
        Fen(99_000_001),
        "the year's own row wins"
    );
    let c = sums.iter().find(|s| s.enterprise_id == es[2].0.0).unwrap();
    assert_eq!((c.months, c.figures()), (11, None));
}

/// What [`Store::statistic_year_sums`] says of the zone's years against the rules' year
/// of the current rows, enterprise by enterprise: equal, or the first that differs.
async fn sums_agree(store: &Store, zone: ZoneId, years: std::ops::RangeInclusive<i32>) -> usize {
    let rows = store.statistic_rows(zone, years.clone()).await.unwrap();
    let mut own: std::collections::BTreeMap<(i64, i32), Vec<(Period, Figures)>> =
        Default::default();
    for (e, p, f) in rows {
        own.entry((e, p.year())).or_default().push((p, f));
    }
    let sums = store.statistic_year_sums(zone, years).await.unwrap();
    assert_eq!(sums.len(), own.len(), "one sum an enterprise and year held");
    for s in &sums {
        let rules = luodi_domain::cluster::statistics::year_figures(
            s.year,
            &own[&(s.enterprise_id, s.year)],
        );
        let months = own[&(s.enterprise_id, s.year)]
            .iter()
            .filter(|(p, _)| matches!(p, Period::Month(..)))
            .count();
        assert_eq!(
            (s.figures(), s.months as usize),
            (rules.figures().copied(), months),
            "enterprise {} year {}",
            s.enterprise_id,
            s.year
        );
    }
    sums.len()
}

/// The database's totals of the zone's years by industry code
/// ([`Store::statistic_year_totals`]) against the kept sums added up here with
/// [`YearSum::figures`], code by code: the same counts and money, year by year.
async fn totals_agree(store: &Store, zone: ZoneId, codes: &[(EnterpriseId, Option<String>)]) {
    let totals = store
        .statistic_year_totals(zone, 2024..=2025)
        .await
        .unwrap();
    let sums = store.statistic_year_sums(zone, 2024..=2025).await.unwrap();
    let mut listed = 0;
    for year in 2024..=2025 {
        let mut distinct: Vec<&Option<String>> = codes.iter().map(|(_, c)| c).collect();
        distinct.sort();
        distinct.dedup();
        for code in distinct {
            let of_year: Vec<_> = sums
                .iter()
                .filter(|s| {
                    s.year == year
                        && codes
                            .iter()
                            .any(|(e, c)| e.0 == s.enterprise_id && c == code)
                })
                .collect();
            let complete: Vec<Figures> = of_year.iter().filter_map(|s| s.figures()).collect();
            let got = totals.iter().find(|(c, t)| c == code && t.year == year);
            if of_year.is_empty() {
                assert!(
                    got.is_none(),
                    "{year} {code:?}: a year nobody has is not listed"
                );
                continue;
            }
            listed += 1;
            let got = got.unwrap().1;
            assert_eq!(
                (got.counted, got.reporting, got.output, got.revenue, got.tax),
                (
                    of_year.len() as i64,
                    complete.len() as i64,
                    Fen(complete.iter().map(|f| f.output.0).sum()),
                    Fen(complete.iter().map(|f| f.revenue.0).sum()),
                    Fen(complete.iter().map(|f| f.tax.0).sum()),
                ),
                "{year} {code:?}"
            );
        }
    }
    assert_eq!(listed, totals.len(), "nothing listed besides");
}

/// The sums each import keeps in its transaction stay the rules' years of the rows held
/// through imports that add, correct, leave alone and refuse, at random; and the
/// migration that made the table fills it the same from rows already held.
async fn year_sums_kept(store: Store) {
    use rand::{Rng, SeedableRng};
    let (zone, es) = zone_with(&store, "kept", 'L', 4).await;
    // Two enterprises of one industry, one of another, one that states none.
    let mut codes = Vec::new();
    for (i, (e, uscc)) in es.iter().enumerate() {
        let code = [Some("2761"), Some("2761"), Some("3581"), None][i];
        let draft = EnterpriseDraft::parse(&EnterpriseInput {
            uscc: uscc.clone(),
            name: format!("kept 企业 {i}"),
            industry_code: code.map(str::to_string),
            ..Default::default()
        })
        .unwrap();
        let stored = store
            .update_enterprise(&Actor::Cli, &zone_scope(zone), *e, &draft, None)
            .await
            .unwrap();
        codes.push((*e, stored.industry_code));
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
    let periods: Vec<String> = (2024..=2025)
        .flat_map(|y| {
            std::iter::once(y.to_string()).chain((1..=12).map(move |m| format!("{y}-{m:02}")))
        })
        .collect();
    for round in 0..12 {
        let mut lines = Vec::new();
        let mut seen = std::collections::HashSet::new();
        if round == 0 {
            // One year made of all twelve months, which later rounds correct.
            for m in 1..=12 {
                let period = format!("2025-{m:02}");
                seen.insert((es[0].1.clone(), period.clone()));
                lines.push(line(&es[0].1, &period, "3.5", 20 + m));
            }
        }
        for _ in 0..rng.random_range(1..40) {
            let (_, uscc) = &es[rng.random_range(0..es.len())];
            let period = &periods[rng.random_range(0..periods.len())];
            if seen.insert((uscc.clone(), period.clone())) {
                let tax = format!(
                    "{}.{:02}",
                    rng.random_range(0..50),
                    rng.random_range(0..100)
                );
                lines.push(line(uscc, period, &tax, rng.random_range(1..90)));
            }
        }
        let rows = file(&lines);
        if round % 5 == 4 {
            // A refused file (an unknown code beside the rows) changes no sum.
            let before = store.statistic_year_sums(zone, 2024..=2025).await.unwrap();
            let mut bad = lines.clone();
            bad.push(line(&code('Y', 9), "2025-01", "1", 1));
            refused(import(&store, zone, &file(&bad), None, None).await);
            let mut after = store.statistic_year_sums(zone, 2024..=2025).await.unwrap();
            let mut before = before;
            before.sort_by_key(|s| (s.enterprise_id, s.year));
            after.sort_by_key(|s| (s.enterprise_id, s.year));
            assert_eq!(
                before, after,
                "round {round}: a refused file changed the sums"
            );
        }
        import(&store, zone, &rows, None, None).await.unwrap();
        sums_agree(&store, zone, 2024..=2025).await;
        totals_agree(&store, zone, &codes).await;
    }
    // The migration's own filling, from the rows held, gives the same sums.
    let kept = {
        let mut s = store.statistic_year_sums(zone, 2024..=2025).await.unwrap();
        s.sort_by_key(|s| (s.enterprise_id, s.year));
        s
    };
    sqlx::query("DROP TABLE statistic_year_sums")
        .execute(store.pool())
        .await
        .unwrap();
    let m = luodi_store::MIGRATIONS
        .iter()
        .find(|m| m.version == 22)
        .unwrap();
    let sql = match store.backend() {
        Backend::Sqlite => m.sqlite,
        Backend::Postgres => m.postgres,
    };
    let sql = &sql[sql.find("CREATE TABLE statistic_year_sums").unwrap()..];
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(store.pool())
        .await
        .unwrap();
    let mut filled = store.statistic_year_sums(zone, 2024..=2025).await.unwrap();
    filled.sort_by_key(|s| (s.enterprise_id, s.year));
    assert_eq!(filled, kept);
    assert!(sums_agree(&store, zone, 2024..=2025).await > 4);
}

/// Twelve imports at once, each of one month of the same enterprise's year (and one of
/// another enterprise's): each import sums the year from the rows it read, so none may
/// read before another commits; every month is in the sums after.
async fn year_sums_concurrent(store: Store) {
    let (zone, es) = zone_with(&store, "racing", 'M', 2).await;
    let imports = (1..=12).map(|m| {
        let store = store.clone();
        let lines = vec![
            line(&es[0].1, &format!("2025-{m:02}"), "1", 10),
            line(&es[1].1, &format!("2024-{m:02}"), "2", 20),
        ];
        async move { import(&store, zone, &file(&lines), None, None).await }
    });
    for done in futures_join_all(imports).await {
        done.unwrap();
    }
    let sums = store.statistic_year_sums(zone, 2024..=2025).await.unwrap();
    assert_eq!(sums.len(), 2);
    assert!(sums.iter().all(|s| s.months == 12), "{sums:?}");
    sums_agree(&store, zone, 2024..=2025).await;
}

/// Runs the futures at once (on tasks of their own) and returns their outputs in order.
async fn futures_join_all<F>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let tasks: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

fn store_id(es: &[(EnterpriseId, String)], uscc: &str) -> EnterpriseId {
    es.iter().find(|(_, u)| u == uscc).unwrap().0
}
