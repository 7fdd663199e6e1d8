//! PRIORITY_LATE (spec 4, v1.2): the tenant of an advert let ranked where
//! they did on a priority granted after the advert was published, and
//! without it someone else would have been ahead. The advert is ranked
//! again without that priority by the ranking's own rules
//! ([`Ranking::derive_with`]); the check hands what it found on to the
//! analysis, whose `late_priority` affected seekers (spec 4.2) are the
//! seekers it put ahead.

use std::collections::HashSet;

use crate::checks::{severity_if, with_clause, CheckCode, Finding, Severity, SubjectType};
use crate::context::Context;
use crate::model::{Advert, Allocation, ApplicantId, Priority, Route};
use crate::rank::{Change, Ranked, Ranking};

/// A late priority that changed the order of an advert let.
pub struct LatePriority<'a> {
    /// The let.
    pub alloc: &'a Allocation,
    /// The priority (the earliest granted_on, then the lowest id, of those
    /// that changed the order).
    pub priority: &'a Priority,
    /// The tenant's rank in the advert's order.
    pub tenant_rank: usize,
    /// The advert ranked again without the priority.
    pub again: Ranking<'a>,
    /// The tenant's rank in that order; `None` when no longer eligible.
    pub new_rank: Option<usize>,
    /// The candidates above the tenant in that order who were not above
    /// before, were not properly passed over and are not tenants of the
    /// advert, at their new ranks.
    pub ahead: Vec<Ranked<'a>>,
}

/// The late priority of an advert let, if one changed the order (spec 4,
/// PRIORITY_LATE). `None` for a let that is not on a known
/// non-discretionary advert, or whose tenant is not an eligible candidate.
fn late_priority<'a>(ctx: &Context<'a>, alloc: &'a Allocation) -> Option<LatePriority<'a>> {
    let data = ctx.data;
    if alloc.route != Route::Advert {
        return None;
    }
    let advert: &'a Advert = data.advert(alloc.advert_id.as_ref()?)?;
    if advert.is_discretionary() {
        return None;
    }
    let ranking = ctx.ranking(&advert.id)?;
    let tenant_rank = ranking.find(&alloc.applicant_id)?.rank;
    let mut late: Vec<&'a Priority> = data
        .priorities_of(&alloc.applicant_id)
        .iter()
        .filter(|p| {
            p.counts_on(advert.closes_on) && p.granted_on.is_some_and(|g| g > advert.published_on)
        })
        .collect();
    late.sort_by(|a, b| (a.granted_on, a.id.as_str()).cmp(&(b.granted_on, b.id.as_str())));
    let before: HashSet<&ApplicantId> = ranking
        .eligible()
        .take(tenant_rank - 1)
        .map(|r| &r.applicant.id)
        .collect();
    for priority in late {
        let again = Ranking::derive_with(
            data,
            advert,
            Change {
                replacement: None,
                without_priority: Some(&priority.id),
            },
        );
        let new_rank = again.find(&alloc.applicant_id).map(|r| r.rank);
        let above: Vec<Ranked<'a>> = match new_rank {
            Some(r) => again.eligible().take(r - 1).collect(),
            None => again.eligible().collect(),
        };
        let ahead: Vec<Ranked<'a>> = above
            .iter()
            .filter(|c| {
                !before.contains(&c.applicant.id)
                    && !ctx.properly_passed_over(c.response)
                    && !ctx.is_tenant_of(&advert.id, &c.applicant.id)
            })
            .copied()
            .collect();
        if !ahead.is_empty() {
            return Some(LatePriority {
                alloc,
                priority,
                tenant_rank,
                again,
                new_rank,
                ahead,
            });
        }
    }
    None
}

/// Runs PRIORITY_LATE.
/// Runs PRIORITY_LATE; returns the late priorities it found, one per let
/// it fired on.
pub fn check<'a>(ctx: &Context<'a>, out: &mut Vec<Finding>) -> Vec<LatePriority<'a>> {
    let data = ctx.data;
    let mut found = Vec::new();
    if data.priorities.is_empty() {
        return found;
    }
    for alloc in &data.allocations {
        if alloc.route != Route::Advert || !ctx.period.contains(alloc.allocated_on) {
            continue;
        }
        let Some(late) = late_priority(ctx, alloc) else {
            continue;
        };
        let p = late.priority;
        let link = ctx.link(&alloc.applicant_id, alloc.allocated_on);
        // Granted by an employee the tenant is linked to on the day of the
        // grant (granted_on is known: a priority without it is never late).
        let granted_by_linked = match (&p.granted_by, p.granted_on) {
            (Some(by), Some(on)) => ctx
                .applicant_links(&alloc.applicant_id, on)
                .iter()
                .any(|l| &l.employee_id == by),
            _ => false,
        };
        let advert = late.again.advert;
        let ahead: Vec<String> = late
            .ahead
            .iter()
            .map(|c| format!("{} (rank {})", c.applicant.id, c.rank))
            .collect();
        let detail = format!(
            "Allocation {} of advert {} (published {}, closed {}) to applicant {}, ranked {} of {} eligible, who holds priority {} granted on {} by {}, after the advert was published; without it the tenant would rank {} and {} would be above the tenant.",
            alloc.id,
            advert.id,
            advert.published_on,
            advert.closes_on,
            alloc.applicant_id,
            late.tenant_rank,
            ctx.ranking(&advert.id).map_or(0, |r| r.eligible().len()),
            p.describe(),
            p.granted_on.map_or(String::new(), |d| d.to_string()),
            p.granted_by.as_ref().map_or("nobody recorded", |e| e.as_str()),
            late.new_rank
                .map_or("below every eligible candidate (no longer eligible)".to_string(), |r| r.to_string()),
            ahead.join(", "),
        );
        let detail = match (&link, granted_by_linked) {
            (Some(l), _) => with_clause(&detail, &format!("staff link: {}", l.evidence)),
            (None, true) => with_clause(
                &detail,
                "the tenant was linked to the employee who granted it on the day of the grant",
            ),
            (None, false) => detail,
        };
        out.push(
            Finding::new(
                CheckCode::PriorityLate,
                severity_if(
                    link.is_some() || granted_by_linked,
                    Severity::High,
                    Severity::Medium,
                ),
                SubjectType::Allocation,
                alloc.id.as_str(),
                detail,
            )
            .about(Some(&alloc.applicant_id))
            .naming(link.as_ref()),
        );
        found.push(late);
    }
    found
}
