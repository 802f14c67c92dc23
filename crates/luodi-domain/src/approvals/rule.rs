//! 适用条件 — the small language of applicability rules in the service catalogue:
//! whether an item applies to a project, from the project's and its parcel's attributes.
//!
//! ```text
//! investment_wan >= 5000 and industry under ["C27", "C358"]
//! not parcel.assessed.environment or eia_class in ["report_book", "report_table"]
//! hazardous_chemicals
//! ```
//!
//! A rule is checked when the catalogue is imported: syntax, known attributes and the
//! right kind of value for each, with the character position of any error. It is then
//! evaluated with three-valued logic: a fact the zone does not know yet makes the answer
//! unknown (and the item is listed "to be confirmed") rather than silently false.

use std::collections::BTreeMap;
use std::fmt;

use crate::core::industry::IndustryCode;

/// The kind of value an attribute holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrKind {
    Number,
    Text,
    Flag,
    /// A GB/T 4754 code, compared with `under`.
    Industry,
}

/// Regional assessments (区域评估) a parcel may already be covered by: the official names
/// of the reform's assessments, data like a code table (the web pages and the CLI read it).
pub const ASSESSMENTS: &[(&str, &str, &str)] = &[
    ("environment", "环境影响评价", "environmental impact"),
    ("energy", "节能评价", "energy conservation"),
    (
        "geological_hazard",
        "地质灾害危险性评估",
        "geological hazard",
    ),
    ("seismic", "地震安全性评价", "seismic safety"),
    ("archaeology", "文物考古调查勘探", "archaeology"),
    ("flood", "洪水影响评价", "flood impact"),
    ("soil_water", "水土保持", "soil and water conservation"),
    ("traffic", "交通影响评价", "traffic impact"),
    (
        "mineral",
        "压覆重要矿产资源评估",
        "overlying mineral resources",
    ),
    ("meteorology", "气候可行性论证", "climate feasibility"),
];

/// The attributes a rule may use, with their kinds and meanings: the rule language's
/// reference for catalogue authors (the CLI prints it), naming the official Chinese terms.
pub const ATTRIBUTES: &[(&str, AttrKind, &str)] = &[
    (
        "industry",
        AttrKind::Industry,
        "GB/T 4754 code of the project",
    ),
    ("investment_wan", AttrKind::Number, "total investment, 万元"),
    (
        "fixed_asset_investment_wan",
        AttrKind::Number,
        "fixed-asset investment, 万元",
    ),
    ("land_area_mu", AttrKind::Number, "land area, 亩"),
    (
        "floor_area_m2",
        AttrKind::Number,
        "total building floor area, m²",
    ),
    (
        "civil_floor_area_m2",
        AttrKind::Number,
        "floor area of civil (office, dormitory) buildings, m²",
    ),
    ("height_m", AttrKind::Number, "highest building, m"),
    (
        "energy_tce",
        AttrKind::Number,
        "annual comprehensive energy use, tonnes of standard coal",
    ),
    (
        "hazardous_chemicals",
        AttrKind::Flag,
        "produces, stores or uses hazardous chemicals",
    ),
    (
        "radiation",
        AttrKind::Flag,
        "uses radioactive sources or ray devices",
    ),
    (
        "pathogens",
        AttrKind::Flag,
        "works with pathogenic microorganisms (biosafety lab)",
    ),
    (
        "occupational_hazards",
        AttrKind::Flag,
        "has serious occupational-disease hazards",
    ),
    (
        "foreign_invested",
        AttrKind::Flag,
        "foreign-invested enterprise",
    ),
    (
        "special_equipment",
        AttrKind::Flag,
        "installs boilers, pressure vessels, lifts or cranes",
    ),
    (
        "new_construction",
        AttrKind::Flag,
        "new buildings (not refitting existing ones)",
    ),
    (
        "approval_route",
        AttrKind::Text,
        "filing (备案) or approval (核准)",
    ),
    (
        "eia_class",
        AttrKind::Text,
        "report_book, report_table or registration (环评分类)",
    ),
    (
        "land_supply",
        AttrKind::Text,
        "auction (招拍挂出让), with_scheme (带方案出让), lease, allocation",
    ),
];

/// The kind of an attribute name, including the `parcel.assessed.<kind>` flags.
pub fn attribute_kind(name: &str) -> Option<AttrKind> {
    if let Some(kind) = name.strip_prefix("parcel.assessed.") {
        return ASSESSMENTS
            .iter()
            .any(|a| a.0 == kind)
            .then_some(AttrKind::Flag);
    }
    ATTRIBUTES.iter().find(|a| a.0 == name).map(|a| a.1)
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Number(f64),
    Text(String),
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Number(n) => write!(f, "{n}"),
            // The language has no escapes: a text never holds a '"'.
            Literal::Text(s) => write!(f, "\"{s}\""),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A parsed, checked rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    Const(bool),
    Flag(String),
    Not(Box<Rule>),
    And(Box<Rule>, Box<Rule>),
    Or(Box<Rule>, Box<Rule>),
    Cmp(String, CmpOp, Literal),
    In(String, Vec<Literal>),
    Under(String, Vec<IndustryCode>),
}

/// Why a rule does not parse: where (a 1-based character position) and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at character {position}: {message}")]
pub struct RuleError {
    pub position: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Num(f64),
    Str(String),
    Op(CmpOp),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    And,
    Or,
    Not,
    In,
    Under,
    True,
    False,
    End,
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("'{s}'"),
        Tok::Num(n) => format!("number {n}"),
        Tok::Str(s) => format!("text {s:?}"),
        Tok::Op(_) => "a comparison".into(),
        Tok::LParen => "'('".into(),
        Tok::RParen => "')'".into(),
        Tok::LBracket => "'['".into(),
        Tok::RBracket => "']'".into(),
        Tok::Comma => "','".into(),
        Tok::And => "'and'".into(),
        Tok::Or => "'or'".into(),
        Tok::Not => "'not'".into(),
        Tok::In => "'in'".into(),
        Tok::Under => "'under'".into(),
        Tok::True => "'true'".into(),
        Tok::False => "'false'".into(),
        Tok::End => "the end of the rule".into(),
    }
}

fn lex(src: &str) -> Result<Vec<(usize, Tok)>, RuleError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let err = |i: usize, message: String| RuleError {
        position: i + 1,
        message,
    };
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let tok = match c {
            '(' => {
                i += 1;
                Tok::LParen
            }
            ')' => {
                i += 1;
                Tok::RParen
            }
            '[' => {
                i += 1;
                Tok::LBracket
            }
            ']' => {
                i += 1;
                Tok::RBracket
            }
            ',' => {
                i += 1;
                Tok::Comma
            }
            '=' | '!' | '<' | '>' => {
                let next = chars.get(i + 1).copied();
                let (op, len) = match (c, next) {
                    ('=', Some('=')) => (CmpOp::Eq, 2),
                    ('=', _) => (CmpOp::Eq, 1),
                    ('!', Some('=')) => (CmpOp::Ne, 2),
                    ('<', Some('=')) => (CmpOp::Le, 2),
                    ('<', _) => (CmpOp::Lt, 1),
                    ('>', Some('=')) => (CmpOp::Ge, 2),
                    ('>', _) => (CmpOp::Gt, 1),
                    _ => {
                        return Err(err(
                            i,
                            "'!' must be followed by '=' (use 'not' to negate)".into(),
                        ));
                    }
                };
                i += len;
                Tok::Op(op)
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(err(start, "text is not closed: a '\"' is missing".into()));
                        }
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some(ch) => {
                            s.push(*ch);
                            i += 1;
                        }
                    }
                }
                Tok::Str(s)
            }
            c if c.is_ascii_digit()
                || (c == '-' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) =>
            {
                i += 1;
                while i < chars.len()
                    && (chars[i].is_ascii_digit() || chars[i] == '.' || chars[i] == '_')
                {
                    i += 1;
                }
                let text: String = chars[start..i].iter().filter(|c| **c != '_').collect();
                Tok::Num(
                    text.parse()
                        .map_err(|_| err(start, format!("'{text}' is not a number")))?,
                )
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '.')
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                match word.as_str() {
                    "and" => Tok::And,
                    "or" => Tok::Or,
                    "not" => Tok::Not,
                    "in" => Tok::In,
                    "under" => Tok::Under,
                    "true" => Tok::True,
                    "false" => Tok::False,
                    _ => Tok::Ident(word),
                }
            }
            other => return Err(err(i, format!("unexpected character '{other}'"))),
        };
        out.push((start + 1, tok));
    }
    out.push((chars.len() + 1, Tok::End));
    Ok(out)
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    at: usize,
    /// The attributes the rule may use, and their kinds.
    kind_of: fn(&str) -> Option<AttrKind>,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.at].1
    }

    fn pos(&self) -> usize {
        self.toks[self.at].0
    }

    fn next(&mut self) -> (usize, Tok) {
        let t = self.toks[self.at].clone();
        if self.at + 1 < self.toks.len() {
            self.at += 1;
        }
        t
    }

    fn fail<T>(&self, message: String) -> Result<T, RuleError> {
        Err(RuleError {
            position: self.pos(),
            message,
        })
    }

    fn or(&mut self) -> Result<Rule, RuleError> {
        let mut left = self.and()?;
        while *self.peek() == Tok::Or {
            self.next();
            left = Rule::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Rule, RuleError> {
        let mut left = self.not()?;
        while *self.peek() == Tok::And {
            self.next();
            left = Rule::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Rule, RuleError> {
        if *self.peek() == Tok::Not {
            self.next();
            return Ok(Rule::Not(Box::new(self.not()?)));
        }
        self.atom()
    }

    fn literal(&mut self) -> Result<(usize, Literal), RuleError> {
        let (pos, t) = self.next();
        match t {
            Tok::Num(n) => Ok((pos, Literal::Number(n))),
            Tok::Str(s) => Ok((pos, Literal::Text(s))),
            other => Err(RuleError {
                position: pos,
                message: format!(
                    "expected a number or a \"text\", found {}",
                    describe(&other)
                ),
            }),
        }
    }

    fn list(&mut self) -> Result<Vec<(usize, Literal)>, RuleError> {
        if *self.peek() != Tok::LBracket {
            return Ok(vec![self.literal()?]);
        }
        self.next();
        let mut items = vec![self.literal()?];
        loop {
            match self.next() {
                (_, Tok::Comma) => items.push(self.literal()?),
                (_, Tok::RBracket) => return Ok(items),
                (pos, other) => {
                    return Err(RuleError {
                        position: pos,
                        message: format!("expected ',' or ']', found {}", describe(&other)),
                    });
                }
            }
        }
    }

    fn atom(&mut self) -> Result<Rule, RuleError> {
        let (pos, t) = self.next();
        match t {
            Tok::True => Ok(Rule::Const(true)),
            Tok::False => Ok(Rule::Const(false)),
            Tok::LParen => {
                let inner = self.or()?;
                match self.next() {
                    (_, Tok::RParen) => Ok(inner),
                    (pos, other) => Err(RuleError {
                        position: pos,
                        message: format!("expected ')', found {}", describe(&other)),
                    }),
                }
            }
            Tok::Ident(name) => {
                let Some(kind) = (self.kind_of)(&name) else {
                    let hint = if name.starts_with("parcel.assessed.") {
                        format!(
                            "; assessments are {}",
                            ASSESSMENTS
                                .iter()
                                .map(|a| a.0)
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    } else {
                        String::new()
                    };
                    return Err(RuleError {
                        position: pos,
                        message: format!("unknown attribute '{name}'{hint}"),
                    });
                };
                match (self.peek().clone(), kind) {
                    (Tok::Op(op), AttrKind::Number) => {
                        self.next();
                        match self.literal()? {
                            (_, Literal::Number(n)) => Ok(Rule::Cmp(name, op, Literal::Number(n))),
                            (p, other) => Err(RuleError {
                                position: p,
                                message: format!(
                                    "'{name}' is a number and cannot be compared with {other}"
                                ),
                            }),
                        }
                    }
                    (Tok::Op(op @ (CmpOp::Eq | CmpOp::Ne)), AttrKind::Text) => {
                        self.next();
                        match self.literal()? {
                            (_, Literal::Text(s)) => Ok(Rule::Cmp(name, op, Literal::Text(s))),
                            (p, other) => Err(RuleError {
                                position: p,
                                message: format!(
                                    "'{name}' is text and cannot be compared with {other}"
                                ),
                            }),
                        }
                    }
                    (Tok::In, AttrKind::Text | AttrKind::Number) => {
                        self.next();
                        let values = self.list()?;
                        for (p, v) in &values {
                            let ok = matches!(
                                (kind, v),
                                (AttrKind::Text, Literal::Text(_))
                                    | (AttrKind::Number, Literal::Number(_))
                            );
                            if !ok {
                                return Err(RuleError {
                                    position: *p,
                                    message: format!("{v} is not the kind of value '{name}' holds"),
                                });
                            }
                        }
                        Ok(Rule::In(name, values.into_iter().map(|(_, v)| v).collect()))
                    }
                    (Tok::Under, AttrKind::Industry) => {
                        self.next();
                        let mut codes = Vec::new();
                        for (p, v) in self.list()? {
                            match v {
                                Literal::Text(s) => {
                                    codes.push(IndustryCode::parse(&s).map_err(|e| RuleError {
                                        position: p,
                                        message: e.to_string(),
                                    })?)
                                }
                                other => {
                                    return Err(RuleError {
                                        position: p,
                                        message: format!(
                                            "industry codes are text, e.g. \"C27\", not {other}"
                                        ),
                                    });
                                }
                            }
                        }
                        Ok(Rule::Under(name, codes))
                    }
                    (_, AttrKind::Flag) => Ok(Rule::Flag(name)),
                    (next, kind) => {
                        let expected = match kind {
                            AttrKind::Number => "a comparison (=, !=, <, <=, >, >=) or 'in'",
                            AttrKind::Text => "'=', '!=' or 'in'",
                            AttrKind::Industry => "'under' with a code or a list of codes",
                            AttrKind::Flag => unreachable!(),
                        };
                        self.fail(format!(
                            "after '{name}' expected {expected}, found {}",
                            describe(&next)
                        ))
                    }
                }
            }
            other => Err(RuleError {
                position: pos,
                message: format!(
                    "expected an attribute, 'not', 'true', 'false' or '(', found {}",
                    describe(&other)
                ),
            }),
        }
    }
}

impl Rule {
    /// Parses and checks a catalogue's applicability rule (the attributes of
    /// [`ATTRIBUTES`]).
    pub fn parse(src: &str) -> Result<Rule, RuleError> {
        Rule::parse_with(src, attribute_kind)
    }

    /// Parses and checks a rule over another vocabulary: the same language, whose
    /// attributes and their kinds `kind_of` names (a fund programme's eligibility reads
    /// an enterprise's facts).
    pub fn parse_with(src: &str, kind_of: fn(&str) -> Option<AttrKind>) -> Result<Rule, RuleError> {
        let mut p = Parser {
            toks: lex(src)?,
            at: 0,
            kind_of,
        };
        if *p.peek() == Tok::End {
            return p.fail("the rule is empty".into());
        }
        let rule = p.or()?;
        match p.peek() {
            Tok::End => Ok(rule),
            other => p.fail(format!(
                "expected 'and', 'or' or the end, found {}",
                describe(other)
            )),
        }
    }

    /// Evaluates with three-valued logic: `None` when a needed fact is unknown.
    pub fn eval(&self, facts: &Facts) -> Option<bool> {
        match self {
            Rule::Const(b) => Some(*b),
            Rule::Flag(name) => facts.flag(name),
            Rule::Not(r) => r.eval(facts).map(|b| !b),
            Rule::And(a, b) => match (a.eval(facts), b.eval(facts)) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            },
            Rule::Or(a, b) => match (a.eval(facts), b.eval(facts)) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            },
            Rule::Cmp(name, op, lit) => {
                let v = facts.get(name)?;
                Some(match (v, lit) {
                    (Fact::Number(a), Literal::Number(b)) => match op {
                        CmpOp::Eq => a == b,
                        CmpOp::Ne => a != b,
                        CmpOp::Lt => a < b,
                        CmpOp::Le => a <= b,
                        CmpOp::Gt => a > b,
                        CmpOp::Ge => a >= b,
                    },
                    (Fact::Text(a), Literal::Text(b)) => match op {
                        CmpOp::Ne => a != b,
                        _ => a == b,
                    },
                    _ => return None,
                })
            }
            Rule::In(name, values) => {
                let v = facts.get(name)?;
                Some(values.iter().any(|l| match (v, l) {
                    (Fact::Number(a), Literal::Number(b)) => a == b,
                    (Fact::Text(a), Literal::Text(b)) => a == b,
                    _ => false,
                }))
            }
            Rule::Under(name, codes) => match facts.get(name)? {
                Fact::Industry(c) => Some(codes.iter().any(|p| c.is_under(p))),
                _ => None,
            },
        }
    }
}

/// The rule written back in its language, fully parenthesised where it nests, so that
/// it parses to the same rule; a leaf reads as its author wrote it.
impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |values: &[Literal]| {
            values
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let inner = |r: &Rule| match r {
            Rule::And(..) | Rule::Or(..) => format!("({r})"),
            _ => r.to_string(),
        };
        match self {
            Rule::Const(b) => write!(f, "{b}"),
            Rule::Flag(name) => write!(f, "{name}"),
            Rule::Not(r) => match **r {
                Rule::Const(_) | Rule::Flag(_) => write!(f, "not {r}"),
                _ => write!(f, "not ({r})"),
            },
            Rule::And(a, b) => write!(f, "{} and {}", inner(a), inner(b)),
            Rule::Or(a, b) => write!(f, "{} or {}", inner(a), inner(b)),
            Rule::Cmp(name, op, lit) => {
                let op = match op {
                    CmpOp::Eq => "==",
                    CmpOp::Ne => "!=",
                    CmpOp::Lt => "<",
                    CmpOp::Le => "<=",
                    CmpOp::Gt => ">",
                    CmpOp::Ge => ">=",
                };
                write!(f, "{name} {op} {lit}")
            }
            Rule::In(name, values) => write!(f, "{name} in [{}]", list(values)),
            Rule::Under(name, codes) => {
                let codes: Vec<String> =
                    codes.iter().map(|c| format!("{:?}", c.as_str())).collect();
                write!(f, "{name} under [{}]", codes.join(", "))
            }
        }
    }
}

/// A known fact about a project or its parcel.
#[derive(Debug, Clone, PartialEq)]
pub enum Fact {
    Number(f64),
    Text(String),
    Flag(bool),
    Industry(IndustryCode),
}

/// The facts a rule is evaluated against; a missing name is an unknown fact.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts(pub BTreeMap<String, Fact>);

impl Facts {
    pub fn set(&mut self, name: &str, fact: Fact) -> &mut Self {
        self.0.insert(name.to_string(), fact);
        self
    }

    pub fn get(&self, name: &str) -> Option<&Fact> {
        self.0.get(name)
    }

    fn flag(&self, name: &str) -> Option<bool> {
        match self.get(name)? {
            Fact::Flag(b) => Some(*b),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn any_rule() -> impl Strategy<Value = Rule> {
        let text = "[a-z_]{1,8}|[一-龥]{1,3}";
        let leaf = prop_oneof![
            any::<bool>().prop_map(Rule::Const),
            Just(Rule::Flag("hazardous_chemicals".into())),
            (
                prop_oneof![
                    Just(CmpOp::Eq),
                    Just(CmpOp::Ne),
                    Just(CmpOp::Lt),
                    Just(CmpOp::Le),
                    Just(CmpOp::Gt),
                    Just(CmpOp::Ge)
                ],
                -1_000_000i64..1_000_000,
                0u32..4
            )
                .prop_map(|(op, n, places)| Rule::Cmp(
                    "investment_wan".into(),
                    op,
                    Literal::Number(n as f64 / 10f64.powi(places as i32))
                )),
            (prop_oneof![Just(CmpOp::Eq), Just(CmpOp::Ne)], text).prop_map(|(op, s)| Rule::Cmp(
                "eia_class".into(),
                op,
                Literal::Text(s)
            )),
            proptest::collection::vec(text, 1..4).prop_map(|v| Rule::In(
                "eia_class".into(),
                v.into_iter().map(Literal::Text).collect()
            )),
            proptest::collection::vec(prop_oneof![Just("C27"), Just("C358"), Just("M7320")], 1..3)
                .prop_map(|v| Rule::Under(
                    "industry".into(),
                    v.into_iter()
                        .map(|c| IndustryCode::parse(c).unwrap())
                        .collect()
                )),
        ];
        leaf.prop_recursive(4, 24, 2, |inner| {
            prop_oneof![
                inner.clone().prop_map(|r| Rule::Not(Box::new(r))),
                (inner.clone(), inner.clone())
                    .prop_map(|(a, b)| Rule::And(Box::new(a), Box::new(b))),
                (inner.clone(), inner).prop_map(|(a, b)| Rule::Or(Box::new(a), Box::new(b))),
            ]
        })
    }

    fn facts() -> Facts {
        let mut f = Facts::default();
        f.set(
            "industry",
            Fact::Industry(IndustryCode::parse("C2761").unwrap()),
        )
        .set("investment_wan", Fact::Number(60_000.0))
        .set("hazardous_chemicals", Fact::Flag(true))
        .set("eia_class", Fact::Text("report_table".into()))
        .set("parcel.assessed.environment", Fact::Flag(false));
        f
    }

    #[test]
    fn parses_and_evaluates() {
        let f = facts();
        let yes = |s: &str| assert_eq!(Rule::parse(s).unwrap().eval(&f), Some(true), "{s}");
        let no = |s: &str| assert_eq!(Rule::parse(s).unwrap().eval(&f), Some(false), "{s}");
        yes("investment_wan >= 50_000 and industry under [\"C27\", \"C358\"]");
        yes("hazardous_chemicals");
        yes("not parcel.assessed.environment");
        yes("eia_class in [\"report_book\", \"report_table\"]");
        no("eia_class = \"registration\"");
        yes("investment_wan > 1000 or radiation");
        no("(investment_wan < 1000 or industry under \"358\") and true");
        yes("not (false)");
    }

    #[test]
    fn unknown_facts_make_unknown_answers() {
        let f = facts();
        assert_eq!(Rule::parse("radiation").unwrap().eval(&f), None);
        assert_eq!(
            Rule::parse("radiation or hazardous_chemicals")
                .unwrap()
                .eval(&f),
            Some(true)
        );
        assert_eq!(
            Rule::parse("radiation and not hazardous_chemicals")
                .unwrap()
                .eval(&f),
            Some(false)
        );
        assert_eq!(Rule::parse("energy_tce >= 1000").unwrap().eval(&f), None);
    }

    #[test]
    fn errors_name_the_position() {
        let cases = [
            ("investment_wan >= ", 19, "expected a number"),
            ("investment >= 5", 1, "unknown attribute 'investment'"),
            ("industry under \"Z9\"", 16, "not a GB/T 4754 code"),
            ("eia_class >= \"x\"", 11, "expected '=', '!=' or 'in'"),
            ("investment_wan = \"big\"", 18, "is a number"),
            ("(radiation", 11, "expected ')'"),
            ("radiation radiation", 11, "expected 'and', 'or'"),
            ("parcel.assessed.moon", 1, "assessments are environment"),
            ("eia_class = \"x", 13, "not closed"),
            ("radiation & pathogens", 11, "unexpected character '&'"),
            ("", 1, "empty"),
        ];
        for (src, pos, msg) in cases {
            let e = Rule::parse(src).unwrap_err();
            assert_eq!(e.position, pos, "{src}: {e}");
            assert!(e.message.contains(msg), "{src}: {e}");
        }
    }

    proptest! {
        #[test]
        fn never_panics_on_any_text(src in ".{0,60}") {
            let _ = Rule::parse(&src);
        }

        #[test]
        /// A rule written back parses to the same rule.
        fn a_rule_written_back_reads_the_same(r in any_rule()) {
            let text = r.to_string();
            prop_assert_eq!(Rule::parse(&text), Ok(r), "{}", text);
        }

        #[test]
        fn not_not_is_identity(n in 0f64..100_000.0, threshold in 0f64..100_000.0) {
            let mut f = Facts::default();
            f.set("investment_wan", Fact::Number(n));
            let r = Rule::parse(&format!("investment_wan >= {threshold}")).unwrap();
            let rr = Rule::parse(&format!("not not investment_wan >= {threshold}")).unwrap();
            prop_assert_eq!(r.eval(&f), rr.eval(&f));
        }
    }
}
