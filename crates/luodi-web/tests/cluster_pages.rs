//! The cluster's dashboard and settings pages on SQLite and PostgreSQL: the demo's three
//! targets with the growth still needed against the growth achieved (the same figures as
//! the API's), the charts with their tables, the figures year by year and their exports,
//! the breakdowns; the settings kept, and refused beside their fields with nothing
//! written; and who may see and change what.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use luodi_store::demo;
use serde_json::Value;

on_both! {
    the_dashboard_shows_the_targets_with_the_growth_still_needed => dashboard;
    the_figures_export_as_csv_and_xlsx_for_the_years_chosen => exports;
    settings_are_kept_and_refused_beside_their_fields => settings;
    only_the_zones_staff_see_the_dashboard_and_only_its_administrator_changes_it => access;
    a_year_is_rated_on_its_own_scheme_else_the_zones => schemes;
}

async fn with_cluster(app: &TestApp) {
    let zone = demo::zone_id(&app.store).await.unwrap();
    let zone = app.store.zone(zone).await.unwrap();
    demo::load_cluster(&app.store, &zone).await.unwrap();
}

fn pct(f: f64) -> String {
    format!("{:.1}", f * 100.0)
}

async fn dashboard(app: &TestApp) {
    with_cluster(app).await;
    let token = app.token("leader@luodi.demo").await;
    let targets: Value = app
        .api("GET", "/api/v1/kpi-targets", Some(&token), None)
        .await
        .json();
    let targets = targets.as_array().unwrap();
    assert_eq!(targets.len(), 3, "{targets:?}");
    let revenue = targets
        .iter()
        .find(|t| t["code"] == "revenue-2028")
        .unwrap();
    let needed = revenue["needed_rate"].as_f64().unwrap();
    let achieved = revenue["achieved_rate"].as_f64().unwrap();
    // From about 158 亿 in 2025 to 400 亿 in 2028 needs over a third a year; the cluster
    // grew about a quarter a year since 2022's 80 亿.
    assert!((0.30..0.40).contains(&needed), "{revenue}");
    assert!((0.20..0.30).contains(&achieved), "{revenue}");

    let mut b = app.login("leader@luodi.demo").await;
    let page = b.get(app, "/cluster").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let sentence = format!(
        "营收 2028 年 400 亿元：还需年均增长 {} %，已实现 {} %",
        pct(needed),
        pct(achieved)
    );
    assert!(page.body.contains(&sentence), "no «{sentence}» on the page");
    for code in ["revenue-2028", "output-2029", "entities-2027"] {
        assert!(page.body.contains(&format!("id=\"kpi-{code}\"")), "{code}");
        assert!(
            page.body.contains(&format!("id=\"chart-{code}\"")),
            "{code}"
        );
        assert!(
            page.body.contains(&format!("id=\"table-{code}\"")),
            "{code}"
        );
    }
    assert!(page.body.contains("产值 2029 年 500 亿元：还需年均增长"));
    assert!(page.body.contains("市场主体 2027 年 3000 家：还需年均增长"));
    // The light, the owner and the card's thresholds read as words.
    assert!(page.body.contains("投资促进部"));
    assert!(
        page.body
            .contains("年增长低于 15.0 % 预警，达到 30.0 % 为优秀")
    );
    assert!(
        page.body.contains("严重滞后") || page.body.contains("进度滞后"),
        "the revenue target is behind"
    );
    // Each chart is an SVG with its lines named, and its table has the baseline year.
    assert!(page.body.contains("<svg"));
    assert!(page.body.contains("目标路径") && page.body.contains("按已实现增速"));
    // The figures year by year: 2022's revenue as the brief says, the declared count,
    // the share of the city.
    assert!(page.body.contains("<th scope=\"row\">2022</th>"));
    assert!(page.body.contains("80 亿元"), "2022's revenue of 80 亿元");
    assert!(page.body.contains("园区申报 2600 家"));
    assert!(
        page.body.contains("占全市 25.0 %"),
        "a quarter of the city's revenue"
    );
    // The breakdowns: by chain position and by 亩均 class, each class a link to its list.
    assert!(page.body.contains("id=\"position-table\""));
    assert!(page.body.contains("上游") && page.body.contains("下游"));
    for class in ["A", "B", "C", "D"] {
        assert!(
            page.body
                .contains(&format!("href=\"/mu?year=2025&#38;class={class}\"")),
            "class {class}"
        );
    }
    // The class's list agrees with the breakdown's count.
    let table = &page.body[page.body.find("id=\"class-table\"").unwrap()..];
    let a_count: usize = table
        .split("class=A\">")
        .nth(1)
        .and_then(|rest| rest.split("<td class=\"num\">").nth(1))
        .and_then(|n| n.split('<').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    let list = b.get(app, "/mu?year=2025&class=A").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(
        list.body.contains(&format!("共 {a_count} 条")),
        "the A list counts {a_count}"
    );
    // The pipeline's words where phases are landing.
    assert!(page.body.contains("在手项目至 2028 年新增"));

    // In English, the same sentence in English words.
    b.lang = Some("en");
    let page = b.get(app, "/cluster").await;
    assert_eq!(page.status, StatusCode::OK);
    let sentence = format!(
        "Revenue 40 bn yuan by 2028: {} % a year still needed, {} % achieved",
        pct(needed),
        pct(achieved)
    );
    assert!(page.body.contains(&sentence), "no «{sentence}» on the page");

    // A span of years chosen, and one refused by name.
    b.lang = None;
    let page = b.get(app, "/cluster?from=2023&to=2025").await;
    assert_eq!(page.status, StatusCode::OK);
    let table = &page.body[page.body.find("id=\"figures-table\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert!(table.contains("<th scope=\"row\">2023</th>"));
    assert!(!table.contains("<th scope=\"row\">2022</th>"));
    let bad = b.get(app, "/cluster?from=2025&to=2023").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(
        bad.body.contains("id=\"span-from-error\""),
        "beside the field"
    );
    assert!(bad.body.contains("起始年份晚于结束年份"));
    let unknown = b.get(app, "/cluster?year=2025").await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.body.contains("year"));
}

async fn exports(app: &TestApp) {
    with_cluster(app).await;
    let mut b = app.login("leader@luodi.demo").await;
    let csv = b.get(app, "/cluster/export.csv?from=2021&to=2025").await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').lines().collect();
    assert!(
        lines[0].starts_with("年份,市场主体（登记）,市场主体（申报）"),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len(), 6, "a heading and five years: {lines:?}");
    // 2022: declared 1,600; revenue 80 亿元 = 800,000 万元.
    let y2022: Vec<&str> = lines[2].split(',').collect();
    assert_eq!(y2022[0], "2022");
    assert_eq!(y2022[2], "1600");
    let revenue: f64 = y2022[9].parse().unwrap();
    assert!((revenue - 800_000.0).abs() < 1.0, "{revenue}");
    let xlsx = b.get(app, "/cluster/export.xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.body_bytes.starts_with(b"PK"), "a zip workbook");
}

async fn settings(app: &TestApp) {
    with_cluster(app).await;
    let mut b = app.login("admin@luodi.demo").await;
    let page = b.get(app, "/cluster/settings").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("value=\"C27, C3544, C358, F515, M734\""));
    assert!(page.body.contains("value=\"40/80/100\""));
    let csrf = page.csrf();
    let zone = demo::zone_id(&app.store).await.unwrap();
    let held = app.store.kpi_targets(zone).await.unwrap();

    // A new target refused: each error beside its field, what was typed kept, nothing written.
    let bad = b
        .post(
            app,
            "/cluster/settings/targets",
            &[
                ("_csrf", &csrf),
                ("code", "tax 2028"),
                ("figure", "tax"),
                ("name_zh", "税收"),
                ("name_en", "Tax"),
                ("baseline_year", "2022"),
                ("baseline_value", "-5"),
                ("target_year", "2020"),
                ("target_value", "60000"),
                ("yellow_margin_pp", "5"),
                ("alarm_growth_pct", "abc"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    for field in ["alarm_growth_pct", "code", "baseline_value"] {
        assert!(
            bad.body.contains(&format!("id=\"t-new-{field}-error\"")),
            "{field}: {}",
            bad.body
        );
    }
    assert!(
        bad.body.contains("value=\"60000\""),
        "what was typed is kept"
    );
    assert_eq!(app.store.kpi_targets(zone).await.unwrap(), held);
    let bad = b
        .post(
            app,
            "/cluster/settings/targets",
            &[
                ("_csrf", &csrf),
                ("code", "revenue-2028"),
                ("figure", "tax"),
                ("name_zh", "税收"),
                ("name_en", "Tax"),
                ("baseline_year", "2022"),
                ("baseline_value", "50000"),
                ("target_year", "2020"),
                ("target_value", "60000"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    for field in ["code", "target_year"] {
        assert!(
            bad.body.contains(&format!("id=\"t-new-{field}-error\"")),
            "{field}: {}",
            bad.body
        );
    }
    assert!(bad.body.contains("目标年份须晚于基期年份"));
    assert!(bad.body.contains("编码重复"));
    assert_eq!(app.store.kpi_targets(zone).await.unwrap(), held);

    // Saved, then on the dashboard.
    let ok = b
        .post(
            app,
            "/cluster/settings/targets",
            &[
                ("_csrf", &csrf),
                ("code", "tax-2028"),
                ("figure", "tax"),
                ("name_zh", "税收"),
                ("name_en", "Tax"),
                ("owner_department", "market-regulation"),
                ("baseline_year", "2022"),
                ("baseline_value", "50000"),
                ("target_year", "2028"),
                ("target_value", "200000"),
                ("yellow_margin_pp", "5"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert!(ok.location().contains("done=cluster_target_saved"));
    assert_eq!(app.store.kpi_targets(zone).await.unwrap().len(), 4);
    let dash = b.get(app, "/cluster").await;
    assert!(dash.body.contains("税收 2028 年 20 亿元：还需年均增长"));
    assert!(dash.body.contains("市场监督管理局"));

    // Changed under its code, the others untouched; then removed.
    let ok = b
        .post(
            app,
            "/cluster/settings/targets/tax-2028",
            &[
                ("_csrf", &csrf),
                ("code", "tax-2028"),
                ("figure", "tax"),
                ("name_zh", "税收"),
                ("name_en", "Tax"),
                ("baseline_year", "2022"),
                ("baseline_value", "50000"),
                ("target_year", "2029"),
                ("target_value", "250000"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let now = app.store.kpi_targets(zone).await.unwrap();
    let tax = now.iter().find(|t| t.code == "tax-2028").unwrap();
    assert_eq!(
        (tax.target_year, tax.target_value),
        (2029, 250_000 * 1_000_000)
    );
    assert_eq!(tax.owner_department_id, None);
    for t in &held {
        assert_eq!(now.iter().find(|n| n.code == t.code), Some(t));
    }
    let removed = b
        .post(
            app,
            "/cluster/settings/targets/tax-2028/remove",
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
    assert_eq!(app.store.kpi_targets(zone).await.unwrap(), held);
    let missing = b
        .post(
            app,
            "/cluster/settings/targets/nothing/remove",
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // The general settings: a bad ramp and an unknown class beside their fields.
    let before = app.store.cluster_settings(zone).await.unwrap();
    let bad = b
        .post(
            app,
            "/cluster/settings/general",
            &[
                ("_csrf", &csrf),
                ("classes", "C27, 99x"),
                ("ramp", "80/40"),
                ("completion_department", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("id=\"general-classes-error\""));
    assert!(bad.body.contains("id=\"general-ramp-error\""));
    assert!(bad.body.contains("value=\"80/40\""));
    assert_eq!(app.store.cluster_settings(zone).await.unwrap(), before);
    let ok = b
        .post(
            app,
            "/cluster/settings/general",
            &[
                ("_csrf", &csrf),
                ("classes", "C27, C358"),
                ("ramp", "50/100"),
                ("completion_department", "housing-construction"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let after = app.store.cluster_settings(zone).await.unwrap();
    assert_eq!(after.cluster.classes, vec!["C27", "C358"]);
    assert_eq!(after.ramp.to_string(), "50/100");
    assert_eq!(
        after.scheme, before.scheme,
        "the general form leaves the scheme"
    );
    assert!(after.completion_department_id.is_some());

    // A year's declared count and the city's totals.
    let bad = b
        .post(
            app,
            "/cluster/settings/years",
            &[
                ("_csrf", &csrf),
                ("year", "2026"),
                ("declared_entities", "-3"),
                ("city_output_wan", "lots"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("id=\"year-declared_entities-error\""));
    assert!(bad.body.contains("id=\"year-city_output_wan-error\""));
    let ok = b
        .post(
            app,
            "/cluster/settings/years",
            &[
                ("_csrf", &csrf),
                ("year", "2026"),
                ("declared_entities", "2900"),
                ("city_entities", "8700"),
                ("city_output_wan", "8000000"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let page = b
        .get(app, "/cluster/settings?done=cluster_year_saved")
        .await;
    assert!(
        page.body
            .contains("<th scope=\"row\">2026</th><td class=\"num\">2900</td>")
    );
    assert!(page.body.contains("已保存该年度的申报数与全市总量。"));
}

async fn access(app: &TestApp) {
    with_cluster(app).await;
    // The enterprise sees neither the dashboard nor its export, nor the settings.
    let mut e = app.login("enterprise@luodi.demo").await;
    for path in ["/cluster", "/cluster/export.csv", "/cluster/settings"] {
        let r = e.get(app, path).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    // The leader sees the dashboard but not the settings, and cannot post them.
    let mut l = app.login("leader@luodi.demo").await;
    let page = l.get(app, "/cluster").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("href=\"/cluster/settings\""));
    assert_eq!(
        l.get(app, "/cluster/settings").await.status,
        StatusCode::FORBIDDEN
    );
    let csrf = page.csrf();
    let zone = demo::zone_id(&app.store).await.unwrap();
    let held = app.store.kpi_targets(zone).await.unwrap();
    let r = l
        .post(
            app,
            "/cluster/settings/targets/revenue-2028/remove",
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(app.store.kpi_targets(zone).await.unwrap(), held);
    // The side bar links to the dashboard.
    assert!(page.body.contains("href=\"/cluster\""));
    // The administrator sees the link to the settings.
    let mut a = app.login("admin@luodi.demo").await;
    let page = a.get(app, "/cluster").await;
    assert!(page.body.contains("href=\"/cluster/settings\""));
}

/// The scheme's fields as the zone's default holds them: the above-scale weights
/// 45/20/15/15/5 with their benchmarks, tax per mu alone below the line.
fn scheme_form<'a>(csrf: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("_csrf", csrf),
        ("method", "min_max"),
        ("cap", ""),
        ("revenue_line_wan", "2000"),
        ("band_a", "25"),
        ("band_b", "70"),
        ("band_c", "95"),
        ("above_tax_per_mu", "45"),
        ("above_tax_per_mu_benchmark", "15"),
        ("above_revenue_per_mu", "20"),
        ("above_revenue_per_mu_benchmark", "300"),
        ("above_value_added_per_tce", "15"),
        ("above_value_added_per_tce_benchmark", "3"),
        ("above_rd_intensity", "15"),
        ("above_rd_intensity_benchmark", "3"),
        ("above_labour_productivity", "5"),
        ("above_labour_productivity_benchmark", "30"),
        ("below_tax_per_mu", "100"),
        ("below_tax_per_mu_benchmark", "15"),
    ];
    for (k, v) in extra {
        form.retain(|(f, _)| f != k);
        form.push((k, v));
    }
    form
}

async fn schemes(app: &TestApp) {
    with_cluster(app).await;
    let zone = demo::zone_id(&app.store).await.unwrap();
    let token = app.token("admin@luodi.demo").await;
    let method = |year: i32| {
        let token = token.clone();
        async move {
            let v: Value = app
                .api(
                    "GET",
                    &format!("/api/v1/mu-evaluation?year={year}"),
                    Some(&token),
                    None,
                )
                .await
                .json();
            v["method"].as_str().unwrap().to_string()
        }
    };
    assert_eq!(method(2025).await, "min_max");
    let mut b = app.login("admin@luodi.demo").await;
    let page = b.get(app, "/cluster/settings").await;
    assert!(page.body.contains("id=\"scheme-zone\""));
    assert!(
        page.body.contains("value=\"45\""),
        "the zone's weights shown"
    );
    let csrf = page.csrf();

    // Refused: weights that do not add up, bands out of order, a benchmark missing with
    // the benchmark method, a weight that is not a number; nothing written.
    let audited = app.store.cluster_schemes(zone).await.unwrap();
    let bad = b
        .post(
            app,
            "/cluster/settings/schemes",
            &scheme_form(
                &csrf,
                &[
                    ("form", "new"),
                    ("year", "2025"),
                    ("method", "benchmark"),
                    ("cap", "1.2"),
                    ("above_tax_per_mu", "35"),
                    ("above_revenue_per_mu_benchmark", ""),
                    ("band_b", "20"),
                ],
            ),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(
        bad.body
            .contains("规上（营收达线） 组的权重合计为 90，应为 100")
            || bad.body.contains("权重合计为 90"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("id=\"scheme-new-band_a-error\""));
    assert!(
        bad.body
            .contains("id=\"scheme-new-above_revenue_per_mu_benchmark-error\"")
    );
    assert!(bad.body.contains("value=\"35\""), "what was typed is kept");
    let bad = b
        .post(
            app,
            "/cluster/settings/schemes",
            &scheme_form(
                &csrf,
                &[
                    ("form", "new"),
                    ("year", "2025"),
                    ("below_tax_per_mu", "lots"),
                ],
            ),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body
            .contains("id=\"scheme-new-below_tax_per_mu-error\"")
    );
    assert_eq!(app.store.cluster_schemes(zone).await.unwrap(), audited);

    // 2025's own scheme, by benchmark: 2025 is rated on it, 2024 on the zone's.
    let ok = b
        .post(
            app,
            "/cluster/settings/schemes",
            &scheme_form(
                &csrf,
                &[
                    ("form", "new"),
                    ("year", "2025"),
                    ("method", "benchmark"),
                    ("cap", "1.2"),
                ],
            ),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert!(ok.location().contains("done=cluster_scheme_saved"));
    assert_eq!(method(2025).await, "benchmark");
    assert_eq!(method(2024).await, "min_max");
    let page = b.get(app, "/cluster/settings").await;
    assert!(page.body.contains("id=\"scheme-2025\""));
    assert!(page.body.contains("2025 年方案"));

    // The zone's scheme changed: the revenue line moves the groups of every other year.
    let ok = b
        .post(
            app,
            "/cluster/settings/schemes",
            &scheme_form(&csrf, &[("form", "zone"), ("revenue_line_wan", "3000")]),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let settings = app.store.cluster_settings(zone).await.unwrap();
    assert_eq!(settings.scheme.revenue_line.0, 3_000 * 1_000_000);
    assert_eq!(
        app.store.scheme_for(zone, 2024).await.unwrap(),
        settings.scheme
    );
    assert_ne!(
        app.store.scheme_for(zone, 2025).await.unwrap(),
        settings.scheme
    );

    // Removed: 2025 goes back to the zone's; removing it again is not found.
    let r = b
        .post(
            app,
            "/cluster/settings/schemes/2025/remove",
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(method(2025).await, "min_max");
    let r = b
        .post(
            app,
            "/cluster/settings/schemes/2025/remove",
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Only the administrator sets schemes.
    let mut l = app.login("leader@luodi.demo").await;
    let leader_csrf = l.get(app, "/cluster").await.csrf();
    let r = l
        .post(
            app,
            "/cluster/settings/schemes",
            &scheme_form(&leader_csrf, &[("form", "new"), ("year", "2024")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(app.store.cluster_schemes(zone).await.unwrap().is_empty());
}
