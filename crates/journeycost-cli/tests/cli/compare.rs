use crate::util::{assert_same_files, root, run_in, run_on, stderr};

const FILES: &[&str] = &[
    "series.csv",
    "agencies.csv",
    "demand.csv",
    "failure.csv",
    "tiers.csv",
    "trend.csv",
    "persons.csv",
    "comparison.json",
];

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
    let o =
        run_in(dir.path(), &["compare", s.to_str().unwrap(), "--period", "fy", "--by", "household", "--out", "res"]);
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
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("res/comparison.json")).unwrap()).unwrap();
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
    // `cost` counts the values asked for too (it used to write the fiscal tables whatever
    // --values said), and says so.
    for (values, police) in [("public", "Police,400.00,0.00,400.00"), ("fiscal", "Police,100.00,0.00,100.00")] {
        let mut args = vec!["cost"];
        args.extend(flags);
        let out = format!("cost-{values}");
        args.extend(["--values", values, "--out", &out]);
        let o = run_in(dir.path(), &args);
        assert!(o.status.success(), "{}", stderr(&o));
        let summary = std::fs::read_to_string(dir.path().join(&out).join("summary.csv")).unwrap();
        assert!(summary.contains(police), "{values}: {summary}");
        assert!(stderr(&o).contains(if values == "public" { "fiscal+economic+social" } else { "fiscal" }));
    }
}

#[test]
fn the_builtin_price_index_is_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let anna = root().join("examples/anna");
    let arg = |f: &str| anna.join(f).to_string_lossy().into_owned();
    let (catalogue, events) = (arg("catalogue.csv"), arg("events.csv"));
    let run = |more: &[&str]| {
        let mut args = vec!["compare", "--catalogue", &catalogue, "--events", &events];
        args.extend(more);
        run_in(dir.path(), &args)
    };
    let o = run(&["--out", "res"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // #13: the built-in index runs to the latest release; the default price base is its latest
    // outturn year, 2024/25 (2025/26 on are OBR forecasts)
    assert!(String::from_utf8_lossy(&o.stdout).contains("prices: 2024/25;"), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(!stderr(&o).contains("forecast"), "{}", stderr(&o));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("res/comparison.json")).unwrap()).unwrap();
    assert_eq!(json["inputs"][1]["file"], "builtin:hmt-2026-03");
    assert!(json["inputs"][1].get("note").is_none());
    // A forecast year as the price base: said on stderr and in the outputs.
    let o = run(&["--price-year", "2026/27", "--out", "fc"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("note: uses forecast years of the price index (2026/27)"), "{}", stderr(&o));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("fc/comparison.json")).unwrap()).unwrap();
    assert!(json["inputs"][1]["note"].as_str().unwrap().contains("forecast"), "{json}");
    // The index built in before #13 stays reproducible by name.
    let o = run(&["--deflators", "builtin:hmt-2025-12-derived", "--out", "old"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("prices: 2024;"), "{}", String::from_utf8_lossy(&o.stdout));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("old/comparison.json")).unwrap()).unwrap();
    assert_eq!(json["inputs"][1]["file"], "builtin:hmt-2025-12-derived");
    let o = run(&["--price-year", "2031/32", "--out", "x"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("the target price year 2031/32 is not in the price index (it has 2000/01 to 2030/31)"),
        "{}",
        stderr(&o)
    );
}
