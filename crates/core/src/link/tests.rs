//! Linking rules (spec 2), a positive and a negative case per kind, and the
//! order a finding relies on.

use super::*;
use crate::model::{Employee, Relation, RelationKind};

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd_opt(y, m, day).expect("valid test date")
}

const DAY: (i32, u32, u32) = (2025, 6, 1);

fn day() -> Date {
    d(DAY.0, DAY.1, DAY.2)
}

fn employee(id: &str, last_name: &str) -> Employee {
    Employee {
        line: 2,
        id: EmployeeId::from(id),
        last_name: last_name.to_string(),
        first_names: None,
        birth_date: None,
        postcode: None,
        house_number: None,
        email: None,
        phone: None,
        department: None,
        role: None,
        employed_from: Some(d(2019, 3, 1)),
        employed_to: None,
    }
}

fn relation(employee_id: &str, last_name: &str) -> Relation {
    Relation {
        line: 2,
        employee_id: EmployeeId::from(employee_id),
        relation: RelationKind::Partner,
        last_name: last_name.to_string(),
        first_names: None,
        birth_date: None,
        postcode: None,
        house_number: None,
        email: None,
        phone: None,
        applicant_id: None,
        declared_on: None,
    }
}

fn data(employees: Vec<Employee>, relations: Vec<Relation>) -> Dataset {
    let mut data = Dataset::default();
    data.employees = employees;
    data.relations = relations;
    data
}

fn person(last_name: &str) -> PersonFields<'_> {
    PersonFields {
        last_name,
        first_names: None,
        birth_date: None,
        postcode: None,
        house_number: None,
        email: None,
        phone: None,
    }
}

fn kinds(links: &[Link]) -> Vec<(&str, Vec<LinkKind>)> {
    links
        .iter()
        .map(|l| (l.employee_id.as_str(), l.kinds.clone()))
        .collect()
}

// --- self ---------------------------------------------------------------

#[test]
fn self_same_name_and_birth_date() {
    let mut e = employee("TW-0042", "Janssen");
    e.birth_date = Some(d(1979, 4, 2));
    e.first_names = Some("Jan".into());
    let data = data(vec![e], vec![]);
    let linker = Linker::new(&data);
    let mut p = person("Jansen");
    p.birth_date = Some(d(1979, 4, 2));
    p.first_names = Some("J.");
    let links = linker.links(p, None, day());
    assert_eq!(kinds(&links), [("TW-0042", vec![LinkKind::SelfMatch])]);
    assert_eq!(
        links[0].evidence,
        "employee TW-0042 (employed since 2019-03-01): same person by last name 'Jansen' ~ \
         'Janssen' (Jaro-Winkler 0.97), same birth date 1979-04-02, first initial j"
    );
}

#[test]
fn namesakes_with_different_birth_dates_are_not_self() {
    let mut e = employee("TW-0042", "de Vries");
    e.birth_date = Some(d(1979, 4, 2));
    let data = data(vec![e], vec![]);
    let linker = Linker::new(&data);
    let mut p = person("de Vries");
    p.birth_date = Some(d(1979, 4, 3));
    assert!(linker.links(p, None, day()).is_empty());
    // An unknown birth date on either side is not a match either.
    p.birth_date = None;
    assert!(linker.links(p, None, day()).is_empty());
}

#[test]
fn zijlstra_and_zylstra_are_self_hoekstra_and_hoekema_are_not() {
    let born = d(1985, 11, 30);
    let mut a = employee("TW-1", "Zijlstra");
    a.birth_date = Some(born);
    let mut b = employee("TW-2", "Hoekema");
    b.birth_date = Some(born);
    let data = data(vec![a, b], vec![]);
    let linker = Linker::new(&data);

    let mut p = person("Zylstra");
    p.birth_date = Some(born);
    assert_eq!(
        kinds(&linker.links(p, None, day())),
        [("TW-1", vec![LinkKind::SelfMatch])]
    );

    let mut q = person("Hoekstra");
    q.birth_date = Some(born);
    assert!(strsim::jaro_winkler("hoekstra", "hoekema") < JARO_WINKLER_MIN);
    assert!(linker.links(q, None, day()).is_empty());
}

#[test]
fn vries_comma_de_matches_de_vries() {
    let mut e = employee("TW-0042", "de Vries");
    e.birth_date = Some(d(1979, 4, 2));
    let data = data(vec![e], vec![]);
    let linker = Linker::new(&data);
    let mut p = person("Vries, de");
    p.birth_date = Some(d(1979, 4, 2));
    let links = linker.links(p, None, day());
    assert_eq!(kinds(&links), [("TW-0042", vec![LinkKind::SelfMatch])]);
    assert!(links[0]
        .evidence
        .contains("last name 'Vries, de' = 'de Vries' once normalised"));
}

#[test]
fn differing_first_initials_block_self() {
    let mut e = employee("TW-0042", "Bakker");
    e.birth_date = Some(d(1979, 4, 2));
    e.first_names = Some("Pieter".into());
    let data = data(vec![e], vec![]);
    let linker = Linker::new(&data);
    let mut p = person("Bakker");
    p.birth_date = Some(d(1979, 4, 2));
    p.first_names = Some("K.");
    assert!(linker.links(p, None, day()).is_empty());
    // Unknown on one side: not compared.
    p.first_names = None;
    let links = linker.links(p, None, day());
    assert_eq!(kinds(&links), [("TW-0042", vec![LinkKind::SelfMatch])]);
    assert!(links[0].evidence.ends_with("first initials not both known"));
}

#[test]
fn self_pair_is_not_undeclared() {
    // An employee who is also on the waiting list lives at their own address.
    let mut e = employee("TW-0042", "Smit");
    e.birth_date = Some(d(1990, 1, 15));
    e.postcode = Some("9101 AB".into());
    e.house_number = Some("12-A".into());
    e.phone = Some("06 1234 5678".into());
    let data = data(vec![e], vec![]);
    let linker = Linker::new(&data);
    let mut p = person("Smit");
    p.birth_date = Some(d(1990, 1, 15));
    p.postcode = Some("9101AB");
    p.house_number = Some("12a");
    p.phone = Some("0612345678");
    let links = linker.links(p, None, day());
    assert_eq!(
        kinds(&links),
        [(
            "TW-0042",
            vec![LinkKind::SelfMatch, LinkKind::Address, LinkKind::Contact]
        )]
    );
    assert_eq!(links[0].kind, LinkKind::SelfMatch);
    assert!(!links[0].kind.is_undeclared());
    assert!(!links[0].evidence.contains("not in the relations register"));
    assert!(links[0]
        .evidence
        .contains("same postcode 9101AB and house number 12a; same phone 0612345678"));
}

// --- declared -------------------------------------------------------------

#[test]
fn relation_with_the_applicant_id_is_declared() {
    let mut r = relation("TW-0042", "Mulder");
    r.line = 7;
    r.applicant_id = Some(ApplicantId::from("A-00123"));
    let data = data(vec![employee("TW-0042", "Visser")], vec![r]);
    let linker = Linker::new(&data);
    // The name does not matter: the id is the declaration.
    let links = linker.links(
        person("Mulder-Smit"),
        Some(&ApplicantId::from("A-00123")),
        day(),
    );
    assert_eq!(kinds(&links), [("TW-0042", vec![LinkKind::Declared])]);
    assert_eq!(
        links[0].evidence,
        "employee TW-0042 (employed since 2019-03-01): declared partner (relations register) by \
         applicant_id A-00123"
    );
    assert!(linker
        .links(person("Mulder"), Some(&ApplicantId::from("A-00124")), day())
        .is_empty());
}

#[test]
fn relation_matched_by_name_and_birth_date_is_declared() {
    let mut r = relation("TW-0042", "Dijk, van");
    r.birth_date = Some(d(2001, 7, 9));
    r.first_names = Some("Sanne".into());
    r.relation = RelationKind::Child;
    let data = data(vec![employee("TW-0042", "Visser")], vec![r]);
    let linker = Linker::new(&data);
    let mut p = person("van Dyk");
    p.birth_date = Some(d(2001, 7, 9));
    p.first_names = Some("S.");
    let links = linker.links(p, Some(&ApplicantId::from("A-9")), day());
    assert_eq!(kinds(&links), [("TW-0042", vec![LinkKind::Declared])]);
    assert!(links[0].evidence.contains(
        "declared child (relations register) by last name 'van Dyk' = 'Dijk, van' once \
         normalised, same birth date 2001-07-09, first initial s"
    ));
    // Another birth date: not the declared relative.
    p.birth_date = Some(d(2001, 7, 10));
    assert!(linker.links(p, None, day()).is_empty());
}

#[test]
fn relative_of_someone_who_left_before_the_event_is_not_linked() {
    let mut e = employee("TW-0042", "Visser");
    e.employed_to = Some(d(2024, 12, 31));
    let mut r = relation("TW-0042", "Visser");
    r.applicant_id = Some(ApplicantId::from("A-1"));
    let data = data(vec![e], vec![r]);
    let linker = Linker::new(&data);
    let id = ApplicantId::from("A-1");
    assert!(linker.links(person("Visser"), Some(&id), day()).is_empty());
    // Still linked on the last day of employment, and in the listing.
    assert_eq!(
        linker
            .links(person("Visser"), Some(&id), d(2024, 12, 31))
            .len(),
        1
    );
    let listed = linker.candidates(person("Visser"), Some(&id));
    assert_eq!(kinds(&listed), [("TW-0042", vec![LinkKind::Declared])]);
    assert!(listed[0]
        .evidence
        .starts_with("employee TW-0042 (employed 2019-03-01 to 2024-12-31): "));
}

#[test]
fn relation_of_an_unknown_employee_is_ignored() {
    let mut r = relation("TW-9999", "Visser");
    r.applicant_id = Some(ApplicantId::from("A-1"));
    let data = data(vec![employee("TW-0042", "Visser")], vec![r]);
    let linker = Linker::new(&data);
    assert!(linker
        .candidates(person("Jansen"), Some(&ApplicantId::from("A-1")))
        .is_empty());
}

// --- address ----------------------------------------------------------------

#[test]
fn same_postcode_and_house_number_is_address() {
    let mut e = employee("TW-0042", "Visser");
    e.postcode = Some("9101ab".into());
    e.house_number = Some("12 A".into());
    let data = data(vec![e], vec![]);
    let linker = Linker::new(&data);
    let mut p = person("Bos");
    p.postcode = Some("9101 AB");
    p.house_number = Some("12-a");
    let links = linker.links(p, None, day());
    assert_eq!(kinds(&links), [("TW-0042", vec![LinkKind::Address])]);
    assert!(links[0].kind.is_undeclared());
    assert_eq!(
        links[0].evidence,
        "employee TW-0042 (employed since 2019-03-01): same postcode 9101AB and house number \
         12a; not in the relations register"
    );
    // Another house number, another surname: nothing.
    p.house_number = Some("14");
    assert!(linker.links(p, None, day()).is_empty());
}

#[test]
fn address_shared_with_someone_hired_after_the_event_is_not_linked() {
    let mut e = employee("TW-0042", "Visser");
    e.employed_from = Some(d(2025, 6, 2));
    e.postcode = Some("9101AB".into());
    e.house_number = Some("12".into());
    let data = data(vec![e], vec![]);
    let linker = Linker::new(&data);
    let mut p = person("Bos");
    p.postcode = Some("9101AB");
    p.house_number = Some("12");
    assert!(linker.links(p, None, day()).is_empty());
    assert_eq!(linker.links(p, None, d(2025, 6, 2)).len(), 1);
    assert_eq!(linker.candidates(p, None).len(), 1);
}

// --- contact ----------------------------------------------------------------

#[test]
fn international_phone_matches_national_form() {
    let mut e = employee("TW-0042", "Visser");
    e.phone = Some("0612345678".into());
    let data = data(vec![e], vec![]);
    let linker = Linker::new(&data);
    let mut p = person("Bos");
    p.phone = Some("+31 6 1234 5678");
    let links = linker.links(p, None, day());
    assert_eq!(kinds(&links), [("TW-0042", vec![LinkKind::Contact])]);
    assert!(links[0]
        .evidence
        .ends_with("same phone 0612345678; not in the relations register"));
    p.phone = Some("+31 6 1234 5679");
    assert!(linker.links(p, None, day()).is_empty());
}

#[test]
fn same_email_is_contact() {
    let mut e = employee("TW-0042", "Visser");
    e.email = Some("P.Visser@Example.nl".into());
    let data = data(vec![e], vec![]);
    let linker = Linker::new(&data);
    let mut p = person("Bos");
    p.email = Some(" p.visser@example.NL ");
    assert_eq!(
        kinds(&linker.links(p, None, day())),
        [("TW-0042", vec![LinkKind::Contact])]
    );
    p.email = Some("p.visser@example.com");
    assert!(linker.links(p, None, day()).is_empty());
}

// --- surname_postcode -------------------------------------------------------

#[test]
fn same_surname_and_postcode_other_house_is_surname_postcode() {
    let mut e = employee("TW-0042", "van der Berg");
    e.postcode = Some("9101AB".into());
    e.house_number = Some("12".into());
    let data = data(vec![e], vec![]);
    let linker = Linker::new(&data);
    let mut p = person("Berg");
    p.postcode = Some("9101 ab");
    p.house_number = Some("14");
    let links = linker.links(p, None, day());
    assert_eq!(
        kinds(&links),
        [("TW-0042", vec![LinkKind::SurnamePostcode])]
    );
    assert!(links[0].kind.is_undeclared());
    assert!(links[0].evidence.contains(
        "same last name 'berg' and postcode 9101AB, house numbers 14 and 12; not in the \
         relations register"
    ));
    // A missing house number counts as different.
    p.house_number = None;
    assert_eq!(
        kinds(&linker.links(p, None, day())),
        [("TW-0042", vec![LinkKind::SurnamePostcode])]
    );
    // Same house number: that is an address link, not also surname_postcode.
    p.house_number = Some("12");
    assert_eq!(
        kinds(&linker.links(p, None, day())),
        [("TW-0042", vec![LinkKind::Address])]
    );
    // Another surname in the same postcode: nothing.
    let mut q = person("Bergman");
    q.postcode = Some("9101AB");
    q.house_number = Some("14");
    assert!(linker.links(q, None, day()).is_empty());
}

#[test]
fn malformed_postcodes_never_link() {
    let mut e = employee("TW-0042", "Visser");
    e.postcode = Some("onbekend".into());
    e.house_number = Some("1".into());
    let data = data(vec![e], vec![]);
    let linker = Linker::new(&data);
    let mut p = person("Visser");
    p.postcode = Some("onbekend");
    p.house_number = Some("1");
    assert!(linker.candidates(p, None).is_empty());
}

// --- order --------------------------------------------------------------------

#[test]
fn strongest_kind_first_then_lowest_employee_id() {
    let born = d(1970, 5, 5);
    // TW-9: self. TW-5: declared. TW-3 and TW-2: address. TW-1: contact.
    // TW-0: surname_postcode.
    let mut self_e = employee("TW-9", "Kok");
    self_e.birth_date = Some(born);
    let declarer = employee("TW-5", "Peters");
    let mut addr_b = employee("TW-3", "Meijer");
    addr_b.postcode = Some("1234AB".into());
    addr_b.house_number = Some("1".into());
    let mut addr_a = employee("TW-2", "Smit");
    addr_a.postcode = Some("1234AB".into());
    addr_a.house_number = Some("1".into());
    let mut contact = employee("TW-1", "Dekker");
    contact.email = Some("kok@example.nl".into());
    let mut namesake = employee("TW-0", "Kok");
    namesake.postcode = Some("1234AB".into());
    namesake.house_number = Some("3".into());
    let mut r = relation("TW-5", "Kok");
    r.birth_date = Some(born);
    let data = data(
        vec![namesake, contact, addr_a, addr_b, declarer, self_e],
        vec![r],
    );
    let linker = Linker::new(&data);
    let mut p = person("Kok");
    p.birth_date = Some(born);
    p.postcode = Some("1234AB");
    p.house_number = Some("1");
    p.email = Some("kok@example.nl");
    let links = linker.links(p, None, day());
    let order: Vec<(&str, LinkKind)> = links
        .iter()
        .map(|l| (l.employee_id.as_str(), l.kind))
        .collect();
    assert_eq!(
        order,
        [
            ("TW-9", LinkKind::SelfMatch),
            ("TW-5", LinkKind::Declared),
            ("TW-2", LinkKind::Address),
            ("TW-3", LinkKind::Address),
            ("TW-1", LinkKind::Contact),
            ("TW-0", LinkKind::SurnamePostcode),
        ]
    );
    assert_eq!(links, linker.candidates(p, None));
}

#[test]
fn every_kind_that_holds_is_listed_in_the_evidence() {
    let born = d(1970, 5, 5);
    let mut e = employee("TW-7", "Kok");
    e.birth_date = Some(born);
    e.postcode = Some("1234AB".into());
    e.house_number = Some("1".into());
    e.email = Some("kok@example.nl".into());
    e.phone = Some("0501234567".into());
    let mut r = relation("TW-7", "Kok");
    r.birth_date = Some(born);
    r.applicant_id = Some(ApplicantId::from("A-1"));
    r.line = 4;
    let data = data(vec![e], vec![r]);
    let linker = Linker::new(&data);
    let mut p = person("Kok");
    p.birth_date = Some(born);
    p.postcode = Some("1234AB");
    p.house_number = Some("1");
    p.email = Some("kok@example.nl");
    p.phone = Some("+31 50 123 4567");
    let links = linker.links(p, Some(&ApplicantId::from("A-1")), day());
    assert_eq!(
        kinds(&links),
        [(
            "TW-7",
            vec![
                LinkKind::SelfMatch,
                LinkKind::Declared,
                LinkKind::Address,
                LinkKind::Contact
            ]
        )]
    );
    assert_eq!(
        links[0].evidence,
        "employee TW-7 (employed since 2019-03-01): same person by last name 'Kok', same birth \
         date 1970-05-05, first initials not both known; declared partner (relations register) by \
         applicant_id A-1 and by last name 'Kok', same birth date 1970-05-05, first initials not \
         both known; same postcode 1234AB and house number 1; same e-mail kok@example.nl and \
         phone 0501234567"
    );
}

#[test]
fn kind_spellings_and_order() {
    let all = [
        LinkKind::SelfMatch,
        LinkKind::Declared,
        LinkKind::Address,
        LinkKind::Contact,
        LinkKind::SurnamePostcode,
    ];
    let spelled: Vec<&str> = all.iter().map(|k| k.as_str()).collect();
    assert_eq!(
        spelled,
        ["self", "declared", "address", "contact", "surname_postcode"]
    );
    assert!(all.windows(2).all(|w| w[0] < w[1]));
    let undeclared: Vec<bool> = all.iter().map(|k| k.is_undeclared()).collect();
    assert_eq!(undeclared, [false, false, true, true, true]);
}

#[test]
fn duplicate_employee_id_keeps_the_first_row() {
    let mut first = employee("TW-1", "Visser");
    first.email = Some("a@example.nl".into());
    let mut second = employee("TW-1", "Visser");
    second.email = Some("b@example.nl".into());
    let data = data(vec![first, second], vec![]);
    let linker = Linker::new(&data);
    let mut p = person("Bos");
    p.email = Some("b@example.nl");
    assert!(linker.candidates(p, None).is_empty());
}
