//! Integration tests of the journeycost library.

/// Appraisal properties: zero rates give undiscounted sums, NPV is linear in the flows, more
/// deadweight never raises NPV.
mod appraisal;
/// Invariants over random cohorts: totals conserve, savings are baseline minus alternative,
/// row order does not matter, spells' month parts sum to their totals.
mod invariants;
/// Arbitrary bytes fed to every reader: an error or a value, never a panic.
mod robustness;
/// The Unit Cost Database importer on the real workbook and 2014 export in `tests/data/ucd/`:
/// the validation that uprating reproduces their own updated figures, units, agencies, the
/// rendered catalogue, and junk input.
mod ucd;
