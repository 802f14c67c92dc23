//! `luodi user`: users and their passwords.

use std::io::Read;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Subcommand;
use luodi_domain::Role;
use luodi_domain::core::uscc::Uscc;
use luodi_store::Actor;
use luodi_store::core::users::{NewUser, UserError};

use crate::cmd::{DbArg, open, pick_zone, settings};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Set a user's password (an operator's reset); the new password is read from
    /// standard input, and every session of the user ends.
    Password {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        email: String,
    },
    /// Add a user; the password is read from standard input.
    Add {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        email: String,
        /// admin, investment, landing, approval, steward, leader or enterprise
        #[arg(long)]
        role: String,
        /// The enterprise's unified social credit code (role enterprise)
        #[arg(long)]
        enterprise: Option<String>,
        /// The department's code (role approval), e.g. approval-bureau
        #[arg(long)]
        department: Option<String>,
        /// The zone's code; needed when the database holds several zones
        #[arg(long)]
        zone: Option<String>,
        /// A province-level leader, who reads every zone
        #[arg(long, conflicts_with = "zone")]
        province: bool,
        /// The name shown in the interface (default: the e-mail)
        #[arg(long)]
        name: Option<String>,
    },
}

pub async fn run(command: UserCommand) -> anyhow::Result<ExitCode> {
    match command {
        UserCommand::Password { db, email } => {
            let s = settings(db)?;
            let store = open(&s).await?;
            let user = store
                .user_by_email(&email)
                .await?
                .with_context(|| format!("no user with e-mail {email}"))?;
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("reading the password from standard input")?;
            match store
                .set_password(
                    &Actor::Cli,
                    &user,
                    None,
                    password.trim_end_matches(['\r', '\n']),
                    None,
                    true,
                )
                .await
            {
                Ok(()) => {
                    println!(
                        "password of {} set; their sessions have ended and their API tokens are revoked",
                        user.email
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(UserError::Invalid(why)) => bail!("{why}"),
                Err(e @ UserError::Throttled { .. }) => bail!("{e}"),
                Err(UserError::Store(e)) => Err(e.into()),
            }
        }
        UserCommand::Add {
            db,
            email,
            role,
            enterprise,
            department,
            zone,
            province,
            name,
        } => {
            let s = settings(db)?;
            let role: Role = role.parse()?;
            let store = open(&s).await?;
            let zone_id = if province {
                None
            } else {
                Some(pick_zone(&store, zone.as_deref()).await?)
            };
            let department_id = match (&department, zone_id) {
                (Some(code), Some(z)) => Some(
                    store
                        .department_by_code(z, code)
                        .await?
                        .with_context(|| {
                            format!("--department: no department with code '{code}' in this zone")
                        })?
                        .id,
                ),
                _ => None,
            };
            let enterprise_id = match (&enterprise, zone_id) {
                (Some(code), Some(z)) => {
                    let uscc =
                        Uscc::parse(code).map_err(|e| anyhow::anyhow!("--enterprise: {e}"))?;
                    Some(
                        store
                            .enterprise_by_uscc(z, uscc.as_str())
                            .await?
                            .with_context(|| {
                                format!("--enterprise: no enterprise with code {uscc} in this zone")
                            })?
                            .id,
                    )
                }
                _ => None,
            };
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']);
            let new = NewUser {
                zone_id,
                display_name: name.unwrap_or_else(|| email.clone()),
                email,
                role,
                department_id,
                enterprise_id,
            };
            match store.create_user(&Actor::Cli, new, password).await {
                Ok(u) => {
                    println!("added user {} ({}) with id {}", u.email, u.role, u.id);
                    Ok(ExitCode::SUCCESS)
                }
                Err(UserError::Invalid(why)) => bail!("{why}"),
                Err(e @ UserError::Throttled { .. }) => bail!("{e}"),
                Err(UserError::Store(e)) => Err(e.into()),
            }
        }
    }
}
