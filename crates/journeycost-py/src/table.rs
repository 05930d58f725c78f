//! `Table`: a typed result table (an Arrow record batch) with exact money columns.

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Decimal128Type, Float64Type, Int64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use journeycost::Decimal;
use pyo3::exceptions::{PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyCapsule, PyDict, PyList, PyTuple};

use crate::arrow_ffi::{export_schema, export_stream};
use crate::errors::JourneyCostError;

/// A table of results: the same columns and values as the CLI's CSV file of the same name,
/// with money as exact decimals.
///
/// A `Table` speaks the Arrow PyCapsule interface (``__arrow_c_stream__``), so pyarrow, polars,
/// DuckDB and others read it without a copy through Python objects. Money columns are Arrow
/// ``decimal128(38, 2)``, dates ``date32`` and counts ``int64``: nothing becomes a float.
///
/// Examples
/// --------
/// >>> import journeycost
/// >>> c = journeycost.Scenario.load("examples/anna/scenario.toml").compare()
/// >>> c.agencies.columns
/// ['agency', 'baseline_cost', 'alternative_cost', 'saving']
/// >>> c.agencies.rows()[-1]["agency"], c.agencies.rows()[-1]["saving"]
/// ('TOTAL', Decimal('95376.63'))
#[pyclass(frozen, module = "journeycost._journeycost")]
pub(crate) struct Table {
    pub(crate) batch: RecordBatch,
    pub(crate) name: String,
}

impl Table {
    pub(crate) fn new(name: impl Into<String>, batch: RecordBatch) -> Table {
        Table { batch, name: name.into() }
    }

    /// A table from one of journeycost's CSV outputs: `file` of the command `command`
    /// (`compare`, ...; empty for a table named by its file alone, such as `catalogue`), typed
    /// by its declared schema ([`journeycost::arrow::SCHEMAS`]).
    pub(crate) fn from_csv(command: &str, file: &str, bytes: &[u8]) -> PyResult<Table> {
        let name = file.trim_end_matches(".csv");
        let table = if command.is_empty() { name.to_owned() } else { format!("{command}/{name}") };
        let batch = journeycost::arrow::table_from_csv(&table, bytes)
            .map_err(|m| JourneyCostError::new_err(format!("table {table}: {m}")))?;
        Ok(Table::new(name, batch))
    }

    fn value<'py>(&self, py: Python<'py>, column: usize, row: usize) -> PyResult<Bound<'py, PyAny>> {
        let a = self.batch.column(column);
        if a.is_null(row) {
            return Ok(py.None().into_bound(py));
        }
        Ok(match a.data_type() {
            DataType::Utf8 => a.as_string::<i32>().value(row).into_pyobject(py)?.into_any(),
            DataType::Int64 => a.as_primitive::<Int64Type>().value(row).into_pyobject(py)?.into_any(),
            DataType::Float64 => a.as_primitive::<Float64Type>().value(row).into_pyobject(py)?.into_any(),
            DataType::Boolean => a.as_boolean().value(row).into_pyobject(py)?.to_owned().into_any(),
            DataType::Date32 => journeycost::arrow::date_from_epoch_days(a.as_primitive::<Date32Type>().value(row))
                .ok_or_else(|| PyValueError::new_err("date out of range"))?
                .into_pyobject(py)?
                .into_any(),
            DataType::Decimal128(_, scale) => {
                let m = a.as_primitive::<Decimal128Type>().value(row);
                let scale = u32::from(scale.unsigned_abs());
                match Decimal::try_from_i128_with_scale(m, scale) {
                    Ok(d) => d.into_pyobject(py)?.into_any(),
                    // Beyond rust_decimal's 28 digits: Python's Decimal takes the exact text.
                    Err(_) => crate::inputs::decimal_type(py)?.call1((decimal_text(m, scale),))?,
                }
            }
            t => return Err(PyValueError::new_err(format!("unexpected column type {t}"))),
        })
    }

    fn index_of(&self, name: &str) -> PyResult<usize> {
        self.batch
            .schema()
            .index_of(name)
            .map_err(|_| PyKeyError::new_err(format!("no column {name:?} in table {}", self.name)))
    }

    /// The cells of the first `n` rows as text, for `repr` and the HTML view.
    fn preview(&self, py: Python<'_>, n: usize) -> PyResult<Vec<Vec<String>>> {
        (0..self.batch.num_rows().min(n))
            .map(|r| {
                (0..self.batch.num_columns())
                    .map(|c| self.value(py, c, r).map(|v| if v.is_none() { String::new() } else { v.to_string() }))
                    .collect()
            })
            .collect()
    }
}

/// The exact text of a decimal given as a mantissa and a scale, e.g. `(-1234, 3)` is `-1.234`.
fn decimal_text(m: i128, scale: u32) -> String {
    let digits = m.unsigned_abs().to_string();
    let sign = if m < 0 { "-" } else { "" };
    let scale = scale as usize;
    if scale == 0 {
        return format!("{sign}{digits}");
    }
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{sign}{int}.{frac}")
}

pub(crate) fn frames<'py>(py: Python<'py>, function: &str, obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    py.import("journeycost._frames")?.getattr(function)?.call1((obj,))
}

#[pymethods]
impl Table {
    /// The table's name: the CLI file it matches, without ``.csv``.
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    /// The column names, in order.
    #[getter]
    fn columns(&self) -> Vec<String> {
        self.batch.schema().fields().iter().map(|f| f.name().clone()).collect()
    }

    /// The Arrow type of each column as ``(name, type)`` pairs, e.g. ``('cost', 'Decimal128(38, 2)')``.
    #[getter]
    fn types(&self) -> Vec<(String, String)> {
        self.batch.schema().fields().iter().map(|f| (f.name().clone(), f.data_type().to_string())).collect()
    }

    /// The number of rows.
    #[getter]
    fn num_rows(&self) -> usize {
        self.batch.num_rows()
    }

    fn __len__(&self) -> usize {
        self.batch.num_rows()
    }

    /// The values of one column, as Python objects (``Decimal``, ``datetime.date``, ``int``,
    /// ``str``, ``None``).
    fn column<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyList>> {
        let c = self.index_of(name)?;
        let values = (0..self.batch.num_rows()).map(|r| self.value(py, c, r)).collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, values)
    }

    /// Every row as a dict of Python objects (money as ``Decimal``): no pandas or pyarrow needed.
    fn rows<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let names = self.columns();
        let out = PyList::empty(py);
        for r in 0..self.batch.num_rows() {
            let d = PyDict::new(py);
            for (c, n) in names.iter().enumerate() {
                d.set_item(n, self.value(py, c, r)?)?;
            }
            out.append(d)?;
        }
        Ok(out)
    }

    /// The Arrow PyCapsule stream interface: the table as one record batch.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema; // The protocol lets a producer keep its own schema.
        export_stream(py, self.batch.clone())
    }

    /// The Arrow PyCapsule schema interface.
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        export_schema(py, &self.batch)
    }

    /// The table as a ``pyarrow.Table`` (needs pyarrow).
    fn to_arrow<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        frames(slf.py(), "to_arrow", slf.as_any())
    }

    /// The table as a pandas DataFrame (needs pandas and pyarrow). Money columns hold
    /// ``decimal.Decimal``, dates ``datetime.date``, counts pandas' nullable ``Int64``.
    fn to_pandas<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        frames(slf.py(), "to_pandas", slf.as_any())
    }

    /// The table as a polars DataFrame (needs polars). Money columns are ``pl.Decimal``.
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        frames(slf.py(), "to_polars", slf.as_any())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let shown = 8;
        let mut out = format!("<Table {} ({} rows)\n", self.name, self.batch.num_rows());
        let mut cells = vec![self.columns()];
        cells.extend(self.preview(py, shown)?);
        let widths: Vec<usize> = (0..self.batch.num_columns())
            .map(|c| cells.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
            .collect();
        for row in &cells {
            let line: Vec<String> = row.iter().zip(&widths).map(|(v, w)| format!("{v:>w$}")).collect();
            out += "  ";
            out += line.join("  ").trim_end();
            out += "\n";
        }
        if self.batch.num_rows() > shown {
            out += &format!("  ... {} more rows\n", self.batch.num_rows() - shown);
        }
        out.push('>');
        Ok(out)
    }

    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        html_table(py, self, 20)
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let mut bytes = Vec::new();
        {
            let mut w = arrow_ipc::writer::StreamWriter::try_new(&mut bytes, &self.batch.schema())
                .map_err(|e| JourneyCostError::new_err(e.to_string()))?;
            w.write(&self.batch).map_err(|e| JourneyCostError::new_err(e.to_string()))?;
            w.finish().map_err(|e| JourneyCostError::new_err(e.to_string()))?;
        }
        let f = py.import("journeycost._journeycost")?.getattr("_table_from_ipc")?;
        Ok((
            f,
            PyTuple::new(py, [self.name.clone().into_pyobject(py)?.into_any(), PyBytes::new(py, &bytes).into_any()])?,
        ))
    }
}

/// Rebuilds a pickled table (Arrow IPC stream bytes).
#[pyfunction]
pub(crate) fn _table_from_ipc(name: String, data: &[u8]) -> PyResult<Table> {
    let bad = |e: arrow_schema::ArrowError| JourneyCostError::new_err(format!("cannot unpickle the table: {e}"));
    let mut reader = arrow_ipc::reader::StreamReader::try_new(std::io::Cursor::new(data), None).map_err(bad)?;
    let batch =
        reader.next().ok_or_else(|| JourneyCostError::new_err("cannot unpickle the table: no data"))?.map_err(bad)?;
    Ok(Table::new(name, batch))
}

/// An HTML table of the first `n` rows, escaped, for notebooks.
pub(crate) fn html_table(py: Python<'_>, t: &Table, n: usize) -> PyResult<String> {
    let numeric: Vec<bool> = t
        .batch
        .schema()
        .fields()
        .iter()
        .map(|f| matches!(f.data_type(), DataType::Int64 | DataType::Float64 | DataType::Decimal128(..)))
        .collect();
    let mut out = String::from("<table class=\"journeycost\">\n<thead><tr>");
    for c in t.columns() {
        out += &format!("<th>{}</th>", escape(&c));
    }
    out += "</tr></thead>\n<tbody>\n";
    for row in t.preview(py, n)? {
        out += "<tr>";
        for (v, num) in row.iter().zip(&numeric) {
            let style = if *num { " style=\"text-align:right\"" } else { "" };
            out += &format!("<td{style}>{}</td>", escape(v));
        }
        out += "</tr>\n";
    }
    out += "</tbody>\n</table>\n";
    if t.batch.num_rows() > n {
        out += &format!("<p>{} of {} rows shown</p>\n", n, t.batch.num_rows());
    }
    Ok(out)
}

pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
