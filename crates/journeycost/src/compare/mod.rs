//! The baseline (old way) against the alternative (new way): the red and blue cumulative lines,
//! who pays and who saves, failure demand, the triangle of need, and demand trends.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::catalogue::{DemandKind, Tier, ValueType};
use crate::error::{Error, Location, ProblemKind};
use crate::journey::Persons;
use crate::ledger::Ledger;
use crate::money::{Money, round_quotient, round_ratio_to_penny};
use crate::period::{Period, PeriodKind};
use crate::prices::PriceYear;

mod tally;

pub(crate) use tally::Tally;
pub use tally::{CompareTally, TALLY_FORMAT, TALLY_VERSION};

/// What to compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareOptions {
    /// The baseline pathway (the old way; the red line). Default `old`.
    pub baseline: String,
    /// The alternative pathway (the new way; the blue line). Default `new`.
    pub alternative: String,
    /// The period of the series. Default month.
    pub period: PeriodKind,
    /// Who pays and who saves at the second agency level: agencies are split by their unit
    /// costs' agency detail (shown `Agency / detail`). Default false: the first level.
    pub agency_detail: bool,
}

impl Default for CompareOptions {
    fn default() -> CompareOptions {
        CompareOptions {
            baseline: "old".into(),
            alternative: "new".into(),
            period: PeriodKind::Month,
            agency_detail: false,
        }
    }
}

/// Refuses a comparison of a pathway with itself, which would show a saving of the whole cost
/// (every comparison, appraisal and report checks this first).
///
/// # Errors
/// A [`ProblemKind::Scenario`] problem of the options when the two names are equal.
pub fn distinct_pathways(baseline: &str, alternative: &str) -> Result<(), Error> {
    if baseline == alternative {
        return Err(Error::new(
            Location::source("options").in_field("alternative"),
            ProblemKind::Scenario,
            format!(
                "the baseline and the alternative are both pathway {baseline:?}: a comparison needs two different pathways"
            ),
        ));
    }
    Ok(())
}

/// Which side of the comparison a row is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The baseline pathway.
    Baseline,
    /// The alternative pathway.
    Alternative,
}

/// One period of one pathway's line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeriesPoint {
    /// The pathway's name.
    pub pathway: String,
    /// The period.
    pub period: Period,
    /// Events in the period.
    pub events: u64,
    /// Cost in the period.
    pub cost: Money,
    /// Cost from the first period to this one, inclusive.
    pub cumulative_cost: Money,
}

/// Baseline and alternative cost of one agency (or the total), and the saving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgencyRow {
    /// The agency, or `TOTAL`.
    pub agency: String,
    /// Baseline cost.
    pub baseline_cost: Money,
    /// Alternative cost.
    pub alternative_cost: Money,
    /// Baseline minus alternative, exact (rounded only when printed).
    pub saving: Money,
}

/// Events and cost of one demand kind on one pathway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemandRow {
    /// The pathway's name.
    pub pathway: String,
    /// The demand kind; `None` is reported as `unclassified`.
    #[serde(serialize_with = "ser_demand")]
    pub demand: Option<DemandKind>,
    /// Events.
    pub events: u64,
    /// Cost.
    pub cost: Money,
    /// Share of the pathway's cost, rounded half-even to 4 decimals; `None` when the pathway's
    /// total cost is zero.
    pub cost_share: Option<Decimal>,
}

/// Failure demand at one agency (level 1) on one pathway: all its events and cost, and those
/// of failure demand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureRow {
    /// The agency.
    pub agency: String,
    /// The pathway's name.
    pub pathway: String,
    /// The agency's events on the pathway.
    pub events: u64,
    /// Those of failure demand.
    pub failure_events: u64,
    /// The agency's cost on the pathway.
    pub cost: Money,
    /// That of failure demand.
    pub failure_cost: Money,
    /// `failure_cost / cost`, rounded half-even to 4 decimals; `None` when the cost is zero.
    pub failure_cost_share: Option<Decimal>,
    /// `failure_events / events`, rounded half-even to 4 decimals.
    pub failure_contact_share: Option<Decimal>,
}

/// Events and cost of one tier of need on one pathway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierRow {
    /// The pathway's name.
    pub pathway: String,
    /// The tier; `None` is reported as `unassigned`.
    #[serde(serialize_with = "ser_tier")]
    pub tier: Option<Tier>,
    /// Events.
    pub events: u64,
    /// Cost.
    pub cost: Money,
}

/// A least-squares line through a pathway's event counts per period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// The pathway's name.
    pub pathway: String,
    /// How many periods the line is fitted over (x = 0 for the first).
    pub periods: usize,
    /// Events per period gained (positive: demand rising) per period.
    pub slope: f64,
    /// Fitted events in the first period.
    pub intercept: f64,
}

/// One person's cost on each side and their saving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonRow {
    /// The person's id.
    pub person_id: String,
    /// Baseline cost.
    pub baseline_cost: Money,
    /// Alternative cost.
    pub alternative_cost: Money,
    /// Baseline minus alternative.
    pub saving: Money,
}

/// The distribution of per-person savings.
///
/// Quantiles are the linear interpolation between order statistics (Hyndman and Fan type 7, the
/// default of R and numpy), computed exactly and rounded half-even to the penny; the mean is
/// rounded the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SavingsDistribution {
    /// Persons compared (with an event on either side).
    pub persons: usize,
    /// Persons whose saving is above zero.
    pub persons_saving: usize,
    /// Persons whose saving is below zero (the new way costs more).
    pub persons_costing_more: usize,
    /// Mean saving.
    pub mean: Money,
    /// Smallest saving.
    pub min: Money,
    /// 25th percentile.
    pub p25: Money,
    /// Median.
    pub median: Money,
    /// 75th percentile.
    pub p75: Money,
    /// Largest saving.
    pub max: Money,
}

/// A full comparison of two pathways.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The baseline pathway.
    pub baseline: String,
    /// The alternative pathway.
    pub alternative: String,
    /// The period of the series.
    pub period: PeriodKind,
    /// The price base.
    pub price_base: PriceYear,
    /// Total cost and saving.
    pub total: AgencyRow,
    /// Saving as a share of the baseline cost, rounded half-even to 4 decimals; `None` when the
    /// baseline costs nothing.
    pub saving_share: Option<Decimal>,
    /// The red and blue lines: alternative then baseline sorted by pathway name, every period
    /// from the first to the last with data.
    pub series: Vec<SeriesPoint>,
    /// The first period from which the alternative's cumulative cost stays at or below the
    /// baseline's; `None` if it never does.
    pub break_even: Option<Period>,
    /// Who pays and who saves: agencies with any event on either side, in byte order.
    pub agencies: Vec<AgencyRow>,
    /// Failure and value demand per pathway.
    pub demand: Vec<DemandRow>,
    /// Failure demand by agency (level 1): per agency with an event on either side (in the
    /// order of `agencies`), a row per pathway with an event there, baseline first.
    pub failure: Vec<FailureRow>,
    /// The triangle of need per pathway.
    pub tiers: Vec<TierRow>,
    /// Demand trends per pathway.
    pub trend: Vec<Trend>,
    /// Per-person costs and savings, by person id in byte order.
    pub persons: Vec<PersonRow>,
    /// The distribution of per-person savings.
    pub savings: SavingsDistribution,
}

/// Compares two pathways of a ledger, optionally for a subset of persons.
///
/// `include` restricts the comparison to the persons for whom it returns true (indexed by
/// person id); `None` includes everyone.
///
/// # Errors
/// [`ProblemKind::NotFound`] if either pathway has no events at all in the ledger;
/// [`ProblemKind::Scenario`] if the two pathways are the same.
///
/// # Example
/// ```
/// use journeycost::{catalogue::{Catalogue, UnitCost}, journey::{Event, Journeys}};
/// use journeycost::{ledger::Ledger, prices::{PriceIndex, PriceYear}, compare::{compare, CompareOptions}};
/// use chrono::NaiveDate;
/// use rust_decimal::Decimal;
///
/// let y = PriceYear::Calendar(2024);
/// let catalogue = Catalogue::new(vec![
///     UnitCost::new("CALL", "Police", Decimal::new(34127, 2), y),
///     UnitCost::new("VISIT", "Locality team", Decimal::new(6000, 2), y),
/// ]).unwrap();
/// let mut index = PriceIndex::new();
/// index.insert(y, Decimal::ONE_HUNDRED).unwrap();
/// let day = |m| NaiveDate::from_ymd_opt(2024, m, 1).unwrap();
/// let mut j = Journeys::new();
/// for m in 1..=3 { j.push(Event::new("ANNA", "old", day(m), "CALL")).unwrap(); }
/// j.push(Event::new("ANNA", "new", day(1), "VISIT")).unwrap();
/// let ledger = Ledger::build(&j, &catalogue, &index, y).unwrap();
/// let c = compare(&ledger, &CompareOptions::default(), None).unwrap();
/// assert_eq!(c.total.saving.to_string(), "963.81");
/// assert_eq!(c.break_even.unwrap().to_string(), "2024-01");
/// ```
pub fn compare(ledger: &Ledger, options: &CompareOptions, include: Option<&[bool]>) -> Result<Comparison, Error> {
    distinct_pathways(&options.baseline, &options.alternative)?;
    find_pathway(ledger.pathways(), &options.baseline)?;
    find_pathway(ledger.pathways(), &options.alternative)?;
    tally(ledger, options, include).map(|t| t.finish())
}

/// The sums [`compare`] makes its comparison from, of the persons `include` keeps (all when
/// `None`), as a [`CompareTally`]: merge the tallies of disjoint sets of persons, made anywhere,
/// and [`finish`](CompareTally::finish) the result to get their comparison.
/// `compare(ledger, options, include)` is `tally(ledger, options, include)?.finish()` once both
/// pathways are known to have events. A pathway with no events in this ledger (a part of a
/// cohort may have none) is an empty side of its tally, not an error.
///
/// # Errors
/// The two pathways are the same.
pub fn tally(ledger: &Ledger, options: &CompareOptions, include: Option<&[bool]>) -> Result<CompareTally, Error> {
    distinct_pathways(&options.baseline, &options.alternative)?;
    let id = |name: &str| ledger.pathways().iter().position(|p| &**p == name).map(|i| i as u32);
    let (base, alt) = (id(&options.baseline), id(&options.alternative));
    let included = |person: u32| include.is_none_or(|m| m.get(person as usize).copied().unwrap_or(false));
    let detail = |entry: u32| if options.agency_detail { ledger.agency_detail(entry) } else { None };
    let mut tally = Tally::default();
    let mut counter = EventCounter::default();
    for l in ledger.lines() {
        let (period, counts) = counter.line(&l, options.period);
        if !included(l.person) {
            continue;
        }
        let side = if Some(l.pathway) == base {
            Side::Baseline
        } else if Some(l.pathway) == alt {
            Side::Alternative
        } else {
            continue;
        };
        tally.add(&l, side, period, counts, detail(l.entry));
    }
    Ok(tally.named(options, ledger.persons(), ledger.agencies(), ledger.price_base(), ledger.value_types()))
}

/// The id of a pathway, or the error naming the pathways present.
pub(crate) fn find_pathway(pathways: &[Box<str>], name: &str) -> Result<u32, Error> {
    pathways.iter().position(|p| &**p == name).map(|i| i as u32).ok_or_else(|| {
        let present: Vec<&str> = pathways.iter().map(|p| &**p).collect();
        Error::new(
            Location::source("events").in_field("pathway"),
            ProblemKind::NotFound,
            format!("no event is on pathway {name:?}; pathways present: {}", present.join(", ")),
        )
    })
}

/// Counts events line by line as [`Ledger::aggregate`] does: a line counts as an event unless
/// it continues the line before in the same period.
#[derive(Debug, Default)]
pub(crate) struct EventCounter {
    previous: Option<Period>,
}

impl EventCounter {
    /// The line's period, and whether it counts as an event.
    pub(crate) fn line(&mut self, line: &crate::ledger::Line, kind: PeriodKind) -> (Period, bool) {
        let p = kind.of_month(line.month);
        let counts = !line.continuation || self.previous != Some(p);
        self.previous = Some(p);
        (p, counts)
    }
}

/// A comparison run: the comparison of everyone (or of one person), or one per group of a
/// persons attribute, with the provenance that goes with it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonRun {
    /// The person the run is restricted to, if any.
    pub person: Option<String>,
    /// The persons attribute the run is grouped by, if any.
    pub by: Option<String>,
    /// The value types summed: `["fiscal"]` for the financial case.
    pub value_types: Vec<ValueType>,
    /// The comparisons: one with no group, or one per group value in byte order.
    pub groups: Vec<GroupComparison>,
}

/// The comparison of one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupComparison {
    /// The group's value of the `by` attribute; `None` when not grouped.
    pub group: Option<String>,
    /// Persons in the group with an event on either compared pathway.
    pub persons: usize,
    /// The comparison.
    pub comparison: Comparison,
}

/// Runs a comparison for everyone, for one person, or per group of a persons attribute.
///
/// # Errors
/// [`ProblemKind::NotFound`] for a person with no events, an attribute that is not a column of
/// the persons table, grouping without a persons table, or a pathway with no events.
pub fn compare_run(
    ledger: &Ledger,
    persons: Option<&Persons>,
    options: &CompareOptions,
    person: Option<&str>,
    by: Option<&str>,
) -> Result<ComparisonRun, Error> {
    distinct_pathways(&options.baseline, &options.alternative)?;
    let not_found =
        |field: &str, msg: String| Error::new(Location::source("options").in_field(field), ProblemKind::NotFound, msg);
    let mut mask: Option<Vec<bool>> = None;
    if let Some(p) = person {
        let id = ledger.person_id(p).ok_or_else(|| not_found("person", format!("person {p:?} has no events")))?;
        let mut m = vec![false; ledger.persons().len()];
        m[id as usize] = true;
        mask = Some(m);
    }
    let groups = match by {
        None => {
            let comparison = compare(ledger, options, mask.as_deref())?;
            vec![GroupComparison { group: None, persons: comparison.savings.persons, comparison }]
        }
        Some(column) => {
            let table =
                persons.ok_or_else(|| not_found("by", format!("grouping by {column:?} needs a persons file")))?;
            if !table.columns().iter().any(|c| c == column) {
                return Err(not_found(
                    "by",
                    format!("{column:?} is not a column of the persons file (it has: {})", table.columns().join(", ")),
                ));
            }
            let mut out = Vec::new();
            for (value, mut members) in group_persons(ledger, table, column) {
                if let Some(m) = &mask {
                    for (x, keep) in members.iter_mut().zip(m) {
                        *x &= *keep;
                    }
                }
                if !members.iter().any(|x| *x) {
                    continue;
                }
                let comparison = compare(ledger, options, Some(&members))?;
                out.push(GroupComparison { group: Some(value), persons: comparison.savings.persons, comparison });
            }
            out
        }
    };
    Ok(ComparisonRun {
        person: person.map(str::to_owned),
        by: by.map(str::to_owned),
        value_types: ledger.value_types().to_vec(),
        groups,
    })
}

/// Groups persons by the value of an attribute, in byte order of the values. Persons missing
/// from the persons table are grouped under `(missing)`.
#[must_use]
pub fn group_persons(ledger: &Ledger, persons: &Persons, column: &str) -> BTreeMap<String, Vec<bool>> {
    let mut groups: BTreeMap<String, Vec<bool>> = BTreeMap::new();
    for (i, p) in ledger.persons().iter().enumerate() {
        let value = persons.attribute(p, column).unwrap_or("(missing)").to_owned();
        groups.entry(value).or_insert_with(|| vec![false; ledger.persons().len()])[i] = true;
    }
    groups
}

fn row(agency: String, baseline_cost: Money, alternative_cost: Money) -> AgencyRow {
    AgencyRow { agency, baseline_cost, alternative_cost, saving: baseline_cost - alternative_cost }
}

/// `part / whole` rounded half-even to 4 decimals, or `None` for a zero whole.
fn share(part: Money, whole: Money) -> Option<Decimal> {
    if whole.is_zero() {
        return None;
    }
    // One rounding, and always four decimals, in JSON as in CSV.
    round_quotient(part.exact(), whole.exact(), 4)
}

/// The first index from which `alt[i] <= base[i]` holds to the end.
fn break_even_index(base: Option<&Vec<Money>>, alt: Option<&Vec<Money>>) -> Option<usize> {
    let (base, alt) = (base?, alt?);
    let mut first = None;
    for i in (0..base.len()).rev() {
        if alt[i] <= base[i] {
            first = Some(i);
        } else {
            break;
        }
    }
    first
}

/// Ordinary least squares of `ys` against x = 0, 1, 2, ...: (slope, intercept).
/// One point gives a flat line through it; none gives zeros.
#[must_use]
pub fn least_squares(ys: &[f64]) -> (f64, f64) {
    let n = ys.len() as f64;
    if ys.is_empty() {
        return (0.0, 0.0);
    }
    let mean_x = (n - 1.0) / 2.0;
    let mean_y = ys.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, y) in ys.iter().enumerate() {
        let dx = i as f64 - mean_x;
        sxy += dx * (y - mean_y);
        sxx += dx * dx;
    }
    let slope = if sxx == 0.0 { 0.0 } else { sxy / sxx };
    (slope, mean_y - slope * mean_x)
}

fn distribution(persons: &[PersonRow]) -> SavingsDistribution {
    let mut s: Vec<Money> = persons.iter().map(|p| p.saving).collect();
    s.sort_unstable();
    let n = s.len();
    let quantile = |q: Decimal| -> Money {
        if n == 0 {
            return Money::ZERO;
        }
        // h = (n - 1) q; interpolate between the floor and the next order statistic, exactly.
        let h = Decimal::from(n - 1) * q;
        let lo = h.floor();
        let frac = h - lo;
        let i = usize::try_from(lo.mantissa() / 10i128.pow(lo.scale())).unwrap_or(0).min(n - 1);
        let next = s[(i + 1).min(n - 1)];
        (s[i] + (next - s[i]) * frac).round_to_penny()
    };
    let total: Money = s.iter().sum();
    // Exact integer division, rounded half-even once (a `Decimal` quotient would round twice).
    let mean = if n == 0 {
        Money::ZERO
    } else {
        round_ratio_to_penny(total.exact(), Decimal::ONE, Decimal::from(n)).map_or(Money::ZERO, Money::new)
    };
    SavingsDistribution {
        persons: n,
        persons_saving: s.iter().filter(|m| **m > Money::ZERO).count(),
        persons_costing_more: s.iter().filter(|m| **m < Money::ZERO).count(),
        mean,
        min: s.first().map_or(Money::ZERO, |m| m.round_to_penny()),
        p25: quantile(Decimal::new(25, 2)),
        median: quantile(Decimal::new(5, 1)),
        p75: quantile(Decimal::new(75, 2)),
        max: s.last().map_or(Money::ZERO, |m| m.round_to_penny()),
    }
}

#[allow(clippy::ref_option, clippy::trivially_copy_pass_by_ref)] // serde's `serialize_with` passes a reference
fn ser_demand<S: serde::Serializer>(d: &Option<DemandKind>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(demand_label(*d))
}

#[allow(clippy::ref_option, clippy::trivially_copy_pass_by_ref)] // serde's `serialize_with` passes a reference
fn ser_tier<S: serde::Serializer>(t: &Option<Tier>, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&tier_label(*t))
}

/// `failure`, `value` or `unclassified`.
#[must_use]
pub fn demand_label(d: Option<DemandKind>) -> &'static str {
    d.map_or("unclassified", DemandKind::as_str)
}

/// `1` to `4`, or `unassigned`.
#[must_use]
pub fn tier_label(t: Option<Tier>) -> String {
    t.map_or_else(|| "unassigned".to_owned(), |t| t.level().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        Money::new(s.parse().unwrap())
    }

    #[test]
    fn least_squares_fits_a_line() {
        let (slope, intercept) = least_squares(&[1.0, 3.0, 5.0, 7.0]);
        assert!((slope - 2.0).abs() < 1e-12 && (intercept - 1.0).abs() < 1e-12);
        assert_eq!(least_squares(&[4.0]), (0.0, 4.0));
        assert_eq!(least_squares(&[]), (0.0, 0.0));
    }

    #[test]
    fn break_even_is_the_first_period_that_stays_below() {
        let base = vec![m("1"), m("2"), m("3"), m("4")];
        let alt = vec![m("0"), m("3"), m("3"), m("3.5")];
        assert_eq!(break_even_index(Some(&base), Some(&alt)), Some(2));
        let alt = vec![m("0"), m("0"), m("0"), m("5")];
        assert_eq!(break_even_index(Some(&base), Some(&alt)), None);
    }

    #[test]
    fn quantiles_interpolate_exactly() {
        let persons: Vec<PersonRow> = ["10", "20", "30", "40"]
            .iter()
            .map(|s| PersonRow {
                person_id: (*s).into(),
                baseline_cost: m(s),
                alternative_cost: Money::ZERO,
                saving: m(s),
            })
            .collect();
        let d = distribution(&persons);
        assert_eq!(d.median, m("25"));
        assert_eq!(d.p25, m("17.50"));
        assert_eq!(d.p75, m("32.50"));
        assert_eq!(d.mean, m("25"));
        assert_eq!(d.persons_saving, 4);
    }
}
