//! Each user's in-app inbox as the user reads it: a notification's kind and body in the
//! reader's language.

use luodi_domain::Lang;
use luodi_domain::Operation;
use luodi_domain::core::policy::Denied;
use serde::Serialize;
use utoipa::ToSchema;

use crate::stewardship::StewardshipError;
use crate::{App, Caller};

fn t(lang: Lang, zh: &str, en: &str) -> String {
    luodi_domain::Text::new(zh, en).get(lang).to_string()
}

/// What a kind of notification says, in `lang`.
pub fn kind_text(kind: &str, lang: Lang) -> String {
    let (zh, en) = match kind {
        "blocker_raised" => ("新的难点堵点", "new blocker"),
        "blocker_acknowledged" => ("难点堵点已签收", "blocker acknowledged"),
        "blocker_rerouted" => ("难点堵点已转办", "blocker re-routed"),
        "blocker_answered" => ("难点堵点已答复", "blocker answered"),
        "blocker_waiting_on_enterprise" => {
            ("请企业补充材料", "the department waits on the enterprise")
        }
        "blocker_enterprise_responded" => ("企业已回复", "the enterprise responded"),
        "blocker_marked_complex" => ("难点堵点延长办结时限", "more time allowed (complex)"),
        "blocker_resolved" => ("难点堵点已办结，请确认", "blocker resolved: please confirm"),
        "blocker_confirmed" => ("企业已确认并评价", "the enterprise confirmed and rated"),
        "blocker_withdrawn" => ("难点堵点已撤回", "blocker withdrawn"),
        "blocker_escalated" => (
            "难点堵点超时升级督办",
            "blocker escalated: a clock was missed",
        ),
        "steward_assigned" => ("您被指派为项目服务管家", "you are the project's steward"),
        "steward_released" => ("项目已转交其他服务管家", "the project has a new steward"),
        "token_expiring" => ("API 令牌即将到期", "an API token expires soon"),
        other => (other, other),
    };
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    }
}

/// A notification's body as a person reads it: the escalation's clock and rung, a
/// token's expiry day, in `lang`; other bodies are the words that were written.
pub fn body_text(kind: &str, body: &str, lang: Lang) -> String {
    match kind {
        "blocker_escalated" => {
            let Some((clock, target)) = body.split_once(" · ") else {
                return body.to_string();
            };
            let clock = match clock {
                "acknowledge" => t(lang, "签收", "acknowledge"),
                "answer" => t(lang, "答复", "answer"),
                "resolve" => t(lang, "办结", "resolve"),
                other => other.to_string(),
            };
            let to = match target {
                "department_head" => t(lang, "部门负责人", "the department head"),
                "zone_leader" => t(lang, "园区领导", "the zone leaders"),
                other => other.to_string(),
            };
            t(
                lang,
                &format!("{clock}时限已过，已升级至{to}督办"),
                &format!("the {clock} clock was missed: escalated to {to}"),
            )
        }
        "token_expiring" => t(
            lang,
            &format!("将于 {body} 到期，请在账户页创建新令牌"),
            &format!("expires on {body}; make a new one on the account page"),
        ),
        _ => body.to_string(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationResponse {
    pub id: i64,
    pub kind: String,
    pub kind_text: String,
    pub title: String,
    /// What it says, in the caller's language.
    pub body: String,
    pub link: String,
    pub created_at: String,
    pub read_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Inbox {
    pub unread: i64,
    pub notifications: Vec<NotificationResponse>,
}

/// The caller's notifications, newest first, in `lang`, and how many are unread.
pub async fn inbox(
    app: &App,
    caller: &Caller,
    unread_only: bool,
    limit: i64,
) -> Result<Inbox, StewardshipError> {
    caller.policy.reach(Operation::ManageOwnAccount)?;
    let lang = caller.lang;
    let user = caller.user_id.ok_or(Denied {
        operation: Operation::ManageOwnAccount,
        role: caller.policy.role,
    })?;
    let (items, unread) = app.store.notifications(user.0, unread_only, limit).await?;
    Ok(Inbox {
        unread,
        notifications: items
            .into_iter()
            .map(|n| NotificationResponse {
                id: n.id,
                kind_text: kind_text(&n.kind, lang),
                body: body_text(&n.kind, &n.body, lang),
                kind: n.kind,
                title: n.title,
                link: n.link,
                created_at: n.created_at,
                read_at: n.read_at,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Point 23 of issue 14: an escalation's body read "answer · zone_leader".
    #[test]
    fn bodies_read_as_words() {
        assert_eq!(
            body_text("blocker_escalated", "answer · zone_leader", Lang::Zh),
            "答复时限已过，已升级至园区领导督办"
        );
        assert_eq!(
            body_text(
                "blocker_escalated",
                "acknowledge · department_head",
                Lang::En
            ),
            "the acknowledge clock was missed: escalated to the department head"
        );
        assert!(body_text("token_expiring", "2026-12-14", Lang::Zh).contains("2026-12-14 到期"));
        assert_eq!(
            body_text("blocker_answered", "已协调供电公司", Lang::En),
            "已协调供电公司"
        );
    }
}
