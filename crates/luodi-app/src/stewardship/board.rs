//! A steward's board: their projects at a glance — each phase's stage and forecast against
//! the start target, the items due next and those overdue, the open blockers with their
//! worst clock. A steward sees their own; zone staff and leaders pick a steward.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use luodi_domain::approvals::service_item::ClockStatus as ItemClock;
use luodi_domain::core::policy::is_steward;
use luodi_domain::stewardship::blocker::ClockStatus as BlockerClock;
use luodi_domain::stewardship::project::PhaseStatus;
use luodi_domain::{Lang, Operation};
use luodi_store::forecast::portfolio::{PortfolioRow, Slip};
use luodi_store::stewardship::blockers::BlockerFilter;

use super::StewardshipError;
use super::blockers::{BlockerClockResponse, response as blocker_response};
use crate::approvals::department_name;
use crate::approvals::lateness::{self, OpenItem};
use crate::{App, Caller};

/// An item with a running clock.
pub struct BoardItem {
    pub project_id: i64,
    pub seq: i64,
    pub code: String,
    pub name: String,
    pub department: String,
    /// When it is due (or its commitment is to be verified).
    pub due: String,
    pub status: ItemClock,
    pub status_text: String,
    /// A commitment not verified in time.
    pub verification_overdue: bool,
}

impl BoardItem {
    /// Late: its clock overdue, or its commitment not verified in time.
    pub fn overdue(&self) -> bool {
        self.verification_overdue || self.status == ItemClock::Overdue
    }
}

/// An open blocker with the worst of its clocks.
pub struct BoardBlocker {
    pub id: i64,
    pub title: String,
    pub department: String,
    pub state_text: String,
    pub worst: BlockerClockResponse,
}

impl BoardBlocker {
    /// Its worst clock was missed (or met late).
    pub fn missed(&self) -> bool {
        matches!(
            self.worst.status,
            BlockerClock::Missed | BlockerClock::MetLate
        )
    }
}

/// A phase's stage and forecast.
pub struct BoardPhase {
    pub seq: i64,
    pub name: String,
    /// The stage in the caller's language.
    pub status: String,
    /// When construction started, once it has.
    pub started_on: Option<NaiveDate>,
    /// The P50 construction start and the target, when forecast.
    pub p50: Option<NaiveDate>,
    pub target: Option<NaiveDate>,
    /// Working days the P50 start is past the target (0 once started).
    pub late: i64,
    /// How far the forecast moved in the last week (later is positive), when it moved.
    pub slip: Option<Slip>,
}

impl BoardPhase {
    /// Working days the forecast moved later in the last week (negative: earlier).
    pub fn slip_days(&self) -> i64 {
        self.slip.map_or(0, |s| s.working_days)
    }
}

/// A project of the steward's.
pub struct BoardCard {
    pub project_id: i64,
    pub name: String,
    pub enterprise: String,
    pub phases: Vec<BoardPhase>,
    /// The four due soonest.
    pub next: Vec<BoardItem>,
    /// The most overdue first, at most five; `overdue_more` tells how many more.
    pub overdue: Vec<BoardItem>,
    pub overdue_count: usize,
    pub overdue_more: usize,
    pub blockers: Vec<BoardBlocker>,
    /// How much needs the steward: overdue items, missed clocks, late forecasts.
    pub attention: i64,
}

/// What the board shows.
pub struct Board {
    /// The stewards of the zone's projects: (id, name, chosen).
    pub stewards: Vec<(i64, String, bool)>,
    pub steward_name: String,
    /// What needs the steward most first.
    pub cards: Vec<BoardCard>,
    /// Projects with nothing left to do.
    pub finished: usize,
    pub overdue_total: usize,
    pub blocker_total: usize,
    pub late_total: usize,
    /// Phases whose forecast start moved later in the last week.
    pub slipped_total: usize,
}

/// The board of steward `steward` (by default the caller's own, if they are a steward,
/// else the first steward of the zone's projects).
pub async fn board(
    app: &App,
    caller: &Caller,
    steward: Option<i64>,
) -> Result<Board, StewardshipError> {
    caller.zone_for(Operation::ViewBoard)?;
    let scope = caller.scope_for(Operation::ViewBoard)?;
    let lang = caller.lang;
    let projects = app.store.projects(&scope).await?;
    // The stewards of the zone's projects; a steward's board is their own by default.
    let names: HashMap<i64, String> = app
        .store
        .users(&scope)
        .await?
        .into_iter()
        .map(|u| (u.id.0, u.display_name))
        .collect();
    let mut stewards: BTreeMap<i64, String> = BTreeMap::new();
    for p in &projects {
        if let Some(id) = p.steward_id {
            stewards.insert(id.0, names.get(&id.0).cloned().unwrap_or_default());
        }
    }
    let own = caller
        .user_id
        .filter(|_| is_steward(caller.policy.role))
        .map(|u| u.0);
    let chosen = steward.or(own).or_else(|| stewards.keys().next().copied());
    let steward_name = chosen
        .and_then(|c| stewards.get(&c).cloned())
        .unwrap_or_default();
    let mine: Vec<_> = projects
        .into_iter()
        .filter(|p| p.steward_id.map(|s| s.0) == chosen)
        .collect();

    // Items with a running clock, by project.
    let mut items: HashMap<i64, Vec<BoardItem>> = HashMap::new();
    let seq_of: HashMap<i64, i64> = mine
        .iter()
        .flat_map(|p| p.phases.iter().map(|ph| (ph.id, ph.seq)))
        .collect();
    for open in lateness::board_items(app, caller).await? {
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
        let name = catalogue
            .item(&item.code)
            .map(|c| {
                if lang == Lang::Zh {
                    c.name_zh.clone()
                } else {
                    c.name_en.clone()
                }
            })
            .unwrap_or_default();
        items.entry(project_id).or_default().push(BoardItem {
            project_id,
            seq: *seq,
            department: department_name(&catalogue, &item.department_code, lang),
            code: item.code,
            name,
            due,
            status: clock.status,
            status_text: clock.status.label().get(lang).to_string(),
            verification_overdue: clock.verification_overdue,
        });
    }
    let calendar = app.store.calendar().await?;
    let today = app.today();
    // Open blockers, by project.
    let mut blockers: HashMap<i64, Vec<BoardBlocker>> = HashMap::new();
    let open = BlockerFilter {
        open: true,
        ..Default::default()
    };
    for b in app.store.blockers(&scope, &open).await? {
        let r = blocker_response(caller, &b, &calendar, today, false)?;
        let worst = r
            .clocks
            .into_iter()
            .min_by_key(|c| c.status.urgency())
            .expect("three clocks");
        blockers
            .entry(b.project_id)
            .or_default()
            .push(BoardBlocker {
                id: r.id,
                title: r.title,
                department: r.department,
                state_text: r.state_text,
                worst,
            });
    }
    // Forecasts, by phase.
    let forecasts: HashMap<i64, PortfolioRow> = app
        .store
        .portfolio(&scope)
        .await?
        .into_iter()
        .map(|r| (r.phase_id, r))
        .collect();

    let mut cards = Vec::new();
    let mut finished = 0;
    for p in mine {
        let active = p.phases.iter().any(|ph| {
            !matches!(
                ph.status,
                PhaseStatus::InProduction | PhaseStatus::CompletionAccepted
            )
        });
        let mut its = items.remove(&p.id).unwrap_or_default();
        let bl = blockers.remove(&p.id).unwrap_or_default();
        if !active && its.is_empty() && bl.is_empty() {
            finished += 1;
            continue;
        }
        its.sort_by(|a, b| a.due.cmp(&b.due));
        let (overdue, next): (Vec<_>, Vec<_>) = its.into_iter().partition(BoardItem::overdue);
        let phases: Vec<BoardPhase> = p
            .phases
            .iter()
            .map(|ph| {
                let f = forecasts.get(&ph.id);
                BoardPhase {
                    seq: ph.seq,
                    name: ph.name.clone(),
                    status: ph.status.label().get(lang).to_string(),
                    started_on: f.and_then(|f| f.started_on),
                    p50: f.and_then(|f| f.start_p50_date),
                    target: f.map(|f| f.target_start_date),
                    late: f.map_or(0, |f| {
                        if f.started_on.is_none() {
                            f.late_working_days
                        } else {
                            0
                        }
                    }),
                    slip: f.and_then(|f| f.slip),
                }
            })
            .collect();
        let attention = overdue.len() as i64 * 2
            + bl.iter().filter(|b| b.missed()).count() as i64
            + phases.iter().filter(|ph| ph.late > 0).count() as i64
            + phases.iter().filter(|ph| ph.slip_days() > 0).count() as i64;
        cards.push(BoardCard {
            project_id: p.id,
            name: if lang == Lang::Zh {
                p.name.clone()
            } else {
                p.name_en.clone().unwrap_or(p.name.clone())
            },
            enterprise: app
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
        .filter(|ph| ph.slip_days() > 0)
        .count();
    Ok(Board {
        stewards: stewards
            .into_iter()
            .map(|(id, name)| (id, name, Some(id) == chosen))
            .collect(),
        steward_name,
        cards,
        finished,
        overdue_total,
        blocker_total,
        late_total,
        slipped_total,
    })
}
