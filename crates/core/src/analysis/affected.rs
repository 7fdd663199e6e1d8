//! The seekers who lost a home (spec 4.2, v1.2, `affected.csv`): for every
//! route-advert allocation in the period on a known advert with a fixed
//! order, the seekers who should have been offered the home before the
//! tenant.
//!
//! - `bypass`: every candidate named by an ORDER_BYPASS finding on the
//!   allocation, at their expected rank in the advert's order.
//! - `backdated`: when the tenant has a REGISTRATION_BACKDATED finding whose
//!   earliest event is on or before the advert's closes_on, the advert is
//!   ranked again ([`Ranking::derive_replacing`], the same rules) with the
//!   tenant's registration_date replaced by the original date
//!   ([`registration::backdatings`]); every eligible candidate above the
//!   tenant in that order who was not properly passed over
//!   ([`Context::properly_passed_over`]) and is not a tenant of the advert
//!   is affected, at their rank in that order.
//! - `late_priority`: when PRIORITY_LATE fired, the advert ranked again
//!   without that priority: the seekers the check found put ahead
//!   ([`LatePriority::ahead`], computed once, by the check), by the same
//!   rule as `backdated`.
//!
//! One row per (allocation, seeker), with the first cause in that order.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;

use super::facts::{Coverage, Facts};
use crate::checks::order::outcome_phrase;
use crate::checks::priority::LatePriority;
use crate::checks::registration::{self, Backdating};
use crate::checks::{CheckCode, Finding, SubjectType};
use crate::context::Context;
use crate::model::{Advert, Allocation, ApplicantId};
use crate::rank::{Ranked, Ranking};

/// Why a seeker lost the home (spec 4.2), in the order causes are tried.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cause {
    /// Named by ORDER_BYPASS.
    Bypass,
    /// Above the tenant once the tenant's registration date is restored.
    Backdated,
    /// Above the tenant without a priority granted after the advert was
    /// published (PRIORITY_LATE).
    LatePriority,
}

impl Cause {
    /// Every cause, in the order of spec 4.2.
    pub const ALL: [Cause; 3] = [Cause::Bypass, Cause::Backdated, Cause::LatePriority];

    /// The spec's word, as in the `cause` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Bypass => "bypass",
            Cause::Backdated => "backdated",
            Cause::LatePriority => "late_priority",
        }
    }
}

/// One row of affected.csv.
#[derive(Clone, Debug)]
pub struct AffectedRow<'a> {
    /// The allocation the seeker should have had before its tenant.
    pub alloc: &'a Allocation,
    /// Its advert.
    pub advert: &'a Advert,
    /// The seeker.
    pub applicant_id: ApplicantId,
    /// The first cause.
    pub cause: Cause,
    /// The seeker's rank in the order the cause uses.
    pub rank: usize,
    /// The tenant's rank in that order; `None` when the tenant is not an
    /// eligible candidate in it.
    pub tenant_rank: Option<usize>,
    /// The year the let counts in (contract_start, else allocated_on), for
    /// the annual files.
    pub year: i32,
    /// One plain sentence with the evidence.
    pub detail: String,
}

/// The affected seekers of one run, sorted as affected.csv lists them: by
/// allocation_id, rank, applicant_id (byte order).
#[derive(Debug, Default)]
pub struct Affected<'a> {
    /// The rows.
    pub rows: Vec<AffectedRow<'a>>,
}

/// `affected` in stats.json (spec 5.1).
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct AffectedStats {
    /// Distinct seekers (applicant_ids) in affected.csv.
    pub seekers: u64,
    /// Allocations with at least one row.
    pub allocations: u64,
    /// Rows per cause.
    pub by_cause: ByCause,
}

/// `affected.by_cause`: rows per cause.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct ByCause {
    /// Rows with cause bypass.
    pub bypass: u64,
    /// Rows with cause backdated.
    pub backdated: u64,
    /// Rows with cause late_priority.
    pub late_priority: u64,
}

impl<'a> Affected<'a> {
    /// Finds the affected seekers of the lets in `facts`, given the run's
    /// findings and what PRIORITY_LATE found.
    pub fn find(
        ctx: &Context<'a>,
        facts: &Facts<'a>,
        findings: &[Finding],
        late_priorities: &[LatePriority<'a>],
    ) -> Affected<'a> {
        let data = ctx.data;
        // The candidates named by ORDER_BYPASS, per allocation.
        let mut bypassed: HashMap<&str, Vec<&ApplicantId>> = HashMap::new();
        let mut backdated_tenants: HashSet<&str> = HashSet::new();
        for f in findings {
            match (f.check, f.subject_type) {
                (CheckCode::OrderBypass, SubjectType::Allocation) => {
                    if let Some(id) = &f.applicant_id {
                        bypassed.entry(f.subject_id.as_str()).or_default().push(id);
                    }
                }
                (CheckCode::RegistrationBackdated, SubjectType::Applicant) => {
                    backdated_tenants.insert(f.subject_id.as_str());
                }
                _ => {}
            }
        }
        let late_by_alloc: HashMap<&str, &LatePriority<'a>> = late_priorities
            .iter()
            .map(|l| (l.alloc.id.as_str(), l))
            .collect();
        let backdatings = if backdated_tenants.is_empty() {
            BTreeMap::new()
        } else {
            registration::backdatings(ctx)
        };
        let mut rows = Vec::new();
        for l in &facts.lets {
            if l.coverage != Coverage::AdvertChecked {
                continue;
            }
            let alloc = l.alloc;
            let Some(advert) = alloc.advert_id.as_ref().and_then(|id| data.advert(id)) else {
                continue;
            };
            let Some(ranking) = ctx.ranking(&advert.id) else {
                continue;
            };
            let mut seen: HashSet<ApplicantId> = HashSet::new();
            let tenant_rank = ranking.find(&alloc.applicant_id).map(|r| r.rank);
            for &cand in bypassed.get(alloc.id.as_str()).into_iter().flatten() {
                let Some(c) = ranking.find(cand) else {
                    continue;
                };
                if !seen.insert(*cand) {
                    continue;
                }
                rows.push(AffectedRow {
                    alloc,
                    advert,
                    applicant_id: *cand,
                    cause: Cause::Bypass,
                    rank: c.rank,
                    tenant_rank,
                    year: l.year,
                    detail: format!(
                        "Ranked {} of {} eligible candidates, above the tenant ({}), and {}; named by ORDER_BYPASS.",
                        c.rank,
                        ranking.eligible().len(),
                        tenant_phrase(tenant_rank),
                        outcome_phrase(ctx, c.response),
                    ),
                });
            }
            if backdated_tenants.contains(alloc.applicant_id.as_str()) {
                if let Some(b) = backdatings.get(&alloc.applicant_id) {
                    backdated(ctx, l, advert, b, &mut seen, &mut rows);
                }
            }
            if let Some(late) = late_by_alloc.get(alloc.id.as_str()) {
                for c in &late.ahead {
                    if !seen.insert(c.applicant.id) {
                        continue;
                    }
                    rows.push(AffectedRow {
                        alloc,
                        advert,
                        applicant_id: c.applicant.id,
                        cause: Cause::LatePriority,
                        rank: c.rank,
                        tenant_rank: late.new_rank,
                        year: l.year,
                        detail: late_detail(ctx, late, c),
                    });
                }
            }
        }
        rows.sort_by(|x, y| {
            (x.alloc.id.as_str(), x.rank, x.applicant_id.as_str()).cmp(&(
                y.alloc.id.as_str(),
                y.rank,
                y.applicant_id.as_str(),
            ))
        });
        Affected { rows }
    }

    /// The counts of stats.json (spec 5.1).
    pub fn stats(&self) -> AffectedStats {
        let seekers: BTreeSet<&str> = self.rows.iter().map(|r| r.applicant_id.as_str()).collect();
        let allocations: BTreeSet<&str> = self.rows.iter().map(|r| r.alloc.id.as_str()).collect();
        let mut by_cause = ByCause::default();
        for r in &self.rows {
            *match r.cause {
                Cause::Bypass => &mut by_cause.bypass,
                Cause::Backdated => &mut by_cause.backdated,
                Cause::LatePriority => &mut by_cause.late_priority,
            } += 1;
        }
        AffectedStats {
            seekers: seekers.len() as u64,
            allocations: allocations.len() as u64,
            by_cause,
        }
    }

    /// Distinct affected seekers per year of the let, for the annual
    /// files.
    pub fn seekers_per_year(&self) -> BTreeMap<i32, u64> {
        let mut per: BTreeMap<i32, BTreeSet<&str>> = BTreeMap::new();
        for r in &self.rows {
            per.entry(r.year)
                .or_default()
                .insert(r.applicant_id.as_str());
        }
        per.into_iter().map(|(y, s)| (y, s.len() as u64)).collect()
    }
}

/// The `backdated` rows of one let (spec 4.2): the advert ranked again with
/// the tenant's original registration date.
fn backdated<'a>(
    ctx: &Context<'a>,
    l: &super::facts::LetFact<'a>,
    advert: &'a Advert,
    b: &Backdating,
    seen: &mut HashSet<ApplicantId>,
    rows: &mut Vec<AffectedRow<'a>>,
) {
    let alloc = l.alloc;
    if b.earliest > advert.closes_on {
        return;
    }
    let Some(tenant) = ctx.data.applicant(&alloc.applicant_id) else {
        return;
    };
    let mut restored = tenant.clone();
    restored.registration_date = b.original;
    let again = Ranking::derive_replacing(ctx.data, advert, Some(&restored));
    let new_rank = again.find(&alloc.applicant_id).map(|r| r.rank);
    let above: Vec<Ranked<'_>> = match new_rank {
        Some(r) => again.eligible().take(r - 1).collect(),
        None => again.eligible().collect(),
    };
    for c in above {
        // The seekers of `again` are the data set's, not the restored copy:
        // the tenant is never above themselves.
        let Some(seeker) = ctx.data.applicant(&c.applicant.id) else {
            continue;
        };
        let id = &seeker.id;
        if ctx.properly_passed_over(c.response)
            || ctx.is_tenant_of(&advert.id, id)
            || !seen.insert(*id)
        {
            continue;
        }
        rows.push(AffectedRow {
            alloc,
            advert,
            applicant_id: *id,
            cause: Cause::Backdated,
            rank: c.rank,
            tenant_rank: new_rank,
            year: l.year,
            detail: backdated_detail(ctx, b, tenant.registration_date, &c, &again, new_rank),
        });
    }
}

fn tenant_phrase(rank: Option<usize>) -> String {
    match rank {
        Some(r) => format!("ranked {r}"),
        None => "not an eligible candidate".to_string(),
    }
}

/// The sentence of a `late_priority` row.
fn late_detail(ctx: &Context<'_>, late: &LatePriority<'_>, c: &Ranked<'_>) -> String {
    format!(
        "Without priority {} of the tenant (granted {} after the advert was published {}), ranked {} of {} eligible candidates, above the tenant ({}), and {}.",
        late.priority.id,
        late.priority.granted_on.map_or(String::new(), |d| d.to_string()),
        late.again.advert.published_on,
        c.rank,
        late.again.eligible().len(),
        tenant_phrase(late.new_rank),
        outcome_phrase(ctx, c.response),
    )
}

fn backdated_detail(
    ctx: &Context<'_>,
    b: &Backdating,
    recorded: crate::model::Date,
    c: &Ranked<'_>,
    again: &Ranking<'_>,
    tenant_rank: Option<usize>,
) -> String {
    format!(
        "With the tenant's original registration date {} instead of the recorded {recorded} (earliest backdating event on {}), ranked {} of {} eligible candidates, above the tenant ({}), and {}.",
        b.original,
        b.earliest,
        c.rank,
        again.eligible().len(),
        tenant_phrase(tenant_rank),
        outcome_phrase(ctx, c.response),
    )
}
