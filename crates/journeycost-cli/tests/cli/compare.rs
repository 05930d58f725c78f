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
