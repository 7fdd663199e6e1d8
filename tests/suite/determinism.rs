//! Determinism (spec 6): the same inputs and config give byte-identical
//! findings.csv, data_issues.csv, stats.json and annual files; and on input
//! without data issues, where row order carries no meaning, shuffling the
//! rows of every table changes none of findings.csv, stats.json and the
//! annual files. (data_issues.csv names lines, so it may change with the
//! order; the manifest names the inputs' SHA-256, which does.)

use std::path::{Path, PathBuf};

use crate::common::*;

fn tmp(name: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("determinism-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    p
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
        data.parent().unwrap(),
    );
    assert_ok(&o);
}

fn same(a: &Path, b: &Path, files: &[&str], what: &str) {
    for file in files {
        let x = std::fs::read(a.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let y = std::fs::read(b.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(x == y, "{file} differs {what}");
    }
}

/// A small xorshift generator: a fixed seed gives a fixed shuffle.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// The records of a CSV file (header first), as read by the csv crate.
fn records(path: &Path) -> Vec<csv::StringRecord> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .unwrap();
    r.records().map(Result::unwrap).collect()
}

fn write_records(path: &Path, rows: &[csv::StringRecord]) {
    let mut w = csv::Writer::from_path(path).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
}

/// The CSV tables of `dir` (planted.csv is the generator's answer key, not
/// an input).
fn tables(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .filter(|p| !p.ends_with("planted.csv"))
        .collect();
    v.sort();
    v
}

const ALL: [&str; 7] = [
    "findings.csv",
    "data_issues.csv",
    "stats.json",
    "annual.md",
    "annual.json",
    "control_sample.csv",
    "affected.csv",
];
const ORDER_FREE: [&str; 6] = [
    "findings.csv",
    "stats.json",
    "annual.md",
    "annual.json",
    "control_sample.csv",
    "affected.csv",
];

/// A fresh folder `name` holding a generated data set of `seed`, in its
/// `generated` folder.
fn generated(name: &str, seed: &str) -> (PathBuf, PathBuf) {
    let root = tmp(name);
    std::fs::create_dir_all(&root).unwrap();
    let generated = root.join("generated");
    let o = woonaudit(
        &[
            "generate",
            "--out",
            generated.to_str().unwrap(),
            "--seed",
            seed,
        ],
        &root,
    );
    assert_ok(&o);
    (root, generated)
}

#[test]
fn reruns_and_shuffled_rows_give_the_same_bytes() {
    let (root, generated) = generated("gen", "7");

    // 1. Twice on the same input, data issues included.
    let (a, b) = (root.join("out-a"), root.join("out-b"));
    run(&generated, &a);
    run(&generated, &b);
    same(&a, &b, &ALL, "between two runs");
    let findings = read_csv(&a.join("findings.csv"));
    assert!(findings.len() > 50, "only {} findings", findings.len());

    // 2. The same input without the rows that have data issues: where
    // row order carries no meaning.
    let clean = root.join("clean");
    std::fs::create_dir_all(&clean).unwrap();
    let issues = read_csv(&a.join("data_issues.csv"));
    for table in tables(&generated) {
        let name = table.file_name().unwrap().to_string_lossy().into_owned();
        let mut rows = records(&table);
        // Lines are counted from the header as 1; the generator writes one
        // line per record.
        let bad: Vec<usize> = issues
            .iter()
            .filter(|i| i["file"] == name)
            .map(|i| i["line"].parse::<usize>().unwrap() - 1)
            .collect();
        let mut i = 0;
        rows.retain(|_| {
            i += 1;
            !bad.contains(&(i - 1))
        });
        write_records(&clean.join(&name), &rows);
    }
    // The config the generator wrote (the adverts' policies) goes along.
    std::fs::copy(
        generated.join("woonaudit.toml"),
        clean.join("woonaudit.toml"),
    )
    .unwrap();
    let (c1, c2) = (root.join("clean-1"), root.join("clean-2"));
    run(&clean, &c1);
    run(&clean, &c2);
    same(&c1, &c2, &ALL, "between two runs");
    assert_eq!(
        read_csv(&c1.join("data_issues.csv")).len(),
        0,
        "the clean input still has data issues"
    );

    // 3. Every table's rows shuffled (header kept), with a fixed seed.
    let shuffled = root.join("shuffled");
    std::fs::create_dir_all(&shuffled).unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut moved = 0;
    for table in tables(&clean) {
        let mut rows = records(&table);
        let before = rows.clone();
        for i in (2..rows.len()).rev() {
            let j = 1 + rng.below(i);
            rows.swap(i, j);
        }
        moved += usize::from(rows != before);
        write_records(&shuffled.join(table.file_name().unwrap()), &rows);
    }
    assert!(moved >= 5, "only {moved} tables were reordered");
    std::fs::copy(
        clean.join("woonaudit.toml"),
        shuffled.join("woonaudit.toml"),
    )
    .unwrap();
    let s = root.join("shuffled-out");
    run(&shuffled, &s);
    same(&c1, &s, &ORDER_FREE, "when the input rows are shuffled");
}

/// The checks, the rankings and the statistics run on every core (rayon's
/// pool): one thread and several give the same bytes.
#[test]
fn one_thread_and_several_give_the_same_bytes() {
    let (root, generated) = generated("threads", "11");
    let run_on = |threads: &str, out: &Path| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_woonaudit"))
            .env("SOURCE_DATE_EPOCH", RUN_EPOCH)
            .env("RAYON_NUM_THREADS", threads)
            .args(["run", "--data"])
            .arg(&generated)
            .arg("--out")
            .arg(out)
            .current_dir(&root)
            .output()
            .expect("run woonaudit");
        assert_ok(&o);
    };
    let (one, four) = (root.join("out-1"), root.join("out-4"));
    run_on("1", &one);
    run_on("4", &four);
    same(&one, &four, &ALL, "between one thread and four");
    assert!(read_csv(&one.join("findings.csv")).len() > 50);
}

#[test]
fn timings_name_every_stage_in_order_and_change_no_output() {
    let (root, generated) = generated("timings", "13");
    let plain = root.join("out-plain");
    run(&generated, &plain);
    let timed = root.join("out-timed");
    let o = woonaudit(
        &[
            "run",
            "--data",
            generated.to_str().unwrap(),
            "--out",
            timed.to_str().unwrap(),
            "--timings",
        ],
        &root,
    );
    assert_ok(&o);
    same(&plain, &timed, &ALL, "with --timings");
    let err = String::from_utf8_lossy(&o.stderr);
    let header = err
        .lines()
        .position(|l| l.starts_with("stage "))
        .unwrap_or_else(|| panic!("no timings table:\n{err}"));
    assert!(err.lines().nth(header).unwrap().contains("cpu s"), "{err}");
    let stages: Vec<Vec<&str>> = err
        .lines()
        .skip(header + 1)
        .take_while(|l| !l.starts_with("total"))
        .map(|l| l.split_whitespace().collect())
        .collect();
    let names: Vec<&str> = stages.iter().map(|s| s[0]).collect();
    assert_eq!(
        names,
        ["read", "validate", "link", "rank", "checks", "analysis", "reports"],
        "{err}"
    );
    // Wall seconds, share, then (on Linux) the processor seconds of the
    // stage: a number at or above zero.
    if cfg!(target_os = "linux") {
        for s in &stages {
            let cpu: f64 = s[3].parse().unwrap_or_else(|_| panic!("{s:?}\n{err}"));
            assert!(cpu >= 0.0, "{s:?}");
        }
    }
}
