/*!
Lets outside the adverts (urgency, direct, temporary, swap, other), the
planted lets that skip the adverts, and the property sales.
*/

use chrono::{Datelike, Duration};
use rand::seq::IndexedRandom;
use rand::RngExt;

use super::link::Kind;
use super::names;
use super::offers::first_of_next_month;
use super::world::{ymd, World};
use woonaudit::model::{
    AdvertId, Allocation, AllocationId, ApplicantId, Cents, Date, Decimal, DwellingId, Route, Sale,
    SaleId, SaleRoute,
};

/// Who a tenant is: the applicant, or someone not on the waiting list.
#[derive(Clone, Debug)]
enum Tenant {
    Listed(usize),
    Outside(String),
}

/// How a planted sale breaks the rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SalePlant {
    Honest,
    BelowLinked,
    PrivateSelf,
    ShortListing,
    PrivateUnlinked,
    StaleAppraisal,
    NoAppraisal,
    HandledByPartner,
    Undeclared,
    BelowUnlinked,
}

const DIRECT: &[&str] = &[
    "huiselijk geweld, doorverwijzing Veilig Thuis",
    "uitstroom maatschappelijke opvang",
    "medische indicatie Wmo",
    "calamiteit: woning onbewoonbaar na brand",
];
const TEMPORARY: &[&str] = &[
    "tijdelijke huur in sloopwoning (leegstandbeheer)",
    "tijdelijke huur tijdens renovatie eigen woning",
    "tijdelijk contract jongeren (5 jaar)",
];
const SWAP: &[&str] = &["woningruil goedgekeurd", "woningruil binnen de gemeente"];
const OTHER: &[&str] = &[
    "herhuisvesting na sloop",
    "statushouder (taakstelling gemeente)",
    "herhuisvesting na renovatie",
];

/// Fast sampling: random draws from the waiting list before a seeker is
/// looked for in a pass over it.
const SEEKER_DRAWS: usize = 4096;

impl World {
    /// The honest lets outside the adverts and the planted ones.
    pub(crate) fn build_lets(&mut self) {
        let n = self.opts.adverts * 12 / 100;
        for k in 0..n {
            let day = self.date_in(self.day(10), self.day(700));
            let route = match self.rng.random_range(0..100) {
                0..=34 => Route::Urgency,
                35..=49 => Route::Direct,
                50..=69 => Route::Temporary,
                70..=89 => Route::Swap,
                _ => Route::Other,
            };
            // One incoming swapper comes from another corporation and is
            // not on this waiting list (a data warning, worth auditing).
            let tenant = if k == 0 {
                Tenant::Outside(format!("R-{}", self.rng.random_range(10_000..99_999)))
            } else if route == Route::Urgency {
                match self.urgent_seeker(day) {
                    Some(i) => Tenant::Listed(i),
                    None => continue,
                }
            } else {
                match self.ordinary_seeker(day) {
                    Some(i) => Tenant::Listed(i),
                    None => continue,
                }
            };
            let route = if k == 0 { Route::Swap } else { route };
            let handler = self.handler_on(day, day);
            let approver = self.approver();
            let reason = self.route_reason(route, &tenant);
            self.let_outside(
                tenant,
                route,
                day,
                handler,
                Some(approver),
                Some(reason),
                None,
            );
        }
        self.plant_lets();
    }

    /// An unhoused ordinary seeker with an urgency valid on `day`.
    fn urgent_seeker(&mut self, day: Date) -> Option<usize> {
        self.seeker(|w, i| {
            !w.special[i]
                && !w.housed[i]
                && w.applicants[i].urgent_on(day)
                && w.created[i].date() <= day
        })
    }

    /// An unhoused ordinary seeker registered by `day`.
    fn ordinary_seeker(&mut self, day: Date) -> Option<usize> {
        self.seeker(|w, i| {
            !w.special[i]
                && !w.housed[i]
                && w.applicants[i].registration_date <= day
                && w.created[i].date() <= day
        })
    }

    /// A seeker who fits, drawn at random: with fast sampling by drawing
    /// from the whole waiting list until one fits (a pass over the list
    /// only if that takes long), else from the list of all who fit.
    fn seeker(&mut self, fits: impl Fn(&World, usize) -> bool) -> Option<usize> {
        let n = self.applicants.len();
        if self.fast_sampling {
            for _ in 0..SEEKER_DRAWS {
                let i = self.rng.random_range(0..n);
                if fits(self, i) {
                    return Some(i);
                }
            }
        }
        let pool: Vec<usize> = (0..n).filter(|&i| fits(self, i)).collect();
        pool.choose(&mut self.rng).copied()
    }

    /// The teamleider or the manager: approvers of non-advert lets.
    fn approver(&mut self) -> usize {
        if self.rng.random_bool(0.7) {
            self.roles.tl
        } else {
            self.roles.mw
        }
    }

    fn route_reason(&mut self, route: Route, tenant: &Tenant) -> String {
        match route {
            Route::Urgency => {
                let kind = match tenant {
                    Tenant::Listed(i) => self.applicants[*i].urgency.unwrap_or_default(),
                    Tenant::Outside(_) => Default::default(),
                };
                format!("urgentieverklaring {kind}").trim().to_string()
            }
            Route::Direct => self.one_of(DIRECT).to_string(),
            Route::Temporary => self.one_of(TEMPORARY).to_string(),
            Route::Swap => self.one_of(SWAP).to_string(),
            Route::Other | Route::Advert => self.one_of(OTHER).to_string(),
        }
    }

    /// A let outside the offer process; returns its provisional id.
    #[allow(clippy::too_many_arguments)]
    fn let_outside(
        &mut self,
        tenant: Tenant,
        route: Route,
        day: Date,
        handler: usize,
        approver: Option<usize>,
        reason: Option<String>,
        advert_id: Option<AdvertId>,
    ) -> String {
        let key = format!("#{}", self.allocations.len());
        let dwelling = self.dwelling();
        let rent = Cents(self.rng.random_range(45_000..=90_000));
        let (id, income, size) = match &tenant {
            Tenant::Listed(i) => {
                let a = &self.applicants[*i];
                (a.id, a.household_income, Some(i64::from(a.household_size)))
            }
            Tenant::Outside(id) => (
                ApplicantId::from(id.clone()),
                Some(Cents(self.rng.random_range(2_000_000..4_000_000))),
                Some(self.rng.random_range(1..=4)),
            ),
        };
        self.allocations.push(Allocation {
            line: 0,
            id: AllocationId::from(key.clone()),
            dwelling_id: DwellingId::from(dwelling),
            applicant_id: id,
            allocated_on: day,
            contract_start: Some(first_of_next_month(day + Duration::days(7))),
            route,
            advert_id,
            handled_by: Some(self.eid(handler)),
            approved_by: approver.map(|e| self.eid(e)),
            reason,
            rent: Some(rent),
            household_income: income,
            household_size: size,
        });
        if let Tenant::Listed(i) = tenant {
            self.house(i);
            self.let_intents(&key, i, route, handler, approver, day);
        }
        key
    }

    /// Lets that skip the rules: unapproved non-advert lets, lets to the
    /// staff's circle, and advert lets without a (known) advert.
    fn plant_lets(&mut self) {
        let (r, sp) = (self.roles.clone(), self.sp.clone());
        let unapproved = [
            (
                200,
                Route::Direct,
                r.v[0],
                None,
                Some("spoedplaatsing na brand"),
                "direct let with nobody approving it",
            ),
            (
                330,
                Route::Direct,
                r.tl,
                Some(r.tl),
                Some("bijzondere situatie, besluit teamleider"),
                "direct let approved by the employee who handled it",
            ),
            (
                480,
                Route::Urgency,
                r.v[1],
                Some(r.mw),
                None,
                "urgency let without a recorded reason",
            ),
        ];
        for (offset, route, handler, approver, reason, note) in unapproved {
            let day = self.day(offset);
            let tenant = match route {
                Route::Urgency => self
                    .urgent_seeker(day)
                    .or_else(|| self.ordinary_seeker(day)),
                _ => self.ordinary_seeker(day),
            }
            .expect("the waiting list has seekers");
            let key = self.let_outside(
                Tenant::Listed(tenant),
                route,
                day,
                handler,
                approver,
                reason.map(str::to_string),
                None,
            );
            let tid = self.aid(tenant).as_str();
            self.intend("ROUTE_UNAPPROVED", &key, tid, note.to_string());
        }
        let circle = [
            (
                260,
                Route::Direct,
                sp.r4,
                r.v[0],
                r.tl,
                "medische noodzaak, advies GGD",
            ),
            (
                390,
                Route::Direct,
                sp.r5,
                r.v[1],
                r.db,
                "bijzondere situatie",
            ),
            (
                450,
                Route::Temporary,
                sp.u_contact,
                r.v[2],
                r.tl,
                "tijdelijke huur tijdens renovatie eigen woning",
            ),
        ];
        for (offset, route, tenant, handler, approver, reason) in circle {
            self.let_outside(
                Tenant::Listed(tenant),
                route,
                self.day(offset),
                handler,
                Some(approver),
                Some(reason.to_string()),
                None,
            );
        }
        // Advert lets whose advert is missing or unknown.
        let year = self.opts.start.year() - 1;
        let no_advert = [
            (330, r.v[3], None, "route advert with no advert_id"),
            (
                420,
                r.x,
                Some(AdvertId::from(format!("ADV-{year}-0417"))),
                "route advert naming an advert that is not in the export",
            ),
        ];
        for (offset, handler, advert, note) in no_advert {
            let day = self.day(offset);
            let tenant = self
                .ordinary_seeker(day)
                .expect("the waiting list has seekers");
            let key = self.let_outside(
                Tenant::Listed(tenant),
                Route::Advert,
                day,
                handler,
                None,
                None,
                advert,
            );
            let tid = self.aid(tenant).as_str();
            self.intend("ORDER_NO_ADVERT", &key, tid, note.to_string());
        }
    }

    /// The employee a planted tenant is linked to, the kind, and who they
    /// are to them.
    fn circle(&self, tenant: usize) -> Option<(usize, Kind, &'static str)> {
        let (r, sp) = (&self.roles, &self.sp);
        let table = [
            (sp.r1, r.v[1], Kind::Declared, "declared child"),
            (sp.r2, r.v[4], Kind::Declared, "declared sibling"),
            (sp.r3, r.ond[0], Kind::Declared, "declared child"),
            (sp.r4, r.wk, Kind::Declared, "declared sibling"),
            (
                sp.r5,
                r.db,
                Kind::Declared,
                "child (declared by name and birth date)",
            ),
            (sp.r6, r.v[2], Kind::Declared, "declared child"),
            (sp.r7, r.kc[0], Kind::Declared, "declared child"),
            (sp.r9, r.s[1], Kind::Declared, "declared child"),
            (sp.idle, r.tl, Kind::Declared, "declared child"),
            (sp.n1, r.vl, Kind::Declared, "declared child"),
            (
                sp.u_addr,
                r.fin[0],
                Kind::Address,
                "housemate (undeclared, same address)",
            ),
            (
                sp.u_contact,
                r.ict,
                Kind::Contact,
                "contact (undeclared, same phone)",
            ),
            (
                sp.u_sp,
                r.ond[1],
                Kind::SurnamePostcode,
                "possible relative (same surname and postcode)",
            ),
            (sp.staff_self, r.kc[1], Kind::SelfMatch, "own registration"),
        ];
        table
            .iter()
            .find(|t| t.0 == tenant)
            .map(|&(_, e, k, who)| (e, k, who))
    }

    /// The findings a let to someone in the staff's circle is meant to give
    /// (nothing when the employee was not employed on the day: a near miss).
    pub(crate) fn let_intents(
        &mut self,
        key: &str,
        tenant: usize,
        route: Route,
        handler: usize,
        approver: Option<usize>,
        day: Date,
    ) {
        let Some((e, kind, who)) = self.circle(tenant) else {
            return;
        };
        if !self.employees[e].employed_on(day) {
            return;
        }
        let tid = self.aid(tenant).as_str();
        let eid = self.eid(e);
        let role = self.employees[e].role.clone().unwrap_or_default();
        self.intend(
            "STAFF_ALLOCATION",
            key,
            tid,
            format!("{route} let to the {who} of {eid} ({role})"),
        );
        if route != Route::Advert {
            self.intend(
                "ROUTE_STAFF_CIRCLE",
                key,
                tid,
                format!("{route} let to the {who} of {eid}"),
            );
        }
        if kind.undeclared() {
            self.intend(
                "UNDECLARED_LINK",
                key,
                tid,
                format!("tenant is the {who} of {eid}"),
            );
        }
        if handler == e {
            self.intend(
                "CONFLICT_OF_INTEREST",
                key,
                tid,
                format!("{eid} handled the let to their own {who}"),
            );
        } else if approver == Some(e) {
            self.intend(
                "CONFLICT_OF_INTEREST",
                key,
                tid,
                format!("{eid} approved the let to their own {who}"),
            );
        }
    }

    // ----- sales -------------------------------------------------------------

    /// The property sales: honest ones on the open market or at auction,
    /// and the planted ones.
    pub(crate) fn build_sales(&mut self) {
        let plants = [
            (250, SalePlant::BelowLinked),
            (330, SalePlant::PrivateSelf),
            (410, SalePlant::ShortListing),
            (150, SalePlant::PrivateUnlinked),
            (480, SalePlant::StaleAppraisal),
            (560, SalePlant::NoAppraisal),
            (300, SalePlant::HandledByPartner),
            (620, SalePlant::Undeclared),
            (200, SalePlant::BelowUnlinked),
        ];
        // Buyers from the waiting list: any seeker not made for a plant.
        let seekers: Vec<usize> = (0..self.applicants.len())
            .filter(|&i| !self.special[i])
            .collect();
        let mut sales: Vec<(Sale, SalePlant)> = Vec::new();
        for (offset, plant) in plants {
            let day = self.day(offset);
            let sale = self.sale(day, plant, &seekers);
            sales.push((sale, plant));
        }
        while sales.len() < self.opts.sales {
            let day = self.date_in(self.day(20), self.day(700));
            let sale = self.sale(day, SalePlant::Honest, &seekers);
            sales.push((sale, SalePlant::Honest));
        }
        sales.sort_by_key(|(s, _)| s.sold_on);
        let mut year = 0;
        let mut seq = 0;
        for (mut sale, plant) in sales {
            if sale.sold_on.year() != year {
                year = sale.sold_on.year();
                seq = 0;
            }
            seq += 1;
            sale.id = SaleId::from(format!("VK-{year}-{seq:03}"));
            self.sale_intent(&sale, plant);
            if !matches!(
                plant,
                SalePlant::Honest
                    | SalePlant::PrivateUnlinked
                    | SalePlant::StaleAppraisal
                    | SalePlant::NoAppraisal
                    | SalePlant::BelowUnlinked
            ) {
                self.linked_sales.push(sale.id.to_string());
                self.purchase_intent(&sale, plant);
            }
            self.sales.push(sale);
        }
    }

    /// One sale, honest or planted; `seekers` are the waiting list's
    /// possible buyers.
    fn sale(&mut self, sold_on: Date, plant: SalePlant, seekers: &[usize]) -> Sale {
        let r = self.roles.clone();
        let appraisal = Cents(self.rng.random_range(145..=360) * 100_000);
        let scheme = plant == SalePlant::Honest && self.rng.random_bool(0.15);
        let discount = if scheme {
            Decimal {
                mantissa: 1,
                scale: 1,
            }
        } else {
            Decimal::ZERO
        };
        // An honest price: at or above the appraisal after the scheme
        // discount, rounded up to 500 euros.
        let base = if scheme {
            appraisal.0 * 9 / 10
        } else {
            appraisal.0
        };
        let markup = base * self.rng.random_range(0..=6) / 100;
        let price = (base + markup + 49_999) / 50_000 * 50_000;
        let route = if self.rng.random_bool(0.15) {
            SaleRoute::Auction
        } else {
            SaleRoute::OpenMarket
        };
        let listed = sold_on - Duration::days(self.rng.random_range(20..=120));
        let appraised = sold_on - Duration::days(self.rng.random_range(10..=150));
        let handler = *r.s.choose(&mut self.rng).expect("two sale handlers");
        let born = (ymd(1950, 1, 1), ymd(2002, 12, 31));
        let buyers = self.buyers.clone().expect("built with the population");
        let (buyer, buyer_id) = match plant {
            SalePlant::BelowLinked => (buyers.below, None),
            SalePlant::PrivateSelf => (buyers.staff_self, None),
            SalePlant::HandledByPartner => (buyers.partner, None),
            SalePlant::Undeclared => (buyers.undeclared, None),
            SalePlant::ShortListing => {
                let a = &self.applicants[self.sp.r9];
                (person_of(a), Some(a.id))
            }
            _ if self.rng.random_bool(0.3) => {
                // A seeker on the waiting list buys.
                let i = *seekers.choose(&mut self.rng).expect("non-empty");
                let a = &self.applicants[i];
                (person_of(a), Some(a.id))
            }
            _ => (self.ordinary_person(born), None),
        };
        let mut s = Sale {
            line: 0,
            id: SaleId::from(String::new()),
            dwelling_id: DwellingId::from(self.dwelling()),
            sold_on,
            price: Cents(price),
            appraisal_value: appraisal,
            appraised_on: Some(appraised),
            listed_on: Some(listed),
            route,
            scheme_discount: discount,
            buyer_last_name: buyer.last_name.clone(),
            buyer_first_names: buyer.first_names.clone(),
            buyer_birth_date: Some(buyer.birth_date),
            buyer_postcode: buyer.postcode.clone(),
            buyer_house_number: buyer.house_number.clone(),
            buyer_email: buyer.email.clone(),
            buyer_phone: buyer.phone.clone(),
            buyer_applicant_id: buyer_id,
            handled_by: Some(self.eid(handler)),
        };
        match plant {
            SalePlant::Honest => {
                if s.buyer_applicant_id.is_none() && self.rng.random_bool(0.05) {
                    s.buyer_birth_date = None;
                }
            }
            SalePlant::BelowLinked => {
                s.route = SaleRoute::OpenMarket;
                s.price = Cents(appraisal.0 * 8 / 10);
                s.listed_on = Some(sold_on - Duration::days(35));
                s.appraised_on = Some(sold_on - Duration::days(60));
            }
            SalePlant::PrivateSelf => {
                s.route = SaleRoute::Private;
                s.listed_on = None;
                s.price = appraisal;
                s.appraised_on = Some(sold_on - Duration::days(40));
                s.handled_by = Some(self.eid(r.s[1]));
            }
            SalePlant::ShortListing => {
                s.route = SaleRoute::OpenMarket;
                s.listed_on = Some(sold_on - Duration::days(5));
                // The seller's colleague handles it, not the parent.
                s.handled_by = Some(self.eid(r.s[0]));
            }
            SalePlant::PrivateUnlinked => {
                s.route = SaleRoute::Private;
                s.listed_on = None;
            }
            SalePlant::StaleAppraisal => {
                s.appraised_on = Some(sold_on - Duration::days(300));
            }
            SalePlant::NoAppraisal => {
                s.appraised_on = None;
            }
            SalePlant::HandledByPartner => {
                s.route = SaleRoute::OpenMarket;
                s.handled_by = Some(self.eid(r.s[0]));
            }
            SalePlant::Undeclared => {
                s.route = SaleRoute::OpenMarket;
            }
            SalePlant::BelowUnlinked => {
                s.route = SaleRoute::OpenMarket;
                s.price = Cents(appraisal.0 * 88 / 100);
            }
        }
        s
    }

    /// STAFF_PURCHASE: every sale to a linked buyer is in the register of
    /// staff-circle purchases.
    fn purchase_intent(&mut self, s: &Sale, plant: SalePlant) {
        let r = self.roles.clone();
        let aid = s
            .buyer_applicant_id
            .as_ref()
            .map(|a| a.to_string())
            .unwrap_or_default();
        let buyer = match plant {
            SalePlant::BelowLinked => format!("the declared in-law of {}", self.eid(r.fin[1])),
            SalePlant::PrivateSelf => format!("{} themselves", self.eid(r.ond[2])),
            SalePlant::ShortListing => format!("the declared child of {}", self.eid(r.s[1])),
            SalePlant::HandledByPartner => format!("the declared partner of {}", self.eid(r.s[0])),
            SalePlant::Undeclared => {
                format!("a buyer who lives at the address of {}", self.eid(r.hr))
            }
            _ => return,
        };
        self.intend(
            "STAFF_PURCHASE",
            s.id.as_str(),
            &aid,
            format!("sold to {buyer}: the register of staff-circle purchases"),
        );
    }

    /// The finding a planted sale is meant to give.
    fn sale_intent(&mut self, s: &Sale, plant: SalePlant) {
        let (r, id) = (self.roles.clone(), s.id.to_string());
        let aid = s
            .buyer_applicant_id
            .as_ref()
            .map(|a| a.to_string())
            .unwrap_or_default();
        let pct = |s: &Sale| 100 - s.price.0 * 100 / s.appraisal_value.0;
        let (check, note) = match plant {
            SalePlant::Honest => return,
            SalePlant::BelowLinked => (
                "SALE_BELOW_APPRAISAL",
                format!(
                    "sold {}% under the appraisal to the in-law of {}",
                    pct(s),
                    self.eid(r.fin[1])
                ),
            ),
            SalePlant::PrivateSelf => (
                "SALE_NOT_PUBLIC",
                format!(
                    "sold privately to {}, who is on the staff",
                    self.eid(r.ond[2])
                ),
            ),
            SalePlant::ShortListing => (
                "SALE_NOT_PUBLIC",
                format!(
                    "listed 5 days before the sale to the child of {}",
                    self.eid(r.s[1])
                ),
            ),
            SalePlant::PrivateUnlinked => (
                "SALE_NOT_PUBLIC",
                "sold privately (buyer not linked)".to_string(),
            ),
            SalePlant::StaleAppraisal => (
                "SALE_STALE_APPRAISAL",
                "appraisal 300 days before the sale".to_string(),
            ),
            SalePlant::NoAppraisal => ("SALE_STALE_APPRAISAL", "no appraisal date".to_string()),
            SalePlant::HandledByPartner => (
                "CONFLICT_OF_INTEREST",
                format!("{} handled the sale to their own partner", self.eid(r.s[0])),
            ),
            SalePlant::Undeclared => (
                "UNDECLARED_LINK",
                format!("the buyer lives at the address of {}", self.eid(r.hr)),
            ),
            SalePlant::BelowUnlinked => (
                "SALE_BELOW_APPRAISAL",
                format!("sold {}% under the appraisal (buyer not linked)", pct(s)),
            ),
        };
        self.intend(check, &id, &aid, note);
    }
}

/// An applicant's fields as a buyer's.
fn person_of(a: &woonaudit::model::Applicant) -> names::Person {
    names::Person {
        last_name: a.last_name.to_string(),
        first_names: a.first_names.as_deref().map(str::to_string),
        birth_date: a.birth_date,
        postcode: a.postcode.as_deref().map(str::to_string),
        house_number: a.house_number.as_deref().map(str::to_string),
        email: a.email.as_deref().map(str::to_string),
        phone: a.phone.as_deref().map(str::to_string),
    }
}
