//! Roles: who a user is in the zone, by name and label. What each may do is the
//! permission policy's ([`crate::core::policy`]).

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
            Role::Admin => Text::key("rules.role.admin"),
            Role::Investment => Text::key("rules.role.investment"),
            Role::Landing => Text::key("rules.role.landing"),
            Role::Approval => Text::key("rules.role.approval"),
            Role::Steward => Text::key("rules.role.steward"),
            Role::Leader => Text::key("rules.role.leader"),
            Role::Enterprise => Text::key("rules.role.enterprise"),
        }
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
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert!("root".parse::<Role>().is_err());
    }
}
