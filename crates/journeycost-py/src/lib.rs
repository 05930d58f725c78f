//! Python bindings: conversions and exceptions only; every number comes from `journeycost`.
#![forbid(unsafe_code)]
#![allow(missing_docs)]

use std::path::PathBuf;

use journeycost::compare::{CompareOptions, compare as compare_ledger};
use journeycost::io::{InputPaths, Inputs};
use journeycost::ledger::Ledger as CoreLedger;
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

create_exception!(_journeycost, JourneyCostError, PyValueError, "The base of every journeycost error.");
create_exception!(_journeycost, InputError, JourneyCostError, "Bad input: `problems` lists every problem found.");

/// Converts a library error into `InputError`, with every problem as a dict.
fn to_py(py: Python<'_>, e: &journeycost::Error) -> PyErr {
    let problems = PyList::empty(py);
    for p in e.problems() {
        let d = PyDict::new(py);
        let _ = d.set_item("source", &p.location.source);
        let _ = d.set_item("line", p.location.line);
        let _ = d.set_item("field", p.location.field.clone());
        let _ = d.set_item("kind", p.kind.as_str());
        let _ = d.set_item("message", &p.message);
        let _ = problems.append(d);
    }
    let err = InputError::new_err(e.to_string());
    let _ = err.value(py).setattr("problems", problems);
    err
}

/// A costed ledger: every contact priced at one price base.
#[pyclass(module = "journeycost._journeycost", frozen)]
struct Ledger {
    inner: CoreLedger,
}

#[pymethods]
impl Ledger {
    /// The price base, e.g. `"2023/24"`.
    #[getter]
    fn price_base(&self) -> String {
        self.inner.price_base().to_string()
    }

    /// The exact total cost of every line, as `decimal.Decimal`.
    #[getter]
    fn total(&self) -> journeycost::Decimal {
        self.inner.total().exact()
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __repr__(&self) -> String {
        format!("<Ledger {} lines at {} prices, total £{}>", self.inner.len(), self.inner.price_base(), self.inner.total())
    }
}

/// Costs the events of `events` (a CSV file) with a catalogue and price index (CSV files; the
/// built-in Unit Cost Database and HM Treasury deflator when omitted).
#[pyfunction]
#[pyo3(signature = (events, catalogue=None, prices=None, price_year=None))]
fn cost(
    py: Python<'_>,
    events: PathBuf,
    catalogue: Option<PathBuf>,
    prices: Option<PathBuf>,
    price_year: Option<&str>,
) -> PyResult<Ledger> {
    let year = match price_year {
        Some(y) => Some(y.parse().map_err(|e: journeycost::prices::PriceYearError| JourneyCostError::new_err(e.to_string()))?),
        None => None,
    };
    let paths = InputPaths { catalogue: catalogue.into_iter().collect(), deflators: prices, events, persons: None };
    let ledger = py
        .detach(|| Inputs::load(&paths, year).and_then(|i| CoreLedger::build(&i.journeys, &i.catalogue, &i.index, i.price_base)))
        .map_err(|e| to_py(py, &e))?;
    Ok(Ledger { inner: ledger })
}

/// Compares two pathways: a dict with `total` and `agencies` (money as `decimal.Decimal`),
/// `break_even` and `saving_share`.
#[pyfunction]
#[pyo3(signature = (ledger, baseline="old", alternative="new", period="month"))]
fn compare<'py>(py: Python<'py>, ledger: &Ledger, baseline: &str, alternative: &str, period: &str) -> PyResult<Bound<'py, PyDict>> {
    let period = period.parse().map_err(JourneyCostError::new_err)?;
    let opts = CompareOptions { baseline: baseline.to_owned(), alternative: alternative.to_owned(), period, agency_detail: false };
    let c = compare_ledger(&ledger.inner, &opts, None).map_err(|e| to_py(py, &e))?;
    let out = PyDict::new(py);
    let row = |a: &journeycost::compare::AgencyRow| -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("agency", &a.agency)?;
        d.set_item("baseline_cost", a.baseline_cost.exact())?;
        d.set_item("alternative_cost", a.alternative_cost.exact())?;
        d.set_item("saving", a.saving.exact())?;
        Ok(d)
    };
    out.set_item("total", row(&c.total)?)?;
    let agencies = PyList::empty(py);
    for a in &c.agencies {
        agencies.append(row(a)?)?;
    }
    out.set_item("agencies", agencies)?;
    out.set_item("break_even", c.break_even.map(|p| p.to_string()))?;
    out.set_item("saving_share", c.saving_share)?;
    out.set_item("price_base", c.price_base.to_string())?;
    Ok(out)
}

#[pymodule]
fn _journeycost(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("JourneyCostError", m.py().get_type::<JourneyCostError>())?;
    m.add("InputError", m.py().get_type::<InputError>())?;
    m.add("__version__", journeycost::output::VERSION)?;
    m.add_class::<Ledger>()?;
    m.add_function(wrap_pyfunction!(cost, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    Ok(())
}
