//! HANDLER_BYPASS_RATE (spec 4): does one letting employee's share of
//! route-advert allocations with a bypassed candidate stand out from the
//! share over all route-advert allocations in the period?
//!
//! It rests on the ORDER_BYPASS findings, so it runs after the other checks
//! and reads their findings (see `run_all`). The family of employees tested
//! is public so stats.json can list it.

use std::collections::{BTreeMap, HashSet};

use crate::checks::{CheckCode, Context, Finding, Severity, SubjectType};
use crate::model::{EmployeeId, Route};
use crate::stats::{benjamini_hochberg, binom_test_greater};

/// One employee of the tested family.
#[derive(Clone, Debug, PartialEq)]
pub struct HandlerTest {
    /// The employee (handled_by), registered or not.
    pub employee_id: EmployeeId,
    /// Route-advert allocations in the period they handled (n).
    pub allocations: u64,
    /// Of those, allocations with at least one ORDER_BYPASS (k).
    pub with_bypass: u64,
    /// k / n.
    pub share: f64,
    /// One-sided exact binomial p, `P(X >= k)` for `X ~ Bin(n, overall)`.
    pub p: Option<f64>,
    /// Benjamini-Hochberg q over the family.
    pub q: Option<f64>,
}

/// The overall figures the family is tested against.
#[derive(Clone, Debug, PartialEq)]
pub struct HandlerFamily {
    /// All route-advert allocations in the period.
    pub allocations: u64,
    /// Of those, allocations with at least one ORDER_BYPASS.
    pub with_bypass: u64,
    /// with_bypass / allocations; `None` without allocations.
    pub overall_share: Option<f64>,
    /// The tested employees (>= handler_min_allocations), by employee_id.
    pub tests: Vec<HandlerTest>,
}

/// The allocation ids with at least one ORDER_BYPASS finding.
pub fn bypassed_allocations(findings: &[Finding]) -> HashSet<&str> {
    findings
        .iter()
        .filter(|f| f.check == CheckCode::OrderBypass)
        .map(|f| f.subject_id.as_str())
        .collect()
}

/// The tested family: every employee who handled at least
/// `thresholds.handler_min_allocations` route-advert allocations in the
/// period, with the binomial test against the overall share and the
/// Benjamini-Hochberg q over the family, sorted by employee_id (byte order).
pub fn handler_family(ctx: &Context<'_>, findings: &[Finding]) -> HandlerFamily {
    let bypassed = bypassed_allocations(findings);
    let mut total = 0u64;
    let mut with = 0u64;
    // BTreeMap: employee_id order is the order stats.json lists them in.
    let mut per: BTreeMap<&EmployeeId, (u64, u64)> = BTreeMap::new();
    for alloc in &ctx.data.allocations {
        if alloc.route != Route::Advert || !ctx.period.contains(alloc.allocated_on) {
            continue;
        }
        let hit = bypassed.contains(alloc.id.as_str());
        total += 1;
        with += u64::from(hit);
        // An allocation without a handler counts in the overall share only.
        if let Some(h) = &alloc.handled_by {
            let e = per.entry(h).or_default();
            e.0 += 1;
            e.1 += u64::from(hit);
        }
    }
    let overall_share = (total > 0).then(|| with as f64 / total as f64);
    let min = ctx.config.thresholds.handler_min_allocations;
    let mut tests: Vec<HandlerTest> = per
        .into_iter()
        // n >= 1 even with a threshold of 0: a share needs allocations.
        .filter(|(_, (n, _))| *n >= min.max(1))
        .map(|(e, (n, k))| HandlerTest {
            employee_id: e.clone(),
            allocations: n,
            with_bypass: k,
            share: k as f64 / n as f64,
            p: overall_share.and_then(|p0| binom_test_greater(k, n, p0)),
            q: None,
        })
        .collect();
    // Every p is defined whenever the family is non-empty (total > 0), so
    // BH sees the whole family; should one be missing, no q is claimed.
    let ps: Option<Vec<f64>> = tests.iter().map(|t| t.p).collect();
    if let Some(qs) = ps.as_deref().and_then(benjamini_hochberg) {
        for (t, q) in tests.iter_mut().zip(qs) {
            t.q = Some(q);
        }
    }
    HandlerFamily {
        allocations: total,
        with_bypass: with,
        overall_share,
        tests,
    }
}

/// Runs HANDLER_BYPASS_RATE on the findings of the other checks and
/// appends its own.
pub fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    let family = handler_family(ctx, findings);
    let Some(overall) = family.overall_share else {
        return;
    };
    let t = &ctx.config.thresholds;
    let size = family.tests.len();
    for test in &family.tests {
        let (Some(p), Some(q)) = (test.p, test.q) else {
            continue;
        };
        if q >= t.handler_q {
            continue;
        }
        let detail = format!(
            "Employee {} handled {} route-advert allocation(s) in the period, {} of them ({:.1}%) with at least one ORDER_BYPASS, against {} of {} ({:.1}%) over all route-advert allocations; one-sided exact binomial test p = {}, Benjamini-Hochberg q = {} over the {size} employee(s) with at least {} allocations (threshold q < {}).",
            test.employee_id,
            test.allocations,
            test.with_bypass,
            test.share * 100.0,
            family.with_bypass,
            family.allocations,
            overall * 100.0,
            sig(p),
            sig(q),
            t.handler_min_allocations,
            t.handler_q,
        );
        findings.push(
            Finding::new(
                CheckCode::HandlerBypassRate,
                Severity::Medium,
                SubjectType::Employee,
                test.employee_id.as_str(),
                detail,
            )
            .naming_employee(&test.employee_id, None),
        );
    }
}

/// At least three significant digits: scientific notation under 0.01.
fn sig(x: f64) -> String {
    if x != 0.0 && x.abs() < 1e-2 {
        format!("{x:.3e}")
    } else {
        format!("{x:.4}")
    }
}
