//! Enterprise pages: the list (search, filter, sort, pages, export), a record, and the
//! create and edit forms with each error beside its field.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use luodi_app::core::CoreError;
use luodi_app::core::enterprises::{self, LockedCode};
use luodi_domain::core::enterprise::{ChainPosition, EnterpriseInput, EnterpriseSize, FieldError};
use luodi_domain::core::time::{from_stored, zone_display};
use luodi_domain::{Lang, Text};
use luodi_store::StoreError;
use luodi_store::core::enterprises::Enterprise;

use crate::AppState;
use crate::core::pages::home::{AuditRow, audit_row};
use crate::error::ApiError;
use crate::extract::{PageUser, QueryParams};
use crate::pages::form::FieldView;
use crate::pages::list::{self, ListView};
use crate::pages::{FormData, Layout, PageForm, error_page, render};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/enterprises", get(list).post(create))
        .route("/enterprises/{file}", get(show_or_export).post(update))
        .route("/enterprises/new", get(new_form))
        .route("/enterprises/{id}/edit", get(edit_form))
}

pub struct Row {
    pub id: i64,
    pub name: String,
    pub name_en: Option<String>,
    pub uscc: String,
    pub industry: String,
    pub chain: String,
    pub size: String,
}

#[derive(Template)]
#[template(path = "enterprises.html")]
struct ListPage {
    l: Layout,
    may_create: bool,
    list: ListView,
    rows: Vec<Row>,
}

fn industry_text(e: &Enterprise, lang: Lang) -> String {
    match e.industry() {
        Some(c) => format!("{} {}", c.as_str(), c.name(lang)),
        None => "—".into(),
    }
}

fn row(e: Enterprise, lang: Lang) -> Row {
    Row {
        id: e.id.0,
        industry: industry_text(&e, lang),
        chain: e
            .chain_position
            .map(|c| c.label().get(lang).to_string())
            .unwrap_or_else(|| "—".into()),
        size: e
            .size
            .map(|s| s.label().get(lang).to_string())
            .unwrap_or_else(|| "—".into()),
        name: e.name,
        name_en: e.name_en,
        uscc: e.uscc,
    }
}

async fn list(
    State(state): State<AppState>,
    page: PageUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let path = "/enterprises";
    let own = luodi_domain::core::policy::own_enterprise_only(page.user.role);
    let title = if own {
        "nav.my_enterprise"
    } else {
        "enterprise.title"
    };
    let l = Layout::new(&state, &page, title, "nav.enterprises", path).await;
    let query = match list::parse(&enterprises::LIST, &params) {
        Ok(q) => q,
        Err(e) => return Ok(list::refused(l, e)),
    };
    let listed = match enterprises::list_page(&state.app, &page.caller(), &query).await {
        Ok(x) => x,
        Err(e @ CoreError::BadParameter { .. }) => return Ok(list::refused(l, e)),
        Err(e) => return Err(ApiError::app(page.lang, e)),
    };
    let found = listed.found;
    let tr = &l.tr;
    let chain_options = ChainPosition::ALL
        .iter()
        .map(|c| (c.as_str().to_string(), c.label().get(page.lang).to_string()))
        .collect();
    let view = ListView::new(tr, path, &query, found.total)
        .searched(&query)
        .select(
            &query,
            "chain_position",
            tr.t("enterprise.chain_position"),
            chain_options,
            Some(tr.t("lists.all")),
        )
        .column(&query, tr.t("enterprise.name"), Some("name"))
        .column(&query, tr.t("enterprise.uscc"), Some("uscc"))
        .column(&query, tr.t("enterprise.industry"), Some("industry_code"))
        .column(&query, tr.t("enterprise.chain_position"), None)
        .column(&query, tr.t("enterprise.size"), None);
    let rows = found.items.into_iter().map(|e| row(e, page.lang)).collect();
    Ok(render(
        StatusCode::OK,
        &ListPage {
            may_create: listed.may_create,
            l,
            list: view,
            rows,
        },
    ))
}

/// The filtered list, every page of it, as CSV or an Excel workbook.
async fn export(
    State(state): State<AppState>,
    page: PageUser,
    Path(file): Path<String>,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let Some(format) = list::export_format(&file) else {
        return Err(ApiError::not_found(page.lang));
    };
    let query =
        list::parse(&enterprises::LIST, &params).map_err(|e| ApiError::app(page.lang, e))?;
    let table = enterprises::export_page(&state.app, &page.caller(), &query).await?;
    Ok(crate::export::response(&table, format))
}

#[derive(Template)]
#[template(path = "enterprise_form.html")]
struct FormPage {
    l: Layout,
    action: String,
    cancel: String,
    version: Option<i64>,
    fields: Vec<FieldView>,
    errors: Vec<FieldError>,
}

fn input_of(e: &Enterprise) -> EnterpriseInput {
    EnterpriseInput {
        uscc: e.uscc.clone(),
        name: e.name.clone(),
        name_en: e.name_en.clone(),
        industry_code: e.industry_code.clone(),
        chain_position: e.chain_position.map(|c| c.as_str().to_string()),
        size: e.size.map(|s| s.as_str().to_string()),
        address: e.address.clone(),
        contact_name: e.contact_name.clone(),
        contact_phone: e.contact_phone.clone(),
        contact_email: e.contact_email.clone(),
    }
}

fn input_from_form(form: &FormData) -> EnterpriseInput {
    EnterpriseInput {
        uscc: form.text("uscc"),
        name: form.text("name"),
        name_en: form.opt("name_en"),
        industry_code: form.opt("industry_code"),
        chain_position: form.opt("chain_position"),
        size: form.opt("size"),
        address: form.opt("address"),
        contact_name: form.opt("contact_name"),
        contact_phone: form.opt("contact_phone"),
        contact_email: form.opt("contact_email"),
    }
}

fn fields(
    input: &EnterpriseInput,
    errors: &[FieldError],
    lang: Lang,
    uscc_readonly: bool,
) -> Vec<FieldView> {
    let text = |name: &str, label: &str, value: &Option<String>| {
        FieldView::text(lang, name, label, value.clone().unwrap_or_default())
    };
    let hint = |key: &str| luodi_domain::core::i18n::text(lang, key).to_string();
    let mut uscc = text("uscc", "enterprise.uscc", &Some(input.uscc.clone()))
        .required()
        .hint(hint("enterprise.uscc_hint"));
    uscc.readonly = uscc_readonly;
    vec![
        uscc,
        text("name", "enterprise.name", &Some(input.name.clone())).required(),
        text("name_en", "enterprise.name_en", &input.name_en),
        text(
            "industry_code",
            "enterprise.industry_code",
            &input.industry_code,
        )
        .hint(hint("enterprise.industry_hint")),
        text(
            "chain_position",
            "enterprise.chain_position",
            &input.chain_position,
        )
        .choices(
            ChainPosition::ALL
                .iter()
                .map(|c| (c.as_str().to_string(), c.label().get(lang).to_string()))
                .collect(),
        ),
        text("size", "enterprise.size", &input.size).choices(
            EnterpriseSize::ALL
                .iter()
                .map(|c| (c.as_str().to_string(), c.label().get(lang).to_string()))
                .collect(),
        ),
        text("address", "enterprise.address", &input.address),
        text(
            "contact_name",
            "enterprise.contact_name",
            &input.contact_name,
        ),
        text(
            "contact_phone",
            "enterprise.contact_phone",
            &input.contact_phone,
        ),
        text(
            "contact_email",
            "enterprise.contact_email",
            &input.contact_email,
        ),
    ]
    .into_iter()
    .map(|f| f.checked(errors, lang))
    .collect()
}

/// The field error for a code another enterprise of the zone already has.
fn code_taken(field: &str, value: &str) -> FieldError {
    let text = Text::fill("core.error.code_taken", &[("value", value)]);
    FieldError::new(field, "conflict", text)
}

async fn new_form(State(state): State<AppState>, page: PageUser) -> Result<Response, ApiError> {
    let l = Layout::new(
        &state,
        &page,
        "enterprise.new_title",
        "nav.enterprises",
        "/enterprises/new",
    )
    .await;
    if enterprises::may_create(&page.caller()).is_err() {
        return Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden"));
    }
    let f = fields(&EnterpriseInput::default(), &[], page.lang, false);
    Ok(render(
        StatusCode::OK,
        &FormPage {
            l,
            action: "/enterprises".into(),
            cancel: "/enterprises".into(),
            version: None,
            fields: f,
            errors: Vec::new(),
        },
    ))
}

async fn create(
    State(state): State<AppState>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let l = Layout::new(
        &state,
        &page,
        "enterprise.new_title",
        "nav.enterprises",
        "/enterprises/new",
    )
    .await;
    let input = input_from_form(&form);
    let refuse = |l: Layout, errors: Vec<FieldError>, status: StatusCode| {
        let f = fields(&input, &errors, page.lang, false);
        render(
            status,
            &FormPage {
                l,
                action: "/enterprises".into(),
                cancel: "/enterprises".into(),
                version: None,
                fields: f,
                errors,
            },
        )
    };
    match enterprises::create(&state.app, &page.caller(), &input).await {
        Ok(e) => Ok(Redirect::to(&format!("/enterprises/{}?created=1", e.id)).into_response()),
        Err(CoreError::Denied(_)) => Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden")),
        Err(CoreError::Fields(errors)) => Ok(refuse(l, errors, StatusCode::UNPROCESSABLE_ENTITY)),
        Err(CoreError::Store(StoreError::Conflict { field, value })) => Ok(refuse(
            l,
            vec![code_taken(field, &value)],
            StatusCode::CONFLICT,
        )),
        Err(e) => Err(ApiError::app(page.lang, e)),
    }
}

#[derive(Template)]
#[template(path = "enterprise.html")]
struct ShowPage {
    l: Layout,
    id: i64,
    may_edit: bool,
    notice: Option<String>,
    facts: Vec<(&'static str, String)>,
    history: Vec<AuditRow>,
}

/// The not-found page (also for what the caller may not see).
async fn not_found(state: &AppState, page: &PageUser) -> Response {
    error_page(
        Layout::new(
            state,
            page,
            "error.title",
            "nav.enterprises",
            "/enterprises",
        )
        .await,
        StatusCode::NOT_FOUND,
        "error.not_found",
    )
}

/// The id in a path: a number, or nothing there.
fn path_id(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok()
}

/// `/enterprises/{id}` shows one; `/enterprises/export.csv` and `.xlsx` export the list.
async fn show_or_export(
    state: State<AppState>,
    page: PageUser,
    Path(segment): Path<String>,
    params: QueryParams,
) -> Result<Response, ApiError> {
    if segment.starts_with("export.") {
        export(state, page, Path(segment), params).await
    } else {
        show(state, page, Path(segment), params).await
    }
}

async fn show(
    State(state): State<AppState>,
    page: PageUser,
    Path(id): Path<String>,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let Some(id) = path_id(&id) else {
        return Ok(not_found(&state, &page).await);
    };
    let view = match enterprises::view(&state.app, &page.caller(), id).await {
        Ok(v) => v,
        Err(CoreError::Store(StoreError::NotFound)) => return Ok(not_found(&state, &page).await),
        Err(e) => return Err(ApiError::app(page.lang, e)),
    };
    let e = &view.enterprise;
    let path = format!("/enterprises/{}", e.id);
    let l = Layout::new(&state, &page, "enterprise.title", "nav.enterprises", &path)
        .await
        .titled(e.name.clone());
    let lang = page.lang;
    let shown = |t: &str| from_stored(t).map(zone_display).unwrap_or_default();
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    let facts = vec![
        ("enterprise.uscc", e.uscc.clone()),
        ("enterprise.name", e.name.clone()),
        ("enterprise.name_en", dash(&e.name_en)),
        ("enterprise.industry", industry_text(e, lang)),
        (
            "enterprise.chain_position",
            e.chain_position
                .map(|c| c.label().get(lang).to_string())
                .unwrap_or_else(|| "—".into()),
        ),
        (
            "enterprise.size",
            e.size
                .map(|s| s.label().get(lang).to_string())
                .unwrap_or_else(|| "—".into()),
        ),
        ("enterprise.address", dash(&e.address)),
        ("enterprise.contact_name", dash(&e.contact_name)),
        ("enterprise.contact_phone", dash(&e.contact_phone)),
        ("enterprise.contact_email", dash(&e.contact_email)),
        ("enterprise.created_at", shown(&e.created_at)),
        ("enterprise.updated_at", shown(&e.updated_at)),
    ];
    let history = view.history.iter().map(|e| audit_row(&l.tr, e)).collect();
    let notice = if params.text("created").is_some() {
        Some(l.tr.t("enterprise.created").to_string())
    } else if params.text("saved").is_some() {
        Some(l.tr.t("enterprise.saved").to_string())
    } else {
        None
    };
    Ok(render(
        StatusCode::OK,
        &ShowPage {
            may_edit: view.may_edit,
            id: e.id.0,
            l,
            notice,
            facts,
            history,
        },
    ))
}

async fn edit_form(
    State(state): State<AppState>,
    page: PageUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let Some(id) = path_id(&id) else {
        return Ok(not_found(&state, &page).await);
    };
    let path = format!("/enterprises/{id}/edit");
    let l = || {
        Layout::new(
            &state,
            &page,
            "enterprise.edit_title",
            "nav.enterprises",
            &path,
        )
    };
    let form = match enterprises::edit_form(&state.app, &page.caller(), id).await {
        Ok(f) => f,
        Err(CoreError::Store(StoreError::NotFound)) => return Ok(not_found(&state, &page).await),
        Err(CoreError::Denied(_)) => {
            return Ok(error_page(
                l().await,
                StatusCode::FORBIDDEN,
                "error.forbidden",
            ));
        }
        Err(e) => return Err(ApiError::app(page.lang, e)),
    };
    let e = &form.enterprise;
    let f = fields(&input_of(e), &[], page.lang, form.code_locked);
    Ok(render(
        StatusCode::OK,
        &FormPage {
            l: l().await,
            action: format!("/enterprises/{}", e.id),
            cancel: format!("/enterprises/{}", e.id),
            version: Some(e.version),
            fields: f,
            errors: Vec::new(),
        },
    ))
}

async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let Some(id) = path_id(&id) else {
        return Ok(not_found(&state, &page).await);
    };
    let path = format!("/enterprises/{id}/edit");
    let l = || {
        Layout::new(
            &state,
            &page,
            "enterprise.edit_title",
            "nav.enterprises",
            &path,
        )
    };
    let caller = page.caller();
    // The code is shown read-only to an enterprise user; the use case never takes it
    // from the form.
    let locked = enterprises::code_locked(&caller);
    let input = input_from_form(&form);
    let version = form.get("version").and_then(|v| v.parse::<i64>().ok());
    let refuse = |l: Layout, errors: Vec<FieldError>, status: StatusCode| {
        let f = fields(&input, &errors, page.lang, locked);
        render(
            status,
            &FormPage {
                l,
                action: format!("/enterprises/{id}"),
                cancel: format!("/enterprises/{id}"),
                version,
                fields: f,
                errors,
            },
        )
    };
    match enterprises::update(&state.app, &caller, id, &input, version, LockedCode::Keep).await {
        Ok(e) => Ok(Redirect::to(&format!("/enterprises/{}?saved=1", e.id)).into_response()),
        Err(CoreError::Store(StoreError::NotFound)) => Ok(not_found(&state, &page).await),
        Err(CoreError::Denied(_)) => Ok(error_page(
            l().await,
            StatusCode::FORBIDDEN,
            "error.forbidden",
        )),
        Err(CoreError::Fields(errors)) => {
            Ok(refuse(l().await, errors, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(CoreError::Store(StoreError::Conflict { field, value })) => Ok(refuse(
            l().await,
            vec![code_taken(field, &value)],
            StatusCode::CONFLICT,
        )),
        Err(CoreError::Store(StoreError::Stale)) => Ok(refuse(
            l().await,
            vec![FieldError::new(
                "name",
                "stale",
                Text::key("core.error.enterprise_stale"),
            )],
            StatusCode::CONFLICT,
        )),
        Err(e) => Err(ApiError::app(page.lang, e)),
    }
}
