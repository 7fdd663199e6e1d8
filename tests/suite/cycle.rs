//! The quarterly cycle (issue 14): a manager runs quarter after quarter
//! into the same folder, fills in reviews between runs, makes mistakes (a
//! failed run, a rerun, a deleted column, the wrong workbook) and loses no
//! review. Each test here failed on the main branch before issue 14.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::book::{sheet_cells, sheet_names, sheet_rows};
use crate::common::*;

/// Direct lets without approval (ROUTE_UNAPPROVED, one finding each): two
/// in the first quarter of 2025, one in the second, one in the third.
fn quarters(name: &str) -> Fixture {
    let mut f = Fixture::new(name);
    f.set(
        "allocations",
        ALLOCATIONS,
        &[
            "A1,D1,X1,2025-02-01,direct,,E1,,",
            "A2,D2,X2,2025-03-01,direct,,E1,,",
            "A3,D3,X3,2025-05-01,direct,,E1,,",
            "A4,D4,X4,2025-08-01,direct,,E1,,",
        ],
    );
    f
}

/// The row of the finding about `subject` on `sheet`.
fn row_about(path: &Path, sheet: &str, subject: &str) -> Option<Row> {
    sheet_rows(path, sheet)
        .into_iter()
        .find(|r| r.get("subject_id").is_some_and(|s| s == subject))
}

/// Rewrites a workbook as a manager would edit it in Excel: every sheet is
/// read and written back through `edit(sheet name, cells)`; sheets `add`
/// are appended.
fn edit_workbook(
    path: &Path,
    edit: impl Fn(&str, &mut Vec<Vec<String>>),
    add: &[(&str, Vec<Vec<String>>)],
) {
    let mut out = rust_xlsxwriter::Workbook::new();
    let mut sheets: Vec<(String, Vec<Vec<String>>)> = sheet_names(path)
        .into_iter()
        .map(|n| {
            let mut c = sheet_cells(path, &n);
            edit(&n, &mut c);
            (n, c)
        })
        .collect();
    sheets.extend(add.iter().map(|(n, c)| (n.to_string(), c.clone())));
    for (name, rows) in sheets {
        let ws = out.add_worksheet();
        ws.set_name(&name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32, c as u16, v).unwrap();
                }
            }
        }
    }
    out.save(path).unwrap();
}

/// Sets status, reviewer and note of the row about `subject` on `sheet`.
fn review_in_workbook(path: &Path, sheet: &str, subject: &str, review: [&str; 3]) {
    let sheet = sheet.to_string();
    let subject = subject.to_string();
    edit_workbook(
        path,
        move |name, cells| {
            if name != sheet {
                return;
            }
            let header = cells[0].clone();
            let col = |h: &str| header.iter().position(|x| x == h).unwrap();
            let (s, st, rv, nt) = (
                col("subject_id"),
                col("status"),
                col("reviewer"),
                col("note"),
            );
            let row = cells
                .iter_mut()
                .find(|r| r.get(s) == Some(&subject))
                .unwrap_or_else(|| panic!("no row about {subject}"));
            row.resize(header.len(), String::new());
            row[st] = review[0].to_string();
            row[rv] = review[1].to_string();
            row[nt] = review[2].to_string();
        },
        &[],
    );
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_exit_2(out: &Output) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "stderr:\n{err}");
    err
}

/// The workbook of a first run with one review on A1, filled in by hand.
fn reviewed_first_run(f: &Fixture, args: &[&str]) -> PathBuf {
    assert_ok(&f.run(args));
    let book = f.out().join("exceptions.xlsx");
    review_in_workbook(&book, "Route", "A1", ["escalated", "Jan", "asked the team"]);
    book
}

#[test]
fn a_failed_run_keeps_the_earlier_results_and_marks_them_not_current() {
    let mut f = quarters("cycle-failed");
    let book = reviewed_first_run(&f, &[]);
    let before = std::fs::read(&book).unwrap();
    let findings_before = std::fs::read(f.out().join("findings.csv")).unwrap();
    // A data error: the strict run stops, with the workbook as --reviews.
    f.set(
        "allocations",
        ALLOCATIONS,
        &[
            "A1,D1,X1,2025-02-01,direct,,E1,,",
            "A9,D9,X9,not a date,direct,,E1,,",
        ],
    );
    let out = f.run(&["--reviews", book.to_str().unwrap()]);
    let err = assert_exit_2(&out);
    assert_eq!(
        std::fs::read(&book).unwrap(),
        before,
        "the workbook changed"
    );
    assert_eq!(
        std::fs::read(f.out().join("findings.csv")).unwrap(),
        findings_before
    );
    for file in ["report.html", "stats.json", "annual.md", "manifest.json"] {
        assert!(f.out().join(file).exists(), "{file} was removed");
    }
    let note = std::fs::read_to_string(f.out().join("STALE.txt")).expect("STALE.txt");
    assert!(note.contains("NOT CURRENT"), "{note}");
    assert!(note.contains("exceptions.xlsx"), "{note}");
    assert!(note.contains("data error"), "{note}");
    assert!(err.contains("STALE.txt"), "{err}");
    // data_issues.csv is the failed run's.
    let issues = read_csv(&f.out().join("data_issues.csv"));
    assert!(issues.iter().any(|i| i["value"] == "not a date"));

    // Fixed: the next run carries the review and removes the note.
    f.set(
        "allocations",
        ALLOCATIONS,
        &["A1,D1,X1,2025-02-01,direct,,E1,,"],
    );
    assert_ok(&f.run(&["--reviews", book.to_str().unwrap()]));
    assert!(!f.out().join("STALE.txt").exists());
    let a1 = row_about(&book, "Route", "A1").unwrap();
    assert_eq!(a1["status"], "escalated");
    assert_eq!(a1["note"], "asked the team");
}

#[test]
fn a_rerun_does_not_overwrite_a_reviewed_workbook_unless_told() {
    let f = quarters("cycle-rerun");
    // A workbook nobody reviewed is simply replaced.
    assert_ok(&f.run(&[]));
    assert_ok(&f.run(&[]));
    let book = reviewed_first_run(&f, &[]);
    let before = std::fs::read(&book).unwrap();

    let out = f.run(&[]);
    let err = assert_exit_2(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("1 review entry"), "{err}");
    assert!(
        err.contains("--reviews") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(std::fs::read(&book).unwrap(), before);

    // Given as --reviews, it is carried into the new workbook.
    assert_ok(&f.run(&["--reviews", book.to_str().unwrap()]));
    assert_eq!(
        row_about(&book, "Route", "A1").unwrap()["status"],
        "escalated"
    );
    // --force overwrites it.
    assert_ok(&f.run(&["--force"]));
    assert_eq!(row_about(&book, "Route", "A1").unwrap()["status"], "");
}

#[test]
fn a_workbook_whose_finding_id_column_was_deleted_stops_the_run() {
    let f = quarters("cycle-no-id");
    let given = reviewed_first_run(&f, &[]);
    edit_workbook(
        &given,
        |name, cells| {
            if name == "Route" {
                for row in cells.iter_mut() {
                    row.remove(0);
                }
            }
        },
        &[],
    );
    let args = ["--reviews", given.to_str().unwrap(), "--force"];
    let out = f.run(&args[..2]);
    let err = assert_exit_2(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("exceptions.xlsx"), "{err}");
    assert!(err.contains("sheet \"Route\""), "{err}");
    assert!(err.contains("finding_id"), "{err}");
    assert!(err.contains("--force"), "{err}");
    // With --force the run goes on and says what it left out.
    let out = f.run(&args);
    assert_ok(&out);
    assert!(stderr(&out).contains("sheet \"Route\""), "{}", stderr(&out));
}

#[test]
fn a_pseudonymised_workbook_is_refused_as_reviews() {
    let f = quarters("cycle-pseudo");
    f.write();
    let shared = f.dir.join("shared");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_woonaudit"))
        .args(["run", "--data", "data", "--out", "shared", "--pseudonymise"])
        .env("WOONAUDIT_PSEUDONYM_KEY", "k")
        .current_dir(&f.dir)
        .output()
        .unwrap();
    assert_ok(&out);
    let book = shared.join("exceptions.xlsx");
    let subject = sheet_rows(&book, "Route")[0]["subject_id"].clone();
    review_in_workbook(&book, "Route", &subject, ["explained", "Jan", "ok"]);
    let given = f.dir.join("shared.xlsx");
    std::fs::copy(&book, &given).unwrap();
    let out = f.run(&["--reviews", given.to_str().unwrap()]);
    let err = assert_exit_2(&out);
    assert!(
        err.contains("shared.xlsx") && err.contains("sheet \"Route\""),
        "{err}"
    );
    assert!(err.contains("pseudonymised"), "{err}");
}

#[test]
fn review_ids_that_match_nothing_in_the_data_stop_the_run() {
    let f = quarters("cycle-foreign");
    let reviews = f.dir.join("reviews.csv");
    std::fs::create_dir_all(&f.dir).unwrap();
    std::fs::write(
        &reviews,
        "finding_id,status,reviewer,note\n\
         0123456789abcdef,explained,Jan,\n\
         fedcba9876543210,escalated,Jan,\n",
    )
    .unwrap();
    let err = assert_exit_2(&f.run(&["--reviews", reviews.to_str().unwrap()]));
    assert!(
        err.contains("reviews.csv") && err.contains("none of its 2"),
        "{err}"
    );
    assert_ok(&f.run(&["--reviews", reviews.to_str().unwrap(), "--force"]));
}

#[test]
fn a_semicolon_windows_1252_reviews_csv_is_read() {
    let f = quarters("cycle-csv");
    assert_ok(&f.run(&[]));
    let findings = read_csv(&f.out().join("findings.csv"));
    let id = &findings.iter().find(|r| r["subject_id"] == "A1").unwrap()["finding_id"];
    // What Dutch Excel saves: `;` and Windows-1252 (ü is 0xFC).
    let mut bytes = format!("finding_id;status;reviewer;note\r\n{id};explained;Jan M").into_bytes();
    bytes.push(0xFC);
    bytes.extend_from_slice(b"ller;huur is betaald\r\n");
    let reviews = f.dir.join("reviews.csv");
    std::fs::write(&reviews, bytes).unwrap();
    assert_ok(&f.run(&["--reviews", reviews.to_str().unwrap()]));
    let a1 = row_about(&f.out().join("exceptions.xlsx"), "Route", "A1").unwrap();
    assert_eq!(a1["status"], "explained");
    assert_eq!(a1["reviewer"], "Jan Müller");
    assert_eq!(a1["note"], "huur is betaald");
}

#[test]
fn extra_sheets_a_manager_added_are_read_past_with_a_note() {
    let f = quarters("cycle-extra");
    let book = reviewed_first_run(&f, &[]);
    let route = sheet_cells(&book, "Route");
    // A to-do list copied from the Route sheet (ids, no review columns) and
    // a sheet of free notes.
    let todo: Vec<Vec<String>> = route
        .iter()
        .map(|r| vec![r[0].clone(), r[1].clone(), "call back".to_string()])
        .collect();
    let notes = vec![vec!["Remember the Q2 meeting".to_string()]];
    edit_workbook(&book, |_, _| {}, &[("To do", todo), ("Notes", notes)]);
    let out = f.run(&["--reviews", book.to_str().unwrap()]);
    assert_ok(&out);
    let err = stderr(&out);
    assert!(
        err.contains("sheet \"To do\"") && err.contains("sheet \"Notes\""),
        "{err}"
    );
    assert_eq!(
        row_about(&book, "Route", "A1").unwrap()["status"],
        "escalated"
    );
}

#[test]
fn findings_outside_a_new_period_are_kept_with_their_reviews() {
    let f = quarters("cycle-outside");
    let book = reviewed_first_run(&f, &["--period", "2025-Q1"]);
    let out = f.run(&["--period", "2025-Q2", "--reviews", book.to_str().unwrap()]);
    assert_ok(&out);
    // The new quarter's finding is new; last quarter's are outside the
    // period, the reviewed one with its review, the other still listed.
    assert_eq!(
        row_about(&book, "Route", "A3").unwrap()["since last review"],
        "new"
    );
    assert!(row_about(&book, "Route", "A1").is_none());
    let a1 = row_about(&book, "Outside this period", "A1").expect("A1 kept");
    assert_eq!(a1["status"], "escalated");
    assert_eq!(a1["reviewer"], "Jan");
    assert_eq!(a1["check"], "ROUTE_UNAPPROVED");
    let a2 = row_about(&book, "Outside this period", "A2").expect("A2 kept");
    assert_eq!(a2["status"], "");
    assert_eq!(a2["since last review"], "listed before, not reviewed");
    // Nothing reads as resolved.
    assert!(sheet_rows(&book, "Gone since last review").is_empty());
    let html = std::fs::read_to_string(f.out().join("report.html")).unwrap();
    assert!(
        html.contains("2 earlier finding(s) outside this period"),
        "reviews section"
    );
}

#[test]
fn three_quarters_into_the_default_folder_lose_no_review() {
    let f = quarters("cycle-three");
    f.write();
    let run = |args: &[&str]| {
        let mut all = vec!["run", "--data", "data"];
        all.extend_from_slice(args);
        woonaudit(&all, &f.dir)
    };
    let book = f.dir.join("reports/data/exceptions.xlsx");
    let reviews = book.to_str().unwrap();
    // Q1, then its reviews.
    assert_ok(&run(&["--period", "2025-Q1"]));
    review_in_workbook(&book, "Route", "A1", ["escalated", "Jan", "asked the team"]);
    // Q2: a rerun without --reviews is refused; with it, Q1 stays.
    assert_exit_2(&run(&["--period", "2025-Q2"]));
    assert_ok(&run(&["--period", "2025-Q2", "--reviews", reviews]));
    assert_eq!(
        row_about(&book, "Outside this period", "A1").unwrap()["status"],
        "escalated"
    );
    review_in_workbook(
        &book,
        "Route",
        "A3",
        ["explained", "Piet", "approved by phone"],
    );
    // Q3, and a mistake: a failed run in between.
    std::fs::write(
        f.data().join("allocations.csv"),
        format!("{ALLOCATIONS}\nA1,D1,X1,2025-02-31,direct,,E1,,\n"),
    )
    .unwrap();
    assert_exit_2(&run(&["--period", "2025-Q3", "--reviews", reviews]));
    assert!(f.dir.join("reports/data/STALE.txt").exists());
    f.write();
    assert_ok(&run(&["--period", "2025-Q3", "--reviews", reviews]));
    assert!(!f.dir.join("reports/data/STALE.txt").exists());
    let outside = sheet_rows(&book, "Outside this period");
    let status = |s: &str| {
        outside
            .iter()
            .find(|r| r["subject_id"] == s)
            .map(|r| r["status"].clone())
    };
    assert_eq!(status("A1").as_deref(), Some("escalated"));
    assert_eq!(status("A2").as_deref(), Some(""));
    assert_eq!(status("A3").as_deref(), Some("explained"));
    assert_eq!(
        row_about(&book, "Route", "A4").unwrap()["since last review"],
        "new"
    );
    // The year: every finding is current again, each with its review and
    // the history of where it came from.
    assert_ok(&run(&["--period", "2025", "--reviews", reviews]));
    let a1 = row_about(&book, "Route", "A1").unwrap();
    assert_eq!(a1["status"], "escalated");
    assert_eq!(a1["note"], "asked the team");
    assert!(a1["review history"].contains("escalated by Jan"), "{a1:?}");
    // The history names the day of the run the review came from (the
    // tests' SOURCE_DATE_EPOCH: 2 July 2026) and its period.
    assert!(
        a1["review history"].contains("run on 2026-07-02 of"),
        "{a1:?}"
    );
    let a3 = row_about(&book, "Route", "A3").unwrap();
    assert_eq!(a3["status"], "explained");
    assert_eq!(a3["reviewer"], "Piet");
    assert!(sheet_rows(&book, "Outside this period").is_empty());
    assert!(sheet_rows(&book, "Gone since last review").is_empty());
}

#[test]
fn out_naming_a_file_is_one_line() {
    let f = quarters("cycle-out-file");
    f.write();
    std::fs::write(f.dir.join("report.txt"), "x").unwrap();
    let out = woonaudit(&["run", "--data", "data", "--out", "report.txt"], &f.dir);
    let err = assert_exit_2(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("is a file"), "{err}");
}

/// The bundled sample run into a fresh folder.
fn sample_run(name: &str, args: &[&str]) -> PathBuf {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("cycle-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let mut all = vec!["run", "--out", out.to_str().unwrap()];
    all.extend_from_slice(args);
    assert_ok(&woonaudit(&all, &repo));
    out
}

#[test]
fn findings_about_one_subject_form_one_case_whose_review_applies_to_them() {
    let out = sample_run("cases", &[]);
    let book = out.join("exceptions.xlsx");
    assert_eq!(sheet_names(&book)[1], "Cases");
    let findings = read_csv(&out.join("findings.csv"));
    let cases = sheet_rows(&book, "Cases");
    // One row per subject, holding all its findings.
    let mut subjects: Vec<(String, String)> = findings
        .iter()
        .map(|f| (f["subject_type"].clone(), f["subject_id"].clone()))
        .collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(cases.len(), subjects.len());
    let big = cases
        .iter()
        .max_by_key(|c| c["findings"].parse::<f64>().unwrap() as usize)
        .unwrap();
    let of_big: Vec<&Row> = findings
        .iter()
        .filter(|f| {
            f["subject_id"] == big["subject_id"] && f["subject_type"] == big["subject_type"]
        })
        .collect();
    assert!(
        of_big.len() > 1,
        "no case with several findings in the sample"
    );
    assert_eq!(big["findings"], of_big.len().to_string());
    assert!(big["summary"].starts_with(&format!("{} finding(s): ", of_big.len())));
    assert!(!big["what to check next"].is_empty());
    // Severity is stored as 1, 2, 3 (shown as !! high, ! medium, low), so
    // sorting the column gives high, medium, low; the cases come so.
    let sev: Vec<u32> = cases
        .iter()
        .map(|c| c["severity"].parse().unwrap())
        .collect();
    assert!(sev.windows(2).all(|w| w[0] <= w[1]), "{sev:?}");
    assert!(sev.contains(&1) && sev.contains(&3));

    // A case review applies to its findings, unless one has its own.
    let own = &of_big[0]["finding_id"];
    review_in_workbook(
        &book,
        "Cases",
        &big["subject_id"],
        ["escalated", "Jan", "whole let"],
    );
    let sheet = family_sheet_of(&of_big[0]["check"]);
    edit_workbook(
        &book,
        |name, cells| {
            if name == sheet {
                let h = cells[0].clone();
                let col = |x: &str| h.iter().position(|c| c == x).unwrap();
                let (id, st) = (col("finding_id"), col("status"));
                let row = cells.iter_mut().find(|r| r.get(id) == Some(own)).unwrap();
                row.resize(h.len(), String::new());
                row[st] = "explained".to_string();
            }
        },
        &[],
    );
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let o = woonaudit(
        &[
            "run",
            "--out",
            out.to_str().unwrap(),
            "--reviews",
            book.to_str().unwrap(),
        ],
        &repo,
    );
    assert_ok(&o);
    for f in &of_big {
        let sheet = family_sheet_of(&f["check"]);
        let row = sheet_rows(&book, sheet)
            .into_iter()
            .find(|r| r["finding_id"] == f["finding_id"])
            .unwrap();
        let want = if &f["finding_id"] == own {
            "explained"
        } else {
            "escalated"
        };
        assert_eq!(row["status"], want, "{row:?}");
    }
    let case = row_about(&book, "Cases", &big["subject_id"]).unwrap();
    assert_eq!(case["status"], "escalated");
    // The report lists cases first, with their review.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Needs attention first: the high cases"));
    // Every check says in the workbook what to look at.
    let checks = sheet_rows(&book, "Checks");
    let implemented = read_csv(&out.join("findings.csv")).len();
    assert!(implemented > 0);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        checks.len(),
        manifest["checks_run"].as_array().unwrap().len()
    );
    assert!(
        checks.iter().all(|c| c["what to look at"].len() > 40),
        "{checks:?}"
    );
}

/// The family sheet of a check, as docs/outputs.md lists them.
fn family_sheet_of(check: &str) -> &'static str {
    match check {
        c if c.starts_with("ORDER_") => "Order",
        c if c.starts_with("ROUTE_") => "Route",
        "STAFF_ALLOCATION" | "UNDECLARED_LINK" | "CONFLICT_OF_INTEREST" => "Staff",
        "REGISTRATION_BACKDATED" => "Registration",
        c if c.starts_with("SALE_") || c == "STAFF_PURCHASE" => "Sales",
        "HANDLER_BYPASS_RATE" => "Handlers",
        "ACTOR_SKIP_RATE" | "ACTOR_BACKDATING" => "Actors",
        "ALLOCATED_BEFORE_CLOSE"
        | "ADVERT_OVERLET"
        | "ADVERT_DWELLING_MISMATCH"
        | "ADVERT_WITHDRAWN_THEN_LET" => "Adverts",
        "VACANCY_NOT_ADVERTISED" => "Vacancies",
        _ => "Priorities",
    }
}

#[test]
fn a_case_reviewed_as_false_positive_drops_to_the_bottom_of_needs_attention() {
    let out = sample_run("cases-fp", &[]);
    let book = out.join("exceptions.xlsx");
    let cases = sheet_rows(&book, "Cases");
    let first = cases[0].clone();
    assert_eq!(first["severity"], "1");
    review_in_workbook(
        &book,
        "Cases",
        &first["subject_id"],
        ["false positive", "Jan", "namesake"],
    );
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    assert_ok(&woonaudit(
        &[
            "run",
            "--out",
            out.to_str().unwrap(),
            "--reviews",
            book.to_str().unwrap(),
        ],
        &repo,
    ));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let start = html.find("the high cases").unwrap();
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    let rows: Vec<&str> = table.split("<tr>").skip(2).collect();
    assert!(rows.len() > 2);
    let last = rows.last().unwrap();
    assert!(last.contains(&first["subject_id"]), "{last}");
    assert!(last.contains("false positive (case)"), "{last}");
    assert!(rows[0].contains("not reviewed"), "{}", rows[0]);
}

#[test]
fn the_strict_list_on_screen_shows_errors_first_with_their_level() {
    let mut f = Fixture::new("cycle-levels");
    // Line 2: a warning (tenant not on the waiting list); line 3: an error.
    f.set(
        "allocations",
        ALLOCATIONS,
        &[
            "A1,D1,X1,2025-02-01,direct,,E1,E1,r",
            "A2,D2,X2,not a date,direct,,E1,E1,r",
        ],
    );
    let out = f.run(&[]);
    let err = assert_exit_2(&out);
    let listed: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("error: ") || l.starts_with("warning: "))
        .collect();
    assert!(listed.len() >= 2, "{err}");
    assert!(
        listed[0].starts_with("error: allocations.csv:3: allocated_on"),
        "{err}"
    );
    let first_warning = listed
        .iter()
        .position(|l| l.starts_with("warning: "))
        .unwrap();
    assert!(
        listed[first_warning..]
            .iter()
            .all(|l| l.starts_with("warning: ")),
        "{err}"
    );
}

#[test]
fn explain_names_the_id_that_differs_only_in_case() {
    let f = quarters("cycle-explain");
    f.write();
    let out = woonaudit(&["explain", "--data", "data", "a1"], &f.dir);
    let err = assert_exit_2(&out);
    assert!(err.contains("did you mean A1?"), "{err}");
}

#[test]
fn excel_csv_writes_semicolons_and_a_bom_with_the_same_cells() {
    let f = quarters("cycle-excel");
    assert_ok(&f.run(&[]));
    let plain = read_csv(&f.out().join("findings.csv"));
    let plain_links = std::fs::read(f.out().join("links.csv")).unwrap();
    assert_ok(&f.run(&["--excel-csv"]));
    for file in [
        "findings.csv",
        "data_issues.csv",
        "links.csv",
        "affected.csv",
    ] {
        let bytes = std::fs::read(f.out().join(file)).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "{file} has no BOM");
    }
    let bytes = std::fs::read(f.out().join("findings.csv")).unwrap();
    let mut r = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&bytes[3..]);
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header[0], "finding_id");
    let rows: Vec<Row> = r
        .records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(str::to_string))
                .collect()
        })
        .collect();
    assert_eq!(rows, plain);
    assert_ne!(
        std::fs::read(f.out().join("links.csv")).unwrap(),
        plain_links
    );
}

#[test]
fn the_sale_chart_marks_flagged_sales_and_the_discount_scheme_band() {
    let out = sample_run("sale-chart", &[]);
    let flagged = read_csv(&out.join("findings.csv"))
        .iter()
        .filter(|f| f["check"] == "SALE_BELOW_APPRAISAL")
        .count();
    assert!(flagged > 0);
    let svg = std::fs::read_to_string(out.join("charts/sale_price.svg")).unwrap();
    assert!(
        svg.contains(&format!("below appraisal, {flagged}")),
        "legend"
    );
    assert!(svg.contains("discount scheme &lt;= ") || svg.contains("discount scheme <= "));
}
