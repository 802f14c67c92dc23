//! Rows bound in bulk (`luodi_store::bulk`) read back as they were given, on SQLite and
//! PostgreSQL alike: integers at their limits, nulls, and text that means something to
//! JSON or to an array literal (quotes, backslashes, commas, braces, the word NULL,
//! spaces, the empty string, Chinese).

use luodi_store::bulk::{Bulk, Cell};
use luodi_store::testing::TestDb;
use luodi_store::{Backend, SqlType, Store};
use sqlx::Row;

async fn round_trip(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let store = Store::open(&db.url).await.unwrap();
    const COLUMNS: [(&str, SqlType); 3] = [
        ("n", SqlType::Integer),
        ("t", SqlType::Text),
        ("m", SqlType::Integer),
    ];
    let texts = [
        "plain",
        "with \"quotes\"",
        "back\\slash\\",
        "a,b",
        "{braces}",
        "NULL",
        "null",
        " spaced ",
        "",
        "企业 2025-03",
        "tab\tand\nnewline",
    ];
    let given: Vec<(i64, &str, Option<i64>)> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let n = match i {
                0 => i64::MIN,
                1 => i64::MAX,
                _ => i as i64 - 5,
            };
            (n, *t, (i % 3 != 0).then_some(i as i64 * 1_000_000_007))
        })
        .collect();
    let mut bulk = Bulk::new(store.backend(), &COLUMNS);
    for (n, t, m) in &given {
        bulk.push(&[Cell::Int(*n), Cell::Text(t), (*m).into()]);
    }
    assert_eq!(bulk.len(), texts.len());
    let sql = format!(
        "SELECT n, t, m FROM ({}) AS given",
        store.backend().bulk_select(1, &COLUMNS)
    );
    let rows = bulk
        .bind(sqlx::query(sqlx::AssertSqlSafe(sql.clone())))
        .fetch_all(store.pool())
        .await
        .unwrap();
    let back: Vec<(i64, String, Option<i64>)> = rows
        .iter()
        .map(|r| (r.get("n"), r.get("t"), r.get("m")))
        .collect();
    let given: Vec<(i64, String, Option<i64>)> = given
        .into_iter()
        .map(|(n, t, m)| (n, t.to_string(), m))
        .collect();
    assert_eq!(back, given, "in order and unchanged");
    let none = Bulk::new(store.backend(), &COLUMNS)
        .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert!(none.is_empty(), "no rows bound, no rows read");
    store.close().await;
    db.drop_db().await;
}

#[tokio::test]
async fn sqlite_reads_back_what_was_bound() {
    round_trip(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_reads_back_what_was_bound() {
    round_trip(Backend::Postgres).await;
}
