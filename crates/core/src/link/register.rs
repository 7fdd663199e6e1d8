//! The register of staff links (links.csv, spec 6): every staff-linked
//! person on the waiting list and among buyers, with kind, employee,
//! employment window and evidence, so an auditor can review the register
//! itself.

use super::Linker;
use crate::dataset::Dataset;
use crate::model::Date;
use crate::period::Period;

/// One row of links.csv.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LinkRow {
    /// `applicant` or `buyer`.
    pub person_type: &'static str,
    /// The applicant's id, or the buyer's buyer_applicant_id.
    pub applicant_id: String,
    /// The sale, for a buyer.
    pub sale_id: String,
    /// Kind of the pair's link (the strongest).
    pub kind: super::LinkKind,
    /// The employee.
    pub employee_id: String,
    /// Every kind that holds.
    pub kinds: String,
    /// Surname as written.
    pub last_name: String,
    /// First names as written.
    pub first_names: String,
    /// Birth date.
    pub birth_date: String,
    /// Employment window start.
    pub employed_from: String,
    /// Employment window end.
    pub employed_to: String,
    /// The evidence sentence.
    pub evidence: String,
}

/// Every linked person whose link holds at some time in `period`: the
/// employee's employment window overlaps it.
pub fn rows(data: &Dataset, linker: &Linker<'_>, period: &Period) -> Vec<LinkRow> {
    let overlaps = |from: Option<Date>, to: Option<Date>| {
        let starts_before_end = match (from, period.to) {
            (Some(f), Some(t)) => f <= t,
            _ => true,
        };
        let ends_after_start = match (to, period.from) {
            (Some(t), Some(f)) => t >= f,
            _ => true,
        };
        starts_before_end && ends_after_start
    };
    let opt = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
    let mut out = Vec::new();
    let mut push = |person_type: &'static str,
                    applicant_id: String,
                    sale_id: String,
                    person: crate::model::PersonFields<'_>,
                    links: Vec<crate::link::Link>| {
        for link in links {
            let Some(e) = data.employee(&link.employee_id) else {
                continue;
            };
            if !overlaps(e.employed_from, e.employed_to) {
                continue;
            }
            out.push(LinkRow {
                person_type,
                applicant_id: applicant_id.clone(),
                sale_id: sale_id.clone(),
                kind: link.kind,
                employee_id: link.employee_id.to_string(),
                kinds: link
                    .kinds
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join("+"),
                last_name: person.last_name.to_string(),
                first_names: person.first_names.unwrap_or_default().to_string(),
                birth_date: opt(person.birth_date),
                employed_from: opt(e.employed_from),
                employed_to: opt(e.employed_to),
                evidence: link.evidence,
            });
        }
    };
    for a in &data.applicants {
        let links = linker.candidates(a.person(), Some(&a.id));
        if !links.is_empty() {
            push(
                "applicant",
                a.id.to_string(),
                String::new(),
                a.person(),
                links,
            );
        }
    }
    for s in &data.sales {
        let links = linker.candidates(s.buyer(), s.buyer_applicant_id.as_ref());
        if !links.is_empty() {
            let id = s
                .buyer_applicant_id
                .as_ref()
                .map(|a| a.to_string())
                .unwrap_or_default();
            push("buyer", id, s.id.to_string(), s.buyer(), links);
        }
    }
    out.sort();
    out
}
