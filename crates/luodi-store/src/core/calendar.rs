//! The working-day calendar in use: the years built into the release, extended or
//! corrected by years imported into the database. Every server reads the imported years
//! from the database, so an import reaches all of them.

use luodi_domain::core::calendar::{Calendar, YearSchedule};
use serde_json::json;
use sqlx::Row;

use crate::core::audit::{self, Actor, Change, INSTALLATION_CHAIN};
use crate::{Result, Store, now};

impl Store {
    /// The built-in calendar with the imported years laid over it.
    pub async fn calendar(&self) -> Result<Calendar> {
        let mut cal = Calendar::builtin();
        for r in sqlx::query("SELECT schedule_json FROM calendar_years ORDER BY year")
            .fetch_all(self.pool())
            .await?
        {
            let text: String = r.get("schedule_json");
            match serde_json::from_str::<YearSchedule>(&text) {
                Ok(y) => cal.insert(y),
                // Rows are checked before they are written; one that no longer parses was
                // edited by hand, and the built-in year (if any) stands.
                Err(e) => tracing::error!(error = %e, "ignoring an unreadable calendar year"),
            }
        }
        Ok(cal)
    }

    /// Imports checked years, all or none, each audited with what it replaced.
    pub async fn import_calendar(&self, actor: &Actor, years: &[YearSchedule]) -> Result<usize> {
        let builtin = Calendar::builtin();
        let mut tx = self.begin_write().await?;
        for y in years {
            let previous = sqlx::query("SELECT schedule_json FROM calendar_years WHERE year = $1")
                .bind(y.year as i64)
                .fetch_optional(&mut *tx)
                .await?;
            let before = match previous {
                Some(r) => serde_json::from_str(&r.get::<String, _>("schedule_json"))
                    .unwrap_or(serde_json::Value::Null),
                None => builtin
                    .years()
                    .find(|b| b.year == y.year)
                    .map(|b| json!(b))
                    .unwrap_or(serde_json::Value::Null),
            };
            let text = serde_json::to_string(y).expect("a schedule serialises");
            sqlx::query(
                "INSERT INTO calendar_years (year, source, schedule_json, imported_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (year) DO UPDATE SET source = excluded.source, schedule_json = excluded.schedule_json, imported_at = excluded.imported_at",
            )
            .bind(y.year as i64)
            .bind(&y.source)
            .bind(&text)
            .bind(now())
            .execute(&mut *tx)
            .await?;
            audit::record(
                &mut tx,
                actor,
                Change {
                    zone_id: INSTALLATION_CHAIN,
                    action: "import",
                    entity: "calendar_year",
                    entity_id: y.year.to_string(),
                    before,
                    after: json!(y),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(years.len())
    }
}
