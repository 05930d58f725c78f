//! Disclosure control for published reports: stable keyed pseudonyms and small-count
//! suppression.
//!
//! - **Pseudonyms.** A person id is replaced by `P-` and the first 10 hex digits of
//!   HMAC-SHA256(key, id). With the same key, the same person gets the same pseudonym in every
//!   report, so reports can be linked by whoever holds the key, and by no one else. Without a
//!   key, a fresh random key is drawn for each report and never written anywhere; such a report
//!   does not regenerate byte for byte, and it says so.
//! - **Suppression.** In published tables, an event count from 1 to `threshold - 1`, and every
//!   cost or share resting on it, is shown as `[c]`; a total beside a suppressed cell is
//!   suppressed too, and a chart that would show a suppressed value is withheld. Zero is not
//!   disclosive and is shown. One person's own journey (the single-person red and blue lines)
//!   is not published, and a cohort smaller than the threshold is refused. The report states
//!   how many cells were suppressed. A threshold of 0 (or 1) turns suppression off, which is for
//!   illustrative or synthetic data only; the report says that too.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The marker of a suppressed cell (as the ONS uses).
pub const SUPPRESSED: &str = "[c]";

/// Replaces person ids with keyed pseudonyms.
#[derive(Clone)]
pub struct Pseudonymiser {
    key: Vec<u8>,
    /// Whether the key was given (reproducible) or drawn at random for this report.
    pub keyed: bool,
}

impl std::fmt::Debug for Pseudonymiser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the key.
        f.debug_struct("Pseudonymiser").field("keyed", &self.keyed).finish_non_exhaustive()
    }
}

impl Pseudonymiser {
    /// With the given key, or a random one when `None`.
    #[must_use]
    pub fn new(key: Option<&[u8]>) -> Pseudonymiser {
        if let Some(k) = key {
            return Pseudonymiser { key: k.to_vec(), keyed: true };
        }
        let mut k = vec![0u8; 32];
        // The operating system's randomness; if it is unavailable the key falls back to the
        // process id and the address of the buffer, still never written out.
        if rand::TryRng::try_fill_bytes(&mut rand::rngs::SysRng, &mut k).is_err() {
            let fallback = format!("{}{:p}", std::process::id(), k.as_ptr());
            k = fallback.into_bytes();
        }
        Pseudonymiser { key: k, keyed: false }
    }

    /// The pseudonym of a person id.
    ///
    /// # Example
    /// ```
    /// use journeycost_report::disclosure::Pseudonymiser;
    ///
    /// let p = Pseudonymiser::new(Some(b"council key"));
    /// assert_eq!(p.pseudonym("ANNA"), p.pseudonym("ANNA"));
    /// assert_ne!(p.pseudonym("ANNA"), p.pseudonym("BEN"));
    /// assert!(p.pseudonym("ANNA").starts_with("P-"));
    /// ```
    ///
    /// # Panics
    /// Never: HMAC accepts keys of any length.
    #[must_use]
    pub fn pseudonym(&self, id: &str) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key).expect("HMAC takes a key of any length");
        mac.update(id.as_bytes());
        let bytes = mac.finalize().into_bytes();
        bytes.iter().take(5).fold(String::from("P-"), |mut out, b| {
            use std::fmt::Write as _;
            let _ = write!(out, "{b:02x}");
            out
        })
    }
}

/// Small-count suppression with a running count of cells suppressed.
#[derive(Debug, Clone, Copy)]
pub struct Suppressor {
    /// Counts below this (and above zero) are suppressed; 0 turns suppression off.
    pub threshold: u64,
    /// Cells suppressed so far.
    pub suppressed: u64,
}

impl Suppressor {
    /// A suppressor with this threshold.
    #[must_use]
    pub fn new(threshold: u64) -> Suppressor {
        Suppressor { threshold, suppressed: 0 }
    }

    /// Whether a count must be suppressed.
    #[must_use]
    pub fn hides(&self, count: u64) -> bool {
        count > 0 && count < self.threshold
    }

    /// A count and the value beside it, as published: both `[c]` when the count is small.
    pub fn cell(&mut self, count: u64, value: &str) -> (String, String) {
        if self.hides(count) {
            self.suppressed += 1 + u64::from(!value.is_empty());
            (SUPPRESSED.to_owned(), if value.is_empty() { String::new() } else { SUPPRESSED.to_owned() })
        } else {
            (count.to_string(), value.to_owned())
        }
    }

    /// A value whose underlying count is `count`, as published: `[c]` when the count is small.
    pub fn value(&mut self, count: u64, value: &str) -> String {
        if self.hides(count) {
            self.suppressed += 1;
            SUPPRESSED.to_owned()
        } else {
            value.to_owned()
        }
    }

    /// Whether suppression is on (a threshold above 1).
    #[must_use]
    pub fn on(&self) -> bool {
        self.threshold > 1
    }

    /// The sentence a report carries about suppression.
    #[must_use]
    pub fn statement(&self) -> String {
        if self.on() {
            format!(
                "Counts from 1 to {} in published tables, and the costs and shares that rest on them, are suppressed and shown as {SUPPRESSED} ({} cells in this report); so is a total that would reveal a suppressed cell, and a chart that would show one is withheld. One person's own journey is not published.",
                self.threshold - 1,
                self.suppressed
            )
        } else {
            "Small-count suppression is off for this report: its data are illustrative, not records of real people.".to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_depend_on_the_key() {
        let a = Pseudonymiser::new(Some(b"k1"));
        let b = Pseudonymiser::new(Some(b"k2"));
        assert_ne!(a.pseudonym("ANNA"), b.pseudonym("ANNA"));
        assert_eq!(a.pseudonym("ANNA").len(), 12);
        let r = Pseudonymiser::new(None);
        assert!(!r.keyed);
        assert!(!format!("{r:?}").contains("key:"));
    }

    #[test]
    fn small_counts_are_suppressed() {
        let mut s = Suppressor::new(5);
        assert_eq!(s.cell(0, "0.00"), ("0".into(), "0.00".into()));
        assert_eq!(s.cell(4, "10.00"), ("[c]".into(), "[c]".into()));
        assert_eq!(s.cell(5, "10.00"), ("5".into(), "10.00".into()));
        assert_eq!(s.suppressed, 2);
        assert!(s.statement().contains("1 to 4"));
        assert!(Suppressor::new(0).statement().contains("off"));
        assert!(!Suppressor::new(0).hides(1));
    }
}
