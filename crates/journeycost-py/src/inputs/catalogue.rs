//! `Catalogue`: unit costs, built in, from a file or workbook, or layered.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use journeycost::catalogue::Catalogue as CoreCatalogue;
use journeycost::error::Location;
use journeycost::io::{CatalogueFile, read_catalogue};
use journeycost::run::layer_catalogues;
use journeycost::{Error, ProblemKind};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyCapsule, PyList, PyString, PyTuple};

use crate::errors::{Class, JourneyCostError, to_py};
use crate::table::{Table, frames};
use crate::work::run;

use super::{file_name, is_workbook, read_file, type_name};

/// One layer of a catalogue: the built-in Unit Cost Database, or catalogue CSV bytes (a workbook
/// is kept as the catalogue CSV it imports to).
#[derive(Debug, Clone)]
pub(super) struct Layer {
    pub(super) name: String,
    pub(super) csv: Option<Vec<u8>>,
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
    pub(super) layers: Vec<Layer>,
}

impl Catalogue {
    pub(super) fn build(layers: Vec<Layer>) -> Result<Catalogue, Error> {
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

    pub(super) fn workbook_layer(name: &str, bytes: &[u8]) -> Result<Layer, Error> {
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
