//! Money in 元 with two decimals, held as integer 分 (fen) — never floating point.
//! Shown as people in a zone write large sums: 万元 and 亿元.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::core::i18n;
use crate::core::lang::Lang;

/// An amount of money in fen (1 yuan = 100 fen).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("'{0}' is not an amount of yuan (digits with at most two decimals)")]
    NotAnAmount(String),
    #[error("'{0}' is too large")]
    TooLarge(String),
}

impl Fen {
    pub const ZERO: Fen = Fen(0);

    pub fn from_yuan(yuan: i64) -> Option<Fen> {
        yuan.checked_mul(100).map(Fen)
    }

    /// Parses a yuan amount such as `1234`, `1,234.5` or `-0.05`.
    pub fn parse_yuan(input: &str) -> Result<Fen, MoneyError> {
        let bad = || MoneyError::NotAnAmount(input.to_string());
        let s: String = input.trim().chars().filter(|c| *c != ',').collect();
        let (neg, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.as_str()),
        };
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        if whole.is_empty()
            || frac.len() > 2
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !frac.chars().all(|c| c.is_ascii_digit())
        {
            return Err(bad());
        }
        let whole: i64 = whole
            .parse()
            .map_err(|_| MoneyError::TooLarge(input.to_string()))?;
        let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
        let fen = whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(frac))
            .ok_or_else(|| MoneyError::TooLarge(input.to_string()))?;
        Ok(Fen(if neg { -fen } else { fen }))
    }

    /// Parses an amount in 万元 (ten thousand yuan), as zone staff write sums: `6000`,
    /// `1,234.5`, `0.000001` (one fen: six decimals are exact). More decimals are refused.
    pub fn parse_wan(input: &str) -> Result<Fen, MoneyError> {
        let bad = || MoneyError::NotAnAmount(input.to_string());
        let s: String = input.trim().chars().filter(|c| *c != ',').collect();
        let (neg, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.as_str()),
        };
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        if whole.is_empty()
            || frac.len() > 6
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !frac.chars().all(|c| c.is_ascii_digit())
        {
            return Err(bad());
        }
        let too_large = || MoneyError::TooLarge(input.to_string());
        let whole: i64 = whole.parse().map_err(|_| too_large())?;
        let frac: i64 = format!("{frac:0<6}").parse().map_err(|_| bad())?;
        let fen = whole
            .checked_mul(1_000_000)
            .and_then(|w| w.checked_add(frac))
            .ok_or_else(too_large)?;
        Ok(Fen(if neg { -fen } else { fen }))
    }

    /// The exact amount in 万元 as a form shows it to be typed again: no grouping, no
    /// trailing zeros (`6000`, `1234.5`, `0.000001`); [`Fen::parse_wan`] reads it back.
    pub fn wan_text(self) -> String {
        let neg = self.0 < 0;
        let abs = self.0.unsigned_abs();
        let frac = format!("{:06}", abs % 1_000_000);
        let frac = frac.trim_end_matches('0');
        format!(
            "{}{}{}{frac}",
            if neg { "-" } else { "" },
            abs / 1_000_000,
            if frac.is_empty() { "" } else { "." }
        )
    }

    /// The exact amount, e.g. `12,345,678.90`.
    pub fn exact_yuan(self) -> String {
        let neg = self.0 < 0;
        let abs = self.0.unsigned_abs();
        let grouped = group_digits(abs / 100);
        format!("{}{grouped}.{:02}", if neg { "-" } else { "" }, abs % 100)
    }

    /// The amount as a zone official reads it: in 亿元 from 100 million, in 万元 from
    /// 10,000, else in 元; two decimals, rounded half away from zero.
    pub fn display(self, lang: Lang) -> String {
        const WAN: i128 = 10_000 * 100;
        const YI: i128 = 100_000_000 * 100;
        let v = self.0 as i128;
        let (unit_fen, unit) = if v.abs() >= YI {
            (YI, "rules.money.yi")
        } else if v.abs() >= WAN {
            (WAN, "rules.money.wan")
        } else {
            (100, "rules.money.yuan")
        };
        // Round to hundredths of the unit.
        let hundredths = (v * 100 * 2 + unit_fen * v.signum()) / (unit_fen * 2);
        let s = format!(
            "{}{}.{:02}",
            if hundredths < 0 { "-" } else { "" },
            hundredths.abs() / 100,
            hundredths.abs() % 100
        );
        format!("{s} {}", i18n::text(lang, unit))
    }
}

/// Digits grouped by thousands with commas: `4266667` → `4,266,667`.
pub fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.exact_yuan())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn exact_text_parses_back(fen in -1_000_000_000_000_000i64..1_000_000_000_000_000) {
            prop_assert_eq!(Fen::parse_yuan(&Fen(fen).exact_yuan()), Ok(Fen(fen)));
        }

        #[test]
        fn wan_text_parses_back(fen in -1_000_000_000_000_000i64..1_000_000_000_000_000) {
            prop_assert_eq!(Fen::parse_wan(&Fen(fen).wan_text()), Ok(Fen(fen)));
        }

        #[test]
        fn display_is_within_half_a_hundredth_of_the_unit(fen in 0i64..1_000_000_000_000_000) {
            let shown = Fen(fen).display(Lang::Zh);
            let (number, unit) = shown.split_once(' ').unwrap();
            let unit_fen: i128 = match unit { "亿元" => 10_000_000_000, "万元" => 1_000_000, _ => 100 };
            let hundredths: i128 = number.replace('.', "").parse().unwrap();
            let diff = (hundredths * unit_fen - (fen as i128) * 100).abs();
            prop_assert!(diff * 2 <= unit_fen, "{} for {} fen", shown, fen);
        }
    }

    #[test]
    fn parses_yuan() {
        assert_eq!(Fen::parse_yuan("1234"), Ok(Fen(123_400)));
        assert_eq!(Fen::parse_yuan("1,234.5"), Ok(Fen(123_450)));
        assert_eq!(Fen::parse_yuan("-0.05"), Ok(Fen(-5)));
        assert!(Fen::parse_yuan("1.234").is_err());
        assert!(Fen::parse_yuan("1e5").is_err());
        assert!(Fen::parse_yuan("").is_err());
        assert!(matches!(
            Fen::parse_yuan("99999999999999999999"),
            Err(MoneyError::TooLarge(_))
        ));
    }

    #[test]
    fn parses_wan() {
        assert_eq!(Fen::parse_wan("6000"), Fen::parse_yuan("60000000"));
        assert_eq!(Fen::parse_wan("1,234.5"), Fen::parse_yuan("12345000"));
        assert_eq!(Fen::parse_wan("0.000001"), Ok(Fen(1)));
        assert!(Fen::parse_wan("0.0000001").is_err());
        assert!(Fen::parse_wan("1e3").is_err());
        assert!(Fen::parse_wan("").is_err());
        assert!(Fen::parse_wan("万").is_err());
        assert!(matches!(
            Fen::parse_wan("99999999999999"),
            Err(MoneyError::TooLarge(_))
        ));
        assert_eq!(Fen::parse_wan("6000").unwrap().wan_text(), "6000");
        assert_eq!(Fen(123_450_000).wan_text(), "123.45");
    }

    #[test]
    fn shows_wan_and_yi() {
        assert_eq!(
            Fen::from_yuan(6_000_000_000).unwrap().display(Lang::Zh),
            "60.00 亿元"
        );
        assert_eq!(
            Fen::from_yuan(20_000_000).unwrap().display(Lang::Zh),
            "2000.00 万元"
        );
        assert_eq!(
            Fen::from_yuan(12_345).unwrap().display(Lang::Zh),
            "1.23 万元"
        );
        assert_eq!(
            Fen::from_yuan(12_355).unwrap().display(Lang::Zh),
            "1.24 万元"
        );
        assert_eq!(Fen(-1_235_000).display(Lang::Zh), "-1.24 万元");
        assert_eq!(Fen(999).display(Lang::En), "9.99 yuan");
        assert_eq!(Fen(1_234_567_890).exact_yuan(), "12,345,678.90");
    }
}
