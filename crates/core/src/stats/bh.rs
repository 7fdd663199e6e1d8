//! Benjamini-Hochberg false discovery rate adjustment.

/// Benjamini-Hochberg adjusted p-values (q-values), in the order of the
/// input, as statsmodels `multipletests(p, method="fdr_bh")[1]` and R
/// `p.adjust(p, method = "BH")`.
///
/// With the p-values sorted ascending, `q(i) = min over j >= i of
/// p(j) * m / j`, capped at 1, so the q-values are monotone in the p-values.
/// Returns `None` when a p-value is NaN or outside `[0, 1]`; an empty input
/// gives an empty output.
pub fn benjamini_hochberg(p_values: &[f64]) -> Option<Vec<f64>> {
    if p_values.iter().any(|p| !(0.0..=1.0).contains(p)) {
        return None;
    }
    let m = p_values.len() as f64;
    let mut order: Vec<usize> = (0..p_values.len()).collect();
    order.sort_by(|&i, &j| p_values[i].total_cmp(&p_values[j]));
    let mut q_values = vec![0.0; p_values.len()];
    // Walk from the largest p-value down, carrying the running minimum.
    let mut running_min = 1.0_f64;
    for (index, &original) in order.iter().enumerate().rev() {
        // p / (rank / m), the way statsmodels rounds it.
        let rank = (index + 1) as f64;
        running_min = running_min.min(p_values[original] / (rank / m));
        q_values[original] = running_min;
    }
    Some(q_values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::testutil::assert_close;

    // Expected values: statsmodels 0.15.0,
    // `statsmodels.stats.multitest.multipletests(p, method="fdr_bh")[1]`.
    fn check(p: &[f64], expected: &[f64]) {
        let q = benjamini_hochberg(p).unwrap();
        assert_eq!(q.len(), expected.len());
        for (&actual, &wanted) in q.iter().zip(expected) {
            assert_close(actual, wanted, 1e-14);
        }
    }

    #[test]
    fn unsorted_input_with_ties_keeps_order() {
        check(
            &[0.01, 0.04, 0.03, 0.005, 0.5, 0.04, 1.0],
            &[0.035, 0.056, 0.056, 0.035, 0.5833333333333334, 0.056, 1.0],
        );
        check(
            &[0.02, 0.02, 0.5, 0.0],
            &[0.02666666666666667, 0.02666666666666667, 0.5, 0.0],
        );
    }

    #[test]
    fn monotone_step_and_cap() {
        check(&[0.001, 0.002, 0.003], &[0.003, 0.003, 0.003]);
        check(&[0.9, 0.8, 0.95], &[0.95, 0.95, 0.95]);
        check(&[0.2], &[0.2]);
        // p * m / rank above 1 is capped: 0.6 * 2 / 1 = 1.2 -> min(1.2, 0.9 * 2 / 2).
        check(&[0.6, 0.9], &[0.9, 0.9]);
    }

    #[test]
    fn empty_and_invalid() {
        assert_eq!(benjamini_hochberg(&[]), Some(vec![]));
        assert_eq!(benjamini_hochberg(&[0.1, f64::NAN]), None);
        assert_eq!(benjamini_hochberg(&[0.1, 1.5]), None);
        assert_eq!(benjamini_hochberg(&[-0.1]), None);
    }
}
