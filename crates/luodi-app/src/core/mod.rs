//! The core's use cases and what every module shares: who asks ([`caller::Caller`]), the
//! database check, API tokens' expiry, the tables every list exports; the enterprises, the
//! caller's own account and signing in, the audit trail, the working-day calendar, each
//! role's home, and the zone settings page.

pub mod account;
pub mod audit;
pub mod calendar;
pub mod caller;
pub mod enterprises;
pub mod health;
pub mod home;
pub mod list;
pub mod login;
pub mod sessions;
pub mod settings;
pub mod table;
pub mod tokens;
pub mod work;

use luodi_domain::Text;
use luodi_domain::core::enterprise::FieldError;
use luodi_domain::core::i18n;
use luodi_domain::core::policy::Denied;
use luodi_store::StoreError;

use crate::problem::{Kind, Problem};

/// Today in the zone's time zone (UTC+8): the day clocks and forecasts count from.
pub fn zone_today() -> chrono::NaiveDate {
    luodi_domain::core::time::zone_date(chrono::Utc::now())
}

/// What a core use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The permission policy refuses the caller.
    #[error(transparent)]
    Denied(#[from] Denied),
    /// Fields the rules refuse, each named.
    #[error("{} field(s) refused", .0.len())]
    Fields(Vec<FieldError>),
    /// A caller who may not change an enterprise's code sent another one.
    #[error("the unified social credit code may not be changed")]
    CodeLocked,
    /// A query parameter that cannot be read: its name and what is wrong with it.
    #[error("query parameter '{name}' {}", .what.en)]
    BadParameter { name: &'static str, what: Text },
    /// A token's label that is empty or longer than 100 characters.
    #[error("the label must have 1–100 characters")]
    TokenLabel,
    /// A token's life outside 1–365 days.
    #[error("a token lives 1 to 365 days")]
    TokenDays,
    /// A new password shorter than the rules' least (the number of characters).
    #[error("the new password needs at least {0} characters")]
    PasswordShort(usize),
    /// The new password and its confirmation differ.
    #[error("the two new passwords differ")]
    PasswordMismatch,
    /// The current password given is wrong.
    #[error("the current password is wrong")]
    WrongPassword,
    /// Too many wrong passwords: try again after this many seconds.
    #[error("too many wrong passwords; try again in {0} seconds")]
    PasswordThrottled(i64),
    /// A zone setting the rules refuse: the form it was sent with and what is wrong.
    #[error("{}", .message.en)]
    Setting {
        form: &'static str,
        field: String,
        message: Text,
    },
    /// The zone's outbound settings or a delivery refused by stewardship's use cases,
    /// which the settings page calls.
    #[error(transparent)]
    Stewardship(#[from] crate::stewardship::StewardshipError),
    /// A use case of approvals that a core view reads (the home's department queue).
    #[error(transparent)]
    Approvals(#[from] crate::approvals::ApprovalsError),
    /// A use case of forecast that a core view reads (the home's forecasts).
    #[error(transparent)]
    Forecast(#[from] crate::forecast::ForecastError),
    /// A use case of land that a core view reads (the home's reserved parcels).
    #[error(transparent)]
    Land(#[from] crate::land::LandError),
}

impl CoreError {
    /// A zone setting refused at `form` (the settings page's form it came from).
    pub fn setting(form: &'static str, field: impl Into<String>, message: Text) -> CoreError {
        CoreError::Setting {
            form,
            field: field.into(),
            message,
        }
    }
}

impl From<CoreError> for Problem {
    fn from(e: CoreError) -> Problem {
        match e {
            CoreError::Store(e) => e.into(),
            CoreError::Denied(e) => e.into(),
            CoreError::Fields(errors) => Problem::fields(&errors),
            CoreError::CodeLocked => Problem::new(
                Kind::Forbidden,
                "forbidden",
                Text::key("core.error.code_locked"),
            )
            .field("uscc"),
            CoreError::BadParameter { name, what } => Problem::new(
                Kind::Malformed,
                "bad_parameter",
                Text::from_fn(|lang| {
                    i18n::fill(
                        lang,
                        "core.error.bad_parameter",
                        &[("name", name), ("what", what.get(lang))],
                    )
                }),
            )
            .field(name),
            CoreError::TokenLabel => {
                Problem::invalid("invalid_label", Text::key("core.error.token_label"))
                    .field("label")
            }
            CoreError::TokenDays => {
                Problem::invalid("out_of_range", Text::key("core.error.token_days"))
                    .field("expires_in_days")
            }
            CoreError::PasswordShort(n) => Problem::invalid(
                "password_short",
                Text::fill("account.password_short", &[("n", &n.to_string())]),
            )
            .field("new_password"),
            CoreError::PasswordMismatch => {
                Problem::invalid("password_mismatch", Text::key("account.password_mismatch"))
                    .field("confirm_password")
            }
            CoreError::WrongPassword => {
                Problem::invalid("password_wrong", Text::key("account.password_wrong"))
                    .field("current_password")
            }
            CoreError::PasswordThrottled(secs) => Problem::invalid(
                "password_throttled",
                Text::fill(
                    "account.password_throttled",
                    &[("minutes", &((secs + 59) / 60).to_string())],
                ),
            )
            .field("current_password"),
            CoreError::Setting { field, message, .. } => {
                Problem::invalid("invalid_setting", message).field(field)
            }
            CoreError::Stewardship(e) => e.into(),
            CoreError::Approvals(e) => e.into(),
            CoreError::Forecast(e) => e.into(),
            CoreError::Land(e) => e.into(),
        }
    }
}
