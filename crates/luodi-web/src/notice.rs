//! 一次性告知书 — the one-time notification of a project phase: everything the enterprise
//! must do, told once, as an HTML page and as a PDF typeset by Typst with a CJK font found
//! on the machine (no font is shipped). The same [`Notice`] data feeds both.

use std::sync::{Arc, OnceLock};

use luodi_domain::Lang;
use luodi_domain::approvals::catalogue::{Catalogue, ReformMode};
use luodi_domain::approvals::rule::ASSESSMENTS;
use luodi_domain::approvals::service_item::ItemState;
use serde::Serialize;
use typst::foundations::{Dict, IntoValue, Value};
use typst_as_lib::TypstEngine;
use typst_as_lib::typst_kit_options::TypstKitFontOptions;

use crate::i18n::Tr;
use crate::pages::catalogue::limit_text;
use crate::pages::projects::Loaded;

const TEMPLATE: &str = include_str!("../templates/notice.typ");

/// CJK font families tried in order; the test command installs WenQuanYi Micro Hei.
pub const CJK_FONTS: &[&str] = &[
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Serif CJK SC",
    "WenQuanYi Zen Hei",
    "AR PL UMing CN",
];

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

pub fn build(loaded: &Loaded, parties: &Parties, tr: &Tr, issued_on: chrono::NaiveDate) -> Notice {
    let Loaded {
        project,
        seq,
        list,
        catalogue,
    } = loaded;
    let lang = tr.lang;
    let phase = project.phases.iter().find(|p| p.seq == *seq);
    let pick = |zh: &str, en: &str| tr.pick(zh, en).to_string();
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
                reason: tr
                    .t("list.waived_note")
                    .replace("{assessment}", &assessment(kind)),
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
                                    tr.t("notice.done_at_handover").to_string()
                                } else {
                                    c.legal_basis.clone()
                                },
                                department: dept(&c.department),
                                limit: format!(
                                    "{}\n{} {}",
                                    limit_text(c.promised_limit, lang),
                                    tr.t("notice.statutory"),
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
            tr.t("notice.enterprise").to_string(),
            format!("{}（{}）", parties.enterprise, parties.uscc),
        ),
        (
            tr.t("notice.project").to_string(),
            format!(
                "{} · {}",
                pick(
                    &project.name,
                    project.name_en.as_deref().unwrap_or(&project.name)
                ),
                phase_name
            ),
        ),
        (tr.t("notice.parcel").to_string(), parcel),
        (
            tr.t("notice.assessed").to_string(),
            if assessed.is_empty() {
                "—".into()
            } else {
                assessed
            },
        ),
        (
            tr.t("notice.handover").to_string(),
            list.handover_date.to_string(),
        ),
        (
            tr.t("notice.catalogue").to_string(),
            parties.catalogue_version.clone(),
        ),
    ];
    let contact = match &parties.steward {
        Some((name, email)) => tr
            .t("notice.contact_steward")
            .replace("{name}", name)
            .replace("{email}", email),
        None => tr.t("notice.contact_none").to_string(),
    };
    Notice {
        title: tr.t("notice.title").to_string(),
        subtitle: parties.zone.clone(),
        header,
        intro: tr
            .t("notice.intro")
            .replace("{n}", &to_do.len().to_string()),
        columns: [
            "catalogue.code",
            "catalogue.item",
            "catalogue.department",
            "notice.limit",
            "catalogue.modes",
        ]
        .iter()
        .map(|k| tr.t(k).to_string())
        .collect(),
        stages,
        materials,
        waived,
        confirm,
        contact,
        issuer: parties.zone.clone(),
        issued_on: issued_on.to_string(),
        footer: format!("{} · {}", tr.t("notice.title"), parties.enterprise),
        item_count: to_do.len(),
    }
}

fn json_to_typst(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::None,
        serde_json::Value::Bool(b) => b.into_value(),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map(|i| i.into_value())
            .unwrap_or_else(|| n.as_f64().unwrap_or(0.0).into_value()),
        serde_json::Value::String(s) => s.as_str().into_value(),
        serde_json::Value::Array(a) => Value::Array(a.iter().map(json_to_typst).collect()),
        serde_json::Value::Object(o) => {
            let mut d = Dict::new();
            for (k, v) in o {
                d.insert(k.as_str().into(), json_to_typst(v));
            }
            Value::Dict(d)
        }
    }
}

fn inputs(notice: &Notice, tr: &Tr) -> Dict {
    let mut d = match json_to_typst(&serde_json::to_value(notice).expect("a notice serialises")) {
        Value::Dict(d) => d,
        _ => Dict::new(),
    };
    let mut labels = Dict::new();
    for key in [
        "materials",
        "materials_hint",
        "material",
        "needed_by",
        "waived",
        "confirm",
        "contact",
        "stamp",
    ] {
        labels.insert(key.into(), tr.t(&format!("notice.{key}")).into_value());
    }
    d.insert("labels".into(), Value::Dict(labels));
    d.insert(
        "lang_code".into(),
        (if tr.lang == Lang::Zh { "zh" } else { "en" }).into_value(),
    );
    d.insert(
        "fonts".into(),
        Value::Array(CJK_FONTS.iter().map(|f| f.into_value()).collect()),
    );
    d
}

/// The Typst engine with the machine's fonts, built once (scanning fonts is slow).
fn engine() -> &'static Arc<TypstEngine<typst_as_lib::TypstTemplateMainFile>> {
    static ENGINE: OnceLock<Arc<TypstEngine<typst_as_lib::TypstTemplateMainFile>>> =
        OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut dirs: Vec<std::path::PathBuf> = Vec::new();
        if let Ok(dir) = std::env::var("LUODI_FONT_DIR") {
            dirs.push(dir.into());
        }
        Arc::new(
            TypstEngine::builder()
                .main_file(TEMPLATE)
                .search_fonts_with(
                    TypstKitFontOptions::default()
                        .include_system_fonts(true)
                        .include_dirs(dirs),
                )
                .build(),
        )
    })
}

/// Why a PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "no Chinese font is installed on this server (install fonts-wqy-microhei or fonts-noto-cjk, or set LUODI_FONT_DIR)"
    )]
    NoCjkFont,
    #[error("typesetting failed: {0}")]
    Typst(String),
}

/// Whether the engine found one of the CJK fonts.
pub fn has_cjk_font() -> bool {
    engine()
        .with_world(|world| {
            use typst::World;
            let book = world.book();
            CJK_FONTS
                .iter()
                .any(|f| book.contains_family(&f.to_lowercase()))
        })
        .unwrap_or(false)
}

/// Typesets the notification as PDF.
pub fn pdf(notice: &Notice, tr: &Tr) -> Result<Vec<u8>, PdfError> {
    if !has_cjk_font() {
        return Err(PdfError::NoCjkFont);
    }
    let doc: typst_layout::PagedDocument = engine()
        .compile_with_input(inputs(notice, tr))
        .output
        .map_err(|e| PdfError::Typst(format!("{e:?}")))?;
    typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default())
        .map_err(|e| PdfError::Typst(format!("{e:?}")))
}

/// Used by tests: the catalogue items a notice lists, in order.
pub fn listed_codes(notice: &Notice) -> Vec<String> {
    notice
        .stages
        .iter()
        .flat_map(|s| {
            s.categories
                .iter()
                .flat_map(|c| c.items.iter().map(|i| i.code.clone()))
        })
        .collect()
}

/// The catalogue the notice was made from (kept for callers that only have the notice).
pub fn item_names(catalogue: &Catalogue, codes: &[String], tr: &Tr) -> Vec<String> {
    codes
        .iter()
        .filter_map(|c| catalogue.item(c))
        .map(|i| tr.pick(&i.name_zh, &i.name_en).to_string())
        .collect()
}
