/*!
The plants of spec v1.2 (allocation policies, adverts, vacancies,
priorities) and the migration date of `[input] migrated_on`.

They run after every other phase, on seekers and dwellings of their own:
the earlier phases draw the same random numbers as before, so the rest of
the data set is unchanged, and no other advert, let or responder touches
these. Each case is small and written out by hand so that a reader of
`planted.csv` can follow it; the config they need (`woonaudit.toml`) is
made from the same definitions as the adverts' policies.
*/

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::Duration;

use super::world::{Intent, World};
use woonaudit::model::{
    Advert, AdvertId, AdvertStatus, Allocation, AllocationId, ApplicantId, Cents, Date, Decimal,
    DwellingId, Model, Outcome, Priority, PriorityId, PriorityKind, Response, Route, Vacancy,
    VacancyId, VacancyReason,
};
use woonaudit::policy::{Policies, Policy, PolicyFile};

/// Seekers the plants of this module add to the waiting list (the
/// earlier phases leave room for them).
pub(crate) const SEEKERS: usize = 44;

/// One policy of the generated config: (name, base, tiers, require).
type PolicyDef = (
    &'static str,
    Option<&'static str>,
    &'static [&'static str],
    &'static [&'static str],
);

/// The policies of the generated config.
const POLICIES: &[PolicyDef] = &[
    // A senior complex: 65+ first, 55+ required.
    ("senioren", None, &["urgency", "age>=65"], &["age>=55"]),
    // A points model (punten), urgent seekers first.
    ("punten", Some("points"), &["urgency"], &[]),
    // Wheelchair homes: holders of a wheelchair indication first.
    ("rolstoel", None, &["priority:indication:ROL"], &[]),
    // Intake: no fixed order.
    ("intake", Some("discretionary"), &[], &[]),
];

/// The outcome of one response of a plant.
#[derive(Clone, Copy)]
struct Reply {
    /// The seeker (index into `World::applicants`).
    who: usize,
    /// Days after publication.
    after: i64,
    /// The outcome.
    outcome: Outcome,
    /// Its reason, if any.
    reason: Option<&'static str>,
    /// Points on a points advert.
    points: Option<&'static str>,
}

fn reply(who: usize, after: i64, outcome: Outcome) -> Reply {
    Reply {
        who,
        after,
        outcome,
        reason: None,
        points: None,
    }
}

impl World {
    /// The config text of the generated data set: the policies its adverts
    /// name and the migration date.
    pub(crate) fn config_text(&self) -> String {
        let mut s = String::from(
            "# Made by `woonaudit generate`: the allocation policies the adverts name\n\
             # (spec 3.1) and the day the records were migrated into the current\n\
             # system (spec 7).\n[input]\n",
        );
        let days: Vec<String> = self.migrated_on.iter().map(|d| d.to_string()).collect();
        s.push_str(&format!("migrated_on = [{}]\n", days.join(", ")));
        let list = |v: &[&str]| {
            v.iter()
                .map(|t| format!("\"{t}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        for (name, base, tiers, require) in POLICIES {
            s.push_str(&format!("\n[policies.{name}]\n"));
            if let Some(b) = base {
                s.push_str(&format!("base = \"{b}\"\n"));
            }
            if !tiers.is_empty() {
                s.push_str(&format!("tiers = [{}]\n", list(tiers)));
            }
            if !require.is_empty() {
                s.push_str(&format!("require = [{}]\n", list(require)));
            }
        }
        s
    }

    /// The policies as the library resolves them from the config.
    fn policies(&self) -> Policies {
        let file: BTreeMap<String, PolicyFile> = POLICIES
            .iter()
            .map(|(name, base, tiers, require)| {
                (
                    name.to_string(),
                    PolicyFile {
                        base: base.map(str::to_string),
                        tiers: tiers.iter().map(|t| t.to_string()).collect(),
                        require: require.iter().map(|t| t.to_string()).collect(),
                    },
                )
            })
            .collect();
        Policies::from_file(&file).expect("the generator's policies are valid")
    }

    /// A new seeker born on `born` and registered on `registration`
    /// (index into `applicants`), not linked to anyone, never housed
    /// elsewhere; ids follow the highest one so far.
    fn v12_seeker(&mut self, born: Date, registration: Date) -> usize {
        let p = self.ordinary_person((born, born + Duration::days(200)));
        let i = self.push_applicant(&p, registration, true);
        self.v12_seekers += 1;
        let step = self.rng_step();
        self.next_id += step;
        self.applicants[i].id = ApplicantId::from(self.next_id.to_string());
        self.applicants[i].local_ties = false;
        i
    }

    /// A small step between registration numbers.
    fn rng_step(&mut self) -> u32 {
        use rand::RngExt;
        self.rng.random_range(1..=4)
    }

    /// An advert of the plants, published `offset` days after the start
    /// and open for 14 days, on a new dwelling unless `dwelling` is given.
    fn v12_advert(
        &mut self,
        offset: i64,
        model: Model,
        policy: Option<&Arc<Policy>>,
        dwelling: Option<&str>,
    ) -> usize {
        self.v12_adverts += 1;
        let published_on = self.day(offset);
        let id = format!(
            "ADV-{}-9{:03}",
            chrono::Datelike::year(&published_on),
            self.v12_adverts
        );
        let dwelling = match dwelling {
            Some(d) => d.to_string(),
            None => self.dwelling(),
        };
        self.adverts.push(Advert {
            line: 0,
            id: AdvertId::from(id),
            dwelling_id: DwellingId::from(dwelling),
            published_on,
            closes_on: published_on + Duration::days(14),
            model,
            urgency_first: true,
            local_first: false,
            min_age: None,
            max_age: None,
            min_household: None,
            max_household: None,
            min_income: None,
            max_income: None,
            rent: Some(Cents(61_250)),
            policy: policy.cloned(),
            units: 1,
            status: AdvertStatus::Published,
            withdrawn_on: None,
        });
        self.adverts.len() - 1
    }

    /// The responses of `replies` to advert `adv`.
    fn v12_replies(&mut self, adv: usize, replies: &[Reply]) {
        let published = self.adverts[adv].published_on;
        for (k, r) in replies.iter().enumerate() {
            let at = (published + Duration::days(r.after))
                .and_hms_opt(9, 0, 0)
                .expect("valid time")
                + Duration::minutes(37 * k as i64);
            self.responses.push(Response {
                line: 0,
                advert_id: self.adverts[adv].id,
                applicant_id: self.applicants[r.who].id,
                responded_at: crate::stamp(at),
                lottery_number: None.into(),
                position: None.into(),
                points: r.points.map(|p| woonaudit::model::Points::new(decimal(p))),
                outcome: r.outcome,
                reason: r.reason.map(Into::into),
                decided_by: None,
            });
        }
    }

    /// A let (provisional id, renumbered later); returns the id.
    #[allow(clippy::too_many_arguments)]
    fn v12_let(
        &mut self,
        tenant: usize,
        dwelling: &str,
        day: Date,
        route: Route,
        advert: Option<usize>,
        handled_by: Option<usize>,
        approved_by: Option<usize>,
        reason: Option<&str>,
    ) -> String {
        let key = format!("#{}", self.allocations.len());
        let a = &self.applicants[tenant];
        self.allocations.push(Allocation {
            line: 0,
            id: AllocationId::from(key.clone()),
            dwelling_id: DwellingId::from(dwelling.to_string()),
            applicant_id: a.id,
            allocated_on: day,
            contract_start: Some(day + Duration::days(14)),
            route,
            advert_id: advert.map(|i| self.adverts[i].id),
            handled_by: handled_by.map(|e| self.eid(e)),
            approved_by: approved_by.map(|e| self.eid(e)),
            reason: reason.map(str::to_string),
            rent: Some(Cents(61_250)),
            household_income: a.household_income,
            household_size: Some(i64::from(a.household_size)),
        });
        self.housed[tenant] = true;
        key
    }

    /// The let of advert `adv` to `tenant` on its closing day (plus
    /// `late` days), on the advert's dwelling.
    fn v12_advert_let(
        &mut self,
        adv: usize,
        tenant: usize,
        late: i64,
        handler: Option<usize>,
    ) -> String {
        let day = self.adverts[adv].closes_on + Duration::days(late);
        let dwelling = self.adverts[adv].dwelling_id.to_string();
        self.v12_let(
            tenant,
            &dwelling,
            day,
            Route::Advert,
            Some(adv),
            handler,
            None,
            None,
        )
    }

    /// A direct let, approved by the manager with a real reason.
    fn v12_direct(&mut self, tenant: usize, dwelling: &str, day: Date, reason: &str) -> String {
        let (h, mw) = (self.roles.v[3], self.roles.mw);
        self.v12_let(
            tenant,
            dwelling,
            day,
            Route::Direct,
            None,
            Some(h),
            Some(mw),
            Some(reason),
        )
    }

    fn v12_vacancy(&mut self, dwelling: &str, day: Date, reason: VacancyReason) {
        let id = format!("VAC-{:04}", self.vacancies.len() + 1);
        self.vacancies.push(Vacancy {
            line: 0,
            id: VacancyId::from(id),
            dwelling_id: DwellingId::from(dwelling.to_string()),
            vacated_on: day,
            reason,
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn v12_priority(
        &mut self,
        who: usize,
        kind: PriorityKind,
        detail: &str,
        valid_from: Date,
        granted_on: Date,
        granted_by: Option<usize>,
    ) -> String {
        let id = format!("VR-{:04}", self.priorities.len() + 1);
        self.priorities.push(Priority {
            line: 0,
            id: PriorityId::from(id.clone()),
            applicant_id: self.applicants[who].id,
            kind,
            detail: Some(detail.to_string()),
            valid_from: Some(valid_from),
            valid_to: Some(valid_from + Duration::days(730)),
            granted_on: Some(granted_on),
            granted_by: granted_by.map(|e| self.eid(e)),
        });
        id
    }

    fn v12_intend(&mut self, check: &'static str, subject: &str, applicant: &str, note: String) {
        self.intents.push(Intent {
            check,
            subject_id: subject.to_string(),
            applicant_id: applicant.to_string(),
            note,
        });
    }

    /// Every v1.2 plant; see the module documentation.
    pub(crate) fn build_policy_plants(&mut self) {
        self.next_id = self
            .applicants
            .iter()
            .filter_map(|a| a.id.as_str().parse::<u32>().ok())
            .max()
            .unwrap_or(2_000_000);
        let policies = self.policies();
        let pol = |n: &str| policies.get(n).cloned().expect("defined above");
        let (senioren, punten, rolstoel, intake) = (
            pol("senioren"),
            pol("punten"),
            pol("rolstoel"),
            pol("intake"),
        );
        let y = |y: i32, m: u32, d: u32| Date::from_ymd_opt(y, m, d).expect("valid date");
        let v = self.roles.v;

        // A senior complex: the 70-year-old registered in 2019 comes first
        // (tier age>=65), the 57-year-old of 2009 second, and the
        // 47-year-old of 2004 is not eligible (require age>=55). Let on the
        // closing day itself: not before closing.
        let a = self.v12_seeker(y(1954, 8, 3), y(2019, 5, 1));
        let b = self.v12_seeker(y(1967, 9, 12), y(2009, 3, 2));
        let c = self.v12_seeker(y(1978, 2, 20), y(2004, 6, 14));
        self.applicants[b].current_tenant = true;
        let adv = self.v12_advert(100, Model::Registration, Some(&senioren), None);
        self.v12_replies(
            adv,
            &[
                reply(c, 0, Outcome::NotReached),
                reply(b, 1, Outcome::NotReached),
                reply(a, 2, Outcome::Accepted),
            ],
        );
        let d0 = self.adverts[adv].dwelling_id.to_string();
        self.v12_vacancy(&d0, self.day(95), VacancyReason::Death);
        self.v12_advert_let(adv, a, 0, Some(v[0]));

        // A points advert: 131.5 points skipped with a placeholder reason;
        // the tenant and the next tie at 98 points, broken by registration.
        let p1 = self.v12_seeker(y(1988, 1, 5), y(2020, 2, 3));
        let p2 = self.v12_seeker(y(1975, 4, 9), y(2015, 7, 1));
        let p3 = self.v12_seeker(y(1990, 11, 30), y(2017, 10, 9));
        let p4 = self.v12_seeker(y(1983, 6, 17), y(2016, 1, 11));
        let adv = self.v12_advert(160, Model::Points, Some(&punten), None);
        self.v12_replies(
            adv,
            &[
                Reply {
                    reason: Some("zie dossier"),
                    points: Some("131.5"),
                    ..reply(p1, 1, Outcome::Skipped)
                },
                Reply {
                    points: Some("98"),
                    ..reply(p2, 2, Outcome::Accepted)
                },
                Reply {
                    points: Some("98.00"),
                    ..reply(p3, 3, Outcome::NotReached)
                },
                Reply {
                    points: Some("140"),
                    ..reply(p4, 16, Outcome::NotReached)
                },
            ],
        );
        let key = self.v12_advert_let(adv, p2, 6, None);
        let aid = self.aid(p1).to_string();
        self.v12_intend(
            "ORDER_BYPASS",
            &key,
            &aid,
            "points advert: the seeker with the most points was skipped with the placeholder reason 'zie dossier'".into(),
        );

        // A first-come advert: the two earliest respondents passed over with
        // 'nvt' and '.', the third with a real reason.
        let f: Vec<usize> = [
            (y(1992, 3, 3), y(2021, 4, 4)),
            (y(1986, 5, 5), y(2018, 8, 8)),
            (y(1979, 7, 7), y(2013, 1, 9)),
            (y(1969, 9, 9), y(2008, 2, 2)),
            (y(1995, 2, 2), y(2022, 3, 3)),
        ]
        .into_iter()
        .map(|(b, r)| self.v12_seeker(b, r))
        .collect();
        let adv = self.v12_advert(220, Model::FirstCome, None, None);
        self.v12_replies(
            adv,
            &[
                Reply {
                    reason: Some("nvt"),
                    ..reply(f[0], 0, Outcome::Declined)
                },
                Reply {
                    reason: Some("."),
                    ..reply(f[1], 0, Outcome::Skipped)
                },
                Reply {
                    reason: Some("te klein voor ons gezin"),
                    ..reply(f[2], 1, Outcome::Declined)
                },
                reply(f[3], 2, Outcome::Accepted),
                reply(f[4], 3, Outcome::NotReached),
            ],
        );
        let key = self.v12_advert_let(adv, f[3], 5, None);
        for (who, what) in [(f[0], "'nvt'"), (f[1], "'.'")] {
            let aid = self.aid(who).to_string();
            self.v12_intend(
                "ORDER_BYPASS",
                &key,
                &aid,
                format!("first-come advert: an earlier respondent passed over with the placeholder reason {what}"),
            );
        }

        // Discretionary adverts (intake): no fixed order; one let approved
        // with a reason, one without approval.
        let d1 = self.v12_seeker(y(1970, 1, 1), y(2010, 5, 5));
        let d2 = self.v12_seeker(y(1984, 4, 4), y(2022, 6, 6));
        let adv = self.v12_advert(280, Model::Registration, Some(&intake), None);
        self.v12_replies(
            adv,
            &[
                reply(d1, 0, Outcome::NotReached),
                reply(d2, 1, Outcome::Accepted),
            ],
        );
        let dw = self.adverts[adv].dwelling_id.to_string();
        let day = self.adverts[adv].closes_on + Duration::days(8);
        self.v12_let(
            d2,
            &dw,
            day,
            Route::Advert,
            Some(adv),
            Some(v[1]),
            Some(self.roles.mw),
            Some("intake: mantelzorg voor een ouder in de wijk"),
        );
        let e1 = self.v12_seeker(y(1972, 2, 2), y(2011, 7, 7));
        let e2 = self.v12_seeker(y(1989, 8, 8), y(2023, 1, 10));
        let adv = self.v12_advert(300, Model::Discretionary, None, None);
        self.v12_replies(
            adv,
            &[
                reply(e1, 0, Outcome::NotReached),
                reply(e2, 1, Outcome::Accepted),
            ],
        );
        let dw = self.adverts[adv].dwelling_id.to_string();
        let day = self.adverts[adv].closes_on + Duration::days(8);
        let key = self.v12_let(
            e2,
            &dw,
            day,
            Route::Advert,
            Some(adv),
            Some(v[2]),
            None,
            Some("coöptatie door de bewonerscommissie"),
        );
        let aid = self.aid(e2).to_string();
        self.v12_intend(
            "ROUTE_UNAPPROVED",
            &key,
            &aid,
            "discretionary advert let without approval".into(),
        );

        // Two homes through one advert: the two longest registered get
        // one each (the second on an identical home next door); neither
        // passes over the other.
        let u: Vec<usize> = [
            (y(1961, 3, 1), y(2009, 1, 12)),
            (y(1977, 3, 2), y(2012, 9, 3)),
            (y(1993, 3, 3), y(2016, 4, 4)),
        ]
        .into_iter()
        .map(|(b, r)| self.v12_seeker(b, r))
        .collect();
        let adv = self.v12_advert(340, Model::Registration, None, None);
        self.adverts[adv].units = 2;
        self.v12_replies(
            adv,
            &[
                reply(u[2], 0, Outcome::NotReached),
                reply(u[1], 1, Outcome::Accepted),
                reply(u[0], 2, Outcome::Accepted),
            ],
        );
        let dw = self.adverts[adv].dwelling_id.to_string();
        self.v12_vacancy(&dw, self.day(330), VacancyReason::Notice);
        self.v12_advert_let(adv, u[0], 6, Some(v[1]));
        let next_door = self.dwelling();
        let day = self.adverts[adv].closes_on + Duration::days(6);
        self.v12_let(
            u[1],
            &next_door,
            day,
            Route::Advert,
            Some(adv),
            Some(v[1]),
            None,
            None,
        );

        // One home let twice through its advert.
        let o: Vec<usize> = [
            (y(1966, 6, 1), y(2010, 2, 2)),
            (y(1980, 6, 2), y(2013, 3, 3)),
            (y(1991, 6, 3), y(2018, 4, 4)),
        ]
        .into_iter()
        .map(|(b, r)| self.v12_seeker(b, r))
        .collect();
        let adv = self.v12_advert(380, Model::Registration, None, None);
        self.v12_replies(
            adv,
            &[
                reply(o[0], 0, Outcome::Accepted),
                reply(o[1], 1, Outcome::Accepted),
                reply(o[2], 2, Outcome::NotReached),
            ],
        );
        let dw = self.adverts[adv].dwelling_id.to_string();
        self.v12_vacancy(&dw, self.day(375), VacancyReason::Eviction);
        self.v12_advert_let(adv, o[0], 6, Some(v[2]));
        self.v12_advert_let(adv, o[1], 8, Some(v[2]));
        let id = self.adverts[adv].id.to_string();
        self.v12_intend(
            "ADVERT_OVERLET",
            &id,
            "",
            "one home let to two seekers through the same advert".into(),
        );

        // A let naming another dwelling than its advert's.
        let m1 = self.v12_seeker(y(1982, 10, 1), y(2011, 11, 11));
        let m2 = self.v12_seeker(y(1994, 10, 2), y(2019, 12, 12));
        let adv = self.v12_advert(420, Model::Registration, None, None);
        self.v12_replies(
            adv,
            &[
                reply(m1, 0, Outcome::Accepted),
                reply(m2, 1, Outcome::NotReached),
            ],
        );
        let other = self.dwelling();
        let day = self.adverts[adv].closes_on + Duration::days(6);
        let key = self.v12_let(
            m1,
            &other,
            day,
            Route::Advert,
            Some(adv),
            Some(v[0]),
            None,
            None,
        );
        let aid = self.aid(m1).to_string();
        self.v12_intend(
            "ADVERT_DWELLING_MISMATCH",
            &key,
            &aid,
            "the let names another dwelling than its advert".into(),
        );

        // Let three days before the advert closed.
        let k1 = self.v12_seeker(y(1976, 12, 1), y(2010, 10, 10));
        let k2 = self.v12_seeker(y(1987, 12, 2), y(2014, 4, 14));
        let adv = self.v12_advert(460, Model::Registration, None, None);
        self.v12_replies(
            adv,
            &[
                reply(k1, 1, Outcome::Accepted),
                reply(k2, 2, Outcome::NotReached),
            ],
        );
        let key = self.v12_advert_let(adv, k1, -3, Some(v[0]));
        let aid = self.aid(k1).to_string();
        self.v12_intend(
            "ALLOCATED_BEFORE_CLOSE",
            &key,
            &aid,
            "allocated three days before the advert closed".into(),
        );

        // Withdrawn adverts, then a direct let of the same home: 30 days
        // later (flagged) and 181 days after (not).
        let w1 = self.v12_seeker(y(1981, 5, 5), y(2012, 2, 2));
        let adv = self.v12_advert(500, Model::Registration, None, None);
        self.adverts[adv].status = AdvertStatus::Withdrawn;
        self.adverts[adv].withdrawn_on = Some(self.day(505));
        let dw = self.adverts[adv].dwelling_id.to_string();
        let key = self.v12_direct(w1, &dw, self.day(535), "herhuisvesting wegens renovatie");
        let aid = self.aid(w1).to_string();
        self.v12_intend(
            "ADVERT_WITHDRAWN_THEN_LET",
            &key,
            &aid,
            "advert withdrawn, then the home let directly 30 days later".into(),
        );
        let w2 = self.v12_seeker(y(1973, 7, 7), y(2011, 3, 3));
        let adv = self.v12_advert(100, Model::Registration, None, None);
        self.adverts[adv].status = AdvertStatus::Withdrawn;
        // withdrawn_on left out: the closing day (day 114) counts.
        let dw = self.adverts[adv].dwelling_id.to_string();
        self.v12_direct(
            w2,
            &dw,
            self.day(114 + 181),
            "herhuisvesting wegens renovatie",
        );

        // Vacancies and direct lets: a death and a notice never advertised
        // (flagged), a death advertised exactly 60 days before (not), a
        // transfer advertised 61 days before (flagged).
        let t: Vec<usize> = [
            (y(1960, 1, 10), y(2006, 1, 1)),
            (y(1971, 2, 11), y(2012, 2, 2)),
            (y(1983, 3, 12), y(2014, 3, 3)),
            (y(1990, 4, 13), y(2017, 4, 4)),
        ]
        .into_iter()
        .map(|(b, r)| self.v12_seeker(b, r))
        .collect();
        let plan = [
            (
                520,
                VacancyReason::Death,
                None,
                560,
                true,
                "death, not advertised",
            ),
            (
                540,
                VacancyReason::Notice,
                None,
                575,
                true,
                "notice, not advertised",
            ),
            (600, VacancyReason::Death, Some(60), 620, false, ""),
            (
                610,
                VacancyReason::Transfer,
                Some(61),
                640,
                true,
                "transfer, advertised only 61 days before the vacancy",
            ),
        ];
        for (k, (vacated, reason, lead, let_day, flagged, what)) in plan.into_iter().enumerate() {
            let dw = self.dwelling();
            self.v12_vacancy(&dw, self.day(vacated), reason);
            if let Some(lead) = lead {
                self.v12_advert(vacated - lead, Model::Registration, None, Some(&dw));
            }
            let key = if k == 1 {
                let (h, tl) = (self.roles.v[4], self.roles.tl);
                self.v12_let(
                    t[k],
                    &dw,
                    self.day(let_day),
                    Route::Other,
                    None,
                    Some(h),
                    Some(tl),
                    Some("ruil na sloop van de oude woning"),
                )
            } else {
                self.v12_direct(t[k], &dw, self.day(let_day), "urgent via het wijkteam")
            };
            if flagged {
                let aid = self.aid(t[k]).to_string();
                self.v12_intend(
                    "VACANCY_NOT_ADVERTISED",
                    &key,
                    &aid,
                    format!("vacancy ({what}) let directly"),
                );
            }
        }

        // A direct let whose reason is a placeholder.
        let z = self.v12_seeker(y(1985, 8, 18), y(2016, 6, 16));
        let dw = self.dwelling();
        let key = self.v12_direct(z, &dw, self.day(590), "nvt");
        let aid = self.aid(z).to_string();
        self.v12_intend(
            "ROUTE_UNAPPROVED",
            &key,
            &aid,
            "direct let with the placeholder reason 'nvt'".into(),
        );

        // Wheelchair homes. On the first, the holder of the indication was
        // granted it on the day the advert was published (not late).
        let wk = self.roles.wk;
        let r1 = self.v12_seeker(y(1979, 9, 1), y(2021, 9, 9));
        let r2 = self.v12_seeker(y(1963, 9, 2), y(2009, 9, 9));
        let adv = self.v12_advert(560, Model::Registration, Some(&rolstoel), None);
        let published = self.adverts[adv].published_on;
        self.v12_priority(
            r1,
            PriorityKind::Indication,
            "ROL",
            published,
            published,
            Some(wk),
        );
        self.v12_replies(
            adv,
            &[
                reply(r2, 0, Outcome::NotReached),
                reply(r1, 1, Outcome::Accepted),
            ],
        );
        self.v12_advert_let(adv, r1, 5, Some(v[3]));
        // On the second, the tenant's indication was granted the day after
        // publication: without it two seekers never offered the home rank
        // above the tenant (a third declined with a reason).
        let q: Vec<usize> = [
            (y(1958, 1, 1), y(2008, 1, 1)),
            (y(1962, 2, 2), y(2012, 2, 2)),
            (y(1968, 3, 3), y(2013, 3, 3)),
            (y(1980, 4, 4), y(2020, 4, 4)),
        ]
        .into_iter()
        .map(|(b, r)| self.v12_seeker(b, r))
        .collect();
        let adv = self.v12_advert(600, Model::Registration, Some(&rolstoel), None);
        let published = self.adverts[adv].published_on;
        let granted = published + Duration::days(1);
        self.v12_priority(
            q[3],
            PriorityKind::Indication,
            "ROL",
            granted,
            granted,
            Some(wk),
        );
        self.v12_replies(
            adv,
            &[
                reply(q[0], 0, Outcome::NotReached),
                reply(q[1], 1, Outcome::NotReached),
                Reply {
                    reason: Some("woning te ver van het werk"),
                    ..reply(q[2], 2, Outcome::Declined)
                },
                reply(q[3], 3, Outcome::Accepted),
            ],
        );
        let key = self.v12_advert_let(adv, q[3], 5, Some(v[3]));
        let aid = self.aid(q[3]).to_string();
        self.v12_intend(
            "PRIORITY_LATE",
            &key,
            &aid,
            "wheelchair indication granted the day after the advert was published puts the tenant first".into(),
        );

        // Priorities of seekers elsewhere on the list (no policy reads
        // them), and one granted by the employee whose child it is.
        let others: Vec<usize> = (0..self.applicants.len())
            .filter(|&i| !self.special[i])
            .take(3)
            .collect();
        for (n, i) in others.into_iter().enumerate() {
            let from = self.day(40 + 90 * n as i64);
            let (kind, detail) = [
                (PriorityKind::Urgency, "MED"),
                (PriorityKind::Binding, "KRN"),
                (PriorityKind::Group, "MZ"),
            ][n];
            self.v12_priority(i, kind, detail, from, from - Duration::days(3), Some(wk));
        }
        let (idle, tl) = (self.sp.idle, self.roles.tl);
        let from = self.employees[tl]
            .employed_from
            .unwrap_or(self.day(0))
            .max(self.day(300));
        self.v12_priority(idle, PriorityKind::Group, "MZ", from, from, Some(tl));
        let aid = self.aid(idle).to_string();
        let tl_id = self.eid(tl).to_string();
        self.v12_intend(
            "CONFLICT_OF_INTEREST",
            &aid,
            &aid,
            format!("priority granted by {tl_id} to their own declared child"),
        );

        // The records migrated into the current system on one day carry
        // that day as registered_at, with registration dates long before:
        // not backdated. One such gap on another day is.
        let mut migrated = self.day(-300);
        while self.applicants.iter().any(|a| {
            a.registered_at
                .is_some_and(|t| t.date() == migrated || t.date() == migrated + Duration::days(1))
        }) {
            migrated += Duration::days(1);
        }
        self.migrated_on = vec![migrated];
        for (k, reg) in [
            y(2006, 4, 1),
            y(2009, 11, 20),
            y(2013, 2, 14),
            y(2015, 8, 31),
        ]
        .into_iter()
        .enumerate()
        {
            let i = self.v12_seeker(y(1965 + 5 * k as i32, 5, 5), reg);
            self.applicants[i].registered_at = Some(
                migrated
                    .and_hms_opt(6, 10 + k as u32, 0)
                    .expect("valid time"),
            );
        }
        let g = self.v12_seeker(y(1977, 7, 17), y(2010, 10, 1));
        self.applicants[g].registered_at = Some(
            (migrated + Duration::days(1))
                .and_hms_opt(10, 4, 0)
                .expect("valid time"),
        );
        assert_eq!(
            self.v12_seekers, SEEKERS,
            "SEEKERS counts the plants' seekers"
        );
        let aid = self.aid(g).to_string();
        self.v12_intend(
            "REGISTRATION_BACKDATED",
            &aid,
            &aid,
            "registration date years before registered_at, the day after the migration".into(),
        );
    }
}

/// A decimal as written (`131.5`), for the points of a response.
fn decimal(text: &str) -> Decimal {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let digits = format!("{int}{frac}");
    Decimal {
        mantissa: digits.parse().expect("generator's own decimal"),
        scale: frac.len() as u32,
    }
}
