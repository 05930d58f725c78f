//! Arrow interchange (feature `arrow`): events from Arrow record batches, and results as typed
//! Arrow tables.
//!
//! Reading applies exactly the rules of `events.csv` ([`read_events`](crate::io::read_events)):
//! the same required columns, the same checks, the same messages, every problem collected. Money
//! and quantities must arrive exact: a decimal, integer or text column. A float column is refused,
//! once for the column, unless the caller opts in, and then each float is read as the shortest
//! decimal that round-trips to it (`0.1` is read as `0.1`, not as
//! `0.1000000000000000055511151231257827`).
//!
//! Writing turns a CSV output of journeycost into a typed table with the same columns and the
//! same values: money as `decimal128(38, 2)`, dates as `date32`, counts as `int64`. Because the
//! values come from the CSV text, a table equals the CLI's file to the penny.

use std::borrow::Cow;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Float16Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type,
    Int64Type, TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType,
    UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int64Array, RecordBatch, StringArray,
};
use arrow_buffer::NullBuffer;
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef, TimeUnit};
use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::catalogue::{Catalogue, DemandKind};
use crate::error::{Error, Location, Problem, ProblemKind, Problems};
use crate::io::{catalogue_problem, parse_decimal};
use crate::journey::{EventParts, Journeys};
use crate::ledger::Ledger;
use crate::period::parse_date;

/// The widest Arrow decimal precision journeycost writes (`decimal128`).
pub const DECIMAL_PRECISION: u8 = 38;

const REQUIRED: [&str; 4] = ["person_id", "pathway", "date", "code"];
const OPTIONAL: [&str; 6] = ["quantity", "end_date", "cost", "demand", "probability", "note"];

/// What each events column holds, for the column-level type check.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    Text,
    Date,
    Number,
}

fn want(column: &str) -> Want {
    match column {
        "date" | "end_date" => Want::Date,
        "quantity" | "cost" | "probability" => Want::Number,
        _ => Want::Text,
    }
}

/// Options for reading events from Arrow data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Accept float columns for quantities, costs and probabilities, reading each value as the
    /// shortest decimal that round-trips to it. Off by default: floats are not exact.
    pub allow_float: bool,
    /// Threads reading the batches (default: every core); the events read never depend on it.
    pub threads: Option<usize>,
}

/// Reads events from a stream of record batches with the rules of `events.csv`. `name` names
/// the source in messages (e.g. `DataFrame`); problems carry the 0-based row.
///
/// # Errors
/// Every problem found (at most [`MAX_PROBLEMS_PER_FILE`](crate::error::MAX_PROBLEMS_PER_FILE)
/// listed): missing or duplicated columns, columns of a type that cannot hold their values
/// exactly, and every bad row. Also an error of the stream itself.
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use arrow_array::{ArrayRef, Date32Array, RecordBatch, StringArray};
/// use journeycost::arrow::{ReadOptions, journeys_from_batches};
///
/// let s = |v: &[&str]| Arc::new(StringArray::from(v.to_vec())) as ArrayRef;
/// let batch = RecordBatch::try_from_iter([
///     ("person_id", s(&["ANNA", "ANNA"])),
///     ("pathway", s(&["old", "new"])),
///     ("date", Arc::new(Date32Array::from(vec![19_723, 19_724])) as ArrayRef),
///     ("code", s(&["CALL", "VISIT"])),
/// ]).unwrap();
/// let journeys = journeys_from_batches("DataFrame", &batch.schema(), [Ok(batch)], None, ReadOptions::default()).unwrap();
/// assert_eq!(journeys.len(), 2);
/// ```
pub fn journeys_from_batches(
    name: &str,
    schema: &Schema,
    batches: impl IntoIterator<Item = Result<RecordBatch, ArrowError>>,
    catalogue: Option<&Catalogue>,
    options: ReadOptions,
) -> Result<Journeys, Error> {
    let columns = locate(name, schema, options)?;
    let mut all = Vec::new();
    for batch in batches {
        let batch = batch.map_err(|e| {
            Error::new(Location::source(name), ProblemKind::Io, format!("cannot read the Arrow stream: {e}"))
        })?;
        // A producer may send a batch unlike the schema it announced: check each one's types.
        if locate(name, &batch.schema(), options)? != columns {
            return Err(Error::new(
                Location::source(name),
                ProblemKind::Syntax,
                "a batch of the Arrow stream has other columns than its schema",
            ));
        }
        all.push(batch);
    }
    // The rows are shared among threads in contiguous runs of about equal size, cut across
    // batches where needed (a slice of a batch is a view, not a copy: a producer that sends one
    // big batch, as polars does, is still read on every core). Each run's events are appended
    // in order, so the result is the same on any number of threads.
    let threads = options.threads.unwrap_or_else(crate::available_threads).max(1);
    let total: usize = all.iter().map(RecordBatch::num_rows).sum();
    let share = total.div_ceil(threads).max(1);
    let mut runs: Vec<(u64, Vec<RecordBatch>)> = Vec::new();
    let (mut run, mut in_run, mut first_row) = (Vec::new(), 0, 0u64);
    for b in &all {
        let mut offset = 0;
        while offset < b.num_rows() {
            let take = (share - in_run).min(b.num_rows() - offset);
            run.push(b.slice(offset, take));
            (offset, in_run) = (offset + take, in_run + take);
            if in_run == share {
                runs.push((first_row, std::mem::take(&mut run)));
                (first_row, in_run) = (first_row + share as u64, 0);
            }
        }
    }
    if !run.is_empty() {
        runs.push((first_row, run));
    }
    let read_run = |(offset, batches): (u64, Vec<RecordBatch>)| {
        let mut journeys = Journeys::new();
        journeys.reserve(batches.iter().map(RecordBatch::num_rows).sum());
        let mut problems = Problems::default();
        let mut row = offset;
        for batch in &batches {
            let cols: Vec<Option<Col<'_>>> =
                columns.iter().map(|c| c.map(|i| Col::new(batch.column(i).as_ref()))).collect();
            let plain = Plain::new(batch, &columns);
            for i in 0..batch.num_rows() {
                if !plain.as_ref().is_some_and(|p| p.row(i, catalogue, &problems, &mut journeys)) {
                    read_row(name, &cols, i, row, catalogue, &mut problems, &mut journeys);
                }
                row += 1;
            }
        }
        (journeys, problems.into_error())
    };
    let results: Vec<(Journeys, Option<Error>)> = if runs.len() < 2 {
        runs.into_iter().map(read_run).collect()
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = runs.into_iter().map(|run| s.spawn(move || read_run(run))).collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
        })
    };
    let mut results = results.into_iter();
    let Some((mut journeys, first)) = results.next() else { return Ok(Journeys::new()) };
    let mut errors: Vec<Error> = first.into_iter().collect();
    for (j, e) in results {
        match e {
            Some(e) => errors.push(e),
            None if errors.is_empty() => journeys.append(j),
            None => {}
        }
    }
    match Error::merge_parts(errors) {
        Some(e) => Err(e),
        None => Ok(journeys),
    }
}

/// Finds the columns (in the order `REQUIRED` then `OPTIONAL`) and checks their types.
fn locate(name: &str, schema: &Schema, options: ReadOptions) -> Result<Vec<Option<usize>>, Error> {
    let mut problems = Problems::default();
    let at = |field: &str| Location::source(name).in_field(field);
    for (i, f) in schema.fields().iter().enumerate() {
        if schema.fields().iter().take(i).any(|g| g.name() == f.name()) {
            problems.push(Problem::new(
                at(f.name()),
                ProblemKind::DuplicateColumn,
                format!("column {:?} appears twice", f.name()),
            ));
        }
    }
    let mut found = Vec::new();
    for column in REQUIRED.iter().chain(OPTIONAL.iter()) {
        let index = schema.fields().iter().position(|f| f.name() == column);
        match index {
            None if REQUIRED.contains(column) => problems.push(Problem::new(
                at(column),
                ProblemKind::MissingColumn,
                format!("missing required column {column:?} (the columns are: {})", names(schema)),
            )),
            Some(i) => {
                if let Some(m) = type_problem(column, schema.field(i).data_type(), options) {
                    problems.push(Problem::new(at(column), ProblemKind::InvalidValue, m));
                }
            }
            None => {}
        }
        found.push(index);
    }
    problems.into_result(found)
}

fn names(schema: &Schema) -> String {
    schema.fields().iter().map(|f| f.name().as_str()).collect::<Vec<_>>().join(", ")
}

/// Why a column of this type cannot hold this field, if it cannot.
fn type_problem(column: &str, t: &DataType, options: ReadOptions) -> Option<String> {
    let t = match t {
        DataType::Dictionary(_, v) => v.as_ref(),
        t => t,
    };
    let text = matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null);
    let ok = match want(column) {
        Want::Text => text || t.is_integer(),
        Want::Date => text || matches!(t, DataType::Date32 | DataType::Date64 | DataType::Timestamp(_, None)),
        Want::Number => {
            text || t.is_integer() || matches!(t, DataType::Decimal128(..)) || (options.allow_float && t.is_floating())
        }
    };
    if ok {
        return None;
    }
    Some(match (want(column), t) {
        (Want::Number, t) if t.is_floating() => format!(
            "the column is {t}: floats are not exact, so {column} must be a decimal, integer or text column \
             (decimal.Decimal values, or pl.Decimal); to accept floats anyway, read each as its shortest decimal with allow_float=True"
        ),
        (Want::Date, DataType::Timestamp(_, Some(tz))) => {
            format!(
                "the column is a timestamp in time zone {tz}: give dates (datetime.date, date32) or naive timestamps at midnight"
            )
        }
        (Want::Date, t) => {
            format!("expected dates (date32, date64, naive timestamps at midnight, or YYYY-MM-DD text), found {t}")
        }
        (Want::Number, t) => format!("expected decimals (decimal128, integers, or text), found {t}"),
        (Want::Text, t) => format!("expected text (or integers), found {t}"),
    })
}

/// One column of one batch, with dictionary encoding resolved per row. Nulls are the logical
/// ones (a `NullArray` has no validity buffer, yet every value is null).
struct Col<'a> {
    array: &'a dyn Array,
    nulls: Option<NullBuffer>,
    dictionary: Option<(Vec<usize>, &'a dyn Array, Option<NullBuffer>)>,
}

impl<'a> Col<'a> {
    fn new(array: &'a dyn Array) -> Col<'a> {
        match array.as_any_dictionary_opt() {
            // A dictionary with no values can only hold nulls (and its keys cannot be read).
            Some(d) if d.values().is_empty() => {
                Col { array, nulls: Some(NullBuffer::new_null(array.len())), dictionary: None }
            }
            Some(d) => Col {
                array,
                nulls: array.logical_nulls(),
                dictionary: Some((d.normalized_keys(), d.values().as_ref(), d.values().logical_nulls())),
            },
            None => Col { array, nulls: array.logical_nulls(), dictionary: None },
        }
    }

    /// The array and index holding row `i`, or `None` for a null.
    fn at(&self, i: usize) -> Option<(&'a dyn Array, usize)> {
        if self.nulls.as_ref().is_some_and(|n| n.is_null(i)) {
            return None;
        }
        match &self.dictionary {
            Some((keys, values, nulls)) => {
                let k = keys[i];
                if nulls.as_ref().is_some_and(|n| n.is_null(k)) { None } else { Some((*values, k)) }
            }
            None => Some((self.array, i)),
        }
    }
}

fn text(a: &dyn Array, i: usize) -> Cow<'_, str> {
    match a.data_type() {
        DataType::Utf8 => Cow::Borrowed(a.as_string::<i32>().value(i)),
        DataType::LargeUtf8 => Cow::Borrowed(a.as_string::<i64>().value(i)),
        DataType::Utf8View => Cow::Borrowed(a.as_string_view().value(i)),
        _ => Cow::Owned(integer(a, i).map_or_else(String::new, |v| v.to_string())),
    }
}

fn integer(a: &dyn Array, i: usize) -> Option<i128> {
    Some(match a.data_type() {
        DataType::Int8 => i128::from(a.as_primitive::<Int8Type>().value(i)),
        DataType::Int16 => i128::from(a.as_primitive::<Int16Type>().value(i)),
        DataType::Int32 => i128::from(a.as_primitive::<Int32Type>().value(i)),
        DataType::Int64 => i128::from(a.as_primitive::<Int64Type>().value(i)),
        DataType::UInt8 => i128::from(a.as_primitive::<UInt8Type>().value(i)),
        DataType::UInt16 => i128::from(a.as_primitive::<UInt16Type>().value(i)),
        DataType::UInt32 => i128::from(a.as_primitive::<UInt32Type>().value(i)),
        DataType::UInt64 => i128::from(a.as_primitive::<UInt64Type>().value(i)),
        _ => return None,
    })
}

const DAYS_TO_EPOCH_FROM_CE: i64 = 719_163;

fn from_epoch_days(days: i64) -> Option<NaiveDate> {
    i32::try_from(days + DAYS_TO_EPOCH_FROM_CE).ok().and_then(NaiveDate::from_num_days_from_ce_opt)
}

fn date(a: &dyn Array, i: usize) -> Result<NaiveDate, String> {
    let midnight = |v: i64, per_day: i64| {
        if v.rem_euclid(per_day) == 0 {
            from_epoch_days(v.div_euclid(per_day))
                .ok_or_else(|| format!("expected a date, found a timestamp out of range ({v})"))
        } else {
            Err("expected a date, found a timestamp with a time of day: give dates, or timestamps at midnight"
                .to_owned())
        }
    };
    match a.data_type() {
        DataType::Date32 => from_epoch_days(i64::from(a.as_primitive::<Date32Type>().value(i)))
            .ok_or_else(|| "date out of range".to_owned()),
        DataType::Date64 => midnight(a.as_primitive::<Date64Type>().value(i), 86_400_000),
        DataType::Timestamp(TimeUnit::Second, _) => midnight(a.as_primitive::<TimestampSecondType>().value(i), 86_400),
        DataType::Timestamp(TimeUnit::Millisecond, _) => {
            midnight(a.as_primitive::<TimestampMillisecondType>().value(i), 86_400_000)
        }
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            midnight(a.as_primitive::<TimestampMicrosecondType>().value(i), 86_400_000_000)
        }
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            midnight(a.as_primitive::<TimestampNanosecondType>().value(i), 86_400_000_000_000)
        }
        _ => {
            let s = text(a, i);
            parse_date(&s).ok_or_else(|| format!("expected a date YYYY-MM-DD, found {s:?}"))
        }
    }
}

/// A decimal from an exact column, or (when allowed) the shortest decimal of a float.
fn number(a: &dyn Array, i: usize) -> Result<Decimal, String> {
    match a.data_type() {
        DataType::Decimal128(_, scale) => decimal_from_i128(a.as_primitive::<Decimal128Type>().value(i), *scale),
        // Each float is read as the shortest decimal that round-trips to it at its own width.
        DataType::Float16 => decimal_from_f32(a.as_primitive::<Float16Type>().value(i).to_f32()),
        DataType::Float32 => decimal_from_f32(a.as_primitive::<Float32Type>().value(i)),
        DataType::Float64 => decimal_from_float(a.as_primitive::<Float64Type>().value(i)),
        t if t.is_integer() => {
            let v = integer(a, i).unwrap_or_default();
            Decimal::try_from_i128_with_scale(v, 0)
                .map_err(|_| format!("expected a number of at most 28 digits, found {v}"))
        }
        _ => parse_decimal(&text(a, i)),
    }
}

/// An Arrow decimal (mantissa and scale, which may be negative) as an exact `Decimal`.
fn decimal_from_i128(mantissa: i128, scale: i8) -> Result<Decimal, String> {
    let too_big = || {
        format!("expected a number of at most 28 digits, found a decimal with mantissa {mantissa} and scale {scale}")
    };
    if scale >= 0 {
        let sc = u32::from(scale.unsigned_abs());
        if let Ok(d) = Decimal::try_from_i128_with_scale(mantissa, sc) {
            return Ok(d);
        }
        // Trailing zeros carry no value: dropping them lets a column whose scale is wider than
        // rust_decimal's (28 decimals, 96 bits) still give every value it can hold exactly.
        let (mut m, mut sc) = (mantissa, sc);
        while sc > 0 && m % 10 == 0 {
            m /= 10;
            sc -= 1;
        }
        Decimal::try_from_i128_with_scale(m, sc).map_err(|_| too_big())
    } else {
        let factor = 10i128.checked_pow(u32::from(scale.unsigned_abs())).ok_or_else(too_big)?;
        let m = mantissa.checked_mul(factor).ok_or_else(too_big)?;
        Decimal::try_from_i128_with_scale(m, 0).map_err(|_| too_big())
    }
}

/// The shortest decimal that round-trips to `v` (Rust's `Display` of a float never uses an
/// exponent and prints the shortest round-trip digits): `0.1` is read as `0.1`.
///
/// # Errors
/// For NaN, infinities, and values that need more than 28 digits.
pub fn decimal_from_float(v: f64) -> Result<Decimal, String> {
    shortest(v, v.is_finite())
}

/// As [`decimal_from_float`] for a 32-bit float: the shortest decimal at 32 bits (`0.1f32` is
/// `0.1`, not `0.10000000149011612`).
///
/// # Errors
/// As [`decimal_from_float`].
pub fn decimal_from_f32(v: f32) -> Result<Decimal, String> {
    shortest(v, v.is_finite())
}

fn shortest(v: impl std::fmt::Display, finite: bool) -> Result<Decimal, String> {
    if !finite {
        return Err(format!("expected a number, found {v}"));
    }
    parse_decimal(&format!("{v}")).map_err(|_| format!("expected a number of at most 28 digits, found {v}"))
}

/// A text column of a plain type (not dictionary-encoded).
enum Texts<'a> {
    Utf8(&'a arrow_array::StringArray),
    Large(&'a arrow_array::LargeStringArray),
    View(&'a arrow_array::StringViewArray),
}

impl<'a> Texts<'a> {
    fn new(a: &'a dyn Array) -> Option<Texts<'a>> {
        match a.data_type() {
            DataType::Utf8 => a.as_string_opt::<i32>().map(Texts::Utf8),
            DataType::LargeUtf8 => a.as_string_opt::<i64>().map(Texts::Large),
            DataType::Utf8View => a.as_string_view_opt().map(Texts::View),
            _ => None,
        }
    }

    /// The text of row `i`, `None` for a null.
    fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            Texts::Utf8(a) => a.is_valid(i).then(|| a.value(i)),
            Texts::Large(a) => a.is_valid(i).then(|| a.value(i)),
            Texts::View(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }
}

/// The columns of one batch as the fast reader of plain rows reads them: texts, `date32`
/// dates and `decimal128` quantities, each a typed array; `None` when the batch has other
/// types (every row is then read by [`read_row`]).
struct Plain<'a> {
    person: Texts<'a>,
    pathway: Texts<'a>,
    code: Texts<'a>,
    date: &'a Date32Array,
    quantity: Option<(&'a Decimal128Array, u32)>,
    /// The optional columns present besides `quantity`: a row with a value in any of them is
    /// read by [`read_row`].
    others: Vec<&'a dyn Array>,
}

impl<'a> Plain<'a> {
    fn new(batch: &'a RecordBatch, columns: &[Option<usize>]) -> Option<Plain<'a>> {
        let column = |k: usize| columns[k].map(|i| batch.column(i).as_ref());
        let texts = |k: usize| column(k).and_then(Texts::new);
        let quantity = match column(4) {
            None => None,
            Some(a) => match a.data_type() {
                DataType::Decimal128(_, scale @ 0..=28) => {
                    Some((a.as_primitive_opt::<Decimal128Type>()?, u32::from(scale.unsigned_abs())))
                }
                _ => return None,
            },
        };
        Some(Plain {
            person: texts(0)?,
            pathway: texts(1)?,
            code: texts(3)?,
            date: column(2)?.as_primitive_opt::<Date32Type>()?,
            quantity,
            others: (5..4 + OPTIONAL.len()).filter_map(column).collect(),
        })
    }

    /// Reads row `i` when it is plain and breaks no rule (a valid row is added only while no
    /// problem has been found, as [`read_row`] does); `false` leaves the row to [`read_row`].
    fn row(&self, i: usize, catalogue: Option<&Catalogue>, problems: &Problems, journeys: &mut Journeys) -> bool {
        if self.others.iter().any(|a| a.is_valid(i)) {
            return false;
        }
        let (Some(person), Some(pathway), Some(code)) = (self.person.get(i), self.pathway.get(i), self.code.get(i))
        else {
            return false;
        };
        if person.is_empty() || pathway.is_empty() || code.is_empty() || !self.date.is_valid(i) {
            return false;
        }
        let Some(day) = day_of_epoch_days(self.date.value(i)) else { return false };
        if !crate::period::date_of(day).is_some_and(crate::period::is_supported) {
            return false;
        }
        let quantity = match self.quantity {
            None => Decimal::ONE,
            Some((a, scale)) => {
                if a.is_valid(i) {
                    match Decimal::try_from_i128_with_scale(a.value(i), scale) {
                        Ok(q) if !q.is_sign_negative() && crate::journey::check_amount(q).is_ok() => q,
                        _ => return false,
                    }
                } else {
                    Decimal::ONE
                }
            }
        };
        if catalogue.is_some_and(|c| c.position(code).is_none()) {
            return false;
        }
        if problems.is_empty() {
            journeys.push_plain(person, pathway, code, day, quantity);
        }
        true
    }
}

/// The day number (days from the common era) of a `date32` value, when chrono can hold it.
fn day_of_epoch_days(days: i32) -> Option<crate::period::DayNumber> {
    let day = i64::from(days) + DAYS_TO_EPOCH_FROM_CE;
    let (first, last) = (i64::from(NaiveDate::MIN.num_days_from_ce()), i64::from(NaiveDate::MAX.num_days_from_ce()));
    (first..=last).contains(&day).then_some(day as crate::period::DayNumber)
}

/// Reads one row: its problems go to `problems`; a good row is added while no problem has
/// been found in the source (later rows are still checked).
fn read_row(
    name: &str,
    cols: &[Option<Col<'_>>],
    i: usize,
    row: u64,
    catalogue: Option<&Catalogue>,
    problems: &mut Problems,
    journeys: &mut Journeys,
) {
    let mut found: Vec<(&'static str, ProblemKind, String)> = Vec::new();
    let cell = |k: usize| cols[k].as_ref().and_then(|c| c.at(i));
    let required = |k: usize, found: &mut Vec<_>| {
        let field = REQUIRED[k];
        let v = cell(k).map(|(a, j)| text(a, j));
        if v.is_none() {
            found.push((field, ProblemKind::MissingValue, format!("expected a value for {field}, found a null")));
        }
        v
    };
    let person = required(0, &mut found);
    let pathway = required(1, &mut found);
    let code = required(3, &mut found);
    let start = match cell(2) {
        None => {
            found.push(("date", ProblemKind::MissingValue, "expected a value for date, found a null".to_owned()));
            None
        }
        Some((a, j)) => date(a, j).map_err(|m| found.push(("date", ProblemKind::InvalidValue, m))).ok(),
    };
    // Optional columns: a null or an empty text means "not given", as an empty CSV field does.
    let given = |k: usize| cell(4 + k).filter(|(a, j)| !is_empty_text(*a, *j));
    let optional =
        |k: usize, found: &mut Vec<_>, read: &dyn Fn(&dyn Array, usize) -> Result<Decimal, String>| match given(k) {
            None => Some(None),
            Some((a, j)) => {
                read(a, j).map(Some).map_err(|m| found.push((OPTIONAL[k], ProblemKind::InvalidValue, m))).ok()
            }
        };
    let quantity = optional(0, &mut found, &number);
    let cost = optional(2, &mut found, &number);
    let probability = optional(4, &mut found, &number);
    let end = match given(1) {
        None => Some(None),
        Some((a, j)) => date(a, j).map(Some).map_err(|m| found.push(("end_date", ProblemKind::InvalidValue, m))).ok(),
    };
    let demand = match given(3) {
        None => Some(None),
        Some((a, j)) => text(a, j)
            .parse::<DemandKind>()
            .map(Some)
            .map_err(|m| found.push(("demand", ProblemKind::InvalidValue, m)))
            .ok(),
    };
    let note = given(5).map(|(a, j)| text(a, j));
    if let (
        Some(person),
        Some(pathway),
        Some(code),
        Some(start),
        Some(quantity),
        Some(cost),
        Some(probability),
        Some(end),
        Some(demand),
    ) = (person, pathway, code, start, quantity, cost, probability, end, demand)
    {
        let parts = EventParts {
            person: &person,
            pathway: &pathway,
            code: &code,
            date: start,
            end,
            quantity: quantity.unwrap_or(Decimal::ONE),
            cost,
            demand,
            probability,
            note: note.as_deref(),
        };
        let broken = parts.problems();
        if !broken.is_empty() {
            found.extend(broken.into_iter().map(|e| (e.field, ProblemKind::InvalidValue, e.message)));
        } else if let Some(p) = catalogue.and_then(|c| catalogue_problem(c, &code, end.is_some())) {
            found.push(p);
        } else if problems.is_empty() {
            journeys.push_parts(&parts);
        }
    }
    for (field, kind, message) in found {
        problems.push(Problem::new(Location::source(name).at_row(row).in_field(field), kind, message));
    }
}

fn is_empty_text(a: &dyn Array, j: usize) -> bool {
    matches!(a.data_type(), DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View) && text(a, j).is_empty()
}

/// The Arrow type of a column of journeycost's tables, as declared for it (see [`SCHEMAS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// `utf8`: names, labels, periods, years, free text.
    Text,
    /// `int64`: counts and indices.
    Count,
    /// `bool`.
    Flag,
    /// `decimal128(38, 2)`: money printed to the penny.
    Money,
    /// `decimal128(38, s)`: a figure printed with `s` decimals (a share 4, a discount factor 6).
    Fixed(u32),
    /// `decimal128(38, s)` with `s` the most decimals a value of the column has, and at least 2:
    /// an amount kept exactly as given or computed (a unit cost, an index, a parameter's value).
    Exact,
    /// `float64`: a statistic (a percentile's level).
    Float,
}

use ColumnType::{Count, Exact, Fixed, Flag, Float, Money, Text};

/// The declared schema of every table journeycost renders as CSV (and Python reads as Arrow):
/// by table, named `command/file` without `.csv` (`compare/series`), each column and its type.
/// A comparison grouped by a persons column gains that column first, and the public-value case
/// a last column `value_types`: both text. A column not declared here is a bug, caught by
/// [`table_from_csv`] and by the tests, not typed by guessing from its values.
pub const SCHEMAS: &[(&str, &[(&str, ColumnType)])] = &[
    ("cost/monthly", &[("pathway", Text), ("agency", Text), ("month", Text), ("events", Count), ("cost", Money)]),
    ("cost/persons", &[("person_id", Text), ("old_cost", Money), ("new_cost", Money), ("saving", Money)]),
    ("cost/summary", &[("agency", Text), ("old_cost", Money), ("new_cost", Money), ("saving", Money)]),
    (
        "compare/series",
        &[("pathway", Text), ("period", Text), ("events", Count), ("cost", Money), ("cumulative_cost", Money)],
    ),
    ("compare/agencies", &[("agency", Text), ("baseline_cost", Money), ("alternative_cost", Money), ("saving", Money)]),
    (
        "compare/demand",
        &[("pathway", Text), ("demand", Text), ("events", Count), ("cost", Money), ("cost_share", Fixed(4))],
    ),
    (
        "compare/failure",
        &[
            ("agency", Text),
            ("pathway", Text),
            ("events", Count),
            ("failure_events", Count),
            ("cost", Money),
            ("failure_cost", Money),
            ("failure_cost_share", Fixed(4)),
            ("failure_contact_share", Fixed(4)),
        ],
    ),
    ("compare/tiers", &[("pathway", Text), ("tier", Text), ("events", Count), ("cost", Money)]),
    ("compare/trend", &[("pathway", Text), ("periods", Count), ("slope", Fixed(6)), ("intercept", Fixed(6))]),
    (
        "compare/persons",
        &[("person_id", Text), ("baseline_cost", Money), ("alternative_cost", Money), ("saving", Money)],
    ),
    (
        "appraise/years",
        &[
            ("year", Text),
            ("t", Count),
            ("observed", Flag),
            ("factor", Fixed(6)),
            ("gross_benefit", Money),
            ("benefit", Money),
            ("cost", Money),
            ("net", Money),
            ("discounted_net", Money),
            ("cumulative_net", Money),
            ("cumulative_discounted_net", Money),
        ],
    ),
    ("appraise/who_pays", &[("agency", Text), ("cost_borne", Money), ("saving_received", Money), ("net", Money)]),
    (
        "appraise/who_pays_detail",
        &[("agency", Text), ("agency_detail", Text), ("cost_borne", Money), ("saving_received", Money), ("net", Money)],
    ),
    ("appraise/agency_years", &[("year", Text), ("agency", Text), ("benefit", Money), ("cost", Money)]),
    (
        "appraise/switching",
        &[
            ("parameter", Text),
            ("value", Exact),
            ("switching_value", Fixed(4)),
            ("searched_from", Exact),
            ("searched_to", Exact),
        ],
    ),
    ("appraise/assumptions", ASSUMPTIONS),
    ("extrapolate/assumptions", ASSUMPTIONS),
    (
        "extrapolate/summary",
        &[
            ("measure", Text),
            ("mean", Money),
            ("sd", Money),
            ("min", Money),
            ("median", Money),
            ("max", Money),
            ("prob_below_zero", Fixed(4)),
            ("prob_below_threshold", Fixed(4)),
        ],
    ),
    ("extrapolate/percentiles", &[("measure", Text), ("percentile", Float), ("value", Money)]),
    (
        "extrapolate/draws",
        &[
            ("draw", Count),
            ("gross_annual", Money),
            ("net_annual", Money),
            ("gross_discounted", Money),
            ("net_discounted", Money),
        ],
    ),
    ("extrapolate/histogram", &[("from", Money), ("to", Money), ("count", Count)]),
    (
        "extrapolate/tornado",
        &[
            ("segment", Text),
            ("parameter", Text),
            ("low", Fixed(6)),
            ("high", Fixed(6)),
            ("saving_at_low", Money),
            ("saving_at_high", Money),
            ("swing", Money),
        ],
    ),
    (
        "extrapolate/switching",
        &[
            ("segment", Text),
            ("parameter", Text),
            ("central", Fixed(6)),
            ("switching_value", Fixed(6)),
            ("within_support", Flag),
        ],
    ),
    (
        "catalogue",
        &[
            ("code", Text),
            ("agency", Text),
            ("agency_detail", Text),
            ("description", Text),
            ("unit", Text),
            ("unit_cost", Exact),
            ("price_year", Text),
            ("economic_value", Exact),
            ("economic_price_year", Text),
            ("social_value", Exact),
            ("social_price_year", Text),
            ("theme", Text),
            ("tier", Text),
            ("demand", Text),
            ("cashable", Flag),
            ("confidence", Text),
            ("source", Text),
        ],
    ),
    ("deflators", &[("year", Text), ("index", Exact), ("forecast", Flag)]),
];

const ASSUMPTIONS: &[(&str, ColumnType)] =
    &[("name", Text), ("value", Text), ("source", Text), ("confidence", Text), ("set_by", Text), ("origin", Text)];

/// The declared type of `column` of `table` (see [`SCHEMAS`]).
#[must_use]
pub fn declared_type(table: &str, column: &str) -> Option<ColumnType> {
    SCHEMAS.iter().find(|(t, _)| *t == table)?.1.iter().find(|(c, _)| *c == column).map(|(_, k)| *k)
}

/// Turns one of journeycost's CSV tables, `table` (`compare/series`, see [`SCHEMAS`]), into an
/// Arrow table with the same columns and values, each of its declared type. An empty field is a
/// null.
///
/// # Errors
/// A table or column with no declared type; a value that is not of its column's type (never
/// the case for journeycost's own outputs); bytes that are not CSV with a header.
pub fn table_from_csv(table: &str, bytes: &[u8]) -> Result<RecordBatch, String> {
    let declared = SCHEMAS
        .iter()
        .find(|(t, _)| *t == table)
        .map(|(_, columns)| *columns)
        .ok_or_else(|| format!("no schema is declared for table {table:?}"))?;
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes);
    let header: Vec<String> = reader.headers().map_err(|e| e.to_string())?.iter().map(str::to_owned).collect();
    let mut columns: Vec<Vec<String>> = vec![Vec::new(); header.len()];
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        for (c, v) in columns.iter_mut().zip(record.iter()) {
            c.push(v.to_owned());
        }
    }
    let of = |c: &str| declared.iter().find(|(n, _)| *n == c).map(|(_, k)| *k);
    let mut fields = Vec::with_capacity(header.len());
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(header.len());
    // A grouped comparison's first column holds the group's value (whatever the persons
    // column is called): the table's own columns follow it.
    let grouped = table.starts_with("compare/")
        && header.get(1).map(String::as_str) == declared.first().map(|c| c.0)
        && header.first().map(String::as_str) != declared.first().map(|c| c.0);
    for (i, (name, values)) in header.iter().zip(&columns).enumerate() {
        // The group's value, and the public-value case's last column (the value types
        // summed), are labels.
        let kind = match of(name) {
            _ if grouped && i == 0 => Text,
            None if name == "value_types" => Text,
            Some(k) => k,
            None => return Err(format!("column {name:?} of table {table:?} has no declared type")),
        };
        let present = || values.iter().map(|v| Some(v.as_str()).filter(|s| !s.is_empty()));
        let wrong = |v: &str, what: &str| format!("column {name}: {v:?} is not {what}");
        let (t, array): (DataType, ArrayRef) = match kind {
            Text => (DataType::Utf8, Arc::new(present().collect::<StringArray>())),
            Count => {
                let parsed: Result<Vec<Option<i64>>, String> = present()
                    .map(|v| v.map(|s| s.parse::<i64>().map_err(|_| wrong(s, "a count"))).transpose())
                    .collect();
                (DataType::Int64, Arc::new(Int64Array::from(parsed?)))
            }
            Flag => {
                let parsed: Result<Vec<Option<bool>>, String> = present()
                    .map(|v| {
                        v.map(|s| match s {
                            "true" => Ok(true),
                            "false" => Ok(false),
                            other => Err(wrong(other, "true or false")),
                        })
                        .transpose()
                    })
                    .collect();
                (DataType::Boolean, Arc::new(BooleanArray::from(parsed?)))
            }
            Float => {
                let parsed: Result<Vec<Option<f64>>, String> = present()
                    .map(|v| v.map(|s| s.parse::<f64>().map_err(|_| wrong(s, "a number"))).transpose())
                    .collect();
                (DataType::Float64, Arc::new(Float64Array::from(parsed?)))
            }
            Money | Fixed(_) | Exact => {
                let scale = match kind {
                    Money => 2,
                    Fixed(s) => s,
                    _ => 2.max(max_decimals(values)),
                };
                let mut mantissas: Vec<Option<i128>> = Vec::with_capacity(values.len());
                for v in present() {
                    mantissas.push(match v.map(parse_decimal) {
                        None => None,
                        Some(Ok(d)) => Some(
                            mantissa_at(d, scale)
                                .ok_or_else(|| format!("column {name}: {d} does not fit decimal128(38, {scale})"))?,
                        ),
                        Some(Err(m)) => return Err(format!("column {name}: {m}")),
                    });
                }
                let a = decimal_array(mantissas, scale)?;
                (a.data_type().clone(), Arc::new(a))
            }
        };
        fields.push(Field::new(name, t, true));
        arrays.push(array);
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).map_err(|e| e.to_string())
}

fn max_decimals(values: &[String]) -> u32 {
    values.iter().filter_map(|v| v.split_once('.').map(|(_, f)| f.len() as u32)).max().unwrap_or(0)
}

/// The date of a `date32` value (days since 1970-01-01).
#[must_use]
pub fn date_from_epoch_days(days: i32) -> Option<NaiveDate> {
    from_epoch_days(i64::from(days))
}

/// Days since 1970-01-01, as `date32` counts them.
#[must_use]
pub fn epoch_days(d: NaiveDate) -> i32 {
    (i64::from(d.num_days_from_ce()) - DAYS_TO_EPOCH_FROM_CE) as i32
}

use chrono::Datelike as _;

/// The mantissa of `d` at `scale` decimals (`scale` at least `d`'s own), computed in `i128`
/// so that no digit is lost; `None` if it does not fit 38 digits.
fn mantissa_at(d: Decimal, scale: u32) -> Option<i128> {
    let d = if d.scale() > scale { d.normalize() } else { d };
    let m = d.mantissa().checked_mul(10i128.checked_pow(scale.checked_sub(d.scale())?)?)?;
    (m.unsigned_abs() < 10u128.pow(u32::from(DECIMAL_PRECISION))).then_some(m)
}

/// A `decimal128(38, scale)` array.
///
/// # Errors
/// If the scale is more than 38.
pub fn decimal_array(mantissas: Vec<Option<i128>>, scale: u32) -> Result<Decimal128Array, String> {
    let s = i8::try_from(scale)
        .map_err(|_| format!("a scale of {scale} decimals is more than Arrow's decimal128 holds"))?;
    Decimal128Array::from(mantissas).with_precision_and_scale(DECIMAL_PRECISION, s).map_err(|e| e.to_string())
}

/// An exact decimal column: the scale is the most decimals any value has, so every value is
/// kept exactly.
///
/// # Errors
/// If a value does not fit `decimal128(38, scale)` at that scale.
pub fn exact_decimal_array(values: &[Option<Decimal>]) -> Result<Decimal128Array, String> {
    let scale = values.iter().flatten().map(|d| d.normalize().scale()).max().unwrap_or(0);
    let mut mantissas = Vec::with_capacity(values.len());
    for v in values {
        mantissas.push(match v {
            None => None,
            Some(d) => Some(mantissa_at(*d, scale).ok_or_else(|| {
                format!("{d} cannot be held exactly in a decimal128 column with {scale} decimals (38 digits in all)")
            })?),
        });
    }
    decimal_array(mantissas, scale)
}

/// The events as an Arrow table with the columns of `events.csv`: `person_id`, `pathway`,
/// `date`, `code`, `quantity`, `end_date`, `cost`, `demand`, `probability`, `note`. Quantities,
/// costs and probabilities are exact decimal columns. Reading the table back gives the same
/// events.
///
/// # Errors
/// If a value cannot be held exactly (a unit cost with more decimals than `decimal128` holds
/// at its magnitude).
pub fn journeys_to_batch(journeys: &Journeys) -> Result<RecordBatch, String> {
    let n = journeys.len();
    let events: Vec<crate::journey::Event> = (0..n).map(|i| journeys.get(i)).collect();
    let text = |f: &dyn Fn(&crate::journey::Event) -> Option<&str>| {
        Arc::new(events.iter().map(f).collect::<StringArray>()) as ArrayRef
    };
    let dates = |f: &dyn Fn(&crate::journey::Event) -> Option<NaiveDate>| {
        Arc::new(events.iter().map(|e| f(e).map(epoch_days)).collect::<Date32Array>()) as ArrayRef
    };
    let exact = |f: &dyn Fn(&crate::journey::Event) -> Option<Decimal>| -> Result<ArrayRef, String> {
        Ok(Arc::new(exact_decimal_array(&events.iter().map(f).collect::<Vec<_>>())?))
    };
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("person_id", text(&|e| Some(&e.person))),
        ("pathway", text(&|e| Some(&e.pathway))),
        ("date", dates(&|e| Some(e.date))),
        ("code", text(&|e| Some(&e.code))),
        ("quantity", exact(&|e| Some(e.quantity))?),
        ("end_date", dates(&|e| e.end_date)),
        ("cost", exact(&|e| e.cost)?),
        ("demand", text(&|e| e.demand.map(DemandKind::as_str))),
        ("probability", exact(&|e| e.probability)?),
        ("note", text(&|e| e.note.as_deref())),
    ];
    RecordBatch::try_from_iter_with_nullable(columns.into_iter().map(|(n, a)| (n, a, true))).map_err(|e| e.to_string())
}

/// Every line of the ledger as an Arrow table: `person_id`, `pathway`, `month` (`YYYY-MM`),
/// `code`, `agency`, `value_type`, `tier`, `demand` and the exact `cost` (as many decimals as
/// the exact values need).
///
/// # Errors
/// If a cost cannot be held exactly in `decimal128`.
pub fn ledger_to_batch(ledger: &Ledger) -> Result<RecordBatch, String> {
    let lines: Vec<crate::ledger::Line> = ledger.lines().collect();
    let text = |f: &dyn Fn(&crate::ledger::Line) -> String| {
        Arc::new(lines.iter().map(|l| Some(f(l))).collect::<StringArray>()) as ArrayRef
    };
    let costs: Vec<Option<Decimal>> = lines.iter().map(|l| Some(l.cost.exact())).collect();
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("person_id", text(&|l| ledger.persons()[l.person as usize].to_string())),
        ("pathway", text(&|l| ledger.pathways()[l.pathway as usize].to_string())),
        ("month", text(&|l| l.month.to_string())),
        ("code", text(&|l| ledger.codes()[l.entry as usize].clone())),
        ("agency", text(&|l| ledger.agencies()[l.agency as usize].clone())),
        ("value_type", text(&|l| l.value_type.as_str().to_owned())),
        ("tier", text(&|l| crate::compare::tier_label(l.tier))),
        ("demand", text(&|l| crate::compare::demand_label(l.demand).to_owned())),
        ("cost", Arc::new(exact_decimal_array(&costs)?)),
    ];
    RecordBatch::try_from_iter(columns).map_err(|e| e.to_string())
}

/// The schema of an empty events table, for callers that need one.
#[must_use]
pub fn events_schema() -> SchemaRef {
    Arc::new(Schema::new(
        REQUIRED
            .iter()
            .map(|c| Field::new(*c, if *c == "date" { DataType::Date32 } else { DataType::Utf8 }, false))
            .collect::<Vec<_>>(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::UnitCost;
    use crate::prices::PriceYear;
    use arrow_array::{Float64Array, StringViewArray};

    fn s(v: &[&str]) -> ArrayRef {
        Arc::new(StringArray::from(v.to_vec()))
    }

    fn read(batch: RecordBatch, options: ReadOptions) -> Result<Journeys, Error> {
        let cat = Catalogue::new(vec![UnitCost::new("CALL", "Police", Decimal::new(5, 0), PriceYear::Calendar(2024))])
            .unwrap();
        journeys_from_batches("DataFrame", &batch.schema(), [Ok(batch)], Some(&cat), options)
    }

    #[test]
    fn float_columns_are_refused_once_unless_allowed() {
        let batch = RecordBatch::try_from_iter([
            ("person_id", s(&["A", "B"])),
            ("pathway", s(&["old", "new"])),
            ("date", s(&["2024-01-01", "2024-01-02"])),
            ("code", s(&["CALL", "CALL"])),
            ("quantity", Arc::new(Float64Array::from(vec![0.1, 2.0])) as ArrayRef),
        ])
        .unwrap();
        let err = read(batch.clone(), ReadOptions::default()).unwrap_err();
        assert_eq!(err.problems().len(), 1);
        assert!(err.problems()[0].message.contains("floats are not exact"), "{err}");
        let j = read(batch, ReadOptions { allow_float: true, threads: None }).unwrap();
        assert_eq!(j.get(0).quantity.to_string(), "0.1");
    }

    #[test]
    fn every_row_problem_is_collected_with_its_row() {
        let batch = RecordBatch::try_from_iter([
            ("person_id", Arc::new(StringViewArray::from(vec![Some("A"), None, Some("C")])) as ArrayRef),
            ("pathway", s(&["old", "new", "new"])),
            ("date", s(&["2024-01-01", "2024-02-30", "2024-01-03"])),
            ("code", s(&["CALL", "CALL", "NOPE"])),
        ])
        .unwrap();
        let err = read(batch, ReadOptions::default()).unwrap_err();
        let got: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "DataFrame row 1, field \"person_id\": expected a value for person_id, found a null",
                "DataFrame row 1, field \"date\": expected a date YYYY-MM-DD, found \"2024-02-30\"",
                "DataFrame row 2, field \"code\": code \"NOPE\" is not in the catalogue",
            ]
        );
    }

    #[test]
    fn missing_and_mistyped_columns() {
        let batch = RecordBatch::try_from_iter([
            ("person_id", s(&["A"])),
            ("date", Arc::new(Float64Array::from(vec![1.0])) as ArrayRef),
            ("code", s(&["CALL"])),
        ])
        .unwrap();
        let err = read(batch, ReadOptions { allow_float: true, threads: None }).unwrap_err();
        let kinds: Vec<_> = err.problems().iter().map(|p| (p.location.field.clone().unwrap(), p.kind)).collect();
        assert_eq!(
            kinds,
            [("pathway".to_owned(), ProblemKind::MissingColumn), ("date".to_owned(), ProblemKind::InvalidValue)]
        );
    }

    #[test]
    fn any_number_of_threads_reads_the_same_events_and_problems() {
        let dates = ["2024-01-01", "2024-02-30", "2024-03-01"];
        let make = |clean: bool| -> Vec<RecordBatch> {
            (0..7)
                .map(|b| {
                    let n = 3 + b;
                    let people: Vec<String> = (0..n).map(|i| format!("P{}", (i * 7 + b) % 5)).collect();
                    let codes: Vec<&str> =
                        (0..n).map(|i| if !clean && (i + b) % 11 == 0 { "NOPE" } else { "CALL" }).collect();
                    let when: Vec<&str> =
                        (0..n).map(|i| if clean { dates[2 * ((i + b) % 2)] } else { dates[(i + b) % 3] }).collect();
                    RecordBatch::try_from_iter([
                        ("person_id", Arc::new(StringArray::from(people)) as ArrayRef),
                        ("pathway", s(&vec!["old"; n])),
                        ("date", s(&when)),
                        ("code", s(&codes)),
                    ])
                    .unwrap()
                })
                .collect()
        };
        let batches = make(false);
        let cat = Catalogue::new(vec![UnitCost::new("CALL", "Police", Decimal::new(5, 0), PriceYear::Calendar(2024))])
            .unwrap();
        let read = |threads: usize, bs: &[RecordBatch]| {
            let options = ReadOptions { allow_float: false, threads: Some(threads) };
            journeys_from_batches("t", &bs[0].schema(), bs.iter().cloned().map(Ok), Some(&cat), options)
        };
        // The same rows in one batch, which the threads share by slicing it.
        let whole = |bs: &[RecordBatch]| {
            let column = |k: usize| -> Vec<String> {
                bs.iter()
                    .flat_map(|b| (0..b.num_rows()).map(move |i| b.column(k).as_string::<i32>().value(i).to_owned()))
                    .collect()
            };
            let column = |k: usize| Arc::new(StringArray::from(column(k))) as ArrayRef;
            vec![
                RecordBatch::try_from_iter([
                    ("person_id", column(0)),
                    ("pathway", column(1)),
                    ("date", column(2)),
                    ("code", column(3)),
                ])
                .unwrap(),
            ]
        };
        let one = read(1, &batches).unwrap_err();
        for threads in [2, 3, 8] {
            assert_eq!(read(threads, &batches).unwrap_err(), one);
            assert_eq!(read(threads, &whole(&batches)).unwrap_err(), one);
        }
        let good = make(true);
        let events = |j: Journeys| (0..j.len()).map(|i| j.get(i)).collect::<Vec<_>>();
        let one = events(read(1, &good).unwrap());
        for threads in [2, 3, 8, 100] {
            assert_eq!(events(read(threads, &good).unwrap()), one);
            assert_eq!(events(read(threads, &whole(&good)).unwrap()), one);
        }
    }

    /// A generated row: person, pathway, day, code, quantity and note/probability choices.
    type Generated = (usize, usize, i32, usize, usize, usize);

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { cases: 64, rng_seed: proptest::test_runner::RngSeed::Fixed(26), failure_persistence: None, ..Default::default() })]

        /// Typed columns (text, `date32`, `decimal128`), which the fast reader of plain rows
        /// reads, give the events or problems that the same values as text give, which every
        /// row reader reads: nulls, empty ids, negative or oversized quantities, unknown codes,
        /// and optional columns with and without values included.
        #[test]
        fn plain_rows_read_as_text_rows_do(
            rows in proptest::collection::vec((0usize..6, 0usize..4, 0i32..3000, 0usize..4, 0usize..11, 0usize..8), 1..40),
            scale in proptest::sample::select(vec![0i8, 2, 7]),
            threads in 1usize..4,
        ) {
            let people = [Some("P1"), Some("P2"), Some("P3"), Some("Zoë"), Some(""), None];
            let pathways = [Some("old"), Some("new"), Some(""), None];
            let codes = [Some("CALL"), Some("VISIT"), Some("NOPE"), None];
            let notes = [None, None, None, None, None, Some("hello"), Some(""), None];
            let probabilities = [None, None, None, None, None, None, Some("0.5"), Some("1.5")];
            let quantities = [None, Some(-150), Some(-1), Some(0), Some(1), Some(25), Some(150), Some(999_999_999_999), Some(1_000_000_000_001), Some(10_000_000_000_000_000_000), Some(123_456_789)];
            let col = |f: &dyn Fn(&Generated) -> Option<String>| -> ArrayRef {
                Arc::new(StringArray::from(rows.iter().map(f).collect::<Vec<_>>()))
            };
            let person = col(&|r| people[r.0].map(str::to_owned));
            let pathway = col(&|r| pathways[r.1].map(str::to_owned));
            let code = col(&|r| codes[r.3].map(str::to_owned));
            let note = col(&|r| notes[r.5].map(str::to_owned));
            let probability = col(&|r| probabilities[r.5].map(str::to_owned));
            let days: Vec<i32> = rows.iter().map(|r| 18_000 + r.2).collect();
            let mantissas: Vec<Option<i128>> = rows.iter().map(|r| quantities[r.4]).collect();
            let typed = RecordBatch::try_from_iter([
                ("person_id", person.clone()),
                ("pathway", pathway.clone()),
                ("date", Arc::new(Date32Array::from(days.clone())) as ArrayRef),
                ("code", code.clone()),
                ("quantity", Arc::new(Decimal128Array::from(mantissas.clone()).with_precision_and_scale(38, scale).unwrap()) as ArrayRef),
                ("note", note.clone()),
                ("probability", probability.clone()),
            ])
            .unwrap();
            let text_date = |d: i32| from_epoch_days(i64::from(d)).unwrap().to_string();
            let text_quantity = |m: i128| Decimal::try_from_i128_with_scale(m, u32::from(scale.unsigned_abs())).unwrap().to_string();
            let text = RecordBatch::try_from_iter([
                ("person_id", person),
                ("pathway", pathway),
                ("date", Arc::new(StringArray::from(days.iter().map(|d| text_date(*d)).collect::<Vec<_>>())) as ArrayRef),
                ("code", code),
                ("quantity", Arc::new(StringArray::from(mantissas.iter().map(|m| m.map(text_quantity)).collect::<Vec<_>>())) as ArrayRef),
                ("note", note),
                ("probability", probability),
            ])
            .unwrap();
            let cat = Catalogue::new(vec![
                UnitCost::new("CALL", "Police", Decimal::new(5, 0), PriceYear::Calendar(2024)),
                UnitCost::new("VISIT", "Housing", Decimal::new(75, 1), PriceYear::Calendar(2024)),
            ])
            .unwrap();
            let read = |b: &RecordBatch| {
                let options = ReadOptions { allow_float: false, threads: Some(threads) };
                journeys_from_batches("t", &b.schema(), [Ok(b.clone())], Some(&cat), options)
                    .map(|j| (0..j.len()).map(|i| j.get(i)).collect::<Vec<_>>())
            };
            proptest::prop_assert_eq!(read(&typed), read(&text));
        }
    }

    #[test]
    fn dates_beyond_chrono_are_refused_on_the_fast_path_too() {
        for days in [i32::MIN, i32::MAX, 100_000_000] {
            let batch = RecordBatch::try_from_iter([
                ("person_id", s(&["P"])),
                ("pathway", s(&["old"])),
                ("date", Arc::new(Date32Array::from(vec![days])) as ArrayRef),
                ("code", s(&["CALL"])),
            ])
            .unwrap();
            let err = journeys_from_batches("t", &batch.schema(), [Ok(batch.clone())], None, ReadOptions::default())
                .unwrap_err();
            assert_eq!(err.problems()[0].location.field.as_deref(), Some("date"), "{days}");
        }
    }

    /// Dates outside 1900-01-01 to 2199-12-31 are refused, typed or as text, on the fast path
    /// and the row reader's (#13).
    #[test]
    fn dates_outside_the_supported_range_are_refused() {
        // 1899-12-31, 2200-01-01 and 0001-01-01 as days from 1970.
        for days in [-25_568, 84_006, -719_162] {
            for end in [false, true] {
                let mut columns = vec![
                    ("person_id", s(&["P"])),
                    ("pathway", s(&["old"])),
                    ("date", Arc::new(Date32Array::from(vec![if end { 0 } else { days }])) as ArrayRef),
                    ("code", s(&["CALL"])),
                ];
                if end {
                    columns.push(("end_date", Arc::new(Date32Array::from(vec![days])) as ArrayRef));
                }
                let batch = RecordBatch::try_from_iter(columns).unwrap();
                let err =
                    journeys_from_batches("t", &batch.schema(), [Ok(batch.clone())], None, ReadOptions::default())
                        .unwrap_err();
                let p = &err.problems()[0];
                assert_eq!(p.location.field.as_deref(), Some(if end { "end_date" } else { "date" }), "{days}");
                assert!(
                    p.message.starts_with("expected a date from 1900-01-01 to 2199-12-31, found \""),
                    "{}",
                    p.message
                );
            }
        }
        let batch = RecordBatch::try_from_iter([
            ("person_id", s(&["P"])),
            ("pathway", s(&["old"])),
            ("date", s(&["2200-01-01"])),
            ("code", s(&["CALL"])),
        ])
        .unwrap();
        let err =
            journeys_from_batches("t", &batch.schema(), [Ok(batch.clone())], None, ReadOptions::default()).unwrap_err();
        assert_eq!(err.problems()[0].message, "expected a date from 1900-01-01 to 2199-12-31, found \"2200-01-01\"");
    }

    #[test]
    fn events_round_trip_through_a_batch() {
        let csv = "person_id,pathway,date,code,quantity,end_date,cost,demand,probability,note\n\
                   A,old,2024-01-01,CALL,1.5,,12.345,failure,0.25,hello\nB,new,2024-02-03,CALL,2,2024-02-05,,,,\n";
        let j = crate::io::read_events("events.csv", csv.as_bytes(), None).unwrap();
        let batch = journeys_to_batch(&j).unwrap();
        let back =
            journeys_from_batches("t", &batch.schema(), [Ok(batch.clone())], None, ReadOptions::default()).unwrap();
        assert_eq!(
            (0..j.len()).map(|i| j.get(i)).collect::<Vec<_>>(),
            (0..back.len()).map(|i| back.get(i)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn csv_tables_are_typed_as_declared_not_by_their_values() {
        let t = table_from_csv(
            "compare/demand",
            b"pathway,demand,events,cost,cost_share\nold,failure,3,10.5,0.25\nnew,value,0,-0.01,\n",
        )
        .unwrap();
        let types: Vec<String> = t.schema().fields().iter().map(|f| f.data_type().to_string()).collect();
        assert_eq!(types, ["Utf8", "Utf8", "Int64", "Decimal128(38, 2)", "Decimal128(38, 4)"]);
        let cost = t.column(3).as_primitive::<Decimal128Type>();
        assert_eq!((cost.value(0), cost.value(1)), (1050, -1));
        assert!(t.column(4).is_null(1));
        // A column of labels that look like numbers stays text; a grouped comparison's first
        // column and the public-value case's last are text.
        let t = table_from_csv(
            "compare/tiers",
            b"reason,pathway,tier,events,cost,value_types\n2019,old,1,2,3.00,fiscal+economic+social\n",
        )
        .unwrap();
        let types: Vec<String> = t.schema().fields().iter().map(|f| f.data_type().to_string()).collect();
        assert_eq!(types, ["Utf8", "Utf8", "Utf8", "Int64", "Decimal128(38, 2)", "Utf8"]);
        // Even when the persons column grouped by has the name of one of the table's own.
        let t = table_from_csv("compare/tiers", b"cost,pathway,tier,events,cost\nhigh,old,1,2,3.00\n").unwrap();
        assert_eq!(t.schema().field(0).data_type(), &DataType::Utf8);
        assert_eq!(t.schema().field(4).data_type(), &DataType::Decimal128(38, 2));
        // The same column has the same type whatever its values: a percentile of 5 or 2.5.
        for v in ["5", "2.5"] {
            let csv = format!("measure,percentile,value\nnet_annual,{v},1.00\n");
            let t = table_from_csv("extrapolate/percentiles", csv.as_bytes()).unwrap();
            assert_eq!(t.schema().field(1).data_type(), &DataType::Float64);
        }
        // What is not declared, or not of its type, is refused.
        assert!(table_from_csv("compare/unknown", b"a\n1\n").unwrap_err().contains("no schema"));
        assert!(table_from_csv("compare/demand", b"pathway,colour\nold,red\n").unwrap_err().contains("\"colour\""));
        assert!(table_from_csv("compare/demand", b"pathway,events\nold,many\n").unwrap_err().contains("not a count"));
    }
}
