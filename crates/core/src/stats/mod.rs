//! Statistics primitives for the audit (spec section 5).
//!
//! Pure functions with no I/O: exact tests (Fisher, binomial,
//! Poisson-binomial), the Wilson interval, the Mann-Whitney U test,
//! Benjamini-Hochberg q-values and the median. Each one is checked against
//! SciPy/statsmodels reference values recorded in its unit tests. None of
//! them panics: inputs a statistic is undefined for give `None` (or an
//! error saying why) instead of NaN.

pub mod bh;
pub mod binomial;
pub mod fisher;
pub mod mannwhitney;
pub mod median;
pub mod poisson_binomial;
pub mod wilson;

#[cfg(test)]
mod testutil;

pub use bh::benjamini_hochberg;
pub use binomial::{binom_test_greater, binom_test_two_sided};
pub use fisher::{fisher_exact_two_sided, odds_ratio};
pub use mannwhitney::{mann_whitney_u, MannWhitney, MannWhitneyError};
pub use median::median;
pub use poisson_binomial::poisson_binomial_upper_tail;
pub use wilson::wilson;
