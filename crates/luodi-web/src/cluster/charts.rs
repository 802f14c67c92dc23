//! 集群图表 — the cluster dashboard's charts, drawn on the server as SVG (no script,
//! nothing fetched; they print): a figure year by year against its target with what the
//! projects on hand will add ([`line_chart`]), and a breakdown as horizontal bars
//! ([`bar_chart`]). Every word and figure on them (title, unit, series' names, the
//! no-data text, the values as written) comes from the caller in the reader's language.
//! Colours come from the stylesheet's `.cluster-chart` classes; what tells the series
//! apart without colour (solid, dashed, dotted, dash-dot; dots; the target's diamond) is
//! drawn here, in the lines and in the legend's samples of them.

use std::fmt::Write;

/// The width of a chart's viewBox: a chart scales to its box (the stylesheet stops it at
/// 600 px), and text of 13–14 units is 9–10 px on a 390 px phone, 16–17 px at most.
const WIDTH: f64 = 500.0;
const FONT: f64 = 14.0;
const SMALL: f64 = 13.0;
const FONTS: &str =
    "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif";

/// What a line stands for, which sets how it is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesKind {
    /// 实际值 — the figures reported: a solid line with a dot on each year.
    Actual,
    /// 目标路径 — from the baseline to the target: dashed, ending in a diamond.
    Target,
    /// 预测（P50） — the latest actual and what the projects add at the median: dense
    /// dots, dark.
    ProjectionP50,
    /// 预测（P90） — the same at the late end: sparse dots, light.
    ProjectionP90,
    /// 按已实现增速 — growing at the rate achieved since the baseline: dash-dot.
    Achieved,
}

impl SeriesKind {
    /// The stylesheet's class for its colour.
    fn class(self) -> &'static str {
        match self {
            SeriesKind::Actual => "ch-actual",
            SeriesKind::Target => "ch-target",
            SeriesKind::ProjectionP50 => "ch-p50",
            SeriesKind::ProjectionP90 => "ch-p90",
            SeriesKind::Achieved => "ch-achieved",
        }
    }

    /// Its pattern, as attributes, so that it holds without the stylesheet too.
    fn stroke(self) -> &'static str {
        match self {
            SeriesKind::Actual => r#"stroke-width="2.5""#,
            SeriesKind::Target => r#"stroke-width="2" stroke-dasharray="9 5""#,
            SeriesKind::ProjectionP50 => r#"stroke-width="3.5" stroke-dasharray="0.1 6""#,
            SeriesKind::ProjectionP90 => r#"stroke-width="2.5" stroke-dasharray="0.1 11""#,
            SeriesKind::Achieved => r#"stroke-width="2" stroke-dasharray="10 5 0.1 5""#,
        }
    }

    /// Drawn in this order, the actual figures last, on top.
    fn layer(self) -> u8 {
        match self {
            SeriesKind::ProjectionP90 => 0,
            SeriesKind::ProjectionP50 => 1,
            SeriesKind::Achieved => 2,
            SeriesKind::Target => 3,
            SeriesKind::Actual => 4,
        }
    }
}

/// One line: its name in the legend and its values by year (yuan, or a count).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    pub kind: SeriesKind,
    pub points: Vec<(i32, f64)>,
}

/// The target, marked where it is due with a diamond, a faint line across at its value
/// and its label (which says what and how much: the caller writes it).
#[derive(Debug, Clone, PartialEq)]
pub struct TargetMark {
    pub year: i32,
    pub value: f64,
    pub label: String,
}

/// A figure year by year.
pub struct LineChart<'a> {
    /// What the chart shows, for screen readers and the tooltip (the page heads it).
    pub title: String,
    /// Written above the value axis.
    pub unit: String,
    pub series: Vec<Series>,
    pub target: Option<TargetMark>,
    /// Shown in an empty frame when no series has a point.
    pub no_data: String,
    /// Writes a value on the axis and in the dots' tooltips (亿元, 万元, a count).
    pub format: &'a dyn Fn(f64) -> String,
    /// The value axis steps by whole numbers only (counts of enterprises).
    pub whole: bool,
}

/// One bar: its label, its value (the bar's length) and the value as written at its end.
#[derive(Debug, Clone, PartialEq)]
pub struct BarRow {
    pub label: String,
    pub value: f64,
    pub text: String,
}

/// A breakdown as horizontal bars, in the rows' order.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    pub title: String,
    pub rows: Vec<BarRow>,
    pub no_data: String,
}

/// A value axis from zero: its top and the step between gridlines.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Axis {
    pub top: f64,
    pub step: f64,
}

/// The axis for values up to `max`: the step is the smallest of 1, 2, 2.5 or 5 × 10^k
/// that reaches `max` in at most five steps (whole steps only, 1, 2, 5 × 10^k from 1 up,
/// when `whole`), and the top the first multiple of the step at or above `max`; so the
/// axis has three to five intervals (4.3e10 → 5e10 by 1e10, 7 → 8 by 2, 12 → 12.5 by
/// 2.5), or fewer for counts under 3 (2 → 2 by 1). Nothing above zero draws the axis
/// to 1.
pub fn nice_axis(max: f64, whole: bool) -> Axis {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let raw = max / 5.0;
    let mut k = raw.log10().floor() as i32;
    let step = 'found: loop {
        for m in [1.0, 2.0, 2.5, 5.0] {
            let s = m * 10f64.powi(k);
            let fits = s >= raw * (1.0 - 1e-12);
            if fits && (!whole || (s >= 1.0 && s.fract() == 0.0)) {
                break 'found s;
            }
        }
        k += 1;
    };
    Axis {
        top: (max / step - 1e-9).ceil().max(1.0) * step,
        step,
    }
}

/// `&`, `<`, `>` and `"` written as XML entities, and the control characters XML cannot
/// hold left out.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// How wide a text is at `size`, as near as the server can tell without the font: a
/// CJK character is square, a Latin one a bit over half as wide.
fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 0.6 } else { 1.0 })
        .sum::<f64>()
        * size
}

/// A text broken into lines of at most `width`: between words in English, between any
/// two characters in Chinese; a word longer than a line stands on its own.
fn wrap(text: &str, width: f64, size: f64) -> Vec<String> {
    let mut pieces: Vec<String> = Vec::new();
    for c in text.chars() {
        match pieces.last_mut() {
            Some(word) if c.is_ascii() && c != ' ' && !word.ends_with(' ') && word.is_ascii() => {
                word.push(c)
            }
            _ => pieces.push(c.to_string()),
        }
    }
    let mut lines = Vec::new();
    let mut line = String::new();
    for piece in pieces {
        if !line.is_empty() && text_width(&line, size) + text_width(&piece, size) > width {
            lines.push(line.trim_end().to_string());
            line.clear();
        }
        if !(line.is_empty() && piece == " ") {
            line.push_str(&piece);
        }
    }
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// Where a text of `width` goes near `x` without leaving the chart: its anchor's x and
/// the anchor, preferring `end` on the right half and `start` on the left.
fn place(x: f64, width: f64, gap: f64) -> (f64, &'static str) {
    if x > WIDTH / 2.0 {
        ((x - gap).max(width + 2.0), "end")
    } else {
        ((x + gap).min(WIDTH - width - 2.0), "start")
    }
}

/// The `<svg>` element's opening and its `<title>`: an image, named for screen readers,
/// as wide as its box.
fn open(s: &mut String, class: &str, title: &str, height: f64) {
    let title = esc(title);
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="cluster-chart {class}" role="img" aria-label="{title}" viewBox="0 0 {WIDTH} {height:.0}" width="100%" font-family="{FONTS}" font-size="{FONT}"><title>{title}</title>"#
    );
}

/// A chart without data: the caller's words in an empty frame.
fn no_data(class: &str, title: &str, words: &str) -> String {
    let mut s = String::new();
    open(&mut s, class, title, 120.0);
    let _ = write!(
        s,
        r#"<rect class="ch-frame" x="1" y="1" width="{}" height="118" fill="none"/><text class="ch-nodata" x="{}" y="65" text-anchor="middle">{}</text></svg>"#,
        WIDTH - 2.0,
        WIDTH / 2.0,
        esc(words)
    );
    s
}

/// A line's sample in the legend: a stretch of it, with its dot or its diamond.
fn sample(s: &mut String, kind: SeriesKind, x: f64, y: f64) {
    let _ = write!(
        s,
        r#"<line class="ch-line {}" x1="{x:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" fill="none" stroke-linecap="round" {}/>"#,
        kind.class(),
        x + 34.0,
        kind.stroke()
    );
    match kind {
        SeriesKind::Actual => dot(s, kind, x + 17.0, y, None),
        SeriesKind::Target => diamond(s, x + 32.0, y, None),
        _ => {}
    }
}

fn dot(s: &mut String, kind: SeriesKind, x: f64, y: f64, tip: Option<&str>) {
    let fill = if kind == SeriesKind::Actual {
        ""
    } else {
        " ch-hollow"
    };
    let _ = write!(
        s,
        r#"<circle class="ch-dot {}{fill}" cx="{x:.1}" cy="{y:.1}" r="4" stroke-width="2">"#,
        kind.class()
    );
    if let Some(tip) = tip {
        let _ = write!(s, "<title>{}</title>", esc(tip));
    }
    s.push_str("</circle>");
}

fn diamond(s: &mut String, x: f64, y: f64, tip: Option<&str>) {
    let _ = write!(
        s,
        r#"<path class="ch-diamond ch-target" d="M {x:.1} {:.1} l 6 6 l -6 6 l -6 -6 z" stroke-width="2">"#,
        y - 6.0
    );
    if let Some(tip) = tip {
        let _ = write!(s, "<title>{}</title>", esc(tip));
    }
    s.push_str("</path>");
}

/// A figure year by year: actual figures, the target's path and mark, projections, each
/// named in the legend with a sample of its line.
pub fn line_chart(chart: &LineChart) -> String {
    let series: Vec<(&Series, Vec<(i32, f64)>)> = chart
        .series
        .iter()
        .map(|s| {
            let mut points: Vec<(i32, f64)> = s
                .points
                .iter()
                .filter(|(_, v)| v.is_finite())
                .map(|&(y, v)| (y, v.max(0.0)))
                .collect();
            points.sort_by_key(|p| p.0);
            (s, points)
        })
        .filter(|(_, points)| !points.is_empty())
        .collect();
    if series.is_empty() {
        return no_data("line-chart", &chart.title, &chart.no_data);
    }
    let target = chart.target.as_ref().filter(|t| t.value.is_finite());
    let all = || {
        series
            .iter()
            .flat_map(|(_, p)| p.iter().copied())
            .chain(target.map(|t| (t.year, t.value.max(0.0))))
    };
    let max = all().map(|p| p.1).fold(0.0, f64::max);
    let first = all().map(|p| p.0).min().unwrap_or_default();
    let last = all().map(|p| p.0).max().unwrap_or_default();
    let format = chart.format;

    let axis = nice_axis(max, chart.whole);
    let ticks: Vec<(f64, String)> = if max > 0.0 {
        let n = (axis.top / axis.step).round() as i32;
        (0..=n)
            .map(|i| f64::from(i) * axis.step)
            .map(|v| (v, format(v)))
            .collect()
    } else {
        // Every value is zero: the axis says only that.
        vec![(0.0, format(0.0))]
    };
    let left = ticks
        .iter()
        .map(|(_, t)| text_width(t, SMALL))
        .fold(24.0, f64::max)
        + 12.0;
    let right = WIDTH - 14.0;
    let (top, bottom) = (44.0, 284.0);
    let band = (right - left) / f64::from(last - first + 1);
    let x = |year: i32| left + (f64::from(year - first) + 0.5) * band;
    let y = |v: f64| bottom - v.clamp(0.0, axis.top) / axis.top * (bottom - top);

    // The legend, in rows under the axis: each line's sample and its name.
    let mut legend = Vec::new();
    let (mut lx, mut ly) = (8.0, bottom + 52.0);
    for (s, _) in &series {
        let w = 46.0 + text_width(&s.label, FONT);
        if lx > 8.0 && lx + w > WIDTH - 4.0 {
            lx = 8.0;
            ly += 24.0;
        }
        legend.push((s, lx, ly));
        lx += w + 20.0;
    }
    let height = ly + 16.0;

    let mut s = String::new();
    open(&mut s, "line-chart", &chart.title, height);
    let _ = write!(
        s,
        r#"<rect class="ch-plot" x="{left:.1}" y="{top:.1}" width="{:.1}" height="{:.1}" fill="none" stroke="none"/>"#,
        right - left,
        bottom - top
    );
    for (v, text) in &ticks {
        let (at, class) = (y(*v), if *v == 0.0 { "ch-axis" } else { "ch-grid" });
        let _ = write!(
            s,
            r#"<line class="{class}" x1="{left:.1}" y1="{at:.1}" x2="{right:.1}" y2="{at:.1}"/><text class="ch-tick" x="{:.1}" y="{:.1}" text-anchor="end" font-size="{SMALL}">{}</text>"#,
            left - 8.0,
            at + 4.5,
            esc(text),
        );
    }
    // A tick a year; a label every year, or every second or fifth when they would
    // crowd, always on the last year (the target's, as a rule).
    let every = [1, 2, 5, 10]
        .into_iter()
        .find(|k| f64::from(*k) * band >= text_width("2030", SMALL) + 10.0)
        .unwrap_or(20);
    for year in first..=last {
        let _ = write!(
            s,
            r#"<line class="ch-axis" x1="{0:.1}" y1="{bottom:.1}" x2="{0:.1}" y2="{1:.1}"/>"#,
            x(year),
            bottom + 5.0
        );
        if (last - year) % every == 0 {
            let _ = write!(
                s,
                r#"<text class="ch-tick" x="{:.1}" y="{:.1}" text-anchor="middle" font-size="{SMALL}">{year}</text>"#,
                x(year),
                bottom + 22.0
            );
        }
    }
    let _ = write!(
        s,
        r#"<text class="ch-unit" x="8" y="18" font-size="{SMALL}">{}</text>"#,
        esc(&chart.unit)
    );
    if let Some(t) = target {
        let _ = write!(
            s,
            r#"<line class="ch-target-guide" x1="{left:.1}" y1="{0:.1}" x2="{right:.1}" y2="{0:.1}" stroke-dasharray="2 4"/>"#,
            y(t.value)
        );
    }

    let mut drawn: Vec<&(&Series, Vec<(i32, f64)>)> = series.iter().collect();
    drawn.sort_by_key(|(s, _)| s.kind.layer());
    for (line, points) in drawn {
        let kind = line.kind;
        if points.len() > 1 {
            let mut d = String::new();
            for (i, &(year, v)) in points.iter().enumerate() {
                let _ = write!(
                    d,
                    "{}{:.1} {:.1} ",
                    if i == 0 { "M" } else { "L" },
                    x(year),
                    y(v)
                );
            }
            let _ = write!(
                s,
                r#"<path class="ch-line {}" d="{}" fill="none" stroke-linecap="round" stroke-linejoin="round" {}><title>{}</title></path>"#,
                kind.class(),
                d.trim_end(),
                kind.stroke(),
                esc(&line.label)
            );
        }
        for (i, &(year, v)) in points.iter().enumerate() {
            let tip = format!("{} · {year} · {}", line.label, format(v));
            let last = i + 1 == points.len();
            match kind {
                SeriesKind::Actual => dot(&mut s, kind, x(year), y(v), Some(&tip)),
                SeriesKind::Target if last => diamond(&mut s, x(year), y(v), Some(&tip)),
                // A line of one point is a dot, or it would not be seen.
                _ if points.len() == 1 => dot(&mut s, kind, x(year), y(v), Some(&tip)),
                _ => {}
            }
        }
    }

    if let Some(t) = target {
        let (tx, ty) = (x(t.year), y(t.value));
        diamond(&mut s, tx, ty, Some(&t.label));
        // Above the diamond, clear of the unit's line at the top.
        let (at, anchor) = place(tx, text_width(&t.label, FONT), 8.0);
        let _ = write!(
            s,
            r#"<text class="ch-target-label" x="{at:.1}" y="{:.1}" text-anchor="{anchor}">{}</text>"#,
            (ty - 12.0).max(36.0),
            esc(&t.label)
        );
    }

    for (line, lx, ly) in legend {
        s.push_str(r#"<g class="ch-key">"#);
        sample(&mut s, line.kind, lx, ly);
        let _ = write!(
            s,
            r#"<text class="ch-legend" x="{:.1}" y="{:.1}">{}</text></g>"#,
            lx + 46.0,
            ly + 5.0,
            esc(&line.label)
        );
    }
    s.push_str("</svg>");
    s
}

/// A breakdown as horizontal bars, each labelled on the left and its value written at
/// its end; the longest bar is the largest value.
pub fn bar_chart(chart: &BarChart) -> String {
    if chart.rows.is_empty() {
        return no_data("bar-chart", &chart.title, &chart.no_data);
    }
    const LINE: f64 = 17.0;
    let label_w = chart
        .rows
        .iter()
        .map(|r| text_width(&r.label, FONT))
        .fold(FONT, f64::max)
        .min(WIDTH * 0.38);
    let text_w = chart
        .rows
        .iter()
        .map(|r| text_width(&r.text, FONT))
        .fold(0.0, f64::max)
        .min(WIDTH * 0.3);
    let start = 8.0 + label_w + 10.0;
    let length = WIDTH - start - text_w - 14.0;
    let max = chart
        .rows
        .iter()
        .map(|r| r.value)
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let rows: Vec<(&BarRow, Vec<String>, f64)> = chart
        .rows
        .iter()
        .map(|r| {
            let lines = wrap(&r.label, label_w, FONT);
            let h = (LINE * lines.len().max(1) as f64 + 14.0).max(34.0);
            (r, lines, h)
        })
        .collect();
    let height = rows.iter().map(|r| r.2).sum::<f64>() + 12.0;

    let mut s = String::new();
    open(&mut s, "bar-chart", &chart.title, height);
    let mut top = 6.0;
    for (row, lines, h) in &rows {
        let mid = top + h / 2.0;
        let first = mid - (lines.len().max(1) - 1) as f64 * LINE / 2.0 + 5.0;
        let _ = write!(
            s,
            r#"<text class="ch-label" x="{:.1}" y="{first:.1}" text-anchor="end">"#,
            start - 10.0
        );
        for (i, line) in lines.iter().enumerate() {
            let _ = write!(
                s,
                r#"<tspan x="{:.1}" dy="{}">{}</tspan>"#,
                start - 10.0,
                if i == 0 { 0.0 } else { LINE },
                esc(line)
            );
        }
        s.push_str("</text>");
        let value = if row.value.is_finite() {
            row.value.max(0.0)
        } else {
            0.0
        };
        let w = if max > 0.0 {
            (value / max * length).max(if value > 0.0 { 1.0 } else { 0.0 })
        } else {
            0.0
        };
        let _ = write!(
            s,
            r#"<rect class="ch-bar" x="{start:.1}" y="{:.1}" width="{w:.1}" height="20" rx="2"><title>{} · {}</title></rect><text class="ch-value" x="{:.1}" y="{:.1}">{}</text>"#,
            mid - 10.0,
            esc(&row.label),
            esc(&row.text),
            start + w + 6.0,
            mid + 5.0,
            esc(&row.text)
        );
        top += h;
    }
    let _ = write!(
        s,
        r#"<line class="ch-axis" x1="{start:.1}" y1="2" x2="{start:.1}" y2="{:.1}"/></svg>"#,
        height - 2.0
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yi(v: f64) -> String {
        format!("{}亿元", v / 1e8)
    }

    fn count(v: f64) -> String {
        format!("{v}")
    }

    fn revenue(format: &dyn Fn(f64) -> String) -> LineChart<'_> {
        LineChart {
            title: "营业收入".into(),
            unit: "亿元".into(),
            series: vec![
                Series {
                    label: "实际".into(),
                    kind: SeriesKind::Actual,
                    points: vec![(2022, 8e9), (2023, 10.24e9), (2024, 13.1e9)],
                },
                Series {
                    label: "目标".into(),
                    kind: SeriesKind::Target,
                    points: vec![(2022, 8e9), (2028, 43e9)],
                },
                Series {
                    label: "P50".into(),
                    kind: SeriesKind::ProjectionP50,
                    points: vec![(2024, 13.1e9), (2026, 24e9), (2028, 39e9)],
                },
                Series {
                    label: "P90".into(),
                    kind: SeriesKind::ProjectionP90,
                    points: vec![(2024, 13.1e9), (2026, 20e9), (2028, 31e9)],
                },
                Series {
                    label: "achieved".into(),
                    kind: SeriesKind::Achieved,
                    points: vec![(2024, 13.1e9), (2028, 35e9)],
                },
            ],
            target: Some(TargetMark {
                year: 2028,
                value: 43e9,
                label: "2028 · 430亿元".into(),
            }),
            no_data: "暂无数据".into(),
            format,
            whole: false,
        }
    }

    /// The SVG read back as XML (which fails on anything not well formed), with what
    /// every chart must carry: an image's role, its name, its title first and a viewBox.
    fn parse(svg: &str) -> roxmltree::Document<'_> {
        let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}: {svg}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(root.attribute("role"), Some("img"));
        assert!(root.attribute("viewBox").is_some());
        assert_eq!(root.attribute("width"), Some("100%"));
        let title = root.first_element_child().unwrap();
        assert_eq!(title.tag_name().name(), "title");
        assert_eq!(title.text(), root.attribute("aria-label"));
        doc
    }

    fn with_class<'a>(
        doc: &'a roxmltree::Document<'a>,
        class: &'a str,
    ) -> impl Iterator<Item = roxmltree::Node<'a, 'a>> + 'a {
        doc.descendants().filter(move |n| {
            n.attribute("class")
                .is_some_and(|c| c.split(' ').any(|c| c == class))
        })
    }

    /// The same, outside the legend.
    fn drawn<'a>(
        doc: &'a roxmltree::Document<'a>,
        class: &'a str,
    ) -> impl Iterator<Item = roxmltree::Node<'a, 'a>> + 'a {
        with_class(doc, class)
            .filter(|n| n.parent_element().and_then(|p| p.attribute("class")) != Some("ch-key"))
    }

    fn texts<'a>(doc: &'a roxmltree::Document<'a>) -> Vec<String> {
        doc.descendants()
            .filter(|n| n.tag_name().name() == "text")
            .map(|n| {
                n.descendants()
                    .filter(|d| d.is_text())
                    .filter_map(|d| d.text())
                    .collect()
            })
            .collect()
    }

    fn num(n: &roxmltree::Node, attr: &str) -> f64 {
        n.attribute(attr).unwrap().parse().unwrap()
    }

    /// The plot area: x0, y0, x1, y1.
    fn plot(doc: &roxmltree::Document) -> (f64, f64, f64, f64) {
        let r = with_class(doc, "ch-plot").next().unwrap();
        let (x, y) = (num(&r, "x"), num(&r, "y"));
        (x, y, x + num(&r, "width"), y + num(&r, "height"))
    }

    #[test]
    fn the_axis_steps_by_one_two_two_and_a_half_or_five() {
        let axis = |max, whole| {
            let a = nice_axis(max, whole);
            (a.top, a.step)
        };
        assert_eq!(axis(4.3e10, false), (5e10, 1e10));
        assert_eq!(axis(7.0, false), (8.0, 2.0));
        assert_eq!(axis(10.0, false), (10.0, 2.0));
        assert_eq!(axis(12.0, false), (12.5, 2.5));
        assert_eq!(axis(100.0, false), (100.0, 20.0));
        assert_eq!(axis(1500.0, true), (1500.0, 500.0));
        assert_eq!(axis(2.6e10, false), (3e10, 1e10));
        // Counts step by whole numbers: 12 by 5 (not 2.5), 2 by 1 (not 0.5).
        assert_eq!(axis(12.0, true), (15.0, 5.0));
        assert_eq!(axis(2.0, true), (2.0, 1.0));
        // Nothing above zero, or nothing to read: the axis goes to 1.
        assert_eq!(axis(0.0, false), (1.0, 0.2));
        assert_eq!(axis(0.0, true), (1.0, 1.0));
        assert_eq!(axis(f64::NAN, true), (1.0, 1.0));
        let a = nice_axis(0.9, false);
        assert!((a.top - 1.0).abs() < 1e-12 && (a.step - 0.2).abs() < 1e-12);
        // Over twelve orders of magnitude: the top covers the maximum in three to five
        // steps, each a nice number.
        for e in -3..=12 {
            for m in [1.0, 1.01, 1.3, 1.99, 2.0, 2.4, 3.7, 4.99, 5.5, 7.77, 9.99] {
                for whole in [false, true] {
                    let max = m * 10f64.powi(e);
                    let Axis { top, step } = nice_axis(max, whole);
                    let steps = top / step;
                    assert!(top >= max, "{max}: {top}");
                    assert!(
                        (steps - steps.round()).abs() < 1e-9,
                        "{max}: {top} / {step}"
                    );
                    let lowest = if whole && max < 3.0 { 1.0 } else { 3.0 };
                    assert!(
                        (lowest..=5.0).contains(&steps.round()),
                        "{max}: {steps} steps"
                    );
                    let mantissa = step / 10f64.powf(step.log10().floor());
                    assert!(
                        [1.0, 2.0, 2.5, 5.0]
                            .iter()
                            .any(|n| (mantissa - n).abs() < 1e-9),
                        "{max}: step {step}"
                    );
                    assert!(!whole || step.fract() == 0.0, "{max}: step {step}");
                }
            }
        }
    }

    #[test]
    fn a_line_chart_is_xml_with_its_series_inside_the_plot() {
        let format = yi;
        let svg = line_chart(&revenue(&format));
        let doc = parse(&svg);
        let (x0, y0, x1, y1) = plot(&doc);
        let inside = |x: f64, y: f64| {
            (x0..=x1).contains(&x) && (y0..=y1).contains(&y) || panic!("({x}, {y}) outside")
        };
        let dots: Vec<_> = drawn(&doc, "ch-dot").collect();
        assert_eq!(dots.len(), 3, "a dot on each actual year");
        for d in &dots {
            inside(num(d, "cx"), num(d, "cy"));
        }
        // The lines' every vertex, and the highest (the target, 430亿元 on an axis to
        // 500亿元) below the top.
        let mut highest = f64::MAX;
        for path in drawn(&doc, "ch-line") {
            let d = path.attribute("d").unwrap().replace(['M', 'L'], " ");
            let n: Vec<f64> = d.split_whitespace().map(|t| t.parse().unwrap()).collect();
            for xy in n.chunks(2) {
                inside(xy[0], xy[1]);
                highest = highest.min(xy[1]);
            }
        }
        let top_of_target = y1 - 43.0 / 50.0 * (y1 - y0);
        assert!((highest - top_of_target).abs() < 0.1, "{highest}");
        // Years in order from left to right, one apart.
        let years: Vec<String> = texts(&doc)
            .into_iter()
            .filter(|t| t.starts_with("20") && t.len() == 4)
            .collect();
        assert_eq!(
            years,
            ["2022", "2023", "2024", "2025", "2026", "2027", "2028"]
        );
        // The axis by 100亿元 up to 500亿元, written by the caller's formatter.
        let ticks: Vec<String> = with_class(&doc, "ch-tick")
            .filter(|t| t.attribute("text-anchor") == Some("end"))
            .map(|t| t.text().unwrap().to_string())
            .collect();
        assert_eq!(
            ticks,
            [
                "0亿元",
                "100亿元",
                "200亿元",
                "300亿元",
                "400亿元",
                "500亿元"
            ]
        );
        // Each line in the legend by its name, beside a sample of its pattern.
        let legend: Vec<String> = with_class(&doc, "ch-legend")
            .map(|t| t.text().unwrap().to_string())
            .collect();
        assert_eq!(legend, ["实际", "目标", "P50", "P90", "achieved"]);
        let patterns: Vec<Option<&str>> = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "line" && n.has_attribute("stroke-width"))
            .map(|n| n.attribute("stroke-dasharray"))
            .collect();
        assert_eq!(patterns.len(), 5);
        let mut distinct = patterns.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 5, "{patterns:?}");
        assert_eq!(patterns[0], None, "the actual figures are solid");
        assert!(texts(&doc).contains(&"2028 · 430亿元".to_string()));
    }

    #[test]
    fn every_text_is_escaped() {
        let evil = r#"<b>&"x"</b>"#;
        let format = |_: f64| evil.to_string();
        let mut chart = revenue(&format);
        chart.title = evil.into();
        chart.unit = evil.into();
        chart.series[0].label = evil.into();
        chart.target.as_mut().unwrap().label = evil.into();
        let svg = line_chart(&chart);
        assert!(!svg.contains("<b>"));
        assert!(svg.contains("&lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt;"));
        let doc = parse(&svg);
        assert_eq!(doc.root_element().attribute("aria-label"), Some(evil));
        assert!(texts(&doc).iter().filter(|t| *t == evil).count() >= 4);
        let bars = bar_chart(&BarChart {
            title: evil.into(),
            rows: vec![BarRow {
                label: "<&>".into(),
                value: 1.0,
                text: "<&>".into(),
            }],
            no_data: evil.into(),
        });
        assert!(bars.contains("&lt;&amp;&gt;") && !bars.contains("<&>"));
        let doc = parse(&bars);
        assert_eq!(texts(&doc), ["<&>", "<&>"]);
        // Control characters XML cannot hold are left out.
        let doc_text = line_chart(&LineChart {
            title: "a\u{1}b\u{7f}".into(),
            ..revenue(&count)
        });
        assert_eq!(
            parse(&doc_text).root_element().attribute("aria-label"),
            Some("ab")
        );
    }

    #[test]
    fn without_points_the_chart_says_so() {
        let mut chart = revenue(&count);
        chart.no_data = "暂无数据 & <none>".into();
        for s in &mut chart.series {
            s.points.clear();
        }
        // A target alone is no data to draw.
        let svg = line_chart(&chart);
        let doc = parse(&svg);
        assert_eq!(texts(&doc), ["暂无数据 & <none>"]);
        assert_eq!(with_class(&doc, "ch-frame").count(), 1);
        chart.series.clear();
        chart.target = None;
        assert_eq!(texts(&parse(&line_chart(&chart))), ["暂无数据 & <none>"]);
        // Points that are not numbers are none either.
        chart.series.push(Series {
            label: "x".into(),
            kind: SeriesKind::Actual,
            points: vec![(2024, f64::NAN)],
        });
        assert_eq!(texts(&parse(&line_chart(&chart))), ["暂无数据 & <none>"]);
        let bars = bar_chart(&BarChart {
            title: "t".into(),
            rows: vec![],
            no_data: "no data".into(),
        });
        assert_eq!(texts(&parse(&bars)), ["no data"]);
    }

    #[test]
    fn one_year_sits_in_the_middle_and_zeros_on_the_axis() {
        let chart = LineChart {
            title: "t".into(),
            unit: "u".into(),
            series: vec![
                Series {
                    label: "a".into(),
                    kind: SeriesKind::Actual,
                    points: vec![(2024, 0.0)],
                },
                Series {
                    label: "p".into(),
                    kind: SeriesKind::ProjectionP50,
                    points: vec![(2024, -5.0)],
                },
            ],
            target: None,
            no_data: "none".into(),
            format: &count,
            whole: true,
        };
        let svg = line_chart(&chart);
        let doc = parse(&svg);
        let (x0, _, x1, y1) = plot(&doc);
        let dots: Vec<_> = drawn(&doc, "ch-dot").collect();
        assert_eq!(dots.len(), 2, "a line of one point is drawn as its dot");
        for d in dots {
            assert!((num(&d, "cx") - (x0 + x1) / 2.0).abs() < 0.1);
            assert!(
                (num(&d, "cy") - y1).abs() < 0.1,
                "zero, and below it, at the axis"
            );
        }
        let ticks: Vec<_> = with_class(&doc, "ch-tick")
            .map(|t| t.text().unwrap().to_string())
            .collect();
        assert_eq!(ticks, ["0", "2024"], "all zero: the axis says only 0");
    }

    #[test]
    fn many_years_label_every_other_and_the_last() {
        let chart = LineChart {
            title: "t".into(),
            unit: "u".into(),
            series: vec![Series {
                label: "a".into(),
                kind: SeriesKind::Actual,
                points: (2010..=2030).map(|y| (y, f64::from(y - 2000))).collect(),
            }],
            target: None,
            no_data: "none".into(),
            format: &count,
            whole: true,
        };
        let svg = line_chart(&chart);
        let doc = parse(&svg);
        let years: Vec<i32> = with_class(&doc, "ch-tick")
            .filter(|t| t.attribute("text-anchor") == Some("middle"))
            .map(|t| t.text().unwrap().parse().unwrap())
            .collect();
        assert_eq!(years.last(), Some(&2030));
        assert!(years.len() < 21 && years.len() > 4, "{years:?}");
        let ticks = doc
            .descendants()
            .filter(|n| n.attribute("y2").is_some() && n.attribute("x1") == n.attribute("x2"))
            .count();
        assert_eq!(ticks, 21, "a tick for every year");
    }

    #[test]
    fn bars_are_as_long_as_their_values_and_written_at_their_ends() {
        let row = |label: &str, value: f64| BarRow {
            label: label.into(),
            value,
            text: format!("{value} 家"),
        };
        let chart = BarChart {
            title: "亩均评价".into(),
            rows: vec![
                row("A", 12.0),
                row("B", 48.0),
                row("C", 24.0),
                row("D", 0.0),
                row("上游（原料药、医药中间体、制剂及其他很长的说明文字）", 6.0),
            ],
            no_data: "none".into(),
        };
        let svg = bar_chart(&chart);
        let doc = parse(&svg);
        let bars: Vec<_> = with_class(&doc, "ch-bar").collect();
        let widths: Vec<f64> = bars.iter().map(|b| num(b, "width")).collect();
        assert_eq!(widths[3], 0.0);
        assert!((widths[0] * 4.0 - widths[1]).abs() < 0.2, "{widths:?}");
        assert!((widths[2] * 2.0 - widths[1]).abs() < 0.2, "{widths:?}");
        let values: Vec<_> = with_class(&doc, "ch-value").collect();
        for (bar, value) in bars.iter().zip(&values) {
            let end = num(bar, "x") + num(bar, "width");
            assert!((num(value, "x") - end - 6.0).abs() < 0.1);
            assert!(num(value, "x") + text_width(value.text().unwrap(), FONT) <= WIDTH);
        }
        assert_eq!(values[1].text(), Some("48 家"));
        // The long label wraps onto lines that fit left of the bars.
        let long = with_class(&doc, "ch-label").nth(4).unwrap();
        let lines: Vec<&str> = long.children().filter_map(|t| t.text()).collect();
        assert!(lines.len() > 1, "{lines:?}");
        assert!(
            lines
                .iter()
                .all(|l| text_width(l, FONT) <= num(&bars[0], "x") - 10.0)
        );
        assert_eq!(
            lines.concat(),
            "上游（原料药、医药中间体、制剂及其他很长的说明文字）"
        );
    }
}
