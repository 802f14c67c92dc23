//! Each user's in-app inbox. Notifications are written in the transaction of what they tell
//! of, so they exist exactly when it happened (an escalation made once is told once).

use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::core::audit::{self, Actor, Change};
use crate::{Result, Store, StoreError, Tx, now};

/// One notification.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notification {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    /// Where it leads, a path in Luodi.
    pub link: String,
    pub created_at: String,
    pub read_at: Option<String>,
}

/// A notification to write: what to tell (its kind, title, body and link) in which zone.
#[derive(Debug, Clone, PartialEq)]
pub struct NewNotification<'a> {
    pub zone_id: i64,
    pub kind: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub link: &'a str,
}

/// Writes `notice` to each user's inbox (once each) and to the outbox where the zone sends
/// it out (email, webhooks), inside `tx`.
pub(crate) async fn notify(
    tx: &mut Tx,
    users: &[i64],
    notice: &NewNotification<'_>,
) -> Result<usize> {
    let mut users = users.to_vec();
    users.sort_unstable();
    users.dedup();
    let t = now();
    for u in &users {
        sqlx::query(
            "INSERT INTO notifications (zone_id, user_id, kind, title, body, link, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(notice.zone_id)
        .bind(u)
        .bind(notice.kind)
        .bind(notice.title)
        .bind(notice.body)
        .bind(notice.link)
        .bind(&t)
        .execute(&mut **tx)
        .await?;
    }
    crate::stewardship::outbox::enqueue(tx, &users, notice).await?;
    Ok(users.len())
}

/// The active users of a zone with a role (and, for approval officers, a department).
pub(crate) async fn users_with_role(
    tx: &mut Tx,
    zone: i64,
    role: &str,
    department: Option<i64>,
) -> Result<Vec<i64>> {
    Ok(sqlx::query(
        "SELECT id FROM users WHERE zone_id = $1 AND role = $2 AND disabled_at IS NULL AND ($3 IS NULL OR department_id = $3) ORDER BY id",
    )
    .bind(zone)
    .bind(role)
    .bind(department)
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|r| r.get("id"))
    .collect())
}

/// The active users of an enterprise.
pub(crate) async fn enterprise_users(tx: &mut Tx, enterprise: i64) -> Result<Vec<i64>> {
    Ok(sqlx::query(
        "SELECT id FROM users WHERE enterprise_id = $1 AND role = 'enterprise' AND disabled_at IS NULL ORDER BY id",
    )
    .bind(enterprise)
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|r| r.get("id"))
    .collect())
}

impl Store {
    /// A user's notifications, newest first (only unread ones if asked), up to `limit`,
    /// and how many are unread in all.
    pub async fn notifications(
        &self,
        user: i64,
        unread_only: bool,
        limit: i64,
    ) -> Result<(Vec<Notification>, i64)> {
        let rows = sqlx::query(
            "SELECT id, kind, title, body, link, created_at, read_at FROM notifications
             WHERE user_id = $1 AND ($2 = 0 OR read_at IS NULL) ORDER BY id DESC LIMIT $3",
        )
        .bind(user)
        .bind(i64::from(unread_only))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let unread: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL",
        )
        .bind(user)
        .fetch_one(self.pool())
        .await?
        .get("n");
        Ok((
            rows.iter()
                .map(|r| Notification {
                    id: r.get("id"),
                    kind: r.get("kind"),
                    title: r.get("title"),
                    body: r.get("body"),
                    link: r.get("link"),
                    created_at: r.get("created_at"),
                    read_at: r.get("read_at"),
                })
                .collect(),
            unread,
        ))
    }

    /// Marks one of a user's notifications read, or all of them (`id` none); audited.
    /// Another user's notification is not found.
    pub async fn mark_notifications_read(
        &self,
        actor: &Actor,
        zone: i64,
        user: i64,
        id: Option<i64>,
    ) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        if let Some(id) = id {
            let mine = sqlx::query("SELECT id FROM notifications WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(user)
                .fetch_optional(&mut *tx)
                .await?;
            if mine.is_none() {
                return Err(StoreError::NotFound);
            }
        }
        let n = sqlx::query(
            "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL AND ($3 IS NULL OR id = $3)",
        )
        .bind(now())
        .bind(user)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n > 0 {
            audit::record(
                &mut tx,
                actor,
                Change {
                    zone_id: zone,
                    action: "read",
                    entity: "notifications",
                    entity_id: id.map_or("all".to_string(), |i| i.to_string()),
                    before: serde_json::Value::Null,
                    after: json!({"user_id": user, "marked": n}),
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(n)
    }
}
