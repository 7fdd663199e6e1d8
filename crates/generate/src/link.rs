/*!
The linking rules of spec section 2, as far as the generator needs them:
to keep accidental links out of the random population (`Linker::links`
with no event date checks every employee whatever their employment
window), and to give each planted finding the kind and employee the spec
names.

This is a small, self-contained copy of the rules so the generator does not
depend on the auditor's own linking stage; the tests check the plants with
it, and the auditor is in turn checked against the plants.
*/

#[cfg(test)]
use std::collections::BTreeMap;
use std::collections::HashMap;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use woonaudit::model::{ApplicantId, Date, Employee, EmployeeId, PersonFields, Relation};

/// Name particles dropped by the normalisation (spec 2).
const PARTICLES: &[&str] = &[
    "van", "de", "der", "den", "het", "t", "ter", "ten", "te", "in", "op", "la", "le", "du", "des",
    "da", "di", "del", "d", "l", "aan", "bij", "uit", "vd", "s",
];

/// The kind of a link, strongest first (the derived order is the spec's).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    /// The person is the employee.
    SelfMatch,
    /// A declared relation.
    Declared,
    /// Same postcode and house number.
    Address,
    /// Same e-mail or phone.
    Contact,
    /// Same surname and postcode, another house number.
    SurnamePostcode,
}

impl Kind {
    /// The spec's spelling.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::SelfMatch => "self",
            Kind::Declared => "declared",
            Kind::Address => "address",
            Kind::Contact => "contact",
            Kind::SurnamePostcode => "surname_postcode",
        }
    }

    /// Kinds 3 to 5: a link nobody declared.
    pub(crate) fn undeclared(self) -> bool {
        self >= Kind::Address
    }
}

/// Lower-case, diacritics stripped (NFKD without combining marks).
fn fold(s: &str) -> String {
    s.to_lowercase()
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .collect()
}

/// A last name normalised by the spec's steps, in order.
pub(crate) fn norm_name(name: &str) -> String {
    let turned = match name.find(',') {
        Some(i) => format!("{} {}", &name[i + 1..], &name[..i]),
        None => name.to_string(),
    };
    let spaced: String = fold(&turned)
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    let kept: Vec<&str> = tokens
        .iter()
        .copied()
        .filter(|t| !PARTICLES.contains(t))
        .collect();
    let used = if kept.is_empty() { tokens } else { kept };
    used.iter()
        .map(|t| t.replace("ij", "y"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first letter or digit of the first names, folded.
pub(crate) fn initial(first_names: &str) -> Option<char> {
    fold(first_names).chars().find(|c| c.is_alphanumeric())
}

/// `9101 ab` -> `9101AB`; empty -> none.
pub(crate) fn norm_postcode(s: &str) -> Option<String> {
    let n: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    (!n.is_empty()).then_some(n)
}

/// `12-A`, `12 a` -> `12a`.
pub(crate) fn norm_house_number(s: &str) -> Option<String> {
    let n: String = s
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    (!n.is_empty()).then_some(n)
}

/// Lower-case trimmed e-mail.
pub(crate) fn norm_email(s: &str) -> Option<String> {
    let n = s.trim().to_lowercase();
    (!n.is_empty()).then_some(n)
}

/// Digits only, a leading `+31` or `0031` turned into `0`.
pub(crate) fn norm_phone(s: &str) -> Option<String> {
    let t = s.trim();
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    let n = if t.starts_with('+') && digits.starts_with("31") {
        format!("0{}", &digits[2..])
    } else if let Some(rest) = digits.strip_prefix("0031") {
        format!("0{rest}")
    } else {
        digits
    };
    (!n.is_empty()).then_some(n)
}

/// The `self` rule: same birth date, same or very similar normalised last
/// name, and the same first initial where both are known.
pub(crate) fn same_person(a: &PersonFields<'_>, b: &PersonFields<'_>) -> bool {
    let (Some(da), Some(db)) = (a.birth_date, b.birth_date) else {
        return false;
    };
    if da != db {
        return false;
    }
    let (na, nb) = (norm_name(a.last_name), norm_name(b.last_name));
    if na != nb && strsim::jaro_winkler(&na, &nb) < 0.92 {
        return false;
    }
    match (
        a.first_names.and_then(initial),
        b.first_names.and_then(initial),
    ) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

fn both<T: PartialEq>(a: Option<T>, b: Option<T>) -> bool {
    matches!((a, b), (Some(x), Some(y)) if x == y)
}

/// The strongest kind of link between a person and one employee, ignoring
/// the employment window.
pub(crate) fn kind_with(
    person: &PersonFields<'_>,
    applicant_id: Option<&ApplicantId>,
    employee: &Employee,
    relations: &[&Relation],
) -> Option<Kind> {
    let e = employee.person();
    let mut kinds = Vec::new();
    if same_person(person, &e) {
        kinds.push(Kind::SelfMatch);
    }
    let declared = relations.iter().any(|r| {
        (applicant_id.is_some() && r.applicant_id.as_ref() == applicant_id)
            || same_person(person, &r.person())
    });
    if declared {
        kinds.push(Kind::Declared);
    }
    let pc = both(
        person.postcode.and_then(norm_postcode),
        e.postcode.and_then(norm_postcode),
    );
    let hn_p = person.house_number.and_then(norm_house_number);
    let hn_e = e.house_number.and_then(norm_house_number);
    if pc && both(hn_p.clone(), hn_e.clone()) {
        kinds.push(Kind::Address);
    }
    if both(
        person.email.and_then(norm_email),
        e.email.and_then(norm_email),
    ) || both(
        person.phone.and_then(norm_phone),
        e.phone.and_then(norm_phone),
    ) {
        kinds.push(Kind::Contact);
    }
    if pc && norm_name(person.last_name) == norm_name(e.last_name) && !both(hn_p, hn_e) {
        kinds.push(Kind::SurnamePostcode);
    }
    kinds.into_iter().min()
}

/// The employees (and declared relations) a person can possibly be linked
/// to, by the exact keys every rule needs: no rule holds without the same
/// birth date (`self`, the relation's `self`), the same normalised postcode
/// (`address`, `surname_postcode`), e-mail or phone (`contact`), or the
/// relation's applicant_id. So `kind_with` only needs to be asked about the
/// employees that share such a key with the person, which makes a query cost
/// a few hash look-ups instead of a pass over the whole register.
///
/// Positions are indices into the employee and relation slices the index
/// was built from; the owner keeps the two in step (`add_employee`,
/// `add_relation`, `truncate_relations`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Index {
    /// Employees by birth date.
    by_birth: HashMap<Date, Vec<usize>>,
    /// Employees by normalised postcode.
    by_postcode: HashMap<String, Vec<usize>>,
    /// Employees by normalised e-mail.
    by_email: HashMap<String, Vec<usize>>,
    /// Employees by normalised phone.
    by_phone: HashMap<String, Vec<usize>>,
    /// Employees by id (ids should be unique, but the full scan gives every
    /// employee with the id the relations declared under it).
    by_id: HashMap<EmployeeId, Vec<usize>>,
    /// Relations by the employee who declared them.
    relations_of: HashMap<EmployeeId, Vec<usize>>,
    /// Relations by applicant_id.
    rel_by_applicant: HashMap<ApplicantId, Vec<usize>>,
    /// Relations by birth date.
    rel_by_birth: HashMap<Date, Vec<usize>>,
}

impl Index {
    /// The index of a staff register and its relations.
    pub(crate) fn new(employees: &[Employee], relations: &[Relation]) -> Self {
        let mut index = Index::default();
        for (i, e) in employees.iter().enumerate() {
            index.add_employee(i, e);
        }
        for (i, r) in relations.iter().enumerate() {
            index.add_relation(i, r);
        }
        index
    }

    /// Indexes employee `e`, at position `i` of the register.
    pub(crate) fn add_employee(&mut self, i: usize, e: &Employee) {
        if let Some(d) = e.birth_date {
            self.by_birth.entry(d).or_default().push(i);
        }
        if let Some(pc) = e.postcode.as_deref().and_then(norm_postcode) {
            self.by_postcode.entry(pc).or_default().push(i);
        }
        if let Some(em) = e.email.as_deref().and_then(norm_email) {
            self.by_email.entry(em).or_default().push(i);
        }
        if let Some(ph) = e.phone.as_deref().and_then(norm_phone) {
            self.by_phone.entry(ph).or_default().push(i);
        }
        self.by_id.entry(e.id).or_default().push(i);
    }

    /// Indexes relation `r`, at position `i` of the relations.
    pub(crate) fn add_relation(&mut self, i: usize, r: &Relation) {
        self.relations_of.entry(r.employee_id).or_default().push(i);
        if let Some(a) = &r.applicant_id {
            self.rel_by_applicant.entry(*a).or_default().push(i);
        }
        if let Some(d) = r.birth_date {
            self.rel_by_birth.entry(d).or_default().push(i);
        }
    }

    /// Forgets the relations at positions `n` and above (the owner
    /// truncated its relations to `n`).
    pub(crate) fn truncate_relations(&mut self, n: usize) {
        let keep = |v: &mut Vec<usize>| v.retain(|&i| i < n);
        self.relations_of.values_mut().for_each(keep);
        self.rel_by_applicant.values_mut().for_each(keep);
        self.rel_by_birth.values_mut().for_each(keep);
    }

    /// Whether an employee has this normalised e-mail.
    pub(crate) fn has_email(&self, norm: &str) -> bool {
        self.by_email.contains_key(norm)
    }

    /// Whether an employee has this normalised phone.
    pub(crate) fn has_phone(&self, norm: &str) -> bool {
        self.by_phone.contains_key(norm)
    }

    /// The positions of the employees that share a key with the person,
    /// ascending: the only ones `kind_with` can link the person to.
    fn candidates(
        &self,
        person: &PersonFields<'_>,
        applicant_id: Option<&ApplicantId>,
        relations: &[Relation],
    ) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        let by_relation = |rels: Option<&Vec<usize>>, out: &mut Vec<usize>| {
            for &r in rels.into_iter().flatten() {
                if let Some(es) = self.by_id.get(&relations[r].employee_id) {
                    out.extend_from_slice(es);
                }
            }
        };
        if let Some(d) = person.birth_date {
            out.extend(self.by_birth.get(&d).into_iter().flatten());
            by_relation(self.rel_by_birth.get(&d), &mut out);
        }
        if let Some(a) = applicant_id {
            by_relation(self.rel_by_applicant.get(a), &mut out);
        }
        let keyed = [
            (&self.by_postcode, person.postcode.and_then(norm_postcode)),
            (&self.by_email, person.email.and_then(norm_email)),
            (&self.by_phone, person.phone.and_then(norm_phone)),
        ];
        for (map, key) in keyed {
            if let Some(es) = key.and_then(|k| map.get(&k)) {
                out.extend_from_slice(es);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// `Linker::links` over the register and relations this index was
    /// built from, as (employee position, kind), in the same order.
    pub(crate) fn links_at(
        &self,
        employees: &[Employee],
        relations: &[Relation],
        person: &PersonFields<'_>,
        applicant_id: Option<&ApplicantId>,
        day: Option<Date>,
    ) -> Vec<(usize, Kind)> {
        let mut out: Vec<(usize, Kind)> = Vec::new();
        let mut rels: Vec<&Relation> = Vec::new();
        for i in self.candidates(person, applicant_id, relations) {
            let e = &employees[i];
            if day.is_some_and(|d| !e.employed_on(d)) {
                continue;
            }
            rels.clear();
            if let Some(rs) = self.relations_of.get(&e.id) {
                rels.extend(rs.iter().map(|&r| &relations[r]));
            }
            if let Some(k) = kind_with(person, applicant_id, e, &rels) {
                out.push((i, k));
            }
        }
        // Stable, over ascending positions: the order of the full scan.
        out.sort_by(|a, b| {
            (a.1, employees[a.0].id.as_str().as_bytes())
                .cmp(&(b.1, employees[b.0].id.as_str().as_bytes()))
        });
        out
    }
}

/// Links people to the staff register and its declared relations.
pub(crate) struct Linker<'a> {
    employees: &'a [Employee],
    relations: &'a [Relation],
    index: Index,
}

impl<'a> Linker<'a> {
    /// A linker over the staff register and the relations.
    pub(crate) fn new(employees: &'a [Employee], relations: &'a [Relation]) -> Self {
        Linker {
            employees,
            relations,
            index: Index::new(employees, relations),
        }
    }

    /// Every employee the person is linked to with the strongest kind,
    /// strongest first, then by employee id. With `day`, only employees
    /// employed that day count (spec 2); without, all of them (the guard).
    pub(crate) fn links(
        &self,
        person: &PersonFields<'_>,
        applicant_id: Option<&ApplicantId>,
        day: Option<Date>,
    ) -> Vec<(EmployeeId, Kind)> {
        self.index
            .links_at(self.employees, self.relations, person, applicant_id, day)
            .into_iter()
            .map(|(i, k)| (self.employees[i].id, k))
            .collect()
    }

    /// `links` by asking `kind_with` about every employee: what the index
    /// must agree with.
    #[cfg(test)]
    pub(crate) fn links_by_full_scan(
        &self,
        person: &PersonFields<'_>,
        applicant_id: Option<&ApplicantId>,
        day: Option<Date>,
    ) -> Vec<(EmployeeId, Kind)> {
        let mut by_employee: BTreeMap<&EmployeeId, Vec<&Relation>> = BTreeMap::new();
        for r in self.relations {
            by_employee.entry(&r.employee_id).or_default().push(r);
        }
        let mut out: Vec<(EmployeeId, Kind)> = self
            .employees
            .iter()
            .filter(|e| day.is_none_or(|d| e.employed_on(d)))
            .filter_map(|e| {
                let rels = by_employee.get(&e.id).map(Vec::as_slice).unwrap_or(&[]);
                kind_with(person, applicant_id, e, rels).map(|k| (e.id, k))
            })
            .collect();
        out.sort_by(|a, b| (a.1, a.0.as_str().as_bytes()).cmp(&(b.1, b.0.as_str().as_bytes())));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_by_the_spec() {
        assert_eq!(norm_name("Vries, de"), "vries");
        assert_eq!(norm_name("de Vries"), "vries");
        assert_eq!(norm_name("van der Meer"), "meer");
        assert_eq!(norm_name("Zijlstra"), "zylstra");
        assert_eq!(norm_name("Jansen-van Dijk"), "jansen dyk");
        assert_eq!(norm_name("van 't Hof"), "hof");
        assert_eq!(norm_name("Çelik"), "celik");
        assert_eq!(norm_name("van der"), "van der");
    }

    #[test]
    fn initials_fold_diacritics() {
        assert_eq!(initial("J.S."), Some('j'));
        assert_eq!(initial("IJsbrand"), Some('i'));
        assert_eq!(initial("Émile"), Some('e'));
    }

    #[test]
    fn contact_fields_normalise() {
        assert_eq!(norm_postcode(" 9101 ab").as_deref(), Some("9101AB"));
        assert_eq!(norm_house_number("12-A").as_deref(), Some("12a"));
        assert_eq!(norm_house_number("12 a").as_deref(), Some("12a"));
        assert_eq!(norm_phone("+31 6 1234 5678").as_deref(), Some("0612345678"));
        assert_eq!(norm_phone("0031 6 12345678").as_deref(), Some("0612345678"));
        assert_eq!(norm_phone("06-12345678").as_deref(), Some("0612345678"));
        assert_eq!(norm_phone("058-2123456").as_deref(), Some("0582123456"));
    }
}
