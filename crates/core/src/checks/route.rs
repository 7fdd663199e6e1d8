//! The route checks (spec 4): lets outside the aanbodsysteem.
//! ROUTE_UNAPPROVED (no approval by a second person, or no reason, a
//! placeholder reason included) and ROUTE_STAFF_CIRCLE (a non-advert let to
//! a staff-linked tenant). A let through a discretionary advert has no
//! fixed order, so it needs the approval of a non-advert let (spec 3).

use crate::checks::{severity_if, CheckCode, Finding, Severity, SubjectType};
use crate::context::Context;
use crate::model::Route;

/// Runs ROUTE_UNAPPROVED and ROUTE_STAFF_CIRCLE.
pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for alloc in &ctx.data.allocations {
        if !ctx.period.contains(alloc.allocated_on) {
            continue;
        }
        let discretionary = alloc.route == Route::Advert
            && alloc
                .advert_id
                .as_ref()
                .and_then(|id| ctx.data.advert(id))
                .is_some_and(|a| a.is_discretionary());
        if alloc.route == Route::Advert && !discretionary {
            continue;
        }
        let links = ctx.applicant_links(&alloc.applicant_id, alloc.allocated_on);
        let tenant_link = links.first();
        let what = format!(
            "Allocation {} of dwelling {} to applicant {} on {} by route {}{} (handled by {})",
            alloc.id,
            alloc.dwelling_id,
            alloc.applicant_id,
            alloc.allocated_on,
            alloc.route,
            match (&alloc.advert_id, discretionary) {
                (Some(id), true) => format!(" through discretionary advert {id}"),
                _ => String::new(),
            },
            alloc
                .handled_by
                .as_ref()
                .map_or("nobody recorded", |e| e.as_str()),
        );
        let mut gaps = Vec::new();
        match (&alloc.approved_by, &alloc.handled_by) {
            (None, _) => gaps.push("no approved_by recorded".to_string()),
            (Some(a), Some(h)) if a == h => {
                gaps.push(format!("approved by {a}, the same employee who handled it"))
            }
            _ => {}
        }
        match alloc.reason.as_deref().map(str::trim) {
            None | Some("") => gaps.push("no reason recorded".to_string()),
            Some(r) if ctx.reason_missing(Some(r)) => {
                gaps.push(format!("placeholder reason '{r}'"))
            }
            Some(_) => {}
        }
        if !gaps.is_empty() {
            out.push(
                Finding::new(
                    CheckCode::RouteUnapproved,
                    severity_if(tenant_link.is_some(), Severity::High, Severity::Medium),
                    SubjectType::Allocation,
                    alloc.id.as_str(),
                    format!("{what}: {}.", gaps.join("; ")),
                )
                .about(Some(&alloc.applicant_id))
                .naming(tenant_link),
            );
        }
        if let (false, Some(link)) = (discretionary, tenant_link) {
            out.push(
                Finding::new(
                    CheckCode::RouteStaffCircle,
                    Severity::High,
                    SubjectType::Allocation,
                    alloc.id.as_str(),
                    format!(
                        "{what}, approved by {}, reason \"{}\": the tenant is linked to staff: {}.",
                        alloc
                            .approved_by
                            .as_ref()
                            .map_or("nobody recorded", |e| e.as_str()),
                        alloc.reason.as_deref().unwrap_or(""),
                        link.evidence
                    ),
                )
                .about(Some(&alloc.applicant_id))
                .naming(Some(link)),
            );
        }
    }
}
