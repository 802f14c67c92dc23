//! Applies the numbered SQL migrations of `migrations/` (embedded at build time) in one
//! locked transaction, recording each file's SHA-256 so an edited migration is refused.

use sha2::{Digest, Sha256};
use sqlx::{AssertSqlSafe, Row};

use crate::{Backend, Result, Store, StoreError, now};

/// One migration: its number and name, and its SQL for each backend.
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

macro_rules! migration {
    ($version:expr, $name:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../../../migrations/sqlite/", $name, ".sql")),
            postgres: include_str!(concat!("../../../migrations/postgres/", $name, ".sql")),
        }
    };
}

/// Every migration, in order. Only ever append.
pub const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_foundation"),
    migration!(2, "0002_calendar"),
    migration!(3, "0003_catalogue"),
    migration!(4, "0004_projects_service_lists"),
    migration!(5, "0005_forecasts"),
    migration!(6, "0006_parcels"),
    migration!(7, "0007_parcel_revisions"),
    migration!(8, "0008_blockers"),
    migration!(9, "0009_notifications"),
    migration!(10, "0010_lifecycle"),
    migration!(11, "0011_outbox"),
    migration!(12, "0012_stewards"),
    migration!(13, "0013_forecast_history"),
    migration!(14, "0014_items_returned_before_acceptance"),
    migration!(15, "0015_audit_anchors"),
    migration!(16, "0016_token_expiry"),
    migration!(17, "0017_project_version"),
    migration!(18, "0018_blocker_tickets"),
    migration!(19, "0019_cluster"),
    migration!(20, "0020_phase_production_dates"),
    migration!(21, "0021_cluster_schemes"),
    migration!(22, "0022_statistic_year_sums"),
];

fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

impl Store {
    /// Applies pending migrations; returns how many were applied.
    pub async fn migrate(&self) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        if self.backend == Backend::Postgres {
            // Two servers starting at once: the second waits here, then finds nothing to do.
            sqlx::query("SELECT pg_advisory_xact_lock(7306100)")
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS luodi_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .execute(&mut *tx)
        .await?;
        let applied =
            sqlx::query("SELECT version, name, checksum FROM luodi_migrations ORDER BY version")
                .fetch_all(&mut *tx)
                .await?;
        let mut count = 0;
        for m in MIGRATIONS {
            let sql = match self.backend {
                Backend::Sqlite => m.sqlite,
                Backend::Postgres => m.postgres,
            };
            let sum = checksum(sql);
            if let Some(row) = applied
                .iter()
                .find(|r| r.get::<i64, _>("version") == m.version)
            {
                if row.get::<String, _>("checksum") != sum {
                    return Err(StoreError::MigrationEdited(m.name.to_string()));
                }
                continue;
            }
            sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO luodi_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)")
                .bind(m.version)
                .bind(m.name)
                .bind(sum)
                .bind(now())
                .execute(&mut *tx)
                .await?;
            tracing::info!(migration = m.name, "applied");
            count += 1;
        }
        tx.commit().await?;
        Ok(count)
    }
}
