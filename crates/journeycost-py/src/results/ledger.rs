//! `Ledger`: a costed ledger, and the `cost` function that makes one.

use std::path::PathBuf;
use std::sync::Arc;

use journeycost::catalogue::ValueType;
use journeycost::compare::{CompareOptions, compare_run};
use journeycost::io::{InputDigest, OutputSet};
use journeycost::journey::Persons;
use journeycost::ledger::Ledger as CoreLedger;
use journeycost::{Decimal, Error};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyTuple};

use crate::errors::Class;
use crate::inputs::{Catalogue, Events, PriceIndex, parse_year};
use crate::table::{Table, escape, frames, html_table};
use crate::work::{Progress, run};

use super::{CompareOrigin, Comparison, Scenario, compare, table, value_types};

/// How a ledger was made, so it can be pickled and its catalogue reused.
pub(super) enum LedgerOrigin {
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
    pub(super) source: Costed,
    /// The ledger's lines, built when first needed: `cost()` makes the tables of `journeycost
    /// cost` straight from the events, and only `lines()`, `total` and comparisons need lines.
    pub(super) core: std::sync::OnceLock<Arc<CoreLedger>>,
    pub(super) persons: Option<Arc<Persons>>,
    pub(super) inputs: Vec<InputDigest>,
    pub(super) origin: LedgerOrigin,
    /// The tables of `journeycost cost`, made once when first asked for.
    pub(super) cost_files: std::sync::OnceLock<OutputSet>,
}

/// The inputs of a ledger, kept to build its lines when they are first needed.
pub(super) struct Costed {
    pub(super) journeys: Arc<journeycost::journey::Journeys>,
    pub(super) catalogue: Arc<journeycost::catalogue::Catalogue>,
    pub(super) index: Arc<journeycost::prices::PriceIndex>,
    pub(super) price_base: journeycost::prices::PriceYear,
    pub(super) values: &'static [ValueType],
}

impl Ledger {
    /// The costing settings given (the price base and value types), for an appraisal's
    /// assumptions log, as the CLI records its flags.
    pub(super) fn costing_log(&self) -> Vec<journeycost::appraisal::Assumption> {
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
    pub(super) fn core(&self, py: Python<'_>) -> PyResult<Arc<CoreLedger>> {
        if let Some(l) = self.core.get() {
            return Ok(l.clone());
        }
        let c = &self.source;
        let built = run(py, Class::Input, None, |_| {
            CoreLedger::build_with(&c.journeys, &c.catalogue, &c.index, c.price_base, c.values)
        })?;
        Ok(self.core.get_or_init(|| Arc::new(built)).clone())
    }

    pub(super) fn comparison(
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
    pub(super) fn cost_files(&self, py: Python<'_>) -> PyResult<&OutputSet> {
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
