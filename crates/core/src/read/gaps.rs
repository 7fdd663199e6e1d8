//! What the inputs lack for some checks to do their work: optional columns
//! or tables an export (a VERA export above all) may not have. The report's
//! coverage statement names them, so a check that could not run is not
//! mistaken for one that found nothing.

use crate::read::SourceInfo;
use crate::schema::Table;

/// One thing the inputs lack, and what it means for the checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    /// What is missing, e.g. `allocations has no handled_by column`.
    pub missing: String,
    /// What could therefore not be checked.
    pub consequence: &'static str,
}

/// The optional columns whose absence leaves a check without its basis:
/// (table, column, consequence).
const COLUMNS: &[(Table, &str, &str)] = &[
    (
        Table::Allocations,
        "handled_by",
        "HANDLER_BYPASS_RATE had no handlers to test and CONFLICT_OF_INTEREST could not see who let a home",
    ),
    (
        Table::Allocations,
        "approved_by",
        "ROUTE_UNAPPROVED flagged every let outside the aanbodsysteem for a missing approval and CONFLICT_OF_INTEREST could not see who approved",
    ),
    (
        Table::Responses,
        "decided_by",
        "ACTOR_SKIP_RATE had no deciding employees to test and CONFLICT_OF_INTEREST could not see who recorded an outcome",
    ),
];

/// The gaps of a run's inputs (`sources`: the tables read).
pub fn gaps(sources: &[SourceInfo]) -> Vec<Gap> {
    let mut gaps = Vec::new();
    for (table, column, consequence) in COLUMNS {
        if let Some(s) = sources.iter().find(|s| s.table == *table) {
            if !s.columns.contains(column) {
                gaps.push(Gap {
                    missing: format!("{} has no {column} column", s.file),
                    consequence,
                });
            }
        }
    }
    if !sources.iter().any(|s| s.table == Table::Relations) {
        gaps.push(Gap {
            missing: "there is no relations table".to_string(),
            consequence: "no link of kind declared could be found: a relative known only from the relations register was not linked",
        });
    }
    gaps
}
