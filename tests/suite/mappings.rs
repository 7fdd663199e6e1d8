//! Value mappings and the VERA preset (spec 1.4, issue 15): a mapped value
//! is read as its spec value whatever its case, an unmapped one as it is
//! (so an unknown code is a data issue showing the code), the preset reads
//! a VERA export as its English twin, and the user's entries win.

use std::path::{Path, PathBuf};

use crate::common::sheets;
use crate::common::*;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("mappings-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

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

/// Four seekers respond to one advert; their outcomes are written as codes.
fn coded(outcomes: [&str; 4], config: &str) -> Fixture {
    let mut f = Fixture::new("values");
    f.set(
        "applicants",
        APPLICANTS,
        &[
            "A1,Jansen,Jan,1980-01-01,2010-01-01,1,,,,,",
            "A2,Bakker,Bo,1981-01-01,2011-01-01,1,,,,,",
            "A3,Smit,Sil,1982-01-01,2012-01-01,1,,,,,",
            "A4,Mulder,Mo,1983-01-01,2013-01-01,1,,,,,",
        ],
    );
    f.set(
        "adverts",
        ADVERTS,
        &["ADV1,D1,2026-03-01,2026-03-14,Inschrijfduur,,,,,,,,,"],
    );
    let rows: Vec<String> = outcomes
        .iter()
        .enumerate()
        .map(|(i, o)| format!("ADV1,A{},2026-03-02 10:0{i},,{},{o},,", i + 1, i + 1))
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    f.set("responses", RESPONSES, &rows);
    f.raw("woonaudit.toml", config);
    f
}

#[test]
fn value_mappings_hit_without_regard_to_case_and_leave_the_rest_as_read() {
    let config = "[input.values.responses.outcome]\nTOE = \"accepted\"\n\" gew \" = \"declined\"\n\n[input.values.Adverts.MODEL]\ninschrijfduur = \"registration\"\n";
    // Hit (TOE), case (toe, GEW against ` gew `), miss (XYZ), and a spec
    // value without a mapping (not_reached) read as it is.
    let f = coded(["TOE", " toe ", "GEW", "XYZ"], config);
    let o = f.run(&["--lenient"]);
    assert_ok(&o);
    let issues = read_csv(&f.out().join("data_issues.csv"));
    let got: Vec<(&str, &str, &str)> = issues
        .iter()
        .map(|i| {
            (
                i["line"].as_str(),
                i["column"].as_str(),
                i["value"].as_str(),
            )
        })
        .collect();
    // Only the unmapped code, with the value as the export wrote it.
    assert_eq!(got, [("5", "outcome", "XYZ")], "{issues:?}");
    assert!(issues[0]["problem"].contains("unknown value"), "{issues:?}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(f.out().join("manifest.json")).unwrap())
            .unwrap();
    let responses = manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["table"] == "responses")
        .unwrap();
    assert_eq!(responses["rows"]["used"], 3);
    // The mappings are in the manifest's config, source values lower-cased.
    assert_eq!(
        manifest["config"]["input"]["values"]["responses"]["outcome"]["gew"],
        "declined"
    );

    // Without the mappings every code is an error.
    let f = coded(["TOE", " toe ", "GEW", "not_reached"], "");
    let o = f.run(&["--lenient"]);
    assert_ok(&o);
    let issues = read_csv(&f.out().join("data_issues.csv"));
    let unknown: Vec<(&str, &str)> = issues
        .iter()
        .filter(|i| i["problem"].starts_with("unknown value"))
        .map(|i| (i["column"].as_str(), i["value"].as_str()))
        .collect();
    assert_eq!(
        unknown,
        [
            ("model", "Inschrijfduur"),
            ("outcome", "TOE"),
            ("outcome", "toe"),
            ("outcome", "GEW")
        ]
    );
}

#[test]
fn bad_value_mappings_are_named() {
    for (config, want) in [
        (
            "[input.values.responses.outcom]\nTOE = \"accepted\"\n",
            "responses has no column outcom",
        ),
        (
            "[input.values.reacties.outcome]\nTOE = \"accepted\"\n",
            "unknown table",
        ),
        (
            "[input.values.responses.outcome]\nTOE = \"accepted\"\ntoe = \"declined\"\n",
            "given twice",
        ),
        ("[input]\npreset = \"aedes\"\n", "unknown preset"),
    ] {
        let f = coded(["TOE", "TOE", "TOE", "TOE"], config);
        let o = f.run(&[]);
        assert_eq!(o.status.code(), Some(2), "{config}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(want), "{config}: {err}");
    }
}

/// The sample in VERA names and codes, with `preset = "vera"`, gives the
/// sample's findings: as CSV and as workbooks (a corporation's folder of
/// Excel files, read without a hand-written mapping).
#[test]
fn the_vera_twin_of_the_sample_gives_its_findings() {
    let dir = tmp("vera");
    let sample = repo().join("data/sample");
    run(&sample, &dir.join("csv"));
    let want = std::fs::read(dir.join("csv/findings.csv")).unwrap();
    for xlsx in [false, true] {
        let data = dir.join(format!("vera-{xlsx}"));
        sheets::vera_twin(&sample, &data, xlsx);
        let responses = std::fs::read_to_string(data.join("responses.csv")).unwrap_or_default();
        if !xlsx {
            assert!(responses.starts_with("publicatie,inschrijfnummer,reactiedatum"));
            assert!(responses.contains(",TOE,") && responses.contains(",GEW,"));
        }
        let out = dir.join(format!("out-{xlsx}"));
        run(&data, &out);
        let got = std::fs::read(out.join("findings.csv")).unwrap();
        assert!(
            got == want,
            "xlsx {xlsx}: findings differ from the sample's"
        );
    }
}

/// The user's own entries win over the preset's: a value mapping of the
/// same code, and a column mapping to the same spec column.
#[test]
fn the_users_entries_win_over_the_preset() {
    let dir = tmp("vera-own");
    let sample = repo().join("data/sample");
    let data = dir.join("data");
    sheets::vera_twin(&sample, &data, false);
    // The twin's config (the preset and the sample's policies), with
    // entries of the user's own added.
    let own = std::fs::read_to_string(data.join("woonaudit.toml")).unwrap();
    assert!(own.contains("preset = \"vera\""), "{own}");
    // GEW means declined in the preset; this export's own meaning wins.
    std::fs::write(
        data.join("woonaudit.toml"),
        format!("{own}\n[input.values.responses.outcome]\ngew = \"geweigerd\"\n"),
    )
    .unwrap();
    let o = woonaudit(&["validate", "--data", data.to_str().unwrap()], &repo());
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("responses.csv:")
            && err.contains("outcome: unknown value")
            && err.contains("(geweigerd)"),
        "{err}"
    );

    // A column of the user's mapped to a spec column the preset also maps:
    // the preset's entry for that column gives way (else last_name would
    // be given twice, achternaam and familienaam, and the run would stop).
    let mut rows = sheets::csv_rows(&data.join("applicants.csv"));
    let last = rows[0].iter().position(|h| h == "achternaam").unwrap();
    for (i, row) in rows.iter_mut().enumerate() {
        let v = if i == 0 {
            "familienaam".to_string()
        } else {
            row[last].clone()
        };
        row.push(v);
    }
    let mut w = csv::Writer::from_path(data.join("applicants.csv")).unwrap();
    for r in &rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
    let validate = || woonaudit(&["validate", "--data", data.to_str().unwrap()], &repo());
    std::fs::write(
        data.join("woonaudit.toml"),
        format!("{own}\n[input.columns.applicants]\nfamilienaam = \"last_name\"\n"),
    )
    .unwrap();
    assert_ok(&validate());
}

/// An export without handled_by, approved_by, decided_by or a relations
/// table (as VERA exports often are): the report's coverage statement
/// names what could not be checked, rather than reporting nothing.
#[test]
fn the_coverage_statement_names_what_the_export_lacks() {
    let mut f = Fixture::new("gaps");
    f.set(
        "allocations",
        "allocation_id,dwelling_id,applicant_id,allocated_on,route,advert_id,reason",
        &[],
    );
    f.set(
        "responses",
        "advert_id,applicant_id,responded_at,lottery_number,position,outcome,reason",
        &[],
    );
    let o = f.run(&[]);
    assert_ok(&o);
    let html = std::fs::read_to_string(f.out().join("report.html")).unwrap();
    for want in [
        "Not checked: allocations.csv has no handled_by column, so HANDLER_BYPASS_RATE had no handlers to test",
        "Not checked: allocations.csv has no approved_by column, so ROUTE_UNAPPROVED flagged every let outside the aanbodsysteem",
        "Not checked: responses.csv has no decided_by column, so ACTOR_SKIP_RATE had no deciding employees to test",
        "Not checked: there is no relations table, so no link of kind declared could be found",
    ] {
        assert!(html.contains(want), "{want}");
    }

    // With every column and the relations table: no gap named.
    let dir = tmp("gaps-sample");
    run(&repo().join("data/sample"), &dir);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("Coverage.") && !html.contains("Not checked:"));
}
