//! Structure-aware mutation, seeded and portable: the same seed gives the same inputs on every
//! machine.
//!
//! Text (CSV, TOML) is mutated as lines and fields as well as bytes: a field replaced by one of
//! the [`TOKENS`] that have broken readers before (extreme numbers and dates, quotes, line ends
//! of every kind, a byte-order mark, formula prefixes, huge values), lines duplicated, dropped,
//! swapped or taken from another seed, line ends changed. A workbook is unzipped, one of its XML
//! parts mutated as text (with workbook tokens: references past the sheet, huge counts), and
//! zipped again, so that the mutation reaches the reader behind the zip's checksums.

use std::io::{Cursor, Read, Write};

use rand::{Rng, RngExt};

use crate::Shape;

/// Values that have broken readers, or could: put in place of a field, or inserted anywhere.
pub const TOKENS: &[&str] = &[
    "",
    "0",
    "-0",
    "-1",
    "0.5",
    "1e3",
    "NaN",
    "inf",
    "79228162514264337593543950335",
    "79228162514264337593543950336",
    "-79228162514264337593543950335",
    "0.0000000000000000000000000001",
    "0.00000000000000000000000000001",
    "1000000000000000000000000",
    "999999999999999999999999.99",
    "18446744073709551616",
    "9223372036854775807",
    "4294967296",
    "1000000000000",
    "0001-01-01",
    "9999-12-31",
    "1899-12-31",
    "2200-01-01",
    "2024-02-29",
    "2023-02-29",
    "2024-13-01",
    "1900/01",
    "2199/00",
    "2023/24",
    "2024-25",
    "2024",
    "-2024",
    "\"",
    "\"\"",
    "\"a,b\"",
    "\"a\nb\"",
    ",",
    ",,,,,,,,",
    "\n",
    "\r",
    "\r\n",
    "\n\n",
    "\u{feff}",
    "\u{0}",
    "\u{1b}[31m",
    "\u{202e}",
    "=1+1",
    "+1",
    "@SUM(A1)",
    "\t",
    "ünïcödé",
    "day",
    "week",
    "month",
    "year",
    "event",
    "hour",
    "old",
    "new",
    "failure",
    "value",
    "fiscal",
    "economic",
    "social",
    "=",
    "[",
    "]",
    "[[appraisal.costs]]",
    "[extrapolation]",
    "{ dist = \"normal\", mean = 5000, sd = 1000, min = 4000, max = 7000 }",
    "{ dist = \"triangular\", min = 1, mode = 0, max = -1 }",
    "{ dist = \"uniform\", min = 1e300, max = 1e308 }",
    "1e308",
    "1.7976931348623157e308",
    "-1e308",
    "5e-324",
];

/// Tokens for the XML parts of a workbook: references and sizes at and past every bound.
pub const WORKBOOK_TOKENS: &[&str] = &[
    "A1",
    "XFD1048576",
    "XFE1",
    "A1048577",
    "A99999999999",
    "ZZZZZZZZZZ1",
    "A0",
    "A1:XFD1048576",
    "B2:A1",
    "4294967295",
    "18446744073709551615",
    "-1",
    "<c r=\"A1\" t=\"s\"><v>99999999</v></c>",
    "<c r=\"A1\" t=\"s\"><v>-1</v></c>",
    "<c r=\"A1\"><v>1e308</v></c>",
    "<c r=\"A1\"><v>NaN</v></c>",
    "<c r=\"A1\" t=\"inlineStr\"><is><t>Financial year</t></is></c>",
    "<row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row>",
    "<dimension ref=\"A1:XFD1048576\"/>",
    "uniqueCount=\"4000000000\"",
    "<si><t>x</t></si>",
    "<![CDATA[",
    "&amp;",
    "&#0;",
    "<",
    ">",
    "\"",
];

/// The most bytes a mutated input may have: large enough for a file that several threads split,
/// small enough that the fuzzer stays quick.
pub const MAX_LEN: usize = 256 * 1024;

/// Returns a mutant of `seed` (of shape `shape`), with `others` as material for splicing.
pub fn mutate(rng: &mut impl Rng, seed: &[u8], others: &[Vec<u8>], shape: Shape) -> Vec<u8> {
    match shape {
        Shape::Text => {
            let rounds = rng.random_range(1..=4);
            let mut data = seed.to_vec();
            for _ in 0..rounds {
                data = mutate_text(rng, &data, others, TOKENS);
            }
            data
        }
        Shape::Workbook => mutate_workbook(rng, seed),
        Shape::Binary => {
            let rounds = rng.random_range(1..=4);
            let mut data = seed.to_vec();
            for _ in 0..rounds {
                data = mutate_bytes(rng, &data, others);
            }
            data
        }
    }
}

/// One mutation of binary data, chosen at random. CBOR puts a value's type and size in its
/// first byte, so a byte set to a boundary (`0x18`..`0x1b` introduce 1 to 8 bytes of length or
/// value; `0xff` breaks an indefinite item) reaches the decoder's every branch.
fn mutate_bytes(rng: &mut impl Rng, data: &[u8], others: &[Vec<u8>]) -> Vec<u8> {
    const BOUNDARIES: [u8; 12] = [0x00, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1f, 0x7f, 0x80, 0x9f, 0xbf, 0xff];
    let mut out = data.to_vec();
    if out.is_empty() {
        return vec![BOUNDARIES[rng.random_range(0..BOUNDARIES.len())]];
    }
    let at = rng.random_range(0..out.len());
    match rng.random_range(0..6) {
        0 => out[at] ^= 1 << rng.random_range(0..8),
        1 => out[at] = BOUNDARIES[rng.random_range(0..BOUNDARIES.len())],
        2 => out.truncate(at),
        3 => {
            let end = rng.random_range(at..=out.len().min(at + 64));
            let piece = out[at..end].to_vec();
            out.splice(at..at, piece);
        }
        4 => {
            if let Some(other) = others.get(rng.random_range(0..others.len().max(1))) {
                let from = rng.random_range(0..=other.len());
                out.truncate(at);
                out.extend_from_slice(&other[from..]);
            }
        }
        _ => out.insert(at, rng.random()),
    }
    out.truncate(MAX_LEN);
    out
}

/// One mutation of text, chosen at random.
fn mutate_text(rng: &mut impl Rng, data: &[u8], others: &[Vec<u8>], tokens: &[&str]) -> Vec<u8> {
    let token = |rng: &mut dyn rand::Rng| -> Vec<u8> {
        if rng.random_ratio(1, 20) {
            // A long value: a digit, a letter or a quote repeated.
            let c = [b'9', b'x', b'"', b','][rng.random_range(0..4)];
            vec![c; rng.random_range(100..20_000)]
        } else {
            tokens[rng.random_range(0..tokens.len())].as_bytes().to_vec()
        }
    };
    let mut out = data.to_vec();
    match rng.random_range(0..14) {
        // A field (between separators) replaced by a token.
        0..=3 => {
            let fields = field_spans(data);
            if let Some(&(a, b)) = fields.get(rng.random_range(0..fields.len().max(1))) {
                out.splice(a..b, token(rng));
            }
        }
        // A token inserted anywhere.
        4 => {
            let at = rng.random_range(0..=out.len());
            out.splice(at..at, token(rng));
        }
        // One byte changed, flipped, inserted or removed.
        5 => {
            if out.is_empty() {
                out.push(rng.random());
            } else {
                let at = rng.random_range(0..out.len());
                match rng.random_range(0..3) {
                    0 => out[at] ^= 1 << rng.random_range(0..8),
                    1 => out[at] = rng.random(),
                    _ => {
                        out.remove(at);
                    }
                }
            }
        }
        // A line duplicated (perhaps many times), dropped, or two swapped.
        6..=8 => {
            let mut lines = split_lines(data);
            if !lines.is_empty() {
                let i = rng.random_range(0..lines.len());
                match rng.random_range(0..4) {
                    0 => {
                        let copies = if rng.random_ratio(1, 8) { rng.random_range(10..2_000) } else { 1 };
                        let line = lines[i].clone();
                        for _ in 0..copies {
                            lines.insert(i, line.clone());
                        }
                    }
                    1 => {
                        lines.remove(i);
                    }
                    _ => {
                        let j = rng.random_range(0..lines.len());
                        lines.swap(i, j);
                    }
                }
                out = lines.concat();
            }
        }
        // A line of another seed put in.
        9 => {
            if let Some(other) = others.get(rng.random_range(0..others.len().max(1))) {
                let theirs = split_lines(other);
                let mut lines = split_lines(data);
                if !theirs.is_empty() {
                    let line = theirs[rng.random_range(0..theirs.len())].clone();
                    let at = rng.random_range(0..=lines.len());
                    lines.insert(at, line);
                    out = lines.concat();
                }
            }
        }
        // Every line end changed: to CRLF, to a lone CR, or to LF.
        10 => {
            let end: &[u8] = [&b"\r\n"[..], b"\r", b"\n"][rng.random_range(0..3)];
            out = split_lines(data)
                .into_iter()
                .map(|mut l| {
                    while matches!(l.last(), Some(b'\n' | b'\r')) {
                        l.pop();
                    }
                    l.extend_from_slice(end);
                    l
                })
                .collect::<Vec<_>>()
                .concat();
        }
        // Something put first: a byte-order mark, blank lines, or many blank lines (so the
        // header starts past a split point of the streamed reader).
        11 => {
            let head: Vec<u8> = match rng.random_range(0..3) {
                0 => "\u{feff}".into(),
                1 => b"\n".repeat(rng.random_range(1..4)),
                _ => b"\n".repeat(rng.random_range(1_000..70_000)),
            };
            out.splice(0..0, head);
        }
        // Cut short.
        12 => {
            let at = rng.random_range(0..=out.len());
            out.truncate(at);
        }
        // The part after a point repeated: a large file, split by several threads.
        _ => {
            if !data.is_empty() {
                let from = data.iter().position(|b| *b == b'\n').map_or(0, |i| i + 1);
                let times = rng.random_range(2..200);
                for _ in 0..times {
                    out.extend_from_slice(&data[from..]);
                }
            }
        }
    }
    out.truncate(MAX_LEN);
    out
}

/// The spans of the fields of `data`: the bytes between separators (`,`, `=`, line ends).
fn field_spans(data: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = 0;
    for (i, b) in data.iter().enumerate() {
        if matches!(b, b',' | b'\n' | b'\r' | b'=' | b'"' | b'<' | b'>') {
            spans.push((start, i));
            start = i + 1;
        }
    }
    spans.push((start, data.len()));
    spans
}

/// The lines of `data`, each with its line end.
fn split_lines(data: &[u8]) -> Vec<Vec<u8>> {
    let mut lines: Vec<Vec<u8>> = data.split_inclusive(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
    if lines.is_empty() {
        lines.push(Vec::new());
    }
    lines
}

/// A workbook with one of its parts mutated as text, zipped again (deflated or stored); a seed
/// that is not a zip is mutated as bytes.
fn mutate_workbook(rng: &mut impl Rng, seed: &[u8]) -> Vec<u8> {
    let Some(mut parts) = unzip(seed) else { return mutate_text(rng, seed, &[], WORKBOOK_TOKENS) };
    if rng.random_ratio(1, 10) || parts.is_empty() {
        // Now and then the zip itself is damaged.
        return mutate_text(rng, seed, &[], WORKBOOK_TOKENS);
    }
    let i = rng.random_range(0..parts.len());
    let rounds = rng.random_range(1..=3);
    for _ in 0..rounds {
        parts[i].1 = mutate_text(rng, &parts[i].1, &[], WORKBOOK_TOKENS);
    }
    if rng.random_ratio(1, 20) {
        // A part dropped, or a part given another's name.
        let j = rng.random_range(0..parts.len());
        if rng.random() {
            parts.remove(j);
        } else {
            let name = parts[j].0.clone();
            parts[i].0 = name;
        }
    }
    zip(&parts, rng.random())
}

/// The parts of a zip, or `None` if it does not read.
fn unzip(bytes: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut parts = Vec::new();
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).ok()?;
        let mut data = Vec::new();
        part.by_ref().take(MAX_LEN as u64 * 8).read_to_end(&mut data).ok()?;
        parts.push((part.name().to_owned(), data));
    }
    Some(parts)
}

/// The parts zipped, deflated or stored; parts of the same name are kept (the reader must cope).
fn zip(parts: &[(String, Vec<u8>)], deflate: bool) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let method = if deflate { zip::CompressionMethod::Deflated } else { zip::CompressionMethod::Stored };
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, data) in parts {
        if writer.start_file(name.as_str(), options).is_err() {
            continue;
        }
        let _ = writer.write_all(data);
    }
    writer.finish().map(Cursor::into_inner).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_mutants() {
        let seed = b"code,agency,unit_cost\nA,Police,1\n";
        let run = || {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
            (0..200).map(|_| mutate(&mut rng, seed, &[], Shape::Text)).collect::<Vec<_>>()
        };
        let (a, b) = (run(), run());
        assert_eq!(a, b);
        assert!(a.iter().filter(|m| m.as_slice() != seed).count() > 150, "most mutants differ from the seed");
    }

    #[test]
    fn a_workbook_is_mutated_inside_its_zip() {
        let book = zip(
            &[(
                "xl/worksheets/sheet1.xml".to_owned(),
                b"<sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row></sheetData>".to_vec(),
            )],
            true,
        );
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let inside = (0..100)
            .filter_map(|_| unzip(&mutate(&mut rng, &book, &[], Shape::Workbook)))
            .filter(|p| p.len() == 1)
            .count();
        assert!(inside > 50, "{inside} of 100 mutants are still zips of the one part");
    }

    #[test]
    fn fields_and_lines_cover_the_text() {
        assert_eq!(field_spans(b"a,bc\nd"), vec![(0, 1), (2, 4), (5, 6)]);
        assert_eq!(split_lines(b"a\nb"), vec![b"a\n".to_vec(), b"b".to_vec()]);
        assert_eq!(split_lines(b"").concat(), b"");
    }
}
