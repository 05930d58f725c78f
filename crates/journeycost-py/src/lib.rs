//! Python bindings: conversions, exceptions and object lifetimes only; every number comes from
//! `journeycost`.
//!
//! Layout: `errors` turns library errors (and any panic) into the exception hierarchy;
//! `arrow_ffi` is the only unsafe code (the Arrow C stream interface); `table` is the typed
//! result table; `inputs` the catalogue, price index and events; `results` the ledger,
//! comparison, appraisal, extrapolation and scenario; `work` runs long jobs without the GIL and
//! with a progress bar.
#![deny(unsafe_code)]
#![allow(missing_docs)]
// pyo3's generated code and signatures: Python conventions, not Rust ones.
#![allow(clippy::needless_pass_by_value, clippy::unused_self, clippy::wrong_self_convention)]
// Docstrings here are Python's (numpy style, ``literals``), shown by help() and Jupyter.
#![allow(clippy::doc_markdown, clippy::doc_link_with_quotes)]
// HTML for notebooks is built by appending; pyo3 signatures mirror Python keyword arguments;
// output names are journeycost's own lowercase `.csv`.
#![allow(clippy::format_push_string, clippy::too_many_arguments, clippy::case_sensitive_file_extension_comparisons)]

mod arrow_ffi;
mod errors;
mod inputs;
mod results;
mod sections;
mod table;
mod work;

use pyo3::prelude::*;

#[pymodule]
fn _journeycost(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("JourneyCostError", py.get_type::<errors::JourneyCostError>())?;
    m.add("InputError", py.get_type::<errors::InputError>())?;
    m.add("CatalogueError", py.get_type::<errors::CatalogueError>())?;
    m.add("ScenarioError", py.get_type::<errors::ScenarioError>())?;
    m.add("DisclosureError", py.get_type::<errors::DisclosureError>())?;
    m.add("__version__", journeycost::output::VERSION)?;
    m.add("UCD_ATTRIBUTION", journeycost::builtin::UCD_ATTRIBUTION)?;
    m.add("HMT_DEFLATOR_ATTRIBUTION", journeycost::builtin::HMT_DEFLATOR_ATTRIBUTION)?;
    // The triangle of need, bottom to top, as `tiers` tables label its rows and as charts name
    // them: from the library's own names.
    let tiers: Vec<(String, String)> = (1..=4)
        .filter_map(journeycost::catalogue::Tier::new)
        .map(|t| (journeycost::compare::tier_label(Some(t)), format!("{} {}", t.level(), t.name())))
        .chain(std::iter::once((journeycost::compare::tier_label(None), journeycost::compare::tier_label(None))))
        .collect();
    m.add("TIERS", tiers)?;
    m.add_class::<table::Table>()?;
    m.add_class::<inputs::Catalogue>()?;
    m.add_class::<inputs::PriceIndex>()?;
    m.add_class::<inputs::Events>()?;
    m.add_class::<results::Ledger>()?;
    m.add_class::<results::Comparison>()?;
    m.add_class::<results::Appraisal>()?;
    m.add_class::<results::Extrapolation>()?;
    m.add_class::<results::Scenario>()?;
    m.add_function(wrap_pyfunction!(results::cost, m)?)?;
    m.add_function(wrap_pyfunction!(results::compare, m)?)?;
    m.add_function(wrap_pyfunction!(table::_table_from_ipc, m)?)?;
    Ok(())
}
