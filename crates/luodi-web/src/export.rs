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
