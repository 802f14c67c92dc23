//! A project's steward (项目服务管家) and who served it before: each assignment is a row of
//! `steward_assignments`, closed when the next one starts, so a reassignment keeps the
//! history (migration 0012); `projects.steward_user_id` is the steward now.

use luodi_domain::{Scope, ZoneId};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::core::audit::{self, Actor, Change};
use crate::stewardship::notifications::{NewNotification, notify};
use crate::{Result, Store, StoreError, Tx, now};

/// One stretch of a steward's service of a project.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StewardAssignment {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub reason: String,
    /// Who assigned them: a user's name, or `cli` / `system:…`.
    pub assigned_by: String,
    pub from_at: String,
    /// None while they serve it.
    pub until_at: Option<String>,
}

/// Why an assignment is refused.
#[derive(Debug, thiserror::Error)]
pub enum AssignError {
    #[error("user_id: user {0} is not an active steward of this zone")]
    NotASteward(i64),
    #[error("user_id: user {0} is this project's steward already")]
    Already(i64),
    #[error("reason: say why the project changes steward (at most 500 characters)")]
    Reason,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for AssignError {
    fn from(e: sqlx::Error) -> Self {
        AssignError::Store(e.into())
    }
}

/// Starts an assignment inside `tx` (the caller closes any open one).
pub(crate) async fn open_assignment(
    tx: &mut Tx,
    zone: i64,
    project: i64,
    user: i64,
    reason: &str,
    actor: &Actor,
    at: &str,
) -> Result<()> {
    let by = match actor {
        Actor::User { id, .. } => Some(id.0),
        _ => None,
    };
    sqlx::query(
        "INSERT INTO steward_assignments (zone_id, project_id, user_id, reason, assigned_by, assigned_by_user_id, from_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(zone)
    .bind(project)
    .bind(user)
    .bind(reason)
    .bind(actor.label())
    .bind(by)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Hands a project to `steward` (an active steward of the zone) with a reason: the
    /// present assignment is closed, the new one opened, both stewards told, audited.
    pub async fn assign_steward(
        &self,
        actor: &Actor,
        zone: ZoneId,
        project: i64,
        steward: i64,
        reason: &str,
    ) -> std::result::Result<(), AssignError> {
        let reason = reason.trim();
        if reason.chars().count() > 500 {
            return Err(AssignError::Reason);
        }
        let mut tx = self.begin_write().await?;
        // The project row, locked for the change (SQLite's write lock is already held).
        let row = sqlx::query(
            "UPDATE projects SET updated_at = updated_at WHERE id = $1 AND zone_id = $2 RETURNING name, steward_user_id",
        )
        .bind(project)
        .bind(zone.0)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let name: String = row.get("name");
        let before: Option<i64> = row.get("steward_user_id");
        let ok = sqlx::query(
            "SELECT id FROM users WHERE id = $1 AND zone_id = $2 AND role = 'steward' AND disabled_at IS NULL",
        )
        .bind(steward)
        .bind(zone.0)
        .fetch_optional(&mut *tx)
        .await?;
        if ok.is_none() {
            return Err(AssignError::NotASteward(steward));
        }
        if before == Some(steward) {
            return Err(AssignError::Already(steward));
        }
        if before.is_some() && reason.is_empty() {
            return Err(AssignError::Reason);
        }
        let t = now();
        sqlx::query(
            "UPDATE steward_assignments SET until_at = $1 WHERE project_id = $2 AND until_at IS NULL",
        )
        .bind(&t)
        .bind(project)
        .execute(&mut *tx)
        .await?;
        open_assignment(&mut tx, zone.0, project, steward, reason, actor, &t).await?;
        sqlx::query("UPDATE projects SET steward_user_id = $1, updated_at = $2 WHERE id = $3")
            .bind(steward)
            .bind(&t)
            .bind(project)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: zone.0,
                action: "assign_steward",
                entity: "project",
                entity_id: project.to_string(),
                before: json!({"steward_user_id": before}),
                after: json!({"steward_user_id": steward, "reason": reason}),
            },
        )
        .await?;
        let link = format!("/projects/{project}");
        notify(
            &mut tx,
            &[steward],
            &NewNotification {
                zone_id: zone.0,
                kind: "steward_assigned",
                title: &name,
                body: reason,
                link: &link,
            },
        )
        .await?;
        if let Some(before) = before {
            notify(
                &mut tx,
                &[before],
                &NewNotification {
                    zone_id: zone.0,
                    kind: "steward_released",
                    title: &name,
                    body: reason,
                    link: &link,
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Who has served a project, the first first, if the scope sees the project.
    pub async fn steward_history(
        &self,
        scope: &Scope,
        project: i64,
    ) -> Result<Vec<StewardAssignment>> {
        self.project_zone(scope, project).await?;
        Ok(sqlx::query(
            "SELECT a.user_id, u.display_name, u.email, a.reason, a.assigned_by, b.display_name AS by_name, a.from_at, a.until_at
             FROM steward_assignments a JOIN users u ON u.id = a.user_id
             LEFT JOIN users b ON b.id = a.assigned_by_user_id
             WHERE a.project_id = $1 ORDER BY a.id",
        )
        .bind(project)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| StewardAssignment {
            user_id: r.get("user_id"),
            name: r.get("display_name"),
            email: r.get("email"),
            reason: r.get("reason"),
            assigned_by: r
                .get::<Option<String>, _>("by_name")
                .unwrap_or_else(|| r.get("assigned_by")),
            from_at: r.get("from_at"),
            until_at: r.get("until_at"),
        })
        .collect())
    }

    /// The zone's active stewards: (id, name), for choosing one.
    pub async fn stewards(&self, zone: ZoneId) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query(
            "SELECT id, display_name FROM users WHERE zone_id = $1 AND role = 'steward' AND disabled_at IS NULL ORDER BY display_name, id",
        )
        .bind(zone.0)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| (r.get("id"), r.get("display_name")))
        .collect())
    }
}
