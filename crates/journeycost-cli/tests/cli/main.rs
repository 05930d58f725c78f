//! End-to-end tests of the `journeycost` binary, each run in a temporary directory.

mod util;

/// `journeycost appraise`, `discount` and `npv`: golden files and known answers.
mod appraise;
/// The built-in Unit Cost Database and price index; layered catalogues; importing the database.
mod builtin;
/// `journeycost catalogue`: list, show, search, export.
mod catalogue;
/// `journeycost compare` on the bundled example against golden files, and its options.
mod compare;
/// An attacker against published reports: crafted cohorts with 1 to 4 people in an agency, a
/// period, a tier, a group, a segment or an appraisal year; nothing sensitive is recovered.
mod disclosure;
/// Bad input: clear errors naming file, line and field; exit 1; no output left behind.
mod errors;
/// `journeycost extrapolate`: reproducible whatever the thread count, golden files, errors.
mod extrapolate;
/// `journeycost cost` against the plain-Python oracle's outputs, byte for byte.
mod oracle;
/// `--out`: a folder journeycost owns, replaced whole; inputs never replaced; pipes and FIFOs.
mod outputs;
/// `journeycost report`: golden reports, escaping, disclosure control, house templates.
mod report;
/// Crafted input from the review of #13: no abort and no panic text, bounded resources,
/// one exactness rule, escaped messages, no comparison of a pathway with itself.
mod robustness;
