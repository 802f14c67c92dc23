//! The land-needs form, shared by the matcher page and the project page: its fields read
//! into [`LandNeeds`] (a blank optional figure is no limit), each problem beside its field
//! with the field's label in the user's language, and needs shown back as the form's
//! values and in words.

use std::collections::HashMap;

use luodi_domain::core::i18n;
use luodi_domain::land::matching::{LandNeeds, Partner};

use crate::i18n::Tr;

/// The form's fields: (name, label key). The matcher page shows the first eleven and the
/// partner's position; the project page shows them all.
pub const FIELDS: &[(&str, &str)] = &[
    ("area_mu_min", "match.area_min"),
    ("area_mu_max", "match.area_max"),
    ("industry", "match.industry"),
    ("investment_wan", "match.investment"),
    ("annual_tax_wan", "match.tax"),
    ("annual_output_wan", "match.output"),
    ("power_kva", "match.power"),
    ("water_m3_per_day", "match.water"),
    ("budget_per_mu_wan", "match.budget"),
    ("sewage_class", "needs.sewage_class"),
    ("preferred_parks", "needs.preferred_parks"),
    ("wanted_by", "needs.wanted_by"),
    ("partner_name", "needs.partner_name"),
    ("partner_lon", "match.partner_lon"),
    ("partner_lat", "match.partner_lat"),
];

/// The fields the matcher page's form has.
pub const MATCH_FIELDS: &[&str] = &[
    "area_mu_min",
    "area_mu_max",
    "industry",
    "investment_wan",
    "annual_tax_wan",
    "annual_output_wan",
    "power_kva",
    "water_m3_per_day",
    "budget_per_mu_wan",
    "partner_lon",
    "partner_lat",
];

/// A field as a form shows it: its name, label, the value as typed and its problem.
pub struct Field {
    pub name: &'static str,
    pub label: String,
    pub value: String,
    pub error: Option<String>,
}

/// The label of field `name` in `tr`'s language.
pub fn label(tr: &Tr, name: &str) -> String {
    FIELDS
        .iter()
        .find(|f| f.0 == name)
        .map_or_else(|| name.to_string(), |f| tr.t(f.1).to_string())
}

/// A problem as shown beside its field: the field's label and why.
pub fn beside(tr: &Tr, label: &str, why: &str) -> String {
    i18n::fill(
        tr.lang,
        "needs.field_error",
        &[("label", label), ("reason", why)],
    )
}

/// The form's field for a rule's field (a partner's position has two).
fn form_field(rule_field: &str) -> &'static str {
    match rule_field {
        "partners.lon" | "partners" => "partner_lon",
        "partners.lat" => "partner_lat",
        other => FIELDS
            .iter()
            .find(|f| f.0 == other)
            .map_or("area_mu_min", |f| f.0),
    }
}

/// Reads the form: `value` gives a field's text as typed (blank or missing: none), `gas`
/// and `steam` whether they are ticked. The needs, or every field at fault with why,
/// keyed by field name.
pub fn parse(
    value: impl Fn(&str) -> Option<String>,
    gas: bool,
    steam: bool,
    tr: &Tr,
) -> Result<LandNeeds, HashMap<&'static str, String>> {
    let lang = tr.lang;
    let mut errors: HashMap<&'static str, String> = HashMap::new();
    let given = |name: &str| {
        value(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let number = |name: &'static str, errors: &mut HashMap<&'static str, String>| {
        let v = given(name)?;
        match v.parse::<f64>() {
            Ok(n) if n.is_finite() => Some(n),
            _ => {
                errors.insert(
                    name,
                    i18n::fill(lang, "needs.not_a_number", &[("value", &v)]),
                );
                None
            }
        }
    };
    let required = |name: &'static str, errors: &mut HashMap<&'static str, String>| {
        let n = number(name, errors);
        if n.is_none() && !errors.contains_key(name) {
            errors.insert(name, i18n::text(lang, "needs.required").to_string());
        }
        n
    };
    let area_mu_min = required("area_mu_min", &mut errors);
    let area_mu_max = required("area_mu_max", &mut errors);
    let mut figure = |name: &'static str| number(name, &mut errors);
    let investment_wan = figure("investment_wan");
    let annual_tax_wan = figure("annual_tax_wan");
    let annual_output_wan = figure("annual_output_wan");
    let power_kva = figure("power_kva");
    let water_m3_per_day = figure("water_m3_per_day");
    let budget_per_mu_wan = figure("budget_per_mu_wan");
    let lon = figure("partner_lon");
    let lat = figure("partner_lat");
    let partners = match (lon, lat, given("partner_lon"), given("partner_lat")) {
        (Some(lon), Some(lat), _, _) => vec![Partner {
            name: given("partner_name").unwrap_or_else(|| tr.t("match.partner").to_string()),
            lon,
            lat,
        }],
        // One coordinate without the other: the missing one is asked for.
        (Some(_), None, _, None) => {
            errors.insert("partner_lat", i18n::text(lang, "needs.required").into());
            Vec::new()
        }
        (None, Some(_), None, _) => {
            errors.insert("partner_lon", i18n::text(lang, "needs.required").into());
            Vec::new()
        }
        _ => Vec::new(),
    };
    let wanted_by = match given("wanted_by") {
        Some(d) => match d.parse::<chrono::NaiveDate>() {
            Ok(d) => Some(d),
            Err(_) => {
                errors.insert(
                    "wanted_by",
                    i18n::fill(lang, "needs.not_a_date", &[("value", &d)]),
                );
                None
            }
        },
        None => None,
    };
    let needs = LandNeeds {
        area_mu_min: area_mu_min.unwrap_or(1.0),
        area_mu_max: area_mu_max.unwrap_or(f64::MAX),
        industry: given("industry").map(|c| c.to_uppercase()),
        investment_wan,
        annual_tax_wan,
        annual_output_wan,
        power_kva,
        water_m3_per_day,
        gas,
        steam,
        sewage_class: given("sewage_class").map(|s| s.to_uppercase()),
        budget_per_mu_wan,
        wanted_by,
        preferred_parks: given("preferred_parks")
            .map(|p| {
                p.split([',', '，', '、'])
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        partners,
    };
    // The rules' checks, on what could be read.
    for p in needs.problems() {
        let field = form_field(p.field);
        errors
            .entry(field)
            .or_insert_with(|| p.reason.get(lang).to_string());
    }
    if errors.is_empty() {
        Ok(needs)
    } else {
        Err(errors)
    }
}

/// Needs as the form's values.
pub fn values(n: &LandNeeds) -> HashMap<&'static str, String> {
    let f = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let partner = n.partners.first();
    HashMap::from([
        ("area_mu_min", n.area_mu_min.to_string()),
        ("area_mu_max", n.area_mu_max.to_string()),
        ("industry", n.industry.clone().unwrap_or_default()),
        ("investment_wan", f(n.investment_wan)),
        ("annual_tax_wan", f(n.annual_tax_wan)),
        ("annual_output_wan", f(n.annual_output_wan)),
        ("power_kva", f(n.power_kva)),
        ("water_m3_per_day", f(n.water_m3_per_day)),
        ("budget_per_mu_wan", f(n.budget_per_mu_wan)),
        ("sewage_class", n.sewage_class.clone().unwrap_or_default()),
        ("preferred_parks", n.preferred_parks.join(", ")),
        (
            "wanted_by",
            n.wanted_by.map(|d| d.to_string()).unwrap_or_default(),
        ),
        (
            "partner_name",
            partner.map(|p| p.name.clone()).unwrap_or_default(),
        ),
        ("partner_lon", f(partner.map(|p| p.lon))),
        ("partner_lat", f(partner.map(|p| p.lat))),
    ])
}

/// The fields `names` with their values and problems, for a form.
pub fn fields(
    names: &[&'static str],
    values: &HashMap<&'static str, String>,
    errors: &HashMap<&'static str, String>,
    tr: &Tr,
) -> Vec<Field> {
    names
        .iter()
        .map(|name| Field {
            name,
            label: label(tr, name),
            value: values.get(name).cloned().unwrap_or_default(),
            error: errors
                .get(name)
                .map(|why| beside(tr, &label(tr, name), why)),
        })
        .collect()
}

/// Every field name of the full form.
pub fn all_names() -> Vec<&'static str> {
    FIELDS.iter().map(|f| f.0).collect()
}

/// Needs in words, as (label, value) pairs: only what is recorded, each figure with its
/// unit (in the label), flags as words.
pub fn in_words(n: &LandNeeds, tr: &Tr) -> Vec<(String, String)> {
    let lang = tr.lang;
    let num = |v: f64| {
        if v.fract() == 0.0 && v.abs() < 1e15 {
            format!("{v:.0}")
        } else {
            v.to_string()
        }
    };
    let mut out = vec![(
        tr.t("needs.area").to_string(),
        i18n::fill(
            lang,
            "needs.area_range",
            &[("min", &num(n.area_mu_min)), ("max", &num(n.area_mu_max))],
        ),
    )];
    if let Some(code) = &n.industry {
        let name = luodi_domain::core::industry::IndustryCode::parse(code)
            .map(|c| format!("{c} {}", c.name(lang)))
            .unwrap_or_else(|_| code.clone());
        out.push((label(tr, "industry"), name));
    }
    // Money as the zone writes it (万元 / 亿元).
    for (key, v) in [
        ("needs.investment", n.investment_wan),
        ("needs.tax", n.annual_tax_wan),
        ("needs.output", n.annual_output_wan),
    ] {
        if let Some(v) = v {
            let shown = luodi_domain::core::money::Fen::from_yuan((v * 10_000.0).round() as i64)
                .map_or_else(|| num(v), |f| f.display(lang));
            out.push((tr.t(key).to_string(), shown));
        }
    }
    for (name, v) in [
        ("power_kva", n.power_kva),
        ("water_m3_per_day", n.water_m3_per_day),
        ("budget_per_mu_wan", n.budget_per_mu_wan),
    ] {
        if let Some(v) = v {
            out.push((label(tr, name), num(v)));
        }
    }
    let yes_no = |b: bool| {
        tr.t(if b {
            "needs.needed"
        } else {
            "needs.not_needed"
        })
        .to_string()
    };
    out.push((tr.t("needs.gas").to_string(), yes_no(n.gas)));
    out.push((tr.t("needs.steam").to_string(), yes_no(n.steam)));
    if let Some(s) = &n.sewage_class {
        out.push((label(tr, "sewage_class"), s.clone()));
    }
    if !n.preferred_parks.is_empty() {
        out.push((
            tr.t("needs.parks").to_string(),
            n.preferred_parks.join(tr.t("core.text.list_separator")),
        ));
    }
    if let Some(d) = n.wanted_by {
        out.push((label(tr, "wanted_by"), d.to_string()));
    }
    for p in &n.partners {
        out.push((
            tr.t("needs.partner").to_string(),
            i18n::fill(
                lang,
                "needs.partner_at",
                &[
                    ("name", &p.name),
                    ("lon", &p.lon.to_string()),
                    ("lat", &p.lat.to_string()),
                ],
            ),
        ));
    }
    out
}

/// The sewage classes a form offers, with the blank first.
pub fn sewage_classes() -> Vec<&'static str> {
    let mut out = vec![""];
    out.extend(luodi_domain::land::parcel::SEWAGE_CLASSES);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use luodi_domain::Lang;

    fn form<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| pairs.iter().find(|p| p.0 == name).map(|p| p.1.to_string())
    }

    #[test]
    fn blanks_are_no_limit_and_problems_sit_beside_their_fields() {
        let tr = Tr::new(Lang::Zh);
        let n = parse(
            form(&[
                ("area_mu_min", "60"),
                ("area_mu_max", "200"),
                ("investment_wan", ""),
                ("power_kva", " "),
            ]),
            false,
            false,
            &tr,
        )
        .unwrap();
        assert_eq!((n.investment_wan, n.power_kva), (None, None));
        let e = parse(
            form(&[
                ("area_mu_min", "60"),
                ("area_mu_max", "x"),
                ("partner_lon", "999"),
                ("partner_lat", "36.3"),
            ]),
            false,
            false,
            &tr,
        )
        .unwrap_err();
        assert_eq!(e["area_mu_max"], "“x”不是数字");
        assert!(e["partner_lon"].contains("经度 999"), "{e:?}");
        let e = parse(
            form(&[("area_mu_max", "200")]),
            false,
            false,
            &Tr::new(Lang::En),
        )
        .unwrap_err();
        assert_eq!(e["area_mu_min"], "required");
    }
}
