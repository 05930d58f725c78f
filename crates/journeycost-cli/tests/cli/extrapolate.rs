use crate::util::{assert_same_files, fixture, root, run_in, stderr};

const FILES: &[&str] = &[
    "extrapolation.json",
    "summary.csv",
    "percentiles.csv",
    "histogram.csv",
    "tornado.csv",
    "switching.csv",
    "assumptions.csv",
];

#[test]
fn national_example_is_the_same_on_one_thread_or_four_and_matches_golden_files() {
    let dir = tempfile::tempdir().unwrap();
    let s = root().join("examples/national/scenario.toml");
    let s = s.to_str().unwrap();
    let one = run_in(dir.path(), &["extrapolate", s, "--draws", "3000", "--threads", "1", "--out", "one"]);
    assert!(one.status.success(), "{}", stderr(&one));
    let four = run_in(dir.path(), &["extrapolate", s, "--draws", "3000", "--threads", "4", "--out", "four"]);
    assert!(four.status.success(), "{}", stderr(&four));
    for f in FILES.iter().chain(&["draws.csv"]) {
        assert_eq!(
            std::fs::read(dir.path().join("one").join(f)).unwrap(),
            std::fs::read(dir.path().join("four").join(f)).unwrap(),
            "{f}"
        );
    }
    assert_same_files(&dir.path().join("one"), &root().join("tests/data/golden/national-extrapolation"), FILES);
    let out = String::from_utf8(one.stdout).unwrap();
    assert!(out.contains("probability below £16.00bn: 100.0%"), "{out}");
}

const INPUTS: &str =
    "[inputs]\ncatalogue = \"c.csv\"\ndeflators = \"d.csv\"\nevents = \"e.csv\"\npersons = \"p.csv\"\n";

fn cohort_fixture(extra: &str) -> tempfile::TempDir {
    let scenario = format!("{INPUTS}{extra}");
    let mut events = String::from("person_id,pathway,date,code\n");
    for (p, n) in [("A", 10), ("B", 2), ("C", 6), ("D", 1)] {
        for _ in 0..n {
            events += &[p, ",old,2024-02-01,CALL\n"].concat();
        }
        events += &[p, ",new,2024-02-01,VISIT\n"].concat();
    }
    fixture(&[
        ("c.csv", b"code,agency,unit_cost,price_year\nCALL,Police,100,2024\nVISIT,Team,50,2024\n"),
        ("d.csv", b"year,index\n2024,100\n"),
        ("e.csv", events.as_bytes()),
        ("p.csv", b"person_id,need\nA,high\nB,low\nC,high\nD,low\n"),
        ("s.toml", scenario.as_bytes()),
    ])
}

#[test]
fn cohort_segments_bootstrap_their_own_persons() {
    // high: savings 950 and 550 over 2 years -> 475 and 275 a year; low: 150 and 50 -> 75 and 25
    let dir = cohort_fixture(
        "[extrapolation]\ndraws = 2000\nseed = 1\npercentiles = [0, 100]\n\
         [[extrapolation.segments]]\nname = \"high\"\ncount = 1000\nper_case = { dist = \"cohort\", years = 2, column = \"need\", equals = \"high\" }\n\
         [[extrapolation.segments]]\nname = \"low\"\ncount = 100\nper_case = { dist = \"cohort\", years = 2, column = \"need\", equals = \"low\" }\n",
    );
    let o = run_in(dir.path(), &["extrapolate", "s.toml", "--out", "res"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let p = std::fs::read_to_string(dir.path().join("res/percentiles.csv")).unwrap();
    // the smallest national draw: both resamples at their lowest; the largest: both at their highest
    assert!(p.contains("net_annual,0,277500.00"), "{p}");
    assert!(p.contains("net_annual,100,482500.00"), "{p}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("res/extrapolation.json")).unwrap()).unwrap();
    assert_eq!(json["extrapolation"]["central"]["net_annual"], 380_000.0);
}

#[test]
fn bad_parameters_name_the_scenario_line() {
    let dir = cohort_fixture(
        "[extrapolation]\n[[extrapolation.segments]]\nname = \"x\"\ncount = 10\n\
         reach = { dist = \"triangular\", min = 0.5, mode = 0.2, max = 0.9 }\nper_case = { dist = \"normal\", mean = 5, sd = -1 }\n",
    );
    let o = run_in(dir.path(), &["extrapolate", "s.toml", "--out", "res"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines,
        [
            "error: s.toml line 10, field \"extrapolation.segments.reach\": triangular needs min <= mode <= max and min < max, found min 0.5, mode 0.2, max 0.9",
            "error: s.toml line 11, field \"extrapolation.segments.per_case\": normal needs sd > 0, found -1",
        ]
    );
    assert!(!dir.path().join("res").exists());
    let dir = cohort_fixture(
        "[extrapolation]\n[[extrapolation.segments]]\nname = \"x\"\ncount = 10\nreach = 1.5\nper_case = 1\n",
    );
    let o = run_in(dir.path(), &["extrapolate", "s.toml", "--out", "res"]);
    assert!(
        stderr(&o).contains("line 10, field \"extrapolation.segments.reach\": a share must lie between 0 and 1"),
        "{}",
        stderr(&o)
    );
}
