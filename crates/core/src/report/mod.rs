//! Stage 6, report: the output files of spec 6. Every file is rendered to
//! bytes first and then written atomically (temporary name, then rename), so
//! a reader never sees half a file and a failed run leaves the old one.

pub mod annual;
pub mod charts;
pub mod html;
pub mod links;
pub mod manifest;
pub mod pseudonym;
pub mod reviews;
pub mod stats;
pub mod suppress;
pub mod xlsx;

use std::io::Write;
use std::path::Path;

use crate::checks::Finding;
use crate::error::{Error, Result};
use crate::issues::Issues;

/// Writes `bytes` to `path` atomically, creating the folder.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let fail = |source| Error::Output {
        path: path.to_path_buf(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(fail)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(fail)
}

/// Removes output files of an earlier run from `dir` (absent ones are fine).
pub fn remove_stale(dir: &Path, names: &[&str]) -> Result<()> {
    for name in names {
        let path = dir.join(name);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(Error::Output { path, source }),
        }
    }
    Ok(())
}

/// The inert-output rule of spec 6: text from the data that a spreadsheet
/// would read as a formula gets a leading apostrophe.
pub fn inert(s: &str) -> std::borrow::Cow<'_, str> {
    let risky = match s.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r') => true,
        Some('-') => !is_number(&s[1..]),
        _ => false,
    };
    if risky {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// A plain number: digits with at most one `.` or `,` between digits.
fn is_number(s: &str) -> bool {
    let mut seen_digit = false;
    let mut seen_mark = false;
    let mut last_was_mark = false;
    for c in s.chars() {
        match c {
            '0'..='9' => {
                seen_digit = true;
                last_was_mark = false;
            }
            '.' | ',' if seen_digit && !seen_mark => {
                seen_mark = true;
                last_was_mark = true;
            }
            _ => return false,
        }
    }
    seen_digit && !last_was_mark
}

pub(crate) fn csv_bytes(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    // Writing into a Vec cannot fail.
    let _ = w.write_record(header);
    for row in rows {
        let _ = w.write_record(row.iter().map(|c| inert(c).into_owned()));
    }
    w.into_inner().unwrap_or_default()
}

/// findings.csv: the columns and order of spec 6 (`findings` must already be
/// sorted). finding_id is computed from the raw values.
pub fn findings_csv(findings: &[Finding]) -> Vec<u8> {
    csv_bytes(
        &[
            "finding_id",
            "check",
            "severity",
            "subject_type",
            "subject_id",
            "applicant_id",
            "employee_id",
            "link",
            "detail",
        ],
        findings.iter().map(|f| {
            vec![
                f.id(),
                f.check.as_str().to_string(),
                f.severity.as_str().to_string(),
                f.subject_type.as_str().to_string(),
                f.subject_id.clone(),
                f.applicant_id
                    .as_ref()
                    .map(|a| a.0.to_string())
                    .unwrap_or_default(),
                f.employee_id
                    .as_ref()
                    .map(|e| e.0.to_string())
                    .unwrap_or_default(),
                f.link.map(|k| k.as_str()).unwrap_or_default().to_string(),
                f.detail.clone(),
            ]
        }),
    )
}

/// data_issues.csv, sorted by file, line, column.
pub fn data_issues_csv(issues: &Issues) -> Vec<u8> {
    csv_bytes(
        &["file", "line", "column", "value", "level", "problem"],
        issues.sorted().into_iter().map(|i| {
            vec![
                i.file.clone(),
                i.line.to_string(),
                i.column.clone(),
                i.value.clone(),
                i.level.as_str().to_string(),
                i.problem.clone(),
            ]
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_made_inert() {
        assert_eq!(inert("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(inert("+31612345678"), "'+31612345678");
        assert_eq!(inert("@x"), "'@x");
        assert_eq!(inert("\tx"), "'\tx");
        assert_eq!(inert("-x"), "'-x");
        assert_eq!(inert("-"), "'-");
        assert_eq!(inert("-12"), "-12");
        assert_eq!(inert("-12.5"), "-12.5");
        assert_eq!(inert("-12,5"), "-12,5");
        assert_eq!(inert("-1-2"), "'-1-2");
        assert_eq!(inert("de Vries"), "de Vries");
    }

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("woonaudit-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_whole() {
        let dir = scratch("atomic");
        let path = dir.join("findings.csv");
        write_atomic(&path, b"old,complete\n").unwrap();
        // The temporary file cannot be made (a folder holds its name): the
        // write fails before the old file is touched.
        let tmp = dir.join(format!(".findings.csv.tmp-{}", std::process::id()));
        std::fs::create_dir(&tmp).unwrap();
        std::fs::write(tmp.join("x"), b"").unwrap();
        let err = write_atomic(&path, b"new").unwrap_err();
        assert!(matches!(err, Error::Output { .. }), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"old,complete\n");
        std::fs::remove_dir_all(&tmp).unwrap();
        // The rename fails (a non-empty folder is in the way): the
        // temporary file is removed, nothing is left half-written.
        let blocked = dir.join("report.html");
        std::fs::create_dir(&blocked).unwrap();
        std::fs::write(blocked.join("x"), b"").unwrap();
        assert!(write_atomic(&blocked, b"<html>").is_err());
        let left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(left.iter().all(|n| !n.contains(".tmp-")), "{left:?}");
        // And a write that succeeds replaces the whole file.
        write_atomic(&path, b"new,complete\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new,complete\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
