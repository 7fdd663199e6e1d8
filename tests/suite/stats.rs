//! stats.json (spec 5 and 5.1) on a hand-made fixture, checked against
//! values computed independently with SciPy; the degenerate case of empty
//! input; and the layout.
//!
//! Reference values: scipy 1.17.1, statsmodels 0.15.0, numpy, Python
//! fractions, from /tmp/statsvenv/bin/python on the inputs written in the
//! comments below (the script is reproduced in `stats_fixture`'s comment).

use serde_json::Value;

use crate::common::*;

const ALLOCS: &str = "allocation_id,dwelling_id,applicant_id,allocated_on,contract_start,route,advert_id,handled_by,approved_by,reason,rent,household_income,household_size";
const SALES: &str = "sale_id,dwelling_id,sold_on,price,appraisal_value,appraised_on,listed_on,route,buyer_last_name,buyer_first_names,buyer_birth_date,buyer_applicant_id";

/// The fixture.
///
/// Applicants: X (registered 1995, rank 1 of every registration advert),
/// linked L1..L4 (declared relations of E1, by applicant_id) and unlinked
/// O1..O8, with registration dates
/// L1 2010-01-01, L2 2012-03-04, L3 2015-05-05, L4 2016-07-07, O1 2005-02-02,
/// O2 2008-08-08, O3 2012-03-04, O4 2018-01-01, O5 2018-01-01, O6 2019-09-09,
/// O7 2020-10-10, O8 2021-11-11.
///
/// Registration adverts R-T, one per tenant T of L1..L4, O1..O8, let on
/// 2026-04-15; X is not_reached (an ORDER_BYPASS) for L1, L2, L3, O1 and
/// declined with a reason for the others. Lottery adverts let on 2026-04-20:
/// Q1 (L1 #1 tenant, O1 #2, O2 #3), Q2 (O3 #1 tenant, L2 #2), Q3 (L3 #1
/// declined with a reason, L4 #2 tenant, O4 #3, O5 #4): no bypass.
///
/// Bypass 2x2 over the 15 advert lets: linked 3 of 6, other 1 of 9.
/// Waiting days (allocated_on - registration_date), per allocation:
/// linked [5948, 5155, 3998, 3569, 5953, 3574],
/// other [7742, 6459, 5155, 3026, 3026, 2410, 2013, 1616, 5160].
/// Lottery: p = [1/3, 1/2, 2/4], observed 2 (Q1, Q3).
/// Sales (price, appraisal): linked (190000, 200000), (200000, 200000),
/// (150000, 160000); other (210000, 200000), (200000, 200000),
/// (195000, 200000), (330000, 300000).
///
/// ```text
/// from scipy.stats import fisher_exact, mannwhitneyu
/// from statsmodels.stats.proportion import proportion_confint
/// fisher_exact([[3, 3], [1, 8]])        # (8.0, 0.23516483516483508)
/// proportion_confint(3, 6, method="wilson")  # (0.18761630648265054, 0.8123836935173494)
/// proportion_confint(1, 9, method="wilson")  # (0.019890887638544935, 0.4349997055766561)
/// mannwhitneyu(linked_days, other_days, method="asymptotic")  # U 34.5, p 0.40855737137438497
/// numpy.median: 4576.5 and 3026.0
/// P(X >= 2), X Poisson-binomial [1/3, 1/2, 1/2]: 5/12 (exact, fractions)
/// discounts (a - p) / a: linked [0.05, 0.0, 0.0625], other [-0.05, 0.0, 0.025, -0.1]
/// mannwhitneyu(linked, other, method="asymptotic")  # U 10.5, p 0.15357639654998376
/// numpy.median: 0.05 and -0.025
/// ```
fn stats_fixture() -> Fixture {
    let regs = [
        ("L1", "Jong", "2010-01-01"),
        ("L2", "Kok", "2012-03-04"),
        ("L3", "Bos", "2015-05-05"),
        ("L4", "Vos", "2016-07-07"),
        ("O1", "Smit", "2005-02-02"),
        ("O2", "Mulder", "2008-08-08"),
        ("O3", "Postma", "2012-03-04"),
        ("O4", "Bouma", "2018-01-01"),
        ("O5", "Zijlstra", "2018-01-01"),
        ("O6", "Hoekstra", "2019-09-09"),
        ("O7", "Dijkstra", "2020-10-10"),
        ("O8", "Kramer", "2021-11-11"),
    ];
    let mut applicants = vec!["X,Wester,Jan,1970-01-01,1995-01-01,1,20000,,,,".to_string()];
    for (i, (id, name, reg)) in regs.iter().enumerate() {
        // O8 has no income: the compliance let C5 falls back to it.
        let income = if *id == "O8" { "" } else { "25000" };
        applicants.push(format!(
            "{id},{name},Piet,1990-01-{:02},{reg},1,{income},,,,",
            i + 1
        ));
    }
    let relations: Vec<String> = ["L1", "L2", "L3", "L4"]
        .iter()
        .zip(["Jong", "Kok", "Bos", "Vos"])
        .enumerate()
        .map(|(i, (id, name))| format!("E1,child,{name},Piet,1990-01-{:02},{id}", i + 1))
        .collect();

    let mut adverts = Vec::new();
    let mut responses = Vec::new();
    let mut allocations = Vec::new();
    for (t, _, _) in regs {
        let id = format!("R-{t}");
        adverts.push(format!(
            "{id},D-{id},2026-03-01,2026-03-31,registration,,,,,,,,,"
        ));
        let x = if ["L1", "L2", "L3", "O1"].contains(&t) {
            "not_reached,"
        } else {
            "declined,te klein"
        };
        responses.push(format!("{id},X,2026-03-10 10:00,,,{x},"));
        responses.push(format!("{id},{t},2026-03-10 10:00,,,accepted,,"));
        allocations.push(format!("AL-{t},D-{id},{t},2026-04-15,,advert,{id},,,,,,"));
    }
    let lottery = [
        (
            "Q1",
            "L1",
            vec![
                ("L1", 1, "accepted,"),
                ("O1", 2, "not_reached,"),
                ("O2", 3, "not_reached,"),
            ],
        ),
        (
            "Q2",
            "O3",
            vec![("O3", 1, "accepted,"), ("L2", 2, "not_reached,")],
        ),
        (
            "Q3",
            "L4",
            vec![
                ("L3", 1, "declined,te duur"),
                ("L4", 2, "accepted,"),
                ("O4", 3, "not_reached,"),
                ("O5", 4, "not_reached,"),
            ],
        ),
    ];
    for (id, tenant, cands) in lottery {
        adverts.push(format!(
            "{id},D-{id},2026-03-01,2026-03-31,lottery,,,,,,,,,"
        ));
        for (c, n, outcome) in cands {
            responses.push(format!("{id},{c},2026-03-10 10:00,{n},,{outcome},"));
        }
        allocations.push(format!(
            "AL-{id},D-{id},{tenant},2026-04-20,,advert,{id},,,,,,"
        ));
    }
    // Compliance lets (direct, tenant O8): contract_start, rent, income, size.
    for row in [
        // 2026 limits: passend 30000/40000, aftopping 700/750, DAEB cap 900,
        // DAEB income 50000/55000.
        "C1,2026-05-01,2026-06-01,700.00,30000,1", // passend yes, DAEB yes
        "C2,2026-05-01,2026-06-01,700.01,29999,2", // passend no, DAEB yes
        "C3,2026-05-01,2026-06-01,740.00,39000,3", // passend yes, DAEB yes
        "C4,2026-05-01,2026-06-01,950.00,20000,1", // passend no, outside DAEB
        "C5,2026-05-01,2026-06-01,800.00,,",       // O8's income unknown: unknown
        "C6,2026-05-01,2026-06-01,,25000,1",       // rent unknown: unknown
        "C7,2026-05-01,2026-06-01,600.00,60000,2", // above passend; DAEB no
        "C8,2026-12-20,2027-01-01,650.00,20000,1", // year 2027, limits of 2026
        "C9,2026-02-01,2023-03-01,650.00,27725,1", // year 2023, limits of 2024 (at both limits)
    ] {
        let f: Vec<&str> = row.split(',').collect();
        allocations.push(format!(
            "{},D-{},O8,{},{},direct,,,E1,medisch,{},{},{}",
            f[0], f[0], f[1], f[2], f[3], f[4], f[5]
        ));
    }
    let sales = [
        "SL1,H1,2026-05-15,190000,200000,2026-04-01,2026-03-01,open_market,Jong,Piet,1990-01-01,L1",
        "SL2,H2,2026-05-15,200000,200000,2026-04-01,2026-03-01,open_market,Kok,Piet,1990-01-02,L2",
        "SL3,H3,2026-05-15,150000,160000,2026-04-01,2026-03-01,open_market,Bos,Piet,1990-01-03,L3",
        "SO1,H4,2026-05-15,210000,200000,2026-04-01,2026-03-01,open_market,Hof,Ids,1961-01-01,",
        "SO2,H5,2026-05-15,200000,200000,2026-04-01,2026-03-01,open_market,Hof,Ids,1962-01-01,",
        "SO3,H6,2026-05-15,195000,200000,2026-04-01,2026-03-01,open_market,Hof,Ids,1963-01-01,",
        "SO4,H7,2026-05-15,330000,300000,2026-04-01,2026-03-01,open_market,Hof,Ids,1964-01-01,",
    ];

    let mut f = Fixture::new("stats");
    f.set("applicants", APPLICANTS, &refs(&applicants));
    f.set(
        "relations",
        "employee_id,relation,last_name,first_names,birth_date,applicant_id",
        &refs(&relations),
    );
    f.set("adverts", ADVERTS, &refs(&adverts));
    f.set("responses", RESPONSES, &refs(&responses));
    f.set("allocations", ALLOCS, &refs(&allocations));
    f.set("sales", SALES, &sales);
    f.raw(
        "woonaudit.toml",
        "[[limits]]\nyear = 2024\npassend_income_single = 27725\npassend_income_multi = 37625\naftopping_low = 650.43\naftopping_high = 697.07\ndaeb_rent_cap = 879.66\ndaeb_income_single = 47699\ndaeb_income_multi = 52671\n\n[[limits]]\nyear = 2026\npassend_income_single = 30000\npassend_income_multi = 40000\naftopping_low = 700\naftopping_high = 750\ndaeb_rent_cap = 900\ndaeb_income_single = 50000\ndaeb_income_multi = 55000\n",
    );
    f
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn close(v: &Value, expected: f64) {
    let actual = v
        .as_f64()
        .unwrap_or_else(|| panic!("{v} is not a number (expected {expected})"));
    let tol = 1e-9 * expected.abs().max(1e-12);
    assert!((actual - expected).abs() <= tol, "{actual} != {expected}");
}

fn stats_of(f: &Fixture) -> (Vec<u8>, Value) {
    let out = f.run(&[]);
    assert_ok(&out);
    let bytes = std::fs::read(f.out().join("stats.json")).unwrap();
    let v = serde_json::from_slice(&bytes).unwrap();
    (bytes, v)
}

#[test]
fn stats_match_scipy_on_a_hand_made_fixture() {
    let f = stats_fixture();
    let (_, s) = stats_of(&f);

    let b = &s["bypass_disparity"];
    assert_eq!(b["linked"]["allocations"], 6);
    assert_eq!(b["linked"]["with_bypass"], 3);
    assert_eq!(b["other"]["allocations"], 9);
    assert_eq!(b["other"]["with_bypass"], 1);
    close(&b["linked"]["share"], 0.5);
    close(&b["other"]["share"], 1.0 / 9.0);
    close(&b["linked"]["wilson_low"], 0.18761630648265054);
    close(&b["linked"]["wilson_high"], 0.8123836935173494);
    close(&b["other"]["wilson_low"], 0.019890887638544935);
    close(&b["other"]["wilson_high"], 0.4349997055766561);
    close(&b["odds_ratio"], 8.0);
    close(&b["fisher_p"], 0.23516483516483508);
    assert!(b.get("note").is_none(), "empty note omitted: {b}");

    let w = &s["waiting_advantage"];
    assert_eq!(w["linked"]["n"], 6);
    assert_eq!(w["other"]["n"], 9);
    close(&w["linked"]["median_days"], 4576.5);
    close(&w["other"]["median_days"], 3026.0);
    close(&w["u"], 34.5);
    close(&w["p"], 0.40855737137438497);

    let l = &s["lottery_fairness"];
    assert_eq!(l["adverts"], 3);
    assert_eq!(l["observed"], 2);
    close(&l["expected"], 4.0 / 3.0);
    close(&l["p_upper"], 5.0 / 12.0);

    let d = &s["sale_discount"];
    assert_eq!(d["linked"]["n"], 3);
    assert_eq!(d["other"]["n"], 4);
    close(&d["linked"]["median"], 0.05);
    close(&d["other"]["median"], -0.025);
    close(&d["u"], 10.5);
    close(&d["p"], 0.15357639654998376);

    // No handled_by: nobody to test.
    assert_eq!(s["handlers"], serde_json::json!([]));

    let c = s["compliance"].as_array().unwrap();
    let years: Vec<i64> = c.iter().map(|y| y["year"].as_i64().unwrap()).collect();
    assert_eq!(years, [2023, 2026, 2027]);
    // 2023 is before the first configured year: the earliest (2024) is used.
    assert_eq!(c[0]["limits_year"], 2024);
    assert_eq!(c[0]["routes"]["direct"], 1);
    for key in ["passend", "daeb"] {
        assert_eq!(c[0][key]["numerator"], 1, "{key}");
        assert_eq!(c[0][key]["denominator"], 1, "{key}");
        assert_eq!(c[0][key]["unknown"], 0, "{key}");
    }
    let y = &c[1];
    assert_eq!(y["limits_year"], 2026);
    assert_eq!(
        y["routes"],
        serde_json::json!({"advert": 15, "urgency": 0, "direct": 7, "temporary": 0, "swap": 0, "other": 0})
    );
    // Passend: C1, C3 of C1..C4; C5, C6 and the 15 advert lets (no rent)
    // unknown; C7 above the income limit.
    assert_eq!(
        (
            &y["passend"]["numerator"],
            &y["passend"]["denominator"],
            &y["passend"]["unknown"]
        ),
        (&Value::from(2), &Value::from(4), &Value::from(17))
    );
    close(&y["passend"]["share"], 0.5);
    close(&y["passend"]["norm"], 0.95);
    // DAEB: C1, C2, C3 of C1, C2, C3, C7; C4 outside; C5, C6 and the advert
    // lets unknown.
    assert_eq!(
        (
            &y["daeb"]["numerator"],
            &y["daeb"]["denominator"],
            &y["daeb"]["unknown"]
        ),
        (&Value::from(3), &Value::from(4), &Value::from(17))
    );
    close(&y["daeb"]["share"], 0.75);
    close(&y["daeb"]["norm"], 0.925);
    // 2027 has no limits of its own: 2026's, and the report says so.
    assert_eq!(c[2]["limits_year"], 2026);
    assert!(c[2]["note"].as_str().unwrap().contains("2026"));
}

#[test]
fn stats_json_is_byte_identical_across_runs_and_keeps_the_spec_key_order() {
    let f = stats_fixture();
    let (a, _) = stats_of(&f);
    let (b, _) = stats_of(&f);
    assert!(a == b, "stats.json differs between runs");
    let text = String::from_utf8(a).unwrap();
    // Each list of keys appears in this order within `from` onwards.
    let order = |from: &str, keys: &[&str]| {
        let start = text.find(from).unwrap_or_else(|| panic!("{from} missing"));
        let part = &text[start..];
        let pos: Vec<usize> = keys
            .iter()
            .map(|k| {
                part.find(&format!("\"{k}\""))
                    .unwrap_or_else(|| panic!("{k} missing"))
            })
            .collect();
        assert!(pos.windows(2).all(|w| w[0] < w[1]), "order of {keys:?}");
    };
    order(
        "{",
        &[
            "bypass_disparity",
            "waiting_advantage",
            "lottery_fairness",
            "sale_discount",
            "handlers",
            "skip_rates",
            "compliance",
        ],
    );
    order(
        "\"bypass_disparity\"",
        &[
            "linked",
            "allocations",
            "with_bypass",
            "share",
            "wilson_low",
            "wilson_high",
            "other",
            "odds_ratio",
            "fisher_p",
        ],
    );
    order(
        "\"waiting_advantage\"",
        &["linked", "n", "median_days", "other", "u", "p"],
    );
    order(
        "\"lottery_fairness\"",
        &["adverts", "observed", "expected", "p_upper"],
    );
    order(
        "\"sale_discount\"",
        &["linked", "n", "median", "other", "u", "p"],
    );
    order(
        "\"compliance\"",
        &[
            "year",
            "limits_year",
            "routes",
            "advert",
            "urgency",
            "direct",
            "temporary",
            "swap",
            "other",
            "passend",
            "numerator",
            "denominator",
            "unknown",
            "share",
            "norm",
            "daeb",
        ],
    );
    assert!(!text.contains("NaN") && !text.contains("Infinity"));
}

#[test]
fn degenerate_input_gives_nulls_with_notes_never_nan() {
    // No allocations, no sales: every sample is empty.
    let f = Fixture::new("stats-empty");
    let (bytes, s) = stats_of(&f);
    let text = String::from_utf8(bytes).unwrap();
    assert!(!text.contains("NaN") && !text.contains("Infinity"));
    let b = &s["bypass_disparity"];
    assert_eq!(b["linked"]["allocations"], 0);
    assert_eq!(b["linked"]["share"], Value::Null);
    assert_eq!(b["linked"]["wilson_low"], Value::Null);
    assert_eq!(b["odds_ratio"], Value::Null);
    // SciPy: fisher_exact([[0, 0], [0, 0]]) gives p = 1.
    assert_eq!(b["fisher_p"], 1.0);
    assert!(b["note"].as_str().unwrap().contains("undefined"));
    for key in ["waiting_advantage", "sale_discount"] {
        assert_eq!(s[key]["u"], Value::Null, "{key}");
        assert_eq!(s[key]["p"], Value::Null, "{key}");
        assert!(!s[key]["note"].as_str().unwrap().is_empty(), "{key}");
    }
    assert_eq!(s["waiting_advantage"]["linked"]["median_days"], Value::Null);
    assert_eq!(s["sale_discount"]["other"]["median"], Value::Null);
    assert_eq!(s["lottery_fairness"]["adverts"], 0);
    assert_eq!(s["lottery_fairness"]["p_upper"], Value::Null);
    assert!(s["lottery_fairness"]["note"].is_string());
    assert_eq!(s["handlers"], serde_json::json!([]));
    assert_eq!(s["skip_rates"], serde_json::json!([]));
    assert_eq!(s["compliance"], serde_json::json!([]));
}

#[test]
fn an_infinite_odds_ratio_is_null_with_a_note() {
    // One linked tenant with a bypass, one other tenant without: b = c = 0.
    let mut f = Fixture::new("stats-inf");
    f.set(
        "applicants",
        APPLICANTS,
        &[
            "X,Wester,Jan,1970-01-01,1995-01-01,1,,,,,",
            "L1,Jong,Piet,1990-01-01,2010-01-01,1,,,,,",
            "O1,Smit,Piet,1990-01-02,2010-01-01,1,,,,,",
        ],
    );
    f.set(
        "relations",
        "employee_id,relation,last_name,first_names,birth_date,applicant_id",
        &["E1,child,Jong,Piet,1990-01-01,L1"],
    );
    f.set(
        "adverts",
        ADVERTS,
        &[
            "A1,D1,2026-03-01,2026-03-31,registration,,,,,,,,,",
            "A2,D2,2026-03-01,2026-03-31,registration,,,,,,,,,",
        ],
    );
    f.set(
        "responses",
        RESPONSES,
        &[
            "A1,X,2026-03-10 10:00,,,not_reached,,",
            "A1,L1,2026-03-10 10:00,,,accepted,,",
            "A2,X,2026-03-10 10:00,,,declined,te klein,",
            "A2,O1,2026-03-10 10:00,,,accepted,,",
        ],
    );
    f.set(
        "allocations",
        ALLOCATIONS,
        &[
            "AL1,D1,L1,2026-04-15,advert,A1,,,",
            "AL2,D2,O1,2026-04-15,advert,A2,,,",
        ],
    );
    let (_, s) = stats_of(&f);
    let b = &s["bypass_disparity"];
    assert_eq!(b["odds_ratio"], Value::Null);
    assert!(b["note"].as_str().unwrap().contains("infinite"), "{b}");
    // scipy: fisher_exact([[1, 0], [0, 1]]).pvalue = 1.0
    close(&b["fisher_p"], 1.0);
}
