//! Applies the migrations to an empty SQLite and an empty PostgreSQL database and
//! compares the resulting schemas: same tables, same columns in the same order, same
//! (normalised) types and nullability, same unique keys, same foreign keys.

use std::collections::BTreeMap;

use luodi_store::testing::TestDb;
use luodi_store::{Backend, Store};
use sqlx::Row;

type Schema = BTreeMap<String, Vec<(String, &'static str, bool)>>;

fn normalise(ty: &str) -> &'static str {
    match ty.to_ascii_lowercase().as_str() {
        "integer" | "bigint" => "integer",
        "text" => "text",
        // Files (a blocker's attachments): SQLite's BLOB is PostgreSQL's BYTEA.
        "blob" | "bytea" => "bytes",
        other => {
            panic!("column type {other} is not one of the portable types (integer, text, bytes)")
        }
    }
}

async fn sqlite_schema(store: &Store) -> (Schema, Vec<String>) {
    let mut schema = Schema::new();
    let tables = sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .fetch_all(store.pool())
        .await
        .unwrap();
    let mut uniques = Vec::new();
    for t in tables {
        let name: String = t.get("name");
        let cols = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT name, type, \"notnull\" AS nn, pk FROM pragma_table_info('{name}') ORDER BY cid"
        )))
        .fetch_all(store.pool())
        .await
        .unwrap();
        schema.insert(
            name.clone(),
            cols.iter()
                .map(|c| {
                    let pk = c.get::<i64, _>("pk") > 0;
                    (
                        c.get("name"),
                        normalise(&c.get::<String, _>("type")),
                        c.get::<i64, _>("nn") == 1 || pk,
                    )
                })
                .collect(),
        );
        let idx = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT name, \"unique\" AS u FROM pragma_index_list('{name}')"
        )))
        .fetch_all(store.pool())
        .await
        .unwrap();
        for i in idx.iter().filter(|i| i.get::<i64, _>("u") == 1) {
            let iname: String = i.get("name");
            let cols = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT name FROM pragma_index_info('{iname}') ORDER BY seqno"
            )))
            .fetch_all(store.pool())
            .await
            .unwrap();
            let cols: Vec<String> = cols.iter().map(|c| c.get("name")).collect();
            uniques.push(format!("{name}({})", cols.join(",")));
        }
        // SQLite's INTEGER PRIMARY KEY is the rowid, not an index: count it as unique.
        let pks = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT name FROM pragma_table_info('{name}') WHERE pk > 0 ORDER BY pk"
        )))
        .fetch_all(store.pool())
        .await
        .unwrap();
        let pks: Vec<String> = pks.iter().map(|c| c.get("name")).collect();
        let entry = format!("{name}({})", pks.join(","));
        if !uniques.contains(&entry) {
            uniques.push(entry);
        }
    }
    uniques.sort();
    (schema, uniques)
}

async fn postgres_schema(store: &Store) -> (Schema, Vec<String>) {
    let mut schema = Schema::new();
    let cols = sqlx::query(
        "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS ty, is_nullable::text AS n
         FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    for c in cols {
        schema.entry(c.get("t")).or_default().push((
            c.get("c"),
            normalise(&c.get::<String, _>("ty")),
            c.get::<String, _>("n") == "NO",
        ));
    }
    let idx = sqlx::query(
        "SELECT t.relname::text AS t, array_to_string(array(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, o)
              JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.o), ',') AS cols
         FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE n.nspname = 'public' AND ix.indisunique",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    let mut uniques: Vec<String> = idx
        .iter()
        .map(|r| {
            format!(
                "{}({})",
                r.get::<String, _>("t"),
                r.get::<String, _>("cols")
            )
        })
        .collect();
    uniques.sort();
    (schema, uniques)
}

/// Every foreign key as `table(columns) -> parent(columns)`, sorted.
async fn sqlite_foreign_keys(store: &Store) -> Vec<String> {
    let tables = sqlx::query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    let mut out = Vec::new();
    for t in tables {
        let name: String = t.get("name");
        let keys = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, \"table\" AS parent, \"from\" AS c, \"to\" AS p FROM pragma_foreign_key_list('{name}') ORDER BY id, seq"
        )))
        .fetch_all(store.pool())
        .await
        .unwrap();
        let mut by_id: BTreeMap<i64, (String, Vec<String>, Vec<String>)> = BTreeMap::new();
        for k in keys {
            let e = by_id
                .entry(k.get("id"))
                .or_insert_with(|| (k.get("parent"), vec![], vec![]));
            e.1.push(k.get("c"));
            e.2.push(k.get("p"));
        }
        for (parent, cols, to) in by_id.into_values() {
            out.push(format!(
                "{name}({}) -> {parent}({})",
                cols.join(","),
                to.join(",")
            ));
        }
    }
    out.sort();
    out
}

async fn postgres_foreign_keys(store: &Store) -> Vec<String> {
    let keys = sqlx::query(
        "SELECT t.relname::text AS t, p.relname::text AS parent,
                array_to_string(array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o), ',') AS cols,
                array_to_string(array(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, o)
                    JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o), ',') AS refs
         FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class p ON p.oid = c.confrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE c.contype = 'f' AND n.nspname = 'public'",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    let mut out: Vec<String> = keys
        .iter()
        .map(|k| {
            format!(
                "{}({}) -> {}({})",
                k.get::<String, _>("t"),
                k.get::<String, _>("cols"),
                k.get::<String, _>("parent"),
                k.get::<String, _>("refs")
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn sqlite_and_postgres_schemas_match() {
    let lite = TestDb::new(Backend::Sqlite).await.unwrap();
    let Some(pg) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let (s1, s2) = (
        Store::open(&lite.url).await.unwrap(),
        Store::open(&pg.url).await.unwrap(),
    );
    let (lite_schema, lite_unique) = sqlite_schema(&s1).await;
    let (pg_schema, pg_unique) = postgres_schema(&s2).await;
    assert!(lite_schema.contains_key("enterprises") && lite_schema.contains_key("audit_log"));
    assert_eq!(
        lite_schema.keys().collect::<Vec<_>>(),
        pg_schema.keys().collect::<Vec<_>>(),
        "tables differ"
    );
    for (table, cols) in &lite_schema {
        assert_eq!(
            cols, &pg_schema[table],
            "columns of {table} differ (name, type, not null)"
        );
    }
    assert_eq!(lite_unique, pg_unique, "unique keys differ");
    let (lite_fk, pg_fk) = (
        sqlite_foreign_keys(&s1).await,
        postgres_foreign_keys(&s2).await,
    );
    assert!(
        lite_fk.contains(
            &"enterprise_statistics(zone_id,enterprise_id) -> enterprises(zone_id,id)".to_string()
        ),
        "{lite_fk:?}"
    );
    assert_eq!(lite_fk, pg_fk, "foreign keys differ");
    s1.close().await;
    s2.close().await;
    lite.drop_db().await;
    pg.drop_db().await;
}
