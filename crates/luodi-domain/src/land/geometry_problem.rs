//! What is wrong with a parcel's geometry ([`crate::land::geometry`] finds it), in words
//! a landing officer can act on, in either language: the rings and places it names are
//! counted from 0 in English, as the file and the CLI count them, and from 1 in Chinese,
//! as the upload page numbers features.

use crate::core::i18n;
use crate::core::lang::Lang;

/// A ring of a geometry: polygon `polygon`'s shell, or its hole `hole` (0-based, as the
/// file lists them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ring {
    pub polygon: usize,
    pub hole: Option<usize>,
}

impl Ring {
    /// Ring `r` of polygon `polygon`: 0 the shell, then the holes.
    pub(crate) fn of(polygon: usize, r: usize) -> Ring {
        Ring {
            polygon,
            hole: r.checked_sub(1),
        }
    }

    /// "polygon 0 shell", "第 1 个多边形的外环".
    pub fn text(self, lang: Lang) -> String {
        let polygon = nth(lang, self.polygon);
        match self.hole {
            None => i18n::fill(lang, "rules.geometry.shell", &[("polygon", &polygon)]),
            Some(h) => i18n::fill(
                lang,
                "rules.geometry.hole",
                &[("polygon", &polygon), ("hole", &nth(lang, h))],
            ),
        }
    }
}

/// A place in a file's list in words: English counts as the file does, from 0 (the CLI
/// and the API name features so); Chinese from 1, as the upload page numbers features.
fn nth(lang: Lang, i: usize) -> String {
    match lang {
        Lang::Zh => i + 1,
        Lang::En => i,
    }
    .to_string()
}

/// What a parcel has too many of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parts {
    /// Polygons of a multipolygon.
    Polygons,
    /// Holes of polygon P.
    Holes(usize),
}

/// What is wrong with a geometry, in words a landing officer can act on ([`Self::text`];
/// the `Display` is the English).
#[derive(Debug, Clone, PartialEq)]
pub enum GeometryProblem {
    Missing,
    /// The geometry's type, not a polygon's.
    WrongType(String),
    Malformed,
    TooFewPositions {
        ring: Ring,
        positions: usize,
    },
    /// The first and last positions, as `[x, y]`.
    Unclosed {
        ring: Ring,
        first: String,
        last: String,
    },
    /// A position that is not a pair of numbers.
    NotAPosition {
        ring: Ring,
        index: usize,
    },
    /// A position off the globe.
    OutOfRange {
        ring: Ring,
        index: usize,
        x: f64,
        y: f64,
    },
    Swapped {
        ring: Ring,
        index: usize,
        x: f64,
        y: f64,
    },
    OutsideChina {
        ring: Ring,
        index: usize,
        x: f64,
        y: f64,
    },
    SelfIntersection {
        ring: Ring,
    },
    TooManyPositions {
        ring: Ring,
        positions: usize,
        max: usize,
    },
    TooManyParts {
        what: Parts,
        count: usize,
        max: usize,
    },
    HoleOutside {
        ring: Ring,
    },
    RingsCross {
        a: Ring,
        b: Ring,
    },
    /// Polygons `a` and `b` of a multipolygon.
    PartsOverlap {
        a: usize,
        b: usize,
    },
    ZeroArea,
}

impl GeometryProblem {
    /// The problem in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let n = |v: &usize| v.to_string();
        // Where a position is and what it holds: ring, index, x, y.
        let place = |ring: &Ring, index: &usize, x: &f64, y: &f64| {
            [
                ring.text(lang),
                nth(lang, *index),
                x.to_string(),
                y.to_string(),
            ]
        };
        match self {
            GeometryProblem::Missing => i18n::text(lang, "rules.geometry.missing").into(),
            GeometryProblem::WrongType(kind) => {
                i18n::fill(lang, "rules.geometry.wrong_type", &[("kind", kind)])
            }
            GeometryProblem::Malformed => i18n::text(lang, "rules.geometry.malformed").into(),
            GeometryProblem::TooFewPositions { ring, positions } => i18n::fill(
                lang,
                "rules.geometry.too_few_positions",
                &[("ring", &ring.text(lang)), ("positions", &n(positions))],
            ),
            GeometryProblem::Unclosed { ring, first, last } => i18n::fill(
                lang,
                "rules.geometry.unclosed",
                &[("ring", &ring.text(lang)), ("first", first), ("last", last)],
            ),
            GeometryProblem::NotAPosition { ring, index } => i18n::fill(
                lang,
                "rules.geometry.not_a_position",
                &[("ring", &ring.text(lang)), ("index", &nth(lang, *index))],
            ),
            GeometryProblem::OutOfRange { ring, index, x, y } => {
                let [ring, index, x, y] = place(ring, index, x, y);
                i18n::fill(
                    lang,
                    "rules.geometry.out_of_range",
                    &[("ring", &ring), ("index", &index), ("x", &x), ("y", &y)],
                )
            }
            GeometryProblem::Swapped { ring, index, x, y } => {
                let [ring, index, x, y] = place(ring, index, x, y);
                i18n::fill(
                    lang,
                    "rules.geometry.swapped",
                    &[("ring", &ring), ("index", &index), ("x", &x), ("y", &y)],
                )
            }
            GeometryProblem::OutsideChina { ring, index, x, y } => {
                let [ring, index, x, y] = place(ring, index, x, y);
                i18n::fill(
                    lang,
                    "rules.geometry.outside_china",
                    &[("ring", &ring), ("index", &index), ("x", &x), ("y", &y)],
                )
            }
            GeometryProblem::SelfIntersection { ring } => i18n::fill(
                lang,
                "rules.geometry.self_intersection",
                &[("ring", &ring.text(lang))],
            ),
            GeometryProblem::TooManyPositions {
                ring,
                positions,
                max,
            } => i18n::fill(
                lang,
                "rules.geometry.too_many_positions",
                &[
                    ("ring", &ring.text(lang)),
                    ("positions", &n(positions)),
                    ("max", &n(max)),
                ],
            ),
            GeometryProblem::TooManyParts {
                what: Parts::Polygons,
                count,
                max,
            } => i18n::fill(
                lang,
                "rules.geometry.too_many_polygons",
                &[("count", &n(count)), ("max", &n(max))],
            ),
            GeometryProblem::TooManyParts {
                what: Parts::Holes(p),
                count,
                max,
            } => i18n::fill(
                lang,
                "rules.geometry.too_many_holes",
                &[
                    ("polygon", &nth(lang, *p)),
                    ("count", &n(count)),
                    ("max", &n(max)),
                ],
            ),
            GeometryProblem::HoleOutside { ring } => i18n::fill(
                lang,
                "rules.geometry.hole_outside",
                &[("ring", &ring.text(lang))],
            ),
            GeometryProblem::RingsCross { a, b } => i18n::fill(
                lang,
                "rules.geometry.rings_cross",
                &[("a", &a.text(lang)), ("b", &b.text(lang))],
            ),
            GeometryProblem::PartsOverlap { a, b } => i18n::fill(
                lang,
                "rules.geometry.parts_overlap",
                &[("a", &nth(lang, *a)), ("b", &nth(lang, *b))],
            ),
            GeometryProblem::ZeroArea => i18n::text(lang, "rules.geometry.zero_area").into(),
        }
    }
}

/// The problem in English.
impl std::fmt::Display for GeometryProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl std::error::Error for GeometryProblem {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::land::geometry::{MAX_PARTS, MAX_RING_POSITIONS};

    #[test]
    fn problems_read_in_chinese() {
        let cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        let shell = Ring::of(0, 0);
        let hole = Ring::of(1, 2);
        let all = [
            GeometryProblem::Missing,
            GeometryProblem::WrongType("Point".into()),
            GeometryProblem::Malformed,
            GeometryProblem::TooFewPositions {
                ring: shell,
                positions: 2,
            },
            GeometryProblem::Unclosed {
                ring: hole,
                first: "[120, 36]".into(),
                last: "[121, 36]".into(),
            },
            GeometryProblem::NotAPosition {
                ring: shell,
                index: 3,
            },
            GeometryProblem::OutOfRange {
                ring: shell,
                index: 1,
                x: 200.0,
                y: 36.0,
            },
            GeometryProblem::Swapped {
                ring: shell,
                index: 0,
                x: 36.3,
                y: 120.3,
            },
            GeometryProblem::OutsideChina {
                ring: shell,
                index: 0,
                x: 500000.0,
                y: 4000000.0,
            },
            GeometryProblem::SelfIntersection { ring: shell },
            GeometryProblem::TooManyPositions {
                ring: shell,
                positions: 10_001,
                max: MAX_RING_POSITIONS,
            },
            GeometryProblem::TooManyParts {
                what: Parts::Polygons,
                count: 101,
                max: MAX_PARTS,
            },
            GeometryProblem::TooManyParts {
                what: Parts::Holes(0),
                count: 101,
                max: MAX_PARTS,
            },
            GeometryProblem::HoleOutside { ring: hole },
            GeometryProblem::RingsCross { a: shell, b: hole },
            GeometryProblem::PartsOverlap { a: 0, b: 1 },
            GeometryProblem::ZeroArea,
        ];
        for p in &all {
            let (zh, en) = (p.text(Lang::Zh), p.text(Lang::En));
            assert!(cjk(&zh) && zh != en, "{p}: {zh}");
            assert_eq!(p.to_string(), en);
        }
        // English counts as the file does, from 0; Chinese from 1, as the upload page.
        assert_eq!(all[9].to_string(), "polygon 0 shell crosses itself");
        assert_eq!(all[9].text(Lang::Zh), "第 1 个多边形的外环自相交");
        assert_eq!(hole.text(Lang::En), "polygon 1 hole 1");
        assert_eq!(hole.text(Lang::Zh), "第 2 个多边形的第 2 个内环");
    }
}
