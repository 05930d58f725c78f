//! `journeycost`: cost journeys through public services and compare the old way with the new.
//!
//! Thin by design: parse arguments, call the library, print. Exit status 0 on success, 1 when
//! the input has problems (each printed on its own line on stderr), 2 for a usage error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use journeycost::Error;
use journeycost::appraisal::{AppraisalSpec, Convention, Schedule, appraise, npv};
use journeycost::catalogue::ValueType;
use journeycost::compare::{CompareOptions, compare_run};
use journeycost::io::{InputPaths, Inputs, digests};
use journeycost::ledger::Ledger;
use journeycost::output::{appraisal_files, comparison_files, cost_tables};
use journeycost::period::PeriodKind;
use journeycost::prices::PriceYear;
use journeycost::scenario::Scenario;

#[derive(Parser)]
#[command(name = "journeycost", version, about = "Cost journeys through public services, exactly, and compare the old way with the new")]
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
        /// Directory to write the results into (created if needed)
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
        /// Directory to write the results into (created if needed)
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
        /// Directory to write the results into (created if needed)
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Print discount factors for years 0..=N as CSV `year,factor` (six decimals)
    Discount {
        /// green-book, health, none or constant:RATE (e.g. constant:0.035)
        #[arg(long, value_parser = parse_schedule)]
        schedule: Schedule,
        /// The last year
        #[arg(long, value_name = "N")]
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

fn parse_schedule(s: &str) -> Result<Schedule, String> {
    s.parse()
}

fn parse_convention(s: &str) -> Result<Convention, String> {
    s.parse()
}

fn parse_flow(s: &str) -> Result<journeycost::Decimal, String> {
    journeycost::io::parse_decimal(s)
}

#[derive(Args)]
struct InputArgs {
    /// A scenario file naming the inputs and options; flags given here override it
    #[arg(value_name = "SCENARIO.toml")]
    scenario: Option<PathBuf>,
    /// Unit-cost catalogue (CSV)
    #[arg(long, value_name = "FILE")]
    catalogue: Option<PathBuf>,
    /// Price index: year,index (CSV) [default: the built-in HM Treasury GDP deflator, calendar
    /// years 2024 = 100, with financial years derived as 3/4 x y + 1/4 x y+1]
    #[arg(long, value_name = "FILE")]
    deflators: Option<PathBuf>,
    /// Every contact and spell (CSV)
    #[arg(long, value_name = "FILE")]
    events: Option<PathBuf>,
    /// Person attributes for group-bys (CSV)
    #[arg(long, value_name = "FILE")]
    persons: Option<PathBuf>,
    /// Price base, e.g. 2024 or 2024/25 [default: the latest year of the deflators]
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
}

fn parse_price_year(s: &str) -> Result<PriceYear, String> {
    s.parse().map_err(|e: journeycost::prices::PriceYearError| e.to_string())
}

fn parse_period(s: &str) -> Result<PeriodKind, String> {
    s.parse()
}

/// Inputs and options after merging a scenario file with the flags.
struct Resolved {
    paths: InputPaths,
    price_year: Option<PriceYear>,
    values: &'static [ValueType],
    compare: journeycost::scenario::CompareSection,
    appraisal: Option<AppraisalSpec>,
}

fn resolve(args: InputArgs) -> Result<Resolved, Error> {
    let scenario = args.scenario.as_deref().map(Scenario::load).transpose()?;
    let missing = |flag: &str| {
        Error::new(
            journeycost::error::Location::source("command line"),
            journeycost::ProblemKind::Scenario,
            format!("missing --{flag}: give it, or a scenario file that names it"),
        )
    };
    let from = |flag: Option<PathBuf>, sc: Option<&PathBuf>, name: &str| flag.or_else(|| sc.cloned()).ok_or_else(|| missing(name));
    let sc_inputs = scenario.as_ref().map(|s| &s.inputs);
    let paths = InputPaths {
        catalogue: from(args.catalogue, sc_inputs.map(|i| &i.catalogue), "catalogue")?,
        deflators: args.deflators.or_else(|| sc_inputs.and_then(|i| i.deflators.clone())),
        events: from(args.events, sc_inputs.map(|i| &i.events), "events")?,
        persons: args.persons.or_else(|| sc_inputs.and_then(|i| i.persons.clone())),
    };
    Ok(Resolved {
        paths,
        price_year: args.price_year.or_else(|| scenario.as_ref().and_then(|s| s.price_year)),
        values: args.values.or_else(|| scenario.as_ref().and_then(|s| s.values)).unwrap_or(&[ValueType::Fiscal]),
        appraisal: scenario.as_ref().and_then(|s| s.appraisal.clone()),
        compare: scenario.map(|s| s.compare).unwrap_or_default(),
    })
}

fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Cost { inputs, out } => {
            let r = resolve(inputs)?;
            let inputs = Inputs::load(&r.paths, r.price_year)?;
            let ledger = Ledger::build(&inputs.journeys, &inputs.catalogue, &inputs.index, inputs.price_base)?;
            let files = cost_tables(&ledger);
            files.commit(&out)?;
            eprintln!(
                "costed {} events of {} persons at {} prices; wrote {} files to {}",
                inputs.journeys.len(),
                inputs.journeys.persons().len(),
                inputs.price_base,
                files.files().len(),
                out.display()
            );
            Ok(())
        }
        Command::Compare { inputs, options, out } => {
            let r = resolve(inputs)?;
            let sc = r.compare;
            let opts = CompareOptions {
                baseline: options.baseline.or(sc.baseline).unwrap_or_else(|| "old".into()),
                alternative: options.alternative.or(sc.alternative).unwrap_or_else(|| "new".into()),
                period: options.period.or(sc.period).unwrap_or_default(),
            };
            let person = options.person.or(sc.person);
            let by = options.by.or(sc.by);
            let inputs = Inputs::load(&r.paths, r.price_year)?;
            let ledger = Ledger::build_with(&inputs.journeys, &inputs.catalogue, &inputs.index, inputs.price_base, r.values)?;
            let run = compare_run(&ledger, inputs.persons.as_ref(), &opts, person.as_deref(), by.as_deref())?;
            let files = comparison_files(&run, &digests(&r.paths)?);
            files.commit(&out)?;
            print_summary(&run, &opts, inputs.price_base, &out);
            Ok(())
        }
        Command::Appraise { inputs, out } => {
            let r = resolve(inputs)?;
            let spec = r.appraisal.unwrap_or_else(|| AppraisalSpec {
                baseline: r.compare.baseline.clone().unwrap_or_else(|| "old".into()),
                alternative: r.compare.alternative.clone().unwrap_or_else(|| "new".into()),
                ..AppraisalSpec::default()
            });
            let inputs = Inputs::load(&r.paths, r.price_year)?;
            let ledger = Ledger::build_with(&inputs.journeys, &inputs.catalogue, &inputs.index, inputs.price_base, r.values)?;
            let a = appraise(&ledger, &inputs.catalogue, &spec)?;
            appraisal_files(&a, &spec.baseline, &spec.alternative, &digests(&r.paths)?).commit(&out)?;
            let ratio = |r: Option<journeycost::Decimal>| r.map_or_else(|| "n/a (no costs)".to_owned(), |v| v.to_string());
            println!(
                "appraisal of {} against {}, {} prices, {} discounting from {}",
                spec.alternative, spec.baseline, a.price_base, a.schedule, a.base_year
            );
            println!("PV benefits  {:>16}  (before adjustments, observed years only: {})", a.pv_benefits, a.pv_gross_benefits);
            println!("PV costs     {:>16}", a.pv_costs);
            println!("NPV          {:>16}", a.npv);
            println!("BCR          {:>16}", ratio(a.bcr));
            println!("ROI          {:>16}", ratio(a.roi));
            println!("payback      {:>16}", a.payback.as_deref().unwrap_or("not within the horizon"));
            println!("results in {}", out.display());
            Ok(())
        }
        Command::Discount { schedule, years } => {
            println!("year,factor");
            for (t, f) in schedule.factors(years).into_iter().enumerate() {
                println!("{t},{}", Schedule::six_decimals(f));
            }
            Ok(())
        }
        Command::Npv { schedule, convention, flows } => {
            println!("{}", journeycost::Money::new(npv(&flows, schedule, convention)));
            Ok(())
        }
        Command::Validate { inputs } => {
            let r = resolve(inputs)?;
            let inputs = Inputs::load(&r.paths, r.price_year)?;
            Ledger::build_with(&inputs.journeys, &inputs.catalogue, &inputs.index, inputs.price_base, r.values)?;
            println!(
                "ok: {} unit costs, {} price years, {} events of {} persons on {} pathways",
                inputs.catalogue.len(),
                inputs.index.len(),
                inputs.journeys.len(),
                inputs.journeys.persons().len(),
                inputs.journeys.pathways().len()
            );
            Ok(())
        }
    }
}

fn print_summary(run: &journeycost::compare::ComparisonRun, opts: &CompareOptions, base: PriceYear, out: &Path) {
    for g in &run.groups {
        let c = &g.comparison;
        if let Some(name) = &g.group {
            println!("[{} = {name}]", run.by.as_deref().unwrap_or(""));
        }
        println!("prices: {base}; persons: {}; values: {}", g.persons, values_label(&run.value_types));
        println!("{:<12} {:>16}", format!("{} (red)", opts.baseline), c.total.baseline_cost);
        println!("{:<12} {:>16}", format!("{} (blue)", opts.alternative), c.total.alternative_cost);
        let share = c.saving_share.map(|s| format!(" ({:.1}%)", s * journeycost::Decimal::ONE_HUNDRED)).unwrap_or_default();
        println!("{:<12} {:>16}{share}", "saving", c.total.saving);
        match c.break_even {
            Some(p) => println!("break-even:  {p}"),
            None => println!("break-even:  never"),
        }
    }
    println!("results in {}", out.display());
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
