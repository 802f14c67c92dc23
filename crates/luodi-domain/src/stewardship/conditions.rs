//! A phase's conditions (立项条件) as people enter and read them: the facts the catalogue's
//! applicability rules read ([`PhaseFacts`]), each with its kind, its label and its words;
//! read from a form's text (blank is "unknown", which leaves the items that depend on it to
//! be confirmed), written back for a form, and described in words.

use crate::core::i18n;
use crate::core::lang::{Lang, Text};
use crate::stewardship::project::{PhaseFacts, PhaseStatus};

/// What kind of value a condition takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionKind {
    /// A number of zero or more, in the unit its label names.
    Number,
    /// Yes or no.
    YesNo,
    /// One of these words (as stored).
    Word(&'static [&'static str]),
}

/// Every condition, in the order a form asks for them: the route and classes first, then
/// what the project handles, then its size.
pub const CONDITIONS: [(&str, ConditionKind); 18] = [
    (
        "approval_route",
        ConditionKind::Word(&["filing", "approval"]),
    ),
    (
        "eia_class",
        ConditionKind::Word(&["report_book", "report_table", "registration"]),
    ),
    (
        "land_supply",
        ConditionKind::Word(&["auction", "with_scheme", "lease", "allocation"]),
    ),
    ("new_construction", ConditionKind::YesNo),
    ("foreign_invested", ConditionKind::YesNo),
    ("hazardous_chemicals", ConditionKind::YesNo),
    ("radiation", ConditionKind::YesNo),
    ("pathogens", ConditionKind::YesNo),
    ("occupational_hazards", ConditionKind::YesNo),
    ("special_equipment", ConditionKind::YesNo),
    ("investment_wan", ConditionKind::Number),
    ("fixed_asset_investment_wan", ConditionKind::Number),
    ("land_area_mu", ConditionKind::Number),
    ("floor_area_m2", ConditionKind::Number),
    ("civil_floor_area_m2", ConditionKind::Number),
    ("height_m", ConditionKind::Number),
    ("energy_tce", ConditionKind::Number),
    ("construction_months", ConditionKind::Number),
];

/// A condition's label in `lang`.
pub fn label(lang: Lang, field: &str) -> &'static str {
    i18n::lookup(lang, &format!("conditions.{field}")).unwrap_or("?")
}

/// A word's label in `lang` (`approval_route`, `filing` → 备案).
pub fn word_label(lang: Lang, field: &str, word: &str) -> &'static str {
    i18n::lookup(lang, &format!("conditions.{field}_{word}")).unwrap_or("?")
}

fn flag(f: &PhaseFacts, field: &str) -> Option<bool> {
    match field {
        "new_construction" => f.new_construction,
        "foreign_invested" => f.foreign_invested,
        "hazardous_chemicals" => f.hazardous_chemicals,
        "radiation" => f.radiation,
        "pathogens" => f.pathogens,
        "occupational_hazards" => f.occupational_hazards,
        "special_equipment" => f.special_equipment,
        _ => None,
    }
}

fn flag_mut<'a>(f: &'a mut PhaseFacts, field: &str) -> Option<&'a mut Option<bool>> {
    Some(match field {
        "new_construction" => &mut f.new_construction,
        "foreign_invested" => &mut f.foreign_invested,
        "hazardous_chemicals" => &mut f.hazardous_chemicals,
        "radiation" => &mut f.radiation,
        "pathogens" => &mut f.pathogens,
        "occupational_hazards" => &mut f.occupational_hazards,
        "special_equipment" => &mut f.special_equipment,
        _ => return None,
    })
}

fn number(f: &PhaseFacts, field: &str) -> Option<f64> {
    match field {
        "investment_wan" => f.investment_wan,
        "fixed_asset_investment_wan" => f.fixed_asset_investment_wan,
        "land_area_mu" => f.land_area_mu,
        "floor_area_m2" => f.floor_area_m2,
        "civil_floor_area_m2" => f.civil_floor_area_m2,
        "height_m" => f.height_m,
        "energy_tce" => f.energy_tce,
        "construction_months" => f.construction_months,
        _ => None,
    }
}

fn number_mut<'a>(f: &'a mut PhaseFacts, field: &str) -> Option<&'a mut Option<f64>> {
    Some(match field {
        "investment_wan" => &mut f.investment_wan,
        "fixed_asset_investment_wan" => &mut f.fixed_asset_investment_wan,
        "land_area_mu" => &mut f.land_area_mu,
        "floor_area_m2" => &mut f.floor_area_m2,
        "civil_floor_area_m2" => &mut f.civil_floor_area_m2,
        "height_m" => &mut f.height_m,
        "energy_tce" => &mut f.energy_tce,
        "construction_months" => &mut f.construction_months,
        _ => return None,
    })
}

fn word<'a>(f: &'a PhaseFacts, field: &str) -> Option<&'a str> {
    match field {
        "approval_route" => f.approval_route.as_deref(),
        "eia_class" => f.eia_class.as_deref(),
        "land_supply" => f.land_supply.as_deref(),
        _ => None,
    }
}

fn word_mut<'a>(f: &'a mut PhaseFacts, field: &str) -> Option<&'a mut Option<String>> {
    Some(match field {
        "approval_route" => &mut f.approval_route,
        "eia_class" => &mut f.eia_class,
        "land_supply" => &mut f.land_supply,
        _ => return None,
    })
}

/// A number as a person reads it: at most two decimals, thousands grouped (`96,000.48`).
fn number_words(v: f64) -> String {
    let fixed = format!("{:.2}", v.abs());
    let (whole, frac) = fixed.split_once('.').unwrap_or((&fixed, ""));
    let frac = frac.trim_end_matches('0');
    let whole = whole
        .parse::<u64>()
        .map(crate::core::money::group_digits)
        .unwrap_or_else(|_| whole.to_string());
    format!(
        "{}{whole}{}{frac}",
        if v < 0.0 { "-" } else { "" },
        if frac.is_empty() { "" } else { "." }
    )
}

/// A number as a form shows it (`12.5`, `3`), shortest that reads back the same.
fn number_text(v: f64) -> String {
    format!("{v}")
}

/// Condition `field` of `facts` as a form holds it: the number, `yes`/`no`, the word, or
/// empty for unknown.
pub fn form_value(facts: &PhaseFacts, field: &str) -> String {
    match CONDITIONS.iter().find(|c| c.0 == field).map(|c| c.1) {
        Some(ConditionKind::Number) => number(facts, field).map(number_text).unwrap_or_default(),
        Some(ConditionKind::YesNo) => match flag(facts, field) {
            Some(true) => "yes".into(),
            Some(false) => "no".into(),
            None => String::new(),
        },
        Some(ConditionKind::Word(_)) => word(facts, field).unwrap_or_default().to_string(),
        None => String::new(),
    }
}

/// Reads the conditions from a form's text, `value(field)` giving what was typed or
/// chosen for each (blank or absent: unknown). Every problem, by field, in both languages;
/// the facts are also range-checked as [`PhaseFacts::problems`] checks them.
pub fn from_form(
    value: impl Fn(&str) -> Option<String>,
) -> Result<PhaseFacts, Vec<(&'static str, Text)>> {
    let mut facts = PhaseFacts::default();
    let mut errors = Vec::new();
    for (field, kind) in CONDITIONS {
        let raw = value(field).unwrap_or_default();
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        match kind {
            ConditionKind::Number => {
                let cleaned: String = raw.chars().filter(|c| *c != ',').collect();
                match cleaned.parse::<f64>() {
                    Ok(v) if v.is_finite() => {
                        *number_mut(&mut facts, field).expect("a number field") = Some(v)
                    }
                    _ => errors.push((
                        field,
                        Text::fill("conditions.not_a_number", &[("value", raw)]),
                    )),
                }
            }
            ConditionKind::YesNo => {
                let v = match raw {
                    "yes" => Some(true),
                    "no" => Some(false),
                    _ => {
                        errors.push((
                            field,
                            Text::fill("conditions.not_yes_no", &[("value", raw)]),
                        ));
                        None
                    }
                };
                if v.is_some() {
                    *flag_mut(&mut facts, field).expect("a flag field") = v;
                }
            }
            ConditionKind::Word(words) => {
                if words.contains(&raw) {
                    *word_mut(&mut facts, field).expect("a word field") = Some(raw.to_string());
                } else {
                    errors.push((
                        field,
                        Text::fill("conditions.not_a_choice", &[("value", raw)]),
                    ));
                }
            }
        }
    }
    for (field, text) in facts.problems() {
        if !errors.iter().any(|(f, _)| *f == field) {
            errors.push((field, text));
        }
    }
    if errors.is_empty() {
        Ok(facts)
    } else {
        Err(errors)
    }
}

/// The known conditions of `facts` in words, in form order: (label, value). Unknown ones
/// are left out; [`unknown_count`] says how many.
pub fn described(facts: &PhaseFacts, lang: Lang) -> Vec<(&'static str, String)> {
    CONDITIONS
        .iter()
        .filter_map(|(field, kind)| {
            let value = match kind {
                ConditionKind::Number => number(facts, field).map(number_words)?,
                ConditionKind::YesNo => i18n::text(
                    lang,
                    if flag(facts, field)? {
                        "conditions.yes"
                    } else {
                        "conditions.no"
                    },
                )
                .to_string(),
                ConditionKind::Word(_) => word_label(lang, field, word(facts, field)?).to_string(),
            };
            Some((label(lang, field), value))
        })
        .collect()
}

/// How many conditions are still unknown.
pub fn unknown_count(facts: &PhaseFacts) -> usize {
    CONDITIONS
        .iter()
        .filter(|(field, _)| form_value(facts, field).is_empty())
        .count()
}

/// How many of a phase's conditions are still to be confirmed: those unknown before its
/// land is handed over. The handover makes the phase's service list from what is known
/// then, so an unknown afterwards no longer waits on anyone (the home's count and the
/// phases list's filter both read this).
pub fn to_confirm(status: PhaseStatus, facts: &PhaseFacts) -> usize {
    if status < PhaseStatus::LandHandedOver {
        unknown_count(facts)
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn read(pairs: &[(&str, &str)]) -> Result<PhaseFacts, Vec<(&'static str, Text)>> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        from_form(|f| map.get(f).cloned())
    }

    #[test]
    fn unknowns_wait_to_be_confirmed_until_the_land_is_handed_over() {
        let facts = PhaseFacts::default();
        let unknown = unknown_count(&facts);
        assert_eq!(unknown, CONDITIONS.len());
        for status in PhaseStatus::ALL {
            let expected = if status < PhaseStatus::LandHandedOver {
                unknown
            } else {
                0
            };
            assert_eq!(to_confirm(status, &facts), expected, "{status:?}");
        }
        let known = read(&[("approval_route", "filing")]).unwrap();
        assert_eq!(to_confirm(PhaseStatus::Signed, &known), unknown - 1);
    }

    #[test]
    fn numbers_read_as_words() {
        assert_eq!(number_words(88000.43999999999), "88,000.44");
        assert_eq!(number_words(120.0), "120");
        assert_eq!(number_words(0.5), "0.5");
        assert_eq!(number_words(1234567.0), "1,234,567");
    }

    #[test]
    fn blank_is_unknown() {
        let facts = read(&[("approval_route", ""), ("radiation", " ")]).unwrap();
        assert_eq!(facts, PhaseFacts::default());
        assert_eq!(unknown_count(&facts), CONDITIONS.len());
        assert!(described(&facts, Lang::Zh).is_empty());
    }

    #[test]
    fn reads_words_flags_and_numbers() {
        let facts = read(&[
            ("approval_route", "filing"),
            ("eia_class", "report_table"),
            ("hazardous_chemicals", "no"),
            ("radiation", "yes"),
            ("land_area_mu", "1,200.5"),
            ("construction_months", "18"),
        ])
        .unwrap();
        assert_eq!(facts.approval_route.as_deref(), Some("filing"));
        assert_eq!(facts.hazardous_chemicals, Some(false));
        assert_eq!(facts.radiation, Some(true));
        assert_eq!(facts.land_area_mu, Some(1200.5));
        let zh = described(&facts, Lang::Zh);
        assert!(zh.contains(&(label(Lang::Zh, "approval_route"), "备案".to_string())));
        assert!(zh.contains(&(label(Lang::Zh, "radiation"), "是".to_string())));
        let en = described(&facts, Lang::En);
        assert!(en.contains(&(label(Lang::En, "eia_class"), "report form".to_string())));
        assert_eq!(unknown_count(&facts), CONDITIONS.len() - 6);
    }

    #[test]
    fn names_every_field_at_fault_in_both_languages() {
        let errors = read(&[
            ("approval_route", "maybe"),
            ("radiation", "perhaps"),
            ("height_m", "tall"),
            ("energy_tce", "-3"),
            ("construction_months", "100"),
        ])
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.0).collect();
        assert_eq!(
            fields,
            [
                "approval_route",
                "radiation",
                "height_m",
                "energy_tce",
                "construction_months"
            ]
        );
        for (_, text) in &errors {
            assert!(
                text.zh
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
            );
            assert!(text.en.is_ascii(), "{}", text.en);
        }
    }

    #[test]
    fn every_condition_and_word_has_labels() {
        for (field, kind) in CONDITIONS {
            for lang in [Lang::Zh, Lang::En] {
                assert_ne!(label(lang, field), "?", "{field}");
                if let ConditionKind::Word(words) = kind {
                    for w in words {
                        assert_ne!(word_label(lang, field, w), "?", "{field} {w}");
                    }
                }
            }
        }
        // The form's words are the ones the record allows.
        for (field, allowed) in PhaseFacts::WORDS {
            assert!(CONDITIONS.contains(&(field, ConditionKind::Word(allowed))));
        }
    }

    proptest! {
        /// What a form shows of any valid facts reads back as the same facts.
        #[test]
        fn form_text_reads_back(
            route in proptest::option::of(0usize..2),
            flags in proptest::collection::vec(proptest::option::of(any::<bool>()), 7),
            area in proptest::option::of(0.0f64..1e6),
            months in proptest::option::of(0.5f64..60.0),
        ) {
            let mut facts = PhaseFacts {
                approval_route: route.map(|r| ["filing", "approval"][r].to_string()),
                land_area_mu: area,
                construction_months: months,
                ..PhaseFacts::default()
            };
            for ((field, _), v) in CONDITIONS.iter().filter(|c| c.1 == ConditionKind::YesNo).zip(&flags) {
                *flag_mut(&mut facts, field).unwrap() = *v;
            }
            let shown: HashMap<&str, String> = CONDITIONS.iter().map(|(f, _)| (*f, form_value(&facts, f))).collect();
            let back = from_form(|f| shown.get(f).cloned()).unwrap();
            prop_assert_eq!(back, facts);
        }
    }
}
