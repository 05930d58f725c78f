//! The run layer: the jobs every front end drives, above the formats of [`crate::io`].
//!
//! [`Inputs::load`] reads a whole set (catalogue, deflators, events, optional persons), checks
//! them against each other and reports every problem of every file at once; [`cost_streaming`]
//! and [`compare_streaming`] cost and compare a file of events of any size in flat memory,
//! split across threads. [`Run`] is the pipeline every command drives: built from a scenario
//! or from code ([`RunBuilder`]), it resolves every option in one place and has the steps
//! cost → compare → appraise → extrapolate.
//!
//! ## Example: appraise a scenario
//! ```no_run
//! use journeycost::run::Run;
//!
//! let run = Run::from_scenario("examples/anna/scenario.toml")?;
//! let appraised = run.appraise()?;
//! println!("NPV {} at {} prices", appraised.appraisal.npv, appraised.appraisal.price_base);
//! appraised.files().commit("out/appraisal".as_ref(), &run.files())?;
//! # Ok::<(), journeycost::Error>(())
//! ```

mod job;
mod pass;
mod stream;

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

pub use job::{Appraised, Compared, Extrapolated, Front, Loaded, Run, RunBuilder};
pub use pass::{
    PART, PartSink, Pass, Passed, compare_streaming, compare_streaming_in_parts, stream_in_parts, stream_into,
};
pub use stream::{StreamOptions, cost_streaming, cost_streaming_with, cost_tables_of};

use crate::catalogue::{Catalogue, MissingYears};
use crate::error::{Error, Location, Problem, ProblemKind, Problems, io_error};
use crate::io::{
    BUILTIN, CatalogueFile, InputDigest, InputPaths, digest, is_builtin, name_of, open, read_catalogue, read_deflators,
    read_events, read_persons, span,
};
use crate::journey::{Journeys, Persons};
use crate::prices::{PriceIndex, PriceYear};

/// A loaded, cross-checked input set.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The unit costs.
    pub catalogue: Catalogue,
    /// The price index.
    pub index: PriceIndex,
    /// The events.
    pub journeys: Journeys,
    /// Person attributes, if a persons file was given.
    pub persons: Option<Persons>,
    /// The price base: the requested year, or the latest outturn (not forecast) year of the index.
    pub price_base: PriceYear,
}

impl Inputs {
    /// Reads and checks every file of `paths`.
    ///
    /// Checks, beyond each file's own rules: every event code is in the catalogue; spells use
    /// time-rate units; the price year of every unit cost that an event uses, and the target
    /// price year, are in the price index.
    ///
    /// # Errors
    /// Every problem of every file (each file's list capped), in the order catalogue, deflators,
    /// events, persons.
    pub fn load(paths: &InputPaths, price_year: Option<PriceYear>) -> Result<Inputs, Error> {
        let catalogue = load_layered(&paths.catalogue);
        let index = load_deflators(paths.deflators.as_deref());
        let events = match &catalogue {
            Ok(c) => open(&paths.events).and_then(|(n, f)| read_events(&n, f, Some(&c.catalogue))),
            Err(_) => open(&paths.events).and_then(|(n, f)| read_events(&n, f, None)),
        };
        let persons = paths.persons.as_ref().map(|p| open(p).and_then(|(n, f)| read_persons(&n, f)));
        let (catalogue, index, journeys, persons) = match (catalogue, index, events, persons.transpose()) {
            (Ok(c), Ok(i), Ok(e), Ok(p)) => (c, i, e, p),
            (c, i, e, p) => {
                let errs = [c.err(), i.err(), e.err(), p.err()].into_iter().flatten();
                return Err(Error::merge(errs).unwrap_or_else(|| {
                    Error::new(Location::source("inputs"), ProblemKind::Io, "cannot read the inputs")
                }));
            }
        };
        let deflators = deflators_name(paths);
        let price_base = price_base_of(&index, price_year, &deflators)?;
        let mut used = vec![false; catalogue.catalogue.len()];
        for code in journeys.codes().names() {
            if let Some(i) = catalogue.catalogue.position(code) {
                used[i] = true;
            }
        }
        let problems = price_year_problems(&catalogue, &index, &deflators, price_base, &used);
        problems.into_result(Inputs { catalogue: catalogue.catalogue, index, journeys, persons, price_base })
    }
}

/// The display name of the price index: its file, or the built-in deflator's name.
pub(crate) fn deflators_name(paths: &InputPaths) -> String {
    paths.deflators.as_deref().map_or_else(|| crate::builtin::HMT_DEFLATOR_NAME.to_owned(), name_of)
}

/// The price base: the requested year, or the latest year of the index.
pub(crate) fn price_base_of(
    index: &PriceIndex,
    price_year: Option<PriceYear>,
    deflators: &str,
) -> Result<PriceYear, Error> {
    price_year
        .or_else(|| index.latest_outturn())
        .ok_or_else(|| Error::new(Location::source(deflators), ProblemKind::Empty, "the price index has no years"))
}

/// The price years missing from the index: the price base, and the price year of each unit
/// cost that is used (`used`, by catalogue position), with the catalogue line it comes from.
pub(crate) fn price_year_problems(
    layered: &Layered,
    index: &PriceIndex,
    deflators: &str,
    price_base: PriceYear,
    used: &[bool],
) -> Problems {
    let mut problems = Problems::default();
    if index.get(price_base).is_none() {
        problems.push(Problem::new(
            Location::source(deflators),
            ProblemKind::MissingPriceYear,
            format!("the target price year {price_base} is not in the price index (it has {})", span(index)),
        ));
    }
    // One problem per missing year, however many unit costs are priced in it.
    let mut missing = MissingYears::default();
    for (i, u) in layered.catalogue.entries().iter().enumerate() {
        if used.get(i).copied().unwrap_or(false) && index.get(u.price_year).is_none() {
            let at = Location::source(&layered.origins[i].0).at_line(layered.origins[i].1).in_field("price_year");
            missing.add(u.price_year, &u.code, at);
        }
    }
    for p in missing.problems(index, deflators) {
        problems.push(p);
    }
    problems
}

/// Reads a price index: a `deflators.csv` (with `index` or `change_percent`), the Lookups GDP
/// table of a Unit Cost Database workbook (recognised by its first bytes), or, for `None`, the
/// built-in HM Treasury deflator.
///
/// # Errors
/// The file's problems.
pub fn load_deflators(path: Option<&Path>) -> Result<PriceIndex, Error> {
    if let Some((index, _, _)) = path.and_then(|p| p.to_str()).and_then(crate::builtin::price_index_named) {
        return Ok(index);
    }
    match path {
        None => Ok(crate::builtin::price_index()),
        Some(p) if crate::ucd::is_workbook(p) => {
            let f = File::open(p).map_err(|e| io_error(p, "open the file", &e))?;
            crate::ucd::read_gdp_deflator(&name_of(p), BufReader::new(f)).map(|d| d.index)
        }
        Some(p) => open(p).and_then(|(n, f)| read_deflators(&n, f)),
    }
}

/// Reads and layers catalogues as [`InputPaths::catalogue`] describes: the built-in one when
/// `paths` is empty; `builtin` for it among others; later catalogues override earlier codes.
///
/// # Errors
/// Every problem of every catalogue.
pub fn load_catalogues(paths: &[PathBuf]) -> Result<Catalogue, Error> {
    load_layered(paths).map(|l| l.catalogue)
}

/// Catalogues layered into one, with each entry's source and line.
pub(crate) struct Layered {
    pub(crate) catalogue: Catalogue,
    pub(crate) origins: Vec<(String, u64)>,
}

/// Reads every catalogue (the built-in one when none is named) and layers them: a later
/// catalogue's entry replaces an earlier entry with the same code, in its place; new codes are
/// appended.
pub(crate) fn load_layered(paths: &[PathBuf]) -> Result<Layered, Error> {
    let builtin = [PathBuf::from(BUILTIN)];
    let paths = if paths.is_empty() { &builtin[..] } else { paths };
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        let file = if is_builtin(p) {
            Ok(crate::builtin::catalogue_file())
        } else if crate::ucd::is_workbook(p) {
            // A Unit Cost Database workbook: imported as `catalogue import` would write it.
            crate::ucd::import_file(p).and_then(|import| {
                let export = crate::ucd::catalogue_csv(&import.lines, crate::catalogue::ValueType::Fiscal);
                read_catalogue(&name_of(p), export.csv.as_slice())
            })
        } else {
            open(p).and_then(|(n, f)| read_catalogue(&n, f))
        };
        match file {
            Ok(f) => files.push(f),
            Err(e) => errors.push(e),
        }
    }
    if let Some(e) = Error::merge(errors) {
        return Err(e);
    }
    layer_files(&files)
}

/// Layers catalogues already read: a later catalogue's entry replaces an earlier entry with
/// the same code, in its place; new codes are appended.
///
/// # Errors
/// Never for files that were read on their own; kept for the checks of [`Catalogue::new`].
pub fn layer_catalogues(files: &[CatalogueFile]) -> Result<Catalogue, Error> {
    layer_files(files).map(|l| l.catalogue)
}

fn layer_files(files: &[CatalogueFile]) -> Result<Layered, Error> {
    let mut entries: Vec<crate::catalogue::UnitCost> = Vec::new();
    let mut origins: Vec<(String, u64)> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for f in files {
        for (u, line) in f.catalogue.entries().iter().zip(&f.lines) {
            let origin = (f.name.clone(), *line);
            if let Some(&i) = at.get(&u.code) {
                entries[i] = u.clone();
                origins[i] = origin;
            } else {
                at.insert(u.code.clone(), entries.len());
                entries.push(u.clone());
                origins.push(origin);
            }
        }
    }
    Ok(Layered { catalogue: Catalogue::new(entries)?, origins })
}

/// [`digests`], with a note on the price index when the price base is one of its forecast
/// years (see [`PriceIndex::forecast_note`]).
///
/// # Errors
/// If a file cannot be read.
pub fn digests_at(paths: &InputPaths, price_base: PriceYear) -> Result<Vec<InputDigest>, Error> {
    let mut all = digests(paths)?;
    let note = load_deflators(paths.deflators.as_deref()).ok().and_then(|index| index.forecast_note(price_base, []));
    if let Some(d) = all.iter_mut().find(|d| d.role == "deflators") {
        d.note = note;
    }
    Ok(all)
}

/// The SHA-256 of every file of an input set, in the order catalogue, deflators, events, persons.
///
/// # Errors
/// If a file cannot be read.
pub fn digests(paths: &InputPaths) -> Result<Vec<InputDigest>, Error> {
    let deflators = match &paths.deflators {
        Some(p) => match p.to_str().and_then(crate::builtin::price_index_named) {
            Some((_, d, _)) => d,
            None => digest("deflators", p)?,
        },
        None => crate::builtin::price_index_digest(),
    };
    let mut out = Vec::new();
    if paths.catalogue.is_empty() {
        out.push(crate::builtin::catalogue_digest());
    }
    for c in &paths.catalogue {
        out.push(if is_builtin(c) { crate::builtin::catalogue_digest() } else { digest("catalogue", c)? });
    }
    out.extend([deflators, digest("events", &paths.events)?]);
    if let Some(p) = &paths.persons {
        out.push(digest("persons", p)?);
    }
    Ok(out)
}
