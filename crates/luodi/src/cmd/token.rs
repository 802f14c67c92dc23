//! `luodi token`: API tokens.

use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use luodi_store::Actor;

use crate::cmd::{DbArg, open, settings};

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user; prints it as the last line.
    Create {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "cli")]
        label: String,
        /// Days the token lives (1–365); its owner's inbox is warned a week before
        #[arg(long, default_value_t = luodi_store::core::sessions::TOKEN_DAYS, value_parser = clap::value_parser!(i64).range(1..=luodi_store::core::sessions::MAX_TOKEN_DAYS))]
        expires_in_days: i64,
    },
    /// Revoke one of a user's tokens.
    Revoke {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        email: String,
        #[arg(long)]
        id: i64,
    },
}

pub async fn run(command: TokenCommand) -> anyhow::Result<ExitCode> {
    match command {
        TokenCommand::Create {
            db,
            email,
            label,
            expires_in_days,
        } => {
            let s = settings(db)?;
            let store = open(&s).await?;
            let user = store
                .user_by_email(&email)
                .await?
                .with_context(|| format!("no user with e-mail {email}"))?;
            let (id, token) = store
                .create_api_token_for(&Actor::Cli, &user, &label, expires_in_days)
                .await?;
            eprintln!(
                "token {id} for {} ({}), valid {expires_in_days} days; it is shown once:",
                user.email, user.role
            );
            println!("{token}");
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::Revoke { db, email, id } => {
            let s = settings(db)?;
            let store = open(&s).await?;
            let user = store
                .user_by_email(&email)
                .await?
                .with_context(|| format!("no user with e-mail {email}"))?;
            store
                .revoke_api_token(&Actor::Cli, &user, id)
                .await
                .with_context(|| format!("no live token {id} of {email}"))?;
            println!("revoked token {id}");
            Ok(ExitCode::SUCCESS)
        }
    }
}
