//! The table every list exports: the rows a user sees (all pages of them), as an
//! Excel workbook or as CSV, with the column headings in the user's language. In a workbook
//! numbers are numbers, flags are booleans and days are dates, so a spreadsheet sums,
//! filters and sorts them as such; text stays text (codes keep their leading zeros).

use chrono::NaiveDate;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

/// One cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Bool(bool),
    Date(NaiveDate),
    Empty,
}

impl Cell {
    /// The cell as CSV and people write it.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Number(n) => n.to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::Date(d) => d.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s)
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        s.to_string().into()
    }
}

/// A table to export: headings and rows of cells.
pub struct Table {
    /// The sheet's and the file's name, e.g. `enterprises`.
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
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
        let lines = std::iter::once(self.headers.iter().map(|h| csv_cell(h)).collect::<Vec<_>>())
            .chain(
                self.rows
                    .iter()
                    .map(|r| r.iter().map(|c| csv_cell(&c.text())).collect()),
            );
        for row in lines {
            out.push_str(&row.join(","));
            out.push_str("\r\n");
        }
        out
    }

    /// An .xlsx workbook: bold frozen headings, a filter on every column, widths fitted.
    /// Numbers, booleans and dates are written as such; text as text, so codes keep their
    /// leading zeros and nothing is ever a formula.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name(&self.name)?;
        let bold = Format::new().set_bold();
        let day = Format::new().set_num_format("yyyy-mm-dd");
        for (c, h) in self.headers.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, h, &bold)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(s) => {
                        sheet.write_string(r, c, s)?;
                    }
                    Cell::Number(n) => {
                        sheet.write_number(r, c, *n)?;
                    }
                    Cell::Bool(b) => {
                        sheet.write_boolean(r, c, *b)?;
                    }
                    Cell::Date(d) => {
                        let d = ExcelDateTime::from_ymd(
                            chrono::Datelike::year(d) as u16,
                            chrono::Datelike::month(d) as u8,
                            chrono::Datelike::day(d) as u8,
                        )?;
                        sheet.write_datetime_with_format(r, c, &d, &day)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
        if !self.headers.is_empty() {
            sheet.set_freeze_panes(1, 0)?;
            sheet.autofilter(0, 0, self.rows.len() as u32, self.headers.len() as u16 - 1)?;
        }
        sheet.autofit();
        book.save_to_buffer()
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

    /// Point 21 of issue 14: every cell was written as text. A spreadsheet reader (calamine,
    /// as LibreOffice and Excel would) sees numbers, booleans and dates as such.
    #[test]
    fn xlsx_cells_keep_their_kinds() {
        use calamine::{Data, Reader};
        let t = Table {
            name: "parcels".into(),
            headers: vec![
                "code".into(),
                "area_mu".into(),
                "gas".into(),
                "checked_on".into(),
                "note".into(),
            ],
            rows: vec![vec![
                "0532".into(),
                Cell::Number(86.25),
                Cell::Bool(true),
                Cell::Date(NaiveDate::from_ymd_opt(2026, 9, 30).unwrap()),
                Cell::Empty,
            ]],
        };
        let bytes = t.to_xlsx().unwrap();
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        let row: Vec<&Data> = range.rows().nth(1).unwrap().iter().collect();
        assert_eq!(row[0], &Data::String("0532".into()), "a code stays text");
        assert_eq!(row[1], &Data::Float(86.25));
        assert_eq!(row[2], &Data::Bool(true));
        assert!(
            matches!(row[3], Data::DateTime(d) if d.as_f64() == 46295.0),
            "{:?}",
            row[3]
        );
        assert_eq!(
            t.to_csv(),
            "\u{feff}code,area_mu,gas,checked_on,note\r\n0532,86.25,true,2026-09-30,\r\n"
        );
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
