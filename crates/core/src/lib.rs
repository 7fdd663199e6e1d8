//! woonaudit: audits whether a housing corporation let and sold its homes
//! fairly, by the rulebook (spec v1.1; docs/ in the repository explains it).
//!
//! The data flows one way, one module per stage, and no stage imports a
//! later one:
//!
//! 1. [`read`]: the input files (and the reviews of an earlier run);
//! 2. [`validate`]: data issues, rows used and set aside ([`load`] runs
//!    these two);
//! 3. [`link`]: people linked to staff (spec 2);
//! 4. [`rank`]: the offer order of every advert (spec 3); [`context`] holds
//!    the results of 3 and 4 for what follows;
//! 5. [`checks`]: the findings (spec 4);
//! 6. [`analysis`]: the facts of every let and sale in the period and the
//!    statistics (spec 5); [`Audit`] is the value stages 3 to 6 make;
//! 7. [`report`]: the output files (spec 6), rendered from an [`Audit`],
//!    under the policies of [`privacy`].
//!
//! Foundations every stage may use, which import no stage: [`model`] (the
//! records), [`parse`] (the cell parsers), [`schema`] (the tables and their
//! columns), [`config`] and its [`preset`]s, [`period`], [`issues`], [`error`], [`text`] and
//! [`stats`] (the statistical tests).
//! The command line lives in the `woonaudit` binary (the workspace root);
//! the synthetic data generator in `woonaudit-generate` (crates/generate).

pub mod analysis;
mod audit;
pub mod checks;
pub mod config;
mod config_limits;
pub mod context;
pub mod dataset;
pub mod error;
pub mod fast;
mod heap;
pub mod intern;
pub mod issues;
pub mod link;
pub mod load;
pub mod model;
pub mod parse;
pub mod period;
pub mod policy;
pub mod preset;
pub mod privacy;
pub mod rank;
pub mod read;
pub mod report;
pub mod schema;
pub mod stats;
pub mod text;
pub mod timings;
pub mod validate;

pub use audit::Audit;
