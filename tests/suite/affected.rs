//! affected.csv (spec 4.2, v1.2): the seekers who lost a home, by bypass
//! and by a backdated registration, with ranks worked out by hand; its
//! pseudonymisation; and `affected` in stats.json.

use crate::common::*;

const APPLICANTS_AT: &str = "applicant_id,last_name,first_names,birth_date,registration_date,registered_at,household_size,household_income,urgency,urgency_from,urgency_to,local_ties";
const CHANGES: &str = "applicant_id,changed_at,field,old_value,new_value,changed_by,reason";

/// Advert ADV1 (registration model, no urgency tier) closing 2025-03-31,
/// let to T, whose registration_date was moved on `edited` from 2020-01-01
/// to 2010-01-01.
///
/// Recorded order: B1 (2005) 1, T (2010) 2, A1 (2012) 3, A2 (2015) 4,
/// A3 (2016) 5, A4 (2022) 6. B1 was never offered the home: ORDER_BYPASS,
/// so `bypass` at rank 1, tenant_rank 2.
///
/// With T's original 2020-01-01: B1 1, A1 2, A2 3, A3 4, T 5, A4 6. Above
/// T: B1 (already bypass), A1 and A2 (never offered: `backdated`, ranks 2
/// and 3, tenant_rank 5), A3 (declined with a reason: properly passed
/// over). A4 stays below.
///
/// ADV2 (closing 2025-05-31) is let to G, whose registered_at gap
/// (registration_date 2008-01-01, record created 2025-01-10) makes the
/// original date 2025-01-10: H (2012, never offered) moves above G, and
/// K (2015), skipped with a reason, was properly passed over.
fn fixture(name: &str, edited: &str) -> Fixture {
    let mut f = Fixture::new(name);
    f.set(
        "applicants",
        APPLICANTS_AT,
        &[
            "T,Jansen,Pieter,1970-02-02,2010-01-01,,2,,,,,",
            "B1,Dijkstra,Wim,1971-03-03,2005-01-01,2004-12-20 09:00,1,,,,,",
            "A1,Hoekstra,Gerda,1972-04-04,2012-01-01,2011-12-20 09:00,1,,,,,",
            "A2,Mulder,Kees,1973-05-05,2015-01-01,2014-12-20 09:00,1,,,,,",
            "A3,Bosma,Ria,1974-06-06,2016-01-01,2015-12-20 09:00,1,,,,,",
            "A4,Kuipers,Tjeerd,1975-07-07,2022-01-01,2021-12-20 09:00,1,,,,,",
            "G,Wiersma,Lies,1976-08-08,2008-01-01,2025-01-10 09:00,1,,,,,",
            "H,Zijlstra,Bauke,1977-09-09,2012-06-01,2012-05-20 09:00,1,,,,,",
            "K,Hiemstra,Doutzen,1978-10-10,2015-06-01,2015-05-20 09:00,1,,,,,",
        ],
    );
    f.set(
        "adverts",
        ADVERTS,
        &[
            "ADV1,D1,2025-03-01,2025-03-31,registration,false,,,,,,,,",
            "ADV2,D2,2025-05-01,2025-05-31,registration,false,,,,,,,,",
        ],
    );
    f.set(
        "responses",
        RESPONSES,
        &[
            "ADV1,B1,2025-03-02 10:00,,,not_reached,,",
            "ADV1,T,2025-03-03 10:00,,,accepted,,",
            "ADV1,A1,2025-03-04 10:00,,,not_reached,,",
            "ADV1,A2,2025-03-05 10:00,,,not_reached,,",
            "ADV1,A3,2025-03-06 10:00,,,declined,te klein,",
            "ADV1,A4,2025-03-07 10:00,,,not_reached,,",
            "ADV2,G,2025-05-02 10:00,,,accepted,,",
            "ADV2,H,2025-05-03 10:00,,,not_reached,,",
            "ADV2,K,2025-05-04 10:00,,,skipped,geen reactie op aanbod,",
        ],
    );
    f.set(
        "allocations",
        ALLOCATIONS,
        &[
            "TW1,D1,T,2025-04-15,advert,ADV1,,,",
            "TW2,D2,G,2025-06-15,advert,ADV2,,,",
        ],
    );
    let change = format!("T,{edited} 10:00,registration_date,2020-01-01,2010-01-01,,correctie");
    f.set("registration_changes", CHANGES, &[change.as_str()]);
    f
}

/// (allocation_id, tenant_id, applicant_id, cause, rank, tenant_rank).
fn rows_of(f: &Fixture) -> Vec<[String; 6]> {
    read_csv(&f.out().join("affected.csv"))
        .into_iter()
        .map(|r| {
            [
                r["allocation_id"].clone(),
                r["tenant_id"].clone(),
                r["applicant_id"].clone(),
                r["cause"].clone(),
                r["rank"].clone(),
                r["tenant_rank"].clone(),
            ]
        })
        .collect()
}

fn row(cells: [&str; 6]) -> [String; 6] {
    cells.map(str::to_string)
}

#[test]
fn the_backdated_tenant_displaced_two_named_seekers_and_a_bypass_one() {
    let f = fixture("affected", "2025-01-15");
    let o = f.run(&["--period", "2025"]);
    assert_ok(&o);
    let text = std::fs::read_to_string(f.out().join("affected.csv")).unwrap();
    assert!(text.starts_with(
        "allocation_id,advert_id,tenant_id,applicant_id,cause,rank,tenant_rank,detail\n"
    ));
    let got = rows_of(&f);
    // ADV2: G's original 2025-01-10 puts H (2012-06-01) and K (2015-06-01)
    // above G; K was properly passed over. In the recorded order G ranks
    // first, so nobody was bypassed there.
    assert_eq!(
        got,
        vec![
            row(["TW1", "T", "B1", "bypass", "1", "2"]),
            row(["TW1", "T", "A1", "backdated", "2", "5"]),
            row(["TW1", "T", "A2", "backdated", "3", "5"]),
            row(["TW2", "G", "H", "backdated", "1", "3"]),
        ]
    );
    let all = read_csv(&f.out().join("affected.csv"));
    assert!(all
        .iter()
        .all(|r| r["advert_id"] == "ADV1" || r["advert_id"] == "ADV2"));
    let a1 = &all[1]["detail"];
    assert!(
        a1.contains("2020-01-01") && a1.contains("2010-01-01"),
        "detail names the original and the recorded date: {a1}"
    );
    assert!(
        all[3]["detail"].contains("2025-01-10"),
        "{}",
        all[3]["detail"]
    );
}

#[test]
fn stats_count_seekers_allocations_and_rows_per_cause_in_the_spec_key_order() {
    let f = fixture("affected-stats", "2025-01-15");
    assert_ok(&f.run(&["--period", "2025"]));
    let bytes = std::fs::read(f.out().join("stats.json")).unwrap();
    let s: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let rows = read_csv(&f.out().join("affected.csv"));
    let mut seekers: Vec<&str> = rows.iter().map(|r| r["applicant_id"].as_str()).collect();
    seekers.sort();
    seekers.dedup();
    let mut allocations: Vec<&str> = rows.iter().map(|r| r["allocation_id"].as_str()).collect();
    allocations.dedup();
    let count = |c: &str| rows.iter().filter(|r| r["cause"] == c).count();
    assert_eq!(
        s["affected"],
        serde_json::json!({
            "seekers": seekers.len(),
            "allocations": allocations.len(),
            "by_cause": {
                "bypass": count("bypass"),
                "backdated": count("backdated"),
                "late_priority": 0
            }
        })
    );
    // By hand: B1; A1, A2; H.
    assert_eq!(s["affected"]["seekers"], 4);
    assert_eq!(s["affected"]["allocations"], 2);
    assert_eq!(s["affected"]["by_cause"]["bypass"], 1);
    assert_eq!(s["affected"]["by_cause"]["backdated"], 3);
    let text = String::from_utf8(bytes).unwrap();
    let at = |k: &str| text.find(&format!("\n  \"{k}\"")).unwrap();
    assert!(at("skip_rates") < at("affected") && at("affected") < at("compliance"));
    let a = text.find("\"affected\"").unwrap();
    let part = &text[a..];
    let pos: Vec<usize> = [
        "seekers",
        "allocations",
        "by_cause",
        "bypass",
        "backdated",
        "late_priority",
    ]
    .iter()
    .map(|k| part.find(&format!("\"{k}\"")).unwrap())
    .collect();
    assert!(pos.windows(2).all(|w| w[0] < w[1]), "{part}");
}

#[test]
fn a_backdating_after_the_closing_date_displaces_nobody() {
    // The edit is made after ADV1 closed (and after the let): the ranking of
    // ADV1 did not use it, and only the bypass remains there.
    let f = fixture("affected-late", "2025-04-20");
    assert_ok(&f.run(&["--period", "2025"]));
    let got = rows_of(&f);
    assert_eq!(got[0], row(["TW1", "T", "B1", "bypass", "1", "2"]));
    assert!(
        got.iter().all(|r| r[0] != "TW1" || r[3] == "bypass"),
        "{got:?}"
    );
}

#[test]
fn a_backdating_outside_the_period_has_no_finding_and_displaces_nobody() {
    // The edit is in 2024: no REGISTRATION_BACKDATED finding in a 2025 run
    // (spec 4: a finding is in a period when one of its events is), so no
    // `backdated` rows for T; the run over all dates has them.
    let f = fixture("affected-period", "2024-06-01");
    assert_ok(&f.run(&["--period", "2025"]));
    let got = rows_of(&f);
    assert!(
        got.iter().all(|r| r[0] != "TW1" || r[3] == "bypass"),
        "{got:?}"
    );
    assert_ok(&f.run(&[]));
    let all = rows_of(&f);
    assert!(all.contains(&row(["TW1", "T", "A1", "backdated", "2", "5"])));
}

#[test]
fn the_pseudonymised_affected_csv_has_no_raw_ids() {
    let f = fixture("affected-pseudo", "2025-01-15");
    f.write();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_woonaudit"))
        .args([
            "run",
            "--data",
            "data",
            "--out",
            "out",
            "--period",
            "2025",
            "--pseudonymise",
        ])
        .current_dir(&f.dir)
        .env("WOONAUDIT_PSEUDONYM_KEY", "k")
        .output()
        .unwrap();
    assert_ok(&o);
    let p = |v: &str| {
        let mac = woonaudit::privacy::pseudonym::hmac_sha256(b"k", v.as_bytes());
        format!(
            "P-{}",
            &mac.iter().map(|b| format!("{b:02x}")).collect::<String>()[..12]
        )
    };
    let rows = read_csv(&f.out().join("affected.csv"));
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["tenant_id"], p("T"));
    assert_eq!(rows[0]["applicant_id"], p("B1"));
    assert_eq!(rows[1]["applicant_id"], p("A1"));
    assert_eq!(rows[3]["tenant_id"], p("G"));
    let text = std::fs::read_to_string(f.out().join("affected.csv")).unwrap();
    for (at, v) in personal_values(&f.data()) {
        assert!(
            !contains_word(&text, &v),
            "{at} value {v:?} in affected.csv"
        );
    }
    // findings.csv keeps the raw ids.
    let findings = read_csv(&f.out().join("findings.csv"));
    assert!(findings.iter().any(|r| r["applicant_id"] == "B1"));
}

#[test]
fn the_report_and_the_workbook_list_the_affected_seekers() {
    use crate::common::book::sheet_cells;
    let f = fixture("affected-report", "2025-01-15");
    assert_ok(&f.run(&["--period", "2025"]));
    let html = std::fs::read_to_string(f.out().join("report.html")).unwrap();
    let at = html.find("<h2 id=\"affected\">").expect("section");
    let section = &html[at..];
    let section = &section[..section[4..].find("<h2").map_or(section.len(), |e| e + 4)];
    assert!(section.contains("4 seeker(s) on 2 let(s): 1 by bypass, 3 by a backdated registration"));
    assert_eq!(section.matches("<tr>").count(), 5, "header and four rows");
    let rows = sheet_cells(&f.out().join("exceptions.xlsx"), "Affected seekers");
    let csv = read_csv(&f.out().join("affected.csv"));
    assert_eq!(rows.len(), csv.len() + 1);
    assert_eq!(
        rows[0],
        [
            "allocation_id",
            "advert_id",
            "tenant_id",
            "applicant_id",
            "cause",
            "rank",
            "tenant_rank",
            "detail"
        ]
    );
    for (r, c) in rows[1..].iter().zip(&csv) {
        assert_eq!(r[0], c["allocation_id"]);
        assert_eq!(r[3], c["applicant_id"]);
        assert_eq!(r[4], c["cause"]);
        assert_eq!(r[7], c["detail"]);
    }
}

#[test]
fn the_annual_files_give_the_number_only_suppressed_when_small() {
    let f = fixture("affected-annual", "2025-01-15");
    assert_ok(&f.run(&["--period", "2025"]));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(f.out().join("annual.json")).unwrap()).unwrap();
    // Four seekers on the 2025 lets: under the small cell of 5.
    assert_eq!(json["years"][0]["year"], 2025);
    assert_eq!(json["years"][0]["affected_seekers"], "<5");
    let md = std::fs::read_to_string(f.out().join("annual.md")).unwrap();
    assert!(
        md.contains("## Woningzoekenden die een woning misliepen"),
        "{md}"
    );
    assert!(md.contains("| 2025 | <5 |"), "{md}");
    // With a small cell of 1 the count shows; never an id.
    std::fs::write(
        f.data().join("woonaudit.toml"),
        "[thresholds]\nsmall_cell = 1\n",
    )
    .unwrap();
    assert_ok(&f.run(&["--period", "2025"]));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(f.out().join("annual.json")).unwrap()).unwrap();
    assert_eq!(json["years"][0]["affected_seekers"], 4);
    let md = std::fs::read_to_string(f.out().join("annual.md")).unwrap();
    for id in ["B1", "A1", "A2", "H", "TW1"] {
        assert!(!contains_word(&md, id), "{id} in annual.md");
    }
}
