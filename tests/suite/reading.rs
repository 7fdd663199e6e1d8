//! Reading (spec 1): encodings, delimiters, date and decimal forms, column
//! mappings, Parquet, and every data-issue kind of 1.2 at its file, line
//! and column, in strict and lenient mode.

use std::path::Path;

use crate::common::*;

fn generate(out: &Path, extra: &[&str]) {
    let mut args = vec![
        "generate",
        "--out",
        out.to_str().unwrap(),
        "--seed",
        "7",
        "--applicants",
        "400",
        "--adverts",
        "60",
        "--responses",
        "12",
        "--employees",
        "25",
        "--sales",
        "10",
    ];
    args.extend_from_slice(extra);
    assert_ok(&woonaudit(&args, out.parent().unwrap()));
}

/// Runs `woonaudit run` on `data` into `out` with `extra` arguments and
/// expects exit 0.
fn run_with(data: &Path, out: &Path, extra: &[&str]) {
    let mut args = vec![
        "run",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    assert_ok(&woonaudit(&args, data.parent().unwrap()));
}

fn run_to(data: &Path, out: &Path) -> Vec<u8> {
    run_with(data, out, &[]);
    std::fs::read(out.join("findings.csv")).unwrap()
}

#[test]
fn a_windows_1252_semicolon_export_gives_the_same_findings_as_its_utf8_twin() {
    let f = Fixture::new("twin");
    let (utf8, cp) = (f.dir.join("utf8"), f.dir.join("cp1252"));
    generate(&utf8, &[]);
    generate(&cp, &["--dutch-excel"]);
    let applicants = std::fs::read(cp.join("applicants.csv")).unwrap();
    assert!(
        std::str::from_utf8(&applicants).is_err(),
        "not Windows-1252"
    );
    let header = applicants.split(|&b| b == b'\n').next().unwrap();
    assert!(header.contains(&b';'));
    let a = run_to(&utf8, &f.dir.join("out-utf8"));
    let b = run_to(&cp, &f.dir.join("out-cp"));
    assert!(a.len() > 200, "the sample should have findings");
    assert_eq!(String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
}

#[test]
fn a_parquet_export_gives_the_same_findings_as_csv() {
    let f = Fixture::new("parquet");
    let (csv, pq) = (f.dir.join("csv"), f.dir.join("pq"));
    generate(&csv, &[]);
    generate(&pq, &["--format", "parquet"]);
    assert!(pq.join("applicants.parquet").is_file());
    assert!(!pq.join("applicants.csv").exists());
    let a = run_to(&csv, &f.dir.join("out-csv"));
    let b = run_to(&pq, &f.dir.join("out-pq"));
    assert_eq!(String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
}

/// A Parquet export whose columns carry types, as a database writes it:
/// every table of a generated CSV folder written again with dates as
/// Date, moments as Datetime (microseconds), counts and lottery numbers as
/// 32-bit integers, amounts and points as floats, flags as booleans; ids,
/// names and phone numbers stay text.
#[test]
fn a_typed_parquet_export_gives_the_same_findings_and_figures_as_csv() {
    let f = Fixture::new("typedpq");
    let (csv, pq) = (f.dir.join("csv"), f.dir.join("typed"));
    generate(&csv, &[]);
    std::fs::create_dir_all(&pq).unwrap();
    let mut typed = 0;
    for entry in std::fs::read_dir(&csv).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("planted") {
            continue;
        }
        match name.strip_suffix(".csv") {
            Some(table) => typed += typed_parquet(&path, &pq.join(format!("{table}.parquet"))),
            None => {
                std::fs::copy(&path, pq.join(&name)).unwrap();
            }
        }
    }
    // Dates, moments, numbers and flags of every kind are typed.
    assert!(typed >= 25, "only {typed} typed columns");
    let a = run_to(&csv, &f.dir.join("out-csv"));
    let b = run_to(&pq, &f.dir.join("out-typed"));
    assert!(a.len() > 200, "the sample should have findings");
    assert_eq!(String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
    let stats = |out: &str| std::fs::read_to_string(f.dir.join(out).join("stats.json")).unwrap();
    assert_eq!(stats("out-csv"), stats("out-typed"));
}

/// Writes the CSV file `from` as Parquet at `to`, each column typed by
/// the spec's kind of its name when every value in it reads as that kind;
/// returns how many columns were typed.
fn typed_parquet(from: &Path, to: &Path) -> usize {
    use polars::prelude::*;
    const DATES: &[&str] = &[
        "birth_date",
        "registration_date",
        "urgency_from",
        "urgency_to",
        "published_on",
        "closes_on",
        "withdrawn_on",
        "allocated_on",
        "contract_start",
        "employed_from",
        "employed_to",
        "valid_from",
        "valid_to",
        "granted_on",
        "sold_on",
        "appraised_on",
        "listed_on",
        "buyer_birth_date",
        "vacated_on",
        "declared_on",
    ];
    const MOMENTS: &[&str] = &["registered_at", "responded_at", "changed_at"];
    const COUNTS: &[&str] = &[
        "household_size",
        "units",
        "min_age",
        "max_age",
        "min_household",
        "max_household",
        "lottery_number",
        "position",
    ];
    const FLOATS: &[&str] = &[
        "household_income",
        "min_income",
        "max_income",
        "rent",
        "price",
        "appraisal_value",
        "scheme_discount",
        "points",
    ];
    const FLAGS: &[&str] = &[
        "local_ties",
        "current_tenant",
        "urgency_first",
        "local_first",
    ];
    let rows = crate::common::sheets::csv_rows(from);
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    let mut typed = 0;
    let columns: Vec<Column> = rows[0]
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let cells: Vec<Option<&str>> = rows[1..]
                .iter()
                .map(|r| r.get(i).map(String::as_str).filter(|c| !c.is_empty()))
                .collect();
            // `None` when some value does not read as the kind.
            fn all<T>(
                cells: &[Option<&str>],
                read: impl Fn(&str) -> Option<T>,
            ) -> Option<Vec<Option<T>>> {
                cells
                    .iter()
                    .map(|c| c.map_or(Some(None), |c| read(c).map(Some)))
                    .collect()
            }
            let n = name.as_str();
            let day = |c: &str| chrono::NaiveDate::parse_from_str(c, "%Y-%m-%d").ok();
            let series = if DATES.contains(&n) {
                all(&cells, |c| day(c).map(|d| (d - epoch).num_days() as i32))
                    .map(|v| Series::new(n.into(), v).cast(&DataType::Date).unwrap())
            } else if MOMENTS.contains(&n) {
                all(&cells, |c| {
                    chrono::NaiveDateTime::parse_from_str(c, "%Y-%m-%d %H:%M:%S")
                        .ok()
                        .map(|t| t.and_utc().timestamp_micros())
                })
                .map(|v| {
                    Series::new(n.into(), v)
                        .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
                        .unwrap()
                })
            } else if COUNTS.contains(&n) {
                all(&cells, |c| c.parse::<i32>().ok()).map(|v| Series::new(n.into(), v))
            } else if FLOATS.contains(&n) {
                all(&cells, |c| c.parse::<f64>().ok()).map(|v| Series::new(n.into(), v))
            } else if FLAGS.contains(&n) {
                all(&cells, |c| c.parse::<bool>().ok()).map(|v| Series::new(n.into(), v))
            } else {
                None
            };
            typed += usize::from(series.is_some());
            series
                .unwrap_or_else(|| Series::new(n.into(), cells))
                .into_column()
        })
        .collect();
    let mut df = DataFrame::new(rows.len() - 1, columns).unwrap();
    let file = std::fs::File::create(to).unwrap();
    ParquetWriter::new(file).finish(&mut df).unwrap();
    typed
}

/// A small fixture in the Dutch Excel dialect, written as raw bytes.
#[test]
fn dutch_dates_decimal_commas_and_a_bom() {
    let mut f = Fixture::new("dialect");
    // Windows-1252 ("É" is 0xC9), `;`, DD-MM-YYYY and D-M-YYYY dates,
    // decimal commas, CRLF line ends, mixed-case headers.
    let mut apps: Vec<u8> = b"Applicant_ID;Last_Name;First_Names;Birth_Date;Registration_Date;Household_Size;Household_Income\r\n".to_vec();
    apps.extend_from_slice(b"A1;Bakker;\xc9mile;05-05-1980;1-1-2010;2;30000,50\r\n");
    apps.extend_from_slice(b"A2;Smit;Jan;05/05/1980;02-01-2010;2;30000,51\r\n");
    f.raw_bytes("applicants.csv", &apps);
    f.set(
        "adverts",
        ADVERTS,
        &["ADV,D1,2026-03-01,2026-03-31,registration,ja,nee,,,,,,30000.50,"],
    );
    f.set(
        "responses",
        RESPONSES,
        &[
            "ADV,A1,2026-03-10T10:00:00+01:00,,1,accepted,,E1",
            "ADV,A2,10-03-2026 09:00,,,skipped,inkomen,E1",
        ],
    );
    f.set(
        "allocations",
        ALLOCATIONS,
        &["AL1,D1,A1,2026-04-10,ADVERT,ADV,E1,,"],
    );
    // UTF-8 with BOM for the staff register.
    f.raw(
        "employees.csv",
        "\u{feff}employee_id,last_name,first_names\nE1,Visser,Anna\n",
    );
    // A1 (income 30000.50 = max) is eligible and ranked 1; A2 (30000.51) is
    // not: no findings at all.
    assert!(f.findings().is_empty());
    let manifest = std::fs::read_to_string(f.out().join("manifest.json")).unwrap();
    assert!(
        manifest.contains("\"encoding\": \"windows-1252\""),
        "{manifest}"
    );
    assert!(manifest.contains("\"delimiter\": \";\""), "{manifest}");
    // The same income one cent over the bound makes A1 ineligible.
    f.set(
        "adverts",
        ADVERTS,
        &["ADV,D1,2026-03-01,2026-03-31,registration,ja,nee,,,,,,30000.49,"],
    );
    let findings = f.findings();
    assert_eq!(of_check(&findings, "ORDER_INELIGIBLE").len(), 1);
}

#[test]
fn a_column_mapping_in_the_config_renames_source_columns() {
    let mut f = Fixture::new("mapping");
    f.set(
        "applicants",
        "Nummer,Achternaam,Geboortedatum,Inschrijfdatum,Huishouden",
        &[
            "A1,Bakker,1980-05-05,2010-01-01,2",
            "A2,Smit,1980-05-05,2005-01-01,2",
        ],
    );
    f.set(
        "adverts",
        ADVERTS,
        &["ADV,D1,2026-03-01,2026-03-31,registration,,,,,,,,,"],
    );
    f.set(
        "responses",
        RESPONSES,
        &[
            "ADV,A1,2026-03-10 10:00,,,accepted,,E1",
            "ADV,A2,2026-03-10 10:00,,,not_reached,,E1",
        ],
    );
    f.set(
        "allocations",
        ALLOCATIONS,
        &["AL1,D1,A1,2026-04-10,advert,ADV,E1,,"],
    );
    let config = "[input.columns.applicants]\nnummer = \"applicant_id\"\nACHTERNAAM = \"last_name\"\ngeboortedatum = \"birth_date\"\ninschrijfdatum = \"registration_date\"\nhuishouden = \"household_size\"\n";
    // Without the mapping the required columns are missing.
    let out = f.run(&[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("applicants.csv") && err.contains("missing required column applicant_id"),
        "{err}"
    );
    // In the data folder.
    f.raw("woonaudit.toml", config);
    let findings = f.findings();
    // A2 registered earlier, never offered: a bypass.
    assert_eq!(
        of_check(&findings, "ORDER_BYPASS"),
        vec![("AL1".into(), "A2".into(), "medium".into())]
    );
    // With --config, pointing elsewhere.
    let cfg = f.dir.join("other.toml");
    std::fs::write(&cfg, config).unwrap();
    f.remove("woonaudit.toml");
    let out = f.run(&["--config", cfg.to_str().unwrap()]);
    assert_ok(&out);
    let manifest = std::fs::read_to_string(f.out().join("manifest.json")).unwrap();
    assert!(manifest.contains("other.toml"), "{manifest}");
}

fn error_fixture() -> Fixture {
    let mut f = Fixture::new("errors");
    f.set(
        "applicants",
        APPLICANTS,
        &[
            "A1,Bakker,Jan,1980-05-05,2010-01-01,2,30000,,,,",
            "A2,Smit,Piet,31-02-1980,2010-01-01,2,30000,,,,",
            "A3,,Kees,1980-05-05,2010-01-01,2,30000,,,,",
            "A4,Visser,Els,1980-05-05,2010-01-01,0,30000,,,,",
            "A5,Mulder,Jo,1980-05-05,2010-01-01,2,-5,,,,",
            "A1,Bakker,Jan,1980-05-05,2010-01-01,2,30000,,,,",
            "A6,Dijk,An,1980-05-05,2010-01-01,2,30000,,,,misschien",
        ],
    );
    f.set(
        "adverts",
        ADVERTS,
        &[
            "ADV1,D1,2026-03-01,2026-03-31,registration,,,,,,,,,",
            "ADV2,D2,2026-03-01,2026-03-31,loting,,,,,,,,,",
            "ADV3,D3,2026-03-01,2026-03-31,lottery,,,30,20,,,,,",
            "ADV4,D4,2026-03-01,2026-03-31,lottery,,,,,,,,,",
        ],
    );
    f.set(
        "responses",
        RESPONSES,
        &[
            "ADV1,A1,2026-03-10 10:00,,1,accepted,,E1",
            "ADV1,A2,2026-03-10 10:00,,,not_reached,,E1",
            "ADV2,A1,2026-03-10 10:00,,,not_reached,,E1",
            "ADV4,A1,2026-03-10 10:00,,,not_reached,,E1",
            "ADV1,A1,2026-03-11 10:00,,,not_reached,,E1",
            "ADV9,A1,2026-03-10 10:00,,,not_reached,,E1",
            "ADV1,ZZ,2026-03-10 10:00,,,not_reached,,E1",
            "ADV1,A1X,2026-03-10 10:00,,,maybe,,E1",
        ],
    );
    // A blank line is not a record: AL2 is still line 3.
    f.raw(
        "allocations.csv",
        &format!("{ALLOCATIONS}\nAL1,D1,A1,2026-04-10,advert,ADV1,E1,,\n\nAL2,D1,NOBODY,2026-04-10,direct,,X99,E1,reden\n"),
    );
    f.set(
        "relations",
        "employee_id,relation,last_name",
        &["E7,partner,Bakker", "E1,cousin,Bakker", "E1,child,Visser"],
    );
    f.set(
        "sales",
        "sale_id,dwelling_id,sold_on,price,appraisal_value,route,scheme_discount,buyer_last_name",
        &[
            "S1,D9,2026-05-01,200000,0,open_market,,Bakker",
            "S2,D9,2026-05-01,200000,210000,open_market,1.5,Bakker",
            "S3,D9,2026-05-01,-1,210000,open_market,,Bakker",
            "S4,D9,2026-05-01,200000,210000,open_market,0.1,Bakker",
        ],
    );
    f
}

/// Every error kind of spec 1.2, at its file, line and column.
const EXPECTED_ERRORS: &[(&str, u64, &str)] = &[
    ("adverts.csv", 3, "model"),
    ("adverts.csv", 4, "min_age"),
    ("applicants.csv", 3, "birth_date"),
    ("applicants.csv", 4, "last_name"),
    ("applicants.csv", 5, "household_size"),
    ("applicants.csv", 6, "household_income"),
    ("applicants.csv", 7, "applicant_id"),
    ("applicants.csv", 8, "local_ties"),
    ("relations.csv", 2, "employee_id"),
    ("relations.csv", 3, "relation"),
    ("responses.csv", 3, "applicant_id"),
    ("responses.csv", 4, "advert_id"),
    ("responses.csv", 5, "lottery_number"),
    ("responses.csv", 6, "advert_id+applicant_id"),
    ("responses.csv", 7, "advert_id"),
    ("responses.csv", 8, "applicant_id"),
    ("responses.csv", 9, "outcome"),
    ("sales.csv", 2, "appraisal_value"),
    ("sales.csv", 3, "scheme_discount"),
    ("sales.csv", 4, "price"),
];

#[test]
fn strict_mode_stops_with_exit_2_and_names_file_line_column_and_value() {
    let f = error_fixture();
    // Results of an earlier run survive a failed one (they may hold a
    // manager's reviews), marked as not current (issue 14).
    std::fs::create_dir_all(f.out()).unwrap();
    std::fs::write(f.out().join("findings.csv"), "stale").unwrap();
    let out = f.run(&[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("applicants.csv:3: birth_date: cannot read as a date (31-02-1980)"),
        "{err}"
    );
    assert!(err.contains("adverts.csv:3: model: unknown value"), "{err}");
    // data_issues.csv is written even when the run stops, sorted.
    let issues = read_csv(&f.out().join("data_issues.csv"));
    let errors: Vec<(String, u64, String)> = issues
        .iter()
        .filter(|i| i["level"] == "error")
        .map(|i| {
            (
                i["file"].clone(),
                i["line"].parse().unwrap(),
                i["column"].clone(),
            )
        })
        .collect();
    let want: Vec<(String, u64, String)> = EXPECTED_ERRORS
        .iter()
        .map(|(f, l, c)| (f.to_string(), *l, c.to_string()))
        .collect();
    assert_eq!(errors, want);
    assert_eq!(
        std::fs::read_to_string(f.out().join("findings.csv")).unwrap(),
        "stale"
    );
    let note = std::fs::read_to_string(f.out().join("STALE.txt")).unwrap();
    assert!(
        note.contains("findings.csv") && note.contains("data error"),
        "{note}"
    );
    // The same through `validate`, which writes nothing.
    let v = woonaudit(&["validate", "--data", f.data().to_str().unwrap()], &f.dir);
    assert_eq!(v.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&v.stderr).contains("responses.csv:5: lottery_number"));
}

#[test]
fn lenient_mode_sets_error_rows_aside_with_the_cascade_and_reconciles_counts() {
    let f = error_fixture();
    let out = f.run(&["--lenient"]);
    assert_ok(&out);
    let issues = read_csv(&f.out().join("data_issues.csv"));
    let find = |file: &str, line: &str, col: &str| {
        issues
            .iter()
            .find(|i| i["file"] == file && i["line"] == line && i["column"] == col)
            .unwrap_or_else(|| panic!("no issue {file}:{line}:{col} in {issues:?}"))
            .clone()
    };
    // Cascade: the response of set-aside applicant A2 is set aside too.
    let cascade = find("responses.csv", "3", "applicant_id");
    assert_eq!(cascade["value"], "A2");
    assert!(cascade["problem"].contains("set aside"), "{cascade:?}");
    // Warnings: unknown handler, tenant not on the waiting list (line 3
    // although a blank line precedes it).
    assert_eq!(
        find("allocations.csv", "3", "handled_by")["level"],
        "warning"
    );
    assert_eq!(
        find("allocations.csv", "3", "applicant_id")["level"],
        "warning"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(f.out().join("manifest.json")).unwrap()).unwrap();
    for input in manifest["inputs"].as_array().unwrap() {
        let rows = &input["rows"];
        let (read, used, aside) = (
            rows["read"].as_u64().unwrap(),
            rows["used"].as_u64().unwrap(),
            rows["set_aside"].as_u64().unwrap(),
        );
        assert_eq!(read, used + aside, "{input}");
    }
    let rows_of = |t: &str| {
        manifest["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["table"] == t)
            .unwrap()["rows"]
            .clone()
    };
    assert_eq!(rows_of("applicants")["read"], 7);
    assert_eq!(rows_of("applicants")["used"], 1);
    assert_eq!(rows_of("responses")["used"], 1);
    assert_eq!(rows_of("allocations")["used"], 2);
    assert_eq!(rows_of("sales")["used"], 1);
    assert_eq!(rows_of("relations")["used"], 1);
    assert_eq!(manifest["mode"], "lenient");
}

#[test]
fn a_warning_never_stops_the_run() {
    let mut f = Fixture::new("warning");
    f.set(
        "applicants",
        APPLICANTS,
        &["A1,Bakker,Jan,1980-05-05,2010-01-01,2,,,,,"],
    );
    f.set(
        "allocations",
        ALLOCATIONS,
        &["AL1,D1,A9,2026-04-10,direct,,X1,X2,medisch"],
    );
    let out = f.run(&[]);
    assert_ok(&out);
    let issues = read_csv(&f.out().join("data_issues.csv"));
    assert_eq!(issues.len(), 3);
    assert!(issues.iter().all(|i| i["level"] == "warning"));
    let v = woonaudit(&["validate", "--data", f.data().to_str().unwrap()], &f.dir);
    assert_eq!(v.status.code(), Some(0));
}

#[test]
fn unusable_input_stops_with_exit_2_naming_the_file() {
    let mut f = Fixture::new("unusable");
    f.raw("adverts.parquet", "not really parquet");
    let out = f.run(&[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("both adverts.csv and adverts.parquet"),
        "{err}"
    );

    let mut f = Fixture::new("nofile");
    f.remove("responses.csv");
    let out = f.run(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("required table responses is missing"));

    let mut f = Fixture::new("badparquet");
    f.remove("adverts.csv");
    f.raw("adverts.parquet", "garbage");
    let out = f.run(&[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("adverts.parquet") && err.contains("cannot read Parquet"),
        "{err}"
    );

    let mut f = Fixture::new("badconfig");
    f.raw("woonaudit.toml", "[thresholds]\nbackdating = 3\n");
    let out = f.run(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("woonaudit.toml"));
}

#[test]
fn inputs_are_never_modified_and_data_cells_are_written_inert() {
    let mut f = Fixture::new("inert");
    f.set(
        "applicants",
        APPLICANTS,
        &["A1,Bakker,Jan,1980-05-05,2010-01-01,2,,,,,"],
    );
    f.set(
        "allocations",
        ALLOCATIONS,
        &["=HYPERLINK(1),D1,A1,2026-04-10,advert,,E1,,"],
    );
    f.write();
    let before: Vec<(String, Vec<u8>)> = std::fs::read_dir(f.data())
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (p.display().to_string(), std::fs::read(&p).unwrap())
        })
        .collect();
    let findings = f.findings();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["subject_id"], "'=HYPERLINK(1)");
    // The id is computed from the raw value.
    use sha2::Digest;
    let digest = sha2::Sha256::digest(b"ORDER_NO_ADVERT|=HYPERLINK(1)|A1|");
    let want: String = digest[..8].iter().map(|x| format!("{x:02x}")).collect();
    assert_eq!(findings[0]["finding_id"], want);
    for (path, bytes) in before {
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{path} changed");
    }
}

/// A responses file that is UTF-8 until a Windows-1252 byte, on its last
/// line (text the cutting thread checks) or in a quoted cell half-way (text
/// the csv reader checks): it is read as UTF-8 at once and, at that byte,
/// read again from the start as Windows-1252, keeping nothing of the first
/// read (its records, its data issues). It gives exactly what its UTF-8
/// twin gives. An early error row and a quoted stretch come before the
/// byte.
#[test]
fn a_file_found_not_to_be_utf8_late_is_read_again_as_windows_1252() {
    let f = Fixture::new("late1252");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    let text = std::fs::read_to_string(sample.join("responses.csv")).unwrap();
    let original: Vec<String> = text.lines().map(str::to_string).collect();
    assert!(
        original.len() > 4000,
        "several windows of text before the byte"
    );
    let set = |line: &mut String, cell: usize, value: &str| {
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        cells[cell] = value.to_string();
        *line = cells.join(",");
    };
    for place in ["last", "quoted"] {
        let mut lines = original.clone();
        // An unreadable position early on (an error: set aside in lenient
        // mode), a quoted reason half-way, the accent on the last line or
        // in the quoted reason.
        set(&mut lines[3], 5, "third");
        let (half, last) = (lines.len() / 2, lines.len() - 1);
        let (quoted, plain) = match place {
            "last" => ("\"te klein, te duur\"", "te duur \u{e9}"),
            _ => ("\"te klein, te duur \u{e9}\"", "te duur"),
        };
        set(&mut lines[half], 7, quoted);
        set(&mut lines[last], 7, plain);
        let utf8 = lines.join("\n") + "\n";
        let mut cp1252 = utf8.replace('\u{e9}', "\u{1}").into_bytes();
        for b in cp1252.iter_mut().filter(|b| **b == 1) {
            *b = 0xE9;
        }
        assert!(std::str::from_utf8(&cp1252).is_err());
        let mut outs = Vec::new();
        for (name, bytes) in [("utf8", utf8.as_bytes()), ("cp", &cp1252[..])] {
            let data = f.dir.join(format!("{place}-{name}"));
            std::fs::create_dir_all(&data).unwrap();
            for entry in std::fs::read_dir(&sample).unwrap() {
                let path = entry.unwrap().path();
                std::fs::copy(&path, data.join(path.file_name().unwrap())).unwrap();
            }
            std::fs::write(data.join("responses.csv"), bytes).unwrap();
            let out = f.dir.join(format!("out-{place}-{name}"));
            run_with(&data, &out, &["--lenient"]);
            outs.push(out);
        }
        let read = |out: &Path, file: &str| std::fs::read_to_string(out.join(file)).unwrap();
        for file in ["findings.csv", "data_issues.csv", "stats.json"] {
            assert_eq!(
                read(&outs[0], file),
                read(&outs[1], file),
                "{place}: {file}"
            );
        }
        // The early error is listed once, not once per read.
        let issues = read_csv(&outs[1].join("data_issues.csv"));
        let at_line_4: Vec<_> = issues
            .iter()
            .filter(|i| i["file"] == "responses.csv" && i["line"] == "4")
            .collect();
        assert_eq!(at_line_4.len(), 1, "{place}: {at_line_4:?}");
        assert_eq!(at_line_4[0]["column"], "position");
        let manifest = read(&outs[1], "manifest.json");
        let responses = &manifest[manifest.find("responses.csv").unwrap()..];
        assert!(
            responses[..responses.find('}').unwrap()].contains("\"encoding\": \"windows-1252\""),
            "{place}: {manifest}"
        );
    }
}
