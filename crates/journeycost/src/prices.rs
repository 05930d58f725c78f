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

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Zero};

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
        let four = |t: &str| -> Option<i32> {
            if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) { t.parse().ok() } else { None }
        };
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
    values: BTreeMap<(i32, u8), (PriceYear, Decimal, Option<Fraction>)>,
    /// The years whose value is a forecast (the OBR's, in HM Treasury's series), not outturn.
    forecast: std::collections::BTreeSet<(i32, u8)>,
}

/// An exact index value that no decimal holds: a fraction, for an index built from percentage
/// changes (each year multiplies the denominator's power of ten).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fraction {
    num: BigInt,
    den: BigInt,
}

impl Fraction {
    fn of(d: Decimal) -> Fraction {
        Fraction { num: BigInt::from(d.mantissa()), den: BigInt::from(10u8).pow(d.scale()) }
    }

    fn reduced(self) -> Fraction {
        let g = self.num.gcd(&self.den);
        if g.is_one() { self } else { Fraction { num: &self.num / &g, den: &self.den / &g } }
    }

    /// Rounded half-even to `places` decimals (for display).
    fn to_decimal(&self, places: u32) -> Option<Decimal> {
        let scaled = &self.num * BigInt::from(10u8).pow(places);
        let pennies = round_half_even(&scaled, &self.den);
        i128::try_from(pennies)
            .ok()
            .and_then(|m| Decimal::try_from_i128_with_scale(m, places).ok())
            .map(|d| d.normalize())
    }
}

/// `n / d` rounded half to even, for a positive `d`.
fn round_half_even(n: &BigInt, d: &BigInt) -> BigInt {
    let (q, r) = n.div_mod_floor(d);
    let twice = &r * 2u8;
    match twice.cmp(d) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1u8,
        std::cmp::Ordering::Equal => {
            if q.is_even() {
                q
            } else {
                q + 1u8
            }
        }
    }
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
    /// Percentage changes must be for consecutive years.
    #[error("expected the year after {after}, found {found}")]
    NotConsecutive {
        /// The year before.
        after: PriceYear,
        /// The year found.
        found: PriceYear,
    },
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
        if self.values.insert(year.sort_key(), (year, index, None)).is_some() {
            return Err(PriceIndexError::Duplicate(year));
        }
        Ok(())
    }

    /// The index value of a year, if present.
    #[must_use]
    pub fn get(&self, year: PriceYear) -> Option<Decimal> {
        self.values.get(&year.sort_key()).map(|(_, v, _)| *v)
    }

    /// The latest year in the series.
    #[must_use]
    pub fn latest(&self) -> Option<PriceYear> {
        self.values.values().next_back().map(|(y, _, _)| *y)
    }

    /// The latest year whose value is outturn, not a forecast: the default price base. (The
    /// latest year when no year is a forecast.)
    ///
    /// # Example
    /// ```
    /// use journeycost::prices::PriceYear;
    ///
    /// let csv = "year,index,forecast\n2023/24,96,\n2024/25,100,false\n2025/26,103,true\n";
    /// let index = journeycost::io::read_deflators("d.csv", csv.as_bytes()).unwrap();
    /// assert_eq!(index.latest(), Some(PriceYear::Financial(2025)));
    /// assert_eq!(index.latest_outturn(), Some(PriceYear::Financial(2024)));
    /// assert!(index.is_forecast(PriceYear::Financial(2025)));
    /// ```
    #[must_use]
    pub fn latest_outturn(&self) -> Option<PriceYear> {
        self.values.iter().rev().find(|(k, _)| !self.forecast.contains(k)).map(|(_, (y, _, _))| *y)
    }

    /// Marks a year of the series as a forecast.
    ///
    /// # Errors
    /// [`PriceIndexError::MissingYear`] for a year not in the series.
    pub fn mark_forecast(&mut self, year: PriceYear) -> Result<(), PriceIndexError> {
        if !self.values.contains_key(&year.sort_key()) {
            return Err(PriceIndexError::MissingYear(year));
        }
        self.forecast.insert(year.sort_key());
        Ok(())
    }

    /// Whether the year's value is a forecast.
    #[must_use]
    pub fn is_forecast(&self, year: PriceYear) -> bool {
        self.forecast.contains(&year.sort_key())
    }

    /// The forecast years, in chronological order.
    pub fn forecast_years(&self) -> impl Iterator<Item = PriceYear> + '_ {
        self.forecast.iter().filter_map(|k| self.values.get(k).map(|(y, _, _)| *y))
    }

    /// A note for an output costed at `price_base` with unit costs priced in `years`, when any
    /// of them is a forecast year of the index; `None` when all are outturn.
    #[must_use]
    pub fn forecast_note(&self, price_base: PriceYear, years: impl IntoIterator<Item = PriceYear>) -> Option<String> {
        let mut used: Vec<PriceYear> =
            std::iter::once(price_base).chain(years).filter(|y| self.is_forecast(*y)).collect();
        used.sort_unstable();
        used.dedup();
        if used.is_empty() {
            return None;
        }
        let shown: Vec<String> = used.iter().map(ToString::to_string).collect();
        Some(format!(
            "uses forecast years of the price index ({}): forecasts, not outturn, and revised with each release",
            shown.join(", ")
        ))
    }

    /// Every year and value, in chronological order.
    pub fn iter(&self) -> impl Iterator<Item = (PriceYear, Decimal)> + '_ {
        self.values.values().map(|(y, v, _)| (*y, *v))
    }

    /// The years the series covers, for messages: `2002/03 to 2023/24`, or with both kinds of
    /// year `1990 to 2023 and 1990/91 to 2023/24`.
    ///
    /// # Example
    /// ```
    /// use journeycost::prices::PriceIndex;
    ///
    /// let index = journeycost::io::read_deflators("d.csv", "year,index\n2020,90\n2021,95\n2020/21,91\n".as_bytes()).unwrap();
    /// assert_eq!(index.coverage(), "2020 to 2021 and 2020/21");
    /// assert_eq!(PriceIndex::new().coverage(), "no years");
    /// ```
    #[must_use]
    pub fn coverage(&self) -> String {
        let range = |financial: bool| {
            let mut years =
                self.values.values().map(|(y, _, _)| *y).filter(|y| matches!(y, PriceYear::Financial(_)) == financial);
            let first = years.next()?;
            Some(match years.next_back() {
                Some(last) => format!("{first} to {last}"),
                None => first.to_string(),
            })
        };
        match (range(false), range(true)) {
            (Some(c), Some(f)) => format!("{c} and {f}"),
            (Some(r), None) | (None, Some(r)) => r,
            (None, None) => "no years".to_owned(),
        }
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
        let f = self.values.get(&from.sort_key()).ok_or(PriceIndexError::MissingYear(from))?;
        let t = self.values.get(&to.sort_key()).ok_or(PriceIndexError::MissingYear(to))?;
        if f.2.is_none() && t.2.is_none() {
            return round_ratio_to_penny(amount, t.1, f.1).ok_or(PriceIndexError::Overflow { from, to });
        }
        // An index built from percentage changes: exact in big integers.
        let exact = |v: &(PriceYear, Decimal, Option<Fraction>)| v.2.clone().unwrap_or_else(|| Fraction::of(v.1));
        let (ff, tf, a) = (exact(f), exact(t), Fraction::of(amount));
        let num = a.num * tf.num * ff.den * 100u8;
        let den = a.den * tf.den * ff.num;
        let pennies = round_half_even(&num, &den);
        i128::try_from(pennies)
            .ok()
            .and_then(|p| Decimal::try_from_i128_with_scale(p, 2).ok())
            .ok_or(PriceIndexError::Overflow { from, to })
    }

    /// An index built from percentage changes on the previous year: 100 at `first`, then each
    /// year the previous value times `1 + change / 100`, in the order given. The values are kept
    /// as exact fractions, so conversions stay exact however long the chain; [`get`](Self::get)
    /// shows them rounded half-even to 10 decimals.
    ///
    /// # Errors
    /// A change of -100% or less, or a year that does not follow the one before (the next
    /// calendar, or financial, year).
    ///
    /// # Example
    /// ```
    /// use journeycost::prices::{PriceIndex, PriceYear};
    /// use journeycost::Decimal;
    ///
    /// let fy = PriceYear::Financial;
    /// let index = PriceIndex::from_changes(fy(2011), &[(fy(2012), Decimal::new(15, 1)), (fy(2013), Decimal::new(23, 1))]).unwrap();
    /// assert_eq!(index.get(fy(2013)).unwrap().to_string(), "103.8345");
    /// // 1,000 in 2011/12 prices is exactly 1,038.345 in 2013/14 prices: half-even to 1,038.34
    /// assert_eq!(index.convert(Decimal::from(1000), fy(2011), fy(2013)).unwrap().to_string(), "1038.34");
    /// ```
    pub fn from_changes(first: PriceYear, changes: &[(PriceYear, Decimal)]) -> Result<PriceIndex, PriceIndexError> {
        let mut previous = first;
        for &(year, _) in changes {
            let follows = match (previous, year) {
                (PriceYear::Financial(a), PriceYear::Financial(b))
                | (PriceYear::Calendar(a), PriceYear::Calendar(b)) => b == a + 1,
                _ => false,
            };
            if !follows {
                return Err(PriceIndexError::NotConsecutive { after: previous, found: year });
            }
            previous = year;
        }
        let mut index = PriceIndex::new();
        let mut value = Fraction { num: BigInt::from(100u8), den: BigInt::one() };
        index.values.insert(first.sort_key(), (first, Decimal::ONE_HUNDRED, Some(value.clone())));
        for &(year, change) in changes {
            // A change near the largest decimal has no exact 100 + change (found by fuzzing).
            let total =
                Decimal::ONE_HUNDRED.checked_add(change).ok_or(PriceIndexError::Overflow { from: first, to: year })?;
            let step = Fraction::of(total);
            if step.num <= BigInt::zero() {
                return Err(PriceIndexError::NotPositive(total));
            }
            value = Fraction { num: value.num * step.num, den: value.den * step.den * 100u8 }.reduced();
            let shown = value.to_decimal(10).ok_or(PriceIndexError::Overflow { from: first, to: year })?;
            if index.values.insert(year.sort_key(), (year, shown, Some(value.clone()))).is_some() {
                return Err(PriceIndexError::Duplicate(year));
            }
        }
        Ok(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// #13 (found by fuzzing): a change too large to add to 100 is an error, not a panic.
    #[test]
    fn a_change_near_the_largest_decimal_is_an_error() {
        let fy = PriceYear::Financial;
        let err = PriceIndex::from_changes(fy(2002), &[(fy(2003), Decimal::MAX)]).unwrap_err();
        assert_eq!(err, PriceIndexError::Overflow { from: fy(2002), to: fy(2003) });
    }

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
        let mut ys: Vec<PriceYear> =
            ["2020/21", "2020", "2019/20", "2021"].iter().map(|s| s.parse().unwrap()).collect();
        ys.sort();
        let shown: Vec<String> = ys.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["2019/20", "2020", "2020/21", "2021"]);
    }

    #[test]
    fn refuses_bad_index_values_and_missing_years() {
        let mut idx = PriceIndex::new();
        assert_eq!(
            idx.insert(PriceYear::Calendar(2020), Decimal::ZERO),
            Err(PriceIndexError::NotPositive(Decimal::ZERO))
        );
        idx.insert(PriceYear::Calendar(2020), Decimal::ONE).unwrap();
        assert!(idx.insert(PriceYear::Calendar(2020), Decimal::ONE).is_err());
        assert_eq!(
            idx.convert(Decimal::ONE, PriceYear::Financial(2020), PriceYear::Calendar(2020)),
            Err(PriceIndexError::MissingYear(PriceYear::Financial(2020)))
        );
    }
}
