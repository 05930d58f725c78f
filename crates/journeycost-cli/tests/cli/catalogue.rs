use crate::util::{root, run_in, stderr};

fn anna(args: &[&str]) -> std::process::Output {
    let cat = root().join("examples/anna/catalogue.csv");
    let mut all: Vec<&str> = args.to_vec();
    let cat = cat.to_string_lossy().into_owned();
    all.extend(["--catalogue", &cat]);
    run_in(&root(), &all)
}

#[test]
fn list_search_and_show() {
    let o = anna(&["catalogue", "list", "--agency", "police"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.lines().count() >= 2 && out.lines().all(|l| l.contains("Police")), "{out}");
    let o = anna(&["catalogue", "search", "FOSTER"]);
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.starts_with("SS2.0 "), "{out}");
    let o = anna(&["catalogue", "show", "SS2.0"]);
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("fiscal        £700.0 per week (2013/14 prices)"), "{out}");
    let o = anna(&["catalogue", "show", "NOPE"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o).trim_end(), "error: catalogue: no unit cost has the code \"NOPE\"");
}

#[test]
fn export_uprates_exactly_and_reads_back() {
    let defl = root().join("examples/anna/deflators.csv");
    let o = anna(&["catalogue", "export", "--deflators", defl.to_str().unwrap(), "--price-year", "2023/24"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = String::from_utf8(o.stdout).unwrap();
    // 700.0 x 97.1880 / 76.4733 (2013/14 prices), half-even to the penny
    let foster = csv.lines().find(|l| l.starts_with("SS2.0,")).unwrap();
    let expected = journeycost::money::round_ratio_to_penny(
        "700.0".parse().unwrap(),
        "97.1880".parse().unwrap(),
        index_of("2013/14"),
    )
    .unwrap();
    assert!(foster.contains(&format!(",{expected},2023/24,week,")), "{foster} / {expected}");
    let back = journeycost::io::read_catalogue("export.csv", csv.as_bytes()).unwrap();
    assert_eq!(back.catalogue.len(), 35);
}

fn index_of(year: &str) -> journeycost::Decimal {
    let text = std::fs::read_to_string(root().join("examples/anna/deflators.csv")).unwrap();
    let line = text.lines().find(|l| l.starts_with(&format!("{year},"))).unwrap();
    line.split(',').nth(1).unwrap().parse().unwrap()
}
