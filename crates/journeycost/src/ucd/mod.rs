//! The GMCA (New Economy) Unit Cost Database: importing the published workbook and the older
//! CSV export, and rendering them as journeycost's catalogue.
//!
//! The Unit Cost Database (New Economy / GMCA; v1.4, March 2015, CC BY 4.0) is the set of unit
//! costs that HM Treasury adopted as supplementary Green Book guidance for local partnerships.
//! Anything derived from it must carry the attribution [`ATTRIBUTION`] and keep each line's code
//! and original source.
//!
//! - [`read_workbook`] reads the `.xlsx` workbook itself: the cost lines of its seven theme
//!   sheets, as [`UcdLine`]s, and the GDP deflator table of its Lookups sheet, as a
//!   [`GdpDeflator`] holding a [`PriceIndex`]. Columns are found by their header text, so an
//!   edition with moved columns still imports; a missing header is an error naming the sheet
//!   and the header.
//! - [`read_csv_2014`] reads one theme file of the 2014 CSV export into the same [`UcdLine`]s.
//! - [`catalogue_csv`] renders lines as journeycost's `catalogue.csv`.
//!
//! ## Exactness
//!
//! The workbook stores numbers as binary floats. Each is converted to a [`Decimal`] through its
//! shortest round-trip text ([`decimal_from_f64`]): the value a person sees in the cell, never a
//! lossy conversion. Money written as text (`£1,234 `) is parsed ([`parse_money_text`]); text
//! that is not money (`-`) is reported as a [`Problem`] and that value skipped, never guessed.
//!
//! ## Problems
//!
//! An input that is not a workbook, a missing sheet or header, or a GDP table that cannot be
//! found is an [`Error`]. Problems within lines (a value that is not a number, a value without
//! a price year, a line without a code, a code used twice) do not stop the import: the line is
//! kept without the bad value and the problem is listed in the result, each located as
//! `gmca.xlsx sheet "Crime" row 12, field "Fiscal Cost: Year"` (the sheet and row are part of
//! the location's source) or `CRIME.csv line 40, field "cost"`.
//!
//! ## The price index: the cumulative column
//!
//! The workbook's "updated" columns are
//! `IF(value > 0, value × P[current year] / P[price year], "")`, where `P` is the Lookups
//! sheet's cumulative GDP column, itself `P[y] = (1 + change[y] / 100) × P[y − 1]` in floating
//! point. [`GdpDeflator::index`] is that cumulative column, each value read exactly through its
//! shortest text (e.g. `114.62328360000001`). Two reasons, checked by the test suite against
//! every value of the workbook:
//! - it is what the workbook's own formula divides by: uprating every value of v1.4 with it
//!   and journeycost's rule (`round_half_even(value × P[2015/16] / P[year], 2)`) gives the
//!   penny of the workbook's updated figure for all 779 nonzero values (the exact quotient is
//!   within 2 × 10^-10 of the workbook's float);
//! - an index rebuilt from the % changes is exact only with ever more decimals (each year adds
//!   up to five), beyond what a `Decimal` holds, so it has to be rounded
//!   ([`index_from_changes`] rounds each year to 10 decimals). It too reproduces every penny,
//!   but it is one step further from what the workbook computes.
//!
//! Each cumulative value is checked against the year before and the year's % change; a
//! disagreement (an edited change whose cumulative was not recalculated) is reported.
//!
//! ## Units
//!
//! [`map_unit`] maps the database's free-text units to journeycost [`Unit`]s by the table
//! [`UNIT_TABLE`], keeping the text in [`UcdLine::unit_text`]. Texts naming an hour, day, week
//! or year as the period of a rate are time rates; counts of occurrences or things are `event`;
//! a period journeycost lacks (`Per month`, `Per six weeks`) or only implies (`Per FTE`) has no
//! unit (`None`).
//!
//! ## Agencies
//!
//! [`normalise_agency`] gives each agency (level 1 and level 2) one spelling: white space made
//! single and trimmed, case variants merged (`Local authority` → `Local Authority`,
//! `Social services` → `Social Services`), `Courts` → `Court`,
//! `Primary Care Trust / Clinical Commissioning Group` → `Clinical Commissioning Group`, and
//! `-` read as none ([`AGENCY_SPELLINGS`]). The text as written is kept beside it.

mod csv2014;
pub(crate) mod package;
pub(crate) use workbook::MAX_GRID_CELLS;
mod text;
mod workbook;

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

use rust_decimal::Decimal;

pub use csv2014::{CSV_2014_COLUMNS, CSV_2014_UPRATED_YEAR, EXPORT_2014_ATTRIBUTION, NON_FISCAL_AGENCY};
pub use text::{AGENCY_SPELLINGS, UNIT_TABLE, decimal_from_f64, map_unit, normalise_agency, parse_money_text};
pub use workbook::{LOOKUPS_SHEET, THEME_SHEETS};

use crate::catalogue::{Confidence, Unit};
use crate::error::{Error, Location, Problem, ProblemKind, io_error};
use crate::io::CsvTable;
use crate::journey::MAX_INPUT_MAGNITUDE;
use crate::prices::{PriceIndex, PriceYear};

/// The attribution that anything derived from the database must carry.
pub const ATTRIBUTION: &str = "Unit Cost Database v1.4, New Economy / GMCA, CC BY 4.0";

/// The three kinds of value the database gives a cost line: the catalogue's
/// [`ValueType`]. The database's guidance: the financial case for
/// a project counts only fiscal values; the economic or public-value case counts all three.
pub use crate::catalogue::ValueType;

/// One value of a cost line (fiscal, economic or social), with its price year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UcdValue {
    /// The value as the source gives it, in `price_year` prices (exact; see
    /// [`decimal_from_f64`]).
    pub value: Decimal,
    /// The year the value is priced in (a financial year such as `2010/11`).
    pub price_year: PriceYear,
    /// The source's own uprated figure, kept to validate against: the workbook's "Updated
    /// cost/saving" column (in [`GdpDeflator::current_year`] prices, unrounded), or the 2014
    /// export's uprated cost (2013/14 prices, to the pound). `None` where the source leaves it
    /// blank, as the workbook does for a value of zero.
    pub updated: Option<Decimal>,
}

/// One cost line of the Unit Cost Database.
///
/// Text fields are kept as written (line breaks and trailing spaces included); `None` means
/// blank. Agencies are given both normalised and as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UcdLine {
    /// Where the line is: `gmca.xlsx sheet "Crime" row 12`, or `CRIME.csv` and its line.
    pub location: Location,
    /// The theme: the sheet name, e.g. `Crime` or `Education & Skills`.
    pub theme: String,
    /// The cost code, e.g. `CR1.0`, trimmed. `None` for a line without one (v1.4 has one,
    /// in Crime, row 58, between `CR8.0` and `CR8.0.2`; it is reported, never invented).
    pub code: Option<String>,
    /// The outcome category, e.g. `CRIME`.
    pub outcome_category: Option<String>,
    /// The outcome detail, e.g. `ANTI-SOCIAL BEHAVIOUR`.
    pub outcome_detail: Option<String>,
    /// What the cost is of ("Cost / saving detail").
    pub description: Option<String>,
    /// The unit as written, e.g. `Per bed day`.
    pub unit_text: Option<String>,
    /// The journeycost unit of [`unit_text`](UcdLine::unit_text), by [`map_unit`]; `None` where
    /// none clearly fits.
    pub unit: Option<Unit>,
    /// The agency bearing the fiscal cost (level 1, e.g. `Local Authority`), normalised by
    /// [`normalise_agency`].
    pub agency_l1: Option<String>,
    /// The finer agency (level 2, e.g. `Children's Services`), normalised.
    pub agency_l2: Option<String>,
    /// Level 1 as written.
    pub agency_l1_text: Option<String>,
    /// Level 2 as written.
    pub agency_l2_text: Option<String>,
    /// The fiscal value: the cost to the public sector.
    pub fiscal: Option<UcdValue>,
    /// The economic value.
    pub economic: Option<UcdValue>,
    /// The social value.
    pub social: Option<UcdValue>,
    /// The RAG assessment of the figure.
    pub rag: Option<Confidence>,
    /// The original source of the figure.
    pub original_source: Option<String>,
    /// The database's comment on the figure.
    pub comment: Option<String>,
    /// The link to the source (the 2014 export only).
    pub url: Option<String>,
}

impl UcdLine {
    /// The value of the given type, if the line has one.
    #[must_use]
    pub fn value(&self, value_type: ValueType) -> Option<&UcdValue> {
        match value_type {
            ValueType::Fiscal => self.fiscal.as_ref(),
            ValueType::Economic => self.economic.as_ref(),
            ValueType::Social => self.social.as_ref(),
        }
    }
}

/// Cost lines read from a source, with the problems found in them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UcdImport {
    /// Every cost line, in source order.
    pub lines: Vec<UcdLine>,
    /// Problems that did not stop the import (a skipped value, a line without a code, a code
    /// used twice), in source order.
    pub problems: Vec<Problem>,
    /// The price year of the source's own uprated figures ([`UcdValue::updated`]).
    pub updated_year: Option<PriceYear>,
    /// The attribution of what was read, naming its edition: the 2014 CSV export, or the
    /// workbook by its file name (the workbook does not state its version in its data).
    pub attribution: String,
}

/// One financial year of the workbook's GDP deflator table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GdpYear {
    /// The financial year.
    pub year: PriceYear,
    /// The "% change on previous year" (e.g. `2.123` for 2.123%).
    pub change_percent: Option<Decimal>,
    /// The cumulative index (1989/90 = 100), exact from the cell's float.
    pub cumulative: Decimal,
    /// Whether the year is a forecast (marked `f`).
    pub forecast: bool,
}

/// The GDP deflator table of the workbook's Lookups sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GdpDeflator {
    /// Every year of the table, in order.
    pub years: Vec<GdpYear>,
    /// The price index: the cumulative column (see the [module docs](self) for why).
    pub index: PriceIndex,
    /// The workbook's "Current Year": the price year of its "updated" columns (2015/16 in v1.4).
    pub current_year: Option<PriceYear>,
}

impl GdpDeflator {
    /// The years marked as forecasts, in order.
    #[must_use]
    pub fn forecasts(&self) -> Vec<PriceYear> {
        self.years.iter().filter(|y| y.forecast).map(|y| y.year).collect()
    }

    /// Whether a year is marked as a forecast.
    #[must_use]
    pub fn is_forecast(&self, year: PriceYear) -> bool {
        self.years.iter().any(|y| y.year == year && y.forecast)
    }

    /// The index rebuilt from the % changes instead of the cumulative column: 100 at the first
    /// year, then by [`index_from_changes`].
    ///
    /// # Errors
    /// As [`index_from_changes`], and a [`ProblemKind::MissingValue`] problem for a year after
    /// the first without a % change.
    pub fn index_from_changes(&self) -> Result<PriceIndex, Error> {
        let Some(first) = self.years.first() else { return Ok(PriceIndex::new()) };
        let mut changes = Vec::with_capacity(self.years.len());
        for y in &self.years[1..] {
            let c = y.change_percent.ok_or_else(|| {
                Error::new(
                    Location::source(LOOKUPS_SHEET),
                    ProblemKind::MissingValue,
                    format!("{} has no % change", y.year),
                )
            })?;
            changes.push((y.year, c));
        }
        index_from_changes(first.year, &changes)
    }
}

/// The workbook: its cost lines, its GDP deflator, and the problems found in its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UcdWorkbook {
    /// Every cost line of the seven theme sheets, in sheet order ([`THEME_SHEETS`]), then row
    /// order.
    pub lines: Vec<UcdLine>,
    /// The Lookups sheet's GDP deflator table.
    pub deflator: GdpDeflator,
    /// Problems that did not stop the import, in the order found.
    pub problems: Vec<Problem>,
}

impl UcdWorkbook {
    /// The lines and problems, as an import (the same shape as [`read_csv_2014`]'s).
    #[must_use]
    pub fn into_import(self) -> (UcdImport, GdpDeflator) {
        let updated_year = self.deflator.current_year;
        // The file name: the location of a line reads `NAME sheet "Crime" row 12`.
        let name = self.lines.first().map_or_else(String::new, |l| {
            let source = &l.location.source;
            source.split(" sheet \"").next().unwrap_or(source).to_owned()
        });
        let attribution = format!("Unit Cost Database, the workbook {name}, New Economy / GMCA, CC BY 4.0");
        (UcdImport { lines: self.lines, problems: self.problems, updated_year, attribution }, self.deflator)
    }
}

/// Reads the Unit Cost Database workbook (`.xlsx`): the cost lines of the seven theme sheets
/// and the GDP deflator of the Lookups sheet. `name` names the input in messages.
///
/// # Errors
/// One error listing every problem that stops the import: a file that is not an `.xlsx`
/// workbook, a workbook without the database's sheets, a theme sheet without one of the
/// expected headers (named, with the sheet), a Lookups sheet without its GDP table.
///
/// # Example
/// ```
/// use journeycost::ucd::read_workbook;
/// use std::io::Cursor;
///
/// let err = read_workbook("notes.xlsx", Cursor::new(b"not a zip file".to_vec())).unwrap_err();
/// assert!(err.to_string().starts_with("notes.xlsx: cannot read the file as an .xlsx workbook"));
/// ```
pub fn read_workbook<R: Read + Seek>(name: &str, input: R) -> Result<UcdWorkbook, Error> {
    workbook::read(name, input, true)
}

/// Reads the workbook at `path` with [`read_workbook`]; messages name it by its path as given.
///
/// # Errors
/// As [`read_workbook`], and an I/O problem if the file cannot be opened.
pub fn open_workbook(path: &Path) -> Result<UcdWorkbook, Error> {
    crate::io::check_input(path)?;
    let file = File::open(path).map_err(|e| io_error(path, "open the workbook", &e))?;
    read_workbook(&path.display().to_string(), BufReader::new(file))
}

/// Reads only the GDP deflator table of the workbook's Lookups sheet, for use as the price
/// index. Unlike [`read_workbook`], any problem in the table (a bad year, a cumulative value
/// that does not follow from the % change) is an error, since the index would be wrong.
///
/// # Errors
/// As [`read_workbook`] for the Lookups sheet, and every problem in its table.
pub fn read_gdp_deflator<R: Read + Seek>(name: &str, input: R) -> Result<GdpDeflator, Error> {
    let wb = workbook::read(name, input, false)?;
    if wb.problems.is_empty() { Ok(wb.deflator) } else { Err(Error::from_problems(wb.problems, 0)) }
}

/// Reads a Unit Cost Database file, recognising the workbook (a zip: `.xlsx`) by its first bytes
/// and taking anything else for one file of the 2014 CSV export.
///
/// # Errors
/// As [`open_workbook`] or [`read_csv_2014`]; a file that cannot be opened.
pub fn import_file(path: &Path) -> Result<UcdImport, Error> {
    crate::io::check_input(path)?;
    if is_workbook(path) {
        return open_workbook(path).map(|w| w.into_import().0);
    }
    let f = std::fs::File::open(path).map_err(|e| crate::error::io_error(path, "open the file", &e))?;
    read_csv_2014(&path.display().to_string(), std::io::BufReader::new(f))
}

/// Whether a file starts like a workbook (a zip archive).
#[must_use]
pub fn is_workbook(path: &Path) -> bool {
    // Only a regular file is opened to look: a pipe would lose its first bytes, a FIFO block.
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return false;
    }
    let mut magic = [0u8; 4];
    std::fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic)).is_ok()
        && &magic == b"PK\x03\x04"
}

/// Reads one theme file of the 2014 CSV export of the database (no header; 14 columns, named in
/// [`CSV_2014_COLUMNS`]; money such as ` £44,676 `; descriptions over several quoted lines).
///
/// The export has a single cost column. Its lines whose level-1 agency is
/// [`NON_FISCAL_AGENCY`] carry an economic value (an earnings gain, a trainee's product), which
/// is kept as [`UcdLine::economic`]; every other cost is [`UcdLine::fiscal`]. The uprated column
/// (2013/14 prices, to the pound) is kept as [`UcdValue::updated`]. The theme is the first
/// column matched to a sheet name of v1.4 (`CRIME` → `Crime`).
///
/// # Errors
/// An empty file, or CSV that cannot be read at all. Problems within lines (a line with other
/// than 14 fields, a cost that is not money, a missing price year) are listed in the result.
///
/// # Example
/// ```
/// use journeycost::ucd::read_csv_2014;
///
/// let csv = "CRIME,ASB,CR1.0,\"Anti-social behaviour\nfurther action\",Police,,Per incident,\" £1,234 \",2002/03,\" £1,582 \",LSE (2003),R,A note,http://example.org\n";
/// let import = read_csv_2014("CRIME.csv", csv.as_bytes()).unwrap();
/// let line = &import.lines[0];
/// assert_eq!(line.theme, "Crime");
/// assert_eq!(line.fiscal.as_ref().unwrap().value.to_string(), "1234");
/// assert!(import.problems.is_empty());
/// ```
pub fn read_csv_2014(name: &str, input: impl Read) -> Result<UcdImport, Error> {
    csv2014::read(name, input)
}

/// Builds a price index from percentage changes on the previous year: 100 at `first`, then for
/// each year `index[y] = index[y − 1] × (1 + change[y] / 100)`, kept exactly (as fractions:
/// see [`PriceIndex::from_changes`]), so conversions with it are exact however long the chain.
///
/// # Errors
/// A [`ProblemKind::InvalidValue`] problem for a year that does not follow the one before (the
/// next financial, or calendar, year), and for a change of −100% or less.
///
/// # Example
/// ```
/// use journeycost::prices::PriceYear;
/// use journeycost::ucd::index_from_changes;
/// use rust_decimal::Decimal;
///
/// let fy = PriceYear::Financial;
/// let index = index_from_changes(fy(2011), &[(fy(2012), Decimal::new(15, 1)), (fy(2013), Decimal::new(23, 1))]).unwrap();
/// assert_eq!(index.get(fy(2013)).unwrap().to_string(), "103.8345");
/// ```
pub fn index_from_changes(first: PriceYear, changes: &[(PriceYear, Decimal)]) -> Result<PriceIndex, Error> {
    PriceIndex::from_changes(first, changes).map_err(|e| {
        Error::new(
            Location::source("price index changes").in_field(first.to_string()),
            ProblemKind::InvalidValue,
            e.to_string(),
        )
    })
}

/// The header of [`catalogue_csv`]'s output: journeycost's catalogue columns, then the kept
/// fields of the database (which the catalogue reader ignores).
pub const CATALOGUE_COLUMNS: [&str; 21] = [
    "code",
    "agency",
    "unit_cost",
    "price_year",
    "unit",
    "description",
    "agency_detail",
    "source",
    "confidence",
    "value_type",
    "theme",
    "outcome_category",
    "outcome_detail",
    "unit_text",
    "fiscal_value",
    "fiscal_price_year",
    "economic_value",
    "economic_price_year",
    "social_value",
    "social_price_year",
    "comment",
];

/// A rendered catalogue, with the lines left out of it and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueExport {
    /// The `catalogue.csv` bytes.
    pub csv: Vec<u8>,
    /// How many cost lines were written.
    pub written: usize,
    /// How many of them have no fiscal value and were written at £0 fiscal with their economic
    /// or social value (fiscal catalogues only).
    pub zero_fiscal: usize,
    /// One note per line written under another code because its code is used by several
    /// lines, saying which code it got, located at the line.
    pub renamed: Vec<Problem>,
    /// One problem per line left out, saying why, located at the line.
    pub left_out: Vec<Problem>,
}

/// The codes under which `lines` are written: a code that several lines use is written as
/// `CODE#1`, `CODE#2`, … for each of them, numbered in the order the lines are given (files in
/// the order given, lines in file order), so no line silently takes the bare code.
fn written_codes(lines: &[UcdLine]) -> Vec<Option<String>> {
    let mut count: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for code in lines.iter().filter_map(|l| l.code.as_deref()) {
        *count.entry(code).or_default() += 1;
    }
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    lines
        .iter()
        .map(|l| {
            let code = l.code.as_deref()?;
            if count[code] < 2 {
                return Some(code.to_owned());
            }
            let n = seen.entry(code).or_default();
            *n += 1;
            Some(format!("{code}#{n}"))
        })
        .collect()
}

/// Renders cost lines as journeycost's `catalogue.csv` (docs/formats.md), pricing each line by
/// its value of `value_type` (fiscal for the financial case).
///
/// Columns: [`CATALOGUE_COLUMNS`]. `unit_cost` and `price_year` are the chosen value, exact and
/// unrounded (e.g. `767.7333333333333`), in its own price year; `unit` is the mapped unit, or
/// `event` where the unit text has none (the quantity then counts the unit written in
/// `unit_text`, e.g. months, and the line cannot be a spell). For fiscal values `agency` is the
/// normalised level-1 agency and `agency_detail` level 2; economic and social values are not
/// borne by a public agency, so their `agency` is [`NON_FISCAL_AGENCY`], the database's own
/// name for them. `description` and `source` have their white space made single; `comment` is
/// kept as written. `confidence` is the RAG rating.
///
/// Lines are written in the given order. A code that several lines use (the 2014 export has
/// `CR7.0.3` for the courts, prisons and other criminal justice costs of a homicide) is written
/// as `CR7.0.3#1`, `CR7.0.3#2`, … for each of them, in the order given, with a note in
/// [`CatalogueExport::renamed`]. In a fiscal catalogue, a line with no fiscal value but an
/// economic or social one (an earnings gain) is written at £0 fiscal, agency
/// [`NON_FISCAL_AGENCY`], with its economic and social values, so `--values public` counts
/// them. A line is left out, with a problem saying why, when it has no code, when it has no
/// value to write, when a fiscal value has no level-1 agency, or when the value is beyond 10^12.
///
/// # Example
/// ```
/// use journeycost::io::read_catalogue;
/// use journeycost::ucd::{catalogue_csv, read_csv_2014, ValueType};
///
/// let csv = "CRIME,ASB,CR1.2,Warning letter,Local authority,Housing Services,Per action,66,2006/07, £78 ,NAO (2006),A,,\n";
/// let import = read_csv_2014("CRIME.csv", csv.as_bytes()).unwrap();
/// let out = catalogue_csv(&import.lines, ValueType::Fiscal);
/// let file = read_catalogue("catalogue.csv", out.csv.as_slice()).unwrap();
/// let cost = file.catalogue.get("CR1.2").unwrap();
/// assert_eq!((cost.agency.as_str(), cost.unit_cost.to_string()), ("Local Authority", "66".to_owned()));
/// ```
#[must_use]
pub fn catalogue_csv(lines: &[UcdLine], value_type: ValueType) -> CatalogueExport {
    let mut table = CsvTable::new(&CATALOGUE_COLUMNS);
    let mut left_out = Vec::new();
    let mut renamed = Vec::new();
    let mut written = 0;
    let mut zero_fiscal = 0;
    let leave_out = |left_out: &mut Vec<Problem>, l: &UcdLine, kind: ProblemKind, m: String| {
        left_out.push(Problem::new(l.location.clone(), kind, format!("left out of the catalogue: {m}")));
    };
    let codes = written_codes(lines);
    let mut uses: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for code in lines.iter().filter_map(|l| l.code.as_deref()) {
        *uses.entry(code).or_default() += 1;
    }
    for (l, written_code) in lines.iter().zip(&codes) {
        let (Some(original), Some(code)) = (l.code.as_deref(), written_code.as_deref()) else {
            leave_out(&mut left_out, l, ProblemKind::MissingValue, "the line has no cost code".to_owned());
            continue;
        };
        // A fiscal catalogue keeps a line with only economic or social values, at £0 fiscal.
        let other = [ValueType::Economic, ValueType::Social].into_iter().find_map(|t| l.value(t));
        let zero;
        let (v, no_fiscal) = match (l.value(value_type), other) {
            (Some(v), _) => (v, false),
            (None, Some(o)) if value_type == ValueType::Fiscal => {
                zero = UcdValue { value: Decimal::ZERO, price_year: o.price_year, updated: None };
                (&zero, true)
            }
            (None, _) => {
                leave_out(&mut left_out, l, ProblemKind::MissingValue, format!("{code} has no {value_type} value"));
                continue;
            }
        };
        if v.value.abs() > Decimal::from(MAX_INPUT_MAGNITUDE) {
            leave_out(
                &mut left_out,
                l,
                ProblemKind::Overflow,
                format!("{code}'s {value_type} value {} is beyond 10^12", v.value),
            );
            continue;
        }
        let (agency, detail) = if value_type == ValueType::Fiscal && !no_fiscal {
            let Some(a) = l.agency_l1.as_deref() else {
                leave_out(
                    &mut left_out,
                    l,
                    ProblemKind::MissingValue,
                    format!("{code} has a fiscal value but no agency"),
                );
                continue;
            };
            (a, l.agency_l2.as_deref().unwrap_or(""))
        } else {
            (NON_FISCAL_AGENCY, "")
        };
        let single = |s: &Option<String>| {
            s.as_deref().map(|t| t.split_whitespace().collect::<Vec<_>>().join(" ")).unwrap_or_default()
        };
        let pair = |v: Option<&UcdValue>| {
            v.map_or((String::new(), String::new()), |v| (v.value.to_string(), v.price_year.to_string()))
        };
        let (fv, fy) = pair(l.fiscal.as_ref());
        let (ev, ey) = pair(l.economic.as_ref());
        let (sv, sy) = pair(l.social.as_ref());
        let confidence = match l.rag {
            Some(Confidence::Green) => "green",
            Some(Confidence::Amber) => "amber",
            Some(Confidence::Red) => "red",
            None => "",
        };
        table.row([
            code.to_owned(),
            agency.to_owned(),
            v.value.to_string(),
            v.price_year.to_string(),
            l.unit.unwrap_or(Unit::Event).as_str().to_owned(),
            single(&l.description),
            detail.to_owned(),
            single(&l.original_source),
            confidence.to_owned(),
            value_type.as_str().to_owned(),
            l.theme.clone(),
            single(&l.outcome_category),
            single(&l.outcome_detail),
            single(&l.unit_text),
            fv,
            fy,
            ev,
            ey,
            sv,
            sy,
            l.comment.clone().unwrap_or_default(),
        ]);
        if code != original {
            let what = l
                .description
                .as_deref()
                .map(|d| format!(" ({})", d.split_whitespace().collect::<Vec<_>>().join(" ")))
                .unwrap_or_default();
            renamed.push(Problem::new(
                l.location.clone().in_field("code"),
                ProblemKind::DuplicateCode,
                format!(
                    "the code {original:?} is used by {} lines; this one{what} is written as {code:?}",
                    uses[original]
                ),
            ));
        }
        written += 1;
        zero_fiscal += usize::from(no_fiscal);
    }
    CatalogueExport { csv: table.into_bytes(), written, zero_fiscal, renamed, left_out }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(code: Option<&str>, fiscal: Option<&str>, agency: Option<&str>) -> UcdLine {
        UcdLine {
            location: Location::source(format!("t.xlsx sheet \"Crime\" row {}", code.map_or(0, str::len))),
            theme: "Crime".into(),
            code: code.map(Into::into),
            outcome_category: Some("CRIME".into()),
            outcome_detail: None,
            description: Some("Two\nlines ".into()),
            unit_text: Some("Per month".into()),
            unit: None,
            agency_l1: agency.map(Into::into),
            agency_l2: None,
            agency_l1_text: agency.map(Into::into),
            agency_l2_text: None,
            fiscal: fiscal.map(|v| UcdValue {
                value: v.parse().unwrap(),
                price_year: PriceYear::Financial(2010),
                updated: None,
            }),
            economic: None,
            social: None,
            rag: Some(Confidence::Amber),
            original_source: None,
            comment: Some("A, \"quoted\"\ncomment".into()),
            url: None,
        }
    }

    #[test]
    fn catalogue_rows_and_reasons() {
        let lines = vec![
            line(Some("A"), Some("767.7333333333333"), Some("Police")),
            line(None, Some("1"), Some("Police")),
            line(Some("A"), Some("2"), Some("Police")),
            line(Some("BB"), None, Some("Police")),
            line(Some("CCC"), Some("3"), None),
        ];
        let out = catalogue_csv(&lines, ValueType::Fiscal);
        assert_eq!(out.written, 2);
        assert_eq!(out.renamed.len(), 2);
        assert!(
            out.renamed[1]
                .message
                .ends_with("the code \"A\" is used by 2 lines; this one (Two lines) is written as \"A#2\"")
        );
        let text = String::from_utf8(out.csv).unwrap();
        let mut rows = text.lines();
        assert_eq!(rows.next().unwrap(), CATALOGUE_COLUMNS.join(","));
        assert!(
            text.contains("A#1,Police,767.7333333333333,2010/11,event,Two lines,,,amber,fiscal,Crime,CRIME,,Per month,767.7333333333333,2010/11,,,,,\"A, \"\"quoted\"\"\ncomment\"\n"),
            "{text}"
        );
        let why: Vec<String> = out.left_out.iter().map(|p| p.message.clone()).collect();
        assert_eq!(
            why,
            [
                "left out of the catalogue: the line has no cost code",
                "left out of the catalogue: BB has no fiscal value",
                "left out of the catalogue: CCC has a fiscal value but no agency",
            ]
        );
        let econ = catalogue_csv(&lines, ValueType::Economic);
        assert_eq!(econ.written, 0);
        assert_eq!(econ.left_out.len(), 5);
        // A fiscal catalogue keeps a line with only an economic value, at £0 fiscal.
        let mut e = line(Some("E"), None, None);
        e.economic =
            Some(UcdValue { value: Decimal::from(900), price_year: PriceYear::Financial(2012), updated: None });
        let out = catalogue_csv(&[e], ValueType::Fiscal);
        assert_eq!((out.written, out.zero_fiscal), (1, 1));
        assert!(String::from_utf8(out.csv).unwrap().contains("\nE,Society / Economic,0,2012/13,event,"));
    }

    #[test]
    fn value_types_parse_and_print() {
        for t in ValueType::ALL {
            assert_eq!(t.as_str().parse::<ValueType>(), Ok(t));
        }
        assert!("Fiscal".parse::<ValueType>().is_err());
    }

    #[test]
    fn index_from_changes_checks_years_and_rounds_each_step() {
        let fy = PriceYear::Financial;
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let idx = index_from_changes(fy(1989), &[(fy(1990), d("7.14")), (fy(1991), d("6.51")), (fy(1992), d("-1.07"))])
            .unwrap();
        // 107.14 × 1.0651 = 114.114814; × 0.9893 = 112.8937854902 (exactly 10 decimals)
        assert_eq!(idx.get(fy(1991)).unwrap().to_string(), "114.114814");
        assert_eq!(idx.get(fy(1992)).unwrap().to_string(), "112.8937854902");
        let idx = index_from_changes(fy(2000), &[(fy(2001), d("0.333")), (fy(2002), d("0.333"))]).unwrap();
        // 100.333 × 1.00333 = 100.66710889 exactly
        assert_eq!(idx.get(fy(2002)).unwrap().to_string(), "100.66710889");
        assert!(index_from_changes(fy(2000), &[(fy(2002), d("1"))]).is_err());
        assert!(index_from_changes(fy(2000), &[(PriceYear::Calendar(2001), d("1"))]).is_err());
        assert!(index_from_changes(fy(2000), &[(fy(2001), d("-100"))]).is_err());
        let long = index_from_changes(fy(2000), &[(fy(2001), d("1.23456789")), (fy(2002), d("2.3456789"))]).unwrap();
        assert_eq!(long.get(fy(2002)).unwrap().scale(), 10);
    }
}
