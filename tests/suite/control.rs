//! Spec v1.2 additions run by this version: the control sample (4.3,
//! control_sample.csv and its exceptions.xlsx sheet with reviews carried
//! over), coverage (5, stats.json, the report and the annual files), the
//! AOW passend limits (5) and `[input] migrated_on` (7, the registered_at
//! gap rule of REGISTRATION_BACKDATED).

use std::collections::BTreeMap;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::common::book::{sheet_cells, sheet_rows};
use crate::common::*;

const PEOPLE: &str = "applicant_id,last_name,first_names,birth_date,postcode,registration_date,registered_at,household_size,household_income";
const ALLOCS: &str = "allocation_id,dwelling_id,applicant_id,allocated_on,contract_start,route,advert_id,handled_by,approved_by,reason,rent,household_income,household_size";
const STAFF: [&str; 2] = [
    "E1,Visser,Anna,1980-01-01,2015-01-01,",
    "E2,Bakker,Piet,1975-05-05,2015-01-01,",
];

/// lower-case hex SHA-256 of `sample|` + id, computed here independently.
fn key(id: &str) -> String {
    Sha256::digest(format!("sample|{id}").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A clean (unflagged) non-advert let and its tenant.
fn clean_let(id: &str, route: &str, day: &str, people: &mut Vec<String>) -> String {
    let tenant = format!("T-{id}");
    people.push(format!(
        "{tenant},Jansen,Kees,1970-02-03,1234AB,2010-01-01,,1,20000"
    ));
    format!("{id},D-{id},{tenant},{day},,{route},,E1,E2,verhuisd wegens zorg,,,")
}

/// The lets that raise nothing, by route: advert 1, direct 10, swap 6,
/// urgency 23 (M = 40), each in 2025.
fn unflagged() -> BTreeMap<&'static str, Vec<String>> {
    let mut m = BTreeMap::new();
    m.insert("advert", vec!["A-CLEAN".to_string()]);
    m.insert("direct", (1..=10).map(|i| format!("D{i:02}")).collect());
    m.insert("swap", (1..=6).map(|i| format!("S{i:02}")).collect());
    m.insert("urgency", (1..=23).map(|i| format!("U{i:02}")).collect());
    m
}

/// The control-sample fixture: the unflagged lets of [`unflagged`] and
/// lets that raised something in three ways (a finding on the let, on its
/// advert, on its tenant), plus a clean let outside 2025. `reversed`
/// writes every table's rows in the opposite order.
fn sample_fixture(name: &str, reversed: bool) -> Fixture {
    let mut f = Fixture::new(name);
    f.set("employees", EMPLOYEES, &STAFF);
    let mut people = Vec::new();
    let mut lets = Vec::new();
    for (route, ids) in unflagged() {
        if route == "advert" {
            continue;
        }
        for (i, id) in ids.iter().enumerate() {
            let day = format!("2025-{:02}-{:02}", 1 + i % 12, 1 + i);
            lets.push(clean_let(id, route, &day, &mut people));
        }
    }
    // Outside the period 2025.
    lets.push(clean_let("U-2024", "urgency", "2024-06-01", &mut people));
    // Raised: ROUTE_UNAPPROVED on the let (no approver).
    people.push("T-FLAG-LET,Jansen,Kees,1970-02-03,1234AB,2010-01-01,,1,20000".into());
    lets.push("FLAG-LET,D-FL,T-FLAG-LET,2025-05-01,,direct,,E1,,geen woning,,,".into());
    // Raised: the tenant is the subject of REGISTRATION_BACKDATED.
    people.push(
        "T-FLAG-TENANT,Jansen,Kees,1970-02-03,1234AB,2010-01-01,2025-02-01 09:00,1,20000".into(),
    );
    lets.push("FLAG-TENANT,D-FT,T-FLAG-TENANT,2025-05-02,,urgency,,E1,E2,urgent,,,".into());
    // The clean advert let: the only candidate, accepted.
    people.push("T-A-CLEAN,Jansen,Kees,1970-02-03,1234AB,2010-01-01,,1,20000".into());
    lets.push("A-CLEAN,D-ADV1,T-A-CLEAN,2025-04-01,,advert,ADV1,E1,,,,,".into());
    // Raised: the advert has ORDER_POSITION_MISMATCH (the let itself none).
    people.push("T-FLAG-ADVERT,Jansen,Kees,1970-02-03,1234AB,2009-01-01,,1,20000".into());
    people.push("T-OTHER,Pietersen,Jan,1971-02-03,1234AB,2011-01-01,,1,20000".into());
    lets.push("FLAG-ADVERT,D-ADV2,T-FLAG-ADVERT,2025-04-02,,advert,ADV2,E1,,,,,".into());
    let mut adverts = vec![
        "ADV1,D-ADV1,2025-03-01,2025-03-15,registration,,,,,,,,,".to_string(),
        "ADV2,D-ADV2,2025-03-01,2025-03-15,registration,,,,,,,,,".to_string(),
    ];
    let mut responses = vec![
        "ADV1,T-A-CLEAN,2025-03-05 10:00,,,accepted,,".to_string(),
        "ADV2,T-FLAG-ADVERT,2025-03-05 10:00,,1,accepted,,".to_string(),
        "ADV2,T-OTHER,2025-03-06 10:00,,5,not_reached,,".to_string(),
    ];
    if reversed {
        for v in [&mut people, &mut lets, &mut adverts, &mut responses] {
            v.reverse();
        }
    }
    let refs = |v: &[String]| v.iter().map(String::as_str).collect::<Vec<_>>().join("\n");
    f.raw("applicants.csv", &format!("{PEOPLE}\n{}\n", refs(&people)));
    f.raw("allocations.csv", &format!("{ALLOCS}\n{}\n", refs(&lets)));
    f.raw("adverts.csv", &format!("{ADVERTS}\n{}\n", refs(&adverts)));
    f.raw(
        "responses.csv",
        &format!("{RESPONSES}\n{}\n", refs(&responses)),
    );
    f
}

fn run_ok(f: &Fixture, args: &[&str]) {
    let out = f.run(args);
    assert_ok(&out);
}

#[test]
fn the_control_sample_is_proportional_per_route_in_sha256_order() {
    let f = sample_fixture("control-prop", false);
    run_ok(&f, &["--period", "2025"]);
    let findings = read_csv(&f.out().join("findings.csv"));
    // The three ways to raise something all happen.
    assert!(of_check(&findings, "ROUTE_UNAPPROVED")
        .iter()
        .any(|x| x.0 == "FLAG-LET"));
    assert!(of_check(&findings, "REGISTRATION_BACKDATED")
        .iter()
        .any(|x| x.0 == "T-FLAG-TENANT"));
    assert!(of_check(&findings, "ORDER_POSITION_MISMATCH")
        .iter()
        .any(|x| x.0 == "ADV2"));
    assert!(!findings.iter().any(|r| r["subject_id"] == "FLAG-ADVERT"));

    // By hand: M = 40; k = max(1, round half-up(25 m / 40)), at most m:
    // advert 0.625 -> 1, direct 6.25 -> 6, swap 3.75 -> 4, urgency
    // 14.375 -> 14.
    let k: BTreeMap<&str, usize> =
        [("advert", 1), ("direct", 6), ("swap", 4), ("urgency", 14)].into();
    let mut expected = Vec::new();
    for (route, mut ids) in unflagged() {
        ids.sort_by_key(|id| key(id));
        let mut drawn: Vec<String> = ids.into_iter().take(k[route]).collect();
        drawn.sort();
        for id in drawn {
            expected.push((route.to_string(), id));
        }
    }
    let rows = read_csv(&f.out().join("control_sample.csv"));
    let got: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r["route"].clone(), r["allocation_id"].clone()))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(rows.len(), 25);
    // The columns and one row in full.
    let text = std::fs::read_to_string(f.out().join("control_sample.csv")).unwrap();
    assert_eq!(
        text.lines().next().unwrap(),
        "allocation_id,dwelling_id,applicant_id,route,allocated_on,handled_by,approved_by"
    );
    assert!(
        text.contains("A-CLEAN,D-ADV1,T-A-CLEAN,advert,2025-04-01,E1,\n"),
        "{text}"
    );
    // Nothing that raised something, nothing outside the period.
    for id in ["FLAG-LET", "FLAG-TENANT", "FLAG-ADVERT", "U-2024"] {
        assert!(!got.iter().any(|(_, a)| a == id), "{id} in the sample");
    }
}

#[test]
fn half_up_rounding_can_give_more_than_the_size() {
    let mut f = Fixture::new("control-half");
    f.set("employees", EMPLOYEES, &STAFF);
    let mut people = Vec::new();
    let mut lets = Vec::new();
    // M = 10: urgency 7 (5 x 7 / 10 = 3.5 -> 4), direct 3 (1.5 -> 2).
    for i in 0..7 {
        lets.push(clean_let(
            &format!("U{i}"),
            "urgency",
            "2025-03-01",
            &mut people,
        ));
    }
    for i in 0..3 {
        lets.push(clean_let(
            &format!("D{i}"),
            "direct",
            "2025-03-01",
            &mut people,
        ));
    }
    let refs = |v: &[String]| v.join("\n");
    f.raw("applicants.csv", &format!("{PEOPLE}\n{}\n", refs(&people)));
    f.raw("allocations.csv", &format!("{ALLOCS}\n{}\n", refs(&lets)));
    f.raw("woonaudit.toml", "[thresholds]\ncontrol_sample_size = 5\n");
    run_ok(&f, &[]);
    let rows = read_csv(&f.out().join("control_sample.csv"));
    let per_route = |r: &str| rows.iter().filter(|x| x["route"] == r).count();
    assert_eq!((per_route("direct"), per_route("urgency")), (2, 4));
    // Sorted by route, then allocation_id.
    let order: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r["route"].clone(), r["allocation_id"].clone()))
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(f.out().join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["config"]["thresholds"]["control_sample_size"], 5);
}

#[test]
fn the_control_sample_is_the_same_across_runs_and_row_orders() {
    let a = sample_fixture("control-same-a", false);
    run_ok(&a, &["--period", "2025"]);
    let first = std::fs::read(a.out().join("control_sample.csv")).unwrap();
    run_ok(&a, &["--period", "2025"]);
    assert!(std::fs::read(a.out().join("control_sample.csv")).unwrap() == first);
    let b = sample_fixture("control-same-b", true);
    run_ok(&b, &["--period", "2025"]);
    assert!(
        std::fs::read(b.out().join("control_sample.csv")).unwrap() == first,
        "the sample changes with the order of the rows"
    );
    for file in ["stats.json", "annual.json", "annual.md"] {
        assert!(
            std::fs::read(a.out().join(file)).unwrap()
                == std::fs::read(b.out().join(file)).unwrap(),
            "{file} changes with the order of the rows"
        );
    }
}

#[test]
fn a_reviewed_control_sample_row_survives_a_rerun_with_reviews() {
    let mut f = sample_fixture("control-review", false);
    run_ok(&f, &["--period", "2025"]);
    let book = f.out().join("exceptions.xlsx");
    let header = sheet_cells(&book, "Control sample").swap_remove(0);
    assert_eq!(
        header,
        [
            "sample_id",
            "allocation_id",
            "dwelling_id",
            "applicant_id",
            "route",
            "allocated_on",
            "handled_by",
            "approved_by",
            "status",
            "reviewer",
            "note"
        ]
    );
    let rows = sheet_rows(&book, "Control sample");
    assert_eq!(rows.len(), 25);
    let row = rows
        .iter()
        .find(|r| r["allocation_id"] == "A-CLEAN")
        .expect("A-CLEAN in the sheet");
    // sample_id: the first 16 hex digits of the drawing key.
    let id = row["sample_id"].clone();
    assert_eq!(id, key("A-CLEAN")[..16]);

    // A review given as CSV by sample_id.
    let reviews = f.dir.join("reviews.csv");
    std::fs::write(
        &reviews,
        format!("sample_id,status,reviewer,note\n{id},explained,Jan,dossier compleet\n"),
    )
    .unwrap();
    run_ok(
        &f,
        &["--period", "2025", "--reviews", reviews.to_str().unwrap()],
    );
    let rows = sheet_rows(&book, "Control sample");
    let row = rows.iter().find(|r| r["sample_id"] == id).unwrap();
    assert_eq!(row["status"], "explained");
    assert_eq!(row["reviewer"], "Jan");
    assert_eq!(row["note"], "dossier compleet");
    assert_eq!(row["since last review"], "reviewed");
    let others = rows
        .iter()
        .filter(|r| r["since last review"] == "new")
        .count();
    assert_eq!(others, 24);
    // Not gone while in the sample.
    let gone = sheet_rows(&book, "Gone since last review");
    assert!(gone.is_empty(), "{gone:#?}");
    let html = std::fs::read_to_string(f.out().join("report.html")).unwrap();
    assert!(html.contains("dossier compleet"));

    // The workbook as next quarter's review file: the review carries over.
    let last = f.dir.join("last.xlsx");
    std::fs::copy(&book, &last).unwrap();
    run_ok(
        &f,
        &["--period", "2025", "--reviews", last.to_str().unwrap()],
    );
    let rows = sheet_rows(&book, "Control sample");
    let row = rows.iter().find(|r| r["sample_id"] == id).unwrap();
    assert_eq!(row["status"], "explained");
    assert_eq!(row["note"], "dossier compleet");
    assert!(
        row["review history"].contains("explained by Jan"),
        "{row:?}"
    );
    assert_eq!(
        rows.iter()
            .filter(|r| r["since last review"] == "listed before, not reviewed")
            .count(),
        24
    );

    // The let raises something now (no approval on a direct let would; here
    // its advert gets a position mismatch): its review moves to the gone
    // sheet, recognisable by allocation_id.
    let last = f.dir.join("last2.xlsx");
    std::fs::copy(&book, &last).unwrap();
    f.raw(
        "responses.csv",
        &format!(
            "{RESPONSES}\nADV1,T-A-CLEAN,2025-03-05 10:00,,3,accepted,,\n\
             ADV2,T-FLAG-ADVERT,2025-03-05 10:00,,1,accepted,,\n\
             ADV2,T-OTHER,2025-03-06 10:00,,5,not_reached,,\n"
        ),
    );
    run_ok(
        &f,
        &["--period", "2025", "--reviews", last.to_str().unwrap()],
    );
    assert!(!sheet_rows(&book, "Control sample")
        .iter()
        .any(|r| r["sample_id"] == id));
    let gone = sheet_rows(&book, "Gone since last review");
    let g = gone
        .iter()
        .find(|r| r["finding_id"] == id)
        .expect("gone review");
    assert_eq!(g["status"], "explained");
    assert_eq!(g["check"], "control sample");
    assert_eq!(g["subject_id"], "A-CLEAN");
}

#[test]
fn the_control_sample_is_pseudonymised() {
    let f = sample_fixture("control-pseudo", false);
    f.write();
    let args = [
        "run",
        "--data",
        "data",
        "--out",
        "out",
        "--period",
        "2025",
        "--pseudonymise",
    ];
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_woonaudit"))
        .args(args)
        .current_dir(&f.dir)
        .env("WOONAUDIT_PSEUDONYM_KEY", "k")
        .output()
        .unwrap();
    assert_ok(&o);
    let rows = read_csv(&f.out().join("control_sample.csv"));
    let row = rows
        .iter()
        .find(|r| r["allocation_id"] == "A-CLEAN")
        .unwrap();
    let p = |v: &str| {
        let mac = woonaudit::privacy::pseudonym::hmac_sha256(b"k", v.as_bytes());
        format!(
            "P-{}",
            &mac.iter().map(|b| format!("{b:02x}")).collect::<String>()[..12]
        )
    };
    assert_eq!(row["applicant_id"], p("T-A-CLEAN"));
    assert_eq!(row["handled_by"], p("E1"));
    assert_eq!(row["approved_by"], "");
    assert_eq!(row["dwelling_id"], "D-ADV1");
    assert_eq!(row["allocated_on"], "2025-04-01");
    let sample = sheet_rows(&f.out().join("exceptions.xlsx"), "Control sample");
    let s = sample
        .iter()
        .find(|r| r["allocation_id"] == "A-CLEAN")
        .unwrap();
    assert_eq!(s["applicant_id"], p("T-A-CLEAN"));
    assert_eq!(s["sample_id"], key("A-CLEAN")[..16]);
}

/// One let of each coverage kind, and tenants with and without what a
/// link by self and address needs.
#[test]
fn coverage_counts_each_kind_of_let() {
    let mut f = Fixture::new("coverage");
    f.set("employees", EMPLOYEES, &STAFF);
    f.raw(
        "applicants.csv",
        &format!(
            "{PEOPLE}\n\
             T1,Jansen,Kees,1970-02-03,1234AB,2010-01-01,,1,20000\n\
             T2,Smit,Kees,1971-02-03,,2010-01-01,,1,20000\n\
             T3,Bos,Kees,1972-02-03,5678CD,2010-01-01,,1,20000\n\
             T4,Kok,Kees,1973-02-03,5678CD,2010-01-01,,1,20000\n\
             T5,Vos,Kees,1974-02-03,5678CD,2010-01-01,,1,20000\n"
        ),
    );
    f.set(
        "adverts",
        ADVERTS,
        &["ADV1,D1,2025-03-01,2025-03-15,lottery,,,,,,,,,"],
    );
    f.set(
        "responses",
        RESPONSES,
        &["ADV1,T1,2025-03-05 10:00,7,,accepted,,"],
    );
    f.raw(
        "allocations.csv",
        &format!(
            "{ALLOCS}\n\
             C1,D1,T1,2025-04-01,,advert,ADV1,E1,,,,,\n\
             C2,D2,T2,2025-04-02,,advert,,E1,,,,,\n\
             C3,D3,T3,2025-04-03,,advert,NO-SUCH-ADVERT,E1,,,,,\n\
             C4,D4,T4,2025-04-04,,direct,,E1,E2,zorg,,,\n\
             C5,D5,T5,2025-04-05,,swap,,E1,E2,ruil,,,\n\
             C6,D6,NOT-LISTED,2025-04-06,,urgency,,E1,E2,urgent,,,\n\
             C7,D7,T1,2024-04-06,,urgency,,E1,E2,urgent,,,\n"
        ),
    );
    run_ok(&f, &["--period", "2025"]);
    // The keys in the order of spec 5.1: coverage right after handlers.
    let text = std::fs::read_to_string(f.out().join("stats.json")).unwrap();
    let compact: String = text.split_whitespace().collect();
    assert!(
        compact.contains(
            r#""handlers":[],"coverage":{"allocations":6,"advert_checked":1,"advert_discretionary":0,"advert_no_advert":2,"non_advert":3,"tenants_linkable":4}"#
        ),
        "{text}"
    );
    assert!(compact.find(r#""coverage""#) < compact.find(r#""compliance""#));
    // ORDER_NO_ADVERT agrees.
    let findings = read_csv(&f.out().join("findings.csv"));
    assert_eq!(of_check(&findings, "ORDER_NO_ADVERT").len(), 2);
    // The report states it at the top.
    let html = std::fs::read_to_string(f.out().join("report.html")).unwrap();
    let statement = html.find("Of 6 lets in the period, 1 could be checked against the order of their advert; 3 were not advertised").expect("coverage statement");
    assert!(statement < html.find("id=\"summary\"").unwrap());
    assert!(html.contains(
        "4 of the 6 tenants are on the waiting list with both a birth date and a postcode"
    ));
    // The annual files: all small here.
    let annual: Value =
        serde_json::from_slice(&std::fs::read(f.out().join("annual.json")).unwrap()).unwrap();
    let c = &annual["years"][0]["coverage"];
    assert_eq!(c["lets"], annual["years"][0]["lets"], "{c}");
    assert_eq!(c.as_object().unwrap().len(), 7, "{c}");
    let md = std::fs::read_to_string(f.out().join("annual.md")).unwrap();
    assert!(md.contains("## Wat de controle kon nagaan"), "{md}");
}

/// No line of the annual coverage figures has exactly one hidden member
/// (which its total and the other members would give away).
#[test]
fn annual_coverage_counts_are_suppressed_with_the_route_counts() {
    let mut f = sample_fixture("coverage-annual", false);
    f.raw("woonaudit.toml", "[thresholds]\nsmall_cell = 3\n");
    run_ok(&f, &[]);
    let annual: Value =
        serde_json::from_slice(&std::fs::read(f.out().join("annual.json")).unwrap()).unwrap();
    let mut years: Vec<&Value> = annual["years"].as_array().unwrap().iter().collect();
    years.extend(annual.get("all_years"));
    assert!(years.len() >= 3, "2024, 2025 and all years");
    let mut hidden_somewhere = false;
    for y in years {
        let c = &y["coverage"];
        let r = &y["routes"];
        assert_eq!(c["lets"], y["lets"]);
        let lines: [(Vec<&Value>, &Value); 4] = [
            (
                vec![
                    &c["checked"],
                    &c["discretionary_advert"],
                    &c["no_known_advert"],
                ],
                &r["advert"],
            ),
            (
                ["urgency", "direct", "temporary", "swap", "other"]
                    .iter()
                    .map(|k| &r[*k])
                    .collect(),
                &c["not_advertised"],
            ),
            (vec![&r["advert"], &c["not_advertised"]], &y["lets"]),
            (
                vec![&c["tenant_linkable"], &c["tenant_not_linkable"]],
                &y["lets"],
            ),
        ];
        for (parts, total) in lines {
            let hidden = parts.iter().chain([&total]).filter(|v| !v.is_u64()).count();
            hidden_somewhere |= hidden > 0;
            assert_ne!(hidden, 1, "one hidden count in {parts:?} -> {total}");
            if hidden == 0 {
                let sum: u64 = parts.iter().map(|v| v.as_u64().unwrap()).sum();
                assert_eq!(sum, total.as_u64().unwrap());
            }
        }
    }
    assert!(hidden_somewhere, "nothing small: the test shows nothing");
}

/// AOW: at 67 on contract_start (else allocated_on), the AOW income limit
/// (27,650 for one person in 2024) applies instead of 27,725.
#[test]
fn aow_households_are_judged_on_the_aow_limits() {
    let mut f = Fixture::new("aow");
    f.set("employees", EMPLOYEES, &STAFF);
    f.raw(
        "applicants.csv",
        &format!(
            "{PEOPLE}\n\
             A67,Jansen,Kees,1958-03-01,1234AB,2010-01-01,,1,\n\
             A66,Smit,Kees,1958-03-02,1234AB,2010-01-01,,1,\n\
             F67,Bos,Kees,1958-02-15,1234AB,2010-01-01,,1,\n\
             L66,Kok,Kees,1956-02-29,1234AB,2010-01-01,,1,\n\
             L67,Vos,Kees,1956-02-29,1234AB,2010-01-01,,1,\n"
        ),
    );
    // Income 27,700: at or under 27,725, above the AOW 27,650. Rent 600:
    // under the aftoppingsgrens, so a judged let meets passend.
    // A67 is 66 on allocated_on, 67 on contract_start; F67 (no
    // contract_start) is 67 on allocated_on; L66 and L67 are born on
    // 29 February: 66 on 28 February 2023, 67 on 1 March 2023.
    f.raw(
        "allocations.csv",
        &format!(
            "{ALLOCS}\n\
             P1,D1,A67,2025-02-20,2025-03-01,direct,,E1,E2,zorg,600,27700,1\n\
             P2,D2,A66,2025-02-20,2025-03-01,direct,,E1,E2,zorg,600,27700,1\n\
             P3,D3,F67,2025-02-20,,direct,,E1,E2,zorg,600,27700,1\n\
             P4,D4,L66,2023-02-01,2023-02-28,direct,,E1,E2,zorg,600,27700,1\n\
             P5,D5,L67,2023-02-01,2023-03-01,direct,,E1,E2,zorg,600,27700,1\n\
             P6,D6,NOT-LISTED,2025-02-20,2025-03-01,direct,,E1,E2,zorg,600,27700,1\n"
        ),
    );
    run_ok(&f, &[]);
    let passend = |s: &Value, year: i64| -> (u64, u64, u64) {
        let y = s["compliance"]
            .as_array()
            .unwrap()
            .iter()
            .find(|y| y["year"] == year)
            .unwrap();
        let p = &y["passend"];
        (
            p["numerator"].as_u64().unwrap(),
            p["denominator"].as_u64().unwrap(),
            y["aow_lets"].as_u64().unwrap(),
        )
    };
    let s = f.stats();
    // 2025: A66 and the tenant not on the waiting list (not AOW) are
    // judged and meet; A67 and F67 are AOW and above the AOW limit.
    assert_eq!(passend(&s, 2025), (2, 2, 2));
    // 2023: L66 judged; L67 AOW from 1 March.
    assert_eq!(passend(&s, 2023), (1, 1, 1));

    // A [[limits]] entry without the AOW keys: AOW households are judged
    // on the ordinary limits (aow_age still 67).
    let limits = "[[limits]]\nyear = 2024\npassend_income_single = 27725\npassend_income_multi = 37625\naftopping_low = 650.43\naftopping_high = 697.07\ndaeb_rent_cap = 879.66\ndaeb_income_single = 47699\ndaeb_income_multi = 52671\n";
    f.raw("woonaudit.toml", limits);
    run_ok(&f, &[]);
    let s = f.stats();
    assert_eq!(passend(&s, 2025), (4, 4, 2));
    assert_eq!(passend(&s, 2023), (2, 2, 1));
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(f.out().join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        manifest["config"]["limits"][0]["passend_income_single_aow"],
        "27725.00"
    );
    assert_eq!(manifest["config"]["limits"][0]["aow_age"], 67);

    // The AOW keys in the entry, with another age: 66 counts from 66.
    f.raw(
        "woonaudit.toml",
        &format!("{limits}aow_age = 66\npassend_income_single_aow = 27650\npassend_income_multi_aow = 37625\n"),
    );
    run_ok(&f, &[]);
    let s = f.stats();
    assert_eq!(passend(&s, 2025), (1, 1, 3));
    assert_eq!(passend(&s, 2023), (0, 0, 2));
}

/// `[input] migrated_on`: the registered_at gap rule does not apply on a
/// migration day, and only on that day.
#[test]
fn migrated_on_silences_the_gap_rule_on_that_day_only() {
    let mut f = Fixture::new("migrated");
    f.set("employees", EMPLOYEES, &STAFF);
    f.raw(
        "applicants.csv",
        &format!(
            "{PEOPLE}\n\
             M1,Jansen,Kees,1970-02-03,1234AB,2005-01-01,2019-03-01 08:00,1,\n\
             M2,Smit,Kees,1971-02-03,1234AB,2005-01-01,2019-03-02 08:00,1,\n\
             M3,Bos,Kees,1972-02-03,1234AB,2005-01-01,2019-03-01 23:59,1,\n\
             M4,Kok,Kees,1973-02-03,1234AB,2005-01-01,2021-06-15,1,\n"
        ),
    );
    // M3 also had its date moved earlier by hand: still a finding.
    f.raw(
        "registration_changes.csv",
        "applicant_id,changed_at,field,old_value,new_value,changed_by,reason\n\
         M3,2020-01-01 10:00,registration_date,2010-01-01,2005-01-01,E1,correctie\n",
    );
    let backdated = |f: &Fixture| -> Vec<String> {
        let mut v: Vec<String> = of_check(&f.findings(), "REGISTRATION_BACKDATED")
            .into_iter()
            .map(|x| x.0)
            .collect();
        v.sort();
        v
    };
    assert_eq!(backdated(&f), ["M1", "M2", "M3", "M4"]);
    f.raw("woonaudit.toml", "[input]\nmigrated_on = 2019-03-01\n");
    assert_eq!(backdated(&f), ["M2", "M3", "M4"]);
    let detail = f
        .findings()
        .into_iter()
        .find(|r| r["subject_id"] == "M3")
        .unwrap()["detail"]
        .clone();
    assert!(detail.contains("moved registration_date"), "{detail}");
    assert!(!detail.contains("the record was created"), "{detail}");
    // A list, strings in any date form of the rulebook.
    f.raw(
        "woonaudit.toml",
        "[input]\nmigrated_on = [\"01-03-2019\", 2021-06-15]\n",
    );
    assert_eq!(backdated(&f), ["M2", "M3"]);
    // A time of day is refused.
    f.raw(
        "woonaudit.toml",
        "[input]\nmigrated_on = \"2019-03-01 10:00\"\n",
    );
    let o = f.run(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("migrated_on"));
}
