//! Exact upper tail of the Poisson-binomial distribution.

/// Probability mass below which a state of the recursion is dropped. Far
/// below any p-value worth reporting, yet it keeps the recursion to a band
/// of a few dozen standard deviations around the mean instead of all `n`
/// states.
const NEGLIGIBLE_MASS: f64 = 1e-300;

/// `P(X >= k)` where `X` is the number of successes among independent
/// trials with success probabilities `probabilities` (one per lottery
/// advert: linked eligible candidates / eligible candidates).
///
/// Exact dynamic programming over the distribution of the running count,
/// one trial at a time: `P'(j) = P(j) (1 - p) + P(j - 1) p`. Two things keep
/// it fast at 100,000 trials:
/// - counts of `k` and above are merged into one absorbing state, since
///   only `P(X >= k)` is wanted;
/// - states with mass below 1e-300 at either end of the distribution are
///   dropped (it is log-concave, so the kept states form one band).
///
/// Each dropped state loses at most 1e-300, so the absolute error is below
/// `2 n 1e-300` (1e-294 at 100,000 trials) plus rounding: tails down to
/// about 1e-290 keep full relative precision. Time is `n` times the width
/// of the band.
///
/// Returns `None` when a probability is NaN or outside `[0, 1]`. `k = 0`
/// gives 1 and `k` above the number of trials gives 0.
pub fn poisson_binomial_upper_tail(probabilities: &[f64], k: u64) -> Option<f64> {
    if probabilities.iter().any(|p| !(0.0..=1.0).contains(p)) {
        return None;
    }
    if k == 0 {
        return Some(1.0);
    }
    if k > probabilities.len() as u64 {
        return Some(0.0);
    }
    let k = k as usize; // fits: k <= probabilities.len()

    // pmf[j] = P(count = j) for lo <= j <= hi < k; `at_least_k` = P(count >= k).
    // Two buffers, so that each step reads only the previous one: that
    // keeps the inner loop free of aliasing and lets it vectorise.
    let mut pmf = vec![0.0; k];
    let mut next = vec![0.0; k];
    pmf[0] = 1.0;
    let (mut lo, mut hi) = (0, 0);
    let mut at_least_k = 0.0;
    for (done, &p) in probabilities.iter().enumerate() {
        let remaining = probabilities.len() - done;
        // Even all remaining trials succeeding cannot reach k from the band:
        // nothing more can be added to the tail.
        if hi + remaining < k {
            break;
        }
        let q = 1.0 - p;
        next[lo] = pmf[lo] * q;
        for ((out, &stay), &step_up) in next[lo + 1..=hi]
            .iter_mut()
            .zip(&pmf[lo + 1..=hi])
            .zip(&pmf[lo..hi])
        {
            *out = stay * q + step_up * p;
        }
        // The top state moves up: into a new state, or into the absorbing one.
        if hi + 1 < k {
            next[hi + 1] = pmf[hi] * p;
            hi += 1;
        } else {
            at_least_k += pmf[hi] * p;
        }
        std::mem::swap(&mut pmf, &mut next);
        while hi > lo && pmf[hi] < NEGLIGIBLE_MASS {
            hi -= 1;
        }
        while lo < hi && pmf[lo] < NEGLIGIBLE_MASS {
            lo += 1;
        }
    }
    Some(at_least_k.min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::binomial::binom_test_greater;
    use crate::stats::testutil::assert_close;

    /// P(X >= k) by enumerating all 2^n outcomes.
    fn brute_force(probabilities: &[f64], k: u32) -> f64 {
        let n = probabilities.len();
        (0u32..1 << n)
            .filter(|outcome| outcome.count_ones() >= k)
            .map(|outcome| {
                probabilities
                    .iter()
                    .enumerate()
                    .map(|(i, &p)| if outcome >> i & 1 == 1 { p } else { 1.0 - p })
                    .product::<f64>()
            })
            .sum()
    }

    /// 60 probabilities shaped like lottery adverts (0 to 4 linked eligible
    /// out of 5 to 21 eligible).
    fn advert_probabilities() -> Vec<f64> {
        (0..60u32)
            .map(|i| f64::from(i * 7 % 5) / f64::from(5 + i * 11 % 17))
            .collect()
    }

    #[test]
    fn matches_brute_force_on_small_inputs() {
        let cases: [&[f64]; 4] = [
            &[0.5],
            &[0.1, 0.9],
            &[0.3, 0.0, 1.0, 0.25, 0.6],
            &[
                0.05, 0.2, 0.5, 0.01, 0.33, 0.7, 0.9, 0.15, 0.4, 0.02, 0.6, 0.08,
            ],
        ];
        for probabilities in cases {
            for k in 0..=probabilities.len() as u32 {
                let expected = brute_force(probabilities, k);
                let actual = poisson_binomial_upper_tail(probabilities, k.into()).unwrap();
                assert_close(actual, expected, 1e-12);
            }
        }
    }

    #[test]
    fn matches_exact_rational_reference() {
        // Python: the f64 probabilities of advert_probabilities() as
        // fractions.Fraction, convolved exactly; float(sum(pmf[k:])).
        let probabilities = advert_probabilities();
        let expected = [
            (1, 0.9999990201066576),
            (5, 0.9951334823085073),
            (10, 0.6993504722527571),
            (15, 0.09808613062075917),
            (20, 0.00142289955991577),
            (30, 2.772445893651747e-10),
            (40, 1.832735544353031e-21),
            (45, 1.8027632697603767e-29),
        ];
        for (k, p) in expected {
            assert_close(
                poisson_binomial_upper_tail(&probabilities, k).unwrap(),
                p,
                1e-10,
            );
        }
    }

    #[test]
    fn equal_probabilities_give_the_binomial_tail() {
        // scipy 1.17.1: scipy.stats.binom.sf(k - 1, 1000, 0.01), k = 10, 25, 50;
        // exact rational sums agree to ~1e-14.
        let probabilities = vec![0.01; 1000];
        for (k, p) in [
            (10, 0.5426994078251132),
            (25, 4.202920844836726e-05),
            (50, 8.306371435388825e-20),
        ] {
            assert_close(
                poisson_binomial_upper_tail(&probabilities, k).unwrap(),
                p,
                1e-10,
            );
        }
        // Against the log-space binomial test, deep in the tail.
        let probabilities = vec![0.05; 2000];
        for k in [100, 150, 250, 400] {
            let binomial = binom_test_greater(k, 2000, 0.05).unwrap();
            assert!(binomial > 1e-200, "reference underflowed at k = {k}");
            assert_close(
                poisson_binomial_upper_tail(&probabilities, k).unwrap(),
                binomial,
                1e-9,
            );
        }
    }

    #[test]
    fn edge_cases() {
        assert_eq!(poisson_binomial_upper_tail(&[], 0), Some(1.0));
        assert_eq!(poisson_binomial_upper_tail(&[], 1), Some(0.0));
        assert_eq!(poisson_binomial_upper_tail(&[0.5, 0.5], 3), Some(0.0));
        assert_eq!(poisson_binomial_upper_tail(&[0.0, 0.0], 1), Some(0.0));
        assert_eq!(poisson_binomial_upper_tail(&[1.0, 1.0], 2), Some(1.0));
        assert_eq!(poisson_binomial_upper_tail(&[0.5, 1.5], 1), None);
        assert_eq!(poisson_binomial_upper_tail(&[f64::NAN], 1), None);
        assert_eq!(poisson_binomial_upper_tail(&[-0.5], 0), None);
    }
}
