//! The outbox: notifications on their way out of Luodi (email, webhooks).
//!
//! A row is written in the transaction of the notification it carries ([`enqueue`]), so it
//! exists exactly when the thing it tells of happened. Delivery happens later, outside any
//! request: a deliverer takes due rows with a lease ([`Store::claim_outbox`]) — a
//! compare-and-set on the row, so of several servers only one holds it — sends them, and
//! records the outcome ([`Store::outbox_sent`], [`Store::outbox_failed`]). A server that dies
//! holding a lease lets it lapse, and another sends the row; so a row is sent at least once
//! and, short of such a crash, exactly once. Each webhook request carries the row's id
//! (`X-Luodi-Delivery`) for receivers that must drop the rare repeat.

use chrono::{DateTime, Utc};
use luodi_domain::core::time::to_stored;
use luodi_domain::stewardship::outbound::{Message, Outbound};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::core::audit::{self, Actor, Change};
use crate::stewardship::notifications::NewNotification;
use crate::{Result, Store, StoreError, Tx, now};

/// How many times a row is tried before it is given up as failed.
pub const MAX_ATTEMPTS: i64 = 8;

/// The wait before the next try after `attempts` failed ones: 30 s, 2 min, 10 min, 30 min,
/// 1 h, 3 h, 6 h.
pub fn backoff(attempts: i64) -> Option<chrono::Duration> {
    const WAITS: [i64; 7] = [30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600];
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let i = usize::try_from(attempts.max(1) - 1)
        .unwrap_or(0)
        .min(WAITS.len() - 1);
    Some(chrono::Duration::seconds(WAITS[i]))
}

/// One row of the outbox.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxEntry {
    pub id: i64,
    pub zone_id: i64,
    pub kind: String,
    /// `email` or `webhook`.
    pub channel: String,
    /// The email address, or the webhook's name.
    pub target: String,
    pub message: Message,
    /// `pending`, `sent` or `failed`.
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
}

/// Writes the outbound copies of `notice` for `users` inside `tx`: one per webhook of the
/// zone that wants its kind, and, where the zone sends email, one per user. Returns how many.
pub(crate) async fn enqueue(
    tx: &mut Tx,
    users: &[i64],
    notice: &NewNotification<'_>,
) -> Result<usize> {
    let Some(zone) = sqlx::query("SELECT name_zh, outbound_json FROM zones WHERE id = $1")
        .bind(notice.zone_id)
        .fetch_optional(&mut **tx)
        .await?
    else {
        return Ok(0);
    };
    let Some(text) = zone.get::<Option<String>, _>("outbound_json") else {
        return Ok(0);
    };
    let outbound: Outbound = serde_json::from_str(&text)
        .map_err(|e| StoreError::Corrupt(format!("zones.outbound_json: {e}")))?;
    let message = serde_json::to_string(&Message {
        kind: notice.kind.to_string(),
        zone: zone.get("name_zh"),
        title: notice.title.to_string(),
        body: notice.body.to_string(),
        link: notice.link.to_string(),
    })
    .expect("a message serialises");
    let mut targets: Vec<(&str, String, Option<i64>)> = outbound
        .webhooks_for(notice.kind)
        .map(|w| ("webhook", w.name.clone(), None))
        .collect();
    if outbound.email {
        for u in users {
            let email: Option<String> =
                sqlx::query("SELECT email FROM users WHERE id = $1 AND disabled_at IS NULL")
                    .bind(u)
                    .fetch_optional(&mut **tx)
                    .await?
                    .map(|r| r.get("email"));
            if let Some(email) = email {
                targets.push(("email", email, Some(*u)));
            }
        }
    }
    let t = now();
    for (channel, target, user) in &targets {
        sqlx::query(
            "INSERT INTO outbox (zone_id, kind, channel, target, user_id, message_json, state, attempts, next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7)",
        )
        .bind(notice.zone_id)
        .bind(notice.kind)
        .bind(*channel)
        .bind(target)
        .bind(*user)
        .bind(&message)
        .bind(&t)
        .execute(&mut **tx)
        .await?;
    }
    Ok(targets.len())
}

const COLUMNS: &str = "id, zone_id, kind, channel, target, message_json, state, attempts, next_attempt_at, last_error, created_at, sent_at";

fn entry(r: &sqlx::any::AnyRow) -> Result<OutboxEntry> {
    let text: String = r.get("message_json");
    Ok(OutboxEntry {
        id: r.get("id"),
        zone_id: r.get("zone_id"),
        kind: r.get("kind"),
        channel: r.get("channel"),
        target: r.get("target"),
        message: serde_json::from_str(&text)
            .map_err(|e| StoreError::Corrupt(format!("outbox.message_json: {e}")))?,
        state: r.get("state"),
        attempts: r.get("attempts"),
        next_attempt_at: r.get("next_attempt_at"),
        last_error: r.get("last_error"),
        created_at: r.get("created_at"),
        sent_at: r.get("sent_at"),
    })
}

/// How many rows of a zone are in each state.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OutboxCounts {
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
}

impl Store {
    /// Takes up to `limit` due rows of the given channels for `lease` from `now`, marking
    /// them with `token`; a row another server holds is left alone.
    pub async fn claim_outbox(
        &self,
        channels: &[&str],
        now: DateTime<Utc>,
        lease: chrono::Duration,
        token: &str,
        limit: i64,
    ) -> Result<Vec<OutboxEntry>> {
        if channels.is_empty() {
            return Ok(Vec::new());
        }
        let at = to_stored(now);
        let until = to_stored(now + lease);
        // At most two channels (webhook, email); the second bind repeats the first for one.
        let candidates = sqlx::query(
            "SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_at <= $1
             AND (lease_until IS NULL OR lease_until < $1) AND channel IN ($3, $4) ORDER BY id LIMIT $2",
        )
        .bind(&at)
        .bind(limit * 4)
        .bind(channels[0])
        .bind(channels.get(1).unwrap_or(&channels[0]))
        .fetch_all(self.pool())
        .await?;
        let mut taken = Vec::new();
        for r in candidates {
            if taken.len() as i64 >= limit {
                break;
            }
            let id: i64 = r.get("id");
            // The compare-and-set: only one server's update finds the row still free, and
            // still due — another server may have tried it and set its next try since the
            // candidates were read (then it waits its turn, not sent again at once).
            let won = sqlx::query(
                "UPDATE outbox SET lease_until = $1, lease_token = $2 WHERE id = $3 AND state = 'pending'
                 AND (lease_until IS NULL OR lease_until < $4) AND next_attempt_at <= $4",
            )
            .bind(&until)
            .bind(token)
            .bind(id)
            .bind(&at)
            .execute(self.pool())
            .await?
            .rows_affected();
            if won == 1 {
                taken.push(id);
            }
        }
        let mut out = Vec::with_capacity(taken.len());
        for id in taken {
            let sql = format!("SELECT {COLUMNS} FROM outbox WHERE id = $1 AND lease_token = $2");
            if let Some(r) = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .bind(token)
                .fetch_optional(self.pool())
                .await?
            {
                out.push(entry(&r)?);
            }
        }
        Ok(out)
    }

    /// Records that a row held under `token` was sent.
    pub async fn outbox_sent(&self, id: i64, token: &str, now: DateTime<Utc>) -> Result<bool> {
        Ok(sqlx::query(
            "UPDATE outbox SET state = 'sent', sent_at = $1, attempts = attempts + 1, last_error = NULL,
             lease_until = NULL, lease_token = NULL WHERE id = $2 AND lease_token = $3",
        )
        .bind(to_stored(now))
        .bind(id)
        .bind(token)
        .execute(self.pool())
        .await?
        .rows_affected()
            == 1)
    }

    /// Records a failed try of a row held under `token`: tried again after the backoff, or
    /// given up as failed once its attempts run out (or at once where `permanent`).
    pub async fn outbox_failed(
        &self,
        id: i64,
        token: &str,
        now: DateTime<Utc>,
        error: &str,
        permanent: bool,
    ) -> Result<bool> {
        let attempts: i64 = match sqlx::query("SELECT attempts FROM outbox WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
        {
            Some(r) => r.get::<i64, _>("attempts") + 1,
            None => return Ok(false),
        };
        let next = if permanent { None } else { backoff(attempts) };
        let error: String = error.chars().take(500).collect();
        Ok(sqlx::query(
            "UPDATE outbox SET state = $1, attempts = $2, next_attempt_at = $3, last_error = $4,
             lease_until = NULL, lease_token = NULL WHERE id = $5 AND lease_token = $6",
        )
        .bind(if next.is_some() { "pending" } else { "failed" })
        .bind(attempts)
        .bind(to_stored(now + next.unwrap_or_default()))
        .bind(error)
        .bind(id)
        .bind(token)
        .execute(self.pool())
        .await?
        .rows_affected()
            == 1)
    }

    /// A zone's outbox, newest first (only rows in `state` if given), and its counts.
    /// Deliveries of every zone by state (`pending`, `sent`, `failed`), for the metrics.
    pub async fn outbox_backlog(&self) -> Result<Vec<(String, i64)>> {
        Ok(
            sqlx::query("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state ORDER BY state")
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(|r| (r.get("state"), r.get("n")))
                .collect(),
        )
    }

    pub async fn outbox(
        &self,
        zone: i64,
        state: Option<&str>,
        limit: i64,
    ) -> Result<(Vec<OutboxEntry>, OutboxCounts)> {
        let sql = format!(
            "SELECT {COLUMNS} FROM outbox WHERE zone_id = $1 AND ($2 IS NULL OR state = $2) ORDER BY id DESC LIMIT $3"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(zone)
            .bind(state)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        let mut counts = OutboxCounts::default();
        for r in
            sqlx::query("SELECT state, COUNT(*) AS n FROM outbox WHERE zone_id = $1 GROUP BY state")
                .bind(zone)
                .fetch_all(self.pool())
                .await?
        {
            let n: i64 = r.get("n");
            match r.get::<String, _>("state").as_str() {
                "pending" => counts.pending = n,
                "sent" => counts.sent = n,
                _ => counts.failed += n,
            }
        }
        Ok((rows.iter().map(entry).collect::<Result<_>>()?, counts))
    }

    /// Sends a failed row again from now, with its attempts counted afresh; audited. False
    /// (and nothing changed) where the row has not failed.
    pub async fn retry_outbox(&self, actor: &Actor, zone: i64, id: i64) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT state, attempts, last_error FROM outbox WHERE id = $1 AND zone_id = $2",
        )
        .bind(id)
        .bind(zone)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let state: String = row.get("state");
        if state != "failed" {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $1, lease_until = NULL, lease_token = NULL WHERE id = $2",
        )
        .bind(now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: zone,
                action: "retry",
                entity: "outbox",
                entity_id: id.to_string(),
                before: json!({"state": state, "attempts": row.get::<i64, _>("attempts"), "last_error": row.get::<Option<String>, _>("last_error")}),
                after: json!({"state": "pending", "attempts": 0}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}
