//! One pass over `events.csv` that tallies what the commands need, without storing the events
//! or the ledger: the comparison of `journeycost compare` (of everyone, one person, or each
//! group) and the appraisal's cells, in the same pass.
//!
//! The events are read by the same reader as [`Inputs::load`](super::Inputs::load), in parts of
//! [`PART`] events. Each part is costed by the same rules as the whole
//! ([`Ledger::build_part`]), and its lines are added to the tallies asked for, as
//! [`compare`](crate::compare::compare) and [`appraise`](crate::appraisal::appraise) add a
//! whole ledger's; the part is then dropped. One thread reads while another costs, the parts in
//! the order they were read, so the run does not depend on timing. Memory holds at most three
//! parts, and per-person and per-group state, whatever the number of events. The results, and
//! every problem (with its file, line or event), are those of loading everything first: the
//! test suite checks both, for parts of any size.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::{deflators_name, load_deflators, load_layered, price_base_of, price_year_problems};
use crate::appraisal::{AppraisalSpec, AppraisalTally};
use crate::catalogue::{Catalogue, ValueType};
use crate::compare::{
    CompareOptions, CompareTally, ComparisonRun, EventCounter, GroupComparison, Side, Tally, find_pathway,
};
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

/// What one pass over the events tallies.
#[derive(Debug, Clone, Copy, Default)]
pub struct Pass<'a> {
    /// The comparison, between the pathways and in the periods of these options.
    pub compare: Option<&'a CompareOptions>,
    /// With a comparison: the one person compared (the others are left out).
    pub person: Option<&'a str>,
    /// With a comparison: the persons column to compare each group of.
    pub by: Option<&'a str>,
    /// With a comparison: also each person's own tally (in [`Passed::each_person`]), for a
    /// report that draws one person's lines. Memory grows with the persons: for illustrative
    /// data, not for a cohort of any size.
    pub each_person: bool,
    /// The cells of this appraisal (of every person).
    pub appraisal: Option<&'a AppraisalSpec>,
}

/// Where a pass sends each part's costed lines, besides the tallies of its [`Pass`]: a front
/// end's own tally (the report's disclosure atoms). It runs on the costing thread.
pub trait PartSink: Send {
    /// Takes one part's ledger: its lines with ids of its own (persons and pathways by name in
    /// [`Ledger::persons`] and [`Ledger::pathways`]), in the order the parts were read, and the
    /// persons table if the inputs have one. Every event's lines are in one part. Parts whose
    /// costing has a problem are not sent (the pass then fails).
    fn part(&mut self, ledger: &Ledger, persons: Option<&Persons>);
}

/// What a [`Pass`] tallied.
#[derive(Debug, Clone)]
pub struct Passed {
    /// The comparison, when asked for.
    pub compare: Option<ComparisonRun>,
    /// The appraisal's cells, when asked for: [`appraise_tally`](crate::appraisal::appraise_tally)
    /// appraises them.
    pub appraisal: Option<AppraisalTally>,
    /// Each person's own comparison tally, by person id, when asked for
    /// ([`CompareTally::finish`] is their comparison).
    pub each_person: BTreeMap<String, CompareTally>,
    /// The unit costs the events were costed with.
    pub catalogue: Catalogue,
    /// The persons table, if the inputs have one.
    pub persons: Option<Persons>,
    /// The price base the events were costed at.
    pub price_base: PriceYear,
}

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
    let pass = Pass { compare: Some(options), person, by, ..Pass::default() };
    let passed = stream_in_parts(paths, price_year, values, &pass, part)?;
    let run = passed.compare.ok_or_else(|| Error::new(Location::source("inputs"), ProblemKind::Io, "no comparison"))?;
    Ok((run, passed.price_base))
}

/// Makes the tallies `pass` asks for in one pass over the events of `paths`, costing `part`
/// events at a time (at least one; [`PART`] is the default of the commands). The tallies, and
/// the problems, are the same for any size of part.
///
/// # Errors
/// Every problem of loading and costing the inputs as [`Inputs::load`](super::Inputs::load)
/// and [`Ledger::build_with`] would report them, in the same order: the files' problems, then
/// the price years, then the costing; then the comparison's options (an unknown person, a
/// grouping without its column, a pathway with no events). The appraisal's own problems are
/// those of appraising the tally.
pub fn stream_in_parts(
    paths: &InputPaths,
    price_year: Option<PriceYear>,
    values: &[ValueType],
    pass: &Pass<'_>,
    part: usize,
) -> Result<Passed, Error> {
    stream_into(paths, price_year, values, pass, part, None)
}

/// [`stream_in_parts`], sending every part's costed lines to `sink` as well.
///
/// # Errors
/// As [`stream_in_parts`].
pub fn stream_into(
    paths: &InputPaths,
    price_year: Option<PriceYear>,
    values: &[ValueType],
    pass: &Pass<'_>,
    part: usize,
    sink: Option<&mut dyn PartSink>,
) -> Result<Passed, Error> {
    if let Some(options) = pass.compare {
        crate::compare::distinct_pathways(&options.baseline, &options.alternative)?;
    }
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
            let prices = Prices { catalogue: &c.catalogue, index: i, price_base: base, values: &values };
            let by = pass.by.filter(|column| p.as_ref().is_some_and(|t| t.columns().iter().any(|c| c == column)));
            let compare =
                pass.compare.map(|options| Comparing::new(options, pass.person, p.as_ref().zip(by), pass.each_person));
            let appraisal = pass.appraisal.map(|spec| Appraising {
                spec,
                tally: AppraisalTally::new(&c.catalogue, spec.basis, base, &values),
                side_of: Vec::new(),
            });
            let sink = sink.map(|s| -> &mut dyn PartSink { &mut *s });
            Some(Costing::new(prices, compare, appraisal, sink.map(|s| (s, p.as_ref()))))
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
    let (Ok(layered), Ok(index), Ok(()), Ok(table)) = (&catalogue, &index, &read, &persons) else {
        drop(costing);
        let errs = [catalogue.err(), index.err(), read.err(), persons.err()].into_iter().flatten();
        return Err(Error::merge(errs).unwrap_or_else(inputs_problem));
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
        return Err(inputs_problem());
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
    let (compare, each_person, appraisal) = costing.finish(table.as_ref(), pass.person, pass.by)?;
    let catalogue = catalogue.map(|c| c.catalogue).map_err(|_| inputs_problem())?;
    Ok(Passed { compare, appraisal, each_person, catalogue, persons: persons.ok().flatten(), price_base })
}

impl Passed {
    /// The comparison of a pass that compared every person, or one: its one group. With no
    /// events at all, the problem of a pathway with none, as comparing a ledger reports it.
    ///
    /// # Errors
    /// No comparison was asked for; no person has an event.
    pub fn take_comparison(&mut self, options: &CompareOptions) -> Result<crate::compare::Comparison, Error> {
        if let Some(g) = self.compare.take().and_then(|r| r.groups.into_iter().next()) {
            return Ok(g.comparison);
        }
        find_pathway(&[], &options.baseline)?;
        Err(Error::new(Location::source("inputs"), ProblemKind::Io, "internal: the comparison was not tallied"))
    }
}

fn inputs_problem() -> Error {
    Error::new(Location::source("inputs"), ProblemKind::Io, "cannot read the inputs")
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

/// The costing side: each part costed by the ledger's rules, its lines added to the tallies,
/// with ids of the whole run.
struct Costing<'a> {
    prices: Prices<'a>,
    /// Where the next part starts among all events.
    first_row: usize,
    /// The problems of costing each part.
    problems: Vec<Error>,
    exact: ExactSumCheck,
    /// The event whose line first took the sums past the exactness bound.
    inexact: Option<crate::error::Problem>,
    /// The months of the spells costed so far.
    spell_months: u64,
    pathways: Interner,
    compare: Option<Comparing<'a>>,
    appraisal: Option<Appraising<'a>>,
    sink: Option<(&'a mut dyn PartSink, Option<&'a Persons>)>,
}

/// The comparison's tallies: one per group.
struct Comparing<'a> {
    options: &'a CompareOptions,
    /// The one person compared, if any.
    person: Option<&'a str>,
    /// The persons table and the column grouped by (when it is one of the table's).
    by: Option<(&'a Persons, &'a str)>,
    counter: EventCounter,
    persons: Interner,
    /// Per person: the group's tally it goes to, or `None` when left out.
    group_of: Vec<Option<usize>>,
    /// Per pathway: its side.
    side_of: Vec<Option<Side>>,
    groups: BTreeMap<String, usize>,
    tallies: Vec<Tally<'a>>,
    /// Each person's own tally, by person id, when asked for.
    each: Option<Vec<Tally<'a>>>,
}

/// The appraisal's cells.
struct Appraising<'a> {
    spec: &'a AppraisalSpec,
    tally: AppraisalTally,
    /// Per pathway: its side in the appraisal.
    side_of: Vec<Option<Side>>,
}

/// The side of `pathway` between `baseline` and `alternative`.
fn side(pathway: &str, baseline: &str, alternative: &str) -> Option<Side> {
    if pathway == baseline {
        Some(Side::Baseline)
    } else if pathway == alternative {
        Some(Side::Alternative)
    } else {
        None
    }
}

/// What the costing side tallied: the comparison, each person's tally, the appraisal's.
type Tallied = (Option<ComparisonRun>, BTreeMap<String, CompareTally>, Option<AppraisalTally>);

impl<'a> Costing<'a> {
    fn new(
        prices: Prices<'a>,
        compare: Option<Comparing<'a>>,
        appraisal: Option<Appraising<'a>>,
        sink: Option<(&'a mut dyn PartSink, Option<&'a Persons>)>,
    ) -> Costing<'a> {
        Costing {
            prices,
            first_row: 0,
            problems: Vec::new(),
            exact: ExactSumCheck::default(),
            inexact: None,
            spell_months: 0,
            pathways: Interner::default(),
            compare,
            appraisal,
            sink,
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
        let pathways: Vec<u32> = ledger.pathways().iter().map(|p| self.pathway_id(p)).collect();
        let persons: Vec<u32> = match &mut self.compare {
            Some(c) => ledger.persons().iter().map(|p| c.person_id(p)).collect(),
            None => Vec::new(),
        };
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
            let pathway = pathways[l.pathway as usize];
            if let Some(c) = &mut self.compare {
                c.line(catalogue, &Line { person: persons[l.person as usize], pathway, ..l });
            }
            if let Some(a) = &mut self.appraisal {
                if let Some(side) = a.side_of[pathway as usize] {
                    a.tally.add(side, &l);
                }
            }
        }
        if let Some((sink, persons)) = &mut self.sink {
            sink.part(&ledger, *persons);
        }
    }

    fn pathway_id(&mut self, name: &str) -> u32 {
        let id = self.pathways.intern(name);
        if let Some(c) = &mut self.compare {
            if id as usize == c.side_of.len() {
                c.side_of.push(side(name, &c.options.baseline, &c.options.alternative));
            }
        }
        if let Some(a) = &mut self.appraisal {
            if id as usize == a.side_of.len() {
                let side = side(name, &a.spec.baseline, &a.spec.alternative);
                if let Some(side) = side {
                    a.tally.saw(side);
                }
                a.side_of.push(side);
            }
        }
        id
    }

    /// The tallies, or the problems of costing, or of the comparison's options, as
    /// `compare_run` reports them.
    fn finish(self, persons: Option<&Persons>, person: Option<&str>, by: Option<&str>) -> Result<Tallied, Error> {
        if let Some(e) = Error::merge_parts(self.problems) {
            return Err(e);
        }
        if let Some(p) = self.inexact {
            return Err(Error::from_problems(vec![p], 0));
        }
        let (compare, each) = match self.compare {
            Some(c) => {
                let (run, each) = c.finish(self.prices, self.pathways.names(), persons, person, by)?;
                (Some(run), each)
            }
            None => (None, BTreeMap::new()),
        };
        Ok((compare, each, self.appraisal.map(|a| a.tally)))
    }
}

impl<'a> Comparing<'a> {
    fn new(
        options: &'a CompareOptions,
        person: Option<&'a str>,
        by: Option<(&'a Persons, &'a str)>,
        each_person: bool,
    ) -> Comparing<'a> {
        Comparing {
            each: each_person.then(Vec::new),
            options,
            person,
            by,
            counter: EventCounter::default(),
            persons: Interner::default(),
            group_of: Vec::new(),
            side_of: Vec::new(),
            groups: BTreeMap::new(),
            tallies: Vec::new(),
        }
    }

    /// Adds a line whose person and pathway are ids of the whole run.
    fn line(&mut self, catalogue: &'a Catalogue, l: &Line) {
        let (period, counts) = self.counter.line(l, self.options.period);
        let Some(side) = self.side_of[l.pathway as usize] else { return };
        let detail = if self.options.agency_detail {
            catalogue.entries()[l.entry as usize].agency_detail.as_deref()
        } else {
            None
        };
        if let Some(each) = &mut self.each {
            each[l.person as usize].add(l, side, period, counts, detail);
        }
        if let Some(group) = self.group_of[l.person as usize] {
            self.tallies[group].add(l, side, period, counts, detail);
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
            if let Some(each) = &mut self.each {
                each.push(Tally::default());
            }
        }
        id
    }

    /// The run, or the problems of the options, as `compare_run` reports them.
    fn finish(
        self,
        prices: Prices<'a>,
        pathways: &[Box<str>],
        persons: Option<&Persons>,
        person: Option<&str>,
        by: Option<&str>,
    ) -> Result<(ComparisonRun, BTreeMap<String, CompareTally>), Error> {
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
            find_pathway(pathways, &self.options.baseline)?;
            find_pathway(pathways, &self.options.alternative)?;
        }
        let mut tallies: Vec<Option<Tally<'a>>> = self.tallies.into_iter().map(Some).collect();
        let groups = self
            .groups
            .into_iter()
            .filter_map(|(value, i)| {
                let comparison = tallies[i].take()?.finish(
                    self.options,
                    self.persons.names(),
                    prices.catalogue.agencies(),
                    prices.price_base,
                    prices.values,
                );
                Some(GroupComparison { group: by.map(|_| value), persons: comparison.savings.persons, comparison })
            })
            .collect();
        let names = self.persons.names();
        let each = self
            .each
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, t)| {
                let tally = t.named(self.options, names, prices.catalogue.agencies(), prices.price_base, prices.values);
                (names[i].to_string(), tally)
            })
            .collect();
        let run = ComparisonRun {
            person: person.map(str::to_owned),
            by: by.map(str::to_owned),
            value_types: prices.values.to_vec(),
            groups,
        };
        Ok((run, each))
    }
}
