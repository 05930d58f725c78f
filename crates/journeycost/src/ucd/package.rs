//! The workbook's zip package, checked before calamine reads it, so that a crafted file gets a
//! clear error rather than making the reader allocate without bound or panic.
//!
//! An `.xlsx` file is a zip of XML parts. Before calamine opens it, every part is read once
//! here, through a reader that stops one byte past the size the zip declares for it (a part
//! may declare less than it holds), and:
//!
//! - the package may hold at most [`MAX_PARTS`] parts, each of at most [`MAX_PART_BYTES`] and
//!   all together at most [`MAX_TOTAL_BYTES`] once uncompressed, and no part may hold more
//!   than it declares;
//! - every cell, row and dimension reference of an XML part must lie within a worksheet
//!   (`A1` to `XFD1048576`), and a dimension must not end before it starts: calamine's own
//!   arithmetic on such references overflows;
//! - the shared strings' `uniqueCount` (which calamine reserves room for) may not exceed what
//!   the part could hold.
//!
//! Any part may be a sheet (the workbook's relationships name them), so every part is checked,
//! with calamine's own XML settings and parser.

use std::io::{Read, Seek, SeekFrom};

use quick_xml::events::Event;

use crate::error::{Error, Location, ProblemKind};

/// The most parts (files) a workbook's zip may hold.
pub(crate) const MAX_PARTS: usize = 10_000;
/// The most bytes one part of a workbook may hold once uncompressed (128 MiB; the GMCA
/// workbook's largest is half a megabyte).
pub(crate) const MAX_PART_BYTES: u64 = 128 << 20;
/// The most bytes all the parts of a workbook may hold together once uncompressed (256 MiB).
pub(crate) const MAX_TOTAL_BYTES: u64 = 256 << 20;
/// The most shared strings a workbook may declare (calamine reserves room for them).
pub(crate) const MAX_SHARED_STRINGS: u64 = 4 << 20;
/// The rows of a worksheet (`1` to `1048576`).
pub(crate) const MAX_ROWS: u64 = 1 << 20;
/// The columns of a worksheet (`A` to `XFD`).
pub(crate) const MAX_COLUMNS: u64 = 1 << 14;

/// Checks the package as described in the module's documentation, and rewinds `input`.
///
/// # Errors
/// A [`ProblemKind::Syntax`] problem naming the file (and the part) for a file that is not a
/// zip, or that breaks a bound.
pub(crate) fn check<R: Read + Seek>(name: &str, input: &mut R) -> Result<(), Error> {
    let problem = |message: String| Error::new(Location::source(name), ProblemKind::Syntax, message);
    let mut zip = zip::ZipArchive::new(&mut *input)
        .map_err(|e| problem(format!("cannot read the file as an .xlsx workbook: {e}")))?;
    if zip.len() > MAX_PARTS {
        return Err(problem(format!("the workbook has {} parts; a workbook may have at most {MAX_PARTS}", zip.len())));
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let mut part = zip
            .by_index(i)
            .map_err(|e| problem(format!("the workbook is damaged: cannot read its part {}: {e}", i + 1)))?;
        let part_name = part.name().to_owned();
        let declared = part.size();
        let in_part = |message: String| problem(format!("the workbook's part {part_name:?} {message}"));
        if declared > MAX_PART_BYTES {
            return Err(in_part(format!("would expand to {declared} bytes; a part may hold at most {MAX_PART_BYTES}")));
        }
        total += declared;
        if total > MAX_TOTAL_BYTES {
            return Err(problem(format!(
                "the workbook would expand to more than {MAX_TOTAL_BYTES} bytes, the most a workbook may hold"
            )));
        }
        // One byte more than declared is read, to see whether the part holds more.
        let mut limited = Counted { inner: (&mut part).take(declared + 1), bytes: 0 };
        scan_xml(&mut limited, declared).map_err(in_part)?;
        std::io::copy(&mut limited, &mut std::io::sink()).map_err(|e| in_part(format!("cannot be read: {e}")))?;
        if limited.bytes > declared {
            return Err(in_part(format!("holds more than the {declared} bytes it declares")));
        }
    }
    drop(zip);
    input.seek(SeekFrom::Start(0)).map_err(|e| problem(format!("cannot read the file: {e}")))?;
    Ok(())
}

/// A reader that counts the bytes read through it.
struct Counted<R> {
    inner: R,
    bytes: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
}

/// Reads a part as calamine reads XML, checking its references and its shared-string count
/// (against `declared`, the part's size). A part that is not XML stops the scan where the XML
/// parser stops (as calamine's would); the rest is still read by the caller.
fn scan_xml<R: Read>(input: &mut R, declared: u64) -> Result<(), String> {
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(input));
    // calamine's settings (xlsx::xml_reader), so both see the same elements.
    let config = xml.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    let mut buf = Vec::with_capacity(1024);
    loop {
        buf.clear();
        let Ok(event) = xml.read_event_into(&mut buf) else { return Ok(()) };
        let element = match event {
            Event::Start(e) => e,
            Event::Eof => return Ok(()),
            _ => continue,
        };
        let wanted: &[u8] = match element.local_name().as_ref() {
            b"dimension" => b"ref",
            b"row" | b"c" => b"r",
            b"sst" => b"uniqueCount",
            _ => continue,
        };
        for attribute in element.attributes().flatten() {
            if attribute.key.as_ref() != wanted {
                continue;
            }
            let value = attribute.value.as_ref();
            match wanted {
                b"uniqueCount" => check_count(value, declared)?,
                b"ref" => check_dimension(value)?,
                _ => {
                    check_reference(value)?;
                }
            }
        }
    }
}

/// Refuses a shared-string count beyond what the part could hold (each string takes at least
/// five bytes) or beyond [`MAX_SHARED_STRINGS`].
fn check_count(value: &[u8], declared: u64) -> Result<(), String> {
    let digits = value.strip_prefix(b"+").unwrap_or(value);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Ok(());
    }
    let count = digits.iter().try_fold(0u64, |n, d| n.checked_mul(10)?.checked_add(u64::from(d - b'0')));
    let most = MAX_SHARED_STRINGS.min(declared / 5 + 1);
    match count {
        Some(n) if n <= most => Ok(()),
        _ => Err(format!("declares {} shared strings; it could hold at most {most}", String::from_utf8_lossy(value))),
    }
}

/// A reference's 1-based (row, column), either missing, when it parses the way calamine
/// parses it (letters, then digits); `None` where calamine would refuse it itself.
///
/// # Errors
/// A reference outside a worksheet.
fn check_reference(value: &[u8]) -> Result<Option<(u64, u64)>, String> {
    let outside = || {
        format!("has the cell reference {:?}, outside a worksheet (A1 to XFD1048576)", String::from_utf8_lossy(value))
    };
    let letters = value.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let (column, row) = value.split_at(letters);
    if !row.iter().all(u8::is_ascii_digit) {
        return Ok(None);
    }
    let mut col: u64 = 0;
    for c in column {
        col = col * 26 + u64::from(c.to_ascii_uppercase() - b'A') + 1;
        if col > MAX_COLUMNS {
            return Err(outside());
        }
    }
    let mut r: u64 = 0;
    for d in row {
        r = r * 10 + u64::from(d - b'0');
        if r > MAX_ROWS {
            return Err(outside());
        }
    }
    Ok((r > 0 && col > 0).then_some((r, col)))
}

/// Checks a dimension (`A1` or `A1:F20`): each end within a worksheet, and the end not before
/// the start.
fn check_dimension(value: &[u8]) -> Result<(), String> {
    let ends = value.split(|&b| b == b':').map(check_reference).collect::<Result<Vec<_>, String>>()?;
    if let [Some(start), Some(end)] = ends[..] {
        if end.0 < start.0 || end.1 < start.1 {
            return Err(format!("has the dimension {:?}, which ends before it starts", String::from_utf8_lossy(value)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_within_a_worksheet() {
        assert_eq!(check_reference(b"A1"), Ok(Some((1, 1))));
        assert_eq!(check_reference(b"xfd1048576"), Ok(Some((1_048_576, 16_384))));
        assert_eq!(check_reference(b"A"), Ok(None), "calamine refuses it itself");
        assert_eq!(check_reference(b"1"), Ok(None));
        assert_eq!(check_reference(b"A-1"), Ok(None));
        for outside in [&b"A1048577"[..], b"XFE1", b"A99999999999", b"AAAAAAAAAAAAAA1", b"A99999999999999999999999"] {
            assert!(check_reference(outside).is_err(), "{}", String::from_utf8_lossy(outside));
        }
        assert!(check_dimension(b"A1:C3").is_ok());
        assert!(check_dimension(b"C3").is_ok());
        assert!(check_dimension(b"B2:A1").is_err());
        assert!(check_dimension(b"A2:B1").is_err());
        assert!(check_dimension(b"A1:XFD1048577").is_err());
        assert!(check_count(b"12", 100).is_ok());
        assert!(check_count(b"999999999999999999999999", 100).is_err());
        assert!(check_count(b"100", 100).is_err(), "a part of 100 bytes holds at most 21 strings");
    }
}
