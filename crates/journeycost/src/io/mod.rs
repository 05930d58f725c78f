//! The formats: reading the input files and writing output files.
//!
//! Readers take one file each (any `Read`) and report every problem of it at once; loading and
//! cross-checking a whole set is `run::Inputs::load`, in the layer above. Writers render
//! tables as RFC 4180 CSV (minimal quoting, LF, UTF-8 without BOM) and [`OutputSet::commit`]
//! makes a folder hold exactly a set of files, all at once, without replacing an input.
//!
//! An input that is not a regular file is looked at before it is opened: a pipe without a name
//! (`--events <(zcat events.csv.gz)`, `/dev/stdin`) is read once, its SHA-256 taken as it is
//! read, so `run::digests` reports what was read; a named FIFO (opening one waits for a writer,
//! perhaps for ever), a folder or a device is refused with a message naming it.

mod lines;
pub(crate) use lines::LineCounter;
pub(crate) use read::{check_index, line_of};
pub(crate) mod read;
mod write;

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

#[cfg(feature = "arrow")]
pub(crate) use read::catalogue_problem;
pub use read::{
    CatalogueFile, MAX_INDEX_DECIMALS, journeys_from_events, parse_decimal, read_catalogue, read_deflators,
    read_events, read_persons,
};
pub use write::{CsvTable, MANIFEST, OutputSet, check_out_dir, check_out_file, write_file};

use crate::error::{Error, Location, ProblemKind, io_error};
use crate::prices::PriceIndex;

/// The name that stands for the built-in catalogue among catalogue paths.
pub const BUILTIN: &str = "builtin";

pub(crate) fn is_builtin(path: &Path) -> bool {
    path.as_os_str() == BUILTIN
}

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
