//! The shared list on the pages of phases and catalogue items (issue 16, point 2): the
//! portfolio, every phase of the zone, the service catalogue's items, the zone's late
//! items (`/late`) — search, each
//! filter, sorting both ways, pages, the count, CSV and XLSX exports holding exactly the
//! filtered rows, and what an enterprise user sees — on SQLite and PostgreSQL. What each
//! page should show is worked out from the store, not written down, so the demo may grow.

mod common;

use std::collections::BTreeSet;

use axum::http::StatusCode;
use common::TestApp;
use common::lists::{common_encode, exports, firsts, row_ids, zone_scope};
use luodi_store::demo;
use luodi_store::forecast::portfolio::PortfolioRow;

on_both! {
    portfolio_list_searches_filters_sorts_pages_and_exports => portfolio_list;
    catalogue_list_searches_filters_sorts_pages_and_exports => catalogue_list;
    phases_list_searches_filters_sorts_pages_and_exports => phases_list;
    late_list_searches_filters_sorts_pages_and_exports => late_list;
}

/// The (first, second) columns of an export's rows, as a set.
fn pairs(rows: &[Vec<String>]) -> BTreeSet<(String, String)> {
    rows.iter().map(|r| (r[0].clone(), r[1].clone())).collect()
}

async fn portfolio_list(app: &TestApp) {
    use luodi_app::leadership::portfolio::{STAGES, start_date};
    let zone = demo::zone_id(&app.store).await.unwrap();
    let mut b = app.login("admin@luodi.demo").await;
    // Reading the page forecasts every phase, and keeps the forecasts the test reads.
    let page = b.get(app, "/portfolio?per_page=200").await;
    assert_eq!(page.status, StatusCode::OK);
    // The demo's steward serves every project: one is left without, so the steward's
    // filter has something to leave out.
    let sinopharm = app.sinopharm().await;
    sqlx::query("UPDATE projects SET steward_user_id = NULL WHERE id = $1")
        .bind(sinopharm)
        .execute(app.store.pool())
        .await
        .unwrap();
    let all = app.store.portfolio(&zone_scope(zone)).await.unwrap();
    assert!(all.len() >= 4, "the demo has several active phases");
    let projects = app.store.projects(&zone_scope(zone)).await.unwrap();
    let steward_of = |r: &PortfolioRow| {
        projects
            .iter()
            .find(|p| p.id == r.project_id)
            .unwrap()
            .steward_id
    };
    let ids = |f: &dyn Fn(&PortfolioRow) -> bool| {
        all.iter()
            .filter(|r| f(r))
            .map(|r| r.phase_id)
            .collect::<BTreeSet<_>>()
    };
    let names = |set: &BTreeSet<i64>| {
        all.iter()
            .filter(|r| set.contains(&r.phase_id))
            .map(|r| (r.project_name.clone(), r.phase_name.clone()))
            .collect::<BTreeSet<_>>()
    };
    let shown = |body: &str| row_ids(body, "phase").into_iter().collect::<BTreeSet<_>>();
    assert_eq!(
        row_ids(&page.body, "phase"),
        all.iter().map(|r| r.phase_id).collect::<Vec<_>>(),
        "the ranking: still to start first, the latest first"
    );
    assert!(page.body.contains(&format!("共 {} 条", all.len())));
    let waiting = ids(&|r| r.started_on.is_none());
    let started = ids(&|r| r.started_on.is_some());
    assert!(!waiting.is_empty() && !started.is_empty());
    assert!(
        page.body.contains("<tr class=\"group\">"),
        "the ranking's second group"
    );
    assert!(page.body.contains(&format!(
        "在办 {} 个期次，其中尚未开工 {} 个",
        all.len(),
        waiting.len()
    )));

    // Search: a project's, its enterprise's or a phase's name.
    let finds = |r: &PortfolioRow, needle: &str| {
        r.project_name.contains(needle)
            || r.enterprise_name.contains(needle)
            || r.phase_name.contains(needle)
    };
    let sinopharm = all
        .iter()
        .find(|r| r.project_name == demo::SINOPHARM_PROJECT)
        .unwrap();
    // The demo's active phases are all its projects' first (一期): a phase's name finds
    // them all, a project's or an enterprise's narrows.
    for needle in [
        "国药",
        sinopharm.enterprise_name.as_str(),
        sinopharm.phase_name.as_str(),
    ] {
        let expected = ids(&|r| finds(r, needle));
        assert!(!expected.is_empty(), "{needle}");
        if needle != sinopharm.phase_name {
            assert!(expected.len() < all.len(), "{needle} narrows");
        }
        let q = format!("q={}", common_encode(needle));
        let page = b.get(app, &format!("/portfolio?{q}&per_page=200")).await;
        assert_eq!(shown(&page.body), expected, "{needle}");
        assert!(page.body.contains(&format!("共 {} 条", expected.len())));
        for rows in exports(&mut b, app, "/portfolio", &q).await {
            assert_eq!(pairs(&rows), names(&expected), "{needle} export");
            assert_eq!(rows.len(), expected.len(), "{needle} export");
        }
    }
    let none = b.get(app, "/portfolio?q=no-such-phase-anywhere").await;
    assert!(row_ids(&none.body, "phase").is_empty() && none.body.contains("共 0 条"));

    // Stage, start, lateness, steward; each export holds exactly the rows shown.
    let mut filters: Vec<(String, BTreeSet<i64>)> = STAGES
        .iter()
        .map(|s| (format!("stage={s}"), ids(&|r| r.status.as_str() == *s)))
        .collect();
    filters.extend([
        ("start=waiting".to_string(), waiting.clone()),
        ("start=started".to_string(), started.clone()),
        ("late=late".to_string(), ids(&|r| r.late_working_days > 0)),
        (
            "late=on_time".to_string(),
            ids(&|r| r.late_working_days <= 0),
        ),
        (
            "start=waiting&late=late".to_string(),
            ids(&|r| r.started_on.is_none() && r.late_working_days > 0),
        ),
    ]);
    let steward = app
        .store
        .user_by_email("steward@luodi.demo")
        .await
        .unwrap()
        .unwrap();
    let theirs = ids(&|r| steward_of(r) == Some(steward.id));
    assert!(!theirs.is_empty() && theirs.len() < all.len());
    filters.push((format!("steward={}", steward.id.0), theirs.clone()));
    let mut narrowed = 0;
    for (q, expected) in &filters {
        let page = b.get(app, &format!("/portfolio?{q}&per_page=200")).await;
        assert_eq!(page.status, StatusCode::OK, "{q}");
        assert_eq!(shown(&page.body), *expected, "{q}");
        assert!(
            page.body.contains(&format!("共 {} 条", expected.len())),
            "{q} count"
        );
        narrowed += usize::from(!expected.is_empty() && expected.len() < all.len());
        for rows in exports(&mut b, app, "/portfolio", q).await {
            assert_eq!(pairs(&rows), names(expected), "{q} export");
            assert_eq!(rows.len(), expected.len(), "{q} export");
        }
    }
    assert!(narrowed >= 5, "the filters narrow the demo's portfolio");
    let page = b.get(app, "/portfolio?start=started").await;
    assert!(page.body.contains("<option value=\"started\" selected>"));
    let mut s = app.login("steward@luodi.demo").await;
    let mine = s.get(app, "/portfolio?steward=me&per_page=200").await;
    assert_eq!(shown(&mine.body), theirs, "steward=me");

    // Sorting both ways: by forecast start, by name; the ranking turned round.
    for sort in ["forecast", "name", "handover", "late"] {
        let asc = row_ids(
            &b.get(
                app,
                &format!("/portfolio?sort={sort}&order=asc&per_page=200"),
            )
            .await
            .body,
            "phase",
        );
        let desc_page = b
            .get(
                app,
                &format!("/portfolio?sort={sort}&order=desc&per_page=200"),
            )
            .await;
        assert!(desc_page.body.contains("aria-sort=\"descending\""));
        let mut desc = row_ids(&desc_page.body, "phase");
        desc.reverse();
        assert_eq!(
            asc, desc,
            "sort={sort}: descending is ascending turned round"
        );
        assert_eq!(asc.len(), all.len());
    }
    let row = |id: &i64| all.iter().find(|r| r.phase_id == *id).unwrap();
    let by_start = row_ids(
        &b.get(app, "/portfolio?sort=forecast&per_page=200")
            .await
            .body,
        "phase",
    );
    assert!(
        by_start
            .windows(2)
            .all(|w| start_date(row(&w[0])) <= start_date(row(&w[1])))
    );
    let by_name_page = b.get(app, "/portfolio?sort=name&per_page=200").await;
    assert!(
        !by_name_page.body.contains("<tr class=\"group\">"),
        "groups are the ranking's"
    );
    let by_name = row_ids(&by_name_page.body, "phase");
    let mut expected: Vec<&PortfolioRow> = all.iter().collect();
    expected.sort_by(|a, b| {
        (&a.project_name, a.phase, a.phase_id).cmp(&(&b.project_name, b.phase, b.phase_id))
    });
    assert_eq!(
        by_name,
        expected.iter().map(|r| r.phase_id).collect::<Vec<_>>()
    );
    let heading = b.get(app, "/portfolio?start=waiting").await;
    assert!(
        heading.body.contains(
            "href=\"/portfolio?start=waiting&#38;per_page=50&#38;sort=name&#38;order=asc\""
        ),
        "a heading's link keeps the filter"
    );

    // Pages.
    let second = b.get(app, "/portfolio?sort=name&per_page=1&page=2").await;
    assert_eq!(row_ids(&second.body, "phase"), by_name[1..2].to_vec());
    assert!(second.body.contains("rel=\"prev\"") && second.body.contains("rel=\"next\""));
    assert!(second.body.contains(&format!("共 {} 条", all.len())));
    assert!(second.body.contains("<td>2</td>"), "ranked across pages");

    // A wrong parameter is refused by name.
    let bad = b.get(app, "/portfolio?late=soon").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("“late”"), "{}", bad.body);
    let bad = b.get(app, "/portfolio/export.csv?sort=colour").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // An enterprise user sees its own enterprise's phases only, on the page and in the
    // exports, whatever it asks for.
    let user = app
        .store
        .user_by_email("enterprise@luodi.demo")
        .await
        .unwrap()
        .unwrap();
    let own = ids(&|r| Some(luodi_domain::EnterpriseId(r.enterprise_id)) == user.enterprise_id);
    assert!(!own.is_empty() && own.len() < all.len());
    let mut e = app.login("enterprise@luodi.demo").await;
    let page = e.get(app, "/portfolio?per_page=200").await;
    assert_eq!(shown(&page.body), own);
    let page = e
        .get(
            app,
            &format!("/portfolio?steward={}&per_page=200", steward.id.0),
        )
        .await;
    assert!(shown(&page.body).is_subset(&own));
    for rows in exports(&mut e, app, "/portfolio", "").await {
        assert_eq!(pairs(&rows), names(&own), "own phases only");
    }
}

/// The codes of the items a catalogue page shows, each row being `<tr id="item-{code}">`.
fn row_codes(body: &str) -> Vec<String> {
    let marker = "<tr id=\"item-";
    body.match_indices(marker)
        .map(|(i, _)| {
            let rest = &body[i + marker.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

async fn catalogue_list(app: &TestApp) {
    use luodi_app::approvals::catalogue_list::MODES;
    use luodi_domain::approvals::catalogue::Item;
    let zone = demo::zone_id(&app.store).await.unwrap();
    let (_, _, catalogue) = app.store.catalogue(zone, None).await.unwrap();
    let items = &catalogue.file.items;
    let in_order: Vec<String> = items.iter().map(|i| i.code.clone()).collect();
    let codes = |f: &dyn Fn(&Item) -> bool| {
        items
            .iter()
            .filter(|i| f(i))
            .map(|i| i.code.clone())
            .collect::<BTreeSet<_>>()
    };
    let shown = |body: &str| row_codes(body).into_iter().collect::<BTreeSet<_>>();
    let mut b = app.login("admin@luodi.demo").await;
    let page = b.get(app, "/catalogue").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(row_codes(&page.body), in_order, "the catalogue's order");
    assert!(page.body.contains(&format!("共 {} 条", items.len())));

    // Search: a code (any case) or a name.
    for needle in ["kb0", "许可", "Permit"] {
        let lower = needle.to_lowercase();
        let expected = codes(&|i| {
            [&i.code, &i.name_zh, &i.name_en]
                .iter()
                .any(|t| t.to_lowercase().contains(&lower))
        });
        assert!(
            !expected.is_empty() && expected.len() < items.len(),
            "{needle}"
        );
        let q = format!("q={}", common_encode(needle));
        let page = b.get(app, &format!("/catalogue?{q}")).await;
        assert_eq!(shown(&page.body), expected, "{needle}");
        assert!(page.body.contains(&format!("共 {} 条", expected.len())));
        for rows in exports(&mut b, app, "/catalogue", &q).await {
            assert_eq!(firsts(&rows), expected, "{needle} export");
            assert_eq!(rows.len(), expected.len(), "{needle} export");
        }
    }

    // Department, stage, category, reform mode: each value the catalogue has.
    let f = &catalogue.file;
    let mut filters: Vec<(String, BTreeSet<String>)> = Vec::new();
    for d in &f.departments {
        filters.push((
            format!("department={}", d.code),
            codes(&|i| i.department == d.code),
        ));
    }
    for s in &f.stages {
        filters.push((format!("stage={}", s.code), codes(&|i| i.stage == s.code)));
    }
    for c in &f.categories {
        filters.push((
            format!("category={}", c.code),
            codes(&|i| i.category == c.code),
        ));
    }
    for (word, mode) in MODES {
        filters.push((format!("mode={word}"), codes(&|i| i.modes.contains(&mode))));
    }
    let first = &items[0];
    filters.push((
        format!("department={}&stage={}", first.department, first.stage),
        codes(&|i| i.department == first.department && i.stage == first.stage),
    ));
    let mut narrowed = 0;
    for (q, expected) in &filters {
        let page = b.get(app, &format!("/catalogue?{q}")).await;
        assert_eq!(page.status, StatusCode::OK, "{q}");
        assert_eq!(shown(&page.body), *expected, "{q}");
        assert!(
            page.body.contains(&format!("共 {} 条", expected.len())),
            "{q} count"
        );
        narrowed += usize::from(!expected.is_empty() && expected.len() < items.len());
        for rows in exports(&mut b, app, "/catalogue", q).await {
            assert_eq!(firsts(&rows), *expected, "{q} export");
            assert_eq!(rows.len(), expected.len(), "{q} export");
        }
    }
    assert!(narrowed >= 10, "the filters narrow the catalogue");
    let page = b
        .get(app, &format!("/catalogue?department={}", first.department))
        .await;
    assert!(
        page.body
            .contains(&format!("<option value=\"{}\" selected>", first.department))
    );
    // A prerequisite on another page of the list links to the list found by its code.
    let waits = items.iter().find(|i| !i.prerequisites.is_empty()).unwrap();
    let page = b
        .get(app, &format!("/catalogue?q={}", common_encode(&waits.code)))
        .await;
    let pre = &waits.prerequisites[0];
    assert!(
        page.body
            .contains(&format!("href=\"/catalogue?q={pre}#item-{pre}\"")),
        "{}",
        &page.body[page.body.find("<tbody").unwrap()..]
    );

    // Sorting both ways, by each sortable column.
    for sort in ["order", "code", "name", "promised"] {
        let asc = row_codes(&b.get(app, &format!("/catalogue?sort={sort}")).await.body);
        let desc_page = b
            .get(app, &format!("/catalogue?sort={sort}&order=desc"))
            .await;
        assert!(desc_page.body.contains("aria-sort=\"descending\""));
        let mut desc = row_codes(&desc_page.body);
        desc.reverse();
        assert_eq!(
            asc, desc,
            "sort={sort}: descending is ascending turned round"
        );
    }
    let by_code = row_codes(&b.get(app, "/catalogue?sort=code").await.body);
    let mut sorted = in_order.clone();
    sorted.sort();
    assert_eq!(by_code, sorted);
    let by_limit = row_codes(&b.get(app, "/catalogue?sort=promised").await.body);
    let days = |code: &String| {
        items
            .iter()
            .find(|i| &i.code == code)
            .unwrap()
            .promised_limit
            .days
    };
    assert!(by_limit.windows(2).all(|w| days(&w[0]) <= days(&w[1])));

    // Pages.
    let second = b.get(app, "/catalogue?per_page=10&page=2").await;
    assert_eq!(row_codes(&second.body), in_order[10..20].to_vec());
    assert!(second.body.contains("rel=\"prev\"") && second.body.contains("rel=\"next\""));
    assert!(second.body.contains(&format!("共 {} 条", items.len())));

    // A department the catalogue lacks, or a word the list does not know, is refused by
    // name; the page's own parameter is not.
    let bad = b.get(app, "/catalogue?department=no-such-bureau").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.body.contains("“department”") && bad.body.contains(&f.departments[0].code),
        "{}",
        bad.body
    );
    let bad = b.get(app, "/catalogue/export.xlsx?stage=later").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let bad = b.get(app, "/catalogue?mode=fast").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("“mode”"));
    assert_eq!(
        b.get(app, "/catalogue?imported=2026.1").await.status,
        StatusCode::OK
    );

    // The catalogue is the zone's, not an enterprise's: an enterprise user reads it whole,
    // and exports it, without the import form.
    let mut e = app.login("enterprise@luodi.demo").await;
    let page = e.get(app, "/catalogue").await;
    assert_eq!(row_codes(&page.body), in_order);
    assert!(!page.body.contains("id=\"catalogue-import\""));
    for rows in exports(&mut e, app, "/catalogue", "").await {
        assert_eq!(rows.len(), items.len());
    }
}

/// A phase as the test works it out from the store.
struct SeenPhase {
    id: i64,
    project: String,
    seq: i64,
    name: String,
    enterprise_id: i64,
    enterprise: String,
    status: luodi_domain::stewardship::project::PhaseStatus,
    parcel: Option<String>,
    to_confirm: usize,
}

async fn phases_list(app: &TestApp) {
    use luodi_domain::stewardship::conditions;
    use luodi_domain::stewardship::project::PhaseStatus;
    let zone = demo::zone_id(&app.store).await.unwrap();
    let scope = zone_scope(zone);
    // The demo's signed phases all wait for land with their conditions known: one gets a
    // parcel reserved (it then waits for the handover), another forgets its conditions.
    let signed: Vec<i64> = app
        .store
        .projects(&scope)
        .await
        .unwrap()
        .iter()
        .flat_map(|p| p.phases.iter())
        .filter(|ph| ph.status == PhaseStatus::Signed)
        .map(|ph| ph.id)
        .collect();
    assert!(signed.len() >= 3, "the demo's phases waiting for land");
    let parcel = app
        .store
        .all_parcels(zone)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.status == luodi_domain::land::parcel::ParcelStatus::Available)
        .unwrap();
    app.store
        .reserve_parcel(&luodi_store::Actor::Cli, zone, parcel.id, signed[0], None)
        .await
        .unwrap();
    sqlx::query("UPDATE project_phases SET facts_json = $1 WHERE id = $2")
        .bind("{}")
        .bind(signed[1])
        .execute(app.store.pool())
        .await
        .unwrap();
    let mut all = Vec::new();
    for p in app.store.projects(&scope).await.unwrap() {
        let enterprise = app.store.enterprise(&scope, p.enterprise_id).await.unwrap();
        for ph in &p.phases {
            all.push(SeenPhase {
                id: ph.id,
                project: p.name.clone(),
                seq: ph.seq,
                name: ph.name.clone(),
                enterprise_id: p.enterprise_id.0,
                enterprise: enterprise.name.clone(),
                status: ph.status,
                parcel: ph.parcel_code.clone(),
                to_confirm: conditions::to_confirm(ph.status, &ph.facts),
            });
        }
    }
    assert!(all.len() > 20, "the demo's projects have many phases");
    let ids = |f: &dyn Fn(&SeenPhase) -> bool| {
        all.iter()
            .filter(|x| f(x))
            .map(|x| x.id)
            .collect::<BTreeSet<_>>()
    };
    let names = |set: &BTreeSet<i64>| {
        all.iter()
            .filter(|x| set.contains(&x.id))
            .map(|x| (x.project.clone(), x.name.clone()))
            .collect::<BTreeSet<_>>()
    };
    let shown = |body: &str| row_ids(body, "phase").into_iter().collect::<BTreeSet<_>>();
    let mut b = app.login("admin@luodi.demo").await;
    assert!(
        b.get(app, "/projects")
            .await
            .body
            .contains("href=\"/phases\""),
        "linked from the projects"
    );
    let page = b.get(app, "/phases?per_page=200").await;
    assert_eq!(page.status, StatusCode::OK);
    let mut by_project: Vec<&SeenPhase> = all.iter().collect();
    by_project.sort_by(|a, b| (&a.project, a.seq, a.id).cmp(&(&b.project, b.seq, b.id)));
    let in_order: Vec<i64> = by_project.iter().map(|x| x.id).collect();
    assert_eq!(
        row_ids(&page.body, "phase"),
        in_order,
        "by project, then phase"
    );
    assert!(page.body.contains(&format!("共 {} 条", all.len())));

    // Each phase with a service list shows its forecast start (or the day it started), as
    // the portfolio keeps it, linking to its Gantt chart.
    let forecasts = app.store.portfolio(&scope).await.unwrap();
    assert!(!forecasts.is_empty());
    for r in &forecasts {
        let at = page
            .body
            .find(&format!("<tr id=\"phase-{}\"", r.phase_id))
            .unwrap();
        let row = &page.body[at..at + page.body[at..].find("</tr>").unwrap()];
        let day = r.started_on.or(r.start_p50_date).unwrap().to_string();
        assert!(row.contains(&day), "{row}");
        if r.started_on.is_none() {
            assert!(row.contains(&format!(
                "href=\"/projects/{}/phases/{}/gantt\"",
                r.project_id, r.phase
            )));
        }
    }

    // Search: a project's, an enterprise's, a phase's name, a parcel's code.
    let sinopharm = all
        .iter()
        .find(|x| x.project == demo::SINOPHARM_PROJECT && x.seq == 1)
        .unwrap();
    let finds = |x: &SeenPhase, needle: &str| {
        x.project.contains(needle)
            || x.enterprise.contains(needle)
            || x.name.contains(needle)
            || x.parcel.as_deref().is_some_and(|c| c.contains(needle))
    };
    for needle in [
        "国药",
        sinopharm.enterprise.as_str(),
        "二期",
        demo::SINOPHARM_PARCEL,
    ] {
        let expected = ids(&|x| finds(x, needle));
        assert!(
            !expected.is_empty() && expected.len() < all.len(),
            "{needle}"
        );
        let q = format!("q={}", common_encode(needle));
        let page = b.get(app, &format!("/phases?{q}&per_page=200")).await;
        assert_eq!(shown(&page.body), expected, "{needle}");
        assert!(page.body.contains(&format!("共 {} 条", expected.len())));
        for rows in exports(&mut b, app, "/phases", &q).await {
            assert_eq!(pairs(&rows), names(&expected), "{needle} export");
            assert_eq!(rows.len(), expected.len(), "{needle} export");
        }
    }

    // Stage, and what a phase waits for: land, the land's handover, its conditions.
    let mut filters: Vec<(String, BTreeSet<i64>)> = PhaseStatus::ALL
        .iter()
        .map(|s| (format!("stage={}", s.as_str()), ids(&|x| x.status == *s)))
        .collect();
    filters.extend([
        (
            "waiting=land".to_string(),
            ids(&|x| x.status == PhaseStatus::Signed),
        ),
        (
            "waiting=handover".to_string(),
            ids(&|x| x.status == PhaseStatus::LandMatched),
        ),
        (
            "waiting=conditions".to_string(),
            ids(&|x| x.status < PhaseStatus::LandHandedOver && x.to_confirm > 0),
        ),
        (
            "stage=signed&waiting=conditions".to_string(),
            ids(&|x| x.status == PhaseStatus::Signed && x.to_confirm > 0),
        ),
    ]);
    let mut narrowed = 0;
    for (q, expected) in &filters {
        let page = b.get(app, &format!("/phases?{q}&per_page=200")).await;
        assert_eq!(page.status, StatusCode::OK, "{q}");
        assert_eq!(shown(&page.body), *expected, "{q}");
        assert!(
            page.body.contains(&format!("共 {} 条", expected.len())),
            "{q} count"
        );
        narrowed += usize::from(!expected.is_empty() && expected.len() < all.len());
        for rows in exports(&mut b, app, "/phases", q).await {
            assert_eq!(pairs(&rows), names(expected), "{q} export");
            assert_eq!(rows.len(), expected.len(), "{q} export");
        }
    }
    assert!(narrowed >= 6, "the filters narrow the demo's phases");
    assert!(
        !ids(&|x| x.to_confirm > 0).is_empty(),
        "the demo leaves conditions to confirm"
    );
    let page = b.get(app, "/phases?waiting=conditions").await;
    assert!(page.body.contains("<option value=\"conditions\" selected>"));
    assert!(
        page.body.contains("/edit#phase-"),
        "conditions link to the project's form"
    );

    // Sorting both ways.
    for sort in ["project", "stage", "forecast", "conditions"] {
        let asc = row_ids(
            &b.get(app, &format!("/phases?sort={sort}&per_page=200"))
                .await
                .body,
            "phase",
        );
        let desc_page = b
            .get(app, &format!("/phases?sort={sort}&order=desc&per_page=200"))
            .await;
        assert!(desc_page.body.contains("aria-sort=\"descending\""));
        let mut desc = row_ids(&desc_page.body, "phase");
        desc.reverse();
        assert_eq!(
            asc, desc,
            "sort={sort}: descending is ascending turned round"
        );
        assert_eq!(asc.len(), all.len());
    }
    let seen = |id: &i64| all.iter().find(|x| x.id == *id).unwrap();
    let by_stage = row_ids(
        &b.get(app, "/phases?sort=stage&per_page=200").await.body,
        "phase",
    );
    assert!(
        by_stage
            .windows(2)
            .all(|w| seen(&w[0]).status <= seen(&w[1]).status)
    );
    let by_conditions = row_ids(
        &b.get(app, "/phases?sort=conditions&order=desc&per_page=200")
            .await
            .body,
        "phase",
    );
    assert!(
        by_conditions
            .windows(2)
            .all(|w| seen(&w[0]).to_confirm >= seen(&w[1]).to_confirm)
    );

    // Pages.
    let second = b.get(app, "/phases?per_page=5&page=2").await;
    assert_eq!(row_ids(&second.body, "phase"), in_order[5..10].to_vec());
    assert!(second.body.contains("rel=\"prev\"") && second.body.contains("rel=\"next\""));
    assert!(second.body.contains(&format!("共 {} 条", all.len())));

    // A wrong parameter is refused by name.
    let bad = b.get(app, "/phases?waiting=money").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("“waiting”"), "{}", bad.body);
    let bad = b.get(app, "/phases/export.csv?stage=finished").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // An enterprise user sees its own enterprise's phases only, on the page and in the
    // exports, whatever it asks for.
    let user = app
        .store
        .user_by_email("enterprise@luodi.demo")
        .await
        .unwrap()
        .unwrap();
    let own = ids(&|x| Some(luodi_domain::EnterpriseId(x.enterprise_id)) == user.enterprise_id);
    assert!(!own.is_empty() && own.len() < all.len());
    let mut e = app.login("enterprise@luodi.demo").await;
    let page = e.get(app, "/phases?per_page=200").await;
    assert_eq!(shown(&page.body), own);
    assert!(
        !page.body.contains("/edit#phase-"),
        "no link to a form it cannot use"
    );
    let page = e.get(app, "/phases?waiting=land&per_page=200").await;
    assert!(shown(&page.body).is_subset(&own));
    for rows in exports(&mut e, app, "/phases", "").await {
        assert_eq!(pairs(&rows), names(&own), "own phases only");
    }
}

/// Each department's (code, open, nearly late, late) as the summary table of `/late` shows.
fn late_summary(body: &str) -> Vec<(String, usize, usize, usize)> {
    body.split("<tr id=\"late-")
        .skip(1)
        .map(|row| {
            let code = row[..row.find('"').unwrap()].to_string();
            let row = &row[..row.find("</tr>").unwrap()];
            let figure = |cell: &str| -> usize {
                // The cell's text, whether a bare figure or a link's.
                let text = cell
                    .rsplit('>')
                    .find(|t| {
                        !t.trim().is_empty()
                            && t.trim().chars().next().is_some_and(|c| c.is_ascii_digit())
                    })
                    .unwrap_or("0");
                text.trim()
                    .split('<')
                    .next()
                    .unwrap()
                    .trim()
                    .parse()
                    .unwrap()
            };
            let cells: Vec<&str> = row
                .split("<td>")
                .skip(2)
                .map(|c| c.split("</td>").next().unwrap())
                .collect();
            (code, figure(cells[0]), figure(cells[1]), figure(cells[2]))
        })
        .collect()
}

/// The item codes of the late list's rows, in order.
fn late_codes(body: &str) -> Vec<String> {
    let table = body.split("id=\"late-items-table\"").nth(1).unwrap();
    table
        .split("<td class=\"mono\">")
        .skip(1)
        .map(|c| c[..c.find('<').unwrap()].to_string())
        .collect()
}

async fn late_list(app: &TestApp) {
    let mut b = app.login("leader@luodi.demo").await;
    let all = b.get(app, "/late?late=open&per_page=200").await;
    assert_eq!(all.status, StatusCode::OK);
    let ids = row_ids(&all.body, "item");
    let summary = late_summary(&all.body);
    let open: usize = summary.iter().map(|d| d.1).sum();
    assert!(open >= 2, "the demo has open items: {summary:?}");
    assert_eq!(ids.len(), open, "every open item is listed once");
    assert!(all.body.contains(&format!("共 {open} 条")));
    // By default the overdue ones, as the summary counts them.
    let late = b.get(app, "/late?per_page=200").await;
    let overdue: usize = summary.iter().map(|d| d.3).sum();
    let late_ids = row_ids(&late.body, "item");
    assert_eq!(late_ids.len(), overdue);
    assert!(late_ids.iter().all(|i| ids.contains(i)));
    let soon = b.get(app, "/late?late=due_soon&per_page=200").await;
    assert_eq!(
        row_ids(&soon.body, "item").len(),
        summary.iter().map(|d| d.2).sum::<usize>()
    );
    // Each department: its own, as many as the summary says.
    for (code, n, _, over) in &summary {
        let page = b
            .get(
                app,
                &format!("/late?late=open&department={code}&per_page=200"),
            )
            .await;
        let mine = row_ids(&page.body, "item");
        assert_eq!(mine.len(), *n, "{code}");
        assert!(mine.iter().all(|i| ids.contains(i)));
        let page = b
            .get(app, &format!("/late?department={code}&per_page=200"))
            .await;
        assert_eq!(row_ids(&page.body, "item").len(), *over, "{code} overdue");
    }
    // Search by an item's code finds it and no other code.
    let codes = late_codes(&all.body);
    let code = &codes[0];
    let found = b
        .get(app, &format!("/late?late=open&q={code}&per_page=200"))
        .await;
    let found_codes = late_codes(&found.body);
    assert!(
        !found_codes.is_empty() && found_codes.iter().all(|c| c == code),
        "{found_codes:?}"
    );
    assert_eq!(
        found_codes.len(),
        codes.iter().filter(|c| *c == code).count()
    );
    // Sorting both ways, and pages in the same order.
    let asc = row_ids(
        &b.get(app, "/late?late=open&sort=due&per_page=200")
            .await
            .body,
        "item",
    );
    let mut desc = row_ids(
        &b.get(app, "/late?late=open&sort=due&order=desc&per_page=200")
            .await
            .body,
        "item",
    );
    desc.reverse();
    assert_eq!(asc, desc);
    let second = b.get(app, "/late?late=open&per_page=1&page=2").await;
    assert_eq!(row_ids(&second.body, "item"), vec![ids[1]]);
    // Both exports hold exactly the filtered rows.
    for rows in exports(&mut b, app, "/late", "late=open").await {
        assert_eq!(rows.len(), ids.len());
        let exported: BTreeSet<String> = rows.iter().map(|r| r[2].clone()).collect();
        assert_eq!(exported, codes.iter().cloned().collect::<BTreeSet<_>>());
    }
    for rows in exports(&mut b, app, "/late", "").await {
        assert_eq!(rows.len(), overdue);
    }
    // A wrong filter is named; an enterprise does not watch the zone's lateness.
    let bad = b.get(app, "/late?late=soon").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("late"));
    let mut own = app.login("enterprise@luodi.demo").await;
    assert_eq!(own.get(app, "/late").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        own.get(app, "/late/export.csv").await.status,
        StatusCode::FORBIDDEN
    );
}
