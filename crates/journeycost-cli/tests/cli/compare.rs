use crate::util::{assert_same_files, root, run_in, run_on, stderr};

const FILES: &[&str] = &["series.csv", "agencies.csv", "demand.csv", "tiers.csv", "trend.csv", "persons.csv", "comparison.json"];

#[test]
fn anna_scenario_matches_golden_files() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("examples/anna/scenario.toml");
    let o = run_in(dir.path(), &["compare", scenario.to_str().unwrap(), "--out", "res"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert!(stdout.contains("break-even:"), "{stdout}");
    assert_same_files(&dir.path().join("res"), &root().join("tests/data/golden/anna-compare"), FILES);
}

#[test]
fn flags_override_the_scenario_and_group_by_persons() {
    let dir = tempfile::tempdir().unwrap();
    let anna = root().join("examples/anna");
    let s = anna.join("scenario.toml");
    let o = run_in(dir.path(), &["compare", s.to_str().unwrap(), "--period", "fy", "--by", "household", "--out", "res"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let series = std::fs::read_to_string(dir.path().join("res/series.csv")).unwrap();
    assert!(series.starts_with("household,pathway,period,events,cost,cumulative_cost\n"), "{series}");
    assert!(series.contains(",old,2019/20,"), "{series}");
}

#[test]
fn cohort_compare_conserves_money() {
    // Agency savings sum to the total, and the series' last cumulative values are the totals.
    let data = root().join("tests/data/oracle/sample");
    let dir = tempfile::tempdir().unwrap();
    let o = run_on(dir.path(), "compare", &data, &["--period", "quarter", "--out", "res"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.path().join("res/comparison.json")).unwrap()).unwrap();
    assert_eq!(json["schema"], "journeycost/comparison/1");
    assert_eq!(json["inputs"][2]["file"], "events.csv");
    assert_eq!(json["inputs"][2]["sha256"].as_str().unwrap().len(), 64);
    let c = &json["groups"][0]["comparison"];
    let dec = |v: &serde_json::Value| v.as_str().unwrap().parse::<journeycost::Decimal>().unwrap();
    let total_base = dec(&c["total"]["baseline_cost"]);
    let summed: journeycost::Decimal = c["agencies"].as_array().unwrap().iter().map(|a| dec(&a["baseline_cost"])).sum();
    // Each agency is printed rounded: the sum is within half a penny per agency of the total.
    let agencies = c["agencies"].as_array().unwrap().len();
    assert!((summed - total_base).abs() <= journeycost::Decimal::new(5, 3) * journeycost::Decimal::from(agencies));
    let last_old = c["series"].as_array().unwrap().iter().rfind(|p| p["pathway"] == "old").unwrap();
    assert_eq!(dec(&last_old["cumulative_cost"]), total_base);
}

#[test]
fn one_person_and_unknown_person() {
    let dir = tempfile::tempdir().unwrap();
    let s = root().join("examples/anna/scenario.toml");
    let o = run_in(dir.path(), &["compare", s.to_str().unwrap(), "--person", "ANNA", "--out", "res"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run_in(dir.path(), &["compare", s.to_str().unwrap(), "--person", "NOBODY", "--out", "res2"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("person \"NOBODY\" has no events"), "{}", stderr(&o));
    assert!(!dir.path().join("res2").exists());
}

#[test]
fn validate_says_ok_on_good_input() {
    let s = root().join("examples/anna/scenario.toml");
    let o = run_in(&root(), &["validate", s.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("ok: "));
}

#[test]
fn the_public_value_case_says_what_it_sums() {
    let dir = crate::util::fixture(&[
        (
            "catalogue.csv",
            b"code,agency,unit_cost,price_year,economic_value,economic_price_year,social_value,social_price_year\n\
              CRIME,Police,100.00,2024,50.00,2024,250.00,2024\nVISIT,Team,40.00,2024,,,,\n",
        ),
        ("deflators.csv", b"year,index\n2024,100\n"),
        ("events.csv", b"person_id,pathway,date,code\nP1,old,2024-01-05,CRIME\nP1,new,2024-01-05,VISIT\n"),
    ]);
    let flags = ["--catalogue", "catalogue.csv", "--deflators", "deflators.csv", "--events", "events.csv"];
    let mut args = vec!["compare"];
    args.extend(flags);
    args.extend(["--values", "public", "--out", "public"]);
    let o = run_in(dir.path(), &args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("values: fiscal+economic+social (public-value case)"));
    let agencies = std::fs::read_to_string(dir.path().join("public/agencies.csv")).unwrap();
    assert_eq!(
        agencies,
        "agency,baseline_cost,alternative_cost,saving,value_types\n\
         Police,400.00,0.00,400.00,fiscal+economic+social\n\
         Team,0.00,40.00,-40.00,fiscal+economic+social\n\
         TOTAL,400.00,40.00,360.00,fiscal+economic+social\n"
    );
    let series = std::fs::read_to_string(dir.path().join("public/series.csv")).unwrap();
    assert!(series.contains("old,2024-01,1,400.00,400.00,fiscal+economic+social"), "{series}");
    let mut args = vec!["compare"];
    args.extend(flags);
    args.extend(["--out", "fiscal"]);
    assert!(run_in(dir.path(), &args).status.success());
    let agencies = std::fs::read_to_string(dir.path().join("fiscal/agencies.csv")).unwrap();
    assert!(agencies.starts_with("agency,baseline_cost,alternative_cost,saving\nPolice,100.00,"), "{agencies}");
}

#[test]
fn the_builtin_price_index_is_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let anna = root().join("examples/anna");
    let arg = |f: &str| anna.join(f).to_string_lossy().into_owned();
    let o = run_in(dir.path(), &["compare", "--catalogue", &arg("catalogue.csv"), "--events", &arg("events.csv"), "--out", "res"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // the latest year of the built-in index is calendar 2024; Anna's costs are in financial years
    assert!(String::from_utf8_lossy(&o.stdout).contains("prices: 2024;"), "{}", String::from_utf8_lossy(&o.stdout));
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.path().join("res/comparison.json")).unwrap()).unwrap();
    assert_eq!(json["inputs"][1]["file"], "builtin:hmt-gdp-deflator-calendar-2024-100");
    let o = run_in(
        dir.path(),
        &["compare", "--catalogue", &arg("catalogue.csv"), "--events", &arg("events.csv"), "--price-year", "2025", "--out", "x"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("the target price year 2025 is not in the price index (it has 1990 to 2024 and 1990/91 to 2023/24)"),
        "{}",
        stderr(&o)
    );
}
