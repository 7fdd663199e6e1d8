//! The statistics of spec 5, in the layout of stats.json (spec 5.1).
//!
//! Every figure is computed over the allocations (by allocated_on) and sales
//! (by sold_on) in the period and carries the counts it came from. A figure
//! that cannot be computed is `null` with a `note` saying why, never NaN.
//! Keys come out in the order of the serde structs below, which is the
//! order of spec 5.1; keys of our own stand after the spec's.

use std::collections::BTreeMap;

use serde::Serialize;

use super::actors::ActorEntry;
use super::facts::{Coverage, Facts, LetFact};
use crate::checks::actor::SkipFamily;
use crate::checks::handler::HandlerFamily;
use crate::config::Limits;
use crate::context::Context;
use crate::model::{age_on, AdvertId, Allocation, Applicant, Cents, Model, Route};
use crate::stats::{
    fisher_exact_two_sided, mann_whitney_u, median, odds_ratio, poisson_binomial_upper_tail, wilson,
};

/// Norm of passend toewijzen (spec 5).
const PASSEND_NORM: f64 = 0.95;
/// Norm of the DAEB income test (spec 5).
const DAEB_NORM: f64 = 0.925;

/// The whole of stats.json.
#[derive(Debug, Serialize)]
pub struct Stats {
    /// Allocations with a bypassed candidate, linked vs other tenants.
    pub bypass_disparity: BypassDisparity,
    /// Days on the waiting list, linked vs other tenants.
    pub waiting_advantage: TwoSamples,
    /// Linked tenants of lottery adverts against chance.
    pub lottery_fairness: LotteryFairness,
    /// Discount on the appraisal, linked vs other buyers.
    pub sale_discount: TwoSamples,
    /// The HANDLER_BYPASS_RATE family.
    pub handlers: Vec<HandlerEntry>,
    /// How much of the period could be checked (v1.2).
    pub coverage: CoverageStats,
    /// What each employee acting in the period recorded (v1.2).
    pub actors: Vec<ActorEntry>,
    /// The ACTOR_SKIP_RATE family (v1.2).
    pub skip_rates: Vec<SkipRateEntry>,
    /// The seekers who lost a home (spec 4.2, v1.2): filled in by the
    /// audit from its [`super::Affected`] rows.
    pub affected: super::AffectedStats,
    /// Compliance figures per year.
    pub compliance: Vec<ComplianceYear>,
}

/// One row of the bypass 2x2 table.
#[derive(Debug, Serialize)]
pub struct BypassGroup {
    /// Route-advert allocations in the period.
    pub allocations: u64,
    /// Of those, with at least one ORDER_BYPASS.
    pub with_bypass: u64,
    /// with_bypass / allocations.
    pub share: Option<f64>,
    /// Wilson 95% lower bound.
    pub wilson_low: Option<f64>,
    /// Wilson 95% upper bound.
    pub wilson_high: Option<f64>,
}

/// `bypass_disparity`.
#[derive(Debug, Serialize)]
pub struct BypassDisparity {
    /// Tenants linked to staff on allocated_on.
    pub linked: BypassGroup,
    /// The other tenants.
    pub other: BypassGroup,
    /// (a d) / (b c) with a, b the linked row and c, d the other row.
    pub odds_ratio: Option<f64>,
    /// Fisher exact two-sided p (as SciPy).
    pub fisher_p: Option<f64>,
    /// Why a figure is null, if one is.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// One sample of a two-sample comparison. The value key is `median_days`
/// for the waiting advantage and `median` for the sale discount (spec 5.1).
#[derive(Debug, Serialize)]
pub struct Sample {
    /// Sample size.
    pub n: u64,
    /// Median of the waiting days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median_days: Option<Option<f64>>,
    /// Median of the discounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median: Option<Option<f64>>,
}

/// `waiting_advantage` and `sale_discount`: Mann-Whitney U of the linked
/// sample against the other.
#[derive(Debug, Serialize)]
pub struct TwoSamples {
    /// The linked sample.
    pub linked: Sample,
    /// The other sample.
    pub other: Sample,
    /// U of the linked sample.
    pub u: Option<f64>,
    /// Two-sided p, normal approximation with tie and continuity correction.
    pub p: Option<f64>,
    /// Why a figure is null, if one is.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// `lottery_fairness`.
#[derive(Debug, Serialize)]
pub struct LotteryFairness {
    /// Lottery adverts with an advert allocation in the period and at least
    /// one eligible candidate.
    pub adverts: u64,
    /// Of those, adverts let to a linked tenant.
    pub observed: u64,
    /// Sum over the adverts of linked eligible / eligible candidates.
    pub expected: f64,
    /// Exact Poisson-binomial P(X >= observed).
    pub p_upper: Option<f64>,
    /// Why a figure is null, if one is.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// One employee of `handlers`.
#[derive(Debug, Serialize)]
pub struct HandlerEntry {
    /// The employee.
    pub employee_id: String,
    /// Route-advert allocations they handled in the period.
    pub allocations: u64,
    /// Of those, with at least one ORDER_BYPASS.
    pub with_bypass: u64,
    /// with_bypass / allocations.
    pub share: f64,
    /// One-sided exact binomial p against the overall share.
    pub p: Option<f64>,
    /// Benjamini-Hochberg q over the family.
    pub q: Option<f64>,
    /// The share tested against (ours, beside the spec's keys): all
    /// route-advert allocations in the period with a bypass, i.e.
    /// (linked + other with_bypass) / (linked + other allocations) of
    /// bypass_disparity.
    pub overall_share: Option<f64>,
}

/// One employee of `skip_rates` (v1.2).
#[derive(Debug, Serialize)]
pub struct SkipRateEntry {
    /// The employee (decided_by).
    pub employee_id: String,
    /// Declined, skipped or withdrawn outcomes they recorded for eligible
    /// candidates of non-discretionary adverts closing in the period.
    pub decisions: u64,
    /// Of those, `skipped`.
    pub skipped: u64,
    /// skipped / decisions.
    pub share: f64,
    /// One-sided exact binomial p against the overall share.
    pub p: Option<f64>,
    /// Benjamini-Hochberg q over the family.
    pub q: Option<f64>,
    /// The share tested against (ours, beside the spec's keys): `skipped`
    /// over every such outcome that carries a decided_by, every employee's.
    pub overall_share: Option<f64>,
}

/// `coverage` (spec 5, v1.2): how much of the period could be checked.
#[derive(Debug, Default, Serialize)]
pub struct CoverageStats {
    /// Allocations in the period.
    pub allocations: u64,
    /// Route-advert allocations whose advert is known and
    /// non-discretionary: checked against the advert's order.
    pub advert_checked: u64,
    /// Route-advert allocations on a discretionary advert.
    pub advert_discretionary: u64,
    /// Route-advert allocations without a known advert.
    pub advert_no_advert: u64,
    /// Allocations by another route than advert.
    pub non_advert: u64,
    /// Allocations whose tenant is on the waiting list with both
    /// birth_date and postcode (linkable by self and address).
    pub tenants_linkable: u64,
}

impl CoverageStats {
    /// Adds one let.
    pub fn add(&mut self, kind: Coverage, linkable: bool) {
        self.allocations += 1;
        *match kind {
            Coverage::AdvertChecked => &mut self.advert_checked,
            Coverage::AdvertDiscretionary => &mut self.advert_discretionary,
            Coverage::AdvertNoAdvert => &mut self.advert_no_advert,
            Coverage::NonAdvert => &mut self.non_advert,
        } += 1;
        self.tenants_linkable += u64::from(linkable);
    }

    /// The count of one kind.
    pub fn get(&self, kind: Coverage) -> u64 {
        match kind {
            Coverage::AdvertChecked => self.advert_checked,
            Coverage::AdvertDiscretionary => self.advert_discretionary,
            Coverage::AdvertNoAdvert => self.advert_no_advert,
            Coverage::NonAdvert => self.non_advert,
        }
    }

    /// The coverage of some lets.
    pub fn of<'l, 'a: 'l>(lets: impl IntoIterator<Item = &'l LetFact<'a>>) -> CoverageStats {
        let mut c = CoverageStats::default();
        for l in lets {
            c.add(l.coverage, l.linkable);
        }
        c
    }
}

/// The field of a per-route struct (its fields are named as the routes,
/// which is the layout of spec 5.1).
macro_rules! route_field {
    ($s:expr, $route:expr, $($borrow:tt)*) => {
        match $route {
            Route::Advert => $($borrow)* $s.advert,
            Route::Urgency => $($borrow)* $s.urgency,
            Route::Direct => $($borrow)* $s.direct,
            Route::Temporary => $($borrow)* $s.temporary,
            Route::Swap => $($borrow)* $s.swap,
            Route::Other => $($borrow)* $s.other,
        }
    };
}

/// Lets per route.
#[derive(Debug, Default, Serialize)]
pub struct Routes {
    /// Aanbodsysteem.
    pub advert: u64,
    /// Urgency.
    pub urgency: u64,
    /// Directe bemiddeling.
    pub direct: u64,
    /// Tijdelijke verhuur.
    pub temporary: u64,
    /// Woningruil.
    pub swap: u64,
    /// Other.
    pub other: u64,
}

impl Routes {
    /// The count of a route.
    pub fn get(&self, route: Route) -> u64 {
        route_field!(self, route,)
    }

    /// The count of a route, to add to.
    pub fn get_mut(&mut self, route: Route) -> &mut u64 {
        route_field!(self, route, &mut)
    }
}

/// Shares of lets per route (ours, beside the spec's counts).
#[derive(Debug, Default, Serialize)]
pub struct RouteShares {
    /// Aanbodsysteem.
    pub advert: f64,
    /// Urgency.
    pub urgency: f64,
    /// Directe bemiddeling.
    pub direct: f64,
    /// Tijdelijke verhuur.
    pub temporary: f64,
    /// Woningruil.
    pub swap: f64,
    /// Other.
    pub other: f64,
}

impl RouteShares {
    /// The share of a route, to set.
    pub fn get_mut(&mut self, route: Route) -> &mut f64 {
        route_field!(self, route, &mut)
    }
}

/// A compliance share: `numerator / denominator`, unknowns left out.
#[derive(Debug, Serialize)]
pub struct Share {
    /// Lets meeting the norm's condition.
    pub numerator: u64,
    /// Lets the norm applies to.
    pub denominator: u64,
    /// Lets that cannot be judged for want of data.
    pub unknown: u64,
    /// numerator / denominator.
    pub share: Option<f64>,
    /// The legal norm.
    pub norm: f64,
    /// Why the share is null, if it is.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// One year of `compliance`.
#[derive(Debug, Serialize)]
pub struct ComplianceYear {
    /// Year of contract_start, else of allocated_on.
    pub year: i32,
    /// The year whose limits were used.
    pub limits_year: Option<i32>,
    /// Lets per route.
    pub routes: Routes,
    /// Passend toewijzen.
    pub passend: Share,
    /// DAEB income test.
    pub daeb: Share,
    /// All lets of the year (ours).
    pub lets: u64,
    /// routes / lets (ours).
    pub route_shares: RouteShares,
    /// Lets whose tenant was at least aow_age on contract_start (else
    /// allocated_on), judged for passend against the AOW income limits
    /// (ours, v1.2).
    pub aow_lets: u64,
    /// Which limits were used when the year has none of its own.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// Joins the notes that apply.
fn notes(parts: &[Option<String>]) -> String {
    parts
        .iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join("; ")
}

/// A finite float or nothing: the guard that keeps NaN out of stats.json.
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Computes every statistic from the facts of the period and the tested
/// families of HANDLER_BYPASS_RATE and ACTOR_SKIP_RATE.
pub fn compute(
    ctx: &Context<'_>,
    facts: &Facts<'_>,
    handlers: &HandlerFamily,
    skip_rates: &SkipFamily,
) -> Stats {
    let advert_lets: Vec<&LetFact<'_>> = facts.advert_lets().collect();
    Stats {
        bypass_disparity: bypass_disparity(&advert_lets),
        waiting_advantage: waiting_advantage(&advert_lets),
        lottery_fairness: lottery_fairness(ctx, &advert_lets),
        sale_discount: sale_discount(facts),
        handlers: handler_entries(handlers),
        coverage: CoverageStats::of(&facts.lets),
        // Filled in by the audit, which works them out beside the statistics.
        actors: Vec::new(),
        skip_rates: skip_rate_entries(skip_rates),
        affected: super::AffectedStats::default(),
        compliance: compliance(ctx, facts),
    }
}

fn group(n: u64, k: u64) -> BypassGroup {
    let interval = wilson(k, n);
    BypassGroup {
        allocations: n,
        with_bypass: k,
        share: (n > 0).then(|| k as f64 / n as f64),
        wilson_low: interval.map(|i| i.0),
        wilson_high: interval.map(|i| i.1),
    }
}

fn bypass_disparity(lets: &[&LetFact<'_>]) -> BypassDisparity {
    // [[a, b], [c, d]]: rows linked / other, columns with / without bypass.
    let (mut a, mut b, mut c, mut d) = (0u64, 0u64, 0u64, 0u64);
    for l in lets {
        match (l.linked(), l.bypass) {
            (true, true) => a += 1,
            (true, false) => b += 1,
            (false, true) => c += 1,
            (false, false) => d += 1,
        }
    }
    let ratio = odds_ratio(a, b, c, d);
    let ratio_note = match ratio {
        Some(_) => None,
        None if a > 0 && d > 0 => Some(format!(
            "odds_ratio is infinite (b x c = {b} x {c} = 0 with a x d = {a} x {d} > 0)"
        )),
        None => Some(format!(
            "odds_ratio is undefined (a x d = {a} x {d} and b x c = {b} x {c} are both 0)"
        )),
    };
    let empty = |n: u64, who: &str| {
        (n == 0).then(|| format!("no route-advert allocation in the period to a {who} tenant"))
    };
    let fisher_p = finite(fisher_exact_two_sided(a, b, c, d));
    BypassDisparity {
        linked: group(a + b, a),
        other: group(c + d, c),
        odds_ratio: ratio.and_then(finite),
        fisher_p,
        note: notes(&[
            empty(a + b, "linked"),
            empty(c + d, "not linked"),
            ratio_note,
            fisher_p
                .is_none()
                .then(|| "fisher_p could not be computed".to_string()),
        ]),
    }
}

/// The Mann-Whitney comparison of two samples; `days` picks the median key.
fn two_samples(linked: &[f64], other: &[f64], days: bool, what: &str) -> TwoSamples {
    let sample = |values: &[f64]| {
        let m = Some(median(values));
        Sample {
            n: values.len() as u64,
            median_days: if days { m } else { None },
            median: if days { None } else { m },
        }
    };
    let test = mann_whitney_u(linked, other);
    let mut parts = Vec::new();
    if linked.is_empty() {
        parts.push(Some(format!("no linked {what}: no median")));
    }
    if other.is_empty() {
        parts.push(Some(format!("no other {what}: no median")));
    }
    if let Err(e) = &test {
        parts.push(Some(format!("u and p not computed: {e}")));
    }
    TwoSamples {
        linked: sample(linked),
        other: sample(other),
        u: test.as_ref().ok().and_then(|t| finite(t.u)),
        p: test.as_ref().ok().and_then(|t| finite(t.p)),
        note: notes(&parts),
    }
}

fn waiting_advantage(lets: &[&LetFact<'_>]) -> TwoSamples {
    let (mut linked, mut other) = (Vec::new(), Vec::new());
    let mut off_list = 0u64;
    for l in lets {
        // Tenants not on the waiting list have no registration date.
        let Some(days) = l.days_waited else {
            off_list += 1;
            continue;
        };
        let days = days as f64;
        if l.linked() {
            linked.push(days);
        } else {
            other.push(days);
        }
    }
    let mut result = two_samples(&linked, &other, true, "tenants");
    if off_list > 0 {
        let left_out =
            format!("{off_list} allocation(s) to tenants not on the waiting list left out");
        result.note = notes(&[
            (!result.note.is_empty()).then(|| result.note.clone()),
            Some(left_out),
        ]);
    }
    result
}

fn lottery_fairness(ctx: &Context<'_>, lets: &[&LetFact<'_>]) -> LotteryFairness {
    // One trial per advert: the first of its allocations in the period by
    // allocated_on, then allocation_id, should an advert be let twice.
    let mut first: BTreeMap<&AdvertId, &LetFact<'_>> = BTreeMap::new();
    for l in lets {
        let Some(id) = &l.alloc.advert_id else {
            continue;
        };
        let entry = first.entry(id).or_insert(l);
        let (a, e) = (l.alloc, entry.alloc);
        if (a.allocated_on, a.id.as_str()) < (e.allocated_on, e.id.as_str()) {
            *entry = l;
        }
    }
    let mut probabilities = Vec::new();
    let mut observed = 0u64;
    for (id, l) in first {
        let alloc = l.alloc;
        let Some(advert) = ctx.data.advert(id) else {
            continue;
        };
        if advert.base() != Model::Lottery {
            continue;
        }
        let Some(ranking) = ctx.ranking(&advert.id) else {
            continue;
        };
        let eligible = ranking.eligible().len();
        if eligible == 0 {
            continue;
        }
        // Candidates of an allocation are linked as of allocated_on (spec 2).
        let linked_eligible = ranking
            .eligible()
            // By the response's applicant id, the candidate's: the
            // seeker's record is not read for the millions who are unlinked.
            .filter(|r| {
                ctx.link(&r.response.applicant_id, alloc.allocated_on)
                    .is_some()
            })
            .count();
        probabilities.push(linked_eligible as f64 / eligible as f64);
        observed += u64::from(l.linked());
    }
    let adverts = probabilities.len() as u64;
    let expected: f64 = probabilities.iter().sum();
    let p_upper = if adverts == 0 {
        None
    } else {
        poisson_binomial_upper_tail(&probabilities, observed).and_then(finite)
    };
    let note = if adverts == 0 {
        "no lottery advert with a route-advert allocation in the period and an eligible candidate"
            .to_string()
    } else if p_upper.is_none() {
        "p_upper could not be computed".to_string()
    } else {
        String::new()
    };
    LotteryFairness {
        adverts,
        observed,
        expected,
        p_upper,
        note,
    }
}

fn sale_discount(facts: &Facts<'_>) -> TwoSamples {
    let (mut linked, mut other) = (Vec::new(), Vec::new());
    for s in &facts.sales {
        let Some(discount) = s.discount else {
            continue;
        };
        if s.linked {
            linked.push(discount);
        } else {
            other.push(discount);
        }
    }
    two_samples(&linked, &other, false, "buyers")
}

fn handler_entries(family: &HandlerFamily) -> Vec<HandlerEntry> {
    family
        .tests
        .iter()
        .map(|t| HandlerEntry {
            employee_id: t.actor.to_string(),
            allocations: t.acts,
            with_bypass: t.hits,
            share: t.share,
            p: t.p.and_then(finite),
            q: t.q.and_then(finite),
            overall_share: family.overall_share,
        })
        .collect()
}

fn skip_rate_entries(family: &SkipFamily) -> Vec<SkipRateEntry> {
    family
        .tests
        .iter()
        .map(|t| SkipRateEntry {
            employee_id: t.actor.to_string(),
            decisions: t.acts,
            skipped: t.hits,
            share: t.share,
            p: t.p.and_then(finite),
            q: t.q.and_then(finite),
            overall_share: family.overall_share,
        })
        .collect()
}

/// The limits a year uses: its own, else the latest earlier year's, else
/// (before the first) the earliest year's. `limits` is sorted by year.
fn limits_for(limits: &[Limits], year: i32) -> Option<&Limits> {
    limits
        .iter()
        .rev()
        .find(|l| l.year <= year)
        .or_else(|| limits.first())
}

/// Tallies of one norm for one year.
#[derive(Default)]
struct Tally {
    numerator: u64,
    denominator: u64,
    unknown: u64,
}

impl Tally {
    fn share(&self, norm: f64, no_limits: bool, what: &str) -> Share {
        let note = if no_limits {
            "no [[limits]] configured: the share cannot be computed".to_string()
        } else if self.denominator == 0 {
            format!("no let in the year {what}")
        } else {
            String::new()
        };
        Share {
            numerator: self.numerator,
            denominator: self.denominator,
            unknown: self.unknown,
            share: (self.denominator > 0 && !no_limits)
                .then(|| self.numerator as f64 / self.denominator as f64),
            norm,
            note,
        }
    }
}

#[derive(Default)]
struct YearTally {
    routes: Routes,
    lets: u64,
    aow_lets: u64,
    passend: Tally,
    daeb: Tally,
}

fn compliance(ctx: &Context<'_>, facts: &Facts<'_>) -> Vec<ComplianceYear> {
    let limits = &ctx.config.limits;
    let mut years: BTreeMap<i32, YearTally> = BTreeMap::new();
    for l in &facts.lets {
        let (alloc, year) = (l.alloc, l.year);
        let tally = years.entry(year).or_default();
        tally.lets += 1;
        *tally.routes.get_mut(alloc.route) += 1;
        let Some(lim) = limits_for(limits, year) else {
            continue;
        };
        // Income and size from the allocation, else the applicant record.
        let applicant = ctx.data.applicant(&alloc.applicant_id);
        let income = alloc
            .household_income
            .or_else(|| applicant.and_then(|a| a.household_income));
        let size = alloc
            .household_size
            .or_else(|| applicant.map(|a| i64::from(a.household_size)))
            // A household of fewer than one person is no size at all.
            .filter(|&s| s >= 1);
        let rent = alloc.rent;
        let aow = is_aow(applicant, alloc, lim);
        tally.aow_lets += u64::from(aow);
        tally_passend(&mut tally.passend, lim, income, size, rent, aow);
        tally_daeb(&mut tally.daeb, lim, income, size, rent);
    }
    years
        .into_iter()
        .map(|(year, t)| {
            let used = limits_for(limits, year);
            let limits_year = used.map(|l| l.year);
            let note = match limits_year {
                None => "no [[limits]] configured".to_string(),
                Some(y) if y != year => {
                    format!("no limits configured for {year}: the limits of {y} are used")
                }
                Some(_) => String::new(),
            };
            let share = |n: u64| {
                if t.lets == 0 {
                    0.0
                } else {
                    n as f64 / t.lets as f64
                }
            };
            let mut route_shares = RouteShares::default();
            for &route in Route::ALL {
                *route_shares.get_mut(route) = share(t.routes.get(route));
            }
            ComplianceYear {
                year,
                limits_year,
                passend: t.passend.share(
                    PASSEND_NORM,
                    used.is_none(),
                    "to a household with known income, size and rent at or under the passend income limit",
                ),
                daeb: t.daeb.share(
                    DAEB_NORM,
                    used.is_none(),
                    "with rent at or under the DAEB rent cap and known income and size",
                ),
                routes: t.routes,
                lets: t.lets,
                route_shares,
                aow_lets: t.aow_lets,
                note,
            }
        })
        .collect()
}

/// Whether a let is to an AOW household (spec 5, "AOW households"): the
/// tenant is at least `aow_age` years old on contract_start, else
/// allocated_on, by the birthday rule of spec 3; the birth date is the
/// applicant record's, and a tenant not on the waiting list is not AOW.
fn is_aow(tenant: Option<&Applicant>, alloc: &Allocation, lim: &Limits) -> bool {
    let day = alloc.contract_start.unwrap_or(alloc.allocated_on);
    tenant.is_some_and(|t| age_on(t.birth_date, day) >= lim.aow_age)
}

/// Passend toewijzen: among lets to households at or under the passend
/// income limit for their size (the AOW limit for an AOW household), those
/// with rent at or under the aftoppingsgrens for their size. Unknown
/// income, size or rent: unknown.
fn tally_passend(
    t: &mut Tally,
    lim: &Limits,
    income: Option<Cents>,
    size: Option<i64>,
    rent: Option<Cents>,
    aow: bool,
) {
    let (Some(income), Some(size), Some(rent)) = (income, size, rent) else {
        t.unknown += 1;
        return;
    };
    let income_limit = lim.passend_income(size, aow);
    if income > income_limit {
        return;
    }
    t.denominator += 1;
    let cap = if size <= 2 {
        lim.aftopping_low
    } else {
        lim.aftopping_high
    };
    if rent <= cap {
        t.numerator += 1;
    }
}

/// DAEB: among lets with rent at or under the DAEB rent cap, those to
/// households at or under the DAEB income limit for their size. Unknown
/// rent: unknown; rent above the cap: outside DAEB; within the cap with
/// unknown income or size: unknown.
fn tally_daeb(
    t: &mut Tally,
    lim: &Limits,
    income: Option<Cents>,
    size: Option<i64>,
    rent: Option<Cents>,
) {
    let Some(rent) = rent else {
        t.unknown += 1;
        return;
    };
    if rent > lim.daeb_rent_cap {
        return;
    }
    let (Some(income), Some(size)) = (income, size) else {
        t.unknown += 1;
        return;
    };
    t.denominator += 1;
    let income_limit = if size == 1 {
        lim.daeb_income_single
    } else {
        lim.daeb_income_multi
    };
    if income <= income_limit {
        t.numerator += 1;
    }
}
