//! `Events`: the contacts, from CSV, pandas, polars, Arrow or records.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use journeycost::arrow::{ReadOptions, journeys_from_batches, journeys_to_batch};
use journeycost::catalogue::Catalogue as CoreCatalogue;
use journeycost::error::{Location, Problem, Problems};
use journeycost::io::read_events;
use journeycost::journey::{Event, Journeys};
use journeycost::{Decimal, Error, ProblemKind};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyCapsule, PyDate, PyDateTime, PyList, PyString, PyTuple};

use crate::arrow_ffi::import_stream;
use crate::errors::{Class, JourneyCostError, to_py};
use crate::table::{Table, frames};
use crate::work::{Progress, run};

use super::{table_of, type_name};

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
    pub(super) name: String,
    /// The file the events were read from, for provenance.
    pub(super) path: Option<PathBuf>,
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

    pub(super) fn from_stream(
        py: Python<'_>,
        name: &str,
        data: &Bound<'_, PyAny>,
        allow_float: bool,
    ) -> PyResult<Events> {
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

    pub(super) fn table(&self) -> PyResult<Table> {
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
pub(super) struct RecordReader<'a> {
    pub(super) row: u64,
    pub(super) allow_float: bool,
    pub(super) problems: &'a mut Problems,
    pub(super) floats_seen: &'a mut Vec<&'static str>,
}

#[allow(clippy::option_option)]
impl RecordReader<'_> {
    pub(super) fn fail(&mut self, field: &'static str, kind: ProblemKind, message: String) {
        self.problems.push(Problem::new(Location::source("records").at_row(self.row).in_field(field), kind, message));
    }

    pub(super) fn text(&mut self, field: &'static str, v: Option<&Bound<'_, PyAny>>) -> Option<Option<String>> {
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

    pub(super) fn date(
        &mut self,
        field: &'static str,
        v: Option<&Bound<'_, PyAny>>,
    ) -> Option<Option<chrono::NaiveDate>> {
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

    pub(super) fn number(&mut self, field: &'static str, v: Option<&Bound<'_, PyAny>>) -> Option<Option<Decimal>> {
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
pub(super) fn is_missing(v: &Bound<'_, PyAny>) -> bool {
    if v.is_none() {
        return true;
    }
    if let Ok(f) = v.cast::<pyo3::types::PyFloat>() {
        return f.value().is_nan();
    }
    matches!(type_name(v).as_str(), "NAType" | "NaTType")
}

pub(super) fn short_repr(v: &Bound<'_, PyAny>) -> String {
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
