//! exceptions.xlsx and `run --reviews` (issue 5): the workbook read back
//! with calamine, the inert-output rule, byte-identical reruns, and reviews
//! carried over from a CSV and from the workbook itself.

use calamine::{open_workbook, Reader, Xlsx};

use crate::common::book::{sheet_cells, sheet_names};
use crate::common::*;

const FAMILY_SHEETS: [&str; 10] = [
    "Order",
    "Route",
    "Staff",
    "Registration",
    "Sales",
    "Handlers",
    "Actors",
    "Adverts",
    "Vacancies",
    "Priorities",
];

/// The row of `finding_id` as column -> value.
fn row_of(rows: &[Vec<String>], finding_id: &str) -> Option<Row> {
    let header = &rows[0];
    rows[1..].iter().find(|r| r[0] == finding_id).map(|r| {
        header
            .iter()
            .cloned()
            .zip(r.iter().cloned().chain(std::iter::repeat(String::new())))
            .collect()
    })
}

/// Two allocations: an advert let without an advert whose id looks like a
/// formula (ORDER_NO_ADVERT), and a direct let without approval
/// (ROUTE_UNAPPROVED).
fn fixture(name: &str) -> Fixture {
    let mut f = Fixture::new(name);
    f.set(
        "allocations",
        ALLOCATIONS,
        &[
            "=HYPERLINK(1),D1,X1,2025-03-01,advert,,E1,E1,",
            "A2,D2,X2,2025-03-02,direct,,E1,,",
        ],
    );
    f
}

fn id_of(findings: &[Row], check: &str) -> String {
    findings
        .iter()
        .find(|r| r["check"] == check)
        .unwrap_or_else(|| panic!("no {check} finding"))["finding_id"]
        .clone()
}

#[test]
fn workbook_holds_the_sheets_and_inert_text_and_is_byte_identical() {
    let f = fixture("xlsx-sheets");
    assert_ok(&f.run(&[]));
    let path = f.out().join("exceptions.xlsx");
    let first = std::fs::read(&path).unwrap();
    let mut expected = vec!["Summary".to_string(), "Cases".to_string()];
    expected.extend(FAMILY_SHEETS.iter().map(|s| s.to_string()));
    expected.push("Control sample".to_string());
    expected.push("Affected seekers".to_string());
    expected.push("Checks".to_string());
    assert_eq!(sheet_names(&path), expected);

    let order = sheet_cells(&path, "Order");
    assert_eq!(
        order[0],
        [
            "finding_id",
            "check",
            "severity",
            "subject_type",
            "subject_id",
            "applicant_id",
            "employee_id",
            "link",
            "detail",
            "status",
            "reviewer",
            "note"
        ]
    );
    let findings = read_csv(&f.out().join("findings.csv"));
    let id = id_of(&findings, "ORDER_NO_ADVERT");
    let row = row_of(&order, &id).expect("ORDER_NO_ADVERT row");
    assert_eq!(row["subject_id"], "'=HYPERLINK(1)");
    assert!(!row["severity"].is_empty());
    // Stored as text, never as a formula.
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let formulas = book.worksheet_formula("Order").unwrap();
    assert!(formulas.used_cells().all(|(_, _, s)| s.is_empty()));
    let route = sheet_cells(&path, "Route");
    assert!(row_of(&route, &id_of(&findings, "ROUTE_UNAPPROVED")).is_some());

    assert_ok(&f.run(&[]));
    assert!(
        std::fs::read(&path).unwrap() == first,
        "exceptions.xlsx differs between runs"
    );
}

#[test]
fn reviews_carry_over_from_csv_and_from_the_workbook() {
    let mut f = fixture("xlsx-reviews");
    assert_ok(&f.run(&[]));
    let findings = read_csv(&f.out().join("findings.csv"));
    let order_id = id_of(&findings, "ORDER_NO_ADVERT");
    let route_id = id_of(&findings, "ROUTE_UNAPPROVED");
    let reviews = f.dir.join("reviews.csv");
    std::fs::write(
        &reviews,
        format!(
            "finding_id,status,reviewer,note\n\
             {order_id},escalated,Jan,=ask the team\n\
             {route_id},Explained,Piet,approved by phone\n"
        ),
    )
    .unwrap();

    // Next quarter: the direct let is gone, a new one appears.
    f.set(
        "allocations",
        ALLOCATIONS,
        &[
            "=HYPERLINK(1),D1,X1,2025-03-01,advert,,E1,E1,",
            "A3,D3,X3,2025-03-03,direct,,E1,,",
        ],
    );
    assert_ok(&f.run(&["--reviews", reviews.to_str().unwrap()]));
    let path = f.out().join("exceptions.xlsx");
    assert!(sheet_names(&path).contains(&"Gone since last review".to_string()));
    let order = sheet_cells(&path, "Order");
    let row = row_of(&order, &order_id).expect("order row");
    assert_eq!(row["status"], "escalated");
    assert_eq!(row["reviewer"], "Jan");
    assert_eq!(row["note"], "'=ask the team");
    assert_eq!(row["since last review"], "reviewed");
    assert!(row["review history"].contains("escalated by Jan"));
    let new = read_csv(&f.out().join("findings.csv"));
    let new_route = id_of(&new, "ROUTE_UNAPPROVED");
    assert_ne!(new_route, route_id);
    let route = sheet_cells(&path, "Route");
    assert_eq!(
        row_of(&route, &new_route).unwrap()["since last review"],
        "new"
    );
    let gone = sheet_cells(&path, "Gone since last review");
    let g = row_of(&gone, &route_id).expect("gone review listed");
    assert_eq!(g["status"], "explained");
    assert_eq!(g["reviewer"], "Piet");
    assert_eq!(g["note"], "approved by phone");
    // annual.json splits the bypassed lets by follow-up (none here).
    let annual: serde_json::Value =
        serde_json::from_slice(&std::fs::read(f.out().join("annual.json")).unwrap()).unwrap();
    assert!(annual["years"][0]["bypasses"]["follow_up"].is_object());
    let html = std::fs::read_to_string(f.out().join("report.html")).unwrap();
    assert!(html.contains("id=\"reviews\""));
    assert!(html.contains(&route_id) && html.contains("approved by phone"));

    // The quarter after: last quarter's workbook is the review file. The
    // gone review stays listed; the carried one keeps its status.
    let last = f.dir.join("last-quarter.xlsx");
    std::fs::copy(&path, &last).unwrap();
    assert_ok(&f.run(&["--reviews", last.to_str().unwrap()]));
    let order = sheet_cells(&path, "Order");
    let row = row_of(&order, &order_id).unwrap();
    assert_eq!(row["status"], "escalated");
    assert_eq!(row["note"], "'=ask the team");
    assert_eq!(
        row_of(&sheet_cells(&path, "Route"), &new_route).unwrap()["since last review"],
        "listed before, not reviewed"
    );
    let gone = sheet_cells(&path, "Gone since last review");
    assert_eq!(
        row_of(&gone, &route_id).expect("still listed")["status"],
        "explained"
    );
}

#[test]
fn a_bad_review_status_stops_the_run_naming_file_row_and_value() {
    let f = fixture("xlsx-bad-review");
    let reviews = f.dir.join("reviews.csv");
    std::fs::create_dir_all(&f.dir).unwrap();
    std::fs::write(
        &reviews,
        "finding_id,status,reviewer,note\n0123456789abcdef,open,Jan,\nfedcba9876543210,done,Jan,\n",
    )
    .unwrap();
    let out = f.run(&["--reviews", reviews.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("reviews.csv"), "{err}");
    assert!(err.contains("row 3"), "{err}");
    assert!(err.contains("\"done\""), "{err}");
    assert!(!f.out().join("exceptions.xlsx").exists());
}
