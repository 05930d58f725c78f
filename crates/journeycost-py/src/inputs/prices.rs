//! `PriceIndex`: a price index (deflators), built in or from a file.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use journeycost::error::Location;
use journeycost::io::read_deflators;
use journeycost::prices::{PriceIndex as CorePriceIndex, PriceYear};
use journeycost::{Decimal, Error, ProblemKind};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString, PyTuple};

use crate::errors::{Class, to_py};
use crate::table::Table;
use crate::work::run;

use super::{Refusal, exact_number, file_name, float_message, is_workbook, read_file, type_name};

/// Where a price index comes from: the built-in deflator, or file bytes (CSV or workbook).
#[derive(Debug, Clone)]
pub(super) struct IndexSource {
    pub(super) name: String,
    pub(super) bytes: Option<Vec<u8>>,
}

/// A price index: the built-in HM Treasury GDP deflator, a ``deflators.csv`` (``year,index``
/// or ``year,change_percent``), or the Lookups table of a Unit Cost Database workbook.
///
/// Examples
/// --------
/// >>> import journeycost
/// >>> hmt = journeycost.PriceIndex.builtin()
/// >>> hmt.latest_outturn, hmt["2024/25"]
/// ('2024/25', Decimal('100.0000'))
/// >>> hmt.convert(100, "2023/24", "2024/25") > 100
/// True
#[pyclass(frozen, module = "journeycost._journeycost")]
pub(crate) struct PriceIndex {
    pub(crate) inner: Arc<CorePriceIndex>,
    pub(super) source: IndexSource,
}

impl PriceIndex {
    pub(super) fn build(source: IndexSource) -> Result<PriceIndex, Error> {
        let inner = match &source.bytes {
            None => journeycost::builtin::price_index(),
            Some(b) if is_workbook(b) => {
                journeycost::ucd::read_gdp_deflator(&source.name, Cursor::new(b.as_slice()))?.index
            }
            Some(b) => read_deflators(&source.name, b.as_slice())?,
        };
        Ok(PriceIndex { inner: Arc::new(inner), source })
    }

    pub(crate) fn is_builtin(&self) -> bool {
        self.source.bytes.is_none()
    }

    /// The provenance of the index.
    pub(crate) fn digest(&self) -> journeycost::io::InputDigest {
        match &self.source.bytes {
            None => journeycost::builtin::price_index_digest(),
            Some(bytes) => journeycost::io::digest_bytes("deflators", &file_name(&self.source.name), bytes),
        }
    }

    pub(crate) fn source_name(&self) -> String {
        self.source.name.clone()
    }

    pub(super) fn builtin_index() -> Result<PriceIndex, Error> {
        PriceIndex::build(IndexSource { name: journeycost::builtin::HMT_DEFLATOR_NAME.to_owned(), bytes: None })
    }

    pub(crate) fn coerce(py: Python<'_>, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PriceIndex>> {
        let Some(obj) = obj.filter(|o| !o.is_none()) else {
            return Py::new(py, PriceIndex::builtin_index().map_err(|e| to_py(py, &e, Class::Catalogue))?);
        };
        if let Ok(p) = obj.cast::<PriceIndex>() {
            return Ok(p.clone().unbind());
        }
        let path: PathBuf = obj.extract().map_err(|_| {
            PyTypeError::new_err(format!("prices: expected a PriceIndex or a path, found {}", type_name(obj)))
        })?;
        Py::new(py, run(py, Class::Catalogue, None, |_| PriceIndex::from_path(&path))?)
    }

    pub(super) fn from_path(path: &Path) -> Result<PriceIndex, Error> {
        PriceIndex::build(IndexSource { name: path.display().to_string(), bytes: Some(read_file(path)?) })
    }

    pub(super) fn table(&self) -> PyResult<Table> {
        let mut t = journeycost::io::CsvTable::new(&["year", "index"]);
        for (y, v) in self.inner.iter() {
            t.row([y.to_string(), v.to_string()]);
        }
        Table::from_csv("", "deflators", &t.into_bytes())
    }
}

pub(crate) fn parse_year(year: &Bound<'_, PyAny>) -> PyResult<PriceYear> {
    let text: String = if year.is_instance_of::<pyo3::types::PyInt>() && !year.is_instance_of::<pyo3::types::PyBool>() {
        year.str()?.to_string()
    } else if let Ok(s) = year.cast::<PyString>() {
        s.to_string()
    } else {
        return Err(PyTypeError::new_err(format!(
            "a price year is a str such as \"2023/24\" or an int such as 2024, not {}",
            type_name(year)
        )));
    };
    text.parse().map_err(|e: journeycost::prices::PriceYearError| crate::errors::ScenarioError::new_err(e.to_string()))
}

#[pymethods]
impl PriceIndex {
    /// The built-in price index: HM Treasury's GDP deflator (December 2025 QNA, 2024 = 100,
    /// Open Government Licence v3.0), with UK financial years derived exactly.
    #[staticmethod]
    fn builtin(py: Python<'_>) -> PyResult<PriceIndex> {
        run(py, Class::Catalogue, None, |_| PriceIndex::builtin_index())
    }

    /// Reads a ``deflators.csv`` (``year,index`` or ``year,change_percent``). A Unit Cost
    /// Database workbook is also accepted: its Lookups GDP table is read.
    #[staticmethod]
    fn from_csv(py: Python<'_>, path: PathBuf) -> PyResult<PriceIndex> {
        run(py, Class::Catalogue, None, |_| PriceIndex::from_path(&path))
    }

    /// The latest year, a forecast one included.
    #[getter]
    fn latest(&self) -> Option<String> {
        self.inner.latest().map(|y| y.to_string())
    }

    /// The latest year whose value is outturn, not a forecast: the default price base.
    #[getter]
    fn latest_outturn(&self) -> Option<String> {
        self.inner.latest_outturn().map(|y| y.to_string())
    }

    /// Every year, in order.
    #[getter]
    fn years(&self) -> Vec<String> {
        self.inner.iter().map(|(y, _)| y.to_string()).collect()
    }

    /// Where the index comes from.
    #[getter]
    fn source(&self) -> &str {
        &self.source.name
    }

    /// The attribution the data of this index needs, if any (the built-in one's licence).
    #[getter]
    fn attribution(&self) -> Option<&'static str> {
        self.is_builtin().then_some(journeycost::builtin::HMT_DEFLATOR_ATTRIBUTION)
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __contains__(&self, year: &Bound<'_, PyAny>) -> bool {
        parse_year(year).is_ok_and(|y| self.inner.get(y).is_some())
    }

    /// The index of a year (``"2019"`` or ``"2019/20"``).
    fn __getitem__(&self, year: &Bound<'_, PyAny>) -> PyResult<Decimal> {
        let y = parse_year(year)?;
        self.inner.get(y).ok_or_else(|| pyo3::exceptions::PyKeyError::new_err(format!("{y} is not in the price index")))
    }

    /// Converts an amount from one year's prices to another's, exactly as the ledger does
    /// (rounded half-even to the penny).
    fn convert(
        &self,
        py: Python<'_>,
        amount: &Bound<'_, PyAny>,
        from_year: &Bound<'_, PyAny>,
        to_year: &Bound<'_, PyAny>,
    ) -> PyResult<Decimal> {
        let amount = match exact_number(amount, false) {
            Ok(Some(d)) => d,
            Ok(None) => return Err(PyTypeError::new_err("convert: expected an amount, found empty text")),
            Err(Refusal::Float) => return Err(PyTypeError::new_err(format!("convert: {}", float_message(amount)))),
            Err(Refusal::Other(m)) => return Err(PyTypeError::new_err(format!("convert: {m}"))),
        };
        let (from, to) = (parse_year(from_year)?, parse_year(to_year)?);
        self.inner.convert(amount, from, to).map_err(|e| {
            to_py(
                py,
                &Error::new(Location::source(&self.source.name), ProblemKind::MissingPriceYear, e.to_string()),
                Class::Catalogue,
            )
        })
    }

    /// The index as a table (``year``, ``index``).
    fn to_table(&self) -> PyResult<Table> {
        self.table()
    }

    fn __repr__(&self) -> String {
        let first = self.inner.iter().next().map(|(y, _)| y.to_string()).unwrap_or_default();
        format!(
            "<PriceIndex {} years, {} to {}, from {}>",
            self.inner.len(),
            first,
            self.latest().unwrap_or_default(),
            self.source.name
        )
    }

    /// Rebuilds a price index from its source (pickling).
    #[staticmethod]
    fn _from_source(py: Python<'_>, name: String, data: Option<Vec<u8>>) -> PyResult<PriceIndex> {
        run(py, Class::Catalogue, None, |_| PriceIndex::build(IndexSource { name, bytes: data }))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let s = &slf.get().source;
        let args = (s.name.clone(), s.bytes.as_ref().map(|b| PyBytes::new(py, b))).into_pyobject(py)?;
        Ok((slf.get_type().getattr("_from_source")?, args))
    }
}
