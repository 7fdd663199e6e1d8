/*!
Linking people to staff (spec section 2): which employees a tenant,
candidate, buyer or applicant is linked to on the day of an event, by which
kinds, and the evidence in words.

The waiting list can hold a million people and the registers a few thousand,
so a person is never compared with every employee. [`Linker::new`] indexes
the staff register and the relations once on exact keys, and a person is
scored only against the entries that share a key with them. Every rule needs
one such key, which makes the blocking exact:

| kind | key it cannot hold without |
|---|---|
| `self` | birth date (Jaro-Winkler runs only inside that block) |
| `declared` | the relation's applicant_id, or its birth date (self rule) |
| `address` | postcode (house numbers compared inside the block) |
| `contact` | e-mail; phone |
| `surname_postcode` | postcode (surnames compared inside the block) |
*/

pub mod normalize;
pub mod register;
#[cfg(test)]
mod tests;

use crate::fast::FastMap;
use std::cell::OnceCell;
use std::fmt::{self, Write as _};

use serde::Serialize;

use crate::dataset::Dataset;
use crate::model::{ApplicantId, Date, Employee, EmployeeId, PersonFields, Relation};

/// Jaro-Winkler similarity at or above which two normalised last names
/// count as the same for the `self` rule (spec 2).
const JARO_WINKLER_MIN: f64 = 0.92;

/// The kind of a link between a person and an employee. The order is the
/// spec's strength: `SelfMatch` is the strongest and sorts first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum LinkKind {
    /// The person is the employee (same birth date, similar last name).
    #[serde(rename = "self")]
    SelfMatch,
    /// The person is in the employee's declared private circle.
    #[serde(rename = "declared")]
    Declared,
    /// Same postcode and house number as the employee.
    #[serde(rename = "address")]
    Address,
    /// Same e-mail address or phone number as the employee.
    #[serde(rename = "contact")]
    Contact,
    /// Same last name and postcode, another or unknown house number.
    #[serde(rename = "surname_postcode")]
    SurnamePostcode,
}

impl LinkKind {
    /// The spec's spelling (`self`, `declared`, `address`, `contact`,
    /// `surname_postcode`).
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::SelfMatch => "self",
            LinkKind::Declared => "declared",
            LinkKind::Address => "address",
            LinkKind::Contact => "contact",
            LinkKind::SurnamePostcode => "surname_postcode",
        }
    }

    /// Whether a pair whose strongest kind is this one is an undeclared
    /// link (spec 2: kinds 3, 4 and 5).
    pub fn is_undeclared(self) -> bool {
        matches!(
            self,
            LinkKind::Address | LinkKind::Contact | LinkKind::SurnamePostcode
        )
    }
}

impl fmt::Display for LinkKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A person linked to one employee.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// The employee.
    pub employee_id: EmployeeId,
    /// The strongest kind that holds; the pair's kind.
    pub kind: LinkKind,
    /// Every kind that holds, strongest first (`kinds[0] == kind`).
    pub kinds: Vec<LinkKind>,
    /// One plain sentence naming the employee and their employment window,
    /// every kind that holds and the fields that matched.
    pub evidence: String,
}

/// A person's fields in comparison form.
#[derive(Debug, Default)]
struct Norm {
    last_name: Option<String>,
    initial: Option<char>,
    birth_date: Option<Date>,
    postcode: Option<String>,
    house_number: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

impl Norm {
    fn of(p: &PersonFields<'_>) -> Self {
        Norm {
            last_name: normalize::name(p.last_name),
            initial: p.first_names.and_then(normalize::first_initial),
            birth_date: p.birth_date,
            postcode: p.postcode.and_then(normalize::postcode),
            house_number: p.house_number.and_then(normalize::house_number),
            email: p.email.and_then(normalize::email),
            phone: p.phone.and_then(normalize::phone),
        }
    }
}

/// An employee of the staff register, normalised.
#[derive(Debug)]
struct Staff<'a> {
    employee: &'a Employee,
    norm: Norm,
}

/// A relations row of a known employee, normalised.
#[derive(Debug)]
struct Circle<'a> {
    relation: &'a Relation,
    /// Index into `Linker::staff`.
    staff: u32,
    norm: Norm,
}

/// Links people to the staff register and the declared relations of one
/// dataset. Build it once; it answers for any number of people and days.
#[derive(Debug)]
pub struct Linker<'a> {
    staff: Vec<Staff<'a>>,
    circle: Vec<Circle<'a>>,
    staff_by_birth: FastMap<Date, Vec<u32>>,
    staff_by_postcode: FastMap<String, Vec<u32>>,
    staff_by_email: FastMap<String, Vec<u32>>,
    staff_by_phone: FastMap<String, Vec<u32>>,
    circle_by_birth: FastMap<Date, Vec<u32>>,
    circle_by_applicant: FastMap<&'a str, Vec<u32>>,
}

fn push_key<K: std::hash::Hash + Eq>(map: &mut FastMap<K, Vec<u32>>, key: Option<K>, i: u32) {
    if let Some(key) = key {
        map.entry(key).or_default().push(i);
    }
}

impl<'a> Linker<'a> {
    /// Normalises and indexes the staff register and the relations of
    /// `data`. An employee id seen twice keeps its first row, as validation
    /// does; a relation of an employee not in the register is left out,
    /// since a link needs the employee's employment window.
    pub fn new(data: &'a Dataset) -> Self {
        let mut linker = Linker {
            staff: Vec::with_capacity(data.employees.len()),
            circle: Vec::with_capacity(data.relations.len()),
            staff_by_birth: FastMap::default(),
            staff_by_postcode: FastMap::default(),
            staff_by_email: FastMap::default(),
            staff_by_phone: FastMap::default(),
            circle_by_birth: FastMap::default(),
            circle_by_applicant: FastMap::default(),
        };
        let mut by_id: FastMap<&EmployeeId, u32> = FastMap::default();
        for employee in &data.employees {
            let Ok(i) = u32::try_from(linker.staff.len()) else {
                break;
            };
            if by_id.contains_key(&employee.id) {
                continue;
            }
            by_id.insert(&employee.id, i);
            let norm = Norm::of(&employee.person());
            push_key(&mut linker.staff_by_birth, norm.birth_date, i);
            push_key(&mut linker.staff_by_postcode, norm.postcode.clone(), i);
            push_key(&mut linker.staff_by_email, norm.email.clone(), i);
            push_key(&mut linker.staff_by_phone, norm.phone.clone(), i);
            linker.staff.push(Staff { employee, norm });
        }
        for relation in &data.relations {
            let Some(&staff) = by_id.get(&relation.employee_id) else {
                continue;
            };
            let Ok(i) = u32::try_from(linker.circle.len()) else {
                break;
            };
            let norm = Norm::of(&relation.person());
            push_key(&mut linker.circle_by_birth, norm.birth_date, i);
            push_key(
                &mut linker.circle_by_applicant,
                relation.applicant_id.as_ref().map(ApplicantId::as_str),
                i,
            );
            linker.circle.push(Circle {
                relation,
                staff,
                norm,
            });
        }
        linker
    }

    /// Every employee the person is linked to on `day` (the employee's
    /// employment window covers it), strongest kind first, then lowest
    /// `employee_id` (byte order). The first link is the one a finding
    /// names.
    ///
    /// `applicant_id` serves the `declared` rule only: the applicant's own
    /// id, or a sale's `buyer_applicant_id`.
    #[must_use]
    pub fn links(
        &self,
        person: PersonFields<'_>,
        applicant_id: Option<&ApplicantId>,
        day: Date,
    ) -> Vec<Link> {
        self.collect(person, applicant_id, Some(day))
    }

    /// Every employee the person would be linked to at some time, ignoring
    /// the employment window, in the order of [`Linker::links`]. The
    /// evidence states each employee's window, for the links listing.
    #[must_use]
    pub fn candidates(
        &self,
        person: PersonFields<'_>,
        applicant_id: Option<&ApplicantId>,
    ) -> Vec<Link> {
        self.collect(person, applicant_id, None)
    }

    fn collect(
        &self,
        person: PersonFields<'_>,
        applicant_id: Option<&ApplicantId>,
        day: Option<Date>,
    ) -> Vec<Link> {
        let query = Query::new(person);
        let active = |staff: u32| {
            self.staff
                .get(staff as usize)
                .is_some_and(|s| day.is_none_or(|d| s.employee.employed_on(d)))
        };
        let mut pairs = Pairs::default();

        if let Some(birth) = person.birth_date {
            for &s in self.staff_by_birth.get(&birth).into_iter().flatten() {
                if !active(s) {
                    continue;
                }
                if let Some(m) = self.staff.get(s as usize).and_then(|e| query.same(&e.norm)) {
                    pairs.get(s).self_match = Some(m);
                }
            }
            for &c in self.circle_by_birth.get(&birth).into_iter().flatten() {
                let Some(row) = self.circle.get(c as usize) else {
                    continue;
                };
                if !active(row.staff) {
                    continue;
                }
                if let Some(m) = query.same(&row.norm) {
                    pairs.get(row.staff).declared(c).by_person = Some(m);
                }
            }
        }

        if let Some(id) = applicant_id {
            for &c in self
                .circle_by_applicant
                .get(id.as_str())
                .into_iter()
                .flatten()
            {
                let Some(row) = self.circle.get(c as usize) else {
                    continue;
                };
                if active(row.staff) {
                    pairs.get(row.staff).declared(c).by_applicant = true;
                }
            }
        }

        if let Some(postcode) = query.postcode.as_deref() {
            for &s in self.staff_by_postcode.get(postcode).into_iter().flatten() {
                let Some(staff) = self.staff.get(s as usize) else {
                    continue;
                };
                if !active(s) {
                    continue;
                }
                match (query.house_number(), staff.norm.house_number.as_deref()) {
                    (Some(a), Some(b)) if a == b => pairs.get(s).address = true,
                    _ => {
                        if query.last_name().is_some()
                            && query.last_name() == staff.norm.last_name.as_deref()
                        {
                            pairs.get(s).surname_postcode = true;
                        }
                    }
                }
            }
        }

        if let Some(email) = query.email.as_deref() {
            for &s in self.staff_by_email.get(email).into_iter().flatten() {
                if active(s) {
                    pairs.get(s).email = true;
                }
            }
        }
        if let Some(phone) = query.phone.as_deref() {
            for &s in self.staff_by_phone.get(phone).into_iter().flatten() {
                if active(s) {
                    pairs.get(s).phone = true;
                }
            }
        }

        let mut links: Vec<Link> = pairs
            .0
            .iter()
            .filter_map(|pair| self.link(&query, pair))
            .collect();
        links.sort_by(|a, b| {
            a.kind
                .cmp(&b.kind)
                .then_with(|| a.employee_id.cmp(&b.employee_id))
        });
        links
    }

    /// Turns what held for one employee into a link with its evidence.
    fn link(&self, query: &Query<'_>, pair: &Pair) -> Option<Link> {
        let staff = self.staff.get(pair.staff as usize)?;
        let mut kinds = Vec::with_capacity(2);
        if pair.self_match.is_some() {
            kinds.push(LinkKind::SelfMatch);
        }
        if !pair.declared.is_empty() {
            kinds.push(LinkKind::Declared);
        }
        if pair.address {
            kinds.push(LinkKind::Address);
        }
        if pair.email || pair.phone {
            kinds.push(LinkKind::Contact);
        }
        if pair.surname_postcode {
            kinds.push(LinkKind::SurnamePostcode);
        }
        let kind = *kinds.first()?;
        // Several rows of one employee can match; list them by what they
        // say, not by where they stand, so that the evidence does not
        // change when the export lists its rows in another order.
        let mut pair_declared: Vec<&Declared> = pair.declared.iter().collect();
        pair_declared.sort_by_cached_key(|d| {
            self.circle.get(d.circle as usize).map(|c| {
                let r = c.relation;
                (
                    r.relation.to_string(),
                    r.last_name.clone(),
                    r.first_names.clone(),
                    r.birth_date,
                    r.applicant_id.as_ref().map(|a| a.to_string()),
                    r.declared_on,
                    r.line,
                )
            })
        });
        let evidence = self.evidence(query, pair, &pair_declared, staff, kind);
        Some(Link {
            employee_id: staff.employee.id,
            kind,
            kinds,
            evidence,
        })
    }

    /// One sentence: the employee and window, then a clause per kind that
    /// holds, strongest first, each with the values that matched.
    fn evidence(
        &self,
        query: &Query<'_>,
        pair: &Pair,
        declared: &[&Declared],
        staff: &Staff<'_>,
        kind: LinkKind,
    ) -> String {
        let e = staff.employee;
        let mut clauses: Vec<String> = Vec::new();
        if let Some(m) = &pair.self_match {
            clauses.push(format!(
                "same person by {}",
                m.describe(query.raw.last_name, &e.last_name)
            ));
        }
        for d in declared {
            let Some(row) = self.circle.get(d.circle as usize) else {
                continue;
            };
            let r = row.relation;
            // The row is named by its content (and the date it was
            // declared), not by its line: a line number would make the
            // findings depend on the order of the export's rows.
            let mut clause = match r.declared_on {
                Some(on) => format!(
                    "declared {} (relations register, declared {on}) by ",
                    r.relation
                ),
                None => format!("declared {} (relations register) by ", r.relation),
            };
            if d.by_applicant {
                if let Some(id) = &r.applicant_id {
                    let _ = write!(clause, "applicant_id {id}");
                }
            }
            if let Some(m) = &d.by_person {
                if d.by_applicant {
                    clause.push_str(" and by ");
                }
                clause.push_str(&m.describe(query.raw.last_name, &r.last_name));
            }
            clauses.push(clause);
        }
        if pair.address {
            clauses.push(format!(
                "same postcode {} and house number {}",
                query.postcode.as_deref().unwrap_or_default(),
                query.house_number().unwrap_or_default()
            ));
        }
        match (pair.email, pair.phone) {
            (true, true) => clauses.push(format!(
                "same e-mail {} and phone {}",
                query.email.as_deref().unwrap_or_default(),
                query.phone.as_deref().unwrap_or_default()
            )),
            (true, false) => clauses.push(format!(
                "same e-mail {}",
                query.email.as_deref().unwrap_or_default()
            )),
            (false, true) => clauses.push(format!(
                "same phone {}",
                query.phone.as_deref().unwrap_or_default()
            )),
            (false, false) => {}
        }
        if pair.surname_postcode {
            let house = match (query.house_number(), staff.norm.house_number.as_deref()) {
                (Some(a), Some(b)) => format!("house numbers {a} and {b}"),
                (None, Some(b)) => format!("house numbers unknown and {b}"),
                (Some(a), None) => format!("house numbers {a} and unknown"),
                (None, None) => "house numbers unknown".to_string(),
            };
            clauses.push(format!(
                "same last name '{}' and postcode {}, {house}",
                query.last_name().unwrap_or_default(),
                query.postcode.as_deref().unwrap_or_default()
            ));
        }
        if kind.is_undeclared() {
            clauses.push("not in the relations register".to_string());
        }
        format!("employee {} ({}): {}", e.id, window(e), clauses.join("; "))
    }
}

/// The employment window in words.
fn window(e: &Employee) -> String {
    match (e.employed_from, e.employed_to) {
        (Some(from), Some(to)) => format!("employed {from} to {to}"),
        (Some(from), None) => format!("employed since {from}"),
        (None, Some(to)) => format!("employed until {to}"),
        (None, None) => "employment dates not recorded".to_string(),
    }
}

/// The person being linked. The fields that need an index hit to matter
/// (last name, house number) are normalised only on first use: most of a
/// waiting list shares no key with the registers.
struct Query<'p> {
    raw: PersonFields<'p>,
    postcode: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    last_name: OnceCell<Option<String>>,
    initial: OnceCell<Option<char>>,
    house_number: OnceCell<Option<String>>,
}

impl<'p> Query<'p> {
    fn new(raw: PersonFields<'p>) -> Self {
        Query {
            raw,
            postcode: raw.postcode.and_then(normalize::postcode),
            email: raw.email.and_then(normalize::email),
            phone: raw.phone.and_then(normalize::phone),
            last_name: OnceCell::new(),
            initial: OnceCell::new(),
            house_number: OnceCell::new(),
        }
    }

    fn last_name(&self) -> Option<&str> {
        self.last_name
            .get_or_init(|| normalize::name(self.raw.last_name))
            .as_deref()
    }

    fn initial(&self) -> Option<char> {
        *self
            .initial
            .get_or_init(|| self.raw.first_names.and_then(normalize::first_initial))
    }

    fn house_number(&self) -> Option<&str> {
        self.house_number
            .get_or_init(|| self.raw.house_number.and_then(normalize::house_number))
            .as_deref()
    }

    /// The `self` rule against another person's normalised fields: both
    /// birth dates known and equal, last names equal or Jaro-Winkler >= 0.92,
    /// first initials equal where both are known. A last name that is empty
    /// after normalisation is missing and matches nothing.
    fn same(&self, other: &Norm) -> Option<NameMatch> {
        let birth_date = self.raw.birth_date?;
        if other.birth_date != Some(birth_date) {
            return None;
        }
        let ours = self.last_name()?;
        let theirs = other.last_name.as_deref()?;
        let similarity = if ours == theirs {
            None
        } else {
            let jw = strsim::jaro_winkler(ours, theirs);
            if jw < JARO_WINKLER_MIN {
                return None;
            }
            Some(jw)
        };
        let initial = match (self.initial(), other.initial) {
            (Some(a), Some(b)) if a != b => return None,
            (Some(a), Some(_)) => Some(a),
            _ => None,
        };
        Some(NameMatch {
            similarity,
            birth_date,
            initial,
        })
    }
}

/// Why the `self` rule held.
#[derive(Debug)]
struct NameMatch {
    /// Jaro-Winkler of the normalised last names; `None` when they are equal.
    similarity: Option<f64>,
    birth_date: Date,
    /// The shared first initial; `None` when one side has none.
    initial: Option<char>,
}

impl NameMatch {
    fn describe(&self, ours: &str, theirs: &str) -> String {
        let mut s = match self.similarity {
            None if ours == theirs => format!("last name '{ours}'"),
            None => format!("last name '{ours}' = '{theirs}' once normalised"),
            // Rounded down, so a near match never reads as 1.00 and a
            // reader never sees a figure above the real one.
            Some(jw) => format!(
                "last name '{ours}' ~ '{theirs}' (Jaro-Winkler {:.2})",
                (jw * 100.0 + 1e-9).floor() / 100.0
            ),
        };
        let _ = write!(s, ", same birth date {}", self.birth_date);
        match self.initial {
            Some(c) => {
                let _ = write!(s, ", first initial {c}");
            }
            None => s.push_str(", first initials not both known"),
        }
        s
    }
}

/// What holds between the person and one employee so far.
#[derive(Debug)]
struct Pair {
    staff: u32,
    self_match: Option<NameMatch>,
    declared: Vec<Declared>,
    address: bool,
    email: bool,
    phone: bool,
    surname_postcode: bool,
}

/// One relations row that matched the person.
#[derive(Debug)]
struct Declared {
    circle: u32,
    by_applicant: bool,
    by_person: Option<NameMatch>,
}

/// The pairs of one person. Blocks are a handful of entries, so a vector
/// searched linearly beats a map.
#[derive(Debug, Default)]
struct Pairs(Vec<Pair>);

impl Pairs {
    fn get(&mut self, staff: u32) -> &mut Pair {
        let at = match self.0.iter().position(|p| p.staff == staff) {
            Some(at) => at,
            None => {
                self.0.push(Pair {
                    staff,
                    self_match: None,
                    declared: Vec::new(),
                    address: false,
                    email: false,
                    phone: false,
                    surname_postcode: false,
                });
                self.0.len() - 1
            }
        };
        &mut self.0[at]
    }
}

impl Pair {
    fn declared(&mut self, circle: u32) -> &mut Declared {
        let at = match self.declared.iter().position(|d| d.circle == circle) {
            Some(at) => at,
            None => {
                self.declared.push(Declared {
                    circle,
                    by_applicant: false,
                    by_person: None,
                });
                self.declared.len() - 1
            }
        };
        &mut self.declared[at]
    }
}
