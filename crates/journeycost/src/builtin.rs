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
//! The price index is HM Treasury's GDP deflator by UK financial year, as published (March 2026
//! release, 2024-25 = 100), with the OBR's forecast years marked. The index built in before
//! #13 (calendar years 2024 = 100 from December 2025, with financial years derived as
//! `3/4 × index(y) + 1/4 × index(y+1)`) stays available as `builtin:hmt-2025-12-derived`.

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
    let mut file =
        read_catalogue(UCD_CATALOGUE_NAME, UCD_CATALOGUE_CSV.as_bytes()).expect("the embedded catalogue is valid");
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
        let r =
            record.map_err(|e| Error::new(Location::source("ucd-overlay.csv"), ProblemKind::Syntax, e.to_string()))?;
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

/// The built-in price index: HM Treasury's GDP deflator at market prices, March 2026 Quarterly
/// National Accounts release, UK financial years 2000-01 to 2030-31 (2024-25 = 100), taken from
/// the published financial-year series: outturn to 2024-25 (ONS series L8GG), OBR forecasts
/// (Spring Statement 2026) from 2025-26, marked `forecast`. See `data/README.md` for where the
/// figures come from and how to update them (`journeycost prices import`).
pub const HMT_DEFLATOR_CSV: &str = include_str!("../data/hmt-gdp-deflator-2026-03.csv");

/// The name the built-in price index goes by, in provenance records and for `--deflators`.
pub const HMT_DEFLATOR_NAME: &str = "builtin:hmt-2026-03";

/// The attribution every output that uses the built-in price index carries.
pub const HMT_DEFLATOR_ATTRIBUTION: &str = "HM Treasury GDP deflators at market prices (March 2026 Quarterly National Accounts), \
     financial years, 2024-25 = 100; outturn ONS L8GG, forecasts from 2025-26 OBR (Spring Statement 2026); Open Government Licence v3.0";

/// The price index built in before #13, kept so results that cite it can be reproduced
/// (`--deflators builtin:hmt-2025-12-derived`): HM Treasury's calendar-year GDP deflator from
/// the December 2025 Quarterly National Accounts, rebased to 2024 = 100, with financial years
/// derived as `3/4 × index(y) + 1/4 × index(y+1)` (not HM Treasury's financial-year series).
pub const HMT_2025_12_DERIVED_CSV: &str = include_str!("../data/gdp-deflator-calendar-2024-100.csv");

/// The name of [`HMT_2025_12_DERIVED_CSV`] with its derived financial years.
pub const HMT_2025_12_DERIVED_NAME: &str = "builtin:hmt-2025-12-derived";

/// The name the old index went by in provenance records before #13; still accepted.
pub const HMT_2025_12_DERIVED_OLD_NAME: &str = "builtin:hmt-gdp-deflator-calendar-2024-100";

/// The attribution of [`HMT_2025_12_DERIVED_NAME`].
pub const HMT_2025_12_DERIVED_ATTRIBUTION: &str = "HM Treasury GDP deflator at market prices (December 2025 QNA), calendar years, 2024 = 100, \
     Open Government Licence v3.0; financial years derived as 3/4 x calendar y + 1/4 x calendar y+1";

/// The built-in price index ([`HMT_DEFLATOR_CSV`]): HM Treasury's financial-year series, with
/// its forecast years marked.
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
/// assert_eq!(index.get(PriceYear::Financial(2024)).unwrap().to_string(), "100.0000");
/// assert_eq!(index.latest_outturn(), Some(PriceYear::Financial(2024)));
/// assert!(index.is_forecast(PriceYear::Financial(2025)));
/// ```
#[must_use]
pub fn price_index() -> PriceIndex {
    read_deflators(HMT_DEFLATOR_NAME, HMT_DEFLATOR_CSV.as_bytes()).expect("the embedded deflator file is valid")
}

/// The index built in before #13 (see [`HMT_2025_12_DERIVED_CSV`]): calendar years as
/// published, plus the derived financial years.
///
/// # Panics
/// Never: the embedded file is checked by the test suite.
///
/// # Example
/// ```
/// use journeycost::builtin;
/// use journeycost::prices::PriceYear;
///
/// let index = builtin::price_index_2025_12_derived();
/// assert_eq!(index.get(PriceYear::Calendar(2024)).unwrap().to_string(), "100");
/// // 3/4 x 96.2507 + 1/4 x 100
/// assert_eq!(index.get(PriceYear::Financial(2023)).unwrap().to_string(), "97.188025");
/// assert_eq!(index.latest(), Some(PriceYear::Calendar(2024)));
/// ```
#[must_use]
pub fn price_index_2025_12_derived() -> PriceIndex {
    let calendar = read_deflators(HMT_2025_12_DERIVED_NAME, HMT_2025_12_DERIVED_CSV.as_bytes())
        .expect("the embedded deflator file is valid");
    with_financial_years(&calendar)
}

/// A built-in price index by its name (`builtin:hmt-2026-03`, `builtin:hmt-2025-12-derived`),
/// with its provenance record and attribution.
#[must_use]
pub fn price_index_named(name: &str) -> Option<(PriceIndex, InputDigest, &'static str)> {
    if name == HMT_DEFLATOR_NAME {
        Some((price_index(), price_index_digest(), HMT_DEFLATOR_ATTRIBUTION))
    } else if name == HMT_2025_12_DERIVED_NAME || name == HMT_2025_12_DERIVED_OLD_NAME {
        let digest = crate::io::digest_bytes("deflators", HMT_2025_12_DERIVED_NAME, HMT_2025_12_DERIVED_CSV.as_bytes());
        Some((price_index_2025_12_derived(), digest, HMT_2025_12_DERIVED_ATTRIBUTION))
    } else {
        None
    }
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
        let (Some(next), None) = (index.get(PriceYear::Calendar(y + 1)), index.get(PriceYear::Financial(y))) else {
            continue;
        };
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
    read_deflators(HMT_2025_12_DERIVED_NAME, HMT_2025_12_DERIVED_CSV.as_bytes())?;
    read_catalogue(UCD_CATALOGUE_NAME, UCD_CATALOGUE_CSV.as_bytes())?;
    overlay().map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_parses_and_derives_every_financial_year() {
        check().unwrap();
        // The old index, reproducible: its derived financial years as before #13.
        let (index, digest, _) = price_index_named(HMT_2025_12_DERIVED_NAME).unwrap();
        // The same bytes as before #13, under the new name.
        assert_eq!(digest.sha256, crate::io::digest_bytes("deflators", "x", HMT_2025_12_DERIVED_CSV.as_bytes()).sha256);
        assert_eq!(digest.file, "builtin:hmt-2025-12-derived");
        let fy: Vec<PriceYear> =
            index.iter().map(|(y, _)| y).filter(|y| matches!(y, PriceYear::Financial(_))).collect();
        assert_eq!(fy.first(), Some(&PriceYear::Financial(1990)));
        assert_eq!(fy.last(), Some(&PriceYear::Financial(2023)));
        assert_eq!(fy.len(), 34);
        assert_eq!(price_index_named(HMT_2025_12_DERIVED_OLD_NAME).unwrap().0, index);
        assert_eq!(price_index_digest().sha256.len(), 64);
    }

    #[test]
    fn the_built_in_index_runs_to_the_latest_release_with_its_forecasts_marked() {
        // #13: the built-in index stopped at 2023/24.
        let index = price_index();
        let fy = PriceYear::Financial;
        assert!(index.iter().all(|(y, _)| matches!(y, PriceYear::Financial(_))));
        assert_eq!((index.iter().next().map(|(y, _)| y), index.latest()), (Some(fy(2000)), Some(fy(2030))));
        assert_eq!(index.latest_outturn(), Some(fy(2024)));
        assert_eq!(index.forecast_years().collect::<Vec<_>>(), (2025..=2030).map(fy).collect::<Vec<_>>());
        assert_eq!(index.get(fy(2024)), Some(Decimal::ONE_HUNDRED));
        // Every unit cost of the built-in catalogue can be brought to the default price base.
        let base = index.latest_outturn().unwrap();
        for u in catalogue().entries() {
            assert!(index.convert(u.unit_cost, u.price_year, base).is_ok(), "{} {}", u.code, u.price_year);
        }
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
        let workbook = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/data/ucd/gmca-unit-cost-database-v1.4.xlsx");
        let import = crate::ucd::import_file(&workbook).unwrap();
        let export = crate::ucd::catalogue_csv(&import.lines, crate::catalogue::ValueType::Fiscal);
        assert!(
            export.csv == UCD_CATALOGUE_CSV.as_bytes(),
            "regenerate with: journeycost catalogue import tests/data/ucd/gmca-unit-cost-database-v1.4.xlsx --out crates/journeycost/data/ucd-v1.4.csv"
        );
    }
}
