//! Server-rendered pages: what every module's pages share (each module's pages live in
//! its folder, `crate::<module>::pages`, one template struct per page; [`routes`] lists
//! them all): the shared layout ([`Layout`]) and the helpers every page uses (forms with CSRF, pagers, error
//! pages, path numbers, the badges' classes).

pub mod badge;
pub mod form;
pub mod list;
pub mod routes;

use askama::Template;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use luodi_domain::{Operation, Role};

use luodi_domain::core::policy::{decides_for_department, own_enterprise_only};

use crate::AppState;
use crate::extract::PageUser;
use crate::i18n::Tr;

/// A number in a page's path (an id, a phase), when it is a positive whole number; a
/// page answers anything else with its 404.
pub fn path_number(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().filter(|n| *n > 0)
}

pub struct NavItem {
    pub key: &'static str,
    pub href: Option<&'static str>,
    pub active: bool,
}

/// What the shared layout shows around every page.
pub struct Layout {
    pub tr: Tr,
    pub title: String,
    pub user_name: String,
    pub role_label: String,
    pub zone_name: String,
    pub csrf: String,
    pub path: String,
    pub nav: Vec<NavItem>,
    /// Unread notifications, shown by the inbox link.
    pub unread: i64,
    /// The confirmation of what the user just saved (`?done=…` after a form's redirect).
    pub notice: Option<String>,
}

/// The side bar: the modules of the brief, in the order of a project's life. Modules not
/// built yet are listed (so users see the whole product) but are not links.
fn nav(role: Role, active: &str) -> Vec<NavItem> {
    let mut items: Vec<(&'static str, Option<&'static str>)> = vec![("nav.home", Some("/"))];
    if own_enterprise_only(role) {
        items.push(("nav.my_enterprise", Some("/enterprises")));
        items.extend([
            ("nav.projects", Some("/projects")),
            ("nav.statistics", Some("/statistics")),
            ("nav.stewards", Some("/blockers")),
            ("nav.mu", Some("/mu")),
            ("nav.fund", None),
        ]);
    } else {
        items.push(("nav.enterprises", Some("/enterprises")));
        items.extend([
            ("nav.chain", None),
            ("nav.projects", Some("/projects")),
            ("nav.portfolio", Some("/portfolio")),
            ("nav.parcels", Some("/parcels")),
            ("nav.catalogue", Some("/catalogue")),
            ("nav.late", Some("/late")),
            ("nav.board", Some("/board")),
            ("nav.stewards", Some("/blockers")),
            ("nav.fund", None),
            ("nav.leadership", Some("/leadership")),
            ("nav.statistics", Some("/statistics")),
            ("nav.mu", Some("/mu")),
            ("nav.completion", Some("/completion")),
            ("nav.kpis", Some("/cluster")),
        ]);
    }
    if !Operation::ViewStatistics.allows(role) {
        items.retain(|(key, _)| *key != "nav.statistics");
    }
    if decides_for_department(role) {
        items.insert(1, ("nav.queue", Some("/queue")));
    }
    // The cluster's pages only for those who may read them (not a department's officer).
    items.retain(|(key, _)| match *key {
        "nav.mu" => Operation::ViewMuEvaluation.allows(role),
        "nav.completion" => Operation::ViewCompletionChecks.allows(role),
        _ => true,
    });
    if Operation::ViewAudit.allows(role) {
        items.push(("nav.audit", Some("/audit")));
    }
    if Operation::ManageOutbound.allows(role) {
        items.push(("nav.settings", Some("/settings")));
    }
    items.push(("nav.account", Some("/account")));
    items.push(("nav.api_docs", Some("/api/docs/")));
    items
        .into_iter()
        .map(|(key, href)| NavItem {
            key,
            href,
            active: key == active,
        })
        .collect()
}

impl Layout {
    pub async fn new(
        state: &AppState,
        page: &PageUser,
        title_key: &str,
        active: &str,
        path: &str,
    ) -> Layout {
        let tr = Tr::new(page.lang);
        let frame = luodi_app::core::sessions::frame(&state.app, &page.user, page.lang).await;
        let zone_name = frame
            .zone_name
            .unwrap_or_else(|| tr.t("account.province").to_string());
        let unread = frame.unread;
        let notice = page.done.as_deref().and_then(|d| {
            let key = format!("done.{d}");
            luodi_domain::core::i18n::lookup(page.lang, &key)?;
            let figures: Vec<(&str, &str)> = page
                .done_figures
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            Some(luodi_domain::core::i18n::fill(page.lang, &key, &figures))
        });
        Layout {
            notice,
            unread,
            title: tr.t(title_key).to_string(),
            user_name: page.user.display_name.clone(),
            role_label: page.user.role.label().get(page.lang).to_string(),
            zone_name,
            csrf: page.csrf.clone(),
            path: path.to_string(),
            nav: nav(page.user.role, active),
            tr,
        }
    }

    pub fn titled(mut self, title: impl Into<String>) -> Layout {
        self.title = title.into();
        self
    }
}

/// Renders a template to a response; a template error is a 500 with the cause logged.
pub fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => crate::error::ApiError::internal(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub l: Layout,
    pub message: String,
}

pub fn error_page(l: Layout, status: StatusCode, message_key: &str) -> Response {
    let message = l.tr.t(message_key).to_string();
    let title = l.tr.t("error.title").to_string();
    let l = l.titled(title);
    render(status, &ErrorPage { l, message })
}

/// The user's zone where the policy lets them do `op` there, else the error page to
/// answer with (403), under the side bar's `nav` item.
pub async fn page_zone(
    state: &AppState,
    page: &PageUser,
    op: luodi_domain::Operation,
    nav: &str,
) -> Result<luodi_domain::ZoneId, Response> {
    match page.user.caller().zone_for(op) {
        Ok(zone) => Ok(zone),
        Err(_) => {
            let l = Layout::new(state, page, "error.title", nav, "/").await;
            Err(error_page(l, StatusCode::FORBIDDEN, "error.forbidden"))
        }
    }
}

/// How a page answers a use case's refusal ([`Refusal::of`]): the 403 page when the policy
/// refuses, the 404 page when the record is not there for the caller, the error itself
/// for a fault of the server, and anything else — a refusal of what was sent (a conflict,
/// a rule broken) — handed back for the page to show beside what the user typed.
pub enum Refusal {
    /// The policy refused (403) or the record is not the caller's to see (404): the error
    /// page, with the catalogue's message.
    Page(StatusCode, &'static str),
    /// A fault of the server (5xx), answered as it is.
    Fault(crate::error::ApiError),
    /// A refusal of what was sent, for the page to show.
    Input(crate::error::ApiError),
}

impl Refusal {
    /// The use case's error `e`, read in `lang`.
    pub fn of(lang: luodi_domain::Lang, e: impl Into<luodi_app::problem::Problem>) -> Refusal {
        let e = crate::error::ApiError::app(lang, e);
        match e.status {
            StatusCode::FORBIDDEN => Refusal::Page(StatusCode::FORBIDDEN, "error.forbidden"),
            StatusCode::NOT_FOUND => Refusal::Page(StatusCode::NOT_FOUND, "error.not_found"),
            s if s.is_server_error() => Refusal::Fault(e),
            _ => Refusal::Input(e),
        }
    }

    /// The answer of a page that shows no refusal itself: the error page in the layout
    /// `l` makes (made only then), else the error. A page that shows an input's refusal
    /// matches [`Refusal::Input`] first.
    pub async fn answer(
        self,
        l: impl std::future::Future<Output = Layout>,
    ) -> Result<Response, crate::error::ApiError> {
        match self {
            Refusal::Page(status, key) => Ok(error_page(l.await, status, key)),
            Refusal::Fault(e) | Refusal::Input(e) => Err(e),
        }
    }
}

/// A form posted by a signed-in user, its CSRF token checked: every page form that
/// changes something takes this, so none can forget the check. A form without the
/// session's token, or posted from another site, is answered with the 403 page before the
/// handler runs; a visitor without a session is sent to the login page.
///
/// A form posted as `multipart/form-data` (one with a file input) is read the same way:
/// its text fields into [`FormData`], its files into [`FormData::files`], within the body
/// limit of the route. A body past that limit is not an error here: the form is marked
/// [`FormData::oversize`] for the handler to refuse beside the file field, doing nothing.
pub struct PageForm {
    pub page: PageUser,
    pub form: FormData,
}

impl axum::extract::FromRequest<AppState> for PageForm {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &AppState) -> Result<Self, Response> {
        use axum::extract::FromRequestParts;
        let (mut parts, body) = req.into_parts();
        let page = PageUser::from_request_parts(&mut parts, state).await?;
        let multipart = parts
            .headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("multipart/form-data")
            });
        let req = axum::extract::Request::from_parts(parts, body);
        let form = if multipart {
            let mut m = axum::extract::Multipart::from_request(req, state)
                .await
                .map_err(IntoResponse::into_response)?;
            let form = FormData::from_multipart(&mut m).await;
            if let Some((field, c)) = form.pairs.iter().find_map(|(k, v)| {
                luodi_domain::core::text::forbidden_char(v).map(|c| (k.clone(), c))
            }) {
                return Err(crate::error::control_error(page.lang, &field, c).into_response());
            }
            form
        } else {
            let bytes = Bytes::from_request(req, state)
                .await
                .map_err(IntoResponse::into_response)?;
            FormData::parse(&bytes)
        };
        if !form.csrf_ok(&page) {
            let l = Layout::new(state, &page, "error.title", "", "/").await;
            return Err(error_page(l, StatusCode::FORBIDDEN, "error.csrf"));
        }
        Ok(PageForm { page, form })
    }
}

/// A file that came with a form: the name the browser gave and its bytes.
pub struct FormFile {
    /// The form field it came in.
    pub field: String,
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A submitted form, as name–value pairs, with the files of a multipart form.
#[derive(Default)]
pub struct FormData {
    pub pairs: Vec<(String, String)>,
    pub files: Vec<FormFile>,
    /// The body went past the route's limit: the form was not read whole.
    oversize: bool,
}

impl FormData {
    /// A form of these pairs (one a page fills in itself).
    pub fn of(pairs: Vec<(String, String)>) -> FormData {
        FormData {
            pairs,
            ..Default::default()
        }
    }

    pub fn parse(body: &Bytes) -> FormData {
        FormData::of(serde_urlencoded::from_bytes(body).unwrap_or_default())
    }

    /// A multipart form's fields and files; a file input left empty sends no file. Stops
    /// at the body limit, marking the form oversize.
    async fn from_multipart(m: &mut axum::extract::Multipart) -> FormData {
        let mut form = FormData::default();
        let too_large = |e: &axum::extract::multipart::MultipartError| {
            e.status() == StatusCode::PAYLOAD_TOO_LARGE
        };
        loop {
            let field = match m.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => {
                    form.oversize = too_large(&e);
                    break;
                }
            };
            let name = field.name().unwrap_or("").to_string();
            match field.file_name().map(str::to_string) {
                Some(file_name) => match field.bytes().await {
                    Ok(b) if file_name.is_empty() && b.is_empty() => {}
                    Ok(b) => form.files.push(FormFile {
                        field: name,
                        name: file_name,
                        bytes: b.to_vec(),
                    }),
                    Err(e) => {
                        form.oversize = too_large(&e);
                        break;
                    }
                },
                None => match field.text().await {
                    Ok(t) => form.pairs.push((name, t)),
                    Err(e) => {
                        form.oversize = too_large(&e);
                        break;
                    }
                },
            }
        }
        form
    }

    /// The files that came in field `name`.
    pub fn files_in(&self, name: &str) -> impl Iterator<Item = &FormFile> {
        self.files.iter().filter(move |f| f.field == name)
    }

    /// Whether the body went past the route's limit (the form was not read whole).
    pub fn oversize(&self) -> bool {
        self.oversize
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or("").to_string()
    }

    pub fn opt(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_string)
    }

    /// Whether the form carries the session's CSRF token and came from our own pages.
    pub fn csrf_ok(&self, page: &PageUser) -> bool {
        !page.cross_origin
            && self.get("_csrf").is_some_and(|t| {
                crate::extract::constant_time_eq(t.as_bytes(), page.csrf.as_bytes())
            })
    }
}

/// Page links of a list.
pub struct Pager {
    pub summary: String,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    pub fn new(
        tr: &Tr,
        total: i64,
        page: i64,
        per_page: i64,
        href: impl Fn(i64) -> String,
    ) -> Pager {
        let from = if total == 0 {
            0
        } else {
            (page - 1) * per_page + 1
        };
        let to = (page * per_page).min(total);
        Pager {
            summary: tr
                .t("table.summary")
                .replace("{from}", &from.to_string())
                .replace("{to}", &to.to_string())
                .replace("{total}", &total.to_string()),
            prev: (page > 1).then(|| href(page - 1)),
            next: (page * per_page < total).then(|| href(page + 1)),
        }
    }
}

/// A local path to go back to after a form: only our own absolute paths, never
/// another site (`//evil.example`).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_site() {
        assert_eq!(
            safe_next(Some("/enterprises?page=2")),
            "/enterprises?page=2"
        );
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
