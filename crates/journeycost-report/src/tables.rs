//! Every figure a report publishes, registered as a cell of one [`Publication`] over the
//! ledger's atoms, so that disclosure control protects them together.
//!
//! An atom is the set of ledger lines that share a side, a period, an agency and agency detail,
//! a tier, a demand kind, a group of persons (the `by` column and the extrapolation's cohort
//! segments) and a class of appraisal weights. Every table the report writes is a sum of
//! atoms: who pays by agency, the series by period, the triangle by tier, failure demand by
//! agency, the appraisal's yearly flows and who pays in present values, the groups. The printed
//! values come from the library's results; each is checked against its cell's atoms, so a
//! cell's form is proven to be the figure it stands for.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use journeycost::Decimal;
use journeycost::appraisal::{Appraisal, LineWeights, Linear, YearBasis};
use journeycost::catalogue::{Catalogue, DemandKind, Tier, ValueType};
use journeycost::compare::{CompareOptions, Comparison, Side, tier_label};
use journeycost::error::{Error, Location, ProblemKind};
use journeycost::extrapolate::{ExtrapolationPlan, PerCaseSource};
use journeycost::journey::{Interner, Persons};
use journeycost::ledger::Ledger;
use journeycost::money::Money;
use journeycost::period::Period;
use journeycost::run::PartSink;

use crate::sdc::{CellId, Importance, LedgerAtom, Measure, Pattern, Publication, Universe};

/// Half a penny: money is printed to the penny.
pub(crate) const PENNY: f64 = 0.005;

/// The tiers in the order the report shows them: the level (0 for none), the label of
/// `tiers.csv` and the name shown (`1 universal`), both from the library's own.
pub(crate) fn tiers() -> Vec<(u8, String, String)> {
    let named =
        (1..=4).filter_map(Tier::new).map(|t| (t.level(), tier_label(Some(t)), format!("{} {}", t.level(), t.name())));
    named.chain([(0, tier_label(None), tier_label(None))]).collect()
}

/// The atom an aggregated ledger line belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct AtomKey {
    pub side: Side,
    pub period: Period,
    pub agency: u32,
    /// The unit cost (its catalogue entry), whose price the catalogue publishes.
    pub entry: u32,
    /// 0 for none, else 1 + the interned agency detail.
    pub detail: u32,
    /// 0 unassigned, else the tier's level.
    pub tier: u8,
    /// 0 unclassified, 1 failure, 2 value.
    pub demand: u8,
    pub group: u32,
    /// The class of appraisal weights, 0 without an appraisal.
    pub weights: u32,
}

fn demand_code(d: Option<DemandKind>) -> u8 {
    match d {
        None => 0,
        Some(DemandKind::Failure) => 1,
        Some(_) => 2,
    }
}

/// The report's view of the data: atoms, groups of persons, labels.
pub(crate) struct View {
    /// Every person with an event, by id.
    persons: Interner,
    /// Every agency of the catalogue, by id.
    agencies: Vec<String>,
    pub keys: Vec<AtomKey>,
    pub exact: Vec<Decimal>,
    /// The appraisal's weight classes (index 0 unused when there is an appraisal).
    pub weights: Vec<Option<LineWeights>>,
    /// Each group's `by` value and segment membership.
    pub groups: Vec<(Option<String>, Vec<bool>)>,
    /// Persons (ledger ids) in the comparison, with their group and saving's sign.
    pub people: Vec<u64>,
    /// (group, category) -> People atom; categories 0 saving, 1 costing more, 2 no change.
    pub people_atom: BTreeMap<(u32, u8), u32>,
    /// Display labels of agencies (and details at level 2), unique.
    pub agency_labels: BTreeMap<(u32, u32), String>,
    pub details: Vec<String>,
}

fn internal(message: &str) -> Error {
    Error::new(Location::source("report"), ProblemKind::Scenario, format!("internal check failed: {message}"))
}

/// A line's atom before the appraisal's weights are known: its year and value type stand in
/// for its weight class (which depends on the sign of its cell's total over every line), and
/// its group is the order persons were first seen in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct RawKey {
    side: Side,
    period: Period,
    agency: u32,
    entry: u32,
    tier: u8,
    demand: u8,
    group: u32,
    /// The appraisal's year and value type; 0 and fiscal without an appraisal.
    year: i32,
    value_type: ValueType,
}

/// Events, exact money and persons of one atom.
#[derive(Debug, Default)]
struct RawAtom {
    events: u64,
    money: Decimal,
    /// Persons (ids of the whole run); sorted and deduplicated when it grows by half.
    persons: Vec<u32>,
    compacted: usize,
}

impl RawAtom {
    fn add_person(&mut self, p: u32) {
        if self.persons.last() == Some(&p) {
            return;
        }
        self.persons.push(p);
        if self.persons.len() >= self.compacted + self.compacted.max(64) / 2 {
            self.persons.sort_unstable();
            self.persons.dedup();
            self.compacted = self.persons.len();
        }
    }
}

/// A catalogue entry as the lines show it: its agency detail, and its unit cost at the price
/// base by value type.
type EntrySeen = (Option<String>, [Option<Decimal>; 3]);

/// The report's atoms, tallied part by part while the events are costed (or from a whole
/// ledger, as one part): the persons of each atom and its events and money, with the persons'
/// groups. [`AtomTally::finish`] folds them into the [`View`] once the comparison and the
/// appraisal are known.
pub(crate) struct AtomTally<'a> {
    period: journeycost::period::PeriodKind,
    baseline: String,
    alternative: String,
    by: Option<&'a str>,
    /// The extrapolation's cohort segments: (persons column, value); no column for everyone.
    segments: Vec<(Option<String>, Option<String>)>,
    /// With an appraisal: its kind of year.
    basis: Option<YearBasis>,
    persons: Interner,
    /// Per person: their group, in the order groups were first seen.
    group_of: Vec<u32>,
    groups: Vec<(Option<String>, Vec<bool>)>,
    group_ids: HashMap<(Option<String>, Vec<bool>), u32>,
    agencies: Vec<String>,
    value_types: Vec<ValueType>,
    /// Per catalogue entry, once seen: its agency detail and its unit cost at the price base
    /// by value type.
    entries: Vec<Option<EntrySeen>>,
    raw: HashMap<RawKey, RawAtom>,
}

impl<'a> AtomTally<'a> {
    /// An empty tally of the lines compared by `opts`, with groups by `by` (a column of the
    /// persons table) and the cohort segments of `extrapolation`; `basis` is the appraisal's kind of
    /// year, when there is an appraisal.
    pub fn new(
        opts: &CompareOptions,
        by: Option<&'a str>,
        extrapolation: Option<&ExtrapolationPlan>,
        basis: Option<YearBasis>,
    ) -> AtomTally<'a> {
        let segments = extrapolation
            .map(|x| {
                x.segments
                    .iter()
                    .filter_map(|(_, s)| match s {
                        PerCaseSource::Cohort { column, equals, .. } => Some((column.clone(), equals.clone())),
                        PerCaseSource::Stated(_) => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        AtomTally {
            period: opts.period,
            baseline: opts.baseline.clone(),
            alternative: opts.alternative.clone(),
            by,
            segments,
            basis,
            persons: Interner::default(),
            group_of: Vec::new(),
            groups: Vec::new(),
            group_ids: HashMap::new(),
            agencies: Vec::new(),
            value_types: Vec::new(),
            entries: Vec::new(),
            raw: HashMap::new(),
        }
    }

    /// The id of a person of the whole run, and its group (by `table`'s attributes).
    fn person(&mut self, name: &str, table: Option<&Persons>) -> u32 {
        let id = self.persons.intern(name);
        if id as usize == self.group_of.len() {
            let value = self.by.map(|c| table.and_then(|t| t.attribute(name, c)).unwrap_or("(missing)").to_owned());
            let member: Vec<bool> = self
                .segments
                .iter()
                .map(|(column, equals)| match column {
                    None => true,
                    Some(c) => table.is_some_and(|t| t.attribute(name, c) == equals.as_deref()),
                })
                .collect();
            let key = (value, member);
            let next = self.groups.len() as u32;
            let group = *self.group_ids.entry(key.clone()).or_insert(next);
            if group == next {
                self.groups.push(key);
            }
            self.group_of.push(group);
        }
        id
    }

    /// Folds the atoms into the view: groups in order of their `by` value and membership,
    /// agency details in byte order, weight classes in the order of the atoms, so that no id
    /// depends on the order of the data. `cohort` is the comparison the atoms' lines make;
    /// `linear` the linearised appraisal of the same lines.
    pub fn finish(
        self,
        cohort: &Comparison,
        catalogue: &Catalogue,
        linear: Option<&Linear>,
        agency_detail: bool,
    ) -> Result<(View, Vec<LedgerAtom>), Error> {
        let AtomTally { persons, group_of, groups, agencies, value_types, entries, raw, .. } = self;
        let mut order: Vec<u32> = (0..groups.len() as u32).collect();
        order.sort_by(|a, b| groups[*a as usize].cmp(&groups[*b as usize]));
        let mut rank = vec![0u32; groups.len()];
        for (r, g) in order.iter().enumerate() {
            rank[*g as usize] = r as u32;
        }
        let groups: Vec<(Option<String>, Vec<bool>)> = order.iter().map(|g| groups[*g as usize].clone()).collect();

        let mut details: Vec<String> = entries.iter().flatten().filter_map(|(d, _)| d.clone()).collect();
        details.sort_unstable();
        details.dedup();
        let detail_of = |entry: u32| -> u32 {
            entries
                .get(entry as usize)
                .and_then(Option::as_ref)
                .and_then(|(d, _)| d.as_ref())
                .map_or(0, |d| details.binary_search(d).map_or(0, |i| i as u32 + 1))
        };

        let mut raw: Vec<(RawKey, RawAtom)> = raw.into_iter().collect();
        raw.sort_unstable_by_key(|(k, _)| *k);
        let mut weight_ids: HashMap<LineWeights, u32> = HashMap::new();
        let mut weights: Vec<Option<LineWeights>> = vec![None];
        let mut folded: BTreeMap<AtomKey, (u64, Decimal, Vec<u32>)> = BTreeMap::new();
        for (k, atom) in raw {
            let w = match linear.and_then(|lin| lin.weights(catalogue, k.side, k.year, k.entry, k.value_type)) {
                Some(w) => {
                    let next = weights.len() as u32;
                    let id = *weight_ids.entry(w.clone()).or_insert(next);
                    if id == next {
                        weights.push(Some(w));
                    }
                    id
                }
                None => 0,
            };
            let key = AtomKey {
                side: k.side,
                period: k.period,
                agency: k.agency,
                entry: k.entry,
                detail: detail_of(k.entry),
                tier: k.tier,
                demand: k.demand,
                group: rank[k.group as usize],
                weights: w,
            };
            let a = folded.entry(key).or_default();
            a.0 += atom.events;
            a.1 += atom.money;
            a.2.extend(atom.persons);
        }
        let mut keys = Vec::with_capacity(folded.len());
        let mut exact = Vec::with_capacity(folded.len());
        let mut atoms = Vec::with_capacity(folded.len());
        for (k, (events, money, mut persons)) in folded {
            persons.sort_unstable();
            persons.dedup();
            // The catalogue is public: when the atom's money is its events times its unit cost at
            // the price base (summed over the value types counted), a reader who learns its count
            // learns its money.
            let real = entries.get(k.entry as usize).and_then(Option::as_ref).map(|(_, r)| r);
            let unit: Option<Decimal> =
                value_types.iter().map(|t| real.and_then(|r| r[*t as usize])).sum::<Option<Decimal>>();
            let price = unit
                .filter(|u| events > 0 && u.checked_mul(Decimal::from(events)) == Some(money))
                .map(|u| Money::new(u).to_f64());
            keys.push(k);
            exact.push(money);
            atoms.push(LedgerAtom { events, money: Money::new(money).to_f64(), persons, price });
        }

        // Persons of the comparison by group and by the sign of their saving.
        let mut people_count: BTreeMap<(u32, u8), u64> = BTreeMap::new();
        for p in &cohort.persons {
            let id = persons
                .id(&p.person_id)
                .ok_or_else(|| internal(&format!("person {:?} not in the ledger", p.person_id)))?;
            let category = match p.saving.cmp(&Money::ZERO) {
                std::cmp::Ordering::Greater => 0,
                std::cmp::Ordering::Less => 1,
                std::cmp::Ordering::Equal => 2,
            };
            *people_count.entry((rank[group_of[id as usize] as usize], category)).or_default() += 1;
        }
        let people_atom: BTreeMap<(u32, u8), u32> =
            people_count.keys().enumerate().map(|(i, k)| (*k, i as u32)).collect();
        let people: Vec<u64> = people_count.values().copied().collect();
        let agencies = if agencies.is_empty() { catalogue.agencies().to_vec() } else { agencies };
        let agency_labels = labels(&keys, &agencies, &details, agency_detail);
        let view =
            View { persons, agencies, keys, exact, weights, groups, people, people_atom, agency_labels, details };
        Ok((view, atoms))
    }
}

impl PartSink for AtomTally<'_> {
    fn part(&mut self, ledger: &Ledger, table: Option<&Persons>) {
        if self.agencies.is_empty() {
            self.agencies = ledger.agencies().to_vec();
            self.value_types = ledger.value_types().to_vec();
            self.entries = vec![None; ledger.codes().len()];
        }
        let base = ledger.pathway_id(&self.baseline);
        let alt = ledger.pathway_id(&self.alternative);
        let persons: Vec<u32> = ledger.persons().iter().map(|p| self.person(p, table)).collect();
        let (basis, group_of, raw) = (self.basis, &self.group_of, &mut self.raw);
        // The persons go to their atoms line by line (a person's lines mostly come together, so
        // an atom's last person is usually theirs); the events and money, by the ledger's rule
        // of counting, per atom of the part.
        let cells = ledger.aggregate(self.period, |l, p| {
            let side = if Some(l.pathway) == base {
                Side::Baseline
            } else if Some(l.pathway) == alt {
                Side::Alternative
            } else {
                return None;
            };
            let person = persons[l.person as usize];
            let key = RawKey {
                side,
                period: p,
                agency: l.agency,
                entry: l.entry,
                tier: l.tier.map_or(0, Tier::level),
                demand: demand_code(l.demand),
                group: group_of[person as usize],
                year: basis.map_or(0, |b| b.year_of(l.month)),
                value_type: if basis.is_some() { l.value_type } else { ValueType::Fiscal },
            };
            raw.entry(key).or_default().add_person(person);
            Some(key)
        });
        for (key, t) in cells {
            if let Some(slot @ None) = self.entries.get_mut(key.entry as usize) {
                let real = [ValueType::Fiscal, ValueType::Economic, ValueType::Social]
                    .map(|v| ledger.real_unit_cost(key.entry as usize, v));
                *slot = Some((ledger.agency_detail(key.entry).map(str::to_owned), real));
            }
            let atom = self.raw.entry(key).or_default();
            atom.events += t.events;
            atom.money += t.cost.exact();
        }
    }
}

/// Labels by identity, made unique: "NHS / A&E" the agency and "NHS" with detail "A&E" are two
/// rows, so their labels say which is which.
fn labels(
    keys: &[AtomKey],
    agencies: &[String],
    details: &[String],
    agency_detail: bool,
) -> BTreeMap<(u32, u32), String> {
    let mut agency_labels: BTreeMap<(u32, u32), String> = BTreeMap::new();
    let ids: BTreeSet<(u32, u32)> = keys.iter().map(|k| (k.agency, if agency_detail { k.detail } else { 0 })).collect();
    // A label is compared as the report's CSV files show it (formulas neutralised), and a
    // numbered label must not be another row's label either.
    let shown = |label: &str| crate::neutralise(label);
    let plain = |(a, d): (u32, u32)| {
        let name = &agencies[a as usize];
        if d == 0 { name.clone() } else { format!("{name} / {}", details[d as usize - 1]) }
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    for id in &ids {
        *seen.entry(shown(&plain(*id))).or_default() += 1;
    }
    let mut taken: BTreeSet<String> = ids.iter().map(|id| shown(&plain(*id))).filter(|l| seen[l] == 1).collect();
    let mut next: HashMap<String, usize> = HashMap::new();
    for id in ids {
        let label = plain(id);
        let text = if seen[&shown(&label)] > 1 {
            let n = next.entry(shown(&label)).or_insert(0);
            loop {
                *n += 1;
                let candidate = format!("{label} [{n}]");
                if taken.insert(shown(&candidate)) {
                    break candidate;
                }
            }
        } else {
            label
        };
        agency_labels.insert(id, text);
    }
    agency_labels
}

impl View {
    /// Whether a person has any event (on any pathway).
    pub fn has_person(&self, name: &str) -> bool {
        self.persons.id(name).is_some()
    }

    /// The label of an agency row.
    pub fn agency_label(&self, agency: u32, detail: u32) -> String {
        self.agency_labels.get(&(agency, detail)).cloned().unwrap_or_else(|| self.agencies[agency as usize].clone())
    }
}

/// Registers cells and checks each against the value the report prints.
pub(crate) struct Book<'v> {
    pub view: &'v View,
    pub p: Publication,
}

impl<'v> Book<'v> {
    pub fn new(view: &'v View, atoms: Vec<LedgerAtom>) -> Book<'v> {
        Book { view, p: Publication::new(atoms, view.people.clone()) }
    }

    /// A cell over the atoms `pick` gives a coefficient, with its measures shown; its money
    /// must equal `money` exactly (forms of ±1) and its count `events`.
    pub fn sum(
        &mut self,
        place: &str,
        importance: Importance,
        pick: impl Fn(&AtomKey) -> Option<f64>,
        money: Option<Money>,
        events: Option<u64>,
    ) -> Result<CellId, Error> {
        let mut terms = Vec::new();
        let mut exact = Decimal::ZERO;
        let mut count = 0i128;
        for (i, k) in self.view.keys.iter().enumerate() {
            if let Some(c) = pick(k) {
                terms.push((i as u32, c));
                exact += Decimal::from_f64_retain(c).unwrap_or_default() * self.view.exact[i];
                count += i128::from(c as i64) * i128::from(self.p_events(i));
            }
        }
        let cell = self.p.cell(Universe::Ledger, terms, 0.0, place, importance);
        if let Some(m) = money {
            if exact != m.exact() {
                return Err(internal(&format!("{place}: the report prints {m} but its atoms add up to {exact}")));
            }
            self.p.show(cell, Measure::Money, PENNY);
        }
        if let Some(e) = events {
            if count != i128::from(e) {
                return Err(internal(&format!("{place}: the report prints {e} events but its atoms count {count}")));
            }
            self.p.show(cell, Measure::Count, 0.0);
        }
        Ok(cell)
    }

    /// Records that the atoms `pick` keeps hold at least one event: a row listed only then.
    pub fn floor(&mut self, pick: impl Fn(&AtomKey) -> bool) {
        let terms: Vec<u32> =
            self.view.keys.iter().enumerate().filter(|(_, k)| pick(k)).map(|(i, _)| i as u32).collect();
        self.p.floor(Universe::Ledger, &terms);
    }

    fn p_events(&self, i: usize) -> u64 {
        self.p.atoms()[i].events
    }

    /// A money cell with any coefficients and a constant, checked to within `tolerance` of the
    /// printed value.
    pub fn linear(
        &mut self,
        place: &str,
        importance: Importance,
        pick: impl Fn(&AtomKey) -> f64,
        constant: f64,
        printed: Money,
    ) -> Result<CellId, Error> {
        let terms: Vec<(u32, f64)> =
            self.view.keys.iter().enumerate().map(|(i, k)| (i as u32, pick(k))).filter(|(_, c)| *c != 0.0).collect();
        // The form's own value: a cell found again may be a multiple of this form.
        let value = terms.iter().map(|(i, k)| k * self.p.atoms()[*i as usize].money).sum::<f64>() + constant;
        let cell = self.p.cell(Universe::Ledger, terms, constant, place, importance);
        let shown = printed.to_f64();
        // The printed value is rounded only when it is printed: the form must give it to well
        // within a penny (floating point at the scale of the value aside).
        if (value - shown).abs() > PENNY + 1e-9 * shown.abs().max(1.0) {
            return Err(internal(&format!("{place}: the report prints {printed} but its form gives {value}")));
        }
        self.p.show(cell, Measure::Money, PENNY);
        Ok(cell)
    }

    /// A People cell: the persons of the categories `pick` keeps.
    pub fn people(
        &mut self,
        place: &str,
        importance: Importance,
        pick: impl Fn(u32, u8) -> bool,
        printed: u64,
    ) -> Result<CellId, Error> {
        let terms: Vec<(u32, f64)> =
            self.view.people_atom.iter().filter(|((g, c), _)| pick(*g, *c)).map(|(_, a)| (*a, 1.0)).collect();
        let count: u64 = terms.iter().map(|(a, _)| self.view.people[*a as usize]).sum();
        if count != printed {
            return Err(internal(&format!("{place}: the report prints {printed} persons but its atoms count {count}")));
        }
        let cell = self.p.cell(Universe::People, terms, 0.0, place, importance);
        self.p.show(cell, Measure::Count, 0.0);
        Ok(cell)
    }
}

/// A published value: its text, or `[c]` when its cell is suppressed.
pub(crate) fn shown(pattern: &Pattern, cell: CellId, text: impl Into<String>) -> String {
    if pattern.hides(cell) { crate::disclosure::SUPPRESSED.to_owned() } else { text.into() }
}

/// A derived value: its text when every cell it rests on is published.
pub(crate) fn derived(pattern: &Pattern, cells: &[CellId], text: impl FnOnce() -> String) -> String {
    if pattern.all_shown(cells) { text() } else { crate::disclosure::SUPPRESSED.to_owned() }
}

/// The cells of a comparison's tables.
pub(crate) struct Cells {
    /// Per side (baseline, alternative): the total.
    pub total: [CellId; 2],
    pub saving: CellId,
    /// Per series point, in the comparison's order.
    pub series: Vec<CellId>,
    /// Per agency row of the comparison.
    pub agencies: Vec<([CellId; 2], CellId)>,
    /// Per tier row of the comparison.
    pub tiers: Vec<CellId>,
    /// Failure demand by agency (level 1): (agency, side, all, failure) with events and money.
    pub failure: Vec<FailureRow>,
    pub persons: CellId,
    pub persons_saving: CellId,
    pub persons_costing_more: CellId,
    pub groups: Vec<GroupRow>,
}

/// Failure demand of one agency on one side: the comparison's row and its cells.
pub(crate) struct FailureRow {
    /// 0 for the baseline, 1 for the alternative.
    pub side: usize,
    pub all: CellId,
    pub fail: CellId,
    pub row: journeycost::compare::FailureRow,
}

/// One group of the `by` column.
pub(crate) struct GroupRow {
    pub value: String,
    pub persons: usize,
    pub persons_cell: CellId,
    pub cells: [CellId; 2],
    pub saving: CellId,
    pub costs: [Money; 2],
    pub events: [u64; 2],
}

fn side_index(s: Side) -> usize {
    match s {
        Side::Baseline => 0,
        Side::Alternative => 1,
    }
}

/// Registers the comparison's figures.
pub(crate) fn register_comparison(book: &mut Book<'_>, c: &Comparison, opts: &CompareOptions) -> Result<Cells, Error> {
    let names = [&opts.baseline, &opts.alternative];
    let side_of = |pathway: &str| usize::from(pathway != opts.baseline);
    let sides = [Side::Baseline, Side::Alternative];
    let total = [
        book.sum(
            &format!("results.json: totals, {}", names[0]),
            Importance::Headline,
            |k| (k.side == Side::Baseline).then_some(1.0),
            Some(c.total.baseline_cost),
            None,
        )?,
        book.sum(
            &format!("results.json: totals, {}", names[1]),
            Importance::Headline,
            |k| (k.side == Side::Alternative).then_some(1.0),
            Some(c.total.alternative_cost),
            None,
        )?,
    ];
    let saving = book.sum(
        "results.json: totals, saving",
        Importance::Headline,
        |k| Some(if k.side == Side::Baseline { 1.0 } else { -1.0 }),
        Some(c.total.saving),
        None,
    )?;
    book.p.relation(&[saving, total[0], total[1]]);

    let mut series = Vec::with_capacity(c.series.len());
    let mut by_side: [Vec<CellId>; 2] = [Vec::new(), Vec::new()];
    for s in &c.series {
        let side = sides[side_of(&s.pathway)];
        let period = s.period;
        let cell = book.sum(
            &format!("red-blue-cohort.csv: {} {}", s.pathway, s.period),
            Importance::Detail,
            |k| (k.side == side && k.period == period).then_some(1.0),
            Some(s.cost),
            Some(s.events),
        )?;
        by_side[side_index(side)].push(cell);
        series.push(cell);
    }
    for (i, cells) in by_side.iter().enumerate() {
        let mut r = cells.clone();
        r.push(total[i]);
        book.p.relation(&r);
    }
    // The series runs from the first period with an event to the last.
    if let (Some(first), Some(last)) =
        (c.series.iter().map(|s| s.period).min(), c.series.iter().map(|s| s.period).max())
    {
        book.floor(|k| k.period == first);
        book.floor(|k| k.period == last);
    }

    // Who pays: agencies (and details at level 2), keyed by identity.
    // In the comparison's order: agency id, then detail by name.
    let mut ids: Vec<(u32, u32)> = book.view.agency_labels.keys().copied().collect();
    let detail_name = |d: u32| if d == 0 { None } else { Some(book.view.details[d as usize - 1].as_str()) };
    ids.sort_by(|x, y| (x.0, detail_name(x.1)).cmp(&(y.0, detail_name(y.1))));
    let mut agencies = Vec::new();
    let mut columns: [Vec<CellId>; 2] = [Vec::new(), Vec::new()];
    let mut savings = Vec::new();
    if ids.len() != c.agencies.len() {
        return Err(internal(&format!(
            "{} agency rows in the comparison, {} in the report",
            c.agencies.len(),
            ids.len()
        )));
    }
    for (row, (a, d)) in c.agencies.iter().zip(&ids) {
        let (a, d) = (*a, *d);
        let label = book.view.agency_label(a, d);
        let of = |k: &AtomKey| k.agency == a && (!opts.agency_detail || k.detail == d);
        // Listed only with an event on either side.
        book.floor(of);
        let mut pair = [saving; 2];
        for (i, side) in sides.iter().enumerate() {
            let cost = if i == 0 { row.baseline_cost } else { row.alternative_cost };
            pair[i] = book.sum(
                &format!("who-pays.csv: {label}, {}", names[i]),
                Importance::Detail,
                |k| (of(k) && k.side == *side).then_some(1.0),
                Some(cost),
                None,
            )?;
            columns[i].push(pair[i]);
        }
        let s = book.sum(
            &format!("who-pays.csv: {label}, saving"),
            Importance::Detail,
            |k| of(k).then_some(if k.side == Side::Baseline { 1.0 } else { -1.0 }),
            Some(row.saving),
            None,
        )?;
        book.p.relation(&[s, pair[0], pair[1]]);
        savings.push(s);
        agencies.push((pair, s));
    }
    for (i, col) in columns.iter().enumerate() {
        let mut r = col.clone();
        r.push(total[i]);
        book.p.relation(&r);
    }
    savings.push(saving);
    book.p.relation(&savings);

    // The triangle of need.
    let mut tiers = Vec::with_capacity(c.tiers.len());
    let mut tier_columns: [Vec<CellId>; 2] = [Vec::new(), Vec::new()];
    for r in &c.tiers {
        let i = side_of(&r.pathway);
        let side = sides[i];
        let level = r.tier.map_or(0, Tier::level);
        let cell = book.sum(
            &format!("triangle.csv: {} tier {}", r.pathway, tier_label(r.tier)),
            Importance::Detail,
            |k| (k.side == side && k.tier == level).then_some(1.0),
            Some(r.cost),
            Some(r.events),
        )?;
        tier_columns[i].push(cell);
        tiers.push(cell);
    }
    for (i, col) in tier_columns.iter().enumerate() {
        let mut r = col.clone();
        r.push(total[i]);
        book.p.relation(&r);
    }

    // Failure demand by agency (level 1): the comparison's rows, each checked against its atoms.
    let mut failure = Vec::new();
    let mut fcolumns: [Vec<CellId>; 2] = [Vec::new(), Vec::new()];
    for f in &c.failure {
        let i = usize::from(f.pathway != *names[0]);
        let side = sides[i];
        let Some(a) = book.view.agencies.iter().position(|n| *n == f.agency).map(|a| a as u32) else {
            return Err(internal(&format!("failure-demand.csv: no agency {:?} in the ledger", f.agency)));
        };
        let name = &f.agency;
        let all = book.sum(
            &format!("failure-demand.csv: {name}, {}", names[i]),
            Importance::Detail,
            |k| (k.agency == a && k.side == side).then_some(1.0),
            Some(f.cost),
            Some(f.events),
        )?;
        let fail = book.sum(
            &format!("failure-demand.csv: {name}, {}, failure demand", names[i]),
            Importance::Detail,
            |k| (k.agency == a && k.side == side && k.demand == 1).then_some(1.0),
            Some(f.failure_cost),
            Some(f.failure_events),
        )?;
        // Listed only with an event.
        book.floor(|k| k.agency == a && k.side == side);
        fcolumns[i].push(all);
        failure.push(FailureRow { side: i, all, fail, row: f.clone() });
    }
    for (i, col) in fcolumns.iter().enumerate() {
        let mut r = col.clone();
        r.push(total[i]);
        book.p.relation(&r);
    }

    // Persons: the cohort's size is public; how many save and how many cost more are not.
    let s = &c.savings;
    let persons = book.people("results.json: persons", Importance::Pinned, |_, _| true, s.persons as u64)?;
    let persons_saving = book.people(
        "savings-distribution.csv: persons saving",
        Importance::Detail,
        |_, c| c == 0,
        s.persons_saving as u64,
    )?;
    let persons_costing_more = book.people(
        "savings-distribution.csv: persons costing more",
        Importance::Detail,
        |_, c| c == 1,
        s.persons_costing_more as u64,
    )?;

    Ok(Cells {
        total,
        saving,
        series,
        agencies,
        tiers,
        failure,
        persons,
        persons_saving,
        persons_costing_more,
        groups: Vec::new(),
    })
}

/// Registers the groups of the `by` column: persons, cost on each side and saving per group.
pub(crate) fn register_groups(
    book: &mut Book<'_>,
    cells: &mut Cells,
    opts: &CompareOptions,
    column: &str,
) -> Result<(), Error> {
    let names = [&opts.baseline, &opts.alternative];
    let sides = [Side::Baseline, Side::Alternative];
    // Group ids sharing a by value (they differ only by segment membership).
    let mut values: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for (g, (value, _)) in book.view.groups.iter().enumerate() {
        values.entry(value.clone().unwrap_or_default()).or_default().push(g as u32);
    }
    let mut columns: [Vec<CellId>; 2] = [Vec::new(), Vec::new()];
    let mut savings = Vec::new();
    let mut people = Vec::new();
    for (value, ids) in values {
        let persons: u64 = book
            .view
            .people_atom
            .iter()
            .filter(|((g, _), _)| ids.contains(g))
            .map(|(_, a)| book.view.people[*a as usize])
            .sum();
        if persons == 0 {
            continue;
        }
        let persons_cell = book.people(
            &format!("groups.csv: {column} = {value}, persons"),
            Importance::Detail,
            |g, _| ids.contains(&g),
            persons,
        )?;
        // Listed only with a person (and so with an event).
        let members: Vec<u32> =
            book.view.people_atom.iter().filter(|((g, _), _)| ids.contains(g)).map(|(_, a)| *a).collect();
        book.p.floor(Universe::People, &members);
        book.floor(|k| ids.contains(&k.group));
        people.push(persons_cell);
        let mut pair = [cells.saving; 2];
        let mut costs = [Money::ZERO; 2];
        let mut events = [0u64; 2];
        for (i, side) in sides.iter().enumerate() {
            let mut cost = Decimal::ZERO;
            for ((k, atom), x) in book.view.keys.iter().zip(book.p.atoms()).zip(&book.view.exact) {
                if ids.contains(&k.group) && k.side == *side {
                    cost += x;
                    events[i] += atom.events;
                }
            }
            costs[i] = Money::new(cost);
            pair[i] = book.sum(
                &format!("groups.csv: {column} = {value}, {}", names[i]),
                Importance::Detail,
                |k| (ids.contains(&k.group) && k.side == *side).then_some(1.0),
                Some(costs[i]),
                Some(events[i]),
            )?;
            columns[i].push(pair[i]);
        }
        let saving = book.sum(
            &format!("groups.csv: {column} = {value}, saving"),
            Importance::Detail,
            |k| ids.contains(&k.group).then_some(if k.side == Side::Baseline { 1.0 } else { -1.0 }),
            Some(costs[0] - costs[1]),
            None,
        )?;
        book.p.relation(&[saving, pair[0], pair[1]]);
        savings.push(saving);
        cells.groups.push(GroupRow {
            value,
            persons: persons as usize,
            persons_cell,
            cells: pair,
            saving,
            costs,
            events,
        });
    }
    for (i, col) in columns.iter().enumerate() {
        let mut r = col.clone();
        r.push(cells.total[i]);
        book.p.relation(&r);
    }
    savings.push(cells.saving);
    book.p.relation(&savings);
    people.push(cells.persons);
    book.p.relation(&people);
    Ok(())
}

/// The cells of an appraisal's published figures.
pub(crate) struct AppraisalCells {
    /// Per year: benefit, cost, discounted net.
    pub years: Vec<[CellId; 3]>,
    pub pv_benefits: CellId,
    pub pv_gross: CellId,
    pub pv_costs: CellId,
    pub npv: CellId,
    /// Per who-pays row (level 1): cost borne, saving received, net.
    pub who_pays: Vec<[CellId; 3]>,
}

/// Registers an appraisal's published figures as linear forms over the atoms.
pub(crate) fn register_appraisal(
    book: &mut Book<'_>,
    a: &Appraisal,
    lin_factors: &[Decimal],
    constants: &BTreeMap<(usize, String), Decimal>,
) -> Result<AppraisalCells, Error> {
    let f = |t: usize| lin_factors.get(t).map_or(0.0, |d| Money::new(*d).to_f64());
    let view: &View = book.view;
    let w = |k: &AtomKey| view.weights.get(k.weights as usize).and_then(Option::as_ref);
    let dec = |d: Decimal| Money::new(d).to_f64();
    let constant_in = |t: Option<usize>, agency: Option<&str>, discounted: bool| -> f64 {
        constants
            .iter()
            .filter(|((ct, ca), _)| t.is_none_or(|t| *ct == t) && agency.is_none_or(|a| a == ca))
            .map(|((ct, _), v)| dec(*v) * if discounted { f(*ct) } else { 1.0 })
            .sum()
    };
    let mut years = Vec::with_capacity(a.years.len());
    for (t, y) in a.years.iter().enumerate() {
        let benefit = book.linear(
            &format!("appraisal.csv: {}, benefit", y.year),
            Importance::Detail,
            |k| w(k).map_or(0.0, |lw| lw.benefit.iter().filter(|(bt, _)| *bt == t).map(|(_, x)| dec(*x)).sum()),
            0.0,
            y.benefit,
        )?;
        let cost = book.linear(
            &format!("appraisal.csv: {}, cost", y.year),
            Importance::Detail,
            |k| w(k).map_or(0.0, |lw| if lw.t == t { dec(lw.cost) } else { 0.0 }),
            constant_in(Some(t), None, false),
            y.cost,
        )?;
        let ft = f(t);
        let dnet = book.linear(
            &format!("appraisal.csv: {}, discounted net", y.year),
            Importance::Detail,
            |k| {
                w(k).map_or(0.0, |lw| {
                    let b: f64 = lw.benefit.iter().filter(|(bt, _)| *bt == t).map(|(_, x)| dec(*x)).sum();
                    let c = if lw.t == t { dec(lw.cost) } else { 0.0 };
                    ft * (b - c)
                })
            },
            -ft * constant_in(Some(t), None, false),
            y.discounted_net,
        )?;
        book.p.relation(&[dnet, benefit, cost]);
        years.push([benefit, cost, dnet]);
    }
    let pv_b = |lw: &LineWeights| lw.benefit.iter().map(|(bt, x)| f(*bt) * dec(*x)).sum::<f64>();
    let pv_c = |lw: &LineWeights| f(lw.t) * dec(lw.cost);
    let pv_benefits = book.linear(
        "results.json: appraisal, pv_benefits",
        Importance::Headline,
        |k| w(k).map_or(0.0, pv_b),
        0.0,
        a.pv_benefits,
    )?;
    let observed: Vec<bool> = a.years.iter().map(|y| y.observed).collect();
    let pv_gross = book.linear(
        "results.json: appraisal, pv_gross_benefits",
        Importance::Headline,
        |k| {
            w(k).map_or(
                0.0,
                |lw| if observed.get(lw.t).copied().unwrap_or(false) { f(lw.t) * dec(lw.gross) } else { 0.0 },
            )
        },
        0.0,
        a.pv_gross_benefits,
    )?;
    let pv_costs = book.linear(
        "results.json: appraisal, pv_costs",
        Importance::Headline,
        |k| w(k).map_or(0.0, pv_c),
        constant_in(None, None, true),
        a.pv_costs,
    )?;
    let npv = book.linear(
        "results.json: appraisal, npv",
        Importance::Headline,
        |k| w(k).map_or(0.0, |lw| pv_b(lw) - pv_c(lw)),
        -constant_in(None, None, true),
        a.npv,
    )?;
    book.p.relation(&[npv, pv_benefits, pv_costs]);
    let mut who_pays = Vec::with_capacity(a.who_pays.len());
    let (mut borne, mut received) = (Vec::new(), Vec::new());
    for r in &a.who_pays {
        let name = r.agency.as_str();
        let cb = book.linear(
            &format!("intervention-cost.csv: {name}, cost borne"),
            Importance::Detail,
            |k| w(k).filter(|lw| lw.agency == name).map_or(0.0, pv_c),
            constant_in(None, Some(name), true),
            r.cost_borne,
        )?;
        let sr = book.linear(
            &format!("intervention-cost.csv: {name}, saving received"),
            Importance::Detail,
            |k| w(k).filter(|lw| lw.agency == name).map_or(0.0, pv_b),
            0.0,
            r.saving_received,
        )?;
        let net = book.linear(
            &format!("intervention-cost.csv: {name}, net"),
            Importance::Detail,
            |k| w(k).filter(|lw| lw.agency == name).map_or(0.0, |lw| pv_b(lw) - pv_c(lw)),
            -constant_in(None, Some(name), true),
            r.net,
        )?;
        book.p.relation(&[net, cb, sr]);
        borne.push(cb);
        received.push(sr);
        who_pays.push([cb, sr, net]);
    }
    borne.push(pv_costs);
    received.push(pv_benefits);
    book.p.relation(&borne);
    book.p.relation(&received);
    Ok(AppraisalCells { years, pv_benefits, pv_gross, pv_costs, npv, who_pays })
}

/// The cell of each cohort segment's saving (baseline minus alternative of its persons), and
/// its persons, for the extrapolation.
pub(crate) fn register_segments(
    book: &mut Book<'_>,
    plan: &ExtrapolationPlan,
) -> Result<Vec<(String, CellId, u64)>, Error> {
    let mut out = Vec::new();
    let mut index = 0usize;
    for (seg, source) in &plan.segments {
        if !matches!(source, PerCaseSource::Cohort { .. }) {
            continue;
        }
        let i = index;
        index += 1;
        let members: Vec<u32> = book
            .view
            .groups
            .iter()
            .enumerate()
            .filter(|(_, g)| g.1.get(i).copied().unwrap_or(false))
            .map(|(g, _)| g as u32)
            .collect();
        let persons: u64 = book
            .view
            .people_atom
            .iter()
            .filter(|((g, _), _)| members.contains(g))
            .map(|(_, a)| book.view.people[*a as usize])
            .sum();
        let mut exact = Decimal::ZERO;
        for (k, x) in book.view.keys.iter().zip(&book.view.exact) {
            if members.contains(&k.group) {
                exact += if k.side == Side::Baseline { *x } else { -*x };
            }
        }
        let cell = book.sum(
            &format!("extrapolation: segment {:?}, the cohort's saving", seg.name),
            Importance::Detail,
            |k| members.contains(&k.group).then_some(if k.side == Side::Baseline { 1.0 } else { -1.0 }),
            Some(Money::new(exact)),
            None,
        )?;
        out.push((seg.name.clone(), cell, persons));
    }
    Ok(out)
}
