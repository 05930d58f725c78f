use crate::util::{assert_same_files, root, run_in, stderr};

fn check(set: &str, year: &str) {
    let data = root().join("tests/data/oracle").join(set);
    let out = tempfile::tempdir().unwrap();
    let arg = |f: &str| data.join(f).to_string_lossy().into_owned();
    let o = run_in(
        out.path(),
        &[
            "cost",
            "--catalogue",
            &arg("catalogue.csv"),
            "--deflators",
            &arg("deflators.csv"),
            "--events",
            &arg("events.csv"),
            "--price-year",
            year,
            "--out",
            "res",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_same_files(&out.path().join("res"), &data.join(format!("expected-{year}")), &["monthly.csv", "persons.csv", "summary.csv"]);
}

#[test]
fn sample_at_2024_prices() {
    check("sample", "2024");
}

#[test]
fn sample_at_2015_prices() {
    check("sample", "2015");
}

#[test]
fn bench_edge_set() {
    check("edge", "2024");
}

#[test]
fn half_penny_ties_signs_and_ordering() {
    check("ties", "2024");
    check("ties", "2023");
}

#[test]
fn quoting_bom_and_crlf() {
    check("quoting", "2024");
}

#[test]
fn same_bytes_on_every_run() {
    let data = root().join("tests/data/oracle/sample");
    let arg = |f: &str| data.join(f).to_string_lossy().into_owned();
    let dir = tempfile::tempdir().unwrap();
    for out in ["a", "b"] {
        let o = run_in(
            dir.path(),
            &[
                "cost",
                "--catalogue",
                &arg("catalogue.csv"),
                "--deflators",
                &arg("deflators.csv"),
                "--events",
                &arg("events.csv"),
                "--out",
                out,
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    for f in ["monthly.csv", "persons.csv", "summary.csv"] {
        assert_eq!(std::fs::read(dir.path().join("a").join(f)).unwrap(), std::fs::read(dir.path().join("b").join(f)).unwrap());
    }
}
