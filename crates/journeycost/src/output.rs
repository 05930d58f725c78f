//! The output documents: the `cost` tables and the `compare` tables and JSON, rendered to bytes.
//!
//! Rendering is separate from writing so the CLI, the Python package and the report renderer
//! produce the same bytes from the same results.

use std::fmt::Write as _;

use serde::Serialize;

use crate::appraisal::Appraisal;
use crate::catalogue::{Amount, UnitCost};
use crate::compare::{ComparisonRun, demand_label, tier_label};
use crate::extrapolate::Extrapolation;
use crate::io::{CsvTable, InputDigest, OutputSet};
use crate::ledger::Ledger;
use crate::money::Money;
use crate::period::PeriodKind;

/// The version of this library, written into every results document.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The schema identifier of `comparison.json`; bumped on any incompatible change.
pub const COMPARISON_SCHEMA: &str = "journeycost/comparison/1";

/// The three tables of `journeycost cost` (the benchmark workload): `monthly.csv`,
/// `persons.csv` and `summary.csv`, for the pathways named `old` and `new`.
///
/// - `monthly.csv`: `pathway,agency,month,events,cost`, one row per group with events, sorted
///   by pathway, agency and month in byte order;
/// - `persons.csv`: `person_id,old_cost,new_cost,saving`, every person, sorted by id;
/// - `summary.csv`: `agency,old_cost,new_cost,saving` for every agency of the catalogue in byte
///   order, then `TOTAL`.
#[must_use]
pub fn cost_tables(ledger: &Ledger) -> OutputSet {
    let old = ledger.pathway_id("old");
    let new = ledger.pathway_id("new");
    let monthly = ledger
        .aggregate(PeriodKind::Month, |l, p| Some((l.pathway, l.agency, p.index)))
        .into_iter()
        .map(|(k, t)| (k, t.events, t.cost))
        .collect();
    let mut person_costs: Vec<Option<[Money; 2]>> = vec![None; ledger.persons().len()];
    let mut agency_costs: Vec<[Money; 2]> = vec![[Money::ZERO; 2]; ledger.agencies().len()];
    for line in ledger.lines() {
        let costs = person_costs[line.person as usize].get_or_insert([Money::ZERO; 2]);
        let side = if Some(line.pathway) == old {
            0
        } else if Some(line.pathway) == new {
            1
        } else {
            continue;
        };
        costs[side] += line.cost;
        agency_costs[line.agency as usize][side] += line.cost;
    }
    render_cost_tables(CostSums {
        pathways: ledger.pathways(),
        agencies: ledger.agencies(),
        persons: ledger.persons(),
        monthly,
        person_costs,
        agency_costs,
    })
}

/// The sums behind the `cost` tables, however they were made (from a ledger, or streamed).
pub(crate) struct CostSums<'a> {
    /// Pathway names by id.
    pub(crate) pathways: &'a [Box<str>],
    /// Agencies of the catalogue in byte order, by id.
    pub(crate) agencies: &'a [String],
    /// Person ids by id.
    pub(crate) persons: &'a [Box<str>],
    /// (pathway, agency, month index) with its events and exact cost.
    pub(crate) monthly: Vec<((u32, u32, i32), u64, Money)>,
    /// Per person (None when the person has no event): exact old and new cost.
    pub(crate) person_costs: Vec<Option<[Money; 2]>>,
    /// Per agency: exact old and new cost.
    pub(crate) agency_costs: Vec<[Money; 2]>,
}

/// Renders `monthly.csv`, `persons.csv` and `summary.csv` from their sums.
pub(crate) fn render_cost_tables(sums: CostSums<'_>) -> OutputSet {
    let CostSums { pathways, agencies, persons, mut monthly, person_costs, agency_costs } = sums;
    monthly.sort_unstable_by(|a, b| {
        let (ka, kb) = (a.0, b.0);
        pathways[ka.0 as usize]
            .as_bytes()
            .cmp(pathways[kb.0 as usize].as_bytes())
            .then(ka.1.cmp(&kb.1))
            .then(ka.2.cmp(&kb.2))
    });
    let mut t = CsvTable::new(&["pathway", "agency", "month", "events", "cost"]);
    for ((pw, ag, month), events, cost) in monthly {
        let period = PeriodKind::Month.of_month(crate::period::Month(month));
        t.row([
            pathways[pw as usize].to_string(),
            agencies[ag as usize].clone(),
            period.to_string(),
            events.to_string(),
            cost.to_string(),
        ]);
    }
    let mut out = OutputSet::new();
    out.add("monthly.csv", t.into_bytes());

    let mut ids: Vec<u32> = (0..persons.len() as u32).filter(|&p| person_costs[p as usize].is_some()).collect();
    ids.sort_unstable_by(|a, b| persons[*a as usize].as_bytes().cmp(persons[*b as usize].as_bytes()));
    let mut t = CsvTable::new(&["person_id", "old_cost", "new_cost", "saving"]);
    // One set of buffers for every row (a cohort can have millions of persons).
    let mut cells = [String::new(), String::new(), String::new()];
    for p in ids {
        let [o, n] = person_costs[p as usize].unwrap_or_default();
        for (cell, value) in cells.iter_mut().zip([o, n, o - n]) {
            cell.clear();
            // Writing to a String cannot fail.
            let _ = write!(cell, "{value}");
        }
        t.row([persons[p as usize].as_bytes(), cells[0].as_bytes(), cells[1].as_bytes(), cells[2].as_bytes()]);
    }
    out.add("persons.csv", t.into_bytes());

    let mut t = CsvTable::new(&["agency", "old_cost", "new_cost", "saving"]);
    let (mut to, mut tn) = (Money::ZERO, Money::ZERO);
    for (a, [o, n]) in agencies.iter().zip(agency_costs) {
        t.row([a.clone(), o.to_string(), n.to_string(), (o - n).to_string()]);
        to += o;
        tn += n;
    }
    t.row(["TOTAL".to_owned(), to.to_string(), tn.to_string(), (to - tn).to_string()]);
    out.add("summary.csv", t.into_bytes());
    out
}

#[derive(Serialize)]
struct ComparisonDocument<'a> {
    schema: &'static str,
    journeycost_version: &'static str,
    inputs: &'a [InputDigest],
    #[serde(flatten)]
    run: &'a ComparisonRun,
}

/// The files of `journeycost compare`: `series.csv`, `agencies.csv`, `demand.csv`,
/// `failure.csv`, `tiers.csv`, `trend.csv`, `persons.csv` and `comparison.json`.
///
/// When the run is grouped, every CSV gains a first column named after the attribute; when it
/// sums several value types (the public-value case), a last column `value_types` such as
/// `fiscal+economic+social`.
#[must_use]
pub fn comparison_files(run: &ComparisonRun, inputs: &[InputDigest]) -> OutputSet {
    let lead: Vec<&str> = run.by.as_deref().into_iter().collect();
    // When values of several types are summed, every table says so in a last column.
    let mixed = run.value_types.len() > 1;
    let basis = run.value_types.iter().map(|t| t.as_str()).collect::<Vec<_>>().join("+");
    let trail: Vec<&str> = if mixed { vec!["value_types"] } else { Vec::new() };
    let header = |cols: &[&str]| -> CsvTable {
        let all: Vec<&str> = lead.iter().copied().chain(cols.iter().copied()).chain(trail.iter().copied()).collect();
        CsvTable::new(&all)
    };
    let mut series = header(&["pathway", "period", "events", "cost", "cumulative_cost"]);
    let mut agencies = header(&["agency", "baseline_cost", "alternative_cost", "saving"]);
    let mut demand = header(&["pathway", "demand", "events", "cost", "cost_share"]);
    let mut failure = header(&FAILURE_COLUMNS);
    let mut tiers = header(&["pathway", "tier", "events", "cost"]);
    let mut trend = header(&["pathway", "periods", "slope", "intercept"]);
    let mut persons = header(&["person_id", "baseline_cost", "alternative_cost", "saving"]);
    for g in &run.groups {
        let pre: Vec<String> = g.group.iter().cloned().collect();
        let with = |rest: Vec<String>| {
            pre.iter().cloned().chain(rest).chain(mixed.then(|| basis.clone())).collect::<Vec<String>>()
        };
        let c = &g.comparison;
        for s in &c.series {
            series.row(with(vec![
                s.pathway.clone(),
                s.period.to_string(),
                s.events.to_string(),
                s.cost.to_string(),
                s.cumulative_cost.to_string(),
            ]));
        }
        for a in c.agencies.iter().chain(std::iter::once(&c.total)) {
            agencies.row(with(vec![
                a.agency.clone(),
                a.baseline_cost.to_string(),
                a.alternative_cost.to_string(),
                a.saving.to_string(),
            ]));
        }
        for d in &c.demand {
            let share = d.cost_share.map(|s| format!("{s:.4}")).unwrap_or_default();
            demand.row(with(vec![
                d.pathway.clone(),
                demand_label(d.demand).to_owned(),
                d.events.to_string(),
                d.cost.to_string(),
                share,
            ]));
        }
        let four = |s: Option<rust_decimal::Decimal>| s.map(|s| format!("{s:.4}")).unwrap_or_default();
        for f in &c.failure {
            failure.row(with(vec![
                f.agency.clone(),
                f.pathway.clone(),
                f.events.to_string(),
                f.failure_events.to_string(),
                f.cost.to_string(),
                f.failure_cost.to_string(),
                four(f.failure_cost_share),
                four(f.failure_contact_share),
            ]));
        }
        for t in &c.tiers {
            tiers.row(with(vec![t.pathway.clone(), tier_label(t.tier), t.events.to_string(), t.cost.to_string()]));
        }
        for t in &c.trend {
            trend.row(with(vec![t.pathway.clone(), t.periods.to_string(), fixed(t.slope), fixed(t.intercept)]));
        }
        for p in &c.persons {
            persons.row(with(vec![
                p.person_id.clone(),
                p.baseline_cost.to_string(),
                p.alternative_cost.to_string(),
                p.saving.to_string(),
            ]));
        }
    }
    let mut out = OutputSet::new();
    out.add("series.csv", series.into_bytes());
    out.add("agencies.csv", agencies.into_bytes());
    out.add("demand.csv", demand.into_bytes());
    out.add("failure.csv", failure.into_bytes());
    out.add("tiers.csv", tiers.into_bytes());
    out.add("trend.csv", trend.into_bytes());
    out.add("persons.csv", persons.into_bytes());
    let doc = ComparisonDocument { schema: COMPARISON_SCHEMA, journeycost_version: VERSION, inputs, run };
    let mut json = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    json.push(b'\n');
    out.add("comparison.json", json);
    out
}

/// The schema identifier of `appraisal.json`.
pub const APPRAISAL_SCHEMA: &str = "journeycost/appraisal/1";

#[derive(Serialize)]
struct AppraisalDocument<'a> {
    schema: &'static str,
    journeycost_version: &'static str,
    inputs: &'a [InputDigest],
    baseline: &'a str,
    alternative: &'a str,
    appraisal: &'a Appraisal,
}

/// The files of `journeycost appraise`: `appraisal.json`, `years.csv`, `agency_years.csv`, `who_pays.csv`,
/// `who_pays_detail.csv`, `switching.csv` and `assumptions.csv`.
#[must_use]
pub fn appraisal_files(a: &Appraisal, baseline: &str, alternative: &str, inputs: &[InputDigest]) -> OutputSet {
    let mut years = CsvTable::new(&[
        "year",
        "t",
        "observed",
        "factor",
        "gross_benefit",
        "benefit",
        "cost",
        "net",
        "discounted_net",
        "cumulative_net",
        "cumulative_discounted_net",
    ]);
    for y in &a.years {
        years.row([
            y.year.clone(),
            y.t.to_string(),
            y.observed.to_string(),
            y.factor.clone(),
            y.gross_benefit.to_string(),
            y.benefit.to_string(),
            y.cost.to_string(),
            y.net.to_string(),
            y.discounted_net.to_string(),
            y.cumulative_net.to_string(),
            y.cumulative_discounted_net.to_string(),
        ]);
    }
    let mut agency_years = CsvTable::new(&["year", "agency", "benefit", "cost"]);
    for r in &a.agency_years {
        agency_years.row([r.year.clone(), r.agency.clone(), r.benefit.to_string(), r.cost.to_string()]);
    }
    let mut who = CsvTable::new(&["agency", "cost_borne", "saving_received", "net"]);
    for r in &a.who_pays {
        who.row([r.agency.clone(), r.cost_borne.to_string(), r.saving_received.to_string(), r.net.to_string()]);
    }
    let mut detail = CsvTable::new(&["agency", "agency_detail", "cost_borne", "saving_received", "net"]);
    for r in &a.who_pays_detail {
        detail.row([
            r.agency.clone(),
            r.agency_detail.clone().unwrap_or_default(),
            r.cost_borne.to_string(),
            r.saving_received.to_string(),
            r.net.to_string(),
        ]);
    }
    let mut switching = CsvTable::new(&["parameter", "value", "switching_value", "searched_from", "searched_to"]);
    for s in &a.switching {
        switching.row([
            s.parameter.clone(),
            s.value.to_string(),
            s.switching_value.map(|v| format!("{v:.4}")).unwrap_or_default(),
            s.range.0.to_string(),
            s.range.1.to_string(),
        ]);
    }
    let mut out = OutputSet::new();
    let doc = AppraisalDocument {
        schema: APPRAISAL_SCHEMA,
        journeycost_version: VERSION,
        inputs,
        baseline,
        alternative,
        appraisal: a,
    };
    let mut json = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    json.push(b'\n');
    out.add("appraisal.json", json);
    out.add("years.csv", years.into_bytes());
    out.add("agency_years.csv", agency_years.into_bytes());
    out.add("who_pays.csv", who.into_bytes());
    out.add("who_pays_detail.csv", detail.into_bytes());
    out.add("switching.csv", switching.into_bytes());
    out.add("assumptions.csv", assumptions_csv(&a.assumptions));
    out
}

/// The schema identifier of `extrapolation.json`.
pub const EXTRAPOLATION_SCHEMA: &str = "journeycost/extrapolation/1";

#[derive(Serialize)]
struct ExtrapolationDocument<'a> {
    schema: &'static str,
    journeycost_version: &'static str,
    inputs: &'a [InputDigest],
    extrapolation: &'a Extrapolation,
}

/// A statistic in pounds, to the penny.
fn pounds(x: f64) -> String {
    fixed_places(x, 2)
}

/// The files of `journeycost extrapolate`: `extrapolation.json`, `draws.csv`, `summary.csv`,
/// `histogram.csv`, `tornado.csv`, `switching.csv` and `assumptions.csv`.
#[must_use]
pub fn extrapolation_files(x: &Extrapolation, inputs: &[InputDigest]) -> OutputSet {
    let mut out = OutputSet::new();
    let doc =
        ExtrapolationDocument { schema: EXTRAPOLATION_SCHEMA, journeycost_version: VERSION, inputs, extrapolation: x };
    let mut json = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    json.push(b'\n');
    out.add("extrapolation.json", json);

    let mut summary =
        CsvTable::new(&["measure", "mean", "sd", "min", "median", "max", "prob_below_zero", "prob_below_threshold"]);
    let mut pcts = CsvTable::new(&["measure", "percentile", "value"]);
    for (name, m) in [
        ("gross_annual", &x.gross_annual),
        ("net_annual", &x.net_annual),
        ("gross_discounted", &x.gross_discounted),
        ("net_discounted", &x.net_discounted),
    ] {
        summary.row([
            name.to_owned(),
            pounds(m.mean),
            pounds(m.sd),
            pounds(m.min),
            pounds(m.median),
            pounds(m.max),
            fixed_places(m.prob_below_zero, 4),
            m.prob_below_threshold.map(|p| fixed_places(p, 4)).unwrap_or_default(),
        ]);
        for (p, v) in &m.percentiles {
            pcts.row([name.to_owned(), p.to_string(), pounds(*v)]);
        }
    }
    out.add("summary.csv", summary.into_bytes());
    out.add("percentiles.csv", pcts.into_bytes());

    let mut draws = CsvTable::new(&["draw", "gross_annual", "net_annual", "gross_discounted", "net_discounted"]);
    for (i, d) in x.values.iter().enumerate() {
        draws.row([
            i.to_string(),
            pounds(d.gross_annual),
            pounds(d.net_annual),
            pounds(d.gross_discounted),
            pounds(d.net_discounted),
        ]);
    }
    out.add("draws.csv", draws.into_bytes());

    let mut hist = CsvTable::new(&["from", "to", "count"]);
    for b in &x.histogram {
        hist.row([pounds(b.from), pounds(b.to), b.count.to_string()]);
    }
    out.add("histogram.csv", hist.into_bytes());

    let mut tornado =
        CsvTable::new(&["segment", "parameter", "low", "high", "saving_at_low", "saving_at_high", "swing"]);
    for t in &x.tornado {
        tornado.row([
            t.segment.clone(),
            t.parameter.clone(),
            fixed(t.low),
            fixed(t.high),
            pounds(t.saving_at_low),
            pounds(t.saving_at_high),
            pounds(t.swing),
        ]);
    }
    out.add("tornado.csv", tornado.into_bytes());

    let mut switching = CsvTable::new(&["segment", "parameter", "central", "switching_value", "within_support"]);
    for s in &x.switching {
        switching.row([
            s.segment.clone(),
            s.parameter.clone(),
            fixed(s.central),
            s.switching_value.map(fixed).unwrap_or_default(),
            s.within_support.to_string(),
        ]);
    }
    out.add("switching.csv", switching.into_bytes());
    out.add("assumptions.csv", assumptions_csv(&x.assumptions));
    out
}

/// The columns of `failure.csv` (and of the report's `data/failure-demand.csv`, the same table
/// under disclosure control).
pub const FAILURE_COLUMNS: [&str; 8] = [
    "agency",
    "pathway",
    "events",
    "failure_events",
    "cost",
    "failure_cost",
    "failure_cost_share",
    "failure_contact_share",
];

/// The columns of the assumptions log.
pub const ASSUMPTION_COLUMNS: [&str; 6] = ["name", "value", "source", "confidence", "set_by", "origin"];

/// One assumption as a row of [`ASSUMPTION_COLUMNS`].
#[must_use]
pub fn assumption_row(a: &crate::appraisal::Assumption) -> [String; 6] {
    [
        a.name.clone(),
        a.value.clone(),
        a.source.clone().unwrap_or_default(),
        a.confidence.map(|c| c.as_str().to_owned()).unwrap_or_default(),
        a.set_by.clone().unwrap_or_default(),
        a.origin.to_string(),
    ]
}

/// The assumptions log as CSV: [`ASSUMPTION_COLUMNS`].
fn assumptions_csv(list: &[crate::appraisal::Assumption]) -> Vec<u8> {
    let mut log = CsvTable::new(&ASSUMPTION_COLUMNS);
    for a in list {
        log.row(assumption_row(a));
    }
    log.into_bytes()
}

/// The columns of journeycost's catalogue CSV, in the order written.
pub const CATALOGUE_COLUMNS: [&str; 17] = [
    "code",
    "agency",
    "agency_detail",
    "description",
    "unit_cost",
    "price_year",
    "unit",
    "source",
    "confidence",
    "tier",
    "demand",
    "cashable",
    "economic_value",
    "economic_price_year",
    "social_value",
    "social_price_year",
    "theme",
];

/// Unit costs as journeycost's catalogue CSV (every column of the format, empty when unset),
/// readable by [`read_catalogue`](crate::io::read_catalogue).
#[must_use]
pub fn catalogue_csv<'a>(entries: impl IntoIterator<Item = &'a UnitCost>) -> Vec<u8> {
    let mut t = CsvTable::new(&CATALOGUE_COLUMNS);
    let text = |o: &Option<String>| o.clone().unwrap_or_default();
    let amount = |a: Option<Amount>| {
        a.map_or((String::new(), String::new()), |a| (a.amount.to_string(), a.price_year.to_string()))
    };
    for u in entries {
        let (ev, ey) = amount(u.economic);
        let (sv, sy) = amount(u.social);
        t.row([
            u.code.clone(),
            u.agency.clone(),
            text(&u.agency_detail),
            text(&u.description),
            u.unit_cost.to_string(),
            u.price_year.to_string(),
            u.unit.as_str().to_owned(),
            text(&u.source),
            u.confidence.map(|c| c.as_str().to_owned()).unwrap_or_default(),
            u.tier.map(|t| t.level().to_string()).unwrap_or_default(),
            u.demand.map(|d| d.as_str().to_owned()).unwrap_or_default(),
            u.cashable.map(|c| c.to_string()).unwrap_or_default(),
            ev,
            ey,
            sv,
            sy,
            text(&u.theme),
        ]);
    }
    t.into_bytes()
}

/// A float statistic printed with six decimals, with a negative zero printed as zero.
fn fixed(x: f64) -> String {
    fixed_places(x, 6)
}

/// A float printed with `places` decimals (Rust's correctly rounded formatting), never `-0`.
fn fixed_places(x: f64, places: usize) -> String {
    let s = format!("{x:.places$}");
    if s.strip_prefix('-').is_some_and(|r| r.bytes().all(|b| b == b'0' || b == b'.')) { s[1..].to_owned() } else { s }
}

#[cfg(test)]
mod tests {
    use super::fixed;

    #[test]
    fn fixed_never_prints_negative_zero() {
        assert_eq!(fixed(-0.000_000_1), "0.000000");
        assert_eq!(fixed(-1.5), "-1.500000");
        assert_eq!(fixed(2.0), "2.000000");
    }
}

#[cfg(test)]
mod catalogue_tests {
    use super::catalogue_csv;
    use crate::io::read_catalogue;

    #[test]
    fn catalogue_csv_round_trips() {
        let csv = "code,agency,unit_cost,price_year,unit,tier,demand,cashable,confidence,description,economic_value,economic_price_year\n\
                   CR1.0,Police,500.0,2002/03,event,4,failure,false,R,\"Anti-social behaviour, incident\",12.5,2010\n";
        let first = read_catalogue("c.csv", csv.as_bytes()).unwrap().catalogue;
        let written = catalogue_csv(first.entries());
        let second = read_catalogue("again.csv", written.as_slice()).unwrap().catalogue;
        assert_eq!(first.entries(), second.entries());
        assert_eq!(catalogue_csv(second.entries()), written);
    }
}
