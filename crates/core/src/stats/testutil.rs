//! Test-only helpers shared by the stats unit tests.

/// Asserts that `actual` is within relative tolerance `rel` of `expected`.
/// An `expected` of exactly 0 demands an exact 0, so a tail probability
/// that underflows can never pass against a non-zero reference.
#[track_caller]
pub fn assert_close(actual: f64, expected: f64, rel: f64) {
    let ok = if expected == 0.0 {
        actual == 0.0
    } else {
        ((actual - expected) / expected).abs() <= rel
    };
    assert!(
        ok,
        "actual {actual:e} vs expected {expected:e} (relative tolerance {rel:e})"
    );
}
