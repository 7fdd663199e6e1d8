//! Where the findings of an earlier review file are now (`run --reviews`,
//! issue 14): every finding it lists is current (found again in this
//! run's period), outside this run's period (still found at another date:
//! kept, with its review), or gone (not found again). Nothing it lists is
//! dropped, and a file whose findings match nothing in this data is
//! reported rather than silently carried into "gone".

use std::collections::{BTreeMap, BTreeSet};

use crate::analysis::control::sample_id;
use crate::audit::Audit;
use crate::checks::{self, Finding};
use crate::model::Date;
use crate::period::Period;
use crate::read::reviews::{Reviews, GONE_SHEET, OUTSIDE_SHEET};

/// An earlier finding that lies outside this run's period.
#[derive(Clone, Debug)]
pub enum Outside {
    /// A finding the checks still make when run at every date.
    Finding(Finding),
    /// A let of an earlier control sample, let on a day outside the period.
    ControlLet {
        /// Its sample_id.
        sample_id: String,
        /// The allocation.
        allocation_id: String,
        /// Its day.
        allocated_on: Date,
    },
}

impl Outside {
    /// Its finding_id (or sample_id).
    pub fn id(&self) -> String {
        match self {
            Outside::Finding(f) => f.id(),
            Outside::ControlLet { sample_id, .. } => sample_id.clone(),
        }
    }
}

/// Where the findings of a review file are now.
#[derive(Clone, Debug, Default)]
pub struct CarryOver {
    /// The listed findings outside this run's period, in findings.csv
    /// order, control-sample lets last.
    pub outside: Vec<Outside>,
    /// Every id of this run's findings and control sample, and of the
    /// listed findings outside its period: the other listed ones are gone.
    pub kept: BTreeSet<String>,
    /// Why the file seems not to belong to this data, one line each (none
    /// of its finding ids occurs at any date): stops the run unless
    /// `--force`.
    pub unmatched: Vec<String>,
}

impl CarryOver {
    /// Sorts the findings `reviews` lists into current, outside and gone
    /// for `audit`. Looking for them outside the period runs the checks once
    /// more at every date (only when the period is limited and something
    /// listed is not current).
    pub fn of(audit: &mut Audit<'_>, reviews: &Reviews) -> CarryOver {
        let current: BTreeSet<String> = audit
            .findings
            .iter()
            .map(Finding::id)
            .chain(audit.control.ids())
            .collect();
        let mut kept = current.clone();
        let missing: BTreeSet<&String> = reviews
            .listed
            .keys()
            .filter(|id| !current.contains(*id))
            .collect();
        let period = *audit.period();
        let mut outside = Vec::new();
        if !missing.is_empty() && period != Period::ALL {
            let everywhere = audit
                .ctx
                .with_period(Period::ALL, |ctx| checks::run_all(ctx).findings);
            for f in everywhere {
                let id = f.id();
                if missing.contains(&id) {
                    kept.insert(id);
                    outside.push(Outside::Finding(f));
                }
            }
            // Control-sample lets: by the day of the let.
            let lets: BTreeMap<String, _> = audit
                .data()
                .allocations
                .iter()
                .filter(|a| !period.contains(a.allocated_on))
                .map(|a| (sample_id(a.id.as_str()), a))
                .filter(|(id, _)| missing.contains(id) && !kept.contains(id))
                .collect();
            for (id, a) in lets {
                kept.insert(id.clone());
                outside.push(Outside::ControlLet {
                    sample_id: id,
                    allocation_id: a.id.as_str().to_string(),
                    allocated_on: a.allocated_on,
                });
            }
        }
        // The findings this file lists as found (not those it already had
        // as gone or outside): if none of them occurs at any date, the file
        // is most likely not a review file of this data.
        let expected: Vec<&String> = reviews
            .listed
            .iter()
            .filter(|(_, l)| l.sheet != GONE_SHEET && l.sheet != OUTSIDE_SHEET)
            .map(|(id, _)| id)
            .collect();
        let mut unmatched = Vec::new();
        if !expected.is_empty() && !expected.iter().any(|id| kept.contains(*id)) {
            let sheets: BTreeSet<&str> = reviews
                .listed
                .values()
                .map(|l| l.sheet.as_str())
                .filter(|s| !s.is_empty())
                .collect();
            let on = if sheets.is_empty() {
                String::new()
            } else {
                format!(
                    " (sheets {})",
                    sheets
                        .iter()
                        .map(|s| format!("{s:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            unmatched.push(format!(
                "none of its {} finding id(s){on} occurs in this data at any date: is it the review file of these exports?",
                expected.len()
            ));
        }
        CarryOver {
            outside,
            kept,
            unmatched,
        }
    }
}
