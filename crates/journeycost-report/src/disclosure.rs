//! Pseudonyms for published reports, and the marker of a suppressed cell. Suppression itself is
//! [`sdc`](crate::sdc): every figure of a report is protected as one set of linked tables.
//!
//! # Pseudonyms and their threat model
//! A person id is replaced by `P-` and the first 16 hex digits (64 bits) of
//! HMAC-SHA256(key, id). Person ids are guessable (an NHS number, a case reference, a name), so
//! a plain hash of them could be reversed by hashing every candidate: **the key is the secret**.
//! - With the same key, the same person gets the same pseudonym in every report, so reports can
//!   be linked by whoever holds the key, and by no one else. A key must be at least
//!   [`MIN_KEY_BYTES`] bytes: a short key could be guessed, and then every pseudonym reversed.
//! - Without a key, a fresh random key of 32 bytes is drawn from the operating system for each
//!   report and never written anywhere; such a report does not regenerate byte for byte, and it
//!   says that its pseudonyms are not reproducible.
//! - 64 bits make a collision between two persons' pseudonyms vanishingly unlikely for any
//!   cohort (about one chance in 10^7 for a million persons).

use hmac::{Hmac, KeyInit, Mac};
use journeycost::error::{Error, Location, ProblemKind};
use sha2::Sha256;

/// The marker of a suppressed cell (as the ONS uses).
pub const SUPPRESSED: &str = "[c]";

/// The shortest pseudonym key accepted, in bytes.
pub const MIN_KEY_BYTES: usize = 16;

/// Hex digits of a pseudonym: 64 bits.
const PSEUDONYM_HEX: usize = 16;

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
    ///
    /// # Errors
    /// A key shorter than [`MIN_KEY_BYTES`] bytes (an empty one included), or no randomness from
    /// the operating system for a random key.
    pub fn new(key: Option<&[u8]>) -> Result<Pseudonymiser, Error> {
        if let Some(k) = key {
            if k.len() < MIN_KEY_BYTES {
                return Err(Error::new(
                    Location::source("pseudonym key"),
                    ProblemKind::Scenario,
                    format!(
                        "the pseudonym key has {} bytes; it must have at least {MIN_KEY_BYTES}: pseudonyms of guessable ids are only as safe as the key",
                        k.len()
                    ),
                ));
            }
            return Ok(Pseudonymiser { key: k.to_vec(), keyed: true });
        }
        let mut k = vec![0u8; 32];
        rand::TryRng::try_fill_bytes(&mut rand::rngs::SysRng, &mut k).map_err(|e| {
            Error::new(
                Location::source("pseudonym key"),
                ProblemKind::Io,
                format!("no randomness from the operating system for a random pseudonym key ({e}); give a key instead"),
            )
        })?;
        Ok(Pseudonymiser { key: k, keyed: false })
    }

    /// The pseudonym of a person id.
    ///
    /// # Example
    /// ```
    /// use journeycost_report::disclosure::Pseudonymiser;
    ///
    /// let p = Pseudonymiser::new(Some(b"a council's own secret key")).unwrap();
    /// assert_eq!(p.pseudonym("ANNA"), p.pseudonym("ANNA"));
    /// assert_ne!(p.pseudonym("ANNA"), p.pseudonym("BEN"));
    /// assert!(p.pseudonym("ANNA").starts_with("P-"));
    /// assert_eq!(p.pseudonym("ANNA").len(), 18);
    /// ```
    ///
    /// # Panics
    /// Never: HMAC accepts keys of any length.
    #[must_use]
    pub fn pseudonym(&self, id: &str) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key).expect("HMAC takes a key of any length");
        mac.update(id.as_bytes());
        let bytes = mac.finalize().into_bytes();
        bytes.iter().take(PSEUDONYM_HEX / 2).fold(String::from("P-"), |mut out, b| {
            use std::fmt::Write as _;
            let _ = write!(out, "{b:02x}");
            out
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_depend_on_the_key_and_carry_64_bits() {
        let a = Pseudonymiser::new(Some(b"first key, 16+ bytes")).unwrap();
        let b = Pseudonymiser::new(Some(b"second key, 16+ bytes")).unwrap();
        assert_ne!(a.pseudonym("ANNA"), b.pseudonym("ANNA"));
        assert_eq!(a.pseudonym("ANNA").len(), 2 + 16);
        let r = Pseudonymiser::new(None).unwrap();
        assert!(!r.keyed);
        assert!(!format!("{r:?}").contains("key:"));
    }

    #[test]
    fn short_and_empty_keys_are_refused() {
        for k in [&b""[..], b"k", b"fifteen bytes!!"] {
            let e = Pseudonymiser::new(Some(k)).unwrap_err();
            assert!(e.to_string().contains("at least 16"), "{e}");
        }
        assert!(Pseudonymiser::new(Some(b"sixteen bytes!!!")).is_ok());
    }
}
