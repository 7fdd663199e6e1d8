//! woonaudit: audits whether a housing corporation let and sold its homes
//! fairly, by the rulebook `audit-spec.md` v1.1.
//!
//! The data flows one way, one module per stage:
//! [`read`] -> [`validate`] -> [`link`] -> [`rank`] and [`checks`] ->
//! [`stats`] -> [`report`].
//! Every stage speaks the foundation vocabulary, which imports no stage:
//! [`model`] (the records), [`parse`] (the cell parsers), [`schema`] (the
//! tables and their columns), [`config`], [`issues`] and [`period`].
//! The command line lives in the `woonaudit` binary (the workspace root);
//! the synthetic data generator in `woonaudit-generate` (crates/generate).

pub mod checks;
pub mod config;
pub mod dataset;
pub mod error;
pub mod fast;
pub mod issues;
pub mod link;
pub mod model;
pub mod parse;
pub mod period;
pub mod rank;
pub mod read;
pub mod report;
pub mod schema;
pub mod stats;
pub mod timings;
pub mod validate;
