//! `actors` of stats.json (spec 5, "Actors", v1.2): per employee id acting
//! in the period, what they recorded and for how many of those acts the
//! person acted for was linked to them.
//!
//! Readings of the rulebook (docs/statistics.md says the same):
//!
//! - An employee id counts whether it is in the staff register or not: an
//!   id that appears only as `handled_by`, `approved_by`, `decided_by` or
//!   `changed_by` is listed as that id. An id with no act in the period is
//!   not listed.
//! - `handled` / `approved`: allocations of any route with allocated_on in
//!   the period whose handled_by / approved_by is the employee. One
//!   allocation handled and approved by the same employee counts once in
//!   each.
//! - `decided`: every response with the employee as decided_by, whatever
//!   its outcome, to an advert closing in the period (responses to an
//!   advert that is not known, or was set aside, have no closing date and
//!   are not counted). Late responses and ineligible candidates count:
//!   this is what the employee recorded, not the tested family of
//!   ACTOR_SKIP_RATE (that is `skip_rates`). `skipped`: those of them with
//!   outcome `skipped`.
//! - `edits`: registration changes of any field with the employee as
//!   changed_by and changed_at in the period; `backdating_edits`: those
//!   that move registration_date earlier, by the very test of
//!   REGISTRATION_BACKDATED and ACTOR_BACKDATING
//!   ([`crate::checks::registration::moved_earlier`]).
//! - `priorities_granted`: priorities with the employee as granted_by and
//!   granted_on in the period (a priority without granted_on is judged by
//!   its valid_from, as CONFLICT_OF_INTEREST judges it; one with neither
//!   has no day and is not counted).
//! - `acts_for_linked`: of the acts counted in `handled`, `approved`,
//!   `decided`, `edits` and `priorities_granted` (an act counted in two of
//!   them, such as one allocation handled and approved, counts twice),
//!   those where the person acted for (the tenant; the responding
//!   applicant; the applicant whose registration was edited or who was
//!   granted the priority) is linked (spec 2, any kind) to that same
//!   employee on the act's event date: allocated_on for an allocation, the
//!   advert's closes_on for a response (the date that puts the response in
//!   the period, as for ORDER_POSITION_MISMATCH's candidates), the date of
//!   changed_at for a registration change, granted_on (else valid_from)
//!   for a priority. A person not on the waiting list is linked to no one
//!   (as in CONFLICT_OF_INTEREST).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::checks::registration::moved_earlier;
use crate::context::Context;
use crate::model::{ApplicantId, Date, EmployeeId, Outcome};

/// One employee of `actors`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ActorEntry {
    /// The employee id (in the staff register or not).
    pub employee_id: String,
    /// Allocations in the period they handled (handled_by).
    pub handled: u64,
    /// Allocations in the period they approved (approved_by).
    pub approved: u64,
    /// Responses to adverts closing in the period whose outcome they
    /// recorded (decided_by), any outcome.
    pub decided: u64,
    /// Of those, outcome `skipped`.
    pub skipped: u64,
    /// Registration changes in the period they made (changed_by).
    pub edits: u64,
    /// Of those, moving registration_date earlier.
    pub backdating_edits: u64,
    /// Priorities granted in the period (granted_by).
    pub priorities_granted: u64,
    /// Acts above for a person linked to this very employee on the act's
    /// event date.
    pub acts_for_linked: u64,
}

/// Every employee acting in the period, sorted by employee_id (byte
/// order).
pub fn actors(ctx: &Context<'_>) -> Vec<ActorEntry> {
    let data = ctx.data;
    let mut by: BTreeMap<&EmployeeId, ActorEntry> = BTreeMap::new();
    // Whether `person` is linked to `employee` on `day` (spec 2).
    let linked = |person: &ApplicantId, employee: &EmployeeId, day: Date| {
        ctx.applicant_links(person, day)
            .iter()
            .any(|l| &l.employee_id == employee)
    };
    for alloc in &data.allocations {
        let day = alloc.allocated_on;
        if !ctx.period.contains(day) {
            continue;
        }
        if let Some(e) = &alloc.handled_by {
            let entry = by.entry(e).or_default();
            entry.handled += 1;
            entry.acts_for_linked += u64::from(linked(&alloc.applicant_id, e, day));
        }
        if let Some(e) = &alloc.approved_by {
            let entry = by.entry(e).or_default();
            entry.approved += 1;
            entry.acts_for_linked += u64::from(linked(&alloc.applicant_id, e, day));
        }
    }
    for advert in &data.adverts {
        let day = advert.closes_on;
        if !ctx.period.contains(day) {
            continue;
        }
        for r in data.responses_to(&advert.id) {
            let Some(e) = &r.decided_by else {
                continue;
            };
            let entry = by.entry(e).or_default();
            entry.decided += 1;
            entry.skipped += u64::from(r.outcome == Outcome::Skipped);
            entry.acts_for_linked += u64::from(linked(&r.applicant_id, e, day));
        }
    }
    for change in &data.registration_changes {
        let day = change.changed_at.date();
        if !ctx.period.contains(day) {
            continue;
        }
        let Some(e) = &change.changed_by else {
            continue;
        };
        let entry = by.entry(e).or_default();
        entry.edits += 1;
        entry.backdating_edits += u64::from(moved_earlier(change).is_some());
        entry.acts_for_linked += u64::from(linked(&change.applicant_id, e, day));
    }
    for p in &data.priorities {
        let (Some(e), Some(day)) = (&p.granted_by, p.granted_on.or(p.valid_from)) else {
            continue;
        };
        if !ctx.period.contains(day) {
            continue;
        }
        let entry = by.entry(e).or_default();
        entry.priorities_granted += 1;
        entry.acts_for_linked += u64::from(linked(&p.applicant_id, e, day));
    }
    by.into_iter()
        .map(|(id, entry)| ActorEntry {
            employee_id: id.to_string(),
            ..entry
        })
        .collect()
}
