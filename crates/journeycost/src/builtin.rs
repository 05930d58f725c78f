//! Built-in reference data, embedded at build time: the defaults when a run names no
//! catalogue or no price index.
//!
//! The catalogue is the whole **Unit Cost Database v1.4** (New Economy / GMCA, CC BY 4.0): the
//! workbook's 683 cost lines that have a code (nine of them with only economic and social values,
//! at £0 fiscal), as `journeycost catalogue import`
//! writes them (`data/ucd-v1.4.csv`; a test checks that a fresh import of the workbook gives the
//! same bytes). Tier of need, default demand kind and cashability are not in the database: they
//! come from a separate, documented overlay (`data/ucd-overlay.csv`, `data/ucd-overlay.md`), a
//! judgement a user can read and override with a catalogue of their own.
//!
//! The price index is HM Treasury's GDP deflator by calendar year (2024 = 100). The same index
//! also carries UK financial years, each derived **exactly** as three quarters of its first
//! calendar year plus one quarter of the next: `index(y/y+1) = 3/4 × index(y) + 1/4 × index(y+1)`.
//! A cost priced in `2010/11` is therefore never treated as `2010`: it is converted with the
//! derived `2010/11` value.

use rust_decimal::Decimal;

use crate::catalogue::{Catalogue, DemandKind, Tier, UnitCost};
use crate::error::{Error, Location, ProblemKind};
use crate::io::{CatalogueFile, InputDigest, read_catalogue, read_deflators};
use crate::prices::{PriceIndex, PriceYear};

/// The Unit Cost Database v1.4 as journeycost's catalogue CSV.
pub const UCD_CATALOGUE_CSV: &str = include_str!("../data/ucd-v1.4.csv");

/// The overlay assigning tier, demand kind and cashability to the database's codes.
pub const UCD_OVERLAY_CSV: &str = include_str!("../data/ucd-overlay.csv");

/// The name the built-in catalogue goes by, on the command line (`--catalogue builtin`) and in
/// provenance records.
pub const UCD_CATALOGUE_NAME: &str = "builtin:ucd-v1.4";

/// The attribution every output that uses the built-in catalogue carries.
pub const UCD_ATTRIBUTION: &str = "Unit costs: Unit Cost Database v1.4, New Economy / GMCA, CC BY 4.0 (each line keeps its code and original source); \
     tier, demand kind and cashability from journeycost's documented overlay";

/// One row of the overlay: a code or a code prefix (`SS4*`) and the values it assigns.
#[derive(Debug, Clone, PartialEq, Eq)]
struct OverlayRow {
    pattern: String,
    prefix: bool,
    tier: Option<Tier>,
    demand: Option<DemandKind>,
    cashable: Option<bool>,
}

/// The built-in catalogue as read, with each entry's line in the embedded CSV, and the overlay
/// applied.
///
/// # Panics
/// Never: the embedded files are checked by the test suite.
#[must_use]
pub fn catalogue_file() -> CatalogueFile {
    let mut file = read_catalogue(UCD_CATALOGUE_NAME, UCD_CATALOGUE_CSV.as_bytes()).expect("the embedded catalogue is valid");
    let overlay = overlay().expect("the embedded overlay is valid");
    let mut entries = file.catalogue.entries().to_vec();
    apply_overlay(&mut entries, &overlay);
    file.catalogue = Catalogue::new(entries).expect("codes stay unique");
    file
}

/// The built-in catalogue: the Unit Cost Database v1.4 with the overlay applied.
///
/// # Example
/// ```
/// use journeycost::builtin;
///
/// let c = builtin::catalogue();
/// let foster = c.get("SS2.0").unwrap();
/// assert_eq!(foster.agency, "Local Authority");
/// assert!(foster.tier.is_some());
/// assert!(c.len() > 600);
/// ```
#[must_use]
pub fn catalogue() -> Catalogue {
    catalogue_file().catalogue
}

/// The provenance record of the built-in catalogue.
#[must_use]
pub fn catalogue_digest() -> InputDigest {
    crate::io::digest_bytes("catalogue", UCD_CATALOGUE_NAME, UCD_CATALOGUE_CSV.as_bytes())
}

fn overlay() -> Result<Vec<OverlayRow>, Error> {
    let mut reader = csv::ReaderBuilder::new().from_reader(UCD_OVERLAY_CSV.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let r = record.map_err(|e| Error::new(Location::source("ucd-overlay.csv"), ProblemKind::Syntax, e.to_string()))?;
        let field = |i: usize| r.get(i).filter(|s| !s.is_empty());
        let bad = |m: String| Error::new(Location::source("ucd-overlay.csv"), ProblemKind::InvalidValue, m);
        let pattern = field(0).ok_or_else(|| bad("a row has no pattern".to_owned()))?;
        let (pattern, prefix) = pattern.strip_suffix('*').map_or((pattern, false), |p| (p, true));
        rows.push(OverlayRow {
            pattern: pattern.to_owned(),
            prefix,
            tier: field(1).map(str::parse).transpose().map_err(bad)?,
            demand: field(2).map(str::parse).transpose().map_err(bad)?,
            cashable: field(3).map(|s| s == "true"),
        });
    }
    Ok(rows)
}

/// Fills each entry's tier, demand kind and cashability from the most specific overlay row
/// that matches its code: the longest pattern wins, and an exact code beats a prefix of the
/// same length. The winning row supplies all three fields (no merging from broader rows);
/// fields the entry already has are kept.
fn apply_overlay(entries: &mut [UnitCost], overlay: &[OverlayRow]) {
    for u in entries {
        let best = overlay
            .iter()
            .filter(|r| if r.prefix { u.code.starts_with(&r.pattern) } else { u.code == r.pattern })
            .max_by_key(|r| (r.pattern.len(), !r.prefix));
        if let Some(r) = best {
            u.tier = u.tier.or(r.tier);
            u.demand = u.demand.or(r.demand);
            u.cashable = u.cashable.or(r.cashable);
        }
    }
}

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
    read_deflators(HMT_DEFLATOR_NAME, HMT_DEFLATOR_CSV.as_bytes())?;
    read_catalogue(UCD_CATALOGUE_NAME, UCD_CATALOGUE_CSV.as_bytes())?;
    overlay().map(|_| ())
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

    #[test]
    fn the_overlay_covers_every_code_and_the_most_specific_row_wins() {
        let c = catalogue();
        assert_eq!(c.len(), 683);
        let unset: Vec<&str> = c
            .entries()
            .iter()
            .filter(|u| u.tier.is_none() && u.demand.is_none() && u.cashable.is_none())
            .map(|u| u.code.as_str())
            .collect();
        // the overlay leaves benefits (not costs) unset on purpose; every cost line gets a tier
        assert!(c.entries().iter().filter(|u| u.tier.is_some()).count() > 600, "{unset:?}");
        let rows = overlay().unwrap();
        let mut e = vec![UnitCost::new("CR1.1", "Police", rust_decimal::Decimal::ONE, PriceYear::Calendar(2020))];
        apply_overlay(&mut e, &rows);
        assert_eq!(e[0].tier.map(Tier::level), Some(2));
        assert_eq!(e[0].demand, Some(DemandKind::Failure));
    }

    #[test]
    fn the_embedded_catalogue_is_a_fresh_import_of_the_workbook() {
        let workbook = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/ucd/gmca-unit-cost-database-v1.4.xlsx");
        let import = crate::ucd::import_file(&workbook).unwrap();
        let export = crate::ucd::catalogue_csv(&import.lines, crate::catalogue::ValueType::Fiscal);
        assert!(
            export.csv == UCD_CATALOGUE_CSV.as_bytes(),
            "regenerate with: journeycost catalogue import tests/data/ucd/gmca-unit-cost-database-v1.4.xlsx --out crates/journeycost/data/ucd-v1.4.csv"
        );
    }
}
