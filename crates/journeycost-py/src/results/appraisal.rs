//! `Appraisal`: a Green Book appraisal, and what it (or an extrapolation) was made from.

use std::path::PathBuf;

use journeycost::Decimal;
use journeycost::io::OutputSet;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::table::{Table, escape};

use super::{Comparison, Scenario, json, tables, write};

/// A Green Book appraisal of the alternative against the baseline: present values, NPV, BCR,
/// ROI, payback, and the tables of ``journeycost appraise``.
#[pyclass(frozen, module = "journeycost._journeycost")]
pub(crate) struct Appraisal {
    pub(super) inner: journeycost::appraisal::Appraisal,
    pub(super) files: OutputSet,
    pub(super) made: Made,
}

/// What an appraisal or extrapolation was made from: to write it beside (never over) its inputs,
/// and to make it again in another process.
pub(super) enum Made {
    /// `Scenario.appraise()` or `Scenario.extrapolate()`.
    Scenario(Py<Scenario>),
    /// `Comparison.appraise(**keys)` or `Comparison.extrapolate(**keys)`.
    Comparison { comparison: Py<Comparison>, keys: Py<PyDict> },
}

impl Made {
    pub(super) fn input_files(&self) -> Vec<PathBuf> {
        match self {
            Made::Scenario(s) => s.get().run.files(),
            Made::Comparison { comparison, .. } => comparison.get().input_files(),
        }
    }

    /// `(callable, args)` for `__reduce__`: the method that made the result, with `args` (a
    /// scenario's) or the keyword arguments it was given.
    pub(super) fn reduce<'py>(
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
