//! Projects and their phases as the API and the CLI show them.

use luodi_store::stewardship::projects::{Phase, Project};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct PhaseResponse {
    pub id: i64,
    pub seq: i64,
    pub name: String,
    /// lead, signed, land_matched, land_handed_over, construction_permit, construction_started, completion_accepted, in_production
    pub status: String,
    pub parcel_code: Option<String>,
    pub parcel_assessments: Option<Vec<String>>,
    pub land_handover_date: Option<String>,
    /// What applicability rules read (investment, areas, flags, approval route …).
    #[schema(value_type = Object)]
    pub facts: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectResponse {
    pub id: i64,
    pub zone_id: i64,
    pub enterprise_id: i64,
    pub name: String,
    pub name_en: Option<String>,
    /// Yuan with two decimals, as text (exact).
    #[schema(example = "6000000000.00")]
    pub total_investment_yuan: String,
    pub industry_code: Option<String>,
    pub chain_position: Option<String>,
    pub jobs: Option<i64>,
    /// 项目服务管家 — the steward now (`/api/v1/projects/{id}/steward` has the history).
    pub steward_user_id: Option<i64>,
    pub phases: Vec<PhaseResponse>,
}

fn yuan(f: luodi_domain::core::money::Fen) -> String {
    format!("{}.{:02}", f.0 / 100, (f.0 % 100).abs())
}

pub fn phase_response(p: &Phase) -> PhaseResponse {
    PhaseResponse {
        id: p.id,
        seq: p.seq,
        name: p.name.clone(),
        status: p.status.as_str().into(),
        parcel_code: p.parcel_code.clone(),
        parcel_assessments: p.parcel_assessments.clone(),
        land_handover_date: p.land_handover_date.map(|d| d.to_string()),
        facts: serde_json::to_value(&p.facts).unwrap_or_default(),
    }
}

pub fn project_response(p: &Project) -> ProjectResponse {
    ProjectResponse {
        id: p.id,
        zone_id: p.zone_id.0,
        enterprise_id: p.enterprise_id.0,
        name: p.name.clone(),
        name_en: p.name_en.clone(),
        total_investment_yuan: yuan(p.total_investment),
        industry_code: p.industry_code.clone(),
        chain_position: p.chain_position.map(|c| c.as_str().into()),
        jobs: p.jobs,
        steward_user_id: p.steward_id.map(|u| u.0),
        phases: p.phases.iter().map(phase_response).collect(),
    }
}
