//! 权限 — the one permission policy. Every operation a user can ask of Luodi is listed
//! here with, for each role, whether it may and over what reach: its own account, its own
//! enterprise, its own department, its own zone, or the province (every zone, for a user of
//! no zone). Nothing else in the code compares roles: the use cases and the adapters ask
//! [`Operation::reach`] (or [`Caller::scope_for`]), and the parts a role plays in the
//! service-item and blocker workflows are decided here too ([`item_party`],
//! [`blocker_party`]).
//!
//! The policy lists itself ([`Operation::ALL`], [`markdown`]); `docs/permissions.md` is
//! generated from it and a test keeps the two the same.

use crate::approvals::service_item::Party as ItemParty;
use crate::core::ids::{DepartmentId, EnterpriseId, ZoneId};
use crate::core::role::Role;
use crate::core::scope::Scope;
use crate::stewardship::blocker::Party as BlockerParty;

/// How far an operation reaches for a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reach {
    /// The user's own account: their password, tokens, language, inbox.
    OwnAccount,
    /// The rows of the user's own enterprise.
    OwnEnterprise,
    /// The work of the user's own department in their zone.
    OwnDepartment,
    /// Everything of the user's zone.
    OwnZone,
    /// The user's zone, or every zone for a province-level user (one of no zone).
    Province,
}

impl Reach {
    pub fn as_str(self) -> &'static str {
        match self {
            Reach::OwnAccount => "own account",
            Reach::OwnEnterprise => "own enterprise",
            Reach::OwnDepartment => "own department",
            Reach::OwnZone => "own zone",
            Reach::Province => "province",
        }
    }

    /// Whether a user of no zone may use this reach (a province-level leader reads every
    /// zone; every other reach needs a zone, or an account).
    fn without_zone(self) -> bool {
        matches!(self, Reach::OwnAccount | Reach::Province)
    }
}

macro_rules! operations {
    ($( $(#[doc = $doc:literal])* $op:ident = $name:literal, $writes:literal, $what:literal; )*) => {
        /// Everything a user can ask of Luodi, each with its reach per role
        /// ([`Operation::reach`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Operation {
            $( $(#[doc = $doc])* $op, )*
        }

        impl Operation {
            pub const ALL: &'static [Operation] = &[$(Operation::$op),*];

            /// The operation's name in the permission table.
            pub fn name(self) -> &'static str {
                match self { $(Operation::$op => $name,)* }
            }

            /// Whether it changes anything (and so is audited).
            pub fn writes(self) -> bool {
                match self { $(Operation::$op => $writes,)* }
            }

            /// What it is, in a line.
            pub fn what(self) -> &'static str {
                match self { $(Operation::$op => $what,)* }
            }
        }
    };
}

operations! {
    ViewZones = "view_zones", false, "the zones the user sees, and who they are (`/api/v1/zones`, `/api/v1/me`)";
    ManageOwnAccount = "manage_own_account", true, "change one's password and language, make and revoke one's API tokens, read one's inbox";
    ManageUsers = "manage_users", true, "add users and reset their passwords (CLI)";
    ViewAudit = "view_audit", false, "read the audit trail";
    ViewCalendar = "view_calendar", false, "the working-day calendar: days, and working days added";
    ViewEnterprises = "view_enterprises", false, "list, search, export and read enterprises";
    CreateEnterprise = "create_enterprise", true, "register an enterprise";
    EditEnterprise = "edit_enterprise", true, "change an enterprise's details";
    /// The unified social credit code identifies an enterprise: only the zone changes it.
    ChangeEnterpriseCode = "change_enterprise_code", true, "change an enterprise's unified social credit code";
    ViewParcels = "view_parcels", false, "list, read, export and map the zone's parcels";
    MatchParcels = "match_parcels", false, "rank the zone's parcels for land needs";
    ManageParcels = "manage_parcels", true, "import parcels, reserve and release them, record a phase's land needs";
    SetMatchWeights = "set_match_weights", true, "set the weights the zone's matcher scores with";
    ViewCatalogue = "view_catalogue", false, "read and export the service catalogue and its versions";
    ManageCatalogue = "manage_catalogue", true, "import a new version of the service catalogue";
    ViewProjects = "view_projects", false, "list and read projects, their phases, service lists, notices and timelines";
    CreateProject = "create_project", true, "record a project with its phases";
    EditProject = "edit_project", true, "change a project's details, its phases' names and conditions, and add phases";
    HandOverLand = "hand_over_land", true, "record a phase's land handover, which makes its service list";
    /// Who may take which step is the item's workflow's (by [`item_party`]).
    TakeItemStep = "take_item_step", true, "take a step of a service item (submit, accept, decide …)";
    ViewDepartmentQueue = "view_department_queue", false, "a department's queue of items";
    ViewLateness = "view_lateness", false, "late and nearly late items by department";
    ViewForecast = "view_forecast", false, "a phase's forecast, its what-if and Gantt chart";
    ViewPortfolio = "view_portfolio", false, "every active phase's forecast, ranked";
    MovePhase = "move_phase", true, "move a phase along its lifecycle";
    SetLifecyclePolicy = "set_lifecycle_policy", true, "allow or forbid construction start on commitment";
    AssignSteward = "assign_steward", true, "assign or hand on a project's steward";
    /// An enterprise sees the zone's staff as one party, without names.
    SeeStaffNames = "see_staff_names", false, "see which member of staff did what in a timeline";
    ViewBlockers = "view_blockers", false, "list and read blockers with their clocks";
    RaiseBlocker = "raise_blocker", true, "raise a blocker";
    /// Which actions a user may take is the blocker's workflow's (by [`blocker_party`]).
    ActOnBlocker = "act_on_blocker", true, "act on a blocker (acknowledge, answer, confirm …)";
    ViewBlockerSla = "view_blocker_sla", false, "read the zone's blocker time limits and escalation ladder";
    SetBlockerSla = "set_blocker_sla", true, "set the zone's blocker time limits and escalation ladder";
    ViewBoard = "view_board", false, "the steward's board";
    ManageOutbound = "manage_outbound", true, "email and webhook settings, deliveries and their retry";
    ViewLeadership = "view_leadership", false, "the leadership view: stages, blockers by department and age, on-time shares";
    ViewStatistics = "view_statistics", false, "read and export enterprises' statistics by period, with their versions";
    /// An enterprise enters its own figures on its portal.
    EnterStatistics = "enter_statistics", true, "import or enter enterprises' statistics (a correction is a new version)";
    CloseStatisticsPeriod = "close_statistics_period", true, "close a statistics period (changes then need a reason), or open it again";
    ViewCluster = "view_cluster", false, "the cluster dashboard: figures by year, targets with the growth still needed, the pipeline's projection";
    ManageCluster = "manage_cluster", true, "set the cluster's classes, ramp, per-mu (mu jun) scheme, declared and city figures, and its targets";
    /// An enterprise reads its own class and breakdown.
    ViewMuEvaluation = "view_mu_evaluation", false, "the per-mu (mu jun) evaluation of a year, each enterprise's class with its breakdown";
    /// An enterprise reads its own checks.
    ViewCompletionChecks = "view_completion_checks", false, "post-completion checks with their verdicts";
    RunCompletionChecks = "run_completion_checks", true, "run the post-completion checks now, and record an accepted explanation of a failed one";
}

impl Operation {
    /// How far `role` reaches with this operation; `None`: it may not.
    pub fn reach(self, role: Role) -> Option<Reach> {
        use Operation::*;
        use Reach::*;
        use Role::*;
        let staff = !matches!(role, Enterprise);
        // What every role reads: the staff their zone, a leader the province, an
        // enterprise its own.
        let read = match role {
            Enterprise => OwnEnterprise,
            Leader => Province,
            _ => OwnZone,
        };
        let zone_if = |yes: bool| yes.then_some(OwnZone);
        match self {
            ViewZones => Some(if role == Leader { Province } else { OwnZone }),
            ManageOwnAccount => Some(OwnAccount),
            ManageUsers => zone_if(role == Admin),
            ViewAudit => match role {
                Admin => Some(OwnZone),
                Leader => Some(Province),
                _ => None,
            },
            ViewCalendar => Some(Province),
            ViewEnterprises | ViewProjects | ViewForecast | ViewPortfolio | ViewBlockers => {
                Some(read)
            }
            CreateEnterprise => zone_if(matches!(role, Admin | Investment | Landing)),
            EditEnterprise => match role {
                Admin | Investment | Landing | Steward => Some(OwnZone),
                Enterprise => Some(OwnEnterprise),
                _ => None,
            },
            ChangeEnterpriseCode => zone_if(matches!(role, Admin | Investment | Landing | Steward)),
            ViewParcels | MatchParcels | ViewLateness | ViewBoard | ViewLeadership => {
                zone_if(staff)
            }
            ManageParcels | AssignSteward | CreateProject => {
                zone_if(matches!(role, Admin | Landing | Investment))
            }
            SetMatchWeights | HandOverLand => zone_if(matches!(role, Admin | Landing)),
            ViewCatalogue | ViewBlockerSla => Some(OwnZone),
            ManageCatalogue | SetLifecyclePolicy | SetBlockerSla | ManageOutbound => {
                zone_if(role == Admin)
            }
            TakeItemStep => match role {
                Enterprise => Some(OwnEnterprise),
                Approval => Some(OwnDepartment),
                Admin | Steward => Some(OwnZone),
                _ => None,
            },
            ViewDepartmentQueue => zone_if(staff),
            MovePhase | EditProject => {
                zone_if(matches!(role, Admin | Landing | Investment | Steward))
            }
            SeeStaffNames => zone_if(staff),
            RaiseBlocker => match role {
                Admin | Investment | Landing | Steward => Some(OwnZone),
                Enterprise => Some(OwnEnterprise),
                _ => None,
            },
            ActOnBlocker => Some(read),
            ViewStatistics | ViewMuEvaluation | ViewCompletionChecks => match role {
                Approval => None,
                _ => Some(read),
            },
            EnterStatistics => match role {
                Admin | Investment => Some(OwnZone),
                Enterprise => Some(OwnEnterprise),
                _ => None,
            },
            CloseStatisticsPeriod | ManageCluster => zone_if(role == Admin),
            ViewCluster => match role {
                Leader => Some(Province),
                Enterprise | Approval => None,
                _ => Some(OwnZone),
            },
            RunCompletionChecks => zone_if(matches!(role, Admin | Landing)),
        }
    }

    /// Whether `role` may do this at all.
    pub fn allows(self, role: Role) -> bool {
        self.reach(role).is_some()
    }
}

/// Who is asking: what the policy needs of a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub role: Role,
    pub zone: Option<ZoneId>,
    pub enterprise: Option<EnterpriseId>,
    pub department: Option<DepartmentId>,
}

/// Why the policy refuses an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{role} may not {}", .operation.name())]
pub struct Denied {
    pub operation: Operation,
    pub role: Role,
}

impl Caller {
    /// The reach this caller has for `op`, or why not: the role may not, or the reach
    /// needs a zone (or department) the user does not have.
    pub fn reach(&self, op: Operation) -> Result<Reach, Denied> {
        let denied = Denied {
            operation: op,
            role: self.role,
        };
        let reach = op.reach(self.role).ok_or(denied)?;
        if self.zone.is_none() && !reach.without_zone() {
            return Err(denied);
        }
        if reach == Reach::OwnDepartment && self.department.is_none() {
            return Err(denied);
        }
        Ok(reach)
    }

    /// What the caller sees when doing `op`: their zone (every zone for a province-level
    /// user), and for an enterprise user only their enterprise.
    pub fn scope_for(&self, op: Operation) -> Result<Scope, Denied> {
        let reach = self.reach(op)?;
        Ok(Scope {
            zone: self.zone,
            enterprise: (reach == Reach::OwnEnterprise)
                // An enterprise user without an enterprise sees nothing: id 0 never exists.
                .then(|| self.enterprise.unwrap_or(EnterpriseId(0))),
        })
    }

    /// What the caller reads wherever an operation's reach is not asked: their zone (every
    /// zone for a province-level user), and for a user whose reads reach only their own
    /// enterprise, that enterprise.
    pub fn read_scope(&self) -> Scope {
        let own = own_enterprise_only(self.role);
        Scope {
            zone: self.zone,
            enterprise: own.then(|| self.enterprise.unwrap_or(EnterpriseId(0))),
        }
    }

    /// The zone `op` acts in: refused to a user without one.
    pub fn zone_for(&self, op: Operation) -> Result<ZoneId, Denied> {
        self.reach(op)?;
        self.zone.ok_or(Denied {
            operation: op,
            role: self.role,
        })
    }
}

/// The part a user plays on a service item: the enterprise and the steward apply; an
/// approval officer of the item's own department, or an administrator, decides.
pub fn item_party(role: Role, in_item_department: bool) -> Option<ItemParty> {
    match role {
        Role::Enterprise | Role::Steward => Some(ItemParty::Applicant),
        Role::Approval if in_item_department => Some(ItemParty::Department),
        Role::Admin => Some(ItemParty::Department),
        _ => None,
    }
}

/// The part a user plays on blockers: enterprises for themselves, approval officers for
/// their department, leaders and administrators for the zone, the other zone staff as
/// stewards.
pub fn blocker_party(role: Role) -> BlockerParty {
    match role {
        Role::Enterprise => BlockerParty::Enterprise,
        Role::Approval => BlockerParty::Department,
        Role::Leader | Role::Admin => BlockerParty::Leader,
        Role::Steward | Role::Investment | Role::Landing => BlockerParty::Steward,
    }
}

/// Whether a user of `role` reads and writes a blocker's internal notes (and their files):
/// everyone on the zone's side, never an enterprise.
pub fn reads_internal_notes(role: Role) -> bool {
    blocker_party(role) != BlockerParty::Enterprise
}

/// Whether what a user of `role` reads is only their own enterprise's (an enterprise
/// user): their pages speak of "my enterprise".
pub fn own_enterprise_only(role: Role) -> bool {
    Operation::ViewProjects.reach(role) == Some(Reach::OwnEnterprise)
}

/// Whether a user of `role` decides service items for their department (an approval
/// officer): their home has the department's queue.
pub fn decides_for_department(role: Role) -> bool {
    Operation::TakeItemStep.reach(role) == Some(Reach::OwnDepartment)
}

/// A part of a home page's work queue: what a role's home shows first, each a count that
/// links to its filtered list and the items themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// A steward's projects that need them (overdue items, missed clocks, late forecasts).
    StewardProjects,
    /// Items overdue on the steward's projects.
    StewardOverdue,
    /// Items due next on the steward's projects.
    StewardDueNext,
    /// The open blockers of the steward's projects, the worst clock first.
    StewardBlockers,
    /// The department's items overdue, due today and due this week.
    DepartmentOverdue,
    DepartmentDueToday,
    DepartmentDueThisWeek,
    /// The department's items submitted and waiting to be accepted (受理), which have no
    /// due date until they are.
    DepartmentToAccept,
    /// Blockers waiting on the department's answer.
    DepartmentBlockers,
    /// Open blockers assigned to the user by name.
    AssignedToMe,
    /// Signed phases with no parcel reserved.
    PhasesWaitingForLand,
    /// Phases with a parcel reserved, not handed over.
    ReservationsWaitingForHandover,
    /// Phases not handed over whose conditions are still to be confirmed.
    ConditionsToConfirm,
    /// The enterprise's items to submit (not started) and returned for correction.
    EnterpriseToSubmit,
    EnterpriseReturned,
    /// The enterprise's blockers waiting for its confirmation or its information.
    EnterpriseBlockers,
    /// The enterprise's phases and when they are forecast to start building.
    EnterpriseForecasts,
    /// Blockers whose clock is missed, by department (the leadership's red figures).
    MissedBlockers,
    /// Phases forecast to start after their target.
    LatePhases,
    /// Phases whose forecast start moved since a week before (what changed this week).
    ChangedThisWeek,
    /// Deliveries (email, webhooks) that failed.
    FailedDeliveries,
    /// Next year's working-day calendar, when it is not published yet.
    CalendarNextYear,
    /// Users locked out by wrong passwords.
    LockedUsers,
    /// Enterprises whose statistics of last year are incomplete (some months missing).
    StatisticsIncomplete,
    /// Post-completion checks (达产复核) failed and not explained.
    FailedCompletionChecks,
}

/// What the home of a user of `role` shows, in order.
pub fn home_work(role: Role) -> &'static [Work] {
    use Work::*;
    match role {
        Role::Steward => &[
            StewardProjects,
            StewardOverdue,
            StewardDueNext,
            StewardBlockers,
            FailedCompletionChecks,
        ],
        Role::Approval => &[
            DepartmentOverdue,
            DepartmentDueToday,
            DepartmentDueThisWeek,
            DepartmentToAccept,
            DepartmentBlockers,
            AssignedToMe,
        ],
        Role::Landing => &[
            PhasesWaitingForLand,
            ReservationsWaitingForHandover,
            ConditionsToConfirm,
            FailedCompletionChecks,
        ],
        Role::Investment => &[
            ConditionsToConfirm,
            PhasesWaitingForLand,
            StatisticsIncomplete,
            FailedCompletionChecks,
        ],
        Role::Leader => &[
            MissedBlockers,
            LatePhases,
            ChangedThisWeek,
            FailedCompletionChecks,
        ],
        Role::Enterprise => &[
            EnterpriseToSubmit,
            EnterpriseReturned,
            EnterpriseBlockers,
            EnterpriseForecasts,
        ],
        Role::Admin => &[
            FailedDeliveries,
            CalendarNextYear,
            LockedUsers,
            MissedBlockers,
            StatisticsIncomplete,
            FailedCompletionChecks,
        ],
    }
}

/// Whether a user of `role` is a project steward (项目服务管家), who can be assigned
/// projects and whose board opens on their own.
pub fn is_steward(role: Role) -> bool {
    role == Role::Steward
}

/// Whether a user of `role` must name a department (approval officers decide for one).
pub fn needs_department(role: Role) -> bool {
    role == Role::Approval
}

/// Whether a user of `role` must name an enterprise (an enterprise user acts for one).
pub fn needs_enterprise(role: Role) -> bool {
    role == Role::Enterprise
}

/// Whether a user of `role` may belong to no zone (a province-level leader).
pub fn may_span_zones(role: Role) -> bool {
    role == Role::Leader
}

/// The permission table, operation by role, as Markdown (`docs/permissions.md`).
pub fn markdown() -> String {
    let mut out = String::from(
        "# Permissions\n\n\
         Generated from the one permission policy, `crates/luodi-domain/src/core/policy.rs`\n\
         (a test fails when this file and the policy differ; `LUODI_BLESS=1 cargo test -p\n\
         luodi-domain policy` writes it anew). Each cell is how far a role reaches with the\n\
         operation; a dash: it may not.\n\n\
         - **own account**: the user's password, tokens, language and inbox\n\
         - **own enterprise**: the rows of the user's enterprise only\n\
         - **own department**: the work of the user's department in their zone\n\
         - **own zone**: everything of the user's zone\n\
         - **province**: the user's zone, or every zone for a user of no zone (a\n  \
         province-level leader)\n\n\
         A user without a zone reaches only with *own account* and *province*. Who may take\n\
         which step of a service item, and which action on a blocker, is then decided by\n\
         the part the user plays (`item_party`, `blocker_party` in the same file) and by the\n\
         workflow's state.\n\n",
    );
    out.push_str("| operation | writes | what |");
    for r in Role::ALL {
        out.push_str(&format!(" {} |", r.as_str()));
    }
    out.push_str("\n| --- | --- | --- |");
    for _ in Role::ALL {
        out.push_str(" --- |");
    }
    out.push('\n');
    for op in Operation::ALL {
        out.push_str(&format!(
            "| `{}` | {} | {} |",
            op.name(),
            if op.writes() { "yes" } else { "no" },
            op.what()
        ));
        for r in Role::ALL {
            let cell = op.reach(r).map_or("–", Reach::as_str);
            out.push_str(&format!(" {cell} |"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_every_operation_is_listed() {
        let mut names: Vec<&str> = Operation::ALL.iter().map(|o| o.name()).collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n, "operation names repeat");
    }

    #[test]
    fn the_enterprise_reaches_only_its_own() {
        for op in Operation::ALL {
            if let Some(r) = op.reach(Role::Enterprise) {
                // Beyond its own, an enterprise reaches only shared reference data (the
                // catalogue, the calendar, the blocker limits), and only to read it.
                if !matches!(r, Reach::OwnEnterprise | Reach::OwnAccount) {
                    assert!(!op.writes(), "{} writes beyond the enterprise", op.name());
                }
            }
        }
    }

    /// Moved from `role.rs` with its assertions (regression: a leader could raise
    /// blockers).
    #[test]
    fn leader_reads_only() {
        use Operation::*;
        let former_actions = [
            ViewEnterprises,
            CreateEnterprise,
            EditEnterprise,
            ManageUsers,
            ViewAudit,
            ManageCatalogue,
            HandOverLand,
            ViewParcels,
            ManageParcels,
            SetMatchWeights,
            RaiseBlocker,
            SetBlockerSla,
            MovePhase,
            SetLifecyclePolicy,
            ManageOutbound,
            AssignSteward,
            CreateProject,
        ];
        for action in former_actions.into_iter().filter(|a| a.writes()) {
            assert!(!action.allows(Role::Leader), "a leader may not {action:?}");
        }
        assert!(ViewEnterprises.allows(Role::Leader));
        assert!(!CreateEnterprise.allows(Role::Leader));
        assert!(!EditEnterprise.allows(Role::Leader));
        assert!(!ManageUsers.allows(Role::Leader));
    }

    #[test]
    fn the_leader_reads_only() {
        for op in Operation::ALL {
            if op.writes() && *op != Operation::ManageOwnAccount {
                assert!(
                    !op.allows(Role::Leader) || *op == Operation::ActOnBlocker,
                    "a leader may {}",
                    op.name()
                );
            }
        }
    }

    #[test]
    fn a_user_of_no_zone_reaches_only_the_province() {
        let leader = Caller {
            role: Role::Leader,
            zone: None,
            enterprise: None,
            department: None,
        };
        assert_eq!(
            leader.scope_for(Operation::ViewProjects),
            Ok(Scope {
                zone: None,
                enterprise: None
            })
        );
        assert!(leader.scope_for(Operation::ViewLeadership).is_err());
        assert!(leader.zone_for(Operation::ViewParcels).is_err());
    }

    #[test]
    fn an_enterprise_user_is_scoped_to_its_enterprise() {
        let e = Caller {
            role: Role::Enterprise,
            zone: Some(ZoneId(1)),
            enterprise: Some(EnterpriseId(7)),
            department: None,
        };
        assert_eq!(
            e.scope_for(Operation::ViewProjects).unwrap().enterprise,
            Some(EnterpriseId(7))
        );
        assert!(e.scope_for(Operation::ViewParcels).is_err());
        assert!(e.reach(Operation::ChangeEnterpriseCode).is_err());
        let lost = Caller {
            enterprise: None,
            ..e
        };
        assert_eq!(
            lost.scope_for(Operation::ViewEnterprises)
                .unwrap()
                .enterprise,
            Some(EnterpriseId(0)),
            "an enterprise user without an enterprise sees nothing"
        );
    }

    #[test]
    fn deciding_for_a_department_needs_a_department() {
        let officer = Caller {
            role: Role::Approval,
            zone: Some(ZoneId(1)),
            enterprise: None,
            department: None,
        };
        assert!(officer.reach(Operation::TakeItemStep).is_err());
        let officer = Caller {
            department: Some(DepartmentId(3)),
            ..officer
        };
        assert_eq!(
            officer.reach(Operation::TakeItemStep),
            Ok(Reach::OwnDepartment)
        );
    }

    /// `docs/permissions.md` is the policy's own table.
    #[test]
    fn the_permission_table_is_generated_from_the_policy() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/permissions.md");
        let table = markdown();
        if std::env::var_os("LUODI_BLESS").is_some() {
            std::fs::write(path, &table).unwrap();
        }
        let written = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            written == table,
            "docs/permissions.md differs from the policy: run `LUODI_BLESS=1 cargo test -p luodi-domain policy`"
        );
    }
}
