//! Costing: journeys x catalogue x price base -> a ledger of exact, costed lines.
//!
//! The rules (also in `docs/semantics.md`):
//! 1. `real_unit_cost = round_half_even(unit_cost * index[T] / index[price_year], 2)`; a row's
//!    own `cost` replaces `unit_cost` and is converted the same way.
//! 2. A point event costs `real_unit_cost * quantity * probability`, exact and unrounded.
//! 3. A spell of `days = end_date - date + 1` costs
//!    `round_half_even(real_unit_cost * quantity * probability * days / D, 2)` with `D` = 1, 7
//!    or 365 for `day`, `week`, `year`; that total is apportioned to calendar months by days with
//!    the largest-remainder method at the penny (ties to the earlier month).
//!
//! A point event is one ledger line; a spell is one line per calendar month it touches. Every
//! view (by agency, period, person, tier, demand kind) is an exact sum of lines.

use std::collections::HashMap;
use std::hash::Hash;

use rust_decimal::Decimal;

use crate::catalogue::{Catalogue, DemandKind, Tier, ValueType};
use crate::error::{Error, Location, ProblemKind, Problems};
use crate::journey::Journeys;
use crate::money::{ExactSumCheck, Money, apportion, exact_mul, round_ratio_to_penny};
use crate::period::{Month, Period, PeriodKind, date_of, month_days};
use crate::prices::{PriceIndex, PriceYear};

/// The ledger: every costed line, stored columnar, with the names its ids refer to.
#[derive(Debug, Clone)]
pub struct Ledger {
    price_base: PriceYear,
    persons: Vec<Box<str>>,
    pathways: Vec<Box<str>>,
    agencies: Vec<String>,
    codes: Vec<String>,
    details: Vec<Option<String>>,
    row: Vec<u32>,
    person: Vec<u32>,
    pathway: Vec<u32>,
    agency: Vec<u32>,
    entry: Vec<u32>,
    month: Vec<i32>,
    cost: Vec<Decimal>,
    tier: Vec<Option<Tier>>,
    demand: Vec<Option<DemandKind>>,
    value_type: Vec<ValueType>,
    continuation: Vec<bool>,
    real_unit_costs: Vec<[Option<Decimal>; 3]>,
    value_types: Vec<ValueType>,
}

/// One costed line of the [`Ledger`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    /// The event row it comes from.
    pub row: u32,
    /// Person id (index into [`Ledger::persons`]).
    pub person: u32,
    /// Pathway id (index into [`Ledger::pathways`]).
    pub pathway: u32,
    /// Agency id (index into [`Ledger::agencies`], which is in byte order).
    pub agency: u32,
    /// Catalogue entry position.
    pub entry: u32,
    /// The calendar month the cost falls in.
    pub month: Month,
    /// The exact cost.
    pub cost: Money,
    /// Tier of need, if known.
    pub tier: Option<Tier>,
    /// Demand kind, if known.
    pub demand: Option<DemandKind>,
    /// The kind of value this line counts.
    pub value_type: ValueType,
    /// Whether this line continues the event of the line before it (a spell's later month, or
    /// another value type of the same event and month): such a line does not count as a new
    /// event unless its period differs from the line before.
    pub continuation: bool,
}

/// Event count and exact cost of a group of lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    /// Events: point events count once; a spell counts once in each period it touches.
    pub events: u64,
    /// Exact cost.
    pub cost: Money,
}

impl Ledger {
    /// Costs `journeys` with `catalogue` at the price base `price_base`.
    ///
    /// # Errors
    /// Every event whose code is not in the catalogue, every spell on a unit that is not a time
    /// rate, and every price year missing from `index` (including `price_base` itself), at most
    /// [`MAX_PROBLEMS_PER_FILE`](crate::error::MAX_PROBLEMS_PER_FILE) listed.
    ///
    /// # Example
    /// ```
    /// use journeycost::{catalogue::{Catalogue, UnitCost}, journey::{Event, Journeys}};
    /// use journeycost::{ledger::Ledger, prices::{PriceIndex, PriceYear}};
    /// use chrono::NaiveDate;
    /// use rust_decimal::Decimal;
    ///
    /// let y = PriceYear::Calendar(2024);
    /// let catalogue = Catalogue::new(vec![UnitCost::new("CALL", "Police", Decimal::new(34127, 2), y)]).unwrap();
    /// let mut index = PriceIndex::new();
    /// index.insert(y, Decimal::ONE_HUNDRED).unwrap();
    /// let mut j = Journeys::new();
    /// j.push(Event::new("ANNA", "old", NaiveDate::from_ymd_opt(2024, 1, 5).unwrap(), "CALL").quantity(Decimal::TWO)).unwrap();
    /// let ledger = Ledger::build(&j, &catalogue, &index, y).unwrap();
    /// assert_eq!(ledger.total().to_string(), "682.54");
    /// ```
    pub fn build(
        journeys: &Journeys,
        catalogue: &Catalogue,
        index: &PriceIndex,
        price_base: PriceYear,
    ) -> Result<Ledger, Error> {
        Ledger::build_with(journeys, catalogue, index, price_base, &[ValueType::Fiscal])
    }

    /// Costs `journeys` counting the given value types: `[Fiscal]` is the financial case (what
    /// [`Ledger::build`] does), [`ValueType::ALL`] the public-value case. Each value type of an
    /// event is its own line, so the types stay apart; a unit cost without a value of some type
    /// simply has no line of that type. A row's own `cost` replaces the fiscal value only.
    ///
    /// # Errors
    /// As for [`Ledger::build`]; also an empty list of value types.
    pub fn build_with(
        journeys: &Journeys,
        catalogue: &Catalogue,
        index: &PriceIndex,
        price_base: PriceYear,
        values: &[ValueType],
    ) -> Result<Ledger, Error> {
        Ledger::build_part(journeys, catalogue, index, price_base, values, 0, true, &mut 0)
    }

    /// [`Ledger::build_with`] for a part of the events that starts at event `first_row` of the
    /// whole (problems name events by their place in the whole), checking that the sums are
    /// exact only when `check_sums` (a caller that costs the events in parts checks the whole).
    /// `spell_months` counts the months of the spells of the whole, part after part
    /// ([`MAX_SPELL_MONTHS`]).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn build_part(
        journeys: &Journeys,
        catalogue: &Catalogue,
        index: &PriceIndex,
        price_base: PriceYear,
        values: &[ValueType],
        first_row: usize,
        check_sums: bool,
        spell_months: &mut u64,
    ) -> Result<Ledger, Error> {
        let mut problems = Problems::default();
        let src = || Location::source("events");
        let row_problem = |row: usize, field: &str, kind: ProblemKind, message: &str| {
            row_problem(journeys, row, first_row, field, kind, message)
        };
        if index.get(price_base).is_none() {
            return Err(Error::new(
                Location::source("price index"),
                ProblemKind::MissingPriceYear,
                format!("the target price year {price_base} is not in the price index"),
            ));
        }
        let mut values: Vec<ValueType> = values.to_vec();
        values.sort_unstable();
        values.dedup();
        if values.is_empty() {
            return Err(Error::new(
                Location::source("options"),
                ProblemKind::Scenario,
                "at least one value type must be counted",
            ));
        }
        // Resolve each distinct code once, and convert each used unit cost once per value type.
        let entry_of: Vec<Option<usize>> = journeys.codes().names().iter().map(|c| catalogue.position(c)).collect();
        // Price years the index lacks: one problem per year, naming the unit costs priced in it.
        let mut missing = crate::catalogue::MissingYears::default();
        for &e in entry_of.iter().flatten() {
            let u = &catalogue.entries()[e];
            for &t in &values {
                if let Some(v) = u.value(t).filter(|v| index.get(v.price_year).is_none()) {
                    missing.add(v.price_year, &u.code, Location::source("catalogue").in_field(price_year_field(t)));
                }
            }
        }
        let years_missing = !missing.is_empty();
        for p in missing.problems(index, "the price index") {
            problems.push(p);
        }
        let mut real: Vec<[Option<Decimal>; 3]> = vec![[None; 3]; catalogue.len()];
        let mut converted = vec![false; catalogue.len()];
        for (code_id, e) in entry_of.iter().enumerate() {
            let Some(e) = *e else {
                problems.push(crate::error::Problem::new(
                    src().in_field("code"),
                    ProblemKind::UnknownCode,
                    format!("code {:?} is not in the catalogue", journeys.codes().name(code_id as u32)),
                ));
                continue;
            };
            if converted[e] || years_missing {
                continue;
            }
            converted[e] = true;
            real[e] = real_unit_costs(&catalogue.entries()[e], index, price_base, &values, &mut problems);
        }
        if !problems.is_empty() {
            return problems.into_result(Ledger::empty(price_base));
        }

        let mut ledger = Ledger::empty(price_base);
        ledger.persons = journeys.persons().names().to_vec();
        ledger.pathways = journeys.pathways().names().to_vec();
        ledger.agencies = catalogue.agencies().to_vec();
        ledger.codes = catalogue.entries().iter().map(|u| u.code.clone()).collect();
        ledger.details = catalogue.entries().iter().map(|u| u.agency_detail.clone()).collect();
        ledger.real_unit_costs.clone_from(&real);
        ledger.value_types.clone_from(&values);
        ledger.reserve(journeys.len());
        // The spells' months are counted first: when they pass the bound, the spell that passes
        // it is named (in its place among the other problems) and no month is made.
        let (mut months, mut passing) = (*spell_months, None);
        for ev in journeys.iter() {
            let Some(e) = entry_of[ev.code as usize] else { continue };
            let (Some(start), Some(end)) = (date_of(ev.date), ev.end.and_then(date_of)) else { continue };
            if catalogue.entries()[e].unit.spell_days().is_some() {
                let before = months;
                months += (Month::of(end).0 - Month::of(start).0 + 1) as u64;
                if before <= MAX_SPELL_MONTHS && months > MAX_SPELL_MONTHS {
                    passing = Some(ev.row);
                }
            }
        }
        let spells_refused = months > MAX_SPELL_MONTHS;
        *spell_months = months;
        let mut rates: Vec<(ValueType, Decimal)> = Vec::with_capacity(3);
        for ev in journeys.iter() {
            let Some(e) = entry_of[ev.code as usize] else { continue };
            let u = &catalogue.entries()[e];
            let probability = ev.probability.unwrap_or(Decimal::ONE);
            rates.clear();
            for &t in &values {
                let real_cost = match (t, ev.cost) {
                    (ValueType::Fiscal, Some(own)) => match index.convert(own, u.price_year, price_base) {
                        Ok(v) => v,
                        Err(err) => {
                            problems.push(row_problem(ev.row, "cost", ProblemKind::Overflow, &err.to_string()));
                            continue;
                        }
                    },
                    _ => match real[e][t as usize] {
                        Some(v) => v,
                        None => continue,
                    },
                };
                match exact_mul(real_cost, ev.quantity).and_then(|c| exact_mul(c, probability)) {
                    Some(rate) => rates.push((t, rate)),
                    None => {
                        problems.push(row_problem(
                            ev.row,
                            "quantity",
                            ProblemKind::Overflow,
                            "the cost is too large to compute exactly",
                        ));
                    }
                }
            }
            let Some(date) = date_of(ev.date) else { continue };
            let base = Line {
                row: ev.row as u32,
                person: ev.person,
                pathway: ev.pathway,
                agency: catalogue.agency_index(e),
                entry: e as u32,
                month: Month::of(date),
                cost: Money::ZERO,
                tier: u.tier,
                demand: ev.demand.or(u.demand),
                value_type: ValueType::Fiscal,
                continuation: false,
            };
            match ev.end.and_then(date_of) {
                None => {
                    // One line per value type; only the first counts as the event.
                    for (i, &(t, rate)) in rates.iter().enumerate() {
                        ledger.push(Line { cost: Money::new(rate), value_type: t, continuation: i > 0, ..base });
                    }
                }
                Some(end) => {
                    let Some(d) = u.unit.spell_days() else {
                        problems.push(row_problem(
                            ev.row,
                            "end_date",
                            ProblemKind::SpellUnit,
                            &format!(
                                "code {:?} is priced per {}, not per day, week or year, so it cannot be a spell",
                                u.code, u.unit
                            ),
                        ));
                        continue;
                    };
                    if spells_refused {
                        if passing == Some(ev.row) {
                            problems.push(spell_months_problem(journeys, ev.row, first_row));
                        }
                        continue;
                    }
                    let parts = month_days(date, end);
                    let days: u64 = parts.iter().map(|p| p.1).sum();
                    let weights: Vec<u64> = parts.iter().map(|p| p.1).collect();
                    let mut split: Vec<(ValueType, Vec<Money>)> = Vec::with_capacity(rates.len());
                    for &(t, rate) in &rates {
                        let Some(total) = round_ratio_to_penny(rate, Decimal::from(days), Decimal::from(d)) else {
                            problems.push(row_problem(
                                ev.row,
                                "quantity",
                                ProblemKind::Overflow,
                                "the spell's cost is too large to compute exactly",
                            ));
                            continue;
                        };
                        split.push((t, apportion(Money::new(total), &weights)));
                    }
                    // Month by month, each value type's part: the spell counts once per period.
                    for (m, (month, _)) in parts.iter().enumerate() {
                        for (i, (t, money)) in split.iter().enumerate() {
                            ledger.push(Line {
                                month: *month,
                                cost: money[m],
                                value_type: *t,
                                continuation: m > 0 || i > 0,
                                ..base
                            });
                        }
                    }
                }
            }
        }
        if check_sums && problems.is_empty() {
            // The event whose line first takes the sums past the bound is named.
            let mut check = ExactSumCheck::default();
            if let Some(i) = ledger.cost.iter().position(|c| {
                check.add(*c);
                !check.exact()
            }) {
                problems.push(inexact_sums(journeys, ledger.row[i] as usize, first_row));
            }
        }
        problems.into_result(ledger)
    }

    fn empty(price_base: PriceYear) -> Ledger {
        Ledger {
            price_base,
            persons: Vec::new(),
            pathways: Vec::new(),
            agencies: Vec::new(),
            codes: Vec::new(),
            details: Vec::new(),
            row: Vec::new(),
            person: Vec::new(),
            pathway: Vec::new(),
            agency: Vec::new(),
            entry: Vec::new(),
            month: Vec::new(),
            cost: Vec::new(),
            tier: Vec::new(),
            demand: Vec::new(),
            value_type: Vec::new(),
            continuation: Vec::new(),
            real_unit_costs: Vec::new(),
            value_types: vec![ValueType::Fiscal],
        }
    }

    fn reserve(&mut self, n: usize) {
        self.row.reserve(n);
        self.person.reserve(n);
        self.pathway.reserve(n);
        self.agency.reserve(n);
        self.entry.reserve(n);
        self.month.reserve(n);
        self.cost.reserve(n);
        self.tier.reserve(n);
        self.demand.reserve(n);
        self.value_type.reserve(n);
        self.continuation.reserve(n);
    }

    fn push(&mut self, l: Line) {
        self.row.push(l.row);
        self.person.push(l.person);
        self.pathway.push(l.pathway);
        self.agency.push(l.agency);
        self.entry.push(l.entry);
        self.month.push(l.month.0);
        self.cost.push(l.cost.exact());
        self.tier.push(l.tier);
        self.demand.push(l.demand);
        self.value_type.push(l.value_type);
        self.continuation.push(l.continuation);
    }

    /// The price base every cost is expressed in.
    #[must_use]
    pub fn price_base(&self) -> PriceYear {
        self.price_base
    }

    /// Person ids, indexed by [`Line::person`].
    #[must_use]
    pub fn persons(&self) -> &[Box<str>] {
        &self.persons
    }

    /// Pathway names, indexed by [`Line::pathway`].
    #[must_use]
    pub fn pathways(&self) -> &[Box<str>] {
        &self.pathways
    }

    /// The id of a pathway, if any event is on it.
    #[must_use]
    pub fn pathway_id(&self, name: &str) -> Option<u32> {
        self.pathways.iter().position(|p| &**p == name).map(|i| i as u32)
    }

    /// The id of a person, if they have any event.
    #[must_use]
    pub fn person_id(&self, name: &str) -> Option<u32> {
        self.persons.iter().position(|p| &**p == name).map(|i| i as u32)
    }

    /// Every agency of the catalogue in byte order, indexed by [`Line::agency`].
    #[must_use]
    pub fn agencies(&self) -> &[String] {
        &self.agencies
    }

    /// The agency detail (the second level of the agency, e.g. a team) of a catalogue entry.
    #[must_use]
    pub fn agency_detail(&self, entry: u32) -> Option<&str> {
        self.details.get(entry as usize).and_then(Option::as_deref)
    }

    /// Catalogue codes, indexed by [`Line::entry`].
    #[must_use]
    pub fn codes(&self) -> &[String] {
        &self.codes
    }

    /// The unit cost of a catalogue entry in the price base, for a value type, if the entry was
    /// used and has that value.
    #[must_use]
    pub fn real_unit_cost(&self, entry: usize, value_type: ValueType) -> Option<Decimal> {
        self.real_unit_costs.get(entry).and_then(|v| v[value_type as usize])
    }

    /// The value types this ledger counts: `[Fiscal]` for the financial case.
    #[must_use]
    pub fn value_types(&self) -> &[ValueType] {
        &self.value_types
    }

    /// The number of lines.
    #[must_use]
    pub fn len(&self) -> usize {
        self.row.len()
    }

    /// Whether there are no lines.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.row.is_empty()
    }

    /// Line `i`.
    ///
    /// # Panics
    /// If `i >= self.len()`.
    #[must_use]
    pub fn line(&self, i: usize) -> Line {
        Line {
            row: self.row[i],
            person: self.person[i],
            pathway: self.pathway[i],
            agency: self.agency[i],
            entry: self.entry[i],
            month: Month(self.month[i]),
            cost: Money::new(self.cost[i]),
            tier: self.tier[i],
            demand: self.demand[i],
            value_type: self.value_type[i],
            continuation: self.continuation[i],
        }
    }

    /// Every line, in order (event rows in input order; a spell's months in date order).
    pub fn lines(&self) -> impl Iterator<Item = Line> + '_ {
        (0..self.len()).map(|i| self.line(i))
    }

    /// The exact total of every line.
    #[must_use]
    pub fn total(&self) -> Money {
        self.cost.iter().map(|&c| Money::new(c)).sum()
    }

    /// Groups lines by a key and sums them, counting events per `period` kind: a point event
    /// counts once, a spell once in each period of that kind it touches.
    ///
    /// `key` sees each line and its period and returns `None` to leave the line out.
    /// The result is unordered; callers sort it by their own key order.
    pub fn aggregate<K: Eq + Hash>(
        &self,
        period: PeriodKind,
        mut key: impl FnMut(&Line, Period) -> Option<K>,
    ) -> HashMap<K, Totals, rustc_hash::FxBuildHasher> {
        let mut out: HashMap<K, Totals, rustc_hash::FxBuildHasher> = HashMap::default();
        let mut previous: Option<Period> = None;
        for i in 0..self.len() {
            let line = self.line(i);
            let p = period.of_month(line.month);
            let counts = !line.continuation || previous != Some(p);
            previous = Some(p);
            if let Some(k) = key(&line, p) {
                let t = out.entry(k).or_default();
                t.events += u64::from(counts);
                t.cost += line.cost;
            }
        }
        out
    }
}

/// A unit cost brought to the price base for each of `values` (by [`ValueType`] index), with
/// a problem for each value whose price year is not in the index.
pub(crate) fn real_unit_costs(
    u: &crate::catalogue::UnitCost,
    index: &PriceIndex,
    price_base: PriceYear,
    values: &[ValueType],
    problems: &mut Problems,
) -> [Option<Decimal>; 3] {
    let mut real = [None; 3];
    for &t in values {
        let Some(v) = u.value(t) else { continue };
        match index.convert(v.amount, v.price_year, price_base) {
            Ok(r) => real[t as usize] = Some(r),
            Err(err) => problems.push(crate::error::Problem::new(
                Location::source("catalogue").in_field(price_year_field(t)),
                ProblemKind::MissingPriceYear,
                format!("code {:?}: {err}", u.code),
            )),
        }
    }
    real
}

/// The catalogue column of a value type's price year.
fn price_year_field(t: ValueType) -> String {
    if t == ValueType::Fiscal { "price_year".to_owned() } else { format!("{}_price_year", t.as_str()) }
}

/// The most months all the spells of the events may span together: a spell is costed as one
/// ledger line per month (per value type), so this bounds the ledger whatever the dates.
/// (Within the supported dates a spell spans at most 3,600 months.)
pub const MAX_SPELL_MONTHS: u64 = 10_000_000;

/// The problem of spells that span more than [`MAX_SPELL_MONTHS`] in all, at the event (row
/// `row` of `journeys`, whose first row is event `first_row` of the whole) that passes it.
pub(crate) fn spell_months_problem(journeys: &Journeys, row: usize, first_row: usize) -> crate::error::Problem {
    let ev = journeys.at(row);
    spell_months_problem_at(first_row + row + 1, journeys.persons().name(ev.person), journeys.codes().name(ev.code))
}

/// [`spell_months_problem`] at the 1-based `event` of the whole, of `person` and `code`.
pub(crate) fn spell_months_problem_at(event: usize, person: &str, code: &str) -> crate::error::Problem {
    event_problem(
        event,
        person,
        code,
        "end_date",
        ProblemKind::Overflow,
        "the spells up to this one span more than 10,000,000 months in all, the most journeycost costs (see docs/semantics.md)",
    )
}

/// The problem of sums that would not be exact ([`crate::money::sums_exactly`]), at the event
/// (row `row` of `journeys`, whose first row is event `first_row` of the whole) whose line first
/// takes the sum of the lines' absolute values past the bound: one message for every command.
pub(crate) fn inexact_sums(journeys: &Journeys, row: usize, first_row: usize) -> crate::error::Problem {
    row_problem(
        journeys,
        row,
        first_row,
        "quantity",
        ProblemKind::Overflow,
        "the costs are too large, or too precise, to be summed exactly: reduce the quantities' decimals or split the cohort",
    )
}

fn row_problem(
    journeys: &Journeys,
    row: usize,
    first_row: usize,
    field: &str,
    kind: ProblemKind,
    message: &str,
) -> crate::error::Problem {
    let ev = journeys.at(row);
    event_problem(
        first_row + row + 1,
        journeys.persons().name(ev.person),
        journeys.codes().name(ev.code),
        field,
        kind,
        message,
    )
}

/// A problem of the 1-based `event` (of `person`, with `code`) in its `field`.
fn event_problem(
    event: usize,
    person: &str,
    code: &str,
    field: &str,
    kind: ProblemKind,
    message: &str,
) -> crate::error::Problem {
    crate::error::Problem::new(
        Location::source("events").in_field(field),
        kind,
        format!("event {event} (person {person:?}, code {code:?}): {message}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{Unit, UnitCost};
    use crate::journey::Event;
    use chrono::NaiveDate;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn setup() -> (Catalogue, PriceIndex) {
        let y22 = PriceYear::Calendar(2022);
        let mut week = UnitCost::new("FOSTER", "Children", dec("806.00"), y22);
        week.unit = Unit::Week;
        let call = UnitCost::new("CALL", "Police", dec("205.15"), y22);
        let mut hour = UnitCost::new("HOUR", "Police", dec("10"), y22);
        hour.unit = Unit::Hour;
        let mut index = PriceIndex::new();
        index.insert(y22, dec("100.00")).unwrap();
        index.insert(PriceYear::Calendar(2024), dec("110.00")).unwrap();
        (Catalogue::new(vec![week, call, hour]).unwrap(), index)
    }

    #[test]
    fn point_events_cost_exactly() {
        let (cat, idx) = setup();
        let mut j = Journeys::new();
        j.push(Event::new("A", "old", day(2024, 1, 1), "CALL").quantity(dec("0.5")).probability(dec("0.5"))).unwrap();
        let l = Ledger::build(&j, &cat, &idx, PriceYear::Calendar(2024)).unwrap();
        // 205.15 * 1.1 = 225.665 -> 225.66; * 0.25 = 56.415 exactly
        assert_eq!(l.total().exact(), dec("56.415"));
    }

    #[test]
    fn spells_are_apportioned_by_days() {
        let (cat, idx) = setup();
        let mut j = Journeys::new();
        j.push(Event::new("A", "old", day(2024, 1, 25), "FOSTER").until(day(2024, 2, 7))).unwrap();
        let l = Ledger::build(&j, &cat, &idx, PriceYear::Calendar(2022)).unwrap();
        // 14 days at 806/week = 1612.00, Jan 7 days, Feb 7 days
        assert_eq!(l.len(), 2);
        assert_eq!(l.line(0).cost.exact(), dec("806.00"));
        assert_eq!(l.line(1).cost.exact(), dec("806.00"));
        assert!(l.line(1).continuation);
        let by_year = l.aggregate(PeriodKind::Year, |_, p| Some(p));
        assert_eq!(by_year.values().next().unwrap().events, 1);
        let by_month = l.aggregate(PeriodKind::Month, |_, p| Some(p));
        assert_eq!(by_month.values().map(|t| t.events).sum::<u64>(), 2);
    }

    #[test]
    fn value_types_stay_apart_and_events_count_once() {
        let (cat, idx) = setup();
        let mut entries = cat.entries().to_vec();
        entries[0].economic =
            Some(crate::catalogue::Amount { amount: dec("70.00"), price_year: PriceYear::Calendar(2022) });
        entries[1].social =
            Some(crate::catalogue::Amount { amount: dec("10.00"), price_year: PriceYear::Calendar(2024) });
        let cat = Catalogue::new(entries).unwrap();
        let mut j = Journeys::new();
        j.push(Event::new("A", "old", day(2024, 1, 25), "FOSTER").until(day(2024, 2, 7))).unwrap();
        j.push(Event::new("A", "old", day(2024, 3, 1), "CALL").cost(dec("100"))).unwrap();
        let fiscal = Ledger::build(&j, &cat, &idx, PriceYear::Calendar(2022)).unwrap();
        assert_eq!(fiscal.total().exact(), dec("1712.00"));
        let public = Ledger::build_with(&j, &cat, &idx, PriceYear::Calendar(2022), &ValueType::ALL).unwrap();
        // + economic 14 days at 70.00 a week = 140.00; + social 10.00 at 2024 prices = 9.09 (2022)
        assert_eq!(public.total().exact(), dec("1861.09"));
        let by_type = public.aggregate(PeriodKind::Month, |l, _| Some(l.value_type));
        assert_eq!(by_type[&ValueType::Economic].cost.exact(), dec("140.00"));
        assert_eq!(by_type[&ValueType::Social].cost.exact(), dec("9.09"));
        // the spell counts once in each of its two months; the call once
        let events: u64 = public.aggregate(PeriodKind::Month, |_, p| Some(p)).values().map(|t| t.events).sum();
        assert_eq!(events, 3);
        let events: u64 = public.aggregate(PeriodKind::Year, |_, p| Some(p)).values().map(|t| t.events).sum();
        assert_eq!(events, 2);
        assert_eq!(public.value_types(), ValueType::ALL);
    }

    #[test]
    fn collects_every_problem() {
        let (cat, idx) = setup();
        let mut j = Journeys::new();
        j.push(Event::new("A", "old", day(2024, 1, 1), "NOPE")).unwrap();
        j.push(Event::new("A", "old", day(2024, 1, 1), "HOUR").until(day(2024, 1, 2))).unwrap();
        j.push(Event::new("A", "old", day(2024, 1, 1), "ALSO-NOPE")).unwrap();
        let err = Ledger::build(&j, &cat, &idx, PriceYear::Calendar(2024)).unwrap_err();
        assert_eq!(err.problems().len(), 2, "{err}");
        assert!(err.problems().iter().all(|p| p.kind == ProblemKind::UnknownCode));
        let mut j = Journeys::new();
        j.push(Event::new("A", "old", day(2024, 1, 1), "HOUR").until(day(2024, 1, 2))).unwrap();
        let err = Ledger::build(&j, &cat, &idx, PriceYear::Calendar(2024)).unwrap_err();
        assert_eq!(err.kind(), ProblemKind::SpellUnit);
        let err = Ledger::build(&j, &cat, &idx, PriceYear::Calendar(2030)).unwrap_err();
        assert_eq!(err.kind(), ProblemKind::MissingPriceYear);
    }
}
