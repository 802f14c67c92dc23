//! Each zone's service catalogue, versioned. Importing checks the whole file first (in
//! the rules layer), creates the departments it names that the zone lacks, and stores the
//! new version as the zone's current one, all in one audited transaction. A version number
//! is never reused for different content.

use luodi_domain::ZoneId;
use luodi_domain::approvals::catalogue::{Catalogue, CatalogueError};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::core::audit::{self, Actor, Change};
use crate::{Result, Store, StoreError, now};

/// A stored catalogue version, without its text.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CatalogueVersion {
    pub id: i64,
    pub zone_id: ZoneId,
    pub version: String,
    pub title_zh: String,
    pub title_en: String,
    pub item_count: i64,
    pub imported_at: String,
    pub current: bool,
}

/// What an import came to.
#[derive(Debug)]
pub enum ImportOutcome {
    /// A new current version.
    Imported(CatalogueVersion),
    /// The same version with the same text is already stored: nothing changed.
    Unchanged(CatalogueVersion),
}

/// Why an import was refused.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the catalogue has {} problem(s)", .0.len())]
    Invalid(Vec<CatalogueError>),
    #[error(
        "version {0} already exists with different content; give the new catalogue a new version"
    )]
    VersionTaken(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

const COLUMNS: &str =
    "id, zone_id, version, title_zh, title_en, item_count, imported_at, superseded_at";

fn version_from(r: &sqlx::any::AnyRow) -> CatalogueVersion {
    CatalogueVersion {
        id: r.get("id"),
        zone_id: ZoneId(r.get("zone_id")),
        version: r.get("version"),
        title_zh: r.get("title_zh"),
        title_en: r.get("title_en"),
        item_count: r.get("item_count"),
        imported_at: r.get("imported_at"),
        current: r.get::<Option<String>, _>("superseded_at").is_none(),
    }
}

impl Store {
    /// Checks and imports a catalogue as the zone's current version.
    pub async fn import_catalogue(
        &self,
        actor: &Actor,
        zone: ZoneId,
        text: &str,
    ) -> Result<ImportOutcome, ImportError> {
        let catalogue = Catalogue::parse(text).map_err(ImportError::Invalid)?;
        let file = &catalogue.file;
        let checksum = hex::encode(Sha256::digest(text.as_bytes()));
        let mut tx = self.begin_write().await?;
        let existing = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS}, checksum FROM catalogue_versions WHERE zone_id = $1 AND version = $2"
        )))
        .bind(zone.0)
        .bind(&file.version)
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        if let Some(row) = existing {
            if row.get::<String, _>("checksum") == checksum {
                return Ok(ImportOutcome::Unchanged(version_from(&row)));
            }
            return Err(ImportError::VersionTaken(file.version.clone()));
        }
        for d in &file.departments {
            let known = sqlx::query("SELECT id FROM departments WHERE zone_id = $1 AND code = $2")
                .bind(zone.0)
                .bind(&d.code)
                .fetch_optional(&mut *tx)
                .await
                .map_err(StoreError::from)?;
            if known.is_none() {
                let id: i64 = sqlx::query("INSERT INTO departments (zone_id, code, name_zh, name_en, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                    .bind(zone.0)
                    .bind(&d.code)
                    .bind(&d.name_zh)
                    .bind(&d.name_en)
                    .bind(now())
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(StoreError::from)?
                    .get("id");
                audit::record(
                    &mut tx,
                    actor,
                    Change {
                        zone_id: zone.0,
                        action: "create",
                        entity: "department",
                        entity_id: id.to_string(),
                        before: serde_json::Value::Null,
                        after: json!({"code": d.code, "name_zh": d.name_zh, "name_en": d.name_en}),
                    },
                )
                .await?;
            }
        }
        let t = now();
        let previous = sqlx::query("SELECT id, version FROM catalogue_versions WHERE zone_id = $1 AND superseded_at IS NULL").bind(zone.0).fetch_optional(&mut *tx).await.map_err(StoreError::from)?;
        sqlx::query("UPDATE catalogue_versions SET superseded_at = $1 WHERE zone_id = $2 AND superseded_at IS NULL").bind(&t).bind(zone.0).execute(&mut *tx).await.map_err(StoreError::from)?;
        let id: i64 = sqlx::query(
            "INSERT INTO catalogue_versions (zone_id, version, title_zh, title_en, item_count, source_toml, checksum, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(zone.0)
        .bind(&file.version)
        .bind(&file.title_zh)
        .bind(&file.title_en)
        .bind(file.items.len() as i64)
        .bind(text)
        .bind(&checksum)
        .bind(&t)
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::from)?
        .get("id");
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: zone.0,
                action: "import",
                entity: "catalogue",
                entity_id: id.to_string(),
                before: previous.map(|r| json!({"version": r.get::<String, _>("version")})).unwrap_or(serde_json::Value::Null),
                after: json!({"version": file.version, "items": file.items.len(), "checksum": checksum}),
            },
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM catalogue_versions WHERE id = $1"
        )))
        .bind(id)
        .fetch_one(self.pool())
        .await
        .map_err(StoreError::from)?;
        Ok(ImportOutcome::Imported(version_from(&row)))
    }

    /// The zone's versions, newest first.
    pub async fn catalogue_versions(&self, zone: ZoneId) -> Result<Vec<CatalogueVersion>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM catalogue_versions WHERE zone_id = $1 ORDER BY id DESC"
        )))
        .bind(zone.0)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(version_from).collect())
    }

    /// The text and parsed form of a version (the current one when `id` is None).
    pub async fn catalogue(
        &self,
        zone: ZoneId,
        id: Option<i64>,
    ) -> Result<(CatalogueVersion, String, Catalogue)> {
        let sql = format!(
            "SELECT {COLUMNS}, source_toml FROM catalogue_versions WHERE zone_id = $1 AND (($2 IS NULL AND superseded_at IS NULL) OR id = $2)"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(zone.0)
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        let text: String = row.get("source_toml");
        // Stored text was checked on import; if it no longer parses it was edited by hand.
        let parsed = Catalogue::parse(&text).map_err(|e| {
            StoreError::Corrupt(format!(
                "catalogue version {} no longer parses: {e:?}",
                row.get::<i64, _>("id")
            ))
        })?;
        Ok((version_from(&row), text, parsed))
    }
}
