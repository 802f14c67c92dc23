//! A zone's cluster settings (its classes, the ramp to full production, its 亩均 scheme),
//! what it knows per year beyond its enterprises (a declared count of market entities, the
//! city's totals) and its targets (migration 0019). Each write is audited with the values
//! before and after.

use luodi_domain::ZoneId;
use luodi_domain::cluster::figures::{CityTotals, Cluster};
use luodi_domain::cluster::mu::Scheme;
use luodi_domain::cluster::targets::Ramp;
use luodi_domain::core::money::Fen;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::core::audit::{self, Actor, Change};
use crate::{Result, Store, StoreError, now};

/// A zone's cluster settings; the defaults where it has set none.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterSettings {
    pub cluster: Cluster,
    pub ramp: Ramp,
    pub scheme: Scheme,
    /// The department a failed post-completion check's blocker goes to (`None`: the
    /// zone's natural resources bureau, else its first department).
    pub completion_department_id: Option<i64>,
}

/// What a zone knows of a year beyond its enterprises.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct YearKnown {
    pub year: i32,
    pub declared_entities: Option<i64>,
    pub city: CityTotals,
}

/// A target as stored: its card and its numbers (money in fen, counts as they are).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiTarget {
    pub id: i64,
    pub code: String,
    /// `entities`, `output`, `revenue` or `tax`.
    pub figure: String,
    pub name_zh: String,
    pub name_en: String,
    pub definition_zh: String,
    pub definition_en: String,
    pub owner_department_id: Option<i64>,
    pub owner_department: Option<(String, String)>,
    pub baseline_year: i32,
    pub baseline_value: i64,
    pub target_year: i32,
    pub target_value: i64,
    /// Percentage points behind the needed growth still yellow, in hundredths.
    pub yellow_margin_bp: i64,
    /// Yearly growth below which the card alarms, and at or above which it excels, in
    /// hundredths of a per cent.
    pub alarm_growth_bp: Option<i64>,
    pub excellence_growth_bp: Option<i64>,
    pub version: i64,
    pub updated_at: String,
}

/// A target to write (by its code: a new code adds one, a known code changes it).
#[derive(Debug, Clone, PartialEq)]
pub struct KpiTargetInput {
    pub code: String,
    pub figure: String,
    pub name_zh: String,
    pub name_en: String,
    pub definition_zh: String,
    pub definition_en: String,
    pub owner_department_id: Option<i64>,
    pub baseline_year: i32,
    pub baseline_value: i64,
    pub target_year: i32,
    pub target_value: i64,
    pub yellow_margin_bp: i64,
    pub alarm_growth_bp: Option<i64>,
    pub excellence_growth_bp: Option<i64>,
}

fn target_of(r: &sqlx::any::AnyRow) -> KpiTarget {
    let dept = match (
        r.get::<Option<String>, _>("dept_zh"),
        r.get::<Option<String>, _>("dept_en"),
    ) {
        (Some(zh), Some(en)) => Some((zh, en)),
        _ => None,
    };
    KpiTarget {
        id: r.get("id"),
        code: r.get("code"),
        figure: r.get("figure"),
        name_zh: r.get("name_zh"),
        name_en: r.get("name_en"),
        definition_zh: r.get("definition_zh"),
        definition_en: r.get("definition_en"),
        owner_department_id: r.get("owner_department_id"),
        owner_department: dept,
        baseline_year: r.get::<i64, _>("baseline_year") as i32,
        baseline_value: r.get("baseline_value"),
        target_year: r.get::<i64, _>("target_year") as i32,
        target_value: r.get("target_value"),
        yellow_margin_bp: r.get("yellow_margin_bp"),
        alarm_growth_bp: r.get("alarm_growth_bp"),
        excellence_growth_bp: r.get("excellence_growth_bp"),
        version: r.get("version"),
        updated_at: r.get("updated_at"),
    }
}

/// Whether a stored target already says what `t` says (then writing it changes nothing,
/// neither its version nor the audit).
fn unchanged(held: &KpiTarget, t: &KpiTargetInput) -> bool {
    held.figure == t.figure
        && held.name_zh == t.name_zh
        && held.name_en == t.name_en
        && held.definition_zh == t.definition_zh
        && held.definition_en == t.definition_en
        && held.owner_department_id == t.owner_department_id
        && held.baseline_year == t.baseline_year
        && held.baseline_value == t.baseline_value
        && held.target_year == t.target_year
        && held.target_value == t.target_value
        && held.yellow_margin_bp == t.yellow_margin_bp
        && held.alarm_growth_bp == t.alarm_growth_bp
        && held.excellence_growth_bp == t.excellence_growth_bp
}

fn target_json(t: &KpiTargetInput) -> serde_json::Value {
    json!({
        "code": t.code, "figure": t.figure, "name_zh": t.name_zh, "name_en": t.name_en,
        "definition_zh": t.definition_zh, "definition_en": t.definition_en,
        "owner_department_id": t.owner_department_id,
        "baseline_year": t.baseline_year, "baseline_value": t.baseline_value,
        "target_year": t.target_year, "target_value": t.target_value,
        "yellow_margin_bp": t.yellow_margin_bp, "alarm_growth_bp": t.alarm_growth_bp,
        "excellence_growth_bp": t.excellence_growth_bp,
    })
}

impl Store {
    /// The zone's cluster settings, the defaults for what it has not set.
    pub async fn cluster_settings(&self, zone: ZoneId) -> Result<ClusterSettings> {
        let row = sqlx::query(
            "SELECT classes_json, ramp, scheme_json, completion_department_id FROM cluster_settings WHERE zone_id = $1",
        )
        .bind(zone.0)
        .fetch_optional(self.pool())
        .await?;
        let Some(r) = row else {
            return Ok(ClusterSettings {
                cluster: Cluster::default(),
                ramp: Ramp::default(),
                scheme: Scheme::default(),
                completion_department_id: None,
            });
        };
        let corrupt = |what: &str| StoreError::Corrupt(format!("zone {} cluster {what}", zone.0));
        let classes: Vec<String> = serde_json::from_str(&r.get::<String, _>("classes_json"))
            .map_err(|_| corrupt("classes"))?;
        Ok(ClusterSettings {
            cluster: Cluster { classes },
            ramp: Ramp::parse(&r.get::<String, _>("ramp")).map_err(|_| corrupt("ramp"))?,
            scheme: match r.get::<Option<String>, _>("scheme_json") {
                Some(s) => serde_json::from_str(&s).map_err(|_| corrupt("scheme"))?,
                None => Scheme::default(),
            },
            completion_department_id: r.get("completion_department_id"),
        })
    }

    /// Sets the zone's cluster settings (checked by the caller); audited.
    pub async fn set_cluster_settings(
        &self,
        actor: &Actor,
        zone: ZoneId,
        settings: &ClusterSettings,
    ) -> Result<()> {
        let before = self.cluster_settings(zone).await?;
        let mut tx = self.begin_write().await?;
        let classes = serde_json::to_string(&settings.cluster.classes).expect("classes serialise");
        let scheme = serde_json::to_string(&settings.scheme).expect("a scheme serialises");
        sqlx::query(
            "INSERT INTO cluster_settings (zone_id, classes_json, ramp, scheme_json, completion_department_id, updated_at) VALUES ($1, $2, $3, $4, $6, $5)
             ON CONFLICT (zone_id) DO UPDATE SET classes_json = $2, ramp = $3, scheme_json = $4, completion_department_id = $6, updated_at = $5",
        )
        .bind(zone.0)
        .bind(&classes)
        .bind(settings.ramp.to_string())
        .bind(&scheme)
        .bind(now())
        .bind(settings.completion_department_id)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: zone.0,
                action: "set_cluster_settings",
                entity: "zone",
                entity_id: zone.0.to_string(),
                before: serde_json::to_value(&before).expect("settings serialise"),
                after: serde_json::to_value(settings).expect("settings serialise"),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The 亩均 schemes the zone has set for particular years, oldest first.
    pub async fn cluster_schemes(&self, zone: ZoneId) -> Result<Vec<(i32, Scheme)>> {
        let mut out = Vec::new();
        for r in sqlx::query(
            "SELECT year, scheme_json FROM cluster_schemes WHERE zone_id = $1 ORDER BY year",
        )
        .bind(zone.0)
        .fetch_all(self.pool())
        .await?
        {
            let year = r.get::<i64, _>("year") as i32;
            let scheme = serde_json::from_str(&r.get::<String, _>("scheme_json"))
                .map_err(|_| StoreError::Corrupt(format!("zone {} scheme of {year}", zone.0)))?;
            out.push((year, scheme));
        }
        Ok(out)
    }

    /// The scheme a year is rated on: its own, else the zone's (whose default is the
    /// above-scale scheme).
    pub async fn scheme_for(&self, zone: ZoneId, year: i32) -> Result<Scheme> {
        Ok(
            match self
                .cluster_schemes(zone)
                .await?
                .into_iter()
                .find(|(y, _)| *y == year)
            {
                Some((_, s)) => s,
                None => self.cluster_settings(zone).await?.scheme,
            },
        )
    }

    /// Sets a year's own scheme (checked by the caller), or with `None` removes it so the
    /// year is rated on the zone's; audited.
    pub async fn set_cluster_scheme(
        &self,
        actor: &Actor,
        zone: ZoneId,
        year: i32,
        scheme: Option<&Scheme>,
    ) -> Result<()> {
        let before = self
            .cluster_schemes(zone)
            .await?
            .into_iter()
            .find(|(y, _)| *y == year)
            .map(|(_, s)| s);
        let mut tx = self.begin_write().await?;
        match scheme {
            Some(s) => {
                sqlx::query(
                    "INSERT INTO cluster_schemes (zone_id, year, scheme_json, updated_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (zone_id, year) DO UPDATE SET scheme_json = $3, updated_at = $4",
                )
                .bind(zone.0)
                .bind(i64::from(year))
                .bind(serde_json::to_string(s).expect("a scheme serialises"))
                .bind(now())
                .execute(&mut *tx)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM cluster_schemes WHERE zone_id = $1 AND year = $2")
                    .bind(zone.0)
                    .bind(i64::from(year))
                    .execute(&mut *tx)
                    .await?;
            }
        }
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: zone.0,
                action: if scheme.is_some() {
                    "set_cluster_scheme"
                } else {
                    "remove_cluster_scheme"
                },
                entity: "cluster_scheme",
                entity_id: year.to_string(),
                before: serde_json::to_value(before).expect("serialises"),
                after: serde_json::to_value(scheme).expect("serialises"),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// What the zone knows of each year beyond its enterprises, oldest first.
    pub async fn cluster_years(&self, zone: ZoneId) -> Result<Vec<YearKnown>> {
        Ok(sqlx::query(
            "SELECT year, declared_entities, city_entities, city_output_fen, city_revenue_fen, city_tax_fen
             FROM cluster_years WHERE zone_id = $1 ORDER BY year",
        )
        .bind(zone.0)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| YearKnown {
            year: r.get::<i64, _>("year") as i32,
            declared_entities: r.get("declared_entities"),
            city: CityTotals {
                entities: r.get("city_entities"),
                output: r.get::<Option<i64>, _>("city_output_fen").map(Fen),
                revenue: r.get::<Option<i64>, _>("city_revenue_fen").map(Fen),
                tax: r.get::<Option<i64>, _>("city_tax_fen").map(Fen),
            },
        })
        .collect())
    }

    /// Sets what the zone knows of a year (a declared count, the city's totals); audited.
    pub async fn set_cluster_year(
        &self,
        actor: &Actor,
        zone: ZoneId,
        year: &YearKnown,
    ) -> Result<()> {
        let before = self
            .cluster_years(zone)
            .await?
            .into_iter()
            .find(|y| y.year == year.year);
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO cluster_years (zone_id, year, declared_entities, city_entities, city_output_fen, city_revenue_fen, city_tax_fen, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (zone_id, year) DO UPDATE SET declared_entities = $3, city_entities = $4, city_output_fen = $5,
                city_revenue_fen = $6, city_tax_fen = $7, updated_at = $8",
        )
        .bind(zone.0)
        .bind(i64::from(year.year))
        .bind(year.declared_entities)
        .bind(year.city.entities)
        .bind(year.city.output.map(|f| f.0))
        .bind(year.city.revenue.map(|f| f.0))
        .bind(year.city.tax.map(|f| f.0))
        .bind(now())
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: zone.0,
                action: "set_cluster_year",
                entity: "cluster_year",
                entity_id: year.year.to_string(),
                before: serde_json::to_value(before).expect("serialises"),
                after: serde_json::to_value(year).expect("serialises"),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The zone's targets, by code.
    pub async fn kpi_targets(&self, zone: ZoneId) -> Result<Vec<KpiTarget>> {
        Ok(sqlx::query(
            "SELECT t.*, d.name_zh AS dept_zh, d.name_en AS dept_en FROM kpi_targets t
             LEFT JOIN departments d ON d.id = t.owner_department_id
             WHERE t.zone_id = $1 ORDER BY t.code",
        )
        .bind(zone.0)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(target_of)
        .collect())
    }

    /// Writes the zone's targets, all in one transaction: each by its code, added or
    /// changed (its version counts the changes), and those whose codes `remove` names
    /// deleted; audited one entry a target.
    pub async fn put_kpi_targets(
        &self,
        actor: &Actor,
        zone: ZoneId,
        targets: &[KpiTargetInput],
        remove: &[String],
    ) -> Result<()> {
        let held = self.kpi_targets(zone).await?;
        let mut tx = self.begin_write().await?;
        let t = now();
        for target in targets {
            if let Some(dept) = target.owner_department_id {
                sqlx::query("SELECT id FROM departments WHERE id = $1 AND zone_id = $2")
                    .bind(dept)
                    .bind(zone.0)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or(StoreError::Conflict {
                        field: "owner_department_id",
                        value: dept.to_string(),
                    })?;
            }
            let before = held.iter().find(|h| h.code == target.code);
            if before.is_some_and(|b| unchanged(b, target)) {
                continue;
            }
            sqlx::query(
                "INSERT INTO kpi_targets (zone_id, code, figure, name_zh, name_en, definition_zh, definition_en, owner_department_id,
                    baseline_year, baseline_value, target_year, target_value, yellow_margin_bp, alarm_growth_bp, excellence_growth_bp, version, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1, $16)
                 ON CONFLICT (zone_id, code) DO UPDATE SET figure = $3, name_zh = $4, name_en = $5, definition_zh = $6, definition_en = $7,
                    owner_department_id = $8, baseline_year = $9, baseline_value = $10, target_year = $11, target_value = $12,
                    yellow_margin_bp = $13, alarm_growth_bp = $14, excellence_growth_bp = $15, version = kpi_targets.version + 1, updated_at = $16",
            )
            .bind(zone.0)
            .bind(&target.code)
            .bind(&target.figure)
            .bind(&target.name_zh)
            .bind(&target.name_en)
            .bind(&target.definition_zh)
            .bind(&target.definition_en)
            .bind(target.owner_department_id)
            .bind(i64::from(target.baseline_year))
            .bind(target.baseline_value)
            .bind(i64::from(target.target_year))
            .bind(target.target_value)
            .bind(target.yellow_margin_bp)
            .bind(target.alarm_growth_bp)
            .bind(target.excellence_growth_bp)
            .bind(&t)
            .execute(&mut *tx)
            .await?;
            audit::record(
                &mut tx,
                actor,
                Change {
                    zone_id: zone.0,
                    action: if before.is_some() {
                        "edit_target"
                    } else {
                        "add_target"
                    },
                    entity: "kpi_target",
                    entity_id: target.code.clone(),
                    before: before
                        .map_or(json!({}), |b| serde_json::to_value(b).expect("serialises")),
                    after: target_json(target),
                },
            )
            .await?;
        }
        for code in remove {
            let gone = sqlx::query("DELETE FROM kpi_targets WHERE zone_id = $1 AND code = $2")
                .bind(zone.0)
                .bind(code)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if gone != 1 {
                return Err(StoreError::NotFound);
            }
            audit::record(
                &mut tx,
                actor,
                Change {
                    zone_id: zone.0,
                    action: "remove_target",
                    entity: "kpi_target",
                    entity_id: code.clone(),
                    before: held
                        .iter()
                        .find(|h| &h.code == code)
                        .map_or(json!({}), |b| serde_json::to_value(b).expect("serialises")),
                    after: json!({}),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
