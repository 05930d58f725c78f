//! Reading the GMCA workbook (`.xlsx`) with calamine: the theme sheets and the Lookups GDP table.

use std::io::{Read, Seek};

use calamine::{Data, Reader, Xlsx};
use rust_decimal::Decimal;

use super::text::{decimal_from_f64, map_unit, normalise_agency, parse_money_text};
use super::{GdpDeflator, GdpYear, UcdLine, UcdValue, UcdWorkbook};
use crate::catalogue::Confidence;
use crate::error::{Error, Location, Problem, ProblemKind};
use crate::prices::{PriceIndex, PriceYear};

/// The theme sheets of the database, in the workbook's order.
pub const THEME_SHEETS: [&str; 7] =
    ["Crime", "Education & Skills", "Employment & Economy", "Fire", "Health", "Housing", "Social Services"];

/// The sheet holding the GDP deflator table.
pub const LOOKUPS_SHEET: &str = "Lookups";

/// How many rows from the top of a sheet are searched for its header row.
const HEADER_SEARCH_ROWS: u32 = 30;

/// One cell, as read (calamine's `Data` reduced to what the importer distinguishes).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Empty,
    Number(f64),
    Int(i64),
    Text(String),
    /// A date, a boolean or an error value, described for messages.
    Other(String),
}

impl Cell {
    fn from_data(d: &Data) -> Cell {
        match d {
            Data::Empty => Cell::Empty,
            Data::Float(f) => Cell::Number(*f),
            Data::Int(i) => Cell::Int(*i),
            Data::String(s) => Cell::Text(s.clone()),
            Data::Bool(b) => Cell::Other(format!("the boolean {b}")),
            Data::DateTime(dt) => Cell::Other(format!("a date (serial number {})", dt.as_f64())),
            Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Other(format!("a date {s:?}")),
            Data::Error(e) => Cell::Other(format!("the error value {e}")),
        }
    }

    /// The text of a text cell, if it has any non-space character.
    fn text(&self) -> Option<&str> {
        match self {
            Cell::Text(s) if !s.trim().is_empty() => Some(s),
            _ => None,
        }
    }

    fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// How the cell reads in a message.
    fn describe(&self) -> String {
        match self {
            Cell::Empty => "an empty cell".to_owned(),
            Cell::Number(f) => format!("the number {f}"),
            Cell::Int(i) => format!("the number {i}"),
            Cell::Text(s) => format!("{s:?}"),
            Cell::Other(d) => d.clone(),
        }
    }
}

/// A sheet's cells by absolute 0-based (row, column), as a dense grid.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Grid {
    first_row: u32,
    first_col: u32,
    rows: Vec<Vec<Cell>>,
}

static EMPTY: Cell = Cell::Empty;

/// The most cells a sheet's used range (from its first to its last used row and column) may
/// span: the importer holds it as a grid. (The GMCA workbook's largest spans about 60,000.)
pub(crate) const MAX_GRID_CELLS: u64 = 1 << 21;

impl Grid {
    /// The grid of a sheet's used cells, read one by one; a used range of more than
    /// [`MAX_GRID_CELLS`] cells is refused (with the range in the message) before any grid is
    /// made.
    fn read<R: Read + Seek>(book: &mut Xlsx<R>, sheet: &str) -> Result<Grid, String> {
        let mut reader = match book.worksheet_cells_reader(sheet) {
            Ok(r) => r,
            // A chart sheet, say: no cells, as calamine's own range reader has it.
            Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(Grid::default()),
            Err(e) => return Err(format!("cannot read the sheet: {e}")),
        };
        let mut cells = Vec::new();
        while let Some(c) = reader.next_cell().map_err(|e| format!("cannot read the sheet: {e}"))? {
            let value = Data::from(c.get_value().clone());
            if value != Data::Empty {
                cells.push((c.get_position(), value));
            }
        }
        let Some(&((r0, c0), _)) = cells.first() else { return Ok(Grid::default()) };
        let (mut first, mut last) = ((r0, c0), (r0, c0));
        for &((r, c), _) in &cells {
            first = (first.0.min(r), first.1.min(c));
            last = (last.0.max(r), last.1.max(c));
        }
        let (rows, cols) = (u64::from(last.0 - first.0) + 1, u64::from(last.1 - first.1) + 1);
        if rows * cols > MAX_GRID_CELLS {
            return Err(format!(
                "its used range {}:{} spans {} cells; a sheet may span at most {MAX_GRID_CELLS}",
                cell_name(first),
                cell_name(last),
                rows * cols
            ));
        }
        let mut grid = Grid {
            first_row: first.0,
            first_col: first.1,
            rows: vec![vec![Cell::Empty; cols as usize]; rows as usize],
        };
        for ((r, c), value) in cells {
            grid.rows[(r - first.0) as usize][(c - first.1) as usize] = Cell::from_data(&value);
        }
        Ok(grid)
    }

    /// A grid from rows of cells starting at A1 (for tests).
    #[cfg(test)]
    pub(crate) fn from_rows(rows: Vec<Vec<Cell>>) -> Grid {
        Grid { first_row: 0, first_col: 0, rows }
    }

    /// The cell at absolute 0-based (row, column); empty outside the used range.
    fn get(&self, row: u32, col: u32) -> &Cell {
        let (Some(r), Some(c)) = (row.checked_sub(self.first_row), col.checked_sub(self.first_col)) else {
            return &EMPTY;
        };
        self.rows.get(r as usize).and_then(|cells| cells.get(c as usize)).unwrap_or(&EMPTY)
    }

    /// One past the last used row.
    fn end_row(&self) -> u32 {
        self.first_row + self.rows.len() as u32
    }

    /// One past the last used column.
    fn end_col(&self) -> u32 {
        self.first_col + self.rows.iter().map(Vec::len).max().unwrap_or(0) as u32
    }
}

/// A 0-based (row, column) as a spreadsheet names the cell, such as `XFD1048576`.
fn cell_name((row, col): (u32, u32)) -> String {
    let mut letters = Vec::new();
    let mut n = u64::from(col) + 1;
    while n > 0 {
        letters.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), u64::from(row) + 1)
}

/// Header text in the form it is matched: lowercase with every white space character removed, so
/// `Updated cost/ saving` matches `Updated cost/saving` and a line break inside a header is
/// ignored.
fn key(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

/// The header cells of a theme sheet that are read.
pub(crate) const SIMPLE_HEADERS: [&str; 8] = [
    "Outcome category",
    "Outcome detail",
    "Cost code",
    "Cost / saving detail",
    "Unit",
    "Original source",
    "RAG assessment",
    "Comment",
];

/// The three sub-headers under each value group.
pub(crate) const VALUE_SUBHEADERS: [&str; 3] = ["Estimated cost/saving", "Year", "Updated cost/saving"];

/// The two sub-headers under the agency group.
pub(crate) const AGENCY_SUBHEADERS: [&str; 2] = ["Level 1", "Level 2"];

/// A group header and the start of its text: a cell of the header row starting with it
/// (`Fiscal Cost`, `Fiscal value`, `Agency bearing the cost / making the fiscal saving`).
const GROUPS: [(&str, &str); 4] = [
    ("agency", "Agency bearing the cost"),
    ("fiscal", "Fiscal value"),
    ("economic", "Economic value"),
    ("social", "Social value"),
];

/// A column found by its header, with the header's text as the sheet writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Column {
    pub(crate) col: u32,
    pub(crate) name: String,
}

/// The columns of a theme sheet, located by header text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ThemeColumns {
    /// The 0-based row of the (first) header row; data starts two rows below.
    pub(crate) header_row: u32,
    pub(crate) outcome_category: Column,
    pub(crate) outcome_detail: Column,
    pub(crate) code: Column,
    pub(crate) description: Column,
    pub(crate) unit: Column,
    pub(crate) source: Column,
    pub(crate) rag: Column,
    pub(crate) comment: Column,
    pub(crate) agency: [Column; 2],
    /// Value, year and updated columns of the fiscal, economic and social groups.
    pub(crate) values: [[Column; 3]; 3],
}

/// Finds the columns of a theme sheet by their header text.
///
/// The header row is the first of the top [`HEADER_SEARCH_ROWS`] rows with a `Cost code` cell.
/// The single headers ([`SIMPLE_HEADERS`]) are found in that row. The groups (agency, fiscal,
/// economic, social) are cells of that row whose text starts with `Agency`, `Fiscal`,
/// `Economic` or `Social`; each spans the columns up to the next non-empty header cell, and
/// its sub-headers ([`AGENCY_SUBHEADERS`], [`VALUE_SUBHEADERS`]) are found in that span of the
/// row below. Matching ignores case and white space. Columns may be in any order.
///
/// `source` names the sheet in messages, e.g. `gmca.xlsx sheet "Crime"`.
///
/// # Errors
/// A [`ProblemKind::MissingColumn`] problem for each header not found (or one if there is no
/// header row at all), and [`ProblemKind::DuplicateColumn`] for a single header found twice.
pub(crate) fn locate_columns(grid: &Grid, source: &str) -> Result<ThemeColumns, Vec<Problem>> {
    let at_row = |row: u32| Location::source(format!("{source} row {}", row + 1));
    let code_key = key("Cost code");
    let last = grid.end_row().min(grid.first_row + HEADER_SEARCH_ROWS);
    let Some(h) = (grid.first_row..last)
        .find(|&r| (grid.first_col..grid.end_col()).any(|c| grid.get(r, c).text().is_some_and(|t| key(t) == code_key)))
    else {
        return Err(vec![Problem::new(
            Location::source(source).in_field("Cost code"),
            ProblemKind::MissingColumn,
            format!("no header row: expected a cell \"Cost code\" in the first {HEADER_SEARCH_ROWS} rows"),
        )]);
    };
    let cols = grid.first_col..grid.end_col();
    let mut problems = Vec::new();
    let mut simple = Vec::with_capacity(SIMPLE_HEADERS.len());
    for name in SIMPLE_HEADERS {
        let k = key(name);
        let found: Vec<u32> = cols.clone().filter(|&c| grid.get(h, c).text().is_some_and(|t| key(t) == k)).collect();
        match found.as_slice() {
            [] => problems.push(Problem::new(
                at_row(h).in_field(name),
                ProblemKind::MissingColumn,
                format!("missing the column {name:?} (expected in the header row, row {})", h + 1),
            )),
            [c, rest @ ..] => {
                if !rest.is_empty() {
                    problems.push(Problem::new(
                        at_row(h).in_field(name),
                        ProblemKind::DuplicateColumn,
                        format!("the column {name:?} appears more than once"),
                    ));
                }
                simple.push(Column { col: *c, name: header_text(grid.get(h, *c)) });
            }
        }
    }
    let mut groups: Vec<Vec<Column>> = Vec::with_capacity(GROUPS.len());
    for (prefix, label) in GROUPS {
        let subs: &[&str] = if prefix == "agency" { &AGENCY_SUBHEADERS } else { &VALUE_SUBHEADERS };
        let Some(start) = cols.clone().find(|&c| grid.get(h, c).text().is_some_and(|t| key(t).starts_with(prefix)))
        else {
            problems.push(Problem::new(
                at_row(h).in_field(label),
                ProblemKind::MissingColumn,
                format!(
                    "missing the column group {label:?} (a header starting {:?} over the columns {})",
                    capitalise(prefix),
                    quoted(subs)
                ),
            ));
            continue;
        };
        let group_name = header_text(grid.get(h, start));
        let end = (start + 1..grid.end_col()).find(|&c| !grid.get(h, c).is_blank()).unwrap_or(grid.end_col());
        let mut found = Vec::with_capacity(subs.len());
        for sub in subs {
            let k = key(sub);
            match (start..end).find(|&c| grid.get(h + 1, c).text().is_some_and(|t| key(t) == k)) {
                Some(c) => {
                    found.push(Column { col: c, name: format!("{group_name}: {}", header_text(grid.get(h + 1, c))) });
                }
                None => problems.push(Problem::new(
                    at_row(h + 1).in_field(format!("{group_name}: {sub}")),
                    ProblemKind::MissingColumn,
                    format!("missing the column {sub:?} under {group_name:?} (expected in row {})", h + 2),
                )),
            }
        }
        groups.push(found);
    }
    // Without problems every header was found, so each list has its full length.
    let (true, Ok(simple), Ok([agency, fiscal, economic, social])) =
        (problems.is_empty(), <[Column; 8]>::try_from(simple), <[Vec<Column>; 4]>::try_from(groups))
    else {
        return Err(problems);
    };
    let (Ok(agency), Ok(fiscal), Ok(economic), Ok(social)) = (
        agency.try_into(),
        <[Column; 3]>::try_from(fiscal),
        <[Column; 3]>::try_from(economic),
        <[Column; 3]>::try_from(social),
    ) else {
        return Err(problems);
    };
    let [outcome_category, outcome_detail, code, description, unit, original_source, rag, comment] = simple;
    Ok(ThemeColumns {
        header_row: h,
        outcome_category,
        outcome_detail,
        code,
        description,
        unit,
        source: original_source,
        rag,
        comment,
        agency,
        values: [fiscal, economic, social],
    })
}

/// A header cell's text with its white space made single, for naming a field.
fn header_text(cell: &Cell) -> String {
    cell.text().map(|t| t.split_whitespace().collect::<Vec<_>>().join(" ")).unwrap_or_default()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn quoted(names: &[&str]) -> String {
    names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ")
}

/// Reads the cost lines of one theme sheet, whose columns have been located.
///
/// Lines start two rows below the header row. Reading stops at a row whose outcome category is
/// `Do not delete rows` (the start of the workbook's drop-down lists). A row with neither a
/// code nor a description is not a cost line and is passed over.
pub(crate) fn read_theme(
    grid: &Grid,
    cols: &ThemeColumns,
    theme: &str,
    source: &str,
    problems: &mut Vec<Problem>,
) -> Vec<UcdLine> {
    let stop = key("Do not delete rows");
    let mut lines = Vec::new();
    for row in cols.header_row + 2..grid.end_row() {
        let cell = |c: &Column| grid.get(row, c.col);
        if cell(&cols.outcome_category).text().is_some_and(|t| key(t) == stop) {
            break;
        }
        let code_cell = cell(&cols.code);
        let desc_cell = cell(&cols.description);
        if code_cell.is_blank() && desc_cell.is_blank() {
            continue;
        }
        let loc = Location::source(format!("{source} row {}", row + 1));
        let mut text = |c: &Column| -> Option<String> {
            match cell(c) {
                Cell::Text(s) if !s.trim().is_empty() => Some(s.clone()),
                Cell::Number(f) => Some(f.to_string()),
                Cell::Int(i) => Some(i.to_string()),
                Cell::Other(d) => {
                    problems.push(Problem::new(
                        loc.clone().in_field(c.name.clone()),
                        ProblemKind::InvalidValue,
                        format!("expected text, found {d}"),
                    ));
                    None
                }
                _ => None,
            }
        };
        let code = text(&cols.code).map(|c| c.trim().to_owned());
        let description = text(&cols.description);
        let unit_text = text(&cols.unit);
        let agency_l1_text = text(&cols.agency[0]);
        let agency_l2_text = text(&cols.agency[1]);
        let outcome_category = text(&cols.outcome_category);
        let outcome_detail = text(&cols.outcome_detail);
        let original_source = text(&cols.source);
        let comment = text(&cols.comment);
        let rag_text = text(&cols.rag);
        if code.is_none() {
            problems.push(Problem::new(
                loc.clone().in_field(cols.code.name.clone()),
                ProblemKind::MissingValue,
                "the cost line has no cost code; it is kept without one",
            ));
        }
        let rag = rag_text.and_then(|t| {
            confidence(&t).or_else(|| {
                problems.push(Problem::new(
                    loc.clone().in_field(cols.rag.name.clone()),
                    ProblemKind::InvalidValue,
                    format!("expected a RAG rating R, A or G, found {t:?}"),
                ));
                None
            })
        });
        let [fiscal, economic, social] = cols.values.each_ref().map(|g| {
            read_value(grid.get(row, g[0].col), grid.get(row, g[1].col), grid.get(row, g[2].col), g, &loc, problems)
        });
        lines.push(UcdLine {
            location: loc,
            theme: theme.to_owned(),
            code,
            outcome_category,
            outcome_detail,
            description,
            unit: unit_text.as_deref().and_then(map_unit),
            unit_text,
            agency_l1: agency_l1_text.as_deref().and_then(normalise_agency),
            agency_l2: agency_l2_text.as_deref().and_then(normalise_agency),
            agency_l1_text,
            agency_l2_text,
            fiscal,
            economic,
            social,
            rag,
            original_source,
            comment,
            url: None,
        });
    }
    lines
}

/// A RAG letter as a [`Confidence`].
pub(crate) fn confidence(text: &str) -> Option<Confidence> {
    match text.trim() {
        "G" | "g" => Some(Confidence::Green),
        "A" | "a" => Some(Confidence::Amber),
        "R" | "r" => Some(Confidence::Red),
        _ => None,
    }
}

/// A cell holding an amount: a number, or money text; `Ok(None)` when blank.
fn amount(cell: &Cell) -> Result<Option<Decimal>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Text(s) if s.trim().is_empty() => Ok(None),
        Cell::Number(f) => decimal_from_f64(*f).map(Some),
        Cell::Int(i) => Ok(Some(Decimal::from(*i))),
        Cell::Text(s) => parse_money_text(s).map(Some),
        Cell::Other(d) => Err(format!("expected an amount such as 1234.56 or £1,234, found {d}")),
    }
}

/// A cell holding a price year such as `2010/11`; `Ok(None)` when blank.
fn price_year(cell: &Cell) -> Result<Option<PriceYear>, String> {
    match cell {
        Cell::Text(s) if !s.trim().is_empty() => {
            s.trim().parse().map(Some).map_err(|e: crate::prices::PriceYearError| e.to_string())
        }
        c if c.is_blank() => Ok(None),
        other => Err(format!("expected a financial year such as 2010/11, found {}", other.describe())),
    }
}

/// One value with its price year and the workbook's own updated figure. A value that cannot be
/// read, or has no valid price year, is reported and skipped; an updated figure that cannot be
/// read is reported and left out.
fn read_value(
    value: &Cell,
    year: &Cell,
    updated: &Cell,
    cols: &[Column; 3],
    loc: &Location,
    problems: &mut Vec<Problem>,
) -> Option<UcdValue> {
    let field = |i: usize| loc.clone().in_field(cols[i].name.clone());
    let v = match amount(value) {
        Ok(v) => v?,
        Err(m) => {
            problems.push(Problem::new(field(0), ProblemKind::InvalidValue, format!("{m}; the value is skipped")));
            return None;
        }
    };
    let y = match price_year(year) {
        Ok(Some(y)) => y,
        Ok(None) => {
            problems.push(Problem::new(
                field(1),
                ProblemKind::MissingValue,
                format!("the value {v} has no price year; the value is skipped"),
            ));
            return None;
        }
        Err(m) => {
            problems.push(Problem::new(field(1), ProblemKind::InvalidValue, format!("{m}; the value {v} is skipped")));
            return None;
        }
    };
    let u = amount(updated).unwrap_or_else(|m| {
        problems.push(Problem::new(field(2), ProblemKind::InvalidValue, m));
        None
    });
    Some(UcdValue { value: v, price_year: y, updated: u })
}

/// Reads the GDP deflator table of the Lookups sheet.
///
/// The table's header row is the first row with the cells `Year`, `% change on previous year`
/// and `GDP cumulative …` (in any columns). Below it, one row per financial year until the
/// `Year` column is blank. A year is a forecast when the cell just left of its `Year` cell reads
/// `f` (the workbook's marker column, which has no header). The `Current Year` cell's value is
/// the first non-blank cell below that header: the year the workbook's "updated" columns are
/// priced in.
///
/// The [`PriceIndex`] is the cumulative column, each float read through its shortest
/// round-trip text ([`decimal_from_f64`]): see [`GdpDeflator`] for why. Each cumulative value
/// is checked against the previous one and the year's % change, to one part in 10^12.
pub(crate) fn read_gdp(grid: &Grid, source: &str, problems: &mut Vec<Problem>) -> Result<GdpDeflator, Vec<Problem>> {
    let (year_k, change_k, cum_k, current_k) =
        (key("Year"), key("% change on previous year"), key("GDP cumulative"), key("Current Year"));
    let find_in = |row: u32, pred: &dyn Fn(&str) -> bool| {
        (grid.first_col..grid.end_col()).find(|&c| grid.get(row, c).text().is_some_and(|t| pred(&key(t))))
    };
    let header = (grid.first_row..grid.end_row()).find_map(|r| {
        let y = find_in(r, &|k| k == year_k)?;
        let ch = find_in(r, &|k| k == change_k)?;
        let cu = find_in(r, &|k| k.starts_with(&cum_k))?;
        Some((r, y, ch, cu))
    });
    let Some((h, year_c, change_c, cum_c)) = header else {
        return Err(vec![Problem::new(
            Location::source(source).in_field("Year"),
            ProblemKind::MissingColumn,
            "no GDP deflator table: expected a header row with the cells \"Year\", \"% change on previous year\" and \"GDP cumulative\"",
        )]);
    };
    let cum_name = header_text(grid.get(h, cum_c));
    let change_name = header_text(grid.get(h, change_c));
    let mut years: Vec<GdpYear> = Vec::new();
    let mut index = PriceIndex::new();
    for row in h + 1..grid.end_row() {
        let year_cell = grid.get(row, year_c);
        if year_cell.is_blank() {
            break;
        }
        let loc = Location::source(format!("{source} row {}", row + 1));
        let year = match price_year(year_cell) {
            Ok(Some(y)) => y,
            Ok(None) => break,
            Err(m) => {
                problems.push(Problem::new(loc.in_field("Year"), ProblemKind::InvalidValue, m));
                continue;
            }
        };
        let cumulative = match amount(grid.get(row, cum_c)) {
            Ok(Some(v)) if v > Decimal::ZERO => v,
            Ok(other) => {
                let found = other.map_or_else(|| "an empty cell".to_owned(), |v| v.to_string());
                problems.push(Problem::new(
                    loc.in_field(cum_name.clone()),
                    ProblemKind::InvalidValue,
                    format!("expected an index greater than zero for {year}, found {found}"),
                ));
                continue;
            }
            Err(m) => {
                problems.push(Problem::new(loc.in_field(cum_name.clone()), ProblemKind::InvalidValue, m));
                continue;
            }
        };
        let change_percent = amount(grid.get(row, change_c)).unwrap_or_else(|m| {
            problems.push(Problem::new(loc.clone().in_field(change_name.clone()), ProblemKind::InvalidValue, m));
            None
        });
        let forecast = year_c
            .checked_sub(1)
            .is_some_and(|c| grid.get(row, c).text().is_some_and(|t| t.trim().eq_ignore_ascii_case("f")));
        if let (Some(prev), Some(pct)) = (years.last(), change_percent) {
            if let Some(m) = inconsistent(prev.cumulative, pct, cumulative) {
                problems.push(Problem::new(
                    loc.clone().in_field(cum_name.clone()),
                    ProblemKind::InvalidValue,
                    format!("for {year}: {m}"),
                ));
            }
        }
        if let Err(e) = index.insert(year, cumulative) {
            problems.push(Problem::new(loc.in_field("Year"), ProblemKind::InvalidValue, e.to_string()));
            continue;
        }
        years.push(GdpYear { year, change_percent, cumulative, forecast });
    }
    if years.is_empty() {
        return Err(vec![Problem::new(
            Location::source(format!("{source} row {}", h + 1)),
            ProblemKind::Empty,
            "the GDP deflator table has a header but no years",
        )]);
    }
    let current_year = find_current_year(grid, current_k.as_str(), source, problems);
    Ok(GdpDeflator { years, index, current_year })
}

/// `None` when `cumulative` is `previous × (1 + change / 100)` to one part in 10^12 (the
/// workbook computes it in floating point), else a message.
fn inconsistent(previous: Decimal, change_percent: Decimal, cumulative: Decimal) -> Option<String> {
    let factor = Decimal::ONE.checked_add(change_percent.checked_div(Decimal::ONE_HUNDRED)?)?;
    let expected = previous.checked_mul(factor)?;
    let tolerance = cumulative.checked_mul(Decimal::new(1, 12))?;
    ((expected - cumulative).abs() > tolerance).then(|| {
        format!("the cumulative index {cumulative} does not follow from the previous year's {previous} and the change of {change_percent}% (expected {expected})")
    })
}

fn find_current_year(grid: &Grid, current_k: &str, source: &str, problems: &mut Vec<Problem>) -> Option<PriceYear> {
    let (r, c) = (grid.first_row..grid.end_row()).find_map(|r| {
        (grid.first_col..grid.end_col())
            .find(|&c| grid.get(r, c).text().is_some_and(|t| key(t) == current_k))
            .map(|c| (r, c))
    })?;
    let value_row = (r + 1..grid.end_row()).find(|&row| !grid.get(row, c).is_blank())?;
    match price_year(grid.get(value_row, c)) {
        Ok(y) => y,
        Err(m) => {
            problems.push(Problem::new(
                Location::source(format!("{source} row {}", value_row + 1)).in_field("Current Year"),
                ProblemKind::InvalidValue,
                m,
            ));
            None
        }
    }
}

/// Reads a workbook: the seven theme sheets and the Lookups GDP table. See [`super::read_workbook`].
///
/// The zip package is checked first ([`super::package`]): its sizes, and the references
/// calamine's arithmetic cannot take, so that a crafted file is refused with a clear error
/// rather than allocating without bound or panicking.
pub(crate) fn read<R: Read + Seek>(name: &str, mut input: R, lines_wanted: bool) -> Result<UcdWorkbook, Error> {
    super::package::check(name, &mut input)?;
    // Should calamine still panic on a damaged file, it is reported as damaged, never allowed
    // to panic through.
    let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_unguarded(name, input, lines_wanted)));
    attempt.unwrap_or_else(|_| {
        Err(Error::new(
            Location::source(name),
            ProblemKind::Syntax,
            "the workbook is damaged: its contents could not be read",
        ))
    })
}

fn read_unguarded<R: Read + Seek>(name: &str, input: R, lines_wanted: bool) -> Result<UcdWorkbook, Error> {
    let mut book: Xlsx<R> = Xlsx::new(input).map_err(|e| {
        Error::new(
            Location::source(name),
            ProblemKind::Syntax,
            format!("cannot read the file as an .xlsx workbook: {e}"),
        )
    })?;
    let sheets = book.sheet_names();
    let find = |wanted: &str| sheets.iter().find(|s| key(s) == key(wanted)).cloned();
    let known: Vec<Option<String>> = THEME_SHEETS.iter().chain([&LOOKUPS_SHEET]).map(|s| find(s)).collect();
    if known.iter().all(Option::is_none) {
        return Err(Error::new(
            Location::source(name),
            ProblemKind::MissingColumn,
            format!(
                "not a Unit Cost Database workbook: it has none of the sheets {}, {LOOKUPS_SHEET} (its sheets: {})",
                THEME_SHEETS.join(", "),
                sheets.join(", ")
            ),
        ));
    }
    let mut fatal = Vec::new();
    let mut problems = Vec::new();
    let mut lines = Vec::new();
    let mut grid_of = |sheet: &str, fatal: &mut Vec<Problem>| -> Option<Grid> {
        match Grid::read(&mut book, sheet) {
            Ok(grid) => Some(grid),
            Err(message) => {
                fatal.push(Problem::new(
                    Location::source(format!("{name} sheet {sheet:?}")),
                    ProblemKind::Syntax,
                    message,
                ));
                None
            }
        }
    };
    if lines_wanted {
        for (theme, found) in THEME_SHEETS.iter().zip(&known) {
            let Some(sheet) = found else {
                fatal.push(missing_sheet(name, theme, &sheets));
                continue;
            };
            let Some(grid) = grid_of(sheet, &mut fatal) else { continue };
            let source = format!("{name} sheet {sheet:?}");
            match locate_columns(&grid, &source) {
                Ok(cols) => lines.extend(read_theme(&grid, &cols, theme, &source, &mut problems)),
                Err(ps) => fatal.extend(ps),
            }
        }
    }
    let deflator = match &known[THEME_SHEETS.len()] {
        None => {
            fatal.push(missing_sheet(name, LOOKUPS_SHEET, &sheets));
            None
        }
        Some(sheet) => grid_of(sheet, &mut fatal).and_then(|grid| {
            match read_gdp(&grid, &format!("{name} sheet {sheet:?}"), &mut problems) {
                Ok(d) => Some(d),
                Err(ps) => {
                    fatal.extend(ps);
                    None
                }
            }
        }),
    };
    if !fatal.is_empty() {
        return Err(Error::from_problems(fatal, 0));
    }
    let Some(deflator) = deflator else { return Err(Error::from_problems(Vec::new(), 0)) };
    duplicate_codes(&lines, "Cost code", &mut problems);
    Ok(UcdWorkbook { lines, deflator, problems })
}

fn missing_sheet(name: &str, sheet: &str, sheets: &[String]) -> Problem {
    Problem::new(
        Location::source(name),
        ProblemKind::MissingColumn,
        format!("the workbook has no sheet {sheet:?} (its sheets: {})", sheets.join(", ")),
    )
}

/// Reports each code that appears on more than one line (every line is kept).
pub(crate) fn duplicate_codes(lines: &[UcdLine], field: &str, problems: &mut Vec<Problem>) {
    let mut first: std::collections::HashMap<&str, &Location> = std::collections::HashMap::new();
    for l in lines {
        let Some(code) = l.code.as_deref() else { continue };
        if let Some(loc) = first.get(code) {
            problems.push(Problem::new(
                l.location.clone().in_field(field),
                ProblemKind::DuplicateCode,
                format!("the code {code:?} appears more than once (first at {loc})"),
            ));
        } else {
            first.insert(code, &l.location);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }

    /// The two header rows of a v1.4 theme sheet, with `shift` empty columns in front and the
    /// fiscal group moved after the social one.
    fn header(shift: usize) -> Vec<Vec<Cell>> {
        let mut top = vec![Cell::Empty; shift];
        let mut sub = vec![Cell::Empty; shift];
        for (a, b) in [
            (t("Cost code"), Cell::Empty),
            (t("Outcome category"), Cell::Empty),
            (t("Outcome detail"), Cell::Empty),
            (t("Cost / saving\ndetail"), Cell::Empty),
            (t("Unit"), Cell::Empty),
            (t("Agency bearing the cost / making the fiscal saving"), t("Level 1")),
            (Cell::Empty, t("Level 2")),
            (t("Economic value"), t("Estimated cost/saving")),
            (Cell::Empty, t("Year")),
            (Cell::Empty, t("Updated cost/ saving")),
            (t("Social value"), t("Estimated cost/saving")),
            (Cell::Empty, t("Year")),
            (Cell::Empty, t("Updated cost/saving")),
            (t("Fiscal Cost"), t("Estimated cost/saving")),
            (Cell::Empty, t("Year")),
            (Cell::Empty, t("Updated cost/saving")),
            (t("Original source"), Cell::Empty),
            (t("RAG assessment"), Cell::Empty),
            (t("Comment"), Cell::Empty),
        ] {
            top.push(a);
            sub.push(b);
        }
        vec![vec![t("Unit Cost Database")], vec![], top, sub]
    }

    #[test]
    fn columns_are_found_by_header_wherever_they_are() {
        let g = Grid::from_rows(header(2));
        let c = locate_columns(&g, "w.xlsx sheet \"Crime\"").unwrap();
        assert_eq!(c.header_row, 2);
        assert_eq!(c.code.col, 2);
        assert_eq!(c.description.name, "Cost / saving detail");
        assert_eq!(c.agency.iter().map(|c| c.col).collect::<Vec<_>>(), [7, 8]);
        // fiscal is the first value group whatever its position
        assert_eq!(c.values[0].iter().map(|c| c.col).collect::<Vec<_>>(), [15, 16, 17]);
        assert_eq!(c.values[0][1].name, "Fiscal Cost: Year");
        assert_eq!(c.values[1][2].name, "Economic value: Updated cost/ saving");
        assert_eq!(c.values[2][0].col, 12);
    }

    #[test]
    fn a_missing_header_is_named_with_its_sheet() {
        let mut rows = header(0);
        rows[3][8] = t("Price year"); // the economic "Year"
        rows[2][16] = t("Source"); // "Original source"
        let err = locate_columns(&Grid::from_rows(rows), "w.xlsx sheet \"Fire\"").unwrap_err();
        let shown: Vec<String> = err.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "w.xlsx sheet \"Fire\" row 3, field \"Original source\": missing the column \"Original source\" (expected in the header row, row 3)",
                "w.xlsx sheet \"Fire\" row 4, field \"Economic value: Year\": missing the column \"Year\" under \"Economic value\" (expected in row 4)",
            ]
        );
        assert!(err.iter().all(|p| p.kind == ProblemKind::MissingColumn));
    }

    #[test]
    fn a_missing_group_and_a_missing_header_row() {
        let mut rows = header(0);
        rows[2][10] = Cell::Empty; // "Social value"
        let err = locate_columns(&Grid::from_rows(rows), "s").unwrap_err();
        assert_eq!(err.len(), 1);
        assert!(err[0].message.starts_with("missing the column group \"Social value\""), "{}", err[0].message);
        let err = locate_columns(&Grid::from_rows(vec![vec![t("Hello")]]), "w.xlsx sheet \"Crime\"").unwrap_err();
        assert_eq!(
            err[0].to_string(),
            "w.xlsx sheet \"Crime\", field \"Cost code\": no header row: expected a cell \"Cost code\" in the first 30 rows"
        );
    }

    #[test]
    fn values_and_problems_in_rows() {
        let mut rows = header(0);
        let line = |code: &str, fiscal: Cell, year: &str| {
            let mut r = vec![Cell::Empty; 19];
            r[0] = t(code);
            r[1] = t("CRIME");
            r[3] = t("A cost");
            r[4] = t("Per week");
            r[5] = t("Local authority ");
            r[13] = fiscal;
            r[14] = t(year);
            r[17] = t("G");
            r
        };
        rows.push(line("A1", Cell::Number(767.733_333_333_333_3), "2013/14"));
        rows.push(line("A2", t(" £1,234 "), "2013/14"));
        rows.push(line("A3", t("-"), "2013/14"));
        rows.push(line("A4", Cell::Number(5.0), ""));
        rows.push(line("A5", Cell::Other("the error value #N/A".into()), "2013/14"));
        rows.push(vec![]);
        rows.push(line("", Cell::Number(1.0), "2010/11"));
        rows.push(vec![Cell::Empty, t("Do not delete rows")]);
        rows.push(line("Z9", Cell::Number(1.0), "2010/11"));
        let g = Grid::from_rows(rows);
        let cols = locate_columns(&g, "w.xlsx sheet \"Crime\"").unwrap();
        let mut problems = Vec::new();
        let lines = read_theme(&g, &cols, "Crime", "w.xlsx sheet \"Crime\"", &mut problems);
        assert_eq!(lines.len(), 6, "stops at the end marker");
        assert_eq!(lines[0].fiscal.as_ref().unwrap().value.to_string(), "767.7333333333333");
        assert_eq!(lines[0].agency_l1.as_deref(), Some("Local Authority"));
        assert_eq!(lines[0].agency_l1_text.as_deref(), Some("Local authority "));
        assert_eq!(lines[0].unit, Some(crate::catalogue::Unit::Week));
        assert_eq!(lines[1].fiscal.as_ref().unwrap().value.to_string(), "1234");
        assert!(lines[2].fiscal.is_none() && lines[3].fiscal.is_none() && lines[4].fiscal.is_none());
        assert_eq!(lines[5].code, None);
        let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "w.xlsx sheet \"Crime\" row 7, field \"Fiscal Cost: Estimated cost/saving\": expected an amount such as 1234.56 or £1,234, found \"-\"; the value is skipped",
                "w.xlsx sheet \"Crime\" row 8, field \"Fiscal Cost: Year\": the value 5 has no price year; the value is skipped",
                "w.xlsx sheet \"Crime\" row 9, field \"Fiscal Cost: Estimated cost/saving\": expected an amount such as 1234.56 or £1,234, found the error value #N/A; the value is skipped",
                "w.xlsx sheet \"Crime\" row 11, field \"Cost code\": the cost line has no cost code; it is kept without one",
            ]
        );
    }

    #[test]
    fn gdp_table_with_forecasts_and_current_year() {
        let row =
            |f: &str, y: &str, pct: f64, cum: f64| vec![Cell::Empty, t(f), t(y), Cell::Number(pct), Cell::Number(cum)];
        let rows = vec![
            vec![
                t("Current Year"),
                Cell::Empty,
                t("Year"),
                t("% change on previous year"),
                t("GDP cumulative\n(using 1989 as base year)"),
            ],
            row("", "1989/90", 7.79, 100.0),
            vec![t("2015/16"), Cell::Empty, t("1990/91"), Cell::Number(8.27), Cell::Number(108.27)],
            row("f", "1991/92", 5.868, 114.623_283_600_000_01),
            row("f", "1992/93", 2.0, 117.0),
        ];
        let mut problems = Vec::new();
        let d = read_gdp(&Grid::from_rows(rows), "w.xlsx sheet \"Lookups\"", &mut problems).unwrap();
        assert_eq!(d.current_year, Some(PriceYear::Financial(2015)));
        assert_eq!(d.forecasts(), [PriceYear::Financial(1991), PriceYear::Financial(1992)]);
        assert_eq!(d.index.get(PriceYear::Financial(1991)).unwrap().to_string(), "114.62328360000001");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].to_string().starts_with("w.xlsx sheet \"Lookups\" row 5, field \"GDP cumulative (using 1989 as base year)\": for 1992/93: the cumulative index 117 does not follow"));
    }
}
