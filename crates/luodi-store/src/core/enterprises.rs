//! Enterprises (企业) of a zone. Every read takes the caller's scope, so an enterprise
//! user reaches its own enterprise and nothing else, whatever id it asks for.

use luodi_domain::core::enterprise::{ChainPosition, EnterpriseDraft, EnterpriseSize};
use luodi_domain::core::industry::IndustryCode;
use luodi_domain::{EnterpriseId, Scope, ZoneId};
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, Row};

use crate::core::audit::{self, Actor, Change};
use crate::{Backend, Page, PageRequest, Result, Store, StoreError, now};

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Enterprise {
    pub id: EnterpriseId,
    pub zone_id: ZoneId,
    pub uscc: String,
    pub name: String,
    pub name_en: Option<String>,
    pub industry_code: Option<String>,
    pub chain_position: Option<ChainPosition>,
    pub size: Option<EnterpriseSize>,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

impl Enterprise {
    pub fn industry(&self) -> Option<IndustryCode> {
        self.industry_code
            .as_deref()
            .and_then(|c| IndustryCode::parse(c).ok())
    }

    /// The fields an audit entry records.
    fn audit_json(&self) -> Value {
        json!({
            "uscc": self.uscc, "name": self.name, "name_en": self.name_en,
            "industry_code": self.industry_code, "chain_position": self.chain_position.map(|c| c.as_str()),
            "size": self.size.map(|s| s.as_str()), "address": self.address, "contact_name": self.contact_name,
            "contact_phone": self.contact_phone, "contact_email": self.contact_email,
        })
    }
}

/// Sort orders for the enterprise list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnterpriseSort {
    Name,
    Uscc,
    IndustryCode,
    CreatedAt,
}

impl EnterpriseSort {
    pub fn parse(s: &str) -> Option<EnterpriseSort> {
        Some(match s {
            "name" => Self::Name,
            "uscc" => Self::Uscc,
            "industry_code" => Self::IndustryCode,
            "created_at" => Self::CreatedAt,
            _ => return None,
        })
    }

    fn column(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Uscc => "uscc",
            Self::IndustryCode => "industry_code",
            Self::CreatedAt => "created_at",
        }
    }
}

/// Filters for the enterprise list.
#[derive(Debug, Clone, Default)]
pub struct EnterpriseQuery {
    /// Matches name, English name or code, ignoring case.
    pub search: Option<String>,
    pub chain_position: Option<ChainPosition>,
    pub industry_prefix: Option<IndustryCode>,
    pub sort: Option<EnterpriseSort>,
    pub descending: bool,
}

const COLUMNS: &str = "id, zone_id, uscc, name, name_en, industry_code, chain_position, size, address, contact_name, contact_phone, contact_email, created_at, updated_at, version";

fn enterprise_from(r: &sqlx::any::AnyRow) -> Enterprise {
    Enterprise {
        id: EnterpriseId(r.get("id")),
        zone_id: ZoneId(r.get("zone_id")),
        uscc: r.get("uscc"),
        name: r.get("name"),
        name_en: r.get("name_en"),
        industry_code: r.get("industry_code"),
        chain_position: r
            .get::<Option<String>, _>("chain_position")
            .as_deref()
            .and_then(ChainPosition::parse),
        size: r
            .get::<Option<String>, _>("size")
            .as_deref()
            .and_then(EnterpriseSize::parse),
        address: r.get("address"),
        contact_name: r.get("contact_name"),
        contact_phone: r.get("contact_phone"),
        contact_email: r.get("contact_email"),
        created_at: r.get("created_at"),
        updated_at: r.get("updated_at"),
        version: r.get("version"),
    }
}

pub(crate) fn like_pattern(s: &str) -> String {
    let escaped = s
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The scope as SQL bind values: zone (NULL = every zone) and enterprise (NULL = any).
fn scope_binds(scope: &Scope) -> (Option<i64>, Option<i64>) {
    (scope.zone.map(|z| z.0), scope.enterprise.map(|e| e.0))
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Binds a draft's ten fields as `$1`–`$10`, in the order both the insert and the update
/// name them.
fn bind_draft<'q>(query: AnyQuery<'q>, d: &EnterpriseDraft) -> AnyQuery<'q> {
    query
        .bind(d.uscc.as_str().to_string())
        .bind(d.name.clone())
        .bind(d.name_en.clone())
        .bind(d.industry_code.as_ref().map(|c| c.as_str().to_string()))
        .bind(d.chain_position.map(|c| c.as_str()))
        .bind(d.size.map(|s| s.as_str()))
        .bind(d.address.clone())
        .bind(d.contact_name.clone())
        .bind(d.contact_phone.clone())
        .bind(d.contact_email.clone())
}

const SCOPE_FILTER: &str = "($1 IS NULL OR zone_id = $1) AND ($2 IS NULL OR id = $2)";

impl Store {
    /// Text ordering by code point on both databases (PostgreSQL would otherwise use
    /// the database's locale collation and sort differently from SQLite).
    pub(crate) fn collate(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " COLLATE \"C\"",
        }
    }

    pub async fn create_enterprise(
        &self,
        actor: &Actor,
        zone: ZoneId,
        draft: &EnterpriseDraft,
    ) -> Result<Enterprise> {
        let t = now();
        let mut tx = self.begin_write().await?;
        let inserted = bind_draft(
            sqlx::query(
                "INSERT INTO enterprises (uscc, name, name_en, industry_code, chain_position, size, address, contact_name, contact_phone, contact_email, zone_id, created_at, updated_at, version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, 1) RETURNING id",
            ),
            draft,
        )
        .bind(zone.0)
        .bind(&t)
        .fetch_one(&mut *tx)
        .await;
        let id = match inserted {
            Ok(r) => EnterpriseId(r.get("id")),
            Err(e) if StoreError::is_unique_violation(&e) => {
                return Err(StoreError::Conflict {
                    field: "uscc",
                    value: draft.uscc.to_string(),
                });
            }
            Err(e) => return Err(e.into()),
        };
        let created = Self::enterprise_in(&mut tx, id).await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: zone.0,
                action: "create",
                entity: "enterprise",
                entity_id: id.to_string(),
                before: Value::Null,
                after: created.audit_json(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn enterprise_in(tx: &mut crate::Tx, id: EnterpriseId) -> Result<Enterprise> {
        let sql = format!("SELECT {COLUMNS} FROM enterprises WHERE id = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&mut **tx)
            .await?;
        row.as_ref()
            .map(enterprise_from)
            .ok_or(StoreError::NotFound)
    }

    /// One enterprise, if the scope sees it; otherwise `NotFound`, exactly as if it did
    /// not exist, so ids of other enterprises cannot be probed.
    pub async fn enterprise(&self, scope: &Scope, id: EnterpriseId) -> Result<Enterprise> {
        let (zone, ent) = scope_binds(scope);
        let sql = format!("SELECT {COLUMNS} FROM enterprises WHERE {SCOPE_FILTER} AND id = $3");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(zone)
            .bind(ent)
            .bind(id.0)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref()
            .map(enterprise_from)
            .ok_or(StoreError::NotFound)
    }

    pub async fn enterprise_by_uscc(&self, zone: ZoneId, uscc: &str) -> Result<Option<Enterprise>> {
        let sql = format!("SELECT {COLUMNS} FROM enterprises WHERE zone_id = $1 AND uscc = $2");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(zone.0)
            .bind(uscc)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(enterprise_from))
    }

    /// Every enterprise the scope sees, by name: for the small per-zone reckonings (the
    /// cluster's figures, its evaluation) that read them all.
    pub async fn all_enterprises(&self, scope: &Scope) -> Result<Vec<Enterprise>> {
        let (zone, ent) = scope_binds(scope);
        let sql =
            format!("SELECT {COLUMNS} FROM enterprises WHERE {SCOPE_FILTER} ORDER BY name, id");
        Ok(sqlx::query(AssertSqlSafe(sql))
            .bind(zone)
            .bind(ent)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(enterprise_from)
            .collect())
    }

    pub async fn enterprises(
        &self,
        scope: &Scope,
        query: &EnterpriseQuery,
        page: PageRequest,
    ) -> Result<Page<Enterprise>> {
        let (zone, ent) = scope_binds(scope);
        let filter = format!(
            "{SCOPE_FILTER} AND ($3 IS NULL OR LOWER(name) LIKE $3 ESCAPE '\\' OR LOWER(COALESCE(name_en, '')) LIKE $3 ESCAPE '\\' OR LOWER(uscc) LIKE $3 ESCAPE '\\')
             AND ($4 IS NULL OR chain_position = $4) AND ($5 IS NULL OR industry_code LIKE $5)"
        );
        let search = query
            .search
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(like_pattern);
        let chain = query.chain_position.map(|c| c.as_str());
        let industry = query
            .industry_prefix
            .as_ref()
            .map(|c| format!("{}%", c.as_str()));
        let total: i64 = sqlx::query(AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM enterprises WHERE {filter}"
        )))
        .bind(zone)
        .bind(ent)
        .bind(search.clone())
        .bind(chain)
        .bind(industry.clone())
        .fetch_one(self.pool())
        .await?
        .get("n");
        let sort = query.sort.unwrap_or(EnterpriseSort::Name);
        let dir = if query.descending { "DESC" } else { "ASC" };
        let sql = format!(
            "SELECT {COLUMNS} FROM enterprises WHERE {filter} ORDER BY {col}{collate} {dir}, id {dir} LIMIT $6 OFFSET $7",
            col = sort.column(),
            collate = self.collate(),
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(zone)
            .bind(ent)
            .bind(search)
            .bind(chain)
            .bind(industry)
            .bind(page.per_page)
            .bind(page.offset())
            .fetch_all(self.pool())
            .await?;
        Ok(Page {
            items: rows.iter().map(enterprise_from).collect(),
            total,
            page: page.page,
            per_page: page.per_page,
        })
    }

    /// Replaces an enterprise's fields. `expected_version`, when given, must match the
    /// stored version (the caller edited what it read), else [`StoreError::Stale`].
    pub async fn update_enterprise(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: EnterpriseId,
        draft: &EnterpriseDraft,
        expected_version: Option<i64>,
    ) -> Result<Enterprise> {
        let mut tx = self.begin_write().await?;
        let (zone, ent) = scope_binds(scope);
        let sql = format!("SELECT {COLUMNS} FROM enterprises WHERE {SCOPE_FILTER} AND id = $3");
        let before = sqlx::query(AssertSqlSafe(sql))
            .bind(zone)
            .bind(ent)
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?
            .as_ref()
            .map(enterprise_from)
            .ok_or(StoreError::NotFound)?;
        if expected_version.is_some_and(|v| v != before.version) {
            return Err(StoreError::Stale);
        }
        let updated = bind_draft(
            sqlx::query(
                "UPDATE enterprises SET uscc = $1, name = $2, name_en = $3, industry_code = $4, chain_position = $5, size = $6, address = $7,
                 contact_name = $8, contact_phone = $9, contact_email = $10, updated_at = $11, version = version + 1 WHERE id = $12",
            ),
            draft,
        )
        .bind(now())
        .bind(id.0)
        .execute(&mut *tx)
        .await;
        match updated {
            Ok(_) => {}
            Err(e) if StoreError::is_unique_violation(&e) => {
                return Err(StoreError::Conflict {
                    field: "uscc",
                    value: draft.uscc.to_string(),
                });
            }
            Err(e) => return Err(e.into()),
        }
        let after = Self::enterprise_in(&mut tx, id).await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: before.zone_id.0,
                action: "update",
                entity: "enterprise",
                entity_id: id.to_string(),
                before: before.audit_json(),
                after: after.audit_json(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
