//! 申报条件 — who a programme is for, written in the service catalogue's rule language
//! ([`crate::approvals::rule`]) over facts Luodi holds of an enterprise:
//!
//! ```text
//! registered_in_zone and industry under ["C27", "C358"] and in_production
//! revenue_wan >= 2000 and mu_class in ["A", "B"] and completion_check != "failed"
//! ```
//!
//! A rule is checked when the programme is saved (the attribute known, the value of its
//! kind, the position of any error). Each enterprise is then assessed with the evidence:
//! every condition of the rule's top-level `and` with the facts it read and whether it
//! holds. An enterprise that fails exactly one condition while every other holds *nearly*
//! qualifies, and that condition is what it lacks. A fact the zone does not hold (no
//! statistics for last year, say) leaves the answer unknown, never silently false.

use serde::Serialize;

use crate::approvals::rule::{AttrKind, Fact, Facts, Rule, RuleError};

/// The facts an eligibility rule may read, with their kinds and meanings.
pub const ATTRIBUTES: &[(&str, AttrKind, &str)] = &[
    (
        "registered_in_zone",
        AttrKind::Flag,
        "registered in the zone (its enterprise record is the zone's)",
    ),
    (
        "industry",
        AttrKind::Industry,
        "GB/T 4754 code of the enterprise",
    ),
    (
        "chain_position",
        AttrKind::Text,
        "upstream, midstream or downstream",
    ),
    ("size", AttrKind::Text, "large, medium, small or micro"),
    (
        "in_production",
        AttrKind::Flag,
        "one of its phases is in production",
    ),
    (
        "revenue_wan",
        AttrKind::Number,
        "operating revenue of the last complete year, in 10,000 yuan (wan)",
    ),
    (
        "output_wan",
        AttrKind::Number,
        "industrial output of the last complete year, in 10,000 yuan (wan)",
    ),
    (
        "tax_wan",
        AttrKind::Number,
        "taxes paid in the last complete year, in 10,000 yuan (wan)",
    ),
    (
        "rd_wan",
        AttrKind::Number,
        "R&D spending of the last complete year, in 10,000 yuan (wan)",
    ),
    (
        "rd_intensity_pct",
        AttrKind::Number,
        "R&D spending as a share of revenue, per cent",
    ),
    (
        "employees",
        AttrKind::Number,
        "employees in the last complete year",
    ),
    ("land_mu", AttrKind::Number, "land used, mu"),
    (
        "mu_class",
        AttrKind::Text,
        "per-mu benefit class of the last evaluated year: A, B, C or D (none when not rated)",
    ),
    (
        "completion_check",
        AttrKind::Text,
        "the latest post-completion check: met, failed or explained (none when not due)",
    ),
    (
        "awarded_wan",
        AttrKind::Number,
        "awarded to it by the fund so far, in 10,000 yuan (wan)",
    ),
    (
        "programme_awards",
        AttrKind::Number,
        "awards it already has from this programme",
    ),
];

/// The kind of an eligibility attribute.
pub fn attribute_kind(name: &str) -> Option<AttrKind> {
    ATTRIBUTES.iter().find(|a| a.0 == name).map(|a| a.1)
}

/// Parses and checks an eligibility rule.
pub fn parse(src: &str) -> Result<Rule, RuleError> {
    Rule::parse_with(src, attribute_kind)
}

/// One condition of a rule, as it held for an enterprise.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Condition {
    /// The condition as the rule writes it.
    pub text: String,
    /// Whether it holds; `None` when a fact it reads is unknown.
    pub holds: Option<bool>,
    /// The facts it read: (attribute, value as text, or `None` when unknown).
    pub facts: Vec<(String, Option<String>)>,
}

/// An enterprise assessed against a rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// Whether it qualifies; `None` when that turns on a fact the zone does not hold.
    pub qualifies: Option<bool>,
    pub conditions: Vec<Condition>,
    /// It fails one condition and meets every other: `lacks` says which.
    pub nearly: bool,
    pub lacks: Vec<String>,
}

/// The conditions of a rule's top-level `and`, in order.
fn conjuncts(rule: &Rule) -> Vec<&Rule> {
    match rule {
        Rule::And(a, b) => {
            let mut out = conjuncts(a);
            out.extend(conjuncts(b));
            out
        }
        other => vec![other],
    }
}

/// The attributes a rule reads, each once, in order.
fn attributes(rule: &Rule, out: &mut Vec<String>) {
    let mut add = |name: &String| {
        if !out.contains(name) {
            out.push(name.clone());
        }
    };
    match rule {
        Rule::Const(_) => {}
        Rule::Flag(n) | Rule::Cmp(n, ..) | Rule::In(n, _) | Rule::Under(n, _) => add(n),
        Rule::Not(r) => attributes(r, out),
        Rule::And(a, b) | Rule::Or(a, b) => {
            attributes(a, out);
            attributes(b, out);
        }
    }
}

fn fact_text(fact: &Fact) -> String {
    match fact {
        Fact::Number(n) => format!("{n}"),
        Fact::Text(s) => s.clone(),
        Fact::Flag(b) => b.to_string(),
        Fact::Industry(c) => c.as_str().to_string(),
    }
}

/// Assesses an enterprise's `facts` against `rule`, with the evidence.
pub fn assess(rule: &Rule, facts: &Facts) -> Assessment {
    let conditions: Vec<Condition> = conjuncts(rule)
        .into_iter()
        .map(|c| {
            let mut names = Vec::new();
            attributes(c, &mut names);
            Condition {
                text: c.to_string(),
                holds: c.eval(facts),
                facts: names
                    .into_iter()
                    .map(|n| {
                        let v = facts.get(&n).map(fact_text);
                        (n, v)
                    })
                    .collect(),
            }
        })
        .collect();
    let failed: Vec<&Condition> = conditions
        .iter()
        .filter(|c| c.holds == Some(false))
        .collect();
    let nearly = failed.len() == 1 && conditions.iter().all(|c| c.holds.is_some());
    Assessment {
        qualifies: rule.eval(facts),
        nearly,
        lacks: if nearly {
            failed.iter().map(|c| c.text.clone()).collect()
        } else {
            Vec::new()
        },
        conditions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::industry::IndustryCode;

    fn enterprise(revenue: f64, class: Option<&str>) -> Facts {
        let mut f = Facts::default();
        f.set("registered_in_zone", Fact::Flag(true))
            .set(
                "industry",
                Fact::Industry(IndustryCode::parse("C2761").unwrap()),
            )
            .set("in_production", Fact::Flag(true))
            .set("revenue_wan", Fact::Number(revenue));
        if let Some(c) = class {
            f.set("mu_class", Fact::Text(c.into()));
        }
        f
    }

    const RULE: &str = r#"registered_in_zone and industry under ["C27", "C358"] and in_production and revenue_wan >= 2000 and mu_class in ["A", "B"]"#;

    #[test]
    fn an_enterprise_qualifies_with_its_evidence() {
        let rule = parse(RULE).unwrap();
        let a = assess(&rule, &enterprise(5_000.0, Some("A")));
        assert_eq!(a.qualifies, Some(true));
        assert!(!a.nearly);
        assert_eq!(a.conditions.len(), 5);
        assert!(a.conditions.iter().all(|c| c.holds == Some(true)));
        assert_eq!(
            a.conditions[3].facts,
            vec![("revenue_wan".to_string(), Some("5000".to_string()))]
        );
        assert_eq!(a.conditions[1].text, r#"industry under ["C27", "C358"]"#);
    }

    #[test]
    fn one_condition_short_is_nearly_and_says_what_it_lacks() {
        let rule = parse(RULE).unwrap();
        let a = assess(&rule, &enterprise(1_500.0, Some("B")));
        assert_eq!(a.qualifies, Some(false));
        assert!(a.nearly);
        assert_eq!(a.lacks, vec!["revenue_wan >= 2000".to_string()]);
        // Two conditions short is not nearly.
        let a = assess(&rule, &enterprise(1_500.0, Some("C")));
        assert_eq!((a.qualifies, a.nearly), (Some(false), false));
        // An unrated enterprise: its class is unknown, so is the answer.
        let a = assess(&rule, &enterprise(5_000.0, None));
        assert_eq!(a.qualifies, None);
        assert_eq!(a.conditions[4].holds, None);
        assert_eq!(a.conditions[4].facts, vec![("mu_class".to_string(), None)]);
    }

    #[test]
    fn a_rule_over_a_project_attribute_is_refused_with_its_place() {
        let e = parse("registered_in_zone and investment_wan > 5").unwrap_err();
        assert_eq!(e.position, 24);
        assert!(e.message.contains("investment_wan"));
        assert!(parse("revenue_wan > \"big\"").is_err());
        // The catalogue's language is unchanged by the vocabulary.
        assert!(Rule::parse("investment_wan > 5").is_ok());
        assert!(Rule::parse("revenue_wan > 5").is_err());
    }
}
