//! The demo zone of the brief: Qingdao High-tech Zone (青岛高新区), its biomedicine and
//! medical device park, the departments of "land use as one thing", a handful of
//! enterprises of the "China Health Bay" (中国康湾) cluster and one user per role.
//! Loading is idempotent: every step looks for what it would create first.
//!
//! The unified social credit codes are made up (valid by GB 32100, built with
//! [`Uscc::complete`]), not the real companies' codes.

use luodi_domain::core::enterprise::{EnterpriseDraft, EnterpriseInput};
use luodi_domain::core::uscc::Uscc;
use luodi_domain::{Role, ZoneId};

use crate::core::audit::Actor;
use crate::core::orgs::{Park, Zone};
use crate::core::users::{NewUser, UserError};
use crate::{Result, Store, StoreError};

pub const ZONE_CODE: &str = "qingdao-hitech";
/// The password of every demo user; printed by `luodi demo`.
pub const DEMO_PASSWORD: &str = "luodi-demo-2026";

/// 1 mu = 2000/3 m²: the park's 6,400 mu.
const PARK_AREA_M2: i64 = (6_400 * 2_000 + 1) / 3;

const DEPARTMENTS: &[(&str, &str, &str)] = &[
    (
        "approval-bureau",
        "行政审批服务局",
        "Administrative Approval Bureau",
    ),
    (
        "natural-resources",
        "自然资源局",
        "Natural Resources Bureau",
    ),
    (
        "ecology-environment",
        "生态环境分局",
        "Ecology and Environment Sub-bureau",
    ),
    (
        "housing-construction",
        "住房和城乡建设局",
        "Housing and Urban-Rural Development Bureau",
    ),
    (
        "emergency-management",
        "应急管理局",
        "Emergency Management Bureau",
    ),
    (
        "market-regulation",
        "市场监督管理局",
        "Market Regulation Bureau",
    ),
    (
        "investment-promotion",
        "投资促进部",
        "Investment Promotion Department",
    ),
];

/// (first 16 characters of the code, name, English name, industry, chain position, size)
const ENTERPRISES: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "91370214MA3C0001",
        "青岛国药科技城发展有限公司",
        "Qingdao Sinopharm Science & Technology City Development Co., Ltd.",
        "7340",
        "midstream",
        "large",
    ),
    (
        "91370214MA3C0002",
        "阿斯利康（青岛）医药有限公司",
        "AstraZeneca (Qingdao) Pharmaceutical Co., Ltd.",
        "2720",
        "midstream",
        "large",
    ),
    (
        "91370214MA3C0003",
        "海尔大健康科技（青岛）有限公司",
        "Haier Big Health Technology (Qingdao) Co., Ltd.",
        "3581",
        "downstream",
        "large",
    ),
    (
        "91370214MA3C0004",
        "青岛康湾体外诊断试剂有限公司",
        "Qingdao Kangwan IVD Reagents Co., Ltd.",
        "2761",
        "upstream",
        "medium",
    ),
    (
        "91370214MA3C0005",
        "青岛海湾高端医疗器械有限公司",
        "Qingdao Bay High-end Medical Devices Co., Ltd.",
        "3584",
        "midstream",
        "small",
    ),
    (
        "91370214MA3C0006",
        "青岛康复辅具科技有限公司",
        "Qingdao Rehabilitation Aids Technology Co., Ltd.",
        "3586",
        "downstream",
        "micro",
    ),
];

/// (e-mail, display name, role)
pub const USERS: &[(&str, &str, Role)] = &[
    ("admin@luodi.demo", "王敏", Role::Admin),
    ("investment@luodi.demo", "李强", Role::Investment),
    ("landing@luodi.demo", "张伟", Role::Landing),
    ("approval@luodi.demo", "刘洋", Role::Approval),
    ("steward@luodi.demo", "陈静", Role::Steward),
    ("leader@luodi.demo", "赵刚", Role::Leader),
    ("enterprise@luodi.demo", "孙丽", Role::Enterprise),
];

pub fn demo_uscc(i: usize) -> Uscc {
    Uscc::complete(ENTERPRISES[i].0).expect("demo codes are built valid")
}

/// Loads (or finds) the demo zone; returns it.
pub async fn load(store: &Store) -> Result<Zone> {
    let actor = Actor::System("demo");
    let zone = store
        .ensure_zone(
            &actor,
            ZONE_CODE,
            "青岛高新区",
            "Qingdao High-tech Zone",
            "山东省",
        )
        .await?;
    store
        .ensure_park(
            &actor,
            &Park {
                id: luodi_domain::ParkId(0),
                zone_id: zone.id,
                code: "biomed-park".into(),
                name_zh: "青岛生物医药与医疗器械产业园".into(),
                name_en: "Qingdao Biomedicine & Medical Device Industrial Park".into(),
                area_m2: PARK_AREA_M2,
                focus: "创新生物药和罕见病药物、体外诊断（IVD）、高端治疗设备、康复 / innovative biologics and rare-disease drugs, IVD, advanced treatment equipment, rehabilitation".into(),
            },
        )
        .await?;
    for (code, zh, en) in DEPARTMENTS {
        store
            .ensure_department(&actor, zone.id, code, zh, en)
            .await?;
    }
    let mut first_enterprise = None;
    for (i, (_, name, name_en, industry, chain, size)) in ENTERPRISES.iter().enumerate() {
        let uscc = demo_uscc(i);
        let existing = store.enterprise_by_uscc(zone.id, uscc.as_str()).await?;
        let e = match existing {
            Some(e) => e,
            None => {
                let draft = EnterpriseDraft::parse(&EnterpriseInput {
                    uscc: uscc.to_string(),
                    name: name.to_string(),
                    name_en: Some(name_en.to_string()),
                    industry_code: Some(industry.to_string()),
                    chain_position: Some(chain.to_string()),
                    size: Some(size.to_string()),
                    address: Some("山东省青岛市高新区".into()),
                    contact_name: None,
                    contact_phone: Some("0532-0000 0000".into()),
                    contact_email: None,
                })
                .expect("demo enterprises are valid");
                store.create_enterprise(&actor, zone.id, &draft).await?
            }
        };
        first_enterprise.get_or_insert(e.id);
    }
    match store
        .import_catalogue(&actor, zone.id, luodi_domain::approvals::catalogue::DEFAULT)
        .await
    {
        Ok(_) => {}
        Err(crate::approvals::catalogue::ImportError::Store(e)) => return Err(e),
        Err(other) => unreachable!("the default catalogue imports: {other}"),
    }
    let approval_dept = store
        .department_by_code(zone.id, "approval-bureau")
        .await?
        .map(|d| d.id);
    for (email, name, role) in USERS {
        if store.user_by_email(email).await?.is_some() {
            continue;
        }
        let new = NewUser {
            zone_id: Some(zone.id),
            email: email.to_string(),
            display_name: name.to_string(),
            role: *role,
            department_id: luodi_domain::core::policy::needs_department(*role)
                .then_some(approval_dept)
                .flatten(),
            enterprise_id: luodi_domain::core::policy::needs_enterprise(*role)
                .then_some(first_enterprise)
                .flatten(),
        };
        match store.create_user(&actor, new, DEMO_PASSWORD).await {
            Ok(_) => {}
            Err(UserError::Store(e)) => return Err(e),
            Err(UserError::Invalid(why)) => unreachable!("demo users are valid: {why}"),
            Err(UserError::Throttled { .. }) => unreachable!("making a user checks no password"),
        }
    }
    let sinopharm = first_enterprise.expect("the demo has enterprises");
    let steward = store
        .user_by_email("steward@luodi.demo")
        .await?
        .map(|u| u.id);
    load_parcels(store, &zone).await?;
    load_sinopharm(store, &zone, sinopharm, steward).await?;
    load_history(store, &zone, steward).await?;
    load_blockers(store, &zone).await?;
    Ok(zone)
}

/// The cluster's numbers of the demo zone (statistics, targets, the city's totals, a
/// phase in production whose post-completion check fails), loaded once: `luodi demo`
/// loads them after [`load`]; tests that do not need them leave the zone without.
pub async fn load_cluster(store: &Store, zone: &Zone) -> Result<()> {
    let steward = store
        .user_by_email("steward@luodi.demo")
        .await?
        .map(|u| u.id);
    crate::demo_cluster::load_cluster(store, zone, steward).await
}

/// A few of the Sinopharm city's blockers at different stages, so the steward's board and
/// the blocker pages have something to show: one waiting on the enterprise, one nobody has
/// acknowledged (its clock missed, so `luodi serve` escalates it), one answered and being
/// worked on, one closed with a rating. Loaded once (when the zone has none).
async fn load_blockers(store: &Store, zone: &Zone) -> Result<()> {
    use crate::stewardship::blockers::{BlockerFilter, NewBlocker, NewFile};
    use luodi_domain::stewardship::blocker::{Action, Party};
    let scope = luodi_domain::Scope {
        zone: Some(zone.id),
        enterprise: None,
    };
    if !store
        .blockers(&scope, &BlockerFilter::default())
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let Some(project) = store.project_by_name(zone.id, SINOPHARM_PROJECT).await? else {
        return Ok(());
    };
    let dept = |code: &'static str| async move {
        store
            .department_by_code(zone.id, code)
            .await
            .map(|d| d.map(|d| d.id.0).unwrap_or(0))
    };
    let actor = Actor::System("demo");
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date");
    let demo_err = |e: crate::stewardship::blockers::BlockerActionError| {
        StoreError::Corrupt(format!("demo blocker: {e}"))
    };
    #[allow(clippy::type_complexity)]
    let cases: [(
        &str,
        &str,
        &str,
        &str,
        &str,
        Party,
        &str,
        Vec<(&str, Party, Action)>,
    ); 4] = [
        (
            "utilities",
            "urgent",
            "二期施工用电接入容量不足",
            "二期临时施工用电申请 2,500 kVA，现有 10kV 线路余量不足，需供电公司新增间隔。",
            "approval-bureau",
            Party::Steward,
            "2026-11-16",
            vec![
                ("2026-11-17", Party::Department, Action::Acknowledged),
                (
                    "2026-11-18",
                    Party::Department,
                    Action::WaitingOnEnterprise {
                        reason: "请补充二期用电负荷计算书".into(),
                    },
                ),
            ],
        ),
        (
            "approval",
            "high",
            "一期消防设计审查意见不明确",
            "审图机构意见第 3 条与现行规范表述不一致，企业无法据此修改。",
            "approval-bureau",
            Party::Enterprise,
            "2026-11-19",
            vec![],
        ),
        (
            "land",
            "normal",
            "三期用地红线与规划条件不一致",
            "出让红线与控规地块边界相差约 6 米，影响三期总平面布置。",
            "natural-resources",
            Party::Steward,
            "2026-11-10",
            vec![
                ("2026-11-10", Party::Department, Action::Acknowledged),
                (
                    "2026-11-12",
                    Party::Department,
                    Action::Answered {
                        text: "已报市规划委员会，拟于 12 月初专题会审议调整。".into(),
                    },
                ),
                (
                    "2026-11-13",
                    Party::Department,
                    Action::Commented {
                        text: "内部备注：控规调整须区规划分局先出具意见，暂勿向企业承诺完成时间。"
                            .into(),
                        internal: true,
                        files: Vec::new(),
                    },
                ),
            ],
        ),
        (
            "talent",
            "normal",
            "研发人员人才公寓配租",
            "一期投产需 40 套人才公寓，申请纳入园区配租计划。",
            "approval-bureau",
            Party::Enterprise,
            "2026-10-26",
            vec![
                ("2026-10-26", Party::Department, Action::Acknowledged),
                (
                    "2026-10-28",
                    Party::Department,
                    Action::Answered {
                        text: "已纳入 11 月配租计划。".into(),
                    },
                ),
                (
                    "2026-11-09",
                    Party::Department,
                    Action::Resolved {
                        text: "40 套人才公寓已配租到位。".into(),
                    },
                ),
                (
                    "2026-11-10",
                    Party::Enterprise,
                    Action::Confirmed {
                        rating: 5,
                        comment: "办理及时，满意".into(),
                    },
                ),
            ],
        ),
    ];
    for (i, (category, priority, title, description, department, by, raised, steps)) in
        cases.into_iter().enumerate()
    {
        let department = dept(department).await?;
        // The first comes with the power company's receipt, as a file one can download.
        let files = if i == 0 {
            vec![NewFile {
                name: "临时用电申请受理回执.txt".into(),
                bytes: "国网青岛供电公司 临时用电申请受理回执\n申请容量：2,500 kVA\n受理日期：2026-10-30\n"
                    .as_bytes()
                    .to_vec(),
            }]
        } else {
            Vec::new()
        };
        let b = store
            .raise_blocker(
                &actor,
                &scope,
                None,
                by,
                &NewBlocker {
                    project_id: project,
                    phase_id: None,
                    category: category.into(),
                    priority: priority.into(),
                    title: title.into(),
                    description: description.into(),
                    files,
                    department_id: department,
                },
                day(raised),
            )
            .await
            .map_err(demo_err)?;
        for (on, party, action) in steps {
            let dept_of = (party == Party::Department).then_some(department);
            store
                .act_on_blocker(
                    &actor,
                    &scope,
                    None,
                    party,
                    dept_of,
                    b.id,
                    action,
                    &[],
                    None,
                    day(on),
                )
                .await
                .map_err(demo_err)?;
        }
    }
    Ok(())
}

/// The parcel the demo hands phase 1 of the Sinopharm city, and the regional assessments
/// the zone already made for it (Qingdao's 用地清单制).
pub const SINOPHARM_PARCEL: &str = "GX-2026-07";
pub const SINOPHARM_ASSESSMENTS: &[&str] = &[
    "geological_hazard",
    "mineral",
    "archaeology",
    "flood",
    "soil_water",
    "energy",
    "seismic",
];
pub const SINOPHARM_PROJECT: &str = "青岛国药科技城";

/// The Sinopharm Science & Technology City: 60 亿元 in four phases; phase 1 has its land
/// (and so its service list), phases 2–4 are signed and waiting for land.
async fn load_sinopharm(
    store: &Store,
    zone: &Zone,
    enterprise: luodi_domain::EnterpriseId,
    steward: Option<luodi_domain::UserId>,
) -> Result<()> {
    use crate::stewardship::projects::{NewPhase, NewProject};
    use luodi_domain::core::money::Fen;
    use luodi_domain::stewardship::project::{PhaseFacts, PhaseStatus};
    if store
        .project_by_name(zone.id, SINOPHARM_PROJECT)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let actor = Actor::System("demo");
    let phase = |investment_wan: f64, land_area_mu: f64| PhaseFacts {
        investment_wan: Some(investment_wan),
        fixed_asset_investment_wan: Some(investment_wan * 0.8),
        land_area_mu: Some(land_area_mu),
        floor_area_m2: Some(land_area_mu * 666.67 * 1.2),
        civil_floor_area_m2: Some(6_000.0),
        height_m: Some(36.0),
        energy_tce: Some(3_000.0),
        hazardous_chemicals: Some(false),
        radiation: Some(false),
        pathogens: Some(false),
        occupational_hazards: Some(false),
        foreign_invested: Some(false),
        special_equipment: Some(true),
        new_construction: Some(true),
        approval_route: Some("filing".into()),
        eia_class: Some("report_table".into()),
        land_supply: Some("auction".into()),
        construction_months: Some(18.0),
    };
    let new = NewProject {
        enterprise_id: enterprise,
        name: SINOPHARM_PROJECT.into(),
        name_en: Some("Qingdao Sinopharm Science & Technology City".into()),
        total_investment: Fen::from_yuan(6_000_000_000).expect("fits"),
        industry_code: Some("C2761".into()),
        chain_position: Some(luodi_domain::core::enterprise::ChainPosition::Midstream),
        expected_output: Fen::from_yuan(10_000_000_000),
        expected_tax: Fen::from_yuan(500_000_000),
        jobs: Some(3_000),
        steward_id: steward,
        phases: vec![
            NewPhase {
                name: "一期".into(),
                status: PhaseStatus::LandMatched,
                facts: phase(150_000.0, 120.0),
            },
            NewPhase {
                name: "二期".into(),
                status: PhaseStatus::Signed,
                facts: phase(150_000.0, 110.0),
            },
            NewPhase {
                name: "三期".into(),
                status: PhaseStatus::Signed,
                facts: phase(150_000.0, 100.0),
            },
            NewPhase {
                name: "四期".into(),
                status: PhaseStatus::Signed,
                facts: phase(150_000.0, 100.0),
            },
        ],
    };
    let project = store.create_project(&actor, zone.id, &new).await?;
    let handover = crate::approvals::service_lists::Handover {
        date: chrono::NaiveDate::from_ymd_opt(2026, 10, 15).expect("a date"),
        parcel_code: SINOPHARM_PARCEL.into(),
        assessments: SINOPHARM_ASSESSMENTS
            .iter()
            .map(|s| s.to_string())
            .collect(),
    };
    let scope = luodi_domain::Scope {
        zone: Some(zone.id),
        enterprise: None,
    };
    // What each phase needs of its land, as the landing office recorded it.
    for (i, ph) in project.phases.iter().enumerate() {
        let needs = luodi_domain::land::matching::LandNeeds {
            area_mu_min: if i == 0 { 80.0 } else { 60.0 },
            area_mu_max: if i == 0 { 140.0 } else { 200.0 },
            industry: Some("C2761".into()),
            investment_wan: Some(150_000.0),
            annual_tax_wan: Some(5_000.0),
            annual_output_wan: Some(200_000.0),
            power_kva: Some(6_000.0),
            water_m3_per_day: Some(if i == 0 { 500.0 } else { 800.0 }),
            gas: true,
            sewage_class: Some("B".into()),
            budget_per_mu_wan: Some(40.0),
            preferred_parks: vec!["biomed-park".into()],
            partners: vec![luodi_domain::land::matching::Partner {
                name: "国药器械青岛公司".into(),
                lon: 120.3003,
                lat: 36.3052,
            }],
            ..Default::default()
        };
        store.set_land_needs(&actor, &scope, ph.id, &needs).await?;
    }
    // The landing office reserved the parcel for phase 1 when it matched it.
    if let Some(parcel) = store.parcel_by_code(zone.id, SINOPHARM_PARCEL).await? {
        match store
            .reserve_parcel(&actor, zone.id, parcel.id, project.phases[0].id, None)
            .await
        {
            Ok(_) => {}
            Err(crate::land::parcels::AllocationError::Store(e)) => return Err(e),
            Err(other) => unreachable!("the demo parcel is reserved: {other}"),
        }
    }
    match store
        .hand_over(&actor, &scope, project.phases[0].id, &handover)
        .await
    {
        Ok(_) => Ok(()),
        Err(crate::approvals::service_lists::HandoverError::Store(e)) => Err(e),
        Err(other) => unreachable!("the demo phase is handed over: {other}"),
    }
}

/// The park's parcels: a 4 × 4 grid east of 高新区's centre (about 120.30° E, 36.31° N),
/// each with its control indicators, utilities and regional assessments; GX-2026-07 is
/// the one the Sinopharm city's phase 1 was handed. Loaded once (when the zone has none).
async fn load_parcels(store: &Store, zone: &Zone) -> Result<()> {
    if store.parcels(zone.id, None, 0, 1).await?.1 > 0 {
        return Ok(());
    }
    let boundary = serde_json::json!({"type": "Polygon", "coordinates": [[
        [120.2815, 36.2975], [120.3100, 36.2960], [120.3140, 36.3040], [120.3135, 36.3180],
        [120.2990, 36.3195], [120.2820, 36.3170], [120.2800, 36.3080], [120.2815, 36.2975]]]});
    let shape = luodi_domain::land::geometry::shape_from_geojson(Some(&boundary))
        .unwrap_or_else(|p| unreachable!("the demo park boundary is valid: {p:?}"));
    store
        .set_park_boundary(&Actor::System("demo"), zone.id, "biomed-park", &shape)
        .await?;
    let kinds: Vec<&str> = luodi_domain::approvals::rule::ASSESSMENTS
        .iter()
        .map(|a| a.0)
        .collect();
    let mut features = Vec::new();
    for k in 0..16usize {
        let (row, col) = (k / 4, k % 4);
        // Widths and heights vary so areas run from about 45 to 190 mu.
        let w = 0.0022 + 0.0004 * ((k * 7) % 5) as f64;
        let h = 0.0016 + 0.0003 * ((k * 3) % 4) as f64;
        let (x, y) = (120.285 + col as f64 * 0.0062, 36.300 + row as f64 * 0.0048);
        let ring = serde_json::json!([[
            [x, y],
            [x + w, y],
            [x + w, y + h],
            [x + w * 0.15, y + h],
            [x, y + h * 0.8],
            [x, y]
        ]]);
        let code = format!("GX-2026-{:02}", k + 1);
        let assessed: Vec<&str> = if code == SINOPHARM_PARCEL {
            SINOPHARM_ASSESSMENTS.to_vec()
        } else {
            kinds
                .iter()
                .enumerate()
                .filter(|(i, _)| (k + i * 3) % 4 != 0)
                .map(|(_, a)| *a)
                .collect()
        };
        let status = if k == 2 { "withdrawn" } else { "available" };
        let sewage = ["B", "C", "B", "A"][k % 4];
        let industries = match k % 3 {
            0 => "C27,C358",
            1 => "C27",
            _ => "C358,C3586",
        };
        features.push(serde_json::json!({
            "type": "Feature",
            "properties": {
                "code": code,
                "name": format!("康湾生物医药园 {}号地块", k + 1),
                "park": "biomed-park",
                "status": status,
                "price_per_mu_wan": 22 + (k % 5) * 4,
                "power_kva": 4_000 + (k % 4) * 4_000,
                "water_m3_per_day": 500 + (k % 3) * 1_000,
                "gas": k % 5 != 4,
                "steam": k % 2 == 0,
                "road_access": true,
                "sewage_class": sewage,
                "plot_ratio_min": 0.7,
                "plot_ratio_max": 1.8 + (k % 3) as f64 * 0.2,
                "building_coverage_min": 0.35,
                "green_ratio_max": 0.2,
                "height_max_m": 40 + (k % 2) * 20,
                "investment_intensity_min_wan_per_mu": 250 + (k % 3) * 50,
                "tax_per_mu_min_wan": 20 + (k % 2) * 5,
                "output_per_mu_min_wan": 400,
                "energy_per_value_added_max_tce": 0.35,
                "allowed_industries": industries,
                "assessments": assessed,
                "checked_on": "2026-09-30"
            },
            "geometry": {"type": "Polygon", "coordinates": ring}
        }));
    }
    let text = serde_json::json!({"type": "FeatureCollection", "features": features}).to_string();
    let drafts = luodi_domain::land::readers::parcels_from_geojson(&text)
        .unwrap_or_else(|p| unreachable!("the demo parcels are valid: {p:?}"));
    match store
        .import_parcels(&Actor::System("demo"), zone.id, &drafts)
        .await
    {
        Ok(_) => Ok(()),
        Err(crate::land::parcels::ParcelImportError::Store(e)) => Err(e),
        Err(other) => unreachable!("the demo parcels import: {other}"),
    }
}

/// The land of the `k`th project of the zone's history: a rectangle of `mu` 亩 in two rows
/// south of the park's grid, with the regional assessments its handover counted.
fn past_parcel(
    k: usize,
    code: &str,
    mu: f64,
    industry: &str,
    assessments: &[String],
    controls: &serde_json::Value,
) -> serde_json::Value {
    let area_m2 = mu * 2000.0 / 3.0;
    let (w_m, h_m) = ((area_m2 * 1.4).sqrt(), (area_m2 / 1.4).sqrt());
    // Metres to degrees at 36.29° N.
    let (w, h) = (w_m / 89_700.0, h_m / 110_950.0);
    let (x, y) = (
        120.262 + (k % 10) as f64 * 0.0058,
        36.2805 - (k / 10) as f64 * 0.0052,
    );
    let mut parcel = serde_json::json!({"type": "FeatureCollection", "features": [{
        "type": "Feature",
        "properties": {
            "code": code,
            "name": format!("高新区已供地块 {}号", k + 1),
            "allowed_industries": industry,
            "power_kva": 8_000,
            "water_m3_per_day": 1_000,
            "gas": true,
            "road_access": true,
            "sewage_class": "B",
            "assessments": assessments,
            "checked_on": "2023-12-31"
        },
        "geometry": {"type": "Polygon", "coordinates": [[
            [x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]
        ]]}
    }]});
    if let (Some(props), Some(extra)) = (
        parcel["features"][0]["properties"].as_object_mut(),
        controls.as_object(),
    ) {
        props.extend(extra.clone());
    }
    parcel
}

/// The demo zone's id, if it has been loaded.
pub async fn zone_id(store: &Store) -> Result<ZoneId> {
    store
        .zone_by_code(ZONE_CODE)
        .await?
        .map(|z| z.id)
        .ok_or(StoreError::NotFound)
}

/// The day the demo's history is played up to: nothing in it happens later.
pub const HISTORY_UNTIL: (i32, u32, u32) = (2026, 11, 20);

/// (enterprise index, name, English name, industry, land handover, investment in 亿元, mu)
const PAST_PROJECTS: &[(usize, &str, &str, &str, &str, i64, f64)] = &[
    (
        1,
        "阿斯利康吸入气雾剂生产基地",
        "AstraZeneca inhalation aerosol plant",
        "C2720",
        "2024-01-15",
        20,
        80.0,
    ),
    (
        2,
        "海尔生物医疗智慧实验室产业园",
        "Haier Biomedical smart laboratory park",
        "C3581",
        "2024-03-04",
        12,
        60.0,
    ),
    (
        3,
        "康湾体外诊断试剂一期",
        "Kangwan IVD reagents, phase 1",
        "C2761",
        "2024-04-22",
        5,
        35.0,
    ),
    (
        4,
        "海湾医用影像设备产业园",
        "Bay medical imaging equipment park",
        "C3584",
        "2024-06-03",
        8,
        50.0,
    ),
    (
        5,
        "康复辅具智能制造中心",
        "Rehabilitation aids smart manufacturing centre",
        "C3586",
        "2024-07-15",
        3,
        25.0,
    ),
    (
        1,
        "阿斯利康区域研发中心",
        "AstraZeneca regional R&D centre",
        "C2720",
        "2024-09-02",
        15,
        45.0,
    ),
    (
        2,
        "海尔血液技术产业化基地",
        "Haier blood technology industrial base",
        "C3581",
        "2024-10-21",
        10,
        55.0,
    ),
    (
        3,
        "康湾分子诊断试剂车间",
        "Kangwan molecular diagnostics workshop",
        "C2761",
        "2024-12-09",
        4,
        30.0,
    ),
    (
        4,
        "海湾手术机器人生产基地",
        "Bay surgical robot plant",
        "C3584",
        "2025-02-24",
        9,
        40.0,
    ),
    (
        2,
        "海尔智慧药房设备工厂",
        "Haier smart pharmacy equipment factory",
        "C3581",
        "2025-04-14",
        6,
        38.0,
    ),
    (
        5,
        "康复辅具二期",
        "Rehabilitation aids, phase 2",
        "C3586",
        "2025-06-09",
        2,
        20.0,
    ),
    (
        1,
        "阿斯利康生物药原液车间",
        "AstraZeneca biologics drug substance plant",
        "C2720",
        "2025-08-04",
        25,
        90.0,
    ),
    (
        3,
        "康湾质谱诊断中心",
        "Kangwan mass-spectrometry diagnostics centre",
        "C2761",
        "2025-10-13",
        6,
        32.0,
    ),
    (
        4,
        "海湾高端植介入器械园",
        "Bay advanced implant devices park",
        "C3584",
        "2026-03-09",
        11,
        48.0,
    ),
    (
        2,
        "海尔细胞存储产业园",
        "Haier cell storage industrial park",
        "C3581",
        "2026-06-01",
        7,
        40.0,
    ),
    (
        5,
        "康复机器人研发中试基地",
        "Rehabilitation robot pilot base",
        "C3586",
        "2026-08-17",
        3,
        22.0,
    ),
    (
        1,
        "阿斯利康吸入制剂二期",
        "AstraZeneca inhalation products, phase 2",
        "C2720",
        "2026-09-21",
        18,
        70.0,
    ),
    (
        3,
        "康湾即时检验（POCT）试剂基地",
        "Kangwan point-of-care testing reagents base",
        "C2761",
        "2026-10-26",
        5,
        30.0,
    ),
    (
        4,
        "海湾康复外骨骼生产线",
        "Bay rehabilitation exoskeleton line",
        "C3584",
        "2026-11-09",
        4,
        26.0,
    ),
];

/// The zone's history: projects landed since 2024, each phase's list played forward to
/// [`HISTORY_UNTIL`] — most finished, the latest under way — so forecasts learn how long
/// items really take here, and the portfolio has more than one project to rank.
async fn load_history(
    store: &Store,
    zone: &Zone,
    steward: Option<luodi_domain::UserId>,
) -> Result<()> {
    if store
        .project_by_name(zone.id, PAST_PROJECTS[0].1)
        .await?
        .is_some()
    {
        return Ok(());
    }
    for (k, past) in PAST_PROJECTS.iter().enumerate() {
        land_past(store, zone, steward, k, past, &serde_json::json!({})).await?;
    }
    Ok(())
}

/// (enterprise, name, English name, industry, handover day, investment in 亿元, mu)
pub(crate) type PastProject<'a> = (usize, &'a str, &'a str, &'a str, &'a str, i64, f64);

/// Lands the `k`th project of the zone's history: the project with one phase, its parcel
/// (with the control indicators `controls` adds to its attributes) reserved and handed
/// over on the day given, and its service list played forward to [`HISTORY_UNTIL`] as
/// items really take here. Returns the phase's id.
pub(crate) async fn land_past(
    store: &Store,
    zone: &Zone,
    steward: Option<luodi_domain::UserId>,
    k: usize,
    (enterprise, name, name_en, industry, handover, yi, mu): &PastProject<'_>,
    controls: &serde_json::Value,
) -> Result<i64> {
    use crate::stewardship::projects::{NewPhase, NewProject};
    use luodi_domain::core::money::Fen;
    use luodi_domain::stewardship::project::PhaseStatus;
    use rand::{Rng, SeedableRng};
    let actor = Actor::System("demo");
    let scope = luodi_domain::Scope {
        zone: Some(zone.id),
        enterprise: None,
    };
    let (_, _, catalogue) = store.catalogue(zone.id, None).await?;
    let calendar = store.calendar().await?;
    let (y, m, d) = HISTORY_UNTIL;
    let until = chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a date");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(k as u64 + 1);
    let e = store
        .enterprise_by_uscc(zone.id, demo_uscc(*enterprise).as_str())
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut facts = luodi_domain::forecast::portfolio::random_facts(&mut rng);
    facts.investment_wan = Some(*yi as f64 * 10_000.0);
    facts.fixed_asset_investment_wan = Some(*yi as f64 * 8_000.0);
    facts.land_area_mu = Some(*mu);
    let facts_months = facts.construction_months;
    let project = store
        .create_project(
            &actor,
            zone.id,
            &NewProject {
                enterprise_id: e.id,
                name: name.to_string(),
                name_en: Some(name_en.to_string()),
                total_investment: Fen::from_yuan(yi * 100_000_000).expect("fits"),
                industry_code: Some(industry.to_string()),
                chain_position: Some(luodi_domain::core::enterprise::ChainPosition::Midstream),
                expected_output: Fen::from_yuan(yi * 150_000_000),
                expected_tax: Fen::from_yuan(yi * 8_000_000),
                jobs: Some(*yi * 40),
                steward_id: steward,
                phases: vec![NewPhase {
                    name: "一期".into(),
                    status: PhaseStatus::LandMatched,
                    facts,
                }],
            },
        )
        .await?;
    let assessments: Vec<String> = luodi_domain::approvals::rule::ASSESSMENTS
        .iter()
        .filter(|_| rng.random_bool(0.6))
        .map(|a| a.0.to_string())
        .collect();
    let date = chrono::NaiveDate::parse_from_str(handover, "%Y-%m-%d").expect("a date");
    let phase = project.phases[0].id;
    // Its land: a parcel the zone holds, reserved for the phase and then handed over,
    // as every handover is.
    let parcel_code = format!("GX-{}-P{:02}", &handover[..4], k + 1);
    let parcel = past_parcel(k, &parcel_code, *mu, industry, &assessments, controls);
    let drafts = luodi_domain::land::readers::parcels_from_geojson(&parcel.to_string())
        .unwrap_or_else(|p| unreachable!("the demo's past parcels are valid: {p:?}"));
    match store.import_parcels(&actor, zone.id, &drafts).await {
        Ok(_) => {}
        Err(crate::land::parcels::ParcelImportError::Store(e)) => return Err(e),
        Err(other) => unreachable!("the demo's past parcels import: {other}"),
    }
    let parcel_id = store
        .parcel_by_code(zone.id, &parcel_code)
        .await?
        .ok_or(StoreError::NotFound)?
        .id;
    match store
        .reserve_parcel(&actor, zone.id, parcel_id, phase, None)
        .await
    {
        Ok(_) => {}
        Err(crate::land::parcels::AllocationError::Store(e)) => return Err(e),
        Err(other) => unreachable!("the demo's past parcels are reserved: {other}"),
    }
    let list = match store
        .hand_over(
            &actor,
            &scope,
            phase,
            &crate::approvals::service_lists::Handover {
                date,
                parcel_code,
                assessments: assessments.clone(),
            },
        )
        .await
    {
        Ok(list) => list,
        Err(crate::approvals::service_lists::HandoverError::Store(e)) => return Err(e),
        Err(other) => unreachable!("the demo's past phases are handed over: {other}"),
    };
    let listed: Vec<luodi_domain::approvals::catalogue::ListedItem> = list
        .items
        .iter()
        .map(|i| luodi_domain::approvals::catalogue::ListedItem {
            code: i.code.clone(),
            applicability: i.applicability,
            waived_by: i.waived_by.clone(),
            prerequisites: i.prerequisites.clone(),
        })
        .collect();
    let course = luodi_domain::forecast::portfolio::course(
        &calendar,
        &catalogue,
        &listed,
        date,
        until,
        facts_months,
        rng.random(),
    );
    match store.import_course(&actor, &scope, phase, &course).await {
        Ok(_) => {}
        Err(crate::approvals::service_lists::CourseError::Store(e)) => return Err(e),
        Err(other) => unreachable!("the demo's courses are possible: {other}"),
    }
    Ok(phase)
}
