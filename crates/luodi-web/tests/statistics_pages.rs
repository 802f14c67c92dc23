//! The statistics pages on SQLite and PostgreSQL: the list of each enterprise's year
//! (filters, sort, exports), the import (a refused file's problems by row and column in
//! the reader's language with nothing written, a good file, the templates read back), one
//! enterprise's year with its entry form (errors beside their fields, corrections as
//! versions, a closed period wanting a reason), an enterprise that sees only its own, and
//! the homes' entries.

mod common;

use axum::http::StatusCode;
use chrono::Datelike;
use common::lists::{exports, firsts, row_ids};
use common::{Browser, TestApp};
use luodi_store::demo;

on_both! {
    the_list_filters_sorts_and_exports_each_enterprise_s_year => list;
    a_refused_upload_lists_every_problem_by_row_and_column_and_writes_nothing => refused;
    a_good_upload_and_the_templates_read_back => good_upload_and_templates;
    the_entry_form_keeps_errors_beside_fields_and_corrections_make_versions => entry;
    a_closed_period_needs_a_reason_beside_its_field => closed_periods;
    an_enterprise_sees_and_enters_only_its_own => isolation;
    the_homes_count_incomplete_years_and_show_the_enterprise_s_own => homes;
}

const HEAD: &str = "uscc,period,revenue_wan,output_wan,tax_wan,value_added_wan,energy_tce,rd_wan,employees,land_mu";

async fn rows_held(app: &TestApp) -> i64 {
    use sqlx::Row;
    sqlx::query("SELECT COUNT(*) AS n FROM enterprise_statistics")
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get("n")
}

async fn enterprise_id(app: &TestApp, i: usize) -> i64 {
    let zone = demo::zone_id(&app.store).await.unwrap();
    app.store
        .enterprise_by_uscc(zone, demo::demo_uscc(i).as_str())
        .await
        .unwrap()
        .unwrap()
        .id
        .0
}

/// A row of figures for `uscc` and `period`, revenue as given.
fn line(uscc: &str, period: &str, revenue: &str) -> String {
    format!("{uscc},{period},{revenue},110,5,30,12.5,3,40,")
}

/// Uploads `csv` on the import page as `b`.
async fn upload(b: &mut Browser, app: &TestApp, csv: &str, reason: &str) -> common::Reply {
    let form = b.get(app, "/statistics/import").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let csrf = form.csrf();
    b.post_files(
        app,
        "/statistics/import",
        &[("_csrf", &csrf), ("reason", reason)],
        &[("file", "statistics.csv", csv.as_bytes())],
    )
    .await
}

/// The demo's three first enterprises in 2025: the first by twelve months, the second by
/// its year's row, the third with three months only.
async fn three_years(app: &TestApp, year: i32) {
    let mut csv = format!("{HEAD}\n");
    let (a, b, c) = (demo::demo_uscc(0), demo::demo_uscc(1), demo::demo_uscc(2));
    for m in 1..=12 {
        csv.push_str(&line(a.as_str(), &format!("{year}-{m:02}"), "100"));
        csv.push('\n');
    }
    csv.push_str(&line(b.as_str(), &year.to_string(), "5000.5"));
    csv.push('\n');
    for m in 1..=3 {
        csv.push_str(&line(c.as_str(), &format!("{year}-{m:02}"), "10"));
        csv.push('\n');
    }
    let mut admin = app.login("admin@luodi.demo").await;
    let r = upload(&mut admin, app, &csv, "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        r.location(),
        "/statistics?done=statistics_imported,created:16,corrected:0,unchanged:0"
    );
}

async fn list(app: &TestApp) {
    three_years(app, 2025).await;
    let (a, b, c) = (
        enterprise_id(app, 0).await,
        enterprise_id(app, 1).await,
        enterprise_id(app, 2).await,
    );
    let mut admin = app.login("admin@luodi.demo").await;
    let r = admin.get(app, "/statistics").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The newest year with figures is shown; every enterprise of the zone is listed.
    assert!(r.body.contains("2025"), "{}", r.body);
    let all = row_ids(&r.body, "enterprise");
    assert!(all.contains(&a) && all.contains(&b) && all.contains(&c));
    assert!(r.body.contains(&format!("href=\"/enterprises/{a}\"")));
    assert!(r.body.contains("十二个月合计") && r.body.contains("取自年度数据"));
    assert!(r.body.contains("5,000.5"), "money in 万元, grouped");
    // Filters: the state.
    let r = admin
        .get(app, "/statistics?year=2025&state=incomplete")
        .await;
    assert_eq!(row_ids(&r.body, "enterprise"), vec![c]);
    assert!(
        r.body.contains("缺少月份：4, 5, 6, 7, 8, 9, 10, 11, 12"),
        "{}",
        r.body
    );
    let r = admin.get(app, "/statistics?year=2025&state=complete").await;
    let mut complete = row_ids(&r.body, "enterprise");
    complete.sort_unstable();
    let mut want = vec![a, b];
    want.sort_unstable();
    assert_eq!(complete, want);
    let r = admin.get(app, "/statistics?year=2025&state=none").await;
    let none = row_ids(&r.body, "enterprise");
    assert!(!none.contains(&a) && !none.contains(&c) && none.len() + 3 == all.len());
    // Search and sort.
    let r = admin
        .get(
            app,
            &format!("/statistics?q={}", demo::demo_uscc(1).as_str()),
        )
        .await;
    assert_eq!(row_ids(&r.body, "enterprise"), vec![b]);
    let r = admin
        .get(
            app,
            "/statistics?year=2025&state=complete&sort=revenue&order=desc",
        )
        .await;
    assert_eq!(row_ids(&r.body, "enterprise"), vec![b, a]);
    // A wrong filter is the 400 page naming it.
    let r = admin.get(app, "/statistics?state=done").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("state"));
    // The exports are the filtered view, every page of it.
    for rows in exports(&mut admin, app, "/statistics", "year=2025&state=complete").await {
        assert_eq!(
            firsts(&rows),
            [demo::demo_uscc(0), demo::demo_uscc(1)]
                .iter()
                .map(|u| u.to_string())
                .collect()
        );
    }
    // The province's leader reads the list too (no closing, no import).
    let mut leader = app.login("leader@luodi.demo").await;
    let r = leader
        .get(app, "/statistics?year=2025&state=incomplete")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(row_ids(&r.body, "enterprise"), vec![c]);
    assert!(
        !r.body.contains("href=\"/statistics/import\"")
            && !r.body.contains("href=\"/statistics/periods\"")
    );
    // In English, the states in words.
    admin.lang = Some("en");
    let r = admin
        .get(app, "/statistics?year=2025&state=incomplete")
        .await;
    assert!(
        r.body.contains(">Incomplete</a>") && r.body.contains("months missing: 4, 5"),
        "{}",
        r.body
    );
    admin.lang = None;
    // Another year has no figures: every enterprise reads as none.
    let r = admin.get(app, "/statistics?year=2024&state=none").await;
    assert_eq!(row_ids(&r.body, "enterprise").len(), all.len());
}

async fn refused(app: &TestApp) {
    let a = demo::demo_uscc(0);
    let unknown = luodi_domain::core::uscc::Uscc::complete("91370214MA3E9999").unwrap();
    let csv = format!(
        "{HEAD}\n{}\n{}\n{a},2025-13,1,1,1,1,1,1,1,\n{a},2025-02,-4,abc,5,30,12.5,3,40,\n",
        line(a.as_str(), "2025-01", "100"),
        line(unknown.as_str(), "2025-01", "100"),
    );
    let before = rows_held(app).await;
    let mut admin = app.login("admin@luodi.demo").await;
    let r = upload(&mut admin, app, &csv, "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"import-problem-table\""));
    let table = &r.body[r.body.find("import-problem-table").unwrap()..];
    // Each problem by row (as the spreadsheet numbers it) and column, in Chinese.
    for (row, column, message) in [
        ("3", "统一社会信用代码", "本园区没有统一社会信用代码为"),
        ("4", "统计期", "不是统计期"),
        ("5", "营业收入（万元）", "为负数"),
        ("5", "工业总产值（万元）", "不是数字"),
    ] {
        let at = format!("<td class=\"nowrap\">{row}</td><td>{column}</td><td class=\"reason\">");
        let i = table
            .find(&at)
            .unwrap_or_else(|| panic!("row {row} {column}: {table}"));
        assert!(table[i..].split("</tr>").next().unwrap().contains(message));
    }
    assert_eq!(rows_held(app).await, before, "nothing written");
    // In English: the columns as English names them, the messages in English.
    admin.lang = Some("en");
    let r = upload(&mut admin, app, &csv, "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("<td>Operating revenue (10k yuan)</td>"),
        "{}",
        r.body
    );
    assert!(r.body.contains("<td>Period</td>"));
    assert!(r.body.contains("nothing was written"));
    assert_eq!(rows_held(app).await, before, "nothing written");
    // No file: the error beside the file field.
    let form = admin.get(app, "/statistics/import").await;
    let r = admin
        .post_files(
            app,
            "/statistics/import",
            &[("_csrf", &form.csrf()), ("reason", "")],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"file-error\""), "{}", r.body);
}

async fn good_upload_and_templates(app: &TestApp) {
    let mut admin = app.login("admin@luodi.demo").await;
    // The template in Chinese, as CSV and XLSX.
    let csv = admin.get(app, "/statistics/template.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body.contains("统一社会信用代码") && csv.body.contains("税收（万元）"),
        "{}",
        csv.body
    );
    let xlsx = admin.get(app, "/statistics/template.xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    {
        use calamine::Reader;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx.body_bytes.clone())).unwrap();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        let head: Vec<String> = range
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(head[0], "统一社会信用代码");
    }
    // The Chinese template, its example row's code made a demo enterprise's, imports.
    let own = demo::demo_uscc(0);
    let body = csv.body.replace("91370212MA3C5QWX1K", own.as_str());
    let r = upload(&mut admin, app, &body, "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        r.location(),
        "/statistics?done=statistics_imported,created:1,corrected:0,unchanged:0"
    );
    let r = admin.get(app, r.location()).await;
    assert!(
        r.body
            .contains("已导入统计数据：新增 1 个统计期，更正 0 个，0 个无变化。"),
        "{}",
        r.body
    );
    // The same file again changes nothing; a changed figure is a correction.
    let r = upload(&mut admin, app, &body, "").await;
    assert!(r.location().ends_with("created:0,corrected:0,unchanged:1"));
    let changed = body.replace("1234.5", "1250");
    let r = upload(&mut admin, app, &changed, "").await;
    assert!(
        r.location().ends_with("created:0,corrected:1,unchanged:0"),
        "{}",
        r.location()
    );
    // The template in English: English headings, which the importer reads too.
    admin.lang = Some("en");
    let csv = admin.get(app, "/statistics/template.csv").await;
    assert!(csv.body.contains("Taxes paid (10k yuan)"), "{}", csv.body);
    // An enterprise's template carries its own code: it imports as it comes.
    let mut b = app.login("enterprise@luodi.demo").await;
    let csv = b.get(app, "/statistics/template.csv").await;
    assert!(csv.body.contains(own.as_str()), "{}", csv.body);
    let r = upload(&mut b, app, &csv.body.replace("2025-01", "2025-02"), "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // A user who may not enter figures gets the 403 page.
    let mut leader = app.login("leader@luodi.demo").await;
    assert_eq!(
        leader.get(app, "/statistics/import").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        leader.get(app, "/statistics/template.csv").await.status,
        StatusCode::FORBIDDEN
    );
}

/// Posts the entry form of enterprise `id` as `b` with `fields` (the rest blank).
async fn enter(b: &mut Browser, app: &TestApp, id: i64, fields: &[(&str, &str)]) -> common::Reply {
    let page = b.get(app, &format!("/statistics/{id}?year=2025")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = page.csrf();
    let mut form = vec![("_csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    b.post(app, &format!("/statistics/{id}"), &form).await
}

const GOOD: [(&str, &str); 8] = [
    ("period", "2025-03"),
    ("revenue_wan", "120.5"),
    ("output_wan", "130"),
    ("tax_wan", "8.25"),
    ("value_added_wan", "40"),
    ("energy_tce", "12.5"),
    ("rd_wan", "6"),
    ("employees", "52"),
];

async fn entry(app: &TestApp) {
    let own = enterprise_id(app, 0).await;
    let mut b = app.login("enterprise@luodi.demo").await;
    // Errors beside their fields, in the user's language, the typed values kept.
    let before = rows_held(app).await;
    let r = enter(
        &mut b,
        app,
        own,
        &[
            ("period", "2025-13"),
            ("revenue_wan", "abc"),
            ("output_wan", "-3"),
            ("tax_wan", "1.1234567"),
            ("value_added_wan", "40"),
            ("energy_tce", "1"),
            ("rd_wan", "1"),
            ("employees", ""),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    for (field, words) in [
        ("period", "不是统计期"),
        ("revenue_wan", "不是数字"),
        ("output_wan", "为负数"),
        ("tax_wan", "小数超过"),
        ("employees", "为空"),
    ] {
        let at = r
            .body
            .find(&format!("id=\"{field}-error\""))
            .unwrap_or_else(|| panic!("{field}: {}", r.body));
        assert!(
            r.body[at..].split("</p>").next().unwrap().contains(words),
            "{field}"
        );
    }
    assert!(r.body.contains("value=\"abc\""), "typed values kept");
    assert_eq!(rows_held(app).await, before, "nothing written");
    // In English (a form's post carries the language cookie, not the header).
    b.lang = Some("en");
    b.cookies.push(("luodi_lang".into(), "en".into()));
    let page = b.get(app, &format!("/statistics/{own}?year=2025")).await;
    let r = b
        .post(
            app,
            &format!("/statistics/{own}"),
            &[
                ("_csrf", &page.csrf()),
                ("period", "2025-03"),
                ("revenue_wan", "abc"),
            ],
        )
        .await;
    let at = r.body.find("id=\"revenue_wan-error\"").unwrap();
    assert!(
        r.body[at..]
            .split("</p>")
            .next()
            .unwrap()
            .contains("not a number"),
        "{}",
        &r.body[at..at + 200]
    );
    b.lang = None;
    b.cookies.retain(|(k, _)| k != "luodi_lang");
    // A good entry, then a correction: a new version, the old values in its history.
    let r = enter(&mut b, app, own, &GOOD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        r.location(),
        format!("/statistics/{own}?year=2025&done=statistics_entered,created:1,corrected:0")
    );
    let page = b.get(app, r.location()).await;
    assert!(page.body.contains("已保存统计数据：新增 1 个统计期"));
    assert!(page.body.contains("120.5"));
    assert!(
        page.body.contains("缺少月份：1, 2, 4"),
        "the months missing"
    );
    let mut corrected = GOOD;
    corrected[1] = ("revenue_wan", "125");
    let r = enter(&mut b, app, own, &corrected).await;
    assert!(
        r.location().ends_with("created:0,corrected:1"),
        "{}",
        r.location()
    );
    let page = b.get(app, &format!("/statistics/{own}?year=2025")).await;
    let history = &page.body[page.body.find("id=\"version-table\"").unwrap()..];
    assert!(
        history.contains("120.5") && history.contains("125"),
        "{history}"
    );
    assert!(history.contains("已被更正") && history.contains("现行"));
    assert!(history.contains("页面填报"));
    // The correction link fills the form with the period's figures.
    let page = b
        .get(app, &format!("/statistics/{own}?year=2025&period=2025-03"))
        .await;
    assert!(
        page.body.contains("name=\"revenue_wan\" value=\"125\""),
        "{}",
        page.body
    );
}

async fn closed_periods(app: &TestApp) {
    let own = enterprise_id(app, 0).await;
    let mut b = app.login("enterprise@luodi.demo").await;
    let r = enter(&mut b, app, own, &GOOD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Only the administrator closes periods.
    assert_eq!(
        b.get(app, "/statistics/periods").await.status,
        StatusCode::FORBIDDEN
    );
    let mut admin = app.login("admin@luodi.demo").await;
    let page = admin.get(app, "/statistics/periods").await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = page.csrf();
    // A period that is not one: beside the field.
    let r = admin
        .post(
            app,
            "/statistics/periods",
            &[("_csrf", &csrf), ("action", "close"), ("period", "2025-13")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"period-error\""));
    let r = admin
        .post(
            app,
            "/statistics/periods",
            &[("_csrf", &csrf), ("action", "close"), ("period", "2025")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/statistics/periods?done=period_closed");
    let page = admin.get(app, r.location()).await;
    assert!(page.body.contains("id=\"closed-2025\""));
    assert!(page.body.contains("王敏"), "who closed it");
    // Twice: beside the field.
    let r = admin
        .post(
            app,
            "/statistics/periods",
            &[("_csrf", &csrf), ("action", "close"), ("period", "2025")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("统计期 2025 已经关闭"));
    // A correction of a month of the closed year without a reason: beside the reason.
    let mut corrected = GOOD;
    corrected[1] = ("revenue_wan", "130");
    let before = rows_held(app).await;
    let r = enter(&mut b, app, own, &corrected).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let at = r
        .body
        .find("id=\"reason-error\"")
        .expect("beside the reason");
    assert!(
        r.body[at..]
            .split("</p>")
            .next()
            .unwrap()
            .contains("已关闭")
    );
    assert!(r.body.contains("value=\"130\""), "typed values kept");
    assert_eq!(rows_held(app).await, before);
    // With a reason, it is a new version, the reason kept.
    let mut with_reason: Vec<(&str, &str)> = corrected.to_vec();
    with_reason.push(("reason", "税务局更正申报"));
    let r = enter(&mut b, app, own, &with_reason).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = b.get(app, &format!("/statistics/{own}?year=2025")).await;
    assert!(page.body.contains("税务局更正申报"));
    assert!(page.body.contains("已关闭"), "the closed period is marked");
    // Opened again.
    let r = admin
        .post(
            app,
            "/statistics/periods",
            &[("_csrf", &csrf), ("action", "open"), ("period", "2025")],
        )
        .await;
    assert_eq!(r.location(), "/statistics/periods?done=period_opened");
    let page = admin.get(app, "/statistics/periods").await;
    assert!(!page.body.contains("id=\"closed-2025\""));
}

async fn isolation(app: &TestApp) {
    three_years(app, 2025).await;
    let own = enterprise_id(app, 0).await;
    let haier = enterprise_id(app, 2).await;
    let haier_user = app.other_enterprise_user().await;
    let mut b = app.login("enterprise@luodi.demo").await;
    // The list and its exports: its own line only.
    let r = b.get(app, "/statistics?year=2025").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(row_ids(&r.body, "enterprise"), vec![own]);
    for rows in exports(&mut b, app, "/statistics", "year=2025").await {
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0][0], demo::demo_uscc(0).to_string());
    }
    // Another's page, and a post to it: 404, nothing written.
    assert_eq!(
        b.get(app, &format!("/statistics/{haier}?year=2025"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let page = b.get(app, &format!("/statistics/{own}?year=2025")).await;
    let before = rows_held(app).await;
    let mut form = vec![("_csrf", page.csrf())];
    form.extend(GOOD.iter().map(|(k, v)| (*k, v.to_string())));
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = b.post(app, &format!("/statistics/{haier}"), &form).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A file with another's code reads as a code the zone does not hold.
    let csv = format!(
        "{HEAD}\n{}\n",
        line(demo::demo_uscc(2).as_str(), "2025-05", "1")
    );
    let r = upload(&mut b, app, &csv, "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("本园区没有统一社会信用代码为"));
    assert_eq!(rows_held(app).await, before, "nothing written");
    // Its own page works, and the side bar has the entry after the projects.
    let r = b.get(app, &format!("/statistics/{own}?year=2025")).await;
    assert_eq!(r.status, StatusCode::OK);
    let nav = r.body.find("href=\"/statistics\"").expect("side bar entry");
    assert!(r.body.find("href=\"/projects\"").unwrap() < nav);
    // The other enterprise sees its own, not the first's.
    let mut h = app.login(haier_user).await;
    let r = h.get(app, "/statistics?year=2025").await;
    assert_eq!(row_ids(&r.body, "enterprise"), vec![haier]);
    assert_eq!(
        h.get(app, &format!("/statistics/{own}")).await.status,
        StatusCode::NOT_FOUND
    );
    // An approval officer has no statistics: no side-bar entry, the 403 page.
    let mut approval = app.login("approval@luodi.demo").await;
    let r = approval.get(app, "/").await;
    assert!(!r.body.contains("href=\"/statistics\""));
    assert_eq!(
        approval.get(app, "/statistics").await.status,
        StatusCode::FORBIDDEN
    );
}

async fn homes(app: &TestApp) {
    let last = chrono::Utc::now().year() - 1;
    three_years(app, last).await;
    let c = enterprise_id(app, 2).await;
    // The investment officer's home counts the incomplete years, as the list it links to.
    let mut inv = app.login("investment@luodi.demo").await;
    let r = inv.get(app, "/").await;
    let at = r
        .body
        .find("id=\"work-home_incomplete\"")
        .unwrap_or_else(|| panic!("{}", r.body));
    let part = r.body[at..].split("</section>").next().unwrap();
    let href = format!("/statistics?year={last}&#38;state=incomplete");
    assert!(part.contains(&href), "{part}");
    assert!(part.contains("<span class=\"count\">1</span>"), "{part}");
    assert!(part.contains(&format!("/statistics/{c}?year={last}")));
    let list = inv
        .get(app, &format!("/statistics?year={last}&state=incomplete"))
        .await;
    assert!(list.body.contains("共 1 条"), "{}", list.body);
    // The enterprise's home: a card for its own statistics of last year.
    let mut b = app.login("enterprise@luodi.demo").await;
    let r = b.get(app, "/").await;
    let at = r.body.find("id=\"own-statistics\"").expect("the card");
    let card = r.body[at..].split("</div>\n").next().unwrap();
    assert!(card.contains("完整"), "{card}");
    let own = enterprise_id(app, 0).await;
    assert!(
        r.body
            .contains(&format!("/statistics/{own}?year={last}#entry"))
    );
    // The other enterprise's year is incomplete: its card says which months are missing.
    let haier_user = app.other_enterprise_user().await;
    let mut h = app.login(haier_user).await;
    let r = h.get(app, "/").await;
    assert!(r.body.contains("缺少月份：4, 5"), "{}", r.body);
}
