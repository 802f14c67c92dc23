//! The `luodi` binary as an operator uses it, on SQLite and PostgreSQL.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use luodi_store::testing::TestDb;
use luodi_store::{Backend, Store};

fn luodi(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_luodi"))
        .args(args)
        .env_remove("LUODI_DATABASE")
        .env("LUODI_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run luodi");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn unknown_database_scheme_exits_2() {
    for args in [
        &["migrate", "--database", "mysql://root:secret@localhost/db"][..],
        &["serve", "--database", "redis://localhost"][..],
    ] {
        let o = luodi(args, None);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(
            text(&o).contains("unsupported database URL"),
            "{}",
            text(&o)
        );
        assert!(
            !text(&o).contains("secret"),
            "the password is never printed"
        );
    }
}

async fn operator_flow(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let url = db.url.clone();
    let o = luodi(&["migrate", "--database", &url], None);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains(&format!(
            "applied {n} migration(s); {n} known",
            n = luodi_store::MIGRATIONS.len()
        )),
        "{}",
        text(&o)
    );
    // Load the demo zone as `luodi demo` does, without serving.
    let store = Store::open(&url).await.unwrap();
    luodi_store::demo::load(&store).await.unwrap();

    let o = luodi(&["audit", "verify", "--database", &url], None);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("audit trail OK"));
    assert!(
        text(&o).contains("anchors not checked: no key"),
        "{}",
        text(&o)
    );

    let o = luodi(
        &[
            "user",
            "add",
            "--database",
            &url,
            "--email",
            "new.officer@luodi.demo",
            "--role",
            "approval",
            "--department",
            "natural-resources",
        ],
        Some("a-long-password\n"),
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = luodi(
        &[
            "user",
            "add",
            "--database",
            &url,
            "--email",
            "x@luodi.demo",
            "--role",
            "approval",
        ],
        Some("a-long-password\n"),
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("needs a department"), "{}", text(&o));
    let o = luodi(
        &[
            "user",
            "add",
            "--database",
            &url,
            "--email",
            "y@luodi.demo",
            "--role",
            "wizard",
        ],
        Some("a-long-password\n"),
    );
    assert!(text(&o).contains("not a role"), "{}", text(&o));
    let o = luodi(
        &[
            "user",
            "add",
            "--database",
            &url,
            "--email",
            "e2@luodi.demo",
            "--role",
            "enterprise",
            "--enterprise",
            "91370200163562681H",
        ],
        Some("a-long-password\n"),
    );
    assert!(text(&o).contains("check character"), "{}", text(&o));
    let code = luodi_store::demo::demo_uscc(2).to_string();
    let o = luodi(
        &[
            "user",
            "add",
            "--database",
            &url,
            "--email",
            "haier@luodi.demo",
            "--role",
            "enterprise",
            "--enterprise",
            &code,
        ],
        Some("a-long-password\n"),
    );
    assert!(o.status.success(), "{}", text(&o));

    let o = luodi(
        &[
            "token",
            "create",
            "--database",
            &url,
            "--email",
            "haier@luodi.demo",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let token = stdout.lines().last().unwrap().trim().to_string();
    assert!(token.starts_with("luodi_"));
    let user = store.token_user(&token).await.unwrap().unwrap();
    assert_eq!(user.email, "haier@luodi.demo");

    // Edit one audit row by hand: verification fails and names it.
    use sqlx::Row;
    let id: i64 = sqlx::query("SELECT id FROM audit_log WHERE entity = 'user' ORDER BY id LIMIT 1")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .get("id");
    sqlx::query("UPDATE audit_log SET actor = 'someone else' WHERE id = $1")
        .bind(id)
        .execute(store.pool())
        .await
        .unwrap();
    let o = luodi(&["audit", "verify", "--database", &url], None);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains(&format!("entry id {id}")), "{}", text(&o));
    store.close().await;
    db.drop_db().await;
}

/// From an empty database to a working zone with the CLI alone.
async fn fresh_installation(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let url = db.url.clone();
    // Only `migrate` (and `demo`, `serve --create-database`) makes Luodi's tables: any
    // other command on an empty database stops and says so, writing nothing.
    let o = luodi(&["zone", "list", "--database", &url], None);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    // (A SQLite file is not there at all; a PostgreSQL database is, without tables.)
    assert!(
        (text(&o).contains("has no Luodi tables") || text(&o).contains("there is no database at"))
            && text(&o).contains("luodi migrate"),
        "{}",
        text(&o)
    );
    let o = luodi(&["migrate", "--database", &url], None);
    assert!(o.status.success(), "{}", text(&o));
    let o = luodi(
        &[
            "user",
            "add",
            "--database",
            &url,
            "--email",
            "a@zone.cn",
            "--role",
            "admin",
        ],
        Some("a-long-password\n"),
    );
    assert!(text(&o).contains("no zone yet"), "{}", text(&o));
    let o = luodi(
        &[
            "zone",
            "add",
            "--database",
            &url,
            "--code",
            "yantai-eco",
            "--name-zh",
            "烟台经济技术开发区",
            "--name-en",
            "Yantai ETDZ",
            "--province",
            "山东省",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = luodi(
        &[
            "zone",
            "department",
            "--database",
            &url,
            "--code",
            "approval-bureau",
            "--name-zh",
            "行政审批服务局",
            "--name-en",
            "Administrative Approval Bureau",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = luodi(
        &[
            "user",
            "add",
            "--database",
            &url,
            "--email",
            "officer@zone.cn",
            "--role",
            "approval",
            "--department",
            "approval-bureau",
        ],
        Some("a-long-password\n"),
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = luodi(
        &[
            "user",
            "add",
            "--database",
            &url,
            "--email",
            "short@zone.cn",
            "--role",
            "admin",
        ],
        Some("short\n"),
    );
    assert!(text(&o).contains("at least 10"), "{}", text(&o));
    let o = luodi(
        &[
            "user",
            "password",
            "--database",
            &url,
            "--email",
            "officer@zone.cn",
        ],
        Some("another-long-password\n"),
    );
    assert!(o.status.success(), "{}", text(&o));
    let store = Store::open(&url).await.unwrap();
    assert!(matches!(
        store
            .authenticate("officer@zone.cn", "another-long-password")
            .await
            .unwrap(),
        luodi_store::core::users::LoginOutcome::Success(_)
    ));
    store.close().await;
    let o = luodi(&["zone", "list", "--database", &url], None);
    assert!(String::from_utf8_lossy(&o.stdout).contains("yantai-eco"));
    let o = luodi(&["audit", "verify", "--database", &url], None);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("2 chain(s)"),
        "installation chain and the zone's: {}",
        text(&o)
    );
    db.drop_db().await;
}

#[tokio::test]
async fn fresh_installation_on_sqlite() {
    fresh_installation(Backend::Sqlite).await;
}

#[tokio::test]
async fn fresh_installation_on_postgres() {
    fresh_installation(Backend::Postgres).await;
}

#[tokio::test]
async fn operator_flow_on_sqlite() {
    operator_flow(Backend::Sqlite).await;
}

#[tokio::test]
async fn operator_flow_on_postgres() {
    operator_flow(Backend::Postgres).await;
}

/// `luodi calendar days --from 2023-01-01 --to 2026-12-31` agrees with an independent
/// source on every day it covers (to 2026-12-25) and with the week after it.
#[test]
fn calendar_days_are_right_on_every_day_2023_to_2026() {
    use chrono::{Datelike, NaiveDate, Weekday};
    let o = luodi(
        &[
            "calendar",
            "days",
            "--from",
            "2023-01-01",
            "--to",
            "2026-12-31",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1461);
    let last_published = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
    for line in lines {
        let (date, kind) = line.split_once(' ').unwrap();
        let day = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        let expected = if day <= last_published {
            chinese_holiday::chinese_holiday(chinese_holiday::Ymd::new(
                day.year() as u16,
                day.month() as u8,
                day.day() as u8,
            ))
            .is_workday()
        } else {
            !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
        };
        assert_eq!(kind, if expected { "workday" } else { "restday" }, "{date}");
    }
    assert!(
        String::from_utf8_lossy(&o.stderr).is_empty(),
        "no unpublished year in range"
    );
}

#[test]
fn calendar_import_adds_a_year_to_a_database() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = rt.block_on(TestDb::new(Backend::Sqlite)) else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("luodi-cal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("2027.toml");
    std::fs::write(&file, "[[year]]\nyear = 2027\nsource = \"国办发明电〔2026〕示例\"\nholidays = [{ name_zh = \"元旦\", name_en = \"New Year's Day\", from = \"2027-01-01\", to = \"2027-01-03\" }]\nworkdays = []\n").unwrap();
    let o = luodi(&["migrate", "--database", &db.url], None);
    assert!(o.status.success(), "{}", text(&o));
    let before = luodi(
        &[
            "calendar",
            "days",
            "--database",
            &db.url,
            "--from",
            "2027-01-01",
            "--to",
            "2027-01-01",
        ],
        None,
    );
    assert!(String::from_utf8_lossy(&before.stdout).contains("2027-01-01 workday"));
    assert!(text(&before).contains("no published schedule"));
    let o = luodi(
        &[
            "calendar",
            "import",
            "--database",
            &db.url,
            file.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let after = luodi(
        &[
            "calendar",
            "days",
            "--database",
            &db.url,
            "--from",
            "2027-01-01",
            "--to",
            "2027-01-01",
        ],
        None,
    );
    assert_eq!(
        String::from_utf8_lossy(&after.stdout),
        "2027-01-01 restday\n"
    );
    assert!(!text(&after).contains("no published schedule"));
    std::fs::write(
        &file,
        "[[year]]\nyear = 2028\nsource = \"x\"\nholidays = []\nworkdays = [\"2028-03-01\"]\n",
    )
    .unwrap();
    let bad = luodi(
        &[
            "calendar",
            "import",
            "--database",
            &db.url,
            file.to_str().unwrap(),
        ],
        None,
    );
    assert!(!bad.status.success());
    assert!(
        text(&bad).contains("2028-03-01 is listed as a make-up working day but is a Wed"),
        "{}",
        text(&bad)
    );
    rt.block_on(db.drop_db());
}

async fn catalogue_flow(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let url = db.url.clone();
    let store = Store::open(&url).await.unwrap();
    luodi_store::demo::load(&store).await.unwrap();
    let dir = std::env::temp_dir().join(format!(
        "luodi-catalogue-{}-{}",
        std::process::id(),
        backend.name()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    // A catalogue whose company registration waits for the construction permit: a cycle.
    let cyclic = luodi_domain::approvals::catalogue::DEFAULT.replace("version = \"2026.1\"", "version = \"2026.9\"").replacen(
        "materials = [\"id-and-authorisation\", \"articles\"]\nmodes",
        "materials = [\"id-and-authorisation\", \"articles\"]\nprerequisites = [\"SG06\"]\nmodes",
        1,
    );
    let file = dir.join("cyclic.toml");
    std::fs::write(&file, &cyclic).unwrap();
    let versions_before = store
        .catalogue_versions(luodi_store::demo::zone_id(&store).await.unwrap())
        .await
        .unwrap();
    let o = luodi(
        &[
            "catalogue",
            "import",
            "--database",
            &url,
            file.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("prerequisite cycle: KB01 → KB02 → "),
        "{}",
        text(&o)
    );
    assert!(text(&o).contains("→ SG06 → KB01"), "{}", text(&o));
    assert!(text(&o).contains("nothing was imported"));
    let zone = luodi_store::demo::zone_id(&store).await.unwrap();
    assert_eq!(
        store.catalogue_versions(zone).await.unwrap(),
        versions_before,
        "nothing changed"
    );
    // Export gives back exactly what was imported.
    let o = luodi(&["catalogue", "export", "--database", &url], None);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        luodi_domain::approvals::catalogue::DEFAULT
    );
    let good = dir.join("v2.toml");
    std::fs::write(
        &good,
        luodi_domain::approvals::catalogue::DEFAULT
            .replace("version = \"2026.1\"", "version = \"2026.2\""),
    )
    .unwrap();
    let o = luodi(
        &[
            "catalogue",
            "import",
            "--database",
            &url,
            good.to_str().unwrap(),
        ],
        None,
    );
    assert!(
        text(&o).contains("imported catalogue version 2026.2 (53 items)"),
        "{}",
        text(&o)
    );
    let o = luodi(
        &[
            "catalogue",
            "import",
            "--database",
            &url,
            good.to_str().unwrap(),
        ],
        None,
    );
    assert!(text(&o).contains("nothing changed"), "{}", text(&o));
    store.close().await;
    db.drop_db().await;
}

#[tokio::test]
async fn catalogue_import_and_export_on_sqlite() {
    catalogue_flow(Backend::Sqlite).await;
}

#[tokio::test]
async fn catalogue_import_and_export_on_postgres() {
    catalogue_flow(Backend::Postgres).await;
}

async fn forecast_flow(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let store = Store::open(&db.url).await.unwrap();
    let zone = luodi_store::demo::load(&store).await.unwrap();
    let project = store
        .project_by_name(zone.id, luodi_store::demo::SINOPHARM_PROJECT)
        .await
        .unwrap()
        .unwrap();
    // `luodi projects`: each project once, with its steward and phases; --json as the API.
    let o = luodi(&["projects", "--database", &db.url], None);
    assert!(o.status.success(), "{}", text(&o));
    let table = String::from_utf8_lossy(&o.stdout).to_string();
    let line = table
        .lines()
        .find(|l| l.contains(luodi_store::demo::SINOPHARM_PROJECT))
        .unwrap();
    assert!(
        line.contains("steward 陈静") && line.contains("四期 signed"),
        "{line}"
    );
    let o = luodi(&["projects", "--database", &db.url, "--json"], None);
    assert!(o.status.success(), "{}", text(&o));
    let rows: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), table.lines().count());
    let sinopharm = rows.iter().find(|r| r["id"] == project).unwrap();
    assert_eq!(sinopharm["phases"].as_array().unwrap().len(), 4);
    let summary = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(
        summary.contains(&format!(
            "{} projects signed (each counted once)",
            rows.len()
        )),
        "{summary}"
    );
    let o = luodi(
        &["projects", "--database", &db.url, "--zone", "nowhere"],
        None,
    );
    assert!(!o.status.success());
    assert!(
        text(&o).contains("--zone: no zone with code 'nowhere'"),
        "{}",
        text(&o)
    );
    let o = luodi(
        &[
            "forecast",
            "--database",
            &db.url,
            "--project",
            &project.to_string(),
            "--samples",
            "200",
            "--seed",
            "3",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let f: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        f["critical_path"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "SG06")
    );
    assert!(f["milestones"]["completion_acceptance"]["p90"].is_string());
    let o = luodi(
        &[
            "forecast",
            "--database",
            &db.url,
            "--project",
            &project.to_string(),
            "--phase",
            "4",
        ],
        None,
    );
    assert!(
        !o.status.success() && text(&o).contains("has no list yet"),
        "{}",
        text(&o)
    );
    // The portfolio: one JSON line per active phase, latest start first; the second run
    // finds nothing changed.
    let o = luodi(&["portfolio", "--database", &db.url], None);
    assert!(o.status.success(), "{}", text(&o));
    let rows: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(rows.len() >= 4, "{}", text(&o));
    assert!(rows.iter().any(|r| r["project_id"] == project));
    let key: Vec<(bool, i64)> = rows
        .iter()
        .map(|r| {
            (
                r["started_on"].is_string(),
                -r["late_working_days"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(
        key.windows(2).all(|w| w[0] <= w[1]),
        "to start first, then latest first: {key:?}"
    );
    assert!(
        text(&o).contains(&format!("{} forecast again", rows.len())),
        "{}",
        text(&o)
    );
    let o = luodi(&["portfolio", "--database", &db.url], None);
    assert!(text(&o).contains(" 0 forecast again"), "{}", text(&o));
    store.close().await;
    db.drop_db().await;
}

#[tokio::test]
async fn forecast_on_sqlite() {
    forecast_flow(Backend::Sqlite).await;
}

#[tokio::test]
async fn forecast_on_postgres() {
    forecast_flow(Backend::Postgres).await;
}

/// The forecast benchmark on a small portfolio: every figure is printed as one JSON line,
/// and networkx (the peer, from the Python `scripts/test` sets up in target/bench-venv)
/// finds the same longest path for every phase — an independent check of the critical
/// path on a thousand realistic graphs.
#[test]
fn forecast_bench_prints_its_figures_and_agrees_with_networkx() {
    let python =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-venv/bin/python");
    let has_peer = Command::new(&python)
        .args(["-c", "import networkx"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_peer {
        assert!(
            std::env::var("CI").is_err(),
            "CI needs the networkx peer: scripts/test installs it into target/bench-venv"
        );
        eprintln!("SKIPPED the networkx comparison: no target/bench-venv (scripts/test makes it)");
    }
    let mut args = vec![
        "bench",
        "forecast",
        "--projects",
        "1000",
        "--samples",
        "100",
        "--runs",
        "1",
    ];
    let py = python.display().to_string();
    if has_peer {
        args.extend(["--python", py.as_str()]);
    }
    let o = luodi(&args, None);
    assert!(o.status.success(), "{}", text(&o));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    let names: Vec<&str> = lines.iter().filter_map(|l| l["bench"].as_str()).collect();
    assert_eq!(
        names,
        [
            "forecast_portfolio_generate",
            "forecast_cpm_portfolio",
            "forecast_monte_carlo_portfolio",
            "forecast_longest_path_rust",
            "forecast_longest_path_networkx"
        ]
    );
    assert_eq!(lines[1]["projects"], 1000);
    assert!(lines[1]["value"].as_f64().unwrap() > 0.0);
    assert!(lines[3]["sum_of_lengths"].as_f64().unwrap() > 1000.0);
    if has_peer {
        assert_eq!(lines[4]["same_lengths"], true, "{}", lines[4]);
        assert_eq!(lines[4]["sum_of_lengths"], lines[3]["sum_of_lengths"]);
        assert!(lines[4]["ratio_networkx_to_luodi"].as_f64().unwrap() > 0.0);
    } else {
        assert_eq!(lines[4]["run"], false);
    }
}

/// The Python `scripts/test` sets up in target/bench-venv, if it has pandas. Without it the
/// pandas comparisons are skipped, saying so, except in CI, where they fail.
fn pandas_peer() -> Option<std::path::PathBuf> {
    let python =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-venv/bin/python");
    let has_peer = Command::new(&python)
        .args(["-c", "import pandas"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_peer {
        assert!(
            std::env::var("CI").is_err(),
            "CI needs the pandas peer: scripts/test installs it into target/bench-venv"
        );
        eprintln!("SKIPPED the pandas comparison: no target/bench-venv (scripts/test makes it)");
    }
    has_peer.then_some(python)
}

/// The "done when": the 亩均 classes of a generated set of 500 enterprises agree,
/// class for class, with an independent computation — the evaluation written again in
/// pandas (`scripts/bench/mu_pandas.py`). Each enterprise's year is its twelve synthetic
/// months added up (every tenth small one on a standard plot with a fixed tax, so codes
/// break ties); the peer reads decimal text made from the exact integers.
#[test]
fn mu_classes_of_500_generated_enterprises_agree_with_pandas() {
    use luodi_domain::cluster::mu::{Class, Group, Scheme, Subject, evaluate};
    use luodi_domain::cluster::statistics::{Figures, fixed_text, synthetic, year_figures};
    let Some(python) = pandas_peer() else {
        return;
    };
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/bench/mu_pandas.py");
    for seed in [1, 2, 3] {
        let rows = synthetic(500, 12, 2025, seed);
        let subjects: Vec<Subject> = rows
            .chunks(12)
            .map(|months| {
                let list: Vec<_> = months.iter().map(|r| (r.period, r.figures)).collect();
                let f: Figures = *year_figures(2025, &list).figures().expect("twelve months");
                Subject {
                    uscc: months[0].uscc.clone(),
                    year: Ok((f, f.land.expect("declared"))),
                }
            })
            .collect();
        assert_eq!(subjects.len(), 500);
        let ours = evaluate(&Scheme::default(), &subjects);

        let mut input = String::from(
            "uscc,revenue_wan,tax_wan,value_added_wan,energy_tce,rd_wan,employees,land_mu\n",
        );
        for s in &subjects {
            let (f, land) = s.year.as_ref().unwrap();
            input.push_str(&format!(
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
        let dir = std::env::temp_dir().join(format!("luodi-mu-{}-{seed}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("in.csv"), input).unwrap();
        let out = Command::new(&python)
            .arg(&script)
            .arg(dir.join("in.csv"))
            .arg(dir.join("out.csv"))
            .args(["--repeat", "1"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let theirs = std::fs::read_to_string(dir.join("out.csv")).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        let mut lines = theirs.lines();
        assert_eq!(lines.next(), Some("uscc,group,total_score,class"));
        let theirs: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
        assert_eq!(theirs.len(), ours.len());
        let mut per_class = std::collections::BTreeMap::new();
        for (o, t) in ours.iter().zip(&theirs) {
            assert!(o.rated, "{} {:?}", o.uscc, o.reason);
            assert_eq!(t[0], o.uscc);
            let group = match t[1] {
                "small" => Group::Below,
                "above" => Group::Above,
                g => panic!("group {g}"),
            };
            assert_eq!(Some(group), o.group, "seed {seed}, {}", o.uscc);
            let score: f64 = t[2].parse().unwrap();
            assert!(
                (score - o.total_score).abs() < 1e-9,
                "seed {seed}, {}: Luodi {} pandas {score}",
                o.uscc,
                o.total_score
            );
            assert_eq!(
                Class::parse(t[3]),
                Some(o.class),
                "seed {seed}, {}: Luodi {} ({:?}), pandas {}",
                o.uscc,
                o.class.letter(),
                o.rank,
                t[3]
            );
            *per_class.entry(o.class).or_insert(0) += 1;
        }
        assert_eq!(per_class.len(), 4, "every class appears: {per_class:?}");
        // The ties on tax per mu are there, so the codes' order decided some ranks.
        let below: Vec<f64> = ours
            .iter()
            .filter(|r| r.group == Some(Group::Below))
            .map(|r| r.total_score)
            .collect();
        let tied = below
            .iter()
            .filter(|s| below.iter().filter(|t| t == s).count() > 1)
            .count();
        assert!(tied >= 2, "seed {seed}: no tie among the small enterprises");
    }
}

/// The cluster benchmark on a small zone prints its figures: the statistics imported into
/// SQLite and PostgreSQL, and the evaluation with pandas's classes beside it, all equal.
#[test]
fn cluster_bench_prints_its_figures_and_agrees_with_pandas() {
    let python = pandas_peer();
    let dir = std::env::temp_dir().join(format!("luodi-bench-cluster-{}", std::process::id()));
    let mut args = vec![
        "bench",
        "cluster",
        "--enterprises",
        "200",
        "--months",
        "12",
        "--runs",
        "1",
        "--data",
        dir.to_str().unwrap(),
    ];
    let py = python.as_ref().map(|p| p.display().to_string());
    if let Some(py) = &py {
        args.extend(["--python", py.as_str()]);
    }
    let o = luodi(&args, None);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(o.status.success(), "{}", text(&o));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    let names: Vec<&str> = lines.iter().filter_map(|l| l["bench"].as_str()).collect();
    let postgres = !luodi_store::testing::postgres_skipped();
    let mut expected = vec!["cluster_figures_sqlite", "statistics_import_sqlite"];
    if postgres {
        expected.push("cluster_figures_postgres");
    }
    expected.extend(["statistics_import_postgres", "mu_evaluation"]);
    assert_eq!(names, expected);
    let by = |name: &str| {
        lines
            .iter()
            .find(|l| l["bench"] == name)
            .unwrap_or_else(|| panic!("no {name} line"))
    };
    let sqlite = by("statistics_import_sqlite");
    assert_eq!(sqlite["rows"], 2400, "{sqlite}");
    assert!(sqlite["rows_per_second"].as_f64().unwrap() > 0.0);
    let figures = by("cluster_figures_sqlite");
    assert_eq!(figures["years"], 5, "{figures}");
    assert!(figures["value"].as_f64().unwrap() > 0.0, "{figures}");
    assert!(
        figures["last_year_reporting"].as_u64().unwrap() > 0,
        "the dashboard's last year counts the enterprises reporting: {figures}"
    );
    let pg = by("statistics_import_postgres");
    if postgres {
        assert_eq!(pg["rows"], 2400, "{pg}");
        assert_eq!(
            by("cluster_figures_postgres")["last_year_revenue_fen"],
            figures["last_year_revenue_fen"],
            "both databases add the same year up"
        );
    } else {
        assert_eq!(pg["run"], false, "{pg}");
    }
    let mu = by("mu_evaluation");
    assert_eq!(mu["enterprises"], 200, "{mu}");
    assert!(mu["value"].as_f64().unwrap() > 0.0, "{mu}");
    if python.is_some() {
        assert_eq!(mu["classes_equal"], "200/200", "{mu}");
        assert_eq!(mu["groups_equal"], "200/200", "{mu}");
        assert!(mu["max_score_difference"].as_f64().unwrap() < 1e-9, "{mu}");
        assert!(mu["ratio"].as_f64().unwrap() > 0.0, "{mu}");
    } else {
        assert_eq!(mu["pandas_run"], false, "{mu}");
    }
}

/// Parcel areas agree with an independent geodesic computation (geographiclib, Karney's
/// own Python implementation, installed by `scripts/test` in target/bench-venv) to within
/// 0.01 %: a thousand random simple polygons across China, from a few metres to kilometres.
#[test]
fn parcel_areas_agree_with_geographiclib() {
    use rand::{Rng, SeedableRng};
    let python =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-venv/bin/python");
    let has_peer = Command::new(&python)
        .args(["-c", "import geographiclib"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_peer {
        assert!(
            std::env::var("CI").is_err(),
            "CI needs geographiclib: scripts/test installs it into target/bench-venv"
        );
        eprintln!("SKIPPED: no target/bench-venv with geographiclib (scripts/test makes it)");
        return;
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2026);
    let mut rings = Vec::new();
    let mut ours = Vec::new();
    for k in 0..1000 {
        // A star-shaped polygon around a centre is simple whatever its radii.
        let (lon, lat) = (rng.random_range(75.0..134.0), rng.random_range(18.0..53.0));
        let scale = [0.0001, 0.001, 0.01, 0.05][k % 4];
        let n = rng.random_range(3..12);
        let mut ring: Vec<[f64; 2]> = (0..n)
            .map(|i| {
                let angle =
                    (i as f64 + rng.random_range(0.0..0.8)) / n as f64 * std::f64::consts::TAU;
                let r = scale * rng.random_range(0.3..1.0);
                [lon + r * angle.cos(), lat + r * angle.sin()]
            })
            .collect();
        ring.push(ring[0]);
        let geometry = serde_json::json!({"type": "Polygon", "coordinates": [ring]});
        let shape = luodi_domain::land::geometry::shape_from_geojson(Some(&geometry))
            .unwrap_or_else(|e| panic!("polygon {k}: {e:?}"));
        ours.push(shape.area_m2());
        rings.push(ring);
    }
    let file = std::env::temp_dir().join(format!("luodi-rings-{}.json", std::process::id()));
    std::fs::write(&file, serde_json::to_vec(&rings).unwrap()).unwrap();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scripts/bench/geodesic_area.py");
    let out = Command::new(&python)
        .arg(script)
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: Vec<f64> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(theirs.len(), ours.len());
    let mut worst = 0.0f64;
    for (k, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        let rel = (a - b).abs() / b;
        assert!(
            rel < 1e-4,
            "polygon {k}: Luodi {a} m², geographiclib {b} m² ({:.5} %)",
            rel * 100.0
        );
        worst = worst.max(rel);
    }
    eprintln!("1000 parcel areas, worst relative difference {:.2e}", worst);
    assert!(
        ours.iter().any(|&a| a < 100.0) && ours.iter().any(|&a| a > 1e7),
        "sizes span metres to kilometres"
    );
}

/// `luodi import parcels` refuses a file with any bad feature, naming each, and writes
/// nothing; a good file imports; `luodi export parcels` writes GeoJSON that GDAL's ogrinfo
/// reads with every parcel.
async fn parcels_flow(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let store = Store::open(&db.url).await.unwrap();
    let zone = luodi_store::demo::load(&store).await.unwrap();
    let before = store.parcels(zone.id, None, 0, 1).await.unwrap().1;
    let dir = std::env::temp_dir().join(format!(
        "luodi-parcels-{}-{}",
        std::process::id(),
        backend.name()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let square = |code: &str, lon: f64| {
        serde_json::json!({"type": "Feature", "properties": {"code": code, "assessments": "flood,energy"},
            "geometry": {"type": "Polygon", "coordinates": [[[lon, 36.36], [lon + 0.003, 36.36], [lon + 0.003, 36.362], [lon, 36.362], [lon, 36.36]]]}})
    };
    let mut swapped = square("GX-CLI-2", 120.33);
    swapped["geometry"]["coordinates"] = serde_json::json!([[
        [36.36, 120.33],
        [36.36, 120.333],
        [36.362, 120.333],
        [36.36, 120.33]
    ]]);
    let bad = dir.join("bad.geojson");
    std::fs::write(&bad, serde_json::json!({"type": "FeatureCollection", "features": [square("GX-CLI-1", 120.32), swapped, square("GX-CLI-1", 120.34)]}).to_string()).unwrap();
    let o = luodi(
        &[
            "import",
            "parcels",
            "--database",
            &db.url,
            bad.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("feature 1 (GX-CLI-2): geometry:") && t.contains("swapped"),
        "{t}"
    );
    assert!(
        t.contains("feature 2 (GX-CLI-1): code:") && t.contains("nothing was imported"),
        "{t}"
    );
    assert_eq!(store.parcels(zone.id, None, 0, 1).await.unwrap().1, before);

    let good = dir.join("good.geojson");
    std::fs::write(&good, serde_json::json!({"type": "FeatureCollection", "features": [square("GX-CLI-1", 120.32), square("GX-CLI-3", 120.34)]}).to_string()).unwrap();
    let o = luodi(
        &[
            "import",
            "parcels",
            "--database",
            &db.url,
            good.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("2 parcels imported (2 new, 0 updated, 0 unchanged)"),
        "{}",
        text(&o)
    );

    let out = dir.join("export.geojson");
    let o = luodi(
        &[
            "export",
            "parcels",
            "--database",
            &db.url,
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let fc: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let n = fc["features"].as_array().unwrap().len() as i64;
    assert_eq!(n, before + 2);
    // GDAL reads it: the feature count and the fields.
    match Command::new("ogrinfo")
        .args(["-so", "-al", out.to_str().unwrap()])
        .output()
    {
        Ok(o) => {
            let info = String::from_utf8_lossy(&o.stdout);
            assert!(
                o.status.success(),
                "{info}{}",
                String::from_utf8_lossy(&o.stderr)
            );
            assert!(info.contains(&format!("Feature Count: {n}")), "{info}");
            assert!(
                info.contains("Geometry: Polygon") || info.contains("Geometry: Multi Polygon"),
                "{info}"
            );
            for field in ["code", "area_m2", "area_mu", "status"] {
                assert!(info.contains(&format!("{field}: ")), "{field} in {info}");
            }
        }
        Err(_) => {
            assert!(
                std::env::var("CI").is_err(),
                "CI needs GDAL's ogrinfo: scripts/test installs gdal-bin"
            );
            eprintln!(
                "SKIPPED the ogrinfo check: GDAL is not installed (scripts/test installs it)"
            );
        }
    }
    // The export into a new database: parcels reserved or handed over there cannot come in
    // as such (a file makes no reservation); the refusal names each and says what to do,
    // and with those statuses left out the file imports whole.
    let Some(fresh) = TestDb::new(backend).await else {
        return;
    };
    let o = luodi(&["migrate", "--database", &fresh.url], None);
    assert!(o.status.success(), "{}", text(&o));
    let o = luodi(
        &[
            "zone",
            "add",
            "--database",
            &fresh.url,
            "--code",
            "copy",
            "--name-zh",
            "副本",
            "--name-en",
            "Copy",
            "--province",
            "山东省",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = luodi(
        &[
            "import",
            "parcels",
            "--database",
            &fresh.url,
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("(GX-2026-07): status: a new parcel cannot come in as handed_over")
            && t.contains("give it the status available (or leave the status out)")
            && t.contains("nothing was imported"),
        "{t}"
    );
    let mut plain = fc.clone();
    for f in plain["features"].as_array_mut().unwrap() {
        let props = f["properties"].as_object_mut().unwrap();
        if props["status"] != "withdrawn" {
            props.remove("status");
        }
    }
    let stripped = dir.join("plain.geojson");
    std::fs::write(&stripped, plain.to_string()).unwrap();
    let o = luodi(
        &[
            "import",
            "parcels",
            "--database",
            &fresh.url,
            stripped.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains(&format!(
            "{n} parcels imported ({n} new, 0 updated, 0 unchanged)"
        )),
        "{}",
        text(&o)
    );
    fresh.drop_db().await;
    // CSV and XLSX exports import back as they are: nothing new, nothing updated, the
    // areas unchanged.
    let areas: Vec<(String, f64)> = store
        .all_parcels(zone.id)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.code, p.area_m2))
        .collect();
    for ext in ["csv", "xlsx"] {
        let file = dir.join(format!("export.{ext}"));
        let o = luodi(
            &[
                "export",
                "parcels",
                "--database",
                &db.url,
                "--out",
                file.to_str().unwrap(),
            ],
            None,
        );
        assert!(o.status.success(), "{}", text(&o));
        let o = luodi(
            &[
                "import",
                "parcels",
                "--database",
                &db.url,
                file.to_str().unwrap(),
            ],
            None,
        );
        assert!(o.status.success(), "{ext}: {}", text(&o));
        assert!(
            // Exported and imported back as it is: nothing changed, nothing written.
            text(&o).contains(&format!(
                "{n} parcels imported (0 new, 0 updated, {n} unchanged)"
            )),
            "{ext}: {}",
            text(&o)
        );
        for p in store.all_parcels(zone.id).await.unwrap() {
            let before = areas.iter().find(|a| a.0 == p.code).unwrap().1;
            assert!(
                (p.area_m2 - before).abs() < 0.01,
                "{ext} {}: {before} → {}",
                p.code,
                p.area_m2
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    store.close().await;
    db.drop_db().await;
}

#[tokio::test]
async fn parcels_on_sqlite() {
    parcels_flow(Backend::Sqlite).await;
}

#[tokio::test]
async fn parcels_on_postgres() {
    parcels_flow(Backend::Postgres).await;
}

/// Two `luodi serve` processes on one PostgreSQL database: twenty concurrent reservations
/// of one parcel, for twenty phases, split between the servers, give exactly one.
#[tokio::test]
async fn two_servers_reserve_a_parcel_once() {
    use std::io::{Read, Write as _};
    let Some(db) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let store = Store::open(&db.url).await.unwrap();
    let zone = luodi_store::demo::load(&store).await.unwrap().id;
    let parcel = store
        .parcel_by_code(zone, "GX-2026-01")
        .await
        .unwrap()
        .unwrap()
        .id;
    let enterprise = store
        .enterprise_by_uscc(zone, luodi_store::demo::demo_uscc(4).as_str())
        .await
        .unwrap()
        .unwrap();
    let project = store
        .create_project(
            &luodi_store::Actor::Cli,
            zone,
            &luodi_store::stewardship::projects::NewProject {
                enterprise_id: enterprise.id,
                name: "双服务器并发预留".into(),
                name_en: None,
                total_investment: luodi_domain::core::money::Fen::from_yuan(10_000_000).unwrap(),
                industry_code: None,
                chain_position: None,
                expected_output: None,
                expected_tax: None,
                jobs: None,
                steward_id: None,
                phases: (0..20)
                    .map(|i| luodi_store::stewardship::projects::NewPhase {
                        name: format!("{}期", i + 1),
                        status: luodi_domain::stewardship::project::PhaseStatus::Signed,
                        facts: Default::default(),
                    })
                    .collect(),
            },
        )
        .await
        .unwrap();
    let o = luodi(
        &[
            "token",
            "create",
            "--database",
            &db.url,
            "--email",
            "landing@luodi.demo",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let token = String::from_utf8_lossy(&o.stdout)
        .lines()
        .last()
        .unwrap()
        .trim()
        .to_string();

    let (ports, mut servers) = two_servers(&db.url);
    let request = move |port: u16, method: &str, path: &str, body: &str| -> Option<String> {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
        s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
            .ok()?;
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .ok()?;
        let mut out = String::new();
        s.read_to_string(&mut out).ok()?;
        Some(out)
    };
    for p in ports {
        let up = (0..150).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(100));
            request(p, "GET", "/healthz", "").is_some_and(|r| r.starts_with("HTTP/1.1 200"))
        });
        assert!(up, "server on {p} did not come up");
    }
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(project.phases.len()));
    let handles: Vec<_> = project
        .phases
        .iter()
        .enumerate()
        .map(|(i, ph)| {
            let barrier = barrier.clone();
            let (port, phase) = (ports[i % 2], ph.id);
            let request = request.clone();
            std::thread::spawn(move || {
                barrier.wait();
                request(
                    port,
                    "POST",
                    &format!("/api/v1/parcels/{parcel}/reserve"),
                    &format!("{{\"phase_id\": {phase}}}"),
                )
                .unwrap_or_default()
            })
        })
        .collect();
    let answers: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();

    // A parcel imported by the CLI reaches both servers' matchers within seconds, with no
    // request asking for it (each server's background refresh).
    let held = |port: u16| -> Option<u64> {
        request(port, "GET", "/metrics", "")?
            .lines()
            .find_map(|l| l.strip_prefix("luodi_match_index_parcels "))
            .and_then(|n| n.trim().parse().ok())
    };
    let before = store.parcels(zone, None, 0, 1).await.unwrap().1 as u64;
    for p in ports {
        let loaded = (0..100).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(100));
            held(p) == Some(before)
        });
        assert!(
            loaded,
            "server on {p} holds {:?} parcels, not {before}",
            held(p)
        );
    }
    let file = std::env::temp_dir().join(format!("luodi-live-{}.geojson", std::process::id()));
    std::fs::write(
        &file,
        serde_json::json!({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": "GX-LIVE-1"},
            "geometry": {"type": "Polygon", "coordinates": [[[120.31, 36.31], [120.313, 36.31], [120.313, 36.313], [120.31, 36.313], [120.31, 36.31]]]}}]})
        .to_string(),
    )
    .unwrap();
    let o = luodi(
        &[
            "import",
            "parcels",
            "--database",
            &db.url,
            file.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let imported = std::time::Instant::now();
    for p in ports {
        let seen = (0..100).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(100));
            held(p) == Some(before + 1)
        });
        assert!(
            seen,
            "server on {p} did not take in the imported parcel in 10 s"
        );
    }
    assert!(imported.elapsed() < std::time::Duration::from_secs(10));
    let _ = std::fs::remove_file(&file);

    for s in &mut servers {
        let _ = s.kill();
        let _ = s.wait();
    }
    let status = |a: &String| a.split_whitespace().nth(1).unwrap_or("").to_string();
    let ok = answers.iter().filter(|a| status(a) == "200").count();
    let conflict = answers.iter().filter(|a| status(a) == "409").count();
    assert_eq!((ok, conflict), (1, 19), "{answers:#?}");
    let p = store.parcel(zone, parcel).await.unwrap();
    assert_eq!(p.status, luodi_domain::land::parcel::ParcelStatus::Reserved);
    assert!(
        project
            .phases
            .iter()
            .any(|ph| Some(ph.id) == p.reserved_phase_id)
    );
    assert!(store.verify_audit(None).await.unwrap().is_ok());
    store.close().await;
    db.drop_db().await;
}

/// The parcel benchmark's PostGIS peer (`scripts/bench/postgis`, PostGIS 3 and GDAL from
/// Debian, which `scripts/test` installs) runs the same match query over the same small park
/// and finds the same top 20, and ogr2ogr loads the same file.
#[test]
fn parcel_bench_agrees_with_postgis() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let has_peer = std::path::Path::new("/usr/share/postgresql/15/extension/postgis.control")
        .exists()
        && Command::new("ogr2ogr")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
    if !has_peer {
        assert!(
            std::env::var("CI").is_err(),
            "CI needs PostGIS 3 and GDAL: scripts/test installs postgresql-15-postgis-3 and gdal-bin"
        );
        eprintln!(
            "SKIPPED the PostGIS comparison: no PostGIS 3 or ogr2ogr (scripts/test installs them)"
        );
        return;
    }
    let dir = std::env::temp_dir().join(format!("luodi-postgis-{}", std::process::id()));
    let script = root.join("scripts/bench/postgis");
    let o = luodi(
        &[
            "bench",
            "parcels",
            "--parcel-import",
            "300",
            "--parcels",
            "3000",
            "--runs",
            "1",
            "--data",
            dir.to_str().unwrap(),
            "--postgis",
            script.to_str().unwrap(),
        ],
        None,
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert!(o.status.success(), "{}", text(&o));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    let line = |name: &str| lines.iter().find(|l| l["bench"] == name).unwrap();
    let pg = line("parcels_match_postgis");
    assert_eq!(pg["parcels"], 3000, "{pg}");
    assert_eq!(
        pg["eligible"],
        line("parcels_match_index")["eligible"],
        "{pg}"
    );
    assert_eq!(pg["top_20_in_common"], 20, "{pg}");
    assert!(pg["ratio_postgis_to_luodi"].as_f64().unwrap() > 0.0, "{pg}");
    let ogr = line("parcels_import_ogr2ogr");
    assert_eq!(ogr["features"], 300, "{ogr}");
    assert!(
        ogr["ratio_ogr2ogr_to_luodi"].as_f64().unwrap() > 0.0,
        "{ogr}"
    );
}

/// The parcel benchmark on a small synthetic park prints its figures: the index agrees
/// with the plain matcher, and without a PostGIS script the peer figures say so.
#[test]
fn parcel_bench_prints_its_figures() {
    let dir = std::env::temp_dir().join(format!("luodi-bench-{}", std::process::id()));
    let o = luodi(
        &[
            "bench",
            "parcels",
            "--parcel-import",
            "300",
            "--parcels",
            "3000",
            "--runs",
            "1",
            "--data",
            dir.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    let names: Vec<&str> = lines.iter().filter_map(|l| l["bench"].as_str()).collect();
    assert_eq!(
        names,
        [
            "parcels_geojson_read_and_check",
            "parcels_import_sqlite",
            "parcels_import_postgres",
            "parcels_cli_import_peak_rss",
            "parcels_serve_rss",
            "parcels_index_build",
            "parcels_match_index",
            "parcels_match_index_explained",
            "parcels_match_scan",
            "parcels_match_postgis",
            "parcels_import_ogr2ogr",
        ]
    );
    let line = |name: &str| lines.iter().find(|l| l["bench"] == name).unwrap();
    assert_eq!(line("parcels_geojson_read_and_check")["features"], 300);
    assert!(line("parcels_serve_rss")["value"].as_f64().unwrap() > 1.0);
    assert!(
        line("parcels_cli_import_peak_rss")["value"]
            .as_f64()
            .unwrap()
            > 1.0
    );
    assert_eq!(line("parcels_serve_rss")["parcels"], 300);
    let m = line("parcels_match_index");
    assert_eq!(m["parcels"], 3000);
    assert!(m["eligible"].as_u64().unwrap() > 0);
    assert_eq!(line("parcels_match_scan")["same_top_20_as_the_index"], true);
    assert!(
        line("parcels_match_postgis")["skipped"]
            .as_str()
            .unwrap()
            .contains("--postgis")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Two `luodi serve` processes on one PostgreSQL database both look for missed blocker
/// clocks as they start (the demo has a blocker nobody acknowledged): every escalation is
/// made once, with one event, and each person it goes to is told once.
#[tokio::test]
async fn two_servers_escalate_a_missed_clock_once() {
    use sqlx::Row;
    let Some(db) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let store = Store::open(&db.url).await.unwrap();
    luodi_store::demo::load(&store).await.unwrap();
    let count = |sql: &'static str| {
        let store = store.clone();
        async move {
            sqlx::query(sql)
                .fetch_one(store.pool())
                .await
                .unwrap()
                .get::<i64, _>("n")
        }
    };
    assert_eq!(
        count("SELECT COUNT(*) AS n FROM blocker_escalations").await,
        0
    );
    // Escalations also go out to a webhook (a receiver in this test), sent by whichever
    // server's deliverer takes each.
    let (hook_url, deliveries) = webhook_receiver().await;
    let zone = luodi_store::demo::zone_id(&store).await.unwrap();
    let outbound: luodi_domain::stewardship::outbound::Outbound = serde_json::from_value(serde_json::json!({
        "webhooks": [{"name": "督办群", "format": "generic", "url": hook_url, "kinds": ["blocker_escalated"]}]
    }))
    .unwrap();
    store
        .set_zone_setting(
            &luodi_store::Actor::System("test"),
            zone,
            luodi_store::core::orgs::OUTBOUND,
            &outbound,
        )
        .await
        .unwrap();
    let (_, mut servers) = two_servers(&db.url);
    // Wait until both have made their first pass: the escalations stop changing.
    let mut last = -1;
    let mut stable = 0;
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let n = count("SELECT COUNT(*) AS n FROM blocker_escalations").await;
        if n == last && n > 0 {
            stable += 1;
            if stable >= 10 {
                break;
            }
        } else {
            stable = 0;
        }
        last = n;
    }
    // And until the deliverers have sent what the escalations queued.
    for _ in 0..100 {
        if count("SELECT COUNT(*) AS n FROM outbox WHERE state <> 'sent'").await == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    for s in &mut servers {
        let _ = s.kill();
        let _ = s.wait();
    }
    let escalations = count("SELECT COUNT(*) AS n FROM blocker_escalations").await;
    assert!(
        escalations >= 1,
        "the demo's unacknowledged blocker is past its clock"
    );
    let events = count("SELECT COUNT(*) AS n FROM blocker_events WHERE party = 'system'").await;
    assert_eq!(events, escalations, "one event per escalation");
    let told =
        count("SELECT COUNT(*) AS n FROM notifications WHERE kind = 'blocker_escalated'").await;
    assert!(told >= escalations, "each escalation tells someone");
    let doubled = count(
        "SELECT COUNT(*) AS n FROM (SELECT user_id, link, body FROM notifications WHERE kind = 'blocker_escalated'
         GROUP BY user_id, link, body HAVING COUNT(*) > 1) d",
    )
    .await;
    assert_eq!(doubled, 0, "nobody is told twice of one escalation");
    let audited = count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'escalate'").await;
    assert_eq!(audited, escalations);
    let queued = count("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'blocker_escalated'").await;
    assert_eq!(queued, escalations, "one webhook message per escalation");
    let sent = count("SELECT COUNT(*) AS n FROM outbox WHERE state = 'sent'").await;
    assert_eq!(sent, queued, "every one sent");
    let got = deliveries.lock().unwrap().clone();
    let mut distinct = got.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        (got.len() as i64, distinct.len() as i64),
        (escalations, escalations),
        "the receiver got each escalation once: {got:?}"
    );
    assert!(store.verify_audit(None).await.unwrap().is_ok());
    store.close().await;
    db.drop_db().await;
}

/// A webhook receiver on loopback that answers 204 and keeps each request's
/// `X-Luodi-Delivery`.
async fn webhook_receiver() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let got: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let kept = got.clone();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let kept = kept.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                // Headers, then as many body bytes as Content-Length says.
                loop {
                    let n = socket.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let head = text[..end].to_ascii_lowercase();
                        let length: usize = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .map_or(0, |v| v.trim().parse().unwrap());
                        if buf.len() >= end + 4 + length {
                            let id = head
                                .lines()
                                .find_map(|l| l.strip_prefix("x-luodi-delivery:"))
                                .map(|v| v.trim().to_string())
                                .unwrap_or_default();
                            kept.lock().unwrap().push(id);
                            let _ = socket
                                .write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                                .await;
                            return;
                        }
                    }
                }
            });
        }
    });
    (url, got)
}

/// Starts two `luodi serve` processes on one database, each on a free loopback port.
fn two_servers(url: &str) -> ([u16; 2], Vec<std::process::Child>) {
    let port = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let ports = [port(), port()];
    let servers = ports
        .iter()
        .map(|p| {
            Command::new(env!("CARGO_BIN_EXE_luodi"))
                .args([
                    "serve",
                    "--database",
                    url,
                    "--addr",
                    &format!("127.0.0.1:{p}"),
                ])
                .env_remove("LUODI_DATABASE")
                .env("LUODI_LOG", "warn")
                .env("LUODI_DELIVER_EVERY", "1")
                // The test's receiver listens on this machine: webhooks may reach it only so.
                .env("LUODI_WEBHOOK_ALLOW_HOSTS", "127.0.0.1")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    (ports, servers)
}

/// Defects of issue 14 in the binary: a mistyped database path made a database (8), the
/// server kept slow and idle clients (12), died on SIGTERM without draining (18), logged
/// colours into files and had no JSON (19), printed errors twice and listed 3 of its
/// settings (24).
#[test]
fn a_mistyped_database_makes_nothing() {
    let dir = std::env::temp_dir().join(format!("luodi-typo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let typo = dir.join("typo.db");
    let url = format!("sqlite://{}", typo.display());
    for args in [
        &["projects", "--database", &url][..],
        &["zone", "list", "--database", &url][..],
        &["serve", "--database", &url, "--addr", "127.0.0.1:1"][..],
    ] {
        let o = luodi(args, None);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", text(&o));
        assert!(
            text(&o).contains("there is no database at") && text(&o).contains("luodi migrate"),
            "{args:?}: {}",
            text(&o)
        );
        assert!(!typo.exists(), "{args:?} made {}", typo.display());
    }
    let o = luodi(&["migrate", "--database", &url], None);
    assert!(o.status.success(), "{}", text(&o));
    assert!(typo.exists());
    // An error is said once, its causes in order.
    let o = luodi(&["serve", "--config", "/missing-luodi.toml"], None);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert_eq!(
        text(&o).matches("No such file or directory").count(),
        1,
        "{}",
        text(&o)
    );
    // `serve --help` lists every setting, the file's key and its variable.
    let o = luodi(&["serve", "--help"], None);
    let help = text(&o);
    for s in [
        "LUODI_CONFIG",
        "database_file",
        "LUODI_SECURE_COOKIES",
        "LUODI_FORECAST_EVERY",
        "LUODI_PUBLIC_URL",
        "LUODI_SMTP_URL_FILE",
        "LUODI_MAIL_FROM",
        "LUODI_DELIVER_EVERY",
        "LUODI_WEBHOOK_ALLOW_HOSTS",
        "LUODI_AUDIT_KEY_FILE",
        "LUODI_METRICS_ALLOW",
        "LUODI_METRICS_TOKEN_FILE",
        "LUODI_TRUSTED_PROXIES",
        "LUODI_HEADER_TIMEOUT",
        "LUODI_LOG_FORMAT",
        "--create-database",
    ] {
        assert!(help.contains(s), "{s} in\n{help}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_server_drops_slow_clients_and_drains_on_sigterm() {
    use std::io::Read;
    use std::net::TcpStream;
    use std::time::{Duration, Instant};
    let dir = std::env::temp_dir().join(format!("luodi-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("serve.db").display());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = dir.join("stderr.log");
    let mut server = Command::new(env!("CARGO_BIN_EXE_luodi"))
        .args([
            "serve",
            "--create-database",
            "--database",
            &url,
            "--addr",
            &format!("127.0.0.1:{port}"),
        ])
        .env_remove("LUODI_DATABASE")
        .env_remove("LUODI_PUBLIC_URL")
        .env("LUODI_LOG", "info")
        .env("LUODI_LOG_FORMAT", "json")
        .env("LUODI_HEADER_TIMEOUT", "1")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let addr = format!("127.0.0.1:{port}");
    let get = |path: &str, extra: &str| -> String {
        let mut s = TcpStream::connect(&addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        // A server that refuses a head may close while this side is still writing it
        // (a broken pipe or a reset); what it answered before closing is still read.
        let _ = write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: x\r\n{extra}Connection: close\r\n\r\n"
        );
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    };
    let started = Instant::now();
    while TcpStream::connect(&addr).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(get("/healthz", "").starts_with("HTTP/1.1 200"));
    // A connection that sends nothing, and one that sends half a head, are closed by the
    // server (end of stream), not left open until this side gives up (a read error).
    for sent in [&b""[..], &b"GET /healthz HTTP/1.1\r\nHost: x\r\n"[..]] {
        let mut s = TcpStream::connect(&addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        s.write_all(sent).unwrap();
        let mut buf = [0u8; 64];
        match s.read(&mut buf) {
            Ok(n) => assert_eq!(n, 0, "closed without an answer"),
            Err(e) => panic!("the server held a silent connection open: {e}"),
        }
    }
    // A body that stops coming is answered (408) and its connection closed.
    {
        let mut s = TcpStream::connect(&addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        s.write_all(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=").unwrap();
        let mut out = String::new();
        if let Err(e) = s.read_to_string(&mut out) {
            panic!("the server held a stalled body open: {e}");
        }
        assert!(out.is_empty() || out.starts_with("HTTP/1.1 4"), "{out}");
    }
    // A 200 KB header is refused.
    let cookie = format!("Cookie: a={}\r\n", "x".repeat(200 * 1024));
    let answer = get("/healthz", &cookie);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 431"),
        "{}",
        &answer[..answer.len().min(200)]
    );
    // SIGTERM drains and exits 0.
    let kill = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let t = Instant::now();
    let status = loop {
        if let Some(s) = server.try_wait().unwrap() {
            break s;
        }
        assert!(
            t.elapsed() < Duration::from_secs(90),
            "no exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(status.code(), Some(0), "exit after SIGTERM");
    // One JSON object a line, no colours; the warning about public_url is there.
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(!logged.contains('\u{1b}'), "{logged}");
    for line in logged.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(v["level"].is_string() && v["fields"].is_object(), "{line}");
    }
    assert!(logged.contains("public_url"), "{logged}");
    assert!(logged.contains("SIGTERM"), "{logged}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn audit_key_on_sqlite() {
    audit_key(Backend::Sqlite).await;
}

#[tokio::test]
async fn audit_key_on_postgres() {
    audit_key(Backend::Postgres).await;
}

/// Point 14 of issue 14: with a key outside the database, the CLI anchors what it writes,
/// `audit anchor` anchors the heads written before the key, and a command without the key
/// is stopped rather than leave an entry verify would call forged.
async fn audit_key(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let url = db.url.clone();
    let store = Store::open(&url).await.unwrap();
    luodi_store::demo::load(&store).await.unwrap();
    store.close().await;
    // With the key outside the database, the CLI's own writes are anchored and verify
    // says what it checked.
    let key = std::env::temp_dir().join(format!("luodi-audit-key-{}", std::process::id()));
    std::fs::write(&key, "0123456789abcdef0123456789abcdef-operator-key\n").unwrap();
    let with_key = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_luodi"))
            .args(args)
            .env_remove("LUODI_DATABASE")
            .env("LUODI_LOG", "warn")
            .env("LUODI_AUDIT_KEY_FILE", &key)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    // Once the key is set: verify asks for the heads to be anchored, `audit anchor` does it.
    let o = with_key(&["audit", "verify", "--database", &url]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("luodi audit anchor"), "{}", text(&o));
    let o = with_key(&["audit", "anchor", "--database", &url]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("chain head(s) anchored: zone"),
        "{}",
        text(&o)
    );
    let o = with_key(&[
        "token",
        "create",
        "--database",
        &url,
        "--email",
        "admin@luodi.demo",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    // A command without the key now stops rather than write an entry verify would call
    // forged.
    let o = luodi(
        &[
            "token",
            "create",
            "--database",
            &url,
            "--email",
            "admin@luodi.demo",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("anchored with a key"), "{}", text(&o));
    let o = with_key(&["audit", "verify", "--database", &url]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("1 anchored by the key") && text(&o).contains("written before the key"),
        "{}",
        text(&o)
    );
    let _ = std::fs::remove_file(&key);
    db.drop_db().await;
}
