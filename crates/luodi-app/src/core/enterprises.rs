//! Enterprises (企业): the list (search, filter, sort, pages) and its export, a record with
//! its history, and registering and editing one. An enterprise user keeps its own details
//! current but may not change its code (`Operation::ChangeEnterpriseCode`).

use luodi_domain::Lang;
use luodi_domain::Operation;
use luodi_domain::Text;
use luodi_domain::core::enterprise::{ChainPosition, EnterpriseDraft, EnterpriseInput};
use luodi_domain::core::i18n;
use luodi_domain::core::industry::IndustryCode;
use luodi_domain::{EnterpriseId, Scope};
use luodi_store::core::audit::AuditEntry;
use luodi_store::core::enterprises::{Enterprise, EnterpriseQuery, EnterpriseSort};
use luodi_store::{Page, PageRequest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::CoreError;
use crate::core::list::{Filter, ListQuery, ListSpec, Values};
use crate::core::table::{Cell, Table};
use crate::{App, Caller};

/// An enterprise to create, or the full new state of one to update.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnterpriseRequest {
    /// 统一社会信用代码 — 18 characters, GB 32100-2015, with a valid check character.
    #[schema(example = "91350100M000100Y43", min_length = 18, max_length = 22)]
    pub uscc: String,
    /// 1–200 characters.
    #[schema(example = "青岛示例医疗器械有限公司", min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(max_length = 200)]
    pub name_en: Option<String>,
    /// GB/T 4754-2017 industry code, e.g. `C3581` or `3581`.
    #[schema(example = "C3581")]
    pub industry_code: Option<String>,
    /// `upstream`, `midstream` or `downstream`.
    #[schema(example = "midstream", pattern = "^(upstream|midstream|downstream)?$")]
    pub chain_position: Option<String>,
    /// `large`, `medium`, `small` or `micro`.
    #[schema(pattern = "^(large|medium|small|micro)?$")]
    pub size: Option<String>,
    #[schema(max_length = 300)]
    pub address: Option<String>,
    #[schema(max_length = 100)]
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    /// On update: the version you read; a newer stored version answers 409 `stale`.
    pub version: Option<i64>,
}

impl EnterpriseRequest {
    /// The request as the rules read it.
    pub fn input(&self) -> EnterpriseInput {
        EnterpriseInput {
            uscc: self.uscc.clone(),
            name: self.name.clone(),
            name_en: self.name_en.clone(),
            industry_code: self.industry_code.clone(),
            chain_position: self.chain_position.clone(),
            size: self.size.clone(),
            address: self.address.clone(),
            contact_name: self.contact_name.clone(),
            contact_phone: self.contact_phone.clone(),
            contact_email: self.contact_email.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnterpriseResponse {
    pub id: i64,
    pub zone_id: i64,
    pub uscc: String,
    pub name: String,
    pub name_en: Option<String>,
    pub industry_code: Option<String>,
    /// The industry's name in the request's language.
    pub industry_name: Option<String>,
    #[schema(example = "midstream")]
    pub chain_position: Option<String>,
    pub size: Option<String>,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    /// UTC, RFC 3339.
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

impl EnterpriseResponse {
    pub fn new(e: Enterprise, lang: Lang) -> Self {
        EnterpriseResponse {
            industry_name: e.industry().map(|c| c.name(lang)),
            id: e.id.0,
            zone_id: e.zone_id.0,
            uscc: e.uscc,
            name: e.name,
            name_en: e.name_en,
            industry_code: e.industry_code,
            chain_position: e.chain_position.map(|c| c.as_str().to_string()),
            size: e.size.map(|s| s.as_str().to_string()),
            address: e.address,
            contact_name: e.contact_name,
            contact_phone: e.contact_phone,
            contact_email: e.contact_email,
            created_at: e.created_at,
            updated_at: e.updated_at,
            version: e.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnterprisePage {
    pub items: Vec<EnterpriseResponse>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl EnterprisePage {
    /// A page of enterprises as the API shows it, in `lang`.
    pub fn new(found: Page<Enterprise>, lang: Lang) -> Self {
        EnterprisePage {
            items: found
                .items
                .into_iter()
                .map(|e| EnterpriseResponse::new(e, lang))
                .collect(),
            total: found.total,
            page: found.page,
            per_page: found.per_page,
        }
    }
}

/// The query parameters the list knows.
pub const LIST_PARAMS: &[&str] = &[
    "q",
    "chain_position",
    "industry",
    "sort",
    "order",
    "page",
    "per_page",
];

/// What the enterprise list's pages take: the same parameters as the API's list.
pub const LIST: ListSpec = ListSpec {
    search: true,
    filters: &[
        Filter::new(
            "chain_position",
            Values::OneOf(&["upstream", "midstream", "downstream"]),
        ),
        // Checked as an industry code by `ListFilter::parse`, which says why it is not one.
        Filter::new("industry", Values::Text),
    ],
    sorts: &["name", "uscc", "industry_code", "created_at"],
    default_desc: false,
    per_page: 20,
    extra: &[],
};

impl ListFilter {
    /// The filters of a list query read against [`LIST`].
    pub fn of(query: &ListQuery) -> ListFilter {
        let text = |name: &str| query.filter(name).map(str::to_string);
        ListFilter {
            q: query.search.clone(),
            chain_position: text("chain_position"),
            industry: text("industry"),
            sort: Some(query.sort.to_string()),
            order: Some(if query.descending { "desc" } else { "asc" }.to_string()),
        }
    }
}

/// The list's filters as given (each `None` when not given).
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub q: Option<String>,
    pub chain_position: Option<String>,
    pub industry: Option<String>,
    pub sort: Option<String>,
    pub order: Option<String>,
}

fn bad(name: &'static str, key: &str) -> CoreError {
    CoreError::BadParameter {
        name,
        what: Text::key(key),
    }
}

impl ListFilter {
    /// The filters read, refusing any that are wrong (naming the parameter).
    pub fn parse(&self) -> Result<EnterpriseQuery, CoreError> {
        let chain_position = match self.chain_position.as_deref() {
            Some(c) => Some(
                ChainPosition::parse(c)
                    .ok_or_else(|| bad("chain_position", "core.param.chain_position"))?,
            ),
            None => None,
        };
        let industry_prefix = match self.industry.as_deref() {
            Some(c) => Some(IndustryCode::parse(c).map_err(|e| {
                // The Chinese text says only that it is not a code; the English one why.
                let why = e.message(Lang::En);
                CoreError::BadParameter {
                    name: "industry",
                    what: Text::from_fn(|lang| {
                        let why = match lang {
                            Lang::Zh => "",
                            Lang::En => why.as_str(),
                        };
                        i18n::fill(lang, "core.param.industry", &[("error", why)])
                    }),
                }
            })?),
            None => None,
        };
        let sort = match self.sort.as_deref() {
            Some(s) => {
                Some(EnterpriseSort::parse(s).ok_or_else(|| bad("sort", "core.param.sort"))?)
            }
            None => None,
        };
        let descending = match self.order.as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(_) => return Err(bad("order", "core.param.order")),
        };
        Ok(EnterpriseQuery {
            search: self.q.clone(),
            chain_position,
            industry_prefix,
            sort,
            descending,
        })
    }
}

/// A page of the list, with what the caller may do.
pub struct EnterpriseList {
    pub found: Page<Enterprise>,
    /// Whether the caller may register an enterprise.
    pub may_create: bool,
    /// Whether the caller sees only their own enterprise ("my enterprise").
    pub own_only: bool,
}

/// Page `page` of the enterprises the caller sees that match `query`.
pub async fn list(
    app: &App,
    caller: &Caller,
    query: &EnterpriseQuery,
    page: PageRequest,
) -> Result<EnterpriseList, CoreError> {
    let scope = caller.scope_for(Operation::ViewEnterprises)?;
    let found = app.store.enterprises(&scope, query, page).await?;
    Ok(EnterpriseList {
        found,
        may_create: caller.scope_for(Operation::CreateEnterprise).is_ok(),
        own_only: scope.enterprise.is_some(),
    })
}

/// The list page for a list query (see [`LIST`]): its filters checked, then [`list`].
pub async fn list_page(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<EnterpriseList, CoreError> {
    let filter = ListFilter::of(query).parse()?;
    list(app, caller, &filter, query.page).await
}

/// The export of a list query's view (see [`LIST`]), every page of it.
pub async fn export_page(
    app: &App,
    caller: &Caller,
    query: &ListQuery,
) -> Result<Table, CoreError> {
    let filter = ListFilter::of(query).parse()?;
    export(app, caller, &filter).await
}

/// Every enterprise the caller sees that matches `query`, all pages of it.
async fn all_matching(
    app: &App,
    scope: &Scope,
    query: &EnterpriseQuery,
) -> Result<Vec<Enterprise>, CoreError> {
    let mut out = Vec::new();
    let mut p = 1;
    loop {
        let req = PageRequest {
            page: p,
            per_page: PageRequest::MAX_PER_PAGE,
        };
        let batch = app.store.enterprises(scope, query, req).await?;
        let total = batch.total;
        out.extend(batch.items);
        if p * PageRequest::MAX_PER_PAGE >= total {
            break;
        }
        p += 1;
    }
    Ok(out)
}

/// The export's columns, by catalogue key.
const EXPORT_COLUMNS: &[&str] = &[
    "enterprise.uscc",
    "enterprise.name",
    "enterprise.name_en",
    "enterprise.industry_code",
    "enterprise.industry",
    "enterprise.chain_position",
    "enterprise.size",
    "enterprise.address",
    "enterprise.contact_name",
    "enterprise.contact_phone",
    "enterprise.contact_email",
];

/// The enterprises the caller sees that match `query`, every page of them, as a table in
/// the caller's language.
pub async fn export(
    app: &App,
    caller: &Caller,
    query: &EnterpriseQuery,
) -> Result<Table, CoreError> {
    let scope = caller.scope_for(Operation::ViewEnterprises)?;
    let lang = caller.lang;
    let label = |t: Option<Text>| t.map(|t| t.get(lang).to_string()).unwrap_or_default();
    let rows = all_matching(app, &scope, query)
        .await?
        .iter()
        .map(|e| {
            [
                e.uscc.clone(),
                e.name.clone(),
                e.name_en.clone().unwrap_or_default(),
                e.industry_code.clone().unwrap_or_default(),
                e.industry().map(|c| c.name(lang)).unwrap_or_default(),
                label(e.chain_position.map(|c| c.label())),
                label(e.size.map(|s| s.label())),
                e.address.clone().unwrap_or_default(),
                e.contact_name.clone().unwrap_or_default(),
                e.contact_phone.clone().unwrap_or_default(),
                e.contact_email.clone().unwrap_or_default(),
            ]
            .into_iter()
            .map(Cell::from)
            .collect()
        })
        .collect();
    Ok(Table {
        name: "enterprises".into(),
        headers: EXPORT_COLUMNS
            .iter()
            .map(|c| i18n::text(lang, c).to_string())
            .collect(),
        rows,
    })
}

/// Enterprise `id`, if the caller sees it.
pub async fn show(app: &App, caller: &Caller, id: i64) -> Result<Enterprise, CoreError> {
    let scope = caller.scope_for(Operation::ViewEnterprises)?;
    Ok(app.store.enterprise(&scope, EnterpriseId(id)).await?)
}

/// An enterprise's page: the record, what the caller may do with it, and its history in
/// the audit trail (for those who read the trail; newest first, 50 at most).
pub struct EnterpriseView {
    pub enterprise: Enterprise,
    pub may_edit: bool,
    pub history: Vec<AuditEntry>,
}

/// Enterprise `id` with what its page shows.
pub async fn view(app: &App, caller: &Caller, id: i64) -> Result<EnterpriseView, CoreError> {
    let enterprise = show(app, caller, id).await?;
    let history = match caller.scope_for(Operation::ViewAudit) {
        Ok(scope) => {
            let id = enterprise.id.to_string();
            app.store
                .audit_entries(
                    &scope,
                    Some(("enterprise", &id)),
                    PageRequest {
                        page: 1,
                        per_page: 50,
                    },
                )
                .await?
                .items
        }
        Err(_) => Vec::new(),
    };
    Ok(EnterpriseView {
        may_edit: caller.scope_for(Operation::EditEnterprise).is_ok(),
        enterprise,
        history,
    })
}

/// Whether the caller may not change an enterprise's code (an enterprise user: the code
/// is the zone's to change).
pub fn code_locked(caller: &Caller) -> bool {
    caller.scope_for(Operation::ChangeEnterpriseCode).is_err()
}

/// Whether the caller may register an enterprise (to offer the form).
pub fn may_create(caller: &Caller) -> Result<(), CoreError> {
    caller.zone_for(Operation::CreateEnterprise)?;
    Ok(())
}

/// Registers an enterprise in the caller's zone.
pub async fn create(
    app: &App,
    caller: &Caller,
    input: &EnterpriseInput,
) -> Result<Enterprise, CoreError> {
    let zone = caller.zone_for(Operation::CreateEnterprise)?;
    let draft = EnterpriseDraft::parse(input).map_err(CoreError::Fields)?;
    Ok(app
        .store
        .create_enterprise(&caller.actor, zone, &draft)
        .await?)
}

/// An enterprise to edit: the record, and whether its code is locked for the caller.
pub struct EditForm {
    pub enterprise: Enterprise,
    pub code_locked: bool,
}

/// Enterprise `id`, to edit: not found before refused, as the page shows it.
pub async fn edit_form(app: &App, caller: &Caller, id: i64) -> Result<EditForm, CoreError> {
    let enterprise = show(app, caller, id).await?;
    caller.scope_for(Operation::EditEnterprise)?;
    Ok(EditForm {
        enterprise,
        code_locked: code_locked(caller),
    })
}

/// What to do with a code the caller may not change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockedCode {
    /// Refuse a change (403): the API.
    Refuse,
    /// Keep the stored code whatever was sent: a form that shows the code read-only.
    Keep,
}

/// Replaces enterprise `id`'s details with `input`; `version`, when given, must be the
/// stored one.
pub async fn update(
    app: &App,
    caller: &Caller,
    id: i64,
    input: &EnterpriseInput,
    version: Option<i64>,
    locked: LockedCode,
) -> Result<Enterprise, CoreError> {
    let scope = caller.scope_for(Operation::EditEnterprise)?;
    let current = app.store.enterprise(&scope, EnterpriseId(id)).await?;
    let code_locked = code_locked(caller);
    let mut input = input.clone();
    if code_locked && locked == LockedCode::Keep {
        input.uscc = current.uscc.clone();
    }
    let draft = EnterpriseDraft::parse(&input).map_err(CoreError::Fields)?;
    if code_locked && draft.uscc.as_str() != current.uscc {
        return Err(CoreError::CodeLocked);
    }
    Ok(app
        .store
        .update_enterprise(&caller.actor, &scope, current.id, &draft, version)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::{Kind, Problem};

    fn refused(filter: ListFilter) -> Problem {
        filter.parse().expect_err("refused").into()
    }

    #[test]
    fn the_filters_are_read_and_wrong_ones_named() {
        let q = ListFilter {
            q: Some("医疗".into()),
            chain_position: Some("upstream".into()),
            industry: Some("C27".into()),
            sort: Some("uscc".into()),
            order: Some("desc".into()),
        }
        .parse()
        .unwrap();
        assert_eq!(q.chain_position, Some(ChainPosition::Upstream));
        assert_eq!(q.sort, Some(EnterpriseSort::Uscc));
        assert!(q.descending && q.industry_prefix.is_some());

        let p = refused(ListFilter {
            order: Some("up".into()),
            ..Default::default()
        });
        assert_eq!(
            (p.kind, p.code.as_ref()),
            (Kind::Malformed, "bad_parameter")
        );
        assert_eq!(p.field.as_deref(), Some("order"));
        assert_eq!(
            p.message.get(Lang::En),
            "query parameter 'order' must be asc or desc"
        );
        assert_eq!(p.message.get(Lang::Zh), "查询参数“order”应为 asc 或 desc");

        // English says why the industry is wrong; Chinese that it is no code.
        let p = refused(ListFilter {
            industry: Some("Z99".into()),
            ..Default::default()
        });
        assert_eq!(p.field.as_deref(), Some("industry"));
        assert!(
            p.message
                .get(Lang::En)
                .starts_with("query parameter 'industry' is wrong: "),
            "{}",
            p.message.en
        );
        assert_eq!(
            p.message.get(Lang::Zh),
            "查询参数“industry”不是 GB/T 4754 代码"
        );
    }

    #[test]
    fn a_locked_code_is_refused_on_its_field() {
        let p = Problem::from(CoreError::CodeLocked);
        assert_eq!(
            (p.kind, p.field.as_deref()),
            (Kind::Forbidden, Some("uscc"))
        );
        assert_eq!(
            p.message.get(Lang::En),
            "an enterprise user cannot change the unified social credit code; ask the zone"
        );
    }
}
