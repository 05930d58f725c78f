//! Dates as day numbers, calendar months, and the periods results are reported by: month,
//! quarter, calendar year and UK financial year (April to March).
//!
//! Every costed line belongs to one calendar [`Month`]; coarser periods are unions of months,
//! so a spell apportioned to months is apportioned to quarters and years by the same pennies.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Serialize, Serializer};

/// A date as a day number (days since 1 January of year 1, which is day 1), the columnar form.
pub type DayNumber = i32;

/// The day number of a date.
#[must_use]
pub fn day_number(date: NaiveDate) -> DayNumber {
    date.num_days_from_ce()
}

/// The date of a day number, if it is within chrono's range.
#[must_use]
pub fn date_of(day: DayNumber) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(day)
}

/// The first year an event's date may be in: dates run from 1 January 1900.
pub const FIRST_YEAR: i32 = 1900;
/// The last year an event's date may be in: dates run to 31 December 2199.
pub const LAST_YEAR: i32 = 2199;

/// Whether a date is in the supported range, 1900-01-01 to 2199-12-31. Every reader of events
/// (CSV, Arrow, records built in code) refuses a date outside it, so that a series, a ledger's
/// months or a chart spans at most three centuries (3,600 months) whatever the input.
#[must_use]
pub fn is_supported(date: NaiveDate) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&date.year())
}

/// The message for a date outside the supported range, quoting it as `found`.
#[must_use]
pub fn unsupported_date(found: &str) -> String {
    format!("expected a date from {FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31, found {found:?}")
}

/// Parses a strict `YYYY-MM-DD` date (four-digit year, two-digit month and day, a real date).
///
/// # Example
/// ```
/// use journeycost::period::parse_date;
///
/// assert!(parse_date("2024-02-29").is_some());
/// assert!(parse_date("2023-02-29").is_none()); // not a leap year
/// assert!(parse_date("31/02/2024").is_none());
/// assert!(parse_date("2024-2-9").is_none());
/// ```
#[must_use]
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

/// A calendar month, as a count of months since January of year 0 (`year * 12 + month - 1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month(pub i32);

impl Month {
    /// The month containing a date.
    #[must_use]
    pub fn of(date: NaiveDate) -> Month {
        Month(date.year() * 12 + date.month0() as i32)
    }

    /// The calendar year of this month.
    #[must_use]
    pub fn year(self) -> i32 {
        self.0.div_euclid(12)
    }

    /// The month of the year, 1 to 12.
    #[must_use]
    pub fn month(self) -> u32 {
        self.0.rem_euclid(12) as u32 + 1
    }

    /// The first day of this month.
    #[must_use]
    pub fn first_day(self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year(), self.month(), 1)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

/// The kinds of period results are reported by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodKind {
    /// Calendar month, labelled `2024-03`.
    #[default]
    Month,
    /// Calendar quarter, labelled `2024-Q1` (January to March).
    Quarter,
    /// Calendar year, labelled `2024`.
    Year,
    /// UK financial year, April to March, labelled `2024/25`.
    Fy,
}

impl PeriodKind {
    /// The period of this kind containing a month.
    #[must_use]
    pub fn of_month(self, m: Month) -> Period {
        let index = match self {
            PeriodKind::Month => m.0,
            PeriodKind::Quarter => m.0.div_euclid(3),
            PeriodKind::Year => m.year(),
            PeriodKind::Fy => {
                if m.month() >= 4 {
                    m.year()
                } else {
                    m.year() - 1
                }
            }
        };
        Period { kind: self, index }
    }

    /// The lowercase name used on the command line and in scenario files.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Year => "year",
            PeriodKind::Fy => "fy",
        }
    }
}

impl FromStr for PeriodKind {
    type Err = String;
    fn from_str(s: &str) -> Result<PeriodKind, String> {
        match s {
            "month" => Ok(PeriodKind::Month),
            "quarter" => Ok(PeriodKind::Quarter),
            "year" => Ok(PeriodKind::Year),
            "fy" => Ok(PeriodKind::Fy),
            _ => Err(format!("expected month, quarter, year or fy, found {s:?}")),
        }
    }
}

impl fmt::Display for PeriodKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One period: a kind and a sequential index (periods of a kind are consecutive integers).
///
/// # Example
/// ```
/// use journeycost::period::{Month, PeriodKind};
/// use chrono::NaiveDate;
///
/// let m = Month::of(NaiveDate::from_ymd_opt(2024, 3, 15).unwrap());
/// assert_eq!(PeriodKind::Month.of_month(m).to_string(), "2024-03");
/// assert_eq!(PeriodKind::Quarter.of_month(m).to_string(), "2024-Q1");
/// assert_eq!(PeriodKind::Year.of_month(m).to_string(), "2024");
/// assert_eq!(PeriodKind::Fy.of_month(m).to_string(), "2023/24");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    /// The kind of period.
    pub kind: PeriodKind,
    /// Its sequential index: months since year 0, quarters since year 0, or the starting year.
    pub index: i32,
}

impl Period {
    /// The next period of the same kind.
    #[must_use]
    pub fn next(self) -> Period {
        Period { kind: self.kind, index: self.index + 1 }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = self.index;
        let label = match self.kind {
            PeriodKind::Month => Month(i).to_string(),
            PeriodKind::Quarter => format!("{:04}-Q{}", i.div_euclid(4), i.rem_euclid(4) + 1),
            PeriodKind::Year => format!("{i:04}"),
            PeriodKind::Fy => format!("{i:04}/{:02}", (i + 1).rem_euclid(100)),
        };
        f.pad(&label)
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The days a spell from `start` to `end` (inclusive, `start <= end`) spends in each calendar
/// month it touches, in order.
///
/// # Example
/// ```
/// use journeycost::period::{month_days, Month};
/// use chrono::NaiveDate;
///
/// let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
/// let parts = month_days(d(2024, 1, 30), d(2024, 3, 2));
/// assert_eq!(parts, vec![(Month(2024 * 12), 2), (Month(2024 * 12 + 1), 29), (Month(2024 * 12 + 2), 2)]);
/// ```
#[must_use]
pub fn month_days(start: NaiveDate, end: NaiveDate) -> Vec<(Month, u64)> {
    let mut out = Vec::new();
    let mut cursor = start;
    while cursor <= end {
        let month = Month::of(cursor);
        let next_first = month_after(month).and_then(Month::first_day);
        let last = match next_first.and_then(|n| n.pred_opt()) {
            Some(l) if l < end => l,
            _ => end,
        };
        out.push((month, (last - cursor).num_days() as u64 + 1));
        match last.succ_opt() {
            Some(n) if last < end => cursor = n,
            _ => break,
        }
    }
    out
}

fn month_after(m: Month) -> Option<Month> {
    m.0.checked_add(1).map(Month)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn financial_years_start_in_april() {
        let fy = |y, m| PeriodKind::Fy.of_month(Month::of(d(y, m, 1))).to_string();
        assert_eq!(fy(2024, 3), "2023/24");
        assert_eq!(fy(2024, 4), "2024/25");
        assert_eq!(fy(1999, 4), "1999/00");
    }

    #[test]
    fn quarters_label_and_sequence() {
        let q = PeriodKind::Quarter.of_month(Month::of(d(2023, 12, 31)));
        assert_eq!(q.to_string(), "2023-Q4");
        assert_eq!(q.next().to_string(), "2024-Q1");
    }

    #[test]
    fn spell_days_cover_the_spell() {
        let parts = month_days(d(2023, 12, 15), d(2024, 2, 29));
        let total: u64 = parts.iter().map(|p| p.1).sum();
        assert_eq!(total, (d(2024, 2, 29) - d(2023, 12, 15)).num_days() as u64 + 1);
        assert_eq!(parts.len(), 3);
        assert_eq!(month_days(d(2024, 5, 5), d(2024, 5, 5)), vec![(Month::of(d(2024, 5, 5)), 1)]);
    }

    #[test]
    fn strict_dates() {
        assert_eq!(parse_date("2024-01-31"), Some(d(2024, 1, 31)));
        for s in ["2024-1-31", "2024/01/31", "２０２４-01-31", "2024-13-01", "2024-00-10", "", "2024-01-31 "] {
            assert!(parse_date(s).is_none(), "{s:?}");
        }
    }
}
