//! affected.csv (spec 4.2, v1.2): the seekers who lost a home
//! ([`crate::analysis::affected`]) as CSV.

use crate::analysis::affected::{Affected, AffectedRow};
use crate::privacy::pseudonym::Mask;

/// The columns of affected.csv (spec 4.2).
pub const COLUMNS: [&str; 8] = [
    "allocation_id",
    "advert_id",
    "tenant_id",
    "applicant_id",
    "cause",
    "rank",
    "tenant_rank",
    "detail",
];

/// One row's cells in the order of [`COLUMNS`]; with `--pseudonymise` the
/// tenant's and the seeker's applicant ids are pseudonymised by `mask` (as
/// in links.csv), and so is any personal value in the detail.
pub fn cells(r: &AffectedRow<'_>, mask: &Mask) -> [String; 8] {
    [
        r.alloc.id.to_string(),
        r.advert.id.to_string(),
        mask.value(r.alloc.applicant_id.as_str()),
        mask.value(r.applicant_id.as_str()),
        r.cause.as_str().to_string(),
        r.rank.to_string(),
        r.tenant_rank.map(|t| t.to_string()).unwrap_or_default(),
        mask.text(&r.detail),
    ]
}

/// affected.csv bytes, sorted by allocation_id, rank, applicant_id.
pub fn csv(affected: &Affected<'_>, mask: &Mask) -> Vec<u8> {
    super::csv_bytes(
        &COLUMNS,
        affected.rows.iter().map(|r| cells(r, mask).to_vec()),
    )
}
