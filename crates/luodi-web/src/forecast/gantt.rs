//! 甘特图 — a phase's forecast as an SVG Gantt chart drawn on the server (no script, no
//! tiles): items as bars on a working-day axis from the land handover, the critical path in
//! red, the milestones with their P50–P90 range, and today's line. Text is text, so the chart
//! reads in either language and prints cleanly.

use std::fmt::Write;

use chrono::NaiveDate;
use luodi_domain::core::calendar::Calendar;

use crate::i18n::Tr;
use luodi_app::forecast::phase::ForecastResponse;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One row of the chart, in the order to draw.
pub struct Row {
    pub code: String,
    pub name: String,
}

pub fn render(
    f: &ForecastResponse,
    rows: &[Row],
    cal: &Calendar,
    handover: NaiveDate,
    today: NaiveDate,
    tr: &Tr,
) -> String {
    const LABEL: f64 = 300.0;
    const ROW: f64 = 20.0;
    const LINE: f64 = 13.0;
    const TOP: f64 = 46.0;
    const WIDTH: f64 = 1160.0;
    let critical: std::collections::HashSet<&str> =
        f.critical_path.iter().map(String::as_str).collect();
    let p90_end = f
        .milestones
        .values()
        .filter_map(|m| NaiveDate::parse_from_str(&m.p90, "%Y-%m-%d").ok())
        .map(|d| cal.working_days_between(handover, d).value as f64)
        .fold(0.0, f64::max);
    let today_at = cal.working_days_between(handover, today).value.max(0) as f64;
    let span = f
        .items
        .values()
        .map(|t| t.ef)
        .fold(0.0, f64::max)
        .max(p90_end)
        .max(today_at)
        .max(10.0)
        * 1.05;
    // The building work (months) would dwarf the approval items (days): its span is drawn
    // compressed into a fixed width, with the axis broken there.
    const BREAK: f64 = 90.0;
    let gap = f
        .items
        .get(luodi_domain::forecast::critical_path::BUILD)
        .filter(|t| t.ef - t.es > 40.0)
        .map(|t| (t.es, t.ef));
    let hidden = gap.map_or(0.0, |(b0, b1)| b1 - b0);
    let scale = (WIDTH - LABEL - 20.0 - if gap.is_some() { BREAK } else { 0.0 }) / (span - hidden);
    let x = |d: f64| match gap {
        Some((b0, b1)) if d > b0 && d <= b1 => LABEL + b0 * scale + (d - b0) / (b1 - b0) * BREAK,
        Some((b0, b1)) if d > b1 => LABEL + b0 * scale + BREAK + (d - b1) * scale,
        _ => LABEL + d * scale,
    };
    // Each item's name in full, wrapped to the label column: a row is as tall as its lines.
    let labels: Vec<Vec<String>> = rows
        .iter()
        .map(|row| wrap(&format!("{} {}", row.code, row.name), LABEL - 16.0))
        .collect();
    let mut tops = Vec::with_capacity(rows.len());
    let mut bottom = TOP;
    for lines in &labels {
        tops.push(bottom);
        bottom += ROW + LINE * (lines.len().max(1) - 1) as f64;
    }
    let height = bottom + 40.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-labelledby="gantt-title" class="gantt" font-family="PingFang SC, Microsoft YaHei, Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif" font-size="11">"#
    );
    let _ = write!(
        s,
        r#"<title id="gantt-title">{}</title>"#,
        esc(tr.t("gantt.title"))
    );
    if let Some((b0, b1)) = gap {
        let _ = write!(
            s,
            r##"<rect x="{:.1}" y="{}" width="{BREAK}" height="{:.1}" fill="#fff7e6"/><text x="{:.1}" y="{}" text-anchor="middle" fill="#8a5300">≈ {} {}</text>"##,
            x(b0),
            TOP - 40.0,
            height - 30.0 - (TOP - 40.0),
            x(b0) + BREAK / 2.0,
            TOP - 28.0,
            (b1 - b0) as i64,
            esc(tr.t("gantt.working_days"))
        );
    }
    // Axis: a tick every 10 working days (20 or 50 when they would crowd), with its date.
    let step = [10.0, 20.0, 50.0, 100.0]
        .into_iter()
        .find(|st| st * scale >= 72.0)
        .unwrap_or(100.0);
    let mut d = 0.0;
    while d <= span {
        if let Some((b0, b1)) = gap
            && d > b0
            && d < b1
        {
            d = (b1 / step).ceil() * step;
            continue;
        }
        let date = cal.add_working_days(handover, d as i64).value;
        let _ = write!(
            s,
            r##"<line x1="{0:.1}" y1="{1}" x2="{0:.1}" y2="{2}" stroke="#d9dee5"/>"##,
            x(d),
            TOP - 6.0,
            height - 30.0
        );
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{}" text-anchor="middle" fill="#5f6b7a">{} · {}</text>"##,
            x(d),
            TOP - 12.0,
            d as i64,
            date.format("%m-%d")
        );
        d += step;
    }
    let _ = write!(
        s,
        r##"<text x="8" y="{}" fill="#5f6b7a">{}</text>"##,
        TOP - 12.0,
        esc(tr.t("gantt.axis"))
    );
    for (i, row) in rows.iter().enumerate() {
        let Some(t) = f.items.get(&row.code) else {
            continue;
        };
        let y = tops[i];
        let lines = &labels[i];
        if i % 2 == 0 {
            let _ = write!(
                s,
                r##"<rect x="0" y="{y}" width="{WIDTH}" height="{}" fill="#f5f7fa"/>"##,
                ROW + LINE * (lines.len().max(1) - 1) as f64
            );
        }
        let on_path = critical.contains(row.code.as_str());
        // An item of unknown applicability: drawn as an outline of what it would take, in
        // grey, and not counted in the forecast.
        if let Some(u) = f.unconfirmed.iter().find(|u| u.code == row.code) {
            let _ = write!(
                s,
                r##"<text x="8" y="{:.1}" fill="#5f6b7a" font-style="italic">{} {}</text>"##,
                y + 14.0,
                tspans(lines),
                esc(tr.t("gantt.unconfirmed_mark"))
            );
            let (x0, x1) = (x(t.es), x(t.es + u.duration));
            let _ = write!(
                s,
                r##"<rect x="{x0:.1}" y="{:.1}" width="{:.1}" height="12" rx="2" fill="none" stroke="#7b8794" stroke-dasharray="3 2"><title>{} {}</title></rect>"##,
                y + 4.0,
                (x1 - x0).max(1.0),
                esc(&row.code),
                esc(tr.t("gantt.unconfirmed_title"))
            );
            continue;
        }
        let _ = write!(
            s,
            r##"<text x="8" y="{:.1}" fill="{}"{}>{}</text>"##,
            y + 14.0,
            if on_path { "#b3261e" } else { "#1f2933" },
            if on_path {
                r#" font-weight="bold""#
            } else {
                ""
            },
            tspans(lines)
        );
        let (x0, x1) = (x(t.es), x(t.ef));
        let colour = if on_path { "#b3261e" } else { "#0b5cad" };
        if t.ef > t.es {
            let _ = write!(
                s,
                r#"<rect x="{x0:.1}" y="{:.1}" width="{:.1}" height="12" rx="2" fill="{colour}" fill-opacity="0.85"><title>{} {} → {}</title></rect>"#,
                y + 4.0,
                (x1 - x0).max(1.0),
                esc(&row.code),
                t.es,
                t.ef
            );
        } else {
            let _ = write!(
                s,
                r#"<circle cx="{x0:.1}" cy="{:.1}" r="3" fill="{colour}"/>"#,
                y + 10.0
            );
        }
        if t.float > 0.0 {
            let _ = write!(
                s,
                r##"<line x1="{x1:.1}" y1="{0:.1}" x2="{1:.1}" y2="{0:.1}" stroke="#9aa5b1" stroke-dasharray="2 2"/>"##,
                y + 10.0,
                x(t.lf)
            );
        }
        if let Some((name, m)) = f.milestones.iter().find(|(_, m)| m.item == row.code) {
            let wd = |date: &str| {
                NaiveDate::parse_from_str(date, "%Y-%m-%d")
                    .map(|d| cal.working_days_between(handover, d).value as f64)
                    .unwrap_or(0.0)
            };
            let (p50, p90) = (wd(&m.p50), wd(&m.p90));
            let _ = write!(
                s,
                r##"<line x1="{0:.1}" y1="{1:.1}" x2="{2:.1}" y2="{1:.1}" stroke="#8a5300" stroke-width="3" stroke-opacity="0.6"/>"##,
                x(p50),
                y + 10.0,
                x(p90)
            );
            let _ = write!(
                s,
                r##"<path d="M {0:.1} {1:.1} l 6 6 l -6 6 l -6 -6 z" fill="#8a5300"><title>{2}</title></path>"##,
                x1,
                y + 4.0,
                esc(name)
            );
            // The spread's label after the band and the diamond, or before them when it
            // would run off the chart.
            let after = x(p90).max(x1) + 10.0;
            let (at, anchor) = if after + 170.0 > WIDTH {
                (x(p50).min(x0) - 8.0, "end")
            } else {
                (after, "start")
            };
            let _ = write!(
                s,
                r##"<text x="{at:.1}" y="{:.1}" text-anchor="{anchor}" fill="#8a5300">P50 {} · P90 {}</text>"##,
                y + 14.0,
                m.p50,
                m.p90
            );
        }
    }
    let ty = height - 30.0;
    let _ = write!(
        s,
        r##"<line x1="{0:.1}" y1="{1}" x2="{0:.1}" y2="{2}" stroke="#1b7f3b" stroke-width="2" stroke-dasharray="6 3"/><text x="{0:.1}" y="{3}" text-anchor="middle" fill="#1b7f3b">{4} {5}</text>"##,
        x(today_at),
        TOP - 4.0,
        ty,
        ty + 14.0,
        esc(tr.t("gantt.today")),
        today
    );
    let _ = write!(
        s,
        r##"<text x="8" y="{}" fill="#5f6b7a">{}</text>"##,
        height - 6.0,
        esc(tr.t("gantt.legend"))
    );
    s.push_str("</svg>");
    s
}

/// The width of a text at the chart's 11 px, as near as the server can tell without the
/// font: a CJK character is square, a Latin one about half as wide.
fn text_width(text: &str) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 6.0 } else { 11.0 })
        .sum()
}

/// A label broken into lines of at most `width`: between words in English, between any
/// two characters in Chinese; a word longer than a line stands on its own.
fn wrap(text: &str, width: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut word = String::new();
    let push = |piece: &str, lines: &mut Vec<String>, line: &mut String| {
        if piece.is_empty() {
            return;
        }
        if !line.is_empty() && text_width(line) + text_width(piece) > width {
            lines.push(line.trim_end().to_string());
            line.clear();
        }
        if !(line.is_empty() && piece == " ") {
            line.push_str(piece);
        }
    };
    for c in text.chars() {
        if c == ' ' || !c.is_ascii() {
            push(&word, &mut lines, &mut line);
            word.clear();
            push(c.encode_utf8(&mut [0; 4]), &mut lines, &mut line);
        } else {
            word.push(c);
        }
    }
    push(&word, &mut lines, &mut line);
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// A label's lines as the `<tspan>`s of one `<text>`, each under the one before.
fn tspans(lines: &[String]) -> String {
    let mut s = String::new();
    for (i, line) in lines.iter().enumerate() {
        let _ = write!(
            s,
            r#"<tspan x="8" dy="{}">{}</tspan>"#,
            if i == 0 { "0" } else { "13" },
            esc(line)
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::{text_width, wrap};

    #[test]
    fn a_long_name_wraps_whole_within_the_column() {
        let name = "GK02 Standard-land control indicators (investment intensity, tax per mu, plot ratio, energy, emissions)";
        let lines = wrap(name, 284.0);
        assert!(lines.len() > 1, "{lines:?}");
        assert_eq!(lines.join(" "), name);
        assert!(lines.iter().all(|l| text_width(l) <= 284.0), "{lines:?}");
    }

    #[test]
    fn chinese_breaks_between_characters_and_a_short_name_stays_one_line() {
        let name = "GK02 标准地控制指标（投资强度、亩均税收、容积率、能耗、排放）";
        let lines = wrap(name, 120.0);
        assert!(lines.len() > 2, "{lines:?}");
        assert_eq!(lines.concat().replace(' ', ""), name.replace(' ', ""));
        assert!(lines.iter().all(|l| text_width(l) <= 120.0), "{lines:?}");
        assert_eq!(
            wrap("SF01 Deed tax", 284.0),
            vec!["SF01 Deed tax".to_string()]
        );
    }
}
