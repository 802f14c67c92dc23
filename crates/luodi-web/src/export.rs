//! A table (from the use cases, [`luodi_app::core::table`]) answered as a download.

use axum::http::header;
use axum::response::{IntoResponse, Response};
pub use luodi_app::core::table::{Cell, ExportFormat, Table};

/// The download of `table` as `format`: CSV, or an Excel workbook.
pub fn response(table: &Table, format: ExportFormat) -> Response {
    match format {
        ExportFormat::Csv => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}.csv\"", table.name),
                ),
            ],
            table.to_csv(),
        )
            .into_response(),
        ExportFormat::Xlsx => match table.to_xlsx() {
            Ok(bytes) => (
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            .to_string(),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{}.xlsx\"", table.name),
                    ),
                ],
                bytes,
            )
                .into_response(),
            Err(e) => crate::error::ApiError::internal(e).into_response(),
        },
    }
}

/// A stored file, served as its kind says: `inline` for the kinds a browser shows safely
/// (PDF and images), otherwise to save. The name is sent in RFC 6266's UTF-8 form beside
/// an ASCII fallback, and the file is sandboxed, so that nothing in it runs as our page.
pub fn file(name: &str, media_type: &str, inline: bool, bytes: Vec<u8>) -> Response {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!(
        "{}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}",
        if inline { "inline" } else { "attachment" }
    );
    (
        [
            (header::CONTENT_TYPE, media_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CONTENT_SECURITY_POLICY, "sandbox".to_string()),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_keeps_its_chinese_name_and_runs_nothing() {
        let r = file("用电 申请.pdf", "application/pdf", true, b"%PDF-".to_vec());
        let h = r.headers();
        assert_eq!(
            h[header::CONTENT_DISPOSITION],
            "inline; filename=\"_____.pdf\"; filename*=UTF-8''%E7%94%A8%E7%94%B5%20%E7%94%B3%E8%AF%B7.pdf"
        );
        assert_eq!(h[header::CONTENT_SECURITY_POLICY], "sandbox");
        let r = file("a\"b.txt", "text/plain", false, Vec::new());
        assert!(
            r.headers()[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .starts_with("attachment; filename=\"a_b.txt\"")
        );
    }
}
