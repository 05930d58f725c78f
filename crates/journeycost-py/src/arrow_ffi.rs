//! The Arrow PyCapsule interface: tables leave as `arrow_array_stream` capsules, and anything
//! with `__arrow_c_stream__` (pyarrow, polars, pandas through pyarrow, nanoarrow, duckdb) comes
//! in through one. This module holds the crate's only unsafe code.

use std::ffi::CString;

use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::{RecordBatch, RecordBatchIterator};
use arrow_schema::ArrowError;
use arrow_schema::ffi::FFI_ArrowSchema;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

use crate::errors::JourneyCostError;

const STREAM: &std::ffi::CStr = c"arrow_array_stream";

/// The batch as an `arrow_array_stream` capsule. When a consumer takes the stream, it moves it
/// out of the capsule (leaving it released); otherwise the capsule's destructor releases it.
pub(crate) fn export_stream(py: Python<'_>, batch: RecordBatch) -> PyResult<Bound<'_, PyCapsule>> {
    let schema = batch.schema();
    let reader = RecordBatchIterator::new([Ok(batch)], schema);
    let stream = FFI_ArrowArrayStream::new(Box::new(reader));
    PyCapsule::new(py, stream, Some(CString::from(STREAM)))
}

/// The schema as an `arrow_schema` capsule.
pub(crate) fn export_schema<'py>(py: Python<'py>, batch: &RecordBatch) -> PyResult<Bound<'py, PyCapsule>> {
    let schema =
        FFI_ArrowSchema::try_from(batch.schema().as_ref()).map_err(|e| JourneyCostError::new_err(e.to_string()))?;
    PyCapsule::new(py, schema, Some(CString::from(c"arrow_schema")))
}

/// The batches of an imported stream. A producer whose data breaks its own schema makes
/// arrow's import panic; that is the producer's error, so it becomes an error here.
pub(crate) struct Batches(pub(crate) RecordBatchStreamReader);

impl Iterator for Batches {
    type Item = Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        let reader = &mut self.0;
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| reader.next())).unwrap_or_else(|payload| {
            Some(Err(ArrowError::CDataInterface(format!(
                "the stream's data does not match its schema ({})",
                crate::errors::panic_message(payload.as_ref())
            ))))
        })
    }
}

/// Takes the Arrow stream of `obj` (an object with `__arrow_c_stream__`).
pub(crate) fn import_stream(obj: &Bound<'_, PyAny>) -> PyResult<RecordBatchStreamReader> {
    if !obj.hasattr("__arrow_c_stream__")? {
        let t = obj.get_type().name().map_or_else(|_| "?".to_owned(), |n| n.to_string());
        return Err(PyTypeError::new_err(format!(
            "expected an Arrow table (an object with __arrow_c_stream__, such as a pyarrow Table or a polars DataFrame), found {t}"
        )));
    }
    let capsule = obj.call_method1("__arrow_c_stream__", (obj.py().None(),))?;
    let capsule = capsule
        .cast::<PyCapsule>()
        .map_err(|_| PyTypeError::new_err("__arrow_c_stream__ did not return a PyCapsule"))?;
    let pointer = capsule.pointer_checked(Some(STREAM))?;
    // SAFETY: the capsule is named "arrow_array_stream", so by the Arrow PyCapsule interface its
    // pointer is a valid `struct ArrowArrayStream`, which `FFI_ArrowArrayStream` mirrors
    // (`#[repr(C)]`). `from_raw` moves the stream out and leaves a released one behind, so the
    // producer's capsule destructor will not release it a second time.
    #[allow(unsafe_code)]
    let stream = unsafe { FFI_ArrowArrayStream::from_raw(pointer.as_ptr().cast()) };
    RecordBatchStreamReader::try_new(stream)
        .map_err(|e| JourneyCostError::new_err(format!("cannot read the Arrow stream: {e}")))
}
