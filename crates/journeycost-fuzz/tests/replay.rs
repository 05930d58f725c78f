//! Every seed and every kept regression of every target, run again: a crash found once by the
//! fuzzer (stable or cargo-fuzz) fails this test until it is fixed, and stays as a case after.

use std::path::{Path, PathBuf};

use journeycost_fuzz::TARGETS;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect();
    paths.sort();
    paths
}

#[test]
fn every_seed_and_regression_passes() {
    let mut failed = Vec::new();
    let mut ran = 0;
    for target in TARGETS {
        for kind in ["seeds", "regressions"] {
            for path in files(&corpus().join(kind).join(target.name)) {
                if path.extension().is_some_and(|e| e == "py" || e == "md") {
                    continue;
                }
                let input = std::fs::read(&path).unwrap();
                ran += 1;
                if std::panic::catch_unwind(|| (target.run)(&input)).is_err() {
                    failed.push(path.display().to_string());
                }
            }
        }
    }
    assert!(failed.is_empty(), "failing inputs:\n{}", failed.join("\n"));
    assert!(ran >= TARGETS.len(), "only {ran} inputs");
}

#[test]
fn every_target_has_seeds_and_every_folder_a_target() {
    for target in TARGETS {
        assert!(!files(&corpus().join("seeds").join(target.name)).is_empty(), "no seeds for {}", target.name);
    }
    for kind in ["seeds", "regressions"] {
        for entry in std::fs::read_dir(corpus().join(kind)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                let name = path.file_name().unwrap().to_str().unwrap();
                assert!(journeycost_fuzz::target(name).is_some(), "{kind}/{name} is not a target");
            }
        }
    }
}

/// The seeds are inputs the readers accept (so that mutants start from the readers' deep
/// paths, not from their first error).
#[test]
fn the_seeds_read() {
    use std::io::Cursor;
    let seeds = |t: &str| files(&corpus().join("seeds").join(t));
    for p in seeds("catalogue") {
        journeycost::io::read_catalogue("c", std::fs::File::open(&p).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    }
    for p in seeds("events").into_iter().chain(seeds("stream-cost")) {
        journeycost::io::read_events("e", std::fs::File::open(&p).unwrap(), None)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    }
    for p in seeds("scenario") {
        let text = std::fs::read_to_string(&p).unwrap();
        journeycost::scenario::Scenario::parse(&text, Path::new("."), "s")
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    }
    for p in seeds("hmt-workbook") {
        let years = journeycost::hmt::read_workbook("w", Cursor::new(std::fs::read(&p).unwrap())).unwrap();
        assert!(years.len() >= 8, "{}", p.display());
    }
    for p in seeds("ucd-workbook") {
        let book = journeycost::ucd::read_workbook("w", Cursor::new(std::fs::read(&p).unwrap())).unwrap();
        let (import, _) = book.into_import();
        assert!(import.lines.len() >= 20, "{}: {} lines", p.display(), import.lines.len());
        journeycost::ucd::read_gdp_deflator("w", Cursor::new(std::fs::read(&p).unwrap())).unwrap();
    }
}
