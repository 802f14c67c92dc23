//! An applicability rule as a person reads it: `hazardous_chemicals or eia_class ==
//! "report_book"` becomes 涉及危险化学品，或 环评类别为环境影响报告书. Each fact by its label
//! (the conditions' labels, the regional assessments' names, the industry's name), each
//! word by its label, the connectives in the reader's language; the code stays beside it.

use crate::approvals::rule::{ASSESSMENTS, CmpOp, Literal, Rule};
use crate::core::i18n;
use crate::core::industry::IndustryCode;
use crate::core::lang::Lang;
use crate::stewardship::conditions;

/// The fact `name` by its label.
fn fact(lang: Lang, name: &str) -> String {
    if let Some(kind) = name.strip_prefix("parcel.assessed.")
        && let Some(a) = ASSESSMENTS.iter().find(|a| a.0 == kind)
    {
        let assessment = match lang {
            Lang::Zh => a.1,
            Lang::En => a.2,
        };
        return i18n::fill(lang, "rules.words.assessed", &[("assessment", assessment)]);
    }
    if name == "industry" {
        return i18n::text(lang, "rules.words.industry").to_string();
    }
    match conditions::label(lang, name) {
        "?" => name.to_string(),
        label => label.to_string(),
    }
}

/// A literal compared with fact `name`: a word by its label, a number as written.
fn literal(lang: Lang, name: &str, l: &Literal) -> String {
    match l {
        Literal::Number(n) => format!("{n}"),
        Literal::Text(t) => match conditions::word_label(lang, name, t) {
            "?" => t.clone(),
            label => label.to_string(),
        },
    }
}

/// The rule in words, in `lang`.
pub fn describe(rule: &Rule, lang: Lang) -> String {
    words(rule, lang, false)
}

/// `nested`: inside an `and`/`or` of the other kind, so an `or`/`and` is bracketed.
fn words(rule: &Rule, lang: Lang, nested: bool) -> String {
    let fill = |key: &str, pairs: &[(&str, &str)]| i18n::fill(lang, key, pairs);
    match rule {
        Rule::Const(true) => i18n::text(lang, "rules.words.always").to_string(),
        Rule::Const(false) => i18n::text(lang, "rules.words.never").to_string(),
        Rule::Flag(name) => fact(lang, name),
        Rule::Not(inner) => fill("rules.words.not", &[("rule", &words(inner, lang, true))]),
        Rule::And(a, b) | Rule::Or(a, b) => {
            let and = matches!(rule, Rule::And(..));
            let side = |r: &Rule| {
                let other = matches!((and, r), (true, Rule::Or(..)) | (false, Rule::And(..)));
                words(r, lang, other)
            };
            let joined = fill(
                if and {
                    "rules.words.and"
                } else {
                    "rules.words.or"
                },
                &[("a", &side(a)), ("b", &side(b))],
            );
            if nested {
                fill("rules.words.group", &[("rule", &joined)])
            } else {
                joined
            }
        }
        Rule::Cmp(name, op, l) => {
            let key = match op {
                CmpOp::Eq => "rules.words.eq",
                CmpOp::Ne => "rules.words.ne",
                CmpOp::Lt => "rules.words.lt",
                CmpOp::Le => "rules.words.le",
                CmpOp::Gt => "rules.words.gt",
                CmpOp::Ge => "rules.words.ge",
            };
            fill(
                key,
                &[
                    ("fact", &fact(lang, name)),
                    ("value", &literal(lang, name, l)),
                ],
            )
        }
        Rule::In(name, values) => {
            let sep = i18n::text(lang, "rules.words.list_separator");
            let values: Vec<String> = values.iter().map(|v| literal(lang, name, v)).collect();
            fill(
                "rules.words.in",
                &[("fact", &fact(lang, name)), ("values", &values.join(sep))],
            )
        }
        Rule::Under(name, codes) => {
            let sep = i18n::text(lang, "rules.words.list_separator");
            let codes: Vec<String> = codes
                .iter()
                .map(|c: &IndustryCode| format!("{c} {}", c.name(lang)))
                .collect();
            fill(
                "rules.words.under",
                &[("fact", &fact(lang, name)), ("codes", &codes.join(sep))],
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zh(src: &str) -> String {
        describe(&Rule::parse(src).unwrap(), Lang::Zh)
    }

    fn en(src: &str) -> String {
        describe(&Rule::parse(src).unwrap(), Lang::En)
    }

    #[test]
    fn facts_and_words_by_their_labels() {
        assert_eq!(zh("hazardous_chemicals"), "涉及危险化学品");
        assert_eq!(
            zh("eia_class == \"report_book\""),
            "环评类别为环境影响报告书"
        );
        assert_eq!(
            en("eia_class == \"report_book\""),
            "Environmental impact class is report book"
        );
        assert_eq!(zh("land_area_mu >= 50"), "用地面积（亩）不少于 50");
        assert_eq!(zh("not parcel.assessed.flood"), "并非地块已做洪水影响评价");
    }

    #[test]
    fn connectives_and_brackets() {
        assert_eq!(
            zh("hazardous_chemicals or (radiation and new_construction)"),
            "涉及危险化学品，或（涉及放射性（辐射），且新建（非改扩建））"
        );
        assert_eq!(
            en("approval_route in [\"filing\", \"approval\"]"),
            "Approval route is one of filing, approval"
        );
    }

    #[test]
    fn every_attribute_reads_as_a_label_not_a_code() {
        for (name, _, _) in crate::approvals::rule::ATTRIBUTES {
            for lang in [Lang::Zh, Lang::En] {
                assert_ne!(fact(lang, name), *name, "{name}");
            }
        }
    }
}
