//! The parcel files' readers: a GeoJSON FeatureCollection (read as a stream), CSV and
//! XLSX tables with a WKT geometry column. Reading never stops at the first problem:
//! every problem comes back with the feature's or row's index (0-based, as in the file),
//! its `code` when it has one, the field and the reason.

use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::approvals::rule::ASSESSMENTS;
use crate::core::i18n;
use crate::core::lang::{Lang, Text};
use crate::land::geometry::shape_from_geojson;
use crate::land::parcel::{FeatureProblem, ParcelAttrs, ParcelDraft, value_text};

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
    let whole = |reason: Text| {
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
        .map_err(|e| {
            whole(Text::fill(
                "rules.parcel_file.not_json",
                &[("error", &e.to_string())],
            ))
        })?;
    if collection.kind.as_deref() != Some("FeatureCollection") {
        return Err(whole(Text::key("rules.parcel_file.not_a_collection")));
    }
    if !collection.features {
        return Err(whole(Text::key("rules.parcel_file.no_features")));
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
pub type RowGeometry = Result<Option<Value>, (String, Text)>;

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

/// A code the file gave an earlier feature or row (`first`, its index): English names it
/// as the file counts, from 0; Chinese as the upload page does, features from 1 and rows
/// as the spreadsheet numbers them (the header is row 1).
fn repeated_code(lang: Lang, code: &str, unit: &str, first: usize) -> String {
    match (lang, unit) {
        (Lang::En, _) => i18n::fill(
            lang,
            "rules.parcel_file.repeated_code",
            &[
                ("code", code),
                ("unit", unit),
                ("first", &first.to_string()),
            ],
        ),
        (Lang::Zh, "row") => i18n::fill(
            lang,
            "rules.parcel_file.repeated_code",
            &[
                ("code", code),
                ("unit", i18n::text(lang, "rules.parcel_file.unit_row")),
                ("first", &(first + 2).to_string()),
            ],
        ),
        (Lang::Zh, _) => i18n::fill(
            lang,
            "rules.parcel_file.repeated_code",
            &[
                ("code", code),
                ("unit", i18n::text(lang, "rules.parcel_file.unit_feature")),
                ("first", &(first + 1).to_string()),
            ],
        ),
    }
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
        let problem = |field: &str, reason: Text| FeatureProblem {
            unit,
            index,
            code: code.clone(),
            field: field.to_string(),
            reason,
        };
        if let Some(c) = &code {
            if let Some(first) = self.seen.get(c) {
                let first = *first;
                self.problems.push(problem(
                    "code",
                    Text::from_fn(|lang| repeated_code(lang, c, unit, first)),
                ));
            } else {
                self.seen.insert(c.clone(), index);
            }
        }
        let attrs = ParcelAttrs::from_properties(&props);
        let shape = match geometry {
            Ok(g) => shape_from_geojson(g.as_ref()).map_err(|es| {
                es.into_iter()
                    .map(|e| ("geometry".to_string(), Text::from_fn(|lang| e.text(lang))))
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
pub fn geometry_from_wkt(text: &str) -> Result<Value, Text> {
    let t = text.trim();
    let upper = t.to_ascii_uppercase();
    let (kind, rest, depth) = if let Some(r) = upper.strip_prefix("MULTIPOLYGON") {
        ("MultiPolygon", &t[t.len() - r.len()..], 3)
    } else if let Some(r) = upper.strip_prefix("POLYGON") {
        ("Polygon", &t[t.len() - r.len()..], 2)
    } else {
        let word: String = t.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
        let word = if word.is_empty() {
            t.chars().take(20).collect()
        } else {
            word
        };
        return Err(Text::fill("rules.parcel_file.wkt_kind", &[("word", &word)]));
    };
    let rest = rest.trim_start();
    if rest.to_ascii_uppercase().starts_with('Z') || rest.to_ascii_uppercase().starts_with('M') {
        return Err(Text::key("rules.parcel_file.wkt_z"));
    }
    if rest.to_ascii_uppercase().starts_with("EMPTY") {
        return Err(Text::key("rules.parcel_file.wkt_empty"));
    }
    // Nested parentheses to nested arrays; positions are "x y".
    fn parse(s: &str, at: &mut usize, depth: usize) -> Result<Value, Text> {
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
                    _ => Err(Text::fill(
                        "rules.parcel_file.wkt_pair",
                        &[("x", x), ("y", y)],
                    )),
                },
                _ => Err(Text::fill(
                    "rules.parcel_file.wkt_position",
                    &[("text", s[start..*at].trim())],
                )),
            };
        }
        if b.get(*at) != Some(&b'(') {
            return Err(Text::fill(
                "rules.parcel_file.wkt_open",
                &[("at", &(*at + 1).to_string())],
            ));
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
                _ => {
                    return Err(Text::fill(
                        "rules.parcel_file.wkt_next",
                        &[("at", &(*at + 1).to_string())],
                    ));
                }
            }
        }
    }
    let mut at = 0;
    let coordinates = parse(rest, &mut at, depth)?;
    if !rest[at..].trim().is_empty() {
        return Err(Text::fill(
            "rules.parcel_file.wkt_after",
            &[("text", rest[at..].trim())],
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
            reason: Text::key("rules.parcel_file.no_wkt_column"),
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
    let whole = |reason: Text| {
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
    .map_err(|_| whole(Text::key("rules.parcel_file.not_utf8")))?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| {
            whole(Text::fill(
                "rules.parcel_file.no_header",
                &[("error", &e.to_string())],
            ))
        })?
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
                reason: Text::fill("rules.parcel_file.not_csv", &[("error", &e.to_string())]),
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
    let whole = |reason: Text| {
        vec![FeatureProblem {
            unit: "row",
            index: 0,
            code: None,
            field: "file".into(),
            reason,
        }]
    };
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| {
        whole(Text::fill(
            "rules.parcel_file.not_xlsx",
            &[("error", &e.to_string())],
        ))
    })?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| whole(Text::key("rules.parcel_file.no_sheet")))?
        .map_err(|e| {
            whole(Text::fill(
                "rules.parcel_file.sheet_unreadable",
                &[("error", &e.to_string())],
            ))
        })?;
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .ok_or_else(|| whole(Text::key("rules.parcel_file.sheet_empty")))?
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
                reason: Text::key("rules.parcel_file.not_utf8_geojson"),
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
    use crate::land::geometry::M2_PER_MU;
    use crate::land::geometry::test_square as square;
    use crate::land::parcel::ParcelStatus;
    use serde_json::json;

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
            at(1)[0]
                .reason
                .en
                .contains("polygon 0 shell crosses itself"),
            "{:?}",
            at(1)
        );
        assert_eq!(at(1)[0].code.as_deref(), Some("BOW"));
        assert!(at(2)[0].reason.en.contains("not closed"), "{:?}", at(2));
        assert!(
            at(3)[0]
                .reason
                .en
                .contains("polygon 0 hole 0 lies outside its shell"),
            "{:?}",
            at(3)
        );
        assert!(at(4)[0].reason.en.contains("swapped"), "{:?}", at(4));
        assert!(
            at(5).iter().any(|p| p.reason.en.contains("out of range")),
            "{:?}",
            at(5)
        );
        assert!(at(6)[0].reason.en.contains("Point"), "{:?}", at(6));
        assert!(
            at(7)
                .iter()
                .any(|p| p.field == "code" && p.reason.en == "is required")
        );
        assert!(at(7).iter().any(|p| p.field == "plot_ratio_min"));
        assert!(
            at(8).iter().any(|p| p.reason.en.contains("also feature 0")),
            "{:?}",
            at(8)
        );
        assert!(at(9)[0].reason.en.contains("missing"), "{:?}", at(9));
        // The message names the feature and its code.
        assert!(
            at(1)[0]
                .to_string()
                .starts_with("feature 1 (BOW): geometry:")
        );
    }

    /// Every problem a parcel file can have reads in Chinese for a Chinese reader (and in
    /// English, as today, for the CLI, the API and the log).
    #[test]
    fn every_problem_reads_in_chinese() {
        let cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        let chinese = |p: &FeatureProblem| {
            assert!(
                cjk(&p.reason.zh) && p.reason.zh != p.reason.en,
                "{p}: {}",
                p.reason.zh
            );
        };
        // No text of the files' tables is the English one.
        let [zh, en] = crate::core::i18n::catalogues();
        for (key, text) in zh.iter().filter(|(k, _)| {
            ["rules.parcel.", "rules.parcel_file.", "rules.geometry."]
                .iter()
                .any(|t| k.starts_with(t))
        }) {
            assert_ne!(Some(text), en.get(key), "{key}");
        }
        // Every attribute refused, a code given twice, lists that are not lists.
        let f = |props: Value| json!({"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [square(120.3, 36.3, 0.002)]}});
        let text = collection(vec![
            f(json!({"code": "a b", "land_use": "farm", "status": "sold",
                "sewage_class": "Z", "checked_on": "2026-13-01", "power_kva": -1,
                "green_ratio_max": 2, "plot_ratio_min": 3, "plot_ratio_max": 1, "gas": "maybe",
                "allowed_industries": "C99x", "assessments": "nope", "note\u{7}": 1})),
            f(json!({"allowed_industries": [1], "assessments": 7})),
            f(json!({"code": "TWICE"})),
            f(json!({"code": "TWICE"})),
        ]);
        let problems = parcels_from_geojson(&text).unwrap_err();
        assert!(problems.len() >= 16, "{problems:#?}");
        problems.iter().for_each(chinese);
        let twice = problems
            .iter()
            .find(|p| p.field == "code" && p.index == 3)
            .unwrap();
        assert_eq!(twice.reason.zh, "“TWICE”与第 3 个要素的编号重复");
        assert_eq!(twice.reason.en, "'TWICE' is also feature 2's code");
        // Files that cannot be read at all, and WKT that is not a polygon.
        let mut empty_book = rust_xlsxwriter::Workbook::new();
        empty_book.add_worksheet();
        let empty_sheet = empty_book.save_to_buffer().unwrap();
        let wkt = |w: &str| format!("code,wkt\nW,\"{w}\"\n");
        for result in [
            parcels_from_geojson("{"),
            parcels_from_geojson("{\"type\": \"Point\"}"),
            parcels_from_geojson("{\"type\": \"FeatureCollection\"}"),
            parcels_from_file("parcels.geojson", b"\xff\xfe"),
            parcels_from_csv(b"\xff,\xfe"),
            parcels_from_csv(b"code,name\nA,b\n"),
            parcels_from_csv(b"code,wkt\n\"A,b\n"),
            parcels_from_xlsx(b"not a zip"),
            parcels_from_xlsx(&empty_sheet),
            parcels_from_csv(wkt("POINT (1 2)").as_bytes()),
            parcels_from_csv(wkt("POLYGON Z ((1 2 3, 4 5 6, 7 8 9, 1 2 3))").as_bytes()),
            parcels_from_csv(wkt("POLYGON EMPTY").as_bytes()),
            parcels_from_csv(wkt("POLYGON ((1 2, 3 x, 5 6, 1 2))").as_bytes()),
            parcels_from_csv(wkt("POLYGON ((1 2, 3, 5 6, 1 2))").as_bytes()),
            parcels_from_csv(wkt("POLYGON (1 2, 3 4)").as_bytes()),
            parcels_from_csv(wkt("POLYGON ((1 2, 3 4, 5 6, 1 2)").as_bytes()),
            parcels_from_csv(wkt("POLYGON ((1 2, 3 4, 5 6, 1 2)) extra").as_bytes()),
        ] {
            let problems = result.unwrap_err();
            problems.iter().for_each(chinese);
        }
        // A status a file may not give.
        for (current, given) in [
            (None, ParcelStatus::Reserved),
            (Some(ParcelStatus::HandedOver), ParcelStatus::Available),
        ] {
            let why = crate::land::parcel::import_status_allowed(current, given, true).unwrap_err();
            assert!(cjk(&why.zh) && why.zh != why.en, "{}", why.zh);
        }
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
            let e = geometry_from_wkt(bad).unwrap_err().en;
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
            problems.iter().any(|p| p.index == 1
                && p.field == "geometry"
                && p.reason.en.contains("not closed")),
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
                .en
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
                .en
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
}
