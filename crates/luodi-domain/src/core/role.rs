//! Roles and what each may do. The web layer and the CLI ask [`Role::may`]; nothing
//! else decides a permission.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::core::lang::Text;

/// Who a user is in the zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员 — administrator of one zone.
    Admin,
    /// 招商专员 — investment promotion officer.
    Investment,
    /// 落地办 — landing office.
    Landing,
    /// 审批人员 — approval officer of one department.
    Approval,
    /// 项目服务管家 — project service steward.
    Steward,
    /// 领导 — zone (or province) leadership; reads everything, writes nothing.
    Leader,
    /// 企业用户 — a user of one enterprise.
    Enterprise,
}

/// Something a user may want to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ViewEnterprises,
    CreateEnterprise,
    EditEnterprise,
    ManageUsers,
    ViewAudit,
    /// Import a new version of the zone's service catalogue.
    ManageCatalogue,
    /// Hand a project phase its land (which makes its service list).
    HandOverLand,
    /// See the zone's parcels and match projects to them.
    ViewParcels,
    /// Import parcels, reserve and release them.
    ManageParcels,
    /// Set the weights the zone's matcher scores parcels with.
    SetMatchWeights,
    /// Raise a blocker on a project (the enterprise on its own).
    RaiseBlocker,
    /// Set the zone's blocker limits and escalation ladder.
    SetBlockerSla,
    /// Move a project phase to a later stage by hand.
    MovePhase,
    /// Set the zone's lifecycle policy (start on commitment).
    SetLifecyclePolicy,
    /// Set where the zone's notifications go out (email, webhooks) and see their deliveries.
    ManageOutbound,
    /// Assign a project's steward, or hand it to another.
    AssignSteward,
    /// Record a new project (a lead or a signed one) with its phases.
    CreateProject,
}

impl Action {
    /// Every action, for checks that walk them all.
    pub const ALL: [Action; 17] = [
        Action::ViewEnterprises,
        Action::CreateEnterprise,
        Action::EditEnterprise,
        Action::ManageUsers,
        Action::ViewAudit,
        Action::ManageCatalogue,
        Action::HandOverLand,
        Action::ViewParcels,
        Action::ManageParcels,
        Action::SetMatchWeights,
        Action::RaiseBlocker,
        Action::SetBlockerSla,
        Action::MovePhase,
        Action::SetLifecyclePolicy,
        Action::ManageOutbound,
        Action::AssignSteward,
        Action::CreateProject,
    ];

    /// Whether the action changes anything.
    pub fn writes(self) -> bool {
        !matches!(
            self,
            Action::ViewEnterprises | Action::ViewAudit | Action::ViewParcels
        )
    }
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Investment,
        Role::Landing,
        Role::Approval,
        Role::Steward,
        Role::Leader,
        Role::Enterprise,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Investment => "investment",
            Role::Landing => "landing",
            Role::Approval => "approval",
            Role::Steward => "steward",
            Role::Leader => "leader",
            Role::Enterprise => "enterprise",
        }
    }

    pub fn label(self) -> Text {
        match self {
            Role::Admin => Text::new("系统管理员", "Administrator"),
            Role::Investment => Text::new("招商专员", "Investment officer"),
            Role::Landing => Text::new("落地办", "Landing office"),
            Role::Approval => Text::new("审批人员", "Approval officer"),
            Role::Steward => Text::new("项目服务管家", "Project steward"),
            Role::Leader => Text::new("领导", "Leadership"),
            Role::Enterprise => Text::new("企业用户", "Enterprise user"),
        }
    }

    /// Whether this role may take the action at all. Which enterprise an enterprise user
    /// may touch is decided by the scope ([`crate::core::scope::Scope`]), not here.
    pub fn may(self, action: Action) -> bool {
        use Action::*;
        use Role::*;
        match action {
            ViewEnterprises => true,
            CreateEnterprise => matches!(self, Admin | Investment | Landing),
            EditEnterprise => matches!(self, Admin | Investment | Landing | Steward | Enterprise),
            ManageUsers => matches!(self, Admin),
            ViewAudit => matches!(self, Admin | Leader),
            ManageCatalogue => matches!(self, Admin),
            HandOverLand => matches!(self, Admin | Landing),
            ViewParcels => !matches!(self, Enterprise),
            ManageParcels => matches!(self, Admin | Landing | Investment),
            SetMatchWeights => matches!(self, Admin | Landing),
            // Leaders read only; an approval officer answers blockers, never raises them.
            RaiseBlocker => matches!(self, Admin | Investment | Landing | Steward | Enterprise),
            SetBlockerSla => matches!(self, Admin),
            MovePhase => matches!(self, Admin | Landing | Investment | Steward),
            SetLifecyclePolicy => matches!(self, Admin),
            ManageOutbound => matches!(self, Admin),
            AssignSteward => matches!(self, Admin | Landing | Investment),
            CreateProject => matches!(self, Admin | Landing | Investment),
        }
    }

    /// Roles that must name a department (approval officers) or an enterprise.
    pub fn needs_department(self) -> bool {
        self == Role::Approval
    }

    pub fn needs_enterprise(self) -> bool {
        self == Role::Enterprise
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{0}' is not a role; use one of admin, investment, landing, approval, steward, leader, enterprise"
)]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Role, UnknownRole> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leader_reads_only() {
        // Regression: a leader could raise blockers.
        for action in Action::ALL.into_iter().filter(|a| a.writes()) {
            assert!(!Role::Leader.may(action), "a leader may not {action:?}");
        }
        assert!(Role::Leader.may(Action::ViewEnterprises));
        assert!(!Role::Leader.may(Action::CreateEnterprise));
        assert!(!Role::Leader.may(Action::EditEnterprise));
        assert!(!Role::Leader.may(Action::ManageUsers));
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert!("root".parse::<Role>().is_err());
    }
}
