//! `run --reviews FILE` (spec 6.1, issue 5): the reviews of last quarter's
//! exception list carry over to this run.
//!
//! The file is last quarter's filled-in `exceptions.xlsx` (every sheet with a
//! `finding_id` header is read, the "Gone since last review" sheet too, so
//! a review is never lost, and the "Control sample" sheet, keyed by
//! `sample_id`) or a CSV with the columns `finding_id, status, reviewer,
//! note` (`sample_id` may stand for `finding_id`). Columns are found by their header name; other columns
//! are ignored except `check`, `subject_id`, `detail` and `review history`,
//! which keep a gone finding recognisable.

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

/// The reviews of a file.
#[derive(Clone, Debug, Default)]
pub struct Reviews {
    /// The file read.
    pub path: PathBuf,
    /// Every finding_id the file lists, reviewed or not.
    pub seen: BTreeSet<String>,
    /// The reviews, by finding_id.
    pub by_id: BTreeMap<String, Review>,
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

impl Reviews {
    /// The file's name, for the review history.
    pub fn source_name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.path.display().to_string())
    }

    /// How a finding relates to the file.
    pub fn since(&self, finding_id: &str) -> Since {
        if self.by_id.contains_key(finding_id) {
            Since::Reviewed
        } else if self.seen.contains(finding_id) {
            Since::NotReviewed
        } else {
            Since::New
        }
    }

    /// The reviews whose finding no longer occurs (is not among the
    /// `current` finding ids), by finding_id.
    pub fn gone<'a>(&'a self, current: &BTreeSet<String>) -> Vec<&'a Review> {
        let now = current;
        self.by_id
            .values()
            .filter(|r| !now.contains(&r.finding_id))
            .collect()
    }
}

/// Reads a review file: `.xlsx` by calamine, anything else as CSV.
pub fn load(path: &Path) -> Result<Reviews> {
    let is_xlsx = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let mut reviews = Reviews {
        path: path.to_path_buf(),
        ..Reviews::default()
    };
    let mut origin: BTreeMap<String, String> = BTreeMap::new();
    let tables = if is_xlsx {
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
        // The control sample sheet is keyed by sample_id instead.
        let sample = col("finding_id").is_none() && col(SAMPLE_ID).is_some();
        let Some(id_col) = col("finding_id").or_else(|| col(SAMPLE_ID)) else {
            if sheet.is_empty() {
                return Err(Error::input(path, "no finding_id column in the header"));
            }
            // A sheet of the workbook without findings (the Summary).
            continue;
        };
        let (status_col, reviewer_col, note_col) = (col("status"), col("reviewer"), col("note"));
        let (check_col, subject_col, detail_col, history_col) = (
            col("check"),
            col("subject_id").or_else(|| col("allocation_id").filter(|_| sample)),
            col("detail"),
            col("review history"),
        );
        if status_col.is_none() {
            return Err(Error::input(
                path,
                format!(
                    "{}no status column in the header",
                    where_(&sheet, *header_line)
                ),
            ));
        }
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
            if let Some(first) = origin.get(&id) {
                return Err(Error::input(
                    path,
                    format!("{at}finding_id {id:?} is listed twice (first at {first})"),
                ));
            }
            origin.insert(id.clone(), at.trim_end_matches([':', ' ']).to_string());
            reviews.seen.insert(id.clone());
            let (status_text, reviewer, note) = (get(status_col), get(reviewer_col), get(note_col));
            if status_text.is_empty() && reviewer.is_empty() && note.is_empty() {
                continue;
            }
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
            reviews.by_id.insert(
                id.clone(),
                Review {
                    finding_id: id,
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
                },
            );
        }
    }
    Ok(reviews)
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
    let text = String::from_utf8_lossy(&bytes);
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
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
