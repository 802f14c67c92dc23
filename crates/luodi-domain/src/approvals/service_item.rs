//! 事项办理 — one item of a project's service list at work: who may move it from which state
//! to which, and its clock on the working-day calendar.
//!
//! The clock starts when the department accepts (受理; the day of acceptance is day 0) and
//! counts the item's promised limit plus any extensions. It stops while the item is
//! returned for correction (补正) until the enterprise resubmits, and while a special
//! procedure runs (听证、专家评审、公示 — time the law excludes, 行政许可法第四十五条).
//! A return *before* acceptance (材料不齐全，一次性告知补正, 行政许可法第三十二条) starts no
//! clock: the item goes back to the applicant, and the resubmission waits for acceptance
//! like the first submission did — the clock starts only when the department accepts.
//! A stop on day X that ends on day Y leaves out the days after X up to and including Y.
//! A limit in calendar days that ends on a rest day ends on the next working day.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::approvals::catalogue::{DayUnit, ReformMode, TimeLimit};
use crate::core::calendar::Calendar;
use crate::core::i18n;
use crate::core::lang::Text;

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    /// 未申报
    NotStarted,
    /// 已申报，待受理
    Submitted,
    /// 已受理，办理中 (the clock runs)
    Accepted,
    /// 补正 — returned for correction after acceptance; the clock stops until resubmission
    Returned,
    /// 补正材料（未受理）— returned before acceptance: no clock yet; the resubmission waits
    /// for acceptance again
    Incomplete,
    /// 特别程序 — hearing, expert review or public notice; the clock stops
    Special,
    /// 已办结
    Approved,
    /// 不予许可
    Refused,
    /// 免于办理 — covered by a regional assessment
    Waived,
}

impl ItemState {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::NotStarted => "not_started",
            ItemState::Submitted => "submitted",
            ItemState::Accepted => "accepted",
            ItemState::Returned => "returned",
            ItemState::Incomplete => "incomplete",
            ItemState::Special => "special",
            ItemState::Approved => "approved",
            ItemState::Refused => "refused",
            ItemState::Waived => "waived",
        }
    }

    pub fn parse(s: &str) -> Option<ItemState> {
        [
            ItemState::NotStarted,
            ItemState::Submitted,
            ItemState::Accepted,
            ItemState::Returned,
            ItemState::Incomplete,
            ItemState::Special,
            ItemState::Approved,
            ItemState::Refused,
            ItemState::Waived,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    pub fn label(self) -> Text {
        match self {
            ItemState::NotStarted => Text::key("rules.service_item.state_not_started"),
            ItemState::Submitted => Text::key("rules.service_item.state_submitted"),
            ItemState::Accepted => Text::key("rules.service_item.state_accepted"),
            ItemState::Returned => Text::key("rules.service_item.state_returned"),
            ItemState::Incomplete => Text::key("rules.service_item.state_incomplete"),
            ItemState::Special => Text::key("rules.service_item.state_special"),
            ItemState::Approved => Text::key("rules.service_item.state_approved"),
            ItemState::Refused => Text::key("rules.service_item.state_refused"),
            ItemState::Waived => Text::key("rules.service_item.state_waived"),
        }
    }

    pub fn is_final(self) -> bool {
        matches!(
            self,
            ItemState::Approved | ItemState::Refused | ItemState::Waived
        )
    }
}

/// 特别程序 — procedures whose time the law leaves out of the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecialProcedure {
    Hearing,
    ExpertReview,
    PublicNotice,
    Inspection,
}

/// One step in an item's life. Dates are the zone's calendar dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ItemEvent {
    Submit {
        on: NaiveDate,
    },
    /// 受理; with minor materials missing (容缺受理) when `missing` is not empty.
    Accept {
        on: NaiveDate,
        #[serde(default)]
        missing: Vec<String>,
        #[serde(default)]
        missing_due: Option<NaiveDate>,
    },
    /// 补正 — the clock stops.
    Return {
        on: NaiveDate,
        reason: String,
    },
    Resubmit {
        on: NaiveDate,
    },
    StartSpecial {
        on: NaiveDate,
        procedure: SpecialProcedure,
        note: String,
    },
    EndSpecial {
        on: NaiveDate,
    },
    /// 延期 — more days, with the reason and who approved it.
    Extend {
        on: NaiveDate,
        days: u32,
        reason: String,
        approver: String,
    },
    /// 办结; on the applicant's commitment (承诺) when `verify_by` is set.
    Approve {
        on: NaiveDate,
        #[serde(default)]
        verify_by: Option<NaiveDate>,
    },
    Refuse {
        on: NaiveDate,
        reason: String,
    },
    /// 承诺核查 — the department checks a commitment it approved on; not met revokes.
    Verify {
        on: NaiveDate,
        met: bool,
        note: String,
    },
}

impl ItemEvent {
    pub fn on(&self) -> NaiveDate {
        match self {
            ItemEvent::Submit { on }
            | ItemEvent::Accept { on, .. }
            | ItemEvent::Return { on, .. }
            | ItemEvent::Resubmit { on }
            | ItemEvent::StartSpecial { on, .. }
            | ItemEvent::EndSpecial { on }
            | ItemEvent::Extend { on, .. }
            | ItemEvent::Approve { on, .. }
            | ItemEvent::Refuse { on, .. }
            | ItemEvent::Verify { on, .. } => *on,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            ItemEvent::Submit { .. } => "submit",
            ItemEvent::Accept { .. } => "accept",
            ItemEvent::Return { .. } => "return",
            ItemEvent::Resubmit { .. } => "resubmit",
            ItemEvent::StartSpecial { .. } => "start_special",
            ItemEvent::EndSpecial { .. } => "end_special",
            ItemEvent::Extend { .. } => "extend",
            ItemEvent::Approve { .. } => "approve",
            ItemEvent::Refuse { .. } => "refuse",
            ItemEvent::Verify { .. } => "verify",
        }
    }
}

/// The side a person acts for on an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// The enterprise, or the steward acting for it (代办).
    Applicant,
    /// The item's department (or an administrator).
    Department,
}

/// Why a step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("'{event}' is not possible while the item is {state}")]
    WrongState {
        event: &'static str,
        state: &'static str,
    },
    #[error("'{event}' is for the {needed}, not for you")]
    WrongParty {
        event: &'static str,
        needed: &'static str,
    },
    #[error("the date {on} is before the item's last step ({last})")]
    BeforeLast { on: NaiveDate, last: NaiveDate },
    #[error("{field} is required")]
    Missing { field: &'static str },
    #[error("an extension must add 1 to 60 days")]
    BadExtension,
    #[error("'{0}' is not allowed for this item: the catalogue does not list that reform mode")]
    ModeNotAllowed(&'static str),
}

/// A step's name as people say it: `resubmit` is 重新提交.
pub fn step_label(step: &str) -> Option<Text> {
    Some(match step {
        "submit" => Text::key("rules.service_item.step_submit"),
        "accept" => Text::key("rules.service_item.step_accept"),
        "return" => Text::key("rules.service_item.step_return"),
        "resubmit" => Text::key("rules.service_item.step_resubmit"),
        "start_special" => Text::key("rules.service_item.step_start_special"),
        "end_special" => Text::key("rules.service_item.step_end_special"),
        "extend" => Text::key("rules.service_item.step_extend"),
        "approve" => Text::key("rules.service_item.step_approve"),
        "refuse" => Text::key("rules.service_item.step_refuse"),
        "verify" => Text::key("rules.service_item.step_verify"),
        _ => return None,
    })
}

/// A field a step needs, as people name it.
fn field_label(field: &str) -> Text {
    match field {
        "reason" => Text::key("rules.service_item.field_reason"),
        "missing_due" => Text::key("rules.service_item.field_missing_due"),
        "note" => Text::key("rules.service_item.field_note"),
        "approver" => Text::key("rules.service_item.field_approver"),
        other => Text::new(other.to_string(), other.to_string()),
    }
}

impl TransitionError {
    /// The refusal in the user's language, naming the step, the state and the party as
    /// people do.
    pub fn text(&self) -> Text {
        let step =
            |e: &str| step_label(e).unwrap_or_else(|| Text::new(e.to_string(), e.to_string()));
        match self {
            TransitionError::WrongState { event, state } => {
                let st = ItemState::parse(state)
                    .map(ItemState::label)
                    .unwrap_or_else(|| Text::new(state.to_string(), state.to_string()));
                let step = step(event);
                Text::from_fn(|lang| {
                    i18n::fill(
                        lang,
                        "rules.service_item.wrong_state",
                        &[("state", st.get(lang)), ("step", step.get(lang))],
                    )
                })
            }
            TransitionError::WrongParty { event, needed } => {
                let who = if needed.contains("department") {
                    Text::key("rules.service_item.party_department")
                } else {
                    Text::key("rules.service_item.party_applicant")
                };
                let step = step(event);
                Text::from_fn(|lang| {
                    i18n::fill(
                        lang,
                        "rules.service_item.wrong_party",
                        &[("step", step.get(lang)), ("party", who.get(lang))],
                    )
                })
            }
            TransitionError::BeforeLast { on, last } => Text::fill(
                "rules.service_item.before_last",
                &[("on", &on.to_string()), ("last", &last.to_string())],
            ),
            TransitionError::Missing { field } => {
                let f = field_label(field);
                Text::from_fn(|lang| {
                    i18n::fill(
                        lang,
                        "rules.service_item.missing",
                        &[("field", f.get(lang))],
                    )
                })
            }
            TransitionError::BadExtension => Text::key("rules.service_item.bad_extension"),
            TransitionError::ModeNotAllowed(mode) => {
                let m = match *mode {
                    "minor_missing" => ReformMode::MinorMissing.label(),
                    "commitment" => Text::key("rules.service_item.mode_commitment"),
                    other => Text::new(other.to_string(), other.to_string()),
                };
                Text::from_fn(|lang| {
                    i18n::fill(
                        lang,
                        "rules.service_item.mode_not_allowed",
                        &[("mode", m.get(lang))],
                    )
                })
            }
        }
    }

    pub fn field(&self) -> &'static str {
        match self {
            TransitionError::BeforeLast { .. } => "on",
            TransitionError::Missing { field } => field,
            TransitionError::BadExtension => "days",
            TransitionError::ModeNotAllowed(_) => "mode",
            _ => "event",
        }
    }
}

/// What an item allows, from its catalogue entry.
#[derive(Debug, Clone, Copy, Default)]
pub struct Allowed {
    pub minor_missing: bool,
    pub commitment: bool,
    /// The item was approved on commitment and its verification is still open.
    pub verification_pending: bool,
}

/// The verification date of an approval on commitment that has not been checked yet.
pub fn pending_verification(events: &[ItemEvent]) -> Option<NaiveDate> {
    let due = events.iter().rev().find_map(|e| match e {
        ItemEvent::Approve { verify_by, .. } => Some(*verify_by),
        _ => None,
    })??;
    let verified = events.iter().any(|e| matches!(e, ItemEvent::Verify { .. }));
    (!verified).then_some(due)
}

/// The state after `event`, if the party may take it now.
pub fn next_state(
    state: ItemState,
    event: &ItemEvent,
    party: Party,
    allowed: Allowed,
    last: Option<NaiveDate>,
) -> Result<ItemState, TransitionError> {
    use ItemEvent as E;
    use ItemState as S;
    if let Some(last) = last
        && event.on() < last
    {
        return Err(TransitionError::BeforeLast {
            on: event.on(),
            last,
        });
    }
    let needs = |p: Party| {
        if p == party {
            Ok(())
        } else {
            Err(TransitionError::WrongParty {
                event: event.name(),
                needed: match p {
                    Party::Applicant => "enterprise or its steward",
                    Party::Department => "item's department",
                },
            })
        }
    };
    let wrong = || TransitionError::WrongState {
        event: event.name(),
        state: state.as_str(),
    };
    match (state, event) {
        (S::NotStarted, E::Submit { .. }) => needs(Party::Applicant).map(|_| S::Submitted),
        (
            S::Submitted,
            E::Accept {
                missing,
                missing_due,
                ..
            },
        ) => {
            needs(Party::Department)?;
            if !missing.is_empty() {
                if !allowed.minor_missing {
                    return Err(TransitionError::ModeNotAllowed("minor_missing"));
                }
                if missing_due.is_none() {
                    return Err(TransitionError::Missing {
                        field: "missing_due",
                    });
                }
            }
            Ok(S::Accepted)
        }
        (S::Submitted | S::Accepted, E::Return { reason, .. }) => {
            needs(Party::Department)?;
            if reason.trim().is_empty() {
                return Err(TransitionError::Missing { field: "reason" });
            }
            // Before acceptance there is no clock to stop: the item goes back to the
            // applicant and must be accepted after it comes back.
            Ok(if state == S::Submitted {
                S::Incomplete
            } else {
                S::Returned
            })
        }
        (S::Returned, E::Resubmit { .. }) => needs(Party::Applicant).map(|_| S::Accepted),
        (S::Incomplete, E::Resubmit { .. }) => needs(Party::Applicant).map(|_| S::Submitted),
        (S::Accepted, E::StartSpecial { .. }) => needs(Party::Department).map(|_| S::Special),
        (S::Special, E::EndSpecial { .. }) => needs(Party::Department).map(|_| S::Accepted),
        (
            S::Accepted | S::Returned | S::Special,
            E::Extend {
                days,
                reason,
                approver,
                ..
            },
        ) => {
            needs(Party::Department)?;
            if !(1..=60).contains(days) {
                return Err(TransitionError::BadExtension);
            }
            if reason.trim().is_empty() {
                return Err(TransitionError::Missing { field: "reason" });
            }
            if approver.trim().is_empty() {
                return Err(TransitionError::Missing { field: "approver" });
            }
            Ok(state)
        }
        (S::Accepted, E::Approve { verify_by, .. }) => {
            needs(Party::Department)?;
            if verify_by.is_some() && !allowed.commitment {
                return Err(TransitionError::ModeNotAllowed("commitment"));
            }
            Ok(S::Approved)
        }
        (S::Approved, E::Verify { met, note, .. }) => {
            needs(Party::Department)?;
            if !allowed.verification_pending {
                return Err(wrong());
            }
            if !met && note.trim().is_empty() {
                return Err(TransitionError::Missing { field: "note" });
            }
            Ok(if *met { S::Approved } else { S::Refused })
        }
        (S::Accepted | S::Submitted | S::Incomplete, E::Refuse { reason, .. }) => {
            needs(Party::Department)?;
            if reason.trim().is_empty() {
                return Err(TransitionError::Missing { field: "reason" });
            }
            Ok(S::Refused)
        }
        _ => Err(wrong()),
    }
}

/// The state reached by a sequence of events from the start (checks every step).
pub fn replay(
    events: &[(ItemEvent, Party)],
    allowed: Allowed,
) -> Result<ItemState, (usize, TransitionError)> {
    let mut state = ItemState::NotStarted;
    let mut last = None;
    for (i, (e, p)) in events.iter().enumerate() {
        state = next_state(state, e, *p, allowed, last).map_err(|err| (i, err))?;
        last = Some(e.on());
    }
    Ok(state)
}

/// How an item's clock reads on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clock {
    /// Days the item may take: the promised limit plus extensions.
    pub limit: u32,
    pub unit: DayUnit,
    /// Days counted so far (working or calendar, as the limit).
    pub used: i64,
    /// `limit - used`; negative when late.
    pub remaining: i64,
    /// The last day to finish on time; `None` before acceptance or while stopped.
    pub due: Option<NaiveDate>,
    pub running: bool,
    pub stopped: bool,
    /// The status a person sees, in words and colour.
    pub status: ClockStatus,
    /// The count crossed a year with no published holiday schedule.
    pub assumed: bool,
    /// Approved on commitment and not yet verified: the date to verify by.
    pub verification_due: Option<NaiveDate>,
    /// That date has passed.
    pub verification_overdue: bool,
}

/// What the list shows for an item at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockStatus {
    NotStarted,
    Waiting,
    /// Returned before acceptance: the applicant must complete the materials; no clock.
    Incomplete,
    Running,
    DueSoon,
    Overdue,
    Stopped,
    Done,
    DoneLate,
    Refused,
    Waived,
}

impl ClockStatus {
    pub fn label(self) -> Text {
        match self {
            ClockStatus::NotStarted => Text::key("rules.service_item.clock_not_started"),
            ClockStatus::Waiting => Text::key("rules.service_item.clock_waiting"),
            ClockStatus::Incomplete => Text::key("rules.service_item.clock_incomplete"),
            ClockStatus::Running => Text::key("rules.service_item.clock_running"),
            ClockStatus::DueSoon => Text::key("rules.service_item.clock_due_soon"),
            ClockStatus::Overdue => Text::key("rules.service_item.clock_overdue"),
            ClockStatus::Stopped => Text::key("rules.service_item.clock_stopped"),
            ClockStatus::Done => Text::key("rules.service_item.clock_done"),
            ClockStatus::DoneLate => Text::key("rules.service_item.clock_done_late"),
            ClockStatus::Refused => Text::key("rules.service_item.clock_refused"),
            ClockStatus::Waived => Text::key("rules.service_item.clock_waived"),
        }
    }
}

/// Days the item reaches "due soon": this many working days or fewer left.
pub const DUE_SOON_WORKING_DAYS: i64 = 2;

/// Reads an item's clock on `today` from its events.
pub fn clock(
    calendar: &Calendar,
    limit: TimeLimit,
    waived: bool,
    events: &[ItemEvent],
    today: NaiveDate,
) -> Clock {
    let extensions: u32 = events
        .iter()
        .map(|e| {
            if let ItemEvent::Extend { days, .. } = e {
                *days
            } else {
                0
            }
        })
        .sum();
    let total = limit.days + extensions;
    let verification_due = pending_verification(events);
    let verification_overdue = verification_due.is_some_and(|d| today > d);
    let base = Clock {
        limit: total,
        unit: limit.unit,
        used: 0,
        remaining: total as i64,
        due: None,
        running: false,
        stopped: false,
        status: ClockStatus::NotStarted,
        assumed: false,
        verification_due,
        verification_overdue,
    };
    if waived {
        return Clock {
            status: ClockStatus::Waived,
            ..base
        };
    }
    let accept_at = events
        .iter()
        .position(|e| matches!(e, ItemEvent::Accept { .. }));
    let accepted = accept_at.map(|i| events[i].on());
    let submitted = events.iter().any(|e| matches!(e, ItemEvent::Submit { .. }));
    // Returned before acceptance and not yet resubmitted.
    let incomplete = accept_at.is_none()
        && events
            .iter()
            .rev()
            .find_map(|e| match e {
                ItemEvent::Return { .. } => Some(true),
                ItemEvent::Resubmit { .. } => Some(false),
                _ => None,
            })
            .unwrap_or(false);
    let finished = events.iter().find_map(|e| match e {
        ItemEvent::Approve { on, .. } => Some((*on, true)),
        ItemEvent::Refuse { on, .. } => Some((*on, false)),
        _ => None,
    });
    // A commitment found not met revokes the approval.
    let revoked = events
        .iter()
        .any(|e| matches!(e, ItemEvent::Verify { met: false, .. }));
    let finished = finished.map(|(on, ok)| (on, ok && !revoked));
    let Some(start) = accepted else {
        let status = match finished {
            Some((_, false)) => ClockStatus::Refused,
            // Done without a clock: completed by the land handover itself.
            Some((_, true)) => ClockStatus::Done,
            _ if incomplete => ClockStatus::Incomplete,
            _ if submitted => ClockStatus::Waiting,
            _ => ClockStatus::NotStarted,
        };
        return Clock { status, ..base };
    };
    // Stop intervals (X, Y]; an open stop runs to "forever".
    // Only steps after the acceptance stop the clock; a return before it started none.
    let mut stops: Vec<(NaiveDate, Option<NaiveDate>)> = Vec::new();
    for e in &events[accept_at.unwrap_or(0)..] {
        match e {
            ItemEvent::Return { on, .. } | ItemEvent::StartSpecial { on, .. } => {
                stops.push((*on, None))
            }
            ItemEvent::Resubmit { on } | ItemEvent::EndSpecial { on } => {
                if let Some(open) = stops.iter_mut().rev().find(|s| s.1.is_none()) {
                    open.1 = Some(*on);
                }
            }
            _ => {}
        }
    }
    let stopped_on = |d: NaiveDate| {
        stops
            .iter()
            .any(|(x, y)| d > *x && y.is_none_or(|y| d <= y))
    };
    let counts = |d: NaiveDate| {
        !stopped_on(d) && (limit.unit == DayUnit::Calendar || calendar.is_workday(d))
    };
    let mut assumed = false;
    let end = finished.map(|(d, _)| d).unwrap_or(today).max(start);
    let mut used = 0i64;
    let mut d = start;
    while d < end {
        d += Duration::days(1);
        assumed |= !calendar.is_published(chrono::Datelike::year(&d));
        if counts(d) {
            used += 1;
        }
    }
    let open_stop = stops.iter().any(|s| s.1.is_none());
    // The due date: count the limit forward from acceptance over counted days; unknown
    // while a stop is open (its end decides it).
    let due = if open_stop && finished.is_none() {
        None
    } else {
        let mut d = start;
        let mut n = 0u32;
        let mut guard = 0;
        while n < total && guard < 20_000 {
            d += Duration::days(1);
            guard += 1;
            if counts(d) {
                n += 1;
            }
        }
        if limit.unit == DayUnit::Calendar {
            d = calendar.next_workday_from(d);
        }
        assumed |= !calendar.is_published(chrono::Datelike::year(&d));
        Some(d)
    };
    let remaining = total as i64 - used;
    let status = match finished {
        Some((on, true)) => {
            if due.is_some_and(|due| on > due) {
                ClockStatus::DoneLate
            } else {
                ClockStatus::Done
            }
        }
        Some((_, false)) => ClockStatus::Refused,
        None if open_stop => ClockStatus::Stopped,
        None => {
            let working_left = due
                .map(|due| calendar.working_days_between(today, due).value)
                .unwrap_or(i64::MAX);
            if due.is_some_and(|due| today > due) {
                ClockStatus::Overdue
            } else if working_left <= DUE_SOON_WORKING_DAYS {
                ClockStatus::DueSoon
            } else {
                ClockStatus::Running
            }
        }
    };
    Clock {
        used,
        remaining,
        due,
        running: finished.is_none() && !open_stop,
        stopped: finished.is_none() && open_stop,
        status,
        assumed,
        ..base
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::role::Role;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn wd(n: u32) -> TimeLimit {
        TimeLimit {
            days: n,
            unit: DayUnit::Working,
        }
    }

    fn accept(on: &str) -> ItemEvent {
        ItemEvent::Accept {
            on: d(on),
            missing: vec![],
            missing_due: None,
        }
    }

    #[test]
    fn the_clock_runs_on_working_days_over_national_day() {
        let cal = Calendar::builtin();
        // Accepted Wed 2026-09-30 with 5 working days: 8, 9, 10 (make-up Saturday), 12, 13 Oct.
        let events = [
            ItemEvent::Submit {
                on: d("2026-09-29"),
            },
            accept("2026-09-30"),
        ];
        let c = clock(&cal, wd(5), false, &events, d("2026-10-05"));
        assert_eq!(c.due, Some(d("2026-10-13")));
        assert_eq!(c.used, 0, "no working day has passed in the holiday");
        assert_eq!(c.status, ClockStatus::Running);
        let c = clock(&cal, wd(5), false, &events, d("2026-10-10"));
        assert_eq!(c.used, 3);
        assert_eq!(c.status, ClockStatus::DueSoon, "2 working days left");
        let c = clock(&cal, wd(5), false, &events, d("2026-10-14"));
        assert_eq!(c.status, ClockStatus::Overdue);
        assert_eq!(c.remaining, -1);
    }

    #[test]
    fn correction_stops_the_clock_until_resubmission() {
        let cal = Calendar::builtin();
        let mut events = vec![
            accept("2026-11-02"),
            ItemEvent::Return {
                on: d("2026-11-04"),
                reason: "缺少图纸".into(),
            },
        ];
        let c = clock(&cal, wd(5), false, &events, d("2026-11-20"));
        assert!(c.stopped && !c.running);
        assert_eq!(
            c.used, 2,
            "Tue 3 and Wed 4 Nov count; nothing after the return"
        );
        assert_eq!(c.due, None);
        assert_eq!(c.status, ClockStatus::Stopped);
        events.push(ItemEvent::Resubmit {
            on: d("2026-11-10"),
        });
        let c = clock(&cal, wd(5), false, &events, d("2026-11-10"));
        assert_eq!(c.used, 2);
        // 3 more working days after Tue 10 Nov: 11, 12, 13.
        assert_eq!(c.due, Some(d("2026-11-13")));
        let without_stop = clock(&cal, wd(5), false, &[accept("2026-11-02")], d("2026-11-10"));
        assert_eq!(without_stop.due, Some(d("2026-11-09")));
    }

    #[test]
    fn special_procedures_and_extensions_move_the_due_date() {
        let cal = Calendar::builtin();
        let events = vec![
            accept("2026-11-02"),
            ItemEvent::StartSpecial {
                on: d("2026-11-03"),
                procedure: SpecialProcedure::ExpertReview,
                note: "专家评审".into(),
            },
            ItemEvent::EndSpecial {
                on: d("2026-11-06"),
            },
            ItemEvent::Extend {
                on: d("2026-11-09"),
                days: 2,
                reason: "复杂".into(),
                approver: "局长".into(),
            },
        ];
        let c = clock(&cal, wd(5), false, &events, d("2026-11-09"));
        assert_eq!(c.limit, 7);
        // Counted: 3 Nov, then 9, 10, 11, 12, 13, 16 Nov.
        assert_eq!(c.due, Some(d("2026-11-16")));
    }

    #[test]
    fn calendar_day_limits_end_on_a_working_day() {
        let cal = Calendar::builtin();
        // 7 calendar days from Fri 25 Sep 2026 end on Fri 2 Oct, a holiday: due Thu 8 Oct.
        let c = clock(
            &cal,
            TimeLimit {
                days: 7,
                unit: DayUnit::Calendar,
            },
            false,
            &[accept("2026-09-25")],
            d("2026-09-28"),
        );
        assert_eq!(c.due, Some(d("2026-10-08")));
    }

    #[test]
    fn finished_items_are_done_or_late() {
        let cal = Calendar::builtin();
        let on_time = [
            accept("2026-11-02"),
            ItemEvent::Approve {
                on: d("2026-11-05"),
                verify_by: None,
            },
        ];
        assert_eq!(
            clock(&cal, wd(5), false, &on_time, d("2026-12-01")).status,
            ClockStatus::Done
        );
        let late = [
            accept("2026-11-02"),
            ItemEvent::Approve {
                on: d("2026-11-20"),
                verify_by: None,
            },
        ];
        let c = clock(&cal, wd(5), false, &late, d("2026-12-01"));
        assert_eq!(c.status, ClockStatus::DoneLate);
        assert_eq!(c.used, 14);
        assert_eq!(
            clock(&cal, wd(5), true, &[], d("2026-12-01")).status,
            ClockStatus::Waived
        );
    }

    #[test]
    fn transitions_follow_roles_and_states() {
        let none = Allowed::default();
        use ItemState as S;
        use Party::*;
        assert_eq!(
            next_state(
                S::NotStarted,
                &ItemEvent::Submit {
                    on: d("2026-11-02")
                },
                Applicant,
                none,
                None
            ),
            Ok(S::Submitted)
        );
        assert!(matches!(
            next_state(
                S::NotStarted,
                &ItemEvent::Submit {
                    on: d("2026-11-02")
                },
                Department,
                none,
                None
            ),
            Err(TransitionError::WrongParty { .. })
        ));
        assert!(matches!(
            next_state(S::NotStarted, &accept("2026-11-02"), Department, none, None),
            Err(TransitionError::WrongState { .. })
        ));
        let minor = ItemEvent::Accept {
            on: d("2026-11-03"),
            missing: vec!["施工合同".into()],
            missing_due: Some(d("2026-11-10")),
        };
        assert_eq!(
            next_state(S::Submitted, &minor, Department, none, None),
            Err(TransitionError::ModeNotAllowed("minor_missing"))
        );
        assert_eq!(
            next_state(
                S::Submitted,
                &minor,
                Department,
                Allowed {
                    minor_missing: true,
                    commitment: false,
                    verification_pending: false
                },
                None
            ),
            Ok(S::Accepted)
        );
        let commit = ItemEvent::Approve {
            on: d("2026-11-05"),
            verify_by: Some(d("2027-05-05")),
        };
        assert_eq!(
            next_state(S::Accepted, &commit, Department, none, None),
            Err(TransitionError::ModeNotAllowed("commitment"))
        );
        assert_eq!(
            next_state(
                S::Returned,
                &ItemEvent::Resubmit {
                    on: d("2026-11-06")
                },
                Applicant,
                none,
                None
            ),
            Ok(S::Accepted)
        );
        assert!(matches!(
            next_state(
                S::Accepted,
                &ItemEvent::Approve {
                    on: d("2026-11-01"),
                    verify_by: None
                },
                Department,
                none,
                Some(d("2026-11-02"))
            ),
            Err(TransitionError::BeforeLast { .. })
        ));
        assert_eq!(
            next_state(
                S::Accepted,
                &ItemEvent::Return {
                    on: d("2026-11-03"),
                    reason: " ".into()
                },
                Department,
                none,
                None
            ),
            Err(TransitionError::Missing { field: "reason" })
        );
        assert!(matches!(
            next_state(
                S::Approved,
                &ItemEvent::Refuse {
                    on: d("2026-11-03"),
                    reason: "x".into()
                },
                Department,
                none,
                None
            ),
            Err(TransitionError::WrongState { .. })
        ));
        assert_eq!(
            crate::core::policy::item_party(Role::Approval, false),
            None,
            "another department's officer cannot act"
        );
        assert_eq!(crate::core::policy::item_party(Role::Leader, true), None);
        assert_eq!(
            crate::core::policy::item_party(Role::Steward, false),
            Some(Party::Applicant)
        );
    }

    #[test]
    fn commitments_are_verified_later() {
        let cal = Calendar::builtin();
        let both = Allowed {
            minor_missing: false,
            commitment: true,
            verification_pending: false,
        };
        use ItemState as S;
        let approve = ItemEvent::Approve {
            on: d("2026-11-05"),
            verify_by: Some(d("2027-05-05")),
        };
        assert_eq!(
            next_state(S::Accepted, &approve, Party::Department, both, None),
            Ok(S::Approved)
        );
        let events = vec![accept("2026-11-02"), approve.clone()];
        assert_eq!(pending_verification(&events), Some(d("2027-05-05")));
        let c = clock(&cal, wd(5), false, &events, d("2027-05-06"));
        assert_eq!(c.status, ClockStatus::Done);
        assert!(c.verification_overdue);
        let verify = ItemEvent::Verify {
            on: d("2027-05-06"),
            met: false,
            note: "未按承诺补齐".into(),
        };
        assert!(
            matches!(
                next_state(S::Approved, &verify, Party::Department, both, None),
                Err(TransitionError::WrongState { .. })
            ),
            "nothing pending"
        );
        let pending = Allowed {
            verification_pending: true,
            ..both
        };
        assert_eq!(
            next_state(S::Approved, &verify, Party::Department, pending, None),
            Ok(S::Refused),
            "not met revokes"
        );
        let met = ItemEvent::Verify {
            on: d("2027-05-06"),
            met: true,
            note: String::new(),
        };
        assert_eq!(
            next_state(S::Approved, &met, Party::Department, pending, None),
            Ok(S::Approved)
        );
        assert!(matches!(
            next_state(S::Approved, &met, Party::Applicant, pending, None),
            Err(TransitionError::WrongParty { .. })
        ));
        let mut done = events.clone();
        done.push(verify);
        assert_eq!(pending_verification(&done), None);
        assert_eq!(
            clock(&cal, wd(5), false, &done, d("2027-05-07")).status,
            ClockStatus::Refused
        );
    }

    #[test]
    fn a_return_before_acceptance_waits_for_acceptance() {
        // Regression: submit → return → resubmit used to leave the item "accepted" with no
        // clock at all (no due date, never late) and a later accept refused.
        let cal = Calendar::builtin();
        let none = Allowed::default();
        use ItemState as S;
        use Party::*;
        let steps = [
            (
                ItemEvent::Submit {
                    on: d("2026-11-02"),
                },
                Applicant,
                S::Submitted,
            ),
            (
                ItemEvent::Return {
                    on: d("2026-11-03"),
                    reason: "材料不齐全".into(),
                },
                Department,
                S::Incomplete,
            ),
            (
                ItemEvent::Resubmit {
                    on: d("2026-11-05"),
                },
                Applicant,
                S::Submitted,
            ),
            (accept("2026-11-06"), Department, S::Accepted),
        ];
        let mut state = S::NotStarted;
        let mut events = Vec::new();
        for (event, party, expected) in steps {
            state =
                next_state(state, &event, party, none, events.last().map(ItemEvent::on)).unwrap();
            assert_eq!(state, expected, "after {}", event.name());
            events.push(event);
            let c = clock(&cal, wd(5), false, &events, d("2026-11-06"));
            match state {
                S::Incomplete => {
                    assert_eq!(c.status, ClockStatus::Incomplete);
                    assert!(!c.running && c.due.is_none());
                }
                S::Submitted => assert_eq!(c.status, ClockStatus::Waiting),
                _ => {}
            }
        }
        // The clock starts at acceptance on Fri 6 Nov: 9, 10, 11, 12, 13 Nov.
        let c = clock(&cal, wd(5), false, &events, d("2026-11-16"));
        assert!(c.running);
        assert_eq!(c.due, Some(d("2026-11-13")));
        assert_eq!(c.status, ClockStatus::Overdue, "it can be late");
        // A department may also refuse an application that never came back complete.
        assert_eq!(
            next_state(
                S::Incomplete,
                &ItemEvent::Refuse {
                    on: d("2026-11-20"),
                    reason: "逾期未补正".into()
                },
                Department,
                none,
                None
            ),
            Ok(S::Refused)
        );
        assert!(matches!(
            next_state(S::Incomplete, &accept("2026-11-20"), Department, none, None),
            Err(TransitionError::WrongState { .. })
        ));
    }

    /// Point 23 of issue 14: refusals read in the user's language ("'accept' is not possible
    /// while the item is accepted" reached Chinese users).
    #[test]
    fn refusals_read_in_both_languages() {
        let e = next_state(
            ItemState::Accepted,
            &accept("2026-11-02"),
            Party::Department,
            Allowed::default(),
            None,
        )
        .unwrap_err();
        assert_eq!(e.text().zh, "事项当前为“办理中”，不能“受理”");
        assert_eq!(
            e.text().en,
            "'accept' is not possible while the item is in progress"
        );
        let e = next_state(
            ItemState::NotStarted,
            &ItemEvent::Submit {
                on: d("2026-11-02"),
            },
            Party::Department,
            Allowed::default(),
            None,
        )
        .unwrap_err();
        assert_eq!(e.text().zh, "“申报”应由企业或其服务管家办理");
        assert_eq!(
            TransitionError::Missing { field: "reason" }.text().zh,
            "须填写“理由”"
        );
        assert!(
            !TransitionError::ModeNotAllowed("commitment")
                .text()
                .zh
                .contains("commitment")
        );
    }

    /// One random step: which event, who takes it, how many days after the last.
    fn arb_step() -> impl Strategy<Value = (u8, bool, i64, bool)> {
        (0u8..10, any::<bool>(), 0i64..6, any::<bool>())
    }

    fn event_of(kind: u8, on: NaiveDate, minor: bool) -> ItemEvent {
        match kind {
            0 => ItemEvent::Submit { on },
            1 => ItemEvent::Accept {
                on,
                missing: if minor { vec!["x".into()] } else { vec![] },
                missing_due: minor.then_some(on + Duration::days(5)),
            },
            2 => ItemEvent::Return {
                on,
                reason: "r".into(),
            },
            3 => ItemEvent::Resubmit { on },
            4 => ItemEvent::StartSpecial {
                on,
                procedure: SpecialProcedure::Hearing,
                note: "n".into(),
            },
            5 => ItemEvent::EndSpecial { on },
            6 => ItemEvent::Extend {
                on,
                days: 3,
                reason: "r".into(),
                approver: "a".into(),
            },
            7 => ItemEvent::Approve {
                on,
                verify_by: minor.then_some(on + Duration::days(90)),
            },
            8 => ItemEvent::Refuse {
                on,
                reason: "r".into(),
            },
            _ => ItemEvent::Verify {
                on,
                met: minor,
                note: "n".into(),
            },
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// Over any sequence of steps the rules allow, the state and the clock agree: an
        /// item accepted and not finished always has a running clock with a due date, or a
        /// stopped one; an item not (yet) accepted has none; a finished one is done.
        #[test]
        fn every_path_keeps_state_and_clock_together(
            steps in proptest::collection::vec(arb_step(), 1..40),
            modes in (any::<bool>(), any::<bool>()),
            later in 0i64..30,
        ) {
            let cal = Calendar::builtin();
            let mut state = ItemState::NotStarted;
            let mut events: Vec<ItemEvent> = Vec::new();
            let mut day = d("2026-09-21");
            for (kind, department, gap, flag) in steps {
                day += Duration::days(gap);
                let event = event_of(kind, day, flag);
                let party = if department { Party::Department } else { Party::Applicant };
                let allowed = Allowed {
                    minor_missing: modes.0,
                    commitment: modes.1,
                    verification_pending: pending_verification(&events).is_some(),
                };
                let Ok(next) = next_state(state, &event, party, allowed, events.last().map(ItemEvent::on)) else {
                    continue;
                };
                state = next;
                events.push(event);
                let today = day + Duration::days(later);
                let c = clock(&cal, wd(7), false, &events, today);
                let accepted = events.iter().any(|e| matches!(e, ItemEvent::Accept { .. }));
                match state {
                    ItemState::Accepted => {
                        prop_assert!(accepted, "accepted without an acceptance: {:?}", events);
                        prop_assert!(c.running && !c.stopped && c.due.is_some(), "{:?} {:?}", c, events);
                        prop_assert!(matches!(c.status, ClockStatus::Running | ClockStatus::DueSoon | ClockStatus::Overdue));
                    }
                    ItemState::Returned | ItemState::Special => {
                        prop_assert!(accepted);
                        prop_assert!(c.stopped && !c.running, "{:?} {:?}", c, events);
                        prop_assert_eq!(c.status, ClockStatus::Stopped);
                    }
                    ItemState::Submitted => {
                        prop_assert!(!accepted && !c.running && c.due.is_none());
                        prop_assert_eq!(c.status, ClockStatus::Waiting);
                    }
                    ItemState::Incomplete => {
                        prop_assert!(!accepted && !c.running && c.due.is_none());
                        prop_assert_eq!(c.status, ClockStatus::Incomplete);
                    }
                    ItemState::Approved => {
                        prop_assert!(!c.running && !c.stopped);
                        prop_assert!(matches!(c.status, ClockStatus::Done | ClockStatus::DoneLate), "{:?}", c);
                    }
                    ItemState::Refused => {
                        prop_assert!(!c.running && !c.stopped);
                        prop_assert_eq!(c.status, ClockStatus::Refused);
                    }
                    ItemState::NotStarted | ItemState::Waived => {
                        prop_assert_eq!(c.status, ClockStatus::NotStarted);
                    }
                }
            }
        }
    }

    proptest! {
        #[test]
        fn a_stop_never_makes_the_due_date_earlier(accept_day in 0i64..600, stop_after in 0i64..10, stop_len in 0i64..30, limit in 1u32..40) {
            let cal = Calendar::builtin();
            let a = d("2024-01-01") + Duration::days(accept_day);
            let plain = clock(&cal, wd(limit), false, &[accept(&a.to_string())], a).due.unwrap();
            let stopped = vec![
                accept(&a.to_string()),
                ItemEvent::Return { on: a + Duration::days(stop_after), reason: "r".into() },
                ItemEvent::Resubmit { on: a + Duration::days(stop_after + stop_len) },
            ];
            let due = clock(&cal, wd(limit), false, &stopped, a).due.unwrap();
            prop_assert!(due >= plain);
            prop_assert!(cal.is_workday(due));
        }
    }
}
