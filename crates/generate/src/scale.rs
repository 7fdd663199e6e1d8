//! Scale filler: honest seekers, adverts, responses and lets added to a
//! planted core so that `generate` can write a region or a whole country
//! (issue 6) in bounded memory.
//!
//! The core (the ordinary generator at a corporation's size) carries every
//! plant; the filler is made, a chunk at a time, so that no rule of spec
//! section 4 fires on it: its seekers are drawn with the same messy names
//! and contact data but checked against the staff register and relations
//! (no link of any kind at any time), registered on the day their record
//! was made, and every filler advert is offered in the spec's order
//! (declines, skips and withdrawals carry a reason, the tenant is the first
//! candidate who was not passed over, later candidates were not reached,
//! positions equal the derived ranks). Only the rate tests see the filler:
//! each filler let is handled by a core letting employee (round robin, see
//! [`handler_of`]) without a bypass, and that employee records the
//! outcomes, one skip in five passes as in the core; the oracle counts both
//! in (the lets from the start, the decisions once the filler is made).
//!
//! What is kept in memory is one small record per filler seeker (what the
//! ranking needs) and one chunk of adverts with its responses.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveTime};
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64;

use super::link::{norm_postcode, Linker};
use super::names;
use super::offers::PASS_CYCLE;
use woonaudit::model::{
    age_on, Advert, AdvertId, Allocation, AllocationId, Applicant, ApplicantId, Cents, Date,
    DwellingId, Employee, EmployeeId, Model, Outcome, Relation, Response, Route,
};

/// The span, in days, over which filler adverts are published (as the
/// core's).
const SPAN: i64 = 680;

/// Why a filler candidate declined an offer.
const DECLINES: &[&str] = &[
    "woning te klein",
    "huur te hoog",
    "locatie bevalt niet",
    "andere woning gevonden",
    "geen reactie op aanbieding",
];
/// Why a filler candidate was passed over.
const SKIPS: &[&str] = &[
    "huurschuld bij vorige verhuurder",
    "inkomensbewijs niet op tijd",
    "niet bereikbaar",
];
/// Why a filler candidate withdrew.
const WITHDRAWALS: &[&str] = &["reactie ingetrokken", "blijft toch wonen"];

/// How much filler to add.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Filler {
    /// Filler seekers on the waiting list.
    pub applicants: usize,
    /// Filler adverts, each let to one filler seeker.
    pub adverts: usize,
    /// Mean responses per filler advert.
    pub responses_per_advert: usize,
}

/// The core letting employee who handles filler advert `j`.
pub(crate) fn handler_of(handlers: &[EmployeeId], j: usize) -> Option<&EmployeeId> {
    (!handlers.is_empty()).then(|| &handlers[j % handlers.len()])
}

/// What the ranking needs of a filler seeker.
#[derive(Clone, Copy, Debug)]
struct Seeker {
    registration_date: Date,
    birth_date: Date,
    local_ties: bool,
    household_size: u32,
    household_income: Option<Cents>,
}

/// Makes the filler, chunk by chunk, deterministically from its seed.
pub(crate) struct Maker<'a> {
    rng: Pcg64,
    guard: Linker<'a>,
    staff_postcodes: BTreeSet<String>,
    filler: Filler,
    start: Date,
    handlers: Vec<EmployeeId>,
    seekers: Vec<Seeker>,
    /// Per handler: the passes recorded so far (whose turn in
    /// `PASS_CYCLE` is next) and the ACTOR_SKIP_RATE decisions, (n, k).
    decisions: BTreeMap<EmployeeId, (u64, u64)>,
}

impl<'a> Maker<'a> {
    /// A maker for `filler` next to a core with this staff register,
    /// relations and letting employees.
    pub(crate) fn new(
        seed: u64,
        filler: Filler,
        start: Date,
        employees: &'a [Employee],
        relations: &'a [Relation],
        handlers: Vec<EmployeeId>,
    ) -> Self {
        let staff_postcodes = employees
            .iter()
            .filter_map(|e| e.postcode.as_deref().and_then(norm_postcode))
            .collect();
        Maker {
            // A stream of its own: the core's draws stay as they were.
            rng: Pcg64::seed_from_u64(seed ^ 0x5CA1_E0F1_11E2),
            guard: Linker::new(employees, relations),
            staff_postcodes,
            filler,
            start,
            handlers,
            seekers: Vec::with_capacity(filler.applicants),
            decisions: BTreeMap::new(),
        }
    }

    /// The decisions of the filler made so far, per handler: (declined,
    /// skipped or withdrawn outcomes of eligible candidates, of those
    /// skipped).
    pub(crate) fn decisions(&self) -> &BTreeMap<EmployeeId, (u64, u64)> {
        &self.decisions
    }

    /// Filler seekers `from..to` (call with consecutive ranges from 0).
    pub(crate) fn applicants(&mut self, from: usize, to: usize) -> Vec<Applicant> {
        let born = (
            Date::from_ymd_opt(1940, 1, 1).expect("valid date"),
            Date::from_ymd_opt(2006, 12, 31).expect("valid date"),
        );
        let first_registration = Date::from_ymd_opt(1995, 1, 1).expect("valid date");
        let last_registration = self.start - Duration::days(1);
        let mut out = Vec::with_capacity(to - from);
        for i in from..to {
            let p = loop {
                let p = names::random_person(&mut self.rng, born);
                let pc_free = p
                    .postcode
                    .as_deref()
                    .and_then(norm_postcode)
                    .is_none_or(|pc| !self.staff_postcodes.contains(&pc));
                if pc_free && self.guard.links(&p.fields(), None, None).is_empty() {
                    break p;
                }
            };
            let registration_date =
                names::date_between(&mut self.rng, first_registration, last_registration);
            let at = NaiveTime::from_num_seconds_from_midnight_opt(
                self.rng.random_range(8 * 3600..17 * 3600),
                0,
            )
            .expect("valid time");
            let seeker = Seeker {
                registration_date,
                birth_date: p.birth_date,
                local_ties: self.rng.random_bool(0.2),
                household_size: self.rng.random_range(1..=5),
                household_income: (!self.rng.random_bool(0.1))
                    .then(|| Cents(self.rng.random_range(1_500_000..8_000_000))),
            };
            self.seekers.push(seeker);
            out.push(Applicant {
                line: 0,
                id: applicant_id(i),
                last_name: p.last_name.into(),
                first_names: p.first_names.map(Into::into),
                birth_date: p.birth_date,
                postcode: p.postcode.map(Into::into),
                house_number: p.house_number.map(Into::into),
                email: p.email.map(Into::into),
                phone: p.phone.map(Into::into),
                registration_date,
                registered_at: Some(registration_date.and_time(at)),
                household_size: seeker.household_size,
                household_income: seeker.household_income,
                urgency: None,
                urgency_from: None,
                urgency_to: None,
                local_ties: seeker.local_ties,
                current_tenant: false,
            });
        }
        out
    }

    /// Filler adverts `from..to` with their responses and lets (call after
    /// every seeker is made).
    pub(crate) fn adverts(
        &mut self,
        from: usize,
        to: usize,
    ) -> (Vec<Advert>, Vec<Response>, Vec<Allocation>) {
        let mut adverts = Vec::with_capacity(to - from);
        let mut responses = Vec::new();
        let mut allocations = Vec::with_capacity(to - from);
        for j in from..to {
            let (advert, mut rs, let_) = self.advert(j);
            adverts.push(advert);
            responses.append(&mut rs);
            allocations.extend(let_);
        }
        (adverts, responses, allocations)
    }

    fn advert(&mut self, j: usize) -> (Advert, Vec<Response>, Option<Allocation>) {
        let n = self.filler.adverts.max(1);
        let published_on = self.start + Duration::days(j as i64 * SPAN / n as i64);
        let closes_on = published_on + Duration::days(7 + (j % 8) as i64);
        let model = if self.rng.random_bool(0.25) {
            Model::Lottery
        } else {
            Model::Registration
        };
        let mut advert = Advert {
            line: 0,
            id: AdvertId::from(format!("ADV-F{j:07}")),
            dwelling_id: DwellingId::from(format!("VHE-F{j:07}")),
            published_on,
            closes_on,
            model,
            urgency_first: true,
            local_first: self.rng.random_bool(0.2),
            min_age: self.rng.random_bool(0.1).then_some(55),
            max_age: None,
            min_household: None,
            max_household: None,
            min_income: None,
            max_income: None,
            rent: Some(Cents(self.rng.random_range(45_000..95_000))),
            policy: None,
            units: 1,
            status: woonaudit::model::AdvertStatus::Published,
            withdrawn_on: None,
        };
        let handler = handler_of(&self.handlers, j).cloned();

        // Responders: distinct seekers, a few of them late.
        let mean = self.filler.responses_per_advert.max(1);
        let count = self
            .rng
            .random_range(mean - mean / 5..=mean + mean / 5)
            .min(self.seekers.len());
        let mut picked = BTreeSet::new();
        while picked.len() < count {
            picked.insert(self.rng.random_range(0..self.seekers.len()));
        }
        let mut who: Vec<usize> = picked.into_iter().collect();
        who.shuffle(&mut self.rng);
        let open_days = (closes_on - published_on).num_days();
        let mut lottery: Vec<i64> = (1..=who.len() as i64).collect();
        lottery.shuffle(&mut self.rng);
        let mut rs: Vec<Response> = who
            .iter()
            .zip(&lottery)
            .map(|(&i, &draw)| {
                let late = self.rng.random_bool(0.03);
                let day = if late {
                    closes_on + Duration::days(1)
                } else {
                    published_on + Duration::days(self.rng.random_range(0..=open_days))
                };
                let secs = self.rng.random_range(6 * 3600..23 * 3600);
                let at =
                    NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).expect("valid time");
                Response {
                    line: 0,
                    advert_id: advert.id,
                    applicant_id: applicant_id(i),
                    responded_at: crate::stamp(day.and_time(at)),
                    lottery_number: (model == Model::Lottery).then_some(draw as i32).into(),
                    position: None.into(),
                    points: None,
                    outcome: Outcome::NotReached,
                    reason: None,
                    decided_by: None,
                }
            })
            .collect();

        // Candidates in the spec's order (section 3); nobody is urgent.
        // Response k is seeker who[k]'s.
        let seeker = |k: usize| self.seekers[who[k]];
        let on_time = |k: usize| rs[k].responded_at.date() <= closes_on;
        let eligible_under = |a: &Advert, k: usize| {
            a.min_age
                .is_none_or(|min| age_on(seeker(k).birth_date, a.closes_on) >= min)
        };
        if !(0..rs.len()).any(|k| on_time(k) && eligible_under(&advert, k)) {
            advert.min_age = None;
        }
        let mut candidates: Vec<usize> = (0..rs.len())
            .filter(|&k| on_time(k) && eligible_under(&advert, k))
            .collect();
        // Keys: local ties first when the advert says so, then registration
        // date or lottery number, responded_at, applicant_id (byte order).
        candidates.sort_by_cached_key(|&k| {
            let (r, s) = (&rs[k], seeker(k));
            let primary = match model {
                Model::Registration => i64::from(s.registration_date.num_days_from_ce()),
                Model::Lottery => r.lottery_number.get().map_or(i64::MAX, i64::from),
                // Filler adverts are registration or lottery adverts.
                Model::Points | Model::FirstCome | Model::Discretionary => 0,
            };
            (
                !(advert.local_first && s.local_ties),
                primary,
                r.responded_at,
                r.applicant_id,
            )
        });
        let skipped: Vec<bool> = (0..rs.len())
            .map(|k| on_time(k) && !eligible_under(&advert, k))
            .collect();

        // The offer: passes with a reason until someone accepts; the last
        // candidate always accepts, so every filler advert is let. Each
        // handler's passes go round the core's cycle (three declines, a
        // skip and a withdrawal in five), so the filler shifts no one's
        // share of skips in ACTOR_SKIP_RATE; the decisions are counted for
        // the oracle.
        let mut tenant = None;
        for (rank, &k) in candidates.iter().enumerate() {
            let r = &mut rs[k];
            r.position = Some(rank as i32 + 1).into();
            if tenant.is_some() {
                continue;
            }
            r.decided_by = handler;
            if rank + 1 < candidates.len() && self.rng.random_bool(0.25) {
                let turn = match &handler {
                    Some(h) => {
                        let d = self.decisions.entry(*h).or_default();
                        let turn = d.0 as usize;
                        d.0 += 1;
                        let o = PASS_CYCLE[turn % PASS_CYCLE.len()];
                        d.1 += u64::from(o == Outcome::Skipped);
                        turn
                    }
                    None => 0,
                };
                let o = PASS_CYCLE[turn % PASS_CYCLE.len()];
                let reasons = match o {
                    Outcome::Skipped => SKIPS,
                    Outcome::Withdrawn => WITHDRAWALS,
                    _ => DECLINES,
                };
                r.outcome = o;
                r.reason = Some(reasons[self.rng.random_range(0..reasons.len())].into());
            } else {
                r.outcome = Outcome::Accepted;
                tenant = Some(k);
            }
        }
        // On time but too young: passed over with the reason.
        for (r, _) in rs.iter_mut().zip(&skipped).filter(|(_, &s)| s) {
            r.outcome = Outcome::Skipped;
            r.reason = Some("voldoet niet aan de leeftijdsgrens".into());
            r.decided_by = handler;
        }
        let allocation = tenant.map(|k| {
            let r = &rs[k];
            let s = self.seekers[who[k]];
            let allocated_on = closes_on + Duration::days(self.rng.random_range(3..=20));
            Allocation {
                line: 0,
                id: AllocationId::from(format!("TW-F{j:07}")),
                dwelling_id: advert.dwelling_id,
                applicant_id: r.applicant_id,
                allocated_on,
                contract_start: Some(super::offers::first_of_next_month(allocated_on)),
                route: Route::Advert,
                advert_id: Some(advert.id),
                handled_by: handler,
                approved_by: None,
                reason: None,
                rent: advert.rent,
                household_income: s.household_income,
                household_size: Some(i64::from(s.household_size)),
            }
        });
        (advert, rs, allocation)
    }
}

/// Filler seeker ids: eight digits from 10000000, apart from the core's
/// seven-digit ids.
fn applicant_id(i: usize) -> ApplicantId {
    ApplicantId::from(format!("{}", 10_000_000 + i))
}
