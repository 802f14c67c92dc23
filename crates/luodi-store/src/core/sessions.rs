//! Browser sessions and API tokens. Only SHA-256 hashes of the secrets are stored, so a
//! copy of the database logs nobody in.

use chrono::{Duration, Utc};
use luodi_domain::UserId;
use luodi_domain::core::time::{from_stored, to_stored};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::core::audit::{self, Actor, Change, INSTALLATION_CHAIN};
use crate::core::users::User;
use crate::{Result, Store, StoreError, now};

/// A session ends after this long without a request…
pub const IDLE_MINUTES: i64 = 120;
/// An API token lives this many days unless its maker chose otherwise…
pub const TOKEN_DAYS: i64 = 90;
/// …from 1 to this many.
pub const MAX_TOKEN_DAYS: i64 = 365;
/// Its owner's inbox is warned this many days before it expires.
pub const TOKEN_WARN_DAYS: i64 = 7;
/// …and in any case this long after login.
pub const ABSOLUTE_HOURS: i64 = 12;

pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn random_secret() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// A live session: its user and the token that every form post must carry.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: UserId,
    pub label: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
    pub expires_at: String,
}

/// When a token expires: as stored, or (made before tokens expired) 90 days after it was
/// made.
fn expiry_of(created_at: &str, expires_at: Option<String>) -> String {
    expires_at.unwrap_or_else(|| {
        from_stored(created_at)
            .map(|c| to_stored(c + Duration::days(TOKEN_DAYS)))
            .unwrap_or_default()
    })
}

impl Store {
    /// Starts a session; returns the cookie value (the secret) and the CSRF token.
    pub async fn create_session(&self, user: &User) -> Result<(String, String)> {
        let secret = random_secret();
        let csrf = random_secret();
        let t = Utc::now();
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $4, $5)")
            .bind(secret_hash(&secret))
            .bind(user.id.0)
            .bind(&csrf)
            .bind(to_stored(t))
            .bind(to_stored(t + Duration::hours(ABSOLUTE_HOURS)))
            .execute(&mut *tx)
            .await?;
        // Expired sessions go at each login rather than by a sweeper.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(to_stored(t))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok((secret, csrf))
    }

    /// The session a cookie names, if it is live; refreshes its idle clock now and then.
    pub async fn session(&self, secret: &str) -> Result<Option<Session>> {
        let row = sqlx::query(
            "SELECT user_id, csrf_token, last_seen_at, expires_at FROM sessions WHERE id_hash = $1",
        )
        .bind(secret_hash(secret))
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let t = Utc::now();
        let last_seen = from_stored(&row.get::<String, _>("last_seen_at"));
        let expires = from_stored(&row.get::<String, _>("expires_at"));
        let live = expires.is_some_and(|e| e > t)
            && last_seen.is_some_and(|s| t - s < Duration::minutes(IDLE_MINUTES));
        if !live {
            self.end_session(secret).await?;
            return Ok(None);
        }
        if last_seen.is_some_and(|s| t - s > Duration::minutes(1)) {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
                .bind(to_stored(t))
                .bind(secret_hash(secret))
                .execute(self.pool())
                .await?;
        }
        let user = self.user(UserId(row.get("user_id"))).await?;
        if user.disabled {
            return Ok(None);
        }
        Ok(Some(Session {
            user,
            csrf_token: row.get("csrf_token"),
        }))
    }

    pub async fn end_session(&self, secret: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(secret_hash(secret))
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Makes a sessions look older than it is: lets tests see expiry without waiting.
    pub async fn age_session_for_test(&self, secret: &str, minutes: i64) -> Result<()> {
        let t = to_stored(Utc::now() - Duration::minutes(minutes));
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(t)
            .bind(secret_hash(secret))
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Issues an API token for `user`, living [`TOKEN_DAYS`] days; the secret is returned
    /// once and never stored.
    pub async fn create_api_token(
        &self,
        actor: &Actor,
        user: &User,
        label: &str,
    ) -> Result<(i64, String)> {
        self.create_api_token_for(actor, user, label, TOKEN_DAYS)
            .await
    }

    /// Issues an API token living `days` days (1 to [`MAX_TOKEN_DAYS`], checked by the
    /// caller; clamped here).
    pub async fn create_api_token_for(
        &self,
        actor: &Actor,
        user: &User,
        label: &str,
        days: i64,
    ) -> Result<(i64, String)> {
        self.create_api_token_until(actor, user, label, days, None)
            .await
    }

    /// [`Store::create_api_token_for`], never outliving `not_after` (the token a caller
    /// made it with: a token cannot renew itself forever).
    pub async fn create_api_token_until(
        &self,
        actor: &Actor,
        user: &User,
        label: &str,
        days: i64,
        not_after: Option<chrono::DateTime<Utc>>,
    ) -> Result<(i64, String)> {
        let secret = format!("luodi_{}", random_secret());
        let days = days.clamp(1, MAX_TOKEN_DAYS);
        let mut expires = Utc::now() + Duration::days(days);
        if let Some(limit) = not_after {
            expires = expires.min(limit);
        }
        let expires_at = to_stored(expires);
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query("INSERT INTO api_tokens (user_id, token_hash, label, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(user.id.0)
            .bind(secret_hash(&secret))
            .bind(label)
            .bind(now())
            .bind(&expires_at)
            .fetch_one(&mut *tx)
            .await?
            .get("id");
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: user.zone_id.map(|z| z.0).unwrap_or(INSTALLATION_CHAIN),
                action: "create",
                entity: "api_token",
                entity_id: id.to_string(),
                before: serde_json::Value::Null,
                after: json!({"user_id": user.id.0, "label": label, "expires_at": expires_at}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok((id, secret))
    }

    /// The user an API token belongs to, if the token is live: not revoked, not expired.
    pub async fn token_user(&self, secret: &str) -> Result<Option<User>> {
        Ok(self.token_caller(secret).await?.map(|(u, _)| u))
    }

    /// [`Store::token_user`] with the moment the token expires.
    pub async fn token_caller(
        &self,
        secret: &str,
    ) -> Result<Option<(User, chrono::DateTime<Utc>)>> {
        let row = sqlx::query(
            "SELECT id, user_id, created_at, expires_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(secret_hash(secret))
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let expires = expiry_of(&row.get::<String, _>("created_at"), row.get("expires_at"));
        let Some(expires) = from_stored(&expires).filter(|e| *e > Utc::now()) else {
            return Ok(None);
        };
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now())
            .bind(row.get::<i64, _>("id"))
            .execute(self.pool())
            .await?;
        let user = self.user(UserId(row.get("user_id"))).await?;
        Ok((!user.disabled).then_some((user, expires)))
    }

    pub async fn api_tokens(&self, user: UserId) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query("SELECT id, user_id, label, created_at, last_used_at, revoked_at, expires_at FROM api_tokens WHERE user_id = $1 ORDER BY id")
            .bind(user.0)
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .iter()
            .map(|r| ApiToken {
                id: r.get("id"),
                user_id: UserId(r.get("user_id")),
                label: r.get("label"),
                created_at: r.get("created_at"),
                last_used_at: r.get("last_used_at"),
                revoked_at: r.get("revoked_at"),
                expires_at: expiry_of(&r.get::<String, _>("created_at"), r.get("expires_at")),
            })
            .collect())
    }

    /// Revokes every live token of `owner` inside `tx` (a password reset), audited once;
    /// returns how many.
    pub(crate) async fn revoke_all_tokens(
        tx: &mut crate::Tx,
        actor: &Actor,
        owner: &User,
    ) -> Result<u64> {
        let n = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(owner.id.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if n > 0 {
            audit::record(
                tx,
                actor,
                Change {
                    zone_id: owner.zone_id.map(|z| z.0).unwrap_or(INSTALLATION_CHAIN),
                    action: "revoke_all",
                    entity: "api_token",
                    entity_id: format!("user:{}", owner.id.0),
                    before: json!({"live": n}),
                    after: json!({"live": 0, "reason": "password"}),
                },
            )
            .await?;
        }
        Ok(n)
    }

    /// Warns the owners of tokens that expire within [`TOKEN_WARN_DAYS`] days, in their
    /// inbox, once a token; returns how many were warned. Many servers may run this at
    /// once: a token is taken for warning by one conditional update.
    pub async fn warn_expiring_tokens(&self) -> Result<usize> {
        let now_t = Utc::now();
        let soon = to_stored(now_t + Duration::days(TOKEN_WARN_DAYS));
        let rows = sqlx::query(
            "SELECT t.id, t.label, t.created_at, t.expires_at, u.id AS user_id, u.zone_id FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.revoked_at IS NULL AND t.expiry_warned_at IS NULL AND u.disabled_at IS NULL AND u.zone_id IS NOT NULL",
        )
        .fetch_all(self.pool())
        .await?;
        let mut warned = 0;
        for r in rows {
            let expires = expiry_of(&r.get::<String, _>("created_at"), r.get("expires_at"));
            if expires > soon || from_stored(&expires).is_none_or(|e| e <= now_t) {
                continue;
            }
            let mut tx = self.begin_write().await?;
            let taken = sqlx::query(
                "UPDATE api_tokens SET expiry_warned_at = $1 WHERE id = $2 AND expiry_warned_at IS NULL",
            )
            .bind(now())
            .bind(r.get::<i64, _>("id"))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if taken == 1 {
                let label: String = r.get("label");
                let day = from_stored(&expires)
                    .map(|e| luodi_domain::core::time::zone_date(e).to_string())
                    .unwrap_or_default();
                sqlx::query(
                    "INSERT INTO notifications (zone_id, user_id, kind, title, body, link, created_at) VALUES ($1, $2, 'token_expiring', $3, $4, '/account', $5)",
                )
                .bind(r.get::<i64, _>("zone_id"))
                .bind(r.get::<i64, _>("user_id"))
                .bind(&label)
                .bind(&day)
                .bind(now())
                .execute(&mut *tx)
                .await?;
                warned += 1;
            }
            tx.commit().await?;
        }
        Ok(warned)
    }

    /// Revokes one of `owner`'s tokens.
    pub async fn revoke_api_token(&self, actor: &Actor, owner: &User, token_id: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
            .bind(now())
            .bind(token_id)
            .bind(owner.id.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: owner.zone_id.map(|z| z.0).unwrap_or(INSTALLATION_CHAIN),
                action: "revoke",
                entity: "api_token",
                entity_id: token_id.to_string(),
                before: json!({"revoked": false}),
                after: json!({"revoked": true}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
