//! Throw-away databases for tests, on both backends. Each test gets its own SQLite file
//! or PostgreSQL database, so tests run in parallel without seeing each other.
//!
//! PostgreSQL comes from `LUODI_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). When `LUODI_TEST_SKIP_POSTGRES=1` (set by
//! `scripts/test` only when the server is unreachable and CI is not set) the PostgreSQL
//! half of each test is skipped and says so; otherwise an unreachable server fails it.

use std::path::PathBuf;

use sqlx::{AssertSqlSafe, Connection};

use crate::Backend;

pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    Database { admin_url: String, name: String },
}

fn admin_url() -> String {
    std::env::var("LUODI_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub fn postgres_skipped() -> bool {
    std::env::var("LUODI_TEST_SKIP_POSTGRES").is_ok_and(|v| v == "1")
}

fn unique_name() -> String {
    format!(
        "luodi_t_{}_{}",
        std::process::id(),
        hex::encode(rand::random::<[u8; 6]>())
    )
}

impl TestDb {
    /// A new empty database of the given kind; `None` when PostgreSQL is skipped.
    pub async fn new(backend: Backend) -> Option<TestDb> {
        sqlx::any::install_default_drivers();
        match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{}.db", unique_name()));
                Some(TestDb {
                    url: format!("sqlite://{}", path.display()),
                    backend,
                    cleanup: Cleanup::File(path),
                })
            }
            Backend::Postgres => {
                if postgres_skipped() {
                    eprintln!("SKIPPED on PostgreSQL: LUODI_TEST_SKIP_POSTGRES=1");
                    return None;
                }
                Some(TestDb::postgres().await.unwrap_or_else(|e| panic!("{e}")))
            }
        }
    }

    /// A new empty PostgreSQL database, or why there is none (the server unreachable, or
    /// refusing to make it): for the benchmarks, which print the reason instead of
    /// failing.
    pub async fn postgres() -> Result<TestDb, String> {
        sqlx::any::install_default_drivers();
        let admin = admin_url();
        let name = unique_name();
        let mut conn = sqlx::AnyConnection::connect(&admin).await.map_err(|e| {
            format!(
                "PostgreSQL at {} is not reachable: {e}",
                crate::url_without_secret(&admin)
            )
        })?;
        let made = sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await;
        let _ = conn.close().await;
        made.map_err(|e| format!("cannot create a test database: {e}"))?;
        let base = admin
            .rsplit_once('/')
            .map(|(b, _)| b.to_string())
            .unwrap_or(admin.clone());
        Ok(TestDb {
            url: format!("{base}/{name}"),
            backend: Backend::Postgres,
            cleanup: Cleanup::Database {
                admin_url: admin,
                name,
            },
        })
    }

    /// Removes the database. Call at the end of a test (a panic leaves it for inspection).
    pub async fn drop_db(self) {
        match self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Database { admin_url, name } => {
                if let Ok(mut conn) = sqlx::AnyConnection::connect(&admin_url).await {
                    let _ = sqlx::raw_sql(AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut conn)
                    .await;
                    let _ = conn.close().await;
                }
            }
        }
    }
}

/// Empties the statistics table, every zone's rows and versions: the statistics
/// benchmark imports into an empty table on every run.
pub async fn empty_statistics(store: &crate::Store) -> crate::Result<()> {
    let sql = match store.backend() {
        Backend::Postgres => "TRUNCATE enterprise_statistics, statistic_year_sums",
        Backend::Sqlite => "DELETE FROM enterprise_statistics",
    };
    sqlx::query(sql).execute(store.pool()).await?;
    if store.backend() == Backend::Sqlite {
        sqlx::query("DELETE FROM statistic_year_sums")
            .execute(store.pool())
            .await?;
    }
    Ok(())
}
