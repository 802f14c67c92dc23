//! The 亩均 evaluation's and the post-completion checks' pages on SQLite and PostgreSQL:
//! the results table with its filters, sort and export; an enterprise's breakdown whose
//! figures are the API's; an enterprise that sees its own line only (another's breakdown
//! and check are not found); a check failing on tax per mu, on its list, its page (the
//! shortfall, the blocker), its project's page and the homes; the explanation with its
//! error beside the field; the agreed production date on the project form; the run button.

mod common;

use axum::http::StatusCode;
use common::{Browser, TestApp};
use luodi_domain::approvals::service_item::{ItemEvent, Party};
use luodi_domain::stewardship::project::PhaseStatus;
use luodi_domain::{Scope, ZoneId};
use luodi_store::{Actor, demo};
use serde_json::{Value, json};

on_both! {
    the_results_table_filters_sorts_exports_and_breaks_down_as_the_api => results;
    an_enterprise_sees_only_its_own_line_and_class => own_line;
    a_failing_check_shows_on_its_list_page_project_and_homes => failing_check;
}

/// Last year, the year the pages show by default and the checks read.
fn last_year() -> i32 {
    chrono::Datelike::year(&luodi_domain::core::time::zone_date(chrono::Utc::now())) - 1
}

/// The codes of eight more enterprises, with figures only (the demo's others are still
/// building, so not rated).
fn extra_uscc(i: usize) -> String {
    luodi_domain::core::uscc::Uscc::complete(&format!("91370214MA3D{:04}", i + 1))
        .unwrap()
        .to_string()
}

/// Imports last year's figures of the demo's six enterprises and eight more (each on its
/// own 100 mu; one of them below the revenue line), Sinopharm's tax `sinopharm_tax` 万元.
async fn figures(app: &TestApp, sinopharm_tax: &str) {
    let zone = zone(app).await;
    for i in 0..8 {
        let draft = luodi_domain::core::enterprise::EnterpriseDraft::parse(
            &luodi_domain::core::enterprise::EnterpriseInput {
                uscc: extra_uscc(i),
                name: format!("测试企业{i}"),
                ..Default::default()
            },
        )
        .unwrap();
        app.store
            .create_enterprise(&Actor::Cli, zone, &draft)
            .await
            .unwrap();
    }
    let admin = app.token("admin@luodi.demo").await;
    let year = last_year().to_string();
    let row = |uscc: String, revenue: usize, tax: String, k: usize| {
        json!({"uscc": uscc, "period": year,
            "revenue_wan": revenue.to_string(), "output_wan": "50000", "tax_wan": tax,
            "value_added_wan": (6000 + 700 * k).to_string(), "energy_tce": (1000 + 300 * k).to_string(),
            "rd_wan": (400 + 150 * k).to_string(), "employees": 200 + 40 * k as i64, "land_mu": "100"})
    };
    let mut rows: Vec<Value> = (0..6)
        .map(|i| {
            let tax = if i == 0 {
                sinopharm_tax.to_string()
            } else {
                (300 + 250 * i).to_string()
            };
            row(demo::demo_uscc(i).to_string(), 20000 + 7000 * i, tax, i)
        })
        .collect();
    rows.extend((0..8).map(|i| {
        let revenue = if i == 0 { 1500 } else { 18000 + 4000 * i };
        row(
            extra_uscc(i),
            revenue,
            (200 + 170 * i).to_string(),
            (i * 5) % 7,
        )
    }));
    let r = app
        .api(
            "POST",
            "/api/v1/statistics",
            Some(&admin),
            Some(&json!({ "rows": rows }).to_string()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

async fn zone(app: &TestApp) -> ZoneId {
    demo::zone_id(&app.store).await.unwrap()
}

async fn enterprise_id(app: &TestApp, i: usize) -> i64 {
    app.store
        .enterprise_by_uscc(zone(app).await, demo::demo_uscc(i).as_str())
        .await
        .unwrap()
        .unwrap()
        .id
        .0
}

/// The API's evaluation of last year, as `email` reads it.
async fn api_evaluation(app: &TestApp, email: &str) -> Value {
    let token = app.token(email).await;
    let r = app
        .api(
            "GET",
            &format!("/api/v1/mu-evaluation?year={}", last_year()),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

/// The ids of the enterprises a results page lists, in order (`<tr id="mu-{id}">`).
fn listed(body: &str) -> Vec<i64> {
    body.split("<tr id=\"mu-")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
        .collect()
}

async fn results(app: &TestApp) {
    figures(app, "900").await;
    let year = last_year();
    let api = api_evaluation(app, "admin@luodi.demo").await;
    let mut admin = app.login("admin@luodi.demo").await;
    // The year shown by default is last year; every enterprise evaluated is listed.
    let page = admin.get(app, "/mu").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(&format!("{year} 年亩均效益评价")));
    let enterprises = api["enterprises"].as_array().unwrap();
    assert_eq!(listed(&page.body).len(), enterprises.len(), "{api}");
    assert!(page.body.contains("href=\"/mu\"") || page.body.contains("/mu?"));
    // The class filter lists the API's class A, and only them.
    let mut ids = std::collections::HashMap::new();
    for e in enterprises {
        let uscc = e["uscc"].as_str().unwrap();
        let held = app
            .store
            .enterprise_by_uscc(zone(app).await, uscc)
            .await
            .unwrap()
            .unwrap();
        ids.insert(uscc.to_string(), held.id.0);
    }
    let of_class = |c: &str| -> Vec<i64> {
        let mut v: Vec<i64> = enterprises
            .iter()
            .filter(|e| e["class"] == c && e["rated"] == true)
            .map(|e| ids[e["uscc"].as_str().unwrap()])
            .collect();
        v.sort_unstable();
        v
    };
    let page = admin
        .get(app, &format!("/mu?year={year}&class=A&rated=yes"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let mut shown = listed(&page.body);
    shown.sort_unstable();
    assert!(!shown.is_empty(), "{api}");
    assert_eq!(shown, of_class("A"));
    // Those not rated read "B, not rated" with why.
    let unrated: Vec<&Value> = enterprises.iter().filter(|e| e["rated"] == false).collect();
    let page = admin.get(app, &format!("/mu?year={year}&rated=no")).await;
    assert_eq!(listed(&page.body).len(), unrated.len());
    for e in &unrated {
        assert!(page.body.contains("B（未参评）"), "{}", page.body);
        let why = e["reason"].as_str().unwrap();
        assert!(page.body.contains(why), "{why}");
    }
    // Sorted by total score, highest first.
    let page = admin
        .get(
            app,
            &format!("/mu?year={year}&rated=yes&sort=score&order=desc"),
        )
        .await;
    let order = listed(&page.body);
    let score = |id: i64| {
        enterprises
            .iter()
            .find(|e| ids[e["uscc"].as_str().unwrap()] == id)
            .unwrap()["total_score"]
            .as_f64()
            .unwrap()
    };
    assert!(order.len() >= 2);
    assert!(
        order.windows(2).all(|w| score(w[0]) >= score(w[1])),
        "{order:?}"
    );
    assert!(page.body.contains("aria-sort=\"descending\""));
    // A wrong filter is a 400 naming it.
    let page = admin.get(app, "/mu?class=E").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    // The export is the filtered view.
    let csv = admin
        .get(
            app,
            &format!("/mu/export.csv?year={year}&class=A&rated=yes"),
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    let lines = csv.body.lines().filter(|l| !l.trim().is_empty()).count();
    assert_eq!(lines, 1 + of_class("A").len(), "{}", csv.body);
    let xlsx = admin
        .get(app, &format!("/mu/export.xlsx?year={year}"))
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.body_bytes.starts_with(b"PK"));

    // One enterprise's breakdown: the API's figures, each indicator with its unit.
    let rated = enterprises
        .iter()
        .find(|e| e["rated"] == true && e["group"] == "above")
        .expect("a rated enterprise above the line");
    let id = ids[rated["uscc"].as_str().unwrap()];
    let page = admin.get(app, &format!("/mu/{id}?year={year}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    let two = |x: &Value| format!("{:.2}", x.as_f64().unwrap());
    assert!(body.contains(&two(&rated["total_score"])), "total");
    assert!(body.contains(&format!("第 {} 名 / 共 {} 家", rated["rank"], rated["of"])));
    assert!(body.contains(&format!(">{}</span>", rated["class"].as_str().unwrap())));
    for i in rated["indicators"].as_array().unwrap() {
        let pct = i["indicator"] == "rd_intensity";
        let shown = |x: &Value| {
            let v = x.as_f64().unwrap();
            format!("{:.2}", if pct { v * 100.0 } else { v })
        };
        for k in ["value", "min", "max"] {
            assert!(
                body.contains(&shown(&i[k])),
                "{} {k}: {body}",
                i["indicator"]
            );
        }
        assert!(body.contains(&two(&i["score"])), "{} score", i["indicator"]);
        assert!(body.contains(&format!("<td class=\"num\">{}</td>", i["weight"])));
    }
    for words in ["亩均税收", "万元/亩", "组内最小值", "组内极差法"] {
        assert!(body.contains(words), "{words}");
    }
    // In English too.
    admin.lang = Some("en");
    let page = admin.get(app, &format!("/mu/{id}?year={year}")).await;
    assert!(page.body.contains("Tax per mu"), "{}", page.body);
    assert!(page.body.contains("Group minimum"));
    // An enterprise no evaluation holds is not found.
    let page = admin.get(app, &format!("/mu/999999?year={year}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

async fn own_line(app: &TestApp) {
    figures(app, "900").await;
    let year = last_year();
    let own = enterprise_id(app, 0).await;
    let other = enterprise_id(app, 2).await;
    let mut ent = app.login("enterprise@luodi.demo").await;
    let page = ent.get(app, &format!("/mu?year={year}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(listed(&page.body), vec![own]);
    assert!(!page.body.contains("海尔大健康"));
    // The side bar has the evaluation, not the checks' list.
    assert!(page.body.contains("href=\"/mu\""));
    let csv = ent.get(app, &format!("/mu/export.csv?year={year}")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains("青岛国药科技城发展有限公司"));
    assert!(!csv.body.contains("海尔大健康"), "{}", csv.body);
    assert_eq!(csv.body.lines().filter(|l| !l.trim().is_empty()).count(), 2);
    // Its own breakdown; another's is not found.
    let page = ent.get(app, &format!("/mu/{own}?year={year}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let page = ent.get(app, &format!("/mu/{other}?year={year}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    // Its home shows its class of the last year evaluated, linking to its breakdown.
    let api = api_evaluation(app, "enterprise@luodi.demo").await;
    let mine = &api["enterprises"][0];
    let home = ent.get(app, "/").await;
    let card = home
        .body
        .split("id=\"mu-card\"")
        .nth(1)
        .expect("the class card")
        .split("</div></div>")
        .next()
        .unwrap()
        .to_string();
    assert!(
        home.body
            .contains(&format!("href=\"/mu/{own}?year={year}\"")),
        "{}",
        home.body
    );
    let expected = if mine["rated"] == true {
        mine["class"].as_str().unwrap().to_string()
    } else {
        "B（未参评）".to_string()
    };
    assert!(card.contains(&expected), "{card}");
    // A department's officer reads neither (nor finds them in the side bar).
    let mut approval = app.login("approval@luodi.demo").await;
    let page = approval.get(app, "/").await;
    assert!(!page.body.contains("href=\"/mu\""));
    assert!(!page.body.contains("href=\"/completion\""));
    for path in ["/mu", "/completion"] {
        let page = approval.get(app, path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
    }
    // Another enterprise's user sees its own line only, too.
    let haier = app.other_enterprise_user().await;
    let mut h = app.login(haier).await;
    let page = h.get(app, &format!("/mu?year={year}")).await;
    assert_eq!(listed(&page.body), vec![other]);
    let page = h.get(app, &format!("/mu/{own}?year={year}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

fn day(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

/// An item approved on `on`, as a list's imported course holds it.
fn approved(code: &str, on: &str) -> (String, Vec<(ItemEvent, Party)>) {
    let on = day(on);
    (
        code.to_string(),
        vec![
            (ItemEvent::Submit { on }, Party::Applicant),
            (
                ItemEvent::Accept {
                    on,
                    missing: Vec::new(),
                    missing_due: None,
                },
                Party::Department,
            ),
            (
                ItemEvent::Approve {
                    on,
                    verify_by: None,
                },
                Party::Department,
            ),
        ],
    )
}

/// Moves the Sinopharm city's phase 1 (handed GX-2026-07) into production; returns
/// (project id, phase id).
async fn into_production(app: &TestApp) -> (i64, i64) {
    let zone = zone(app).await;
    let scope = Scope {
        zone: Some(zone),
        enterprise: None,
    };
    let project = app.sinopharm().await;
    let phase = app.store.project(&scope, project).await.unwrap().phases[0].id;
    let course = vec![
        approved("SG06", "2026-10-20"),
        approved("SG07", "2026-11-02"),
        approved("YS03", "2026-11-10"),
    ];
    app.store
        .import_course(&Actor::Cli, &scope, phase, &course)
        .await
        .unwrap();
    app.store
        .move_phase(&Actor::Cli, zone, phase, PhaseStatus::InProduction, None)
        .await
        .unwrap();
    (project, phase)
}

/// The project form as it is, with `changes` made: the pairs a browser posts.
fn form_of(body: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for part in body.split("<input").skip(1) {
        let tag = &part[..part.find('>').unwrap()];
        let attr = |a: &str| {
            tag.split(&format!(" {a}=\""))
                .nth(1)
                .map(|r| r[..r.find('"').unwrap()].to_string())
        };
        if let Some(name) = attr("name") {
            if tag.contains("type=\"submit\"") {
                continue;
            }
            pairs.push((name, attr("value").unwrap_or_default()));
        }
    }
    for part in body.split("<select").skip(1) {
        let tag = &part[..part.find('>').unwrap()];
        let name = tag.split(" name=\"").nth(1).unwrap();
        let name = &name[..name.find('"').unwrap()];
        let options = &part[..part.find("</select>").unwrap()];
        let value = options
            .split("<option value=\"")
            .skip(1)
            .find(|o| o[..o.find('>').unwrap()].contains("selected"))
            .map(|o| o[..o.find('"').unwrap()].to_string())
            .unwrap_or_default();
        pairs.push((name.to_string(), value));
    }
    for (k, v) in changes {
        pairs.retain(|(n, _)| n != k);
        pairs.push((k.to_string(), v.to_string()));
    }
    pairs
        .into_iter()
        .map(|(k, v)| (k, v.replace("&#34;", "\"").replace("&#39;", "'")))
        .collect()
}

async fn post_pairs(
    b: &mut Browser,
    app: &TestApp,
    path: &str,
    pairs: &[(String, String)],
) -> common::Reply {
    let form: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.post(app, path, &form).await
}

/// The home's part linking to `href`: its count and the lines' links.
fn home_part(body: &str, href: &str) -> Option<(usize, Vec<String>)> {
    let section = body
        .split("<section class=\"work-part ")
        .skip(1)
        .find(|s| s.contains(&format!("<h2><a href=\"{href}\"")))?;
    let section = section.split("</section>").next().unwrap();
    let count = section
        .split("<span class=\"count\">")
        .nth(1)?
        .split('<')
        .next()?
        .parse()
        .ok()?;
    let links = section
        .split("<li><a href=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect();
    Some((count, links))
}

async fn failing_check(app: &TestApp) {
    let (project, phase) = into_production(app).await;
    // The agreed production date, on the project form: a wrong one refused beside its
    // field, nothing saved; a right one saved and audited.
    let mut admin = app.login("admin@luodi.demo").await;
    let edit = format!("/projects/{project}/edit");
    let page = admin.get(app, &edit).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("name=\"phase1_production_due_on\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("约定达产日期"));
    let r = post_pairs(
        &mut admin,
        app,
        &edit,
        &form_of(&page.body, &[("phase1_production_due_on", "2026-13-40")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let field = r
        .body
        .split("name=\"phase1_production_due_on\"")
        .nth(1)
        .unwrap()
        .split("</div>")
        .next()
        .unwrap();
    assert!(
        field.contains("class=\"field-error\"") && field.contains("2026-13-40"),
        "{field}"
    );
    let page = admin.get(app, &edit).await;
    let r = post_pairs(
        &mut admin,
        app,
        &edit,
        &form_of(&page.body, &[("phase1_production_due_on", "2026-06-30")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = admin.get(app, &edit).await;
    assert!(page.body.contains("value=\"2026-06-30\""));
    {
        use sqlx::Row;
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'set_production_due' AND entity_id = $1",
        )
        .bind(phase.to_string())
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get("n");
        assert_eq!(n, 1);
    }
    // Last year's tax: 500 万元 on 100 mu, 5 a mu, far below GX-2026-07's 20.
    figures(app, "500").await;

    // The run button: the officer's, with the CSRF token; back with what it did.
    let mut ent = app.login("enterprise@luodi.demo").await;
    let page = ent.get(app, "/completion").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("id=\"completion-run\""));
    let r = ent
        .post(app, "/completion/run", &[("_csrf", &page.csrf())])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let page = admin.get(app, "/completion").await;
    assert!(page.body.contains("id=\"completion-run\""));
    let r = admin
        .post(app, "/completion/run", &[("_csrf", "wrong")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = admin
        .post(app, "/completion/run", &[("_csrf", &page.csrf())])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let to = r.location().to_string();
    assert!(
        to.starts_with("/completion?done=completion_run,checked:1,failed:1,blockers:1"),
        "{to}"
    );
    let page = admin.get(app, &to).await;
    assert!(
        page.body.contains("复核 1 个，未达标 1 个，新开堵点 1 个"),
        "{}",
        page.body
    );

    // On the list of failed checks, with its shortfall, project and phase linked.
    let api = app
        .api(
            "GET",
            "/api/v1/completion-checks",
            Some(&app.token("admin@luodi.demo").await),
            None,
        )
        .await
        .json();
    let check = &api.as_array().unwrap()[0];
    let id = check["id"].as_i64().unwrap();
    let blocker = check["blocker_id"].as_i64().expect("a blocker opened");
    let tax = check["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["measure"] == "tax_per_mu")
        .unwrap();
    assert_eq!(tax["met"], false);
    let pct = format!("{:.1}", tax["shortfall_pct"].as_f64().unwrap());
    let list = admin.get(app, "/completion?verdict=failed").await;
    assert_eq!(list.status, StatusCode::OK);
    let row = list
        .body
        .split(&format!("<tr id=\"check-{id}\">"))
        .nth(1)
        .expect("the failed check listed")
        .split("</tr>")
        .next()
        .unwrap();
    assert!(
        row.contains(&format!("href=\"/projects/{project}\"")),
        "{row}"
    );
    assert!(row.contains(demo::SINOPHARM_PARCEL), "{row}");
    assert!(row.contains("2026-06-30"));
    assert!(row.contains("未达标"));
    assert!(row.contains(&format!("亩均税收 {pct} %")), "{row}");
    let met = admin.get(app, "/completion?verdict=met").await;
    assert!(!met.body.contains(&format!("<tr id=\"check-{id}\">")));
    let csv = admin
        .get(app, "/completion/export.csv?verdict=failed")
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains(demo::SINOPHARM_PROJECT), "{}", csv.body);
    let xlsx = admin.get(app, "/completion/export.xlsx").await;
    assert!(xlsx.body_bytes.starts_with(b"PK"));

    // Its page: each measure against what is required and by what, the blocker.
    let detail = admin.get(app, &format!("/completion/{id}")).await;
    assert_eq!(detail.status, StatusCode::OK);
    let body = &detail.body;
    assert!(
        body.contains(&format!("href=\"/blockers/{blocker}\"")),
        "{body}"
    );
    assert!(body.contains(&format!("差 {pct}%")), "{body}");
    assert!(body.contains(&format!("{:.2}", tax["actual"].as_f64().unwrap())));
    assert!(body.contains(&format!("{:.2}", tax["required"].as_f64().unwrap())));
    assert!(body.contains(if tax["source"] == "parcel" {
        "地块控制指标"
    } else {
        "签约承诺（更严）"
    }));
    for words in ["投资强度", "亩均产值", "单位增加值能耗"] {
        assert!(body.contains(words), "{words}");
    }

    // On its project's page, linked.
    let page = admin.get(app, &format!("/projects/{project}")).await;
    let section = page
        .body
        .split(&format!("id=\"completion-{phase}\""))
        .nth(1)
        .expect("the phase's check on its project")
        .split("</tr>")
        .next()
        .unwrap();
    assert!(
        section.contains(&format!("href=\"/completion/{id}\"")),
        "{section}"
    );
    assert!(section.contains("未达标"));
    assert!(
        section.contains(&format!("href=\"/blockers/{blocker}\"")),
        "the blocker its failure opened, on the project: {section}"
    );

    // On the homes, counted as the list it links to.
    for email in [
        "admin@luodi.demo",
        "steward@luodi.demo",
        "leader@luodi.demo",
    ] {
        let mut b = app.login(email).await;
        let home = b.get(app, "/").await;
        let (count, links) = home_part(&home.body, "/completion?verdict=failed")
            .unwrap_or_else(|| panic!("{email}: {}", home.body));
        assert_eq!(count, 1, "{email}");
        assert_eq!(links, vec![format!("/completion/{id}")], "{email}");
    }

    // The enterprise sees its own check; another enterprise, none of it.
    let page = ent.get(app, &format!("/completion/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("id=\"explain-form\""));
    let haier = app.other_enterprise_user().await;
    let mut h = app.login(haier).await;
    let page = h.get(app, &format!("/completion/{id}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let page = h.get(app, "/completion").await;
    assert!(!page.body.contains(&format!("check-{id}")));
    let csv = h.get(app, "/completion/export.csv").await;
    assert!(!csv.body.contains(demo::SINOPHARM_PROJECT));

    // The explanation: empty is refused beside the field, then recorded and audited.
    let r = admin
        .post(
            app,
            &format!("/completion/{id}/explain"),
            &[("_csrf", &detail.csrf()), ("explanation", "  ")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let field = r
        .body
        .split("id=\"explanation\"")
        .nth(1)
        .unwrap()
        .split("</div>")
        .next()
        .unwrap();
    assert!(field.contains("class=\"field-error\""), "{field}");
    let r = admin
        .post(
            app,
            &format!("/completion/{id}/explain"),
            &[
                ("_csrf", &detail.csrf()),
                (
                    "explanation",
                    "受原料药集采影响，2025 年税收下降，已约谈企业。",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        r.location(),
        format!("/completion/{id}?done=completion_explained")
    );
    let page = admin.get(app, r.location()).await;
    assert!(page.body.contains("说明已记录"));
    assert!(page.body.contains("受原料药集采影响"));
    assert!(page.body.contains("未达标（已说明）"));
    assert!(!page.body.contains("id=\"explain-form\""));
    let list = admin.get(app, "/completion?verdict=explained").await;
    assert!(list.body.contains(&format!("<tr id=\"check-{id}\">")));
    let home = admin.get(app, "/").await;
    let (count, _) = home_part(&home.body, "/completion?verdict=failed").unwrap();
    assert_eq!(count, 0);
}
