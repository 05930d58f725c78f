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

use crate::catalogue::{Catalogue, DemandKind, Tier};
use crate::error::{Error, Location, ProblemKind, Problems};
use crate::journey::Journeys;
use crate::money::{Money, apportion, round_ratio_to_penny};
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
    row: Vec<u32>,
    person: Vec<u32>,
    pathway: Vec<u32>,
    agency: Vec<u32>,
    entry: Vec<u32>,
    month: Vec<i32>,
    cost: Vec<Decimal>,
    tier: Vec<Option<Tier>>,
    demand: Vec<Option<DemandKind>>,
    continuation: Vec<bool>,
    real_unit_costs: Vec<Option<Decimal>>,
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
    /// Whether this line continues a spell whose previous month is the line before it.
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
    pub fn build(journeys: &Journeys, catalogue: &Catalogue, index: &PriceIndex, price_base: PriceYear) -> Result<Ledger, Error> {
        let mut problems = Problems::default();
        let src = || Location::source("events");
        if index.get(price_base).is_none() {
            return Err(Error::new(
                Location::source("price index"),
                ProblemKind::MissingPriceYear,
                format!("the target price year {price_base} is not in the price index"),
            ));
        }
        // Resolve each distinct code once.
        let entry_of: Vec<Option<usize>> = journeys.codes().names().iter().map(|c| catalogue.position(c)).collect();
        let mut real: Vec<Option<Decimal>> = vec![None; catalogue.len()];
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
            if converted[e] {
                continue;
            }
            converted[e] = true;
            let u = &catalogue.entries()[e];
            match index.convert(u.unit_cost, u.price_year, price_base) {
                Ok(v) => real[e] = Some(v),
                Err(err) => problems.push(crate::error::Problem::new(
                    Location::source("catalogue").in_field("price_year"),
                    ProblemKind::MissingPriceYear,
                    format!("code {:?}: {err}", u.code),
                )),
            }
        }
        if !problems.is_empty() {
            return problems.into_result(Ledger::empty(price_base));
        }

        let mut ledger = Ledger::empty(price_base);
        ledger.persons = journeys.persons().names().to_vec();
        ledger.pathways = journeys.pathways().names().to_vec();
        ledger.agencies = catalogue.agencies().to_vec();
        ledger.codes = catalogue.entries().iter().map(|u| u.code.clone()).collect();
        ledger.real_unit_costs.clone_from(&real);
        let n = journeys.len();
        ledger.reserve(n);
        for ev in journeys.iter() {
            let Some(e) = entry_of[ev.code as usize] else { continue };
            let u = &catalogue.entries()[e];
            let real_cost = match ev.cost {
                None => real[e].unwrap_or_default(),
                Some(own) => match index.convert(own, u.price_year, price_base) {
                    Ok(v) => v,
                    Err(err) => {
                        problems.push(row_problem(journeys, ev.row, "cost", ProblemKind::Overflow, &err.to_string()));
                        continue;
                    }
                },
            };
            let probability = ev.probability.unwrap_or(Decimal::ONE);
            let demand = ev.demand.or(u.demand);
            let agency = catalogue.agency_index(e);
            let Some(date) = date_of(ev.date) else { continue };
            let base = Line {
                row: ev.row as u32,
                person: ev.person,
                pathway: ev.pathway,
                agency,
                entry: e as u32,
                month: Month::of(date),
                cost: Money::ZERO,
                tier: u.tier,
                demand,
                continuation: false,
            };
            let Some(rate) = real_cost.checked_mul(ev.quantity).and_then(|c| c.checked_mul(probability)) else {
                problems.push(row_problem(journeys, ev.row, "quantity", ProblemKind::Overflow, "the cost is too large to compute exactly"));
                continue;
            };
            match ev.end.and_then(date_of) {
                None => ledger.push(Line { cost: Money::new(rate), ..base }),
                Some(end) => {
                    let Some(d) = u.unit.spell_days() else {
                        problems.push(row_problem(
                            journeys,
                            ev.row,
                            "end_date",
                            ProblemKind::SpellUnit,
                            &format!("code {:?} is priced per {}, not per day, week or year, so it cannot be a spell", u.code, u.unit),
                        ));
                        continue;
                    };
                    let parts = month_days(date, end);
                    let days: u64 = parts.iter().map(|p| p.1).sum();
                    let Some(total) = round_ratio_to_penny(rate, Decimal::from(days), Decimal::from(d)) else {
                        problems.push(row_problem(
                            journeys,
                            ev.row,
                            "quantity",
                            ProblemKind::Overflow,
                            "the spell's cost is too large to compute exactly",
                        ));
                        continue;
                    };
                    let weights: Vec<u64> = parts.iter().map(|p| p.1).collect();
                    for (i, (part, (month, _))) in apportion(Money::new(total), &weights).into_iter().zip(parts).enumerate() {
                        ledger.push(Line { month, cost: part, continuation: i > 0, ..base });
                    }
                }
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
            row: Vec::new(),
            person: Vec::new(),
            pathway: Vec::new(),
            agency: Vec::new(),
            entry: Vec::new(),
            month: Vec::new(),
            cost: Vec::new(),
            tier: Vec::new(),
            demand: Vec::new(),
            continuation: Vec::new(),
            real_unit_costs: Vec::new(),
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

    /// Catalogue codes, indexed by [`Line::entry`].
    #[must_use]
    pub fn codes(&self) -> &[String] {
        &self.codes
    }

    /// The unit cost of each catalogue entry in the price base, for the entries that were used.
    #[must_use]
    pub fn real_unit_costs(&self) -> &[Option<Decimal>] {
        &self.real_unit_costs
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
    pub fn aggregate<K: Eq + Hash>(&self, period: PeriodKind, mut key: impl FnMut(&Line, Period) -> Option<K>) -> HashMap<K, Totals> {
        let mut out: HashMap<K, Totals> = HashMap::new();
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

fn row_problem(journeys: &Journeys, row: usize, field: &str, kind: ProblemKind, message: &str) -> crate::error::Problem {
    let ev = journeys.at(row);
    crate::error::Problem::new(
        Location::source("events").in_field(field),
        kind,
        format!(
            "event {} (person {:?}, code {:?}): {message}",
            row + 1,
            journeys.persons().name(ev.person),
            journeys.codes().name(ev.code)
        ),
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
