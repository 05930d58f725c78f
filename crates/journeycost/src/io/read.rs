//! Readers for the CSV formats: catalogue, deflators, events and persons.
//!
//! Every reader takes a display name (used in messages) and any `Read`, checks the header,
//! parses every row, and collects every problem (up to the per-file cap) before failing.

use std::io::Read;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::catalogue::{Amount, Catalogue, UnitCost};
use crate::error::{Error, Location, Problem, ProblemKind, Problems};
use crate::io::lines::LineCounter;
use crate::journey::{Event, EventParts, Journeys, Persons, check_amount, check_magnitude};
use crate::period::parse_date;
use crate::prices::{PriceIndex, PriceYear};

/// The most decimal places accepted in a price index value.
pub const MAX_INDEX_DECIMALS: u32 = 10;

/// A CSV source being read: its name, header positions, and the problems found so far.
struct Sheet<R: Read> {
    name: String,
    reader: csv::Reader<LineCounter<R>>,
    columns: Vec<String>,
    problems: Problems,
}

impl<R: Read> Sheet<R> {
    /// Opens a CSV source and reads its header; `required` columns must be present.
    fn open(name: &str, input: R, required: &[&str]) -> Result<Sheet<R>, Error> {
        let mut reader =
            csv::ReaderBuilder::new().has_headers(false).flexible(false).from_reader(LineCounter::new(input));
        let loc = || Location::source(name);
        let mut header = csv::ByteRecord::new();
        match reader.read_byte_record(&mut header) {
            Ok(true) => {}
            Ok(false) => return Err(Error::new(loc(), ProblemKind::Empty, "the file is empty: expected a header row")),
            Err(e) => return Err(Error::from_problems(vec![csv_problem(name, &e, reader.get_mut())], 0)),
        }
        // The header's own line: blank lines before it are skipped by the reader.
        let header_line = line_of(reader.get_mut(), header.position()).max(1);
        std::str::from_utf8(header.as_slice()).map_err(|_| {
            Error::new(
                loc().at_line(header_line),
                ProblemKind::Encoding,
                "expected UTF-8 text in the header, found bytes that are not UTF-8",
            )
        })?;
        let mut columns: Vec<String> = header.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect();
        if let Some(first) = columns.first_mut() {
            if let Some(stripped) = first.strip_prefix('\u{feff}') {
                *first = stripped.to_owned();
            }
        }
        let mut problems = Problems::default();
        for (i, c) in columns.iter().enumerate() {
            if columns[..i].contains(c) {
                problems.push(Problem::new(
                    loc().at_line(header_line).in_field(c.clone()),
                    ProblemKind::DuplicateColumn,
                    format!("column {c:?} appears more than once"),
                ));
            }
        }
        for r in required {
            if !columns.iter().any(|c| c == r) {
                problems.push(Problem::new(
                    loc().at_line(header_line),
                    ProblemKind::MissingColumn,
                    format!("missing required column {r:?} (the header has: {})", columns.join(", ")),
                ));
            }
        }
        if let Some(e) = problems.into_error() {
            return Err(e);
        }
        Ok(Sheet { name: name.to_owned(), reader, columns, problems: Problems::default() })
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// Reads every row, handing valid UTF-8 rows to `each` with their line; counts rows.
    /// Each record is checked for UTF-8 once, as a whole, and its fields are then read as text
    /// without another check.
    fn rows(&mut self, mut each: impl FnMut(&mut Problems, &Row<'_>)) -> u64 {
        let mut record = csv::StringRecord::new();
        let mut count = 0;
        loop {
            match self.reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    count += 1;
                    let line = line_of(self.reader.get_mut(), record.position());
                    let row = Row { name: &self.name, line, record: &record };
                    each(&mut self.problems, &row);
                }
                Err(e) if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) => {
                    count += 1;
                    let csv::ErrorKind::Utf8 { pos, err } = e.kind() else { continue };
                    let line = line_of(self.reader.get_mut(), pos.as_ref());
                    let mut loc = Location::source(self.name.clone()).at_line(line);
                    if let Some(f) = self.columns.get(err.field()) {
                        loc = loc.in_field(f.clone());
                    }
                    self.problems.push(Problem::new(
                        loc,
                        ProblemKind::Encoding,
                        "expected UTF-8 text, found bytes that are not UTF-8",
                    ));
                }
                Err(e) => {
                    if let csv::ErrorKind::UnequalLengths { pos, expected_len, len } = e.kind() {
                        count += 1;
                        let line = line_of(self.reader.get_mut(), pos.as_ref());
                        self.problems.push(Problem::new(
                            Location::source(self.name.clone()).at_line(line),
                            ProblemKind::Syntax,
                            format!("expected {expected_len} fields like the header, found {len}"),
                        ));
                        continue;
                    }
                    let problem = csv_problem(&self.name, &e, self.reader.get_mut());
                    self.problems.push(problem);
                    return count;
                }
            }
        }
        count
    }
}

/// One row being read.
struct Row<'a> {
    name: &'a str,
    line: u64,
    record: &'a csv::StringRecord,
}

impl<'a> Row<'a> {
    /// The field at column `i` (a valid UTF-8 row), or "" when the column is absent.
    fn get(&self, i: Option<usize>) -> &'a str {
        i.and_then(|i| self.record.get(i)).unwrap_or("")
    }

    fn loc(&self, field: &str) -> Location {
        Location::source(self.name).at_line(self.line).in_field(field)
    }

    fn problem(&self, field: &str, kind: ProblemKind, message: impl Into<String>) -> Problem {
        Problem::new(self.loc(field), kind, message)
    }

    /// A required, non-empty field.
    fn required(&self, problems: &mut Problems, i: Option<usize>, field: &str) -> Option<&'a str> {
        let v = self.get(i);
        if v.is_empty() {
            problems.push(self.problem(field, ProblemKind::MissingValue, "expected a value, found an empty field"));
            None
        } else {
            Some(v)
        }
    }

    /// An optional field parsed with `parse`; `Ok(None)` when empty.
    fn optional<T>(
        &self,
        problems: &mut Problems,
        i: Option<usize>,
        field: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, ()> {
        let v = self.get(i);
        if v.is_empty() {
            return Ok(None);
        }
        parse(v).map(Some).map_err(|m| problems.push(self.problem(field, ProblemKind::InvalidValue, m)))
    }

    /// An optional amount given by a value column and its price-year column, both or neither.
    /// `Err(())` when a problem was reported.
    fn amount(
        &self,
        problems: &mut Problems,
        value: (Option<usize>, &str),
        year: (Option<usize>, &str),
    ) -> Result<Option<Amount>, ()> {
        let v = self.optional(problems, value.0, value.1, money)?;
        let y = self.optional(problems, year.0, year.1, price_year)?;
        let (field, message) = match (v, y) {
            (Some(amount), Some(price_year)) => return Ok(Some(Amount { amount, price_year })),
            (None, None) => return Ok(None),
            (Some(_), None) => (year.1, format!("{} is given, so its price year is needed", value.1)),
            (None, Some(_)) => (value.1, format!("{} is given, so the value is needed", year.1)),
        };
        problems.push(self.problem(field, ProblemKind::MissingValue, message));
        Err(())
    }

    /// A required field parsed with `parse`.
    fn parsed<T>(
        &self,
        problems: &mut Problems,
        i: Option<usize>,
        field: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        let v = self.required(problems, i, field)?;
        parse(v).map_err(|m| problems.push(self.problem(field, ProblemKind::InvalidValue, m))).ok()
    }
}

/// The line of a record's (or an error's) position, counted at every kind of line end.
pub(crate) fn line_of<R: Read>(counter: &mut LineCounter<R>, position: Option<&csv::Position>) -> u64 {
    position.map_or(0, |p| counter.line_at(p.byte()))
}

fn csv_problem<R: Read>(name: &str, e: &csv::Error, counter: &mut LineCounter<R>) -> Problem {
    let mut loc = Location::source(name);
    if let Some(p) = e.position() {
        loc = loc.at_line(counter.line_at(p.byte()));
    }
    let kind = if e.is_io_error() { ProblemKind::Io } else { ProblemKind::Syntax };
    Problem::new(loc, kind, format!("cannot read the file: {e}"))
}

/// Checks a price index value as `deflators.csv` takes it: at most [`MAX_INDEX_DECIMALS`]
/// decimal places, above zero, and within the input bound. (`prices import` checks what it
/// writes with it, so that its file always reads.)
pub(crate) fn check_index(d: Decimal) -> Result<(), String> {
    if d.normalize().scale() > MAX_INDEX_DECIMALS {
        return Err(format!("expected at most {MAX_INDEX_DECIMALS} decimal places, found {d}"));
    }
    if d <= Decimal::ZERO {
        return Err(format!("expected an index greater than zero, found {d}"));
    }
    check_magnitude(d)
}

/// Parses a plain decimal: an optional minus sign, digits, and an optional point followed by
/// digits (`12`, `-0.5`, `1234.5678`). Thousands separators, currency signs, exponents, spaces
/// and a leading plus are refused rather than guessed at.
///
/// # Errors
/// A message saying what was expected and what was found.
pub fn parse_decimal(s: &str) -> Result<Decimal, String> {
    let body = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let ok = digits(int) && (frac.is_empty() && !body.ends_with('.') || digits(frac));
    if !ok {
        return Err(format!("expected a decimal number such as 1234.56, found {s:?}"));
    }
    Decimal::from_str_exact(s).map_err(|_| format!("the number {s:?} is too large or has too many decimals"))
}

fn amount(s: &str) -> Result<Decimal, String> {
    let d = parse_decimal(s)?;
    check_amount(d)?;
    Ok(d)
}

fn money(s: &str) -> Result<Decimal, String> {
    let d = parse_decimal(s)?;
    check_magnitude(d)?;
    Ok(d)
}

fn non_negative(s: &str) -> Result<Decimal, String> {
    let d = amount(s)?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(format!("expected a quantity of 0 or more, found {s}"));
    }
    Ok(d)
}

fn probability(s: &str) -> Result<Decimal, String> {
    let d = amount(s)?;
    if d < Decimal::ZERO || d > Decimal::ONE {
        return Err(format!("expected a probability from 0 to 1, found {s}"));
    }
    Ok(d)
}

fn price_year(s: &str) -> Result<PriceYear, String> {
    PriceYear::from_str(s).map_err(|e| e.to_string())
}

fn date(s: &str) -> Result<chrono::NaiveDate, String> {
    let d = parse_date(s).ok_or_else(|| format!("expected a date YYYY-MM-DD, found {s:?}"))?;
    if crate::period::is_supported(d) { Ok(d) } else { Err(crate::period::unsupported_date(s)) }
}

fn boolean(s: &str) -> Result<bool, String> {
    match s {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("expected true or false, found {s:?}")),
    }
}

fn finish<T>(sheet: Sheet<impl Read>, rows: u64, value: T, what: &str) -> Result<T, Error> {
    if rows == 0 && sheet.problems.is_empty() {
        return Err(Error::new(
            Location::source(sheet.name),
            ProblemKind::Empty,
            format!("the file has a header but no {what}"),
        ));
    }
    sheet.problems.into_result(value)
}

/// A catalogue as read from a file, with the line of each entry (for later messages).
#[derive(Debug, Clone)]
pub struct CatalogueFile {
    /// The catalogue.
    pub catalogue: Catalogue,
    /// The 1-based line of each entry, in catalogue order.
    pub lines: Vec<u64>,
    /// The file's display name.
    pub name: String,
}

/// Reads `catalogue.csv`.
///
/// # Errors
/// Every problem in the file: missing columns, empty or malformed fields, duplicate codes.
///
/// # Example
/// ```
/// use journeycost::io::read_catalogue;
///
/// let csv = "code,agency,unit_cost,price_year,unit\nCALL,Police,341.27,2016,event\n";
/// let file = read_catalogue("catalogue.csv", csv.as_bytes()).unwrap();
/// assert_eq!(file.catalogue.get("CALL").unwrap().agency, "Police");
///
/// let bad = "code,agency,unit_cost,price_year\nCALL,Police,£341,2016\n";
/// let err = read_catalogue("catalogue.csv", bad.as_bytes()).unwrap_err();
/// assert_eq!(err.to_string(), "catalogue.csv line 2, field \"unit_cost\": expected a decimal number such as 1234.56, found \"£341\"");
/// ```
pub fn read_catalogue(name: &str, input: impl Read) -> Result<CatalogueFile, Error> {
    let mut sheet = Sheet::open(name, input, &["code", "agency", "unit_cost", "price_year"])?;
    let c = |n: &str| sheet.column(n);
    let (code, agency, cost, year) = (c("code"), c("agency"), c("unit_cost"), c("price_year"));
    let (unit, desc, detail, source, conf, tier, demand, cashable) = (
        c("unit"),
        c("description"),
        c("agency_detail"),
        c("source"),
        c("confidence"),
        c("tier"),
        c("demand"),
        c("cashable"),
    );
    let (econ, econ_year, social, social_year) =
        (c("economic_value"), c("economic_price_year"), c("social_value"), c("social_price_year"));
    let theme = c("theme");
    let mut entries = Vec::new();
    let mut lines = Vec::new();
    let mut first_line: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let rows = sheet.rows(|problems, row| {
        let before = problems.len();
        let code_v = row.required(problems, code, "code");
        let agency_v = row.required(problems, agency, "agency");
        let cost_v = row.parsed(problems, cost, "unit_cost", money);
        let year_v = row.parsed(problems, year, "price_year", price_year);
        let unit_v = row.optional(problems, unit, "unit", str::parse);
        let conf_v = row.optional(problems, conf, "confidence", str::parse);
        let tier_v = row.optional(problems, tier, "tier", str::parse);
        let demand_v = row.optional(problems, demand, "demand", str::parse);
        let cash_v = row.optional(problems, cashable, "cashable", boolean);
        let econ_v = row.amount(problems, (econ, "economic_value"), (econ_year, "economic_price_year"));
        let social_v = row.amount(problems, (social, "social_value"), (social_year, "social_price_year"));
        if let Some(code_s) = code_v {
            if let Some(first) = first_line.get(code_s) {
                problems.push(row.problem(
                    "code",
                    ProblemKind::DuplicateCode,
                    format!("code {code_s:?} appears more than once (first on line {first})"),
                ));
            } else {
                first_line.insert(code_s.to_owned(), row.line);
            }
        }
        if problems.len() != before {
            return;
        }
        let (
            Some(code_s),
            Some(agency_s),
            Some(cost_d),
            Some(year_p),
            Ok(unit_o),
            Ok(conf_o),
            Ok(tier_o),
            Ok(demand_o),
            Ok(cash_o),
        ) = (code_v, agency_v, cost_v, year_v, unit_v, conf_v, tier_v, demand_v, cash_v)
        else {
            return;
        };
        let text = |i: Option<usize>| Some(row.get(i)).filter(|s| !s.is_empty()).map(str::to_owned);
        let mut u = UnitCost::new(code_s, agency_s, cost_d, year_p);
        u.unit = unit_o.unwrap_or_default();
        u.description = text(desc);
        u.agency_detail = text(detail);
        u.source = text(source);
        u.confidence = conf_o;
        u.tier = tier_o;
        u.demand = demand_o;
        u.cashable = cash_o;
        u.economic = econ_v.ok().flatten();
        u.social = social_v.ok().flatten();
        u.theme = text(theme);
        entries.push(u);
        lines.push(row.line);
    });
    let catalogue = if sheet.problems.is_empty() { Catalogue::new(entries)? } else { Catalogue::default() };
    finish(sheet, rows, CatalogueFile { catalogue, lines, name: name.to_owned() }, "unit costs")
}

/// Reads `deflators.csv`: `year,index`, or `year,change_percent` (the percentage change on the
/// previous year, from which the index is built cumulatively from 100 at the first year,
/// exactly: see [`PriceIndex::from_changes`]).
///
/// # Errors
/// Every problem in the file: malformed years, values that are not positive, duplicate years.
///
/// # Example
/// ```
/// use journeycost::io::read_deflators;
/// use journeycost::prices::PriceYear;
///
/// let index = read_deflators("deflators.csv", "year,index\n2023/24,98.5\n2024/25,100\n".as_bytes()).unwrap();
/// assert_eq!(index.latest(), Some(PriceYear::Financial(2024)));
/// ```
pub fn read_deflators(name: &str, input: impl Read) -> Result<PriceIndex, Error> {
    let mut sheet = Sheet::open(name, input, &["year"])?;
    let (year, value, change) = (sheet.column("year"), sheet.column("index"), sheet.column("change_percent"));
    let forecast = sheet.column("forecast");
    let mut forecasts: Vec<(PriceYear, u64)> = Vec::new();
    if value.is_some() == change.is_some() {
        let m = if value.is_some() {
            "give index or change_percent, not both"
        } else {
            "missing required column \"index\" (or \"change_percent\")"
        };
        return Err(Error::new(Location::source(name).at_line(1), ProblemKind::MissingColumn, m));
    }
    let mut index = PriceIndex::new();
    let mut changes: Vec<(PriceYear, Option<Decimal>, u64)> = Vec::new();
    let rows = sheet.rows(|problems, row| {
        let y = row.parsed(problems, year, "year", price_year);
        let f = row.optional(problems, forecast, "forecast", |s| match s {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(format!("expected true or false, found {other:?}")),
        });
        if let (Some(y), Ok(Some(true))) = (y, f) {
            forecasts.push((y, row.line));
        }
        if change.is_some() {
            let c = row.optional(problems, change, "change_percent", |s| {
                let d = parse_decimal(s)?;
                if d <= -Decimal::ONE_HUNDRED {
                    return Err(format!("expected a change above -100 percent, found {s}"));
                }
                Ok(d)
            });
            if let (Some(y), Ok(c)) = (y, c) {
                changes.push((y, c, row.line));
            }
            return;
        }
        let v = row.parsed(problems, value, "index", |s| {
            let d = parse_decimal(s)?;
            check_index(d)?;
            Ok(d)
        });
        if let (Some(y), Some(v)) = (y, v) {
            if let Err(e) = index.insert(y, v) {
                problems.push(row.problem("year", ProblemKind::InvalidValue, e.to_string()));
            }
        }
    });
    if change.is_some() && sheet.problems.is_empty() && !changes.is_empty() {
        // Chronological order; 100 at the first year; every later year needs its change.
        changes.sort_by_key(|c| c.0);
        let first = changes[0].0;
        // The base year's change has nothing to apply to: empty, or 0 as a spreadsheet has it.
        if let (Some(c), line) = (changes[0].1, changes[0].2) {
            if !c.is_zero() {
                sheet.problems.push(Problem::new(
                    Location::source(name).at_line(line).in_field("change_percent"),
                    ProblemKind::InvalidValue,
                    format!("{first} is the first year, the base of 100: its change must be empty or 0, found {c}"),
                ));
            }
        }
        let mut steps = Vec::with_capacity(changes.len());
        for (y, c, line) in &changes[1..] {
            match c {
                Some(c) => steps.push((*y, *c)),
                None => sheet.problems.push(Problem::new(
                    Location::source(name).at_line(*line).in_field("change_percent"),
                    ProblemKind::MissingValue,
                    format!("{y} needs its percentage change on the year before (only the first year, {first}, may leave it empty)"),
                )),
            }
        }
        if sheet.problems.is_empty() {
            match PriceIndex::from_changes(first, &steps) {
                Ok(built) => index = built,
                Err(e) => {
                    return Err(Error::new(
                        Location::source(name).in_field("year"),
                        ProblemKind::InvalidValue,
                        e.to_string(),
                    ));
                }
            }
        }
    }
    for (y, line) in forecasts {
        if let Err(e) = index.mark_forecast(y) {
            if sheet.problems.is_empty() {
                sheet.problems.push(Problem::new(
                    Location::source(name).at_line(line).in_field("forecast"),
                    ProblemKind::InvalidValue,
                    e.to_string(),
                ));
            }
        }
    }
    finish(sheet, rows, index, "years")
}

/// Reads `events.csv`. With a catalogue, also checks that every code exists and that spells
/// use time-rate units, so those problems are reported with their line.
///
/// # Errors
/// Every problem in the file (at most [`MAX_PROBLEMS_PER_FILE`](crate::error::MAX_PROBLEMS_PER_FILE) listed).
///
/// # Example
/// ```
/// use journeycost::io::read_events;
///
/// let csv = "person_id,pathway,date,code\nANNA,old,2024-02-30,CALL\nANNA,old,2024-03-01,\n";
/// let err = read_events("events.csv", csv.as_bytes(), None).unwrap_err();
/// assert_eq!(err.problems().len(), 2);
/// assert_eq!(err.problems()[0].to_string(), "events.csv line 2, field \"date\": expected a date YYYY-MM-DD, found \"2024-02-30\"");
/// ```
pub fn read_events(name: &str, input: impl Read, catalogue: Option<&Catalogue>) -> Result<Journeys, Error> {
    let mut journeys = Journeys::new();
    visit_events(name, input, catalogue, |e, _| journeys.push_parts(e))?;
    Ok(journeys)
}

/// Reads `events.csv` with every check of [`read_events`], handing each valid row to `visit`
/// as it is read instead of storing it: the streaming path of `journeycost cost`. With a
/// catalogue, `visit` also gets the row's catalogue position (looked up once). Once a
/// problem is found, no further rows are handed over (they are still checked).
///
/// # Errors
/// As [`read_events`].
pub(crate) fn visit_events(
    name: &str,
    input: impl Read,
    catalogue: Option<&Catalogue>,
    mut visit: impl FnMut(&EventParts<'_>, Option<usize>),
) -> Result<(), Error> {
    let mut sheet = Sheet::open(name, input, &EventColumns::REQUIRED)?;
    let columns = EventColumns::of(&sheet.columns);
    let rows = sheet.rows(|problems, row| {
        if let Some((parts, entry)) = columns.check(problems, row, catalogue) {
            if problems.is_empty() {
                visit(&parts, entry);
            }
        }
    });
    finish(sheet, rows, (), "events")
}

/// The positions of the columns of `events.csv` in a header.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EventColumns {
    pub(crate) person: Option<usize>,
    pub(crate) pathway: Option<usize>,
    pub(crate) date: Option<usize>,
    pub(crate) code: Option<usize>,
    pub(crate) quantity: Option<usize>,
    pub(crate) end: Option<usize>,
    pub(crate) cost: Option<usize>,
    pub(crate) demand: Option<usize>,
    pub(crate) probability: Option<usize>,
    pub(crate) note: Option<usize>,
    /// How many columns the header has (every row must have as many fields).
    pub(crate) count: usize,
}

impl EventColumns {
    const REQUIRED: [&'static str; 4] = ["person_id", "pathway", "date", "code"];

    fn of(columns: &[String]) -> EventColumns {
        let c = |n: &str| columns.iter().position(|c| c == n);
        EventColumns {
            person: c("person_id"),
            pathway: c("pathway"),
            date: c("date"),
            code: c("code"),
            quantity: c("quantity"),
            end: c("end_date"),
            cost: c("cost"),
            demand: c("demand"),
            probability: c("probability"),
            note: c("note"),
            count: columns.len(),
        }
    }

    /// Reads the header of `events.csv` (with every check [`read_events`] makes of it).
    pub(crate) fn from_header(name: &str, header: &[u8]) -> Result<EventColumns, Error> {
        Sheet::open(name, header, &EventColumns::REQUIRED).map(|sheet| EventColumns::of(&sheet.columns))
    }

    /// Checks one row against every rule of `events.csv`, pushing each problem found: the
    /// row's parts and catalogue position when it has none.
    fn check<'r>(
        &self,
        problems: &mut Problems,
        row: &Row<'r>,
        catalogue: Option<&Catalogue>,
    ) -> Option<(EventParts<'r>, Option<usize>)> {
        let before = problems.len();
        let person_v = row.required(problems, self.person, "person_id");
        let pathway_v = row.required(problems, self.pathway, "pathway");
        let date_v = row.parsed(problems, self.date, "date", date);
        let code_v = row.required(problems, self.code, "code");
        let qty_v = row.optional(problems, self.quantity, "quantity", non_negative);
        let end_v = row.optional(problems, self.end, "end_date", date);
        let cost_v = row.optional(problems, self.cost, "cost", money);
        let demand_v = row.optional(problems, self.demand, "demand", str::parse);
        let prob_v = row.optional(problems, self.probability, "probability", probability);
        if let (Some(start), Ok(Some(end))) = (date_v, &end_v) {
            if *end < start {
                problems.push(row.problem(
                    "end_date",
                    ProblemKind::InvalidValue,
                    format!("end date {end} is before the start date {start}"),
                ));
            }
        }
        let mut entry = None;
        if let (Some(cat), Some(code_s)) = (catalogue, code_v) {
            match catalogue_entry(cat, code_s, matches!(end_v, Ok(Some(_)))) {
                Ok(i) => entry = Some(i),
                Err((field, kind, message)) => problems.push(row.problem(field, kind, message)),
            }
        }
        if problems.len() != before {
            return None;
        }
        let (Some(p), Some(pw), Some(d), Some(cd), Ok(q), Ok(e), Ok(co), Ok(de), Ok(pr)) =
            (person_v, pathway_v, date_v, code_v, qty_v, end_v, cost_v, demand_v, prob_v)
        else {
            return None;
        };
        let parts = EventParts {
            person: p,
            pathway: pw,
            code: cd,
            date: d,
            end: e,
            quantity: q.unwrap_or(Decimal::ONE),
            cost: co,
            demand: de,
            probability: pr,
            note: Some(row.get(self.note)).filter(|s| !s.is_empty()),
        };
        Some((parts, entry))
    }

    /// Checks one row given as a record already split into fields (the fast reader's way
    /// back to the full rules, for a row it does not read itself): its parts and catalogue
    /// position, or `None` after pushing its problems.
    pub(crate) fn check_record<'r>(
        &self,
        problems: &mut Problems,
        name: &'r str,
        line: u64,
        record: &'r csv::StringRecord,
        catalogue: Option<&Catalogue>,
    ) -> Option<(EventParts<'r>, Option<usize>)> {
        self.check(problems, &Row { name, line, record }, catalogue)
    }
}

/// The catalogue's rules for one event: its code exists, and a spell is priced per day, week or
/// year. Shared by every reader of events (CSV and Arrow).
#[cfg(feature = "arrow")]
pub(crate) fn catalogue_problem(
    catalogue: &Catalogue,
    code: &str,
    spell: bool,
) -> Option<(&'static str, ProblemKind, String)> {
    catalogue_entry(catalogue, code, spell).err()
}

/// The catalogue position of an event's code, or the catalogue's problem with the event.
fn catalogue_entry(
    catalogue: &Catalogue,
    code: &str,
    spell: bool,
) -> Result<usize, (&'static str, ProblemKind, String)> {
    let Some(i) = catalogue.position(code) else {
        return Err(("code", ProblemKind::UnknownCode, format!("code {code:?} is not in the catalogue")));
    };
    let u = &catalogue.entries()[i];
    if spell && u.unit.spell_days().is_none() {
        return Err((
            "end_date",
            ProblemKind::SpellUnit,
            format!("code {code:?} is priced per {}, not per day, week or year, so it cannot be a spell", u.unit),
        ));
    }
    Ok(i)
}

/// Reads `persons.csv`: `person_id` plus any attribute columns.
///
/// # Errors
/// Every problem in the file, including a person listed twice.
pub fn read_persons(name: &str, input: impl Read) -> Result<Persons, Error> {
    let mut sheet = Sheet::open(name, input, &["person_id"])?;
    let id = sheet.column("person_id");
    let attrs: Vec<(usize, String)> =
        sheet.columns.iter().enumerate().filter(|(_, c)| *c != "person_id").map(|(i, c)| (i, c.clone())).collect();
    let mut persons = Persons::new(attrs.iter().map(|a| a.1.clone()).collect());
    sheet.rows(|problems, row| {
        let Some(p) = row.required(problems, id, "person_id") else { return };
        let values = attrs.iter().map(|(i, _)| row.get(Some(*i)).to_owned()).collect();
        if let Err(m) = persons.insert(p, values) {
            problems.push(row.problem("person_id", ProblemKind::DuplicatePerson, m));
        }
    });
    sheet.problems.into_result(persons)
}

/// Builds journeys from events made in code, checking each (used by the API and tests).
///
/// # Errors
/// Every event that breaks its own rules, located by its 1-based position.
pub fn journeys_from_events(events: impl IntoIterator<Item = Event>) -> Result<Journeys, Error> {
    let mut j = Journeys::new();
    let mut problems = Problems::default();
    for (i, e) in events.into_iter().enumerate() {
        if let Err(fe) = j.push(e) {
            problems.push(Problem::new(
                Location::source("events").at_line(i as u64 + 1).in_field(fe.field),
                ProblemKind::InvalidValue,
                fe.message,
            ));
        }
    }
    problems.into_result(j)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_decimals() {
        for ok in ["0", "12", "-0.5", "1234.5678", "007"] {
            assert!(parse_decimal(ok).is_ok(), "{ok}");
        }
        for bad in ["", "-", ".5", "5.", "1,234", "£5", "1e3", "+1", " 1", "1_000", "1.2.3", "NaN"] {
            assert!(parse_decimal(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn bom_and_crlf_are_accepted() {
        let csv = "\u{feff}code,agency,unit_cost,price_year\r\nA,\"Housing, Ltd\",1.50,2019/20\r\n";
        let f = read_catalogue("c.csv", csv.as_bytes()).unwrap();
        assert_eq!(f.catalogue.get("A").unwrap().agency, "Housing, Ltd");
    }

    #[test]
    fn every_row_problem_is_reported() {
        let csv = "person_id,pathway,date,code,quantity,probability,end_date\n\
                   P,old,2024-01-01,X,-1,,\n\
                   P,old,2024-01-01,X,1,1.5,\n\
                   P,old,2024-01-05,X,1,,2024-01-01\n\
                   P,old,01/01/2024,X,abc,,\n";
        let err = read_events("events.csv", csv.as_bytes(), None).unwrap_err();
        let fields: Vec<&str> = err.problems().iter().map(|p| p.location.field.as_deref().unwrap()).collect();
        assert_eq!(fields, ["quantity", "probability", "end_date", "date", "quantity"]);
        assert_eq!(err.problems()[0].location.line, Some(2));
    }

    #[test]
    fn missing_columns_and_empty_files() {
        let err = read_events("e.csv", "person_id,date\n".as_bytes(), None).unwrap_err();
        assert_eq!(err.problems().len(), 2);
        assert_eq!(err.kind(), ProblemKind::MissingColumn);
        assert_eq!(read_deflators("d.csv", "".as_bytes()).unwrap_err().kind(), ProblemKind::Empty);
        assert_eq!(read_deflators("d.csv", "year,index\n".as_bytes()).unwrap_err().kind(), ProblemKind::Empty);
    }

    #[test]
    fn non_utf8_is_named() {
        let mut bytes = b"year,index\n2020,1\n2021,".to_vec();
        bytes.extend([0xff, 0xfe]);
        bytes.push(b'\n');
        let err = read_deflators("d.csv", bytes.as_slice()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "d.csv line 3, field \"index\": expected UTF-8 text, found bytes that are not UTF-8"
        );
    }

    #[test]
    fn the_base_year_of_a_change_percent_file_may_have_a_zero_change() {
        // #13: 0 is what a spreadsheet user writes for the base year; it means the same as empty.
        let empty = read_deflators("d.csv", "year,change_percent\n2002/03,\n2003/04,2.5\n".as_bytes()).unwrap();
        for zero in ["0", "0.0", "0.00", "-0"] {
            let csv = format!("year,change_percent\n2003/04,2.5\n2002/03,{zero}\n");
            assert_eq!(read_deflators("d.csv", csv.as_bytes()).unwrap(), empty, "{zero}");
        }
        let err = read_deflators("d.csv", "year,change_percent\n2002/03,1.5\n2003/04,2.5\n".as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "d.csv line 2, field \"change_percent\": 2002/03 is the first year, the base of 100: its change must be empty or 0, found 1.5"
        );
    }

    #[test]
    fn ragged_rows_are_reported_and_reading_goes_on() {
        let csv = "year,index\n2020,1,9\n2021,x\n";
        let err = read_deflators("d.csv", csv.as_bytes()).unwrap_err();
        assert_eq!(err.problems().len(), 2, "{err}");
    }
}
