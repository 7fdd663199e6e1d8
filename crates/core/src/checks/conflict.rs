//! CONFLICT_OF_INTEREST (spec 4): an employee acted on the case of someone
//! linked to them. Three subjects: an allocation (handler, approver, or
//! whoever recorded a response's outcome), a sale (its handler), and an
//! applicant (whoever edited the registration, or granted a priority:
//! v1.2). One finding per (applicant, employee) lists every act.

use std::collections::BTreeMap;

use crate::checks::{CheckCode, Finding, Severity, SubjectType};
use crate::context::Context;
use crate::link::Link;
use crate::model::{ApplicantId, EmployeeId, Route};

/// The link of `person` to `actor`, if any.
fn link_to<'l>(links: &'l [Link], actor: &EmployeeId) -> Option<&'l Link> {
    links.iter().find(|l| &l.employee_id == actor)
}

/// Runs CONFLICT_OF_INTEREST for allocations, sales and applicants.
pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    allocations(ctx, out);
    sales(ctx, out);
    applicants(ctx, out);
}

fn allocations(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let data = ctx.data;
    for alloc in &data.allocations {
        if !ctx.period.contains(alloc.allocated_on) {
            continue;
        }
        let day = alloc.allocated_on;
        // One finding per (person, employee), listing every act.
        let mut acts: BTreeMap<(ApplicantId, EmployeeId), (Link, Vec<String>)> = BTreeMap::new();
        // The act is put in words only for a linked actor: nearly every
        // act is by someone the person is not linked to.
        let mut note =
            |person: &ApplicantId, actor: &EmployeeId, links: &[Link], act: &dyn Fn() -> String| {
                if let Some(link) = link_to(links, actor) {
                    acts.entry((*person, *actor))
                        .or_insert_with(|| (link.clone(), Vec::new()))
                        .1
                        .push(act());
                }
            };
        let tenant_links = ctx.applicant_links(&alloc.applicant_id, day);
        if let Some(h) = &alloc.handled_by {
            note(&alloc.applicant_id, h, &tenant_links, &|| {
                format!("handled allocation {}", alloc.id)
            });
        }
        if let Some(a) = &alloc.approved_by {
            note(&alloc.applicant_id, a, &tenant_links, &|| {
                format!("approved allocation {}", alloc.id)
            });
        }
        let advert = alloc
            .advert_id
            .as_ref()
            .filter(|_| alloc.route == Route::Advert)
            .and_then(|id| data.advert(id));
        if let Some(advert) = advert {
            // Every advert of the data set has its ranking.
            let ranking = ctx.ranking(&advert.id);
            let tenant = ranking.and_then(|r| r.find(&alloc.applicant_id));
            // The tenant's response (one per advert and applicant): the
            // ranking's when they were eligible, else found among the
            // advert's responses.
            let response = match tenant {
                Some(t) => Some(t.response),
                None => data.response(&advert.id, &alloc.applicant_id),
            };
            if let Some(r) = response {
                if let Some(d) = &r.decided_by {
                    note(&alloc.applicant_id, d, &tenant_links, &|| {
                        format!(
                            "recorded the tenant's response to advert {} as {}",
                            advert.id, r.outcome
                        )
                    });
                }
            }
            let tenant_rank = tenant.map(|r| r.rank);
            for cand in ranking.iter().flat_map(|r| r.eligible()) {
                // The response's applicant id is the candidate's: it lies
                // beside the others, the seeker's record anywhere.
                if tenant_rank.is_some_and(|t| cand.rank >= t)
                    || cand.response.applicant_id == alloc.applicant_id
                {
                    continue;
                }
                let Some(d) = &cand.response.decided_by else {
                    continue;
                };
                // The candidate's record is the one on the waiting list
                // (these rankings change no input), so the context's
                // look-up, which passes over everyone outside the staff's
                // circle at once, gives its links.
                let links = ctx.applicant_links(&cand.applicant.id, day);
                note(&cand.applicant.id, d, &links, &|| {
                    format!(
                            "recorded the outcome {} of candidate {} (ranked {} above the tenant) on advert {}",
                            cand.response.outcome, cand.applicant.id, cand.rank, advert.id
                        )
                });
            }
        }
        for ((person, actor), (link, what)) in acts {
            out.push(
                Finding::new(
                    CheckCode::ConflictOfInterest,
                    Severity::High,
                    SubjectType::Allocation,
                    alloc.id.as_str(),
                    format!(
                        "Employee {actor} {} on {day}, while applicant {person} is linked to them: {}.",
                        what.join(" and "),
                        link.evidence
                    ),
                )
                .about(Some(&person))
                .naming_employee(&actor, Some(link.kind)),
            );
        }
    }
}

fn sales(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for sale in &ctx.data.sales {
        if !ctx.period.contains(sale.sold_on) {
            continue;
        }
        let Some(handler) = &sale.handled_by else {
            continue;
        };
        let links = ctx.buyer_links(sale);
        if let Some(link) = link_to(&links, handler) {
            out.push(
                Finding::new(
                    CheckCode::ConflictOfInterest,
                    Severity::High,
                    SubjectType::Sale,
                    sale.id.as_str(),
                    format!(
                        "Employee {handler} handled sale {} of dwelling {} on {} to buyer {}, who is linked to them: {}.",
                        sale.id, sale.dwelling_id, sale.sold_on, sale.buyer_last_name, link.evidence
                    ),
                )
                .about(sale.buyer_applicant_id.as_ref())
                .naming_employee(handler, Some(link.kind)),
            );
        }
    }
}

/// A logged value as the detail shows it: dates of date fields in ISO
/// form, so the sentence does not depend on the export's date format.
fn shown(field: &str, value: Option<&str>) -> String {
    let value = value.unwrap_or("");
    let is_date_field =
        field.ends_with("date") || field.ends_with("_from") || field.ends_with("_to");
    match crate::parse::date(value).filter(|_| is_date_field) {
        Some(d) => d.to_string(),
        None => value.to_string(),
    }
}

/// What one employee did on the registration of one linked applicant.
struct RegistrationActs {
    /// The applicant's link to the employee, on the day of the first act.
    link: Link,
    /// Registration changes, each as a phrase.
    edits: Vec<String>,
    /// Priorities granted (v1.2), each as a phrase.
    grants: Vec<String>,
}

impl RegistrationActs {
    /// The acts of `actor` for `person` in `acts`, new ones with `link`.
    fn of<'m>(
        acts: &'m mut BTreeMap<(ApplicantId, EmployeeId), RegistrationActs>,
        person: &ApplicantId,
        actor: &EmployeeId,
        link: &Link,
    ) -> &'m mut RegistrationActs {
        acts.entry((*person, *actor))
            .or_insert_with(|| RegistrationActs {
                link: link.clone(),
                edits: Vec::new(),
                grants: Vec::new(),
            })
    }
}

fn applicants(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let mut acts: BTreeMap<(ApplicantId, EmployeeId), RegistrationActs> = BTreeMap::new();
    for change in &ctx.data.registration_changes {
        let day = change.changed_at.date();
        if !ctx.period.contains(day) {
            continue;
        }
        let Some(actor) = &change.changed_by else {
            continue;
        };
        let links = ctx.applicant_links(&change.applicant_id, day);
        if let Some(link) = link_to(&links, actor) {
            RegistrationActs::of(&mut acts, &change.applicant_id, actor, link)
                .edits
                .push(format!(
                    "changed {} from '{}' to '{}' on {}",
                    change.field,
                    shown(&change.field, change.old_value.as_deref()),
                    shown(&change.field, change.new_value.as_deref()),
                    change.changed_at
                ));
        }
    }
    // Priorities granted by a linked employee (v1.2), judged at granted_on,
    // else valid_from; a priority with neither has no day to judge on.
    for p in &ctx.data.priorities {
        let Some(day) = p.granted_on.or(p.valid_from) else {
            continue;
        };
        if !ctx.period.contains(day) {
            continue;
        }
        let Some(actor) = &p.granted_by else {
            continue;
        };
        let links = ctx.applicant_links(&p.applicant_id, day);
        if let Some(link) = link_to(&links, actor) {
            RegistrationActs::of(&mut acts, &p.applicant_id, actor, link)
                .grants
                .push(format!("granted priority {} on {day}", p.describe()));
        }
    }
    for ((person, actor), a) in acts {
        let verb = if a.grants.is_empty() {
            "edited"
        } else {
            "acted on"
        };
        let what: Vec<String> = a.edits.into_iter().chain(a.grants).collect();
        out.push(
            Finding::new(
                CheckCode::ConflictOfInterest,
                Severity::High,
                SubjectType::Applicant,
                person.as_str(),
                format!(
                    "Employee {actor} {verb} the registration of applicant {person}, who is linked to them ({}): {}.",
                    what.join("; "),
                    a.link.evidence
                ),
            )
            .about(Some(&person))
            .naming_employee(&actor, Some(a.link.kind)),
        );
    }
}
