//! Reading the database's cells: floats and money text to exact decimals, unit text to
//! [`Unit`]s, agency names to one spelling.

use rust_decimal::Decimal;

use crate::catalogue::Unit;
use crate::io::parse_decimal;

/// An `f64` read from a workbook as an exact [`Decimal`], through its shortest round-trip text.
///
/// A workbook stores numbers as binary floating point: a value typed or computed as 767.7333…
/// is held as the double nearest to it, which the file writes as `767.73333333333335`. The
/// double's *shortest round-trip* text (the shortest decimal that reads back as the same
/// double: Rust's `Display` for `f64`, which never uses an exponent) is `767.7333333333333`,
/// and that text is parsed exactly. This is what a person reading the cell sees, and it never
/// goes through a lossy path: not `as` casts, not `Decimal::from_f64`, whose result depends on
/// its own rounding of the binary expansion (`0.1_f64` is exactly
/// 0.1000000000000000055511151231257827…).
///
/// A negative zero is read as zero.
///
/// # Errors
/// A message for a value that is not finite, or whose text has more than 28 significant
/// digits (a magnitude beyond about 10^28, far beyond any unit cost).
///
/// # Example
/// ```
/// use journeycost::ucd::decimal_from_f64;
///
/// assert_eq!(decimal_from_f64(767.7333333333333).unwrap().to_string(), "767.7333333333333");
/// assert_eq!(decimal_from_f64(0.1).unwrap().to_string(), "0.1");
/// assert_eq!(decimal_from_f64(500.0).unwrap().to_string(), "500");
/// assert!(decimal_from_f64(f64::NAN).is_err());
/// ```
pub fn decimal_from_f64(value: f64) -> Result<Decimal, String> {
    if !value.is_finite() {
        return Err(format!("expected a finite number, found {value}"));
    }
    if value == 0.0 {
        return Ok(Decimal::ZERO);
    }
    let text = value.to_string();
    Decimal::from_str_exact(&text)
        .map_err(|_| format!("the number {text} is too large or has too many digits to hold exactly"))
}

/// Parses money written as text, as it appears in the wild: `500`, `1234.56`, `£1,234`,
/// ` £44,676 `, `-£12.50`.
///
/// Surrounding white space is ignored; then an optional `-`, an optional `£`, and a plain
/// decimal whose whole part may be grouped in threes with commas (`1,234,567.89`). Anything
/// else (`-`, `n/a`, `1,23`, `£`, `1e3`, `(5)`) is refused with a message, never guessed at.
///
/// # Errors
/// A message saying what was expected and what was found.
///
/// # Example
/// ```
/// use journeycost::ucd::parse_money_text;
///
/// assert_eq!(parse_money_text(" £44,676 ").unwrap().to_string(), "44676");
/// assert_eq!(parse_money_text("£1,234.50").unwrap().to_string(), "1234.50");
/// assert!(parse_money_text("-").is_err());
/// assert!(parse_money_text("1,23").is_err());
/// ```
pub fn parse_money_text(text: &str) -> Result<Decimal, String> {
    let refuse = || format!("expected an amount such as 1234.56 or £1,234, found {text:?}");
    let t = text.trim();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let t = t.strip_prefix('£').unwrap_or(t);
    let (whole, frac) = match t.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (t, None),
    };
    let mut groups = whole.split(',');
    let first = groups.next().unwrap_or("");
    let digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    if !digits(first) {
        return Err(refuse());
    }
    let mut plain = String::with_capacity(t.len() + 1);
    if negative {
        plain.push('-');
    }
    plain.push_str(first);
    let mut grouped = false;
    for g in groups {
        grouped = true;
        if g.len() != 3 || !digits(g) {
            return Err(refuse());
        }
        plain.push_str(g);
    }
    if grouped && first.len() > 3 {
        return Err(refuse());
    }
    if let Some(f) = frac {
        plain.push('.');
        plain.push_str(f);
    }
    parse_decimal(&plain).map_err(|_| refuse())
}

/// Lowercase, with runs of white space (including line breaks and non-breaking spaces) made one
/// space and the ends trimmed: the form in which unit texts are matched.
pub(crate) fn simplify(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Every unit text of the Unit Cost Database (v1.4's theme sheets and its Lookups list of units,
/// and the 2014 export), lowercase with white space made single, with the journeycost [`Unit`]
/// it maps to: `None` where no journeycost unit clearly fits.
///
/// The rule: a text that names exactly one hour, day, week or year as the period of a rate maps
/// to that time rate, whatever it is per (`Per person per year` is a yearly rate, counted per
/// person by the event's quantity). A text that counts occurrences or things (an incident, a
/// visit, a course, a person, a claim, a whole programme or a lump sum over a stated horizon)
/// maps to `event`. A period journeycost has no unit for (a month, half an hour, six weeks, a
/// school year) or a rate whose period is implied rather than stated (`Per FTE`, a staff
/// post's annual cost) maps to `None`.
pub const UNIT_TABLE: &[(&str, Option<Unit>)] = &[
    // time rates
    ("per hour", Some(Unit::Hour)),
    ("per clinic hour", Some(Unit::Hour)),
    ("per patient hour", Some(Unit::Hour)),
    ("per hour per team member", Some(Unit::Hour)),
    ("per day", Some(Unit::Day)),
    ("per bed day", Some(Unit::Day)),
    ("per night", Some(Unit::Day)),
    ("per week", Some(Unit::Week)),
    ("per client per week", Some(Unit::Week)),
    ("per person per week", Some(Unit::Week)),
    ("two hours per week", Some(Unit::Week)),
    ("per year", Some(Unit::Year)),
    ("per person per year", Some(Unit::Year)),
    ("per claimant per year", Some(Unit::Year)),
    ("per child per year", Some(Unit::Year)),
    ("per patient per year", Some(Unit::Year)),
    ("per pupil per year", Some(Unit::Year)),
    ("per intervention per annum", Some(Unit::Year)),
    // counts of occurrences or things
    ("each", Some(Unit::Event)),
    ("face to face contact", Some(Unit::Event)),
    ("none-face to face contact", Some(Unit::Event)),
    ("per action", Some(Unit::Event)),
    ("per admission", Some(Unit::Event)),
    ("per advice session", Some(Unit::Event)),
    ("per application", Some(Unit::Event)),
    ("per attendance", Some(Unit::Event)),
    ("per call", Some(Unit::Event)),
    ("per case", Some(Unit::Event)),
    ("per case per team member", Some(Unit::Event)),
    ("per child", Some(Unit::Event)),
    ("per child per course", Some(Unit::Event)),
    ("per claim", Some(Unit::Event)),
    ("per claimant", Some(Unit::Event)),
    ("per client", Some(Unit::Event)),
    ("per consultation", Some(Unit::Event)),
    ("per contact", Some(Unit::Event)),
    ("per course", Some(Unit::Event)),
    ("per customer", Some(Unit::Event)),
    ("per episode", Some(Unit::Event)),
    ("per event", Some(Unit::Event)),
    ("per home visit", Some(Unit::Event)),
    ("per incident", Some(Unit::Event)),
    ("per intervention", Some(Unit::Event)),
    ("per journey", Some(Unit::Event)),
    ("per order", Some(Unit::Event)),
    ("per participant", Some(Unit::Event)),
    ("per patient for treatment period", Some(Unit::Event)),
    ("per person", Some(Unit::Event)),
    ("per plan", Some(Unit::Event)),
    ("per proceeding", Some(Unit::Event)),
    ("per process", Some(Unit::Event)),
    ("per programme", Some(Unit::Event)),
    ("per property", Some(Unit::Event)),
    ("per quitter", Some(Unit::Event)),
    ("per scheme", Some(Unit::Event)),
    ("per service user contact", Some(Unit::Event)),
    ("per session", Some(Unit::Event)),
    ("per test", Some(Unit::Event)),
    ("per transfer", Some(Unit::Event)),
    ("per user", Some(Unit::Event)),
    ("per vaccine", Some(Unit::Event)),
    ("per visit", Some(Unit::Event)),
    ("six month programme", Some(Unit::Event)),
    ("project to feb 10", Some(Unit::Event)),
    ("lifetime", Some(Unit::Event)),
    ("for two years", Some(Unit::Event)),
    ("per child over a ten year period", Some(Unit::Event)),
    ("per child over a 25 year period", Some(Unit::Event)),
    // no journeycost unit clearly fits
    ("per month", None),
    ("per half hour", None),
    ("per six weeks", None),
    ("per school academic year", None),
    ("per fte", None),
];

/// The journeycost [`Unit`] of a unit text of the database, by [`UNIT_TABLE`]; `None` where no
/// unit clearly fits or the text is not in the table. Matching ignores case and white space.
///
/// # Example
/// ```
/// use journeycost::catalogue::Unit;
/// use journeycost::ucd::map_unit;
///
/// assert_eq!(map_unit("Per bed day"), Some(Unit::Day));
/// assert_eq!(map_unit("Per person per year"), Some(Unit::Year));
/// assert_eq!(map_unit("Per person "), Some(Unit::Event));
/// assert_eq!(map_unit("Per month"), None);
/// assert_eq!(map_unit("Per fortnight"), None);
/// ```
#[must_use]
pub fn map_unit(text: &str) -> Option<Unit> {
    let key = simplify(text);
    UNIT_TABLE.iter().find(|(t, _)| *t == key).and_then(|&(_, u)| u)
}

/// Agency names whose spelling varies in the database, each with the one spelling used.
///
/// Matching is after trimming and making white space single, and ignores case, so
/// `Local authority` and `Local Authority ` are both `Local Authority`. Besides differences of
/// case, two names are merged: `Courts` (once, beside `Court` 43 times) and
/// `Primary Care Trust / Clinical Commissioning Group`, the 2014 edition's name for the
/// commissioner that v1.4 calls `Clinical Commissioning Group` (v1.4 still has it once).
pub const AGENCY_SPELLINGS: &[(&str, &str)] = &[
    ("local authority", "Local Authority"),
    ("social services", "Social Services"),
    ("courts", "Court"),
    ("primary care trust / clinical commissioning group", "Clinical Commissioning Group"),
];

/// An agency name (level 1 or level 2) in its one spelling: white space trimmed and made
/// single, the variants of [`AGENCY_SPELLINGS`] merged, and an empty name or a `-` placeholder
/// read as no agency. Other names are kept as written.
///
/// # Example
/// ```
/// use journeycost::ucd::normalise_agency;
///
/// assert_eq!(normalise_agency("Local authority").as_deref(), Some("Local Authority"));
/// assert_eq!(normalise_agency(" Social services ").as_deref(), Some("Social Services"));
/// assert_eq!(normalise_agency("NHS").as_deref(), Some("NHS"));
/// assert_eq!(normalise_agency("-"), None);
/// ```
#[must_use]
pub fn normalise_agency(text: &str) -> Option<String> {
    let single = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if single.is_empty() || single == "-" {
        return None;
    }
    let key = single.to_lowercase();
    Some(AGENCY_SPELLINGS.iter().find(|(k, _)| *k == key).map_or(single, |&(_, s)| s.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_convert_through_their_shortest_text() {
        for (f, s) in [
            (767.733_333_333_333_3, "767.7333333333333"),
            (0.0779, "0.0779"),
            (114.623_283_600_000_01, "114.62328360000001"),
        ] {
            assert_eq!(decimal_from_f64(f).unwrap().to_string(), s);
        }
        assert_eq!(decimal_from_f64(-0.0).unwrap(), Decimal::ZERO);
        assert_eq!(decimal_from_f64(1e-7).unwrap().to_string(), "0.0000001");
        assert!(decimal_from_f64(f64::INFINITY).is_err());
        assert!(decimal_from_f64(1e300).is_err());
    }

    #[test]
    fn money_text() {
        for (t, v) in [
            ("500", "500"),
            (" £44,676 ", "44676"),
            ("£1,234", "1234"),
            ("1058.825", "1058.825"),
            ("-£12.50", "-12.50"),
            ("1,234,567.8", "1234567.8"),
        ] {
            assert_eq!(parse_money_text(t).unwrap().to_string(), v, "{t:?}");
        }
        for t in [
            "",
            " ",
            "-",
            "£",
            "n/a",
            "1,23",
            "1234,567",
            ",123",
            "1e3",
            "(5)",
            "£-5",
            "1.2.3",
            ".5",
            "£ 5",
            "12,345,67",
        ] {
            assert!(parse_money_text(t).is_err(), "{t:?} parsed");
        }
        assert_eq!(parse_money_text("-").unwrap_err(), "expected an amount such as 1234.56 or £1,234, found \"-\"");
    }

    #[test]
    fn every_unit_text_is_in_the_table_once() {
        let mut keys: Vec<&str> = UNIT_TABLE.iter().map(|(k, _)| *k).collect();
        for k in &keys {
            assert_eq!(*k, simplify(k), "table keys are simplified");
        }
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "a unit text appears twice");
        assert_eq!(map_unit("Per  Client\nper week"), Some(Unit::Week));
        assert_eq!(map_unit("Per FTE"), None);
    }

    #[test]
    fn agencies() {
        assert_eq!(normalise_agency("Courts").as_deref(), Some("Court"));
        assert_eq!(
            normalise_agency("Primary Care Trust /  Clinical Commissioning Group").as_deref(),
            Some("Clinical Commissioning Group")
        );
        assert_eq!(normalise_agency("  "), None);
        assert_eq!(normalise_agency("Criminal  Justice System").as_deref(), Some("Criminal Justice System"));
    }
}
