//! Exact binomial tests.

use statrs::function::factorial::ln_binomial;

/// Relative tolerance of SciPy `binomtest` for "no more likely than the
/// observed count" in the two-sided test.
const RELATIVE_TOLERANCE: f64 = 1e-7;

/// Terms below this fraction of the running sum no longer change an f64.
const NEGLIGIBLE: f64 = 1e-17;

/// `ln P(X = x)` for `X ~ Binomial(n, p)`, `x <= n`, `p` in `[0, 1]`.
/// The `0 * ln 0` terms are taken as 0 so that `p = 0` and `p = 1` work.
fn ln_pmf(x: u64, n: u64, p: f64) -> f64 {
    let successes = if x == 0 { 0.0 } else { x as f64 * p.ln() };
    let failures = if x == n {
        0.0
    } else {
        (n - x) as f64 * (-p).ln_1p()
    };
    ln_binomial(n, x) + successes + failures
}

/// Sums `P(X = x)` for `x` from `start` stepping away from the mode (up or
/// down; the pmf falls monotonically that way, so the first term is the
/// largest) until the terms stop mattering or the support ends.
fn sum_away_from_mode(start: u64, n: u64, p: f64, upward: bool) -> f64 {
    let mut sum = 0.0;
    let mut x = start;
    loop {
        let term = ln_pmf(x, n, p).exp();
        sum += term;
        if term <= sum * NEGLIGIBLE {
            return sum;
        }
        match (upward, x) {
            (true, x_) if x_ == n => return sum,
            (true, _) => x += 1,
            (false, 0) => return sum,
            (false, _) => x -= 1,
        }
    }
}

/// One-sided exact binomial test, alternative "greater": `P(X >= k)` for
/// `X ~ Binomial(n, p)`, as SciPy `binomtest(k, n, p, alternative="greater")`.
///
/// The probabilities are summed in log space from the tail inwards, so
/// extreme tails (1e-12, 1e-60, ...) keep full relative precision instead
/// of underflowing to 0. When `k` is at or below the mode the lower tail
/// `P(X < k)` is summed instead and subtracted from 1, so the work stays
/// proportional to the spread of the distribution, not to `n`.
///
/// Returns `None` when `p` is not in `[0, 1]` (or NaN). `k = 0` gives 1 and
/// `k > n` gives 0 (including `n = 0`, where SciPy raises instead).
pub fn binom_test_greater(k: u64, n: u64, p: f64) -> Option<f64> {
    if !(0.0..=1.0).contains(&p) {
        return None;
    }
    if k == 0 {
        return Some(1.0);
    }
    if k > n {
        return Some(0.0);
    }
    // Mode of the binomial law: the pmf rises up to it and falls after it.
    let mode = ((n as f64 + 1.0) * p).floor() as u64;
    let tail = if k > mode {
        sum_away_from_mode(k, n, p, true)
    } else {
        1.0 - sum_away_from_mode(k - 1, n, p, false)
    };
    Some(tail.clamp(0.0, 1.0))
}

/// Two-sided exact binomial test as SciPy `binomtest(k, n, p)`: the sum of
/// `P(X = x)` over all `x` with `P(X = x) <= P(X = k) * (1 + 1e-7)`, capped at
/// 1, and exactly 1 when `k == n * p`.
///
/// Returns `None` when `n = 0`, `k > n` or `p` is not in `[0, 1]`, the cases
/// where SciPy raises. Time is linear in `n` (it is meant for per-handler
/// counts, not millions).
pub fn binom_test_two_sided(k: u64, n: u64, p: f64) -> Option<f64> {
    if n == 0 || k > n || !(0.0..=1.0).contains(&p) {
        return None;
    }
    // SciPy's shortcut; its float comparison is reproduced as is.
    if k as f64 == p * n as f64 {
        return Some(1.0);
    }
    let ln_cutoff = ln_pmf(k, n, p) + RELATIVE_TOLERANCE.ln_1p();
    let sum: f64 = (0..=n)
        .map(|x| ln_pmf(x, n, p))
        .filter(|&lp| lp <= ln_cutoff)
        .map(f64::exp)
        .sum();
    Some(sum.min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testutil::assert_close;

    // Expected values: scipy 1.17.1, `scipy.stats.binomtest(k, n, p,
    // alternative="greater").pvalue` and `binomtest(k, n, p).pvalue`. The
    // "greater" values were cross-checked with an exact rational sum in
    // Python (fractions.Fraction); where SciPy and the exact sum differ in
    // the last digits the exact value is used.

    #[test]
    fn greater_ordinary() {
        // scipy: binomtest(3, 15, 0.1, alternative="greater")
        assert_close(
            binom_test_greater(3, 15, 0.1).unwrap(),
            0.18406106910639106,
            1e-12,
        );
        // scipy: binomtest(10, 10, 0.5, alternative="greater") = 2^-10
        assert_close(
            binom_test_greater(10, 10, 0.5).unwrap(),
            0.0009765625,
            1e-12,
        );
        // scipy: binomtest(5, 10, 0.5, alternative="greater") (k below the mode)
        assert_close(binom_test_greater(5, 10, 0.5).unwrap(), 0.623046875, 1e-12);
        // scipy: binomtest(7, 20, 0.5, alternative="greater")
        assert_close(
            binom_test_greater(7, 20, 0.5).unwrap(),
            0.9423408508300781,
            1e-12,
        );
        // scipy: binomtest(2, 5, 0.4, alternative="greater")
        assert_close(
            binom_test_greater(2, 5, 0.4).unwrap(),
            0.6630400000000001,
            1e-12,
        );
        // scipy: binomtest(50, 200, 0.25, alternative="greater") (k at the mode)
        assert_close(
            binom_test_greater(50, 200, 0.25).unwrap(),
            0.527123658120235,
            1e-10,
        );
        // scipy: binomtest(15, 60, 0.05, alternative="greater")
        assert_close(
            binom_test_greater(15, 60, 0.05).unwrap(),
            1.8903992387235835e-07,
            1e-10,
        );
        // scipy: binomtest(12, 40, 0.05, alternative="greater")
        assert_close(
            binom_test_greater(12, 40, 0.05).unwrap(),
            3.652669918896117e-07,
            1e-10,
        );
    }

    #[test]
    fn greater_tiny_samples() {
        // scipy: binomtest(1, 1, 0.5, alternative="greater")
        assert_close(binom_test_greater(1, 1, 0.5).unwrap(), 0.5, 1e-15);
        // scipy: binomtest(0, 10, 0.3, alternative="greater")
        assert_eq!(binom_test_greater(0, 10, 0.3), Some(1.0));
        // n = 0 (scipy raises): P(X >= 0) = 1, P(X >= 1) = 0.
        assert_eq!(binom_test_greater(0, 0, 0.5), Some(1.0));
        assert_eq!(binom_test_greater(1, 0, 0.5), Some(0.0));
        assert_eq!(binom_test_greater(11, 10, 0.5), Some(0.0));
    }

    #[test]
    fn greater_extreme_tails() {
        // Exact rational sums (Python fractions), scipy agrees to ~1e-13.
        // binomtest(30, 40, 0.1, alternative="greater")
        assert_close(
            binom_test_greater(30, 40, 0.1).unwrap(),
            3.0649470763974543e-22,
            1e-9,
        );
        // binomtest(40, 50, 0.2, alternative="greater")
        assert_close(
            binom_test_greater(40, 50, 0.2).unwrap(),
            1.2908372028982736e-19,
            1e-9,
        );
        // binomtest(50, 100, 0.1, alternative="greater")
        assert_close(
            binom_test_greater(50, 100, 0.1).unwrap(),
            5.83203878573436e-24,
            1e-9,
        );
        // binomtest(60, 100, 0.05, alternative="greater")
        assert_close(
            binom_test_greater(60, 100, 0.05).unwrap(),
            1.5869346786393775e-51,
            1e-9,
        );
        // binomtest(200, 1000, 0.05, alternative="greater")
        assert_close(
            binom_test_greater(200, 1000, 0.05).unwrap(),
            7.860594399784185e-63,
            1e-9,
        );
        // binomtest(1000, 2000, 0.3, alternative="greater")
        assert_close(
            binom_test_greater(1000, 2000, 0.3).unwrap(),
            5.927710141646475e-78,
            1e-9,
        );
    }

    #[test]
    fn greater_degenerate_p() {
        // scipy: binomtest(1, 10, 0.0, "greater") = 0, (0, 10, 0.0) = 1,
        // (10, 10, 1.0) = 1, (9, 10, 1.0) = 1.
        assert_eq!(binom_test_greater(1, 10, 0.0), Some(0.0));
        assert_eq!(binom_test_greater(0, 10, 0.0), Some(1.0));
        assert_close(binom_test_greater(10, 10, 1.0).unwrap(), 1.0, 1e-15);
        assert_close(binom_test_greater(9, 10, 1.0).unwrap(), 1.0, 1e-15);
    }

    #[test]
    fn invalid_p_gives_none() {
        assert_eq!(binom_test_greater(1, 10, -0.1), None);
        assert_eq!(binom_test_greater(1, 10, 1.5), None);
        assert_eq!(binom_test_greater(1, 10, f64::NAN), None);
        assert_eq!(binom_test_two_sided(1, 10, f64::NAN), None);
        assert_eq!(binom_test_two_sided(1, 10, 2.0), None);
    }

    #[test]
    fn two_sided() {
        // scipy: binomtest(3, 15, 0.1).pvalue (also in FIELD-NOTES)
        assert_close(
            binom_test_two_sided(3, 15, 0.1).unwrap(),
            0.18406106910639106,
            1e-10,
        );
        // scipy: binomtest(0, 10, 0.3).pvalue
        assert_close(
            binom_test_two_sided(0, 10, 0.3).unwrap(),
            0.0388396033,
            1e-9,
        );
        // scipy: binomtest(7, 20, 0.5).pvalue
        assert_close(
            binom_test_two_sided(7, 20, 0.5).unwrap(),
            0.26317596435546875,
            1e-12,
        );
        // scipy: binomtest(10, 10, 0.5).pvalue
        assert_close(
            binom_test_two_sided(10, 10, 0.5).unwrap(),
            0.001953125,
            1e-12,
        );
        // scipy: binomtest(0, 5, 0.5).pvalue
        assert_close(binom_test_two_sided(0, 5, 0.5).unwrap(), 0.0625, 1e-12);
        // scipy: binomtest(2, 5, 0.4).pvalue = 1 (k == n * p)
        assert_eq!(binom_test_two_sided(2, 5, 0.4), Some(1.0));
        // scipy: binomtest(1, 1, 0.5).pvalue = 1
        assert_close(binom_test_two_sided(1, 1, 0.5).unwrap(), 1.0, 1e-12);
        // scipy: binomtest(50, 200, 0.25).pvalue = 1
        assert_eq!(binom_test_two_sided(50, 200, 0.25), Some(1.0));
        // scipy: binomtest(40, 50, 0.2).pvalue
        assert_close(
            binom_test_two_sided(40, 50, 0.2).unwrap(),
            1.290837202898274e-19,
            1e-9,
        );
        // scipy: binomtest(1000, 2000, 0.3).pvalue (both tails contribute)
        assert_close(
            binom_test_two_sided(1000, 2000, 0.3).unwrap(),
            1.0149789229742385e-77,
            1e-9,
        );
    }

    #[test]
    fn two_sided_degenerate() {
        // scipy: binomtest(1, 10, 0.0).pvalue = 0, binomtest(9, 10, 1.0).pvalue = 0,
        // binomtest(0, 10, 0.0).pvalue = 1, binomtest(10, 10, 1.0).pvalue = 1.
        assert_eq!(binom_test_two_sided(1, 10, 0.0), Some(0.0));
        assert_eq!(binom_test_two_sided(9, 10, 1.0), Some(0.0));
        assert_eq!(binom_test_two_sided(0, 10, 0.0), Some(1.0));
        assert_eq!(binom_test_two_sided(10, 10, 1.0), Some(1.0));
        // scipy raises for n = 0 and for k > n.
        assert_eq!(binom_test_two_sided(0, 0, 0.5), None);
        assert_eq!(binom_test_two_sided(11, 10, 0.5), None);
    }
}
