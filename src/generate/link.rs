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

use std::collections::BTreeMap;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::model::{ApplicantId, Date, Employee, EmployeeId, PersonFields, Relation};

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

/// Links people to the staff register and its declared relations.
pub(crate) struct Linker<'a> {
    employees: &'a [Employee],
    relations: BTreeMap<&'a EmployeeId, Vec<&'a Relation>>,
}

impl<'a> Linker<'a> {
    /// A linker over the staff register and the relations.
    pub(crate) fn new(employees: &'a [Employee], relations: &'a [Relation]) -> Self {
        let mut by_employee: BTreeMap<&EmployeeId, Vec<&Relation>> = BTreeMap::new();
        for r in relations {
            by_employee.entry(&r.employee_id).or_default().push(r);
        }
        Linker {
            employees,
            relations: by_employee,
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
        let mut out: Vec<(EmployeeId, Kind)> = self
            .employees
            .iter()
            .filter(|e| day.is_none_or(|d| e.employed_on(d)))
            .filter_map(|e| {
                let rels = self.relations.get(&e.id).map(Vec::as_slice).unwrap_or(&[]);
                kind_with(person, applicant_id, e, rels).map(|k| (e.id.clone(), k))
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
