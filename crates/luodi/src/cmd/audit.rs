//! `luodi audit`: the audit trail verified and anchored.

use std::process::ExitCode;

use anyhow::bail;
use clap::Subcommand;

use crate::cmd::{DbArg, open, settings};

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Walk every hash chain; name the first entry that does not verify. With the audit
    /// key, check the anchors too.
    Verify {
        #[command(flatten)]
        db: DbArg,
    },
    /// Once, after setting the audit key on a database that has entries: check each
    /// chain and anchor its head, so that from then on every head must carry its anchor.
    Anchor {
        #[command(flatten)]
        db: DbArg,
    },
}

pub async fn run(command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Anchor { db } => {
            let s = settings(db)?;
            if s.audit_key.is_none() {
                bail!(
                    "there is no audit key to anchor with: set audit_key_file (in --config) or LUODI_AUDIT_KEY_FILE"
                );
            }
            let store = open(&s).await?;
            match store.anchor_heads().await? {
                Ok(zones) => {
                    println!(
                        "{} chain head(s) anchored{}",
                        zones.len(),
                        if zones.is_empty() {
                            " (every head was anchored already)".to_string()
                        } else {
                            format!(
                                ": {}",
                                zones
                                    .iter()
                                    .map(|z| format!("zone {z}"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        }
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("audit trail BROKEN, nothing anchored: {e}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        AuditCommand::Verify { db } => {
            let s = settings(db)?;
            let store = open(&s).await?;
            match store.verify_audit(None).await? {
                Ok(reports) => {
                    for r in &reports {
                        match r.anchors {
                            Some(a) => println!(
                                "zone {}: {} entries verified; {} anchored by the key{}{}",
                                r.zone_id,
                                r.entries,
                                a.anchored,
                                if a.before_key > 0 {
                                    format!(
                                        ", {} written before the key (chain only)",
                                        a.before_key
                                    )
                                } else {
                                    String::new()
                                },
                                if a.head { ", head anchored" } else { "" }
                            ),
                            None => println!("zone {}: {} entries verified", r.zone_id, r.entries),
                        }
                    }
                    println!(
                        "audit trail OK: {} chain(s), {} entries",
                        reports.len(),
                        reports.iter().map(|r| r.entries).sum::<usize>()
                    );
                    if store.audit_key().is_none() {
                        println!(
                            "anchors not checked: no key (audit_key_file / LUODI_AUDIT_KEY_FILE); the chain alone does not stop someone who can write to the database from re-hashing it"
                        );
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("audit trail BROKEN: {e}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}
