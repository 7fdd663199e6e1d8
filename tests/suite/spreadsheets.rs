//! Spreadsheet exports, value mappings and the VERA preset (spec 1.4,
//! issue 15): an `.xlsx` twin gives the CSV's findings, data issues name
//! the worksheet row, cells are read as Excel holds them, and layouts a
//! table cannot have stop the run with the sheet and row named.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};

use crate::common::sheets::{self, Style};
use crate::common::*;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("sheets-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `woonaudit run` on `data` into `out`, expecting exit 0.
fn run(data: &Path, out: &Path) {
    let o = woonaudit(
        &[
            "run",
            "--data",
            data.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        &repo(),
    );
    assert_ok(&o);
}

fn rows(text: &[&str]) -> Vec<Vec<String>> {
    text.iter()
        .map(|l| {
            if l.is_empty() {
                Vec::new()
            } else {
                l.split(',').map(str::to_string).collect()
            }
        })
        .collect()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The sample as workbooks gives the sample's findings, byte for byte,
/// and the same statistics: plain, and as Dutch Excel saves it (header
/// names with trailing spaces, decimals as text with a decimal comma,
/// dates as serial numbers).
#[test]
fn xlsx_twins_of_the_sample_give_its_findings() {
    let dir = tmp("twin");
    let sample = repo().join("data/sample");
    run(&sample, &dir.join("csv"));
    let want = std::fs::read(dir.join("csv/findings.csv")).unwrap();
    let want_stats = std::fs::read_to_string(dir.join("csv/stats.json")).unwrap();
    for (name, style) in [
        ("plain", Style::default()),
        ("dutch", Style { dutch: true }),
    ] {
        let data = dir.join(format!("data-{name}"));
        sheets::xlsx_twin(&sample, &data, style);
        assert!(data.join("responses.xlsx").is_file());
        assert!(!data.join("responses.csv").exists());
        let out = dir.join(format!("out-{name}"));
        run(&data, &out);
        let got = std::fs::read(out.join("findings.csv")).unwrap();
        assert!(
            got == want,
            "{name}: findings.csv differs from the CSV run's"
        );
        let stats = std::fs::read_to_string(out.join("stats.json")).unwrap();
        assert_eq!(stats, want_stats, "{name}: stats.json differs");
        let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
        assert!(manifest.contains("\"responses.xlsx\""), "{manifest}");
        assert!(manifest.contains("\"xlsx\""), "{manifest}");
    }
}

/// A data issue names the file, the worksheet row (blank rows count, as
/// the sheet numbers them) and the spec column.
#[test]
fn data_issues_name_the_worksheet_row() {
    let mut f = Fixture::new("xlsx-issues");
    f.remove("applicants.csv");
    f.write();
    sheets::write_xlsx(
        &f.data().join("applicants.xlsx"),
        &rows(&[
            "applicant_id,last_name,birth_date,registration_date,household_size",
            "A1,Jansen,1980-01-01,2010-01-01,2",
            "",
            "",
            "A2,de Vries,31-02-1980,2011-01-01,1",
            "A3,Bakker,1981-01-01,2012-01-01,0",
        ]),
        Style::default(),
    );
    let o = f.run(&["--lenient"]);
    assert_ok(&o);
    let issues = read_csv(&f.out().join("data_issues.csv"));
    let got: Vec<(&str, &str, &str, &str)> = issues
        .iter()
        .map(|i| {
            (
                i["file"].as_str(),
                i["line"].as_str(),
                i["column"].as_str(),
                i["value"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("applicants.xlsx", "5", "birth_date", "31-02-1980"),
            ("applicants.xlsx", "6", "household_size", "0"),
        ]
    );
    let manifest = std::fs::read_to_string(f.out().join("manifest.json")).unwrap();
    let m: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    let applicants = m["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["file"] == "applicants.xlsx")
        .unwrap_or_else(|| panic!("{manifest}"))
        .clone();
    assert_eq!(applicants["rows"]["read"], 3, "{applicants}");
}

/// Cells as Excel holds them: a formula by its cached value (never
/// evaluated: `=1+1` cached as 0 reads 0), a date serial as the date, an
/// id typed as a number without `.0`, a decimal comma in a text cell.
#[test]
fn formulas_dates_and_numbers_are_read_as_excel_holds_them() {
    let mut f = Fixture::new("xlsx-cells");
    f.remove("applicants.csv").remove("employees.csv");
    f.write();
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("dd-mm-yyyy");
    let s = book.add_worksheet();
    for (c, h) in [
        "applicant_id",
        "last_name",
        "birth_date",
        "registration_date",
        "household_size",
        "household_income",
    ]
    .iter()
    .enumerate()
    {
        s.write_string(0, c as u16, *h).unwrap();
    }
    let d = |t: &str| ExcelDateTime::parse_from_str(t).unwrap();
    // Row 2: the id as a number; a formula cached as 0 (a household of 0
    // is an error, so the cached value is what was read); an income with
    // a decimal comma, as text.
    s.write_number(1, 0, 12345.0).unwrap();
    s.write_string(1, 1, "Jansen").unwrap();
    s.write_datetime_with_format(1, 2, d("1980-01-01"), &date)
        .unwrap();
    s.write_datetime_with_format(1, 3, d("2010-01-01"), &date)
        .unwrap();
    s.write_formula(1, 4, Formula::new("=1+1").set_result("0"))
        .unwrap();
    s.write_string(1, 5, "-1234,56").unwrap();
    // Row 3: the same id as text: a duplicate key, with the value as the
    // first row wrote it.
    s.write_string(2, 0, "12345").unwrap();
    s.write_string(2, 1, "Bakker").unwrap();
    s.write_string(2, 2, "1981-01-01").unwrap();
    s.write_string(2, 3, "2011-01-01").unwrap();
    s.write_number(2, 4, 2.0).unwrap();
    book.save(f.data().join("applicants.xlsx")).unwrap();

    // employees: employed_from a date cell after employed_to (text): the
    // bounds check names the date the serial stands for.
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    for (c, h) in ["employee_id", "last_name", "employed_from", "employed_to"]
        .iter()
        .enumerate()
    {
        s.write_string(0, c as u16, *h).unwrap();
    }
    s.write_string(1, 0, "E1").unwrap();
    s.write_string(1, 1, "Visser").unwrap();
    s.write_datetime_with_format(1, 2, d("2020-03-01"), &date)
        .unwrap();
    s.write_string(1, 3, "2019-12-31").unwrap();
    book.save(f.data().join("employees.xlsx")).unwrap();

    let o = f.run(&["--lenient"]);
    assert_ok(&o);
    let issues = read_csv(&f.out().join("data_issues.csv"));
    let find = |file: &str, line: &str, column: &str| {
        issues
            .iter()
            .find(|i| i["file"] == file && i["line"] == line && i["column"] == column)
            .unwrap_or_else(|| panic!("no issue {file}:{line}:{column} in {issues:?}"))
    };
    assert_eq!(find("applicants.xlsx", "2", "household_size")["value"], "0");
    // The amount was read (with its decimal comma): its issue is its sign.
    let income = find("applicants.xlsx", "2", "household_income");
    assert_eq!(income["value"], "-1234,56");
    assert_eq!(income["problem"], "negative amount");
    let dup = find("applicants.xlsx", "3", "applicant_id");
    assert_eq!(dup["value"], "12345");
    assert!(dup["problem"].contains("duplicate"), "{dup:?}");
    let bounds = find("employees.xlsx", "2", "employed_from");
    assert!(
        bounds["problem"].contains("2020-03-01") && bounds["problem"].contains("2019-12-31"),
        "{bounds:?}"
    );
    assert_eq!(issues.len(), 4, "{issues:?}");
}

/// Two files for one table (any two of csv, parquet, xlsx) stop the run,
/// naming both.
#[test]
fn two_files_for_one_table_stop_the_run_naming_both() {
    let f = Fixture::new("xlsx-two");
    f.write();
    sheets::write_xlsx(
        &f.data().join("adverts.xlsx"),
        &rows(&[ADVERTS]),
        Style::default(),
    );
    let o = f.run(&[]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("adverts.csv") && err.contains("adverts.xlsx"),
        "{err}"
    );
    assert!(!f.out().join("findings.csv").exists());
}

/// A title merged over the header, or a header below row 1, is a layout a
/// table cannot have: the run stops naming the sheet and the row.
#[test]
fn a_title_above_the_header_is_refused_naming_sheet_and_row() {
    let mut f = Fixture::new("xlsx-title");
    f.remove("responses.csv");
    f.write();
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    s.set_name("Reacties").unwrap();
    s.merge_range(0, 0, 0, 5, "Export reacties 2026", &Format::new())
        .unwrap();
    for (c, h) in RESPONSES.split(',').enumerate() {
        s.write_string(2, c as u16, h).unwrap();
    }
    book.save(f.data().join("responses.xlsx")).unwrap();
    let o = f.run(&[]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("responses.xlsx")
            && err.contains("sheet \"Reacties\", row 1")
            && err.contains("merged cells A1:F1"),
        "{err}"
    );

    // Without the merge: row 1 empty, the header in row 3.
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    for (c, h) in RESPONSES.split(',').enumerate() {
        s.write_string(2, c as u16, h).unwrap();
    }
    book.save(f.data().join("responses.xlsx")).unwrap();
    let o = f.run(&[]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("sheet \"Sheet1\", row 1 is empty") && err.contains("row 3"),
        "{err}"
    );
}

/// A file that is not a workbook stops the run naming it.
#[test]
fn a_broken_workbook_is_unusable_input() {
    let mut f = Fixture::new("xlsx-broken");
    f.remove("adverts.csv");
    f.raw("adverts.xlsx", "advert_id,dwelling_id\n");
    let o = f.run(&[]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("adverts.xlsx") && err.contains("cannot read xlsx"),
        "{err}"
    );
}

/// `generate --format xlsx` and `--vera` write twins of the sample (the
/// sample is `generate` with the defaults): each gives the sample's
/// findings, and the VERA folder reads without a hand-written mapping.
#[test]
fn generated_xlsx_and_vera_twins_give_the_samples_findings() {
    let dir = tmp("generated");
    run(&repo().join("data/sample"), &dir.join("csv"));
    let want = std::fs::read(dir.join("csv/findings.csv")).unwrap();
    for (name, args) in [
        ("xlsx", &["--format", "xlsx"][..]),
        ("vera", &["--vera"][..]),
        ("vera-xlsx", &["--vera", "--format", "xlsx"][..]),
    ] {
        let data = dir.join(format!("data-{name}"));
        let mut all = vec!["generate", "--out", data.to_str().unwrap()];
        all.extend_from_slice(args);
        assert_ok(&woonaudit(&all, &repo()));
        let ext = if name.ends_with("xlsx") {
            "xlsx"
        } else {
            "csv"
        };
        assert!(data.join(format!("responses.{ext}")).is_file(), "{name}");
        if name.starts_with("vera") {
            let toml = std::fs::read_to_string(data.join("woonaudit.toml")).unwrap();
            assert!(toml.contains("preset = \"vera\""), "{toml}");
            // The data set's own config is kept: its adverts name policies.
            assert!(toml.contains("[policies."), "{toml}");
        }
        let out = dir.join(format!("out-{name}"));
        run(&data, &out);
        let got = std::fs::read(out.join("findings.csv")).unwrap();
        assert!(got == want, "{name}: findings differ from the sample's");
    }
    let responses = std::fs::read_to_string(dir.join("data-vera/responses.csv")).unwrap();
    let header = responses.lines().next().unwrap_or_default();
    assert!(
        header.starts_with("publicatie,inschrijfnummer,reactiedatum,")
            && header.contains(",positie,aanbiedingstatus,"),
        "{header}"
    );
    let priorities = std::fs::read_to_string(dir.join("data-vera/priorities.csv")).unwrap();
    let header = priorities.lines().next().unwrap_or_default();
    assert!(
        header.contains("inschrijfnummer,voorrangsoort,detailsoort,begindatum,einddatum"),
        "{header}"
    );
    assert!(responses.contains(",TOE,") && responses.contains(",skipped,"));
}
