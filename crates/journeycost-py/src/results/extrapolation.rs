//! `Extrapolation`: a Monte Carlo extrapolation to a national figure.

use std::path::PathBuf;

use journeycost::io::OutputSet;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::table::{Table, escape};

use super::{Made, json, tables, write};

/// A Monte Carlo extrapolation to a national figure, with its uncertainty. Statistics are
/// floats (computed after the exact ledger is summed); money in the tables is in pounds.
#[pyclass(frozen, module = "journeycost._journeycost")]
pub(crate) struct Extrapolation {
    pub(super) inner: journeycost::extrapolate::Extrapolation,
    pub(super) files: OutputSet,
    pub(super) made: Made,
}

pub(super) fn summary<'py>(py: Python<'py>, s: &journeycost::extrapolate::Summary) -> PyResult<Bound<'py, PyDict>> {
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
