//! `actors` in stats.json (spec 5 "Actors", v1.2), the report's "Who
//! acted" section and the skip-share chart (issue 12).

use crate::common::*;

const CHANGES: &str = "applicant_id,changed_at,field,old_value,new_value,changed_by,reason";

/// Every kind of act, in and out of the period 2026-Q1, for linked and
/// unlinked people:
///
/// - E1 (Visser Anna) is P1 herself (`self`); E2 (Bakker Piet) is P3;
///   E3 (Smit Karin) is P4, but E3 left on 2026-01-31; P2 is linked to no
///   one. X9 and D7 are not in the register; Z5 neither.
/// - Allocations: L1 to P1 handled by E1 (linked) and approved by E2 (not
///   linked to E2); L2 to P2 handled by E1, approved by X9; L4 to P3
///   handled and approved by E2 (linked, twice); L5 to P4 on 2026-02-15
///   handled by E3 (no longer employed: not linked), approved by E1; L3
///   (2025-12-31) is outside the period.
/// - Responses to A1 (closes 2026-03-15): P1 skipped by E1 (linked), P2
///   declined by E1, P3 accepted by E2 (linked: any outcome counts), P4
///   skipped by nobody. A0 closed 2025-12-15: outside the period.
/// - Registration changes: E1 moves P1's date earlier (linked), P2's
///   earlier and P2's later; D7 edits P2's postcode; Z5 moves P1, P2 and
///   P3 earlier (ACTOR_BACKDATING); E1's edit of 2025-11-01 is outside.
fn fixture() -> Fixture {
    let mut f = Fixture::new("who-acted");
    f.set(
        "employees",
        EMPLOYEES,
        &[
            "E1,Visser,Anna,1980-01-01,2015-01-01,",
            "E2,Bakker,Piet,1975-05-05,2015-01-01,",
            "E3,Smit,Karin,1985-03-03,2015-01-01,2026-01-31",
        ],
    );
    f.set(
        "applicants",
        APPLICANTS,
        &[
            "P1,Visser,Anna,1980-01-01,2005-01-01,1,,,,,",
            "P2,Jansen,Jan,1970-01-01,2008-01-01,1,,,,,",
            "P3,Bakker,Piet,1975-05-05,2003-01-01,1,,,,,",
            "P4,Smit,Karin,1985-03-03,2004-01-01,1,,,,,",
        ],
    );
    f.set(
        "adverts",
        ADVERTS,
        &[
            "A1,D-A1,2026-03-01,2026-03-15,registration,,,,,,,,,",
            "A0,D-A0,2025-12-01,2025-12-15,registration,,,,,,,,,",
        ],
    );
    f.set(
        "responses",
        RESPONSES,
        &[
            "A1,P1,2026-03-02 10:00,,,skipped,huurschuld,E1",
            "A1,P2,2026-03-03 10:00,,,declined,te klein,E1",
            "A1,P3,2026-03-04 10:00,,,accepted,,E2",
            "A1,P4,2026-03-05 10:00,,,skipped,huurschuld,",
            "A0,P2,2025-12-02 10:00,,,skipped,huurschuld,E1",
        ],
    );
    f.set(
        "allocations",
        ALLOCATIONS,
        &[
            "L1,W1,P1,2026-02-01,direct,,E1,E2,medisch",
            "L2,W2,P2,2026-02-02,direct,,E1,X9,medisch",
            "L3,W3,P1,2025-12-31,direct,,E1,E1,medisch",
            "L4,W4,P3,2026-03-01,urgency,,E2,E2,sloop",
            "L5,W5,P4,2026-02-15,direct,,E3,E1,medisch",
        ],
    );
    f.set(
        "registration_changes",
        CHANGES,
        &[
            "P1,2026-01-10 09:00,registration_date,2010-01-01,2005-01-01,E1,correctie",
            "P2,2026-01-11 09:00,registration_date,2010-01-01,2008-01-01,E1,correctie",
            "P2,2026-01-12 09:00,postcode,1234AB,1234AC,D7,verhuisd",
            "P2,2026-01-13 09:00,registration_date,2005-01-01,2010-01-01,E1,herstel",
            "P1,2025-11-01 09:00,registration_date,2012-01-01,2010-01-01,E1,correctie",
            "P1,2026-02-10 09:00,registration_date,2011-01-01,2004-01-01,Z5,correctie",
            "P2,2026-02-11 09:00,registration_date,2011-01-01,2004-01-01,Z5,correctie",
            "P3,2026-02-12 09:00,registration_date,2011-01-01,2004-01-01,Z5,correctie",
        ],
    );
    f
}

fn stats(f: &Fixture) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(f.out().join("stats.json")).unwrap()).unwrap()
}

/// (employee_id, handled, approved, decided, skipped, edits,
/// backdating_edits, priorities_granted, acts_for_linked)
type Counts = (&'static str, u64, u64, u64, u64, u64, u64, u64, u64);

fn actors(s: &serde_json::Value) -> Vec<Counts> {
    s["actors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let n = |k: &str| a[k].as_u64().unwrap_or_else(|| panic!("{k} in {a}"));
            let id: &'static str = Box::leak(a["employee_id"].as_str().unwrap().into());
            (
                id,
                n("handled"),
                n("approved"),
                n("decided"),
                n("skipped"),
                n("edits"),
                n("backdating_edits"),
                n("priorities_granted"),
                n("acts_for_linked"),
            )
        })
        .collect()
}

#[test]
fn actors_count_every_kind_of_act_in_the_period_and_those_for_a_linked_person() {
    let f = fixture();
    let out = f.run(&["--period", "2026-Q1"]);
    assert_ok(&out);
    let s = stats(&f);
    assert_eq!(
        actors(&s),
        [
            ("D7", 0, 0, 0, 0, 1, 0, 0, 0),
            // L1 handled (linked), the skip of P1 (linked), P1's edit
            // (linked); L2, L5, P2's decline and P2's edits for others.
            ("E1", 2, 1, 2, 1, 3, 2, 0, 3),
            // L4 handled and approved for P3, P3's accepted response.
            ("E2", 1, 2, 1, 0, 0, 0, 0, 3),
            // P4 is E3, but E3 left before L5.
            ("E3", 1, 0, 0, 0, 0, 0, 0, 0),
            ("X9", 0, 1, 0, 0, 0, 0, 0, 0),
            ("Z5", 0, 0, 0, 0, 3, 3, 0, 0),
        ]
    );
    // The spec's key order: actors after coverage, before skip_rates.
    let text = std::fs::read_to_string(f.out().join("stats.json")).unwrap();
    let at = |k: &str| text.find(&format!("\"{k}\"")).unwrap();
    assert!(at("coverage") < at("actors") && at("actors") < at("skip_rates"));
    let first = &text[at("actors")..];
    let pos: Vec<usize> = [
        "employee_id",
        "handled",
        "approved",
        "decided",
        "skipped",
        "edits",
        "backdating_edits",
        "priorities_granted",
        "acts_for_linked",
    ]
    .iter()
    .map(|k| first.find(&format!("\"{k}\"")).unwrap())
    .collect();
    assert!(pos.windows(2).all(|w| w[0] < w[1]), "key order of actors");
}

#[test]
fn actors_without_a_period_count_every_act() {
    let f = fixture();
    let out = f.run(&[]);
    assert_ok(&out);
    let got = actors(&stats(&f));
    // L3 (handled and approved by E1 for P1, linked), the skip on A0 (P2,
    // not linked) and the edit of 2025-11-01 (P1, linked, backdating).
    let e1 = got.iter().find(|a| a.0 == "E1").unwrap();
    assert_eq!(*e1, ("E1", 3, 2, 3, 2, 4, 3, 0, 6));
}

#[test]
fn actors_is_empty_when_nobody_acted() {
    let f = Fixture::new("who-acted-empty");
    let out = f.run(&[]);
    assert_ok(&out);
    assert_eq!(stats(&f)["actors"], serde_json::json!([]));
}
