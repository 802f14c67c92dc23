//! 地块 — land parcels: their geometry, checked as valid polygons in WGS84 longitude and
//! latitude and measured on the ellipsoid, and their attributes (the 标准地 control
//! indicators, planning limits, utilities, the regional assessments that cover them), each
//! with a documented default. Reading a file's parcels never stops at the first problem:
//! every problem comes back with the feature's index (0-based, as in the file), its `code`
//! when it has one, the field and the reason.

use chrono::NaiveDate;
use geo::{GeodesicArea, MultiPolygon, Polygon};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::approvals::rule::ASSESSMENTS;
use crate::core::industry::IndustryCode;

/// 1 mu (亩) is 2000/3 m².
pub const M2_PER_MU: f64 = 2000.0 / 3.0;

/// The extent a Chinese zone's parcels lie in: longitude 73.5–135.1° E, latitude 3.8–53.6° N.
pub const CHINA_LON: (f64, f64) = (73.5, 135.1);
pub const CHINA_LAT: (f64, f64) = (3.8, 53.6);

/// A parcel's shape: one or more polygons, WGS84 longitude/latitude.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape(pub MultiPolygon<f64>);

impl Shape {
    /// Area on the WGS84 ellipsoid (Karney's geodesic algorithm), m².
    pub fn area_m2(&self) -> f64 {
        self.0.geodesic_area_unsigned()
    }

    pub fn area_mu(&self) -> f64 {
        self.area_m2() / M2_PER_MU
    }

    /// The centroid (longitude, latitude): planar, which is ample at a parcel's scale.
    pub fn centroid(&self) -> (f64, f64) {
        use geo::Centroid;
        self.0
            .centroid()
            .map(|p| (p.x(), p.y()))
            .unwrap_or((0.0, 0.0))
    }

    /// The bounding box: (min longitude, min latitude, max longitude, max latitude).
    pub fn bbox(&self) -> (f64, f64, f64, f64) {
        use geo::BoundingRect;
        self.0
            .bounding_rect()
            .map(|r| (r.min().x, r.min().y, r.max().x, r.max().y))
            .unwrap_or((0.0, 0.0, 0.0, 0.0))
    }

    /// The shape as WKT (`POLYGON` for one part, else `MULTIPOLYGON`), for tables.
    pub fn to_wkt(&self) -> String {
        let ring = |r: &geo::LineString<f64>| {
            let pts: Vec<String> = r.0.iter().map(|c| format!("{} {}", c.x, c.y)).collect();
            format!("({})", pts.join(", "))
        };
        let polygon = |p: &Polygon<f64>| {
            let mut rings = vec![ring(p.exterior())];
            rings.extend(p.interiors().iter().map(ring));
            format!("({})", rings.join(", "))
        };
        match self.0.0.as_slice() {
            [one] => format!("POLYGON {}", polygon(one)),
            many => format!(
                "MULTIPOLYGON ({})",
                many.iter().map(polygon).collect::<Vec<_>>().join(", ")
            ),
        }
    }

    /// The shape as a GeoJSON geometry (`Polygon` for one part, else `MultiPolygon`).
    pub fn to_geojson(&self) -> Value {
        let ring = |r: &geo::LineString<f64>| -> Value {
            Value::Array(r.0.iter().map(|c| serde_json::json!([c.x, c.y])).collect())
        };
        let polygon = |p: &Polygon<f64>| -> Value {
            let mut rings = vec![ring(p.exterior())];
            rings.extend(p.interiors().iter().map(ring));
            Value::Array(rings)
        };
        match self.0.0.as_slice() {
            [one] => serde_json::json!({"type": "Polygon", "coordinates": polygon(one)}),
            many => serde_json::json!({"type": "MultiPolygon",
                "coordinates": many.iter().map(polygon).collect::<Vec<_>>()}),
        }
    }
}

/// What is wrong with a geometry, in words a landing officer can act on. Rings are named
/// "polygon P shell" or "polygon P hole H" (0-based).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeometryProblem {
    #[error("the geometry is missing")]
    Missing,
    #[error("the geometry type is {0}; a parcel is a Polygon or a MultiPolygon")]
    WrongType(String),
    #[error("the coordinates are not an array of rings of [longitude, latitude] positions")]
    Malformed,
    #[error(
        "{ring} has {positions} positions; a ring needs at least 4, the first repeated at the end"
    )]
    TooFewPositions { ring: String, positions: usize },
    #[error("{ring} is not closed: it starts at {first} and ends at {last}")]
    Unclosed {
        ring: String,
        first: String,
        last: String,
    },
    #[error("{ring}, position {index}: {reason}")]
    BadPosition {
        ring: String,
        index: usize,
        reason: String,
    },
    #[error(
        "latitude and longitude look swapped ({ring}, position {index} is [{x}, {y}]): GeoJSON puts longitude first"
    )]
    Swapped {
        ring: String,
        index: usize,
        x: f64,
        y: f64,
    },
    #[error(
        "{ring}, position {index} [{x}, {y}] lies outside China (73.5–135.1° E, 3.8–53.6° N): WGS84 longitude and latitude are expected, not projected metres"
    )]
    OutsideChina {
        ring: String,
        index: usize,
        x: f64,
        y: f64,
    },
    #[error("{ring} crosses itself")]
    SelfIntersection { ring: String },
    #[error("{ring} has {positions} positions; a parcel's ring may have at most {max}")]
    TooManyPositions {
        ring: String,
        positions: usize,
        max: usize,
    },
    #[error("{what}: {count}; a parcel may have at most {max}")]
    TooManyParts {
        what: String,
        count: usize,
        max: usize,
    },
    #[error("{ring} lies outside its shell")]
    HoleOutside { ring: String },
    #[error("{a} and {b} cross each other")]
    RingsCross { a: String, b: String },
    #[error("polygons {a} and {b} of the multipolygon overlap")]
    PartsOverlap { a: usize, b: usize },
    #[error("the area is zero")]
    ZeroArea,
}

/// The most positions a ring of a parcel may have: real parcels have tens to hundreds; the
/// limit keeps one feature from holding a server's worker for long.
pub const MAX_RING_POSITIONS: usize = 10_000;
/// The most parts of a multipolygon, and holes of one polygon.
pub const MAX_PARTS: usize = 100;

fn ring_name(polygon: usize, ring: usize) -> String {
    match ring {
        0 => format!("polygon {polygon} shell"),
        h => format!("polygon {polygon} hole {}", h - 1),
    }
}

/// Checks one polygon as OGC requires: each ring has three distinct positions and neither
/// crosses nor touches itself (an O(n log n) sweep, [`crate::land::ring`]); each hole lies inside
/// the shell, meeting it at most in points, and holes do not overlap or share a line.
fn check_polygon(p: usize, polygon: &Polygon, problems: &mut Vec<GeometryProblem>) {
    use geo::algorithm::coordinate_position::CoordPos;
    use geo::algorithm::dimensions::Dimensions;
    use geo::{PreparedGeometry, Relate};
    let rings: Vec<&geo::LineString<f64>> = std::iter::once(polygon.exterior())
        .chain(polygon.interiors())
        .collect();
    let mut rings_ok = true;
    for (r, ring) in rings.iter().enumerate() {
        let coords: Vec<(f64, f64)> = ring.coords().map(|c| (c.x, c.y)).collect();
        let mut distinct = coords.clone();
        distinct.dedup();
        if distinct.len() > 1 && distinct.first() == distinct.last() {
            distinct.pop();
        }
        if distinct.len() < 3 {
            problems.push(GeometryProblem::TooFewPositions {
                ring: ring_name(p, r),
                positions: distinct.len(),
            });
            rings_ok = false;
        } else if crate::land::ring::ring_self_intersection(&coords).is_some() {
            problems.push(GeometryProblem::SelfIntersection {
                ring: ring_name(p, r),
            });
            rings_ok = false;
        }
    }
    if !rings_ok || rings.len() == 1 {
        return;
    }
    let shell = Polygon::new(polygon.exterior().clone(), vec![]);
    let shell = PreparedGeometry::from(&shell);
    let holes: Vec<Polygon> = polygon
        .interiors()
        .iter()
        .map(|h| Polygon::new(h.clone(), vec![]))
        .collect();
    for (h, hole) in holes.iter().enumerate() {
        let prepared = PreparedGeometry::from(hole);
        let m = shell.relate(&prepared);
        if !m.is_contains() {
            problems.push(GeometryProblem::HoleOutside {
                ring: ring_name(p, h + 1),
            });
        }
        if m.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional {
            problems.push(GeometryProblem::RingsCross {
                a: ring_name(p, 0),
                b: ring_name(p, h + 1),
            });
        }
        for (k, other) in holes.iter().enumerate().skip(h + 1) {
            if !boxes_meet(hole, other) {
                continue;
            }
            let m = prepared.relate(other);
            if m.get(CoordPos::Inside, CoordPos::Inside) == Dimensions::TwoDimensional
                || m.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional
            {
                problems.push(GeometryProblem::RingsCross {
                    a: ring_name(p, h + 1),
                    b: ring_name(p, k + 1),
                });
            }
        }
    }
}

/// Whether two polygons' bounding boxes meet (else they cannot).
fn boxes_meet(a: &Polygon, b: &Polygon) -> bool {
    use geo::BoundingRect;
    match (a.bounding_rect(), b.bounding_rect()) {
        (Some(a), Some(b)) => {
            a.min().x <= b.max().x
                && b.min().x <= a.max().x
                && a.min().y <= b.max().y
                && b.min().y <= a.max().y
        }
        _ => false,
    }
}

/// Reads a GeoJSON geometry object as a parcel's shape, listing every problem.
pub fn shape_from_geojson(geometry: Option<&Value>) -> Result<Shape, Vec<GeometryProblem>> {
    let Some(g) = geometry.filter(|g| !g.is_null()) else {
        return Err(vec![GeometryProblem::Missing]);
    };
    let kind = g.get("type").and_then(Value::as_str).unwrap_or("(none)");
    let coordinates = g.get("coordinates");
    let polygons: Vec<&Value> = match (kind, coordinates.and_then(Value::as_array)) {
        ("Polygon", Some(_)) => vec![coordinates.expect("checked")],
        ("MultiPolygon", Some(parts)) => parts.iter().collect(),
        ("Polygon" | "MultiPolygon", None) => return Err(vec![GeometryProblem::Malformed]),
        (other, _) => return Err(vec![GeometryProblem::WrongType(other.to_string())]),
    };
    let mut problems = Vec::new();
    if polygons.len() > MAX_PARTS {
        return Err(vec![GeometryProblem::TooManyParts {
            what: "polygons of the multipolygon".into(),
            count: polygons.len(),
            max: MAX_PARTS,
        }]);
    }
    let mut parts = Vec::new();
    for (p, polygon) in polygons.iter().enumerate() {
        let Some(rings) = polygon.as_array().filter(|r| !r.is_empty()) else {
            problems.push(GeometryProblem::Malformed);
            continue;
        };
        if rings.len() > MAX_PARTS + 1 {
            problems.push(GeometryProblem::TooManyParts {
                what: format!("holes of polygon {p}"),
                count: rings.len() - 1,
                max: MAX_PARTS,
            });
            continue;
        }
        let mut geo_rings = Vec::new();
        for (r, ring) in rings.iter().enumerate() {
            let name = if r == 0 {
                format!("polygon {p} shell")
            } else {
                format!("polygon {p} hole {}", r - 1)
            };
            match ring_positions(&name, ring) {
                Ok(coords) => geo_rings.push(geo::LineString::from(coords)),
                Err(mut e) => problems.append(&mut e),
            }
        }
        if geo_rings.len() == rings.len() {
            let mut it = geo_rings.into_iter();
            let shell = it.next().expect("at least one ring");
            parts.push(Polygon::new(shell, it.collect()));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    for (p, polygon) in parts.iter().enumerate() {
        check_polygon(p, polygon, &mut problems);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // The parts of a multipolygon neither overlap nor share a line (points are allowed).
    for (a, pa) in parts.iter().enumerate() {
        for (b, pb) in parts.iter().enumerate().skip(a + 1) {
            use geo::Relate;
            use geo::algorithm::coordinate_position::CoordPos;
            use geo::algorithm::dimensions::Dimensions;
            if !boxes_meet(pa, pb) {
                continue;
            }
            let m = pa.relate(pb);
            if m.get(CoordPos::Inside, CoordPos::Inside) == Dimensions::TwoDimensional
                || m.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional
            {
                problems.push(GeometryProblem::PartsOverlap { a, b });
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let shape = MultiPolygon::new(parts);
    // Shells anticlockwise and holes clockwise, whatever the file's winding: the geodesic
    // area reads a clockwise shell as the rest of the Earth.
    let shape = {
        use geo::orient::{Direction, Orient};
        Shape(shape.orient(Direction::Default))
    };
    if shape.area_m2() <= 0.0 {
        return Err(vec![GeometryProblem::ZeroArea]);
    }
    Ok(shape)
}

/// One ring's positions: each a finite [longitude, latitude] in China, the ring closed.
fn ring_positions(name: &str, ring: &Value) -> Result<Vec<(f64, f64)>, Vec<GeometryProblem>> {
    let Some(positions) = ring.as_array() else {
        return Err(vec![GeometryProblem::Malformed]);
    };
    if positions.len() > MAX_RING_POSITIONS {
        return Err(vec![GeometryProblem::TooManyPositions {
            ring: name.to_string(),
            positions: positions.len(),
            max: MAX_RING_POSITIONS,
        }]);
    }
    let mut problems = Vec::new();
    let mut coords = Vec::with_capacity(positions.len());
    for (i, pos) in positions.iter().enumerate() {
        let xy = pos.as_array().and_then(|a| {
            (a.len() >= 2)
                .then(|| a[0].as_f64().zip(a[1].as_f64()))
                .flatten()
        });
        match xy {
            None => problems.push(GeometryProblem::BadPosition {
                ring: name.to_string(),
                index: i,
                reason: "not a [longitude, latitude] pair of numbers".into(),
            }),
            Some((x, y)) => coords.push((x, y)),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if coords.len() < 4 {
        return Err(vec![GeometryProblem::TooFewPositions {
            ring: name.to_string(),
            positions: coords.len(),
        }]);
    }
    let (first, last) = (coords[0], coords[coords.len() - 1]);
    if first != last {
        problems.push(GeometryProblem::Unclosed {
            ring: name.to_string(),
            first: format!("[{}, {}]", first.0, first.1),
            last: format!("[{}, {}]", last.0, last.1),
        });
    }
    let inside = |lo: (f64, f64), v: f64| (lo.0..=lo.1).contains(&v);
    // Every position with the axes swapped inside China, none the right way round: swapped.
    let swapped = coords
        .iter()
        .all(|&(x, y)| inside(CHINA_LAT, x) && inside(CHINA_LON, y) && !inside(CHINA_LON, x));
    if swapped {
        let (x, y) = coords[0];
        problems.push(GeometryProblem::Swapped {
            ring: name.to_string(),
            index: 0,
            x,
            y,
        });
        return Err(problems);
    }
    for (i, &(x, y)) in coords.iter().enumerate() {
        if !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y) {
            problems.push(GeometryProblem::BadPosition {
                ring: name.to_string(),
                index: i,
                reason: format!("[{x}, {y}] is out of range (longitude −180–180, latitude −90–90)"),
            });
        } else if !inside(CHINA_LON, x) || !inside(CHINA_LAT, y) {
            problems.push(GeometryProblem::OutsideChina {
                ring: name.to_string(),
                index: i,
                x,
                y,
            });
        }
        // A few positions say enough; a file of thousands should not list them all.
        if problems.len() >= 5 {
            break;
        }
    }
    if problems.is_empty() {
        Ok(coords)
    } else {
        Err(problems)
    }
}

/// Where a parcel stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ParcelStatus {
    #[default]
    Available,
    Reserved,
    HandedOver,
    Withdrawn,
}

impl ParcelStatus {
    pub const ALL: [ParcelStatus; 4] = [
        ParcelStatus::Available,
        ParcelStatus::Reserved,
        ParcelStatus::HandedOver,
        ParcelStatus::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ParcelStatus::Available => "available",
            ParcelStatus::Reserved => "reserved",
            ParcelStatus::HandedOver => "handed_over",
            ParcelStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<ParcelStatus> {
        ParcelStatus::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// Land uses a parcel may carry.
pub const LAND_USES: &[&str] = &["industrial", "research", "warehouse", "commercial", "mixed"];
/// Sewage classes a parcel may discharge as (GB 8978 / GB/T 31962 grades).
pub const SEWAGE_CLASSES: &[&str] = &["A", "B", "C"];

/// A parcel's attributes, as a file or the API gives them. Only `code` is required; the
/// rest default as documented on each field. Properties not named here are kept in
/// `extra`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ParcelAttrs {
    /// A stable code, e.g. `GX-2026-07` (1–40 letters, digits, `-`, `_`, `.`).
    pub code: String,
    /// Default: none.
    pub name: Option<String>,
    /// The park's code. Default: none (the zone's land outside a park).
    pub park: Option<String>,
    /// One of [`LAND_USES`]. Default `industrial`.
    pub land_use: String,
    /// Default `available`.
    pub status: ParcelStatus,
    /// Whether the properties gave a status (an import keeps an existing parcel's status
    /// when they do not).
    #[serde(skip)]
    pub status_given: bool,
    /// 万元/亩. Default: none (price on request).
    pub price_per_mu_wan: Option<f64>,
    pub power_kva: Option<f64>,
    pub water_m3_per_day: Option<f64>,
    /// Default: false for the flags.
    pub gas: bool,
    pub steam: bool,
    pub road_access: bool,
    /// One of [`SEWAGE_CLASSES`]. Default: none.
    pub sewage_class: Option<String>,
    pub plot_ratio_min: Option<f64>,
    pub plot_ratio_max: Option<f64>,
    pub building_coverage_min: Option<f64>,
    pub green_ratio_max: Option<f64>,
    pub height_max_m: Option<f64>,
    /// 标准地 control indicators: 万元/亩 (investment, tax, output) and tce/万元.
    pub investment_intensity_min_wan_per_mu: Option<f64>,
    pub tax_per_mu_min_wan: Option<f64>,
    pub output_per_mu_min_wan: Option<f64>,
    pub energy_per_value_added_max_tce: Option<f64>,
    /// GB/T 4754 codes or prefixes (e.g. `C27`); empty means any industry.
    pub allowed_industries: Vec<String>,
    /// Regional assessments that already cover it (see [`ASSESSMENTS`]).
    pub assessments: Vec<String>,
    /// When the data was last checked. Default: none (shown as never checked).
    pub checked_on: Option<NaiveDate>,
    /// Properties not named above, kept as they came.
    pub extra: Map<String, Value>,
}

/// A problem with one attribute.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct FieldProblem {
    pub field: String,
    pub reason: String,
}

const NUMBER_FIELDS: &[&str] = &[
    "price_per_mu_wan",
    "power_kva",
    "water_m3_per_day",
    "plot_ratio_min",
    "plot_ratio_max",
    "building_coverage_min",
    "green_ratio_max",
    "height_max_m",
    "investment_intensity_min_wan_per_mu",
    "tax_per_mu_min_wan",
    "output_per_mu_min_wan",
    "energy_per_value_added_max_tce",
];
const FLAG_FIELDS: &[&str] = &["gas", "steam", "road_access"];
const TEXT_FIELDS: &[&str] = &[
    "code",
    "name",
    "park",
    "land_use",
    "status",
    "sewage_class",
    "checked_on",
];
const LIST_FIELDS: &[&str] = &["allowed_industries", "assessments"];
/// What an export adds that an import computes or assigns itself: read and ignored, so an
/// exported file imports back unchanged.
pub const EXPORTED_FIELDS: &[&str] = &["id", "area_m2", "area_mu"];

/// A property as text: strings trimmed, whole numbers without a decimal point (a
/// spreadsheet's 1001 is the code "1001", not "1001.0").
fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

fn code_ok(code: &str) -> bool {
    (1..=40).contains(&code.chars().count())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

impl ParcelAttrs {
    /// Reads attributes from properties (snake_case names, as in the API), listing every
    /// problem. Empty strings and nulls count as absent, so spreadsheets with blank cells
    /// read naturally; lists may be arrays or comma-separated text.
    pub fn from_properties(props: &Map<String, Value>) -> Result<ParcelAttrs, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut bad = |field: &str, reason: String| {
            problems.push(FieldProblem {
                field: field.to_string(),
                reason,
            })
        };
        let present = |k: &str| {
            props
                .get(k)
                .filter(|v| !v.is_null() && v.as_str().is_none_or(|s| !s.trim().is_empty()))
        };
        let text = |k: &str| -> Option<String> { present(k).map(value_text) };
        for (k, v) in props {
            let found = crate::core::text::forbidden_char(k)
                .or_else(|| crate::core::text::json_forbidden(v).map(|(_, c)| c));
            if let Some(c) = found {
                let shown: String = k.escape_debug().collect();
                bad(
                    &shown,
                    format!(
                        "holds the control character {}",
                        crate::core::text::describe(c)
                    ),
                );
            }
        }
        let mut a = ParcelAttrs {
            land_use: "industrial".into(),
            ..Default::default()
        };
        match text("code") {
            Some(c) if code_ok(&c) => a.code = c,
            Some(c) => bad(
                "code",
                format!("'{c}' is not a parcel code: use 1–40 letters, digits, '-', '_' or '.'"),
            ),
            None => bad("code", "is required".into()),
        }
        a.name = text("name");
        a.park = text("park");
        if let Some(u) = text("land_use") {
            if LAND_USES.contains(&u.as_str()) {
                a.land_use = u;
            } else {
                bad(
                    "land_use",
                    format!("'{u}' is not one of {}", LAND_USES.join(", ")),
                );
            }
        }
        if let Some(s) = text("status") {
            match ParcelStatus::parse(&s) {
                Some(st) => {
                    a.status = st;
                    a.status_given = true;
                }
                None => bad(
                    "status",
                    format!("'{s}' is not one of available, reserved, handed_over, withdrawn"),
                ),
            }
        }
        if let Some(s) = text("sewage_class") {
            if SEWAGE_CLASSES.contains(&s.as_str()) {
                a.sewage_class = Some(s);
            } else {
                bad(
                    "sewage_class",
                    format!("'{s}' is not one of {}", SEWAGE_CLASSES.join(", ")),
                );
            }
        }
        if let Some(d) = text("checked_on") {
            match NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
                Ok(d) => a.checked_on = Some(d),
                Err(_) => bad("checked_on", format!("'{d}' is not a date (YYYY-MM-DD)")),
            }
        }
        let mut numbers = std::collections::HashMap::new();
        for &k in NUMBER_FIELDS {
            let Some(v) = present(k) else { continue };
            let n = match v {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            };
            match n {
                Some(n) if n.is_finite() && n >= 0.0 => {
                    numbers.insert(k, n);
                }
                _ => bad(k, format!("{v} is not a number of zero or more")),
            }
        }
        for k in ["building_coverage_min", "green_ratio_max"] {
            if let Some(&v) = numbers.get(k)
                && v > 1.0
            {
                bad(
                    k,
                    format!("{v} is a share: give it between 0 and 1 (e.g. 0.35)"),
                );
            }
        }
        if let (Some(&lo), Some(&hi)) =
            (numbers.get("plot_ratio_min"), numbers.get("plot_ratio_max"))
            && lo > hi
        {
            bad(
                "plot_ratio_min",
                format!("{lo} is above plot_ratio_max {hi}"),
            );
        }
        let n = |k: &str| numbers.get(k).copied();
        a.price_per_mu_wan = n("price_per_mu_wan");
        a.power_kva = n("power_kva");
        a.water_m3_per_day = n("water_m3_per_day");
        a.plot_ratio_min = n("plot_ratio_min");
        a.plot_ratio_max = n("plot_ratio_max");
        a.building_coverage_min = n("building_coverage_min");
        a.green_ratio_max = n("green_ratio_max");
        a.height_max_m = n("height_max_m");
        a.investment_intensity_min_wan_per_mu = n("investment_intensity_min_wan_per_mu");
        a.tax_per_mu_min_wan = n("tax_per_mu_min_wan");
        a.output_per_mu_min_wan = n("output_per_mu_min_wan");
        a.energy_per_value_added_max_tce = n("energy_per_value_added_max_tce");
        for &k in FLAG_FIELDS {
            let Some(v) = present(k) else { continue };
            let flag = match v {
                Value::Bool(b) => Some(*b),
                Value::Number(n) => match n.as_i64() {
                    Some(1) => Some(true),
                    Some(0) => Some(false),
                    _ => None,
                },
                Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                    "true" | "yes" | "1" | "是" | "有" => Some(true),
                    "false" | "no" | "0" | "否" | "无" => Some(false),
                    _ => None,
                },
                _ => None,
            };
            match (k, flag) {
                ("gas", Some(f)) => a.gas = f,
                ("steam", Some(f)) => a.steam = f,
                ("road_access", Some(f)) => a.road_access = f,
                _ => bad(k, format!("{v} is not true or false")),
            }
        }
        let list = |k: &str| -> Result<Vec<String>, String> {
            match present(k) {
                None => Ok(Vec::new()),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|i| {
                        i.as_str()
                            .map(|s| s.trim().to_string())
                            .ok_or_else(|| format!("{i} is not text"))
                    })
                    .collect(),
                Some(Value::String(s)) => Ok(s
                    .split([',', '，', ';', '；'])
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect()),
                Some(other) => Err(format!("{other} is not a list")),
            }
        };
        match list("allowed_industries") {
            Ok(codes) => {
                for c in codes {
                    match IndustryCode::parse(&c) {
                        Ok(code) => a.allowed_industries.push(code.as_str().to_string()),
                        Err(e) => bad("allowed_industries", format!("'{c}': {e}")),
                    }
                }
            }
            Err(e) => bad("allowed_industries", e),
        }
        match list("assessments") {
            Ok(kinds) => {
                for k in kinds {
                    if ASSESSMENTS.iter().any(|x| x.0 == k) {
                        a.assessments.push(k);
                    } else {
                        bad(
                            "assessments",
                            format!(
                                "'{k}' is not a regional assessment; use {}",
                                ASSESSMENTS
                                    .iter()
                                    .map(|x| x.0)
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        );
                    }
                }
            }
            Err(e) => bad("assessments", e),
        }
        for (k, v) in props {
            let known = [
                NUMBER_FIELDS,
                FLAG_FIELDS,
                TEXT_FIELDS,
                LIST_FIELDS,
                EXPORTED_FIELDS,
            ]
            .iter()
            .any(|f| f.contains(&k.as_str()));
            if !known {
                a.extra.insert(k.clone(), v.clone());
            }
        }
        if problems.is_empty() {
            Ok(a)
        } else {
            Err(problems)
        }
    }
}

/// A parcel read from a file: its attributes and its shape.
#[derive(Debug, Clone, PartialEq)]
pub struct ParcelDraft {
    pub attrs: ParcelAttrs,
    pub shape: Shape,
}

/// One problem of a file, by feature (GeoJSON) or data row (CSV, XLSX) index, 0-based as
/// in the file (a spreadsheet's first data row, under the header, is row 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{unit} {index}{}: {field}: {reason}", .code.as_ref().map(|c| format!(" ({c})")).unwrap_or_default())]
pub struct FeatureProblem {
    /// `feature` or `row`.
    pub unit: &'static str,
    pub index: usize,
    pub code: Option<String>,
    pub field: String,
    pub reason: String,
}

/// Reads a GeoJSON FeatureCollection of parcels: all of them, or every problem (and
/// duplicate codes within the file).
pub fn parcels_from_geojson(text: &str) -> Result<Vec<ParcelDraft>, Vec<FeatureProblem>> {
    parcels_from_geojson_reader(text.as_bytes(), &mut |_| {})
}

/// [`parcels_from_geojson`] from a reader, one feature at a time: each feature is checked
/// and turned into a parcel as it is read, so a large file is never held whole, neither as
/// text nor as a JSON tree. `progress` hears how many features were read so far.
pub fn parcels_from_geojson_reader(
    reader: impl std::io::Read,
    progress: &mut dyn FnMut(usize),
) -> Result<Vec<ParcelDraft>, Vec<FeatureProblem>> {
    let whole = |reason: String| {
        vec![FeatureProblem {
            unit: "feature",
            index: 0,
            code: None,
            field: "file".into(),
            reason,
        }]
    };
    let mut collection = CollectionSeed {
        rows: RowReader::new("feature"),
        kind: None,
        features: false,
        progress,
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    serde::de::DeserializeSeed::deserialize(&mut collection, &mut de)
        .and_then(|()| de.end())
        .map_err(|e| whole(format!("not JSON: {e}")))?;
    if collection.kind.as_deref() != Some("FeatureCollection") {
        return Err(whole("not a GeoJSON FeatureCollection".into()));
    }
    if !collection.features {
        return Err(whole("the FeatureCollection has no features array".into()));
    }
    collection.rows.finish()
}

/// The top of a FeatureCollection, read key by key.
struct CollectionSeed<'p> {
    rows: RowReader,
    kind: Option<String>,
    features: bool,
    progress: &'p mut dyn FnMut(usize),
}

impl<'de> serde::de::DeserializeSeed<'de> for &mut CollectionSeed<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for &mut CollectionSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a GeoJSON FeatureCollection object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "type" => self.kind = Some(map.next_value::<String>()?),
                "features" => {
                    if self.features {
                        return Err(serde::de::Error::custom(
                            "the FeatureCollection has two features arrays",
                        ));
                    }
                    self.features = true;
                    map.next_value_seed(FeaturesSeed {
                        rows: &mut self.rows,
                        progress: &mut *self.progress,
                    })?;
                }
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// The features array, each feature read, checked and dropped in turn.
struct FeaturesSeed<'r, 'p> {
    rows: &'r mut RowReader,
    progress: &'r mut (dyn FnMut(usize) + 'p),
}

impl<'de> serde::de::DeserializeSeed<'de> for FeaturesSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for FeaturesSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of GeoJSON features")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut n = 0;
        while let Some(f) = seq.next_element::<Value>()? {
            let props = f
                .get("properties")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            self.rows.push(props, Ok(f.get("geometry").cloned()));
            n += 1;
            if n % 1000 == 0 {
                (self.progress)(n);
            }
        }
        (self.progress)(n);
        Ok(())
    }
}

/// A row's geometry: given (or absent), or a problem with the field that held it.
pub type RowGeometry = Result<Option<Value>, (String, String)>;

/// Reads rows of (properties, geometry) — the shape every format is turned into.
pub fn read_rows(
    unit: &'static str,
    rows: impl Iterator<Item = (Map<String, Value>, RowGeometry)>,
) -> Result<Vec<ParcelDraft>, Vec<FeatureProblem>> {
    let mut reader = RowReader::new(unit);
    for (props, geometry) in rows {
        reader.push(props, geometry);
    }
    reader.finish()
}

/// Turns rows into parcels one at a time, keeping every problem (and the first row of
/// each code, to name a repeat).
pub struct RowReader {
    unit: &'static str,
    index: usize,
    problems: Vec<FeatureProblem>,
    parcels: Vec<ParcelDraft>,
    seen: std::collections::HashMap<String, usize>,
}

impl RowReader {
    pub fn new(unit: &'static str) -> RowReader {
        RowReader {
            unit,
            index: 0,
            problems: Vec::new(),
            parcels: Vec::new(),
            seen: Default::default(),
        }
    }

    /// Reads the next row.
    pub fn push(&mut self, props: Map<String, Value>, geometry: RowGeometry) {
        let (unit, index) = (self.unit, self.index);
        self.index += 1;
        let code = props
            .get("code")
            .filter(|c| !c.is_null())
            .map(value_text)
            .filter(|c| !c.is_empty());
        let problem = |field: &str, reason: String| FeatureProblem {
            unit,
            index,
            code: code.clone(),
            field: field.to_string(),
            reason,
        };
        if let Some(c) = &code {
            if let Some(first) = self.seen.get(c) {
                self.problems.push(problem(
                    "code",
                    format!("'{c}' is also {unit} {first}'s code"),
                ));
            } else {
                self.seen.insert(c.clone(), index);
            }
        }
        let attrs = ParcelAttrs::from_properties(&props);
        let shape = match geometry {
            Ok(g) => shape_from_geojson(g.as_ref()).map_err(|es| {
                es.into_iter()
                    .map(|e| ("geometry".to_string(), e.to_string()))
                    .collect::<Vec<_>>()
            }),
            Err(e) => Err(vec![e]),
        };
        match (attrs, shape) {
            (Ok(attrs), Ok(shape)) => self.parcels.push(ParcelDraft { attrs, shape }),
            (a, s) => {
                if let Err(es) = a {
                    self.problems
                        .extend(es.into_iter().map(|e| problem(&e.field, e.reason)));
                }
                if let Err(es) = s {
                    self.problems
                        .extend(es.into_iter().map(|(f, r)| problem(&f, r)));
                }
            }
        }
    }

    /// Every parcel, or every problem.
    pub fn finish(self) -> Result<Vec<ParcelDraft>, Vec<FeatureProblem>> {
        if self.problems.is_empty() {
            Ok(self.parcels)
        } else {
            Err(self.problems)
        }
    }
}

/// Parses WKT `POLYGON ((x y, …), …)` or `MULTIPOLYGON (((x y, …)), …)` into a GeoJSON
/// geometry, keeping the rings exactly as written (so an unclosed ring is still caught).
pub fn geometry_from_wkt(text: &str) -> Result<Value, String> {
    let t = text.trim();
    let upper = t.to_ascii_uppercase();
    let (kind, rest, depth) = if let Some(r) = upper.strip_prefix("MULTIPOLYGON") {
        ("MultiPolygon", &t[t.len() - r.len()..], 3)
    } else if let Some(r) = upper.strip_prefix("POLYGON") {
        ("Polygon", &t[t.len() - r.len()..], 2)
    } else {
        let word: String = t.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
        return Err(format!(
            "'{}' is not POLYGON or MULTIPOLYGON WKT",
            if word.is_empty() {
                t.chars().take(20).collect()
            } else {
                word
            }
        ));
    };
    let rest = rest.trim_start();
    if rest.to_ascii_uppercase().starts_with('Z') || rest.to_ascii_uppercase().starts_with('M') {
        return Err("give 2-D coordinates (longitude latitude), not Z or M".into());
    }
    if rest.to_ascii_uppercase().starts_with("EMPTY") {
        return Err("the geometry is EMPTY".into());
    }
    // Nested parentheses to nested arrays; positions are "x y".
    fn parse(s: &str, at: &mut usize, depth: usize) -> Result<Value, String> {
        let b = s.as_bytes();
        let skip = |at: &mut usize| {
            while *at < b.len() && b[*at].is_ascii_whitespace() {
                *at += 1;
            }
        };
        skip(at);
        if depth == 0 {
            let start = *at;
            while *at < b.len() && !matches!(b[*at], b',' | b')') {
                *at += 1;
            }
            let nums: Vec<&str> = s[start..*at].split_whitespace().collect();
            return match nums.as_slice() {
                [x, y] => match (x.parse::<f64>(), y.parse::<f64>()) {
                    (Ok(x), Ok(y)) => Ok(serde_json::json!([x, y])),
                    _ => Err(format!("'{} {}' is not a pair of numbers", x, y)),
                },
                _ => Err(format!(
                    "'{}' is not 'longitude latitude'",
                    s[start..*at].trim()
                )),
            };
        }
        if b.get(*at) != Some(&b'(') {
            return Err(format!("expected '(' at character {}", *at + 1));
        }
        *at += 1;
        let mut items = Vec::new();
        loop {
            items.push(parse(s, at, depth - 1)?);
            skip(at);
            match b.get(*at) {
                Some(b',') => *at += 1,
                Some(b')') => {
                    *at += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(format!("expected ',' or ')' at character {}", *at + 1)),
            }
        }
    }
    let mut at = 0;
    let coordinates = parse(rest, &mut at, depth)?;
    if !rest[at..].trim().is_empty() {
        return Err(format!(
            "unexpected text after the geometry: '{}'",
            rest[at..].trim()
        ));
    }
    Ok(serde_json::json!({"type": kind, "coordinates": coordinates}))
}

/// The geometry columns a table may have: WKT text.
const WKT_COLUMNS: &[&str] = &["wkt", "geometry", "geom"];

fn table_rows(
    unit: &'static str,
    header: Vec<String>,
    rows: Vec<Vec<Value>>,
) -> Result<Vec<ParcelDraft>, Vec<FeatureProblem>> {
    let header: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    let Some(wkt) = header
        .iter()
        .position(|h| WKT_COLUMNS.contains(&h.as_str()))
    else {
        return Err(vec![FeatureProblem {
            unit,
            index: 0,
            code: None,
            field: "header".into(),
            reason: "no geometry column: name one 'wkt' (POLYGON or MULTIPOLYGON WKT)".into(),
        }]);
    };
    let column = header[wkt].clone();
    read_rows(
        unit,
        rows.into_iter().map(|cells| {
            let mut props = Map::new();
            let mut geometry = Ok(None);
            for (i, v) in cells.into_iter().enumerate() {
                let Some(name) = header.get(i).filter(|h| !h.is_empty()) else {
                    continue;
                };
                if i == wkt {
                    geometry = match v.as_str().map(str::trim).filter(|t| !t.is_empty()) {
                        Some(t) => geometry_from_wkt(t)
                            .map(Some)
                            .map_err(|e| (column.clone(), e)),
                        None => Ok(None),
                    };
                } else if !v.is_null() {
                    props.insert(name.clone(), v);
                }
            }
            (props, geometry)
        }),
    )
}

/// Reads parcels from CSV (UTF-8, a header row of attribute names and a `wkt` column).
pub fn parcels_from_csv(bytes: &[u8]) -> Result<Vec<ParcelDraft>, Vec<FeatureProblem>> {
    let whole = |reason: String| {
        vec![FeatureProblem {
            unit: "row",
            index: 0,
            code: None,
            field: "file".into(),
            reason,
        }]
    };
    let text = std::str::from_utf8(
        bytes
            .strip_prefix(b"\xEF\xBB\xBF".as_slice())
            .unwrap_or(bytes),
    )
    .map_err(|_| whole("not UTF-8 text".into()))?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| whole(format!("no header row: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            vec![FeatureProblem {
                unit: "row",
                index: i,
                code: None,
                field: "file".into(),
                reason: format!("not CSV: {e}"),
            }]
        })?;
        rows.push(
            record
                .iter()
                .map(|c| {
                    if c.trim().is_empty() {
                        Value::Null
                    } else {
                        Value::String(c.to_string())
                    }
                })
                .collect(),
        );
    }
    table_rows("row", header, rows)
}

/// Reads parcels from the first sheet of an XLSX workbook (a header row of attribute names
/// and a `wkt` column).
pub fn parcels_from_xlsx(bytes: &[u8]) -> Result<Vec<ParcelDraft>, Vec<FeatureProblem>> {
    use calamine::{Data, Reader};
    let whole = |reason: String| {
        vec![FeatureProblem {
            unit: "row",
            index: 0,
            code: None,
            field: "file".into(),
            reason,
        }]
    };
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes))
        .map_err(|e| whole(format!("not an XLSX workbook: {e}")))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| whole("the workbook has no sheet".into()))?
        .map_err(|e| whole(format!("cannot read the first sheet: {e}")))?;
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .ok_or_else(|| whole("the sheet is empty".into()))?
        .iter()
        .map(|c| c.to_string())
        .collect();
    let cell = |c: &Data| match c {
        Data::Empty => Value::Null,
        Data::String(s) if s.trim().is_empty() => Value::Null,
        Data::String(s) => Value::String(s.clone()),
        Data::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        Data::Int(i) => Value::from(*i),
        Data::Bool(b) => Value::Bool(*b),
        // A date cell: days since 1899-12-30 (Excel's serial), as YYYY-MM-DD.
        Data::DateTime(d) => NaiveDate::from_ymd_opt(1899, 12, 30)
            .and_then(|base| base.checked_add_days(chrono::Days::new(d.as_f64().max(0.0) as u64)))
            .map_or(Value::Null, |day| Value::String(day.to_string())),
        other => Value::String(other.to_string()),
    };
    let body: Vec<Vec<Value>> = rows.map(|r| r.iter().map(cell).collect()).collect();
    table_rows("row", header, body)
}

/// Reads a parcel file by its extension: `.geojson`/`.json`, `.csv` or `.xlsx`.
pub fn parcels_from_file(
    name: &str,
    bytes: &[u8],
) -> Result<Vec<ParcelDraft>, Vec<FeatureProblem>> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".csv") {
        parcels_from_csv(bytes)
    } else if lower.ends_with(".xlsx") {
        parcels_from_xlsx(bytes)
    } else {
        match std::str::from_utf8(bytes) {
            Ok(text) => parcels_from_geojson(text),
            Err(_) => Err(vec![FeatureProblem {
                unit: "feature",
                index: 0,
                code: None,
                field: "file".into(),
                reason:
                    "not UTF-8 text (GeoJSON expected; CSV and XLSX files need their extension)"
                        .into(),
            }]),
        }
    }
}

/// A synthetic park of `n` parcels for benchmarks, reproducible from `seed`: rectangles
/// of 15–300 mu on a grid around 120.3° E, 36.3° N, with realistic, varied attributes
/// (status available or withdrawn, price, utilities, indicators, admitted industries,
/// assessments).
pub fn synthetic_collection(n: usize, seed: u64) -> Value {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let side = (n as f64).sqrt().ceil() as usize;
    let kinds: Vec<&str> = ASSESSMENTS.iter().map(|a| a.0).collect();
    let industries = ["C27", "C2761", "C358", "C3586", "C35", "C40", "C27,C358"];
    let features: Vec<Value> = (0..n)
        .map(|k| {
            let (row, col) = ((k / side) as f64, (k % side) as f64);
            let (x, y) = (120.0 + col * 0.006, 36.0 + row * 0.005);
            let w = rng.random_range(0.0012..0.0052);
            let h = rng.random_range(0.0010..0.0042);
            let assessed: Vec<&str> = kinds.iter().copied().filter(|_| rng.random_bool(0.5)).collect();
            let sewage = ["A", "B", "C"][rng.random_range(0..3)];
            // Files may only say available or withdrawn: reservations are made in Luodi.
            let status = if rng.random_range(0..10) < 2 { "withdrawn" } else { "available" };
            serde_json::json!({
                "type": "Feature",
                "properties": {
                    "code": format!("SYN-{k:07}"),
                    "park": format!("park-{}", k % 7),
                    "status": status,
                    "price_per_mu_wan": rng.random_range(15..60),
                    "power_kva": rng.random_range(1..12) * 1000,
                    "water_m3_per_day": rng.random_range(1..20) * 100,
                    "gas": rng.random_bool(0.8),
                    "steam": rng.random_bool(0.4),
                    "road_access": true,
                    "sewage_class": sewage,
                    "investment_intensity_min_wan_per_mu": rng.random_range(150..400),
                    "tax_per_mu_min_wan": rng.random_range(10..40),
                    "output_per_mu_min_wan": rng.random_range(200..800),
                    "allowed_industries": industries[rng.random_range(0..industries.len())],
                    "assessments": assessed,
                },
                "geometry": {"type": "Polygon", "coordinates": [[[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]]}
            })
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features})
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A square of `side` degrees at Qingdao High-tech Zone, counter-clockwise.
    fn square(lon: f64, lat: f64, side: f64) -> Value {
        json!([
            [lon, lat],
            [lon + side, lat],
            [lon + side, lat + side],
            [lon, lat + side],
            [lon, lat]
        ])
    }

    fn feature(code: &str, geometry: Value) -> Value {
        json!({"type": "Feature", "properties": {"code": code}, "geometry": geometry})
    }

    fn collection(features: Vec<Value>) -> String {
        json!({"type": "FeatureCollection", "features": features}).to_string()
    }

    #[test]
    fn a_good_parcel_reads_with_its_defaults_and_extra_properties() {
        let text = json!({"type": "FeatureCollection", "features": [{
            "type": "Feature",
            "properties": {"code": "GX-2026-07", "plot_ratio_min": 0.7, "plot_ratio_max": "1.8",
                "gas": "是", "allowed_industries": "C27, C358", "assessments": ["flood", "energy"],
                "checked_on": "2026-06-30", "owner_note": "净地"},
            "geometry": {"type": "Polygon", "coordinates": [square(120.28, 36.33, 0.004)]}
        }]})
        .to_string();
        let parcels = parcels_from_geojson(&text).unwrap();
        let p = &parcels[0];
        assert_eq!(p.attrs.code, "GX-2026-07");
        assert_eq!(p.attrs.land_use, "industrial");
        assert_eq!(p.attrs.status, ParcelStatus::Available);
        assert_eq!(p.attrs.plot_ratio_max, Some(1.8));
        assert!(p.attrs.gas && !p.attrs.steam);
        assert_eq!(p.attrs.allowed_industries, ["C27", "C358"]);
        assert_eq!(p.attrs.extra["owner_note"], "净地");
        // 0.004° × 0.004° at 36.3° N: about 445 m × 359 m.
        let area = p.shape.area_m2();
        assert!((155_000.0..165_000.0).contains(&area), "{area}");
        assert!((p.shape.area_mu() - area / M2_PER_MU).abs() < 1e-9);
    }

    #[test]
    fn every_bad_feature_is_named_and_nothing_is_read() {
        let bowtie = json!({"type": "Polygon", "coordinates": [[[120.0, 36.0], [120.01, 36.01], [120.01, 36.0], [120.0, 36.01], [120.0, 36.0]]]});
        let unclosed = json!({"type": "Polygon", "coordinates": [[[120.0, 36.0], [120.01, 36.0], [120.01, 36.01], [120.0, 36.01]]]});
        let hole_out = json!({"type": "Polygon", "coordinates": [square(120.0, 36.0, 0.01), square(120.05, 36.05, 0.001)]});
        let swapped = json!({"type": "Polygon", "coordinates": [[[36.0, 120.0], [36.0, 120.01], [36.01, 120.01], [36.01, 120.0], [36.0, 120.0]]]});
        let range = json!({"type": "Polygon", "coordinates": [[[520000.0, 4020000.0], [520100.0, 4020000.0], [520100.0, 4020100.0], [520000.0, 4020000.0]]]});
        let point = json!({"type": "Point", "coordinates": [120.0, 36.0]});
        let mut no_code = feature(
            "x",
            json!({"type": "Polygon", "coordinates": [square(120.1, 36.1, 0.01)]}),
        );
        no_code["properties"] = json!({"plot_ratio_min": -1});
        let text = collection(vec![
            feature(
                "OK-1",
                json!({"type": "Polygon", "coordinates": [square(120.2, 36.2, 0.01)]}),
            ),
            feature("BOW", bowtie),
            feature("OPEN", unclosed),
            feature("HOLE", hole_out),
            feature("SWAP", swapped),
            feature("UTM", range),
            feature("PT", point),
            no_code,
            feature(
                "OK-1",
                json!({"type": "Polygon", "coordinates": [square(120.3, 36.3, 0.01)]}),
            ),
            feature("NOGEO", Value::Null),
        ]);
        let problems = parcels_from_geojson(&text).unwrap_err();
        let at = |i: usize| problems.iter().filter(|p| p.index == i).collect::<Vec<_>>();
        assert!(at(0).is_empty(), "{problems:#?}");
        assert!(
            at(1)[0].reason.contains("polygon 0 shell crosses itself"),
            "{:?}",
            at(1)
        );
        assert_eq!(at(1)[0].code.as_deref(), Some("BOW"));
        assert!(at(2)[0].reason.contains("not closed"), "{:?}", at(2));
        assert!(
            at(3)[0]
                .reason
                .contains("polygon 0 hole 0 lies outside its shell"),
            "{:?}",
            at(3)
        );
        assert!(at(4)[0].reason.contains("swapped"), "{:?}", at(4));
        assert!(
            at(5).iter().any(|p| p.reason.contains("out of range")),
            "{:?}",
            at(5)
        );
        assert!(at(6)[0].reason.contains("Point"), "{:?}", at(6));
        assert!(
            at(7)
                .iter()
                .any(|p| p.field == "code" && p.reason == "is required")
        );
        assert!(at(7).iter().any(|p| p.field == "plot_ratio_min"));
        assert!(
            at(8).iter().any(|p| p.reason.contains("also feature 0")),
            "{:?}",
            at(8)
        );
        assert!(at(9)[0].reason.contains("missing"), "{:?}", at(9));
        // The message names the feature and its code.
        assert!(
            at(1)[0]
                .to_string()
                .starts_with("feature 1 (BOW): geometry:")
        );
    }

    #[test]
    fn wkt_reads_polygons_exactly_as_written() {
        let g = geometry_from_wkt("POLYGON ((120.0 36.0, 120.01 36.0, 120.01 36.01, 120.0 36.0))")
            .unwrap();
        assert_eq!(g["type"], "Polygon");
        assert_eq!(g["coordinates"][0][1], json!([120.01, 36.0]));
        let m =
            geometry_from_wkt("multipolygon (((1 2, 3 4, 5 6, 1 2)), ((7 8, 9 10, 11 12, 7 8)))")
                .unwrap();
        assert_eq!(m["coordinates"].as_array().unwrap().len(), 2);
        for (bad, why) in [
            ("POINT (1 2)", "not POLYGON"),
            ("POLYGON Z ((1 2 3, 4 5 6, 7 8 9, 1 2 3))", "2-D"),
            ("POLYGON EMPTY", "EMPTY"),
            ("POLYGON ((1 2, 3 x, 5 6, 1 2))", "not a pair of numbers"),
            ("POLYGON ((1 2, 3 4, 5 6, 1 2)", "expected ',' or ')'"),
            ("POLYGON ((1 2, 3 4, 5 6, 1 2)) extra", "unexpected text"),
        ] {
            let e = geometry_from_wkt(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn csv_and_xlsx_read_like_geojson_and_name_rows() {
        let csv = "code,plot_ratio_max,gas,assessments,wkt,note\n\
            GX-C-01,1.8,是,\"flood,energy\",\"POLYGON ((120.30 36.30, 120.304 36.30, 120.304 36.303, 120.30 36.303, 120.30 36.30))\",净地\n\
            GX-C-02,lots,no,,\"POLYGON ((120.31 36.30, 120.314 36.30, 120.314 36.303, 120.31 36.303))\",\n\
            GX-C-03,,,,\"POLYGON ((120.32 36.30, 120.32 36.30\",\n";
        let problems = parcels_from_csv(csv.as_bytes()).unwrap_err();
        assert!(
            problems.iter().any(|p| p.to_string()
                == "row 1 (GX-C-02): plot_ratio_max: \"lots\" is not a number of zero or more"),
            "{problems:#?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.index == 1 && p.field == "geometry" && p.reason.contains("not closed")),
            "{problems:#?}"
        );
        assert!(
            problems.iter().any(|p| p.index == 2 && p.field == "wkt"),
            "{problems:#?}"
        );
        assert!(problems.iter().all(|p| p.index != 0));
        let good: String = csv.lines().take(2).map(|l| format!("{l}\n")).collect();
        let parcels = parcels_from_csv(good.as_bytes()).unwrap();
        assert_eq!(parcels[0].attrs.assessments, ["flood", "energy"]);
        assert!(parcels[0].attrs.gas);
        assert_eq!(parcels[0].attrs.extra["note"], "净地");
        assert!(
            parcels_from_csv(b"code,name\nA,b\n").unwrap_err()[0]
                .reason
                .contains("'wkt'")
        );

        // The same parcel from a workbook.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["code", "plot_ratio_max", "gas", "wkt"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        sheet.write_string(1, 0, "GX-X-01").unwrap();
        sheet.write_number(1, 1, 1.8).unwrap();
        sheet.write_boolean(1, 2, true).unwrap();
        sheet
            .write_string(1, 3, "POLYGON ((120.30 36.30, 120.304 36.30, 120.304 36.303, 120.30 36.303, 120.30 36.30))")
            .unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let from_xlsx = parcels_from_file("parcels.XLSX", &bytes).unwrap();
        assert_eq!(from_xlsx[0].attrs.code, "GX-X-01");
        assert_eq!(from_xlsx[0].attrs.plot_ratio_max, Some(1.8));
        assert!(from_xlsx[0].attrs.gas);
        assert!((from_xlsx[0].shape.area_m2() - parcels[0].shape.area_m2()).abs() < 1e-6);
        assert!(
            parcels_from_xlsx(b"not a zip").unwrap_err()[0]
                .reason
                .contains("not an XLSX")
        );
    }

    #[test]
    fn numeric_codes_are_codes_and_duplicates_are_caught() {
        let f = |code: Value, lon: f64| json!({"type": "Feature", "properties": {"code": code}, "geometry": {"type": "Polygon", "coordinates": [square(lon, 36.3, 0.002)]}});
        let text = collection(vec![f(json!(7), 120.1), f(json!(7.0), 120.2)]);
        let problems = parcels_from_geojson(&text).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].to_string(),
            "feature 1 (7): code: '7' is also feature 0's code"
        );
        let ok = parcels_from_geojson(&collection(vec![f(json!(1001.0), 120.1)])).unwrap();
        assert_eq!(ok[0].attrs.code, "1001");
    }

    /// Point 13 of issue 14: a 35,000-vertex polygon (0.94 MB) cost 11 s of CPU in the
    /// quadratic validity check. Now a ring's positions are capped with a clear error, and
    /// rings up to the cap are checked in O(n log n): a ring of 10,000 positions is read
    /// here, in a debug build, with the old check's 100 million segment pairs nowhere.
    #[test]
    fn big_rings_are_capped_and_checked_in_n_log_n() {
        let circle = |n: usize, r: f64| -> Vec<Value> {
            let mut ring: Vec<Value> = (0..n)
                .map(|k| {
                    let a = std::f64::consts::TAU * k as f64 / n as f64;
                    json!([120.3 + r * a.cos(), 36.3 + r * a.sin()])
                })
                .collect();
            ring.push(ring[0].clone());
            ring
        };
        let huge = json!({"type": "Polygon", "coordinates": [circle(35_000, 0.01)]});
        let problems = shape_from_geojson(Some(&huge)).unwrap_err();
        assert!(
            matches!(
                &problems[0],
                GeometryProblem::TooManyPositions {
                    positions: 35_001,
                    max: 10_000,
                    ..
                }
            ),
            "{problems:?}"
        );
        assert!(
            problems[0].to_string().contains("at most 10000"),
            "{}",
            problems[0]
        );
        let big = json!({"type": "Polygon", "coordinates": [circle(MAX_RING_POSITIONS - 1, 0.01)]});
        let shape = shape_from_geojson(Some(&big)).unwrap();
        assert!(shape.area_mu() > 400.0);
        // A big ring that crosses itself once is still found.
        let mut crossing = circle(MAX_RING_POSITIONS - 1, 0.01);
        crossing.swap(10, 5_000);
        let bad = json!({"type": "Polygon", "coordinates": [crossing]});
        assert!(matches!(
            shape_from_geojson(Some(&bad)).unwrap_err()[0],
            GeometryProblem::SelfIntersection { .. }
        ));
        // A spike (a ring that runs out and back along one line) is not a polygon.
        let spike = json!({"type": "Polygon", "coordinates": [[[120.0, 36.0], [120.01, 36.0], [120.01, 36.01], [120.005, 36.01], [120.005, 36.02], [120.005, 36.01], [120.0, 36.01], [120.0, 36.0]]]});
        assert!(matches!(
            shape_from_geojson(Some(&spike)).unwrap_err()[0],
            GeometryProblem::SelfIntersection { .. }
        ));
        // Too many parts.
        let parts: Vec<Value> = (0..101)
            .map(|k| {
                json!([[
                    [120.0 + k as f64 * 0.01, 36.0],
                    [120.005 + k as f64 * 0.01, 36.0],
                    [120.005 + k as f64 * 0.01, 36.005],
                    [120.0 + k as f64 * 0.01, 36.0]
                ]])
            })
            .collect();
        let many = json!({"type": "MultiPolygon", "coordinates": parts});
        assert!(matches!(
            shape_from_geojson(Some(&many)).unwrap_err()[0],
            GeometryProblem::TooManyParts { count: 101, .. }
        ));
    }

    #[test]
    fn multipolygons_and_holes() {
        let two = json!({"type": "MultiPolygon", "coordinates": [[square(120.0, 36.0, 0.01)], [square(120.02, 36.0, 0.01)]]});
        let overlap = json!({"type": "MultiPolygon", "coordinates": [[square(120.0, 36.0, 0.01)], [square(120.005, 36.0, 0.01)]]});
        let holed = json!({"type": "Polygon", "coordinates": [square(120.0, 36.0, 0.01), [[120.002, 36.002], [120.002, 36.004], [120.004, 36.004], [120.004, 36.002], [120.002, 36.002]]]});
        let a = shape_from_geojson(Some(&two)).unwrap();
        let one = shape_from_geojson(Some(
            &json!({"type": "Polygon", "coordinates": [square(120.0, 36.0, 0.01)]}),
        ))
        .unwrap();
        assert!((a.area_m2() / one.area_m2() - 2.0).abs() < 1e-3);
        let h = shape_from_geojson(Some(&holed)).unwrap();
        assert!(h.area_m2() < one.area_m2() * 0.97);
        assert!(matches!(
            shape_from_geojson(Some(&overlap)).unwrap_err()[0],
            GeometryProblem::PartsOverlap { a: 0, b: 1 }
        ));
        // A clockwise shell (as shapefiles write them) measures the same as anticlockwise.
        let cw = json!({"type": "Polygon", "coordinates": [[[120.0, 36.0], [120.0, 36.01], [120.01, 36.01], [120.01, 36.0], [120.0, 36.0]]]});
        let cw = shape_from_geojson(Some(&cw)).unwrap();
        assert!(
            (cw.area_m2() - one.area_m2()).abs() < 1e-6,
            "{} vs {}",
            cw.area_m2(),
            one.area_m2()
        );
        // Round trips through GeoJSON and WKT keep the shape.
        for shape in [&h, &a] {
            let again =
                shape_from_geojson(Some(&geometry_from_wkt(&shape.to_wkt()).unwrap())).unwrap();
            assert_eq!(&again, shape);
        }
        assert_eq!(shape_from_geojson(Some(&h.to_geojson())).unwrap(), h);
        assert_eq!(shape_from_geojson(Some(&a.to_geojson())).unwrap(), a);
    }
}
