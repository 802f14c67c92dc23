//! A step on a service item (submit, accept, return, decide …): who may take it is the
//! item's workflow's (the policy's [`item_party`](luodi_domain::core::policy::item_party)),
//! what it does to the item and its clock the rules'.

use chrono::NaiveDate;
use luodi_domain::Operation;
use luodi_domain::approvals::service_item::{ItemEvent, SpecialProcedure};
use serde::Deserialize;
use utoipa::ToSchema;

use super::service_lists::{ListItemResponse, item_response};
use super::{ApprovalsError, parse_date};
use crate::{App, Caller};

/// One step on an item. `kind` decides which other fields are read.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepRequest {
    /// submit, accept, return, resubmit, start_special, end_special, extend, approve, refuse, verify
    #[schema(
        example = "accept",
        pattern = "^(submit|accept|return|resubmit|start_special|end_special|extend|approve|refuse|verify)$"
    )]
    pub kind: String,
    /// The date of the step (YYYY-MM-DD); default today in the zone.
    #[schema(format = Date)]
    pub on: Option<String>,
    /// For return, refuse and extend.
    pub reason: Option<String>,
    /// For accept with minor materials missing (容缺受理): what is missing …
    #[serde(default)]
    pub missing: Vec<String>,
    /// … and by when it must come.
    #[schema(format = Date)]
    pub missing_due: Option<String>,
    /// For start_special: hearing, expert_review, public_notice or inspection.
    #[schema(pattern = "^(hearing|expert_review|public_notice|inspection)$")]
    pub procedure: Option<String>,
    pub note: Option<String>,
    /// For extend: 1–60 more days, and who approved them.
    #[schema(minimum = 1, maximum = 60)]
    pub days: Option<u32>,
    pub approver: Option<String>,
    /// For approve on commitment (承诺): when the commitment is verified.
    #[schema(format = Date)]
    pub verify_by: Option<String>,
    /// For verify: whether the commitment was met (not met revokes the approval; give a note).
    pub met: Option<bool>,
    /// The item version you read; a newer one answers 409 `stale`.
    pub version: Option<i64>,
}

/// Turns a step request into an event (on `today` unless it says), naming the field at
/// fault.
pub fn step_event(body: &StepRequest, today: NaiveDate) -> Result<ItemEvent, ApprovalsError> {
    let on = match &body.on {
        Some(d) => parse_date(d, "on")?,
        None => today,
    };
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let date = |v: &Option<String>, field: &'static str| {
        v.as_deref().map(|d| parse_date(d, field)).transpose()
    };
    Ok(match body.kind.as_str() {
        "submit" => ItemEvent::Submit { on },
        "accept" => ItemEvent::Accept {
            on,
            missing: body.missing.clone(),
            missing_due: date(&body.missing_due, "missing_due")?,
        },
        "return" => ItemEvent::Return {
            on,
            reason: text(&body.reason),
        },
        "resubmit" => ItemEvent::Resubmit { on },
        "start_special" => {
            let procedure = match body.procedure.as_deref() {
                Some("hearing") => SpecialProcedure::Hearing,
                Some("expert_review") => SpecialProcedure::ExpertReview,
                Some("public_notice") => SpecialProcedure::PublicNotice,
                Some("inspection") => SpecialProcedure::Inspection,
                other => {
                    return Err(ApprovalsError::Choice {
                        field: "procedure".into(),
                        value: other.unwrap_or_default().into(),
                        key: "approvals.error.procedure_choice",
                    });
                }
            };
            ItemEvent::StartSpecial {
                on,
                procedure,
                note: text(&body.note),
            }
        }
        "end_special" => ItemEvent::EndSpecial { on },
        "extend" => ItemEvent::Extend {
            on,
            days: body.days.unwrap_or(0),
            reason: text(&body.reason),
            approver: text(&body.approver),
        },
        "approve" => ItemEvent::Approve {
            on,
            verify_by: date(&body.verify_by, "verify_by")?,
        },
        "refuse" => ItemEvent::Refuse {
            on,
            reason: text(&body.reason),
        },
        "verify" => {
            let met = body.met.ok_or(ApprovalsError::Required {
                field: "met",
                key: "approvals.error.met_required",
            })?;
            ItemEvent::Verify {
                on,
                met,
                note: body
                    .note
                    .clone()
                    .or(body.reason.clone())
                    .unwrap_or_default(),
            }
        }
        other => {
            return Err(ApprovalsError::Choice {
                field: "kind".into(),
                value: other.into(),
                key: "approvals.error.step_choice",
            });
        }
    })
}

/// Takes the step `request` on item `id` as the caller, if the item's workflow gives them
/// that part; the item with its clock after it. The forecaster is woken.
pub async fn step(
    app: &App,
    caller: &Caller,
    id: i64,
    request: &StepRequest,
) -> Result<ListItemResponse, ApprovalsError> {
    let zone = caller.zone_for(Operation::TakeItemStep)?;
    let event = step_event(request, app.today())?;
    let (item, catalogue_version) = app
        .store
        .item_step_as(&caller.policy, &caller.actor, id, event, request.version)
        .await?;
    app.forecast_wake.notify_one();
    let catalogue = app.catalogue_version(zone, catalogue_version).await?;
    let cal = app.store.calendar().await?;
    Ok(item_response(
        &cal,
        &catalogue,
        &item,
        app.today(),
        caller.lang,
    ))
}
