//! Line numbers for the CSV readers, counted as the bytes pass.
//!
//! The `csv` crate counts lines by `\n` only, and places a record at the line end before it:
//! in a file of `\r\n` line ends a problem was reported a line early, after blank lines on the
//! first of them, and in a file of lone `\r` line ends (old Mac, some exports) always on line 1
//! (found by fuzzing). [`LineCounter`] wraps the input and notes each line end as the bytes pass
//! (`\n`, `\r\n` and a lone `\r`, as the reader itself ends records); a record's line is the
//! line of its first byte that is not a line end. Records are read in order, so only the line
//! ends between the last record asked about and the bytes read so far are kept: memory stays
//! that of the reader's buffer, whatever the file.

use std::collections::VecDeque;
use std::io::Read;

/// A reader that counts the lines of what passes through it.
#[derive(Debug)]
pub(crate) struct LineCounter<R> {
    inner: R,
    /// Bytes read so far.
    offset: u64,
    /// The line ends read and not yet passed by a query: each one's offset, and whether it
    /// starts a line (a `\r`, or a `\n` that does not end a `\r\n`).
    ends: VecDeque<(u64, bool)>,
    /// Whether the last byte read was a `\r`.
    cr: bool,
    /// The line of the last offset asked about.
    line: u64,
}

impl<R: Read> LineCounter<R> {
    pub(crate) fn new(inner: R) -> LineCounter<R> {
        LineCounter { inner, offset: 0, ends: VecDeque::new(), cr: false, line: 1 }
    }

    /// The 1-based line of the record that starts at `offset`: the line of its first byte that
    /// is not a line end (the reader skips blank lines, and may place a record at the line end
    /// before it). The record must have been read, and offsets asked about in order, as a
    /// reader meets its records; an earlier one gets the line of the latest asked about.
    pub(crate) fn line_at(&mut self, mut offset: u64) -> u64 {
        while let Some(&(at, starts)) = self.ends.front() {
            if at > offset {
                break;
            }
            if at == offset {
                offset += 1;
            }
            self.line += u64::from(starts);
            self.ends.pop_front();
        }
        self.line
    }
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let bytes = &buf[..n];
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            let after_cr = if i == 0 { self.cr } else { bytes[i - 1] == b'\r' };
            self.ends.push_back((self.offset + i as u64, bytes[i] == b'\r' || !after_cr));
        }
        if let Some(last) = bytes.last() {
            self.cr = *last == b'\r';
        }
        self.offset += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `text` through a counter in pieces of `chunk` bytes, and returns the line of each
    /// byte that is not a line end, asked in order.
    fn lines(text: &[u8], chunk: usize) -> Vec<u64> {
        struct Pieces<'a>(&'a [u8], usize);
        impl Read for Pieces<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut counter = LineCounter::new(Pieces(text, chunk));
        let mut sink = Vec::new();
        counter.read_to_end(&mut sink).unwrap();
        (0..text.len()).filter(|o| !matches!(text[*o], b'\n' | b'\r')).map(|o| counter.line_at(o as u64)).collect()
    }

    /// The line of each byte that is not a line end, counted the plain way.
    fn expected(text: &[u8]) -> Vec<u64> {
        let mut line = 1;
        let mut out = Vec::new();
        for (i, b) in text.iter().enumerate() {
            if *b == b'\r' || (*b == b'\n' && (i == 0 || text[i - 1] != b'\r')) {
                line += 1;
            } else if *b != b'\n' {
                out.push(line);
            }
        }
        out
    }

    #[test]
    fn a_record_placed_at_the_line_end_before_it_gets_its_own_line() {
        let text = b"h\r\n\r\nab\n\nc";
        let mut counter = LineCounter::new(&text[..]);
        std::io::copy(&mut counter, &mut std::io::sink()).unwrap();
        assert_eq!(counter.line_at(0), 1);
        assert_eq!(counter.line_at(2), 3, "from the \\n of the header's \\r\\n, over a blank line");
        assert_eq!(counter.line_at(8), 5, "from the \\n ending line 3, over a blank line");
    }

    #[test]
    fn every_line_end_counts_once_however_the_bytes_arrive() {
        for text in [&b"a\nb\nc"[..], b"a\r\nb\r\nc\r\n", b"a\rb\rc\r", b"\r\n\r\n\n\r\r\nx", b"", b"\r", b"ab\r\r\n\r"]
        {
            for chunk in 1..=4 {
                assert_eq!(lines(text, chunk), expected(text), "{text:?} in pieces of {chunk}");
            }
        }
    }
}
