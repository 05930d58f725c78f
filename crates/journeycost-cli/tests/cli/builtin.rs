use crate::util::{fixture, root, run_in, stderr};

const EVENTS: &[u8] = b"person_id,pathway,date,code,end_date\n\
    P1,old,2023-05-01,CR1.0,\n\
    P1,old,2023-06-01,SS2.0,2023-07-31\n\
    P1,new,2023-05-02,SS18.10,\n";

#[test]
fn events_alone_are_enough_with_real_uk_unit_costs() {
    let dir = fixture(&[("events.csv", EVENTS)]);
    let o = run_in(dir.path(), &["compare", "--events", "events.csv", "--out", "res"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("res/comparison.json")).unwrap()).unwrap();
    assert_eq!(json["inputs"][0]["file"], "builtin:ucd-v1.4");
    assert_eq!(json["inputs"][1]["file"], "builtin:hmt-2026-03");
    assert_eq!(json["groups"][0]["comparison"]["price_base"], "2024/25");
    // the overlay gives the database's lines a tier and a demand kind
    let tiers = std::fs::read_to_string(dir.path().join("res/tiers.csv")).unwrap();
    assert!(tiers.contains("old,unassigned,0,0.00"), "{tiers}");
}

#[test]
fn a_users_catalogue_extends_and_overrides_the_builtin_one() {
    let dir = fixture(&[
        ("events.csv", b"person_id,pathway,date,code\nP1,old,2024-03-01,CR1.0\nP1,new,2024-03-01,TEAM-VISIT\n"),
        (
            "mine.csv",
            b"code,agency,unit_cost,price_year\nCR1.0,Police,1000,2024/25\nTEAM-VISIT,Locality team,50,2024/25\n",
        ),
    ]);
    let o = run_in(
        dir.path(),
        &["compare", "--catalogue", "builtin", "--catalogue", "mine.csv", "--events", "events.csv", "--out", "res"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let agencies = std::fs::read_to_string(dir.path().join("res/agencies.csv")).unwrap();
    assert!(agencies.contains("Police,1000.00,0.00,1000.00"), "{agencies}");
    assert!(agencies.contains("Locality team,0.00,50.00,-50.00"), "{agencies}");
    // without `builtin`, only the user's catalogue
    let o = run_in(dir.path(), &["validate", "--catalogue", "mine.csv", "--events", "events.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("ok: 2 unit costs"));
}

#[test]
fn the_builtin_catalogue_can_be_listed_by_theme_and_shown() {
    let o = run_in(&root(), &["catalogue", "list", "--theme", "housing"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.lines().count() > 20 && out.lines().all(|l| l.starts_with("HO")), "{out}");
    let o = run_in(&root(), &["catalogue", "show", "SS2.0"]);
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("agency        Local Authority"), "{out}");
    assert!(out.contains("tier          "), "{out}");
}

#[test]
fn importing_the_2014_export_writes_a_catalogue_that_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let csv = root().join("tests/data/ucd/csv-2014/HOUSING.csv");
    let o = run_in(dir.path(), &["catalogue", "import", csv.to_str().unwrap(), "--out", "housing.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // #13: the attribution names the edition read, not v1.4.
    assert!(
        stderr(&o)
            .contains("Unit Cost Database, 2014 CSV export (values uprated to 2013/14), New Economy / GMCA, CC BY 4.0"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("v1.4"), "{}", stderr(&o));
    let o = run_in(dir.path(), &["catalogue", "list", "--catalogue", "housing.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).lines().count() > 20);
    // Repeated codes are kept under numbered codes, and the import says which.
    let crime = root().join("tests/data/ucd/csv-2014/CRIME.csv");
    let o = run_in(dir.path(), &["catalogue", "import", crime.to_str().unwrap(), "--out", "crime.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "line 151, field \"code\": the code \"CR7.0.3\" is used by 3 lines; this one (Homicide - Prisons) is written as \"CR7.0.3#2\""
        ),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o)
            .contains("(57 under a numbered code, 0 at £0 fiscal with only economic or social values, 0 left out)"),
        "{}",
        stderr(&o)
    );
}

/// #13 (found by fuzzing): a file with no line of the value asked for is refused, not written
/// as a catalogue of no unit costs that no command would read.
#[test]
fn importing_no_line_of_a_value_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let whole = std::fs::read_to_string(root().join("tests/data/ucd/csv-2014/HOUSING.csv")).unwrap();
    let head = whole.lines().take(6).collect::<Vec<_>>().join("\n") + "\n";
    std::fs::write(dir.path().join("head.csv"), head).unwrap();
    let o = run_in(dir.path(), &["catalogue", "import", "head.csv", "--value", "social", "--out", "social.csv"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("no cost line has a social value: nothing to write to social.csv"), "{}", stderr(&o));
    assert!(!dir.path().join("social.csv").exists());
    let o = run_in(dir.path(), &["catalogue", "import", "head.csv", "--out", "fiscal.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn the_workbook_and_percentage_changes_serve_as_price_indices() {
    let dir = fixture(&[
        ("events.csv", b"person_id,pathway,date,code\nP1,old,2015-06-01,CR1.0\nP1,new,2015-06-01,CR1.1\n"),
        ("changes.csv", b"year,change_percent\n2002/03,\n2003/04,2.5\n2004/05,1.5\n"),
        ("gaps.csv", b"year,change_percent\n2002/03,\n2003/04,2.5\n2004/05,\n"),
    ]);
    let workbook = root().join("tests/data/ucd/gmca-unit-cost-database-v1.4.xlsx");
    let o = run_in(
        dir.path(),
        &[
            "compare",
            "--events",
            "events.csv",
            "--deflators",
            workbook.to_str().unwrap(),
            "--price-year",
            "2015/16",
            "--out",
            "res",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // CR1.0 is £500 in 2002/03 prices; the workbook's own updated value is £673.23 in 2015/16
    let agencies = std::fs::read_to_string(dir.path().join("res/agencies.csv")).unwrap();
    assert!(agencies.contains("TOTAL,673.23,47.13,626.10"), "{agencies}");
    let o = run_in(
        dir.path(),
        &[
            "compare",
            "--events",
            "events.csv",
            "--deflators",
            "changes.csv",
            "--price-year",
            "2004/05",
            "--out",
            "res2",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // 500 x 1.025 x 1.015 = 520.1875 -> 520.19
    let agencies = std::fs::read_to_string(dir.path().join("res2/agencies.csv")).unwrap();
    assert!(agencies.contains("TOTAL,520.19,"), "{agencies}");
    let o = run_in(dir.path(), &["validate", "--events", "events.csv", "--deflators", "gaps.csv"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("gaps.csv line 4, field \"change_percent\": 2004/05 needs its percentage change"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn who_pays_at_the_second_agency_level_and_the_workbook_as_a_catalogue() {
    let dir = fixture(&[("events.csv", EVENTS)]);
    let workbook = root().join("tests/data/ucd/gmca-unit-cost-database-v1.4.xlsx");
    let o = run_in(
        dir.path(),
        &[
            "compare",
            "--catalogue",
            workbook.to_str().unwrap(),
            "--events",
            "events.csv",
            "--agency-level",
            "2",
            "--out",
            "res",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let agencies = std::fs::read_to_string(dir.path().join("res/agencies.csv")).unwrap();
    assert!(agencies.contains("Local Authority / Social Services,"), "{agencies}");
    assert!(agencies.contains("Police / Local Authority,"), "{agencies}");
    let o = run_in(dir.path(), &["compare", "--events", "events.csv", "--agency-level", "3", "--out", "x"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_missing_price_year_is_said_once_with_the_index_span_and_the_codes_using_it() {
    use std::fmt::Write as _;
    // #13: `--price-year 2024/25` printed one error per unit cost (674 of them).
    let dir = fixture(&[("deflators.csv", b"year,index\n2019/20,90\n2020/21,95\n2021/22,100\n")]);
    let o = run_in(dir.path(), &["catalogue", "export", "--deflators", "deflators.csv", "--price-year", "2024/25"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("2024/25") && err.contains("2019/20 to 2021/22"), "{err}");

    // Many unit costs priced in years the index lacks: one problem per missing year, naming the
    // year, the index's span, how many unit costs use it and the first few codes.
    let mut catalogue = String::from("code,agency,unit_cost,price_year\n");
    let mut events = String::from("person_id,pathway,date,code\n");
    for i in 0..150 {
        let year = if i % 3 == 0 { "2015/16" } else { "2016/17" };
        writeln!(catalogue, "C{i:03},Council,10,{year}").unwrap();
        writeln!(events, "P,old,2020-01-01,C{i:03}").unwrap();
    }
    catalogue += "OK,Council,10,2020/21\n";
    std::fs::write(dir.path().join("catalogue.csv"), &catalogue).unwrap();
    std::fs::write(dir.path().join("events.csv"), &events).unwrap();
    for command in
        [&["validate"][..], &["compare", "--out", "res"], &["cost", "--out", "res"], &["appraise", "--out", "res"]]
    {
        let mut args = command.to_vec();
        args.extend(["--catalogue", "catalogue.csv", "--deflators", "deflators.csv", "--events", "events.csv"]);
        let o = run_in(dir.path(), &args);
        assert_eq!(o.status.code(), Some(1), "{command:?}");
        let err = stderr(&o);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 2, "{command:?}: {err}");
        assert!(lines[0].contains("catalogue.csv line 2") && lines[0].contains("2015/16"), "{err}");
        assert!(lines[0].contains("2019/20 to 2021/22") && lines[0].contains("50 unit costs"), "{err}");
        assert!(lines[0].contains("\"C000\", \"C003\", \"C006\"") && lines[0].contains("and 45 more"), "{err}");
        assert!(lines[1].contains("2016/17") && lines[1].contains("100 unit costs"), "{err}");
    }
    let o = run_in(
        dir.path(),
        &[
            "catalogue",
            "export",
            "--catalogue",
            "catalogue.csv",
            "--deflators",
            "deflators.csv",
            "--price-year",
            "2021/22",
        ],
    );
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 2, "{err}");
    assert!(err.contains("50 unit costs") && err.contains("100 unit costs"), "{err}");
}

#[test]
fn at_most_100_problems_are_listed_per_file() {
    use std::fmt::Write as _;
    // A catalogue that reuses 150 codes: the duplicates are listed up to the cap, then counted.
    let mut catalogue = String::from("code,agency,unit_cost,price_year\n");
    for i in 0..300 {
        writeln!(catalogue, "C{:03},Council,10,2020/21", i % 150).unwrap();
    }
    let dir = fixture(&[("catalogue.csv", catalogue.as_bytes())]);
    let o = run_in(dir.path(), &["catalogue", "list", "--catalogue", "catalogue.csv"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 101, "{err}");
    assert!(err.lines().last().unwrap().contains("and 50 more problems not listed"), "{err}");
}

#[test]
fn prices_import_reads_the_published_hm_treasury_file() {
    // The GOV.UK layout: title rows, financial and calendar blocks side by side, footnoted OBR
    // forecast rows with "-" for the index, notes below.
    let published = "GDP deflators at market prices and money GDP,,,,,,,,,\n\
                     ,,,,,,,,,\n\
                     ,Financial year,2024-25 = 100,per cent change on previous year,Money GDP,,,Calendar year,2024-25 = 100,per cent change\n\
                     ,2018-19,78.7948,,,,,2018,78.0,\n\
                     ,2019-20,80.8738,2.64,,,,2019,80.1,2.7\n\
                     ,2024-25,100.0000,4.05,,,,2024,99.0,3.99\n\
                     ,2025-26 (1),-,3.2388,,,,2025 (1),-,3.5\n\
                     ,Sources and footnotes:,,,,,,,,\n";
    let dir = fixture(&[
        ("published.csv", published.as_bytes()),
        ("events.csv", b"person_id,pathway,date,code\nP1,old,2019-06-01,CR1.0\nP1,new,2019-06-01,CR1.0\n"),
        ("catalogue.csv", b"code,agency,unit_cost,price_year\nCR1.0,Police,500,2018/19\n"),
    ]);
    let o = run_in(dir.path(), &["prices", "import", "published.csv", "--out", "deflators.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "wrote 4 financial and 4 calendar years to deflators.csv (2 of them OBR forecasts, marked forecast)"
        ),
        "{}",
        stderr(&o)
    );
    let written = std::fs::read_to_string(dir.path().join("deflators.csv")).unwrap();
    assert!(written.starts_with("year,index,forecast\n2018/19,78.7948,false\n"), "{written}");
    assert!(written.contains("2025/26,103.2388,true\n"), "{written}");
    let o = run_in(
        dir.path(),
        &[
            "compare",
            "--catalogue",
            "catalogue.csv",
            "--deflators",
            "deflators.csv",
            "--events",
            "events.csv",
            "--out",
            "res",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // The latest outturn year is the default price base: 500 x 100 / 78.7948 = 634.56
    assert!(String::from_utf8_lossy(&o.stdout).contains("prices: 2024/25;"), "{}", String::from_utf8_lossy(&o.stdout));
    let agencies = std::fs::read_to_string(dir.path().join("res/agencies.csv")).unwrap();
    assert!(agencies.contains("TOTAL,634.56,634.56,0.00"), "{agencies}");
}
