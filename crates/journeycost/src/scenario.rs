//! Scenario files: one TOML file naming every input and option, so a run is one command and can
//! be reproduced from the file alone.
//!
//! ```toml
//! # journeycost scenario (schema 1)
//! title = "Anna: five years of unmet need, the old way and the new"
//! [inputs]                 # paths relative to this file
//! catalogue = "catalogue.csv"  # or ["builtin", "mine.csv"]; default: the built-in database
//! deflators = "deflators.csv"   # optional: default the built-in HM Treasury GDP deflator
//! events = "events.csv"
//! persons = "persons.csv"  # optional
//! [costing]
//! price_year = "2023/24"   # optional: default the latest year of the deflators
//! values = "fiscal"        # fiscal (the financial case, default) or public (+ economic, social)
//! [compare]                # every key optional
//! baseline = "old"
//! alternative = "new"
//! period = "quarter"       # month, quarter, year or fy
//! person = "ANNA"          # restrict to one person
//! by = "primary_need"      # group by a persons column
//! agency_level = 2         # who pays and who saves by agency and agency detail
//! [appraisal]              # see docs/appraisal.md; every key optional
//! years = "fy"             # fy or calendar
//! base_year = "2019/20"    # year 0; default: the first year with data
//! schedule = "green-book"  # green-book, health, none or constant:RATE
//! adjustments = "multiplicative"  # or additive
//! intervention_agencies = ["Locality team"]   # their new-way ledger cost is the intervention's cost
//! intervention_codes = ["SS18.10"]           # likewise for these catalogue codes
//! [appraisal.deadweight]   # also attribution, displacement, leakage
//! value = 0.2
//! source = "comparison group, 2019 evaluation"
//! confidence = "amber"
//! set_by = "council analyst"
//! [appraisal.drop_off]
//! rate = 0.3
//! horizon = 3
//! [appraisal.optimism_bias]
//! amber = 0.1
//! intervention = 0.2
//! [[appraisal.costs]]
//! year = "2019/20"
//! amount = "45000"
//! agency = "Local Authority"
//! description = "locality team set-up"
//! ```
//! Numbers may be written as TOML numbers or as strings; a TOML number is read through its
//! shortest round-trip text, so `0.2` is exactly 0.2. Unknown keys are errors, so a misspelt
//! option never silently does nothing.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use rust_decimal::Decimal;
use toml::Spanned;

use crate::appraisal::{
    Adjustments, AppraisalSpec, Assumption, Combine, CostItem, DropOff, OptimismBias, Origin, Schedule, YearBasis,
};
use crate::catalogue::{Confidence, ValueType};
use crate::error::{Error, Location, Problem, ProblemKind, io_error};
use crate::extrapolate::{Dist, ExtrapolationPlan, ExtrapolationSpec, PerCase, PerCaseSource, Segment};
use crate::io::InputPaths;
use crate::period::PeriodKind;
use crate::prices::PriceYear;

/// A parsed scenario file, with paths resolved against its directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// A title for reports.
    pub title: Option<String>,
    /// The input files.
    pub inputs: InputPaths,
    /// The price base, if set.
    pub price_year: Option<PriceYear>,
    /// The value types counted, if set (`[costing] values`): fiscal, or all three.
    pub values: Option<&'static [ValueType]>,
    /// The `[compare]` options.
    pub compare: CompareSection,
    /// The `[appraisal]` section, if present, with pathways from `[compare]` (and the
    /// `[costing]` settings in its assumptions log).
    pub appraisal: Option<AppraisalSpec>,
    /// The `[extrapolation]` section, if present.
    pub extrapolation: Option<ExtrapolationPlan>,
    /// The `[report]` section (defaults when absent).
    pub report: ReportSection,
    /// The `[costing]` settings the file gives (`price_base`, `value_types`), for the
    /// assumptions log, with the file as their origin.
    pub costing_log: Vec<Assumption>,
}

impl Scenario {
    /// The appraisal this scenario asks for: its `[appraisal]` section, or the defaults (with
    /// the pathways of `[compare]`), with the `[costing]` settings it gives in the assumptions
    /// log.
    #[must_use]
    pub fn appraisal_spec(&self) -> AppraisalSpec {
        let options = self.compare.options(PeriodKind::Month);
        let mut spec = self.appraisal.clone().unwrap_or_else(|| AppraisalSpec {
            baseline: options.baseline,
            alternative: options.alternative,
            ..AppraisalSpec::default()
        });
        for a in &self.costing_log {
            crate::appraisal::record(&mut spec.assumptions, a.clone());
        }
        spec
    }
}

/// The `[report]` section: how `journeycost report` presents this scenario.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSection {
    /// The person whose red and blue lines are drawn on their own.
    pub person: Option<String>,
    /// Small-count suppression threshold; 0 turns it off (illustrative data only). Default 5.
    pub suppress_below: Option<u64>,
    /// Attribution lines for the data the scenario uses.
    #[serde(default)]
    pub attribution: Vec<String>,
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
    /// Who pays and who saves at agency level 1 or 2.
    pub agency_level: Option<u8>,
}

impl CompareSection {
    /// The comparison options this section asks for, with the defaults for what it leaves out:
    /// `old` against `new`, by `period`, at agency level 1.
    #[must_use]
    pub fn options(&self, period: PeriodKind) -> crate::compare::CompareOptions {
        crate::compare::CompareOptions {
            baseline: self.baseline.clone().unwrap_or_else(|| "old".to_owned()),
            alternative: self.alternative.clone().unwrap_or_else(|| "new".to_owned()),
            period: self.period.unwrap_or(period),
            agency_detail: self.agency_level == Some(2),
        }
    }
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
    appraisal: Option<AppraisalSection>,
    extrapolation: Option<ExtrapolationSection>,
    #[serde(default)]
    report: ReportSection,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtrapolationSection {
    draws: Option<u64>,
    seed: Option<u64>,
    schedule: Option<Spanned<String>>,
    adjustments: Option<Spanned<String>>,
    threshold: Option<Spanned<Dec>>,
    percentiles: Option<Spanned<Vec<f64>>>,
    histogram_bins: Option<usize>,
    #[serde(default)]
    segments: Vec<Spanned<SegmentSection>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SegmentSection {
    name: String,
    horizon: Option<u32>,
    count: Spanned<toml::Value>,
    reach: Option<Spanned<toml::Value>>,
    per_case: Spanned<toml::Value>,
    deadweight: Option<Spanned<toml::Value>>,
    attribution: Option<Spanned<toml::Value>>,
    displacement: Option<Spanned<toml::Value>>,
    leakage: Option<Spanned<toml::Value>>,
}

/// A decimal written as a TOML string, integer or float.
#[derive(Debug, Clone, Copy)]
struct Dec(Decimal);

impl<'de> Deserialize<'de> for Dec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Dec, D::Error> {
        d.deserialize_any(DecVisitor)
    }
}

/// Reads a [`Dec`].
struct DecVisitor;

impl serde::de::Visitor<'_> for DecVisitor {
    type Value = Dec;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a number, or a decimal number in a string such as \"0.2\"")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Dec, E> {
        crate::io::parse_decimal(v).map(Dec).map_err(E::custom)
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Dec, E> {
        Ok(Dec(Decimal::from(v)))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Dec, E> {
        Ok(Dec(Decimal::from(v)))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Dec, E> {
        // Rust prints a float as its shortest round-trip text: 0.2 reads back as 0.2.
        crate::io::parse_decimal(&format!("{v}")).map(Dec).map_err(E::custom)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AppraisalSection {
    years: Option<Spanned<String>>,
    base_year: Option<Spanned<String>>,
    schedule: Option<Spanned<String>>,
    adjustments: Option<Spanned<String>>,
    #[serde(default)]
    intervention_agencies: Vec<String>,
    #[serde(default)]
    intervention_codes: Vec<String>,
    deadweight: Option<Spanned<ParamInput>>,
    attribution: Option<Spanned<ParamInput>>,
    displacement: Option<Spanned<ParamInput>>,
    leakage: Option<Spanned<ParamInput>>,
    drop_off: Option<DropOffSection>,
    optimism_bias: Option<OptimismSection>,
    #[serde(default)]
    costs: Vec<Spanned<CostSection>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Provenance {
    source: Option<String>,
    // Plain, not `Spanned`: spans do not survive `#[serde(flatten)]`; a bad grade is located at
    // the value it qualifies.
    confidence: Option<String>,
    set_by: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Param {
    value: Spanned<Dec>,
    #[serde(flatten)]
    provenance: Provenance,
}

/// A parameter of the appraisal: a plain number (`deadweight = 0.2`, as in `[extrapolation]`)
/// or a table with `value` and its provenance.
enum ParamInput {
    Number(Dec),
    Table(Param),
}

impl<'de> Deserialize<'de> for ParamInput {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ParamInput, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = ParamInput;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number such as 0.2, or a table with value (and source, confidence, set_by)")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ParamInput, E> {
                DecVisitor.visit_str(v).map(ParamInput::Number)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<ParamInput, E> {
                DecVisitor.visit_i64(v).map(ParamInput::Number)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<ParamInput, E> {
                DecVisitor.visit_u64(v).map(ParamInput::Number)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<ParamInput, E> {
                DecVisitor.visit_f64(v).map(ParamInput::Number)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<ParamInput, A::Error> {
                Param::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(ParamInput::Table)
            }
        }
        d.deserialize_any(V)
    }
}

/// A parameter's value and where it is written.
fn param_value(p: &Spanned<ParamInput>) -> (Dec, std::ops::Range<usize>) {
    match p.get_ref() {
        ParamInput::Number(d) => (*d, p.span()),
        ParamInput::Table(t) => (*t.value.get_ref(), t.value.span()),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DropOffSection {
    rate: Spanned<Dec>,
    horizon: u32,
    #[serde(flatten)]
    provenance: Provenance,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OptimismSection {
    green: Option<Spanned<Dec>>,
    amber: Option<Spanned<Dec>>,
    red: Option<Spanned<Dec>>,
    unrated: Option<Spanned<Dec>>,
    intervention: Option<Spanned<Dec>>,
    #[serde(flatten)]
    provenance: Provenance,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CostSection {
    year: Spanned<String>,
    amount: Spanned<Dec>,
    agency: String,
    agency_detail: Option<String>,
    description: String,
    #[serde(flatten)]
    provenance: Provenance,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InputsSection {
    #[serde(default)]
    catalogue: OneOrMany,
    deflators: Option<PathBuf>,
    events: PathBuf,
    persons: Option<PathBuf>,
}

/// `catalogue = "c.csv"` or `catalogue = ["builtin", "c.csv"]`.
#[derive(Default, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    #[default]
    None,
    One(PathBuf),
    Many(Vec<PathBuf>),
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CostingSection {
    price_year: Option<String>,
    values: Option<String>,
}

impl Scenario {
    /// Reads a scenario file.
    ///
    /// # Errors
    /// If the file cannot be read, is not valid TOML, has unknown keys, or has an invalid
    /// price year; the message names the file and, for TOML errors, the line.
    pub fn load(path: &Path) -> Result<Scenario, Error> {
        crate::io::check_input(path)?;
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
            Some(s) => Some(s.parse::<PriceYear>().map_err(|e| {
                Error::new(Location::source(name).in_field("costing.price_year"), ProblemKind::Scenario, e.to_string())
            })?),
        };
        if let Some(l) = file.compare.agency_level.filter(|l| !(1..=2).contains(l)) {
            return Err(Error::new(
                Location::source(name).in_field("compare.agency_level"),
                ProblemKind::Scenario,
                format!("expected 1 or 2, found {l}"),
            ));
        }
        let values = match &file.costing.values {
            None => None,
            Some(v) => Some(ValueType::case(v).map_err(|e| {
                Error::new(Location::source(name).in_field("costing.values"), ProblemKind::Scenario, e)
            })?),
        };
        let appraisal = match file.appraisal {
            None => None,
            Some(section) => {
                let pathway = |p: &Option<String>, d: &str| p.clone().unwrap_or_else(|| d.to_owned());
                let pathways = (pathway(&file.compare.baseline, "old"), pathway(&file.compare.alternative, "new"));
                Some(appraisal_spec(&section, pathways, &Spans { text, name, arguments: false })?)
            }
        };
        let extrapolation = match file.extrapolation {
            None => None,
            Some(section) => Some(extrapolation_plan(&section, &Spans { text, name, arguments: false })?),
        };
        let origin = Spans { text, name, arguments: false }.origin_of("costing");
        let mut costing_log = Vec::new();
        if let Some(y) = price_year {
            costing_log.push(Assumption::given("price_base", &y, origin.clone()));
        }
        if let Some(v) = values {
            costing_log.push(Assumption::given("value_types", &crate::appraisal::values_label(v), origin));
        }
        let appraisal = appraisal.map(|mut spec: AppraisalSpec| {
            for a in &costing_log {
                crate::appraisal::record(&mut spec.assumptions, a.clone());
            }
            spec
        });
        let at = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
        let at_or_builtin = |p: PathBuf| if p.as_os_str() == crate::io::BUILTIN { p } else { at(p) };
        Ok(Scenario {
            title: file.title,
            inputs: InputPaths {
                catalogue: match file.inputs.catalogue {
                    OneOrMany::None => Vec::new(),
                    OneOrMany::One(p) => vec![at_or_builtin(p)],
                    OneOrMany::Many(ps) => ps.into_iter().map(at_or_builtin).collect(),
                },
                deflators: file.inputs.deflators.map(at),
                events: at(file.inputs.events),
                persons: file.inputs.persons.map(at),
            },
            price_year,
            values,
            compare: file.compare,
            appraisal,
            extrapolation,
            report: file.report,
            costing_log,
        })
    }
}

/// An `[appraisal]` section given as arguments rather than in a file: `keys` holds the
/// section's keys as TOML (what a scenario file has below `[appraisal]`), `pathways` the
/// baseline and alternative it appraises, and `name` how problems and the assumptions log name
/// the caller (e.g. `appraise()`). The same rules and messages as a scenario file's section.
///
/// # Errors
/// Every problem of the section, located by key.
pub fn appraisal_section(keys: &toml::Table, pathways: (String, String), name: &str) -> Result<AppraisalSpec, Error> {
    let text =
        toml::to_string(keys).map_err(|e| Error::new(Location::source(name), ProblemKind::Scenario, e.to_string()))?;
    let section: AppraisalSection = section_from(&text, name, "appraisal")?;
    appraisal_spec(&section, pathways, &Spans { text: &text, name, arguments: true })
}

/// An `[extrapolation]` section given as arguments, as [`appraisal_section`] takes an
/// `[appraisal]`.
///
/// # Errors
/// Every problem of the section, located by key.
pub fn extrapolation_section(keys: &toml::Table, name: &str) -> Result<ExtrapolationPlan, Error> {
    let text =
        toml::to_string(keys).map_err(|e| Error::new(Location::source(name), ProblemKind::Scenario, e.to_string()))?;
    let section: ExtrapolationSection = section_from(&text, name, "extrapolation")?;
    extrapolation_plan(&section, &Spans { text: &text, name, arguments: true })
}

/// A section read from its keys' TOML text, with serde's problems (an unknown key, a wrong
/// type) named by the key they are at.
fn section_from<T: serde::de::DeserializeOwned>(text: &str, name: &str, section: &str) -> Result<T, Error> {
    toml::from_str(text).map_err(|e| {
        // The key the problem is at: the key of the line its span starts on, in the table whose
        // header comes last before it.
        let key = e.span().and_then(|s| {
            let start = s.start.min(text.len());
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            let line = text[line_start..line_end].trim();
            let header = text[..line_start].lines().rev().find(|l| l.starts_with('['));
            let table = header.map(|h| h.trim_matches(|c| c == '[' || c == ']').trim().to_owned());
            let key = line.split_once('=').map(|(k, _)| k.trim().trim_matches('"').to_owned());
            match (table, key) {
                (Some(t), Some(k)) => Some(format!("{section}.{t}.{k}")),
                (None, Some(k)) => Some(format!("{section}.{k}")),
                (Some(t), None) => Some(format!("{section}.{t}")),
                (None, None) => None,
            }
        });
        let mut at = Location::source(name);
        if let Some(k) = key {
            at = at.in_field(k);
        }
        Error::new(at, ProblemKind::Scenario, e.message().trim_end_matches('\n').to_owned())
    })
}

/// Turns byte spans into locations in the scenario file, or, for a section given as arguments
/// (see [`appraisal_section`]), into the argument's name alone.
struct Spans<'a> {
    text: &'a str,
    name: &'a str,
    /// A section given as arguments: its values come from the arguments of its keys, and its
    /// text is made from them, so its line numbers mean nothing to the user and are not shown.
    arguments: bool,
}

impl Spans<'_> {
    /// Where the value of the section's `key` comes from: the file, by name (as outputs name
    /// their inputs), or the argument of that name.
    fn origin_of(&self, key: &str) -> Origin {
        if self.arguments {
            return Origin::Argument(key.to_owned());
        }
        Origin::Scenario(
            Path::new(self.name).file_name().map_or_else(|| self.name.to_owned(), |n| n.to_string_lossy().into_owned()),
        )
    }

    fn at(&self, span: &std::ops::Range<usize>, field: &str) -> Location {
        if self.arguments {
            return Location::source(self.name).in_field(field);
        }
        let line = self.text[..span.start.min(self.text.len())].matches('\n').count() as u64 + 1;
        Location::source(self.name).at_line(line).in_field(field)
    }

    fn problem(&self, span: &std::ops::Range<usize>, field: &str, message: impl Into<String>) -> Problem {
        Problem::new(self.at(span, field), ProblemKind::Scenario, message)
    }
}

fn appraisal_spec(
    section: &AppraisalSection,
    pathways: (String, String),
    spans: &Spans<'_>,
) -> Result<AppraisalSpec, Error> {
    let mut problems = Vec::new();
    let mut spec = AppraisalSpec { baseline: pathways.0, alternative: pathways.1, ..AppraisalSpec::default() };
    let mut log = Vec::new();
    let mut note =
        |name: &str, value: String, p: Option<(&Provenance, std::ops::Range<usize>)>, problems: &mut Vec<Problem>| {
            let confidence = p.as_ref().and_then(|(p, at)| {
                let c = p.confidence.as_ref()?;
                c.parse::<Confidence>()
                    .map_err(|e| problems.push(spans.problem(at, &format!("appraisal.{name}.confidence"), e)))
                    .ok()
            });
            let p = p.map(|(p, _)| p);
            log.push(Assumption {
                name: name.to_owned(),
                value,
                source: p.and_then(|p| p.source.clone()),
                confidence,
                set_by: p.and_then(|p| p.set_by.clone()),
                origin: spans.origin_of(name.split('.').next().unwrap_or(name)),
            });
        };
    if let Some(y) = &section.years {
        match y.get_ref().as_str() {
            "fy" => spec.basis = YearBasis::Fy,
            "calendar" => spec.basis = YearBasis::Calendar,
            other => problems.push(spans.problem(
                &y.span(),
                "appraisal.years",
                format!("expected fy or calendar, found {other:?}"),
            )),
        }
        note("years", y.get_ref().clone(), None, &mut problems);
    }
    if let Some(b) = &section.base_year {
        match spec.basis.parse_year(b.get_ref()) {
            Ok(y) => spec.base_year = Some(y),
            Err(e) => problems.push(spans.problem(&b.span(), "appraisal.base_year", e)),
        }
        note("base_year", b.get_ref().clone(), None, &mut problems);
    }
    if let Some(sch) = &section.schedule {
        match sch.get_ref().parse::<Schedule>() {
            Ok(v) => spec.schedule = v,
            Err(e) => problems.push(spans.problem(&sch.span(), "appraisal.schedule", e)),
        }
        note("schedule", sch.get_ref().clone(), None, &mut problems);
    }
    if let Some(c) = &section.adjustments {
        match c.get_ref().as_str() {
            "multiplicative" => spec.adjustments.combine = Combine::Multiplicative,
            "additive" => spec.adjustments.combine = Combine::Additive,
            other => problems.push(spans.problem(
                &c.span(),
                "appraisal.adjustments",
                format!("expected multiplicative or additive, found {other:?}"),
            )),
        }
        note("adjustments", c.get_ref().clone(), None, &mut problems);
    }
    let share = |v: &Spanned<Dec>, field: &str, problems: &mut Vec<Problem>| -> Decimal {
        let d = v.get_ref().0;
        if d < Decimal::ZERO || d > Decimal::ONE {
            problems.push(spans.problem(
                &v.span(),
                field,
                format!("expected a share from 0 to 1 (0.2 is 20%), found {d}"),
            ));
        }
        d
    };
    let mut adjustments = spec.adjustments;
    for (name, param) in [
        ("deadweight", &section.deadweight),
        ("attribution", &section.attribution),
        ("displacement", &section.displacement),
        ("leakage", &section.leakage),
    ] {
        if let Some(p) = param {
            let (value, at) = param_value(p);
            let v = share(&Spanned::new(at.clone(), value), &format!("appraisal.{name}.value"), &mut problems);
            set_adjustment(&mut adjustments, name, v);
            let provenance = match p.get_ref() {
                ParamInput::Table(t) => Some((&t.provenance, at)),
                ParamInput::Number(_) => None,
            };
            note(name, v.to_string(), provenance, &mut problems);
        }
    }
    spec.adjustments = adjustments;
    if let Some(d) = &section.drop_off {
        let rate = share(&d.rate, "appraisal.drop_off.rate", &mut problems);
        spec.drop_off = Some(DropOff { rate, horizon: d.horizon });
        note(
            "drop_off",
            format!("rate {rate} for {} years", d.horizon),
            Some((&d.provenance, d.rate.span())),
            &mut problems,
        );
    }
    if let Some(o) = &section.optimism_bias {
        let mut ob = OptimismBias::default();
        for (name, field, target) in [
            ("green", &o.green, &mut ob.green),
            ("amber", &o.amber, &mut ob.amber),
            ("red", &o.red, &mut ob.red),
            ("unrated", &o.unrated, &mut ob.unrated),
        ] {
            if let Some(v) = field {
                *target = share(v, &format!("appraisal.optimism_bias.{name}"), &mut problems);
            }
        }
        if let Some(v) = &o.intervention {
            ob.intervention = v.get_ref().0;
            if ob.intervention < Decimal::ZERO {
                problems.push(spans.problem(
                    &v.span(),
                    "appraisal.optimism_bias.intervention",
                    "expected 0 or more (0.2 is 20%)",
                ));
            }
        }
        spec.optimism = ob;
        let at = [&o.green, &o.amber, &o.red, &o.unrated, &o.intervention]
            .iter()
            .find_map(|v| v.as_ref().map(Spanned::span))
            .unwrap_or(0..0);
        // Only the grades given: the others are journeycost's defaults, and the log says so.
        for (name, v, given) in [
            ("green", ob.green, o.green.is_some()),
            ("amber", ob.amber, o.amber.is_some()),
            ("red", ob.red, o.red.is_some()),
            ("unrated", ob.unrated, o.unrated.is_some()),
            ("intervention", ob.intervention, o.intervention.is_some()),
        ] {
            if given {
                note(&format!("optimism_bias.{name}"), v.to_string(), Some((&o.provenance, at.clone())), &mut problems);
            }
        }
    }
    spec.intervention_agencies.clone_from(&section.intervention_agencies);
    if !section.intervention_agencies.is_empty() {
        note("intervention_agencies", section.intervention_agencies.join("; "), None, &mut problems);
    }
    spec.intervention_codes.clone_from(&section.intervention_codes);
    if !section.intervention_codes.is_empty() {
        note("intervention_codes", section.intervention_codes.join("; "), None, &mut problems);
    }
    for item in &section.costs {
        let c = item.get_ref();
        let year = spec
            .basis
            .parse_year(c.year.get_ref())
            .map_err(|e| problems.push(spans.problem(&c.year.span(), "appraisal.costs.year", e)));
        let confidence = match c.provenance.confidence.as_ref().map(|v| v.parse::<Confidence>()) {
            None => None,
            Some(Ok(v)) => Some(v),
            Some(Err(e)) => {
                problems.push(spans.problem(&c.amount.span(), "appraisal.costs.confidence", e));
                None
            }
        };
        note(
            &format!("cost: {} ({})", c.description, c.year.get_ref()),
            c.amount.get_ref().0.to_string(),
            Some((&c.provenance, c.amount.span())),
            &mut problems,
        );
        if let Ok(year) = year {
            spec.costs.push(CostItem {
                year,
                amount: c.amount.get_ref().0,
                agency: c.agency.clone(),
                agency_detail: c.agency_detail.clone(),
                description: c.description.clone(),
                confidence,
            });
        }
    }
    spec.assumptions = log;
    if problems.is_empty() { Ok(spec) } else { Err(Error::from_problems(problems, 0)) }
}

/// What kind of quantity a parameter is, for checking its distribution's support.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// 0 to 1.
    Share,
    /// 0 or more.
    Count,
    /// Any value (a saving may be negative).
    Money,
}

/// A TOML value as written, for messages and the assumptions log.
fn show(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("{s:?}"),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::Array(_) => "an array".to_owned(),
        toml::Value::Table(_) => "a table".to_owned(),
    }
}

fn num(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => f.is_finite().then_some(*f),
        toml::Value::String(s) => {
            crate::io::parse_decimal(s).ok().and_then(|d| rust_decimal::prelude::ToPrimitive::to_f64(&d))
        }
        _ => None,
    }
}

/// Reads a parameter: a number (fixed) or a table `{ dist = "...", ... }`; `Ok(None)` for a
/// cohort source. Also records the parameter in the assumptions log.
fn parameter(
    v: &Spanned<toml::Value>,
    field: &str,
    kind: Kind,
    spans: &Spans<'_>,
    log: &mut Vec<Assumption>,
) -> Result<Result<Dist, PerCaseSource>, Problem> {
    let err = |m: String| spans.problem(&v.span(), field, m);
    let table = match v.get_ref() {
        toml::Value::Table(t) => t,
        other => {
            let x = num(other).ok_or_else(|| {
                err(format!(
                    "expected a number or a table such as {{ dist = \"uniform\", min = 0.1, max = 0.3 }}, found {}",
                    show(other)
                ))
            })?;
            let d = Dist::Fixed(x);
            check_support(&d, kind).map_err(err)?;
            log.push(Assumption::given(field, &format!("fixed {x}"), spans.origin_of("segments")));
            return Ok(Ok(d));
        }
    };
    let get = |k: &str| -> Result<f64, Problem> {
        let x = table.get(k).ok_or_else(|| {
            err(format!(
                "{} needs {k:?}",
                table.get("dist").and_then(toml::Value::as_str).unwrap_or("this distribution")
            ))
        })?;
        num(x).ok_or_else(|| err(format!("{k:?} must be a number, found {}", show(x))))
    };
    let opt =
        |k: &str| -> Result<Option<f64>, Problem> { if table.contains_key(k) { get(k).map(Some) } else { Ok(None) } };
    let text = |k: &str| table.get(k).and_then(toml::Value::as_str).map(str::to_owned);
    let grade = || text("confidence").map(|c| c.parse::<Confidence>().map_err(&err)).transpose();
    // `{ value = 0.2, source = ... }`, as `[appraisal]` takes it, is a fixed value.
    let name = text("dist").or_else(|| table.contains_key("value").then(|| "fixed".to_owned())).ok_or_else(|| {
        err("a parameter table needs dist = fixed, uniform, triangular, pert, normal, lognormal, beta (or cohort for per_case)".to_owned())
    })?;
    let allowed: &[&str] = match name.as_str() {
        "fixed" => &["value"],
        "uniform" => &["min", "max"],
        "triangular" | "pert" => &["min", "mode", "max"],
        "normal" => &["mean", "sd", "min", "max"],
        "lognormal" => &["mean", "sd", "median", "low", "high"],
        "beta" => &["alpha", "beta", "mean", "sd"],
        "cohort" => &["years", "column", "equals"],
        other => {
            return Err(err(format!(
                "unknown dist {other:?}: expected fixed, uniform, triangular, pert, normal, lognormal, beta or cohort"
            )));
        }
    };
    for key in table.keys() {
        if !allowed.contains(&key.as_str()) && !["dist", "source", "confidence", "set_by"].contains(&key.as_str()) {
            return Err(err(format!("{name} does not take {key:?} (it takes {})", allowed.join(", "))));
        }
    }
    let dist = match name.as_str() {
        "fixed" => Ok(Dist::Fixed(get("value")?)),
        "uniform" => Dist::uniform(get("min")?, get("max")?),
        "triangular" => Dist::triangular(get("min")?, get("mode")?, get("max")?),
        "pert" => Dist::pert(get("min")?, get("mode")?, get("max")?),
        "normal" => Dist::normal(get("mean")?, get("sd")?, opt("min")?, opt("max")?),
        "lognormal" if table.contains_key("median") => {
            Dist::lognormal_interval(get("median")?, get("low")?, get("high")?)
        }
        "lognormal" => Dist::lognormal_mean_sd(get("mean")?, get("sd")?),
        "beta" if table.contains_key("alpha") => Dist::beta(get("alpha")?, get("beta")?),
        "beta" => Dist::beta_mean_sd(get("mean")?, get("sd")?),
        _ => {
            if kind != Kind::Money {
                return Err(err("only per_case can come from the cohort".to_owned()));
            }
            let years = get("years")?;
            if years <= 0.0 || !years.is_finite() {
                return Err(err(format!("years must be greater than zero, found {years}")));
            }
            let (column, equals) = (text("column"), text("equals"));
            if column.is_some() != equals.is_some() {
                return Err(err("give both column and equals, or neither".to_owned()));
            }
            log.push(Assumption {
                name: field.to_owned(),
                value: format!(
                    "cohort, bootstrapped; per-person saving / {years} years{}",
                    column.as_ref().map_or(String::new(), |c| format!(
                        ", persons with {c} = {}",
                        equals.clone().unwrap_or_default()
                    ))
                ),
                source: text("source"),
                confidence: grade()?,
                set_by: text("set_by"),
                origin: spans.origin_of("segments"),
            });
            return Ok(Err(PerCaseSource::Cohort { years, column, equals }));
        }
    }
    .map_err(err)?;
    check_support(&dist, kind).map_err(err)?;
    let shown: Vec<String> = table
        .iter()
        .filter(|(k, _)| !["source", "confidence", "set_by"].contains(&k.as_str()))
        .map(|(k, v)| format!("{k} {}", show(v)))
        .collect();
    log.push(Assumption {
        name: field.to_owned(),
        value: shown.join(", "),
        source: text("source"),
        confidence: grade()?,
        set_by: text("set_by"),
        origin: spans.origin_of("segments"),
    });
    Ok(Ok(dist))
}

fn check_support(d: &Dist, kind: Kind) -> Result<(), String> {
    let (lo, hi) = d.support();
    match kind {
        Kind::Share if lo < 0.0 || hi > 1.0 => Err(format!(
            "a share must lie between 0 and 1; this distribution runs from {lo} to {hi} (truncate a normal with min and max)"
        )),
        Kind::Count if lo < 0.0 => Err(format!(
            "a count cannot be negative; this distribution runs from {lo} (truncate a normal with min = 0)"
        )),
        _ => Ok(()),
    }
}

fn extrapolation_plan(section: &ExtrapolationSection, spans: &Spans<'_>) -> Result<ExtrapolationPlan, Error> {
    let mut problems = Vec::new();
    let mut spec = ExtrapolationSpec::default();
    let mut log = Vec::new();
    if let Some(d) = section.draws {
        if d == 0 || d > crate::extrapolate::MAX_DRAWS {
            problems.push(Problem::new(
                Location::source(spans.name).in_field("extrapolation.draws"),
                ProblemKind::Scenario,
                format!("draws must be from 1 to {}, found {d}", crate::extrapolate::MAX_DRAWS),
            ));
        }
        spec.set_draws(d, spans.origin_of("draws"));
    }
    if let Some(s) = section.seed {
        spec.set_seed(s, spans.origin_of("seed"));
    }
    if let Some(sch) = &section.schedule {
        match sch.get_ref().parse::<Schedule>() {
            Ok(v) => {
                spec.schedule = v;
                log.push(Assumption::given("schedule", &spec.schedule, spans.origin_of("schedule")));
            }
            Err(e) => problems.push(spans.problem(&sch.span(), "extrapolation.schedule", e)),
        }
    }
    if let Some(c) = &section.adjustments {
        if matches!(c.get_ref().as_str(), "multiplicative" | "additive") {
            log.push(Assumption::given("adjustments", c.get_ref(), spans.origin_of("adjustments")));
        }
        match c.get_ref().as_str() {
            "multiplicative" => spec.combine = Combine::Multiplicative,
            "additive" => spec.combine = Combine::Additive,
            other => problems.push(spans.problem(
                &c.span(),
                "extrapolation.adjustments",
                format!("expected multiplicative or additive, found {other:?}"),
            )),
        }
    }
    if let Some(t) = &section.threshold {
        spec.threshold = rust_decimal::prelude::ToPrimitive::to_f64(&t.get_ref().0);
    }
    if let Some(p) = &section.percentiles {
        if p.get_ref().iter().any(|x| !(0.0..=100.0).contains(x)) {
            problems.push(spans.problem(
                &p.span(),
                "extrapolation.percentiles",
                "percentiles must lie between 0 and 100",
            ));
        }
        spec.percentiles.clone_from(p.get_ref());
    }
    if let Some(b) = section.histogram_bins {
        spec.bins = b.max(1);
    }
    let mut segments = Vec::new();
    for item in &section.segments {
        let seg = item.get_ref();
        let mut param =
            |v: Option<&Spanned<toml::Value>>, field: &str, kind: Kind| -> Option<Result<Dist, PerCaseSource>> {
                let v = v?;
                match parameter(v, &format!("{}: {field}", seg.name), kind, spans, &mut log) {
                    Ok(r) => Some(r),
                    Err(p) => {
                        problems.push(Problem {
                            location: p.location.in_field(format!("extrapolation.segments.{field}")),
                            ..p
                        });
                        None
                    }
                }
            };
        let dist = |r: Option<Result<Dist, PerCaseSource>>| match r {
            Some(Ok(d)) => d,
            _ => Dist::Fixed(0.0),
        };
        let count = dist(param(Some(&seg.count), "count", Kind::Count));
        let reach = match seg.reach.as_ref() {
            Some(r) => dist(param(Some(r), "reach", Kind::Share)),
            None => Dist::Fixed(1.0),
        };
        let per_case = param(Some(&seg.per_case), "per_case", Kind::Money);
        let adjust: Vec<Dist> = [
            ("deadweight", &seg.deadweight),
            ("attribution", &seg.attribution),
            ("displacement", &seg.displacement),
            ("leakage", &seg.leakage),
        ]
        .into_iter()
        .map(|(f, v)| match v {
            Some(_) => dist(param(v.as_ref(), f, Kind::Share)),
            None => Dist::Fixed(0.0),
        })
        .collect();
        // What the segment leaves out is used too: say so, as journeycost's defaults.
        let default = |field: &str, value: &str| Assumption::default_value(&format!("{}: {field}", seg.name), &value);
        match seg.horizon {
            Some(h) => {
                log.push(Assumption::given(
                    &format!("{}: horizon", seg.name),
                    &format!("{h} years"),
                    spans.origin_of("segments"),
                ));
            }
            None => log.push(default("horizon", "1 years")),
        }
        if seg.reach.is_none() {
            log.push(default("reach", "fixed 1"));
        }
        for (field, v) in [
            ("deadweight", &seg.deadweight),
            ("attribution", &seg.attribution),
            ("displacement", &seg.displacement),
            ("leakage", &seg.leakage),
        ] {
            if v.is_none() {
                log.push(default(field, "fixed 0"));
            }
        }
        let source = match per_case {
            Some(Ok(d)) => PerCaseSource::Stated(d),
            Some(Err(c)) => c,
            None => PerCaseSource::Stated(Dist::Fixed(0.0)),
        };
        let horizon = seg.horizon.unwrap_or(1);
        if horizon > crate::appraisal::MAX_HORIZON {
            problems.push(Problem::new(
                Location::source(spans.name).in_field("extrapolation.segments.horizon"),
                ProblemKind::Scenario,
                format!(
                    "segment {:?}: the horizon must be at most {} years, found {horizon}",
                    seg.name,
                    crate::appraisal::MAX_HORIZON
                ),
            ));
        }
        let mut s = Segment::new(
            seg.name.clone(),
            count,
            reach,
            PerCase::Stated(Dist::Fixed(0.0)),
            horizon.min(crate::appraisal::MAX_HORIZON),
        );
        s.deadweight = adjust[0].clone();
        s.attribution = adjust[1].clone();
        s.displacement = adjust[2].clone();
        s.leakage = adjust[3].clone();
        segments.push((s, source));
    }
    if section.segments.is_empty() {
        problems.push(Problem::new(
            Location::source(spans.name).in_field("extrapolation.segments"),
            ProblemKind::Scenario,
            "an extrapolation needs at least one [[extrapolation.segments]]",
        ));
    }
    spec.assumptions.extend(log);
    if problems.is_empty() { Ok(ExtrapolationPlan { segments, spec }) } else { Err(Error::from_problems(problems, 0)) }
}

fn set_adjustment(a: &mut Adjustments, name: &str, v: Decimal) {
    match name {
        "deadweight" => a.deadweight = v,
        "attribution" => a.attribution = v,
        "displacement" => a.displacement = v,
        _ => a.leakage = v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INPUTS: &str = "[inputs]\ncatalogue = \"c.csv\"\ndeflators = \"d.csv\"\nevents = \"e.csv\"\n";

    #[test]
    fn reads_an_appraisal_section() {
        let text = format!(
            "{INPUTS}[appraisal]\nyears = \"calendar\"\nschedule = \"constant:0.1\"\n\
             [appraisal.deadweight]\nvalue = 0.2\nsource = \"survey\"\nconfidence = \"A\"\n\
             [[appraisal.costs]]\nyear = \"2020\"\namount = \"100.50\"\nagency = \"Council\"\ndescription = \"set-up\"\n"
        );
        let s = Scenario::parse(&text, Path::new(""), "s.toml").unwrap();
        let a = s.appraisal.unwrap();
        assert_eq!(a.basis, YearBasis::Calendar);
        assert_eq!(a.adjustments.deadweight, Decimal::new(2, 1));
        assert_eq!(a.costs[0].amount, Decimal::new(10050, 2));
        let dw = a.assumptions.iter().find(|x| x.name == "deadweight").unwrap();
        assert_eq!((dw.source.as_deref(), dw.confidence), (Some("survey"), Some(Confidence::Amber)));
    }

    #[test]
    fn a_parameter_may_be_a_plain_number_in_either_section() {
        // #13: `deadweight = 0.2` was refused in [appraisal] but accepted in [extrapolation].
        let text = format!(
            "{INPUTS}[appraisal]\ndeadweight = 0.2\nattribution = \"0.1\"\ndisplacement = 0\nleakage = {{ value = 0.05, source = \"s\" }}\n\
             [extrapolation]\n[[extrapolation.segments]]\nname = \"a\"\ncount = 10\nper_case = \"100\"\n\
             deadweight = 0.2\nattribution = {{ value = 0.1, source = \"survey\" }}\n"
        );
        let s = Scenario::parse(&text, Path::new(""), "s.toml").unwrap();
        let a = s.appraisal.unwrap().adjustments;
        assert_eq!(
            (a.deadweight, a.attribution, a.displacement, a.leakage),
            (Decimal::new(2, 1), Decimal::new(1, 1), Decimal::ZERO, Decimal::new(5, 2))
        );
        let seg = &s.extrapolation.unwrap().segments[0].0;
        assert_eq!((seg.deadweight.clone(), seg.attribution.clone()), (Dist::Fixed(0.2), Dist::Fixed(0.1)));
        // A bad plain number is located on its line.
        let err = Scenario::parse(&format!("{INPUTS}[appraisal]\n\ndeadweight = 1.5\n"), Path::new(""), "s.toml")
            .unwrap_err();
        assert_eq!(
            err.problems()[0].to_string(),
            "s.toml line 7, field \"appraisal.deadweight.value\": expected a share from 0 to 1 (0.2 is 20%), found 1.5"
        );
    }

    #[test]
    fn bad_appraisal_values_name_their_line() {
        let text = format!(
            "{INPUTS}[appraisal]\nyears = \"fy\"\n[appraisal.leakage]\nvalue = 1.5\n[[appraisal.costs]]\nyear = \"2020\"\namount = 5\nagency = \"A\"\ndescription = \"x\"\n"
        );
        let err = Scenario::parse(&text, Path::new(""), "s.toml").unwrap_err();
        let shown: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "s.toml line 8, field \"appraisal.leakage.value\": expected a share from 0 to 1 (0.2 is 20%), found 1.5",
                "s.toml line 10, field \"appraisal.costs.year\": the appraisal counts financial years: expected a year such as 2019/20, found \"2020\""
            ]
        );
    }
}
