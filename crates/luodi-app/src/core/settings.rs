//! The zone settings page's reads and writes: the blocker limits and escalation ladder,
//! the lifecycle policy (承诺即开工), where notifications go out (email, webhooks), and the
//! deliveries, a failed one sent again on request. Each change goes through the same
//! checks and audited store calls as the API's.

use luodi_domain::stewardship::blocker::{Rung, Sla};
use luodi_domain::stewardship::outbound::{Outbound, Webhook, WebhookFormat};
use luodi_domain::stewardship::project::LifecyclePolicy;
use luodi_domain::{Operation, Text, ZoneId};
use luodi_store::StoreError;
use luodi_store::core::orgs::{LIFECYCLE, OUTBOUND};
use luodi_store::stewardship::outbox::{OutboxCounts, OutboxEntry};

use super::CoreError;
use crate::stewardship::StewardshipError;
use crate::{App, Caller};

/// What separates a webhook's kinds in the form: a comma (ASCII or full-width), a space.
const KIND_SEPARATORS: [char; 3] = [',', '\u{ff0c}', ' '];

/// How many of the latest deliveries the page lists.
const DELIVERIES: i64 = 30;

/// What the settings page shows.
pub struct SettingsView {
    pub sla: Sla,
    pub lifecycle: LifecyclePolicy,
    /// With webhook keys and secrets hidden.
    pub outbound: Outbound,
    pub counts: OutboxCounts,
    /// The latest deliveries, newest first.
    pub deliveries: Vec<OutboxEntry>,
}

/// The caller's zone's settings and latest deliveries.
pub async fn settings(app: &App, caller: &Caller) -> Result<SettingsView, CoreError> {
    let zone = caller.zone_for(Operation::ManageOutbound)?;
    let sla = app.store.blocker_sla(zone).await?;
    let lifecycle: LifecyclePolicy = app.store.zone_setting(zone, LIFECYCLE).await?;
    let outbound: Outbound = app.store.zone_setting(zone, OUTBOUND).await?;
    let (deliveries, counts) = app.store.outbox(zone.0, None, DELIVERIES).await?;
    Ok(SettingsView {
        sla,
        lifecycle,
        outbound: outbound.redacted(),
        counts,
        deliveries,
    })
}

/// The form a refusal belongs to on the settings page (`sla`, `outbound`, `deliveries`).
pub fn form_of(e: &CoreError) -> &'static str {
    match e {
        CoreError::Setting { form, .. } => form,
        CoreError::Stewardship(
            StewardshipError::Outbound(_) | StewardshipError::InternalTarget(_),
        ) => "outbound",
        CoreError::Stewardship(StewardshipError::NotFailed) => "deliveries",
        _ => "",
    }
}

/// The blocker limits and ladder as the form gives them: whole numbers of working days,
/// the ladder's rungs empty for none.
#[derive(Debug, Clone, Default)]
pub struct SlaForm {
    pub acknowledge: String,
    pub answer: String,
    pub resolve: String,
    pub resolve_complex: String,
    pub head_after: String,
    pub leader_after: String,
}

/// A whole number of working days from a form field (none when empty), or the refusal
/// naming it.
fn days(field: &'static str, raw: &str) -> Result<Option<u32>, CoreError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<u32>().map(Some).map_err(|_| {
        CoreError::setting(
            "sla",
            field,
            Text::fill("core.settings.not_days", &[("field", field), ("raw", raw)]),
        )
    })
}

/// Sets the zone's blocker limits and escalation ladder from the form.
pub async fn set_blocker_sla(app: &App, caller: &Caller, form: &SlaForm) -> Result<(), CoreError> {
    let zone = caller.zone_for(Operation::SetBlockerSla)?;
    let mut sla = app.store.blocker_sla(zone).await?;
    for (field, raw, slot) in [
        (
            "acknowledge",
            &form.acknowledge,
            &mut sla.limits.acknowledge,
        ),
        ("answer", &form.answer, &mut sla.limits.answer),
        ("resolve", &form.resolve, &mut sla.limits.resolve),
        (
            "resolve_complex",
            &form.resolve_complex,
            &mut sla.limits.resolve_complex,
        ),
    ] {
        *slot = days(field, raw)?.ok_or_else(|| {
            CoreError::setting(
                "sla",
                field,
                Text::fill("core.settings.days_needed", &[("field", field)]),
            )
        })?;
    }
    let mut ladder = Vec::new();
    // The form's field of each rung, to show a rung's refusal beside it.
    let mut rung_fields = Vec::new();
    for (field, raw, to) in [
        ("head_after", &form.head_after, "department_head"),
        ("leader_after", &form.leader_after, "zone_leader"),
    ] {
        if let Some(d) = days(field, raw)? {
            ladder.push(Rung {
                to: to.to_string(),
                after_working_days: d,
            });
            rung_fields.push(field);
        }
    }
    sla.ladder = ladder;
    sla.check().map_err(|e| {
        let field = match (e.field, e.rung) {
            ("ladder", Some(i)) => rung_fields.get(i).copied().unwrap_or("head_after"),
            // No rung at all: the first of them is the one to fill in.
            ("ladder", None) => "head_after",
            (field, _) => field,
        };
        CoreError::setting("sla", field, Text::from_fn(|lang| e.text(lang)))
    })?;
    Ok(app.store.set_blocker_sla(&caller.actor, zone, &sla).await?)
}

/// Allows (or forbids) construction start on commitment in the caller's zone.
pub async fn set_lifecycle(
    app: &App,
    caller: &Caller,
    start_on_commitment: bool,
) -> Result<(), CoreError> {
    let policy = LifecyclePolicy {
        start_on_commitment,
    };
    crate::stewardship::lifecycle::set_policy(app, caller, policy).await?;
    Ok(())
}

/// A webhook as the form gives it.
#[derive(Debug, Clone, Default)]
pub struct WebhookForm {
    pub name: String,
    /// `generic`, `wecom` or `dingtalk`.
    pub format: String,
    pub url: String,
    /// Empty for none.
    pub secret: String,
    /// The notification kinds, separated by commas or spaces.
    pub kinds: String,
}

/// A change to the zone's outbound settings.
#[derive(Debug, Clone)]
pub enum OutboundChange {
    /// Email on or off.
    Email(bool),
    AddWebhook(WebhookForm),
    /// The webhook of this name removed.
    RemoveWebhook(String),
}

fn webhook(form: &WebhookForm) -> Result<Webhook, CoreError> {
    let format = match form.format.as_str() {
        "generic" => WebhookFormat::Generic,
        "wecom" => WebhookFormat::Wecom,
        "dingtalk" => WebhookFormat::Dingtalk,
        other => {
            return Err(CoreError::setting(
                "outbound",
                "format",
                Text::fill("core.settings.format_choice", &[("value", other)]),
            ));
        }
    };
    let secret = form.secret.trim().to_string();
    Ok(Webhook {
        name: form.name.trim().to_string(),
        format,
        url: form.url.trim().to_string(),
        secret: (!secret.is_empty()).then_some(secret),
        kinds: form
            .kinds
            .split(KIND_SEPARATORS)
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_string)
            .collect(),
    })
}

/// Applies `change` to the caller's zone's outbound settings, checked as the API checks
/// them (the settings' rules, then no webhook aimed inside the server's network).
pub async fn change_outbound(
    app: &App,
    caller: &Caller,
    change: OutboundChange,
) -> Result<(), CoreError> {
    let zone = caller.zone_for(Operation::ManageOutbound)?;
    let change = match change {
        OutboundChange::AddWebhook(form) => Change::Add(webhook(&form)?),
        OutboundChange::Email(on) => Change::Email(on),
        OutboundChange::RemoveWebhook(name) => Change::Remove(name),
    };
    let mut outbound: Outbound = app.store.zone_setting(zone, OUTBOUND).await?;
    // The webhook the form adds, whose refusals go beside the form's fields.
    let mut added = None;
    match change {
        Change::Email(on) => outbound.email = on,
        Change::Add(hook) => {
            added = Some(outbound.webhooks.len());
            outbound.webhooks.push(hook);
        }
        Change::Remove(name) => outbound.webhooks.retain(|w| w.name != name),
    }
    write_outbound(app, caller, zone, &outbound)
        .await
        .map_err(|e| at_webhook_form(e, added))
}

/// A refusal of the outbound settings as the settings page shows it: one about the
/// webhook the form adds (`webhooks[i].url`, `webhooks[i].kinds[k]`) beside the form's
/// field, in the reader's language; any other above the form, as the API words it.
fn at_webhook_form(e: CoreError, added: Option<usize>) -> CoreError {
    let field = |at: &str| {
        let prefix = format!("webhooks[{}].", added?);
        let rest = at.strip_prefix(&prefix)?;
        Some(rest.split('[').next().unwrap_or(rest).to_string())
    };
    match e {
        CoreError::Stewardship(StewardshipError::Outbound(o)) => match field(&o.field) {
            Some(f) => CoreError::setting("outbound", f, Text::from_fn(|lang| o.text(lang))),
            None => StewardshipError::Outbound(o).into(),
        },
        CoreError::Stewardship(StewardshipError::InternalTarget(t)) => match field(&t.field) {
            Some(f) => CoreError::setting(
                "outbound",
                f,
                Text::fill("core.settings.internal_address", &[("address", &t.address)]),
            ),
            None => StewardshipError::InternalTarget(t).into(),
        },
        e => e,
    }
}

enum Change {
    Email(bool),
    Add(Webhook),
    Remove(String),
}

async fn write_outbound(
    app: &App,
    caller: &Caller,
    zone: ZoneId,
    outbound: &Outbound,
) -> Result<(), CoreError> {
    Ok(crate::stewardship::outbound::write(app, caller, zone, outbound).await?)
}

/// Sends failed delivery `id` (as given) of the caller's zone again; not found when the
/// zone has none of that id, refused when it has not failed.
pub async fn retry_delivery(app: &App, caller: &Caller, id: &str) -> Result<(), CoreError> {
    // The policy first: a caller who may not manage deliveries is refused whatever the id.
    caller.zone_for(Operation::ManageOutbound)?;
    let id = id
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or(StoreError::NotFound)?;
    Ok(crate::stewardship::outbound::retry(app, caller, id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Problem;
    use luodi_domain::Lang;

    #[test]
    fn working_days_are_whole_numbers_or_nothing() {
        assert_eq!(days("answer", " 4 ").unwrap(), Some(4));
        assert_eq!(days("leader_after", "").unwrap(), None);
        let e = days("answer", "x").unwrap_err();
        assert_eq!(form_of(&e), "sla");
        let p = Problem::from(e);
        assert_eq!(p.field.as_deref(), Some("answer"));
        assert_eq!(
            p.message.get(Lang::En),
            "'x' is not a whole number of working days"
        );
        assert_eq!(p.message.get(Lang::Zh), "“x”不是整数个工作日");
    }

    #[test]
    fn a_webhook_form_is_read() {
        let hook = webhook(&WebhookForm {
            name: " 督办群 ".into(),
            format: "wecom".into(),
            url: "https://example.com/hook".into(),
            secret: " ".into(),
            kinds: "blocker_escalated，steward_*, x".into(),
        })
        .unwrap();
        assert_eq!(hook.name, "督办群");
        assert_eq!(hook.secret, None);
        assert_eq!(hook.kinds, ["blocker_escalated", "steward_*", "x"]);
        let e = webhook(&WebhookForm {
            format: "fax".into(),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(form_of(&e), "outbound");
        let p = Problem::from(e);
        assert_eq!(p.field.as_deref(), Some("format"));
        assert_eq!(
            p.message.get(Lang::En),
            "'fax' is not generic, wecom or dingtalk"
        );
        assert!(p.message.get(Lang::Zh).contains("不是可选类型"));
    }
}
