//! The demo zone of the brief: Qingdao High-tech Zone (青岛高新区), its biomedicine and
//! medical device park, the departments of "land use as one thing", a handful of
//! enterprises of the "China Health Bay" (中国康湾) cluster and one user per role.
//! Loading is idempotent: every step looks for what it would create first.
//!
//! The unified social credit codes are made up (valid by GB 32100, built with
//! [`Uscc::complete`]), not the real companies' codes.

use luodi_domain::enterprise::{EnterpriseDraft, EnterpriseInput};
use luodi_domain::uscc::Uscc;
use luodi_domain::{Role, ZoneId};

use crate::audit::Actor;
use crate::orgs::{Park, Zone};
use crate::users::{NewUser, UserError};
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
        .import_catalogue(&actor, zone.id, luodi_domain::catalogue::DEFAULT)
        .await
    {
        Ok(_) => {}
        Err(crate::catalogue::ImportError::Store(e)) => return Err(e),
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
            department_id: role.needs_department().then_some(approval_dept).flatten(),
            enterprise_id: role
                .needs_enterprise()
                .then_some(first_enterprise)
                .flatten(),
        };
        match store.create_user(&actor, new, DEMO_PASSWORD).await {
            Ok(_) => {}
            Err(UserError::Store(e)) => return Err(e),
            Err(UserError::Invalid(why)) => unreachable!("demo users are valid: {why}"),
        }
    }
    Ok(zone)
}

/// The demo zone's id, if it has been loaded.
pub async fn zone_id(store: &Store) -> Result<ZoneId> {
    store
        .zone_by_code(ZONE_CODE)
        .await?
        .map(|z| z.id)
        .ok_or(StoreError::NotFound)
}
