//! `generate` beyond one corporation: a planted core plus honest filler
//! streamed to disk (issue 6). The filler must add rows and lets but no
//! finding: every finding of the audit is one `planted.csv` lists.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::common::*;

fn tmp(name: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("scale-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    p
}

type Key = (String, String, String, String, String, String);

fn keys(rows: &[Row]) -> BTreeSet<Key> {
    rows.iter()
        .map(|r| {
            (
                r["check"].clone(),
                r["subject_id"].clone(),
                r["applicant_id"].clone(),
                r["employee_id"].clone(),
                r["severity"].clone(),
                r["link"].clone(),
            )
        })
        .collect()
}

/// Generates core + filler in `format` and audits it.
fn generate_and_run(name: &str, format: &str) -> (PathBuf, PathBuf) {
    let data = tmp(&format!("{name}-data"));
    let out = tmp(&format!("{name}-out"));
    let cwd = Path::new(env!("CARGO_TARGET_TMPDIR"));
    // 1,500 filler seekers and 150 filler adverts beyond the core's
    // 8,000 and 600.
    let o = woonaudit(
        &[
            "generate",
            "--out",
            data.to_str().unwrap(),
            "--size",
            "S",
            "--applicants",
            "9500",
            "--adverts",
            "750",
            "--responses",
            "20",
            "--format",
            format,
        ],
        cwd,
    );
    assert_ok(&o);
    let o = woonaudit(
        &[
            "run",
            "--data",
            data.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        cwd,
    );
    assert_ok(&o);
    (data, out)
}

#[test]
fn filler_adds_lets_but_no_finding_beyond_the_planted_ones() {
    let (data, out) = generate_and_run("csv", "csv");
    let applicants = read_csv(&data.join("applicants.csv"));
    assert_eq!(applicants.len(), 9500);
    let filler_seekers = applicants
        .iter()
        .filter(|a| a["applicant_id"].len() == 8)
        .count();
    assert_eq!(filler_seekers, 1500);
    let allocations = read_csv(&data.join("allocations.csv"));
    let filler_lets: Vec<&Row> = allocations
        .iter()
        .filter(|a| a["allocation_id"].starts_with("TW-F"))
        .collect();
    assert_eq!(filler_lets.len(), 150, "every filler advert is let");
    assert!(filler_lets.iter().all(|a| a["route"] == "advert"));
    let responses = read_csv(&data.join("responses.csv"));
    let filler_responses = responses
        .iter()
        .filter(|r| r["advert_id"].starts_with("ADV-F"))
        .count();
    assert!(
        (150 * 16..=150 * 24).contains(&filler_responses),
        "{filler_responses} filler responses for a mean of 20 per advert"
    );
    let planted = keys(&read_csv(&data.join("planted.csv")));
    let found = keys(&read_csv(&out.join("findings.csv")));
    assert!(planted.iter().any(|k| k.0 == "HANDLER_BYPASS_RATE"));
    assert_eq!(found, planted);
    // The honest filler displaces nobody: affected.csv is the core's, as
    // the generator works it out (its columns but `detail`).
    let cols = [
        "allocation_id",
        "advert_id",
        "tenant_id",
        "applicant_id",
        "cause",
        "rank",
        "tenant_rank",
    ];
    let project = |rows: Vec<Row>| -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| cols.iter().map(|c| r[*c].clone()).collect())
            .collect()
    };
    let want = project(read_csv(&data.join("planted_affected.csv")));
    assert!(!want.is_empty());
    assert_eq!(project(read_csv(&out.join("affected.csv"))), want);
    // The filler is in the statistics: the yearly compliance figures count
    // every let, filler included.
    let stats = std::fs::read_to_string(out.join("stats.json")).unwrap();
    let stats: serde_json::Value = serde_json::from_str(&stats).unwrap();
    let lets: u64 = stats["compliance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["lets"].as_u64().unwrap())
        .sum();
    assert_eq!(lets as usize, allocations.len());
}

#[test]
fn parquet_filler_gives_the_same_findings_as_csv() {
    let (csv_data, csv_out) = generate_and_run("pq-csv", "csv");
    let (pq_data, pq_out) = generate_and_run("pq", "parquet");
    assert!(pq_data.join("responses.parquet").exists());
    assert!(!pq_data.join("responses.csv").exists());
    assert!(!csv_data.join("responses.parquet").exists());
    assert_eq!(
        std::fs::read(csv_out.join("findings.csv")).unwrap(),
        std::fs::read(pq_out.join("findings.csv")).unwrap()
    );
}

#[test]
fn the_same_seed_and_size_give_byte_identical_files() {
    let cwd = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let dirs = [tmp("same-a"), tmp("same-b")];
    for d in &dirs {
        let o = woonaudit(
            &[
                "generate",
                "--out",
                d.to_str().unwrap(),
                "--applicants",
                "8300",
                "--adverts",
                "640",
                "--responses",
                "10",
            ],
            cwd,
        );
        assert_ok(&o);
    }
    for t in [
        "applicants",
        "adverts",
        "responses",
        "allocations",
        "planted",
    ] {
        let f = format!("{t}.csv");
        assert_eq!(
            std::fs::read(dirs[0].join(&f)).unwrap(),
            std::fs::read(dirs[1].join(&f)).unwrap(),
            "{f}"
        );
    }
}
