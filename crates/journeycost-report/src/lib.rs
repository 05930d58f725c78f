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
pub mod sdc;
mod tables;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use journeycost::appraisal::{Appraisal, AppraisalSpec, Linear, appraise_tally};
use journeycost::catalogue::ValueType;
use journeycost::compare::{CompareOptions, Comparison};
use journeycost::error::{Error, Location, ProblemKind};
use journeycost::extrapolate::{Extrapolation, ExtrapolationPlan};
use journeycost::io::{CsvTable, InputDigest, OutputSet};
use journeycost::journey::Persons;
use journeycost::money::Money;
use journeycost::output::VERSION;
use journeycost::period::PeriodKind;
use journeycost::run::{PART, Pass, Run, stream_into};
use serde::Serialize;

use crate::charts::{BLUE, GREEN, RED, Series};
use crate::disclosure::Pseudonymiser;

/// The built-in HTML template.
pub const HTML_TEMPLATE: &str = include_str!("templates/index.html.j2");
/// The built-in Markdown template.
pub const MARKDOWN_TEMPLATE: &str = include_str!("templates/report.md.j2");
/// The schema identifier of `results.json`.
pub const RESULTS_SCHEMA: &str = "journeycost/report/1";

/// The share of a suppressed cell's value that the audit requires its interval of possible
/// values to exceed, by default.
pub const DEFAULT_PROTECTION_MARGIN: f64 = 0.5;

/// How to build a report.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// The report's title.
    pub title: String,
    /// Baseline, alternative and period.
    pub compare: CompareOptions,
    /// The person whose lines are drawn on their own, when suppression is off; default: the
    /// person with the median saving (the first in byte order of id among equals).
    pub person: Option<String>,
    /// The pseudonym key (at least [`MIN_KEY_BYTES`](disclosure::MIN_KEY_BYTES) bytes); `None`
    /// draws a random key for this report only.
    pub key: Option<Vec<u8>>,
    /// Counts below this in published tables are suppressed; 0 turns suppression off.
    pub suppress_below: u64,
    /// A suppressed cell must not be narrowed by what the report publishes to an interval of
    /// this share of its value or less (default [`DEFAULT_PROTECTION_MARGIN`]).
    pub protection_margin: f64,
    /// A column of the persons file to break the cohort down by.
    pub by: Option<String>,
    /// A directory of templates overriding the built-in ones.
    pub template_dir: Option<PathBuf>,
    /// A timestamp to print, only when the user asks for one.
    pub timestamp: Option<String>,
    /// Attribution lines for the data used (catalogue, price index, sources).
    pub attribution: Vec<String>,
}

impl Default for ReportOptions {
    fn default() -> ReportOptions {
        ReportOptions {
            title: "journeycost report".to_owned(),
            compare: CompareOptions { period: PeriodKind::Quarter, ..CompareOptions::default() },
            person: None,
            key: None,
            suppress_below: 5,
            protection_margin: DEFAULT_PROTECTION_MARGIN,
            by: None,
            template_dir: None,
            timestamp: None,
            attribution: Vec::new(),
        }
    }
}

/// The results a report is drawn from.
struct ReportData<'a> {
    /// The comparison of the cohort.
    cohort: &'a Comparison,
    /// One person's own comparison, with their id: drawn only when suppression is off.
    person: Option<(&'a str, &'a Comparison)>,
    /// Every figure's atoms, for disclosure control.
    view: &'a tables::View,
    /// The atoms' events, money and persons (moved into the disclosure control's publication).
    atoms: Vec<sdc::LedgerAtom>,
    /// The value types counted.
    value_types: &'a [ValueType],
    /// Provenance of the inputs.
    inputs: &'a [InputDigest],
    /// An appraisal, its specification and its linearisation, when the scenario has one.
    appraisal: Option<(&'a AppraisalSpec, &'a Appraisal, &'a Linear)>,
    /// An extrapolation and its plan, when the scenario has one.
    extrapolation: Option<(&'a ExtrapolationPlan, &'a Extrapolation)>,
}

/// A rendered report: its files, and what its disclosure control did (for the analyst, not for
/// publication).
#[derive(Debug, Clone)]
pub struct Report {
    /// The files to write.
    pub files: OutputSet,
    /// Cells suppressed because they rest on few events or persons.
    pub primary: usize,
    /// Cells suppressed to protect them.
    pub secondary: usize,
    /// The audit: cells audited and the narrowest interval as a share of its cell's value.
    pub audit: sdc::Audit,
}

impl ReportOptions {
    /// The options `run` asks for: its title, comparison (by quarter unless it names a
    /// period), person, suppression threshold, breakdown and attribution; the defaults for the
    /// rest (a random key, the built-in templates, no timestamp).
    #[must_use]
    pub fn of(run: &Run) -> ReportOptions {
        let r = run.report_section();
        ReportOptions {
            title: run.title().unwrap_or("journeycost report").to_owned(),
            compare: run.compare_options(PeriodKind::Quarter),
            person: r.person.clone(),
            suppress_below: r.suppress_below.unwrap_or(5),
            by: run.compare_section().by.clone(),
            attribution: r.attribution.clone(),
            ..ReportOptions::default()
        }
    }
}

/// The report of `run`: costs, compares, appraises and extrapolates its inputs (when it asks
/// for an appraisal and an extrapolation) in one pass over the events, tallying every figure's
/// atoms for disclosure control as it goes, and renders the report as `opts` say. Memory holds
/// the tallies, never the events or the ledger. (One person's own lines, drawn only with
/// suppression off, take a second pass.) The attribution of built-in data used (the Unit Cost
/// Database, the HM Treasury deflator) is added to `opts.attribution`.
///
/// # Errors
/// Every problem of the inputs, or of the analyses; a report that disclosure control cannot
/// protect.
pub fn report(run: &Run, opts: ReportOptions) -> Result<Report, Error> {
    report_in_parts(run, opts, PART)
}

/// [`report`], costing `part` events at a time: the report is the same for any size.
fn report_in_parts(run: &Run, mut opts: ReportOptions, part: usize) -> Result<Report, Error> {
    let paths = run.paths();
    // The persons table, for the atoms' groups; a problem in it is the pass's to report, in
    // its place among the others.
    let spec = run.has_appraisal().then(|| run.appraisal_spec());
    let plan = run.extrapolation_plan();
    // One person's own lines only without disclosure control (illustrative data).
    let on = opts.suppress_below > 1;
    let mut atoms = tables::AtomTally::new(&opts.compare, opts.by.as_deref(), plan, spec.map(|s| s.basis));
    let pass = Pass { compare: Some(&opts.compare), appraisal: spec, each_person: !on, ..Pass::default() };
    let mut passed = stream_into(paths, run.price_year(), run.values(), &pass, part, Some(&mut atoms))?;
    let inputs = run.digests(passed.price_base)?;
    let cohort = passed.take_comparison(&opts.compare)?;
    let appraisal = match (spec, &passed.appraisal) {
        (Some(spec), Some(tally)) => Some((
            spec,
            appraise_tally(tally, &passed.catalogue, spec)?,
            Linear::of_tally(tally, &passed.catalogue, spec)?,
        )),
        _ => None,
    };
    let extrapolation = match plan {
        Some(plan) => {
            Some((plan, run.extrapolate_persons(&cohort.persons, passed.persons.as_ref(), inputs.clone(), None)?))
        }
        None => None,
    };
    if paths.catalogue.is_empty() || paths.catalogue.iter().any(|c| c.as_os_str() == journeycost::io::BUILTIN) {
        opts.attribution.push(journeycost::builtin::UCD_ATTRIBUTION.to_owned());
    }
    match paths.deflators.as_deref().map(|p| p.to_str().and_then(journeycost::builtin::price_index_named)) {
        None => opts.attribution.push(journeycost::builtin::HMT_DEFLATOR_ATTRIBUTION.to_owned()),
        Some(Some((_, _, attribution))) => opts.attribution.push(attribution.to_owned()),
        Some(None) => {}
    }
    check_options(&opts, &cohort, passed.persons.as_ref())?;
    let (view, atoms) =
        atoms.finish(&cohort, &passed.catalogue, appraisal.as_ref().map(|a| &a.2), opts.compare.agency_detail)?;
    let person = if !on && cohort.savings.persons > 1 {
        let person_id = if let Some(p) = &opts.person {
            p.clone()
        } else {
            let mut ps: Vec<&journeycost::compare::PersonRow> = cohort.persons.iter().collect();
            ps.sort_by(|a, b| a.saving.cmp(&b.saving).then(a.person_id.cmp(&b.person_id)));
            ps.get(ps.len().saturating_sub(1) / 2)
                .map(|p| p.person_id.clone())
                .ok_or_else(|| problem("there is no person to report on"))?
        };
        let Some(tally) = passed.each_person.get(&person_id).filter(|_| view.has_person(&person_id)) else {
            return Err(problem(format!("person {person_id:?} has no events")));
        };
        Some((person_id, tally.finish()))
    } else if let Some(p) = opts.person.as_deref().filter(|p| !view.has_person(p)) {
        return Err(problem(format!("person {p:?} has no events")));
    } else {
        None
    };
    let data = ReportData {
        cohort: &cohort,
        person: person.as_ref().map(|(p, c)| (p.as_str(), c)),
        view: &view,
        atoms,
        value_types: run.values(),
        inputs: &inputs,
        appraisal: appraisal.as_ref().map(|(spec, a, lin)| (*spec, a, lin)),
        extrapolation: extrapolation.as_ref().map(|(plan, x)| (*plan, &x.result)),
    };
    render_audited(data, &opts)
}

/// The options' problems given the cohort: fewer persons than the suppression threshold, a
/// protection margin that is not a share, a `by` column that is not in the persons file.
fn check_options(opts: &ReportOptions, cohort: &Comparison, persons: Option<&Persons>) -> Result<(), Error> {
    let threshold = if opts.suppress_below > 1 { opts.suppress_below } else { 0 };
    if threshold > 1 && (cohort.savings.persons as u64) < threshold {
        return Err(problem(format!(
            "the cohort has {} people, fewer than the suppression threshold of {}: a report on it would identify them \
             (--suppress-below 0 is for illustrative data only)",
            cohort.savings.persons, threshold
        )));
    }
    if !(opts.protection_margin.is_finite() && opts.protection_margin >= 0.0) {
        return Err(problem(format!(
            "the protection margin must be a share of 0 or more, found {}",
            opts.protection_margin
        )));
    }
    if let (Some(column), None) = (&opts.by, persons) {
        return Err(problem(format!("the report is broken down by {column:?}, which needs a persons file")));
    }
    if let (Some(column), Some(p)) = (&opts.by, persons) {
        if !p.columns().iter().any(|c| c == column) {
            return Err(problem(format!(
                "{column:?} is not a column of the persons file (it has: {})",
                p.columns().join(", ")
            )));
        }
    }
    Ok(())
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
    by: Option<String>,
    groups: Vec<Row>,
    appraisal: Option<Row>,
    who_pays: Vec<Row>,
    extrapolation: Option<Row>,
    extrapolation_withheld: Option<String>,
    tornado: Vec<Row>,
    assumptions: Vec<Row>,
    charts: Vec<Chart>,
}

/// A table row for the templates: column name to printed value, in column order.
type Row = BTreeMap<&'static str, String>;

#[derive(Serialize)]
struct Disclosure {
    pseudonyms: &'static str,
    suppression: String,
    audit: String,
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
    /// The SVG file, or empty when the chart is withheld.
    file: String,
    data: String,
    /// Why the chart is withheld, or empty.
    withheld: String,
    #[serde(skip)]
    svg: String,
}

fn problem(message: impl Into<String>) -> Error {
    Error::new(Location::source("report"), ProblemKind::Scenario, message)
}

fn percent(d: Option<journeycost::Decimal>) -> String {
    d.map_or_else(|| "n/a".to_owned(), |s| format!("{}%", journeycost::money::percent(s, 1)))
}

/// The fewest persons a cohort segment of an extrapolation may resample under disclosure control.
pub const MIN_BOOTSTRAP_PERSONS: u64 = 20;

const WITHHELD_SMALL: &str = "Chart withheld: it would show values resting on counts small enough to identify people, or that would give them back.";

/// Draws the report's files (`index.html`, `report.md`, `results.json`, `charts/*.svg` and
/// `data/*.csv`) from `data`, with the disclosure audit's summary. The options are checked
/// ([`check_options`]) before.
///
/// # Errors
/// A report that disclosure control cannot protect, and template errors (a user template that
/// does not parse or render).
#[allow(clippy::too_many_lines)]
fn render_audited(data: ReportData<'_>, opts: &ReportOptions) -> Result<Report, Error> {
    let cohort = data.cohort;
    let view = data.view;
    let pseudo = Pseudonymiser::new(opts.key.as_deref())?;
    let threshold = if opts.suppress_below > 1 { opts.suppress_below } else { 0 };
    let on = threshold > 1;
    let base = &opts.compare.baseline;
    let alt = &opts.compare.alternative;

    // Every figure, as cells of one publication; then the pattern that protects them all.
    let mut book = tables::Book::new(view, data.atoms);
    let mut cells = tables::register_comparison(&mut book, cohort, &opts.compare)?;
    if let Some(column) = &opts.by {
        tables::register_groups(&mut book, &mut cells, &opts.compare, column)?;
    }
    let appraisal_cells = match data.appraisal {
        Some((_, a, lin)) => Some(tables::register_appraisal(&mut book, a, lin.factors(), &lin.constant_costs())?),
        None => None,
    };
    let segments = match data.extrapolation {
        Some((plan, _)) => tables::register_segments(&mut book, plan)?,
        None => Vec::new(),
    };
    let pattern = book.p.protect(threshold, opts.protection_margin).map_err(|e| {
        let advice = match e {
            sdc::ProtectError::TooMany => "report a coarser --period, a lower --agency-level or fewer --by groups",
            _ => "report a coarser --period or a lower --agency-level, or raise --suppress-below",
        };
        Error::new(Location::source("report"), ProblemKind::Disclosure, format!("{e}; nothing was written ({advice})"))
    })?;
    let show = |cell: sdc::CellId, text: String| tables::shown(&pattern, cell, text);

    let mut files = OutputSet::new();
    let mut charts = Vec::new();

    // The red and blue lines: every period shown, or the chart is withheld; a running total
    // is shown while every period up to it is.
    let series_shown = pattern.all_shown(&cells.series);
    let svg = if series_shown { red_blue_chart(cohort, base, alt, "the cohort") } else { String::new() };
    let mut t = HumanCsv::new(&["pathway", "period", "events", "cost", "cumulative_cost"]);
    for (i, (s, cell)) in cohort.series.iter().zip(&cells.series).enumerate() {
        // A running total is the periods up to it, or the pathway's total less the periods after.
        let side: Vec<(usize, sdc::CellId)> = cohort
            .series
            .iter()
            .zip(&cells.series)
            .enumerate()
            .filter(|(_, (x, _))| x.pathway == s.pathway)
            .map(|(j, (_, c))| (j, *c))
            .collect();
        let before: Vec<sdc::CellId> = side.iter().filter(|(j, _)| *j <= i).map(|(_, c)| *c).collect();
        let mut after: Vec<sdc::CellId> = side.iter().filter(|(j, _)| *j > i).map(|(_, c)| *c).collect();
        after.push(cells.total[usize::from(s.pathway != *base)]);
        let running = if pattern.all_shown(&before) || pattern.all_shown(&after) {
            s.cumulative_cost.to_string()
        } else {
            disclosure::SUPPRESSED.to_owned()
        };
        t.row([
            s.pathway.clone(),
            s.period.to_string(),
            show(*cell, s.events.to_string()),
            show(*cell, s.cost.to_string()),
            running,
        ]);
    }
    charts.push(chart(
        &mut files,
        "red-blue-cohort",
        "Cumulative cost, the cohort: old way (red) and new way (blue)".to_owned(),
        svg,
        t,
    ));
    // One person's own lines only without disclosure control (illustrative data).
    let mut person_model = PersonModel {
        published: false,
        pseudonym: String::new(),
        baseline: String::new(),
        alternative: String::new(),
        saving: String::new(),
        break_even: String::new(),
    };
    if let Some((person_id, one)) = data.person {
        let alias = pseudo.pseudonym(person_id);
        let svg = red_blue_chart(one, base, alt, &alias);
        let mut t = HumanCsv::new(&["pathway", "period", "events", "cost", "cumulative_cost"]);
        for s in &one.series {
            t.row([
                s.pathway.clone(),
                s.period.to_string(),
                s.events.to_string(),
                s.cost.to_string(),
                s.cumulative_cost.to_string(),
            ]);
        }
        charts.push(chart(
            &mut files,
            "red-blue-person",
            format!("Cumulative cost, {alias}: old way (red) and new way (blue)"),
            svg,
            t,
        ));
        person_model = PersonModel {
            published: true,
            pseudonym: alias,
            baseline: one.total.baseline_cost.to_string(),
            alternative: one.total.alternative_cost.to_string(),
            saving: one.total.saving.to_string(),
            break_even: one.break_even.map_or_else(|| "never".to_owned(), |p| p.to_string()),
        };
    }

    let agencies = who_pays_section(cohort, view, &cells, &pattern, &mut files, &mut charts);

    // Demand over time, with trend lines: the "seven typical cases" chart.
    let (labels, old_n, new_n) = counts(cohort, base, alt);
    let side_cells = |name: &str| -> Vec<sdc::CellId> {
        cohort.series.iter().zip(&cells.series).filter(|(s, _)| s.pathway == name).map(|(_, c)| *c).collect()
    };
    let (old_cells, new_cells) = (side_cells(base), side_cells(alt));
    let mut t = HumanCsv::new(&["period", "baseline_events", "alternative_events"]);
    for (i, l) in labels.iter().enumerate() {
        t.row([
            l.clone(),
            show(old_cells[i], (old_n[i] as u64).to_string()),
            show(new_cells[i], (new_n[i] as u64).to_string()),
        ]);
    }
    let trend_of = |name: &str| cohort.trend.iter().find(|t| t.pathway == name).map(|t| (t.slope, t.intercept));
    let svg = if series_shown {
        let trends: Vec<_> = [(RED, trend_of(base)), (BLUE, trend_of(alt))]
            .into_iter()
            .filter_map(|(c, t)| t.map(|(s, i)| (c, s, i)))
            .collect();
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
    } else {
        String::new()
    };
    charts.push(chart(&mut files, "demand-over-time", "Demand over time".to_owned(), svg, t));

    let tiers = triangle_section(cohort, &cells, base, alt, &pattern, &mut files, &mut charts);
    let failure = failure_section(&cells, &pattern, &mut files, &mut charts);

    let groups = match &opts.by {
        Some(column) => groups_section(column, &cells, &pattern, &mut files),
        None => Vec::new(),
    };

    // Appraisal and extrapolation, when present.
    let (appraisal, who_pays) = match (data.appraisal, &appraisal_cells) {
        (Some((_, a, _)), Some(ac)) => {
            let (summary, who_pays) = appraisal_section(a, ac, &pattern, &mut files, &mut charts);
            (Some(summary), who_pays)
        }
        _ => (None, Vec::new()),
    };
    let (extrapolation, extrapolation_withheld, tornado_rows) =
        extrapolation_section(data.extrapolation.map(|x| x.1), &segments, threshold, &pattern, &mut files, &mut charts);
    let assumption_list: Vec<&journeycost::appraisal::Assumption> = data
        .appraisal
        .map(|a| a.1.assumptions.as_slice())
        .unwrap_or_default()
        .iter()
        .chain(data.extrapolation.map(|x| x.1.assumptions.as_slice()).unwrap_or_default())
        .collect();
    let assumptions: Vec<Row> = assumption_list
        .iter()
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
    if !assumption_list.is_empty() {
        let mut t = HumanCsv::new(&journeycost::output::ASSUMPTION_COLUMNS);
        for a in &assumption_list {
            t.row(journeycost::output::assumption_row(a));
        }
        files.add("data/assumptions.csv", t.into_bytes());
    }

    // The tables that have no chart of their own: their data too. A trend line rests on every
    // count of its pathway.
    let trend_cells = |name: &str| if name == base.as_str() { old_cells.clone() } else { new_cells.clone() };
    let mut t = HumanCsv::new(&["pathway", "periods", "slope", "intercept"]);
    let mut trend = Vec::new();
    for tr in &cohort.trend {
        let cs = trend_cells(&tr.pathway);
        let slope = tables::derived(&pattern, &cs, || format!("{:.6}", tr.slope));
        let intercept = tables::derived(&pattern, &cs, || format!("{:.6}", tr.intercept));
        t.row([tr.pathway.clone(), tr.periods.to_string(), slope, intercept]);
        trend.push(row(&[
            ("pathway", tr.pathway.clone()),
            ("periods", tr.periods.to_string()),
            ("slope", tables::derived(&pattern, &cs, || format!("{:.3}", tr.slope))),
            ("direction", tables::derived(&pattern, &cs, || direction(tr.slope).to_owned())),
        ]));
    }
    files.add("data/trend.csv", t.into_bytes());

    // The savings distribution: counts of persons are cells; a quantile is one or two persons'
    // own savings, published only with at least the threshold of persons on each side of it;
    // the mean is the total saving over the (public) number of persons.
    let s = &cohort.savings;
    let quantile = |q: f64, value: Money| -> String {
        if !on {
            return value.to_string();
        }
        let h = (s.persons.saturating_sub(1)) as f64 * q;
        let below = h.floor() as u64;
        let above = (s.persons as u64).saturating_sub(1).saturating_sub(h.ceil() as u64);
        if below >= threshold && above >= threshold { value.to_string() } else { disclosure::SUPPRESSED.to_owned() }
    };
    let distribution = [
        ("persons", s.persons.to_string()),
        ("persons_saving", show(cells.persons_saving, s.persons_saving.to_string())),
        ("persons_costing_more", show(cells.persons_costing_more, s.persons_costing_more.to_string())),
        ("mean", show(cells.saving, s.mean.to_string())),
        ("p25", quantile(0.25, s.p25)),
        ("median", quantile(0.5, s.median)),
        ("p75", quantile(0.75, s.p75)),
    ];
    let mut t = HumanCsv::new(&distribution.clone().map(|d| d.0));
    t.row(distribution.clone().map(|d| d.1));
    files.add("data/savings-distribution.csv", t.into_bytes());
    let savings = row(&distribution);

    let totals = Totals {
        baseline: show(cells.total[0], cohort.total.baseline_cost.to_string()),
        alternative: show(cells.total[1], cohort.total.alternative_cost.to_string()),
        saving: show(cells.saving, cohort.total.saving.to_string()),
        saving_share: tables::derived(&pattern, &[cells.saving, cells.total[0]], || percent(cohort.saving_share)),
        break_even: tables::derived(&pattern, &cells.series, || {
            cohort.break_even.map_or_else(|| "never".to_owned(), |p| p.to_string())
        }),
    };
    let audit = &pattern.audit;
    let suppression = if on {
        format!(
            "Counts from 1 to {} events or persons, and every figure resting on them, are suppressed and shown as {} ({} {}); \
             so is any other figure that would give one back ({} more). A chart that would show a suppressed value is withheld, \
             and one person's own journey is not published.",
            threshold - 1,
            disclosure::SUPPRESSED,
            pattern.primary(),
            if pattern.primary() == 1 { "cell" } else { "cells" },
            pattern.secondary(),
        )
    } else {
        "Small-count suppression is off for this report: its data are illustrative, not records of real people."
            .to_owned()
    };
    let audit_text = if on && audit.audited > 0 {
        format!(
            "Disclosure audit: every published figure of every table, file and chart was treated as one set of linked tables; for each \
             of the {} suppressed values, linear programming found the range of values consistent with everything published \
             (with counts never negative and costs of known sign), and every range is wider than {}% of the value it hides.",
            audit.audited,
            (opts.protection_margin * 100.0).round()
        )
    } else if on {
        "Disclosure audit: no figure rests on a small count, so nothing is suppressed.".to_owned()
    } else {
        String::new()
    };
    let model = Model {
        schema: RESULTS_SCHEMA,
        title: opts.title.clone(),
        version: VERSION,
        timestamp: opts.timestamp.clone(),
        price_base: cohort.price_base.to_string(),
        value_types: data.value_types.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(" + "),
        inputs: data.inputs.to_vec(),
        attribution: opts.attribution.clone(),
        disclosure: Disclosure {
            pseudonyms: if pseudo.keyed {
                "person ids are replaced by keyed pseudonyms: the same key gives the same pseudonyms"
            } else {
                "person ids are replaced by pseudonyms under a random key drawn for this report and not kept, so the pseudonyms are not reproducible: give a key to regenerate it byte for byte"
            },
            suppression,
            audit: audit_text,
            notes: "Free-text notes are never published.",
        },
        baseline: base.clone(),
        alternative: alt.clone(),
        period: opts.compare.period.to_string(),
        persons: s.persons,
        totals,
        person: person_model,
        agencies,
        tiers,
        failure,
        trend,
        savings,
        by: opts.by.clone(),
        groups,
        appraisal,
        who_pays,
        extrapolation,
        extrapolation_withheld: extrapolation_withheld.map(|w| format!("The national extrapolation is withheld: {w}.")),
        tornado: tornado_rows,
        assumptions,
        charts,
    };

    let env = environment(opts.template_dir.as_deref())?;
    let render = |name: &str, inline: bool| -> Result<String, Error> {
        let charts: BTreeMap<&str, String> = model
            .charts
            .iter()
            .map(|c| {
                let shown = if inline {
                    if c.svg.is_empty() { format!("<p class=\"withheld\">{}</p>", c.withheld) } else { c.svg.clone() }
                } else {
                    c.file.clone()
                };
                (c.id, shown)
            })
            .collect();
        let withheld: BTreeMap<&str, &str> = model.charts.iter().map(|c| (c.id, c.withheld.as_str())).collect();
        env.get_template(name)
            .and_then(|t| {
                t.render(minijinja::context! {
                    r => &model,
                    svg => minijinja::Value::from_serialize(&charts),
                    withheld => minijinja::Value::from_serialize(&withheld),
                })
            })
            .map_err(|e| template_problem(name, &e))
    };
    let html = render("index.html.j2", true)?;
    let markdown = render("report.md.j2", false)?;
    files.add("index.html", html.into_bytes());
    files.add("report.md", markdown.into_bytes());
    let mut json = serde_json::to_vec_pretty(&model).unwrap_or_default();
    json.push(b'\n');
    files.add("results.json", json);
    Ok(Report { files, primary: pattern.primary(), secondary: pattern.secondary(), audit: pattern.audit.clone() })
}

/// Who pays and who saves: the saving by agency (its rows for the pages).
fn who_pays_section(
    cohort: &Comparison,
    view: &tables::View,
    cells: &tables::Cells,
    pattern: &sdc::Pattern,
    files: &mut OutputSet,
    charts: &mut Vec<Chart>,
) -> Vec<Row> {
    let show = |cell: sdc::CellId, text: String| tables::shown(pattern, cell, text);
    let mut t = HumanCsv::new(&["agency", "baseline_cost", "alternative_cost", "saving"]);
    let mut agencies = Vec::new();
    let mut bars: Vec<(String, f64)> = Vec::new();
    let label_of: Vec<String> = {
        let detail_name = |d: u32| if d == 0 { None } else { Some(view.details[d as usize - 1].as_str()) };
        let mut ids: Vec<(u32, u32)> = view.agency_labels.keys().copied().collect();
        ids.sort_by(|x, y| (x.0, detail_name(x.1)).cmp(&(y.0, detail_name(y.1))));
        ids.into_iter().map(|(a, d)| view.agency_label(a, d)).collect()
    };
    for ((a, (pair, saving)), label) in cohort.agencies.iter().zip(&cells.agencies).zip(&label_of) {
        let b = show(pair[0], a.baseline_cost.to_string());
        let al = show(pair[1], a.alternative_cost.to_string());
        let s = show(*saving, a.saving.to_string());
        t.row([label.clone(), b.clone(), al.clone(), s.clone()]);
        agencies.push(row(&[("agency", label.clone()), ("baseline", b), ("alternative", al), ("saving", s)]));
        bars.push((label.clone(), a.saving.to_f64()));
    }
    bars.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    let savings_shown = pattern.all_shown(&cells.agencies.iter().map(|x| x.1).collect::<Vec<_>>());
    let svg = if savings_shown {
        charts::diverging_bars("Who saves (green) and who pays more (red): saving by agency", &bars, GREEN, RED)
    } else {
        String::new()
    };
    charts.push(chart(files, "who-pays", "Saving by agency".to_owned(), svg, t));

    agencies
}

/// The groups of the `by` column: persons, events and costs per group (its rows for the pages).
fn groups_section(column: &str, cells: &tables::Cells, pattern: &sdc::Pattern, files: &mut OutputSet) -> Vec<Row> {
    let show = |cell: sdc::CellId, text: String| tables::shown(pattern, cell, text);
    let mut groups = Vec::new();
    let mut t = HumanCsv::new(&[
        column,
        "persons",
        "baseline_events",
        "alternative_events",
        "baseline_cost",
        "alternative_cost",
        "saving",
    ]);
    for g in &cells.groups {
        let cols = [
            show(g.persons_cell, g.persons.to_string()),
            show(g.cells[0], g.events[0].to_string()),
            show(g.cells[1], g.events[1].to_string()),
            show(g.cells[0], g.costs[0].to_string()),
            show(g.cells[1], g.costs[1].to_string()),
            show(g.saving, (g.costs[0] - g.costs[1]).to_string()),
        ];
        t.row([
            g.value.clone(),
            cols[0].clone(),
            cols[1].clone(),
            cols[2].clone(),
            cols[3].clone(),
            cols[4].clone(),
            cols[5].clone(),
        ]);
        groups.push(row(&[
            ("group", g.value.clone()),
            ("persons", cols[0].clone()),
            ("baseline", cols[3].clone()),
            ("alternative", cols[4].clone()),
            ("saving", cols[5].clone()),
        ]));
    }
    files.add("data/groups.csv", t.into_bytes());
    groups
}

/// The triangle of need: cost and events by tier on each pathway (its rows for the pages).
fn triangle_section(
    cohort: &Comparison,
    cells: &tables::Cells,
    base: &str,
    alt: &str,
    pattern: &sdc::Pattern,
    files: &mut OutputSet,
    charts: &mut Vec<Chart>,
) -> Vec<Row> {
    let show = |cell: sdc::CellId, text: String| tables::shown(pattern, cell, text);
    let mut t = HumanCsv::new(&["pathway", "tier", "events", "cost"]);
    let mut tiers = Vec::new();
    let mut pyramid: Vec<(String, f64, f64)> = Vec::new();
    let mut tier_events: Vec<(String, f64, f64)> = Vec::new();
    let mut events_table = HumanCsv::new(&["tier", "baseline_events", "alternative_events"]);
    for (level, label, name) in tables::tiers() {
        let get = |p: &str| {
            cohort
                .tiers
                .iter()
                .zip(&cells.tiers)
                .find(|(r, _)| r.pathway == p && r.tier.map_or(0, journeycost::catalogue::Tier::level) == level)
        };
        let (o, n) = (get(base), get(alt));
        if level != 0 || o.is_some_and(|r| r.0.events > 0) || n.is_some_and(|r| r.0.events > 0) {
            pyramid.push((name.clone(), o.map_or(0.0, |r| r.0.cost.to_f64()), n.map_or(0.0, |r| r.0.cost.to_f64())));
        }
        if level != 0 {
            tier_events.push((
                name.clone(),
                o.map_or(0.0, |r| r.0.events as f64),
                n.map_or(0.0, |r| r.0.events as f64),
            ));
            let ev = |x: Option<(&journeycost::compare::TierRow, &sdc::CellId)>| {
                x.map_or_else(|| "0".to_owned(), |(r, c)| show(*c, r.events.to_string()))
            };
            events_table.row([name.clone(), ev(o), ev(n)]);
        }
        for (r, c) in [o, n].into_iter().flatten() {
            let (e, cost) = (show(*c, r.events.to_string()), show(*c, r.cost.to_string()));
            t.row([r.pathway.clone(), label.clone(), e.clone(), cost.clone()]);
            tiers.push(row(&[("pathway", r.pathway.clone()), ("tier", name.clone()), ("events", e), ("cost", cost)]));
        }
    }
    let tiers_shown = pattern.all_shown(&cells.tiers);
    let events_svg = if tiers_shown {
        charts::pyramid_counts("The triangle of need: events by tier (crisis at the top)", &tier_events)
    } else {
        String::new()
    };
    charts.push(chart(files, "triangle-events", "The triangle of need: events".to_owned(), events_svg, events_table));
    let svg = if tiers_shown {
        charts::pyramid("The triangle of need: cost by tier (crisis at the top)", &pyramid)
    } else {
        String::new()
    };
    charts.push(chart(files, "triangle", "The triangle of need".to_owned(), svg, t));

    tiers
}

/// Failure demand by agency: the comparison's shares of cost and of contacts on each pathway
/// (its rows for the pages).
fn failure_section(
    cells: &tables::Cells,
    pattern: &sdc::Pattern,
    files: &mut OutputSet,
    charts: &mut Vec<Chart>,
) -> Vec<Row> {
    let show = |cell: sdc::CellId, text: String| tables::shown(pattern, cell, text);
    let mut t = HumanCsv::new(&journeycost::output::FAILURE_COLUMNS);
    let mut failure = Vec::new();
    // By agency, in the order of the rows (agency id).
    let mut shares: Vec<(&str, [f64; 2], [f64; 2])> = Vec::new();
    let mut all_failure_cells = Vec::new();
    let four = |s: Option<journeycost::Decimal>| s.map_or_else(String::new, |s| format!("{s:.4}"));
    let as_f64 = |s: Option<journeycost::Decimal>| s.map_or(0.0, |s| Money::new(s).to_f64());
    for f in &cells.failure {
        let r = &f.row;
        let pair = [f.all, f.fail];
        all_failure_cells.extend(pair);
        let share_text = tables::derived(pattern, &pair, || four(r.failure_cost_share));
        let contacts = tables::derived(pattern, &pair, || four(r.failure_contact_share));
        let (e, fe, c, fc) = (
            show(f.all, r.events.to_string()),
            show(f.fail, r.failure_events.to_string()),
            show(f.all, r.cost.to_string()),
            show(f.fail, r.failure_cost.to_string()),
        );
        t.row([
            r.agency.clone(),
            r.pathway.clone(),
            e.clone(),
            fe.clone(),
            c.clone(),
            fc.clone(),
            share_text.clone(),
            contacts.clone(),
        ]);
        failure.push(row(&[
            ("agency", r.agency.clone()),
            ("pathway", r.pathway.clone()),
            ("events", e),
            ("failure_events", fe),
            ("cost", c),
            ("failure_cost", fc),
            ("failure_share", share_text),
            ("failure_contacts", contacts),
        ]));
        if shares.last().is_none_or(|l| l.0 != r.agency) {
            shares.push((r.agency.as_str(), [0.0; 2], [0.0; 2]));
        }
        if let Some(entry) = shares.last_mut() {
            entry.1[f.side] = as_f64(r.failure_cost_share);
            entry.2[f.side] = as_f64(r.failure_contact_share);
        }
    }
    let failure_shown = pattern.all_shown(&all_failure_cells);
    let bars: Vec<(String, f64, f64)> = shares.iter().map(|(a, s, _)| ((*a).to_owned(), s[0], s[1])).collect();
    let contact_bars: Vec<(String, f64, f64)> = shares.iter().map(|(a, _, s)| ((*a).to_owned(), s[0], s[1])).collect();
    let (svg, contacts_svg) = if failure_shown {
        (
            charts::paired_bars("Failure demand: share of each agency's cost", &bars, 1.0, true),
            charts::paired_bars("Failure demand: share of each agency's contacts", &contact_bars, 1.0, true),
        )
    } else {
        (String::new(), String::new())
    };
    let mut contacts_table =
        HumanCsv::new(&["agency", "baseline_failure_contact_share", "alternative_failure_contact_share"]);
    for f in cells
        .failure
        .iter()
        .filter(|f| f.side == 0 || !cells.failure.iter().any(|g| g.side == 0 && g.row.agency == f.row.agency))
    {
        let of = |side: usize| {
            cells.failure.iter().find(|g| g.row.agency == f.row.agency && g.side == side).map_or_else(
                || "0.0000".to_owned(),
                |g| tables::derived(pattern, &[g.all, g.fail], || four(g.row.failure_contact_share)),
            )
        };
        contacts_table.row([f.row.agency.clone(), of(0), of(1)]);
    }
    charts.push(chart(files, "failure-demand", "Failure demand by agency".to_owned(), svg, t));
    charts.push(chart(
        files,
        "failure-contacts",
        "Failure demand by agency: contacts".to_owned(),
        contacts_svg,
        contacts_table,
    ));

    failure
}

/// The appraisal's section: who bears the intervention's cost, the cumulative discounted net
/// benefit, and the summary figures (each shown only as disclosure control allows).
fn appraisal_section(
    a: &Appraisal,
    ac: &tables::AppraisalCells,
    pattern: &sdc::Pattern,
    files: &mut OutputSet,
    charts: &mut Vec<Chart>,
) -> (Row, Vec<Row>) {
    let show = |cell: sdc::CellId, text: String| tables::shown(pattern, cell, text);
    let mut who_pays = Vec::new();
    let mut t = HumanCsv::new(&["agency", "cost_borne", "saving_received", "net"]);
    for (r, c) in a.who_pays.iter().zip(&ac.who_pays) {
        let cols = [
            show(c[0], r.cost_borne.to_string()),
            show(c[1], r.saving_received.to_string()),
            show(c[2], r.net.to_string()),
        ];
        t.row([r.agency.clone(), cols[0].clone(), cols[1].clone(), cols[2].clone()]);
        who_pays.push(row(&[
            ("agency", r.agency.clone()),
            ("cost_borne", cols[0].clone()),
            ("saving_received", cols[1].clone()),
            ("net", cols[2].clone()),
        ]));
    }
    let borne_shown = pattern.all_shown(&ac.who_pays.iter().map(|c| c[0]).collect::<Vec<_>>());
    let mut borne: Vec<(String, f64)> = a
        .who_pays
        .iter()
        .filter(|r| !r.cost_borne.is_zero())
        .map(|r| (r.agency.clone(), -r.cost_borne.to_f64()))
        .collect();
    borne.sort_by(|x, y| x.1.total_cmp(&y.1).then(x.0.cmp(&y.0)));
    let svg = if borne_shown {
        charts::diverging_bars("Intervention cost borne by agency (present value)", &borne, GREEN, RED)
    } else {
        String::new()
    };
    charts.push(chart(files, "intervention-cost", "Intervention cost by agency".to_owned(), svg, t));
    let dnets: Vec<sdc::CellId> = ac.years.iter().map(|c| c[2]).collect();
    let labels: Vec<String> = a.years.iter().map(|y| y.year.clone()).collect();
    let values: Vec<f64> = a.years.iter().map(|y| y.cumulative_discounted_net.to_f64()).collect();
    let marker = a.payback.as_ref().and_then(|p| labels.iter().position(|l| l == p)).map(|i| (i, "payback"));
    let svg = if pattern.all_shown(&dnets) {
        charts::lines(
            "Cumulative discounted net benefit",
            &labels,
            &[Series { label: "net present value to date".into(), color: GREEN, values }],
            marker,
            &[],
            true,
        )
    } else {
        String::new()
    };
    let mut t = HumanCsv::new(&["year", "benefit", "cost", "discounted_net", "cumulative_discounted_net"]);
    for (i, (y, c)) in a.years.iter().zip(&ac.years).enumerate() {
        t.row([
            y.year.clone(),
            show(c[0], y.benefit.to_string()),
            show(c[1], y.cost.to_string()),
            show(c[2], y.discounted_net.to_string()),
            // The years up to it, or the net present value less the years after.
            if pattern.all_shown(&dnets[..=i]) || (pattern.all_shown(&dnets[i + 1..]) && !pattern.hides(ac.npv)) {
                y.cumulative_discounted_net.to_string()
            } else {
                disclosure::SUPPRESSED.to_owned()
            },
        ]);
    }
    charts.push(chart(files, "appraisal", "Appraisal: cumulative discounted net benefit".to_owned(), svg, t));
    let ratio = |r: Option<journeycost::Decimal>| r.map_or_else(|| "n/a".to_owned(), |v| v.to_string());
    let pv = [ac.pv_benefits, ac.pv_costs];
    (
        row(&[
            ("schedule", a.schedule.clone()),
            ("base_year", a.base_year.clone()),
            ("pv_benefits", show(ac.pv_benefits, a.pv_benefits.to_string())),
            ("pv_gross_benefits", show(ac.pv_gross, a.pv_gross_benefits.to_string())),
            ("pv_costs", show(ac.pv_costs, a.pv_costs.to_string())),
            ("npv", show(ac.npv, a.npv.to_string())),
            ("bcr", tables::derived(pattern, &pv, || ratio(a.bcr))),
            ("roi", tables::derived(pattern, &pv, || ratio(a.roi))),
            (
                "payback",
                tables::derived(pattern, &dnets, || {
                    a.payback.clone().unwrap_or_else(|| "not within the horizon".to_owned())
                }),
            ),
        ]),
        who_pays,
    )
}

/// The extrapolation's section: the distribution of the draws and the tornado, or why they are
/// withheld (the third value is the tornado's rows).
fn extrapolation_section(
    x: Option<&Extrapolation>,
    segments: &[(String, sdc::CellId, u64)],
    threshold: u64,
    pattern: &sdc::Pattern,
    files: &mut OutputSet,
    charts: &mut Vec<Chart>,
) -> (Option<Row>, Option<String>, Vec<Row>) {
    let on = threshold > 1;
    let mut tornado_rows = Vec::new();
    // The extrapolation rests on the cohort segments' savings and, through the bootstrap, on
    // each of their persons: published when every segment's saving is, and every segment has
    // at least the threshold of persons.
    // With few persons a resample can be one person's saving again and again: the draws'
    // extremes would then be the cohort's smallest and largest savings.
    let min_persons = threshold.max(MIN_BOOTSTRAP_PERSONS);
    let extrapolation_withheld = x.and_then(|_| {
        segments.iter().find_map(|(name, cell, persons)| {
            if pattern.hides(*cell) {
                Some(format!("segment {name:?}'s saving rests on suppressed figures"))
            } else if on && *persons < min_persons {
                Some(format!(
                    "segment {name:?} draws on {persons} persons of the cohort, fewer than the {min_persons} it needs"
                ))
            } else {
                None
            }
        })
    });
    let extrapolation = match (x, &extrapolation_withheld) {
        (Some(x), None) => {
            let bins: Vec<(f64, f64, u64)> = x.histogram.iter().map(|b| (b.from, b.to, b.count)).collect();
            let label = x.threshold.map(charts::short_money);
            // The histogram runs from the smallest draw to the largest: with the cohort's own
            // savings resampled, it is withheld under disclosure control.
            let svg = if on && !segments.is_empty() {
                String::new()
            } else {
                charts::histogram(
                    "National net annual saving: distribution of the draws",
                    &bins,
                    x.threshold.zip(label.as_deref()),
                )
            };
            let mut t = HumanCsv::new(&["from", "to", "count"]);
            if svg.is_empty() {
                t.row([disclosure::SUPPRESSED, disclosure::SUPPRESSED, disclosure::SUPPRESSED]);
            } else {
                for b in &x.histogram {
                    t.row([format!("{:.2}", b.from), format!("{:.2}", b.to), b.count.to_string()]);
                }
            }
            charts.push(chart(files, "extrapolation", "Extrapolation: distribution".to_owned(), svg, t));
            let top: Vec<(String, f64, f64)> = x
                .tornado
                .iter()
                .take(10)
                .map(|r| (format!("{}: {}", r.parameter, r.segment), r.saving_at_low, r.saving_at_high))
                .collect();
            let svg = charts::tornado("One-way sensitivity: national net annual saving", &top, x.central.net_annual);
            let mut t =
                HumanCsv::new(&["segment", "parameter", "low", "high", "saving_at_low", "saving_at_high", "swing"]);
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
            charts.push(chart(files, "tornado", "Extrapolation: tornado".to_owned(), svg, t));
            let p = |q: f64| {
                x.net_annual
                    .percentiles
                    .iter()
                    .find(|(k, _)| (*k - q).abs() < 1e-9)
                    .map_or_else(|| "n/a".to_owned(), |(_, v)| charts::short_money(*v))
            };
            Some(row(&[
                ("draws", x.draws.to_string()),
                ("seed", x.seed.to_string()),
                ("median", charts::short_money(x.net_annual.median)),
                ("mean", charts::short_money(x.net_annual.mean)),
                ("p5", p(5.0)),
                ("p95", p(95.0)),
                ("gross_median", charts::short_money(x.gross_annual.median)),
                ("prob_below_zero", format!("{:.1}%", x.net_annual.prob_below_zero * 100.0)),
                (
                    "prob_below_threshold",
                    x.net_annual
                        .prob_below_threshold
                        .map_or_else(|| "n/a".to_owned(), |v| format!("{:.1}%", v * 100.0)),
                ),
            ]))
        }
        _ => None,
    };
    (extrapolation, extrapolation_withheld, tornado_rows)
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

/// Adds a chart's SVG (unless withheld: an empty `svg`) and data to the files and returns its
/// entry.
fn chart(files: &mut OutputSet, id: &'static str, title: String, svg: String, data: HumanCsv) -> Chart {
    let data_file = format!("data/{id}.csv");
    files.add(data_file.clone(), data.into_bytes());
    if svg.is_empty() {
        return Chart { id, title, file: String::new(), data: data_file, withheld: WITHHELD_SMALL.to_owned(), svg };
    }
    let file = format!("charts/{id}.svg");
    files.add(file.clone(), svg.clone().into_bytes());
    Chart { id, title, file, data: data_file, withheld: String::new(), svg }
}

/// A CSV table meant to be opened by people, in a spreadsheet: a field that a spreadsheet would
/// take for a formula (starting `=`, `+`, `-`, `@`, a tab or a carriage return) and that is not
/// a plain number is prefixed with `'`, as OWASP advises against CSV injection.
struct HumanCsv(CsvTable);

impl HumanCsv {
    fn new(header: &[&str]) -> HumanCsv {
        HumanCsv(CsvTable::new(header))
    }

    fn row<I, T>(&mut self, fields: I)
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        let fields: Vec<String> = fields.into_iter().map(|f| neutralise(f.as_ref())).collect();
        self.0.row(fields);
    }

    fn into_bytes(self) -> Vec<u8> {
        self.0.into_bytes()
    }
}

/// A field safe to open in a spreadsheet (see [`HumanCsv`]).
///
/// # Example
/// ```
/// use journeycost_report::neutralise;
///
/// assert_eq!(neutralise("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
/// assert_eq!(neutralise("-1234.56"), "-1234.56");
/// assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
/// assert_eq!(neutralise("Police"), "Police");
/// ```
#[must_use]
pub fn neutralise(field: &str) -> String {
    let risky = field.starts_with(['=', '+', '-', '@', '\t', '\r', '\n']);
    let number = field.parse::<f64>().is_ok()
        && field.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'e' || b == b'E');
    if risky && !number { format!("'{field}") } else { field.to_owned() }
}

/// Period labels and the two cumulative lines.
fn cumulative(c: &Comparison, base: &str, alt: &str) -> (Vec<String>, Vec<f64>, Vec<f64>) {
    let of =
        |p: &str| c.series.iter().filter(|s| s.pathway == p).map(|s| s.cumulative_cost.to_f64()).collect::<Vec<f64>>();
    let labels = c.series.iter().filter(|s| s.pathway == base).map(|s| s.period.to_string()).collect();
    (labels, of(base), of(alt))
}

/// Period labels and the two event-count lines.
fn counts(c: &Comparison, base: &str, alt: &str) -> (Vec<String>, Vec<f64>, Vec<f64>) {
    let of = |p: &str| c.series.iter().filter(|s| s.pathway == p).map(|s| s.events as f64).collect::<Vec<f64>>();
    let labels = c.series.iter().filter(|s| s.pathway == base).map(|s| s.period.to_string()).collect();
    (labels, of(base), of(alt))
}

/// A template error as a problem: the template's name and minijinja's message.
fn template_problem(name: &str, e: &minijinja::Error) -> Error {
    let message = match e.kind() {
        minijinja::ErrorKind::OutOfFuel => format!(
            "template {name}: it ran out of fuel (more than {TEMPLATE_FUEL} steps): a template must render a report, not loop for ever"
        ),
        _ => format!("template {name}: {e}"),
    };
    problem(message)
}

/// How many steps a template may take: far more than any report needs, so a template that
/// loops for ever fails in seconds.
pub const TEMPLATE_FUEL: u64 = 50_000_000;

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
    // Pounds with the sign: "£1,234.56"; a suppressed "[c]" stays as it is.
    env.add_filter("gbp", |v: String| {
        let text = money_text(&v);
        if text == v && !v.bytes().any(|b| b.is_ascii_digit()) { v } else { format!("£{text}") }
    });
    // A template that loops for ever fails instead of running for ever.
    env.set_fuel(Some(TEMPLATE_FUEL));
    if let Some(d) = dir {
        let found = ["index.html.j2", "report.md.j2"].iter().any(|n| d.join(n).is_file());
        if !d.is_dir() || !found {
            return Err(Error::new(
                Location::source(d.display().to_string()),
                ProblemKind::Io,
                if d.is_dir() {
                    "the templates folder has neither index.html.j2 nor report.md.j2".to_owned()
                } else {
                    "the templates folder does not exist".to_owned()
                },
            ));
        }
    }
    for (name, builtin) in [("index.html.j2", HTML_TEMPLATE), ("report.md.j2", MARKDOWN_TEMPLATE)] {
        let source = match dir.map(|d| d.join(name)).filter(|p| p.exists()) {
            Some(path) => journeycost::io::check_input(&path).and_then(|()| {
                std::fs::read_to_string(&path).map_err(|e| {
                    Error::new(
                        Location::source(path.display().to_string()),
                        ProblemKind::Io,
                        format!("cannot read the template: {e}"),
                    )
                })
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

/// Escapes text for Markdown so that it stays one run of inline text: characters that would
/// start markup anywhere (emphasis, code, links, tables, HTML) are escaped; every line break
/// (LF, CR, and Unicode's line and paragraph separators) and every other control character
/// becomes a space, so no text can start a heading, a list or a quote on a line of its own; a
/// character that could start a block at the start of the text is escaped too.
///
/// # Example
/// ```
/// use journeycost_report::escape_markdown;
///
/// assert_eq!(escape_markdown("Police\r# Owned"), "Police \\# Owned");
/// assert_eq!(escape_markdown("- a list?"), "\\- a list?");
/// assert_eq!(escape_markdown("<b>x</b>"), "&lt;b&gt;x&lt;/b&gt;");
/// ```
#[must_use]
pub fn escape_markdown(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    // A list item starts `- `, `+ ` or `12. ` / `12) `: escaped when the text starts so.
    let space_after = |i: usize| chars.get(i + 1).is_none_or(|c| c.is_whitespace());
    let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '-' | '+' if i == 0 && space_after(i) => {
                out.push('\\');
                out.push(c);
            }
            '.' | ')' if i > 0 && i == digits && space_after(i) => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' => out.push(' '),
            c if c.is_control() => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every example's report, tallied in parts of a few events (so that persons, atoms and
    /// spells straddle parts), is the report tallied in one part, byte for byte: with
    /// suppression off (one person's lines drawn) and on (`rent-arrears`, in parts of 1,000 of
    /// its 65,800 events).
    #[test]
    fn a_report_is_the_same_for_any_size_of_part() {
        let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
        let mut seen = 0;
        for entry in std::fs::read_dir(&examples).unwrap() {
            let dir = entry.unwrap().path();
            let scenario = dir.join("scenario.toml");
            if !scenario.exists() {
                continue;
            }
            seen += 1;
            let run = Run::from_scenario(&scenario).unwrap();
            let opts = ReportOptions { key: Some(b"a-test-key-for-parts".to_vec()), ..ReportOptions::of(&run) };
            let whole = report_in_parts(&run, opts.clone(), PART).unwrap();
            let events = std::fs::read_to_string(&run.paths().events).unwrap().lines().count();
            let parts: &[usize] = if events > 10_000 { &[1000] } else { &[1, 3, 17] };
            for &part in parts {
                let parts = report_in_parts(&run, opts.clone(), part).unwrap();
                assert_eq!(parts.files, whole.files, "{} in parts of {part}", scenario.display());
                assert_eq!((parts.primary, parts.secondary), (whole.primary, whole.secondary));
            }
        }
        assert!(seen >= 5);
    }
}
