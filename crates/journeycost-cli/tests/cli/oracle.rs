use crate::util::{assert_same_files, root, run_on, stderr};

const FILES: &[&str] = &["monthly.csv", "persons.csv", "summary.csv"];

fn check(set: &str, year: &str) {
    let data = root().join("tests/data/oracle").join(set);
    let out = tempfile::tempdir().unwrap();
    let o = run_on(out.path(), "cost", &data, &["--price-year", year, "--out", "res"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_same_files(&out.path().join("res"), &data.join(format!("expected-{year}")), FILES);
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
fn same_bytes_on_every_run_and_default_price_year_is_the_latest() {
    let data = root().join("tests/data/oracle/sample");
    let dir = tempfile::tempdir().unwrap();
    for (out, more) in [("a", vec![]), ("b", vec!["--price-year", "2026"])] {
        let mut args = more;
        args.extend(["--out", out]);
        let o = run_on(dir.path(), "cost", &data, &args);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    for f in FILES {
        assert_eq!(
            std::fs::read(dir.path().join("a").join(f)).unwrap(),
            std::fs::read(dir.path().join("b").join(f)).unwrap()
        );
    }
}
