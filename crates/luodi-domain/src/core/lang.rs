//! The two interface languages. Domain errors carry a message in each, so the web
//! layer can answer in the user's language without the rules knowing about HTTP.

use serde::{Deserialize, Serialize};

/// An interface language: Chinese (the default) or English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Reads a stored or submitted tag; anything not English is Chinese.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let t = tag.trim().to_ascii_lowercase();
        if t.starts_with("zh") {
            Some(Lang::Zh)
        } else if t.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// Picks the preferred supported language from an `Accept-Language` header,
    /// honouring q-values; Chinese when nothing matches.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut bits = part.split(';');
            let tag = bits.next().unwrap_or("").trim();
            let q = bits
                .find_map(|b| b.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(lang) = Lang::from_tag(tag)
                && q > 0.0
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }
}

/// A text in both interface languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The catalogue's text for `key` (see [`crate::core::i18n`]) in both languages.
    pub fn key(key: &str) -> Self {
        Text {
            zh: crate::core::i18n::text(Lang::Zh, key).into(),
            en: crate::core::i18n::text(Lang::En, key).into(),
        }
    }

    /// The catalogue's text for `key` in both languages, each `{name}` blank filled.
    pub fn fill(key: &str, values: &[(&str, &str)]) -> Self {
        Text {
            zh: crate::core::i18n::fill(Lang::Zh, key, values),
            en: crate::core::i18n::fill(Lang::En, key, values),
        }
    }

    /// The text `make` writes in each language: for a catalogue text whose blanks take a
    /// value that is itself different in each language.
    pub fn from_fn(make: impl Fn(Lang) -> String) -> Self {
        Text {
            zh: make(Lang::Zh),
            en: make(Lang::En),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_respects_q_values() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8"),
            Lang::En
        );
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Lang::Zh
        );
        assert_eq!(Lang::from_accept_language("fr-FR, en;q=0.5"), Lang::En);
        assert_eq!(Lang::from_accept_language("de"), Lang::Zh);
        assert_eq!(Lang::from_accept_language(""), Lang::Zh);
        assert_eq!(Lang::from_accept_language("en;q=0, zh;q=0.1"), Lang::Zh);
    }
}
