//! The stable, bounded fuzzer: mutates the seed corpus of each target with a seeded generator,
//! runs the target on every mutant, and keeps any input that breaks a promise (a panic) in the
//! regressions folder, named by its SHA-256, where the replay test runs it ever after.
//!
//! ```text
//! journeycost-fuzz [--inputs N] [--seed S] [--corpus fuzz] [TARGET...]
//! ```
//!
//! The same arguments give the same inputs on every machine, so a CI failure can be run again
//! here. An input that aborts the process (which no panic handler sees) is left in
//! `in-progress/<target>` under the corpus folder. Exit status: 0 when every input passed, 1 when one broke a promise, 2 on bad usage.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use journeycost_fuzz::{TARGETS, Target, mutate};
use rand::SeedableRng;
use sha2::{Digest, Sha256};

/// Fuzz journeycost's readers for a bounded number of inputs, reproducibly.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Mutated inputs per target.
    #[arg(long, default_value_t = 2_000)]
    inputs: u64,
    /// The seed of the mutations (each target mixes in its name).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The folder holding `seeds/<target>/` (read) and `regressions/<target>/` (written).
    #[arg(long, default_value = "fuzz")]
    corpus: PathBuf,
    /// List the targets and stop.
    #[arg(long)]
    list: bool,
    /// The targets to run (all when none is named).
    targets: Vec<String>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.list {
        for t in TARGETS {
            println!("{:<14} {}", t.name, t.about);
        }
        return ExitCode::SUCCESS;
    }
    let mut chosen = Vec::new();
    for name in &args.targets {
        let Some(t) = journeycost_fuzz::target(name) else {
            eprintln!("error: no target {name:?} (see --list)");
            return ExitCode::from(2);
        };
        chosen.push(t);
    }
    if chosen.is_empty() {
        chosen = TARGETS.iter().collect();
    }
    // A panic's message is kept, not printed as it happens: the fuzzer reports it once.
    let last_panic = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let keep = last_panic.clone();
    std::panic::set_hook(Box::new(move |info| {
        let place = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| info.payload().downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default();
        *keep.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = format!("{message}{place}");
    }));
    let mut failed = false;
    for target in chosen {
        match fuzz(target, &args, &last_panic) {
            Ok(found) => failed |= found > 0,
            Err(e) => {
                eprintln!("error: {}: {e}", target.name);
                return ExitCode::from(2);
            }
        }
    }
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

/// Runs one target on its seeds and `args.inputs` mutants; returns how many inputs failed.
fn fuzz(target: &Target, args: &Args, last_panic: &std::sync::Mutex<String>) -> Result<u64, String> {
    let seeds = read_folder(&args.corpus.join("seeds").join(target.name))?;
    if seeds.is_empty() {
        return Err(format!("no seeds in {}", args.corpus.join("seeds").join(target.name).display()));
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(args.seed ^ name_hash(target.name));
    let started = std::time::Instant::now();
    let mut failures = 0;
    let inputs = seeds.iter().cloned().chain((0..args.inputs).map(|_| {
        let seed = &seeds[rand::RngExt::random_range(&mut rng, 0..seeds.len())];
        mutate::mutate(&mut rng, seed, &seeds, target.shape)
    }));
    // An abort (a failed allocation, a stack overflow) cannot be caught: the input being run is
    // kept on disk until the target is done, so that the one that killed the process is there.
    let in_progress = args.corpus.join("in-progress");
    std::fs::create_dir_all(&in_progress).map_err(|e| format!("cannot create {}: {e}", in_progress.display()))?;
    let current = in_progress.join(target.name);
    let mut count = 0u64;
    for input in inputs {
        count += 1;
        std::fs::write(&current, &input).map_err(|e| format!("cannot write {}: {e}", current.display()))?;
        if catch_unwind(AssertUnwindSafe(|| (target.run)(&input))).is_err() {
            failures += 1;
            let message = std::mem::take(&mut *last_panic.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
            let kept = keep_regression(&args.corpus, target.name, &input)?;
            eprintln!("FAIL {}: {message}\n  input kept as {}", target.name, kept.display());
        }
    }
    let _ = std::fs::remove_file(&current);
    let _ = std::fs::remove_dir(&in_progress);
    println!("{:<14} {count:>6} inputs, {failures} failed, {:.1} s", target.name, started.elapsed().as_secs_f64());
    Ok(failures)
}

/// The files of a folder (none if it is missing), in name order.
fn read_folder(dir: &Path) -> Result<Vec<Vec<u8>>, String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(Vec::new()) };
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect();
    paths.sort();
    paths.iter().map(|p| std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()))).collect()
}

/// Writes a failing input to `regressions/<target>/<sha256>`, and returns its path.
fn keep_regression(corpus: &Path, target: &str, input: &[u8]) -> Result<PathBuf, String> {
    let dir = corpus.join("regressions").join(target);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let digest = Sha256::digest(input);
    let name = digest.iter().take(16).fold(String::new(), |mut s, b| {
        use std::fmt::Write as _;
        let _ = write!(s, "{b:02x}");
        s
    });
    let path = dir.join(name);
    std::fs::write(&path, input).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// A stable 64-bit hash of a target's name (FNV-1a), so each target has its own stream.
fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}
