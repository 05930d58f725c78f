use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (two levels above this crate).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// Runs the binary with `args` in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_journeycost")).args(args).current_dir(dir).output().unwrap()
}

/// `--catalogue DIR/catalogue.csv --deflators DIR/deflators.csv --events DIR/events.csv`.
pub fn input_flags(dir: &Path) -> Vec<String> {
    ["catalogue", "deflators", "events"]
        .iter()
        .flat_map(|f| [format!("--{f}"), dir.join(format!("{f}.csv")).to_string_lossy().into_owned()])
        .collect()
}

/// Runs the binary with a command, the input flags of `data`, and more arguments.
pub fn run_on(dir: &Path, command: &str, data: &Path, more: &[&str]) -> Output {
    let flags = input_flags(data);
    let mut args: Vec<&str> = vec![command];
    args.extend(flags.iter().map(String::as_str));
    args.extend(more);
    run_in(dir, &args)
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Writes `files` (name, contents) into a fresh temporary directory.
pub fn fixture(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    dir
}

/// Compares every file of `expected_dir` with the same name in `actual_dir`; with
/// `JOURNEYCOST_BLESS=1` in the environment, rewrites the expected files instead.
pub fn assert_same_files(actual_dir: &Path, expected_dir: &Path, names: &[&str]) {
    let bless = std::env::var_os("JOURNEYCOST_BLESS").is_some();
    for name in names {
        let actual = std::fs::read(actual_dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let path = expected_dir.join(name);
        if bless {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if actual != expected {
            let (a, e) = (String::from_utf8_lossy(&actual), String::from_utf8_lossy(&expected));
            let first =
                a.lines().zip(e.lines()).position(|(x, y)| x != y).unwrap_or(a.lines().count().min(e.lines().count()));
            panic!(
                "{name} differs from {} at line {}:\n  actual:   {:?}\n  expected: {:?}",
                path.display(),
                first + 1,
                a.lines().nth(first),
                e.lines().nth(first)
            );
        }
    }
}

/// Every file under `dir`, relative and sorted, as `/`-separated names.
pub fn files_under(dir: &std::path::Path) -> Vec<String> {
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
