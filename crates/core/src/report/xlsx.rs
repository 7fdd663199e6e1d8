//! exceptions.xlsx (spec 6, issue 5): the exception list for housing
//! managers. A Summary sheet, then one sheet per check family with the
//! columns of findings.csv and review columns (status with a dropdown,
//! reviewer, note), and with `--reviews` what became of last quarter's
//! reviews.
//!
//! Every text from the data is written as a string, never as a formula, and
//! with the inert-output rule of spec 6 ([`crate::text::inert`]). The creation
//! date is fixed, so the same findings give a byte-identical workbook.

use rust_xlsxwriter::{
    DataValidation, DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet,
    XlsxError,
};

use std::collections::BTreeSet;

use super::Report;
use crate::analysis::carry::{CarryOver, Outside};
use crate::analysis::cases::Case;
use crate::analysis::control::{sample_id, ControlSample};
use crate::checks::{CheckCode, Family, Finding, Severity};
use crate::config::ConfigSource;
use crate::error::{Error, Result};
use crate::issues::Issues;
use crate::period::Period;
use crate::privacy::pseudonym::Mask;
use crate::read::reviews::{Review, Reviews, Since, Status, CASE_ID, SAMPLE_CHECK, SAMPLE_ID};
use crate::read::SourceInfo;

/// Excel's last row index is 1,048,575; row 0 is the header, and one row is
/// kept for the note that the rest is in findings.csv.
const MAX_DATA_ROWS: usize = 1_048_574;

pub use crate::read::reviews::{GONE_SHEET, OUTSIDE_SHEET};

/// The sheet of the seekers who lost a home (spec 4.2).
pub const AFFECTED_SHEET: &str = crate::read::reviews::PLAIN_SHEETS[1];

/// The sheet of the control sample (spec 4.3).
pub const CONTROL_SHEET: &str = "Control sample";

/// What the workbook is made of: the parts of the report it shows.
struct WorkbookInput<'a> {
    /// The audit period.
    pub period: &'a Period,
    /// The day of the run, for the review history of the next quarter.
    pub run_date: crate::model::Date,
    /// Whether `--lenient` was given.
    pub lenient: bool,
    /// Where the config came from.
    pub config_source: &'a ConfigSource,
    /// The input files read.
    pub sources: &'a [SourceInfo],
    /// Data issues and row counts.
    pub issues: &'a Issues,
    /// The findings, sorted as in findings.csv.
    pub findings: &'a [Finding],
    /// Their ids and the control sample's, and with `--reviews` those of
    /// the earlier findings outside the period: the listed findings not
    /// among them are gone.
    pub ids: BTreeSet<String>,
    /// Where last quarter's findings are now, with `--reviews`.
    pub carry: Option<&'a CarryOver>,
    /// The findings grouped by subject.
    pub cases: Vec<Case<'a>>,
    /// The control sample.
    pub control: &'a ControlSample<'a>,
    /// The seekers who lost a home.
    pub affected: &'a crate::analysis::Affected<'a>,
    /// Last quarter's reviews, with `--reviews`.
    pub reviews: Option<&'a Reviews>,
    /// Pseudonymises personal values with `--pseudonymise`.
    pub mask: &'a Mask,
}

/// The sheet of cases: the findings grouped by subject.
pub const CASES_SHEET: &str = "Cases";

/// The sheet that says what each check looks for and what to look at.
pub const CHECKS_SHEET: &str = crate::read::reviews::PLAIN_SHEETS[2];

/// Renders exceptions.xlsx to bytes.
pub fn render(report: &Report<'_>) -> Result<Vec<u8>> {
    let (audit, run) = (report.audit, report.run);
    let w = WorkbookInput {
        period: audit.period(),
        run_date: run.run_date,
        lenient: run.lenient,
        config_source: run.config_source,
        sources: run.sources,
        issues: run.issues,
        findings: &audit.findings,
        ids: match run.carry {
            Some(c) => c.kept.clone(),
            None => audit
                .findings
                .iter()
                .map(Finding::id)
                .chain(audit.control.ids())
                .collect(),
        },
        carry: run.carry,
        cases: crate::analysis::cases::cases(&audit.findings, audit.data()),
        control: &audit.control,
        affected: &audit.affected,
        reviews: run.reviews,
        mask: run.mask,
    };
    build(&w).map_err(|e| Error::Output {
        path: std::path::PathBuf::from("exceptions.xlsx"),
        source: std::io::Error::other(e.to_string()),
    })
}

struct Formats {
    header: Format,
    bold: Format,
    wrap: Format,
    plain: Format,
    /// A severity: stored as 1, 2 or 3 so that sorting gives high,
    /// medium, low, and shown as its word with a symbol.
    severity: Format,
    /// The same, bold (a high severity).
    severity_bold: Format,
}

/// The number format that shows a severity's number as its label.
const SEVERITY_FORMAT: &str = "[=1]\"!! high\";[=2]\"! medium\";\"low\"";

/// A severity as the number the workbook stores (see [`SEVERITY_FORMAT`]).
fn severity_number(s: Severity) -> f64 {
    match s {
        Severity::High => 1.0,
        Severity::Medium => 2.0,
        Severity::Low => 3.0,
    }
}

/// Writes a severity that sorts high, medium, low.
fn severity_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    s: Severity,
    f: &Formats,
) -> Result<(), XlsxError> {
    let format = if s == Severity::High {
        &f.severity_bold
    } else {
        &f.severity
    };
    ws.write_number_with_format(row, col, severity_number(s), format)?;
    Ok(())
}

/// Writes text from the data: as a string, inert (spec 6); empty text is
/// left a blank cell.
fn text(ws: &mut Worksheet, row: u32, col: u16, s: &str, f: &Format) -> Result<(), XlsxError> {
    if !s.is_empty() {
        ws.write_string_with_format(row, col, super::inert(s).as_ref(), f)?;
    }
    Ok(())
}

fn number(ws: &mut Worksheet, row: u32, col: u16, n: usize) -> Result<(), XlsxError> {
    ws.write_number(row, col, n as f64)?;
    Ok(())
}

fn header(
    ws: &mut Worksheet,
    columns: &[(&str, f64)],
    rows: usize,
    f: &Formats,
) -> Result<(), XlsxError> {
    for (i, (name, width)) in columns.iter().enumerate() {
        let col = i as u16;
        ws.write_string_with_format(0, col, *name, &f.header)?;
        ws.set_column_width(col, *width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let last_col = columns.len().saturating_sub(1) as u16;
    ws.autofilter(0, 0, rows.max(1) as u32, last_col)?;
    Ok(())
}

fn status_dropdown(ws: &mut Worksheet, col: u16, rows: usize) -> Result<(), XlsxError> {
    if rows == 0 {
        return Ok(());
    }
    let list: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
    let v = DataValidation::new()
        .allow_list_strings(&list)?
        .ignore_blank(true)
        .set_error_message("Choose open, explained, false positive or escalated.")?;
    ws.add_data_validation(1, col, rows as u32, col, &v)?;
    Ok(())
}

fn build(w: &WorkbookInput<'_>) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    // A fixed creation date: the same findings give the same bytes.
    let created = ExcelDateTime::from_ymd(2026, 1, 1)?;
    book.set_properties(
        &DocProperties::new()
            .set_title("woonaudit exception list")
            .set_creation_datetime(&created),
    );
    let f = Formats {
        header: Format::new()
            .set_bold()
            .set_background_color(0xE0E0E0)
            .set_text_wrap(),
        bold: Format::new().set_bold(),
        wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
        plain: Format::new().set_align(FormatAlign::Top),
        severity: Format::new()
            .set_num_format(SEVERITY_FORMAT)
            .set_align(FormatAlign::Top)
            .set_align(FormatAlign::Left),
        severity_bold: Format::new()
            .set_num_format(SEVERITY_FORMAT)
            .set_bold()
            .set_align(FormatAlign::Top)
            .set_align(FormatAlign::Left),
    };

    summary(book.add_worksheet(), w, &f)?;
    let ws = book.add_worksheet();
    ws.set_name(CASES_SHEET)?;
    cases_sheet(ws, &w.cases, w.reviews, w.mask, &f)?;
    for family in Family::ALL {
        let rows: Vec<&Finding> = w
            .findings
            .iter()
            .filter(|x| x.check.family() == family)
            .collect();
        let ws = book.add_worksheet();
        ws.set_name(family.name())?;
        family_sheet(ws, &rows, w.reviews, w.mask, &f)?;
    }
    control_sheet(book.add_worksheet(), w.control, w.reviews, w.mask, &f)?;
    affected_sheet(book.add_worksheet(), w.affected, w.mask, &f)?;
    checks_sheet(book.add_worksheet(), &f)?;
    if let Some(reviews) = w.reviews {
        let ws = book.add_worksheet();
        ws.set_name(OUTSIDE_SHEET)?;
        let outside = w.carry.map_or(&[][..], |c| &c.outside[..]);
        outside_sheet(ws, outside, reviews, w.mask, &f)?;
        let ws = book.add_worksheet();
        ws.set_name(GONE_SHEET)?;
        gone_sheet(ws, reviews, &w.ids, w.mask, &f)?;
    }
    book.save_to_buffer()
}

/// The Summary sheet: the facts of the run, the findings per check, the
/// input files and, with `--reviews`, what became of the reviews.
fn summary(ws: &mut Worksheet, w: &WorkbookInput<'_>, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Summary")?;
    ws.set_column_width(0, 34)?;
    ws.set_column_width(1, 22)?;
    ws.set_column_width(2, 66)?;
    for c in 3..6 {
        ws.set_column_width(c, 10)?;
    }
    ws.write_string_with_format(0, 0, "woonaudit exception list", &f.bold)?;
    // Each area returns the row after its last; a blank row separates them.
    let row = run_facts(ws, 1, w, f)?;
    let row = check_counts(ws, row + 1, w.findings, f)?;
    let row = input_table(ws, row + 1, w, f)?;
    if let Some(r) = w.reviews {
        review_counts(ws, row + 1, w, r, f)?;
    }
    Ok(())
}

/// Summary, from `row`: the period, mode, config, version, data issues
/// and how to read and review the sheets, one label and value a row.
fn run_facts(
    ws: &mut Worksheet,
    mut row: u32,
    w: &WorkbookInput<'_>,
    f: &Formats,
) -> Result<u32, XlsxError> {
    let facts = [
        ("Period", w.period.to_string()),
        (crate::read::reviews::RUN_DATE_LABEL, w.run_date.to_string()),
        (
            "Mode",
            if w.lenient { "lenient" } else { "strict" }.to_string(),
        ),
        (
            "Config",
            match w.config_source {
                ConfigSource::Defaults => "defaults (no config file)".to_string(),
                ConfigSource::File(p) => p.display().to_string(),
            },
        ),
        ("woonaudit", env!("CARGO_PKG_VERSION").to_string()),
        (
            "Data issues",
            format!(
                "{} error(s), {} warning(s): see data_issues.csv",
                w.issues.errors(),
                w.issues.warnings()
            ),
        ),
        (
            "Severity",
            "!! high: look first; ! medium: look soon; low: for the register".to_string(),
        ),
        (
            "Review",
            "Start on the Cases sheet: one row per allocation, sale, applicant or employee with all its findings; a status, reviewer and note set there apply to each finding of the case that has none of its own. Set them per finding on the family sheets, and on the Control sample sheet (lets that raised nothing, for a file review). The Checks sheet says what each check looks for and what to look at. A flag is a reason to look, not a verdict.".to_string(),
        ),
    ];
    for (label, value) in facts {
        ws.write_string_with_format(row, 0, label, &f.bold)?;
        text(ws, row, 1, &value, &f.plain)?;
        row += 1;
    }
    Ok(row)
}

/// Summary, from `row`: each implemented check's findings by severity,
/// with its sheet, and a row of all checks.
fn check_counts(
    ws: &mut Worksheet,
    mut row: u32,
    findings: &[Finding],
    f: &Formats,
) -> Result<u32, XlsxError> {
    for (i, h) in ["check", "sheet", "", "high", "medium", "low", "total"]
        .iter()
        .enumerate()
    {
        if !h.is_empty() {
            ws.write_string_with_format(row, i as u16, *h, &f.header)?;
        }
    }
    row += 1;
    let mut totals = [0usize; 4];
    for code in CheckCode::IMPLEMENTED {
        let of = |s: Severity| {
            findings
                .iter()
                .filter(|x| x.check == code && x.severity == s)
                .count()
        };
        let counts = [of(Severity::High), of(Severity::Medium), of(Severity::Low)];
        let all: usize = counts.iter().sum();
        ws.write_string(row, 0, code.as_str())?;
        ws.write_string(row, 1, code.family().name())?;
        for (i, n) in counts.iter().chain([&all]).enumerate() {
            number(ws, row, 3 + i as u16, *n)?;
            totals[i] += n;
        }
        row += 1;
    }
    ws.write_string_with_format(row, 0, "all checks", &f.bold)?;
    for (i, n) in totals.iter().enumerate() {
        number(ws, row, 3 + i as u16, *n)?;
    }
    Ok(row + 1)
}

/// Summary, from `row`: the input files read, with hash and row counts.
fn input_table(
    ws: &mut Worksheet,
    mut row: u32,
    w: &WorkbookInput<'_>,
    f: &Formats,
) -> Result<u32, XlsxError> {
    for (i, h) in [
        "input table",
        "file",
        "SHA-256",
        "rows read",
        "used",
        "set aside",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(row, i as u16, *h, &f.header)?;
    }
    row += 1;
    for s in w.sources {
        let counts = w.issues.counts.get(&s.table).copied().unwrap_or_default();
        ws.write_string(row, 0, s.table.name())?;
        text(ws, row, 1, &s.file, &f.plain)?;
        ws.write_string(row, 2, &s.sha256)?;
        ws.write_number(row, 3, counts.read as f64)?;
        ws.write_number(row, 4, counts.used as f64)?;
        ws.write_number(row, 5, counts.set_aside as f64)?;
        row += 1;
    }
    Ok(row)
}

/// Summary, from `row`, with `--reviews`: where the reviews came from and
/// how this run's findings stand against them (new, listed before,
/// reviewed, by status), and how many reviewed findings are gone.
fn review_counts(
    ws: &mut Worksheet,
    mut row: u32,
    w: &WorkbookInput<'_>,
    r: &Reviews,
    f: &Formats,
) -> Result<u32, XlsxError> {
    ws.write_string_with_format(row, 0, "Reviews carried over from", &f.bold)?;
    text(ws, row, 1, &r.path.display().to_string(), &f.plain)?;
    row += 1;
    let ids: Vec<String> = w.findings.iter().map(Finding::id).collect();
    let count = |s: Since| ids.iter().filter(|id| r.since(id) == s).count();
    let gone = r.gone(&w.ids);
    let outside = w.carry.map_or(0, |c| c.outside.len());
    let mut lines = vec![
        ("new findings".to_string(), count(Since::New)),
        (
            "listed before, not reviewed".to_string(),
            count(Since::NotReviewed),
        ),
        ("reviewed before".to_string(), count(Since::Reviewed)),
    ];
    for s in Status::ALL {
        let n = ids
            .iter()
            .filter(|id| r.by_id.get(*id).is_some_and(|x| x.status == s))
            .count();
        lines.push((format!("  of which {}", s.as_str()), n));
    }
    lines.push((
        format!("earlier findings outside this period ({OUTSIDE_SHEET})"),
        outside,
    ));
    lines.push((
        format!("earlier findings no longer found ({GONE_SHEET})"),
        gone.len(),
    ));
    lines.push((
        "  of which reviewed".to_string(),
        gone.iter().filter(|g| g.review.is_some()).count(),
    ));
    for (label, n) in lines {
        ws.write_string(row, 0, &label)?;
        number(ws, row, 3, n)?;
        row += 1;
    }
    Ok(row)
}

/// The columns of a family sheet with their widths: those of
/// findings.csv, with `--reviews` "since last review", the review
/// columns, with `--reviews` the review history; and the index of the
/// status column.
fn family_columns(reviewed: bool) -> (Vec<(&'static str, f64)>, u16) {
    let mut columns: Vec<(&str, f64)> = vec![
        ("finding_id", 18.0),
        ("check", 24.0),
        ("severity", 10.0),
        ("subject_type", 11.0),
        ("subject_id", 16.0),
        ("applicant_id", 14.0),
        ("employee_id", 12.0),
        ("link", 16.0),
        ("detail", 70.0),
    ];
    if reviewed {
        columns.push(("since last review", 16.0));
    }
    let status_col = columns.len() as u16;
    columns.extend([("status", 15.0), ("reviewer", 16.0), ("note", 40.0)]);
    if reviewed {
        columns.push(("review history", 50.0));
    }
    (columns, status_col)
}

/// One check family's sheet: a row per finding (up to [`MAX_DATA_ROWS`],
/// then a note), with empty review columns to fill in, or last quarter's
/// review of the finding with `--reviews`.
fn family_sheet(
    ws: &mut Worksheet,
    rows: &[&Finding],
    reviews: Option<&Reviews>,
    mask: &Mask,
    f: &Formats,
) -> Result<(), XlsxError> {
    let (columns, status_col) = family_columns(reviews.is_some());
    let shown = rows.len().min(MAX_DATA_ROWS);
    header(ws, &columns, shown, f)?;
    status_dropdown(ws, status_col, shown)?;
    let source = reviews.map(Reviews::source_name).unwrap_or_default();
    for (i, x) in rows.iter().take(shown).enumerate() {
        let row = i as u32 + 1;
        let id = x.id();
        finding_cells(ws, row, x, &id, mask, f)?;
        if let Some(r) = reviews {
            ws.write_string_with_format(row, 9, r.since(&id).as_str(), &f.plain)?;
            if let Some(review) = r.by_id.get(&id) {
                review_cells(ws, row, status_col, review, &source, mask, f)?;
            }
        }
    }
    if rows.len() > shown {
        let note = format!(
            "{} more finding(s) do not fit on this sheet: see findings.csv.",
            rows.len() - shown
        );
        ws.write_string_with_format(shown as u32 + 1, 0, &note, &f.bold)?;
    }
    Ok(())
}

/// The findings.csv columns of one finding (`id` is its finding id), on
/// `row` of a family sheet; a high severity in bold.
fn finding_cells(
    ws: &mut Worksheet,
    row: u32,
    x: &Finding,
    id: &str,
    mask: &Mask,
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.write_string_with_format(row, 0, mask.finding_id(id), &f.plain)?;
    ws.write_string_with_format(row, 1, x.check.as_str(), &f.plain)?;
    severity_cell(ws, row, 2, x.severity, f)?;
    ws.write_string_with_format(row, 3, x.subject_type.as_str(), &f.plain)?;
    let subject = mask.subject(x.subject_type, &x.subject_id);
    text(ws, row, 4, &subject, &f.plain)?;
    let applicant = x.applicant_id.as_ref().map_or("", |a| a.as_str());
    text(ws, row, 5, &mask.value(applicant), &f.plain)?;
    let employee = x.employee_id.as_ref().map_or("", |e| e.as_str());
    text(ws, row, 6, &mask.value(employee), &f.plain)?;
    text(ws, row, 7, x.link.map_or("", |k| k.as_str()), &f.plain)?;
    text(ws, row, 8, &mask.text(&x.detail), &f.wrap)?;
    Ok(())
}

/// Last quarter's review of a finding, carried over into the review
/// columns from `status_col` on: status, reviewer, note and the review
/// history (the earlier entries, then this review tagged with `source`,
/// the reviews file's name).
fn review_cells(
    ws: &mut Worksheet,
    row: u32,
    status_col: u16,
    review: &Review,
    source: &str,
    mask: &Mask,
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.write_string_with_format(row, status_col, review.status.as_str(), &f.plain)?;
    text(
        ws,
        row,
        status_col + 1,
        &mask.text(&review.reviewer),
        &f.plain,
    )?;
    text(ws, row, status_col + 2, &mask.text(&review.note), &f.wrap)?;
    text(
        ws,
        row,
        status_col + 3,
        &mask.text(&review.history_with(source)),
        &f.wrap,
    )?;
    Ok(())
}

/// The control sample sheet: `sample_id`, the columns of
/// control_sample.csv, and the review columns of a family sheet.
fn control_sheet(
    ws: &mut Worksheet,
    sample: &ControlSample<'_>,
    reviews: Option<&Reviews>,
    mask: &Mask,
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name(CONTROL_SHEET)?;
    let mut columns: Vec<(&str, f64)> = vec![(SAMPLE_ID, 18.0)];
    let widths = [16.0, 14.0, 14.0, 11.0, 12.0, 12.0, 12.0];
    columns.extend(super::control::COLUMNS.iter().copied().zip(widths));
    if reviews.is_some() {
        columns.push(("since last review", 16.0));
    }
    let status_col = columns.len() as u16;
    columns.extend([("status", 15.0), ("reviewer", 16.0), ("note", 40.0)]);
    if reviews.is_some() {
        columns.push(("review history", 50.0));
    }
    // The sample is small (about control_sample_size rows): it always fits.
    let shown = sample.rows.len().min(MAX_DATA_ROWS);
    header(ws, &columns, shown, f)?;
    status_dropdown(ws, status_col, shown)?;
    let source = reviews.map(Reviews::source_name).unwrap_or_default();
    for (i, a) in sample.rows.iter().take(shown).enumerate() {
        let row = i as u32 + 1;
        let id = sample_id(a.id.as_str());
        ws.write_string_with_format(row, 0, &id, &f.plain)?;
        for (c, cell) in super::control::cells(a, mask).iter().enumerate() {
            text(ws, row, 1 + c as u16, cell, &f.plain)?;
        }
        if let Some(r) = reviews {
            ws.write_string_with_format(row, status_col - 1, r.since(&id).as_str(), &f.plain)?;
            if let Some(review) = r.by_id.get(&id) {
                review_cells(ws, row, status_col, review, &source, mask, f)?;
            }
        }
    }
    Ok(())
}

/// The sheet of the seekers who lost a home: the rows of affected.csv in
/// its order (no review columns: the findings behind them are reviewed on
/// their family sheets).
fn affected_sheet(
    ws: &mut Worksheet,
    affected: &crate::analysis::Affected<'_>,
    mask: &Mask,
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name(AFFECTED_SHEET)?;
    let widths = [16.0, 16.0, 14.0, 14.0, 11.0, 7.0, 11.0, 80.0];
    let columns: Vec<(&str, f64)> = super::affected::COLUMNS
        .iter()
        .copied()
        .zip(widths)
        .collect();
    let shown = affected.rows.len().min(MAX_DATA_ROWS);
    header(ws, &columns, shown, f)?;
    for (i, r) in affected.rows.iter().take(shown).enumerate() {
        let row = i as u32 + 1;
        for (c, cell) in super::affected::cells(r, mask).iter().enumerate() {
            let format = if c == 7 { &f.wrap } else { &f.plain };
            text(ws, row, c as u16, cell, format)?;
        }
    }
    Ok(())
}

/// The sheet of earlier findings outside this run's period: each with its
/// row as the checks still make it at its own date, and its review carried
/// over, so nothing reviewed or still to review drops out of sight when the
/// period changes.
fn outside_sheet(
    ws: &mut Worksheet,
    outside: &[Outside],
    reviews: &Reviews,
    mask: &Mask,
    f: &Formats,
) -> Result<(), XlsxError> {
    let (columns, status_col) = family_columns(true);
    let shown = outside.len().min(MAX_DATA_ROWS);
    header(ws, &columns, shown, f)?;
    status_dropdown(ws, status_col, shown)?;
    let source = reviews.source_name();
    for (i, o) in outside.iter().take(shown).enumerate() {
        let row = i as u32 + 1;
        let id = o.id();
        match o {
            Outside::Finding(x) => finding_cells(ws, row, x, &id, mask, f)?,
            Outside::ControlLet {
                allocation_id,
                allocated_on,
                ..
            } => {
                ws.write_string_with_format(row, 0, mask.finding_id(&id), &f.plain)?;
                ws.write_string_with_format(row, 1, SAMPLE_CHECK, &f.plain)?;
                ws.write_string_with_format(row, 3, "allocation", &f.plain)?;
                text(ws, row, 4, &mask.text(allocation_id), &f.plain)?;
                let detail = format!("Let of {allocated_on}, drawn for an earlier control sample.");
                text(ws, row, 8, &detail, &f.wrap)?;
            }
        }
        ws.write_string_with_format(row, 9, reviews.since(&id).as_str(), &f.plain)?;
        if let Some(review) = reviews.by_id.get(&id) {
            review_cells(ws, row, status_col, review, &source, mask, f)?;
        }
    }
    Ok(())
}

/// The sheet of earlier findings this run no longer finds in its period,
/// reviewed or not, with what the review file said about them.
fn gone_sheet(
    ws: &mut Worksheet,
    reviews: &Reviews,
    current: &BTreeSet<String>,
    mask: &Mask,
    f: &Formats,
) -> Result<(), XlsxError> {
    let columns: [(&str, f64); 8] = [
        ("finding_id", 18.0),
        ("check", 24.0),
        ("subject_id", 16.0),
        ("detail", 60.0),
        ("status", 15.0),
        ("reviewer", 16.0),
        ("note", 40.0),
        ("review history", 50.0),
    ];
    let gone = reviews.gone(current);
    let shown = gone.len().min(MAX_DATA_ROWS);
    header(ws, &columns, shown, f)?;
    status_dropdown(ws, 4, shown)?;
    let source = reviews.source_name();
    for (i, g) in gone.iter().take(shown).enumerate() {
        let row = i as u32 + 1;
        text(ws, row, 0, &mask.finding_id(g.finding_id), &f.plain)?;
        text(ws, row, 1, &g.listed.check, &f.plain)?;
        text(ws, row, 2, &mask.text(&g.listed.subject_id), &f.plain)?;
        text(ws, row, 3, &mask.text(&g.listed.detail), &f.wrap)?;
        match g.review {
            Some(r) => {
                ws.write_string_with_format(row, 4, r.status.as_str(), &f.plain)?;
                text(ws, row, 5, &mask.text(&r.reviewer), &f.plain)?;
                text(ws, row, 6, &mask.text(&r.note), &f.wrap)?;
                text(ws, row, 7, &mask.text(&r.history_with(&source)), &f.wrap)?;
            }
            None => text(ws, row, 7, &mask.text(&g.listed.history), &f.wrap)?,
        }
    }
    if gone.len() > shown {
        let note = format!("{} more gone finding(s) not listed.", gone.len() - shown);
        ws.write_string_with_format(shown as u32 + 1, 0, &note, &f.bold)?;
    }
    Ok(())
}

/// The Cases sheet: one row per subject with findings, most severe and
/// largest first, with what to check next and review columns whose review
/// applies to the case's findings without one of their own.
fn cases_sheet(
    ws: &mut Worksheet,
    cases: &[Case<'_>],
    reviews: Option<&Reviews>,
    mask: &Mask,
    f: &Formats,
) -> Result<(), XlsxError> {
    let columns: [(&str, f64); 13] = [
        (CASE_ID, 18.0),
        ("subject_type", 11.0),
        ("subject_id", 16.0),
        ("severity", 10.0),
        ("checks", 30.0),
        ("findings", 9.0),
        ("tenant", 14.0),
        ("employee", 12.0),
        ("summary", 50.0),
        ("what to check next", 60.0),
        ("status", 15.0),
        ("reviewer", 16.0),
        ("note", 40.0),
    ];
    let shown = cases.len().min(MAX_DATA_ROWS);
    header(ws, &columns, shown, f)?;
    status_dropdown(ws, 10, shown)?;
    for (i, c) in cases.iter().take(shown).enumerate() {
        let row = i as u32 + 1;
        ws.write_string_with_format(row, 0, mask.finding_id(&c.id), &f.plain)?;
        ws.write_string_with_format(row, 1, c.subject_type.as_str(), &f.plain)?;
        text(
            ws,
            row,
            2,
            &mask.subject(c.subject_type, c.subject_id),
            &f.plain,
        )?;
        severity_cell(ws, row, 3, c.severity, f)?;
        let checks: Vec<&str> = c.checks.iter().map(|(k, _)| k.as_str()).collect();
        ws.write_string_with_format(row, 4, checks.join(", "), &f.wrap)?;
        number(ws, row, 5, c.findings.len())?;
        text(
            ws,
            row,
            6,
            &mask.value(c.applicant.map_or("", |a| a.as_str())),
            &f.plain,
        )?;
        text(
            ws,
            row,
            7,
            &mask.value(c.employee.map_or("", |e| e.as_str())),
            &f.plain,
        )?;
        ws.write_string_with_format(row, 8, c.summary(), &f.wrap)?;
        ws.write_string_with_format(row, 9, c.next_step(), &f.wrap)?;
        if let Some(r) = reviews.and_then(|r| r.cases.get(&c.id)) {
            ws.write_string_with_format(row, 10, r.status.as_str(), &f.plain)?;
            text(ws, row, 11, &mask.text(&r.reviewer), &f.plain)?;
            text(ws, row, 12, &mask.text(&r.note), &f.wrap)?;
        }
    }
    Ok(())
}

/// The Checks sheet: every check with its sheet, severity rule in words,
/// what it looks for and what to look at.
fn checks_sheet(ws: &mut Worksheet, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name(CHECKS_SHEET)?;
    let columns: [(&str, f64); 5] = [
        ("check", 26.0),
        ("sheet", 12.0),
        ("title", 30.0),
        ("what it looks for", 70.0),
        ("what to look at", 70.0),
    ];
    header(ws, &columns, CheckCode::IMPLEMENTED.len(), f)?;
    for (i, code) in CheckCode::IMPLEMENTED.iter().enumerate() {
        let row = i as u32 + 1;
        let info = code.info();
        ws.write_string_with_format(row, 0, code.as_str(), &f.plain)?;
        ws.write_string_with_format(row, 1, code.family().name(), &f.plain)?;
        ws.write_string_with_format(row, 2, info.title, &f.wrap)?;
        ws.write_string_with_format(row, 3, info.description, &f.wrap)?;
        ws.write_string_with_format(row, 4, crate::analysis::cases::look_at(*code), &f.wrap)?;
    }
    Ok(())
}
