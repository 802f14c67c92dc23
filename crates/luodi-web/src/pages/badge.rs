//! The CSS class of each status's badge (the stylesheet's `done`, `running`, `due`,
//! `overdue`, `stopped`, `not-started`): how a status looks is the pages' business, not
//! the rules'.

use luodi_domain::approvals::service_item::ClockStatus as ItemStatus;
use luodi_domain::stewardship::blocker::ClockStatus as BlockerClockStatus;

/// A service item's clock.
pub fn item(status: ItemStatus) -> &'static str {
    match status {
        ItemStatus::Done | ItemStatus::Waived => "done",
        ItemStatus::Running | ItemStatus::Waiting => "running",
        ItemStatus::DueSoon => "due",
        ItemStatus::Overdue | ItemStatus::DoneLate | ItemStatus::Refused => "overdue",
        ItemStatus::Stopped | ItemStatus::Incomplete => "stopped",
        ItemStatus::NotStarted => "not-started",
    }
}

/// A blocker's clock. Waiting on the enterprise is no fault of the department's: grey.
pub fn blocker(status: BlockerClockStatus) -> &'static str {
    match status {
        BlockerClockStatus::Running => "running",
        BlockerClockStatus::DueSoon => "due",
        BlockerClockStatus::Paused | BlockerClockStatus::Cancelled => "not-started",
        BlockerClockStatus::Missed | BlockerClockStatus::MetLate => "overdue",
        BlockerClockStatus::Met => "done",
    }
}
