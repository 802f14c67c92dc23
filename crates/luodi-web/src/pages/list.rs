//! The list every table page shows, built once: the filters form (a search box and one
//! labelled control per filter), the count, sortable column headings (with `aria-sort`,
//! each link keeping the other filters), the pager, and links to export the same filtered
//! view as CSV and XLSX. The query is read by `luodi_app::core::list`; a page fills a
//! [`ListView`] and includes `_list_filters.html`, `_list_head.html` and `_list_pager.html`,
//! and its router merges [`exports`] for the two downloads.

use std::future::Future;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use luodi_app::Caller;
use luodi_app::core::list::{ListError, ListQuery, ListSpec};
use luodi_app::problem::Problem;

use crate::AppState;
use crate::error::ApiError;
use crate::export::{ExportFormat, Table};
use crate::extract::{PageUser, QueryParams, url_encode};
use crate::i18n::Tr;
use crate::pages::{ErrorPage, Layout, Pager, render};

/// One filter's control in the form.
pub struct Control {
    pub name: &'static str,
    pub label: String,
    /// The value given (or the filter's default), empty when none.
    pub value: String,
    /// A select's options, (value, label); `None` for an input.
    pub choices: Option<Vec<(String, String)>>,
    /// An input's type: `text`, `date` or `number`.
    pub input: &'static str,
}

/// One column heading.
pub struct Header {
    pub label: String,
    /// The link that sorts by this column (the other way when it is the sort already).
    pub href: Option<String>,
    pub arrow: &'static str,
    pub aria_sort: Option<&'static str>,
}

/// What the shared list parts show.
pub struct ListView {
    /// The list's path, e.g. `/projects`: the form's action and the links' base.
    pub path: String,
    /// The search box's value, when the list has one.
    pub search: Option<String>,
    pub controls: Vec<Control>,
    pub headers: Vec<Header>,
    /// "N found".
    pub count: String,
    pub pager: Pager,
    pub export_csv: String,
    pub export_xlsx: String,
    /// The sort, order and page size the form keeps while the filters change.
    pub kept: Vec<(&'static str, String)>,
}

/// `path` with `params` as its query.
pub fn href(path: &str, params: &[(&str, String)]) -> String {
    if params.is_empty() {
        return path.to_string();
    }
    let query = params
        .iter()
        .map(|(k, v)| format!("{k}={}", url_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    format!("{path}?{query}")
}

/// The request's query read against `spec`. `done` is the layout's, not the list's: the
/// confirmation a save's redirect carries (`/parcels?done=parcels_imported,…`).
pub fn parse(spec: &ListSpec, params: &QueryParams) -> Result<ListQuery, ListError> {
    let pairs: Vec<(String, String)> = params
        .pairs()
        .iter()
        .filter(|(k, _)| k != "done")
        .cloned()
        .collect();
    ListQuery::parse(spec, &pairs)
}

/// The 400 page for a list request that does not fit, saying which parameter and why.
pub fn refused(l: Layout, e: impl Into<Problem>) -> Response {
    let problem: Problem = e.into();
    let message = problem.message.get(l.tr.lang).to_string();
    let title = l.tr.t("error.title").to_string();
    render(
        StatusCode::BAD_REQUEST,
        &ErrorPage {
            l: l.titled(title),
            message,
        },
    )
}

/// The export format a file name asks for (`export.csv`, `export.xlsx`).
pub fn export_format(file: &str) -> Option<ExportFormat> {
    match file {
        "export.csv" => Some(ExportFormat::Csv),
        "export.xlsx" => Some(ExportFormat::Xlsx),
        _ => None,
    }
}

/// The routes `{path}/export.csv` and `{path}/export.xlsx`: the view `spec` reads from
/// the request, every page of it, as the table `table` makes for the caller (the list's
/// use case, e.g. `project_list::export`). A wrong parameter is the 400 of the shared
/// error shape; the use case's refusal (403, 404) is its own.
pub fn exports<F, Fut, E>(path: &str, spec: &'static ListSpec, table: F) -> Router<AppState>
where
    F: Fn(AppState, Caller, ListQuery) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Table, E>> + Send + 'static,
    E: Into<ApiError>,
{
    let handler = |format: ExportFormat| {
        let table = table.clone();
        move |State(state): State<AppState>, page: PageUser, params: QueryParams| {
            let table = table.clone();
            async move {
                let query = parse(spec, &params).map_err(|e| ApiError::app(page.lang, e))?;
                let made = table(state, page.caller(), query)
                    .await
                    .map_err(Into::into)?;
                Ok::<Response, ApiError>(crate::export::response(&made, format))
            }
        }
    };
    Router::new()
        .route(
            &format!("{path}/export.csv"),
            get(handler(ExportFormat::Csv)),
        )
        .route(
            &format!("{path}/export.xlsx"),
            get(handler(ExportFormat::Xlsx)),
        )
}

impl ListView {
    /// The list at `path` for `query`, of which `total` rows match.
    pub fn new(tr: &Tr, path: &str, query: &ListQuery, total: i64) -> ListView {
        let params = query.params();
        let pager = Pager::new(tr, total, query.page.page, query.page.per_page, |p| {
            let mut with_page = params.clone();
            if p > 1 {
                with_page.push(("page", p.to_string()));
            }
            href(path, &with_page)
        });
        let kept = params
            .iter()
            .filter(|(k, _)| matches!(*k, "sort" | "order" | "per_page"))
            .cloned()
            .collect();
        ListView {
            path: path.to_string(),
            search: None,
            controls: Vec::new(),
            headers: Vec::new(),
            count: tr.t("lists.found").replace("{n}", &total.to_string()),
            pager,
            export_csv: href(&format!("{path}/export.csv"), &params),
            export_xlsx: href(&format!("{path}/export.xlsx"), &params),
            kept,
        }
    }

    /// With a search box showing the query's text.
    pub fn searched(mut self, query: &ListQuery) -> ListView {
        self.search = Some(query.search.clone().unwrap_or_default());
        self
    }

    /// A select for filter `name`; `all` puts a first option for no filter.
    pub fn select(
        mut self,
        query: &ListQuery,
        name: &'static str,
        label: &str,
        choices: Vec<(String, String)>,
        all: Option<&str>,
    ) -> ListView {
        let mut options = Vec::with_capacity(choices.len() + 1);
        if let Some(all) = all {
            options.push((String::new(), all.to_string()));
        }
        options.extend(choices);
        self.controls.push(Control {
            name,
            label: label.to_string(),
            value: query.filter(name).unwrap_or("").to_string(),
            choices: Some(options),
            input: "text",
        });
        self
    }

    /// An input of type `input` (`text`, `date`, `number`) for filter `name`.
    pub fn input(
        mut self,
        query: &ListQuery,
        name: &'static str,
        label: &str,
        input: &'static str,
    ) -> ListView {
        self.controls.push(Control {
            name,
            label: label.to_string(),
            value: query.filter(name).unwrap_or("").to_string(),
            choices: None,
            input,
        });
        self
    }

    /// A column headed `label`, sortable by `sort` when given.
    pub fn column(mut self, query: &ListQuery, label: &str, sort: Option<&str>) -> ListView {
        let header = match sort {
            None => Header {
                label: label.to_string(),
                href: None,
                arrow: "",
                aria_sort: None,
            },
            Some(col) => {
                let active = query.sort == col;
                let desc_next = active && !query.descending;
                let mut params: Vec<(&str, String)> = query
                    .params()
                    .into_iter()
                    .filter(|(k, _)| !matches!(*k, "sort" | "order"))
                    .collect();
                params.push(("sort", col.to_string()));
                params.push(("order", if desc_next { "desc" } else { "asc" }.into()));
                Header {
                    label: label.to_string(),
                    href: Some(href(&self.path, &params)),
                    arrow: match (active, query.descending) {
                        (false, _) => "",
                        (true, true) => " ▼",
                        (true, false) => " ▲",
                    },
                    aria_sort: active.then_some(if query.descending {
                        "descending"
                    } else {
                        "ascending"
                    }),
                }
            }
        };
        self.headers.push(header);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use luodi_app::core::list::{Filter, Values};
    use luodi_domain::Lang;

    const SPEC: ListSpec = ListSpec {
        search: true,
        filters: &[Filter::new("state", Values::OneOf(&["open", "all"])).or("open")],
        sorts: &["raised", "title"],
        default_desc: true,
        per_page: 2,
        extra: &[],
    };

    #[test]
    fn links_keep_the_other_filters() {
        let pairs = vec![
            ("q".to_string(), "管道 a&b".to_string()),
            ("sort".to_string(), "title".to_string()),
        ];
        let query = ListQuery::parse(&SPEC, &pairs).unwrap();
        let tr = Tr::new(Lang::En);
        let v = ListView::new(&tr, "/blockers", &query, 5)
            .searched(&query)
            .column(&query, "Raised", Some("raised"))
            .column(&query, "Title", Some("title"))
            .column(&query, "Clocks", None);
        let q = "q=%E7%AE%A1%E9%81%93%20a%26b";
        assert_eq!(
            v.headers[0].href.as_deref(),
            Some(format!("/blockers?{q}&state=open&per_page=2&sort=raised&order=asc").as_str())
        );
        assert_eq!(v.headers[1].aria_sort, Some("ascending"));
        assert!(
            v.headers[1]
                .href
                .as_deref()
                .unwrap()
                .ends_with("sort=title&order=desc")
        );
        assert_eq!(v.headers[0].aria_sort, None);
        assert!(v.headers[2].href.is_none());
        assert_eq!(
            v.pager.next.as_deref(),
            Some(
                format!("/blockers?{q}&state=open&sort=title&order=asc&per_page=2&page=2").as_str()
            )
        );
        assert_eq!(
            v.export_csv,
            format!("/blockers/export.csv?{q}&state=open&sort=title&order=asc&per_page=2")
        );
        assert_eq!(v.count, "5 found");
    }
}
