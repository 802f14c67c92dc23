//! Zones (开发区), their parks (园区) and their departments (部门): the organisation
//! every other row hangs from.

use luodi_domain::{DepartmentId, ParkId, Scope, ZoneId};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::core::audit::{self, Actor, Change, INSTALLATION_CHAIN};
use crate::{Result, Store, StoreError, now};

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Zone {
    pub id: ZoneId,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub province: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Park {
    pub id: ParkId,
    pub zone_id: ZoneId,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub area_m2: i64,
    pub focus: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Department {
    pub id: DepartmentId,
    pub zone_id: ZoneId,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

fn zone_from(r: &sqlx::any::AnyRow) -> Zone {
    Zone {
        id: ZoneId(r.get("id")),
        code: r.get("code"),
        name_zh: r.get("name_zh"),
        name_en: r.get("name_en"),
        province: r.get("province"),
    }
}

impl Store {
    /// Creates a zone, or returns the existing one with that code.
    pub async fn ensure_zone(
        &self,
        actor: &Actor,
        code: &str,
        name_zh: &str,
        name_en: &str,
        province: &str,
    ) -> Result<Zone> {
        if let Some(z) = self.zone_by_code(code).await? {
            return Ok(z);
        }
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query("INSERT INTO zones (code, name_zh, name_en, province, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(code)
            .bind(name_zh)
            .bind(name_en)
            .bind(province)
            .bind(now())
            .fetch_one(&mut *tx)
            .await?
            .get("id");
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: INSTALLATION_CHAIN,
                action: "create",
                entity: "zone",
                entity_id: id.to_string(),
                before: serde_json::Value::Null,
                after: json!({"code": code, "name_zh": name_zh, "name_en": name_en, "province": province}),
            },
        )
        .await?;
        tx.commit().await?;
        self.zone_by_code(code).await?.ok_or(StoreError::NotFound)
    }

    pub async fn zone_by_code(&self, code: &str) -> Result<Option<Zone>> {
        let row =
            sqlx::query("SELECT id, code, name_zh, name_en, province FROM zones WHERE code = $1")
                .bind(code)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.as_ref().map(zone_from))
    }

    pub async fn zone(&self, id: ZoneId) -> Result<Zone> {
        let row =
            sqlx::query("SELECT id, code, name_zh, name_en, province FROM zones WHERE id = $1")
                .bind(id.0)
                .fetch_optional(self.pool())
                .await?;
        row.as_ref().map(zone_from).ok_or(StoreError::NotFound)
    }

    /// The zones a scope sees: one, or all for a province-level leader.
    pub async fn zones(&self, scope: &Scope) -> Result<Vec<Zone>> {
        let rows = sqlx::query("SELECT id, code, name_zh, name_en, province FROM zones WHERE ($1 IS NULL OR id = $1) ORDER BY id")
            .bind(scope.zone.map(|z| z.0))
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(zone_from).collect())
    }

    /// Creates a park in a zone unless one with that code exists.
    pub async fn ensure_park(&self, actor: &Actor, park: &Park) -> Result<ParkId> {
        let existing = sqlx::query("SELECT id FROM parks WHERE zone_id = $1 AND code = $2")
            .bind(park.zone_id.0)
            .bind(&park.code)
            .fetch_optional(self.pool())
            .await?;
        if let Some(r) = existing {
            return Ok(ParkId(r.get("id")));
        }
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query("INSERT INTO parks (zone_id, code, name_zh, name_en, area_m2, focus, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(park.zone_id.0)
            .bind(&park.code)
            .bind(&park.name_zh)
            .bind(&park.name_en)
            .bind(park.area_m2)
            .bind(&park.focus)
            .bind(now())
            .fetch_one(&mut *tx)
            .await?
            .get("id");
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: park.zone_id.0,
                action: "create",
                entity: "park",
                entity_id: id.to_string(),
                before: serde_json::Value::Null,
                after: json!({"code": park.code, "name_zh": park.name_zh, "name_en": park.name_en, "area_m2": park.area_m2, "focus": park.focus}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(ParkId(id))
    }

    pub async fn parks(&self, scope: &Scope) -> Result<Vec<Park>> {
        let rows = sqlx::query("SELECT id, zone_id, code, name_zh, name_en, area_m2, focus FROM parks WHERE ($1 IS NULL OR zone_id = $1) ORDER BY id")
            .bind(scope.zone.map(|z| z.0))
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .iter()
            .map(|r| Park {
                id: ParkId(r.get("id")),
                zone_id: ZoneId(r.get("zone_id")),
                code: r.get("code"),
                name_zh: r.get("name_zh"),
                name_en: r.get("name_en"),
                area_m2: r.get("area_m2"),
                focus: r.get("focus"),
            })
            .collect())
    }

    /// Creates a department unless one with that code exists in the zone.
    pub async fn ensure_department(
        &self,
        actor: &Actor,
        zone: ZoneId,
        code: &str,
        name_zh: &str,
        name_en: &str,
    ) -> Result<DepartmentId> {
        if let Some(d) = self.department_by_code(zone, code).await? {
            return Ok(d.id);
        }
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query("INSERT INTO departments (zone_id, code, name_zh, name_en, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(zone.0)
            .bind(code)
            .bind(name_zh)
            .bind(name_en)
            .bind(now())
            .fetch_one(&mut *tx)
            .await?
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
                after: json!({"code": code, "name_zh": name_zh, "name_en": name_en}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(DepartmentId(id))
    }

    pub async fn department_by_code(&self, zone: ZoneId, code: &str) -> Result<Option<Department>> {
        let row = sqlx::query("SELECT id, zone_id, code, name_zh, name_en FROM departments WHERE zone_id = $1 AND code = $2")
            .bind(zone.0)
            .bind(code)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| Department {
            id: DepartmentId(r.get("id")),
            zone_id: ZoneId(r.get("zone_id")),
            code: r.get("code"),
            name_zh: r.get("name_zh"),
            name_en: r.get("name_en"),
        }))
    }

    /// The zone's departments, by code.
    pub async fn departments(&self, zone: ZoneId) -> Result<Vec<Department>> {
        Ok(sqlx::query(
            "SELECT id, zone_id, code, name_zh, name_en FROM departments WHERE zone_id = $1 ORDER BY code",
        )
        .bind(zone.0)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Department {
            id: DepartmentId(r.get("id")),
            zone_id: ZoneId(r.get("zone_id")),
            code: r.get("code"),
            name_zh: r.get("name_zh"),
            name_en: r.get("name_en"),
        })
        .collect())
    }

    pub async fn department(&self, id: DepartmentId) -> Result<Department> {
        let r = sqlx::query(
            "SELECT id, zone_id, code, name_zh, name_en FROM departments WHERE id = $1",
        )
        .bind(id.0)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(Department {
            id: DepartmentId(r.get("id")),
            zone_id: ZoneId(r.get("zone_id")),
            code: r.get("code"),
            name_zh: r.get("name_zh"),
            name_en: r.get("name_en"),
        })
    }
}

/// A setting a zone keeps as JSON in a column of its row (none means the default).
#[derive(Debug, Clone, Copy)]
pub struct ZoneSetting {
    /// The column of `zones`.
    pub column: &'static str,
    /// The entity the audit names.
    pub entity: &'static str,
    /// What the audit keeps of a value, where it holds secrets.
    pub redact: Option<fn(serde_json::Value) -> serde_json::Value>,
}

pub const MATCH_WEIGHTS: ZoneSetting = ZoneSetting {
    column: "match_weights_json",
    entity: "match_weights",
    redact: None,
};

pub const LIFECYCLE: ZoneSetting = ZoneSetting {
    column: "lifecycle_json",
    entity: "lifecycle_policy",
    redact: None,
};

pub const OUTBOUND: ZoneSetting = ZoneSetting {
    column: "outbound_json",
    entity: "outbound",
    redact: Some(|v| {
        match serde_json::from_value::<luodi_domain::stewardship::outbound::Outbound>(v) {
            Ok(o) => serde_json::json!(o.redacted()),
            Err(_) => serde_json::Value::Null,
        }
    }),
};

pub const BLOCKER_SLA: ZoneSetting = ZoneSetting {
    column: "blocker_sla_json",
    entity: "blocker_sla",
    redact: None,
};

fn setting_from<T: serde::de::DeserializeOwned + Default>(
    setting: ZoneSetting,
    text: Option<String>,
) -> Result<T> {
    match text {
        Some(text) => serde_json::from_str(&text)
            .map_err(|e| StoreError::Corrupt(format!("zones.{}: {e}", setting.column))),
        None => Ok(T::default()),
    }
}

impl Store {
    /// A zone's setting (its default unless the zone set its own).
    pub async fn zone_setting<T: serde::de::DeserializeOwned + Default>(
        &self,
        zone: ZoneId,
        setting: ZoneSetting,
    ) -> Result<T> {
        // Only the constant column names above are formatted into the text.
        let sql = format!("SELECT {} AS v FROM zones WHERE id = $1", setting.column);
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(zone.0)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        setting_from(setting, row.get("v"))
    }

    /// Sets a zone's setting (checked by the caller), audited with the old value, which is
    /// read under the zone row's lock: the one this change replaces, however many change
    /// it at once.
    pub async fn set_zone_setting<T>(
        &self,
        actor: &Actor,
        zone: ZoneId,
        setting: ZoneSetting,
        value: &T,
    ) -> Result<()>
    where
        T: serde::Serialize + serde::de::DeserializeOwned + Default,
    {
        let redact = |v: serde_json::Value| match setting.redact {
            Some(r) => r(v),
            None => v,
        };
        let mut tx = self.begin_write().await?;
        let c = setting.column;
        let before: T = setting_from(
            setting,
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE zones SET {c} = {c} WHERE id = $1 RETURNING {c} AS v"
            )))
            .bind(zone.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?
            .get("v"),
        )?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE zones SET {c} = $1 WHERE id = $2"
        )))
        .bind(serde_json::to_string(value).expect("settings serialise"))
        .bind(zone.0)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: zone.0,
                action: "update",
                entity: setting.entity,
                entity_id: zone.0.to_string(),
                before: redact(serde_json::json!(before)),
                after: redact(serde_json::json!(value)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
