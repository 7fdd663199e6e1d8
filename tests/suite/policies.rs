//! Allocation policies (spec 3 and 3.1, v1.2): each predicate and each
//! base on an advert where the policy's order differs from the built-in
//! one, with the exact ranks read back from ORDER_POSITION_MISMATCH (every
//! recorded position is 99, so every eligible candidate's detail states
//! the expected rank); requirements; discretionary adverts; several homes
//! per advert; and the configuration and data errors of policies.

use crate::common::*;

const APPLICANTS_V12: &str = "applicant_id,last_name,first_names,birth_date,registration_date,household_size,household_income,urgency,urgency_from,urgency_to,local_ties,current_tenant";
const ADVERTS_V12: &str = "advert_id,dwelling_id,published_on,closes_on,model,policy,units,status,withdrawn_on,urgency_first,local_first,min_age";
const RESPONSES_V12: &str =
    "advert_id,applicant_id,responded_at,lottery_number,points,position,outcome,reason,decided_by";
const PRIORITIES: &str =
    "priority_id,applicant_id,kind,detail,valid_from,valid_to,granted_on,granted_by";

/// Four seekers, judged on 2025-06-30 (the closing date):
/// OLD 75, registered 2015, alone, a current tenant;
/// YNG 30, registered 2005, household of 4;
/// MID 55 exactly, registered 2010, household of 2, local ties;
/// URG 45, registered 2020, household of 3, urgent since 2024.
/// The built-in order (urgency first) is URG, YNG, MID, OLD.
fn seekers(name: &str, config: &str, model: &str, policy: &str) -> Fixture {
    let mut f = Fixture::new(name);
    f.set(
        "applicants",
        APPLICANTS_V12,
        &[
            "OLD,Bakker,Jan,1950-01-01,2015-01-01,1,,,,,false,true",
            "YNG,Smit,Eva,1995-01-01,2005-01-01,4,,,,,false,false",
            "MID,Meijer,Rob,1970-01-01,2010-01-01,2,,,,,true,false",
            "URG,de Boer,Lotte,1980-01-01,2020-01-01,3,,MED,2024-01-01,,false,false",
        ],
    );
    let advert = format!("A,D1,2025-06-01,2025-06-30,{model},{policy},,,,,,");
    f.set("adverts", ADVERTS_V12, &[advert.as_str()]);
    f.set(
        "responses",
        RESPONSES_V12,
        &[
            "A,OLD,2025-06-04 10:00,4,12.5,99,not_reached,,",
            "A,YNG,2025-06-03 10:00,1,10,99,not_reached,,",
            "A,MID,2025-06-02 10:00,3,12.50,99,not_reached,,",
            "A,URG,2025-06-05 10:00,2,3,99,not_reached,,",
        ],
    );
    if !config.is_empty() {
        f.raw("woonaudit.toml", config);
    }
    f
}

/// The expected ranks of advert `advert`, in rank order, from the
/// ORDER_POSITION_MISMATCH details.
fn ranks(f: &Fixture, advert: &str) -> Vec<String> {
    let mut ranked: Vec<(usize, String)> = f
        .findings()
        .iter()
        .filter(|r| r["check"] == "ORDER_POSITION_MISMATCH" && r["subject_id"] == advert)
        .map(|r| {
            let d = &r["detail"];
            let at = d.find("but expected rank ").expect("rank in detail") + 18;
            let n: usize = d[at..]
                .split(' ')
                .next()
                .and_then(|s| s.parse().ok())
                .expect("a rank");
            (n, r["applicant_id"].clone())
        })
        .collect();
    ranked.sort();
    ranked.into_iter().map(|(_, a)| a).collect()
}

fn policy(name: &str, body: &str) -> String {
    format!("[policies.{name}]\n{body}\n")
}

#[test]
fn built_in_policy_is_the_v11_order() {
    let f = seekers("builtin", "", "registration", "");
    assert_eq!(ranks(&f, "A"), ["URG", "YNG", "MID", "OLD"]);
}

#[test]
fn each_predicate_as_a_tier_ranks_its_holders_first() {
    let cases: [(&str, [&str; 4]); 8] = [
        // The policy's tiers replace the built-in urgency tier.
        ("age>=65", ["OLD", "YNG", "MID", "URG"]),
        ("local", ["MID", "YNG", "OLD", "URG"]),
        ("current_tenant", ["OLD", "YNG", "MID", "URG"]),
        ("household>=3", ["YNG", "URG", "MID", "OLD"]),
        ("household<=1", ["OLD", "YNG", "MID", "URG"]),
        // MID is 55 on the closing date exactly.
        ("age<=55", ["YNG", "MID", "URG", "OLD"]),
        ("urgency", ["URG", "YNG", "MID", "OLD"]),
        ("Age >= 56", ["OLD", "YNG", "MID", "URG"]),
    ];
    for (tier, expected) in cases {
        let config = policy("p", &format!("tiers = [\"{tier}\"]"));
        let f = seekers(
            &format!("tier-{}", tier.len()),
            &config,
            "registration",
            "p",
        );
        assert_eq!(ranks(&f, "A"), expected, "tier {tier}");
    }
}

#[test]
fn tiers_are_sort_keys_in_order() {
    // Holding tiers 1 and 2 ranks before holding tier 1 only.
    let config = policy("p", "tiers = [\"household>=2\", \"local\"]");
    let f = seekers("two-tiers", &config, "registration", "P");
    assert_eq!(ranks(&f, "A"), ["MID", "YNG", "URG", "OLD"]);
}

#[test]
fn a_priority_tier_orders_its_holders_by_valid_from() {
    let config = policy("ind", "tiers = [\"priority:IND\"]")
        + &policy("rol", "tiers = [\"priority:indication:rol\"]");
    let prios = [
        "P1,MID,IND,ROL,2023-01-01,,2023-01-01,",
        "P2,OLD,indication,rol,2021-01-01,,2021-01-01,",
        "P3,YNG,indication,MED,2022-01-01,,2022-01-01,",
        // Expired before the closing date: does not count.
        "P4,URG,URG,,2020-01-01,2025-01-01,2020-01-01,",
        "P5,URG,IND,ROL,2019-01-01,2025-06-29,2019-01-01,",
    ];
    let mut f = seekers("prio-any", &config, "registration", "ind");
    f.set("priorities", PRIORITIES, &prios);
    assert_eq!(ranks(&f, "A"), ["OLD", "YNG", "MID", "URG"]);
    let mut f = seekers("prio-detail", &config, "registration", "rol");
    f.set("priorities", PRIORITIES, &prios);
    assert_eq!(ranks(&f, "A"), ["OLD", "MID", "YNG", "URG"]);
}

#[test]
fn each_base_orders_the_rest() {
    // Lottery: the drawn numbers YNG 1, URG 2, MID 3, OLD 4.
    let f = seekers(
        "base-lottery",
        &policy("l", "base = \"lottery\""),
        "registration",
        "l",
    );
    assert_eq!(ranks(&f, "A"), ["YNG", "URG", "MID", "OLD"]);
    // Points: most first; OLD's 12.5 equals MID's 12.50, and MID
    // registered earlier.
    let f = seekers(
        "base-points",
        &policy("p", "base = \"points\""),
        "registration",
        "p",
    );
    assert_eq!(ranks(&f, "A"), ["MID", "OLD", "YNG", "URG"]);
    // First come: by responded_at.
    let f = seekers(
        "base-first",
        &policy("f", "base = \"first_come\""),
        "registration",
        "f",
    );
    assert_eq!(ranks(&f, "A"), ["MID", "YNG", "OLD", "URG"]);
    // The models without a policy: the built-in urgency tier, then the
    // model as base.
    let f = seekers("model-first", "", "first_come", "");
    assert_eq!(ranks(&f, "A"), ["URG", "MID", "YNG", "OLD"]);
    let f = seekers("model-points", "", "points", "");
    assert_eq!(ranks(&f, "A"), ["URG", "MID", "OLD", "YNG"]);
}

#[test]
fn a_requirement_makes_a_tenant_ineligible_and_the_detail_names_it() {
    let config = policy("senioren", "tiers = [\"age>=65\"]\nrequire = [\"age>=55\"]");
    let mut f = seekers("require", &config, "registration", "senioren");
    f.set(
        "allocations",
        ALLOCATIONS,
        &["TW1,D1,YNG,2025-07-10,advert,A,E1,,"],
    );
    let found = f.findings();
    let inel: Vec<&Row> = found
        .iter()
        .filter(|r| r["check"] == "ORDER_INELIGIBLE")
        .collect();
    assert_eq!(inel.len(), 1);
    assert!(
        inel[0]["detail"].contains("does not meet age>=55"),
        "{}",
        inel[0]["detail"]
    );
    // Only OLD and MID are eligible: OLD first (tier), then MID.
    assert_eq!(ranks(&f, "A"), ["OLD", "MID"]);
}

#[test]
fn a_discretionary_advert_has_no_order_but_needs_an_approval() {
    for (approved, reason, expect_unapproved) in [
        ("", "", true),
        ("E2", "motivatie beoordeeld door commissie", false),
    ] {
        let mut f = seekers(
            &format!("disc-{expect_unapproved}"),
            "",
            "discretionary",
            "",
        );
        f.set(
            "employees",
            EMPLOYEES,
            &[
                "E1,Visser,Anna,1980-01-01,2015-01-01,",
                "E2,Kok,Bas,1981-01-01,2015-01-01,",
            ],
        );
        let alloc = format!("TW1,D1,OLD,2025-07-10,advert,A,E1,{approved},{reason}");
        f.set("allocations", ALLOCATIONS, &[alloc.as_str()]);
        let found = f.findings();
        assert!(of_check(&found, "ORDER_BYPASS").is_empty());
        assert!(of_check(&found, "ORDER_POSITION_MISMATCH").is_empty());
        assert_eq!(
            of_check(&found, "ROUTE_UNAPPROVED").len(),
            usize::from(expect_unapproved)
        );
    }
}

/// Advert U (registration, no urgency tier) with `units` homes and the
/// route-advert allocations `lets`. Order: T2 (2001), T1 (2002), X (2003).
fn units_fixture(name: &str, units: &str, lets: &[&str]) -> Fixture {
    let mut f = Fixture::new(name);
    f.set(
        "applicants",
        APPLICANTS,
        &[
            "T2,Kok,Ans,1970-01-01,2001-01-01,1,,,,,",
            "T1,Vos,Bert,1971-01-01,2002-01-01,1,,,,,",
            "X,Dekker,Cor,1972-01-01,2003-01-01,1,,,,,",
        ],
    );
    let advert = format!("U,D9,2025-06-01,2025-06-30,registration,,{units},,,false,,");
    f.set("adverts", ADVERTS_V12, &[advert.as_str()]);
    f.set(
        "responses",
        RESPONSES_V12,
        &[
            "U,T2,2025-06-02 10:00,,,,accepted,,",
            "U,T1,2025-06-02 11:00,,,,accepted,,",
            "U,X,2025-06-02 12:00,,,,not_reached,,",
        ],
    );
    f.set("allocations", ALLOCATIONS, lets);
    f
}

#[test]
fn two_homes_two_tenants_no_bypass_between_them() {
    let lets = [
        "L1,D9,T1,2025-07-01,advert,U,E1,,",
        "L2,D9-B,T2,2025-07-01,advert,U,E1,,",
    ];
    let found = units_fixture("units-2", "2", &lets).findings();
    assert!(of_check(&found, "ORDER_BYPASS").is_empty(), "{found:?}");
    assert!(of_check(&found, "ADVERT_OVERLET").is_empty());
    // Several homes: a let may name another of the identical dwellings.
    assert!(of_check(&found, "ADVERT_DWELLING_MISMATCH").is_empty());
    // One home, two lets: overlet, still no bypass between the tenants,
    // and the second dwelling differs from the advert's.
    let found = units_fixture("units-1", "1", &lets).findings();
    assert!(of_check(&found, "ORDER_BYPASS").is_empty());
    assert_eq!(
        of_check(&found, "ADVERT_OVERLET"),
        [("U".to_string(), String::new(), "medium".to_string())]
    );
    assert_eq!(
        of_check(&found, "ADVERT_DWELLING_MISMATCH"),
        [("L2".to_string(), "T2".to_string(), "medium".to_string())]
    );
}

#[test]
fn a_bad_policy_in_the_config_stops_the_run_naming_policy_and_value() {
    for (body, value) in [
        ("tiers = [\"age>=65\", \"elderly\"]", "elderly"),
        ("base = \"oldest_first\"", "oldest_first"),
        ("require = [\"priority:XYZ\"]", "priority:XYZ"),
    ] {
        let f = seekers(
            "bad-policy",
            &policy("senioren", body),
            "registration",
            "senioren",
        );
        let out = f.run(&[]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("senioren") && err.contains(value), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
}

#[test]
fn policy_and_priority_data_errors_are_reported_at_their_cells() {
    let mut f = seekers(
        "policy-issues",
        &policy("p", "base = \"points\""),
        "registration",
        "nope",
    );
    f.set(
        "adverts",
        ADVERTS_V12,
        &[
            "A,D1,2025-06-01,2025-06-30,registration,nope,,,,,,",
            "B,D2,2025-06-01,2025-06-30,registration,P,0,,,,,",
            "C,D3,2025-06-01,2025-06-30,registration,p,,gone,,,,",
            "E,D4,2025-06-01,2025-06-30,registration,P,,,,,,",
        ],
    );
    f.set(
        "responses",
        RESPONSES_V12,
        &[
            "E,OLD,2025-06-04 10:00,,,,not_reached,,",
            "E,YNG,2025-06-04 10:00,,7,,not_reached,,",
        ],
    );
    f.set(
        "priorities",
        PRIORITIES,
        &[
            "P1,NOBODY,URG,,,,,",
            "P2,OLD,SOMETHING,,,,,",
            "P3,MID,URG,,,,,EX9",
        ],
    );
    f.raw(
        "vacancies.csv",
        "vacancy_id,dwelling_id,vacated_on,reason\nV1,D1,2025-01-01,death\nV2,D1,2025-01-01,moved\n",
    );
    let out = f.run(&[]);
    assert_eq!(out.status.code(), Some(2));
    let issues = read_csv(&f.out().join("data_issues.csv"));
    let at = |file: &str, line: &str, column: &str| {
        issues.iter().any(|i| {
            i["file"] == file && i["line"] == line && i["column"] == column && i["level"] == "error"
        })
    };
    assert!(at("adverts.csv", "2", "policy"), "{issues:?}");
    assert!(at("adverts.csv", "3", "units"), "{issues:?}");
    assert!(at("adverts.csv", "4", "status"), "{issues:?}");
    assert!(at("responses.csv", "2", "points"), "{issues:?}");
    assert!(!at("responses.csv", "3", "points"), "{issues:?}");
    assert!(at("priorities.csv", "2", "applicant_id"), "{issues:?}");
    assert!(at("priorities.csv", "3", "kind"), "{issues:?}");
    assert!(at("vacancies.csv", "3", "reason"), "{issues:?}");
    // An unknown granted_by is a warning: the priority is kept.
    assert!(issues.iter().any(|i| i["file"] == "priorities.csv"
        && i["line"] == "4"
        && i["column"] == "granted_by"
        && i["level"] == "warning"));
    assert!(!at("vacancies.csv", "2", "reason"), "{issues:?}");
}

#[test]
fn explain_shows_the_policy_the_tiers_held_and_the_failed_requirement() {
    let config = policy(
        "senioren",
        "tiers = [\"age>=65\", \"local\"]\nrequire = [\"age>=55\"]",
    );
    let mut f = seekers("explain-policy", &config, "registration", "senioren");
    f.set(
        "allocations",
        ALLOCATIONS,
        &["TW1,D1,YNG,2025-07-10,advert,A,E1,,"],
    );
    f.write();
    let data = f.data();
    let out = woonaudit(
        &["explain", "--data", data.to_str().unwrap(), "TW1"],
        &f.dir,
    );
    assert_ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("policy senioren (base registration; tiers in order: age>=65, local; requires: age>=55)"),
        "{text}"
    );
    // OLD holds the first tier, MID the second; YNG fails the requirement.
    let line = |id: &str| {
        text.lines()
            .find(|l| l.split_whitespace().nth(1) == Some(id))
            .unwrap_or_else(|| panic!("no line for {id}:\n{text}"))
            .to_string()
    };
    assert!(
        line("OLD").starts_with("1 ") && line("OLD").contains("age>=65"),
        "{text}"
    );
    assert!(
        line("MID").starts_with("2 ") && line("MID").contains("local ties"),
        "{text}"
    );
    assert!(line("YNG").contains("does not meet age>=55"), "{text}");
}
