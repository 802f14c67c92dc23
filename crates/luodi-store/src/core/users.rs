//! Users, their passwords (Argon2id) and login throttling. A user belongs to one zone,
//! or to none when a province-level leader.

use chrono::{Duration, Utc};
use luodi_domain::core::time::{from_stored, to_stored};
use luodi_domain::{DepartmentId, EnterpriseId, Lang, Role, Scope, UserId, ZoneId};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::core::audit::{self, Actor, Change, INSTALLATION_CHAIN};
use crate::{Result, Store, StoreError, now};
use luodi_domain::core::login::{
    LOCK_MINUTES, MAX_ADDRESS_FAILURES, MAX_FAILURES, MIN_PASSWORD_CHARS, THROTTLE_WINDOW_MINUTES,
};

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub zone_id: Option<ZoneId>,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub department_id: Option<DepartmentId>,
    pub enterprise_id: Option<EnterpriseId>,
    pub lang: Option<Lang>,
    pub disabled: bool,
}

impl User {
    /// What the permission policy needs of this user.
    pub fn caller(&self) -> luodi_domain::core::policy::Caller {
        luodi_domain::core::policy::Caller {
            role: self.role,
            zone: self.zone_id,
            enterprise: self.enterprise_id,
            department: self.department_id,
        }
    }

    /// What this user reads ([`luodi_domain::core::policy::Caller::read_scope`]).
    pub fn scope(&self) -> Scope {
        self.caller().read_scope()
    }

    pub fn actor(&self) -> Actor {
        Actor::User {
            id: self.id,
            email: self.email.clone(),
        }
    }

    fn chain(&self) -> i64 {
        self.zone_id.map(|z| z.0).unwrap_or(INSTALLATION_CHAIN)
    }
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub zone_id: Option<ZoneId>,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub department_id: Option<DepartmentId>,
    pub enterprise_id: Option<EnterpriseId>,
}

/// Why a user cannot be created as asked.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("{0}")]
    Invalid(String),
    /// Too many wrong passwords: try again after this many seconds.
    #[error("too many wrong passwords; try again in {retry_after_secs} seconds")]
    Throttled { retry_after_secs: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

const USER_COLUMNS: &str =
    "id, zone_id, email, display_name, role, department_id, enterprise_id, lang, disabled_at";

fn user_from(r: &sqlx::any::AnyRow) -> User {
    User {
        id: UserId(r.get("id")),
        zone_id: r.get::<Option<i64>, _>("zone_id").map(ZoneId),
        email: r.get("email"),
        display_name: r.get("display_name"),
        role: r.get::<String, _>("role").parse().unwrap_or(Role::Leader),
        department_id: r.get::<Option<i64>, _>("department_id").map(DepartmentId),
        enterprise_id: r.get::<Option<i64>, _>("enterprise_id").map(EnterpriseId),
        lang: r
            .get::<Option<String>, _>("lang")
            .as_deref()
            .and_then(Lang::from_tag),
        disabled: r.get::<Option<String>, _>("disabled_at").is_some(),
    }
}

/// One attempt against a throttle key.
enum Attempt {
    Allowed { n: i64 },
    Locked { retry_after_secs: i64 },
}

/// What a login attempt came to.
#[derive(Debug)]
pub enum LoginOutcome {
    Success(User),
    BadCredentials,
    /// Too many failures: try again after this many seconds.
    Throttled {
        retry_after_secs: i64,
    },
}

pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

async fn hash_password(password: String) -> String {
    tokio::task::spawn_blocking(move || password_auth::generate_hash(password))
        .await
        .expect("hashing does not panic")
}

async fn password_matches(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || password_auth::verify_password(password, &hash).is_ok())
        .await
        .unwrap_or(false)
}

impl Store {
    pub async fn create_user(
        &self,
        actor: &Actor,
        new: NewUser,
        password: &str,
    ) -> Result<User, UserError> {
        let email = normalise_email(&new.email);
        if !email
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.'))
        {
            return Err(UserError::Invalid(format!(
                "'{email}' is not an e-mail address"
            )));
        }
        if password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(UserError::Invalid(format!(
                "the password must have at least {MIN_PASSWORD_CHARS} characters"
            )));
        }
        if luodi_domain::core::policy::needs_department(new.role) && new.department_id.is_none() {
            return Err(UserError::Invalid(
                "an approval officer needs a department (--department CODE)".into(),
            ));
        }
        if luodi_domain::core::policy::needs_enterprise(new.role) && new.enterprise_id.is_none() {
            return Err(UserError::Invalid(
                "an enterprise user needs an enterprise (--enterprise USCC)".into(),
            ));
        }
        if new.zone_id.is_none() && !luodi_domain::core::policy::may_span_zones(new.role) {
            return Err(UserError::Invalid(
                "only a leader can be province-level (without a zone)".into(),
            ));
        }
        let hash = hash_password(password.to_string()).await;
        let mut tx = self.begin_write().await.map_err(UserError::Store)?;
        let inserted = sqlx::query(
            "INSERT INTO users (zone_id, email, display_name, role, department_id, enterprise_id, password_hash, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(new.zone_id.map(|z| z.0))
        .bind(&email)
        .bind(new.display_name.trim())
        .bind(new.role.as_str())
        .bind(new.department_id.map(|d| d.0))
        .bind(new.enterprise_id.map(|e| e.0))
        .bind(&hash)
        .bind(now())
        .fetch_one(&mut *tx)
        .await;
        let id: i64 = match inserted {
            Ok(r) => r.get("id"),
            Err(e) if StoreError::is_unique_violation(&e) => {
                return Err(StoreError::Conflict {
                    field: "email",
                    value: email,
                }
                .into());
            }
            Err(e) => return Err(StoreError::Database(e).into()),
        };
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: new.zone_id.map(|z| z.0).unwrap_or(INSTALLATION_CHAIN),
                action: "create",
                entity: "user",
                entity_id: id.to_string(),
                before: serde_json::Value::Null,
                // The password hash is a secret: the audit says it was set, not what it is.
                after: json!({"email": email, "display_name": new.display_name.trim(), "role": new.role.as_str(),
                    "department_id": new.department_id.map(|d| d.0), "enterprise_id": new.enterprise_id.map(|e| e.0),
                    "password": "set"}),
            },
        )
        .await
        .map_err(UserError::Store)?;
        tx.commit().await.map_err(|e| UserError::Store(e.into()))?;
        Ok(self.user(UserId(id)).await?)
    }

    pub async fn user(&self, id: UserId) -> Result<User> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(user_from).ok_or(StoreError::NotFound)
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(normalise_email(email))
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(user_from))
    }

    /// Users of the scope's zone (all zones for a province-level scope).
    pub async fn users(&self, scope: &Scope) -> Result<Vec<User>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE ($1 IS NULL OR zone_id = $1) ORDER BY id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(scope.zone.map(|z| z.0))
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(user_from).collect())
    }

    /// The zone's users locked out by wrong passwords at `now`: (name, email, locked until),
    /// the soonest to be free first.
    pub async fn locked_users(
        &self,
        zone: luodi_domain::ZoneId,
        now: &str,
    ) -> Result<Vec<(String, String, String)>> {
        let rows = sqlx::query(
            "SELECT u.display_name, u.email, t.locked_until FROM login_throttle t JOIN users u ON t.key = 'email:' || u.email
             WHERE u.zone_id = $1 AND t.locked_until IS NOT NULL AND t.locked_until > $2 ORDER BY t.locked_until, u.email",
        )
        .bind(zone.0)
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get("display_name"), r.get("email"), r.get("locked_until")))
            .collect())
    }

    /// Checks a password, counting failures per account: after [`MAX_FAILURES`] within
    /// the window the account is locked for [`LOCK_MINUTES`], even for the right password.
    pub async fn authenticate(&self, email: &str, password: &str) -> Result<LoginOutcome> {
        self.authenticate_from(email, password, None).await
    }

    /// [`Store::authenticate`] from a client `address`, which is limited too: after
    /// [`MAX_ADDRESS_FAILURES`] failures within the window, over any accounts, the address
    /// is locked out. Each attempt is counted before its password is checked, in one
    /// atomic update, so attempts in parallel cannot check more passwords than the limit.
    pub async fn authenticate_from(
        &self,
        email: &str,
        password: &str,
        address: Option<std::net::IpAddr>,
    ) -> Result<LoginOutcome> {
        let account = format!("email:{}", normalise_email(email));
        // An IPv6 client usually holds a whole /64: it is one address for the limit.
        let address = address.map(|a| match a {
            std::net::IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
                let s = v6.segments();
                format!("addr:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
            std::net::IpAddr::V6(v6) => format!(
                "addr:{}",
                v6.to_ipv4_mapped()
                    .unwrap_or(std::net::Ipv4Addr::UNSPECIFIED)
            ),
            v4 => format!("addr:{v4}"),
        });
        if let Some(addr) = &address
            && let Attempt::Locked { retry_after_secs } =
                self.count_attempt(addr, MAX_ADDRESS_FAILURES).await?
        {
            return Ok(LoginOutcome::Throttled { retry_after_secs });
        }
        let n = match self.count_attempt(&account, MAX_FAILURES).await? {
            Attempt::Locked { retry_after_secs } => {
                return Ok(LoginOutcome::Throttled { retry_after_secs });
            }
            Attempt::Allowed { n } => n,
        };
        let row = sqlx::query("SELECT id, password_hash, disabled_at FROM users WHERE email = $1")
            .bind(normalise_email(email))
            .fetch_optional(self.pool())
            .await?;
        // Hash even for an unknown e-mail, so timing does not tell which accounts exist.
        let (id, hash, disabled) = match &row {
            Some(r) => (
                Some(r.get::<i64, _>("id")),
                r.get::<String, _>("password_hash"),
                r.get::<Option<String>, _>("disabled_at").is_some(),
            ),
            None => (None, dummy_hash().to_string(), false),
        };
        let ok = password_matches(password.to_string(), hash).await && id.is_some() && !disabled;
        if !ok {
            if n >= MAX_FAILURES {
                self.lock(&account).await?;
                return Ok(LoginOutcome::Throttled {
                    retry_after_secs: LOCK_MINUTES * 60,
                });
            }
            return Ok(LoginOutcome::BadCredentials);
        }
        // A success clears the account's count and takes its attempt back from the
        // address's, which counts failures only.
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM login_throttle WHERE key = $1")
            .bind(&account)
            .execute(&mut *tx)
            .await?;
        if let Some(addr) = &address {
            sqlx::query(
                "UPDATE login_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0",
            )
            .bind(addr)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        let user = self.user(UserId(id.unwrap_or_default())).await?;
        let mut tx = self.begin_write().await?;
        audit::record(
            &mut tx,
            &user.actor(),
            Change {
                zone_id: user.chain(),
                action: "login",
                entity: "user",
                entity_id: user.id.to_string(),
                before: serde_json::Value::Null,
                after: serde_json::Value::Null,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(LoginOutcome::Success(user))
    }

    /// Counts one attempt against `key` atomically: its number in the current window, or
    /// the lock it is under. The attempt after `limit` locks the key.
    async fn count_attempt(&self, key: &str, limit: i64) -> Result<Attempt> {
        let now_t = Utc::now();
        let window_start = to_stored(now_t - Duration::minutes(THROTTLE_WINDOW_MINUTES));
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO login_throttle (key, failures, window_start, locked_until) VALUES ($1, 1, $2, NULL)
             ON CONFLICT (key) DO UPDATE SET
               failures = CASE WHEN login_throttle.window_start < $3 THEN 1 ELSE login_throttle.failures + 1 END,
               window_start = CASE WHEN login_throttle.window_start < $3 THEN excluded.window_start ELSE login_throttle.window_start END
             RETURNING failures, locked_until",
        )
        .bind(key)
        .bind(to_stored(now_t))
        .bind(&window_start)
        .fetch_one(&mut *tx)
        .await?;
        let n: i64 = row.get("failures");
        let locked = row
            .get::<Option<String>, _>("locked_until")
            .as_deref()
            .and_then(from_stored)
            .filter(|until| *until > now_t);
        let outcome = match locked {
            Some(until) => Attempt::Locked {
                retry_after_secs: (until - now_t).num_seconds().max(1),
            },
            None if n > limit => {
                let until = now_t + Duration::minutes(LOCK_MINUTES);
                sqlx::query("UPDATE login_throttle SET locked_until = $1, failures = 0, window_start = $2 WHERE key = $3")
                    .bind(to_stored(until))
                    .bind(to_stored(now_t))
                    .bind(key)
                    .execute(&mut *tx)
                    .await?;
                Attempt::Locked {
                    retry_after_secs: LOCK_MINUTES * 60,
                }
            }
            None => Attempt::Allowed { n },
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// Locks `key` for [`LOCK_MINUTES`] from now.
    async fn lock(&self, key: &str) -> Result<()> {
        let now_t = Utc::now();
        sqlx::query("UPDATE login_throttle SET locked_until = $1, failures = 0, window_start = $2 WHERE key = $3")
            .bind(to_stored(now_t + Duration::minutes(LOCK_MINUTES)))
            .bind(to_stored(now_t))
            .bind(key)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Sets a new password. With `current` (a user changing their own), the current
    /// password must match; without it (an operator's reset) it is not asked. Every other
    /// session of the user ends, so a stolen session does not outlive the change; the
    /// user's API tokens are revoked too on an operator's reset, and on the user's own
    /// change when `revoke_tokens` says so.
    pub async fn set_password(
        &self,
        actor: &Actor,
        user: &User,
        current: Option<&str>,
        new: &str,
        keep_session: Option<&str>,
        revoke_tokens: bool,
    ) -> Result<(), UserError> {
        if let Some(current) = current {
            // The current password is checked under the account's throttle, like a login.
            let account = format!("email:{}", normalise_email(&user.email));
            let n = match self.count_attempt(&account, MAX_FAILURES).await? {
                Attempt::Locked { retry_after_secs } => {
                    return Err(UserError::Throttled { retry_after_secs });
                }
                Attempt::Allowed { n } => n,
            };
            let hash: String = sqlx::query("SELECT password_hash FROM users WHERE id = $1")
                .bind(user.id.0)
                .fetch_one(self.pool())
                .await
                .map_err(StoreError::from)?
                .get("password_hash");
            if !password_matches(current.to_string(), hash).await {
                if n >= MAX_FAILURES {
                    self.lock(&account).await?;
                }
                return Err(UserError::Invalid("the current password is wrong".into()));
            }
            sqlx::query("DELETE FROM login_throttle WHERE key = $1")
                .bind(&account)
                .execute(self.pool())
                .await
                .map_err(StoreError::from)?;
        }
        if new.chars().count() < MIN_PASSWORD_CHARS {
            return Err(UserError::Invalid(format!(
                "the password must have at least {MIN_PASSWORD_CHARS} characters"
            )));
        }
        let hash = hash_password(new.to_string()).await;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user.id.0)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
            .bind(user.id.0)
            .bind(
                keep_session
                    .map(crate::core::sessions::secret_hash)
                    .unwrap_or_default(),
            )
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)?;
        audit::record(
            &mut tx,
            actor,
            Change {
                zone_id: user.chain(),
                action: "update",
                entity: "user",
                entity_id: user.id.to_string(),
                before: json!({"password": "old"}),
                after: json!({"password": "changed"}),
            },
        )
        .await?;
        if revoke_tokens || current.is_none() {
            Store::revoke_all_tokens(&mut tx, actor, user).await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Records the user's interface language.
    pub async fn set_user_lang(&self, user: &User, lang: Lang) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET lang = $1 WHERE id = $2")
            .bind(lang.tag())
            .bind(user.id.0)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            &user.actor(),
            Change {
                zone_id: user.chain(),
                action: "update",
                entity: "user",
                entity_id: user.id.to_string(),
                before: json!({"lang": user.lang.map(|l| l.tag())}),
                after: json!({"lang": lang.tag()}),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A real Argon2id hash of a random password nobody knows, checked against when the
/// e-mail is unknown, so that answer takes as long as a wrong password.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| password_auth::generate_hash(hex::encode(rand::random::<[u8; 16]>())))
}
