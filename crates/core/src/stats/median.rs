//! Median of a sample.

/// Median of `values`; for an even count the mean of the two middle
/// values (the spec's rule, and NumPy's).
///
/// `None` when `values` is empty or holds a NaN (a NaN has no place in the
/// order, and the report must never show NaN), and when the two middle
/// values are -inf and +inf (their mean is undefined).
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() || values.iter().any(|v| v.is_nan()) {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        Some(sorted[middle])
    } else {
        // Halve before adding so that two huge values cannot overflow.
        Some(sorted[middle - 1] / 2.0 + sorted[middle] / 2.0).filter(|m| !m.is_nan())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values: numpy 2.4.6, `numpy.median(values)`.

    #[test]
    fn odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        // numpy.median([0.5, -1.0, 2.25, 2.25]) = 1.375
        assert_eq!(median(&[0.5, -1.0, 2.25, 2.25]), Some(1.375));
        // numpy.median([10, 20, 20, 30, 40, 40, 40]) = 30.0
        assert_eq!(
            median(&[10.0, 20.0, 20.0, 30.0, 40.0, 40.0, 40.0]),
            Some(30.0)
        );
    }

    #[test]
    fn tiny_samples() {
        assert_eq!(median(&[7.5]), Some(7.5));
        assert_eq!(median(&[1.0, 2.0]), Some(1.5));
        assert_eq!(median(&[-1.0, -1.0]), Some(-1.0));
    }

    #[test]
    fn huge_values_do_not_overflow() {
        assert_eq!(median(&[f64::MAX, f64::MAX]), Some(f64::MAX));
    }

    #[test]
    fn empty_or_nan_gives_none() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[1.0, f64::NAN, 2.0]), None);
        assert_eq!(median(&[f64::NEG_INFINITY, f64::INFINITY]), None);
    }
}
