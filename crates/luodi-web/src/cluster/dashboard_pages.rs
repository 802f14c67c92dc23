//! `/cluster`: the cluster's dashboard for the zone's leadership — a card per target (its
//! definition, unit and owner; the growth still needed against the growth achieved, in
//! one sentence; its light; the latest year's growth against the card's alarm and
//! excellence thresholds; what the projects on hand add by the target year), each
//! target's chart with the same figures as a table beside it, the cluster's figures year
//! by year (exported as CSV and XLSX), and the latest year broken down by chain position
//! and by 亩均 class.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use luodi_app::cluster::dashboard::{self, CardState, Dashboard, TargetView};
use luodi_app::core::table::ExportFormat;
use luodi_domain::Lang;
use luodi_domain::cluster::figures::Figure;
use luodi_domain::cluster::targets::{Light, cagr};
use luodi_domain::core::i18n::fill;

use super::charts::{self, BarChart, BarRow, LineChart, Series, SeriesKind, TargetMark};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{PageUser, QueryParams};
use crate::i18n::Tr;
use crate::pages::{Layout, Refusal, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cluster", get(show))
        .route("/cluster/export.csv", get(export_csv))
        .route("/cluster/export.xlsx", get(export_xlsx))
}

/// A figure as a leader reads it: money in 亿元 (billions of yuan in English), entities
/// as a count.
pub fn figure_words(lang: Lang, figure: Figure, value: f64) -> String {
    if figure.is_money() {
        money_words(lang, value)
    } else {
        fill(
            lang,
            "cluster.dashboard.entities_value",
            &[("value", &format!("{}", value.round() as i64))],
        )
    }
}

/// Yuan in 亿元 (zh) or billions (en), with at most two decimals, none when whole.
pub fn money_words(lang: Lang, yuan: f64) -> String {
    let unit = if lang == Lang::Zh { 1e8 } else { 1e9 };
    let v = (yuan / unit * 100.0).round() / 100.0;
    let text = if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').to_string()
    };
    fill(lang, "cluster.dashboard.money_value", &[("value", &text)])
}

/// A fraction as a percentage with one decimal: `0.3077` → `30.8`.
pub fn pct(f: f64) -> String {
    format!("{:.1}", f * 100.0)
}

/// A growth as a signed percentage: `+12.3 %`, `−4.0 %`.
fn signed_pct(f: f64) -> String {
    if f < 0.0 {
        format!("−{} %", pct(-f))
    } else {
        format!("+{} %", pct(f))
    }
}

/// A line of a chart: (year, value) points.
type Line = Vec<(i32, f64)>;

/// One row of a target's table: a year with each line's value, as written.
struct TargetRow {
    year: i32,
    actual: String,
    path: String,
    p50: String,
    p90: String,
    achieved: String,
}

/// A phase that adds most to a target.
struct ContributorLine {
    project_id: i64,
    project: String,
    phase: String,
    adds: String,
    p50: String,
    p90: String,
}

/// A KPI card and its chart.
struct Card {
    code: String,
    name: String,
    definition: String,
    unit: String,
    owner: Option<String>,
    light: &'static str,
    light_text: String,
    sentence: String,
    latest: String,
    growth: Option<String>,
    card_state: &'static str,
    card_text: String,
    thresholds: Option<String>,
    projection: Option<String>,
    pipeline: Option<String>,
    unforecast: Option<String>,
    chart: String,
    rows: Vec<TargetRow>,
    contributors: Vec<ContributorLine>,
}

/// A year of the cluster's figures, as written.
struct FigureRow {
    year: i32,
    entities_note: Option<String>,
    cells: Vec<(String, String, String)>,
    reporting: i64,
    incomplete: i64,
}

#[derive(Template)]
#[template(path = "cluster_dashboard.html")]
struct DashboardPage {
    l: Layout,
    years: Vec<i32>,
    query: String,
    classes: String,
    cards: Vec<Card>,
    figures: Vec<FigureRow>,
    figure_heads: Vec<String>,
    position_chart: String,
    positions: Vec<(String, usize, String)>,
    class_chart: String,
    class_rows: Vec<(String, usize, String)>,
    breakdown_year: i32,
    manage: bool,
    ramp: String,
    /// The span's two fields, each with its error if refused.
    spans: Vec<SpanField>,
}

/// A year of the span chooser: `from` or `to`.
struct SpanField {
    name: &'static str,
    label: &'static str,
    chosen: i32,
    error: Option<String>,
}

fn light_class(l: Light) -> &'static str {
    match l {
        Light::Green => "done",
        Light::Yellow => "due",
        Light::Red => "overdue",
        Light::NoData => "muted",
    }
}

fn card(lang: Lang, tr: &Tr, v: &TargetView) -> Card {
    let t = &v.target;
    let f = v.figure;
    let rules = v.rules();
    let words = |x: f64| figure_words(lang, f, x);
    let name = tr.pick(&t.name_zh, &t.name_en).to_string();
    let p = &v.progress;
    let sentence = match (p.needed_rate, p.achieved_rate) {
        (Some(n), Some(a)) => fill(
            lang,
            "cluster.dashboard.sentence",
            &[
                ("name", &name),
                ("year", &t.target_year.to_string()),
                ("value", &words(rules.target_value)),
                ("needed", &pct(n)),
                ("achieved", &pct(a)),
            ],
        ),
        (Some(n), None) => fill(
            lang,
            "cluster.dashboard.sentence_needed",
            &[
                ("name", &name),
                ("year", &t.target_year.to_string()),
                ("value", &words(rules.target_value)),
                ("needed", &pct(n)),
            ],
        ),
        (None, _) => match p.latest {
            Some((y, value)) if y >= t.target_year => fill(
                lang,
                if value >= rules.target_value {
                    "cluster.dashboard.sentence_reached"
                } else {
                    "cluster.dashboard.sentence_missed"
                },
                &[
                    ("name", &name),
                    ("year", &t.target_year.to_string()),
                    ("value", &words(rules.target_value)),
                    ("actual", &words(value)),
                ],
            ),
            _ => fill(
                lang,
                "cluster.dashboard.sentence_no_data",
                &[
                    ("name", &name),
                    ("year", &t.target_year.to_string()),
                    ("value", &words(rules.target_value)),
                ],
            ),
        },
    };
    let latest = match p.latest {
        Some((y, value)) => fill(
            lang,
            "cluster.dashboard.latest",
            &[("year", &y.to_string()), ("value", &words(value))],
        ),
        None => tr.t("cluster.dashboard.no_actual").to_string(),
    };
    let (card_state, card_key) = match v.card {
        CardState::Alarm => ("overdue", "cluster.dashboard.card.alarm"),
        CardState::Normal => ("", "cluster.dashboard.card.normal"),
        CardState::Excellent => ("done", "cluster.dashboard.card.excellent"),
        CardState::NoData => ("muted", "cluster.dashboard.card.no_data"),
    };
    let thresholds = match (t.alarm_growth_bp, t.excellence_growth_bp) {
        (None, None) => None,
        (a, e) => Some(fill(
            lang,
            "cluster.dashboard.thresholds",
            &[
                (
                    "alarm",
                    &a.map_or_else(|| "—".into(), |a| format!("{:.1}", a as f64 / 100.0)),
                ),
                (
                    "excellence",
                    &e.map_or_else(|| "—".into(), |e| format!("{:.1}", e as f64 / 100.0)),
                ),
            ],
        )),
    };
    let projection = match (p.projected, p.achieved_rate, p.needed_rate) {
        (Some(x), Some(_), Some(_)) => Some(fill(
            lang,
            "cluster.dashboard.projection",
            &[("year", &t.target_year.to_string()), ("value", &words(x))],
        )),
        _ => None,
    };
    let pipeline = v.gap.filter(|_| f != Figure::Entities).map(|g| {
        let verdict = |closed: bool| {
            tr.t(if closed {
                "cluster.dashboard.closes"
            } else {
                "cluster.dashboard.falls_short"
            })
            .to_string()
        };
        fill(
            lang,
            "cluster.dashboard.pipeline",
            &[
                ("year", &t.target_year.to_string()),
                ("p50", &words(g.added_p50)),
                ("p90", &words(g.added_p90)),
                ("gap", &words(g.gap.max(0.0))),
                ("p50_verdict", &verdict(g.closed_p50)),
                ("p90_verdict", &verdict(g.closed_p90)),
            ],
        )
    });
    let unforecast = (v.unforecast > 0 && f != Figure::Entities).then(|| {
        fill(
            lang,
            "cluster.dashboard.unforecast",
            &[("n", &v.unforecast.to_string())],
        )
    });

    // The lines: the actuals; the path from the baseline to the target at the needed
    // compound rate; from the latest actual, what the projects add at P50 and P90; and
    // growth at the rate achieved.
    let path_rate = cagr(
        rules.baseline_value,
        rules.target_value,
        t.target_year - t.baseline_year,
    );
    let path: Vec<(i32, f64)> = path_rate
        .map(|r| {
            (t.baseline_year..=t.target_year)
                .map(|y| {
                    (
                        y,
                        rules.baseline_value * (1.0 + r).powi(y - t.baseline_year),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let (p50, p90): (Line, Line) = match p.latest {
        Some(latest) if f != Figure::Entities && !v.pipeline.is_empty() => (
            std::iter::once(latest)
                .chain(v.pipeline.iter().map(|a| (a.year, latest.1 + a.p50)))
                .collect(),
            std::iter::once(latest)
                .chain(v.pipeline.iter().map(|a| (a.year, latest.1 + a.p90)))
                .collect(),
        ),
        _ => (Vec::new(), Vec::new()),
    };
    let achieved: Vec<(i32, f64)> = match (p.latest, p.achieved_rate) {
        (Some((y, value)), Some(r)) if y < t.target_year => (y..=t.target_year)
            .map(|k| (k, value * (1.0 + r).powi(k - y)))
            .collect(),
        _ => Vec::new(),
    };
    let unit = tr
        .t(if f.is_money() {
            if lang == Lang::Zh {
                "cluster.dashboard.unit_yi"
            } else {
                "cluster.dashboard.unit_bn"
            }
        } else {
            "cluster.dashboard.unit_entities"
        })
        .to_string();
    let scale = if !f.is_money() {
        1.0
    } else if lang == Lang::Zh {
        1e8
    } else {
        1e9
    };
    let axis_words = move |x: f64| {
        let v = x / scale;
        if v.fract() == 0.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.1}")
        }
    };
    let series = vec![
        Series {
            label: tr.t("cluster.dashboard.line.actual").into(),
            kind: SeriesKind::Actual,
            points: v.actuals.clone(),
        },
        Series {
            label: tr.t("cluster.dashboard.line.path").into(),
            kind: SeriesKind::Target,
            points: path.clone(),
        },
        Series {
            label: tr.t("cluster.dashboard.line.p50").into(),
            kind: SeriesKind::ProjectionP50,
            points: p50.clone(),
        },
        Series {
            label: tr.t("cluster.dashboard.line.p90").into(),
            kind: SeriesKind::ProjectionP90,
            points: p90.clone(),
        },
        Series {
            label: tr.t("cluster.dashboard.line.achieved").into(),
            kind: SeriesKind::Achieved,
            points: achieved.clone(),
        },
    ];
    let chart = charts::line_chart(&LineChart {
        title: name.clone(),
        unit: unit.clone(),
        series,
        target: Some(TargetMark {
            year: t.target_year,
            value: rules.target_value,
            label: fill(
                lang,
                "cluster.dashboard.target_mark",
                &[
                    ("year", &t.target_year.to_string()),
                    ("value", &words(rules.target_value)),
                ],
            ),
        }),
        no_data: tr.t("cluster.dashboard.no_actual").into(),
        format: &axis_words,
        whole: !f.is_money(),
    });
    let at = |line: &[(i32, f64)], y: i32| {
        line.iter()
            .find(|p| p.0 == y)
            .map_or_else(String::new, |p| words(p.1))
    };
    let first = t.baseline_year;
    let last = t
        .target_year
        .max(v.actuals.iter().map(|a| a.0).max().unwrap_or(first));
    let rows = (first..=last)
        .map(|y| TargetRow {
            year: y,
            actual: at(&v.actuals, y),
            path: at(&path, y),
            p50: at(&p50, y),
            p90: at(&p90, y),
            achieved: at(&achieved, y),
        })
        .collect();
    let contributors = v
        .contributors
        .iter()
        .map(|c| ContributorLine {
            project_id: c.project_id,
            project: c.project.clone(),
            phase: c.phase.clone(),
            adds: words(c.adds),
            p50: c.p50.to_string(),
            p90: c.p90.to_string(),
        })
        .collect();
    Card {
        code: t.code.clone(),
        name,
        definition: tr.pick(&t.definition_zh, &t.definition_en).to_string(),
        unit,
        owner: t
            .owner_department
            .as_ref()
            .map(|(zh, en)| tr.pick(zh, en).to_string()),
        light: light_class(p.light),
        light_text: p.light.label().get(lang).to_string(),
        sentence,
        latest,
        growth: v.latest_growth.map(signed_pct),
        card_state,
        card_text: tr.t(card_key).to_string(),
        thresholds,
        projection,
        pipeline,
        unforecast,
        chart,
        rows,
        contributors,
    }
}

fn figure_rows(lang: Lang, d: &Dashboard) -> Vec<FigureRow> {
    let money = [Figure::Output, Figure::Revenue, Figure::Tax];
    d.figures
        .years
        .iter()
        .enumerate()
        .map(|(i, y)| {
            let point = |f: Figure| {
                d.figures
                    .series
                    .iter()
                    .find(|(sf, _)| *sf == f)
                    .and_then(|(_, s)| s.get(i))
                    .copied()
            };
            let share = |p: Option<luodi_domain::cluster::figures::Point>| {
                p.and_then(|p| p.share)
                    .map_or_else(String::new, |s| format!("{} %", pct(s)))
            };
            let growth = |p: Option<luodi_domain::cluster::figures::Point>| {
                p.and_then(|p| p.growth)
                    .map_or_else(String::new, signed_pct)
            };
            let entities = point(Figure::Entities);
            let mut cells = vec![(
                y.totals.entities().to_string(),
                growth(entities),
                share(entities),
            )];
            for f in money {
                let p = point(f);
                cells.push((
                    p.map_or_else(String::new, |p| money_words(lang, p.value)),
                    growth(p),
                    share(p),
                ));
            }
            FigureRow {
                year: y.year,
                entities_note: y.totals.declared.map(|declared| {
                    fill(
                        lang,
                        "cluster.dashboard.declared",
                        &[
                            ("declared", &declared.to_string()),
                            ("counted", &y.totals.counted.to_string()),
                        ],
                    )
                }),
                cells,
                reporting: y.totals.reporting,
                incomplete: y.totals.incomplete,
            }
        })
        .collect()
}

async fn show(
    State(state): State<AppState>,
    page: PageUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let lang = page.lang;
    let params = params.with_lang(lang);
    params.only(&["from", "to"])?;
    let from = params.int("from", 1990, 2100)?.map(|y| y as i32);
    let to = params.int("to", 1990, 2100)?.map(|y| y as i32);
    let layout = || {
        Layout::new(
            &state,
            &page,
            "cluster.dashboard.title",
            "nav.kpis",
            "/cluster",
        )
    };
    let caller = page.caller();
    // A span refused (from after to, too long) shows the default span with the error
    // beside the field at fault.
    let (d, span_error, status) = match dashboard::dashboard(&state.app, &caller, from, to).await {
        Ok(d) => (d, None, StatusCode::OK),
        Err(e) => match Refusal::of(lang, e) {
            Refusal::Input(e) => {
                let field = e.body.field.clone().unwrap_or_else(|| "from".to_string());
                match dashboard::dashboard(&state.app, &caller, None, None).await {
                    Ok(d) => (d, Some((field, e.body.message)), StatusCode::BAD_REQUEST),
                    Err(e) => return Refusal::of(lang, e).answer(layout()).await,
                }
            }
            other => return other.answer(layout()).await,
        },
    };
    let l = layout().await;
    let tr = Tr::new(lang);
    let cards: Vec<Card> = d.targets.iter().map(|v| card(lang, &tr, v)).collect();
    let figures = figure_rows(lang, &d);
    let position_words = |p: Option<luodi_domain::core::enterprise::ChainPosition>| match p {
        Some(p) => p.label().get(lang).to_string(),
        None => tr.t("cluster.dashboard.no_position").to_string(),
    };
    let positions: Vec<(String, usize, String)> = d
        .breakdown
        .by_position
        .iter()
        .filter(|(p, n, _)| p.is_some() || *n > 0)
        .map(|(p, n, output)| {
            (
                position_words(*p),
                *n,
                money_words(lang, output.0 as f64 / 100.0),
            )
        })
        .collect();
    let position_chart = charts::bar_chart(&BarChart {
        title: fill(
            lang,
            "cluster.dashboard.by_position",
            &[("year", &d.breakdown.year.to_string())],
        ),
        rows: d
            .breakdown
            .by_position
            .iter()
            .filter(|(p, n, _)| p.is_some() || *n > 0)
            .map(|(p, _, output)| BarRow {
                label: position_words(*p),
                value: output.0 as f64 / 100.0,
                text: money_words(lang, output.0 as f64 / 100.0),
            })
            .collect(),
        no_data: tr.t("cluster.dashboard.no_figures").into(),
    });
    let letters = ["A", "B", "C", "D"];
    let mut class_rows: Vec<(String, usize, String)> = letters
        .iter()
        .zip(d.breakdown.classes)
        .map(|(c, n)| {
            (
                fill(lang, "cluster.dashboard.class", &[("class", c)]),
                n,
                format!("/mu?year={}&class={c}", d.breakdown.year),
            )
        })
        .collect();
    class_rows.push((
        tr.t("cluster.dashboard.unrated").to_string(),
        d.breakdown.unrated,
        format!("/mu?year={}&rated=no", d.breakdown.year),
    ));
    let class_chart = charts::bar_chart(&BarChart {
        title: fill(
            lang,
            "cluster.dashboard.by_class",
            &[("year", &d.breakdown.year.to_string())],
        ),
        rows: class_rows
            .iter()
            .map(|(label, n, _)| BarRow {
                label: label.clone(),
                value: *n as f64,
                text: n.to_string(),
            })
            .collect(),
        no_data: tr.t("cluster.dashboard.no_figures").into(),
    });
    let figure_heads = [Figure::Output, Figure::Revenue, Figure::Tax]
        .iter()
        .map(|f| f.label().get(lang).to_string())
        .collect();
    let last = chrono::Datelike::year(&state.app.today()) - 1;
    let page_out = DashboardPage {
        years: (last - 15..=last).rev().collect(),
        query: format!("from={}&to={}", d.figures.from, d.figures.to),
        classes: d.figures.classes.join(", "),
        cards,
        figures,
        figure_heads,
        position_chart,
        positions,
        class_chart,
        class_rows,
        breakdown_year: d.breakdown.year,
        manage: caller
            .scope_for(luodi_domain::Operation::ManageCluster)
            .is_ok(),
        ramp: d
            .ramp
            .0
            .iter()
            .map(|p| format!("{p} %"))
            .collect::<Vec<_>>()
            .join(" / "),
        spans: [
            ("from", "cluster.dashboard.from", d.figures.from),
            ("to", "cluster.dashboard.to", d.figures.to),
        ]
        .into_iter()
        .map(|(name, label, chosen)| SpanField {
            name,
            label,
            chosen,
            error: span_error
                .as_ref()
                .filter(|(f, _)| f == name)
                .map(|(_, m)| m.clone()),
        })
        .collect(),
        l,
    };
    Ok(render(status, &page_out))
}

async fn export(
    state: AppState,
    page: PageUser,
    params: QueryParams,
    format: ExportFormat,
) -> Result<Response, ApiError> {
    let params = params.with_lang(page.lang);
    params.only(&["from", "to"])?;
    let from = params.int("from", 1990, 2100)?.map(|y| y as i32);
    let to = params.int("to", 1990, 2100)?.map(|y| y as i32);
    let table = dashboard::figures_table(&state.app, &page.caller(), from, to, page.lang)
        .await
        .map_err(|e| ApiError::app(page.lang, e))?;
    Ok(crate::export::response(&table, format))
}

async fn export_csv(
    State(state): State<AppState>,
    page: PageUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    export(state, page, params, ExportFormat::Csv).await
}

async fn export_xlsx(
    State(state): State<AppState>,
    page: PageUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    export(state, page, params, ExportFormat::Xlsx).await
}
