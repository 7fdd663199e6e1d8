//! The user's mistakes (issue: hardening, part 6): each gives one line
//! `woonaudit: <what is wrong>: <what to do>`, exit 2, never a backtrace.

use crate::common::*;

/// Runs woonaudit in the fixture's folder and checks the one-line message.
fn fails(f: &Fixture, args: &[&str], words: &[&str]) {
    f.write();
    let o = woonaudit(args, &f.dir);
    let err = String::from_utf8_lossy(&o.stderr);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: not one line:\n{err}");
    assert!(err.starts_with("woonaudit: "), "{err}");
    for w in words {
        assert!(err.contains(w), "{args:?}: {w:?} not in: {err}");
    }
    for text in [&err, &out] {
        assert!(
            !text.contains("panicked") && !text.contains("RUST_BACKTRACE"),
            "{text}"
        );
    }
}

#[test]
fn a_missing_data_folder() {
    let f = Fixture::new("err-no-data");
    for cmd in ["run", "validate", "links"] {
        fails(
            &f,
            &[cmd, "--data", "nowhere"],
            &["nowhere", "data folder not found", "give --data"],
        );
    }
    fails(
        &f,
        &["run", "--data", "data/applicants.csv", "--out", "out"],
        &["is not a folder", "give --data"],
    );
    assert!(!f.dir.join("reports").exists());
}

#[test]
fn a_missing_required_table() {
    let mut f = Fixture::new("err-no-table");
    f.remove("employees.csv");
    fails(
        &f,
        &["run", "--data", "data", "--out", "out"],
        &["required table employees is missing", "put employees.csv"],
    );
}

#[test]
fn an_unknown_config_key() {
    let mut f = Fixture::new("err-config");
    f.raw("woonaudit.toml", "[thresholds]\nbackdating_dayz = 3\n");
    fails(
        &f,
        &["run", "--data", "data", "--out", "out"],
        &[
            "woonaudit.toml",
            "line 2",
            "backdating_dayz",
            "correct or remove it",
        ],
    );
    fails(
        &f,
        &["validate", "--data", "data", "--config", "missing.toml"],
        &["missing.toml", "cannot read", "give --config"],
    );
}

#[test]
fn an_unknown_period_format() {
    let f = Fixture::new("err-period");
    for p in ["2026-13", "foo", "2026-Q5", "26"] {
        fails(
            &f,
            &["run", "--data", "data", "--out", "out", "--period", p],
            &[
                &format!("--period {p}"),
                "give a year (2026) or a quarter (2026-Q3)",
            ],
        );
    }
    fails(
        &f,
        &[
            "run",
            "--data",
            "data",
            "--out",
            "out",
            "--from",
            "2026-02-30",
        ],
        &["--from 2026-02-30", "not a date"],
    );
    assert!(!f.out().exists(), "an output folder for a bad period");
}

#[test]
fn an_output_folder_that_cannot_be_written() {
    let f = Fixture::new("err-out");
    std::fs::write(f.dir.join("plain-file"), b"x").unwrap();
    fails(
        &f,
        &["run", "--data", "data", "--out", "plain-file/reports"],
        &["plain-file/reports", "give --out a folder you can write to"],
    );
    fails(
        &f,
        &["links", "--data", "data", "--out", "plain-file/links.csv"],
        &["plain-file/links.csv"],
    );
}
