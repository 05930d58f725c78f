//! The streaming `compare` job: the comparison run of `journeycost compare` made while
//! `events.csv` is read, without storing the events or the ledger.
//!
//! The events are read by the same reader as [`Inputs::load`](super::Inputs::load), in parts of
//! [`PART`] events. Each part is costed by the same rules as the whole
//! ([`Ledger::build_part`]), and its lines are added to one [`Tally`] per group as
//! [`compare`](crate::compare::compare) adds a whole ledger's; the part is then dropped. One
//! thread reads while another costs, the parts in the order they were read, so the run does not
//! depend on timing. Memory holds at most three parts, and per-person and per-group state,
//! whatever the number of events. The run, and every problem (with its file, line or event), are
//! those of loading everything first: the test suite checks both, for parts of any size.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::{deflators_name, load_deflators, load_layered, price_base_of, price_year_problems};
use crate::catalogue::{Catalogue, ValueType};
use crate::compare::{CompareOptions, ComparisonRun, EventCounter, GroupComparison, Side, Tally, find_pathway};
use crate::error::{Error, Location, ProblemKind, Problems};
use crate::io::read::visit_events;
use crate::io::{InputPaths, open, read_persons};
use crate::journey::{EventParts, Interner, Journeys, Persons};
use crate::ledger::{Ledger, Line, real_unit_costs};
use crate::money::ExactSumCheck;
use crate::period::Month;
use crate::prices::{PriceIndex, PriceYear};

/// How many events are costed at a time.
pub const PART: usize = 1 << 18;

/// The most months (ledger lines per value type) a part may hold: a part of long spells is
/// sent before it reaches [`PART`] events, so a part's ledger stays small whatever the spells.
const PART_MONTHS: u64 = 1 << 20;

/// Runs `journeycost compare` on `paths` while reading the events: the run that
/// [`compare_run`](crate::compare::compare_run) makes of the ledger of
/// [`Inputs::load`](super::Inputs::load) and [`Ledger::build_with`], and its price base.
///
/// # Errors
/// Every problem those would report, in the same order: the files' problems, then the price
/// years, then the costing, then the options (an unknown person, a grouping without its column,
/// a pathway with no events).
pub fn compare_streaming(
    paths: &InputPaths,
    price_year: Option<PriceYear>,
    values: &[ValueType],
    options: &CompareOptions,
    person: Option<&str>,
    by: Option<&str>,
) -> Result<(ComparisonRun, PriceYear), Error> {
    compare_streaming_in_parts(paths, price_year, values, options, person, by, PART)
}

/// [`compare_streaming`], costing `part` events at a time (at least one); the run and its
/// problems are the same for any size.
///
/// # Errors
/// As [`compare_streaming`].
pub fn compare_streaming_in_parts(
    paths: &InputPaths,
    price_year: Option<PriceYear>,
    values: &[ValueType],
    options: &CompareOptions,
    person: Option<&str>,
    by: Option<&str>,
    part: usize,
) -> Result<(ComparisonRun, PriceYear), Error> {
    crate::compare::distinct_pathways(&options.baseline, &options.alternative)?;
    let catalogue = load_layered(&paths.catalogue);
    let index = load_deflators(paths.deflators.as_deref());
    let persons = paths.persons.as_ref().map(|p| open(p).and_then(|(n, f)| read_persons(&n, f))).transpose();
    let mut values: Vec<ValueType> = values.to_vec();
    values.sort_unstable();
    values.dedup();
    let price_base = index.as_ref().ok().and_then(|i| price_year.or_else(|| i.latest_outturn()));
    // Costing needs every input; without one the events are still read, for their problems.
    let costing = match (&catalogue, &index, &persons, price_base) {
        (Ok(c), Ok(i), Ok(p), Some(base)) if i.get(base).is_some() && !values.is_empty() => {
            let by = by.filter(|column| p.as_ref().is_some_and(|t| t.columns().iter().any(|c| c == column)));
            Some(Costing::new(
                Prices { catalogue: &c.catalogue, index: i, price_base: base, values: &values },
                options,
                person,
                p.as_ref().zip(by),
            ))
        }
        _ => None,
    };
    let mut used = vec![false; catalogue.as_ref().map_or(0, |c| c.catalogue.len())];
    // One thread reads and checks the events; another costs them, part by part, in order (a
    // channel of one part keeps at most three parts in memory).
    let (read, reading, costing) = std::thread::scope(|s| {
        let (send, receive) = std::sync::mpsc::sync_channel::<Journeys>(1);
        let worker = costing.map(|mut costing| {
            s.spawn(move || {
                for part in receive {
                    costing.part(&part);
                }
                costing
            })
        });
        let mut reading =
            worker.as_ref().and(costing_inputs(&catalogue, &index, price_base, &values)).map(|prices| Reading {
                prices,
                part: Journeys::new(),
                part_size: part.max(1),
                part_months: 0,
                real: vec![None; prices.catalogue.len()],
                conversion: Problems::default(),
                stopped: false,
                send,
            });
        let read = open(&paths.events).and_then(|(name, f)| {
            visit_events(&name, f, catalogue.as_ref().ok().map(|c| &c.catalogue), |e, entry| {
                if let Some(entry) = entry {
                    used[entry] = true;
                }
                if let Some(r) = &mut reading {
                    r.event(e, entry);
                }
            })
        });
        // The last part; then the channel closes, and the costing thread ends.
        let reading = reading.map(|mut r| {
            r.send_part();
            (r.conversion, r.stopped)
        });
        let costing = worker.map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        (read, reading, costing)
    });
    let (Ok(layered), Ok(index), Ok(()), Ok(persons)) = (&catalogue, &index, &read, &persons) else {
        drop(costing);
        let errs = [catalogue.err(), index.err(), read.err(), persons.err()].into_iter().flatten();
        return Err(Error::merge(errs)
            .unwrap_or_else(|| Error::new(Location::source("inputs"), ProblemKind::Io, "cannot read the inputs")));
    };
    // The price years, as `Inputs::load` checks them.
    let deflators = deflators_name(paths);
    let price_base = price_base_of(index, price_year, &deflators)?;
    if let Some(e) = price_year_problems(layered, index, &deflators, price_base, &used).into_error() {
        return Err(e);
    }
    if values.is_empty() {
        // Where the ledger checks it: after the files and the price years.
        return Err(Error::new(
            Location::source("options"),
            ProblemKind::Scenario,
            "at least one value type must be counted",
        ));
    }
    let (Some((conversion, stopped)), Some(costing)) = (reading, costing) else {
        // Every input was read, and the price years are in the index: costing ran.
        return Err(Error::new(Location::source("inputs"), ProblemKind::Io, "cannot read the inputs"));
    };
    // The unit costs that cannot be brought to the price base, as the ledger reports them.
    if let Some(e) = conversion.into_error() {
        return Err(e);
    }
    if stopped {
        return Err(Error::new(
            Location::source("events"),
            ProblemKind::MissingPriceYear,
            "a unit cost's price year is not in the index",
        ));
    }
    costing.finish(persons.as_ref(), person, by).map(|r| (r, price_base))
}

/// What costing needs: the unit costs, the index, the price base and the values counted.
#[derive(Clone, Copy)]
struct Prices<'a> {
    catalogue: &'a Catalogue,
    index: &'a PriceIndex,
    price_base: PriceYear,
    values: &'a [ValueType],
}

fn costing_inputs<'a>(
    catalogue: &'a Result<super::Layered, Error>,
    index: &'a Result<PriceIndex, Error>,
    price_base: Option<PriceYear>,
    values: &'a [ValueType],
) -> Option<Prices<'a>> {
    match (catalogue, index, price_base) {
        (Ok(c), Ok(i), Some(price_base)) => Some(Prices { catalogue: &c.catalogue, index: i, price_base, values }),
        _ => None,
    }
}

/// The reading side: events gathered into parts, each sent to the costing side when full.
struct Reading<'a> {
    prices: Prices<'a>,
    part: Journeys,
    part_size: usize,
    /// The ledger lines (months) of the part so far, per value type: a part is sent at
    /// `part_size` events or [`PART_MONTHS`] months, whichever comes first.
    part_months: u64,
    /// Each catalogue entry's real unit costs, once first used; and the problems of those.
    real: Vec<Option<[Option<Decimal>; 3]>>,
    conversion: Problems,
    /// Whether costing stopped at a unit cost whose price year is not in the index (reported
    /// with the files' problems, as `Inputs::load` reports it).
    stopped: bool,
    send: std::sync::mpsc::SyncSender<Journeys>,
}

impl Reading<'_> {
    /// Whether nothing more is costed: a unit cost cannot be brought to the price base. (After
    /// a problem in costing a part, later parts are still costed, for their problems.)
    fn failed(&self) -> bool {
        self.stopped || !self.conversion.is_empty()
    }

    /// Takes one checked event whose code is at catalogue position `entry`.
    fn event(&mut self, e: &EventParts<'_>, entry: Option<usize>) {
        let Some(entry) = entry else { return };
        let Prices { catalogue, index, price_base, values } = self.prices;
        if self.real[entry].is_none() {
            // Each unit cost is brought to the price base when first used, in the order the
            // ledger brings them (the order codes first appear).
            self.real[entry] =
                Some(real_unit_costs(&catalogue.entries()[entry], index, price_base, values, &mut self.conversion));
        }
        if index.get(catalogue.entries()[entry].price_year).is_none() {
            // The price year is reported when the reading ends; nothing more is costed.
            self.stopped = true;
        }
        if self.failed() {
            return;
        }
        self.part.push_parts(e);
        self.part_months += e.end.map_or(1, |end| (Month::of(end).0 - Month::of(e.date).0 + 1) as u64);
        if self.part.len() >= self.part_size || self.part_months >= PART_MONTHS {
            self.send_part();
        }
    }

    /// Sends the part read so far to be costed.
    fn send_part(&mut self) {
        self.part_months = 0;
        let part = std::mem::take(&mut self.part);
        if !part.is_empty() && !self.failed() {
            // The costing side ends only when this side closes the channel (or panics, which
            // the join reports).
            let _ = self.send.send(part);
        }
    }
}

/// The costing side: each part costed by the ledger's rules, its lines added to one tally per
/// group, with ids of the whole run.
struct Costing<'a> {
    prices: Prices<'a>,
    options: &'a CompareOptions,
    /// The one person compared, if any.
    person: Option<&'a str>,
    /// The persons table and the column grouped by (when it is one of the table's).
    by: Option<(&'a Persons, &'a str)>,
    /// Where the next part starts among all events.
    first_row: usize,
    /// The problems of costing each part.
    problems: Vec<Error>,
    exact: ExactSumCheck,
    /// The event whose line first took the sums past the exactness bound.
    inexact: Option<crate::error::Problem>,
    /// The months of the spells costed so far.
    spell_months: u64,
    counter: EventCounter,
    persons: Interner,
    /// Per person: the group's tally it goes to, or `None` when left out.
    group_of: Vec<Option<usize>>,
    pathways: Interner,
    side_of: Vec<Option<Side>>,
    groups: BTreeMap<String, usize>,
    tallies: Vec<Tally<'a>>,
}

impl<'a> Costing<'a> {
    fn new(
        prices: Prices<'a>,
        options: &'a CompareOptions,
        person: Option<&'a str>,
        by: Option<(&'a Persons, &'a str)>,
    ) -> Costing<'a> {
        Costing {
            prices,
            options,
            person,
            by,
            first_row: 0,
            problems: Vec::new(),
            exact: ExactSumCheck::default(),
            inexact: None,
            spell_months: 0,
            counter: EventCounter::default(),
            persons: Interner::default(),
            group_of: Vec::new(),
            pathways: Interner::default(),
            side_of: Vec::new(),
            groups: BTreeMap::new(),
            tallies: Vec::new(),
        }
    }

    /// Costs a part and adds its lines to the tallies.
    fn part(&mut self, part: &Journeys) {
        let Prices { catalogue, index, price_base, values } = self.prices;
        let first_row = self.first_row;
        self.first_row += part.len();
        let ledger = match Ledger::build_part(
            part,
            catalogue,
            index,
            price_base,
            values,
            first_row,
            false,
            &mut self.spell_months,
        ) {
            Ok(l) => l,
            Err(e) => {
                self.problems.push(e);
                return;
            }
        };
        // The part's ids, as ids of the whole run.
        let persons: Vec<u32> = ledger.persons().iter().map(|p| self.person_id(p)).collect();
        let pathways: Vec<u32> = ledger.pathways().iter().map(|p| self.pathway_id(p)).collect();
        let by_detail = self.options.agency_detail;
        let detail =
            |entry: u32| if by_detail { catalogue.entries()[entry as usize].agency_detail.as_deref() } else { None };
        for l in ledger.lines() {
            if !self.exact.exact() {
                return;
            }
            self.exact.add(l.cost.exact());
            if !self.exact.exact() {
                // The run fails as the ledger does, naming the same event; the tallies could
                // no longer add exactly.
                self.inexact = Some(crate::ledger::inexact_sums(part, l.row as usize, first_row));
                return;
            }
            let (period, counts) = self.counter.line(&l, self.options.period);
            let person = persons[l.person as usize];
            let (Some(group), Some(side)) =
                (self.group_of[person as usize], self.side_of[pathways[l.pathway as usize] as usize])
            else {
                continue;
            };
            self.tallies[group].add(&Line { person, ..l }, side, period, counts, detail(l.entry));
        }
    }

    fn person_id(&mut self, name: &str) -> u32 {
        let id = self.persons.intern(name);
        if id as usize == self.group_of.len() {
            // A new person: into their group's tally (every person, one person, or by group).
            let group = match (self.person, self.by) {
                (Some(p), _) if p != name => None,
                (_, None) => Some(String::new()),
                (_, Some((table, column))) => Some(table.attribute(name, column).unwrap_or("(missing)").to_owned()),
            };
            let tally = group.map(|g| {
                let next = self.tallies.len();
                *self.groups.entry(g).or_insert(next)
            });
            if tally == Some(self.tallies.len()) {
                self.tallies.push(Tally::default());
            }
            self.group_of.push(tally);
        }
        id
    }

    fn pathway_id(&mut self, name: &str) -> u32 {
        let id = self.pathways.intern(name);
        if id as usize == self.side_of.len() {
            self.side_of.push(if name == self.options.baseline {
                Some(Side::Baseline)
            } else if name == self.options.alternative {
                Some(Side::Alternative)
            } else {
                None
            });
        }
        id
    }

    /// The run, or the problems of costing, or of the options, as `compare_run` reports them.
    fn finish(self, persons: Option<&Persons>, person: Option<&str>, by: Option<&str>) -> Result<ComparisonRun, Error> {
        if let Some(e) = Error::merge_parts(self.problems) {
            return Err(e);
        }
        if let Some(p) = self.inexact {
            return Err(Error::from_problems(vec![p], 0));
        }
        let not_found = |field: &str, msg: String| {
            Error::new(Location::source("options").in_field(field), ProblemKind::NotFound, msg)
        };
        if let Some(p) = person {
            if !self.persons.names().iter().any(|n| &**n == p) {
                return Err(not_found("person", format!("person {p:?} has no events")));
            }
        }
        if let Some(column) = by {
            let table =
                persons.ok_or_else(|| not_found("by", format!("grouping by {column:?} needs a persons file")))?;
            if !table.columns().iter().any(|c| c == column) {
                return Err(not_found(
                    "by",
                    format!("{column:?} is not a column of the persons file (it has: {})", table.columns().join(", ")),
                ));
            }
        }
        if !self.tallies.is_empty() {
            find_pathway(self.pathways.names(), &self.options.baseline)?;
            find_pathway(self.pathways.names(), &self.options.alternative)?;
        }
        let mut tallies: Vec<Option<Tally<'a>>> = self.tallies.into_iter().map(Some).collect();
        let groups = self
            .groups
            .into_iter()
            .filter_map(|(value, i)| {
                let comparison = tallies[i].take()?.finish(
                    self.options,
                    self.persons.names(),
                    self.prices.catalogue.agencies(),
                    self.prices.price_base,
                    self.prices.values,
                );
                Some(GroupComparison { group: by.map(|_| value), persons: comparison.savings.persons, comparison })
            })
            .collect();
        Ok(ComparisonRun {
            person: person.map(str::to_owned),
            by: by.map(str::to_owned),
            value_types: self.prices.values.to_vec(),
            groups,
        })
    }
}
