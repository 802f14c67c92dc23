//! 工作日 — the PRC working-day calendar and working-day arithmetic.
//!
//! Each published year lists its statutory holidays (法定节假日) and the weekend days
//! made working days (调休上班). Days of a year with no published schedule follow the
//! week (Monday–Friday working), and every answer that relied on such a day says so
//! ([`Counted::assumed`]) instead of failing, so a forecast into next year still works.
//!
//! Time limits count from the day after the start (the day of acceptance is day 0):
//! [`Calendar::add_working_days`]`(d, n)` is the n-th working day after `d`, and
//! [`Calendar::working_days_between`]`(a, b)` counts the working days in `(a, b]`.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::core::i18n;
use crate::core::lang::{Lang, Text};

/// The calendar built into the release: 2020–2026.
pub const BUILTIN: &str = include_str!("../../data/calendar-cn.toml");

/// One statutory holiday period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub name_zh: String,
    pub name_en: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// One year's published schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearSchedule {
    pub year: i32,
    /// The notice it comes from.
    pub source: String,
    pub holidays: Vec<Holiday>,
    /// Weekend days made working days (调休).
    pub workdays: Vec<NaiveDate>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    year: Vec<YearFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct YearFile {
    year: i32,
    source: String,
    holidays: Vec<HolidayFile>,
    #[serde(default)]
    workdays: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidayFile {
    name_zh: String,
    name_en: String,
    from: String,
    to: String,
}

/// Why a calendar file is refused; each names the year and the date or entry at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendarError {
    Syntax(String),
    BadDate {
        year: i32,
        value: String,
    },
    WrongYear {
        year: i32,
        date: NaiveDate,
    },
    Backwards {
        year: i32,
        name: String,
        from: NaiveDate,
        to: NaiveDate,
    },
    Both {
        year: i32,
        date: NaiveDate,
    },
    NotWeekend {
        year: i32,
        date: NaiveDate,
        weekday: Weekday,
    },
    Overlap {
        year: i32,
        first: String,
        second: String,
        date: NaiveDate,
    },
    DuplicateYear(i32),
    YearOutOfRange(i32),
}

fn weekday_key(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "rules.calendar.weekday_mon",
        Weekday::Tue => "rules.calendar.weekday_tue",
        Weekday::Wed => "rules.calendar.weekday_wed",
        Weekday::Thu => "rules.calendar.weekday_thu",
        Weekday::Fri => "rules.calendar.weekday_fri",
        Weekday::Sat => "rules.calendar.weekday_sat",
        Weekday::Sun => "rules.calendar.weekday_sun",
    }
}

impl CalendarError {
    /// The reason in both languages.
    pub fn text(&self) -> Text {
        Text::from_fn(|lang| self.message(lang))
    }

    /// The reason in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        let fill = |key, values: &[(&str, &str)]| i18n::fill(lang, key, values);
        match self {
            CalendarError::Syntax(e) => fill("rules.calendar.syntax", &[("error", e)]),
            CalendarError::BadDate { year, value } => fill(
                "rules.calendar.bad_date",
                &[("year", &year.to_string()), ("value", value)],
            ),
            CalendarError::WrongYear { year, date } => fill(
                "rules.calendar.wrong_year",
                &[("year", &year.to_string()), ("date", &date.to_string())],
            ),
            CalendarError::Backwards {
                year,
                name,
                from,
                to,
            } => fill(
                "rules.calendar.backwards",
                &[
                    ("year", &year.to_string()),
                    ("name", name),
                    ("from", &from.to_string()),
                    ("to", &to.to_string()),
                ],
            ),
            CalendarError::Both { year, date } => fill(
                "rules.calendar.both",
                &[("year", &year.to_string()), ("date", &date.to_string())],
            ),
            CalendarError::NotWeekend {
                year,
                date,
                weekday,
            } => fill(
                "rules.calendar.not_weekend",
                &[
                    ("year", &year.to_string()),
                    ("date", &date.to_string()),
                    ("weekday", i18n::text(lang, weekday_key(*weekday))),
                ],
            ),
            CalendarError::Overlap {
                year,
                first,
                second,
                date,
            } => fill(
                "rules.calendar.overlap",
                &[
                    ("year", &year.to_string()),
                    ("first", first),
                    ("second", second),
                    ("date", &date.to_string()),
                ],
            ),
            CalendarError::DuplicateYear(y) => {
                fill("rules.calendar.duplicate_year", &[("year", &y.to_string())])
            }
            CalendarError::YearOutOfRange(y) => fill(
                "rules.calendar.year_out_of_range",
                &[("year", &y.to_string())],
            ),
        }
    }
}

/// The reason in English.
impl std::fmt::Display for CalendarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for CalendarError {}

/// Whether a day is worked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Workday,
    Restday,
}

/// Everything the calendar says about one date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayInfo<'a> {
    pub date: NaiveDate,
    pub kind: DayKind,
    /// The statutory holiday it falls in.
    pub holiday: Option<&'a Holiday>,
    /// A weekend day made a working day (调休).
    pub adjusted: bool,
    /// Whether its year has a published schedule; if not, the week decided.
    pub published: bool,
}

/// An answer, and whether it relied on a year with no published schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted<T> {
    pub value: T,
    pub assumed: bool,
}

/// The working-day calendar: the published years it knows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    years: BTreeMap<i32, YearSchedule>,
    // Lookup tables built from `years`.
    holiday_of: BTreeMap<NaiveDate, (i32, usize)>,
    workdays: BTreeMap<NaiveDate, ()>,
}

fn date(year: i32, s: &str) -> Result<NaiveDate, CalendarError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| CalendarError::BadDate {
        year,
        value: s.to_string(),
    })
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

impl YearSchedule {
    /// Checks one year: dates in range and in the year, no overlaps, make-up days on weekends.
    pub fn validate(&self) -> Result<(), CalendarError> {
        let year = self.year;
        if !(1990..=2200).contains(&year) {
            return Err(CalendarError::YearOutOfRange(year));
        }
        let mut seen: BTreeMap<NaiveDate, &str> = BTreeMap::new();
        for h in &self.holidays {
            if h.to < h.from {
                return Err(CalendarError::Backwards {
                    year,
                    name: h.name_zh.clone(),
                    from: h.from,
                    to: h.to,
                });
            }
            for d in [h.from, h.to] {
                if d.year() != year {
                    return Err(CalendarError::WrongYear { year, date: d });
                }
            }
            let mut d = h.from;
            while d <= h.to {
                if let Some(first) = seen.insert(d, &h.name_zh) {
                    return Err(CalendarError::Overlap {
                        year,
                        first: first.to_string(),
                        second: h.name_zh.clone(),
                        date: d,
                    });
                }
                d += Duration::days(1);
            }
        }
        for &w in &self.workdays {
            if w.year() != year {
                return Err(CalendarError::WrongYear { year, date: w });
            }
            if seen.contains_key(&w) {
                return Err(CalendarError::Both { year, date: w });
            }
            if !is_weekend(w) {
                return Err(CalendarError::NotWeekend {
                    year,
                    date: w,
                    weekday: w.weekday(),
                });
            }
        }
        Ok(())
    }
}

/// Reads the calendar file format (see `data/calendar-cn.toml`), checking every year.
pub fn parse_years(text: &str) -> Result<Vec<YearSchedule>, CalendarError> {
    let file: CalendarFile =
        toml::from_str(text).map_err(|e| CalendarError::Syntax(e.message().to_string()))?;
    if let Ok(value) = toml::from_str::<toml::Value>(text)
        && let Some((path, c)) = crate::core::text::toml_forbidden(&value)
    {
        return Err(CalendarError::Syntax(format!(
            "{path}: holds the control character {}",
            crate::core::text::describe(c)
        )));
    }
    let mut out: Vec<YearSchedule> = Vec::new();
    for y in file.year {
        if out.iter().any(|o| o.year == y.year) {
            return Err(CalendarError::DuplicateYear(y.year));
        }
        let mut holidays = Vec::new();
        for h in y.holidays {
            holidays.push(Holiday {
                from: date(y.year, &h.from)?,
                to: date(y.year, &h.to)?,
                name_zh: h.name_zh,
                name_en: h.name_en,
            });
        }
        let workdays = y
            .workdays
            .iter()
            .map(|w| date(y.year, w))
            .collect::<Result<Vec<_>, _>>()?;
        let schedule = YearSchedule {
            year: y.year,
            source: y.source,
            holidays,
            workdays,
        };
        schedule.validate()?;
        out.push(schedule);
    }
    Ok(out)
}

impl Calendar {
    /// The calendar built into the release.
    pub fn builtin() -> Calendar {
        let mut c = Calendar::default();
        for y in parse_years(BUILTIN).expect("the built-in calendar is valid") {
            c.insert(y);
        }
        c
    }

    /// Adds a year, or replaces it if already known (a corrected notice).
    pub fn insert(&mut self, year: YearSchedule) {
        self.years.insert(year.year, year);
        self.holiday_of.clear();
        self.workdays.clear();
        for (y, s) in &self.years {
            for (i, h) in s.holidays.iter().enumerate() {
                let mut d = h.from;
                while d <= h.to {
                    self.holiday_of.insert(d, (*y, i));
                    d += Duration::days(1);
                }
            }
            for w in &s.workdays {
                self.workdays.insert(*w, ());
            }
        }
    }

    /// A number that changes whenever a holiday or a make-up working day does (within one
    /// process: for keying what was computed on this calendar).
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::DefaultHasher::new();
        for d in self.holiday_of.keys().chain(self.workdays.keys()) {
            d.hash(&mut h);
        }
        self.holiday_of.len().hash(&mut h);
        h.finish()
    }

    pub fn years(&self) -> impl Iterator<Item = &YearSchedule> {
        self.years.values()
    }

    pub fn is_published(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    pub fn day(&self, d: NaiveDate) -> DayInfo<'_> {
        let published = self.is_published(d.year());
        let holiday = self
            .holiday_of
            .get(&d)
            .map(|(y, i)| &self.years[y].holidays[*i]);
        let adjusted = self.workdays.contains_key(&d);
        let kind = if holiday.is_some() {
            DayKind::Restday
        } else if adjusted || !is_weekend(d) {
            DayKind::Workday
        } else {
            DayKind::Restday
        };
        DayInfo {
            date: d,
            kind,
            holiday,
            adjusted,
            published,
        }
    }

    pub fn is_workday(&self, d: NaiveDate) -> bool {
        self.day(d).kind == DayKind::Workday
    }

    /// The `n`-th working day after `start` (`n = 0` gives `start`); `n < 0` counts back.
    pub fn add_working_days(&self, start: NaiveDate, n: i64) -> Counted<NaiveDate> {
        let step = if n < 0 { -1 } else { 1 };
        let mut d = start;
        let mut left = n.abs();
        let mut assumed = false;
        while left > 0 {
            d += Duration::days(step);
            assumed |= !self.is_published(d.year());
            if self.is_workday(d) {
                left -= 1;
            }
        }
        Counted { value: d, assumed }
    }

    /// Working days in `(from, to]`; negative when `to` is before `from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Counted<i64> {
        let (a, b, sign) = if to >= from {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let mut n = 0;
        let mut assumed = false;
        let mut d = a;
        while d < b {
            d += Duration::days(1);
            assumed |= !self.is_published(d.year());
            if self.is_workday(d) {
                n += 1;
            }
        }
        Counted {
            value: sign * n,
            assumed,
        }
    }

    /// The first working day on or after `d`.
    pub fn next_workday_from(&self, d: NaiveDate) -> NaiveDate {
        let mut d = d;
        while !self.is_workday(d) {
            d += Duration::days(1);
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn matches_the_chinese_holiday_crate_on_every_day_2020_to_2026() {
        let cal = Calendar::builtin();
        let mut day = d("2020-01-01");
        let mut checked = 0;
        // The crate asserts (panics) after 2026-12-25.
        while day <= d("2026-12-25") {
            let theirs = chinese_holiday::chinese_holiday(chinese_holiday::Ymd::new(
                day.year() as u16,
                day.month() as u8,
                day.day() as u8,
            ))
            .is_workday();
            assert_eq!(cal.is_workday(day), theirs, "{day}");
            assert!(cal.day(day).published);
            day += Duration::days(1);
            checked += 1;
        }
        assert_eq!(checked, 2551);
    }

    #[test]
    fn national_day_2026_edges() {
        let cal = Calendar::builtin();
        // The Sunday before is a make-up working day, the week itself is off.
        assert!(cal.is_workday(d("2026-09-20")));
        assert!(cal.day(d("2026-09-20")).adjusted);
        assert!(!cal.is_workday(d("2026-10-01")));
        assert_eq!(cal.day(d("2026-10-05")).holiday.unwrap().name_zh, "国庆节");
        // 1 working day after Wed 30 Sep is Thu 8 Oct; Sat 10 Oct is worked.
        assert_eq!(
            cal.add_working_days(d("2026-09-30"), 1).value,
            d("2026-10-08")
        );
        assert_eq!(
            cal.add_working_days(d("2026-09-30"), 3).value,
            d("2026-10-10")
        );
        assert_eq!(
            cal.working_days_between(d("2026-09-30"), d("2026-10-10"))
                .value,
            3
        );
    }

    #[test]
    fn spring_festival_2026_and_make_up_saturdays() {
        let cal = Calendar::builtin();
        assert!(cal.is_workday(d("2026-02-14")));
        assert!(cal.is_workday(d("2026-02-28")));
        assert!(!cal.is_workday(d("2026-02-23")));
        assert_eq!(
            cal.add_working_days(d("2026-02-13"), 1).value,
            d("2026-02-14")
        );
        assert_eq!(
            cal.add_working_days(d("2026-02-14"), 1).value,
            d("2026-02-24")
        );
        assert_eq!(
            cal.add_working_days(d("2026-02-24"), -1).value,
            d("2026-02-14")
        );
    }

    #[test]
    fn unpublished_years_follow_the_week_and_say_so() {
        let cal = Calendar::builtin();
        let info = cal.day(d("2027-01-01"));
        assert!(!info.published);
        assert_eq!(
            info.kind,
            DayKind::Workday,
            "a Friday in an unpublished year"
        );
        let c = cal.add_working_days(d("2026-12-30"), 3);
        assert_eq!(c.value, d("2027-01-04"));
        assert!(c.assumed);
        assert!(!cal.add_working_days(d("2026-12-01"), 3).assumed);
    }

    #[test]
    fn bad_files_are_refused_with_the_year_and_date() {
        let base = |body: &str| format!("[[year]]\nyear = 2027\nsource = \"test\"\n{body}");
        let cases = [
            (
                "holidays = [{ name_zh = \"春节\", name_en = \"x\", from = \"2027-02-10\", to = \"2027-02-08\" }]",
                "ends",
            ),
            (
                "holidays = [{ name_zh = \"春节\", name_en = \"x\", from = \"2027-02-30\", to = \"2027-03-01\" }]",
                "not a date",
            ),
            (
                "holidays = [{ name_zh = \"元旦\", name_en = \"x\", from = \"2026-12-31\", to = \"2027-01-01\" }]",
                "another year",
            ),
            (
                "holidays = []\nworkdays = [\"2027-03-03\"]",
                "not a weekend day",
            ),
            (
                "holidays = [{ name_zh = \"a\", name_en = \"a\", from = \"2027-02-06\", to = \"2027-02-07\" }]\nworkdays = [\"2027-02-06\"]",
                "both",
            ),
            (
                "holidays = [{ name_zh = \"a\", name_en = \"a\", from = \"2027-02-06\", to = \"2027-02-08\" }, { name_zh = \"b\", name_en = \"b\", from = \"2027-02-08\", to = \"2027-02-09\" }]",
                "overlap",
            ),
            ("holidays = []\ncolour = 1", "unknown field"),
        ];
        for (body, expect) in cases {
            let err = parse_years(&base(body)).unwrap_err();
            assert!(err.to_string().contains(expect), "{body}: {err}");
            assert!(
                err.to_string().contains("2027") || expect == "unknown field",
                "{err}"
            );
        }
        let twice = format!("{}\n{}", base("holidays = []"), base("holidays = []"));
        assert_eq!(parse_years(&twice), Err(CalendarError::DuplicateYear(2027)));
    }

    #[test]
    fn importing_a_year_extends_the_calendar() {
        let mut cal = Calendar::builtin();
        let y = parse_years("[[year]]\nyear = 2027\nsource = \"test notice\"\nholidays = [{ name_zh = \"元旦\", name_en = \"New Year's Day\", from = \"2027-01-01\", to = \"2027-01-03\" }]\nworkdays = []").unwrap();
        cal.insert(y.into_iter().next().unwrap());
        assert!(cal.day(d("2027-01-01")).published);
        assert!(!cal.is_workday(d("2027-01-01")));
        assert!(!cal.add_working_days(d("2026-12-30"), 3).assumed);
        assert!(!cal.is_workday(d("2026-10-01")), "earlier years are kept");
    }

    proptest! {
        #[test]
        fn adding_then_counting_gives_back_n(start in 0i64..2900, n in 0i64..400) {
            let cal = Calendar::builtin();
            let s = d("2020-01-01") + Duration::days(start);
            let end = cal.add_working_days(s, n).value;
            prop_assert_eq!(cal.working_days_between(s, end).value, n);
            prop_assert!(n == 0 || cal.is_workday(end));
            prop_assert_eq!(cal.add_working_days(end, -n).value <= s, true);
        }

        #[test]
        fn more_days_never_end_earlier(start in 0i64..2900, n in 0i64..300, extra in 0i64..50) {
            let cal = Calendar::builtin();
            let s = d("2020-01-01") + Duration::days(start);
            prop_assert!(cal.add_working_days(s, n).value <= cal.add_working_days(s, n + extra).value);
        }
    }
}
