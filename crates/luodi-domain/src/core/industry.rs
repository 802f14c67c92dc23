//! 国民经济行业分类 — industries by GB/T 4754-2017 code: a section letter (门类) and
//! up to four digits (大类, 中类, 小类). The digits imply the section, so `2761` and
//! `C2761` are the same code; Luodi stores the letter-prefixed form.

use std::fmt;

use crate::core::i18n;
use crate::core::lang::{Lang, Text};

/// Sections with the two-digit divisions (大类) each spans, and their names: data of the
/// classification, not interface text.
const SECTIONS: &[(char, u8, u8, &str, &str)] = &[
    (
        'A',
        1,
        5,
        "农、林、牧、渔业",
        "Agriculture, forestry, animal husbandry and fishery",
    ),
    ('B', 6, 12, "采矿业", "Mining"),
    ('C', 13, 43, "制造业", "Manufacturing"),
    (
        'D',
        44,
        46,
        "电力、热力、燃气及水生产和供应业",
        "Electricity, heat, gas and water supply",
    ),
    ('E', 47, 50, "建筑业", "Construction"),
    ('F', 51, 52, "批发和零售业", "Wholesale and retail trade"),
    (
        'G',
        53,
        60,
        "交通运输、仓储和邮政业",
        "Transport, storage and post",
    ),
    ('H', 61, 62, "住宿和餐饮业", "Accommodation and catering"),
    (
        'I',
        63,
        65,
        "信息传输、软件和信息技术服务业",
        "Information transmission, software and IT services",
    ),
    ('J', 66, 69, "金融业", "Finance"),
    ('K', 70, 70, "房地产业", "Real estate"),
    (
        'L',
        71,
        72,
        "租赁和商务服务业",
        "Leasing and business services",
    ),
    (
        'M',
        73,
        75,
        "科学研究和技术服务业",
        "Scientific research and technical services",
    ),
    (
        'N',
        76,
        79,
        "水利、环境和公共设施管理业",
        "Water, environment and public facilities management",
    ),
    (
        'O',
        80,
        82,
        "居民服务、修理和其他服务业",
        "Resident, repair and other services",
    ),
    ('P', 83, 83, "教育", "Education"),
    ('Q', 84, 85, "卫生和社会工作", "Health and social work"),
    (
        'R',
        86,
        90,
        "文化、体育和娱乐业",
        "Culture, sports and entertainment",
    ),
    (
        'S',
        91,
        96,
        "公共管理、社会保障和社会组织",
        "Public administration, social security and organisations",
    ),
    ('T', 97, 97, "国际组织", "International organisations"),
];

/// Names of the codes the health cluster uses most (GB/T 4754-2017): data of the
/// classification, not interface text.
const NAMES: &[(&str, &str, &str)] = &[
    ("27", "医药制造业", "Manufacture of medicines"),
    ("271", "化学药品原料药制造", "Chemical APIs"),
    ("2710", "化学药品原料药制造", "Chemical APIs"),
    ("272", "化学药品制剂制造", "Chemical drug preparations"),
    ("2720", "化学药品制剂制造", "Chemical drug preparations"),
    ("274", "中成药生产", "Proprietary Chinese medicines"),
    ("2740", "中成药生产", "Proprietary Chinese medicines"),
    ("276", "生物药品制品制造", "Biological medicines"),
    ("2761", "生物药品制造", "Biological medicines"),
    (
        "2762",
        "基因工程药物和疫苗制造",
        "Genetically engineered drugs and vaccines",
    ),
    (
        "277",
        "卫生材料及医药用品制造",
        "Medical materials and supplies",
    ),
    (
        "2770",
        "卫生材料及医药用品制造",
        "Medical materials and supplies",
    ),
    (
        "278",
        "药用辅料及包装材料",
        "Pharmaceutical excipients and packaging",
    ),
    (
        "2780",
        "药用辅料及包装材料",
        "Pharmaceutical excipients and packaging",
    ),
    ("35", "专用设备制造业", "Special-purpose machinery"),
    (
        "358",
        "医疗仪器设备及器械制造",
        "Medical instruments and devices",
    ),
    (
        "3581",
        "医疗诊断、监护及治疗设备制造",
        "Diagnostic, monitoring and therapy equipment",
    ),
    ("3582", "口腔科用设备及器具制造", "Dental equipment"),
    (
        "3583",
        "医疗实验室及医用消毒设备和器具制造",
        "Medical laboratory and sterilisation equipment",
    ),
    (
        "3584",
        "医疗、外科及兽医用器械制造",
        "Medical, surgical and veterinary instruments",
    ),
    (
        "3585",
        "机械治疗及病房护理设备制造",
        "Mechanical therapy and ward equipment",
    ),
    ("3586", "康复辅具制造", "Rehabilitation aids"),
    ("3589", "其他医疗设备及器械制造", "Other medical devices"),
    ("51", "批发业", "Wholesale"),
    ("5151", "西药批发", "Wholesale of Western medicines"),
    (
        "5154",
        "医疗用品及器材批发",
        "Wholesale of medical supplies and devices",
    ),
    (
        "73",
        "研究和试验发展",
        "Research and experimental development",
    ),
    (
        "7340",
        "医学研究和试验发展",
        "Medical research and development",
    ),
    ("84", "卫生", "Health"),
    ("8411", "综合医院", "General hospitals"),
];

/// A GB/T 4754-2017 industry code: a section, optionally refined by 2, 3 or 4 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IndustryCode(String);

/// Why a string is not a GB/T 4754 code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndustryError {
    Malformed(String),
    NoSuchDivision {
        division: String,
    },
    WrongSection {
        division: String,
        given: char,
        actual: char,
    },
}

impl IndustryError {
    /// The reason in both languages.
    pub fn text(&self) -> Text {
        Text::from_fn(|lang| self.message(lang))
    }

    /// The reason in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            IndustryError::Malformed(s) => {
                i18n::fill(lang, "rules.industry.malformed", &[("code", s)])
            }
            IndustryError::NoSuchDivision { division } => i18n::fill(
                lang,
                "rules.industry.no_such_division",
                &[("division", division)],
            ),
            IndustryError::WrongSection {
                division,
                given,
                actual,
            } => i18n::fill(
                lang,
                "rules.industry.wrong_section",
                &[
                    ("division", division),
                    ("given", &given.to_string()),
                    ("actual", &actual.to_string()),
                ],
            ),
        }
    }
}

/// The reason in English.
impl fmt::Display for IndustryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for IndustryError {}

fn section_of(division: u8) -> Option<char> {
    SECTIONS
        .iter()
        .find(|s| (s.1..=s.2).contains(&division))
        .map(|s| s.0)
}

impl IndustryCode {
    pub fn parse(input: &str) -> Result<IndustryCode, IndustryError> {
        let s = input.trim().to_ascii_uppercase();
        let malformed = || IndustryError::Malformed(input.trim().to_string());
        let (letter, digits) = match s.chars().next() {
            Some(c) if c.is_ascii_alphabetic() => (Some(c), &s[1..]),
            Some(_) => (None, s.as_str()),
            None => return Err(malformed()),
        };
        if let Some(l) = letter
            && !SECTIONS.iter().any(|sec| sec.0 == l)
        {
            return Err(malformed());
        }
        if !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() > 4 || digits.len() == 1 {
            return Err(malformed());
        }
        if digits.is_empty() {
            return letter
                .map(|l| IndustryCode(l.to_string()))
                .ok_or_else(malformed);
        }
        let division: u8 = digits[..2].parse().map_err(|_| malformed())?;
        let actual = section_of(division).ok_or(IndustryError::NoSuchDivision {
            division: digits[..2].to_string(),
        })?;
        if let Some(given) = letter
            && given != actual
        {
            return Err(IndustryError::WrongSection {
                division: digits[..2].to_string(),
                given,
                actual,
            });
        }
        Ok(IndustryCode(format!("{actual}{digits}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn section(&self) -> char {
        self.0.chars().next().unwrap_or('?')
    }

    /// The digits without the section letter (`2761` for `C2761`).
    pub fn digits(&self) -> &str {
        &self.0[1..]
    }

    /// Whether this code is `prefix` or falls under it (`C2761` is under `C27` and `27`).
    pub fn is_under(&self, prefix: &IndustryCode) -> bool {
        self.0.starts_with(prefix.as_str())
    }

    /// The most specific name Luodi knows for this code.
    pub fn name(&self, lang: Lang) -> String {
        let digits = self.digits();
        for len in (2..=digits.len()).rev() {
            if let Some(n) = NAMES.iter().find(|n| n.0 == &digits[..len]) {
                return match lang {
                    Lang::Zh => n.1.to_string(),
                    Lang::En => n.2.to_string(),
                };
            }
        }
        let sec = SECTIONS.iter().find(|s| s.0 == self.section());
        match (sec, lang) {
            (Some(s), Lang::Zh) => s.3.to_string(),
            (Some(s), Lang::En) => s.4.to_string(),
            (None, _) => String::new(),
        }
    }
}

impl fmt::Display for IndustryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_imply_the_section() {
        assert_eq!(IndustryCode::parse("2761").unwrap().as_str(), "C2761");
        assert_eq!(IndustryCode::parse("c2761").unwrap().as_str(), "C2761");
        assert_eq!(IndustryCode::parse("Q84").unwrap().as_str(), "Q84");
        assert_eq!(IndustryCode::parse("M").unwrap().as_str(), "M");
        assert_eq!(IndustryCode::parse("7340").unwrap().section(), 'M');
    }

    #[test]
    fn refuses_with_reason() {
        assert!(matches!(
            IndustryCode::parse("F2761"),
            Err(IndustryError::WrongSection { actual: 'C', .. })
        ));
        assert!(matches!(
            IndustryCode::parse("98"),
            Err(IndustryError::NoSuchDivision { .. })
        ));
        assert!(matches!(
            IndustryCode::parse("27611"),
            Err(IndustryError::Malformed(_))
        ));
        assert!(matches!(
            IndustryCode::parse("Z27"),
            Err(IndustryError::Malformed(_))
        ));
        assert!(matches!(
            IndustryCode::parse("2"),
            Err(IndustryError::Malformed(_))
        ));
        assert!(matches!(
            IndustryCode::parse(""),
            Err(IndustryError::Malformed(_))
        ));
    }

    #[test]
    fn names_and_prefixes() {
        let c = IndustryCode::parse("3581").unwrap();
        assert_eq!(c.name(Lang::Zh), "医疗诊断、监护及治疗设备制造");
        assert!(c.is_under(&IndustryCode::parse("C358").unwrap()));
        assert!(!c.is_under(&IndustryCode::parse("27").unwrap()));
        assert_eq!(
            IndustryCode::parse("1310").unwrap().name(Lang::En),
            "Manufacturing"
        );
    }
}
