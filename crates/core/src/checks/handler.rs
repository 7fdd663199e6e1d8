//! HANDLER_BYPASS_RATE (spec 4): does one letting employee's share of
//! route-advert allocations with a bypassed candidate stand out from the
//! share over all route-advert allocations in the period?
//!
//! It rests on the ORDER_BYPASS findings, so it runs after the other checks
//! and reads their findings (see `run_all`); the test itself is the shared
//! machinery of [`crate::checks::rate`]. The tested family is returned so
//! stats.json can list it.

use std::collections::HashSet;

use crate::checks::rate::{sig, RateFamily};
use crate::checks::{CheckCode, Finding, Severity, SubjectType};
use crate::context::Context;
use crate::model::{EmployeeId, Route};

/// The tested family of HANDLER_BYPASS_RATE: per handler (handled_by),
/// route-advert allocations in the period (acts) and those with at least
/// one ORDER_BYPASS (hits).
pub type HandlerFamily = RateFamily<EmployeeId>;

/// The tested family: every employee who handled at least
/// `thresholds.handler_min_allocations` route-advert allocations in the
/// period, with the binomial test against the overall share and the
/// Benjamini-Hochberg q over the family, sorted by employee_id (byte order).
pub fn handler_family(ctx: &Context<'_>, findings: &[Finding]) -> HandlerFamily {
    let bypassed: HashSet<&str> = findings
        .iter()
        .filter(|f| f.check == CheckCode::OrderBypass)
        .map(|f| f.subject_id.as_str())
        .collect();
    let acts = ctx
        .data
        .allocations
        .iter()
        .filter(|a| a.route == Route::Advert && ctx.period.contains(a.allocated_on))
        .map(|a| (a.handled_by.as_ref(), bypassed.contains(a.id.as_str())));
    RateFamily::test(acts, ctx.config.thresholds.handler_min_allocations)
}

/// Runs HANDLER_BYPASS_RATE on the findings of the other checks, appends
/// its own and returns the tested family.
pub fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) -> HandlerFamily {
    let family = handler_family(ctx, findings);
    let Some(overall) = family.overall_share else {
        return family;
    };
    let t = &ctx.config.thresholds;
    let size = family.tests.len();
    let mut flagged = Vec::new();
    for (test, p, q) in family.flagged(t.handler_q) {
        let detail = format!(
            "Employee {} handled {} route-advert allocation(s) in the period, {} of them ({:.1}%) with at least one ORDER_BYPASS, against {} of {} ({:.1}%) over all route-advert allocations; one-sided exact binomial test p = {}, Benjamini-Hochberg q = {} over the {size} employee(s) with at least {} allocations (threshold q < {}).",
            test.actor,
            test.acts,
            test.hits,
            test.share * 100.0,
            family.hits,
            family.acts,
            overall * 100.0,
            sig(p),
            sig(q),
            t.handler_min_allocations,
            t.handler_q,
        );
        flagged.push(
            Finding::new(
                CheckCode::HandlerBypassRate,
                Severity::Medium,
                SubjectType::Employee,
                test.actor.as_str(),
                detail,
            )
            .naming_employee(&test.actor, None),
        );
    }
    findings.extend(flagged);
    family
}
