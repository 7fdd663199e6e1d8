//! Output safety (spec 6): hostile values from the data are inert in every
//! CSV and XLSX output and escaped in HTML, finding_id stays computed from
//! the raw values, output never lands among the inputs, and a failed write
//! leaves no half file.

use std::collections::BTreeSet;
use std::path::Path;

use calamine::{open_workbook, Reader, Xlsx};
use sha2::{Digest, Sha256};

use crate::common::book::cell_text;
use crate::common::*;

/// The inert-output rule of spec 6, as a spreadsheet sees a cell: one that
/// starts like a formula (`=`, `+`, `@`, tab, CR, or `-` not followed by
/// a number).
fn risky(cell: &str) -> bool {
    match cell.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r') => true,
        Some('-') => {
            let rest = &cell[1..];
            rest.is_empty()
                || !rest
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        }
        _ => false,
    }
}

/// The raw value of a cell written by the inert rule.
fn raw(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if risky(rest) => rest,
        _ => cell,
    }
}

fn csv_cells(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn xlsx_cells(path: &Path) -> Vec<(String, Vec<String>)> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let mut out = Vec::new();
    for name in book.sheet_names() {
        let formulas = book.worksheet_formula(&name).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "a formula on sheet {name}"
        );
        let range = book.worksheet_range(&name).unwrap();
        for row in range.rows() {
            let cells = row.iter().map(cell_text).collect();
            out.push((name.clone(), cells));
        }
    }
    out
}

const SALES: &str = "sale_id,dwelling_id,sold_on,price,appraisal_value,appraised_on,listed_on,route,scheme_discount,buyer_last_name,buyer_first_names,buyer_birth_date,buyer_postcode,buyer_house_number,buyer_email,buyer_phone,buyer_applicant_id,handled_by";

/// Every text column that reaches an output holds a hostile value: ids,
/// names, reasons, unknown employee ids (data issues), a sale.
fn hostile(name: &str) -> Fixture {
    let mut f = Fixture::new(name);
    f.set(
        "employees",
        EMPLOYEES,
        &["@emp,=Visser,+Anna,1980-01-01,2015-01-01,"],
    );
    f.set(
        "applicants",
        APPLICANTS,
        &[
            "-x,=Visser,+Anna,1980-01-01,2010-01-01,1,,,,,",
            "-5,@Jansen,-Piet,1970-02-02,2010-01-01,1,,,,,",
            "<script>alert(1)</script>,<b>Bold</b>,Jan,1975-03-03,2010-01-01,1,,,,,",
        ],
    );
    f.set(
        "adverts",
        ADVERTS,
        &["=ADV,D1,2025-01-01,2025-01-31,registration,,,,,,,,,"],
    );
    f.set(
        "responses",
        RESPONSES,
        &[
            "=ADV,-5,2025-01-02 10:00,,1,skipped,,+E2",
            "=ADV,-x,2025-01-03 10:00,,2,accepted,,@emp",
        ],
    );
    f.set(
        "allocations",
        ALLOCATIONS,
        &[
            "=HYPERLINK(1),D1,-x,2025-02-01,advert,=ADV,@emp,@emp,",
            "+A2,D2,-5,2025-03-02,direct,,@emp,,-reason",
            "@A3,D3,<script>alert(1)</script>,2025-03-03,direct,,=E9,=E9,<img src=x onerror=alert(2)>",
            "-A4,D4,\tnobody,2025-03-04,advert,,@emp,@emp,",
        ],
    );
    f.set(
        "sales",
        SALES,
        &["-S1,D9,2025-05-01,100000,200000,,,private,,=Visser,+Anna,1980-01-01,,,,,,@emp"],
    );
    f
}

#[test]
fn hostile_values_are_inert_in_every_csv_and_xlsx_and_escaped_in_html() {
    let f = hostile("hostile");
    assert_ok(&f.run(&[]));
    let out = f.out();
    let findings = read_csv(&out.join("findings.csv"));
    let reviews = f.dir.join("reviews.csv");
    std::fs::write(
        &reviews,
        format!(
            "finding_id,status,reviewer,note\n{},open,+Jan,=note\n0123456789abcdef,explained,@rev,-gone note\n",
            findings[0]["finding_id"]
        ),
    )
    .unwrap();
    assert_ok(&f.run(&["--reviews", reviews.to_str().unwrap()]));
    let links_file = f.dir.join("links-out.csv");
    let o = woonaudit(
        &[
            "links",
            "--data",
            f.data().to_str().unwrap(),
            "--out",
            links_file.to_str().unwrap(),
        ],
        &f.dir,
    );
    assert_ok(&o);

    // 1. No cell of any CSV or XLSX output starts like a formula.
    let mut csv_text = BTreeSet::new();
    for file in [
        out.join("findings.csv"),
        out.join("data_issues.csv"),
        out.join("links.csv"),
        links_file.clone(),
    ] {
        for row in csv_cells(&file) {
            for cell in row {
                assert!(!risky(&cell), "{}: {cell:?}", file.display());
                csv_text.insert(cell);
            }
        }
    }
    let sheets = xlsx_cells(&out.join("exceptions.xlsx"));
    let mut xlsx_text = BTreeSet::new();
    for (sheet, row) in &sheets {
        for cell in row {
            assert!(!risky(cell), "{sheet}: {cell:?}");
            xlsx_text.insert(cell.clone());
        }
    }
    // ... and the hostile values are there, with the apostrophe: the test
    // would fail if they had been dropped instead.
    for cell in [
        "'=HYPERLINK(1)",
        "'-x",
        "'+A2",
        "'@A3",
        "'-A4",
        "'@emp",
        "'=E9",
        "'+E2",
        "'=Visser",
        "'+Anna",
        "'-S1",
    ] {
        assert!(csv_text.contains(cell), "{cell} not in the CSV outputs");
    }
    // `-5` is a number, not a formula: written as it is.
    assert!(findings.iter().any(|r| r["applicant_id"] == "-5"));
    for cell in [
        "'=HYPERLINK(1)",
        "'-x",
        "'@emp",
        "'+Jan",
        "'=note",
        "'@rev",
        "'-gone note",
    ] {
        assert!(xlsx_text.contains(cell), "{cell} not in exceptions.xlsx");
    }
    assert!(sheets.iter().any(|(s, _)| s == "Gone since last review"));

    // 2. finding_id is computed from the raw values.
    let findings = read_csv(&out.join("findings.csv"));
    assert!(findings.len() >= 6, "{findings:#?}");
    for r in &findings {
        let text = format!(
            "{}|{}|{}|{}",
            r["check"],
            raw(&r["subject_id"]),
            raw(&r["applicant_id"]),
            raw(&r["employee_id"])
        );
        let id: String = Sha256::digest(text.as_bytes())[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(r["finding_id"], id, "{text}");
    }
    assert!(findings
        .iter()
        .any(|r| r["check"] == "ORDER_BYPASS" && r["subject_id"] == "'=HYPERLINK(1)"));

    // 3. report.html escapes every value from the data.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let lower = html.to_lowercase();
    for tag in ["<script", "<img", "<b>"] {
        assert!(!lower.contains(tag), "unescaped {tag}");
    }
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
    assert!(html.contains("=HYPERLINK(1)") && html.contains("@emp"));

    // 4. The annual files hold none of it.
    let annual = std::fs::read_to_string(out.join("annual.md")).unwrap()
        + &std::fs::read_to_string(out.join("annual.json")).unwrap();
    for v in ["HYPERLINK", "@emp", "Visser", "script", "=E9"] {
        assert!(!annual.contains(v), "{v} in the annual files");
    }
}

/// The files in a folder, recursively, relative to it.
fn listing(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p.clone());
            }
            out.insert(p.strip_prefix(dir).unwrap().to_string_lossy().into_owned());
        }
    }
    out
}

fn assert_one_line_exit_2(o: &std::process::Output, words: &[&str]) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "not one line: {err}");
    assert!(err.starts_with("woonaudit: "), "{err}");
    for w in words {
        assert!(err.contains(w), "{w:?} not in: {err}");
    }
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"));
}

#[test]
fn an_output_folder_among_the_inputs_is_refused() {
    let f = Fixture::new("out-in-data");
    f.write();
    let data = f.data();
    let before = listing(&data);
    #[cfg(unix)]
    std::os::unix::fs::symlink(&data, f.dir.join("link-to-data")).unwrap();
    let cases = [
        ("data", "is the data folder"),
        ("data/../data/", "is the data folder"),
        ("data/reports", "is inside the data folder"),
        ("link-to-data/reports", "is inside the data folder"),
        (".", "holds the data folder"),
    ];
    for (out, says) in cases {
        if cfg!(not(unix)) && out.starts_with("link") {
            continue;
        }
        let o = woonaudit(&["run", "--data", "data", "--out", out], &f.dir);
        assert_one_line_exit_2(&o, &[says, "give --out a folder outside the data folder"]);
    }
    for out in ["data/links.csv", "link-to-data/links.csv"] {
        let o = woonaudit(&["links", "--data", "data", "--out", out], &f.dir);
        assert_one_line_exit_2(&o, &["inside the data folder"]);
    }
    assert_eq!(
        listing(&data),
        before,
        "something was written into the data folder"
    );
    // A sibling folder is fine.
    assert_ok(&woonaudit(
        &["run", "--data", "data", "--out", "out"],
        &f.dir,
    ));
}

#[test]
fn a_failed_write_stops_the_run_with_one_line_and_leaves_no_half_file() {
    let f = hostile("failed-write");
    assert_ok(&f.run(&[]));
    let old = std::fs::read(f.out().join("findings.csv")).unwrap();
    // report.html cannot be replaced: a non-empty folder stands in its way.
    std::fs::remove_file(f.out().join("report.html")).unwrap();
    std::fs::create_dir_all(f.out().join("report.html/x")).unwrap();
    let o = f.run(&[]);
    // The data issues (warnings) of the fixture are listed first; the
    // error is the one last line.
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let last = err.lines().last().unwrap_or_default();
    assert!(last.starts_with("woonaudit: cannot write "), "{err}");
    assert!(last.contains("report.html"), "{err}");
    assert_eq!(err.matches("woonaudit: ").count(), 1, "{err}");
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"));
    // The files before it were written whole (the same bytes again), and
    // no temporary file is left behind.
    assert_eq!(std::fs::read(f.out().join("findings.csv")).unwrap(), old);
    let left = listing(&f.out());
    assert!(left.iter().all(|n| !n.contains(".tmp-")), "{left:?}");
}
