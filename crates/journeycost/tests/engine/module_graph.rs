//! The library's modules depend on each other one way only, down the chain DESIGN.md draws:
//! every `crate::m` a module's code (its tests aside) names must come before it in [`CHAIN`].
//! A new module must be placed in the chain, and a new back-edge fails this test.
//!
//! `io` is formats only (readers, writers, digests); loading a whole set of inputs and the
//! streamed jobs live in `run`, at the top (#14 moved them: `io` used `ledger`, `compare`,
//! `output`, `ucd` and `builtin`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The modules, lowest first: a module may use only those before it.
const CHAIN: &[&str] = &[
    "error",
    "money",
    "period",
    "prices",
    "catalogue",
    "journey",
    // Formats: the readers and writers of files, the importers of published data, the data
    // built into the library.
    "io",
    "ucd",
    "hmt",
    "builtin",
    // The model's computations, then their renderings and the scenario that drives them.
    "ledger",
    "compare",
    "appraisal",
    "extrapolate",
    "arrow",
    "output",
    "scenario",
    // The run layer: loading a set of inputs and the jobs every front end drives.
    "run",
];

/// Every module of the crate (a file or folder of `src/` other than `lib.rs`) and the modules
/// its non-test code names as `crate::m`.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules = BTreeMap::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        if name != "lib" && (path.is_dir() || path.extension().is_some_and(|e| e == "rs")) {
            modules.entry(name).or_insert_with(Vec::new).push(path);
        }
    }
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    let mut graph = BTreeMap::new();
    for (name, paths) in modules {
        let mut uses = BTreeSet::new();
        for file in paths.iter().flat_map(|p| rust_files(p)) {
            let text = std::fs::read_to_string(&file).unwrap();
            // A module's own tests may use anything: they sit below `#[cfg(test)]`. Comments
            // (documentation included) are not uses.
            let code: String = text
                .split("#[cfg(test)]")
                .next()
                .unwrap_or_default()
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            for (i, _) in code.match_indices("crate::") {
                let callee: String =
                    code[i + 7..].chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
                if callee != name && names.contains(&callee) {
                    uses.insert(callee);
                }
            }
        }
        graph.insert(name, uses);
    }
    graph
}

fn rust_files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_owned()];
    }
    let mut out = Vec::new();
    for entry in std::fs::read_dir(path).unwrap() {
        out.extend(rust_files(&entry.unwrap().path()));
    }
    out
}

#[test]
fn modules_depend_down_the_chain_only() {
    let graph = graph();
    let rank = |m: &str| CHAIN.iter().position(|c| *c == m);
    let unplaced: Vec<&String> = graph.keys().filter(|m| rank(m).is_none()).collect();
    assert!(unplaced.is_empty(), "modules not placed in CHAIN: {unplaced:?}");
    let mut back = Vec::new();
    for (from, uses) in &graph {
        for to in uses {
            if rank(to) > rank(from) {
                back.push((from.as_str(), to.as_str()));
            }
        }
    }
    assert!(back.is_empty(), "modules that use a module after them in CHAIN (from, to): {back:?}");
}

#[test]
fn the_graph_sees_the_uses_it_should() {
    let graph = graph();
    assert!(graph["ledger"].contains("journey") && graph["ledger"].contains("money"));
    assert!(graph["error"].is_empty() && graph["money"].is_empty());
    assert!(!graph["catalogue"].contains("catalogue"), "a module's use of itself is not an edge");
}
