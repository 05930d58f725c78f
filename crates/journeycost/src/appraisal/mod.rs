//! Appraisal in the Green Book's terms: discounted costs and benefits, NPV, BCR, ROI, payback,
//! adjustments (deadweight, attribution, displacement, leakage, drop-off), optimism bias, who pays
//! and who saves, switching values, and an assumptions log.
//!
//! The **benefit** is the avoided cost: the baseline's ledger cost minus the alternative's, by
//! year and agency. The **cost** of the new way has two parts, and either may be empty:
//! - the alternative pathway's ledger cost at the *intervention agencies* or of the
//!   *intervention codes* (for example the key worker's hours), which is then counted as a cost
//!   and not netted off the benefit;
//! - an explicit stream of intervention costs (set-up and running), each with who pays it.
//!
//! The order of the adjustments, per ledger cell (year × agency × agency detail × confidence
//! × cashable), is:
//! 1. optimism bias on benefits: a positive gross benefit is reduced by the percentage for its
//!    unit cost's confidence grade (a negative one, a disbenefit, is enlarged by it);
//! 2. deadweight, attribution, displacement and leakage: the benefit is multiplied by
//!    `(1-d)(1-a)(1-s)(1-l)` (multiplicative, the default) or by `1-(d+a+s+l)` (additive);
//! 3. drop-off: after the last observed year, each cell's benefit of that year persists for
//!    `horizon` more years, falling by `rate` a year: `B × (1-rate)^k` in year `L+k`.
//!
//! Costs are raised by the optimism-bias percentage for their confidence grade and then by the
//! Green Book optimism bias for the intervention's own costs: `C × (1+ob_grade) × (1+ob)`. A cost
//! item with no stated grade counts as green.
//!
//! Discounting follows [`Schedule`]: year 0 is the base year, undiscounted. Present values are
//! `Decimal` to 28 significant digits and are rounded half-even to the penny only when shown.
//! Ratios (BCR, ROI, switching values) are rounded half-even to 4 decimals.
//!
//! The ledger counts fiscal values (the financial case) or fiscal, economic and social values
//! (the public-value case); the appraisal reports which in `value_types`, and splits the present
//! value of benefits by type in `values`.

mod discount;
mod linear;
mod tally;

use std::collections::BTreeMap;
use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

pub use discount::{Convention, MAX_YEARS, Schedule, npv, try_npv};
pub use linear::{LineWeights, Linear};
pub use tally::AppraisalTally;

use crate::catalogue::{Catalogue, Confidence, ValueType};
use crate::error::{Error, Location, ProblemKind};
use crate::ledger::Ledger;
use crate::money::Money;
use crate::period::{Month, PeriodKind};
use crate::prices::PriceYear;

/// The longest drop-off horizon, in years.
pub const MAX_HORIZON: u32 = 200;

/// The kind of year an appraisal counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum YearBasis {
    /// UK financial years, April to March (the default).
    #[default]
    Fy,
    /// Calendar years.
    Calendar,
}

impl YearBasis {
    /// The year (of this kind) a month is in, by the calendar year it starts in.
    #[must_use]
    pub fn year_of(self, m: Month) -> i32 {
        match self {
            YearBasis::Fy => PeriodKind::Fy.of_month(m).index,
            YearBasis::Calendar => m.year(),
        }
    }

    /// The label of the year starting in `y`: `2019/20` or `2019`.
    #[must_use]
    pub fn label(self, y: i32) -> String {
        match self {
            YearBasis::Fy => PriceYear::Financial(y).to_string(),
            YearBasis::Calendar => PriceYear::Calendar(y).to_string(),
        }
    }

    /// Reads a year label of this basis (`2019/20` for financial years, `2019` for calendar).
    ///
    /// # Errors
    /// A message if the label is malformed or of the other kind.
    pub fn parse_year(self, s: &str) -> Result<i32, String> {
        match (self, s.parse::<PriceYear>().map_err(|e| e.to_string())?) {
            (YearBasis::Fy, PriceYear::Financial(y)) | (YearBasis::Calendar, PriceYear::Calendar(y)) => Ok(y),
            (YearBasis::Fy, PriceYear::Calendar(_)) => {
                Err(format!("the appraisal counts financial years: expected a year such as 2019/20, found {s:?}"))
            }
            (YearBasis::Calendar, PriceYear::Financial(_)) => {
                Err(format!("the appraisal counts calendar years: expected a year such as 2019, found {s:?}"))
            }
        }
    }
}

/// How deadweight, attribution, displacement and leakage combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Combine {
    /// `(1-d)(1-a)(1-s)(1-l)`: each adjustment applies to what the previous ones left.
    #[default]
    Multiplicative,
    /// `1-(d+a+s+l)`: the shares are added.
    Additive,
}

/// The adjustments from gross to net benefit, each a share from 0 to 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Adjustments {
    /// What would have happened anyway.
    pub deadweight: Decimal,
    /// The share of the outcome due to others.
    pub attribution: Decimal,
    /// Benefit that merely moves elsewhere.
    pub displacement: Decimal,
    /// Benefit that goes to people outside the target group or area.
    pub leakage: Decimal,
    /// How they combine.
    pub combine: Combine,
}

impl Adjustments {
    /// The share of gross benefit that the adjustments keep.
    ///
    /// # Example
    /// ```
    /// use journeycost::appraisal::{Adjustments, Combine};
    /// use journeycost::Decimal;
    ///
    /// let mut a = Adjustments { deadweight: Decimal::new(2, 1), attribution: Decimal::new(1, 1), ..Adjustments::default() };
    /// assert_eq!(a.retained(), Decimal::new(72, 2));
    /// a.combine = Combine::Additive;
    /// assert_eq!(a.retained(), Decimal::new(7, 1));
    /// ```
    #[must_use]
    pub fn retained(&self) -> Decimal {
        let parts = [self.deadweight, self.attribution, self.displacement, self.leakage];
        match self.combine {
            Combine::Multiplicative => parts.iter().map(|p| Decimal::ONE - p).product(),
            Combine::Additive => Decimal::ONE - parts.iter().sum::<Decimal>(),
        }
    }
}

/// How benefits persist after the observed period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DropOff {
    /// The share of benefit lost each year, 0 to 1.
    pub rate: Decimal,
    /// How many years after the last observed year the benefit is counted.
    pub horizon: u32,
}

/// Optimism bias: percentages by confidence grade, and one for the intervention's own costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptimismBias {
    /// For data graded green.
    pub green: Decimal,
    /// For data graded amber.
    pub amber: Decimal,
    /// For data graded red.
    pub red: Decimal,
    /// For data with no grade.
    pub unrated: Decimal,
    /// The Green Book's optimism bias for the intervention's own costs.
    pub intervention: Decimal,
}

impl Default for OptimismBias {
    /// journeycost's defaults, which are assumptions and not figures from a source:
    /// green 0%, amber 10%, red 25%, ungraded 25%, intervention 0%.
    fn default() -> OptimismBias {
        OptimismBias {
            green: Decimal::ZERO,
            amber: Decimal::new(10, 2),
            red: Decimal::new(25, 2),
            unrated: Decimal::new(25, 2),
            intervention: Decimal::ZERO,
        }
    }
}

impl OptimismBias {
    fn grade(&self, c: Option<Confidence>) -> Decimal {
        match c {
            Some(Confidence::Green) => self.green,
            Some(Confidence::Amber) => self.amber,
            Some(Confidence::Red) => self.red,
            None => self.unrated,
        }
    }
}

/// One item of the explicit intervention cost stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostItem {
    /// The year, as the starting calendar year of the appraisal's year basis.
    pub year: i32,
    /// The cost in pounds, in the appraisal's price base.
    pub amount: Decimal,
    /// Who pays it.
    pub agency: String,
    /// Who pays it, at the second level (e.g. a team).
    pub agency_detail: Option<String>,
    /// What it is, e.g. `set-up` or `team running costs`.
    pub description: String,
    /// How far the figure can be trusted; green if not stated.
    pub confidence: Option<Confidence>,
}

/// Where the value of an assumption came from: the run's own inputs, not the evidence behind it
/// (that is [`Assumption::source`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Origin {
    /// journeycost's default, because nothing gave the value.
    Default,
    /// A scenario file, by its file name (as outputs name their inputs).
    Scenario(String),
    /// A command-line flag, e.g. `--seed`.
    CommandLine(String),
    /// An argument of a library or Python call, e.g. `seed`.
    Argument(String),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => f.write_str("journeycost default"),
            Origin::Scenario(file) => write!(f, "scenario file {file}"),
            Origin::CommandLine(flag) => write!(f, "command line {flag}"),
            Origin::Argument(name) => write!(f, "argument {name}"),
        }
    }
}

impl Serialize for Origin {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// One entry of the assumptions log: a parameter, the value used and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assumption {
    /// The parameter, e.g. `deadweight`.
    pub name: String,
    /// The value used, as text.
    pub value: String,
    /// The evidence behind it, as the scenario states it.
    pub source: Option<String>,
    /// How far it can be trusted.
    pub confidence: Option<Confidence>,
    /// Who set it, as the scenario states it.
    pub set_by: Option<String>,
    /// Where the value came from: a scenario file, the command line, an argument, or
    /// journeycost's default.
    pub origin: Origin,
}

impl Assumption {
    /// An assumption that journeycost supplied because nothing gave it.
    #[must_use]
    pub fn default_value(name: &str, value: &impl ToString) -> Assumption {
        Assumption::given(name, value, Origin::Default)
    }

    /// An assumption given by `origin`, with no source, confidence or setter.
    #[must_use]
    pub fn given(name: &str, value: &impl ToString, origin: Origin) -> Assumption {
        Assumption {
            name: name.to_owned(),
            value: value.to_string(),
            source: None,
            confidence: None,
            set_by: None,
            origin,
        }
    }
}

/// Records `a` in an assumptions log: it replaces the entry of the same name (in its place),
/// or is added at the end. Front ends record what they override (`--seed`), so the log says
/// what was used and where it came from.
pub fn record(log: &mut Vec<Assumption>, a: Assumption) {
    match log.iter_mut().find(|b| b.name == a.name) {
        Some(b) => *b = a,
        None => log.push(a),
    }
}

/// How the assumptions log writes the value types counted: `fiscal`, or `fiscal+economic+social`.
#[must_use]
pub fn values_label(types: &[ValueType]) -> String {
    types.iter().map(|t| t.as_str()).collect::<Vec<_>>().join("+")
}

/// The log entry for a value the run used: `actual`, with the origin recorded for `name` when
/// the recorded value is the one used; journeycost's default when nothing recorded it; and,
/// when something recorded another value, the caller's (the value was changed after it was
/// recorded, by a program that did not say how).
pub(crate) fn used(log: &[Assumption], name: &str, actual: String) -> Assumption {
    match log.iter().find(|a| a.name == name) {
        Some(a) if a.value == actual => a.clone(),
        Some(a) => Assumption { value: actual, origin: Origin::Argument(name.to_owned()), ..a.clone() },
        None => Assumption::default_value(name, &actual),
    }
}

/// Everything an appraisal needs besides the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppraisalSpec {
    /// The baseline pathway.
    pub baseline: String,
    /// The alternative pathway.
    pub alternative: String,
    /// Financial or calendar years.
    pub basis: YearBasis,
    /// Year 0; `None` for the first year with data or costs.
    pub base_year: Option<i32>,
    /// The discount schedule.
    pub schedule: Schedule,
    /// Deadweight, attribution, displacement, leakage.
    pub adjustments: Adjustments,
    /// Benefit persistence after the observed period.
    pub drop_off: Option<DropOff>,
    /// Optimism bias.
    pub optimism: OptimismBias,
    /// Agencies whose alternative-pathway ledger cost is the intervention's own cost.
    pub intervention_agencies: Vec<String>,
    /// Catalogue codes whose alternative-pathway ledger cost is the intervention's own cost
    /// (e.g. the key worker's hours).
    pub intervention_codes: Vec<String>,
    /// The explicit intervention cost stream.
    pub costs: Vec<CostItem>,
    /// Provenance of the parameters above, as given in the scenario.
    pub assumptions: Vec<Assumption>,
}

impl Default for AppraisalSpec {
    fn default() -> AppraisalSpec {
        AppraisalSpec {
            baseline: "old".into(),
            alternative: "new".into(),
            basis: YearBasis::Fy,
            base_year: None,
            schedule: Schedule::GreenBook,
            adjustments: Adjustments::default(),
            drop_off: None,
            optimism: OptimismBias::default(),
            intervention_agencies: Vec::new(),
            intervention_codes: Vec::new(),
            costs: Vec::new(),
            assumptions: Vec::new(),
        }
    }
}

/// One year of the appraisal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearRow {
    /// The year's label.
    pub year: String,
    /// Years since the base year.
    pub t: u32,
    /// Whether the ledger has data for this year (otherwise it is a drop-off or cost-only year).
    pub observed: bool,
    /// The discount factor, six decimals.
    pub factor: String,
    /// Avoided cost before any adjustment.
    pub gross_benefit: Money,
    /// Benefit after optimism bias, adjustments and drop-off.
    pub benefit: Money,
    /// Intervention cost after optimism bias.
    pub cost: Money,
    /// Benefit minus cost.
    pub net: Money,
    /// Discounted net.
    pub discounted_net: Money,
    /// Running sum of net.
    pub cumulative_net: Money,
    /// Running sum of discounted net.
    pub cumulative_discounted_net: Money,
}

/// Present values received and borne by one agency (and agency detail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WhoPaysRow {
    /// The agency (level 1).
    pub agency: String,
    /// The agency detail (level 2), in the detailed table only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agency_detail: Option<String>,
    /// Present value of the intervention cost it bears.
    pub cost_borne: Money,
    /// Present value of the savings it receives.
    pub saving_received: Money,
    /// Saving received minus cost borne.
    pub net: Money,
}

/// One agency's benefit and intervention cost in one year, undiscounted, after adjustments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgencyYearRow {
    /// The year's label.
    pub year: String,
    /// The agency (level 1).
    pub agency: String,
    /// Benefit received.
    pub benefit: Money,
    /// Intervention cost borne.
    pub cost: Money,
}

/// The value of one adjustment at which the NPV is zero.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SwitchingValue {
    /// The parameter.
    pub parameter: String,
    /// Its value in this appraisal.
    pub value: Decimal,
    /// The value at which NPV is zero, four decimals; `None` when NPV keeps its sign over the
    /// whole range searched.
    pub switching_value: Option<Decimal>,
    /// The range searched.
    pub range: (Decimal, Decimal),
}

/// Present value of benefits by whether avoiding the cost releases cash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CashableRow {
    /// `cashable`, `non-cashable` or `unknown`.
    pub cashable: &'static str,
    /// Present value of benefit.
    pub pv_benefit: Money,
}

/// Present value of benefits of one value type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValueRow {
    /// Fiscal, economic or social.
    pub value_type: ValueType,
    /// Present value of benefit.
    pub pv_benefit: Money,
}

/// The results of an appraisal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Appraisal {
    /// Financial or calendar years.
    pub basis: YearBasis,
    /// Year 0.
    pub base_year: String,
    /// The discount schedule.
    pub schedule: String,
    /// The price base of every amount.
    pub price_base: PriceYear,
    /// The value types included: `["fiscal"]` for the financial case, all three for the
    /// public-value case.
    pub value_types: Vec<ValueType>,
    /// Present value of benefits by value type (the types included only).
    pub values: Vec<ValueRow>,
    /// Year by year.
    pub years: Vec<YearRow>,
    /// Present value of benefits before optimism bias and adjustments (and without drop-off).
    pub pv_gross_benefits: Money,
    /// Present value of benefits.
    pub pv_benefits: Money,
    /// Present value of costs.
    pub pv_costs: Money,
    /// Net present (social) value.
    pub npv: Money,
    /// Benefit-cost ratio; `None` when costs are zero.
    pub bcr: Option<Decimal>,
    /// Return on investment, (benefits - costs) / costs; `None` when costs are zero.
    pub roi: Option<Decimal>,
    /// First year from which cumulative discounted net benefit stays non-negative.
    pub payback: Option<String>,
    /// The same, undiscounted.
    pub payback_undiscounted: Option<String>,
    /// Present value of benefits by cashability.
    pub cashable: Vec<CashableRow>,
    /// Benefit and cost by year and agency, undiscounted.
    pub agency_years: Vec<AgencyYearRow>,
    /// Who pays, who saves, by agency.
    pub who_pays: Vec<WhoPaysRow>,
    /// Who pays, who saves, by agency and agency detail.
    pub who_pays_detail: Vec<WhoPaysRow>,
    /// Switching values.
    pub switching: Vec<SwitchingValue>,
    /// Every parameter used, with its provenance.
    pub assumptions: Vec<Assumption>,
}

/// A cell of the ledger, as the appraisal sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Key {
    year: i32,
    agency: u32,
    detail: u32,
    confidence: Option<Confidence>,
    cashable: Option<bool>,
    value_type: ValueType,
}

/// Gross amounts per cell: (benefit, intervention cost).
#[derive(Debug, Clone)]
struct Cells {
    amounts: BTreeMap<Key, (Decimal, Decimal)>,
    /// The years with ledger data, sorted.
    ledger_years: Vec<i32>,
    agencies: Vec<String>,
    details: Vec<Option<String>>,
}

/// What one evaluation produces.
struct Streams {
    factors: Vec<Decimal>,
    gross: Vec<Decimal>,
    benefit: Vec<Decimal>,
    cost: Vec<Decimal>,
    /// (agency, detail) -> (pv cost borne, pv saving received)
    by_agency: BTreeMap<(u32, u32), (Decimal, Decimal)>,
    /// (year index, agency) -> (cost, benefit), undiscounted
    by_year_agency: BTreeMap<(usize, u32), (Decimal, Decimal)>,
    cashable: [Decimal; 3],
    /// PV of benefit by value type (fiscal, economic, social).
    values: [Decimal; 3],
}

impl Streams {
    fn npv(&self) -> Decimal {
        self.benefit.iter().zip(&self.cost).zip(&self.factors).map(|((b, c), f)| (b - c) * f).sum()
    }
}

/// Appraises the alternative against the baseline.
///
/// # Errors
/// A pathway with no events; a parameter out of range (shares outside 0 to 1, additive
/// adjustments above 100%); ledger data or a cost item before the base year.
pub fn appraise(ledger: &Ledger, catalogue: &Catalogue, spec: &AppraisalSpec) -> Result<Appraisal, Error> {
    appraise_tally(&AppraisalTally::of_ledger(ledger, catalogue, spec), catalogue, spec)
}

/// Appraises the alternative against the baseline from a tally of their lines (made from a
/// ledger, or while the events are read), with the catalogue it was costed with: the
/// appraisal [`appraise`] makes of the same lines.
///
/// # Errors
/// As [`appraise`]; a tally of another catalogue or kind of year.
pub fn appraise_tally(tally: &AppraisalTally, catalogue: &Catalogue, spec: &AppraisalSpec) -> Result<Appraisal, Error> {
    check(spec)?;
    let cells = tally.cells(catalogue, spec)?;
    let Frame { observed, base, last_observed, years, factors } = frame(&cells, spec)?;

    let streams = evaluate(&cells, &years, &factors, last_observed, &spec.adjustments, spec.drop_off, &spec.optimism);
    let pv = |v: &[Decimal]| -> Decimal { v.iter().zip(&factors).map(|(a, f)| a * f).sum() };
    let pv_b = pv(&streams.benefit);
    let pv_c = pv(&streams.cost);
    // Gross: no adjustment, no optimism bias, no drop-off.
    let pv_gross = pv(&streams.gross);

    let mut rows = Vec::with_capacity(years.len());
    let (mut cum, mut cum_d) = (Decimal::ZERO, Decimal::ZERO);
    let (mut running, mut running_discounted) = (Vec::new(), Vec::new());
    for (i, y) in years.iter().enumerate() {
        let net = streams.benefit[i] - streams.cost[i];
        let dnet = net * factors[i];
        cum += net;
        cum_d += dnet;
        running.push(cum);
        running_discounted.push(cum_d);
        rows.push(YearRow {
            year: spec.basis.label(*y),
            t: i as u32,
            observed: observed.contains(y),
            factor: Schedule::six_decimals(factors[i]),
            gross_benefit: Money::new(streams.gross[i]),
            benefit: Money::new(streams.benefit[i]),
            cost: Money::new(streams.cost[i]),
            net: Money::new(net),
            discounted_net: Money::new(dnet),
            cumulative_net: Money::new(cum),
            cumulative_discounted_net: Money::new(cum_d),
        });
    }
    let payback = |c: &[Decimal]| stays_non_negative(c).map(|i| spec.basis.label(years[i]));

    let mut who_pays: BTreeMap<u32, (Decimal, Decimal)> = BTreeMap::new();
    for (&(a, _), &(c, s)) in &streams.by_agency {
        let e = who_pays.entry(a).or_default();
        e.0 += c;
        e.1 += s;
    }
    let row = |a: u32, d: Option<String>, (c, s): (Decimal, Decimal)| WhoPaysRow {
        agency: cells.agencies[a as usize].clone(),
        agency_detail: d,
        cost_borne: Money::new(c),
        saving_received: Money::new(s),
        net: Money::new(s - c),
    };
    let mut who_pays_detail: Vec<WhoPaysRow> = streams
        .by_agency
        .iter()
        .map(|(&(a, d), &v)| row(a, Some(cells.details[d as usize].clone().unwrap_or_default()), v))
        .collect();
    let mut who_pays: Vec<WhoPaysRow> = who_pays.into_iter().map(|(a, v)| row(a, None, v)).collect();
    // Ids follow first appearance (cost items may add agencies): order by name, in bytes.
    who_pays.sort_by(|x, y| x.agency.cmp(&y.agency));
    who_pays_detail.sort_by(|x, y| (&x.agency, &x.agency_detail).cmp(&(&y.agency, &y.agency_detail)));
    let mut agency_years: Vec<AgencyYearRow> = streams
        .by_year_agency
        .iter()
        .map(|(&(i, a), &(c, b))| AgencyYearRow {
            year: spec.basis.label(years[i]),
            agency: cells.agencies[a as usize].clone(),
            benefit: Money::new(b),
            cost: Money::new(c),
        })
        .collect();
    agency_years.sort_by(|x, y| (&x.year, &x.agency).cmp(&(&y.year, &y.agency)));
    let cashable = ["cashable", "non-cashable", "unknown"]
        .iter()
        .zip(streams.cashable)
        .map(|(name, v)| CashableRow { cashable: name, pv_benefit: Money::new(v) })
        .collect();

    let switching = switching_values(&cells, spec, &years, &factors, last_observed);
    let mut assumptions = log(spec, tally.price_base(), tally.value_types(), base);
    assumptions.extend(spec.assumptions.iter().filter(|a| a.name != "price_base" && a.name != "value_types").cloned());

    Ok(Appraisal {
        basis: spec.basis,
        base_year: spec.basis.label(base),
        schedule: spec.schedule.to_string(),
        price_base: tally.price_base(),
        value_types: tally.value_types().to_vec(),
        values: tally
            .value_types()
            .iter()
            .map(|&t| ValueRow { value_type: t, pv_benefit: Money::new(streams.values[t as usize]) })
            .collect(),
        years: rows,
        pv_gross_benefits: Money::new(pv_gross),
        pv_benefits: Money::new(pv_b),
        pv_costs: Money::new(pv_c),
        npv: Money::new(pv_b - pv_c),
        bcr: ratio(pv_b, pv_c),
        roi: ratio(pv_b - pv_c, pv_c),
        payback: payback(&running_discounted),
        payback_undiscounted: payback(&running),
        cashable,
        agency_years,
        who_pays,
        who_pays_detail,
        switching,
        assumptions,
    })
}

/// The years an appraisal covers and their discount factors.
struct Frame {
    /// The years with ledger data (not cost items), sorted.
    observed: Vec<i32>,
    /// Year 0.
    base: i32,
    /// The last observed year (the base year when none is).
    last_observed: i32,
    /// Every year from the base year to the horizon.
    years: Vec<i32>,
    /// The discount factor of each year.
    factors: Vec<Decimal>,
}

fn frame(cells: &Cells, spec: &AppraisalSpec) -> Result<Frame, Error> {
    // Observed years are those of the ledger, not of the explicit cost items.
    let observed: Vec<i32> = cells.ledger_years.clone();
    let first = observed.iter().chain(spec.costs.iter().map(|c| &c.year)).min().copied();
    let base =
        spec.base_year.or(first).ok_or_else(|| problem("nothing to appraise: no ledger data and no cost items"))?;
    if let Some(early) = first.filter(|&y| y < base) {
        return Err(problem(format!(
            "there is data or cost in {} before the base year {}: set base_year no later than the first year",
            spec.basis.label(early),
            spec.basis.label(base)
        )));
    }
    let last_observed = observed.iter().max().copied().unwrap_or(base);
    let horizon_end = (last_observed + spec.drop_off.map_or(0, |d| d.horizon as i32))
        .max(spec.costs.iter().map(|c| c.year).max().unwrap_or(base))
        .max(base);
    let years: Vec<i32> = (base..=horizon_end).collect();
    let factors = spec.schedule.factors((horizon_end - base) as u32);
    Ok(Frame { observed, base, last_observed, years, factors })
}

fn problem(message: impl Into<String>) -> Error {
    Error::new(Location::source("appraisal"), ProblemKind::Scenario, message)
}

fn share_problem(name: &str, v: Decimal) -> Option<Error> {
    (v < Decimal::ZERO || v > Decimal::ONE).then(|| {
        Error::new(
            Location::source("appraisal").in_field(name),
            ProblemKind::Scenario,
            format!("expected a share from 0 to 1, found {v}"),
        )
    })
}

fn check(spec: &AppraisalSpec) -> Result<(), Error> {
    crate::compare::distinct_pathways(&spec.baseline, &spec.alternative)?;
    let a = &spec.adjustments;
    let ob = &spec.optimism;
    let mut shares = vec![
        ("deadweight", a.deadweight),
        ("attribution", a.attribution),
        ("displacement", a.displacement),
        ("leakage", a.leakage),
        ("optimism_bias.green", ob.green),
        ("optimism_bias.amber", ob.amber),
        ("optimism_bias.red", ob.red),
        ("optimism_bias.unrated", ob.unrated),
    ];
    if let Some(d) = spec.drop_off {
        shares.push(("drop_off.rate", d.rate));
    }
    let errors = shares.into_iter().filter_map(|(n, v)| share_problem(n, v));
    if let Some(e) = Error::merge(errors) {
        return Err(e);
    }
    if let Some(d) = spec.drop_off {
        if d.horizon > MAX_HORIZON {
            return Err(problem(format!(
                "the drop-off horizon must be at most {MAX_HORIZON} years, found {}",
                d.horizon
            )));
        }
    }
    for c in &spec.costs {
        if c.amount.abs() > Decimal::from(crate::journey::MAX_INPUT_MAGNITUDE) {
            return Err(problem(format!(
                "cost item {:?}: expected an amount of at most 10^12, found {}",
                c.description, c.amount
            )));
        }
        if !(1800..=2500).contains(&c.year) {
            return Err(problem(format!("cost item {:?}: the year {} is out of range", c.description, c.year)));
        }
    }
    if ob.intervention < Decimal::ZERO || ob.intervention > Decimal::from(100) {
        return Err(problem(format!(
            "optimism_bias.intervention must be from 0 to 100 (0.2 is 20%), found {}",
            ob.intervention
        )));
    }
    if a.combine == Combine::Additive && a.retained() < Decimal::ZERO {
        return Err(problem("additive adjustments add up to more than 100% of the benefit"));
    }
    Ok(())
}

fn evaluate(
    cells: &Cells,
    years: &[i32],
    factors: &[Decimal],
    last_observed: i32,
    adjustments: &Adjustments,
    drop_off: Option<DropOff>,
    ob: &OptimismBias,
) -> Streams {
    let n = years.len();
    let base = years[0];
    let mut s = Streams {
        factors: factors.to_vec(),
        gross: vec![Decimal::ZERO; n],
        benefit: vec![Decimal::ZERO; n],
        cost: vec![Decimal::ZERO; n],
        by_agency: BTreeMap::new(),
        by_year_agency: BTreeMap::new(),
        cashable: [Decimal::ZERO; 3],
        values: [Decimal::ZERO; 3],
    };
    let retained = adjustments.retained();
    let uplift = Decimal::ONE + ob.intervention;
    let add_benefit = |s: &mut Streams, year: i32, key: &Key, b: Decimal| {
        let i = (year - base) as usize;
        s.benefit[i] += b;
        let pv = b * factors[i];
        s.by_agency.entry((key.agency, key.detail)).or_default().1 += pv;
        s.by_year_agency.entry((i, key.agency)).or_default().1 += b;
        s.values[key.value_type as usize] += pv;
        s.cashable[match key.cashable {
            Some(true) => 0,
            Some(false) => 1,
            None => 2,
        }] += pv;
    };
    for (key, &(gross, cost)) in &cells.amounts {
        let i = (key.year - base) as usize;
        if !gross.is_zero() {
            s.gross[i] += gross;
            let grade = ob.grade(key.confidence);
            let after_ob =
                if gross.is_sign_positive() { gross * (Decimal::ONE - grade) } else { gross * (Decimal::ONE + grade) };
            let net = after_ob * retained;
            add_benefit(&mut s, key.year, key, net);
            if let (Some(d), true) = (drop_off, key.year == last_observed) {
                let mut persisting = net;
                for k in 1..=d.horizon as i32 {
                    persisting *= Decimal::ONE - d.rate;
                    add_benefit(&mut s, last_observed + k, key, persisting);
                }
            }
        }
        if !cost.is_zero() {
            let c = cost * (Decimal::ONE + ob.grade(key.confidence)) * uplift;
            s.cost[i] += c;
            s.by_agency.entry((key.agency, key.detail)).or_default().0 += c * factors[i];
            s.by_year_agency.entry((i, key.agency)).or_default().0 += c;
        }
    }
    s
}

/// The value of each adjustment at which NPV is zero, by bisection over its range.
fn switching_values(
    cells: &Cells,
    spec: &AppraisalSpec,
    years: &[i32],
    factors: &[Decimal],
    last_observed: i32,
) -> Vec<SwitchingValue> {
    type Setter = fn(&mut Adjustments, &mut Option<DropOff>, &mut OptimismBias, Decimal);
    let mut params: Vec<(&str, Decimal, Decimal, Setter)> = vec![
        ("deadweight", spec.adjustments.deadweight, Decimal::ONE, |a, _, _, v| a.deadweight = v),
        ("attribution", spec.adjustments.attribution, Decimal::ONE, |a, _, _, v| a.attribution = v),
        ("displacement", spec.adjustments.displacement, Decimal::ONE, |a, _, _, v| a.displacement = v),
        ("leakage", spec.adjustments.leakage, Decimal::ONE, |a, _, _, v| a.leakage = v),
        ("optimism_bias.intervention", spec.optimism.intervention, Decimal::from(100), |_, _, o, v| o.intervention = v),
        ("optimism_bias.green", spec.optimism.green, Decimal::ONE, |_, _, o, v| o.green = v),
        ("optimism_bias.amber", spec.optimism.amber, Decimal::ONE, |_, _, o, v| o.amber = v),
        ("optimism_bias.red", spec.optimism.red, Decimal::ONE, |_, _, o, v| o.red = v),
        ("optimism_bias.unrated", spec.optimism.unrated, Decimal::ONE, |_, _, o, v| o.unrated = v),
    ];
    if let Some(d) = spec.drop_off {
        params.push(("drop_off.rate", d.rate, Decimal::ONE, |_, d, _, v| {
            if let Some(d) = d {
                d.rate = v;
            }
        }));
    }
    params
        .into_iter()
        .map(|(name, value, hi, set)| {
            let npv_at = |v: Decimal| {
                let (mut a, mut d, mut o) = (spec.adjustments, spec.drop_off, spec.optimism);
                set(&mut a, &mut d, &mut o, v);
                evaluate(cells, years, factors, last_observed, &a, d, &o).npv()
            };
            SwitchingValue {
                parameter: name.to_owned(),
                value,
                switching_value: bisect(npv_at, Decimal::ZERO, hi),
                range: (Decimal::ZERO, hi),
            }
        })
        .collect()
}

/// The root of a monotone function on `[lo, hi]`, to four decimals, if it changes sign there.
fn bisect(f: impl Fn(Decimal) -> Decimal, mut lo: Decimal, mut hi: Decimal) -> Option<Decimal> {
    let (flo, fhi) = (f(lo), f(hi));
    if flo.is_zero() {
        return Some(lo.round_dp(4));
    }
    if flo.is_sign_positive() == fhi.is_sign_positive() && !fhi.is_zero() {
        return None;
    }
    let tolerance = Decimal::new(1, 7);
    for _ in 0..80 {
        let mid = (lo + hi) / Decimal::TWO;
        if hi - lo < tolerance {
            break;
        }
        if f(mid).is_sign_positive() == flo.is_sign_positive() {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(((lo + hi) / Decimal::TWO).round_dp_with_strategy(4, RoundingStrategy::MidpointNearestEven))
}

/// `a / b` rounded half-even to 4 decimals, or `None` when `b` is zero.
fn ratio(a: Decimal, b: Decimal) -> Option<Decimal> {
    if b.is_zero() {
        return None;
    }
    crate::money::round_quotient(a, b, 4)
}

/// The first index from which every value is non-negative.
fn stays_non_negative(cumulative: &[Decimal]) -> Option<usize> {
    let mut first = None;
    for (i, c) in cumulative.iter().enumerate().rev() {
        if c.is_sign_negative() && !c.is_zero() {
            break;
        }
        first = Some(i);
    }
    first
}

/// The parameters journeycost itself used, for the assumptions log.
fn log(spec: &AppraisalSpec, price_base: PriceYear, value_types: &[ValueType], base: i32) -> Vec<Assumption> {
    let given = |name: &str| spec.assumptions.iter().any(|a| a.name == name);
    // The price base and the values counted, as used, with where they came from (the default
    // price base is the latest year of the price index).
    let mut out = vec![
        used(&spec.assumptions, "price_base", price_base.to_string()),
        used(&spec.assumptions, "value_types", values_label(value_types)),
    ];
    let mut param = |name: &str, value: String| {
        if !given(name) {
            out.push(Assumption::default_value(name, &value));
        }
    };
    param("years", format!("{:?}", spec.basis).to_lowercase());
    param("base_year", spec.basis.label(base));
    param("schedule", spec.schedule.to_string());
    param("adjustments", format!("{:?}", spec.adjustments.combine).to_lowercase());
    param("deadweight", spec.adjustments.deadweight.to_string());
    param("attribution", spec.adjustments.attribution.to_string());
    param("displacement", spec.adjustments.displacement.to_string());
    param("leakage", spec.adjustments.leakage.to_string());
    let ob = spec.optimism;
    param("optimism_bias.green", ob.green.to_string());
    param("optimism_bias.amber", ob.amber.to_string());
    param("optimism_bias.red", ob.red.to_string());
    param("optimism_bias.unrated", ob.unrated.to_string());
    param("optimism_bias.intervention", ob.intervention.to_string());
    param(
        "drop_off",
        spec.drop_off.map_or_else(|| "none".to_owned(), |d| format!("rate {} for {} years", d.rate, d.horizon)),
    );
    param("intervention_agencies", spec.intervention_agencies.join("; "));
    param("intervention_codes", spec.intervention_codes.join("; "));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::UnitCost;
    use crate::journey::{Event, Journeys};
    use crate::prices::PriceIndex;
    use chrono::NaiveDate;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    /// 50 events of £8,000 avoided in 2024/25, against £100,000 of input in the same year.
    fn fifty_by_eight_thousand() -> (Ledger, Catalogue) {
        let y = PriceYear::Financial(2024);
        let mut u = UnitCost::new("CARE", "Children's Social Care", d("8000"), y);
        u.confidence = Some(Confidence::Green);
        let cat = Catalogue::new(vec![u, UnitCost::new("NONE", "Children's Social Care", d("0"), y)]).unwrap();
        let mut idx = PriceIndex::new();
        idx.insert(y, Decimal::ONE_HUNDRED).unwrap();
        let mut j = Journeys::new();
        let day = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
        for i in 0..50 {
            j.push(Event::new(format!("P{i}"), "old", day, "CARE")).unwrap();
        }
        j.push(Event::new("P0", "new", day, "NONE")).unwrap();
        (Ledger::build(&j, &cat, &idx, y).unwrap(), cat)
    }

    fn spec(combine: Combine) -> AppraisalSpec {
        AppraisalSpec {
            schedule: Schedule::Undiscounted,
            adjustments: Adjustments { deadweight: d("0.2"), attribution: d("0.1"), combine, ..Adjustments::default() },
            costs: vec![CostItem {
                year: 2024,
                amount: d("100000"),
                agency: "Council".into(),
                agency_detail: None,
                description: "input".into(),
                confidence: None,
            }],
            ..AppraisalSpec::default()
        }
    }

    #[test]
    fn multiplicative_and_additive_returns() {
        let (ledger, cat) = fifty_by_eight_thousand();
        let m = appraise(&ledger, &cat, &spec(Combine::Multiplicative)).unwrap();
        assert_eq!(m.bcr, Some(d("2.8800")));
        assert_eq!(m.pv_benefits.to_string(), "288000.00");
        let a = appraise(&ledger, &cat, &spec(Combine::Additive)).unwrap();
        assert_eq!(a.bcr, Some(d("2.8000")));
        assert_eq!(a.roi, Some(d("1.8000")));
        assert_eq!(m.pv_gross_benefits.to_string(), "400000.00");
    }

    #[test]
    fn switching_value_of_deadweight() {
        let (ledger, cat) = fifty_by_eight_thousand();
        let m = appraise(&ledger, &cat, &spec(Combine::Multiplicative)).unwrap();
        // NPV = 400,000 (1-dw)(0.9) - 100,000 = 0 at dw = 1 - 1/3.6 = 0.7222...
        let dw = m.switching.iter().find(|s| s.parameter == "deadweight").unwrap();
        assert_eq!(dw.switching_value, Some(d("0.7222")));
        // optimism bias on the intervention's costs: 100,000 (1 + ob) = 288,000 at ob = 1.88
        let ob = m.switching.iter().find(|s| s.parameter == "optimism_bias.intervention").unwrap();
        assert_eq!(ob.switching_value, Some(d("1.8800")));
    }

    #[test]
    fn drop_off_extends_benefits_and_payback_is_found() {
        let (ledger, cat) = fifty_by_eight_thousand();
        let mut s = spec(Combine::Multiplicative);
        s.drop_off = Some(DropOff { rate: d("0.5"), horizon: 2 });
        s.schedule = Schedule::GreenBook;
        s.costs[0].amount = d("500000");
        let a = appraise(&ledger, &cat, &s).unwrap();
        assert_eq!(a.years.len(), 3);
        assert_eq!(a.years[1].benefit.to_string(), "144000.00");
        assert_eq!(a.years[2].benefit.to_string(), "72000.00");
        assert_eq!(a.years[1].factor, "0.966184");
        // undiscounted: -212,000 then -68,000 then +4,000: pays back in the third year
        assert_eq!(a.payback_undiscounted.as_deref(), Some("2026/27"));
        assert_eq!(a.payback, None);
    }

    #[test]
    fn who_pays_and_who_saves() {
        let (ledger, cat) = fifty_by_eight_thousand();
        let a = appraise(&ledger, &cat, &spec(Combine::Multiplicative)).unwrap();
        let rows: Vec<(String, String, String)> = a
            .who_pays
            .iter()
            .map(|r| (r.agency.clone(), r.cost_borne.to_string(), r.saving_received.to_string()))
            .collect();
        assert_eq!(
            rows,
            vec![
                ("Children's Social Care".into(), "0.00".into(), "288000.00".into()),
                ("Council".into(), "100000.00".into(), "0.00".into())
            ]
        );
    }

    #[test]
    fn bad_parameters_are_named() {
        let (ledger, cat) = fifty_by_eight_thousand();
        let mut s = spec(Combine::Additive);
        s.adjustments.leakage = d("0.8");
        assert!(appraise(&ledger, &cat, &s).unwrap_err().to_string().contains("more than 100%"));
        s.adjustments.leakage = d("1.5");
        assert_eq!(
            appraise(&ledger, &cat, &s).unwrap_err().to_string(),
            "appraisal, field \"leakage\": expected a share from 0 to 1, found 1.5"
        );
        let mut s = spec(Combine::Additive);
        s.base_year = Some(2025);
        assert!(appraise(&ledger, &cat, &s).unwrap_err().to_string().contains("before the base year 2025/26"));
    }

    #[test]
    fn payback_stays_non_negative() {
        let v = |xs: &[i64]| xs.iter().map(|x| Decimal::from(*x)).collect::<Vec<_>>();
        assert_eq!(stays_non_negative(&v(&[-5, 1, -1, 2])), Some(3));
        assert_eq!(stays_non_negative(&v(&[0, 1])), Some(0));
        assert_eq!(stays_non_negative(&v(&[1, -1])), None);
    }
}
