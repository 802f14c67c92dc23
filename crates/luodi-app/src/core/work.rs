//! Each role's home as its work queue: what the policy says a role's home shows
//! ([`home_work`]), each part a count that links to its filtered list and the items
//! themselves, each linking to the item. Read through the modules' own use cases (the
//! steward's board, the department's queue, blockers, the portfolio) so the home says what
//! their pages say.

use chrono::{Datelike, Duration, NaiveDate};
use luodi_domain::approvals::catalogue::Catalogue;
use luodi_domain::approvals::service_item::{ClockStatus as ItemClock, ItemState};
use luodi_domain::core::i18n;
use luodi_domain::core::policy::{Work, home_work};
use luodi_domain::stewardship::blocker::{ClockStatus as BlockerClock, Party};
use luodi_domain::stewardship::conditions;
use luodi_domain::stewardship::project::PhaseStatus;
use luodi_domain::{Lang, Operation};

use super::CoreError;
use crate::land::parcels as land_parcels;
use crate::stewardship::blocker_list::{self, BlockerLine};
use crate::stewardship::blockers::BlockerResponse;
use crate::{App, Caller};

/// A cluster use case's refusal as the home's.
fn cluster_error(e: crate::cluster::ClusterError) -> CoreError {
    use crate::cluster::ClusterError;
    match e {
        ClusterError::Store(s) => CoreError::Store(s),
        ClusterError::Denied(d) => CoreError::Denied(d),
        other => CoreError::Store(luodi_store::StoreError::Corrupt(other.to_string())),
    }
}

/// How many items a part of the home lists (its count and link show the rest).
pub const SHOWN: usize = 8;

/// How a part's count reads at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Something is late or failing.
    Bad,
    /// Something is due soon or waits.
    Warn,
    /// Nothing to do.
    Calm,
}

impl Tone {
    pub fn class(self) -> &'static str {
        match self {
            Tone::Bad => "bad",
            Tone::Warn => "warn",
            Tone::Calm => "calm",
        }
    }
}

/// One thing to do, linking to where it is done.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkLine {
    pub text: String,
    /// What it is about or when it is due, in words.
    pub detail: String,
    pub href: String,
}

/// One part of the home.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkPart {
    /// The catalogue key of its heading (`home.work.<name>`).
    pub title_key: &'static str,
    /// How many there are (the lines show at most [`SHOWN`]).
    pub count: usize,
    /// The list filtered to them.
    pub href: String,
    pub tone: Tone,
    pub lines: Vec<WorkLine>,
    /// What it says when there is nothing (`home.work.<name>_none`).
    pub empty_key: &'static str,
}

impl WorkPart {
    /// Its name, as its heading's key ends (`home.work.waiting_for_land`:
    /// `waiting_for_land`): the page's id for it.
    pub fn name(&self) -> &'static str {
        self.title_key.rsplit('.').next().unwrap_or(self.title_key)
    }
}

fn part(
    title_key: &'static str,
    empty_key: &'static str,
    href: impl Into<String>,
    busy: Tone,
    mut lines: Vec<WorkLine>,
) -> WorkPart {
    let count = lines.len();
    lines.truncate(SHOWN);
    WorkPart {
        title_key,
        count,
        href: href.into(),
        tone: if count == 0 { Tone::Calm } else { busy },
        lines,
        empty_key,
    }
}

/// The caller's home work, in the order the policy gives.
pub async fn work(app: &App, caller: &Caller) -> Result<Vec<WorkPart>, CoreError> {
    let mut out = Vec::new();
    let mut ctx = Context::default();
    for w in home_work(caller.policy.role) {
        out.push(ctx.part(app, caller, *w).await?);
    }
    Ok(out)
}

/// What several parts read, read once.
#[derive(Default)]
struct Context {
    board: Option<crate::stewardship::board::Board>,
    queue: Option<Option<crate::approvals::lateness::OwnQueue>>,
    projects: Option<Vec<luodi_store::stewardship::projects::Project>>,
    blockers: Option<Vec<BlockerLine>>,
}

fn item_href(project: i64, seq: i64, code: &str) -> String {
    format!("/projects/{project}/phases/{seq}#row-{code}")
}

/// Item `code`'s name in `lang`, as the catalogue its list was made from names it.
fn item_name(catalogue: &Catalogue, code: &str, lang: Lang) -> String {
    catalogue
        .item(code)
        .map(|c| match lang {
            Lang::Zh => c.name_zh.clone(),
            Lang::En => c.name_en.clone(),
        })
        .unwrap_or_else(|| code.to_string())
}

fn blocker_line(b: &BlockerResponse, lang: Lang) -> WorkLine {
    let worst = b
        .clocks
        .iter()
        .max_by_key(|c| clock_rank(c.status))
        .map(|c| format!("{}: {}", c.label, c.status_text))
        .unwrap_or_default();
    WorkLine {
        text: b.title.clone(),
        detail: i18n::fill(
            lang,
            "home.work.blocker_detail",
            &[
                ("project", &b.project_name),
                ("department", &b.department),
                ("state", &b.state_text),
                ("clock", &worst),
            ],
        ),
        href: format!("/blockers/{}", b.id),
    }
}

/// The worse a blocker clock, the higher.
fn clock_rank(c: BlockerClock) -> u8 {
    match c {
        BlockerClock::Missed => 5,
        BlockerClock::DueSoon => 4,
        BlockerClock::Running => 3,
        BlockerClock::Paused => 2,
        BlockerClock::MetLate => 1,
        _ => 0,
    }
}

fn worst_rank(b: &BlockerResponse) -> u8 {
    b.clocks
        .iter()
        .map(|c| clock_rank(c.status))
        .max()
        .unwrap_or(0)
}

/// The last day of `today`'s week (Sunday).
fn week_end(today: NaiveDate) -> NaiveDate {
    today + Duration::days(6 - i64::from(today.weekday().num_days_from_monday()))
}

impl Context {
    async fn board(
        &mut self,
        app: &App,
        caller: &Caller,
    ) -> Result<&crate::stewardship::board::Board, CoreError> {
        if self.board.is_none() {
            self.board = Some(crate::stewardship::board::board(app, caller, None).await?);
        }
        Ok(self.board.as_ref().expect("read above"))
    }

    async fn queue(
        &mut self,
        app: &App,
        caller: &Caller,
    ) -> Result<Option<&crate::approvals::lateness::OwnQueue>, CoreError> {
        if self.queue.is_none() {
            self.queue = Some(crate::approvals::lateness::own_queue(app, caller).await?);
        }
        Ok(self.queue.as_ref().expect("read above").as_ref())
    }

    async fn projects(
        &mut self,
        app: &App,
        caller: &Caller,
    ) -> Result<&[luodi_store::stewardship::projects::Project], CoreError> {
        if self.projects.is_none() {
            let scope = caller.scope_for(Operation::ViewProjects)?;
            self.projects = Some(app.store.projects(&scope).await?);
        }
        Ok(self.projects.as_deref().expect("read above"))
    }

    /// The open blockers the caller sees, each with who must act next.
    async fn blockers(&mut self, app: &App, caller: &Caller) -> Result<&[BlockerLine], CoreError> {
        if self.blockers.is_none() {
            self.blockers = Some(blocker_list::open(app, caller).await?);
        }
        Ok(self.blockers.as_deref().expect("read above"))
    }

    async fn part(&mut self, app: &App, caller: &Caller, w: Work) -> Result<WorkPart, CoreError> {
        let lang = caller.lang;
        let today = app.today();
        Ok(match w {
            Work::StewardProjects => {
                let board = self.board(app, caller).await?;
                let lines = board
                    .cards
                    .iter()
                    .filter(|c| c.attention > 0)
                    .map(|c| WorkLine {
                        text: c.name.clone(),
                        detail: i18n::fill(
                            lang,
                            "home.work.project_attention",
                            &[
                                ("overdue", &c.overdue_count.to_string()),
                                (
                                    "blockers",
                                    &c.blockers.iter().filter(|b| b.missed()).count().to_string(),
                                ),
                                (
                                    "late",
                                    &c.phases.iter().filter(|p| p.late > 0).count().to_string(),
                                ),
                            ],
                        ),
                        href: format!("/projects/{}", c.project_id),
                    })
                    .collect();
                part(
                    "home.work.steward_projects",
                    "home.work.steward_projects_none",
                    "/board",
                    Tone::Warn,
                    lines,
                )
            }
            Work::StewardOverdue => {
                let board = self.board(app, caller).await?;
                let mut items: Vec<_> = board
                    .cards
                    .iter()
                    .flat_map(|c| c.overdue.iter().map(move |i| (c, i)))
                    .collect();
                items.sort_by(|a, b| a.1.due.cmp(&b.1.due));
                let lines = items
                    .into_iter()
                    .map(|(c, i)| WorkLine {
                        text: i.name.clone(),
                        detail: i18n::fill(
                            lang,
                            "home.work.item_detail",
                            &[
                                ("project", &c.name),
                                ("department", &i.department),
                                ("due", &i.due),
                            ],
                        ),
                        href: item_href(i.project_id, i.seq, &i.code),
                    })
                    .collect::<Vec<_>>();
                let mut p = part(
                    "home.work.overdue",
                    "home.work.overdue_none",
                    "/board",
                    Tone::Bad,
                    lines,
                );
                p.count = board.overdue_total;
                p.tone = if p.count == 0 { Tone::Calm } else { Tone::Bad };
                p
            }
            Work::StewardDueNext => {
                let board = self.board(app, caller).await?;
                let mut items: Vec<_> = board
                    .cards
                    .iter()
                    .flat_map(|c| c.next.iter().filter(|i| !i.overdue()).map(move |i| (c, i)))
                    .collect();
                items.sort_by(|a, b| a.1.due.cmp(&b.1.due));
                let lines = items
                    .into_iter()
                    .map(|(c, i)| WorkLine {
                        text: i.name.clone(),
                        detail: i18n::fill(
                            lang,
                            "home.work.item_detail",
                            &[
                                ("project", &c.name),
                                ("department", &i.department),
                                ("due", &i.due),
                            ],
                        ),
                        href: item_href(i.project_id, i.seq, &i.code),
                    })
                    .collect();
                part(
                    "home.work.due_next",
                    "home.work.due_next_none",
                    "/board",
                    Tone::Warn,
                    lines,
                )
            }
            Work::StewardBlockers | Work::MissedBlockers => {
                let missed_only = w == Work::MissedBlockers;
                let mut open: Vec<&BlockerResponse> = self
                    .blockers(app, caller)
                    .await?
                    .iter()
                    .map(|l| &l.blocker)
                    .filter(|b| !missed_only || worst_rank(b) == 5)
                    .collect();
                open.sort_by_key(|b| std::cmp::Reverse(worst_rank(b)));
                let lines = open.into_iter().map(|b| blocker_line(b, lang)).collect();
                if missed_only {
                    part(
                        "home.work.missed_blockers",
                        "home.work.missed_blockers_none",
                        "/blockers?clock=missed",
                        Tone::Bad,
                        lines,
                    )
                } else {
                    part(
                        "home.work.blockers",
                        "home.work.blockers_none",
                        "/blockers?state=open",
                        Tone::Warn,
                        lines,
                    )
                }
            }
            Work::DepartmentOverdue | Work::DepartmentDueToday | Work::DepartmentDueThisWeek => {
                let (title, empty, due, tone): (&'static str, &'static str, &str, Tone) = match w {
                    Work::DepartmentOverdue => (
                        "home.work.department_overdue",
                        "home.work.department_overdue_none",
                        "overdue",
                        Tone::Bad,
                    ),
                    Work::DepartmentDueToday => (
                        "home.work.department_today",
                        "home.work.department_today_none",
                        "today",
                        Tone::Warn,
                    ),
                    _ => (
                        "home.work.department_week",
                        "home.work.department_week_none",
                        "week",
                        Tone::Warn,
                    ),
                };
                // Each part keeps its own heading (and so its id on the page).
                let Some(queue) = self.queue(app, caller).await? else {
                    return Ok(part(
                        title,
                        "home.work.no_department",
                        "/queue",
                        Tone::Calm,
                        Vec::new(),
                    ));
                };
                let end = week_end(today);
                let mut entries: Vec<_> = queue
                    .entries
                    .iter()
                    .filter(|e| match w {
                        Work::DepartmentOverdue => e.clock.status == ItemClock::Overdue,
                        Work::DepartmentDueToday => {
                            e.clock.status != ItemClock::Overdue && e.clock.due == Some(today)
                        }
                        _ => {
                            e.clock.status != ItemClock::Overdue
                                && e.clock.due.is_some_and(|d| d > today && d <= end)
                        }
                    })
                    .collect();
                entries.sort_by_key(|e| e.clock.due);
                let lines = entries
                    .into_iter()
                    .map(|e| WorkLine {
                        text: item_name(&e.catalogue, &e.item.code, lang),
                        detail: i18n::fill(
                            lang,
                            "home.work.queue_detail",
                            &[
                                ("project", &format!("{} {}", e.project_name, e.phase_name)),
                                (
                                    "due",
                                    &e.clock.due.map(|d| d.to_string()).unwrap_or_default(),
                                ),
                            ],
                        ),
                        href: item_href(e.project_id, e.seq, &e.item.code),
                    })
                    .collect();
                part(title, empty, format!("/queue?due={due}"), tone, lines)
            }
            Work::DepartmentToAccept => {
                let Some(queue) = self.queue(app, caller).await? else {
                    return Ok(part(
                        "home.work.to_accept",
                        "home.work.no_department",
                        "/queue",
                        Tone::Calm,
                        Vec::new(),
                    ));
                };
                let mut entries: Vec<_> = queue
                    .entries
                    .iter()
                    .filter(|e| e.item.state == ItemState::Submitted)
                    .collect();
                // The longest waiting first.
                entries.sort_by_key(|e| e.submitted);
                let lines = entries
                    .into_iter()
                    .map(|e| WorkLine {
                        text: item_name(&e.catalogue, &e.item.code, lang),
                        detail: i18n::fill(
                            lang,
                            "home.work.submitted_detail",
                            &[
                                ("project", &format!("{} {}", e.project_name, e.phase_name)),
                                (
                                    "date",
                                    &e.submitted.map(|d| d.to_string()).unwrap_or_default(),
                                ),
                            ],
                        ),
                        href: item_href(e.project_id, e.seq, &e.item.code),
                    })
                    .collect();
                part(
                    "home.work.to_accept",
                    "home.work.to_accept_none",
                    "/queue?state=submitted",
                    Tone::Warn,
                    lines,
                )
            }
            Work::DepartmentBlockers => {
                let department = caller.policy.department.map(|d| d.0);
                let waiting: Vec<&BlockerResponse> = self
                    .blockers(app, caller)
                    .await?
                    .iter()
                    // As the list it links to counts them: waiting on the department
                    // (to acknowledge, answer or resolve), not on anyone else.
                    .filter(|l| l.waiting_on == Some(Party::Department))
                    .map(|l| &l.blocker)
                    .filter(|b| Some(b.department_id) == department)
                    .collect();
                let code = match caller.policy.department {
                    Some(d) => app.store.department(d).await?.code,
                    None => String::new(),
                };
                let mut sorted = waiting;
                sorted.sort_by_key(|b| std::cmp::Reverse(worst_rank(b)));
                let lines = sorted.into_iter().map(|b| blocker_line(b, lang)).collect();
                part(
                    "home.work.department_blockers",
                    "home.work.department_blockers_none",
                    format!("/blockers?state=open&waiting_on=department&department={code}"),
                    Tone::Warn,
                    lines,
                )
            }
            Work::AssignedToMe => {
                let me = caller.user_id.map(|u| u.0);
                let mut mine: Vec<&BlockerResponse> = self
                    .blockers(app, caller)
                    .await?
                    .iter()
                    .map(|l| &l.blocker)
                    .filter(|b| me.is_some() && b.assignee_id == me)
                    .collect();
                mine.sort_by_key(|b| std::cmp::Reverse(worst_rank(b)));
                let lines = mine.into_iter().map(|b| blocker_line(b, lang)).collect();
                part(
                    "home.work.assigned_to_me",
                    "home.work.assigned_to_me_none",
                    "/blockers?state=open&assignee=me".to_string(),
                    Tone::Warn,
                    lines,
                )
            }
            Work::PhasesWaitingForLand | Work::ReservationsWaitingForHandover => {
                let stage = if w == Work::PhasesWaitingForLand {
                    PhaseStatus::Signed
                } else {
                    PhaseStatus::LandMatched
                };
                let sees_parcels = caller.zone_for(Operation::ViewParcels).is_ok();
                let mut lines = Vec::new();
                for p in self.projects(app, caller).await? {
                    for ph in p.phases.iter().filter(|ph| ph.status == stage) {
                        // A reservation is the parcel's, not the phase's: the phase names
                        // its parcel only once it is handed over.
                        let reserved = if sees_parcels && stage == PhaseStatus::LandMatched {
                            land_parcels::reserved_for(app, caller, ph.id)
                                .await?
                                .map(|parcel| parcel.code)
                        } else {
                            None
                        };
                        let detail = match (reserved.as_ref(), &ph.land_needs) {
                            (Some(code), _) => {
                                i18n::fill(lang, "home.work.reserved_parcel", &[("code", code)])
                            }
                            (None, Some(_)) => {
                                i18n::text(lang, "home.work.needs_recorded").to_string()
                            }
                            (None, None) => i18n::text(lang, "home.work.needs_missing").to_string(),
                        };
                        lines.push(WorkLine {
                            text: format!("{} {}", p.name, ph.name),
                            detail,
                            href: format!("/projects/{}#phase-{}", p.id, ph.seq),
                        });
                    }
                }
                if w == Work::PhasesWaitingForLand {
                    part(
                        "home.work.waiting_for_land",
                        "home.work.waiting_for_land_none",
                        "/phases?waiting=land",
                        Tone::Warn,
                        lines,
                    )
                } else {
                    part(
                        "home.work.waiting_for_handover",
                        "home.work.waiting_for_handover_none",
                        "/phases?waiting=handover",
                        Tone::Warn,
                        lines,
                    )
                }
            }
            Work::ConditionsToConfirm => {
                let lines = self
                    .projects(app, caller)
                    .await?
                    .iter()
                    .flat_map(|p| p.phases.iter().map(move |ph| (p, ph)))
                    .filter(|(_, ph)| conditions::to_confirm(ph.status, &ph.facts) > 0)
                    .map(|(p, ph)| WorkLine {
                        text: format!("{} {}", p.name, ph.name),
                        detail: i18n::fill(
                            lang,
                            "home.work.conditions_detail",
                            &[(
                                "n",
                                &conditions::to_confirm(ph.status, &ph.facts).to_string(),
                            )],
                        ),
                        href: format!("/projects/{}/edit#phase-{}", p.id, ph.seq),
                    })
                    .collect();
                part(
                    "home.work.conditions",
                    "home.work.conditions_none",
                    "/phases?waiting=conditions",
                    Tone::Warn,
                    lines,
                )
            }
            Work::EnterpriseToSubmit | Work::EnterpriseReturned => {
                let scope = caller.scope_for(Operation::ViewProjects)?;
                let projects = self.projects(app, caller).await?.to_vec();
                let mut lines = Vec::new();
                for p in &projects {
                    for ph in &p.phases {
                        let Ok(list) = app.store.service_list(&scope, ph.id).await else {
                            continue;
                        };
                        let Ok(catalogue) = app
                            .catalogue_version(p.zone_id, list.catalogue_version_id)
                            .await
                        else {
                            continue;
                        };
                        let done = |code: &str| {
                            list.items.iter().any(|i| {
                                i.code == code
                                    && matches!(i.state, ItemState::Approved | ItemState::Waived)
                            })
                        };
                        for item in &list.items {
                            let wanted = if w == Work::EnterpriseToSubmit {
                                item.state == ItemState::NotStarted
                                    && item.prerequisites.iter().all(|c| done(c))
                            } else {
                                matches!(item.state, ItemState::Returned | ItemState::Incomplete)
                            };
                            if !wanted {
                                continue;
                            }
                            lines.push(WorkLine {
                                text: item_name(&catalogue, &item.code, lang),
                                detail: format!("{} {}", p.name, ph.name),
                                href: item_href(p.id, ph.seq, &item.code),
                            });
                        }
                    }
                }
                if w == Work::EnterpriseToSubmit {
                    part(
                        "home.work.to_submit",
                        "home.work.to_submit_none",
                        "/projects",
                        Tone::Warn,
                        lines,
                    )
                } else {
                    part(
                        "home.work.returned",
                        "home.work.returned_none",
                        "/projects",
                        Tone::Bad,
                        lines,
                    )
                }
            }
            Work::EnterpriseBlockers => {
                let lines = self
                    .blockers(app, caller)
                    .await?
                    .iter()
                    // Who must act next, as the list it links to reads it: a blocker
                    // raised by the steward that waits on information waits on the steward.
                    .filter(|l| l.waiting_on == Some(Party::Enterprise))
                    .map(|l| blocker_line(&l.blocker, lang))
                    .collect();
                part(
                    "home.work.enterprise_blockers",
                    "home.work.enterprise_blockers_none",
                    "/blockers?waiting_on=enterprise",
                    Tone::Warn,
                    lines,
                )
            }
            Work::ChangedThisWeek => {
                let rows = crate::forecast::portfolio::portfolio(app, caller)
                    .await?
                    .rows;
                let mut moved: Vec<_> = rows
                    .iter()
                    .filter(|r| crate::leadership::portfolio::moved(r, "week"))
                    .collect();
                // The biggest moves first, later before earlier.
                moved.sort_by_key(|r| {
                    std::cmp::Reverse(r.slip.as_ref().map_or(0, |s| s.working_days))
                });
                let lines = moved
                    .into_iter()
                    .filter_map(|r| {
                        let slip = r.slip.as_ref()?;
                        let key = if slip.working_days > 0 {
                            "board.slipped"
                        } else {
                            "board.gained"
                        };
                        Some(WorkLine {
                            text: format!("{} {}", r.project_name, r.phase_name),
                            detail: i18n::fill(
                                lang,
                                key,
                                &[
                                    ("since", &slip.since.to_string()),
                                    ("n", &slip.working_days.abs().to_string()),
                                ],
                            ),
                            href: format!("/projects/{}/phases/{}/gantt", r.project_id, r.phase),
                        })
                    })
                    .collect();
                part(
                    "home.work.changed_this_week",
                    "home.work.changed_this_week_none",
                    "/portfolio?moved=week",
                    Tone::Warn,
                    lines,
                )
            }
            Work::EnterpriseForecasts | Work::LatePhases => {
                let rows = crate::forecast::portfolio::portfolio(app, caller)
                    .await?
                    .rows;
                let lines = rows
                    .iter()
                    .filter(|r| {
                        w == Work::EnterpriseForecasts
                            || (r.started_on.is_none() && r.late_working_days > 0)
                    })
                    .map(|r| WorkLine {
                        text: format!("{} {}", r.project_name, r.phase_name),
                        detail: match (r.started_on, r.start_p50_date) {
                            (Some(d), _) => i18n::fill(
                                lang,
                                "home.work.started_on",
                                &[("date", &d.to_string())],
                            ),
                            (None, Some(d)) => i18n::fill(
                                lang,
                                "home.work.forecast_start",
                                &[
                                    ("date", &d.to_string()),
                                    ("target", &r.target_start_date.to_string()),
                                ],
                            ),
                            (None, None) => i18n::text(lang, "home.work.not_forecast").to_string(),
                        },
                        href: format!("/projects/{}/phases/{}/gantt", r.project_id, r.phase),
                    })
                    .collect();
                if w == Work::EnterpriseForecasts {
                    part(
                        "home.work.forecasts",
                        "home.work.forecasts_none",
                        "/portfolio",
                        Tone::Calm,
                        lines,
                    )
                } else {
                    part(
                        "home.work.late_phases",
                        "home.work.late_phases_none",
                        "/portfolio?start=waiting&late=late",
                        Tone::Bad,
                        lines,
                    )
                }
            }
            Work::StatisticsIncomplete => {
                use crate::cluster::statistics::{self, YearState};
                let year = today.year() - 1;
                let lines = statistics::year_lines(app, caller, year)
                    .await
                    .map_err(cluster_error)?
                    .into_iter()
                    .filter(|l| l.state() == YearState::Incomplete)
                    .map(|l| WorkLine {
                        detail: l.state_text().get(lang).to_string(),
                        href: format!("/statistics/{}?year={year}", l.enterprise_id),
                        text: l.name,
                    })
                    .collect();
                part(
                    "cluster.pages.statistics.home_incomplete",
                    "cluster.pages.statistics.home_incomplete_none",
                    format!("/statistics?year={year}&state=incomplete"),
                    Tone::Warn,
                    lines,
                )
            }
            Work::FailedDeliveries => {
                let view = super::settings::settings(app, caller).await?;
                let lines: Vec<WorkLine> = view
                    .deliveries
                    .iter()
                    .filter(|d| d.state == "failed")
                    .map(|d| WorkLine {
                        text: d.target.clone(),
                        detail: d.last_error.clone().unwrap_or_default(),
                        href: "/settings#deliveries".into(),
                    })
                    .collect();
                let mut p = part(
                    "home.work.failed_deliveries",
                    "home.work.failed_deliveries_none",
                    "/settings#deliveries",
                    Tone::Bad,
                    lines,
                );
                p.count = usize::try_from(view.counts.failed).unwrap_or(0);
                p.tone = if p.count == 0 { Tone::Calm } else { Tone::Bad };
                p
            }
            Work::CalendarNextYear => {
                let next = today.year() + 1;
                let calendar = app.store.calendar().await?;
                let published = calendar.years().any(|y| y.year == next);
                let lines = if published {
                    Vec::new()
                } else {
                    vec![WorkLine {
                        text: i18n::fill(
                            lang,
                            "home.work.calendar_missing",
                            &[("year", &next.to_string())],
                        ),
                        detail: i18n::text(lang, "home.work.calendar_how").to_string(),
                        href: "/settings".into(),
                    }]
                };
                part(
                    "home.work.calendar",
                    "home.work.calendar_none",
                    "/settings",
                    Tone::Warn,
                    lines,
                )
            }
            Work::FailedCompletionChecks => {
                let failed = crate::cluster::completion_list::failed(app, caller)
                    .await
                    .map_err(cluster_error)?;
                let lines = failed
                    .iter()
                    .map(|c| WorkLine {
                        text: format!("{} {}", c.record.project, c.record.phase),
                        detail: i18n::fill(
                            lang,
                            "cluster.pages.completion.home_detail",
                            &[
                                ("year", &c.record.year.to_string()),
                                ("shortfalls", &c.shortfalls(lang)),
                            ],
                        ),
                        href: format!("/completion/{}", c.record.id),
                    })
                    .collect();
                part(
                    "cluster.pages.completion.failed_checks",
                    "cluster.pages.completion.failed_checks_none",
                    "/completion?verdict=failed",
                    Tone::Bad,
                    lines,
                )
            }
            Work::LockedUsers => {
                let zone = caller.zone_for(Operation::ManageUsers)?;
                let lines = app
                    .store
                    .locked_users(zone, &luodi_store::now())
                    .await?
                    .into_iter()
                    .map(|(name, email, until)| WorkLine {
                        text: name,
                        detail: i18n::fill(
                            lang,
                            "home.work.locked_until",
                            &[
                                ("email", &email),
                                (
                                    "until",
                                    &luodi_domain::core::time::from_stored(&until)
                                        .map(luodi_domain::core::time::zone_display)
                                        .unwrap_or(until.clone()),
                                ),
                            ],
                        ),
                        href: "/settings".into(),
                    })
                    .collect();
                part(
                    "home.work.locked",
                    "home.work.locked_none",
                    "/settings",
                    Tone::Warn,
                    lines,
                )
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_week_ends_on_sunday() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(week_end(d("2026-12-07")), d("2026-12-13"));
        assert_eq!(week_end(d("2026-12-13")), d("2026-12-13"));
        assert_eq!(week_end(d("2026-12-10")), d("2026-12-13"));
    }

    #[test]
    fn a_part_counts_all_and_lists_some() {
        let lines = (0..12)
            .map(|i| WorkLine {
                text: i.to_string(),
                detail: String::new(),
                href: String::new(),
            })
            .collect();
        let p = part("t", "e", "/x", Tone::Bad, lines);
        assert_eq!((p.count, p.lines.len(), p.tone), (12, SHOWN, Tone::Bad));
        assert_eq!(part("t", "e", "/x", Tone::Bad, Vec::new()).tone, Tone::Calm);
    }
}
