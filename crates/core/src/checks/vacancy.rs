//! VACANCY_NOT_ADVERTISED (spec 4, v1.2): a home became free and was let
//! directly (route direct or other) without any advert around the vacancy.
//! Homes of deceased tenants that were never advertised are a known fraud
//! pattern, so a death raises the severity.

use crate::checks::{severity_if, with_clause, CheckCode, Finding, Severity, SubjectType};
use crate::context::Context;
use crate::model::{Allocation, Route, Vacancy, VacancyReason};

/// Runs VACANCY_NOT_ADVERTISED.
pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let data = ctx.data;
    if data.vacancies.is_empty() {
        return;
    }
    let lead = ctx.config.thresholds.vacancy_advert_lead_days;
    for alloc in &data.allocations {
        if !matches!(alloc.route, Route::Direct | Route::Other)
            || !ctx.period.contains(alloc.allocated_on)
        {
            continue;
        }
        // The latest vacancy on or before the let (ties: the lowest id).
        let Some(vacancy) = data
            .vacancies_of_dwelling(&alloc.dwelling_id)
            .filter(|v| v.vacated_on <= alloc.allocated_on)
            .max_by(|a, b| {
                a.vacated_on
                    .cmp(&b.vacated_on)
                    .then_with(|| b.id.cmp(&a.id))
            })
        else {
            continue;
        };
        if !first_let_after(ctx, alloc, vacancy) {
            continue;
        }
        let from = vacancy.vacated_on - chrono::Duration::days(lead);
        let advertised = data
            .adverts_of_dwelling(&alloc.dwelling_id)
            .any(|a| a.published_on >= from && a.published_on <= alloc.allocated_on);
        if advertised {
            continue;
        }
        let link = ctx.link(&alloc.applicant_id, alloc.allocated_on);
        let detail = format!(
            "Allocation {} of dwelling {} to applicant {} on {} by route {} (handled by {}, approved by {}) is the first let after vacancy {} ({}, vacated {}), and no advert of the dwelling was published from {from} to {}.",
            alloc.id,
            alloc.dwelling_id,
            alloc.applicant_id,
            alloc.allocated_on,
            alloc.route,
            alloc.handled_by.as_ref().map_or("nobody recorded", |e| e.as_str()),
            alloc.approved_by.as_ref().map_or("nobody recorded", |e| e.as_str()),
            vacancy.id,
            vacancy.reason,
            vacancy.vacated_on,
            alloc.allocated_on,
        );
        let detail = match &link {
            Some(l) => with_clause(&detail, &format!("staff link: {}", l.evidence)),
            None => detail,
        };
        out.push(
            Finding::new(
                CheckCode::VacancyNotAdvertised,
                severity_if(
                    link.is_some() || vacancy.reason == VacancyReason::Death,
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
    }
}

/// Whether `alloc` is the first let of its dwelling (any route) on or after
/// the vacancy: the earliest allocated_on, ties broken by the lowest
/// allocation_id.
fn first_let_after(ctx: &Context<'_>, alloc: &Allocation, vacancy: &Vacancy) -> bool {
    ctx.data
        .allocations_of_dwelling(&alloc.dwelling_id)
        .filter(|a| a.allocated_on >= vacancy.vacated_on)
        .min_by(|a, b| {
            a.allocated_on
                .cmp(&b.allocated_on)
                .then_with(|| a.id.as_str().cmp(b.id.as_str()))
        })
        .is_some_and(|first| std::ptr::eq(first, alloc))
}
