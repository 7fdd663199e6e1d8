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
    let s = f.stats();
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
    let got = actors(&f.stats());
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
    assert_eq!(f.stats()["actors"], serde_json::json!([]));
}

/// The Who acted section of report.html.
fn section(html: &str) -> &str {
    let start = html.find("<h2 id=\"actors\">").expect("Who acted section");
    let end = html[start..].find("<h2 id=\"compliance\">").unwrap() + start;
    &html[start..end]
}

/// The employee id of each row of the actors table, in order.
fn actor_rows(section: &str) -> Vec<String> {
    section
        .split("<tr class=\"actor\"><td class=\"id\">")
        .skip(1)
        .map(|r| r[..r.find('<').unwrap()].to_string())
        .collect()
}

#[test]
fn the_report_lists_who_acted_flagged_employees_first_with_their_counts() {
    let f = fixture();
    let out = f.run(&["--period", "2026-Q1"]);
    assert_ok(&out);
    let html = std::fs::read_to_string(f.out().join("report.html")).unwrap();
    assert!(html.contains("<a href=\"#actors\">Who acted</a>"));
    let s = section(&html);
    // Z5 is flagged by ACTOR_BACKDATING; E1 and E2 are named as acting in
    // CONFLICT_OF_INTEREST; the others follow, each group by id.
    assert_eq!(actor_rows(s), ["Z5", "E1", "E2", "D7", "E3", "X9"]);
    assert!(
        s.contains("<span class=\"flag\">ACTOR_BACKDATING</span>"),
        "{s}"
    );
    // E1: L1 (tenant) and P1's registration (applicant).
    assert!(
        s.contains("<span class=\"flag\">CONFLICT_OF_INTEREST (2)</span>"),
        "{s}"
    );
    for counts in [
        "1 of 2 skipped (50.0%)",
        "2 of 3 moved earlier (66.7%)",
        "3 of 3 moved earlier (100.0%)",
        "3 of 8 acts (37.5%)",
        "3 of 4 acts (75.0%)",
        "0 of 1 acts (0.0%)",
    ] {
        assert!(s.contains(counts), "{counts} not in {s}");
    }
    assert!(s.contains("No employee recorded enough such outcomes"));
}

#[test]
fn the_report_shows_the_skip_rate_family_and_the_skip_chart_marks_the_flagged_employee() {
    let f = crate::actors::skip_fixture();
    let out = f.run(&["--period", "2026"]);
    assert_ok(&out);
    let html = std::fs::read_to_string(f.out().join("report.html")).unwrap();
    let s = section(&html);
    // E1 (ACTOR_SKIP_RATE) first; D2, D3, D4 after.
    assert_eq!(actor_rows(s), ["E1", "D2", "D3", "D4"]);
    // The actors table counts every outcome E1 recorded (an accepted one
    // too); the tested family only the declined, skipped or withdrawn.
    assert!(s.contains("14 of 25 skipped (56.0%)"), "{s}");
    assert!(s.contains("14 of 24</td>"), "{s}");
    assert!(
        s.contains("<span class=\"flag\">ACTOR_SKIP_RATE</span>"),
        "{s}"
    );
    let svg = std::fs::read_to_string(f.out().join("charts/skip_share.svg")).unwrap();
    assert!(svg.contains("FLAGGED 14/24"), "{svg}");
    assert!(svg.contains("overall share 30.7%"), "{svg}");
    assert!(f.out().join("charts/skip_share.png").exists());
    // Inline in the report, as every chart.
    assert!(html.contains("id=\"chart-skip_share\""));
    // Two runs: byte-identical chart files.
    let a: Vec<Vec<u8>> = ["svg", "png"]
        .iter()
        .map(|e| std::fs::read(f.out().join(format!("charts/skip_share.{e}"))).unwrap())
        .collect();
    assert_ok(&f.run(&["--period", "2026"]));
    for (e, before) in ["svg", "png"].iter().zip(a) {
        let after = std::fs::read(f.out().join(format!("charts/skip_share.{e}"))).unwrap();
        assert!(before == after, "skip_share.{e} differs between runs");
    }
}

#[test]
fn pseudonymised_the_who_acted_section_and_the_skip_chart_show_no_employee_id() {
    let f = crate::actors::skip_fixture();
    f.write();
    let out = f.out();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_woonaudit"))
        .args(["run", "--data", f.data().to_str().unwrap()])
        .args(["--out", out.to_str().unwrap(), "--period", "2026"])
        .arg("--pseudonymise")
        .env("WOONAUDIT_PSEUDONYM_KEY", "correct horse battery staple")
        .current_dir(&f.dir)
        .output()
        .unwrap();
    assert_ok(&o);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let s = section(&html);
    let rows = actor_rows(s);
    assert_eq!(rows.len(), 4);
    let svg = std::fs::read_to_string(out.join("charts/skip_share.svg")).unwrap();
    for id in ["E1", "D2", "D3", "D4"] {
        assert!(!contains_word(s, id), "{id} in the Who acted section");
        assert!(!contains_word(&svg, id), "{id} in skip_share.svg");
    }
    for r in &rows {
        assert!(r.starts_with("P-"), "{r}");
    }
    // E1, D2 and D3 are tested and drawn, by pseudonym; D4 (19 outcomes)
    // is not tested.
    for r in &rows[..3] {
        assert!(svg.contains(r.as_str()), "{r} not on the chart");
    }
    assert!(!svg.contains(rows[3].as_str()));
}
