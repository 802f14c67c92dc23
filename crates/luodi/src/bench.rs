//! `luodi bench` — the figures the issues set targets for, one JSON line each: checking and
//! importing a 5,000-item catalogue (target under 1 s) and making a phase's service list
//! (target under 5 ms). Measured on this machine, median of several runs.

use std::time::Instant;

use luodi_domain::catalogue::{Catalogue, DEFAULT, synthetic};
use luodi_domain::industry::IndustryCode;
use luodi_domain::project::PhaseFacts;
use luodi_store::testing::TestDb;
use luodi_store::{Actor, Backend, Store};
use serde_json::json;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn line(bench: &str, value: f64, unit: &str, target: f64, extra: serde_json::Value) {
    let mut o = json!({"bench": bench, "value": (value * 1000.0).round() / 1000.0, "unit": unit, "target": target, "within_target": value <= target});
    if let (Some(o), Some(e)) = (o.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    println!("{o}");
}

fn facts() -> luodi_domain::rule::Facts {
    let f = PhaseFacts {
        investment_wan: Some(150_000.0),
        land_area_mu: Some(120.0),
        floor_area_m2: Some(96_000.0),
        civil_floor_area_m2: Some(6_000.0),
        height_m: Some(36.0),
        energy_tce: Some(3_000.0),
        hazardous_chemicals: Some(false),
        radiation: Some(false),
        foreign_invested: Some(false),
        new_construction: Some(true),
        approval_route: Some("filing".into()),
        eia_class: Some("report_table".into()),
        land_supply: Some("auction".into()),
        ..Default::default()
    };
    let assessed = vec!["flood".to_string(), "soil_water".to_string()];
    f.facts(IndustryCode::parse("C2761").ok().as_ref(), Some(&assessed))
}

pub async fn run(items: usize, runs: usize) -> anyhow::Result<()> {
    let runs = runs.max(1);
    let text = Catalogue::check(synthetic(items, 42))
        .map_err(|e| anyhow::anyhow!("synthetic catalogue: {e:?}"))?
        .to_toml();
    let bytes = text.len();

    let times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let c = Catalogue::parse(&text).expect("the synthetic catalogue checks");
            std::hint::black_box(c.items().len());
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    line(
        "catalogue_parse_and_check",
        median(times),
        "ms",
        1000.0,
        json!({"items": items, "bytes": bytes, "runs": runs}),
    );

    let db = TestDb::new(Backend::Sqlite)
        .await
        .ok_or_else(|| anyhow::anyhow!("no SQLite test database"))?;
    let store = Store::open(&db.url).await?;
    let zone = store
        .ensure_zone(&Actor::Cli, "bench", "基准区", "Bench zone", "山东省")
        .await?;
    let mut times = Vec::new();
    for run in 0..runs {
        let versioned = text.replacen(
            &format!("version = \"synthetic-{items}-42\""),
            &format!("version = \"bench-{run}\""),
            1,
        );
        let t = Instant::now();
        store
            .import_catalogue(&Actor::Cli, zone.id, &versioned)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    line(
        "catalogue_import_sqlite",
        median(times),
        "ms",
        1000.0,
        json!({"items": items, "runs": runs, "includes": "parse, check, departments, store, audit"}),
    );
    store.close().await;
    db.drop_db().await;

    let default = Catalogue::parse(DEFAULT).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let f = facts();
    let assessed = vec!["flood".to_string(), "soil_water".to_string()];
    let reps = 2_000;
    let t = Instant::now();
    for _ in 0..reps {
        std::hint::black_box(default.service_list(&f, &assessed).len());
    }
    let per = t.elapsed().as_secs_f64() * 1000.0 / reps as f64;
    line(
        "service_list_default_53",
        per,
        "ms",
        5.0,
        json!({"items": default.items().len(), "repetitions": reps}),
    );

    let big = Catalogue::parse(&text).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(big.service_list(&f, &assessed).len());
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    line(
        "service_list_synthetic",
        median(times),
        "ms",
        1000.0,
        json!({"items": items, "runs": runs}),
    );
    Ok(())
}
