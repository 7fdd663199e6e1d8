//! `run --reviews FILE` (spec 6.1, issues 5 and 14): the reviews of last
//! quarter's exception list carry over to this run.
//!
//! The file is last quarter's filled-in `exceptions.xlsx` (every sheet with a
//! `finding_id` header is read, "Outside this period" and "Gone since last
//! review" too, so a review is never lost; the "Control sample" sheet,
//! keyed by `sample_id`; the "Cases" sheet, keyed by `case_id`, whose
//! reviews stand for the findings of their case) or a CSV with the columns
//! `finding_id, status, reviewer, note` (`sample_id` may stand for
//! `finding_id`), delimited by `,` or `;`, UTF-8 or Windows-1252. Columns
//! are found by their header name; other columns are ignored except
//! `check`, `subject_id`, `detail` and `review history`, which keep a gone
//! finding recognisable. What cannot be matched to findings (a sheet
//! without its key column, pseudonymised ids) is collected in
//! [`Reviews::unmatched`] for the caller to refuse, and sheets without
//! reviews in [`Reviews::ignored`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The key column of the control sample sheet of exceptions.xlsx: read as
/// finding_id is (spec 4.3; the ids cannot collide in practice, being
/// SHA-256 prefixes of different texts).
pub const SAMPLE_ID: &str = "sample_id";

/// What a control-sample review shows as its check once its let has left
/// the sample (on the "Gone since last review" sheet).
pub const SAMPLE_CHECK: &str = "control sample";

/// What a reviewer decided about a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Still to be looked at, or being looked at.
    Open,
    /// There is an innocent explanation.
    Explained,
    /// The records were wrong or the check misfired.
    FalsePositive,
    /// Passed on for further investigation.
    Escalated,
}

impl Status {
    /// Every status, in the order of the workbook's dropdown.
    pub const ALL: [Status; 4] = [
        Status::Open,
        Status::Explained,
        Status::FalsePositive,
        Status::Escalated,
    ];

    /// The spelling in the workbook's dropdown.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Explained => "explained",
            Status::FalsePositive => "false positive",
            Status::Escalated => "escalated",
        }
    }

    /// Parses a status, ignoring case and surrounding space; `_` and `-`
    /// may stand for the space of "false positive".
    pub fn parse(s: &str) -> Option<Status> {
        let norm = s.trim().to_lowercase().replace(['_', '-'], " ");
        Status::ALL.into_iter().find(|v| v.as_str() == norm)
    }
}

/// One review read from the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Review {
    /// The finding reviewed.
    pub finding_id: String,
    /// The decision.
    pub status: Status,
    /// Who reviewed it.
    pub reviewer: String,
    /// Why.
    pub note: String,
    /// The finding's check, when the file has it.
    pub check: String,
    /// The finding's subject, when the file has it.
    pub subject_id: String,
    /// The finding's evidence, when the file has it.
    pub detail: String,
    /// Earlier reviews, as the file's "review history" column holds them.
    pub history: String,
}

impl Review {
    /// The review history including this review: the earlier entries, then
    /// this one, tagged with the file it came from.
    pub fn history_with(&self, source: &str) -> String {
        let mut body = self.status.as_str().to_string();
        if !self.reviewer.is_empty() {
            body.push_str(&format!(" by {}", self.reviewer));
        }
        if !self.note.is_empty() {
            body.push_str(&format!(" ({})", self.note));
        }
        if self.history.is_empty() {
            format!("{source}: {body}")
        } else if self.history.ends_with(&format!(": {body}")) {
            // The same review, carried over unchanged: not a new entry.
            self.history.clone()
        } else {
            format!("{}; {source}: {body}", self.history)
        }
    }
}

/// A finding the file lists, reviewed or not: what keeps it recognisable
/// when it is no longer found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Listed {
    /// The finding's check, when the file has it.
    pub check: String,
    /// The finding's subject, when the file has it.
    pub subject_id: String,
    /// The finding's evidence, when the file has it.
    pub detail: String,
    /// The "review history" column, when the file has it.
    pub history: String,
    /// The sheet it is listed on (empty for a CSV file).
    pub sheet: String,
}

/// The reviews of a file.
#[derive(Clone, Debug, Default)]
pub struct Reviews {
    /// The file read.
    pub path: PathBuf,
    /// Every finding_id the file lists, reviewed or not.
    pub listed: BTreeMap<String, Listed>,
    /// The reviews, by finding_id.
    pub by_id: BTreeMap<String, Review>,
    /// The reviews of cases (the Cases sheet), by case_id: each applies to
    /// the findings of its case that have no review of their own.
    pub cases: BTreeMap<String, Review>,
    /// The day of the run the workbook came from (its Summary sheet's
    /// "Run on" row), when it names one.
    pub run_date: Option<String>,
    /// The period of the run the workbook came from (its Summary sheet's
    /// "Period"), when the file has one.
    pub period: Option<String>,
    /// Sheets read past because they hold no reviews (a sheet a manager
    /// added), one line each for the screen.
    pub ignored: Vec<String>,
    /// Parts of the file whose reviews cannot be matched to findings (a
    /// sheet without its finding_id column, pseudonymised ids), one line
    /// each: they stop the run unless `--force`.
    pub unmatched: Vec<String>,
}

/// How a current finding relates to the review file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Since {
    /// Not in last quarter's list.
    New,
    /// In last quarter's list, without a review.
    NotReviewed,
    /// Reviewed last quarter.
    Reviewed,
}

impl Since {
    /// The words shown in the workbook and report.
    pub fn as_str(self) -> &'static str {
        match self {
            Since::New => "new",
            Since::NotReviewed => "listed before, not reviewed",
            Since::Reviewed => "reviewed",
        }
    }
}

/// A finding the file lists that this run no longer finds, with its review
/// if it has one.
#[derive(Clone, Copy, Debug)]
pub struct Gone<'a> {
    /// The finding.
    pub finding_id: &'a str,
    /// What the file says about it.
    pub listed: &'a Listed,
    /// Its review, if any.
    pub review: Option<&'a Review>,
}

impl Reviews {
    /// The file's name, for the review history: with the day and the
    /// period of the run it came from when the workbook names them
    /// ("exceptions.xlsx, run on 2026-07-02 of 2026-04-01 to 2026-06-30").
    pub fn source_name(&self) -> String {
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.path.display().to_string());
        match (&self.run_date, &self.period) {
            (Some(d), Some(p)) => format!("{name}, run on {d} of {p}"),
            (Some(d), None) => format!("{name}, run on {d}"),
            (None, Some(p)) => format!("{name}, run of {p}"),
            (None, None) => name,
        }
    }

    /// Applies the reviews of cases to the findings of each case that have
    /// no review of their own (`case_of` gives a finding's case_id): they
    /// then read as reviewed, with the case's status, reviewer and note.
    pub fn apply_cases<'f, F>(&mut self, findings: impl IntoIterator<Item = (String, F)>)
    where
        F: AsRef<str> + 'f,
    {
        for (finding_id, case) in findings {
            if self.by_id.contains_key(&finding_id) {
                continue;
            }
            let Some(review) = self.cases.get(case.as_ref()) else {
                continue;
            };
            let mut r = review.clone();
            r.finding_id = finding_id.clone();
            self.by_id.insert(finding_id, r);
        }
    }

    /// How a finding relates to the file.
    pub fn since(&self, finding_id: &str) -> Since {
        if self.by_id.contains_key(finding_id) {
            Since::Reviewed
        } else if self.listed.contains_key(finding_id) {
            Since::NotReviewed
        } else {
            Since::New
        }
    }

    /// The listed findings that are not among `kept` (this run's findings
    /// and control sample, and the earlier findings outside its period),
    /// by finding_id: reviewed or not, none is dropped.
    pub fn gone<'a>(&'a self, kept: &BTreeSet<String>) -> Vec<Gone<'a>> {
        self.listed
            .iter()
            .filter(|(id, _)| !kept.contains(*id))
            .map(|(id, listed)| Gone {
                finding_id: id,
                listed,
                review: self.by_id.get(id),
            })
            .collect()
    }
}

/// The key column of the Cases sheet.
pub const CASE_ID: &str = "case_id";

/// The sheets woonaudit writes that hold no reviews: read past in silence.
pub const PLAIN_SHEETS: [&str; 3] = ["Summary", "Affected seekers", "Checks"];

/// The sheet of earlier findings that this run no longer finds.
pub const GONE_SHEET: &str = "Gone since last review";

/// The sheet of earlier findings outside this run's period.
pub const OUTSIDE_SHEET: &str = "Outside this period";

/// Whether `id` looks like a finding_id or sample_id woonaudit writes: 16
/// lower-case hex digits.
fn is_finding_id(id: &str) -> bool {
    id.len() == 16 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Whether `id` is a pseudonymised finding_id (`--pseudonymise`).
fn is_pseudonym(id: &str) -> bool {
    id.len() == 14
        && id.starts_with("P-")
        && id[2..]
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// How many rows of `path` (a workbook or CSV) hold a review entry: a
/// status, reviewer or note, on any sheet, whether or not the row still
/// has its finding_id. A workbook that cannot be read holds none that
/// woonaudit could carry over.
pub fn entries_in(path: &Path) -> usize {
    let tables = if is_xlsx(path) {
        read_xlsx(path).unwrap_or_default()
    } else {
        read_csv(path)
            .map(|t| vec![(String::new(), t)])
            .unwrap_or_default()
    };
    tables
        .iter()
        .map(|(_, rows)| {
            let Some((_, header)) = rows.first() else {
                return 0;
            };
            let cols: Vec<usize> = header
                .iter()
                .enumerate()
                .filter(|(_, h)| {
                    let h = h.trim().to_lowercase();
                    h == "status" || h == "reviewer" || h == "note"
                })
                .map(|(i, _)| i)
                .collect();
            rows.iter()
                .skip(1)
                .filter(|(_, cells)| {
                    cols.iter()
                        .any(|&c| cells.get(c).is_some_and(|v| !v.trim().is_empty()))
                })
                .count()
        })
        .sum()
}

fn is_xlsx(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

/// Reads a review file: `.xlsx` by calamine, anything else as CSV (`,` or
/// `;`, UTF-8 or Windows-1252, as the input tables).
pub fn load(path: &Path) -> Result<Reviews> {
    let mut reviews = Reviews {
        path: path.to_path_buf(),
        ..Reviews::default()
    };
    let mut origin: BTreeMap<String, String> = BTreeMap::new();
    let tables = if is_xlsx(path) {
        read_xlsx(path)?
    } else {
        vec![(String::new(), read_csv(path)?)]
    };
    for (sheet, rows) in tables {
        let Some((header_line, header)) = rows.first() else {
            continue;
        };
        let col = |name: &str| {
            header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        let named = |s: &str| {
            if sheet.is_empty() {
                String::new()
            } else {
                format!("sheet {s:?}: ")
            }
        };
        if sheet == PLAIN_SHEETS[0] {
            reviews.period = summary_value(&rows, "Period");
            reviews.run_date = summary_value(&rows, RUN_DATE_LABEL);
        }
        // The control sample sheet is keyed by sample_id instead, the Cases
        // sheet by case_id.
        let sample = col("finding_id").is_none() && col(SAMPLE_ID).is_some();
        let case =
            col("finding_id").is_none() && col(SAMPLE_ID).is_none() && col(CASE_ID).is_some();
        let (status_col, reviewer_col, note_col) = (col("status"), col("reviewer"), col("note"));
        let has_review_columns =
            status_col.is_some() || reviewer_col.is_some() || note_col.is_some();
        let Some(id_col) = col("finding_id")
            .or_else(|| col(SAMPLE_ID))
            .or_else(|| col(CASE_ID))
        else {
            if sheet.is_empty() {
                return Err(Error::input(
                    path,
                    "no finding_id column in the header: give the CSV the columns finding_id,status,reviewer,note",
                ));
            }
            if has_review_columns {
                // Review columns without the key: its reviews cannot be
                // matched to any finding (the column was deleted or renamed).
                reviews.unmatched.push(format!(
                    "{}review columns but no finding_id column (was it deleted or renamed?)",
                    named(&sheet)
                ));
            } else if !PLAIN_SHEETS.contains(&sheet.as_str()) {
                reviews.ignored.push(format!(
                    "{}no finding_id column and no review columns: read past",
                    named(&sheet)
                ));
            }
            continue;
        };
        let (check_col, subject_col, detail_col, history_col) = (
            col("check"),
            col("subject_id").or_else(|| col("allocation_id").filter(|_| sample)),
            col("detail"),
            col("review history"),
        );
        if status_col.is_none() {
            if reviewer_col.is_none() && note_col.is_none() && !sheet.is_empty() {
                reviews.ignored.push(format!(
                    "{}finding ids but no review columns: read past",
                    named(&sheet)
                ));
                continue;
            }
            return Err(Error::input(
                path,
                format!(
                    "{}no status column in the header",
                    where_(&sheet, *header_line)
                ),
            ));
        }
        let (mut pseudonyms, mut foreign) = (0usize, Vec::new());
        for (line, cells) in rows.iter().skip(1) {
            let get = |c: Option<usize>| {
                c.and_then(|c| cells.get(c))
                    .map(|v| uninert(v.trim()))
                    .unwrap_or_default()
            };
            let id = get(Some(id_col));
            if id.is_empty() {
                continue;
            }
            let at = where_(&sheet, *line);
            if !is_finding_id(&id) {
                if is_pseudonym(&id) {
                    pseudonyms += 1;
                } else {
                    foreign.push(format!("{}{id:?}", at));
                }
                continue;
            }
            let (status_text, reviewer, note) = (get(status_col), get(reviewer_col), get(note_col));
            let status = if status_text.is_empty() {
                Status::Open
            } else {
                Status::parse(&status_text).ok_or_else(|| {
                    Error::input(
                        path,
                        format!(
                            "{at}status {status_text:?} is not one of: open, explained, false positive, escalated"
                        ),
                    )
                })?
            };
            let reviewed = !(status_text.is_empty() && reviewer.is_empty() && note.is_empty());
            if case {
                if reviewed {
                    reviews.cases.insert(
                        id.clone(),
                        Review {
                            finding_id: id,
                            status,
                            reviewer,
                            note,
                            check: String::new(),
                            subject_id: get(subject_col),
                            detail: String::new(),
                            history: String::new(),
                        },
                    );
                }
                continue;
            }
            let review = Review {
                finding_id: id.clone(),
                status,
                reviewer,
                note,
                check: match get(check_col) {
                    c if c.is_empty() && sample => SAMPLE_CHECK.to_string(),
                    c => c,
                },
                subject_id: get(subject_col),
                detail: get(detail_col),
                history: get(history_col),
            };
            if let Some(first) = origin.get(&id) {
                // Listed twice (a manager's own sheet, say): fine as long
                // as the two do not disagree about the review.
                match (reviews.by_id.get(&id), reviewed) {
                    (_, false) => continue,
                    (None, true) => {}
                    (Some(r), true) if same_review(r, &review) => continue,
                    (Some(_), true) => {
                        return Err(Error::input(
                            path,
                            format!(
                                "{at}finding_id {id:?} is listed twice with different reviews (first at {first}): keep one"
                            ),
                        ))
                    }
                }
            } else {
                origin.insert(id.clone(), at.trim_end_matches([':', ' ']).to_string());
                reviews.listed.insert(
                    id.clone(),
                    Listed {
                        check: review.check.clone(),
                        subject_id: review.subject_id.clone(),
                        detail: review.detail.clone(),
                        history: review.history.clone(),
                        sheet: sheet.clone(),
                    },
                );
            }
            if reviewed {
                reviews.by_id.insert(id, review);
            }
        }
        if pseudonyms > 0 {
            reviews.unmatched.push(format!(
                "{}{pseudonyms} pseudonymised finding id(s) (a workbook made with --pseudonymise): give the workbook of the run without --pseudonymise",
                named(&sheet)
            ));
        }
        if let Some(first) = foreign.first() {
            reviews.unmatched.push(format!(
                "{} value(s) in the finding_id column are not finding ids of woonaudit (16 hex digits), first at {first}",
                foreign.len()
            ));
        }
    }
    Ok(reviews)
}

/// Whether two entries of one finding say the same about it.
fn same_review(a: &Review, b: &Review) -> bool {
    a.status == b.status && a.reviewer == b.reviewer && a.note == b.note
}

/// The label of the Summary sheet's row that gives the day of the run.
pub const RUN_DATE_LABEL: &str = "Run on";

/// The value next to `label` ("Period", "Run on") on the Summary sheet.
fn summary_value(rows: &Table, label: &str) -> Option<String> {
    rows.iter()
        .find(|(_, cells)| cells.first().is_some_and(|c| c.trim() == label))
        .and_then(|(_, cells)| cells.get(1))
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
}

/// "sheet Order, row 5: " or "row 5: ".
fn where_(sheet: &str, line: u64) -> String {
    if sheet.is_empty() {
        format!("row {line}: ")
    } else {
        format!("sheet {sheet:?}, row {line}: ")
    }
}

/// Undoes the inert-output rule on a value woonaudit wrote itself: a
/// leading apostrophe before text the rule would protect is dropped, so a
/// note does not gain an apostrophe every quarter.
fn uninert(s: &str) -> String {
    match s.strip_prefix('\'') {
        Some(rest) if crate::text::inert(rest) != rest => rest.to_string(),
        _ => s.to_string(),
    }
}

/// Rows as (line number, cells); the first is the header.
type Table = Vec<(u64, Vec<String>)>;

fn read_csv(path: &Path) -> Result<Table> {
    let bytes = std::fs::read(path).map_err(|e| Error::input(path, e.to_string()))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    // UTF-8 when the whole file is, else Windows-1252 (what Dutch Excel
    // saves), as the input tables are read.
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(super::source::detect_delimiter(&text))
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| Error::input(path, e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        rows.push((line, record.iter().map(str::to_string).collect()));
    }
    Ok(rows)
}

fn read_xlsx(path: &Path) -> Result<Vec<(String, Table)>> {
    use calamine::{open_workbook, Reader, Xlsx};
    let mut book: Xlsx<_> =
        open_workbook(path).map_err(|e| Error::input(path, format!("not a readable xlsx: {e}")))?;
    let mut out = Vec::new();
    for name in book.sheet_names() {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| Error::input(path, format!("sheet {name:?}: {e}")))?;
        let first_row = range.start().map_or(0, |(r, _)| u64::from(r));
        let first_col = range.start().map_or(0, |(_, c)| c as usize);
        let rows = range
            .rows()
            .enumerate()
            .map(|(i, cells)| {
                // Cells to the left of the range are empty: keep columns
                // where they are in the sheet.
                let mut v = vec![String::new(); first_col];
                v.extend(cells.iter().map(cell_text));
                (first_row + i as u64 + 1, v)
            })
            .collect();
        out.push((name, rows));
    }
    Ok(out)
}

fn cell_text(d: &calamine::Data) -> String {
    match d {
        calamine::Data::Empty => String::new(),
        calamine::Data::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_loosely() {
        assert_eq!(
            Status::parse(" False_Positive "),
            Some(Status::FalsePositive)
        );
        assert_eq!(Status::parse("escalated"), Some(Status::Escalated));
        assert_eq!(Status::parse("done"), None);
    }

    #[test]
    fn apostrophes_woonaudit_added_are_dropped() {
        assert_eq!(uninert("'=SUM(1)"), "=SUM(1)");
        assert_eq!(uninert("'quoted'"), "'quoted'");
        assert_eq!(uninert("plain"), "plain");
    }
}
