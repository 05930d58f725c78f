use crate::util::{assert_same_files, fixture, root, run_in, stderr};

const FILES: &[&str] =
    &["appraisal.json", "years.csv", "agency_years.csv", "who_pays.csv", "who_pays_detail.csv", "switching.csv", "assumptions.csv"];

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
    for (t, f) in
        [(0, "1.000000"), (1, "0.966184"), (10, "0.708919"), (30, "0.356278"), (31, "0.345901"), (75, "0.094214"), (100, "0.050818")]
    {
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
