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
        let (lo, hi) = d.normal_mass();
        if hi - lo < 1e-9 {
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
            return Err(format!("lognormal needs 0 < low < median < high, found low {low}, median {median}, high {high}"));
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
            return Err(format!("beta needs 0 < mean < 1 and 0 < sd < sqrt(mean (1 - mean)), found mean {mean} and sd {sd}"));
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
            Dist::Triangular { min, mode, max } => rand_distr::Triangular::new(min, max, mode).map_or(mode, |d| d.sample(rng)),
            Dist::Pert { min, mode, max } => rand_distr::Pert::new(min, max).with_mode(mode).map_or(mode, |d| d.sample(rng)),
            Dist::Normal { mean, sd, min: None, max: None } => rand_distr::Normal::new(mean, sd).map_or(mean, |d| d.sample(rng)),
            Dist::Normal { .. } => {
                // Truncated: inverse CDF of a uniform draw within the bounds' probability mass.
                let (lo, hi) = self.normal_mass();
                self.quantile(lo + (hi - lo) * unit(rng))
            }
            Dist::LogNormal { mu, sigma } => rand_distr::LogNormal::new(mu, sigma).map_or(mu.exp(), |d| d.sample(rng)),
            Dist::Beta { alpha, beta } => rand_distr::Beta::new(alpha, beta).map_or(alpha / (alpha + beta), |d| d.sample(rng)),
        }
    }

    /// The `p`-quantile (0 < p < 1). A distribution built without its checked constructor and
    /// with invalid parameters gives its central parameter.
    #[must_use]
    pub fn quantile(&self, p: f64) -> f64 {
        match *self {
            Dist::Fixed(v) => v,
            Dist::Uniform { min, max } => min + (max - min) * p,
            Dist::Triangular { min, mode, max } => statrs::distribution::Triangular::new(min, max, mode).map_or(mode, |d| d.inverse_cdf(p)),
            Dist::Pert { min, mode, max } => {
                let (a, b) = pert_shapes(min, mode, max);
                statrs::distribution::Beta::new(a, b).map_or(mode, |d| min + (max - min) * d.inverse_cdf(p))
            }
            Dist::Normal { mean, sd, min, max } => {
                let Ok(n) = statrs::distribution::Normal::new(mean, sd) else { return mean };
                if min.is_none() && max.is_none() {
                    return n.inverse_cdf(p);
                }
                let (lo, hi) = self.normal_mass();
                n.inverse_cdf(lo + (hi - lo) * p).clamp(min.unwrap_or(f64::NEG_INFINITY), max.unwrap_or(f64::INFINITY))
            }
            Dist::LogNormal { mu, sigma } => statrs::distribution::LogNormal::new(mu, sigma).map_or(mu.exp(), |d| d.inverse_cdf(p)),
            Dist::Beta { alpha, beta } => statrs::distribution::Beta::new(alpha, beta).map_or(alpha / (alpha + beta), |d| d.inverse_cdf(p)),
        }
    }

    /// The central value used when other parameters vary: the median.
    #[must_use]
    pub fn central(&self) -> f64 {
        self.quantile(0.5)
    }

    /// The analytic mean.
    ///
    /// # Panics
    /// Never: the standard normal is always valid.
    #[must_use]
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Fixed(v) => v,
            Dist::Uniform { min, max } => f64::midpoint(min, max),
            Dist::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Dist::Pert { min, mode, max } => (min + 4.0 * mode + max) / 6.0,
            Dist::Normal { mean, min: None, max: None, .. } => mean,
            Dist::Normal { mean, sd, min, max } => {
                let n = statrs::distribution::Normal::new(0.0, 1.0).expect("standard normal");
                let std_pdf = |z: f64| (-z * z / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
                let a = min.map_or(f64::NEG_INFINITY, |m| (m - mean) / sd);
                let b = max.map_or(f64::INFINITY, |m| (m - mean) / sd);
                let mass = n.cdf(b) - n.cdf(a);
                let pdf = |z: f64| if z.is_finite() { std_pdf(z) } else { 0.0 };
                mean + sd * (pdf(a) - pdf(b)) / mass
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
            Dist::Triangular { min, mode, max } => (min * min + mode * mode + max * max - min * mode - min * max - mode * max) / 18.0,
            Dist::Pert { min, max, .. } => {
                let m = self.mean();
                (m - min) * (max - m) / 7.0
            }
            Dist::Normal { sd, min: None, max: None, .. } => sd * sd,
            Dist::Normal { .. } => return None,
            Dist::LogNormal { mu, sigma } => ((sigma * sigma).exp() - 1.0) * (2.0 * mu + sigma * sigma).exp(),
            Dist::Beta { alpha, beta } => alpha * beta / ((alpha + beta).powi(2) * (alpha + beta + 1.0)),
        })
    }

    /// For a truncated normal, the CDF at its lower and upper bounds.
    fn normal_mass(&self) -> (f64, f64) {
        let Dist::Normal { mean, sd, min, max } = *self else { return (0.0, 1.0) };
        let Ok(n) = statrs::distribution::Normal::new(mean, sd) else { return (0.0, 1.0) };
        (min.map_or(0.0, |m| n.cdf(m)), max.map_or(1.0, |m| n.cdf(m)))
    }
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
    if values.iter().all(|v| v.is_finite()) { Ok(()) } else { Err("every parameter must be a finite number".to_owned()) }
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
