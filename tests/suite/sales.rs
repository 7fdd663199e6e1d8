//! The SALE_* checks (spec 4) at their boundaries, STAFF_PURCHASE (v1.2),
//! and HANDLER_BYPASS_RATE on a fixture where one letting employee stands
//! out.

use std::collections::BTreeSet;

use crate::common::*;

const SALES: &str = "sale_id,dwelling_id,sold_on,price,appraisal_value,appraised_on,listed_on,route,scheme_discount,buyer_last_name,buyer_first_names,buyer_birth_date,buyer_applicant_id";

/// A buyer linked to E1 of the default fixture by the `self` rule (same
/// last name, initial and birth date).
const LINKED: &str = "Visser,Anna,1980-01-01,";
/// A buyer linked to nobody.
const UNLINKED: &str = "Dijkstra,Douwe,1979-03-03,";

/// A sale on 15 May 2026: the appraisal date, listing date, route,
/// discount, price and appraisal vary per case.
// One positional argument per column keeps the case table readable.
#[allow(clippy::too_many_arguments)]
fn sale(
    id: &str,
    price: &str,
    appraisal: &str,
    appraised: &str,
    listed: &str,
    route: &str,
    discount: &str,
    buyer: &str,
) -> String {
    format!("{id},H-{id},2026-05-15,{price},{appraisal},{appraised},{listed},{route},{discount},{buyer}")
}

type Key = (String, String, String, String, String, String);

fn sale_keys(findings: &[Row]) -> BTreeSet<Key> {
    findings
        .iter()
        .filter(|f| f["check"].starts_with("SALE_"))
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

/// A fresh appraisal and a listing well before the sale.
const OK_DATES: (&str, &str) = ("2026-04-01", "2026-03-01");

fn sales_fixture() -> Fixture {
    let (ap, li) = OK_DATES;
    let rows = [
        // 200002.50 x (1 - 0.1) x (1 - 0.02) = 176402.205 -> 176402.21
        // (half-up; truncation or binary floats would give .20).
        sale(
            "AT",
            "176402.21",
            "200002.50",
            ap,
            li,
            "open_market",
            "0.1",
            UNLINKED,
        ),
        sale(
            "UNDER",
            "176402.20",
            "200002.50",
            ap,
            li,
            "open_market",
            "0.1",
            UNLINKED,
        ),
        sale(
            "UNDERL",
            "176402.20",
            "200002.50",
            ap,
            li,
            "auction",
            "0.1",
            LINKED,
        ),
        // No scheme: 100000 x 0.98 = 98000.00.
        sale(
            "NODISC",
            "98000.00",
            "100000",
            ap,
            li,
            "open_market",
            "",
            LINKED,
        ),
        sale(
            "NODISCU",
            "97999.99",
            "100000",
            ap,
            li,
            "open_market",
            "",
            UNLINKED,
        ),
        // Listing: 14 days before is public, 13 is not (for a linked buyer).
        sale(
            "L14",
            "100000",
            "100000",
            ap,
            "2026-05-01",
            "open_market",
            "",
            LINKED,
        ),
        sale(
            "L13",
            "100000",
            "100000",
            ap,
            "2026-05-02",
            "open_market",
            "",
            LINKED,
        ),
        sale(
            "L13U",
            "100000",
            "100000",
            ap,
            "2026-05-02",
            "open_market",
            "",
            UNLINKED,
        ),
        sale(
            "LAFTER",
            "100000",
            "100000",
            ap,
            "2026-05-20",
            "auction",
            "",
            LINKED,
        ),
        sale(
            "LNONE",
            "100000",
            "100000",
            ap,
            "",
            "open_market",
            "",
            LINKED,
        ),
        sale(
            "LNONEU",
            "100000",
            "100000",
            ap,
            "",
            "open_market",
            "",
            UNLINKED,
        ),
        // Sitting tenant: only a linked buyer makes it a finding.
        sale(
            "ST",
            "100000",
            "100000",
            ap,
            li,
            "sitting_tenant",
            "",
            UNLINKED,
        ),
        sale(
            "STL",
            "100000",
            "100000",
            ap,
            li,
            "sitting_tenant",
            "",
            LINKED,
        ),
        // Private: a finding for any buyer.
        sale("PRIV", "100000", "100000", ap, li, "private", "", UNLINKED),
        // Appraisal 183 days before is fine, 184 is stale; after the sale
        // or missing is stale too.
        sale(
            "A183",
            "100000",
            "100000",
            "2025-11-13",
            li,
            "open_market",
            "",
            LINKED,
        ),
        sale(
            "A184",
            "100000",
            "100000",
            "2025-11-12",
            li,
            "open_market",
            "",
            LINKED,
        ),
        sale(
            "A184U",
            "100000",
            "100000",
            "2025-11-12",
            li,
            "open_market",
            "",
            UNLINKED,
        ),
        sale(
            "AAFTER",
            "100000",
            "100000",
            "2026-05-16",
            li,
            "open_market",
            "",
            UNLINKED,
        ),
        sale(
            "ANONE",
            "100000",
            "100000",
            "",
            li,
            "open_market",
            "",
            UNLINKED,
        ),
        // Linked through a declared relation by buyer_applicant_id only.
        sale(
            "DECL",
            "90000",
            "100000",
            ap,
            li,
            "open_market",
            "",
            "Bos,Tjeerd,1990-09-09,B7",
        ),
    ];
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let mut f = Fixture::new("sales");
    f.set("sales", SALES, &rows);
    f.set(
        "relations",
        "employee_id,relation,last_name,first_names,birth_date,applicant_id",
        &["E1,child,Bos,Tjeerd,1990-09-09,B7"],
    );
    f
}

#[test]
fn sale_checks_fire_at_their_boundaries_with_the_spec_severities() {
    let f = sales_fixture();
    let findings = f.findings();
    let got = sale_keys(&findings);
    let want: BTreeSet<Key> = [
        k("SALE_BELOW_APPRAISAL", "UNDER", "", "", "low", ""),
        k("SALE_BELOW_APPRAISAL", "UNDERL", "", "E1", "high", "self"),
        k("SALE_BELOW_APPRAISAL", "NODISCU", "", "", "low", ""),
        k(
            "SALE_BELOW_APPRAISAL",
            "DECL",
            "B7",
            "E1",
            "high",
            "declared",
        ),
        k("SALE_NOT_PUBLIC", "L13", "", "E1", "high", "self"),
        k("SALE_NOT_PUBLIC", "LAFTER", "", "E1", "high", "self"),
        k("SALE_NOT_PUBLIC", "LNONE", "", "E1", "high", "self"),
        k("SALE_NOT_PUBLIC", "STL", "", "E1", "high", "self"),
        k("SALE_NOT_PUBLIC", "PRIV", "", "", "low", ""),
        k("SALE_STALE_APPRAISAL", "A184", "", "E1", "medium", "self"),
        k("SALE_STALE_APPRAISAL", "A184U", "", "", "low", ""),
        k("SALE_STALE_APPRAISAL", "AAFTER", "", "", "low", ""),
        k("SALE_STALE_APPRAISAL", "ANONE", "", "", "low", ""),
    ]
    .into_iter()
    .collect();
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:#?}\nextra {extra:#?}"
    );
    // One finding per sale per check.
    let sale_rows = findings
        .iter()
        .filter(|f| f["check"].starts_with("SALE_"))
        .count();
    assert_eq!(sale_rows, got.len());
}

#[test]
fn sale_details_carry_amounts_discount_dates_and_link_evidence() {
    let f = sales_fixture();
    let findings = f.findings();
    let detail = |check: &str, subject: &str| -> String {
        findings
            .iter()
            .find(|r| r["check"] == check && r["subject_id"] == subject)
            .unwrap_or_else(|| panic!("{check} {subject}"))["detail"]
            .clone()
    };
    let d = detail("SALE_BELOW_APPRAISAL", "UNDERL");
    for part in [
        "176402.20",
        "176402.21",
        "200002.50",
        "scheme discount 0.1",
        "tolerance 0.02",
        "2026-05-15",
        "staff link",
        "E1",
    ] {
        assert!(d.contains(part), "{part} not in {d}");
    }
    let d = detail("SALE_NOT_PUBLIC", "L13");
    assert!(d.contains("2026-05-02") && d.contains("13 day"), "{d}");
    let d = detail("SALE_STALE_APPRAISAL", "A184");
    assert!(d.contains("2025-11-12") && d.contains("184 days"), "{d}");
}

#[test]
fn sale_tolerance_comes_from_the_config_and_the_period_limits_the_sales() {
    let mut f = Fixture::new("sales-config");
    let (ap, li) = OK_DATES;
    let rows = [
        // 100000 x 0.95 = 95000.00 with a tolerance of 0.05.
        sale(
            "AT",
            "95000.00",
            "100000",
            ap,
            li,
            "open_market",
            "",
            UNLINKED,
        ),
        sale(
            "UNDER",
            "94999.99",
            "100000",
            ap,
            li,
            "open_market",
            "",
            UNLINKED,
        ),
    ];
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    f.set("sales", SALES, &rows);
    f.raw("woonaudit.toml", "[thresholds]\nsale_tolerance = 0.05\n");
    let got = sale_keys(&f.findings());
    assert_eq!(
        got,
        [k("SALE_BELOW_APPRAISAL", "UNDER", "", "", "low", "")]
            .into_iter()
            .collect()
    );
    // Sold in May 2026: outside a run limited to 2025.
    let out = f.run(&["--period", "2025"]);
    assert_ok(&out);
    let findings = read_csv(&f.out().join("findings.csv"));
    assert!(sale_keys(&findings).is_empty());
}

/// STAFF_PURCHASE fixture: clean sales (price = appraisal, fresh
/// appraisal, listed two months before, open market) to buyers linked in
/// several ways, or not at all. E2 and E3 share an address.
fn purchase_fixture() -> Fixture {
    let mut f = Fixture::new("staff-purchase");
    f.set(
        "employees",
        "employee_id,last_name,first_names,birth_date,postcode,house_number,employed_from,employed_to",
        &[
            "E1,Visser,Anna,1980-01-01,9101AB,12,2015-01-01,",
            "E3,Mulder,Kees,1960-03-03,8900XX,1,2010-01-01,",
            "E2,Bakker,Piet,1970-01-01,8900XX,1,2010-01-01,",
            "E4,Smit,Jan,1965-01-01,8800AA,5,2000-01-01,2020-12-31",
        ],
    );
    f.set(
        "relations",
        "employee_id,relation,last_name,first_names,birth_date,applicant_id",
        &["E3,child,Mulder,Tjitske,1990-05-05,G1"],
    );
    f.set(
        "applicants",
        APPLICANTS,
        &["G1,Mulder,Tjitske,1990-05-05,2012-01-01,1,,,,,"],
    );
    let row = |id: &str, sold: &str, buyer: &str| {
        format!("{id},H-{id},{sold},200000,200000,2026-04-01,2026-03-01,open_market,{buyer}")
    };
    let rows = [
        // E1 themselves, living at E2 and E3's address: self, then the
        // two address links.
        row("SELF", "2026-05-15", "Visser,Anna,1980-01-01,8900 xx,1,"),
        // At E2 and E3's address: two address links, the lowest id named.
        row("ADDR", "2026-05-15", "Dijkstra,Douwe,1979-03-03,8900XX,1,"),
        // E3's declared child, by buyer_applicant_id.
        row("DECL", "2026-05-15", "Mulder,T.,,8000AA,3,G1"),
        // E4 themselves, but E4 left in 2020: no link on the day.
        row("LEFT", "2026-05-15", "Smit,Jan,1965-01-01,8800AA,5,"),
        // Linked to nobody.
        row(
            "NOONE",
            "2026-05-15",
            "Hoekstra,Sietske,1985-02-02,8700AB,9,",
        ),
        // Linked (E1 self), sold in 2025.
        row("OLD", "2025-05-15", "Visser,Anna,1980-01-01,9101AB,12,"),
    ];
    f.set(
        "sales",
        "sale_id,dwelling_id,sold_on,price,appraisal_value,appraised_on,listed_on,route,buyer_last_name,buyer_first_names,buyer_birth_date,buyer_postcode,buyer_house_number,buyer_applicant_id",
        &refs(&rows),
    );
    f
}

fn purchase_keys(findings: &[Row]) -> BTreeSet<Key> {
    findings
        .iter()
        .filter(|f| f["check"] == "STAFF_PURCHASE")
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

#[test]
fn staff_purchase_registers_every_sale_to_a_linked_buyer_and_no_other() {
    let f = purchase_fixture();
    let out = f.run(&["--period", "2026"]);
    assert_ok(&out);
    let findings = read_csv(&f.out().join("findings.csv"));
    let want: BTreeSet<Key> = [
        k("STAFF_PURCHASE", "SELF", "", "E1", "low", "self"),
        k("STAFF_PURCHASE", "ADDR", "", "E2", "low", "address"),
        k("STAFF_PURCHASE", "DECL", "G1", "E3", "low", "declared"),
    ]
    .into_iter()
    .collect();
    assert_eq!(purchase_keys(&findings), want);
    // A clean sale raises nothing else of the SALE_* family.
    assert!(sale_keys(&findings).is_empty(), "{findings:#?}");
    let detail = |id: &str| {
        findings
            .iter()
            .find(|r| r["check"] == "STAFF_PURCHASE" && r["subject_id"] == id)
            .map(|r| r["detail"].clone())
            .unwrap()
    };
    let d = detail("SELF");
    assert!(d.contains("went to a buyer linked to staff"), "{d}");
    assert!(
        d.contains("the buyer is also linked to E2 (address), E3 (address)"),
        "{d}"
    );
    assert!(d.contains("staff link: employee E1"), "{d}");
    // Without a period, the 2025 sale is in it.
    let findings = f.findings();
    let got = purchase_keys(&findings);
    assert_eq!(got.len(), 4);
    assert!(got.contains(&k("STAFF_PURCHASE", "OLD", "", "E1", "low", "self")));
}

/// HANDLER_BYPASS_RATE fixture: every advert has the same two candidates,
/// X (registered 1995, rank 1) and Y (registered 2010, rank 2); Y is the
/// tenant. When X is `not_reached` the allocation has an ORDER_BYPASS;
/// when X declined with a reason it has none.
///
/// Handlers: H1 handles 12 (10 bypassed), H2 12 (2), H3 12 (0), H4 5 (3,
/// below the 10-allocation threshold: counted in the overall share, not
/// tested). Overall: 15 of 41.
fn handler_fixture() -> Fixture {
    let plan = [("H1", 12, 10), ("H2", 12, 2), ("H3", 12, 0), ("H4", 5, 3)];
    let mut adverts = Vec::new();
    let mut responses = Vec::new();
    let mut allocations = Vec::new();
    for (handler, n, k) in plan {
        for i in 0..n {
            let id = format!("{handler}-{i:02}");
            adverts.push(format!(
                "{id},D-{id},2026-03-01,2026-03-31,registration,,,,,,,,,"
            ));
            let x = if i < k {
                "not_reached,"
            } else {
                "declined,te klein"
            };
            responses.push(format!("{id},X,2026-03-10 10:00,,,{x},"));
            responses.push(format!("{id},Y,2026-03-10 10:00,,,accepted,,"));
            allocations.push(format!(
                "AL-{id},D-{id},Y,2026-04-15,advert,{id},{handler},,"
            ));
        }
    }
    let mut f = Fixture::new("handlers");
    f.set(
        "applicants",
        APPLICANTS,
        &[
            "X,Smit,Jan,1970-01-01,1995-01-01,1,,,,,",
            "Y,Bakker,Piet,1971-01-01,2010-01-01,1,,,,,",
        ],
    );
    f.set("adverts", ADVERTS, &refs(&adverts));
    f.set("responses", RESPONSES, &refs(&responses));
    f.set("allocations", ALLOCATIONS, &refs(&allocations));
    f
}

#[test]
fn handler_bypass_rate_flags_the_employee_who_stands_out_and_no_other() {
    let f = handler_fixture();
    let findings = f.findings();
    assert_eq!(of_check(&findings, "ORDER_BYPASS").len(), 15);
    let handler: Vec<&Row> = findings
        .iter()
        .filter(|r| r["check"] == "HANDLER_BYPASS_RATE")
        .collect();
    assert_eq!(handler.len(), 1, "{handler:#?}");
    let h = handler[0];
    assert_eq!(h["subject_type"], "employee");
    assert_eq!(h["subject_id"], "H1");
    assert_eq!(h["applicant_id"], "");
    assert_eq!(h["employee_id"], "H1");
    assert_eq!(h["link"], "");
    assert_eq!(h["severity"], "medium");
    // Reference values: scipy 1.17.1 and statsmodels 0.15.0,
    //   /tmp/statsvenv/bin/python -c "from scipy.stats import binomtest;
    //   from statsmodels.stats.multitest import multipletests;
    //   p0 = 15/41; ps = [binomtest(k, 12, p0, alternative='greater').pvalue
    //   for k in (10, 2, 0)]; print(ps, multipletests(ps, method='fdr_bh')[1])"
    //   -> p = [0.0012655978137246422, 0.9664905139118831, 1.0],
    //      q = [0.0037967934411739265, 1.0, 1.0].
    let d = &h["detail"];
    for part in [
        "12 route-advert",
        "10 of them (83.3%)",
        "15 of 41 (36.6%)",
        "p = 1.266e-3",
        "q = 3.797e-3",
    ] {
        assert!(d.contains(part), "{part} not in {d}");
    }

    let stats: serde_json::Value =
        serde_json::from_slice(&std::fs::read(f.out().join("stats.json")).unwrap()).unwrap();
    let family = stats["handlers"].as_array().unwrap();
    let ids: Vec<&str> = family
        .iter()
        .map(|h| h["employee_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["H1", "H2", "H3"]);
    let expected = [
        ("H1", 12, 10, 0.0012655978137246422, 0.0037967934411739265),
        ("H2", 12, 2, 0.9664905139118831, 1.0),
        ("H3", 12, 0, 1.0, 1.0),
    ];
    for (entry, (id, n, k, p, q)) in family.iter().zip(expected) {
        assert_eq!(entry["employee_id"], id);
        assert_eq!(entry["allocations"], n);
        assert_eq!(entry["with_bypass"], k);
        close(entry["share"].as_f64().unwrap(), k as f64 / n as f64);
        close(entry["p"].as_f64().unwrap(), p);
        close(entry["q"].as_f64().unwrap(), q);
    }
}

#[test]
fn handler_threshold_and_q_come_from_the_config() {
    let mut f = handler_fixture();
    // With q < 0.003 nobody is flagged (H1 has q = 0.0038).
    f.raw("woonaudit.toml", "[thresholds]\nhandler_q = 0.003\n");
    assert!(of_check(&f.findings(), "HANDLER_BYPASS_RATE").is_empty());
    // With a threshold of 13 allocations nobody is tested.
    f.raw(
        "woonaudit.toml",
        "[thresholds]\nhandler_min_allocations = 13\n",
    );
    assert!(of_check(&f.findings(), "HANDLER_BYPASS_RATE").is_empty());
    let stats: serde_json::Value =
        serde_json::from_slice(&std::fs::read(f.out().join("stats.json")).unwrap()).unwrap();
    assert_eq!(stats["handlers"], serde_json::json!([]));
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn close(actual: f64, expected: f64) {
    let tol = 1e-9 * expected.abs().max(1e-300);
    assert!((actual - expected).abs() <= tol, "{actual} != {expected}");
}
