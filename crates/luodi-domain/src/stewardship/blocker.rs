//! 难点堵点 — a project's blockers and their three clocks. A blocker is raised by the
//! project's steward or by the enterprise, routed to the department responsible, and runs
//! three clocks on the working-day calendar from the day it is raised: acknowledge, answer
//! and resolve, with the zone's limits (by default 1, 3 and 15 working days, as Shandong's
//! 企业诉求 rules have it; a leader may allow a complex blocker up to 30 to resolve).
//!
//! - Re-routing to another department keeps the history and never resets a clock.
//! - Waiting on the enterprise pauses the answer and resolve clocks, never acknowledge.
//! - Waiting for the enterprise's confirmation pauses the resolve clock; a rating of 2 or
//!   less reopens the blocker and the clock runs on from where it stopped.
//! - A clock missed escalates along the zone's ladder, each rung once.
//!
//! Plain rules: the events come in, the state, the clocks and the escalations due come out.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::core::calendar::Calendar;
use crate::core::enterprise::FieldError;
use crate::core::i18n;
use crate::core::lang::{Lang, Text};

/// The zone's limits, in working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaLimits {
    pub acknowledge: u32,
    pub answer: u32,
    pub resolve: u32,
    /// The most a leader may allow a blocker marked complex to resolve.
    pub resolve_complex: u32,
}

impl Default for SlaLimits {
    fn default() -> Self {
        SlaLimits {
            acknowledge: 1,
            answer: 3,
            resolve: 15,
            resolve_complex: 30,
        }
    }
}

/// A limit that is out of range or out of order, naming the field (`ladder` for the
/// ladder, with the rung at fault, 0-based, when it is one rung's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitError {
    pub field: &'static str,
    pub rung: Option<usize>,
    pub problem: LimitProblem,
}

/// What is wrong with a limit or the ladder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitProblem {
    /// Working days outside 1–120.
    Range(u32),
    /// Shorter than the limit before it: its days, that limit's field and days.
    Shorter {
        days: u32,
        than: &'static str,
        limit: u32,
    },
    /// A ladder of this many rungs (it has 1 to 5).
    Rungs(usize),
    /// A rung to someone who is not one of [`RUNG_TARGETS`].
    Target(String),
    /// A rung more than 60 working days after the missed clock.
    TooLate(u32),
    /// A rung sooner than the one before it.
    Sooner,
}

impl LimitError {
    /// What is wrong, in `lang`, without the field's name (a form shows it beside the
    /// field); another limit it compares with is named in words.
    pub fn text(&self, lang: Lang) -> String {
        match &self.problem {
            LimitProblem::Range(days) => i18n::fill(
                lang,
                "rules.blocker.limit_range",
                &[("days", &days.to_string())],
            ),
            LimitProblem::Shorter { days, than, limit } => {
                let than = match *than {
                    "acknowledge" => i18n::text(lang, "rules.blocker.limit_acknowledge"),
                    "answer" => i18n::text(lang, "rules.blocker.limit_answer"),
                    _ => i18n::text(lang, "rules.blocker.limit_resolve"),
                };
                i18n::fill(
                    lang,
                    "rules.blocker.limit_shorter",
                    &[
                        ("days", &days.to_string()),
                        ("than", than),
                        ("limit", &limit.to_string()),
                    ],
                )
            }
            LimitProblem::Rungs(count) => i18n::fill(
                lang,
                "rules.blocker.ladder_rungs",
                &[("n", &count.to_string())],
            ),
            LimitProblem::Target(to) => i18n::fill(
                lang,
                "rules.blocker.ladder_target",
                &[("to", to), ("targets", &RUNG_TARGETS.join(", "))],
            ),
            LimitProblem::TooLate(days) => i18n::fill(
                lang,
                "rules.blocker.ladder_too_late",
                &[("days", &days.to_string())],
            ),
            LimitProblem::Sooner => i18n::text(lang, "rules.blocker.ladder_sooner").to_string(),
        }
    }
}

/// The refusal in English, with its field (and rung): for the API and the log.
impl std::fmt::Display for LimitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.rung {
            Some(i) => write!(f, "{}: rung {i}: {}", self.field, self.text(Lang::En)),
            None => write!(f, "{}: {}", self.field, self.text(Lang::En)),
        }
    }
}

impl std::error::Error for LimitError {}

impl SlaLimits {
    /// Each limit is 1–120 working days, and acknowledge ≤ answer ≤ resolve ≤ complex.
    pub fn check(&self) -> Result<(), LimitError> {
        let parts = [
            ("acknowledge", self.acknowledge),
            ("answer", self.answer),
            ("resolve", self.resolve),
            ("resolve_complex", self.resolve_complex),
        ];
        for (field, v) in parts {
            if !(1..=120).contains(&v) {
                return Err(LimitError {
                    field,
                    rung: None,
                    problem: LimitProblem::Range(v),
                });
            }
        }
        for w in parts.windows(2) {
            if w[1].1 < w[0].1 {
                return Err(LimitError {
                    field: w[1].0,
                    rung: None,
                    problem: LimitProblem::Shorter {
                        days: w[1].1,
                        than: w[0].0,
                        limit: w[0].1,
                    },
                });
            }
        }
        Ok(())
    }
}

/// What a blocker is about: (code, 中文, English). Still a table here, not catalogue keys:
/// the web pages and API read it as one.
pub const CATEGORIES: &[(&str, &str, &str)] = &[
    ("land", "用地", "land"),
    ("planning", "规划设计", "planning and design"),
    ("approval", "审批手续", "approvals"),
    ("utilities", "水电气暖", "utilities"),
    ("construction", "施工建设", "construction"),
    ("finance", "融资", "finance"),
    ("talent", "人才用工", "talent and hiring"),
    ("policy", "政策兑现", "policy and subsidies"),
    ("other", "其他", "other"),
];

/// How pressing it is: (code, 中文, English). A table the web pages read, as [`CATEGORIES`].
pub const PRIORITIES: &[(&str, &str, &str)] = &[
    ("normal", "一般", "normal"),
    ("high", "紧急", "high"),
    ("urgent", "特急", "urgent"),
];

/// The zone's blocker settings: the limits and the escalation ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sla {
    pub limits: SlaLimits,
    pub ladder: Vec<Rung>,
}

impl Default for Sla {
    fn default() -> Self {
        Sla {
            limits: SlaLimits::default(),
            ladder: default_ladder(),
        }
    }
}

impl Sla {
    pub fn check(&self) -> Result<(), LimitError> {
        self.limits.check()?;
        check_ladder(&self.ladder)
    }
}

/// The three clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    Acknowledge,
    Answer,
    Resolve,
}

impl ClockKind {
    pub const ALL: [ClockKind; 3] = [
        ClockKind::Acknowledge,
        ClockKind::Answer,
        ClockKind::Resolve,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClockKind::Acknowledge => "acknowledge",
            ClockKind::Answer => "answer",
            ClockKind::Resolve => "resolve",
        }
    }

    pub fn parse(s: &str) -> Option<ClockKind> {
        ClockKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> Text {
        match self {
            ClockKind::Acknowledge => Text::key("notification.clock.acknowledge"),
            ClockKind::Answer => Text::key("notification.clock.answer"),
            ClockKind::Resolve => Text::key("notification.clock.resolve"),
        }
    }
}

/// Who acts on a blocker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    /// The project's steward (or another zone officer acting for the zone).
    Steward,
    Enterprise,
    /// The responsible department's officer.
    Department,
    /// A zone leader or administrator.
    Leader,
    /// Luodi itself (escalations).
    System,
}

/// Something that happened to a blocker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    Raised,
    Acknowledged,
    /// To another department (its id); the clocks run on.
    Rerouted {
        department: i64,
        reason: String,
    },
    /// The department's answer or plan.
    Answered {
        text: String,
    },
    /// The department needs something from the enterprise: answer and resolve pause.
    WaitingOnEnterprise {
        reason: String,
    },
    /// The enterprise (or its steward) has given it: the clocks run again.
    EnterpriseResponded {
        text: String,
    },
    /// A leader allows the blocker more time to resolve, up to the zone's complex limit.
    MarkedComplex {
        resolve_limit: u32,
        reason: String,
    },
    /// The department says it is resolved; the enterprise is asked to confirm.
    Resolved {
        text: String,
    },
    /// The enterprise confirms and rates the handling 1–5; 2 or less reopens the blocker.
    Confirmed {
        rating: u8,
        comment: String,
    },
    /// Whoever raised it withdraws it.
    Withdrawn {
        reason: String,
    },
    /// A missed clock escalated to a rung of the ladder (0 first).
    Escalated {
        clock: ClockKind,
        rung: usize,
    },
    /// A comment on the blocker or, `internal`, a note among the zone's staff and the
    /// department that the enterprise never sees; with the names of the files it carries
    /// (stored beside the event). A comment moves no clock.
    Commented {
        text: String,
        #[serde(default)]
        internal: bool,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        files: Vec<String>,
    },
    /// Given to a named officer of the department it is with (their user id); a re-route
    /// to another department clears it.
    Assigned {
        user: i64,
    },
    /// 催办: the steward (or a leader) presses whoever must act next.
    Nudged {
        text: String,
    },
}

impl Party {
    pub fn as_str(self) -> &'static str {
        party_name(self)
    }

    pub fn parse(s: &str) -> Option<Party> {
        [
            Party::Steward,
            Party::Enterprise,
            Party::Department,
            Party::Leader,
            Party::System,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::Raised => "raised",
            Action::Acknowledged => "acknowledged",
            Action::Rerouted { .. } => "rerouted",
            Action::Answered { .. } => "answered",
            Action::WaitingOnEnterprise { .. } => "waiting_on_enterprise",
            Action::EnterpriseResponded { .. } => "enterprise_responded",
            Action::MarkedComplex { .. } => "marked_complex",
            Action::Resolved { .. } => "resolved",
            Action::Confirmed { .. } => "confirmed",
            Action::Withdrawn { .. } => "withdrawn",
            Action::Escalated { .. } => "escalated",
            Action::Commented { .. } => "commented",
            Action::Assigned { .. } => "assigned",
            Action::Nudged { .. } => "nudged",
        }
    }

    /// Whether only the zone's side sees it (an internal note).
    pub fn internal(&self) -> bool {
        matches!(self, Action::Commented { internal: true, .. })
    }
}

/// An action on a day, by a party.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub on: NaiveDate,
    pub by: Party,
    pub action: Action,
}

/// Where a blocker stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Raised, not yet acknowledged by the department.
    Open,
    Acknowledged,
    Answered,
    /// Resolved by the department, awaiting the enterprise's confirmation.
    Resolved,
    Closed,
    Withdrawn,
}

impl State {
    pub const ALL: [State; 6] = [
        State::Open,
        State::Acknowledged,
        State::Answered,
        State::Resolved,
        State::Closed,
        State::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Open => "open",
            State::Acknowledged => "acknowledged",
            State::Answered => "answered",
            State::Resolved => "resolved",
            State::Closed => "closed",
            State::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Still needing work (or the enterprise's word).
    pub fn is_open(self) -> bool {
        !matches!(self, State::Closed | State::Withdrawn)
    }

    pub fn label(self) -> Text {
        match self {
            State::Open => Text::key("rules.blocker.state_open"),
            State::Acknowledged => Text::key("rules.blocker.state_acknowledged"),
            State::Answered => Text::key("rules.blocker.state_answered"),
            State::Resolved => Text::key("rules.blocker.state_resolved"),
            State::Closed => Text::key("rules.blocker.state_closed"),
            State::Withdrawn => Text::key("rules.blocker.state_withdrawn"),
        }
    }
}

/// The most characters a comment or a nudge holds.
pub const MAX_TEXT: usize = 5000;

/// A rating at or below this reopens the blocker.
pub const REOPEN_AT_OR_BELOW: u8 = 2;

/// Why an action is refused, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockerError {
    RaisedBy,
    NotRaised,
    /// The action's and the state's names (`answered`, `open`).
    State {
        action: &'static str,
        state: &'static str,
    },
    /// The action's and the party's names.
    Party {
        action: &'static str,
        party: &'static str,
    },
    Rating(u8),
    ComplexLimit {
        given: u32,
        ordinary: u32,
        most: u32,
    },
    Backwards(NaiveDate),
    AlreadyWaiting,
    NotWaiting,
    /// The field's name.
    Empty(&'static str),
    SameDepartment,
    /// The field's name and its most characters.
    TooLong(&'static str, usize),
    /// An enterprise writing an internal note.
    InternalByEnterprise,
    /// Assigned to the officer it is already with.
    AlreadyAssigned,
}

impl BlockerError {
    /// The refusal in `lang` (the `Display` text is the English one). English names the
    /// state by its code, Chinese by its label.
    pub fn text(&self, lang: Lang) -> String {
        let text = |key| i18n::text(lang, key).to_string();
        match self {
            BlockerError::RaisedBy => text("rules.blocker.raised_by"),
            BlockerError::NotRaised => text("rules.blocker.not_raised"),
            BlockerError::State { action, state } => {
                let state = State::parse(state)
                    .map_or(state.to_string(), |s| s.label().get(lang).to_string());
                i18n::fill(
                    lang,
                    "rules.blocker.wrong_state",
                    &[
                        ("action", action_label(action).get(lang)),
                        ("state", &state),
                    ],
                )
            }
            BlockerError::Party { action, party } => {
                let party = match *party {
                    "steward" => i18n::text(lang, "rules.blocker.party_steward"),
                    "enterprise" => i18n::text(lang, "rules.blocker.party_enterprise"),
                    "department" => i18n::text(lang, "rules.blocker.party_department"),
                    "leader" => i18n::text(lang, "rules.blocker.party_leader"),
                    _ => i18n::text(lang, "rules.blocker.party_system"),
                };
                i18n::fill(
                    lang,
                    "rules.blocker.wrong_party",
                    &[("action", action_label(action).get(lang)), ("party", party)],
                )
            }
            BlockerError::Rating(r) => {
                i18n::fill(lang, "rules.blocker.rating", &[("rating", &r.to_string())])
            }
            BlockerError::ComplexLimit {
                given,
                ordinary,
                most,
            } => i18n::fill(
                lang,
                "rules.blocker.complex_limit",
                &[
                    ("given", &given.to_string()),
                    ("ordinary", &ordinary.to_string()),
                    ("most", &most.to_string()),
                ],
            ),
            BlockerError::Backwards(d) => {
                i18n::fill(lang, "rules.blocker.backwards", &[("date", &d.to_string())])
            }
            BlockerError::AlreadyWaiting => text("rules.blocker.already_waiting"),
            BlockerError::NotWaiting => text("rules.blocker.not_waiting"),
            BlockerError::Empty(field) => i18n::fill(
                lang,
                "rules.blocker.empty",
                &[("field", field_label(field).get(lang))],
            ),
            BlockerError::SameDepartment => text("rules.blocker.same_department"),
            BlockerError::TooLong(field, most) => i18n::fill(
                lang,
                "rules.blocker.too_long",
                &[
                    ("field", field_label(field).get(lang)),
                    ("most", &most.to_string()),
                ],
            ),
            BlockerError::InternalByEnterprise => text("rules.blocker.internal_by_enterprise"),
            BlockerError::AlreadyAssigned => text("rules.blocker.already_assigned"),
        }
    }
}

/// An action in words, by its name (`answered` → 答复 / answer).
pub fn action_label(name: &str) -> Text {
    match name {
        "raised" => Text::key("rules.blocker.act_raised"),
        "acknowledged" => Text::key("rules.blocker.act_acknowledged"),
        "rerouted" => Text::key("rules.blocker.act_rerouted"),
        "answered" => Text::key("rules.blocker.act_answered"),
        "waiting_on_enterprise" => Text::key("rules.blocker.act_waiting_on_enterprise"),
        "enterprise_responded" => Text::key("rules.blocker.act_enterprise_responded"),
        "marked_complex" => Text::key("rules.blocker.act_marked_complex"),
        "resolved" => Text::key("rules.blocker.act_resolved"),
        "confirmed" => Text::key("rules.blocker.act_confirmed"),
        "withdrawn" => Text::key("rules.blocker.act_withdrawn"),
        "escalated" => Text::key("rules.blocker.act_escalated"),
        "commented" => Text::key("rules.blocker.act_commented"),
        "assigned" => Text::key("rules.blocker.act_assigned"),
        "nudged" => Text::key("rules.blocker.act_nudged"),
        other => Text::new(other, other),
    }
}

/// A field of an action's form in words (`reason` → 理由 / the reason).
pub fn field_label(field: &str) -> Text {
    match field {
        "text" => Text::key("rules.blocker.field_text"),
        "reason" => Text::key("rules.blocker.field_reason"),
        "department_id" => Text::key("rules.blocker.field_department_id"),
        "rating" => Text::key("rules.blocker.field_rating"),
        "resolve_limit" => Text::key("rules.blocker.field_resolve_limit"),
        "assignee_id" => Text::key("rules.blocker.field_assignee_id"),
        "files" => Text::key("rules.blocker.field_files"),
        other => Text::new(other, other),
    }
}

/// The refusal in English.
impl std::fmt::Display for BlockerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl std::error::Error for BlockerError {}

fn party_name(p: Party) -> &'static str {
    match p {
        Party::Steward => "steward",
        Party::Enterprise => "enterprise",
        Party::Department => "department",
        Party::Leader => "leader",
        Party::System => "system",
    }
}

/// A blocker as its events leave it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Blocker {
    pub state: State,
    pub raised_on: NaiveDate,
    pub raised_by: Party,
    /// Waiting on the enterprise since this day.
    pub waiting_since: Option<NaiveDate>,
    /// The resolve limit allowed for a complex blocker.
    pub complex_limit: Option<u32>,
    /// The department it is with now; `None` while with the one it was raised to.
    pub department: Option<i64>,
    pub reopened: u32,
    /// The last rating the enterprise gave.
    pub rating: Option<u8>,
    /// The officer of its department it is assigned to (a user id).
    pub assignee: Option<i64>,
    /// Each clock's stop day, if stopped.
    pub acknowledged_on: Option<NaiveDate>,
    pub answered_on: Option<NaiveDate>,
    /// Days the resolve clock did not count: waiting on the enterprise (answer and
    /// resolve), awaiting confirmation (resolve only). `(from, to)`; `to` None while on.
    pub answer_pauses: Vec<(NaiveDate, Option<NaiveDate>)>,
    pub resolve_pauses: Vec<(NaiveDate, Option<NaiveDate>)>,
    pub resolved_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    /// Rungs already escalated: (clock, rung).
    pub escalated: Vec<(ClockKind, usize)>,
}

fn refuse(action: &Action, state: State) -> BlockerError {
    BlockerError::State {
        action: action.name(),
        state: state.as_str(),
    }
}

fn not_for(action: &Action, party: Party) -> BlockerError {
    BlockerError::Party {
        action: action.name(),
        party: party_name(party),
    }
}

impl Blocker {
    /// The blocker after `events`, each checked: who may do it, in which state, in order.
    /// The error gives the index of the first event refused.
    pub fn replay(events: &[Event], limits: &SlaLimits) -> Result<Blocker, (usize, BlockerError)> {
        let first = events.first().ok_or((0, BlockerError::NotRaised))?;
        if first.action != Action::Raised {
            return Err((0, BlockerError::NotRaised));
        }
        if !matches!(first.by, Party::Steward | Party::Enterprise) {
            return Err((0, BlockerError::RaisedBy));
        }
        let mut b = Blocker {
            state: State::Open,
            raised_on: first.on,
            raised_by: first.by,
            waiting_since: None,
            complex_limit: None,
            department: None,
            reopened: 0,
            rating: None,
            assignee: None,
            acknowledged_on: None,
            answered_on: None,
            answer_pauses: Vec::new(),
            resolve_pauses: Vec::new(),
            resolved_on: None,
            closed_on: None,
            escalated: Vec::new(),
        };
        let mut last = first.on;
        for (i, e) in events.iter().enumerate().skip(1) {
            if e.on < last {
                return Err((i, BlockerError::Backwards(e.on)));
            }
            last = e.on;
            b.apply(e, limits).map_err(|err| (i, err))?;
        }
        Ok(b)
    }

    /// Whether `party` may take `action` now (the pages offer only these).
    pub fn may(&self, action: &Action, party: Party, limits: &SlaLimits) -> bool {
        let mut probe = self.clone();
        probe
            .apply(
                &Event {
                    on: self.last_day(),
                    by: party,
                    action: action.clone(),
                },
                limits,
            )
            .is_ok()
    }

    fn last_day(&self) -> NaiveDate {
        [
            Some(self.raised_on),
            self.acknowledged_on,
            self.answered_on,
            self.resolved_on,
            self.closed_on,
            self.waiting_since,
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(self.raised_on)
    }

    fn apply(&mut self, e: &Event, limits: &SlaLimits) -> Result<(), BlockerError> {
        use Party::*;
        let a = &e.action;
        let open = self.state.is_open();
        let working = matches!(
            self.state,
            State::Open | State::Acknowledged | State::Answered
        );
        let nonempty = |s: &str, field: &'static str| {
            if s.trim().is_empty() {
                Err(BlockerError::Empty(field))
            } else {
                Ok(())
            }
        };
        match a {
            Action::Raised => return Err(BlockerError::NotRaised),
            Action::Acknowledged => {
                if !matches!(e.by, Department | Leader) {
                    return Err(not_for(a, e.by));
                }
                if self.state != State::Open {
                    return Err(refuse(a, self.state));
                }
                self.state = State::Acknowledged;
                self.acknowledged_on = Some(e.on);
            }
            Action::Rerouted { department, reason } => {
                if !matches!(e.by, Steward | Department | Leader) {
                    return Err(not_for(a, e.by));
                }
                if !working {
                    return Err(refuse(a, self.state));
                }
                nonempty(reason, "reason")?;
                if self.department == Some(*department) {
                    return Err(BlockerError::SameDepartment);
                }
                self.department = Some(*department);
                // The new department names its own officer.
                self.assignee = None;
            }
            Action::Answered { text } => {
                if !matches!(e.by, Department | Leader) {
                    return Err(not_for(a, e.by));
                }
                if !working || self.waiting_since.is_some() {
                    return Err(refuse(a, self.state));
                }
                nonempty(text, "text")?;
                // Answering acknowledges too.
                self.acknowledged_on.get_or_insert(e.on);
                self.answered_on.get_or_insert(e.on);
                self.state = State::Answered;
            }
            Action::WaitingOnEnterprise { reason } => {
                if !matches!(e.by, Department | Leader | Steward) {
                    return Err(not_for(a, e.by));
                }
                if !matches!(self.state, State::Acknowledged | State::Answered) {
                    return Err(refuse(a, self.state));
                }
                if self.waiting_since.is_some() {
                    return Err(BlockerError::AlreadyWaiting);
                }
                nonempty(reason, "reason")?;
                self.waiting_since = Some(e.on);
                if self.answered_on.is_none() {
                    self.answer_pauses.push((e.on, None));
                }
                self.resolve_pauses.push((e.on, None));
            }
            Action::EnterpriseResponded { text } => {
                if !matches!(e.by, Enterprise | Steward) {
                    return Err(not_for(a, e.by));
                }
                if !working {
                    return Err(refuse(a, self.state));
                }
                if self.waiting_since.is_none() {
                    return Err(BlockerError::NotWaiting);
                }
                nonempty(text, "text")?;
                self.waiting_since = None;
                for pauses in [&mut self.answer_pauses, &mut self.resolve_pauses] {
                    if let Some(p) = pauses.last_mut()
                        && p.1.is_none()
                    {
                        p.1 = Some(e.on);
                    }
                }
            }
            Action::MarkedComplex {
                resolve_limit,
                reason,
            } => {
                if e.by != Leader {
                    return Err(not_for(a, e.by));
                }
                if !open || self.state == State::Resolved {
                    return Err(refuse(a, self.state));
                }
                nonempty(reason, "reason")?;
                if *resolve_limit <= limits.resolve || *resolve_limit > limits.resolve_complex {
                    return Err(BlockerError::ComplexLimit {
                        given: *resolve_limit,
                        ordinary: limits.resolve,
                        most: limits.resolve_complex,
                    });
                }
                self.complex_limit = Some(*resolve_limit);
            }
            Action::Resolved { text } => {
                if !matches!(e.by, Department | Leader) {
                    return Err(not_for(a, e.by));
                }
                if !working || self.waiting_since.is_some() {
                    return Err(refuse(a, self.state));
                }
                nonempty(text, "text")?;
                self.acknowledged_on.get_or_insert(e.on);
                self.answered_on.get_or_insert(e.on);
                self.resolved_on = Some(e.on);
                self.state = State::Resolved;
                // Awaiting the enterprise's confirmation: the resolve clock stops.
                self.resolve_pauses.push((e.on, None));
            }
            Action::Confirmed { rating, .. } => {
                if e.by != Enterprise {
                    return Err(not_for(a, e.by));
                }
                if self.state != State::Resolved {
                    return Err(refuse(a, self.state));
                }
                if !(1..=5).contains(rating) {
                    return Err(BlockerError::Rating(*rating));
                }
                self.rating = Some(*rating);
                if let Some(p) = self.resolve_pauses.last_mut()
                    && p.1.is_none()
                {
                    p.1 = Some(e.on);
                }
                if *rating <= REOPEN_AT_OR_BELOW {
                    // Reopened: the department works on, the resolve clock runs on.
                    self.state = State::Answered;
                    self.resolved_on = None;
                    self.reopened += 1;
                } else {
                    self.state = State::Closed;
                    self.closed_on = Some(e.on);
                }
            }
            Action::Withdrawn { reason } => {
                if e.by != self.raised_by && e.by != Leader {
                    return Err(not_for(a, e.by));
                }
                if !open {
                    return Err(refuse(a, self.state));
                }
                nonempty(reason, "reason")?;
                self.state = State::Withdrawn;
                self.closed_on = Some(e.on);
                self.waiting_since = None;
                for pauses in [&mut self.answer_pauses, &mut self.resolve_pauses] {
                    if let Some(p) = pauses.last_mut()
                        && p.1.is_none()
                    {
                        p.1 = Some(e.on);
                    }
                }
            }
            Action::Commented {
                text,
                internal,
                files,
            } => {
                if e.by == System {
                    return Err(not_for(a, e.by));
                }
                if *internal && e.by == Enterprise {
                    return Err(BlockerError::InternalByEnterprise);
                }
                if !open {
                    return Err(refuse(a, self.state));
                }
                if files.is_empty() {
                    nonempty(text, "text")?;
                }
                if text.chars().count() > MAX_TEXT {
                    return Err(BlockerError::TooLong("text", MAX_TEXT));
                }
            }
            Action::Assigned { user } => {
                if !matches!(e.by, Department | Leader) {
                    return Err(not_for(a, e.by));
                }
                if !open {
                    return Err(refuse(a, self.state));
                }
                if self.assignee == Some(*user) {
                    return Err(BlockerError::AlreadyAssigned);
                }
                self.assignee = Some(*user);
            }
            Action::Nudged { text } => {
                if !matches!(e.by, Steward | Leader) {
                    return Err(not_for(a, e.by));
                }
                if !open {
                    return Err(refuse(a, self.state));
                }
                nonempty(text, "text")?;
                if text.chars().count() > MAX_TEXT {
                    return Err(BlockerError::TooLong("text", MAX_TEXT));
                }
            }
            Action::Escalated { clock, rung } => {
                if e.by != System {
                    return Err(not_for(a, e.by));
                }
                if !open {
                    return Err(refuse(a, self.state));
                }
                if !self.escalated.contains(&(*clock, *rung)) {
                    self.escalated.push((*clock, *rung));
                }
            }
        }
        Ok(())
    }

    /// Who must act next (待谁办理), as the lists filter by it; `None` once closed or
    /// withdrawn. While the department waits on information it is the enterprise's turn —
    /// or the steward's, when the steward raised the blocker on the enterprise's behalf
    /// and so gathers what is asked; a resolution waits on the enterprise's confirmation
    /// (only the enterprise confirms); otherwise the department works on it. Each open
    /// blocker waits on exactly one party.
    pub fn waiting_on(&self) -> Option<Party> {
        if !self.state.is_open() {
            return None;
        }
        if self.waiting_since.is_some() {
            return Some(match self.raised_by {
                Party::Steward => Party::Steward,
                _ => Party::Enterprise,
            });
        }
        Some(match self.state {
            State::Resolved => Party::Enterprise,
            _ => Party::Department,
        })
    }

    /// The resolve limit that applies: the complex one when a leader allowed it.
    pub fn resolve_limit(&self, limits: &SlaLimits) -> u32 {
        self.complex_limit.unwrap_or(limits.resolve)
    }

    /// The three clocks on `today`. A clock a withdrawal stopped reads cancelled, not met.
    pub fn clocks(&self, calendar: &Calendar, limits: &SlaLimits, today: NaiveDate) -> [Clock; 3] {
        let end = self.closed_on;
        let mut clocks = [
            clock(
                calendar,
                ClockKind::Acknowledge,
                self.raised_on,
                limits.acknowledge,
                &[],
                self.acknowledged_on.or(end),
                today,
            ),
            clock(
                calendar,
                ClockKind::Answer,
                self.raised_on,
                limits.answer,
                &self.answer_pauses,
                self.answered_on.or(end),
                today,
            ),
            clock(
                calendar,
                ClockKind::Resolve,
                self.raised_on,
                self.resolve_limit(limits),
                &self.resolve_pauses,
                end,
                today,
            ),
        ];
        if self.state == State::Withdrawn {
            let own_stop = [self.acknowledged_on, self.answered_on, None];
            for (c, own) in clocks.iter_mut().zip(own_stop) {
                if own.is_none() {
                    c.status = ClockStatus::Cancelled;
                }
            }
        }
        clocks
    }
}

/// How a clock reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockStatus {
    Running,
    /// Two working days or fewer left.
    DueSoon,
    Paused,
    /// Past its due day and still running.
    Missed,
    Met,
    MetLate,
    /// Stopped by the blocker's withdrawal before it was met.
    Cancelled,
}

impl ClockStatus {
    pub fn label(self) -> Text {
        match self {
            ClockStatus::Running => Text::key("rules.blocker.clock_running"),
            ClockStatus::DueSoon => Text::key("rules.blocker.clock_due_soon"),
            ClockStatus::Paused => Text::key("rules.blocker.clock_paused"),
            ClockStatus::Missed => Text::key("rules.blocker.clock_missed"),
            ClockStatus::Met => Text::key("rules.blocker.clock_met"),
            ClockStatus::MetLate => Text::key("rules.blocker.clock_met_late"),
            ClockStatus::Cancelled => Text::key("rules.blocker.clock_cancelled"),
        }
    }

    /// How urgently a clock in this state wants attention, most urgent first: a clock
    /// missed (or met late), then one due soon, then one running, then one paused or
    /// withdrawn, then one met.
    pub fn urgency(self) -> u8 {
        match self {
            ClockStatus::Missed | ClockStatus::MetLate => 0,
            ClockStatus::DueSoon => 1,
            ClockStatus::Running => 2,
            ClockStatus::Paused | ClockStatus::Cancelled => 3,
            ClockStatus::Met => 4,
        }
    }
}

/// One clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Clock {
    pub kind: ClockKind,
    pub limit: u32,
    /// Working days counted so far (to the stop, or today).
    pub used: i64,
    /// The last working day to be on time; `None` while paused before reaching it.
    pub due: Option<NaiveDate>,
    /// When it stopped.
    pub stopped_on: Option<NaiveDate>,
    pub status: ClockStatus,
    /// The count ran into a year with no published holiday schedule.
    pub assumed: bool,
}

/// Days left under which a running clock shows "due soon".
pub const DUE_SOON: i64 = 2;

/// Whether working day `d` is inside a pause: a pause from `p` to `q` leaves out the
/// working days after `p` up to and including `q` (the day it began still counts; the day
/// it ended does not), and every day after `p` while it lasts.
fn paused(pauses: &[(NaiveDate, Option<NaiveDate>)], d: NaiveDate) -> bool {
    pauses
        .iter()
        .any(|(p, q)| d > *p && q.is_none_or(|q| d <= q))
}

/// A clock from `start` with `limit` working days, leaving out the paused days, stopped on
/// `stop` (if it has stopped), read on `today`.
fn clock(
    calendar: &Calendar,
    kind: ClockKind,
    start: NaiveDate,
    limit: u32,
    pauses: &[(NaiveDate, Option<NaiveDate>)],
    stop: Option<NaiveDate>,
    today: NaiveDate,
) -> Clock {
    // A limit of 0 would never be reached; the zone's limits are at least 1.
    let limit = limit.max(1);
    let until = stop.map_or(today, |s| s.min(today).max(start));
    let mut assumed = false;
    // Walk working days from the day after `start` until both the count reaches the limit
    // (the due day) and `until` is passed.
    let mut used = 0i64;
    let mut counted = 0i64;
    let mut due = None;
    let mut d = start;
    let open_pause = pauses.iter().find(|p| p.1.is_none()).map(|p| p.0);
    loop {
        d = d.succ_opt().expect("a date");
        if d > until && (due.is_some() || open_pause.is_some_and(|p| d > p)) {
            break;
        }
        assumed |= !calendar.day(d).published;
        if !calendar.is_workday(d) || paused(pauses, d) {
            if d > until && open_pause.is_some_and(|p| d > p) {
                break;
            }
            continue;
        }
        counted += 1;
        if d <= until {
            used = counted;
        }
        if due.is_none() && counted == limit as i64 {
            due = Some(d);
        }
        if d > until && due.is_some() {
            break;
        }
    }
    let status = match (stop, due) {
        (Some(_), _) if used <= limit as i64 => ClockStatus::Met,
        (Some(_), _) => ClockStatus::MetLate,
        (None, _) if open_pause.is_some() && due.is_none_or(|due| due > today) => {
            ClockStatus::Paused
        }
        (None, Some(due)) if today > due => ClockStatus::Missed,
        (None, _) if limit as i64 - used <= DUE_SOON => ClockStatus::DueSoon,
        (None, _) => ClockStatus::Running,
    };
    Clock {
        kind,
        limit,
        used,
        due,
        stopped_on: stop,
        status,
        assumed,
    }
}

/// A rung of the escalation ladder: whom a missed clock goes to, and how many working days
/// after the due day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rung {
    /// `department_head` or `zone_leader`.
    pub to: String,
    pub after_working_days: u32,
}

/// The rungs a ladder may name.
pub const RUNG_TARGETS: &[&str] = &["department_head", "zone_leader"];

/// The default ladder: the department's head the day after a clock is missed, the zone's
/// leaders three working days later.
pub fn default_ladder() -> Vec<Rung> {
    vec![
        Rung {
            to: "department_head".into(),
            after_working_days: 0,
        },
        Rung {
            to: "zone_leader".into(),
            after_working_days: 3,
        },
    ]
}

/// Checks a ladder: 1–5 rungs of known targets, each no sooner than the one before.
pub fn check_ladder(ladder: &[Rung]) -> Result<(), LimitError> {
    let refuse = |rung, problem| LimitError {
        field: "ladder",
        rung,
        problem,
    };
    if ladder.is_empty() || ladder.len() > 5 {
        return Err(refuse(None, LimitProblem::Rungs(ladder.len())));
    }
    for (i, r) in ladder.iter().enumerate() {
        if !RUNG_TARGETS.contains(&r.to.as_str()) {
            return Err(refuse(Some(i), LimitProblem::Target(r.to.clone())));
        }
        if r.after_working_days > 60 {
            return Err(refuse(Some(i), LimitProblem::TooLate(r.after_working_days)));
        }
        if i > 0 && r.after_working_days < ladder[i - 1].after_working_days {
            return Err(refuse(Some(i), LimitProblem::Sooner));
        }
    }
    Ok(())
}

/// The escalations due on `today` and not yet made: for each clock still running past its
/// due day, each rung whose day has come. A clock met (even late) escalates no more.
pub fn escalations_due(
    blocker: &Blocker,
    clocks: &[Clock; 3],
    ladder: &[Rung],
    calendar: &Calendar,
    today: NaiveDate,
) -> Vec<(ClockKind, usize)> {
    if !blocker.state.is_open() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for c in clocks {
        let (ClockStatus::Missed, Some(due)) = (c.status, c.due) else {
            continue;
        };
        // Nothing to chase while the enterprise has the next move: waiting on it (answer
        // and resolve), or its confirmation of a resolution (resolve).
        let enterprise_moves = match c.kind {
            ClockKind::Acknowledge => false,
            ClockKind::Answer => blocker.waiting_since.is_some(),
            ClockKind::Resolve => {
                blocker.waiting_since.is_some() || blocker.state == State::Resolved
            }
        };
        if enterprise_moves {
            continue;
        }
        for (rung, r) in ladder.iter().enumerate() {
            // The rung's day: the first working day after the due day, then as many more.
            let day = calendar
                .add_working_days(due, 1 + r.after_working_days as i64)
                .value;
            if today >= day && !blocker.escalated.contains(&(c.kind, rung)) {
                out.push((c.kind, rung));
            }
        }
    }
    out
}

/// Checks what a new blocker says: every field at fault, each named and in words.
pub fn check_new(
    category: &str,
    priority: &str,
    title: &str,
    description: &str,
) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if !CATEGORIES.iter().any(|c| c.0 == category) {
        errors.push(FieldError::new(
            "category",
            "invalid",
            Text::fill("rules.blocker.not_a_category", &[("value", category)]),
        ));
    }
    if !PRIORITIES.iter().any(|c| c.0 == priority) {
        errors.push(FieldError::new(
            "priority",
            "invalid",
            Text::fill("rules.blocker.not_a_priority", &[("value", priority)]),
        ));
    }
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        errors.push(FieldError::new(
            "title",
            "length",
            Text::key("rules.blocker.title_length"),
        ));
    }
    if description.trim().is_empty() || description.chars().count() > MAX_TEXT {
        errors.push(FieldError::new(
            "description",
            "length",
            Text::key("rules.blocker.description_length"),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Moved from the store: what a new blocker says is checked by the rules, naming the
    /// field at fault.
    #[test]
    fn a_new_blocker_is_checked_field_by_field() {
        let ok = |c: &str, p: &str, t: &str, d: &str| {
            check_new(c, p, t, d).map_err(|e| {
                e.iter()
                    .map(|e| e.field.clone())
                    .collect::<Vec<_>>()
                    .join(",")
            })
        };
        let (c, p) = (CATEGORIES[0].0, PRIORITIES[0].0);
        assert_eq!(ok(c, p, "供电", "需要增容"), Ok(()));
        assert_eq!(ok("nope", p, "t", "d"), Err("category".into()));
        assert_eq!(ok(c, "nope", "t", "d"), Err("priority".into()));
        assert_eq!(ok(c, p, "  ", "d"), Err("title".into()));
        assert_eq!(ok(c, p, &"x".repeat(201), "d"), Err("title".into()));
        assert_eq!(ok(c, p, "t", ""), Err("description".into()));
        // Every field at fault, not only the first; in words in either language.
        let all = check_new("nope", "nope", "", "").unwrap_err();
        assert_eq!(all.len(), 4);
        assert_eq!(all[2].message(Lang::Zh), "标题须为 1–200 个字");
        assert!(all[0].message(Lang::En).contains("'nope'"));
        // Attachments are files now, checked by their content (attachment.rs).
    }

    /// The board shows each blocker by its most urgent clock: a missed one before one due
    /// soon, before one running, before one paused, before one met.
    #[test]
    fn clocks_order_by_urgency() {
        use ClockStatus::*;
        let mut all = [Met, Paused, Running, DueSoon, Missed, Cancelled, MetLate];
        all.sort_by_key(|s| s.urgency());
        assert_eq!(
            all,
            [Missed, MetLate, DueSoon, Running, Paused, Cancelled, Met]
        );
    }
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn ev(on: &str, by: Party, action: Action) -> Event {
        Event {
            on: d(on),
            by,
            action,
        }
    }

    fn raised(on: &str) -> Event {
        ev(on, Party::Enterprise, Action::Raised)
    }

    fn due(c: &Clock) -> Option<String> {
        c.due.map(|d| d.to_string())
    }

    /// Who must act next, as a blocker goes: the department, the enterprise (or, for a
    /// blocker the steward raised, the steward) while information is awaited, the
    /// department again, the enterprise to confirm, then nobody.
    #[test]
    fn each_open_blocker_waits_on_one_party() {
        let limits = SlaLimits::default();
        let on = |events: &[Event]| Blocker::replay(events, &limits).unwrap().waiting_on();
        let waiting = |by: Party| {
            ev(
                "2026-11-03",
                by,
                Action::WaitingOnEnterprise {
                    reason: "负荷计算书".into(),
                },
            )
        };
        let ack = ev("2026-11-02", Party::Department, Action::Acknowledged);
        let mut events = vec![raised("2026-11-02")];
        assert_eq!(on(&events), Some(Party::Department));
        events.push(ack.clone());
        assert_eq!(on(&events), Some(Party::Department));
        events.push(waiting(Party::Department));
        assert_eq!(on(&events), Some(Party::Enterprise));
        let by_steward = [
            ev("2026-11-02", Party::Steward, Action::Raised),
            ack,
            waiting(Party::Department),
        ];
        assert_eq!(on(&by_steward), Some(Party::Steward));
        events.push(ev(
            "2026-11-04",
            Party::Enterprise,
            Action::EnterpriseResponded {
                text: "已补".into(),
            },
        ));
        assert_eq!(on(&events), Some(Party::Department));
        events.push(ev(
            "2026-11-05",
            Party::Department,
            Action::Resolved {
                text: "已解决".into(),
            },
        ));
        assert_eq!(on(&events), Some(Party::Enterprise));
        events.push(ev(
            "2026-11-06",
            Party::Enterprise,
            Action::Confirmed {
                rating: 5,
                comment: String::new(),
            },
        ));
        assert_eq!(on(&events), None);
    }

    /// Raised on Wednesday 30 September 2026, the working day before the National Day
    /// holiday (1–7 October; Saturday 10 October is worked): acknowledge is due on Thursday
    /// 8 October, answer on Saturday 10 October, resolve (15) on Tuesday 27 October.
    #[test]
    fn national_day_on_the_real_calendar() {
        let cal = Calendar::builtin();
        let limits = SlaLimits::default();
        let b = Blocker::replay(&[raised("2026-09-30")], &limits).unwrap();
        let [ack, answer, resolve] = b.clocks(&cal, &limits, d("2026-09-30"));
        assert_eq!(due(&ack).as_deref(), Some("2026-10-08"));
        assert_eq!(due(&answer).as_deref(), Some("2026-10-10"));
        assert_eq!(due(&resolve).as_deref(), Some("2026-10-27"));
        assert_eq!((ack.used, ack.status), (0, ClockStatus::DueSoon));
        // On the holiday nothing is counted and nothing is missed.
        let [ack, ..] = b.clocks(&cal, &limits, d("2026-10-05"));
        assert_eq!((ack.used, ack.status), (0, ClockStatus::DueSoon));
        let [ack, ..] = b.clocks(&cal, &limits, d("2026-10-09"));
        assert_eq!((ack.used, ack.status), (2, ClockStatus::Missed));
    }

    /// Waiting on the enterprise moves the answer and resolve dates by the working days
    /// waited, and never the acknowledge date.
    #[test]
    fn a_pause_moves_answer_and_resolve_not_acknowledge() {
        let cal = Calendar::builtin();
        let limits = SlaLimits::default();
        let events = vec![
            raised("2026-11-02"),
            ev("2026-11-02", Party::Department, Action::Acknowledged),
            ev(
                "2026-11-03",
                Party::Department,
                Action::WaitingOnEnterprise {
                    reason: "请补充用电负荷表".into(),
                },
            ),
        ];
        let b = Blocker::replay(&events, &limits).unwrap();
        let [ack, answer, resolve] = b.clocks(&cal, &limits, d("2026-11-06"));
        assert_eq!(due(&ack).as_deref(), Some("2026-11-03"));
        assert_eq!(
            (ack.status, ack.stopped_on),
            (ClockStatus::Met, Some(d("2026-11-02")))
        );
        // Paused after Tuesday 3 November: one day counted, the due date unknown.
        assert_eq!(
            (answer.status, answer.used, answer.due),
            (ClockStatus::Paused, 1, None)
        );
        assert_eq!(resolve.status, ClockStatus::Paused);
        // The enterprise answers on Monday 9 November: Wed–Fri and Mon were not counted,
        // so answer is due on Thursday 11 November instead of Thursday 5 November.
        let mut events = events;
        events.push(ev(
            "2026-11-09",
            Party::Enterprise,
            Action::EnterpriseResponded {
                text: "已补充".into(),
            },
        ));
        let b = Blocker::replay(&events, &limits).unwrap();
        let [ack2, answer, resolve] = b.clocks(&cal, &limits, d("2026-11-09"));
        assert_eq!(ack2.due, ack.due);
        assert_eq!(due(&answer).as_deref(), Some("2026-11-11"));
        // Resolve: 15 working days from 2 November would be 23 November; four later, 27 November.
        assert_eq!(due(&resolve).as_deref(), Some("2026-11-27"));
        assert_eq!((answer.used, answer.status), (1, ClockStatus::DueSoon));
    }

    #[test]
    fn confirmation_closes_or_reopens_and_the_resolve_clock_runs_on() {
        let cal = Calendar::builtin();
        let limits = SlaLimits::default();
        let mut events = vec![
            ev("2026-11-02", Party::Steward, Action::Raised),
            ev(
                "2026-11-03",
                Party::Department,
                Action::Resolved {
                    text: "已协调电力公司".into(),
                },
            ),
        ];
        let b = Blocker::replay(&events, &limits).unwrap();
        assert_eq!(b.state, State::Resolved);
        // Confirmation is the enterprise's alone.
        let steward_rates = ev(
            "2026-11-05",
            Party::Steward,
            Action::Confirmed {
                rating: 5,
                comment: String::new(),
            },
        );
        events.push(steward_rates);
        assert!(matches!(
            Blocker::replay(&events, &limits),
            Err((2, BlockerError::Party { .. }))
        ));
        events.pop();
        events.push(ev(
            "2026-11-10",
            Party::Enterprise,
            Action::Confirmed {
                rating: 2,
                comment: "未真正解决".into(),
            },
        ));
        let b = Blocker::replay(&events, &limits).unwrap();
        assert_eq!((b.state, b.reopened), (State::Answered, 1));
        // The days awaiting confirmation (4–10 November) are not counted: one day used.
        let [_, answer, resolve] = b.clocks(&cal, &limits, d("2026-11-10"));
        assert_eq!(answer.status, ClockStatus::Met);
        assert_eq!((resolve.used, resolve.status), (1, ClockStatus::Running));
        events.push(ev(
            "2026-11-12",
            Party::Department,
            Action::Resolved {
                text: "已通电".into(),
            },
        ));
        events.push(ev(
            "2026-11-13",
            Party::Enterprise,
            Action::Confirmed {
                rating: 5,
                comment: "满意".into(),
            },
        ));
        let b = Blocker::replay(&events, &limits).unwrap();
        assert_eq!((b.state, b.rating), (State::Closed, Some(5)));
        let [_, _, resolve] = b.clocks(&cal, &limits, d("2026-12-31"));
        assert_eq!((resolve.status, resolve.used), (ClockStatus::Met, 3));
        // Nothing more once closed.
        assert!(!b.may(
            &Action::Answered { text: "x".into() },
            Party::Department,
            &limits
        ));
    }

    #[test]
    fn refusals_read_in_chinese() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        for e in [
            BlockerError::RaisedBy,
            BlockerError::NotRaised,
            BlockerError::State {
                action: "answered",
                state: "closed",
            },
            BlockerError::Party {
                action: "confirmed",
                party: "steward",
            },
            BlockerError::Rating(6),
            BlockerError::ComplexLimit {
                given: 40,
                ordinary: 15,
                most: 30,
            },
            BlockerError::Backwards(d),
            BlockerError::AlreadyWaiting,
            BlockerError::NotWaiting,
            BlockerError::Empty("reason"),
            BlockerError::SameDepartment,
        ] {
            let zh = e.text(crate::Lang::Zh);
            assert!(!zh.is_empty(), "{e}");
            assert!(!zh.contains(" is ") && !zh.contains("the "), "{zh}");
        }
        assert!(
            BlockerError::State {
                action: "answered",
                state: "closed"
            }
            .text(crate::Lang::Zh)
            .contains("已办结")
        );
    }

    #[test]
    fn limit_refusals_read_in_chinese() {
        let cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        let at = |field, rung, problem| LimitError {
            field,
            rung,
            problem,
        };
        let shorter = |days, than, limit| LimitProblem::Shorter { days, than, limit };
        for e in [
            at("answer", None, LimitProblem::Range(0)),
            at("answer", None, shorter(1, "acknowledge", 2)),
            at("resolve", None, shorter(2, "answer", 3)),
            at("resolve_complex", None, shorter(9, "resolve", 15)),
            at("ladder", None, LimitProblem::Rungs(0)),
            at("ladder", Some(0), LimitProblem::Target("mayor".into())),
            at("ladder", Some(1), LimitProblem::TooLate(61)),
            at("ladder", Some(1), LimitProblem::Sooner),
        ] {
            let (zh, en) = (e.text(Lang::Zh), e.text(Lang::En));
            assert!(cjk(&zh) && zh != en, "{e}: {zh}");
            assert!(!cjk(&en) && e.to_string().ends_with(&en), "{e}");
        }
        // What the checks give: the field, the rung, the English for the API and the log.
        let limits = SlaLimits {
            answer: 0,
            ..SlaLimits::default()
        };
        assert_eq!(
            limits.check().unwrap_err().to_string(),
            "answer: 0 is not 1–120 working days"
        );
        let limits = SlaLimits {
            acknowledge: 2,
            answer: 1,
            ..SlaLimits::default()
        };
        let e = limits.check().unwrap_err();
        assert_eq!(e.field, "answer");
        assert_eq!(e.text(Lang::Zh), "1 个工作日短于签收时限（2 个工作日）");
        let rung = |to: &str, after_working_days| Rung {
            to: to.into(),
            after_working_days,
        };
        let e = check_ladder(&[rung("department_head", 3), rung("zone_leader", 1)]).unwrap_err();
        assert_eq!(e.rung, Some(1));
        assert_eq!(
            e.to_string(),
            "ladder: rung 1: comes sooner than the rung before it"
        );
    }

    #[test]
    fn refusals_name_the_reason() {
        let limits = SlaLimits::default();
        let r = Blocker::replay(
            &[ev("2026-11-02", Party::Department, Action::Raised)],
            &limits,
        );
        assert_eq!(r.unwrap_err(), (0, BlockerError::RaisedBy));
        let base = raised("2026-11-02");
        let complex = |limit| {
            Blocker::replay(
                &[
                    base.clone(),
                    ev(
                        "2026-11-03",
                        Party::Leader,
                        Action::MarkedComplex {
                            resolve_limit: limit,
                            reason: "跨部门".into(),
                        },
                    ),
                ],
                &limits,
            )
        };
        assert!(complex(30).is_ok());
        assert!(matches!(
            complex(31),
            Err((1, BlockerError::ComplexLimit { .. }))
        ));
        assert!(matches!(
            complex(15),
            Err((1, BlockerError::ComplexLimit { .. }))
        ));
        let steward_marks = Blocker::replay(
            &[
                base.clone(),
                ev(
                    "2026-11-03",
                    Party::Steward,
                    Action::MarkedComplex {
                        resolve_limit: 20,
                        reason: "x".into(),
                    },
                ),
            ],
            &limits,
        );
        assert!(matches!(
            steward_marks,
            Err((1, BlockerError::Party { .. }))
        ));
        let backwards = Blocker::replay(
            &[
                base.clone(),
                ev("2026-11-01", Party::Department, Action::Acknowledged),
            ],
            &limits,
        );
        assert!(matches!(backwards, Err((1, BlockerError::Backwards(_)))));
        let rating = Blocker::replay(
            &[
                base,
                ev(
                    "2026-11-03",
                    Party::Department,
                    Action::Resolved { text: "ok".into() },
                ),
                ev(
                    "2026-11-04",
                    Party::Enterprise,
                    Action::Confirmed {
                        rating: 6,
                        comment: String::new(),
                    },
                ),
            ],
            &limits,
        );
        assert_eq!(rating.unwrap_err(), (2, BlockerError::Rating(6)));
        assert!(
            SlaLimits {
                answer: 0,
                ..Default::default()
            }
            .check()
            .is_err_and(|e| e.field == "answer")
        );
        assert!(
            SlaLimits {
                resolve: 2,
                ..Default::default()
            }
            .check()
            .is_err_and(|e| e.field == "resolve")
        );
    }

    #[test]
    fn a_missed_clock_escalates_each_rung_once() {
        let cal = Calendar::builtin();
        let limits = SlaLimits::default();
        let ladder = default_ladder();
        let mut events = vec![raised("2026-11-02")];
        let b = Blocker::replay(&events, &limits).unwrap();
        // Acknowledge is due Tuesday 3 November; missed on Wednesday 4.
        let at = |b: &Blocker, day: &str| {
            let clocks = b.clocks(&cal, &limits, d(day));
            escalations_due(b, &clocks, &ladder, &cal, d(day))
        };
        assert!(at(&b, "2026-11-03").is_empty());
        assert_eq!(at(&b, "2026-11-04"), vec![(ClockKind::Acknowledge, 0)]);
        events.push(ev(
            "2026-11-04",
            Party::System,
            Action::Escalated {
                clock: ClockKind::Acknowledge,
                rung: 0,
            },
        ));
        let b = Blocker::replay(&events, &limits).unwrap();
        assert!(at(&b, "2026-11-04").is_empty(), "once");
        // Answer (due 5 November) is missed on the 6th; the zone leader's rung comes three
        // working days after the first.
        assert_eq!(at(&b, "2026-11-06"), vec![(ClockKind::Answer, 0)]);
        assert_eq!(
            at(&b, "2026-11-09"),
            vec![(ClockKind::Acknowledge, 1), (ClockKind::Answer, 0)]
        );
        // Acknowledged late: that clock escalates no more.
        events.push(ev("2026-11-09", Party::Department, Action::Acknowledged));
        let b = Blocker::replay(&events, &limits).unwrap();
        assert_eq!(at(&b, "2026-11-09"), vec![(ClockKind::Answer, 0)]);
        assert_eq!(
            b.clocks(&cal, &limits, d("2026-11-09"))[0].status,
            ClockStatus::MetLate
        );
        assert!(check_ladder(&ladder).is_ok());
        assert!(check_ladder(&[]).is_err());
        assert!(
            check_ladder(&[Rung {
                to: "mayor".into(),
                after_working_days: 0
            }])
            .is_err()
        );
    }

    /// A withdrawn blocker's unmet clocks read withdrawn; a late resolution awaiting the
    /// enterprise's word escalates no more; finished blockers take no more events.
    #[test]
    fn withdrawal_and_waiting_stop_the_chase() {
        let cal = Calendar::builtin();
        let limits = SlaLimits::default();
        let events = vec![
            raised("2026-03-02"),
            ev("2026-03-02", Party::Department, Action::Acknowledged),
            ev(
                "2026-03-03",
                Party::Enterprise,
                Action::Withdrawn {
                    reason: "已自行解决".into(),
                },
            ),
        ];
        let b = Blocker::replay(&events, &limits).unwrap();
        let [ack, answer, resolve] = b.clocks(&cal, &limits, d("2026-04-30"));
        assert_eq!(
            (ack.status, answer.status, resolve.status),
            (
                ClockStatus::Met,
                ClockStatus::Cancelled,
                ClockStatus::Cancelled
            )
        );
        let mut late = events.clone();
        late.push(ev(
            "2026-03-05",
            Party::Enterprise,
            Action::EnterpriseResponded { text: "x".into() },
        ));
        assert!(Blocker::replay(&late, &limits).is_err());
        let mut late = events;
        late.push(ev(
            "2026-03-05",
            Party::System,
            Action::Escalated {
                clock: ClockKind::Resolve,
                rung: 0,
            },
        ));
        assert!(Blocker::replay(&late, &limits).is_err());

        // Resolved on 30 March, after the resolve clock's due day (23 March): while the
        // enterprise has not confirmed, nobody is chased.
        let events = vec![
            raised("2026-03-02"),
            ev(
                "2026-03-02",
                Party::Department,
                Action::Answered {
                    text: "方案".into(),
                },
            ),
            ev(
                "2026-03-30",
                Party::Department,
                Action::Resolved {
                    text: "已解决".into(),
                },
            ),
        ];
        let b = Blocker::replay(&events, &limits).unwrap();
        let clocks = b.clocks(&cal, &limits, d("2026-04-10"));
        assert_eq!(clocks[2].status, ClockStatus::Missed);
        assert!(escalations_due(&b, &clocks, &default_ladder(), &cal, d("2026-04-10")).is_empty());
        // A limit of 0 (never allowed by the zone's check) still gives an answer.
        let zero = SlaLimits {
            acknowledge: 0,
            ..limits
        };
        assert_eq!(b.clocks(&cal, &zero, d("2026-03-02"))[0].limit, 1);
    }

    proptest! {
        /// Without pauses a clock is due on the limit-th working day after it starts;
        /// pausing never brings a due date earlier and never moves acknowledge; a due day
        /// is always a working day.
        #[test]
        fn pauses_only_postpone(
            start in 0i64..700,
            wait_after in 0i64..20,
            wait_for in 1i64..30,
            limit in 1u32..20,
        ) {
            let cal = Calendar::builtin();
            let limits = SlaLimits { acknowledge: 1, answer: limit.max(1), resolve: limit.max(1) + 5, resolve_complex: limit.max(1) + 10 };
            let day0 = d("2025-01-01") + chrono::Duration::days(start);
            let plain = Blocker::replay(&[Event { on: day0, by: Party::Steward, action: Action::Raised }], &limits).unwrap();
            let far = day0 + chrono::Duration::days(400);
            let [ack, answer, resolve] = plain.clocks(&cal, &limits, day0);
            prop_assert_eq!(answer.due, Some(cal.add_working_days(day0, limits.answer as i64).value));
            prop_assert_eq!(resolve.due, Some(cal.add_working_days(day0, limits.resolve as i64).value));

            let w0 = day0 + chrono::Duration::days(wait_after);
            let w1 = w0 + chrono::Duration::days(wait_for);
            let events = vec![
                Event { on: day0, by: Party::Steward, action: Action::Raised },
                Event { on: day0, by: Party::Department, action: Action::Acknowledged },
                Event { on: w0, by: Party::Department, action: Action::WaitingOnEnterprise { reason: "资料".into() } },
                Event { on: w1, by: Party::Enterprise, action: Action::EnterpriseResponded { text: "已补".into() } },
            ];
            let paused = Blocker::replay(&events, &limits).unwrap();
            let [ack2, answer2, resolve2] = paused.clocks(&cal, &limits, far);
            prop_assert_eq!(ack2.due, ack.due);
            prop_assert!(answer2.due >= answer.due);
            prop_assert!(resolve2.due >= resolve.due);
            for c in [ack2, answer2, resolve2] {
                if let Some(due) = c.due {
                    prop_assert!(cal.is_workday(due));
                }
            }
            // The postponement is exactly the working days waited before the due day.
            let waited = cal.working_days_between(w0, w1).value;
            if resolve.due.is_some_and(|due| due > w0) {
                prop_assert_eq!(resolve2.due, Some(cal.add_working_days(day0, limits.resolve as i64 + waited).value));
            } else {
                prop_assert_eq!(resolve2.due, resolve.due);
            }
        }

        /// Any sequence of steps by any party: what `may` offers is what the rules accept;
        /// an open blocker waits on exactly one party and a closed one on none; a comment
        /// or a nudge moves neither the state nor a clock; only the zone's side writes
        /// internal notes; a re-route leaves nobody assigned.
        #[test]
        fn any_sequence_of_steps_keeps_the_ticket_whole(
            steps in proptest::collection::vec((0usize..5, 0usize..15, 0i64..4), 1..40),
        ) {
            let cal = Calendar::builtin();
            let limits = SlaLimits::default();
            let parties = [Party::Steward, Party::Enterprise, Party::Department, Party::Leader, Party::System];
            let action = |i: usize| match i {
                0 => Action::Acknowledged,
                1 => Action::Rerouted { department: 7 + (i as i64 % 2), reason: "职责".into() },
                2 => Action::Answered { text: "方案".into() },
                3 => Action::WaitingOnEnterprise { reason: "资料".into() },
                4 => Action::EnterpriseResponded { text: "已补".into() },
                5 => Action::MarkedComplex { resolve_limit: 20, reason: "复杂".into() },
                6 => Action::Resolved { text: "已解决".into() },
                7 => Action::Confirmed { rating: 5, comment: String::new() },
                8 => Action::Confirmed { rating: 1, comment: "未解决".into() },
                9 => Action::Withdrawn { reason: "不需要了".into() },
                10 => Action::Commented { text: "进展".into(), internal: false, files: vec![] },
                11 => Action::Commented { text: String::new(), internal: true, files: vec!["图.png".into()] },
                12 => Action::Assigned { user: 41 },
                13 => Action::Nudged { text: "请尽快".into() },
                _ => Action::Escalated { clock: ClockKind::Answer, rung: 0 },
            };
            let day0 = d("2026-03-02");
            let mut on = day0;
            let mut events = vec![Event { on, by: Party::Enterprise, action: Action::Raised }];
            let mut b = Blocker::replay(&events, &limits).unwrap();
            for (p, a, gap) in steps {
                on += chrono::Duration::days(gap);
                let e = Event { on, by: parties[p], action: action(a) };
                let offered = b.may(&e.action, e.by, &limits);
                let mut next = events.clone();
                next.push(e.clone());
                match Blocker::replay(&next, &limits) {
                    Ok(after) => {
                        prop_assert!(offered, "{:?} accepted but not offered", e);
                        if matches!(e.action, Action::Commented { .. } | Action::Nudged { .. }) {
                            prop_assert_eq!(after.state, b.state);
                            prop_assert_eq!(after.clocks(&cal, &limits, on + chrono::Duration::days(30)), b.clocks(&cal, &limits, on + chrono::Duration::days(30)));
                        }
                        if e.action.internal() {
                            prop_assert_ne!(e.by, Party::Enterprise);
                        }
                        if matches!(e.action, Action::Rerouted { .. }) {
                            prop_assert_eq!(after.assignee, None);
                        }
                        events = next;
                        b = after;
                    }
                    Err(_) => prop_assert!(!offered, "{:?} offered but refused", e),
                }
                prop_assert_eq!(b.waiting_on().is_some(), b.state.is_open());
                prop_assert_eq!(b.closed_on.is_some(), !b.state.is_open());
            }
        }
    }
}
