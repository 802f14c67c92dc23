//! Each user's in-app inbox as the user reads it: a notification's kind and body in the
//! reader's language.

use luodi_domain::Lang;
use luodi_domain::Operation;
use luodi_domain::core::i18n;
use luodi_domain::core::policy::Denied;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::core::list::{Filter, ListQuery, ListSpec, Values};
use crate::core::table::{Cell, Table};
use crate::stewardship::StewardshipError;
use crate::{App, Caller};
use luodi_store::Page;

/// What a kind of notification says, in `lang`; a kind the catalogue does not know reads
/// as itself.
pub fn kind_text(kind: &str, lang: Lang) -> String {
    let key = format!("notification.kind.{kind}");
    if i18n::has(&key) {
        i18n::text(lang, &key).to_string()
    } else {
        kind.to_string()
    }
}

/// A word of the catalogue under `section` for `name`, or `name` itself.
fn word(section: &str, name: &str, lang: Lang) -> String {
    let key = format!("notification.{section}.{name}");
    if i18n::has(&key) {
        i18n::text(lang, &key).to_string()
    } else {
        name.to_string()
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
            let clock = word("clock", clock, lang);
            let to = word("target", target, lang);
            i18n::fill(
                lang,
                "notification.body.escalated",
                &[("clock", &clock), ("to", &to)],
            )
        }
        "token_expiring" => i18n::fill(lang, "notification.body.token_expiring", &[("day", body)]),
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

/// The caller's notifications as the API lists them: `unread` (`true` or `false`, as
/// written) for only the unread ones, at most `limit`.
pub async fn list(
    app: &App,
    caller: &Caller,
    unread: Option<&str>,
    limit: i64,
) -> Result<Inbox, StewardshipError> {
    let unread_only = super::flag("unread", unread)?;
    inbox(app, caller, unread_only, limit).await
}

/// Which to mark read: one (`id`) or, without it, all.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadRequest {
    pub id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadResponse {
    pub marked: u64,
}

/// Marks the caller's notification `id` read, or all of them without one; how many were
/// marked. Refused to a user of no zone.
pub async fn mark_read(
    app: &App,
    caller: &Caller,
    id: Option<i64>,
) -> Result<ReadResponse, StewardshipError> {
    let zone = caller.zone_for(Operation::ManageOwnAccount)?;
    let user = caller.user_id.ok_or(Denied {
        operation: Operation::ManageOwnAccount,
        role: caller.policy.role,
    })?;
    let marked = app
        .store
        .mark_notifications_read(&caller.actor, zone.0, user.0, id)
        .await
        .map_err(StewardshipError::Notification)?;
    Ok(ReadResponse { marked })
}

/// The most notifications the inbox list reads of one user: a person's inbox holds
/// hundreds, so the list filters them here rather than in SQL.
const INBOX_MOST: i64 = 5_000;

/// What the inbox page takes: `state` (`unread` or `read`), a search of the titles and
/// kinds, newest first unless `order=asc`.
pub const LIST: ListSpec = ListSpec {
    search: true,
    filters: &[Filter::new("state", Values::OneOf(&["unread", "read"]))],
    sorts: &["created"],
    default_desc: true,
    per_page: 50,
    extra: &[],
};

/// A page of the caller's inbox, and how many are unread in all.
pub struct InboxList {
    pub unread: i64,
    pub found: Page<NotificationResponse>,
}

async fn inbox_matching(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<(i64, Vec<NotificationResponse>), StewardshipError> {
    let state = query.filter("state");
    let all = inbox(app, caller, state == Some("unread"), INBOX_MOST).await?;
    let mut found: Vec<NotificationResponse> = all
        .notifications
        .into_iter()
        .filter(|n| state != Some("read") || n.read_at.is_some())
        .filter(|n| query.finds([n.title.as_str(), n.kind_text.as_str(), n.body.as_str()]))
        .collect();
    found.sort_by(|a, b| query.directed((&a.created_at, a.id).cmp(&(&b.created_at, b.id))));
    Ok((all.unread, found))
}

/// The page of the caller's inbox that `query` asks for.
pub async fn inbox_list(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<InboxList, StewardshipError> {
    let (unread, found) = inbox_matching(app, caller, query).await?;
    Ok(InboxList {
        unread,
        found: query.page_of(found),
    })
}

/// Every notification of the caller's that `query` finds, as a table.
pub async fn inbox_export(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<Table, StewardshipError> {
    let (_, found) = inbox_matching(app, caller, query).await?;
    let lang = caller.lang;
    let text = |k: &str| i18n::text(lang, k).to_string();
    let shown = |t: &str| {
        luodi_domain::core::time::from_stored(t)
            .map(luodi_domain::core::time::zone_display)
            .unwrap_or_else(|| t.to_string())
    };
    Ok(Table {
        name: "inbox".into(),
        headers: vec![
            text("inbox_list.kind"),
            text("inbox_list.title"),
            text("inbox_list.body"),
            text("inbox_list.created"),
            text("inbox_list.read"),
        ],
        rows: found
            .iter()
            .map(|n| {
                vec![
                    Cell::from(n.kind_text.clone()),
                    Cell::from(n.title.clone()),
                    Cell::from(n.body.clone()),
                    Cell::from(shown(&n.created_at)),
                    Cell::from(n.read_at.as_deref().map(shown).unwrap_or_default()),
                ]
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
