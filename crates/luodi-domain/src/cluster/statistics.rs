//! 企业统计 — an enterprise's figures for a period, read from a file of rows
//! (CSV or XLSX, English column names or the template's Chinese headers), and what a
//! year of them adds up to. Money is exact (fen), entered in 万元 with at most six
//! decimals; energy in tonnes of standard coal (tce) with at most three decimals, held
//! as thousandths; land in mu with at most four decimals, held as ten-thousandths.
//!
//! A file is read whole: every problem comes back at once, each named by its row (as the
//! spreadsheet numbers it, the header being row 1) and column, and a file with any
//! problem gives no rows at all.

use std::collections::HashMap;

use serde::Serialize;

use crate::cluster::period::Period;
use crate::core::i18n;
use crate::core::lang::{Lang, Text};
use crate::core::money::Fen;
use crate::core::uscc::Uscc;

/// The most rows one file may hold.
pub const MAX_ROWS: usize = 500_000;

/// The largest figure a row may give, in its held unit (fen, kgce, persons, a mu's
/// ten-thousandths): 10¹⁵ — ten trillion yuan, a trillion tonnes — far beyond any
/// enterprise, and small enough that a year of rows (its own and twelve months) adds
/// up without overflow, and hundreds of such years more.
pub const MAX_FIGURE: i64 = 1_000_000_000_000_000;

/// Energy in thousandths of a tonne of standard coal (kgce).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize)]
#[serde(transparent)]
pub struct Tce(pub i64);

impl Tce {
    pub fn tce(self) -> f64 {
        self.0 as f64 / 1e3
    }
}

/// Land in ten-thousandths of a mu.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize)]
#[serde(transparent)]
pub struct Mu(pub i64);

impl Mu {
    pub fn mu(self) -> f64 {
        self.0 as f64 / 1e4
    }

    /// The nearest ten-thousandth of a mu to `mu` (for an area computed from parcels).
    pub fn from_mu(mu: f64) -> Mu {
        Mu((mu * 1e4).round() as i64)
    }
}

/// What an enterprise reports for a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Figures {
    /// 营业收入, operating revenue.
    pub revenue: Fen,
    /// 工业总产值, industrial output value.
    pub output: Fen,
    /// 税收, taxes paid.
    pub tax: Fen,
    /// 工业增加值, value added.
    pub value_added: Fen,
    /// 综合能耗, total energy consumption.
    pub energy: Tce,
    /// 研发投入, R&D spending.
    pub rd: Fen,
    /// 从业人员, employees (a year made of months: their average).
    pub employees: i64,
    /// 用地面积, land used, where the row declares it (a tenant's equivalent mu);
    /// otherwise the parcels handed to the enterprise's phases count.
    pub land: Option<Mu>,
}

/// A file's columns, in the template's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Uscc,
    Period,
    Revenue,
    Output,
    Tax,
    ValueAdded,
    Energy,
    Rd,
    Employees,
    Land,
}

impl Column {
    pub const ALL: [Column; 10] = [
        Column::Uscc,
        Column::Period,
        Column::Revenue,
        Column::Output,
        Column::Tax,
        Column::ValueAdded,
        Column::Energy,
        Column::Rd,
        Column::Employees,
        Column::Land,
    ];

    /// The column's name in a file, in the API and in integrations.
    pub fn name(self) -> &'static str {
        match self {
            Column::Uscc => "uscc",
            Column::Period => "period",
            Column::Revenue => "revenue_wan",
            Column::Output => "output_wan",
            Column::Tax => "tax_wan",
            Column::ValueAdded => "value_added_wan",
            Column::Energy => "energy_tce",
            Column::Rd => "rd_wan",
            Column::Employees => "employees",
            Column::Land => "land_mu",
        }
    }

    /// The column's heading in the reader's language (the template's Chinese headers).
    pub fn label(self, lang: Lang) -> &'static str {
        let key = match self {
            Column::Uscc => "rules.cluster.column.uscc",
            Column::Period => "rules.cluster.column.period",
            Column::Revenue => "rules.cluster.column.revenue_wan",
            Column::Output => "rules.cluster.column.output_wan",
            Column::Tax => "rules.cluster.column.tax_wan",
            Column::ValueAdded => "rules.cluster.column.value_added_wan",
            Column::Energy => "rules.cluster.column.energy_tce",
            Column::Rd => "rules.cluster.column.rd_wan",
            Column::Employees => "rules.cluster.column.employees",
            Column::Land => "rules.cluster.column.land_mu",
        };
        i18n::lookup(lang, key).unwrap_or(key)
    }

    pub fn required(self) -> bool {
        self != Column::Land
    }

    /// The column a heading names: its name, or its heading in either language (with
    /// or without the unit in brackets), ignoring case and spaces.
    pub fn of_heading(heading: &str) -> Option<Column> {
        let norm = |s: &str| -> String {
            s.chars()
                .filter(|c| !c.is_whitespace())
                .flat_map(char::to_lowercase)
                .collect()
        };
        let bare = |s: &str| -> String {
            let s = norm(s);
            match s.find(['(', '（']) {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        };
        let h = norm(heading.trim_start_matches('\u{feff}'));
        Column::ALL.into_iter().find(|c| {
            h == c.name()
                || [Lang::Zh, Lang::En]
                    .into_iter()
                    .any(|l| h == norm(c.label(l)) || h == bare(c.label(l)))
        })
    }
}

/// One row of a statistics file, read and checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatRow {
    /// The row's number as the spreadsheet shows it (the header is row 1).
    pub row: usize,
    pub uscc: String,
    pub period: Period,
    pub figures: Figures,
}

/// A problem of a file: its row as the spreadsheet numbers it (the header is row 1; 0
/// for the file as a whole), the column (its name) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub row: usize,
    pub column: String,
    pub reason: Text,
}

impl RowProblem {
    fn file(reason: Text) -> RowProblem {
        RowProblem {
            row: 0,
            column: "file".into(),
            reason,
        }
    }

    /// The problem in a line: "row 3, tax_wan: …" / "第 3 行 税收（万元）: …".
    pub fn line(&self, lang: Lang) -> String {
        let column = Column::ALL
            .into_iter()
            .find(|c| c.name() == self.column)
            .map_or(self.column.as_str(), |c| match lang {
                Lang::Zh => c.label(lang),
                Lang::En => c.name(),
            });
        if self.row == 0 {
            return self.reason.get(lang).to_string();
        }
        i18n::fill(
            lang,
            "rules.cluster.row_problem",
            &[
                ("row", &self.row.to_string()),
                ("column", column),
                ("reason", self.reason.get(lang)),
            ],
        )
    }
}

/// Reads a non-negative decimal with at most `decimals` places as a whole number of
/// its smallest unit (`"1.5"` with 3 places is 1500). Thousands separators are allowed.
pub fn parse_fixed(input: &str, decimals: usize) -> Result<i64, Text> {
    let trimmed = input.trim();
    // Thousands separators are dropped; a value without one (nearly all) is read where
    // it lies, with no copy.
    let owned: String;
    let s = if trimmed.contains(',') {
        owned = trimmed.chars().filter(|c| *c != ',').collect();
        owned.as_str()
    } else {
        trimmed
    };
    if s.starts_with('-') && s[1..].bytes().any(|c| c.is_ascii_digit()) {
        return Err(Text::fill("rules.cluster.negative", &[("value", trimmed)]));
    }
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty()
        || !whole.bytes().all(|c| c.is_ascii_digit())
        || !frac.bytes().all(|c| c.is_ascii_digit())
    {
        return Err(Text::fill(
            "rules.cluster.not_a_number",
            &[("value", trimmed)],
        ));
    }
    if frac.len() > decimals {
        return Err(Text::fill(
            "rules.cluster.too_many_decimals",
            &[("value", trimmed), ("decimals", &decimals.to_string())],
        ));
    }
    let too_large = || Text::fill("rules.cluster.too_large", &[("value", trimmed)]);
    // Digits only from here: each is added in, the fraction's missing places as zeros.
    let mut n: i64 = 0;
    for d in whole.bytes().chain(frac.bytes()) {
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(i64::from(d - b'0')))
            .ok_or_else(too_large)?;
    }
    n.checked_mul(10i64.pow((decimals - frac.len()) as u32))
        .ok_or_else(too_large)
}

/// A row's cells as a reader holds them: the `j`-th, if the row has it and it is not
/// empty.
pub trait Cells: Sync {
    fn cell(&self, j: usize) -> Option<&str>;
}

impl Cells for Vec<Option<String>> {
    fn cell(&self, j: usize) -> Option<&str> {
        self.get(j).and_then(|v| v.as_deref())
    }
}

impl Cells for csv::StringRecord {
    fn cell(&self, j: usize) -> Option<&str> {
        self.get(j)
    }
}

/// Reads rows given as a header and numbered rows of cells (`None` for an empty cell;
/// each row's number as the spreadsheet shows it) — the shape both CSV and XLSX are
/// turned into.
pub fn read_table<C: Cells>(
    header: &[String],
    rows: impl IntoIterator<Item = (usize, C)>,
) -> Result<Vec<StatRow>, Vec<RowProblem>> {
    let (rows, problems) = read_table_all(header, rows);
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

/// [`read_table`]'s rows that read and every problem, so that the zone's own checks (an
/// unknown code, a closed period) can name theirs beside the file's in one answer.
pub fn read_table_all<C: Cells>(
    header: &[String],
    rows: impl IntoIterator<Item = (usize, C)>,
) -> (Vec<StatRow>, Vec<RowProblem>) {
    let mut problems = Vec::new();
    let mut at: HashMap<Column, usize> = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        if h.trim().is_empty() {
            continue;
        }
        match Column::of_heading(h) {
            Some(c) if at.contains_key(&c) => problems.push(RowProblem {
                row: 1,
                column: h.trim().to_string(),
                reason: Text::fill("rules.cluster.column_twice", &[("column", c.name())]),
            }),
            Some(c) => {
                at.insert(c, i);
            }
            None => problems.push(RowProblem {
                row: 1,
                column: h.trim().to_string(),
                reason: Text::fill(
                    "rules.cluster.unknown_column",
                    &[
                        ("column", h.trim()),
                        ("columns", &Column::ALL.map(Column::name).join(", ")),
                    ],
                ),
            }),
        }
    }
    for c in Column::ALL {
        if c.required() && !at.contains_key(&c) {
            problems.push(RowProblem {
                row: 1,
                column: c.name().into(),
                reason: Text::fill("rules.cluster.missing_column", &[("column", c.name())]),
            });
        }
    }
    if !problems.is_empty() {
        return (Vec::new(), problems);
    }
    // Each row is read on its own, on every core; what needs the rows before it (the
    // count, duplicates) is settled after, in the file's order.
    use rayon::prelude::*;
    let rows: Vec<(usize, C)> = rows.into_iter().collect();
    let read: Vec<Option<ReadRow>> = rows
        .par_iter()
        .map(|(row, cells)| read_row(&at, *row, cells))
        .collect();
    let mut out = Vec::new();
    let mut first_of: HashMap<(&str, Period), usize> = HashMap::new();
    let mut count = 0usize;
    for r in read.iter().flatten() {
        count += 1;
        if count > MAX_ROWS {
            problems.push(RowProblem::file(Text::fill(
                "rules.cluster.too_many_rows",
                &[("max", &MAX_ROWS.to_string())],
            )));
            break;
        }
        problems.extend(r.problems.iter().cloned());
        let mut duplicate = false;
        if let (Some(u), Some(p)) = (&r.uscc, r.period) {
            match first_of.entry((u.as_str(), p)) {
                std::collections::hash_map::Entry::Occupied(first) => {
                    duplicate = true;
                    problems.push(RowProblem {
                        row: r.row,
                        column: Column::Period.name().into(),
                        reason: Text::fill(
                            "rules.cluster.duplicate_row",
                            &[
                                ("first", &first.get().to_string()),
                                ("period", &p.to_string()),
                            ],
                        ),
                    });
                }
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(r.row);
                }
            }
        }
        if r.problems.is_empty()
            && !duplicate
            && let (Some(uscc), Some(period)) = (&r.uscc, r.period)
        {
            out.push(StatRow {
                row: r.row,
                uscc: uscc.clone(),
                period,
                figures: r.figures,
            });
        }
    }
    if problems.is_empty() && out.is_empty() {
        problems.push(RowProblem::file(Text::key("rules.cluster.no_rows")));
    }
    (out, problems)
}

/// Reads a CSV file (UTF-8, with or without a byte-order mark; a header row).
pub fn from_csv(bytes: &[u8]) -> Result<Vec<StatRow>, Vec<RowProblem>> {
    let (rows, problems) = csv_all(bytes);
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

/// One row read on its own: what its cells say and their problems, in column order.
struct ReadRow {
    row: usize,
    uscc: Option<String>,
    period: Option<Period>,
    figures: Figures,
    problems: Vec<RowProblem>,
}

/// Reads one row's cells (`at`: each column's place); `None` for a blank line.
fn read_row(at: &HashMap<Column, usize>, row: usize, cells: &impl Cells) -> Option<ReadRow> {
    let cell = |c: Column| -> Option<&str> {
        at.get(&c)
            .and_then(|&j| cells.cell(j))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    if Column::ALL.iter().all(|&c| cell(c).is_none()) {
        return None;
    }
    let mut problems = Vec::new();
    let mut problem = |c: Column, reason: Text| {
        problems.push(RowProblem {
            row,
            column: c.name().into(),
            reason,
        })
    };
    let mut need = |c: Column| -> Option<&str> {
        let v = cell(c);
        if v.is_none() {
            problem(c, Text::key("rules.cluster.empty"));
        }
        v
    };
    let uscc = need(Column::Uscc);
    let period = need(Column::Period);
    let money: [(Column, Option<&str>); 5] = [
        Column::Revenue,
        Column::Output,
        Column::Tax,
        Column::ValueAdded,
        Column::Rd,
    ]
    .map(|c| (c, need(c)));
    let energy = need(Column::Energy);
    let employees = need(Column::Employees);
    let land = cell(Column::Land);

    let uscc = uscc.and_then(|u| match Uscc::parse(u) {
        Ok(u) => Some(u.as_str().to_string()),
        Err(e) => {
            problem(Column::Uscc, e.text());
            None
        }
    });
    let period = period.and_then(|p| match Period::parse(p) {
        Ok(p) => Some(p),
        Err(e) => {
            problem(Column::Period, e);
            None
        }
    });
    let mut fixed = |c: Column, v: Option<&str>, decimals: usize| -> Option<i64> {
        v.and_then(|v| match parse_fixed(v, decimals) {
            Ok(n) if n > MAX_FIGURE => {
                problem(
                    c,
                    Text::fill("rules.cluster.too_large", &[("value", v.trim())]),
                );
                None
            }
            Ok(n) => Some(n),
            Err(e) => {
                problem(c, e);
                None
            }
        })
    };
    let [revenue, output, tax, value_added, rd] =
        money.map(|(c, v)| Fen(fixed(c, v, 6).unwrap_or_default()));
    let energy = Tce(fixed(Column::Energy, energy, 3).unwrap_or_default());
    let employees = fixed(Column::Employees, employees, 0).unwrap_or_default();
    let land = fixed(Column::Land, land, 4).map(Mu);
    Some(ReadRow {
        row,
        uscc,
        period,
        figures: Figures {
            revenue,
            output,
            tax,
            value_added,
            energy,
            rd,
            employees,
            land,
        },
        problems,
    })
}

fn csv_all(bytes: &[u8]) -> (Vec<StatRow>, Vec<RowProblem>) {
    match csv_cells(bytes) {
        Ok((header, rows)) => read_table_all(&header, rows),
        Err(problems) => (Vec::new(), problems),
    }
}

/// A CSV file's numbered rows and their records.
type Records = Vec<(usize, csv::StringRecord)>;

/// A CSV file's header and numbered rows. A file without a quote in its rows (what a
/// spreadsheet or a system writes of figures) of more than a megabyte is split at line
/// ends and read on every core at once; otherwise in one pass.
fn csv_cells(bytes: &[u8]) -> Result<(Vec<String>, Records), Vec<RowProblem>> {
    csv_cells_in(bytes, None)
}

/// [`csv_cells`] in `parts` parts where the file allows (for the test that the parts
/// read as the whole does).
fn csv_cells_in(
    bytes: &[u8],
    parts: Option<usize>,
) -> Result<(Vec<String>, Records), Vec<RowProblem>> {
    use rayon::prelude::*;
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(bytes);
    let text = std::str::from_utf8(bytes)
        .map_err(|_| vec![RowProblem::file(Text::key("rules.parcel_file.not_utf8"))])?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| {
            vec![RowProblem::file(Text::fill(
                "rules.parcel_file.no_header",
                &[("error", &e.to_string())],
            ))]
        })?
        .iter()
        .map(str::to_string)
        .collect();
    let body = (reader.position().byte() as usize).min(text.len());
    let rest = &text.as_bytes()[body..];
    let parts = if rest.contains(&b'"') {
        1
    } else {
        parts.unwrap_or(if rest.len() > 1 << 20 {
            rayon::current_num_threads()
        } else {
            1
        })
    }
    .max(1);
    // The parts' bounds, each after a line end, and the line ends before each.
    let mut bounds = vec![body];
    for k in 1..parts {
        let from = (body + rest.len() * k / parts).max(*bounds.last().unwrap_or(&body));
        let at = text.as_bytes()[from..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(text.len(), |i| from + i + 1);
        bounds.push(at);
    }
    bounds.push(text.len());
    let newlines = |a: usize, b: usize| {
        text.as_bytes()[a..b]
            .iter()
            .filter(|c| **c == b'\n')
            .count()
    };
    let mut before = vec![newlines(0, body)];
    for w in bounds.windows(2).take(parts - 1) {
        let last = *before.last().unwrap_or(&0);
        before.push(last + newlines(w[0], w[1]));
    }
    let read: Vec<Result<Records, RowProblem>> = bounds
        .par_windows(2)
        .zip(before.par_iter())
        .map(|(w, lines)| records_of(text, w[0], w[1], *lines))
        .collect();
    let mut rows = Vec::new();
    for part in read {
        rows.extend(part.map_err(|p| vec![p])?);
    }
    Ok((header, rows))
}

/// The records of `text[from..to]` (whole lines), each numbered by the line it starts
/// on, `lines` being the line ends before `from`.
fn records_of(text: &str, from: usize, to: usize, mut lines: usize) -> Result<Records, RowProblem> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(&text.as_bytes()[from..to]);
    let mut rows = Vec::new();
    let mut counted = from;
    for record in reader.records() {
        let record = record.map_err(|e| RowProblem {
            row: lines + 2,
            column: "file".into(),
            reason: Text::fill("rules.parcel_file.not_csv", &[("error", &e.to_string())]),
        })?;
        // The line the record starts on, counted from its byte offset (the reader's own
        // line count skips blank lines).
        let line = match record.position() {
            Some(p) => {
                // The position may be that of blank lines before the record.
                let mut at = (from + p.byte() as usize).min(to);
                while matches!(text.as_bytes().get(at), Some(b'\n' | b'\r')) && at < to {
                    at += 1;
                }
                lines += text.as_bytes()[counted..at]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count();
                counted = at;
                lines + 1
            }
            None => lines + 1,
        };
        rows.push((line, record));
    }
    Ok(rows)
}

/// Reads the first sheet of an XLSX workbook. A number cell is read as the shortest
/// decimal that is the same number; a date cell (a spreadsheet that took `2025-03` for a
/// date) as its month.
pub fn from_xlsx(bytes: &[u8]) -> Result<Vec<StatRow>, Vec<RowProblem>> {
    let (rows, problems) = xlsx_all(bytes);
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

fn xlsx_all(bytes: &[u8]) -> (Vec<StatRow>, Vec<RowProblem>) {
    match xlsx_cells(bytes) {
        Ok((header, rows)) => read_table_all(&header, rows),
        Err(problems) => (Vec::new(), problems),
    }
}

/// The first sheet's header and numbered rows.
#[allow(clippy::type_complexity)]
fn xlsx_cells(
    bytes: &[u8],
) -> Result<(Vec<String>, Vec<(usize, Vec<Option<String>>)>), Vec<RowProblem>> {
    use calamine::{Data, Reader};
    let whole = |reason: Text| vec![RowProblem::file(reason)];
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| {
        whole(Text::fill(
            "rules.parcel_file.not_xlsx",
            &[("error", &e.to_string())],
        ))
    })?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| whole(Text::key("rules.parcel_file.no_sheet")))?
        .map_err(|e| {
            whole(Text::fill(
                "rules.parcel_file.sheet_unreadable",
                &[("error", &e.to_string())],
            ))
        })?;
    let cell = |c: &Data| -> Option<String> {
        match c {
            Data::Empty => None,
            Data::String(s) => Some(s.clone()),
            Data::Float(f) => Some(format!("{f}")),
            Data::Int(i) => Some(i.to_string()),
            // Days since 1899-12-30 (the spreadsheet's serial), as the month.
            Data::DateTime(d) => chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
                .and_then(|base| {
                    base.checked_add_days(chrono::Days::new(d.as_f64().max(0.0) as u64))
                })
                .map(|day| day.format("%Y-%m").to_string()),
            other => Some(other.to_string()),
        }
    };
    // The sheet's first row with anything in it holds the header.
    let first = range.start().map_or(0, |(row, _)| row as usize) + 1;
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .ok_or_else(|| whole(Text::key("rules.parcel_file.sheet_empty")))?
        .iter()
        .map(|c| cell(c).unwrap_or_default())
        .collect();
    let rows = rows
        .enumerate()
        .map(|(i, r)| (first + 1 + i, r.iter().map(cell).collect::<Vec<_>>()))
        .collect();
    Ok((header, rows))
}

/// The file kinds the importer reads, by the name's extension (else by its content).
pub fn from_file(name: &str, bytes: &[u8]) -> Result<Vec<StatRow>, Vec<RowProblem>> {
    let (rows, problems) = from_file_all(name, bytes);
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

/// [`from_file`]'s rows that read and every problem (see [`read_table_all`]).
pub fn from_file_all(name: &str, bytes: &[u8]) -> (Vec<StatRow>, Vec<RowProblem>) {
    let lower = name.to_ascii_lowercase();
    let xlsx = lower.ends_with(".xlsx")
        || !(lower.ends_with(".csv") || lower.ends_with(".txt")) && bytes.starts_with(b"PK");
    if xlsx {
        xlsx_all(bytes)
    } else {
        csv_all(bytes)
    }
}

/// The template's header row in `lang` (Chinese headers for the zone's staff; the
/// importer reads either).
pub fn template_header(lang: Lang) -> Vec<&'static str> {
    Column::ALL.iter().map(|c| c.label(lang)).collect()
}

/// What a year of an enterprise's rows adds up to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum YearFigures {
    /// The year's own row, or its twelve months summed (employees: their average;
    /// land: the last month that declares it).
    Complete { figures: Figures, from_months: bool },
    /// Neither a row for the year nor all twelve months: the months missing.
    Incomplete { missing: Vec<u32> },
}

impl YearFigures {
    pub fn figures(&self) -> Option<&Figures> {
        match self {
            YearFigures::Complete { figures, .. } => Some(figures),
            YearFigures::Incomplete { .. } => None,
        }
    }

    /// Why a year is incomplete, in words: the months missing.
    pub fn missing_text(missing: &[u32]) -> Text {
        let months = missing
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        Text::fill("rules.cluster.months_missing", &[("months", &months)])
    }
}

/// Adds up `year` from an enterprise's rows (any periods; others are ignored).
pub fn year_figures(year: i32, rows: &[(Period, Figures)]) -> YearFigures {
    if let Some((_, f)) = rows.iter().find(|(p, _)| *p == Period::Year(year)) {
        return YearFigures::Complete {
            figures: *f,
            from_months: false,
        };
    }
    let mut months: [Option<&Figures>; 12] = [None; 12];
    for (p, f) in rows {
        if let Period::Month(y, m) = p
            && *y == year
        {
            months[*m as usize - 1] = Some(f);
        }
    }
    let missing: Vec<u32> = (1..=12)
        .filter(|m| months[*m as usize - 1].is_none())
        .collect();
    if !missing.is_empty() {
        return YearFigures::Incomplete { missing };
    }
    let months: Vec<&Figures> = months.into_iter().flatten().collect();
    let sum = |f: fn(&Figures) -> i64| months.iter().map(|m| f(m)).sum::<i64>();
    let totals = Figures {
        revenue: Fen(sum(|f| f.revenue.0)),
        output: Fen(sum(|f| f.output.0)),
        tax: Fen(sum(|f| f.tax.0)),
        value_added: Fen(sum(|f| f.value_added.0)),
        energy: Tce(sum(|f| f.energy.0)),
        rd: Fen(sum(|f| f.rd.0)),
        employees: sum(|f| f.employees),
        land: months.iter().rev().find_map(|m| m.land),
    };
    YearFigures::Complete {
        figures: twelve_months(totals),
        from_months: true,
    }
}

/// A year from its twelve months' totals (employees summed, land the last month's that
/// declares one): the sums, with employees their average to the nearest person (a half
/// rounds up). What [`year_figures`] does, for totals a database added up.
pub fn twelve_months(totals: Figures) -> Figures {
    Figures {
        employees: (totals.employees + 6) / 12,
        ..totals
    }
}

/// Writes a whole number of a unit's `decimals`-th parts with every decimal place, as
/// [`parse_fixed`] reads it back: `1500` with 3 places is `1.500`.
pub fn fixed_text(n: i64, decimals: usize) -> String {
    let sign = if n < 0 { "-" } else { "" };
    let abs = n.unsigned_abs();
    if decimals == 0 {
        return format!("{sign}{abs}");
    }
    let scale = 10u64.pow(decimals as u32);
    format!("{sign}{}.{:0decimals$}", abs / scale, abs % scale)
}

/// Rows as a CSV file [`from_csv`] reads back to the same rows (when each row's number is
/// its place in the slice plus two): the columns' names as the header, money in 万元
/// with six decimals, energy in tce with three, land in mu with four or empty.
pub fn to_csv(rows: &[StatRow]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(rows.len() * 120);
    out.push_str(&Column::ALL.map(Column::name).join(","));
    out.push('\n');
    for r in rows {
        let f = &r.figures;
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{}",
            r.uscc,
            r.period,
            fixed_text(f.revenue.0, 6),
            fixed_text(f.output.0, 6),
            fixed_text(f.tax.0, 6),
            fixed_text(f.value_added.0, 6),
            fixed_text(f.energy.0, 3),
            fixed_text(f.rd.0, 6),
            f.employees,
            f.land.map(|m| fixed_text(m.0, 4)).unwrap_or_default(),
        );
    }
    out
}

/// A zone's monthly statistics for benchmarks and tests, reproducible from `seed`:
/// `enterprises` enterprises with valid codes of the Qingdao West Coast (370211), each
/// with `months` months ending in December of `last_year`, one row each, numbered as
/// [`to_csv`] writes them. About 30 % are below the 2,000-万元 line. Each has its own
/// scale (revenue spread evenly on a log scale), growth, tax, value-added, R&D and energy
/// rates, revenue per employee and per mu; months follow the seasons (the Spring
/// Festival in February, the year-end push in December) with noise, tax and R&D
/// lumpier. Money is whole yuan, energy whole kgce, land declared on every row. Every
/// tenth small enterprise rents a standard 10-mu plot and pays a fixed 1.5 万元 of tax a
/// month (核定征收), so they tie on tax per mu and their codes break the tie.
pub fn synthetic(enterprises: usize, months: usize, last_year: i32, seed: u64) -> Vec<StatRow> {
    use rand::{Rng, SeedableRng};
    use rand_distr::{Distribution, LogNormal};
    const SEASON: [f64; 12] = [
        0.93, 0.72, 1.0, 1.0, 1.02, 1.04, 0.98, 0.97, 1.03, 1.0, 1.06, 1.25,
    ];
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let noise = LogNormal::new(0.0, 0.12).expect("a valid spread");
    let lumpy = LogNormal::new(0.0, 0.4).expect("a valid spread");
    let spread = |rng: &mut rand_chacha::ChaCha8Rng, lo: f64, hi: f64| {
        rng.random_range(lo.ln()..hi.ln()).exp()
    };
    let yuan = |wan: f64| Fen((wan * 1e4).round().max(0.0) as i64 * 100);
    let charset: Vec<char> = crate::core::uscc::CHARSET.chars().collect();
    let mut codes = std::collections::HashSet::new();
    let mut rows = Vec::with_capacity(enterprises * months);
    for e in 0..enterprises {
        let uscc = loop {
            let body: String = (0..6)
                .map(|_| charset[rng.random_range(0..charset.len())])
                .collect();
            let code = Uscc::complete(&format!("91370211MA{body}")).expect("built valid");
            if codes.insert(code.clone()) {
                break code.as_str().to_string();
            }
        };
        let small = rng.random_bool(0.3);
        // The last year's revenue, in 万元.
        let revenue_wan = if small {
            spread(&mut rng, 150.0, 1_990.0)
        } else {
            spread(&mut rng, 2_050.0, 300_000.0)
        };
        let growth: f64 = rng.random_range(-0.08..0.25);
        let output_ratio = rng.random_range(0.9..1.15);
        let tax_rate = rng.random_range(0.015..0.09);
        let va_rate = rng.random_range(0.15..0.4);
        let tce_per_wan = spread(&mut rng, 0.005, 0.6);
        let rd_rate = if rng.random_bool(0.2) {
            0.0
        } else {
            rng.random_range(0.005..0.07)
        };
        let employees = (revenue_wan / spread(&mut rng, 40.0, 400.0)).max(5.0);
        let standard = small && e % 10 == 0;
        let land = if standard {
            Mu(10 * 10_000)
        } else {
            Mu::from_mu((revenue_wan / spread(&mut rng, 60.0, 1_200.0)).clamp(2.0, 800.0))
        };
        for k in 0..months {
            let back = (months - 1 - k) as i32;
            let (year, month) = (last_year - back.div_euclid(12), 12 - back.rem_euclid(12));
            let trend = (1.0 + growth).powf(-f64::from(back) / 12.0);
            let revenue =
                revenue_wan / 12.0 * SEASON[month as usize - 1] * trend * noise.sample(&mut rng);
            let figures = Figures {
                revenue: yuan(revenue),
                output: yuan(revenue * output_ratio * noise.sample(&mut rng)),
                tax: if standard {
                    Fen(15_000 * 100)
                } else {
                    yuan(revenue * tax_rate * lumpy.sample(&mut rng))
                },
                value_added: yuan(revenue * va_rate * noise.sample(&mut rng)),
                energy: Tce((revenue * tce_per_wan * noise.sample(&mut rng) * 1e3)
                    .round()
                    .max(1.0) as i64),
                rd: yuan(revenue * rd_rate * lumpy.sample(&mut rng)),
                employees: (employees * rng.random_range(0.97..1.03)).round().max(1.0) as i64,
                land: Some(land),
            };
            rows.push(StatRow {
                row: rows.len() + 2,
                uscc: uscc.clone(),
                period: Period::Month(year, month as u32),
                figures,
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "91370212MA3C5QWX1K";

    fn uscc() -> String {
        Uscc::complete(&A[..16]).unwrap().as_str().to_string()
    }

    #[test]
    fn fixed_decimals_are_exact_and_bounded() {
        assert_eq!(parse_fixed("1.5", 3), Ok(1500));
        assert_eq!(parse_fixed("1,234.000001", 6), Ok(1_234_000_001));
        assert_eq!(parse_fixed("0", 0), Ok(0));
        assert!(parse_fixed("1.0000001", 6).unwrap_err().en.contains("6"));
        assert!(parse_fixed("-3", 2).unwrap_err().en.contains("negative"));
        assert!(parse_fixed("abc", 2).unwrap_err().en.contains("abc"));
        assert!(parse_fixed("1.5", 0).is_err());
        assert!(parse_fixed("99999999999999999999", 2).is_err());
    }

    #[test]
    fn headings_in_either_language_name_the_columns() {
        assert_eq!(Column::of_heading("tax_wan"), Some(Column::Tax));
        assert_eq!(Column::of_heading(" Tax_Wan "), Some(Column::Tax));
        for c in Column::ALL {
            assert_eq!(Column::of_heading(c.label(Lang::Zh)), Some(c), "{c:?}");
            assert_eq!(Column::of_heading(c.label(Lang::En)), Some(c), "{c:?}");
        }
        assert_eq!(Column::of_heading("profit"), None);
    }

    #[test]
    fn a_good_file_reads_and_a_template_header_is_accepted() {
        let u = uscc();
        let csv = format!(
            "{}\n{u},2025-03,100.5,200,10.000001,50,12.5,3,40,\n{u},2024,1000,2000,100,500,120,30,41,12.25\n",
            template_header(Lang::Zh).join(",")
        );
        let rows = from_csv(csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].period, Period::Month(2025, 3));
        assert_eq!(rows[0].figures.revenue, Fen(100_500_000));
        assert_eq!(rows[0].figures.tax, Fen(10_000_001));
        assert_eq!(rows[0].figures.energy, Tce(12_500));
        assert_eq!(rows[0].figures.land, None);
        assert_eq!(rows[1].figures.land, Some(Mu(122_500)));
        assert_eq!(rows[1].figures.employees, 41);
    }

    #[test]
    fn every_problem_is_named_by_row_and_column_and_nothing_is_read() {
        let u = uscc();
        let head = Column::ALL.map(Column::name).join(",");
        let csv = format!(
            "{head}\n{u},2025-03,100,200,10,50,12,3,40,\n\
             91370212MA3C5QWX1X,2025-13,-1,abc,10.0000001,50,12,3,4.5,\n\
             {u},2025-03,100,200,10,50,12,3,40,\n\
             \n\
             {u},2025-04,,200,10,50,12,3,40,\n"
        );
        let problems = from_csv(csv.as_bytes()).unwrap_err();
        let at: Vec<(usize, &str)> = problems
            .iter()
            .map(|p| (p.row, p.column.as_str()))
            .collect();
        assert_eq!(
            at,
            vec![
                (3, "uscc"),
                (3, "period"),
                (3, "revenue_wan"),
                (3, "output_wan"),
                (3, "tax_wan"),
                (3, "employees"),
                (4, "period"),
                (6, "revenue_wan"),
            ]
        );
        assert!(problems[2].reason.en.contains("negative"));
        assert!(
            problems[6].reason.en.contains("row 2"),
            "{}",
            problems[6].reason.en
        );
        assert!(problems[0].line(Lang::Zh).starts_with("第 3 行"));
        assert!(problems[0].line(Lang::En).starts_with("row 3, uscc"));
    }

    #[test]
    fn written_rows_read_back_the_same() {
        assert_eq!(fixed_text(1500, 3), "1.500");
        assert_eq!(fixed_text(1, 6), "0.000001");
        assert_eq!(fixed_text(-1_234_500_000, 6), "-1234.500000");
        assert_eq!(fixed_text(41, 0), "41");
        for (n, d) in [(0, 6), (999_999, 6), (123_456_789, 4), (7, 0)] {
            assert_eq!(parse_fixed(&fixed_text(n, d), d), Ok(n));
        }
        let rows = synthetic(40, 14, 2025, 3);
        assert_eq!(rows.len(), 40 * 14);
        assert_eq!(rows[0].period, Period::Month(2024, 11));
        assert_eq!(rows[13].period, Period::Month(2025, 12));
        assert_eq!(from_csv(to_csv(&rows).as_bytes()), Ok(rows.clone()));
        assert_eq!(
            synthetic(40, 14, 2025, 3),
            rows,
            "the same seed, the same rows"
        );
        // Every enterprise has a whole year, rateable: revenue, energy, employees, land.
        for chunk in rows.chunks(14) {
            let list: Vec<(Period, Figures)> =
                chunk.iter().map(|r| (r.period, r.figures)).collect();
            let f = *year_figures(2025, &list).figures().expect("twelve months");
            assert!(f.revenue.0 > 0 && f.energy.0 > 0 && f.employees > 0);
            assert!(f.land.is_some_and(|m| m.0 > 0));
        }
        let codes: std::collections::HashSet<&str> = rows.iter().map(|r| r.uscc.as_str()).collect();
        assert_eq!(codes.len(), 40);
    }

    #[test]
    fn a_file_read_in_parts_reads_as_in_one() {
        let rows = synthetic(30, 14, 2025, 5);
        let plain = to_csv(&rows);
        // Blank lines, CRLF line ends, a BOM and no last line end, as files come.
        let mut messy = String::from("\u{feff}");
        for (i, line) in plain.lines().enumerate() {
            messy.push_str(line);
            messy.push_str(if i % 7 == 3 {
                "\r\n\r\n"
            } else if i % 5 == 0 {
                "\r\n"
            } else {
                "\n"
            });
            if i % 11 == 10 {
                messy.push('\n');
            }
        }
        let messy = messy.trim_end().to_string();
        for file in [plain, messy] {
            let whole = csv_cells_in(file.as_bytes(), Some(1)).unwrap();
            for parts in [2, 3, 8, 1000] {
                let split = csv_cells_in(file.as_bytes(), Some(parts)).unwrap();
                assert_eq!(split.0, whole.0);
                let lines = |r: &Records| -> Vec<(usize, Vec<String>)> {
                    r.iter()
                        .map(|(l, rec)| (*l, rec.iter().map(str::to_string).collect()))
                        .collect()
                };
                assert_eq!(lines(&split.1), lines(&whole.1), "{parts} parts");
            }
            assert_eq!(whole.1.len(), 30 * 14);
        }
        // A line's number counts the blank lines before it.
        let head = Column::ALL.map(Column::name).join(",");
        let u = uscc();
        let file =
            format!("{head}\n\n{u},2025-03,1,1,1,1,1,1,1,\r\n\r\n{u},2025-04,1,1,1,1,1,1,1,\n");
        for parts in [1, 2, 3] {
            let (_, rows) = csv_cells_in(file.as_bytes(), Some(parts)).unwrap();
            let at: Vec<usize> = rows.iter().map(|(l, _)| *l).collect();
            assert_eq!(at, vec![3, 5], "{parts} parts");
        }
    }

    #[test]
    fn a_figure_past_the_largest_is_refused_by_row_and_column() {
        let u = uscc();
        let head = Column::ALL.map(Column::name).join(",");
        // 10¹⁵ fen is 10⁹ 万元: that much is taken, a fen more is not.
        let csv = format!(
            "{head}\n{u},2025-01,1000000000,1,1,1,1,1,1,\n{u},2025-02,1000000000.000001,1,1,1,1,1,1,\n"
        );
        let problems = from_csv(csv.as_bytes()).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(
            (problems[0].row, problems[0].column.as_str()),
            (3, "revenue_wan")
        );
        assert!(problems[0].reason.en.contains("1000000000.000001"));
    }

    #[test]
    fn a_file_without_its_columns_or_rows_is_refused() {
        let p = from_csv(b"uscc,period,profit\n").unwrap_err();
        assert!(p.iter().any(|p| p.column == "profit" && p.row == 1));
        assert!(p.iter().any(|p| p.column == "tax_wan"));
        let head = Column::ALL.map(Column::name).join(",");
        let p = from_csv(format!("{head}\n").as_bytes()).unwrap_err();
        assert_eq!(p[0].row, 0);
        assert!(from_csv(b"\xff\xfe").is_err());
    }

    fn month(revenue: i64, employees: i64) -> Figures {
        Figures {
            revenue: Fen(revenue),
            employees,
            ..Figures::default()
        }
    }

    #[test]
    fn a_year_is_its_own_row_or_its_twelve_months() {
        let mut rows: Vec<(Period, Figures)> = (1..=11)
            .map(|m| (Period::Month(2025, m), month(100, 10 + m as i64)))
            .collect();
        assert_eq!(
            year_figures(2025, &rows),
            YearFigures::Incomplete { missing: vec![12] }
        );
        rows.push((
            Period::Month(2025, 12),
            Figures {
                land: Some(Mu(5)),
                ..month(100, 22)
            },
        ));
        let YearFigures::Complete {
            figures,
            from_months,
        } = year_figures(2025, &rows)
        else {
            panic!("complete")
        };
        assert!(from_months);
        assert_eq!(figures.revenue, Fen(1200));
        // (11 + … + 21 + 22) / 12 = 198 / 12 = 16.5 → 17
        assert_eq!(figures.employees, 17);
        assert_eq!(figures.land, Some(Mu(5)));
        rows.push((Period::Year(2025), month(5000, 3)));
        assert_eq!(
            year_figures(2025, &rows).figures().map(|f| f.revenue),
            Some(Fen(5000))
        );
        assert_eq!(
            year_figures(2024, &rows),
            YearFigures::Incomplete {
                missing: (1..=12).collect()
            }
        );
        assert!(YearFigures::missing_text(&[3, 4]).en.contains("3, 4"));
    }
}
