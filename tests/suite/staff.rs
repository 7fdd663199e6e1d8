//! Staff linking (spec 2) and the checks that rest on it (spec 4): every
//! firing case, its severity upgrade, and the near misses that must not fire.

use std::collections::BTreeSet;

use crate::common::*;

const STAFF: &str = "employee_id,last_name,first_names,birth_date,postcode,house_number,email,phone,employed_from,employed_to";
const PEOPLE: &str = "applicant_id,last_name,first_names,birth_date,postcode,house_number,email,phone,registration_date,registered_at,household_size";

fn staff_fixture() -> Fixture {
    let mut f = Fixture::new("staff");
    f.set(
        "employees",
        STAFF,
        &[
            "E1,Visser,Anna,1975-02-02,9101AB,12,anna@corp.example,0612345678,2015-01-01,",
            "E2,Bakker,Piet,1970-01-01,8900XX,1,,,2010-01-01,",
            "E3,Mulder,Kees,1960-03-03,8800AA,5,,,2000-01-01,2020-12-31",
        ],
    );
    f.set(
        "relations",
        "employee_id,relation,last_name,first_names,birth_date,applicant_id",
        &[
            "E1,partner,\"Jong, de\",Sjoerd,1976-04-04,R1",
            "E3,child,Mulder,Tjitske,1990-05-05,RLEFT",
        ],
    );
    f.set(
        "applicants",
        PEOPLE,
        &[
            "R1,de Jong,Sjoerd,1976-04-04,8400AA,3,,,2001-01-01,,2",
            "ADDR,Zijlstra,Jelle,1980-01-01,9101 ab,12,,,2012-01-01,,1",
            "SURN,Visser,Geert,1982-01-01,9101AB,14,,,2012-01-01,,1",
            "PHONE,Kramer,Wiebe,1983-01-01,8600AB,7,,+31 6 1234 5678,2012-01-01,,1",
            "RLEFT,Mulder,Tjitske,1990-05-05,8700AB,9,,,2012-01-01,,1",
            "SELF,\"Visser\",A.,1975-02-02,9101AB,12-A,,,2012-01-01,,1",
            "NAMESAKE,Visser,Anna,1975-02-03,8500AA,1,,,2012-01-01,,1",
            "U1,Smit,Jan,1981-01-01,8500AB,1,,,2005-01-01,,2",
            "U2,Postma,Aukje,1981-01-01,8500AC,2,,,2011-01-01,,2",
            "U3,Bouma,Rinse,1981-01-01,8500AD,3,,,2011-01-01,,2",
            "GAP,Elzinga,Hylke,1981-01-01,8500AE,4,,,2020-01-01,2020-02-01 09:00,2",
            "GAP30,Terpstra,Baukje,1981-01-01,8500AF,5,,,2020-01-02,2020-02-01 09:00,2",
        ],
    );
    f.set(
        "adverts",
        ADVERTS,
        &["ADV,D-ADV,2026-03-01,2026-03-31,registration,,,,,,,,,"],
    );
    f.set(
        "responses",
        RESPONSES,
        &[
            "ADV,R1,2026-03-10 10:00,,1,not_reached,,E1",
            "ADV,U1,2026-03-10 10:00,,2,accepted,,E2",
        ],
    );
    f.set(
        "allocations",
        ALLOCATIONS,
        &[
            "AL-ADV,D-ADV,U1,2026-04-10,advert,ADV,E2,,",
            "AL-R1,D1,R1,2026-04-10,direct,,E2,E2,medisch",
            "AL-U1,D2,U1,2026-04-10,direct,,E2,E1,sociaal",
            "AL-U2,D3,U2,2026-04-10,direct,,E2,,sociaal",
            "AL-U2B,D4,U2,2026-04-10,direct,,E2,E1,",
            "AL-ADDR,D5,ADDR,2026-04-10,swap,,E1,E2,ruil",
            "AL-SURN,D6,SURN,2026-04-10,temporary,,E2,E1,tijdelijk",
            "AL-PHONE,D7,PHONE,2026-04-10,direct,,E2,E3,urgentie",
            "AL-LEFT,D8,RLEFT,2026-04-10,direct,,E2,E1,medisch",
            "AL-SELF,D9,SELF,2026-04-10,other,,E2,E1,reden",
            "AL-NAME,D10,NAMESAKE,2026-04-10,direct,,E2,E1,reden",
        ],
    );
    f.set(
        "sales",
        "sale_id,dwelling_id,sold_on,price,appraisal_value,appraised_on,listed_on,route,buyer_last_name,buyer_first_names,buyer_birth_date,buyer_postcode,buyer_house_number,buyer_applicant_id,handled_by",
        &[
            "S1,H1,2026-05-01,200000,200000,2026-04-01,2026-03-01,open_market,\"Jong, de\",Sjoerd,1976-04-04,8400AA,3,R1,E1",
            "S2,H2,2026-05-01,200000,200000,2026-04-01,2026-03-01,open_market,Dijkstra,Douwe,1979-01-01,9101AB,12,,E2",
            "S3,H3,2026-05-01,200000,200000,2026-04-01,2026-03-01,open_market,Dijkstra,Froukje,1979-01-01,8000AA,1,,E1",
        ],
    );
    f.set(
        "registration_changes",
        "applicant_id,changed_at,field,old_value,new_value,changed_by,reason",
        &[
            "R1,2026-02-01 10:00,registration_date,2010-01-01,2001-01-01,E1,correctie",
            "U2,2026-02-01 10:00,Registration_Date,01-01-2011,2003-01-01,E2,correctie",
            "U3,2026-02-01 10:00,registration_date,2011-01-01,2004-01-01,E2,",
            "U1,2026-02-01 10:00,registration_date,2005-01-01,2006-01-01,E2,correctie",
            "U1,2026-02-02 10:00,household_income,20000,25000,E1,loonstrook",
        ],
    );
    f
}

type Key = (String, String, String, String, String, String);

fn keys(findings: &[Row]) -> BTreeSet<Key> {
    findings
        .iter()
        .map(|f| {
            (
                f["check"].clone(),
                f["subject_id"].clone(),
                f["applicant_id"].clone(),
                f["employee_id"].clone(),
                f["severity"].clone(),
                f["link"].clone(),
            )
        })
        .collect()
}

fn k(check: &str, subject: &str, applicant: &str, employee: &str, sev: &str, link: &str) -> Key {
    (
        check.into(),
        subject.into(),
        applicant.into(),
        employee.into(),
        sev.into(),
        link.into(),
    )
}

#[test]
fn every_staff_check_fires_where_the_spec_says_and_nowhere_else() {
    let f = staff_fixture();
    let findings = f.findings();
    let got = keys(&findings);
    let want: BTreeSet<Key> = [
        // A linked candidate passed over: high, naming the candidate's link.
        k("ORDER_BYPASS", "AL-ADV", "R1", "E1", "high", "declared"),
        k(
            "CONFLICT_OF_INTEREST",
            "AL-ADV",
            "R1",
            "E1",
            "high",
            "declared",
        ),
        // Approved by the handler, to a declared relative.
        k("ROUTE_UNAPPROVED", "AL-R1", "R1", "E1", "high", "declared"),
        k(
            "ROUTE_STAFF_CIRCLE",
            "AL-R1",
            "R1",
            "E1",
            "high",
            "declared",
        ),
        k("STAFF_ALLOCATION", "AL-R1", "R1", "E1", "low", "declared"),
        // Unlinked tenants: no approver, or no reason: medium.
        k("ROUTE_UNAPPROVED", "AL-U2", "U2", "", "medium", ""),
        k("ROUTE_UNAPPROVED", "AL-U2B", "U2", "", "medium", ""),
        // Shares the address of E1, who handled the swap.
        k(
            "ROUTE_STAFF_CIRCLE",
            "AL-ADDR",
            "ADDR",
            "E1",
            "high",
            "address",
        ),
        k(
            "STAFF_ALLOCATION",
            "AL-ADDR",
            "ADDR",
            "E1",
            "low",
            "address",
        ),
        k(
            "UNDECLARED_LINK",
            "AL-ADDR",
            "ADDR",
            "E1",
            "medium",
            "address",
        ),
        k(
            "CONFLICT_OF_INTEREST",
            "AL-ADDR",
            "ADDR",
            "E1",
            "high",
            "address",
        ),
        // Same surname and postcode as E1, who approved.
        k(
            "ROUTE_STAFF_CIRCLE",
            "AL-SURN",
            "SURN",
            "E1",
            "high",
            "surname_postcode",
        ),
        k(
            "STAFF_ALLOCATION",
            "AL-SURN",
            "SURN",
            "E1",
            "low",
            "surname_postcode",
        ),
        k(
            "UNDECLARED_LINK",
            "AL-SURN",
            "SURN",
            "E1",
            "low",
            "surname_postcode",
        ),
        k(
            "CONFLICT_OF_INTEREST",
            "AL-SURN",
            "SURN",
            "E1",
            "high",
            "surname_postcode",
        ),
        // Same phone as E1, written +31 6 1234 5678.
        k(
            "ROUTE_STAFF_CIRCLE",
            "AL-PHONE",
            "PHONE",
            "E1",
            "high",
            "contact",
        ),
        k(
            "STAFF_ALLOCATION",
            "AL-PHONE",
            "PHONE",
            "E1",
            "low",
            "contact",
        ),
        k(
            "UNDECLARED_LINK",
            "AL-PHONE",
            "PHONE",
            "E1",
            "medium",
            "contact",
        ),
        // E1 herself (initial a, same birth date): self, never undeclared.
        k(
            "ROUTE_STAFF_CIRCLE",
            "AL-SELF",
            "SELF",
            "E1",
            "high",
            "self",
        ),
        k("STAFF_ALLOCATION", "AL-SELF", "SELF", "E1", "low", "self"),
        k(
            "CONFLICT_OF_INTEREST",
            "AL-SELF",
            "SELF",
            "E1",
            "high",
            "self",
        ),
        // Sales: handled by the buyer's declared employee; an undeclared
        // address link of a buyer.
        k("CONFLICT_OF_INTEREST", "S1", "R1", "E1", "high", "declared"),
        k("UNDECLARED_LINK", "S2", "", "E1", "medium", "address"),
        // The register of staff-circle purchases (v1.2): both linked buyers.
        k("STAFF_PURCHASE", "S1", "R1", "E1", "low", "declared"),
        k("STAFF_PURCHASE", "S2", "", "E1", "low", "address"),
        // Registration edits: by the employee the applicant is linked to.
        k("CONFLICT_OF_INTEREST", "R1", "R1", "E1", "high", "declared"),
        k(
            "REGISTRATION_BACKDATED",
            "R1",
            "R1",
            "E1",
            "high",
            "declared",
        ),
        // Unlinked but allocated a home after the edit: high.
        k("REGISTRATION_BACKDATED", "U2", "U2", "", "high", ""),
        // Unlinked, no allocation: medium.
        k("REGISTRATION_BACKDATED", "U3", "U3", "", "medium", ""),
        // registered_at 31 days after registration_date (limit 30).
        k("REGISTRATION_BACKDATED", "GAP", "GAP", "", "medium", ""),
        // E2 moved two applicants' dates earlier (U2, U3) and one later
        // (U1): below the three of ACTOR_BACKDATING.
    ]
    .into_iter()
    .collect();
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:#?}\nextra {extra:#?}"
    );
}

#[test]
fn details_carry_the_evidence() {
    let f = staff_fixture();
    let findings = f.findings();
    let detail = |check: &str, subject: &str| -> String {
        findings
            .iter()
            .find(|r| r["check"] == check && r["subject_id"] == subject)
            .unwrap_or_else(|| panic!("{check} {subject}"))["detail"]
            .clone()
    };
    let d = detail("UNDECLARED_LINK", "AL-ADDR");
    assert!(d.contains("9101AB") && d.contains("E1"), "{d}");
    let d = detail("ROUTE_UNAPPROVED", "AL-R1");
    assert!(d.contains("same employee who handled it"), "{d}");
    let d = detail("REGISTRATION_BACKDATED", "R1");
    assert!(
        d.contains("from 2010-01-01 to 2001-01-01") && d.contains("E1"),
        "{d}"
    );
    let d = detail("ORDER_BYPASS", "AL-ADV");
    assert!(d.contains("staff link") && d.contains("partner"), "{d}");
}

#[test]
fn links_lists_every_linked_person_with_window_and_evidence() {
    let f = staff_fixture();
    f.write();
    let out = woonaudit(&["links", "--data", f.data().to_str().unwrap()], &f.dir);
    assert_ok(&out);
    let text = String::from_utf8(out.stdout).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<(String, String, String, String)> = r
        .records()
        .map(|x| {
            let x = x.unwrap();
            (
                x[0].to_string(),
                x[1].to_string(),
                x[6].to_string(),
                x[7].to_string(),
            )
        })
        .collect();
    for want in [
        ("applicant", "R1", "E1", "declared"),
        ("applicant", "ADDR", "E1", "address"),
        ("applicant", "SURN", "E1", "surname_postcode"),
        ("applicant", "PHONE", "E1", "contact"),
        ("applicant", "SELF", "E1", "self"),
        // Without a period, a link at any time: E3 left in 2020.
        ("applicant", "RLEFT", "E3", "declared"),
        ("buyer", "R1", "E1", "declared"),
    ] {
        let want = (
            want.0.to_string(),
            want.1.to_string(),
            want.2.to_string(),
            want.3.to_string(),
        );
        assert!(rows.contains(&want), "{want:?} not in {rows:?}");
    }
    assert!(!rows.iter().any(|r| r.1 == "NAMESAKE" || r.1 == "U1"));
    // A run limited to 2026 lists links that hold in 2026 only.
    let run = f.run(&["--period", "2026"]);
    assert_ok(&run);
    let links = read_csv(&f.out().join("links.csv"));
    assert!(links.iter().any(|l| l["applicant_id"] == "R1"));
    assert!(!links.iter().any(|l| l["applicant_id"] == "RLEFT"));
    assert!(links
        .iter()
        .all(|l| !l["evidence"].is_empty() && !l["employed_from"].is_empty()));
}
