//! Mann-Whitney U test (two-sided, normal approximation).

use statrs::function::erf::erfc;
use std::fmt;

/// Result of [`mann_whitney_u`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannWhitney {
    /// U of the first sample: its rank sum minus `n1 (n1 + 1) / 2`, the
    /// statistic SciPy reports.
    pub u: f64,
    /// Two-sided p-value, in `[0, 1]`.
    pub p: f64,
}

/// Why [`mann_whitney_u`] has no result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MannWhitneyError {
    /// One of the samples is empty (SciPy returns NaN for U and p).
    EmptySample,
    /// A sample holds a NaN, which cannot be ranked (SciPy propagates it).
    NotANumber,
}

impl fmt::Display for MannWhitneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::EmptySample => "one of the samples is empty",
            Self::NotANumber => "a sample contains a value that is not a number",
        })
    }
}

impl std::error::Error for MannWhitneyError {}

/// Mann-Whitney U test of `x` against `y`, as SciPy
/// `mannwhitneyu(x, y, alternative="two-sided", method="asymptotic",
/// use_continuity=True)`.
///
/// Ties get average ranks. The p-value uses the normal approximation with
/// the tie-corrected variance and a continuity correction of 0.5:
/// `z = (max(U1, U2) - n1 n2 / 2 - 0.5) / sigma`, `p = 2 sf(z)`, clipped
/// to `[0, 1]`. When every value is tied the variance is 0; SciPy then
/// gets `z = -inf` and `p = 1` (not NaN), and so does this function.
pub fn mann_whitney_u(x: &[f64], y: &[f64]) -> Result<MannWhitney, MannWhitneyError> {
    if x.is_empty() || y.is_empty() {
        return Err(MannWhitneyError::EmptySample);
    }
    if x.iter().chain(y).any(|v| v.is_nan()) {
        return Err(MannWhitneyError::NotANumber);
    }
    // (value, belongs to x), sorted; partial_cmp so that -0.0 ties 0.0.
    let mut pooled: Vec<(f64, bool)> = x
        .iter()
        .map(|&v| (v, true))
        .chain(y.iter().map(|&v| (v, false)))
        .collect();
    pooled.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));

    let mut rank_sum_x = 0.0;
    let mut tie_term = 0.0; // sum of t^3 - t over groups of t tied values
    let mut start = 0;
    while start < pooled.len() {
        let end = start
            + pooled[start..]
                .iter()
                .take_while(|v| v.0 == pooled[start].0)
                .count();
        // Ranks start+1 ..= end share their average.
        let average_rank = (start + 1 + end) as f64 / 2.0;
        let in_x = pooled[start..end].iter().filter(|v| v.1).count();
        rank_sum_x += average_rank * in_x as f64;
        let t = (end - start) as f64;
        tie_term += t * t * t - t;
        start = end;
    }

    let (n1, n2) = (x.len() as f64, y.len() as f64);
    let n = n1 + n2;
    let u1 = rank_sum_x - n1 * (n1 + 1.0) / 2.0;
    let u = u1.max(n1 * n2 - u1);
    let variance = n1 * n2 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)));
    // All values tied: zero variance (or a rounding hair below it).
    if variance <= 0.0 {
        return Ok(MannWhitney { u: u1, p: 1.0 });
    }
    let z = (u - n1 * n2 / 2.0 - 0.5) / variance.sqrt();
    // 2 * sf(z) of the standard normal.
    let p = erfc(z / std::f64::consts::SQRT_2).clamp(0.0, 1.0);
    Ok(MannWhitney { u: u1, p })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testutil::assert_close;

    // Expected values: scipy 1.17.1, `scipy.stats.mannwhitneyu(x, y,
    // alternative="two-sided", method="asymptotic", use_continuity=True)`,
    // its `.statistic` (U of x) and `.pvalue`. The p tolerance is 1e-9:
    // statrs 0.19.1 `erfc` is only good to about 1e-10 relative (its Boost
    // port writes Boost's f32 constants like 0.3440242112F as f64 decimals).
    fn check(x: &[f64], y: &[f64], u: f64, p: f64) {
        let result = mann_whitney_u(x, y).unwrap();
        assert_eq!(result.u, u, "U for {x:?} vs {y:?}");
        assert_close(result.p, p, 1e-9);
    }

    #[test]
    fn separated_samples() {
        check(
            &[1.0, 2.0, 3.0, 4.0, 5.0],
            &[6.0, 7.0, 8.0, 9.0, 10.0],
            0.0,
            0.012185780355344813,
        );
    }

    #[test]
    fn samples_with_ties() {
        check(
            &[3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0],
            &[5.0, 3.0, 5.0, 8.0, 9.0, 7.0, 9.0, 3.0, 2.0],
            22.5,
            0.20702196820234253,
        );
        check(
            &[0.5, -1.0, 2.25, 2.25],
            &[2.25, 7.0, -3.5],
            5.0,
            0.8544450676295319,
        );
        check(
            &[10.0, 20.0, 20.0, 30.0, 40.0, 40.0, 40.0],
            &[5.0, 20.0, 30.0, 30.0, 50.0, 60.0],
            19.0,
            0.8275010266552918,
        );
        check(
            &[
                14.0, 5.0, 0.0, 30.0, 2.0, 2.0, 7.0, 1.0, 60.0, 3.0, 0.0, 12.0,
            ],
            &[
                0.0, 0.0, 1.0, 4.0, 8.0, 2.0, 15.0, 33.0, 3.0, 3.0, 90.0, 20.0, 6.0, 1.0,
            ],
            82.0,
            0.9382707644641258,
        );
    }

    #[test]
    fn tiny_samples() {
        check(&[1.0], &[2.0], 0.0, 1.0);
        check(&[2.0], &[1.0], 1.0, 1.0);
        check(&[1.0, 2.0], &[3.0], 0.0, 0.5402913746074199);
        check(&[1.0, 1.0], &[1.0, 2.0], 1.0, 0.6170750774519738);
    }

    #[test]
    fn all_tied_gives_p_one_like_scipy() {
        // scipy: mannwhitneyu([1, 1, 1], [1, 1]) -> U = 3.0, p = 1.0
        check(&[1.0, 1.0, 1.0], &[1.0, 1.0], 3.0, 1.0);
        // scipy: mannwhitneyu([1], [1]) -> U = 0.5, p = 1.0
        check(&[1.0], &[1.0], 0.5, 1.0);
        // -0.0 and 0.0 are the same value.
        check(&[-0.0], &[0.0], 0.5, 1.0);
    }

    #[test]
    fn empty_or_nan_samples() {
        // scipy: U and p are NaN with a SmallSampleWarning.
        assert_eq!(
            mann_whitney_u(&[], &[1.0, 2.0]),
            Err(MannWhitneyError::EmptySample)
        );
        assert_eq!(
            mann_whitney_u(&[5.0], &[]),
            Err(MannWhitneyError::EmptySample)
        );
        assert_eq!(mann_whitney_u(&[], &[]), Err(MannWhitneyError::EmptySample));
        assert_eq!(
            mann_whitney_u(&[1.0, f64::NAN], &[2.0]),
            Err(MannWhitneyError::NotANumber)
        );
    }
}
