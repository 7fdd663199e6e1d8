//! links.csv (spec 6): the register of staff links
//! ([`crate::link::register`]) as CSV.

use crate::link::register::LinkRow;
use crate::privacy::pseudonym::Mask;

/// links.csv bytes; with `--pseudonymise` the ids, names, birth dates and
/// the evidence are pseudonymised by `mask`.
pub fn csv(rows: &[LinkRow], mask: &Mask) -> Vec<u8> {
    super::csv_bytes(
        &[
            "person_type",
            "applicant_id",
            "sale_id",
            "last_name",
            "first_names",
            "birth_date",
            "employee_id",
            "kind",
            "kinds",
            "employed_from",
            "employed_to",
            "evidence",
        ],
        rows.iter().map(|r| {
            vec![
                r.person_type.to_string(),
                mask.value(&r.applicant_id),
                r.sale_id.clone(),
                mask.value(&r.last_name),
                mask.value(&r.first_names),
                mask.value(&r.birth_date),
                mask.value(&r.employee_id),
                r.kind.as_str().to_string(),
                r.kinds.clone(),
                r.employed_from.clone(),
                r.employed_to.clone(),
                mask.text(&r.evidence),
            ]
        }),
    )
}
