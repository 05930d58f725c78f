//! Reading the 2014 CSV export of the database: one file per theme, no header, 14 columns.

use std::io::Read;

use super::text::{map_unit, normalise_agency, parse_money_text};
use super::workbook::{THEME_SHEETS, confidence};
use super::{UcdImport, UcdLine, UcdValue};
use crate::error::{Error, Location, Problem, ProblemKind};
use crate::prices::PriceYear;

/// The names this importer gives the 14 columns of the 2014 export, in order (the files have no
/// header row; the names are used in messages).
pub const CSV_2014_COLUMNS: [&str; 14] = [
    "outcome_category",
    "outcome_detail",
    "code",
    "description",
    "agency_level_1",
    "agency_level_2",
    "unit",
    "cost",
    "price_year",
    "uprated_cost",
    "source",
    "rag",
    "comment",
    "url",
];

/// The attribution of the 2014 CSV export: the database as it stood in 2014, before v1.4.
pub const EXPORT_2014_ATTRIBUTION: &str =
    "Unit Cost Database, 2014 CSV export (values uprated to 2013/14), New Economy / GMCA, CC BY 4.0";

/// The price year of the 2014 export's uprated column (its README: 2013/14 prices).
pub const CSV_2014_UPRATED_YEAR: PriceYear = PriceYear::Financial(2013);

/// The level-1 agency with which the 2014 export marks a value that is not fiscal (an earnings
/// gain, a trainee's product): v1.4 moved exactly these values to its economic column.
pub const NON_FISCAL_AGENCY: &str = "Society / Economic";

/// See [`super::read_csv_2014`].
pub(crate) fn read(name: &str, input: impl Read) -> Result<UcdImport, Error> {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(crate::io::LineCounter::new(input));
    let mut problems = Vec::new();
    let mut lines = Vec::new();
    let mut record = csv::ByteRecord::new();
    let mut rows = 0u64;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let loc = e.position().map_or_else(
                    || Location::source(name),
                    |p| Location::source(name).at_line(reader.get_mut().line_at(p.byte())),
                );
                let kind = if e.is_io_error() { ProblemKind::Io } else { ProblemKind::Syntax };
                return Err(Error::new(loc, kind, format!("cannot read the file: {e}")));
            }
        }
        rows += 1;
        let line_no = crate::io::line_of(reader.get_mut(), record.position());
        let loc = Location::source(name).at_line(line_no);
        let Ok(fields) = record.iter().map(std::str::from_utf8).collect::<Result<Vec<&str>, _>>() else {
            let col = record.iter().position(|f| std::str::from_utf8(f).is_err()).unwrap_or(0);
            let field = CSV_2014_COLUMNS.get(col).copied().unwrap_or("");
            problems.push(Problem::new(
                loc.in_field(field),
                ProblemKind::Encoding,
                "expected UTF-8 text, found bytes that are not UTF-8",
            ));
            continue;
        };
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if fields.len() != CSV_2014_COLUMNS.len() {
            problems.push(Problem::new(
                loc,
                ProblemKind::Syntax,
                format!("expected {} fields, found {}; the line is skipped", CSV_2014_COLUMNS.len(), fields.len()),
            ));
            continue;
        }
        lines.push(line(&fields, loc, &mut problems));
    }
    if rows == 0 {
        return Err(Error::new(Location::source(name), ProblemKind::Empty, "the file is empty: expected cost lines"));
    }
    // A code used by several lines (the export has 19 such) is kept on each line; the catalogue
    // tells them apart (`catalogue_csv`).
    let attribution = EXPORT_2014_ATTRIBUTION.to_owned();
    Ok(UcdImport { lines, problems, updated_year: Some(CSV_2014_UPRATED_YEAR), attribution })
}

fn line(f: &[&str], loc: Location, problems: &mut Vec<Problem>) -> UcdLine {
    let text = |i: usize| Some(f[i]).filter(|s| !s.trim().is_empty()).map(str::to_owned);
    let field = |i: usize| loc.clone().in_field(CSV_2014_COLUMNS[i]);
    let code = text(2).map(|c| c.trim().to_owned());
    if code.is_none() {
        problems.push(Problem::new(
            field(2),
            ProblemKind::MissingValue,
            "the cost line has no code; it is kept without one",
        ));
    }
    let value = match (parse_money_text(f[7]), f[8].trim().parse::<PriceYear>()) {
        _ if f[7].trim().is_empty() => None,
        (Err(m), _) => {
            problems.push(Problem::new(field(7), ProblemKind::InvalidValue, format!("{m}; the value is skipped")));
            None
        }
        (Ok(v), Err(e)) => {
            let kind = if f[8].trim().is_empty() { ProblemKind::MissingValue } else { ProblemKind::InvalidValue };
            problems.push(Problem::new(field(8), kind, format!("{e}; the value {v} is skipped")));
            None
        }
        (Ok(value), Ok(price_year)) => {
            let updated = if f[9].trim().is_empty() {
                None
            } else {
                parse_money_text(f[9])
                    .map_err(|m| problems.push(Problem::new(field(9), ProblemKind::InvalidValue, m)))
                    .ok()
            };
            Some(UcdValue { value, price_year, updated })
        }
    };
    let rag = text(11).and_then(|t| {
        confidence(&t).or_else(|| {
            problems.push(Problem::new(
                field(11),
                ProblemKind::InvalidValue,
                format!("expected a RAG rating R, A or G, found {t:?}"),
            ));
            None
        })
    });
    let non_fiscal = normalise_agency(f[4]).is_some_and(|a| a.eq_ignore_ascii_case(NON_FISCAL_AGENCY));
    let (fiscal, economic) = if non_fiscal { (None, value) } else { (value, None) };
    let theme = THEME_SHEETS
        .iter()
        .find(|t| t.eq_ignore_ascii_case(f[0].trim()))
        .map_or_else(|| f[0].trim().to_owned(), |t| (*t).to_owned());
    UcdLine {
        location: loc,
        theme,
        code,
        outcome_category: text(0),
        outcome_detail: text(1),
        description: text(3),
        unit: map_unit(f[6]),
        unit_text: text(6),
        agency_l1: normalise_agency(f[4]),
        agency_l2: normalise_agency(f[5]),
        agency_l1_text: text(4),
        agency_l2_text: text(5),
        fiscal,
        economic,
        social: None,
        rag,
        original_source: text(10),
        comment: text(12),
        url: text(13).map(|u| u.trim().to_owned()),
    }
}
