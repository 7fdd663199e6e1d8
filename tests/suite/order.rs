//! Ranking (spec 3) and the ORDER_* checks (spec 4) on hand-written
//! fixtures, one per ranking key and per rule.

use crate::common::*;

const CLOSES: &str = "2026-03-31";

/// An applicant row: id, registration date, and the rest of the columns
/// (household_size,household_income,urgency,urgency_from,urgency_to,local_ties).
fn applicant(id: &str, registered: &str, rest: &str) -> String {
    format!("{id},Bakker,Jan,1980-05-05,{registered},{rest}")
}

/// An advert row closing on 31 March 2026.
fn advert(id: &str, model: &str, urgency_first: &str, local_first: &str, bounds: &str) -> String {
    format!("{id},D-{id},2026-03-01,{CLOSES},{model},{urgency_first},{local_first},{bounds}")
}

/// Asserts the derived order of the candidates: advert OK records the
/// expected order as positions and must give no ORDER_POSITION_MISMATCH;
/// advert SWAP records the first two swapped and must give exactly those
/// two. `cands` are (applicant_id, responded_at, lottery_number).
fn assert_order(
    name: &str,
    applicants: &[String],
    model: &str,
    urgency_first: &str,
    local_first: &str,
    cands: &[(&str, &str, &str)],
    expected: &[&str],
) {
    let mut f = Fixture::new(name);
    let apps: Vec<&str> = applicants.iter().map(String::as_str).collect();
    f.set("applicants", APPLICANTS, &apps);
    let ok = advert("OK", model, urgency_first, local_first, ",,,,,,");
    let swap = advert("SWAP", model, urgency_first, local_first, ",,,,,,");
    f.set("adverts", ADVERTS, &[&ok, &swap]);
    let mut responses = Vec::new();
    for (id, at, lottery) in cands {
        let rank = expected
            .iter()
            .position(|e| e == id)
            .expect("candidate in expected")
            + 1;
        let swapped = match rank {
            1 => 2,
            2 => 1,
            r => r,
        };
        responses.push(format!("OK,{id},{at},{lottery},{rank},not_reached,,E1"));
        responses.push(format!(
            "SWAP,{id},{at},{lottery},{swapped},not_reached,,E1"
        ));
    }
    let rows: Vec<&str> = responses.iter().map(String::as_str).collect();
    f.set("responses", RESPONSES, &rows);
    let findings = f.findings();
    let mismatches = of_check(&findings, "ORDER_POSITION_MISMATCH");
    let on = |advert: &str| -> Vec<String> {
        let mut v: Vec<String> = mismatches
            .iter()
            .filter(|m| m.0 == advert)
            .map(|m| m.1.clone())
            .collect();
        v.sort();
        v
    };
    assert_eq!(on("OK"), Vec::<String>::new(), "order of {name}");
    let mut first_two = vec![expected[0].to_string(), expected[1].to_string()];
    first_two.sort();
    assert_eq!(on("SWAP"), first_two, "swapped order of {name}");
    assert!(mismatches.iter().all(|m| m.2 == "low"));
}

const AT: &str = "2026-03-10 10:00";

#[test]
fn urgency_valid_on_closing_ranks_first_expired_the_day_before_does_not() {
    let apps = [
        applicant("A1", "2010-01-01", "2,30000,,,,"),
        applicant("A2", "2020-01-01", "2,30000,medisch,2025-06-01,2026-03-31,"),
        applicant("A3", "2005-01-01", "2,30000,sociaal,2025-01-01,2026-03-30,"),
        applicant("A4", "2021-01-01", "2,30000,geen,,,"),
        applicant("A5", "2022-01-01", "2,30000,medisch,2025-01-01,,"),
        applicant("A6", "2024-01-01", "2,30000,Sociaal,,,"),
    ];
    let cands: Vec<(&str, &str, &str)> = ["A1", "A2", "A3", "A4", "A5", "A6"]
        .iter()
        .map(|id| (*id, AT, ""))
        .collect();
    // Urgent first, by urgency_from (missing = registration_date); then
    // registration date.
    assert_order(
        "urgency",
        &apps,
        "registration",
        "",
        "",
        &cands,
        &["A6", "A5", "A2", "A3", "A1", "A4"],
    );
    // urgency_first false: registration date only.
    assert_order(
        "no-urgency-first",
        &apps,
        "registration",
        "false",
        "",
        &cands,
        &["A3", "A1", "A2", "A4", "A5", "A6"],
    );
}

#[test]
fn local_ties_rank_next_when_the_advert_says_so() {
    let apps = [
        applicant("A1", "2010-01-01", "2,30000,,,,nee"),
        applicant("A2", "2015-01-01", "2,30000,,,,ja"),
        applicant("A3", "2012-01-01", "2,30000,,,,"),
        applicant("A4", "2018-01-01", "2,30000,,,,TRUE"),
    ];
    let cands: Vec<(&str, &str, &str)> = ["A1", "A2", "A3", "A4"]
        .iter()
        .map(|id| (*id, AT, ""))
        .collect();
    assert_order(
        "local",
        &apps,
        "registration",
        "true",
        "true",
        &cands,
        &["A2", "A4", "A1", "A3"],
    );
    assert_order(
        "no-local",
        &apps,
        "registration",
        "true",
        "false",
        &cands,
        &["A1", "A3", "A2", "A4"],
    );
}

#[test]
fn lottery_number_orders_a_lottery_advert() {
    let apps = [
        applicant("A1", "2010-01-01", "2,30000,,,,"),
        applicant("A2", "2015-01-01", "2,30000,,,,"),
        applicant("A3", "2012-01-01", "2,30000,,,,"),
    ];
    let cands = [("A1", AT, "30"), ("A2", AT, "7"), ("A3", AT, "12")];
    assert_order(
        "lottery",
        &apps,
        "lottery",
        "",
        "",
        &cands,
        &["A2", "A3", "A1"],
    );
}

#[test]
fn responded_at_then_applicant_id_break_ties() {
    let apps = [
        applicant("A3", "2010-01-01", "2,30000,,,,"),
        applicant("A1", "2010-01-01", "2,30000,,,,"),
        applicant("A2", "2010-01-01", "2,30000,,,,"),
        applicant("B", "2010-01-01", "2,30000,,,,"),
    ];
    // Same registration date: earlier response first; same moment: id in
    // byte order ("A2" < "B").
    let cands = [
        ("A3", "2026-03-10 09:00:00", ""),
        ("A1", "2026-03-10 09:00:01", ""),
        ("B", "2026-03-10 08:00", ""),
        ("A2", "2026-03-10T08:00:00", ""),
    ];
    assert_order(
        "tiebreak",
        &apps,
        "registration",
        "",
        "",
        &cands,
        &["A2", "B", "A3", "A1"],
    );
}

/// Allocation fixture: advert ADV with `bounds`, candidates with
/// (applicant row, response row tail), tenant `tenant`.
fn allocation_fixture(
    name: &str,
    bounds: &str,
    applicants: &[String],
    responses: &[String],
    tenant: &str,
) -> Fixture {
    let mut f = Fixture::new(name);
    let apps: Vec<&str> = applicants.iter().map(String::as_str).collect();
    f.set("applicants", APPLICANTS, &apps);
    let adv = advert("ADV", "registration", "", "", bounds);
    f.set("adverts", ADVERTS, &[&adv]);
    let rows: Vec<&str> = responses.iter().map(String::as_str).collect();
    f.set("responses", RESPONSES, &rows);
    let alloc = format!("AL1,D-ADV,{tenant},2026-04-10,advert,ADV,E1,,");
    f.set("allocations", ALLOCATIONS, &[&alloc]);
    f
}

#[test]
fn age_turning_on_the_closing_date_is_eligible_the_day_after_is_not() {
    // min_age 18: born 2008-03-31 turns 18 on C; born 2008-04-01 on C+1.
    let apps = [
        "OLD,Bakker,Jan,2008-03-31,2010-01-01,1,20000,,,,".to_string(),
        "YOUNG,Smit,Jan,2008-04-01,2009-01-01,1,20000,,,,".to_string(),
    ];
    let responses = [
        format!("ADV,OLD,{AT},,,accepted,,E1"),
        format!("ADV,YOUNG,{AT},,,skipped,te jong,E1"),
    ];
    let f = allocation_fixture("age-ok", "18,,,,,,", &apps, &responses, "OLD");
    assert!(f.findings().is_empty());
    let f = allocation_fixture("age-young", "18,,,,,,", &apps, &responses, "YOUNG");
    let findings = f.findings();
    let inel = of_check(&findings, "ORDER_INELIGIBLE");
    assert_eq!(inel, vec![("AL1".into(), "YOUNG".into(), "medium".into())]);
    let detail = &findings
        .iter()
        .find(|r| r["check"] == "ORDER_INELIGIBLE")
        .unwrap()["detail"];
    assert!(detail.contains("age 17 is below min_age 18"), "{detail}");
    // OLD ranked above the ineligible tenant, never offered: a bypass.
    assert_eq!(
        of_check(&findings, "ORDER_BYPASS"),
        vec![("AL1".into(), "OLD".into(), "medium".into())]
    );
}

#[test]
fn a_leap_day_birthday_is_reached_on_the_first_of_march() {
    // Advert closing 2026-03-01 with min_age 18: born 2008-02-29 is 18 then.
    let mut f = Fixture::new("leap");
    f.set(
        "applicants",
        APPLICANTS,
        &["LEAP,Bakker,Jan,2008-02-29,2010-01-01,1,20000,,,,"],
    );
    f.set(
        "adverts",
        ADVERTS,
        &["ADV,D1,2026-02-01,2026-03-01,registration,,,18,,,,,,"],
    );
    f.set(
        "responses",
        RESPONSES,
        &["ADV,LEAP,2026-02-10 10:00,,1,accepted,,E1"],
    );
    f.set(
        "allocations",
        ALLOCATIONS,
        &["AL1,D1,LEAP,2026-03-10,advert,ADV,E1,,"],
    );
    assert!(f.findings().is_empty());
}

#[test]
fn income_equal_to_the_maximum_is_eligible_a_cent_more_is_not() {
    let apps = [
        "EQ,Bakker,Jan,1980-01-01,2010-01-01,2,30000.00,,,,".to_string(),
        "OVER,Smit,Jan,1980-01-01,2009-01-01,2,30000.01,,,,".to_string(),
        "UNKNOWN,Mulder,Jan,1980-01-01,2011-01-01,2,,,,,".to_string(),
    ];
    let responses = [
        format!("ADV,EQ,{AT},,1,accepted,,E1"),
        format!("ADV,OVER,{AT},,,skipped,inkomen te hoog,E1"),
        format!("ADV,UNKNOWN,{AT},,2,not_reached,,E1"),
    ];
    // Household 2..3 and income up to 30000: EQ and UNKNOWN are eligible.
    let bounds = ",,2,3,,30000,";
    let f = allocation_fixture("income-eq", bounds, &apps, &responses, "EQ");
    assert!(f.findings().is_empty());
    let f = allocation_fixture("income-over", bounds, &apps, &responses, "OVER");
    let findings = f.findings();
    assert_eq!(of_check(&findings, "ORDER_INELIGIBLE").len(), 1);
    // Both eligible candidates rank above the ineligible tenant; EQ
    // "accepted" and UNKNOWN "not_reached" were not properly passed over.
    let mut bypassed: Vec<String> = of_check(&findings, "ORDER_BYPASS")
        .into_iter()
        .map(|b| b.1)
        .collect();
    bypassed.sort();
    assert_eq!(bypassed, vec!["EQ", "UNKNOWN"]);
}

#[test]
fn household_bounds_are_inclusive() {
    let apps = [
        "TWO,Bakker,Jan,1980-01-01,2010-01-01,2,,,,,".to_string(),
        "ONE,Smit,Jan,1980-01-01,2009-01-01,1,,,,,".to_string(),
    ];
    let responses = [
        format!("ADV,TWO,{AT},,1,accepted,,E1"),
        format!("ADV,ONE,{AT},,,skipped,te klein huishouden,E1"),
    ];
    let f = allocation_fixture("household", ",,2,,,,", &apps, &responses, "TWO");
    assert!(f.findings().is_empty());
}

#[test]
fn a_response_at_235959_on_closing_counts_one_at_midnight_after_does_not() {
    let apps = [
        applicant("ONTIME", "2015-01-01", "2,30000,,,,"),
        applicant("LATE", "2010-01-01", "2,30000,,,,"),
    ];
    let responses = [
        "ADV,ONTIME,2026-03-31 23:59:59,,1,accepted,,E1".to_string(),
        "ADV,LATE,2026-04-01 00:00:00,,,not_reached,,E1".to_string(),
    ];
    let f = allocation_fixture("ontime", ",,,,,,", &apps, &responses, "ONTIME");
    assert!(f.findings().is_empty());
    let f = allocation_fixture("late", ",,,,,,", &apps, &responses, "LATE");
    let findings = f.findings();
    assert_eq!(
        of_check(&findings, "ORDER_NOT_A_CANDIDATE"),
        vec![("AL1".into(), "LATE".into(), "medium".into())]
    );
    assert_eq!(
        of_check(&findings, "ORDER_BYPASS"),
        vec![("AL1".into(), "ONTIME".into(), "medium".into())]
    );
}

#[test]
fn a_tenant_who_never_responded_bypasses_everyone_not_properly_passed_over() {
    let apps = [
        applicant("C1", "2001-01-01", "2,30000,,,,"),
        applicant("C2", "2002-01-01", "2,30000,,,,"),
        applicant("C3", "2003-01-01", "2,30000,,,,"),
        applicant("C4", "2004-01-01", "2,30000,,,,"),
        applicant("C5", "2005-01-01", "2,30000,,,,"),
        applicant("T", "2020-01-01", "2,30000,,,,"),
    ];
    let responses = [
        format!("ADV,C1,{AT},,1,declined,te klein,E1"),
        format!("ADV,C2,{AT},,2,not_reached,,E1"),
        format!("ADV,C3,{AT},,3,skipped,,E1"),
        format!("ADV,C4,{AT},,4,withdrawn,  ,E1"),
        format!("ADV,C5,{AT},,5,withdrawn,verhuisd,E1"),
    ];
    let f = allocation_fixture("noresponse", ",,,,,,", &apps, &responses, "T");
    let findings = f.findings();
    assert_eq!(
        of_check(&findings, "ORDER_NOT_A_CANDIDATE"),
        vec![("AL1".into(), "T".into(), "medium".into())]
    );
    let bypassed: Vec<String> = of_check(&findings, "ORDER_BYPASS")
        .into_iter()
        .map(|b| b.1)
        .collect();
    assert_eq!(bypassed, vec!["C2", "C3", "C4"]);
    let c3 = findings
        .iter()
        .find(|r| r["check"] == "ORDER_BYPASS" && r["applicant_id"] == "C3")
        .unwrap();
    assert!(c3["detail"].contains("ranked 3 of 5"), "{}", c3["detail"]);
    assert!(
        c3["detail"].contains("skipped with no reason"),
        "{}",
        c3["detail"]
    );
    assert!(c3["detail"].contains("no response"), "{}", c3["detail"]);
}

#[test]
fn a_bypass_is_one_finding_per_candidate_above_the_tenant() {
    let apps = [
        applicant("R1", "2001-01-01", "2,30000,,,,"),
        applicant("R2", "2002-01-01", "2,30000,,,,"),
        applicant("T", "2003-01-01", "2,30000,,,,"),
        applicant("R4", "2004-01-01", "2,30000,,,,"),
    ];
    let responses = [
        format!("ADV,R1,{AT},,1,declined,te duur,E1"),
        format!("ADV,R2,{AT},,2,not_reached,,E1"),
        format!("ADV,T,{AT},,3,accepted,,E1"),
        format!("ADV,R4,{AT},,4,not_reached,,E1"),
    ];
    let f = allocation_fixture("bypass", ",,,,,,", &apps, &responses, "T");
    let findings = f.findings();
    assert_eq!(findings.len(), 1, "{findings:?}");
    let b = &findings[0];
    assert_eq!(b["check"], "ORDER_BYPASS");
    assert_eq!(b["severity"], "medium");
    assert_eq!(b["subject_type"], "allocation");
    assert_eq!(b["subject_id"], "AL1");
    assert_eq!(b["applicant_id"], "R2");
    assert_eq!(b["employee_id"], "");
    assert!(
        b["detail"].contains("expected rank 3 of 4"),
        "{}",
        b["detail"]
    );
    assert!(b["detail"].contains("ranked 2 of 4"), "{}", b["detail"]);
    // finding_id = first 16 hex digits of SHA-256("ORDER_BYPASS|AL1|R2|").
    use sha2::Digest;
    let digest = sha2::Sha256::digest(b"ORDER_BYPASS|AL1|R2|");
    let want: String = digest[..8].iter().map(|x| format!("{x:02x}")).collect();
    assert_eq!(b["finding_id"], want);
}

#[test]
fn route_advert_without_a_usable_advert() {
    let mut f = Fixture::new("noadvert");
    f.set(
        "applicants",
        APPLICANTS,
        &[&applicant("T", "2010-01-01", "2,30000,,,,")],
    );
    f.set(
        "adverts",
        ADVERTS,
        &[&advert("ADV", "registration", "", "", ",,,,,,")],
    );
    f.set(
        "allocations",
        ALLOCATIONS,
        &[
            "AL1,D1,T,2026-04-01,advert,,E1,,",
            "AL2,D2,T,2026-04-01,advert,NOPE,E1,,",
            "AL3,D3,T,2026-04-01,direct,,E1,E2,medische noodzaak",
        ],
    );
    let findings = f.findings();
    let mut got = of_check(&findings, "ORDER_NO_ADVERT");
    got.sort();
    assert_eq!(
        got,
        vec![
            ("AL1".into(), "T".into(), "medium".into()),
            ("AL2".into(), "T".into(), "medium".into())
        ]
    );
    assert_eq!(findings.len(), 2);
}

#[test]
fn the_period_limits_allocations_and_adverts() {
    let apps = [
        applicant("R1", "2001-01-01", "2,30000,,,,"),
        applicant("T", "2003-01-01", "2,30000,,,,"),
    ];
    let responses = [
        format!("ADV,R1,{AT},,7,not_reached,,E1"),
        format!("ADV,T,{AT},,2,accepted,,E1"),
    ];
    // Allocation 2026-04-10 (Q2), advert closing 2026-03-31 (Q1).
    let f = allocation_fixture("period", ",,,,,,", &apps, &responses, "T");
    let checks = |args: &[&str]| -> Vec<String> {
        let out = f.run(args);
        assert_ok(&out);
        let mut v: Vec<String> = read_csv(&f.out().join("findings.csv"))
            .into_iter()
            .map(|r| r["check"].clone())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        checks(&["--period", "2026-Q1"]),
        vec!["ORDER_POSITION_MISMATCH"]
    );
    assert_eq!(checks(&["--period", "2026-Q2"]), vec!["ORDER_BYPASS"]);
    assert_eq!(
        checks(&["--from", "2026-03-31", "--to", "2026-04-10"]),
        vec!["ORDER_BYPASS", "ORDER_POSITION_MISMATCH"]
    );
    assert!(checks(&["--period", "2025"]).is_empty());
    let manifest = std::fs::read_to_string(f.out().join("manifest.json")).unwrap();
    assert!(manifest.contains("\"from\": \"2025-01-01\""), "{manifest}");
}

#[test]
fn fail_on_sets_exit_code_3_at_or_above_the_severity() {
    let apps = [
        applicant("R1", "2001-01-01", "2,30000,,,,"),
        applicant("T", "2003-01-01", "2,30000,,,,"),
    ];
    let responses = [
        format!("ADV,R1,{AT},,,not_reached,,E1"),
        format!("ADV,T,{AT},,,accepted,,E1"),
    ];
    let f = allocation_fixture("failon", ",,,,,,", &apps, &responses, "T");
    assert_eq!(f.run(&["--fail-on", "medium"]).status.code(), Some(3));
    assert_eq!(f.run(&["--fail-on", "low"]).status.code(), Some(3));
    assert_eq!(f.run(&["--fail-on", "high"]).status.code(), Some(0));
    assert_eq!(f.run(&[]).status.code(), Some(0));
    assert_eq!(f.run(&["--fail-on", "urgent"]).status.code(), Some(2));
}

#[test]
fn explain_shows_the_order_with_the_tenant_and_the_bypassed_marked() {
    let apps = [
        applicant("R1", "2001-01-01", "2,30000,,,,"),
        applicant("R2", "2002-01-01", "2,30000,,,,"),
        applicant("T", "2003-01-01", "2,30000,,,,"),
        "YOUNG,Smit,Jan,2010-01-01,2000-01-01,1,20000,,,,".to_string(),
    ];
    let responses = [
        format!("ADV,R1,{AT},,1,declined,te duur,E1"),
        format!("ADV,R2,{AT},,2,not_reached,,E1"),
        format!("ADV,T,{AT},,3,accepted,,E1"),
        format!("ADV,YOUNG,{AT},,,skipped,te jong,E1"),
    ];
    let f = allocation_fixture("explain", "18,,,,,,", &apps, &responses, "T");
    f.write();
    let out = woonaudit(
        &["explain", "--data", f.data().to_str().unwrap(), "AL1"],
        &f.dir,
    );
    assert_ok(&out);
    let text = String::from_utf8(out.stdout).unwrap();
    let line = |id: &str| -> String {
        text.lines()
            .find(|l| l.split_whitespace().nth(1) == Some(id))
            .unwrap_or_else(|| panic!("no row for {id} in\n{text}"))
            .to_string()
    };
    assert!(line("R1").starts_with("1 ") && line("R1").contains("te duur"));
    assert!(line("R2").starts_with("2 ") && line("R2").contains("<< BYPASSED"));
    assert!(line("T").starts_with("3 ") && line("T").contains("<< TENANT"));
    assert!(
        line("YOUNG").contains("no: age 16 is below min_age 18"),
        "{text}"
    );
    assert!(!line("R1").contains("BYPASSED"));
    let missing = woonaudit(
        &["explain", "--data", f.data().to_str().unwrap(), "NOPE"],
        &f.dir,
    );
    assert_eq!(missing.status.code(), Some(2));
}
