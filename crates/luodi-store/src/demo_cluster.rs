//! The demo zone's cluster numbers, as the brief tells them: the park's revenue about 8 bn
//! yuan in 2022 after 28 % growth, going on to about 15.8 bn in 2025 (made-up figures of
//! the right size), three targets (revenue 40 bn by 2028, output 50 bn by 2029, close to
//! 3,000 market entities by 2027) with the zone's declared entity counts and the city's totals
//! (a third of its entities, a quarter of its output); the enterprises' statistics,
//! yearly up to 2023 and monthly for 2024 and 2025, enough of them that every 亩均 class
//! appears in 2025 (one enterprise's year left incomplete, so "B, not rated" shows too);
//! and one phase long in production on a parcel whose control indicators its enterprise's
//! tax per mu falls short of, so the post-completion check fails. Loaded once (when the
//! zone has no statistics).
//!
//! The enterprises' figures come from [`statistics::synthetic`], scaled year by year to
//! the cluster's totals; their codes are valid by GB 32100 and made up.

use std::collections::BTreeMap;

use luodi_domain::cluster::period::Period;
use luodi_domain::cluster::statistics::{self, Figures, StatRow};
use luodi_domain::core::enterprise::{EnterpriseDraft, EnterpriseInput};
use luodi_domain::core::money::Fen;
use luodi_domain::stewardship::project::PhaseStatus;
use luodi_domain::{Scope, UserId};

use crate::cluster::settings::{KpiTargetInput, YearKnown};
use crate::core::audit::Actor;
use crate::core::orgs::Zone;
use crate::demo::{PastProject, demo_uscc, land_past};
use crate::{Result, Store, StoreError};

/// The cluster's revenue each year from 2021, in 亿元: 2022's 80 after 28 % growth.
const REVENUE_YI: [(i32, f64); 5] = [
    (2021, 62.5),
    (2022, 80.0),
    (2023, 100.0),
    (2024, 126.0),
    (2025, 158.0),
];

/// The zone's declared count of the cluster's market entities, by year.
const DECLARED: [(i32, i64); 5] = [
    (2021, 1_250),
    (2022, 1_600),
    (2023, 1_900),
    (2024, 2_250),
    (2025, 2_600),
];

/// Enterprises generated beside the demo's six.
const MORE: usize = 38;

/// The demo enterprise whose old phase is in production: AstraZeneca.
const IN_PRODUCTION: usize = 1;

/// Its tax per mu in 2025 against the parcel's minimum: short by 40 %.
const TAX_PER_MU_MIN_WAN: f64 = 60.0;
const TAX_SHARE_MET: f64 = 0.6;

/// The project landed long ago whose phase is in production.
const OLD_PROJECT: PastProject<'static> = (
    IN_PRODUCTION,
    "阿斯利康吸入制剂一期",
    "AstraZeneca inhaled medicines, phase 1",
    "C2720",
    "2021-03-15",
    18,
    60.0,
);

/// Where its parcel lies among the history's (a place no other takes).
const OLD_PARCEL_SLOT: usize = 29;

const NAME_HEADS: [&str; 12] = [
    "康", "瑞", "博", "泰", "安", "华", "恒", "源", "和", "信", "达", "嘉",
];
const NAME_TAILS: [&str; 6] = ["宁", "禾", "诺", "科", "益", "联"];

/// (industry class, what a company of it is called)
const KINDS: [(&str, &str); 6] = [
    ("2720", "医药有限公司"),
    ("2761", "生物诊断有限公司"),
    ("3581", "医疗设备有限公司"),
    ("3584", "医疗器械有限公司"),
    ("7340", "医学研究有限公司"),
    ("5151", "医药销售有限公司"),
];

pub(crate) async fn load_cluster(
    store: &Store,
    zone: &Zone,
    steward: Option<UserId>,
) -> Result<()> {
    let scope = Scope {
        zone: Some(zone.id),
        enterprise: None,
    };
    if !store.statistic_years(&scope).await?.is_empty() {
        return Ok(());
    }
    let actor = Actor::System("demo");

    // The phase long in production, on a parcel with control indicators.
    let phase = land_past(
        store,
        zone,
        steward,
        OLD_PARCEL_SLOT,
        &OLD_PROJECT,
        &serde_json::json!({
            "investment_intensity_min_wan_per_mu": 300.0,
            "tax_per_mu_min_wan": TAX_PER_MU_MIN_WAN,
            "output_per_mu_min_wan": 600.0,
        }),
    )
    .await?;
    match store
        .move_phase(&actor, zone.id, phase, PhaseStatus::InProduction, None)
        .await
    {
        Ok(_) => {}
        Err(crate::stewardship::projects::MoveError::Store(e)) => return Err(e),
        Err(other) => {
            return Err(StoreError::Corrupt(format!(
                "the demo's old phase goes into production: {other}"
            )));
        }
    }
    // In production since the history says, not since today.
    sqlx::query("UPDATE project_phases SET in_production_on = $1 WHERE id = $2")
        .bind("2023-09-01")
        .bind(phase)
        .execute(store.pool())
        .await?;

    // The enterprises: the demo's six and more generated, each with five years.
    let generated = statistics::synthetic(6 + MORE, 60, 2025, 2026);
    // The generated codes in order; the first six become the demo's enterprises.
    let mut unique: Vec<String> = Vec::new();
    for r in &generated {
        if !unique.contains(&r.uscc) {
            unique.push(r.uscc.clone());
        }
    }
    let codes: Vec<String> = (0..6)
        .map(|i| demo_uscc(i).as_str().to_string())
        .chain(unique.iter().skip(6).cloned())
        .collect();
    for (k, code) in codes.iter().enumerate().skip(6) {
        if store.enterprise_by_uscc(zone.id, code).await?.is_some() {
            continue;
        }
        let (industry, kind) = KINDS[k % KINDS.len()];
        let name = format!(
            "青岛{}{}{}",
            NAME_HEADS[k % NAME_HEADS.len()],
            NAME_TAILS[(k / NAME_HEADS.len() + k) % NAME_TAILS.len()],
            kind
        );
        let draft = EnterpriseDraft::parse(&EnterpriseInput {
            uscc: code.clone(),
            name,
            name_en: None,
            industry_code: Some(industry.to_string()),
            chain_position: Some(["upstream", "midstream", "downstream"][k % 3].to_string()),
            size: Some(["medium", "small", "large", "micro"][k % 4].to_string()),
            address: Some("山东省青岛市高新区".into()),
            contact_name: None,
            contact_phone: None,
            contact_email: None,
        })
        .map_err(|e| StoreError::Corrupt(format!("a demo enterprise: {e:?}")))?;
        store.create_enterprise(&actor, zone.id, &draft).await?;
    }
    let index: BTreeMap<String, usize> = unique
        .iter()
        .enumerate()
        .map(|(k, c)| (c.clone(), k))
        .collect();

    let az = demo_uscc(IN_PRODUCTION).as_str().to_string();
    let fixed = |r: &StatRow| r.uscc == az && r.period.year() >= 2024;
    let mut rows: Vec<StatRow> = generated
        .into_iter()
        .map(|mut r| {
            r.uscc = codes[index[&r.uscc]].clone();
            r
        })
        .collect();
    // AstraZeneca produces on the old phase's land alone (its other parcels are still
    // building): in 2025 its output beats what the project promised per mu, its tax falls
    // 40 % short of it (the promise, stricter than the parcel's minimum, is what counts).
    let (_, _, _, _, _, yi, mu) = OLD_PROJECT;
    let promised_output = yi as f64 * 1.5e8;
    let promised_tax = yi as f64 * 0.08e8;
    for r in rows.iter_mut().filter(|r| fixed(r)) {
        r.figures.land = Some(statistics::Mu::from_mu(mu));
        if r.period.year() == 2025 {
            let month = |yuan: f64| Fen((yuan / 12.0).round() as i64 * 100);
            r.figures.output = month(promised_output * 1.1);
            r.figures.revenue = month(promised_output * 1.15);
            r.figures.value_added = month(promised_output * 0.35);
            r.figures.tax = month(promised_tax.max(TAX_PER_MU_MIN_WAN * 1e4 * mu) * TAX_SHARE_MET);
        }
    }
    // Each year scaled to the cluster's revenue (AstraZeneca's fixed year as it is).
    for (year, yi) in REVENUE_YI {
        let of_year = |r: &&mut StatRow| r.period.year() == year;
        let kept: i128 = rows
            .iter()
            .filter(|r| r.period.year() == year && fixed(r))
            .map(|r| i128::from(r.figures.revenue.0))
            .sum();
        let held: i128 = rows
            .iter()
            .filter(|r| r.period.year() == year && !fixed(r))
            .map(|r| i128::from(r.figures.revenue.0))
            .sum();
        let want = (yi * 1e8 * 100.0) as i128 - kept;
        if held == 0 || want <= 0 {
            continue;
        }
        for r in rows.iter_mut().filter(of_year) {
            if fixed(r) {
                continue;
            }
            let scale = |f: Fen| Fen((i128::from(f.0) * want / held / 100 * 100) as i64);
            let f = &mut r.figures;
            f.revenue = scale(f.revenue);
            f.output = scale(f.output);
            f.tax = scale(f.tax);
            f.value_added = scale(f.value_added);
            f.rd = scale(f.rd);
        }
    }
    // The demo's other enterprises with handed parcels count their parcels, not a
    // declared area.
    for r in rows.iter_mut().filter(|r| {
        (2..6)
            .map(|i| demo_uscc(i).as_str().to_string())
            .any(|c| c == r.uscc)
    }) {
        r.figures.land = None;
    }
    // One enterprise's 2025 left without November and December.
    let late = codes[6 + MORE / 2].clone();
    rows.retain(|r| {
        !(r.uscc == late
            && r.period.year() == 2025
            && matches!(r.period, Period::Month(_, m) if m >= 11))
    });
    let rows = yearly_before(rows, 2024);
    store
        .import_statistics(&actor, zone.id, &rows, "demo", None, None)
        .await
        .map_err(|e| StoreError::Corrupt(format!("the demo's statistics import: {e:?}")))?;

    // What the zone knows beyond its enterprises, and the city's totals.
    let sums = store.statistic_year_sums(zone.id, 2021..=2025).await?;
    for (year, declared) in DECLARED {
        let of_year = |pick: fn(&Figures) -> Fen| -> i64 {
            sums.iter()
                .filter(|s| s.year == year)
                .filter_map(|s| s.figures())
                .map(|f| pick(&f).0)
                .sum()
        };
        store
            .set_cluster_year(
                &actor,
                zone.id,
                &YearKnown {
                    year,
                    declared_entities: Some(declared),
                    city: luodi_domain::cluster::figures::CityTotals {
                        entities: Some(declared * 3),
                        output: Some(Fen(of_year(|f| f.output) * 4)),
                        revenue: Some(Fen(of_year(|f| f.revenue) * 4)),
                        tax: Some(Fen(of_year(|f| f.tax) * 5)),
                    },
                },
            )
            .await?;
    }
    let output_2022: i64 = sums
        .iter()
        .filter(|s| s.year == 2022)
        .filter_map(|s| s.figures())
        .map(|f| f.output.0)
        .sum();
    let owner = store
        .department_by_code(zone.id, "investment-promotion")
        .await?
        .map(|d| d.id.0);
    let yi = |n: f64| (n * 1e8 * 100.0) as i64;
    let target = |code: &str,
                  figure: &str,
                  names: (&str, &str),
                  definitions: (&str, &str),
                  baseline: i64,
                  (year, value): (i32, i64),
                  margin_pp: i64| KpiTargetInput {
        code: code.into(),
        figure: figure.into(),
        name_zh: names.0.into(),
        name_en: names.1.into(),
        definition_zh: definitions.0.into(),
        definition_en: definitions.1.into(),
        owner_department_id: owner,
        baseline_year: 2022,
        baseline_value: baseline,
        target_year: year,
        target_value: value,
        yellow_margin_bp: margin_pp * 100,
        alarm_growth_bp: Some(1_500),
        excellence_growth_bp: Some(3_000),
    };
    store
        .put_kpi_targets(
            &actor,
            zone.id,
            &[
                target(
                    "revenue-2028",
                    "revenue",
                    ("营收", "Revenue"),
                    (
                        "集群企业营业收入合计（规上与规下），按统计年度",
                        "Operating revenue of the cluster's enterprises, by statistical year",
                    ),
                    yi(80.0),
                    (2028, yi(400.0)),
                    5,
                ),
                target(
                    "output-2029",
                    "output",
                    ("产值", "Output"),
                    (
                        "集群企业工业总产值合计",
                        "Industrial output value of the cluster's enterprises",
                    ),
                    output_2022,
                    (2029, yi(500.0)),
                    8,
                ),
                target(
                    "entities-2027",
                    "entities",
                    ("市场主体", "Market entities"),
                    (
                        "集群市场主体数量，园区申报数优先于系统登记数",
                        "The cluster's market entities: the zone's declared count, else those held",
                    ),
                    1_600,
                    (2027, 3_000),
                    5,
                ),
            ],
            &[],
        )
        .await?;
    Ok(())
}

/// The rows with every year before `from` made one yearly row per enterprise (money and
/// energy added up, employees averaged, land the last month's), as a statistics office
/// reports closed years; numbered again in order.
fn yearly_before(rows: Vec<StatRow>, from: i32) -> Vec<StatRow> {
    let mut years: BTreeMap<(String, i32), Vec<Figures>> = BTreeMap::new();
    let mut out = Vec::new();
    for r in rows {
        if r.period.year() < from {
            years
                .entry((r.uscc.clone(), r.period.year()))
                .or_default()
                .push(r.figures);
        } else {
            out.push(r);
        }
    }
    let mut yearly: Vec<StatRow> = years
        .into_iter()
        .map(|((uscc, year), months)| {
            let n = months.len() as i64;
            let add = |pick: fn(&Figures) -> i64| months.iter().map(pick).sum::<i64>();
            StatRow {
                row: 0,
                uscc,
                period: Period::Year(year),
                figures: Figures {
                    revenue: Fen(add(|f| f.revenue.0)),
                    output: Fen(add(|f| f.output.0)),
                    tax: Fen(add(|f| f.tax.0)),
                    value_added: Fen(add(|f| f.value_added.0)),
                    energy: statistics::Tce(add(|f| f.energy.0)),
                    rd: Fen(add(|f| f.rd.0)),
                    employees: add(|f| f.employees) / n.max(1),
                    land: months.last().and_then(|f| f.land),
                },
            }
        })
        .collect();
    yearly.append(&mut out);
    for (i, r) in yearly.iter_mut().enumerate() {
        r.row = i + 2;
    }
    yearly
}
