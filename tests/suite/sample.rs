//! The bundled sample: the default run, the planted anomalies, and
//! byte-identical reruns.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::common::*;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tmp(name: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("sample-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    p
}

/// Runs the default data folder (no --data) into `out`.
fn run_default(out: &Path) {
    let o = woonaudit(&["run", "--out", out.to_str().unwrap()], &repo());
    assert_ok(&o);
}

/// The checks of this version: the whole catalogue of v1.2.
const CHECKS_RUN: [&str; 24] = [
    "ORDER_BYPASS",
    "ORDER_NOT_A_CANDIDATE",
    "ORDER_INELIGIBLE",
    "ORDER_NO_ADVERT",
    "ORDER_POSITION_MISMATCH",
    "ROUTE_UNAPPROVED",
    "ROUTE_STAFF_CIRCLE",
    "STAFF_ALLOCATION",
    "CONFLICT_OF_INTEREST",
    "UNDECLARED_LINK",
    "REGISTRATION_BACKDATED",
    "SALE_BELOW_APPRAISAL",
    "SALE_NOT_PUBLIC",
    "SALE_STALE_APPRAISAL",
    "HANDLER_BYPASS_RATE",
    "STAFF_PURCHASE",
    "ACTOR_SKIP_RATE",
    "ACTOR_BACKDATING",
    "ALLOCATED_BEFORE_CLOSE",
    "ADVERT_OVERLET",
    "ADVERT_DWELLING_MISMATCH",
    "ADVERT_WITHDRAWN_THEN_LET",
    "VACANCY_NOT_ADVERTISED",
    "PRIORITY_LATE",
];

type Key = (String, String, String, String, String, String);

fn key(r: &Row) -> Key {
    (
        r["check"].clone(),
        r["subject_id"].clone(),
        r["applicant_id"].clone(),
        r["employee_id"].clone(),
        r["severity"].clone(),
        r["link"].clone(),
    )
}

#[test]
fn every_planted_anomaly_is_found_with_its_severity_and_link_and_nothing_else() {
    let out = tmp("planted");
    run_default(&out);
    let planted = read_csv(&repo().join("data/sample/planted.csv"));
    let want: BTreeSet<Key> = planted
        .iter()
        .filter(|p| CHECKS_RUN.contains(&p["check"].as_str()))
        .map(key)
        .collect();
    for check in CHECKS_RUN {
        assert!(
            want.iter().any(|w| w.0 == check),
            "nothing planted for {check}"
        );
    }
    // Linked and unlinked severities both occur among the ORDER_* plants.
    assert!(want.iter().any(|w| w.0 == "ORDER_BYPASS" && w.4 == "high"));
    assert!(want
        .iter()
        .any(|w| w.0 == "ORDER_BYPASS" && w.4 == "medium"));
    let findings = read_csv(&out.join("findings.csv"));
    // The generator works out the expected findings with its own,
    // independent implementation of the linking rules: equality means no
    // finding claims a link (employee_id, link) the spec's rules do not make.
    let got: BTreeSet<Key> = findings.iter().map(key).collect();
    let missed: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(missed.is_empty(), "planted but not found: {missed:#?}");
    assert!(extra.is_empty(), "found but not planted: {extra:#?}");
    assert_eq!(findings.len(), got.len(), "duplicate findings");
    // `detail` is one plain sentence (spec 6).
    for f in &findings {
        let d = &f["detail"];
        let second_sentence = d
            .as_bytes()
            .windows(3)
            .any(|w| w[0] == b'.' && w[1] == b' ' && w[2].is_ascii_uppercase());
        assert!(d.ends_with('.') && !second_sentence, "{d}");
    }
}

#[test]
fn the_affected_seekers_are_those_the_generator_planted() {
    let out = tmp("affected");
    run_default(&out);
    // The generator works them out by its own rules (spec 4.2) from its
    // own findings: the columns of affected.csv but `detail`.
    let want = std::fs::read_to_string(repo().join("data/sample/planted_affected.csv")).unwrap();
    let got: String = std::fs::read_to_string(out.join("affected.csv"))
        .unwrap()
        .lines()
        .map(|l| {
            let mut r = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(l.as_bytes());
            let rec = r.records().next().unwrap().unwrap();
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(rec.iter().take(7)).unwrap();
            String::from_utf8(w.into_inner().unwrap()).unwrap()
        })
        .collect();
    assert_eq!(got, want);
    let causes: BTreeSet<&str> = want
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(4))
        .collect();
    assert!(
        causes.contains("bypass") && causes.contains("backdated"),
        "{causes:?}"
    );
}

#[test]
fn two_runs_give_byte_identical_outputs() {
    let (a, b) = (tmp("rerun-a"), tmp("rerun-b"));
    run_default(&a);
    run_default(&b);
    for file in [
        "findings.csv",
        "data_issues.csv",
        "manifest.json",
        "links.csv",
        "stats.json",
    ] {
        let x = std::fs::read(a.join(file)).unwrap();
        let y = std::fs::read(b.join(file)).unwrap();
        assert!(x == y, "{file} differs between runs");
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["data"], "data/sample");
    // The eight tables of v1.1 and v1.2's priorities and vacancies.
    assert_eq!(manifest["inputs"].as_array().unwrap().len(), 10);
    let sha = manifest["inputs"][0]["sha256"].as_str().unwrap();
    assert_eq!(sha.len(), 64);
}

#[test]
fn the_bundled_sample_is_what_generate_makes() {
    let out = tmp("generated");
    let o = woonaudit(&["generate", "--out", out.to_str().unwrap()], &repo());
    assert_ok(&o);
    let sample = repo().join("data/sample");
    let mut names: Vec<String> = std::fs::read_dir(&sample)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut generated: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    generated.sort();
    assert_eq!(names, generated);
    for name in names {
        let a = std::fs::read(sample.join(&name)).unwrap();
        let b = std::fs::read(out.join(&name)).unwrap();
        assert!(a == b, "data/sample/{name} differs from a fresh `generate`");
    }
}

#[test]
fn progress_stays_out_of_pipes() {
    let out = tmp("quiet");
    let o = woonaudit(&["run", "--out", out.to_str().unwrap()], &repo());
    assert_ok(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains('\r') && !err.contains('\u{1b}'), "{err:?}");
    assert!(err.contains("finding(s):"), "{err}");
}
