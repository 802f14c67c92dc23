//! 地块几何 — a parcel's geometry: a GeoJSON geometry read as valid polygons in WGS84
//! longitude and latitude (OGC rules: each ring simple, by an exact O(n log n) sweep in
//! [`crate::land::ring`]; holes inside their shell; parts apart), within China and not
//! swapped, with limits on positions, parts and holes, and measured on the ellipsoid.

use geo::{GeodesicArea, MultiPolygon, Polygon};
use serde_json::Value;

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

pub use crate::land::geometry_problem::{GeometryProblem, Parts, Ring};

/// The most positions a ring of a parcel may have: real parcels have tens to hundreds; the
/// limit keeps one feature from holding a server's worker for long.
pub const MAX_RING_POSITIONS: usize = 10_000;
/// The most parts of a multipolygon, and holes of one polygon.
pub const MAX_PARTS: usize = 100;

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
                ring: Ring::of(p, r),
                positions: distinct.len(),
            });
            rings_ok = false;
        } else if crate::land::ring::ring_self_intersection(&coords).is_some() {
            problems.push(GeometryProblem::SelfIntersection {
                ring: Ring::of(p, r),
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
                ring: Ring::of(p, h + 1),
            });
        }
        if m.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional {
            problems.push(GeometryProblem::RingsCross {
                a: Ring::of(p, 0),
                b: Ring::of(p, h + 1),
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
                    a: Ring::of(p, h + 1),
                    b: Ring::of(p, k + 1),
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
            what: Parts::Polygons,
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
                what: Parts::Holes(p),
                count: rings.len() - 1,
                max: MAX_PARTS,
            });
            continue;
        }
        let mut geo_rings = Vec::new();
        for (r, ring) in rings.iter().enumerate() {
            match ring_positions(Ring::of(p, r), ring) {
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
fn ring_positions(name: Ring, ring: &Value) -> Result<Vec<(f64, f64)>, Vec<GeometryProblem>> {
    let Some(positions) = ring.as_array() else {
        return Err(vec![GeometryProblem::Malformed]);
    };
    if positions.len() > MAX_RING_POSITIONS {
        return Err(vec![GeometryProblem::TooManyPositions {
            ring: name,
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
            None => problems.push(GeometryProblem::NotAPosition {
                ring: name,
                index: i,
            }),
            Some((x, y)) => coords.push((x, y)),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if coords.len() < 4 {
        return Err(vec![GeometryProblem::TooFewPositions {
            ring: name,
            positions: coords.len(),
        }]);
    }
    let (first, last) = (coords[0], coords[coords.len() - 1]);
    if first != last {
        problems.push(GeometryProblem::Unclosed {
            ring: name,
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
            ring: name,
            index: 0,
            x,
            y,
        });
        return Err(problems);
    }
    for (i, &(x, y)) in coords.iter().enumerate() {
        if !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y) {
            problems.push(GeometryProblem::OutOfRange {
                ring: name,
                index: i,
                x,
                y,
            });
        } else if !inside(CHINA_LON, x) || !inside(CHINA_LAT, y) {
            problems.push(GeometryProblem::OutsideChina {
                ring: name,
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

/// A square ring of `side` degrees at Qingdao High-tech Zone, counter-clockwise: the
/// parcel the geometry's and the readers' tests draw.
#[cfg(test)]
pub(crate) fn test_square(lon: f64, lat: f64, side: f64) -> Value {
    serde_json::json!([
        [lon, lat],
        [lon + side, lat],
        [lon + side, lat + side],
        [lon, lat + side],
        [lon, lat]
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::land::geometry::test_square as square;
    use crate::land::readers::geometry_from_wkt;
    use serde_json::json;

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
