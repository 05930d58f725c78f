use crate::util::{fixture, run_in, stderr};

const CATALOGUE: &[u8] =
    b"code,agency,unit_cost,price_year,unit\nCALL,Police,10.00,2023,event\nCARE,Children,700.00,2023/24,week\n";
const DEFLATORS: &[u8] = b"year,index\n2023,100\n2024,105\n2023/24,101\n";

/// Runs `cost` and `validate` on the fixture; both must fail with exactly `expected` on stderr
/// (one problem per line), and `cost` must leave no output directory.
fn fails(files: &[(&str, &[u8])], expected: &[&str]) {
    let mut all: Vec<(&str, &[u8])> = vec![("catalogue.csv", CATALOGUE), ("deflators.csv", DEFLATORS)];
    for f in files {
        all.retain(|(n, _)| *n != f.0);
        all.push(*f);
    }
    let dir = fixture(&all);
    let args = [
        "--catalogue",
        "catalogue.csv",
        "--deflators",
        "deflators.csv",
        "--events",
        "events.csv",
        "--price-year",
        "2024",
    ];
    let mut cost = vec!["cost"];
    cost.extend(args);
    cost.extend(["--out", "out"]);
    let o = run_in(dir.path(), &cost);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let lines: Vec<String> = stderr(&o).lines().map(str::to_owned).collect();
    let want: Vec<String> = expected.iter().map(|e| format!("error: {e}")).collect();
    assert_eq!(lines, want);
    assert!(!dir.path().join("out").exists(), "output left behind");
    let mut validate = vec!["validate"];
    validate.extend(args);
    let o = run_in(dir.path(), &validate);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o).lines().count(), expected.len());
}

const HEAD: &str = "person_id,pathway,date,code,quantity,end_date,probability\n";

fn events(rows: &str) -> Vec<u8> {
    format!("{HEAD}{rows}").into_bytes()
}

#[test]
fn every_row_error_of_the_events_file_at_once() {
    let ev = events(
        "P1,old,2024-01-01,NOPE,1,,\n\
         P1,old,31/01/2024,CALL,1,,\n\
         P1,old,2024-01-01,CALL,1.2.3,,\n\
         P1,old,2024-02-01,CARE,1,2024-01-01,\n\
         P1,old,2024-01-01,CALL,1,2024-01-05,\n\
         P1,old,2024-01-01,CALL,-2,,\n\
         P1,old,2024-01-01,CALL,1,,1.5\n",
    );
    fails(
        &[("events.csv", &ev)],
        &[
            "events.csv line 2, field \"code\": code \"NOPE\" is not in the catalogue",
            "events.csv line 3, field \"date\": expected a date YYYY-MM-DD, found \"31/01/2024\"",
            "events.csv line 4, field \"quantity\": expected a decimal number such as 1234.56, found \"1.2.3\"",
            "events.csv line 5, field \"end_date\": end date 2024-01-01 is before the start date 2024-02-01",
            "events.csv line 6, field \"end_date\": code \"CALL\" is priced per event, not per day, week or year, so it cannot be a spell",
            "events.csv line 7, field \"quantity\": expected a quantity of 0 or more, found -2",
            "events.csv line 8, field \"probability\": expected a probability from 0 to 1, found 1.5",
        ],
    );
}

#[test]
fn missing_column_and_empty_file() {
    fails(
        &[("events.csv", b"person_id,date,code\nP1,2024-01-01,CALL\n")],
        &["events.csv line 1: missing required column \"pathway\" (the header has: person_id, date, code)"],
    );
    fails(&[("events.csv", b"")], &["events.csv: the file is empty: expected a header row"]);
    fails(&[("events.csv", HEAD.as_bytes())], &["events.csv: the file has a header but no events"]);
}

#[test]
fn duplicate_code_and_bad_catalogue_and_deflators_together() {
    fails(
        &[
            (
                "catalogue.csv",
                b"code,agency,unit_cost,price_year\nCALL,Police,10.00,2023\nCALL,Police,11.00,2023\nX,Police,1,23\n",
            ),
            ("deflators.csv", b"year,index\n2023,100\n2024,0\n"),
            ("events.csv", &events("P1,old,2024-01-01,CALL,1,,\n")),
        ],
        &[
            "catalogue.csv line 3, field \"code\": code \"CALL\" appears more than once (first on line 2)",
            "catalogue.csv line 4, field \"price_year\": expected a calendar year such as 2019 or a financial year such as 2019/20, found \"23\"",
            "deflators.csv line 3, field \"index\": expected an index greater than zero, found 0",
        ],
    );
}

#[test]
fn price_years_missing_from_the_deflators() {
    fails(
        &[("deflators.csv", b"year,index\n2024,105\n"), ("events.csv", &events("P1,old,2024-01-01,CALL,1,,\n"))],
        &[
            "catalogue.csv line 2, field \"price_year\": price year 2023 is not in deflators.csv (it has 2024); 1 unit cost is priced in it: code \"CALL\"",
        ],
    );
    let dir = fixture(&[
        ("catalogue.csv", CATALOGUE),
        ("deflators.csv", DEFLATORS),
        ("events.csv", &events("P1,old,2024-01-01,CALL,1,,\n")),
    ]);
    let o = run_in(
        dir.path(),
        &[
            "cost",
            "--catalogue",
            "catalogue.csv",
            "--deflators",
            "deflators.csv",
            "--events",
            "events.csv",
            "--price-year",
            "2030",
            "--out",
            "out",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o).trim_end(),
        "error: deflators.csv: the target price year 2030 is not in the price index (it has 2023 to 2024 and 2023/24)"
    );
}

#[test]
fn non_utf8_bytes() {
    let mut ev = events("P1,old,2024-01-01,CALL,1,,\n");
    ev.extend(b"P\xff1,old,2024-01-01,CALL,1,,\n");
    fails(
        &[("events.csv", &ev)],
        &["events.csv line 3, field \"person_id\": expected UTF-8 text, found bytes that are not UTF-8"],
    );
}

#[test]
fn a_missing_file_is_named() {
    let dir = fixture(&[("catalogue.csv", CATALOGUE), ("deflators.csv", DEFLATORS)]);
    let o = run_in(
        dir.path(),
        &["validate", "--catalogue", "catalogue.csv", "--deflators", "deflators.csv", "--events", "nope.csv"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).starts_with("error: nope.csv: cannot open the file:"), "{}", stderr(&o));
}

#[test]
fn row_errors_are_capped() {
    let rows: String = (0..250).map(|_| "P1,old,bad-date,CALL,1,,\n").collect();
    let dir = fixture(&[("catalogue.csv", CATALOGUE), ("deflators.csv", DEFLATORS), ("events.csv", &events(&rows))]);
    let o = run_in(
        dir.path(),
        &["validate", "--catalogue", "catalogue.csv", "--deflators", "deflators.csv", "--events", "events.csv"],
    );
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 101);
    assert_eq!(err.lines().last().unwrap(), "error: and 150 more problems not listed");
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(dir.path(), &["cost", "--out", "x"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("missing --events"), "{}", stderr(&o));
    let o = run_in(dir.path(), &["compare", "--period", "fortnight", "--out", "x"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn validate_checks_a_scenarios_pathways_as_compare_would() {
    let dir = fixture(&[
        ("catalogue.csv", CATALOGUE),
        ("deflators.csv", DEFLATORS),
        ("events.csv", &events("P1,old,2024-01-10,CALL,1,,\nP1,new,2024-01-11,CALL,1,,\n")),
        ("same.toml", b"[inputs]\ncatalogue = [\"catalogue.csv\"]\ndeflators = \"deflators.csv\"\nevents = \"events.csv\"\n[compare]\nbaseline = \"new\"\nalternative = \"new\"\n"),
        ("nope.toml", b"[inputs]\ncatalogue = [\"catalogue.csv\"]\ndeflators = \"deflators.csv\"\nevents = \"events.csv\"\n[compare]\nalternative = \"nope\"\n"),
        ("good.toml", b"[inputs]\ncatalogue = [\"catalogue.csv\"]\ndeflators = \"deflators.csv\"\nevents = \"events.csv\"\n"),
    ]);
    let o = run_in(dir.path(), &["validate", "same.toml"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("a comparison needs two different pathways"), "{}", stderr(&o));
    let o = run_in(dir.path(), &["validate", "nope.toml"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no event is on pathway \"nope\""), "{}", stderr(&o));
    let o = run_in(dir.path(), &["validate", "good.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
}
