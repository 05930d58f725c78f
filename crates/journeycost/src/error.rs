//! Errors: where a problem is (file, line, field) and what was expected.
//!
//! Readers never stop at the first bad row: they collect every [`Problem`] (up to
//! [`MAX_PROBLEMS_PER_FILE`] per file) and return them together in one [`Error`], so an analyst
//! fixes an export once rather than once per row. Messages are lowercase with no final full stop
//! and read like `events.csv line 1,204, field "date": expected YYYY-MM-DD, found "31/02/2024"`.

use std::borrow::Cow;
use std::fmt;

/// The most problems a reader reports for one file before it stops looking; the count of the
/// rest is kept and reported as "and N more".
pub const MAX_PROBLEMS_PER_FILE: usize = 100;

/// Where a problem is: a file (or another named source), a 1-based line and a field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// The file's name as the user gave it, or a name such as `scenario` for other sources.
    pub source: String,
    /// The 1-based line of the record (the header is line 1), when the problem is in a row of
    /// a file.
    pub line: Option<u64>,
    /// The 0-based position of the record, when the problem is in a row of an in-memory table
    /// (an Arrow stream, a `DataFrame` or a list of records), which has rows but no lines.
    pub row: Option<u64>,
    /// The column or field name, when the problem is in one field.
    pub field: Option<String>,
}

impl Location {
    /// A location naming only a source (a file, or `events` for journeys built in code).
    #[must_use]
    pub fn source(source: impl Into<String>) -> Location {
        Location { source: source.into(), line: None, row: None, field: None }
    }

    /// This location at a 1-based line.
    #[must_use]
    pub fn at_line(mut self, line: u64) -> Location {
        self.line = Some(line);
        self
    }

    /// This location at a 0-based row of an in-memory table.
    #[must_use]
    pub fn at_row(mut self, row: u64) -> Location {
        self.row = Some(row);
        self
    }

    /// This location in a named field.
    #[must_use]
    pub fn in_field(mut self, field: impl Into<String>) -> Location {
        self.field = Some(field.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&shown(&self.source))?;
        if let Some(line) = self.line {
            write!(f, " line {}", group_thousands(line))?;
        }
        if let Some(row) = self.row {
            write!(f, " row {}", group_thousands(row))?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field {:?}", shown_as(field, false))?;
        }
        Ok(())
    }
}

/// What kind of problem a [`Problem`] is: a stable, machine-readable type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ProblemKind {
    /// The file could not be read.
    Io,
    /// The file has no header row, or a header and no rows where rows are required.
    Empty,
    /// The bytes are not valid UTF-8.
    Encoding,
    /// The CSV structure is broken (e.g. a row with a different number of fields).
    Syntax,
    /// A required column is missing from the header.
    MissingColumn,
    /// A column name appears twice in the header.
    DuplicateColumn,
    /// A required field is empty.
    MissingValue,
    /// A field could not be parsed or is out of its allowed range.
    InvalidValue,
    /// An event names a code that is not in the catalogue.
    UnknownCode,
    /// A catalogue code appears twice.
    DuplicateCode,
    /// A person id appears twice in a persons file.
    DuplicatePerson,
    /// A price year (of a unit cost, or the target) is missing from the price index.
    MissingPriceYear,
    /// A spell (a row with an end date) names a unit cost that is not a time rate.
    SpellUnit,
    /// A value is too large or has too many decimals to be computed exactly.
    Overflow,
    /// A requested person, pathway or group has no data.
    NotFound,
    /// A scenario file or option is invalid.
    Scenario,
    /// A report would disclose what its disclosure control must protect.
    Disclosure,
}

impl ProblemKind {
    /// The stable snake-case name of this kind, as used in JSON output and by the Python
    /// exception classes.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::Io => "io",
            ProblemKind::Empty => "empty",
            ProblemKind::Encoding => "encoding",
            ProblemKind::Syntax => "syntax",
            ProblemKind::MissingColumn => "missing_column",
            ProblemKind::DuplicateColumn => "duplicate_column",
            ProblemKind::MissingValue => "missing_value",
            ProblemKind::InvalidValue => "invalid_value",
            ProblemKind::UnknownCode => "unknown_code",
            ProblemKind::DuplicateCode => "duplicate_code",
            ProblemKind::DuplicatePerson => "duplicate_person",
            ProblemKind::MissingPriceYear => "missing_price_year",
            ProblemKind::SpellUnit => "spell_unit",
            ProblemKind::Overflow => "overflow",
            ProblemKind::NotFound => "not_found",
            ProblemKind::Scenario => "scenario",
            ProblemKind::Disclosure => "disclosure",
        }
    }
}

/// One thing wrong with the input, with where it is and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where the problem is.
    pub location: Location,
    /// Its machine-readable kind.
    pub kind: ProblemKind,
    /// What was expected and what was found, lowercase, no final full stop.
    pub message: String,
}

impl Problem {
    /// A new problem. Its message and its location's source and field are made safe to show
    /// here, once for every reader ([`shown`]): a message quoting input has its control
    /// characters escaped and a long value cut.
    #[must_use]
    pub fn new(mut location: Location, kind: ProblemKind, message: impl Into<String>) -> Problem {
        let owned = |text: String, escape: bool| match shown_as(&text, escape) {
            Cow::Borrowed(_) => text,
            Cow::Owned(s) => s,
        };
        location.source = owned(location.source, true);
        // The field is escaped where it is shown, quoted.
        location.field = location.field.map(|f| owned(f, false));
        Problem { location, kind, message: owned(message.into(), true) }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, shown(&self.message))
    }
}

/// The most characters [`shown`] leaves a text; a longer one keeps its first
/// [`SHOWN_HEAD`] and last [`SHOWN_TAIL`] characters around a count of those left out.
pub const MAX_SHOWN_CHARS: usize = 1_500;
/// The characters kept from the start of a text cut by [`shown`].
const SHOWN_HEAD: usize = 1_000;
/// The characters kept from the end of a text cut by [`shown`].
const SHOWN_TAIL: usize = 400;

/// `text` as a message may show it: each control character (and each character that reorders
/// text on a screen, such as U+202E) escaped as Rust writes it in a string (`\u{1b}`, `\r`,
/// `\0`), and a text longer than [`MAX_SHOWN_CHARS`] cut in the middle, with a count of the
/// characters left out. Ordinary text is returned as it is, and showing a shown text changes
/// nothing.
///
/// # Example
/// ```
/// use journeycost::error::shown;
///
/// assert_eq!(shown("date"), "date");
/// assert_eq!(shown("da\x1b[31mte\r"), "da\\u{1b}[31mte\\r");
/// let header = "x".repeat(10_000_000);
/// let long = shown(&header);
/// assert!(long.len() < 1_500 && long.contains("[9,998,600 characters left out]"));
/// ```
#[must_use]
pub fn shown(text: &str) -> Cow<'_, str> {
    shown_as(text, true)
}

/// Whether a character is escaped when shown: a control character, or one that changes the
/// direction or the lines of the text around it.
fn escaped(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// [`shown`], with or without the escaping (a field is escaped where it is quoted).
fn shown_as(text: &str, escape: bool) -> Cow<'_, str> {
    let width = |c: char| if escape && escaped(c) { c.escape_debug().count() } else { 1 };
    if text.len() <= MAX_SHOWN_CHARS && !(escape && text.chars().any(escaped)) {
        return Cow::Borrowed(text);
    }
    let total: usize = text.chars().map(width).sum();
    let push = |out: &mut String, c: char| {
        if escape && escaped(c) {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    };
    let mut out = String::new();
    if total <= MAX_SHOWN_CHARS {
        text.chars().for_each(|c| push(&mut out, c));
        return Cow::Owned(out);
    }
    // Whole characters (or whole escapes) from each end, as many as fit.
    let (mut head, mut used) = (0, 0);
    for (i, c) in text.char_indices() {
        if used + width(c) > SHOWN_HEAD {
            head = i;
            break;
        }
        used += width(c);
    }
    let (mut tail, mut used) = (text.len(), 0);
    for (i, c) in text[head..].char_indices().rev() {
        if used + width(c) > SHOWN_TAIL {
            break;
        }
        used += width(c);
        tail = head + i;
    }
    let left_out = text[head..tail].chars().count();
    text[..head].chars().for_each(|c| push(&mut out, c));
    out.push_str(" … [");
    out.push_str(&group_thousands(left_out as u64));
    out.push_str(" characters left out] … ");
    text[tail..].chars().for_each(|c| push(&mut out, c));
    Cow::Owned(out)
}

/// The error type of journeycost: one or more [`Problem`]s.
///
/// Boxed so that `Result<T, Error>` stays one pointer wide; cheap to clone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(Box<ErrorInner>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct ErrorInner {
    problems: Vec<Problem>,
    /// Problems found but not kept because a file hit [`MAX_PROBLEMS_PER_FILE`].
    omitted: usize,
}

impl Error {
    /// An error made of one problem.
    #[must_use]
    pub fn new(location: Location, kind: ProblemKind, message: impl Into<String>) -> Error {
        Error::from_problems(vec![Problem::new(location, kind, message)], 0)
    }

    /// An error made of several problems, plus a count of problems found but not listed. At most
    /// [`MAX_PROBLEMS_PER_FILE`] problems of one source are kept; the rest are counted.
    ///
    /// # Panics
    /// Never; an empty list is turned into a single generic problem so an error always has at
    /// least one problem to show.
    #[must_use]
    pub fn from_problems(mut problems: Vec<Problem>, mut omitted: usize) -> Error {
        if problems.is_empty() {
            problems.push(Problem::new(Location::source("input"), ProblemKind::InvalidValue, "invalid input"));
        }
        if problems.len() > MAX_PROBLEMS_PER_FILE {
            let mut per_source: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
            let before = problems.len();
            problems.retain(|p| {
                let n = per_source.entry(p.location.source.clone()).or_insert(0);
                *n += 1;
                *n <= MAX_PROBLEMS_PER_FILE
            });
            omitted += before - problems.len();
        }
        Error(Box::new(ErrorInner { problems, omitted }))
    }

    /// Every problem, in the order found (files in the order read, rows in file order).
    #[must_use]
    pub fn problems(&self) -> &[Problem] {
        &self.0.problems
    }

    /// How many further problems were found but not listed (per-file cap).
    #[must_use]
    pub fn omitted(&self) -> usize {
        self.0.omitted
    }

    /// The kind of the first problem: the one a caller would switch on.
    #[must_use]
    pub fn kind(&self) -> ProblemKind {
        self.0.problems[0].kind
    }

    /// Joins several errors into one, keeping every problem.
    #[must_use]
    pub fn merge(errors: impl IntoIterator<Item = Error>) -> Option<Error> {
        let mut problems = Vec::new();
        let mut omitted = 0;
        for e in errors {
            problems.extend(e.0.problems);
            omitted += e.0.omitted;
        }
        if problems.is_empty() { None } else { Some(Error::from_problems(problems, omitted)) }
    }
}

impl Error {
    /// Joins the errors of several parts of one source (stretches of a file, runs of a table),
    /// in order, listing at most [`MAX_PROBLEMS_PER_FILE`] in all, as one reader would.
    #[must_use]
    pub fn merge_parts(errors: impl IntoIterator<Item = Error>) -> Option<Error> {
        let mut problems = Problems::default();
        let mut omitted = 0;
        for e in errors {
            for p in e.0.problems {
                problems.push(p);
            }
            omitted += e.0.omitted;
        }
        problems.omitted += omitted;
        problems.into_error()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{p}")?;
        }
        if self.0.omitted > 0 {
            write!(f, "\nand {} more problems not listed", group_thousands(self.0.omitted as u64))?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Collects the problems of one source, up to [`MAX_PROBLEMS_PER_FILE`], counting the rest.
#[derive(Debug, Default)]
pub struct Problems {
    list: Vec<Problem>,
    omitted: usize,
}

impl Problems {
    /// Adds a problem, or counts it once the list is full.
    pub fn push(&mut self, problem: Problem) {
        if self.list.len() < MAX_PROBLEMS_PER_FILE {
            self.list.push(problem);
        } else {
            self.omitted += 1;
        }
    }

    /// Whether no problem has been found.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Problems found so far, listed or not.
    #[must_use]
    pub fn len(&self) -> usize {
        self.list.len() + self.omitted
    }

    /// `value` if no problem was found, else every problem as one [`Error`].
    pub fn into_result<T>(self, value: T) -> Result<T, Error> {
        if self.list.is_empty() { Ok(value) } else { Err(Error::from_problems(self.list, self.omitted)) }
    }

    /// Every problem as one [`Error`], if any was found.
    #[must_use]
    pub fn into_error(self) -> Option<Error> {
        if self.list.is_empty() { None } else { Some(Error::from_problems(self.list, self.omitted)) }
    }
}

/// Writes `1204` as `1,204`.
pub(crate) fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An I/O error on a path, as an [`Error`].
pub(crate) fn io_error(path: &std::path::Path, action: &str, err: &std::io::Error) -> Error {
    Error::new(Location::source(path.display().to_string()), ProblemKind::Io, format!("cannot {action}: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_reads_like_a_sentence() {
        let loc = Location::source("events.csv").at_line(1204).in_field("date");
        let p = Problem::new(loc, ProblemKind::InvalidValue, "expected YYYY-MM-DD, found \"31/02/2024\"");
        assert_eq!(p.to_string(), "events.csv line 1,204, field \"date\": expected YYYY-MM-DD, found \"31/02/2024\"");
    }

    #[test]
    fn shown_text_is_escaped_cut_and_stable() {
        assert!(matches!(shown("an ordinary message, \"quoted\""), Cow::Borrowed(_)));
        assert_eq!(shown("a\u{1b}[2Jb\r\0\u{202e}c\n"), "a\\u{1b}[2Jb\\r\\0\\u{202e}c\\n");
        for text in
            ["x".repeat(5_000), "\u{1b}".repeat(5_000), "é\u{7}".repeat(3_000), "a".repeat(1_501), "ab".repeat(750)]
        {
            let once = shown(&text).into_owned();
            assert!(once.chars().count() <= MAX_SHOWN_CHARS, "{}", once.len());
            assert!(!once.chars().any(escaped));
            assert_eq!(shown(&once), once, "showing again changes nothing");
        }
        let cut = shown(&"0123456789".repeat(1_000)).into_owned();
        assert!(cut.starts_with("0123456789") && cut.ends_with("0123456789"), "{cut}");
        assert!(cut.contains(" … [8,600 characters left out] … "), "{cut}");
        let p = Problem::new(
            Location::source("e\u{1b}.csv").in_field("da\u{1b}te"),
            ProblemKind::InvalidValue,
            "found \u{0}",
        );
        assert_eq!(p.to_string(), "e\\u{1b}.csv, field \"da\\u{1b}te\": found \\0");
    }

    #[test]
    fn thousands() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1000), "1,000");
        assert_eq!(group_thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn problems_are_capped_and_counted() {
        let mut ps = Problems::default();
        for i in 0..(MAX_PROBLEMS_PER_FILE + 5) {
            ps.push(Problem::new(Location::source("f").at_line(i as u64), ProblemKind::InvalidValue, "bad"));
        }
        let e = ps.into_error().unwrap();
        assert_eq!(e.problems().len(), MAX_PROBLEMS_PER_FILE);
        assert_eq!(e.omitted(), 5);
        assert!(e.to_string().ends_with("and 5 more problems not listed"));
    }
}
