use crate::util::{root, run_in, stderr};

/// A bundled example's scenario, written into `dir` (as `NAME.toml`) with its inputs named by
/// absolute path and `edit` applied to it.
fn example_scenario(dir: &std::path::Path, name: &str, edit: impl Fn(String) -> String) -> String {
    let example = root().join("examples").join(name);
    let mut text = std::fs::read_to_string(example.join("scenario.toml")).unwrap();
    for line in text.clone().lines() {
        let Some((key, value)) = line.split_once(" = \"") else { continue };
        if ["catalogue", "deflators", "events", "persons"].contains(&key) {
            let file = value.trim_end_matches('"');
            text = text.replace(line, &format!("{key} = {:?}", example.join(file).to_str().unwrap()));
        }
    }
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, edit(text)).unwrap();
    path.to_str().unwrap().to_owned()
}

/// A pathway compared with itself would report a saving of its whole cost: every command that
/// compares refuses it, by flag or by scenario, before writing anything.
#[test]
fn a_pathway_is_not_compared_with_itself() {
    let dir = tempfile::tempdir().unwrap();
    let anna = root().join("examples/anna/scenario.toml");
    let old_old = |t: String| t.replace("alternative = \"new\"", "alternative = \"old\"");
    let same = example_scenario(dir.path(), "anna", old_old);
    let national = example_scenario(dir.path(), "national", old_old);
    let want = "error: options, field \"alternative\": the baseline and the alternative are both pathway \"old\": a comparison needs two different pathways\n";
    let runs: [&[&str]; 6] = [
        &["compare", anna.to_str().unwrap(), "--baseline", "old", "--alternative", "old"],
        &["report", anna.to_str().unwrap(), "--baseline", "old", "--alternative", "old"],
        &["compare", &same],
        &["appraise", &same],
        &["report", &same],
        &["extrapolate", &national],
    ];
    for args in runs {
        let mut args = args.to_vec();
        args.extend(["--out", "res"]);
        let o = run_in(dir.path(), &args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        assert_eq!(stderr(&o), want, "{args:?}");
        assert!(!dir.path().join("res").exists(), "{args:?}");
    }
}

/// Messages quote input: its control characters are escaped (a terminal never sees an escape
/// sequence, a carriage return or a NUL from a file) and a long value is cut, so a header of
/// 10 MB gives a few lines of errors, not megabytes.
#[test]
fn messages_escape_control_characters_and_cut_long_values() {
    let dir = tempfile::tempdir().unwrap();
    let anna = root().join("examples/anna");
    let long = "x".repeat(10_000_000);
    let headers: [(&str, Vec<u8>); 2] = [
        ("control", b"person_id,\"path\x1b[31mway\",\"da\rte\",co\0de\nA,old,2024-01-01,X\n".to_vec()),
        ("long", format!("person_id,pathway,date,{long}\nA,old,2024-01-01,X\n").into_bytes()),
    ];
    for (what, events) in headers {
        std::fs::write(dir.path().join("events.csv"), &events).unwrap();
        for command in ["cost", "validate", "compare"] {
            let mut args = vec![command];
            let cat = anna.join("catalogue.csv");
            let def = anna.join("deflators.csv");
            args.extend([
                "--catalogue",
                cat.to_str().unwrap(),
                "--deflators",
                def.to_str().unwrap(),
                "--events",
                "events.csv",
            ]);
            if command != "validate" {
                args.extend(["--out", "res"]);
            }
            let o = run_in(dir.path(), &args);
            assert_eq!(o.status.code(), Some(1), "{what} {command}: {}", stderr(&o));
            let err = stderr(&o);
            assert!(err.contains("missing required column"), "{what} {command}: {err}");
            assert!(!err.chars().any(|c| c.is_control() && c != '\n'), "{what} {command}: {err:?}");
            assert!(o.stderr.len() < 20_000, "{what} {command}: {} bytes of stderr", o.stderr.len());
        }
    }
    // The control characters are shown escaped, as Rust writes them in a string.
    std::fs::write(dir.path().join("events.csv"), b"person_id,\"path\x1b[31mway\",date\nA,old,2024-01-01\n").unwrap();
    let cat = anna.join("catalogue.csv");
    let o = run_in(dir.path(), &["validate", "--catalogue", cat.to_str().unwrap(), "--events", "events.csv"]);
    assert!(stderr(&o).contains("(the header has: person_id, path\\u{1b}[31mway, date)"), "{}", stderr(&o));
}

/// Runs `command` on a catalogue of one code `BIG` at £10^12 and the given events, with the
/// events file split across `threads` threads for `cost`.
fn run_big(dir: &std::path::Path, command: &str, events: &str, threads: &str) -> std::process::Output {
    std::fs::write(dir.join("catalogue.csv"), "code,agency,unit_cost,price_year\nBIG,Police,1000000000000,2024\n")
        .unwrap();
    std::fs::write(dir.join("deflators.csv"), "year,index\n2024,100\n").unwrap();
    std::fs::write(dir.join("events.csv"), events).unwrap();
    let _ = std::fs::remove_dir_all(dir.join("res"));
    let mut args =
        vec![command, "--catalogue", "catalogue.csv", "--deflators", "deflators.csv", "--events", "events.csv"];
    if command != "validate" {
        args.extend(["--out", "res"]);
    }
    if command == "cost" {
        args.extend(["--threads", threads]);
    }
    run_in(dir, &args)
}

/// One exactness rule for every command: what `validate` and `compare` accept, `cost` sums
/// exactly on any number of threads; what one refuses, every one refuses, naming the line.
#[test]
fn every_command_has_one_exactness_rule() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // £10^12 × 10^6 = £10^18, once on each side.
    let events = "person_id,pathway,date,code,quantity\nP1,old,2024-01-01,BIG,1000000\nP1,new,2024-01-01,BIG,1\n";
    for command in ["validate", "compare"] {
        let o = run_big(d, command, events, "1");
        assert!(o.status.success(), "{command}: {}", stderr(&o));
    }
    for threads in ["1", "2"] {
        let o = run_big(d, "cost", events, threads);
        assert!(o.status.success(), "cost on {threads} thread(s): {}", stderr(&o));
        let persons = std::fs::read_to_string(d.join("res/persons.csv")).unwrap();
        assert_eq!(
            persons,
            "person_id,old_cost,new_cost,saving\nP1,1000000000000000000.00,1000000000000.00,999999000000000000.00\n"
        );
    }
    // Sums whose lines' absolute values pass £10^24 are refused by each, naming the event
    // whose line passes it.
    let events = "person_id,pathway,date,code,quantity\n\
                  P1,old,2024-01-01,BIG,600000000000\n\
                  P1,new,2024-01-01,BIG,1\n\
                  P2,new,2024-01-01,BIG,600000000000\n\
                  P3,new,2024-01-01,BIG,1\n";
    let want = "error: events, field \"quantity\": event 3 (person \"P2\", code \"BIG\"): the costs are too large, or too precise, to be summed exactly: reduce the quantities' decimals or split the cohort\n";
    for (command, threads) in [("validate", "1"), ("compare", "1"), ("cost", "1"), ("cost", "2")] {
        let o = run_big(d, command, events, threads);
        assert_eq!(o.status.code(), Some(1), "{command}: {}", stderr(&o));
        assert_eq!(stderr(&o), want, "{command} on {threads} thread(s)");
        assert!(!d.join("res").exists());
    }
}

/// A workbook of one sheet `Lookups` whose `sheetData` is `data`, built with a zip writer.
fn workbook(data: &str) -> Vec<u8> {
    use std::io::Write as _;
    let parts: [(&str, String); 4] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#.into(),
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Lookups" sheetId="1" r:id="rId1"/></sheets></workbook>"#.into(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.into(),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{data}</sheetData></worksheet>"#),
        ),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in parts {
        zip.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A crafted workbook, wherever a workbook is read (importing the database, or as the price
/// index or a catalogue), is a clear error: no abort, and no panic text on stderr.
#[test]
fn a_crafted_workbook_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (r#"<row r="1"><c r="A99999999999"><v>1</v></c></row>"#, "outside a worksheet (A1 to XFD1048576)"),
        (
            r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>"#,
            "its used range A1:XFD1048576 spans",
        ),
    ];
    let anna = root().join("examples/anna");
    for (data, want) in cases {
        std::fs::write(dir.path().join("w.xlsx"), workbook(data)).unwrap();
        let cat = anna.join("catalogue.csv");
        let events = anna.join("events.csv");
        for args in [
            vec!["catalogue", "import", "w.xlsx", "--out", "c.csv"],
            vec![
                "validate",
                "--catalogue",
                cat.to_str().unwrap(),
                "--deflators",
                "w.xlsx",
                "--events",
                events.to_str().unwrap(),
            ],
            vec!["validate", "--catalogue", "w.xlsx", "--events", events.to_str().unwrap()],
        ] {
            let o = run_in(dir.path(), &args);
            assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
            let err = stderr(&o);
            assert!(err.contains(want), "{args:?}: {err}");
            assert!(!err.contains("panicked") && !err.contains("backtrace"), "{args:?}: {err}");
            assert!(!dir.path().join("c.csv").exists());
        }
    }
}

/// Runs `command` on a catalogue of a day rate `DAY` and an event rate `CALL` (both £1) and
/// the given events.
fn run_dated(dir: &std::path::Path, command: &str, events: &str, threads: &str) -> std::process::Output {
    std::fs::write(
        dir.join("catalogue.csv"),
        "code,agency,unit_cost,price_year,unit\nDAY,Care,1,2024,day\nCALL,Police,1,2024,event\n",
    )
    .unwrap();
    std::fs::write(dir.join("deflators.csv"), "year,index\n2024,100\n").unwrap();
    std::fs::write(dir.join("events.csv"), events).unwrap();
    let _ = std::fs::remove_dir_all(dir.join("res"));
    let mut args =
        vec![command, "--catalogue", "catalogue.csv", "--deflators", "deflators.csv", "--events", "events.csv"];
    if command != "validate" {
        args.extend(["--out", "res"]);
    }
    if command == "cost" {
        args.extend(["--threads", threads]);
    }
    run_in(dir, &args)
}

/// Dates outside 1900-01-01 to 2199-12-31 are refused by every reader, naming the line and
/// field, so that no table sized by the span of dates can grow past three centuries.
#[test]
fn dates_outside_the_supported_range_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let events = "person_id,pathway,date,code,end_date\n\
                  P1,old,0001-01-01,CALL,\n\
                  P1,new,1899-12-31,CALL,\n\
                  P2,old,2024-01-01,DAY,9999-12-31\n\
                  P2,new,2200-01-01,CALL,\n\
                  P3,old,1900-01-01,CALL,\n\
                  P3,new,2024-01-01,DAY,2199-12-31\n";
    let want = "error: events.csv line 2, field \"date\": expected a date from 1900-01-01 to 2199-12-31, found \"0001-01-01\"\n\
                error: events.csv line 3, field \"date\": expected a date from 1900-01-01 to 2199-12-31, found \"1899-12-31\"\n\
                error: events.csv line 4, field \"end_date\": expected a date from 1900-01-01 to 2199-12-31, found \"9999-12-31\"\n\
                error: events.csv line 5, field \"date\": expected a date from 1900-01-01 to 2199-12-31, found \"2200-01-01\"\n";
    for (command, threads) in [("validate", "1"), ("compare", "1"), ("cost", "1"), ("cost", "2")] {
        let o = run_dated(d, command, events, threads);
        assert_eq!(o.status.code(), Some(1), "{command}: {}", stderr(&o));
        assert_eq!(stderr(&o), want, "{command} on {threads} thread(s)");
    }
    // The first and last days are in the range.
    let o = run_dated(
        d,
        "compare",
        "person_id,pathway,date,code,end_date\nP3,old,1900-01-01,CALL,\nP3,new,2024-01-01,DAY,2199-12-31\n",
        "1",
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

/// A spell is costed month by month, so all spells together may span at most 10,000,000
/// months: a file of 3,000 spells of three centuries (10.8 million months, 140 KB) is refused,
/// naming the spell that passes the bound (before any month is made, where the whole ledger is
/// held); under the bound, every command costs it.
#[test]
fn spells_may_span_ten_million_months_in_all() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let spells = |n: usize| {
        let mut e = String::from("person_id,pathway,date,code,end_date\n");
        for i in 0..n {
            e += &["P", &i.to_string(), ",", ["old", "new"][i % 2], ",1900-01-01,DAY,2199-12-31\n"].concat();
        }
        e
    };
    let want = "error: events, field \"end_date\": event 2778 (person \"P2777\", code \"DAY\"): the spells up to this one span more than 10,000,000 months in all, the most journeycost costs (see docs/semantics.md)\n";
    for command in ["validate", "compare", "cost"] {
        let o = run_dated(d, command, &spells(3_000), "1");
        assert_eq!(o.status.code(), Some(1), "{command}: {}", stderr(&o));
        assert_eq!(stderr(&o), want, "{command}");
    }
    for command in ["validate", "compare", "cost"] {
        let o = run_dated(d, command, &spells(100), "2");
        assert!(o.status.success(), "{command}: {}", stderr(&o));
    }
}
