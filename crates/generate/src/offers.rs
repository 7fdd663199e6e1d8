/*!
The aanbodsysteem, simulated: adverts, the responses to them, and the offer
process in the order `Ranking::derive` gives (spec 3). An honest advert
offers the home to its eligible candidates in that order; each declines,
is skipped or withdraws with a reason (each employee's in turn: three
declines, a skip and a withdrawal in five), until one accepts and gets the
let; everyone below is `not_reached`. Planted adverts break the process in one
chosen way and record the findings the rules make of it.
*/

use std::collections::HashMap;
use std::ops::Range;

use chrono::{Datelike, Duration};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::RngExt;

use super::responders::Responders;
use super::world::World;
use woonaudit::dataset::Dataset;
use woonaudit::model::{
    Advert, AdvertId, Allocation, AllocationId, Applicant, ApplicantId, Cents, Date, DateTime,
    DwellingId, EmployeeId, Model, Outcome, Response, Route,
};
use woonaudit::rank::{ineligibility, Ineligibility, Ranking};

/// How a candidate ranked above a planted tenant is treated.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Pass {
    /// Never offered the home.
    NotReached,
    /// Declined, skipped or withdrawn with no reason recorded.
    Empty(Outcome),
    /// Declined, skipped or withdrawn with a reason: properly passed over.
    Proper,
}

/// What happens to one advert.
#[derive(Clone, Debug)]
pub(crate) enum Plan {
    /// The offer process as the rules want it.
    Honest,
    /// Honest offers, but some recorded positions differ from the
    /// expected rank: (expected rank, recorded position).
    Position(Vec<(usize, i64)>),
    /// The home goes to the candidate at `rank` (or to the special
    /// applicant `tenant`, placed at `rank` by its registration date); the
    /// candidates above are treated as `above` says.
    Bypass {
        handler: usize,
        rank: usize,
        above: Vec<Pass>,
        tenant: Option<usize>,
    },
    /// The home goes to someone who did not respond (`late`: who
    /// responded after closing, with every candidate properly passed).
    NotCandidate { handler: usize, late: bool },
    /// The home goes to a candidate whose income is above max_income; every
    /// eligible candidate was properly passed.
    IneligibleIncome { handler: usize },
    /// A senior home goes to the special applicant `tenant`, too young;
    /// no eligible candidate was offered it.
    IneligibleYoung { handler: usize, tenant: usize },
    /// The special applicant `tenant` wins honestly (those above pass).
    Special { tenant: usize },
    /// The employee with the high skip rate (`Roles::sk`) records the
    /// outcomes: the candidates above the tenant get `above`, each with a
    /// reason (properly passed over, so no ORDER_BYPASS), and the next one
    /// accepts.
    Skips { above: Vec<Outcome> },
}

/// The responses to one advert: where they are, and who was drawn in for
/// the plan.
struct Responded {
    /// The advert's responses in `World::responses`.
    range: Range<usize>,
    /// The special applicant the plan lets the home to, when it names one.
    tenant: Option<usize>,
    /// Who gets the home without being a candidate (or as an ineligible
    /// one).
    outsider: Option<usize>,
}

/// The derived order of one advert, as response indices.
struct Order {
    eligible: Vec<usize>,
    ineligible: Vec<(usize, Vec<Ineligibility>)>,
    late: Vec<usize>,
}

const DECLINE: &[&str] = &[
    "te klein",
    "te duur",
    "ligging bevalt niet",
    "geen lift",
    "te ver van werk",
    "tuin te klein",
    "slaapkamers te klein",
];
const SKIP: &[&str] = &[
    "huurschuld",
    "geen passend inkomen bewijs",
    "negatief verhuurdersadvies",
    "documenten niet tijdig aangeleverd",
    "niet bereikbaar",
];
const WITHDRAW: &[&str] = &[
    "andere woning gevonden",
    "reactie ingetrokken",
    "persoonlijke omstandigheden",
    "blijft toch wonen",
];

/// The span, in days, over which adverts are published.
const SPAN: i64 = 680;

/// The outcomes of one employee's honest passes, in turn (see
/// `World::proper_pass`).
pub(crate) const PASS_CYCLE: [Outcome; 5] = [
    Outcome::Declined,
    Outcome::Declined,
    Outcome::Skipped,
    Outcome::Declined,
    Outcome::Withdrawn,
];

/// Fast sampling: draws from the pool before giving up on finding enough
/// responders by chance and going through the rest of the pool in turn.
fn draw_limit(n: usize) -> usize {
    64 * n + 256
}

impl World {
    /// Publishes the adverts, runs the offer process for each, and lets the
    /// homes that someone accepted.
    pub(crate) fn build_adverts(&mut self) {
        let n = self.opts.adverts;
        let published: Vec<Date> = (0..n)
            .map(|i| self.day(i as i64 * SPAN / n as i64))
            .collect();
        let mut plans: Vec<Option<Plan>> = vec![None; n];
        for (offset, plan) in self.planted_adverts() {
            let target = self.day(offset);
            let start = published.iter().position(|&d| d >= target).unwrap_or(n - 1);
            // The first free advert at or after the target, else before it.
            let i = (start..n)
                .chain((0..start).rev())
                .find(|&i| plans[i].is_none())
                .expect("more adverts than plants");
            plans[i] = Some(plan);
        }
        if self.fast_sampling {
            self.open_responders();
        }
        let mut seq_in_year: HashMap<i32, usize> = HashMap::new();
        for (i, plan) in plans.into_iter().enumerate() {
            let plan = plan.unwrap_or(Plan::Honest);
            let published_on = published[i];
            let year = published_on.year();
            let seq = seq_in_year.entry(year).or_insert(0);
            *seq += 1;
            let id = format!("ADV-{year}-{:04}", *seq);
            self.run_advert(id, published_on, plan);
        }
    }

    /// The planted adverts, as (day offset, plan), in the order they are
    /// placed on the advert published nearest their day.
    fn planted_adverts(&self) -> Vec<(i64, Plan)> {
        let r = &self.roles;
        let sp = &self.sp;
        use Outcome::{Declined, Skipped};
        use Pass::{Empty, NotReached, Proper};
        // The letting employee with the high bypass rate: eight lets in
        // 2026 where candidates above the tenant were passed over without
        // a recorded reason or never offered the home.
        let h_plants: [(i64, usize, Vec<Pass>); 8] = [
            (372, 2, vec![NotReached]),
            (405, 3, vec![NotReached, NotReached]),
            (440, 2, vec![Empty(Declined)]),
            (478, 4, vec![Proper, NotReached, Empty(Skipped)]),
            (515, 2, vec![Empty(Skipped)]),
            (560, 3, vec![Proper, NotReached]),
            (600, 2, vec![NotReached]),
            (640, 3, vec![Empty(Declined), NotReached]),
        ];
        let h = h_plants.into_iter().map(|(offset, rank, above)| {
            let plan = Plan::Bypass {
                handler: r.h,
                rank,
                above,
                tenant: None,
            };
            (offset, plan)
        });
        let others = [
            (
                150,
                Plan::Bypass {
                    handler: r.v[0],
                    rank: 2,
                    above: vec![NotReached],
                    tenant: None,
                },
            ),
            (
                400,
                Plan::Bypass {
                    handler: r.x,
                    rank: 3,
                    above: vec![Proper, Empty(Declined)],
                    tenant: None,
                },
            ),
            (
                200,
                Plan::Bypass {
                    handler: r.v[3],
                    rank: 4,
                    above: vec![NotReached, NotReached, NotReached],
                    tenant: Some(sp.r1),
                },
            ),
            (
                300,
                Plan::Bypass {
                    handler: r.v[4],
                    rank: 3,
                    above: vec![NotReached, Empty(Declined)],
                    tenant: Some(sp.r2),
                },
            ),
            (
                430,
                Plan::IneligibleYoung {
                    handler: r.v[0],
                    tenant: sp.r3,
                },
            ),
            (
                120,
                Plan::NotCandidate {
                    handler: r.v[3],
                    late: false,
                },
            ),
            (
                460,
                Plan::NotCandidate {
                    handler: r.v[0],
                    late: true,
                },
            ),
            (250, Plan::IneligibleIncome { handler: r.v[1] }),
            (90, Plan::Position(vec![(2, 3), (3, 2)])),
            (500, Plan::Position(vec![(4, 5), (5, 6), (6, 4)])),
            (60, Plan::Special { tenant: sp.u_addr }),
            (100, Plan::Special { tenant: sp.n2 }),
            (
                140,
                Plan::Special {
                    tenant: sp.staff_self,
                },
            ),
            (40, Plan::Special { tenant: sp.b1 }),
            (395, Plan::Special { tenant: sp.b2 }),
            (470, Plan::Special { tenant: sp.u_sp }),
            (520, Plan::Special { tenant: sp.n1 }),
        ];
        // The employee who records far more skips than colleagues: on eight
        // adverts in 2026 they pass the candidates above the tenant over,
        // mostly as `skipped` and always with a reason (19 skips in 24
        // decisions, where honest offers skip one in five).
        use Outcome::Withdrawn;
        let sk_plants: [(i64, Vec<Outcome>); 8] = [
            (385, vec![Skipped, Skipped, Declined]),
            (415, vec![Skipped, Skipped, Skipped]),
            (450, vec![Skipped, Withdrawn, Skipped]),
            (490, vec![Skipped, Skipped]),
            (535, vec![Declined, Skipped, Skipped, Skipped]),
            (575, vec![Skipped, Skipped, Withdrawn]),
            (615, vec![Skipped, Declined, Skipped]),
            (655, vec![Skipped, Skipped, Skipped]),
        ];
        let sk = sk_plants
            .into_iter()
            .map(|(offset, above)| (offset, Plan::Skips { above }));
        h.chain(others).chain(sk).collect()
    }

    /// Makes one advert from its plan, collects its responses, runs the
    /// offer process, and lets the home.
    fn run_advert(&mut self, id: String, published_on: Date, plan: Plan) {
        let advert = self.make_advert(id, published_on, &plan);
        let adv = self.adverts.len();
        self.adverts.push(advert);
        let responded = self.collect_responses(adv, &plan);
        let range = responded.range.clone();
        if self.adverts[adv].model == Model::Lottery {
            let mut numbers: Vec<i64> = (1..=range.len() as i64).collect();
            numbers.shuffle(&mut self.rng);
            for (k, ri) in range.clone().enumerate() {
                self.responses[ri].lottery_number = Some(numbers[k] as i32).into();
            }
        }
        let order = self.order(adv, range);
        let closes = self.adverts[adv].closes_on;
        let allocated_on = closes + Duration::days(self.rng.random_range(5..=21));
        let handler = match &plan {
            Plan::Bypass { handler, .. }
            | Plan::NotCandidate { handler, .. }
            | Plan::IneligibleIncome { handler }
            | Plan::IneligibleYoung { handler, .. } => *handler,
            _ => self.advert_handler(closes, allocated_on),
        };
        let hid = self.eid(handler);
        self.record_order(&plan, &order, &hid);
        let tenant_resp = self.offer(&plan, &order, &responded, &hid);
        if let Plan::Position(changes) = &plan {
            self.misrecord_positions(adv, &order, changes);
        }

        // The let.
        let tenant: Option<usize> = match (&plan, tenant_resp) {
            (Plan::NotCandidate { .. }, _) => responded.outsider,
            (_, Some(ri)) => Some(self.applicant_index(&self.responses[ri].applicant_id.clone())),
            (_, None) => None,
        };
        let Some(tenant) = tenant else {
            return;
        };
        let key = self.let_home(adv, tenant, allocated_on, handler);
        if handler == self.roles.h && !matches!(plan, Plan::Bypass { .. }) {
            self.h_honest += 1;
        }
        self.advert_intents(&plan, &key, adv, &order, tenant, tenant_resp);
        self.let_intents(&key, tenant, Route::Advert, handler, None, allocated_on);
    }

    /// The responses to advert `adv`, drawn as its plan needs them.
    fn collect_responses(&mut self, adv: usize, plan: &Plan) -> Responded {
        let first = self.responses.len();
        let per = self.opts.responses_per_advert;
        let count = self.rng.random_range(per * 6 / 10..=per * 14 / 10).max(4);
        let mut tenant: Option<usize> = None;
        let mut outsider: Option<usize> = None;
        match plan {
            Plan::Honest | Plan::Position(_) => {
                let picks = self.pick(adv, count, |_, _| true);
                self.respond_all(adv, &picks, true);
            }
            Plan::Bypass {
                rank, tenant: None, ..
            } => {
                // Nobody urgent, so the tenant's rank is set by the
                // registration dates alone.
                let picks = self.pick(adv, count.max(rank + 3), |w, a| !w.urgent_at_close(adv, a));
                self.respond_all(adv, &picks, false);
            }
            Plan::Skips { above } => {
                // As a bypass: enough candidates, nobody urgent, none late.
                let rank = above.len() + 1;
                let picks = self.pick(adv, count.max(rank + 3), |w, a| !w.urgent_at_close(adv, a));
                self.respond_all(adv, &picks, false);
            }
            Plan::Bypass {
                rank,
                tenant: Some(t),
                ..
            } => {
                let t = *t;
                let reg = self.applicants[t].registration_date;
                let older = self.pick(adv, rank - 1, |w, a| {
                    w.applicants[a].registration_date < reg
                        && !w.urgent_at_close(adv, a)
                        && w.eligible(adv, a)
                });
                let newer = self.pick(adv, count.saturating_sub(*rank), |w, a| {
                    w.applicants[a].registration_date > reg && !w.urgent_at_close(adv, a)
                });
                let mut picks = older;
                picks.extend(newer);
                picks.push(t);
                picks.shuffle(&mut self.rng);
                self.respond_all(adv, &picks, false);
                tenant = Some(t);
            }
            Plan::NotCandidate { late, .. } => {
                let n = if *late { 5 } else { count };
                let picks = self.pick(adv, n, |_, _| true);
                self.respond_all(adv, &picks, false);
                let o = self.outsider(adv, |w, a| !picks.contains(&a) && w.eligible(adv, a));
                if *late {
                    self.respond(adv, o, true);
                }
                outsider = Some(o);
            }
            Plan::IneligibleIncome { .. } => {
                let picks = self.pick(adv, 6, |_, _| true);
                self.respond_all(adv, &picks, false);
                let max = self.adverts[adv].max_income.expect("set by make_advert");
                let o = self.outsider(adv, |w, a| {
                    !picks.contains(&a)
                        && w.applicants[a]
                            .household_income
                            .is_some_and(|inc| inc.0 > max.0 + 300_000)
                        && ineligibility(&w.adverts[adv], &w.applicants[a], &[]).len() == 1
                });
                self.respond(adv, o, false);
                outsider = Some(o);
            }
            Plan::IneligibleYoung { tenant: t, .. } => {
                let picks = self.pick(adv, 10, |_, _| true);
                self.respond_all(adv, &picks, false);
                self.respond(adv, *t, false);
                tenant = Some(*t);
            }
            Plan::Special { tenant: t } => {
                let mut picks = self.pick(adv, count, |_, _| true);
                picks.push(*t);
                picks.shuffle(&mut self.rng);
                self.respond_all(adv, &picks, false);
                tenant = Some(*t);
            }
        }
        Responded {
            range: first..self.responses.len(),
            tenant,
            outsider,
        }
    }

    /// Records the derived order: every eligible candidate gets the rank as
    /// its recorded position (some exports leave positions out
    /// altogether), every ineligible one is skipped with the reason.
    fn record_order(&mut self, plan: &Plan, order: &Order, hid: &EmployeeId) {
        let record_positions = !matches!(plan, Plan::Honest) || self.rng.random_bool(0.95);
        for (k, &ri) in order.eligible.iter().enumerate() {
            if record_positions {
                self.responses[ri].position = Some(k as i32 + 1).into();
            }
        }
        for (ri, why) in &order.ineligible {
            let reason = match why.first() {
                Some(Ineligibility::IncomeTooHigh { .. }) => {
                    "voldoet niet aan de eisen: inkomen te hoog"
                }
                Some(Ineligibility::IncomeTooLow { .. }) => {
                    "voldoet niet aan de eisen: inkomen te laag"
                }
                Some(Ineligibility::TooYoung { .. }) | Some(Ineligibility::TooOld { .. }) => {
                    "voldoet niet aan de eisen: leeftijd"
                }
                Some(Ineligibility::HouseholdTooSmall { .. })
                | Some(Ineligibility::HouseholdTooLarge { .. }) => {
                    "voldoet niet aan de eisen: huishoudgrootte"
                }
                _ => "voldoet niet aan de eisen",
            };
            self.set_outcome(*ri, Outcome::Skipped, Some(reason), Some(hid));
        }
    }

    /// The offer process as the plan has it. Returns the response that
    /// accepted and gets the let, if any (a planted outsider who did not
    /// respond gets it without one).
    fn offer(
        &mut self,
        plan: &Plan,
        order: &Order,
        responded: &Responded,
        hid: &EmployeeId,
    ) -> Option<usize> {
        match plan {
            Plan::Honest | Plan::Position(_) => self.offer_honestly(&order.eligible, hid),
            Plan::Bypass { rank, above, .. } => {
                self.offer_bypass(order, *rank, above, responded.tenant, hid)
            }
            Plan::NotCandidate { late, .. } => {
                if *late {
                    for &ri in &order.eligible {
                        self.pass_over(ri, Pass::Proper, hid);
                    }
                    let ri = order.late.iter().copied().find(|&ri| {
                        Some(&self.responses[ri].applicant_id)
                            == responded.outsider.map(|o| &self.applicants[o].id)
                    });
                    if let Some(ri) = ri {
                        self.set_outcome(ri, Outcome::Accepted, None, Some(hid));
                    }
                }
                None
            }
            Plan::IneligibleIncome { .. } => {
                for &ri in &order.eligible {
                    self.pass_over(ri, Pass::Proper, hid);
                }
                let o = responded.outsider.expect("set above");
                let ri = self
                    .response_of(responded.range.clone(), o)
                    .expect("responded");
                self.set_outcome(ri, Outcome::Accepted, None, Some(hid));
                Some(ri)
            }
            Plan::IneligibleYoung { tenant, .. } => {
                let ri = self
                    .response_of(responded.range.clone(), *tenant)
                    .expect("responded");
                self.set_outcome(ri, Outcome::Accepted, None, Some(hid));
                Some(ri)
            }
            Plan::Skips { above } if order.eligible.len() >= 2 => {
                let sk = self.eid(self.roles.sk);
                let t_rank = (above.len() + 1).min(order.eligible.len());
                for (k, &ri) in order.eligible[..t_rank - 1].iter().enumerate() {
                    let o = above[k];
                    let why = self.reason_for(o);
                    self.set_outcome(ri, o, Some(why), Some(&sk));
                }
                let ri = order.eligible[t_rank - 1];
                self.set_outcome(ri, Outcome::Accepted, None, Some(&sk));
                Some(ri)
            }
            // Too few candidates to plant anything: honest.
            Plan::Skips { .. } => self.offer_honestly(&order.eligible, hid),
            Plan::Special { tenant } => {
                let pos = order
                    .eligible
                    .iter()
                    .position(|&ri| self.responses[ri].applicant_id == self.applicants[*tenant].id)
                    .expect("the special tenant is eligible");
                for &ri in &order.eligible[..pos] {
                    self.pass_over(ri, Pass::Proper, hid);
                }
                let ri = order.eligible[pos];
                self.set_outcome(ri, Outcome::Accepted, None, Some(hid));
                Some(ri)
            }
        }
    }

    /// A planted bypass: the candidate at `rank` (or the special `tenant`,
    /// where the registration dates placed it) accepts, those above are
    /// treated as `above` says. With too few candidates, honest offers.
    fn offer_bypass(
        &mut self,
        order: &Order,
        rank: usize,
        above: &[Pass],
        tenant: Option<usize>,
        hid: &EmployeeId,
    ) -> Option<usize> {
        let n_elig = order.eligible.len();
        let t_rank = match tenant {
            Some(t) => order
                .eligible
                .iter()
                .position(|&ri| self.responses[ri].applicant_id == self.applicants[t].id)
                .map(|p| p + 1),
            None if n_elig >= 2 => Some(rank.min(n_elig)),
            None => None,
        };
        let Some(t_rank) = t_rank else {
            // Too few candidates to plant anything: honest.
            return self.offer_honestly(&order.eligible, hid);
        };
        for (k, &ri) in order.eligible[..t_rank - 1].iter().enumerate() {
            let pass = above.get(k).copied().unwrap_or(Pass::NotReached);
            self.pass_over(ri, pass, hid);
        }
        let ri = order.eligible[t_rank - 1];
        self.set_outcome(ri, Outcome::Accepted, None, Some(hid));
        Some(ri)
    }

    /// A planted position mismatch: the candidates at the expected ranks
    /// get the recorded positions of `changes`.
    fn misrecord_positions(&mut self, adv: usize, order: &Order, changes: &[(usize, i64)]) {
        for &(rank, recorded) in changes {
            if let Some(&ri) = order.eligible.get(rank - 1) {
                self.responses[ri].position = Some(recorded as i32).into();
                let aid = self.responses[ri].applicant_id.as_str().to_string();
                let adv_id = self.adverts[adv].id.as_str().to_string();
                self.intend(
                    "ORDER_POSITION_MISMATCH",
                    &adv_id,
                    &aid,
                    format!("recorded position {recorded}, expected rank {rank}"),
                );
            }
        }
    }

    /// Creates the advert for `plan`.
    fn make_advert(&mut self, id: String, published_on: Date, plan: &Plan) -> Advert {
        let closes_on =
            published_on + Duration::days(if self.rng.random_bool(0.8) { 7 } else { 14 });
        let mut a = Advert {
            line: 0,
            id: AdvertId::from(id),
            dwelling_id: DwellingId::from(self.dwelling()),
            published_on,
            closes_on,
            model: Model::Registration,
            urgency_first: true,
            local_first: false,
            min_age: None,
            max_age: None,
            min_household: None,
            max_household: None,
            min_income: None,
            max_income: None,
            rent: Some(self.rent(480, 720)),
            policy: None,
            units: 1,
            status: woonaudit::model::AdvertStatus::Published,
            withdrawn_on: None,
        };
        match plan {
            Plan::Honest => self.random_terms(&mut a),
            Plan::IneligibleIncome { .. } => {
                a.max_income = Some(Cents(3_300_000));
            }
            Plan::IneligibleYoung { .. } => {
                a.min_age = Some(55);
                a.max_household = Some(2);
            }
            // Plain flats without bounds: many eligible candidates, and a
            // planted tenant's rank is set by the registration dates alone.
            _ => {}
        }
        a
    }

    /// A monthly rent between two whole-euro bounds, to the cent.
    fn rent(&mut self, lo: i64, hi: i64) -> Cents {
        Cents(self.rng.random_range(lo * 100..=hi * 100))
    }

    /// The kind of home and its eligibility bounds.
    fn random_terms(&mut self, a: &mut Advert) {
        let roll = self.rng.random_range(0..100);
        let mut lottery = 0.1;
        match roll {
            0..=39 => {
                if self.rng.random_bool(0.5) {
                    a.max_household = Some(3);
                }
            }
            40..=64 => {
                a.min_household = Some(if self.rng.random_bool(0.5) { 2 } else { 3 });
                a.rent = Some(self.rent(650, 900));
            }
            65..=79 => {
                a.min_age = Some(if self.rng.random_bool(0.7) { 55 } else { 65 });
                a.max_household = Some(2);
                a.rent = Some(self.rent(500, 750));
            }
            80..=89 => {
                a.max_age = Some(22);
                a.max_household = Some(if self.rng.random_bool(0.7) { 1 } else { 2 });
                a.rent = Some(self.rent(400, 550));
                lottery = 0.5;
            }
            _ => {
                a.max_household = Some(1);
                a.rent = Some(self.rent(420, 560));
            }
        }
        if self.rng.random_bool(lottery) {
            a.model = Model::Lottery;
        }
        // Passend toewijzen and DAEB bounds.
        if self.rng.random_bool(0.35) {
            let max = [32_000, 37_625, 47_699, 52_671]
                .choose(&mut self.rng)
                .copied()
                .unwrap_or(47_699);
            a.max_income = Some(Cents(max * 100));
        }
        if a.rent.is_some_and(|r| r.0 >= 80_000) && self.rng.random_bool(0.3) {
            a.min_income = Some(Cents(3_000_000));
        }
        a.urgency_first = !self.rng.random_bool(0.05);
        a.local_first = self.rng.random_bool(0.15);
    }

    /// Whether applicant `a` is eligible for advert `adv` (spec 3).
    fn eligible(&self, adv: usize, a: usize) -> bool {
        ineligibility(&self.adverts[adv], &self.applicants[a], &[]).is_empty()
    }

    /// Whether applicant `a` holds an urgency valid when `adv` closes.
    fn urgent_at_close(&self, adv: usize, a: usize) -> bool {
        self.applicants[a].urgent_on(self.adverts[adv].closes_on)
    }

    /// Ordinary, unhoused seekers registered when the advert was published.
    fn pool(&self, adv: usize) -> Vec<usize> {
        let published = self.adverts[adv].published_on;
        (0..self.applicants.len())
            .filter(|&i| {
                !self.special[i]
                    && !self.housed[i]
                    && self.applicants[i].registration_date <= published
                    && self.created[i].date() <= published
            })
            .collect()
    }

    /// Up to `n` responders from the pool that satisfy `keep`: seekers
    /// mostly respond to homes they are eligible for, some regardless.
    fn pick(&mut self, adv: usize, n: usize, keep: impl Fn(&World, usize) -> bool) -> Vec<usize> {
        if self.fast_sampling {
            return self.pick_fast(adv, n, keep);
        }
        let mut pool: Vec<usize> = self
            .pool(adv)
            .into_iter()
            .filter(|&i| keep(self, i))
            .collect();
        pool.shuffle(&mut self.rng);
        let mut out = Vec::with_capacity(n);
        for i in pool {
            if out.len() >= n {
                break;
            }
            if self.eligible(adv, i) || self.rng.random_bool(0.12) {
                out.push(i);
            }
        }
        out
    }

    /// Starts the responders of fast sampling: nobody let in yet.
    fn open_responders(&mut self) {
        let by_day: Vec<(Date, usize)> = (0..self.applicants.len())
            .filter(|&i| !self.special[i])
            .map(|i| {
                let first = self.applicants[i]
                    .registration_date
                    .max(self.created[i].date());
                (first, i)
            })
            .collect();
        self.responders = Responders::new(by_day, self.applicants.len());
    }

    /// Marks applicant `i` housed (and so no longer a responder).
    pub(crate) fn house(&mut self, i: usize) {
        self.housed[i] = true;
        self.responders.remove(i);
    }

    /// `pick` by sampling: as there, every pool member who satisfies `keep`
    /// is considered at most once, in random order, until `n` are taken;
    /// but they are drawn at random from the responders instead of taken
    /// from a shuffle of the whole pool.
    fn pick_fast(
        &mut self,
        adv: usize,
        n: usize,
        keep: impl Fn(&World, usize) -> bool,
    ) -> Vec<usize> {
        // Let in everyone registered by the publication day (the adverts
        // come in date order).
        let published = self.adverts[adv].published_on;
        self.responders.let_in(published, &self.housed);
        self.responders.start_pick();
        let mut out = Vec::with_capacity(n);
        let mut seen = 0;
        let mut draws = 0;
        while out.len() < n && seen < self.responders.len() {
            if draws == draw_limit(n) {
                // Few fit: go through the rest in random order.
                let mut rest: Vec<usize> = self
                    .responders
                    .undrawn()
                    .filter(|&i| keep(self, i))
                    .collect();
                rest.sort_unstable();
                rest.shuffle(&mut self.rng);
                for i in rest {
                    if out.len() >= n {
                        break;
                    }
                    if self.eligible(adv, i) || self.rng.random_bool(0.12) {
                        out.push(i);
                    }
                }
                break;
            }
            draws += 1;
            let k = self.rng.random_range(0..self.responders.len());
            let i = self.responders.member(k);
            if !self.responders.draw(i) {
                continue;
            }
            seen += 1;
            if !keep(self, i) {
                continue;
            }
            if self.eligible(adv, i) || self.rng.random_bool(0.12) {
                out.push(i);
            }
        }
        out
    }

    /// An unhoused ordinary seeker outside the responders, for a let that
    /// skips the process.
    fn outsider(&mut self, adv: usize, keep: impl Fn(&World, usize) -> bool) -> usize {
        let pool: Vec<usize> = self
            .pool(adv)
            .into_iter()
            .filter(|&i| keep(self, i))
            .collect();
        *pool
            .choose(&mut self.rng)
            .expect("the waiting list has someone who fits")
    }

    /// Responses of `picks`; with `some_late`, a few arrive after closing.
    fn respond_all(&mut self, adv: usize, picks: &[usize], some_late: bool) {
        for &i in picks {
            let late = some_late && self.rng.random_bool(0.03);
            self.respond(adv, i, late);
        }
    }

    /// One response of applicant `i` to advert `adv`.
    fn respond(&mut self, adv: usize, i: usize, late: bool) {
        let a = &self.adverts[adv];
        let (from, to) = if late {
            (
                a.closes_on + Duration::days(1),
                a.closes_on + Duration::days(3),
            )
        } else {
            (a.published_on, a.closes_on)
        };
        let day = self.date_in(from, to);
        let secs = self.rng.random_range(7 * 3600..24 * 3600);
        let at: DateTime = day.and_hms_opt(0, 0, 0).expect("valid") + Duration::seconds(secs);
        self.responses.push(Response {
            line: 0,
            advert_id: self.adverts[adv].id,
            applicant_id: self.applicants[i].id,
            responded_at: crate::stamp(at),
            lottery_number: None.into(),
            position: None.into(),
            points: None,
            outcome: Outcome::NotReached,
            reason: None,
            decided_by: None,
        });
    }

    /// The response of applicant `i` among `range`.
    fn response_of(&self, range: Range<usize>, i: usize) -> Option<usize> {
        range
            .into_iter()
            .find(|&ri| self.responses[ri].applicant_id == self.applicants[i].id)
    }

    /// The order of spec 3 for the advert, from the crate's own ranking.
    /// The responders' records are lent to the ranking's data set (moved
    /// there and back, not copied: this runs for every advert).
    fn order(&mut self, adv: usize, range: Range<usize>) -> Order {
        let mut data = Dataset::default();
        let mut seen: HashMap<ApplicantId, usize> = HashMap::new();
        // (applicant index, position in data.applicants) of the records lent.
        let mut lent: Vec<(usize, usize)> = Vec::new();
        for ri in range.clone() {
            let id = &self.responses[ri].applicant_id;
            seen.insert(*id, ri);
            let i = self.applicant_index(id);
            let record = match lent.iter().find(|l| l.0 == i) {
                Some(&(_, k)) => data.applicants[k].clone(),
                None => {
                    lent.push((i, data.applicants.len()));
                    std::mem::replace(&mut self.applicants[i], placeholder())
                }
            };
            data.applicants.push(record);
        }
        data.adverts.push(self.adverts[adv].clone());
        data.responses = self.responses[range].to_vec();
        let mut data = data.index();
        let ranking = Ranking::derive(&data, &data.adverts[0]);
        let idx = |r: &Response| seen[&r.applicant_id];
        let order = Order {
            eligible: ranking.eligible().map(|c| idx(c.response)).collect(),
            ineligible: ranking
                .ineligible()
                .into_iter()
                .map(|(r, why)| (idx(r), why))
                .collect(),
            late: ranking.late().map(idx).collect(),
        };
        for (i, k) in lent {
            self.applicants[i] = std::mem::replace(&mut data.applicants[k], placeholder());
        }
        order
    }

    /// A letting employee at work on both days.
    pub(crate) fn handler_on(&mut self, a: Date, b: Date) -> usize {
        let all = self.roles.handlers();
        let on: Vec<usize> = all
            .into_iter()
            .filter(|&e| self.employees[e].employed_on(a) && self.employees[e].employed_on(b))
            .collect();
        *on.choose(&mut self.rng)
            .expect("a letting employee at work")
    }

    /// The handler of an honest advert let. In a small data set the
    /// employee with the planted bypass rate gets exactly three honest lets
    /// (eleven with the plants), enough for the minimum of 10 the
    /// HANDLER_BYPASS_RATE test needs and few enough to stand out against
    /// the high overall share of plants; in a large one they take their
    /// turn like everyone else.
    fn advert_handler(&mut self, a: Date, b: Date) -> usize {
        let h = self.roles.h;
        let h_on = self.employees[h].employed_on(a) && self.employees[h].employed_on(b);
        if self.opts.adverts >= 200 || !h_on {
            return self.handler_on(a, b);
        }
        if self.h_honest < 3 {
            return h;
        }
        loop {
            let e = self.handler_on(a, b);
            if e != h {
                return e;
            }
        }
    }

    fn set_outcome(
        &mut self,
        ri: usize,
        o: Outcome,
        reason: Option<&str>,
        by: Option<&EmployeeId>,
    ) {
        let r = &mut self.responses[ri];
        r.outcome = o;
        r.reason = reason.map(woonaudit::intern::Text::from);
        r.decided_by = by.cloned();
    }

    /// A reason for an outcome other than accepted.
    fn reason_for(&mut self, o: Outcome) -> &'static str {
        let list = match o {
            Outcome::Declined => DECLINE,
            Outcome::Skipped => SKIP,
            _ => WITHDRAW,
        };
        list.choose(&mut self.rng).copied().unwrap_or("")
    }

    /// A declined, skipped or withdrawn outcome with its reason, recorded
    /// by `by`: each employee's proper passes go round
    /// [`PASS_CYCLE`] (three in five declined, one skipped, one withdrawn),
    /// so that every honest employee skips one in five and none stands out
    /// by chance in ACTOR_SKIP_RATE.
    fn proper_pass(&mut self, by: &EmployeeId) -> (Outcome, &'static str) {
        let turn = self.pass_turns.entry(*by).or_insert(0);
        let o = PASS_CYCLE[*turn % PASS_CYCLE.len()];
        *turn += 1;
        (o, self.reason_for(o))
    }

    fn pass_over(&mut self, ri: usize, pass: Pass, by: &EmployeeId) {
        match pass {
            Pass::NotReached => self.set_outcome(ri, Outcome::NotReached, None, None),
            Pass::Empty(o) => self.set_outcome(ri, o, None, Some(by)),
            Pass::Proper => {
                let (o, why) = self.proper_pass(by);
                self.set_outcome(ri, o, Some(why), Some(by));
            }
        }
    }

    /// Offers the home down the order until someone accepts; returns the
    /// accepting response.
    fn offer_honestly(&mut self, eligible: &[usize], by: &EmployeeId) -> Option<usize> {
        for &ri in eligible {
            if self.rng.random_bool(0.38) {
                self.set_outcome(ri, Outcome::Accepted, None, Some(by));
                return Some(ri);
            }
            self.pass_over(ri, Pass::Proper, by);
        }
        None
    }

    /// The let of advert `adv` to applicant `tenant`; returns its
    /// provisional id.
    fn let_home(
        &mut self,
        adv: usize,
        tenant: usize,
        allocated_on: Date,
        handler: usize,
    ) -> String {
        let key = format!("#{}", self.allocations.len());
        let contract_start = first_of_next_month(allocated_on + Duration::days(7));
        let a = &self.applicants[tenant];
        let advert = &self.adverts[adv];
        self.allocations.push(Allocation {
            line: 0,
            id: AllocationId::from(key.clone()),
            dwelling_id: advert.dwelling_id,
            applicant_id: a.id,
            allocated_on,
            contract_start: Some(contract_start),
            route: Route::Advert,
            advert_id: Some(advert.id),
            handled_by: Some(self.employees[handler].id),
            approved_by: None,
            reason: None,
            rent: advert.rent,
            household_income: a.household_income,
            household_size: Some(i64::from(a.household_size)),
        });
        self.house(tenant);
        key
    }

    /// The findings a planted advert let is meant to give.
    fn advert_intents(
        &mut self,
        plan: &Plan,
        key: &str,
        adv: usize,
        order: &Order,
        tenant: usize,
        tenant_resp: Option<usize>,
    ) {
        let tid = self.applicants[tenant].id.as_str().to_string();
        let t_rank = tenant_resp.and_then(|ri| order.eligible.iter().position(|&e| e == ri));
        let n = order.eligible.len();
        let adv_id = self.adverts[adv].id.as_str().to_string();
        match plan {
            Plan::Honest | Plan::Position(_) => return,
            Plan::NotCandidate { late: false, .. } => self.intend(
                "ORDER_NOT_A_CANDIDATE",
                key,
                &tid,
                format!("the home of {adv_id} went to {tid}, who never responded"),
            ),
            Plan::NotCandidate { late: true, .. } => self.intend(
                "ORDER_NOT_A_CANDIDATE",
                key,
                &tid,
                format!("the home of {adv_id} went to {tid}, who responded after closing"),
            ),
            Plan::IneligibleIncome { .. } => self.intend(
                "ORDER_INELIGIBLE",
                key,
                &tid,
                format!("the tenant's income is above the max_income of {adv_id}"),
            ),
            Plan::IneligibleYoung { .. } => self.intend(
                "ORDER_INELIGIBLE",
                key,
                &tid,
                format!("the tenant is under the min_age 55 of senior home {adv_id}"),
            ),
            _ => {}
        }
        // Every eligible candidate above the tenant not properly passed
        // over is an ORDER_BYPASS of its own.
        let above = t_rank.unwrap_or(n);
        for k in 0..above {
            let ri = order.eligible[k];
            let r = &self.responses[ri];
            let proper = matches!(
                r.outcome,
                Outcome::Declined | Outcome::Skipped | Outcome::Withdrawn
            ) && r.reason.is_some();
            if proper {
                continue;
            }
            let what = match (r.outcome, &r.reason) {
                (Outcome::NotReached, _) => "was never offered the home".to_string(),
                (o, None) => format!("{o} with no reason recorded"),
                (o, Some(_)) => o.to_string(),
            };
            let cid = r.applicant_id.as_str().to_string();
            let tenant_at = match t_rank {
                Some(t) => format!("the tenant at rank {}", t + 1),
                None => "a tenant who was not an eligible candidate".to_string(),
            };
            self.intend(
                "ORDER_BYPASS",
                key,
                &cid,
                format!("rank {} of {n} {what}; the home went to {tenant_at}", k + 1),
            );
        }
    }
}

/// An empty applicant record (allocates nothing), standing in for one lent
/// to `World::order`.
fn placeholder() -> Applicant {
    Applicant {
        line: 0,
        id: ApplicantId::from(String::new()),
        last_name: Default::default(),
        first_names: None,
        birth_date: Date::MIN,
        postcode: None,
        house_number: None,
        email: None,
        phone: None,
        registration_date: Date::MIN,
        registered_at: None,
        household_size: 0,
        household_income: None,
        urgency: None,
        urgency_from: None,
        urgency_to: None,
        local_ties: false,
        current_tenant: false,
    }
}

/// The first day of the month after `d`.
pub(crate) fn first_of_next_month(d: Date) -> Date {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    Date::from_ymd_opt(y, m, 1).expect("valid date")
}
