//! The streaming `cost` job: the workload's three tables summed while `events.csv` is read,
//! without storing the events. Memory holds only per-group and per-person sums, whatever the
//! number of events.
//!
//! It applies the same checks as [`read_events`](crate::io::read_events) (the same reader does
//! them) and the same costing rules as [`Ledger::build`](crate::ledger::Ledger::build):
//! the same price-base conversion, exact products, and spells rounded then apportioned to
//! months. Sums are kept in `i128` at a fixed scale of 14 decimals (the most a line's cost can
//! have), so they are exact; the test suite checks that its bytes equal the ledger path's.
//!
//! A large file is read by several threads at once, each from its own stretch of lines (split
//! at line ends), and their sums are merged. Integer sums do not depend on the order they are
//! added in, and every output is sorted, so the bytes are the same on one thread or many. A
//! quoted field could hide a line end, so a file with any `"` outside its header is read again
//! on one thread; problems are reported with their lines in the whole file either way.

mod fast;

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use rust_decimal::Decimal;
use rustc_hash::FxHashMap as HashMap;

use super::{deflators_name, load_deflators, load_layered, price_base_of, price_year_problems};
use crate::catalogue::Catalogue;
use crate::error::{Error, Location, Problem, ProblemKind, Problems, io_error};
use crate::io::read::visit_events;
use crate::io::{InputPaths, name_of};
use crate::journey::{EventParts, Journeys};
use crate::money::{Money, apportion, exact_mul, round_ratio_to_penny};
use crate::output::{CostSums, render_cost_tables};
use crate::period::{Month, date_of, month_days};
use crate::prices::{PriceIndex, PriceYear};

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

/// A sum in 10^-14 pounds as money, at the smallest scale that holds it exactly (so a sum of
/// whole pounds up to the bound of the exactness rule fits a `Decimal`).
fn money(mut u: i128) -> Option<Money> {
    let mut scale = SCALE;
    loop {
        match Decimal::try_from_i128_with_scale(u, scale) {
            Ok(d) => return Some(Money::new(d)),
            Err(_) if scale > 0 && u % 10 == 0 => (u, scale) = (u / 10, scale - 1),
            Err(_) => return None,
        }
    }
}

/// The sum of the absolute values of the lines (in 10^-14 pounds) and their largest scale,
/// gathered in any order: what the exactness rule of every command
/// ([`sums_exactly`](crate::money::sums_exactly)) decides on.
#[derive(Debug, Clone, Copy, Default)]
struct Magnitudes {
    units: u128,
    scale: u32,
    over: bool,
}

impl Magnitudes {
    /// Adds a line of `v` (in 10^-14 pounds) whose `Decimal` has `scale` decimals.
    #[inline]
    fn add(&mut self, v: i128, scale: u32) {
        self.scale = self.scale.max(scale);
        match self.units.checked_add(v.unsigned_abs()) {
            Some(u) => self.units = u,
            None => self.over = true,
        }
    }

    fn merge(&mut self, other: Magnitudes) {
        self.scale = self.scale.max(other.scale);
        self.over |= other.over;
        match self.units.checked_add(other.units) {
            Some(u) => self.units = u,
            None => self.over = true,
        }
    }

    /// Whether the lines sum exactly by the rule: at most the bound in pounds, and within 96
    /// bits at their largest scale.
    fn exact(&self) -> bool {
        const BITS_96: u128 = (1u128 << 96) - 1;
        let cap = crate::money::MAX_SUM_OF_MAGNITUDES.unsigned_abs() * 10u128.pow(SCALE);
        if self.over || self.units > cap {
            return false;
        }
        if self.scale > SCALE {
            // A line written with more decimals than it needs (a probability of
            // 0.51000000000000, found by fuzzing): the rule takes its scale as written.
            return self.units.checked_mul(10u128.pow(self.scale - SCALE)).is_some_and(|u| u <= BITS_96);
        }
        BITS_96.checked_mul(10u128.pow(SCALE - self.scale)).is_none_or(|limit| self.units <= limit)
    }
}

/// How the streaming `cost` job reads its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamOptions {
    /// Threads reading the file (each its own stretch of lines); the result never depends on it.
    pub threads: usize,
    /// Files smaller than this are read on one thread.
    pub min_split_bytes: u64,
    /// Whether plain rows are read by the fast reader (see the module's documentation); with
    /// `false` every row goes through the CSV reader. The bytes out are the same either way;
    /// `false` is for checking that, and for measuring what the fast reader saves.
    pub fast_reader: bool,
}

impl Default for StreamOptions {
    /// Every core, for files of 4 MiB or more, with the fast reader of plain rows.
    fn default() -> StreamOptions {
        StreamOptions { threads: crate::available_threads(), min_split_bytes: 4 << 20, fast_reader: true }
    }
}

/// Costs the events of `paths` at `price_year` (default: the latest year of the price index)
/// and renders `monthly.csv`, `persons.csv` and `summary.csv` (pathways `old` and `new`), as
/// [`cost_tables`](crate::output::cost_tables) does from a ledger. Uses every core.
///
/// # Errors
/// Every problem of every file, as [`Inputs::load`](super::Inputs::load) reports them, and a
/// sum too large to keep exactly.
pub fn cost_streaming(paths: &InputPaths, price_year: Option<PriceYear>) -> Result<crate::io::OutputSet, Error> {
    cost_streaming_with(paths, price_year, StreamOptions::default())
}

/// [`cost_streaming`] with explicit threading; the bytes out are the same for any options.
///
/// # Errors
/// As [`cost_streaming`].
pub fn cost_streaming_with(
    paths: &InputPaths,
    price_year: Option<PriceYear>,
    options: StreamOptions,
) -> Result<crate::io::OutputSet, Error> {
    let catalogue = load_layered(&paths.catalogue);
    let index = load_deflators(paths.deflators.as_deref());
    let (layered, index) = match (catalogue, index) {
        (Ok(c), Ok(i)) => (c, i),
        (c, i) => {
            return Err(Error::merge([c.err(), i.err()].into_iter().flatten()).unwrap_or_else(|| overflow("inputs")));
        }
    };
    let catalogue = &layered.catalogue;
    let deflators = deflators_name(paths);
    let price_base = price_base_of(&index, price_year, &deflators)?;
    // The price base first: without it nothing can be costed.
    if let Some(e) = price_year_problems(&layered, &index, &deflators, price_base, &[]).into_error() {
        return Err(e);
    }
    let real: Vec<Option<Decimal>> =
        catalogue.entries().iter().map(|u| index.convert(u.unit_cost, u.price_year, price_base).ok()).collect();
    let costing = Costing { catalogue, index: &index, real: &real, price_base };
    let name = name_of(&paths.events);

    let sums = read_sums(&paths.events, &name, &costing, options)?;
    let mut missing = vec![false; catalogue.len()];
    for &entry in &sums.missing_year {
        missing[entry] = true;
    }
    if let Some(e) = price_year_problems(&layered, &index, &deflators, price_base, &missing).into_error() {
        return Err(e);
    }
    if !sums.overflowed && sums.spell_months > crate::ledger::MAX_SPELL_MONTHS {
        // Every event could be costed (so the ledger would have no other problem): the spell
        // that takes the months past their bound, found by reading the events once more.
        return Err(spell_months_error(&paths.events, &name, catalogue));
    }
    if sums.overflowed || !sums.magnitudes.exact() {
        // The ledger's rules name the events (each too large to cost, or the one whose line
        // takes the sums past the bound), as `validate` and `compare` do: the streamed compare
        // reads the file again to find them.
        let options = crate::compare::CompareOptions::default();
        return Err(
            match super::compare_streaming(
                paths,
                price_year,
                &[crate::catalogue::ValueType::Fiscal],
                &options,
                None,
                None,
            ) {
                Err(e) if e.problems().iter().all(|p| p.kind == ProblemKind::Overflow) => e,
                _ => inexact(&name),
            },
        );
    }
    render(sums, catalogue, &name)
}

/// The three tables of `journeycost cost` from events already read, without building the
/// ledger: each thread sums its share of the rows, and the exact sums are merged, so the
/// bytes are those of [`cost_tables`](crate::output::cost_tables) (fiscal values) on any
/// number of threads.
///
/// # Errors
/// As [`Ledger::build`](crate::ledger::Ledger::build): every code missing from the
/// catalogue, every price year missing from the index, and sums too large to keep exactly.
pub fn cost_tables_of(
    journeys: &Journeys,
    catalogue: &Catalogue,
    index: &PriceIndex,
    price_base: PriceYear,
    threads: usize,
) -> Result<crate::io::OutputSet, Error> {
    if index.get(price_base).is_none() {
        return Err(Error::new(
            Location::source("price index"),
            ProblemKind::MissingPriceYear,
            format!("the target price year {price_base} is not in the price index"),
        ));
    }
    let entry_of: Vec<Option<usize>> = journeys.codes().names().iter().map(|c| catalogue.position(c)).collect();
    let mut problems = Problems::default();
    for (code, e) in journeys.codes().names().iter().zip(&entry_of) {
        if e.is_none() {
            problems.push(Problem::new(
                Location::source("events").in_field("code"),
                ProblemKind::UnknownCode,
                format!("code {code:?} is not in the catalogue"),
            ));
        }
    }
    if let Some(e) = problems.into_error() {
        return Err(e);
    }
    let real: Vec<Option<Decimal>> =
        catalogue.entries().iter().map(|u| index.convert(u.unit_cost, u.price_year, price_base).ok()).collect();
    let c = Costing { catalogue, index, real: &real, price_base };
    let n = journeys.len();
    let threads = threads.clamp(1, n.max(1));
    let real_parts: Vec<Option<(i128, u32)>> = real.iter().map(|r| r.map(|d| (d.mantissa(), d.scale()))).collect();
    let sum_rows = |rows: std::ops::Range<usize>| {
        let mut sums = Sums::new(catalogue.agencies().len());
        // Plain events are summed by the events' own person and pathway ids (no names looked
        // up); the others by the full rules, by name. The render matches the two by name.
        let mut by_id = vec![[0i128; 2]; journeys.persons().len()];
        let mut seen = vec![false; journeys.persons().len()];
        // Each pathway's id in these sums and its side, found once.
        let mut pathway_of: Vec<Option<(u32, Option<usize>)>> = vec![None; journeys.pathways().len()];
        for row in rows {
            let e = journeys.at(row);
            let Some(date) = date_of(e.date) else { continue };
            let entry = entry_of[e.code as usize];
            let plain = match (entry, e.end, e.cost, e.probability, i64::try_from(e.quantity.mantissa())) {
                (Some(entry), None, None, None, Ok(q)) => real_parts[entry].and_then(|r| {
                    Some((entry, fast::line_units(r, (q, e.quantity.scale()))?, r.1 + e.quantity.scale()))
                }),
                _ => None,
            };
            if let Some((entry, v, scale)) = plain {
                let (pathway, side) = *pathway_of[e.pathway as usize].get_or_insert_with(|| {
                    let name = journeys.pathways().name(e.pathway);
                    (sums.pathway(name), side_of(name))
                });
                sums.magnitudes.add(v, scale);
                sums.add_to_month((pathway, catalogue.agency_index(entry), Month::of(date).0), v);
                seen[e.person as usize] = true;
                if let Some(side) = side {
                    Sums::add(&mut sums.overflowed, &mut by_id[e.person as usize][side], v);
                }
                continue;
            }
            let parts = EventParts {
                person: journeys.persons().name(e.person),
                pathway: journeys.pathways().name(e.pathway),
                code: journeys.codes().name(e.code),
                date,
                end: e.end.and_then(date_of),
                quantity: e.quantity,
                cost: e.cost,
                demand: e.demand,
                probability: e.probability,
                note: None,
            };
            sums.event(&c, &parts, entry);
        }
        let (names, units): PersonSums = (0..by_id.len())
            .filter(|&p| seen[p])
            .map(|p| (Box::from(journeys.persons().name(p as u32)), by_id[p]))
            .unzip();
        sums.merged_persons.push((names, units));
        sums
    };
    let mut parts: Vec<Sums> = if threads < 2 {
        vec![sum_rows(0..n)]
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> =
                (0..threads).map(|k| s.spawn(move || sum_rows(n * k / threads..n * (k + 1) / threads))).collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
        })
    };
    let mut sums = parts.remove(0);
    for p in parts {
        sums.merge(p);
    }
    let mut problems = Problems::default();
    for &entry in &sums.missing_year {
        let u = &catalogue.entries()[entry];
        problems.push(Problem::new(
            Location::source("catalogue").in_field("price_year"),
            ProblemKind::MissingPriceYear,
            format!("code {:?}: price year {} is not in the price index", u.code, u.price_year),
        ));
    }
    if let Some(e) = problems.into_error() {
        return Err(e);
    }
    if sums.overflowed || !sums.magnitudes.exact() || sums.spell_months > crate::ledger::MAX_SPELL_MONTHS {
        // The ledger's rules name the events, as every other command does.
        return Err(crate::ledger::Ledger::build(journeys, catalogue, index, price_base)
            .err()
            .unwrap_or_else(|| inexact("events")));
    }
    render(sums, catalogue, "events")
}

/// The problem of spells that span more than their bound in all, naming the spell that passes
/// it as the ledger does (events numbered in the file's order).
fn spell_months_error(path: &Path, name: &str, catalogue: &Catalogue) -> Error {
    let (mut event, mut months, mut passing) = (0usize, 0u64, None);
    let read = File::open(path).map_err(|e| io_error(path, "open the file", &e)).and_then(|f| {
        visit_events(name, BufReader::with_capacity(1 << 16, f), Some(catalogue), |e, entry| {
            event += 1;
            let spell = entry.is_some_and(|i| catalogue.entries()[i].unit.spell_days().is_some());
            if let (Some(end), true, None) = (e.end, spell, &passing) {
                months += (Month::of(end).0 - Month::of(e.date).0 + 1) as u64;
                if months > crate::ledger::MAX_SPELL_MONTHS {
                    passing = Some(crate::ledger::spell_months_problem_at(event, e.person, e.code));
                }
            }
        })
    });
    match (read, passing) {
        (Err(e), _) => e,
        (Ok(()), Some(p)) => Error::from_problems(vec![p], 0),
        (Ok(()), None) => inexact(name),
    }
}

/// The tables from finished sums.
fn render(sums: Sums, catalogue: &Catalogue, name: &str) -> Result<crate::io::OutputSet, Error> {
    if sums.overflowed {
        return Err(inexact(name));
    }
    let to_money = |u: i128| money(u).ok_or_else(|| overflow(name));
    // An agency's sums for pathways `old` and `new` are the sums of its months.
    let sides: Vec<Option<usize>> = sums.pathways.iter().map(|p| side_of(p)).collect();
    let mut agency_units = vec![[0i128; 2]; catalogue.agencies().len()];
    let mut overflowed = false;
    let monthly: Vec<_> = sums.monthly.into_cells().collect();
    for &(k, (_, u)) in &monthly {
        if let Some(side) = sides[k.0 as usize] {
            Sums::add(&mut overflowed, &mut agency_units[k.1 as usize][side], u);
        }
    }
    // Every reader's persons, in byte order of their ids (which the table needs anyway), so
    // that the same person from several readers lies side by side and is summed there.
    let mut people: Vec<(u64, Box<str>, [i128; 2])> = std::iter::once((sums.persons, sums.person_units))
        .chain(sums.merged_persons)
        .flat_map(|(names, units)| names.into_iter().zip(units))
        .map(|(name, units)| (order_key(&name), name, units))
        .collect();
    people.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.as_bytes().cmp(b.1.as_bytes())));
    let mut persons: Vec<Box<str>> = Vec::with_capacity(people.len());
    let mut person_units: Vec<[i128; 2]> = Vec::with_capacity(people.len());
    for (_, name, units) in people {
        match (persons.last(), person_units.last_mut()) {
            (Some(last), Some(sum)) if *last == name => {
                for (s, v) in sum.iter_mut().zip(units) {
                    Sums::add(&mut overflowed, s, v);
                }
            }
            _ => {
                persons.push(name);
                person_units.push(units);
            }
        }
    }
    // Sums that no longer fit are the same problem whichever sum it was.
    if overflowed {
        return Err(inexact(name));
    }
    let cells =
        monthly.into_iter().map(|(k, (events, u))| Ok((k, events, to_money(u)?))).collect::<Result<Vec<_>, Error>>()?;
    let person_costs = person_units
        .iter()
        .map(|[o, n]| Ok(Some([to_money(*o)?, to_money(*n)?])))
        .collect::<Result<Vec<_>, Error>>()?;
    let agency_costs =
        agency_units.iter().map(|[o, n]| Ok([to_money(*o)?, to_money(*n)?])).collect::<Result<Vec<_>, Error>>()?;
    Ok(render_cost_tables(CostSums {
        pathways: &sums.pathways,
        agencies: catalogue.agencies(),
        persons: &persons,
        monthly: cells,
        person_costs,
        agency_costs,
    }))
}

/// The first eight bytes of `name`, zero-padded, as a big-endian number: ordering by it, then
/// by the whole name, is the byte order of names, mostly decided by one comparison of numbers.
fn order_key(name: &str) -> u64 {
    let mut first = [0u8; 8];
    for (f, b) in first.iter_mut().zip(name.as_bytes()) {
        *f = *b;
    }
    u64::from_be_bytes(first)
}

/// Which side of the comparison a pathway is: `old` (0), `new` (1) or neither.
fn side_of(pathway: &str) -> Option<usize> {
    match pathway {
        "old" => Some(0),
        "new" => Some(1),
        _ => None,
    }
}

/// Whether two short byte strings are equal, compared as words (no call for strings of up to
/// 16 bytes, such as person ids and codes).
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && if a.len() <= 16 { words(a) == words(b) } else { a == b }
}

/// The first and last eight bytes of `b` (zero-padded when shorter): for a string of at most
/// 16 bytes these and its length determine it.
#[inline]
fn words(b: &[u8]) -> (u64, u64) {
    match (b.first_chunk::<8>(), b.last_chunk::<8>()) {
        (Some(first), Some(last)) => (u64::from_le_bytes(*first), u64::from_le_bytes(*last)),
        _ => (b.iter().rev().fold(0, |w, &c| w << 8 | u64::from(c)), 0),
    }
}

/// What costing one event needs.
struct Costing<'a> {
    catalogue: &'a Catalogue,
    index: &'a PriceIndex,
    real: &'a [Option<Decimal>],
    price_base: PriceYear,
}

/// One reader's persons (ids by first appearance) and their `old` and `new` sums.
type PersonSums = (Vec<Box<str>>, Vec<[i128; 2]>);

/// The running sums of one reader: ids by first appearance, exact `i128` sums.
struct Sums {
    pathways: Vec<Box<str>>,
    person_ids: HashMap<Box<str>, u32>,
    persons: Vec<Box<str>>,
    /// The person looked up last, and their id: rows usually come a person at a time.
    last_person: (String, u32),
    person_units: Vec<[i128; 2]>,
    /// The persons and sums of readers merged into these, not yet matched with these.
    merged_persons: Vec<PersonSums>,
    monthly: Cells,
    missing_year: BTreeSet<usize>,
    overflowed: bool,
    magnitudes: Magnitudes,
    /// The months of the spells read ([`MAX_SPELL_MONTHS`](crate::ledger::MAX_SPELL_MONTHS)).
    spell_months: u64,
}

impl Sums {
    fn new(agencies: usize) -> Sums {
        Sums {
            pathways: Vec::new(),
            person_ids: HashMap::default(),
            persons: Vec::new(),
            last_person: (String::new(), 0),
            person_units: Vec::new(),
            merged_persons: Vec::new(),
            monthly: Cells::new(agencies),
            missing_year: BTreeSet::new(),
            overflowed: false,
            magnitudes: Magnitudes::default(),
            spell_months: 0,
        }
    }

    fn pathway(&mut self, name: &str) -> u32 {
        if let Some(i) = self.pathways.iter().position(|p| &**p == name) {
            i as u32
        } else {
            self.pathways.push(name.into());
            (self.pathways.len() - 1) as u32
        }
    }

    fn person(&mut self, name: &str) -> u32 {
        if same(self.last_person.0.as_bytes(), name.as_bytes()) && !self.persons.is_empty() {
            return self.last_person.1;
        }
        let i = if let Some(&i) = self.person_ids.get(name) {
            i
        } else {
            let i = self.persons.len() as u32;
            self.persons.push(name.into());
            self.person_ids.insert(name.into(), i);
            self.person_units.push([0; 2]);
            i
        };
        self.last_person.0.clear();
        self.last_person.0.push_str(name);
        self.last_person.1 = i;
        i
    }

    /// Adds `v` to `sum`, or notes that the sums can no longer be exact.
    fn add(overflowed: &mut bool, sum: &mut i128, v: i128) {
        match sum.checked_add(v) {
            Some(s) => *sum = s,
            None => *overflowed = true,
        }
    }

    /// Adds one month's part of an event: a spell counts once in each month it touches.
    fn add_part(&mut self, key: (u32, u32, i32), person: u32, side: Option<usize>, cost: Decimal) {
        match units(cost) {
            Some(v) => self.add_units(key, person, side, v, cost.scale()),
            None => self.overflowed = true,
        }
    }

    /// Adds a line of `v` (in 10^-14 pounds, a `Decimal` of `scale` decimals) to a month's
    /// group and, for pathways `old` and `new` (`side`), to the person's sums. (An agency's
    /// sums are its months' sums, added at the end.)
    #[inline]
    fn add_units(&mut self, key: (u32, u32, i32), person: u32, side: Option<usize>, v: i128, scale: u32) {
        self.magnitudes.add(v, scale);
        self.add_to_month(key, v);
        if let Some(side) = side {
            Sums::add(&mut self.overflowed, &mut self.person_units[person as usize][side], v);
        }
    }

    /// Adds one event's `v` (in 10^-14 pounds) to a month's group.
    #[inline]
    fn add_to_month(&mut self, key: (u32, u32, i32), v: i128) {
        let cell = self.monthly.get(key);
        cell.0 += 1;
        Sums::add(&mut self.overflowed, &mut cell.1, v);
    }

    /// Adds an event whose code is at `entry` in the catalogue.
    fn event(&mut self, c: &Costing<'_>, e: &EventParts<'_>, entry: Option<usize>) {
        let Some(entry) = entry else { return };
        let u = &c.catalogue.entries()[entry];
        let real_cost = match e.cost {
            Some(own) => c.index.convert(own, u.price_year, c.price_base).ok(),
            None => c.real[entry],
        };
        let Some(real_cost) = real_cost else {
            self.missing_year.insert(entry);
            return;
        };
        let pathway = self.pathway(e.pathway);
        let person = self.person(e.person);
        let side = side_of(e.pathway);
        let agency = c.catalogue.agency_index(entry);
        let rate = match e.probability {
            None => exact_mul(real_cost, e.quantity),
            Some(p) => exact_mul(real_cost, e.quantity).and_then(|r| exact_mul(r, p)),
        };
        let Some(rate) = rate else {
            self.overflowed = true;
            return;
        };
        match (e.end, u.unit.spell_days()) {
            (Some(end), Some(d)) => {
                // Past the bound the run is refused (the ledger's rules name the spell), so no
                // more months are made.
                self.spell_months += (Month::of(end).0 - Month::of(e.date).0 + 1) as u64;
                if self.spell_months > crate::ledger::MAX_SPELL_MONTHS {
                    return;
                }
                let days_by_month = month_days(e.date, end);
                let days: u64 = days_by_month.iter().map(|p| p.1).sum();
                let Some(total) = round_ratio_to_penny(rate, Decimal::from(days), Decimal::from(d)) else {
                    self.overflowed = true;
                    return;
                };
                let weights: Vec<u64> = days_by_month.iter().map(|p| p.1).collect();
                for (part, (month, _)) in apportion(Money::new(total), &weights).into_iter().zip(days_by_month) {
                    self.add_part((pathway, agency, month.0), person, side, part.exact());
                }
            }
            // A point event: no allocation on the hot path.
            _ => self.add_part((pathway, agency, Month::of(e.date).0), person, side, rate),
        }
    }

    /// Adds another reader's sums to these, matching pathways by name (and keeping its persons
    /// to be matched by name when the tables are made).
    fn merge(&mut self, other: Sums) {
        let pathway: Vec<u32> = other.pathways.iter().map(|p| self.pathway(p)).collect();
        // Persons are matched when the tables are made, where they are sorted anyway.
        self.merged_persons.push((other.persons, other.person_units));
        self.merged_persons.extend(other.merged_persons);
        for ((p, a, m), (n, v)) in other.monthly.into_cells() {
            let cell = self.monthly.get((pathway[p as usize], a, m));
            cell.0 += n;
            Sums::add(&mut self.overflowed, &mut cell.1, v);
        }
        self.missing_year.extend(other.missing_year);
        self.overflowed |= other.overflowed;
        self.magnitudes.merge(other.magnitudes);
        self.spell_months += other.spell_months;
    }
}

/// The events and exact sum of each (pathway, agency, month) group: a dense table over a span
/// of months (per month, a cell per pathway and agency), and a map for months far from it.
struct Cells {
    agencies: usize,
    /// The month of `dense[0]`.
    base: i32,
    dense: Vec<Vec<(u64, i128)>>,
    sparse: HashMap<(u32, u32, i32), (u64, i128)>,
}

impl Cells {
    /// The most months the dense table spans (a century).
    const SPAN: usize = 1200;

    fn new(agencies: usize) -> Cells {
        Cells { agencies, base: 0, dense: Vec::new(), sparse: HashMap::default() }
    }

    /// The cell of a group, `(0, 0)` when new.
    #[inline]
    fn get(&mut self, key: (u32, u32, i32)) -> &mut (u64, i128) {
        let (pathway, agency, month) = key;
        let at = month.wrapping_sub(self.base) as u32 as usize;
        let slot = pathway as usize * self.agencies + agency as usize;
        // The usual case first: a month and a group already in the table.
        if self.dense.get(at).is_some_and(|row| slot < row.len()) {
            return &mut self.dense[at][slot];
        }
        self.grow(key)
    }

    /// The cell of a group outside the table as it is: the table grows to hold it, or, for a
    /// month too far from the others, it is kept in the map.
    #[cold]
    fn grow(&mut self, key: (u32, u32, i32)) -> &mut (u64, i128) {
        let (pathway, agency, month) = key;
        if self.dense.is_empty() {
            self.base = month;
        }
        let at = i64::from(month) - i64::from(self.base);
        let len = self.dense.len() as i64;
        let at = if at < 0 && len - at <= Cells::SPAN as i64 {
            self.dense.splice(0..0, std::iter::repeat_with(Vec::new).take(at.unsigned_abs() as usize));
            self.base = month;
            0
        } else if at >= len && at < Cells::SPAN as i64 {
            self.dense.resize_with(at as usize + 1, Vec::new);
            at as usize
        } else if (0..len).contains(&at) {
            at as usize
        } else {
            return self.sparse.entry(key).or_insert((0, 0));
        };
        let slot = pathway as usize * self.agencies + agency as usize;
        let row = &mut self.dense[at];
        if row.len() <= slot {
            row.resize(slot + 1, (0, 0));
        }
        &mut row[slot]
    }

    /// Every group with events, in no particular order.
    fn into_cells(self) -> impl Iterator<Item = ((u32, u32, i32), (u64, i128))> {
        let (agencies, base) = (self.agencies.max(1), self.base);
        let dense = self.dense.into_iter().enumerate().flat_map(move |(at, row)| {
            row.into_iter()
                .enumerate()
                .filter(|c| c.1.0 > 0)
                .map(move |(slot, cell)| (((slot / agencies) as u32, (slot % agencies) as u32, base + at as i32), cell))
        });
        dense.chain(self.sparse)
    }
}

/// A reader that notes whether its bytes hold a `"` and counts their line ends as the CSV
/// reader's lines count them: `\n`, `\r\n` and a lone `\r`.
struct Spy<R> {
    inner: R,
    quote: bool,
    newlines: u64,
    /// Whether the last byte read was a `\r`.
    cr: bool,
}

impl<R: Read> Read for Spy<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let bytes = &buf[..n];
        self.quote |= memchr::memchr(b'"', bytes).is_some();
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            let after_cr = if i == 0 { self.cr } else { bytes[i - 1] == b'\r' };
            self.newlines += u64::from(bytes[i] == b'\r' || !after_cr);
        }
        if let Some(last) = bytes.last() {
            self.cr = *last == b'\r';
        }
        Ok(n)
    }
}

/// What one reader of a stretch of the file found.
struct Stretch {
    sums: Sums,
    result: Result<(), Error>,
    quote: bool,
    newlines: u64,
}

/// Reads the events, split across threads when the file is large enough and has no quotes,
/// each stretch by the fast reader where it can.
fn read_sums(path: &Path, name: &str, c: &Costing<'_>, options: StreamOptions) -> Result<Sums, Error> {
    let agencies = c.catalogue.agencies().len();
    let single = || {
        let (_, f) = crate::io::open(path)?;
        let mut sums = Sums::new(agencies);
        visit_events(name, f, Some(c.catalogue), |e, entry| sums.event(c, e, entry))?;
        Ok(sums)
    };
    // A pipe cannot be split by seeking: it is read once, on one thread.
    if crate::io::input_kind(path)? != crate::io::InputKind::File {
        return single();
    }
    let Some(Plan { header, header_line, stretches }) = plan(path, name, options)? else { return single() };
    // Each stretch by the fast reader, or by the full one where the fast one hands it back.
    let read = |(start, end): (u64, u64)| {
        let fast = if options.fast_reader { fast::read(path, name, c, &header, start, end)? } else { None };
        match fast {
            Some(stretch) => Ok(stretch),
            None => read_stretch(path, name, c, &header, start, end),
        }
    };
    let mut results: Vec<Stretch> = if let [only] = stretches[..] {
        vec![read(only)?]
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = stretches.iter().map(|&stretch| s.spawn(move || read(stretch))).collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect::<Result<Vec<_>, Error>>()
        })?
    };
    if results.iter().any(|r| r.quote) {
        // A quoted field may hold a line end, so the stretches may not start at records.
        return single();
    }
    // A stretch of blank lines alone has no rows: a problem only if no stretch has any, and
    // then once, as one reader reports it.
    let empty =
        |r: &Stretch| r.result.as_ref().is_err_and(|e| e.problems().len() == 1 && e.kind() == ProblemKind::Empty);
    let all_empty = results.iter().all(empty);
    for r in results.iter_mut().skip(usize::from(all_empty)).filter(|r| empty(r)) {
        r.result = Ok(());
    }
    // Problems, with each stretch's lines moved to their lines in the whole file (the header
    // being on line `header_line`, after any blank lines).
    let mut errors = Vec::new();
    let mut offset = header_line - 1;
    for r in &mut results {
        if let Err(e) = std::mem::replace(&mut r.result, Ok(())) {
            let moved = e.problems().iter().cloned().map(|mut p| {
                if p.location.source == name {
                    p.location.line = p.location.line.map(|l| l + offset);
                }
                p
            });
            errors.push(Error::from_problems(moved.collect(), e.omitted()));
        }
        offset += r.newlines;
    }
    if let Some(e) = Error::merge_parts(errors) {
        return Err(e);
    }
    let mut results = results.into_iter();
    let mut sums = results.next().map_or_else(|| Sums::new(agencies), |r| r.sums);
    for r in results {
        sums.merge(r.sums);
    }
    Ok(sums)
}

/// How a file is split: its header line (and its 1-based line number: blank lines may come
/// first), and the stretches `[start, end)` of the rest.
struct Plan {
    header: Vec<u8>,
    header_line: u64,
    stretches: Vec<(u64, u64)>,
}

/// Splits the file at line ends, into one stretch per thread (one for a small file); `None`
/// when the file should be read whole by the full reader: no line end, a header the CSV reader
/// might read otherwise (quoted, or with a carriage return in it, or after blank lines that
/// are not plain line ends) or with a problem (reported once, by that reader).
///
/// The header is found as the CSV reader finds it: the first line that is not blank. Each
/// stretch is read behind it as a file of its own.
fn plan(path: &Path, name: &str, options: StreamOptions) -> Result<Option<Plan>, Error> {
    let mut f = File::open(path).map_err(|e| io_error(path, "open the file", &e))?;
    let size = f.metadata().map_err(|e| io_error(path, "read the file's size", &e))?.len();
    let Some((header_start, blank_lines)) = header_start(&mut f)? else { return Ok(None) };
    let Some(header_end) = line_end(&mut f, header_start)? else { return Ok(None) };
    let mut header = vec![0; (header_end - header_start) as usize];
    f.seek(SeekFrom::Start(header_start))
        .and_then(|_| f.read_exact(&mut header))
        .map_err(|e| io_error(path, "read the file", &e))?;
    // A quote could hide a line end, and a carriage return before the header's own line end
    // ends a record: either way the first line may hold more than the header.
    let line = header.strip_suffix(b"\n").unwrap_or(&header);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.iter().any(|&b| b == b'"' || b == b'\r')
        || crate::io::read::EventColumns::from_header(name, &header).is_err()
    {
        return Ok(None);
    }
    let threads = if size < options.min_split_bytes.max(1) { 1 } else { options.threads.max(1) as u64 };
    let body = size - header_end;
    let mut starts = vec![header_end];
    for k in 1..threads {
        let at = header_end + body * k / threads;
        match split_point(&mut f, at)? {
            Some(e) if e > *starts.last().unwrap_or(&0) && e < size => starts.push(e),
            _ => {}
        }
    }
    let mut ends: Vec<u64> = starts[1..].to_vec();
    ends.push(size);
    Ok(Some(Plan { header, header_line: blank_lines + 1, stretches: starts.into_iter().zip(ends).collect() }))
}

/// Where a stretch may start at or after `from`: just after the end of a line that is not
/// blank, so that blank lines before a record are in the same stretch as the record. (The CSV
/// reader places a record that follows blank lines at the first of them.)
fn split_point(f: &mut File, from: u64) -> Result<Option<u64>, Error> {
    let io = |e: std::io::Error| {
        Error::new(Location::source("events"), ProblemKind::Io, format!("cannot read the file: {e}"))
    };
    f.seek(SeekFrom::Start(from)).map_err(io)?;
    let mut buf = vec![0u8; 1 << 16];
    let mut at = from;
    // Whether the line read so far holds nothing but carriage returns (a line only partly
    // read at `from` counts as blank).
    let mut blank = true;
    loop {
        let n = f.read(&mut buf).map_err(io)?;
        if n == 0 {
            return Ok(None);
        }
        for (i, &b) in buf[..n].iter().enumerate() {
            match b {
                b'\n' if !blank => return Ok(Some(at + i as u64 + 1)),
                b'\n' => blank = true,
                b'\r' => {}
                _ => blank = false,
            }
        }
        at += n as u64;
    }
}

/// Where the header starts, after any blank lines, and how many lines come before it; `None`
/// when the blank lines are not all plain line ends (`\n` or `\r\n`: a lone carriage return
/// also ends a line for the CSV reader) or the file is blank.
fn header_start(f: &mut File) -> Result<Option<(u64, u64)>, Error> {
    let io = |e: std::io::Error| {
        Error::new(Location::source("events"), ProblemKind::Io, format!("cannot read the file: {e}"))
    };
    f.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut buf = vec![0u8; 1 << 16];
    let (mut at, mut lines, mut after_cr) = (0u64, 0u64, false);
    loop {
        let n = f.read(&mut buf).map_err(io)?;
        if n == 0 {
            return Ok(None);
        }
        for &b in &buf[..n] {
            match (b, after_cr) {
                (b'\n', _) => (lines, after_cr) = (lines + 1, false),
                (b'\r', false) => after_cr = true,
                (_, true) => return Ok(None),
                (_, false) => return Ok(Some((at, lines))),
            }
            at += 1;
        }
    }
}

/// The offset just after the first line end at or after `from`.
fn line_end(f: &mut File, from: u64) -> Result<Option<u64>, Error> {
    let io = |e: std::io::Error| {
        Error::new(Location::source("events"), ProblemKind::Io, format!("cannot read the file: {e}"))
    };
    f.seek(SeekFrom::Start(from)).map_err(io)?;
    let mut buf = vec![0u8; 1 << 16];
    let mut at = from;
    loop {
        let n = f.read(&mut buf).map_err(io)?;
        if n == 0 {
            return Ok(None);
        }
        if let Some(i) = memchr::memchr(b'\n', &buf[..n]) {
            return Ok(Some(at + i as u64 + 1));
        }
        at += n as u64;
    }
}

/// Reads the lines `[start, end)` as a file of their own, behind the header.
fn read_stretch(
    path: &Path,
    name: &str,
    c: &Costing<'_>,
    header: &[u8],
    start: u64,
    end: u64,
) -> Result<Stretch, Error> {
    let mut f = File::open(path).map_err(|e| io_error(path, "open the file", &e))?;
    f.seek(SeekFrom::Start(start)).map_err(|e| io_error(path, "read the file", &e))?;
    let mut spy = Spy { inner: f.take(end - start), quote: false, newlines: 0, cr: false };
    let mut sums = Sums::new(c.catalogue.agencies().len());
    let result =
        visit_events(name, BufReader::with_capacity(1 << 16, header.chain(&mut spy)), Some(c.catalogue), |e, entry| {
            sums.event(c, e, entry);
        });
    Ok(Stretch { sums, result, quote: spy.quote, newlines: spy.newlines })
}

/// The problem of sums that cannot be kept exactly.
fn inexact(name: &str) -> Error {
    Error::new(
        Location::source(name),
        ProblemKind::Overflow,
        "the costs are too large, or too precise, to be summed exactly: reduce the quantities' decimals or split the cohort",
    )
}

fn overflow(name: &str) -> Error {
    Error::new(Location::source(name), ProblemKind::Overflow, "the costs are too large to be summed exactly")
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The streamed sums' verdict on exactness, gathered in two parts and merged, is the
        /// rule's (`sums_exactly`), for lines of up to 14 decimals, small and near the bounds.
        #[test]
        fn magnitudes_decide_as_the_rule_does(
            lines in proptest::collection::vec((proptest::num::i128::ANY, 0u32..=SCALE, 0u32..4), 0..10),
            cut in 0usize..10,
        ) {
            let amounts: Vec<Decimal> = lines
                .iter()
                .map(|&(m, s, size)| {
                    let m = m % [1_000, 1_000_000_000_000, 1i128 << 90, 1i128 << 96][size as usize];
                    Decimal::from_i128_with_scale(m, s)
                })
                .collect();
            let mut parts = [Magnitudes::default(), Magnitudes::default()];
            let mut representable = true;
            for (i, a) in amounts.iter().enumerate() {
                match units(*a) {
                    Some(v) => parts[usize::from(i >= cut)].add(v, a.scale()),
                    None => representable = false,
                }
            }
            let [mut whole, second] = parts;
            whole.merge(second);
            if representable {
                proptest::prop_assert_eq!(whole.exact(), crate::money::sums_exactly(&amounts));
            }
        }
    }

    #[test]
    fn a_sum_of_whole_pounds_up_to_the_bound_is_money() {
        let bound = crate::money::MAX_SUM_OF_MAGNITUDES;
        assert_eq!(money(bound * 10i128.pow(SCALE)).unwrap().exact(), Decimal::from_i128_with_scale(bound, 0));
        assert_eq!(money(12_345).unwrap().exact().to_string(), "0.00000000012345");
        let mut m = Magnitudes::default();
        m.add(bound * 10i128.pow(SCALE), 0);
        assert!(m.exact());
        m.add(1, 14);
        assert!(!m.exact(), "a hundred-trillionth of a penny past the bound");
    }
}
