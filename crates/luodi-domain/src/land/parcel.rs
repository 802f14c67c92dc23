//! 地块 — land parcels' attributes (the 标准地 control indicators, planning limits,
//! utilities, the regional assessments that cover them), each with a documented default,
//! read field by field with every problem named; a parcel ready to store (a draft), and a
//! problem of a file's feature or row. The geometry is [`crate::land::geometry`]'s, the
//! files' readers [`crate::land::readers`].

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::approvals::rule::ASSESSMENTS;
use crate::core::i18n;
use crate::core::industry::IndustryCode;
use crate::core::lang::{Lang, Text};
use crate::land::geometry::Shape;

/// Where a parcel stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ParcelStatus {
    #[default]
    Available,
    Reserved,
    HandedOver,
    Withdrawn,
}

impl ParcelStatus {
    pub const ALL: [ParcelStatus; 4] = [
        ParcelStatus::Available,
        ParcelStatus::Reserved,
        ParcelStatus::HandedOver,
        ParcelStatus::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ParcelStatus::Available => "available",
            ParcelStatus::Reserved => "reserved",
            ParcelStatus::HandedOver => "handed_over",
            ParcelStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<ParcelStatus> {
        ParcelStatus::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The status in a text: its code in English (as files write it), its name in Chinese.
    pub fn word(self, lang: Lang) -> String {
        let name = match self {
            ParcelStatus::Available => i18n::text(lang, "parcels.status_available"),
            ParcelStatus::Reserved => i18n::text(lang, "parcels.status_reserved"),
            ParcelStatus::HandedOver => i18n::text(lang, "parcels.status_handed_over"),
            ParcelStatus::Withdrawn => i18n::text(lang, "parcels.status_withdrawn"),
        };
        match lang {
            Lang::En => self.as_str().to_string(),
            Lang::Zh => name.to_string(),
        }
    }

    /// Whether the status belongs to a phase's allocation (reserved or handed over).
    pub fn is_allocation(self) -> bool {
        matches!(self, ParcelStatus::Reserved | ParcelStatus::HandedOver)
    }
}

/// Whether an imported file may give a parcel the status `given` (`status_given`: the file
/// names a status at all) when the zone holds it as `current` (none: a new parcel), and
/// why not. Reservations and handovers belong to a phase: a file may keep them, not make
/// or undo them.
pub fn import_status_allowed(
    current: Option<ParcelStatus>,
    given: ParcelStatus,
    status_given: bool,
) -> Result<(), Text> {
    if !status_given
        || current == Some(given)
        || !(given.is_allocation() || current.is_some_and(ParcelStatus::is_allocation))
    {
        return Ok(());
    }
    Err(match current {
        None => Text::from_fn(|lang| {
            i18n::fill(
                lang,
                "rules.parcel.status_new",
                &[("status", &given.word(lang))],
            )
        }),
        Some(current) => Text::from_fn(|lang| {
            i18n::fill(
                lang,
                "rules.parcel.status_held",
                &[("status", &current.word(lang))],
            )
        }),
    })
}

/// Land uses a parcel may carry.
pub const LAND_USES: &[&str] = &["industrial", "research", "warehouse", "commercial", "mixed"];
/// Sewage classes a parcel may discharge as (GB 8978 / GB/T 31962 grades).
pub const SEWAGE_CLASSES: &[&str] = &["A", "B", "C"];

/// A parcel's attributes, as a file or the API gives them. Only `code` is required; the
/// rest default as documented on each field. Properties not named here are kept in
/// `extra`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ParcelAttrs {
    /// A stable code, e.g. `GX-2026-07` (1–40 letters, digits, `-`, `_`, `.`).
    pub code: String,
    /// Default: none.
    pub name: Option<String>,
    /// The park's code. Default: none (the zone's land outside a park).
    pub park: Option<String>,
    /// One of [`LAND_USES`]. Default `industrial`.
    pub land_use: String,
    /// Default `available`.
    pub status: ParcelStatus,
    /// Whether the properties gave a status (an import keeps an existing parcel's status
    /// when they do not).
    #[serde(skip)]
    pub status_given: bool,
    /// 万元/亩. Default: none (price on request).
    pub price_per_mu_wan: Option<f64>,
    pub power_kva: Option<f64>,
    pub water_m3_per_day: Option<f64>,
    /// Default: false for the flags.
    pub gas: bool,
    pub steam: bool,
    pub road_access: bool,
    /// One of [`SEWAGE_CLASSES`]. Default: none.
    pub sewage_class: Option<String>,
    pub plot_ratio_min: Option<f64>,
    pub plot_ratio_max: Option<f64>,
    pub building_coverage_min: Option<f64>,
    pub green_ratio_max: Option<f64>,
    pub height_max_m: Option<f64>,
    /// 标准地 control indicators: 万元/亩 (investment, tax, output) and tce/万元.
    pub investment_intensity_min_wan_per_mu: Option<f64>,
    pub tax_per_mu_min_wan: Option<f64>,
    pub output_per_mu_min_wan: Option<f64>,
    pub energy_per_value_added_max_tce: Option<f64>,
    /// GB/T 4754 codes or prefixes (e.g. `C27`); empty means any industry.
    pub allowed_industries: Vec<String>,
    /// Regional assessments that already cover it (see [`ASSESSMENTS`]).
    pub assessments: Vec<String>,
    /// When the data was last checked. Default: none (shown as never checked).
    pub checked_on: Option<NaiveDate>,
    /// Properties not named above, kept as they came.
    pub extra: Map<String, Value>,
}

/// A problem with one attribute, the reason in both languages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {}", .reason.en)]
pub struct FieldProblem {
    pub field: String,
    pub reason: Text,
}

const NUMBER_FIELDS: &[&str] = &[
    "price_per_mu_wan",
    "power_kva",
    "water_m3_per_day",
    "plot_ratio_min",
    "plot_ratio_max",
    "building_coverage_min",
    "green_ratio_max",
    "height_max_m",
    "investment_intensity_min_wan_per_mu",
    "tax_per_mu_min_wan",
    "output_per_mu_min_wan",
    "energy_per_value_added_max_tce",
];
const FLAG_FIELDS: &[&str] = &["gas", "steam", "road_access"];
const TEXT_FIELDS: &[&str] = &[
    "code",
    "name",
    "park",
    "land_use",
    "status",
    "sewage_class",
    "checked_on",
];
const LIST_FIELDS: &[&str] = &["allowed_industries", "assessments"];
/// What an export adds that an import computes or assigns itself: read and ignored, so an
/// exported file imports back unchanged.
pub const EXPORTED_FIELDS: &[&str] = &["id", "area_m2", "area_mu"];

/// A property as text: strings trimmed, whole numbers without a decimal point (a
/// spreadsheet's 1001 is the code "1001", not "1001.0").
pub(crate) fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

fn code_ok(code: &str) -> bool {
    (1..=40).contains(&code.chars().count())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

impl ParcelAttrs {
    /// Reads attributes from properties (snake_case names, as in the API), listing every
    /// problem. Empty strings and nulls count as absent, so spreadsheets with blank cells
    /// read naturally; lists may be arrays or comma-separated text.
    pub fn from_properties(props: &Map<String, Value>) -> Result<ParcelAttrs, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut bad = |field: &str, reason: Text| {
            problems.push(FieldProblem {
                field: field.to_string(),
                reason,
            })
        };
        let present = |k: &str| {
            props
                .get(k)
                .filter(|v| !v.is_null() && v.as_str().is_none_or(|s| !s.trim().is_empty()))
        };
        let text = |k: &str| -> Option<String> { present(k).map(value_text) };
        for (k, v) in props {
            let found = crate::core::text::forbidden_char(k)
                .or_else(|| crate::core::text::json_forbidden(v).map(|(_, c)| c));
            if let Some(c) = found {
                let shown: String = k.escape_debug().collect();
                bad(
                    &shown,
                    Text::fill(
                        "rules.parcel.control_character",
                        &[("character", &crate::core::text::describe(c))],
                    ),
                );
            }
        }
        let mut a = ParcelAttrs {
            land_use: "industrial".into(),
            ..Default::default()
        };
        match text("code") {
            Some(c) if code_ok(&c) => a.code = c,
            Some(c) => bad("code", Text::fill("rules.parcel.bad_code", &[("code", &c)])),
            None => bad("code", Text::key("rules.parcel.code_required")),
        }
        a.name = text("name");
        a.park = text("park");
        if let Some(u) = text("land_use") {
            if LAND_USES.contains(&u.as_str()) {
                a.land_use = u;
            } else {
                bad(
                    "land_use",
                    Text::fill(
                        "rules.parcel.not_one_of",
                        &[("value", &u), ("allowed", &LAND_USES.join(", "))],
                    ),
                );
            }
        }
        if let Some(s) = text("status") {
            match ParcelStatus::parse(&s) {
                Some(st) => {
                    a.status = st;
                    a.status_given = true;
                }
                None => bad(
                    "status",
                    Text::fill(
                        "rules.parcel.not_one_of",
                        &[
                            ("value", &s),
                            (
                                "allowed",
                                &ParcelStatus::ALL.map(ParcelStatus::as_str).join(", "),
                            ),
                        ],
                    ),
                ),
            }
        }
        if let Some(s) = text("sewage_class") {
            if SEWAGE_CLASSES.contains(&s.as_str()) {
                a.sewage_class = Some(s);
            } else {
                bad(
                    "sewage_class",
                    Text::fill(
                        "rules.parcel.not_one_of",
                        &[("value", &s), ("allowed", &SEWAGE_CLASSES.join(", "))],
                    ),
                );
            }
        }
        if let Some(d) = text("checked_on") {
            match NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
                Ok(d) => a.checked_on = Some(d),
                Err(_) => bad(
                    "checked_on",
                    Text::fill("rules.parcel.bad_date", &[("value", &d)]),
                ),
            }
        }
        let mut numbers = std::collections::HashMap::new();
        for &k in NUMBER_FIELDS {
            let Some(v) = present(k) else { continue };
            let n = match v {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            };
            match n {
                Some(n) if n.is_finite() && n >= 0.0 => {
                    numbers.insert(k, n);
                }
                _ => bad(
                    k,
                    Text::fill("rules.parcel.not_a_number", &[("value", &v.to_string())]),
                ),
            }
        }
        for k in ["building_coverage_min", "green_ratio_max"] {
            if let Some(&v) = numbers.get(k)
                && v > 1.0
            {
                bad(
                    k,
                    Text::fill("rules.parcel.share", &[("value", &v.to_string())]),
                );
            }
        }
        if let (Some(&lo), Some(&hi)) =
            (numbers.get("plot_ratio_min"), numbers.get("plot_ratio_max"))
            && lo > hi
        {
            bad(
                "plot_ratio_min",
                Text::fill(
                    "rules.parcel.plot_ratio",
                    &[("min", &lo.to_string()), ("max", &hi.to_string())],
                ),
            );
        }
        let n = |k: &str| numbers.get(k).copied();
        a.price_per_mu_wan = n("price_per_mu_wan");
        a.power_kva = n("power_kva");
        a.water_m3_per_day = n("water_m3_per_day");
        a.plot_ratio_min = n("plot_ratio_min");
        a.plot_ratio_max = n("plot_ratio_max");
        a.building_coverage_min = n("building_coverage_min");
        a.green_ratio_max = n("green_ratio_max");
        a.height_max_m = n("height_max_m");
        a.investment_intensity_min_wan_per_mu = n("investment_intensity_min_wan_per_mu");
        a.tax_per_mu_min_wan = n("tax_per_mu_min_wan");
        a.output_per_mu_min_wan = n("output_per_mu_min_wan");
        a.energy_per_value_added_max_tce = n("energy_per_value_added_max_tce");
        for &k in FLAG_FIELDS {
            let Some(v) = present(k) else { continue };
            let flag = match v {
                Value::Bool(b) => Some(*b),
                Value::Number(n) => match n.as_i64() {
                    Some(1) => Some(true),
                    Some(0) => Some(false),
                    _ => None,
                },
                // The spellings an imported file may use (input words, not texts shown).
                Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                    "true" | "yes" | "1" | "是" | "有" => Some(true),
                    "false" | "no" | "0" | "否" | "无" => Some(false),
                    _ => None,
                },
                _ => None,
            };
            match (k, flag) {
                ("gas", Some(f)) => a.gas = f,
                ("steam", Some(f)) => a.steam = f,
                ("road_access", Some(f)) => a.road_access = f,
                _ => bad(
                    k,
                    Text::fill("rules.parcel.not_a_flag", &[("value", &v.to_string())]),
                ),
            }
        }
        let list = |k: &str| -> Result<Vec<String>, Text> {
            match present(k) {
                None => Ok(Vec::new()),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|i| {
                        i.as_str().map(|s| s.trim().to_string()).ok_or_else(|| {
                            Text::fill("rules.parcel.not_text", &[("value", &i.to_string())])
                        })
                    })
                    .collect(),
                Some(Value::String(s)) => Ok(s
                    .split([',', '，', ';', '；'])
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect()),
                Some(other) => Err(Text::fill(
                    "rules.parcel.not_a_list",
                    &[("value", &other.to_string())],
                )),
            }
        };
        match list("allowed_industries") {
            Ok(codes) => {
                for c in codes {
                    match IndustryCode::parse(&c) {
                        Ok(code) => a.allowed_industries.push(code.as_str().to_string()),
                        Err(e) => {
                            let why = e.text();
                            bad(
                                "allowed_industries",
                                Text::from_fn(|lang| {
                                    i18n::fill(
                                        lang,
                                        "rules.parcel.industry",
                                        &[("code", &c), ("reason", why.get(lang))],
                                    )
                                }),
                            );
                        }
                    }
                }
            }
            Err(e) => bad("allowed_industries", e),
        }
        match list("assessments") {
            Ok(kinds) => {
                for k in kinds {
                    if ASSESSMENTS.iter().any(|x| x.0 == k) {
                        a.assessments.push(k);
                    } else {
                        let kinds: Vec<&str> = ASSESSMENTS.iter().map(|x| x.0).collect();
                        bad(
                            "assessments",
                            Text::fill(
                                "rules.parcel.assessment",
                                &[("value", &k), ("allowed", &kinds.join(", "))],
                            ),
                        );
                    }
                }
            }
            Err(e) => bad("assessments", e),
        }
        for (k, v) in props {
            let known = [
                NUMBER_FIELDS,
                FLAG_FIELDS,
                TEXT_FIELDS,
                LIST_FIELDS,
                EXPORTED_FIELDS,
            ]
            .iter()
            .any(|f| f.contains(&k.as_str()));
            if !known {
                a.extra.insert(k.clone(), v.clone());
            }
        }
        if problems.is_empty() {
            Ok(a)
        } else {
            Err(problems)
        }
    }
}

/// A parcel read from a file: its attributes and its shape.
#[derive(Debug, Clone, PartialEq)]
pub struct ParcelDraft {
    pub attrs: ParcelAttrs,
    pub shape: Shape,
}

/// One problem of a file, by feature (GeoJSON) or data row (CSV, XLSX) index, 0-based as
/// in the file (a spreadsheet's first data row, under the header, is row 0).
/// Its `Display` is English, for the CLI, the API and the log; a page shows the reason
/// in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{unit} {index}{}: {field}: {}", .code.as_ref().map(|c| format!(" ({c})")).unwrap_or_default(), .reason.en)]
pub struct FeatureProblem {
    /// `feature` or `row`.
    pub unit: &'static str,
    pub index: usize,
    pub code: Option<String>,
    pub field: String,
    pub reason: Text,
}

#[cfg(test)]
mod tests {
    use super::*;
    use ParcelStatus::*;

    #[test]
    fn a_file_keeps_allocations_but_neither_makes_nor_undoes_them() {
        assert!(import_status_allowed(None, Available, true).is_ok());
        assert!(import_status_allowed(Some(Available), Withdrawn, true).is_ok());
        assert!(import_status_allowed(Some(Reserved), Reserved, true).is_ok());
        assert!(import_status_allowed(Some(HandedOver), Available, false).is_ok());
        assert!(
            import_status_allowed(None, Reserved, true)
                .unwrap_err()
                .en
                .starts_with("a new parcel cannot come in as reserved")
        );
        assert!(
            import_status_allowed(Some(Available), HandedOver, true)
                .unwrap_err()
                .en
                .contains("the parcel is available")
        );
        assert!(
            import_status_allowed(Some(Reserved), Available, true)
                .unwrap_err()
                .en
                .contains("the parcel is reserved")
        );
    }
}
