//! What every list test reads: the rows a page shows, an export's rows (CSV and XLSX),
//! and the zone's scope the expected rows are worked out in.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use luodi_domain::Scope;

use super::{Browser, TestApp};

/// The ids of the rows a page shows, each row being `<tr id="{prefix}-{id}">`.
pub fn row_ids(body: &str, prefix: &str) -> Vec<i64> {
    let marker = format!("<tr id=\"{prefix}-");
    body.match_indices(&marker)
        .map(|(i, _)| {
            let rest = &body[i + marker.len()..];
            rest[..rest.find('"').unwrap()].parse().unwrap()
        })
        .collect()
}

/// The data lines of a CSV export (its heading left out), each split at commas.
pub fn csv_rows(body: &str) -> Vec<Vec<String>> {
    body.trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// The data rows of an XLSX export's first sheet, each cell as text.
pub fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .skip(1)
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// The first column of an export's rows, as a set.
pub fn firsts(rows: &[Vec<String>]) -> BTreeSet<String> {
    rows.iter().map(|r| r[0].clone()).collect()
}

/// Both exports of the list at `path` for `query`, each answered 200: their data rows, CSV
/// then XLSX.
pub async fn exports(
    b: &mut Browser,
    app: &TestApp,
    path: &str,
    query: &str,
) -> [Vec<Vec<String>>; 2] {
    let csv = b.get(app, &format!("{path}/export.csv?{query}")).await;
    assert_eq!(
        csv.status,
        StatusCode::OK,
        "{path} csv {query}: {}",
        csv.body
    );
    assert_eq!(
        csv.headers.get("content-type").unwrap(),
        "text/csv; charset=utf-8"
    );
    let xlsx = b.get(app, &format!("{path}/export.xlsx?{query}")).await;
    assert_eq!(xlsx.status, StatusCode::OK, "{path} xlsx {query}");
    [csv_rows(&csv.body), xlsx_rows(&xlsx.body_bytes)]
}

pub fn zone_scope(zone: luodi_domain::ZoneId) -> Scope {
    Scope {
        zone: Some(zone),
        enterprise: None,
    }
}

/// A query value, percent-encoded.
pub fn common_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
