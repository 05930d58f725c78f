//! The inputs: `Catalogue`, `PriceIndex` and `Events`. Each keeps what it was made from (file
//! bytes, or its own exact Arrow table), so it pickles exactly and cheaply.
//!
//! One file per Python class: `catalogue`, `prices` (`PriceIndex`), `events`. This file holds
//! what they share.

mod catalogue;
mod events;
mod prices;

pub(crate) use catalogue::Catalogue;
pub(crate) use events::{Events, decimal_type};
pub(crate) use prices::{PriceIndex, parse_year};

use std::path::Path;

use journeycost::error::Location;
use journeycost::{Error, ProblemKind};
use pyo3::prelude::*;

use crate::errors::JourneyCostError;
use crate::table::Table;

// What one input's file needs of another's, for `super::` imports.
use events::{Refusal, exact_number, float_message};

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

/// A file's name without its directory, as provenance records name files.
fn file_name(name: &str) -> String {
    Path::new(name).file_name().map_or_else(|| name.to_owned(), |n| n.to_string_lossy().into_owned())
}

pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map_or_else(|_| "?".to_owned(), |n| n.to_string())
}
