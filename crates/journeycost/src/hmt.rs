//! Importing HM Treasury's published GDP deflator file ("GDP deflators at market prices, and
//! money GDP", GOV.UK), as `.xlsx` or `.csv`, into journeycost's `deflators.csv` with its
//! forecast years marked.
//!
//! The published sheet has a block of UK financial years and a block of calendar years side by
//! side, each headed by a cell `Financial year` or `Calendar year`; the column to its right is
//! the index (headed like `2024-25 = 100`), the next the percentage change on the previous year.
//! Each block's years are read from their own column: financial years from the financial-year
//! series, calendar years from the calendar series, never derived from one another.
//!
//! A row is a **forecast** (the OBR's) when its year label carries a footnote marker
//! (`2025-26 (1), (2)`), or when it gives a percentage change but no index (`-`). A forecast
//! year without an index is the previous year's index times `1 + change / 100`, exact, then
//! rounded half-even to 10 decimals (the most `deflators.csv` holds); so is an index published
//! with more than 10 decimals (a spreadsheet's float). Notes and footnotes below the table
//! are skipped.

use std::io::{Read, Seek};
use std::path::Path;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::error::{Error, Location, ProblemKind, io_error};
use crate::io::CsvTable;
use crate::prices::PriceYear;

/// One year of the published series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeflatorYear {
    /// The year: `2024/25` from `2024-25`, or `2024`.
    pub year: PriceYear,
    /// The index value (published, or for a forecast year given only as a change, chained).
    pub index: Decimal,
    /// Whether the year is a forecast.
    pub forecast: bool,
}

/// A cell of the published sheet.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Empty,
    Text(String),
    Number(Decimal),
}

impl Cell {
    fn text(&self) -> Option<&str> {
        match self {
            Cell::Text(s) => Some(s.trim()),
            _ => None,
        }
    }

    /// A number: a numeric cell, or text that is a plain decimal.
    fn number(&self) -> Option<Decimal> {
        match self {
            Cell::Number(d) => Some(*d),
            Cell::Text(s) => crate::io::parse_decimal(s.trim()).ok(),
            Cell::Empty => None,
        }
    }
}

/// Reads the published file at `path`: a workbook (recognised by its first bytes; the first
/// sheet is read) or a CSV export of it.
///
/// # Errors
/// A file that cannot be read, or a sheet without a `Financial year` or `Calendar year` table.
pub fn import_file(path: &Path) -> Result<Vec<DeflatorYear>, Error> {
    crate::io::check_input(path)?;
    let name = path.display().to_string();
    let f = std::fs::File::open(path).map_err(|e| io_error(path, "open the file", &e))?;
    if crate::ucd::is_workbook(path) { read_workbook(&name, std::io::BufReader::new(f)) } else { read_csv(&name, f) }
}

/// Reads the published sheet as CSV text.
///
/// # Errors
/// As [`import_file`].
///
/// # Example
/// ```
/// use journeycost::hmt::read_csv;
///
/// let csv = "GDP deflators at market prices\n,Financial year,2024-25 = 100,per cent change,,,Calendar year,2024-25 = 100,per cent change\n\
///            ,2023-24,96.1117,5.27,,,2023,95.0,\n,2024-25,100.0000,4.05,,,2024,99.0,\n,2025-26 (1),-,3.2388,,,2025 (1),-,3.0\n\
///            ,Sources and footnotes:,,,\n";
/// let years = read_csv("gdp.csv", csv.as_bytes()).unwrap();
/// assert_eq!(years.len(), 6);
/// assert_eq!(years[2].index.to_string(), "103.2388");
/// assert!(years[2].forecast && !years[1].forecast);
/// ```
pub fn read_csv(name: &str, input: impl Read) -> Result<Vec<DeflatorYear>, Error> {
    read_rows(name, &csv_rows(name, input)?)
}

/// Reads the published workbook (its first sheet), after the same checks of its zip package as
/// the Unit Cost Database workbook gets (sizes, parts, cell references).
///
/// # Errors
/// As [`import_file`]; a file that is not an `.xlsx` workbook, or one that breaks a bound.
pub fn read_workbook<R: Read + Seek>(name: &str, input: R) -> Result<Vec<DeflatorYear>, Error> {
    read_rows(name, &workbook_rows(name, input)?)
}

/// Renders years as `deflators.csv`: `year,index,forecast`, financial years first, each block
/// in chronological order.
#[must_use]
pub fn deflators_csv(years: &[DeflatorYear]) -> Vec<u8> {
    let mut t = CsvTable::new(&["year", "index", "forecast"]);
    let mut sorted: Vec<&DeflatorYear> = years.iter().collect();
    sorted.sort_by_key(|y| (matches!(y.year, PriceYear::Calendar(_)), y.year));
    for y in sorted {
        t.row([y.year.to_string(), y.index.to_string(), y.forecast.to_string()]);
    }
    t.into_bytes()
}

fn csv_rows(name: &str, input: impl Read) -> Result<Vec<Vec<Cell>>, Error> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(input);
    let mut rows = Vec::new();
    for record in reader.records() {
        let r = record.map_err(|e| {
            Error::new(Location::source(name), ProblemKind::Syntax, format!("cannot read the file: {e}"))
        })?;
        rows.push(r.iter().map(|f| if f.trim().is_empty() { Cell::Empty } else { Cell::Text(f.to_owned()) }).collect());
    }
    Ok(rows)
}

fn workbook_rows<R: Read + Seek>(name: &str, input: R) -> Result<Vec<Vec<Cell>>, Error> {
    use calamine::{Data, Reader};
    let bad = |m: String| Error::new(Location::source(name), ProblemKind::Syntax, m);
    // The same bounds as the Unit Cost Database workbook: a crafted file gets a clear error
    // before calamine could allocate without bound or overflow on its references.
    let mut input = input;
    crate::ucd::package::check(name, &mut input)?;
    let mut wb =
        calamine::Xlsx::new(input).map_err(|e| bad(format!("cannot read the file as an .xlsx workbook: {e}")))?;
    let sheet = wb.sheet_names().first().cloned().ok_or_else(|| bad("the workbook has no sheet".to_owned()))?;
    // Cell by cell, not calamine's range: a range spanning A1 to XFD1048576 would be allocated
    // whole (found by fuzzing: 512 GiB). The rows from A1 are bounded as the importer's are.
    let mut reader = wb.worksheet_cells_reader(&sheet).map_err(|e| bad(format!("cannot read sheet {sheet:?}: {e}")))?;
    let mut cells = Vec::new();
    while let Some(c) = reader.next_cell().map_err(|e| bad(format!("cannot read sheet {sheet:?}: {e}")))? {
        let value = Data::from(c.get_value().clone());
        if value != Data::Empty {
            cells.push((c.get_position(), value));
        }
    }
    let rows = cells.iter().map(|((r, _), _)| u64::from(*r) + 1).max().unwrap_or(0);
    let cols = cells.iter().map(|((_, c), _)| u64::from(*c) + 1).max().unwrap_or(0);
    if rows * cols > crate::ucd::MAX_GRID_CELLS {
        return Err(bad(format!(
            "its sheet {sheet:?} spans {rows} rows and {cols} columns from A1; a sheet may span at most {} cells",
            crate::ucd::MAX_GRID_CELLS
        )));
    }
    let mut grid = vec![vec![Cell::Empty; cols as usize]; rows as usize];
    for ((r, c), value) in cells {
        grid[r as usize][c as usize] = match value {
            Data::String(s) => Cell::Text(s),
            Data::Float(f) => crate::ucd::decimal_from_f64(f).map_or(Cell::Empty, Cell::Number),
            Data::Int(i) => Cell::Number(Decimal::from(i)),
            other => Cell::Text(other.to_string()),
        };
    }
    Ok(grid)
}

/// Finds each block by its header cell and reads its years.
fn read_rows(name: &str, rows: &[Vec<Cell>]) -> Result<Vec<DeflatorYear>, Error> {
    let mut out = Vec::new();
    let mut found = false;
    for (label, financial) in [("financial year", true), ("calendar year", false)] {
        let header = rows.iter().enumerate().find_map(|(r, cells)| {
            cells.iter().position(|c| c.text().is_some_and(|t| t.eq_ignore_ascii_case(label))).map(|c| (r, c))
        });
        let Some((top, col)) = header else { continue };
        found = true;
        let mut previous: Option<Decimal> = None;
        for (r, cells) in rows.iter().enumerate().skip(top + 1) {
            let at = |c: usize| cells.get(c).unwrap_or(&Cell::Empty);
            let Some(text) = at(col).text().map(str::to_owned).or_else(|| at(col).number().map(|d| d.to_string()))
            else {
                continue;
            };
            let Some(year) = parse_year(&text, financial) else {
                // The notes below the table end it.
                if text.to_ascii_lowercase().starts_with("source") || text.to_ascii_lowercase().starts_with("footnote")
                {
                    break;
                }
                continue;
            };
            let location = || Location::source(name).at_line(r as u64 + 1);
            let (index, change) = (at(col + 1).number(), at(col + 2).number());
            let marked = text.contains('(');
            let (index, forecast) = match (index, change, previous) {
                (Some(i), _, _) => (i, marked),
                (None, Some(c), Some(p)) => {
                    // A change too large to chain exactly is an error, not an overflow (found by fuzzing).
                    let chained = Decimal::ONE_HUNDRED
                        .checked_add(c)
                        .and_then(|f| p.checked_mul(f))
                        .and_then(|v| v.checked_div(Decimal::ONE_HUNDRED));
                    let chained = chained.ok_or_else(|| {
                        Error::new(
                            location(),
                            ProblemKind::Overflow,
                            format!("{year}: the change of {c}% on {p} is too large to compute exactly"),
                        )
                    })?;
                    (chained, true)
                }
                _ => {
                    return Err(Error::new(
                        location(),
                        ProblemKind::MissingValue,
                        format!("{year} has neither an index nor a percentage change on a year before it"),
                    ));
                }
            };
            // The index as deflators.csv will hold it, checked as deflators.csv is read, so that
            // the file written always reads (found by fuzzing: 0.00000000001 and 10^28 did not).
            let rounded = index.round_dp_with_strategy(10, RoundingStrategy::MidpointNearestEven);
            if let Err(m) = crate::io::check_index(rounded) {
                return Err(Error::new(location(), ProblemKind::InvalidValue, format!("{year}: {m}")));
            }
            if out.iter().any(|y: &DeflatorYear| y.year == year) {
                return Err(Error::new(
                    location(),
                    ProblemKind::InvalidValue,
                    format!("{year} appears twice in the table"),
                ));
            }
            previous = Some(index);
            let index = index.round_dp_with_strategy(10, RoundingStrategy::MidpointNearestEven);
            // A chained value is shown without trailing zeros; a published one as published.
            let index =
                if forecast && change.is_some() && at(col + 1).number().is_none() { index.normalize() } else { index };
            out.push(DeflatorYear { year, index, forecast });
        }
    }
    if !found {
        return Err(Error::new(
            Location::source(name),
            ProblemKind::MissingColumn,
            "expected HM Treasury's GDP deflator table: a cell \"Financial year\" or \"Calendar year\" heading a column of years",
        ));
    }
    if out.is_empty() {
        return Err(Error::new(Location::source(name), ProblemKind::Empty, "the deflator table has no years"));
    }
    Ok(out)
}

/// `2024-25` (or `2024-25 (1), (2)`) as a financial year, `2024` (or `2024 (1)`) as a calendar
/// year.
fn parse_year(text: &str, financial: bool) -> Option<PriceYear> {
    let head = text.split(|c: char| c.is_whitespace() || c == '(').next()?;
    let year = if financial { head.replace('-', "/").parse().ok()? } else { head.parse().ok()? };
    match (year, financial) {
        (PriceYear::Financial(_), true) | (PriceYear::Calendar(_), false) => Some(year),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published layout: title rows, both blocks side by side, footnoted forecast rows
    /// with `-` for the index, and notes below.
    const PUBLISHED: &str = "\
GDP deflators at market prices and money GDP,,,,,,,,,\n\
March 2026 (Quarterly National Accounts),,,,,,,,,\n\
,,,,,,,,,\n\
,Financial year,2024-25 = 100,per cent change on previous year,Money GDP £ million,,,Calendar year,2024-25 = 100,per cent change on previous year\n\
,2022-23,91.2996,,,,,2022,90.1,\n\
,2023-24,96.1117,5.27,,,,2023,95.2,5.66\n\
,2024-25,100.0000,4.05,,,,2024,99.0,3.99\n\
,2025-26 (1),-,3.2388,,,,2025 (1),-,3.5\n\
,2026-27 (1),-,2.0057,,,,2026 (1),-,2.1\n\
,,,,,,,,,\n\
,Sources and footnotes:,,,,,,,,\n\
,(1) Forecasts from the OBR,,,,,,,,\n";

    #[test]
    fn both_blocks_are_read_from_their_own_columns_with_forecasts_marked() {
        let years = read_csv("gdp.csv", PUBLISHED.as_bytes()).unwrap();
        let fy = PriceYear::Financial;
        let got: Vec<(PriceYear, String, bool)> =
            years.iter().map(|y| (y.year, y.index.to_string(), y.forecast)).collect();
        assert_eq!(
            got,
            [
                (fy(2022), "91.2996".to_owned(), false),
                (fy(2023), "96.1117".to_owned(), false),
                (fy(2024), "100.0000".to_owned(), false),
                (fy(2025), "103.2388".to_owned(), true),
                (fy(2026), "105.3094606116".to_owned(), true),
                (PriceYear::Calendar(2022), "90.1".to_owned(), false),
                (PriceYear::Calendar(2023), "95.2".to_owned(), false),
                (PriceYear::Calendar(2024), "99.0".to_owned(), false),
                (PriceYear::Calendar(2025), "102.465".to_owned(), true),
                (PriceYear::Calendar(2026), "104.616765".to_owned(), true),
            ]
        );
        // The rendered file reads back as a price index with the forecasts marked.
        let index = crate::io::read_deflators("deflators.csv", deflators_csv(&years).as_slice()).unwrap();
        assert_eq!(index.latest_outturn(), Some(fy(2024)));
        assert!(index.is_forecast(fy(2026)) && index.is_forecast(PriceYear::Calendar(2025)));
        assert!(!index.is_forecast(PriceYear::Calendar(2024)));
    }

    #[test]
    fn a_file_that_is_not_the_table_is_refused() {
        let err = read_csv("x.csv", "a,b\n1,2\n".as_bytes()).unwrap_err();
        assert_eq!(err.kind(), ProblemKind::MissingColumn);
        let err = read_csv("x.csv", ",Financial year,2024-25 = 100,change\n,2025-26 (1),-,3\n".as_bytes()).unwrap_err();
        assert!(err.to_string().contains("2025/26 has neither an index nor a percentage change"), "{err}");
    }
}
