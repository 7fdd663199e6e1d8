/*!
The simulated corporation: its staff register, their declared relatives,
and the waiting list with its edit log. Later phases (`offers`, `lets`)
add the adverts, responses, lets and sales.

Every person outside the staff is drawn at random and then checked against
the staff and the declared relatives with the linking rules (no event
date, so every employee counts whatever their window): only the people made
on purpose (`Specials`, `Buyers`) are linked, each to exactly the employee
and kind it was made for.
*/

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, Duration, NaiveTime};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64;

use super::link::{norm_phone, norm_postcode, Index, Kind};
use super::names::{self, Person};
use super::responders::Responders;
use super::Options;
use woonaudit::model::{
    Advert, Allocation, Applicant, ApplicantId, Cents, Date, DateTime, Employee, EmployeeId,
    RegistrationChange, Relation, RelationKind, Response, Sale,
};

/// Urgency categories on the waiting list.
pub(crate) const URGENCY_KINDS: &[&str] = &[
    "medisch",
    "sociaal",
    "mantelzorg",
    "herstructurering",
    "uitstroom opvang",
];

/// Indices into `World::employees` of the staff the plants use.
#[derive(Clone, Debug, Default)]
pub(crate) struct Roles {
    /// Directeur-bestuurder (board).
    pub db: usize,
    /// Manager Wonen: approves non-advert lets.
    pub mw: usize,
    /// Teamleider Verhuur: approves non-advert lets.
    pub tl: usize,
    /// Verhuurconsulenten, employed throughout.
    pub v: [usize; 5],
    /// The verhuurconsulent with the high bypass rate (joined late 2025).
    pub h: usize,
    /// A verhuurconsulent who left mid 2025.
    pub vl: usize,
    /// A hired (contractor) verhuurconsulent.
    pub x: usize,
    /// Klantcontact staff (edit registrations); kc[2] moves the
    /// registration dates of three outsiders years earlier.
    pub kc: [usize; 3],
    /// Wijkconsulent.
    pub wk: usize,
    /// Onderhoud staff.
    pub ond: [usize; 3],
    /// Financiën staff.
    pub fin: [usize; 2],
    /// ICT.
    pub ict: usize,
    /// HR.
    pub hr: usize,
    /// Vastgoed: sale handlers.
    pub s: [usize; 2],
    /// Medewerker verhuur who records the outcomes of some offers and
    /// skips far more often than colleagues (ACTOR_SKIP_RATE).
    pub sk: usize,
}

impl Roles {
    /// Everyone who handles advert lets.
    pub(crate) fn handlers(&self) -> Vec<usize> {
        let mut h = self.v.to_vec();
        h.extend([self.h, self.vl, self.x]);
        h
    }
}

/// Indices into `World::applicants` of the people made for the plants.
#[derive(Clone, Debug, Default)]
pub(crate) struct Specials {
    /// Declared child of v[1]: an advert let with bypassed candidates.
    pub r1: usize,
    /// Declared sibling of v[4], who handles the bypassing let themselves.
    pub r2: usize,
    /// Declared child of ond[0]: too young for the senior home it gets.
    pub r3: usize,
    /// Declared sibling of wk: a direct let.
    pub r4: usize,
    /// Child of the board member, declared by name and birth date only:
    /// a direct let the board member approves.
    pub r5: usize,
    /// Declared child of v[2], whose registration date v[2] backdates.
    pub r6: usize,
    /// Declared child of kc[0], whose urgency kc[0] grants.
    pub r7: usize,
    /// Declared child of s[1] on the waiting list, buys a home (sale S3).
    pub r9: usize,
    /// Declared child of tl on the waiting list, never housed.
    pub idle: usize,
    /// Declared child of vl, housed after vl left: no link at the event.
    pub n1: usize,
    /// Namesake of v[0] with another birth date: no link.
    pub n2: usize,
    /// Lives at fin[0]'s address, not declared.
    pub u_addr: usize,
    /// Uses ict's phone number, not declared.
    pub u_contact: usize,
    /// Same surname and postcode as ond[1], another house number.
    pub u_sp: usize,
    /// kc[1] themselves, registered as a home seeker.
    pub staff_self: usize,
    /// Registration date moved years earlier by v[2]; housed after.
    pub b1: usize,
    /// Registration date moved years earlier by v[2]; housed after.
    pub b2: usize,
    /// registration_date long before registered_at, no edit logged.
    pub g1: usize,
    /// Not linked to anyone: registration dates moved years earlier by
    /// kc[2] (ACTOR_BACKDATING); never housed.
    pub d: [usize; 3],
}

/// Buyers made for the sale plants (the S3 buyer is `Specials::r9`).
#[derive(Clone, Debug)]
pub(crate) struct Buyers {
    /// In-law of fin[1], declared by name and birth date: buys far under
    /// the appraisal.
    pub below: Person,
    /// ond[2] himself: buys privately.
    pub staff_self: Person,
    /// Partner of s[0], declared: s[0] handles the sale.
    pub partner: Person,
    /// Lives at hr's address, not declared.
    pub undeclared: Person,
}

/// A finding the generator means to plant: matched with the findings the
/// rules give (by check, subject and applicant) to carry its note.
#[derive(Clone, Debug)]
pub(crate) struct Intent {
    /// Check code.
    pub check: &'static str,
    /// Subject id (allocations by their provisional id until renumbered).
    pub subject_id: String,
    /// The person the finding is about, or empty.
    pub applicant_id: String,
    /// Why it is there, for people reading planted.csv.
    pub note: String,
}

/// The whole simulated data set while it is being built.
pub(crate) struct World {
    /// The seeded generator: the only source of randomness.
    pub rng: Pcg64,
    /// What was asked for (sizes clamped to what the plants need).
    pub opts: Options,
    /// Staff register, in creation order (ids are shuffled).
    pub employees: Vec<Employee>,
    /// Plain surname and full given names of each employee.
    pub staff_names: Vec<(&'static str, String)>,
    /// Declared relations.
    pub relations: Vec<Relation>,
    /// The waiting list, in creation order (ids follow `created`).
    pub applicants: Vec<Applicant>,
    /// When each registration record was really created.
    pub created: Vec<DateTime>,
    /// Applicants kept out of the honest adverts and lets.
    pub special: Vec<bool>,
    /// Applicants who already got a home.
    pub housed: Vec<bool>,
    /// Adverts, in publication order.
    pub adverts: Vec<Advert>,
    /// Responses, grouped by advert.
    pub responses: Vec<Response>,
    /// Lets (provisional ids `#n` until renumbered).
    pub allocations: Vec<Allocation>,
    /// Sales.
    pub sales: Vec<Sale>,
    /// Registration edit log.
    pub changes: Vec<RegistrationChange>,
    /// Findings meant to be planted.
    pub intents: Vec<Intent>,
    /// Staff roles.
    pub roles: Roles,
    /// People made for the plants.
    pub sp: Specials,
    /// Buyers made for the plants.
    pub buyers: Option<Buyers>,
    /// Dwelling ids in use.
    pub dwellings: BTreeSet<u32>,
    /// Sales made to linked buyers on purpose.
    pub linked_sales: Vec<String>,
    /// Honest advert lets handled so far by the employee with the planted
    /// bypass rate (see `advert_handler`).
    pub h_honest: usize,
    /// Proper passes recorded so far per employee (see
    /// `World::proper_pass`).
    pub pass_turns: HashMap<EmployeeId, usize>,
    /// Normalised staff postcodes, kept away from everyone else.
    staff_postcodes: BTreeSet<String>,
    /// The linking keys of `employees` and `relations`, kept in step with
    /// them (see `add_staff`, `declare`, `drop_relations`, `assign_ids`).
    links: Index,
    /// Applicant index by id, once the ids are assigned.
    applicant_ids: HashMap<ApplicantId, usize>,
    /// Draw responders and seekers by sampling the waiting list instead of
    /// shuffling all of it for every advert (see `EXACT_SAMPLING_MAX`).
    pub fast_sampling: bool,
    /// The seekers the adverts draw their responders from, with fast
    /// sampling.
    pub responders: Responders,
    /// Priorities (v1.2 plants).
    pub priorities: Vec<woonaudit::model::Priority>,
    /// Vacancies (v1.2 plants).
    pub vacancies: Vec<woonaudit::model::Vacancy>,
    /// The days of `[input] migrated_on` in the generated config.
    pub migrated_on: Vec<Date>,
    /// The last registration number given to a v1.2 plant's seeker.
    pub next_id: u32,
    /// Adverts made for the v1.2 plants so far.
    pub v12_adverts: usize,
    /// Seekers made for the v1.2 plants so far.
    pub v12_seekers: usize,
    /// Dwelling numbers are drawn from `dwelling_range` (wider for large
    /// sizes, so the numbers do not run out).
    dwelling_range: std::ops::Range<u32>,
}

/// Up to this many applicants times adverts, the responders to each advert
/// are drawn from a shuffle of the whole waiting list and the tenants of
/// other lets from a list of every seeker who fits, as the bundled sample
/// was made. Above it, that costs too much (it grows with adverts x
/// applicants: 40 s at 100,000 applicants and 10,000 adverts, an hour at
/// ten times both), and
/// `fast_sampling` draws them at random from the waiting list instead: the
/// same rules, other (equally random) data.
pub(crate) const EXACT_SAMPLING_MAX: usize = 50_000_000;

/// `YYYY-MM-DD` (how the edit log's date values are kept before writing).
pub(crate) fn iso(d: Date) -> String {
    d.format("%Y-%m-%d").to_string()
}

impl Specials {
    /// The applicants made to be linked to someone on the staff (at some
    /// time: `n1`'s parent left before `n1` was housed).
    pub(crate) fn linked(&self) -> Vec<usize> {
        vec![
            self.r1,
            self.r2,
            self.r3,
            self.r4,
            self.r5,
            self.r6,
            self.r7,
            self.r9,
            self.idle,
            self.n1,
            self.u_addr,
            self.u_contact,
            self.u_sp,
            self.staff_self,
        ]
    }
}

impl World {
    /// An empty world seeded from the options.
    pub(crate) fn new(opts: &Options) -> Self {
        let mut opts = opts.clone();
        // The plants need a minimum of people, adverts and staff; smaller
        // requests are raised to it.
        opts.applicants = opts.applicants.max(400);
        opts.adverts = opts.adverts.max(60);
        opts.responses_per_advert = opts.responses_per_advert.max(8);
        opts.employees = opts.employees.max(34);
        opts.sales = opts.sales.max(12);
        let fast_sampling = opts.applicants.saturating_mul(opts.adverts) > EXACT_SAMPLING_MAX;
        // Every advert, let and sale needs a dwelling: the five-digit
        // numbers serve while at most two thirds of them are used (then a
        // free one takes at most three draws on average), else one digit
        // more.
        let dwellings = opts.adverts + opts.adverts * 12 / 100 + opts.sales + 100;
        let mut dwelling_range = 10_000..99_999u32;
        while dwellings.saturating_mul(3) > 2 * (dwelling_range.end - dwelling_range.start) as usize
            && dwelling_range.end < u32::MAX / 10
        {
            dwelling_range = dwelling_range.start * 10..dwelling_range.end * 10 + 9;
        }
        World {
            rng: Pcg64::seed_from_u64(opts.seed),
            opts,
            employees: Vec::new(),
            staff_names: Vec::new(),
            relations: Vec::new(),
            applicants: Vec::new(),
            created: Vec::new(),
            special: Vec::new(),
            housed: Vec::new(),
            adverts: Vec::new(),
            responses: Vec::new(),
            allocations: Vec::new(),
            sales: Vec::new(),
            changes: Vec::new(),
            intents: Vec::new(),
            roles: Roles::default(),
            sp: Specials::default(),
            buyers: None,
            dwellings: BTreeSet::new(),
            linked_sales: Vec::new(),
            h_honest: 0,
            pass_turns: HashMap::new(),
            staff_postcodes: BTreeSet::new(),
            links: Index::default(),
            applicant_ids: HashMap::new(),
            fast_sampling,
            responders: Default::default(),
            priorities: Vec::new(),
            vacancies: Vec::new(),
            migrated_on: Vec::new(),
            next_id: 0,
            v12_adverts: 0,
            v12_seekers: 0,
            dwelling_range,
        }
    }

    /// The day `offset` days after the first advert: every date of the
    /// plants is relative to it, so another `start` moves them along.
    pub(crate) fn day(&self, offset: i64) -> Date {
        self.opts.start + Duration::days(offset)
    }

    /// The last day of the simulated period (about two years).
    pub(crate) fn end(&self) -> Date {
        self.day(720)
    }

    /// A uniformly drawn day in `[from, to]`.
    pub(crate) fn date_in(&mut self, from: Date, to: Date) -> Date {
        names::date_between(&mut self.rng, from, to)
    }

    /// One of a list of texts.
    pub(crate) fn one_of(&mut self, list: &'static [&'static str]) -> &'static str {
        list.choose(&mut self.rng).copied().unwrap_or("")
    }

    /// A time of day during office hours.
    pub(crate) fn office_time(&mut self) -> NaiveTime {
        let secs = self.rng.random_range(8 * 3600..17 * 3600 + 1800);
        NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).expect("valid time")
    }

    /// A dwelling id not used before.
    pub(crate) fn dwelling(&mut self) -> String {
        loop {
            let n = self.rng.random_range(self.dwelling_range.clone());
            if self.dwellings.insert(n) {
                return format!("VHE-{n}");
            }
        }
    }

    /// Records a finding the generator means to plant.
    pub(crate) fn intend(
        &mut self,
        check: &'static str,
        subject_id: &str,
        applicant_id: &str,
        note: String,
    ) {
        self.intents.push(Intent {
            check,
            subject_id: subject_id.to_string(),
            applicant_id: applicant_id.to_string(),
            note,
        });
    }

    /// The id of applicant `i`.
    pub(crate) fn aid(&self, i: usize) -> ApplicantId {
        self.applicants[i].id
    }

    /// The id of employee `i`.
    pub(crate) fn eid(&self, i: usize) -> EmployeeId {
        self.employees[i].id
    }

    // ----- staff ---------------------------------------------------------

    /// Builds the staff register: the roles the plants need, then ordinary
    /// colleagues up to the requested size.
    pub(crate) fn build_staff(&mut self) {
        let n = self.opts.employees;
        // Personnel numbers: distinct, handed out in shuffled order so an
        // id says nothing about the role.
        let mut nums: BTreeSet<u32> = BTreeSet::new();
        while nums.len() < n {
            nums.insert(self.rng.random_range(1001..9999));
        }
        let mut nums: Vec<u32> = nums.into_iter().collect();
        nums.shuffle(&mut self.rng);
        let mut roles = self.add_roles(&nums[..24]);
        roles.sk = self.add_other_staff(&nums[24..]);
        self.roles = roles;
    }

    /// Employed since long before the period, to now.
    fn long_window(&mut self) -> (Option<Date>, Option<Date>) {
        let from = self.date_in(EARLY, self.day(-400));
        (Some(from), None)
    }

    /// The staff the plants need, numbered from `nums`.
    fn add_roles(&mut self, nums: &[u32]) -> Roles {
        let mut r = Roles::default();
        let w = self.long_window();
        r.db = self.add_staff(nums[0], "Bestuur", "directeur-bestuurder", w);
        let w = self.long_window();
        r.mw = self.add_staff(nums[1], "Wonen", "manager Wonen", w);
        let w = self.long_window();
        r.tl = self.add_staff(nums[2], "Verhuur", "teamleider Verhuur", w);
        for k in 0..5 {
            let w = self.long_window();
            r.v[k] = self.add_staff(nums[3 + k], "Verhuur", "verhuurconsulent", w);
        }
        let joined = (Some(self.day(300)), None);
        r.h = self.add_staff(nums[8], "Verhuur", "verhuurconsulent", joined);
        let left_from = self.date_in(EARLY, self.day(-1500));
        let left = (Some(left_from), Some(self.day(175)));
        r.vl = self.add_staff(nums[9], "Verhuur", "verhuurconsulent", left);
        let hired = (Some(self.day(54)), Some(self.day(540)));
        r.x = self.add_staff(nums[10], "Extern", "inhuur verhuurconsulent", hired);
        for k in 0..3 {
            let w = self.long_window();
            r.kc[k] = self.add_staff(nums[11 + k], "Klantcontact", "medewerker klantcontact", w);
        }
        let w = self.long_window();
        r.wk = self.add_staff(nums[14], "Wonen", "wijkconsulent", w);
        for (k, role) in ["opzichter", "vakman onderhoud", "planner onderhoud"]
            .iter()
            .enumerate()
        {
            let w = self.long_window();
            r.ond[k] = self.add_staff(nums[15 + k], "Onderhoud", role, w);
        }
        for (k, role) in ["controller", "medewerker financiële administratie"]
            .iter()
            .enumerate()
        {
            let w = self.long_window();
            r.fin[k] = self.add_staff(nums[18 + k], "Financiën", role, w);
        }
        let w = self.long_window();
        r.ict = self.add_staff(nums[20], "ICT", "applicatiebeheerder", w);
        let w = self.long_window();
        r.hr = self.add_staff(nums[21], "HR", "HR-adviseur", w);
        for k in 0..2 {
            let w = self.long_window();
            r.s[k] = self.add_staff(nums[22 + k], "Vastgoed", "verkoopadviseur", w);
        }
        r
    }

    /// The rest of the register, numbered from `nums`: the supervisory
    /// board, a contractor and ordinary colleagues. Returns the medewerker
    /// verhuur who skips far more often than colleagues (`Roles::sk`).
    fn add_other_staff(&mut self, nums: &[u32]) -> usize {
        // The supervisory board and a contractor are in the register too
        // (the integrity code covers them).
        for (k, role) in ["voorzitter RvC", "lid RvC", "lid RvC", "lid RvC"]
            .iter()
            .enumerate()
        {
            let from = self.date_in(self.day(-2200), self.day(-200));
            self.add_staff(nums[k], "Raad van Commissarissen", role, (Some(from), None));
        }
        let contract = (Some(self.day(-370)), Some(self.day(720)));
        self.add_staff(
            nums[4],
            "Extern",
            "aannemer (raamcontract onderhoud)",
            contract,
        );
        let w = self.long_window();
        let sk = self.add_staff(nums[5], "Verhuur", "medewerker verhuur", w);
        const OTHERS: &[(&str, &str)] = &[
            ("Onderhoud", "vakman onderhoud"),
            ("Onderhoud", "opzichter"),
            ("Wonen", "wijkconsulent"),
            ("Wonen", "huismeester"),
            ("Klantcontact", "medewerker klantcontact"),
            ("Financiën", "medewerker incasso"),
            ("Vastgoed", "projectleider"),
            ("ICT", "medewerker ICT"),
            ("Projecten", "projectleider nieuwbouw"),
            ("HR", "medewerker HR"),
        ];
        for &num in &nums[6..] {
            let (dept, role) = *OTHERS.choose(&mut self.rng).expect("non-empty");
            let window = match self.rng.random_range(0..10) {
                0 => {
                    // Left during the period.
                    let from = self.date_in(EARLY, self.day(-800));
                    let to = self.date_in(self.day(-300), self.day(600));
                    (Some(from), Some(to))
                }
                1 => {
                    // Joined recently.
                    let from = self.date_in(self.day(0), self.day(600));
                    (Some(from), None)
                }
                _ => self.long_window(),
            };
            self.add_staff(num, dept, role, window);
        }
        sk
    }

    /// Adds one staff member with reserved contact data; returns its index.
    fn add_staff(
        &mut self,
        num: u32,
        dept: &str,
        role: &str,
        window: (Option<Date>, Option<Date>),
    ) -> usize {
        let plain = names::surname(&mut self.rng);
        let given = names::given_names(&mut self.rng);
        let birth = names::date_between(&mut self.rng, ymd(1960, 1, 1), ymd(2001, 12, 31));
        // Staff postcodes are reserved: nobody else gets one (see
        // `ordinary_person`), so no address or surname+postcode link can
        // happen by chance.
        let pc = loop {
            let pc = names::postcode(&mut self.rng);
            if self.staff_postcodes.insert(pc.clone()) {
                break pc;
            }
        };
        let hn = names::house_number(&mut self.rng);
        let phone = loop {
            let p = names::staff_phone(&mut self.rng);
            if !self.links.has_phone(&p) {
                break p;
            }
        };
        let first = names::ascii_letters(given.split(' ').next().unwrap_or("x"));
        let last = names::ascii_letters(plain);
        let mut email = format!("{}.{last}@{}", &first[..1], names::STAFF_DOMAIN);
        let mut k = 2;
        while self.links.has_email(&email) {
            email = format!("{}.{last}{k}@{}", &first[..1], names::STAFF_DOMAIN);
            k += 1;
        }
        let pc_written = format!("{} {}", &pc[..4], &pc[4..]);
        let first_names = if self.rng.random_bool(0.8) {
            given.clone()
        } else {
            names::initials(&given)
        };
        self.employees.push(Employee {
            line: 0,
            id: EmployeeId::from(format!("P{num}")),
            last_name: plain.to_string(),
            first_names: Some(first_names),
            birth_date: Some(birth),
            postcode: Some(pc_written),
            house_number: Some(hn),
            email: Some(email),
            phone: Some(format!("06-{}", &phone[2..])),
            department: Some(dept.to_string()),
            role: Some(role.to_string()),
            // Nobody starts before their twentieth birthday.
            employed_from: window
                .0
                .map(|from| from.max(adult_on(birth) + Duration::days(730))),
            employed_to: window.1,
        });
        self.staff_names.push((plain, given));
        let i = self.employees.len() - 1;
        self.links.add_employee(i, &self.employees[i]);
        i
    }

    // ----- people ----------------------------------------------------------

    /// Whether `p` has any link to the staff (any time) or matches a
    /// declared relative: only people made for a plant may.
    fn clear(&self, p: &Person) -> bool {
        let pc_free = p
            .postcode
            .as_deref()
            .and_then(norm_postcode)
            .is_none_or(|pc| !self.staff_postcodes.contains(&pc));
        pc_free && self.links_of(p, None).is_empty()
    }

    /// The links of `p` (any time), as (employee index, kind).
    fn links_of(&self, p: &Person, applicant_id: Option<&ApplicantId>) -> Vec<(usize, Kind)> {
        self.links.links_at(
            &self.employees,
            &self.relations,
            &p.fields(),
            applicant_id,
            None,
        )
    }

    /// Drops the relations declared since there were `n` (a draw that
    /// linked by chance).
    fn drop_relations(&mut self, n: usize) {
        self.relations.truncate(n);
        self.links.truncate_relations(n);
    }

    /// A random person with no link to anyone on the staff.
    pub(crate) fn ordinary_person(&mut self, born: (Date, Date)) -> Person {
        loop {
            let p = names::random_person(&mut self.rng, born);
            if self.clear(&p) {
                return p;
            }
        }
    }

    /// A person with its own address and contact data, given surname and
    /// birth date (a relative of someone).
    fn person_named(&mut self, plain: &str, given: &str, birth: Date) -> Person {
        let pc = loop {
            let pc = names::postcode(&mut self.rng);
            if !self.staff_postcodes.contains(&pc) {
                break pc;
            }
        };
        let hn = names::house_number(&mut self.rng);
        let ph = names::phone(&mut self.rng);
        let em = names::email(&mut self.rng, given, plain);
        Person {
            last_name: plain.to_string(),
            first_names: Some(given.to_string()),
            birth_date: birth,
            postcode: Some(names::written_postcode(&mut self.rng, &pc)),
            house_number: Some(names::written_house_number(&mut self.rng, &hn)),
            email: Some(em),
            phone: Some(names::written_phone(&mut self.rng, &ph)),
        }
    }

    /// A relative of employee `e`: children, siblings and parents share the
    /// surname, a partner shares the address.
    fn relative(&mut self, e: usize, kind: RelationKind) -> Person {
        let (plain, _) = self.staff_names[e].clone();
        let birth = self.employees[e]
            .birth_date
            .expect("staff have birth dates");
        let given = names::given_names(&mut self.rng);
        let shift = |w: &mut World, lo: i64, hi: i64| {
            birth + Duration::days(w.rng.random_range(lo * 365..=hi * 365))
        };
        let adult = ymd(2006, 6, 30);
        match kind {
            RelationKind::Child => {
                let b = shift(self, 22, 34).min(adult);
                self.person_named(plain, &given, b)
            }
            RelationKind::Sibling => {
                let b = shift(self, -8, 8).min(adult);
                self.person_named(plain, &given, b)
            }
            RelationKind::Parent => {
                let b = shift(self, -34, -24);
                self.person_named(plain, &given, b)
            }
            RelationKind::Partner | RelationKind::HouseholdMember => {
                let other = names::surname(&mut self.rng);
                let b = shift(self, -6, 6).min(adult);
                let mut p = self.person_named(other, &given, b);
                // Partners live with the employee.
                let emp = &self.employees[e];
                let pc = norm_postcode(emp.postcode.as_deref().unwrap_or("")).unwrap_or_default();
                let hn = emp.house_number.clone().unwrap_or_default();
                p.postcode = Some(names::written_postcode(&mut self.rng, &pc));
                p.house_number = Some(names::written_house_number(&mut self.rng, &hn));
                p
            }
            RelationKind::InLaw | RelationKind::Other => {
                let other = names::surname(&mut self.rng);
                let b = shift(self, -10, 10).min(adult);
                self.person_named(other, &given, b)
            }
        }
    }

    /// Declares `p` as a relation of employee `e`. With `applicant`, the
    /// relation carries that applicant's (provisional) id; `full` writes the
    /// address and contact data too, else only the name and birth date.
    fn declare(
        &mut self,
        e: usize,
        kind: RelationKind,
        p: &Person,
        applicant: Option<usize>,
        full: bool,
    ) {
        let declared_on = self.date_in(self.day(-1500), self.day(-30));
        self.relations.push(Relation {
            line: 0,
            employee_id: self.eid(e),
            relation: kind,
            last_name: p.last_name.clone(),
            first_names: p.first_names.clone(),
            birth_date: Some(p.birth_date),
            postcode: p.postcode.clone().filter(|_| full),
            house_number: p.house_number.clone().filter(|_| full),
            email: p.email.clone().filter(|_| full),
            phone: p.phone.clone().filter(|_| full),
            // Provisional `#index` until the waiting list gets its ids.
            applicant_id: applicant.map(|i| ApplicantId::from(format!("#{i}"))),
            declared_on: Some(declared_on),
        });
        let i = self.relations.len() - 1;
        self.links.add_relation(i, &self.relations[i]);
    }

    /// Adds an applicant record for `p`; returns its index. The household,
    /// income and registration are drawn; callers adjust what a plant needs.
    pub(crate) fn push_applicant(
        &mut self,
        p: &Person,
        registration: Date,
        special: bool,
    ) -> usize {
        // The household as it is now, at the start of the adverts.
        let age = woonaudit::model::age_on(p.birth_date, self.day(0)).max(18);
        let size = self.household_size(age);
        let income = self.income(size);
        let registered_at = (registration >= ymd(2012, 1, 1)).then(|| {
            let lag = if self.rng.random_bool(0.9) {
                0
            } else {
                self.rng.random_range(1..=10)
            };
            (registration + Duration::days(lag)).and_time(self.office_time())
        });
        let created = registered_at.unwrap_or_else(|| {
            registration.and_hms_opt(0, 0, 0).expect("valid time")
                + Duration::seconds(self.rng.random_range(0..86_400))
        });
        self.applicants.push(Applicant {
            line: 0,
            id: ApplicantId::from(String::new()),
            last_name: p.last_name.clone().into(),
            first_names: p.first_names.clone().map(Into::into),
            birth_date: p.birth_date,
            postcode: p.postcode.clone().map(Into::into),
            house_number: p.house_number.clone().map(Into::into),
            email: p.email.clone().map(Into::into),
            phone: p.phone.clone().map(Into::into),
            registration_date: registration,
            registered_at,
            household_size: size,
            household_income: income,
            urgency: None,
            urgency_from: None,
            urgency_to: None,
            local_ties: self.rng.random_bool(0.3),
            current_tenant: false,
        });
        self.created.push(created);
        self.special.push(special);
        self.housed.push(false);
        self.applicants.len() - 1
    }

    fn household_size(&mut self, age: i64) -> u32 {
        let r = self.rng.random_range(0..100);
        if age < 25 {
            if r < 80 {
                1
            } else {
                2
            }
        } else if age >= 67 {
            if r < 60 {
                1
            } else {
                2
            }
        } else {
            match r {
                0..=39 => 1,
                40..=64 => 2,
                65..=79 => 3,
                80..=91 => 4,
                92..=97 => 5,
                _ => 6,
            }
        }
    }

    fn income(&mut self, size: u32) -> Option<Cents> {
        if self.rng.random_bool(0.04) {
            return None;
        }
        let (lo, hi) = if size == 1 {
            (14_000, 44_000)
        } else {
            (21_000, 68_000)
        };
        let euros: i64 = self.rng.random_range(lo..=hi);
        let cents = if self.rng.random_bool(0.5) {
            0
        } else {
            self.rng.random_range(0..100)
        };
        Some(Cents(euros * 100 + cents))
    }

    /// A registration date for someone born on `birth`: skewed to recent
    /// years, never before the 18th birthday.
    fn registration_date(&mut self, birth: Date) -> Date {
        let latest = self.day(540);
        let u: f64 = self.rng.random();
        let back = (u.powf(1.4) * 20.0 * 365.0) as i64;
        let d = latest - Duration::days(back);
        let adult = birth
            .with_year(birth.year() + 18)
            .unwrap_or(birth + Duration::days(18 * 365 + 5));
        d.max(adult).min(latest)
    }

    /// Applicant `i` gets an urgency valid from `from` for `months`.
    pub(crate) fn set_urgency(&mut self, i: usize, kind: &str, from: Date, months: i64) {
        let a = &mut self.applicants[i];
        a.urgency = Some(kind.into());
        a.urgency_from = Some(from);
        a.urgency_to = Some(from + Duration::days(months * 30));
    }

    /// The relations and the people made for the plants, then the rest of
    /// the waiting list, then the registration numbers.
    pub(crate) fn build_population(&mut self) {
        let r = self.roles.clone();
        let mut sp = Specials::default();
        let born = (ymd(1938, 1, 1), ymd(2006, 12, 31));
        self.declare_outsiders(&r);
        self.relatives_on_the_list(&r, &mut sp);
        sp.r5 = self.board_daughter(&r);
        // Buyers declared by name and birth date (not on the waiting list).
        let below = self.declared_buyer(r.fin[1], RelationKind::InLaw, false);
        let partner = self.declared_buyer(r.s[0], RelationKind::Partner, true);
        self.undeclared_links(&r, &mut sp, born);
        let (staff_self, undeclared) = self.undeclared_buyers(&r, born);
        self.buyers = Some(Buyers {
            below,
            staff_self,
            partner,
            undeclared,
        });
        self.date_stories(&mut sp, born);
        self.sp = sp;
        self.ordinary_applicants(born);
        self.assign_ids();
    }

    /// Relatives not on the waiting list: colour, and people who must
    /// match nobody else.
    fn declare_outsiders(&mut self, r: &Roles) {
        for (e, kind) in [
            (r.v[1], RelationKind::Partner),
            (r.db, RelationKind::Partner),
            (r.mw, RelationKind::Partner),
            (r.hr, RelationKind::Parent),
            (r.ond[1], RelationKind::Partner),
            (r.tl, RelationKind::Partner),
            (r.x, RelationKind::Sibling),
        ] {
            let p = self.relative(e, kind);
            let full = self.rng.random_bool(0.5);
            self.declare(e, kind, &p, None, full);
        }
    }

    /// Relatives on the waiting list (a relation row with their id), each
    /// linked to their employee only.
    fn relatives_on_the_list(&mut self, r: &Roles, sp: &mut Specials) {
        let with_id = [
            (r.v[1], RelationKind::Child, 2019),
            (r.v[4], RelationKind::Sibling, 2019),
            (r.ond[0], RelationKind::Child, 2020),
            (r.wk, RelationKind::Sibling, 2017),
            (r.v[2], RelationKind::Child, 0),
            (r.kc[0], RelationKind::Child, 2022),
            (r.s[1], RelationKind::Child, 2019),
            (r.tl, RelationKind::Child, 2021),
            (r.vl, RelationKind::Child, 2012),
        ];
        let mut made = Vec::new();
        for (e, kind, year) in with_id {
            let i = loop {
                let mut p = self.relative(e, kind);
                if kind == RelationKind::Child && e == r.ond[0] {
                    // Too young for a senior home: in their twenties.
                    p.birth_date =
                        names::date_between(&mut self.rng, ymd(1997, 1, 1), ymd(2003, 12, 31));
                }
                let reg = if year == 0 {
                    self.day(-580)
                } else {
                    let y = Date::from_ymd_opt(year, 1, 1).expect("valid");
                    self.date_in(y, y + Duration::days(360))
                };
                let reg = reg.max(adult_on(p.birth_date));
                let written = self.rewrite(&p);
                let i = self.push_applicant(&written, reg, true);
                let n_rel = self.relations.len();
                let full = self.rng.random_bool(0.5);
                self.declare(e, kind, &p, Some(i), full);
                let id = ApplicantId::from(format!("#{i}"));
                if self.links_of(&written, Some(&id)) == vec![(e, Kind::Declared)] {
                    break i;
                }
                // Drawn into someone else's circle by chance: try again.
                self.drop_relations(n_rel);
                self.pop_applicant();
            };
            made.push(i);
        }
        sp.r1 = made[0];
        sp.r2 = made[1];
        sp.r3 = made[2];
        sp.r4 = made[3];
        sp.r6 = made[4];
        sp.r7 = made[5];
        sp.r9 = made[6];
        sp.idle = made[7];
        sp.n1 = made[8];
    }

    /// The board member's daughter: declared by name and birth date only.
    fn board_daughter(&mut self, r: &Roles) -> usize {
        loop {
            let p = self.relative(r.db, RelationKind::Child);
            let reg = self
                .date_in(self.day(-2000), self.day(-400))
                .max(adult_on(p.birth_date));
            let written = self.rewrite(&p);
            let i = self.push_applicant(&written, reg, true);
            let n_rel = self.relations.len();
            self.declare(r.db, RelationKind::Child, &p, None, false);
            if self.links_of(&written, None) == vec![(r.db, Kind::Declared)] {
                break i;
            }
            self.drop_relations(n_rel);
            self.pop_applicant();
        }
    }

    /// A buyer declared by name and birth date (not on the waiting list) as
    /// employee `e`'s relative of `kind`, linked to `e` only.
    fn declared_buyer(&mut self, e: usize, kind: RelationKind, full: bool) -> Person {
        loop {
            let p = self.relative(e, kind);
            let n_rel = self.relations.len();
            self.declare(e, kind, &p, None, full);
            let written = self.rewrite(&p);
            if self.links_of(&written, None) == vec![(e, Kind::Declared)] {
                break written;
            }
            self.drop_relations(n_rel);
        }
    }

    /// Undeclared links and the near misses: made by hand, then checked to
    /// link exactly as meant.
    fn undeclared_links(&mut self, r: &Roles, sp: &mut Specials, born: (Date, Date)) {
        sp.u_addr = self.special_with(r.fin[0], Kind::Address, born);
        sp.u_contact = self.special_with(r.ict, Kind::Contact, born);
        sp.u_sp = self.special_with(r.ond[1], Kind::SurnamePostcode, born);
        sp.staff_self = self.special_with(r.kc[1], Kind::SelfMatch, born);
        sp.n2 = loop {
            // Same name as v[0], another birth date and address.
            let (plain, given) = self.staff_names[r.v[0]].clone();
            let birth = self.employees[r.v[0]].birth_date.expect("known")
                + Duration::days(self.rng.random_range(400..2000));
            let p = self.person_named(plain, &given, birth);
            if self.links_of(&p, None).is_empty() {
                let reg = self.registration_date(birth).min(self.day(-700));
                break self.push_applicant(&p, reg, true);
            }
        };
    }

    /// The buyers who are staff themselves or undeclared relatives of
    /// staff.
    fn undeclared_buyers(&mut self, r: &Roles, born: (Date, Date)) -> (Person, Person) {
        let staff_self = {
            let p = self.staff_person(r.ond[2]);
            self.rewrite(&p)
        };
        let undeclared = loop {
            let mut p = self.ordinary_person(born);
            let emp = &self.employees[r.hr];
            p.postcode = emp.postcode.clone();
            p.house_number = emp.house_number.clone();
            if self.links_of(&p, None) == vec![(r.hr, Kind::Address)] {
                break p;
            }
        };
        (staff_self, undeclared)
    }

    /// Registrations with a date story (see `build_changes`), and the
    /// registrations of the plants' honest winners.
    fn date_stories(&mut self, sp: &mut Specials, born: (Date, Date)) {
        let b1 = self.ordinary_person(born);
        sp.b1 = self.push_applicant(&b1, self.day(-663), true);
        let b2 = self.ordinary_person(born);
        sp.b2 = self.push_applicant(&b2, self.day(-826), true);
        let g1 = self.ordinary_person(born);
        sp.g1 = self.push_applicant(&g1, self.day(-126), true);
        for i in [sp.b1, sp.b2, sp.g1] {
            let reg = self.applicants[i].registration_date;
            let at = reg.and_time(self.office_time());
            self.applicants[i].registered_at = Some(at);
            self.created[i] = at;
        }
        // Three outsiders whose dates kc[2] moves years earlier (see
        // `plant_changes`); adults long before the dates they get.
        let adults = (ymd(1950, 1, 1), ymd(1990, 12, 31));
        for (k, real) in [-420, -310, -150].into_iter().enumerate() {
            let p = self.ordinary_person(adults);
            let i = self.push_applicant(&p, self.day(real), true);
            let at = self.day(real).and_time(self.office_time());
            self.applicants[i].registered_at = Some(at);
            self.created[i] = at;
            sp.d[k] = i;
        }
        for (i, moved) in sp.d.into_iter().zip([-3900, -4650, -3350]) {
            self.applicants[i].registration_date = self.day(moved);
        }
        // b1 and b2 keep their real registered_at; their registration_date
        // is moved years earlier by the edit in `build_changes`.
        self.applicants[sp.b1].registration_date = self.day(-5700);
        self.applicants[sp.b2].registration_date = self.day(-5440);
        // g1: the date typed is 16 months before the record was made.
        self.applicants[sp.g1].registration_date = self.day(-616);
        // r6: really registered 7 months before the first advert.
        let at = self.day(-217).and_time(self.office_time());
        self.applicants[sp.r6].registered_at = Some(at);
        self.created[sp.r6] = at;
        self.applicants[sp.r6].registration_date = self.day(-2548);
        // r7: urgency granted by their parent (see `build_changes`).
        self.set_urgency(sp.r7, "sociaal", self.day(428), 6);
        // The honest winners rank high: long registrations, no urgency.
        for i in [sp.u_addr, sp.u_sp, sp.staff_self, sp.n1, sp.n2] {
            let d = self.date_in(self.day(-5800), self.day(-4300));
            let d = d.max(adult_on(self.applicants[i].birth_date));
            self.applicants[i].registration_date = d;
            self.applicants[i].registered_at = None;
            self.created[i] = d.and_hms_opt(12, 0, 0).expect("valid");
        }
    }

    /// The rest of the waiting list: ordinary seekers, a few urgent.
    fn ordinary_applicants(&mut self, born: (Date, Date)) {
        // The v1.2 plants add their own seekers at the end.
        let target = self.opts.applicants - super::policies::SEEKERS;
        while self.applicants.len() < target {
            let p = self.ordinary_person(born);
            let reg = self.registration_date(p.birth_date);
            let i = self.push_applicant(&p, reg, false);
            if self.rng.random_bool(0.06) {
                let kind = *URGENCY_KINDS.choose(&mut self.rng).expect("non-empty");
                let from = self.date_in(self.day(-400), self.day(620));
                let months = self.rng.random_range(6..=12);
                self.set_urgency(i, kind, from, months);
                if self.rng.random_bool(0.1) {
                    self.applicants[i].urgency_to = None;
                }
            }
        }
    }

    /// Removes the last applicant (a draw that linked by chance).
    fn pop_applicant(&mut self) {
        self.applicants.pop();
        self.created.pop();
        self.special.pop();
        self.housed.pop();
    }

    /// The staff member's own fields as a person.
    fn staff_person(&self, e: usize) -> Person {
        let emp = &self.employees[e];
        Person {
            last_name: emp.last_name.clone(),
            first_names: emp.first_names.clone(),
            birth_date: emp.birth_date.expect("staff have birth dates"),
            postcode: emp.postcode.clone(),
            house_number: emp.house_number.clone(),
            email: emp.email.clone(),
            phone: emp.phone.clone(),
        }
    }

    /// The same person as another export writes it: surname maybe
    /// inverted, first names maybe initials, postcode, house number and
    /// phone spelled differently (the normalised values are unchanged).
    fn rewrite(&mut self, p: &Person) -> Person {
        let mut q = p.clone();
        q.last_name = names::written_surname(&mut self.rng, &p.last_name);
        if let Some(g) = &p.first_names {
            if self.rng.random_bool(0.3) && !g.contains('.') {
                q.first_names = Some(names::initials(g));
            }
        }
        if let Some(pc) = p.postcode.as_deref().and_then(norm_postcode) {
            q.postcode = Some(names::written_postcode(&mut self.rng, &pc));
        }
        if let Some(hn) = p
            .house_number
            .as_deref()
            .and_then(super::link::norm_house_number)
        {
            q.house_number = Some(names::written_house_number(&mut self.rng, &hn));
        }
        if let Some(ph) = p.phone.as_deref().and_then(norm_phone) {
            q.phone = Some(names::written_phone(&mut self.rng, &ph));
        }
        q
    }

    /// An applicant linked to employee `e` by exactly one undeclared kind
    /// (or `self`): made from a random person, then given the shared field.
    fn special_with(&mut self, e: usize, kind: Kind, born: (Date, Date)) -> usize {
        loop {
            let mut p = self.ordinary_person(born);
            let emp = self.employees[e].clone();
            let emp_pc = norm_postcode(emp.postcode.as_deref().unwrap_or("")).unwrap_or_default();
            match kind {
                Kind::Address => {
                    p.postcode = Some(names::written_postcode(&mut self.rng, &emp_pc));
                    let hn =
                        super::link::norm_house_number(emp.house_number.as_deref().unwrap_or(""))
                            .unwrap_or_default();
                    p.house_number = Some(names::written_house_number(&mut self.rng, &hn));
                }
                Kind::Contact => {
                    let ph = norm_phone(emp.phone.as_deref().unwrap_or("")).unwrap_or_default();
                    p.phone = Some(names::written_phone(&mut self.rng, &ph));
                }
                Kind::SurnamePostcode => {
                    p.last_name = names::written_surname(&mut self.rng, self.staff_names[e].0);
                    p.postcode = Some(names::written_postcode(&mut self.rng, &emp_pc));
                    p.house_number = Some(names::house_number(&mut self.rng));
                }
                Kind::SelfMatch => {
                    let own = self.staff_person(e);
                    p = self.rewrite(&own);
                    // A private e-mail on the waiting list.
                    p.email = None;
                }
                Kind::Declared => unreachable!("declared people come from `declare`"),
            }
            if self.links_of(&p, None) == vec![(e, kind)] {
                let reg = self.registration_date(p.birth_date);
                return self.push_applicant(&p, reg, true);
            }
        }
    }

    /// Registration numbers in the order the records were created, so a
    /// backdated registration_date stands out against its number.
    fn assign_ids(&mut self) {
        let mut order: Vec<usize> = (0..self.applicants.len()).collect();
        order.sort_by_key(|&i| (self.created[i], i));
        let mut n: u32 = 2_000_000 + self.rng.random_range(0..500);
        for i in order {
            n += self.rng.random_range(1..=4);
            self.applicants[i].id = ApplicantId::from(n.to_string());
        }
        for rel in &mut self.relations {
            if let Some(prov) = rel.applicant_id.as_ref() {
                let i: usize = prov.as_str()[1..].parse().expect("provisional id");
                rel.applicant_id = Some(self.applicants[i].id);
            }
        }
        // The relations carry the new ids now.
        self.links = Index::new(&self.employees, &self.relations);
        self.applicant_ids = (0..self.applicants.len())
            .map(|i| (self.applicants[i].id, i))
            .collect();
    }

    /// The index of an applicant by id (once the ids are assigned).
    pub(crate) fn applicant_index(&self, id: &ApplicantId) -> usize {
        *self.applicant_ids.get(id).expect("known applicant")
    }

    // ----- edit log ----------------------------------------------------------

    /// The edit log: honest edits of ordinary registrations (applied to the
    /// records), and the planted ones.
    pub(crate) fn build_changes(&mut self) {
        let r = self.roles.clone();
        let editors: Vec<usize> = {
            let mut v = r.kc.to_vec();
            v.extend(r.v);
            v.extend([r.tl, r.vl, r.h]);
            v
        };
        self.honest_edits(&editors);
        self.urgency_edits(&editors);
        self.plant_changes();
    }

    /// Edits of ordinary registrations by one of the `editors` on duty,
    /// one for every eighth applicant (fewer where a draw does not fit).
    fn honest_edits(&mut self, editors: &[usize]) {
        let n = self.opts.applicants / 8;
        let ordinary: Vec<usize> = (0..self.applicants.len())
            .filter(|&i| !self.special[i])
            .collect();
        for _ in 0..n {
            let i = *ordinary.choose(&mut self.rng).expect("non-empty");
            let earliest = self.created[i].date().max(self.day(-370));
            let latest = self.end() - Duration::days(10);
            if earliest >= latest {
                continue;
            }
            let day = self.date_in(earliest, latest);
            let staff: Vec<usize> = editors
                .iter()
                .copied()
                .filter(|&e| self.employees[e].employed_on(day))
                .collect();
            let Some(&by) = staff.choose(&mut self.rng) else {
                continue;
            };
            let at = day.and_time(self.office_time());
            let id = self.aid(i);
            let Some((field, old, new, reason)) = self.honest_edit(i, day) else {
                continue;
            };
            self.changes.push(RegistrationChange {
                line: 0,
                applicant_id: id,
                changed_at: at,
                field: field.to_string(),
                old_value: Some(old),
                new_value: Some(new),
                changed_by: Some(self.eid(by)),
                reason: Some(reason.to_string()),
            });
        }
    }

    /// One honest edit of applicant `i` on `day`, as (field, old value, new
    /// value, reason), applied to the record where it changes the
    /// registration date; `None` when the drawn kind of edit does not fit.
    fn honest_edit(
        &mut self,
        i: usize,
        day: Date,
    ) -> Option<(&'static str, String, String, &'static str)> {
        let roll = self.rng.random_range(0..100);
        let edit: (&'static str, String, String, &'static str) = match roll {
            0..=34 => {
                let pc = names::postcode(&mut self.rng);
                let hn = names::house_number(&mut self.rng);
                let a = &self.applicants[i];
                let new = format!(
                    "{} {}",
                    a.postcode.clone().unwrap_or_default().trim(),
                    a.house_number.unwrap_or_default()
                );
                ("address", format!("{} {hn}", &pc), new, "verhuisd")
            }
            35..=59 => {
                let cur = self.applicants[i].household_income?;
                let old = Cents(cur.0 - self.rng.random_range(-400_000..400_000));
                if old.0 <= 0 {
                    return None;
                }
                let reason = if self.rng.random_bool(0.5) {
                    "inkomensverklaring Belastingdienst"
                } else {
                    "nieuwe loonstrook"
                };
                ("household_income", old.to_string(), cur.to_string(), reason)
            }
            60..=74 => {
                let cur = self.applicants[i].household_size;
                let old = if cur > 1 && self.rng.random_bool(0.6) {
                    cur - 1
                } else {
                    cur + 1
                };
                let reason = if old < cur {
                    "gezinsuitbreiding"
                } else {
                    "scheiding"
                };
                ("household_size", old.to_string(), cur.to_string(), reason)
            }
            75..=84 => {
                let cur = self.applicants[i].phone.clone()?;
                let old = names::phone(&mut self.rng);
                ("phone", old, cur.to_string(), "gewijzigd door klant")
            }
            _ => {
                // Re-registration after the registration lapsed: the
                // seniority date moves later, to the day of the edit.
                let cur = self.applicants[i].registration_date;
                if day <= cur + Duration::days(60) || day > self.day(500) {
                    return None;
                }
                self.applicants[i].registration_date = day;
                (
                    "registration_date",
                    iso(cur),
                    iso(day),
                    "herinschrijving na verlopen inschrijving",
                )
            }
        };
        Some(edit)
    }

    /// Urgent seekers got their urgency through the log as well, from one
    /// of the `editors` on duty.
    fn urgency_edits(&mut self, editors: &[usize]) {
        for i in 0..self.applicants.len() {
            if self.special[i] || self.applicants[i].urgency.is_none() {
                continue;
            }
            let Some(from) = self.applicants[i].urgency_from else {
                continue;
            };
            if from < self.day(-370) || from > self.end() {
                continue;
            }
            let staff: Vec<usize> = editors
                .iter()
                .copied()
                .filter(|&e| self.employees[e].employed_on(from))
                .collect();
            let Some(&by) = staff.choose(&mut self.rng) else {
                continue;
            };
            let at = from.and_time(self.office_time());
            let kind = self.applicants[i].urgency.unwrap_or_default();
            self.changes.push(RegistrationChange {
                line: 0,
                applicant_id: self.aid(i),
                changed_at: at,
                field: "urgency".to_string(),
                old_value: Some("geen".to_string()),
                new_value: Some(kind.to_string()),
                changed_by: Some(self.eid(by)),
                reason: Some("urgentieverklaring afgegeven".to_string()),
            });
        }
    }

    /// The planted edits: backdated registrations and a relative's urgency.
    fn plant_changes(&mut self) {
        let (r, sp) = (self.roles.clone(), self.sp.clone());
        let v2 = self.eid(r.v[2]);
        let backdate = [
            (sp.b1, 14, Some("correctie inschrijfdatum")),
            (sp.b2, 245, None),
            (
                sp.r6,
                134,
                Some("correctie inschrijfdatum, oude inschrijving gevonden"),
            ),
        ];
        for (i, offset, reason) in backdate {
            let real = self.applicants[i]
                .registered_at
                .expect("set in build_population")
                .date();
            let moved = self.applicants[i].registration_date;
            let at = self.day(offset).and_time(self.office_time());
            self.changes.push(RegistrationChange {
                line: 0,
                applicant_id: self.aid(i),
                changed_at: at,
                field: "registration_date".to_string(),
                old_value: Some(iso(real)),
                new_value: Some(iso(moved)),
                changed_by: Some(v2),
                reason: reason.map(str::to_string),
            });
            let id = self.aid(i).as_str();
            let note = if i == sp.r6 {
                format!(
                    "{v2} moved the registration date of their own child {id} from {real} to {moved}"
                )
            } else {
                format!(
                    "{v2} moved the registration date from {real} to {moved}; the applicant got a home afterwards"
                )
            };
            self.intend("REGISTRATION_BACKDATED", id, id, note);
        }
        let (b1, b2, r6) = (
            self.aid(sp.b1).as_str(),
            self.aid(sp.b2).as_str(),
            self.aid(sp.r6).as_str(),
        );
        self.intend(
            "ACTOR_BACKDATING",
            v2.as_str(),
            "",
            format!(
                "{v2} moved the registration dates of {b1}, {b2} and their own child {r6} earlier"
            ),
        );
        // kc[2] moves three outsiders' dates years earlier, one without a
        // reason: nobody is linked, only the pattern shows.
        let kc2 = self.eid(r.kc[2]);
        let outsiders = [
            (sp.d[0], 95, Some("correctie inschrijfdatum")),
            (sp.d[1], 212, Some("inschrijving overgenomen")),
            (sp.d[2], 333, None),
        ];
        let mut moved_ids = Vec::new();
        for (i, offset, reason) in outsiders {
            let real = self.applicants[i]
                .registered_at
                .expect("set in build_population")
                .date();
            let moved = self.applicants[i].registration_date;
            let at = self.day(offset).and_time(self.office_time());
            self.changes.push(RegistrationChange {
                line: 0,
                applicant_id: self.aid(i),
                changed_at: at,
                field: "registration_date".to_string(),
                old_value: Some(iso(real)),
                new_value: Some(iso(moved)),
                changed_by: Some(kc2),
                reason: reason.map(str::to_string),
            });
            let id = self.aid(i).as_str();
            self.intend(
                "REGISTRATION_BACKDATED",
                id,
                id,
                format!(
                    "{kc2} moved the registration date from {real} to {moved} ({} days); not housed",
                    (real - moved).num_days()
                ),
            );
            moved_ids.push(id.to_string());
        }
        self.intend(
            "ACTOR_BACKDATING",
            kc2.as_str(),
            "",
            format!(
                "{kc2} moved the registration dates of three applicants not linked to staff years earlier: {}",
                moved_ids.join(", ")
            ),
        );
        let kc0 = self.eid(r.kc[0]);
        self.intend(
            "CONFLICT_OF_INTEREST",
            r6,
            r6,
            format!("{v2} edited the registration of their own child"),
        );
        let from = self.applicants[sp.r7].urgency_from.expect("set");
        let at = from.and_time(self.office_time());
        self.changes.push(RegistrationChange {
            line: 0,
            applicant_id: self.aid(sp.r7),
            changed_at: at,
            field: "urgency".to_string(),
            old_value: Some("geen".to_string()),
            new_value: Some("sociaal".to_string()),
            changed_by: Some(kc0),
            reason: Some("op verzoek wijkteam".to_string()),
        });
        let r7 = self.aid(sp.r7).as_str();
        self.intend(
            "CONFLICT_OF_INTEREST",
            r7,
            r7,
            format!("{kc0} granted urgency to their own child"),
        );
        let g1 = self.aid(sp.g1);
        let a = &self.applicants[sp.g1];
        let note = format!(
            "registration_date {} is {} days before the record was created ({}), no edit logged",
            a.registration_date,
            (a.registered_at.expect("set").date() - a.registration_date).num_days(),
            a.registered_at.expect("set").date()
        );
        self.intend("REGISTRATION_BACKDATED", g1.as_str(), g1.as_str(), note);
    }
}

/// The 18th birthday (registration is possible from then).
pub(crate) fn adult_on(birth: Date) -> Date {
    birth
        .with_year(birth.year() + 18)
        .unwrap_or(birth + Duration::days(18 * 365 + 5))
}

/// A date from constant parts (panics on an impossible date: a bug).
pub(crate) const fn ymd(y: i32, m: u32, d: u32) -> Date {
    match Date::from_ymd_opt(y, m, d) {
        Some(date) => date,
        None => panic!("impossible date"),
    }
}

/// The earliest employment start in the register.
const EARLY: Date = ymd(1996, 1, 1);
