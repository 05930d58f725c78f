//! The targets: each reads the bytes of one file as journeycost would, and checks what it
//! promises (see the crate's documentation). Panicking on a broken promise is what a target
//! is for, so the functions do not each document it.
#![allow(clippy::missing_panics_doc)]

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use journeycost::catalogue::{Catalogue, ValueType};
use journeycost::io::{InputPaths, read_catalogue, read_deflators, read_events, read_persons};
use journeycost::ledger::Ledger;
use journeycost::period::PeriodKind;
use journeycost::run::{Inputs, StreamOptions};
use journeycost::{Error, arrow, hmt, output, ucd};

use crate::{check_error, line_count};

/// The catalogue the events and the streamed cost are read against: Anna's.
const CATALOGUE: &str = include_str!("../../../examples/anna/catalogue.csv");
/// The price index beside it.
const DEFLATORS: &str = include_str!("../../../examples/anna/deflators.csv");
/// Anna's events and persons, the inputs a fuzzed scenario names.
const EVENTS: &str = include_str!("../../../examples/anna/events.csv");
const PERSONS: &str = include_str!("../../../examples/anna/persons.csv");

/// At most this many Monte Carlo draws for a fuzzed scenario's extrapolation (a scenario may ask
/// for millions; the draws are not what is fuzzed).
const MAX_DRAWS: u64 = 50;

/// The result of a reader, checked: `Ok` as it is; an error checked against the promises of
/// every error (its lines counted in `input` when it is about that one file).
fn checked<T>(result: Result<T, Error>, input: Option<&[u8]>) -> Option<T> {
    match result {
        Ok(v) => Some(v),
        Err(e) => {
            check_error(&e, input.map(line_count));
            None
        }
    }
}

fn anna_catalogue() -> &'static Catalogue {
    static C: OnceLock<Catalogue> = OnceLock::new();
    C.get_or_init(|| read_catalogue("catalogue.csv", CATALOGUE.as_bytes()).expect("Anna's catalogue reads").catalogue)
}

/// A private folder of this process holding Anna's inputs, for the targets that read files.
fn folder() -> &'static Mutex<tempfile::TempDir> {
    static DIR: OnceLock<Mutex<tempfile::TempDir>> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::Builder::new().prefix("journeycost-fuzz-").tempdir().expect("a temporary folder");
        for (name, text) in [
            ("catalogue.csv", CATALOGUE),
            ("deflators.csv", DEFLATORS),
            ("events.csv", EVENTS),
            ("persons.csv", PERSONS),
        ] {
            std::fs::write(dir.path().join(name), text).expect("writes the inputs");
        }
        Mutex::new(dir)
    })
}

/// The other forms of `input` a reader must read as it reads `input` itself, with the same
/// values or the same problems on the same lines: its line ends as `\r\n` and as a lone `\r`
/// (when it has no `\r` or quote of its own), and a byte-order mark before it (when it starts
/// with text).
fn variants(input: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let mut out = Vec::new();
    if !input.contains(&b'\r') && !input.contains(&b'"') {
        for (what, end) in [("\\r\\n line ends", &b"\r\n"[..]), ("\\r line ends", b"\r")] {
            let mut v = Vec::with_capacity(input.len() * 2);
            for b in input {
                if *b == b'\n' { v.extend_from_slice(end) } else { v.push(*b) }
            }
            out.push((what, v));
        }
    }
    if input.first().is_some_and(|b| !matches!(b, b'\n' | b'\r' | 0xef)) {
        out.push(("a byte-order mark", [&b"\xef\xbb\xbf"[..], input].concat()));
    }
    out
}

/// Checks that `read` gives the same answer for every variant of `input`: equal values, or
/// the same messages.
fn same_for_variants<T: PartialEq + std::fmt::Debug>(input: &[u8], read: impl Fn(&[u8]) -> Result<T, Error>) {
    let want = read(input).map_err(|e| e.to_string());
    for (what, v) in variants(input) {
        let got = read(&v).map_err(|e| e.to_string());
        assert!(got == want, "with {what}, the same input reads otherwise: {got:?} against {want:?}");
    }
}

/// `catalogue.csv`: read; layered; uprated to the latest year of the built-in index; written as
/// `catalogue export` writes it and read again, to the same entries.
pub fn catalogue(input: &[u8]) {
    same_for_variants(input, |i| read_catalogue("catalogue.csv", i).map(|f| (f.catalogue.entries().to_vec(), f.lines)));
    let Some(file) = checked(read_catalogue("catalogue.csv", input), Some(input)) else { return };
    let layered = journeycost::run::layer_catalogues(std::slice::from_ref(&file)).expect("one file layers");
    assert_eq!(layered.entries(), file.catalogue.entries(), "layering one file changed it");
    let index = journeycost::builtin::price_index();
    if let Some(year) = index.latest_outturn() {
        for value in [ValueType::Fiscal, ValueType::Economic, ValueType::Social] {
            let _ = checked(journeycost::catalogue::uprated(&file.catalogue, &index, year, value), None);
        }
    }
    let export = output::catalogue_csv(file.catalogue.entries());
    let again = read_catalogue("export.csv", export.as_slice())
        .unwrap_or_else(|e| panic!("the export of a catalogue does not read: {e}"));
    assert_eq!(again.catalogue.entries(), file.catalogue.entries(), "the export of a catalogue reads as another");
}

/// `deflators.csv`.
pub fn deflators(input: &[u8]) {
    same_for_variants(input, |i| read_deflators("deflators.csv", i));
    if let Some(index) = checked(read_deflators("deflators.csv", input), Some(input)) {
        for (year, value) in index.iter() {
            assert!(value > journeycost::Decimal::ZERO, "{year}: an index of {value}");
        }
    }
}

/// `events.csv`, without a catalogue and with Anna's; what reads is sent through Arrow (as the
/// Python package does) and must come back as the same events.
pub fn events(input: &[u8]) {
    same_for_variants(input, |i| {
        read_events("events.csv", i, Some(anna_catalogue())).map(|j| (0..j.len()).map(|e| j.get(e)).collect::<Vec<_>>())
    });
    let bare = checked(read_events("events.csv", input, None), Some(input));
    let costed = checked(read_events("events.csv", input, Some(anna_catalogue())), Some(input));
    if costed.is_some() {
        assert!(bare.is_some(), "events read against a catalogue but not without one");
    }
    for journeys in [bare, costed].into_iter().flatten() {
        let batch =
            arrow::journeys_to_batch(&journeys).unwrap_or_else(|e| panic!("events that read do not go to Arrow: {e}"));
        let back = arrow::journeys_from_batches(
            "batch",
            &batch.schema(),
            [Ok(batch.clone())],
            None,
            arrow::ReadOptions::default(),
        )
        .unwrap_or_else(|e| panic!("events sent through Arrow do not read back: {e}"));
        assert_eq!(back.len(), journeys.len(), "events lost in Arrow");
        for i in 0..journeys.len() {
            assert_eq!(back.get(i), journeys.get(i), "event {i} changed in Arrow");
        }
    }
}

/// `persons.csv`.
pub fn persons(input: &[u8]) {
    same_for_variants(input, |i| read_persons("persons.csv", i));
    let _ = checked(read_persons("persons.csv", input), Some(input));
}

/// `events.csv` costed by `cost` streamed, on one thread with the careful reader and on two and
/// three threads (each from its own stretch of the file, however small) with the fast one, and
/// costed in memory as `compare` reads it: the same tables, or the same problems.
pub fn stream_cost(input: &[u8]) {
    let answer = stream_cost_answer(input);
    for (what, v) in variants(input) {
        assert_eq!(stream_cost_answer(&v), answer, "with {what}, the same events cost otherwise");
    }
}

/// The streamed cost of `input` on one thread (the same on two and three, and in memory).
fn stream_cost_answer(input: &[u8]) -> Result<journeycost::io::OutputSet, String> {
    let dir = folder().lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let events = dir.path().join("fuzzed-events.csv");
    std::fs::write(&events, input).expect("writes the events");
    let paths = InputPaths {
        catalogue: vec![dir.path().join("catalogue.csv")],
        deflators: Some(dir.path().join("deflators.csv")),
        events,
        persons: None,
    };
    let options = |threads, fast_reader| StreamOptions { threads, min_split_bytes: 1, fast_reader };
    let one = journeycost::run::cost_streaming_with(&paths, None, options(1, false));
    for threads in [2, 3] {
        let many = journeycost::run::cost_streaming_with(&paths, None, options(threads, true));
        assert_eq!(many, one, "{threads} threads differ from one");
    }
    let in_memory = Inputs::load(&paths, None)
        .and_then(|i| Ledger::build(&i.journeys, &i.catalogue, &i.index, i.price_base))
        .map(|l| output::cost_tables(&l));
    match (&one, &in_memory) {
        (Ok(streamed), Ok(read)) => assert_eq!(streamed, read, "the streamed cost differs from the cost in memory"),
        (Err(e), Ok(_)) => panic!("the streamed cost refuses events the reader costs: {e}"),
        (Ok(_), Err(e)) => panic!("the reader refuses events the streamed cost costs: {e}"),
        (Err(a), Err(b)) => {
            check_error(a, Some(line_count(input)));
            check_error(b, None);
        }
    }
    one.map_err(|e| e.to_string())
}

/// `scenario.toml` beside Anna's inputs: parsed; then, when it names inputs in its own folder,
/// the comparison, the appraisal and the extrapolation (at most [`MAX_DRAWS`] draws) it asks for.
pub fn scenario(input: &[u8]) {
    let Ok(text) = std::str::from_utf8(input) else { return };
    let dir = folder().lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let Some(s) = checked(journeycost::scenario::Scenario::parse(text, dir.path(), "scenario.toml"), Some(input))
    else {
        return;
    };
    // Only Anna's files are read: a fuzzed path could name any file of the machine.
    let ours = |p: &Path| p.parent() == Some(dir.path()) && p.is_file();
    let files: Vec<PathBuf> = s.inputs.files();
    if !files.iter().all(|p| ours(p)) || s.inputs.deflators.is_none() {
        return;
    }
    let Some(inputs) = checked(Inputs::load(&s.inputs, s.price_year), None) else { return };
    let values = s.values.unwrap_or(&[ValueType::Fiscal]);
    let Some(ledger) = checked(
        Ledger::build_with(&inputs.journeys, &inputs.catalogue, &inputs.index, inputs.price_base, values),
        None,
    ) else {
        return;
    };
    let options = s.compare.options(PeriodKind::Quarter);
    let Some(comparison) = checked(journeycost::compare::compare(&ledger, &options, None), None) else { return };
    assert_eq!(comparison.savings.persons, comparison.persons.len(), "persons counted twice");
    let _ = checked(journeycost::appraisal::appraise(&ledger, &inputs.catalogue, &s.appraisal_spec()), None);
    if let Some(plan) = &s.extrapolation {
        let Some(mut spec) = checked(plan.resolve(&comparison.persons, inputs.persons.as_ref()), None) else { return };
        spec.set_draws(spec.draws.min(MAX_DRAWS), journeycost::appraisal::Origin::CommandLine("--draws".into()));
        let _ = checked(journeycost::extrapolate::extrapolate(&spec, 1, None), None);
    }
}

/// HM Treasury's GDP deflator release as CSV; what reads is written as `deflators.csv` and must
/// read as a price index.
pub fn hmt_csv(input: &[u8]) {
    if let Some(years) = checked(hmt::read_csv("gdp.csv", input), Some(input)) {
        written_index_reads(&years);
    }
}

/// The release as a workbook.
pub fn hmt_workbook(input: &[u8]) {
    if let Some(years) = checked(hmt::read_workbook("gdp.xlsx", Cursor::new(input)), None) {
        written_index_reads(&years);
    }
}

fn written_index_reads(years: &[hmt::DeflatorYear]) {
    let csv = hmt::deflators_csv(years);
    if let Err(e) = read_deflators("deflators.csv", csv.as_slice()) {
        panic!("prices import writes a deflators.csv that does not read: {e}");
    }
}

/// The Unit Cost Database workbook: imported and exported as a catalogue (which must read), and
/// its GDP deflator table read as a price index.
pub fn ucd_workbook(input: &[u8]) {
    if let Some(workbook) = checked(ucd::read_workbook("ucd.xlsx", Cursor::new(input)), None) {
        let (import, _) = workbook.into_import();
        exported_catalogue_reads(&import);
    }
    let _ = checked(ucd::read_gdp_deflator("ucd.xlsx", Cursor::new(input)), None);
}

/// One file of the 2014 CSV export, imported and exported as a catalogue (which must read).
pub fn ucd_csv_2014(input: &[u8]) {
    if let Some(import) = checked(ucd::read_csv_2014("HEALTH.csv", input), Some(input)) {
        exported_catalogue_reads(&import);
    }
}

fn exported_catalogue_reads(import: &ucd::UcdImport) {
    for p in &import.problems {
        check_error(&Error::from_problems(vec![p.clone()], 0), None);
    }
    for value in [ValueType::Fiscal, ValueType::Economic, ValueType::Social] {
        let export = ucd::catalogue_csv(&import.lines, value);
        // No line with this value: `catalogue import` refuses to write an empty catalogue.
        if export.written == 0 {
            continue;
        }
        if let Err(e) = read_catalogue("catalogue.csv", export.csv.as_slice()) {
            panic!("the {value:?} catalogue of an import does not read: {e}");
        }
    }
}

/// A serialised comparison tally (bytes from another machine): what reads finishes without
/// overflow, writes back the same bytes, and refuses to merge with itself (its persons are in
/// both) unless it has none.
pub fn tally(input: &[u8]) {
    let Ok(t) = journeycost::compare::CompareTally::from_bytes(input) else { return };
    let _ = t.finish();
    let bytes = t.to_bytes();
    match journeycost::compare::CompareTally::from_bytes(&bytes) {
        Ok(again) => assert!(again == t, "a tally read back differs"),
        Err(e) => panic!("a tally's own bytes do not read: {e}"),
    }
    let mut twice = t.clone();
    if t.persons().next().is_some() {
        assert!(twice.merge(t.clone()).is_err(), "a tally merged with itself");
        assert!(twice == t, "a failed merge changed the tally");
    }
}

/// A CSV output turned into a typed Arrow table (never panics, whatever the bytes).
pub fn table(input: &[u8]) {
    for (table, _) in arrow::SCHEMAS {
        let _ = arrow::table_from_csv(table, input);
    }
}
