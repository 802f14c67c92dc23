//! The shared list on every table page (issue 16, point 2): search, each filter, sorting
//! both ways, pages, the count, CSV and XLSX exports holding exactly the filtered rows,
//! and an enterprise user seeing only its own — on SQLite and PostgreSQL. What each page
//! should show is worked out from the store, not written down, so the demo may grow.

mod common;

use std::collections::BTreeSet;

use axum::http::StatusCode;
use common::TestApp;
use common::lists::{common_encode, exports, firsts, row_ids, zone_scope};
use luodi_store::demo;

on_both! {
    projects_list_searches_filters_sorts_pages_and_exports => projects_list;
    blockers_list_searches_filters_sorts_pages_and_exports => blockers_list;
    audit_list_filters_by_actor_kind_object_and_zone_days => audit_list;
    parcels_list_searches_filters_sorts_pages_and_exports => parcels_list;
    queue_list_filters_by_due_and_state => queue_list;
    inbox_list_filters_read_and_unread => inbox_list;
}

async fn projects_list(app: &TestApp) {
    use luodi_domain::stewardship::project::PhaseStatus;
    let zone = demo::zone_id(&app.store).await.unwrap();
    let all = app.store.projects(&zone_scope(zone)).await.unwrap();
    let ids = |f: &dyn Fn(&luodi_store::stewardship::projects::Project) -> bool| {
        all.iter()
            .filter(|p| f(p))
            .map(|p| p.id)
            .collect::<BTreeSet<_>>()
    };
    let names = |set: &BTreeSet<i64>| {
        all.iter()
            .filter(|p| set.contains(&p.id))
            .map(|p| p.name.clone())
            .collect::<BTreeSet<_>>()
    };
    let mut b = app.login("admin@luodi.demo").await;
    let page = b.get(app, "/projects?per_page=200").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(&format!("共 {} 条", all.len())),
        "the count"
    );
    assert_eq!(row_ids(&page.body, "project").len(), all.len());

    // Search: a project's name, or its enterprise's.
    let found = b
        .get(app, "/projects?q=%E5%9B%BD%E8%8D%AF&per_page=200")
        .await; // 国药
    let expected = ids(&|p| p.name.contains("国药"));
    assert!(!expected.is_empty());
    let shown: BTreeSet<i64> = row_ids(&found.body, "project").into_iter().collect();
    assert!(shown.is_superset(&expected), "by project name");
    let sinopharm_enterprise = all
        .iter()
        .find(|p| p.name == demo::SINOPHARM_PROJECT)
        .unwrap()
        .enterprise_id;
    let e = app
        .store
        .enterprise(&zone_scope(zone), sinopharm_enterprise)
        .await
        .unwrap();
    let by_enterprise = b
        .get(
            app,
            &format!("/projects?per_page=200&q={}", common_encode(&e.name)),
        )
        .await;
    let shown: BTreeSet<i64> = row_ids(&by_enterprise.body, "project")
        .into_iter()
        .collect();
    assert_eq!(
        shown,
        ids(&|p| p.enterprise_id == sinopharm_enterprise || p.name.contains(&e.name)),
        "by enterprise name"
    );
    let none = b.get(app, "/projects?q=no-such-project-anywhere").await;
    assert!(row_ids(&none.body, "project").is_empty() && none.body.contains("共 0 条"));

    // Stage: projects having a phase at that stage (every stage; the demo has several).
    let mut stages_seen = 0;
    for stage in PhaseStatus::ALL {
        let q = format!("stage={}", stage.as_str());
        let page = b.get(app, &format!("/projects?{q}&per_page=200")).await;
        assert_eq!(page.status, StatusCode::OK, "{q}");
        let expected = ids(&|p| p.phases.iter().any(|ph| ph.status == stage));
        stages_seen += usize::from(!expected.is_empty());
        let shown: BTreeSet<i64> = row_ids(&page.body, "project").into_iter().collect();
        assert_eq!(shown, expected, "{q}");
        assert!(
            page.body.contains(&format!("共 {} 条", expected.len())),
            "{q} count"
        );
        assert!(
            page.body
                .contains(&format!("<option value=\"{}\" selected>", stage.as_str())),
            "{q} kept in the form"
        );
        for rows in exports(&mut b, app, "/projects", &q).await {
            assert_eq!(firsts(&rows), names(&expected), "{q} export");
            assert_eq!(rows.len(), expected.len(), "{q} export");
        }
    }
    assert!(
        stages_seen >= 2,
        "the demo's projects stand at several stages"
    );

    // Steward: a user's id, or `me`.
    let steward = app
        .store
        .user_by_email("steward@luodi.demo")
        .await
        .unwrap()
        .unwrap();
    let theirs = ids(&|p| p.steward_id == Some(steward.id));
    assert!(!theirs.is_empty());
    let by_id = b
        .get(
            app,
            &format!("/projects?steward={}&per_page=200", steward.id.0),
        )
        .await;
    let shown: BTreeSet<i64> = row_ids(&by_id.body, "project").into_iter().collect();
    assert_eq!(shown, theirs);
    let mut s = app.login("steward@luodi.demo").await;
    let mine = s.get(app, "/projects?steward=me&per_page=200").await;
    let shown: BTreeSet<i64> = row_ids(&mine.body, "project").into_iter().collect();
    assert_eq!(shown, theirs, "steward=me");
    let not_mine = b.get(app, "/projects?steward=me").await;
    assert!(
        row_ids(&not_mine.body, "project").is_empty(),
        "the admin stewards none"
    );

    // Sorting both ways, and by investment.
    let asc = row_ids(
        &b.get(app, "/projects?sort=name&per_page=200").await.body,
        "project",
    );
    let desc_page = b
        .get(app, "/projects?sort=name&order=desc&per_page=200")
        .await;
    assert!(desc_page.body.contains("aria-sort=\"descending\""));
    let mut desc = row_ids(&desc_page.body, "project");
    desc.reverse();
    assert_eq!(asc, desc, "descending is ascending turned round");
    let mut by_name: Vec<&luodi_store::stewardship::projects::Project> = all.iter().collect();
    by_name.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    assert_eq!(asc, by_name.iter().map(|p| p.id).collect::<Vec<_>>());
    let richest = row_ids(
        &b.get(app, "/projects?sort=investment&order=desc")
            .await
            .body,
        "project",
    )[0];
    let max = all.iter().map(|p| p.total_investment.0).max().unwrap();
    assert_eq!(
        all.iter()
            .find(|p| p.id == richest)
            .unwrap()
            .total_investment
            .0,
        max
    );
    let heading = b.get(app, "/projects?stage=signed").await;
    assert!(
        heading
            .body
            .contains("href=\"/projects?stage=signed&#38;sort=name&#38;order=desc\""),
        "a heading's link keeps the filter and turns the order: {}",
        &heading.body[heading.body.find("<thead").unwrap()..][..400]
    );

    // Pages.
    let second = b.get(app, "/projects?sort=name&per_page=2&page=2").await;
    assert_eq!(row_ids(&second.body, "project"), asc[2..4].to_vec());
    assert!(second.body.contains("rel=\"prev\"") && second.body.contains("rel=\"next\""));
    assert!(second.body.contains(&format!("共 {} 条", all.len())));

    // A wrong parameter is refused by name.
    let bad = b.get(app, "/projects?stage=finished").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("“stage”"), "{}", bad.body);
    let unknown = b.get(app, "/projects?colour=red").await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.body.contains("“colour”"));

    // An enterprise user sees its own enterprise's projects only, on the page and in the
    // exports, whatever it asks for.
    app.other_enterprise_user().await;
    let mut haier = app.login("haier@luodi.demo").await;
    let haier_user = app
        .store
        .user_by_email("haier@luodi.demo")
        .await
        .unwrap()
        .unwrap();
    let own = ids(&|p| Some(p.enterprise_id) == haier_user.enterprise_id);
    let page = haier.get(app, "/projects?per_page=200").await;
    let shown: BTreeSet<i64> = row_ids(&page.body, "project").into_iter().collect();
    assert_eq!(shown, own);
    let q = format!("steward={}&stage=land_matched", steward.id.0);
    let page = haier.get(app, &format!("/projects?{q}&per_page=200")).await;
    let shown: BTreeSet<i64> = row_ids(&page.body, "project").into_iter().collect();
    assert!(shown.is_subset(&own));
    for rows in exports(&mut haier, app, "/projects", "").await {
        assert_eq!(firsts(&rows), names(&own), "own projects only");
    }
}

/// A blocker as the test works it out from the store: its record, who acts next, whether a
/// clock is missed or due soon.
struct Seen {
    id: i64,
    title: String,
    project_id: i64,
    enterprise_id: i64,
    department: String,
    state: luodi_domain::stewardship::blocker::State,
    priority: String,
    raised_on: chrono::NaiveDate,
    waiting_on: Option<&'static str>,
    missed: bool,
    due_soon: bool,
}

async fn blockers_seen(app: &TestApp) -> Vec<Seen> {
    use luodi_domain::stewardship::blocker::ClockStatus;
    let zone = demo::zone_id(&app.store).await.unwrap();
    let departments = app.store.departments(zone).await.unwrap();
    let calendar = app.store.calendar().await.unwrap();
    let today = luodi_app::core::zone_today();
    app.store
        .blockers(&zone_scope(zone), &Default::default())
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            let b = r.blocker().unwrap();
            let clocks = b.clocks(&calendar, &r.limits, today);
            Seen {
                id: r.id,
                title: r.title.clone(),
                project_id: r.project_id,
                enterprise_id: r.enterprise_id,
                department: departments
                    .iter()
                    .find(|d| d.id.0 == r.department_id)
                    .unwrap()
                    .code
                    .clone(),
                state: r.state,
                priority: r.priority.clone(),
                raised_on: r.raised_on,
                waiting_on: b.waiting_on().map(|p| p.as_str()),
                missed: clocks.iter().any(|c| c.status.urgency() == 0),
                due_soon: clocks.iter().any(|c| c.status == ClockStatus::DueSoon),
            }
        })
        .collect()
}

async fn blockers_list(app: &TestApp) {
    use luodi_domain::stewardship::blocker::State;
    // One more blocker, of another project and department and raised by the enterprise,
    // so every filter has something to leave out.
    let zone = demo::zone_id(&app.store).await.unwrap();
    let mut raiser = app.login("enterprise@luodi.demo").await;
    let csrf = raiser.get(app, "/blockers").await.csrf();
    let project = app.sinopharm().await;
    let dept = app
        .store
        .department_by_code(zone, "natural-resources")
        .await
        .unwrap()
        .unwrap();
    let r = raiser
        .post(
            app,
            "/blockers",
            &[
                ("_csrf", &csrf),
                ("project_id", &project.to_string()),
                ("category", "land"),
                ("priority", "urgent"),
                ("department_id", &dept.id.0.to_string()),
                ("title", "排水管网接驳点待确认"),
                ("description", "市政排水接驳点位置未定。"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let seen = blockers_seen(app).await;
    let ids = |f: &dyn Fn(&Seen) -> bool| {
        seen.iter()
            .filter(|b| f(b))
            .map(|b| b.id)
            .collect::<BTreeSet<_>>()
    };
    let shown = |body: &str| {
        row_ids(body, "blocker")
            .into_iter()
            .collect::<BTreeSet<_>>()
    };
    let texts = |set: &BTreeSet<i64>| set.iter().map(|i| i.to_string()).collect::<BTreeSet<_>>();
    let mut b = app.login("admin@luodi.demo").await;

    // The default is the open ones, as `state=open` says; each state, and all.
    let open = ids(&|s| s.state.is_open());
    assert!(open.len() >= 3);
    let page = b.get(app, "/blockers").await;
    assert_eq!(shown(&page.body), open);
    assert!(page.body.contains(&format!("共 {} 条", open.len())));
    assert_eq!(shown(&b.get(app, "/blockers?state=open").await.body), open);
    assert_eq!(
        shown(&b.get(app, "/blockers?state=all").await.body),
        ids(&|_| true)
    );
    for (word, state) in [
        ("unacknowledged", State::Open),
        ("acknowledged", State::Acknowledged),
        ("answered", State::Answered),
        ("closed", State::Closed),
        ("withdrawn", State::Withdrawn),
    ] {
        let page = b.get(app, &format!("/blockers?state={word}")).await;
        assert_eq!(
            shown(&page.body),
            ids(&|s| s.state == state),
            "state={word}"
        );
    }
    assert!(
        !ids(&|s| s.state == State::Closed).is_empty(),
        "the demo closed one"
    );

    // The home page's links.
    let bureau = "approval-bureau";
    let q = format!("state=open&waiting_on=department&department={bureau}");
    let expected =
        ids(&|s| s.state.is_open() && s.waiting_on == Some("department") && s.department == bureau);
    assert!(!expected.is_empty());
    let page = b.get(app, &format!("/blockers?{q}")).await;
    assert_eq!(shown(&page.body), expected, "{q}");
    for rows in exports(&mut b, app, "/blockers", &q).await {
        assert_eq!(firsts(&rows), texts(&expected), "{q} export");
    }
    let missed = ids(&|s| s.state.is_open() && s.missed);
    assert!(
        !missed.is_empty(),
        "the demo's unacknowledged blocker is late"
    );
    assert_eq!(
        shown(&b.get(app, "/blockers?clock=missed").await.body),
        missed
    );
    for rows in exports(&mut b, app, "/blockers", "clock=missed").await {
        assert_eq!(firsts(&rows), texts(&missed), "clock=missed export");
    }
    assert_eq!(
        shown(&b.get(app, "/blockers?clock=due_soon").await.body),
        ids(&|s| s.state.is_open() && s.due_soon)
    );
    for who in ["enterprise", "department", "steward"] {
        let page = b.get(app, &format!("/blockers?waiting_on={who}")).await;
        assert_eq!(
            shown(&page.body),
            ids(&|s| s.state.is_open() && s.waiting_on == Some(who)),
            "waiting_on={who}"
        );
    }
    assert!(
        !ids(&|s| s.waiting_on == Some("steward")).is_empty(),
        "the demo's blocker raised by the steward waits on the steward's information"
    );
    let page = b
        .get(app, "/blockers?department=natural-resources&state=all")
        .await;
    assert_eq!(
        shown(&page.body),
        ids(&|s| s.department == "natural-resources")
    );
    let page = b
        .get(app, &format!("/blockers?project={project}&state=all"))
        .await;
    assert_eq!(shown(&page.body), ids(&|s| s.project_id == project));
    assert!(
        shown(
            &b.get(app, "/blockers?department=no-such-department")
                .await
                .body
        )
        .is_empty(),
        "an unknown department finds nothing"
    );

    // Search by title or project.
    let page = b.get(app, "/blockers?q=%E6%8E%92%E6%B0%B4").await; // 排水
    assert_eq!(shown(&page.body), ids(&|s| s.title.contains("排水")));
    let page = b
        .get(
            app,
            &format!(
                "/blockers?state=all&q={}",
                common_encode(demo::SINOPHARM_PROJECT)
            ),
        )
        .await;
    assert_eq!(shown(&page.body), ids(&|s| s.project_id == project));

    // Sorting: raised both ways, priority, the worst clock.
    let asc = row_ids(
        &b.get(app, "/blockers?state=all&sort=raised&order=asc")
            .await
            .body,
        "blocker",
    );
    let desc_page = b
        .get(app, "/blockers?state=all&sort=raised&order=desc")
        .await;
    assert!(desc_page.body.contains("aria-sort=\"descending\""));
    let mut desc = row_ids(&desc_page.body, "blocker");
    desc.reverse();
    assert_eq!(asc, desc);
    let days: Vec<_> = asc
        .iter()
        .map(|id| seen.iter().find(|s| s.id == *id).unwrap().raised_on)
        .collect();
    assert!(days.windows(2).all(|w| w[0] <= w[1]), "oldest first");
    let by_priority = row_ids(&b.get(app, "/blockers?sort=priority").await.body, "blocker");
    let first = seen.iter().find(|s| s.id == by_priority[0]).unwrap();
    assert_eq!(first.priority, "urgent", "the most pressing first");
    let by_clock = row_ids(&b.get(app, "/blockers?sort=clock").await.body, "blocker");
    assert!(
        seen.iter().find(|s| s.id == by_clock[0]).unwrap().missed,
        "a missed clock first"
    );

    // Pages.
    let paged = b
        .get(
            app,
            "/blockers?state=all&sort=raised&order=asc&per_page=2&page=2",
        )
        .await;
    assert_eq!(
        row_ids(&paged.body, "blocker"),
        asc[2..4.min(asc.len())].to_vec()
    );
    assert!(paged.body.contains("rel=\"prev\""));
    assert!(paged.body.contains(&format!("共 {} 条", seen.len())));

    // Refusals name the parameter; the raise form stays.
    let bad = b.get(app, "/blockers?clock=late").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("“clock”"));
    assert!(
        raiser
            .get(app, "/blockers")
            .await
            .body
            .contains("id=\"raise-form\"")
    );

    // An enterprise user sees only its own enterprise's blockers, whatever it asks.
    let own_enterprise = app
        .store
        .user_by_email("enterprise@luodi.demo")
        .await
        .unwrap()
        .unwrap()
        .enterprise_id
        .unwrap()
        .0;
    let own = ids(&|s| s.enterprise_id == own_enterprise);
    assert_eq!(
        shown(&raiser.get(app, "/blockers?state=all").await.body),
        own
    );
    app.other_enterprise_user().await;
    let mut haier = app.login("haier@luodi.demo").await;
    assert!(shown(&haier.get(app, "/blockers?state=all").await.body).is_empty());
    assert!(
        shown(
            &haier
                .get(app, &format!("/blockers?state=all&project={project}"))
                .await
                .body
        )
        .is_empty()
    );
    for rows in exports(&mut haier, app, "/blockers", "state=all").await {
        assert!(
            rows.is_empty(),
            "nothing of another enterprise in an export"
        );
    }
}

async fn audit_list(app: &TestApp) {
    use luodi_store::core::audit::AuditQuery;
    let zone = demo::zone_id(&app.store).await.unwrap();
    let scope = zone_scope(zone);
    // Signing in is audited: sign in first, then read the trail.
    let mut b = app.login("admin@luodi.demo").await;
    let every = app
        .store
        .audit_search(
            &scope,
            &AuditQuery::default(),
            luodi_store::PageRequest {
                page: 1,
                per_page: 100_000,
            },
        )
        .await
        .unwrap()
        .items;
    let ids = |f: &dyn Fn(&luodi_store::core::audit::AuditEntry) -> bool| {
        every
            .iter()
            .filter(|e| f(e))
            .map(|e| e.id)
            .collect::<Vec<_>>()
    };
    let page = b.get(app, "/audit").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("哈希链校验通过"),
        "the verification stays"
    );
    assert!(page.body.contains(&format!("共 {} 条", every.len())));
    assert_eq!(
        row_ids(&page.body, "audit"),
        every.iter().take(50).map(|e| e.id).collect::<Vec<_>>(),
        "newest first, 50 a page"
    );
    assert!(
        !page.body.contains("T0") && !page.body.contains("Z</td>"),
        "no UTC text"
    );

    // What was done, to which record, by whom.
    let creates = ids(&|e| e.action == "create");
    let page = b.get(app, "/audit?kind=create&per_page=200").await;
    assert_eq!(
        row_ids(&page.body, "audit"),
        creates[..creates.len().min(200)].to_vec()
    );
    assert!(page.body.contains(&format!("共 {} 条", creates.len())));
    let project = app.sinopharm().await.to_string();
    let q = format!("object=project&object_id={project}");
    let of_project = ids(&|e| e.entity == "project" && e.entity_id == project);
    assert!(!of_project.is_empty());
    assert_eq!(
        row_ids(&b.get(app, &format!("/audit?{q}")).await.body, "audit"),
        of_project
    );
    for rows in exports(&mut b, app, "/audit", &q).await {
        assert_eq!(rows.len(), of_project.len(), "{q} export");
    }
    let by = ids(&|e| e.actor.contains("demo"));
    let page = b.get(app, "/audit?actor=DEMO&per_page=200").await;
    assert!(page.body.contains(&format!("共 {} 条", by.len())));
    let csv = exports(&mut b, app, "/audit", "kind=create").await;
    for rows in csv {
        assert_eq!(rows.len(), creates.len(), "kind=create export");
    }

    // Oldest first when asked, and pages.
    let asc = b.get(app, "/audit?order=asc&per_page=3&page=2").await;
    assert!(asc.body.contains("aria-sort=\"ascending\""));
    let mut oldest = every.iter().map(|e| e.id).collect::<Vec<_>>();
    oldest.reverse();
    assert_eq!(row_ids(&asc.body, "audit"), oldest[3..6].to_vec());
    assert!(asc.body.contains("rel=\"prev\"") && asc.body.contains("rel=\"next\""));

    // Days are the zone's: an entry at 00:30 on 1 October in Qingdao (16:30 UTC on
    // 30 September) is of 1 October.
    let moved = every.last().unwrap().id;
    sqlx::query("UPDATE audit_log SET at = $1 WHERE id = $2")
        .bind("2026-09-30T16:30:00.000000Z")
        .bind(moved)
        .execute(app.store.pool())
        .await
        .unwrap();
    let day = b.get(app, "/audit?from=2026-10-01&to=2026-10-01").await;
    assert_eq!(row_ids(&day.body, "audit"), vec![moved]);
    assert!(
        day.body.contains("2026-10-01 00:30"),
        "shown in the zone's time"
    );
    let before = b.get(app, "/audit?from=2026-09-30&to=2026-09-30").await;
    assert!(row_ids(&before.body, "audit").is_empty());
    let bad = b.get(app, "/audit?from=2026-02-30").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("“from”"));

    // Only those who read the trail; an enterprise user is refused, export too.
    let mut e = app.login("enterprise@luodi.demo").await;
    assert_eq!(e.get(app, "/audit").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        e.get(app, "/audit/export.csv").await.status,
        StatusCode::FORBIDDEN
    );
}

async fn parcels_list(app: &TestApp) {
    use luodi_domain::land::parcel::ParcelStatus;
    let zone = demo::zone_id(&app.store).await.unwrap();
    let every = app.store.all_parcels(zone).await.unwrap();
    let ids = |f: &dyn Fn(&luodi_store::land::parcels::Parcel) -> bool| {
        every
            .iter()
            .filter(|p| f(p))
            .map(|p| p.id)
            .collect::<BTreeSet<_>>()
    };
    let codes = |set: &BTreeSet<i64>| {
        every
            .iter()
            .filter(|p| set.contains(&p.id))
            .map(|p| p.code.clone())
            .collect::<BTreeSet<_>>()
    };
    let shown = |body: &str| row_ids(body, "parcel").into_iter().collect::<BTreeSet<_>>();
    let mut b = app.login("landing@luodi.demo").await;
    let page = b.get(app, "/parcels").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<svg"), "the map stays");
    assert_eq!(shown(&page.body), ids(&|_| true));
    assert!(page.body.contains(&format!("共 {} 条", every.len())));

    // Search by code, and by the enterprise a parcel was handed to.
    let page = b.get(app, "/parcels?q=gx-2026-0").await;
    assert_eq!(
        shown(&page.body),
        ids(&|p| p.code.to_lowercase().contains("gx-2026-0"))
    );
    let sinopharm = app.sinopharm().await;
    let owner = app
        .store
        .enterprise(
            &zone_scope(zone),
            app.store
                .projects(&zone_scope(zone))
                .await
                .unwrap()
                .iter()
                .find(|p| p.id == sinopharm)
                .unwrap()
                .enterprise_id,
        )
        .await
        .unwrap()
        .name;
    let page = b
        .get(app, &format!("/parcels?q={}", common_encode(&owner)))
        .await;
    let theirs = shown(&page.body);
    assert!(
        theirs.contains(
            &every
                .iter()
                .find(|p| p.code == demo::SINOPHARM_PARCEL)
                .unwrap()
                .id
        ),
        "the Sinopharm parcel by its enterprise's name"
    );
    assert!(page.body.contains(&owner));

    // Status, land use, area; the exports hold exactly the rows shown.
    for status in ParcelStatus::ALL {
        let q = format!("status={}", status.as_str());
        let expected = ids(&|p| p.status == status);
        assert_eq!(
            shown(&b.get(app, &format!("/parcels?{q}")).await.body),
            expected,
            "{q}"
        );
        if !expected.is_empty() {
            for rows in exports(&mut b, app, "/parcels", &q).await {
                assert_eq!(firsts(&rows), codes(&expected), "{q} export");
            }
        }
    }
    let land_use = every[0].attrs.land_use.clone();
    let q = format!("land_use={}", common_encode(&land_use));
    assert_eq!(
        shown(&b.get(app, &format!("/parcels?{q}")).await.body),
        ids(&|p| p.attrs.land_use == land_use)
    );
    let q = "min_area_mu=50&max_area_mu=120.5";
    let expected = ids(&|p| p.area_mu >= 50.0 && p.area_mu <= 120.5);
    assert!(!expected.is_empty() && expected.len() < every.len());
    assert_eq!(
        shown(&b.get(app, &format!("/parcels?{q}")).await.body),
        expected
    );
    for rows in exports(&mut b, app, "/parcels", q).await {
        assert_eq!(firsts(&rows), codes(&expected), "{q} export");
    }

    // Sorted by area both ways, by code; pages.
    let asc = row_ids(&b.get(app, "/parcels?sort=area").await.body, "parcel");
    let desc_page = b.get(app, "/parcels?sort=area&order=desc").await;
    assert!(desc_page.body.contains("aria-sort=\"descending\""));
    let mut desc = row_ids(&desc_page.body, "parcel");
    desc.reverse();
    assert_eq!(asc, desc);
    let area = |id: &i64| every.iter().find(|p| p.id == *id).unwrap().area_mu;
    assert!(asc.windows(2).all(|w| area(&w[0]) <= area(&w[1])));
    let by_code = row_ids(&b.get(app, "/parcels?per_page=200").await.body, "parcel");
    let paged = b.get(app, "/parcels?per_page=10&page=2").await;
    assert_eq!(row_ids(&paged.body, "parcel"), by_code[10..20].to_vec());
    assert!(paged.body.contains("rel=\"prev\"") && paged.body.contains("rel=\"next\""));
    let bad = b.get(app, "/parcels?min_area_mu=lots").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("“min_area_mu”"));

    // Parcels are the zone's staff's: an enterprise user gets none, exports neither.
    let mut e = app.login("enterprise@luodi.demo").await;
    assert_eq!(e.get(app, "/parcels").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        e.get(app, "/parcels/export.csv").await.status,
        StatusCode::FORBIDDEN
    );
}

async fn queue_list(app: &TestApp) {
    use luodi_app::approvals::lateness::own_queue;
    use luodi_app::approvals::queue_list::due_matches;
    // The department's whole queue, as the use case reads it, is what each filter cuts.
    let application = luodi_app::App::new(app.store.clone(), Default::default()).unwrap();
    let officer = app
        .store
        .user_by_email("approval@luodi.demo")
        .await
        .unwrap()
        .unwrap();
    let caller = luodi_app::Caller::user(&officer, luodi_domain::Lang::Zh);
    let queue = own_queue(&application, &caller)
        .await
        .unwrap()
        .unwrap()
        .entries;
    assert!(
        !queue.is_empty(),
        "the demo leaves the bureau items to decide"
    );
    let today = luodi_app::core::zone_today();
    let ids = |f: &dyn Fn(&luodi_app::approvals::lateness::OwnQueueEntry) -> bool| {
        queue
            .iter()
            .filter(|e| f(e))
            .map(|e| e.item.id)
            .collect::<BTreeSet<_>>()
    };
    let shown = |body: &str| row_ids(body, "item").into_iter().collect::<BTreeSet<_>>();
    let mut b = app.login("approval@luodi.demo").await;
    let page = b.get(app, "/queue").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(shown(&page.body), ids(&|_| true));
    assert!(page.body.contains(&format!("共 {} 条", queue.len())));

    // The home page's links: overdue, due today, due within the week.
    for due in ["overdue", "today", "week"] {
        let expected = ids(&|e| due_matches(due, e.clock.status, e.clock.due, today));
        let q = format!("due={due}");
        assert_eq!(
            shown(&b.get(app, &format!("/queue?{q}")).await.body),
            expected,
            "{q}"
        );
        for rows in exports(&mut b, app, "/queue", &q).await {
            assert_eq!(rows.len(), expected.len(), "{q} export");
        }
    }
    for state in luodi_app::approvals::queue_list::STATES {
        let expected = ids(&|e| e.item.state.as_str() == *state);
        let page = b.get(app, &format!("/queue?state={state}")).await;
        assert_eq!(shown(&page.body), expected, "state={state}");
    }
    let code = queue[0].item.code.clone();
    let page = b.get(app, &format!("/queue?q={code}")).await;
    assert_eq!(
        shown(&page.body),
        ids(&|e| e.item.code.contains(&code) || e.project_name.contains(&code))
    );
    let asc = row_ids(&b.get(app, "/queue?sort=submitted").await.body, "item");
    let mut desc = row_ids(
        &b.get(app, "/queue?sort=submitted&order=desc").await.body,
        "item",
    );
    desc.reverse();
    assert_eq!(asc, desc, "both ways");
    let bad = b.get(app, "/queue?due=tomorrow").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("“due”"));
    // Only those who decide for a department; an enterprise user is refused.
    let mut e = app.login("enterprise@luodi.demo").await;
    assert_ne!(e.get(app, "/queue").await.status, StatusCode::OK);
    assert_ne!(e.get(app, "/queue/export.csv").await.status, StatusCode::OK);
}

/// The ids of the notes an inbox page shows, each `<li … id="note-{id}">`.
fn note_ids(body: &str) -> BTreeSet<i64> {
    body.match_indices("id=\"note-")
        .map(|(i, _)| {
            let rest = &body[i + 9..];
            rest[..rest.find('"').unwrap()].parse().unwrap()
        })
        .collect()
}

async fn inbox_list(app: &TestApp) {
    // Whoever the demo told most.
    let mut best = (0, "");
    for (email, _, _) in demo::USERS {
        let user = app.store.user_by_email(email).await.unwrap().unwrap();
        let (items, _) = app
            .store
            .notifications(user.id.0, false, 10_000)
            .await
            .unwrap();
        if items.len() > best.0 {
            best = (items.len(), email);
        }
    }
    let email = best.1;
    assert!(best.0 >= 2, "the demo's blockers told someone");
    let user = app.store.user_by_email(email).await.unwrap().unwrap();
    let (items, _) = app
        .store
        .notifications(user.id.0, false, 10_000)
        .await
        .unwrap();
    let all: BTreeSet<i64> = items.iter().map(|n| n.id).collect();
    let mut b = app.login(email).await;
    let page = b.get(app, "/inbox?per_page=200").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(note_ids(&page.body), all);
    assert!(page.body.contains(&format!("共 {} 条", all.len())));
    // One read: read and unread part the inbox.
    let first = items[0].id;
    let r = b
        .post(
            app,
            "/inbox/read",
            &[("_csrf", &page.csrf()), ("id", &first.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let read = b.get(app, "/inbox?state=read").await;
    assert_eq!(note_ids(&read.body), BTreeSet::from([first]));
    let unread = b.get(app, "/inbox?state=unread&per_page=200").await;
    let rest: BTreeSet<i64> = all.iter().copied().filter(|i| *i != first).collect();
    assert_eq!(note_ids(&unread.body), rest);
    for rows in exports(&mut b, app, "/inbox", "state=unread").await {
        assert_eq!(rows.len(), rest.len(), "unread export");
    }
    // Search, order, pages.
    let title = items[0].title.clone();
    let found = b
        .get(
            app,
            &format!("/inbox?per_page=200&q={}", common_encode(&title)),
        )
        .await;
    assert!(note_ids(&found.body).contains(&first));
    let newest = b.get(app, "/inbox?per_page=1").await;
    let oldest = b.get(app, "/inbox?per_page=1&order=asc").await;
    assert_ne!(note_ids(&newest.body), note_ids(&oldest.body));
    assert!(newest.body.contains("rel=\"next\""));
    let bad = b.get(app, "/inbox?state=archived").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("“state”"));
    // Another user's inbox holds none of these.
    let other = if email == "admin@luodi.demo" {
        "investment@luodi.demo"
    } else {
        "admin@luodi.demo"
    };
    let mut o = app.login(other).await;
    let theirs = note_ids(&o.get(app, "/inbox?per_page=200").await.body);
    assert!(theirs.is_disjoint(&all));
}
