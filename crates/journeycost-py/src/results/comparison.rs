//! `Comparison`: two pathways of a ledger compared, and the `compare` function; its
//! `appraise(**keys)` and `extrapolate(**keys)`.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use journeycost::Decimal;
use journeycost::compare::{CompareOptions, ComparisonRun};
use journeycost::io::OutputSet;
use journeycost::run::RunBuilder;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::errors::{Class, JourneyCostError, ScenarioError};
use crate::table::{Table, escape};
use crate::work::{Progress, run};

use super::{Appraisal, Extrapolation, Ledger, LedgerOrigin, Made, Scenario, json, period, table, write};

/// How a comparison was made, for pickling.
pub(super) enum CompareOrigin {
    Ledger { ledger: Py<Ledger>, person: Option<String>, agency_level: u8 },
    Scenario(Py<Scenario>),
}

/// Compares two pathways of a ledger: the red line (``baseline``) and the blue line
/// (``alternative``).
///
/// Parameters
/// ----------
/// ledger : Ledger
/// baseline, alternative : str
///     The pathways compared (default ``"old"`` against ``"new"``).
/// period : {"month", "quarter", "year", "fy"}
///     The period of the series.
/// person : str, optional
///     Restrict the comparison to one person.
/// agency_level : {1, 2}
///     Who pays and who saves by agency (1), or by agency and detail (2).
///
/// Returns
/// -------
/// Comparison
///     Its ``series``, ``agencies``, ``demand``, ``tiers``, ``trend`` and ``persons`` tables have
///     the columns and values of the CLI's CSV files.
#[pyfunction]
#[pyo3(signature = (ledger, baseline="old", alternative="new", period="month", person=None, agency_level=1))]
pub(crate) fn compare(
    ledger: &Bound<'_, Ledger>,
    baseline: &str,
    alternative: &str,
    period: &str,
    person: Option<String>,
    agency_level: u8,
) -> PyResult<Comparison> {
    if !matches!(agency_level, 1 | 2) {
        return Err(ScenarioError::new_err(format!("agency_level must be 1 or 2, not {agency_level}")));
    }
    let options = CompareOptions {
        baseline: baseline.to_owned(),
        alternative: alternative.to_owned(),
        period: self::period(period)?,
        agency_detail: agency_level == 2,
    };
    let origin = CompareOrigin::Ledger { ledger: ledger.clone().unbind(), person: person.clone(), agency_level };
    Ledger::comparison(ledger, options, person, None, origin)
}

/// A comparison of two pathways: totals, the red and blue lines, who pays and who saves,
/// failure demand, the triangle of need and the trends.
///
/// The tables (``series``, ``agencies``, ``demand``, ``tiers``, ``trend``, ``persons``) have
/// the same columns and values as the CLI's CSV files. The headline figures (``saving`` and
/// friends) are exact ``Decimal`` values, not rounded.
///
/// Examples
/// --------
/// >>> import journeycost
/// >>> c = journeycost.Scenario.load("examples/anna/scenario.toml").compare()
/// >>> c.saving, c.break_even
/// (Decimal('95376.6255'), '2020-Q4')
/// >>> c.tiers.columns
/// ['pathway', 'tier', 'events', 'cost']
#[pyclass(frozen, module = "journeycost._journeycost")]
pub(crate) struct Comparison {
    pub(super) run: ComparisonRun,
    pub(super) options: CompareOptions,
    pub(super) files: OutputSet,
    pub(super) origin: CompareOrigin,
}

impl Comparison {
    /// The input files: what an output folder may not hold.
    pub(super) fn input_files(&self) -> Vec<PathBuf> {
        match &self.origin {
            CompareOrigin::Scenario(s) => s.get().run.files(),
            CompareOrigin::Ledger { ledger, .. } => match &ledger.get().origin {
                LedgerOrigin::Scenario(s) => s.get().run.files(),
                LedgerOrigin::Objects { events, .. } => {
                    events.get().path().map(Path::to_path_buf).into_iter().collect()
                }
            },
        }
    }

    /// Refuses a comparison of one person or of groups: `what` is of everyone in the ledger.
    pub(super) fn of_everyone(&self, what: &str) -> PyResult<()> {
        if let Some(p) = &self.run.person {
            return Err(ScenarioError::new_err(format!(
                "{what} a comparison of everyone: this one is of person {p:?} (compare without person=)"
            )));
        }
        if let Some(by) = &self.run.by {
            return Err(ScenarioError::new_err(format!(
                "{what} a comparison of everyone: this one is grouped by {by:?} (compare without by=)"
            )));
        }
        Ok(())
    }

    pub(super) fn single(&self) -> PyResult<&journeycost::compare::GroupComparison> {
        match self.run.groups.as_slice() {
            [one] => Ok(one),
            _ => Err(JourneyCostError::new_err(format!(
                "this comparison is grouped by {:?} ({} groups): see `totals` and the tables, whose first column is the group",
                self.run.by.as_deref().unwrap_or(""),
                self.run.groups.len()
            ))),
        }
    }

    pub(super) fn svg(&self, g: &journeycost::compare::GroupComparison) -> String {
        let who = match (&self.run.person, &g.group) {
            (Some(p), _) => format!("person {p}"),
            (None, Some(v)) => format!("{} = {v}", self.run.by.as_deref().unwrap_or("")),
            (None, None) => "the cohort".to_owned(),
        };
        journeycost_report::red_blue_chart(&g.comparison, &self.options.baseline, &self.options.alternative, &who)
    }
}

#[pymethods]
impl Comparison {
    /// The baseline pathway (the red line).
    #[getter]
    fn baseline(&self) -> &str {
        &self.options.baseline
    }

    /// The alternative pathway (the blue line).
    #[getter]
    fn alternative(&self) -> &str {
        &self.options.alternative
    }

    /// The period of the series: ``month``, ``quarter``, ``year`` or ``fy``.
    #[getter]
    fn period(&self) -> String {
        self.options.period.to_string()
    }

    /// The price base of every amount.
    #[getter]
    fn price_base(&self) -> Option<String> {
        self.run.groups.first().map(|g| g.comparison.price_base.to_string())
    }

    /// The persons attribute the comparison is grouped by, if any.
    #[getter]
    fn by(&self) -> Option<String> {
        self.run.by.clone()
    }

    /// The exact cost of the baseline pathway.
    #[getter]
    fn baseline_cost(&self) -> PyResult<Decimal> {
        Ok(self.single()?.comparison.total.baseline_cost.exact())
    }

    /// The exact cost of the alternative pathway.
    #[getter]
    fn alternative_cost(&self) -> PyResult<Decimal> {
        Ok(self.single()?.comparison.total.alternative_cost.exact())
    }

    /// The exact saving: baseline cost minus alternative cost.
    #[getter]
    fn saving(&self) -> PyResult<Decimal> {
        Ok(self.single()?.comparison.total.saving.exact())
    }

    /// The saving as a share of the baseline cost (4 decimals, half-even); ``None`` if the
    /// baseline costs nothing.
    #[getter]
    fn saving_share(&self) -> PyResult<Option<Decimal>> {
        Ok(self.single()?.comparison.saving_share)
    }

    /// The first period from which the blue line stays at or below the red; ``None`` if never.
    #[getter]
    fn break_even(&self) -> PyResult<Option<String>> {
        Ok(self.single()?.comparison.break_even.map(|p| p.to_string()))
    }

    /// One dict per group (one in all when not grouped): ``group``, ``persons``,
    /// ``baseline_cost``, ``alternative_cost``, ``saving`` (exact), ``saving_share``,
    /// ``break_even``.
    #[getter]
    fn totals<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        for g in &self.run.groups {
            let d = PyDict::new(py);
            let c = &g.comparison;
            d.set_item("group", &g.group)?;
            d.set_item("persons", g.persons)?;
            d.set_item("baseline_cost", c.total.baseline_cost.exact())?;
            d.set_item("alternative_cost", c.total.alternative_cost.exact())?;
            d.set_item("saving", c.total.saving.exact())?;
            d.set_item("saving_share", c.saving_share)?;
            d.set_item("break_even", c.break_even.map(|p| p.to_string()))?;
            out.append(d)?;
        }
        Ok(out)
    }

    /// The red and blue lines: ``pathway, period, events, cost, cumulative_cost``.
    #[getter]
    fn series(&self) -> PyResult<Table> {
        table("compare", &self.files, "series.csv")
    }

    /// Who pays and who saves: ``agency, baseline_cost, alternative_cost, saving``, then ``TOTAL``.
    #[getter]
    fn agencies(&self) -> PyResult<Table> {
        table("compare", &self.files, "agencies.csv")
    }

    /// Failure and value demand: ``pathway, demand, events, cost, cost_share``.
    #[getter]
    fn demand(&self) -> PyResult<Table> {
        table("compare", &self.files, "demand.csv")
    }

    /// Failure demand by agency: ``agency, pathway, events, failure_events, cost, failure_cost,
    /// failure_cost_share, failure_contact_share``.
    #[getter]
    fn failure(&self) -> PyResult<Table> {
        table("compare", &self.files, "failure.csv")
    }

    /// The triangle of need: ``pathway, tier, events, cost``.
    #[getter]
    fn tiers(&self) -> PyResult<Table> {
        table("compare", &self.files, "tiers.csv")
    }

    /// The demand trends: ``pathway, periods, slope, intercept``.
    #[getter]
    fn trend(&self) -> PyResult<Table> {
        table("compare", &self.files, "trend.csv")
    }

    /// Per person: ``person_id, baseline_cost, alternative_cost, saving``.
    #[getter]
    fn persons(&self) -> PyResult<Table> {
        table("compare", &self.files, "persons.csv")
    }

    /// ``comparison.json``, as the CLI writes it.
    fn to_json(&self) -> PyResult<String> {
        json(&self.files, "comparison.json")
    }

    /// Writes the CLI's files (``series.csv`` ... ``comparison.json``) to the folder ``out``,
    /// as ``journeycost compare --out`` does: ``out`` is new, empty, or one journeycost wrote,
    /// and it is replaced whole, all at once.
    fn write(&self, py: Python<'_>, out: PathBuf) -> PyResult<Vec<PathBuf>> {
        write(py, &self.files, out, &self.input_files())
    }

    /// Appraises the alternative against the baseline as ``journeycost appraise`` does, with the
    /// keys of a scenario file's ``[appraisal]`` section as keyword arguments: the same rules,
    /// messages and results as the file, with the arguments named in the assumptions log.
    ///
    /// Examples
    /// --------
    /// >>> import journeycost
    /// >>> c = journeycost.Scenario.load("examples/anna/scenario.toml").compare()
    /// >>> a = c.appraise(years="fy", schedule="green-book", deadweight=0.1, intervention_codes=["SS18.10"])
    /// >>> a.price_base, a.schedule
    /// ('2023/24', 'green-book')
    ///
    /// Raises
    /// ------
    /// ScenarioError
    ///     An unknown key or an invalid value, named by its key; a comparison of one person or of
    ///     groups (appraise the comparison of everyone).
    #[pyo3(signature = (**keys))]
    fn appraise(slf: &Bound<'_, Self>, keys: Option<&Bound<'_, PyDict>>) -> PyResult<Appraisal> {
        let py = slf.py();
        let me = slf.get();
        me.of_everyone("appraise")?;
        let table = crate::sections::table(keys, "appraise()", "appraisal")?;
        let pathways = (me.options.baseline.clone(), me.options.alternative.clone());
        let spec =
            run(py, Class::Input, None, |_| journeycost::scenario::appraisal_section(&table, pathways, "appraise()"))?;
        let (inner, files) = match &me.origin {
            CompareOrigin::Scenario(s) => run(py, Class::Input, None, |_| {
                let a = s.get().with(|b| RunBuilder { appraisal: Some(spec), ..b })?.appraise()?;
                let files = a.files();
                Ok((a.appraisal, files))
            })?,
            CompareOrigin::Ledger { ledger, .. } => {
                let l = ledger.get();
                let core = l.core(py)?;
                let (catalogue, inputs) = (l.source.catalogue.clone(), l.inputs.clone());
                let mut spec = spec;
                for a in l.costing_log() {
                    journeycost::appraisal::record(&mut spec.assumptions, a);
                }
                run(py, Class::Input, None, |_| {
                    let a = journeycost::appraisal::appraise(&core, &catalogue, &spec)?;
                    let files = journeycost::output::appraisal_files(&a, &spec.baseline, &spec.alternative, &inputs);
                    Ok((a, files))
                })?
            }
        };
        // A copy of its own, so that a caller changing the dict (or a list in it) later does not
        // change what a pickled result remakes.
        let keys =
            py.import("copy")?.getattr("deepcopy")?.call1((keys.map_or_else(|| PyDict::new(py), Clone::clone),))?;
        let keys = keys.cast_into::<PyDict>()?.unbind();
        Ok(Appraisal { inner, files, made: Made::Comparison { comparison: slf.clone().unbind(), keys } })
    }

    /// Extrapolates the cohort's savings to a national figure as ``journeycost extrapolate``
    /// does, with the keys of a scenario file's ``[extrapolation]`` section (``segments``,
    /// ``draws``, ``seed``, ``schedule``, ``threshold``...) as keyword arguments. ``threads``
    /// (default: every core) never changes the result.
    ///
    /// Examples
    /// --------
    /// >>> import journeycost
    /// >>> c = journeycost.Scenario.load("examples/seven-cases/scenario.toml").compare()
    /// >>> x = c.extrapolate(draws=200, seed=1, segments=[{"name": "all", "count": 1000, "per_case": {"dist": "cohort", "years": 5}}])
    /// >>> x.draws, x.seed
    /// (200, 1)
    ///
    /// Raises
    /// ------
    /// ScenarioError
    ///     An unknown key or an invalid value, named by its key; a comparison of one person or of
    ///     groups.
    #[pyo3(signature = (threads=None, progress=None, **keys))]
    fn extrapolate(
        slf: &Bound<'_, Self>,
        threads: Option<usize>,
        progress: Option<bool>,
        keys: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Extrapolation> {
        let py = slf.py();
        let me = slf.get();
        me.of_everyone("extrapolate")?;
        if threads == Some(0) {
            return Err(ScenarioError::new_err("threads must be at least 1"));
        }
        let threads = threads.unwrap_or_else(journeycost::available_threads);
        let table = crate::sections::table(keys, "extrapolate()", "extrapolation")?;
        let plan =
            run(py, Class::Input, None, |_| journeycost::scenario::extrapolation_section(&table, "extrapolate()"))?;
        let total = Some(plan.spec.draws);
        let (inner, files) = match &me.origin {
            CompareOrigin::Scenario(s) => {
                let r = run(py, Class::Input, None, |_| {
                    s.get().with(|b| RunBuilder { extrapolation: Some(plan), threads: Some(threads), ..b })
                })?;
                run(py, Class::Input, Some(Progress { wanted: progress, total, what: "draws" }), |done| {
                    let report = |n: u64| done.store(n, Ordering::Relaxed);
                    let x = r.extrapolate(Some(&report))?;
                    let files = x.files();
                    Ok((x.result, files))
                })?
            }
            CompareOrigin::Ledger { ledger, .. } => {
                let l = ledger.get();
                let (persons, inputs) = (l.persons.clone(), l.inputs.clone());
                let rows = me.single()?.comparison.persons.clone();
                run(py, Class::Input, Some(Progress { wanted: progress, total, what: "draws" }), |done| {
                    let spec = plan.resolve(&rows, persons.as_deref())?;
                    let report = |n: u64| done.store(n, Ordering::Relaxed);
                    let x = journeycost::extrapolate::extrapolate(&spec, threads, Some(&report))?;
                    let files = journeycost::output::extrapolation_files(&x, &inputs);
                    Ok((x, files))
                })?
            }
        };
        // A copy of its own, so that a caller changing the dict (or a list in it) later does not
        // change what a pickled result remakes.
        let keys =
            py.import("copy")?.getattr("deepcopy")?.call1((keys.map_or_else(|| PyDict::new(py), Clone::clone),))?;
        let keys = keys.cast_into::<PyDict>()?.unbind();
        Ok(Extrapolation { inner, files, made: Made::Comparison { comparison: slf.clone().unbind(), keys } })
    }

    /// The red and blue lines as an SVG chart (of the first group when grouped).
    fn to_svg(&self) -> PyResult<String> {
        let g = self.run.groups.first().ok_or_else(|| JourneyCostError::new_err("the comparison has no groups"))?;
        Ok(self.svg(g))
    }

    /// The red and blue lines as a matplotlib figure (needs matplotlib: ``pip install journeycost[plot]``).
    /// A grouped comparison draws one group: ``group=`` one of its ``totals``' groups.
    #[pyo3(signature = (ax=None, group=None))]
    fn plot<'py>(
        slf: &Bound<'py, Self>,
        ax: Option<Bound<'py, PyAny>>,
        group: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        slf.py().import("journeycost.plot")?.getattr("red_blue")?.call1((slf, ax, group))
    }

    /// Who pays and who saves, by agency, as a matplotlib figure.
    #[pyo3(signature = (ax=None, group=None))]
    fn plot_agencies<'py>(
        slf: &Bound<'py, Self>,
        ax: Option<Bound<'py, PyAny>>,
        group: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        slf.py().import("journeycost.plot")?.getattr("agencies")?.call1((slf, ax, group))
    }

    /// The triangle of need (cost by tier, both pathways) as a matplotlib figure.
    #[pyo3(signature = (ax=None, group=None))]
    fn plot_tiers<'py>(
        slf: &Bound<'py, Self>,
        ax: Option<Bound<'py, PyAny>>,
        group: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        slf.py().import("journeycost.plot")?.getattr("tiers")?.call1((slf, ax, group))
    }

    fn __repr__(&self) -> String {
        let groups: Vec<String> = self
            .run
            .groups
            .iter()
            .map(|g| {
                let c = &g.comparison;
                let name = g.group.as_ref().map(|v| format!("[{v}] ")).unwrap_or_default();
                format!(
                    "{name}{} £{} vs {} £{}: saving £{}, break-even {}",
                    self.options.baseline,
                    c.total.baseline_cost,
                    self.options.alternative,
                    c.total.alternative_cost,
                    c.total.saving,
                    c.break_even.map_or_else(|| "never".to_owned(), |p| p.to_string())
                )
            })
            .collect();
        format!("<Comparison {}>", groups.join("; "))
    }

    fn _repr_html_(&self) -> String {
        let mut out = String::from("<div class=\"journeycost-comparison\">\n");
        for g in &self.run.groups {
            let c = &g.comparison;
            if let Some(v) = &g.group {
                out += &format!("<h4>{} = {}</h4>\n", escape(self.run.by.as_deref().unwrap_or("")), escape(v));
            }
            out += "<table>\n";
            let rows = [
                (format!("{} (red)", self.options.baseline), format!("£{}", c.total.baseline_cost)),
                (format!("{} (blue)", self.options.alternative), format!("£{}", c.total.alternative_cost)),
                ("saving".to_owned(), format!("£{}", c.total.saving)),
                ("break-even".to_owned(), c.break_even.map_or_else(|| "never".to_owned(), |p| p.to_string())),
                ("persons".to_owned(), g.persons.to_string()),
                ("prices".to_owned(), c.price_base.to_string()),
            ];
            for (k, v) in rows {
                out += &format!(
                    "<tr><th style=\"text-align:left\">{}</th><td style=\"text-align:right\">{}</td></tr>\n",
                    escape(&k),
                    escape(&v)
                );
            }
            out += "</table>\n";
            out += &self.svg(g);
            out += "\n";
        }
        out += "</div>\n";
        out
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let me = slf.get();
        match &me.origin {
            CompareOrigin::Ledger { ledger, person, agency_level } => {
                let f = py.import("journeycost._journeycost")?.getattr("compare")?;
                let o = &me.options;
                let args = (
                    ledger.clone_ref(py),
                    o.baseline.clone(),
                    o.alternative.clone(),
                    o.period.to_string(),
                    person.clone(),
                    *agency_level,
                )
                    .into_pyobject(py)?;
                Ok((f, args))
            }
            CompareOrigin::Scenario(s) => Ok((s.bind(py).getattr("compare")?, PyTuple::empty(py))),
        }
    }
}
