//! `--pseudonymise` (spec 6): report.html, exceptions.xlsx, links.csv and
//! the charts carry no id, name, birth date, postcode, e-mail or phone of
//! the inputs, not even inside the detail sentences and the link evidence;
//! findings.csv keeps the raw ids. Without a key nothing is written.

use std::path::{Path, PathBuf};

use calamine::{open_workbook, Data, Reader, Xlsx};
use woonaudit::privacy::pseudonym::hmac_sha256;

use crate::common::*;

const KEY: &str = "correct horse battery staple";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn pseudonym(key: &str, value: &str) -> String {
    let mac = hmac_sha256(key.as_bytes(), value.as_bytes());
    let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
    format!("P-{}", &hex[..12])
}

/// Runs woonaudit with the key set (or, with `None`, unset).
fn with_key(args: &[&str], cwd: &Path, key: Option<&str>) -> std::process::Output {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_woonaudit"));
    c.args(args).current_dir(cwd);
    match key {
        Some(k) => c.env("WOONAUDIT_PSEUDONYM_KEY", k),
        None => c.env_remove("WOONAUDIT_PSEUDONYM_KEY"),
    };
    c.output().unwrap()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

fn xlsx_text(path: &Path) -> String {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let mut text = String::new();
    for name in book.sheet_names() {
        for row in book.worksheet_range(&name).unwrap().rows() {
            for c in row {
                if let Data::String(s) = c {
                    text.push_str(s);
                    text.push('\n');
                }
            }
        }
    }
    text
}

/// The three shared files and the charts, as text.
fn shared_text(out: &Path) -> Vec<(String, String)> {
    let mut files = vec![
        (
            "report.html".to_string(),
            unescape(&std::fs::read_to_string(out.join("report.html")).unwrap()),
        ),
        (
            "exceptions.xlsx".to_string(),
            xlsx_text(&out.join("exceptions.xlsx")),
        ),
        (
            "links.csv".to_string(),
            std::fs::read_to_string(out.join("links.csv")).unwrap(),
        ),
        (
            "control_sample.csv".to_string(),
            std::fs::read_to_string(out.join("control_sample.csv")).unwrap(),
        ),
        (
            "affected.csv".to_string(),
            std::fs::read_to_string(out.join("affected.csv")).unwrap(),
        ),
    ];
    for e in std::fs::read_dir(out.join("charts")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "svg") {
            files.push((
                p.display().to_string(),
                unescape(&std::fs::read_to_string(&p).unwrap()),
            ));
        }
    }
    files
}

fn assert_no_personal_values(data: &Path, out: &Path) {
    let values = personal_values(data);
    let own = words_of_an_empty_run(&[], |out| {
        shared_text(out)
            .into_iter()
            .map(|(_, t)| t)
            .collect::<Vec<_>>()
            .join("\n")
    });
    let own = own.to_lowercase();
    let mut scanned = 0;
    for (file, text) in shared_text(out) {
        let text = text.to_lowercase();
        for (at, v) in values.iter().filter(|(_, v)| !contains_word_lower(&own, v)) {
            assert!(!contains_word_lower(&text, v), "{file}: {at} value {v:?}");
            scanned += 1;
        }
    }
    assert!(scanned > values.len(), "the scan skipped most values");
}

fn tmp(name: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("privacy-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    p
}

#[test]
fn the_sample_pseudonymised_leaks_no_personal_value() {
    let (plain, masked) = (tmp("plain"), tmp("masked"));
    assert_ok(&with_key(
        &["run", "--out", plain.to_str().unwrap()],
        &repo(),
        None,
    ));
    assert_ok(&with_key(
        &["run", "--out", masked.to_str().unwrap(), "--pseudonymise"],
        &repo(),
        Some(KEY),
    ));
    // The shared files before: full of personal values, so the scan below
    // can fail.
    let values = personal_values(&repo().join("data/sample"));
    let html = unescape(&std::fs::read_to_string(plain.join("report.html")).unwrap());
    let html = html.to_lowercase();
    let found = values
        .iter()
        .filter(|(_, v)| contains_word_lower(&html, v))
        .count();
    assert!(found > 200, "only {found} values in the plain report");

    assert_no_personal_values(&repo().join("data/sample"), &masked);

    // findings.csv (and the rest of the audit file) keeps the raw ids.
    for file in ["findings.csv", "data_issues.csv", "stats.json", "annual.md"] {
        assert!(
            std::fs::read(plain.join(file)).unwrap() == std::fs::read(masked.join(file)).unwrap(),
            "{file} changed by --pseudonymise"
        );
    }
    // links.csv: the same rows, each personal column the pseudonym of the
    // raw value.
    let (a, b) = (
        read_csv(&plain.join("links.csv")),
        read_csv(&masked.join("links.csv")),
    );
    assert_eq!(a.len(), b.len());
    assert!(a.len() > 5);
    for (raw, p) in a.iter().zip(&b) {
        for col in [
            "applicant_id",
            "last_name",
            "first_names",
            "birth_date",
            "employee_id",
        ] {
            let want = if raw[col].is_empty() {
                String::new()
            } else {
                pseudonym(KEY, &raw[col])
            };
            assert_eq!(p[col], want, "{col}");
        }
        assert_eq!(p["sale_id"], raw["sale_id"]);
        assert_eq!(p["kind"], raw["kind"]);
        assert!(p["evidence"].contains(&pseudonym(KEY, &raw["employee_id"])));
    }
    // The handler chart labels employees by pseudonym.
    let stats: serde_json::Value =
        serde_json::from_slice(&std::fs::read(masked.join("stats.json")).unwrap()).unwrap();
    let handlers = stats["handlers"].as_array().unwrap();
    assert!(!handlers.is_empty());
    let svg = std::fs::read_to_string(masked.join("charts/handler_bypass.svg")).unwrap();
    for h in handlers {
        let id = h["employee_id"].as_str().unwrap();
        assert!(svg.contains(&pseudonym(KEY, id)), "{id} not pseudonymised");
    }
}

#[test]
fn a_fixture_with_names_in_free_text_and_other_forms_leaks_nothing() {
    let mut f = Fixture::new("pseudo-fixture");
    let applicants = "applicant_id,last_name,first_names,birth_date,postcode,house_number,email,phone,registration_date,household_size";
    let employees = "employee_id,last_name,first_names,birth_date,postcode,house_number,email,phone,employed_from";
    f.set(
        "employees",
        employees,
        &[
            "E-1001,Vries,Hendrika,12-03-1970,9275 WG,41,h.devries@woonco.example,06-12345678,2010-01-01",
            "E-1002,Bakker,Gerrit,1965-05-05,1234AB,7,g.bakker@woonco.example,,2010-01-01",
        ],
    );
    f.set(
        "applicants",
        applicants,
        &[
            // The employee herself (self), with another spelling.
            "2000207,\"Vries, de\",H.,12-03-1970,9275wg,41,,,2005-01-01,1",
            // Same address as E-1002, undeclared.
            "2000208,Kuipers,Marieke Anna,1990-06-06,1234 ab,7,marieke.kuipers@mail.example,0612000000,2008-01-01,2",
            "2000209,Smits,Johannes,1980-08-08,5611AA,3,,,2001-01-01,1",
        ],
    );
    f.set(
        "allocations",
        ALLOCATIONS,
        &[
            "TW-1,D1,2000207,2025-03-01,direct,,E-1001,,",
            "TW-2,D2,2000208,2025-03-02,direct,,E-1002,E-1002,zus van Marieke Kuipers via Gerrit",
            "TW-3,D3,2000209,2025-03-03,advert,,E-1002,E-1001,",
        ],
    );
    f.write();
    let out = f.out();
    let args = ["run", "--data", "data", "--out", "out", "--pseudonymise"];
    assert_ok(&with_key(&args, &f.dir, Some(KEY)));
    let findings = read_csv(&out.join("findings.csv"));
    assert!(
        findings
            .iter()
            .any(|r| r["applicant_id"] == "2000207" && r["employee_id"] == "E-1001"),
        "findings.csv keeps the raw ids: {findings:#?}"
    );
    assert!(findings.iter().any(|r| r["detail"].contains("Kuipers")));
    assert_no_personal_values(&f.data(), &out);
    let links = read_csv(&out.join("links.csv"));
    assert!(links.len() >= 2, "{links:#?}");
    let html = unescape(&std::fs::read_to_string(out.join("report.html")).unwrap());
    // The postcode is one pseudonym however it was written.
    assert!(html.contains(&pseudonym(KEY, "1234AB")), "postcode");
    assert!(html.contains(&pseudonym(KEY, "2000208")));
    assert!(html.contains("zus van P-"), "the reason's names replaced");

    // The same key gives the same bytes; another key other pseudonyms.
    let first = std::fs::read(out.join("report.html")).unwrap();
    assert_ok(&with_key(&args, &f.dir, Some(KEY)));
    assert!(std::fs::read(out.join("report.html")).unwrap() == first);
    assert_ok(&with_key(&args, &f.dir, Some("another key")));
    let other = std::fs::read_to_string(out.join("links.csv")).unwrap();
    assert!(!other.contains(&pseudonym(KEY, "2000208")));
    assert!(other.contains(&pseudonym("another key", "2000208")));
}

#[test]
fn without_a_key_nothing_is_written() {
    let f = Fixture::new("pseudo-no-key");
    f.write();
    for key in [None, Some("")] {
        for args in [
            &["run", "--data", "data", "--out", "out", "--pseudonymise"][..],
            &[
                "links",
                "--data",
                "data",
                "--out",
                "out/links.csv",
                "--pseudonymise",
            ][..],
        ] {
            let o = with_key(args, &f.dir, key);
            let err = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{err}");
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(err.contains("WOONAUDIT_PSEUDONYM_KEY"), "{err}");
            assert!(!f.out().exists(), "written without a key");
        }
    }
}
