//! Writing: CSV tables and sets of output files committed all-or-nothing.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, io_error};

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

/// A set of named output files, written together by [`OutputSet::commit`].
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct OutputSet {
    files: Vec<(String, Vec<u8>)>,
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

    /// Writes every file into `dir` (created if needed): each is first written to a hidden
    /// temporary file beside its destination, then all are renamed into place, so an error
    /// leaves no half-written output and removes the temporary files.
    ///
    /// # Errors
    /// If the directory cannot be created or a file cannot be written or renamed.
    pub fn commit(&self, dir: &Path) -> Result<Vec<PathBuf>, Error> {
        fs::create_dir_all(dir).map_err(|e| io_error(dir, "create the output directory", &e))?;
        for (name, _) in &self.files {
            let dest = dir.join(name);
            if dest.symlink_metadata().is_ok_and(|m| !m.is_file()) {
                return Err(io_error(&dest, "replace the output file", &std::io::Error::other("it exists and is not a regular file")));
            }
        }
        let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
        let cleanup = |staged: &[(PathBuf, PathBuf)]| {
            for (tmp, _) in staged {
                let _ = fs::remove_file(tmp);
            }
        };
        for (name, bytes) in &self.files {
            let dest = dir.join(name);
            // Names may have folders (`charts/x.svg`): stage beside the destination.
            let folder = dest.parent().unwrap_or(dir).to_path_buf();
            if let Err(e) = fs::create_dir_all(&folder) {
                cleanup(&staged);
                return Err(io_error(&folder, "create the output directory", &e));
            }
            let file_name = dest.file_name().map_or_else(|| name.clone(), |n| n.to_string_lossy().into_owned());
            let tmp = folder.join(format!(".{file_name}.journeycost-partial"));
            if let Err(e) = fs::write(&tmp, bytes) {
                let _ = fs::remove_file(&tmp);
                cleanup(&staged);
                return Err(io_error(&dest, "write the output file", &e));
            }
            staged.push((tmp, dest));
        }
        for (i, (tmp, dest)) in staged.iter().enumerate() {
            if let Err(e) = fs::rename(tmp, dest) {
                cleanup(&staged[i..]);
                return Err(io_error(dest, "move the output file into place", &e));
            }
        }
        Ok(staged.into_iter().map(|(_, d)| d).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_writes_everything_or_leaves_no_partial_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut set = OutputSet::new();
        set.add("a.csv", b"a\n".to_vec());
        set.add("b.csv", b"b\n".to_vec());
        set.commit(dir.path()).unwrap();
        assert_eq!(fs::read(dir.path().join("b.csv")).unwrap(), b"b\n");

        // A destination that is a directory cannot be replaced: nothing partial stays behind.
        let bad = dir.path().join("bad");
        fs::create_dir_all(bad.join("c.csv")).unwrap();
        let mut set = OutputSet::new();
        set.add("a.csv", b"x\n".to_vec());
        set.add("c.csv", b"c\n".to_vec());
        assert!(set.commit(&bad).is_err());
        let left: Vec<_> = fs::read_dir(&bad).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, vec![std::ffi::OsString::from("c.csv")]);
    }
}
