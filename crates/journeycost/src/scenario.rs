//! Scenario files: one TOML file naming every input and option, so a run is one command and can
//! be reproduced from the file alone.
//!
//! ```toml
//! # journeycost scenario (schema 1)
//! title = "Anna: five years of unmet need, the old way and the new"
//! [inputs]                 # paths relative to this file
//! catalogue = "catalogue.csv"
//! deflators = "deflators.csv"
//! events = "events.csv"
//! persons = "persons.csv"  # optional
//! [costing]
//! price_year = "2023/24"   # optional: default the latest year of the deflators
//! [compare]                # every key optional
//! baseline = "old"
//! alternative = "new"
//! period = "quarter"       # month, quarter, year or fy
//! person = "ANNA"          # restrict to one person
//! by = "primary_need"      # group by a persons column
//! ```
//! Unknown keys are errors, so a misspelt option never silently does nothing.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Location, ProblemKind, io_error};
use crate::io::InputPaths;
use crate::period::PeriodKind;
use crate::prices::PriceYear;

/// A parsed scenario file, with paths resolved against its directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// A title for reports.
    pub title: Option<String>,
    /// The input files.
    pub inputs: InputPaths,
    /// The price base, if set.
    pub price_year: Option<PriceYear>,
    /// The `[compare]` options.
    pub compare: CompareSection,
}

/// The `[compare]` section; every key optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompareSection {
    /// Baseline pathway.
    pub baseline: Option<String>,
    /// Alternative pathway.
    pub alternative: Option<String>,
    /// Period of the series.
    pub period: Option<PeriodKind>,
    /// Restrict to one person.
    pub person: Option<String>,
    /// Group by a persons column.
    pub by: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    title: Option<String>,
    inputs: InputsSection,
    #[serde(default)]
    costing: CostingSection,
    #[serde(default)]
    compare: CompareSection,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InputsSection {
    catalogue: PathBuf,
    deflators: PathBuf,
    events: PathBuf,
    persons: Option<PathBuf>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CostingSection {
    price_year: Option<String>,
}

impl Scenario {
    /// Reads a scenario file.
    ///
    /// # Errors
    /// If the file cannot be read, is not valid TOML, has unknown keys, or has an invalid
    /// price year; the message names the file and, for TOML errors, the line.
    pub fn load(path: &Path) -> Result<Scenario, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| io_error(path, "read the scenario file", &e))?;
        Scenario::parse(&text, path.parent().unwrap_or(Path::new("")), &path.display().to_string())
    }

    /// Parses scenario text; relative paths are resolved against `base`.
    ///
    /// # Errors
    /// As for [`Scenario::load`].
    ///
    /// # Example
    /// ```
    /// use journeycost::scenario::Scenario;
    /// use std::path::Path;
    ///
    /// let s = Scenario::parse(
    ///     "[inputs]\ncatalogue = \"c.csv\"\ndeflators = \"d.csv\"\nevents = \"e.csv\"\n[compare]\nperiod = \"fy\"\n",
    ///     Path::new("examples/anna"),
    ///     "scenario.toml",
    /// ).unwrap();
    /// assert_eq!(s.inputs.events, Path::new("examples/anna/e.csv"));
    ///
    /// let err = Scenario::parse("[inputs]\ncatalog = \"c.csv\"\n", Path::new(""), "scenario.toml").unwrap_err();
    /// assert!(err.to_string().starts_with("scenario.toml line 2"));
    /// ```
    pub fn parse(text: &str, base: &Path, name: &str) -> Result<Scenario, Error> {
        let file: File = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() as u64 + 1);
            let mut loc = Location::source(name);
            if let Some(l) = line {
                loc = loc.at_line(l);
            }
            Error::new(loc, ProblemKind::Scenario, e.message().trim_end_matches('\n').to_owned())
        })?;
        let price_year = match file.costing.price_year {
            None => None,
            Some(s) => Some(
                s.parse::<PriceYear>()
                    .map_err(|e| Error::new(Location::source(name).in_field("costing.price_year"), ProblemKind::Scenario, e.to_string()))?,
            ),
        };
        let at = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
        Ok(Scenario {
            title: file.title,
            inputs: InputPaths {
                catalogue: at(file.inputs.catalogue),
                deflators: at(file.inputs.deflators),
                events: at(file.inputs.events),
                persons: file.inputs.persons.map(at),
            },
            price_year,
            compare: file.compare,
        })
    }
}
