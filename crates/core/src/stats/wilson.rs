//! Wilson score interval for a binomial proportion.

/// The 97.5% standard normal quantile, as the spec fixes it (SciPy
/// `norm.ppf(0.975)`).
const Z: f64 = 1.959963984540054;

/// Wilson 95% score interval `(low, high)` for `k` successes out of `n`,
/// without continuity correction, as statsmodels
/// `proportion_confint(k, n, alpha=0.05, method="wilson")`.
///
/// `None` when `n = 0` (no proportion) or `k > n`. The bounds are clamped
/// to `[0, 1]`: at `k = 0` or `k = n` the formula gives 0 or 1 exactly in
/// exact arithmetic, and rounding must not push it outside.
pub fn wilson(k: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 || k > n {
        return None;
    }
    let n = n as f64;
    let share = k as f64 / n;
    let z2 = Z * Z;
    let denominator = 1.0 + z2 / n;
    let centre = (share + z2 / (2.0 * n)) / denominator;
    let half_width = Z / denominator * (share * (1.0 - share) / n + z2 / (4.0 * n * n)).sqrt();
    Some((
        (centre - half_width).clamp(0.0, 1.0),
        (centre + half_width).clamp(0.0, 1.0),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testutil::assert_close;

    /// Expected values: statsmodels 0.15.0,
    /// `statsmodels.stats.proportion.proportion_confint(k, n, alpha=0.05, method="wilson")`.
    fn check(k: u64, n: u64, low: f64, high: f64) {
        let (l, h) = wilson(k, n).unwrap();
        if low == 0.0 {
            assert!(l.abs() < 1e-15, "low {l:e} for {k}/{n}");
        } else {
            assert_close(l, low, 1e-12);
        }
        assert_close(h, high, 1e-12);
    }

    #[test]
    fn reference_values() {
        // Also in FIELD-NOTES: 5/20 -> (0.1118617014, 0.4687008776).
        check(5, 20, 0.11186170140766563, 0.4687008776187441);
        check(1200, 2000, 0.5783576985854537, 0.6212588919582955);
        check(950, 2000, 0.45318320659358524, 0.4969126457704772);
        check(3, 1000, 0.0010207838811386195, 0.008783014053503176);
    }

    #[test]
    fn boundaries_and_tiny_samples() {
        check(0, 10, 0.0, 0.27753279986288926);
        check(10, 10, 0.7224672001371106, 1.0);
        check(1, 1, 0.2065493143772374, 1.0);
        check(0, 1, 0.0, 0.7934506856227627);
        check(1, 2, 0.09453120573423068, 0.9054687942657693);
    }

    #[test]
    fn undefined_inputs() {
        assert_eq!(wilson(0, 0), None);
        assert_eq!(wilson(3, 2), None);
    }
}
