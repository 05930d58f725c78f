//! Writing: CSV tables, and sets of output files that replace their folder whole, all at once.
//!
//! An output folder (`--out`) is one journeycost owns: it does not exist yet, or it is empty,
//! or a previous run wrote it (its [`MANIFEST`] lists every file and its SHA-256, and nothing
//! else is in it). [`OutputSet::commit`] writes the new set into a private staging folder beside
//! it, then swaps the staging folder in for the old one with two renames, and removes the old
//! one. A run killed part way leaves the old set or the new one in place, never a mix; the
//! staging (or the old set moved aside) it leaves is removed, or put back, by the next run.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::fs;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Location, ProblemKind, io_error};

/// A CSV table being built: RFC 4180 with minimal quoting, LF line endings, UTF-8, no BOM.
///
/// # Example
/// ```
/// use journeycost::io::CsvTable;
///
/// let mut t = CsvTable::new(&["agency", "cost"]);
/// t.row(["Housing, Ltd", "1.00"]);
/// t.row(["The \"Hub\"", "2.00"]);
/// assert_eq!(t.into_bytes(), b"agency,cost\n\"Housing, Ltd\",1.00\n\"The \"\"Hub\"\"\",2.00\n");
/// ```
#[derive(Debug)]
pub struct CsvTable {
    writer: csv::Writer<Vec<u8>>,
}

impl CsvTable {
    /// A table with this header row.
    #[must_use]
    pub fn new(header: &[&str]) -> CsvTable {
        let mut t = CsvTable {
            writer: csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .quote_style(csv::QuoteStyle::Necessary)
                .from_writer(Vec::new()),
        };
        t.row(header);
        t
    }

    /// Appends a row.
    ///
    /// # Panics
    /// Never in practice: the table writes into memory, which cannot fail for I/O reasons.
    pub fn row<I, T>(&mut self, fields: I)
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        // Writing into a Vec cannot fail for I/O reasons, and every row is written with the
        // flexible check off, so this only fails on a programming error.
        self.writer.write_record(fields).expect("writing CSV to memory");
    }

    /// The finished bytes.
    #[must_use]
    pub fn into_bytes(self) -> Vec<u8> {
        self.writer.into_inner().unwrap_or_default()
    }
}

/// The file that marks a folder as written by journeycost: a JSON document listing every file
/// of the set and its SHA-256 (schema `journeycost/manifest/1`), written with the set.
pub const MANIFEST: &str = ".journeycost-manifest.json";

const MANIFEST_SCHEMA: &str = "journeycost/manifest/1";

/// Held while a commit runs (see [`OutputSet::commit_with`]).
static COMMITTING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// How many unexpected entries an error names before it counts the rest.
const NAMED: usize = 5;

/// A set of named output files, written together by [`OutputSet::commit`].
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct OutputSet {
    files: Vec<(String, Vec<u8>)>,
}

/// A point in [`OutputSet::commit`] where a test can stop the run as a kill would.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The file with this index has been written into the staging folder.
    Wrote(usize),
    /// Every file and the manifest are in the staging folder.
    Staged,
    /// The previous folder has been renamed aside.
    MovedAside,
    /// The staging folder has been renamed into place.
    MovedIn,
}

impl OutputSet {
    /// An empty set.
    #[must_use]
    pub fn new() -> OutputSet {
        OutputSet::default()
    }

    /// Adds a file (a name relative to the output directory, `/`-separated) and its bytes.
    pub fn add(&mut self, name: impl Into<String>, bytes: Vec<u8>) {
        self.files.push((name.into(), bytes));
    }

    /// The files, in the order added.
    #[must_use]
    pub fn files(&self) -> &[(String, Vec<u8>)] {
        &self.files
    }

    /// The bytes of a file of the set.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.files.iter().find(|(n, _)| n == name).map(|(_, b)| b.as_slice())
    }

    /// The manifest of the set: `{"schema", "journeycost_version", "files": [{"file",
    /// "sha256"}, ...]}`, the files in byte order of their names.
    #[must_use]
    pub fn manifest(&self) -> Vec<u8> {
        let mut files: Vec<ManifestFile> = self
            .files
            .iter()
            .map(|(n, b)| ManifestFile { file: n.clone(), sha256: super::hex(&Sha256::digest(b)) })
            .collect();
        files.sort_by(|a, b| a.file.cmp(&b.file));
        let m = Manifest {
            schema: MANIFEST_SCHEMA.to_owned(),
            journeycost_version: env!("CARGO_PKG_VERSION").to_owned(),
            files,
        };
        let mut out = serde_json::to_vec_pretty(&m).unwrap_or_default();
        out.push(b'\n');
        out
    }

    /// Makes `dir` hold exactly this set and its [`MANIFEST`], all at once.
    ///
    /// `dir` must be a folder journeycost may own: one that does not exist yet (its parents
    /// are created), an empty folder, or a folder a previous run wrote, holding its manifest,
    /// files the manifest lists with the bytes it lists, and the folders they are in. It may
    /// not be a symbolic link, the root, the current folder or one holding it, and it may not
    /// hold any of `inputs` (by path, through links, or as the same file by another name).
    ///
    /// The set is written into a staging folder beside `dir`, `.NAME.journeycost-staging-PID`,
    /// that only the user can open (mode 0700 on Unix). Then `dir` is renamed to
    /// `.NAME.journeycost-old-PID`, the staging folder is renamed to `dir` and given `dir`'s
    /// permissions, and the old folder is removed. A run killed before the second rename leaves
    /// the previous set; one killed after it leaves the new set. What a killed run leaves beside
    /// `dir` is removed by the next commit to `dir`, which first puts a folder moved aside back
    /// when `dir` itself is missing. Two runs writing the same folder at once are not supported:
    /// one of them may fail, but neither leaves a mixed set.
    ///
    /// Returns the paths of the set's files (the manifest is not among them).
    ///
    /// # Errors
    /// If `dir` is not a folder journeycost may own (the message says what was found there),
    /// if a name of the set is not a plain relative path or appears twice, or if a file or
    /// folder cannot be written or renamed. Nothing is then changed in `dir`.
    pub fn commit(&self, dir: &Path, inputs: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
        self.commit_with(dir, inputs, &mut |_| true)
    }

    /// [`OutputSet::commit`], calling `go_on` at each step; when it returns `false`, the commit
    /// stops there and cleans nothing up, as a killed process would.
    fn commit_with(
        &self,
        dir: &Path,
        inputs: &[PathBuf],
        go_on: &mut dyn FnMut(Step) -> bool,
    ) -> Result<Vec<PathBuf>, Error> {
        self.check_names()?;
        // Staging is named by process id: two threads of one process commit one at a time.
        let _one_at_a_time = COMMITTING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let target = Target::locate(dir, true)?.ok_or_else(|| refuse(dir, "cannot find the folder's parent"))?;
        target.recover()?;
        let existing = target.check(inputs)?;
        let pid = std::process::id();
        let staging = target.sibling("staging", pid);
        let fresh = match private_folder(&staging) {
            Ok(p) => p,
            Err(e) => {
                discard(&staging);
                return Err(io_error(&staging, "create the staging folder", &e));
            }
        };
        for (i, (name, bytes)) in self.files.iter().enumerate() {
            if let Err(e) = write_new(&staging, name, bytes) {
                discard(&staging);
                return Err(io_error(&dir.join(name), "write the output file", &e));
            }
            if !go_on(Step::Wrote(i)) {
                return Err(killed());
            }
        }
        if let Err(e) = write_new(&staging, MANIFEST, &self.manifest()) {
            discard(&staging);
            return Err(io_error(&dir.join(MANIFEST), "write the output file", &e));
        }
        if !go_on(Step::Staged) {
            return Err(killed());
        }
        let path = target.path();
        let aside = target.sibling("old", pid);
        if existing.is_some() {
            if let Err(e) = fs::rename(&path, &aside) {
                discard(&staging);
                return Err(io_error(
                    dir,
                    "move the previous output folder aside (a mount point cannot be; give a folder inside it)",
                    &e,
                ));
            }
            if !go_on(Step::MovedAside) {
                return Err(killed());
            }
        }
        if let Err(e) = fs::rename(&staging, &path) {
            if existing.is_some() {
                let _ = fs::rename(&aside, &path);
            }
            discard(&staging);
            return Err(io_error(dir, "move the new output folder into place", &e));
        }
        // Only now, in place, the folder gets the permissions the old one had, or those a new
        // folder gets: while it is staging, it stays private whatever happens.
        if let Err(e) = fs::set_permissions(&path, existing.clone().unwrap_or(fresh)) {
            return Err(io_error(dir, "give the output folder its permissions", &e));
        }
        if !go_on(Step::MovedIn) {
            return Err(killed());
        }
        if existing.is_some() {
            // Left behind only if this fails; the next commit removes it.
            discard(&aside);
        }
        Ok(self.files.iter().map(|(n, _)| dir.join(n)).collect())
    }

    /// Every name is a plain relative path (no `..`, no root), given once, and not the manifest's.
    fn check_names(&self) -> Result<(), Error> {
        let mut seen = BTreeSet::new();
        for (name, _) in &self.files {
            // Each part a plain name, written as the folder will list it (no `.`, `//` or `..`).
            let parts: Vec<Component<'_>> = Path::new(name).components().collect();
            let plain = parts.iter().all(|c| matches!(c, Component::Normal(_)))
                && parts.iter().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/") == *name;
            if !plain || name == MANIFEST || name.contains('\\') {
                return Err(refuse(Path::new(name), "is not a name an output file may have"));
            }
            if !seen.insert(name.as_str()) {
                return Err(refuse(Path::new(name), "is in the output set twice"));
            }
        }
        Ok(())
    }
}

/// Checks, without writing anything, that [`OutputSet::commit`] may write into `dir` with
/// these `inputs`, so that a front end can refuse a bad `--out` before any work.
///
/// # Errors
/// As [`OutputSet::commit`] for `dir`.
pub fn check_out_dir(dir: &Path, inputs: &[PathBuf]) -> Result<(), Error> {
    match Target::locate(dir, false)? {
        Some(t) => t.check(inputs).map(|_| ()),
        None => Ok(()),
    }
}

/// Writes one file (`catalogue import --out FILE`): into a hidden `.NAME.journeycost-partial-PID`
/// beside it, then renamed over `path`, so `path` holds the old bytes or the new, never part.
/// An existing regular file is replaced; partial files left by killed runs are removed first.
///
/// # Errors
/// If `path` names no file (`.`, `/`), is a folder, a symbolic link or not a regular file, is
/// one of `inputs` (by path, through links, or as the same file by another name), or cannot
/// be written.
pub fn write_file(path: &Path, bytes: &[u8], inputs: &[PathBuf]) -> Result<PathBuf, Error> {
    let (parent, name) = check_file(path, inputs, true)?;
    let pid = std::process::id();
    let mut prefix = OsString::from(".");
    prefix.push(&name);
    prefix.push(".journeycost-partial-");
    for stale in numbered(&parent, &prefix).map_err(|e| io_error(&parent, "read the folder", &e))? {
        fs::remove_file(&stale).map_err(|e| io_error(&stale, "remove a partial file left by a killed run", &e))?;
    }
    let mut tmp_name = prefix;
    tmp_name.push(pid.to_string());
    let tmp = parent.join(tmp_name);
    let written = fs::OpenOptions::new().write(true).create_new(true).open(&tmp).and_then(|mut f| f.write_all(bytes));
    if let Err(e) = written.and_then(|()| fs::rename(&tmp, parent.join(&name))) {
        let _ = fs::remove_file(&tmp);
        return Err(io_error(path, "write the file", &e));
    }
    Ok(path.to_path_buf())
}

/// Checks, without writing anything, that [`write_file`] may write `path`.
///
/// # Errors
/// As [`write_file`], apart from writing.
pub fn check_out_file(path: &Path, inputs: &[PathBuf]) -> Result<(), Error> {
    check_file(path, inputs, false).map(|_| ())
}

/// The canonical parent and the name of the file `path`, checked.
fn check_file(path: &Path, inputs: &[PathBuf], create: bool) -> Result<(PathBuf, OsString), Error> {
    let Some(name) = path.file_name() else {
        return Err(refuse(path, "is not a file: give the path of the file to write"));
    };
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if create {
        fs::create_dir_all(parent).map_err(|e| io_error(parent, "create the folder", &e))?;
    }
    let parent = match fs::canonicalize(parent) {
        Ok(p) => p,
        Err(e) if !create && e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((PathBuf::from(parent), name.to_owned()));
        }
        Err(e) => return Err(io_error(parent, "find the folder", &e)),
    };
    let dest = parent.join(name);
    match dest.symlink_metadata() {
        Ok(m) if m.file_type().is_symlink() => {
            return Err(refuse(
                path,
                "is a symbolic link, which journeycost does not write through: give the file itself",
            ));
        }
        Ok(m) if m.is_dir() => return Err(refuse(path, "is a folder, not a file: give the path of the file to write")),
        Ok(m) if !m.is_file() => return Err(refuse(path, "is not a regular file")),
        Ok(m) => {
            for input in inputs.iter().map(|p| Input::of(p)) {
                if input.canonical.as_deref() == Some(dest.as_path()) || input.id.is_some() && input.id == identity(&m)
                {
                    return Err(refuse(
                        path,
                        format!("is the input {}, which journeycost never replaces", input.shown.display()),
                    ));
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_error(path, "inspect the file", &e)),
    }
    Ok((parent, name.to_owned()))
}

/// An error about an output path, naming it.
fn refuse(path: &Path, message: impl Into<String>) -> Error {
    Error::new(Location::source(path.display().to_string()), ProblemKind::Io, message)
}

/// The error a test's simulated kill returns.
fn killed() -> Error {
    Error::new(Location::source("output"), ProblemKind::Io, "stopped as if killed")
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Manifest {
    schema: String,
    #[serde(default)]
    journeycost_version: String,
    files: Vec<ManifestFile>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct ManifestFile {
    file: String,
    sha256: String,
}

/// An input file, as found when the output is checked.
struct Input {
    shown: PathBuf,
    canonical: Option<PathBuf>,
    id: Option<(u64, u64)>,
}

impl Input {
    fn of(path: &Path) -> Input {
        Input {
            shown: path.to_path_buf(),
            canonical: fs::canonicalize(path).ok(),
            id: fs::metadata(path).ok().as_ref().and_then(identity),
        }
    }
}

/// A file's identity, (device, inode), where the platform has one.
#[cfg(unix)]
#[allow(clippy::unnecessary_wraps)] // the same signature as on platforms with no identity
fn identity(m: &fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt as _;
    Some((m.dev(), m.ino()))
}

/// A file's identity: none on this platform (the canonical path is compared instead).
#[cfg(not(unix))]
fn identity(_: &fs::Metadata) -> Option<(u64, u64)> {
    None
}

/// Creates a folder that only the user can open (0700 from the moment it exists), returning
/// the permissions a new folder would have had (those the output folder gets once in place).
/// Those are read off a folder created plainly at the same path and removed at once: empty, it
/// holds nothing, and the private folder is another one (a handle opened on the first sees
/// nothing of the second). A kill in between leaves it empty, for the next commit to remove.
#[cfg(unix)]
fn private_folder(path: &Path) -> std::io::Result<fs::Permissions> {
    use std::os::unix::fs::DirBuilderExt as _;
    fs::create_dir(path)?;
    let fresh = fs::metadata(path)?.permissions();
    fs::remove_dir(path)?;
    fs::DirBuilder::new().mode(0o700).create(path)?;
    Ok(fresh)
}

/// The folder's permissions (no private mode on this platform).
#[cfg(not(unix))]
fn private_folder(path: &Path) -> std::io::Result<fs::Permissions> {
    fs::create_dir(path)?;
    Ok(fs::metadata(path)?.permissions())
}

/// Removes a folder (or file) of ours, ignoring failure: used only on the way out of an error,
/// and for what the next commit cleans up anyway.
fn discard(path: &Path) {
    match path.symlink_metadata() {
        Ok(m) if m.is_dir() => {
            let _ = fs::remove_dir_all(path);
        }
        Ok(_) => {
            let _ = fs::remove_file(path);
        }
        Err(_) => {}
    }
}

/// Writes a new file (never an existing one, never through a link) under `root`.
fn write_new(root: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let path = root.join(name);
    if let Some(folder) = path.parent() {
        fs::create_dir_all(folder)?;
    }
    let mut f = fs::OpenOptions::new().write(true).create_new(true).open(&path)?;
    f.write_all(bytes)
}

/// The entries of `folder` named `prefix` followed by digits (a process id).
fn numbered(folder: &Path, prefix: &OsString) -> std::io::Result<Vec<PathBuf>> {
    let prefix = prefix.as_encoded_bytes();
    let mut found = Vec::new();
    for e in fs::read_dir(folder)? {
        let e = e?;
        let name = e.file_name();
        if let Some(rest) = name.as_encoded_bytes().strip_prefix(prefix) {
            if !rest.is_empty() && rest.iter().all(u8::is_ascii_digit) {
                found.push(e.path());
            }
        }
    }
    found.sort();
    Ok(found)
}

/// An output folder: where it is, and its name in its parent.
struct Target {
    /// As the caller gave it, for messages.
    shown: PathBuf,
    /// The parent folder, canonical.
    parent: PathBuf,
    name: OsString,
}

impl Target {
    /// Finds where `dir` is; with `create`, creates its parents. `None` when the parent does not
    /// exist (and `create` is off): the folder is then certainly new.
    fn locate(dir: &Path, create: bool) -> Result<Option<Target>, Error> {
        let (parent, name) = if let Some(name) = dir.file_name() {
            (
                dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf(),
                name.to_owned(),
            )
        } else {
            // `.`, `..` or the root: resolved to a folder and its name, if it has them.
            let c = fs::canonicalize(dir).map_err(|e| io_error(dir, "find the output folder", &e))?;
            match (c.parent(), c.file_name()) {
                (Some(p), Some(n)) => (p.to_path_buf(), n.to_owned()),
                _ => {
                    return Err(refuse(
                        dir,
                        "is the root of the file system, which journeycost never replaces: give a folder of its own, such as ./out",
                    ));
                }
            }
        };
        if create {
            fs::create_dir_all(&parent).map_err(|e| io_error(&parent, "create the output folder's parent", &e))?;
        }
        match fs::canonicalize(&parent) {
            Ok(p) => Ok(Some(Target { shown: dir.to_path_buf(), parent: p, name })),
            Err(e) if !create && e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error(&parent, "find the output folder's parent", &e)),
        }
    }

    fn path(&self) -> PathBuf {
        self.parent.join(&self.name)
    }

    /// `.NAME.journeycost-KIND-`, the start of the name of a sibling of this folder.
    fn prefix(&self, kind: &str) -> OsString {
        let mut n = OsString::from(".");
        n.push(&self.name);
        n.push(".journeycost-");
        n.push(kind);
        n.push("-");
        n
    }

    fn sibling(&self, kind: &str, pid: u32) -> PathBuf {
        let mut n = self.prefix(kind);
        n.push(pid.to_string());
        self.parent.join(n)
    }

    /// Undoes what a killed commit left: a folder moved aside goes back when the folder itself
    /// is missing; other folders moved aside and staging folders are removed.
    fn recover(&self) -> Result<(), Error> {
        let read = |kind: &str| {
            numbered(&self.parent, &self.prefix(kind)).map_err(|e| io_error(&self.parent, "read the folder", &e))
        };
        let staging = read("staging")?;
        let mut aside = read("old")?;
        let path = self.path();
        if path.symlink_metadata().is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
            if aside.len() > 1 {
                let names: Vec<String> = aside.iter().map(|p| p.display().to_string()).collect();
                return Err(refuse(
                    &self.shown,
                    format!(
                        "is missing, and killed runs left several earlier versions of it: {}; keep one as it and delete the others",
                        names.join(", ")
                    ),
                ));
            }
            if let Some(old) = aside.pop() {
                fs::rename(&old, &path)
                    .map_err(|e| io_error(&old, "put back the output folder a killed run moved aside", &e))?;
            }
        }
        for p in staging.iter().chain(&aside) {
            let removed =
                if p.symlink_metadata().is_ok_and(|m| m.is_dir()) { fs::remove_dir_all(p) } else { fs::remove_file(p) };
            removed.map_err(|e| io_error(p, "remove what a killed run left", &e))?;
        }
        Ok(())
    }

    /// Checks that journeycost may replace this folder; returns its permissions if it exists.
    fn check(&self, inputs: &[PathBuf]) -> Result<Option<fs::Permissions>, Error> {
        let path = self.path();
        let existing = match path.symlink_metadata() {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(refuse(
                    &self.shown,
                    "is a symbolic link: journeycost replaces its output folder whole and does not follow a link to do it; give the folder itself",
                ));
            }
            Ok(m) if !m.is_dir() => return Err(refuse(&self.shown, "exists and is not a folder")),
            Ok(m) => Some(m),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_error(&self.shown, "inspect the output folder", &e)),
        };
        if let Ok(cwd) = std::env::current_dir().and_then(fs::canonicalize) {
            if cwd.starts_with(&path) {
                let what = if cwd == path { "is the current folder" } else { "holds the current folder" };
                return Err(refuse(
                    &self.shown,
                    format!("{what}, which journeycost cannot replace whole: give a folder inside it, such as ./out"),
                ));
            }
        }
        let inputs: Vec<Input> = inputs.iter().map(|p| Input::of(p)).collect();
        for input in &inputs {
            if let Some(rel) = input.canonical.as_deref().and_then(|c| c.strip_prefix(&path).ok()) {
                let inside = if rel.as_os_str().is_empty() { self.shown.clone() } else { self.shown.join(rel) };
                let via = if inside == input.shown { String::new() } else { format!(" (it is {})", inside.display()) };
                return Err(refuse(
                    &self.shown,
                    format!(
                        "holds the input {}{via}: journeycost replaces its output folder whole, so give a folder that holds no input",
                        input.shown.display()
                    ),
                ));
            }
        }
        let Some(meta) = existing else { return Ok(None) };
        self.check_owned(&inputs)?;
        Ok(Some(meta.permissions()))
    }

    /// The folder is empty, or holds only what its manifest lists, unchanged.
    fn check_owned(&self, inputs: &[Input]) -> Result<(), Error> {
        let root = self.path();
        let listed = self.manifest()?;
        let mut foreign: Vec<String> = Vec::new();
        let mut changed: Vec<String> = Vec::new();
        let mut stack = vec![(root.clone(), String::new())];
        let read = |p: &Path| fs::read_dir(p).map_err(|e| io_error(p, "read the output folder", &e));
        while let Some((folder, rel)) = stack.pop() {
            let mut entries: Vec<fs::DirEntry> = read(&folder)?
                .collect::<Result<_, _>>()
                .map_err(|e| io_error(&folder, "read the output folder", &e))?;
            entries.sort_by_key(fs::DirEntry::file_name);
            for e in entries {
                let file_name = e.file_name();
                let name = format!("{rel}{}", file_name.to_string_lossy());
                let m = e
                    .path()
                    .symlink_metadata()
                    .map_err(|err| io_error(&e.path(), "inspect the output folder", &err))?;
                if let Some(input) = inputs.iter().find(|i| i.id.is_some() && i.id == identity(&m)) {
                    return Err(refuse(
                        &self.shown.join(&name),
                        format!(
                            "is the same file as the input {} (a hard link): journeycost would replace it",
                            input.shown.display()
                        ),
                    ));
                }
                let known = file_name.to_str().is_some();
                match &listed {
                    Some(files)
                        if known
                            && m.is_file()
                            && (files.contains_key(&name) || rel.is_empty() && name == MANIFEST) =>
                    {
                        if name != MANIFEST {
                            let sha256 = fs::File::open(e.path())
                                .and_then(|mut f| super::sha256_of(&mut f))
                                .map_err(|err| io_error(&e.path(), "read the output file", &err))?;
                            if sha256 != files[&name] {
                                changed.push(name);
                            }
                        }
                    }
                    Some(files)
                        if known
                            && m.is_dir()
                            && files.keys().any(|f| f.strip_prefix(&name).is_some_and(|r| r.starts_with('/'))) =>
                    {
                        stack.push((e.path(), format!("{name}/")));
                    }
                    _ => {
                        let kind = if m.file_type().is_symlink() {
                            " (a symbolic link)"
                        } else if m.is_dir() {
                            " (a folder)"
                        } else if m.is_file() {
                            ""
                        } else {
                            " (not a regular file)"
                        };
                        foreign.push(format!("{name}{kind}"));
                    }
                }
                if foreign.len() > NAMED && listed.is_none() {
                    break;
                }
            }
        }
        let list = |names: &[String]| {
            let shown = names.iter().take(NAMED).cloned().collect::<Vec<_>>().join(", ");
            if names.len() > NAMED { format!("{shown} and more") } else { shown }
        };
        if !foreign.is_empty() {
            let message = if listed.is_some() {
                format!(
                    "holds {}, which journeycost did not write: journeycost replaces its output folder whole, so move it out, or give another folder",
                    list(&foreign)
                )
            } else {
                format!(
                    "is not empty and journeycost did not write it (it holds {}): give a new or empty folder, or one journeycost wrote",
                    list(&foreign)
                )
            };
            return Err(refuse(&self.shown, message));
        }
        if !changed.is_empty() {
            return Err(refuse(
                &self.shown,
                format!(
                    "holds {}, changed since journeycost wrote it: journeycost replaces its output folder whole, so move it out, or give another folder",
                    list(&changed)
                ),
            ));
        }
        Ok(())
    }

    /// The files the folder's manifest lists, with their SHA-256; `None` without a manifest.
    fn manifest(&self) -> Result<Option<BTreeMap<String, String>>, Error> {
        let path = self.path().join(MANIFEST);
        match path.symlink_metadata() {
            Ok(m) if m.is_file() => {}
            // A manifest that is not a file is reported as something journeycost did not write.
            Ok(_) => return Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error(&path, "inspect the manifest", &e)),
        }
        let bytes = fs::read(&path).map_err(|e| io_error(&path, "read the manifest", &e))?;
        let m: Manifest = serde_json::from_slice(&bytes).ok().filter(|m: &Manifest| m.schema == MANIFEST_SCHEMA).ok_or_else(|| {
            refuse(
                &self.shown.join(MANIFEST),
                "is not a manifest this version of journeycost can read: move the folder away, or give another folder",
            )
        })?;
        Ok(Some(m.files.into_iter().map(|f| (f.file, f.sha256)).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every entry under `dir`: files with their bytes, other entries marked, by relative name.
    fn contents(dir: &Path) -> BTreeMap<String, Vec<u8>> {
        let mut out = BTreeMap::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                let m = p.symlink_metadata().unwrap();
                if m.is_dir() {
                    stack.push(p);
                } else if m.is_file() {
                    out.insert(rel, fs::read(&p).unwrap());
                } else {
                    out.insert(rel, b"<link or other>".to_vec());
                }
            }
        }
        out
    }

    fn set(files: &[(&str, &str)]) -> OutputSet {
        let mut s = OutputSet::new();
        for (n, b) in files {
            s.add(*n, b.as_bytes().to_vec());
        }
        s
    }

    /// What the folder should hold after committing `s`: its files and its manifest.
    fn expected(s: &OutputSet) -> BTreeMap<String, Vec<u8>> {
        let mut m: BTreeMap<String, Vec<u8>> = s.files().iter().cloned().collect();
        m.insert(MANIFEST.to_owned(), s.manifest());
        m
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut n: Vec<String> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        n.sort();
        n
    }

    fn message(e: &Error) -> String {
        e.to_string()
    }

    #[test]
    fn a_new_folder_gets_the_set_and_its_manifest() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("a/b/out");
        let s = set(&[("b.csv", "b\n"), ("a.csv", "a\n"), ("charts/x.svg", "<svg/>")]);
        let written = s.commit(&out, &[]).unwrap();
        assert_eq!(written, vec![out.join("b.csv"), out.join("a.csv"), out.join("charts/x.svg")]);
        assert_eq!(contents(&out), expected(&s));
        let m: serde_json::Value = serde_json::from_slice(&fs::read(out.join(MANIFEST)).unwrap()).unwrap();
        assert_eq!(m["schema"], "journeycost/manifest/1");
        assert_eq!(m["files"][0]["file"], "a.csv");
        assert_eq!(m["files"][0]["sha256"], super::super::hex(&Sha256::digest(b"a\n")));
        assert_eq!(names(&tmp.path().join("a/b")), ["out"], "nothing left beside the output");
        // The same set again: the same bytes.
        s.commit(&out, &[]).unwrap();
        assert_eq!(contents(&out), expected(&s));
    }

    #[test]
    fn a_second_set_replaces_the_first_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        set(&[("series.csv", "monthly\n"), ("comparison.json", "{}"), ("charts/x.svg", "<svg/>")])
            .commit(&out, &[])
            .unwrap();
        let yearly = set(&[("series.csv", "yearly\n")]);
        yearly.commit(&out, &[]).unwrap();
        assert_eq!(contents(&out), expected(&yearly), "the folder is exactly the new set");
        assert_eq!(names(tmp.path()), ["out"]);
        // An empty folder is taken too, and keeps its permissions.
        let empty = tmp.path().join("empty");
        fs::create_dir(&empty).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            fs::set_permissions(&empty, fs::Permissions::from_mode(0o750)).unwrap();
            yearly.commit(&empty, &[]).unwrap();
            assert_eq!(fs::metadata(&empty).unwrap().permissions().mode() & 0o777, 0o750);
        }
        yearly.commit(&empty, &[]).unwrap();
        assert_eq!(contents(&empty), expected(&yearly));
    }

    #[test]
    fn a_folder_journeycost_did_not_write_is_refused_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        let s = set(&[("a.csv", "a\n"), ("charts/x.svg", "<svg/>")]);
        let mine = tmp.path().join("mine");
        fs::create_dir(&mine).unwrap();
        fs::write(mine.join("thesis.docx"), "years of work").unwrap();
        let e = s.commit(&mine, &[]).unwrap_err();
        assert!(message(&e).contains("thesis.docx") && message(&e).contains("did not write"), "{e}");
        assert_eq!(contents(&mine).len(), 1);

        let out = tmp.path().join("out");
        s.commit(&out, &[]).unwrap();
        // A file edited since: refused, kept.
        fs::write(out.join("a.csv"), "edited\n").unwrap();
        let e = s.commit(&out, &[]).unwrap_err();
        assert!(message(&e).contains("a.csv, changed since journeycost wrote it"), "{e}");
        assert_eq!(fs::read(out.join("a.csv")).unwrap(), b"edited\n");
        // A file removed since: fine.
        fs::remove_file(out.join("a.csv")).unwrap();
        s.commit(&out, &[]).unwrap();
        // Anything added: refused, kept.
        fs::write(out.join("charts/mine.svg"), "mine").unwrap();
        let e = s.commit(&out, &[]).unwrap_err();
        assert!(message(&e).contains("charts/mine.svg"), "{e}");
        fs::remove_file(out.join("charts/mine.svg")).unwrap();
        fs::create_dir(out.join("data")).unwrap();
        let e = s.commit(&out, &[]).unwrap_err();
        assert!(message(&e).contains("data (a folder)"), "{e}");
        fs::remove_dir(out.join("data")).unwrap();
        // A manifest that is not one.
        fs::write(out.join(MANIFEST), "[]").unwrap();
        let e = s.commit(&out, &[]).unwrap_err();
        assert!(message(&e).contains("is not a manifest"), "{e}");
        // A file as the folder.
        let e = s.commit(&mine.join("thesis.docx"), &[]).unwrap_err();
        assert!(message(&e).contains("is not a folder"), "{e}");
        assert_eq!(fs::read(mine.join("thesis.docx")).unwrap(), b"years of work");
    }

    #[cfg(unix)]
    #[test]
    fn links_planted_in_the_folder_never_lead_outside_it() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside");
        fs::create_dir(&outside).unwrap();
        fs::write(outside.join("precious"), "keep").unwrap();
        let s = set(&[("a.csv", "a\n"), ("charts/x.svg", "<svg/>")]);
        let out = tmp.path().join("out");
        s.commit(&out, &[]).unwrap();
        // A listed folder swapped for a link to another folder.
        fs::remove_dir_all(out.join("charts")).unwrap();
        std::os::unix::fs::symlink(&outside, out.join("charts")).unwrap();
        let e = s.commit(&out, &[]).unwrap_err();
        assert!(message(&e).contains("charts (a symbolic link)"), "{e}");
        fs::remove_file(out.join("charts")).unwrap();
        // A listed file swapped for a link to another file.
        fs::remove_file(out.join("a.csv")).unwrap();
        std::os::unix::fs::symlink(outside.join("precious"), out.join("a.csv")).unwrap();
        let e = s.commit(&out, &[]).unwrap_err();
        assert!(message(&e).contains("a.csv (a symbolic link)"), "{e}");
        fs::remove_file(out.join("a.csv")).unwrap();
        // The manifest as a link.
        fs::rename(out.join(MANIFEST), tmp.path().join("m")).unwrap();
        std::os::unix::fs::symlink(tmp.path().join("m"), out.join(MANIFEST)).unwrap();
        let e = s.commit(&out, &[]).unwrap_err();
        assert!(message(&e).contains("did not write"), "{e}");
        // The folder itself a link.
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        let e = s.commit(&link, &[]).unwrap_err();
        assert!(message(&e).contains("symbolic link"), "{e}");
        assert_eq!(contents(&outside), BTreeMap::from([("precious".to_owned(), b"keep".to_vec())]));
    }

    #[test]
    fn a_folder_holding_an_input_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let s = set(&[("persons.csv", "person_id\nANNA\n")]);
        s.commit(&out, &[]).unwrap();
        let input = out.join("persons.csv");
        let e = s.commit(&out, std::slice::from_ref(&input)).unwrap_err();
        assert!(message(&e).contains("holds the input"), "{e}");
        // The folder itself, or one above it, as an input (a folder of templates).
        let e = s.commit(&out, std::slice::from_ref(&out)).unwrap_err();
        assert!(message(&e).contains("holds the input"), "{e}");
        let e = s.commit(&tmp.path().join("fresh"), &[tmp.path().join("fresh/x")]).map(|_| ());
        assert!(e.is_ok(), "an input that does not exist is no input");
        #[cfg(unix)]
        {
            let other = tmp.path().join("other");
            set(&[("persons.csv", "person_id\nANNA\n")]).commit(&other, &[]).unwrap();
            let link = tmp.path().join("p.csv");
            std::os::unix::fs::symlink(other.join("persons.csv"), &link).unwrap();
            let e = s.commit(&other, std::slice::from_ref(&link)).unwrap_err();
            assert!(message(&e).contains("holds the input") && message(&e).contains("(it is"), "{e}");
            let hard = tmp.path().join("hard.csv");
            fs::hard_link(other.join("persons.csv"), &hard).unwrap();
            let e = s.commit(&other, std::slice::from_ref(&hard)).unwrap_err();
            assert!(message(&e).contains("same file as the input"), "{e}");
        }
        assert_eq!(contents(&out), expected(&s));
    }

    #[test]
    fn names_must_be_plain_and_unique() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        for bad in ["../escape.csv", "/abs.csv", "", "a/../../b", MANIFEST, "a\\b", "a/./b", "a//b", "./a", "a/"] {
            assert!(set(&[("ok.csv", "x"), (bad, "x")]).commit(&out, &[]).is_err(), "{bad:?}");
        }
        assert!(set(&[("a.csv", "x"), ("a.csv", "y")]).commit(&out, &[]).is_err());
        assert!(set(&[("a", "x"), ("a/b", "y")]).commit(&out, &[]).is_err());
        assert_eq!(names(tmp.path()), Vec::<String>::new(), "nothing created");
    }

    #[test]
    fn the_root_is_refused() {
        let e = set(&[("a.csv", "x")]).commit(Path::new("/"), &[]).unwrap_err();
        assert!(message(&e).contains("root"), "{e}");
        assert!(check_out_dir(Path::new("/"), &[]).is_err());
    }

    #[test]
    fn checking_creates_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        check_out_dir(&tmp.path().join("a/b/c"), &[]).unwrap();
        check_out_file(&tmp.path().join("a/b/c.csv"), &[]).unwrap();
        assert!(names(tmp.path()).is_empty());
    }

    /// Killed at each step, the folder holds the old set whole (or, between the renames, is
    /// missing with the old set whole beside it), or the new set whole; staging is private;
    /// the next commit puts back or removes what was left, and leaves nothing beside it.
    #[test]
    fn a_kill_at_any_step_leaves_one_whole_set_and_the_next_commit_recovers() {
        let old = set(&[
            ("series.csv", "monthly\n"),
            ("comparison.json", "{\"period\":\"month\"}"),
            ("persons.csv", "person_id\nANNA\n"),
        ]);
        let new = set(&[
            ("series.csv", "yearly\n"),
            ("comparison.json", "{\"period\":\"year\"}"),
            ("charts/x.svg", "<svg/>"),
        ]);
        let next = set(&[("summary.csv", "next\n")]);
        let steps = [Step::Wrote(0), Step::Wrote(1), Step::Wrote(2), Step::Staged, Step::MovedAside, Step::MovedIn];
        for (first_run, kill_at) in
            [(true, Step::Wrote(1)), (true, Step::Staged)].into_iter().chain(steps.map(|s| (false, s)))
        {
            let tmp = tempfile::tempdir().unwrap();
            let out = tmp.path().join("out");
            if !first_run {
                old.commit(&out, &[]).unwrap();
            }
            let mut seen_private = false;
            let e = new.commit_with(&out, &[], &mut |step| {
                let staging = tmp.path().join(format!(".out.journeycost-staging-{}", std::process::id()));
                #[cfg(unix)]
                if let Step::Wrote(_) = step {
                    use std::os::unix::fs::PermissionsExt as _;
                    assert_eq!(fs::metadata(&staging).unwrap().permissions().mode() & 0o777, 0o700);
                    seen_private = true;
                }
                let _ = &staging;
                step != kill_at
            });
            assert!(e.is_err(), "{kill_at:?}");
            assert!(seen_private || cfg!(not(unix)));
            // What a reader sees now.
            let aside = tmp.path().join(format!(".out.journeycost-old-{}", std::process::id()));
            match (first_run, kill_at) {
                (true, _) => assert!(!out.exists(), "{kill_at:?}: a first run killed shows nothing"),
                (false, Step::MovedAside) => {
                    assert!(!out.exists());
                    assert_eq!(contents(&aside), expected(&old), "the old set is whole beside it");
                }
                (false, Step::MovedIn) => assert_eq!(contents(&out), expected(&new)),
                (false, _) => assert_eq!(contents(&out), expected(&old), "{kill_at:?}"),
            }
            // The next run: the old set put back where it was moved aside, then replaced; the
            // staging with its person ids, and the set moved aside, are gone.
            if !first_run && kill_at == Step::MovedAside {
                check_out_dir(&out, &[]).unwrap();
            }
            next.commit(&out, &[]).unwrap();
            assert_eq!(contents(&out), expected(&next), "{kill_at:?}");
            assert_eq!(names(tmp.path()), ["out"], "{kill_at:?}: left beside the output");
        }
    }

    #[test]
    fn several_sets_moved_aside_with_the_folder_missing_are_not_guessed_between() {
        let tmp = tempfile::tempdir().unwrap();
        for pid in ["1", "2"] {
            set(&[("a.csv", pid)]).commit(&tmp.path().join(pid), &[]).unwrap();
            fs::rename(tmp.path().join(pid), tmp.path().join(format!(".out.journeycost-old-{pid}"))).unwrap();
        }
        let e = set(&[("a.csv", "x")]).commit(&tmp.path().join("out"), &[]).unwrap_err();
        assert!(message(&e).contains("several earlier versions"), "{e}");
        // Names that only look alike are not touched.
        fs::create_dir(tmp.path().join(".out.journeycost-staging-x1")).unwrap();
        fs::create_dir(tmp.path().join(".outer.journeycost-staging-1")).unwrap();
        fs::remove_dir_all(tmp.path().join(".out.journeycost-old-2")).unwrap();
        set(&[("a.csv", "x")]).commit(&tmp.path().join("out"), &[]).unwrap();
        assert_eq!(names(tmp.path()), [".out.journeycost-staging-x1", ".outer.journeycost-staging-1", "out"]);
    }

    #[test]
    fn one_file_is_replaced_whole_and_never_an_input() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("catalogue.csv");
        fs::write(tmp.path().join(".catalogue.csv.journeycost-partial-77"), "stale").unwrap();
        write_file(&path, b"one\n", &[]).unwrap();
        write_file(&path, b"two\n", &[]).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two\n");
        assert_eq!(names(tmp.path()), ["catalogue.csv"]);
        let e = write_file(&path, b"x", std::slice::from_ref(&path)).unwrap_err();
        assert!(message(&e).contains("is the input"), "{e}");
        let e = write_file(&tmp.path().join("./catalogue.csv"), b"x", &[tmp.path().join("catalogue.csv")]).unwrap_err();
        assert!(message(&e).contains("is the input"), "{e}");
        assert!(message(&write_file(tmp.path(), b"x", &[]).unwrap_err()).contains("folder"));
        assert!(message(&write_file(Path::new("/"), b"x", &[]).unwrap_err()).contains("not a file"));
        #[cfg(unix)]
        {
            let hard = tmp.path().join("hard.csv");
            fs::hard_link(&path, &hard).unwrap();
            let e = write_file(&path, b"x", std::slice::from_ref(&hard)).unwrap_err();
            assert!(message(&e).contains("is the input"), "{e}");
            std::os::unix::fs::symlink(&path, tmp.path().join("link.csv")).unwrap();
            let e = write_file(&tmp.path().join("link.csv"), b"x", &[]).unwrap_err();
            assert!(message(&e).contains("symbolic link"), "{e}");
        }
        assert_eq!(fs::read(&path).unwrap(), b"two\n");
    }
}
