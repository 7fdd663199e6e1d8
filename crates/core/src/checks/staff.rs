//! Lets and sales to people linked to staff (spec 4): STAFF_ALLOCATION (the
//! register of staff-circle lets) and UNDECLARED_LINK (a tenant or buyer
//! whose link is not in the relations register).

use crate::checks::{CheckCode, Finding, Severity, SubjectType};
use crate::context::Context;
use crate::link::{Link, LinkKind};

/// Runs STAFF_ALLOCATION and UNDECLARED_LINK.
pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for alloc in &ctx.data.allocations {
        if !ctx.period.contains(alloc.allocated_on) {
            continue;
        }
        let links = ctx.applicant_links(&alloc.applicant_id, alloc.allocated_on);
        let what = format!(
            "Allocation {} of dwelling {} to applicant {} on {} by route {}",
            alloc.id, alloc.dwelling_id, alloc.applicant_id, alloc.allocated_on, alloc.route
        );
        if let Some(link) = links.first() {
            out.push(
                Finding::new(
                    CheckCode::StaffAllocation,
                    Severity::Low,
                    SubjectType::Allocation,
                    alloc.id.as_str(),
                    format!("{what}: the tenant is linked to staff: {}.", link.evidence),
                )
                .about(Some(&alloc.applicant_id))
                .naming(Some(link)),
            );
        }
        undeclared(
            &links,
            SubjectType::Allocation,
            alloc.id.as_str(),
            Some(&alloc.applicant_id),
            &what,
            out,
        );
    }
    for sale in &ctx.data.sales {
        if !ctx.period.contains(sale.sold_on) {
            continue;
        }
        let links = ctx.buyer_links(sale);
        let what = format!(
            "Sale {} of dwelling {} on {} to buyer {}",
            sale.id, sale.dwelling_id, sale.sold_on, sale.buyer_last_name
        );
        undeclared(
            &links,
            SubjectType::Sale,
            sale.id.as_str(),
            sale.buyer_applicant_id.as_ref(),
            &what,
            out,
        );
    }
}

/// One UNDECLARED_LINK per employee whose pair's strongest kind is
/// address, contact or surname_postcode.
fn undeclared(
    links: &[Link],
    subject_type: SubjectType,
    subject_id: &str,
    applicant: Option<&crate::model::ApplicantId>,
    what: &str,
    out: &mut Vec<Finding>,
) {
    for link in links.iter().filter(|l| l.kind.is_undeclared()) {
        let severity = if link.kind == LinkKind::SurnamePostcode {
            Severity::Low
        } else {
            Severity::Medium
        };
        out.push(
            Finding::new(
                CheckCode::UndeclaredLink,
                severity,
                subject_type,
                subject_id,
                format!("{what}: undeclared link: {}.", link.evidence),
            )
            .about(applicant)
            .naming(Some(link)),
        );
    }
}
