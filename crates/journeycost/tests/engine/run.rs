//! The run layer: options resolve in one order (given, then scenario, then defaults), its
//! steps give the bytes of the lower-level calls they replace, and what it is given is logged
//! with the name the front end gave it by.

use std::path::PathBuf;

use journeycost::appraisal::{Origin, appraise};
use journeycost::compare::CompareOptions;
use journeycost::ledger::Ledger;
use journeycost::period::PeriodKind;
use journeycost::prices::PriceYear;
use journeycost::run::{Front, Inputs, Run, compare_streaming, digests_at};
use journeycost::{Error, ProblemKind};

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(name).join("scenario.toml")
}

fn message(e: &Error) -> String {
    e.problems().iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

#[test]
fn given_over_scenario_over_defaults() {
    // anna's scenario names period = "quarter", old and new, price year 2023/24, suppress 0.
    let plain = Run::from_scenario(example("anna")).unwrap();
    assert_eq!(plain.compare_options(PeriodKind::Month).period, PeriodKind::Quarter);
    assert_eq!(plain.price_year(), Some(PriceYear::Financial(2023)));
    assert_eq!(plain.report_section().suppress_below, Some(0));
    assert_eq!(plain.report_section().person, None);
    assert!(plain.has_appraisal());
    assert!(plain.extrapolation_plan().is_none());
    assert_eq!(plain.values().len(), 1, "fiscal by default");

    let given = Run::builder()
        .scenario(example("anna"))
        .period(PeriodKind::Year)
        .price_year(PriceYear::Financial(2022))
        .suppress_below(3)
        .person("ANNA")
        .alternative("old")
        .baseline("new")
        .build()
        .unwrap();
    let o = given.compare_options(PeriodKind::Month);
    assert_eq!(o.period, PeriodKind::Year);
    assert_eq!((o.baseline.as_str(), o.alternative.as_str()), ("new", "old"));
    assert_eq!(given.price_year(), Some(PriceYear::Financial(2022)));
    assert_eq!(given.report_section().suppress_below, Some(3));
    assert_eq!(given.report_section().person.as_deref(), Some("ANNA"));
    assert_eq!(given.compare_section().person.as_deref(), Some("ANNA"));
    // The appraisal follows the pathways given, and logs the price base as given.
    let spec = given.appraisal_spec();
    assert_eq!((spec.baseline.as_str(), spec.alternative.as_str()), ("new", "old"));
    let base = spec.assumptions.iter().find(|a| a.name == "price_base").unwrap();
    assert_eq!(base.value, "2022/23");
    assert_eq!(base.origin, Origin::Argument("price_year".into()));

    // Without a scenario: the defaults, with a month where the step names it.
    let nothing = Run::builder().events("events.csv").build().unwrap();
    let o = nothing.compare_options(PeriodKind::Month);
    assert_eq!((o.baseline.as_str(), o.alternative.as_str(), o.period), ("old", "new", PeriodKind::Month));
    assert_eq!(nothing.compare_options(PeriodKind::Quarter).period, PeriodKind::Quarter);
    assert!(!nothing.has_appraisal());
    assert!(nothing.paths().catalogue.is_empty(), "the built-in catalogue");
    assert!(nothing.threads() >= 1);
}

#[test]
fn the_command_line_names_its_flags() {
    let run = Run::builder()
        .scenario(example("national"))
        .front(Front::CommandLine)
        .price_year(PriceYear::Financial(2022))
        .draws(50)
        .seed(7)
        .threads(2)
        .build()
        .unwrap();
    let base = run.appraisal_spec().assumptions.iter().find(|a| a.name == "price_base").unwrap();
    assert_eq!(base.origin, Origin::CommandLine("--price-year".into()));
    assert_eq!(run.draws(), Some(50));
    let x = run.extrapolate(None).unwrap();
    assert_eq!((x.result.draws, x.result.seed), (50, 7));
    let log = |name: &str| x.spec.assumptions.iter().find(|a| a.name == name).unwrap().origin.clone();
    assert_eq!(log("draws"), Origin::CommandLine("--draws".into()));
    assert_eq!(log("seed"), Origin::CommandLine("--seed".into()));
    // No result depends on the threads.
    let one = Run::builder()
        .scenario(example("national"))
        .front(Front::CommandLine)
        .price_year(PriceYear::Financial(2022))
        .draws(50)
        .seed(7)
        .threads(1)
        .build()
        .unwrap();
    assert!(one.extrapolate(None).unwrap().files() == x.files(), "the files depend on the threads");
}

#[test]
fn what_cannot_run_is_refused_by_name() {
    let e = Run::builder().front(Front::CommandLine).build().unwrap_err();
    assert_eq!(message(&e), "command line: missing --events: give it, or a scenario file that names it");
    let e = Run::builder().build().unwrap_err();
    assert_eq!(message(&e), "arguments: missing events: give it, or a scenario file that names it");
    let e = Run::builder().events("e.csv").threads(0).build().unwrap_err();
    assert!(message(&e).contains("threads must be at least 1"), "{}", message(&e));
    assert_eq!(e.problems()[0].kind, ProblemKind::Scenario);
    let e = Run::builder().events("e.csv").agency_level(3).front(Front::CommandLine).build().unwrap_err();
    assert!(message(&e).contains("--agency-level"), "{}", message(&e));
    let e = Run::from_scenario(example("anna")).unwrap().extrapolate(None).unwrap_err();
    assert!(message(&e).contains("[extrapolation]"), "{}", message(&e));
    let e = Run::from_scenario(example("no-such-example")).unwrap_err();
    assert!(!e.problems().is_empty());
}

#[test]
fn steps_give_the_bytes_of_the_calls_they_replace() {
    let run = Run::from_scenario(example("anna")).unwrap();
    let paths = run.paths().clone();

    // compare: the streamed comparison, with the same digests.
    let options = CompareOptions { period: PeriodKind::Quarter, ..CompareOptions::default() };
    let (by_hand, base) = compare_streaming(&paths, run.price_year(), run.values(), &options, None, None).unwrap();
    let compared = run.compare().unwrap();
    assert_eq!(compared.run, by_hand);
    assert_eq!(compared.price_base, base);
    let by_hand_files = journeycost::output::comparison_files(&by_hand, &digests_at(&paths, base).unwrap());
    assert!(compared.files() == by_hand_files);

    // appraise: load, build the ledger, appraise.
    let inputs = Inputs::load(&paths, run.price_year()).unwrap();
    let ledger =
        Ledger::build_with(&inputs.journeys, &inputs.catalogue, &inputs.index, inputs.price_base, run.values())
            .unwrap();
    let spec = run.appraisal_spec();
    let a = appraise(&ledger, &inputs.catalogue, spec).unwrap();
    let appraised = run.appraise().unwrap();
    assert_eq!(appraised.appraisal, a);
    let by_hand_files =
        journeycost::output::appraisal_files(&a, &spec.baseline, &spec.alternative, &digests_at(&paths, base).unwrap());
    assert!(appraised.files() == by_hand_files);

    // cost: the streamed tables, on any number of threads.
    let one = Run::builder().scenario(example("anna")).threads(1).build().unwrap().cost().unwrap();
    assert!(run.cost().unwrap() == one);
    assert!(one == journeycost::run::cost_streaming(&paths, run.price_year()).unwrap());

    // validate: a scenario whose pathways differ and whose appraisal runs.
    let loaded = run.validate().unwrap();
    assert_eq!(loaded.ledger.price_base(), base);
}

#[test]
fn a_section_given_as_arguments_is_the_files_but_for_its_origins() {
    let path = example("anna");
    let text = std::fs::read_to_string(&path).unwrap();
    let doc: toml::Table = toml::from_str(&text).unwrap();
    let keys = doc["appraisal"].as_table().unwrap();
    let given = journeycost::scenario::appraisal_section(keys, ("old".into(), "new".into()), "appraise()").unwrap();
    let by_file = Run::from_scenario(&path).unwrap();
    let by_keys = Run::builder().scenario(&path).appraisal(given).build().unwrap();
    let (a, b) = (by_keys.appraise().unwrap(), by_file.appraise().unwrap());
    let without_log = |x: &journeycost::appraisal::Appraisal| journeycost::appraisal::Appraisal {
        assumptions: Vec::new(),
        ..x.clone()
    };
    assert_eq!(without_log(&a.appraisal), without_log(&b.appraisal));
    let strip = |log: &[journeycost::appraisal::Assumption]| {
        log.iter().map(|x| (x.name.clone(), x.value.clone(), x.source.clone(), x.set_by.clone())).collect::<Vec<_>>()
    };
    assert_eq!(strip(&a.spec.assumptions), strip(&b.spec.assumptions));
    let origin = |log: &[journeycost::appraisal::Assumption], name: &str| {
        log.iter().find(|x| x.name == name).unwrap().origin.clone()
    };
    assert_eq!(origin(&a.spec.assumptions, "deadweight"), Origin::Argument("deadweight".into()));
    assert_eq!(origin(&a.spec.assumptions, "optimism_bias.red"), Origin::Argument("optimism_bias".into()));
    assert_eq!(origin(&b.spec.assumptions, "deadweight"), Origin::Scenario("scenario.toml".into()));

    // An appraisal given keeps its pathways over the scenario's [compare]; pathways given to
    // the run are its appraisal's.
    let swapped = journeycost::scenario::appraisal_section(keys, ("new".into(), "old".into()), "appraise()").unwrap();
    let run = Run::builder().scenario(&path).appraisal(swapped.clone()).build().unwrap();
    let s = run.appraisal_spec();
    assert_eq!((s.baseline.as_str(), s.alternative.as_str()), ("new", "old"));
    let run = Run::builder().scenario(&path).appraisal(swapped).baseline("old").alternative("new").build().unwrap();
    let s = run.appraisal_spec();
    assert_eq!((s.baseline.as_str(), s.alternative.as_str()), ("old", "new"));

    // Problems are named by key, with no line (the text is made from the arguments).
    let mut bad = keys.clone();
    bad.insert("deadweight".into(), toml::Value::Float(1.5));
    bad.insert("schedul".into(), toml::Value::String("none".into()));
    let e = journeycost::scenario::appraisal_section(&bad, ("old".into(), "new".into()), "appraise()").unwrap_err();
    assert_eq!(
        message(&e),
        "appraise(), field \"appraisal.schedul\": unknown field `schedul`, expected one of `years`, `base_year`, `schedule`, `adjustments`, `intervention_agencies`, `intervention_codes`, `deadweight`, `attribution`, `displacement`, `leakage`, `drop_off`, `optimism_bias`, `costs`"
    );
    bad.remove("schedul");
    let e = journeycost::scenario::appraisal_section(&bad, ("old".into(), "new".into()), "appraise()").unwrap_err();
    assert!(
        message(&e).starts_with("appraise(), field \"appraisal.deadweight.value\": expected a share"),
        "{}",
        message(&e)
    );

    let national = example("national");
    let doc: toml::Table = toml::from_str(&std::fs::read_to_string(&national).unwrap()).unwrap();
    let plan = journeycost::scenario::extrapolation_section(doc["extrapolation"].as_table().unwrap(), "extrapolate()")
        .unwrap();
    let by_keys = Run::builder().scenario(&national).extrapolation(plan).draws(40).build().unwrap();
    let by_file = Run::builder().scenario(&national).draws(40).build().unwrap();
    let without_log = |x: journeycost::extrapolate::Extrapolation| journeycost::extrapolate::Extrapolation {
        assumptions: Vec::new(),
        ..x
    };
    assert_eq!(
        without_log(by_keys.extrapolate(None).unwrap().result),
        without_log(by_file.extrapolate(None).unwrap().result)
    );
}

/// Every table every command writes, for every example (grouped and in the public-value case
/// too), has a declared Arrow schema for each of its columns, and reads as it.
#[cfg(feature = "arrow")]
#[test]
fn every_table_written_has_a_declared_schema() {
    use journeycost::arrow::table_from_csv;
    let check = |command: &str, files: &journeycost::io::OutputSet| {
        for (name, bytes) in files.files() {
            if let Some(file) = name.strip_suffix(".csv") {
                let table = format!("{command}/{file}");
                if let Err(e) = table_from_csv(&table, bytes) {
                    panic!("{table}: {e}");
                }
            }
        }
    };
    for name in ["anna", "seven-cases", "family-visits", "rent-arrears", "national"] {
        let run = Run::builder().scenario(example(name)).draws(20).build().unwrap();
        check("cost", &run.cost().unwrap());
        check("compare", &run.compare().unwrap().files());
        check("appraise", &run.appraise().unwrap().files());
        if run.extrapolation_plan().is_some() {
            check("extrapolate", &run.extrapolate(None).unwrap().files());
        }
    }
    let grouped = Run::builder()
        .scenario(example("seven-cases"))
        .by("situation")
        .values(journeycost::catalogue::ValueType::case("public").unwrap())
        .build()
        .unwrap();
    check("compare", &grouped.compare().unwrap().files());
    let catalogue = journeycost::output::catalogue_csv(journeycost::builtin::catalogue().entries());
    table_from_csv("catalogue", &catalogue).unwrap();
}
