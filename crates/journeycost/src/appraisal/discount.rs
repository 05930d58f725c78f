//! Discounting: HM Treasury Green Book schedules, constant rates, and net present value.
//!
//! **Convention.** Year 0 is the base year and is undiscounted. The factor of year `t` is
//! `D(t) = D(t-1) / (1 + r(t))`, where `r(t)` is the rate of the band that year `t` falls in. So
//! factors compound year by year across bands: year 31 of the standard schedule is the year-30
//! factor divided by 1.03. The bands follow the Green Book (Annex A6):
//!
//! | years | standard (STPR) | health |
//! |---|---|---|
//! | 0-30 | 3.5% | 1.5% |
//! | 31-75 | 3.0% | 1.29% |
//! | 76-125 | 2.5% | 1.07% |
//! | 126-200 | 2.0% | 0.86% |
//! | 201-300 | 1.5% | 0.64% |
//! | 301+ | 1.0% | 0.43% |
//!
//! Factors are `Decimal` quotients, kept to 28 significant digits (the precision of `rust_decimal`).
//! They are deterministic on every platform. They are printed with six decimals, rounded
//! half-even.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

/// A discount schedule.
///
/// # Example
/// ```
/// use journeycost::appraisal::Schedule;
///
/// let f = Schedule::GreenBook.factors(31);
/// assert_eq!(Schedule::six_decimals(f[1]), "0.966184");
/// assert_eq!(Schedule::six_decimals(f[31]), "0.345901");
/// assert_eq!("constant:0.1".parse::<Schedule>().unwrap().to_string(), "constant:0.1");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    /// The Green Book's social time preference rate: 3.5% falling to 1.0% over 300 years.
    GreenBook,
    /// The Green Book's schedule for health effects: 1.5% falling to 0.43%.
    Health,
    /// One rate for every year, e.g. `0.1` for 10%.
    Constant(Decimal),
    /// No discounting: every factor is 1.
    Undiscounted,
}

const BANDS: [u32; 5] = [30, 75, 125, 200, 300];

/// The longest horizon discounted: 1,000 years, beyond any appraisal (the Green Book's
/// schedule itself ends its last band at 301 years and more).
pub const MAX_YEARS: u32 = 1000;
const STPR: [(i64, u32); 6] = [(35, 3), (30, 3), (25, 3), (20, 3), (15, 3), (10, 3)];
const HEALTH: [(i64, u32); 6] = [(15, 3), (129, 4), (107, 4), (86, 4), (64, 4), (43, 4)];

impl Schedule {
    /// The rate that discounts year `t` relative to year `t - 1` (for `t >= 1`).
    #[must_use]
    pub fn rate(self, t: u32) -> Decimal {
        let band = BANDS.iter().position(|&last| t <= last).unwrap_or(BANDS.len());
        match self {
            Schedule::GreenBook => Decimal::new(STPR[band].0, STPR[band].1),
            Schedule::Health => Decimal::new(HEALTH[band].0, HEALTH[band].1),
            Schedule::Constant(r) => r,
            Schedule::Undiscounted => Decimal::ZERO,
        }
    }

    /// The discount factors of years `0..=years` (at most [`MAX_YEARS`]). Rates are from 0 to 1,
    /// so factors only fall and no division can overflow.
    #[must_use]
    pub fn factors(self, years: u32) -> Vec<Decimal> {
        let years = years.min(MAX_YEARS);
        let mut out = Vec::with_capacity(years as usize + 1);
        let mut f = Decimal::ONE;
        out.push(f);
        for t in 1..=years {
            f = f.checked_div(Decimal::ONE + self.rate(t)).unwrap_or(Decimal::ZERO);
            out.push(f);
        }
        out
    }

    /// A factor printed with six decimals, rounded half-even.
    #[must_use]
    pub fn six_decimals(factor: Decimal) -> String {
        let mut r = factor.round_dp_with_strategy(6, RoundingStrategy::MidpointNearestEven);
        r.rescale(6);
        r.to_string()
    }
}

impl FromStr for Schedule {
    type Err = String;
    fn from_str(s: &str) -> Result<Schedule, String> {
        match s {
            "green-book" => Ok(Schedule::GreenBook),
            "health" => Ok(Schedule::Health),
            "none" => Ok(Schedule::Undiscounted),
            _ => {
                let rate = s.strip_prefix("constant:").ok_or_else(|| {
                    format!("expected green-book, health, none or constant:RATE (e.g. constant:0.035), found {s:?}")
                })?;
                let r = crate::io::parse_decimal(rate).map_err(|e| format!("constant:RATE: {e}"))?;
                // A negative rate would make factors grow without bound: refused, like the
                // Green Book, which never discounts negatively.
                if r < Decimal::ZERO || r > Decimal::ONE {
                    return Err(format!("expected a rate from 0 to 1 (0.035 is 3.5%), found {rate}"));
                }
                Ok(Schedule::Constant(r))
            }
        }
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Schedule::GreenBook => f.write_str("green-book"),
            Schedule::Health => f.write_str("health"),
            Schedule::Undiscounted => f.write_str("none"),
            Schedule::Constant(r) => write!(f, "constant:{r}"),
        }
    }
}

/// Which year the first of a list of flows falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Convention {
    /// The first flow is in year 0, undiscounted (the Green Book).
    #[default]
    GreenBook,
    /// The first flow is in year 1, discounted once (spreadsheet `NPV()` functions).
    Excel,
}

impl FromStr for Convention {
    type Err = String;
    fn from_str(s: &str) -> Result<Convention, String> {
        match s {
            "green-book" => Ok(Convention::GreenBook),
            "excel" => Ok(Convention::Excel),
            _ => Err(format!("expected green-book or excel, found {s:?}")),
        }
    }
}

/// The net present value of `flows`, one per year, under `schedule` and `convention`. It is
/// unrounded (28 significant digits).
///
/// # Example
/// ```
/// use journeycost::appraisal::{npv, Convention, Schedule};
/// use journeycost::Decimal;
///
/// let flows = [-1000, 500, 500, 500].map(Decimal::from);
/// let ten = Schedule::Constant(Decimal::new(1, 1));
/// let gb = npv(&flows, ten, Convention::GreenBook).round_dp(6);
/// let xl = npv(&flows, ten, Convention::Excel).round_dp(6);
/// assert_eq!(gb.to_string(), "243.425995");
/// assert_eq!(xl.to_string(), "221.296360");
/// ```
#[must_use]
pub fn npv(flows: &[Decimal], schedule: Schedule, convention: Convention) -> Decimal {
    try_npv(flows, schedule, convention).unwrap_or(Decimal::MAX)
}

/// [`npv`] with its limits checked: at most [`MAX_YEARS`] flows, and sums within `Decimal`'s
/// range.
///
/// # Errors
/// A message when there are too many flows or a sum overflows.
pub fn try_npv(flows: &[Decimal], schedule: Schedule, convention: Convention) -> Result<Decimal, String> {
    let offset = usize::from(convention == Convention::Excel);
    if flows.len() + offset > MAX_YEARS as usize + 1 {
        return Err(format!("at most {} flows can be discounted", MAX_YEARS + 1));
    }
    let factors = schedule.factors((flows.len() + offset) as u32);
    flows.iter().enumerate().try_fold(Decimal::ZERO, |acc, (i, f)| {
        f.checked_mul(factors[i + offset])
            .and_then(|v| acc.checked_add(v))
            .ok_or_else(|| "the flows are too large to discount".to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn green_book_known_values() {
        let f = Schedule::GreenBook.factors(100);
        let six = |t: usize| Schedule::six_decimals(f[t]);
        assert_eq!(six(0), "1.000000");
        assert_eq!(six(1), "0.966184");
        assert_eq!(six(10), "0.708919");
        assert_eq!(six(30), "0.356278");
        assert_eq!(six(31), "0.345901");
        assert_eq!(six(75), "0.094214");
        assert_eq!(six(100), "0.050818");
    }

    #[test]
    fn health_schedule_bands() {
        let f = Schedule::Health.factors(31);
        assert_eq!(f[31], f[30] / Decimal::new(10129, 4));
        assert_eq!(Schedule::six_decimals(f[1]), "0.985222");
        assert_eq!(Schedule::Health.rate(301), Decimal::new(43, 4));
    }

    #[test]
    fn undiscounted_and_parsing() {
        assert!(Schedule::Undiscounted.factors(5).iter().all(|f| *f == Decimal::ONE));
        assert!("constant:1.5".parse::<Schedule>().is_err());
        assert!("constant:abc".parse::<Schedule>().is_err());
        assert!("stpr".parse::<Schedule>().is_err());
        assert_eq!("none".parse::<Schedule>(), Ok(Schedule::Undiscounted));
    }
}
