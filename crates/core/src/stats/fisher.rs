//! Fisher's exact test and the sample odds ratio for a 2x2 table
//! `[[a, b], [c, d]]`.

use statrs::function::factorial::ln_binomial;

/// Relative tolerance for "as likely as the observed table". It absorbs the
/// rounding of the log-space probabilities, so that tables that are equally
/// likely in exact arithmetic are all counted (R uses the same 1e-7).
const RELATIVE_TOLERANCE: f64 = 1e-7;

/// Two-sided p-value of Fisher's exact test for the table `[[a, b], [c, d]]`,
/// as SciPy `fisher_exact(table)`: the sum of the hypergeometric
/// probabilities of all tables with the observed margins that are no more
/// likely than the observed one (`P(x) <= P(observed) * (1 + 1e-7)`),
/// capped at 1.
///
/// Returns 1.0 when a row or a column of the table is empty (all zero), as
/// SciPy does. The probabilities are computed in log space with
/// `ln_binomial`, so large tables neither overflow nor lose tiny p-values
/// (statrs' own `fishers_exact` fails for totals above about 1,030). Time
/// and memory are linear in `min(a + b, a + c)`. Should a row or column sum
/// overflow `u64` (it cannot for real counts) the result is NaN.
pub fn fisher_exact_two_sided(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let (Some(row1), Some(row2), Some(col1), Some(col2)) = (
        a.checked_add(b),
        c.checked_add(d),
        a.checked_add(c),
        b.checked_add(d),
    ) else {
        return f64::NAN;
    };
    if row1 == 0 || row2 == 0 || col1 == 0 || col2 == 0 {
        return 1.0;
    }
    // Hypergeometric law of the top-left cell given all four margins, up to
    // its constant factor 1 / C(total, col1): the p-value is taken as the
    // ratio of two sums of the same unnormalised terms, so the rounding of
    // that factor (and of ln C(total, col1)) cancels out.
    let lowest = col1.saturating_sub(row2);
    let highest = row1.min(col1);
    let ln_terms: Vec<f64> = (lowest..=highest)
        .map(|x| ln_binomial(row1, x) + ln_binomial(row2, col1 - x))
        .collect();
    let ln_cutoff = ln_terms[(a - lowest) as usize] + RELATIVE_TOLERANCE.ln_1p();
    // Scaled by the largest term, so the sums neither overflow nor underflow.
    let ln_max = ln_terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (mut tail, mut all) = (0.0, 0.0);
    for &ln_term in &ln_terms {
        let term = (ln_term - ln_max).exp();
        all += term;
        if ln_term <= ln_cutoff {
            tail += term;
        }
    }
    (tail / all).min(1.0)
}

/// Sample odds ratio `(a * d) / (b * c)` of the table `[[a, b], [c, d]]`.
///
/// `None` when `b * c == 0`: the ratio is then infinite (`a * d > 0`) or
/// undefined (`0 / 0`), and the caller reports it as null with a note.
pub fn odds_ratio(a: u64, b: u64, c: u64, d: u64) -> Option<f64> {
    // In f64, so that products of large counts cannot overflow.
    let denominator = b as f64 * c as f64;
    (denominator != 0.0).then(|| a as f64 * d as f64 / denominator)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testutil::assert_close;

    // Expected values: scipy 1.17.1, `scipy.stats.fisher_exact([[a, b], [c, d]]).pvalue`,
    // cross-checked with an exact rational computation in Python
    // (fractions.Fraction and math.comb, same 1e-7 rule); both agree to
    // about 1e-15 relative.

    #[test]
    fn large_table_that_breaks_statrs() {
        // scipy: fisher_exact([[1200, 800], [950, 1050]])
        assert_close(
            fisher_exact_two_sided(1200, 800, 950, 1050),
            2.6431612918148805e-15,
            1e-9,
        );
    }

    #[test]
    fn small_tables() {
        // scipy: fisher_exact([[8, 2], [1, 5]])
        assert_close(
            fisher_exact_two_sided(8, 2, 1, 5),
            0.034965034965034975,
            1e-12,
        );
        // scipy: fisher_exact([[12, 5], [3, 20]])
        assert_close(
            fisher_exact_two_sided(12, 5, 3, 20),
            0.0002999894216743347,
            1e-12,
        );
        // scipy: fisher_exact([[1, 99], [20, 80]])
        assert_close(
            fisher_exact_two_sided(1, 99, 20, 80),
            8.045864254891984e-06,
            1e-12,
        );
    }

    #[test]
    fn zero_cells() {
        // scipy: fisher_exact([[0, 5], [5, 0]])
        assert_close(
            fisher_exact_two_sided(0, 5, 5, 0),
            0.007936507936507938,
            1e-12,
        );
        // scipy: fisher_exact([[3, 0], [0, 3]])
        assert_close(
            fisher_exact_two_sided(3, 0, 0, 3),
            0.10000000000000002,
            1e-12,
        );
        // scipy: fisher_exact([[1, 0], [0, 1]]) and [[0, 1], [1, 0]]: 1.0
        assert_close(fisher_exact_two_sided(1, 0, 0, 1), 1.0, 1e-12);
        assert_close(fisher_exact_two_sided(0, 1, 1, 0), 1.0, 1e-12);
        // scipy: fisher_exact([[500, 1500], [0, 1]]): 1.0
        assert_close(fisher_exact_two_sided(500, 1500, 0, 1), 1.0, 1e-12);
    }

    #[test]
    fn empty_row_or_column_gives_one() {
        // scipy returns pvalue 1.0 (and odds ratio nan) for each of these.
        assert_eq!(fisher_exact_two_sided(0, 0, 3, 4), 1.0);
        assert_eq!(fisher_exact_two_sided(0, 5, 0, 3), 1.0);
        assert_eq!(fisher_exact_two_sided(1, 0, 0, 0), 1.0);
        assert_eq!(fisher_exact_two_sided(2, 0, 0, 0), 1.0);
        assert_eq!(fisher_exact_two_sided(0, 0, 0, 0), 1.0);
    }

    #[test]
    fn symmetric_tables_count_both_tails() {
        // scipy: fisher_exact([[5, 5], [5, 5]]) = 1.0
        assert_close(fisher_exact_two_sided(5, 5, 5, 5), 1.0, 1e-12);
        // scipy: fisher_exact([[3, 7], [7, 3]])
        assert_close(
            fisher_exact_two_sided(3, 7, 7, 3),
            0.1788954079975752,
            1e-12,
        );
        // scipy: fisher_exact([[30, 70], [70, 30]])
        assert_close(
            fisher_exact_two_sided(30, 70, 70, 30),
            2.310326429897527e-08,
            1e-9,
        );
        // scipy: fisher_exact([[1000, 1010], [1010, 1000]])
        assert_close(
            fisher_exact_two_sided(1000, 1010, 1010, 1000),
            0.7764941342426515,
            1e-9,
        );
    }

    #[test]
    fn equally_likely_tables_despite_rounding() {
        // Equal column sums: x and a + b - x are equally likely, but
        // ln_binomial(n, k) and ln_binomial(n, n - k) round differently, so
        // without the 1e-7 tolerance these would come out halved.
        // scipy: fisher_exact([[0, 5], [10, 5]])
        assert_close(
            fisher_exact_two_sided(0, 5, 10, 5),
            0.032507739938080496,
            1e-12,
        );
        // scipy: fisher_exact([[0, 2], [5, 3]])
        assert_close(
            fisher_exact_two_sided(0, 2, 5, 3),
            0.44444444444444453,
            1e-12,
        );
        // scipy: fisher_exact([[0, 1], [5, 4]]) = 1.0
        assert_close(fisher_exact_two_sided(0, 1, 5, 4), 1.0, 1e-12);
    }

    #[test]
    fn extreme_p_values() {
        // scipy: fisher_exact([[40, 10], [10, 40]])
        assert_close(
            fisher_exact_two_sided(40, 10, 10, 40),
            2.2221008148312167e-09,
            1e-9,
        );
        // scipy: fisher_exact([[45, 5], [12, 38]])
        assert_close(
            fisher_exact_two_sided(45, 5, 12, 38),
            1.395844287771078e-11,
            1e-9,
        );
        // scipy: fisher_exact([[300, 200], [150, 350]])
        assert_close(
            fisher_exact_two_sided(300, 200, 150, 350),
            1.3404989756017792e-21,
            1e-9,
        );
        // scipy: fisher_exact([[50, 2], [5, 60]])
        assert_close(
            fisher_exact_two_sided(50, 2, 5, 60),
            1.1058764740664034e-24,
            1e-9,
        );
        // scipy: fisher_exact([[100, 0], [0, 100]]) = 2 / C(200, 100)
        assert_close(
            fisher_exact_two_sided(100, 0, 0, 100),
            2.208760693199503e-59,
            1e-9,
        );
    }

    #[test]
    fn overflowing_total_does_not_panic() {
        assert!(fisher_exact_two_sided(u64::MAX, 1, 0, 0).is_nan());
    }

    #[test]
    fn odds_ratios() {
        // scipy: fisher_exact([[1200, 800], [950, 1050]]).statistic
        assert_close(
            odds_ratio(1200, 800, 950, 1050).unwrap(),
            1.6578947368421053,
            1e-15,
        );
        // scipy: fisher_exact([[1, 99], [20, 80]]).statistic
        assert_close(
            odds_ratio(1, 99, 20, 80).unwrap(),
            0.04040404040404041,
            1e-15,
        );
        // a * d == 0 with b * c > 0: a genuine zero (scipy: 0.0).
        assert_eq!(odds_ratio(0, 5, 5, 0), Some(0.0));
        // Infinite (scipy: inf) and undefined (scipy: nan).
        assert_eq!(odds_ratio(3, 0, 0, 3), None);
        assert_eq!(odds_ratio(0, 0, 3, 4), None);
        assert_eq!(odds_ratio(0, 5, 0, 3), None);
    }
}
