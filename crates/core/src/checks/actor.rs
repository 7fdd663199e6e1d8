//! The actor checks of spec v1.2 (section 4): patterns in what one employee
//! recorded, whoever it was recorded for.
//!
//! - ACTOR_SKIP_RATE: among the employees who, as decided_by, recorded at
//!   least `actor_min_decisions` outcomes declined, skipped or withdrawn on
//!   responses of eligible candidates to non-discretionary adverts closing
//!   in the period, is one's share of `skipped` higher than the share over
//!   all such outcomes with a decided_by? The test is the shared machinery
//!   of [`crate::checks::rate`] (as HANDLER_BYPASS_RATE's), with
//!   Benjamini-Hochberg q < `handler_q` over the tested family; the family
//!   is returned so stats.json can list it (`skip_rates`).
//! - ACTOR_BACKDATING: an employee who, as changed_by, made registration
//!   changes in the period (by changed_at) that move registration_date
//!   earlier for at least `actor_backdating_min` different applicants.
//!
//! Both name the employee as subject and as employee_id; applicant_id is
//! empty and so is link (the finding is about the employee, not about a
//! person linked to them).

use std::collections::BTreeMap;

use crate::fast::FastMap;

use crate::checks::rate::{sig, RateFamily};
use crate::checks::registration::moved_earlier;
use crate::checks::{CheckCode, Finding, Severity, SubjectType};
use crate::context::Context;
use crate::model::Response;
use crate::model::{Advert, AdvertId, ApplicantId, Date, DateTime, EmployeeId, Outcome};

/// The tested family of ACTOR_SKIP_RATE: per decider (decided_by), the
/// declined, skipped or withdrawn outcomes of eligible candidates (acts)
/// and those that are `skipped` (hits).
pub type SkipFamily = RateFamily<EmployeeId>;

/// Whether the advert has a fixed offer order (spec 3).
fn non_discretionary(advert: &Advert) -> bool {
    !advert.is_discretionary()
}

/// A decision of ACTOR_SKIP_RATE: a declined, skipped or withdrawn outcome
/// that carries a decided_by, with whether it is `skipped`.
fn decision(response: &Response) -> Option<(&EmployeeId, bool)> {
    let counted = matches!(
        response.outcome,
        Outcome::Declined | Outcome::Skipped | Outcome::Withdrawn
    );
    if !counted {
        return None;
    }
    let by = response.decided_by.as_ref()?;
    Some((by, response.outcome == Outcome::Skipped))
}

/// The decisions of the period: every eligible candidate's response
/// (spec 3, on the advert's own closing date) to a non-discretionary
/// advert closing in the period, with its advert.
fn decisions<'c>(
    ctx: &'c Context<'_>,
) -> impl Iterator<Item = (&'c AdvertId, &'c EmployeeId, &'c Response)> + 'c {
    ctx.data
        .adverts
        .iter()
        .filter(|a| ctx.period.contains(a.closes_on) && non_discretionary(a))
        .filter_map(|a| ctx.ranking(&a.id).map(|r| (&a.id, r)))
        .flat_map(|(id, ranking)| ranking.eligible().map(move |c| (id, c.response)))
        .filter_map(|(id, r)| decision(r).map(|(by, _)| (id, by, r)))
}

/// The tested family of ACTOR_SKIP_RATE (every employee who recorded at
/// least `thresholds.actor_min_decisions` decisions in the period, tested
/// against the share of `skipped` over every decision with a decided_by,
/// with the Benjamini-Hochberg q over the family, sorted by employee_id,
/// byte order) and what each decider recorded, from one pass over the
/// decisions: a pass reads every eligible candidate's response, tens of
/// millions at national scale.
fn skip_family_and_records<'c>(
    ctx: &'c Context<'_>,
) -> (SkipFamily, FastMap<&'c EmployeeId, Record<'c>>) {
    let mut records: FastMap<&EmployeeId, Record<'_>> = FastMap::default();
    let acts = decisions(ctx).map(|(advert, by, r)| {
        let rec = records.entry(by).or_default();
        // A decider's decisions on one advert come one after another.
        if rec.adverts.last() != Some(&advert) {
            rec.adverts.push(advert);
        }
        match r.outcome {
            Outcome::Declined => rec.declined += 1,
            Outcome::Withdrawn => rec.withdrawn += 1,
            _ => rec.skipped_without_reason += u64::from(r.reason.is_none()),
        }
        (Some(by), r.outcome == Outcome::Skipped)
    });
    let family = RateFamily::test(acts, ctx.config.thresholds.actor_min_decisions);
    (family, records)
}

/// What one decider recorded, for the detail sentence.
#[derive(Default)]
struct Record<'a> {
    declined: u64,
    withdrawn: u64,
    skipped_without_reason: u64,
    /// The adverts decided on, each once (an advert's candidates are
    /// judged together).
    adverts: Vec<&'a AdvertId>,
}

/// Runs ACTOR_SKIP_RATE and ACTOR_BACKDATING, appends their findings and
/// returns the tested family of ACTOR_SKIP_RATE.
pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) -> SkipFamily {
    let (family, records) = skip_family_and_records(ctx);
    skip_rate(ctx, &family, records, out);
    backdating(ctx, out);
    family
}

/// ACTOR_SKIP_RATE: a finding for every tested employee whose q is below
/// `handler_q`.
fn skip_rate(
    ctx: &Context<'_>,
    family: &SkipFamily,
    mut records: FastMap<&EmployeeId, Record<'_>>,
    out: &mut Vec<Finding>,
) {
    let Some(overall) = family.overall_share else {
        return;
    };
    let t = &ctx.config.thresholds;
    let flagged: Vec<_> = family.flagged(t.handler_q).collect();
    if flagged.is_empty() {
        return;
    }
    let size = family.tests.len();
    for (test, p, q) in flagged {
        let rec = records.remove(&test.actor).unwrap_or_default();
        let unexplained = match rec.skipped_without_reason {
            0 => String::new(),
            n => format!(", {n} of the skips without a reason"),
        };
        let detail = format!(
            "Employee {} recorded {} declined, skipped or withdrawn outcome(s) for eligible candidates of {} non-discretionary advert(s) closing in the period, {} of them ({:.1}%) skipped (declined {}, withdrawn {}{unexplained}), against {} of {} ({:.1}%) over all such outcomes with a decided_by; one-sided exact binomial test p = {}, Benjamini-Hochberg q = {} over the {size} employee(s) with at least {} such outcomes (threshold q < {}).",
            test.actor,
            test.acts,
            rec.adverts.len(),
            test.hits,
            test.share * 100.0,
            rec.declined,
            rec.withdrawn,
            family.hits,
            family.acts,
            overall * 100.0,
            sig(p),
            sig(q),
            t.actor_min_decisions,
            t.handler_q,
        );
        out.push(
            Finding::new(
                CheckCode::ActorSkipRate,
                Severity::Medium,
                SubjectType::Employee,
                test.actor.as_str(),
                detail,
            )
            .naming_employee(&test.actor, None),
        );
    }
}

/// One edit that moved a registration date earlier.
struct Backdated<'a> {
    at: DateTime,
    old: Date,
    new: Date,
    reason: Option<&'a str>,
}

/// ACTOR_BACKDATING: one finding per employee who, in the period, moved the
/// registration date of at least `actor_backdating_min` different
/// applicants earlier.
fn backdating(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let min = ctx.config.thresholds.actor_backdating_min;
    // employee -> applicant -> edits (BTreeMaps: byte order of the ids).
    let mut by: BTreeMap<&EmployeeId, BTreeMap<&ApplicantId, Vec<Backdated<'_>>>> = BTreeMap::new();
    for change in &ctx.data.registration_changes {
        let Some(employee) = &change.changed_by else {
            continue;
        };
        if !ctx.period.contains(change.changed_at.date()) {
            continue;
        }
        let Some((old, new)) = moved_earlier(change) else {
            continue;
        };
        by.entry(employee)
            .or_default()
            .entry(&change.applicant_id)
            .or_default()
            .push(Backdated {
                at: change.changed_at,
                old,
                new,
                reason: change.reason.as_deref(),
            });
    }
    for (employee, applicants) in by {
        // An employee with none does not get here: a minimum of 0 acts as 1.
        if (applicants.len() as u64) < min {
            continue;
        }
        let mut total = 0i64;
        let parts: Vec<String> = applicants
            .into_iter()
            .map(|(applicant, mut edits)| {
                edits.sort_by_key(|e| e.at);
                let moves: Vec<String> = edits
                    .iter()
                    .map(|e| {
                        let days = (e.old - e.new).num_days();
                        total += days;
                        format!(
                            "{days} days on {} ({} to {}, reason: {})",
                            e.at,
                            e.old,
                            e.new,
                            e.reason.unwrap_or("none recorded"),
                        )
                    })
                    .collect();
                // A link of the applicant to this very employee at an edit
                // is CONFLICT_OF_INTEREST's; the reviewer sees it here too.
                let linked = edits
                    .iter()
                    .flat_map(|e| ctx.applicant_links(applicant, e.at.date()))
                    .filter(|l| &l.employee_id == employee)
                    .min_by_key(|l| l.kind)
                    .map(|l| format!(", linked to them ({})", l.kind))
                    .unwrap_or_default();
                format!("applicant {applicant}{linked}: {}", moves.join(", "))
            })
            .collect();
        let detail = format!(
            "Employee {employee} moved registration_date earlier for {} different applicant(s) in the period (threshold {min}), {total} days in all: {}.",
            parts.len(),
            parts.join("; "),
        );
        out.push(
            Finding::new(
                CheckCode::ActorBackdating,
                Severity::High,
                SubjectType::Employee,
                employee.as_str(),
                detail,
            )
            .naming_employee(employee, None),
        );
    }
}
