//! `/board`: a steward's board — their projects at a glance: each phase's stage and
//! forecast against the start target, the items due next and those overdue, the open
//! blockers with their clocks. A steward sees their own; zone staff and leaders pick a
//! steward.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use luodi_domain::Lang;
use luodi_store::stewardship::blockers::BlockerFilter;

use super::{Layout, error_page, render};
use crate::AppState;
use crate::api::blockers::response as blocker_response;
use crate::error::ApiError;
use crate::extract::{ApiUser, PageUser, QueryParams};
use luodi_app::approvals::department_name;
use luodi_app::approvals::lateness::{self, OpenItem};
use luodi_domain::approvals::service_item::ClockStatus as ItemClock;

pub fn router() -> Router<AppState> {
    Router::new().route("/board", get(board))
}

pub struct ItemLine {
    pub project_id: i64,
    pub seq: i64,
    pub code: String,
    pub name: String,
    pub department: String,
    pub due: String,
    pub status_text: String,
    pub class: String,
}

pub struct BlockerLine {
    pub id: i64,
    pub title: String,
    pub department: String,
    pub state_text: String,
    /// The worst of its clocks: its text, class and due day.
    pub clock: String,
    pub class: &'static str,
    pub due: Option<String>,
}

pub struct PhaseLine {
    pub seq: i64,
    pub name: String,
    pub status: String,
    /// P50 construction start against the target, when forecast.
    pub forecast: Option<String>,
    pub late: i64,
    /// How far the forecast moved in the last week: working days (later is positive) and
    /// the words for it.
    pub slip: i64,
    pub slip_text: String,
}

pub struct Card {
    pub project_id: i64,
    pub name: String,
    pub enterprise: String,
    pub phases: Vec<PhaseLine>,
    pub next: Vec<ItemLine>,
    /// The most overdue first, at most five; `overdue_more` tells how many more.
    pub overdue: Vec<ItemLine>,
    pub overdue_count: usize,
    pub overdue_more: usize,
    pub blockers: Vec<BlockerLine>,
    /// How much needs the steward: overdue items, missed clocks, late forecasts.
    pub attention: i64,
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    l: Layout,
    stewards: Vec<(i64, String, bool)>,
    steward_name: String,
    cards: Vec<Card>,
    finished: usize,
    overdue_total: usize,
    blocker_total: usize,
    late_total: usize,
    /// Phases whose forecast start moved later in the last week.
    slipped_total: usize,
}

async fn board(
    State(state): State<AppState>,
    page: PageUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let l = Layout::new(&state, &page, "board.title", "nav.board", "/board").await;
    if page
        .caller()
        .zone_for(luodi_domain::Operation::ViewBoard)
        .is_err()
    {
        return Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden"));
    }
    let lang = page.lang;
    let scope = page.user.scope();
    let projects = state
        .app
        .store
        .projects(&scope)
        .await
        .map_err(|e| ApiError::store(lang, e))?;
    // The stewards of the zone's projects; a steward's board is their own by default.
    let names: HashMap<i64, String> = state
        .app
        .store
        .users(&scope)
        .await
        .map_err(|e| ApiError::store(lang, e))?
        .into_iter()
        .map(|u| (u.id.0, u.display_name))
        .collect();
    let mut stewards: BTreeMap<i64, String> = BTreeMap::new();
    for p in &projects {
        if let Some(id) = p.steward_id {
            stewards.insert(id.0, names.get(&id.0).cloned().unwrap_or_default());
        }
    }
    let chosen = params
        .text("steward")
        .and_then(|s| s.parse::<i64>().ok())
        .or_else(|| {
            luodi_domain::core::policy::is_steward(page.user.role).then_some(page.user.id.0)
        })
        .or_else(|| stewards.keys().next().copied());
    let steward_name = chosen
        .and_then(|c| stewards.get(&c).cloned())
        .unwrap_or_default();
    let mine: Vec<_> = projects
        .into_iter()
        .filter(|p| p.steward_id.map(|s| s.0) == chosen)
        .collect();

    // Items with a running clock, by project.
    let mut items: HashMap<i64, Vec<(ItemLine, String)>> = HashMap::new();
    let seq_of: HashMap<i64, i64> = mine
        .iter()
        .flat_map(|p| p.phases.iter().map(|ph| (ph.id, ph.seq)))
        .collect();
    for open in lateness::board_items(&state.app, &page.caller()).await? {
        let OpenItem {
            item,
            project_id,
            phase_id,
            catalogue,
            clock,
        } = open;
        let Some(seq) = seq_of.get(&phase_id) else {
            continue;
        };
        let Some(due) = clock.due.or(clock.verification_due).map(|d| d.to_string()) else {
            continue;
        };
        let department = department_name(&catalogue, &item.department_code, lang);
        let class = if clock.verification_overdue {
            "overdue"
        } else {
            match clock.status {
                ItemClock::Overdue => "overdue",
                ItemClock::DueSoon => "due",
                ItemClock::Running | ItemClock::Waiting => "running",
                ItemClock::Stopped => "stopped",
                _ => "not-started",
            }
        }
        .to_string();
        let name = catalogue
            .item(&item.code)
            .map(|c| l.tr.pick(&c.name_zh, &c.name_en).to_string())
            .unwrap_or_default();
        let (code, status_text) = (
            item.code.clone(),
            clock.status.label().get(lang).to_string(),
        );
        items.entry(project_id).or_default().push((
            ItemLine {
                project_id,
                seq: *seq,
                code,
                name,
                department,
                due: due.clone(),
                status_text,
                class,
            },
            due,
        ));
    }
    let calendar = state.app.store.calendar().await?;
    let today = state.app.today();
    // Open blockers, by project.
    let caller = ApiUser {
        user: page.user.clone(),
        lang,
        token_expires: None,
    };
    let mut blockers: HashMap<i64, Vec<BlockerLine>> = HashMap::new();
    for b in state
        .app
        .store
        .blockers(
            &scope,
            &BlockerFilter {
                open: true,
                ..Default::default()
            },
        )
        .await
        .map_err(|e| ApiError::store(lang, e))?
    {
        let r = blocker_response(&caller, &b, &calendar, today, false)?;
        let worst = r
            .clocks
            .iter()
            .min_by_key(|c| c.status.urgency())
            .expect("three clocks");
        blockers.entry(b.project_id).or_default().push(BlockerLine {
            id: r.id,
            title: r.title.clone(),
            department: r.department.clone(),
            state_text: r.state_text.clone(),
            clock: format!("{} {}", worst.label, worst.status_text),
            due: worst.due.clone(),
            class: super::badge::blocker(worst.status),
        });
    }
    // Forecasts, by phase.
    let forecasts: HashMap<i64, luodi_store::forecast::portfolio::PortfolioRow> = state
        .app
        .store
        .portfolio(&scope)
        .await
        .map_err(|e| ApiError::store(lang, e))?
        .into_iter()
        .map(|r| (r.phase_id, r))
        .collect();

    let tr = &l.tr;
    let mut cards = Vec::new();
    let mut finished = 0;
    for p in mine {
        let active = p.phases.iter().any(|ph| {
            !matches!(
                ph.status,
                luodi_domain::stewardship::project::PhaseStatus::InProduction
                    | luodi_domain::stewardship::project::PhaseStatus::CompletionAccepted
            )
        });
        let mut its = items.remove(&p.id).unwrap_or_default();
        let bl = blockers.remove(&p.id).unwrap_or_default();
        if !active && its.is_empty() && bl.is_empty() {
            finished += 1;
            continue;
        }
        its.sort_by(|a, b| a.1.cmp(&b.1));
        let (overdue, next): (Vec<_>, Vec<_>) = its
            .into_iter()
            .map(|x| x.0)
            .partition(|i| i.class == "overdue");
        let phases: Vec<PhaseLine> = p
            .phases
            .iter()
            .map(|ph| {
                let f = forecasts.get(&ph.id);
                PhaseLine {
                    seq: ph.seq,
                    name: ph.name.clone(),
                    status: ph.status.label().get(lang).to_string(),
                    forecast: f.and_then(|f| match f.started_on {
                        Some(on) => Some(tr.t("board.started").replace("{on}", &on.to_string())),
                        None => f.start_p50_date.map(|d| {
                            tr.t("board.forecast")
                                .replace("{p50}", &d.to_string())
                                .replace("{target}", &f.target_start_date.to_string())
                        }),
                    }),
                    late: f.map_or(0, |f| {
                        if f.started_on.is_none() {
                            f.late_working_days
                        } else {
                            0
                        }
                    }),
                    slip: f.and_then(|f| f.slip).map_or(0, |s| s.working_days),
                    slip_text: f
                        .and_then(|f| f.slip)
                        .filter(|s| s.working_days != 0)
                        .map(|s| {
                            tr.t(if s.working_days > 0 {
                                "board.slipped"
                            } else {
                                "board.gained"
                            })
                            .replace("{n}", &s.working_days.abs().to_string())
                            .replace("{since}", &s.since.to_string())
                        })
                        .unwrap_or_default(),
                }
            })
            .collect();
        let attention = overdue.len() as i64 * 2
            + bl.iter().filter(|b| b.class == "overdue").count() as i64
            + phases.iter().filter(|ph| ph.late > 0).count() as i64
            + phases.iter().filter(|ph| ph.slip > 0).count() as i64;
        cards.push(Card {
            project_id: p.id,
            name: if lang == Lang::Zh {
                p.name.clone()
            } else {
                p.name_en.clone().unwrap_or(p.name.clone())
            },
            enterprise: state
                .app
                .store
                .enterprise(&scope, p.enterprise_id)
                .await
                .map(|e| e.name)
                .unwrap_or_default(),
            phases,
            next: next.into_iter().take(4).collect(),
            overdue_more: overdue.len().saturating_sub(5),
            overdue_count: overdue.len(),
            overdue: overdue.into_iter().take(5).collect(),
            blockers: bl,
            attention,
        });
    }
    // What needs the steward most comes first.
    cards.sort_by(|a, b| {
        b.attention
            .cmp(&a.attention)
            .then(a.project_id.cmp(&b.project_id))
    });
    let overdue_total = cards.iter().map(|c| c.overdue_count).sum();
    let blocker_total = cards.iter().map(|c| c.blockers.len()).sum();
    let late_total = cards
        .iter()
        .flat_map(|c| &c.phases)
        .filter(|ph| ph.late > 0)
        .count();
    let slipped_total = cards
        .iter()
        .flat_map(|c| &c.phases)
        .filter(|ph| ph.slip > 0)
        .count();
    let stewards = stewards
        .into_iter()
        .map(|(id, name)| (id, name, Some(id) == chosen))
        .collect();
    Ok(render(
        StatusCode::OK,
        &BoardPage {
            l,
            stewards,
            steward_name,
            cards,
            finished,
            overdue_total,
            blocker_total,
            late_total,
            slipped_total,
        },
    ))
}
