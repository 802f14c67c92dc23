//! `luodi bench cluster`: the cluster's numbers (issue 17) on a synthetic zone of
//! enterprises with five years of monthly statistics
//! ([`luodi_domain::cluster::statistics::synthetic`]).
//!
//! - `statistics_import_sqlite` / `_postgres`: a CSV of every enterprise's months read
//!   with `from_csv` and imported with `Store::import_statistics`, end to end, each run on
//!   an empty statistics table (target under 3 s).
//! - `cluster_figures_sqlite` / `_postgres`: the dashboard's five years over what was
//!   imported, `zone_figures` as a page or the API spends it (target under 50 ms). SQLite is a fresh file under the data
//!   directory; PostgreSQL a throw-away database the bench makes and drops, or a line
//!   saying why not.
//! - `mu_evaluation`: the 亩均 evaluation of every enterprise's last year (target under
//!   20 ms), and beside it the pandas peer (`scripts/bench/mu_pandas.py`) on the same
//!   figures: its time, the ratio and how many classes agree. A class or group that
//!   differs is a bug: the line is printed, then the command fails naming them.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use luodi_domain::cluster::mu::{Class, Group, Rating, Scheme, Subject, Unrated, evaluate};
use luodi_domain::cluster::period::Period;
use luodi_domain::cluster::statistics::{
    Figures, StatRow, YearFigures, fixed_text, from_csv, synthetic, to_csv, year_figures,
};
use luodi_domain::core::enterprise::{EnterpriseDraft, EnterpriseInput};
use luodi_store::testing::{TestDb, empty_statistics, postgres_skipped};
use luodi_store::{Actor, Store};
use serde_json::json;

use super::{line, median};

/// The year the months end with (December) and the one the evaluation rates.
const LAST_YEAR: i32 = 2025;

/// What `luodi bench cluster` measures, and with which peer.
pub struct ClusterBench<'a> {
    /// Enterprises in the synthetic zone.
    pub enterprises: usize,
    /// Months of statistics each (at least 12: the evaluation rates the last year).
    pub months: usize,
    pub runs: usize,
    /// A Python with pandas for the peer of the evaluation.
    pub python: Option<&'a str>,
    /// Where the CSV files and the SQLite database are written.
    pub data: &'a Path,
}

pub async fn cluster(b: ClusterBench<'_>) -> anyhow::Result<()> {
    let runs = b.runs.max(1);
    let months = b.months.max(12);
    let dir = b.data.join("cluster");
    std::fs::create_dir_all(&dir)?;
    let rows = synthetic(b.enterprises, months, LAST_YEAR, 17);
    let csv = dir.join("statistics.csv");
    std::fs::write(&csv, to_csv(&rows))?;
    let mut codes: Vec<&str> = rows.iter().map(|r| r.uscc.as_str()).collect();
    codes.dedup();
    let import = Import {
        csv: &csv,
        codes: &codes,
        rows: rows.len(),
        months,
        runs,
    };

    let sqlite = dir.join("statistics.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", sqlite.display()));
    }
    import
        .run(
            "statistics_import_sqlite",
            &format!("sqlite://{}", sqlite.display()),
        )
        .await?;
    let postgres = if postgres_skipped() {
        Err("LUODI_TEST_SKIP_POSTGRES=1".to_string())
    } else {
        TestDb::postgres().await
    };
    match postgres {
        Ok(db) => {
            let done = import.run("statistics_import_postgres", &db.url).await;
            db.drop_db().await;
            done?;
        }
        Err(reason) => println!(
            "{}",
            json!({"bench": "statistics_import_postgres", "run": false, "reason": reason})
        ),
    }

    mu(&rows, runs, b.python, &dir)
}

/// One import figure: the file, the zone's codes and the runs.
struct Import<'a> {
    csv: &'a Path,
    codes: &'a [&'a str],
    rows: usize,
    months: usize,
    runs: usize,
}

impl Import<'_> {
    /// Registers the enterprises in one zone of the fresh database at `url`, then times
    /// reading and importing the file into an empty statistics table, `runs` times.
    async fn run(&self, bench: &str, url: &str) -> anyhow::Result<()> {
        let store = Store::open(url).await?;
        let zone = store
            .ensure_zone(&Actor::Cli, "bench", "基准区", "Bench zone", "山东省")
            .await?;
        let t = Instant::now();
        for (i, code) in self.codes.iter().enumerate() {
            let draft = EnterpriseDraft::parse(&EnterpriseInput {
                uscc: code.to_string(),
                name: format!("基准企业{i:04}"),
                // Every fifth outside the cluster, as a zone's are.
                industry_code: Some(if i % 5 == 4 { "3511" } else { "2761" }.into()),
                ..Default::default()
            })
            .map_err(|e| anyhow::anyhow!("{code}: {e:?}"))?;
            store
                .create_enterprise(&Actor::Cli, zone.id, &draft)
                .await?;
        }
        let register_ms = t.elapsed().as_secs_f64() * 1000.0;
        let (mut times, mut reads) = (Vec::new(), Vec::new());
        let mut bytes = 0;
        for _ in 0..self.runs {
            empty_statistics(&store).await?;
            let t = Instant::now();
            let file = std::fs::read(self.csv)?;
            bytes = file.len();
            let parsed = from_csv(&file).map_err(|p| {
                let first: Vec<String> = p
                    .iter()
                    .take(3)
                    .map(|p| p.line(luodi_domain::Lang::En))
                    .collect();
                anyhow::anyhow!("the synthetic file is refused: {}", first.join("; "))
            })?;
            reads.push(t.elapsed().as_secs_f64() * 1000.0);
            let summary = store
                .import_statistics(&Actor::Cli, zone.id, &parsed, "import", None, None)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            anyhow::ensure!(
                summary.created == self.rows,
                "{} rows created of {}",
                summary.created,
                self.rows
            );
        }
        // The dashboard's figures for five years over what was imported: the server's
        // time of the use case, as a page or `GET /api/v1/cluster/figures` spends it.
        let app = luodi_app::App::with_defaults(store.clone());
        let mut dash = Vec::new();
        let mut checked = None;
        for _ in 0..self.runs * 4 {
            let t = Instant::now();
            let f = luodi_app::cluster::dashboard::zone_figures(
                &app,
                zone.id,
                LAST_YEAR - 4,
                LAST_YEAR,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            dash.push(t.elapsed().as_secs_f64() * 1000.0);
            checked = f
                .years
                .last()
                .map(|y| (y.totals.reporting, y.totals.revenue.0));
        }
        store.close().await;
        line(
            &bench.replace("statistics_import", "cluster_figures"),
            median(dash),
            "ms",
            50.0,
            json!({"years": 5, "rows": self.rows, "runs": self.runs * 4,
                "last_year_reporting": checked.map(|c| c.0), "last_year_revenue_fen": checked.map(|c| c.1),
                "includes": "the year sums the import keeps (statistic_year_sums) added up in the database by year and industry code, the cluster's codes picked out, totals, growth and share per year"}),
        );
        let ms = median(times);
        line(
            bench,
            ms,
            "ms",
            3000.0,
            json!({"rows": self.rows, "rows_per_second": (self.rows as f64 / ms * 1000.0).round(),
                "enterprises": self.codes.len(), "months": self.months, "bytes": bytes, "runs": self.runs,
                "read_ms": (median(reads) * 10.0).round() / 10.0,
                "enterprises_registered_ms": register_ms.round(),
                "includes": "reading the CSV file with from_csv (every cell checked, codes, periods, duplicates; on every core); one transaction as `luodi import statistics` makes it: the zone's codes and closed periods, the figures held, every row inserted (20,000 a statement), each enterprise's touched years summed again, one audit entry"}),
        );
        Ok(())
    }
}

/// Each enterprise's figures for `year` (its twelve months added up) on the land its
/// rows declare, in the rows' order.
fn subjects(rows: &[StatRow], year: i32) -> Vec<Subject> {
    let mut months: Vec<(&str, Vec<(Period, Figures)>)> = Vec::new();
    let mut at: HashMap<&str, usize> = HashMap::new();
    for r in rows {
        let i = *at.entry(r.uscc.as_str()).or_insert_with(|| {
            months.push((r.uscc.as_str(), Vec::new()));
            months.len() - 1
        });
        months[i].1.push((r.period, r.figures));
    }
    months
        .into_iter()
        .map(|(uscc, list)| Subject {
            uscc: uscc.to_string(),
            year: match year_figures(year, &list) {
                YearFigures::Complete { figures, .. } => {
                    Ok((figures, figures.land.unwrap_or_default()))
                }
                YearFigures::Incomplete { missing } => Err(Unrated::Incomplete { missing }),
            },
        })
        .collect()
}

/// The peer's input: each subject's figures as decimal text made from the exact
/// integers, so both sides read the same numbers.
fn peer_csv(subjects: &[Subject]) -> anyhow::Result<String> {
    let mut out = String::from(
        "uscc,revenue_wan,tax_wan,value_added_wan,energy_tce,rd_wan,employees,land_mu\n",
    );
    for s in subjects {
        let (f, land) = s
            .year
            .as_ref()
            .map_err(|why| anyhow::anyhow!("{} has no year to rate: {why:?}", s.uscc))?;
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            s.uscc,
            fixed_text(f.revenue.0, 6),
            fixed_text(f.tax.0, 6),
            fixed_text(f.value_added.0, 6),
            fixed_text(f.energy.0, 3),
            fixed_text(f.rd.0, 6),
            f.employees,
            fixed_text(land.0, 4),
        ));
    }
    Ok(out)
}

/// How far the peer's results agree with Luodi's, enterprise by enterprise.
struct Agreement {
    total: usize,
    classes: usize,
    groups: usize,
    identical_scores: usize,
    max_difference: f64,
    /// The first few enterprises whose class or group differs, in words.
    differences: Vec<String>,
}

/// Compares the peer's output (`uscc,group,total_score,class`, in input order) with ours.
fn agreement(ours: &[Rating], theirs: &str) -> anyhow::Result<Agreement> {
    let mut lines = theirs.lines();
    anyhow::ensure!(
        lines.next() == Some("uscc,group,total_score,class"),
        "the peer's output has another header"
    );
    let theirs: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
    anyhow::ensure!(
        theirs.len() == ours.len(),
        "the peer rated {} enterprises of {}",
        theirs.len(),
        ours.len()
    );
    let mut a = Agreement {
        total: ours.len(),
        classes: 0,
        groups: 0,
        identical_scores: 0,
        max_difference: 0.0,
        differences: Vec::new(),
    };
    for (o, t) in ours.iter().zip(theirs) {
        let cells: Vec<&str> = t.split(',').collect();
        let [uscc, group, score, class] = cells[..] else {
            anyhow::bail!("the peer wrote `{t}`");
        };
        anyhow::ensure!(
            uscc == o.uscc,
            "the peer's row {uscc} stands where {} does",
            o.uscc
        );
        let group = match group {
            "small" => Some(Group::Below),
            "above" => Some(Group::Above),
            _ => None,
        };
        let score: f64 = score.parse()?;
        let class = Class::parse(class);
        a.classes += usize::from(class == Some(o.class));
        a.groups += usize::from(group == o.group);
        a.identical_scores += usize::from(score.to_bits() == o.total_score.to_bits());
        a.max_difference = a.max_difference.max((score - o.total_score).abs());
        if (class != Some(o.class) || group != o.group) && a.differences.len() < 5 {
            a.differences.push(format!(
                "{uscc}: Luodi {:?} {} {} ({:?}), pandas {group:?} {} {score}",
                o.group,
                o.class.letter(),
                o.total_score,
                o.rank,
                class.map_or("?", Class::letter),
            ));
        }
    }
    Ok(a)
}

/// The evaluation of every enterprise's last year, and its pandas peer.
fn mu(rows: &[StatRow], runs: usize, python: Option<&str>, dir: &Path) -> anyhow::Result<()> {
    let subjects = subjects(rows, LAST_YEAR);
    let scheme = Scheme::default();
    let reps = runs.max(50);
    let mut ratings = Vec::new();
    let times: Vec<f64> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            ratings = evaluate(&scheme, &subjects);
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    let luodi_ms = median(times);
    if let Some(r) = ratings.iter().find(|r| !r.rated) {
        anyhow::bail!("{} is not rated: {:?}", r.uscc, r.reason);
    }
    let count = |g: Group| ratings.iter().filter(|r| r.group == Some(g)).count();
    let classes: serde_json::Map<String, serde_json::Value> = Class::ALL
        .iter()
        .map(|c| {
            let n = ratings.iter().filter(|r| r.class == *c).count();
            (c.letter().to_string(), json!(n))
        })
        .collect();
    let figure = json!({"enterprises": subjects.len(), "year": LAST_YEAR, "runs": reps,
        "above": count(Group::Above), "below": count(Group::Below), "classes": classes,
        "includes": "the default scheme (min-max, five indicators above the line of 20 million yuan of revenue, tax per mu below): indicators, each group's least and greatest, scores, ranks, classes"});

    let Some(python) = python else {
        let mut figure = figure;
        figure["pandas_run"] = json!(false);
        figure["pandas_reason"] =
            json!("no --python given; scripts/bench/run makes a Python with pandas and passes it");
        line("mu_evaluation", luodi_ms, "ms", 20.0, figure);
        return Ok(());
    };
    let input = dir.join("mu-in.csv");
    let output = dir.join("mu-out.csv");
    std::fs::write(&input, peer_csv(&subjects)?)?;
    let _ = std::fs::remove_file(&output);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/bench/mu_pandas.py");
    let out = std::process::Command::new(python)
        .arg(&script)
        .arg(&input)
        .arg(&output)
        .args(["--repeat", &reps.to_string()])
        .output()
        .map_err(|e| anyhow::anyhow!("cannot run {python}: {e}"))?;
    if !out.status.success() {
        anyhow::bail!(
            "the pandas peer failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let peer: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let pandas_ms = peer["pandas_ms_median"].as_f64().unwrap_or(f64::NAN);
    let a = agreement(&ratings, &std::fs::read_to_string(&output)?)?;
    let mut figure = figure;
    if let (Some(o), Some(e)) = (
        figure.as_object_mut(),
        json!({"pandas_ms": (pandas_ms * 1000.0).round() / 1000.0,
            "ratio": (pandas_ms / luodi_ms * 10.0).round() / 10.0,
            "classes_equal": format!("{}/{}", a.classes, a.total),
            "groups_equal": format!("{}/{}", a.groups, a.total),
            "scores_identical": format!("{}/{}", a.identical_scores, a.total),
            "max_score_difference": a.max_difference,
            "pandas": peer["pandas"], "python": peer["python"],
            "peer": "scripts/bench/mu_pandas.py, timed in Python around the computation alone (not reading or writing the CSV)"})
        .as_object(),
    ) {
        o.extend(e.clone());
    }
    line("mu_evaluation", luodi_ms, "ms", 20.0, figure);
    anyhow::ensure!(
        a.classes == a.total && a.groups == a.total,
        "pandas and Luodi disagree: {} of {} classes and {} of {} groups equal; {}",
        a.classes,
        a.total,
        a.groups,
        a.total,
        a.differences.join("; ")
    );
    Ok(())
}
