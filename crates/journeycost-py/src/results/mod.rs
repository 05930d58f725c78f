//! The results: `Ledger`, `Comparison`, `Appraisal`, `Extrapolation`, and the `Scenario` that
//! makes them from a scenario file, plus the `cost` and `compare` functions.
//!
//! One file per Python class: `ledger` (and `cost`), `comparison` (and `compare`),
//! `appraisal`, `extrapolation`, `scenario`. This file holds what they share.

mod appraisal;
mod comparison;
mod extrapolation;
mod ledger;
mod scenario;

pub(crate) use appraisal::Appraisal;
pub(crate) use comparison::{Comparison, compare};
pub(crate) use extrapolation::Extrapolation;
pub(crate) use ledger::{Ledger, cost};
pub(crate) use scenario::Scenario;

use std::path::PathBuf;

use journeycost::catalogue::ValueType;
use journeycost::io::OutputSet;
use journeycost::period::PeriodKind;
use pyo3::prelude::*;

use crate::errors::{Class, JourneyCostError, ScenarioError};
use crate::table::Table;
use crate::work::run;

// What one result's file needs of another's (their origins), for `super::` imports.
use appraisal::Made;
use comparison::CompareOrigin;
use ledger::{Costed, LedgerOrigin};

fn value_types(values: &str) -> PyResult<&'static [ValueType]> {
    ValueType::case(values).map_err(ScenarioError::new_err)
}

fn period(p: &str) -> PyResult<PeriodKind> {
    p.parse().map_err(|m: String| ScenarioError::new_err(m))
}

/// Every CSV table of `command`'s files, by name.
fn tables(command: &str, files: &OutputSet) -> PyResult<Vec<(String, Table)>> {
    files
        .files()
        .iter()
        .filter(|(n, _)| n.ends_with(".csv"))
        .map(|(n, b)| Table::from_csv(command, n, b).map(|t| (n.trim_end_matches(".csv").to_owned(), t)))
        .collect()
}

/// The table `name` of `command`'s files.
fn table(command: &str, files: &OutputSet, name: &str) -> PyResult<Table> {
    let bytes = files.get(name).ok_or_else(|| JourneyCostError::new_err(format!("no {name} in the results")))?;
    Table::from_csv(command, name, bytes)
}

fn json(files: &OutputSet, name: &str) -> PyResult<String> {
    let bytes = files.get(name).ok_or_else(|| JourneyCostError::new_err(format!("no {name} in the results")))?;
    String::from_utf8(bytes.to_vec()).map_err(|e| JourneyCostError::new_err(e.to_string()))
}

/// Makes `out` hold exactly these files (all at once), never replacing one of `inputs`;
/// returns the paths written.
fn write(py: Python<'_>, files: &OutputSet, out: PathBuf, inputs: &[PathBuf]) -> PyResult<Vec<PathBuf>> {
    run(py, Class::Input, None, |_| files.commit(&out, inputs))
}
