//! The inputs: `Catalogue`, `PriceIndex` and `Events`. Each keeps what it was made from (file
//! bytes, or its own exact Arrow table), so it pickles exactly and cheaply.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use journeycost::arrow::{ReadOptions, journeys_from_batches, journeys_to_batch};
use journeycost::catalogue::Catalogue as CoreCatalogue;
use journeycost::error::{Location, Problem, Problems};
use journeycost::io::{CatalogueFile, read_catalogue, read_deflators, read_events};
use journeycost::journey::{Event, Journeys};
use journeycost::prices::{PriceIndex as CorePriceIndex, PriceYear};
use journeycost::run::layer_catalogues;
use journeycost::{Decimal, Error, ProblemKind};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyCapsule, PyDate, PyDateTime, PyList, PyString, PyTuple};

use crate::arrow_ffi::import_stream;
use crate::errors::{Class, JourneyCostError, to_py};
use crate::table::{Table, frames};
use crate::work::{Progress, run};

/// Reads a whole file, naming it in the error as the user gave it.
fn read_file(path: &Path) -> Result<Vec<u8>, Error> {
    // A named FIFO is refused rather than opened (opening one waits for a writer).
    journeycost::io::check_input(path)?;
    std::fs::read(path).map_err(|e| {
        Error::new(Location::source(path.display().to_string()), ProblemKind::Io, format!("cannot read the file: {e}"))
    })
}

fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

fn table_of(name: &str, batch: Result<arrow_array::RecordBatch, String>) -> PyResult<Table> {
    batch.map(|b| Table::new(name, b)).map_err(JourneyCostError::new_err)
}

/// One layer of a catalogue: the built-in Unit Cost Database, or catalogue CSV bytes (a workbook
/// is kept as the catalogue CSV it imports to).
#[derive(Debug, Clone)]
struct Layer {
    name: String,
    csv: Option<Vec<u8>>,
}

/// A catalogue of unit costs: the built-in Unit Cost Database, a ``catalogue.csv``, a GMCA
/// workbook, or several layered (a later catalogue's line replaces an earlier line with the
/// same code).
///
/// Examples
/// --------
/// >>> import journeycost
/// >>> ucd = journeycost.Catalogue.builtin()
/// >>> len(ucd), "CR1.0" in ucd
/// (683, True)
/// >>> ucd["CR1.0"]["agency"]
/// 'Police'
/// >>> mine = journeycost.Catalogue.from_csv("examples/anna/catalogue.csv")
/// >>> len(journeycost.Catalogue.layered(ucd, mine)) >= len(ucd)
/// True
#[pyclass(frozen, module = "journeycost._journeycost")]
pub(crate) struct Catalogue {
    pub(crate) inner: Arc<CoreCatalogue>,
    layers: Vec<Layer>,
}

impl Catalogue {
    fn build(layers: Vec<Layer>) -> Result<Catalogue, Error> {
        let mut files: Vec<CatalogueFile> = Vec::new();
        let mut errors = Vec::new();
        for l in &layers {
            match &l.csv {
                None => files.push(journeycost::builtin::catalogue_file()),
                Some(bytes) => match read_catalogue(&l.name, bytes.as_slice()) {
                    Ok(f) => files.push(f),
                    Err(e) => errors.push(e),
                },
            }
        }
        if let Some(e) = Error::merge(errors) {
            return Err(e);
        }
        Ok(Catalogue { inner: Arc::new(layer_catalogues(&files)?), layers })
    }

    /// The provenance of every layer, as `comparison.json` lists inputs.
    pub(crate) fn digests(&self) -> Vec<journeycost::io::InputDigest> {
        self.layers
            .iter()
            .map(|l| match &l.csv {
                None => journeycost::builtin::catalogue_digest(),
                Some(bytes) => journeycost::io::digest_bytes("catalogue", &file_name(&l.name), bytes),
            })
            .collect()
    }

    pub(crate) fn uses_builtin(&self) -> bool {
        self.layers.iter().any(|l| l.csv.is_none())
    }

    pub(crate) fn builtin_catalogue() -> Result<Catalogue, Error> {
        Catalogue::build(vec![Layer { name: journeycost::builtin::UCD_CATALOGUE_NAME.to_owned(), csv: None }])
    }

    fn workbook_layer(name: &str, bytes: &[u8]) -> Result<Layer, Error> {
        let workbook = journeycost::ucd::read_workbook(name, Cursor::new(bytes))?;
        let import = workbook.into_import().0;
        let export = journeycost::ucd::catalogue_csv(&import.lines, journeycost::catalogue::ValueType::Fiscal);
        Ok(Layer { name: name.to_owned(), csv: Some(export.csv) })
    }

    /// A catalogue from a path, as the CLI's `--catalogue` reads it: `builtin`, a workbook, or CSV.
    pub(crate) fn from_path(path: &Path) -> Result<Catalogue, Error> {
        if path.as_os_str() == journeycost::io::BUILTIN {
            return Catalogue::builtin_catalogue();
        }
        let name = path.display().to_string();
        let bytes = read_file(path)?;
        let layer = if is_workbook(&bytes) {
            Catalogue::workbook_layer(&name, &bytes)?
        } else {
            Layer { name, csv: Some(bytes) }
        };
        Catalogue::build(vec![layer])
    }

    pub(crate) fn table(&self) -> PyResult<Table> {
        Table::from_csv("", "catalogue", &journeycost::output::catalogue_csv(self.inner.entries()))
    }

    /// Anything a function accepts as a catalogue: a `Catalogue`, a path, or a list of them.
    pub(crate) fn coerce(py: Python<'_>, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Py<Catalogue>> {
        let Some(obj) = obj.filter(|o| !o.is_none()) else {
            return Py::new(py, Catalogue::builtin_catalogue().map_err(|e| to_py(py, &e, Class::Catalogue))?);
        };
        if let Ok(c) = obj.cast::<Catalogue>() {
            return Ok(c.clone().unbind());
        }
        if let Ok(list) = obj.cast::<PyList>() {
            let mut layers = Vec::new();
            for item in list.iter() {
                let c = Catalogue::coerce(py, Some(&item))?;
                layers.extend(c.get().layers.iter().cloned());
            }
            return Py::new(py, Catalogue::build(layers).map_err(|e| to_py(py, &e, Class::Catalogue))?);
        }
        let path: PathBuf = obj.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "catalogue: expected a Catalogue, a path or a list of them, found {}",
                type_name(obj)
            ))
        })?;
        Py::new(py, run(py, Class::Catalogue, None, |_| Catalogue::from_path(&path))?)
    }
}

/// A file's name without its directory, as provenance records name files.
fn file_name(name: &str) -> String {
    Path::new(name).file_name().map_or_else(|| name.to_owned(), |n| n.to_string_lossy().into_owned())
}

pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map_or_else(|_| "?".to_owned(), |n| n.to_string())
}

#[pymethods]
impl Catalogue {
    /// The built-in catalogue: the whole Unit Cost Database v1.4 (New Economy / GMCA, CC BY 4.0)
    /// with tier, demand kind and cashable assigned by journeycost's documented overlay.
    #[staticmethod]
    fn builtin(py: Python<'_>) -> PyResult<Catalogue> {
        run(py, Class::Catalogue, None, |_| Catalogue::builtin_catalogue())
    }

    /// Reads a ``catalogue.csv`` (the format of ``docs/formats.md``).
    ///
    /// Raises
    /// ------
    /// CatalogueError
    ///     With every problem of the file in ``problems``.
    #[staticmethod]
    fn from_csv(py: Python<'_>, path: PathBuf) -> PyResult<Catalogue> {
        run(py, Class::Catalogue, None, |_| {
            let bytes = read_file(&path)?;
            if is_workbook(&bytes) {
                return Err(Error::new(
                    Location::source(path.display().to_string()),
                    ProblemKind::Encoding,
                    "this is a workbook, not CSV: read it with Catalogue.from_workbook",
                ));
            }
            Catalogue::build(vec![Layer { name: path.display().to_string(), csv: Some(bytes) }])
        })
    }

    /// Imports a Unit Cost Database workbook (``.xlsx``, as GMCA publishes it), as
    /// ``journeycost catalogue import`` does.
    #[staticmethod]
    fn from_workbook(py: Python<'_>, path: PathBuf) -> PyResult<Catalogue> {
        run(py, Class::Catalogue, None, |_| {
            let bytes = read_file(&path)?;
            Catalogue::build(vec![Catalogue::workbook_layer(&path.display().to_string(), &bytes)?])
        })
    }

    /// Layers catalogues: a later catalogue's line replaces an earlier line with the same code,
    /// in its place; new codes are added at the end.
    #[staticmethod]
    #[pyo3(signature = (*catalogues))]
    fn layered(py: Python<'_>, catalogues: Vec<PyRef<'_, Catalogue>>) -> PyResult<Catalogue> {
        let layers: Vec<Layer> = catalogues.iter().flat_map(|c| c.layers.iter().cloned()).collect();
        if layers.is_empty() {
            return Err(JourneyCostError::new_err("Catalogue.layered needs at least one catalogue"));
        }
        run(py, Class::Catalogue, None, |_| Catalogue::build(layers))
    }

    /// The names of the layers, in order (``builtin:ucd-v1.4`` for the built-in catalogue).
    #[getter]
    fn sources(&self) -> Vec<String> {
        self.layers.iter().map(|l| l.name.clone()).collect()
    }

    /// Every code, in catalogue order.
    #[getter]
    fn codes(&self) -> Vec<String> {
        self.inner.entries().iter().map(|u| u.code.clone()).collect()
    }

    /// Every agency, in byte order.
    #[getter]
    fn agencies(&self) -> Vec<String> {
        self.inner.agencies().to_vec()
    }

    /// The attribution the data of this catalogue needs, if any (the built-in one's licence).
    #[getter]
    fn attribution(&self) -> Option<&'static str> {
        self.uses_builtin().then_some(journeycost::builtin::UCD_ATTRIBUTION)
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __contains__(&self, code: &Bound<'_, PyAny>) -> bool {
        code.cast::<PyString>().is_ok_and(|c| self.inner.get(&c.to_string()).is_some())
    }

    /// One unit cost as a dict of the catalogue's columns (money as ``Decimal``).
    fn __getitem__<'py>(&self, py: Python<'py>, code: &str) -> PyResult<Bound<'py, PyAny>> {
        let Some(u) = self.inner.get(code) else {
            return Err(pyo3::exceptions::PyKeyError::new_err(format!("code {code:?} is not in the catalogue")));
        };
        let t = Table::from_csv("", "catalogue", &journeycost::output::catalogue_csv([u]))?;
        Bound::new(py, t)?.call_method0("rows")?.get_item(0)
    }

    /// The unit costs whose code, description or agency contains ``text`` (any case), as a table.
    fn search(&self, text: &str) -> PyResult<Table> {
        Table::from_csv("", "catalogue", &journeycost::output::catalogue_csv(self.inner.search(text)))
    }

    /// The catalogue as a table with the columns of ``catalogue.csv``.
    fn to_table(&self) -> PyResult<Table> {
        self.table()
    }

    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        crate::arrow_ffi::export_stream(py, self.table()?.batch)
    }

    /// The catalogue as a ``pyarrow.Table``.
    fn to_arrow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        frames(py, "to_arrow", Bound::new(py, self.table()?)?.as_any())
    }

    /// The catalogue as a pandas DataFrame (money as ``Decimal``).
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        frames(py, "to_pandas", Bound::new(py, self.table()?)?.as_any())
    }

    /// The catalogue as a polars DataFrame (money as ``pl.Decimal``).
    fn to_polars<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        frames(py, "to_polars", Bound::new(py, self.table()?)?.as_any())
    }

    fn __repr__(&self) -> String {
        format!(
            "<Catalogue {} unit costs of {} agencies from {}>",
            self.inner.len(),
            self.inner.agencies().len(),
            self.sources().join(" + ")
        )
    }

    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "<p>{}</p>\n{}",
            crate::table::escape(&self.__repr__()),
            crate::table::html_table(py, &self.table()?, 10)?
        ))
    }

    /// Rebuilds a catalogue from its layers (pickling).
    #[staticmethod]
    fn _from_layers(py: Python<'_>, layers: Vec<(String, Option<Vec<u8>>)>) -> PyResult<Catalogue> {
        run(py, Class::Catalogue, None, |_| {
            Catalogue::build(layers.into_iter().map(|(name, csv)| Layer { name, csv }).collect())
        })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let layers = PyList::empty(py);
        for l in &slf.get().layers {
            let bytes = l.csv.as_ref().map(|b| PyBytes::new(py, b));
            layers.append((l.name.clone(), bytes))?;
        }
        Ok((slf.get_type().getattr("_from_layers")?, PyTuple::new(py, [layers])?))
    }
}

/// Where a price index comes from: the built-in deflator, or file bytes (CSV or workbook).
#[derive(Debug, Clone)]
struct IndexSource {
    name: String,
    bytes: Option<Vec<u8>>,
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
    source: IndexSource,
}

impl PriceIndex {
    fn build(source: IndexSource) -> Result<PriceIndex, Error> {
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

    fn builtin_index() -> Result<PriceIndex, Error> {
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

    fn from_path(path: &Path) -> Result<PriceIndex, Error> {
        PriceIndex::build(IndexSource { name: path.display().to_string(), bytes: Some(read_file(path)?) })
    }

    fn table(&self) -> PyResult<Table> {
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

/// The events of a cohort: every contact of every person on every pathway.
///
/// Read them from ``events.csv``, a pandas or polars DataFrame, anything that speaks the Arrow
/// PyCapsule interface, or a list of dicts. Every source is checked by the rules of
/// ``events.csv``, and every problem is reported at once. Money and quantities must be exact
/// (``decimal.Decimal``, integers, or text): float columns are refused unless you pass
/// ``allow_float=True``, which reads each float as the shortest decimal that round-trips to it.
///
/// Examples
/// --------
/// >>> import datetime, decimal, journeycost
/// >>> events = journeycost.Events.from_records([
/// ...     {"person_id": "ANNA", "pathway": "old", "date": datetime.date(2024, 1, 5), "code": "CR1.0"},
/// ...     {"person_id": "ANNA", "pathway": "new", "date": "2024-01-05", "code": "CR1.0", "quantity": decimal.Decimal("0.5")},
/// ... ])
/// >>> events
/// <Events 2 rows: 1 person, pathways new, old>
#[pyclass(frozen, module = "journeycost._journeycost")]
pub(crate) struct Events {
    pub(crate) inner: Arc<Journeys>,
    name: String,
    /// The file the events were read from, for provenance.
    path: Option<PathBuf>,
}

impl Events {
    /// The file the events were read from, if any.
    pub(crate) fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub(crate) fn new(name: impl Into<String>, journeys: Journeys) -> Events {
        Events { inner: Arc::new(journeys), name: name.into(), path: None }
    }

    /// The provenance of events read from a file (`None` for in-memory sources).
    pub(crate) fn digest(&self) -> Result<Option<journeycost::io::InputDigest>, Error> {
        self.path.as_deref().map(|p| journeycost::io::digest("events", p)).transpose()
    }

    fn from_stream(py: Python<'_>, name: &str, data: &Bound<'_, PyAny>, allow_float: bool) -> PyResult<Events> {
        let reader = import_stream(data)?;
        let total = None;
        run(py, Class::Input, Some(Progress { wanted: None, total, what: "reading events" }), |_| {
            let schema = arrow_array::RecordBatchReader::schema(&reader);
            journeys_from_batches(
                name,
                &schema,
                crate::arrow_ffi::Batches(reader),
                None,
                ReadOptions { allow_float, threads: None },
            )
            .map(|j| Events::new(name, j))
        })
    }

    fn table(&self) -> PyResult<Table> {
        table_of("events", journeys_to_batch(&self.inner))
    }

    /// Anything a function accepts as events.
    pub(crate) fn coerce(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Py<Events>> {
        if let Ok(e) = obj.cast::<Events>() {
            return Ok(e.clone().unbind());
        }
        let module = obj.get_type().module().map(|m| m.to_string()).unwrap_or_default();
        let events = if Events::is_path(obj)? {
            let path: PathBuf = obj.extract()?;
            Events::read_csv(py, &path, None)?
        } else if module.starts_with("pandas") {
            Events::from_pandas(py, obj, false)?
        } else if module.starts_with("polars") {
            Events::from_polars(py, obj, false)?
        } else if obj.hasattr("__arrow_c_stream__")? {
            Events::from_stream(py, "table", obj, false)?
        } else if obj.is_instance_of::<PyList>() || obj.is_instance_of::<pyo3::types::PyTuple>() {
            Events::from_records(py, obj, false)?
        } else {
            return Err(PyTypeError::new_err(format!(
                "events: expected Events, a path, a DataFrame, an Arrow table or a list of dicts, found {}",
                type_name(obj)
            )));
        };
        Py::new(py, events)
    }

    /// Reads `events.csv`; with a catalogue, unknown codes and spells are reported with their lines.
    pub(crate) fn read_csv(py: Python<'_>, path: &Path, catalogue: Option<&CoreCatalogue>) -> PyResult<Events> {
        let name = path.display().to_string();
        run(py, Class::Input, Some(Progress { wanted: None, total: None, what: "reading events" }), |_| {
            journeycost::io::check_input(path)?;
            let f = std::fs::File::open(path).map_err(|e| {
                Error::new(Location::source(&name), ProblemKind::Io, format!("cannot open the file: {e}"))
            })?;
            read_events(&name, std::io::BufReader::with_capacity(1 << 16, f), catalogue).map(|j| Events {
                inner: Arc::new(j),
                name: name.clone(),
                path: Some(path.to_path_buf()),
            })
        })
    }

    /// Whether `obj` names a file (a `str` or an `os.PathLike`).
    pub(crate) fn is_path(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(obj.is_instance_of::<PyString>() || obj.hasattr("__fspath__")?)
    }
}

/// One field of a record, converted; problems are pushed with their row and field. Each
/// reader returns `None` for a field with a problem (recorded), `Some(None)` for a field not
/// given, and `Some(Some(value))`.
struct RecordReader<'a> {
    row: u64,
    allow_float: bool,
    problems: &'a mut Problems,
    floats_seen: &'a mut Vec<&'static str>,
}

#[allow(clippy::option_option)]
impl RecordReader<'_> {
    fn fail(&mut self, field: &'static str, kind: ProblemKind, message: String) {
        self.problems.push(Problem::new(Location::source("records").at_row(self.row).in_field(field), kind, message));
    }

    fn text(&mut self, field: &'static str, v: Option<&Bound<'_, PyAny>>) -> Option<Option<String>> {
        let Some(v) = v.filter(|v| !is_missing(v)) else { return Some(None) };
        if let Ok(s) = v.cast::<PyString>() {
            return Some(Some(s.to_string()).filter(|s| !s.is_empty()));
        }
        if !v.is_instance_of::<pyo3::types::PyBool>() {
            if let Ok(i) = v.extract::<i64>() {
                return Some(Some(i.to_string()));
            }
        }
        self.fail(field, ProblemKind::InvalidValue, format!("expected text, found {} {}", type_name(v), short_repr(v)));
        None
    }

    fn date(&mut self, field: &'static str, v: Option<&Bound<'_, PyAny>>) -> Option<Option<chrono::NaiveDate>> {
        let Some(v) = v.filter(|v| !is_missing(v)) else { return Some(None) };
        if let Ok(dt) = v.cast::<PyDateTime>() {
            let midnight: Option<chrono::NaiveDateTime> = dt.extract().ok();
            return match midnight {
                Some(t) if t.time() == chrono::NaiveTime::MIN => Some(Some(t.date())),
                _ => {
                    self.fail(
                        field,
                        ProblemKind::InvalidValue,
                        format!(
                            "expected a date, found a datetime with a time of day or a time zone: {}",
                            short_repr(v)
                        ),
                    );
                    None
                }
            };
        }
        if v.is_instance_of::<PyDate>() {
            return v.extract().ok().map(Some);
        }
        if let Ok(s) = v.cast::<PyString>() {
            let s = s.to_string();
            if s.is_empty() {
                return Some(None);
            }
            if let Some(d) = journeycost::period::parse_date(&s) {
                return Some(Some(d));
            }
            self.fail(field, ProblemKind::InvalidValue, format!("expected a date YYYY-MM-DD, found {s:?}"));
            return None;
        }
        self.fail(
            field,
            ProblemKind::InvalidValue,
            format!("expected a date (datetime.date or YYYY-MM-DD), found {}", type_name(v)),
        );
        None
    }

    fn number(&mut self, field: &'static str, v: Option<&Bound<'_, PyAny>>) -> Option<Option<Decimal>> {
        let Some(v) = v.filter(|v| !is_missing(v)) else { return Some(None) };
        match exact_number(v, self.allow_float) {
            Ok(d) => Some(d),
            Err(Refusal::Float) => {
                if !self.floats_seen.contains(&field) {
                    self.floats_seen.push(field);
                    self.fail(field, ProblemKind::InvalidValue, float_message(v));
                }
                None
            }
            Err(Refusal::Other(m)) => {
                self.fail(field, ProblemKind::InvalidValue, m);
                None
            }
        }
    }
}

/// Why a Python value is not taken as an exact number.
pub(crate) enum Refusal {
    Float,
    Other(String),
}

pub(crate) fn float_message(v: &Bound<'_, PyAny>) -> String {
    format!(
        "found a float ({} {}): floats are not exact, so give decimal.Decimal, an int or text; \
         to accept floats anyway, read each as its shortest decimal with allow_float=True",
        type_name(v),
        short_repr(v)
    )
}

/// An exact number from Python: `decimal.Decimal`, `int` or plain decimal text, read without
/// any rounding (more than 28 significant digits is refused, not rounded). Floats (Python's,
/// numpy's) are refused unless `allow_float`, and then read as the shortest decimal that
/// round-trips at their own width. `Ok(None)` for empty text.
pub(crate) fn exact_number(v: &Bound<'_, PyAny>, allow_float: bool) -> Result<Option<Decimal>, Refusal> {
    let py = v.py();
    let kind = type_name(v);
    if v.is_instance_of::<pyo3::types::PyBool>() || kind == "bool_" {
        return Err(Refusal::Other(format!("expected a number, found {}", short_repr(v))));
    }
    if let Ok(s) = v.cast::<PyString>() {
        let s = s.to_string();
        return if s.is_empty() {
            Ok(None)
        } else {
            journeycost::io::parse_decimal(&s).map(Some).map_err(Refusal::Other)
        };
    }
    if v.is_instance_of::<pyo3::types::PyInt>() {
        let text = v.str().map_err(|e| Refusal::Other(e.to_string()))?.to_string();
        return journeycost::io::parse_decimal(&text).map(Some).map_err(Refusal::Other);
    }
    if v.is_instance(decimal_type(py).map_err(|e| Refusal::Other(e.to_string()))?).unwrap_or(false) {
        // format(d, "f") writes every digit in plain notation; NaN and infinities stay words.
        static FORMAT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
        let format = FORMAT.import(py, "builtins", "format").map_err(|e| Refusal::Other(e.to_string()))?;
        let text = format.call1((v, "f")).map_err(|e| Refusal::Other(e.to_string()))?.to_string();
        return journeycost::io::parse_decimal(&text).map(Some).map_err(|_| {
            Refusal::Other(format!(
                "expected a finite decimal of at most 28 significant digits, found Decimal({text:?})"
            ))
        });
    }
    let is_float = v.is_instance_of::<pyo3::types::PyFloat>() || kind.starts_with("float");
    if is_float {
        if !allow_float {
            return Err(Refusal::Float);
        }
        let f: f64 = v.extract().map_err(|e: PyErr| Refusal::Other(e.to_string()))?;
        let narrow = matches!(kind.as_str(), "float32" | "float16");
        let d = if narrow {
            journeycost::arrow::decimal_from_f32(f as f32)
        } else {
            journeycost::arrow::decimal_from_float(f)
        };
        return d.map(Some).map_err(Refusal::Other);
    }
    if kind.starts_with("int") || kind.starts_with("uint") {
        // numpy integers.
        let i: i128 = v.extract().map_err(|e: PyErr| Refusal::Other(e.to_string()))?;
        return journeycost::io::parse_decimal(&i.to_string()).map(Some).map_err(Refusal::Other);
    }
    Err(Refusal::Other(format!("expected a decimal.Decimal, an int or text, found {kind} {}", short_repr(v))))
}

/// Python's `decimal.Decimal`, looked up once.
pub(crate) fn decimal_type(py: Python<'_>) -> PyResult<&Bound<'_, pyo3::types::PyType>> {
    static DECIMAL: PyOnceLock<Py<pyo3::types::PyType>> = PyOnceLock::new();
    DECIMAL.import(py, "decimal", "Decimal")
}

/// A missing value as Python data frames write it: `None`, a float NaN (pandas' marker in object
/// and string columns), `pandas.NA` or `pandas.NaT`.
fn is_missing(v: &Bound<'_, PyAny>) -> bool {
    if v.is_none() {
        return true;
    }
    if let Ok(f) = v.cast::<pyo3::types::PyFloat>() {
        return f.value().is_nan();
    }
    matches!(type_name(v).as_str(), "NAType" | "NaTType")
}

fn short_repr(v: &Bound<'_, PyAny>) -> String {
    let r = v.repr().map(|r| r.to_string()).unwrap_or_default();
    if r.chars().count() > 40 { format!("{}...", r.chars().take(40).collect::<String>()) } else { r }
}

#[pymethods]
impl Events {
    /// Reads ``events.csv`` (the format of ``docs/formats.md``).
    ///
    /// Raises
    /// ------
    /// InputError
    ///     With every problem of the file in ``problems`` (file, line, field, kind, message).
    #[staticmethod]
    fn from_csv(py: Python<'_>, path: PathBuf) -> PyResult<Events> {
        Events::read_csv(py, &path, None)
    }

    /// Reads events from anything with the Arrow PyCapsule interface (``__arrow_c_stream__``):
    /// a pyarrow Table or RecordBatchReader, a polars DataFrame, a DuckDB relation...
    ///
    /// Columns are those of ``events.csv``. Text columns may be strings (any Arrow string type,
    /// dictionary-encoded or not) or integers; dates ``date32``/``date64``, naive timestamps at
    /// midnight, or ``YYYY-MM-DD`` text; numbers ``decimal128``, integers or text.
    #[staticmethod]
    #[pyo3(signature = (data, allow_float=false))]
    fn from_arrow(py: Python<'_>, data: &Bound<'_, PyAny>, allow_float: bool) -> PyResult<Events> {
        Events::from_stream(py, "table", data, allow_float)
    }

    /// Reads events from a pandas DataFrame (through pyarrow). Money and quantities are
    /// ``decimal.Decimal`` (object) columns or integers; dates ``datetime.date`` objects,
    /// midnight ``datetime64`` values, or ``YYYY-MM-DD`` strings. Problems name the row by its
    /// position (``row``, counting from 0).
    #[staticmethod]
    #[pyo3(signature = (df, allow_float=false))]
    fn from_pandas(py: Python<'_>, df: &Bound<'_, PyAny>, allow_float: bool) -> PyResult<Events> {
        let table = py.import("journeycost._frames")?.getattr("pandas_to_arrow")?.call1((df,))?;
        Events::from_stream(py, "DataFrame", &table, allow_float)
    }

    /// Reads events from a polars DataFrame (through the Arrow PyCapsule interface, without a
    /// copy through Python objects). Money and quantities are ``pl.Decimal``, integer or string
    /// columns; dates ``pl.Date`` or strings.
    #[staticmethod]
    #[pyo3(signature = (df, allow_float=false))]
    fn from_polars(py: Python<'_>, df: &Bound<'_, PyAny>, allow_float: bool) -> PyResult<Events> {
        let module = df.get_type().module().map(|m| m.to_string()).unwrap_or_default();
        if !module.starts_with("polars") {
            return Err(PyTypeError::new_err(format!(
                "from_polars: expected a polars DataFrame, found {}",
                type_name(df)
            )));
        }
        let ready = py.import("journeycost._frames")?.getattr("polars_events")?.call1((df,))?;
        Events::from_stream(py, "DataFrame", &ready, allow_float)
    }

    /// Reads events from dicts (or any mappings) with the keys of ``events.csv``. Values:
    /// ``str``; ``datetime.date`` or ``YYYY-MM-DD``; ``decimal.Decimal``, ``int`` or text for
    /// numbers. A missing key, ``None``, NaN, ``pandas.NA`` or ``pandas.NaT`` means "not given",
    /// so ``df.to_dict("records")`` reads as the DataFrame does.
    #[staticmethod]
    #[pyo3(signature = (records, allow_float=false))]
    fn from_records(py: Python<'_>, records: &Bound<'_, PyAny>, allow_float: bool) -> PyResult<Events> {
        let mut problems = Problems::default();
        let mut floats_seen = Vec::new();
        let mut journeys = Journeys::new();
        for (i, record) in records.try_iter()?.enumerate() {
            let record = record?;
            let row = i as u64;
            let Ok(mapping) = record.cast::<pyo3::types::PyMapping>() else {
                problems.push(Problem::new(
                    Location::source("records").at_row(row),
                    ProblemKind::Syntax,
                    format!("expected a dict, found {}", type_name(&record)),
                ));
                continue;
            };
            let get = |k: &str| -> PyResult<Option<Bound<'_, PyAny>>> {
                if mapping.contains(k)? { Ok(Some(mapping.get_item(k)?)) } else { Ok(None) }
            };
            let values: Vec<Option<Bound<'_, PyAny>>> = [
                "person_id",
                "pathway",
                "date",
                "code",
                "quantity",
                "end_date",
                "cost",
                "demand",
                "probability",
                "note",
            ]
            .iter()
            .map(|k| get(k))
            .collect::<PyResult<_>>()?;
            let mut r = RecordReader { row, allow_float, problems: &mut problems, floats_seen: &mut floats_seen };
            let person = r.text("person_id", values[0].as_ref());
            let pathway = r.text("pathway", values[1].as_ref());
            let date = r.date("date", values[2].as_ref());
            let code = r.text("code", values[3].as_ref());
            let quantity = r.number("quantity", values[4].as_ref());
            let end = r.date("end_date", values[5].as_ref());
            let cost = r.number("cost", values[6].as_ref());
            let demand = r.text("demand", values[7].as_ref());
            let probability = r.number("probability", values[8].as_ref());
            let note = r.text("note", values[9].as_ref());
            // Every problem of the row is reported: the missing values, then each field's own
            // rule, checked one field at a time.
            let mut bad = false;
            for (field, v) in [("person_id", &person), ("pathway", &pathway), ("code", &code)] {
                if matches!(v, Some(None)) {
                    r.fail(field, ProblemKind::MissingValue, format!("expected a value for {field}, found nothing"));
                    bad = true;
                }
            }
            if matches!(date, Some(None)) {
                r.fail("date", ProblemKind::MissingValue, "expected a value for date, found nothing".to_owned());
                bad = true;
            }
            let demand = match demand {
                Some(Some(d)) => match d.parse() {
                    Ok(k) => Some(k),
                    Err(m) => {
                        r.fail("demand", ProblemKind::InvalidValue, m);
                        bad = true;
                        None
                    }
                },
                _ => None,
            };
            let (
                Some(Some(person)),
                Some(Some(pathway)),
                Some(Some(date)),
                Some(Some(code)),
                Some(quantity),
                Some(end),
                Some(cost),
                Some(probability),
                Some(note),
            ) = (person, pathway, date, code, quantity, end, cost, probability, note)
            else {
                continue;
            };
            let mut e = Event::new(person, pathway, date, code);
            e.quantity = quantity.unwrap_or(Decimal::ONE);
            e.end_date = end;
            e.cost = cost;
            e.probability = probability;
            e.demand = demand;
            e.note = note;
            let broken = e.problems();
            for fe in &broken {
                r.fail(fe.field, ProblemKind::InvalidValue, fe.message.clone());
            }
            if broken.is_empty() && !bad && problems.is_empty() {
                let _ = journeys.push(e);
            }
        }
        problems.into_result(Events::new("records", journeys)).map_err(|e| to_py(py, &e, Class::Input))
    }

    /// The number of events (rows).
    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// Where the events come from: a file name, ``DataFrame``, ``table`` or ``records``.
    #[getter]
    fn source(&self) -> &str {
        &self.name
    }

    /// The person ids, in order of first appearance.
    #[getter]
    fn persons(&self) -> Vec<String> {
        self.inner.persons().names().iter().map(ToString::to_string).collect()
    }

    /// The pathways, in byte order.
    #[getter]
    fn pathways(&self) -> Vec<String> {
        let mut p: Vec<String> = self.inner.pathways().names().iter().map(ToString::to_string).collect();
        p.sort();
        p
    }

    /// The codes used, in order of first appearance.
    #[getter]
    fn codes(&self) -> Vec<String> {
        self.inner.codes().names().iter().map(ToString::to_string).collect()
    }

    /// The events as a table with the columns of ``events.csv`` (exact decimals, dates).
    fn to_table(&self) -> PyResult<Table> {
        self.table()
    }

    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        crate::arrow_ffi::export_stream(py, self.table()?.batch)
    }

    /// The events as a ``pyarrow.Table``.
    fn to_arrow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        frames(py, "to_arrow", Bound::new(py, self.table()?)?.as_any())
    }

    /// The events as a pandas DataFrame (quantities and costs as ``Decimal``, dates as ``datetime.date``).
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        frames(py, "to_pandas", Bound::new(py, self.table()?)?.as_any())
    }

    /// The events as a polars DataFrame.
    fn to_polars<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        frames(py, "to_polars", Bound::new(py, self.table()?)?.as_any())
    }

    fn __repr__(&self) -> String {
        let persons = self.inner.persons().len();
        format!(
            "<Events {} rows: {} person{}, pathways {}>",
            self.inner.len(),
            persons,
            if persons == 1 { "" } else { "s" },
            self.pathways().join(", ")
        )
    }

    /// A short table of the first rows, without the free-text notes (which may be sensitive).
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        let head: Vec<usize> = (0..self.inner.len().min(10)).collect();
        let mut few = Journeys::new();
        for i in head {
            let _ = few.push(self.inner.get(i));
        }
        let batch = journeys_to_batch(&few).and_then(|b| {
            let keep: Vec<usize> = (0..b.num_columns()).filter(|&i| b.schema().field(i).name() != "note").collect();
            b.project(&keep).map_err(|e| e.to_string())
        });
        let t = table_of("events", batch)?;
        Ok(format!("<p>{}</p>\n{}", crate::table::escape(&self.__repr__()), crate::table::html_table(py, &t, 10)?))
    }

    /// Rebuilds events from their exact Arrow table (pickling).
    #[staticmethod]
    #[pyo3(signature = (name, data, path=None))]
    fn _from_ipc(py: Python<'_>, name: String, data: Vec<u8>, path: Option<PathBuf>) -> PyResult<Events> {
        run(py, Class::Input, None, |_| {
            let bad = |e: arrow_schema::ArrowError| {
                Error::new(Location::source(&name), ProblemKind::Io, format!("cannot unpickle: {e}"))
            };
            let reader = arrow_ipc::reader::StreamReader::try_new(Cursor::new(data), None).map_err(bad)?;
            let schema = reader.schema();
            journeys_from_batches(&name, &schema, reader, None, ReadOptions::default()).map(|j| Events {
                inner: Arc::new(j),
                name: name.clone(),
                path: path.clone(),
            })
        })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let batch = slf.get().table()?.batch;
        let mut bytes = Vec::new();
        {
            let err = |e: arrow_schema::ArrowError| JourneyCostError::new_err(e.to_string());
            let mut w = arrow_ipc::writer::StreamWriter::try_new(&mut bytes, &batch.schema()).map_err(err)?;
            w.write(&batch).map_err(err)?;
            w.finish().map_err(err)?;
        }
        let args = (slf.get().name.clone(), PyBytes::new(py, &bytes), slf.get().path.clone()).into_pyobject(py)?;
        Ok((slf.get_type().getattr("_from_ipc")?, args))
    }
}
