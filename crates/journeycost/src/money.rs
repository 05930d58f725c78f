//! Exact money: [`Money`] over [`rust_decimal::Decimal`], named rounding, and penny-conserving
//! apportionment.
//!
//! Money is never a float. Sums are exact; the only roundings are the ones the costing rules
//! name, each half-even ("banker's rounding") to the penny unless a rule says otherwise:
//! [`Money::round_to_penny`], [`round_ratio_to_penny`] and [`apportion`].

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Mul, Neg, Sub, SubAssign};

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Serialize, Serializer};

/// The rounding used for money throughout: half to even at the penny.
pub const PENNY_ROUNDING: RoundingStrategy = RoundingStrategy::MidpointNearestEven;

/// An exact amount of money in pounds sterling.
///
/// Arithmetic is exact (`Decimal`); [`Display`](fmt::Display) prints exactly two decimals,
/// rounded half-even from the exact value, and never prints `-0.00`.
///
/// # Example
/// ```
/// use journeycost::money::Money;
/// use rust_decimal::Decimal;
///
/// let a = Money::new(Decimal::new(5505, 3)); // 5.505
/// assert_eq!(a.to_string(), "5.50");         // half-even: the tie goes to the even penny
/// assert_eq!((-Money::new(Decimal::new(4, 3))).to_string(), "0.00"); // never "-0.00"
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(Decimal);

impl Money {
    /// Zero pounds.
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Money from an exact decimal amount of pounds.
    #[must_use]
    pub const fn new(pounds: Decimal) -> Money {
        Money(pounds)
    }

    /// The exact amount, unrounded.
    #[must_use]
    pub const fn exact(self) -> Decimal {
        self.0
    }

    /// Rounded half-even to the penny, with a negative zero normalised to zero.
    #[must_use]
    pub fn round_to_penny(self) -> Money {
        let r = self.0.round_dp_with_strategy(2, PENNY_ROUNDING);
        if r.is_zero() { Money(Decimal::ZERO) } else { Money(r) }
    }

    /// Whether the amount is exactly zero.
    #[must_use]
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// Exact addition that reports, rather than rounds, an overflow of `Decimal`'s 96 bits.
    #[must_use]
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// The amount as a float, for statistics only (never summed back into money).
    #[must_use]
    pub fn to_f64(self) -> f64 {
        use rust_decimal::prelude::ToPrimitive;
        self.0.to_f64().unwrap_or(f64::NAN)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Whole pennies, rounded half-even from the exact mantissa: the same value as
        // `round_to_penny`, without `Decimal` arithmetic (reports print millions of these).
        let pennies = pennies(self.0);
        let sign = if pennies < 0 { "-" } else { "" };
        let abs = pennies.unsigned_abs();
        if f.width().is_some() || f.precision().is_some() {
            // `pad` applies the width, alignment and precision the caller asked for.
            return f.pad(&format!("{sign}{}.{:02}", abs / 100, abs % 100));
        }
        match u64::try_from(abs) {
            // The usual size, formatted as a machine word (much faster than a u128).
            Ok(abs) => write!(f, "{sign}{}.{:02}", abs / 100, abs % 100),
            Err(_) => write!(f, "{sign}{}.{:02}", abs / 100, abs % 100),
        }
    }
}

/// `d` in whole pennies, rounded half-even (a negative amount that rounds to zero is zero).
fn pennies(d: Decimal) -> i128 {
    let (m, scale) = (d.mantissa(), d.scale());
    if scale <= 2 {
        // At most 96 bits times 100: no overflow.
        return m * 10i128.pow(2 - scale);
    }
    let unit = 10i128.pow(scale - 2);
    let (q, r) = (m / unit, (m % unit).abs());
    let up = match (2 * r).cmp(&unit) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Equal => q % 2 != 0,
        std::cmp::Ordering::Less => false,
    };
    if up { q + m.signum() } else { q }
}

impl Serialize for Money {
    /// Money serialises as a string of exactly two decimals, as printed.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        self.0 -= rhs.0;
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl Mul<Decimal> for Money {
    type Output = Money;
    fn mul(self, rhs: Decimal) -> Money {
        Money(self.0 * rhs)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Money> for Money {
    fn sum<I: Iterator<Item = &'a Money>>(iter: I) -> Money {
        iter.copied().sum()
    }
}

/// `a × b`, exactly, or `None` when the exact product does not fit a `Decimal` (more than 28
/// decimals, or more than 96 bits of mantissa). `Decimal`'s own multiplication would round such
/// a product without a word.
///
/// # Example
/// ```
/// use journeycost::money::exact_mul;
/// use journeycost::Decimal;
///
/// assert_eq!(exact_mul(Decimal::new(22566, 2), Decimal::new(5, 1)), Some(Decimal::new(112830, 3)));
/// assert_eq!(exact_mul(Decimal::MAX, Decimal::TWO), None); // beyond 96 bits
/// let tiny = Decimal::new(1, 16);
/// assert_eq!(exact_mul(tiny, tiny), None); // 32 decimals
/// ```
#[must_use]
pub fn exact_mul(a: Decimal, b: Decimal) -> Option<Decimal> {
    let m = a.mantissa().checked_mul(b.mantissa())?;
    let scale = a.scale() + b.scale();
    if scale > 28 {
        // Trailing zeros may bring it back within range.
        let (a, b) = (a.normalize(), b.normalize());
        if a.scale() + b.scale() > 28 {
            return None;
        }
        return exact_mul(a, b);
    }
    Decimal::try_from_i128_with_scale(m, scale).ok()
}

/// The bound on the sum of the absolute values of a ledger's lines, in pounds: 10^24. (A
/// `Decimal` could hold more at a small scale; the bound keeps every sum within an `i128` of
/// 10^-14 pounds, which the streamed `cost` sums in, so every command has one rule.)
pub const MAX_SUM_OF_MAGNITUDES: i128 = 1_000_000_000_000_000_000_000_000;

/// The exactness rule of every command: whether the exact sum of the absolute values of
/// `amounts` fits a `Decimal` at their largest scale and is at most
/// [`MAX_SUM_OF_MAGNITUDES`]. When it does, every sum of any of them (every group-by of a
/// ledger) is exact.
#[must_use]
pub fn sums_exactly<'a>(amounts: impl IntoIterator<Item = &'a Decimal> + Clone) -> bool {
    let scale = amounts.clone().into_iter().map(Decimal::scale).max().unwrap_or(0);
    let limit: i128 = sum_limit(scale);
    let mut total: i128 = 0;
    for a in amounts {
        let Some(p) = 10i128.checked_pow(scale - a.scale()) else { return false };
        let Some(m) = a.mantissa().unsigned_abs().try_into().ok().and_then(|m: i128| m.checked_mul(p)) else {
            return false;
        };
        match total.checked_add(m) {
            Some(t) if t <= limit => total = t,
            _ => return false,
        }
    }
    true
}

/// The most a sum of absolute values may be, as an integer at `scale`: 96 bits, and at most
/// [`MAX_SUM_OF_MAGNITUDES`] pounds.
fn sum_limit(scale: u32) -> i128 {
    const BITS_96: i128 = (1i128 << 96) - 1;
    10i128.checked_pow(scale).and_then(|p| MAX_SUM_OF_MAGNITUDES.checked_mul(p)).map_or(BITS_96, |cap| cap.min(BITS_96))
}

/// [`sums_exactly`] fed one amount at a time, for amounts that are never stored together: the
/// running total is kept at the largest scale seen so far, which reaches the same verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExactSumCheck {
    scale: u32,
    total: i128,
    over: bool,
}

impl ExactSumCheck {
    /// Adds an amount's absolute value.
    pub fn add(&mut self, a: Decimal) {
        if self.over {
            return;
        }
        if a.scale() > self.scale {
            // The total only grows when brought to a finer scale (and the limit grows no
            // faster), so going past the limit here means going past it at the end too.
            match 10i128.checked_pow(a.scale() - self.scale).and_then(|p| self.total.checked_mul(p)) {
                Some(t) if t <= sum_limit(a.scale()) => (self.total, self.scale) = (t, a.scale()),
                _ => {
                    self.over = true;
                    return;
                }
            }
        }
        let term = 10i128
            .checked_pow(self.scale - a.scale())
            .and_then(|p| i128::try_from(a.mantissa().unsigned_abs()).ok()?.checked_mul(p));
        match term.and_then(|m| self.total.checked_add(m)) {
            Some(t) if t <= sum_limit(self.scale) => self.total = t,
            _ => self.over = true,
        }
    }

    /// Whether every amount added so far sums exactly, as [`sums_exactly`] says of them.
    #[must_use]
    pub fn exact(&self) -> bool {
        !self.over
    }
}

/// `round_half_even(a * b / c, 2)`, computed exactly in integers (no intermediate rounding).
///
/// This is the price-base conversion `unit_cost * index[T] / index[price_year]`: `Decimal`
/// division rounds at 28 significant digits, which could in principle move an exact half-penny,
/// so the quotient is formed from the operands' integer mantissas instead.
///
/// Returns `None` if `c` is zero or the exact computation does not fit in 128 bits (values far
/// beyond any unit cost or index).
///
/// # Example
/// ```
/// use journeycost::money::round_ratio_to_penny;
/// use rust_decimal::Decimal;
///
/// // 205.15 * 110 / 100 = 225.665 exactly: half-even gives 225.66
/// let r = round_ratio_to_penny(Decimal::new(20515, 2), Decimal::new(110, 0), Decimal::new(100, 0));
/// assert_eq!(r, Some(Decimal::new(22566, 2)));
/// ```
#[must_use]
pub fn round_ratio_to_penny(a: Decimal, b: Decimal, c: Decimal) -> Option<Decimal> {
    round_ratio(a, b, c, 2)
}

/// `round_half_even(a * b / c, places)`, computed exactly in integers, with exactly `places`
/// decimals: the one rounding of every ratio journeycost reports (pennies, shares, BCR).
///
/// Returns `None` if `c` is zero or the exact computation does not fit in 128 bits (see
/// [`round_quotient`] for a ratio that must always have an answer).
///
/// # Example
/// ```
/// use journeycost::money::round_ratio;
/// use journeycost::Decimal;
///
/// // 2/3 to four decimals, and a tie to even
/// assert_eq!(round_ratio(Decimal::TWO, Decimal::ONE, Decimal::from(3), 4).unwrap().to_string(), "0.6667");
/// assert_eq!(round_ratio(Decimal::new(12345, 5), Decimal::ONE, Decimal::ONE, 4).unwrap().to_string(), "0.1234");
/// ```
#[must_use]
pub fn round_ratio(a: Decimal, b: Decimal, c: Decimal, places: u32) -> Option<Decimal> {
    let (a, b, c) = (a.normalize(), b.normalize(), c.normalize());
    if c.is_zero() || places > 28 {
        return None;
    }
    // a*b/c*10^places = (ma * mb * 10^places * 10^sc) / (mc * 10^(sa+sb))
    let mut num = a.mantissa().checked_mul(b.mantissa())?.checked_mul(10i128.checked_pow(places)?)?;
    let mut den = c.mantissa();
    let (num_scale, den_scale) = (c.scale(), a.scale() + b.scale());
    // Cancel the common power of ten first so the multiplications stay small.
    let common = num_scale.min(den_scale);
    num = num.checked_mul(10i128.checked_pow(num_scale - common)?)?;
    den = den.checked_mul(10i128.checked_pow(den_scale - common)?)?;
    if den < 0 {
        num = num.checked_neg()?;
        den = den.checked_neg()?;
    }
    let q = num.div_euclid(den);
    let r = num.rem_euclid(den); // 0 <= r < den
    let twice = r.checked_mul(2)?;
    let units = match twice.cmp(&den) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => {
            if q % 2 == 0 {
                q
            } else {
                q + 1
            }
        }
    };
    Decimal::try_from_i128_with_scale(units, places).ok()
}

/// `a / b` rounded half-even to `places` decimals, with exactly `places` decimals: exact when
/// [`round_ratio`] can be, otherwise from `Decimal`'s division (28 significant digits, then
/// one rounding), which is far finer than any ratio reported. `None` when `b` is zero.
#[must_use]
pub fn round_quotient(a: Decimal, b: Decimal, places: u32) -> Option<Decimal> {
    if b.is_zero() {
        return None;
    }
    round_ratio(a, Decimal::ONE, b, places).or_else(|| {
        a.checked_div(b).map(|q| {
            let mut r = q.round_dp_with_strategy(places, PENNY_ROUNDING);
            r.rescale(places);
            r
        })
    })
}

/// A share as a percentage, rounded half-even to `places` decimals and printed with exactly
/// that many: `0.88835` → `88.8` (one place). Every percentage of an exact share that journeycost
/// prints goes through here, so the CLI and the report never round the same share two ways
/// (probabilities from the Monte Carlo draws are floats, printed as floats). `n/a` for a share too large to
/// multiply by 100.
#[must_use]
pub fn percent(share: Decimal, places: u32) -> String {
    share.checked_mul(Decimal::ONE_HUNDRED).map_or_else(
        || "n/a".to_owned(),
        |p| {
            let mut p = p.round_dp_with_strategy(places, PENNY_ROUNDING);
            p.rescale(places);
            p.to_string()
        },
    )
}

/// Splits `total` (a whole number of pennies) into parts proportional to `weights` so that the
/// parts sum exactly to `total`: the largest-remainder method at the penny, ties to the earlier
/// part.
///
/// Each part first gets the floor of its exact share in pennies; the pennies left over go one
/// each to the parts with the largest remainders, earlier parts first among equal remainders.
/// Negative totals are apportioned as the negation of the positive total, so the rule is
/// symmetric. All weights zero (or no weights) gives all-zero parts.
///
/// # Example
/// ```
/// use journeycost::money::{apportion, Money};
/// use rust_decimal::Decimal;
///
/// // £10.00 over three equal months: 3.34 + 3.33 + 3.33 (the tie goes to the earliest)
/// let parts = apportion(Money::new(Decimal::new(1000, 2)), &[1, 1, 1]);
/// let shown: Vec<String> = parts.iter().map(ToString::to_string).collect();
/// assert_eq!(shown, ["3.34", "3.33", "3.33"]);
/// ```
///
/// # Panics
/// Never for totals that are whole pennies within `Decimal`'s range; a total with fractions of a
/// penny is first rounded half-even to the penny.
#[must_use]
pub fn apportion(total: Money, weights: &[u64]) -> Vec<Money> {
    let total = total.round_to_penny().exact();
    let sum: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    if weights.is_empty() {
        return Vec::new();
    }
    if sum == 0 {
        return vec![Money::ZERO; weights.len()];
    }
    let negative = total.is_sign_negative();
    // Whole pennies, as an unsigned magnitude.
    let mut magnitude = total.abs();
    magnitude.rescale(2); // exact: the total is already whole pennies
    let pennies: u128 = magnitude.mantissa().unsigned_abs();
    let mut parts: Vec<u128> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    let mut given: u128 = 0;
    for (i, &w) in weights.iter().enumerate() {
        let exact = pennies * u128::from(w);
        parts.push(exact / sum);
        remainders.push((exact % sum, i));
        given += exact / sum;
    }
    // Largest remainder first; among equal remainders the earlier part first.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in remainders.iter().take((pennies - given) as usize) {
        parts[i] += 1;
    }
    parts
        .into_iter()
        .map(|p| {
            let d = Decimal::from_i128_with_scale(p as i128, 2);
            Money::new(if negative && !d.is_zero() { -d } else { d })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn percentages_round_half_even_once() {
        use super::percent;
        use rust_decimal::Decimal;
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(percent(d("0.88835"), 1), "88.8");
        assert_eq!(percent(d("0.8885"), 1), "88.8", "a tie goes to the even digit");
        assert_eq!(percent(d("0.8875"), 1), "88.8");
        assert_eq!(percent(d("0.88851"), 1), "88.9");
        assert_eq!(percent(Decimal::MAX, 1), "n/a");
        assert_eq!(percent(d("0.5"), 1), "50.0");
        assert_eq!(percent(d("-0.0125"), 2), "-1.25");
        assert_eq!(percent(d("0.00005"), 1), "0.0");
    }

    use super::*;
    use std::str::FromStr;

    proptest::proptest! {
        /// The running check says what the check of the whole list says.
        #[test]
        fn the_running_check_agrees_with_sums_exactly(amounts in proptest::collection::vec((proptest::num::i128::ANY, 0u32..=28), 0..12), big in proptest::bool::ANY) {
            let amounts: Vec<Decimal> = amounts
                .into_iter()
                .map(|(m, s)| Decimal::from_i128_with_scale(if big { m % (1i128 << 96) } else { m % 1_000_000_000 }, s))
                .collect();
            let mut check = ExactSumCheck::default();
            for a in &amounts {
                check.add(*a);
            }
            proptest::prop_assert_eq!(check.exact(), sums_exactly(&amounts));
        }

        /// Printing rounds exactly as `round_to_penny` does, at every scale and sign.
        #[test]
        fn display_is_the_rounded_penny(m in proptest::num::i128::ANY, scale in 0u32..=28) {
            let m = m % (1i128 << 96);
            let d = Decimal::from_i128_with_scale(m, scale);
            let r = Money::new(d).round_to_penny().0;
            proptest::prop_assert_eq!(Money::new(d).to_string(), format!("{r:.2}"));
        }
    }

    #[test]
    fn sums_are_bounded_at_ten_to_the_twenty_four_pounds() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        let bound = d("1000000000000000000000000");
        assert!(sums_exactly(&[bound]));
        assert!(!sums_exactly(&[bound, d("0.01")]), "past the bound");
        assert!(!sums_exactly(&[d("600000000000000000000000"), d("-600000000000000000000000")]), "absolute values");
        assert!(sums_exactly(&[d("1000000000000000000"), d("1000000000000")]), "£10^12 × 10^6 sums");
        let half = d("500000000000000.00000000000000");
        assert!(sums_exactly(&[half]) && !sums_exactly(&[half, half]), "96 bits at 14 decimals");
        let mut check = ExactSumCheck::default();
        for a in [bound, d("0.01")] {
            check.add(a);
        }
        assert!(!check.exact());
    }

    #[test]
    fn display_ties_go_to_the_even_penny() {
        for (text, printed) in [
            ("0.005", "0.00"),
            ("0.015", "0.02"),
            ("-0.025", "-0.02"),
            ("-0.004", "0.00"),
            ("12", "12.00"),
            ("-1.5", "-1.50"),
            ("79228162514264337593543950335", "79228162514264337593543950335.00"),
        ] {
            assert_eq!(Money::new(Decimal::from_str(text).unwrap()).to_string(), printed, "{text}");
        }
        assert_eq!(format!("{:>8}", Money::new(Decimal::ONE)), "    1.00");
        assert_eq!(
            format!("{:.3}", Money::new(Decimal::new(12345, 2))),
            "123",
            "a precision cuts the text, as pad does"
        );
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn display_rounds_half_even_and_never_negative_zero() {
        assert_eq!(Money::new(d("5.505")).to_string(), "5.50");
        assert_eq!(Money::new(d("5.515")).to_string(), "5.52");
        assert_eq!(Money::new(d("-5.505")).to_string(), "-5.50");
        assert_eq!(Money::new(d("-0.005")).to_string(), "0.00");
        assert_eq!(Money::new(d("-0.004")).to_string(), "0.00");
        assert_eq!(Money::new(d("7")).to_string(), "7.00");
        assert_eq!(Money::new(d("0.1")).to_string(), "0.10");
        assert_eq!(Money::new(d("123456789.999")).to_string(), "123456790.00");
    }

    #[test]
    fn ratio_rounding_is_exact_half_even() {
        // ties both ways
        assert_eq!(round_ratio_to_penny(d("0.05"), d("110"), d("100")), Some(d("0.06"))); // 0.055
        assert_eq!(round_ratio_to_penny(d("0.15"), d("110"), d("100")), Some(d("0.16"))); // 0.165
        assert_eq!(round_ratio_to_penny(d("10.01"), d("110.00"), d("100.00")), Some(d("11.01"))); // 11.011
        assert_eq!(round_ratio_to_penny(d("3"), d("1"), d("3")), Some(d("1.00")));
        assert_eq!(round_ratio_to_penny(d("2"), d("1"), d("3")), Some(d("0.67")));
        assert_eq!(round_ratio_to_penny(d("-0.05"), d("110"), d("100")), Some(d("-0.06")));
        assert_eq!(round_ratio_to_penny(d("1"), d("1"), d("0")), None);
        // index ratio of one returns the cost itself
        assert_eq!(round_ratio_to_penny(d("12.34"), d("84.9"), d("84.9")), Some(d("12.34")));
    }

    #[test]
    fn apportion_conserves_and_breaks_ties_early() {
        let parts = apportion(Money::new(d("10.00")), &[1, 1, 1]);
        assert_eq!(parts.iter().copied().sum::<Money>(), Money::new(d("10.00")));
        assert_eq!(parts[0], Money::new(d("3.34")));
        let parts = apportion(Money::new(d("-10.00")), &[1, 1, 1]);
        assert_eq!(parts[0], Money::new(d("-3.34")));
        assert_eq!(apportion(Money::new(d("5")), &[0, 0]), vec![Money::ZERO; 2]);
        assert!(apportion(Money::new(d("5")), &[]).is_empty());
        let parts = apportion(Money::new(d("0.01")), &[31, 28]);
        assert_eq!(parts, vec![Money::new(d("0.01")), Money::ZERO]);
    }
}
