//! What part of the data a user may see: one zone, every zone (a province-level leader),
//! and for an enterprise user one enterprise. Every store query that lists or fetches
//! zone-owned rows takes a `Scope`, so no route can forget it.

use crate::core::ids::{EnterpriseId, ZoneId};
use crate::core::policy::Caller;
use crate::core::role::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    /// `None` only for a province-level leader, who reads every zone.
    pub zone: Option<ZoneId>,
    /// `Some` for an enterprise user: the only enterprise they may see.
    pub enterprise: Option<EnterpriseId>,
}

impl Scope {
    /// What a user reads: the policy's read scope ([`Caller::read_scope`]).
    pub fn for_user(role: Role, zone: Option<ZoneId>, enterprise: Option<EnterpriseId>) -> Scope {
        Caller {
            role,
            zone,
            enterprise,
            department: None,
        }
        .read_scope()
    }

    pub fn sees_zone(&self, zone: ZoneId) -> bool {
        self.zone.is_none_or(|z| z == zone)
    }

    pub fn sees_enterprise(&self, zone: ZoneId, enterprise: EnterpriseId) -> bool {
        self.sees_zone(zone) && self.enterprise.is_none_or(|e| e == enterprise)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enterprise_user_sees_only_its_own() {
        let s = Scope::for_user(Role::Enterprise, Some(ZoneId(1)), Some(EnterpriseId(7)));
        assert!(s.sees_enterprise(ZoneId(1), EnterpriseId(7)));
        assert!(!s.sees_enterprise(ZoneId(1), EnterpriseId(8)));
        assert!(!s.sees_enterprise(ZoneId(2), EnterpriseId(7)));
        let orphan = Scope::for_user(Role::Enterprise, Some(ZoneId(1)), None);
        assert!(!orphan.sees_enterprise(ZoneId(1), EnterpriseId(7)));
    }

    #[test]
    fn province_leader_sees_every_zone() {
        let s = Scope::for_user(Role::Leader, None, None);
        assert!(s.sees_enterprise(ZoneId(3), EnterpriseId(9)));
        let z = Scope::for_user(Role::Admin, Some(ZoneId(1)), None);
        assert!(!z.sees_zone(ZoneId(2)));
    }
}
