//! Built-in reference data, embedded at build time: the defaults when a run names no price
//! index (and, in time, no catalogue).
//!
//! The price index is HM Treasury's GDP deflator by calendar year (2024 = 100). The same index
//! also carries UK financial years, each derived **exactly** as three quarters of its first
//! calendar year plus one quarter of the next: `index(y/y+1) = 3/4 × index(y) + 1/4 × index(y+1)`.
//! A cost priced in `2010/11` is therefore never treated as `2010`: it is converted with the
//! derived `2010/11` value.

use rust_decimal::Decimal;

use crate::error::Error;
use crate::io::{InputDigest, read_deflators};
use crate::prices::{PriceIndex, PriceYear};

/// The HM Treasury GDP deflator file, as shipped (`year,index`, calendar years, 2024 = 100).
pub const HMT_DEFLATOR_CSV: &str = include_str!("../data/gdp-deflator-calendar-2024-100.csv");

/// The name the built-in price index goes by in provenance records.
pub const HMT_DEFLATOR_NAME: &str = "builtin:hmt-gdp-deflator-calendar-2024-100";

/// The attribution every output that uses the built-in price index carries.
pub const HMT_DEFLATOR_ATTRIBUTION: &str = "HM Treasury GDP deflator at market prices (December 2025 QNA), 2024 = 100, \
     Open Government Licence v3.0; financial years derived as 3/4 x calendar y + 1/4 x calendar y+1";

/// The built-in price index: calendar years as published, plus the derived financial years.
///
/// # Panics
/// Never: the embedded file is checked by the test suite.
///
/// # Example
/// ```
/// use journeycost::builtin;
/// use journeycost::prices::PriceYear;
///
/// let index = builtin::price_index();
/// assert_eq!(index.get(PriceYear::Calendar(2024)).unwrap().to_string(), "100");
/// // 3/4 x 96.2507 + 1/4 x 100
/// assert_eq!(index.get(PriceYear::Financial(2023)).unwrap().to_string(), "97.188025");
/// assert_eq!(index.latest(), Some(PriceYear::Calendar(2024)));
/// ```
#[must_use]
pub fn price_index() -> PriceIndex {
    let calendar = read_deflators(HMT_DEFLATOR_NAME, HMT_DEFLATOR_CSV.as_bytes()).expect("the embedded deflator file is valid");
    with_financial_years(&calendar)
}

/// A copy of a calendar-year index with UK financial years added, each derived as
/// `3/4 × index(y) + 1/4 × index(y+1)` wherever both calendar years are present and the
/// financial year is not already in the index.
#[must_use]
pub fn with_financial_years(index: &PriceIndex) -> PriceIndex {
    let mut out = index.clone();
    let (three_quarters, quarter) = (Decimal::new(75, 2), Decimal::new(25, 2));
    for (year, value) in index.iter() {
        let PriceYear::Calendar(y) = year else { continue };
        let (Some(next), None) = (index.get(PriceYear::Calendar(y + 1)), index.get(PriceYear::Financial(y))) else { continue };
        let derived = (three_quarters * value + quarter * next).normalize();
        // Cannot fail: the year is absent and the value is positive.
        let _ = out.insert(PriceYear::Financial(y), derived);
    }
    out
}

/// The provenance record of the built-in price index: its name and the SHA-256 of the file.
#[must_use]
pub fn price_index_digest() -> InputDigest {
    crate::io::digest_bytes("deflators", HMT_DEFLATOR_NAME, HMT_DEFLATOR_CSV.as_bytes())
}

/// Checks the embedded data (used by the test suite).
///
/// # Errors
/// If an embedded file does not parse.
pub fn check() -> Result<(), Error> {
    read_deflators(HMT_DEFLATOR_NAME, HMT_DEFLATOR_CSV.as_bytes()).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_parses_and_derives_every_financial_year() {
        check().unwrap();
        let index = price_index();
        let fy: Vec<PriceYear> = index.iter().map(|(y, _)| y).filter(|y| matches!(y, PriceYear::Financial(_))).collect();
        assert_eq!(fy.first(), Some(&PriceYear::Financial(1990)));
        assert_eq!(fy.last(), Some(&PriceYear::Financial(2023)));
        assert_eq!(fy.len(), 34);
        assert_eq!(price_index_digest().sha256.len(), 64);
    }
}
