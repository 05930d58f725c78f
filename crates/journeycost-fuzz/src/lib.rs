//! Fuzz targets for every reader of journeycost, shared by two drivers:
//!
//! - the stable, bounded fuzzer of this crate (`journeycost-fuzz`, in the test command): seeded
//!   structure-aware mutation of the seed corpus in `fuzz/seeds/`, a fixed number of inputs per
//!   target, the same inputs on every machine; a panic is kept in `fuzz/regressions/`;
//! - the coverage-guided cargo-fuzz project in `fuzz/` (libFuzzer, nightly), for long runs.
//!
//! A target is a function of the bytes of one input file. It returns normally for any input
//! (a reader's error is a normal return); it panics only when journeycost breaks a promise:
//!
//! - a reader panics, or overflows, anywhere in the code it reaches;
//! - an error message shows a control character, has a line longer than [`MAX_MESSAGE_LINE`]
//!   characters, holds more than [`MAX_PROBLEMS_PER_FILE`] problems of one file, or names a
//!   line past the end of the file;
//! - two ways of doing the same thing disagree: the streamed `cost` on one thread and on several
//!   (each reading its own stretch of the file) and the in-memory reader; events read from CSV
//!   and the same events sent through Arrow; a catalogue read and read again from its own export.
//!
//! Every target lives in [`TARGETS`]; the drivers and the replay test take them from there.

#![forbid(unsafe_code)]

pub mod mutate;
pub mod targets;

use journeycost::Error;
use journeycost::error::MAX_PROBLEMS_PER_FILE;

/// The most characters a line of an error message may have: a problem shows its file name, field
/// and message, each cut to [`journeycost::error::MAX_SHOWN_CHARS`] with escapes (at most ten
/// characters each) counted.
pub const MAX_MESSAGE_LINE: usize = 4 * journeycost::error::MAX_SHOWN_CHARS + 200;

/// What the bytes of a target's input are, for the mutator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Lines of text: CSV or TOML.
    Text,
    /// An `.xlsx` workbook: a zip of XML parts, mutated part by part and zipped again.
    Workbook,
    /// Bytes of a binary format (a serialised tally): bytes flipped, cut, repeated or set to
    /// the integers and lengths that break decoders.
    Binary,
}

/// One fuzz target: a reader (or a pair of readers that must agree) fed the bytes of one file.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// The name: the folder of its seeds and regressions, and the cargo-fuzz target.
    pub name: &'static str,
    /// What it reads and what it checks, for `--list`.
    pub about: &'static str,
    /// The shape of its input.
    pub shape: Shape,
    /// Runs the target on one input; panics only on a broken promise.
    pub run: fn(&[u8]),
}

/// Every target, in the order the fuzzer runs them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "tally",
        about: "a serialised comparison tally: read, finished, written again, merged with itself",
        shape: Shape::Binary,
        run: targets::tally,
    },
    Target {
        name: "catalogue",
        about: "catalogue.csv: read, layered, uprated; read again from its own export",
        shape: Shape::Text,
        run: targets::catalogue,
    },
    Target { name: "deflators", about: "deflators.csv: the price index", shape: Shape::Text, run: targets::deflators },
    Target {
        name: "events",
        about: "events.csv with and without a catalogue; Arrow round trip of what it reads",
        shape: Shape::Text,
        run: targets::events,
    },
    Target { name: "persons", about: "persons.csv", shape: Shape::Text, run: targets::persons },
    Target {
        name: "stream-cost",
        about: "events.csv costed streamed on 1, 2 and 3 threads and in memory: the same bytes or the same problems",
        shape: Shape::Text,
        run: targets::stream_cost,
    },
    Target {
        name: "scenario",
        about: "scenario.toml, then the compare, appraisal and extrapolation it asks for",
        shape: Shape::Text,
        run: targets::scenario,
    },
    Target {
        name: "hmt-csv",
        about: "HM Treasury's GDP deflator release as CSV (prices import)",
        shape: Shape::Text,
        run: targets::hmt_csv,
    },
    Target {
        name: "hmt-workbook",
        about: "HM Treasury's GDP deflator release as a workbook (prices import)",
        shape: Shape::Workbook,
        run: targets::hmt_workbook,
    },
    Target {
        name: "ucd-workbook",
        about: "the Unit Cost Database workbook: the import and the GDP deflator of its Lookups sheet",
        shape: Shape::Workbook,
        run: targets::ucd_workbook,
    },
    Target {
        name: "ucd-csv-2014",
        about: "one file of the Unit Cost Database's 2014 CSV export, imported and exported",
        shape: Shape::Text,
        run: targets::ucd_csv_2014,
    },
    Target {
        name: "table",
        about: "a CSV output turned into a typed Arrow table (the Python package's tables)",
        shape: Shape::Text,
        run: targets::table,
    },
];

/// The target called `name`.
#[must_use]
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// The lines of `input` as a reader may count them: a line ends at `\n`, at `\r\n` or at a
/// lone `\r`, and a last line needs no end.
#[must_use]
pub fn line_count(input: &[u8]) -> u64 {
    let mut lines = 1;
    for (i, b) in input.iter().enumerate() {
        if *b == b'\n' || (*b == b'\r' && input.get(i + 1) != Some(&b'\n')) {
            lines += 1;
        }
    }
    lines
}

/// Checks what every error of journeycost promises; `lines` is the number of lines of the one
/// file read, if the error is about one file.
///
/// # Panics
/// On a broken promise, saying which.
pub fn check_error(err: &Error, lines: Option<u64>) {
    let text = err.to_string();
    for line in text.lines() {
        assert!(!line.chars().any(char::is_control), "a control character in a message: {line:?}");
        let n = line.chars().count();
        assert!(n <= MAX_MESSAGE_LINE, "a message line of {n} characters");
    }
    assert!(!text.contains("panicked"), "a panic's text in a message: {text}");
    if let Some(lines) = lines {
        assert!(err.problems().len() <= MAX_PROBLEMS_PER_FILE, "{} problems of one file", err.problems().len());
        for p in err.problems() {
            if let Some(line) = p.location.line {
                assert!(line >= 1 && line <= lines, "a problem on line {line} of a file of {lines} lines: {p}");
            }
        }
    }
}
