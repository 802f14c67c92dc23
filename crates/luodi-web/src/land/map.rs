//! The parcel map: park boundaries and parcels drawn as server-side SVG, coloured by
//! status, match results marked with their rank; each parcel links to its page. No tiles,
//! no script, nothing fetched: it works offline and prints.

use std::fmt::Write;

use luodi_store::land::parcels::ParkBoundary;
use serde_json::Value;

use crate::i18n::Tr;

/// One parcel to draw.
pub struct MapParcel<'a> {
    pub id: i64,
    pub code: &'a str,
    pub status: &'a str,
    pub geometry: &'a Value,
    /// Its rank in a match, if it has one.
    pub rank: Option<usize>,
    /// Drawn outlined (the parcel a page is about).
    pub focus: bool,
    /// The tooltip.
    pub title: String,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The polygons of a GeoJSON Polygon or MultiPolygon, as rings of (lon, lat).
fn rings(g: &Value) -> Vec<Vec<(f64, f64)>> {
    let polygons: Vec<&Value> = match g["type"].as_str() {
        Some("Polygon") => vec![&g["coordinates"]],
        Some("MultiPolygon") => g["coordinates"]
            .as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    polygons
        .iter()
        .filter_map(|p| p.as_array())
        .flatten()
        .filter_map(|r| r.as_array())
        .map(|r| {
            r.iter()
                .filter_map(|c| Some((c.get(0)?.as_f64()?, c.get(1)?.as_f64()?)))
                .collect()
        })
        .collect()
}

pub fn status_colour(status: &str) -> (&'static str, &'static str) {
    match status {
        "available" => ("#d7f0dd", "#1b7f3b"),
        "reserved" => ("#fff0cc", "#8a5300"),
        "handed_over" => ("#dbe7f7", "#0b5cad"),
        _ => ("#eceff3", "#8a94a3"),
    }
}

pub fn render(boundaries: &[ParkBoundary], parcels: &[MapParcel], tr: &Tr) -> String {
    const WIDTH: f64 = 900.0;
    const PAD: f64 = 24.0;
    let all: Vec<(f64, f64)> = boundaries
        .iter()
        .flat_map(|b| rings(&b.geometry))
        .chain(parcels.iter().flat_map(|p| rings(p.geometry)))
        .flatten()
        .collect();
    if all.is_empty() {
        return String::new();
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &(x, y) in &all {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    // Equirectangular with the mid-latitude's scale: right for a park-sized area.
    let k = ((y0 + y1) / 2.0).to_radians().cos();
    let w = ((x1 - x0) * k).max(1e-9);
    let h = (y1 - y0).max(1e-9);
    let scale = (WIDTH - 2.0 * PAD) / w;
    let height = h * scale + 2.0 * PAD + 30.0;
    let px = |(x, y): (f64, f64)| (PAD + (x - x0) * k * scale, PAD + (y1 - y) * scale);
    let path = |g: &Value| {
        let mut d = String::new();
        for ring in rings(g) {
            for (i, c) in ring.iter().enumerate() {
                let (x, y) = px(*c);
                let _ = write!(d, "{}{x:.1} {y:.1} ", if i == 0 { "M" } else { "L" });
            }
            d.push('Z');
        }
        d
    };
    let mut s = String::new();
    // A group, not an image: an image's content is hidden from assistive technology, and
    // the parcels inside are links to reach by keyboard (axe's nested-interactive).
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0}" width="100%" class="parcel-map" role="group" aria-labelledby="map-title" font-family="PingFang SC, Microsoft YaHei, Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif" font-size="11"><title id="map-title">{}</title>"#,
        esc(tr.t("parcels.map"))
    );
    let _ = write!(
        s,
        r##"<rect width="{WIDTH}" height="{height:.0}" fill="#f7f9fb"/>"##
    );
    for b in boundaries {
        let _ = write!(
            s,
            r##"<path d="{}" fill="none" stroke="#5f6b7a" stroke-width="2" stroke-dasharray="8 4"><title>{}</title></path>"##,
            path(&b.geometry),
            esc(tr.pick(&b.name_zh, &b.name_en))
        );
    }
    for p in parcels {
        let (fill, stroke) = status_colour(p.status);
        let (stroke, width) = if p.rank.is_some() || p.focus {
            ("#b3261e", 3.0)
        } else {
            (stroke, 1.2)
        };
        let d = path(p.geometry);
        let title = esc(&p.title);
        // The link's name starts with what it shows (a rank), so speech matches sight.
        let name = match p.rank {
            Some(r) => format!("{r} · {title}"),
            None => title.clone(),
        };
        let _ = write!(
            s,
            r#"<a href="/parcels/{}" id="map-parcel-{}" aria-label="{name}"><path d="{d}" fill="{fill}" stroke="{stroke}" stroke-width="{width}" fill-rule="evenodd"><title>{title}</title></path>"#,
            p.id,
            esc(p.code),
        );
        // The label at the middle of the parcel's box.
        let pts: Vec<(f64, f64)> = rings(p.geometry).into_iter().flatten().map(px).collect();
        let (cx, cy) = pts.iter().fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
        let (cx, cy) = (cx / pts.len().max(1) as f64, cy / pts.len().max(1) as f64);
        match p.rank {
            Some(r) => {
                let _ = write!(
                    s,
                    r##"<circle cx="{cx:.1}" cy="{cy:.1}" r="11" fill="#b3261e"/><text x="{cx:.1}" y="{:.1}" text-anchor="middle" fill="#fff" font-weight="bold" font-size="12">{r}</text>"##,
                    cy + 4.0
                );
            }
            None => {
                let short = p.code.rsplit('-').next().unwrap_or(p.code);
                let _ = write!(
                    s,
                    r##"<text x="{cx:.1}" y="{:.1}" text-anchor="middle" fill="#1f2933">{}</text>"##,
                    cy + 4.0,
                    esc(short)
                );
            }
        }
        s.push_str("</a>");
    }
    // Legend.
    let mut x = PAD;
    let y = height - 14.0;
    for status in ["available", "reserved", "handed_over", "withdrawn"] {
        let (fill, stroke) = status_colour(status);
        let key = format!("parcels.status_{status}");
        let label = tr.t(&key);
        let _ = write!(
            s,
            r##"<rect x="{x:.1}" y="{:.1}" width="14" height="10" fill="{fill}" stroke="{stroke}"/><text x="{:.1}" y="{y:.1}" fill="#5f6b7a">{}</text>"##,
            y - 9.0,
            x + 18.0,
            esc(label)
        );
        x += 34.0
            + label
                .chars()
                .map(|c| if c.is_ascii() { 6.5 } else { 12.0 })
                .sum::<f64>();
    }
    s.push_str("</svg>");
    s
}
