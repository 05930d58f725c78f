//! The sums a comparison is made from.
//!
//! [`Tally`] sums ledger lines by the ids of one run (a hash map per view: the hot loop of
//! `compare` on millions of events). [`CompareTally`] is the same sums keyed by name, so that it
//! stands on its own: tallies of disjoint sets of persons, made anywhere (another thread,
//! another process, a Spark executor), **merge** exactly into the tally of their union, and a
//! tally is **serialised** in a stable, versioned form ([`CompareTally::to_bytes`]). A
//! [`Comparison`] is finished from a `CompareTally`; the in-memory and streamed `compare` both
//! go through it, so there is one rule for every figure.
//!
//! The merge law, checked by a property test over random partitions of random cohorts:
//! `merge(tally(A), tally(B)) == tally(A ∪ B)` for disjoint sets of persons `A` and `B`. It holds
//! because every sum is keyed by what it is of, money is exact decimal, counts are integers, and
//! the one piece of state that runs across lines (a spell's months counting once per period) runs
//! within one person's events.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    AgencyRow, CompareOptions, Comparison, DemandRow, FailureRow, PersonRow, SeriesPoint, Side, TierRow, Trend,
    break_even_index, distribution, least_squares, row, share,
};
use crate::catalogue::{DemandKind, Tier, ValueType};
use crate::error::{Error, Location, ProblemKind};
use crate::ledger::Totals;
use crate::money::{ExactSumCheck, Money, round_quotient};
use crate::period::{Period, PeriodKind};
use crate::prices::PriceYear;

/// An agency (by id), its detail at agency level 2, and a side.
type AgencyKey<'a> = ((u32, Option<&'a str>), Side);

/// The group-bys a comparison is made of, summed line by line by the ids of one run: by side and
/// period, agency (and detail), demand, tier, person, and failure demand by agency. Every one is
/// exact.
#[derive(Debug, Default)]
pub(crate) struct Tally<'a> {
    periods: rustc_hash::FxHashMap<(Side, Period), Totals>,
    /// By agency (and detail) and side: all demand, and failure demand.
    agencies: rustc_hash::FxHashMap<AgencyKey<'a>, [Totals; 2]>,
    demand: rustc_hash::FxHashMap<(Side, Option<DemandKind>), Totals>,
    tiers: rustc_hash::FxHashMap<(Side, Option<Tier>), Totals>,
    /// By person: the baseline's and the alternative's.
    persons: rustc_hash::FxHashMap<u32, [Totals; 2]>,
}

impl<'a> Tally<'a> {
    /// Adds a line on `side` in `period` (counting as an event when `counts`), with its
    /// agency detail when agencies are split by it.
    pub(crate) fn add(
        &mut self,
        l: &crate::ledger::Line,
        side: Side,
        period: Period,
        counts: bool,
        detail: Option<&'a str>,
    ) {
        let events = u64::from(counts);
        let agency = self.agencies.entry(((l.agency, detail), side)).or_default();
        let agency = if l.demand == Some(DemandKind::Failure) { &mut agency[..] } else { &mut agency[..1] };
        for t in agency.iter_mut().chain([
            self.periods.entry((side, period)).or_default(),
            self.demand.entry((side, l.demand)).or_default(),
            self.tiers.entry((side, l.tier)).or_default(),
            &mut self.persons.entry(l.person).or_default()[side_index(side)],
        ]) {
            t.events += events;
            t.cost += l.cost;
        }
    }

    /// The same sums keyed by name: `persons` and `agencies` are the names the ids refer to.
    pub(crate) fn named(
        self,
        options: &CompareOptions,
        persons: &[Box<str>],
        agencies: &[String],
        price_base: PriceYear,
        value_types: &[ValueType],
    ) -> CompareTally {
        let agency = |a: u32| agencies[a as usize].clone();
        let mut failure: BTreeMap<(String, Side), [Totals; 2]> = BTreeMap::new();
        let mut by_agency = BTreeMap::new();
        for (((a, d), s), [all, fail]) in self.agencies {
            let f = failure.entry((agency(a), s)).or_default();
            for (into, t) in f.iter_mut().zip([all, fail]) {
                into.events += t.events;
                into.cost += t.cost;
            }
            by_agency.insert((agency(a), d.map(str::to_owned), s), all);
        }
        CompareTally {
            settings: Settings::of(options, price_base, value_types),
            periods: self.periods.into_iter().collect(),
            agencies: by_agency,
            demand: self.demand.into_iter().collect(),
            tiers: self.tiers.into_iter().collect(),
            persons: self.persons.into_iter().map(|(p, t)| (persons[p as usize].to_string(), t)).collect(),
            failure,
        }
    }

    /// The comparison, with the names the ids refer to.
    pub(crate) fn finish(
        self,
        options: &CompareOptions,
        persons: &[Box<str>],
        agencies: &[String],
        price_base: PriceYear,
        value_types: &[ValueType],
    ) -> Comparison {
        self.named(options, persons, agencies, price_base, value_types).finish()
    }
}

/// What a tally's sums are of: two tallies merge only when these are equal.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Settings {
    baseline: String,
    alternative: String,
    period: PeriodKind,
    agency_detail: bool,
    price_base: PriceYear,
    /// The value types summed: fiscal, or all three (the public-value case).
    value_types: Vec<ValueType>,
}

impl Settings {
    fn of(options: &CompareOptions, price_base: PriceYear, value_types: &[ValueType]) -> Settings {
        Settings {
            baseline: options.baseline.clone(),
            alternative: options.alternative.clone(),
            period: options.period,
            agency_detail: options.agency_detail,
            price_base,
            value_types: value_types.to_vec(),
        }
    }

    /// How a message names the comparison: `"old" against "new" by month at agency level 1, fiscal values at 2023/24 prices`.
    fn describe(&self) -> String {
        format!(
            "{:?} against {:?} by {} at agency level {}, {} values at {} prices",
            self.baseline,
            self.alternative,
            self.period.as_str(),
            if self.agency_detail { 2 } else { 1 },
            self.value_types.iter().map(|t| t.as_str()).collect::<Vec<_>>().join("+"),
            self.price_base
        )
    }

    fn options(&self) -> CompareOptions {
        CompareOptions {
            baseline: self.baseline.clone(),
            alternative: self.alternative.clone(),
            period: self.period,
            agency_detail: self.agency_detail,
        }
    }
}

/// The sums of a comparison keyed by name: mergeable and serialisable (see the module's
/// documentation). Made by [`tally`](super::tally) from a ledger (or a part of its persons), and
/// by the streamed `compare`; finished into a [`Comparison`] by [`CompareTally::finish`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareTally {
    settings: Settings,
    periods: BTreeMap<(Side, Period), Totals>,
    /// By agency, agency detail (at agency level 2) and side.
    agencies: BTreeMap<(String, Option<String>, Side), Totals>,
    demand: BTreeMap<(Side, Option<DemandKind>), Totals>,
    tiers: BTreeMap<(Side, Option<Tier>), Totals>,
    /// By person: the baseline's and the alternative's.
    persons: BTreeMap<String, [Totals; 2]>,
    /// By agency (level 1) and side: all demand, and failure demand.
    failure: BTreeMap<(String, Side), [Totals; 2]>,
}

/// The index of a side in a pair of totals.
fn side_index(s: Side) -> usize {
    match s {
        Side::Baseline => 0,
        Side::Alternative => 1,
    }
}

/// The name of the serialised form, and its version: a reader refuses any other.
pub const TALLY_FORMAT: &str = "journeycost/compare-tally";
/// The version of [`TALLY_FORMAT`] this build writes and reads.
pub const TALLY_VERSION: u32 = 1;

fn add_into(into: &mut Totals, t: Totals) -> Result<(), Error> {
    into.events = into.events.checked_add(t.events).ok_or_else(|| too_large("events"))?;
    into.cost = into.cost.checked_add(t.cost).ok_or_else(|| too_large("cost"))?;
    Ok(())
}

fn too_large(what: &str) -> Error {
    Error::new(
        Location::source("tally"),
        ProblemKind::Overflow,
        format!("the merged {what} is too large to keep exactly"),
    )
}

fn merge_map<K: Ord>(into: &mut BTreeMap<K, Totals>, from: BTreeMap<K, Totals>) -> Result<(), Error> {
    for (k, t) in from {
        add_into(into.entry(k).or_default(), t)?;
    }
    Ok(())
}

impl CompareTally {
    /// An empty tally of a comparison with `options` of `value_types` at `price_base`: the tally
    /// of no persons, which merges with any tally of the same comparison as zero does.
    #[must_use]
    pub fn empty(options: &CompareOptions, price_base: PriceYear, value_types: &[ValueType]) -> CompareTally {
        CompareTally {
            settings: Settings::of(options, price_base, value_types),
            periods: BTreeMap::new(),
            agencies: BTreeMap::new(),
            demand: BTreeMap::new(),
            tiers: BTreeMap::new(),
            persons: BTreeMap::new(),
            failure: BTreeMap::new(),
        }
    }

    /// The comparison options the tally is of.
    #[must_use]
    pub fn options(&self) -> CompareOptions {
        self.settings.options()
    }

    /// The price base of its money.
    #[must_use]
    pub fn price_base(&self) -> PriceYear {
        self.settings.price_base
    }

    /// The value types its money sums.
    #[must_use]
    pub fn value_types(&self) -> &[ValueType] {
        &self.settings.value_types
    }

    /// The persons in it (with a line on either side), in byte order.
    pub fn persons(&self) -> impl Iterator<Item = &str> {
        self.persons.keys().map(String::as_str)
    }

    /// Adds `other`, a tally of other persons, to this one: the tally of both sets of persons.
    ///
    /// # Errors
    /// Tallies of different comparisons (pathways, period, agency level, value types or price
    /// base); a person in both (a person's lines must all be in one tally, or their spells and
    /// savings would count twice); sums too large to keep exactly. On error `self` is unchanged.
    pub fn merge(&mut self, other: CompareTally) -> Result<(), Error> {
        if self.settings != other.settings {
            return Err(Error::new(
                Location::source("tally"),
                ProblemKind::Scenario,
                format!(
                    "cannot merge the tally of {} with one of {}",
                    self.settings.describe(),
                    other.settings.describe()
                ),
            ));
        }
        if let Some(p) = other.persons.keys().find(|p| self.persons.contains_key(*p)) {
            return Err(Error::new(
                Location::source("tally"),
                ProblemKind::Scenario,
                format!("person {p:?} is in both tallies: tallies merge only for disjoint sets of persons"),
            ));
        }
        let mut merged = self.clone();
        merge_map(&mut merged.periods, other.periods)?;
        merge_map(&mut merged.agencies, other.agencies)?;
        merge_map(&mut merged.demand, other.demand)?;
        merge_map(&mut merged.tiers, other.tiers)?;
        merged.persons.extend(other.persons);
        for (k, [all, fail]) in other.failure {
            let into = merged.failure.entry(k).or_default();
            add_into(&mut into[0], all)?;
            add_into(&mut into[1], fail)?;
        }
        merged.check().map_err(|m| Error::new(Location::source("tally"), ProblemKind::Overflow, m))?;
        *self = merged;
        Ok(())
    }

    /// What every tally of real lines satisfies, and [`finish`](CompareTally::finish) relies
    /// on: periods within years 0 to 9999, agency details only at agency level 2, failure
    /// demand only at agencies with lines, and every view's sum of money within the bound the
    /// ledger keeps exactly ([`ExactSumCheck`]), so that no sum `finish` makes can overflow.
    fn check(&self) -> Result<(), String> {
        let last = match self.settings.period {
            PeriodKind::Month => 9999 * 12 + 11,
            PeriodKind::Quarter => 9999 * 4 + 3,
            PeriodKind::Year | PeriodKind::Fy => 9999,
        };
        if let Some((_, p)) =
            self.periods.keys().find(|(_, p)| p.kind != self.settings.period || !(0..=last).contains(&p.index))
        {
            return Err(format!("period index {} is outside years 0 to 9999", p.index));
        }
        if !self.settings.agency_detail {
            if let Some((a, Some(d), _)) = self.agencies.keys().find(|k| k.1.is_some()) {
                return Err(format!("agency {a:?} has detail {d:?} in a tally at agency level 1"));
            }
        }
        if let Some((a, _)) = self.failure.keys().find(|(a, _)| {
            self.agencies.range((a.clone(), None, Side::Baseline)..).next().is_none_or(|(k, _)| &k.0 != a)
        }) {
            return Err(format!("failure demand at agency {a:?}, which has no lines"));
        }
        let exact = |costs: &mut dyn Iterator<Item = Money>| {
            let mut check = ExactSumCheck::default();
            for c in costs {
                check.add(c.exact());
            }
            check.exact()
        };
        let views: [(&str, bool); 6] = [
            ("periods", exact(&mut self.periods.values().map(|t| t.cost))),
            ("agencies", exact(&mut self.agencies.values().map(|t| t.cost))),
            ("demand", exact(&mut self.demand.values().map(|t| t.cost))),
            ("tiers", exact(&mut self.tiers.values().map(|t| t.cost))),
            ("persons", exact(&mut self.persons.values().flat_map(|t| t.iter().map(|t| t.cost)))),
            ("failure", exact(&mut self.failure.values().flat_map(|t| t.iter().map(|t| t.cost)))),
        ];
        if let Some((view, _)) = views.iter().find(|(_, ok)| !ok) {
            return Err(format!("the sums of {view} are too large to keep exactly"));
        }
        Ok(())
    }

    /// The comparison these sums make.
    #[must_use]
    pub fn finish(&self) -> Comparison {
        let options = self.settings.options();
        let name_of = |s: Side| match s {
            Side::Baseline => options.baseline.clone(),
            Side::Alternative => options.alternative.clone(),
        };
        let side_total = |s: Side| self.agencies.iter().filter(|(k, _)| k.2 == s).map(|(_, t)| t.cost).sum::<Money>();
        let (base_total, alt_total) = (side_total(Side::Baseline), side_total(Side::Alternative));

        // Series: the common range of periods with data on either side, empty periods as zero.
        let mut series = Vec::new();
        let mut cumulative: BTreeMap<Side, Vec<Money>> = BTreeMap::new();
        let mut range_periods = Vec::new();
        if let (Some(first), Some(last)) =
            (self.periods.keys().map(|k| k.1).min(), self.periods.keys().map(|k| k.1).max())
        {
            let mut p = first;
            while p <= last {
                range_periods.push(p);
                p = p.next();
            }
        }
        let mut sides = [Side::Baseline, Side::Alternative];
        sides.sort_by_key(|&s| name_of(s));
        let mut counts: BTreeMap<Side, Vec<f64>> = BTreeMap::new();
        for s in sides {
            let mut running = Money::ZERO;
            for &p in &range_periods {
                let t = self.periods.get(&(s, p)).copied().unwrap_or_default();
                running += t.cost;
                cumulative.entry(s).or_default().push(running);
                counts.entry(s).or_default().push(t.events as f64);
                series.push(SeriesPoint {
                    pathway: name_of(s),
                    period: p,
                    events: t.events,
                    cost: t.cost,
                    cumulative_cost: running,
                });
            }
        }
        let break_even = break_even_index(cumulative.get(&Side::Baseline), cumulative.get(&Side::Alternative))
            .map(|i| range_periods[i]);

        // Agencies (and details) in byte order, with any line on either side.
        let mut agency_keys: Vec<(&str, Option<&str>)> =
            self.agencies.keys().map(|(a, d, _)| (a.as_str(), d.as_deref())).collect();
        agency_keys.dedup();
        let mut failure = Vec::new();
        let mut level1: Vec<&str> = agency_keys.iter().map(|a| a.0).collect();
        level1.dedup();
        for a in level1 {
            for s in [Side::Baseline, Side::Alternative] {
                let Some([all, fail]) = self.failure.get(&(a.to_owned(), s)).copied() else { continue };
                if all.events == 0 {
                    continue;
                }
                failure.push(FailureRow {
                    agency: a.to_owned(),
                    pathway: name_of(s),
                    events: all.events,
                    failure_events: fail.events,
                    cost: all.cost,
                    failure_cost: fail.cost,
                    failure_cost_share: share(fail.cost, all.cost),
                    failure_contact_share: round_quotient(
                        rust_decimal::Decimal::from(fail.events),
                        rust_decimal::Decimal::from(all.events),
                        4,
                    ),
                });
            }
        }
        let agencies: Vec<AgencyRow> = agency_keys
            .into_iter()
            .map(|(a, d)| {
                let get =
                    |s| self.agencies.get(&(a.to_owned(), d.map(str::to_owned), s)).map_or(Money::ZERO, |t| t.cost);
                let label = d.map_or_else(|| a.to_owned(), |d| format!("{a} / {d}"));
                row(label, get(Side::Baseline), get(Side::Alternative))
            })
            .collect();

        let mut demand = Vec::new();
        let mut tiers = Vec::new();
        for s in sides {
            let total = if s == Side::Baseline { base_total } else { alt_total };
            for kind in [Some(DemandKind::Failure), Some(DemandKind::Value), None] {
                let t = self.demand.get(&(s, kind)).copied().unwrap_or_default();
                demand.push(DemandRow {
                    pathway: name_of(s),
                    demand: kind,
                    events: t.events,
                    cost: t.cost,
                    cost_share: share(t.cost, total),
                });
            }
            for tier in [Tier::new(1), Tier::new(2), Tier::new(3), Tier::new(4), None] {
                let t = self.tiers.get(&(s, tier)).copied().unwrap_or_default();
                tiers.push(TierRow { pathway: name_of(s), tier, events: t.events, cost: t.cost });
            }
        }

        let trend = sides
            .iter()
            .filter_map(|s| {
                let ys = counts.get(s)?;
                let (slope, intercept) = least_squares(ys);
                Some(Trend { pathway: name_of(*s), periods: ys.len(), slope, intercept })
            })
            .collect();

        let persons: Vec<PersonRow> = self
            .persons
            .iter()
            .map(|(p, [b, a])| PersonRow {
                person_id: p.clone(),
                baseline_cost: b.cost,
                alternative_cost: a.cost,
                saving: b.cost - a.cost,
            })
            .collect();
        let savings = distribution(&persons);

        Comparison {
            baseline: options.baseline.clone(),
            alternative: options.alternative.clone(),
            period: options.period,
            price_base: self.settings.price_base,
            total: row("TOTAL".into(), base_total, alt_total),
            saving_share: share(base_total - alt_total, base_total),
            series,
            break_even,
            agencies,
            demand,
            failure,
            tiers,
            trend,
            persons,
            savings,
        }
    }

    /// The tally in its serialised form: CBOR (RFC 8949) of a map with `format`
    /// ([`TALLY_FORMAT`]), `version` ([`TALLY_VERSION`]), the settings, and one array of rows
    /// per view; money as exact decimal text, counts as integers, periods as their kind and
    /// index. The same tally gives the same bytes.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let totals = |t: &Totals| (t.events, t.cost.exact().to_string());
        let wire = Wire {
            format: TALLY_FORMAT.to_owned(),
            version: TALLY_VERSION,
            baseline: self.settings.baseline.clone(),
            alternative: self.settings.alternative.clone(),
            period: self.settings.period.as_str().to_owned(),
            agency_detail: self.settings.agency_detail,
            price_base: self.settings.price_base.to_string(),
            value_types: self.settings.value_types.iter().map(|t| t.as_str().to_owned()).collect(),
            periods: self.periods.iter().map(|((s, p), t)| (side_code(*s), p.index, totals(t))).collect(),
            agencies: self
                .agencies
                .iter()
                .map(|((a, d, s), t)| (a.clone(), d.clone(), side_code(*s), totals(t)))
                .collect(),
            demand: self.demand.iter().map(|((s, d), t)| (side_code(*s), demand_code(*d), totals(t))).collect(),
            tiers: self
                .tiers
                .iter()
                .map(|((s, tier), t)| (side_code(*s), tier.map_or(0, Tier::level), totals(t)))
                .collect(),
            persons: self.persons.iter().map(|(p, [b, a])| (p.clone(), totals(b), totals(a))).collect(),
            failure: self
                .failure
                .iter()
                .map(|((a, s), [all, fail])| (a.clone(), side_code(*s), totals(all), totals(fail)))
                .collect(),
        };
        let mut out = Vec::new();
        // Writing CBOR into a Vec cannot fail.
        let _ = ciborium::into_writer(&wire, &mut out);
        out
    }

    /// Reads a tally written by [`to_bytes`](CompareTally::to_bytes), by this or another
    /// machine.
    ///
    /// # Errors
    /// Bytes that are not a tally, a tally of another format or version, or values out of range
    /// (an unknown side, tier or demand kind; money that is not an exact decimal).
    pub fn from_bytes(bytes: &[u8]) -> Result<CompareTally, Error> {
        let bad = |m: String| Error::new(Location::source("tally"), ProblemKind::Syntax, m);
        let mut cursor = std::io::Cursor::new(bytes);
        let wire: Wire =
            ciborium::from_reader(&mut cursor).map_err(|e| bad(format!("not a journeycost tally: {e}")))?;
        if cursor.position() != bytes.len() as u64 {
            return Err(bad(format!(
                "{} bytes follow the tally: one tally is one CBOR item",
                bytes.len() as u64 - cursor.position()
            )));
        }
        if wire.format != TALLY_FORMAT || wire.version != TALLY_VERSION {
            return Err(bad(format!(
                "a tally of format {:?} version {}; this journeycost reads {TALLY_FORMAT:?} version {TALLY_VERSION}",
                wire.format, wire.version
            )));
        }
        let period: PeriodKind = wire.period.parse().map_err(|e: String| bad(e))?;
        let price_base: PriceYear =
            wire.price_base.parse().map_err(|e: crate::prices::PriceYearError| bad(e.to_string()))?;
        let value_types: Vec<ValueType> = wire
            .value_types
            .iter()
            .map(|v| {
                ValueType::ALL
                    .into_iter()
                    .find(|t| t.as_str() == v)
                    .ok_or_else(|| bad(format!("value type {v:?} is unknown")))
            })
            .collect::<Result<_, _>>()?;
        if value_types != [ValueType::Fiscal] && value_types != ValueType::ALL {
            return Err(bad(format!("value types {:?} are neither fiscal nor all three", wire.value_types)));
        }
        let side = |c: u8| match c {
            0 => Ok(Side::Baseline),
            1 => Ok(Side::Alternative),
            other => Err(bad(format!("side {other} is not 0 (baseline) or 1 (alternative)"))),
        };
        let totals = |(events, cost): (u64, String)| -> Result<Totals, Error> {
            let cost = rust_decimal::Decimal::from_str_exact(&cost)
                .map_err(|e| bad(format!("cost {cost:?} is not an exact decimal: {e}")))?;
            Ok(Totals { events, cost: Money::new(cost) })
        };
        let twice = |what: &str| bad(format!("{what} is in the tally twice"));
        let mut t = CompareTally::empty(
            &CompareOptions {
                baseline: wire.baseline,
                alternative: wire.alternative,
                period,
                agency_detail: wire.agency_detail,
            },
            price_base,
            &value_types,
        );
        for (s, index, x) in wire.periods {
            if t.periods.insert((side(s)?, Period { kind: period, index }), totals(x)?).is_some() {
                return Err(twice(&format!("period {index}")));
            }
        }
        for (a, d, s, x) in wire.agencies {
            let what = format!("agency {a:?}");
            if t.agencies.insert((a, d, side(s)?), totals(x)?).is_some() {
                return Err(twice(&what));
            }
        }
        for (s, d, x) in wire.demand {
            let d = match d {
                0 => None,
                1 => Some(DemandKind::Failure),
                2 => Some(DemandKind::Value),
                other => return Err(bad(format!("demand {other} is not 0, 1 (failure) or 2 (value)"))),
            };
            if t.demand.insert((side(s)?, d), totals(x)?).is_some() {
                return Err(twice("a demand kind"));
            }
        }
        for (s, level, x) in wire.tiers {
            let tier = match level {
                0 => None,
                l => Some(Tier::new(l).ok_or_else(|| bad(format!("tier {l} is not 0 to 4")))?),
            };
            if t.tiers.insert((side(s)?, tier), totals(x)?).is_some() {
                return Err(twice("a tier"));
            }
        }
        for (p, b, a) in wire.persons {
            let what = format!("person {p:?}");
            if t.persons.insert(p, [totals(b)?, totals(a)?]).is_some() {
                return Err(twice(&what));
            }
        }
        for (a, s, all, fail) in wire.failure {
            let what = format!("failure demand at {a:?}");
            if t.failure.insert((a, side(s)?), [totals(all)?, totals(fail)?]).is_some() {
                return Err(twice(&what));
            }
        }
        t.check().map_err(bad)?;
        Ok(t)
    }
}

fn side_code(s: Side) -> u8 {
    match s {
        Side::Baseline => 0,
        Side::Alternative => 1,
    }
}

fn demand_code(d: Option<DemandKind>) -> u8 {
    match d {
        None => 0,
        Some(DemandKind::Failure) => 1,
        Some(DemandKind::Value) => 2,
    }
}

/// Events and exact cost text.
type WireTotals = (u64, String);

/// The serialised form of a [`CompareTally`] (see [`CompareTally::to_bytes`]).
#[derive(Serialize, Deserialize)]
struct Wire {
    format: String,
    version: u32,
    baseline: String,
    alternative: String,
    period: String,
    agency_detail: bool,
    price_base: String,
    /// `fiscal`, or `fiscal`, `economic` and `social`.
    value_types: Vec<String>,
    /// (side, period index, totals)
    periods: Vec<(u8, i32, WireTotals)>,
    /// (agency, detail, side, totals)
    agencies: Vec<(String, Option<String>, u8, WireTotals)>,
    /// (side, demand: 0 unclassified, 1 failure, 2 value, totals)
    demand: Vec<(u8, u8, WireTotals)>,
    /// (side, tier level or 0, totals)
    tiers: Vec<(u8, u8, WireTotals)>,
    /// (person, baseline totals, alternative totals)
    persons: Vec<(String, WireTotals, WireTotals)>,
    /// (agency, side, all, failure)
    failure: Vec<(String, u8, WireTotals, WireTotals)>,
}
