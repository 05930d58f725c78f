//! A run: the inputs and options of one job, resolved once, and its steps.
//!
//! Every front end (the CLI, the report, the Python package, a Rust program) describes what it
//! was given in a [`RunBuilder`]; [`RunBuilder::build`] reads the scenario file, if any, and
//! resolves each option in one place, in one order: **what the front end was given, then the
//! scenario, then journeycost's defaults**. The [`Run`] it makes has the steps
//! [`cost`](Run::cost) → [`compare`](Run::compare) → [`appraise`](Run::appraise) →
//! [`extrapolate`](Run::extrapolate), each returning a typed result that can render its files.
//! (The report, a step above the library, is `journeycost_report::report`.)

use std::path::{Path, PathBuf};

use crate::appraisal::{Appraisal, AppraisalSpec, Assumption, Origin, appraise, appraise_tally, record, values_label};
use crate::catalogue::ValueType;
use crate::compare::{CompareOptions, Comparison, ComparisonRun, PersonRow};
use crate::error::{Error, Location, ProblemKind};
use crate::extrapolate::{Extrapolation, ExtrapolationPlan, ExtrapolationSpec};
use crate::io::{InputDigest, InputPaths, OutputSet};
use crate::journey::Persons;
use crate::ledger::Ledger;
use crate::output::{appraisal_files, comparison_files, extrapolation_files};
use crate::period::PeriodKind;
use crate::prices::PriceYear;
use crate::scenario::{CompareSection, ReportSection, Scenario};

use super::{Inputs, PART, Pass, StreamOptions, compare_streaming, cost_streaming_with, digests_at, stream_in_parts};

/// The front end that gave a run its values: it names them in the assumptions log as the user
/// gave them, a flag (`--price-year`) or an argument (`price_year`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Front {
    /// A Rust program or the Python package: values are arguments, named as given.
    #[default]
    Library,
    /// The command line: values are flags, `--` and the name with `-` for `_`.
    CommandLine,
}

impl Front {
    /// The origin of a value given under `name` (in `snake_case`).
    #[must_use]
    pub fn origin(self, name: &str) -> Origin {
        match self {
            Front::Library => Origin::Argument(name.to_owned()),
            Front::CommandLine => Origin::CommandLine(format!("--{}", name.replace('_', "-"))),
        }
    }
}

/// What a front end was given for a run; everything left `None` comes from the scenario file,
/// then from journeycost's defaults. Set the fields, or chain the methods of the same names.
///
/// ```no_run
/// use journeycost::run::Run;
///
/// let run = Run::builder().scenario("examples/anna/scenario.toml").threads(2).build()?;
/// let appraised = run.appraise()?;
/// println!("NPV {}", appraised.appraisal.npv);
/// # Ok::<(), journeycost::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct RunBuilder {
    /// A scenario file: the inputs and options of a run (see docs/scenario.md).
    pub scenario: Option<PathBuf>,
    /// Catalogues, layered in order; replaces the scenario's list when not empty.
    pub catalogue: Vec<PathBuf>,
    /// The price index.
    pub deflators: Option<PathBuf>,
    /// The events.
    pub events: Option<PathBuf>,
    /// The persons file.
    pub persons: Option<PathBuf>,
    /// The price base; default the latest outturn year of the price index.
    pub price_year: Option<PriceYear>,
    /// The value types counted; default fiscal only.
    pub values: Option<&'static [ValueType]>,
    /// The baseline pathway; default `old`.
    pub baseline: Option<String>,
    /// The alternative pathway; default `new`.
    pub alternative: Option<String>,
    /// The period of the series; default a month (a quarter in reports).
    pub period: Option<PeriodKind>,
    /// Who pays and who saves at agency level 1 or 2; default 1.
    pub agency_level: Option<u8>,
    /// The person a comparison is restricted to, or a report draws on their own.
    pub person: Option<String>,
    /// A persons column to break the comparison down by.
    pub by: Option<String>,
    /// Counts below this are suppressed in reports; default 5.
    pub suppress_below: Option<u64>,
    /// The appraisal, replacing the scenario's `[appraisal]`.
    pub appraisal: Option<AppraisalSpec>,
    /// The extrapolation, replacing the scenario's `[extrapolation]`.
    pub extrapolation: Option<ExtrapolationPlan>,
    /// Monte Carlo draws of the extrapolation, replacing the plan's.
    pub draws: Option<u64>,
    /// The extrapolation's seed, replacing the plan's.
    pub seed: Option<u64>,
    /// Threads; default every core. No result depends on it.
    pub threads: Option<usize>,
    /// How the assumptions log names what was given.
    pub front: Front,
    /// The scenario file already read: used instead of reading [`RunBuilder::scenario`] again
    /// (see [`RunBuilder::parsed`]).
    pub parsed: Option<Scenario>,
}

/// Setters of optional fields: `into` ones take what converts into the field's type (a `&str`
/// for a path or a name), the others the type itself (so that `threads(2)` infers).
macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty $(, $into:ident)?;)*) => {
        $(setters!(@one $(#[$doc])* $name: $ty $(, $into)?);)*
    };
    (@one $(#[$doc:meta])* $name:ident: $ty:ty, into) => {
        $(#[$doc])*
        pub fn $name(mut self, value: impl Into<$ty>) -> RunBuilder {
            self.$name = Some(value.into());
            self
        }
    };
    (@one $(#[$doc:meta])* $name:ident: $ty:ty) => {
        $(#[$doc])*
        pub fn $name(mut self, value: $ty) -> RunBuilder {
            self.$name = Some(value);
            self
        }
    };
}

impl RunBuilder {
    setters! {
        /// Sets [`RunBuilder::scenario`].
        scenario: PathBuf, into;
        /// Sets [`RunBuilder::deflators`].
        deflators: PathBuf, into;
        /// Sets [`RunBuilder::events`].
        events: PathBuf, into;
        /// Sets [`RunBuilder::persons`].
        persons: PathBuf, into;
        /// Sets [`RunBuilder::price_year`].
        price_year: PriceYear;
        /// Sets [`RunBuilder::baseline`].
        baseline: String, into;
        /// Sets [`RunBuilder::alternative`].
        alternative: String, into;
        /// Sets [`RunBuilder::period`].
        period: PeriodKind;
        /// Sets [`RunBuilder::agency_level`].
        agency_level: u8;
        /// Sets [`RunBuilder::person`].
        person: String, into;
        /// Sets [`RunBuilder::by`].
        by: String, into;
        /// Sets [`RunBuilder::suppress_below`].
        suppress_below: u64;
        /// Sets [`RunBuilder::appraisal`].
        appraisal: AppraisalSpec;
        /// Sets [`RunBuilder::extrapolation`].
        extrapolation: ExtrapolationPlan;
        /// Sets [`RunBuilder::draws`].
        draws: u64;
        /// Sets [`RunBuilder::seed`].
        seed: u64;
        /// Sets [`RunBuilder::threads`].
        threads: usize;
    }

    /// Adds a catalogue layer (later layers override earlier ones code by code).
    pub fn catalogue(mut self, path: impl Into<PathBuf>) -> RunBuilder {
        self.catalogue.push(path.into());
        self
    }

    /// Sets [`RunBuilder::values`].
    pub fn values(mut self, values: &'static [ValueType]) -> RunBuilder {
        self.values = Some(values);
        self
    }

    /// Sets [`RunBuilder::front`].
    pub fn front(mut self, front: Front) -> RunBuilder {
        self.front = front;
        self
    }

    /// The scenario `path`, already read as `scenario`: the run uses it rather than reading the
    /// file again, so that runs made from one loaded scenario agree even if the file changes.
    pub fn parsed(mut self, path: impl Into<PathBuf>, scenario: Scenario) -> RunBuilder {
        self.scenario = Some(path.into());
        self.parsed = Some(scenario);
        self
    }

    /// Reads the scenario, if any, and resolves every option: what was given, then the
    /// scenario, then the defaults.
    ///
    /// # Errors
    /// The scenario's problems; no events file given or named by the scenario; an agency level
    /// other than 1 or 2; no threads.
    pub fn build(mut self) -> Result<Run, Error> {
        let scenario = match self.parsed.take() {
            Some(s) => Some(s),
            None => self.scenario.as_deref().map(Scenario::load).transpose()?,
        };
        let given = Location::source(if self.front == Front::CommandLine { "command line" } else { "arguments" });
        let flag = |name: &str| match self.front {
            Front::CommandLine => format!("--{}", name.replace('_', "-")),
            Front::Library => name.to_owned(),
        };
        let sc_inputs = scenario.as_ref().map(|s| &s.inputs);
        let events = self.events.or_else(|| sc_inputs.map(|i| i.events.clone())).ok_or_else(|| {
            Error::new(
                given.clone(),
                ProblemKind::Scenario,
                format!("missing {}: give it, or a scenario file that names it", flag("events")),
            )
        })?;
        let paths = InputPaths {
            catalogue: if self.catalogue.is_empty() {
                sc_inputs.map(|i| i.catalogue.clone()).unwrap_or_default()
            } else {
                self.catalogue
            },
            deflators: self.deflators.or_else(|| sc_inputs.and_then(|i| i.deflators.clone())),
            events,
            persons: self.persons.or_else(|| sc_inputs.and_then(|i| i.persons.clone())),
        };
        if let Some(level) = self.agency_level.filter(|l| !matches!(l, 1 | 2)) {
            return Err(Error::new(
                given.in_field(flag("agency_level")),
                ProblemKind::Scenario,
                format!("the agency level must be 1 or 2, not {level}"),
            ));
        }
        let threads = match self.threads {
            Some(0) => {
                return Err(Error::new(
                    given.in_field(flag("threads")),
                    ProblemKind::Scenario,
                    "threads must be at least 1",
                ));
            }
            Some(n) => n,
            None => crate::available_threads(),
        };
        // The costing settings, with their origin, for every assumptions log.
        let mut costing_log = scenario.as_ref().map(|s| s.costing_log.clone()).unwrap_or_default();
        if let Some(y) = self.price_year {
            record(&mut costing_log, Assumption::given("price_base", &y, self.front.origin("price_year")));
        }
        if let Some(v) = self.values {
            record(&mut costing_log, Assumption::given("value_types", &values_label(v), self.front.origin("values")));
        }
        let (title, sc_compare, sc_report, sc_appraisal, sc_extrapolation, sc_price_year, sc_values) = match scenario {
            Some(s) => (s.title, s.compare, s.report, s.appraisal, s.extrapolation, s.price_year, s.values),
            None => Default::default(),
        };
        // Pathways given to the run (not the scenario's [compare]) are its appraisal's too.
        let given_pathways = (self.baseline.clone(), self.alternative.clone());
        let compare = CompareSection {
            baseline: self.baseline.or(sc_compare.baseline),
            alternative: self.alternative.or(sc_compare.alternative),
            period: self.period.or(sc_compare.period),
            person: self.person.clone().or(sc_compare.person),
            by: self.by.or(sc_compare.by),
            agency_level: self.agency_level.or(sc_compare.agency_level),
        };
        let report = ReportSection {
            person: self.person.or(sc_report.person),
            suppress_below: self.suppress_below.or(sc_report.suppress_below),
            attribution: sc_report.attribution,
        };
        let pathways = compare.options(PeriodKind::Month);
        let asked = self.appraisal.or(sc_appraisal);
        let has_appraisal = asked.is_some();
        let mut appraisal = asked.unwrap_or_else(|| AppraisalSpec {
            baseline: pathways.baseline.clone(),
            alternative: pathways.alternative.clone(),
            ..AppraisalSpec::default()
        });
        if let Some(b) = given_pathways.0 {
            appraisal.baseline = b;
        }
        if let Some(a) = given_pathways.1 {
            appraisal.alternative = a;
        }
        for a in &costing_log {
            record(&mut appraisal.assumptions, a.clone());
        }
        Ok(Run {
            scenario: self.scenario,
            paths,
            price_year: self.price_year.or(sc_price_year),
            values: self.values.or(sc_values).unwrap_or(&[ValueType::Fiscal]),
            title,
            compare,
            report,
            appraisal,
            has_appraisal,
            extrapolation: self.extrapolation.or(sc_extrapolation),
            costing_log,
            draws: self.draws.map(|d| (d, self.front.origin("draws"))),
            seed: self.seed.map(|s| (s, self.front.origin("seed"))),
            threads,
        })
    }
}

/// One job's inputs and options, resolved (see [`RunBuilder::build`]), and its steps.
#[derive(Debug, Clone)]
pub struct Run {
    scenario: Option<PathBuf>,
    paths: InputPaths,
    price_year: Option<PriceYear>,
    values: &'static [ValueType],
    title: Option<String>,
    compare: CompareSection,
    report: ReportSection,
    appraisal: AppraisalSpec,
    has_appraisal: bool,
    extrapolation: Option<ExtrapolationPlan>,
    costing_log: Vec<Assumption>,
    draws: Option<(u64, Origin)>,
    seed: Option<(u64, Origin)>,
    threads: usize,
}

impl Run {
    /// A builder with nothing given.
    pub fn builder() -> RunBuilder {
        RunBuilder::default()
    }

    /// The run a scenario file describes, with nothing else given.
    ///
    /// # Errors
    /// As [`RunBuilder::build`].
    pub fn from_scenario(path: impl Into<PathBuf>) -> Result<Run, Error> {
        Run::builder().scenario(path).build()
    }

    /// The scenario file, if any.
    #[must_use]
    pub fn scenario(&self) -> Option<&Path> {
        self.scenario.as_deref()
    }

    /// The input files.
    #[must_use]
    pub fn paths(&self) -> &InputPaths {
        &self.paths
    }

    /// Every input file, the scenario first: what an output folder may not hold or replace.
    #[must_use]
    pub fn files(&self) -> Vec<PathBuf> {
        self.scenario.iter().cloned().chain(self.paths.files()).collect()
    }

    /// The price base asked for (`None`: the latest outturn year of the price index).
    #[must_use]
    pub fn price_year(&self) -> Option<PriceYear> {
        self.price_year
    }

    /// The value types counted.
    #[must_use]
    pub fn values(&self) -> &'static [ValueType] {
        self.values
    }

    /// The scenario's title.
    #[must_use]
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// The comparison settings: what was given over the scenario's `[compare]`.
    #[must_use]
    pub fn compare_section(&self) -> &CompareSection {
        &self.compare
    }

    /// The report settings: what was given over the scenario's `[report]`.
    #[must_use]
    pub fn report_section(&self) -> &ReportSection {
        &self.report
    }

    /// The comparison options, with `period` where nothing names one (a month for `compare`,
    /// a quarter for reports).
    #[must_use]
    pub fn compare_options(&self, period: PeriodKind) -> CompareOptions {
        self.compare.options(period)
    }

    /// The appraisal: the one given or the scenario's, else the defaults on the run's pathways,
    /// with the costing settings in its assumptions log.
    #[must_use]
    pub fn appraisal_spec(&self) -> &AppraisalSpec {
        &self.appraisal
    }

    /// The costing settings given (`price_base`, `value_types`) with their origin: what every
    /// appraisal's assumptions log records.
    #[must_use]
    pub fn costing_log(&self) -> &[Assumption] {
        &self.costing_log
    }

    /// Whether an appraisal was asked for (given or in the scenario), rather than defaulted.
    #[must_use]
    pub fn has_appraisal(&self) -> bool {
        self.has_appraisal
    }

    /// The extrapolation plan, if one was given or the scenario has one.
    #[must_use]
    pub fn extrapolation_plan(&self) -> Option<&ExtrapolationPlan> {
        self.extrapolation.as_ref()
    }

    /// The draws an extrapolation makes: those given, else the plan's; `None` without a plan.
    #[must_use]
    pub fn draws(&self) -> Option<u64> {
        self.extrapolation.as_ref().map(|p| self.draws.as_ref().map_or(p.spec.draws, |(d, _)| *d))
    }

    /// The threads a step may use.
    #[must_use]
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The inputs' digests at `price_base`, with the note on a forecast price base.
    ///
    /// # Errors
    /// If a file cannot be read.
    pub fn digests(&self, price_base: PriceYear) -> Result<Vec<InputDigest>, Error> {
        digests_at(&self.paths, price_base)
    }

    /// `journeycost cost`: the tables of the events, streamed (summed as they are read, in flat
    /// memory, on [`threads`](Run::threads)). In the public-value case (values other than fiscal
    /// alone) the tables sum every value type, from the ledger built in memory, as Python's
    /// `cost(values="public")` does.
    ///
    /// # Errors
    /// Every problem of every input.
    pub fn cost(&self) -> Result<OutputSet, Error> {
        if self.values != [ValueType::Fiscal] {
            return Ok(crate::output::cost_tables(&self.load()?.ledger));
        }
        let options = StreamOptions { threads: self.threads, ..StreamOptions::default() };
        cost_streaming_with(&self.paths, self.price_year, options)
    }

    /// `journeycost compare`: the comparison, streamed (costed and compared part by part).
    ///
    /// # Errors
    /// Every problem of every input; pathways that are the same or have no events.
    pub fn compare(&self) -> Result<Compared, Error> {
        let options = self.compare_options(PeriodKind::Month);
        let (run, price_base) = compare_streaming(
            &self.paths,
            self.price_year,
            self.values,
            &options,
            self.compare.person.as_deref(),
            self.compare.by.as_deref(),
        )?;
        let inputs = self.digests(price_base)?;
        Ok(Compared { run, options, price_base, inputs })
    }

    /// Reads every input and costs the whole ledger in memory: what the appraisal, the
    /// extrapolation and the report start from.
    ///
    /// # Errors
    /// Every problem of every input.
    pub fn load(&self) -> Result<Loaded, Error> {
        let inputs = Inputs::load(&self.paths, self.price_year)?;
        let ledger =
            Ledger::build_with(&inputs.journeys, &inputs.catalogue, &inputs.index, inputs.price_base, self.values)?;
        let digests = self.digests(ledger.price_base())?;
        Ok(Loaded { inputs, ledger, digests })
    }

    /// `journeycost appraise`: the appraisal of [`appraisal_spec`](Run::appraisal_spec), its
    /// cells tallied while the events are read (in flat memory, whatever their number).
    ///
    /// # Errors
    /// As [`load`](Run::load), and the appraisal's.
    pub fn appraise(&self) -> Result<Appraised, Error> {
        let pass = Pass { appraisal: Some(&self.appraisal), ..Pass::default() };
        let passed = stream_in_parts(&self.paths, self.price_year, self.values, &pass, PART)?;
        let tally = passed.appraisal.ok_or_else(|| not_tallied("appraisal"))?;
        let appraisal = appraise_tally(&tally, &passed.catalogue, &self.appraisal)?;
        let inputs = self.digests(passed.price_base)?;
        Ok(Appraised { spec: self.appraisal.clone(), appraisal, inputs })
    }

    /// `journeycost extrapolate`: the national extrapolation of the run's plan, from the
    /// per-person savings of a comparison made while the events are read. `progress` is told
    /// the draws done, now and then.
    ///
    /// # Errors
    /// No extrapolation plan; as [`load`](Run::load); the plan's problems.
    pub fn extrapolate(&self, progress: Option<&(dyn Fn(u64) + Sync)>) -> Result<Extrapolated, Error> {
        self.plan()?;
        let options = self.compare_options(PeriodKind::Month);
        let pass = Pass { compare: Some(&options), ..Pass::default() };
        let mut passed = stream_in_parts(&self.paths, self.price_year, self.values, &pass, PART)?;
        let comparison = passed.take_comparison(&options)?;
        let inputs = self.digests(passed.price_base)?;
        self.extrapolate_persons(&comparison.persons, passed.persons.as_ref(), inputs, progress)
    }

    /// Extrapolates the per-person savings of a comparison (its `persons`), with the run's
    /// plan, draws, seed and threads; `table` is the persons file, for segments mapped to one
    /// of its columns, and `inputs` the digests the files name.
    ///
    /// # Errors
    /// No extrapolation plan; the plan's problems.
    pub fn extrapolate_persons(
        &self,
        persons: &[PersonRow],
        table: Option<&Persons>,
        inputs: Vec<InputDigest>,
        progress: Option<&(dyn Fn(u64) + Sync)>,
    ) -> Result<Extrapolated, Error> {
        let mut spec = self.plan()?.resolve(persons, table)?;
        if let Some((d, origin)) = &self.draws {
            spec.set_draws(*d, origin.clone());
        }
        if let Some((s, origin)) = &self.seed {
            spec.set_seed(*s, origin.clone());
        }
        let result = crate::extrapolate::extrapolate(&spec, self.threads, progress)?;
        Ok(Extrapolated { spec, result, value_types: self.values.to_vec(), inputs })
    }

    /// `journeycost validate`: loads and costs the inputs and, for a scenario, compares and
    /// appraises as `compare`, `appraise` and `report` would, so that they will not fail on it.
    ///
    /// # Errors
    /// The first step's problems.
    pub fn validate(&self) -> Result<Loaded, Error> {
        let loaded = self.load()?;
        if self.scenario.is_some() {
            loaded.compare(&self.compare_options(PeriodKind::Month))?;
            if self.has_appraisal {
                loaded.appraise(self)?;
            }
        }
        Ok(loaded)
    }

    fn plan(&self) -> Result<&ExtrapolationPlan, Error> {
        self.extrapolation.as_ref().ok_or_else(|| {
            Error::new(
                Location::source("scenario"),
                ProblemKind::Scenario,
                "extrapolate needs a scenario with an [extrapolation] section (see docs/extrapolation.md)",
            )
        })
    }
}

/// A comparison, streamed: [`Run::compare`].
#[derive(Debug, Clone)]
pub struct Compared {
    /// The comparison, of the whole cohort or per group.
    pub run: ComparisonRun,
    /// Its options.
    pub options: CompareOptions,
    /// The price base.
    pub price_base: PriceYear,
    /// The inputs' digests.
    pub inputs: Vec<InputDigest>,
}

impl Compared {
    /// The files of `journeycost compare`.
    #[must_use]
    pub fn files(&self) -> OutputSet {
        comparison_files(&self.run, &self.inputs)
    }
}

/// The inputs of a run, read and costed in memory: [`Run::load`].
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The inputs.
    pub inputs: Inputs,
    /// The costed ledger.
    pub ledger: Ledger,
    /// The inputs' digests.
    pub digests: Vec<InputDigest>,
}

impl Loaded {
    /// Compares the ledger.
    ///
    /// # Errors
    /// Pathways that are the same or have no events.
    pub fn compare(&self, options: &CompareOptions) -> Result<Comparison, Error> {
        crate::compare::compare(&self.ledger, options, None)
    }

    /// Appraises the ledger as `run` asks.
    ///
    /// # Errors
    /// The appraisal's problems.
    pub fn appraise(&self, run: &Run) -> Result<Appraised, Error> {
        let spec = run.appraisal.clone();
        let appraisal = appraise(&self.ledger, &self.inputs.catalogue, &spec)?;
        Ok(Appraised { spec, appraisal, inputs: self.digests.clone() })
    }

    /// Extrapolates the ledger's per-person savings (between the pathways of `options`) as
    /// `run`'s plan asks, with its draws and seed.
    ///
    /// # Errors
    /// No extrapolation plan; the plan's problems.
    pub fn extrapolate(
        &self,
        run: &Run,
        options: &CompareOptions,
        progress: Option<&(dyn Fn(u64) + Sync)>,
    ) -> Result<Extrapolated, Error> {
        run.plan()?;
        let comparison = self.compare(options)?;
        run.extrapolate_persons(&comparison.persons, self.inputs.persons.as_ref(), self.digests.clone(), progress)
    }
}

/// An appraisal: [`Run::appraise`].
#[derive(Debug, Clone)]
pub struct Appraised {
    /// What was appraised, with its assumptions log.
    pub spec: AppraisalSpec,
    /// The appraisal.
    pub appraisal: Appraisal,
    /// The inputs' digests.
    pub inputs: Vec<InputDigest>,
}

impl Appraised {
    /// The files of `journeycost appraise`.
    #[must_use]
    pub fn files(&self) -> OutputSet {
        appraisal_files(&self.appraisal, &self.spec.baseline, &self.spec.alternative, &self.inputs)
    }
}

/// An extrapolation: [`Run::extrapolate`].
#[derive(Debug, Clone)]
pub struct Extrapolated {
    /// The plan as resolved against the cohort, with the draws and seed used.
    pub spec: ExtrapolationSpec,
    /// The extrapolation.
    pub result: Extrapolation,
    /// The value types of the savings extrapolated.
    pub value_types: Vec<ValueType>,
    /// The inputs' digests.
    pub inputs: Vec<InputDigest>,
}

impl Extrapolated {
    /// The files of `journeycost extrapolate`.
    #[must_use]
    pub fn files(&self) -> OutputSet {
        extrapolation_files(&self.result, &self.inputs)
    }
}

/// A tally a pass was asked for and did not make (a bug, reported rather than a panic).
fn not_tallied(what: &str) -> Error {
    Error::new(Location::source("inputs"), ProblemKind::Io, format!("internal: the {what} was not tallied"))
}
