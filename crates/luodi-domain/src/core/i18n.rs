//! 翻译 — every user-facing text in one catalogue per language, `locales/zh-CN.toml` and
//! `locales/en.toml` beside this crate, compiled in. The rules, the use cases, the pages and
//! the CLI all read their words here by key; a text with blanks names them in braces
//! (`{clock}`) and [`fill`] puts the values in. Tests check that both languages have the
//! same keys and that every key the code and templates use exists.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use crate::core::lang::Lang;

const ZH: &str = include_str!("../../locales/zh-CN.toml");
const EN: &str = include_str!("../../locales/en.toml");

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

/// A catalogue's texts by dotted key.
pub fn load(source: &str) -> BTreeMap<String, String> {
    let table: toml::Table = source.parse().expect("locale files are valid TOML");
    let mut out = BTreeMap::new();
    flatten("", &table, &mut out);
    out
}

static TEXTS: LazyLock<[BTreeMap<String, String>; 2]> = LazyLock::new(|| [load(ZH), load(EN)]);

/// Both catalogues, Chinese first: for the tests that hold the code to them.
pub fn catalogues() -> [&'static BTreeMap<String, String>; 2] {
    [&TEXTS[0], &TEXTS[1]]
}

/// The text for `key` in `lang`; a missing key shows as itself (and the tests fail).
pub fn text(lang: Lang, key: &str) -> &str {
    let i = match lang {
        Lang::Zh => 0,
        Lang::En => 1,
    };
    TEXTS[i].get(key).map(String::as_str).unwrap_or(key)
}

/// The text of `key` in `lang`, for keys made at run time (`conditions.{field}`): the
/// catalogue's own, so it lives as long as the program; `None` for a key it lacks.
pub fn lookup(lang: Lang, key: &str) -> Option<&'static str> {
    let i = match lang {
        Lang::Zh => 0,
        Lang::En => 1,
    };
    TEXTS[i].get(key).map(String::as_str)
}

/// Whether the catalogue has `key`.
pub fn has(key: &str) -> bool {
    TEXTS[0].contains_key(key)
}

/// The text for `key` in `lang` with each `{name}` blank filled, in one pass (a value is
/// never read for blanks itself); a blank without a value stays as it is.
pub fn fill(lang: Lang, key: &str, values: &[(&str, &str)]) -> String {
    let text = text(lang, key);
    let mut out =
        String::with_capacity(text.len() + values.iter().map(|v| v.1.len()).sum::<usize>());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        if let Some(close) = after.find('}')
            && let Some((_, value)) = values.iter().find(|(name, _)| *name == &after[..close])
        {
            out.push_str(value);
            rest = &after[close + 1..];
        } else {
            out.push('{');
            rest = after;
        }
    }
    out.push_str(rest);
    out
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

    /// A blank one language names, the other names too.
    #[test]
    fn both_languages_have_the_same_blanks() {
        let blanks = |s: &str| {
            let mut v: Vec<String> = s
                .split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_string()))
                .collect();
            v.sort();
            v
        };
        let (zh, en) = (load(ZH), load(EN));
        for (k, z) in &zh {
            assert_eq!(blanks(z), blanks(&en[k]), "{k}");
        }
    }

    #[test]
    fn blanks_are_filled() {
        assert_eq!(
            fill(
                Lang::En,
                "notification.body.token_expiring",
                &[("day", "2026-12-14")]
            ),
            "expires on 2026-12-14; make a new one on the account page"
        );
        assert_eq!(text(Lang::Zh, "no.such.key"), "no.such.key");
    }

    /// One pass: a value is never read for blanks, and a blank without a value stays.
    #[test]
    fn blanks_are_filled_once() {
        assert_eq!(
            fill(
                Lang::En,
                "notification.body.escalated",
                &[("clock", "{to}"), ("to", "the zone leaders")]
            ),
            "the {to} clock was missed: escalated to the zone leaders"
        );
        assert_eq!(
            fill(Lang::En, "notification.body.escalated", &[("to", "x")]),
            "the {clock} clock was missed: escalated to x"
        );
    }
}
