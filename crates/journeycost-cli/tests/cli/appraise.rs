use crate::util::{assert_same_files, fixture, root, run_in, stderr};

const FILES: &[&str] = &[
    "appraisal.json",
    "years.csv",
    "agency_years.csv",
    "who_pays.csv",
    "who_pays_detail.csv",
    "switching.csv",
    "assumptions.csv",
];

#[test]
fn anna_appraisal_matches_golden_files() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("examples/anna/scenario.toml");
    let o = run_in(dir.path(), &["appraise", scenario.to_str().unwrap(), "--out", "res"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert!(stdout.contains("NPV "), "{stdout}");
    assert_same_files(&dir.path().join("res"), &root().join("tests/data/golden/anna-appraisal"), FILES);
    let log = std::fs::read_to_string(dir.path().join("res/assumptions.csv")).unwrap();
    assert!(log.contains("deadweight,0.1,illustrative: some of Anna's needs"), "{log}");
}

#[test]
fn discount_prints_green_book_factors() {
    let o = run_in(&root(), &["discount", "--schedule", "green-book", "--years", "100"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "year,factor");
    for (t, f) in [
        (0, "1.000000"),
        (1, "0.966184"),
        (10, "0.708919"),
        (30, "0.356278"),
        (31, "0.345901"),
        (75, "0.094214"),
        (100, "0.050818"),
    ] {
        assert_eq!(lines[t + 1], format!("{t},{f}"));
    }
    assert_eq!(lines.len(), 102);
}

#[test]
fn npv_under_both_conventions() {
    let run = |extra: &[&str]| {
        let mut args = vec!["npv", "--schedule", "constant:0.1"];
        args.extend(extra);
        args.extend(["--", "-1000", "500", "500", "500"]);
        let o = run_in(&root(), &args);
        assert!(o.status.success(), "{}", stderr(&o));
        String::from_utf8(o.stdout).unwrap().trim_end().to_owned()
    };
    assert_eq!(run(&[]), "243.43");
    assert_eq!(run(&["--convention", "green-book"]), "243.43");
    assert_eq!(run(&["--convention", "excel"]), "221.30");
    let o = run_in(&root(), &["npv", "--schedule", "constant:2", "--", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("expected a rate from 0 to 1"), "{}", stderr(&o));
}

#[test]
fn a_bad_appraisal_section_names_the_scenario_line() {
    let dir = fixture(&[(
        "s.toml",
        b"[inputs]\ncatalogue = \"c.csv\"\ndeflators = \"d.csv\"\nevents = \"e.csv\"\n[appraisal]\nschedule = \"stpr\"\n[appraisal.deadweight]\nvalue = \"20%\"\n",
    )]);
    let o = run_in(dir.path(), &["appraise", "s.toml", "--out", "res"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.starts_with("error: s.toml line 8"), "{err}");
    assert!(!dir.path().join("res").exists());
    let dir = fixture(&[(
        "s.toml",
        b"[inputs]\ncatalogue = \"c.csv\"\ndeflators = \"d.csv\"\nevents = \"e.csv\"\n[appraisal]\nschedule = \"stpr\"\n",
    )]);
    let o = run_in(dir.path(), &["appraise", "s.toml", "--out", "res"]);
    assert_eq!(
        stderr(&o).trim_end(),
        "error: s.toml line 6, field \"appraisal.schedule\": expected green-book, health, none or constant:RATE (e.g. constant:0.035), found \"stpr\""
    );
}

/// The assumptions log as (name, value, origin) triples.
fn log_of(path: &std::path::Path) -> Vec<(String, String, String)> {
    let mut r = csv::Reader::from_path(path).unwrap();
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        ["name", "value", "source", "confidence", "set_by", "origin"]
    );
    r.records().map(|x| x.unwrap()).map(|x| (x[0].to_owned(), x[1].to_owned(), x[5].to_owned())).collect()
}

fn row<'a>(log: &'a [(String, String, String)], name: &str) -> (&'a str, &'a str) {
    let r = log.iter().find(|r| r.0 == name).unwrap_or_else(|| panic!("no {name} in {log:?}"));
    (r.1.as_str(), r.2.as_str())
}

#[test]
fn every_assumption_says_what_was_used_and_where_it_came_from() {
    // #13: `--seed 7` was logged as the scenario's seed; values given on the command line or in
    // the scenario were labelled "journeycost default".
    let dir = tempfile::tempdir().unwrap();
    let national = root().join("examples/national/scenario.toml");
    let o =
        run_in(dir.path(), &["extrapolate", national.to_str().unwrap(), "--seed", "7", "--draws", "500", "--out", "x"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let log = log_of(&dir.path().join("x/assumptions.csv"));
    assert_eq!(row(&log, "seed"), ("7", "command line --seed"));
    assert_eq!(row(&log, "draws"), ("500", "command line --draws"));
    assert_eq!(row(&log, "schedule"), ("green-book", "scenario file scenario.toml"));
    assert_eq!(row(&log, "adjustments"), ("multiplicative", "scenario file scenario.toml"));
    let seg = "three of homelessness, substance misuse and offending";
    assert_eq!(row(&log, &format!("{seg}: horizon")), ("5 years", "scenario file scenario.toml"));
    assert_eq!(row(&log, &format!("{seg}: displacement")), ("fixed 0", "journeycost default"));
    assert_eq!(row(&log, &format!("{seg}: count")).1, "scenario file scenario.toml");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("x/extrapolation.json")).unwrap()).unwrap();
    let seed = json["extrapolation"]["assumptions"].as_array().unwrap().iter().find(|a| a["name"] == "seed").unwrap();
    assert_eq!((seed["value"].as_str(), seed["origin"].as_str()), (Some("7"), Some("command line --seed")));
    // Without the flags, the scenario's.
    let o = run_in(dir.path(), &["extrapolate", national.to_str().unwrap(), "--draws", "200", "--out", "y"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let log = log_of(&dir.path().join("y/assumptions.csv"));
    assert_eq!(row(&log, "seed"), ("20261126", "scenario file scenario.toml"));

    // The appraisal: the price base from the flag, the scenario, or the default.
    let anna = root().join("examples/anna/scenario.toml");
    let o = run_in(
        dir.path(),
        &["appraise", anna.to_str().unwrap(), "--price-year", "2022/23", "--values", "public", "--out", "a"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let log = log_of(&dir.path().join("a/assumptions.csv"));
    assert_eq!(row(&log, "price_base"), ("2022/23", "command line --price-year"));
    assert_eq!(row(&log, "value_types"), ("fiscal+economic+social", "command line --values"));
    assert_eq!(row(&log, "years"), ("fy", "scenario file scenario.toml"));
    assert_eq!(row(&log, "base_year").1, "journeycost default");
    assert_eq!(log.iter().filter(|r| r.0 == "price_base").count(), 1);
    let o = run_in(dir.path(), &["appraise", anna.to_str().unwrap(), "--out", "b"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let log = log_of(&dir.path().join("b/assumptions.csv"));
    assert_eq!(row(&log, "price_base"), ("2023/24", "scenario file scenario.toml"));
    assert_eq!(row(&log, "value_types"), ("fiscal", "journeycost default"));
    // Only the optimism-bias grades a scenario gives are the scenario's.
    let d = fixture(&[
        ("s.toml", b"[inputs]\ncatalogue = \"c.csv\"\nevents = \"e.csv\"\n[appraisal]\n[appraisal.optimism_bias]\namber = 0.3\n"),
        ("c.csv", b"code,agency,unit_cost,price_year\nA,Council,10,2020/21\n"),
        ("e.csv", b"person_id,pathway,date,code\nP,old,2020-01-01,A\nP,new,2020-01-01,A\n"),
    ]);
    let o = run_in(d.path(), &["appraise", "s.toml", "--out", "r"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let log = log_of(&d.path().join("r/assumptions.csv"));
    assert_eq!(row(&log, "optimism_bias.amber"), ("0.3", "scenario file s.toml"));
    assert_eq!(row(&log, "optimism_bias.red"), ("0.25", "journeycost default"));
    assert_eq!(row(&log, "price_base").1, "journeycost default");
}
