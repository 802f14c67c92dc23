//! 统一社会信用代码 — the unified social credit code (GB 32100-2015), the one identifier
//! of every enterprise in Luodi. [`Uscc::parse`] is the only way to get one, and it says
//! exactly why a code is refused.
//!
//! Layout of the 18 characters:
//! 1 registration authority · 2 organisation type · 3–8 administrative division (GB/T 2260)
//! · 9–17 the organisation's identifier (GB 11714, its own check character last) · 18 check.

use std::fmt;

use crate::core::i18n;
use crate::core::lang::{Lang, Text};

/// The 31 characters a code may use: digits and capitals without I, O, Z, S, V.
pub const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// Registration authorities (position 1) and the organisation types (position 2) each
/// may issue, after GB 32100-2015 Annex A. Data of the standard, not interface text.
const AUTHORITIES: &[(char, &str, &str, &str)] = &[
    ('1', "机构编制", "establishment administration", "1239"),
    ('2', "外交", "foreign affairs", "19"),
    ('3', "司法行政", "justice administration", "123459"),
    ('4', "文化", "culture", "19"),
    ('5', "民政", "civil affairs", "1239"),
    ('6', "旅游", "tourism", "129"),
    ('7', "宗教", "religious affairs", "129"),
    ('8', "工会", "trade unions", "19"),
    (
        '9',
        "工商",
        "market regulation (industry and commerce)",
        "123",
    ),
    (
        'A',
        "中央军委改革和编制办公室",
        "CMC reform and establishment office",
        "19",
    ),
    ('N', "农业", "agriculture", "1239"),
    ('Y', "其他", "other", "1"),
];

/// Province-level prefixes of GB/T 2260 administrative division codes.
const PROVINCES: &[&str] = &[
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82",
];

/// A unified social credit code that passed every check of GB 32100-2015.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uscc(String);

/// Why a string is not a unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsccError {
    Empty,
    /// The number of characters.
    WrongLength(usize),
    BadCharacter {
        position: usize,
        ch: char,
        /// The catalogue key of what the code allows instead.
        hint: &'static str,
    },
    BadAuthority(char),
    BadOrganisationType {
        authority: char,
        authority_name: &'static str,
        ty: char,
        allowed: String,
    },
    BadDivision(String),
    BadOrganisationCode {
        code: String,
        expected: char,
        found: char,
    },
    BadCheckCharacter {
        expected: char,
        found: char,
    },
}

impl UsccError {
    /// The reason in both languages.
    pub fn text(&self) -> Text {
        Text::from_fn(|lang| self.message(lang))
    }

    /// The reason in the user's language.
    pub fn message(&self, lang: Lang) -> String {
        let ch = |c: &char| c.to_string();
        match self {
            UsccError::Empty => i18n::text(lang, "rules.uscc.empty").to_string(),
            UsccError::WrongLength(n) => {
                i18n::fill(lang, "rules.uscc.wrong_length", &[("n", &n.to_string())])
            }
            UsccError::BadCharacter {
                position,
                ch: c,
                hint,
            } => i18n::fill(
                lang,
                "rules.uscc.bad_character",
                &[
                    ("position", &position.to_string()),
                    ("ch", &ch(c)),
                    ("hint", i18n::text(lang, hint)),
                ],
            ),
            UsccError::BadAuthority(c) => {
                i18n::fill(lang, "rules.uscc.bad_authority", &[("ch", &ch(c))])
            }
            UsccError::BadOrganisationType {
                authority,
                authority_name,
                ty,
                allowed,
            } => {
                let name = match lang {
                    Lang::Zh => authority_zh(*authority),
                    Lang::En => *authority_name,
                };
                i18n::fill(
                    lang,
                    "rules.uscc.bad_organisation_type",
                    &[
                        ("ty", &ch(ty)),
                        ("authority", &ch(authority)),
                        ("name", name),
                        ("allowed", allowed),
                    ],
                )
            }
            UsccError::BadDivision(d) => {
                i18n::fill(lang, "rules.uscc.bad_division", &[("division", d)])
            }
            UsccError::BadOrganisationCode {
                code,
                expected,
                found,
            } => i18n::fill(
                lang,
                "rules.uscc.bad_organisation_code",
                &[
                    ("code", code),
                    ("expected", &ch(expected)),
                    ("found", &ch(found)),
                ],
            ),
            UsccError::BadCheckCharacter { expected, found } => i18n::fill(
                lang,
                "rules.uscc.bad_check_character",
                &[("expected", &ch(expected)), ("found", &ch(found))],
            ),
        }
    }
}

/// The reason in English.
impl fmt::Display for UsccError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for UsccError {}

const HINT_EXCLUDED: &str = "rules.uscc.hint_excluded";
const HINT_CHARSET: &str = "rules.uscc.hint_charset";

fn authority_zh(c: char) -> &'static str {
    AUTHORITIES
        .iter()
        .find(|a| a.0 == c)
        .map(|a| a.1)
        .unwrap_or("")
}

fn value(c: char) -> Option<u32> {
    CHARSET.find(c).map(|i| i as u32)
}

/// The check character (position 18) the first 17 characters call for.
pub fn check_character(first17: &str) -> Option<char> {
    let mut sum = 0;
    for (i, c) in first17.chars().enumerate() {
        sum += value(c)? * *WEIGHTS.get(i)?;
    }
    let v = (31 - sum % 31) % 31;
    CHARSET.chars().nth(v as usize)
}

/// The GB 11714 check character of an organisation code's first eight characters.
pub fn organisation_check(body8: &str) -> Option<char> {
    let mut sum = 0;
    for (i, c) in body8.chars().enumerate() {
        let v = c.to_digit(36)?;
        sum += v * *ORG_WEIGHTS.get(i)?;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10)?,
    })
}

impl Uscc {
    /// Parses a code. Surrounding white space is ignored and lower-case letters are read
    /// as capitals (people type them); everything else must be exactly right.
    pub fn parse(input: &str) -> Result<Uscc, UsccError> {
        let code: String = input.trim().to_uppercase();
        if code.is_empty() {
            return Err(UsccError::Empty);
        }
        let n = code.chars().count();
        if n != 18 {
            return Err(UsccError::WrongLength(n));
        }
        for (i, ch) in code.chars().enumerate() {
            if value(ch).is_none() {
                let hint = if matches!(ch, 'I' | 'O' | 'Z' | 'S' | 'V') {
                    HINT_EXCLUDED
                } else {
                    HINT_CHARSET
                };
                return Err(UsccError::BadCharacter {
                    position: i + 1,
                    ch,
                    hint,
                });
            }
        }
        let chars: Vec<char> = code.chars().collect();
        let (authority, ty) = (chars[0], chars[1]);
        let Some(&(_, _, authority_name, types)) = AUTHORITIES.iter().find(|a| a.0 == authority)
        else {
            return Err(UsccError::BadAuthority(authority));
        };
        if !types.contains(ty) {
            return Err(UsccError::BadOrganisationType {
                authority,
                authority_name,
                ty,
                allowed: types
                    .chars()
                    .map(String::from)
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        let division = &code[2..8];
        if !division.chars().all(|c| c.is_ascii_digit()) || !PROVINCES.contains(&&division[..2]) {
            return Err(UsccError::BadDivision(division.to_string()));
        }
        let org = &code[8..17];
        let expected_org = organisation_check(&org[..8]).unwrap_or('?');
        let found_org = chars[16];
        if expected_org != found_org {
            return Err(UsccError::BadOrganisationCode {
                code: org.to_string(),
                expected: expected_org,
                found: found_org,
            });
        }
        let expected = check_character(&code[..17]).unwrap_or('?');
        if expected != chars[17] {
            return Err(UsccError::BadCheckCharacter {
                expected,
                found: chars[17],
            });
        }
        Ok(Uscc(code))
    }

    /// Builds a valid code from its first 16 characters (authority, type, division and the
    /// eight-character organisation body) by appending both check characters. Used for
    /// demo and test data.
    pub fn complete(first16: &str) -> Result<Uscc, UsccError> {
        let body = first16.trim().to_uppercase();
        if body.len() != 16 {
            return Err(UsccError::WrongLength(body.len() + 2));
        }
        let org = organisation_check(&body[8..16]).ok_or(UsccError::WrongLength(0))?;
        let seventeen = format!("{body}{org}");
        let check = check_character(&seventeen).ok_or(UsccError::WrongLength(0))?;
        Uscc::parse(&format!("{seventeen}{check}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The administrative division (GB/T 2260) where the organisation registered.
    pub fn division(&self) -> &str {
        &self.0[2..8]
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The worked example printed in GB 32100-2015, and two more codes checked by hand.
    const VALID: &[&str] = &[
        "91350100M000100Y43",
        "91110000100010433L",
        "91370200163562681G",
    ];

    #[test]
    fn valid_codes_pass() {
        for code in VALID {
            assert!(Uscc::parse(code).is_ok(), "{code}: {:?}", Uscc::parse(code));
        }
    }

    #[test]
    fn every_kind_of_wrong_code_has_its_reason() {
        assert_eq!(Uscc::parse("  "), Err(UsccError::Empty));
        assert_eq!(
            Uscc::parse("9137020016356268"),
            Err(UsccError::WrongLength(16))
        );
        assert_eq!(
            Uscc::parse("91370200163562681GX"),
            Err(UsccError::WrongLength(19))
        );
        assert!(matches!(
            Uscc::parse("91370200I63562681G"),
            Err(UsccError::BadCharacter {
                position: 9,
                ch: 'I',
                hint: HINT_EXCLUDED
            })
        ));
        assert!(matches!(
            Uscc::parse("913702001635626-1G"),
            Err(UsccError::BadCharacter {
                position: 16,
                ch: '-',
                hint: HINT_CHARSET
            })
        ));
        assert!(matches!(
            Uscc::parse("B1370200163562681G"),
            Err(UsccError::BadAuthority('B'))
        ));
        assert!(matches!(
            Uscc::parse("97370200163562681G"),
            Err(UsccError::BadOrganisationType {
                authority: '9',
                ty: '7',
                ..
            })
        ));
        assert!(matches!(
            Uscc::parse("91990200163562681G"),
            Err(UsccError::BadDivision(_))
        ));
        assert!(matches!(
            Uscc::parse("91370200163562682G"),
            Err(UsccError::BadOrganisationCode {
                expected: '1',
                found: '2',
                ..
            })
        ));
        assert_eq!(
            Uscc::parse("91370200163562681H"),
            Err(UsccError::BadCheckCharacter {
                expected: 'G',
                found: 'H'
            })
        );
    }

    #[test]
    fn lower_case_and_spaces_are_forgiven() {
        let code = Uscc::parse(" 91370200163562681g ").unwrap();
        assert_eq!(code.as_str(), "91370200163562681G");
        assert_eq!(code.division(), "370200");
    }

    #[test]
    fn reasons_read_in_both_languages() {
        let err = Uscc::parse("91370200163562681H").unwrap_err();
        assert!(err.message(Lang::Zh).contains("校验码"));
        assert!(err.message(Lang::En).contains("check character"));
    }

    proptest! {
        #[test]
        fn completed_codes_parse_and_any_single_change_is_caught(
            body in "[0-9A-HJ-NP-RT-UW-Y]{8}", pos in 0usize..18, replacement in 0usize..31
        ) {
            let code = Uscc::complete(&format!("91370214{body}")).unwrap();
            let mut chars: Vec<char> = code.as_str().chars().collect();
            let new = CHARSET.chars().nth(replacement).unwrap();
            prop_assume!(chars[pos] != new);
            chars[pos] = new;
            let changed: String = chars.into_iter().collect();
            prop_assert!(Uscc::parse(&changed).is_err(), "{changed} accepted");
        }
    }
}
