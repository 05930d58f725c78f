//! Price years and price indices: bringing unit costs priced in different years to one price base.
//!
//! A [`PriceYear`] is a calendar year (`2019`) or a UK financial year (`2019/20`, April to
//! March). The two are never silently mixed: converting a `2019/20` cost with a calendar-year
//! index is an error naming the missing label, not a guess.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

use crate::money::round_ratio_to_penny;

/// The year a cost is priced in: a calendar year or a UK financial year.
///
/// Ordered chronologically by the year in which it starts; for the same starting year a calendar
/// year sorts before the financial year that starts in it.
///
/// # Example
/// ```
/// use journeycost::prices::PriceYear;
///
/// let fy: PriceYear = "2019/20".parse().unwrap();
/// assert_eq!(fy, PriceYear::Financial(2019));
/// assert_eq!(fy.to_string(), "2019/20");
/// assert!("2019/21".parse::<PriceYear>().is_err());
/// assert_eq!("2024".parse::<PriceYear>().unwrap(), PriceYear::Calendar(2024));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PriceYear {
    /// A calendar year, January to December.
    Calendar(i32),
    /// A UK financial year starting in April of the given year: `Financial(2019)` is `2019/20`.
    Financial(i32),
}

impl PriceYear {
    /// The year in which this price year starts.
    #[must_use]
    pub fn start_year(self) -> i32 {
        match self {
            PriceYear::Calendar(y) | PriceYear::Financial(y) => y,
        }
    }

    fn sort_key(self) -> (i32, u8) {
        match self {
            PriceYear::Calendar(y) => (y, 0),
            PriceYear::Financial(y) => (y, 1),
        }
    }
}

impl Ord for PriceYear {
    fn cmp(&self, other: &PriceYear) -> std::cmp::Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for PriceYear {
    fn partial_cmp(&self, other: &PriceYear) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Why a price year label could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a calendar year such as 2019 or a financial year such as 2019/20, found {0:?}")]
pub struct PriceYearError(pub String);

impl FromStr for PriceYear {
    type Err = PriceYearError;

    fn from_str(s: &str) -> Result<PriceYear, PriceYearError> {
        let err = || PriceYearError(s.to_owned());
        let four = |t: &str| -> Option<i32> { if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) { t.parse().ok() } else { None } };
        match s.split_once('/') {
            None => four(s).map(PriceYear::Calendar).ok_or_else(err),
            Some((start, end)) => {
                let y = four(start).ok_or_else(err)?;
                if end.len() != 2 || !end.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(err());
                }
                let e: i32 = end.parse().map_err(|_| err())?;
                if e == (y + 1) % 100 { Ok(PriceYear::Financial(y)) } else { Err(err()) }
            }
        }
    }
}

impl fmt::Display for PriceYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match *self {
            PriceYear::Calendar(y) => format!("{y:04}"),
            PriceYear::Financial(y) => format!("{y:04}/{:02}", (y + 1).rem_euclid(100)),
        };
        f.pad(&label)
    }
}

impl Serialize for PriceYear {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A price index (deflator) series: one positive index value per price year.
///
/// # Example
/// ```
/// use journeycost::prices::{PriceIndex, PriceYear};
/// use rust_decimal::Decimal;
///
/// let mut index = PriceIndex::new();
/// index.insert(PriceYear::Calendar(2022), Decimal::new(10000, 2)).unwrap();
/// index.insert(PriceYear::Calendar(2024), Decimal::new(11000, 2)).unwrap();
/// assert_eq!(index.latest(), Some(PriceYear::Calendar(2024)));
/// // £205.15 in 2022 prices is £225.665 in 2024 prices, rounded half-even to £225.66
/// let real = index.convert(Decimal::new(20515, 2), PriceYear::Calendar(2022), PriceYear::Calendar(2024));
/// assert_eq!(real, Ok(Decimal::new(22566, 2)));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PriceIndex {
    values: BTreeMap<(i32, u8), (PriceYear, Decimal)>,
}

/// Why a conversion between price years failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PriceIndexError {
    /// The index has no value for this year.
    #[error("price year {0} is not in the price index")]
    MissingYear(PriceYear),
    /// An index value must be positive.
    #[error("an index value must be greater than zero, found {0}")]
    NotPositive(Decimal),
    /// The same year appears twice.
    #[error("price year {0} appears twice in the price index")]
    Duplicate(PriceYear),
    /// The values are too large or precise to convert exactly.
    #[error("the conversion from {from} to {to} is too large to compute exactly")]
    Overflow {
        /// The cost's price year.
        from: PriceYear,
        /// The target price year.
        to: PriceYear,
    },
}

impl PriceIndex {
    /// An empty index.
    #[must_use]
    pub fn new() -> PriceIndex {
        PriceIndex::default()
    }

    /// Adds a year's index value.
    ///
    /// # Errors
    /// [`PriceIndexError::NotPositive`] for a value of zero or less and
    /// [`PriceIndexError::Duplicate`] for a year already present.
    pub fn insert(&mut self, year: PriceYear, index: Decimal) -> Result<(), PriceIndexError> {
        if index <= Decimal::ZERO {
            return Err(PriceIndexError::NotPositive(index));
        }
        if self.values.insert(year.sort_key(), (year, index)).is_some() {
            return Err(PriceIndexError::Duplicate(year));
        }
        Ok(())
    }

    /// The index value of a year, if present.
    #[must_use]
    pub fn get(&self, year: PriceYear) -> Option<Decimal> {
        self.values.get(&year.sort_key()).map(|&(_, v)| v)
    }

    /// The latest year in the series: the default price base.
    #[must_use]
    pub fn latest(&self) -> Option<PriceYear> {
        self.values.values().next_back().map(|&(y, _)| y)
    }

    /// Every year and value, in chronological order.
    pub fn iter(&self) -> impl Iterator<Item = (PriceYear, Decimal)> + '_ {
        self.values.values().copied()
    }

    /// The number of years in the series.
    #[must_use]
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the series is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Converts an amount priced in `from` to the price base `to`:
    /// `round_half_even(amount * index[to] / index[from], 2)`, computed exactly.
    ///
    /// # Errors
    /// [`PriceIndexError::MissingYear`] if either year is not in the series, and
    /// [`PriceIndexError::Overflow`] for values beyond exact 128-bit arithmetic.
    pub fn convert(&self, amount: Decimal, from: PriceYear, to: PriceYear) -> Result<Decimal, PriceIndexError> {
        let f = self.get(from).ok_or(PriceIndexError::MissingYear(from))?;
        let t = self.get(to).ok_or(PriceIndexError::MissingYear(to))?;
        round_ratio_to_penny(amount, t, f).ok_or(PriceIndexError::Overflow { from, to })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_labels() {
        for s in ["2019", "2019/20", "1999/00", "0999"] {
            assert_eq!(s.parse::<PriceYear>().unwrap().to_string(), s);
        }
        for s in ["", "19", "2019/2020", "2019/19", "2019-20", "20x9", " 2019", "2019/2", "+2019"] {
            assert!(s.parse::<PriceYear>().is_err(), "{s:?} parsed");
        }
    }

    #[test]
    fn orders_chronologically() {
        let mut ys: Vec<PriceYear> = ["2020/21", "2020", "2019/20", "2021"].iter().map(|s| s.parse().unwrap()).collect();
        ys.sort();
        let shown: Vec<String> = ys.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["2019/20", "2020", "2020/21", "2021"]);
    }

    #[test]
    fn refuses_bad_index_values_and_missing_years() {
        let mut idx = PriceIndex::new();
        assert_eq!(idx.insert(PriceYear::Calendar(2020), Decimal::ZERO), Err(PriceIndexError::NotPositive(Decimal::ZERO)));
        idx.insert(PriceYear::Calendar(2020), Decimal::ONE).unwrap();
        assert!(idx.insert(PriceYear::Calendar(2020), Decimal::ONE).is_err());
        assert_eq!(
            idx.convert(Decimal::ONE, PriceYear::Financial(2020), PriceYear::Calendar(2020)),
            Err(PriceIndexError::MissingYear(PriceYear::Financial(2020)))
        );
    }
}
