//! The streaming `cost` job: the workload's three tables summed while `events.csv` is read,
//! without storing the events. Memory holds only per-group and per-person sums, whatever the
//! number of events.
//!
//! It applies the same checks as [`read_events`](super::read_events) (the same reader does
//! them) and the same costing rules as [`Ledger::build`](crate::ledger::Ledger::build):
//! the same price-base conversion, exact products, and spells rounded then apportioned to
//! months. Sums are kept in `i128` at a fixed scale of 14 decimals (the most a line's cost can
//! have), so they are exact; the test suite checks that its bytes equal the ledger path's.

use std::collections::{BTreeSet, HashMap};

use rust_decimal::Decimal;

use super::{InputPaths, load_deflators, load_layered, name_of, open, read::visit_events, span};
use crate::error::{Error, Location, Problem, ProblemKind, Problems};
use crate::journey::EventParts;
use crate::money::{Money, apportion, exact_mul, round_ratio_to_penny};
use crate::output::{CostSums, render_cost_tables};
use crate::period::{Month, month_days};
use crate::prices::PriceYear;

/// The fixed scale of the running sums: a line's cost has at most 2 + 6 + 6 decimals.
const SCALE: u32 = 14;

/// A line's exact cost as an integer count of 10^-14 pounds.
fn units(d: Decimal) -> Option<i128> {
    let scale = d.scale();
    if scale > SCALE {
        let n = d.normalize();
        return (n.scale() <= SCALE).then(|| units(n)).flatten();
    }
    d.mantissa().checked_mul(10i128.checked_pow(SCALE - scale)?)
}

fn money(u: i128) -> Option<Money> {
    Decimal::try_from_i128_with_scale(u, SCALE).ok().map(Money::new)
}

/// Costs the events of `paths` at `price_year` (default: the latest year of the price index)
/// and renders `monthly.csv`, `persons.csv` and `summary.csv` (pathways `old` and `new`), as
/// [`cost_tables`](crate::output::cost_tables) does from a ledger.
///
/// # Errors
/// Every problem of every file, as [`Inputs::load`](super::Inputs::load) reports them, and a
/// sum too large to keep exactly.
pub fn cost_streaming(paths: &InputPaths, price_year: Option<PriceYear>) -> Result<crate::io::OutputSet, Error> {
    let catalogue = load_layered(&paths.catalogue);
    let index = load_deflators(paths.deflators.as_deref());
    let (layered, index) = match (catalogue, index) {
        (Ok(c), Ok(i)) => (c, i),
        (c, i) => return Err(Error::merge([c.err(), i.err()].into_iter().flatten()).unwrap_or_else(|| overflow("inputs"))),
    };
    let catalogue = &layered.catalogue;
    let deflators = paths.deflators.as_deref().map_or_else(|| crate::builtin::HMT_DEFLATOR_NAME.to_owned(), name_of);
    let Some(price_base) = price_year.or_else(|| index.latest()) else {
        return Err(Error::new(Location::source(&deflators), ProblemKind::Empty, "the price index has no years"));
    };
    if index.get(price_base).is_none() {
        return Err(Error::new(
            Location::source(&deflators),
            ProblemKind::MissingPriceYear,
            format!("the target price year {price_base} is not in the price index (it has {})", span(&index)),
        ));
    }
    let real: Vec<Option<Decimal>> =
        catalogue.entries().iter().map(|u| index.convert(u.unit_cost, u.price_year, price_base).ok()).collect();

    let mut pathways: Vec<Box<str>> = Vec::new();
    let mut person_ids: HashMap<Box<str>, u32> = HashMap::new();
    let mut persons: Vec<Box<str>> = Vec::new();
    let mut person_units: Vec<[i128; 2]> = Vec::new();
    let mut agency_units: Vec<[i128; 2]> = vec![[0; 2]; catalogue.agencies().len()];
    let mut monthly: HashMap<(u32, u32, i32), (u64, i128)> = HashMap::new();
    let mut missing_year: BTreeSet<usize> = BTreeSet::new();
    let mut problems = Problems::default();
    let mut overflowed = false;

    let (name, file) = open(&paths.events)?;
    visit_events(&name, file, Some(catalogue), |e: &EventParts<'_>| {
        let Some(entry) = catalogue.position(e.code) else { return };
        let u = &catalogue.entries()[entry];
        let real_cost = match e.cost {
            Some(own) => index.convert(own, u.price_year, price_base).ok(),
            None => real[entry],
        };
        let Some(real_cost) = real_cost else {
            missing_year.insert(entry);
            return;
        };
        let pathway = if let Some(i) = pathways.iter().position(|p| &**p == e.pathway) {
            i as u32
        } else {
            pathways.push(e.pathway.into());
            (pathways.len() - 1) as u32
        };
        let person = if let Some(&i) = person_ids.get(e.person) {
            i
        } else {
            let i = persons.len() as u32;
            persons.push(e.person.into());
            person_ids.insert(e.person.into(), i);
            person_units.push([0; 2]);
            i
        };
        let side = match e.pathway {
            "old" => Some(0),
            "new" => Some(1),
            _ => None,
        };
        let agency = catalogue.agency_index(entry);
        let Some(rate) = exact_mul(real_cost, e.quantity).and_then(|c| exact_mul(c, e.probability.unwrap_or(Decimal::ONE))) else {
            overflowed = true;
            return;
        };
        let parts: Vec<(Month, Decimal)> = match (e.end, u.unit.spell_days()) {
            (Some(end), Some(d)) => {
                let days_by_month = month_days(e.date, end);
                let days: u64 = days_by_month.iter().map(|p| p.1).sum();
                let Some(total) = round_ratio_to_penny(rate, Decimal::from(days), Decimal::from(d)) else {
                    overflowed = true;
                    return;
                };
                let weights: Vec<u64> = days_by_month.iter().map(|p| p.1).collect();
                apportion(Money::new(total), &weights)
                    .into_iter()
                    .zip(days_by_month)
                    .map(|(part, (month, _))| (month, part.exact()))
                    .collect()
            }
            _ => vec![(Month::of(e.date), rate)],
        };
        for (month, cost) in parts {
            let Some(v) = units(cost) else {
                overflowed = true;
                return;
            };
            // A spell counts once in each month it touches: each part is its own month.
            let cell = monthly.entry((pathway, agency, month.0)).or_insert((0, 0));
            cell.0 += 1;
            match cell.1.checked_add(v) {
                Some(sum) => cell.1 = sum,
                None => overflowed = true,
            }
            if let Some(side) = side {
                let (p, a) = (&mut person_units[person as usize][side], &mut agency_units[agency as usize][side]);
                match (p.checked_add(v), a.checked_add(v)) {
                    (Some(np), Some(na)) => {
                        *p = np;
                        *a = na;
                    }
                    _ => overflowed = true,
                }
            }
        }
    })?;

    for entry in missing_year {
        let u = &catalogue.entries()[entry];
        let (source, line) = &layered.origins[entry];
        problems.push(Problem::new(
            Location::source(source.clone()).at_line(*line).in_field("price_year"),
            ProblemKind::MissingPriceYear,
            format!("price year {} of code {:?} is not in {deflators} (it has {})", u.price_year, u.code, span(&index)),
        ));
    }
    if overflowed {
        problems.push(Problem::new(
            Location::source(name.clone()),
            ProblemKind::Overflow,
            "the costs are too large, or too precise, to be summed exactly: reduce the quantities' decimals or split the cohort",
        ));
    }
    if let Some(e) = problems.into_error() {
        return Err(e);
    }
    let to_money = |u: i128| money(u).ok_or_else(|| overflow(&name));
    let mut cells = Vec::with_capacity(monthly.len());
    for (k, (events, u)) in monthly {
        cells.push((k, events, to_money(u)?));
    }
    let person_costs = person_units.iter().map(|[o, n]| Ok(Some([to_money(*o)?, to_money(*n)?]))).collect::<Result<Vec<_>, Error>>()?;
    let agency_costs = agency_units.iter().map(|[o, n]| Ok([to_money(*o)?, to_money(*n)?])).collect::<Result<Vec<_>, Error>>()?;
    Ok(render_cost_tables(CostSums {
        pathways: &pathways,
        agencies: catalogue.agencies(),
        persons: &persons,
        monthly: cells,
        person_costs,
        agency_costs,
    }))
}

fn overflow(name: &str) -> Error {
    Error::new(Location::source(name), ProblemKind::Overflow, "the costs are too large to be summed exactly")
}
