//! Journeys: every contact (event) and spell a person had with an agency, on a pathway.
//!
//! [`Journeys`] stores events columnar (person, pathway and code interned to integers, dates as
//! day numbers, the rarely used optional fields in a side table) so that ten million events fit
//! comfortably in memory; [`Event`] is the ergonomic row view used to build and read them.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::catalogue::DemandKind;
use crate::period::{DayNumber, date_of, day_number};

/// The most decimal places accepted in a quantity or a probability: enough for any real input,
/// and small enough that every product and sum stays exact in `Decimal`'s 96 bits.
pub const MAX_INPUT_DECIMALS: u32 = 6;

/// The largest absolute unit cost, quantity or probability accepted (one trillion), for the
/// same reason.
pub const MAX_INPUT_MAGNITUDE: i64 = 1_000_000_000_000;

/// Strings interned to dense `u32` ids, in order of first appearance.
#[derive(Debug, Clone, Default)]
pub struct Interner {
    names: Vec<Box<str>>,
    ids: rustc_hash::FxHashMap<Box<str>, u32>,
    /// The id last returned: rows of one person (or code) often come together.
    last: Option<u32>,
}

impl Interner {
    /// The id of `name`, adding it if new.
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(last) = self.last {
            if *self.names[last as usize] == *name {
                return last;
            }
        }
        let id = if let Some(&id) = self.ids.get(name) {
            id
        } else {
            let id = self.names.len() as u32;
            self.names.push(name.into());
            self.ids.insert(name.into(), id);
            id
        };
        self.last = Some(id);
        id
    }

    /// The id of `name`, if present.
    #[must_use]
    pub fn id(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    /// The name of an id.
    ///
    /// # Panics
    /// If `id` was not returned by this interner.
    #[must_use]
    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    /// Every name, indexed by id.
    #[must_use]
    pub fn names(&self) -> &[Box<str>] {
        &self.names
    }

    /// The number of distinct names.
    #[must_use]
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether no name has been interned.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// One contact or spell, as a row.
///
/// # Example
/// ```
/// use journeycost::journey::Event;
/// use chrono::NaiveDate;
/// use rust_decimal::Decimal;
///
/// let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
/// // Two children in foster care for six months, judged 60% likely under the old way.
/// let care = Event::new("ANNA", "old", d(2023, 1, 1), "CSC-FOSTER")
///     .until(d(2023, 6, 30))
///     .quantity(Decimal::from(2))
///     .probability(Decimal::new(6, 1));
/// assert!(care.check().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Who.
    pub person: String,
    /// Which way of working: e.g. `old` (the baseline) or `new` (the alternative).
    pub pathway: String,
    /// The date of the contact, or the first day of a spell.
    pub date: NaiveDate,
    /// The catalogue code that prices it.
    pub code: String,
    /// How many units (default 1).
    pub quantity: Decimal,
    /// The last day of a spell (inclusive); `None` for a point event.
    pub end_date: Option<NaiveDate>,
    /// A unit cost for this row only, in the catalogue entry's price year.
    pub cost: Option<Decimal>,
    /// The demand kind of this row, overriding the catalogue's default.
    pub demand: Option<DemandKind>,
    /// The probability of a projected event (0 to 1); `None` means certain.
    pub probability: Option<Decimal>,
    /// Free text; never used in any computation and never published unless asked for.
    pub note: Option<String>,
}

impl Event {
    /// A point event of quantity 1.
    #[must_use]
    pub fn new(
        person: impl Into<String>,
        pathway: impl Into<String>,
        date: NaiveDate,
        code: impl Into<String>,
    ) -> Event {
        Event {
            person: person.into(),
            pathway: pathway.into(),
            date,
            code: code.into(),
            quantity: Decimal::ONE,
            end_date: None,
            cost: None,
            demand: None,
            probability: None,
            note: None,
        }
    }

    /// Sets the quantity.
    #[must_use]
    pub fn quantity(mut self, quantity: Decimal) -> Event {
        self.quantity = quantity;
        self
    }

    /// Makes the event a spell ending on `end_date` (inclusive).
    #[must_use]
    pub fn until(mut self, end_date: NaiveDate) -> Event {
        self.end_date = Some(end_date);
        self
    }

    /// Sets a row-specific unit cost.
    #[must_use]
    pub fn cost(mut self, cost: Decimal) -> Event {
        self.cost = Some(cost);
        self
    }

    /// Sets the demand kind of this row.
    #[must_use]
    pub fn demand(mut self, demand: DemandKind) -> Event {
        self.demand = Some(demand);
        self
    }

    /// Sets the probability of a projected event.
    #[must_use]
    pub fn probability(mut self, probability: Decimal) -> Event {
        self.probability = Some(probability);
        self
    }

    /// Attaches a free-text note.
    #[must_use]
    pub fn note(mut self, note: impl Into<String>) -> Event {
        self.note = Some(note.into());
        self
    }

    /// Checks the row's own rules (not those that need the catalogue).
    ///
    /// # Errors
    /// The first broken rule, as the field it concerns and a message.
    pub fn check(&self) -> Result<(), FieldError> {
        self.parts().check()
    }

    /// Every broken rule of the event, one per field (empty when [`Event::check`] passes).
    #[must_use]
    pub fn problems(&self) -> Vec<FieldError> {
        self.parts().problems()
    }

    fn parts(&self) -> EventParts<'_> {
        EventParts {
            person: &self.person,
            pathway: &self.pathway,
            code: &self.code,
            date: self.date,
            end: self.end_date,
            quantity: self.quantity,
            cost: self.cost,
            demand: self.demand,
            probability: self.probability,
            note: self.note.as_deref(),
        }
    }
}

/// A broken rule in one field of an event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field {field:?}: {message}")]
pub struct FieldError {
    /// The field, named as the column of `events.csv`.
    pub field: &'static str,
    /// What was expected and found.
    pub message: String,
}

impl FieldError {
    pub(crate) fn new(field: &'static str, message: impl Into<String>) -> FieldError {
        FieldError { field, message: message.into() }
    }
}

/// Checks that a quantity or probability is within the bounds that keep all arithmetic exact.
pub(crate) fn check_amount(d: Decimal) -> Result<(), String> {
    // Only a value written with more decimals can have too many once trailing zeros go.
    if d.scale() > MAX_INPUT_DECIMALS && d.normalize().scale() > MAX_INPUT_DECIMALS {
        return Err(format!("expected at most {MAX_INPUT_DECIMALS} decimal places, found {d}"));
    }
    check_magnitude(d)
}

/// The largest mantissa within [`MAX_INPUT_MAGNITUDE`] at each scale `Decimal` has (0 to 28):
/// `MAX_INPUT_MAGNITUDE * 10^scale`, or `u128::MAX` where that passes every 96-bit mantissa.
const MAGNITUDE_BOUNDS: [u128; 29] = {
    let mut bounds = [u128::MAX; 29];
    let mut scale = 0;
    let mut bound = MAX_INPUT_MAGNITUDE as u128;
    while scale < 29 && bound < (1 << 96) {
        bounds[scale] = bound;
        bound *= 10;
        scale += 1;
    }
    bounds
};

/// Checks that a unit cost is within the bounds that keep all arithmetic exact. Its decimals
/// are not limited: a unit cost is rounded to the penny when it is brought to the price base.
pub(crate) fn check_magnitude(d: Decimal) -> Result<(), String> {
    // |d| <= MAX exactly when |mantissa| <= MAX * 10^scale, compared as integers (a bound past
    // i128 holds every mantissa).
    if d.mantissa().unsigned_abs() > MAGNITUDE_BOUNDS[d.scale() as usize] {
        return Err(format!("expected a value of at most {MAX_INPUT_MAGNITUDE} in size, found {d}"));
    }
    Ok(())
}

/// The fields of one row, borrowed: what the CSV reader hands to [`Journeys::push_parts`].
pub(crate) struct EventParts<'a> {
    pub(crate) person: &'a str,
    pub(crate) pathway: &'a str,
    pub(crate) code: &'a str,
    pub(crate) date: NaiveDate,
    pub(crate) end: Option<NaiveDate>,
    pub(crate) quantity: Decimal,
    pub(crate) cost: Option<Decimal>,
    pub(crate) demand: Option<DemandKind>,
    pub(crate) probability: Option<Decimal>,
    pub(crate) note: Option<&'a str>,
}

impl EventParts<'_> {
    /// The row's own rules (not those that need the catalogue): the one place they are written.
    pub(crate) fn check(&self) -> Result<(), FieldError> {
        match self.problems().into_iter().next() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Every broken rule of the row, one per field, in column order.
    pub(crate) fn problems(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        for (field, value, what) in [
            ("person_id", self.person, "a person id"),
            ("pathway", self.pathway, "a pathway name"),
            ("code", self.code, "a catalogue code"),
        ] {
            if value.is_empty() {
                out.push(FieldError::new(field, format!("expected {what}, found an empty field")));
            }
        }
        if let Err(m) = check_amount(self.quantity) {
            out.push(FieldError::new("quantity", m));
        } else if self.quantity.is_sign_negative() && !self.quantity.is_zero() {
            out.push(FieldError::new("quantity", format!("expected a quantity of 0 or more, found {}", self.quantity)));
        }
        for (field, date) in [("date", Some(self.date)), ("end_date", self.end)] {
            if let Some(d) = date.filter(|d| !crate::period::is_supported(*d)) {
                out.push(FieldError::new(field, crate::period::unsupported_date(&d.to_string())));
            }
        }
        if let Some(end) = self.end.filter(|end| *end < self.date) {
            out.push(FieldError::new("end_date", format!("end date {end} is before the start date {}", self.date)));
        }
        if let Some(Err(m)) = self.cost.map(check_magnitude) {
            out.push(FieldError::new("cost", m));
        }
        if let Some(p) = self.probability {
            if let Err(m) = check_amount(p) {
                out.push(FieldError::new("probability", m));
            } else if p < Decimal::ZERO || p > Decimal::ONE {
                out.push(FieldError::new("probability", format!("expected a probability from 0 to 1, found {p}")));
            }
        }
        out
    }
}

/// The rarely used optional fields of an event, kept out of the hot columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Detail {
    cost: Option<Decimal>,
    demand: Option<DemandKind>,
    probability: Option<Decimal>,
    note: Option<Box<str>>,
}

const NO_DETAIL: u32 = u32::MAX;
const NO_END: DayNumber = DayNumber::MIN;

/// The events of a cohort, stored columnar.
///
/// # Example
/// ```
/// use journeycost::journey::{Event, Journeys};
/// use chrono::NaiveDate;
///
/// let mut j = Journeys::new();
/// let d = NaiveDate::from_ymd_opt(2020, 5, 1).unwrap();
/// j.push(Event::new("ANNA", "old", d, "HOU-LETTER")).unwrap();
/// j.push(Event::new("ANNA", "new", d, "LT-VISIT")).unwrap();
/// assert_eq!(j.len(), 2);
/// assert_eq!(j.get(1).pathway, "new");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Journeys {
    persons: Interner,
    pathways: Interner,
    codes: Interner,
    person: Vec<u32>,
    pathway: Vec<u32>,
    code: Vec<u32>,
    date: Vec<DayNumber>,
    end: Vec<DayNumber>,
    quantity: Vec<Decimal>,
    detail: Vec<u32>,
    details: Vec<Detail>,
}

/// A borrowed view of one event in [`Journeys`], with ids rather than names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRef {
    /// Row index.
    pub row: usize,
    /// Interned person id.
    pub person: u32,
    /// Interned pathway id.
    pub pathway: u32,
    /// Interned code id.
    pub code: u32,
    /// Date as a day number.
    pub date: DayNumber,
    /// End date of a spell as a day number.
    pub end: Option<DayNumber>,
    /// Quantity.
    pub quantity: Decimal,
    /// Row-specific unit cost.
    pub cost: Option<Decimal>,
    /// Row-specific demand kind.
    pub demand: Option<DemandKind>,
    /// Probability.
    pub probability: Option<Decimal>,
}

impl Journeys {
    /// No events.
    #[must_use]
    pub fn new() -> Journeys {
        Journeys::default()
    }

    /// Adds an event after checking its own rules.
    ///
    /// # Errors
    /// The first broken rule of [`Event::check`]; nothing is added then.
    #[allow(clippy::needless_pass_by_value)] // by value, so builder chains read `push(Event::new(..).until(..))`
    pub fn push(&mut self, event: Event) -> Result<(), FieldError> {
        let parts = event.parts();
        parts.check()?;
        self.push_parts(&parts);
        Ok(())
    }

    /// Makes room for `n` more events.
    pub fn reserve(&mut self, n: usize) {
        self.person.reserve(n);
        self.pathway.reserve(n);
        self.code.reserve(n);
        self.date.reserve(n);
        self.end.reserve(n);
        self.quantity.reserve(n);
        self.detail.reserve(n);
    }

    /// Appends every event of `other` after these, matching persons, pathways and codes by
    /// name: the result is what reading both sources one after the other would give.
    pub fn append(&mut self, other: Journeys) {
        self.reserve(other.len());
        let person: Vec<u32> = other.persons.names.iter().map(|n| self.persons.intern(n)).collect();
        let pathway: Vec<u32> = other.pathways.names.iter().map(|n| self.pathways.intern(n)).collect();
        let code: Vec<u32> = other.codes.names.iter().map(|n| self.codes.intern(n)).collect();
        self.person.extend(other.person.iter().map(|&i| person[i as usize]));
        self.pathway.extend(other.pathway.iter().map(|&i| pathway[i as usize]));
        self.code.extend(other.code.iter().map(|&i| code[i as usize]));
        self.date.extend(other.date);
        self.end.extend(other.end);
        self.quantity.extend(other.quantity);
        let offset = self.details.len() as u32;
        self.detail.extend(other.detail.iter().map(|&d| if d == NO_DETAIL { NO_DETAIL } else { d + offset }));
        self.details.extend(other.details);
    }

    /// Adds a row with no end date and no detail whose fields the caller has already checked
    /// (the Arrow reader's plain rows), its date as a day number.
    #[cfg(feature = "arrow")]
    pub(crate) fn push_plain(&mut self, person: &str, pathway: &str, code: &str, date: DayNumber, quantity: Decimal) {
        self.person.push(self.persons.intern(person));
        self.pathway.push(self.pathways.intern(pathway));
        self.code.push(self.codes.intern(code));
        self.date.push(date);
        self.end.push(NO_END);
        self.quantity.push(quantity);
        self.detail.push(NO_DETAIL);
    }

    /// Adds a row whose fields the caller has already checked (the CSV reader).
    pub(crate) fn push_parts(&mut self, e: &EventParts<'_>) {
        let (person, pathway, code, date, end, quantity) = (e.person, e.pathway, e.code, e.date, e.end, e.quantity);
        let detail =
            Detail { cost: e.cost, demand: e.demand, probability: e.probability, note: e.note.map(Into::into) };
        self.person.push(self.persons.intern(person));
        self.pathway.push(self.pathways.intern(pathway));
        self.code.push(self.codes.intern(code));
        self.date.push(day_number(date));
        self.end.push(end.map_or(NO_END, day_number));
        self.quantity.push(quantity);
        if detail == Detail::default() {
            self.detail.push(NO_DETAIL);
        } else {
            self.detail.push(self.details.len() as u32);
            self.details.push(detail);
        }
    }

    /// The number of events.
    #[must_use]
    pub fn len(&self) -> usize {
        self.person.len()
    }

    /// Whether there are no events.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.person.is_empty()
    }

    /// The interned person ids.
    #[must_use]
    pub fn persons(&self) -> &Interner {
        &self.persons
    }

    /// The interned pathway names.
    #[must_use]
    pub fn pathways(&self) -> &Interner {
        &self.pathways
    }

    /// The interned catalogue codes.
    #[must_use]
    pub fn codes(&self) -> &Interner {
        &self.codes
    }

    /// A view of row `row`, with ids.
    ///
    /// # Panics
    /// If `row >= self.len()`.
    #[must_use]
    pub fn at(&self, row: usize) -> EventRef {
        let d = self.detail[row];
        let detail = (d != NO_DETAIL).then(|| &self.details[d as usize]);
        EventRef {
            row,
            person: self.person[row],
            pathway: self.pathway[row],
            code: self.code[row],
            date: self.date[row],
            end: (self.end[row] != NO_END).then_some(self.end[row]),
            quantity: self.quantity[row],
            cost: detail.and_then(|d| d.cost),
            demand: detail.and_then(|d| d.demand),
            probability: detail.and_then(|d| d.probability),
        }
    }

    /// Row `row` as an owned [`Event`], with names.
    ///
    /// # Panics
    /// If `row >= self.len()`.
    #[must_use]
    pub fn get(&self, row: usize) -> Event {
        let r = self.at(row);
        let d = self.detail[row];
        let note = (d != NO_DETAIL).then(|| self.details[d as usize].note.as_deref().map(str::to_owned)).flatten();
        Event {
            person: self.persons.name(r.person).to_owned(),
            pathway: self.pathways.name(r.pathway).to_owned(),
            date: date_of(r.date).unwrap_or_default(),
            code: self.codes.name(r.code).to_owned(),
            quantity: r.quantity,
            end_date: r.end.and_then(date_of),
            cost: r.cost,
            demand: r.demand,
            probability: r.probability,
            note,
        }
    }

    /// Every event as an [`EventRef`], in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = EventRef> + '_ {
        (0..self.len()).map(|i| self.at(i))
    }

    /// The events of one person, in insertion order.
    pub fn of_person<'a>(&'a self, person: &str) -> impl Iterator<Item = Event> + 'a {
        let id = self.persons.id(person);
        (0..self.len()).filter(move |&i| Some(self.person[i]) == id).map(|i| self.get(i))
    }
}

/// Person attributes (segments such as the reason for arrears), from `persons.csv`: usable in
/// every group-by.
///
/// # Example
/// ```
/// use journeycost::journey::Persons;
///
/// let mut p = Persons::new(vec!["reason".into()]);
/// p.insert("ANNA", vec!["rent arrears".into()]).unwrap();
/// assert_eq!(p.attribute("ANNA", "reason"), Some("rent arrears"));
/// assert_eq!(p.attribute("BEN", "reason"), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Persons {
    columns: Vec<String>,
    rows: HashMap<String, Vec<String>>,
}

impl Persons {
    /// A table with these attribute columns (not counting `person_id`) and no rows.
    #[must_use]
    pub fn new(columns: Vec<String>) -> Persons {
        Persons { columns, rows: HashMap::new() }
    }

    /// Adds a person's attribute values, in column order.
    ///
    /// # Errors
    /// A message if the person is already present or the number of values is wrong.
    pub fn insert(&mut self, person: &str, values: Vec<String>) -> Result<(), String> {
        if values.len() != self.columns.len() {
            return Err(format!("expected {} attribute values, found {}", self.columns.len(), values.len()));
        }
        if self.rows.contains_key(person) {
            return Err(format!("person {person:?} appears more than once"));
        }
        self.rows.insert(person.to_owned(), values);
        Ok(())
    }

    /// The attribute columns, in file order.
    #[must_use]
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The number of persons.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no persons.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// A person's value of an attribute; `None` if the person or column is unknown.
    #[must_use]
    pub fn attribute(&self, person: &str, column: &str) -> Option<&str> {
        let c = self.columns.iter().position(|x| x == column)?;
        self.rows.get(person).map(|v| v[c].as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The integer checks of size and decimals agree with `Decimal` arithmetic.
        #[test]
        fn bounds_agree_with_decimal(m in proptest::num::i128::ANY, scale in 0u32..=28) {
            let d = Decimal::from_i128_with_scale(m % (1i128 << 96), scale);
            let big = d.abs() > Decimal::from(MAX_INPUT_MAGNITUDE);
            proptest::prop_assert_eq!(check_magnitude(d).is_err(), big);
            proptest::prop_assert_eq!(check_amount(d).is_err(), big || d.normalize().scale() > MAX_INPUT_DECIMALS);
        }
    }

    #[test]
    fn bounds_at_the_edges() {
        let max = Decimal::from(MAX_INPUT_MAGNITUDE);
        assert!(check_magnitude(max).is_ok() && check_magnitude(-max).is_ok());
        assert!(check_magnitude(max + Decimal::new(1, 15)).is_err());
        assert!(check_amount(Decimal::new(1_500_000, 6)).is_ok());
        assert!(check_amount(Decimal::new(15_000_000, 7)).is_ok(), "1.5000000 has one decimal");
        assert!(check_amount(Decimal::new(15_000_001, 7)).is_err());
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Events built in code (the Python package's records) keep to the supported dates (#13).
    #[test]
    fn dates_outside_the_supported_range_are_refused() {
        let mut j = Journeys::new();
        assert!(j.push(Event::new("P", "old", d(1900, 1, 1), "X").until(d(2199, 12, 31))).is_ok());
        let err = j.push(Event::new("P", "old", d(1, 1, 1), "X")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "field \"date\": expected a date from 1900-01-01 to 2199-12-31, found \"0001-01-01\""
        );
        let err = j.push(Event::new("P", "old", d(2024, 1, 1), "X").until(d(9999, 12, 31))).unwrap_err();
        assert_eq!(err.field, "end_date");
        assert_eq!(j.len(), 1);
    }

    #[test]
    fn round_trips_rows() {
        let mut j = Journeys::new();
        let e = Event::new("P1", "old", d(2020, 1, 2), "X")
            .until(d(2020, 3, 1))
            .quantity(Decimal::new(15, 1))
            .probability(Decimal::new(5, 1))
            .demand(DemandKind::Failure)
            .note("moved, twice");
        j.push(e.clone()).unwrap();
        j.push(Event::new("P2", "new", d(2020, 1, 2), "Y")).unwrap();
        assert_eq!(j.get(0), e);
        assert_eq!(j.get(1).quantity, Decimal::ONE);
        assert_eq!(j.of_person("P2").count(), 1);
        assert_eq!(j.persons().len(), 2);
    }

    #[test]
    fn refuses_broken_rows() {
        let base = Event::new("P1", "old", d(2020, 1, 2), "X");
        assert_eq!(base.clone().quantity(Decimal::NEGATIVE_ONE).check().unwrap_err().field, "quantity");
        assert_eq!(base.clone().until(d(2020, 1, 1)).check().unwrap_err().field, "end_date");
        assert_eq!(base.clone().probability(Decimal::new(11, 1)).check().unwrap_err().field, "probability");
        assert_eq!(base.clone().quantity(Decimal::new(1, 7)).check().unwrap_err().field, "quantity");
        assert!(base.clone().quantity(Decimal::ZERO).check().is_ok());
        assert!(base.until(d(2020, 1, 2)).check().is_ok());
    }
}
