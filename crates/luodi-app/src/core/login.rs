//! Signing in and out: a password checked (wrong ones throttled by account and by
//! address, as `luodi_domain::core::login` says), a session opened and ended.

use luodi_domain::Lang;
use luodi_domain::core::login::LOCK_MINUTES;
use luodi_store::core::users::LoginOutcome;

use super::CoreError;
use crate::App;

/// What a login attempt came to.
#[derive(Debug)]
pub enum LogIn {
    /// A new session: its secret (for the cookie) and the user's language, if they chose.
    Session { secret: String, lang: Option<Lang> },
    /// Wrong e-mail or password.
    BadCredentials,
    /// Too many failures: try again after `retry_after_secs` (`minutes`, as said to
    /// people: rounded up, never more than the lock).
    Throttled { retry_after_secs: i64, minutes: i64 },
}

/// Checks `email` and `password`, asked from `client`, and opens a session when they are
/// right.
pub async fn log_in(
    app: &App,
    email: &str,
    password: &str,
    client: Option<std::net::IpAddr>,
) -> Result<LogIn, CoreError> {
    Ok(
        match app.store.authenticate_from(email, password, client).await? {
            LoginOutcome::Success(user) => {
                let (secret, _) = app.store.create_session(&user).await?;
                LogIn::Session {
                    secret,
                    lang: user.lang,
                }
            }
            LoginOutcome::BadCredentials => LogIn::BadCredentials,
            LoginOutcome::Throttled { retry_after_secs } => LogIn::Throttled {
                retry_after_secs,
                minutes: ((retry_after_secs + 59) / 60).min(LOCK_MINUTES),
            },
        },
    )
}

/// Ends the session whose secret is `secret`.
pub async fn log_out(app: &App, secret: &str) -> Result<(), CoreError> {
    Ok(app.store.end_session(secret).await?)
}
