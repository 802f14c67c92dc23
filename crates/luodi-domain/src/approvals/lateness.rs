//! How an open item counts for its department's lateness, which leadership watches: late
//! (its clock has run out, or a commitment's verification is past its date), nearly late,
//! or on time.

use crate::approvals::service_item::{Clock, ClockStatus, ItemState};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lateness {
    Overdue,
    DueSoon,
    OnTime,
}

/// Whether an item is still open for its department: not approved, or approved on a
/// commitment that is not verified yet.
pub fn is_open(state: ItemState, clock: &Clock) -> bool {
    state != ItemState::Approved || clock.verification_due.is_some()
}

/// How an open item counts.
pub fn lateness(clock: &Clock) -> Lateness {
    if clock.status == ClockStatus::Overdue || clock.verification_overdue {
        Lateness::Overdue
    } else if clock.status == ClockStatus::DueSoon {
        Lateness::DueSoon
    } else {
        Lateness::OnTime
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::approvals::catalogue::DayUnit;

    fn clock(status: ClockStatus, verification_due: bool, verification_overdue: bool) -> Clock {
        Clock {
            limit: 20,
            unit: DayUnit::Working,
            used: 0,
            remaining: 20,
            due: None,
            running: false,
            stopped: false,
            status,
            assumed: false,
            verification_due: verification_due
                .then(|| chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
            verification_overdue,
        }
    }

    #[test]
    fn late_nearly_late_and_on_time() {
        assert_eq!(
            lateness(&clock(ClockStatus::Overdue, false, false)),
            Lateness::Overdue
        );
        assert_eq!(
            lateness(&clock(ClockStatus::DueSoon, false, false)),
            Lateness::DueSoon
        );
        assert_eq!(
            lateness(&clock(ClockStatus::Running, false, false)),
            Lateness::OnTime
        );
        // A commitment not verified by its date is late whatever the clock says.
        assert_eq!(
            lateness(&clock(ClockStatus::Done, true, true)),
            Lateness::Overdue
        );
        assert_eq!(
            lateness(&clock(ClockStatus::Done, true, false)),
            Lateness::OnTime
        );
    }

    #[test]
    fn approved_items_are_open_only_while_a_commitment_awaits_verification() {
        let plain = clock(ClockStatus::Done, false, false);
        let committed = clock(ClockStatus::Done, true, false);
        assert!(!is_open(ItemState::Approved, &plain));
        assert!(is_open(ItemState::Approved, &committed));
        assert!(is_open(ItemState::Accepted, &plain));
    }
}
