//! A role's home counts what the list it links to shows: the enterprise's "blockers
//! waiting for you" are those `/blockers?waiting_on=enterprise` lists (who must act next,
//! `Blocker::waiting_on`), not every blocker that waits on information; on SQLite and
//! PostgreSQL.

mod common;

use std::collections::BTreeSet;

use axum::http::StatusCode;
use common::{Browser, TestApp};

on_both! {
    the_enterprise_home_counts_the_blockers_its_list_shows => enterprise_blockers;
}

/// The ids of the blockers a list page shows (`<tr id="blocker-{id}">`).
fn listed(body: &str) -> BTreeSet<i64> {
    let marker = "<tr id=\"blocker-";
    body.match_indices(marker)
        .map(|(i, _)| {
            let rest = &body[i + marker.len()..];
            rest[..rest.find('"').unwrap()].parse().unwrap()
        })
        .collect()
}

/// The home's part that links to `href`: its count and the blockers its lines link to.
fn part(body: &str, href: &str) -> (usize, BTreeSet<i64>) {
    let section = body
        .split("<section class=\"work-part ")
        .skip(1)
        .find(|s| s.contains(&format!("<h2><a href=\"{href}\"")))
        .unwrap_or_else(|| panic!("no part links to {href}: {body}"));
    let section = section.split("</section>").next().unwrap();
    let count = section
        .split("<span class=\"count\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let ids = section
        .match_indices("href=\"/blockers/")
        .map(|(i, _)| {
            let rest = &section[i + "href=\"/blockers/".len()..];
            rest[..rest.find('"').unwrap()].parse().unwrap()
        })
        .collect();
    (count, ids)
}

/// The enterprise's home part and its list agree: the same count, the same blockers.
async fn home_matches_list(app: &TestApp, b: &mut Browser) -> BTreeSet<i64> {
    let href = "/blockers?waiting_on=enterprise";
    let home = b.get(app, "/").await;
    assert_eq!(home.status, StatusCode::OK);
    let (count, on_home) = part(&home.body, href);
    let list = b.get(app, href).await;
    assert_eq!(list.status, StatusCode::OK);
    let on_list = listed(&list.body);
    assert_eq!(count, on_list.len(), "the home's count is the list's");
    assert_eq!(on_home, on_list, "the home names the list's blockers");
    on_list
}

async fn enterprise_blockers(app: &TestApp) {
    let mut own = app.login("enterprise@luodi.demo").await;
    // The demo's blocker raised by the steward waits on information, which the steward
    // gathers: it waits on the steward, not on the enterprise.
    let steward_gathers = listed(&own.get(app, "/blockers?waiting_on=steward").await.body);
    assert!(
        !steward_gathers.is_empty(),
        "the demo's blocker raised by the steward"
    );
    let waiting = home_matches_list(app, &mut own).await;
    assert!(waiting.is_disjoint(&steward_gathers));

    // A blocker the enterprise raised, on which the department asks it for information,
    // waits on the enterprise: on its home and in its list.
    let mut admin = app.login("admin@luodi.demo").await;
    let open = admin.get(app, "/blockers?waiting_on=department").await;
    let raised_by_enterprise = open
        .body
        .split("<tr id=\"blocker-")
        .skip(1)
        .find(|row| {
            row.split("</tr>")
                .next()
                .unwrap()
                .contains("一期消防设计审查意见不明确")
        })
        .map(|row| row[..row.find('"').unwrap()].to_string())
        .expect("the demo's blocker raised by the enterprise");
    let url = format!("/blockers/{raised_by_enterprise}");
    for (kind, reason) in [
        ("acknowledged", None),
        ("waiting_on_enterprise", Some("请补充审图意见原件")),
    ] {
        let page = admin.get(app, &url).await;
        let csrf = page.csrf();
        let mut form = vec![("_csrf", csrf.as_str()), ("kind", kind)];
        if let Some(r) = reason {
            form.push(("reason", r));
        }
        let r = admin.post(app, &format!("{url}/act"), &form).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{kind}: {}", r.body);
    }
    let waiting = home_matches_list(app, &mut own).await;
    assert!(
        waiting.contains(&raised_by_enterprise.parse().unwrap()),
        "{waiting:?}"
    );
}
