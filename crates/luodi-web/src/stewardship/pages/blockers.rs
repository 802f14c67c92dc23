//! Pages for blockers (难点堵点), which work like tickets: the list with each blocker's
//! three clocks, the form to raise one (with files, the department searched by name), and
//! a blocker's page with its clocks, its files, its timeline (each entry with its time)
//! and the actions the user may take — comments and internal notes, assigning a named
//! officer, the steward's nudge and re-route. Each refused field shows its error beside it
//! in the user's language. The same rules and storage as `/api/v1/blockers`; an
//! enterprise sees and raises only its own, and never an internal note or its files.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use luodi_app::core::list::{ListError, ListQuery};
use luodi_app::stewardship::StewardshipError;
use luodi_app::stewardship::blocker_list::{self, LIST, STATES, WAITING_ON};
use luodi_app::stewardship::blockers::{
    self, ActionRequest, BlockerResponse, RaiseRequest, Upload,
};
use luodi_domain::Lang;
use luodi_domain::core::i18n;
use luodi_domain::stewardship::attachment;
use luodi_domain::stewardship::blocker::Action as BlockerAction;
use luodi_domain::stewardship::blocker::{ClockKind, Party, State as BlockerState};

use crate::AppState;
use crate::error::ApiError;
use crate::export::ExportFormat;
use crate::extract::{PageUser, QueryParams};
use crate::pages::form::{Control, FieldView};
use crate::pages::list::{self, ListView};
use crate::pages::{FormData, Layout, PageForm, error_page, render};

/// The most a form with files may weigh: every file at its limit, and the text around.
pub const MAX_FORM_BYTES: usize = attachment::MAX_FILES * attachment::MAX_FILE_BYTES + 256 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/blockers",
            get(list)
                .post(raise)
                .layer(DefaultBodyLimit::max(MAX_FORM_BYTES)),
        )
        .route("/blockers/export.csv", get(export_csv))
        .route("/blockers/export.xlsx", get(export_xlsx))
        .route("/blockers/{id}", get(show))
        .route(
            "/blockers/{id}/act",
            post(act).layer(DefaultBodyLimit::max(MAX_FORM_BYTES)),
        )
        .route("/blockers/{id}/files/{file}", get(download))
}

pub struct ClockCell {
    pub label: String,
    pub text: String,
    pub class: &'static str,
    pub due: Option<String>,
    pub limit: u32,
    pub used: i64,
}

pub struct Row {
    pub id: i64,
    pub title: String,
    pub category_text: String,
    pub priority_text: String,
    pub raised_on: String,
    pub project_name: String,
    pub department: String,
    /// The officer it is assigned to, if any.
    pub assignee: Option<String>,
    pub state_text: String,
    /// Who must act next, in words (empty once closed).
    pub waiting_on: String,
    pub waiting_on_enterprise: bool,
    pub clocks: Vec<ClockCell>,
}

fn cells(b: &BlockerResponse) -> Vec<ClockCell> {
    b.clocks
        .iter()
        .map(|c| ClockCell {
            label: c.label.clone(),
            text: c.status_text.clone(),
            class: crate::pages::badge::blocker(c.status),
            due: c.due.clone(),
            limit: c.limit,
            used: c.used,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "blockers.html")]
struct ListPage {
    l: Layout,
    summary: String,
    list: ListView,
    rows: Vec<Row>,
    may_raise: bool,
    /// The raise form's fields, with their errors after a refused raise.
    raise: Vec<FieldView>,
    /// A refusal that belongs to no one field.
    error: Option<String>,
}

/// The list's parameters, with the older `show` (open, all, closed, mine) read as the
/// filters it stood for, so bookmarks made before the shared list still work.
fn with_show(params: &QueryParams) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (k, v) in params.pairs() {
        match (k.as_str(), v.as_str()) {
            ("show", "mine") => pairs.push(("department".into(), "mine".into())),
            ("show", show) => pairs.push(("state".into(), show.into())),
            _ => pairs.push((k.clone(), v.clone())),
        }
    }
    pairs
}

async fn list(
    State(state): State<AppState>,
    page: PageUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    let query = ListQuery::parse(&LIST, &with_show(&params));
    render_list(&state, &page, query, StatusCode::OK, Refused::none()).await
}

/// A refused form as it is shown again: what was typed, each field's error, and the
/// error that belongs to no field.
#[derive(Default)]
struct Refused {
    typed: Vec<(String, String)>,
    fields: Vec<(String, String)>,
    general: Option<String>,
    /// The form it was (an action's kind), on a blocker's page.
    kind: String,
}

impl Refused {
    fn none() -> Refused {
        Refused::default()
    }

    /// From the use case's error: its fields' errors under the form's names for them
    /// (`department_id` is the searchable `department` on the raise form).
    fn of(e: &ApiError, form: &FormData, rename: &[(&str, &str)]) -> Refused {
        let name = |f: &str| {
            rename
                .iter()
                .find(|r| r.0 == f)
                .map_or(f.to_string(), |r| r.1.to_string())
        };
        let mut fields: Vec<(String, String)> = e
            .body
            .errors
            .iter()
            .map(|fe| (name(&fe.field), fe.message.clone()))
            .collect();
        let mut general = None;
        match &e.body.field {
            Some(f) if fields.is_empty() && f != "kind" && f != "version" => {
                fields.push((name(f), e.body.message.clone()))
            }
            Some(_) if !fields.is_empty() => {}
            _ => general = Some(e.body.message.clone()),
        }
        Refused {
            typed: form.pairs.clone(),
            fields,
            general,
            kind: form.text("kind"),
        }
    }

    fn typed(&self, name: &str) -> String {
        self.typed
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    fn error(&self, name: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

/// The files of a form as the use cases take them.
fn uploads(form: &FormData) -> Vec<Upload> {
    form.files_in("files")
        .map(|f| Upload {
            name: f.name.clone(),
            bytes: f.bytes.clone(),
        })
        .collect()
}

/// A form whose body went past the limit: refused beside its file field, nothing done.
fn oversize(lang: Lang, form: &FormData) -> Refused {
    Refused {
        typed: form.pairs.clone(),
        fields: vec![(
            "files".into(),
            i18n::fill(
                lang,
                "blockers.too_large",
                &[
                    (
                        "mb",
                        &(attachment::MAX_FILE_BYTES / (1024 * 1024)).to_string(),
                    ),
                    ("most", &attachment::MAX_FILES.to_string()),
                ],
            ),
        )],
        general: None,
        kind: form.text("kind"),
    }
}

async fn render_list(
    state: &AppState,
    page: &PageUser,
    query: Result<ListQuery, ListError>,
    status: StatusCode,
    refused: Refused,
) -> Result<Response, ApiError> {
    let path = "/blockers";
    let l = Layout::new(state, page, "blockers.title", "nav.stewards", path).await;
    let query = match query {
        Ok(q) => q,
        Err(e) => return Ok(list::refused(l, e)),
    };
    let view = match blocker_list::list(&state.app, &page.caller(), &query).await {
        Ok(v) => v,
        Err(StewardshipError::Denied(_)) => {
            return Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden"));
        }
        Err(e) => return Err(ApiError::app(page.lang, e)),
    };
    let lang = page.lang;
    let tr = &l.tr;
    let rows: Vec<Row> = view
        .found
        .items
        .iter()
        .map(|line| {
            let b = &line.blocker;
            Row {
                id: b.id,
                title: b.title.clone(),
                category_text: b.category_text.clone(),
                priority_text: b.priority_text.clone(),
                raised_on: b.raised_on.clone(),
                project_name: b.project_name.clone(),
                department: b.department.clone(),
                assignee: b.assignee_name.clone(),
                state_text: b.state_text.clone(),
                waiting_on: line
                    .waiting_on
                    .map(|p| blocker_list::party_text(p, lang))
                    .unwrap_or_default(),
                waiting_on_enterprise: b.waiting_on_enterprise,
                clocks: cells(b),
            }
        })
        .collect();
    let summary = tr
        .t("blockers.summary")
        .replace("{n}", &view.found.total.to_string())
        .replace("{missed}", &view.missed.to_string())
        .replace("{today}", &view.today.to_string());
    let word = |k: &str| tr.t(k).to_string();
    let states = STATES
        .iter()
        .map(|s| {
            let label = match *s {
                "open" => word("blockers.show_open"),
                "all" => word("blockers.show_all"),
                "unacknowledged" => word("blocker_list.unacknowledged"),
                s => BlockerState::parse(s)
                    .map(|st| st.label().get(lang).to_string())
                    .unwrap_or_else(|| s.to_string()),
            };
            (s.to_string(), label)
        })
        .collect();
    let mut departments: Vec<(String, String)> = Vec::new();
    if view.has_department {
        departments.push(("mine".into(), word("blockers.show_mine")));
    }
    departments.extend(
        view.departments
            .iter()
            .map(|(_, code, name)| (code.clone(), name.clone())),
    );
    let projects = view
        .projects
        .iter()
        .map(|(id, n)| (id.to_string(), n.clone()))
        .collect();
    let clocks = vec![
        ("missed".to_string(), word("blocker_list.clock_missed")),
        ("due_soon".to_string(), word("blocker_list.clock_due_soon")),
    ];
    let waiting = WAITING_ON
        .iter()
        .map(|w| {
            let label = Party::parse(w)
                .map(|p| blocker_list::party_text(p, lang))
                .unwrap_or_default();
            (w.to_string(), label)
        })
        .collect();
    let mut assignees = Vec::new();
    if view.has_department {
        assignees.push(("me".to_string(), word("blocker_list.assignee_me")));
    }
    let all = Some(tr.t("lists.all"));
    let mut list = ListView::new(tr, path, &query, view.found.total)
        .searched(&query)
        .select(&query, "state", tr.t("blockers.state"), states, None)
        .select(
            &query,
            "department",
            tr.t("blockers.department"),
            departments,
            all,
        )
        .select(&query, "project", tr.t("blockers.project"), projects, all)
        .select(&query, "clock", tr.t("blocker_list.clock"), clocks, all)
        .select(
            &query,
            "waiting_on",
            tr.t("blocker_list.waiting_on"),
            waiting,
            all,
        )
        .select(
            &query,
            "assignee",
            tr.t("blocker_list.assignee"),
            assignees,
            all,
        )
        .column(&query, tr.t("blockers.title_col"), None)
        .column(&query, tr.t("blocker_list.raised"), Some("raised"))
        .column(&query, tr.t("blockers.priority"), Some("priority"))
        .column(&query, tr.t("blockers.project"), None)
        .column(&query, tr.t("blockers.department"), None)
        .column(&query, tr.t("blockers.state"), None);
    for (i, k) in ClockKind::ALL.iter().enumerate() {
        // The first clock's heading sorts by the worst of the three.
        let sort = (i == 0).then_some("clock");
        list = list.column(&query, k.label().get(lang), sort);
    }
    let raise = raise_fields(
        lang,
        &view.raise_projects,
        &view
            .departments
            .iter()
            .map(|(id, _, n)| (*id, n.clone()))
            .collect::<Vec<_>>(),
        &refused,
    );
    Ok(render(
        status,
        &ListPage {
            summary,
            list,
            rows,
            may_raise: view.may_raise,
            raise,
            error: refused.general,
            l,
        },
    ))
}

/// The raise form's fields, as typed and refused.
fn raise_fields(
    lang: Lang,
    projects: &[(i64, String)],
    departments: &[(i64, String)],
    refused: &Refused,
) -> Vec<FieldView> {
    let t = |k: &str| i18n::text(lang, k).to_string();
    let typed_or = |name: &str, default: &str| {
        let v = refused.typed(name);
        if v.is_empty() { default.to_string() } else { v }
    };
    let first_project = projects
        .first()
        .map(|p| p.0.to_string())
        .unwrap_or_default();
    let codes = |list: Vec<(&'static str, String)>| {
        list.into_iter()
            .map(|(c, n)| (c.to_string(), n))
            .collect::<Vec<_>>()
    };
    let field = |name: &str, label: String, value: String| {
        FieldView::labelled(name, label, value)
            .prefixed("raise")
            .error(refused.error(name))
    };
    vec![
        field(
            "project_id",
            t("blockers.project"),
            typed_or("project_id", &first_project),
        )
        .choices(
            projects
                .iter()
                .map(|(id, n)| (id.to_string(), n.clone()))
                .collect(),
        )
        .required(),
        field(
            "category",
            t("blockers.category"),
            typed_or("category", "other"),
        )
        .choices(codes(blockers::categories(lang)))
        .required(),
        field(
            "priority",
            t("blockers.priority"),
            typed_or("priority", "normal"),
        )
        .choices(codes(blockers::priorities(lang)))
        .required(),
        field(
            "department",
            t("blockers.department"),
            refused.typed("department"),
        )
        .control(Control::Search(
            departments.iter().map(|d| d.1.clone()).collect(),
        ))
        .hint(t("blockers.department_hint"))
        .required(),
        field("title", t("blockers.title_col"), refused.typed("title")).required(),
        field(
            "description",
            t("blockers.description"),
            refused.typed("description"),
        )
        .control(Control::TextArea)
        .required(),
        field("files", t("blockers.field_files"), String::new())
            .control(Control::Files {
                accept: attachment::accept(),
            })
            .hint(t("blockers.files_hint")),
    ]
}

/// Raises a blocker from its form (files and all), then shows it (Post/Redirect/Get); a
/// refused raise shows the list again with each error beside its field and what was
/// typed kept, having written nothing.
async fn raise(
    State(state): State<AppState>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let lang = page.lang;
    let again = |refused: Refused, status: StatusCode| {
        let state = state.clone();
        let page = &page;
        async move {
            let query = ListQuery::parse(&LIST, &[]);
            render_list(&state, page, query, status, refused).await
        }
    };
    if form.oversize() {
        return again(oversize(lang, &form), StatusCode::PAYLOAD_TOO_LARGE).await;
    }
    let caller = page.caller();
    // The department by name (the searchable field) or, from an older form, by id.
    let typed_department = form
        .get("department")
        .filter(|v| !v.trim().is_empty())
        .or(form.get("department_id"))
        .unwrap_or("")
        .to_string();
    let department_id = match blockers::department_named(&state.app, &caller, &typed_department)
        .await
    {
        Ok(Some(id)) => id,
        Ok(None) => {
            let key = if typed_department.trim().is_empty() {
                "blockers.department_needed"
            } else {
                "stewardship.blocker_error.no_department_named"
            };
            let refused = Refused {
                typed: form.pairs.clone(),
                fields: vec![(
                    "department".into(),
                    i18n::fill(lang, key, &[("name", typed_department.trim())]),
                )],
                ..Refused::default()
            };
            return again(refused, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Err(StewardshipError::Denied(_)) => {
            let l = Layout::new(&state, &page, "error.title", "nav.stewards", "/blockers").await;
            return Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden"));
        }
        Err(e) => return Err(ApiError::app(lang, e)),
    };
    let request = RaiseRequest {
        project_id: form.text("project_id").parse().unwrap_or(0),
        phase_id: None,
        category: form.text("category"),
        priority: Some(form.get("priority").unwrap_or("normal").to_string()),
        title: form.text("title"),
        description: form.text("description"),
        department_id,
    };
    match blockers::raise(&state.app, &caller, request, uploads(&form)).await {
        Ok(b) => Ok(Redirect::to(&format!("/blockers/{}?done=raised", b.id)).into_response()),
        Err(StewardshipError::Denied(_)) => {
            let l = Layout::new(&state, &page, "error.title", "nav.stewards", "/blockers").await;
            Ok(error_page(l, StatusCode::FORBIDDEN, "error.forbidden"))
        }
        Err(e) => {
            let e = ApiError::app(lang, e);
            if e.status.is_server_error() {
                return Err(e);
            }
            let refused = Refused::of(&e, &form, &[("department_id", "department")]);
            again(refused, e.status).await
        }
    }
}

/// A file of an entry, as the page links it.
pub struct FileLink {
    pub href: String,
    pub name: String,
    pub size: String,
    pub internal: bool,
}

pub struct EventLine {
    pub seq: i64,
    /// The working day it counts on, in words, when it differs from when it was recorded.
    pub counted_on: Option<String>,
    /// When it was recorded, in the zone's time.
    pub at: String,
    pub what: String,
    pub who: String,
    pub detail: String,
    pub internal: bool,
    pub files: Vec<FileLink>,
}

pub struct ActionForm {
    pub kind: &'static str,
    pub label: String,
    pub hint: Option<String>,
    pub fields: Vec<FieldView>,
}

#[derive(Template)]
#[template(path = "blocker.html")]
struct DetailPage {
    l: Layout,
    b: BlockerResponse,
    clocks: Vec<ClockCell>,
    events: Vec<EventLine>,
    files: Vec<FileLink>,
    forms: Vec<ActionForm>,
    error: Option<String>,
}

/// The fields each action's form asks for.
fn fields(kind: &str) -> &'static [&'static str] {
    match kind {
        "rerouted" => &["department", "reason"],
        "answered" | "enterprise_responded" | "resolved" | "nudged" => &["text"],
        "waiting_on_enterprise" | "withdrawn" => &["reason"],
        "marked_complex" => &["resolve_limit", "reason"],
        "confirmed" => &["rating", "comment"],
        "commented" => &["text", "internal", "files"],
        "assigned" => &["assignee_id"],
        _ => &[],
    }
}

async fn show(
    State(state): State<AppState>,
    page: PageUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    render_detail(&state, &page, &id, StatusCode::OK, Refused::none()).await
}

async fn render_detail(
    state: &AppState,
    page: &PageUser,
    id: &str,
    status: StatusCode,
    refused: Refused,
) -> Result<Response, ApiError> {
    let l = Layout::new(state, page, "blockers.title", "nav.stewards", "/blockers").await;
    let Ok(id) = id.parse::<i64>() else {
        return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
    };
    let detail = match blockers::detail(&state.app, &page.caller(), id).await {
        Ok(d) => d,
        // A user of no zone sees no blocker.
        Err(StewardshipError::Denied(_)) => {
            return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
        }
        Err(e) => {
            let e = ApiError::app(page.lang, e);
            if e.status == StatusCode::NOT_FOUND {
                return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
            }
            return Err(e);
        }
    };
    let lang = page.lang;
    let b = detail.blocker;
    let departments = detail.departments;
    let dept_name = |id: i64| {
        departments
            .iter()
            .find(|d| d.0 == id)
            .map(|d| d.1.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let officer_name = |id: i64| {
        detail
            .officers
            .iter()
            .find(|o| o.0 == id)
            .map(|o| o.1.clone())
            .or_else(|| {
                (b.assignee_id == Some(id))
                    .then(|| b.assignee_name.clone())
                    .flatten()
            })
            .unwrap_or_else(|| format!("#{id}"))
    };
    let link = |a: &luodi_app::stewardship::blockers::AttachmentResponse| FileLink {
        href: format!("/blockers/{}/files/{}", b.id, a.id),
        name: a.name.clone(),
        size: a.size_text.clone(),
        internal: a.internal,
    };
    let events = b
        .events
        .iter()
        .map(|e| {
            let detail = match &e.action {
                BlockerAction::Rerouted { department, reason } => i18n::fill(
                    lang,
                    "stewardship.blocker_page.rerouted",
                    &[("department", &dept_name(*department)), ("reason", reason)],
                ),
                BlockerAction::Answered { text }
                | BlockerAction::EnterpriseResponded { text }
                | BlockerAction::Resolved { text }
                | BlockerAction::Commented { text, .. }
                | BlockerAction::Nudged { text } => text.clone(),
                BlockerAction::WaitingOnEnterprise { reason }
                | BlockerAction::Withdrawn { reason } => reason.clone(),
                BlockerAction::MarkedComplex {
                    resolve_limit,
                    reason,
                } => format!("{resolve_limit} · {reason}"),
                BlockerAction::Confirmed { rating, comment } => format!("{rating}/5 {comment}"),
                BlockerAction::Escalated { clock, rung } => format!(
                    "{} · {}",
                    clock.label().get(lang),
                    l.tr.t(&format!("blockers.rung_{rung}"))
                ),
                BlockerAction::Assigned { user } => officer_name(*user),
                BlockerAction::Raised | BlockerAction::Acknowledged => String::new(),
            };
            EventLine {
                seq: e.seq,
                // The working day it counts on, when not the day it was recorded (an
                // entry made late, or the demo's history).
                counted_on: (!e.at.starts_with(&e.on))
                    .then(|| i18n::fill(lang, "blockers.counted_on", &[("on", &e.on)])),
                at: e.at.clone(),
                what: l
                    .tr
                    .t(&format!("blockers.action_{}", e.action.name()))
                    .to_string(),
                who: e
                    .user_name
                    .clone()
                    .unwrap_or_else(|| l.tr.t(&format!("blockers.party_{}", e.by)).to_string()),
                detail,
                internal: e.internal,
                files: b
                    .attachments
                    .iter()
                    .filter(|a| a.seq == e.seq)
                    .map(link)
                    .collect(),
            }
        })
        .collect();
    let files = b.attachments.iter().map(link).collect();
    let t = |k: &str| l.tr.t(k).to_string();
    let forms: Vec<ActionForm> = b
        .actions
        .iter()
        .map(|kind| {
            let mine = refused.kind == *kind;
            let typed = |name: &str| {
                if mine {
                    refused.typed(name)
                } else {
                    String::new()
                }
            };
            let prefix = format!("act-{kind}");
            let fields = fields(kind)
                .iter()
                .filter(|f| **f != "internal" || detail.writes_internal)
                .map(|f| {
                    let label = match *f {
                        "department" => t("blockers.field_department_id"),
                        f => l.tr.t(&format!("blockers.field_{f}")).to_string(),
                    };
                    let mut v = FieldView::labelled(*f, label, typed(f))
                        .prefixed(&prefix)
                        .error(if mine { refused.error(f) } else { None });
                    v = match *f {
                        "department" => v
                            .control(Control::Search(
                                departments
                                    .iter()
                                    .filter(|d| d.0 != b.department_id)
                                    .map(|d| d.1.clone())
                                    .collect(),
                            ))
                            .hint(t("blockers.department_hint"))
                            .required(),
                        "rating" => v
                            .choices(
                                (1..=5)
                                    .rev()
                                    .map(|r| (r.to_string(), r.to_string()))
                                    .collect(),
                            )
                            .required(),
                        "assignee_id" => v
                            .choices(
                                detail
                                    .officers
                                    .iter()
                                    .filter(|o| Some(o.0) != b.assignee_id)
                                    .map(|o| (o.0.to_string(), o.1.clone()))
                                    .collect(),
                            )
                            .required(),
                        "internal" => v
                            .control(Control::Checkbox)
                            .hint(t("blockers.internal_hint")),
                        "files" => v
                            .control(Control::Files {
                                accept: attachment::accept(),
                            })
                            .hint(t("blockers.files_hint")),
                        "text" | "comment" => v.control(Control::TextArea),
                        "resolve_limit" => v.figure().required(),
                        _ => v.required(),
                    };
                    if *f == "text" && *kind != "commented" {
                        v = v.required();
                    }
                    v
                })
                .collect();
            ActionForm {
                kind,
                label: l.tr.t(&format!("blockers.action_{kind}")).to_string(),
                hint: match *kind {
                    "commented" if detail.writes_internal => Some(t("blockers.comment_hint")),
                    "nudged" => Some(t("blockers.nudge_hint")),
                    _ => None,
                },
                fields,
            }
        })
        .collect();
    // An error for a field no form on the page shows (the form is no longer offered, or
    // has no such field for this user) is shown above them all, not lost.
    let shown = |field: &str| {
        forms
            .iter()
            .filter(|f| f.kind == refused.kind)
            .any(|f| f.fields.iter().any(|v| v.name == field))
    };
    let mut general: Vec<String> = refused.general.clone().into_iter().collect();
    general.extend(
        refused
            .fields
            .iter()
            .filter(|(f, _)| !shown(f))
            .map(|(_, m)| m.clone()),
    );
    let l = l.titled(b.title.clone());
    Ok(render(
        status,
        &DetailPage {
            clocks: cells(&b),
            b,
            events,
            files,
            forms,
            error: (!general.is_empty()).then(|| general.join("；")),
            l,
        },
    ))
}

/// Takes an action from a blocker's page, then shows the blocker again (Post/Redirect/
/// Get, with a confirmation); a refused one shows the page with each error beside its
/// field in the form it came from, what was typed kept, nothing done.
async fn act(
    State(state): State<AppState>,
    Path(id): Path<String>,
    PageForm { page, form }: PageForm,
) -> Result<Response, ApiError> {
    let lang = page.lang;
    let Ok(blocker_id) = id.parse::<i64>() else {
        let l = Layout::new(&state, &page, "error.title", "nav.stewards", "/blockers").await;
        return Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"));
    };
    if form.oversize() {
        return render_detail(
            &state,
            &page,
            &id,
            StatusCode::PAYLOAD_TOO_LARGE,
            oversize(lang, &form),
        )
        .await;
    }
    let caller = page.caller();
    let opt = |k: &str| {
        form.get(k)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let kind = form.text("kind");
    let department_id = match opt("department").or_else(|| opt("department_id")) {
        None => None,
        Some(typed) => match blockers::department_named(&state.app, &caller, &typed).await {
            Ok(Some(d)) => Some(d),
            Ok(None) => {
                let refused = Refused {
                    typed: form.pairs.clone(),
                    fields: vec![(
                        "department".into(),
                        i18n::fill(
                            lang,
                            "stewardship.blocker_error.no_department_named",
                            &[("name", &typed)],
                        ),
                    )],
                    general: None,
                    kind,
                };
                return render_detail(
                    &state,
                    &page,
                    &id,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    refused,
                )
                .await;
            }
            Err(e) => return Err(ApiError::app(lang, e)),
        },
    };
    let request = ActionRequest {
        kind: kind.clone(),
        text: opt("text"),
        reason: opt("reason"),
        department_id,
        rating: opt("rating").and_then(|v| v.parse().ok()),
        comment: opt("comment"),
        resolve_limit: opt("resolve_limit").and_then(|v| v.parse().ok()),
        internal: Some(form.get("internal") == Some("true")),
        assignee_id: opt("assignee_id").and_then(|v| v.parse().ok()),
        version: opt("version").and_then(|v| v.parse().ok()),
    };
    let result = blockers::act(&state.app, &caller, blocker_id, &request, &uploads(&form))
        .await
        .map_err(|e| ApiError::app(lang, e));
    match result {
        Ok(_) => Ok(
            Redirect::to(&format!("/blockers/{blocker_id}?done=blocker_{kind}")).into_response(),
        ),
        Err(e) if e.status.is_server_error() => Err(e),
        Err(e) if e.status == StatusCode::NOT_FOUND => {
            let l = Layout::new(&state, &page, "error.title", "nav.stewards", "/blockers").await;
            Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"))
        }
        Err(e) => {
            let refused = Refused::of(&e, &form, &[("department_id", "department")]);
            render_detail(&state, &page, &id, e.status, refused).await
        }
    }
}

/// A file of a blocker, for those who may see the blocker (never an internal note's for
/// an enterprise: not found, as a missing one).
async fn download(
    State(state): State<AppState>,
    page: PageUser,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let not_found = || async {
        let l = Layout::new(&state, &page, "error.title", "nav.stewards", "/blockers").await;
        Ok(error_page(l, StatusCode::NOT_FOUND, "error.not_found"))
    };
    let (Ok(id), Ok(file)) = (id.parse::<i64>(), file.parse::<i64>()) else {
        return not_found().await;
    };
    match blockers::attachment(&state.app, &page.caller(), id, file).await {
        Ok(f) => Ok(serve(f)),
        Err(StewardshipError::Denied(_)) => not_found().await,
        Err(e) => {
            let e = ApiError::app(page.lang, e);
            if e.status == StatusCode::NOT_FOUND {
                return not_found().await;
            }
            Err(e)
        }
    }
}
async fn export_csv(
    state: State<AppState>,
    page: PageUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    export(state, page, params, ExportFormat::Csv).await
}

async fn export_xlsx(
    state: State<AppState>,
    page: PageUser,
    params: QueryParams,
) -> Result<Response, ApiError> {
    export(state, page, params, ExportFormat::Xlsx).await
}

/// `/blockers/export.csv` and `.xlsx`: the filtered list, every page of it.
async fn export(
    State(state): State<AppState>,
    page: PageUser,
    params: QueryParams,
    format: ExportFormat,
) -> Result<Response, ApiError> {
    let query =
        ListQuery::parse(&LIST, &with_show(&params)).map_err(|e| ApiError::app(page.lang, e))?;
    let table = blocker_list::export(&state.app, &page.caller(), &query)
        .await
        .map_err(|e| ApiError::app(page.lang, e))?;
    Ok(crate::export::response(&table, format))
}

/// A blocker's file as the page and the API serve it: with the kind its content is,
/// shown in the browser only when that kind is safe to show.
pub fn serve(f: luodi_store::stewardship::blockers::AttachmentFile) -> Response {
    let inline = attachment::sniff(&f.content).is_some_and(|k| k.inline());
    crate::export::file(&f.meta.name, &f.meta.media_type, inline, f.content)
}
