//! The actor checks of spec v1.2: ACTOR_SKIP_RATE against SciPy and
//! statsmodels reference values (and its `skip_rates` in stats.json), and
//! ACTOR_BACKDATING at its threshold, per applicant and in the period.

use crate::common::*;

const CHANGES: &str = "applicant_id,changed_at,field,old_value,new_value,changed_by,reason";

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn close(actual: f64, expected: f64) {
    let tol = 1e-9 * expected.abs().max(1e-300);
    assert!((actual - expected).abs() <= tol, "{actual} != {expected}");
}

fn of<'a>(findings: &'a [Row], check: &str) -> Vec<&'a Row> {
    findings.iter().filter(|r| r["check"] == check).collect()
}

/// ACTOR_SKIP_RATE fixture. Forty eligible seekers C00..C39 (registered
/// 2000, no bounds on the adverts) respond to adverts A1, A2, A3 closing on
/// 2026-03-31; their declined, skipped and withdrawn outcomes, in advert
/// and seeker order, are recorded by:
///
/// | decided_by | decisions | skipped | declined | withdrawn |
/// |---|---|---|---|---|
/// | E1 (in the register) | 24 | 14 | 6 | 4 |
/// | D2 (not in the register: still counts, as that id) | 25 | 4 | 21 | 0 |
/// | D3 | 20 | 3 | 7 | 10 |
/// | D4 (below the 20 decisions: in the overall share only) | 19 | 6 | 13 | 0 |
///
/// Overall 27 skipped of 88. Not decisions: a skip of LATER (registered
/// after closing: not eligible), a skip on a late response, an accepted
/// and a not_reached outcome with a decided_by, and a skip without
/// decided_by. Advert B1 closed on 2025-06-30: D3 skipped C00..C09 there,
/// which counts only in a run whose period includes it.
pub fn skip_fixture() -> Fixture {
    // Per decider: (outcome, reason, how many) three times.
    type Decisions<'a> = [(&'a str, &'a str, usize); 3];
    let plan: [(&str, Decisions); 4] = [
        (
            "E1",
            [
                ("skipped", "huurschuld", 14),
                ("declined", "te klein", 6),
                ("withdrawn", "andere woning gevonden", 4),
            ],
        ),
        (
            "D2",
            [
                ("skipped", "niet bereikbaar", 4),
                ("declined", "te duur", 21),
                ("withdrawn", "", 0),
            ],
        ),
        (
            "D3",
            [
                ("skipped", "huurschuld", 3),
                ("declined", "te klein", 7),
                ("withdrawn", "blijft toch wonen", 10),
            ],
        ),
        (
            "D4",
            [
                ("skipped", "documenten niet op tijd", 6),
                ("declined", "geen lift", 13),
                ("withdrawn", "", 0),
            ],
        ),
    ];
    let mut applicants: Vec<String> = (0..40)
        .map(|i| format!("C{i:02},Seeker{i:02},Jan,1970-01-01,2000-01-01,1,,,,,"))
        .collect();
    applicants.push("LATER,Laat,Piet,1970-01-01,2026-06-01,1,,,,,".to_string());
    let adverts: Vec<String> = ["A1", "A2", "A3"]
        .iter()
        .map(|a| format!("{a},D-{a},2026-03-01,2026-03-31,registration,,,,,,,,,"))
        .chain(std::iter::once(
            "B1,D-B1,2025-06-01,2025-06-30,registration,,,,,,,,,".to_string(),
        ))
        .collect();
    let mut responses = Vec::new();
    let mut slot = 0usize;
    for (by, outcomes) in plan {
        for (outcome, reason, n) in outcomes {
            for _ in 0..n {
                let advert = ["A1", "A2", "A3"][slot / 40];
                let seeker = slot % 40;
                responses.push(format!(
                    "{advert},C{seeker:02},2026-03-10 10:00,,,{outcome},{reason},{by}"
                ));
                slot += 1;
            }
        }
    }
    assert_eq!(slot, 88);
    // A3 has decisions for C00..C07; the rest of its rows are not decisions.
    responses.extend(
        [
            "A3,LATER,2026-03-10 10:00,,,skipped,ingeschreven na sluiting,D2",
            "A3,C10,2026-04-02 10:00,,,skipped,te laat gereageerd,D2",
            "A3,C11,2026-03-10 10:00,,,accepted,,E1",
            "A3,C12,2026-03-10 10:00,,,not_reached,,D2",
            "A3,C13,2026-03-10 10:00,,,skipped,huurschuld,",
        ]
        .map(String::from),
    );
    for i in 0..10 {
        responses.push(format!(
            "B1,C{i:02},2025-06-10 10:00,,,skipped,huurschuld,D3"
        ));
    }
    let mut f = Fixture::new("skip-rate");
    f.set("applicants", APPLICANTS, &refs(&applicants));
    f.set("adverts", ADVERTS, &refs(&adverts));
    f.set("responses", RESPONSES, &refs(&responses));
    f
}

#[test]
fn actor_skip_rate_matches_scipy_and_statsmodels() {
    let f = skip_fixture();
    let out = f.run(&["--period", "2026"]);
    assert_ok(&out);
    let findings = read_csv(&f.out().join("findings.csv"));
    let flagged = of(&findings, "ACTOR_SKIP_RATE");
    assert_eq!(flagged.len(), 1, "{flagged:#?}");
    let e = flagged[0];
    assert_eq!(e["subject_type"], "employee");
    assert_eq!(e["subject_id"], "E1");
    assert_eq!(e["applicant_id"], "");
    assert_eq!(e["employee_id"], "E1");
    assert_eq!(e["link"], "");
    assert_eq!(e["severity"], "medium");
    // Reference values: scipy 1.17.1 and statsmodels 0.15.0,
    //   /tmp/actorvenv/bin/python -c "from scipy.stats import binomtest;
    //   from statsmodels.stats.multitest import multipletests;
    //   p0 = 27/88; ps = [binomtest(k, n, p0, alternative='greater').pvalue
    //   for k, n in ((14, 24), (4, 25), (3, 20))];
    //   print(ps, multipletests(ps, method='fdr_bh')[1])"
    //   -> p = [0.004564426961223981, 0.9716204211844675, 0.9691151286648129],
    //      q = [0.013693280883671945, 0.9716204211844675, 0.9716204211844675].
    let d = &e["detail"];
    for part in [
        "Employee E1 recorded 24 declined, skipped or withdrawn outcome(s)",
        "eligible candidates of 1 non-discretionary advert(s) closing in the period",
        "14 of them (58.3%) skipped (declined 6, withdrawn 4)",
        "27 of 88 (30.7%)",
        "p = 4.564e-3",
        "q = 0.0137",
        "over the 3 employee(s) with at least 20",
    ] {
        assert!(d.contains(part), "{part} not in {d}");
    }

    let s = f.stats();
    let family = s["skip_rates"].as_array().unwrap();
    let expected = [
        ("D2", 25, 4, 0.9716204211844675, 0.9716204211844675),
        ("D3", 20, 3, 0.9691151286648129, 0.9716204211844675),
        ("E1", 24, 14, 0.004564426961223981, 0.013693280883671945),
    ];
    assert_eq!(family.len(), expected.len(), "{family:#?}");
    for (entry, (id, n, k, p, q)) in family.iter().zip(expected) {
        assert_eq!(entry["employee_id"], id);
        assert_eq!(entry["decisions"], n);
        assert_eq!(entry["skipped"], k);
        close(entry["share"].as_f64().unwrap(), k as f64 / n as f64);
        close(entry["p"].as_f64().unwrap(), p);
        close(entry["q"].as_f64().unwrap(), q);
        close(entry["overall_share"].as_f64().unwrap(), 27.0 / 88.0);
    }
    // The spec's key order: skip_rates after handlers, before compliance.
    let text = std::fs::read_to_string(f.out().join("stats.json")).unwrap();
    let at = |k: &str| text.find(&format!("\"{k}\"")).unwrap();
    assert!(at("handlers") < at("skip_rates") && at("skip_rates") < at("compliance"));
    let keys: Vec<&str> = ["employee_id", "decisions", "skipped", "share", "p", "q"]
        .into_iter()
        .collect();
    let first = &text[at("skip_rates")..];
    let pos: Vec<usize> = keys
        .iter()
        .map(|k| first.find(&format!("\"{k}\"")).unwrap())
        .collect();
    assert!(pos.windows(2).all(|w| w[0] < w[1]), "order of {keys:?}");
}

#[test]
fn actor_skip_rate_counts_adverts_closing_in_the_period_only() {
    // Without a period, B1 (closed 2025-06-30) adds D3's 10 skips:
    //   /tmp/actorvenv/bin/python -c "from scipy.stats import binomtest;
    //   from statsmodels.stats.multitest import multipletests;
    //   p0 = 37/98; ps = [binomtest(k, n, p0, alternative='greater').pvalue
    //   for k, n in ((4, 25), (13, 30), (14, 24))];
    //   print(ps, multipletests(ps, method='fdr_bh')[1])"
    //   -> p = [0.9954433948649236, 0.3251074863410366, 0.03261908837200776],
    //      q = [0.9954433948649236, 0.4876612295115549, 0.09785726511602329].
    let f = skip_fixture();
    let findings = f.findings();
    assert!(of(&findings, "ACTOR_SKIP_RATE").is_empty());
    let s = f.stats();
    let family = s["skip_rates"].as_array().unwrap();
    let expected = [
        ("D2", 25, 4, 0.9954433948649236, 0.9954433948649236),
        ("D3", 30, 13, 0.3251074863410366, 0.4876612295115549),
        ("E1", 24, 14, 0.03261908837200776, 0.09785726511602329),
    ];
    assert_eq!(family.len(), expected.len(), "{family:#?}");
    for (entry, (id, n, k, p, q)) in family.iter().zip(expected) {
        assert_eq!(entry["employee_id"], id);
        assert_eq!(entry["decisions"], n);
        assert_eq!(entry["skipped"], k);
        close(entry["p"].as_f64().unwrap(), p);
        close(entry["q"].as_f64().unwrap(), q);
    }
}

#[test]
fn actor_skip_rate_threshold_and_q_come_from_the_config() {
    let mut f = skip_fixture();
    // E1 has q = 0.0137: not below 0.01.
    f.raw("woonaudit.toml", "[thresholds]\nhandler_q = 0.01\n");
    let out = f.run(&["--period", "2026"]);
    assert_ok(&out);
    let findings = read_csv(&f.out().join("findings.csv"));
    assert!(of(&findings, "ACTOR_SKIP_RATE").is_empty());
    // With at least 25 decisions only D2 is tested (a family of one: q = p).
    f.raw("woonaudit.toml", "[thresholds]\nactor_min_decisions = 25\n");
    let out = f.run(&["--period", "2026"]);
    assert_ok(&out);
    let findings = read_csv(&f.out().join("findings.csv"));
    assert!(of(&findings, "ACTOR_SKIP_RATE").is_empty());
    let s = f.stats();
    let family = s["skip_rates"].as_array().unwrap();
    assert_eq!(family.len(), 1);
    assert_eq!(family[0]["employee_id"], "D2");
    close(family[0]["q"].as_f64().unwrap(), 0.9716204211844675);
    // The overall share still counts every employee's decisions.
    close(family[0]["overall_share"].as_f64().unwrap(), 27.0 / 88.0);
}

/// ACTOR_BACKDATING fixture: registration changes of P1..P5.
///
/// - E2 moves the dates of P1 (their declared child), P2 (field written
///   `Registration_Date`, dates day-month-year) and P3 (in May) earlier:
///   three applicants.
/// - E3 moves P1 and P2 earlier and P3 later, and edits P4's income: two.
/// - E4 (not in the register) makes three edits for P4 alone, and one for
///   P5 whose old value is not a date: one.
/// - An edit of P5 without changed_by names nobody.
fn backdating_fixture() -> Fixture {
    let mut f = Fixture::new("actor-backdating");
    f.set(
        "employees",
        EMPLOYEES,
        &[
            "E1,Visser,Anna,1980-01-01,2015-01-01,",
            "E2,Bakker,Piet,1970-01-01,2010-01-01,",
            "E3,Mulder,Kees,1960-03-03,2000-01-01,",
        ],
    );
    f.set(
        "relations",
        "employee_id,relation,last_name,first_names,birth_date,applicant_id",
        &["E2,child,Bakker,Sjoerd,1995-04-04,P1"],
    );
    f.set(
        "applicants",
        APPLICANTS,
        &[
            "P1,Bakker,Sjoerd,1995-04-04,2001-01-01,1,,,,,",
            "P2,Smit,Jan,1981-01-01,2005-06-01,1,,,,,",
            "P3,Postma,Aukje,1982-01-01,2003-03-03,1,,,,,",
            "P4,Bouma,Rinse,1983-01-01,2004-01-01,1,,,,,",
            "P5,Elzinga,Hylke,1984-01-01,2002-01-01,1,,,,,",
        ],
    );
    f.set(
        "registration_changes",
        CHANGES,
        &[
            "P1,2026-02-01 10:00,registration_date,2020-01-01,2001-01-01,E2,correctie",
            "P2,2026-02-02 11:00,Registration_Date,01-06-2021,01-06-2005,E2,",
            "P3,2026-05-03 09:30,registration_date,2022-03-03,2003-03-03,E2,oude inschrijving",
            "P1,2026-02-05 10:00,registration_date,2019-01-01,2002-01-01,E3,correctie",
            "P2,2026-02-06 10:00,registration_date,2018-01-01,2004-01-01,E3,correctie",
            "P3,2026-02-07 10:00,registration_date,2003-03-03,2004-03-03,E3,herinschrijving",
            "P4,2026-02-08 10:00,household_income,20000,25000,E3,loonstrook",
            "P4,2026-03-01 10:00,registration_date,2023-01-01,2010-01-01,E4,correctie",
            "P4,2026-03-02 10:00,registration_date,2010-01-01,2006-01-01,E4,correctie",
            "P4,2026-03-03 10:00,registration_date,2006-01-01,2004-01-01,E4,correctie",
            "P5,2026-03-04 10:00,registration_date,onbekend,2002-01-01,E4,correctie",
            "P5,2026-03-05 10:00,registration_date,2024-01-01,2002-01-01,,correctie",
        ],
    );
    f
}

#[test]
fn actor_backdating_fires_at_three_applicants_not_at_two_nor_for_one_applicant_edited_thrice() {
    let f = backdating_fixture();
    let findings = f.findings();
    let got = of(&findings, "ACTOR_BACKDATING");
    assert_eq!(got.len(), 1, "{got:#?}");
    let e = got[0];
    assert_eq!(e["subject_type"], "employee");
    assert_eq!(e["subject_id"], "E2");
    assert_eq!(e["applicant_id"], "");
    assert_eq!(e["employee_id"], "E2");
    assert_eq!(e["link"], "");
    assert_eq!(e["severity"], "high");
    let d = &e["detail"];
    for part in [
        "moved registration_date earlier for 3 different applicant(s) in the period (threshold 3)",
        "19723 days in all",
        "applicant P1, linked to them (declared): 6939 days on 2026-02-01 10:00:00 (2020-01-01 to 2001-01-01, reason: correctie)",
        "applicant P2: 5844 days on 2026-02-02 11:00:00 (2021-06-01 to 2005-06-01, reason: none recorded)",
        "applicant P3: 6940 days on 2026-05-03 09:30:00",
    ] {
        assert!(d.contains(part), "{part} not in {d}");
    }
    // Every backdated applicant has its own REGISTRATION_BACKDATED too.
    let mut applicants: Vec<&str> = of(&findings, "REGISTRATION_BACKDATED")
        .iter()
        .map(|r| r["subject_id"].as_str())
        .collect();
    applicants.sort_unstable();
    assert_eq!(applicants, ["P1", "P2", "P3", "P4", "P5"]);
}

#[test]
fn actor_backdating_counts_edits_in_the_period_and_its_minimum_comes_from_the_config() {
    let mut f = backdating_fixture();
    // In the first quarter E2's edit of P3 (May) is outside the period.
    let out = f.run(&["--period", "2026-Q1"]);
    assert_ok(&out);
    let findings = read_csv(&f.out().join("findings.csv"));
    assert!(of(&findings, "ACTOR_BACKDATING").is_empty());
    // At a minimum of two, E3 (P1, P2) fires as well; E4 (P4 only, P5's
    // old value is not a date) does not.
    f.raw("woonaudit.toml", "[thresholds]\nactor_backdating_min = 2\n");
    let findings = f.findings();
    let who: Vec<&str> = of(&findings, "ACTOR_BACKDATING")
        .iter()
        .map(|r| r["subject_id"].as_str())
        .collect();
    assert_eq!(who, ["E2", "E3"]);
    let e3 = of(&findings, "ACTOR_BACKDATING")[1]["detail"].clone();
    assert!(e3.contains("for 2 different applicant(s)"), "{e3}");
    assert!(e3.contains("(threshold 2), 11323 days in all"), "{e3}");
}
