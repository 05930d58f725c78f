//! Statistical disclosure control over everything a report publishes, as one set of linked
//! tables, with an audit that proves no suppressed cell can be narrowed down.
//!
//! # The model
//! Every figure a report publishes (a cost in a table, a count in a CSV file, a total in
//! `results.json`, a bar of a chart) is a **cell**: a linear form `Σ coefficient × atom (+ a
//! constant)` over **atoms**, the finest cross-classification of the data that any figure is
//! a sum of. Two universes of atoms exist:
//! - [`Universe::Ledger`]: groups of ledger lines (side, period, agency, tier, ...), each with a
//!   number of events, an amount of money and the persons it involves;
//! - [`Universe::People`]: groups of persons (for example "persons whose saving is positive"),
//!   each with a number of persons.
//!
//! A cell has up to two **measures**: its events (a count) and its money. Publishing a cell
//! publishes the measures its places show. Cells with the same form (up to a scale factor) are
//! one cell however many places show them, so a figure shown in two tables is suppressed in
//! both or in neither.
//!
//! # Protection
//! 1. **Primary suppression**: a cell resting on 1 to `threshold - 1` events, or on the records
//!    of 1 to `threshold - 1` persons, is sensitive.
//! 2. **Secondary suppression**: relations registered by the tables (a total and its parts, a
//!    saving and its two sides) may not have exactly one suppressed member; then every
//!    suppressed cell is audited and, while it can be narrowed down, the complement that
//!    widens it most cheaply is suppressed too.
//! 3. **The audit**: for every suppressed cell and measure, two linear programmes find the
//!    smallest and largest value consistent with every published figure (each within its
//!    printed rounding) and with what an attacker knows a priori: counts are never negative, and
//!    the sign of each atom's money. A cell is protected when the interval is wider than
//!    `margin × |value|` and is not a single point. A pattern that fails is an error: nothing
//!    is published.
//!
//! Counts and money of a cell are suppressed together: unit costs are public, so a published
//! count would give the money back.
//!
//! Derived figures (shares, running totals, trend lines, means, ratios) are published only when
//! every cell they are derived from is: they then add nothing an attacker could use.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use good_lp::{Expression, ProblemVariables, ResolutionError, Solution, SolverModel, Variable, variable};

/// A universe of atoms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Universe {
    /// Groups of ledger lines: events, money, persons.
    Ledger,
    /// Groups of persons: a number of persons.
    People,
}

/// A measure of a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Measure {
    /// A count: events, or persons in the [`Universe::People`].
    Count,
    /// Money.
    Money,
}

impl Measure {
    fn name(self) -> &'static str {
        match self {
            Measure::Count => "count",
            Measure::Money => "money",
        }
    }
}

/// One atom of the ledger universe.
#[derive(Debug, Clone, Default)]
pub struct LedgerAtom {
    /// Events counted in the atom.
    pub events: u64,
    /// Its money, as a float for the audit (the exact sums are printed elsewhere).
    pub money: f64,
    /// The persons with a line in it, sorted and unique.
    pub persons: Vec<u32>,
    /// Its money per event, when its money is exactly its events times a unit cost the
    /// catalogue publishes (so an attacker who knows one knows the other).
    pub price: Option<f64>,
}

/// A cell's identity in a [`Publication`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellId(u32);

/// How costly a cell is to suppress as a complement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Importance {
    /// An ordinary cell of a table.
    Detail,
    /// A headline total: suppressed as a complement only when nothing cheaper protects.
    Headline,
    /// Never suppressed (public knowledge, such as the size of the cohort).
    Pinned,
}

#[derive(Debug, Clone)]
struct Cell {
    universe: Universe,
    /// (atom, coefficient), sorted by atom, coefficients non-zero.
    terms: Vec<(u32, f64)>,
    constant: f64,
    /// Whether each measure is shown somewhere: [count, money].
    shown: [bool; 2],
    /// The printed rounding of each measure: the published value is within this of the truth.
    tolerance: [f64; 2],
    /// Every place the cell is shown, e.g. `who-pays.csv: NHS, baseline cost`.
    places: Vec<String>,
    importance: Importance,
}

/// The result of protecting a publication: which cells are suppressed, and the audit.
#[derive(Debug, Clone)]
pub struct Pattern {
    suppressed: Vec<bool>,
    primary: Vec<bool>,
    /// The audit of every suppressed cell.
    pub audit: Audit,
}

impl Pattern {
    /// Whether a cell is suppressed.
    #[must_use]
    pub fn hides(&self, cell: CellId) -> bool {
        self.suppressed[cell.0 as usize]
    }

    /// Whether every one of the cells is published.
    #[must_use]
    pub fn all_shown(&self, cells: &[CellId]) -> bool {
        cells.iter().all(|c| !self.hides(*c))
    }

    /// Cells suppressed because they are sensitive themselves.
    #[must_use]
    pub fn primary(&self) -> usize {
        self.primary.iter().filter(|p| **p).count()
    }

    /// Cells suppressed to protect others.
    #[must_use]
    pub fn secondary(&self) -> usize {
        self.suppressed.iter().zip(&self.primary).filter(|(s, p)| **s && !**p).count()
    }
}

/// What the audit found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Audit {
    /// Suppressed cell-measures audited.
    pub audited: usize,
    /// The narrowest interval found, as a share of its cell's value (`None` when every interval
    /// is unbounded or the value is zero).
    pub min_width_share: Option<f64>,
    /// Each suppressed cell's interval, by its first place and measure: (place, measure, value,
    /// low, high).
    pub intervals: Vec<(String, &'static str, f64, f64, f64)>,
}

impl Audit {
    fn record(&mut self, place: &str, m: Measure, iv: &Interval) {
        self.audited += 1;
        if iv.value != 0.0 && iv.width().is_finite() {
            let share = iv.width() / iv.value.abs();
            self.min_width_share = Some(self.min_width_share.map_or(share, |s: f64| s.min(share)));
        }
        self.intervals.push((place.to_owned(), m.name(), iv.value, iv.low, iv.high));
    }
}

/// Why a pattern cannot be published.
#[derive(Debug, Clone, PartialEq)]
pub struct Breach {
    /// The cell's first place.
    pub place: String,
    /// Its measure.
    pub measure: &'static str,
    /// Its value.
    pub value: f64,
    /// The interval an attacker can narrow it to.
    pub low: f64,
    /// See `low`.
    pub high: f64,
    /// The tables whose published figures determine it.
    pub through: Vec<String>,
}

impl std::fmt::Display for Breach {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the disclosure audit found that the suppressed {} of {} can be narrowed to [{}, {}] from what the report publishes in {}",
            self.measure,
            self.place,
            round_for_message(self.low),
            round_for_message(self.high),
            self.through.join(", ")
        )
    }
}

fn round_for_message(v: f64) -> String {
    if v.is_infinite() { if v > 0.0 { "+inf".into() } else { "-inf".into() } } else { format!("{v:.2}") }
}

/// A failure of the audit itself (the solver), never a reason to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFailure(pub String);

/// Everything a report publishes, as cells over atoms.
#[derive(Debug, Clone)]
pub struct Publication {
    ledger: Vec<LedgerAtom>,
    people: Vec<u64>,
    cells: Vec<Cell>,
    index: HashMap<FormKey, CellId>,
    relations: Vec<Vec<CellId>>,
    /// Forms known to be at least one event (or person): a row that is listed only when it has
    /// one, whatever its figures show.
    floors: Vec<(Universe, Vec<(u32, f64)>)>,
}

/// A form up to scale: the universe, the atoms, and the coefficients and constant divided by the
/// first coefficient, quantised.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct FormKey {
    universe: Universe,
    terms: Vec<(u32, i64)>,
    constant: i64,
}

fn quantise(x: f64) -> i64 {
    // Nine significant decimals of a ratio: forms equal up to floating-point noise collide.
    (x * 1e9).round() as i64
}

/// The verdict on one suppressed cell-measure.
#[derive(Debug, Clone, Copy)]
struct Interval {
    value: f64,
    low: f64,
    high: f64,
    tolerance: f64,
}

impl Interval {
    fn width(&self) -> f64 {
        self.high - self.low
    }

    fn protected(&self, margin: f64) -> bool {
        let w = self.width();
        // Wider than the margin, and more than the printed rounding could explain; the solver's
        // floating point must not tip a range of exactly the margin over it.
        let need = margin * self.value.abs();
        w > need + 1e-6 * need.max(1.0) && w > 2.0 * self.tolerance + 1e-6
    }
}

impl Publication {
    /// The ledger atoms the publication is over.
    #[must_use]
    pub fn atoms(&self) -> &[LedgerAtom] {
        &self.ledger
    }

    /// A publication over these atoms.
    #[must_use]
    pub fn new(ledger: Vec<LedgerAtom>, people: Vec<u64>) -> Publication {
        Publication {
            ledger,
            people,
            cells: Vec::new(),
            index: HashMap::new(),
            relations: Vec::new(),
            floors: Vec::new(),
        }
    }

    /// The cell of a linear form over atoms of `universe`, shown at `place`; the same form (up
    /// to scale) gives the same cell.
    ///
    /// # Panics
    /// Never: atoms out of range are a programming error caught in debug builds.
    pub fn cell(
        &mut self,
        universe: Universe,
        terms: Vec<(u32, f64)>,
        constant: f64,
        place: &str,
        importance: Importance,
    ) -> CellId {
        let mut merged: BTreeMap<u32, f64> = BTreeMap::new();
        for (a, c) in terms {
            debug_assert!((a as usize) < self.universe_len(universe));
            *merged.entry(a).or_default() += c;
        }
        let terms: Vec<(u32, f64)> = merged.into_iter().filter(|(_, c)| *c != 0.0).collect();
        // A cell of no atoms is zero whatever the data: public, never suppressed.
        let importance = if terms.is_empty() { Importance::Pinned } else { importance };
        let scale = terms.first().map_or(1.0, |t| t.1);
        let key = FormKey {
            universe,
            terms: terms.iter().map(|(a, c)| (*a, quantise(c / scale))).collect(),
            constant: quantise(constant / scale),
        };
        if let Some(&id) = self.index.get(&key) {
            let cell = &mut self.cells[id.0 as usize];
            cell.places.push(place.to_owned());
            cell.importance = cell.importance.max(importance);
            return id;
        }
        let id = CellId(self.cells.len() as u32);
        self.cells.push(Cell {
            universe,
            terms,
            constant,
            shown: [false; 2],
            tolerance: [0.0; 2],
            places: vec![place.to_owned()],
            importance,
        });
        self.index.insert(key, id);
        id
    }

    /// Marks a measure of a cell as shown, printed within `tolerance` of its value (half a
    /// penny for money printed to the penny; 0 for counts).
    pub fn show(&mut self, cell: CellId, measure: Measure, tolerance: f64) {
        let c = &mut self.cells[cell.0 as usize];
        let m = measure as usize;
        c.shown[m] = true;
        c.tolerance[m] = c.tolerance[m].max(tolerance);
    }

    /// Registers cells of which each is a linear combination of the others (a total and its
    /// parts; a saving and its two sides).
    pub fn relation(&mut self, cells: &[CellId]) {
        let mut r: Vec<CellId> = cells.to_vec();
        r.sort_unstable();
        r.dedup();
        if r.len() > 1 {
            self.relations.push(r);
        }
    }

    /// Records that the atoms of `terms` hold at least one event (or person), as the existence
    /// of a row tells a reader even when its figures are suppressed.
    pub fn floor(&mut self, universe: Universe, terms: &[u32]) {
        if !terms.is_empty() {
            self.floors.push((universe, terms.iter().map(|a| (*a, 1.0)).collect()));
        }
    }

    /// An atom's count, money and price.
    fn atom(&self, u: Universe, a: u32) -> (f64, f64, Option<f64>) {
        match u {
            Universe::Ledger => {
                let x = &self.ledger[a as usize];
                (x.events as f64, x.money, x.price)
            }
            Universe::People => (self.people[a as usize] as f64, 0.0, None),
        }
    }

    /// The value of a measure of a cell, from its atoms.
    #[must_use]
    pub fn value(&self, cell: CellId, measure: Measure) -> f64 {
        let c = &self.cells[cell.0 as usize];
        c.terms.iter().map(|(a, k)| k * self.atom_value(c.universe, *a, measure)).sum::<f64>()
            + if measure == Measure::Money { c.constant } else { 0.0 }
    }

    /// The number of cells.
    #[must_use]
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether there are no cells.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    fn universe_len(&self, u: Universe) -> usize {
        match u {
            Universe::Ledger => self.ledger.len(),
            Universe::People => self.people.len(),
        }
    }

    fn atom_value(&self, u: Universe, a: u32, m: Measure) -> f64 {
        match (u, m) {
            (Universe::Ledger, Measure::Count) => self.ledger[a as usize].events as f64,
            (Universe::Ledger, Measure::Money) => self.ledger[a as usize].money,
            (Universe::People, Measure::Count) => self.people[a as usize] as f64,
            (Universe::People, Measure::Money) => 0.0,
        }
    }

    /// Whether a cell is sensitive on its own: it rests on 1 to `threshold - 1` events, or on
    /// the records of 1 to `threshold - 1` persons (persons counted in the People universe).
    fn sensitive(&self, cell: &Cell, threshold: u64, stamp: &mut [u32], round: u32) -> bool {
        let small = |n: u64| n > 0 && n < threshold;
        match cell.universe {
            Universe::People => small(cell.terms.iter().map(|(a, _)| self.people[*a as usize]).sum()),
            Universe::Ledger => {
                let events: u64 = cell.terms.iter().map(|(a, _)| self.ledger[*a as usize].events).sum();
                if small(events) {
                    return true;
                }
                // Distinct persons, stopping as soon as there are enough.
                let mut persons = 0u64;
                for (a, _) in &cell.terms {
                    for &p in &self.ledger[*a as usize].persons {
                        if stamp[p as usize] != round {
                            stamp[p as usize] = round;
                            persons += 1;
                            if persons >= threshold {
                                return false;
                            }
                        }
                    }
                }
                small(persons)
            }
        }
    }

    /// Chooses and audits the suppression pattern: cells below `threshold` (events or persons)
    /// and the complements that protect them, so that no suppressed cell can be narrowed to an
    /// interval of width `margin × |value|` or less. A threshold of 0 or 1 suppresses nothing.
    ///
    /// # Errors
    /// A [`Breach`] when the pattern cannot be protected (which only a pinned cell can cause), and
    /// an [`AuditFailure`] when the solver fails.
    pub fn protect(&self, threshold: u64, margin: f64) -> Result<Pattern, ProtectError> {
        let n = self.cells.len();
        let mut primary = vec![false; n];
        if threshold > 1 {
            let persons = self.ledger.iter().flat_map(|a| a.persons.iter()).max().map_or(0, |m| *m as usize + 1);
            let mut stamp = vec![0u32; persons];
            for (i, c) in self.cells.iter().enumerate() {
                primary[i] =
                    c.importance != Importance::Pinned && self.sensitive(c, threshold, &mut stamp, i as u32 + 1);
            }
        }
        let mut suppressed = primary.clone();
        if !suppressed.iter().any(|s| *s) {
            return Ok(Pattern { suppressed, primary, audit: Audit::default() });
        }
        // Every sensitive value needs two programmes at least: refuse at once what cannot fit.
        let needed: u64 =
            (0..n).filter(|i| primary[*i]).map(|i| 2 * self.cells[i].shown.iter().filter(|s| **s).count() as u64).sum();
        if needed > MAX_SOLVES {
            return Err(ProtectError::TooMany);
        }
        let solver = Solver::new(self);
        self.singletons(&mut suppressed);
        // Every suppressed cell, in order; complements join the queue.
        let mut queue: std::collections::VecDeque<usize> = (0..n).filter(|i| suppressed[*i]).collect();
        let mut seen: BTreeSet<usize> = queue.iter().copied().collect();
        // Each cell's intervals when it last passed. Suppressing more only removes constraints, so
        // an interval can only widen afterwards: these are what the final pattern guarantees at
        // least, and auditing every cell again would add nothing but time.
        let mut passed: BTreeMap<usize, Vec<(Measure, Interval)>> = BTreeMap::new();
        while let Some(i) = queue.pop_front() {
            loop {
                let failing = match self.failing(&solver, i, &suppressed, margin)? {
                    Ok(intervals) => {
                        passed.insert(i, intervals);
                        None
                    }
                    Err(fail) => Some(fail),
                };
                let Some((measure, current)) = failing else { break };
                let Some(j) = self.complement(&solver, i, measure, current, &mut suppressed, margin)? else {
                    let iv = current;
                    return Err(ProtectError::Breach(self.breach(i, measure, iv, &suppressed)));
                };
                suppressed[j] = true;
                if seen.insert(j) {
                    queue.push_back(j);
                }
                self.singletons(&mut suppressed);
                for (k, s) in suppressed.iter().enumerate() {
                    if *s && seen.insert(k) {
                        queue.push_back(k);
                    }
                }
            }
        }
        let mut audit = Audit::default();
        for (i, intervals) in &passed {
            for (m, iv) in intervals {
                audit.record(&self.cells[*i].places[0], *m, iv);
            }
        }
        Ok(Pattern { suppressed, primary, audit })
    }

    /// Audits a given pattern (for tests and for an attacker's view): every suppressed cell's
    /// interval, or the first breach.
    ///
    /// # Errors
    /// As [`Publication::protect`].
    pub fn audit(&self, hidden: &[CellId], margin: f64) -> Result<Audit, ProtectError> {
        let mut suppressed = vec![false; self.cells.len()];
        for c in hidden {
            suppressed[c.0 as usize] = true;
        }
        self.audit_all(&Solver::new(self), &suppressed, margin)
    }

    fn audit_all(&self, solver: &Solver, suppressed: &[bool], margin: f64) -> Result<Audit, ProtectError> {
        let mut audit = Audit::default();
        for i in (0..self.cells.len()).filter(|i| suppressed[*i]) {
            for m in [Measure::Count, Measure::Money] {
                if !self.cells[i].shown[m as usize] {
                    continue;
                }
                let iv = solver.interval(self, i, m, suppressed)?;
                if !iv.protected(margin) {
                    return Err(ProtectError::Breach(self.breach(i, m, iv, suppressed)));
                }
                audit.record(&self.cells[i].places[0], m, &iv);
            }
        }
        Ok(audit)
    }

    fn breach(&self, i: usize, m: Measure, iv: Interval, suppressed: &[bool]) -> Breach {
        let c = &self.cells[i];
        let atoms: BTreeSet<u32> = c.terms.iter().map(|t| t.0).collect();
        let mut through: BTreeSet<String> = BTreeSet::new();
        for (j, o) in self.cells.iter().enumerate() {
            if !suppressed[j]
                && o.universe == c.universe
                && (o.shown[0] || o.shown[1])
                && o.terms.iter().any(|t| atoms.contains(&t.0))
            {
                for p in &o.places {
                    through.insert(p.split(':').next().unwrap_or(p).to_owned());
                }
            }
        }
        Breach {
            place: c.places[0].clone(),
            measure: m.name(),
            value: iv.value,
            low: iv.low,
            high: iv.high,
            through: through.into_iter().collect(),
        }
    }

    /// The intervals of every measure of cell `i`, or the first an attacker can narrow down.
    #[allow(clippy::type_complexity)]
    fn failing(
        &self,
        solver: &Solver,
        i: usize,
        suppressed: &[bool],
        margin: f64,
    ) -> Result<Result<Vec<(Measure, Interval)>, (Measure, Interval)>, ProtectError> {
        let mut intervals = Vec::new();
        for m in [Measure::Count, Measure::Money] {
            if !self.cells[i].shown[m as usize] {
                continue;
            }
            let iv = solver.interval(self, i, m, suppressed)?;
            if !iv.protected(margin) {
                return Ok(Err((m, iv)));
            }
            intervals.push((m, iv));
        }
        Ok(Ok(intervals))
    }

    /// No relation may have exactly one suppressed member: the cheapest other member joins it.
    fn singletons(&self, suppressed: &mut [bool]) {
        loop {
            let mut changed = false;
            for r in &self.relations {
                let hidden = r.iter().filter(|c| suppressed[c.0 as usize]).count();
                if hidden != 1 {
                    continue;
                }
                let pick = r
                    .iter()
                    .filter(|c| !suppressed[c.0 as usize] && self.cells[c.0 as usize].importance != Importance::Pinned)
                    .min_by(|a, b| self.cost(**a).total_cmp(&self.cost(**b)).then(a.cmp(b)));
                if let Some(c) = pick {
                    suppressed[c.0 as usize] = true;
                    changed = true;
                }
            }
            if !changed {
                return;
            }
        }
    }

    /// The information lost by suppressing a cell: its events (or persons), and for headline
    /// totals very much more.
    fn cost(&self, id: CellId) -> f64 {
        let c = &self.cells[id.0 as usize];
        let size: f64 = c.terms.iter().map(|(a, _)| self.atom_value(c.universe, *a, Measure::Count)).sum::<f64>() + 1.0;
        match c.importance {
            Importance::Detail => size,
            Importance::Headline => 1e12 + size,
            Importance::Pinned => f64::INFINITY,
        }
    }

    /// The complement that best protects cell `i`'s `measure`: among published cells related to
    /// it (in a relation with it, or sharing atoms with it), cheapest first, the first that
    /// protects it, else the one that widens it most, else the cheapest.
    fn complement(
        &self,
        solver: &Solver,
        i: usize,
        measure: Measure,
        current: Interval,
        suppressed: &mut [bool],
        margin: f64,
    ) -> Result<Option<usize>, ProtectError> {
        let me = CellId(i as u32);
        let atoms: BTreeSet<u32> = self.cells[i].terms.iter().map(|t| t.0).collect();
        let mut candidates: BTreeSet<CellId> = BTreeSet::new();
        for r in self.relations.iter().filter(|r| r.contains(&me)) {
            candidates.extend(r.iter().copied());
        }
        for (j, o) in self.cells.iter().enumerate() {
            if o.universe == self.cells[i].universe && o.terms.iter().any(|t| atoms.contains(&t.0)) {
                candidates.insert(CellId(j as u32));
                // ... and the relations of an overlapping cell: its siblings.
                for r in self.relations.iter().filter(|r| r.contains(&CellId(j as u32))) {
                    candidates.extend(r.iter().copied());
                }
            }
        }
        let mut candidates: Vec<CellId> = candidates
            .into_iter()
            .filter(|c| {
                let cell = &self.cells[c.0 as usize];
                !suppressed[c.0 as usize] && cell.importance != Importance::Pinned && (cell.shown[0] || cell.shown[1])
            })
            .collect();
        if candidates.is_empty() {
            // Any published cell of the universe that shows the measure.
            candidates = (0..self.cells.len())
                .filter(|j| {
                    let c = &self.cells[*j];
                    !suppressed[*j]
                        && c.importance != Importance::Pinned
                        && c.universe == self.cells[i].universe
                        && (c.shown[0] || c.shown[1])
                })
                .map(|j| CellId(j as u32))
                .collect();
        }
        candidates.sort_by(|a, b| self.cost(*a).total_cmp(&self.cost(*b)).then(a.cmp(b)));
        let mut best: Option<(usize, f64)> = None;
        for c in candidates.iter().take(8) {
            let j = c.0 as usize;
            suppressed[j] = true;
            let iv = solver.interval(self, i, measure, suppressed);
            suppressed[j] = false;
            let iv = iv?;
            if iv.protected(margin) {
                return Ok(Some(j));
            }
            if iv.width() > current.width() + 1e-9 && best.is_none_or(|(_, w)| iv.width() > w) {
                best = Some((j, iv.width()));
            }
        }
        Ok(best.map(|b| b.0).or_else(|| candidates.first().map(|c| c.0 as usize)))
    }
}

/// Why protection failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ProtectError {
    /// A suppressed cell can be narrowed down.
    Breach(Breach),
    /// The solver failed.
    Solver(AuditFailure),
    /// More linear programmes than [`MAX_SOLVES`] would be needed.
    TooMany,
}

impl std::fmt::Display for ProtectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProtectError::Breach(b) => b.fmt(f),
            ProtectError::Solver(s) => write!(f, "the disclosure audit could not be completed: {}", s.0),
            ProtectError::TooMany => write!(
                f,
                "so many figures rest on few events or persons that protecting them would take more than {MAX_SOLVES} linear programmes: \
                 the report cannot be published at this level of detail"
            ),
        }
    }
}

/// The audit's linear programmes, one problem for counts and money together: an atom whose
/// money is its events times a unit cost the catalogue publishes has one variable, its count;
/// any other atom has a count and an amount of money. Atoms that enter every cell alike (the
/// same coefficients everywhere, the same price, the same sign of money) are merged into one
/// variable first, which changes no interval.
struct Solver {
    /// Per universe: each variable's count, money and price (money per event, when known).
    vars: BTreeMap<Universe, Vec<Var>>,
    /// Per cell: (variable, coefficient), merged.
    forms: Vec<Vec<(u32, f64)>>,
    /// Per universe: the cells touching each variable.
    cells_of: BTreeMap<Universe, Vec<Vec<u32>>>,
    /// Per universe: the floors (each form is at least one event or person), merged.
    floors: BTreeMap<Universe, Vec<Vec<(u32, f64)>>>,
    /// Linear programmes solved so far, against the budget.
    solves: std::cell::Cell<u64>,
}

/// What makes atoms one variable: their column (the cells they enter, with coefficients), the
/// sign of their money, and their price.
type MergeKey = (Vec<(u32, i64)>, bool, Option<i64>);

#[derive(Debug, Clone, Copy, Default)]
struct Var {
    count: f64,
    money: f64,
    /// The money per event, when known.
    price: Option<f64>,
}

/// How many linear programmes one protection may solve: beyond that, the report has too many
/// small cells to publish at its grain, and saying so is better than running for hours.
pub const MAX_SOLVES: u64 = 1_000;

impl Solver {
    fn new(p: &Publication) -> Solver {
        let mut vars = BTreeMap::new();
        let mut cells_of = BTreeMap::new();
        let mut floors = BTreeMap::new();
        let mut forms: Vec<Vec<(u32, f64)>> = vec![Vec::new(); p.cells.len()];
        for u in [Universe::Ledger, Universe::People] {
            let n = p.universe_len(u);
            // Each atom's column: the cells it enters, with their coefficients, and the floors.
            let mut columns: Vec<Vec<(u32, i64)>> = vec![Vec::new(); n];
            for (ci, c) in p.cells.iter().enumerate().filter(|(_, c)| c.universe == u) {
                for (a, k) in &c.terms {
                    columns[*a as usize].push((ci as u32, quantise(*k)));
                }
            }
            for (fi, (fu, terms)) in p.floors.iter().enumerate() {
                if *fu == u {
                    for (a, k) in terms {
                        columns[*a as usize].push((u32::MAX - fi as u32, quantise(*k)));
                    }
                }
            }
            let mut key_to_var: HashMap<MergeKey, u32> = HashMap::new();
            let mut map = vec![u32::MAX; n];
            let mut list: Vec<Var> = Vec::new();
            for a in 0..n {
                if columns[a].is_empty() {
                    continue;
                }
                let (count, money, price) = p.atom(u, a as u32);
                // Prices are whole pennies: a millionth of a pound tells them apart.
                let key = (std::mem::take(&mut columns[a]), money < 0.0, price.map(|x| (x * 1e6).round() as i64));
                let next = list.len() as u32;
                let v = *key_to_var.entry(key).or_insert(next);
                if v == next {
                    list.push(Var { count: 0.0, money: 0.0, price });
                }
                list[v as usize].count += count;
                list[v as usize].money += money;
                map[a] = v;
            }
            let mut touching: Vec<Vec<u32>> = vec![Vec::new(); list.len()];
            let merge = |terms: &[(u32, f64)]| -> Vec<(u32, f64)> {
                // Merged atoms share their coefficients, so a form adds k once per variable.
                let f: BTreeMap<u32, f64> = terms.iter().map(|(a, k)| (map[*a as usize], *k)).collect();
                f.into_iter().collect()
            };
            for (ci, c) in p.cells.iter().enumerate().filter(|(_, c)| c.universe == u) {
                let f = merge(&c.terms);
                for (v, _) in &f {
                    touching[*v as usize].push(ci as u32);
                }
                forms[ci] = f;
            }
            floors.insert(u, p.floors.iter().filter(|(fu, _)| *fu == u).map(|(_, t)| merge(t)).collect());
            vars.insert(u, list);
            cells_of.insert(u, touching);
        }
        Solver { vars, forms, cells_of, floors, solves: std::cell::Cell::new(0) }
    }

    /// The smallest and largest value of cell `i`'s measure consistent with every published cell
    /// (in both measures) and every floor.
    fn interval(&self, p: &Publication, i: usize, m: Measure, suppressed: &[bool]) -> Result<Interval, ProtectError> {
        let cell = &p.cells[i];
        let u = cell.universe;
        let vars = &self.vars[&u];
        let touching = &self.cells_of[&u];
        let value_of = |v: u32, m: Measure| {
            let x = vars[v as usize];
            if m == Measure::Count { x.count } else { x.money }
        };
        let form_value = |form: &[(u32, f64)], m: Measure| form.iter().map(|(v, k)| k * value_of(*v, m)).sum::<f64>();
        let value = form_value(&self.forms[i], m) + if m == Measure::Money { cell.constant } else { 0.0 };
        let tolerance = cell.tolerance[m as usize];
        if self.forms[i].is_empty() {
            return Ok(Interval { value, low: value, high: value, tolerance });
        }
        // The connected part: variables reachable from the cell through published cells.
        let mut within: BTreeSet<u32> = self.forms[i].iter().map(|t| t.0).collect();
        let mut constraints: BTreeSet<u32> = BTreeSet::new();
        let mut stack: Vec<u32> = within.iter().copied().collect();
        while let Some(v) = stack.pop() {
            for &c in &touching[v as usize] {
                let cc = &p.cells[c as usize];
                if suppressed[c as usize] || !(cc.shown[0] || cc.shown[1]) || !constraints.insert(c) {
                    continue;
                }
                for (w, _) in &self.forms[c as usize] {
                    if within.insert(*w) {
                        stack.push(*w);
                    }
                }
            }
        }
        let floors: Vec<&Vec<(u32, f64)>> =
            self.floors[&u].iter().filter(|f| f.iter().any(|(v, _)| within.contains(v))).collect();
        for f in &floors {
            for (v, _) in *f {
                within.insert(*v);
            }
        }
        self.solves.set(self.solves.get() + 2);
        if self.solves.get() > MAX_SOLVES {
            return Err(ProtectError::TooMany);
        }
        let order: Vec<u32> = within.into_iter().collect();
        let mut ends = [0.0f64; 2];
        for (k, maximise) in [false, true].into_iter().enumerate() {
            let mut pv = ProblemVariables::new();
            // A count for every variable; an amount of money for those without a price.
            let counts: HashMap<u32, Variable> = order.iter().map(|v| (*v, pv.add(variable().min(0.0)))).collect();
            let moneys: HashMap<u32, Variable> = order
                .iter()
                .filter(|v| vars[**v as usize].price.is_none())
                .map(|v| {
                    let x = vars[*v as usize].money;
                    // Money keeps its sign: an attacker knows whether a unit cost is a cost or a refund.
                    let d = if x < 0.0 { variable().max(0.0) } else { variable().min(0.0) };
                    (*v, pv.add(d))
                })
                .collect();
            // A row of the programme, divided by its largest coefficient: money rows mix unit
            // costs of thousands with counts and amounts, and the simplex is steadier on rows of
            // one scale.
            let row = |form: &[(u32, f64)], m: Measure| -> (Expression, f64) {
                let coef = |v: &u32, kf: f64| match (m, vars[*v as usize].price) {
                    (Measure::Money, Some(price)) => kf * price,
                    _ => kf,
                };
                let scale = form.iter().map(|(v, kf)| coef(v, *kf).abs()).fold(0.0f64, f64::max).max(f64::MIN_POSITIVE);
                let mut e = Expression::with_capacity(form.len());
                for (v, kf) in form {
                    let c = coef(v, *kf) / scale;
                    match (m, vars[*v as usize].price) {
                        (Measure::Count, _) | (Measure::Money, Some(_)) => e.add_mul(c, counts[v]),
                        (Measure::Money, None) => e.add_mul(c, moneys[v]),
                    }
                }
                (e, scale)
            };
            let (objective, objective_scale) = row(&self.forms[i], m);
            let mut model = if maximise { pv.maximise(objective.clone()) } else { pv.minimise(objective.clone()) }
                .using(good_lp::microlp);
            for &c in &constraints {
                let cc = &p.cells[c as usize];
                let form = &self.forms[c as usize];
                for cm in [Measure::Count, Measure::Money] {
                    if !cc.shown[cm as usize] {
                        continue;
                    }
                    let truth = form_value(form, cm);
                    let (e, scale) = row(form, cm);
                    if cm == Measure::Count {
                        // Counts are whole and exact: one equation.
                        model = model.with(e.eq(truth / scale));
                    } else {
                        // Money is within its printed rounding of the truth (and floating point
                        // at the scale of the values).
                        let allowance = (cc.tolerance[cm as usize] + 1e-9 * truth.abs().max(1.0)) / scale;
                        let (lo, hi) = (truth / scale - allowance, truth / scale + allowance);
                        model = model.with(e.clone().leq(hi)).with(e.geq(lo));
                    }
                }
            }
            for f in &floors {
                model = model.with(row(f, Measure::Count).0.geq(1.0 / row(f, Measure::Count).1));
            }
            let solved = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| model.solve()));
            let end = match solved {
                Ok(Ok(s)) => s.eval(&objective) * objective_scale,
                Ok(Err(ResolutionError::Unbounded)) => {
                    if maximise {
                        f64::INFINITY
                    } else {
                        f64::NEG_INFINITY
                    }
                }
                Ok(Err(e)) => {
                    return Err(ProtectError::Solver(AuditFailure(format!("{} of {}: {e}", m.name(), cell.places[0]))));
                }
                Err(_) => {
                    return Err(ProtectError::Solver(AuditFailure(format!(
                        "{} of {}: the solver panicked",
                        m.name(),
                        cell.places[0]
                    ))));
                }
            };
            ends[k] = end + if m == Measure::Money { cell.constant } else { 0.0 };
        }
        Ok(Interval { value, low: ends[0].min(value), high: ends[1].max(value), tolerance })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atom(events: u64, money: f64, persons: &[u32]) -> LedgerAtom {
        LedgerAtom { events, money, persons: persons.to_vec(), price: None }
    }

    /// Three agencies, baseline only: NHS (2 events), Police (6), Housing (20); a total; a tier
    /// table where NHS and Police share tier 4.
    fn three_agencies() -> (Publication, [CellId; 6]) {
        let atoms =
            vec![atom(2, 1555.54, &[0, 1]), atom(6, 600.0, &[0, 1, 2, 3, 4]), atom(20, 110.0, &[0, 1, 2, 3, 4, 5, 6])];
        let mut p = Publication::new(atoms, Vec::new());
        let cell = |p: &mut Publication, terms: Vec<(u32, f64)>, place: &str, imp| {
            let c = p.cell(Universe::Ledger, terms, 0.0, place, imp);
            p.show(c, Measure::Count, 0.0);
            p.show(c, Measure::Money, 0.005);
            c
        };
        let nhs = cell(&mut p, vec![(0, 1.0)], "who-pays.csv: NHS", Importance::Detail);
        let police = cell(&mut p, vec![(1, 1.0)], "who-pays.csv: Police", Importance::Detail);
        let housing = cell(&mut p, vec![(2, 1.0)], "who-pays.csv: Housing", Importance::Detail);
        let total = cell(&mut p, vec![(0, 1.0), (1, 1.0), (2, 1.0)], "results.json: total", Importance::Headline);
        let tier4 = cell(&mut p, vec![(0, 1.0), (1, 1.0)], "triangle.csv: tier 4", Importance::Detail);
        let tier2 = cell(&mut p, vec![(2, 1.0)], "triangle.csv: tier 2", Importance::Detail);
        p.relation(&[total, nhs, police, housing]);
        p.relation(&[total, tier4, tier2]);
        (p, [nhs, police, housing, total, tier4, tier2])
    }

    #[test]
    fn the_same_form_is_one_cell_wherever_it_is_shown() {
        let (mut p, [_, _, housing, _, _, tier2]) = three_agencies();
        assert_eq!(housing, tier2, "Housing is all of tier 2");
        let twice = p.cell(Universe::Ledger, vec![(0, 2.0), (1, 2.0)], 0.0, "elsewhere", Importance::Detail);
        let tier4 = p.cell(Universe::Ledger, vec![(1, 1.0), (0, 1.0)], 0.0, "again", Importance::Detail);
        assert_eq!(twice, tier4, "a multiple of a form is the same cell");
    }

    #[test]
    fn a_single_suppressed_agency_is_given_back_by_the_total_and_the_audit_says_so() {
        let (p, [nhs, ..]) = three_agencies();
        let err = p.audit(&[nhs], 0.5).unwrap_err();
        let ProtectError::Breach(b) = err else { panic!("{err:?}") };
        assert_eq!(b.place, "who-pays.csv: NHS");
        assert!((b.low - 2.0).abs() < 1e-3 && (b.high - 2.0).abs() < 1e-3, "{b:?}");
        assert!(b.through.contains(&"results.json".to_owned()), "{b:?}");
    }

    #[test]
    fn protection_suppresses_the_complement_that_works_across_tables() {
        let (p, [nhs, police, housing, total, tier4, _]) = three_agencies();
        let pattern = p.protect(5, 0.5).unwrap();
        assert!(pattern.hides(nhs));
        // Housing alone would leave NHS = tier 4 - Police: Police (or tier 4) must go.
        assert!(pattern.hides(police) || pattern.hides(tier4), "{pattern:?}");
        assert!(!pattern.hides(total), "the headline stays: {pattern:?}");
        assert!(!pattern.hides(housing) || pattern.hides(police));
        assert!(pattern.audit.audited >= 4);
        assert!(pattern.audit.min_width_share.unwrap() > 0.5);
        // The attacker's view of the chosen pattern: every suppressed cell keeps its range.
        let hidden: Vec<CellId> = (0..p.len()).map(|i| CellId(i as u32)).filter(|c| pattern.hides(*c)).collect();
        assert!(p.audit(&hidden, 0.5).is_ok());
    }

    #[test]
    fn few_persons_make_a_cell_sensitive_however_many_events() {
        let mut p = Publication::new(vec![atom(40, 900.0, &[7]), atom(40, 10.0, &[1, 2, 3, 4, 5, 6])], Vec::new());
        let one = p.cell(Universe::Ledger, vec![(0, 1.0)], 0.0, "t: one person", Importance::Detail);
        p.show(one, Measure::Money, 0.005);
        let many = p.cell(Universe::Ledger, vec![(1, 1.0)], 0.0, "t: six persons", Importance::Detail);
        p.show(many, Measure::Money, 0.005);
        let pattern = p.protect(5, 0.5).unwrap();
        assert!(pattern.hides(one) && !pattern.hides(many) && pattern.primary() == 1);
    }

    #[test]
    fn people_counts_are_protected_against_the_total() {
        // 45 persons: 3 save, 40 cost more, 2 no change; the total is public.
        let mut p = Publication::new(Vec::new(), vec![3, 40, 2]);
        let total = p.cell(Universe::People, vec![(0, 1.0), (1, 1.0), (2, 1.0)], 0.0, "persons", Importance::Pinned);
        let saving = p.cell(Universe::People, vec![(0, 1.0)], 0.0, "savings: saving", Importance::Detail);
        let more = p.cell(Universe::People, vec![(1, 1.0)], 0.0, "savings: costing more", Importance::Detail);
        for c in [total, saving, more] {
            p.show(c, Measure::Count, 0.0);
        }
        // No relation: "no change" is a part that is not published.
        let pattern = p.protect(5, 0.5).unwrap();
        assert!(pattern.hides(saving) && !pattern.hides(total));
        // saving + no change = 5 once "costing more" is known: [0, 5] is wide enough for 3.
        let (_, _, v, lo, hi) = pattern.audit.intervals[0].clone();
        assert_eq!((v, lo.round(), hi.round()), (3.0, 0.0, 5.0));
    }

    #[test]
    fn nothing_sensitive_needs_no_solver_and_threshold_zero_turns_it_off() {
        let (p, cells) = three_agencies();
        let off = p.protect(0, 0.5).unwrap();
        assert!(cells.iter().all(|c| !off.hides(*c)));
        assert_eq!(off.audit, Audit::default());
    }

    /// The red team's case: a prison (2 events at £5,000, one person) hidden with the police
    /// (70 at £100) as its complement, but the old way's events and cost are published, and so is
    /// Housing: with the unit costs public, 2 equations give both. The joint audit sees it.
    #[test]
    fn counts_and_money_are_one_system_when_unit_costs_are_public() {
        let priced = |events: u64, price: f64, persons: &[u32]| LedgerAtom {
            events,
            money: events as f64 * price,
            persons: persons.to_vec(),
            price: Some(price),
        };
        let build = |priced_atoms: bool| {
            let mut atoms = vec![
                priced(2, 5000.0, &[0]),
                priced(70, 100.0, &[0, 1, 2, 3, 4, 5]),
                priced(40, 25.0, &[1, 2, 3, 4, 5, 6]),
            ];
            if !priced_atoms {
                for a in &mut atoms {
                    a.price = None;
                }
            }
            let mut p = Publication::new(atoms, Vec::new());
            let mut cell = |terms: Vec<(u32, f64)>, place: &str, imp| {
                let c = p.cell(Universe::Ledger, terms, 0.0, place, imp);
                p.show(c, Measure::Count, 0.0);
                p.show(c, Measure::Money, 0.005);
                c
            };
            let prison = cell(vec![(0, 1.0)], "who-pays.csv: Prison", Importance::Detail);
            let police = cell(vec![(1, 1.0)], "who-pays.csv: Police", Importance::Detail);
            let housing = cell(vec![(2, 1.0)], "who-pays.csv: Housing", Importance::Detail);
            let total = cell(vec![(0, 1.0), (1, 1.0), (2, 1.0)], "results.json: total", Importance::Headline);
            p.relation(&[total, prison, police, housing]);
            (p, prison, police)
        };
        // Alone, each measure leaves the prison a wide range: the audit with unknown prices passes.
        let (p, prison, police) = build(false);
        assert!(p.audit(&[prison, police], 0.5).is_ok());
        // With the prices public, the prison's 2 events and £10,000 follow exactly.
        let (p, prison, police) = build(true);
        let Err(ProtectError::Breach(b)) = p.audit(&[prison, police], 0.5) else { panic!("the prison is given back") };
        assert!((b.high - b.low).abs() < 1e-3, "{b:?}");
        // Protection finds a pattern that holds.
        let pattern = p.protect(5, 0.5).unwrap();
        assert!(pattern.hides(prison));
    }

    /// A row listed only when it has an event says it has at least one: two hidden agencies of
    /// one event each, whose sum (2) is published, are each exactly 1.
    #[test]
    fn a_listed_row_has_at_least_one_event() {
        let mut p = Publication::new(
            vec![atom(1, 500.0, &[0]), atom(1, 500.0, &[1]), atom(72, 7200.0, &[2, 3, 4, 5, 6])],
            Vec::new(),
        );
        let cell = |p: &mut Publication, terms: Vec<(u32, f64)>, place: &str| {
            let c = p.cell(Universe::Ledger, terms, 0.0, place, Importance::Detail);
            p.show(c, Measure::Count, 0.0);
            c
        };
        let a = cell(&mut p, vec![(0, 1.0)], "t: A");
        let b = cell(&mut p, vec![(1, 1.0)], "t: B");
        cell(&mut p, vec![(0, 1.0), (1, 1.0)], "t: A and B");
        assert!(p.audit(&[a, b], 0.5).is_ok(), "counts alone: each of A and B lies in [0, 2]");
        p.floor(Universe::Ledger, &[0]);
        p.floor(Universe::Ledger, &[1]);
        assert!(p.audit(&[a, b], 0.5).is_err(), "listed, each is at least 1, so exactly 1");
    }
}
