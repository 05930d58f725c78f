use crate::util::{assert_same_files, files_under, fixture, root, run_in, stderr};

/// The pseudonym key of the golden reports (keys have at least 16 bytes).
const GOLDEN_KEY: &str = "golden-report-key";

#[test]
fn every_example_report_regenerates_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let mut names: Vec<String> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("scenario.toml").exists())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 5, "{names:?}");
    for name in &names {
        let s = root().join("examples").join(name).join("scenario.toml");
        let out = dir.path().join(name);
        let o =
            run_in(dir.path(), &["report", s.to_str().unwrap(), "--key", GOLDEN_KEY, "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let files = files_under(&out);
        let names: Vec<&str> = files.iter().map(String::as_str).collect();
        let golden = root().join("tests/data/golden/reports").join(name);
        if std::env::var_os("JOURNEYCOST_BLESS").is_none() {
            assert_eq!(files_under(&golden), files, "{name}: the set of files differs");
        }
        assert_same_files(&out, &golden, &names);
    }
    // the same again gives the same bytes
    let again = dir.path().join("again");
    let s = root().join("examples/anna/scenario.toml");
    assert!(
        run_in(dir.path(), &["report", s.to_str().unwrap(), "--key", GOLDEN_KEY, "--out", again.to_str().unwrap()])
            .status
            .success()
    );
    for f in files_under(&again) {
        assert_eq!(
            std::fs::read(again.join(&f)).unwrap(),
            std::fs::read(dir.path().join("anna").join(&f)).unwrap(),
            "{f}"
        );
    }
    let html = std::fs::read_to_string(dir.path().join("anna/index.html")).unwrap();
    assert!(html.contains("<svg") && !html.contains("<script"), "self-contained, no script");
    assert!(html.contains("Unit Cost Database v1.4"));
    assert!(!html.contains("ANNA"), "person ids are pseudonymised");
}

/// A crafted cohort: an agency name and a note that try to inject HTML; seven persons, of
/// whom only two meet the team on the new way.
fn crafted() -> tempfile::TempDir {
    let mut events = String::from("person_id,pathway,date,code,note\n");
    for (i, p) in ["SMITH-J", "JONES-K", "PATEL-R", "BROWN-T", "LEE-S", "KHAN-A", "WOOD-M"].iter().enumerate() {
        events += &[p, ",old,2024-01-10,CALL,\"<b>called police, again</b>\"\n"].concat();
        events += &[p, ",old,2024-05-10,CALL,\n"].concat();
        if i < 2 {
            events += &[p, ",new,2024-01-12,VISIT,\n"].concat();
        }
    }
    fixture(&[
        ("c.csv", b"code,agency,unit_cost,price_year,demand,tier\nCALL,\"<script>alert(1)</script> | Police\",300,2024,failure,4\nVISIT,Team,90,2024,value,2\n"),
        ("d.csv", b"year,index\n2024,100\n"),
        ("e.csv", events.as_bytes()),
    ])
}

#[test]
fn user_text_is_escaped_and_small_counts_are_suppressed() {
    let dir = crafted();
    let o = run_in(
        dir.path(),
        &["report", "--catalogue", "c.csv", "--deflators", "d.csv", "--events", "e.csv", "--key", KEY, "--out", "r"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(dir.path().join("r/index.html")).unwrap();
    assert!(!html.contains("<script>"), "an agency name must not become a script");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
    let md = std::fs::read_to_string(dir.path().join("r/report.md")).unwrap();
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt; \\| Police"), "{md}");
    // notes and person ids are never published
    for f in ["r/index.html", "r/report.md", "r/results.json", "r/data/savings-distribution.csv"] {
        let text = std::fs::read_to_string(dir.path().join(f)).unwrap();
        assert!(!text.contains("called police"), "{f} leaks a note");
        for id in ["SMITH-J", "JONES-K", "PATEL-R"] {
            assert!(!text.contains(id), "{f} leaks a person id");
        }
    }
    // The team's 2 visits (2 persons), and everything resting on them, are not published; nor
    // is the baseline total, which with the published saving would give the team's cost back.
    let tiers = std::fs::read_to_string(dir.path().join("r/data/triangle.csv")).unwrap();
    assert!(tiers.contains("new,2,[c],[c]"), "{tiers}");
    let agencies = std::fs::read_to_string(dir.path().join("r/data/who-pays.csv")).unwrap();
    assert!(agencies.contains("Team,0.00,[c],[c]"), "{agencies}");
    let json = std::fs::read_to_string(dir.path().join("r/results.json")).unwrap();
    assert!(json.contains("\"saving\": \"4020.00\""), "{json}");
    assert!(json.contains("\"baseline\": \"[c]\"") && json.contains("\"alternative\": \"[c]\""), "{json}");
    assert!(!json.contains("180.00") && !json.contains("4200.00"), "no total gives the team's cost back: {json}");
    let trend = std::fs::read_to_string(dir.path().join("r/data/trend.csv")).unwrap();
    assert!(trend.contains("[c]"), "a trend through suppressed counts is withheld: {trend}");
    assert!(html.contains("Counts from 1 to 4 events or persons"), "the suppression is stated");
    assert!(html.contains("Disclosure audit: every published figure"), "the audit is stated");
    assert!(html.contains("Chart withheld"), "a chart of small counts is withheld");
    assert!(!html.contains("One person, P-"), "one person's journey is not published");
    // a withheld chart is neither written nor linked
    assert!(!dir.path().join("r/charts/who-pays.svg").exists());
    assert!(!md.contains("charts/who-pays.svg") && md.contains("_Chart withheld"), "{md}");
    assert!(stderr(&o).contains("disclosure control: 1 cells suppressed as small"), "{}", stderr(&o));
    // a cohort smaller than the threshold is refused
    let o = run_in(
        dir.path(),
        &[
            "report",
            "--catalogue",
            "c.csv",
            "--deflators",
            "d.csv",
            "--events",
            "e.csv",
            "--suppress-below",
            "8",
            "--out",
            "r8",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("the cohort has 7 people, fewer than the suppression threshold of 8"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("r8").exists());
}

/// A key of the test reports.
const KEY: &str = "a test key of 16+ bytes";

#[test]
fn pseudonyms_follow_the_key() {
    let dir = crafted();
    let args = |key: &str, out: &str| {
        [
            "report",
            "--catalogue",
            "c.csv",
            "--deflators",
            "d.csv",
            "--events",
            "e.csv",
            "--person",
            "LEE-S",
            "--suppress-below",
            "0",
            "--key",
            key,
            "--out",
            out,
        ]
        .map(str::to_owned)
    };
    for (k, out) in [("the first key, 16+", "a"), ("the first key, 16+", "b"), ("the second key, 16+", "c")] {
        let a = args(k, out);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let o = run_in(dir.path(), &a);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let read = |d: &str| std::fs::read_to_string(dir.path().join(d).join("index.html")).unwrap();
    assert_eq!(read("a"), read("b"));
    assert_ne!(read("a"), read("c"));
    // 64 bits: P- and 16 hex digits
    let html = read("a");
    let at = html.find("One person, P-").expect("the person is shown without suppression") + "One person, ".len();
    let alias: String = html[at..].chars().take_while(|c| *c == 'P' || *c == '-' || c.is_ascii_hexdigit()).collect();
    assert_eq!(alias.len(), 18, "{alias}");
    // without a key the pseudonyms are random, and the report says so
    let o = run_in(
        dir.path(),
        &["report", "--catalogue", "c.csv", "--deflators", "d.csv", "--events", "e.csv", "--out", "n"],
    );
    assert!(o.status.success());
    assert!(
        read("n").contains("a random key drawn for this report and not kept, so the pseudonyms are not reproducible")
    );
    // a short or empty key is refused, by flag and by environment
    for key in ["", "short", "fifteen bytes!!"] {
        let a = args(key, "short");
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let o = run_in(dir.path(), &a);
        assert_eq!(o.status.code(), Some(1), "{key:?}");
        assert!(stderr(&o).contains("must have at least 16"), "{}", stderr(&o));
        assert!(!dir.path().join("short").exists());
    }
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_journeycost"))
        .args(["report", "--catalogue", "c.csv", "--deflators", "d.csv", "--events", "e.csv", "--out", "env"])
        .env("JOURNEYCOST_REPORT_KEY", "tiny")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

#[test]
fn a_house_template_replaces_the_built_in_one() {
    let dir = crafted();
    std::fs::create_dir_all(dir.path().join("house")).unwrap();
    std::fs::write(
        dir.path().join("house/index.html.j2"),
        "<h1>Council house style</h1><p>{{ r.totals.saving }} {{ r.agencies[0].agency }}</p>{{ svg[\"who-pays\"]|safe }}",
    )
    .unwrap();
    let o = run_in(
        dir.path(),
        &[
            "report",
            "--catalogue",
            "c.csv",
            "--deflators",
            "d.csv",
            "--events",
            "e.csv",
            "--key",
            KEY,
            "--templates",
            "house",
            "--out",
            "r",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(dir.path().join("r/index.html")).unwrap();
    assert!(html.starts_with("<h1>Council house style</h1><p>4020.00 &lt;script&gt;"), "{html}");
    let md = std::fs::read_to_string(dir.path().join("r/report.md")).unwrap();
    assert!(md.starts_with("# journeycost report"), "the Markdown falls back to the built-in template");
    std::fs::write(dir.path().join("house/index.html.j2"), "{% if %}").unwrap();
    let o = run_in(
        dir.path(),
        &[
            "report",
            "--catalogue",
            "c.csv",
            "--deflators",
            "d.csv",
            "--events",
            "e.csv",
            "--templates",
            "house",
            "--out",
            "bad",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("template index.html.j2"), "{}", stderr(&o));
    assert!(!dir.path().join("bad").exists());
    // a template that would run for ever runs out of fuel instead
    std::fs::write(
        dir.path().join("house/index.html.j2"),
        "{% for a in range(100000) %}{% for b in range(100000) %}{{ a }}{% endfor %}{% endfor %}",
    )
    .unwrap();
    let o = run_in(
        dir.path(),
        &[
            "report",
            "--catalogue",
            "c.csv",
            "--deflators",
            "d.csv",
            "--events",
            "e.csv",
            "--templates",
            "house",
            "--out",
            "fuel",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("ran out of fuel"), "{}", stderr(&o));
    assert!(!dir.path().join("fuel").exists());
    // a templates folder that does not exist, or holds no template, is refused
    std::fs::create_dir_all(dir.path().join("empty")).unwrap();
    for (folder, says) in [("/no/such/dir", "does not exist"), ("empty", "neither index.html.j2 nor report.md.j2")] {
        let o = run_in(
            dir.path(),
            &[
                "report",
                "--catalogue",
                "c.csv",
                "--deflators",
                "d.csv",
                "--events",
                "e.csv",
                "--templates",
                folder,
                "--out",
                "nodir",
            ],
        );
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains(says), "{}", stderr(&o));
        assert!(!dir.path().join("nodir").exists());
    }
}

#[test]
fn with_no_scenario_it_reports_every_bundled_example() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rep");
    let o = run_in(&root(), &["report", "--key", KEY, "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("<a href=\"anna/index.html\">anna</a>"), "{index}");
    assert!(out.join("national/charts/tornado.svg").exists());
}

#[test]
fn notes_are_never_published() {
    let dir = crafted();
    // there is no option to publish them
    let o = run_in(
        dir.path(),
        &[
            "report",
            "--catalogue",
            "c.csv",
            "--deflators",
            "d.csv",
            "--events",
            "e.csv",
            "--include-notes",
            "--out",
            "n",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!dir.path().join("n").exists());
    let o = run_in(
        dir.path(),
        &[
            "report",
            "--catalogue",
            "c.csv",
            "--deflators",
            "d.csv",
            "--events",
            "e.csv",
            "--suppress-below",
            "0",
            "--out",
            "r",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for e in walk(&dir.path().join("r")) {
        let text = String::from_utf8_lossy(&std::fs::read(&e).unwrap()).into_owned();
        assert!(!text.contains("called police"), "{} leaks a note", e.display());
    }
    let html = std::fs::read_to_string(dir.path().join("r/index.html")).unwrap();
    assert!(html.contains("Free-text notes are never published."));
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    files_under(dir).into_iter().map(|f| dir.join(f)).collect()
}

#[test]
fn by_breaks_the_cohort_down_and_agrees_with_compare() {
    let dir = tempfile::tempdir().unwrap();
    let s = root().join("examples/rent-arrears/scenario.toml");
    let s = s.to_str().unwrap();
    let o = run_in(dir.path(), &["report", s, "--key", KEY, "--out", "r"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run_in(dir.path(), &["compare", s, "--out", "c"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // compare's TOTAL row of each group is the report's group row
    let agencies = std::fs::read_to_string(dir.path().join("c/agencies.csv")).unwrap();
    let groups = std::fs::read_to_string(dir.path().join("r/data/groups.csv")).unwrap();
    let mut n = 0;
    for line in agencies.lines().filter(|l| l.contains(",TOTAL,")) {
        let f: Vec<&str> = line.split(',').collect();
        let row = groups
            .lines()
            .find(|g| g.starts_with(&format!("{},", f[0])))
            .unwrap_or_else(|| panic!("{} in {groups}", f[0]));
        let g: Vec<&str> = row.rsplitn(4, ',').collect();
        assert_eq!((g[2], g[1], g[0]), (f[2], f[3], f[4]), "{row}");
        n += 1;
    }
    assert_eq!(n, 5);
    assert!(groups.starts_with("reason,persons,"), "{groups}");
    let md = std::fs::read_to_string(dir.path().join("r/report.md")).unwrap();
    assert!(md.contains("## By reason") && md.contains("| used to not paying | 540 |"), "{md}");
    // --by on the command line; a column that is not there is refused
    let o = run_in(dir.path(), &["report", s, "--key", KEY, "--by", "no_such_column", "--out", "bad"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("\"no_such_column\" is not a column of the persons file"), "{}", stderr(&o));
}

#[test]
fn published_text_opens_safely_in_markdown_and_spreadsheets() {
    use std::fmt::Write as _;
    let mut events = String::from("person_id,pathway,date,code\n");
    for i in 0..12 {
        for code in ["A", "B", "C"] {
            let _ = writeln!(events, "P{i},old,2024-0{}-10,{code}", 1 + i % 6);
        }
        let _ = writeln!(events, "P{i},new,2024-0{}-12,C", 1 + i % 6);
    }
    let dir = fixture(&[
        (
            "c.csv",
            "code,agency,unit_cost,price_year\nA,\"=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",10,2024\nB,\"Police\r# Owned\r- a list\r\n1. item\",20,2024\nC,@SUM(A1),30,2024\n".as_bytes(),
        ),
        ("d.csv", b"year,index\n2024,100\n"),
        ("e.csv", events.as_bytes()),
    ]);
    let o = run_in(
        dir.path(),
        &["report", "--catalogue", "c.csv", "--deflators", "d.csv", "--events", "e.csv", "--key", KEY, "--out", "r"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let who = std::fs::read_to_string(dir.path().join("r/data/who-pays.csv")).unwrap();
    assert!(who.contains("\"'=HYPERLINK(") && who.contains("'@SUM(A1)"), "formulas are neutralised: {who}");
    assert!(!who.lines().any(|l| l.starts_with('=') || l.starts_with('@')), "{who}");
    assert!(who.contains(",-") || who.contains(",0.00"), "negative numbers stay numbers: {who}");
    let md = std::fs::read_to_string(dir.path().join("r/report.md")).unwrap();
    assert!(
        !md.lines().any(|l| l.starts_with("# Owned") || l.starts_with("- a list") || l.starts_with("1. item")),
        "{md}"
    );
    assert!(!md.contains('\r'), "no carriage return reaches the Markdown");
    assert!(md.contains("Police \\# Owned"), "{md}");
}
