//! REGISTRATION_BACKDATED (spec 4): a registration date moved earlier in the
//! edit log, or a registration date far before the record was created. Both
//! give a seeker seniority they did not earn.

use std::collections::BTreeMap;

use crate::checks::{CheckCode, Finding, Severity, SubjectType};
use crate::context::Context;
use crate::link::Link;
use crate::model::{ApplicantId, Date, RegistrationChange};
use crate::parse;

/// One piece of evidence of backdating.
struct Event {
    day: Date,
    text: String,
}

/// The old and new date of a registration change that moves
/// registration_date earlier (spec 4: both values readable as dates, by the
/// reading rules of 1.1), or `None` for any other change. REGISTRATION_BACKDATED
/// and ACTOR_BACKDATING both read the edit log through this.
pub fn moved_earlier(change: &RegistrationChange) -> Option<(Date, Date)> {
    // The reader lower-cases `field` (it is case-insensitive, spec 1.3).
    if change.field != "registration_date" {
        return None;
    }
    let old = change.old_value.as_deref().and_then(parse::date)?;
    let new = change.new_value.as_deref().and_then(parse::date)?;
    (new < old).then_some((old, new))
}

/// Runs REGISTRATION_BACKDATED.
pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let data = ctx.data;
    let mut events: BTreeMap<&ApplicantId, Vec<Event>> = BTreeMap::new();
    for change in &data.registration_changes {
        let Some((old, new)) = moved_earlier(change) else {
            continue;
        };
        events.entry(&change.applicant_id).or_default().push(Event {
            day: change.changed_at.date(),
            text: format!(
                "on {} {} moved registration_date from {old} to {new} ({} days earlier; reason: {})",
                change.changed_at,
                change.changed_by.as_ref().map_or("an unrecorded employee", |e| e.as_str()),
                (old - new).num_days(),
                change.reason.as_deref().unwrap_or("none recorded"),
            ),
        });
    }
    let limit = ctx.config.thresholds.backdating_days;
    for applicant in &data.applicants {
        let Some(created) = applicant.registered_at else {
            continue;
        };
        if migrated(ctx, created.date()) {
            continue;
        }
        let gap = (created.date() - applicant.registration_date).num_days();
        if gap > limit {
            events.entry(&applicant.id).or_default().push(Event {
                day: created.date(),
                text: format!(
                    "the record was created on {created} with registration_date {}, {gap} days earlier (more than {limit})",
                    applicant.registration_date
                ),
            });
        }
    }
    // Allocations by tenant, looked up once per flagged applicant.
    let mut lets: BTreeMap<&ApplicantId, Vec<&crate::model::Allocation>> = BTreeMap::new();
    if !events.is_empty() {
        for a in &data.allocations {
            lets.entry(&a.applicant_id).or_default().push(a);
        }
    }
    for (id, mut evs) in events {
        if !evs.iter().any(|e| ctx.period.contains(e.day)) {
            continue;
        }
        evs.sort_by_key(|e| e.day);
        let earliest = evs[0].day;
        // The strongest link over all events, then the lowest employee_id.
        let best: Option<Link> = evs
            .iter()
            .flat_map(|e| ctx.applicant_links(id, e.day))
            .min_by(|a, b| (a.kind, &a.employee_id).cmp(&(b.kind, &b.employee_id)));
        let allocated: Vec<String> = lets
            .get(id)
            .into_iter()
            .flatten()
            .filter(|a| a.allocated_on >= earliest)
            .map(|a| format!("{} on {}", a.id, a.allocated_on))
            .collect();
        let severity = if best.is_some() || !allocated.is_empty() {
            Severity::High
        } else {
            Severity::Medium
        };
        let mut detail = format!(
            "Registration of applicant {id}: {}",
            evs.iter()
                .map(|e| e.text.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        );
        if !allocated.is_empty() {
            detail.push_str(&format!(
                "; allocated a home since: {}",
                allocated.join(", ")
            ));
        }
        if let Some(link) = &best {
            detail.push_str(&format!("; linked to staff: {}", link.evidence));
        }
        detail.push('.');
        out.push(
            Finding::new(
                CheckCode::RegistrationBackdated,
                severity,
                SubjectType::Applicant,
                id.as_str(),
                detail,
            )
            .about(Some(id))
            .naming(best.as_ref()),
        );
    }
}

/// Whether records created on `day` were migrated into the current system
/// (`[input] migrated_on`, spec 7, v1.2): their registered_at is the day of
/// the migration, not of the registration, so the gap rule does not apply.
/// Edits that move registration_date earlier still count.
fn migrated(ctx: &Context<'_>, day: Date) -> bool {
    ctx.config.input.migrated_on.binary_search(&day).is_ok()
}
