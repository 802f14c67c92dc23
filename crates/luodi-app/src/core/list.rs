//! The one list every table page uses: what a list may be asked ([`ListSpec`]: search,
//! named filters with their allowed values, sortable columns, paging) and a request read
//! against it ([`ListQuery`]), refusing an unknown parameter or a wrong value with the
//! parameter's name. The query is what a bookmark keeps: [`ListQuery::params`] gives it back
//! as parameters, so the pages' links (a column's sort, the next page, the export) carry
//! the other filters. No HTTP here: the pages and the API hand in the request's pairs.

use chrono::NaiveDate;
use luodi_domain::Text;
use luodi_domain::core::i18n;
use luodi_store::{Page, PageRequest};

use crate::problem::{Kind, Problem};

/// What a filter accepts.
#[derive(Debug, Clone, Copy)]
pub enum Values {
    /// One of these words.
    OneOf(&'static [&'static str]),
    /// A positive whole number (an id), or one of these words (e.g. `me`).
    IdOr(&'static [&'static str]),
    /// Any text (up to 200 characters).
    Text,
    /// A day, `YYYY-MM-DD`.
    Date,
    /// A number, not negative.
    Number,
}

/// One named filter.
#[derive(Debug, Clone, Copy)]
pub struct Filter {
    pub name: &'static str,
    pub values: Values,
    /// The value when the parameter is not given (`all` then asks for everything).
    pub default: Option<&'static str>,
}

impl Filter {
    pub const fn new(name: &'static str, values: Values) -> Filter {
        Filter {
            name,
            values,
            default: None,
        }
    }

    pub const fn or(self, default: &'static str) -> Filter {
        Filter {
            default: Some(default),
            ..self
        }
    }
}

/// What one list may be asked.
#[derive(Debug)]
pub struct ListSpec {
    /// Whether the list takes a search text, `q`.
    pub search: bool,
    pub filters: &'static [Filter],
    /// The sortable columns, the first the default.
    pub sorts: &'static [&'static str],
    /// Whether the default sort is newest (largest) first.
    pub default_desc: bool,
    /// Rows on a page unless `per_page` says otherwise.
    pub per_page: i64,
    /// Other parameters the page reads itself (e.g. a form's `done`).
    pub extra: &'static [&'static str],
}

/// Longest search or text filter.
const MAX_TEXT: usize = 200;

/// A request that does not fit the list: the parameter and what is wrong, in words.
#[derive(Debug)]
pub struct ListError {
    pub name: String,
    pub what: Text,
}

impl std::fmt::Display for ListError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "query parameter '{}' {}", self.name, self.what.en)
    }
}

impl std::error::Error for ListError {}

impl From<ListError> for Problem {
    fn from(e: ListError) -> Problem {
        let name = e.name.clone();
        Problem::new(
            Kind::Malformed,
            "bad_parameter",
            Text::from_fn(|lang| {
                i18n::fill(
                    lang,
                    "core.error.bad_parameter",
                    &[("name", &name), ("what", e.what.get(lang))],
                )
            }),
        )
        .field(e.name)
    }
}

/// A list request read against its [`ListSpec`].
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub search: Option<String>,
    /// Each filter given (or defaulted), in the spec's order.
    filters: Vec<(&'static str, String)>,
    pub sort: &'static str,
    pub descending: bool,
    pub page: PageRequest,
}

fn refuse(name: &str, key: &str, values: &[(&str, &str)]) -> ListError {
    ListError {
        name: name.to_string(),
        what: Text::fill(key, values),
    }
}

impl ListQuery {
    /// The request's parameters read against `spec`. Empty values count as not given.
    pub fn parse(spec: &ListSpec, pairs: &[(String, String)]) -> Result<ListQuery, ListError> {
        let mut known: Vec<&str> = Vec::new();
        if spec.search {
            known.push("q");
        }
        known.extend(spec.filters.iter().map(|f| f.name));
        known.extend(["sort", "order", "page", "per_page"]);
        known.extend(spec.extra);
        if let Some((k, _)) = pairs.iter().find(|(k, _)| !known.contains(&k.as_str())) {
            return Err(refuse(
                k,
                "lists.param.unknown",
                &[("known", &known.join(", "))],
            ));
        }
        let get = |name: &str| {
            pairs
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim())
                .filter(|v| !v.is_empty())
        };
        let search = match get("q") {
            Some(q) if q.chars().count() > MAX_TEXT => {
                return Err(refuse(
                    "q",
                    "lists.param.too_long",
                    &[("max", &MAX_TEXT.to_string())],
                ));
            }
            q => q.map(str::to_string),
        };
        let mut filters = Vec::new();
        for f in spec.filters {
            let Some(v) = get(f.name).or(f.default) else {
                continue;
            };
            check(f, v)?;
            filters.push((f.name, v.to_string()));
        }
        let sort = match get("sort") {
            None => spec.sorts[0],
            Some(s) => spec
                .sorts
                .iter()
                .copied()
                .find(|c| *c == s)
                .ok_or_else(|| {
                    refuse(
                        "sort",
                        "lists.param.one_of",
                        &[("values", &spec.sorts.join(", "))],
                    )
                })?,
        };
        let descending = match get("order") {
            None => spec.default_desc && sort == spec.sorts[0],
            Some("asc") => false,
            Some("desc") => true,
            Some(_) => {
                return Err(refuse(
                    "order",
                    "lists.param.one_of",
                    &[("values", "asc, desc")],
                ));
            }
        };
        let whole = |name: &str, max: i64, default: i64| match get(name) {
            None => Ok(default),
            Some(v) => v
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| {
                    refuse(
                        name,
                        "lists.param.range",
                        &[("min", "1"), ("max", &max.to_string())],
                    )
                }),
        };
        let page = PageRequest {
            page: whole("page", 1_000_000, 1)?,
            per_page: whole("per_page", PageRequest::MAX_PER_PAGE, spec.per_page)?,
        };
        Ok(ListQuery {
            search,
            filters,
            sort,
            descending,
            page,
        })
    }

    /// A filter's value, as given or by default.
    pub fn filter(&self, name: &str) -> Option<&str> {
        self.filters
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// An id filter's number (`None` when not given, or given as one of its words).
    pub fn id(&self, name: &str) -> Option<i64> {
        self.filter(name).and_then(|v| v.parse().ok())
    }

    /// A date filter's day.
    pub fn date(&self, name: &str) -> Option<NaiveDate> {
        self.filter(name).and_then(|v| v.parse().ok())
    }

    /// A number filter's value.
    pub fn number(&self, name: &str) -> Option<f64> {
        self.filter(name).and_then(|v| v.parse().ok())
    }

    /// The search text in lower case, when given: what [`ListQuery::finds`] looks for.
    pub fn needle(&self) -> Option<String> {
        self.search.as_deref().map(str::to_lowercase)
    }

    /// Whether one of `texts` holds the search text (any case); true without one.
    pub fn finds<'a>(&self, texts: impl IntoIterator<Item = &'a str>) -> bool {
        match self.needle() {
            None => true,
            Some(n) => texts.into_iter().any(|t| t.to_lowercase().contains(&n)),
        }
    }

    /// The query as parameters, without the page: what a link to the same view (sorted
    /// or paged otherwise) or its export carries.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(q) = &self.search {
            out.push(("q", q.clone()));
        }
        out.extend(self.filters.iter().cloned());
        out.push(("sort", self.sort.to_string()));
        out.push(("order", if self.descending { "desc" } else { "asc" }.into()));
        if self.page.per_page != PageRequest::default().per_page {
            out.push(("per_page", self.page.per_page.to_string()));
        }
        out
    }

    /// `rows`, already filtered and sorted, cut to the query's page (for the small
    /// per-zone lists that are filtered in their use case).
    pub fn page_of<T>(&self, rows: Vec<T>) -> Page<T> {
        let total = rows.len() as i64;
        let items = rows
            .into_iter()
            .skip(self.page.offset() as usize)
            .take(self.page.per_page as usize)
            .collect();
        Page {
            items,
            total,
            page: self.page.page,
            per_page: self.page.per_page,
        }
    }

    /// `order` turned round when the query asks for descending order.
    pub fn directed(&self, order: std::cmp::Ordering) -> std::cmp::Ordering {
        if self.descending {
            order.reverse()
        } else {
            order
        }
    }
}

fn check(f: &Filter, v: &str) -> Result<(), ListError> {
    let ok = match f.values {
        Values::OneOf(words) => {
            if words.contains(&v) {
                return Ok(());
            }
            return Err(refuse(
                f.name,
                "lists.param.one_of",
                &[("values", &words.join(", "))],
            ));
        }
        Values::IdOr(words) => {
            if words.contains(&v) || v.parse::<i64>().is_ok_and(|n| n > 0) {
                return Ok(());
            }
            let mut allowed = vec!["1, 2, …"];
            allowed.extend(words);
            return Err(refuse(
                f.name,
                "lists.param.id",
                &[("words", &allowed.join(", "))],
            ));
        }
        Values::Text => v.chars().count() <= MAX_TEXT,
        Values::Date => {
            return v
                .parse::<NaiveDate>()
                .map(|_| ())
                .map_err(|_| refuse(f.name, "core.param.not_a_date", &[("raw", v)]));
        }
        Values::Number => v.parse::<f64>().is_ok_and(|n| n.is_finite() && n >= 0.0),
    };
    if ok {
        Ok(())
    } else if matches!(f.values, Values::Number) {
        Err(refuse(f.name, "lists.param.number", &[("raw", v)]))
    } else {
        Err(refuse(
            f.name,
            "lists.param.too_long",
            &[("max", &MAX_TEXT.to_string())],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use luodi_domain::Lang;

    const SPEC: ListSpec = ListSpec {
        search: true,
        filters: &[
            Filter::new("state", Values::OneOf(&["open", "closed", "all"])).or("open"),
            Filter::new("steward", Values::IdOr(&["me"])),
            Filter::new("from", Values::Date),
            Filter::new("min", Values::Number),
        ],
        sorts: &["raised", "priority"],
        default_desc: true,
        per_page: 20,
        extra: &[],
    };

    fn pairs(q: &str) -> Vec<(String, String)> {
        q.split('&')
            .filter(|kv| !kv.is_empty())
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                (k.to_string(), v.to_string())
            })
            .collect()
    }

    fn parse(q: &str) -> Result<ListQuery, ListError> {
        ListQuery::parse(&SPEC, &pairs(q))
    }

    #[test]
    fn defaults_and_values_read() {
        let q = parse("").unwrap();
        assert_eq!(q.filter("state"), Some("open"));
        assert_eq!((q.sort, q.descending), ("raised", true));
        assert_eq!((q.page.page, q.page.per_page), (1, 20));
        let q = parse("q=Pipe&steward=me&from=2026-01-02&min=1.5&sort=priority&page=3").unwrap();
        assert_eq!(q.search.as_deref(), Some("Pipe"));
        assert_eq!(q.filter("steward"), Some("me"));
        assert_eq!(q.id("steward"), None);
        assert_eq!(q.date("from"), NaiveDate::from_ymd_opt(2026, 1, 2));
        assert_eq!(q.number("min"), Some(1.5));
        assert_eq!((q.sort, q.descending, q.page.page), ("priority", false, 3));
        assert!(q.finds(["a pipe"]) && !q.finds(["road"]));
        assert_eq!(parse("steward=7").unwrap().id("steward"), Some(7));
        assert_eq!(parse("state=").unwrap().filter("state"), Some("open"));
    }

    #[test]
    fn each_refusal_names_its_parameter() {
        for (q, name, words) in [
            (
                "colour=red",
                "colour",
                "known: q, state, steward, from, min, sort",
            ),
            ("state=shut", "state", "open, closed, all"),
            ("steward=-1", "steward", "me"),
            ("from=2026-13-01", "from", "2026-13-01"),
            ("min=-3", "min", "-3"),
            ("sort=colour", "sort", "raised, priority"),
            ("order=up", "order", "asc, desc"),
            ("page=0", "page", "from 1"),
            ("per_page=201", "per_page", "200"),
        ] {
            let e = parse(q).unwrap_err();
            assert_eq!(e.name, name, "{q}");
            let p: Problem = e.into();
            let en = p.message.get(Lang::En).to_string();
            assert!(
                en.contains(&format!("'{name}'")) && en.contains(words),
                "{q}: {en}"
            );
            assert_eq!(p.field.as_deref(), Some(name));
        }
    }

    #[test]
    fn params_keep_the_view_and_pages_cut() {
        let q = parse("q=a b&state=all&sort=priority&order=desc&per_page=5&page=2").unwrap();
        assert_eq!(
            q.params(),
            vec![
                ("q", "a b".to_string()),
                ("state", "all".into()),
                ("sort", "priority".into()),
                ("order", "desc".into()),
                ("per_page", "5".into()),
            ]
        );
        let page = q.page_of((1..=12).collect::<Vec<_>>());
        assert_eq!((page.items, page.total), (vec![6, 7, 8, 9, 10], 12));
    }
}
