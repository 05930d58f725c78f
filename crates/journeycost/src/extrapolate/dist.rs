//! Probability distributions for uncertain parameters: sampling and quantiles.
//!
//! | name | parameters | notes |
//! |---|---|---|
//! | `fixed` | `value` | no uncertainty; a plain number means the same |
//! | `uniform` | `min`, `max` | every value in between equally likely |
//! | `triangular` | `min`, `mode`, `max` | `min <= mode <= max`, `min < max` |
//! | `pert` | `min`, `mode`, `max` | Beta-PERT with shape 4: a smoother triangular |
//! | `normal` | `mean`, `sd`, optional `min`, `max` | truncated to `[min, max]` when given |
//! | `lognormal` | `mean`, `sd` | the lognormal with that mean and standard deviation |
//! | `lognormal` | `median`, `low`, `high` | median, and a 90% interval: `low` and `high` are the 5th and 95th percentiles (sigma from the interval's width on the log scale) |
//! | `beta` | `alpha`, `beta`, or `mean`, `sd` | on 0 to 1, for shares |
//!
//! Samples come from `rand_distr`; quantiles (for the tornado and for truncated normals) from
//! `statrs`. Both are deterministic given the random stream.

use rand::Rng;
use rand_distr::Distribution;
use statrs::distribution::ContinuousCDF;

/// The z-score of the 95th percentile of the standard normal.
const Z95: f64 = 1.644_853_626_951_472_2;

/// An uncertain parameter's distribution.
#[derive(Debug, Clone, PartialEq)]
pub enum Dist {
    /// A known value.
    Fixed(f64),
    /// Uniform on `[min, max]`.
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Triangular.
    Triangular {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// Beta-PERT with shape 4.
    Pert {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// Normal, optionally truncated.
    Normal {
        /// Mean (of the untruncated normal).
        mean: f64,
        /// Standard deviation (of the untruncated normal).
        sd: f64,
        /// Truncation below.
        min: Option<f64>,
        /// Truncation above.
        max: Option<f64>,
    },
    /// Lognormal: `ln X` is normal with mean `mu` and standard deviation `sigma`.
    LogNormal {
        /// Mean of `ln X`.
        mu: f64,
        /// Standard deviation of `ln X`.
        sigma: f64,
    },
    /// Beta on 0 to 1.
    Beta {
        /// First shape.
        alpha: f64,
        /// Second shape.
        beta: f64,
    },
}

impl Dist {
    /// A triangular distribution, checked.
    ///
    /// # Errors
    /// Unless `min <= mode <= max` and `min < max`.
    pub fn triangular(min: f64, mode: f64, max: f64) -> Result<Dist, String> {
        check_three("triangular", min, mode, max)?;
        Ok(Dist::Triangular { min, mode, max })
    }

    /// A Beta-PERT distribution, checked.
    ///
    /// # Errors
    /// Unless `min <= mode <= max` and `min < max`.
    pub fn pert(min: f64, mode: f64, max: f64) -> Result<Dist, String> {
        check_three("pert", min, mode, max)?;
        Ok(Dist::Pert { min, mode, max })
    }

    /// A uniform distribution, checked.
    ///
    /// # Errors
    /// Unless `min < max`.
    pub fn uniform(min: f64, max: f64) -> Result<Dist, String> {
        finite(&[min, max])?;
        if min >= max {
            return Err(format!("uniform needs min < max, found min {min} and max {max}"));
        }
        Ok(Dist::Uniform { min, max })
    }

    /// A normal distribution, optionally truncated, checked.
    ///
    /// # Errors
    /// Unless `sd > 0` and, when both bounds are given, `min < max`, with some probability
    /// inside the bounds.
    pub fn normal(mean: f64, sd: f64, min: Option<f64>, max: Option<f64>) -> Result<Dist, String> {
        finite(&[mean, sd, min.unwrap_or(0.0), max.unwrap_or(0.0)])?;
        if sd <= 0.0 {
            return Err(format!("normal needs sd > 0, found {sd}"));
        }
        if let (Some(a), Some(b)) = (min, max) {
            if a >= b {
                return Err(format!("normal needs min < max, found min {a} and max {b}"));
            }
        }
        let d = Dist::Normal { mean, sd, min, max };
        let std = |m: Option<f64>, inf: f64| m.map_or(inf, |m| (m - mean) / sd);
        if std_mass(std(min, f64::NEG_INFINITY), std(max, f64::INFINITY)) < 1e-9 {
            return Err(format!("normal with mean {mean} and sd {sd} has almost no probability between its bounds"));
        }
        Ok(d)
    }

    /// A lognormal with the given mean and standard deviation (of the value, not its log).
    ///
    /// # Errors
    /// Unless `mean > 0` and `sd > 0`.
    pub fn lognormal_mean_sd(mean: f64, sd: f64) -> Result<Dist, String> {
        finite(&[mean, sd])?;
        if mean <= 0.0 || sd <= 0.0 {
            return Err(format!("lognormal needs mean > 0 and sd > 0, found mean {mean} and sd {sd}"));
        }
        let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
        Ok(Dist::LogNormal { mu: mean.ln() - sigma2 / 2.0, sigma: sigma2.sqrt() })
    }

    /// A lognormal with the given median and 90% interval (`low`, `high` the 5th and 95th
    /// percentiles). `mu = ln(median)`; sigma is the mean of `ln(median/low)/1.6449` and
    /// `ln(high/median)/1.6449`, which must agree within 5% (a lognormal is symmetric on the
    /// log scale).
    ///
    /// # Errors
    /// Unless `0 < low < median < high`, with the two tails agreeing.
    pub fn lognormal_interval(median: f64, low: f64, high: f64) -> Result<Dist, String> {
        finite(&[median, low, high])?;
        if !(0.0 < low && low < median && median < high) {
            return Err(format!(
                "lognormal needs 0 < low < median < high, found low {low}, median {median}, high {high}"
            ));
        }
        // A lognormal is symmetric on the log scale: the two tails must agree about sigma.
        let (lower, upper) = ((median / low).ln() / Z95, (high / median).ln() / Z95);
        if (lower - upper).abs() > 0.05 * lower.max(upper) {
            return Err(format!(
                "lognormal: the interval {low} to {high} is not symmetric around the median {median} on the log scale (a lognormal's is): \
                 use a median near {:.0}, the geometric mean of low and high, or give mean and sd",
                (low * high).sqrt()
            ));
        }
        Ok(Dist::LogNormal { mu: median.ln(), sigma: f64::midpoint(lower, upper) })
    }

    /// A beta distribution from its shapes.
    ///
    /// # Errors
    /// Unless both shapes are positive.
    pub fn beta(alpha: f64, beta: f64) -> Result<Dist, String> {
        finite(&[alpha, beta])?;
        if alpha <= 0.0 || beta <= 0.0 {
            return Err(format!("beta needs alpha > 0 and beta > 0, found alpha {alpha} and beta {beta}"));
        }
        Ok(Dist::Beta { alpha, beta })
    }

    /// A beta distribution with the given mean and standard deviation (method of moments).
    ///
    /// # Errors
    /// Unless `0 < mean < 1` and `0 < sd² < mean (1 - mean)`.
    pub fn beta_mean_sd(mean: f64, sd: f64) -> Result<Dist, String> {
        finite(&[mean, sd])?;
        let var = sd * sd;
        if !(0.0 < mean && mean < 1.0) || sd <= 0.0 || var >= mean * (1.0 - mean) {
            return Err(format!(
                "beta needs 0 < mean < 1 and 0 < sd < sqrt(mean (1 - mean)), found mean {mean} and sd {sd}"
            ));
        }
        let nu = mean * (1.0 - mean) / var - 1.0;
        Dist::beta(mean * nu, (1.0 - mean) * nu)
    }

    /// The smallest and largest values the distribution can take (infinite when unbounded).
    #[must_use]
    pub fn support(&self) -> (f64, f64) {
        match *self {
            Dist::Fixed(v) => (v, v),
            Dist::Uniform { min, max } | Dist::Triangular { min, max, .. } | Dist::Pert { min, max, .. } => (min, max),
            Dist::Normal { min, max, .. } => (min.unwrap_or(f64::NEG_INFINITY), max.unwrap_or(f64::INFINITY)),
            Dist::LogNormal { .. } => (0.0, f64::INFINITY),
            Dist::Beta { .. } => (0.0, 1.0),
        }
    }

    /// Whether the distribution is a single value.
    #[must_use]
    pub fn is_fixed(&self) -> bool {
        matches!(self, Dist::Fixed(_))
    }

    /// One draw.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match *self {
            Dist::Fixed(v) => v,
            Dist::Uniform { min, max } => min + (max - min) * unit(rng),
            Dist::Triangular { min, mode, max } => {
                rand_distr::Triangular::new(min, max, mode).map_or(mode, |d| d.sample(rng))
            }
            Dist::Pert { min, mode, max } => {
                rand_distr::Pert::new(min, max).with_mode(mode).map_or(mode, |d| d.sample(rng))
            }
            Dist::Normal { mean, sd, min: None, max: None } => {
                rand_distr::Normal::new(mean, sd).map_or(mean, |d| d.sample(rng))
            }
            // Truncated: the quantile of a uniform draw (the quantile maps it into the bounds'
            // probability mass, once).
            Dist::Normal { .. } => self.quantile(unit(rng)),
            Dist::LogNormal { mu, sigma } => rand_distr::LogNormal::new(mu, sigma).map_or(mu.exp(), |d| d.sample(rng)),
            Dist::Beta { alpha, beta } => {
                rand_distr::Beta::new(alpha, beta).map_or(alpha / (alpha + beta), |d| d.sample(rng))
            }
        }
    }

    /// The `p`-quantile (0 < p < 1). A distribution built without its checked constructor and
    /// with invalid parameters gives its central parameter.
    #[must_use]
    pub fn quantile(&self, p: f64) -> f64 {
        match *self {
            Dist::Fixed(v) => v,
            Dist::Uniform { min, max } => min + (max - min) * p,
            Dist::Triangular { min, mode, max } => {
                statrs::distribution::Triangular::new(min, max, mode).map_or(mode, |d| d.inverse_cdf(p))
            }
            Dist::Pert { min, mode, max } => {
                let (a, b) = pert_shapes(min, mode, max);
                statrs::distribution::Beta::new(a, b).map_or(mode, |d| min + (max - min) * d.inverse_cdf(p))
            }
            Dist::Normal { mean, sd, min, max } => {
                if !(sd > 0.0 && sd.is_finite() && mean.is_finite()) {
                    return mean;
                }
                let n = standard_normal();
                let (a, b) = (
                    min.map_or(f64::NEG_INFINITY, |m| (m - mean) / sd),
                    max.map_or(f64::INFINITY, |m| (m - mean) / sd),
                );
                // In standard units, from the tail nearer the bounds, where the CDF keeps its
                // precision: above the mean, mirror (-Z lies in [-b, -a]).
                let z = if a > 0.0 {
                    let (lo, hi) = (n.cdf(-b), n.cdf(-a));
                    -n.inverse_cdf(lo + (hi - lo) * (1.0 - p))
                } else {
                    let (lo, hi) = (n.cdf(a), n.cdf(b));
                    n.inverse_cdf(lo + (hi - lo) * p)
                };
                (mean + sd * z).clamp(min.unwrap_or(f64::NEG_INFINITY), max.unwrap_or(f64::INFINITY))
            }
            Dist::LogNormal { mu, sigma } => {
                statrs::distribution::LogNormal::new(mu, sigma).map_or(mu.exp(), |d| d.inverse_cdf(p))
            }
            Dist::Beta { alpha, beta } => {
                statrs::distribution::Beta::new(alpha, beta).map_or(alpha / (alpha + beta), |d| d.inverse_cdf(p))
            }
        }
    }

    /// The central value used when other parameters vary: the median.
    #[must_use]
    pub fn central(&self) -> f64 {
        self.quantile(0.5)
    }

    /// The analytic mean.
    #[must_use]
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Fixed(v) => v,
            Dist::Uniform { min, max } => f64::midpoint(min, max),
            Dist::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Dist::Pert { min, mode, max } => (min + 4.0 * mode + max) / 6.0,
            Dist::Normal { mean, min: None, max: None, .. } => mean,
            Dist::Normal { mean, sd, min, max } => {
                let (a, b) = (
                    min.map_or(f64::NEG_INFINITY, |m| (m - mean) / sd),
                    max.map_or(f64::INFINITY, |m| (m - mean) / sd),
                );
                mean + sd * (std_pdf(a) - std_pdf(b)) / std_mass(a, b)
            }
            Dist::LogNormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Dist::Beta { alpha, beta } => alpha / (alpha + beta),
        }
    }

    /// The analytic variance.
    #[must_use]
    pub fn variance(&self) -> Option<f64> {
        Some(match *self {
            Dist::Fixed(_) => 0.0,
            Dist::Uniform { min, max } => (max - min).powi(2) / 12.0,
            Dist::Triangular { min, mode, max } => {
                (min * min + mode * mode + max * max - min * mode - min * max - mode * max) / 18.0
            }
            Dist::Pert { min, max, .. } => {
                let m = self.mean();
                (m - min) * (max - m) / 7.0
            }
            Dist::Normal { sd, min: None, max: None, .. } => sd * sd,
            Dist::Normal { mean, sd, min, max } => {
                // sd² (1 + (a φ(a) - b φ(b)) / Z - ((φ(a) - φ(b)) / Z)²) in standard units a, b.
                let (a, b) = (
                    min.map_or(f64::NEG_INFINITY, |m| (m - mean) / sd),
                    max.map_or(f64::INFINITY, |m| (m - mean) / sd),
                );
                let z = std_mass(a, b);
                let (pa, pb) = (std_pdf(a), std_pdf(b));
                let (apa, bpb) = (if a.is_finite() { a * pa } else { 0.0 }, if b.is_finite() { b * pb } else { 0.0 });
                sd * sd * (1.0 + (apa - bpb) / z - ((pa - pb) / z).powi(2))
            }
            Dist::LogNormal { mu, sigma } => ((sigma * sigma).exp() - 1.0) * (2.0 * mu + sigma * sigma).exp(),
            Dist::Beta { alpha, beta } => alpha * beta / ((alpha + beta).powi(2) * (alpha + beta + 1.0)),
        })
    }
}

/// The standard normal density (0 at an infinite bound).
fn std_pdf(z: f64) -> f64 {
    if z.is_finite() { (-z * z / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt() } else { 0.0 }
}

/// The standard normal's probability between `a` and `b` (standard units), taken on the side
/// of the mean where it is accurate: above the mean from the upper tail.
fn std_mass(a: f64, b: f64) -> f64 {
    let n = standard_normal();
    if a > 0.0 { n.sf(a) - n.sf(b) } else { n.cdf(b) - n.cdf(a) }
}

/// The standard normal.
fn standard_normal() -> statrs::distribution::Normal {
    statrs::distribution::Normal::standard()
}

/// A uniform draw on [0, 1).
fn unit<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    // 53 random bits: the standard conversion, identical on every platform.
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// The beta shapes of a PERT with shape 4.
fn pert_shapes(min: f64, mode: f64, max: f64) -> (f64, f64) {
    let range = max - min;
    (1.0 + 4.0 * (mode - min) / range, 1.0 + 4.0 * (max - mode) / range)
}

fn check_three(name: &str, min: f64, mode: f64, max: f64) -> Result<(), String> {
    finite(&[min, mode, max])?;
    if !(min <= mode && mode <= max && min < max) {
        return Err(format!("{name} needs min <= mode <= max and min < max, found min {min}, mode {mode}, max {max}"));
    }
    Ok(())
}

fn finite(values: &[f64]) -> Result<(), String> {
    if values.iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err("every parameter must be a finite number".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn moments(d: &Dist, n: u64) -> (f64, f64) {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        (mean, var)
    }

    #[test]
    fn samplers_match_analytic_moments() {
        let cases = [
            Dist::uniform(2.0, 10.0).unwrap(),
            Dist::triangular(0.0, 3.0, 10.0).unwrap(),
            Dist::pert(0.0, 3.0, 10.0).unwrap(),
            Dist::normal(5.0, 2.0, None, None).unwrap(),
            Dist::lognormal_mean_sd(8000.0, 3000.0).unwrap(),
            Dist::beta_mean_sd(0.3, 0.1).unwrap(),
        ];
        for d in &cases {
            let (m, v) = moments(d, 200_000);
            let (em, ev) = (d.mean(), d.variance().unwrap());
            assert!((m - em).abs() < 0.01 * em.abs().max(1.0), "{d:?}: mean {m} vs {em}");
            assert!((v - ev).abs() < 0.03 * ev, "{d:?}: variance {v} vs {ev}");
        }
        let t = Dist::normal(0.5, 0.3, Some(0.0), Some(1.0)).unwrap();
        let (m, _) = moments(&t, 200_000);
        assert!((m - t.mean()).abs() < 0.005, "truncated normal mean {m} vs {}", t.mean());
    }

    /// Checks `n` draws of `sample` against `d`'s analytic mean, standard deviation and
    /// quantiles, and its support. Each bound is 6 standard errors of the sampling error, so a
    /// right sampler passes with near certainty (about 2 in a billion per check to fail by
    /// chance, and the seed is fixed) while a wrong one fails clearly.
    fn check_draws(
        d: &Dist,
        n: usize,
        mut sample: impl FnMut(&mut rand_chacha::ChaCha20Rng) -> f64,
    ) -> Result<(), String> {
        const K: f64 = 6.0;
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(20_240_613);
        let xs: Vec<f64> = (0..n).map(|_| sample(&mut rng)).collect();
        let nf = n as f64;
        let (lo, hi) = d.support();
        if let Some(x) = xs.iter().find(|x| !(lo..=hi).contains(*x)) {
            return Err(format!("draw {x} outside the support {lo} to {hi}"));
        }
        let em = d.mean();
        let ev = d.variance().ok_or("no analytic variance")?;
        let mean = xs.iter().sum::<f64>() / nf;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (nf - 1.0);
        let m4 = xs.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / nf;
        let se_mean = (ev / nf).sqrt();
        if (mean - em).abs() > K * se_mean {
            return Err(format!("mean {mean} against the analytic {em}: z = {:+.1}", (mean - em) / se_mean));
        }
        // The standard error of a sample variance: sqrt((m4 - sigma^4) / n).
        let se_var = ((m4 - var * var).max(0.0) / nf).sqrt();
        if (var - ev).abs() > K * se_var.max(1e-12 * ev) {
            return Err(format!(
                "sd {} against the analytic {}: z = {:+.1}",
                var.sqrt(),
                ev.sqrt(),
                (var - ev) / se_var
            ));
        }
        // At the analytic p-quantile, the share of draws at or below it is binomial(n, p) / n.
        for p in [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99] {
            let q = d.quantile(p);
            let share = xs.iter().filter(|x| **x <= q).count() as f64 / nf;
            let se = (p * (1.0 - p) / nf).sqrt();
            if (share - p).abs() > K * se {
                return Err(format!(
                    "{share} of the draws at or below the analytic {p}-quantile {q}: z = {:+.1}",
                    (share - p) / se
                ));
            }
        }
        Ok(())
    }

    /// Every kind of distribution, with awkward shapes: skewed, one-sided and far-tail
    /// truncations, shares, heavy tails, U-shaped betas.
    fn every_kind() -> Vec<Dist> {
        vec![
            Dist::uniform(2.0, 10.0).unwrap(),
            Dist::uniform(-1e6, 3e6).unwrap(),
            Dist::triangular(0.0, 3.0, 10.0).unwrap(),
            Dist::triangular(0.0, 0.0, 1.0).unwrap(),
            Dist::triangular(5.0, 9.0, 9.0).unwrap(),
            Dist::pert(0.0, 3.0, 10.0).unwrap(),
            Dist::pert(0.1, 0.15, 0.6).unwrap(),
            Dist::normal(5.0, 2.0, None, None).unwrap(),
            Dist::normal(5000.0, 1000.0, Some(4000.0), Some(7000.0)).unwrap(),
            Dist::normal(0.3, 0.2, Some(0.0), Some(1.0)).unwrap(),
            Dist::normal(0.5, 0.3, Some(0.0), Some(1.0)).unwrap(),
            Dist::normal(100.0, 50.0, Some(0.0), None).unwrap(),
            Dist::normal(100.0, 50.0, None, Some(120.0)).unwrap(),
            Dist::normal(0.0, 1.0, Some(3.0), Some(5.0)).unwrap(),
            Dist::normal(0.0, 1.0, Some(-6.0), Some(-4.0)).unwrap(),
            Dist::normal(0.0, 1.0, Some(-0.1), Some(0.1)).unwrap(),
            Dist::lognormal_mean_sd(8000.0, 3000.0).unwrap(),
            Dist::lognormal_interval(8000.0, 2000.0, 32000.0).unwrap(),
            Dist::beta_mean_sd(0.3, 0.1).unwrap(),
            Dist::beta(0.5, 0.5).unwrap(),
            Dist::beta(2.0, 8.0).unwrap(),
            Dist::beta(0.7, 3.0).unwrap(),
        ]
    }

    #[test]
    fn every_sampler_matches_its_distribution() {
        for d in every_kind() {
            if let Err(e) = check_draws(&d, 40_000, |r| d.sample(r)) {
                panic!("{d:?}: {e}");
            }
        }
    }

    #[test]
    fn a_wrong_sampler_fails_the_check() {
        // The truncation window applied twice (the bug of #13): a squeezed uniform passed to the
        // quantile, which squeezes again.
        let d = Dist::normal(5000.0, 1000.0, Some(4000.0), Some(7000.0)).unwrap();
        let n = statrs::distribution::Normal::new(5000.0, 1000.0).unwrap();
        let (lo, hi) = (n.cdf(4000.0), n.cdf(7000.0));
        let err = check_draws(&d, 40_000, |r| d.quantile(lo + (hi - lo) * unit(r))).unwrap_err();
        assert!(err.contains("mean"), "{err}");
        // A share as a bounded normal, likewise.
        let d = Dist::normal(0.3, 0.2, Some(0.0), Some(1.0)).unwrap();
        let (lo, hi) = (n.cdf(5000.0 - 0.3 / 0.2 * 1000.0), n.cdf(5000.0 + 0.7 / 0.2 * 1000.0));
        assert!(check_draws(&d, 40_000, |r| d.quantile(lo + (hi - lo) * unit(r))).is_err());
        // A normal drawn untruncated and clamped to its bounds; a triangular whose mode is off;
        // a lognormal with sigma 5% too small.
        assert!(
            check_draws(&d, 40_000, |r| rand_distr::Normal::new(0.3_f64, 0.2).unwrap().sample(r).clamp(0.0, 1.0))
                .is_err()
        );
        let t = Dist::triangular(0.0, 3.0, 10.0).unwrap();
        assert!(check_draws(&t, 40_000, |r| rand_distr::Triangular::new(0.0, 10.0, 3.3).unwrap().sample(r)).is_err());
        let Dist::LogNormal { mu, sigma } = Dist::lognormal_mean_sd(8000.0, 3000.0).unwrap() else { unreachable!() };
        let l = Dist::LogNormal { mu, sigma };
        assert!(check_draws(&l, 40_000, |r| rand_distr::LogNormal::new(mu, sigma * 0.95).unwrap().sample(r)).is_err());
    }

    #[test]
    fn truncated_normal_quantiles_invert_its_cdf() {
        // An independent check of the quantile: the truncated CDF at Q(p) is p.
        for d in every_kind() {
            let Dist::Normal { mean, sd, min, max } = d else { continue };
            let n = statrs::distribution::Normal::new(mean, sd).unwrap();
            let (a, b) = (min.map_or(0.0, |m| n.cdf(m)), max.map_or(1.0, |m| n.cdf(m)));
            for p in [0.001, 0.1, 0.5, 0.9, 0.999] {
                let got = (n.cdf(d.quantile(p)) - a) / (b - a);
                assert!((got - p).abs() < 1e-6, "{d:?} at {p}: {got}");
            }
        }
    }

    #[test]
    fn the_issues_truncated_normal() {
        // #13: per_case normal(5000, 1000) on [4000, 7000] has mean 5,229.64.
        let d = Dist::normal(5000.0, 1000.0, Some(4000.0), Some(7000.0)).unwrap();
        assert!((d.mean() - 5229.64).abs() < 0.01, "{}", d.mean());
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        let xs: Vec<f64> = (0..20_000).map(|_| d.sample(&mut rng)).collect();
        assert!(xs.iter().any(|x| *x < 4050.0) && xs.iter().any(|x| *x > 6950.0));
    }

    #[test]
    fn lognormal_parameterisations() {
        let d = Dist::lognormal_interval(8000.0, 2000.0, 32000.0).unwrap();
        assert!(Dist::lognormal_interval(12000.0, 3000.0, 40000.0).unwrap_err().contains("geometric mean"));
        assert!((d.quantile(0.5) - 8000.0).abs() < 1e-6);
        assert!((d.quantile(0.05) - 2000.0).abs() < 1e-3);
        assert!((d.quantile(0.95) - 32000.0).abs() < 1e-2);
        let d = Dist::lognormal_mean_sd(100.0, 30.0).unwrap();
        assert!((d.mean() - 100.0).abs() < 1e-9);
    }

    #[test]
    fn invalid_parameters_are_refused() {
        assert!(Dist::triangular(5.0, 1.0, 10.0).unwrap_err().contains("min <= mode <= max"));
        assert!(Dist::uniform(1.0, 1.0).is_err());
        assert!(Dist::normal(0.0, 0.0, None, None).is_err());
        assert!(Dist::normal(0.0, 1.0, Some(50.0), Some(60.0)).is_err());
        assert!(Dist::beta_mean_sd(0.5, 0.6).is_err());
        assert!(Dist::lognormal_interval(10.0, 20.0, 30.0).is_err());
        assert!(Dist::pert(f64::NAN, 1.0, 2.0).is_err());
    }

    #[test]
    fn quantiles_are_monotone_and_within_support() {
        let d = Dist::normal(0.5, 0.3, Some(0.0), Some(1.0)).unwrap();
        let qs: Vec<f64> = [0.01, 0.1, 0.5, 0.9, 0.99].iter().map(|p| d.quantile(*p)).collect();
        assert!(qs.windows(2).all(|w| w[0] < w[1]) && qs[0] >= 0.0 && qs[4] <= 1.0, "{qs:?}");
    }
}
