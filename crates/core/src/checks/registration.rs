//! REGISTRATION_BACKDATED (spec 4): a registration date moved earlier in the
//! edit log, or a registration date far before the record was created. Both
//! give a seeker seniority they did not earn.

use std::collections::BTreeMap;

use crate::checks::{CheckCode, Finding, Severity, SubjectType};
use crate::context::Context;
use crate::link::Link;
use crate::model::{ApplicantId, Date, DateTime, RegistrationChange};
use crate::parse;

/// One piece of evidence of backdating.
pub struct Event {
    /// The day of the event: changed_at of an edit, registered_at of the
    /// gap.
    pub day: Date,
    /// What happened, for the detail.
    pub text: String,
    /// The edit or the gap.
    pub kind: EventKind,
}

/// The two kinds of backdating evidence (spec 4).
pub enum EventKind {
    /// A registration change that moved registration_date earlier.
    Edit {
        /// When the change was made.
        changed_at: DateTime,
        /// The date before the change.
        old: Date,
    },
    /// registration_date more than backdating_days before registered_at.
    Gap {
        /// When the record was created.
        created: DateTime,
    },
}

/// What the analysis needs of an applicant's backdating (spec 4.2): the
/// day of the earliest event (as REGISTRATION_BACKDATED names it) and the
/// original registration date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backdating {
    /// The day of the earliest event.
    pub earliest: Date,
    /// The old_value of the earliest edit (by changed_at, then input
    /// order) that moved registration_date earlier; with no such edit, the
    /// date of registered_at.
    pub original: Date,
}

impl Backdating {
    /// Works it out from an applicant's events (none: `None`).
    fn of(evs: &[Event]) -> Option<Backdating> {
        let earliest = evs.iter().map(|e| e.day).min()?;
        let mut edits: Vec<(DateTime, Date)> = evs
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::Edit { changed_at, old } => Some((changed_at, old)),
                EventKind::Gap { .. } => None,
            })
            .collect();
        // Stable: of edits at the same moment, the first in the log.
        edits.sort_by_key(|e| e.0);
        let original = match edits.first() {
            Some(&(_, old)) => old,
            None => evs.iter().find_map(|e| match e.kind {
                EventKind::Gap { created } => Some(created.date()),
                EventKind::Edit { .. } => None,
            })?,
        };
        Some(Backdating { earliest, original })
    }
}

/// The backdating of every applicant with evidence of it (any day, the
/// period not applied: a REGISTRATION_BACKDATED finding says whether it
/// is reported), as [`check`] reads it.
pub fn backdatings<'a>(ctx: &Context<'a>) -> BTreeMap<&'a ApplicantId, Backdating> {
    events(ctx)
        .into_iter()
        .filter_map(|(id, evs)| Some((id, Backdating::of(&evs)?)))
        .collect()
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

/// Every event of backdating per applicant, in input order: the edits
/// in log order, then the gap.
fn events<'a>(ctx: &Context<'a>) -> BTreeMap<&'a ApplicantId, Vec<Event>> {
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
            kind: EventKind::Edit {
                changed_at: change.changed_at,
                old,
            },
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
                kind: EventKind::Gap { created },
            });
        }
    }
    events
}

/// Runs REGISTRATION_BACKDATED.
pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let data = ctx.data;
    let events = events(ctx);
    // Allocations of the applicants with events, in input order, looked
    // up once per flagged applicant (a map of every tenant, ordered by
    // text, was a quarter of this check at national scale).
    let mut lets: crate::fast::FastMap<&ApplicantId, Vec<&crate::model::Allocation>> =
        crate::fast::FastMap::default();
    if !events.is_empty() {
        for a in &data.allocations {
            if events.contains_key(&a.applicant_id) {
                lets.entry(&a.applicant_id).or_default().push(a);
            }
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
