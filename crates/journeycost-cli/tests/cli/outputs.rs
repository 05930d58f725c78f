//! `--out`: a folder journeycost owns, replaced whole; inputs never replaced; a set appears all
//! at once or not at all; pipes read once, FIFOs refused without hanging. Each test takes an
//! attacker's view of one way to lose data or to write where the user did not ask.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::util::{fixture, root, run_in, stderr};

const MANIFEST: &str = ".journeycost-manifest.json";

/// A copy of `examples/NAME` in `dir/NAME`.
fn example(dir: &Path, name: &str) -> PathBuf {
    let to = dir.join(name);
    std::fs::create_dir_all(&to).unwrap();
    for e in std::fs::read_dir(root().join("examples").join(name)).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
    to
}

/// Every entry under `dir` (files with their bytes; folders, links and others marked), by
/// `/`-separated relative name.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            let m = p.symlink_metadata().unwrap();
            if m.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                stack.push(p);
            } else if m.is_file() {
                out.insert(rel, std::fs::read(&p).unwrap());
            } else {
                out.insert(rel, b"<not a file>".to_vec());
            }
        }
    }
    out
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().fold(String::new(), |mut s, b| {
        use std::fmt::Write as _;
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The files `out` holds besides its manifest, checked against it: every file listed, with
/// its SHA-256, and nothing else.
fn complete_set(out: &Path) -> Vec<String> {
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join(MANIFEST)).unwrap()).unwrap();
    assert_eq!(manifest["schema"], "journeycost/manifest/1");
    let mut listed = BTreeMap::new();
    for f in manifest["files"].as_array().unwrap() {
        listed.insert(f["file"].as_str().unwrap().to_owned(), f["sha256"].as_str().unwrap().to_owned());
    }
    let files: BTreeMap<String, Vec<u8>> =
        snapshot(out).into_iter().filter(|(n, _)| !n.ends_with('/') && n != MANIFEST).collect();
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        listed.keys().collect::<Vec<_>>(),
        "{}: files and manifest differ",
        out.display()
    );
    for (name, bytes) in &files {
        assert_eq!(&sha256(bytes), &listed[name], "{name}");
    }
    files.into_keys().collect()
}

fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_journeycost")
}

/// Runs the binary in `dir`; `None` if it has not ended after `secs` seconds (it is killed).
fn run_for(dir: &Path, args: &[&str], secs: u64) -> Option<Output> {
    let mut child = Command::new(binary())
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return Some(child.wait_with_output().unwrap());
        }
        if start.elapsed() > Duration::from_secs(secs) {
            child.kill().unwrap();
            child.wait().unwrap();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn refused(o: &Output, says: &str) {
    assert_eq!(o.status.code(), Some(1), "expected a refusal, got: {}", stderr(o));
    assert!(stderr(o).contains(says), "expected {says:?} in: {}", stderr(o));
}

#[test]
fn out_as_the_scenarios_own_folder_is_refused_by_every_command_and_the_inputs_survive() {
    let dir = tempfile::tempdir().unwrap();
    let anna = example(dir.path(), "anna");
    let before = snapshot(&anna);
    for command in ["compare", "cost", "appraise", "report"] {
        let o = run_in(dir.path(), &[command, "anna/scenario.toml", "--out", "anna"]);
        refused(&o, "anna");
        assert_eq!(snapshot(&anna), before, "{command} changed the scenario's folder");
    }
    // The national scenario reads the seven cases: their folder is an input's folder too.
    example(dir.path(), "national");
    let seven = example(dir.path(), "seven-cases");
    let before = snapshot(&seven);
    let o = run_in(dir.path(), &["extrapolate", "national/scenario.toml", "--draws", "10", "--out", "seven-cases"]);
    refused(&o, "seven-cases");
    assert_eq!(snapshot(&seven), before);
    let o = run_in(dir.path(), &["extrapolate", "national/scenario.toml", "--draws", "10", "--out", "national"]);
    refused(&o, "national");
}

#[test]
fn an_input_inside_a_folder_journeycost_wrote_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    example(dir.path(), "anna");
    let o = run_in(dir.path(), &["compare", "anna/scenario.toml", "--out", "out"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // out/persons.csv (person_id and columns) serves as a persons file: replacing out whole
    // would delete the input.
    let before = std::fs::read(dir.path().join("out/persons.csv")).unwrap();
    let o = run_in(dir.path(), &["compare", "anna/scenario.toml", "--persons", "out/persons.csv", "--out", "out"]);
    refused(&o, "persons.csv");
    assert_eq!(std::fs::read(dir.path().join("out/persons.csv")).unwrap(), before);
    // The same through a symbolic link to it, and through a link to the folder.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.path().join("out/persons.csv"), dir.path().join("p.csv")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("out"), dir.path().join("o")).unwrap();
        let o = run_in(dir.path(), &["compare", "anna/scenario.toml", "--persons", "p.csv", "--out", "out"]);
        refused(&o, "persons.csv");
        let o = run_in(dir.path(), &["compare", "anna/scenario.toml", "--persons", "o/persons.csv", "--out", "out"]);
        refused(&o, "persons.csv");
        // `--out` a symbolic link to a folder journeycost wrote: refused, not followed.
        let o = run_in(dir.path(), &["compare", "anna/scenario.toml", "--out", "o"]);
        refused(&o, "symbolic link");
    }
    assert_eq!(std::fs::read(dir.path().join("out/persons.csv")).unwrap(), before);
    complete_set(&dir.path().join("out"));
}

#[cfg(unix)]
#[test]
fn a_hard_link_to_an_input_inside_out_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let anna = example(dir.path(), "anna");
    let persons = std::fs::read(anna.join("persons.csv")).unwrap();
    // Planted in a fresh folder: not journeycost's, so refused.
    std::fs::create_dir(dir.path().join("out")).unwrap();
    std::fs::hard_link(anna.join("persons.csv"), dir.path().join("out/persons.csv")).unwrap();
    let o = run_in(dir.path(), &["compare", "anna/scenario.toml", "--out", "out"]);
    refused(&o, "persons.csv");
    assert_eq!(std::fs::read(anna.join("persons.csv")).unwrap(), persons);
    // In a folder journeycost wrote, an input that is a hard link to one of its files (same
    // device and inode, another path) is refused too.
    let o = run_in(dir.path(), &["compare", "anna/scenario.toml", "--out", "res"]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::hard_link(dir.path().join("res/persons.csv"), dir.path().join("p.csv")).unwrap();
    let o = run_in(dir.path(), &["compare", "anna/scenario.toml", "--persons", "p.csv", "--out", "res"]);
    refused(&o, "same file");
    complete_set(&dir.path().join("res"));
}

#[cfg(unix)]
#[test]
fn a_symlink_planted_in_out_never_leads_outside() {
    let dir = tempfile::tempdir().unwrap();
    example(dir.path(), "anna");
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("precious.txt"), "keep me").unwrap();
    // A report folder journeycost wrote, then `charts` swapped for a link to another folder.
    let o = run_in(dir.path(), &["report", "anna/scenario.toml", "--key", "an outputs test key", "--out", "r"]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::remove_dir_all(dir.path().join("r/charts")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, dir.path().join("r/charts")).unwrap();
    let o = run_in(dir.path(), &["report", "anna/scenario.toml", "--key", "an outputs test key", "--out", "r"]);
    refused(&o, "charts");
    assert_eq!(snapshot(&elsewhere).len(), 1, "something was written outside --out");
    // The same in a folder journeycost did not write.
    std::fs::create_dir_all(dir.path().join("fresh")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, dir.path().join("fresh/charts")).unwrap();
    let o = run_in(dir.path(), &["report", "anna/scenario.toml", "--key", "an outputs test key", "--out", "fresh"]);
    refused(&o, "charts");
    // A file link in place of an output file.
    let o = run_in(dir.path(), &["compare", "anna/scenario.toml", "--out", "c"]);
    assert!(o.status.success());
    std::fs::remove_file(dir.path().join("c/persons.csv")).unwrap();
    std::os::unix::fs::symlink(elsewhere.join("precious.txt"), dir.path().join("c/persons.csv")).unwrap();
    let o = run_in(dir.path(), &["compare", "anna/scenario.toml", "--out", "c"]);
    refused(&o, "persons.csv");
    assert_eq!(snapshot(&elsewhere).len(), 1);
    assert_eq!(std::fs::read_to_string(elsewhere.join("precious.txt")).unwrap(), "keep me");
}

#[test]
fn the_current_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = root().join("examples/anna/scenario.toml");
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    for out in [".", "./", "../empty"] {
        let o = run_in(&empty, &["compare", scenario.to_str().unwrap(), "--out", out]);
        refused(&o, "current folder");
    }
    let o = run_in(&empty, &["compare", scenario.to_str().unwrap(), "--out", ".."]);
    refused(&o, "current folder");
    assert!(snapshot(&empty).is_empty());
}

/// `--out` is checked before any work: with an input missing, the refusal still comes first, so
/// this test cannot write into `/` even if the check were lost (it would fail on the input).
#[test]
fn the_root_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["compare", "cost", "appraise", "report"] {
        let o = run_in(dir.path(), &[command, "--events", "missing.csv", "--out", "/"]);
        refused(&o, "root");
    }
    let o = run_in(dir.path(), &["catalogue", "import", "missing.csv", "--out", "/"]);
    refused(&o, "not a file");
}

#[test]
fn a_folder_holding_anything_else_is_refused_untouched() {
    let dir = fixture(&[]);
    let scenario = root().join("examples/anna/scenario.toml");
    let s = scenario.to_str().unwrap();
    std::fs::create_dir(dir.path().join("mine")).unwrap();
    std::fs::write(dir.path().join("mine/notes.txt"), "mine").unwrap();
    let o = run_in(dir.path(), &["compare", s, "--out", "mine"]);
    refused(&o, "notes.txt");
    assert_eq!(snapshot(&dir.path().join("mine")).len(), 1);
    // An output file that was edited after journeycost wrote it is not replaced.
    let o = run_in(dir.path(), &["compare", s, "--out", "res"]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::write(dir.path().join("res/agencies.csv"), "edited by hand\n").unwrap();
    let o = run_in(dir.path(), &["compare", s, "--out", "res"]);
    refused(&o, "agencies.csv");
    assert_eq!(std::fs::read_to_string(dir.path().join("res/agencies.csv")).unwrap(), "edited by hand\n");
    // A file added beside them is refused too.
    std::fs::remove_file(dir.path().join("res/agencies.csv")).unwrap();
    std::fs::write(dir.path().join("res/extra.txt"), "x").unwrap();
    let o = run_in(dir.path(), &["compare", s, "--out", "res"]);
    refused(&o, "extra.txt");
    // `--out` a file.
    std::fs::write(dir.path().join("file"), "x").unwrap();
    let o = run_in(dir.path(), &["compare", s, "--out", "file"]);
    refused(&o, "not a folder");
}

#[test]
fn a_second_run_replaces_the_whole_set_and_never_mixes() {
    let dir = fixture(&[]);
    let s = root().join("examples/anna/scenario.toml");
    let s = s.to_str().unwrap();
    let o = run_in(dir.path(), &["compare", s, "--out", "res"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(complete_set(&dir.path().join("res")).contains(&"series.csv".to_owned()));
    let o = run_in(dir.path(), &["appraise", s, "--out", "res"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let files = complete_set(&dir.path().join("res"));
    assert!(!files.contains(&"series.csv".to_owned()), "a compare file survived beside the appraisal: {files:?}");
    assert!(files.contains(&"appraisal.json".to_owned()), "{files:?}");
    // An empty folder is taken too, and a report into a folder of a report is replaced whole.
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let o = run_in(dir.path(), &["report", s, "--key", "an outputs test key", "--out", "empty"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let first = complete_set(&dir.path().join("empty"));
    let o = run_in(dir.path(), &["report", s, "--key", "an outputs test key", "--out", "empty"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(complete_set(&dir.path().join("empty")), first);
    // Nothing of the swaps is left beside the outputs.
    let names: Vec<String> = snapshot(dir.path())
        .into_keys()
        .filter(|n| !n.contains('/') || n.matches('/').count() == 1 && n.ends_with('/'))
        .collect();
    assert_eq!(names, ["empty/", "res/"]);
}

#[test]
fn stale_staging_and_a_set_moved_aside_are_recovered_at_the_next_run() {
    let dir = fixture(&[]);
    let s = root().join("examples/anna/scenario.toml");
    let s = s.to_str().unwrap();
    // A run killed while staging left person ids in a hidden folder beside the output.
    let stale = dir.path().join(".res.journeycost-staging-4000000");
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join("persons.csv"), "person_id\nANNA\n").unwrap();
    // A run killed between moving the old set aside and moving the new one in.
    let o = run_in(dir.path(), &["compare", s, "--out", "aside"]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::rename(dir.path().join("aside"), dir.path().join(".res.journeycost-old-4000001")).unwrap();
    std::fs::write(dir.path().join("legacy"), "").unwrap();
    std::fs::create_dir(dir.path().join(".legacy.journeycost-staging-12")).unwrap();
    let o = run_in(dir.path(), &["appraise", s, "--out", "res"]);
    assert!(o.status.success(), "{}", stderr(&o));
    complete_set(&dir.path().join("res"));
    let top: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    let mut top = top;
    top.sort();
    // Only the staging of `res` is cleaned; another name's is not touched.
    assert_eq!(top, [".legacy.journeycost-staging-12", "legacy", "res"]);
}

#[test]
fn catalogue_import_never_replaces_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("HOUSING.csv");
    std::fs::copy(root().join("tests/data/ucd/csv-2014/HOUSING.csv"), &csv).unwrap();
    let before = std::fs::read(&csv).unwrap();
    let o = run_in(dir.path(), &["catalogue", "import", "HOUSING.csv", "--out", "HOUSING.csv"]);
    refused(&o, "HOUSING.csv");
    let o = run_in(dir.path(), &["catalogue", "import", "HOUSING.csv", "--out", "./HOUSING.csv"]);
    refused(&o, "HOUSING.csv");
    assert_eq!(std::fs::read(&csv).unwrap(), before);
    let o = run_in(dir.path(), &["catalogue", "import", "HOUSING.csv", "--out", "."]);
    refused(&o, "not a file");
    // A fresh name works, and so does replacing it; no partial file is left.
    for _ in 0..2 {
        let o = run_in(dir.path(), &["catalogue", "import", "HOUSING.csv", "--out", "catalogue.csv"]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let mut names: Vec<String> = snapshot(dir.path()).into_keys().collect();
    names.sort();
    assert_eq!(names, ["HOUSING.csv", "catalogue.csv"]);
}

#[test]
fn report_templates_are_inputs() {
    let dir = tempfile::tempdir().unwrap();
    example(dir.path(), "anna");
    std::fs::create_dir(dir.path().join("house")).unwrap();
    std::fs::write(dir.path().join("house/report.md.j2"), "# {{ title }}\n").unwrap();
    let o = run_in(dir.path(), &["report", "anna/scenario.toml", "--templates", "house", "--out", "house"]);
    refused(&o, "house");
    assert_eq!(std::fs::read_to_string(dir.path().join("house/report.md.j2")).unwrap(), "# {{ title }}\n");
}

/// `--events <(cat events.csv)`: read once, hashed while read; the results equal a file's.
#[cfg(unix)]
#[test]
fn a_pipe_is_read_once_and_hashed_as_read() {
    let dir = tempfile::tempdir().unwrap();
    let anna = example(dir.path(), "anna");
    let events = std::fs::read(anna.join("events.csv")).unwrap();
    let pipe = |command: &str, out: &str, more: &str| {
        let script = format!(
            "exec \"$0\" {command} anna/scenario.toml --events <(cat anna/events.csv) --persons <(cat anna/persons.csv) {more} --out {out}"
        );
        Command::new("bash").arg("-c").arg(script).arg(binary()).current_dir(dir.path()).output().unwrap()
    };
    for (command, more, json) in [
        ("compare", "", "comparison.json"),
        ("appraise", "", "appraisal.json"),
        ("report", "--key an-outputs-test-key", "results.json"),
    ] {
        let o = pipe(command, &format!("p-{command}"), more);
        assert!(o.status.success(), "{command}: {}", stderr(&o));
        let text = std::fs::read_to_string(dir.path().join(format!("p-{command}")).join(json)).unwrap();
        assert!(text.contains(&sha256(&events)), "{command}: the events' digest is not in {json}");
        assert!(!text.contains(&sha256(b"")), "{command}: the digest of nothing is in {json}");
    }
    // `cost` reads a pipe on one thread, and its bytes are a file's.
    let o = pipe("cost", "p-cost", "--threads 4");
    assert!(o.status.success(), "cost: {}", stderr(&o));
    let o = run_in(dir.path(), &["cost", "anna/scenario.toml", "--out", "f-cost"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["monthly.csv", "persons.csv", "summary.csv"] {
        assert_eq!(
            std::fs::read(dir.path().join("p-cost").join(f)).unwrap(),
            std::fs::read(dir.path().join("f-cost").join(f)).unwrap(),
            "{f}"
        );
    }
}

/// A named FIFO with no writer would block `open` for ever: refused, naming it, at once.
#[cfg(unix)]
#[test]
fn a_named_fifo_is_refused_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    example(dir.path(), "anna");
    let made = Command::new("mkfifo").arg(dir.path().join("fifo.csv")).status().unwrap();
    assert!(made.success());
    for (command, flag) in [
        ("compare", "--events"),
        ("cost", "--events"),
        ("report", "--events"),
        ("appraise", "--persons"),
        ("compare", "--catalogue"),
        ("cost", "--deflators"),
    ] {
        let o = run_for(dir.path(), &[command, "anna/scenario.toml", flag, "fifo.csv", "--out", "out"], 30)
            .unwrap_or_else(|| panic!("{command} {flag} fifo.csv hung"));
        refused(&o, "fifo.csv");
        assert!(stderr(&o).contains("named pipe"), "{}", stderr(&o));
        assert!(!dir.path().join("out").exists());
    }
    let o =
        run_for(dir.path(), &["catalogue", "import", "fifo.csv", "--out", "c.csv"], 30).expect("catalogue import hung");
    refused(&o, "fifo.csv");
    let o = run_for(dir.path(), &["validate", "--events", "fifo.csv"], 30).expect("validate hung");
    refused(&o, "fifo.csv");
    std::fs::write(dir.path().join("s.toml"), "[inputs]\nevents = \"anna/events.csv\"\n").unwrap();
    let o = run_for(dir.path(), &["compare", "fifo.csv", "--out", "out"], 30).expect("a FIFO scenario hung");
    refused(&o, "fifo.csv");
}

/// Events enough that a run takes a while, so that kills land at every stage.
fn big_events(persons: usize) -> Vec<u8> {
    use std::fmt::Write as _;
    let mut s = String::from("person_id,pathway,date,code\n");
    for p in 0..persons {
        for (k, code) in ["POL-CALL", "POL-CALL", "GP-VISIT"].iter().enumerate() {
            let pathway = if k == 2 { "new" } else { "old" };
            let _ = writeln!(s, "P{p:07},{pathway},2023-{:02}-{:02},{code}", 1 + p % 12, 1 + k);
        }
    }
    s.into_bytes()
}

/// The run is killed at moments inside its commit (found by watching for its staging folder);
/// after each kill `out` is the previous complete set, or the new one, or (killed between the
/// two renames) absent with the previous set moved aside; no partial file is left outside a
/// staging folder only its owner can open; the next run recovers and cleans up.
#[cfg(unix)]
#[test]
fn a_killed_run_leaves_the_old_set_or_the_new_never_a_mix() {
    use std::os::unix::fs::PermissionsExt;
    let dir = fixture(&[
        ("catalogue.csv", b"code,agency,unit_cost,price_year\nPOL-CALL,Police,12.50,2024\nGP-VISIT,NHS,40,2024\n"),
        ("deflators.csv", b"year,index\n2024,100\n"),
        ("events.csv", &big_events(10_000)),
    ]);
    let args = |period: &str| {
        [
            "compare",
            "--catalogue",
            "catalogue.csv",
            "--deflators",
            "deflators.csv",
            "--events",
            "events.csv",
            "--period",
            period,
            "--out",
            "out",
        ]
        .map(str::to_owned)
    };
    let o = run_in(dir.path(), &args("month").each_ref().map(String::as_str));
    assert!(o.status.success(), "{}", stderr(&o));
    let monthly = complete_set(&dir.path().join("out"));
    let series = |p: &Path| std::fs::read_to_string(p.join("series.csv")).unwrap();
    let month_series = series(&dir.path().join("out"));
    let mut seen = BTreeMap::<&str, usize>::new();
    for k in 0..8u32 {
        let mut child = Command::new(binary())
            .args(args("year"))
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait for the commit to start, then let it run a little further each time.
        let staging = loop {
            if child.try_wait().unwrap().is_some() {
                break false;
            }
            let found = std::fs::read_dir(dir.path())
                .unwrap()
                .any(|e| e.unwrap().file_name().to_string_lossy().starts_with(".out.journeycost-staging-"));
            if found {
                break true;
            }
        };
        std::thread::sleep(Duration::from_micros(300 * u64::from(k)));
        let _ = child.kill();
        child.wait().unwrap();
        let out = dir.path().join("out");
        let mut aside = Vec::new();
        for e in std::fs::read_dir(dir.path()).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(".out.journeycost-staging-") {
                // Private from its first file on (an empty folder, killed as it was being made
                // private, holds nothing).
                let empty = std::fs::read_dir(e.path()).unwrap().next().is_none();
                assert!(empty || e.metadata().unwrap().permissions().mode() & 0o777 == 0o700, "staging is not private");
                *seen.entry("killed while staging").or_default() += 1;
            } else if name.starts_with(".out.journeycost-old-") {
                aside.push(e.path());
            } else {
                assert!(
                    ["catalogue.csv", "deflators.csv", "events.csv", "out"].contains(&name.as_str()),
                    "left beside: {name}"
                );
            }
        }
        // Whatever the moment: the output is one complete set, of one period.
        let set = if out.exists() {
            out.clone()
        } else {
            *seen.entry("killed between the renames").or_default() += 1;
            aside.pop().expect("out is gone and nothing was moved aside")
        };
        assert_eq!(complete_set(&set), monthly, "kill {k}");
        let s = series(&set);
        if s == month_series {
            *seen.entry("old set in place").or_default() += 1;
        } else {
            assert!(s.lines().nth(1).unwrap().contains(",2023,"), "kill {k}: a series of neither period");
            *seen.entry("new set in place").or_default() += 1;
        }
        assert!(staging || s != month_series, "kill {k}: the run ended without a commit");
        for f in snapshot(dir.path()).keys() {
            assert!(!f.contains("journeycost-partial"), "kill {k}: a partial file {f}");
        }
        // The next run recovers and leaves nothing beside the output.
        let o = run_in(dir.path(), &args("month").each_ref().map(String::as_str));
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(series(&out), month_series);
        let mut top: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        top.sort();
        assert_eq!(top, ["catalogue.csv", "deflators.csv", "events.csv", "out"], "kill {k}");
    }
    eprintln!("killed runs: {seen:?}");
    assert!(seen.contains_key("killed while staging"), "no kill landed in the commit: {seen:?}");
}
