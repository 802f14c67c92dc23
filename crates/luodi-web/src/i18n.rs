//! Interface texts for the templates: the one catalogue of every user-facing text
//! ([`luodi_domain::core::i18n`], `crates/luodi-domain/locales/*.toml`) in the user's
//! language. A test checks that every key a template or the web code uses exists.

use luodi_domain::Lang;
use luodi_domain::core::i18n;

/// The texts of one language, handed to every template.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Tr { lang }
    }

    /// The text for `key`; a missing key shows as itself (and the test suite fails).
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        i18n::text(self.lang, key)
    }

    pub fn tag(&self) -> &'static str {
        self.lang.tag()
    }

    pub fn is_zh(&self) -> bool {
        self.lang == Lang::Zh
    }

    /// Picks between a Chinese and an English string held by a record.
    pub fn pick<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        match self.lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_used_in_templates_and_code_exists() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"));
        let mut missing = Vec::new();
        let mut files = Vec::new();
        let mut dirs = vec![
            std::path::PathBuf::from(format!("{root}/templates")),
            format!("{root}/src").into(),
        ];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        assert!(files.len() > 60, "found only {} files", files.len());
        {
            for path in files {
                let text = std::fs::read_to_string(&path).unwrap();
                for part in text.split(".t(\"").skip(1) {
                    let key = part.split('"').next().unwrap();
                    if !i18n::has(key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "missing locale keys: {missing:#?}");
    }
}
