use crate::util::{assert_same_files, fixture, root, run_in, stderr};

/// Every file under `dir`, relative and sorted, as `/`-separated names.
fn files_under(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == journeycost::io::MANIFEST) {
                // The manifest lists the others' hashes: checked in `outputs`, not a golden file.
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

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
        let o = run_in(dir.path(), &["report", s.to_str().unwrap(), "--key", "golden", "--out", out.to_str().unwrap()]);
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
    assert!(run_in(dir.path(), &["report", s.to_str().unwrap(), "--key", "golden", "--out", again.to_str().unwrap()]).status.success());
    for f in files_under(&again) {
        assert_eq!(std::fs::read(again.join(&f)).unwrap(), std::fs::read(dir.path().join("anna").join(&f)).unwrap(), "{f}");
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
    let o =
        run_in(dir.path(), &["report", "--catalogue", "c.csv", "--deflators", "d.csv", "--events", "e.csv", "--key", "k", "--out", "r"]);
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
    // 14 calls are published; the team's 2 visits, and everything resting on them, are not
    let tiers = std::fs::read_to_string(dir.path().join("r/data/triangle.csv")).unwrap();
    assert!(tiers.contains("old,4,14,4200.00"), "{tiers}");
    assert!(tiers.contains("new,2,[c],[c]"), "{tiers}");
    let agencies = std::fs::read_to_string(dir.path().join("r/data/who-pays.csv")).unwrap();
    assert!(agencies.contains("Team,0.00,[c],[c]"), "{agencies}");
    let trend = std::fs::read_to_string(dir.path().join("r/data/trend.csv")).unwrap();
    assert!(trend.contains("[c]"), "a trend through suppressed counts is withheld: {trend}");
    assert!(html.contains("Counts from 1 to 4 in published tables"), "the suppression is stated");
    assert!(html.contains("Chart withheld"), "a chart of small counts is withheld");
    assert!(!html.contains("One person, P-"), "one person's journey is not published");
    // a cohort smaller than the threshold is refused
    let o = run_in(
        dir.path(),
        &["report", "--catalogue", "c.csv", "--deflators", "d.csv", "--events", "e.csv", "--suppress-below", "8", "--out", "r8"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("the cohort has 7 people, fewer than the suppression threshold of 8"), "{}", stderr(&o));
    assert!(!dir.path().join("r8").exists());
}

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
    for (k, out) in [("one", "a"), ("one", "b"), ("two", "c")] {
        let a = args(k, out);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        assert!(run_in(dir.path(), &a).status.success());
    }
    let read = |d: &str| std::fs::read_to_string(dir.path().join(d).join("index.html")).unwrap();
    assert_eq!(read("a"), read("b"));
    assert_ne!(read("a"), read("c"));
    assert!(read("a").contains("One person, P-"));
    // without a key the pseudonyms are random, and the report says so
    let o = run_in(dir.path(), &["report", "--catalogue", "c.csv", "--deflators", "d.csv", "--events", "e.csv", "--out", "n"]);
    assert!(o.status.success());
    assert!(read("n").contains("a random key drawn for this report and not kept"));
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
            "k",
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
        &["report", "--catalogue", "c.csv", "--deflators", "d.csv", "--events", "e.csv", "--templates", "house", "--out", "bad"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("template index.html.j2"), "{}", stderr(&o));
    assert!(!dir.path().join("bad").exists());
}

#[test]
fn with_no_scenario_it_reports_every_bundled_example() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rep");
    let o = run_in(&root(), &["report", "--key", "k", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("<a href=\"anna/index.html\">anna</a>"), "{index}");
    assert!(out.join("national/charts/tornado.svg").exists());
}

#[test]
fn notes_are_published_only_when_asked_for() {
    let dir = crafted();
    let base = ["report", "--catalogue", "c.csv", "--deflators", "d.csv", "--events", "e.csv", "--key", "k"];
    let mut with = base.to_vec();
    with.extend(["--include-notes", "--out", "notes"]);
    let o = run_in(dir.path(), &with);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(dir.path().join("notes/index.html")).unwrap();
    assert!(html.contains("&lt;b&gt;called police, again&lt;&#x2f;b&gt;"), "the note, escaped");
    assert!(html.contains("Free-text notes are included, as asked for"));
    assert!(!html.contains("SMITH-J"), "still under pseudonyms");
    let csv = std::fs::read_to_string(dir.path().join("notes/data/notes.csv")).unwrap();
    assert_eq!(csv.lines().count(), 8);
}
