//! Who is asking: a signed-in session or an API token found by its secret, and what every
//! page shows around its content for that user (their zone's name, their unread
//! notifications).

use luodi_domain::Lang;
use luodi_store::StoreError;
use luodi_store::core::sessions::Session;
use luodi_store::core::users::User;

use crate::App;

/// The user a live API token belongs to, and when the token expires (`None`: no such
/// token, or revoked or expired).
pub async fn by_token(
    app: &App,
    secret: &str,
) -> Result<Option<(User, chrono::DateTime<chrono::Utc>)>, StoreError> {
    app.store.token_caller(secret).await
}

/// The live session a cookie's secret names (`None`: none, or ended).
pub async fn by_cookie(app: &App, secret: &str) -> Result<Option<Session>, StoreError> {
    app.store.session(secret).await
}

/// What every page shows around its content.
pub struct Frame {
    /// The user's zone's name in their language; `None` for a province-level user.
    pub zone_name: Option<String>,
    /// Their unread notifications.
    pub unread: i64,
}

/// The frame of `user`'s pages. A page is still shown when these cannot be read: the
/// zone's name is then empty and nothing is unread.
pub async fn frame(app: &App, user: &User, lang: Lang) -> Frame {
    let zone_name = match user.zone_id {
        Some(z) => Some(
            app.store
                .zone(z)
                .await
                .map(|z| match lang {
                    Lang::Zh => z.name_zh,
                    Lang::En => z.name_en,
                })
                .unwrap_or_default(),
        ),
        None => None,
    };
    let unread = app
        .store
        .notifications(user.id.0, true, 0)
        .await
        .map(|n| n.1)
        .unwrap_or(0);
    Frame { zone_name, unread }
}
