//! Stage 6, analysis: what the findings and the input mean together. The
//! [`facts`] of every let and sale in the period, computed once, and the
//! [`statistics`] of spec 5 over them. Every output reads these; none
//! works them out again.

pub mod facts;
pub mod statistics;

pub use facts::{Facts, LetFact, SaleFact};
pub use statistics::Stats;
