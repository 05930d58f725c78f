//! From a cohort to a nation: Monte Carlo extrapolation with honest uncertainty.
//!
//! The population is split into **segments**. For one draw, segment `s` contributes:
//!
//! ```text
//! gross annual  = count × reach × per-case annual saving
//! net annual    = gross annual × retained(deadweight, attribution, displacement, leakage)
//! discounted    = Σ_{t=0}^{horizon-1} annual × D(t)        (gross and net)
//! ```
//!
//! Here `retained` is the appraisal's rule: multiplicative `(1-d)(1-a)(1-s)(1-l)`, or additive
//! `1-(d+a+s+l)`. `D(t)` is the discount factor of year `t`. The national figure is the sum
//! over segments.
//!
//! Each parameter is a [`Dist`]. The per-case saving can also come from the cohort. In that
//! case each draw **bootstraps** it: it resamples the segment's persons with replacement and
//! takes the mean of their annual savings. So seven cases give an honestly wide interval, and a
//! constant cohort gives none.
//!
//! **Reproducibility.** Draw `i` uses its own `ChaCha20` stream: the scenario's seed with stream
//! number `i`. A draw does not depend on any other, so the results are the same bytes on one
//! thread or many. Monte Carlo statistics are floats, computed from the exact ledger's
//! per-person savings. They are not money sums, and they are reported to the penny.

// Exact float comparisons are intended here: draws are bitwise reproducible, and a fixed
// scenario must give exactly the deterministic product.
#![allow(clippy::float_cmp)]

mod dist;

use std::sync::atomic::{AtomicU64, Ordering};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde::Serialize;

pub use dist::Dist;

use crate::appraisal::{Assumption, Combine, Origin, Schedule, record, used};
use crate::error::{Error, Location, ProblemKind};

/// Where a segment's per-case annual saving comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum PerCase {
    /// A stated distribution.
    Stated(Dist),
    /// The cohort's own per-person annual savings, bootstrapped in every draw.
    Cohort {
        /// Annual saving of each person of the segment's cohort.
        savings: Vec<f64>,
    },
}

/// One segment of the population.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Its name, e.g. "three of homelessness, substance misuse and offending".
    pub name: String,
    /// How many people a year are in it.
    pub count: Dist,
    /// The share the new way would reach.
    pub reach: Dist,
    /// The annual saving per case reached.
    pub per_case: PerCase,
    /// For how many years a year's saving is counted in the discounted total.
    pub horizon: u32,
    /// What would have happened anyway.
    pub deadweight: Dist,
    /// The share due to others.
    pub attribution: Dist,
    /// Benefit that merely moves elsewhere.
    pub displacement: Dist,
    /// Benefit that goes outside the target group.
    pub leakage: Dist,
}

impl Segment {
    /// A segment with no adjustments (deadweight etc. fixed at 0).
    #[must_use]
    pub fn new(name: impl Into<String>, count: Dist, reach: Dist, per_case: PerCase, horizon: u32) -> Segment {
        let zero = Dist::Fixed(0.0);
        Segment {
            name: name.into(),
            count,
            reach,
            per_case,
            horizon,
            deadweight: zero.clone(),
            attribution: zero.clone(),
            displacement: zero.clone(),
            leakage: zero,
        }
    }
}

/// Everything an extrapolation needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtrapolationSpec {
    /// The segments.
    pub segments: Vec<Segment>,
    /// Number of Monte Carlo draws.
    pub draws: u64,
    /// The seed.
    pub seed: u64,
    /// Discounting for the multi-year totals.
    pub schedule: Schedule,
    /// How the adjustments combine.
    pub combine: Combine,
    /// A threshold for the national net annual saving (e.g. 16 billion): the probability of
    /// falling below it is reported.
    pub threshold: Option<f64>,
    /// Percentiles to report, 0 to 100.
    pub percentiles: Vec<f64>,
    /// Number of histogram bins.
    pub bins: usize,
    /// Provenance of the parameters, from the scenario.
    pub assumptions: Vec<Assumption>,
}

impl ExtrapolationSpec {
    /// Sets the number of draws, recording where it came from in the assumptions log.
    pub fn set_draws(&mut self, draws: u64, origin: Origin) {
        self.draws = draws;
        record(&mut self.assumptions, Assumption::given("draws", &draws, origin));
    }

    /// Sets the seed, recording where it came from in the assumptions log.
    pub fn set_seed(&mut self, seed: u64, origin: Origin) {
        self.seed = seed;
        record(&mut self.assumptions, Assumption::given("seed", &seed, origin));
    }
}

impl Default for ExtrapolationSpec {
    fn default() -> ExtrapolationSpec {
        ExtrapolationSpec {
            segments: Vec::new(),
            draws: 10_000,
            seed: 0,
            schedule: Schedule::GreenBook,
            combine: Combine::Multiplicative,
            threshold: None,
            percentiles: vec![5.0, 25.0, 75.0, 95.0],
            bins: 40,
            assumptions: Vec::new(),
        }
    }
}

/// The most draws a run may make (each is kept, for `draws.csv`).
pub const MAX_DRAWS: u64 = 10_000_000;

/// Where a segment's per-case saving will come from, before the ledger is known.
#[derive(Debug, Clone, PartialEq)]
pub enum PerCaseSource {
    /// A stated distribution.
    Stated(Dist),
    /// The cohort: each person's saving (baseline minus alternative) divided by `years`,
    /// for the persons whose `column` in `persons.csv` equals `equals` (all persons when no
    /// column is given).
    Cohort {
        /// The length of the observation, to turn a person's saving into an annual one.
        years: f64,
        /// The persons column that maps persons to this segment.
        column: Option<String>,
        /// The value of that column for this segment.
        equals: Option<String>,
    },
}

/// An extrapolation as a scenario states it: segments whose per-case saving may still need the
/// cohort.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtrapolationPlan {
    /// The segments, with their per-case source.
    pub segments: Vec<(Segment, PerCaseSource)>,
    /// Everything else, as it will be run (its `segments` are filled in by
    /// [`ExtrapolationPlan::resolve`]).
    pub spec: ExtrapolationSpec,
}

impl ExtrapolationPlan {
    /// Fills in the cohort segments' savings from the comparison's per-person savings.
    ///
    /// # Errors
    /// A cohort segment mapped to a persons column when there is no persons table or no such
    /// column, or one that matches no person.
    pub fn resolve(
        &self,
        persons: &[crate::compare::PersonRow],
        table: Option<&crate::journey::Persons>,
    ) -> Result<ExtrapolationSpec, Error> {
        let mut spec = self.spec.clone();
        spec.segments.clear();
        for (seg, source) in &self.segments {
            let mut seg = seg.clone();
            seg.per_case = match source {
                PerCaseSource::Stated(d) => PerCase::Stated(d.clone()),
                PerCaseSource::Cohort { years, column, equals } => {
                    let keep = |id: &str| -> Result<bool, Error> {
                        let Some(column) = column else { return Ok(true) };
                        let table = table.ok_or_else(|| {
                            problem(format!(
                                "segment {:?} maps to persons column {column:?}, but there is no persons file",
                                seg.name
                            ))
                        })?;
                        if !table.columns().iter().any(|c| c == column) {
                            return Err(problem(format!(
                                "segment {:?} maps to {column:?}, which is not a column of the persons file",
                                seg.name
                            )));
                        }
                        Ok(table.attribute(id, column) == equals.as_deref())
                    };
                    let mut savings = Vec::new();
                    for p in persons {
                        if keep(&p.person_id)? {
                            savings.push(p.saving.to_f64() / years);
                        }
                    }
                    if savings.is_empty() {
                        return Err(problem(format!(
                            "segment {:?} takes its per-case saving from the cohort, but no person matches it",
                            seg.name
                        )));
                    }
                    PerCase::Cohort { savings }
                }
            };
            spec.segments.push(seg);
        }
        Ok(spec)
    }
}

/// One draw of the national figures.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Draw {
    /// Annual saving before adjustments.
    pub gross_annual: f64,
    /// Annual saving after adjustments.
    pub net_annual: f64,
    /// Discounted multi-year total before adjustments.
    pub gross_discounted: f64,
    /// Discounted multi-year total after adjustments.
    pub net_discounted: f64,
}

/// The distribution of one measure over the draws.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Mean.
    pub mean: f64,
    /// Standard deviation.
    pub sd: f64,
    /// Smallest draw.
    pub min: f64,
    /// Median.
    pub median: f64,
    /// Largest draw.
    pub max: f64,
    /// The requested percentiles: (percentile, value).
    pub percentiles: Vec<(f64, f64)>,
    /// Share of draws below zero.
    pub prob_below_zero: f64,
    /// Share of draws below the threshold, if one was set.
    pub prob_below_threshold: Option<f64>,
}

/// One bar of the tornado: a parameter at its 10th and 90th percentile, the rest central.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TornadoRow {
    /// The segment.
    pub segment: String,
    /// The parameter.
    pub parameter: String,
    /// Its 10th percentile.
    pub low: f64,
    /// Its 90th percentile.
    pub high: f64,
    /// National net annual saving with the parameter at its 10th percentile.
    pub saving_at_low: f64,
    /// The same at its 90th percentile.
    pub saving_at_high: f64,
    /// `|saving_at_high - saving_at_low|`.
    pub swing: f64,
}

/// The value of a parameter at which the national net annual saving is zero, the rest central.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SwitchingRow {
    /// The segment.
    pub segment: String,
    /// The parameter.
    pub parameter: String,
    /// Its central value.
    pub central: f64,
    /// The value at which the saving is zero; `None` when the saving does not depend on it.
    pub switching_value: Option<f64>,
    /// Whether that value lies within the parameter's distribution's support.
    pub within_support: bool,
}

/// One histogram bin of the national net annual saving.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bin {
    /// Lower edge (inclusive).
    pub from: f64,
    /// Upper edge (exclusive, but inclusive for the last bin).
    pub to: f64,
    /// Draws in the bin.
    pub count: u64,
}

/// The results of an extrapolation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Extrapolation {
    /// Draws made.
    pub draws: u64,
    /// The seed.
    pub seed: u64,
    /// The discount schedule of the multi-year totals.
    pub schedule: String,
    /// The threshold the probabilities refer to, if one was set.
    pub threshold: Option<f64>,
    /// Every parameter at its central value.
    pub central: Draw,
    /// Annual saving before adjustments.
    pub gross_annual: Summary,
    /// Annual saving after adjustments: the headline.
    pub net_annual: Summary,
    /// Discounted multi-year total before adjustments.
    pub gross_discounted: Summary,
    /// Discounted multi-year total after adjustments.
    pub net_discounted: Summary,
    /// Histogram of the net annual saving.
    pub histogram: Vec<Bin>,
    /// One-way sensitivity, largest swing first.
    pub tornado: Vec<TornadoRow>,
    /// Switching values.
    pub switching: Vec<SwitchingRow>,
    /// Every parameter, with its provenance.
    pub assumptions: Vec<Assumption>,
    /// The draws, in order.
    #[serde(skip)]
    pub values: Vec<Draw>,
}

/// The parameters of one segment for one evaluation.
#[derive(Debug, Clone, Copy)]
struct Values {
    count: f64,
    reach: f64,
    per_case: f64,
    adjust: [f64; 4],
}

const NAMES: [&str; 7] = ["count", "reach", "per_case", "deadweight", "attribution", "displacement", "leakage"];

impl Values {
    fn get(&self, k: usize) -> f64 {
        match k {
            0 => self.count,
            1 => self.reach,
            2 => self.per_case,
            _ => self.adjust[k - 3],
        }
    }

    fn set(&mut self, k: usize, v: f64) {
        match k {
            0 => self.count = v,
            1 => self.reach = v,
            2 => self.per_case = v,
            _ => self.adjust[k - 3] = v,
        }
    }
}

/// Runs the extrapolation on `threads` threads (at least one); `progress` is told the number of
/// draws done from time to time.
///
/// # Errors
/// No segments, no draws, a cohort segment with no persons, or percentiles outside 0 to 100.
///
/// # Example
/// ```
/// use journeycost::extrapolate::{extrapolate, Dist, ExtrapolationSpec, PerCase, Segment};
///
/// let spec = ExtrapolationSpec {
///     segments: vec![Segment::new("three needs", Dist::Fixed(58_000.0), Dist::Fixed(0.5), PerCase::Stated(Dist::Fixed(10_000.0)), 1)],
///     draws: 1000,
///     ..ExtrapolationSpec::default()
/// };
/// let r = extrapolate(&spec, 2, None).unwrap();
/// assert_eq!(r.net_annual.median, 290_000_000.0);
/// assert_eq!(r.net_annual.percentiles[0].1, 290_000_000.0);
/// ```
pub fn extrapolate(
    spec: &ExtrapolationSpec,
    threads: usize,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<Extrapolation, Error> {
    check(spec)?;
    let factors: Vec<f64> = {
        let longest = spec.segments.iter().map(|s| s.horizon).max().unwrap_or(1);
        spec.schedule.factors(longest).iter().map(|f| crate::money::Money::new(*f).to_f64()).collect()
    };
    let n = spec.draws as usize;
    let mut values = vec![Draw::default(); n];
    let threads = threads.clamp(1, 64).min(n.max(1));
    let chunk = n.div_ceil(threads);
    let done = AtomicU64::new(0);
    std::thread::scope(|scope| {
        for (t, slice) in values.chunks_mut(chunk).enumerate() {
            let (done, factors) = (&done, &factors);
            scope.spawn(move || {
                for (j, out) in slice.iter_mut().enumerate() {
                    let i = (t * chunk + j) as u64;
                    *out = one_draw(spec, factors, i);
                    if (j + 1) % 1024 == 0 {
                        let total = done.fetch_add(1024, Ordering::Relaxed) + 1024;
                        if let Some(p) = progress {
                            p(total);
                        }
                    }
                }
            });
        }
    });
    if let Some(p) = progress {
        p(spec.draws);
    }

    let central_values: Vec<Values> = spec.segments.iter().enumerate().map(|(s, seg)| central(spec, s, seg)).collect();
    let central = evaluate(spec, &factors, &central_values);
    let summary = |f: fn(&Draw) -> f64, threshold: Option<f64>| {
        summarise(values.iter().map(f).collect(), &spec.percentiles, threshold)
    };
    let (tornado, switching) = sensitivity(spec, &factors, &central_values);
    // The run's settings as used, each with where it came from; then the parameters.
    let combine = match spec.combine {
        Combine::Multiplicative => "multiplicative",
        Combine::Additive => "additive",
    };
    let settings = [
        ("draws", spec.draws.to_string()),
        ("seed", spec.seed.to_string()),
        ("schedule", spec.schedule.to_string()),
        ("adjustments", combine.to_owned()),
    ];
    let mut assumptions: Vec<Assumption> =
        settings.iter().map(|(name, value)| used(&spec.assumptions, name, value.clone())).collect();
    assumptions.extend(spec.assumptions.iter().filter(|a| !settings.iter().any(|(name, _)| a.name == *name)).cloned());
    Ok(Extrapolation {
        draws: spec.draws,
        seed: spec.seed,
        schedule: spec.schedule.to_string(),
        threshold: spec.threshold,
        central,
        gross_annual: summary(|d| d.gross_annual, None),
        net_annual: summary(|d| d.net_annual, spec.threshold),
        gross_discounted: summary(|d| d.gross_discounted, None),
        net_discounted: summary(|d| d.net_discounted, None),
        histogram: histogram(&values, spec.bins),
        tornado,
        switching,
        assumptions,
        values,
    })
}

fn problem(message: impl Into<String>) -> Error {
    Error::new(Location::source("extrapolation"), ProblemKind::Scenario, message)
}

fn check(spec: &ExtrapolationSpec) -> Result<(), Error> {
    if spec.segments.is_empty() {
        return Err(problem("there are no segments to extrapolate"));
    }
    if spec.draws == 0 || spec.draws > MAX_DRAWS {
        return Err(problem(format!("draws must be from 1 to {MAX_DRAWS}")));
    }
    if spec.segments.iter().any(|s| s.horizon > crate::appraisal::MAX_HORIZON) {
        return Err(problem(format!("a segment's horizon must be at most {} years", crate::appraisal::MAX_HORIZON)));
    }
    if spec.percentiles.iter().any(|p| !(0.0..=100.0).contains(p)) {
        return Err(problem("percentiles must lie between 0 and 100"));
    }
    for s in &spec.segments {
        if let PerCase::Cohort { savings } = &s.per_case {
            if savings.is_empty() {
                return Err(problem(format!(
                    "segment {:?} takes its per-case saving from the cohort, but has no persons",
                    s.name
                )));
            }
        }
    }
    Ok(())
}

/// One Monte Carlo draw: stream `i` of the seed.
fn one_draw(spec: &ExtrapolationSpec, factors: &[f64], i: u64) -> Draw {
    let mut rng = ChaCha20Rng::seed_from_u64(spec.seed);
    rng.set_stream(i);
    let values: Vec<Values> = spec
        .segments
        .iter()
        .map(|s| Values {
            count: s.count.sample(&mut rng),
            reach: s.reach.sample(&mut rng),
            per_case: match &s.per_case {
                PerCase::Stated(d) => d.sample(&mut rng),
                PerCase::Cohort { savings } => bootstrap_mean(savings, &mut rng),
            },
            adjust: [
                s.deadweight.sample(&mut rng),
                s.attribution.sample(&mut rng),
                s.displacement.sample(&mut rng),
                s.leakage.sample(&mut rng),
            ],
        })
        .collect();
    evaluate(spec, factors, &values)
}

/// The mean of `xs` resampled with replacement.
fn bootstrap_mean<R: Rng + ?Sized>(xs: &[f64], rng: &mut R) -> f64 {
    let n = xs.len();
    // Shifted by the first value, so a constant cohort returns that value exactly.
    let first = xs[0];
    let total: f64 = (0..n).map(|_| xs[(rng.next_u64() % n as u64) as usize] - first).sum();
    first + total / n as f64
}

/// The national figures for given parameter values.
fn evaluate(spec: &ExtrapolationSpec, factors: &[f64], values: &[Values]) -> Draw {
    let mut d = Draw::default();
    for (s, v) in spec.segments.iter().zip(values) {
        let gross = v.count * v.reach * v.per_case;
        let retained = match spec.combine {
            Combine::Multiplicative => v.adjust.iter().map(|a| 1.0 - a).product::<f64>(),
            Combine::Additive => 1.0 - v.adjust.iter().sum::<f64>(),
        };
        let net = gross * retained;
        let years: f64 = factors.iter().take(s.horizon as usize).sum();
        d.gross_annual += gross;
        d.net_annual += net;
        d.gross_discounted += gross * years;
        d.net_discounted += net * years;
    }
    d
}

/// Each parameter's central value: the median of its distribution; for a cohort, the mean of
/// the persons' savings.
fn central(_spec: &ExtrapolationSpec, _s: usize, seg: &Segment) -> Values {
    Values {
        count: seg.count.central(),
        reach: seg.reach.central(),
        per_case: match &seg.per_case {
            PerCase::Stated(d) => d.central(),
            PerCase::Cohort { savings } => shifted_mean(savings),
        },
        adjust: [
            seg.deadweight.central(),
            seg.attribution.central(),
            seg.displacement.central(),
            seg.leakage.central(),
        ],
    }
}

/// The 10th and 90th percentiles of a segment's parameter `k`, or `None` when it is fixed.
fn spread(spec: &ExtrapolationSpec, s: usize, k: usize) -> Option<(f64, f64)> {
    let seg = &spec.segments[s];
    let dist = match k {
        0 => &seg.count,
        1 => &seg.reach,
        2 => match &seg.per_case {
            PerCase::Stated(d) => d,
            PerCase::Cohort { savings } => {
                // The bootstrap distribution of the mean, from 2,000 resamples on a stream of its own.
                let mut rng = ChaCha20Rng::seed_from_u64(spec.seed);
                rng.set_stream(u64::MAX - s as u64);
                let mut means: Vec<f64> = (0..2000).map(|_| bootstrap_mean(savings, &mut rng)).collect();
                means.sort_by(f64::total_cmp);
                let (lo, hi) = (quantile(&means, 0.1), quantile(&means, 0.9));
                return (lo != hi).then_some((lo, hi));
            }
        },
        3 => &seg.deadweight,
        4 => &seg.attribution,
        5 => &seg.displacement,
        _ => &seg.leakage,
    };
    (!dist.is_fixed()).then(|| (dist.quantile(0.1), dist.quantile(0.9)))
}

fn support(seg: &Segment, k: usize) -> (f64, f64) {
    match k {
        0 => seg.count.support(),
        1 => seg.reach.support(),
        2 => match &seg.per_case {
            PerCase::Stated(d) => d.support(),
            PerCase::Cohort { savings } => (
                savings.iter().copied().fold(f64::INFINITY, f64::min),
                savings.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            ),
        },
        3 => seg.deadweight.support(),
        4 => seg.attribution.support(),
        5 => seg.displacement.support(),
        _ => seg.leakage.support(),
    }
}

fn sensitivity(spec: &ExtrapolationSpec, factors: &[f64], central: &[Values]) -> (Vec<TornadoRow>, Vec<SwitchingRow>) {
    let at = |s: usize, k: usize, x: f64| {
        let mut v = central.to_vec();
        v[s].set(k, x);
        evaluate(spec, factors, &v).net_annual
    };
    let mut tornado = Vec::new();
    let mut switching = Vec::new();
    for (s, seg) in spec.segments.iter().enumerate() {
        for (k, name) in NAMES.iter().enumerate() {
            let c = central[s].get(k);
            if let Some((lo, hi)) = spread(spec, s, k) {
                let (a, b) = (at(s, k, lo), at(s, k, hi));
                tornado.push(TornadoRow {
                    segment: seg.name.clone(),
                    parameter: (*name).to_owned(),
                    low: lo,
                    high: hi,
                    saving_at_low: a,
                    saving_at_high: b,
                    swing: (b - a).abs(),
                });
            }
            // The national saving is linear in each single parameter: solve the line.
            let step = if c == 0.0 { 1.0 } else { c.abs() };
            let (f0, f1) = (at(s, k, c), at(s, k, c + step));
            let slope = (f1 - f0) / step;
            let value = (slope != 0.0 && slope.is_finite()).then(|| c - f0 / slope);
            let (lo, hi) = support(seg, k);
            switching.push(SwitchingRow {
                segment: seg.name.clone(),
                parameter: (*name).to_owned(),
                central: c,
                switching_value: value,
                within_support: value.is_some_and(|v| v >= lo && v <= hi),
            });
        }
    }
    // Largest swing first; ties in segment then parameter order (a stable sort).
    tornado.sort_by(|x, y| y.swing.total_cmp(&x.swing));
    (tornado, switching)
}

/// The type-7 quantile (linear interpolation between order statistics) of sorted values.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    let frac = h - lo as f64;
    if frac == 0.0 { sorted[lo] } else { sorted[lo] + (sorted[hi] - sorted[lo]) * frac }
}

/// The mean, shifted by the first value so identical values give that value exactly.
fn shifted_mean(xs: &[f64]) -> f64 {
    let first = xs[0];
    first + xs.iter().map(|x| x - first).sum::<f64>() / xs.len() as f64
}

fn summarise(mut xs: Vec<f64>, percentiles: &[f64], threshold: Option<f64>) -> Summary {
    let n = xs.len() as f64;
    let mean = shifted_mean(&xs);
    let sd = if xs.len() > 1 { (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt() } else { 0.0 };
    let below = |t: f64, xs: &[f64]| xs.iter().filter(|x| **x < t).count() as f64 / n;
    let prob_below_zero = below(0.0, &xs);
    let prob_below_threshold = threshold.map(|t| below(t, &xs));
    xs.sort_by(f64::total_cmp);
    Summary {
        mean,
        sd,
        min: xs[0],
        median: quantile(&xs, 0.5),
        max: xs[xs.len() - 1],
        percentiles: percentiles.iter().map(|p| (*p, quantile(&xs, p / 100.0))).collect(),
        prob_below_zero,
        prob_below_threshold,
    }
}

fn histogram(values: &[Draw], bins: usize) -> Vec<Bin> {
    let bins = bins.max(1);
    let (min, max) =
        values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), d| (a.min(d.net_annual), b.max(d.net_annual)));
    if min == max {
        return vec![Bin { from: min, to: max, count: values.len() as u64 }];
    }
    let width = (max - min) / bins as f64;
    let mut counts = vec![0u64; bins];
    for d in values {
        let i = (((d.net_annual - min) / width) as usize).min(bins - 1);
        counts[i] += 1;
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(i, count)| Bin { from: min + width * i as f64, to: min + width * (i + 1) as f64, count })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(per_case: PerCase) -> ExtrapolationSpec {
        let mut seg = Segment::new(
            "three",
            Dist::triangular(50_000.0, 58_000.0, 66_000.0).unwrap(),
            Dist::beta_mean_sd(0.4, 0.1).unwrap(),
            per_case,
            5,
        );
        seg.deadweight = Dist::uniform(0.1, 0.4).unwrap();
        ExtrapolationSpec {
            segments: vec![seg],
            draws: 5000,
            seed: 42,
            threshold: Some(1e8),
            ..ExtrapolationSpec::default()
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_draws_on_any_number_of_threads() {
        let s = spec(PerCase::Cohort { savings: vec![1000.0, 25_000.0, 3000.0, 12_000.0, -2000.0, 8000.0, 40_000.0] });
        let one = extrapolate(&s, 1, None).unwrap();
        let four = extrapolate(&s, 4, None).unwrap();
        assert_eq!(one, four);
        assert_eq!(one.values, four.values);
        let other_seed = extrapolate(&ExtrapolationSpec { seed: 43, ..s }, 2, None).unwrap();
        assert_ne!(one.net_annual.mean, other_seed.net_annual.mean);
    }

    #[test]
    fn a_fixed_scenario_returns_the_deterministic_product() {
        let mut seg =
            Segment::new("x", Dist::Fixed(164_000.0), Dist::Fixed(0.25), PerCase::Stated(Dist::Fixed(7_500.0)), 3);
        seg.deadweight = Dist::Fixed(0.2);
        seg.attribution = Dist::Fixed(0.1);
        let s = ExtrapolationSpec { segments: vec![seg], draws: 777, ..ExtrapolationSpec::default() };
        let r = extrapolate(&s, 3, None).unwrap();
        let product = 164_000.0 * 0.25 * 7_500.0 * (0.8 * 0.9);
        assert_eq!(r.net_annual.mean, product);
        assert_eq!(r.net_annual.min, product);
        assert_eq!(r.net_annual.max, product);
        assert_eq!(r.net_annual.sd, 0.0);
        assert_eq!(r.gross_annual.median, 164_000.0 * 0.25 * 7_500.0);
        assert!(r.tornado.is_empty());
        assert_eq!(r.histogram.len(), 1);
    }

    #[test]
    fn bootstrapping_a_constant_cohort_has_zero_width() {
        let mut s = spec(PerCase::Cohort { savings: vec![9000.0; 7] });
        s.segments[0].count = Dist::Fixed(1000.0);
        s.segments[0].reach = Dist::Fixed(1.0);
        s.segments[0].deadweight = Dist::Fixed(0.0);
        let r = extrapolate(&s, 2, None).unwrap();
        assert_eq!(r.net_annual.min, 9_000_000.0);
        assert_eq!(r.net_annual.max, 9_000_000.0);
    }

    #[test]
    fn seven_cases_give_a_wide_interval_and_the_tornado_ranks_by_swing() {
        let r = extrapolate(
            &spec(PerCase::Cohort { savings: vec![1000.0, 25_000.0, 3000.0, 12_000.0, -2000.0, 8000.0, 40_000.0] }),
            2,
            None,
        )
        .unwrap();
        let p5 = r.net_annual.percentiles[0].1;
        let p95 = r.net_annual.percentiles[3].1;
        assert!(p95 > 3.0 * p5.max(1.0), "{p5} .. {p95}");
        assert!(r.tornado.windows(2).all(|w| w[0].swing >= w[1].swing));
        assert_eq!(r.tornado[0].parameter, "per_case");
        let dw = r.switching.iter().find(|s| s.parameter == "deadweight").unwrap();
        assert!((dw.switching_value.unwrap() - 1.0).abs() < 1e-9, "{dw:?}");
        assert!(r.net_annual.prob_below_threshold.unwrap() > 0.0);
        assert!(r.gross_annual.mean > r.net_annual.mean);
        assert!(r.net_discounted.mean > r.net_annual.mean);
    }

    #[test]
    fn invalid_specs_are_refused() {
        assert!(extrapolate(&ExtrapolationSpec::default(), 1, None).is_err());
        let s = spec(PerCase::Cohort { savings: vec![] });
        assert!(extrapolate(&s, 1, None).unwrap_err().to_string().contains("has no persons"));
    }
}
