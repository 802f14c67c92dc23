//! The caller's own account: who they are, the zones they see, their password and
//! language, and their API tokens.

use chrono::{DateTime, Utc};
use luodi_domain::core::login::MIN_PASSWORD_CHARS;
use luodi_domain::{Lang, Operation};
use luodi_store::StoreError;
use luodi_store::core::sessions::{ApiToken, MAX_TOKEN_DAYS, TOKEN_DAYS};
use luodi_store::core::users::{User, UserError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::CoreError;
use crate::{App, Caller};

#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    /// admin, investment, landing, approval, steward, leader or enterprise.
    pub role: String,
    /// None for a province-level leader.
    pub zone_id: Option<i64>,
    pub department_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    /// `zh-CN` or `en`.
    pub lang: String,
}

impl MeResponse {
    /// The signed-in `user`, reading in `lang`.
    pub fn new(u: User, lang: Lang) -> Self {
        MeResponse {
            id: u.id.0,
            email: u.email,
            display_name: u.display_name,
            role: u.role.as_str().into(),
            zone_id: u.zone_id.map(|z| z.0),
            department_id: u.department_id.map(|d| d.0),
            enterprise_id: u.enterprise_id.map(|e| e.0),
            lang: lang.tag().into(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ZoneResponse {
    pub id: i64,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub province: String,
}

/// The zones the caller sees: their own, or every zone for a province-level user.
pub async fn zones(app: &App, caller: &Caller) -> Result<Vec<ZoneResponse>, CoreError> {
    let scope = caller.scope_for(Operation::ViewZones)?;
    Ok(app
        .store
        .zones(&scope)
        .await?
        .into_iter()
        .map(|z| ZoneResponse {
            id: z.id.0,
            code: z.code,
            name_zh: z.name_zh,
            name_en: z.name_en,
            province: z.province,
        })
        .collect())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub id: i64,
    pub label: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
    /// When it stops working (UTC); after it the token is refused like a revoked one.
    pub expires_at: String,
}

impl From<ApiToken> for TokenResponse {
    fn from(t: ApiToken) -> Self {
        TokenResponse {
            id: t.id,
            label: t.label,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
            expires_at: t.expires_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenRequest {
    /// What the token is for, e.g. "nightly export"; 1–100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub label: String,
    /// Days the token lives: 1–365, default 90. Its owner's inbox is warned a week before.
    #[schema(minimum = 1, maximum = 365)]
    pub expires_in_days: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewTokenResponse {
    pub id: i64,
    /// Shown once; send as `Authorization: Bearer TOKEN`.
    pub token: String,
    /// When it stops working (UTC).
    pub expires_at: String,
}

/// The caller as a user of the store (the operator at the command line has no account).
async fn owner(app: &App, caller: &Caller) -> Result<User, CoreError> {
    caller.scope_for(Operation::ManageOwnAccount)?;
    let id = caller.user_id.ok_or(StoreError::NotFound)?;
    Ok(app.store.user(id).await?)
}

/// The caller's API tokens, live or not.
pub async fn tokens(app: &App, caller: &Caller) -> Result<Vec<ApiToken>, CoreError> {
    caller.scope_for(Operation::ManageOwnAccount)?;
    let id = caller.user_id.ok_or(StoreError::NotFound)?;
    Ok(app.store.api_tokens(id).await?)
}

/// Makes the caller an API token labelled `label` living `days` days (default 90), never
/// outliving `not_after` (the token the caller asks with: a token cannot renew itself
/// forever). The secret is in the answer, once.
pub async fn create_token(
    app: &App,
    caller: &Caller,
    request: &NewTokenRequest,
    not_after: Option<DateTime<Utc>>,
) -> Result<NewTokenResponse, CoreError> {
    caller.scope_for(Operation::ManageOwnAccount)?;
    let label = request.label.trim();
    if label.is_empty() || label.chars().count() > 100 {
        return Err(CoreError::TokenLabel);
    }
    let days = request.expires_in_days.unwrap_or(TOKEN_DAYS);
    if !(1..=MAX_TOKEN_DAYS).contains(&days) {
        return Err(CoreError::TokenDays);
    }
    let user = owner(app, caller).await?;
    let (id, token) = app
        .store
        .create_api_token_until(&caller.actor, &user, label, days, not_after)
        .await?;
    let expires_at = app
        .store
        .api_tokens(user.id)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .map(|t| t.expires_at)
        .unwrap_or_default();
    Ok(NewTokenResponse {
        id,
        token,
        expires_at,
    })
}

/// Revokes the caller's token `id` (not found when it is not theirs).
pub async fn revoke_token(app: &App, caller: &Caller, id: i64) -> Result<(), CoreError> {
    let user = owner(app, caller).await?;
    Ok(app.store.revoke_api_token(&caller.actor, &user, id).await?)
}

/// A change of the caller's own password, as a form gives it.
pub struct PasswordChange<'a> {
    pub current: &'a str,
    pub new: &'a str,
    pub confirm: &'a str,
    /// The session to keep (the one asking); every other session of the user ends.
    pub keep_session: Option<&'a str>,
    /// Revoke every API token of the user too.
    pub revoke_tokens: bool,
}

/// Changes the caller's password: the new one long enough and given twice alike, the
/// current one right (wrong ones are throttled like logins).
pub async fn change_password(
    app: &App,
    caller: &Caller,
    change: &PasswordChange<'_>,
) -> Result<(), CoreError> {
    caller.scope_for(Operation::ManageOwnAccount)?;
    if change.new.chars().count() < MIN_PASSWORD_CHARS {
        return Err(CoreError::PasswordShort(MIN_PASSWORD_CHARS));
    }
    if change.new != change.confirm {
        return Err(CoreError::PasswordMismatch);
    }
    let user = owner(app, caller).await?;
    app.store
        .set_password(
            &caller.actor,
            &user,
            Some(change.current),
            change.new,
            change.keep_session,
            change.revoke_tokens,
        )
        .await
        .map_err(|e| match e {
            UserError::Invalid(_) => CoreError::WrongPassword,
            UserError::Throttled { retry_after_secs } => {
                CoreError::PasswordThrottled(retry_after_secs)
            }
            UserError::Store(e) => CoreError::Store(e),
        })
}

/// Keeps `lang` as the caller's language (nothing written when it is already theirs).
pub async fn set_language(app: &App, caller: &Caller, lang: Lang) -> Result<(), CoreError> {
    let user = owner(app, caller).await?;
    if user.lang != Some(lang) {
        app.store.set_user_lang(&user, lang).await?;
    }
    Ok(())
}

/// What the account page shows: the caller's department and enterprise by name, and
/// their tokens.
pub struct AccountView {
    /// The department's name in the caller's language.
    pub department: Option<String>,
    pub enterprise: Option<String>,
    pub tokens: Vec<ApiToken>,
}

/// The caller's account page.
pub async fn account(app: &App, caller: &Caller) -> Result<AccountView, CoreError> {
    let user = owner(app, caller).await?;
    let department = match user.department_id {
        Some(d) => app
            .store
            .department(d)
            .await
            .ok()
            .map(|d| match caller.lang {
                Lang::Zh => d.name_zh,
                Lang::En => d.name_en,
            }),
        None => None,
    };
    let enterprise = match user.enterprise_id {
        Some(e) => app
            .store
            .enterprise(&user.scope(), e)
            .await
            .ok()
            .map(|e| e.name),
        None => None,
    };
    let tokens = app.store.api_tokens(user.id).await?;
    Ok(AccountView {
        department,
        enterprise,
        tokens,
    })
}
