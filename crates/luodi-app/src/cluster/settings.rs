//! The cluster's settings as a zone administrator keeps them: which industry classes make
//! the cluster, the ramp to full production, the department a failed post-completion
//! check's blocker goes to; the 亩均 scheme, the zone's and a year's own; what the zone knows of a
//! year beyond its enterprises (a declared count of market entities, the city's totals);
//! and the targets one by one. Each write is checked whole (every field at fault named),
//! then stored and audited by the store.

use luodi_domain::cluster::figures::{CityTotals, Cluster};
use luodi_domain::cluster::mu::Scheme;
use luodi_domain::cluster::targets::Ramp;
use luodi_domain::core::money::Fen;
use luodi_domain::{Operation, Text, ZoneId};
use luodi_store::cluster::settings::{ClusterSettings, KpiTarget, YearKnown};

use super::ClusterError;
use super::dashboard::{TargetInput, put_targets, zone_of};
use crate::{App, Caller};

/// What the settings page shows.
pub struct SettingsView {
    pub zone: ZoneId,
    pub settings: ClusterSettings,
    pub years: Vec<YearKnown>,
    pub targets: Vec<KpiTarget>,
    /// The 亩均 schemes set for particular years (the zone's own is `settings.scheme`).
    pub schemes: Vec<(i32, Scheme)>,
    /// The zone's departments: (id, code, Chinese name, English name).
    pub departments: Vec<(i64, String, String, String)>,
}

pub async fn view(app: &App, caller: &Caller) -> Result<SettingsView, ClusterError> {
    let zone = zone_of(app, caller, Operation::ManageCluster).await?;
    Ok(SettingsView {
        zone,
        settings: app.store.cluster_settings(zone).await?,
        years: app.store.cluster_years(zone).await?,
        targets: app.store.kpi_targets(zone).await?,
        schemes: app.store.cluster_schemes(zone).await?,
        departments: app
            .store
            .departments(zone)
            .await?
            .into_iter()
            .map(|d| (d.id.0, d.code, d.name_zh, d.name_en))
            .collect(),
    })
}

/// The general settings as a form sends them.
pub struct GeneralInput {
    /// Industry classes, separated by commas, spaces or new lines.
    pub classes: String,
    /// `40/80/100`.
    pub ramp: String,
    /// A department's code, or empty for the default.
    pub completion_department: String,
}

/// Sets the cluster's classes, ramp and checks' department; audited.
pub async fn set_general(
    app: &App,
    caller: &Caller,
    input: &GeneralInput,
) -> Result<(), ClusterError> {
    let zone = caller.zone_for(Operation::ManageCluster)?;
    let mut settings = app.store.cluster_settings(zone).await?;
    let mut problems: Vec<(String, Text)> = Vec::new();
    let codes: Vec<&str> = input
        .classes
        .split(|c: char| c == ',' || c == '，' || c.is_whitespace())
        .filter(|c| !c.is_empty())
        .collect();
    match Cluster::parse(codes) {
        Ok(c) => settings.cluster = c,
        Err(texts) => problems.extend(texts.into_iter().map(|t| ("classes".to_string(), t))),
    }
    match Ramp::parse(input.ramp.trim()) {
        Ok(r) => settings.ramp = r,
        Err(t) => problems.push(("ramp".into(), t)),
    }
    let code = input.completion_department.trim();
    settings.completion_department_id = if code.is_empty() {
        None
    } else {
        match app
            .store
            .departments(zone)
            .await?
            .into_iter()
            .find(|d| d.code == code)
        {
            Some(d) => Some(d.id.0),
            None => {
                problems.push((
                    "completion_department".into(),
                    Text::fill("cluster.error.department", &[("code", code)]),
                ));
                None
            }
        }
    };
    if !problems.is_empty() {
        return Err(ClusterError::Fields(problems));
    }
    app.store
        .set_cluster_settings(&caller.actor, zone, &settings)
        .await?;
    Ok(())
}

/// A year's known figures as a form sends them: counts as whole numbers, money in 万元;
/// blank is not known.
pub struct YearInput {
    pub year: String,
    pub declared_entities: String,
    pub city_entities: String,
    pub city_output_wan: String,
    pub city_revenue_wan: String,
    pub city_tax_wan: String,
}

/// Sets what the zone knows of a year; audited.
pub async fn set_year(app: &App, caller: &Caller, input: &YearInput) -> Result<i32, ClusterError> {
    let zone = caller.zone_for(Operation::ManageCluster)?;
    let mut problems: Vec<(String, Text)> = Vec::new();
    let year = match input.year.trim().parse::<i32>() {
        Ok(y) if luodi_domain::cluster::period::YEARS.contains(&y) => y,
        _ => {
            problems.push(("year".into(), Text::key("rules.target.year_out_of_range")));
            0
        }
    };
    let mut count = |field: &str, v: &str| -> Option<i64> {
        let v = v.trim();
        if v.is_empty() {
            return None;
        }
        match v.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                problems.push((field.into(), Text::key("cluster.error.count")));
                None
            }
        }
    };
    let declared = count("declared_entities", &input.declared_entities);
    let city_entities = count("city_entities", &input.city_entities);
    let mut money = |field: &str, v: &str| -> Option<Fen> {
        let v = v.trim();
        if v.is_empty() {
            return None;
        }
        match Fen::parse_wan(v) {
            Ok(f) if f.0 > 0 => Some(f),
            _ => {
                problems.push((field.into(), Text::key("cluster.error.wan")));
                None
            }
        }
    };
    let city = CityTotals {
        entities: city_entities,
        output: money("city_output_wan", &input.city_output_wan),
        revenue: money("city_revenue_wan", &input.city_revenue_wan),
        tax: money("city_tax_wan", &input.city_tax_wan),
    };
    if !problems.is_empty() {
        return Err(ClusterError::Fields(problems));
    }
    app.store
        .set_cluster_year(
            &caller.actor,
            zone,
            &YearKnown {
                year,
                declared_entities: declared,
                city,
            },
        )
        .await?;
    Ok(year)
}

/// A stored target as the form and the API write it.
pub fn input_of(t: &KpiTarget, departments: &[(i64, String, String, String)]) -> TargetInput {
    let money = luodi_domain::cluster::figures::Figure::parse(&t.figure)
        .is_none_or(luodi_domain::cluster::figures::Figure::is_money);
    let value = |n: i64| {
        if money {
            Fen(n).wan_text()
        } else {
            n.to_string()
        }
    };
    TargetInput {
        code: t.code.clone(),
        figure: t.figure.clone(),
        name_zh: t.name_zh.clone(),
        name_en: t.name_en.clone(),
        definition_zh: t.definition_zh.clone(),
        definition_en: t.definition_en.clone(),
        owner_department: t
            .owner_department_id
            .and_then(|id| departments.iter().find(|d| d.0 == id).map(|d| d.1.clone())),
        baseline_year: t.baseline_year,
        baseline_value: value(t.baseline_value),
        target_year: t.target_year,
        target_value: value(t.target_value),
        yellow_margin_pp: t.yellow_margin_bp as f64 / 100.0,
        alarm_growth_pct: t.alarm_growth_bp.map(|b| b as f64 / 100.0),
        excellence_growth_pct: t.excellence_growth_bp.map(|b| b as f64 / 100.0),
    }
}

/// Adds a target or changes the one with its code (`replacing` names the code the form
/// edited, which the input may rename); the others are kept as they are. `unread` names
/// the fields the form could not read (a year or a percentage that is not a number):
/// then nothing is written, and they are refused beside what the rules find at fault in
/// the rest. Field problems are named without the `targets[i].` prefix the whole list's
/// check gives them.
pub async fn save_target(
    app: &App,
    caller: &Caller,
    replacing: Option<&str>,
    input: TargetInput,
    unread: Vec<(String, Text)>,
) -> Result<(), ClusterError> {
    let view = view(app, caller).await?;
    let zone = caller.zone_for(Operation::ManageCluster)?;
    let mut problems = unread;
    if replacing != Some(input.code.as_str()) && view.targets.iter().any(|t| t.code == input.code) {
        problems.push(("code".into(), Text::key("cluster.error.code_twice")));
    }
    if let Err(ClusterError::Fields(found)) =
        super::dashboard::checked(app, zone, std::slice::from_ref(&input)).await
    {
        for (f, t) in found {
            let f = f.strip_prefix("targets[0].").unwrap_or(&f).to_string();
            if problems.iter().all(|(held, _)| *held != f) {
                problems.push((f, t));
            }
        }
    }
    if !problems.is_empty() {
        return Err(ClusterError::Fields(problems));
    }
    let mut all: Vec<TargetInput> = view
        .targets
        .iter()
        .filter(|t| Some(t.code.as_str()) != replacing && t.code != input.code)
        .map(|t| input_of(t, &view.departments))
        .collect();
    all.push(input);
    put_targets(app, caller, &all).await.map(|_| ())
}

/// Removes the target with `code`; audited.
pub async fn remove_target(app: &App, caller: &Caller, code: &str) -> Result<(), ClusterError> {
    let view = view(app, caller).await?;
    if !view.targets.iter().any(|t| t.code == code) {
        return Err(ClusterError::Store(luodi_store::StoreError::NotFound));
    }
    let rest: Vec<TargetInput> = view
        .targets
        .iter()
        .filter(|t| t.code != code)
        .map(|t| input_of(t, &view.departments))
        .collect();
    put_targets(app, caller, &rest).await.map(|_| ())
}

/// A 亩均 scheme as its form sends it. `year` blank sets the zone's scheme (what a year
/// without its own is rated on); a weight left blank or 0 leaves the indicator out of
/// its group. Fields: `method` (`min_max` or `benchmark`), `cap`, `revenue_line_wan`,
/// `band_a`, `band_b`, `band_c` (per cent of a group's ranks), and for each group and
/// indicator `{group}_{indicator}` (its weight) and `{group}_{indicator}_benchmark` (R&D
/// intensity's in per cent).
pub struct SchemeInput {
    pub year: String,
    pub fields: std::collections::HashMap<String, String>,
}

/// The form's field of a scheme's problem: the group's for its weights, an indicator's
/// benchmark, the cap, the first band, the revenue line.
fn scheme_field(e: &luodi_domain::cluster::mu::SchemeError, scheme: &Scheme) -> String {
    use luodi_domain::cluster::mu::SchemeError as E;
    match e {
        E::Weights { group, .. } | E::Empty { group } | E::Twice { group, .. } => group.to_string(),
        E::Benchmark { indicator } => {
            let group = if scheme
                .above
                .iter()
                .any(|w| w.indicator.name() == *indicator)
            {
                "above"
            } else {
                "below"
            };
            format!("{group}_{indicator}_benchmark")
        }
        E::Cap(_) => "cap".into(),
        E::Bands(_) => "band_a".into(),
        E::RevenueLine => "revenue_line_wan".into(),
    }
}

/// Reads and checks a scheme from its form: every field at fault named.
pub fn scheme_of(input: &SchemeInput) -> Result<(Option<i32>, Scheme), ClusterError> {
    use luodi_domain::cluster::mu::{Indicator, Method, Weighted};
    let get = |k: &str| input.fields.get(k).map(|v| v.trim()).unwrap_or("");
    let mut problems: Vec<(String, Text)> = Vec::new();
    let year = match input.year.trim() {
        "" => None,
        y => match y.parse::<i32>() {
            Ok(y) if luodi_domain::cluster::period::YEARS.contains(&y) => Some(y),
            _ => {
                problems.push(("year".into(), Text::key("rules.target.year_out_of_range")));
                None
            }
        },
    };
    let number = |k: &str, problems: &mut Vec<(String, Text)>| -> Option<f64> {
        let v = get(k);
        if v.is_empty() {
            return None;
        }
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() && x >= 0.0 => Some(x),
            _ => {
                problems.push((k.into(), Text::key("cluster.error.scheme_number")));
                None
            }
        }
    };
    let method = match get("method") {
        "benchmark" => Method::Benchmark {
            cap: number("cap", &mut problems).unwrap_or(1.2),
        },
        _ => Method::MinMax,
    };
    let revenue_line = match Fen::parse_wan(get("revenue_line_wan")) {
        Ok(f) => f,
        Err(_) => {
            problems.push((
                "revenue_line_wan".into(),
                Text::key("rules.mu.error.revenue_line"),
            ));
            Fen(0)
        }
    };
    let mut bands = [0u32; 3];
    for (i, k) in ["band_a", "band_b", "band_c"].iter().enumerate() {
        match get(k).parse::<u32>() {
            Ok(b) => bands[i] = b,
            Err(_) => problems.push((k.to_string(), Text::key("cluster.error.scheme_band"))),
        }
    }
    let mut groups: [Vec<Weighted>; 2] = [Vec::new(), Vec::new()];
    for (g, group) in ["above", "below"].iter().enumerate() {
        for indicator in Indicator::ALL {
            let k = format!("{group}_{}", indicator.name());
            let weight = match get(&k) {
                "" => 0,
                v => match v.parse::<u32>() {
                    Ok(w) if w <= 100 => w,
                    _ => {
                        problems.push((k.clone(), Text::key("cluster.error.scheme_weight")));
                        0
                    }
                },
            };
            // R&D intensity's benchmark is written in per cent; the rules read a fraction.
            let benchmark = number(&format!("{k}_benchmark"), &mut problems).map(|b| {
                if indicator == Indicator::RdIntensity {
                    b / 100.0
                } else {
                    b
                }
            });
            if weight > 0 {
                groups[g].push(Weighted {
                    indicator,
                    weight,
                    benchmark,
                });
            }
        }
    }
    let [above, below] = groups;
    let scheme = Scheme {
        method,
        above,
        below,
        revenue_line,
        bands,
    };
    if problems.is_empty()
        && let Err(found) = scheme.check()
    {
        for e in found {
            problems.push((scheme_field(&e, &scheme), e.text()));
        }
    }
    if problems.is_empty() {
        Ok((year, scheme))
    } else {
        Err(ClusterError::Fields(problems))
    }
}

/// Sets the zone's 亩均 scheme, or a year's own (`remove`: the year goes back to the
/// zone's); audited. Returns the year set, if a year's.
pub async fn set_scheme(
    app: &App,
    caller: &Caller,
    input: &SchemeInput,
    remove: bool,
) -> Result<Option<i32>, ClusterError> {
    let zone = caller.zone_for(Operation::ManageCluster)?;
    if remove {
        let Ok(year) = input.year.trim().parse::<i32>() else {
            return Err(ClusterError::field(
                "year",
                Text::key("rules.target.year_out_of_range"),
            ));
        };
        if !app
            .store
            .cluster_schemes(zone)
            .await?
            .iter()
            .any(|(y, _)| *y == year)
        {
            return Err(ClusterError::Store(luodi_store::StoreError::NotFound));
        }
        app.store
            .set_cluster_scheme(&caller.actor, zone, year, None)
            .await?;
        return Ok(Some(year));
    }
    let (year, scheme) = scheme_of(input)?;
    match year {
        Some(y) => {
            app.store
                .set_cluster_scheme(&caller.actor, zone, y, Some(&scheme))
                .await?
        }
        None => {
            let mut settings = app.store.cluster_settings(zone).await?;
            settings.scheme = scheme;
            app.store
                .set_cluster_settings(&caller.actor, zone, &settings)
                .await?
        }
    }
    Ok(year)
}
