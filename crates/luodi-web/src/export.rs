//! The table export every list offers: the rows a user sees (all pages of them), as an
//! Excel workbook or as CSV, with the column headings in the user's language.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// A table to export: headings and rows of text.
pub struct Table {
    /// The sheet's and the file's name, e.g. `enterprises`.
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A CSV cell: quoted when needed, and with a leading quote on text that a spreadsheet
/// would otherwise run as a formula (CSV injection).
fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

impl Table {
    /// CSV with a byte-order mark, which Excel opens as UTF-8.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("\u{feff}");
        for row in std::iter::once(&self.headers).chain(&self.rows) {
            out.push_str(
                &row.iter()
                    .map(|c| csv_cell(c))
                    .collect::<Vec<_>>()
                    .join(","),
            );
            out.push_str("\r\n");
        }
        out
    }

    /// An .xlsx workbook: bold frozen headings, a filter on every column, widths fitted.
    /// Cells are written as text, so codes keep their leading zeros and are never formulas.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name(&self.name)?;
        let bold = Format::new().set_bold();
        for (c, h) in self.headers.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, h, &bold)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                sheet.write_string(r as u32 + 1, c as u16, cell)?;
            }
        }
        if !self.headers.is_empty() {
            sheet.set_freeze_panes(1, 0)?;
            sheet.autofilter(0, 0, self.rows.len() as u32, self.headers.len() as u16 - 1)?;
        }
        sheet.autofit();
        book.save_to_buffer()
    }

    /// The response for `format` (`csv` or `xlsx`).
    pub fn response(&self, format: ExportFormat) -> Response {
        match format {
            ExportFormat::Csv => (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{}.csv\"", self.name),
                    ),
                ],
                self.to_csv(),
            )
                .into_response(),
            ExportFormat::Xlsx => match self.to_xlsx() {
                Ok(bytes) => (
                    [
                        (
                            header::CONTENT_TYPE,
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                                .to_string(),
                        ),
                        (
                            header::CONTENT_DISPOSITION,
                            format!("attachment; filename=\"{}.xlsx\"", self.name),
                        ),
                    ],
                    bytes,
                )
                    .into_response(),
                Err(e) => crate::error::ApiError::internal(e).into_response(),
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            name: "enterprises".into(),
            headers: vec!["代码".into(), "名称".into()],
            rows: vec![
                vec!["0532".into(), "=HYPERLINK(\"x\")".into()],
                vec!["a,b".into(), "say \"hi\"".into()],
            ],
        }
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let csv = table().to_csv();
        assert_eq!(
            csv,
            "\u{feff}代码,名称\r\n0532,\"'=HYPERLINK(\"\"x\"\")\"\r\n\"a,b\",\"say \"\"hi\"\"\"\r\n"
        );
    }

    #[test]
    fn xlsx_is_a_zip_workbook() {
        let bytes = table().to_xlsx().unwrap();
        assert_eq!(&bytes[..2], b"PK");
        assert!(bytes.len() > 1000);
    }
}
