//! Who asks a use case: the person (or the operator at the command line) as the
//! permission policy sees them, who the audit trail names, and the language they read.

use luodi_domain::core::policy::{self, Denied, Operation};
use luodi_domain::{Lang, Role, Scope, UserId, ZoneId};
use luodi_store::Actor;
use luodi_store::core::users::User;

#[derive(Debug, Clone)]
pub struct Caller {
    /// What the policy needs: role, zone, enterprise, department.
    pub policy: policy::Caller,
    /// Who the audit trail names for what this caller writes.
    pub actor: Actor,
    /// The user, when a person asks (not the operator).
    pub user_id: Option<UserId>,
    pub lang: Lang,
}

impl Caller {
    /// A signed-in user, reading in `lang`.
    pub fn user(user: &User, lang: Lang) -> Caller {
        Caller {
            policy: user.caller(),
            actor: user.actor(),
            user_id: Some(user.id),
            lang,
        }
    }

    /// The operator at the command line, acting as the administrator of `zone`.
    pub fn operator(zone: ZoneId) -> Caller {
        Caller {
            policy: policy::Caller {
                role: Role::Admin,
                zone: Some(zone),
                enterprise: None,
                department: None,
            },
            actor: Actor::Cli,
            user_id: None,
            lang: Lang::En,
        }
    }

    /// The operator at the command line reading every zone, as a province-level leader
    /// would (and so writing nothing).
    pub fn operator_everywhere() -> Caller {
        Caller {
            policy: policy::Caller {
                role: Role::Leader,
                zone: None,
                enterprise: None,
                department: None,
            },
            actor: Actor::Cli,
            user_id: None,
            lang: Lang::En,
        }
    }

    /// What the caller sees doing `op`, or why they may not.
    pub fn scope_for(&self, op: Operation) -> Result<Scope, Denied> {
        self.policy.scope_for(op)
    }

    /// The zone the caller does `op` in, or why they may not.
    pub fn zone_for(&self, op: Operation) -> Result<ZoneId, Denied> {
        self.policy.zone_for(op)
    }
}
