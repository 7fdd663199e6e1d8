//! What the checks and the analysis read: the input, the config, the
//! period, and the results of the link and rank stages (spec 2 and 3),
//! computed once.

use std::collections::HashMap;

use crate::config::Config;
use crate::dataset::Dataset;
use crate::fast::FastSet;
use crate::link::{Link, Linker};
use crate::model::{AdvertId, Allocation, ApplicantId, Date, Outcome, Response, Route, Sale};
use crate::period::Period;
use crate::rank::Ranking;
use crate::timings::Timings;

/// What every check reads.
pub struct Context<'a> {
    /// The usable input.
    pub data: &'a Dataset,
    /// The config as used.
    pub config: &'a Config,
    /// The period the checks are limited to.
    pub period: Period,
    /// Links people to staff (spec 2).
    pub linker: Linker<'a>,
    /// The derived order of every advert (spec 3), made once: the order,
    /// conflict and lottery figures all read it.
    rankings: HashMap<&'a AdvertId, Ranking<'a>>,
    /// Applicants linked to some employee at some time (spec 2 without
    /// the employment window): everyone else is linked on no day.
    staff_circle: FastSet<&'a ApplicantId>,
    /// The route-advert allocations naming each advert, any day, in file
    /// order: the advert's lets, whose applicants are its tenants (spec
    /// 3.1, "several homes").
    advert_lets: HashMap<&'a AdvertId, Vec<&'a Allocation>>,
}

impl<'a> Context<'a> {
    /// Builds the context, indexing the staff register once.
    pub fn new(data: &'a Dataset, config: &'a Config, period: Period) -> Context<'a> {
        Context::timed(data, config, period, &mut Timings::default())
    }

    /// [`Context::new`], recording the stages `link` and `rank`.
    pub fn timed(
        data: &'a Dataset,
        config: &'a Config,
        period: Period,
        timings: &mut Timings,
    ) -> Context<'a> {
        use rayon::prelude::*;
        let (linker, staff_circle) = timings.time("link", || {
            let linker = Linker::new(data);
            // Who could be linked at all (any employee, any time): most
            // applicants cannot, and for them no later question about a
            // link on a given day needs their names normalised again.
            let circle: Vec<&'a ApplicantId> = data
                .applicants
                .par_iter()
                .filter(|a| !linker.candidates(a.person(), Some(&a.id)).is_empty())
                .map(|a| &a.id)
                .collect();
            (linker, circle.into_iter().collect())
        });
        // Adverts rank independently: one per core.
        let rankings = timings.time("rank", || {
            data.adverts
                .par_iter()
                .map(|a| (&a.id, Ranking::derive(data, a)))
                .collect()
        });
        let mut advert_lets: HashMap<&'a AdvertId, Vec<&'a Allocation>> = HashMap::new();
        for a in &data.allocations {
            if let (Route::Advert, Some(advert)) = (a.route, &a.advert_id) {
                advert_lets.entry(advert).or_default().push(a);
            }
        }
        Context {
            data,
            config,
            period,
            linker,
            staff_circle,
            rankings,
            advert_lets,
        }
    }

    /// Runs `f` on this context with the period set to `period`, then puts
    /// the period back: the links and rankings do not depend on it, so an
    /// earlier run's findings can be looked for at any date without linking
    /// and ranking again.
    pub fn with_period<R>(&mut self, period: Period, f: impl FnOnce(&Context<'a>) -> R) -> R {
        let own = std::mem::replace(&mut self.period, period);
        let result = f(self);
        self.period = own;
        result
    }

    /// Every advert named by a route-advert allocation, with those
    /// allocations (any day, in file order).
    pub fn advert_lets(&self) -> impl Iterator<Item = (&'a AdvertId, &[&'a Allocation])> + '_ {
        self.advert_lets
            .iter()
            .map(|(&id, lets)| (id, lets.as_slice()))
    }

    /// Whether `applicant` is a tenant of `advert`: the applicant of one of
    /// its route-advert allocations (spec 3.1).
    pub fn is_tenant_of(&self, advert: &AdvertId, applicant: &ApplicantId) -> bool {
        self.advert_lets
            .get(advert)
            .is_some_and(|lets| lets.iter().any(|a| &a.applicant_id == applicant))
    }

    /// Whether a reason counts as missing (spec 4.1: absent, or a
    /// placeholder such as `nvt` or `zie dossier`).
    pub fn reason_missing(&self, reason: Option<&str>) -> bool {
        crate::text::reason_missing(reason, &self.config.thresholds.placeholder_reasons)
    }

    /// Whether a candidate ranked above a tenant was properly passed over:
    /// declined, skipped or withdrawn, with a reason that is not missing
    /// (spec 4 and 4.1). The affected seekers (spec 4.2) use the same test.
    pub fn properly_passed_over(&self, r: &Response) -> bool {
        matches!(
            r.outcome,
            Outcome::Declined | Outcome::Skipped | Outcome::Withdrawn
        ) && !self.reason_missing(r.reason.as_deref())
    }

    /// The derived order of an advert.
    pub fn ranking(&self, advert: &AdvertId) -> Option<&Ranking<'a>> {
        self.rankings.get(advert)
    }

    /// Every employee a waiting-list applicant is linked to on `day`,
    /// strongest kind first, then lowest employee_id (spec 2). Empty for an
    /// id that is not on the waiting list: there is nothing to compare.
    pub fn applicant_links(&self, applicant: &ApplicantId, day: Date) -> Vec<Link> {
        if !self.staff_circle.contains(applicant) {
            return Vec::new();
        }
        match self.data.applicant(applicant) {
            Some(a) => self.linker.links(a.person(), Some(&a.id), day),
            None => Vec::new(),
        }
    }

    /// The link a finding names for an applicant on `day`: the strongest
    /// kind, then the lowest employee_id.
    pub fn link(&self, applicant: &ApplicantId, day: Date) -> Option<Link> {
        self.applicant_links(applicant, day).into_iter().next()
    }

    /// Every employee a sale's buyer is linked to on the day of the sale.
    pub fn buyer_links(&self, sale: &Sale) -> Vec<Link> {
        self.linker
            .links(sale.buyer(), sale.buyer_applicant_id.as_ref(), sale.sold_on)
    }
}
