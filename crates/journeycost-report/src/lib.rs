//! Reproducible reports of journeycost results: one self-contained HTML file with inline SVG
//! charts, a Markdown report with the same numbers and the charts as SVG files, the data behind
//! every chart and table as CSV, and `results.json`.
//!
//! A report is a pure function of its inputs, its options and its pseudonym key:
//! - there is no timestamp unless one is asked for;
//! - numbers come from the library's exact results;
//! - charts are drawn without reading font files.
//!
//! It carries:
//! - the inputs' SHA-256;
//! - the journeycost version;
//! - the price base;
//! - the catalogue's attribution;
//! - the assumptions log;
//! - a statement of its disclosure control (see [`disclosure`]).
//!
//! Templates use minijinja, which escapes by default: HTML in `.html` templates, Markdown in
//! `.md` templates. A user can supply a directory holding their own `index.html.j2` and/or
//! `report.md.j2`; the built-in ones are used otherwise.
#![forbid(unsafe_code)]

pub mod charts;
pub mod disclosure;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use journeycost::appraisal::Appraisal;
use journeycost::appraisal::{AppraisalSpec, appraise};
use journeycost::catalogue::DemandKind;
use journeycost::catalogue::ValueType;
use journeycost::compare::{CompareOptions, Comparison, compare, tier_label};
use journeycost::error::{Error, Location, ProblemKind};
use journeycost::extrapolate::Extrapolation;
use journeycost::extrapolate::ExtrapolationPlan;
use journeycost::io::{CsvTable, InputDigest, InputPaths, Inputs, OutputSet};
use journeycost::ledger::Ledger;
use journeycost::money::Money;
use journeycost::output::VERSION;
use journeycost::period::PeriodKind;
use journeycost::prices::PriceYear;
use serde::Serialize;

use crate::charts::{BLUE, GREEN, RED, Series};
use crate::disclosure::{Pseudonymiser, Suppressor};

/// The built-in HTML template.
pub const HTML_TEMPLATE: &str = include_str!("templates/index.html.j2");
/// The built-in Markdown template.
pub const MARKDOWN_TEMPLATE: &str = include_str!("templates/report.md.j2");
/// The schema identifier of `results.json`.
pub const RESULTS_SCHEMA: &str = "journeycost/report/1";

/// How to build a report.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// The report's title.
    pub title: String,
    /// Baseline, alternative and period.
    pub compare: CompareOptions,
    /// The person whose lines are drawn on their own; default: the person with the median
    /// saving (the first in byte order of id among equals).
    pub person: Option<String>,
    /// The pseudonym key; `None` draws a random key for this report only.
    pub key: Option<Vec<u8>>,
    /// Counts below this in published tables are suppressed; 0 turns suppression off.
    pub suppress_below: u64,
    /// A directory of templates overriding the built-in ones.
    pub template_dir: Option<PathBuf>,
    /// A timestamp to print, only when the user asks for one.
    pub timestamp: Option<String>,
    /// Attribution lines for the data used (catalogue, price index, sources).
    pub attribution: Vec<String>,
    /// Publish the free-text notes of the events (left out unless asked for).
    pub include_notes: bool,
}

impl Default for ReportOptions {
    fn default() -> ReportOptions {
        ReportOptions {
            title: "journeycost report".to_owned(),
            compare: CompareOptions { period: PeriodKind::Quarter, ..CompareOptions::default() },
            person: None,
            key: None,
            suppress_below: 5,
            template_dir: None,
            timestamp: None,
            attribution: Vec::new(),
            include_notes: false,
        }
    }
}

/// The results a report is made from.
#[derive(Debug, Clone, Copy)]
pub struct ReportData<'a> {
    /// The costed ledger.
    pub ledger: &'a Ledger,
    /// Provenance of the inputs.
    pub inputs: &'a [InputDigest],
    /// An appraisal, when the scenario has one.
    pub appraisal: Option<&'a Appraisal>,
    /// An extrapolation, when the scenario has one.
    pub extrapolation: Option<&'a Extrapolation>,
    /// The events, needed only to publish their notes when asked.
    pub journeys: Option<&'a journeycost::journey::Journeys>,
}

/// The inputs and analyses of a report, as a scenario (and the command line) resolve them.
#[derive(Debug, Clone, Copy)]
pub struct ReportJob<'a> {
    /// The input files.
    pub paths: &'a InputPaths,
    /// The price base; default the latest year of the price index.
    pub price_year: Option<PriceYear>,
    /// The value types counted.
    pub values: &'static [ValueType],
    /// The appraisal to include, if any.
    pub appraisal: Option<&'a AppraisalSpec>,
    /// The extrapolation to include, if any.
    pub extrapolation: Option<&'a ExtrapolationPlan>,
    /// Threads for the extrapolation; default: every core (the result does not depend on it).
    pub threads: Option<usize>,
}

/// Loads the inputs of `job`, costs, compares, appraises and extrapolates them, and renders
/// the report. The attribution of built-in data used (the Unit Cost Database, the HM Treasury
/// deflator) is added to `opts.attribution`.
///
/// # Errors
/// Every problem of the inputs, or of the analyses.
pub fn build_report(job: &ReportJob<'_>, mut opts: ReportOptions) -> Result<OutputSet, Error> {
    let inputs = Inputs::load(job.paths, job.price_year)?;
    let ledger = Ledger::build_with(&inputs.journeys, &inputs.catalogue, &inputs.index, inputs.price_base, job.values)?;
    let appraisal = job.appraisal.map(|spec| appraise(&ledger, &inputs.catalogue, spec)).transpose()?;
    let extrapolation = match job.extrapolation {
        Some(plan) => {
            let c = compare(&ledger, &opts.compare, None)?;
            let spec = plan.resolve(&c.persons, inputs.persons.as_ref())?;
            let threads = job.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get));
            Some(journeycost::extrapolate::extrapolate(&spec, threads, None)?)
        }
        None => None,
    };
    let digests = journeycost::io::digests_at(job.paths, ledger.price_base())?;
    if job.paths.catalogue.is_empty() || job.paths.catalogue.iter().any(|c| c.as_os_str() == journeycost::io::BUILTIN) {
        opts.attribution.push(journeycost::builtin::UCD_ATTRIBUTION.to_owned());
    }
    match job.paths.deflators.as_deref().map(|p| p.to_str().and_then(journeycost::builtin::price_index_named)) {
        None => opts.attribution.push(journeycost::builtin::HMT_DEFLATOR_ATTRIBUTION.to_owned()),
        Some(Some((_, _, attribution))) => opts.attribution.push(attribution.to_owned()),
        Some(None) => {}
    }
    let data = ReportData {
        ledger: &ledger,
        inputs: &digests,
        appraisal: appraisal.as_ref(),
        extrapolation: extrapolation.as_ref(),
        journeys: Some(&inputs.journeys),
    };
    render(data, &opts)
}

/// The red and blue lines of a comparison as an SVG chart: the cumulative cost of the baseline
/// (red) and of the alternative (blue), with break-even marked. `who` names whose lines they
/// are in the title.
#[must_use]
pub fn red_blue_chart(c: &Comparison, baseline: &str, alternative: &str, who: &str) -> String {
    let (labels, old, new) = cumulative(c, baseline, alternative);
    let marker = c.break_even.and_then(|p| labels.iter().position(|l| *l == p.to_string())).map(|i| (i, "break-even"));
    charts::lines(
        &format!("Cumulative cost, {who}: old way (red) and new way (blue)"),
        &labels,
        &[
            Series { label: format!("{baseline} (old way)"), color: RED, values: old },
            Series { label: format!("{alternative} (new way)"), color: BLUE, values: new },
        ],
        marker,
        &[],
        true,
    )
}

#[derive(Serialize)]
struct Model {
    schema: &'static str,
    title: String,
    version: &'static str,
    timestamp: Option<String>,
    price_base: String,
    value_types: String,
    inputs: Vec<InputDigest>,
    attribution: Vec<String>,
    disclosure: Disclosure,
    baseline: String,
    alternative: String,
    period: String,
    persons: usize,
    totals: Totals,
    person: PersonModel,
    agencies: Vec<Row>,
    tiers: Vec<Row>,
    failure: Vec<Row>,
    trend: Vec<Row>,
    savings: Row,
    appraisal: Option<Row>,
    who_pays: Vec<Row>,
    extrapolation: Option<Row>,
    tornado: Vec<Row>,
    assumptions: Vec<Row>,
    notes: Vec<Row>,
    charts: Vec<Chart>,
}

/// A table row for the templates: column name to printed value, in column order.
type Row = BTreeMap<&'static str, String>;

#[derive(Serialize)]
struct Disclosure {
    pseudonyms: &'static str,
    suppression: String,
    notes: &'static str,
}

#[derive(Serialize)]
struct Totals {
    baseline: String,
    alternative: String,
    saving: String,
    saving_share: String,
    break_even: String,
}

#[derive(Serialize)]
struct PersonModel {
    /// False when disclosure control is on: one person's own journey is not published.
    published: bool,
    pseudonym: String,
    baseline: String,
    alternative: String,
    saving: String,
    break_even: String,
}

#[derive(Serialize)]
struct Chart {
    id: &'static str,
    title: String,
    file: String,
    data: String,
    #[serde(skip)]
    svg: String,
}

fn problem(message: impl Into<String>) -> Error {
    Error::new(Location::source("report"), ProblemKind::Scenario, message)
}

fn percent(d: Option<journeycost::Decimal>) -> String {
    d.map_or_else(
        || "n/a".to_owned(),
        |s| {
            let mut p = (s * journeycost::Decimal::ONE_HUNDRED).round_dp_with_strategy(1, journeycost::money::PENNY_ROUNDING);
            p.rescale(1);
            format!("{p}%")
        },
    )
}

/// Builds the report's files: `index.html`, `report.md`, `results.json`, `charts/*.svg` and
/// `data/*.csv`.
///
/// # Errors
/// The comparison's errors (a pathway or person with no events), and template errors (a
/// user template that does not parse or render).
pub fn render(data: ReportData<'_>, opts: &ReportOptions) -> Result<OutputSet, Error> {
    let ledger = data.ledger;
    let cohort = compare(ledger, &opts.compare, None)?;
    let pseudo = Pseudonymiser::new(opts.key.as_deref());
    let mut sup = Suppressor::new(opts.suppress_below);
    if sup.on() && (cohort.savings.persons as u64) < sup.threshold {
        return Err(problem(format!(
            "the cohort has {} people, fewer than the suppression threshold of {}: a report on it would identify them \
             (--suppress-below 0 is for illustrative data only)",
            cohort.savings.persons, sup.threshold
        )));
    }

    // The highlighted person: as asked, or the one with the median saving.
    let person_id = if let Some(p) = &opts.person {
        p.clone()
    } else {
        let mut ps: Vec<&journeycost::compare::PersonRow> = cohort.persons.iter().collect();
        ps.sort_by(|a, b| a.saving.cmp(&b.saving).then(a.person_id.cmp(&b.person_id)));
        ps.get(ps.len().saturating_sub(1) / 2).map(|p| p.person_id.clone()).ok_or_else(|| problem("there is no person to report on"))?
    };
    let pid = ledger.person_id(&person_id).ok_or_else(|| problem(format!("person {person_id:?} has no events")))?;
    let mut mask = vec![false; ledger.persons().len()];
    mask[pid as usize] = true;
    let one = compare(ledger, &opts.compare, Some(&mask))?;
    let alias = pseudo.pseudonym(&person_id);

    let mut files = OutputSet::new();
    let mut charts = Vec::new();
    let base = &opts.compare.baseline;
    let alt = &opts.compare.alternative;

    // The red and blue lines, for the cohort and (without disclosure control) for one person.
    let mut lines_of: Vec<(&'static str, &Comparison, String)> = vec![("red-blue-cohort", &cohort, "the cohort".to_owned())];
    if !sup.on() {
        lines_of.push(("red-blue-person", &one, alias.clone()));
    }
    for (id, c, who) in lines_of {
        // A pathway with a suppressed period publishes no running total, which would reveal it.
        let hidden: Vec<bool> = [base, alt].iter().map(|p| c.series.iter().any(|s| &s.pathway == *p && sup.hides(s.events))).collect();
        let svg = if hidden.iter().any(|h| *h) {
            String::from(
                "<p class=\"withheld\">Chart withheld: it would show values resting on counts small enough to identify people.</p>",
            )
        } else {
            red_blue_chart(c, base, alt, &who)
        };
        let mut t = CsvTable::new(&["pathway", "period", "events", "cost", "cumulative_cost"]);
        for s in &c.series {
            let pathway_hidden = (&s.pathway == base && hidden[0]) || (&s.pathway == alt && hidden[1]);
            let (e, cost) = sup.cell(s.events, &s.cost.to_string());
            let cumulative = if pathway_hidden { sup.value(1, &s.cumulative_cost.to_string()) } else { s.cumulative_cost.to_string() };
            t.row([s.pathway.clone(), s.period.to_string(), e, cost, cumulative]);
        }
        let title = format!("Cumulative cost, {who}: old way (red) and new way (blue)");
        charts.push(chart(&mut files, id, title, svg, t));
    }

    // Who pays, who saves: an agency's costs rest on its event counts on each side.
    let counts_by_agency = ledger.aggregate(opts.compare.period, |l, _| {
        let side = if ledger.pathway_id(base) == Some(l.pathway) {
            0u8
        } else if ledger.pathway_id(alt) == Some(l.pathway) {
            1
        } else {
            return None;
        };
        let name = &ledger.agencies()[l.agency as usize];
        let label = match (opts.compare.agency_detail, ledger.agency_detail(l.entry)) {
            (true, Some(d)) => format!("{name} / {d}"),
            _ => name.clone(),
        };
        Some((label, side))
    });
    let events_of = |agency: &str, side: u8| counts_by_agency.get(&(agency.to_owned(), side)).map_or(0, |t| t.events);
    // Secondary suppression: a column with exactly one suppressed agency also hides the agency
    // with the next fewest events, so the total does not give the suppressed one away.
    let mut agency_counts: Vec<[u64; 2]> = cohort.agencies.iter().map(|a| [events_of(&a.agency, 0), events_of(&a.agency, 1)]).collect();
    for side in 0..2 {
        if agency_counts.iter().filter(|c| sup.hides(c[side])).count() == 1 {
            if let Some(next) = agency_counts.iter_mut().filter(|c| c[side] >= sup.threshold).min_by_key(|c| c[side]) {
                next[side] = 1; // counted as small from here on
            }
        }
    }
    let mut t = CsvTable::new(&["agency", "baseline_cost", "alternative_cost", "saving"]);
    let mut agencies = Vec::new();
    let mut hidden_agencies = std::collections::BTreeSet::new();
    for (a, [nb, na]) in cohort.agencies.iter().zip(agency_counts) {
        let b = sup.value(nb, &a.baseline_cost.to_string());
        let al = sup.value(na, &a.alternative_cost.to_string());
        let saving = if sup.hides(nb) || sup.hides(na) {
            hidden_agencies.insert(a.agency.clone());
            sup.value(1, "")
        } else {
            a.saving.to_string()
        };
        t.row([a.agency.clone(), b.clone(), al.clone(), saving.clone()]);
        agencies.push(row(&[("agency", a.agency.clone()), ("baseline", b), ("alternative", al), ("saving", saving)]));
    }
    let agency_totals_hidden = !hidden_agencies.is_empty();
    let mut bars: Vec<(String, f64)> = cohort.agencies.iter().map(|a| (a.agency.clone(), a.saving.to_f64())).collect();
    bars.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    let svg = if agency_totals_hidden {
        String::from("<p class=\"withheld\">Chart withheld: it would show values resting on counts small enough to identify people.</p>")
    } else {
        charts::diverging_bars("Who saves (green) and who pays more (red): saving by agency", &bars, GREEN, RED)
    };
    charts.push(chart(&mut files, "who-pays", "Saving by agency".to_owned(), svg, t));

    // Demand over time, with trend lines: the "seven typical cases" chart.
    let (labels, old_n, new_n) = counts(&cohort, base, alt);
    let hidden = old_n.iter().chain(&new_n).any(|n| sup.hides(*n as u64));
    let mut t = CsvTable::new(&["period", "baseline_events", "alternative_events"]);
    for (i, l) in labels.iter().enumerate() {
        let (a, _) = sup.cell(old_n[i] as u64, "");
        let (b, _) = sup.cell(new_n[i] as u64, "");
        t.row([l.clone(), a, b]);
    }
    let trend_of = |name: &str| cohort.trend.iter().find(|t| t.pathway == name).map(|t| (t.slope, t.intercept));
    let svg = if hidden {
        String::from("<p class=\"withheld\">Chart withheld: it would show counts small enough to identify people.</p>")
    } else {
        let trends: Vec<_> =
            [(RED, trend_of(base)), (BLUE, trend_of(alt))].into_iter().filter_map(|(c, t)| t.map(|(s, i)| (c, s, i))).collect();
        charts::lines(
            "Demand over time: events per period, with trend lines",
            &labels,
            &[
                Series { label: format!("{base} (old way)"), color: RED, values: old_n },
                Series { label: format!("{alt} (new way)"), color: BLUE, values: new_n },
            ],
            None,
            &trends,
            false,
        )
    };
    charts.push(chart(&mut files, "demand-over-time", "Demand over time".to_owned(), svg, t));

    // The triangle of need.
    let mut t = CsvTable::new(&["pathway", "tier", "events", "cost"]);
    let mut tiers = Vec::new();
    let mut pyramid: Vec<(String, f64, f64)> = Vec::new();
    for level in ["1", "2", "3", "4", "unassigned"] {
        let get = |p: &str| cohort.tiers.iter().find(|r| r.pathway == p && tier_label(r.tier) == level);
        let (o, n) = (get(base), get(alt));
        let name = match level {
            "1" => "1 universal",
            "2" => "2 early help",
            "3" => "3 specialist",
            "4" => "4 crisis",
            _ => "unassigned",
        };
        if level != "unassigned" || o.is_some_and(|r| r.events > 0) || n.is_some_and(|r| r.events > 0) {
            pyramid.push((name.to_owned(), o.map_or(0.0, |r| r.cost.to_f64()), n.map_or(0.0, |r| r.cost.to_f64())));
        }
        for r in [o, n].into_iter().flatten() {
            let (e, c) = sup.cell(r.events, &r.cost.to_string());
            t.row([r.pathway.clone(), level.to_owned(), e.clone(), c.clone()]);
            tiers.push(row(&[("pathway", r.pathway.clone()), ("tier", name.to_owned()), ("events", e), ("cost", c)]));
        }
    }
    let tier_events: Vec<(String, f64, f64)> = ["1", "2", "3", "4"]
        .iter()
        .zip(["1 universal", "2 early help", "3 specialist", "4 crisis"])
        .map(|(level, name)| {
            let get =
                |p: &str| cohort.tiers.iter().find(|r| r.pathway == p && tier_label(r.tier) == *level).map_or(0.0, |r| r.events as f64);
            (name.to_owned(), get(base), get(alt))
        })
        .collect();
    let tiers_hidden = cohort.tiers.iter().any(|r| sup.hides(r.events));
    let events_svg = if tiers_hidden {
        String::from("<p class=\"withheld\">Chart withheld: it would show counts small enough to identify people.</p>")
    } else {
        charts::pyramid_counts("The triangle of need: events by tier (crisis at the top)", &tier_events)
    };
    let mut events_table = CsvTable::new(&["tier", "baseline_events", "alternative_events"]);
    for (name, o, n) in &tier_events {
        let (o, _) = sup.cell(*o as u64, "");
        let (n, _) = sup.cell(*n as u64, "");
        events_table.row([name.clone(), o, n]);
    }
    charts.push(chart(&mut files, "triangle-events", "The triangle of need: events".to_owned(), events_svg, events_table));
    let svg = if tiers_hidden {
        String::from("<p class=\"withheld\">Chart withheld: it would show values resting on counts small enough to identify people.</p>")
    } else {
        charts::pyramid("The triangle of need: cost by tier (crisis at the top)", &pyramid)
    };
    charts.push(chart(&mut files, "triangle", "The triangle of need".to_owned(), svg, t));

    // Failure demand by agency.
    let before = sup.suppressed;
    let (failure, t, bars, contact_bars) = failure_by_agency(ledger, &opts.compare, &mut sup);
    let withheld = sup.suppressed > before;
    let (svg, contacts_svg) = if withheld {
        let w = String::from(
            "<p class=\"withheld\">Chart withheld: it would show values resting on counts small enough to identify people.</p>",
        );
        (w.clone(), w)
    } else {
        (
            charts::paired_bars("Failure demand: share of each agency's cost", &bars, 1.0, true),
            charts::paired_bars("Failure demand: share of each agency's contacts", &contact_bars, 1.0, true),
        )
    };
    let mut contacts_table = CsvTable::new(&["agency", "baseline_failure_contact_share", "alternative_failure_contact_share"]);
    for (a, o, n) in &contact_bars {
        let shown = |v: f64| if withheld { disclosure::SUPPRESSED.to_owned() } else { format!("{v:.4}") };
        contacts_table.row([a.clone(), shown(*o), shown(*n)]);
    }
    charts.push(chart(&mut files, "failure-demand", "Failure demand by agency".to_owned(), svg, t));
    charts.push(chart(&mut files, "failure-contacts", "Failure demand by agency: contacts".to_owned(), contacts_svg, contacts_table));

    // Appraisal and extrapolation, when present.
    let mut who_pays = Vec::new();
    let appraisal = data.appraisal.map(|a| {
        for r in &a.who_pays {
            let hide = hidden_agencies.contains(&r.agency);
            let shown = |m: &Money| if hide { disclosure::SUPPRESSED.to_owned() } else { m.to_string() };
            who_pays.push(row(&[
                ("agency", r.agency.clone()),
                ("cost_borne", r.cost_borne.to_string()),
                ("saving_received", shown(&r.saving_received)),
                ("net", shown(&r.net)),
            ]));
        }
        let mut borne: Vec<(String, f64)> =
            a.who_pays.iter().filter(|r| !r.cost_borne.is_zero()).map(|r| (r.agency.clone(), -r.cost_borne.to_f64())).collect();
        borne.sort_by(|x, y| x.1.total_cmp(&y.1).then(x.0.cmp(&y.0)));
        let svg = charts::diverging_bars("Intervention cost borne by agency (present value)", &borne, GREEN, RED);
        let mut t = CsvTable::new(&["agency", "cost_borne", "saving_received", "net"]);
        for r in &a.who_pays {
            let hide = hidden_agencies.contains(&r.agency);
            let shown = |m: &Money| if hide { disclosure::SUPPRESSED.to_owned() } else { m.to_string() };
            t.row([r.agency.clone(), r.cost_borne.to_string(), shown(&r.saving_received), shown(&r.net)]);
        }
        charts.push(chart(&mut files, "intervention-cost", "Intervention cost by agency".to_owned(), svg, t));
        let labels: Vec<String> = a.years.iter().map(|y| y.year.clone()).collect();
        let values: Vec<f64> = a.years.iter().map(|y| y.cumulative_discounted_net.to_f64()).collect();
        let marker = a.payback.as_ref().and_then(|p| labels.iter().position(|l| l == p)).map(|i| (i, "payback"));
        let svg = charts::lines(
            "Cumulative discounted net benefit",
            &labels,
            &[Series { label: "net present value to date".into(), color: GREEN, values }],
            marker,
            &[],
            true,
        );
        let mut t = CsvTable::new(&["year", "benefit", "cost", "discounted_net", "cumulative_discounted_net"]);
        for y in &a.years {
            t.row([
                y.year.clone(),
                y.benefit.to_string(),
                y.cost.to_string(),
                y.discounted_net.to_string(),
                y.cumulative_discounted_net.to_string(),
            ]);
        }
        charts.push(chart(&mut files, "appraisal", "Appraisal: cumulative discounted net benefit".to_owned(), svg, t));
        let ratio = |r: Option<journeycost::Decimal>| r.map_or_else(|| "n/a".to_owned(), |v| v.to_string());
        row(&[
            ("schedule", a.schedule.clone()),
            ("base_year", a.base_year.clone()),
            ("pv_benefits", a.pv_benefits.to_string()),
            ("pv_gross_benefits", a.pv_gross_benefits.to_string()),
            ("pv_costs", a.pv_costs.to_string()),
            ("npv", a.npv.to_string()),
            ("bcr", ratio(a.bcr)),
            ("roi", ratio(a.roi)),
            ("payback", a.payback.clone().unwrap_or_else(|| "not within the horizon".to_owned())),
        ])
    });
    let mut tornado_rows = Vec::new();
    let extrapolation = data.extrapolation.map(|x| {
        let bins: Vec<(f64, f64, u64)> = x.histogram.iter().map(|b| (b.from, b.to, b.count)).collect();
        let label = x.threshold.map(charts::short_money);
        let svg = charts::histogram("National net annual saving: distribution of the draws", &bins, x.threshold.zip(label.as_deref()));
        let mut t = CsvTable::new(&["from", "to", "count"]);
        for b in &x.histogram {
            t.row([format!("{:.2}", b.from), format!("{:.2}", b.to), b.count.to_string()]);
        }
        charts.push(chart(&mut files, "extrapolation", "Extrapolation: distribution".to_owned(), svg, t));
        let top: Vec<(String, f64, f64)> =
            x.tornado.iter().take(10).map(|r| (format!("{}: {}", r.parameter, r.segment), r.saving_at_low, r.saving_at_high)).collect();
        let svg = charts::tornado("One-way sensitivity: national net annual saving", &top, x.central.net_annual);
        let mut t = CsvTable::new(&["segment", "parameter", "low", "high", "saving_at_low", "saving_at_high", "swing"]);
        for r in &x.tornado {
            t.row([
                r.segment.clone(),
                r.parameter.clone(),
                r.low.to_string(),
                r.high.to_string(),
                format!("{:.2}", r.saving_at_low),
                format!("{:.2}", r.saving_at_high),
                format!("{:.2}", r.swing),
            ]);
            tornado_rows.push(row(&[
                ("segment", r.segment.clone()),
                ("parameter", r.parameter.clone()),
                ("swing", charts::short_money(r.swing)),
            ]));
        }
        charts.push(chart(&mut files, "tornado", "Extrapolation: tornado".to_owned(), svg, t));
        let p = |q: f64| {
            x.net_annual
                .percentiles
                .iter()
                .find(|(k, _)| (*k - q).abs() < 1e-9)
                .map_or_else(|| "n/a".to_owned(), |(_, v)| charts::short_money(*v))
        };
        row(&[
            ("draws", x.draws.to_string()),
            ("seed", x.seed.to_string()),
            ("median", charts::short_money(x.net_annual.median)),
            ("mean", charts::short_money(x.net_annual.mean)),
            ("p5", p(5.0)),
            ("p95", p(95.0)),
            ("gross_median", charts::short_money(x.gross_annual.median)),
            ("prob_below_zero", format!("{:.1}%", x.net_annual.prob_below_zero * 100.0)),
            ("prob_below_threshold", x.net_annual.prob_below_threshold.map_or_else(|| "n/a".to_owned(), |v| format!("{:.1}%", v * 100.0))),
        ])
    });
    let assumptions = data
        .appraisal
        .map(|a| a.assumptions.as_slice())
        .unwrap_or_default()
        .iter()
        .chain(data.extrapolation.map(|x| x.assumptions.as_slice()).unwrap_or_default())
        .map(|a| {
            row(&[
                ("name", a.name.clone()),
                ("value", a.value.clone()),
                ("source", a.source.clone().unwrap_or_default()),
                ("confidence", a.confidence.map(|c| c.as_str().to_owned()).unwrap_or_default()),
                ("set_by", a.set_by.clone().unwrap_or_default()),
                ("origin", a.origin.to_string()),
            ])
        })
        .collect();

    // The tables that have no chart of their own: their data too.
    let mut t = CsvTable::new(&["pathway", "periods", "slope", "intercept"]);
    for tr in &cohort.trend {
        let (slope, intercept) = if hidden {
            (disclosure::SUPPRESSED.to_owned(), disclosure::SUPPRESSED.to_owned())
        } else {
            (format!("{:.6}", tr.slope), format!("{:.6}", tr.intercept))
        };
        t.row([tr.pathway.clone(), tr.periods.to_string(), slope, intercept]);
    }
    files.add("data/trend.csv", t.into_bytes());
    let s = &cohort.savings;
    // No minimum or maximum: each is one person's saving.
    let mut t = CsvTable::new(&["persons", "persons_saving", "persons_costing_more", "mean", "p25", "median", "p75"]);
    t.row([
        s.persons.to_string(),
        sup.value(s.persons_saving as u64, &s.persons_saving.to_string()),
        sup.value(s.persons_costing_more as u64, &s.persons_costing_more.to_string()),
        s.mean.to_string(),
        s.p25.to_string(),
        s.median.to_string(),
        s.p75.to_string(),
    ]);
    files.add("data/savings-distribution.csv", t.into_bytes());
    if !assumptions_rows_empty(data) {
        let mut t = CsvTable::new(&journeycost::output::ASSUMPTION_COLUMNS);
        for a in data
            .appraisal
            .map(|a| a.assumptions.as_slice())
            .unwrap_or_default()
            .iter()
            .chain(data.extrapolation.map(|x| x.assumptions.as_slice()).unwrap_or_default())
        {
            t.row(journeycost::output::assumption_row(a));
        }
        files.add("data/assumptions.csv", t.into_bytes());
    }

    // Notes only when asked for, under pseudonyms, in a table of their own.
    let mut notes = Vec::new();
    if let (true, Some(j)) = (opts.include_notes, data.journeys) {
        let mut t = CsvTable::new(&["person", "pathway", "date", "code", "note"]);
        let mut rows: Vec<(String, String, String, String, String)> = (0..j.len())
            .map(|i| j.get(i))
            .filter_map(|e| e.note.clone().map(|n| (pseudo.pseudonym(&e.person), e.pathway.clone(), e.date.to_string(), e.code.clone(), n)))
            .collect();
        rows.sort();
        for (p, pw, d, c, n) in rows {
            t.row([p.clone(), pw.clone(), d.clone(), c.clone(), n.clone()]);
            notes.push(row(&[("person", p), ("pathway", pw), ("date", d), ("code", c), ("note", n)]));
        }
        files.add("data/notes.csv", t.into_bytes());
    }

    let trend = cohort
        .trend
        .iter()
        .map(|t| {
            // A trend line through suppressed counts would give them back: withheld with them.
            let slope = if hidden { disclosure::SUPPRESSED.to_owned() } else { format!("{:.3}", t.slope) };
            let dir = if hidden { disclosure::SUPPRESSED.to_owned() } else { direction(t.slope).to_owned() };
            row(&[("pathway", t.pathway.clone()), ("periods", t.periods.to_string()), ("slope", slope), ("direction", dir)])
        })
        .collect();
    let s = &cohort.savings;
    let savings = row(&[
        ("persons", s.persons.to_string()),
        ("persons_saving", s.persons_saving.to_string()),
        ("persons_costing_more", s.persons_costing_more.to_string()),
        ("mean", s.mean.to_string()),
        ("median", s.median.to_string()),
        ("p25", s.p25.to_string()),
        ("p75", s.p75.to_string()),
    ]);
    let model = Model {
        schema: RESULTS_SCHEMA,
        title: opts.title.clone(),
        version: VERSION,
        timestamp: opts.timestamp.clone(),
        price_base: cohort.price_base.to_string(),
        value_types: ledger.value_types().iter().map(|t| t.as_str()).collect::<Vec<_>>().join(" + "),
        inputs: data.inputs.to_vec(),
        attribution: opts.attribution.clone(),
        disclosure: Disclosure {
            pseudonyms: if pseudo.keyed {
                "person ids are replaced by keyed pseudonyms: the same key gives the same pseudonyms"
            } else {
                "person ids are replaced by pseudonyms under a random key drawn for this report and not kept: give a key to regenerate it byte for byte"
            },
            suppression: sup.statement(),
            notes: if opts.include_notes {
                "Free-text notes are included, as asked for (--include-notes): they can identify people, so read every one before publishing."
            } else {
                "Free-text notes are left out."
            },
        },
        baseline: base.clone(),
        alternative: alt.clone(),
        period: opts.compare.period.to_string(),
        persons: s.persons,
        totals: Totals {
            baseline: cohort.total.baseline_cost.to_string(),
            alternative: cohort.total.alternative_cost.to_string(),
            saving: cohort.total.saving.to_string(),
            saving_share: percent(cohort.saving_share),
            break_even: cohort.break_even.map_or_else(|| "never".to_owned(), |p| p.to_string()),
        },
        person: if sup.on() {
            PersonModel {
                published: false,
                pseudonym: String::new(),
                baseline: String::new(),
                alternative: String::new(),
                saving: String::new(),
                break_even: String::new(),
            }
        } else {
            PersonModel {
                published: true,
                pseudonym: alias,
                baseline: one.total.baseline_cost.to_string(),
                alternative: one.total.alternative_cost.to_string(),
                saving: one.total.saving.to_string(),
                break_even: one.break_even.map_or_else(|| "never".to_owned(), |p| p.to_string()),
            }
        },
        agencies,
        tiers,
        failure,
        trend,
        savings,
        appraisal,
        who_pays,
        extrapolation,
        tornado: tornado_rows,
        assumptions,
        notes,
        charts,
    };

    let env = environment(opts.template_dir.as_deref())?;
    let render = |name: &str, inline: bool| -> Result<String, Error> {
        let charts: BTreeMap<&str, String> =
            model.charts.iter().map(|c| (c.id, if inline { c.svg.clone() } else { c.file.clone() })).collect();
        env.get_template(name)
            .and_then(|t| t.render(minijinja::context! { r => &model, svg => minijinja::Value::from_serialize(&charts) }))
            .map_err(|e| problem(format!("template {name}: {e}")))
    };
    let html = render("index.html.j2", true)?;
    let markdown = render("report.md.j2", false)?;
    files.add("index.html", html.into_bytes());
    files.add("report.md", markdown.into_bytes());
    let mut json = serde_json::to_vec_pretty(&model).unwrap_or_default();
    json.push(b'\n');
    files.add("results.json", json);
    Ok(files)
}

fn assumptions_rows_empty(data: ReportData<'_>) -> bool {
    data.appraisal.is_none_or(|a| a.assumptions.is_empty()) && data.extrapolation.is_none_or(|x| x.assumptions.is_empty())
}

fn direction(slope: f64) -> &'static str {
    if slope > 1e-9 {
        "rising"
    } else if slope < -1e-9 {
        "falling"
    } else {
        "flat"
    }
}

fn row(cells: &[(&'static str, String)]) -> Row {
    cells.iter().cloned().collect()
}

/// Adds a chart's SVG and data to the files and returns its entry.
fn chart(files: &mut OutputSet, id: &'static str, title: String, svg: String, data: CsvTable) -> Chart {
    let file = format!("charts/{id}.svg");
    let data_file = format!("data/{id}.csv");
    if svg.starts_with("<svg") {
        files.add(file.clone(), svg.clone().into_bytes());
    }
    files.add(data_file.clone(), data.into_bytes());
    Chart { id, title, file, data: data_file, svg }
}

/// Period labels and the two cumulative lines.
fn cumulative(c: &Comparison, base: &str, alt: &str) -> (Vec<String>, Vec<f64>, Vec<f64>) {
    let of = |p: &str| c.series.iter().filter(|s| s.pathway == p).map(|s| s.cumulative_cost.to_f64()).collect::<Vec<f64>>();
    let labels = c.series.iter().filter(|s| s.pathway == base).map(|s| s.period.to_string()).collect();
    (labels, of(base), of(alt))
}

/// Period labels and the two event-count lines.
fn counts(c: &Comparison, base: &str, alt: &str) -> (Vec<String>, Vec<f64>, Vec<f64>) {
    let of = |p: &str| c.series.iter().filter(|s| s.pathway == p).map(|s| s.events as f64).collect::<Vec<f64>>();
    let labels = c.series.iter().filter(|s| s.pathway == base).map(|s| s.period.to_string()).collect();
    (labels, of(base), of(alt))
}

/// Failure demand's share of cost and of contacts by agency, old way and new way.
type Bars = Vec<(String, f64, f64)>;

fn failure_by_agency(ledger: &Ledger, opts: &CompareOptions, sup: &mut Suppressor) -> (Vec<Row>, CsvTable, Bars, Bars) {
    let base = ledger.pathway_id(&opts.baseline);
    let alt = ledger.pathway_id(&opts.alternative);
    let cells = ledger.aggregate(opts.period, |l, _| {
        let side = if Some(l.pathway) == base {
            0u8
        } else if Some(l.pathway) == alt {
            1
        } else {
            return None;
        };
        Some((l.agency, side, l.demand == Some(DemandKind::Failure)))
    });
    let mut agencies: Vec<u32> = cells.keys().map(|k| k.0).collect();
    agencies.sort_unstable();
    agencies.dedup();
    let mut t = CsvTable::new(&[
        "agency",
        "pathway",
        "events",
        "failure_events",
        "cost",
        "failure_cost",
        "failure_cost_share",
        "failure_contact_share",
    ]);
    let mut rows = Vec::new();
    let mut bars = Vec::new();
    let mut contact_bars = Vec::new();
    for a in agencies {
        let name = ledger.agencies()[a as usize].clone();
        let mut shares = [0.0f64; 2];
        let mut contact_shares = [0.0f64; 2];
        for (side, pathway) in [(0u8, &opts.baseline), (1, &opts.alternative)] {
            let get = |f: bool| cells.get(&(a, side, f)).copied().unwrap_or_default();
            let (fail, other) = (get(true), get(false));
            let (events, cost) = (fail.events + other.events, fail.cost + other.cost);
            if events == 0 {
                continue;
            }
            let share = if cost.is_zero() { None } else { fail.cost.exact().checked_div(cost.exact()) };
            shares[side as usize] = share.map_or(0.0, |s| Money::new(s).to_f64());
            contact_shares[side as usize] = fail.events as f64 / events as f64;
            let (e, c) = sup.cell(events, &cost.to_string());
            let (fe, fc) = sup.cell(fail.events, &fail.cost.to_string());
            let share_text = if sup.hides(events) || sup.hides(fail.events) {
                disclosure::SUPPRESSED.to_owned()
            } else {
                share.map_or_else(String::new, |s| format!("{:.4}", s.round_dp(4)))
            };
            // A share of contacts would reveal a suppressed count: withheld with it.
            let contacts = if sup.hides(events) || sup.hides(fail.events) {
                disclosure::SUPPRESSED.to_owned()
            } else {
                format!("{:.4}", fail.events as f64 / events as f64)
            };
            t.row([name.clone(), pathway.clone(), e.clone(), fe.clone(), c.clone(), fc.clone(), share_text.clone(), contacts.clone()]);
            rows.push(row(&[
                ("agency", name.clone()),
                ("pathway", pathway.clone()),
                ("events", e),
                ("failure_events", fe),
                ("cost", c),
                ("failure_cost", fc),
                ("failure_share", share_text),
                ("failure_contacts", contacts),
            ]));
        }
        contact_bars.push((name.clone(), contact_shares[0], contact_shares[1]));
        bars.push((name, shares[0], shares[1]));
    }
    (rows, t, bars, contact_bars)
}

/// The template environment: built-in templates, overridden by any in `dir`; HTML escaped in
/// `.html` templates and Markdown escaped in `.md` templates.
fn environment(dir: Option<&Path>) -> Result<minijinja::Environment<'static>, Error> {
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|name| {
        let lower = name.to_ascii_lowercase();
        let markdown = Path::new(lower.strip_suffix(".j2").unwrap_or(&lower)).extension().is_some_and(|e| e == "md");
        if markdown { minijinja::AutoEscape::Custom("markdown") } else { minijinja::default_auto_escape_callback(name) }
    });
    env.set_formatter(|out, state, value| {
        if let minijinja::AutoEscape::Custom("markdown") = state.auto_escape() {
            if value.is_safe() {
                out.write_str(&value.to_string())?;
            } else {
                out.write_str(&escape_markdown(&value.to_string()))?;
            }
            Ok(())
        } else {
            minijinja::escape_formatter(out, state, value)
        }
    });
    env.add_filter("money", |v: String| money_text(&v));
    for (name, builtin) in [("index.html.j2", HTML_TEMPLATE), ("report.md.j2", MARKDOWN_TEMPLATE)] {
        let source = match dir.map(|d| d.join(name)).filter(|p| p.exists()) {
            Some(path) => std::fs::read_to_string(&path).map_err(|e| {
                Error::new(Location::source(path.display().to_string()), ProblemKind::Io, format!("cannot read the template: {e}"))
            })?,
            None => builtin.to_owned(),
        };
        env.add_template_owned(name.to_owned(), source).map_err(|e| problem(format!("template {name}: {e}")))?;
    }
    Ok(env)
}

/// A money amount as printed with thousands separators: `1234567.89` reads `1,234,567.89`.
/// Anything that is not a plain amount (such as a suppressed `[c]`) is returned unchanged.
///
/// # Example
/// ```
/// assert_eq!(journeycost_report::money_text("-1234567.89"), "-1,234,567.89");
/// assert_eq!(journeycost_report::money_text("[c]"), "[c]");
/// ```
#[must_use]
pub fn money_text(s: &str) -> String {
    let (sign, body) = s.strip_prefix('-').map_or(("", s), |b| ("-", b));
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + int.len() / 3);
    out.push_str(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() || body.contains('.') {
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// Escapes text for Markdown: characters that would start markup, and HTML.
#[must_use]
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}
