//! 一次性告知书 — what the one-time notification of a project phase says: everything the
//! enterprise must do, told once. The web layer shows it as a page and typesets it as a
//! PDF; the same [`Notice`] feeds both.

use luodi_domain::approvals::catalogue::ReformMode;
use luodi_domain::approvals::rule::ASSESSMENTS;
use luodi_domain::approvals::service_item::ItemState;
use luodi_domain::core::i18n;
use luodi_domain::{Lang, Operation};
use serde::Serialize;

use super::service_lists::{Loaded, load};
use super::{ApprovalsError, limit_text};
use crate::{App, Caller};

#[derive(Debug, Clone, Serialize)]
pub struct NoticeItem {
    pub code: String,
    pub name: String,
    pub note: String,
    pub department: String,
    pub limit: String,
    pub modes: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NoticeCategory {
    pub name: String,
    pub items: Vec<NoticeItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NoticeStage {
    pub name: String,
    pub categories: Vec<NoticeCategory>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NoticeMaterial {
    pub name: String,
    pub items: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NoticeNote {
    pub code: String,
    pub name: String,
    pub reason: String,
}

/// Everything the notification says.
#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    pub title: String,
    pub subtitle: String,
    pub header: Vec<(String, String)>,
    pub intro: String,
    pub columns: Vec<String>,
    pub stages: Vec<NoticeStage>,
    pub materials: Vec<NoticeMaterial>,
    pub waived: Vec<NoticeNote>,
    pub confirm: Vec<NoticeNote>,
    pub contact: String,
    pub issuer: String,
    pub issued_on: String,
    pub footer: String,
    pub item_count: usize,
}

/// Who the notification is for and from.
pub struct Parties {
    pub enterprise: String,
    pub uscc: String,
    pub zone: String,
    pub steward: Option<(String, String)>,
    pub catalogue_version: String,
}

/// What the notification of `loaded` says, in `lang`, issued on `issued_on`.
pub fn build(
    loaded: &Loaded,
    parties: &Parties,
    lang: Lang,
    issued_on: chrono::NaiveDate,
) -> Notice {
    let Loaded {
        project,
        seq,
        list,
        catalogue,
    } = loaded;
    let phase = project.phases.iter().find(|p| p.seq == *seq);
    let pick = |zh: &str, en: &str| match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    };
    let t = |key: &'static str| i18n::text(lang, key);
    let dept = |code: &str| {
        catalogue
            .file
            .departments
            .iter()
            .find(|d| d.code == code)
            .map(|d| pick(&d.name_zh, &d.name_en))
            .unwrap_or_else(|| code.to_string())
    };
    let assessment = |kind: &str| {
        ASSESSMENTS
            .iter()
            .find(|a| a.0 == kind)
            .map(|a| {
                if lang == Lang::Zh {
                    a.1.to_string()
                } else {
                    a.2.to_string()
                }
            })
            .unwrap_or_else(|| kind.to_string())
    };
    let mut to_do: Vec<&str> = Vec::new();
    let mut waived = Vec::new();
    let mut confirm = Vec::new();
    for item in &list.items {
        let Some(c) = catalogue.item(&item.code) else {
            continue;
        };
        let name = pick(&c.name_zh, &c.name_en);
        if let Some(kind) = &item.waived_by {
            waived.push(NoticeNote {
                code: item.code.clone(),
                name,
                reason: t("list.waived_note").replace("{assessment}", &assessment(kind)),
            });
            continue;
        }
        if item.applicability == luodi_domain::approvals::catalogue::Applicability::ToConfirm {
            confirm.push(NoticeNote {
                code: item.code.clone(),
                name: name.clone(),
                reason: c.applies_when.clone().unwrap_or_default(),
            });
        }
        to_do.push(&item.code);
    }
    let stages = catalogue
        .file
        .stages
        .iter()
        .map(|s| NoticeStage {
            name: pick(&s.name_zh, &s.name_en),
            categories: catalogue
                .file
                .categories
                .iter()
                .filter_map(|k| {
                    let items: Vec<NoticeItem> = to_do
                        .iter()
                        .filter_map(|code| catalogue.item(code))
                        .filter(|c| c.stage == s.code && c.category == k.code)
                        .map(|c| {
                            let done = list.items.iter().any(|i| {
                                i.code == c.code
                                    && i.state == ItemState::Approved
                                    && c.done_at_handover
                            });
                            NoticeItem {
                                code: c.code.clone(),
                                name: pick(&c.name_zh, &c.name_en),
                                note: if done {
                                    t("notice.done_at_handover").to_string()
                                } else {
                                    c.legal_basis.clone()
                                },
                                department: dept(&c.department),
                                limit: format!(
                                    "{}\n{} {}",
                                    limit_text(c.promised_limit, lang),
                                    t("notice.statutory"),
                                    limit_text(c.statutory_limit, lang)
                                ),
                                modes: c
                                    .modes
                                    .iter()
                                    .filter(|m| **m != ReformMode::RegionalAssessment)
                                    .map(|m| m.label().get(lang).to_string())
                                    .collect::<Vec<_>>()
                                    .join("\n"),
                            }
                        })
                        .collect();
                    (!items.is_empty()).then(|| NoticeCategory {
                        name: pick(&k.name_zh, &k.name_en),
                        items,
                    })
                })
                .collect(),
        })
        .filter(|s| !s.categories.is_empty())
        .collect();
    let open: Vec<&str> = to_do
        .iter()
        .copied()
        .filter(|code| {
            !list
                .items
                .iter()
                .any(|i| &i.code == code && i.state == ItemState::Approved)
        })
        .collect();
    let materials = catalogue
        .materials_for(&open)
        .into_iter()
        .map(|(m, items)| NoticeMaterial {
            name: pick(&m.name_zh, &m.name_en),
            items: items.join(", "),
        })
        .collect();
    let phase_name = phase.map(|p| p.name.clone()).unwrap_or_default();
    let parcel = phase
        .and_then(|p| p.parcel_code.clone())
        .unwrap_or_else(|| "—".into());
    let assessed = phase
        .and_then(|p| p.parcel_assessments.clone())
        .unwrap_or_default()
        .iter()
        .map(|a| assessment(a))
        .collect::<Vec<_>>()
        .join(if lang == Lang::Zh { "、" } else { ", " });
    let header = vec![
        (
            t("notice.enterprise").to_string(),
            format!("{}（{}）", parties.enterprise, parties.uscc),
        ),
        (
            t("notice.project").to_string(),
            format!(
                "{} · {}",
                pick(
                    &project.name,
                    project.name_en.as_deref().unwrap_or(&project.name)
                ),
                phase_name
            ),
        ),
        (t("notice.parcel").to_string(), parcel),
        (
            t("notice.assessed").to_string(),
            if assessed.is_empty() {
                "—".into()
            } else {
                assessed
            },
        ),
        (
            t("notice.handover").to_string(),
            list.handover_date.to_string(),
        ),
        (
            t("notice.catalogue").to_string(),
            parties.catalogue_version.clone(),
        ),
    ];
    let contact = match &parties.steward {
        Some((name, email)) => t("notice.contact_steward")
            .replace("{name}", name)
            .replace("{email}", email),
        None => t("notice.contact_none").to_string(),
    };
    Notice {
        title: t("notice.title").to_string(),
        subtitle: parties.zone.clone(),
        header,
        intro: t("notice.intro").replace("{n}", &to_do.len().to_string()),
        columns: [
            "catalogue.code",
            "catalogue.item",
            "catalogue.department",
            "notice.limit",
            "catalogue.modes",
        ]
        .iter()
        .map(|k| t(k).to_string())
        .collect(),
        stages,
        materials,
        waived,
        confirm,
        contact,
        issuer: parties.zone.clone(),
        issued_on: issued_on.to_string(),
        footer: format!("{} · {}", t("notice.title"), parties.enterprise),
        item_count: to_do.len(),
    }
}

/// The notification of phase `seq` of project `id`, in the caller's language (`None`: no
/// such project or phase the caller sees, or no list yet).
pub async fn notice(
    app: &App,
    caller: &Caller,
    id: i64,
    seq: i64,
) -> Result<Option<Notice>, ApprovalsError> {
    let Some(loaded) = load(app, caller, id, seq).await? else {
        return Ok(None);
    };
    let scope = caller.scope_for(Operation::ViewProjects)?;
    let enterprise = app
        .store
        .enterprise(&scope, loaded.project.enterprise_id)
        .await?;
    let zone = app.store.zone(loaded.list.zone_id).await?;
    let steward = match loaded.project.steward_id {
        Some(u) => app
            .store
            .user(u)
            .await
            .ok()
            .map(|u| (u.display_name, u.email)),
        None => None,
    };
    let version = app
        .store
        .catalogue_versions(loaded.list.zone_id)
        .await?
        .into_iter()
        .find(|v| v.id == loaded.list.catalogue_version_id)
        .map(|v| v.version)
        .unwrap_or_default();
    let parties = Parties {
        enterprise: enterprise.name,
        uscc: enterprise.uscc,
        zone: match caller.lang {
            Lang::Zh => zone.name_zh,
            Lang::En => zone.name_en,
        },
        steward,
        catalogue_version: version,
    };
    Ok(Some(build(&loaded, &parties, caller.lang, app.today())))
}
