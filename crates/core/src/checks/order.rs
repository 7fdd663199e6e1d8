//! The ORDER_* checks (spec 4): was each advertised home offered in the
//! order of spec 3? ORDER_BYPASS, ORDER_NOT_A_CANDIDATE, ORDER_INELIGIBLE and
//! ORDER_NO_ADVERT look at route-advert allocations in the period;
//! ORDER_POSITION_MISMATCH at every advert closing in the period.

use crate::checks::{with_clause, CheckCode, Finding, Severity, SubjectType};
use crate::context::Context;
use crate::link::Link;
use crate::model::{Advert, Allocation, Outcome, Response, Route};
use crate::rank::{describe_keys, Ineligibility, Ranked, Ranking};

/// Where the tenant stands in the derived order.
enum TenantStatus<'a> {
    /// An eligible candidate at this rank.
    Ranked(usize),
    /// No response to the advert.
    NoResponse,
    /// Responded after closing.
    Late(&'a Response),
    /// Responded on time but not eligible.
    Ineligible(Vec<Ineligibility>),
}

impl TenantStatus<'_> {
    fn describe(&self, n: usize) -> String {
        match self {
            TenantStatus::Ranked(r) => format!("expected rank {r} of {n} eligible"),
            TenantStatus::NoResponse => "not a candidate: no response to the advert".into(),
            TenantStatus::Late(r) => format!(
                "not a candidate: responded {} after closing",
                r.responded_at
            ),
            TenantStatus::Ineligible(why) => format!(
                "not eligible: {}",
                why.iter()
                    .map(|w| w.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        }
    }
}

/// How a candidate's outcome reads in a detail sentence; a placeholder
/// reason is quoted as such (spec 4.1).
pub fn outcome_phrase(ctx: &Context<'_>, r: &Response) -> String {
    match (r.outcome, r.reason.as_deref()) {
        (Outcome::Declined | Outcome::Skipped | Outcome::Withdrawn, Some(reason))
            if ctx.reason_missing(Some(reason)) && !reason.trim().is_empty() =>
        {
            format!(
                "has outcome {} with placeholder reason '{}'",
                r.outcome,
                reason.trim()
            )
        }
        (Outcome::NotReached, _) => "was never offered the home (outcome not_reached)".into(),
        (Outcome::Accepted, _) => "has outcome accepted".into(),
        (o, Some(reason)) => format!("has outcome {o} (reason: {reason})"),
        (o, None) => format!("has outcome {o} with no reason recorded"),
    }
}

/// Counts of the outcomes of the candidates above the tenant, e.g.
/// "3 above the tenant: 1 declined with a reason, 2 not_reached".
fn summary_above(ctx: &Context<'_>, above: &[Ranked<'_>]) -> String {
    if above.is_empty() {
        return "no eligible candidate ranked above the tenant".into();
    }
    let mut counts: Vec<(String, usize)> = Vec::new();
    for r in above {
        let label = match (r.response.outcome, ctx.properly_passed_over(r.response)) {
            (Outcome::NotReached | Outcome::Accepted, _) => r.response.outcome.to_string(),
            (o, true) => format!("{o} with a reason"),
            (o, false) => format!("{o} without a reason"),
        };
        match counts.iter_mut().find(|(l, _)| *l == label) {
            Some((_, n)) => *n += 1,
            None => counts.push((label, 1)),
        }
    }
    let parts: Vec<String> = counts.iter().map(|(l, n)| format!("{n} {l}")).collect();
    format!(
        "{} eligible candidate(s) ranked above the tenant: {}",
        above.len(),
        parts.join(", ")
    )
}

/// The order an advert follows, for detail sentences: `registration
/// model` (as v1.1 wrote it), or `policy senioren (base registration)`.
pub fn order_phrase(advert: &Advert) -> String {
    match &advert.policy {
        None => format!("{} model", advert.model),
        Some(p) => format!("policy {} (base {})", p.name, advert.base()),
    }
}

fn severity(linked: bool) -> Severity {
    if linked {
        Severity::High
    } else {
        Severity::Medium
    }
}

/// Runs the ORDER_* checks.
pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    use rayon::prelude::*;
    let data = ctx.data;
    // Each let and each advert is checked on its own, on every core; the
    // findings come out in the order of the lets, then of the adverts.
    let lets: Vec<Finding> = data
        .allocations
        .par_iter()
        .flat_map_iter(|alloc| {
            let mut found = Vec::new();
            if alloc.route != Route::Advert || !ctx.period.contains(alloc.allocated_on) {
                return found;
            }
            let tenant_link = ctx.link(&alloc.applicant_id, alloc.allocated_on);
            let Some(advert) = alloc.advert_id.as_ref().and_then(|id| data.advert(id)) else {
                found.push(no_advert(ctx, alloc, tenant_link));
                return found;
            };
            if let Some(ranking) = ctx.ranking(&advert.id) {
                allocation_order(ctx, alloc, advert, ranking, tenant_link, &mut found);
            }
            found
        })
        .collect();
    out.extend(lets);
    let adverts: Vec<Finding> = data
        .adverts
        .par_iter()
        .flat_map_iter(|advert| {
            let mut found = Vec::new();
            // A discretionary advert has no fixed order to compare with.
            if !ctx.period.contains(advert.closes_on) || advert.is_discretionary() {
                return found;
            }
            if let Some(ranking) = ctx.ranking(&advert.id) {
                position_mismatch(ctx, ranking, &mut found);
            }
            found
        })
        .collect();
    out.extend(adverts);
}

fn no_advert(ctx: &Context<'_>, alloc: &Allocation, link: Option<Link>) -> Finding {
    let why = match &alloc.advert_id {
        None => "has no advert_id".to_string(),
        Some(id) if ctx.data.set_aside_adverts.contains(id) => {
            format!("names advert {id}, which was set aside for data errors")
        }
        Some(id) => format!("names advert {id}, which is not in adverts"),
    };
    finding(
        CheckCode::OrderNoAdvert,
        severity(link.is_some()),
        alloc,
        Some(alloc.applicant_id),
        link,
        format!(
            "Allocation {} of dwelling {} to applicant {} on {} is on route advert but {why}.",
            alloc.id, alloc.dwelling_id, alloc.applicant_id, alloc.allocated_on
        ),
    )
}

fn finding(
    check: CheckCode,
    severity: Severity,
    alloc: &Allocation,
    applicant: Option<crate::model::ApplicantId>,
    link: Option<Link>,
    detail: String,
) -> Finding {
    // The evidence of the named link belongs with the finding.
    let detail = match &link {
        Some(l) => with_clause(&detail, &format!("staff link: {}", l.evidence)),
        None => detail,
    };
    Finding {
        check,
        severity,
        subject_type: SubjectType::Allocation,
        subject_id: alloc.id.to_string(),
        applicant_id: applicant,
        link: link.as_ref().map(|l| l.kind),
        employee_id: link.map(|l| l.employee_id),
        detail,
    }
}

fn allocation_order(
    ctx: &Context<'_>,
    alloc: &Allocation,
    advert: &Advert,
    ranking: &Ranking<'_>,
    tenant_link: Option<Link>,
    out: &mut Vec<Finding>,
) {
    let data = ctx.data;
    let n = ranking.eligible().len();
    let status = match ranking.find(&alloc.applicant_id) {
        Some(r) => TenantStatus::Ranked(r.rank),
        None => match data.response(&advert.id, &alloc.applicant_id) {
            None => TenantStatus::NoResponse,
            Some(r) if crate::rank::responded_late(advert, r) => TenantStatus::Late(r),
            Some(_) => TenantStatus::Ineligible(
                data.applicant(&alloc.applicant_id)
                    .map(|a| crate::rank::ineligibility(advert, a, data.priorities_of(&a.id)))
                    .unwrap_or_default(),
            ),
        },
    };
    // A tenant who is not an eligible candidate ranks below every eligible one.
    let above: Vec<Ranked<'_>> = match status {
        TenantStatus::Ranked(r) => ranking.eligible().take(r - 1).collect(),
        _ => ranking.eligible().collect(),
    };
    let context = format!(
        "Advert {} (dwelling {}, {}, closed {}) was let to applicant {} by allocation {} on {} ({})",
        advert.id,
        advert.dwelling_id,
        order_phrase(advert),
        advert.closes_on,
        alloc.applicant_id,
        alloc.id,
        alloc.allocated_on,
        status.describe(n),
    );
    match &status {
        TenantStatus::NoResponse | TenantStatus::Late(_) => out.push(finding(
            CheckCode::OrderNotACandidate,
            severity(tenant_link.is_some()),
            alloc,
            Some(alloc.applicant_id),
            tenant_link.clone(),
            format!("{context}; {}.", summary_above(ctx, &above)),
        )),
        TenantStatus::Ineligible(_) => out.push(finding(
            CheckCode::OrderIneligible,
            severity(tenant_link.is_some()),
            alloc,
            Some(alloc.applicant_id),
            tenant_link.clone(),
            format!("{context}; {}.", summary_above(ctx, &above)),
        )),
        TenantStatus::Ranked(_) => {}
    }
    // A discretionary advert has no fixed order: no candidate was
    // bypassed (spec 3).
    if advert.is_discretionary() {
        return;
    }
    for cand in above {
        // A tenant of another allocation of the same advert (several
        // homes) was properly passed over, whatever the units (spec 3.1).
        if ctx.properly_passed_over(cand.response)
            || (cand.applicant.id != alloc.applicant_id
                && ctx.is_tenant_of(&advert.id, &cand.applicant.id))
        {
            continue;
        }
        let cand_link = ctx.link(&cand.applicant.id, alloc.allocated_on);
        let linked = cand_link.is_some() || tenant_link.is_some();
        let named = cand_link.or_else(|| tenant_link.clone());
        out.push(finding(
            CheckCode::OrderBypass,
            severity(linked),
            alloc,
            Some(cand.applicant.id),
            named,
            format!(
                "{context}; candidate {} ranked {} of {n} ({}) {}.",
                cand.applicant.id,
                cand.rank,
                describe_keys(
                    advert,
                    cand.response,
                    cand.applicant,
                    data.priorities_of(&cand.applicant.id)
                ),
                outcome_phrase(ctx, cand.response),
            ),
        ));
    }
}

fn position_mismatch(ctx: &Context<'_>, ranking: &Ranking<'_>, out: &mut Vec<Finding>) {
    let advert = ranking.advert;
    let n = ranking.eligible().len();
    for cand in ranking.eligible() {
        let Some(recorded) = cand.response.position.get() else {
            continue;
        };
        if i64::from(recorded) == cand.rank as i64 {
            continue;
        }
        let link = ctx.link(&cand.applicant.id, advert.closes_on);
        let detail = format!(
            "Advert {} ({}, closed {}): candidate {} has recorded position {recorded} but expected rank {} of {n} ({}).",
            advert.id,
            order_phrase(advert),
            advert.closes_on,
            cand.applicant.id,
            cand.rank,
            describe_keys(
                advert,
                cand.response,
                cand.applicant,
                ctx.data.priorities_of(&cand.applicant.id)
            ),
        );
        let detail = match &link {
            Some(l) => with_clause(&detail, &format!("staff link: {}", l.evidence)),
            None => detail,
        };
        out.push(Finding {
            check: CheckCode::OrderPositionMismatch,
            severity: if link.is_some() {
                Severity::Medium
            } else {
                Severity::Low
            },
            subject_type: SubjectType::Advert,
            subject_id: advert.id.to_string(),
            applicant_id: Some(cand.applicant.id),
            link: link.as_ref().map(|l| l.kind),
            employee_id: link.map(|l| l.employee_id),
            detail,
        });
    }
}
