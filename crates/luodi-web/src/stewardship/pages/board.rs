//! `/board`: a steward's board — their projects at a glance: each phase's stage and
//! forecast against the start target, the items due next and those overdue, the open
//! blockers with their clocks. A steward sees their own; zone staff and leaders pick a
//! steward.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use luodi_app::stewardship::StewardshipError;
use luodi_app::stewardship::board::{self, BoardBlocker, BoardItem, BoardPhase};
use luodi_domain::approvals::service_item::ClockStatus as ItemClock;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{PageUser, QueryParams};
use crate::i18n::Tr;
use crate::pages::{Layout, error_page, render};

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

/// An item's line: its badge is red once overdue (or its commitment is not verified in
/// time).
fn item_line(i: BoardItem) -> ItemLine {
    let class = if i.verification_overdue {
        "overdue"
    } else {
        match i.status {
            ItemClock::Overdue => "overdue",
            ItemClock::DueSoon => "due",
            ItemClock::Running | ItemClock::Waiting => "running",
            ItemClock::Stopped => "stopped",
            _ => "not-started",
        }
    }
    .to_string();
    ItemLine {
        project_id: i.project_id,
        seq: i.seq,
        code: i.code,
        name: i.name,
        department: i.department,
        due: i.due,
        status_text: i.status_text,
        class,
    }
}

fn blocker_line(b: BoardBlocker) -> BlockerLine {
    BlockerLine {
        id: b.id,
        title: b.title,
        department: b.department,
        state_text: b.state_text,
        clock: format!("{} {}", b.worst.label, b.worst.status_text),
        due: b.worst.due,
        class: crate::pages::badge::blocker(b.worst.status),
    }
}

fn phase_line(tr: &Tr, ph: BoardPhase) -> PhaseLine {
    let forecast = match (ph.started_on, ph.p50, ph.target) {
        (Some(on), _, _) => Some(tr.t("board.started").replace("{on}", &on.to_string())),
        (None, Some(p50), Some(target)) => Some(
            tr.t("board.forecast")
                .replace("{p50}", &p50.to_string())
                .replace("{target}", &target.to_string()),
        ),
        _ => None,
    };
    let slip_text = ph
        .slip
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
        .unwrap_or_default();
    PhaseLine {
        seq: ph.seq,
        slip: ph.slip_days(),
        name: ph.name,
        status: ph.status,
        forecast,
        late: ph.late,
        slip_text,
    }
}

async fn board(
    State(state): State<AppState>,
    page: PageUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let l = Layout::new(&state, &page, "board.title", "nav.board", "/board").await;
    let steward = params.text("steward").and_then(|s| s.parse::<i64>().ok());
    let b = match board::board(&state.app, &page.caller(), steward).await {
        Ok(b) => b,
        Err(StewardshipError::Denied(_)) => {
            return Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden"));
        }
        Err(e) => return Err(ApiError::app(page.lang, e)),
    };
    let cards = b
        .cards
        .into_iter()
        .map(|c| Card {
            project_id: c.project_id,
            name: c.name,
            enterprise: c.enterprise,
            phases: c
                .phases
                .into_iter()
                .map(|ph| phase_line(&l.tr, ph))
                .collect(),
            next: c.next.into_iter().map(item_line).collect(),
            overdue: c.overdue.into_iter().map(item_line).collect(),
            overdue_count: c.overdue_count,
            overdue_more: c.overdue_more,
            blockers: c.blockers.into_iter().map(blocker_line).collect(),
            attention: c.attention,
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &BoardPage {
            l,
            stewards: b.stewards,
            steward_name: b.steward_name,
            cards,
            finished: b.finished,
            overdue_total: b.overdue_total,
            blocker_total: b.blocker_total,
            late_total: b.late_total,
            slipped_total: b.slipped_total,
        },
    ))
}
