//! `journeycost`: cost journeys through public services and compare the old way with the new.
//!
//! Thin by design: parse arguments, call the library, print. Exit status 0 on success, 1 when
//! the input has problems (each printed on its own line on stderr), 2 for a usage error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use journeycost::Error;
use journeycost::appraisal::{Convention, Schedule, try_npv};
use journeycost::catalogue::{Catalogue, UnitCost, ValueType};
use journeycost::period::PeriodKind;
use journeycost::prices::PriceYear;
use journeycost::run::{Front, Run, RunBuilder};

/// `println!` that never panics: output to a closed pipe (`journeycost ... | head`) is dropped.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

#[derive(Parser)]
#[command(
    name = "journeycost",
    version,
    about = "Cost journeys through public services, exactly, and compare the old way with the new",
    after_help = "Built-in data: unit costs from the Unit Cost Database v1.4, New Economy / GMCA, CC BY 4.0; \
                  price index: HM Treasury GDP deflator, Open Government Licence v3.0."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Cost every event and write monthly.csv, persons.csv and summary.csv (pathways old and new)
    Cost {
        #[command(flatten)]
        inputs: InputArgs,
        /// Threads reading the events file (default: every core); the results never depend on it
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
        threads: Option<u16>,
        /// Folder to write the results into: new, empty, or one journeycost wrote, which is
        /// replaced whole (see docs/formats.md)
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Compare a baseline pathway with an alternative: the red and blue lines, who pays and who
    /// saves, failure demand, the triangle of need, trends
    Compare {
        #[command(flatten)]
        inputs: InputArgs,
        #[command(flatten)]
        options: CompareArgs,
        /// Folder to write the results into: new, empty, or one journeycost wrote, which is
        /// replaced whole (see docs/formats.md)
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Check the inputs and list every problem found, one per line
    Validate {
        #[command(flatten)]
        inputs: InputArgs,
    },
    /// Appraise the new way against the old in the Green Book's terms: NPV, BCR, ROI, payback,
    /// who pays and who saves, switching values, with the assumptions log (scenario [appraisal])
    Appraise {
        #[command(flatten)]
        inputs: InputArgs,
        /// Folder to write the results into: new, empty, or one journeycost wrote, which is
        /// replaced whole (see docs/formats.md)
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Scale the cohort to a nation with Monte Carlo uncertainty (scenario [extrapolation])
    Extrapolate {
        #[command(flatten)]
        inputs: InputArgs,
        /// Number of draws, at most 10,000,000 [default: the scenario's, else 10,000]
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
        draws: Option<u64>,
        /// Random seed [default: the scenario's, else 0]
        #[arg(long, value_name = "S")]
        seed: Option<u64>,
        /// Threads to use; the results are the same for any number [default: all cores]
        #[arg(long, value_name = "T")]
        threads: Option<usize>,
        /// Folder to write the results into: new, empty, or one journeycost wrote, which is
        /// replaced whole (see docs/formats.md)
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Write a reproducible report: index.html (self-contained), report.md, charts, data and
    /// results.json. With no scenario and no inputs, reports every bundled example.
    Report {
        #[command(flatten)]
        inputs: InputArgs,
        #[command(flatten)]
        options: CompareArgs,
        /// Folder to write the report into: new, empty, or one journeycost wrote, which is
        /// replaced whole (see docs/formats.md)
        #[arg(long, value_name = "DIR", default_value = "report")]
        out: PathBuf,
        /// Pseudonym key, so the same person gets the same pseudonym and the report regenerates
        /// byte for byte [default: `$JOURNEYCOST_REPORT_KEY`, else a random key not kept]
        #[arg(long, value_name = "KEY", env = "JOURNEYCOST_REPORT_KEY", hide_env_values = true)]
        key: Option<String>,
        /// Suppress counts below N in published tables; 0 turns suppression off (illustrative
        /// data only) [default: the scenario's, else 5]
        #[arg(long, value_name = "N")]
        suppress_below: Option<u64>,
        /// A directory with your own index.html.j2 and/or report.md.j2 (a house style)
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// Print this timestamp in the report (none by default, so reports regenerate exactly)
        #[arg(long, value_name = "TEXT")]
        timestamp: Option<String>,
        /// A suppressed value must not be narrowed, from what the report publishes, to an
        /// interval of this share of it or less [default: 0.5]
        #[arg(long, value_name = "SHARE")]
        protection_margin: Option<f64>,
    },
    /// Look up, search and export unit costs
    #[command(subcommand)]
    Catalogue(CatalogueCommand),
    /// Price indices: import HM Treasury's published GDP deflator file
    #[command(subcommand)]
    Prices(PricesCommand),
    /// Print discount factors for years 0..=N as CSV `year,factor` (six decimals)
    Discount {
        /// green-book, health, none or constant:RATE (e.g. constant:0.035)
        #[arg(long, value_parser = parse_schedule)]
        schedule: Schedule,
        /// The last year (at most 1,000)
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=1000))]
        years: u32,
    },
    /// Print the net present value of a list of yearly flows, half-even to the penny
    Npv {
        /// green-book, health, none or constant:RATE (e.g. constant:0.035)
        #[arg(long, value_parser = parse_schedule)]
        schedule: Schedule,
        /// green-book: the first flow is in year 0; excel: in year 1
        #[arg(long, default_value = "green-book", value_parser = parse_convention)]
        convention: Convention,
        /// The flows, one per year, e.g. -- -1000 500 500 500
        #[arg(value_name = "FLOW", required = true, allow_negative_numbers = true, value_parser = parse_flow)]
        flows: Vec<journeycost::Decimal>,
    },
}

#[derive(Subcommand)]
enum PricesCommand {
    /// Read HM Treasury's "GDP deflators at market prices, and money GDP" file (.xlsx or .csv,
    /// as published on GOV.UK) and write deflators.csv (year,index,forecast): financial and
    /// calendar years from their own series, OBR forecast years marked
    Import {
        /// The published file
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The deflators CSV to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum CatalogueCommand {
    /// Read the Unit Cost Database (the GMCA workbook, or the 2014 CSV export) and write
    /// journeycost's catalogue CSV
    Import {
        /// The workbook (.xlsx) or the 2014 CSV export's files
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// The catalogue CSV to write (never one of the files read)
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Which value becomes `unit_cost`: fiscal, economic or social (the others are kept in
        /// their own columns)
        #[arg(long, value_name = "TYPE", default_value = "fiscal", value_parser = parse_value_type)]
        value: ValueType,
    },
    /// List unit costs, one per line
    List {
        #[command(flatten)]
        source: CatalogueArgs,
        /// Only this agency (exact, ignoring case)
        #[arg(long, value_name = "AGENCY")]
        agency: Option<String>,
        /// Only this theme, e.g. Crime or Health (exact, ignoring case)
        #[arg(long, value_name = "THEME")]
        theme: Option<String>,
    },
    /// Show every field of one unit cost
    Show {
        #[command(flatten)]
        source: CatalogueArgs,
        /// The code
        code: String,
    },
    /// List the unit costs whose code, agency, description or source contains TEXT (any case)
    Search {
        #[command(flatten)]
        source: CatalogueArgs,
        /// The text to look for
        text: String,
    },
    /// Write the catalogue as CSV on stdout with every value uprated to one price year
    Export {
        #[command(flatten)]
        source: CatalogueArgs,
        /// Price index: year,index (CSV) [default: the built-in HM Treasury GDP deflator]
        #[arg(long, value_name = "FILE")]
        deflators: Option<PathBuf>,
        /// The price year to uprate to
        #[arg(long, value_name = "YEAR", value_parser = parse_price_year)]
        price_year: PriceYear,
        /// Which value becomes `unit_cost`: fiscal, economic or social
        #[arg(long, value_name = "TYPE", default_value = "fiscal", value_parser = parse_value_type)]
        value: ValueType,
    },
}

#[derive(Args)]
struct CatalogueArgs {
    /// Unit-cost catalogue (CSV); repeat to layer; `builtin` is the built-in Unit Cost Database
    /// v1.4 [default: builtin]
    #[arg(long, value_name = "FILE")]
    catalogue: Vec<PathBuf>,
}

fn parse_value_type(s: &str) -> Result<ValueType, String> {
    ValueType::ALL
        .into_iter()
        .find(|t| t.as_str() == s)
        .ok_or_else(|| format!("expected fiscal, economic or social, found {s:?}"))
}

fn parse_schedule(s: &str) -> Result<Schedule, String> {
    s.parse()
}

fn parse_convention(s: &str) -> Result<Convention, String> {
    s.parse()
}

fn parse_flow(s: &str) -> Result<journeycost::Decimal, String> {
    let d = journeycost::io::parse_decimal(s)?;
    if d.abs() > journeycost::Decimal::from(journeycost::journey::MAX_INPUT_MAGNITUDE) {
        return Err(format!("expected a flow of at most 10^12 in size, found {s}"));
    }
    Ok(d)
}

#[derive(Args)]
struct InputArgs {
    /// A scenario file naming the inputs and options; flags given here override it
    #[arg(value_name = "SCENARIO.toml")]
    scenario: Option<PathBuf>,
    /// Unit-cost catalogue (CSV); repeat to layer catalogues (later ones override codes);
    /// `builtin` is the built-in Unit Cost Database v1.4 [default: builtin]
    #[arg(long, value_name = "FILE")]
    catalogue: Vec<PathBuf>,
    /// Price index: year,index (CSV), or builtin:hmt-2025-12-derived for the index built in
    /// before #13 [default: the built-in HM Treasury GDP deflator, financial years 2000-01 to
    /// 2030-31 (March 2026), OBR forecasts from 2025-26]
    #[arg(long, value_name = "FILE")]
    deflators: Option<PathBuf>,
    /// Every contact and spell (CSV)
    #[arg(long, value_name = "FILE")]
    events: Option<PathBuf>,
    /// Person attributes for group-bys (CSV)
    #[arg(long, value_name = "FILE")]
    persons: Option<PathBuf>,
    /// Price base, e.g. 2024 or 2024/25 [default: the latest outturn (not forecast) year of the
    /// deflators]
    #[arg(long, value_name = "YEAR", value_parser = parse_price_year)]
    price_year: Option<PriceYear>,
    /// Values counted: fiscal (the financial case) or public (fiscal, economic and social
    /// values: the public-value case) [default: fiscal]
    #[arg(long, value_name = "CASE", value_parser = parse_values)]
    values: Option<&'static [ValueType]>,
}

fn parse_values(s: &str) -> Result<&'static [ValueType], String> {
    ValueType::case(s)
}

#[derive(Args)]
struct CompareArgs {
    /// The baseline pathway, the old way [default: old]
    #[arg(long, value_name = "PATHWAY")]
    baseline: Option<String>,
    /// The alternative pathway, the new way [default: new]
    #[arg(long, value_name = "PATHWAY")]
    alternative: Option<String>,
    /// Period of the series: month, quarter, year or fy (UK financial year) [default: month]
    #[arg(long, value_name = "PERIOD", value_parser = parse_period)]
    period: Option<PeriodKind>,
    /// Compare one person only
    #[arg(long, value_name = "ID")]
    person: Option<String>,
    /// Group every table by a column of the persons file
    #[arg(long, value_name = "COLUMN")]
    by: Option<String>,
    /// Who pays and who saves by agency (1) or by agency and agency detail (2) [default: 1]
    #[arg(long, value_name = "LEVEL", value_parser = clap::value_parser!(u8).range(1..=2))]
    agency_level: Option<u8>,
}

fn parse_price_year(s: &str) -> Result<PriceYear, String> {
    s.parse().map_err(|e: journeycost::prices::PriceYearError| e.to_string())
}

fn parse_period(s: &str) -> Result<PeriodKind, String> {
    s.parse()
}

impl InputArgs {
    /// What the flags give a run; the rest comes from the scenario, then the defaults.
    fn builder(self) -> RunBuilder {
        RunBuilder {
            scenario: self.scenario,
            catalogue: self.catalogue,
            deflators: self.deflators,
            events: self.events,
            persons: self.persons,
            price_year: self.price_year,
            values: self.values,
            front: Front::CommandLine,
            ..RunBuilder::default()
        }
    }
}

impl CompareArgs {
    /// The comparison flags, over what `b` was given.
    fn give(&self, b: RunBuilder) -> RunBuilder {
        RunBuilder {
            baseline: self.baseline.clone(),
            alternative: self.alternative.clone(),
            period: self.period,
            person: self.person.clone(),
            by: self.by.clone(),
            agency_level: self.agency_level,
            ..b
        }
    }
}

/// `run`'s inputs, once `out` is known to be a folder journeycost may write them beside.
fn inputs_beside(run: &Run, out: &Path) -> Result<Vec<PathBuf>, Error> {
    let inputs = run.files();
    journeycost::io::check_out_dir(out, &inputs)?;
    Ok(inputs)
}

/// Prints the notes of the inputs' digests (a forecast price base).
fn print_notes(inputs: &[journeycost::io::InputDigest]) {
    for note in inputs.iter().filter_map(|d| d.note.as_ref()) {
        eprintln!("note: {note}");
    }
}

fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Cost { inputs, threads, out } => {
            // Streamed: the events are summed as they are read, never stored.
            let run = RunBuilder { threads: threads.map(usize::from), ..inputs.builder() }.build()?;
            let protect = inputs_beside(&run, &out)?;
            let files = run.cost()?;
            files.commit(&out, &protect)?;
            eprintln!(
                "wrote {} files to {} ({} values)",
                files.files().len(),
                out.display(),
                values_label(run.values())
            );
            Ok(())
        }
        Command::Compare { inputs, options, out } => {
            let run = options.give(inputs.builder()).build()?;
            let protect = inputs_beside(&run, &out)?;
            // Streamed: the events are costed and compared part by part, never all stored.
            let compared = run.compare()?;
            print_notes(&compared.inputs);
            compared.files().commit(&out, &protect)?;
            print_summary(&compared, &out);
            Ok(())
        }
        Command::Appraise { inputs, out } => {
            let run = inputs.builder().build()?;
            let protect = inputs_beside(&run, &out)?;
            let appraised = run.appraise()?;
            print_notes(&appraised.inputs);
            appraised.files().commit(&out, &protect)?;
            let (spec, a) = (&appraised.spec, &appraised.appraisal);
            let ratio =
                |r: Option<journeycost::Decimal>| r.map_or_else(|| "n/a (no costs)".to_owned(), |v| v.to_string());
            say!(
                "appraisal of {} against {}, {} prices, {} discounting from {}",
                spec.alternative,
                spec.baseline,
                a.price_base,
                a.schedule,
                a.base_year
            );
            say!(
                "PV benefits  {:>16}  (before adjustments, observed years only: {})",
                a.pv_benefits,
                a.pv_gross_benefits
            );
            say!("PV costs     {:>16}", a.pv_costs);
            say!("NPV          {:>16}", a.npv);
            say!("BCR          {:>16}", ratio(a.bcr));
            say!("ROI          {:>16}", ratio(a.roi));
            say!("payback      {:>16}", a.payback.as_deref().unwrap_or("not within the horizon"));
            say!("results in {}", out.display());
            Ok(())
        }
        Command::Extrapolate { inputs, draws, seed, threads, out } => {
            let run = RunBuilder { draws, seed, threads, ..inputs.builder() }.build()?;
            let protect = inputs_beside(&run, &out)?;
            let bar = indicatif::ProgressBar::with_draw_target(run.draws(), indicatif::ProgressDrawTarget::hidden());
            let started = std::time::Instant::now();
            let shown = std::sync::atomic::AtomicBool::new(false);
            let progress = |done: u64| {
                // Only runs that take more than a second get a bar, and only on a terminal.
                if !shown.load(std::sync::atomic::Ordering::Relaxed) && started.elapsed().as_secs_f64() > 1.0 {
                    shown.store(true, std::sync::atomic::Ordering::Relaxed);
                    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                }
                bar.set_position(done);
            };
            let x = run.extrapolate(Some(&progress))?;
            bar.finish_and_clear();
            print_notes(&x.inputs);
            x.files().commit(&out, &protect)?;
            let bn = |v: f64| format!("£{:.2}bn", v / 1e9);
            let n = &x.result.net_annual;
            let pct = |p: f64| n.percentiles.iter().find(|(q, _)| (*q - p).abs() < 1e-9).map(|(_, v)| bn(*v));
            say!(
                "extrapolation: {} draws, seed {}, {} values",
                x.result.draws,
                x.result.seed,
                values_label(&x.value_types)
            );
            say!("net annual saving: median {}, mean {}", bn(n.median), bn(n.mean));
            if let (Some(lo), Some(hi)) = (pct(5.0), pct(95.0)) {
                say!("90% interval: {lo} to {hi}");
            }
            say!("gross of adjustments: median {}", bn(x.result.gross_annual.median));
            say!("probability below zero: {:.1}%", n.prob_below_zero * 100.0);
            if let (Some(t), Some(p)) = (x.spec.threshold, n.prob_below_threshold) {
                say!("probability below {}: {:.1}%", bn(t), p * 100.0);
            }
            if let Some(top) = x.result.tornado.first() {
                say!("largest uncertainty: {} of {:?}", top.parameter, top.segment);
            }
            say!("results in {}", out.display());
            Ok(())
        }
        Command::Report { inputs, options, out, key, suppress_below, templates, timestamp, protection_margin } => {
            let settings = ReportSettings { options, key, suppress_below, templates, timestamp, protection_margin };
            let bundled = inputs.scenario.is_none() && inputs.catalogue.is_empty() && inputs.events.is_none();
            if !bundled {
                let (files, protect) = report_one(inputs, &settings, Some(&out))?;
                files.commit(&out, &protect)?;
                say!("report written to {}", out.join("index.html").display());
                return Ok(());
            }
            let mut examples: Vec<PathBuf> = std::fs::read_dir("examples")
                .map_err(|e| {
                    Error::new(
                        journeycost::error::Location::source("examples"),
                        journeycost::ProblemKind::Io,
                        format!(
                            "no scenario given and no bundled examples here ({e}): give a scenario, or run from the journeycost folder"
                        ),
                    )
                })?
                .filter_map(Result::ok)
                .map(|e| e.path().join("scenario.toml"))
                .filter(|p| p.exists())
                .collect();
            examples.sort();
            // The bundled examples, and the house templates, are the inputs.
            let protect: Vec<PathBuf> =
                std::iter::once(PathBuf::from("examples")).chain(settings.templates.clone()).collect();
            journeycost::io::check_out_dir(&out, &protect)?;
            // Every example is rendered before anything is written: one failure writes nothing.
            let mut links = Vec::new();
            let mut all = journeycost::io::OutputSet::new();
            for scenario in examples {
                let name = scenario
                    .parent()
                    .and_then(Path::file_name)
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                let args = InputArgs {
                    scenario: Some(scenario),
                    catalogue: Vec::new(),
                    deflators: None,
                    events: None,
                    persons: None,
                    price_year: None,
                    values: None,
                };
                for (file, bytes) in report_one(args, &settings, None)?.0.files() {
                    all.add(format!("{name}/{file}"), bytes.clone());
                }
                links.push(name);
            }
            let mut index = String::from(
                "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>journeycost: the bundled examples</title></head>\n<body>\n<h1>journeycost: the bundled examples</h1>\n<ul>\n",
            );
            for l in &links {
                index += &["<li><a href=\"", l, "/index.html\">", l, "</a></li>\n"].concat();
            }
            index.push_str("</ul>\n</body>\n</html>\n");
            all.add("index.html", index.into_bytes());
            all.commit(&out, &protect)?;
            for l in &links {
                say!("{l}: {}", out.join(l).join("index.html").display());
            }
            say!("open {}", out.join("index.html").display());
            Ok(())
        }
        Command::Catalogue(command) => catalogue(command),
        Command::Prices(PricesCommand::Import { file, out }) => {
            let inputs = [file.clone()];
            journeycost::io::check_out_file(&out, &inputs)?;
            let years = journeycost::hmt::import_file(&file)?;
            journeycost::io::write_file(&out, &journeycost::hmt::deflators_csv(&years), &inputs)?;
            let count = |f: fn(&PriceYear) -> bool| years.iter().filter(|y| f(&y.year)).count();
            eprintln!(
                "wrote {} financial and {} calendar years to {} ({} of them OBR forecasts, marked forecast)",
                count(|y| matches!(y, PriceYear::Financial(_))),
                count(|y| matches!(y, PriceYear::Calendar(_))),
                out.display(),
                years.iter().filter(|y| y.forecast).count()
            );
            Ok(())
        }
        Command::Discount { schedule, years } => {
            say!("year,factor");
            for (t, f) in schedule.factors(years).into_iter().enumerate() {
                say!("{t},{}", Schedule::six_decimals(f));
            }
            Ok(())
        }
        Command::Npv { schedule, convention, flows } => {
            let v = try_npv(&flows, schedule, convention).map_err(|m| {
                Error::new(journeycost::error::Location::source("npv"), journeycost::ProblemKind::InvalidValue, m)
            })?;
            say!("{}", journeycost::Money::new(v));
            Ok(())
        }
        Command::Validate { inputs } => {
            // A scenario is checked as compare, appraise and report would run it: its pathways
            // differ and have events, and so do its appraisal's.
            let loaded = inputs.builder().build()?.validate()?;
            let i = &loaded.inputs;
            say!(
                "ok: {} unit costs, {} price years, {} events of {} persons on {} pathways",
                i.catalogue.len(),
                i.index.len(),
                i.journeys.len(),
                i.journeys.persons().len(),
                i.journeys.pathways().len()
            );
            Ok(())
        }
    }
}

fn print_summary(compared: &journeycost::run::Compared, out: &Path) {
    let (run, opts, base) = (&compared.run, &compared.options, compared.price_base);
    for g in &run.groups {
        let c = &g.comparison;
        if let Some(name) = &g.group {
            say!("[{} = {name}]", run.by.as_deref().unwrap_or(""));
        }
        say!("prices: {base}; persons: {}; values: {}", g.persons, values_label(&run.value_types));
        say!("{:<12} {:>16}", format!("{} (red)", opts.baseline), c.total.baseline_cost);
        say!("{:<12} {:>16}", format!("{} (blue)", opts.alternative), c.total.alternative_cost);
        let share = c.saving_share.map(|s| format!(" ({}%)", journeycost::money::percent(s, 1))).unwrap_or_default();
        say!("{:<12} {:>16}{share}", "saving", c.total.saving);
        say!("break-even:  {}", c.break_even.map_or_else(|| "never".to_owned(), |p| p.to_string()));
    }
    say!("results in {}", out.display());
}

/// The report flags, shared by every example of a bundled run.
struct ReportSettings {
    options: CompareArgs,
    key: Option<String>,
    suppress_below: Option<u64>,
    templates: Option<PathBuf>,
    timestamp: Option<String>,
    protection_margin: Option<f64>,
}

/// Builds one report (with the scenario's appraisal and extrapolation, when it has them), and
/// its inputs (with the house templates); checks `out` first, when given. Tells the analyst on
/// stderr what disclosure control did (that summary is not published: the narrowest interval
/// would help an attacker).
fn report_one(
    inputs: InputArgs,
    settings: &ReportSettings,
    out: Option<&Path>,
) -> Result<(journeycost::io::OutputSet, Vec<PathBuf>), Error> {
    let run =
        settings.options.give(RunBuilder { suppress_below: settings.suppress_below, ..inputs.builder() }).build()?;
    let protect: Vec<PathBuf> = run.files().into_iter().chain(settings.templates.clone()).collect();
    if let Some(out) = out {
        journeycost::io::check_out_dir(out, &protect)?;
    }
    let opts = journeycost_report::ReportOptions {
        key: settings.key.as_ref().map(|k| k.as_bytes().to_vec()),
        protection_margin: settings.protection_margin.unwrap_or(journeycost_report::DEFAULT_PROTECTION_MARGIN),
        template_dir: settings.templates.clone(),
        timestamp: settings.timestamp.clone(),
        ..journeycost_report::ReportOptions::of(&run)
    };
    let report = journeycost_report::report(&run, opts)?;
    if report.primary > 0 {
        eprintln!(
            "disclosure control: {} cells suppressed as small, {} more to protect them; the audit checked {} suppressed values, the narrowest range {}",
            report.primary,
            report.secondary,
            report.audit.audited,
            report
                .audit
                .min_width_share
                .map_or_else(|| "unbounded".to_owned(), |s| format!("{:.0}% of its value wide", s * 100.0))
        );
    }
    Ok((report.files, protect))
}

fn load_catalogue(args: &CatalogueArgs) -> Result<Catalogue, Error> {
    journeycost::run::load_catalogues(&args.catalogue)
}

fn catalogue(command: CatalogueCommand) -> Result<(), Error> {
    match command {
        CatalogueCommand::Import { files, out, value } => {
            journeycost::io::check_out_file(&out, &files)?;
            let mut lines = Vec::new();
            let mut attributions: Vec<String> = Vec::new();
            for f in &files {
                let import = journeycost::ucd::import_file(f)?;
                for p in &import.problems {
                    eprintln!("note: {p}");
                }
                lines.extend(import.lines);
                if !attributions.contains(&import.attribution) {
                    attributions.push(import.attribution);
                }
            }
            let export = journeycost::ucd::catalogue_csv(&lines, value);
            for p in export.renamed.iter().chain(&export.left_out) {
                eprintln!("note: {p}");
            }
            if export.written == 0 {
                // A catalogue of no unit costs is refused by every command: do not write one.
                return Err(Error::new(
                    journeycost::error::Location::source(files[0].display().to_string()),
                    journeycost::ProblemKind::NotFound,
                    format!("no cost line has a {} value: nothing to write to {}", value.as_str(), out.display()),
                ));
            }
            journeycost::io::write_file(&out, &export.csv, &files)?;
            eprintln!(
                "wrote {} unit costs to {} ({} under a numbered code, {} at £0 fiscal with only economic or social values, {} left out); {}",
                export.written,
                out.display(),
                export.renamed.len(),
                export.zero_fiscal,
                export.left_out.len(),
                attributions.join("; ")
            );
        }
        CatalogueCommand::List { source, agency, theme } => {
            let c = load_catalogue(&source)?;
            let keep = |u: &&UnitCost| {
                agency.as_ref().is_none_or(|a| u.agency.eq_ignore_ascii_case(a))
                    && theme.as_ref().is_none_or(|t| u.theme.as_ref().is_some_and(|x| x.eq_ignore_ascii_case(t)))
            };
            print_lines(c.entries().iter().filter(keep));
        }
        CatalogueCommand::Search { source, text } => print_lines(load_catalogue(&source)?.search(&text)),
        CatalogueCommand::Show { source, code } => {
            let c = load_catalogue(&source)?;
            let u = c.get(&code).ok_or_else(|| {
                Error::new(
                    journeycost::error::Location::source("catalogue"),
                    journeycost::ProblemKind::NotFound,
                    format!("no unit cost has the code {code:?}"),
                )
            })?;
            let text = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".to_owned());
            let amount = |a: Option<journeycost::catalogue::Amount>| {
                a.map_or_else(|| "-".to_owned(), |a| format!("£{} ({} prices)", a.amount, a.price_year))
            };
            say!("code          {}", u.code);
            say!("description   {}", text(&u.description));
            say!("agency        {}", u.agency);
            say!("agency detail {}", text(&u.agency_detail));
            say!("fiscal        £{} per {} ({} prices)", u.unit_cost, u.unit, u.price_year);
            say!("economic      {}", amount(u.economic));
            say!("social        {}", amount(u.social));
            say!("confidence    {}", u.confidence.map_or("-", |c| c.as_str()));
            say!(
                "tier          {}",
                u.tier.map_or_else(|| "-".to_owned(), |t| format!("{} ({})", t.level(), t.name()))
            );
            say!("demand        {}", u.demand.map_or("-", |d| d.as_str()));
            say!("cashable      {}", u.cashable.map_or_else(|| "-".to_owned(), |c| c.to_string()));
            say!("source        {}", text(&u.source));
        }
        CatalogueCommand::Export { source, deflators, price_year, value } => {
            let c = load_catalogue(&source)?;
            let index = journeycost::run::load_deflators(deflators.as_deref())?;
            let (rows, skipped) = journeycost::catalogue::uprated(&c, &index, price_year, value)?;
            match std::io::Write::write_all(&mut std::io::stdout().lock(), &journeycost::output::catalogue_csv(&rows)) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    return Err(Error::new(
                        journeycost::error::Location::source("stdout"),
                        journeycost::ProblemKind::Io,
                        format!("cannot write: {e}"),
                    ));
                }
                _ => {}
            }
            if skipped > 0 {
                eprintln!("note: {skipped} unit costs have no {} value and were left out", value.as_str());
            }
        }
    }
    Ok(())
}

/// One line per unit cost: code, agency, cost and unit, price year, description.
fn print_lines<'a>(entries: impl IntoIterator<Item = &'a UnitCost>) {
    let mut n = 0;
    for u in entries {
        let mut desc: String = u.description.clone().unwrap_or_default();
        if desc.chars().count() > 60 {
            desc = desc.chars().take(59).collect::<String>() + "…";
        }
        say!(
            "{:<12} {:<26} {:>12} {:<6} {:<8} {desc}",
            u.code,
            truncate(&u.agency, 26),
            format!("£{}", u.unit_cost),
            u.unit,
            u.price_year.to_string()
        );
        n += 1;
    }
    eprintln!("{n} unit costs");
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() > n { s.chars().take(n - 1).collect::<String>() + "…" } else { s.to_owned() }
}

/// `fiscal`, or `fiscal+economic+social (public-value case)`: every printed total says what it sums.
fn values_label(types: &[ValueType]) -> String {
    let names: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
    if types.len() > 1 { format!("{} (public-value case)", names.join("+")) } else { names.join("+") }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            for p in e.problems() {
                eprintln!("error: {p}");
            }
            if e.omitted() > 0 {
                eprintln!("error: and {} more problems not listed", e.omitted());
            }
            ExitCode::from(1)
        }
    }
}
