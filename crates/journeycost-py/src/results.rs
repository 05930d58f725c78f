//! The results: `Ledger`, `Comparison`, `Appraisal`, `Extrapolation`, and the `Scenario` that
//! makes them from a scenario file, plus the `cost` and `compare` functions.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use journeycost::catalogue::ValueType;
use journeycost::compare::{CompareOptions, ComparisonRun, compare_run};
use journeycost::io::{InputDigest, OutputSet};
use journeycost::journey::Persons;
use journeycost::ledger::Ledger as CoreLedger;
use journeycost::period::PeriodKind;
use journeycost::run::{Loaded, Run, RunBuilder};
use journeycost::{Decimal, Error};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict, PyList, PyTuple};

use crate::errors::{Class, JourneyCostError, ScenarioError};
use crate::inputs::{Catalogue, Events, PriceIndex, parse_year};
use crate::table::{Table, escape, frames, html_table};
use crate::work::{Progress, run};

fn value_types(values: &str) -> PyResult<&'static [ValueType]> {
    ValueType::case(values).map_err(ScenarioError::new_err)
}

fn period(p: &str) -> PyResult<PeriodKind> {
    p.parse().map_err(|m: String| ScenarioError::new_err(m))
}

/// Every CSV table of `command`'s files, by name.
fn tables(command: &str, files: &OutputSet) -> PyResult<Vec<(String, Table)>> {
    files
        .files()
        .iter()
        .filter(|(n, _)| n.ends_with(".csv"))
        .map(|(n, b)| Table::from_csv(command, n, b).map(|t| (n.trim_end_matches(".csv").to_owned(), t)))
        .collect()
}

/// The table `name` of `command`'s files.
fn table(command: &str, files: &OutputSet, name: &str) -> PyResult<Table> {
    let bytes = files.get(name).ok_or_else(|| JourneyCostError::new_err(format!("no {name} in the results")))?;
    Table::from_csv(command, name, bytes)
}

fn json(files: &OutputSet, name: &str) -> PyResult<String> {
    let bytes = files.get(name).ok_or_else(|| JourneyCostError::new_err(format!("no {name} in the results")))?;
    String::from_utf8(bytes.to_vec()).map_err(|e| JourneyCostError::new_err(e.to_string()))
}

/// Makes `out` hold exactly these files (all at once), never replacing one of `inputs`;
/// returns the paths written.
fn write(py: Python<'_>, files: &OutputSet, out: PathBuf, inputs: &[PathBuf]) -> PyResult<Vec<PathBuf>> {
    run(py, Class::Input, None, |_| files.commit(&out, inputs))
}

/// How a ledger was made, so it can be pickled and its catalogue reused.
enum LedgerOrigin {
    Objects {
        events: Py<Events>,
        catalogue: Py<Catalogue>,
        prices: Py<PriceIndex>,
        price_year: Option<String>,
        values: String,
    },
    Scenario(Py<Scenario>),
}

/// A costed ledger: every contact of every person priced at one price base, exactly.
///
/// Made by :func:`cost` or :meth:`Scenario.cost`. ``lines()`` is every costed line;
/// ``monthly()``, ``persons()`` and ``summary()`` are the tables of ``journeycost cost``.
///
/// Examples
/// --------
/// >>> import journeycost
/// >>> ledger = journeycost.cost("examples/anna/events.csv", catalogue="examples/anna/catalogue.csv",
/// ...                           prices="examples/anna/deflators.csv")
/// >>> ledger.price_base, ledger.total
/// ('2023/24', Decimal('107372.5755'))
/// >>> ledger.summary().rows()[-1]["saving"]
/// Decimal('95376.63')
#[pyclass(frozen, module = "journeycost._journeycost")]
pub(crate) struct Ledger {
    /// What the ledger is costed from.
    source: Costed,
    /// The ledger's lines, built when first needed: `cost()` makes the tables of `journeycost
    /// cost` straight from the events, and only `lines()`, `total` and comparisons need lines.
    core: std::sync::OnceLock<Arc<CoreLedger>>,
    persons: Option<Arc<Persons>>,
    inputs: Vec<InputDigest>,
    origin: LedgerOrigin,
    /// The tables of `journeycost cost`, made once when first asked for.
    cost_files: std::sync::OnceLock<OutputSet>,
}

/// The inputs of a ledger, kept to build its lines when they are first needed.
struct Costed {
    journeys: Arc<journeycost::journey::Journeys>,
    catalogue: Arc<journeycost::catalogue::Catalogue>,
    index: Arc<journeycost::prices::PriceIndex>,
    price_base: journeycost::prices::PriceYear,
    values: &'static [ValueType],
}

impl Ledger {
    /// The costing settings given (the price base and value types), for an appraisal's
    /// assumptions log, as the CLI records its flags.
    fn costing_log(&self) -> Vec<journeycost::appraisal::Assumption> {
        use journeycost::appraisal::{Assumption, Origin};
        match &self.origin {
            LedgerOrigin::Scenario(s) => s.get().run.costing_log().to_vec(),
            LedgerOrigin::Objects { price_year, .. } => {
                let mut log = Vec::new();
                if price_year.is_some() {
                    let base = self.source.price_base;
                    log.push(Assumption::given("price_base", &base, Origin::Argument("price_year".into())));
                }
                if self.source.values != [ValueType::Fiscal] {
                    let label = journeycost::appraisal::values_label(self.source.values);
                    log.push(Assumption::given("value_types", &label, Origin::Argument("values".into())));
                }
                log
            }
        }
    }

    /// The ledger's lines, built (without the GIL) the first time they are asked for.
    fn core(&self, py: Python<'_>) -> PyResult<Arc<CoreLedger>> {
        if let Some(l) = self.core.get() {
            return Ok(l.clone());
        }
        let c = &self.source;
        let built = run(py, Class::Input, None, |_| {
            CoreLedger::build_with(&c.journeys, &c.catalogue, &c.index, c.price_base, c.values)
        })?;
        Ok(self.core.get_or_init(|| Arc::new(built)).clone())
    }

    fn comparison(
        slf: &Bound<'_, Ledger>,
        options: CompareOptions,
        person: Option<String>,
        by: Option<String>,
        origin: CompareOrigin,
    ) -> PyResult<Comparison> {
        let py = slf.py();
        let l = slf.get();
        let (ledger, persons, inputs) = (l.core(py)?, l.persons.clone(), l.inputs.clone());
        let (run_, files) = run(py, Class::Input, None, |_| {
            let r = compare_run(&ledger, persons.as_deref(), &options, person.as_deref(), by.as_deref())?;
            let files = journeycost::output::comparison_files(&r, &inputs);
            Ok((r, files))
        })?;
        Ok(Comparison { run: run_, options, files, origin })
    }
}

impl Ledger {
    fn cost_files(&self, py: Python<'_>) -> PyResult<&OutputSet> {
        if let Some(f) = self.cost_files.get() {
            return Ok(f);
        }
        let ledger = self.core(py)?;
        Ok(self.cost_files.get_or_init(|| journeycost::output::cost_tables(&ledger)))
    }
}

#[pymethods]
impl Ledger {
    /// The price base, e.g. ``"2023/24"``.
    #[getter]
    fn price_base(&self) -> String {
        self.source.price_base.to_string()
    }

    /// The exact total cost of every line, as ``decimal.Decimal`` (not rounded).
    #[getter]
    fn total(&self, py: Python<'_>) -> PyResult<Decimal> {
        Ok(self.core(py)?.total().exact())
    }

    /// The value types counted: ``['fiscal']``, or ``['fiscal', 'economic', 'social']``.
    #[getter]
    fn value_types(&self) -> Vec<&'static str> {
        self.source.values.iter().map(|v| v.as_str()).collect()
    }

    /// The pathways, in byte order.
    #[getter]
    fn pathways(&self) -> Vec<String> {
        let mut p: Vec<String> = self.source.journeys.pathways().names().iter().map(ToString::to_string).collect();
        p.sort();
        p
    }

    /// The number of lines: one per point event and value type, one per month of a spell.
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        Ok(self.core(py)?.len())
    }

    /// Every costed line: ``person_id``, ``pathway``, ``month``, ``code``, ``agency``,
    /// ``value_type``, ``tier``, ``demand`` and the exact ``cost`` (a decimal column with as many
    /// decimals as the exact values need).
    fn lines(&self, py: Python<'_>) -> PyResult<Table> {
        let ledger = self.core(py)?;
        run(py, Class::Input, None, |_| {
            journeycost::arrow::ledger_to_batch(&ledger).map_err(|m| {
                Error::new(journeycost::error::Location::source("ledger"), journeycost::ProblemKind::Overflow, m)
            })
        })
        .map(|b| Table::new("lines", b))
    }

    /// ``monthly.csv`` of ``journeycost cost``: events and cost per pathway, agency and month.
    fn monthly(&self, py: Python<'_>) -> PyResult<Table> {
        table("cost", self.cost_files(py)?, "monthly.csv")
    }

    /// ``persons.csv`` of ``journeycost cost``: each person's ``old`` and ``new`` cost.
    fn persons(&self, py: Python<'_>) -> PyResult<Table> {
        table("cost", self.cost_files(py)?, "persons.csv")
    }

    /// ``summary.csv`` of ``journeycost cost``: each agency's ``old`` and ``new`` cost, then ``TOTAL``.
    fn summary(&self, py: Python<'_>) -> PyResult<Table> {
        table("cost", self.cost_files(py)?, "summary.csv")
    }

    /// Compares two pathways of this ledger: the same as :func:`compare`.
    #[pyo3(signature = (baseline="old", alternative="new", period="month", person=None, agency_level=1))]
    fn compare(
        slf: &Bound<'_, Self>,
        baseline: &str,
        alternative: &str,
        period: &str,
        person: Option<String>,
        agency_level: u8,
    ) -> PyResult<Comparison> {
        compare(slf, baseline, alternative, period, person, agency_level)
    }

    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        crate::arrow_ffi::export_stream(py, self.lines(py)?.batch)
    }

    /// ``lines()`` as a ``pyarrow.Table``.
    fn to_arrow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        frames(py, "to_arrow", Bound::new(py, self.lines(py)?)?.as_any())
    }

    /// ``lines()`` as a pandas DataFrame (cost as ``Decimal``).
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        frames(py, "to_pandas", Bound::new(py, self.lines(py)?)?.as_any())
    }

    /// ``lines()`` as a polars DataFrame (cost as ``pl.Decimal``).
    fn to_polars<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        frames(py, "to_polars", Bound::new(py, self.lines(py)?)?.as_any())
    }

    fn __repr__(&self) -> String {
        let j = &self.source.journeys;
        format!(
            "<Ledger of {} events of {} persons on pathways {}, at {} prices>",
            j.len(),
            j.persons().len(),
            self.pathways().join(", "),
            self.source.price_base
        )
    }

    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("<p>{}</p>\n{}", escape(&self.__repr__()), html_table(py, &self.summary(py)?, 30)?))
    }

    /// Rebuilds a ledger from its inputs (pickling).
    #[staticmethod]
    #[pyo3(signature = (events, catalogue, prices, price_year, values))]
    fn _rebuild(
        py: Python<'_>,
        events: &Bound<'_, PyAny>,
        catalogue: &Bound<'_, PyAny>,
        prices: &Bound<'_, PyAny>,
        price_year: Option<Bound<'_, PyAny>>,
        values: &str,
    ) -> PyResult<Ledger> {
        cost(py, events, Some(catalogue), Some(prices), price_year, values, Some(false))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        match &slf.get().origin {
            LedgerOrigin::Objects { events, catalogue, prices, price_year, values } => {
                let args = (
                    events.clone_ref(py),
                    catalogue.clone_ref(py),
                    prices.clone_ref(py),
                    price_year.clone(),
                    values.clone(),
                )
                    .into_pyobject(py)?;
                Ok((slf.get_type().getattr("_rebuild")?, args))
            }
            LedgerOrigin::Scenario(s) => {
                let bound = s.bind(py);
                Ok((bound.getattr("cost")?, PyTuple::empty(py)))
            }
        }
    }
}

/// Costs events with a catalogue and price index.
///
/// Parameters
/// ----------
/// events : Events, path, DataFrame, Arrow table or list of dicts
///     The events; anything but :class:`Events` is read as :class:`Events` would read it.
/// catalogue : Catalogue, path or list of them, optional
///     The unit costs; default the built-in Unit Cost Database. A list is layered.
/// prices : PriceIndex or path, optional
///     The price index; default the built-in HM Treasury GDP deflator.
/// price_year : str or int, optional
///     The price base (``"2023/24"`` or ``2024``); default the index's latest year.
/// values : {"fiscal", "public"}
///     Count the fiscal cost only (the financial case), or economic and social values too.
/// progress : bool, optional
///     Show a progress bar for runs over a second; default: only in an interactive session.
///
/// Returns
/// -------
/// Ledger
///
/// Raises
/// ------
/// InputError
///     With every problem in ``problems``: unknown codes, missing price years, bad rows.
#[pyfunction]
#[pyo3(signature = (events, catalogue=None, prices=None, price_year=None, values="fiscal", progress=None))]
pub(crate) fn cost(
    py: Python<'_>,
    events: &Bound<'_, PyAny>,
    catalogue: Option<&Bound<'_, PyAny>>,
    prices: Option<&Bound<'_, PyAny>>,
    price_year: Option<Bound<'_, PyAny>>,
    values: &str,
    progress: Option<bool>,
) -> PyResult<Ledger> {
    let types = value_types(values)?;
    let year = price_year.as_ref().filter(|y| !y.is_none()).map(parse_year).transpose()?;
    let catalogue = Catalogue::coerce(py, catalogue)?;
    // A file of events is read against the catalogue, so unknown codes come with their lines.
    let events = if Events::is_path(events)? {
        let path: PathBuf = events.extract()?;
        Py::new(py, Events::read_csv(py, &path, Some(&catalogue.get().inner))?)?
    } else {
        Events::coerce(py, events)?
    };
    let prices = PriceIndex::coerce(py, prices)?;
    let (j, c, p) = (events.get().inner.clone(), catalogue.get().inner.clone(), prices.get().inner.clone());
    let source = prices.get().source_name();
    let Some(base) = year.or_else(|| p.latest_outturn()) else {
        let e = Error::new(
            journeycost::error::Location::source(&source),
            journeycost::ProblemKind::Empty,
            "the price index has no years",
        );
        return Err(crate::errors::to_py(py, &e, Class::Input));
    };
    let core = std::sync::OnceLock::new();
    let cost_files = std::sync::OnceLock::new();
    let threads = journeycost::available_threads();
    if types == [ValueType::Fiscal] {
        // The tables of `journeycost cost`, straight from the events on every core; this also
        // checks the costing (codes, price years, exact sums). Lines wait until asked for.
        let files = run(py, Class::Input, Some(Progress { wanted: progress, total: None, what: "costing" }), |_| {
            journeycost::run::cost_tables_of(&j, &c, &p, base, threads)
        })?;
        let _ = cost_files.set(files);
    } else {
        let ledger = run(py, Class::Input, Some(Progress { wanted: progress, total: None, what: "costing" }), |_| {
            CoreLedger::build_with(&j, &c, &p, base, types)
        })?;
        let _ = core.set(Arc::new(ledger));
    }
    // Provenance, as the CLI records it: every catalogue layer, the price index, and the
    // events when they come from a file.
    let mut inputs = catalogue.get().digests();
    inputs.push(prices.get().digest());
    inputs.extend(events.get().digest().map_err(|e| crate::errors::to_py(py, &e, Class::Input))?);
    Ok(Ledger {
        source: Costed { journeys: j, catalogue: c, index: p, price_base: base, values: types },
        core,
        persons: None,
        inputs,
        origin: LedgerOrigin::Objects {
            events,
            catalogue,
            prices,
            price_year: year.map(|y| y.to_string()),
            values: values.to_owned(),
        },
        cost_files,
    })
}

/// How a comparison was made, for pickling.
enum CompareOrigin {
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
    run: ComparisonRun,
    options: CompareOptions,
    files: OutputSet,
    origin: CompareOrigin,
}

impl Comparison {
    /// The input files: what an output folder may not hold.
    fn input_files(&self) -> Vec<PathBuf> {
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
    fn of_everyone(&self, what: &str) -> PyResult<()> {
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

    fn single(&self) -> PyResult<&journeycost::compare::GroupComparison> {
        match self.run.groups.as_slice() {
            [one] => Ok(one),
            _ => Err(JourneyCostError::new_err(format!(
                "this comparison is grouped by {:?} ({} groups): see `totals` and the tables, whose first column is the group",
                self.run.by.as_deref().unwrap_or(""),
                self.run.groups.len()
            ))),
        }
    }

    fn svg(&self, g: &journeycost::compare::GroupComparison) -> String {
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

/// A Green Book appraisal of the alternative against the baseline: present values, NPV, BCR,
/// ROI, payback, and the tables of ``journeycost appraise``.
#[pyclass(frozen, module = "journeycost._journeycost")]
pub(crate) struct Appraisal {
    inner: journeycost::appraisal::Appraisal,
    files: OutputSet,
    made: Made,
}

/// What an appraisal or extrapolation was made from: to write it beside (never over) its inputs,
/// and to make it again in another process.
enum Made {
    /// `Scenario.appraise()` or `Scenario.extrapolate()`.
    Scenario(Py<Scenario>),
    /// `Comparison.appraise(**keys)` or `Comparison.extrapolate(**keys)`.
    Comparison { comparison: Py<Comparison>, keys: Py<PyDict> },
}

impl Made {
    fn input_files(&self) -> Vec<PathBuf> {
        match self {
            Made::Scenario(s) => s.get().run.files(),
            Made::Comparison { comparison, .. } => comparison.get().input_files(),
        }
    }

    /// `(callable, args)` for `__reduce__`: the method that made the result, with `args` (a
    /// scenario's) or the keyword arguments it was given.
    fn reduce<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        args: Bound<'py, PyTuple>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        match self {
            Made::Scenario(s) => Ok((s.bind(py).getattr(method)?, args)),
            Made::Comparison { comparison, keys } => {
                let bound = comparison.bind(py).getattr(method)?;
                let partial = py.import("functools")?.getattr("partial")?.call((bound,), Some(keys.bind(py)))?;
                Ok((partial, PyTuple::empty(py)))
            }
        }
    }
}

#[pymethods]
impl Appraisal {
    /// Present value of the benefits, after adjustments (exact).
    #[getter]
    fn pv_benefits(&self) -> Decimal {
        self.inner.pv_benefits.exact()
    }

    /// Present value of the benefits before adjustments, over the observed years.
    #[getter]
    fn pv_gross_benefits(&self) -> Decimal {
        self.inner.pv_gross_benefits.exact()
    }

    /// Present value of the costs (exact).
    #[getter]
    fn pv_costs(&self) -> Decimal {
        self.inner.pv_costs.exact()
    }

    /// Net present value: benefits minus costs (exact).
    #[getter]
    fn npv(&self) -> Decimal {
        self.inner.npv.exact()
    }

    /// Benefit-cost ratio; ``None`` with no costs.
    #[getter]
    fn bcr(&self) -> Option<Decimal> {
        self.inner.bcr
    }

    /// Return on investment; ``None`` with no costs.
    #[getter]
    fn roi(&self) -> Option<Decimal> {
        self.inner.roi
    }

    /// The discounted payback period; ``None`` if not within the horizon.
    #[getter]
    fn payback(&self) -> Option<String> {
        self.inner.payback.clone()
    }

    /// The discount schedule used.
    #[getter]
    fn schedule(&self) -> String {
        self.inner.schedule.clone()
    }

    /// The price base.
    #[getter]
    fn price_base(&self) -> String {
        self.inner.price_base.to_string()
    }

    /// Every table of ``journeycost appraise``, by name (``years``, ``who_pays``, ...).
    #[getter]
    fn tables(&self) -> PyResult<Vec<(String, Table)>> {
        tables("appraise", &self.files)
    }

    /// ``appraisal.json``, as the CLI writes it.
    fn to_json(&self) -> PyResult<String> {
        json(&self.files, "appraisal.json")
    }

    /// Writes the CLI's files to the folder ``out``, as the CLI's ``--out`` does: ``out`` is
    /// new, empty, or one journeycost wrote, and it is replaced whole, all at once.
    fn write(&self, py: Python<'_>, out: PathBuf) -> PyResult<Vec<PathBuf>> {
        write(py, &self.files, out, &self.made.input_files())
    }

    fn __repr__(&self) -> String {
        let ratio = |r: Option<Decimal>| r.map_or_else(|| "n/a".to_owned(), |v| v.to_string());
        format!(
            "<Appraisal NPV £{}, BCR {}, ROI {}, payback {} ({} discounting, {} prices)>",
            self.inner.npv,
            ratio(self.inner.bcr),
            ratio(self.inner.roi),
            self.inner.payback.as_deref().unwrap_or("not within the horizon"),
            self.inner.schedule,
            self.inner.price_base
        )
    }

    fn _repr_html_(&self) -> String {
        let ratio = |r: Option<Decimal>| r.map_or_else(|| "n/a".to_owned(), |v| v.to_string());
        let rows = [
            ("PV benefits", format!("£{}", self.inner.pv_benefits)),
            ("PV costs", format!("£{}", self.inner.pv_costs)),
            ("NPV", format!("£{}", self.inner.npv)),
            ("BCR", ratio(self.inner.bcr)),
            ("ROI", ratio(self.inner.roi)),
            ("payback", self.inner.payback.clone().unwrap_or_else(|| "not within the horizon".to_owned())),
            ("discounting", self.inner.schedule.clone()),
        ];
        let mut out = String::from("<table>\n");
        for (k, v) in rows {
            out += &format!(
                "<tr><th style=\"text-align:left\">{k}</th><td style=\"text-align:right\">{}</td></tr>\n",
                escape(&v)
            );
        }
        out + "</table>\n"
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        slf.get().made.reduce(py, "appraise", PyTuple::empty(py))
    }
}

/// A Monte Carlo extrapolation to a national figure, with its uncertainty. Statistics are
/// floats (computed after the exact ledger is summed); money in the tables is in pounds.
#[pyclass(frozen, module = "journeycost._journeycost")]
pub(crate) struct Extrapolation {
    inner: journeycost::extrapolate::Extrapolation,
    files: OutputSet,
    made: Made,
}

fn summary<'py>(py: Python<'py>, s: &journeycost::extrapolate::Summary) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("mean", s.mean)?;
    d.set_item("sd", s.sd)?;
    d.set_item("min", s.min)?;
    d.set_item("median", s.median)?;
    d.set_item("max", s.max)?;
    let p = PyDict::new(py);
    for (q, v) in &s.percentiles {
        p.set_item(q, v)?;
    }
    d.set_item("percentiles", p)?;
    d.set_item("prob_below_zero", s.prob_below_zero)?;
    d.set_item("prob_below_threshold", s.prob_below_threshold)?;
    Ok(d)
}

#[pymethods]
impl Extrapolation {
    /// The number of draws.
    #[getter]
    fn draws(&self) -> u64 {
        self.inner.draws
    }

    /// The seed: the same seed gives the same draws, on any number of threads.
    #[getter]
    fn seed(&self) -> u64 {
        self.inner.seed
    }

    /// The headline: the annual saving after adjustments (``mean``, ``sd``, ``min``,
    /// ``median``, ``max``, ``percentiles``, ``prob_below_zero``, ``prob_below_threshold``).
    #[getter]
    fn net_annual<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        summary(py, &self.inner.net_annual)
    }

    /// The annual saving before adjustments.
    #[getter]
    fn gross_annual<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        summary(py, &self.inner.gross_annual)
    }

    /// The discounted multi-year saving after adjustments.
    #[getter]
    fn net_discounted<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        summary(py, &self.inner.net_discounted)
    }

    /// Every table of ``journeycost extrapolate``, by name (``summary``, ``draws``, ``tornado``, ...).
    #[getter]
    fn tables(&self) -> PyResult<Vec<(String, Table)>> {
        tables("extrapolate", &self.files)
    }

    /// ``extrapolation.json``, as the CLI writes it.
    fn to_json(&self) -> PyResult<String> {
        json(&self.files, "extrapolation.json")
    }

    /// Writes the CLI's files to the folder ``out``, as the CLI's ``--out`` does: ``out`` is
    /// new, empty, or one journeycost wrote, and it is replaced whole, all at once.
    fn write(&self, py: Python<'_>, out: PathBuf) -> PyResult<Vec<PathBuf>> {
        write(py, &self.files, out, &self.made.input_files())
    }

    /// The distribution of the net annual saving as a matplotlib figure.
    #[pyo3(signature = (ax=None))]
    fn plot<'py>(slf: &Bound<'py, Self>, ax: Option<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        slf.py().import("journeycost.plot")?.getattr("extrapolation")?.call1((slf, ax))
    }

    fn __repr__(&self) -> String {
        let n = &self.inner.net_annual;
        let pct = |p: f64| n.percentiles.iter().find(|(q, _)| (*q - p).abs() < 1e-9).map_or(f64::NAN, |(_, v)| *v);
        format!(
            "<Extrapolation {} draws (seed {}): net annual saving median £{:.2}bn, 90% interval £{:.2}bn to £{:.2}bn, P(<0) {:.1}%>",
            self.inner.draws,
            self.inner.seed,
            n.median / 1e9,
            pct(5.0) / 1e9,
            pct(95.0) / 1e9,
            n.prob_below_zero * 100.0
        )
    }

    fn _repr_html_(&self) -> String {
        format!("<p>{}</p>", escape(&self.__repr__()))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let x = &slf.get().inner;
        let args = (x.draws, x.seed).into_pyobject(py)?;
        slf.get().made.reduce(py, "extrapolate", args)
    }
}

/// A scenario file (``scenario.toml``): the inputs and every option of a run, so that a
/// notebook, the CLI and a colleague reproduce the same numbers.
///
/// Examples
/// --------
/// >>> import journeycost
/// >>> anna = journeycost.Scenario.load("examples/anna/scenario.toml")
/// >>> anna.title
/// 'Anna: five years of unmet need, the old way and the new'
/// >>> anna.compare().saving
/// Decimal('95376.6255')
#[pyclass(frozen, module = "journeycost._journeycost")]
pub(crate) struct Scenario {
    /// The run the scenario describes, with nothing else given.
    run: Run,
    /// The scenario as read when loaded: every run made from this object uses it.
    parsed: journeycost::scenario::Scenario,
    path: PathBuf,
}

impl Scenario {
    /// The run of this scenario (as loaded) with `more` given too (arguments of a method).
    fn with(&self, more: impl FnOnce(RunBuilder) -> RunBuilder) -> Result<Run, Error> {
        more(Run::builder().parsed(self.path.clone(), self.parsed.clone())).build()
    }

    fn ledger(slf: &Bound<'_, Self>, progress: Option<bool>) -> PyResult<Ledger> {
        let py = slf.py();
        let me = slf.get();
        let loaded = run(py, Class::Input, Some(Progress { wanted: progress, total: None, what: "costing" }), |_| {
            me.run.load()
        })?;
        let Loaded { inputs, ledger, digests } = loaded;
        let core = std::sync::OnceLock::new();
        let price_base = ledger.price_base();
        let _ = core.set(Arc::new(ledger));
        Ok(Ledger {
            source: Costed {
                journeys: Arc::new(inputs.journeys),
                catalogue: Arc::new(inputs.catalogue),
                index: Arc::new(inputs.index),
                price_base,
                values: me.run.values(),
            },
            core,
            persons: inputs.persons.map(Arc::new),
            inputs: digests,
            origin: LedgerOrigin::Scenario(slf.clone().unbind()),
            cost_files: std::sync::OnceLock::new(),
        })
    }
}

#[pymethods]
impl Scenario {
    /// Reads a scenario file; its paths are relative to the file.
    ///
    /// Raises
    /// ------
    /// ScenarioError
    ///     With the line and key of every problem.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Scenario> {
        // Held as an absolute path, so the scenario (and what is made from it) works from any
        // working directory, and in worker processes.
        let path = std::path::absolute(&path).unwrap_or(path);
        run(py, Class::Input, None, |_| {
            let parsed = journeycost::scenario::Scenario::load(&path)?;
            let r = Run::builder().parsed(path.clone(), parsed.clone()).build()?;
            Ok(Scenario { run: r, parsed, path })
        })
    }

    /// The scenario's title.
    #[getter]
    fn title(&self) -> Option<String> {
        self.run.title().map(str::to_owned)
    }

    /// The scenario file.
    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// The input files: ``catalogue`` (a list), ``deflators``, ``events``, ``persons``.
    #[getter]
    fn inputs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let i = self.run.paths();
        d.set_item("catalogue", i.catalogue.clone())?;
        d.set_item("deflators", i.deflators.clone())?;
        d.set_item("events", i.events.clone())?;
        d.set_item("persons", i.persons.clone())?;
        Ok(d)
    }

    /// Whether the scenario has an ``[appraisal]`` section.
    #[getter]
    fn has_appraisal(&self) -> bool {
        self.run.has_appraisal()
    }

    /// Whether the scenario has an ``[extrapolation]`` section.
    #[getter]
    fn has_extrapolation(&self) -> bool {
        self.run.extrapolation_plan().is_some()
    }

    /// The scenario's events, as :class:`Events`.
    fn events(&self, py: Python<'_>) -> PyResult<Py<Events>> {
        let path = self.run.paths().events.clone();
        Events::coerce(py, path.into_pyobject(py)?.as_any())
    }

    /// Costs the scenario's inputs (as ``journeycost validate`` checks them).
    #[pyo3(signature = (progress=None))]
    fn cost(slf: &Bound<'_, Self>, progress: Option<bool>) -> PyResult<Ledger> {
        Scenario::ledger(slf, progress)
    }

    /// Compares as ``journeycost compare scenario.toml`` does, with the same tables.
    fn compare(slf: &Bound<'_, Self>) -> PyResult<Comparison> {
        let ledger = Bound::new(slf.py(), Scenario::ledger(slf, None)?)?;
        let r = &slf.get().run;
        let (sc, options) = (r.compare_section(), r.compare_options(PeriodKind::Month));
        Ledger::comparison(
            &ledger,
            options,
            sc.person.clone(),
            sc.by.clone(),
            CompareOrigin::Scenario(slf.clone().unbind()),
        )
    }

    /// Appraises as ``journeycost appraise scenario.toml`` does.
    fn appraise(slf: &Bound<'_, Self>) -> PyResult<Appraisal> {
        let py = slf.py();
        let me = slf.get();
        let appraised = run(py, Class::Input, None, |_| me.run.appraise())?;
        let files = appraised.files();
        let inner = appraised.appraisal;
        Ok(Appraisal { inner, files, made: Made::Scenario(slf.clone().unbind()) })
    }

    /// Extrapolates as ``journeycost extrapolate scenario.toml`` does. ``draws`` and ``seed``
    /// override the scenario's; ``threads`` (default: every core) never changes the result.
    #[pyo3(signature = (draws=None, seed=None, threads=None, progress=None))]
    fn extrapolate(
        slf: &Bound<'_, Self>,
        draws: Option<u64>,
        seed: Option<u64>,
        threads: Option<usize>,
        progress: Option<bool>,
    ) -> PyResult<Extrapolation> {
        let py = slf.py();
        let me = slf.get();
        if me.run.extrapolation_plan().is_none() {
            return Err(ScenarioError::new_err(
                "extrapolate needs a scenario with an [extrapolation] section (see docs/extrapolation.md)",
            ));
        }
        let with = run(py, Class::Input, None, |_| me.with(|b| RunBuilder { draws, seed, threads, ..b }))?;
        let total = with.draws();
        let (inner, files) =
            run(py, Class::Input, Some(Progress { wanted: progress, total, what: "draws" }), |done| {
                let report = |n: u64| done.store(n, Ordering::Relaxed);
                let x = with.extrapolate(Some(&report))?;
                let files = x.files();
                Ok((x.result, files))
            })?;
        Ok(Extrapolation { inner, files, made: Made::Scenario(slf.clone().unbind()) })
    }

    /// Writes the report of ``journeycost report scenario.toml --out out_dir`` (HTML, Markdown,
    /// charts, CSV and ``results.json``, with disclosure control) and returns the path of its
    /// ``index.html``. Nothing is written if anything fails.
    ///
    /// Parameters
    /// ----------
    /// out_dir : path
    /// suppress_below : int, optional
    ///     Counts below this are suppressed (default: the scenario's, else 5; 0 turns it off).
    /// key : str, optional
    ///     The pseudonym key, at least 16 bytes; default a random key for this report only.
    /// templates : path, optional
    ///     A folder of templates replacing the built-in ones.
    /// timestamp : str, optional
    ///     A timestamp to print (none by default, so reports reproduce byte for byte).
    /// by : str, optional
    ///     A persons column to break the cohort down by (default: the scenario's ``[compare] by``).
    /// protection_margin : float, optional
    ///     No suppressed value may be narrowed, from what the report publishes, to an interval of
    ///     this share of it or less (default 0.5).
    ///
    /// Raises
    /// ------
    /// DisclosureError
    ///     When disclosure control cannot protect the report; nothing is written. Free-text
    ///     notes are never published.
    #[pyo3(signature = (out_dir, suppress_below=None, key=None, templates=None, timestamp=None, by=None, protection_margin=None))]
    #[allow(clippy::too_many_arguments)]
    fn report(
        &self,
        py: Python<'_>,
        out_dir: PathBuf,
        suppress_below: Option<u64>,
        key: Option<String>,
        templates: Option<PathBuf>,
        timestamp: Option<String>,
        by: Option<String>,
        protection_margin: Option<f64>,
    ) -> PyResult<PathBuf> {
        run(py, Class::Input, None, |_| {
            let with = self.with(|b| RunBuilder { suppress_below, by, ..b })?;
            let inputs: Vec<PathBuf> = with.files().into_iter().chain(templates.clone()).collect();
            let opts = journeycost_report::ReportOptions {
                key: key.map(String::into_bytes),
                protection_margin: protection_margin.unwrap_or(journeycost_report::DEFAULT_PROTECTION_MARGIN),
                template_dir: templates,
                timestamp,
                ..journeycost_report::ReportOptions::of(&with)
            };
            journeycost::io::check_out_dir(&out_dir, &inputs)?;
            journeycost_report::report(&with, opts)?.files.commit(&out_dir, &inputs)
        })?;
        Ok(out_dir.join("index.html"))
    }

    fn __repr__(&self) -> String {
        format!("<Scenario {:?} from {}>", self.run.title().unwrap_or(""), self.path.display())
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        Ok((slf.get_type().getattr("load")?, (slf.get().path.clone(),).into_pyobject(py)?))
    }
}
