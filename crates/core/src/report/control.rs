//! control_sample.csv (spec 4.3, v1.2): the control sample
//! ([`crate::analysis::control`]) as CSV.

use crate::analysis::ControlSample;
use crate::privacy::pseudonym::Mask;

/// The columns of control_sample.csv (spec 4.3).
pub const COLUMNS: [&str; 7] = [
    "allocation_id",
    "dwelling_id",
    "applicant_id",
    "route",
    "allocated_on",
    "handled_by",
    "approved_by",
];

/// One row's cells in the order of [`COLUMNS`]; with `--pseudonymise` the
/// applicant and employee ids are pseudonymised by `mask` (as in links.csv).
pub fn cells(a: &crate::model::Allocation, mask: &Mask) -> [String; 7] {
    let employee =
        |e: &Option<crate::model::EmployeeId>| mask.value(e.as_ref().map_or("", |e| e.as_str()));
    [
        a.id.to_string(),
        a.dwelling_id.to_string(),
        mask.value(a.applicant_id.as_str()),
        a.route.as_str().to_string(),
        a.allocated_on.to_string(),
        employee(&a.handled_by),
        employee(&a.approved_by),
    ]
}

/// control_sample.csv bytes, sorted by route, allocation_id.
pub fn csv(sample: &ControlSample<'_>, mask: &Mask) -> Vec<u8> {
    super::csv_bytes(
        &COLUMNS,
        sample.rows.iter().map(|a| cells(a, mask).to_vec()),
    )
}
