//! The fast reader of the streaming `cost` job: plain rows read straight from bytes.
//!
//! Most files of events are plain: no quotes, UTF-8, one record per line, the usual columns.
//! For those this reader splits lines at commas itself, reads dates and quantities as
//! integers (a quantity as an exact mantissa and scale, the very `Decimal` the full reader
//! would make), and adds each line's cost as an exact integer count of 10^-14 pounds.
//!
//! It never decides anything the full reader would decide differently. A row it does not read
//! itself (a spell, an own cost, a probability, a demand, an empty or unusual field) goes
//! through the full rules of [`EventColumns::check_record`] and [`Sums::event`]. A stretch with
//! anything else (a quote, bytes that are not UTF-8, a lone carriage return, a ragged row, any
//! problem at all, or no rows) is handed back whole, and the full reader reads it again, so
//! every problem is reported by one reader, with its line, exactly as before.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use rustc_hash::FxHashMap as HashMap;

use super::{Costing, SCALE, Stretch, Sums, same, words};
use crate::error::{Error, Problems, io_error};
use crate::io::read::EventColumns;

/// How many bytes are read at a time (a stretch's lines are read in chunks of this size).
const CHUNK: usize = 1 << 20;

/// Ten to the power of each scale from 0 to [`SCALE`].
const POW10: [i128; SCALE as usize + 1] = {
    let mut p = [1i128; SCALE as usize + 1];
    let mut i = 1;
    while i < p.len() {
        p[i] = p[i - 1] * 10;
        i += 1;
    }
    p
};

/// The largest mantissa a `Decimal` holds: `2^96 - 1`.
const DECIMAL_MAX: u128 = (1 << 96) - 1;

/// What the fast reader needs of one catalogue entry.
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// The unit cost at the price base, as a mantissa and scale; `None` when its price year is
    /// not in the index.
    real: Option<(i128, u32)>,
    agency: u32,
}

/// Reads the lines `[start, end)` of `path` behind `header` (a stretch, as
/// [`read_stretch`](super::read_stretch) reads it); `None` when the stretch should be read by
/// the full reader instead.
pub(super) fn read(
    path: &Path,
    name: &str,
    c: &Costing<'_>,
    header: &[u8],
    start: u64,
    end: u64,
) -> Result<Option<Stretch>, Error> {
    let Ok(columns) = EventColumns::from_header(name, header) else { return Ok(None) };
    let mut f = File::open(path).map_err(|e| io_error(path, "open the file", &e))?;
    f.seek(SeekFrom::Start(start)).map_err(|e| io_error(path, "read the file", &e))?;
    let mut input = f.take(end - start);
    let Some(mut reader) = Reader::new(c, columns, name) else { return Ok(None) };
    let mut buf = vec![0u8; CHUNK];
    let mut have = 0;
    loop {
        if have == buf.len() {
            // A line longer than the buffer: make room for it.
            buf.resize(buf.len() * 2, 0);
        }
        let n = loop {
            match input.read(&mut buf[have..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_error(path, "read the file", &e)),
            }
        };
        have += n;
        let last = n == 0;
        // Whole lines only, except at the end of the stretch.
        let complete = if last { have } else { memchr::memrchr(b'\n', &buf[..have]).map_or(0, |i| i + 1) };
        if complete > 0 && !reader.chunk(&buf[..complete], last) {
            return Ok(None);
        }
        buf.copy_within(complete..have, 0);
        have -= complete;
        if last {
            break;
        }
    }
    if reader.rows == 0 {
        return Ok(None);
    }
    Ok(Some(Stretch { sums: reader.sums, result: Ok(()), quote: false, newlines: reader.newlines }))
}

/// The most columns a header may have for the fast reader (a wider file is read by the full one).
const MAX_FIELDS: usize = 64;

/// The state of the fast reader over one stretch.
struct Reader<'a> {
    c: &'a Costing<'a>,
    columns: EventColumns,
    name: &'a str,
    /// The columns a plain row reads (`person_id`, `pathway`, `date`, `code`, `quantity`), the
    /// last at `MAX_FIELDS` (always empty) when the file has no `quantity`.
    plain: [usize; 5],
    /// The optional columns that send a row to the full rules when not empty.
    others: Vec<usize>,
    codes: Codes<'a>,
    entries: Vec<Entry>,
    /// The ids of pathways `old` and `new`, once seen.
    sides: [Option<u32>; 2],
    /// The person of the last plain row, and their id.
    last_person: (Vec<u8>, u32),
    sums: Sums,
    /// Where each field of the current line starts and ends in the chunk; one more, always
    /// empty, stands for an absent column.
    bounds: [(usize, usize); MAX_FIELDS + 1],
    /// A row handed to the full rules, as fields.
    record: csv::StringRecord,
    rows: u64,
    newlines: u64,
}

impl<'a> Reader<'a> {
    /// The reader of a file with these columns; `None` when it has too many for it.
    fn new(c: &'a Costing<'a>, columns: EventColumns, name: &'a str) -> Option<Reader<'a>> {
        if columns.count > MAX_FIELDS {
            return None;
        }
        let entries = c.catalogue.entries();
        let absent = MAX_FIELDS;
        Some(Reader {
            c,
            columns,
            name,
            plain: [
                columns.person?,
                columns.pathway?,
                columns.date?,
                columns.code?,
                columns.quantity.unwrap_or(absent),
            ],
            others: [columns.end, columns.cost, columns.demand, columns.probability].into_iter().flatten().collect(),
            codes: Codes::new(entries.iter().map(|u| u.code.as_bytes()).collect()),
            entries: (0..entries.len())
                .map(|i| Entry {
                    real: c.real[i].map(|d| (d.mantissa(), d.scale())),
                    agency: c.catalogue.agency_index(i),
                })
                .collect(),
            sides: [None; 2],
            last_person: (Vec::new(), 0),
            sums: Sums::new(c.catalogue.agencies().len()),
            bounds: [(0, 0); MAX_FIELDS + 1],
            record: csv::StringRecord::new(),
            rows: 0,
            newlines: 0,
        })
    }

    /// Reads whole lines (the last may lack its line end only at the end of the stretch);
    /// `false` hands the stretch back to the full reader.
    ///
    /// Separators are found eight bytes at a time: an exact mask of the bytes equal to `,` or
    /// a line feed, which beats a vector search when they are only a few bytes apart.
    fn chunk(&mut self, bytes: &[u8], last: bool) -> bool {
        const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        const COMMAS: u64 = u64::from_ne_bytes([b','; 8]);
        const LINE_FEEDS: u64 = u64::from_ne_bytes([b'\n'; 8]);
        if memchr::memchr(b'"', bytes).is_some() {
            return false;
        }
        let Ok(text) = std::str::from_utf8(bytes) else { return false };
        let cr = memchr::memchr(b'\r', bytes).is_some();
        // The high bit of each byte of `x` that is zero, exactly (no borrow between bytes).
        let zeros = |x: u64| !(((x & LOW7) + LOW7) | x | LOW7);
        let mut start = 0;
        let mut fields = 0;
        let words = bytes.len() / 8;
        let tail = &bytes[words * 8..];
        let tail_found =
            tail.iter().enumerate().fold(0u64, |m, (i, &b)| m | (u64::from(b == b',' || b == b'\n') << (i * 8 + 7)));
        for k in 0..=words {
            let mut found = match bytes.get(k * 8..).and_then(<[u8]>::first_chunk::<8>) {
                Some(w) => {
                    let w = u64::from_le_bytes(*w);
                    zeros(w ^ COMMAS) | zeros(w ^ LINE_FEEDS)
                }
                None => tail_found,
            };
            while found != 0 {
                let at = k * 8 + (found.trailing_zeros() / 8) as usize;
                found &= found - 1;
                // A line of more fields than the table holds is ragged whatever it overwrites.
                self.bounds[fields % MAX_FIELDS] = (start, at);
                fields += 1;
                start = at + 1;
                if bytes.get(at) == Some(&b'\n') {
                    self.newlines += 1;
                    if !self.line(text, fields, cr, self.newlines + 1) {
                        return false;
                    }
                    fields = 0;
                }
            }
        }
        if last && (start < bytes.len() || fields > 0) {
            // The stretch's last line, without a line end.
            self.bounds[fields % MAX_FIELDS] = (start, bytes.len());
            return self.line(text, fields + 1, cr, self.newlines + 2);
        }
        true
    }

    /// Reads one line of `fields` fields (its bounds in `self.bounds`), line `line` of the
    /// stretch read behind its header.
    fn line(&mut self, text: &str, fields: usize, cr: bool, line: u64) -> bool {
        if fields != self.columns.count {
            // A blank line is no record (as the csv reader skips it); any other is ragged.
            let blank = fields == 1 && {
                let (a, b) = self.bounds[0];
                text[a..b].is_empty() || (cr && &text[a..b] == "\r")
            };
            return blank;
        }
        if cr {
            // A carriage return ends a line only just before its line feed.
            let (a, b) = self.bounds[fields - 1];
            if text[a..b].ends_with('\r') {
                self.bounds[fields - 1].1 = b - 1;
            }
            let (first, end) = (self.bounds[0].0, self.bounds[fields - 1].1);
            if memchr::memchr(b'\r', &text.as_bytes()[first..end]).is_some() {
                return false;
            }
        }
        self.rows += 1;
        self.plain(text) || self.full(text, line)
    }

    /// Costs a plain row: `false` (having changed nothing) when the row needs the full rules.
    fn plain(&mut self, text: &str) -> bool {
        let bytes = text.as_bytes();
        let field = |i: usize| {
            let (a, b) = self.bounds[i];
            &bytes[a..b]
        };
        if self.others.iter().any(|&i| !field(i).is_empty()) {
            return false;
        }
        let [person, pathway, date, code, quantity] = self.plain;
        let (person, pathway, date, code, quantity) =
            (field(person), field(pathway), field(date), field(code), field(quantity));
        if person.is_empty() || pathway.is_empty() {
            return false;
        }
        let Some(month) = month_of(date) else { return false };
        let Some(entry) = self.codes.get(code) else { return false };
        let quantity = match quantity {
            b"" | b"1" => (1, 0),
            q => match plain_quantity(q) {
                Some(q) => q,
                None => return false,
            },
        };
        let Entry { real, agency } = self.entries[entry];
        let Some(real) = real else {
            // As the full path does: the price year is reported, and the row is not summed.
            self.sums.missing_year.insert(entry);
            return true;
        };
        let Some(v) = line_units(real, quantity) else { return false };
        // Fields are split at ASCII bytes of valid UTF-8, so each is text too.
        let text_of = |i: usize| {
            let (a, b) = self.bounds[i];
            &text[a..b]
        };
        let (side, pathway) = match pathway {
            b"old" => (Some(0), self.sides[0]),
            b"new" => (Some(1), self.sides[1]),
            _ => (None, None),
        };
        let pathway = match (pathway, side) {
            (Some(id), _) => id,
            (None, Some(s)) => *self.sides[s].insert(self.sums.pathway(text_of(self.plain[1]))),
            (None, None) => self.sums.pathway(text_of(self.plain[1])),
        };
        let person = if same(&self.last_person.0, person) {
            self.last_person.1
        } else {
            let id = self.sums.person(text_of(self.plain[0]));
            self.last_person.0.clear();
            self.last_person.0.extend_from_slice(person);
            self.last_person.1 = id;
            id
        };
        self.sums.add_units((pathway, agency, month), person, side, v, real.1 + quantity.1);
        true
    }

    /// Reads a row by the full rules; `false` when it has a problem.
    fn full(&mut self, text: &str, line: u64) -> bool {
        self.record.clear();
        for &(a, b) in &self.bounds[..self.columns.count] {
            self.record.push_field(&text[a..b]);
        }
        let mut problems = Problems::default();
        match self.columns.check_record(&mut problems, self.name, line, &self.record, Some(self.c.catalogue)) {
            Some((parts, entry)) if problems.is_empty() => {
                self.sums.event(self.c, &parts, entry);
                true
            }
            _ => false,
        }
    }
}

/// The catalogue's codes, looked up by a hash of their length and first and last eight bytes
/// into a table where no two codes share a slot (a perfect hash, found when the reader starts),
/// then checked byte for byte; a map when no such table is found.
struct Codes<'a> {
    names: Vec<&'a [u8]>,
    /// The multiplier and shift of the hash, and each slot's code (`u32::MAX` for none).
    multiplier: u64,
    shift: u32,
    slots: Vec<u32>,
    map: HashMap<&'a [u8], usize>,
}

impl<'a> Codes<'a> {
    /// Multipliers tried in turn (odd constants with well-mixed bits).
    const MULTIPLIERS: [u64; 4] =
        [0x9e37_79b9_7f4a_7c15, 0xc2b2_ae3d_27d4_eb4f, 0x1656_67b1_9e37_79f9, 0x27d4_eb2f_1656_67c5];

    fn new(codes: Vec<&'a [u8]>) -> Codes<'a> {
        let mut found = None;
        'search: for bits in (codes.len().max(1).ilog2() + 2)..=16 {
            'multiplier: for multiplier in Codes::MULTIPLIERS {
                let shift = 64 - bits;
                let mut slots = vec![u32::MAX; 1 << bits];
                for (i, code) in codes.iter().enumerate() {
                    let slot = &mut slots[Codes::hash(code, multiplier, shift)];
                    if *slot != u32::MAX {
                        continue 'multiplier;
                    }
                    *slot = i as u32;
                }
                found = Some((multiplier, shift, slots));
                break 'search;
            }
        }
        let (multiplier, shift, slots) = found.unwrap_or((0, 63, Vec::new()));
        let map = if slots.is_empty() {
            codes.iter().enumerate().map(|(i, c)| (*c, i)).collect()
        } else {
            HashMap::default()
        };
        Codes { names: codes, multiplier, shift, slots, map }
    }

    #[inline]
    fn hash(code: &[u8], multiplier: u64, shift: u32) -> usize {
        let (first, last) = words(code);
        ((first ^ last.rotate_left(23) ^ code.len() as u64).wrapping_mul(multiplier) >> shift) as usize
    }

    /// The catalogue position of `code`.
    #[inline]
    fn get(&self, code: &[u8]) -> Option<usize> {
        if self.slots.is_empty() {
            return self.map.get(code).copied();
        }
        let i = *self.slots.get(Codes::hash(code, self.multiplier, self.shift))? as usize;
        self.names.get(i).filter(|c| same(c, code)).map(|_| i)
    }
}

/// The month (`year * 12 + month - 1`, as [`Month`](crate::period::Month) counts) of a
/// strict `YYYY-MM-DD` date in the supported range, read as
/// [`parse_date`](crate::period::parse_date) reads it; `None` for anything else.
fn month_of(b: &[u8]) -> Option<i32> {
    let &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = b else { return None };
    let digit = |c: u8| {
        let d = c.wrapping_sub(b'0');
        (d < 10).then_some(u32::from(d))
    };
    let year = ((digit(y0)? * 10 + digit(y1)?) * 10 + digit(y2)?) * 10 + digit(y3)?;
    // A date outside the supported range goes to the full rules, which refuse it.
    if !(crate::period::FIRST_YEAR as u32..=crate::period::LAST_YEAR as u32).contains(&year) {
        return None;
    }
    let month = digit(m0)? * 10 + digit(m1)?;
    let day = digit(d0)? * 10 + digit(d1)?;
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&day).then(|| (year * 12 + month - 1) as i32)
}

/// A plain quantity: 1 to 12 digits, then optionally a point and 1 to 6 digits, as an exact
/// mantissa and scale: the very `Decimal` that the full reader makes of it, which it accepts
/// (no sign, within the size and decimals allowed). `None` for anything else, which the full
/// rules then read (and may refuse).
fn plain_quantity(b: &[u8]) -> Option<(i64, u32)> {
    let (int, frac) = match b.iter().position(|&c| c == b'.') {
        Some(i) => (&b[..i], Some(&b[i + 1..])),
        None => (b, None),
    };
    let digits = |t: &[u8], most: usize| (1..=most).contains(&t.len()) && t.iter().all(u8::is_ascii_digit);
    if !digits(int, 12) || frac.is_some_and(|f| !digits(f, 6)) {
        return None;
    }
    let frac = frac.unwrap_or_default();
    let mantissa = int.iter().chain(frac).fold(0i64, |m, &c| m * 10 + i64::from(c - b'0'));
    Some((mantissa, frac.len() as u32))
}

/// The exact cost of `quantity` at the unit cost `real` in 10^-14 pounds (both as mantissa
/// and scale), when it is what the `Decimal` path gives ([`exact_mul`](crate::money::exact_mul)
/// then [`units`]); `None` where only that path can say (its product would not fit a
/// `Decimal`, or has more decimals than the sums keep).
pub(super) fn line_units(real: (i128, u32), quantity: (i64, u32)) -> Option<i128> {
    let scale = real.1 + quantity.1;
    if scale > SCALE {
        return None;
    }
    let product = match i64::try_from(real.0) {
        // Two i64 factors: the product cannot overflow an i128.
        Ok(r) => i128::from(r) * i128::from(quantity.0),
        Err(_) => real.0.checked_mul(i128::from(quantity.0))?,
    };
    if product.unsigned_abs() > DECIMAL_MAX {
        return None;
    }
    product.checked_mul(POW10[(SCALE - scale) as usize])
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    use super::super::units;
    use super::*;
    use crate::money::exact_mul;
    use crate::period::{Month, parse_date};

    #[test]
    fn dates() {
        assert_eq!(month_of(b"2024-02-29"), Some(2024 * 12 + 1));
        assert_eq!(month_of(b"2023-02-29"), None);
        assert_eq!(month_of(b"1900-02-29"), None);
        assert_eq!(month_of(b"2000-02-29"), Some(2000 * 12 + 1));
        for bad in ["2024-2-09", "2024-13-01", "2024-00-10", "2024-01-00", "2024/01/01", "+024-01-01", "2024-01-1a"] {
            assert_eq!(month_of(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn codes_are_found_and_nothing_else() {
        let names: Vec<String> = (0..300)
            .map(|i| format!("CODE-{i:03}-{}", "X".repeat(i % 23)))
            .chain(["A".into(), "AB".into(), String::new()])
            .collect();
        let codes = Codes::new(names.iter().map(String::as_bytes).collect());
        assert!(!codes.slots.is_empty(), "a perfect table for 303 codes");
        for (i, c) in names.iter().enumerate() {
            assert_eq!(codes.get(c.as_bytes()), Some(i), "{c}");
        }
        for other in ["CODE-000-X", "CODE-001-X ", "B", "ABC", "code-000-", "CODE-299-XXXXXXXXXXXXXXXXXXXXXXX"] {
            assert_eq!(codes.get(other.as_bytes()), None, "{other}");
        }
    }

    #[test]
    fn quantities() {
        assert_eq!(plain_quantity(b"1"), Some((1, 0)));
        assert_eq!(plain_quantity(b"0.5"), Some((5, 1)));
        assert_eq!(plain_quantity(b"007.250"), Some((7250, 3)));
        assert_eq!(plain_quantity(b"999999999999.999999"), Some((999_999_999_999_999_999, 6)));
        for other in ["", "-1", "+1", ".5", "5.", "1.2345678", "1000000000000", "1e3", "1,5", " 1"] {
            assert_eq!(plain_quantity(other.as_bytes()), None, "{other:?}");
        }
    }

    fn decimal(m: i64, scale: u32) -> Decimal {
        Decimal::new(m, scale)
    }

    proptest! {
        /// Every string the fast date reader accepts, the full one accepts as the same month,
        /// and the other way round.
        #[test]
        fn month_agrees_with_parse_date(y in 0u32..10000, m in 0u32..14, d in 0u32..33, sep in prop::sample::select(vec!['-', '/'])) {
            let s = format!("{y:04}{sep}{m:02}-{d:02}");
            prop_assert_eq!(month_of(s.as_bytes()), parse_date(&s).filter(|d| crate::period::is_supported(*d)).map(|d| Month::of(d).0));
        }

        #[test]
        fn month_agrees_on_any_bytes(s in "[0-9\\-]{8,11}") {
            prop_assert_eq!(month_of(s.as_bytes()), parse_date(&s).filter(|d| crate::period::is_supported(*d)).map(|d| Month::of(d).0));
        }

        /// A quantity read fast is the very Decimal the full reader reads (mantissa and scale),
        /// and one the full reader accepts.
        #[test]
        fn quantity_agrees_with_decimal(s in "[0-9]{0,13}(\\.[0-9]{0,7})?|-?[0-9]{1,3}\\.?[0-9]{0,3}") {
            if let Some((m, scale)) = plain_quantity(s.as_bytes()) {
                let d = crate::io::read::parse_decimal(&s).expect("the full reader reads it");
                prop_assert_eq!((d.mantissa(), d.scale()), (i128::from(m), scale));
                prop_assert!(crate::journey::check_amount(d).is_ok());
                prop_assert!(!d.is_sign_negative());
            }
        }

        /// A line's units by integers equal the Decimal path's (exact product, then units),
        /// whenever the fast path answers; and it answers for every workload-sized cost.
        #[test]
        fn units_agree_with_decimal(rm in any::<i64>(), rs in 0u32..=8, qm in 0i64..1_000_000_000_000_000_000, qs in 0u32..=6) {
            let real = decimal(rm, rs);
            let q = decimal(qm, qs);
            if let Some(v) = line_units((real.mantissa(), real.scale()), (qm, qs)) {
                let d = exact_mul(real, q).expect("the Decimal product exists");
                prop_assert_eq!(Some(v), units(d));
            }
        }

        #[test]
        fn small_costs_take_the_fast_path(pence in -100_000_000_000i64..100_000_000_000, qm in 0i64..100_000_000, qs in 0u32..=6) {
            let real = decimal(pence, 2);
            let v = line_units((real.mantissa(), real.scale()), (qm, qs));
            prop_assert!(v.is_some());
            prop_assert_eq!(v, units(exact_mul(real, decimal(qm, qs)).unwrap()));
        }
    }
}
