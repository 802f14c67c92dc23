//! Interface texts in Chinese and English, from `locales/*.toml` compiled into the
//! binary. A test checks both files have the same keys and that every key a template
//! uses exists.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use luodi_domain::Lang;

const ZH: &str = include_str!("../locales/zh-CN.toml");
const EN: &str = include_str!("../locales/en.toml");

fn flatten(prefix: &str, table: &toml::Table, out: &mut BTreeMap<String, String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            other => panic!("locale key {key} must be a string, not {other}"),
        }
    }
}

pub fn load(source: &str) -> BTreeMap<String, String> {
    let table: toml::Table = source.parse().expect("locale files are valid TOML");
    let mut out = BTreeMap::new();
    flatten("", &table, &mut out);
    out
}

static TEXTS: LazyLock<[BTreeMap<String, String>; 2]> = LazyLock::new(|| [load(ZH), load(EN)]);

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
        let i = match self.lang {
            Lang::Zh => 0,
            Lang::En => 1,
        };
        TEXTS[i].get(key).map(String::as_str).unwrap_or(key)
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
    fn both_languages_have_the_same_keys() {
        let (zh, en) = (load(ZH), load(EN));
        let zh_keys: Vec<_> = zh.keys().collect();
        let en_keys: Vec<_> = en.keys().collect();
        assert_eq!(zh_keys, en_keys);
    }

    #[test]
    fn every_key_used_in_templates_and_code_exists() {
        let zh = load(ZH);
        let root = concat!(env!("CARGO_MANIFEST_DIR"));
        let mut missing = Vec::new();
        for dir in ["templates", "src", "src/pages"] {
            for entry in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for part in text.split(".t(\"").skip(1) {
                    let key = part.split('"').next().unwrap();
                    if !zh.contains_key(key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "missing locale keys: {missing:#?}");
    }
}
