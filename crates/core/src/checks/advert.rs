//! The advert checks of spec 4 (v1.2): was an advertised home let by its
//! advert's terms? ALLOCATED_BEFORE_CLOSE (let before the advert closed),
//! ADVERT_OVERLET (more advert lets than homes), ADVERT_DWELLING_MISMATCH
//! (the let names another home than the advert) and
//! ADVERT_WITHDRAWN_THEN_LET (an advert withdrawn, then the home let outside
//! the aanbodsysteem).

use crate::checks::{severity_if, with_clause, CheckCode, Finding, Severity, SubjectType};
use crate::context::Context;
use crate::link::Link;
use crate::model::{same_dwelling, Advert, Allocation, Route};

/// Runs the advert checks.
pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let data = ctx.data;
    for alloc in &data.allocations {
        if !ctx.period.contains(alloc.allocated_on) {
            continue;
        }
        if alloc.route == Route::Advert {
            if let Some(advert) = alloc.advert_id.as_ref().and_then(|id| data.advert(id)) {
                before_close(ctx, alloc, advert, out);
                dwelling_mismatch(ctx, alloc, advert, out);
            }
        } else {
            withdrawn_then_let(ctx, alloc, out);
        }
    }
    overlet(ctx, out);
}

/// A finding about an allocation, naming the tenant and their link (with
/// its evidence in the detail).
fn about_tenant(
    check: CheckCode,
    alloc: &Allocation,
    link: Option<Link>,
    detail: String,
) -> Finding {
    let detail = match &link {
        Some(l) => with_clause(&detail, &format!("staff link: {}", l.evidence)),
        None => detail,
    };
    Finding::new(
        check,
        severity_if(link.is_some(), Severity::High, Severity::Medium),
        SubjectType::Allocation,
        alloc.id.as_str(),
        detail,
    )
    .about(Some(&alloc.applicant_id))
    .naming(link.as_ref())
}

fn before_close(ctx: &Context<'_>, alloc: &Allocation, advert: &Advert, out: &mut Vec<Finding>) {
    if alloc.allocated_on >= advert.closes_on {
        return;
    }
    let days = (advert.closes_on - alloc.allocated_on).num_days();
    out.push(about_tenant(
        CheckCode::AllocatedBeforeClose,
        alloc,
        ctx.link(&alloc.applicant_id, alloc.allocated_on),
        format!(
            "Allocation {} of dwelling {} to applicant {} on {} through advert {} (published {}, closing {}): allocated {days} day(s) before the advert closed.",
            alloc.id,
            alloc.dwelling_id,
            alloc.applicant_id,
            alloc.allocated_on,
            advert.id,
            advert.published_on,
            advert.closes_on
        ),
    ));
}

fn dwelling_mismatch(
    ctx: &Context<'_>,
    alloc: &Allocation,
    advert: &Advert,
    out: &mut Vec<Finding>,
) {
    // An advert for several identical homes names one of them; its lets
    // may name the others.
    if advert.units != 1 || same_dwelling(&alloc.dwelling_id, &advert.dwelling_id) {
        return;
    }
    out.push(about_tenant(
        CheckCode::AdvertDwellingMismatch,
        alloc,
        ctx.link(&alloc.applicant_id, alloc.allocated_on),
        format!(
            "Allocation {} to applicant {} on {} lets dwelling {} through advert {}, which advertised dwelling {} (1 home).",
            alloc.id,
            alloc.applicant_id,
            alloc.allocated_on,
            alloc.dwelling_id,
            advert.id,
            advert.dwelling_id
        ),
    ));
}

fn withdrawn_then_let(ctx: &Context<'_>, alloc: &Allocation, out: &mut Vec<Finding>) {
    let max_days = ctx.config.thresholds.withdrawn_let_days;
    // The latest withdrawal within the window (ties: the lowest advert id).
    let latest = ctx
        .data
        .adverts_of_dwelling(&alloc.dwelling_id)
        .filter_map(|a| a.withdrawn_day().map(|d| (d, a)))
        .filter(|(d, _)| {
            *d <= alloc.allocated_on && (alloc.allocated_on - *d).num_days() <= max_days
        })
        .max_by(|(d1, a1), (d2, a2)| d1.cmp(d2).then_with(|| a2.id.cmp(&a1.id)));
    let Some((withdrawn, advert)) = latest else {
        return;
    };
    out.push(about_tenant(
        CheckCode::AdvertWithdrawnThenLet,
        alloc,
        ctx.link(&alloc.applicant_id, alloc.allocated_on),
        format!(
            "Allocation {} of dwelling {} to applicant {} on {} by route {} (handled by {}, approved by {}), {} day(s) after advert {} of the dwelling (published {}) was withdrawn on {withdrawn}.",
            alloc.id,
            alloc.dwelling_id,
            alloc.applicant_id,
            alloc.allocated_on,
            alloc.route,
            alloc.handled_by.as_ref().map_or("nobody recorded", |e| e.as_str()),
            alloc.approved_by.as_ref().map_or("nobody recorded", |e| e.as_str()),
            (alloc.allocated_on - withdrawn).num_days(),
            advert.id,
            advert.published_on,
        ),
    ));
}

fn overlet(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for (id, lets) in ctx.advert_lets() {
        let Some(advert) = ctx.data.advert(id) else {
            continue;
        };
        if !ctx.period.contains(advert.closes_on) || lets.len() <= advert.units as usize {
            continue;
        }
        // Listed by date, then id: the detail must not depend on row order.
        let mut allocs = lets.to_vec();
        allocs
            .sort_by(|a, b| (a.allocated_on, a.id.as_str()).cmp(&(b.allocated_on, b.id.as_str())));
        // The employee named: the strongest link of its tenants, each on
        // their own allocation day, then the lowest employee_id.
        let named = allocs
            .iter()
            .filter_map(|a| ctx.link(&a.applicant_id, a.allocated_on))
            .min_by(|x, y| {
                x.kind
                    .cmp(&y.kind)
                    .then_with(|| x.employee_id.as_str().cmp(y.employee_id.as_str()))
            });
        let listed: Vec<String> = allocs
            .iter()
            .map(|a| format!("{} to {} on {}", a.id, a.applicant_id, a.allocated_on))
            .collect();
        let detail = format!(
            "Advert {} (dwelling {}, {} home(s), closed {}) has {} advert lets: {}.",
            advert.id,
            advert.dwelling_id,
            advert.units,
            advert.closes_on,
            allocs.len(),
            listed.join(", ")
        );
        let detail = match &named {
            Some(l) => with_clause(&detail, &format!("staff link: {}", l.evidence)),
            None => detail,
        };
        out.push(
            Finding::new(
                CheckCode::AdvertOverlet,
                severity_if(named.is_some(), Severity::High, Severity::Medium),
                SubjectType::Advert,
                advert.id.as_str(),
                detail,
            )
            .naming(named.as_ref()),
        );
    }
}
