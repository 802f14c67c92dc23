//! Enterprises (企业): the input an officer or an enterprise user submits, parsed into
//! a draft that is right in every field, or a list of what is wrong, field by field.

use serde::{Deserialize, Serialize};

use crate::core::industry::IndustryCode;
use crate::core::lang::{Lang, Text};
use crate::core::uscc::Uscc;

/// A field that failed, with a stable code and the reason in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub text: Text,
}

impl FieldError {
    pub fn new(field: &str, code: &'static str, text: Text) -> Self {
        FieldError {
            field: field.to_string(),
            code,
            text,
        }
    }

    pub fn message(&self, lang: Lang) -> &str {
        self.text.get(lang)
    }
}

/// 产业链位置 — where an enterprise sits on the industry chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainPosition {
    Upstream,
    Midstream,
    Downstream,
}

impl ChainPosition {
    pub const ALL: [ChainPosition; 3] = [Self::Upstream, Self::Midstream, Self::Downstream];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upstream => "upstream",
            Self::Midstream => "midstream",
            Self::Downstream => "downstream",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label(self) -> Text {
        match self {
            Self::Upstream => Text::key("rules.enterprise.chain_upstream"),
            Self::Midstream => Text::key("rules.enterprise.chain_midstream"),
            Self::Downstream => Text::key("rules.enterprise.chain_downstream"),
        }
    }
}

/// 企业规模 — size class after the statistics bureau's 大中小微 classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnterpriseSize {
    Large,
    Medium,
    Small,
    Micro,
}

impl EnterpriseSize {
    pub const ALL: [EnterpriseSize; 4] = [Self::Large, Self::Medium, Self::Small, Self::Micro];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Large => "large",
            Self::Medium => "medium",
            Self::Small => "small",
            Self::Micro => "micro",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label(self) -> Text {
        match self {
            Self::Large => Text::key("rules.enterprise.size_large"),
            Self::Medium => Text::key("rules.enterprise.size_medium"),
            Self::Small => Text::key("rules.enterprise.size_small"),
            Self::Micro => Text::key("rules.enterprise.size_micro"),
        }
    }
}

/// What a user submits for an enterprise, as text, before any check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnterpriseInput {
    pub uscc: String,
    pub name: String,
    pub name_en: Option<String>,
    pub industry_code: Option<String>,
    pub chain_position: Option<String>,
    pub size: Option<String>,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
}

/// An enterprise whose every field has been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnterpriseDraft {
    pub uscc: Uscc,
    pub name: String,
    pub name_en: Option<String>,
    pub industry_code: Option<IndustryCode>,
    pub chain_position: Option<ChainPosition>,
    pub size: Option<EnterpriseSize>,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
}

fn blank_to_none(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn max_len(errors: &mut Vec<FieldError>, field: &str, v: &Option<String>, max: usize) {
    if let Some(v) = v
        && v.chars().count() > max
    {
        errors.push(FieldError::new(
            field,
            "too_long",
            Text::fill("rules.enterprise.too_long", &[("max", &max.to_string())]),
        ));
    }
}

impl EnterpriseDraft {
    /// Checks every field and reports all that are wrong, not just the first.
    pub fn parse(input: &EnterpriseInput) -> Result<EnterpriseDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let uscc = Uscc::parse(&input.uscc)
            .map_err(|e| errors.push(FieldError::new("uscc", "invalid_uscc", e.text())))
            .ok();
        let name = input.name.trim().to_string();
        if name.is_empty() {
            errors.push(FieldError::new(
                "name",
                "required",
                Text::key("rules.enterprise.name_required"),
            ));
        }
        max_len(&mut errors, "name", &Some(name.clone()), 200);
        let industry_code = blank_to_none(&input.industry_code).and_then(|c| {
            IndustryCode::parse(&c)
                .map_err(|e| {
                    errors.push(FieldError::new(
                        "industry_code",
                        "invalid_industry_code",
                        e.text(),
                    ))
                })
                .ok()
        });
        let chain_position = blank_to_none(&input.chain_position).and_then(|c| {
            let p = ChainPosition::parse(&c);
            if p.is_none() {
                errors.push(FieldError::new(
                    "chain_position",
                    "invalid_choice",
                    Text::fill("rules.enterprise.bad_chain_position", &[("value", &c)]),
                ));
            }
            p
        });
        let size = blank_to_none(&input.size).and_then(|c| {
            let p = EnterpriseSize::parse(&c);
            if p.is_none() {
                errors.push(FieldError::new(
                    "size",
                    "invalid_choice",
                    Text::fill("rules.enterprise.bad_size", &[("value", &c)]),
                ));
            }
            p
        });
        let name_en = blank_to_none(&input.name_en);
        let address = blank_to_none(&input.address);
        let contact_name = blank_to_none(&input.contact_name);
        let contact_phone = blank_to_none(&input.contact_phone);
        let contact_email = blank_to_none(&input.contact_email);
        max_len(&mut errors, "name_en", &name_en, 200);
        max_len(&mut errors, "address", &address, 300);
        max_len(&mut errors, "contact_name", &contact_name, 100);
        if let Some(p) = &contact_phone {
            let digits = p.chars().filter(char::is_ascii_digit).count();
            if !p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c))
                || !(5..=20).contains(&digits)
            {
                errors.push(FieldError::new(
                    "contact_phone",
                    "invalid_phone",
                    Text::key("rules.enterprise.bad_phone"),
                ));
            }
        }
        if let Some(e) = &contact_email {
            let ok = e.split_once('@').is_some_and(|(l, d)| {
                !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.')
            }) && !e.contains(char::is_whitespace)
                && e.len() <= 254;
            if !ok {
                errors.push(FieldError::new(
                    "contact_email",
                    "invalid_email",
                    Text::key("rules.enterprise.bad_email"),
                ));
            }
        }
        match (errors.is_empty(), uscc) {
            (true, Some(uscc)) => Ok(EnterpriseDraft {
                uscc,
                name,
                name_en,
                industry_code,
                chain_position,
                size,
                address,
                contact_name,
                contact_phone,
                contact_email,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_input_parses() {
        let d = EnterpriseDraft::parse(&EnterpriseInput {
            uscc: "91370200163562681G".into(),
            name: " 青岛示例医疗器械有限公司 ".into(),
            industry_code: Some("3581".into()),
            chain_position: Some("midstream".into()),
            contact_email: Some("a@b.cn".into()),
            contact_phone: Some("+86 532-8888 0000".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(d.name, "青岛示例医疗器械有限公司");
        assert_eq!(d.industry_code.unwrap().as_str(), "C3581");
    }

    #[test]
    fn every_bad_field_is_named() {
        let errs = EnterpriseDraft::parse(&EnterpriseInput {
            uscc: "91370200163562681H".into(),
            name: "  ".into(),
            industry_code: Some("99".into()),
            chain_position: Some("sideways".into()),
            size: Some("huge".into()),
            contact_phone: Some("call me".into()),
            contact_email: Some("nobody".into()),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "uscc",
                "name",
                "industry_code",
                "chain_position",
                "size",
                "contact_phone",
                "contact_email"
            ]
        );
    }
}
