//! Stage 7, report: the output files of spec 6, rendered from one
//! [`Audit`] and the circumstances of the run ([`RunMeta`]). Renderers
//! compute nothing of the audit: they format what the earlier stages
//! worked out. [`OUTPUTS`] lists every result file; it drives the writing
//! and the note that marks an earlier run's results as not current after a
//! failed run ([`mark_stale`]). Every file is rendered to bytes first and
//! then written atomically (temporary name, then rename), so a reader never
//! sees half a file and a failed run leaves the old one.

pub mod affected;
pub mod annual;
pub mod charts;
pub mod control;
mod format;
pub mod html;
pub mod links;
pub mod manifest;
pub mod reviews;
pub mod xlsx;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::analysis::carry::CarryOver;
use crate::audit::Audit;
use crate::checks::Finding;
use crate::config::ConfigSource;
use crate::error::{Error, Result};
use crate::issues::Issues;
use crate::privacy::pseudonym::Mask;
use crate::read::reviews::Reviews;
use crate::read::SourceInfo;
use crate::schema::Table;
pub use crate::text::inert;

/// The circumstances of a run that the outputs report besides the audit.
pub struct RunMeta<'a> {
    /// The data folder as given.
    pub data_dir: &'a Path,
    /// Whether `--lenient` was given.
    pub lenient: bool,
    /// Where the config came from.
    pub config_source: &'a ConfigSource,
    /// The input files read.
    pub sources: &'a [SourceInfo],
    /// Data issues and row counts.
    pub issues: &'a Issues,
    /// Last quarter's reviews, with `--reviews`.
    pub reviews: Option<&'a Reviews>,
    /// Where last quarter's findings are now, with `--reviews`.
    pub carry: Option<&'a CarryOver>,
    /// Pseudonymises personal values with `--pseudonymise`.
    pub mask: &'a Mask,
    /// `--excel-csv`: the CSV files as Dutch Excel opens them.
    pub excel_csv: bool,
    /// The day of the run (exceptions.xlsx names it, so the next quarter's
    /// review history can say which run a review came from).
    pub run_date: crate::model::Date,
}

impl RunMeta<'_> {
    /// The names of the tables no input file was found for, in table
    /// order.
    pub fn absent_tables(&self) -> Vec<&'static str> {
        Table::ALL
            .iter()
            .filter(|t| !self.sources.iter().any(|s| s.table == **t))
            .map(|t| t.name())
            .collect()
    }
}

/// What every renderer reads: the audit, the run, and the charts (drawn
/// once: report.html embeds them and charts/ holds them).
pub struct Report<'a> {
    /// The audit.
    pub audit: &'a Audit<'a>,
    /// The run.
    pub run: &'a RunMeta<'a>,
    /// The charts, data and SVG.
    pub charts: Vec<charts::Chart>,
}

impl<'a> Report<'a> {
    /// Prepares the rendering of `audit`: draws the charts.
    pub fn new(audit: &'a Audit<'a>, run: &'a RunMeta<'a>) -> Result<Report<'a>> {
        let charts = charts::build(audit, run.mask)?;
        Ok(Report { audit, run, charts })
    }
}

/// One file written into the output folder, relative to it.
pub type OutFile = (PathBuf, Vec<u8>);

/// One entry of the output table: a file, or a group of files made
/// together.
pub struct Output {
    /// Its name in messages and docs.
    pub name: &'static str,
    /// The files it writes, relative to the output folder.
    pub files: fn() -> Vec<PathBuf>,
    /// Renders those files.
    pub render: fn(&Report<'_>) -> Result<Vec<OutFile>>,
}

/// An output of one file rendered by `$render`.
macro_rules! one_file {
    ($name:literal, $render:expr) => {
        Output {
            name: $name,
            files: || vec![PathBuf::from($name)],
            render: |r| Ok(vec![(PathBuf::from($name), $render(r)?)]),
        }
    };
}

/// Every result file of a completed run besides data_issues.csv (which is
/// written first, whatever happens next), in the order they are written.
pub const OUTPUTS: [Output; 10] = [
    one_file!("findings.csv", |r: &Report<'_>| Ok::<_, Error>(
        findings_csv(&r.audit.findings)
    )),
    one_file!("links.csv", |r: &Report<'_>| Ok::<_, Error>(links::csv(
        &r.audit.links,
        r.run.mask
    ))),
    one_file!("control_sample.csv", |r: &Report<'_>| Ok::<_, Error>(
        control::csv(&r.audit.control, r.run.mask)
    )),
    one_file!("affected.csv", |r: &Report<'_>| Ok::<_, Error>(
        affected::csv(&r.audit.affected, r.run.mask)
    )),
    one_file!("stats.json", |r: &Report<'_>| Ok::<_, Error>(json(
        &r.audit.stats
    ))),
    one_file!("manifest.json", |r: &Report<'_>| Ok::<_, Error>(
        manifest::render(r)
    )),
    Output {
        name: "annual.json and annual.md",
        files: || vec![PathBuf::from("annual.json"), PathBuf::from("annual.md")],
        render: |r| {
            let annual = annual::render(r);
            Ok(vec![
                (PathBuf::from("annual.json"), annual.json),
                (PathBuf::from("annual.md"), annual.markdown),
            ])
        },
    },
    Output {
        name: "charts/",
        files: charts::files,
        render: charts::render,
    },
    one_file!("report.html", html::render),
    one_file!("exceptions.xlsx", xlsx::render),
];

/// Renders every output and writes it into `out`, in table order; the
/// first failure stops the writing (earlier files stay whole). When all are
/// written, the note of an earlier failed run ([`STALE_NOTE`]) is removed.
pub fn write_all(out: &Path, report: &Report<'_>) -> Result<()> {
    for output in &OUTPUTS {
        for (path, bytes) in (output.render)(report)? {
            let is_csv = path.extension().is_some_and(|e| e == "csv");
            let bytes = if report.run.excel_csv && is_csv {
                excel_csv(&bytes)
            } else {
                bytes
            };
            write_atomic(&out.join(path), &bytes)?;
        }
    }
    let note = out.join(STALE_NOTE);
    match std::fs::remove_file(&note) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(Error::Output { path: note, source }),
    }
}

/// The note a failed run leaves in the output folder when earlier results
/// are there: they are kept (a filled-in exceptions.xlsx above all) but are
/// not this run's.
pub const STALE_NOTE: &str = "STALE.txt";

/// The result files of a run, relative to the output folder.
pub fn result_files() -> Vec<PathBuf> {
    OUTPUTS.iter().flat_map(|o| (o.files)()).collect()
}

/// A CSV file as Excel opens it by a double click on a Dutch (or other
/// decimal-comma) system: `;` between cells and a UTF-8 byte order mark,
/// without which Excel reads the text as Windows-1252. The cells are the
/// same (`--excel-csv`; without it the files stay `,`-delimited without a
/// BOM, as the output contract has them).
pub fn excel_csv(bytes: &[u8]) -> Vec<u8> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        // Our own CSV, read from memory: it cannot fail to parse or write.
        for record in r.records().flatten() {
            let _ = w.write_record(&record);
        }
        let _ = w.flush();
    }
    out
}

/// A value as pretty JSON with a final newline.
fn json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    // Serialising plain structs of numbers and strings cannot fail.
    let mut bytes = serde_json::to_vec_pretty(value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

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

/// After a failed run: marks the result files of an earlier run in `dir`
/// as not current by writing [`STALE_NOTE`] beside them, saying why
/// (`reason`) and when. Nothing is deleted: a failed run must never destroy
/// a reviewed workbook. Returns the note's path, or `None` when `dir` holds
/// no earlier results.
pub fn mark_stale(dir: &Path, reason: &str) -> Result<Option<PathBuf>> {
    let earlier: Vec<String> = result_files()
        .into_iter()
        .filter(|f| dir.join(f).exists())
        .map(|f| f.display().to_string())
        .collect();
    if earlier.is_empty() {
        return Ok(None);
    }
    let when = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC");
    let text = format!(
        "NOT CURRENT: these results are from an earlier run.\n\n\
         The run of {when} into this folder stopped: {reason}\n\n\
         data_issues.csv is from that run. These files are from the last run \
         that completed and were left in place, not updated:\n{}\n\n\
         The next run that completes replaces them and removes this note.\n",
        earlier
            .iter()
            .map(|f| format!("  {f}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let path = dir.join(STALE_NOTE);
    write_atomic(&path, text.as_bytes())?;
    Ok(Some(path))
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
                    .map(|a| a.to_string())
                    .unwrap_or_default(),
                f.employee_id
                    .as_ref()
                    .map(|e| e.to_string())
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
