//! Reading the input files and writing output files.
//!
//! [`Inputs::load`] reads a whole set (catalogue, deflators, events, optional persons), checks
//! them against each other and reports every problem of every file at once. Writers render
//! tables as RFC 4180 CSV (minimal quoting, LF, UTF-8 without BOM) and [`OutputSet::commit`]
//! makes a folder hold exactly a set of files, all at once, without replacing an input.
//!
//! An input that is not a regular file is looked at before it is opened: a pipe without a name
//! (`--events <(zcat events.csv.gz)`, `/dev/stdin`) is read once, its SHA-256 taken as it is
//! read, so [`digests`] reports what was read; a named FIFO (opening one waits for a writer,
//! perhaps for ever), a folder or a device is refused with a message naming it.

mod compare_stream;
mod lines;
pub(crate) use lines::LineCounter;
pub(crate) use read::{check_index, line_of};
mod read;
mod stream;
mod write;

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

pub use compare_stream::{PART, compare_streaming, compare_streaming_in_parts};
#[cfg(feature = "arrow")]
pub(crate) use read::catalogue_problem;
pub use read::{
    CatalogueFile, MAX_INDEX_DECIMALS, journeys_from_events, parse_decimal, read_catalogue, read_deflators,
    read_events, read_persons,
};
pub use stream::{StreamOptions, cost_streaming, cost_streaming_with, cost_tables_of};
pub use write::{CsvTable, MANIFEST, OutputSet, check_out_dir, check_out_file, write_file};

use crate::catalogue::{Catalogue, MissingYears};

use crate::error::{Error, Location, Problem, ProblemKind, Problems, io_error};
use crate::journey::{Journeys, Persons};
use crate::prices::{PriceIndex, PriceYear};

/// The paths of an input set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputPaths {
    /// The catalogues, later ones overriding earlier ones code by code. The path `builtin`
    /// stands for the built-in Unit Cost Database ([`builtin::catalogue`](crate::builtin::catalogue));
    /// no catalogue at all means the built-in one.
    pub catalogue: Vec<PathBuf>,
    /// `deflators.csv`; `None` for the built-in HM Treasury GDP deflator
    /// ([`builtin::price_index`](crate::builtin::price_index)).
    pub deflators: Option<PathBuf>,
    /// `events.csv`.
    pub events: PathBuf,
    /// `persons.csv`, if any.
    pub persons: Option<PathBuf>,
}

impl InputPaths {
    /// The files of the set, in the order catalogues, deflators, events, persons (`builtin`
    /// names no file): what an output folder must not hold.
    #[must_use]
    pub fn files(&self) -> Vec<PathBuf> {
        let catalogues = self.catalogue.iter().filter(|p| !is_builtin(p));
        catalogues.chain(&self.deflators).chain([&self.events]).chain(&self.persons).cloned().collect()
    }
}

/// The SHA-256 of one input file, for provenance.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InputDigest {
    /// Which input: `catalogue`, `deflators`, `events` or `persons`.
    pub role: &'static str,
    /// The file's name, without its directory (so outputs do not depend on where it lives).
    pub file: String,
    /// Lowercase hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// A note on how the input was used, e.g. that the price base is a forecast year of the
    /// price index; not written when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A loaded, cross-checked input set.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The unit costs.
    pub catalogue: Catalogue,
    /// The price index.
    pub index: PriceIndex,
    /// The events.
    pub journeys: Journeys,
    /// Person attributes, if a persons file was given.
    pub persons: Option<Persons>,
    /// The price base: the requested year, or the latest outturn (not forecast) year of the index.
    pub price_base: PriceYear,
}

impl Inputs {
    /// Reads and checks every file of `paths`.
    ///
    /// Checks, beyond each file's own rules: every event code is in the catalogue; spells use
    /// time-rate units; the price year of every unit cost that an event uses, and the target
    /// price year, are in the price index.
    ///
    /// # Errors
    /// Every problem of every file (each file's list capped), in the order catalogue, deflators,
    /// events, persons.
    pub fn load(paths: &InputPaths, price_year: Option<PriceYear>) -> Result<Inputs, Error> {
        let catalogue = load_layered(&paths.catalogue);
        let index = load_deflators(paths.deflators.as_deref());
        let events = match &catalogue {
            Ok(c) => open(&paths.events).and_then(|(n, f)| read_events(&n, f, Some(&c.catalogue))),
            Err(_) => open(&paths.events).and_then(|(n, f)| read_events(&n, f, None)),
        };
        let persons = paths.persons.as_ref().map(|p| open(p).and_then(|(n, f)| read_persons(&n, f)));
        let (catalogue, index, journeys, persons) = match (catalogue, index, events, persons.transpose()) {
            (Ok(c), Ok(i), Ok(e), Ok(p)) => (c, i, e, p),
            (c, i, e, p) => {
                let errs = [c.err(), i.err(), e.err(), p.err()].into_iter().flatten();
                return Err(Error::merge(errs).unwrap_or_else(|| {
                    Error::new(Location::source("inputs"), ProblemKind::Io, "cannot read the inputs")
                }));
            }
        };
        let deflators = deflators_name(paths);
        let price_base = price_base_of(&index, price_year, &deflators)?;
        let mut used = vec![false; catalogue.catalogue.len()];
        for code in journeys.codes().names() {
            if let Some(i) = catalogue.catalogue.position(code) {
                used[i] = true;
            }
        }
        let problems = price_year_problems(&catalogue, &index, &deflators, price_base, &used);
        problems.into_result(Inputs { catalogue: catalogue.catalogue, index, journeys, persons, price_base })
    }
}

/// The display name of the price index: its file, or the built-in deflator's name.
pub(crate) fn deflators_name(paths: &InputPaths) -> String {
    paths.deflators.as_deref().map_or_else(|| crate::builtin::HMT_DEFLATOR_NAME.to_owned(), name_of)
}

/// The price base: the requested year, or the latest year of the index.
pub(crate) fn price_base_of(
    index: &PriceIndex,
    price_year: Option<PriceYear>,
    deflators: &str,
) -> Result<PriceYear, Error> {
    price_year
        .or_else(|| index.latest_outturn())
        .ok_or_else(|| Error::new(Location::source(deflators), ProblemKind::Empty, "the price index has no years"))
}

/// The price years missing from the index: the price base, and the price year of each unit
/// cost that is used (`used`, by catalogue position), with the catalogue line it comes from.
pub(crate) fn price_year_problems(
    layered: &Layered,
    index: &PriceIndex,
    deflators: &str,
    price_base: PriceYear,
    used: &[bool],
) -> Problems {
    let mut problems = Problems::default();
    if index.get(price_base).is_none() {
        problems.push(Problem::new(
            Location::source(deflators),
            ProblemKind::MissingPriceYear,
            format!("the target price year {price_base} is not in the price index (it has {})", span(index)),
        ));
    }
    // One problem per missing year, however many unit costs are priced in it.
    let mut missing = MissingYears::default();
    for (i, u) in layered.catalogue.entries().iter().enumerate() {
        if used.get(i).copied().unwrap_or(false) && index.get(u.price_year).is_none() {
            let at = Location::source(&layered.origins[i].0).at_line(layered.origins[i].1).in_field("price_year");
            missing.add(u.price_year, &u.code, at);
        }
    }
    for p in missing.problems(index, deflators) {
        problems.push(p);
    }
    problems
}

/// Reads a price index: a `deflators.csv` (with `index` or `change_percent`), the Lookups GDP
/// table of a Unit Cost Database workbook (recognised by its first bytes), or, for `None`, the
/// built-in HM Treasury deflator.
///
/// # Errors
/// The file's problems.
pub fn load_deflators(path: Option<&Path>) -> Result<PriceIndex, Error> {
    if let Some((index, _, _)) = path.and_then(|p| p.to_str()).and_then(crate::builtin::price_index_named) {
        return Ok(index);
    }
    match path {
        None => Ok(crate::builtin::price_index()),
        Some(p) if crate::ucd::is_workbook(p) => {
            let f = File::open(p).map_err(|e| io_error(p, "open the file", &e))?;
            crate::ucd::read_gdp_deflator(&name_of(p), BufReader::new(f)).map(|d| d.index)
        }
        Some(p) => open(p).and_then(|(n, f)| read_deflators(&n, f)),
    }
}

/// The name that stands for the built-in catalogue among catalogue paths.
pub const BUILTIN: &str = "builtin";

fn is_builtin(path: &Path) -> bool {
    path.as_os_str() == BUILTIN
}

/// Reads and layers catalogues as [`InputPaths::catalogue`] describes: the built-in one when
/// `paths` is empty; `builtin` for it among others; later catalogues override earlier codes.
///
/// # Errors
/// Every problem of every catalogue.
pub fn load_catalogues(paths: &[PathBuf]) -> Result<Catalogue, Error> {
    load_layered(paths).map(|l| l.catalogue)
}

/// Catalogues layered into one, with each entry's source and line.
pub(crate) struct Layered {
    pub(crate) catalogue: Catalogue,
    pub(crate) origins: Vec<(String, u64)>,
}

/// Reads every catalogue (the built-in one when none is named) and layers them: a later
/// catalogue's entry replaces an earlier entry with the same code, in its place; new codes are
/// appended.
pub(crate) fn load_layered(paths: &[PathBuf]) -> Result<Layered, Error> {
    let builtin = [PathBuf::from(BUILTIN)];
    let paths = if paths.is_empty() { &builtin[..] } else { paths };
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        let file = if is_builtin(p) {
            Ok(crate::builtin::catalogue_file())
        } else if crate::ucd::is_workbook(p) {
            // A Unit Cost Database workbook: imported as `catalogue import` would write it.
            crate::ucd::import_file(p).and_then(|import| {
                let export = crate::ucd::catalogue_csv(&import.lines, crate::catalogue::ValueType::Fiscal);
                read_catalogue(&name_of(p), export.csv.as_slice())
            })
        } else {
            open(p).and_then(|(n, f)| read_catalogue(&n, f))
        };
        match file {
            Ok(f) => files.push(f),
            Err(e) => errors.push(e),
        }
    }
    if let Some(e) = Error::merge(errors) {
        return Err(e);
    }
    layer_files(&files)
}

/// Layers catalogues already read: a later catalogue's entry replaces an earlier entry with
/// the same code, in its place; new codes are appended.
///
/// # Errors
/// Never for files that were read on their own; kept for the checks of [`Catalogue::new`].
pub fn layer_catalogues(files: &[CatalogueFile]) -> Result<Catalogue, Error> {
    layer_files(files).map(|l| l.catalogue)
}

fn layer_files(files: &[CatalogueFile]) -> Result<Layered, Error> {
    let mut entries: Vec<crate::catalogue::UnitCost> = Vec::new();
    let mut origins: Vec<(String, u64)> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for f in files {
        for (u, line) in f.catalogue.entries().iter().zip(&f.lines) {
            let origin = (f.name.clone(), *line);
            if let Some(&i) = at.get(&u.code) {
                entries[i] = u.clone();
                origins[i] = origin;
            } else {
                at.insert(u.code.clone(), entries.len());
                entries.push(u.clone());
                origins.push(origin);
            }
        }
    }
    Ok(Layered { catalogue: Catalogue::new(entries)?, origins })
}

pub(crate) fn span(index: &PriceIndex) -> String {
    index.coverage()
}

/// The name used for a path in messages: as the user gave it.
pub(crate) fn name_of(path: &Path) -> String {
    path.display().to_string()
}

pub(crate) fn open(path: &Path) -> Result<(String, BufReader<InputFile>), Error> {
    let kind = input_kind(path)?;
    let f = File::open(path).map_err(|e| io_error(path, "open the file", &e))?;
    let pipe = match kind {
        InputKind::File => None,
        InputKind::Pipe(id) => Some((id, Sha256::new())),
    };
    Ok((name_of(path), BufReader::with_capacity(1 << 16, InputFile { file: f, pipe })))
}

/// What an input is, found without opening it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InputKind {
    /// A regular file (or a path that cannot be looked at: opening it reports why).
    File,
    /// A pipe without a name, such as `<(cat events.csv)` or `/dev/stdin`: it can be read once,
    /// and it is identified by its (device, inode).
    Pipe((u64, u64)),
}

/// Checks that an input can be read without waiting for ever: a regular file, or a pipe
/// without a name (whose writer exists already).
///
/// # Errors
/// If `path` is a folder, a named FIFO (opening one waits for a writer, perhaps for ever), a
/// device or a socket.
pub fn check_input(path: &Path) -> Result<(), Error> {
    input_kind(path).map(|_| ())
}

pub(crate) fn input_kind(path: &Path) -> Result<InputKind, Error> {
    let refuse = |message: &str| Error::new(Location::source(name_of(path)), ProblemKind::Io, message);
    let Ok(meta) = std::fs::metadata(path) else { return Ok(InputKind::File) };
    if meta.is_file() {
        return Ok(InputKind::File);
    }
    if meta.is_dir() {
        return Err(refuse("is a folder, not a file"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _};
        if meta.file_type().is_fifo() {
            // A pipe made by the shell for `<(...)` has no name: its path resolves through
            // /dev/fd to no file (or, on some systems, stays in /dev/fd).
            let anonymous =
                std::fs::canonicalize(path).map_or(true, |c| c.starts_with("/dev/fd") || c.starts_with("/proc"));
            if anonymous {
                return Ok(InputKind::Pipe((meta.dev(), meta.ino())));
            }
            return Err(refuse(
                "is a named pipe (FIFO), which journeycost does not open, since opening one waits for a writer: \
                 give a regular file, or a command's output as <(cat FILE)",
            ));
        }
    }
    Err(refuse("is not a regular file (a device or a socket): give a regular file"))
}

/// The SHA-256 of each pipe read so far, by (device, inode): a pipe can be read only once, so
/// [`digest`] takes its SHA-256 from here rather than read it again.
static PIPE_DIGESTS: Mutex<Vec<((u64, u64), String)>> = Mutex::new(Vec::new());

/// An input being read: a file, or a pipe whose SHA-256 is taken as it is read and recorded in
/// [`PIPE_DIGESTS`] when it ends (a reader that stops early reads the rest when dropped).
pub(crate) struct InputFile {
    file: File,
    pipe: Option<((u64, u64), Sha256)>,
}

impl InputFile {
    fn finish(&mut self) {
        if let Some((id, hasher)) = self.pipe.take() {
            let hex = hex(&hasher.finalize());
            let mut digests = PIPE_DIGESTS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            digests.retain(|(d, _)| *d != id);
            digests.push((id, hex));
        }
    }
}

impl Read for InputFile {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        if let Some((_, hasher)) = &mut self.pipe {
            hasher.update(&buf[..n]);
            if n == 0 && !buf.is_empty() {
                self.finish();
            }
        }
        Ok(n)
    }
}

impl Drop for InputFile {
    fn drop(&mut self) {
        if self.pipe.is_some() {
            let mut buf = vec![0u8; 1 << 16];
            loop {
                match self.read(&mut buf) {
                    Ok(0) => break,
                    Err(e) if e.kind() != std::io::ErrorKind::Interrupted => break,
                    _ => {}
                }
            }
        }
    }
}

/// [`digests`], with a note on the price index when the price base is one of its forecast
/// years (see [`PriceIndex::forecast_note`]).
///
/// # Errors
/// If a file cannot be read.
pub fn digests_at(paths: &InputPaths, price_base: PriceYear) -> Result<Vec<InputDigest>, Error> {
    let mut all = digests(paths)?;
    let note = load_deflators(paths.deflators.as_deref()).ok().and_then(|index| index.forecast_note(price_base, []));
    if let Some(d) = all.iter_mut().find(|d| d.role == "deflators") {
        d.note = note;
    }
    Ok(all)
}

/// The SHA-256 of every file of an input set, in the order catalogue, deflators, events, persons.
///
/// # Errors
/// If a file cannot be read.
pub fn digests(paths: &InputPaths) -> Result<Vec<InputDigest>, Error> {
    let deflators = match &paths.deflators {
        Some(p) => match p.to_str().and_then(crate::builtin::price_index_named) {
            Some((_, d, _)) => d,
            None => digest("deflators", p)?,
        },
        None => crate::builtin::price_index_digest(),
    };
    let mut out = Vec::new();
    if paths.catalogue.is_empty() {
        out.push(crate::builtin::catalogue_digest());
    }
    for c in &paths.catalogue {
        out.push(if is_builtin(c) { crate::builtin::catalogue_digest() } else { digest("catalogue", c)? });
    }
    out.extend([deflators, digest("events", &paths.events)?]);
    if let Some(p) = &paths.persons {
        out.push(digest("persons", p)?);
    }
    Ok(out)
}

/// The provenance record of bytes that are not a file (built-in data).
#[must_use]
pub fn digest_bytes(role: &'static str, name: &str, bytes: &[u8]) -> InputDigest {
    InputDigest { role, file: name.to_owned(), sha256: hex(&Sha256::digest(bytes)), note: None }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        use std::fmt::Write as _;
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The provenance record of one file: its name (without its directory) and SHA-256.
///
/// # Errors
/// If the file cannot be read.
pub fn digest(role: &'static str, path: &Path) -> Result<InputDigest, Error> {
    let file = path.file_name().map_or_else(|| name_of(path), |n| n.to_string_lossy().into_owned());
    if let InputKind::Pipe(id) = input_kind(path)? {
        let digests = PIPE_DIGESTS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let found = digests.iter().find(|(d, _)| *d == id).map(|(_, hex)| hex.clone());
        return found.map(|sha256| InputDigest { role, file, sha256, note: None }).ok_or_else(|| {
            Error::new(
                Location::source(name_of(path)),
                ProblemKind::Io,
                "is a pipe that has not been read yet, and a pipe can be read only once",
            )
        });
    }
    let mut f = File::open(path).map_err(|e| io_error(path, "open the file", &e))?;
    let sha256 = sha256_of(&mut f).map_err(|e| io_error(path, "read the file", &e))?;
    Ok(InputDigest { role, file, sha256, note: None })
}

/// The lowercase hex SHA-256 of everything `input` holds, read in blocks.
pub(crate) fn sha256_of(input: &mut impl Read) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(hex(&hasher.finalize()))
}
