//! `woonaudit inspect` and `woonaudit config --example` (issue 15): what a
//! user adapting a new export sees before the first audit, and a config to
//! start from.

use std::path::PathBuf;

use woonaudit::config::Config;

use crate::common::*;

fn inspect(f: &Fixture) -> (Option<i32>, String) {
    f.write();
    let o = woonaudit(&["inspect", "--data", f.data().to_str().unwrap()], &f.dir);
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

/// A folder with a required column missing, an extra column, a mapped
/// column and codes, and a file that is no table.
#[test]
fn inspect_shows_each_file_its_mapping_and_what_is_missing() {
    let mut f = Fixture::new("inspect");
    f.set(
        "applicants",
        "Inschrijfnummer ,last_name,birth_date,household_size,opmerking",
        &["A1,Jansen,1980-01-01,1,vip", "A2,Bakker,1981-01-01,2,"],
    );
    f.set(
        "responses",
        "advert_id,applicant_id,responded_at,outcome",
        &[
            "ADV1,A1,2026-03-02 10:00,TOE",
            "ADV1,A2,2026-03-02 11:00,toe",
            "ADV1,A3,2026-03-02 12:00,skipped",
        ],
    );
    f.raw("notes.txt", "not a table\n");
    f.raw(
        "woonaudit.toml",
        "[input.columns.applicants]\ninschrijfnummer = \"applicant_id\"\n\n[input.values.responses.outcome]\nTOE = \"accepted\"\n",
    );
    let (code, out) = inspect(&f);
    assert_eq!(code, Some(2), "{out}");
    let section = |file: &str| -> String {
        let start = out
            .find(&format!("{file}: "))
            .unwrap_or_else(|| panic!("{file}:\n{out}"));
        let rest = &out[start..];
        rest[..rest.find("\n\n").unwrap_or(rest.len())].to_string()
    };
    let applicants = section("applicants.csv");
    for want in [
        "applicants.csv: table applicants (csv)",
        "records: 2",
        "header as read: Inschrijfnummer | last_name | birth_date | household_size | opmerking",
        "Inschrijfnummer  -> applicant_id  (config)",
        "last_name        -> last_name\n",
        "opmerking        -> ignored",
        "STOPS A RUN: required columns missing: registration_date",
        "[input.columns.applicants]",
        "\"<column in the file>\" = \"registration_date\"",
    ] {
        assert!(applicants.contains(want), "{want:?} not in\n{applicants}");
    }
    let responses = section("responses.csv");
    for want in [
        "outcome: TOE -> accepted (2)",
        "values read as they are in mapped columns",
        "outcome: skipped (1)",
        "required columns missing: none",
    ] {
        assert!(responses.contains(want), "{want:?} not in\n{responses}");
    }
    assert!(out.contains("notes.txt: ignored"), "{out}");
    assert!(out.contains("woonaudit.toml: the config file"), "{out}");
    // inspect writes nothing.
    let mut names: Vec<String> = std::fs::read_dir(f.data())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 7, "{names:?}");

    // With the column there and mapped, nothing stops a run.
    f.set(
        "applicants",
        "Inschrijfnummer ,last_name,birth_date,household_size,inschrijfdatum",
        &["A1,Jansen,1980-01-01,1,2010-01-01"],
    );
    f.raw(
        "woonaudit.toml",
        "[input.columns.applicants]\ninschrijfnummer = \"applicant_id\"\ninschrijfdatum = \"registration_date\"\n",
    );
    let (code, out) = inspect(&f);
    assert_eq!(code, Some(0), "{out}");
    assert!(!out.contains("STOPS A RUN"), "{out}");
}

#[test]
fn inspect_names_two_files_for_one_table_and_absent_tables() {
    let mut f = Fixture::new("inspect-two");
    f.remove("allocations.csv");
    f.raw("adverts.parquet", "not parquet");
    let (code, out) = inspect(&f);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("adverts.csv: table adverts (csv)\n  STOPS A RUN: adverts.parquet is a file for the same table too"),
        "{out}"
    );
    assert!(
        out.contains("adverts.parquet: table adverts (parquet)"),
        "{out}"
    );
    assert!(
        out.contains("allocations: STOPS A RUN: required table with no file"),
        "{out}"
    );
}

/// `config --example` is a config the reader accepts, equal to the
/// defaults, with every key the reader accepts in it.
#[test]
fn the_config_example_has_every_key_at_its_default() {
    let o = woonaudit(
        &["config", "--example"],
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")),
    );
    assert_ok(&o);
    let text = String::from_utf8(o.stdout).unwrap();
    let parsed = Config::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(
        serde_json::to_value(&parsed).unwrap(),
        serde_json::to_value(Config::default()).unwrap(),
        "the example's values differ from the defaults"
    );
    let unknown = "zz_not_a_key = 1\n";
    let mut missing = Vec::new();
    // Every section: `[input]`, `[thresholds]`, `[[limits]]`, and a
    // section of tables such as `[policies.NAME]`.
    for section in crate::docs::accepted_keys(unknown) {
        let shown = text.lines().any(|l| {
            let l = l.trim_start_matches("# ");
            l.starts_with(&format!("[{section}]"))
                || l.starts_with(&format!("[[{section}]]"))
                || l.starts_with(&format!("[{section}."))
        });
        if !shown {
            missing.push(format!("[{section}]"));
        }
    }
    for (section, header) in [
        ("input", "[input]\n"),
        ("thresholds", "[thresholds]\n"),
        ("limits", "[[limits]]\n"),
    ] {
        assert!(text.contains(header), "{header}");
        for key in crate::docs::accepted_keys(&format!("{header}{unknown}")) {
            let set = text.lines().any(|l| {
                let l = l.trim_start_matches("# ");
                l.starts_with(&format!("{key} =")) || l.starts_with(&format!("[{section}.{key}."))
            });
            if !set {
                missing.push(format!("{section}.{key}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "not in the example: {missing:?}\n{text}"
    );
}
